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
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hk_http.h"
#include "hk_test.h"

#define N_TICKETS 240
#define N_CLIENTS 8
#define LAN_BIG   5000 /* over the 4096-byte body cap */

static pid_t hub_pid = -1;
static uint16_t port;

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
    "{\"id\":\"c8\",\"number\":8,\"services\":[\"general\"]}]}";

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

static int req(const char *method, const char *path, const char *body, hk_http_resp_t *r)
{
    int rc = hk_http_request(port, method, path, body, NULL, r);

    HK_ASSERT_MSG(rc == 0, "%s %s: no answer", method, path);
    return r->status;
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
    HK_ASSERT_INT(201, req("POST", "/api/v1/tickets", body, &r));
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

    HK_ASSERT_INT(200, req("GET", "/api/v1/branch", NULL, &r));
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
    HK_ASSERT_CONTAINS(r.body, "\"counter\":{\"id\":\"c4\",\"state\":\"paused\"}");
    hk_http_resp_free(&r);
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c5/close", NULL));
    HK_ASSERT_INT(200, req("GET", "/api/v1/snapshot", NULL, &r));
    HK_ASSERT_CONTAINS(r.body, "{\"id\":\"c4\",\"state\":\"paused\",\"ticket\":null}");
    HK_ASSERT_CONTAINS(r.body, "{\"id\":\"c5\",\"state\":\"closed\",\"ticket\":null}");
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

    HK_ASSERT_INT(1, hk_sse_next(s, 5000, &ev));
    HK_ASSERT_STR(type, ev.event);
    snprintf(want, sizeof(want), "%lld", id);
    HK_ASSERT_STR(want, ev.id);
    HK_ASSERT_INT(id, json_num(ev.data, "seq"));
}

static void test_lan_stream_ids_are_journal_seqs_and_a_resume_gets_what_it_missed(void)
{
    static hk_sse_t s;
    static hk_sse_event_t ev;
    long long t1;

    /* fresh connect: a snapshot event, then events from now */
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events", NULL, &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    HK_ASSERT_STR("", ev.id);
    HK_ASSERT_INT(0, json_num(ev.data, "journal_seq"));
    t1 = issue("general");
    (void)issue("payment");
    expect_event(&s, "ticket.issued", 1);
    expect_event(&s, "ticket.issued", 2);
    hk_sse_close(&s);

    /* missed while away: a call and a third ticket */
    HK_ASSERT_INT(200, status_of("POST", "/api/v1/counters/c2/call-next", NULL));
    (void)issue("general");
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events", "2", &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    HK_ASSERT_INT(4, json_num(ev.data, "journal_seq"));
    expect_event(&s, "ticket.called", 3);
    expect_event(&s, "ticket.issued", 4);
    HK_ASSERT_INT(0, hk_sse_next(&s, 300, &ev)); /* exactly that, nothing more */
    hk_sse_close(&s);

    /* a restarted hub has none of it in memory: the stream catches up from
     * the journal (and the day continues with the next number) */
    hub_stop();
    hub_start();
    HK_ASSERT_OK(hk_sse_open(port, "/api/v1/events", "1", &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
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
        if(hk_http_request(port, "POST", path, NULL, NULL, &r) != 0) {
            c->errors++;
            break;
        }
        if(r.status == 200 && c->n < N_TICKETS) {
            char fin[96];
            hk_http_resp_t f;
            c->ids[c->n] = json_num(strstr(r.body, "\"ticket\""), "id");
            /* one visit at a time: finish it before calling the next */
            snprintf(fin, sizeof(fin), "/api/v1/tickets/%lld/finish", c->ids[c->n++]);
            if(hk_http_request(port, "POST", fin, NULL, NULL, &f) != 0 || f.status != 200)
                c->errors++;
            hk_http_resp_free(&f);
        } else if(r.status == 503) {
            usleep(1000); /* Retry-After: we are the only client, retry soon */
        } else {
            if(r.status != 409 || !strstr(r.body, "nobody_waiting"))
                c->errors++;
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

static void test_lan_plain_http_is_refused_off_loopback_by_name(void)
{
    const char *err = hk_test_path("refused.err");
    char cfg[1024], data[1024];
    const char *lan[] = { "--role", "hub",      "--config",  cfg, "--data-dir",
                          data,     "--listen", "0.0.0.0:0", NULL };
    const char *bad[] = { "--role", "hub",      "--config",  cfg, "--data-dir",
                          data,     "--listen", "127.0.0.1", NULL };
    const char *kiosk[] = { "--role", "kiosk", "--listen", "127.0.0.1:0", NULL };

    snprintf(cfg, sizeof(cfg), "%s/branch.json", hk_test_tmpdir());
    snprintf(data, sizeof(data), "%s/data2", hk_test_tmpdir());
    HK_ASSERT_INT(1, run_hallkiosk(err, lan));
    HK_ASSERT(hk_test_file_has(err, "plain HTTP on loopback (127.0.0.0/8) only"));
    HK_ASSERT(hk_test_file_has(err, "HTTPS for the branch LAN comes in the next step"));
    HK_ASSERT_INT(1, run_hallkiosk(err, bad));
    HK_ASSERT(hk_test_file_has(err, "expected HOST:PORT"));
    HK_ASSERT_INT(2, run_hallkiosk(err, kiosk));
    HK_ASSERT(hk_test_file_has(err, "--listen is for the hub role"));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    HK_RUN(test_lan_every_operation_moves_the_ticket_as_the_queue_says);
    HK_RUN(test_lan_errors_get_their_status_and_change_nothing);
    HK_RUN(test_lan_stream_ids_are_journal_seqs_and_a_resume_gets_what_it_missed);
    HK_RUN(test_lan_eight_parallel_callers_call_every_ticket_exactly_once);
    HK_RUN(test_lan_plain_http_is_refused_off_loopback_by_name);
    return hk_test_end();
}
