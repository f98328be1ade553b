/*
 * test_alerts: a call after a long wait and a dissatisfied rating raise
 * alerts (a recall, a satisfied rating, a quick call do not); alerts reach
 * a real webhook over loopback HTTP as JSON, a webhook that fails at
 * first is retried, and pushing never blocks while the webhook hangs.
 *
 * The webhook is a plain socket server in this test (a real HTTP peer on
 * 127.0.0.1, answering with the status the test sets).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "hk_mem.h"
#include "hk_test.h"

typedef struct hook {
    int fd;
    uint16_t port;
    pthread_t thread;
    atomic_int fail_first; /* answer 500 to this many requests first */
    atomic_int hang_ms;    /* sleep before answering */
    atomic_int requests;
    char last_body[2048];
    pthread_mutex_t mu;
} hook_t;

static hook_t hook;

void setUp(void)
{
}

void tearDown(void)
{
}

static void *hook_main(void *arg)
{
    hook_t *h = arg;

    for(;;) {
        char req[8192];
        size_t n = 0;
        ssize_t r;
        const char *body;
        int c = accept(h->fd, NULL, NULL), status;
        char resp[128];

        if(c < 0)
            return NULL;
        /* read until the body (Content-Length) is complete */
        while(n < sizeof(req) - 1 && (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
            const char *cl, *end;
            n += (size_t)r;
            req[n] = '\0';
            end = strstr(req, "\r\n\r\n");
            cl = strstr(req, "Content-Length:"); /* libcurl spells it so */
            if(end && cl && strlen(end + 4) >= (size_t)atoi(cl + 15))
                break;
        }
        req[n] = '\0';
        if(atomic_load(&h->hang_ms) > 0)
            usleep((useconds_t)atomic_load(&h->hang_ms) * 1000u);
        body = strstr(req, "\r\n\r\n");
        pthread_mutex_lock(&h->mu);
        (void)snprintf(h->last_body, sizeof(h->last_body), "%s", body ? body + 4 : "");
        pthread_mutex_unlock(&h->mu);
        atomic_fetch_add(&h->requests, 1);
        status = atomic_fetch_sub(&h->fail_first, 1) > 0 ? 500 : 204;
        (void)snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 0\r\n\r\n", status);
        if(write(c, resp, strlen(resp)) < 0) {
        }
        close(c);
    }
}

static void hook_start(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(&hook, 0, sizeof(hook));
    pthread_mutex_init(&hook.mu, NULL);
    hook.fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT(bind(hook.fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    HK_ASSERT(listen(hook.fd, 16) == 0);
    HK_ASSERT(getsockname(hook.fd, (struct sockaddr *)&a, &len) == 0);
    hook.port = ntohs(a.sin_port);
    HK_ASSERT(pthread_create(&hook.thread, NULL, hook_main, &hook) == 0);
}

static void hook_stop(void)
{
    shutdown(hook.fd, SHUT_RDWR);
    close(hook.fd);
    pthread_join(hook.thread, NULL);
    pthread_mutex_destroy(&hook.mu);
}

static central_event_t event(const char *type, int64_t time_ms, char *body)
{
    central_event_t e;

    memset(&e, 0, sizeof(e));
    e.seq = 42;
    (void)snprintf(e.type, sizeof(e.type), "%s", type);
    e.time_ms = time_ms;
    e.body = body;
    return e;
}

static void test_thresholds_pick_the_right_events(void)
{
    alerts_limits_t lim = { .wait_limit_s = 1800, .rating_max = 2 };
    char late[] = "{\"number\":\"A012\",\"counter\":\"c3\",\"issued_ms\":0,\"recalls\":0}";
    char recall[] = "{\"number\":\"A012\",\"counter\":\"c3\",\"issued_ms\":0,\"recalls\":1}";
    char bad[] = "{\"number\":\"A013\",\"counter\":\"c1\",\"staff\":\"s2\",\"level\":2}";
    char good[] = "{\"number\":\"A014\",\"level\":3}";
    char broken[] = "{\"level\":";
    central_event_t e;
    alert_t a;

    e = event("ticket.called", 1801000, late);
    HK_ASSERT(alerts_from_event("b1", "hub-1", &e, &lim, &a));
    HK_ASSERT_STR("long_wait", a.kind);
    HK_ASSERT_INT(1801, a.wait_s);
    HK_ASSERT_STR("A012", a.number);
    HK_ASSERT_STR("c3", a.counter);
    HK_ASSERT_STR("b1", a.branch);
    HK_ASSERT_INT(42, a.seq);
    e = event("ticket.called", 1799000, late);
    HK_ASSERT(!alerts_from_event("b1", "hub-1", &e, &lim, &a));
    e = event("ticket.called", 9999000, recall);
    HK_ASSERT(!alerts_from_event("b1", "hub-1", &e, &lim, &a));

    e = event("visit.rated", 5, bad);
    HK_ASSERT(alerts_from_event("b1", "hub-1", &e, &lim, &a));
    HK_ASSERT_STR("dissatisfied", a.kind);
    HK_ASSERT_INT(2, a.level);
    HK_ASSERT_STR("s2", a.staff);
    e = event("visit.rated", 5, good);
    HK_ASSERT(!alerts_from_event("b1", "hub-1", &e, &lim, &a));
    e = event("visit.rated", 5, broken);
    HK_ASSERT(!alerts_from_event("b1", "hub-1", &e, &lim, &a));
    /* switched off */
    lim.rating_max = 0;
    e = event("visit.rated", 5, bad);
    HK_ASSERT(!alerts_from_event("b1", "hub-1", &e, &lim, &a));
}

static void test_webhook_gets_json_and_failures_are_retried(void)
{
    alerts_limits_t lim = { .wait_limit_s = 60, .rating_max = 2 };
    char bad[] = "{\"number\":\"A013\",\"counter\":\"c1\",\"staff\":\"s2\",\"level\":1}";
    char url[64];
    central_event_t e = event("visit.rated", 7, bad);
    alerts_t *al = NULL;
    alerts_stats_t st;
    alert_t a;

    hook_start();
    atomic_store(&hook.fail_first, 1);
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", hook.port);
    HK_ASSERT_OK(alerts_start(url, NULL, &al));
    HK_ASSERT(alerts_from_event("b1", "hub-1", &e, &lim, &a));
    alerts_push(al, &a);
    HK_ASSERT(alerts_drain(al, 10000));
    alerts_stats(al, &st);
    HK_ASSERT_INT(1, st.sent);
    HK_ASSERT_INT(0, st.failed);
    HK_ASSERT_INT(2, atomic_load(&hook.requests)); /* a 500, then the retry */
    pthread_mutex_lock(&hook.mu);
    HK_ASSERT_CONTAINS(hook.last_body, "\"kind\":\"dissatisfied\"");
    HK_ASSERT_CONTAINS(hook.last_body, "\"level\":1");
    HK_ASSERT_CONTAINS(hook.last_body, "\"number\":\"A013\"");
    pthread_mutex_unlock(&hook.mu);

    /* a hanging webhook: pushing returns at once, stop abandons it */
    atomic_store(&hook.hang_ms, 1500);
    {
        struct timespec t0, t1;
        int i;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for(i = 0; i < ALERTS_QUEUE_CAP + 10; i++)
            alerts_push(al, &a);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        HK_ASSERT((t1.tv_sec - t0.tv_sec) < 2);
    }
    alerts_stats(al, &st);
    HK_ASSERT(st.dropped >= 9); /* the oldest went when the queue was full */
    alerts_stop(al);
    hook_stop();
}

static void test_no_webhook_configured_is_quiet(void)
{
    alerts_t *al = NULL;
    alert_t a;
    alerts_stats_t st;

    memset(&a, 0, sizeof(a));
    HK_ASSERT_OK(alerts_start("", NULL, &al));
    alerts_push(al, &a);
    HK_ASSERT(alerts_drain(al, 10));
    alerts_stats(al, &st);
    HK_ASSERT_INT(0, st.sent + st.failed + st.dropped);
    alerts_stop(al);
}

int main(void)
{
    HK_RUN(test_thresholds_pick_the_right_events);
    HK_RUN(test_webhook_gets_json_and_failures_are_retried);
    HK_RUN(test_no_webhook_configured_is_quiet);
    return hk_test_end();
}
