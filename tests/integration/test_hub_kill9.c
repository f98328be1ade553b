/*
 * Concurrency and a crash, on a real hub process: 1000 tickets (500 general
 * and 500 payments: one service has only 999 numbers a day),
 * 8 staff at 8 counters calling next and finishing in parallel threads over
 * loopback HTTP, the hub SIGKILLed in the middle of that (after 350 and
 * again after 700 answered calls) and each time started again
 * on the same data dir and port. Meanwhile an event-stream client (SSE)
 * reads every journal event and, after the kill, resumes with
 * Last-Event-ID.
 *
 * Callers behave as the counter clients do: on a connection error they try
 * again; on 401 (the restarted hub forgot its sessions) they log in again
 * and reopen their counter; on 409 counter_busy (their counter holds a
 * ticket whose call answer the kill swallowed) they look the ticket up in
 * the snapshot and finish it; a finish retried after a lost answer may get
 * 409 illegal_transition (it was done).
 *
 * What the test guarantees, precisely:
 *  - the journal (the whole stream replayed from 0) has exactly one
 *    ticket.issued, one ticket.called and one ticket.finished for each of
 *    the 1000 tickets: no ticket called twice, none lost;
 *  - no ticket was answered to two callers (200 to call-next);
 *  - answered calls and "called at the kill" tickets (found through
 *    counter_busy, at most one per counter and kill) are disjoint and together are
 *    exactly the 1000 tickets;
 *  - GET /visits: all 1000 done, each at the counter and with the staff id
 *    of the caller that answered or recovered it;
 *  - the live stream client saw seqs 1..N each exactly once, in order,
 *    across the kill, with the same events (seq, type, uuid) as the
 *    journal replay.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "integ.h"

#define N_TICKETS 1000
#define N_CALLERS 8
#define N_KILLS   2
static const int kill_after[N_KILLS] = { 350, 700 }; /* answered calls before each SIGKILL */
#define MAX_EVENTS      8192
#define RUN_DEADLINE_MS 150000

static integ_hub_t hub;

/* ---- shared run state ------------------------------------------------------- */

static atomic_int answered_total; /* 200s to call-next, all callers */
static atomic_int hub_down;       /* 1 while the hub is killed and not yet back */
static atomic_int stop_all;       /* deadline passed: everyone gives up */
static int64_t deadline_ms;

static char config_json[8192];

static void make_config(void)
{
    int n = 0, i;

    n += snprintf(config_json + n, sizeof(config_json) - (size_t)n,
                  "{\"role\":\"hub\",\"branch\":{\"id\":\"kill9\",\"name_zh\":\"测试厅\","
                  "\"name_en\":\"Test hall\"},\"utc_offset_min\":480,"
                  "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务办理\","
                  "\"name_en\":\"General business\",\"priority\":2,\"avg_service_s\":360},"
                  "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费充值\","
                  "\"name_en\":\"Payments\",\"priority\":1,\"avg_service_s\":120}],"
                  "\"counters\":[");
    for(i = 1; i <= N_CALLERS; i++)
        n += snprintf(config_json + n, sizeof(config_json) - (size_t)n,
                      "%s{\"id\":\"c%d\",\"number\":%d,\"services\":[\"general\",\"payment\"]}",
                      i > 1 ? "," : "", i, i);
    n += snprintf(config_json + n, sizeof(config_json) - (size_t)n, "],\"staff\":[");
    for(i = 1; i <= N_CALLERS; i++)
        n += snprintf(config_json + n, sizeof(config_json) - (size_t)n,
                      "%s{\"id\":\"s%d\",\"name_zh\":\"员工%d\",\"name_en\":\"Staff %d\","
                      "\"pin_hash\":\"" INTEG_PIN_HASH "\"}",
                      i > 1 ? "," : "", i, i, i);
    n += snprintf(config_json + n, sizeof(config_json) - (size_t)n,
                  "],\"devices\":[{\"id\":\"kiosk-1\",\"token\":\"demo-token-kiosk-1\"},"
                  "{\"id\":\"engineer\",\"token\":\"" INTEG_ENGINEER "\"}]}");
    HK_ASSERT((size_t)n < sizeof(config_json));
}

void setUp(void)
{
    memset(&hub, 0, sizeof(hub));
    hub.proc = -1;
}

void tearDown(void)
{
    atomic_store(&stop_all, 1); /* threads left by a failed assertion give up */
    integ_kill_all();
}

/* ---- the event-stream client --------------------------------------------------- */

typedef struct stream_ev {
    char type[48];
    char uuid[40];
    long long ticket;
} stream_ev_t;

typedef struct stream_client {
    pthread_t th;
    stream_ev_t *evs;    /* [seq] for 1..MAX_EVENTS-1 */
    long long last;      /* highest seq received */
    atomic_llong target; /* stop once last reaches this (0 = keep reading) */
    int reconnects;
    int dup_or_gap;
    char error[256];
} stream_client_t;

static stream_client_t sc;

/* Record one journal event; a seq that is not last+1 is an error. */
static void stream_take(stream_client_t *c, const hk_sse_event_t *ev)
{
    long long seq = atoll(ev->id);
    stream_ev_t *e;
    cJSON *root, *body;

    if(seq != c->last + 1) {
        if(!c->error[0])
            snprintf(c->error, sizeof(c->error), "stream: seq %lld after %lld", seq, c->last);
        c->dup_or_gap++;
        if(seq <= c->last)
            return;
    }
    if(seq <= 0 || seq >= MAX_EVENTS) {
        snprintf(c->error, sizeof(c->error), "stream: seq %lld out of range", seq);
        return;
    }
    c->last = seq;
    e = &c->evs[seq];
    snprintf(e->type, sizeof(e->type), "%s", ev->event);
    e->ticket = -1;
    if(hk_json_parse(ev->data, strlen(ev->data), NULL, &root, NULL) == HK_OK) {
        snprintf(e->uuid, sizeof(e->uuid), "%s", integ_jstr(root, "uuid"));
        body = cJSON_GetObjectItemCaseSensitive(root, "body");
        e->ticket = integ_jnum(body, "ticket");
        cJSON_Delete(root);
    }
}

static void *stream_main(void *arg)
{
    stream_client_t *c = arg;
    static hk_sse_t s;
    static hk_sse_event_t ev;
    char last[32];
    bool open = false;

    while(!atomic_load(&stop_all)) {
        long long target = atomic_load(&c->target);
        int rc;
        if(target > 0 && c->last >= target)
            break;
        if(!open) {
            snprintf(last, sizeof(last), "%lld", c->last);
            /* always from the last seq seen ("0" at first: everything) */
            if(hk_sse_open(hub.port, "/api/v1/events?access_token=" INTEG_ENGINEER, last, &s) !=
               0) {
                integ_sleep_ms(20);
                continue;
            }
            open = true;
            /* every (re)connect starts with a snapshot event, no id */
            if(hk_sse_next(&s, 10000, &ev) != 1 || strcmp(ev.event, "snapshot") != 0) {
                hk_sse_close(&s);
                open = false;
                continue;
            }
        }
        rc = hk_sse_next(&s, 500, &ev);
        if(rc == 1) {
            if(ev.id[0])
                stream_take(c, &ev);
        } else if(rc < 0) {
            hk_sse_close(&s);
            open = false;
            c->reconnects++;
        }
    }
    if(open)
        hk_sse_close(&s);
    return NULL;
}

/* ---- callers ----------------------------------------------------------------- */

typedef struct caller {
    pthread_t th;
    int k; /* counter ck, staff sk */
    char token[64];
    long long answered[N_TICKETS];
    int n_answered;
    long long recovered[N_CALLERS * 4];
    int n_recovered;
    int logins, conn_errors, finish_409, busy_503;
    bool need_open;
    char error[256];
} caller_t;

static caller_t callers[N_CALLERS];

static bool running(caller_t *c)
{
    if(atomic_load(&stop_all))
        return false;
    if(integ_now_ms() > deadline_ms) {
        snprintf(c->error, sizeof(c->error), "c%d: deadline passed", c->k);
        atomic_store(&stop_all, 1);
        return false;
    }
    return true;
}

/* Open ck for sk. A counter that still holds the ticket whose call answer
 * the kill swallowed may refuse (409): it is opened again once that ticket
 * is finished. */
static int caller_open(caller_t *c)
{
    char path[64];
    hk_http_resp_t r;

    snprintf(path, sizeof(path), "/api/v1/counters/c%d/open", c->k);
    while(running(c)) {
        int st;
        if(integ_http(hub.port, "POST", path, NULL, c->token, &r, 10000) != 0) {
            c->conn_errors++;
            integ_sleep_ms(20);
            continue;
        }
        st = r.status;
        if(st == 409)
            printf("# c%d: open refused: %s\n", c->k, r.body);
        hk_http_resp_free(&r);
        if(st == 503) {
            integ_sleep_ms(5);
            continue;
        }
        c->need_open = st == 409;
        return st;
    }
    return -1;
}

/* Log in as sk and open ck for sk; retried until the hub answers. */
static bool caller_login(caller_t *c)
{
    char staff[8];

    snprintf(staff, sizeof(staff), "s%d", c->k);
    while(running(c)) {
        int st = integ_login(hub.port, staff, c->token, sizeof(c->token), 10000);
        if(st != 201) {
            if(st > 0 && st != 503) {
                snprintf(c->error, sizeof(c->error), "c%d: login answered %d", c->k, st);
                return false;
            }
            c->conn_errors++;
            integ_sleep_ms(20);
            continue;
        }
        c->logins++;
        st = caller_open(c);
        if(st == 200 || st == 409)
            return true;
        if(st == 401 || st < 0)
            continue; /* killed again in between */
        snprintf(c->error, sizeof(c->error), "c%d: open answered %d", c->k, st);
        return false;
    }
    return false;
}

/* Finish ticket id (ours). A retry after a lost answer may find it done. */
static bool caller_finish(caller_t *c, long long id)
{
    char path[64];
    hk_http_resp_t r;
    bool retried = false;

    snprintf(path, sizeof(path), "/api/v1/tickets/%lld/finish", id);
    while(running(c)) {
        int st;
        if(integ_http(hub.port, "POST", path, NULL, c->token, &r, 10000) != 0) {
            c->conn_errors++;
            retried = true;
            integ_sleep_ms(20);
            continue;
        }
        st = r.status;
        if(st == 200) {
            hk_http_resp_free(&r);
            return true;
        }
        if(st == 409 && retried && strstr(r.body, "illegal_transition")) {
            c->finish_409++; /* the lost answer's finish went through */
            hk_http_resp_free(&r);
            return true;
        }
        if(st == 401) {
            hk_http_resp_free(&r);
            if(!caller_login(c))
                return false;
            retried = true;
            continue;
        }
        if(st == 503) {
            c->busy_503++;
            hk_http_resp_free(&r);
            integ_sleep_ms(5);
            continue;
        }
        snprintf(c->error, sizeof(c->error), "c%d: finish %lld answered %d %.120s", c->k, id, st,
                 r.body);
        hk_http_resp_free(&r);
        return false;
    }
    return false;
}

/* The ticket counter ck holds now, from the snapshot (-1 none). */
static long long counter_ticket(caller_t *c)
{
    hk_http_resp_t r;
    cJSON *root, *ctrs, *it;
    char id[8];
    long long t = -1;

    snprintf(id, sizeof(id), "c%d", c->k);
    while(running(c)) {
        if(integ_http(hub.port, "GET", "/api/v1/snapshot", NULL, c->token, &r, 10000) != 0 ||
           r.status != 200) {
            hk_http_resp_free(&r);
            integ_sleep_ms(20);
            continue;
        }
        if(hk_json_parse(r.body, r.body_len, NULL, &root, NULL) == HK_OK) {
            ctrs = cJSON_GetObjectItemCaseSensitive(root, "counters");
            cJSON_ArrayForEach(it, ctrs)
            {
                if(!strcmp(integ_jstr(it, "id"), id))
                    t = integ_jnum(cJSON_GetObjectItemCaseSensitive(it, "ticket"), "id");
            }
            cJSON_Delete(root);
        }
        hk_http_resp_free(&r);
        return t;
    }
    return -1;
}

static void *caller_main(void *arg)
{
    caller_t *c = arg;
    char path[64];

    snprintf(path, sizeof(path), "/api/v1/counters/c%d/call-next", c->k);
    if(!caller_login(c))
        return NULL;
    while(running(c)) {
        hk_http_resp_t r;
        int st;
        if(integ_http(hub.port, "POST", path, NULL, c->token, &r, 10000) != 0) {
            c->conn_errors++; /* maybe called, maybe not: counter_busy will tell */
            integ_sleep_ms(20);
            continue;
        }
        st = r.status;
        if(st == 200) {
            cJSON *root = integ_json(r.body);
            long long id = integ_jnum(cJSON_GetObjectItemCaseSensitive(root, "ticket"), "id");
            cJSON_Delete(root);
            hk_http_resp_free(&r);
            if(c->n_answered >= N_TICKETS || id <= 0) {
                snprintf(c->error, sizeof(c->error), "c%d: call-next answer without an id", c->k);
                return NULL;
            }
            c->answered[c->n_answered++] = id;
            atomic_fetch_add(&answered_total, 1);
            if(!caller_finish(c, id))
                return NULL;
            continue;
        }
        if(st == 409 && strstr(r.body, "nobody_waiting")) {
            hk_http_resp_free(&r);
            return NULL; /* the line is empty: done */
        }
        if(st == 409 && strstr(r.body, "counter_busy")) {
            /* a call whose answer the kill swallowed: it is ours, finish it */
            long long id;
            hk_http_resp_free(&r);
            id = counter_ticket(c);
            if(id <= 0 || c->n_recovered >= (int)(sizeof(c->recovered) / sizeof(c->recovered[0]))) {
                snprintf(c->error, sizeof(c->error), "c%d: busy but no ticket in the snapshot",
                         c->k);
                return NULL;
            }
            c->recovered[c->n_recovered++] = id;
            if(!caller_finish(c, id))
                return NULL;
            if(c->need_open && caller_open(c) != 200) {
                snprintf(c->error, sizeof(c->error), "c%d: cannot open again", c->k);
                return NULL;
            }
            continue;
        }
        if(st == 401 || (st == 409 && strstr(r.body, "counter_not_open"))) {
            hk_http_resp_free(&r);
            if(!caller_login(c))
                return NULL;
            continue;
        }
        if(st == 503) {
            c->busy_503++;
            hk_http_resp_free(&r);
            integ_sleep_ms(5);
            continue;
        }
        snprintf(c->error, sizeof(c->error), "c%d: call-next answered %d %.120s", c->k, st, r.body);
        hk_http_resp_free(&r);
        return NULL;
    }
    return NULL;
}

/* ---- issuing ----------------------------------------------------------------------- */

typedef struct issuer {
    pthread_t th;
    int n;
    const char *body; /* the service */
    long long *ids;
    char error[160];
} issuer_t;

static void *issuer_main(void *arg)
{
    issuer_t *is = arg;
    int i = 0;

    while(i < is->n && integ_now_ms() < deadline_ms) {
        hk_http_resp_t r;
        cJSON *root;
        if(integ_http(hub.port, "POST", "/api/v1/tickets", is->body, "demo-token-kiosk-1", &r,
                      10000) != 0) {
            snprintf(is->error, sizeof(is->error), "issue: no answer");
            return NULL;
        }
        if(r.status == 503) {
            hk_http_resp_free(&r);
            integ_sleep_ms(5);
            continue;
        }
        if(r.status != 201 || hk_json_parse(r.body, r.body_len, NULL, &root, NULL) != HK_OK) {
            snprintf(is->error, sizeof(is->error), "issue: %d %.100s", r.status, r.body);
            hk_http_resp_free(&r);
            return NULL;
        }
        is->ids[i++] = integ_jnum(cJSON_GetObjectItemCaseSensitive(root, "ticket"), "id");
        cJSON_Delete(root);
        hk_http_resp_free(&r);
    }
    return NULL;
}

/* ---- the test --------------------------------------------------------------------------- */

static long long journal_seq_now(void)
{
    hk_http_resp_t r;
    cJSON *root;
    long long seq;

    HK_ASSERT_INT(200, integ_req(hub.port, "GET", "/api/v1/snapshot", NULL, INTEG_ENGINEER, &r));
    root = integ_json(r.body);
    seq = integ_jnum(root, "journal_seq");
    cJSON_Delete(root);
    hk_http_resp_free(&r);
    return seq;
}

/* The whole journal through a fresh stream from Last-Event-ID 0. */
static void replay_journal(long long upto, stream_ev_t *out)
{
    static hk_sse_t s;
    static hk_sse_event_t ev;
    long long seq = 0;
    cJSON *root;

    HK_ASSERT_OK(hk_sse_open(hub.port, "/api/v1/events?access_token=" INTEG_ENGINEER, "0", &s));
    HK_ASSERT_INT(1, hk_sse_next(&s, 10000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);
    while(seq < upto) {
        HK_ASSERT_MSG(hk_sse_next(&s, 10000, &ev) == 1, "replay stopped after seq %lld of %lld",
                      seq, upto);
        if(!ev.id[0])
            continue;
        HK_ASSERT_INT(seq + 1, atoll(ev.id));
        seq++;
        snprintf(out[seq].type, sizeof(out[seq].type), "%s", ev.event);
        root = integ_json(ev.data);
        snprintf(out[seq].uuid, sizeof(out[seq].uuid), "%s", integ_jstr(root, "uuid"));
        out[seq].ticket = integ_jnum(cJSON_GetObjectItemCaseSensitive(root, "body"), "ticket");
        cJSON_Delete(root);
    }
    hk_sse_close(&s);
}

static void test_kill9_mid_run_loses_nothing_and_calls_nothing_twice(void)
{
    static long long ids[N_TICKETS];
    static issuer_t issuers[4];
    static stream_ev_t replay[MAX_EVENTS];
    static int owner[N_TICKETS + 1]; /* caller k (1..8) that answered/recovered ticket id */
    static int called[N_TICKETS + 1], issued_ev[N_TICKETS + 1], finished_ev[N_TICKETS + 1];
    hk_http_resp_t r;
    cJSON *root, *visits, *v;
    long long final_seq, first_id;
    int i, j, n_answered = 0, n_recovered = 0, n_visits = 0, kill_at[N_KILLS];
    int64_t t0 = integ_now_ms(), t_issue, t_kill[N_KILLS], t_back[N_KILLS], t_done;

    make_config();
    snprintf(hub.cfg, sizeof(hub.cfg), "%s/branch.json", hk_test_tmpdir());
    snprintf(hub.data, sizeof(hub.data), "%s/hubdata", hk_test_tmpdir());
    integ_write_file(hub.cfg, config_json);
    integ_hub_start(&hub);
    deadline_ms = integ_now_ms() + RUN_DEADLINE_MS;
    atomic_store(&answered_total, 0);
    atomic_store(&hub_down, 0);
    atomic_store(&stop_all, 0);

    /* the stream client, from the very start (the hub's journal is empty) */
    memset(&sc, 0, sizeof(sc));
    sc.evs = calloc(MAX_EVENTS, sizeof(*sc.evs));
    HK_ASSERT(sc.evs);
    HK_ASSERT_OK(pthread_create(&sc.th, NULL, stream_main, &sc));

    /* 1000 tickets from 4 threads: 500 general (A), 500 payments (B), as a
     * service has 999 numbers a day */
    for(i = 0; i < 4; i++) {
        memset(&issuers[i], 0, sizeof(issuers[i]));
        issuers[i].n = N_TICKETS / 4;
        issuers[i].body = i < 2 ? "{\"service\":\"general\"}" : "{\"service\":\"payment\"}";
        issuers[i].ids = ids + i * (N_TICKETS / 4);
        HK_ASSERT_OK(pthread_create(&issuers[i].th, NULL, issuer_main, &issuers[i]));
    }
    for(i = 0; i < 4; i++)
        pthread_join(issuers[i].th, NULL);
    for(i = 0; i < 4; i++)
        HK_ASSERT_MSG(!issuers[i].error[0], "%s", issuers[i].error);
    first_id = ids[0];
    for(i = 0; i < N_TICKETS; i++) {
        HK_ASSERT(ids[i] > 0);
        if(ids[i] < first_id)
            first_id = ids[i];
    }
    HK_ASSERT_INT(1, first_id); /* a fresh day: ids 1..1000 */
    t_issue = integ_now_ms();

    /* 8 staff at 8 counters */
    memset(callers, 0, sizeof(callers));
    for(i = 0; i < N_CALLERS; i++) {
        callers[i].k = i + 1;
        HK_ASSERT_OK(pthread_create(&callers[i].th, NULL, caller_main, &callers[i]));
    }
    /* mid-run: a power cut, and another once the day is going again */
    for(j = 0; j < N_KILLS; j++) {
        while(atomic_load(&answered_total) < kill_after[j] && integ_now_ms() < deadline_ms &&
              !atomic_load(&stop_all))
            integ_sleep_ms(2);
        kill_at[j] = atomic_load(&answered_total);
        t_kill[j] = integ_now_ms();
        atomic_store(&hub_down, 1);
        integ_kill9(hub.proc);
        integ_hub_start(&hub); /* same data dir, same port */
        atomic_store(&hub_down, 0);
        t_back[j] = integ_now_ms();
    }
    for(i = 0; i < N_CALLERS; i++)
        pthread_join(callers[i].th, NULL);
    t_done = integ_now_ms();

    /* the stream client catches up to the journal's end */
    final_seq = journal_seq_now();
    atomic_store(&sc.target, final_seq);
    pthread_join(sc.th, NULL);

    printf("# issued %d in %lld ms; all served at +%lld ms; journal %lld events; stream "
           "reconnects %d\n",
           N_TICKETS, (long long)(t_issue - t0), (long long)(t_done - t_issue), final_seq,
           sc.reconnects);
    for(j = 0; j < N_KILLS; j++)
        printf("#   SIGKILL after %d answered calls at +%lld ms, serving again %lld ms later\n",
               kill_at[j], (long long)(t_kill[j] - t_issue), (long long)(t_back[j] - t_kill[j]));
    for(i = 0; i < N_CALLERS; i++) {
        caller_t *c = &callers[i];
        printf("#   c%d: %d answered, %d recovered after the kill, %d logins, %d connection "
               "errors, %d finishes found done, %d busy\n",
               c->k, c->n_answered, c->n_recovered, c->logins, c->conn_errors, c->finish_409,
               c->busy_503);
        HK_ASSERT_MSG(!c->error[0], "%s", c->error);
        HK_ASSERT_MSG(c->logins >= 1 + N_KILLS, "c%d did not log in again after each restart",
                      c->k);
    }
    HK_ASSERT_MSG(!atomic_load(&stop_all), "the run hit its deadline");

    /* answered and recovered calls: disjoint, each ticket at most once, all 1000 */
    memset(owner, 0, sizeof(owner));
    for(i = 0; i < N_CALLERS; i++) {
        caller_t *c = &callers[i];
        for(j = 0; j < c->n_answered + c->n_recovered; j++) {
            long long id = j < c->n_answered ? c->answered[j] : c->recovered[j - c->n_answered];
            HK_ASSERT_MSG(id >= 1 && id <= N_TICKETS, "c%d got ticket id %lld", c->k, id);
            HK_ASSERT_MSG(owner[id] == 0, "ticket %lld called for c%d and for c%d", id, owner[id],
                          c->k);
            owner[id] = c->k;
        }
        n_answered += c->n_answered;
        n_recovered += c->n_recovered;
        HK_ASSERT_MSG(c->n_recovered <= N_KILLS, "c%d recovered %d tickets (at most one a kill)",
                      c->k, c->n_recovered);
    }
    HK_ASSERT_INT(N_TICKETS, n_answered + n_recovered);
    printf("# %d calls answered + %d called at the kill = %d tickets\n", n_answered, n_recovered,
           N_TICKETS);

    /* the live stream: 1..final_seq, once each, in order, across the kill */
    HK_ASSERT_MSG(!sc.error[0], "%s (%d gaps or repeats)", sc.error, sc.dup_or_gap);
    HK_ASSERT_INT(final_seq, sc.last);
    HK_ASSERT_MSG(sc.reconnects >= N_KILLS, "the stream client missed a restart (%d reconnects)",
                  sc.reconnects);

    /* ... the same events as the journal replayed from 0 */
    replay_journal(final_seq, replay);
    memset(called, 0, sizeof(called));
    memset(issued_ev, 0, sizeof(issued_ev));
    memset(finished_ev, 0, sizeof(finished_ev));
    for(i = 1; i <= final_seq; i++) {
        HK_ASSERT_MSG(!strcmp(replay[i].type, sc.evs[i].type) &&
                          !strcmp(replay[i].uuid, sc.evs[i].uuid),
                      "seq %d: live %s %s, journal %s %s", i, sc.evs[i].type, sc.evs[i].uuid,
                      replay[i].type, replay[i].uuid);
        if(replay[i].ticket >= 1 && replay[i].ticket <= N_TICKETS) {
            if(!strcmp(replay[i].type, "ticket.called"))
                called[replay[i].ticket]++;
            else if(!strcmp(replay[i].type, "ticket.issued"))
                issued_ev[replay[i].ticket]++;
            else if(!strcmp(replay[i].type, "ticket.finished"))
                finished_ev[replay[i].ticket]++;
        }
    }
    for(i = 1; i <= N_TICKETS; i++) {
        HK_ASSERT_MSG(issued_ev[i] == 1, "ticket %d: %d ticket.issued events", i, issued_ev[i]);
        HK_ASSERT_MSG(called[i] == 1, "ticket %d: %d ticket.called events", i, called[i]);
        HK_ASSERT_MSG(finished_ev[i] == 1, "ticket %d: %d ticket.finished events", i,
                      finished_ev[i]);
    }
    free(sc.evs);
    sc.evs = NULL;

    /* the day as /visits tells it */
    HK_ASSERT_INT(200, integ_req(hub.port, "GET", "/api/v1/visits", NULL, INTEG_ENGINEER, &r));
    root = integ_json(r.body);
    hk_http_resp_free(&r);
    visits = cJSON_GetObjectItemCaseSensitive(root, "visits");
    cJSON_ArrayForEach(v, visits)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "ticket");
        long long id = integ_jnum(t, "id");
        char want_counter[8], want_staff[8];
        n_visits++;
        HK_ASSERT(id >= 1 && id <= N_TICKETS);
        snprintf(want_counter, sizeof(want_counter), "c%d", owner[id]);
        snprintf(want_staff, sizeof(want_staff), "s%d", owner[id]);
        HK_ASSERT_STR("done", integ_jstr(t, "state"));
        HK_ASSERT_STR(want_counter, integ_jstr(t, "counter"));
        HK_ASSERT_STR(want_staff, integ_jstr(t, "staff"));
        HK_ASSERT_INT(0, integ_jnum(t, "recalls"));
        HK_ASSERT(integ_jnum(t, "called_ms") > 0 && integ_jnum(t, "finished_ms") > 0);
    }
    cJSON_Delete(root);
    HK_ASSERT_INT(N_TICKETS, n_visits);

    /* and the restarted hub stops cleanly (exit 3 would be a leak) */
    HK_ASSERT_INT(0, integ_stop(hub.proc, 15000));
    printf("# whole test %lld ms\n", (long long)(integ_now_ms() - t0));
}

int main(void)
{
    HK_RUN(test_kill9_mid_run_loses_nothing_and_calls_nothing_twice);
    return hk_test_end();
}
