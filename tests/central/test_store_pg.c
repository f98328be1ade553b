/*
 * store_pg: the PostgreSQL backend of central_store against a real server
 * started by this test (tests/support/pg_proc: Debian's postgresql, as
 * "nobody" in a temp dir; 77 when it is not installed), and the same
 * backend-neutral cases on the SQLite backend first, so both answer alike.
 * Idempotent ingest and its statuses, a conflict stores nothing of the
 * batch, acked_seq counts only the contiguous run (gaps filled later), two
 * connections ingesting overlapping batches of one device at once, schema
 * creation by several instances at once, config ETags, heartbeat upsert,
 * and connection failures as HK_ERR_IO with no password in the diag, also
 * when the server goes away and comes back.
 *
 * Through the public central_store API, as hall-central calls it; a build
 * without libpq refuses postgres:// URLs, and the test skips (77).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_store.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "pg_proc.h"

#define DEV     "kiosk-1"
#define RUN(fn) hk_test_run(on_pg ? "pg/" #fn : "sqlite/" #fn, fn)
#define N_RACE  600 /* events in the two-connection race */
#define BODY_SZ 300

static pg_proc_t *server;
static bool on_pg;      /* the suite runs on SQLite first, then on PostgreSQL */
static char url[512];   /* this test's own database */
static char dbname[32]; /* its name */
static int db_counter;

void setUp(void)
{
    snprintf(dbname, sizeof(dbname), "t%d", ++db_counter);
    if(!on_pg)
        snprintf(url, sizeof(url), "sqlite:%s", hk_test_path("central.db"));
    else if(pg_proc_createdb(server, dbname, url, sizeof(url)) != 0)
        hk_test_fail(__FILE__, __LINE__, "createdb %s failed", dbname);
}

void tearDown(void)
{
}

/* ---- helpers ------------------------------------------------------------------ */

static central_store_t *open_store(void)
{
    central_store_t *s = NULL;
    hk_diag_t diag = { { 0 } };
    hk_err_t rc = central_store_open(url, &s, &diag);

    HK_ASSERT_MSG(rc == HK_OK, "central_store_open: %d %s", (int)rc, diag.msg);
    HK_ASSERT_STR(on_pg ? "postgres" : "sqlite", central_store_kind(s));
    return s;
}

/* The event seq of device tag: a fixed uuid and a ~300-byte body with
 * quotes, backslashes and Chinese (the array literal must escape them). */
static void make_event(central_event_t *e, unsigned tag, int64_t seq, int variant)
{
    char body[BODY_SZ + 64];
    int n;

    memset(e, 0, sizeof(*e));
    e->seq = seq;
    snprintf(e->uuid, sizeof(e->uuid), "%08x-0000-4000-8000-%012" PRIx64, tag, (uint64_t)seq);
    snprintf(e->type, sizeof(e->type), "ticket.issued");
    e->time_ms = 1764000000000 + seq * 1000;
    n = snprintf(body, sizeof(body),
                 "{\"ticket\":\"A%03" PRId64 "\",\"service\":\"社保\",\"note\":\"say \\\"hi\\\" "
                 "\\\\ back\",\"v\":%d,\"pad\":\"",
                 seq, variant);
    while(n < BODY_SZ - 2)
        body[n++] = 'x';
    body[n++] = '"';
    body[n++] = '}';
    body[n] = '\0';
    e->body = hk_strdup(body);
    HK_ASSERT(e->body != NULL);
}

/* A batch of events first..last (inclusive) of device dev/tag. */
static void make_batch(central_batch_t *b, const char *dev, unsigned tag, int64_t first,
                       int64_t last)
{
    int64_t s;

    memset(b, 0, sizeof(*b));
    snprintf(b->device, sizeof(b->device), "%s", dev);
    snprintf(b->branch, sizeof(b->branch), "b001");
    b->n_events = (int)(last - first + 1);
    b->events = hk_calloc((size_t)b->n_events, sizeof(central_event_t));
    HK_ASSERT(b->events != NULL);
    for(s = first; s <= last; s++)
        make_event(&b->events[s - first], tag, s, 0);
}

/* Ingest first..last; expect HK_OK, every result == status, acked_seq. */
static void ingest_expect(central_store_t *s, int64_t first, int64_t last, central_status_t status,
                          int64_t acked)
{
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag = { { 0 } };
    hk_err_t rc;
    int i;

    make_batch(&b, DEV, 1, first, last);
    rc = central_store_ingest(s, &b, &ack, &diag);
    if(rc != HK_OK) {
        central_batch_free(&b);
        hk_test_fail(__FILE__, __LINE__, "ingest %" PRId64 "..%" PRId64 ": %d %s", first, last,
                     (int)rc, diag.msg);
    }
    HK_ASSERT_STR(DEV, ack.device);
    HK_ASSERT_INT(b.n_events, ack.n_results);
    for(i = 0; i < ack.n_results; i++) {
        HK_ASSERT_INT(b.events[i].seq, ack.results[i].seq);
        HK_ASSERT_STR(b.events[i].uuid, ack.results[i].uuid);
        HK_ASSERT_INT(status, ack.results[i].status);
    }
    HK_ASSERT_INT(acked, ack.acked_seq);
    central_ack_free(&ack);
    central_batch_free(&b);
}

static int64_t count_events(central_store_t *s, const char *dev)
{
    int64_t n = -1;

    HK_ASSERT_OK(central_store_count_events(s, dev, &n));
    return n;
}

static int64_t acked_seq(central_store_t *s, const char *dev)
{
    int64_t n = -1;

    HK_ASSERT_OK(central_store_acked_seq(s, dev, &n));
    return n;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_ingest_idempotent(void)
{
    central_store_t *s = open_store();
    char out[2048];

    ingest_expect(s, 1, 5, CENTRAL_STORED, 5);
    ingest_expect(s, 1, 5, CENTRAL_DUPLICATE, 5);
    ingest_expect(s, 3, 5, CENTRAL_DUPLICATE, 5);
    HK_ASSERT_INT(5, count_events(s, DEV));
    HK_ASSERT_INT(5, acked_seq(s, DEV));
    HK_ASSERT_INT(0, acked_seq(s, "nobody-here"));

    { /* a batch half held, half new: per-event statuses */
        central_batch_t b;
        central_ack_t ack;
        hk_diag_t diag = { { 0 } };
        make_batch(&b, DEV, 1, 4, 8);
        HK_ASSERT_OK(central_store_ingest(s, &b, &ack, &diag));
        HK_ASSERT_INT(CENTRAL_DUPLICATE, ack.results[0].status);
        HK_ASSERT_INT(CENTRAL_DUPLICATE, ack.results[1].status);
        HK_ASSERT_INT(CENTRAL_STORED, ack.results[2].status);
        HK_ASSERT_INT(CENTRAL_STORED, ack.results[4].status);
        HK_ASSERT_INT(8, ack.acked_seq);
        central_ack_free(&ack);
        central_batch_free(&b);
    }
    /* the body is stored byte for byte (quotes, backslashes, UTF-8) */
    if(on_pg) {
        central_event_t e;
        HK_ASSERT_OK(pg_proc_query(server, dbname,
                                   "SELECT body FROM events WHERE device='" DEV "' AND seq=2", out,
                                   sizeof(out)));
        HK_ASSERT_CONTAINS(out, "\"service\":\"社保\",\"note\":\"say \\\"hi\\\" \\\\ back\"");
        make_event(&e, 1, 2, 0);
        HK_ASSERT_STR(e.body, out);
        hk_free(e.body);
    }
    central_store_close(s);
}

static void test_conflict_stores_nothing(void)
{
    central_store_t *s = open_store();
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag = { { 0 } };

    ingest_expect(s, 1, 3, CENTRAL_STORED, 3);

    /* 4 and 5 new, 3 with other content: refused whole */
    make_batch(&b, DEV, 1, 3, 5);
    hk_free(b.events[0].body);
    make_event(&b.events[0], 1, 3, 1); /* same seq and uuid, other body */
    HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_ingest(s, &b, &ack, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "events[0]");
    HK_ASSERT(ack.results == NULL && ack.n_results == 0);
    central_batch_free(&b);
    HK_ASSERT_INT(3, count_events(s, DEV));
    HK_ASSERT_INT(3, acked_seq(s, DEV));

    /* a new seq carrying the uuid of seq 1 */
    make_batch(&b, DEV, 1, 4, 6);
    snprintf(b.events[2].uuid, sizeof(b.events[2].uuid), "%08x-0000-4000-8000-%012x", 1u, 1u);
    HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_ingest(s, &b, &ack, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "events[2]: uuid");
    central_batch_free(&b);
    HK_ASSERT_INT(3, count_events(s, DEV));

    /* another device sending a uuid this one holds */
    make_batch(&b, "kiosk-2", 1, 1, 2);
    HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_ingest(s, &b, &ack, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "already held with other content");
    central_batch_free(&b);
    HK_ASSERT_INT(0, count_events(s, "kiosk-2"));
    HK_ASSERT_INT(0, acked_seq(s, "kiosk-2"));

    /* the same uuid twice in one batch */
    make_batch(&b, DEV, 1, 4, 5);
    memcpy(b.events[1].uuid, b.events[0].uuid, sizeof(b.events[0].uuid));
    HK_ASSERT_INT(HK_ERR_CONFLICT, central_store_ingest(s, &b, &ack, &diag));
    central_batch_free(&b);
    HK_ASSERT_INT(3, count_events(s, DEV));

    /* the store is usable after a refusal */
    ingest_expect(s, 4, 5, CENTRAL_STORED, 5);
    central_store_close(s);
}

static void test_acked_seq_contiguous(void)
{
    central_store_t *s = open_store();

    ingest_expect(s, 7, 9, CENTRAL_STORED, 0); /* nothing from 1 yet */
    ingest_expect(s, 1, 3, CENTRAL_STORED, 3);
    ingest_expect(s, 5, 6, CENTRAL_STORED, 3); /* 4 still missing */
    ingest_expect(s, 4, 4, CENTRAL_STORED, 9); /* the gap filled: 1..9 */
    ingest_expect(s, 12, 12, CENTRAL_STORED, 9);
    ingest_expect(s, 10, 11, CENTRAL_STORED, 12);
    ingest_expect(s, 2, 4, CENTRAL_DUPLICATE, 12);
    HK_ASSERT_INT(12, count_events(s, DEV));
    central_store_close(s);
}

typedef struct racer {
    int id;
    int batch;      /* events per batch */
    bool backwards; /* send the batches from the end */
    int64_t last_acked;
    int errors;
    char error[HK_DIAG_SIZE + 64];
} racer_t;

static void *race(void *arg)
{
    racer_t *r = arg;
    central_store_t *s = NULL;
    hk_diag_t diag = { { 0 } };
    int64_t first;
    int n_batches = (N_RACE + r->batch - 1) / r->batch, k;

    if(central_store_open(url, &s, &diag) != HK_OK) {
        r->errors++;
        snprintf(r->error, sizeof(r->error), "open: %s", diag.msg);
        return NULL;
    }
    for(k = 0; k < n_batches; k++) {
        int idx = r->backwards ? n_batches - 1 - k : k;
        central_batch_t b;
        central_ack_t ack;
        hk_err_t rc;
        first = (int64_t)idx * r->batch + 1;
        make_batch(&b, DEV, 1, first,
                   first + r->batch - 1 > N_RACE ? N_RACE : first + r->batch - 1);
        rc = central_store_ingest(s, &b, &ack, &diag);
        if(rc == HK_OK) {
            /* under the progress row lock acked_seq only grows */
            if(ack.acked_seq < r->last_acked) {
                r->errors++;
                snprintf(r->error, sizeof(r->error), "acked_seq went back %" PRId64 " -> %" PRId64,
                         r->last_acked, ack.acked_seq);
            }
            r->last_acked = ack.acked_seq;
            central_ack_free(&ack);
        } else { /* BUSY too: the retries inside ingest should have absorbed it */
            r->errors++;
            snprintf(r->error, sizeof(r->error), "ingest: %d %s", (int)rc, diag.msg);
        }
        central_batch_free(&b);
    }
    central_store_close(s);
    return NULL;
}

static void test_two_connections_one_device(void)
{
    racer_t r[3] = { { .id = 0, .batch = 50 },
                     { .id = 1, .batch = 37, .backwards = true },
                     { .id = 2, .batch = 23 } };
    pthread_t th[3];
    central_store_t *s;
    char out[256];
    int i;

    for(i = 0; i < 3; i++)
        HK_ASSERT_INT(0, pthread_create(&th[i], NULL, race, &r[i]));
    for(i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    for(i = 0; i < 3; i++)
        HK_ASSERT_MSG(r[i].errors == 0, "racer %d: %s", i, r[i].error);
    s = open_store();
    HK_ASSERT_INT(N_RACE, count_events(s, DEV));
    HK_ASSERT_INT(N_RACE, acked_seq(s, DEV));
    central_store_close(s);
    if(!on_pg)
        return;
    HK_ASSERT_OK(pg_proc_query(server, dbname,
                               "SELECT count(DISTINCT seq) || '/' || count(DISTINCT uuid) || '/' "
                               "|| min(seq) || '/' || max(seq) FROM events",
                               out, sizeof(out)));
    HK_ASSERT_STR("600/600/1/600", out);
}

static void *open_close(void *arg)
{
    central_store_t *s = NULL;
    hk_diag_t diag = { { 0 } };
    hk_err_t *rc = arg;

    *rc = central_store_open(url, &s, &diag);
    if(*rc != HK_OK)
        fprintf(stderr, "  open: %s\n", diag.msg);
    if(s)
        central_store_close(s);
    return NULL;
}

static void test_schema_created_by_several_at_once(void)
{
    pthread_t th[4];
    hk_err_t rc[4];
    central_store_t *s;
    int i;

    for(i = 0; i < 4; i++)
        HK_ASSERT_INT(0, pthread_create(&th[i], NULL, open_close, &rc[i]));
    for(i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for(i = 0; i < 4; i++)
        HK_ASSERT_INT(HK_OK, rc[i]);
    s = open_store(); /* and once more on the existing schema */
    ingest_expect(s, 1, 2, CENTRAL_STORED, 2);
    central_store_close(s);
}

static void test_devices(void)
{
    central_store_t *s = open_store();
    central_device_t d, got;

    memset(&d, 0, sizeof(d));
    snprintf(d.id, sizeof(d.id), "kiosk-9");
    snprintf(d.branch, sizeof(d.branch), "b007");
    memset(d.token_hash, 'a', 64);
    d.enabled = true;
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_device_get(s, "kiosk-9", &got));
    HK_ASSERT_OK(central_store_device_put(s, &d));
    HK_ASSERT_OK(central_store_device_get(s, "kiosk-9", &got));
    HK_ASSERT_STR("b007", got.branch);
    HK_ASSERT_STR(d.token_hash, got.token_hash);
    HK_ASSERT(got.enabled);
    d.enabled = false;
    d.token_hash[0] = '\0';
    HK_ASSERT_OK(central_store_device_put(s, &d));
    HK_ASSERT_OK(central_store_device_get(s, "kiosk-9", &got));
    HK_ASSERT(!got.enabled);
    HK_ASSERT_STR("", got.token_hash);
    central_store_close(s);
}

static void test_config_etag(void)
{
    central_store_t *s = open_store(), *s2;
    char etag1[CENTRAL_ETAG_LEN], etag2[CENTRAL_ETAG_LEN], etag3[CENTRAL_ETAG_LEN];
    char *json = NULL;

    HK_ASSERT_INT(HK_ERR_NOT_FOUND, central_store_config_get(s, "b001", &json, etag1));
    HK_ASSERT(json == NULL);
    HK_ASSERT_OK(central_store_config_put(s, "b001", "{\"version\":1,\"config\":{}}"));
    HK_ASSERT_OK(central_store_config_get(s, "b001", &json, etag1));
    HK_ASSERT_STR("{\"version\":1,\"config\":{}}", json);
    HK_SAFEFREE(json);
    HK_ASSERT_INT(34, strlen(etag1)); /* "<32 hex>" */
    HK_ASSERT(etag1[0] == '"' && etag1[33] == '"');
    /* another instance serves the same document with the same tag */
    s2 = open_store();
    HK_ASSERT_OK(central_store_config_get(s2, "b001", &json, etag2));
    HK_SAFEFREE(json);
    HK_ASSERT_STR(etag1, etag2);
    /* the same text again: the same tag; another text: another */
    HK_ASSERT_OK(central_store_config_put(s2, "b001", "{\"version\":1,\"config\":{}}"));
    HK_ASSERT_OK(central_store_config_get(s, "b001", &json, etag2));
    HK_SAFEFREE(json);
    HK_ASSERT_STR(etag1, etag2);
    HK_ASSERT_OK(central_store_config_put(s2, "b001", "{\"version\":2,\"config\":{}}"));
    HK_ASSERT_OK(central_store_config_get(s, "b001", &json, etag3));
    HK_ASSERT_STR("{\"version\":2,\"config\":{}}", json);
    HK_SAFEFREE(json);
    HK_ASSERT(strcmp(etag1, etag3) != 0);
    central_store_close(s2);
    central_store_close(s);
}

static void test_heartbeat_upsert(void)
{
    central_store_t *s = open_store();
    central_heartbeat_t hb;
    char out[512];

    memset(&hb, 0, sizeof(hb));
    snprintf(hb.device, sizeof(hb.device), DEV);
    snprintf(hb.branch, sizeof(hb.branch), "b001");
    snprintf(hb.version, sizeof(hb.version), "0.1.0");
    hb.uptime_s = 60;
    hb.backlog = 12;
    snprintf(hb.printer, sizeof(hb.printer), "ok");
    hb.disk_free_mb = 5120;
    HK_ASSERT_OK(central_store_heartbeat(s, &hb, 1000));
    hb.uptime_s = 120;
    hb.backlog = 0;
    snprintf(hb.printer, sizeof(hb.printer), "paper_out");
    snprintf(hb.last_error, sizeof(hb.last_error), "printer: paper out; it's \"empty\"");
    HK_ASSERT_OK(central_store_heartbeat(s, &hb, 2000));
    if(!on_pg) {
        central_store_close(s);
        return;
    }
    HK_ASSERT_OK(pg_proc_query(server, dbname,
                               "SELECT count(*), max(uptime_s), max(backlog), max(printer), "
                               "max(last_error), max(received_ms) FROM heartbeats",
                               out, sizeof(out)));
    HK_ASSERT_STR("1|120|0|paper_out|printer: paper out; it's \"empty\"|2000", out);
    central_store_close(s);
}

static void test_connection_errors_hide_password(void)
{
    central_store_t *s = NULL;
    hk_diag_t diag = { { 0 } };
    char bad[512];
    hk_err_t rc;

    /* a wrong password */
    snprintf(bad, sizeof(bad), "postgresql://%s:WrongPw-x9q@127.0.0.1:%d/%s", PG_PROC_USER,
             pg_proc_port(server), dbname);
    rc = central_store_open(bad, &s, &diag);
    HK_ASSERT_INT(HK_ERR_IO, rc);
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "password authentication failed");
    HK_ASSERT(strstr(diag.msg, "WrongPw-x9q") == NULL);
    HK_ASSERT(strstr(diag.msg, pg_proc_password(server)) == NULL);

    /* nobody listening */
    snprintf(bad, sizeof(bad), "postgres://%s:SecretPw-77@127.0.0.1:1/%s", PG_PROC_USER, dbname);
    rc = central_store_open(bad, &s, &diag);
    HK_ASSERT_INT(HK_ERR_IO, rc);
    HK_ASSERT(diag.msg[0] != '\0');
    HK_ASSERT(strstr(diag.msg, "SecretPw-77") == NULL);

    /* libpq's own complaint about the URL (echoing its parts) */
    snprintf(bad, sizeof(bad), "postgresql://%s:SecretPw-78@127.0.0.1:notaport/%s", PG_PROC_USER,
             dbname);
    rc = central_store_open(bad, &s, &diag);
    HK_ASSERT(rc == HK_ERR_IO || rc == HK_ERR_INVALID);
    HK_ASSERT(strstr(diag.msg, "SecretPw-78") == NULL);
    snprintf(bad, sizeof(bad), "postgresql://%s:SecretPw-79@127.0.0.1/%s?bogus=1", PG_PROC_USER,
             dbname);
    rc = central_store_open(bad, &s, &diag);
    HK_ASSERT_INT(HK_ERR_INVALID, rc);
    HK_ASSERT(strstr(diag.msg, "SecretPw-79") == NULL);
}

/* The server ends the session (an operator, a failover): the call that
 * finds out fails, the next one reconnects and prepares its statements. */
static void test_session_killed(void)
{
    central_store_t *s = open_store();
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag = { { 0 } };
    char out[256];
    hk_err_t rc;

    ingest_expect(s, 1, 2, CENTRAL_STORED, 2);
    HK_ASSERT_OK(pg_proc_query(server, dbname,
                               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE application_name = 'hall-central'",
                               out, sizeof(out)));
    HK_ASSERT_STR("1", out);
    make_batch(&b, DEV, 1, 3, 4);
    rc = central_store_ingest(s, &b, &ack, &diag);
    if(rc == HK_OK) /* a reconnect inside the call is fine too */
        central_ack_free(&ack);
    else
        HK_ASSERT_INT(HK_ERR_IO, rc);
    rc = central_store_ingest(s, &b, &ack, &diag);
    HK_ASSERT_MSG(rc == HK_OK, "after the reconnect: %d %s", (int)rc, diag.msg);
    HK_ASSERT_INT(4, ack.acked_seq);
    central_ack_free(&ack);
    central_batch_free(&b);
    HK_ASSERT_INT(4, count_events(s, DEV));
    central_store_close(s);
}

/* Last: it stops the shared server and starts it again. */
static void test_server_down_and_back(void)
{
    central_store_t *s = open_store();
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag = { { 0 } };
    int64_t n;

    ingest_expect(s, 1, 2, CENTRAL_STORED, 2);
    HK_ASSERT_OK(pg_proc_halt(server));
    make_batch(&b, DEV, 1, 3, 4);
    HK_ASSERT_INT(HK_ERR_IO, central_store_ingest(s, &b, &ack, &diag));
    HK_ASSERT(diag.msg[0] != '\0');
    HK_ASSERT(strstr(diag.msg, pg_proc_password(server)) == NULL);
    HK_ASSERT_INT(HK_ERR_IO, central_store_count_events(s, DEV, &n));
    HK_ASSERT_OK(pg_proc_restart(server));
    /* the same store object reconnects and prepares its statements again */
    HK_ASSERT_OK(central_store_ingest(s, &b, &ack, &diag));
    HK_ASSERT_INT(4, ack.acked_seq);
    central_ack_free(&ack);
    central_batch_free(&b);
    HK_ASSERT_INT(4, count_events(s, DEV));
    central_store_close(s);
}

static void run_suite(void)
{
    RUN(test_ingest_idempotent);
    RUN(test_conflict_stores_nothing);
    RUN(test_acked_seq_contiguous);
    RUN(test_two_connections_one_device);
    RUN(test_schema_created_by_several_at_once);
    RUN(test_devices);
    RUN(test_config_etag);
    RUN(test_heartbeat_upsert);
}

/* Can this build and machine run the PostgreSQL part? why: if not. */
static bool pg_possible(char *why, size_t size)
{
    central_store_t *s = NULL;
    hk_diag_t diag = { { 0 } };

    if(!pg_proc_available(why, size))
        return false;
    if(central_store_open("postgresql://nobody@127.0.0.1:1/none", &s, &diag) == HK_ERR_INVALID) {
        snprintf(why, size, "%s", diag.msg); /* built without libpq */
        return false;
    }
    central_store_close(s);
    return true;
}

int main(void)
{
    char why[512];
    int rc;

    /* the backend-neutral part on SQLite too: both backends, one suite */
    on_pg = false;
    run_suite();
    if(!pg_possible(why, sizeof(why))) {
        rc = hk_test_end();
        printf("skip: the PostgreSQL part: %s\n", why);
        return rc ? rc : 77;
    }
    if(pg_proc_start(false, &server, why, sizeof(why)) != 0) {
        fprintf(stderr, "cannot start PostgreSQL: %s\n", why);
        return 1;
    }
    printf("# PostgreSQL on 127.0.0.1:%d\n", pg_proc_port(server));
    on_pg = true;
    run_suite();
    HK_RUN(test_connection_errors_hide_password);
    HK_RUN(test_session_killed);
    HK_RUN(test_server_down_and_back);
    rc = hk_test_end();
    pg_proc_stop(server);
    return rc;
}
