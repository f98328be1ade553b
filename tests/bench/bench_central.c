/*
 * bench_central: hall-central's ingest (hk_bench central-ingest): events
 * stored per second through central_store_ingest() in batches of
 * BATCH_EVENTS (~300-byte bodies like the journal's), with SQLite and with
 * PostgreSQL, each beside its floor: a bare batched INSERT of the same rows
 * into a table of the same shape (events_floor: same keys and index) in the
 * same database, in the same run.
 *
 * Same durability on both sides: SQLite WAL + synchronous=FULL (the
 * store's settings, set on the floor's own connection too); PostgreSQL with
 * its defaults (fsync, synchronous_commit on), a private server started by
 * tests/support/pg_proc. One transaction per batch on both sides. The store
 * and the floor run in alternating rounds so that load from other processes
 * on this shared machine falls on both alike.
 *
 * What it does not measure: HTTP and TLS in front of the store (the server
 * benchmark does), several connections at once.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "central_proto.h"
#include "central_store.h"
#include "hk_mem.h"
#include "pg_proc.h"
#ifdef HK_BENCH_LIBPQ
#include <libpq-fe.h>
#endif

#define BATCH_EVENTS  200
#define BODY_BYTES    300
#define ROUNDS        5
#define N_DEVICES     4
#define TARGET_EVS    10000.0
#define TARGET_FLOOR  25.0
#define FLOOR_COLUMNS 7

/* The rows both sides insert: the store ingests batches[i], the floor
 * inserts the same rows into its own table events_floor. */
typedef struct workload {
    central_batch_t *batches;
    int n_batches;
} workload_t;

/* A floor: open, insert one batch (one transaction), close. */
typedef struct floor_ops {
    void *(*open)(const char *target, char *why, size_t why_size);
    int (*insert)(void *h, const central_batch_t *b);
    void (*close)(void *h);
} floor_ops_t;

typedef struct side_result {
    double store_s, floor_s;
    long long events;
    char error[HK_DIAG_SIZE + 64];
} side_result_t;

static const char FLOOR_TABLE_SQL[] =
    "CREATE TABLE events_floor("
    " device TEXT NOT NULL, seq BIGINT NOT NULL CHECK(seq >= 1), uuid TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL, time_ms BIGINT NOT NULL, body TEXT NOT NULL,"
    " received_ms BIGINT NOT NULL, PRIMARY KEY(device, seq))";
static const char FLOOR_INDEX_SQL[] = "CREATE INDEX events_floor_time ON events_floor(time_ms)";

/* ---- the workload ------------------------------------------------------------ */

static int make_workload(workload_t *w, int n_events)
{
    int i, j;
    int64_t next_seq[N_DEVICES];

    memset(w, 0, sizeof(*w));
    w->n_batches = (n_events + BATCH_EVENTS - 1) / BATCH_EVENTS;
    w->batches = hk_calloc((size_t)w->n_batches, sizeof(central_batch_t));
    if(!w->batches)
        return -1;
    for(i = 0; i < N_DEVICES; i++)
        next_seq[i] = 1;
    for(i = 0; i < w->n_batches; i++) {
        central_batch_t *b = &w->batches[i];
        int dev = i % N_DEVICES;
        snprintf(b->device, sizeof(b->device), "bench-%d", dev + 1);
        snprintf(b->branch, sizeof(b->branch), "b001");
        b->events = hk_calloc(BATCH_EVENTS, sizeof(central_event_t));
        if(!b->events)
            return -1;
        b->n_events = BATCH_EVENTS;
        for(j = 0; j < BATCH_EVENTS; j++) {
            central_event_t *e = &b->events[j];
            char body[BODY_BYTES + 80];
            int n;
            e->seq = next_seq[dev]++;
            snprintf(e->uuid, sizeof(e->uuid), "%08x-%04x-4%03x-8000-%012" PRIx64,
                     0xbe0c0000u + (unsigned)dev, (unsigned)(e->seq >> 12) & 0xffffu,
                     (unsigned)(e->seq & 0xfff), (uint64_t)e->seq);
            snprintf(e->type, sizeof(e->type), "%s", j % 3 ? "ticket.issued" : "ticket.called");
            e->time_ms = 1764130000000 + e->seq * 750;
            n = snprintf(body, sizeof(body),
                         "{\"ticket_id\":%" PRId64 ",\"number\":\"A%03d\",\"service\":\"svc-%02d\","
                         "\"day\":\"2026-11-26\",\"lang\":\"zh-CN\",\"counter\":\"c%02d\","
                         "\"staff\":\"s%03d\",\"waiting\":%d,\"eta_s\":%d,\"note\":\"",
                         e->seq, (int)(e->seq % 1000), j % 12, j % 9, j % 40, j % 30,
                         60 * (j % 25));
            for(; n < BODY_BYTES - 2; n++)
                body[n] = (char)('a' + n % 26);
            body[n++] = '"';
            body[n++] = '}';
            body[n] = '\0';
            e->body = hk_strdup(body);
            if(!e->body)
                return -1;
        }
    }
    return 0;
}

static void free_workload(workload_t *w)
{
    int i;

    for(i = 0; w->batches && i < w->n_batches; i++)
        central_batch_free(&w->batches[i]);
    HK_SAFEFREE(w->batches);
}

/* ---- SQLite floor ------------------------------------------------------------- */

typedef struct sqlite_floor {
    sqlite3 *db;
    sqlite3_stmt *ins;
} sqlite_floor_t;

static void sqlite_floor_close(void *h)
{
    sqlite_floor_t *f = h;

    if(!f)
        return;
    sqlite3_finalize(f->ins);
    sqlite3_close(f->db);
    hk_free(f);
}

static void *sqlite_floor_open(const char *path, char *why, size_t why_size)
{
    sqlite_floor_t *f = hk_calloc(1, sizeof(*f));
    char sql[600];

    if(!f)
        return NULL;
    snprintf(sql, sizeof(sql), "%s WITHOUT ROWID", FLOOR_TABLE_SQL);
    if(sqlite3_open(path, &f->db) != SQLITE_OK || sqlite3_busy_timeout(f->db, 10000) != SQLITE_OK ||
       sqlite3_exec(f->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL) !=
           SQLITE_OK ||
       sqlite3_exec(f->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
       sqlite3_exec(f->db, FLOOR_INDEX_SQL, NULL, NULL, NULL) != SQLITE_OK ||
       sqlite3_prepare_v2(f->db,
                          "INSERT INTO events_floor(device, seq, uuid, type, time_ms, body, "
                          "received_ms) VALUES(?1,?2,?3,?4,?5,?6,?7)",
                          -1, &f->ins, NULL) != SQLITE_OK) {
        snprintf(why, why_size, "sqlite floor: %s", f->db ? sqlite3_errmsg(f->db) : "no memory");
        sqlite_floor_close(f);
        return NULL;
    }
    return f;
}

static int sqlite_floor_insert(void *h, const central_batch_t *b)
{
    sqlite_floor_t *f = h;
    int i, ok = 1;

    if(sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    for(i = 0; i < b->n_events && ok; i++) {
        const central_event_t *e = &b->events[i];
        sqlite3_bind_text(f->ins, 1, b->device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(f->ins, 2, e->seq);
        sqlite3_bind_text(f->ins, 3, e->uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(f->ins, 4, e->type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(f->ins, 5, e->time_ms);
        sqlite3_bind_text(f->ins, 6, e->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(f->ins, 7, e->time_ms);
        ok = sqlite3_step(f->ins) == SQLITE_DONE;
        sqlite3_reset(f->ins);
    }
    if(!ok) {
        (void)sqlite3_exec(f->db, "ROLLBACK", NULL, NULL, NULL); /* reported by the -1 */
        return -1;
    }
    return sqlite3_exec(f->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static const floor_ops_t SQLITE_FLOOR = { sqlite_floor_open, sqlite_floor_insert,
                                          sqlite_floor_close };

/* ---- PostgreSQL floor --------------------------------------------------------- */

#ifdef HK_BENCH_LIBPQ
static void pg_floor_close(void *h)
{
    if(h)
        PQfinish(h);
}

static bool pg_ok(PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    PQclear(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static void *pg_floor_open(const char *url, char *why, size_t why_size)
{
    PGconn *c = PQconnectdb(url);
    char *sql = NULL;
    size_t cap = (size_t)BATCH_EVENTS * FLOOR_COLUMNS * 8 + 200, len;
    int i;

    if(!c || PQstatus(c) != CONNECTION_OK) {
        snprintf(why, why_size, "postgres floor: cannot connect");
        pg_floor_close(c);
        return NULL;
    }
    sql = hk_malloc(cap);
    if(!sql || !pg_ok(PQexec(c, FLOOR_TABLE_SQL)) || !pg_ok(PQexec(c, FLOOR_INDEX_SQL))) {
        snprintf(why, why_size, "postgres floor: %s", PQerrorMessage(c));
        hk_free(sql);
        pg_floor_close(c);
        return NULL;
    }
    /* one multi-row INSERT of a whole batch: the plain way to load rows */
    len = (size_t)snprintf(sql, cap,
                           "INSERT INTO events_floor(device, seq, uuid, type, time_ms, body, "
                           "received_ms) VALUES");
    for(i = 0; i < BATCH_EVENTS; i++) {
        int p = i * FLOOR_COLUMNS;
        len += (size_t)snprintf(sql + len, cap - len, "%s($%d,$%d,$%d,$%d,$%d,$%d,$%d)",
                                i ? "," : "", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7);
    }
    if(!pg_ok(PQprepare(c, "floor", sql, 0, NULL))) {
        snprintf(why, why_size, "postgres floor: prepare: %s", PQerrorMessage(c));
        hk_free(sql);
        pg_floor_close(c);
        return NULL;
    }
    hk_free(sql);
    return c;
}

static int pg_floor_insert(void *h, const central_batch_t *b)
{
    static char nums[CENTRAL_BATCH_MAX_EVENTS][2][24];
    static const char *params[CENTRAL_BATCH_MAX_EVENTS * FLOOR_COLUMNS];
    char *sql;
    size_t cap, len;
    int i, rc;

    if(b->n_events < 1 || b->n_events > CENTRAL_BATCH_MAX_EVENTS)
        return -1;
    for(i = 0; i < b->n_events; i++) {
        const central_event_t *e = &b->events[i];
        const char **p = &params[i * FLOOR_COLUMNS];
        snprintf(nums[i][0], sizeof(nums[i][0]), "%" PRId64, e->seq);
        snprintf(nums[i][1], sizeof(nums[i][1]), "%" PRId64, e->time_ms);
        p[0] = b->device;
        p[1] = nums[i][0];
        p[2] = e->uuid;
        p[3] = e->type;
        p[4] = nums[i][1];
        p[5] = e->body;
        p[6] = nums[i][1];
    }
    if(b->n_events == BATCH_EVENTS)
        return pg_ok(
                   PQexecPrepared(h, "floor", BATCH_EVENTS * FLOOR_COLUMNS, params, NULL, NULL, 0))
                   ? 0
                   : -1;
    /* another batch size (the HTTP benchmark's 128 KB batches): the same
     * multi-row INSERT, unprepared */
    cap = (size_t)b->n_events * FLOOR_COLUMNS * 8 + 200;
    sql = hk_malloc(cap);
    if(!sql)
        return -1;
    len = (size_t)snprintf(sql, cap,
                           "INSERT INTO events_floor(device, seq, uuid, type, time_ms, body, "
                           "received_ms) VALUES");
    for(i = 0; i < b->n_events; i++) {
        int p = i * FLOOR_COLUMNS;
        len += (size_t)snprintf(sql + len, cap - len, "%s($%d,$%d,$%d,$%d,$%d,$%d,$%d)",
                                i ? "," : "", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7);
    }
    rc = pg_ok(PQexecParams(h, sql, b->n_events * FLOOR_COLUMNS, NULL, params, NULL, NULL, 0)) ? 0
                                                                                               : -1;
    hk_free(sql);
    return rc;
}

static const floor_ops_t PG_FLOOR = { pg_floor_open, pg_floor_insert, pg_floor_close };
#endif

/* ---- the floor for other parts (bench_central_net.c) ---------------------------- */

struct bench_floor {
    const floor_ops_t *ops;
    void *h;
};

bench_floor_t *bench_floor_open(const char *store_url, char *why, size_t why_size)
{
    bench_floor_t *f = hk_calloc(1, sizeof(*f));

    if(!f) {
        snprintf(why, why_size, "no memory");
        return NULL;
    }
    if(!strncmp(store_url, "sqlite:", 7)) {
        f->ops = &SQLITE_FLOOR;
        store_url += 7;
    } else {
#ifdef HK_BENCH_LIBPQ
        f->ops = &PG_FLOOR;
#else
        snprintf(why, why_size, "built without libpq");
        hk_free(f);
        return NULL;
#endif
    }
    f->h = f->ops->open(store_url, why, why_size);
    if(!f->h) {
        hk_free(f);
        return NULL;
    }
    return f;
}

int bench_floor_insert(bench_floor_t *f, const central_batch_t *b)
{
    return f->ops->insert(f->h, b);
}

void bench_floor_close(bench_floor_t *f)
{
    if(!f)
        return;
    f->ops->close(f->h);
    hk_free(f);
}

/* ---- the run ---------------------------------------------------------------------- */

/* Store and floor in ROUNDS alternating slices of the workload. */
static void run_side(const char *store_url, const char *floor_target, const floor_ops_t *fo,
                     const workload_t *w, side_result_t *r)
{
    central_store_t *s = NULL;
    hk_diag_t diag = { { 0 } };
    void *floor;
    int round, i;

    memset(r, 0, sizeof(*r));
    if(central_store_open(store_url, &s, &diag) != HK_OK) {
        snprintf(r->error, sizeof(r->error), "store: %s", diag.msg);
        return;
    }
    floor = fo->open(floor_target, r->error, sizeof(r->error));
    if(!floor) {
        central_store_close(s);
        return;
    }
    for(round = 0; round < ROUNDS && !r->error[0]; round++) {
        int from = w->n_batches * round / ROUNDS, to = w->n_batches * (round + 1) / ROUNDS;
        int64_t t0 = bench_now_ns();
        for(i = from; i < to && !r->error[0]; i++) {
            central_ack_t ack;
            hk_err_t rc = central_store_ingest(s, &w->batches[i], &ack, &diag);
            if(rc != HK_OK || ack.acked_seq != w->batches[i].events[BATCH_EVENTS - 1].seq)
                snprintf(r->error, sizeof(r->error), "ingest: %s %s", hk_err_str(rc), diag.msg);
            central_ack_free(&ack);
        }
        r->store_s += (double)(bench_now_ns() - t0) / 1e9;
        t0 = bench_now_ns();
        for(i = from; i < to && !r->error[0]; i++)
            if(fo->insert(floor, &w->batches[i]) != 0)
                snprintf(r->error, sizeof(r->error), "floor insert failed (batch %d)", i);
        r->floor_s += (double)(bench_now_ns() - t0) / 1e9;
        r->events += (long long)(to - from) * BATCH_EVENTS;
    }
    fo->close(floor);
    central_store_close(s);
}

static void report(bench_table_t *t, const char *name, const side_result_t *r)
{
    char measure[64];
    double evs, floor_evs, pct;

    snprintf(measure, sizeof(measure), "central ingest, %s, events/s", name);
    if(r->error[0] || r->store_s <= 0 || r->floor_s <= 0) {
        bench_row(t, measure, BENCH_NOT_MEASURED, ">= 10000", "%.90s",
                  r->error[0] ? r->error : "no time measured");
        return;
    }
    evs = (double)r->events / r->store_s;
    floor_evs = (double)r->events / r->floor_s;
    pct = 100.0 * evs / floor_evs;
    bench_row(t, measure, evs >= TARGET_EVS ? BENCH_OK : BENCH_MISSED, ">= 10000", "%.0f", evs);
    snprintf(measure, sizeof(measure), "  floor: bare batched INSERT, %s", name);
    bench_row(t, measure, BENCH_INFO, "-", "%.0f events/s", floor_evs);
    snprintf(measure, sizeof(measure), "  %s ingest, %% of floor", name);
    bench_row(t, measure, pct >= TARGET_FLOOR ? BENCH_OK : BENCH_MISSED, ">= 25 %", "%.1f %%", pct);
}

void bench_central(const bench_opts_t *o, bench_table_t *t)
{
    workload_t w;
    side_result_t r;
    char dir[1024], url[1100], why[512], load[128];
    pg_proc_t *pg = NULL;

    if(make_workload(&w, o->central_events) != 0) {
        bench_row(t, "central ingest", BENCH_NOT_MEASURED, "-", "out of memory");
        free_workload(&w);
        return;
    }

    /* SQLite: a fresh file under the work dir */
    if(bench_mkdtemp(o, "central", dir, sizeof(dir)) == 0) {
        snprintf(url, sizeof(url), "sqlite:%s/central.db", dir);
        run_side(url, url + 7, &SQLITE_FLOOR, &w, &r);
        report(t, "SQLite", &r);
        bench_rm_rf(dir);
    } else {
        bench_row(t, "central ingest, SQLite, events/s", BENCH_NOT_MEASURED, ">= 10000",
                  "no work dir");
    }

    /* PostgreSQL: a private server with its durable defaults */
#ifdef HK_BENCH_LIBPQ
    if(pg_proc_start(true, &pg, why, sizeof(why)) == 0) {
        run_side(pg_proc_url(pg), pg_proc_url(pg), &PG_FLOOR, &w, &r);
        report(t, "PostgreSQL", &r);
        pg_proc_stop(pg);
    } else {
        bench_row(t, "central ingest, PostgreSQL, events/s", BENCH_NOT_MEASURED, ">= 10000",
                  "%.90s", why);
    }
#else
    (void)pg;
    snprintf(why, sizeof(why), "built without libpq");
    bench_row(t, "central ingest, PostgreSQL, events/s", BENCH_NOT_MEASURED, ">= 10000", "%s", why);
#endif
    bench_note(t,
               "central ingest: %d events, batches of %d (a transaction each), %d-byte bodies, "
               "%d devices, %d alternating rounds; SQLite WAL+synchronous=FULL, PostgreSQL "
               "fsync+synchronous_commit on",
               w.n_batches * BATCH_EVENTS, BATCH_EVENTS, BODY_BYTES, N_DEVICES, ROUNDS);
    if(bench_read_file("/proc/loadavg", load, sizeof(load)) >= 0) {
        load[strcspn(load, " ")] = '\0';
        bench_note(t, "central ingest: 1-minute load average %s on %ld CPUs (shared machine)", load,
                   sysconf(_SC_NPROCESSORS_ONLN));
    }
    free_workload(&w);
}
