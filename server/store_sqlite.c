/*
 * store_sqlite: hall-central's embedded storage backend (the default,
 * "sqlite:PATH"): one SQLite file in WAL mode with synchronous=FULL, one
 * connection per central_store_t (so per server thread), writers
 * serialised by SQLite's file lock and waiting up to BUSY_TIMEOUT_MS for
 * it. It knows the tables of central_store.h and nothing of HTTP.
 *
 * Design notes
 * ------------
 * Schema (PRAGMA user_version):
 *   0  empty file
 *   1  devices, events, device_progress, configs, heartbeats
 *   2  events.branch and events.day (+ index), cases, alerts: a version 1
 *      file is migrated at open (ALTER TABLE for the columns it lacks)
 *   3  enrol_codes (PROVISION): one-time enrolment codes, by their hash
 * A new file gets version 1 in one BEGIN IMMEDIATE transaction that
 * re-reads the version inside it, so two processes (or threads) opening a
 * new file at once do not both create it.
 *
 * Ingest (one batch = one BEGIN IMMEDIATE ... COMMIT):
 *   for each event: INSERT ... ON CONFLICT DO NOTHING (both the primary
 *   key (device, seq) and uuid are unique). One row changed -> stored.
 *   Nothing changed -> the row holding that (device, seq) is read: the
 *   same uuid, type, time_ms and body -> duplicate; anything else, or no
 *   such row (the uuid is held under another (device, seq)) -> conflict:
 *   ROLLBACK, HK_ERR_CONFLICT, diag names the event. Nothing of the batch
 *   stays.
 *   Then acked_seq: from device_progress.acked_seq A, walk the device's
 *   seqs above A in order while they are A+1, A+2, ... and store the last
 *   (so a gap holds it back, and filling the gap releases everything held
 *   behind it in one step). Each walk reads the newly contiguous rows and
 *   one more.
 *   Each newly stored event (not a duplicate) of a type that may derive
 *   something (central_store_type_derives) gets its case and alert,
 *   INSERT OR IGNORE on the source uuid, under the same savepoint: a
 *   rolled back batch leaves none behind. Events carry their device's
 *   registry branch (read once per batch) and the body's day.
 *   COMMIT (durable: synchronous=FULL) before the ack is returned, so an
 *   ack never names an event a crash could lose.
 * Group commit: a commit costs an fsync, and 500 devices each sending a
 *   small batch would otherwise queue on the disk one fsync each. The
 *   connections of this process to one file share a group_t: a batch is
 *   queued as a job_t; a thread that finds no leader becomes it, takes
 *   every queued job, runs them in ONE transaction, each under its own
 *   savepoint (a conflicting batch is rolled back to its savepoint alone,
 *   as if it had been its own transaction), commits once, marks the jobs
 *   done and wakes their threads; then the next waiter leads the jobs
 *   queued meanwhile. The leader runs other threads' batches on its own
 *   connection (the same file). A failed commit fails every batch of the
 *   group (none was acked). Nothing is acked before the commit returns.
 * Errors: SQLITE_BUSY/LOCKED after the timeout -> HK_ERR_BUSY; other
 *   failures -> HK_ERR_IO (the server answers 503 to both).
 * Statements are prepared once per connection (the stmts[] table, indexed
 * by the SQL_* enum) and reset after each use.
 *
 * Invariants:
 *   - device_progress.acked_seq = the highest S with every seq 1..S of the
 *     device in events (maintained only inside ingest transactions);
 *   - an events row is never changed or deleted here.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "central_store_impl.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"

#define BUSY_TIMEOUT_MS 5000
#define SCHEMA_VERSION  3
#define LOG_MOD         "central"

enum {
    SQL_BEGIN,
    SQL_COMMIT,
    SQL_ROLLBACK,
    SQL_SAVEPOINT,
    SQL_RELEASE,
    SQL_ROLLBACK_TO,
    SQL_DEVICE_PUT,
    SQL_DEVICE_GET,
    SQL_EVENT_INSERT,
    SQL_EVENT_AT,
    SQL_PROGRESS_GET,
    SQL_PROGRESS_PUT,
    SQL_SEQS_AFTER,
    SQL_COUNT,
    SQL_CONFIG_PUT,
    SQL_CONFIG_GET,
    SQL_HEARTBEAT,
    SQL_BRANCH_OF,
    SQL_CASE_INSERT,
    SQL_ALERT_INSERT,
    SQL_DAY_EVENTS,
    SQL_CASE_GET,
    SQL_CASE_UPDATE,
    SQL_CASE_VERSION,
    SQL_CASES_LIST,
    SQL_ALERTS_LIST,
    SQL_CODE_PUT,
    SQL_CODE_TAKE,
    SQL_CODE_GET,
    SQL_N
};

/* A batch waiting for (or in) a group commit. Lives on its thread's stack. */
typedef struct job {
    central_store_t *owner; /* the caller's handle: zone, limits, its alerts */
    const central_batch_t *b;
    central_ack_t *ack;
    hk_diag_t *diag;
    hk_err_t rc;
    bool done;
    struct job *next;
} job_t;

/* The connections of this process to one file share a queue of batches:
 * see "Group commit" in the design notes. */
typedef struct group {
    char *path;
    int refs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool leading;
    job_t *head, *tail;
    struct group *next;
} group_t;

typedef struct sq_store {
    central_store_t base; /* first: central_store.c sees only this */
    sqlite3 *db;
    group_t *group;
    sqlite3_stmt *st[SQL_N];
} sq_store_t;

static hk_err_t sq_err(int src);
static hk_err_t exec_sql(sqlite3 *db, const char *sql, hk_diag_t *diag);
static hk_err_t migrate(sqlite3 *db, hk_diag_t *diag);
static sqlite3_stmt *stmt(sq_store_t *q, int which);
static void sq_close(central_store_t *s);
static hk_err_t sq_device_put(central_store_t *s, const central_device_t *d);
static hk_err_t sq_device_get(central_store_t *s, const char *id, central_device_t *out);
static hk_err_t sq_ingest(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                          hk_diag_t *diag);
static hk_err_t sq_acked_seq(central_store_t *s, const char *device, int64_t *out);
static hk_err_t sq_count_events(central_store_t *s, const char *device, int64_t *out);
static hk_err_t sq_config_put(central_store_t *s, const char *branch, const char *json);
static hk_err_t sq_config_get(central_store_t *s, const char *branch, char **json_out,
                              char etag_out[CENTRAL_ETAG_LEN]);
static hk_err_t sq_heartbeat(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms);
static hk_err_t sq_code_put(central_store_t *s, const char *code_hash, const char *device,
                            int64_t now_ms, int64_t expires_ms);
static hk_err_t sq_code_take(central_store_t *s, const char *code_hash, const char *device,
                             int64_t now_ms, central_code_state_t *state_out);
static hk_err_t sq_day_events(central_store_t *s, const char *branch, const char *day,
                              central_event_row_t **out, int *n_out);
static hk_err_t sq_case_get(central_store_t *s, const char *id, cases_case_t *out);
static hk_err_t sq_case_update(central_store_t *s, const cases_case_t *c, int64_t expected_version);
static hk_err_t sq_cases_list(central_store_t *s, const char *const *branches, int n_branches,
                              bool open_only, cases_case_t **out, int *n_out);
static hk_err_t sq_alerts_list(central_store_t *s, const char *const *branches, int n_branches,
                               int64_t since_ms, int max, alert_t **out, int *n_out);

/* Writers of this process queue here rather than in SQLite's busy handler,
 * which sleeps in steps of up to 100 ms between tries: with a few server
 * threads contending for the write lock that sleeping, not the disk, set
 * the pace. Other processes on the same file still meet the busy timeout. */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t groups_mu = PTHREAD_MUTEX_INITIALIZER;
static group_t *groups; /* guarded by groups_mu */

/* The group of path, made on first use; NULL: out of memory. */
static group_t *group_get(const char *path)
{
    group_t *g;

    pthread_mutex_lock(&groups_mu);
    for(g = groups; g && strcmp(g->path, path) != 0; g = g->next)
        ;
    if(!g) {
        g = hk_calloc(1, sizeof(*g));
        if(g)
            g->path = hk_strdup(path);
        if(g && !g->path)
            HK_SAFEFREE(g);
        if(g) {
            pthread_mutex_init(&g->mu, NULL);
            pthread_cond_init(&g->cv, NULL);
            g->next = groups;
            groups = g;
        }
    }
    if(g)
        g->refs++;
    pthread_mutex_unlock(&groups_mu);
    return g;
}

static void group_put(group_t *g)
{
    group_t **p;

    if(!g)
        return;
    pthread_mutex_lock(&groups_mu);
    if(--g->refs == 0) {
        for(p = &groups; *p != g; p = &(*p)->next)
            ;
        *p = g->next;
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        hk_free(g->path);
        hk_free(g);
    }
    pthread_mutex_unlock(&groups_mu);
}

static const central_store_ops_t sq_ops = {
    .kind = "sqlite",
    .close = sq_close,
    .device_put = sq_device_put,
    .device_get = sq_device_get,
    .ingest = sq_ingest,
    .acked_seq = sq_acked_seq,
    .count_events = sq_count_events,
    .config_put = sq_config_put,
    .config_get = sq_config_get,
    .heartbeat = sq_heartbeat,
    .enrol_code_put = sq_code_put,
    .enrol_code_take = sq_code_take,
    .day_events = sq_day_events,
    .case_get = sq_case_get,
    .case_update = sq_case_update,
    .cases_list = sq_cases_list,
    .alerts_list = sq_alerts_list,
};

/* The columns of cases, in the order case_bind / case_read use. */
#define CASE_COLS                                                                                 \
    "id, kind, branch, device, number, day, counter, staff, level, opened_ms, deadline_ms, "      \
    "owner, callback_attempts, callback_reached, callback_ms, callback_note, closed, closed_ms, " \
    "cause, close_note, version"
#define ALERT_COLS "kind, branch, device, seq, number, counter, staff, level, wait_s, time_ms"
/* NULL = every branch; else a JSON array of ids */
#define BRANCH_FILTER "(?1 IS NULL OR branch IN (SELECT value FROM json_each(?1)))"

static const char *const sql_text[SQL_N] = {
    [SQL_BEGIN] = "BEGIN IMMEDIATE",
    [SQL_COMMIT] = "COMMIT",
    [SQL_ROLLBACK] = "ROLLBACK",
    [SQL_SAVEPOINT] = "SAVEPOINT b",
    [SQL_RELEASE] = "RELEASE b",
    [SQL_ROLLBACK_TO] = "ROLLBACK TO b",
    [SQL_DEVICE_PUT] = "INSERT INTO devices(id, branch, token_hash, enabled) VALUES(?1,?2,?3,?4) "
                       "ON CONFLICT(id) DO UPDATE SET branch=excluded.branch, "
                       "token_hash=excluded.token_hash, enabled=excluded.enabled",
    [SQL_DEVICE_GET] = "SELECT branch, token_hash, enabled FROM devices WHERE id=?1",
    [SQL_EVENT_INSERT] = "INSERT INTO events(device, seq, uuid, type, time_ms, body, received_ms, "
                         "branch, day) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) ON CONFLICT DO NOTHING",
    [SQL_EVENT_AT] = "SELECT uuid, type, time_ms, body FROM events WHERE device=?1 AND seq=?2",
    [SQL_PROGRESS_GET] = "SELECT acked_seq FROM device_progress WHERE device=?1",
    [SQL_PROGRESS_PUT] = "INSERT INTO device_progress(device, acked_seq) VALUES(?1,?2) "
                         "ON CONFLICT(device) DO UPDATE SET acked_seq=excluded.acked_seq",
    [SQL_SEQS_AFTER] = "SELECT seq FROM events WHERE device=?1 AND seq>?2 ORDER BY seq",
    [SQL_COUNT] = "SELECT count(*) FROM events WHERE device=?1",
    [SQL_CONFIG_PUT] = "INSERT INTO configs(branch, json, etag) VALUES(?1,?2,?3) "
                       "ON CONFLICT(branch) DO UPDATE SET json=excluded.json, etag=excluded.etag",
    [SQL_CONFIG_GET] = "SELECT json, etag FROM configs WHERE branch=?1",
    [SQL_HEARTBEAT] =
        "INSERT INTO heartbeats(device, branch, version, uptime_s, backlog, printer, "
        "disk_free_mb, last_error, received_ms) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9) "
        "ON CONFLICT(device) DO UPDATE SET branch=excluded.branch, version=excluded.version, "
        "uptime_s=excluded.uptime_s, backlog=excluded.backlog, printer=excluded.printer, "
        "disk_free_mb=excluded.disk_free_mb, last_error=excluded.last_error, "
        "received_ms=excluded.received_ms",
    [SQL_BRANCH_OF] = "SELECT branch FROM devices WHERE id=?1",
    [SQL_CASE_INSERT] = "INSERT OR IGNORE INTO cases(" CASE_COLS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,"
                        "?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)",
    [SQL_ALERT_INSERT] = "INSERT OR IGNORE INTO alerts(uuid, " ALERT_COLS ") "
                         "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    [SQL_DAY_EVENTS] = "SELECT device, seq, uuid, type, time_ms, body FROM events "
                       "WHERE branch=?1 AND day=?2 ORDER BY device, seq",
    [SQL_CASE_GET] = "SELECT " CASE_COLS " FROM cases WHERE id=?1",
    [SQL_CASE_UPDATE] = "UPDATE cases SET owner=?12, callback_attempts=?13, callback_reached=?14, "
                        "callback_ms=?15, callback_note=?16, closed=?17, closed_ms=?18, cause=?19, "
                        "close_note=?20, version=version+1 WHERE id=?1 AND version=?21",
    [SQL_CASE_VERSION] = "SELECT version FROM cases WHERE id=?1",
    [SQL_CASES_LIST] = "SELECT " CASE_COLS " FROM cases WHERE " BRANCH_FILTER
                       " AND (?2 = 0 OR closed = 0) ORDER BY deadline_ms, id",
    [SQL_ALERTS_LIST] = "SELECT " ALERT_COLS " FROM alerts WHERE " BRANCH_FILTER
                        " AND time_ms >= ?2 ORDER BY time_ms DESC, device, seq LIMIT ?3",
    [SQL_CODE_PUT] = "INSERT INTO enrol_codes(code_hash, device, created_ms, expires_ms, used_ms) "
                     "VALUES(?1,?2,?3,?4,0)",
    [SQL_CODE_TAKE] = "UPDATE enrol_codes SET used_ms=?3 WHERE code_hash=?1 AND device=?2 "
                      "AND used_ms=0 AND expires_ms>?3",
    [SQL_CODE_GET] = "SELECT used_ms FROM enrol_codes WHERE code_hash=?1 AND device=?2",
};

/* The whole schema, version 1. */
static const char schema_v1[] = "CREATE TABLE devices("
                                "  id TEXT PRIMARY KEY,"
                                "  branch TEXT NOT NULL,"
                                "  token_hash TEXT NOT NULL DEFAULT '',"
                                "  enabled INTEGER NOT NULL DEFAULT 1 CHECK(enabled IN (0,1))"
                                ") WITHOUT ROWID;"
                                "CREATE TABLE events("
                                "  device TEXT NOT NULL,"
                                "  seq INTEGER NOT NULL CHECK(seq >= 1),"
                                "  uuid TEXT NOT NULL UNIQUE,"
                                "  type TEXT NOT NULL,"
                                "  time_ms INTEGER NOT NULL,"
                                "  body TEXT NOT NULL,"
                                "  received_ms INTEGER NOT NULL,"
                                "  PRIMARY KEY(device, seq)"
                                ") WITHOUT ROWID;"
                                "CREATE INDEX events_time ON events(time_ms);"
                                "CREATE TABLE device_progress("
                                "  device TEXT PRIMARY KEY,"
                                "  acked_seq INTEGER NOT NULL CHECK(acked_seq >= 0)"
                                ") WITHOUT ROWID;"
                                "CREATE TABLE configs("
                                "  branch TEXT PRIMARY KEY,"
                                "  json TEXT NOT NULL,"
                                "  etag TEXT NOT NULL"
                                ") WITHOUT ROWID;"
                                "CREATE TABLE heartbeats("
                                "  device TEXT PRIMARY KEY,"
                                "  branch TEXT NOT NULL,"
                                "  version TEXT NOT NULL,"
                                "  uptime_s INTEGER NOT NULL,"
                                "  backlog INTEGER NOT NULL,"
                                "  printer TEXT NOT NULL,"
                                "  disk_free_mb INTEGER NOT NULL,"
                                "  last_error TEXT NOT NULL,"
                                "  received_ms INTEGER NOT NULL"
                                ") WITHOUT ROWID;";

/* Version 2's additions to version 1 (the events columns are added apart,
 * only when missing). */
static const char schema_v2[] =
    "CREATE INDEX IF NOT EXISTS events_branch_day ON events(branch, day);"
    "CREATE TABLE IF NOT EXISTS cases("
    "  id TEXT PRIMARY KEY,"
    "  kind INTEGER NOT NULL,"
    "  branch TEXT NOT NULL,"
    "  device TEXT NOT NULL,"
    "  number TEXT NOT NULL,"
    "  day TEXT NOT NULL,"
    "  counter TEXT NOT NULL,"
    "  staff TEXT NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  opened_ms INTEGER NOT NULL,"
    "  deadline_ms INTEGER NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  callback_attempts INTEGER NOT NULL,"
    "  callback_reached INTEGER NOT NULL,"
    "  callback_ms INTEGER NOT NULL,"
    "  callback_note TEXT NOT NULL,"
    "  closed INTEGER NOT NULL,"
    "  closed_ms INTEGER NOT NULL,"
    "  cause TEXT NOT NULL,"
    "  close_note TEXT NOT NULL,"
    "  version INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS cases_deadline ON cases(deadline_ms);"
    "CREATE INDEX IF NOT EXISTS cases_branch ON cases(branch, deadline_ms);"
    "CREATE TABLE IF NOT EXISTS alerts("
    "  uuid TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  branch TEXT NOT NULL,"
    "  device TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  number TEXT NOT NULL,"
    "  counter TEXT NOT NULL,"
    "  staff TEXT NOT NULL,"
    "  level INTEGER NOT NULL,"
    "  wait_s INTEGER NOT NULL,"
    "  time_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS alerts_time ON alerts(time_ms);";

/* Version 3's addition (PROVISION): enrolment codes, only their SHA-256. */
static const char schema_v3[] = "CREATE TABLE IF NOT EXISTS enrol_codes("
                                "  code_hash TEXT PRIMARY KEY,"
                                "  device TEXT NOT NULL,"
                                "  created_ms INTEGER NOT NULL,"
                                "  expires_ms INTEGER NOT NULL,"
                                "  used_ms INTEGER NOT NULL DEFAULT 0"
                                ") WITHOUT ROWID;";

/* ---- open -------------------------------------------------------------------- */

hk_err_t central_sqlite_open(const char *url, central_store_t **out, hk_diag_t *diag)
{
    const char *path = url + 7; /* after "sqlite:" (central_store_open checked it) */
    sqlite3_stmt *st = NULL;
    sq_store_t *q = NULL;
    sqlite3 *db = NULL;
    hk_err_t rc = HK_OK;
    int src, i;

    *out = NULL;
    if(!strncmp(path, "//", 2))
        path += 2; /* "sqlite://PATH" is taken too */
    if(!path[0]) {
        hk_diag_set(diag, "store: sqlite: needs a file path (sqlite:central.db)");
        return HK_ERR_INVALID;
    }
    src = sqlite3_open_v2(path, &db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if(src != SQLITE_OK) {
        hk_diag_set(diag, "store: %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
        rc = HK_ERR_IO;
        goto out;
    }
    (void)sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS); /* only fails on a NULL db */
    /* WAL is a property of the file; confirm it took */
    src = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0);
        if(!m || strcmp((const char *)m, "wal") != 0)
            hk_log_warn(LOG_MOD, "%s: journal_mode is %s, not wal", path,
                        m ? (const char *)m : "?");
        src = SQLITE_OK;
    }
    (void)sqlite3_finalize(st); /* step's result is the one that matters */
    if(src != SQLITE_OK) {
        hk_diag_set(diag, "store: %s: %s", path, sqlite3_errmsg(db));
        rc = sq_err(src) == HK_ERR_BUSY ? HK_ERR_BUSY : HK_ERR_IO;
        goto out;
    }
    rc = exec_sql(db, "PRAGMA synchronous=FULL;", diag);
    if(rc == HK_OK)
        rc = migrate(db, diag);
    if(rc != HK_OK)
        goto out;
    q = hk_calloc(1, sizeof(*q));
    if(!q) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    q->base.ops = &sq_ops;
    q->db = db;
    db = NULL;
    q->group = group_get(path);
    if(!q->group) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    for(i = 0; i < SQL_N; i++) {
        src =
            sqlite3_prepare_v3(q->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i], NULL);
        if(src != SQLITE_OK) {
            hk_diag_set(diag, "store: %s: preparing: %s", path, sqlite3_errmsg(q->db));
            rc = sq_err(src);
            goto out;
        }
    }
    *out = &q->base;
    q = NULL;
out:
    if(q)
        sq_close(&q->base);
    if(db)
        (void)sqlite3_close_v2(db);
    return rc;
}

static void sq_close(central_store_t *s)
{
    sq_store_t *q = (sq_store_t *)s;
    int i;

    for(i = 0; i < SQL_N; i++)
        (void)sqlite3_finalize(q->st[i]);
    (void)sqlite3_close_v2(q->db);
    group_put(q->group);
    hk_free(q);
}

/* ---- devices ------------------------------------------------------------------ */

static hk_err_t sq_device_put(central_store_t *s, const central_device_t *d)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_DEVICE_PUT);
    int src;

    sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d->branch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->token_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, d->enabled ? 1 : 0);
    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    pthread_mutex_unlock(&write_mu);
    return src == SQLITE_DONE ? HK_OK : sq_err(src);
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static hk_err_t sq_device_get(central_store_t *s, const char *id, central_device_t *out)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_DEVICE_GET);
    hk_err_t rc = HK_ERR_NOT_FOUND;
    int src;

    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        snprintf(out->id, sizeof(out->id), "%s", id);
        copy_col(st, 0, out->branch, sizeof(out->branch));
        copy_col(st, 1, out->token_hash, sizeof(out->token_hash));
        out->enabled = sqlite3_column_int(st, 2) != 0;
        rc = HK_OK;
    } else if(src != SQLITE_DONE) {
        rc = sq_err(src);
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- events ------------------------------------------------------------------- */

/* Is the row at (device, ev->seq) exactly ev? HK_OK yes, HK_ERR_CONFLICT
 * no (or no such row: the uuid is held elsewhere), other = a read error. */
static hk_err_t same_event(sq_store_t *q, const char *device, const central_event_t *ev)
{
    sqlite3_stmt *st = stmt(q, SQL_EVENT_AT);
    hk_err_t rc = HK_ERR_CONFLICT;
    int src;

    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, ev->seq);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        const char *uuid = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        const char *body = (const char *)sqlite3_column_text(st, 3);
        if(uuid && type && body && !strcmp(uuid, ev->uuid) && !strcmp(type, ev->type) &&
           sqlite3_column_int64(st, 2) == ev->time_ms && !strcmp(body, ev->body))
            rc = HK_OK;
    } else if(src != SQLITE_DONE) {
        rc = sq_err(src);
    }
    sqlite3_reset(st);
    return rc;
}

static hk_err_t read_acked(sq_store_t *q, const char *device, int64_t *out)
{
    sqlite3_stmt *st = stmt(q, SQL_PROGRESS_GET);
    int src;

    *out = 0;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? HK_OK : sq_err(src);
}

/* Walk the contiguous seqs above the stored acked_seq; store the new end. */
static hk_err_t advance_acked(sq_store_t *q, const char *device, int64_t *out)
{
    sqlite3_stmt *st;
    int64_t acked;
    hk_err_t rc;
    int src;

    rc = read_acked(q, device, &acked);
    if(rc != HK_OK)
        return rc;
    st = stmt(q, SQL_SEQS_AFTER);
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, acked);
    while((src = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) == acked + 1)
        acked++;
    sqlite3_reset(st);
    if(src != SQLITE_ROW && src != SQLITE_DONE)
        return sq_err(src);
    st = stmt(q, SQL_PROGRESS_PUT);
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, acked);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    if(src != SQLITE_DONE)
        return sq_err(src);
    *out = acked;
    return HK_OK;
}

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
    if(text && text[0])
        sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, col);
}

/* Every column of CASE_COLS (?1..?21); c must outlive the step. */
static void case_bind(sqlite3_stmt *st, const cases_case_t *c)
{
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)c->kind);
    sqlite3_bind_text(st, 3, c->branch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, c->number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, c->day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, c->counter, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, c->staff, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, c->level);
    sqlite3_bind_int64(st, 10, c->opened_ms);
    sqlite3_bind_int64(st, 11, c->deadline_ms);
    sqlite3_bind_text(st, 12, c->owner, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 13, c->callback_attempts);
    sqlite3_bind_int(st, 14, c->callback_reached ? 1 : 0);
    sqlite3_bind_int64(st, 15, c->callback_ms);
    sqlite3_bind_text(st, 16, c->callback_note, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 17, c->closed ? 1 : 0);
    sqlite3_bind_int64(st, 18, c->closed_ms);
    sqlite3_bind_text(st, 19, c->cause, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 20, c->close_note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 21, c->version);
}

/* A row of SELECT CASE_COLS. */
static void case_read(sqlite3_stmt *st, cases_case_t *c)
{
    memset(c, 0, sizeof(*c));
    copy_col(st, 0, c->id, sizeof(c->id));
    c->kind = sqlite3_column_int(st, 1) == CASES_SUBMISSION ? CASES_SUBMISSION : CASES_RATING;
    copy_col(st, 2, c->branch, sizeof(c->branch));
    copy_col(st, 3, c->device, sizeof(c->device));
    copy_col(st, 4, c->number, sizeof(c->number));
    copy_col(st, 5, c->day, sizeof(c->day));
    copy_col(st, 6, c->counter, sizeof(c->counter));
    copy_col(st, 7, c->staff, sizeof(c->staff));
    c->level = sqlite3_column_int(st, 8);
    c->opened_ms = sqlite3_column_int64(st, 9);
    c->deadline_ms = sqlite3_column_int64(st, 10);
    copy_col(st, 11, c->owner, sizeof(c->owner));
    c->callback_attempts = sqlite3_column_int(st, 12);
    c->callback_reached = sqlite3_column_int(st, 13) != 0;
    c->callback_ms = sqlite3_column_int64(st, 14);
    copy_col(st, 15, c->callback_note, sizeof(c->callback_note));
    c->closed = sqlite3_column_int(st, 16) != 0;
    c->closed_ms = sqlite3_column_int64(st, 17);
    copy_col(st, 18, c->cause, sizeof(c->cause));
    copy_col(st, 19, c->close_note, sizeof(c->close_note));
    c->version = sqlite3_column_int64(st, 20);
}

/* A row of SELECT ALERT_COLS into an alert_t. */
static void alert_read(sqlite3_stmt *st, void *row)
{
    alert_t *a = row;

    memset(a, 0, sizeof(*a));
    copy_col(st, 0, a->kind, sizeof(a->kind));
    copy_col(st, 1, a->branch, sizeof(a->branch));
    copy_col(st, 2, a->device, sizeof(a->device));
    a->seq = sqlite3_column_int64(st, 3);
    copy_col(st, 4, a->number, sizeof(a->number));
    copy_col(st, 5, a->counter, sizeof(a->counter));
    copy_col(st, 6, a->staff, sizeof(a->staff));
    a->level = sqlite3_column_int(st, 7);
    a->wait_s = sqlite3_column_int(st, 8);
    a->time_ms = sqlite3_column_int64(st, 9);
}

/* The registry branch of device into out ("" when it is not registered). */
static hk_err_t branch_of(sq_store_t *q, const char *device, char out[CENTRAL_ID_LEN])
{
    sqlite3_stmt *st = stmt(q, SQL_BRANCH_OF);
    int src;

    out[0] = '\0';
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        copy_col(st, 0, out, CENTRAL_ID_LEN);
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? HK_OK : sq_err(src);
}

/* The case and alert a newly stored event derives, stored once (keyed by
 * its uuid); an alert stored now joins owner's list of raised ones. */
static hk_err_t derive_one(sq_store_t *q, central_store_t *owner, const char *branch,
                           const char *device, const central_event_t *ev)
{
    bool has_case, has_alert;
    cases_case_t c;
    alert_t a;
    sqlite3_stmt *st;
    int src;

    central_store_derive(owner, branch, device, ev, &has_case, &c, &has_alert, &a);
    if(has_case) {
        st = stmt(q, SQL_CASE_INSERT);
        case_bind(st, &c);
        src = sqlite3_step(st);
        sqlite3_reset(st);
        if(src != SQLITE_DONE)
            return sq_err(src);
    }
    if(!has_alert)
        return HK_OK;
    st = stmt(q, SQL_ALERT_INSERT);
    sqlite3_bind_text(st, 1, ev->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a.kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a.branch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a.device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, a.seq);
    sqlite3_bind_text(st, 6, a.number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, a.counter, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, a.staff, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, a.level);
    sqlite3_bind_int(st, 10, a.wait_s);
    sqlite3_bind_int64(st, 11, a.time_ms);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    if(src != SQLITE_DONE)
        return sq_err(src);
    return sqlite3_changes(q->db) == 1 ? central_store_alert_add(owner, &a) : HK_OK;
}

static int64_t now_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One batch inside the open transaction, under savepoint "b": its events,
 * then acked_seq. On an error the savepoint is rolled back (the other
 * batches of the group stay) and nothing is handed out. */
static hk_err_t ingest_one(sq_store_t *q, job_t *j, int64_t now)
{
    const central_batch_t *b = j->b;
    central_result_t *res;
    char branch[CENTRAL_ID_LEN], day[11];
    int64_t acked = 0;
    hk_err_t rc;
    int src, i;

    rc = central_store_ack_open(b, j->ack);
    if(rc != HK_OK)
        return rc;
    res = j->ack->results;
    src = sqlite3_step(stmt(q, SQL_SAVEPOINT));
    sqlite3_reset(q->st[SQL_SAVEPOINT]);
    if(src != SQLITE_DONE) {
        central_store_ack_drop(j->ack);
        hk_diag_set(j->diag, "store: savepoint: %s", sqlite3_errmsg(q->db));
        return sq_err(src);
    }
    rc = branch_of(q, b->device, branch);
    if(rc != HK_OK)
        hk_diag_set(j->diag, "store: reading the device: %s", sqlite3_errmsg(q->db));
    for(i = 0; i < b->n_events && rc == HK_OK; i++) {
        const central_event_t *ev = &b->events[i];
        sqlite3_stmt *st;

        rc = central_store_body_day(ev->body, day);
        if(rc != HK_OK)
            break;
        st = stmt(q, SQL_EVENT_INSERT);

        sqlite3_bind_text(st, 1, b->device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, ev->seq);
        sqlite3_bind_text(st, 3, ev->uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, ev->type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, ev->time_ms);
        sqlite3_bind_text(st, 6, ev->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, now);
        bind_text_or_null(st, 8, branch);
        bind_text_or_null(st, 9, day);
        src = sqlite3_step(st);
        sqlite3_reset(st);
        if(src != SQLITE_DONE) {
            rc = sq_err(src);
            hk_diag_set(j->diag, "events[%d]: %s", i, sqlite3_errmsg(q->db));
            break;
        }
        if(sqlite3_changes(q->db) == 1) { /* CENTRAL_STORED */
            rc = derive_one(q, j->owner, branch, b->device, ev);
            if(rc != HK_OK)
                hk_diag_set(j->diag, "events[%d]: its case or alert: %s", i, sqlite3_errmsg(q->db));
            continue;
        }
        rc = same_event(q, b->device, ev);
        if(rc == HK_OK)
            res[i].status = CENTRAL_DUPLICATE;
        else if(rc == HK_ERR_CONFLICT)
            hk_diag_set(j->diag,
                        "events[%d]: uuid %s or seq %lld of %s is already held with other content",
                        i, ev->uuid, (long long)ev->seq, b->device);
    }
    if(rc == HK_OK)
        rc = advance_acked(q, b->device, &acked);
    if(rc != HK_OK) {
        (void)sqlite3_step(stmt(q, SQL_ROLLBACK_TO)); /* if the transaction is gone, */
        sqlite3_reset(q->st[SQL_ROLLBACK_TO]);        /* the group's commit says so */
    }
    (void)sqlite3_step(stmt(q, SQL_RELEASE));
    sqlite3_reset(q->st[SQL_RELEASE]);
    if(rc != HK_OK) {
        j->owner->n_alerts = 0; /* rolled back with the batch */
        central_store_ack_drop(j->ack);
        return rc;
    }
    j->ack->acked_seq = acked;
    return HK_OK;
}

/* The leader: every queued batch in one transaction, one durable commit. */
static void run_group(sq_store_t *q, job_t *jobs)
{
    int64_t now = now_wall_ms();
    bool lost = false;
    hk_err_t rc;
    job_t *j;
    int src;

    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(stmt(q, SQL_BEGIN));
    sqlite3_reset(q->st[SQL_BEGIN]);
    if(src != SQLITE_DONE) {
        for(j = jobs; j; j = j->next) {
            j->rc = sq_err(src);
            hk_diag_set(j->diag, "store: cannot begin: %s", sqlite3_errmsg(q->db));
        }
        pthread_mutex_unlock(&write_mu);
        return;
    }
    for(j = jobs; j && !lost; j = j->next) {
        j->rc = ingest_one(q, j, now);
        /* SQLite rolls the whole transaction back by itself after some
         * errors (I/O, disk full): then nothing of the group is held, and
         * a SAVEPOINT now would quietly open a new transaction */
        lost = sqlite3_get_autocommit(q->db) != 0;
    }
    if(lost) {
        for(j = jobs; j; j = j->next) {
            if(j->rc == HK_OK)
                central_store_ack_drop(j->ack);
            j->owner->n_alerts = 0;
            j->rc = HK_ERR_IO;
            hk_diag_set(j->diag, "store: the transaction was lost: %s", sqlite3_errmsg(q->db));
        }
        pthread_mutex_unlock(&write_mu);
        return;
    }
    src = sqlite3_step(stmt(q, SQL_COMMIT));
    sqlite3_reset(q->st[SQL_COMMIT]);
    if(src != SQLITE_DONE) {
        /* nothing of the group is held: no batch of it may be acked */
        rc = sq_err(src) == HK_OK ? HK_ERR_IO : sq_err(src);
        for(j = jobs; j; j = j->next) {
            j->owner->n_alerts = 0;
            if(j->rc == HK_OK) {
                central_store_ack_drop(j->ack);
                j->rc = rc;
                hk_diag_set(j->diag, "store: commit: %s", sqlite3_errmsg(q->db));
            } else if(j->rc == HK_ERR_CONFLICT) {
                j->rc = rc; /* the conflict was real, but so is the failure: retry */
            }
        }
        if(!sqlite3_get_autocommit(q->db)) {
            (void)sqlite3_step(stmt(q, SQL_ROLLBACK)); /* failing too: nothing more to do */
            sqlite3_reset(q->st[SQL_ROLLBACK]);
        }
    }
    pthread_mutex_unlock(&write_mu);
}

static hk_err_t sq_ingest(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                          hk_diag_t *diag)
{
    sq_store_t *q = (sq_store_t *)s;
    group_t *g = q->group;
    job_t job, *batch, *j;

    memset(&job, 0, sizeof(job));
    job.owner = s;
    job.b = b;
    job.ack = ack;
    job.diag = diag;
    pthread_mutex_lock(&g->mu);
    if(g->tail)
        g->tail->next = &job;
    else
        g->head = &job;
    g->tail = &job;
    while(!job.done) {
        if(g->leading) {
            pthread_cond_wait(&g->cv, &g->mu);
            continue;
        }
        /* lead: take everything queued (this job among it) */
        g->leading = true;
        batch = g->head;
        g->head = g->tail = NULL;
        pthread_mutex_unlock(&g->mu);
        run_group(q, batch);
        pthread_mutex_lock(&g->mu);
        for(j = batch; j; j = j->next)
            j->done = true; /* their threads read it only under g->mu */
        g->leading = false;
        pthread_cond_broadcast(&g->cv);
    }
    pthread_mutex_unlock(&g->mu);
    return job.rc;
}

static hk_err_t sq_acked_seq(central_store_t *s, const char *device, int64_t *out)
{
    return read_acked((sq_store_t *)s, device, out);
}

static hk_err_t sq_count_events(central_store_t *s, const char *device, int64_t *out)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_COUNT);
    int src;

    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return src == SQLITE_ROW ? HK_OK : sq_err(src);
}

/* ---- configuration documents ------------------------------------------------------ */

static hk_err_t sq_config_put(central_store_t *s, const char *branch, const char *json)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_CONFIG_PUT);
    char etag[CENTRAL_ETAG_LEN];
    int src;

    central_store_etag(json, etag);
    sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, etag, -1, SQLITE_STATIC);
    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    pthread_mutex_unlock(&write_mu);
    return src == SQLITE_DONE ? HK_OK : sq_err(src);
}

static hk_err_t sq_config_get(central_store_t *s, const char *branch, char **json_out,
                              char etag_out[CENTRAL_ETAG_LEN])
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_CONFIG_GET);
    hk_err_t rc = HK_ERR_NOT_FOUND;
    int src;

    sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        const char *json = (const char *)sqlite3_column_text(st, 0);
        *json_out = hk_strdup(json ? json : "");
        copy_col(st, 1, etag_out, CENTRAL_ETAG_LEN);
        rc = *json_out ? HK_OK : HK_ERR_NOMEM;
    } else if(src != SQLITE_DONE) {
        rc = sq_err(src);
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- heartbeats -------------------------------------------------------------------- */

static hk_err_t sq_heartbeat(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_HEARTBEAT);
    int src;

    sqlite3_bind_text(st, 1, hb->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hb->branch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hb->version, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, hb->uptime_s);
    sqlite3_bind_int64(st, 5, hb->backlog);
    sqlite3_bind_text(st, 6, hb->printer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, hb->disk_free_mb);
    sqlite3_bind_text(st, 8, hb->last_error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now_ms);
    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    pthread_mutex_unlock(&write_mu);
    return src == SQLITE_DONE ? HK_OK : sq_err(src);
}

/* ---- enrolment codes (PROVISION) ------------------------------------------------------ */

static hk_err_t sq_code_put(central_store_t *s, const char *code_hash, const char *device,
                            int64_t now_ms, int64_t expires_ms)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_CODE_PUT);
    int src;

    sqlite3_bind_text(st, 1, code_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms);
    sqlite3_bind_int64(st, 4, expires_ms);
    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    pthread_mutex_unlock(&write_mu);
    return src == SQLITE_DONE ? HK_OK : sq_err(src);
}

/* One conditional UPDATE takes the code (SQLite's write lock makes it
 * atomic across processes); when it changes nothing, a read says why. */
static hk_err_t sq_code_take(central_store_t *s, const char *code_hash, const char *device,
                             int64_t now_ms, central_code_state_t *state_out)
{
    sq_store_t *q = (sq_store_t *)s;
    sqlite3_stmt *st = stmt(q, SQL_CODE_TAKE);
    int src, changed;

    sqlite3_bind_text(st, 1, code_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms);
    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(st);
    changed = sqlite3_changes(q->db);
    sqlite3_reset(st);
    pthread_mutex_unlock(&write_mu);
    if(src != SQLITE_DONE)
        return sq_err(src);
    if(changed == 1) {
        *state_out = CENTRAL_CODE_TAKEN;
        return HK_OK;
    }
    st = stmt(q, SQL_CODE_GET);
    sqlite3_bind_text(st, 1, code_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        *state_out = sqlite3_column_int64(st, 0) > 0 ? CENTRAL_CODE_USED : CENTRAL_CODE_EXPIRED;
    else if(src == SQLITE_DONE)
        *state_out = CENTRAL_CODE_UNKNOWN;
    sqlite3_reset(st);
    return src == SQLITE_ROW || src == SQLITE_DONE ? HK_OK : sq_err(src);
}

/* ---- what reports, cases, alerts and the status page read ---------------------------- */

static hk_err_t sq_day_events(central_store_t *s, const char *branch, const char *day,
                              central_event_row_t **out, int *n_out)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_DAY_EVENTS);
    central_event_row_t *rows = NULL;
    int n = 0, cap = 0, src = SQLITE_DONE;
    hk_err_t rc = HK_OK;

    sqlite3_bind_text(st, 1, branch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    while(rc == HK_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        central_event_row_t *r;
        const char *body = (const char *)sqlite3_column_text(st, 5);
        if(n == cap) {
            int ncap = cap ? 2 * cap : 64;
            central_event_row_t *p = hk_realloc(rows, (size_t)ncap * sizeof(*p));
            if(!p) {
                rc = HK_ERR_NOMEM;
                break;
            }
            rows = p;
            cap = ncap;
        }
        r = &rows[n];
        memset(r, 0, sizeof(*r));
        copy_col(st, 0, r->device, sizeof(r->device));
        r->ev.seq = sqlite3_column_int64(st, 1);
        copy_col(st, 2, r->ev.uuid, sizeof(r->ev.uuid));
        copy_col(st, 3, r->ev.type, sizeof(r->ev.type));
        r->ev.time_ms = sqlite3_column_int64(st, 4);
        r->ev.body = hk_strdup(body ? body : "");
        if(!r->ev.body)
            rc = HK_ERR_NOMEM;
        else
            n++;
    }
    if(rc == HK_OK && src != SQLITE_DONE)
        rc = sq_err(src);
    sqlite3_reset(st);
    if(rc != HK_OK || n == 0) {
        central_event_rows_free(rows, n);
        return rc;
    }
    *out = rows;
    *n_out = n;
    return HK_OK;
}

static hk_err_t sq_case_get(central_store_t *s, const char *id, cases_case_t *out)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_CASE_GET);
    hk_err_t rc = HK_ERR_NOT_FOUND;
    int src;

    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        case_read(st, out);
        rc = HK_OK;
    } else if(src != SQLITE_DONE) {
        rc = sq_err(src);
    }
    sqlite3_reset(st);
    return rc;
}

static hk_err_t sq_case_update(central_store_t *s, const cases_case_t *c, int64_t expected_version)
{
    sq_store_t *q = (sq_store_t *)s;
    sqlite3_stmt *st = stmt(q, SQL_CASE_UPDATE);
    hk_err_t rc = HK_OK;
    int src;

    case_bind(st, c);
    sqlite3_bind_int64(st, 21, expected_version);
    pthread_mutex_lock(&write_mu);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    if(src != SQLITE_DONE)
        rc = sq_err(src);
    else if(sqlite3_changes(q->db) != 1)
        rc = HK_ERR_CONFLICT; /* or gone: told apart below */
    pthread_mutex_unlock(&write_mu);
    if(rc == HK_ERR_CONFLICT) {
        st = stmt(q, SQL_CASE_VERSION);
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        src = sqlite3_step(st);
        sqlite3_reset(st);
        if(src == SQLITE_DONE)
            rc = HK_ERR_NOT_FOUND;
        else if(src != SQLITE_ROW)
            rc = sq_err(src);
    }
    return rc;
}

/* ?1 of BRANCH_FILTER: NULL (all) or a JSON array of the ids; *json_out
 * is hk_free'd by the caller. */
static hk_err_t bind_branches(sqlite3_stmt *st, const char *const *branches, int n, char **json_out)
{
    cJSON *arr;
    char *text;
    int i;

    *json_out = NULL;
    if(n == 0) {
        sqlite3_bind_null(st, 1);
        return HK_OK;
    }
    arr = cJSON_CreateArray();
    for(i = 0; arr && i < n; i++)
        if(!cJSON_AddItemToArray(arr, cJSON_CreateString(branches[i]))) {
            cJSON_Delete(arr);
            arr = NULL;
        }
    text = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if(!text)
        return HK_ERR_NOMEM;
    *json_out = hk_strdup(text);
    cJSON_free(text);
    if(!*json_out)
        return HK_ERR_NOMEM;
    sqlite3_bind_text(st, 1, *json_out, -1, SQLITE_STATIC);
    return HK_OK;
}

/* Every row of st (bound, not stepped yet) read by read into a
 * hk_malloc'd array of elements of size bytes; NULL when none. */
static hk_err_t collect(sqlite3_stmt *st, size_t size, void (*read)(sqlite3_stmt *, void *),
                        void **out, int *n_out)
{
    char *rows = NULL;
    int n = 0, cap = 0, src;

    while((src = sqlite3_step(st)) == SQLITE_ROW) {
        if(n == cap) {
            int ncap = cap ? 2 * cap : 32;
            char *p = hk_realloc(rows, (size_t)ncap * size);
            if(!p) {
                hk_free(rows);
                return HK_ERR_NOMEM;
            }
            rows = p;
            cap = ncap;
        }
        read(st, rows + (size_t)n++ * size);
    }
    if(src != SQLITE_DONE || n == 0) {
        hk_free(rows);
        return src == SQLITE_DONE ? HK_OK : sq_err(src);
    }
    *out = rows;
    *n_out = n;
    return HK_OK;
}

static void case_row(sqlite3_stmt *st, void *row)
{
    case_read(st, row);
}

static hk_err_t sq_cases_list(central_store_t *s, const char *const *branches, int n_branches,
                              bool open_only, cases_case_t **out, int *n_out)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_CASES_LIST);
    char *json;
    hk_err_t rc = bind_branches(st, branches, n_branches, &json);

    sqlite3_bind_int(st, 2, open_only ? 1 : 0);
    if(rc == HK_OK)
        rc = collect(st, sizeof(**out), case_row, (void **)out, n_out);
    sqlite3_reset(st);
    hk_free(json);
    return rc;
}

static hk_err_t sq_alerts_list(central_store_t *s, const char *const *branches, int n_branches,
                               int64_t since_ms, int max, alert_t **out, int *n_out)
{
    sqlite3_stmt *st = stmt((sq_store_t *)s, SQL_ALERTS_LIST);
    char *json;
    hk_err_t rc = bind_branches(st, branches, n_branches, &json);

    sqlite3_bind_int64(st, 2, since_ms);
    sqlite3_bind_int(st, 3, max);
    if(rc == HK_OK)
        rc = collect(st, sizeof(**out), alert_read, (void **)out, n_out);
    sqlite3_reset(st);
    hk_free(json);
    return rc;
}

/* ---- static ------------------------------------------------------------------------- */

static sqlite3_stmt *stmt(sq_store_t *q, int which)
{
    sqlite3_stmt *st = q->st[which];

    (void)sqlite3_clear_bindings(st);
    return st;
}

/* SQLite's result, translated once here. */
static hk_err_t sq_err(int src)
{
    switch(src & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return HK_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return HK_ERR_BUSY;
    case SQLITE_NOMEM: return HK_ERR_NOMEM;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return HK_ERR_CORRUPT;
    default: return HK_ERR_IO;
    }
}

static hk_err_t exec_sql(sqlite3 *db, const char *sql, hk_diag_t *diag)
{
    char *err = NULL;
    int src = sqlite3_exec(db, sql, NULL, NULL, &err);

    if(src != SQLITE_OK) {
        hk_diag_set(diag, "store: %s", err ? err : sqlite3_errstr(src));
        sqlite3_free(err);
        return sq_err(src) == HK_OK ? HK_ERR_IO : sq_err(src);
    }
    return HK_OK;
}

static hk_err_t read_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

    if(src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        src = SQLITE_OK;
    }
    (void)sqlite3_finalize(st);
    return src == SQLITE_OK ? HK_OK : sq_err(src);
}

/* Does table have column? */
static hk_err_t has_column(sqlite3 *db, const char *table, const char *column, bool *out)
{
    sqlite3_stmt *st = NULL;
    int src =
        sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2", -1, &st, NULL);

    if(src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        src = sqlite3_step(st);
        *out = src == SQLITE_ROW;
        if(src == SQLITE_ROW || src == SQLITE_DONE)
            src = SQLITE_OK;
    }
    (void)sqlite3_finalize(st);
    return src == SQLITE_OK ? HK_OK : sq_err(src);
}

/* Version 1 -> 2 (inside migrate's transaction): the events columns it
 * lacks, then the new tables and indexes. */
static hk_err_t migrate_v2(sqlite3 *db, hk_diag_t *diag)
{
    static const char *const cols[] = { "branch", "day" };
    char sql[96];
    hk_err_t rc = HK_OK;
    bool has = false;
    size_t i;

    for(i = 0; i < sizeof(cols) / sizeof(cols[0]) && rc == HK_OK; i++) {
        rc = has_column(db, "events", cols[i], &has);
        if(rc == HK_OK && !has) {
            snprintf(sql, sizeof(sql), "ALTER TABLE events ADD COLUMN %s TEXT;", cols[i]);
            rc = exec_sql(db, sql, diag);
        }
    }
    return rc == HK_OK ? exec_sql(db, schema_v2, diag) : rc;
}

/* Create the schema in a new file, migrate an older one; refuse one from a
 * newer build. */
static hk_err_t migrate(sqlite3 *db, hk_diag_t *diag)
{
    char sql[64];
    hk_err_t rc;
    int ver = 0;

    rc = read_version(db, &ver);
    if(rc == HK_OK && ver == SCHEMA_VERSION)
        return HK_OK;
    if(rc == HK_OK && ver > SCHEMA_VERSION) {
        hk_diag_set(diag, "store: schema version %d is newer than this build knows (%d)", ver,
                    SCHEMA_VERSION);
        return HK_ERR_CORRUPT;
    }
    if(rc == HK_OK)
        rc = exec_sql(db, "BEGIN IMMEDIATE;", diag);
    if(rc != HK_OK)
        return rc;
    rc = read_version(db, &ver); /* another connection may have just done it */
    if(rc == HK_OK && ver == 0)
        rc = exec_sql(db, schema_v1, diag);
    if(rc == HK_OK && ver < 2)
        rc = migrate_v2(db, diag);
    if(rc == HK_OK && ver < 3)
        rc = exec_sql(db, schema_v3, diag);
    if(rc == HK_OK && ver < SCHEMA_VERSION) {
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", SCHEMA_VERSION);
        rc = exec_sql(db, sql, diag);
    }
    if(rc == HK_OK)
        rc = exec_sql(db, "COMMIT;", diag);
    if(rc != HK_OK && !sqlite3_get_autocommit(db))
        (void)exec_sql(db, "ROLLBACK;", NULL); /* the first error is the one reported */
    return rc;
}
