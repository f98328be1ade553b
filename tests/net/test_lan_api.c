/*
 * The hub's LAN API end to end: a real hub process (hallkiosk --role hub)
 * on 127.0.0.1 with an ephemeral port and its own data dir, driven over
 * real sockets. Covers every operation, every client error class with the
 * state unchanged afterwards, the event stream (ids are journal seqs, a
 * reconnect with Last-Event-ID gets a fresh snapshot and exactly what it
 * missed, also from a restarted hub), and 8 clients calling next in
 * parallel with every ticket called exactly once. A hub that leaks exits 3,
 * so each clean SIGTERM stop also checks for leaks.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_http.h"
#include "hk_test.h"

#define N_TICKETS 240
#define N_CLIENTS 8
#define LAN_BIG   5000 /* over the 4096-byte body cap */
#define KIOSK1    "test-token-kiosk-1-0123456789"
#define KIOSK2    "test-token-kiosk-2-0123456789"
#define PIN       "246810"
#define PIN_HASH \
    "$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ" /* of PIN */
#define DEVICE_H "Authorization: Bearer " KIOSK1 "\r\n"

static pid_t hub_pid = -1;
static uint16_t port;
static char staff_h[160]; /* "Authorization: Bearer <s1's session>\r\n", per hub start */

static void login_header(const char *staff_id, char *dst, size_t cap);

static const char config_json[] =
    "{\"role\":\"hub\",\"branch\":{\"id\":\"t1\",\"name_zh\":\"测试厅\",\"name_en\":\"Test hall\"},"
    "\"services\":["
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"General\"},"
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"Payments\"}],"
    "\"counters\":["
    "{\"id\":\"c1\",\"number\":1,\"services\":[\"general\",\"payment\"]},"
    "{\"id\":\"c2\",\"number\":2,\"services\":[\"general\"]},"
    "{\"id\":\"c3\",\"number\":3,\"services\":[\"general\"]},"
    "{\"id\":\"c4\",\"number\":4,\"services\":[\"general\"]},"
    "{\"id\":\"c5\",\"number\":5,\"services\":[\"general\"]},"
    "{\"id\":\"c6\",\"number\":6,\"services\":[\"general\"]},"
    "{\"id\":\"c7\",\"number\":7,\"services\":[\"general\"]},"
    "{\"id\":\"c8\",\"number\":8,\"services\":[\"general\"]}],"
    /* every staff PIN is 246810 (the sample's hash) */
    "\"staff\":[{\"id\":\"s1\",\"name_zh\":\"员工1\",\"name_en\":\"Staff 1\",\"pin_hash\":\"" PIN_HASH
    "\"},"
    "{\"id\":\"s2\",\"name_zh\":\"员工2\",\"name_en\":\"Staff 2\",\"pin_hash\":\"" PIN_HASH "\"},"
    "{\"id\":\"s3\",\"name_zh\":\"员工3\",\"name_en\":\"Staff 3\",\"pin_hash\":\"" PIN_HASH "\"},"
    "{\"id\":\"s4\",\"name_zh\":\"员工4\",\"name_en\":\"Staff 4\",\"pin_hash\":\"" PIN_HASH "\"},"
    "{\"id\":\"s5\",\"name_zh\":\"员工5\",\"name_en\":\"Staff 5\",\"pin_hash\":\"" PIN_HASH "\"},"
    "{\"id\":\"s6\",\"name_zh\":\"员工6\",\"name_en\":\"Staff 6\",\"pin_hash\":\"" PIN_HASH "\"},"
    "{\"id\":\"s7\",\"name_zh\":\"员工7\",\"name_en\":\"Staff 7\",\"pin_hash\":\"" PIN_HASH "\"},"
    "{\"id\":\"s8\",\"name_zh\":\"员工8\",\"name_en\":\"Staff 8\",\"pin_hash\":\"" PIN_HASH "\"}],"
    "\"devices\":[{\"id\":\"kiosk-1\",\"token\":\"" KIOSK1 "\"},"
    "{\"id\":\"kiosk-2\",\"token\":\"" KIOSK2 "\",\"block_from\":900,\"block_to\":949}]}";

static int file_port(const char *path)
{
    char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;
    const char *p;

    if(!f)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    p = strstr(buf, "LAN API on http://127.0.0.1:");
    return p ? atoi(p + strlen("LAN API on http://127.0.0.1:")) : 0;
}

/* Start a hub on the test's data dir (kept across restarts in one test). */
static void hub_start(void)
{
    char bin[1024], data[1024], cfg[1024], err[1024];
    FILE *f;
    int i, p = 0;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    snprintf(cfg, sizeof(cfg), "%s/branch.json", hk_test_tmpdir());
    snprintf(err, sizeof(err), "%s/hub.err", hk_test_tmpdir());
    f = fopen(cfg, "w");
    HK_ASSERT(f);
    fputs(config_json, f);
    fclose(f);
    remove(err);
    hub_pid = fork();
    HK_ASSERT(hub_pid >= 0);
    if(hub_pid == 0) {
        FILE *e = freopen(err, "w", stderr);
        (void)e;
        execl(bin, bin, "--role", "hub", "--config", cfg, "--data-dir", data, "--listen",
              "127.0.0.1:0", (char *)NULL);
        _exit(127);
    }
    for(i = 0; i < 1000 && !(p = file_port(err)); i++)
        usleep(10000);
    HK_ASSERT_MSG(p > 0, "the hub did not report its LAN API port");
    port = (uint16_t)p;
    login_header("s1", staff_h, sizeof(staff_h)); /* sessions end with the hub */
}

static void hub_stop(void)
{
    int status = 0, i;

    if(hub_pid <= 0)
        return;
    kill(hub_pid, SIGTERM);
    for(i = 0; i < 1000; i++) {
        if(waitpid(hub_pid, &status, WNOHANG) == hub_pid)
            break;
        usleep(10000);
    }
    if(i == 1000) {
        kill(hub_pid, SIGKILL);
        waitpid(hub_pid, &status, 0);
    }
    hub_pid = -1;
    HK_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the hub did not stop cleanly (status %d; 3 = leak)", status);
}

void setUp(void)
{
    hub_start();
}

void tearDown(void)
{
    hub_stop();
}

/* ---- helpers -------------------------------------------------------------- */

/* A request with the given headers (NULL: none, so no token). */
static int req_as(const char *headers, const char *method, const char *path, const char *body,
                  hk_http_resp_t *r)
{
    int rc = hk_http_request(port, method, path, body, headers, r);

    HK_ASSERT_MSG(rc == 0, "%s %s: no answer", method, path);
    return r->status;
}

/* A request as s1, logged in (a staff session may do everything). */
static int req(const char *method, const char *path, const char *body, hk_http_resp_t *r)
{
    return req_as(staff_h, method, path, body, r);
}

/* The value of "key":"..." in a JSON text into dst ("" if none). */
static void json_str(const char *json, const char *key, char *dst, size_t cap)
{
    char pat[64];
    const char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    dst[0] = '\0';
    p = json ? strstr(json, pat) : NULL;
    if(!p)
        return;
    p += strlen(pat);
    e = strchr(p, '"');
    if(e && (size_t)(e - p) < cap) {
        memcpy(dst, p, (size_t)(e - p));
        dst[e - p] = '\0';
    }
}

/* POST /sessions for staff_id with the PIN: the header that carries it. */
static void login_header(const char *staff_id, char *dst, size_t cap)
{
    char body[96], session[64];
    hk_http_resp_t r;

    snprintf(body, sizeof(body), "{\"staff_id\":\"%s\",\"pin\":\"" PIN "\"}", staff_id);
    HK_ASSERT_INT(201, req_as(NULL, "POST", "/api/v1/sessions", body, &r));
    json_str(r.body, "session", session, sizeof(session));
    hk_http_resp_free(&r);
    HK_ASSERT_INT(43, (long long)strlen(session));
    snprintf(dst, cap, "Authorization: Bearer %s\r\n", session);
}

/* Status of a request whose body is not needed. */
static int status_of(const char *method, const char *path, const char *body)
{
    hk_http_resp_t r;
    int st = req(method, path, body, &r);

    hk_http_resp_free(&r);
    return st;
}

/* A number after "key": in a JSON text (first occurrence), -1 if none. */
static long long json_num(const char *json, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(json, pat);
    return p ? atoll(p + strlen(pat)) : -1;
}

static long long issue(const char *service)
{
    char body[64];
    hk_http_resp_t r;
    long long id;

    snprintf(body, sizeof(body), "{\"service\":\"%s\"}", service);
    HK_ASSERT_INT(201, req_as(DEVICE_H, "POST", "/api/v1/tickets", body, &r));
    id = json_num(strstr(r.body, "\"ticket\""), "id");
    hk_http_resp_free(&r);
    return id;
}

/* The snapshot body without taken_ms (which moves), for comparisons. */
static char *state_now(void)
{
    hk_http_resp_t r;
    char *s, *t;

    HK_ASSERT_INT(200, req("GET", "/api/v1/snapshot", NULL, &r));
    s = r.body;
    r.body = NULL;
    hk_http_resp_free(&r);
    t = strstr(s, "\"taken_ms\":");
    if(t) {
        char *e = strchr(t, ',');
        memmove(t, e + 1, strlen(e + 1) + 1);
    }
    return s;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_lan_every_operation_moves_the_ticket_as_the_queue_says(void)
{
    hk_http_resp_t r;
    char path[128], body[64];
    long long a, moved;

    HK_ASSERT_INT(200, req_as(NULL, "GET", "/api/v1/branch", NULL, &r)); /* no token */
    HK_ASSERT_CONTAINS(r.body, "\"id\":\"t1\"");
    HK_ASSERT_CONTAINS(r.body, "\"name_en\":\"Test hall\"");
    hk_http_resp_free(&r);

    a = issue("general");
    HK_ASSERT(a > 0);
    HK_ASSERT_INT(200, req("GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "{\"id\":\"general\",\"waiting\":1");
    HK_ASSERT_INT(1, json_num(r.body, "journal_seq"));
    hk_http_resp_free(&r);

    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c1/call-next", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"number\":\"A001\"");
    HK_ASSERT_CONTAINS(r.body, "\"state\":\"called\",\"counter\":\"c1\"");
    hk_http_resp_free(&r);

    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/recall", a);
    HK_ASSERT_INT(200, req("POST", path, "", &r));
    HK_ASSERT_INT(1, json_num(r.body, "recalls"));
    hk_http_resp_free(&r);

    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/no-show", a);
    HK_ASSERT_INT(200, req("POST", path, "{\"put_back\":true}", &r));
    HK_ASSERT_CONTAINS(r.body, "\"state\":\"waiting\"");
    hk_http_resp_free(&r);

    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c2/call-next", "{}", &r));
    HK_ASSERT_INT(a, json_num(r.body, "id")); /* same row, its place kept */
    hk_http_resp_free(&r);

    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/transfer", a);
    HK_ASSERT_INT(200, req("POST", path, "{\"service\":\"payment\"}", &r));
    HK_ASSERT_CONTAINS(r.body, "\"service\":\"payment\",\"state\":\"waiting\"");
    moved = json_num(strstr(r.body, "\"ticket\""), "id");
    hk_http_resp_free(&r);
    HK_ASSERT(moved != a);

    snprintf(body, sizeof(body), "{\"ticket_id\":%lld}", moved);
    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c1/call", body, &r));
    HK_ASSERT_CONTAINS(r.body, "\"number\":\"A001\",\"day\"");
    hk_http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/start", moved);
    HK_ASSERT_INT(200, req("POST", path, NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"state\":\"serving\"");
    hk_http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", moved);
    HK_ASSERT_INT(200, req("POST", path, NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"state\":\"done\"");
    hk_http_resp_free(&r);

    /* a second ticket: no-show for good */
    a = issue("general");
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c3/call-next", NULL));
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/no-show", a);
    HK_ASSERT_INT(200, req("POST", path, "{\"put_back\":false}", &r));
    HK_ASSERT_CONTAINS(r.body, "\"state\":\"no_show\"");
    hk_http_resp_free(&r);

    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c4/pause", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"counter\":{\"id\":\"c4\",\"state\":\"paused\"");
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c5/close", NULL));
    HK_ASSERT_INT(200, req("GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "{\"id\":\"c4\",\"state\":\"paused\",");
    HK_ASSERT_CONTAINS(r.body,
                       "{\"id\":\"c5\",\"state\":\"closed\",\"staff\":null,\"ticket\":null}");
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c4/open", NULL));
    HK_ASSERT_INT(200, req("GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "{\"id\":\"c4\",\"state\":\"open\"");
    hk_http_resp_free(&r);
}

static void expect_error(const char *method, const char *path, const char *body, int status,
                         const char *code, const char *msg_part)
{
    hk_http_resp_t r;
    char want[64];

    HK_ASSERT_INT(status, req(method, path, body, &r));
    snprintf(want, sizeof(want), "\"code\":\"%s\"", code);
    HK_ASSERT_CONTAINS(r.body, want);
    if(msg_part)
        HK_ASSERT_CONTAINS(r.body, msg_part);
    hk_http_resp_free(&r);
}

static void test_lan_errors_get_their_status_and_change_nothing(void)
{
    char big[LAN_BIG], path[64], *before, *after;
    hk_http_resp_t r;
    long long waiting;

    waiting = issue("general");
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", waiting);
    before = state_now();

    expect_error("POST", "/api/v1/tickets", "{\"service\":", 400, "malformed_json", "body:");
    expect_error("POST", "/api/v1/tickets", "[1,2]", 400, "malformed_json", NULL);
    expect_error("POST", "/api/v1/tickets", "{}", 400, "invalid_request", "service: missing");
    expect_error("POST", "/api/v1/tickets", "{\"service\":7}", 400, "invalid_request", "service");
    expect_error("POST", "/api/v1/tickets", "{\"service\":\"general\",\"x\":1}", 400,
                 "invalid_request", "x: unknown key");
    expect_error("POST", "/api/v1/counters/c1/call", "{}", 400, "invalid_request",
                 "ticket_id: missing");
    expect_error("POST", "/api/v1/tickets/1/no-show", "{\"put_back\":\"yes\"}", 400,
                 "invalid_request", "put_back");
    expect_error("POST", "/api/v1/tickets", "{\"service\":\"nope\"}", 404, "unknown_service", NULL);
    expect_error("POST", "/api/v1/tickets/999/finish", NULL, 404, "unknown_ticket", NULL);
    expect_error("POST", "/api/v1/tickets/abc/finish", NULL, 404, "unknown_ticket", NULL);
    expect_error("POST", "/api/v1/counters/c99/call-next", NULL, 404, "unknown_counter", NULL);
    expect_error("POST", "/api/v1/counters/c1/call", "{\"ticket_id\":999}", 404, "unknown_ticket",
                 NULL);
    expect_error("POST", "/api/v1/tickets/1/transfer", "{\"service\":\"nope\"}", 404,
                 "unknown_service", NULL);
    expect_error("GET", "/api/v1/nothing", NULL, 404, "not_found", NULL);
    expect_error("POST", path, NULL, 409, "illegal_transition", NULL); /* finish a waiting one */
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/start", waiting);
    expect_error("POST", path, NULL, 409, "illegal_transition", NULL);
    expect_error("DELETE", "/api/v1/tickets", NULL, 405, "method_not_allowed", NULL);
    HK_ASSERT_INT(405, req("POST", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT(hk_http_header(&r, "Allow", path, sizeof(path)) == 0);
    HK_ASSERT_STR("GET", path);
    hk_http_resp_free(&r);
    memset(big, ' ', sizeof(big) - 1);
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    big[sizeof(big) - 1] = '\0';
    expect_error("POST", "/api/v1/tickets", big, 413, "body_too_large", NULL);

    after = state_now();
    HK_ASSERT_STR(before, after); /* same journal seq, counts and counters */
    free(before);
    free(after);

    /* nobody waiting for c2 once the only ticket is called elsewhere; a
     * paused counter refuses calls */
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c1/call-next", NULL));
    expect_error("POST", "/api/v1/counters/c2/call-next", NULL, 409, "nobody_waiting", NULL);
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c3/pause", NULL));
    (void)issue("general");
    expect_error("POST", "/api/v1/counters/c3/call-next", NULL, 409, "counter_not_open", NULL);
}

static void expect_event(hk_sse_t *s, const char *type, long long id)
{
    static hk_sse_event_t ev;
    char want[32];

    /* the branch document (no id) follows the snapshot on every connect */
    do
        HK_ASSERT_INT(1, hk_sse_next(s, 5000, &ev));
    while(!strcmp(ev.event, "branch") && strcmp(type, "branch"));
    HK_ASSERT_STR(type, ev.event);
    snprintf(want, sizeof(want), "%lld", id);
    HK_ASSERT_STR(want, ev.id);
    HK_ASSERT_INT(id, json_num(ev.data, "seq"));
}

/* Every (re)connect: the branch document right after the snapshot. */
static void expect_branch(hk_sse_t *s)
{
    static hk_sse_event_t ev;

    HK_ASSERT_INT(1, hk_sse_next(s, 5000, &ev));
    HK_ASSERT_STR("branch", ev.event);
    HK_ASSERT_STR("", ev.id);
    HK_ASSERT(json_num(ev.data, "generation") >= 1);
    HK_ASSERT_CONTAINS(ev.data, "\"services\":[");
}

static void test_lan_stream_ids_are_journal_seqs_and_a_resume_gets_what_it_missed(void)
{
    static hk_sse_t s;
    static hk_sse_event_t ev;
    long long t1;

    /* fresh connect: a snapshot event, then events from now */
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events?access_token=" KIOSK1, NULL, &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    HK_ASSERT_STR("", ev.id);
    HK_ASSERT_INT(0, json_num(ev.data, "journal_seq"));
    expect_branch(&s);
    t1 = issue("general");
    (void)issue("payment");
    expect_event(&s, "ticket.issued", 1);
    expect_event(&s, "ticket.issued", 2);
    hk_sse_close(&s);

    /* missed while away: a call and a third ticket */
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c2/call-next", NULL));
    (void)issue("general");
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events?access_token=" KIOSK1, "2", &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    HK_ASSERT_INT(4, json_num(ev.data, "journal_seq"));
    expect_branch(&s);
    expect_event(&s, "ticket.called", 3);
    expect_event(&s, "ticket.issued", 4);
    HK_ASSERT_INT(0, hk_sse_next(&s, 300, &ev)); /* exactly that, nothing more */
    hk_sse_close(&s);

    /* a restarted hub has none of it in memory: the stream catches up from
     * the journal (and the day continues with the next number) */
    hub_stop();
    hub_start();
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events?access_token=" KIOSK1, "1", &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    expect_branch(&s);
    expect_event(&s, "ticket.issued", 2);
    expect_event(&s, "ticket.called", 3);
    expect_event(&s, "ticket.issued", 4);
    {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", t1);
        HK_ASSERT_INT(200, status_of("POST", path, NULL));
    }
    expect_event(&s, "ticket.finished", 5);
    hk_sse_close(&s);
}

typedef struct caller {
    char auth[160];
    int counter;
    int n;
    long long ids[N_TICKETS];
    int errors;
} caller_t;

static void *call_loop(void *arg)
{
    caller_t *c = arg;
    char path[64];

    snprintf(path, sizeof(path), "/api/v1/counters/c%d/call-next", c->counter);
    for(;;) {
        hk_http_resp_t r;
        if(hk_http_request(port, "POST", path, NULL, c->auth, &r) != 0) {
            c->errors++;
            break;
        }
        if(r.status == 200 && c->n < N_TICKETS) {
            char fin[96];
            hk_http_resp_t f;
            c->ids[c->n] = json_num(strstr(r.body, "\"ticket\""), "id");
            /* one visit at a time: finish it before calling the next */
            snprintf(fin, sizeof(fin), "/api/v1/tickets/%lld/finish", c->ids[c->n++]);
            if(hk_http_request(port, "POST", fin, NULL, c->auth, &f) != 0 || f.status != 200)
                c->errors++;
            hk_http_resp_free(&f);
        } else if(r.status == 503) {
            usleep(1000); /* Retry-After: we are the only client, retry soon */
        } else {
            if(r.status != 409 || !strstr(r.body, "nobody_waiting")) {
                printf("# caller at c%d: %d %s\n", c->counter, r.status, r.body);
                c->errors++;
            }
            hk_http_resp_free(&r);
            break;
        }
        hk_http_resp_free(&r);
    }
    return NULL;
}

static void test_lan_eight_parallel_callers_call_every_ticket_exactly_once(void)
{
    static caller_t callers[N_CLIENTS];
    static int seen[N_TICKETS + 1];
    pthread_t th[N_CLIENTS];
    long long first = 0, id;
    int i, j, total = 0;

    for(i = 0; i < N_TICKETS; i++) {
        id = issue("general");
        if(i == 0)
            first = id;
    }
    memset(callers, 0, sizeof(callers));
    memset(seen, 0, sizeof(seen));
    for(i = 0; i < N_CLIENTS; i++) {
        char staff[8];
        snprintf(staff, sizeof(staff), "s%d", i + 1);
        login_header(staff, callers[i].auth, sizeof(callers[i].auth));
    }
    for(i = 0; i < N_CLIENTS; i++) {
        callers[i].counter = i + 1;
        HK_ASSERT_OK(pthread_create(&th[i], NULL, call_loop, &callers[i]));
    }
    for(i = 0; i < N_CLIENTS; i++)
        pthread_join(th[i], NULL);
    for(i = 0; i < N_CLIENTS; i++) {
        HK_ASSERT_INT(0, callers[i].errors);
        for(j = 0; j < callers[i].n; j++) {
            long long k = callers[i].ids[j] - first;
            HK_ASSERT(k >= 0 && k < N_TICKETS);
            HK_ASSERT_MSG(seen[k] == 0, "ticket %lld called twice", callers[i].ids[j]);
            seen[k] = 1;
            total++;
        }
    }
    HK_ASSERT_INT(N_TICKETS, total);
}

/* ---- access ------------------------------------------------------------------- */

static void expect_as(const char *headers, const char *method, const char *path, const char *body,
                      int status, const char *code)
{
    hk_http_resp_t r;
    char want[64];

    HK_ASSERT_INT(status, req_as(headers, method, path, body, &r));
    if(code) {
        snprintf(want, sizeof(want), "\"code\":\"%s\"", code);
        HK_ASSERT_CONTAINS(r.body, want);
    }
    hk_http_resp_free(&r);
}

/* A request whose answer must have that status and contain part. */
static void expect_has(const char *headers, const char *method, const char *path, const char *body,
                       int status, const char *part)
{
    hk_http_resp_t r;

    HK_ASSERT_INT(status, req_as(headers, method, path, body, &r));
    HK_ASSERT_CONTAINS(r.body, part);
    hk_http_resp_free(&r);
}

static void test_lan_a_token_is_required_and_staff_actions_need_a_session(void)
{
    static hk_sse_t s;
    static hk_sse_event_t ev;
    hk_http_resp_t r;
    char *before, *after, val[64];
    long long id = issue("general");

    before = state_now();
    /* no token, an unknown one, another scheme: 401 with a challenge */
    HK_ASSERT_INT(401, req_as(NULL, "GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"code\":\"unauthorized\"");
    HK_ASSERT(hk_http_header(&r, "WWW-Authenticate", val, sizeof(val)) == 0);
    HK_ASSERT_CONTAINS(val, "Bearer");
    hk_http_resp_free(&r);
    expect_as("Authorization: Bearer not-a-token-of-this-branch\r\n", "GET", "/api/v1/snapshot",
              NULL, 401, "unauthorized");
    expect_as("Authorization: Basic czE6MjQ2ODEw\r\n", "GET", "/api/v1/snapshot", NULL, 401,
              "unauthorized");
    expect_as("Authorization: Bearer\r\n", "GET", "/api/v1/snapshot", NULL, 401, "unauthorized");
    expect_as(NULL, "POST", "/api/v1/tickets", "{\"service\":\"general\"}", 401, "unauthorized");
    expect_as(NULL, "POST", "/api/v1/counters/c1/call-next", NULL, 401, "unauthorized");
    expect_as(NULL, "GET", "/api/v1/visits", NULL, 401, "unauthorized");
    /* ?access_token= is for the event stream only */
    expect_as(NULL, "GET", "/api/v1/snapshot?access_token=" KIOSK1, NULL, 401, "unauthorized");
    HK_ASSERT(hk_sse_open(port, "/api/v1/events", NULL, &s) != 0);
    HK_ASSERT(hk_sse_open(port, "/api/v1/events?access_token=wrong", NULL, &s) != 0);

    /* a device token: the branch's state yes, staff actions no */
    expect_as(DEVICE_H, "GET", "/api/v1/snapshot", NULL, 200, NULL);
    expect_as("authorization: bearer " KIOSK1 "\r\n", "GET", "/api/v1/snapshot", NULL, 200, NULL);
    expect_as(DEVICE_H, "POST", "/api/v1/counters/c1/call-next", NULL, 403,
              "staff_session_required");
    expect_as(DEVICE_H, "POST", "/api/v1/counters/c1/open", NULL, 403, "staff_session_required");
    expect_as(DEVICE_H, "POST", "/api/v1/counters/c1/close", NULL, 403, "staff_session_required");
    {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", id);
        expect_as(DEVICE_H, "POST", path, NULL, 403, "staff_session_required");
        snprintf(path, sizeof(path), "/api/v1/tickets/%lld/no-show", id);
        expect_as(DEVICE_H, "POST", path, NULL, 403, "staff_session_required");
    }
    expect_as(DEVICE_H, "GET", "/api/v1/sessions/current", NULL, 403, "staff_session_required");
    after = state_now();
    HK_ASSERT_STR(before, after); /* nothing refused changed anything */
    free(before);
    free(after);

    /* the stream takes the token as a query argument */
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events?access_token=" KIOSK1, NULL, &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    hk_sse_close(&s);
}

static void test_lan_login_checks_the_pin_and_limits_guessing(void)
{
    hk_http_resp_t r;
    char val[16], name[64];
    int i;

    HK_ASSERT_INT(201, req_as(NULL, "POST", "/api/v1/sessions",
                              "{\"staff_id\":\"s2\",\"pin\":\"" PIN "\"}", &r));
    json_str(r.body, "name_en", name, sizeof(name));
    HK_ASSERT_STR("Staff 2", name);
    HK_ASSERT_CONTAINS(r.body, "\"staff\":{\"id\":\"s2\"");
    HK_ASSERT(json_num(r.body, "expires_ms") > (long long)time(NULL) * 1000);
    HK_ASSERT(!strstr(r.body, PIN));
    hk_http_resp_free(&r);
    /* the session says who it is */
    HK_ASSERT_INT(200, req("GET", "/api/v1/sessions/current", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"staff\":{\"id\":\"s1\"");
    HK_ASSERT(!strstr(r.body, "\"session\""));
    hk_http_resp_free(&r);

    /* malformed logins are 400, wrong ones 401 */
    expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":\"s2\"}", 400, "invalid_request");
    expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":\"s2\",\"pin\":7}", 400,
              "invalid_request");
    expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":", 400, "malformed_json");
    expect_as(NULL, "GET", "/api/v1/sessions", NULL, 405, "method_not_allowed");
    expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":\"nobody\",\"pin\":\"1\"}", 401,
              "bad_credentials");
    /* 5 wrong PINs for s3 (with the unknown id above: 6 from this source) */
    for(i = 0; i < 4; i++)
        expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":\"s3\",\"pin\":\"000000\"}", 401,
                  "bad_credentials");
    /* locked: even the right PIN, for s3 and (same source) for s4 */
    HK_ASSERT_INT(429, req_as(NULL, "POST", "/api/v1/sessions",
                              "{\"staff_id\":\"s3\",\"pin\":\"" PIN "\"}", &r));
    HK_ASSERT_CONTAINS(r.body, "\"code\":\"too_many_attempts\"");
    HK_ASSERT(hk_http_header(&r, "Retry-After", val, sizeof(val)) == 0);
    HK_ASSERT(atoi(val) >= 1 && atoi(val) <= 300);
    hk_http_resp_free(&r);
    expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":\"s4\",\"pin\":\"" PIN "\"}", 429,
              "too_many_attempts");
    /* sessions already open keep working */
    expect_as(staff_h, "GET", "/api/v1/sessions/current", NULL, 200, NULL);
}

/* POST /sessions from another loopback address (src, e.g. "127.0.0.2"),
 * so the per-source and per-staff-id limits can be told apart: the
 * answer's status, 0 when none. */
static int login_from(const char *src, const char *staff_id, const char *pin)
{
    char body[128], req[512], resp[512];
    struct sockaddr_in sa, me;
    struct pollfd p;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0), len, status = 0;

    HK_ASSERT(fd >= 0);
    memset(&me, 0, sizeof(me));
    me.sin_family = AF_INET;
    HK_ASSERT(inet_pton(AF_INET, src, &me.sin_addr) == 1);
    HK_ASSERT_OK(bind(fd, (struct sockaddr *)&me, sizeof(me)));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT_OK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
    snprintf(body, sizeof(body), "{\"staff_id\":\"%s\",\"pin\":\"%s\"}", staff_id, pin);
    len = snprintf(req, sizeof(req),
                   "POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                   "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                   strlen(body), body);
    HK_ASSERT(send(fd, req, (size_t)len, MSG_NOSIGNAL) == len);
    p.fd = fd;
    p.events = POLLIN;
    if(poll(&p, 1, 5000) == 1 && (n = recv(fd, resp, sizeof(resp) - 1, 0)) > 9) {
        resp[n] = '\0';
        status = atoi(resp + 9); /* "HTTP/1.1 201 ..." */
    }
    close(fd);
    return status;
}

static void test_lan_login_limits_per_staff_id_and_per_source_apart(void)
{
    int i;

    /* 5 wrong PINs for s5, from five addresses: s5 is locked everywhere */
    for(i = 0; i < 5; i++) {
        char src[16];
        snprintf(src, sizeof(src), "127.0.0.%d", 10 + i);
        HK_ASSERT_INT(401, login_from(src, "s5", "000000"));
    }
    HK_ASSERT_INT(429, login_from("127.0.0.20", "s5", PIN));
    HK_ASSERT_INT(201, login_from("127.0.0.20", "s6", PIN)); /* that source is fine */
    /* 5 wrong PINs from one address, for five staff ids: that address is
     * locked for everyone, the staff ids elsewhere are not */
    for(i = 0; i < 5; i++) {
        char staff[8];
        snprintf(staff, sizeof(staff), "s%d", 2 + i % 3);
        HK_ASSERT_INT(401, login_from("127.0.0.30", staff, "000000"));
    }
    HK_ASSERT_INT(429, login_from("127.0.0.30", "s7", PIN));
    HK_ASSERT_INT(201, login_from("127.0.0.31", "s7", PIN));
    HK_ASSERT_INT(201, login_from("127.0.0.31", "s2", PIN));
}

static void test_lan_a_session_stamps_its_calls_and_logout_ends_it(void)
{
    hk_http_resp_t r;
    char other[160];

    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c1/open", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"counter\":{\"id\":\"c1\",\"state\":\"open\",\"staff\":\"s1\"");
    hk_http_resp_free(&r);
    (void)issue("general");
    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c1/call-next", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"counter\":\"c1\",\"staff\":\"s1\",\"device\":null");
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, req("GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "{\"id\":\"c1\",\"state\":\"open\",\"staff\":\"s1\","
                               "\"staff_name_zh\":\"员工1\",\"staff_name_en\":\"Staff 1\"");
    hk_http_resp_free(&r);

    /* one visit at a time at a counter */
    (void)issue("general");
    expect_as(staff_h, "POST", "/api/v1/counters/c1/call-next", NULL, 409, "counter_busy");

    /* logout ends that session only */
    login_header("s2", other, sizeof(other));
    HK_ASSERT_INT(204, req("DELETE", "/api/v1/sessions/current", NULL, &r));
    HK_ASSERT_INT(0, (long long)r.body_len);
    hk_http_resp_free(&r);
    expect_as(staff_h, "GET", "/api/v1/sessions/current", NULL, 401, "unauthorized");
    expect_as(staff_h, "POST", "/api/v1/counters/c1/call-next", NULL, 401, "unauthorized");
    expect_as(staff_h, "DELETE", "/api/v1/sessions/current", NULL, 401, "unauthorized");
    expect_as(other, "GET", "/api/v1/sessions/current", NULL, 200, NULL);
}

/* ---- visits, ratings, offline tickets ---------------------------------------------- */

/* Issue, call at counter, start, finish: the ticket's id. */
static long long serve(const char *counter)
{
    char path[64];
    hk_http_resp_t r;
    long long id;

    (void)issue("general");
    snprintf(path, sizeof(path), "/api/v1/counters/%s/call-next", counter);
    HK_ASSERT_INT(200, req("POST", path, NULL, &r));
    id = json_num(strstr(r.body, "\"ticket\""), "id");
    hk_http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/start", id);
    HK_ASSERT_INT(200, status_of("POST", path, NULL));
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", id);
    HK_ASSERT_INT(200, status_of("POST", path, NULL));
    return id;
}

static void test_lan_rating_at_the_counter_and_by_number(void)
{
    hk_http_resp_t r;
    char path[64];
    long long done, waiting;

    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c1/open", NULL));
    done = serve("c1");         /* A001 */
    waiting = issue("general"); /* A002 */
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", done);
    /* bad votes: 400, nothing stored */
    expect_as(DEVICE_H, "POST", path, "{\"level\":\"great\"}", 400, "invalid_request");
    expect_as(DEVICE_H, "POST", path, "{\"level\":\"satisfied\",\"reasons\":[\"attitude\"]}", 400,
              "invalid_request");
    expect_as(DEVICE_H, "POST", path, "{\"level\":\"dissatisfied\",\"praise\":[\"attitude\"]}", 400,
              "invalid_request");
    expect_as(DEVICE_H, "POST", path, "{\"level\":\"satisfied\",\"praise\":[\"smile\"]}", 400,
              "invalid_request");
    expect_as(DEVICE_H, "POST", path, "{\"level\":\"satisfied\",\"x\":1}", 400, "invalid_request");
    expect_as(NULL, "POST", path, "{\"level\":\"satisfied\"}", 401, "unauthorized");
    /* the vote, a repeated press, another vote */
    HK_ASSERT_INT(200,
                  req("POST", path, "{\"level\":\"satisfied\",\"praise\":[\"attitude\"]}", &r));
    HK_ASSERT_CONTAINS(r.body, "\"rating\":{\"level\":\"satisfied\",\"status\":\"rated\","
                               "\"reasons\":[],\"praise\":[\"attitude\"],\"source\":\"counter\"");
    HK_ASSERT_CONTAINS(r.body, "\"staff\":\"s1\"");
    hk_http_resp_free(&r);
    expect_as(staff_h, "POST", path, "{\"level\":\"satisfied\",\"praise\":[\"attitude\"]}", 200,
              NULL);
    expect_as(staff_h, "POST", path, "{\"level\":\"basic\"}", 409, "already_rated");
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", waiting);
    expect_as(staff_h, "POST", path, "{\"level\":\"basic\"}", 409, "not_finished");
    expect_as(staff_h, "POST", "/api/v1/tickets/99999/rating", "{\"level\":\"basic\"}", 404,
              "unknown_ticket");

    /* at the kiosk, by the number on the ticket */
    expect_has(DEVICE_H, "GET", "/api/v1/ratings/lookup?number=A001", NULL, 200,
               "\"status\":\"already_rated\"");
    expect_has(DEVICE_H, "GET", "/api/v1/ratings/lookup?number=A002", NULL, 200,
               "\"status\":\"not_finished\"");
    expect_has(DEVICE_H, "GET", "/api/v1/ratings/lookup?number=A777", NULL, 200,
               "{\"status\":\"unknown\",\"ticket\":null");
    expect_as(DEVICE_H, "GET", "/api/v1/ratings/lookup", NULL, 400, "invalid_request");
    expect_as(DEVICE_H, "GET", "/api/v1/ratings/lookup?number=a1", NULL, 400, "invalid_request");
    expect_as(DEVICE_H, "GET", "/api/v1/ratings/lookup?number=A001&day=2026-02-30", NULL, 400,
              "invalid_request");
    done = serve("c1"); /* A002 */
    HK_ASSERT_INT(200, req_as(DEVICE_H, "GET", "/api/v1/ratings/lookup?number=A002", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "\"status\":\"may_rate\"");
    HK_ASSERT_CONTAINS(r.body, "\"number\":\"A002\"");
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, req_as(DEVICE_H, "POST", "/api/v1/ratings",
                              "{\"number\":\"A002\",\"level\":\"very_dissatisfied\","
                              "\"reasons\":[\"efficiency\",\"other\"]}",
                              &r));
    HK_ASSERT_CONTAINS(r.body, "\"reasons\":[\"efficiency\",\"other\"],\"praise\":[],"
                               "\"source\":\"kiosk\"");
    HK_ASSERT_CONTAINS(r.body, "\"follow_up\":true");
    hk_http_resp_free(&r);
    expect_as(DEVICE_H, "POST", "/api/v1/ratings", "{\"number\":\"A002\",\"level\":\"basic\"}", 409,
              "already_rated");
    expect_as(DEVICE_H, "POST", "/api/v1/ratings", "{\"number\":\"A777\",\"level\":\"basic\"}", 404,
              "unknown_number");
    expect_as(DEVICE_H, "POST", "/api/v1/ratings", "{\"level\":\"basic\"}", 400, "invalid_request");
}

static void test_lan_visits_list_the_day_with_ratings(void)
{
    hk_http_resp_t r;
    char path[64], day[16];
    long long done;

    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c2/open", NULL));
    done = serve("c2");
    (void)issue("payment");
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", done);
    HK_ASSERT_INT(200, status_of("POST", path, "{\"level\":\"very_satisfied\"}"));
    HK_ASSERT_INT(200, req_as(DEVICE_H, "GET", "/api/v1/visits", NULL, &r));
    json_str(r.body, "day", day, sizeof(day));
    HK_ASSERT_INT(10, (long long)strlen(day));
    HK_ASSERT_CONTAINS(r.body, "\"number\":\"A001\"");
    HK_ASSERT_CONTAINS(r.body, "\"level\":\"very_satisfied\",\"status\":\"rated\"");
    HK_ASSERT_CONTAINS(r.body, "\"number\":\"B001\"");
    HK_ASSERT_CONTAINS(r.body, "\"rating\":null");
    hk_http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/visits?day=%s", day);
    expect_has(DEVICE_H, "GET", path, NULL, 200, "\"number\":\"B001\"");
    expect_has(DEVICE_H, "GET", "/api/v1/visits?day=2020-01-01", NULL, 200,
               "{\"day\":\"2020-01-01\",\"visits\":[]}");
    expect_as(DEVICE_H, "GET", "/api/v1/visits?day=yesterday", NULL, 400, "invalid_request");
    expect_as(DEVICE_H, "POST", "/api/v1/visits", NULL, 405, "method_not_allowed");
}

static void test_lan_import_is_idempotent_and_kept_to_the_block(void)
{
    const char *k2 = "Authorization: Bearer " KIOSK2 "\r\n";
    char body[256], day[16];
    hk_http_resp_t r;
    long long now_ms = (long long)time(NULL) * 1000, id;
    char *before, *after;

    /* the hub's business day, as its tickets carry it */
    HK_ASSERT_INT(201,
                  req_as(DEVICE_H, "POST", "/api/v1/tickets", "{\"service\":\"general\"}", &r));
    json_str(r.body, "day", day, sizeof(day));
    hk_http_resp_free(&r);
#define IMPORT(num, ms, dev)                                                                 \
    snprintf(body, sizeof(body),                                                             \
             "{\"service\":\"general\",\"number\":\"%s\",\"day\":\"%s\",\"issued_ms\":%lld," \
             "\"device\":\"%s\"}",                                                           \
             num, day, (long long)(ms), dev)
    IMPORT("A901", now_ms - 60000, "kiosk-2");
    HK_ASSERT_INT(201, req_as(k2, "POST", "/api/v1/tickets/import", body, &r));
    HK_ASSERT_CONTAINS(r.body, "\"number\":\"A901\"");
    HK_ASSERT_CONTAINS(r.body, "\"device\":\"kiosk-2\"");
    id = json_num(strstr(r.body, "\"ticket\""), "id");
    hk_http_resp_free(&r);
    /* the same ticket again: 200, the same row, nothing new */
    before = state_now();
    HK_ASSERT_INT(200, req_as(k2, "POST", "/api/v1/tickets/import", body, &r));
    HK_ASSERT_INT(id, json_num(strstr(r.body, "\"ticket\""), "id"));
    hk_http_resp_free(&r);
    /* refusals, none of which changes anything */
    IMPORT("A901", now_ms - 30000, "kiosk-2");
    expect_as(k2, "POST", "/api/v1/tickets/import", body, 409, "number_conflict");
    snprintf(body, sizeof(body),
             "{\"service\":\"general\",\"number\":\"A903\",\"day\":\"2020-01-01\","
             "\"issued_ms\":1577840000000,\"device\":\"kiosk-2\"}");
    expect_as(k2, "POST", "/api/v1/tickets/import", body, 409, "other_day");
    IMPORT("A950", now_ms, "kiosk-2");
    expect_as(k2, "POST", "/api/v1/tickets/import", body, 400, "outside_block");
    IMPORT("A005", now_ms, "kiosk-2");
    expect_as(k2, "POST", "/api/v1/tickets/import", body, 400, "outside_block");
    IMPORT("A902", now_ms, "kiosk-2");
    expect_as(DEVICE_H, "POST", "/api/v1/tickets/import", body, 403, "forbidden");
    expect_as(staff_h, "POST", "/api/v1/tickets/import", body, 403, "forbidden");
    IMPORT("A902", now_ms, "kiosk-1");
    expect_as(DEVICE_H, "POST", "/api/v1/tickets/import", body, 400, "outside_block");
    IMPORT("A902", now_ms, "kiosk-9");
    expect_as(k2, "POST", "/api/v1/tickets/import", body, 404, "unknown_device");
    expect_as(k2, "POST", "/api/v1/tickets/import", "{\"service\":\"general\"}", 400,
              "invalid_request");
    expect_as(k2, "POST", "/api/v1/tickets/import",
              "{\"service\":\"general\",\"number\":\"A903\",\"day\":\"2026-11-26\","
              "\"issued_ms\":1.5,\"device\":\"kiosk-2\"}",
              400, "invalid_request");
#undef IMPORT
    after = state_now();
    HK_ASSERT_STR(before, after);
    free(before);
    free(after);
}

static void test_lan_new_bodies_malformed_or_oversized_change_nothing(void)
{
    char big[LAN_BIG], *before, *after;
    long long done;
    char path[64];

    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c1/open", NULL));
    done = serve("c1");
    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/rating", done);
    before = state_now();
    memset(big, ' ', sizeof(big) - 1);
    big[0] = '{';
    big[sizeof(big) - 2] = '}';
    big[sizeof(big) - 1] = '\0';
    expect_as(NULL, "POST", "/api/v1/sessions", big, 413, "body_too_large");
    expect_as(staff_h, "POST", path, big, 413, "body_too_large");
    expect_as(staff_h, "POST", "/api/v1/ratings", big, 413, "body_too_large");
    expect_as(staff_h, "POST", "/api/v1/tickets/import", big, 413, "body_too_large");
    expect_as(staff_h, "POST", path, "{\"level\":", 400, "malformed_json");
    expect_as(staff_h, "POST", path, "[\"satisfied\"]", 400, "malformed_json");
    expect_as(staff_h, "POST", path, "{\"level\":\"satisfied\",\"praise\":\"attitude\"}", 400,
              "invalid_request");
    expect_as(staff_h, "POST", path,
              "{\"level\":\"basic\",\"reasons\":[\"other\",\"other\",\"other\",\"other\","
              "\"other\"]}",
              400, "invalid_request");
    expect_as(staff_h, "POST", "/api/v1/ratings",
              "{\"number\":\"A001\",\"day\":\"26-11-2026\","
              "\"level\":\"basic\"}",
              400, "invalid_request");
    expect_as(NULL, "POST", "/api/v1/sessions", "{\"staff_id\":\"s1\",\"pin\":\"246810\",\"x\":0}",
              400, "invalid_request");
    expect_as(NULL, "POST", "/api/v1/sessions", "\"s1\"", 400, "malformed_json");
    after = state_now();
    HK_ASSERT_STR(before, after);
    free(before);
    free(after);
}

/* Run hallkiosk with args (NULL-terminated, after the binary); exit code. */
static int run_hallkiosk(const char *err, const char *const *args)
{
    char bin[1024];
    const char *argv[16];
    int status = 0, i;
    pid_t pid;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    argv[0] = bin;
    for(i = 0; args[i] && i < 14; i++)
        argv[i + 1] = args[i];
    argv[i + 1] = NULL;
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        FILE *e = freopen(err, "w", stderr);
        (void)e;
        execv(bin, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_lan_plain_http_is_refused_off_loopback(void)
{
    const char *err = hk_test_path("refused.err");
    char cfg[1024], data[1024];
    const char *lan[] = { "--role", "hub",      "--config",  cfg, "--data-dir",
                          data,     "--listen", "0.0.0.0:0", NULL };
    const char *bad[] = { "--role", "hub",      "--config",  cfg, "--data-dir",
                          data,     "--listen", "127.0.0.1", NULL };
    const char *counter[] = { "--role", "counter", "--listen", "127.0.0.1:0", NULL };

    snprintf(cfg, sizeof(cfg), "%s/branch.json", hk_test_tmpdir());
    snprintf(data, sizeof(data), "%s/data2", hk_test_tmpdir());
    HK_ASSERT_INT(1, run_hallkiosk(err, lan));
    HK_ASSERT(hk_test_file_has(err, "off loopback the hub serves HTTPS only"));
    HK_ASSERT(hk_test_file_has(err, "hub.tls_cert"));
    HK_ASSERT_INT(1, run_hallkiosk(err, bad));
    HK_ASSERT(hk_test_file_has(err, "expected HOST:PORT"));
    HK_ASSERT_INT(2, run_hallkiosk(err, counter));
    HK_ASSERT(hk_test_file_has(err, "--listen is for the hub, or a kiosk hosting it"));
}

/* The snapshot a screen reads right after its own change shows that
 * change, even though reads are served from a cache while the journal
 * stands still: each answer to a change comes after its event is fed. */
static void test_lan_a_snapshot_after_a_change_shows_it(void)
{
    hk_http_resp_t r;
    char counter[32];
    long long id;
    int i;

    for(i = 1; i <= 25; i++) {
        char want[64];
        id = issue("payment");
        HK_ASSERT(id > 0);
        HK_ASSERT_INT(200, req_as(DEVICE_H, "GET", "/api/v1/snapshot", NULL, &r));
        snprintf(want, sizeof(want), "\"id\":\"payment\",\"waiting\":%d,", i);
        HK_ASSERT_CONTAINS(r.body, want);
        hk_http_resp_free(&r);
        /* and a second read, from the cache, says the same */
        HK_ASSERT_INT(200, req_as(DEVICE_H, "GET", "/api/v1/snapshot", NULL, &r));
        HK_ASSERT_CONTAINS(r.body, want);
        hk_http_resp_free(&r);
    }
    /* a call shows at its counter in the very next read */
    HK_ASSERT(issue("general") > 0);
    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c8/open", NULL, &r));
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, req("POST", "/api/v1/counters/c8/call-next", NULL, &r));
    json_str(strstr(r.body, "\"ticket\""), "number", counter, sizeof(counter));
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, req_as(DEVICE_H, "GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, counter);
    hk_http_resp_free(&r);
}

/* ---- self-help (issue 8): faq feedback, triage choices, submissions ---- */

static void test_lan_self_help_records_events_refuses_by_field_and_streams_no_phone(void)
{
    static hk_sse_t s;
    static hk_sse_event_t ev;
    char *before, *after;
    hk_http_resp_t r;
    int i;

    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events?access_token=" KIOSK1, NULL, &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev)); /* the snapshot */
    expect_has(DEVICE_H, "POST", "/api/v1/faq/feedback",
               "{\"article\":\"bill-check\",\"version\":3,\"helpful\":false,\"lang\":\"en\"}", 201,
               "\"journal_seq\":1");
    expect_event(&s, "faq.feedback", 1);
    expect_has(DEVICE_H, "POST", "/api/v1/triage/choices",
               "{\"need\":\"no-signal\",\"route\":\"submit\",\"target\":\"signal\"}", 201,
               "\"journal_seq\":2");
    expect_event(&s, "triage.chosen", 2);
    HK_ASSERT_INT(201, req_as(DEVICE_H, "POST", "/api/v1/submissions",
                              "{\"category\":\"signal\",\"phone\":\"13912345678\","
                              "\"description\":\"地下室没有信号\",\"consent\":true,"
                              "\"lang\":\"zh-CN\"}",
                              &r));
    HK_ASSERT_CONTAINS(r.body, "\"phone_masked\":\"139****5678\"");
    HK_ASSERT_CONTAINS(r.body, "\"ref\":\"S");
    HK_ASSERT(strstr(r.body, "13912345678") == NULL);
    hk_http_resp_free(&r);
    /* every device of the branch follows the stream: no phone on it */
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("issue.submitted", ev.event);
    HK_ASSERT_CONTAINS(ev.data, "139****5678");
    HK_ASSERT(strstr(ev.data, "13912345678") == NULL);
    HK_ASSERT(strstr(ev.data, "地下室") == NULL);
    hk_sse_close(&s);

    /* refusals name the field and change nothing */
    before = state_now();
    {
        static const struct {
            const char *path, *body, *msg;
        } bad[] = {
            { "/api/v1/faq/feedback",
              "{\"article\":\"bill-check\",\"helpful\":true,\"lang\":\"en\"}", "version: missing" },
            { "/api/v1/faq/feedback",
              "{\"article\":\"a b\",\"version\":1,\"helpful\":true,\"lang\":\"en\"}", "article:" },
            { "/api/v1/faq/feedback",
              "{\"article\":\"x\",\"version\":1,\"helpful\":\"yes\",\"lang\":\"en\"}", "helpful:" },
            { "/api/v1/triage/choices", "{\"need\":\"x\",\"route\":\"bus\"}", "route:" },
            { "/api/v1/triage/choices", "{\"route\":\"faq\"}", "need: missing" },
            { "/api/v1/submissions",
              "{\"category\":\"weather\",\"phone\":\"13912345678\",\"consent\":true,\"lang\":\"en\"}",
              "category:" },
            { "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":\"1391234567\",\"consent\":true,\"lang\":\"en\"}",
              "phone:" },
            { "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":13912345678,\"consent\":true,\"lang\":\"en\"}",
              "phone:" },
            { "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":\"13912345678\",\"consent\":false,\"lang\":\"en\"}",
              "consent:" },
            { "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":\"13912345678\",\"lang\":\"en\"}",
              "consent: missing" },
            { "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":\"13912345678\",\"consent\":true,\"lang\":\"fr\"}",
              "lang:" },
            { "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":\"13912345678\",\"consent\":true,\"lang\":\"en\","
              "\"photo\":1}",
              "photo" },
        };
        for(i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
            HK_ASSERT_INT(400, req_as(DEVICE_H, "POST", bad[i].path, bad[i].body, &r));
            HK_ASSERT_CONTAINS(r.body, bad[i].msg);
            HK_ASSERT(strstr(r.body, "13912345678") == NULL); /* never echoed */
            hk_http_resp_free(&r);
        }
    }
    /* 301 characters (903 bytes) is one too many; 300 fit */
    {
        char body[1200];
        int n = snprintf(body, sizeof(body),
                         "{\"category\":\"other\",\"phone\":\"13912345678\",\"consent\":true,"
                         "\"lang\":\"zh-CN\",\"description\":\"");
        for(i = 0; i < 301; i++)
            n += snprintf(body + n, sizeof(body) - (size_t)n, "长");
        snprintf(body + n, sizeof(body) - (size_t)n, "\"}");
        expect_has(DEVICE_H, "POST", "/api/v1/submissions", body, 400, "description:");
        after = state_now();
        HK_ASSERT_STR(before, after);
        free(after);
        memmove(strstr(body, "长"), strstr(body, "长") + 3, strlen(strstr(body, "长") + 3) + 1);
        expect_has(DEVICE_H, "POST", "/api/v1/submissions", body, 201, "-002\"");
    }
    expect_as(NULL, "POST", "/api/v1/submissions",
              "{\"category\":\"other\",\"phone\":\"13912345678\",\"consent\":true,"
              "\"lang\":\"en\"}",
              401, "unauthorized");
    expect_as(DEVICE_H, "GET", "/api/v1/submissions", NULL, 405, "method_not_allowed");
    free(before);
}

/* ---- field engineering (issue 9): a LAN-client kiosk's wrong engineer PIN ---- */

static void test_lan_a_kiosk_reports_its_own_engineer_pin_failures(void)
{
    static hk_sse_t s;
    static hk_sse_event_t ev;
    char *before, *after;
    hk_http_resp_t r;
    int i;

    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events?access_token=" KIOSK1, NULL, &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev)); /* the snapshot */
    /* kiosk-2's fifth wrong PIN: journaled on the hub (synced from there)
     * as kiosk-2's, the device its token names */
    expect_has("Authorization: Bearer " KIOSK2 "\r\n", "POST", "/api/v1/engineer/pin-failures",
               "{\"fails\":5,\"locks\":1,\"lock_s\":300}", 201, "\"journal_seq\":1");
    expect_branch(&s);
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("engineer.pin_failed", ev.event);
    HK_ASSERT_CONTAINS(ev.data, "\"device\":\"kiosk-2\"");
    HK_ASSERT_CONTAINS(ev.data, "\"lock_s\":300");
    hk_sse_close(&s);

    /* refusals name the field and change nothing; a kiosk cannot speak
     * for another (no "device" in the body), staff and strangers cannot */
    before = state_now();
    {
        static const struct {
            const char *body, *msg;
        } bad[] = {
            { "{\"locks\":0,\"lock_s\":0}", "fails: missing" },
            { "{\"fails\":0,\"locks\":0,\"lock_s\":0}", "fails" },
            { "{\"fails\":1,\"locks\":0,\"lock_s\":-1}", "lock_s" },
            { "{\"fails\":1,\"locks\":\"x\",\"lock_s\":0}", "locks" },
            { "{\"fails\":1,\"locks\":0,\"lock_s\":0,\"device\":\"kiosk-1\"}", "device" },
        };
        for(i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
            HK_ASSERT_INT(
                400, req_as(DEVICE_H, "POST", "/api/v1/engineer/pin-failures", bad[i].body, &r));
            HK_ASSERT_CONTAINS(r.body, bad[i].msg);
            hk_http_resp_free(&r);
        }
    }
    expect_as(staff_h, "POST", "/api/v1/engineer/pin-failures",
              "{\"fails\":1,\"locks\":0,\"lock_s\":0}", 403, "forbidden");
    expect_as(NULL, "POST", "/api/v1/engineer/pin-failures",
              "{\"fails\":1,\"locks\":0,\"lock_s\":0}", 401, "unauthorized");
    expect_as(DEVICE_H, "GET", "/api/v1/engineer/pin-failures", NULL, 405, "method_not_allowed");
    after = state_now();
    HK_ASSERT_STR(before, after);
    free(before);
    free(after);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    HK_RUN(test_lan_every_operation_moves_the_ticket_as_the_queue_says);
    HK_RUN(test_lan_errors_get_their_status_and_change_nothing);
    HK_RUN(test_lan_stream_ids_are_journal_seqs_and_a_resume_gets_what_it_missed);
    HK_RUN(test_lan_eight_parallel_callers_call_every_ticket_exactly_once);
    HK_RUN(test_lan_plain_http_is_refused_off_loopback);
    HK_RUN(test_lan_a_token_is_required_and_staff_actions_need_a_session);
    HK_RUN(test_lan_login_checks_the_pin_and_limits_guessing);
    HK_RUN(test_lan_login_limits_per_staff_id_and_per_source_apart);
    HK_RUN(test_lan_a_session_stamps_its_calls_and_logout_ends_it);
    HK_RUN(test_lan_rating_at_the_counter_and_by_number);
    HK_RUN(test_lan_visits_list_the_day_with_ratings);
    HK_RUN(test_lan_import_is_idempotent_and_kept_to_the_block);
    HK_RUN(test_lan_new_bodies_malformed_or_oversized_change_nothing);
    HK_RUN(test_lan_a_snapshot_after_a_change_shows_it);
    HK_RUN(test_lan_self_help_records_events_refuses_by_field_and_streams_no_phone);
    HK_RUN(test_lan_a_kiosk_reports_its_own_engineer_pin_failures);
    return hk_test_end();
}
