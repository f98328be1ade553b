/*
 * lan_server in process, with the test as the hub thread: it owns the
 * mailbox and decides when (and whether) a request is completed. That
 * reaches what a real hub makes hard to provoke: a full mailbox answers 503
 * with Retry-After while requests that need no hub still answer; a request
 * freed unhandled (the hub stopping) completes as 503 instead of hanging;
 * after stop nothing is posted; and the event feed wakes many stream
 * subscribers at once (no polling), each getting the event with its seq as
 * id. Also runs under ThreadSanitizer (label tsan).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hk_http.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "lan_server.h"

#define N_SUBS   50
#define TOKEN    "test-token-display-0123456789"
#define DEVICE_H "Authorization: Bearer " TOKEN "\r\n"
#define PIN_HASH \
    "$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ" /* of 246810 */

static const char config_json[] =
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}],"
    "\"staff\":[{\"id\":\"s1\",\"name_zh\":\"王\",\"name_en\":\"Wang\",\"pin_hash\":\"" PIN_HASH
    "\"}],"
    "\"devices\":[{\"id\":\"display-1\",\"token\":\"" TOKEN "\"}]}";

static config_t cfg;
static mailbox_t *mb;
static lan_server_t *srv;
static uint16_t port;
static char staff_h[160]; /* s1's session header */

void setUp(void)
{
    lan_server_opts_t o;

    HK_ASSERT_OK(config_parse(config_json, sizeof(config_json) - 1, &cfg, NULL));
    HK_ASSERT_OK(mailbox_create(64, NULL, NULL, &mb));
    memset(&o, 0, sizeof(o));
    o.cfg = &cfg;
    o.mb = mb;
    o.listen = "127.0.0.1:0";
    o.keepalive_ms = 200;
    HK_ASSERT_OK(lan_server_start(&o, &srv, NULL));
    port = lan_server_port(srv);
    HK_ASSERT(port > 0);
    {
        /* a login needs no hub: the PIN is checked on the connection thread */
        hk_http_resp_t r;
        const char *p;
        HK_ASSERT_OK(hk_http_request(port, "POST", "/api/v1/sessions",
                                     "{\"staff_id\":\"s1\",\"pin\":\"246810\"}", NULL, &r));
        HK_ASSERT_INT(201, r.status);
        p = strstr(r.body, "\"session\":\"");
        HK_ASSERT(p);
        snprintf(staff_h, sizeof(staff_h), "Authorization: Bearer %.43s\r\n", p + 11);
        hk_http_resp_free(&r);
    }
}

/* As the hub does at stop: no more posts, refuse what is queued, join. */
void tearDown(void)
{
    mailbox_msg_t m;

    lan_server_stop(srv);
    while(mb && mailbox_take(mb, &m))
        mailbox_msg_free(&m);
    lan_server_destroy(srv);
    srv = NULL;
    mailbox_destroy(mb);
    mb = NULL;
}

typedef struct client {
    pthread_t th;
    const char *method, *path, *body, *headers;
    hk_http_resp_t resp;
} client_t;

static void *client_run(void *arg)
{
    client_t *c = arg;

    (void)hk_http_request(port, c->method, c->path, c->body, c->headers, &c->resp);
    return NULL;
}

static void client_start(client_t *c, const char *method, const char *path, const char *body)
{
    memset(c, 0, sizeof(*c));
    c->method = method;
    c->path = path;
    c->body = body;
    c->headers = strstr(path, "/counters/") ? staff_h : DEVICE_H;
    HK_ASSERT_OK(pthread_create(&c->th, NULL, client_run, c));
}

/* Wait (as the hub) for the next request message. */
static lan_req_t *take_request(void)
{
    mailbox_msg_t m;
    lan_req_t *r;

    HK_ASSERT_MSG(mailbox_wait(mb, 5000, &m), "no request reached the mailbox");
    HK_ASSERT_INT(MAILBOX_REQUEST, m.kind);
    r = m.payload;
    m.payload = NULL; /* ours to complete */
    mailbox_msg_free(&m);
    return r;
}

static void complete_with(lan_req_t *r, branch_op_t op, hk_err_t rc)
{
    branch_result_t *res = hk_calloc(1, sizeof(*res));

    HK_ASSERT(res);
    res->op = op;
    res->rc = rc;
    lan_req_complete(r, res, rc);
}

static void test_lan_server_full_mailbox_answers_503_with_retry_after(void)
{
    client_t waiting;
    hk_http_resp_t r;
    char val[16];
    lan_req_t *req;
    int filled = 0;

    /* one request waits on the hub, then the mailbox fills up */
    client_start(&waiting, "POST", "/api/v1/counters/c1/call-next", NULL);
    while(mailbox_count(mb) < 1)
        usleep(1000);
    while(mailbox_post_simple(mb, MAILBOX_PRINT_DONE, 0, HK_OK, 0) == HK_OK)
        filled++;
    HK_ASSERT(filled > 0);
    HK_ASSERT_OK(hk_http_request(port, "POST", "/api/v1/tickets", "{\"service\":\"general\"}",
                                 DEVICE_H, &r));
    HK_ASSERT_INT(503, r.status);
    HK_ASSERT_CONTAINS(r.body, "\"code\":\"busy\"");
    HK_ASSERT(hk_http_header(&r, "Retry-After", val, sizeof(val)) == 0);
    HK_ASSERT_STR("1", val);
    hk_http_resp_free(&r);
    /* what needs no hub still answers */
    HK_ASSERT_OK(hk_http_request(port, "GET", "/api/v1/branch", NULL, NULL, &r));
    HK_ASSERT_INT(200, r.status);
    hk_http_resp_free(&r);

    /* the hub answers the waiting one: nobody waits at c1 */
    req = take_request();
    HK_ASSERT_INT(BRANCH_OP_CALL_NEXT, lan_req_call(req)->op);
    HK_ASSERT_STR("c1", lan_req_call(req)->counter_id);
    complete_with(req, BRANCH_OP_CALL_NEXT, HK_ERR_NOT_FOUND);
    pthread_join(waiting.th, NULL);
    HK_ASSERT_INT(409, waiting.resp.status);
    HK_ASSERT_CONTAINS(waiting.resp.body, "nobody_waiting");
    hk_http_resp_free(&waiting.resp);
}

static void test_lan_server_request_freed_unhandled_completes_as_503(void)
{
    client_t waiting;
    hk_http_resp_t r;
    mailbox_msg_t m;

    client_start(&waiting, "POST", "/api/v1/tickets", "{\"service\":\"general\"}");
    while(mailbox_count(mb) < 1)
        usleep(1000);
    /* the hub stops: no more posts, and what was queued is refused */
    lan_server_stop(srv);
    HK_ASSERT(mailbox_take(mb, &m));
    mailbox_msg_free(&m);
    pthread_join(waiting.th, NULL);
    HK_ASSERT_INT(503, waiting.resp.status);
    hk_http_resp_free(&waiting.resp);
    HK_ASSERT_OK(hk_http_request(port, "GET", "/api/v1/snapshot", NULL, DEVICE_H, &r));
    HK_ASSERT_INT(503, r.status);
    hk_http_resp_free(&r);
    HK_ASSERT_INT(0, mailbox_count(mb)); /* nothing posted after stop */
}

typedef struct subscriber {
    pthread_t th;
    hk_sse_t sse;
    hk_sse_event_t first, branch, next;
    int opened, got;
    struct timespec at;
} subscriber_t;

/* Open a stream and read its first two events: the snapshot (the hub's,
 * completed by the test's thread meanwhile) and the branch document.
 * Returns s when the stream opened (the caller closes it). */
static void *stream_open_run(void *arg)
{
    subscriber_t *s = arg;

    if(hk_sse_open(port, "/api/v1/events?access_token=" TOKEN, NULL, &s->sse) != 0)
        return NULL;
    s->opened =
        hk_sse_next(&s->sse, 5000, &s->first) == 1 && hk_sse_next(&s->sse, 5000, &s->branch) == 1;
    return s;
}

static void *subscriber_run(void *arg)
{
    subscriber_t *s = arg;

    if(!stream_open_run(s))
        return NULL;
    s->got = s->opened && hk_sse_next(&s->sse, 5000, &s->next) == 1;
    clock_gettime(CLOCK_MONOTONIC, &s->at);
    hk_sse_close(&s->sse);
    return NULL;
}

/* Journal event 1: ticket A001 issued (the body is a static string). */
static void first_ticket_event(journal_event_t *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->seq = 1;
    ev->type = JOURNAL_TICKET_ISSUED;
    ev->wall_ms = 1795660730688;
    snprintf(ev->uuid, sizeof(ev->uuid), "00000000-0000-4000-8000-000000000001");
    ev->body = (char *)(uintptr_t) "{\"number\":\"A001\"}";
}

static void test_lan_server_feed_wakes_every_subscriber_at_once(void)
{
    static subscriber_t subs[N_SUBS];
    journal_event_t ev;
    struct timespec t0;
    double worst_ms = 0;
    int i;

    memset(subs, 0, sizeof(subs));
    for(i = 0; i < N_SUBS; i++)
        HK_ASSERT_OK(pthread_create(&subs[i].th, NULL, subscriber_run, &subs[i]));
    /* each stream starts with a snapshot the hub takes */
    for(i = 0; i < N_SUBS; i++) {
        lan_req_t *r = take_request();
        HK_ASSERT_INT(BRANCH_OP_SNAPSHOT, lan_req_call(r)->op);
        complete_with(r, BRANCH_OP_SNAPSHOT, HK_OK);
    }
    usleep(300 * 1000); /* every subscriber asleep on the feed (keep-alives pass) */
    first_ticket_event(&ev);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lan_server_feed(srv, &ev, 1);
    HK_ASSERT_INT(1, lan_server_feed_seq(srv));
    for(i = 0; i < N_SUBS; i++) {
        double ms;
        pthread_join(subs[i].th, NULL);
        HK_ASSERT_MSG(subs[i].opened, "subscriber %d: no snapshot event", i);
        HK_ASSERT_STR("snapshot", subs[i].first.event);
        HK_ASSERT_STR("branch", subs[i].branch.event); /* then the branch document */
        HK_ASSERT_STR("", subs[i].branch.id);
        HK_ASSERT_CONTAINS(subs[i].branch.data, "\"generation\":1,");
        HK_ASSERT_MSG(subs[i].got, "subscriber %d: the event did not arrive", i);
        HK_ASSERT_STR("1", subs[i].next.id);
        HK_ASSERT_STR("ticket.issued", subs[i].next.event);
        HK_ASSERT_CONTAINS(subs[i].next.data, "\"body\":{\"number\":\"A001\"}");
        ms = (double)(subs[i].at.tv_sec - t0.tv_sec) * 1e3 +
             (double)(subs[i].at.tv_nsec - t0.tv_nsec) / 1e6;
        if(ms > worst_ms)
            worst_ms = ms;
    }
    printf("# feed to the last of %d subscribers: %.2f ms\n", N_SUBS, worst_ms);
    HK_ASSERT_MSG(worst_ms < 1000, "fan-out took %.0f ms", worst_ms);
}

/* Send raw bytes on a new connection; the first line of the answer
 * (within 5 s) into line, "" if none. */
static void raw_exchange(const char *data, size_t len, char *line, size_t cap)
{
    struct sockaddr_in sa;
    struct pollfd p;
    size_t off = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    line[0] = '\0';
    HK_ASSERT(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT_OK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
    while(off < len && (n = send(fd, data + off, len - off, MSG_NOSIGNAL)) > 0)
        off += (size_t)n;
    p.fd = fd;
    p.events = POLLIN;
    if(poll(&p, 1, 5000) == 1 && (n = recv(fd, line, cap - 1, 0)) > 0) {
        line[n] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
    }
    close(fd);
}

/* LANCFG: a new config generation reaches an open stream as a "branch"
 * event ahead of the journal events after it; the same generation again
 * sends nothing. */
static void test_lan_server_new_config_generation_reaches_open_streams(void)
{
    static subscriber_t sub;
    static hk_sse_event_t ev;
    static config_t next;
    journal_event_t je;
    int i;

    memset(&sub, 0, sizeof(sub));
    HK_ASSERT_OK(pthread_create(&sub.th, NULL, stream_open_run, &sub));
    complete_with(take_request(), BRANCH_OP_SNAPSHOT, HK_OK);
    pthread_join(sub.th, NULL);
    HK_ASSERT_MSG(sub.opened, "no snapshot and branch events");
    HK_ASSERT_STR("snapshot", sub.first.event);
    HK_ASSERT_STR("branch", sub.branch.event);
    HK_ASSERT_CONTAINS(sub.branch.data, "\"generation\":1,");

    next = cfg;
    i = config_service_index(&next, "general");
    HK_ASSERT(i >= 0);
    snprintf(next.services[i].name_zh, sizeof(next.services[i].name_zh), "综合业务");
    HK_ASSERT_OK(lan_server_set_config(srv, &next, 5));
    HK_ASSERT_OK(lan_server_set_config(srv, &next, 5)); /* no second event */
    first_ticket_event(&je);
    lan_server_feed(srv, &je, 1);
    HK_ASSERT_INT(1, hk_sse_next(&sub.sse, 5000, &ev));
    HK_ASSERT_STR("branch", ev.event);
    HK_ASSERT_STR("", ev.id);
    HK_ASSERT_CONTAINS(ev.data, "\"generation\":5,");
    HK_ASSERT_CONTAINS(ev.data, "综合业务");
    HK_ASSERT(strstr(ev.data, "pin_hash") == NULL && strstr(ev.data, TOKEN) == NULL);
    HK_ASSERT_INT(1, hk_sse_next(&sub.sse, 5000, &ev));
    HK_ASSERT_STR("ticket.issued", ev.event);
    HK_ASSERT_STR("1", ev.id);
    hk_sse_close(&sub.sse);
}

static void test_lan_server_oversized_headers_are_refused_and_it_keeps_serving(void)
{
    static char req[48 * 1024];
    char line[256];
    hk_http_resp_t r;
    int n;

    /* a 40 KiB header, over the connection's 32 KiB: refused before any
     * handler runs, the connection closed */
    n = snprintf(req, sizeof(req), "GET /api/v1/branch HTTP/1.1\r\nHost: x\r\nX-Padding: ");
    memset(req + n, 'a', 40 * 1024);
    n += 40 * 1024;
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\nConnection: close\r\n\r\n");
    raw_exchange(req, (size_t)n, line, sizeof(line));
    HK_ASSERT_STR("HTTP/1.1 431 Request Header Fields Too Large", line);
    HK_ASSERT_INT(0, mailbox_count(mb)); /* nothing reached the hub */
    HK_ASSERT_OK(hk_http_request(port, "GET", "/api/v1/branch", NULL, NULL, &r));
    HK_ASSERT_INT(200, r.status);
    hk_http_resp_free(&r);
    /* an oversized bearer token is just an unknown one */
    n = snprintf(req, sizeof(req), "Authorization: Bearer ");
    memset(req + n, 'a', 300);
    snprintf(req + n + 300, 3, "\r\n");
    HK_ASSERT_OK(hk_http_request(port, "GET", "/api/v1/snapshot", NULL, req, &r));
    HK_ASSERT_INT(401, r.status);
    hk_http_resp_free(&r);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    HK_RUN(test_lan_server_full_mailbox_answers_503_with_retry_after);
    HK_RUN(test_lan_server_request_freed_unhandled_completes_as_503);
    HK_RUN(test_lan_server_feed_wakes_every_subscriber_at_once);
    HK_RUN(test_lan_server_oversized_headers_are_refused_and_it_keeps_serving);
    HK_RUN(test_lan_server_new_config_generation_reaches_open_streams);
    return hk_test_end();
}
