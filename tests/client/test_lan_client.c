/*
 * lan_client against a scripted server on 127.0.0.1 (a thread with a
 * listening socket), for what a real hub rarely does: a hub that accepts
 * and never answers costs at most the total timeout; an answer over the
 * body cap is refused; the bearer token and JSON body go out as sent and a
 * refusal's code and message come back; the event stream parses frames
 * split over lines with CRLF ends and comments, and after the stream
 * drops it reconnects with Last-Event-ID set to the last id it saw.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hk_test.h"
#include "lan_client.h"

typedef enum mode { MODE_SILENT, MODE_BIG, MODE_REFUSE, MODE_SSE } srv_mode_t;

static int lfd = -1;
static uint16_t port;
static pthread_t srv;
static srv_mode_t mode;
static char seen[2][2048]; /* the first two requests' heads and bodies */
static atomic_bool stop_flag;

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void send_all(int fd, const char *s, size_t n)
{
    while(n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if(w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

/* Read a request's head (and a short body) into dst. */
static void read_request(int fd, char *dst, size_t cap)
{
    size_t n = 0;
    struct timeval tv = { 2, 0 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    while(n + 1 < cap) {
        ssize_t r = recv(fd, dst + n, cap - 1 - n, 0);
        if(r <= 0)
            break;
        n += (size_t)r;
        dst[n] = '\0';
        if(strstr(dst, "\r\n\r\n") && (!strstr(dst, "Content-Length:") || strchr(dst, '}')))
            break;
    }
    dst[n] = '\0';
}

static void *serve(void *arg)
{
    int conn;

    (void)arg;
    for(conn = 0; conn < 2; conn++) {
        int fd = accept(lfd, NULL, NULL);
        if(fd < 0)
            return NULL;
        read_request(fd, seen[conn], sizeof(seen[conn]));
        if(mode == MODE_SILENT) {
            while(!atomic_load(&stop_flag))
                usleep(20000);
        } else if(mode == MODE_BIG) {
            static char chunk[65536];
            int i;
            memset(chunk, 'x', sizeof(chunk));
            send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: 2097152\r\nConnection: close\r\n\r\n");
            for(i = 0; i < 32; i++)
                send_all(fd, chunk, sizeof(chunk));
        } else if(mode == MODE_REFUSE) {
            const char *body = "{\"code\":\"nobody_waiting\",\"message\":\"nobody waits\"}";
            char head[256];
            snprintf(head, sizeof(head),
                     "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nRetry-After: 7\r\nConnection: close\r\n\r\n",
                     strlen(body));
            send_str(fd, head);
            send_str(fd, body);
        } else if(conn == 0) {
            send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         "Connection: close\r\n\r\n"
                         "retry: 2000\r\nevent: snapshot\r\ndata: {\"journal_seq\":4}\r\n\r\n"
                         ": keep-alive\r\n\r\n"
                         "id: 5\r\nevent: ticket.issued\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n");
        } else {
            send_str(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         "Connection: close\r\n\r\n"
                         "event: snapshot\ndata: {\"journal_seq\":6}\n\n"
                         "id: 6\nevent: ticket.called\ndata: {\"b\":2}\n\n");
            while(!atomic_load(&stop_flag))
                usleep(20000);
        }
        close(fd);
    }
    return NULL;
}

static void server_start(srv_mode_t m)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;

    mode = m;
    memset(seen, 0, sizeof(seen));
    atomic_store(&stop_flag, false);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    HK_ASSERT(lfd >= 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT_OK(bind(lfd, (struct sockaddr *)&a, sizeof(a)));
    HK_ASSERT_OK(listen(lfd, 4));
    HK_ASSERT_OK(getsockname(lfd, (struct sockaddr *)&a, &len));
    port = ntohs(a.sin_port);
    HK_ASSERT_OK(pthread_create(&srv, NULL, serve, NULL));
}

void setUp(void)
{
    lfd = -1;
}

void tearDown(void)
{
    if(lfd >= 0) {
        atomic_store(&stop_flag, true);
        shutdown(lfd, SHUT_RDWR);
        close(lfd);
        pthread_join(srv, NULL);
        lfd = -1;
    }
}

static lan_client_t *client(int total_ms)
{
    lan_client_opts_t o;
    lan_client_t *c = NULL;
    char url[64];

    snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
    memset(&o, 0, sizeof(o));
    o.base_url = url;
    o.total_ms = total_ms;
    HK_ASSERT_OK(lan_client_create(&o, &c));
    return c;
}

static void test_lan_client_a_silent_hub_costs_the_total_timeout_only(void)
{
    lan_client_t *c;
    lan_resp_t r;
    int64_t t0;

    server_start(MODE_SILENT);
    c = client(800);
    t0 = mono_ms();
    HK_ASSERT_INT(HK_ERR_NET, lan_client_request(c, "GET", "/api/v1/snapshot", NULL, NULL, &r));
    HK_ASSERT_MSG(mono_ms() - t0 < 2000, "waited %lld ms", (long long)(mono_ms() - t0));
    lan_client_destroy(c);
}

static void test_lan_client_refuses_an_answer_over_the_body_cap(void)
{
    lan_client_t *c;
    lan_resp_t r;

    server_start(MODE_BIG);
    c = client(0);
    HK_ASSERT_INT(HK_ERR_SERVER, lan_client_request(c, "GET", "/api/v1/snapshot", NULL, NULL, &r));
    lan_client_destroy(c);
}

static void test_lan_client_sends_token_and_json_and_reads_a_refusal(void)
{
    lan_client_t *c;
    lan_resp_t r;

    server_start(MODE_REFUSE);
    c = client(0);
    HK_ASSERT_OK(lan_client_request(c, "POST", "/api/v1/tickets", "tok-123",
                                    "{\"service\":\"general\"}", &r));
    HK_ASSERT_INT(409, r.status);
    HK_ASSERT_STR("nobody_waiting", r.code);
    HK_ASSERT_STR("nobody waits", r.message);
    HK_ASSERT_INT(7, r.retry_after_s);
    lan_resp_free(&r);
    HK_ASSERT_CONTAINS(seen[0], "POST /api/v1/tickets HTTP/1.1\r\n");
    HK_ASSERT_CONTAINS(seen[0], "Authorization: Bearer tok-123\r\n");
    HK_ASSERT_CONTAINS(seen[0], "Content-Type: application/json\r\n");
    HK_ASSERT_CONTAINS(seen[0], "{\"service\":\"general\"}");
    lan_client_destroy(c);

    /* only http and https */
    {
        lan_client_opts_t o;
        memset(&o, 0, sizeof(o));
        o.base_url = "file:///etc/passwd";
        HK_ASSERT_INT(HK_ERR_INVALID, lan_client_create(&o, &c));
    }
}

typedef struct got {
    int n;
    char ids[4][32];
    char events[4][48];
    char data[4][64];
    int opened, closed;
} got_t;

static bool on_ev(const lan_sse_event_t *ev, void *user)
{
    got_t *g = user;

    if(g->n < 4) {
        snprintf(g->ids[g->n], sizeof(g->ids[0]), "%s", ev->id);
        snprintf(g->events[g->n], sizeof(g->events[0]), "%s", ev->event);
        snprintf(g->data[g->n], sizeof(g->data[0]), "%s", ev->data);
        g->n++;
    }
    return strcmp(ev->id, "6") != 0; /* enough after id 6 */
}

static void on_state(void *user, bool connected)
{
    got_t *g = user;

    if(connected)
        g->opened++;
    else
        g->closed++;
}

static void token(void *user, char *dst, size_t cap)
{
    (void)user;
    snprintf(dst, cap, "dev-token");
}

static void test_lan_client_stream_parses_frames_and_resumes_from_the_last_id(void)
{
    atomic_bool stop;
    lan_client_t *c;
    char last[32] = "";
    got_t g;

    memset(&g, 0, sizeof(g));
    atomic_init(&stop, false);
    server_start(MODE_SSE);
    c = client(0);
    HK_ASSERT_OK(lan_client_sse_run(c, "/api/v1/events", token, on_ev, on_state, &g, &stop, last));
    HK_ASSERT_INT(4, g.n);
    HK_ASSERT_STR("snapshot", g.events[0]);
    HK_ASSERT_STR("", g.ids[0]);
    HK_ASSERT_STR("{\"journal_seq\":4}", g.data[0]);
    HK_ASSERT_STR("5", g.ids[1]);
    HK_ASSERT_STR("ticket.issued", g.events[1]);
    HK_ASSERT_STR("{\"a\":\n1}", g.data[1]); /* two data: lines joined by a newline */
    HK_ASSERT_STR("snapshot", g.events[2]);
    HK_ASSERT_STR("6", g.ids[3]);
    HK_ASSERT_STR("6", last);
    HK_ASSERT_INT(2, g.opened);
    HK_ASSERT(g.closed >= 1);
    HK_ASSERT_CONTAINS(seen[0], "GET /api/v1/events HTTP/1.1\r\n");
    HK_ASSERT_CONTAINS(seen[0], "Authorization: Bearer dev-token\r\n");
    HK_ASSERT(!strstr(seen[0], "Last-Event-ID"));
    HK_ASSERT_CONTAINS(seen[1], "Last-Event-ID: 5\r\n");
    lan_client_destroy(c);
}

static void test_lan_client_escape_encodes_a_query_value(void)
{
    char buf[16];

    HK_ASSERT(lan_client_escape("A023", buf, sizeof(buf)));
    HK_ASSERT_STR("A023", buf);
    HK_ASSERT(lan_client_escape("a b&c=d", buf, sizeof(buf)));
    HK_ASSERT_STR("a%20b%26c%3Dd", buf);
    HK_ASSERT(!lan_client_escape("&&&&&&", buf, sizeof(buf)));
}

int main(void)
{
    HK_RUN(test_lan_client_a_silent_hub_costs_the_total_timeout_only);
    HK_RUN(test_lan_client_refuses_an_answer_over_the_body_cap);
    HK_RUN(test_lan_client_sends_token_and_json_and_reads_a_refusal);
    HK_RUN(test_lan_client_stream_parses_frames_and_resumes_from_the_last_id);
    HK_RUN(test_lan_client_escape_encodes_a_query_value);
    return hk_test_end();
}
