/*
 * store_pg: the PostgreSQL backend of central_store (libpq), for fleets
 * where several hall-central instances serve one database. Built only when
 * libpq was found (HK_HAVE_LIBPQ). It does not pick backends or check
 * arguments: central_store.c does.
 *
 * Design notes
 * - One connection per store (one store per thread, central_store.h). Every
 *   statement is prepared once per session (prepare_all); after the
 *   connection drops, the next call resets it (PQreset) and prepares again,
 *   so a database that comes back is used again without restarting.
 * - Schema: created at open with CREATE TABLE IF NOT EXISTS inside a
 *   transaction holding pg_advisory_xact_lock(SCHEMA_LOCK_KEY): two
 *   instances starting at once on an empty database would otherwise race
 *   on the catalog (a unique violation on pg_type). A database made by the
 *   previous schema gets events.branch and events.day under the same lock
 *   (ALTER TABLE only when the column is missing: no table lock otherwise).
 * - Ingest, one transaction (ingest_once), two round trips in the usual
 *   case (send_batch pipelines BEGIN and steps 1, 2, 4; then COMMIT):
 *     1. make the device's device_progress row if it is new, then read
 *        acked_seq with SELECT ... FOR UPDATE: the row lock makes ingests
 *        of one device wait for each other here, whichever instance runs
 *        them (READ COMMITTED: every later statement sees what the previous
 *        holder committed);
 *     2. INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING
 *        RETURNING seq: the whole batch in one statement, the returned seqs
 *        are the events stored now;
 *     4. advance acked_seq to the end of the contiguous run after it (one
 *        UPDATE walking the primary key from acked_seq to the first gap;
 *        nothing when acked_seq+1 is not held);
 *     3. only when some were not stored: read the rows they collided with
 *        (same (device, seq) or same uuid) and compare: all identical ->
 *        CENTRAL_DUPLICATE; any other content -> ROLLBACK (so 4 is undone
 *        too), HK_ERR_CONFLICT; then COMMIT.
 *   5. only when events of a type that may derive something were stored now
 *      (central_store_type_derives): their cases and alerts, in one
 *      statement (a data-modifying WITH over json_to_recordset), ON
 *      CONFLICT DO NOTHING on the source uuid; the alerts it returns are
 *      the ones raised now. Rolled back with the rest on a conflict.
 *   Events carry their device's registry branch (the insert reads it; step
 *   1 returns it for 5) and the body's day (parsed here, NULL when none).
 *   A serialisation failure or deadlock (only possible when two devices
 *   send the same uuid at once) rolls back and retries, up to MAX_TRIES,
 *   then HK_ERR_BUSY.
 * - Diags never carry the password: the connection's password (as decoded
 *   by PQconninfoParse, and as written in the URL) is masked in every
 *   libpq message before it reaches a diag, and an URL libpq cannot parse
 *   is refused without echoing it.
 */
#include "central_store_impl.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_buf.h"
#include "hk_json.h"
#include "hk_mem.h"

#define SCHEMA_LOCK_KEY  "7307250701" /* any constant shared by all instances */
#define MAX_TRIES        4
#define CONNECT_TIMEOUT  "10"
#define SQLSTATE_SERIAL  "40001"
#define SQLSTATE_DEADLCK "40P01"

typedef struct pg_store {
    central_store_t base;
    PGconn *conn;
    char *password;     /* as decoded from the URL (masked in diags); NULL = none */
    char *password_raw; /* as written in the URL (percent-encoded); NULL = none */
    bool need_prepare;  /* a new session (PQreset): its statements are gone */
} pg_store_t;

static void pg_close(central_store_t *s);
static hk_err_t pg_device_put(central_store_t *s, const central_device_t *d);
static hk_err_t pg_device_get(central_store_t *s, const char *id, central_device_t *out);
static hk_err_t pg_ingest(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                          hk_diag_t *diag);
static hk_err_t pg_acked_seq(central_store_t *s, const char *device, int64_t *out);
static hk_err_t pg_count_events(central_store_t *s, const char *device, int64_t *out);
static hk_err_t pg_config_put(central_store_t *s, const char *branch, const char *json);
static hk_err_t pg_config_get(central_store_t *s, const char *branch, char **json_out,
                              char etag_out[CENTRAL_ETAG_LEN]);
static hk_err_t pg_heartbeat(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms);
static hk_err_t pg_code_put(central_store_t *s, const char *code_hash, const char *device,
                            int64_t now_ms, int64_t expires_ms);
static hk_err_t pg_code_take(central_store_t *s, const char *code_hash, const char *device,
                             int64_t now_ms, central_code_state_t *state_out);
static hk_err_t pg_day_events(central_store_t *s, const char *branch, const char *day,
                              central_event_row_t **out, int *n_out);
static hk_err_t pg_case_get(central_store_t *s, const char *id, cases_case_t *out);
static hk_err_t pg_case_update(central_store_t *s, const cases_case_t *c, int64_t expected_version);
static hk_err_t pg_cases_list(central_store_t *s, const char *const *branches, int n_branches,
                              bool open_only, cases_case_t **out, int *n_out);
static hk_err_t pg_alerts_list(central_store_t *s, const char *const *branches, int n_branches,
                               int64_t since_ms, int max, alert_t **out, int *n_out);

static const central_store_ops_t pg_ops = {
    .kind = "postgres",
    .close = pg_close,
    .device_put = pg_device_put,
    .device_get = pg_device_get,
    .ingest = pg_ingest,
    .acked_seq = pg_acked_seq,
    .count_events = pg_count_events,
    .config_put = pg_config_put,
    .config_get = pg_config_get,
    .heartbeat = pg_heartbeat,
    .enrol_code_put = pg_code_put,
    .enrol_code_take = pg_code_take,
    .day_events = pg_day_events,
    .case_get = pg_case_get,
    .case_update = pg_case_update,
    .cases_list = pg_cases_list,
    .alerts_list = pg_alerts_list,
};

/* The same tables as store_sqlite.c's schema v1. */
static const char SCHEMA_SQL[] =
    "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK_KEY ");"
    "CREATE TABLE IF NOT EXISTS devices("
    " id TEXT PRIMARY KEY, branch TEXT NOT NULL, token_hash TEXT NOT NULL DEFAULT '',"
    " enabled BOOLEAN NOT NULL DEFAULT TRUE);"
    "CREATE TABLE IF NOT EXISTS events("
    " device TEXT NOT NULL, seq BIGINT NOT NULL CHECK(seq >= 1), uuid TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL, time_ms BIGINT NOT NULL, body TEXT NOT NULL,"
    " received_ms BIGINT NOT NULL, PRIMARY KEY(device, seq));"
    "CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);"
    "CREATE TABLE IF NOT EXISTS device_progress("
    " device TEXT PRIMARY KEY, acked_seq BIGINT NOT NULL DEFAULT 0 CHECK(acked_seq >= 0));"
    "CREATE TABLE IF NOT EXISTS configs("
    " branch TEXT PRIMARY KEY, json TEXT NOT NULL, etag TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS heartbeats("
    " device TEXT PRIMARY KEY, branch TEXT NOT NULL, version TEXT NOT NULL,"
    " uptime_s BIGINT NOT NULL, backlog BIGINT NOT NULL, printer TEXT NOT NULL,"
    " disk_free_mb BIGINT NOT NULL, last_error TEXT NOT NULL, received_ms BIGINT NOT NULL);"
    /* what reports, cases and alerts read (a database of the first schema
     * gets the columns here) */
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema ="
    " current_schema() AND table_name = 'events' AND column_name = 'branch') THEN"
    " ALTER TABLE events ADD COLUMN branch TEXT; END IF;"
    " IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema ="
    " current_schema() AND table_name = 'events' AND column_name = 'day') THEN"
    " ALTER TABLE events ADD COLUMN day TEXT; END IF; END $$;"
    "CREATE INDEX IF NOT EXISTS events_branch_day ON events(branch, day);"
    "CREATE TABLE IF NOT EXISTS cases("
    " id TEXT PRIMARY KEY, kind INTEGER NOT NULL, branch TEXT NOT NULL, device TEXT NOT NULL,"
    " number TEXT NOT NULL, day TEXT NOT NULL, counter TEXT NOT NULL, staff TEXT NOT NULL,"
    " level INTEGER NOT NULL, opened_ms BIGINT NOT NULL, deadline_ms BIGINT NOT NULL,"
    " owner TEXT NOT NULL, callback_attempts INTEGER NOT NULL,"
    " callback_reached BOOLEAN NOT NULL, callback_ms BIGINT NOT NULL,"
    " callback_note TEXT NOT NULL, closed BOOLEAN NOT NULL, closed_ms BIGINT NOT NULL,"
    " cause TEXT NOT NULL, close_note TEXT NOT NULL, version BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS cases_branch ON cases(branch, deadline_ms);"
    "CREATE INDEX IF NOT EXISTS cases_deadline ON cases(deadline_ms);"
    "CREATE TABLE IF NOT EXISTS alerts("
    " uuid TEXT PRIMARY KEY, kind TEXT NOT NULL, branch TEXT NOT NULL, device TEXT NOT NULL,"
    " seq BIGINT NOT NULL, number TEXT NOT NULL, counter TEXT NOT NULL, staff TEXT NOT NULL,"
    " level INTEGER NOT NULL, wait_s INTEGER NOT NULL, time_ms BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS alerts_time ON alerts(time_ms);"
    /* PROVISION: one-time enrolment codes, only their SHA-256 */
    "CREATE TABLE IF NOT EXISTS enrol_codes("
    " code_hash TEXT PRIMARY KEY, device TEXT NOT NULL, created_ms BIGINT NOT NULL,"
    " expires_ms BIGINT NOT NULL, used_ms BIGINT NOT NULL DEFAULT 0);";

/* The columns of cases, in the order case_read and case_upd use. */
#define CASE_COLS                                                                                 \
    "id, kind, branch, device, number, day, counter, staff, level, opened_ms, deadline_ms,"       \
    " owner, callback_attempts, callback_reached, callback_ms, callback_note, closed, closed_ms," \
    " cause, close_note, version"
#define ALERT_COLS "kind, branch, device, seq, number, counter, staff, level, wait_s, time_ms"

/* The database's clock, so every instance stamps events alike. */
#define NOW_MS_SQL "(extract(epoch from statement_timestamp()) * 1000)::bigint"

static const struct {
    const char *name;
    const char *sql;
} STATEMENTS[] = {
    { "dev_put", "INSERT INTO devices(id, branch, token_hash, enabled) VALUES($1, $2, $3, $4)"
                 " ON CONFLICT(id) DO UPDATE SET branch = EXCLUDED.branch,"
                 " token_hash = EXCLUDED.token_hash, enabled = EXCLUDED.enabled" },
    { "dev_get", "SELECT branch, token_hash, enabled FROM devices WHERE id = $1" },
    /* the row once per device (a no-op that writes nothing afterwards), then
     * its lock: a SELECT ... FOR UPDATE, not an upsert that would write a
     * new row version for every batch */
    { "prog_new", "INSERT INTO device_progress(device, acked_seq) VALUES($1, 0)"
                  " ON CONFLICT(device) DO NOTHING" },
    { "prog_lock", "SELECT p.acked_seq, (SELECT d.branch FROM devices d WHERE d.id = $1)"
                   " FROM device_progress p WHERE p.device = $1 FOR UPDATE OF p" },
    { "ev_ins", "INSERT INTO events(device, seq, uuid, type, time_ms, body, received_ms,"
                " branch, day)"
                " SELECT $1, u.seq, u.uuid, u.type, u.time_ms, u.body, " NOW_MS_SQL ","
                " (SELECT d.branch FROM devices d WHERE d.id = $1), u.day"
                " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[],"
                " $7::text[]) AS u(seq, uuid, type, time_ms, body, day)"
                " ON CONFLICT DO NOTHING RETURNING seq" },
    /* step 5: $1 the new cases, $2 the new alerts, JSON arrays of records */
    { "derive_ins", "WITH c AS (INSERT INTO cases(" CASE_COLS ")"
                    " SELECT x.id, x.kind, x.branch, x.device, x.number, x.day, x.counter,"
                    " x.staff, x.level, x.opened_ms, x.deadline_ms, '', 0, false, 0, '', false,"
                    " 0, '', '', 1 FROM json_to_recordset($1::json) AS x(id text, kind int,"
                    " branch text, device text, number text, day text, counter text,"
                    " staff text, level int, opened_ms bigint, deadline_ms bigint)"
                    " ON CONFLICT (id) DO NOTHING)"
                    " INSERT INTO alerts(uuid, " ALERT_COLS ")"
                    " SELECT y.uuid, y.kind, y.branch, y.device, y.seq, y.number, y.counter,"
                    " y.staff, y.level, y.wait_s, y.time_ms FROM json_to_recordset($2::json)"
                    " AS y(uuid text, kind text, branch text, device text, seq bigint,"
                    " number text, counter text, staff text, level int, wait_s int,"
                    " time_ms bigint) ON CONFLICT (uuid) DO NOTHING RETURNING uuid" },
    { "day_events", "SELECT device, seq, uuid, type, time_ms, body FROM events"
                    " WHERE branch = $1 AND day = $2 ORDER BY device, seq" },
    { "case_get", "SELECT " CASE_COLS " FROM cases WHERE id = $1" },
    { "case_upd", "UPDATE cases SET owner = $2, callback_attempts = $3, callback_reached = $4,"
                  " callback_ms = $5, callback_note = $6, closed = $7, closed_ms = $8,"
                  " cause = $9, close_note = $10, version = version + 1"
                  " WHERE id = $1 AND version = $11 RETURNING version" },
    { "case_ver", "SELECT version FROM cases WHERE id = $1" },
    { "cases_list", "SELECT " CASE_COLS " FROM cases"
                    " WHERE ($1::text[] IS NULL OR branch = ANY($1::text[]))"
                    " AND (NOT $2::boolean OR NOT closed) ORDER BY deadline_ms, id" },
    { "alerts_list", "SELECT " ALERT_COLS " FROM alerts"
                     " WHERE ($1::text[] IS NULL OR branch = ANY($1::text[]))"
                     " AND time_ms >= $2 ORDER BY time_ms DESC, device, seq LIMIT $3" },
    { "ev_held", "SELECT device, seq, uuid, type, time_ms, body FROM events"
                 " WHERE (device = $1 AND seq = ANY($2::bigint[])) OR uuid = ANY($3::text[])" },
    /* the end of the run after acked_seq: an ordered walk of the primary key
     * that stops at the first gap (ORDER BY ... LIMIT 1; min() would make
     * the planner hash every event of the device, O(events) per batch).
     * $2..$3: the batch when its seqs are contiguous (else 0, 0). When it
     * reaches acked_seq+1, all of it is held once ev_ins succeeded (an event
     * neither stored nor held is a conflict: ROLLBACK), so the walk starts
     * at its last seq instead of probing each of its events. */
    { "prog_adv", "UPDATE device_progress d SET acked_seq = COALESCE("
                  "(SELECT e.seq FROM events e WHERE e.device = $1"
                  " AND e.seq >= CASE WHEN $2::bigint <= d.acked_seq + 1"
                  " AND $3::bigint > d.acked_seq THEN $3::bigint ELSE d.acked_seq + 1 END"
                  " AND NOT EXISTS (SELECT 1 FROM events f WHERE f.device = $1"
                  " AND f.seq = e.seq + 1) ORDER BY e.seq LIMIT 1), d.acked_seq)"
                  " WHERE d.device = $1 AND EXISTS (SELECT 1 FROM events g"
                  " WHERE g.device = $1 AND g.seq = d.acked_seq + 1)"
                  " RETURNING acked_seq" },
    { "acked", "SELECT acked_seq FROM device_progress WHERE device = $1" },
    { "count", "SELECT count(*) FROM events WHERE device = $1" },
    { "cfg_put", "INSERT INTO configs(branch, json, etag) VALUES($1, $2, $3)"
                 " ON CONFLICT(branch) DO UPDATE SET json = EXCLUDED.json, etag = EXCLUDED.etag" },
    { "cfg_get", "SELECT json, etag FROM configs WHERE branch = $1" },
    { "hb", "INSERT INTO heartbeats(device, branch, version, uptime_s, backlog, printer,"
            " disk_free_mb, last_error, received_ms) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT(device) DO UPDATE SET branch = EXCLUDED.branch,"
            " version = EXCLUDED.version, uptime_s = EXCLUDED.uptime_s,"
            " backlog = EXCLUDED.backlog, printer = EXCLUDED.printer,"
            " disk_free_mb = EXCLUDED.disk_free_mb, last_error = EXCLUDED.last_error,"
            " received_ms = EXCLUDED.received_ms" },
    /* PROVISION: a code is taken by one conditional UPDATE (row lock: one
     * instance wins); when none is taken, code_get says why */
    { "code_put", "INSERT INTO enrol_codes(code_hash, device, created_ms, expires_ms, used_ms)"
                  " VALUES($1, $2, $3, $4, 0)" },
    { "code_take", "UPDATE enrol_codes SET used_ms = $3 WHERE code_hash = $1 AND device = $2"
                   " AND used_ms = 0 AND expires_ms > $3 RETURNING used_ms" },
    { "code_get", "SELECT used_ms FROM enrol_codes WHERE code_hash = $1 AND device = $2" },
};

/* ---- helpers: messages ----------------------------------------------------- */

static void ignore_notice(void *arg, const char *message)
{
    (void)arg; /* "relation ... already exists, skipping" at every open */
    (void)message;
}

/* Replace every occurrence of secret in text (in place) by '*'s. */
static void mask(char *text, const char *secret)
{
    size_t n;
    char *p;

    if(!secret || !*secret)
        return;
    n = strlen(secret);
    while((p = strstr(text, secret)) != NULL)
        memset(p, '*', n);
}

/* diag = prefix + libpq's message (on one line, password masked). */
static void set_pg_diag(const pg_store_t *st, hk_diag_t *diag, const char *prefix,
                        const char *pgmsg)
{
    char msg[HK_DIAG_SIZE];
    size_t n;
    char *c;

    if(!diag)
        return;
    snprintf(msg, sizeof(msg), "%s", pgmsg && *pgmsg ? pgmsg : "(no message)");
    n = strlen(msg);
    while(n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for(c = msg; *c; c++) /* libpq's multi-line messages on one line */
        if(*c == '\n')
            *c = ' ';
    mask(msg, st->password);
    mask(msg, st->password_raw);
    hk_diag_set(diag, "%s%s", prefix, msg);
    /* a secret cut by the truncation above could survive half: mask again */
    mask(diag->msg, st->password);
    mask(diag->msg, st->password_raw);
}

/* Map a failed result to hk_err_t: connection gone -> IO; serialisation
 * failure / deadlock -> BUSY (the caller may retry); bad data -> INVALID;
 * anything else the database refused -> IO (503, the operator reads diag). */
static hk_err_t result_err(const pg_store_t *st, const PGresult *res, hk_diag_t *diag,
                           const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char prefix[96];

    snprintf(prefix, sizeof(prefix), "store: postgres: %s: ", what);
    set_pg_diag(st, diag, prefix, res ? PQresultErrorMessage(res) : PQerrorMessage(st->conn));
    if(PQstatus(st->conn) != CONNECTION_OK)
        return HK_ERR_IO;
    if(state && (!strcmp(state, SQLSTATE_SERIAL) || !strcmp(state, SQLSTATE_DEADLCK)))
        return HK_ERR_BUSY;
    if(state && state[0] == '2' && state[1] == '2') /* data exception */
        return HK_ERR_INVALID;
    return HK_ERR_IO;
}

/* ---- helpers: connection ------------------------------------------------------ */

static hk_err_t exec_simple(pg_store_t *st, const char *sql, hk_diag_t *diag)
{
    PGresult *res = PQexec(st->conn, sql);
    ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    hk_err_t rc = HK_OK;

    if(es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK)
        rc = result_err(st, res, diag, "statement");
    PQclear(res);
    return rc;
}

static void rollback(pg_store_t *st)
{
    if(PQstatus(st->conn) != CONNECTION_OK)
        return;
    /* if this fails too, ensure() resets the connection at the next call */
    PQclear(PQexec(st->conn, "ROLLBACK"));
}

static hk_err_t create_schema(pg_store_t *st, hk_diag_t *diag)
{
    hk_err_t rc = exec_simple(st, "BEGIN", diag);

    if(rc != HK_OK)
        return rc;
    rc = exec_simple(st, SCHEMA_SQL, diag);
    if(rc == HK_OK)
        rc = exec_simple(st, "COMMIT", diag);
    if(rc != HK_OK)
        rollback(st);
    return rc;
}

static hk_err_t prepare_all(pg_store_t *st, hk_diag_t *diag)
{
    size_t i;

    for(i = 0; i < sizeof(STATEMENTS) / sizeof(STATEMENTS[0]); i++) {
        PGresult *res = PQprepare(st->conn, STATEMENTS[i].name, STATEMENTS[i].sql, 0, NULL);
        hk_err_t rc = HK_OK;
        if(!res || PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = result_err(st, res, diag, STATEMENTS[i].name);
        PQclear(res);
        if(rc != HK_OK)
            return rc;
    }
    return HK_OK;
}

/* Before each operation: reconnect a dropped connection (and prepare again),
 * and end a transaction a failed call left open. */
static hk_err_t ensure(pg_store_t *st, hk_diag_t *diag)
{
    PGTransactionStatusType ts;
    hk_err_t rc;

    if(PQstatus(st->conn) != CONNECTION_OK) {
        PQreset(st->conn);
        st->need_prepare = true;
        if(PQstatus(st->conn) != CONNECTION_OK) {
            set_pg_diag(st, diag, "store: postgres: cannot reconnect: ", PQerrorMessage(st->conn));
            return HK_ERR_IO;
        }
    }
    if(st->need_prepare) {
        PQsetNoticeProcessor(st->conn, ignore_notice, NULL);
        /* none should exist in a new session; after a half-done prepare_all
         * some do, and preparing them again would fail */
        rc = exec_simple(st, "DEALLOCATE ALL", diag);
        if(rc == HK_OK)
            rc = prepare_all(st, diag);
        if(rc == HK_OK)
            st->need_prepare = false;
        return rc;
    }
    ts = PQtransactionStatus(st->conn);
    if(ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        rollback(st);
    return HK_OK;
}

/* Run a prepared statement with text parameters; *res_out on success. */
static hk_err_t run(pg_store_t *st, const char *name, int n, const char *const *params,
                    PGresult **res_out, hk_diag_t *diag)
{
    PGresult *res = PQexecPrepared(st->conn, name, n, params, NULL, NULL, 0);
    ExecStatusType es = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if(es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK) {
        hk_err_t rc = result_err(st, res, diag, name);
        PQclear(res);
        *res_out = NULL;
        return rc;
    }
    *res_out = res;
    return HK_OK;
}

/* Run a statement whose result is not read. */
static hk_err_t run_void(pg_store_t *st, const char *name, int n, const char *const *params)
{
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);

    if(rc == HK_OK)
        rc = run(st, name, n, params, &res, NULL);
    if(rc == HK_OK)
        PQclear(res);
    return rc;
}

static int64_t get_i64(const PGresult *res, int row, int col)
{
    return (int64_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Copy src into dst[size] (truncating, always terminated). */
static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* The password as written in the URL ("scheme://user:PASS@"), so that a
 * message echoing the URL is masked too (libpq gives us it decoded). */
static char *raw_url_password(const char *url)
{
    const char *p = strstr(url, "://"), *end, *colon;
    char *out;
    size_t n;

    if(!p)
        return NULL;
    p += 3;
    end = strchr(p, '@');
    if(!end)
        return NULL;
    colon = memchr(p, ':', (size_t)(end - p));
    if(!colon || colon + 1 == end)
        return NULL;
    n = (size_t)(end - colon - 1);
    out = hk_malloc(n + 1);
    if(!out)
        return NULL;
    memcpy(out, colon + 1, n);
    out[n] = '\0';
    return out;
}

/* ---- open / close --------------------------------------------------------------- */

hk_err_t central_pg_open(const char *url, central_store_t **out, hk_diag_t *diag)
{
    static const char *const keys[] = { "application_name", "connect_timeout", "dbname", NULL };
    const char *vals[] = { "hall-central", CONNECT_TIMEOUT, url, NULL };
    PQconninfoOption *opts, *o;
    char *err = NULL;
    pg_store_t *st;
    hk_err_t rc = HK_OK;

    *out = NULL;
    if(sodium_init() < 0) {
        hk_diag_set(diag, "store: libsodium failed to initialise");
        return HK_ERR_IO;
    }
    opts = PQconninfoParse(url, &err);
    if(!opts) {
        /* libpq's message may quote the URL, password and all: not echoed */
        PQfreemem(err);
        hk_diag_set(diag, "store: not a valid PostgreSQL URL "
                          "(postgresql://user:password@host:port/database)");
        return HK_ERR_INVALID;
    }
    st = hk_calloc(1, sizeof(*st));
    if(!st) {
        PQconninfoFree(opts);
        return HK_ERR_NOMEM;
    }
    st->base.ops = &pg_ops;
    for(o = opts; o->keyword; o++)
        if(!strcmp(o->keyword, "password") && o->val && *o->val) {
            st->password = hk_strdup(o->val);
            if(!st->password)
                rc = HK_ERR_NOMEM;
        }
    PQconninfoFree(opts);
    st->password_raw = raw_url_password(url);
    if(rc != HK_OK)
        goto fail;

    /* keywords are applied in order and the URL (dbname, expanded) comes
     * last: what it names overrides our defaults */
    st->conn = PQconnectdbParams(keys, vals, 1);
    if(!st->conn) {
        rc = HK_ERR_NOMEM;
        goto fail;
    }
    if(PQstatus(st->conn) != CONNECTION_OK) {
        set_pg_diag(st, diag, "store: postgres: cannot connect: ", PQerrorMessage(st->conn));
        rc = HK_ERR_IO;
        goto fail;
    }
    PQsetNoticeProcessor(st->conn, ignore_notice, NULL);
    rc = create_schema(st, diag);
    if(rc == HK_OK)
        rc = prepare_all(st, diag);
    if(rc != HK_OK) {
        if(rc != HK_ERR_NOMEM)
            rc = HK_ERR_IO;
        goto fail;
    }
    *out = &st->base;
    return HK_OK;
fail:
    pg_close(&st->base);
    return rc;
}

static void pg_close(central_store_t *s)
{
    pg_store_t *st = (pg_store_t *)s;

    if(!st)
        return;
    if(st->conn)
        PQfinish(st->conn);
    if(st->password)
        sodium_memzero(st->password, strlen(st->password));
    if(st->password_raw)
        sodium_memzero(st->password_raw, strlen(st->password_raw));
    hk_free(st->password);
    hk_free(st->password_raw);
    hk_free(st);
}

/* ---- devices ----------------------------------------------------------------------- */

static hk_err_t pg_device_put(central_store_t *s, const central_device_t *d)
{
    const char *p[4] = { d->id, d->branch, d->token_hash, d->enabled ? "t" : "f" };

    return run_void((pg_store_t *)s, "dev_put", 4, p);
}

static hk_err_t pg_device_get(central_store_t *s, const char *id, central_device_t *out)
{
    pg_store_t *st = (pg_store_t *)s;
    const char *p[1] = { id };
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);

    if(rc == HK_OK)
        rc = run(st, "dev_get", 1, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    if(PQntuples(res) != 1) {
        PQclear(res);
        return HK_ERR_NOT_FOUND;
    }
    memset(out, 0, sizeof(*out));
    copy_text(out->id, sizeof(out->id), id);
    copy_text(out->branch, sizeof(out->branch), PQgetvalue(res, 0, 0));
    copy_text(out->token_hash, sizeof(out->token_hash), PQgetvalue(res, 0, 1));
    out->enabled = PQgetvalue(res, 0, 2)[0] == 't';
    PQclear(res);
    return HK_OK;
}

/* ---- ingest ---------------------------------------------------------------------------- */

/* One element of a text[] literal: "..." with " and \ escaped. */
static void put_quoted(hk_buf_t *b, const char *s)
{
    const char *run = s;

    hk_buf_reserve(b, 2 * strlen(s) + 2); /* the worst case, once */
    hk_buf_put(b, "\"", 1);
    for(; *s; s++) {
        if(*s != '"' && *s != '\\')
            continue;
        hk_buf_put(b, run, (size_t)(s - run));
        hk_buf_put(b, "\\", 1);
        run = s; /* the quote or backslash itself starts the next run */
    }
    hk_buf_put(b, run, (size_t)(s - run));
    hk_buf_put(b, "\"", 1);
}

static void init_arrays(hk_buf_t arr[5])
{
    int k;

    for(k = 0; k < 5; k++)
        hk_buf_init(&arr[k], 0);
}

static void free_arrays(hk_buf_t arr[5])
{
    int k;

    for(k = 0; k < 5; k++)
        hk_buf_free(&arr[k]);
}

/* The array parameters {seq}, {uuid}, {type}, {time_ms}, {body} over the
 * events selected by want (NULL = all). false = out of memory. */
static bool build_arrays(const central_batch_t *b, const bool *want, hk_buf_t arr[5])
{
    int i, k;
    bool first = true;

    for(k = 0; k < 5; k++)
        hk_buf_put(&arr[k], "{", 1);
    for(i = 0; i < b->n_events; i++) {
        const central_event_t *e = &b->events[i];
        if(want && !want[i])
            continue;
        if(!first)
            for(k = 0; k < 5; k++)
                hk_buf_put(&arr[k], ",", 1);
        first = false;
        hk_buf_printf(&arr[0], "%" PRId64, e->seq);
        put_quoted(&arr[1], e->uuid);
        put_quoted(&arr[2], e->type);
        hk_buf_printf(&arr[3], "%" PRId64, e->time_ms);
        put_quoted(&arr[4], e->body ? e->body : "");
    }
    for(k = 0; k < 5; k++)
        hk_buf_put(&arr[k], "}", 1);
    for(k = 0; k < 5; k++)
        if(arr[k].failed)
            return false;
    return true;
}

static int find_seq(const central_batch_t *b, int64_t seq)
{
    int lo = 0, hi = b->n_events - 1;

    while(lo <= hi) { /* events are in ascending seq order (pg_ingest checks) */
        int mid = lo + (hi - lo) / 2;
        if(b->events[mid].seq == seq)
            return mid;
        if(b->events[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Step 3: every event not stored must already be held exactly as sent. */
static hk_err_t check_not_stored(pg_store_t *st, const central_batch_t *b, const bool *stored,
                                 central_ack_t *ack, hk_diag_t *diag)
{
    hk_buf_t arr[5];
    bool *want;
    PGresult *res = NULL;
    hk_err_t rc = HK_OK;
    int i, r, rows;

    want = hk_calloc((size_t)b->n_events, sizeof(bool));
    if(!want)
        return HK_ERR_NOMEM;
    init_arrays(arr);
    for(i = 0; i < b->n_events; i++)
        want[i] = !stored[i];
    if(!build_arrays(b, want, arr)) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    {
        const char *p[3] = { b->device, arr[0].p, arr[1].p };
        rc = run(st, "ev_held", 3, p, &res, diag);
    }
    if(rc != HK_OK)
        goto out;
    rows = PQntuples(res);
    for(i = 0; i < b->n_events && rc == HK_OK; i++) {
        const central_event_t *e = &b->events[i];
        bool same_key = false, same = false, uuid_elsewhere = false;
        if(stored[i])
            continue;
        for(r = 0; r < rows; r++) {
            bool key = !strcmp(PQgetvalue(res, r, 0), b->device) && get_i64(res, r, 1) == e->seq;
            bool uuid = !strcmp(PQgetvalue(res, r, 2), e->uuid);
            if(key) {
                same_key = true;
                same = uuid && !strcmp(PQgetvalue(res, r, 3), e->type) &&
                       get_i64(res, r, 4) == e->time_ms &&
                       !strcmp(PQgetvalue(res, r, 5), e->body ? e->body : "");
            } else if(uuid) {
                uuid_elsewhere = true;
            }
        }
        if(same_key && same) {
            ack->results[i].status = CENTRAL_DUPLICATE;
        } else if(same_key) {
            hk_diag_set(diag, "events[%d]: seq %" PRId64 " already held with other content", i,
                        e->seq);
            rc = HK_ERR_CONFLICT;
        } else if(uuid_elsewhere) {
            hk_diag_set(diag, "events[%d]: uuid %s already held with other content", i, e->uuid);
            rc = HK_ERR_CONFLICT;
        } else {
            /* not stored and nothing held in its way: cannot happen under the
             * device_progress lock; refuse rather than acknowledge it */
            hk_diag_set(diag, "events[%d]: not stored and not held (seq %" PRId64 ")", i, e->seq);
            rc = HK_ERR_CONFLICT;
        }
    }
out:
    PQclear(res);
    free_arrays(arr);
    hk_free(want);
    return rc;
}

/* Steps 1, 2 and 4 in one round trip (libpq pipeline mode): BEGIN,
 * prog_lock, ev_ins, prog_adv, then a sync; the transaction stays open for
 * step 3 and COMMIT. *ins_out receives ev_ins's result (PQclear it). */
static hk_err_t send_batch(pg_store_t *st, const central_batch_t *b, const hk_buf_t arr[5],
                           const char *days, int64_t *acked_out, char branch_out[CENTRAL_ID_LEN],
                           PGresult **ins_out, hk_diag_t *diag)
{
    const char *lock_p[1] = { b->device };
    const char *ins_p[7] = { b->device, arr[0].p, arr[1].p, arr[2].p, arr[3].p, arr[4].p, days };
    bool contiguous = b->events[b->n_events - 1].seq - b->events[0].seq == b->n_events - 1;
    char first[24] = "0", last[24] = "0";
    const char *adv_p[3] = { b->device, first, last };
    PGconn *c = st->conn;
    hk_err_t rc = HK_OK;
    enum { Q_BEGIN, Q_NEW, Q_LOCK, Q_INS, Q_ADV, Q_N };
    int q = Q_BEGIN; /* the query whose results come next */

    *ins_out = NULL;
    if(contiguous) { /* ascending and no seq twice (pg_ingest checked) */
        snprintf(first, sizeof(first), "%" PRId64, b->events[0].seq);
        snprintf(last, sizeof(last), "%" PRId64, b->events[b->n_events - 1].seq);
    }
    if(!PQenterPipelineMode(c) || !PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) ||
       !PQsendQueryPrepared(c, "prog_new", 1, lock_p, NULL, NULL, 0) ||
       !PQsendQueryPrepared(c, "prog_lock", 1, lock_p, NULL, NULL, 0) ||
       !PQsendQueryPrepared(c, "ev_ins", 7, ins_p, NULL, NULL, 0) ||
       !PQsendQueryPrepared(c, "prog_adv", 3, adv_p, NULL, NULL, 0) || !PQpipelineSync(c)) {
        set_pg_diag(st, diag, "store: postgres: ingest: ", PQerrorMessage(c));
        PQreset(c); /* a half-sent pipeline: start the session afresh */
        st->need_prepare = true;
        return HK_ERR_IO;
    }
    for(;;) { /* every result up to the sync, even after an error */
        PGresult *res = PQgetResult(c);
        ExecStatusType es;
        if(!res) { /* the end of one query's results */
            if(PQstatus(c) != CONNECTION_OK || ++q > Q_N) {
                if(rc == HK_OK)
                    set_pg_diag(st, diag, "store: postgres: ingest: ", PQerrorMessage(c));
                rc = HK_ERR_IO;
                break;
            }
            continue;
        }
        es = PQresultStatus(res);
        if(es == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if(es == PGRES_TUPLES_OK && q == Q_LOCK && PQntuples(res) == 1) {
            *acked_out = get_i64(res, 0, 0);
            copy_text(branch_out, CENTRAL_ID_LEN, PQgetvalue(res, 0, 1)); /* "" when NULL */
        } else if(es == PGRES_TUPLES_OK && q == Q_ADV && PQntuples(res) == 1)
            *acked_out = get_i64(res, 0, 0); /* advanced; else it stays */
        else if(es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK && es != PGRES_PIPELINE_ABORTED &&
                rc == HK_OK)
            rc = result_err(st, res, diag, "ingest");
        if(es == PGRES_TUPLES_OK && q == Q_INS && !*ins_out)
            *ins_out = res;
        else
            PQclear(res);
    }
    if(!PQexitPipelineMode(c)) {
        PQreset(c); /* results left unread: the session cannot go on */
        st->need_prepare = true;
        rc = HK_ERR_IO;
    }
    if(rc == HK_OK && !*ins_out) {
        hk_diag_set(diag, "store: postgres: ingest: no result from the insert");
        rc = HK_ERR_IO;
    }
    if(rc != HK_OK) {
        PQclear(*ins_out);
        *ins_out = NULL;
    }
    return rc;
}

/* A case as a json_to_recordset record of derive_ins. */
static cJSON *case_json(const cases_case_t *c)
{
    cJSON *o = cJSON_CreateObject();

    if(!o || !cJSON_AddStringToObject(o, "id", c->id) ||
       !cJSON_AddNumberToObject(o, "kind", (double)c->kind) ||
       !cJSON_AddStringToObject(o, "branch", c->branch) ||
       !cJSON_AddStringToObject(o, "device", c->device) ||
       !cJSON_AddStringToObject(o, "number", c->number) ||
       !cJSON_AddStringToObject(o, "day", c->day) ||
       !cJSON_AddStringToObject(o, "counter", c->counter) ||
       !cJSON_AddStringToObject(o, "staff", c->staff) ||
       !cJSON_AddNumberToObject(o, "level", c->level) ||
       !cJSON_AddNumberToObject(o, "opened_ms", (double)c->opened_ms) ||
       !cJSON_AddNumberToObject(o, "deadline_ms", (double)c->deadline_ms)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* An alert (raised by the event uuid) as a record of derive_ins. */
static cJSON *alert_json(const alert_t *a, const char *uuid)
{
    cJSON *o = cJSON_CreateObject();

    if(!o || !cJSON_AddStringToObject(o, "uuid", uuid) ||
       !cJSON_AddStringToObject(o, "kind", a->kind) ||
       !cJSON_AddStringToObject(o, "branch", a->branch) ||
       !cJSON_AddStringToObject(o, "device", a->device) ||
       !cJSON_AddNumberToObject(o, "seq", (double)a->seq) ||
       !cJSON_AddStringToObject(o, "number", a->number) ||
       !cJSON_AddStringToObject(o, "counter", a->counter) ||
       !cJSON_AddStringToObject(o, "staff", a->staff) ||
       !cJSON_AddNumberToObject(o, "level", a->level) ||
       !cJSON_AddNumberToObject(o, "wait_s", a->wait_s) ||
       !cJSON_AddNumberToObject(o, "time_ms", (double)a->time_ms)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Step 5: the cases and alerts of the events stored now, in one statement;
 * the alerts it stored join st's list of raised ones. */
static hk_err_t derive_batch(pg_store_t *st, const central_batch_t *b, const bool *stored,
                             const char *branch, hk_diag_t *diag)
{
    cJSON *cases = NULL, *alerts = NULL;
    char *cases_txt = NULL, *alerts_txt = NULL;
    alert_t *raised = NULL;
    int *raised_ev = NULL;
    int i, r, n_cases = 0, n_raised = 0;
    PGresult *res = NULL;
    hk_err_t rc = HK_ERR_NOMEM;

    for(i = 0; i < b->n_events; i++)
        if(stored[i] && central_store_type_derives(b->events[i].type))
            break;
    if(i == b->n_events)
        return HK_OK; /* the usual batch: nothing to look at */
    cases = cJSON_CreateArray();
    alerts = cJSON_CreateArray();
    raised = hk_calloc((size_t)b->n_events, sizeof(*raised));
    raised_ev = hk_calloc((size_t)b->n_events, sizeof(*raised_ev));
    if(!cases || !alerts || !raised || !raised_ev)
        goto out;
    for(; i < b->n_events; i++) {
        const central_event_t *e = &b->events[i];
        bool has_case, has_alert;
        cases_case_t c;
        if(!stored[i] || !central_store_type_derives(e->type))
            continue;
        central_store_derive(&st->base, branch, b->device, e, &has_case, &c, &has_alert,
                             &raised[n_raised]);
        if(has_case && !cJSON_AddItemToArray(cases, case_json(&c)))
            goto out;
        n_cases += has_case;
        if(has_alert && !cJSON_AddItemToArray(alerts, alert_json(&raised[n_raised], e->uuid)))
            goto out;
        if(has_alert)
            raised_ev[n_raised++] = i;
    }
    rc = HK_OK;
    if(n_cases == 0 && n_raised == 0)
        goto out;
    cases_txt = cJSON_PrintUnformatted(cases);
    alerts_txt = cJSON_PrintUnformatted(alerts);
    if(!cases_txt || !alerts_txt) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    {
        const char *p[2] = { cases_txt, alerts_txt };
        rc = run(st, "derive_ins", 2, p, &res, diag);
    }
    for(r = 0; rc == HK_OK && r < PQntuples(res); r++)
        for(i = 0; i < n_raised && rc == HK_OK; i++)
            if(!strcmp(PQgetvalue(res, r, 0), b->events[raised_ev[i]].uuid))
                rc = central_store_alert_add(&st->base, &raised[i]);
out:
    PQclear(res);
    cJSON_free(cases_txt);
    cJSON_free(alerts_txt);
    cJSON_Delete(cases);
    cJSON_Delete(alerts);
    hk_free(raised);
    hk_free(raised_ev);
    return rc;
}

static hk_err_t ingest_once(pg_store_t *st, const central_batch_t *b, const hk_buf_t arr[5],
                            const char *days, central_ack_t *ack, hk_diag_t *diag)
{
    char branch[CENTRAL_ID_LEN] = "";
    PGresult *res = NULL;
    bool *stored = NULL;
    int64_t acked = 0;
    int i, n_stored;
    hk_err_t rc;

    st->base.n_alerts = 0; /* this try's */
    rc = central_store_ack_open(b, ack);
    if(rc == HK_OK)
        rc = send_batch(st, b, arr, days, &acked, branch, &res, diag); /* 1, 2, 4 */
    if(rc != HK_OK)
        goto out;
    stored = hk_calloc((size_t)b->n_events, sizeof(bool));
    if(!stored) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    n_stored = PQntuples(res);
    for(i = 0; i < n_stored; i++) {
        int idx = find_seq(b, get_i64(res, i, 0));
        if(idx >= 0)
            stored[idx] = true;
    }
    PQclear(res);
    res = NULL;
    if(n_stored < b->n_events) { /* 3 */
        rc = check_not_stored(st, b, stored, ack, diag);
        if(rc != HK_OK)
            goto out;
    }
    rc = derive_batch(st, b, stored, branch, diag); /* 5 */
    if(rc != HK_OK)
        goto out;
    rc = exec_simple(st, "COMMIT", diag);
    if(rc == HK_OK)
        ack->acked_seq = acked;
out:
    PQclear(res);
    hk_free(stored);
    if(rc != HK_OK) {
        st->base.n_alerts = 0; /* none of them was stored */
        rollback(st);
    }
    return rc;
}

/* The {day} array parameter of ev_ins: each body's day, NULL when none.
 * false = out of memory. */
static bool build_days(const central_batch_t *b, hk_buf_t *out)
{
    char day[11];
    int i;

    hk_buf_put(out, "{", 1);
    for(i = 0; i < b->n_events; i++) {
        if(i > 0)
            hk_buf_put(out, ",", 1);
        if(central_store_body_day(b->events[i].body, day) != HK_OK)
            return false;
        if(day[0])
            put_quoted(out, day);
        else
            hk_buf_put(out, "NULL", 4);
    }
    hk_buf_put(out, "}", 1);
    return !out->failed;
}

static hk_err_t pg_ingest(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                          hk_diag_t *diag)
{
    pg_store_t *st = (pg_store_t *)s;
    hk_buf_t arr[5], days;
    hk_err_t rc;
    int tries;

    /* the batch was checked by central_store_ingest (count, seqs ascending) */
    rc = ensure(st, diag);
    if(rc != HK_OK)
        return rc;
    init_arrays(arr);
    hk_buf_init(&days, 0);
    if(!build_arrays(b, NULL, arr) || !build_days(b, &days)) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    for(tries = 0; tries < MAX_TRIES; tries++) {
        rc = ingest_once(st, b, arr, days.p, ack, diag);
        if(rc != HK_ERR_BUSY)
            break;
    }
out:
    free_arrays(arr);
    hk_buf_free(&days);
    if(rc != HK_OK)
        central_store_ack_drop(ack);
    return rc;
}

static hk_err_t query_i64(pg_store_t *st, const char *stmt, const char *arg, int64_t *out)
{
    const char *p[1] = { arg };
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);

    if(rc == HK_OK)
        rc = run(st, stmt, 1, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    *out = PQntuples(res) == 1 ? get_i64(res, 0, 0) : 0;
    PQclear(res);
    return HK_OK;
}

static hk_err_t pg_acked_seq(central_store_t *s, const char *device, int64_t *out)
{
    return query_i64((pg_store_t *)s, "acked", device, out);
}

static hk_err_t pg_count_events(central_store_t *s, const char *device, int64_t *out)
{
    return query_i64((pg_store_t *)s, "count", device, out);
}

/* ---- configuration documents --------------------------------------------------------- */

static hk_err_t pg_config_put(central_store_t *s, const char *branch, const char *json)
{
    char etag[CENTRAL_ETAG_LEN];
    const char *p[3] = { branch, json, etag };

    central_store_etag(json, etag); /* the tag every backend stores */
    return run_void((pg_store_t *)s, "cfg_put", 3, p);
}

static hk_err_t pg_config_get(central_store_t *s, const char *branch, char **json_out,
                              char etag_out[CENTRAL_ETAG_LEN])
{
    pg_store_t *st = (pg_store_t *)s;
    const char *p[1] = { branch };
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);

    *json_out = NULL;
    if(rc == HK_OK)
        rc = run(st, "cfg_get", 1, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    if(PQntuples(res) != 1) {
        PQclear(res);
        return HK_ERR_NOT_FOUND;
    }
    *json_out = hk_strdup(PQgetvalue(res, 0, 0));
    if(!*json_out) {
        PQclear(res);
        return HK_ERR_NOMEM;
    }
    copy_text(etag_out, CENTRAL_ETAG_LEN, PQgetvalue(res, 0, 1));
    PQclear(res);
    return HK_OK;
}

/* ---- heartbeats ------------------------------------------------------------------------ */

static hk_err_t pg_heartbeat(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms)
{
    char up[24], backlog[24], disk[24], now[24];
    const char *p[9] = { hb->device,  hb->branch, hb->version,    up, backlog,
                         hb->printer, disk,       hb->last_error, now };

    snprintf(up, sizeof(up), "%" PRId64, hb->uptime_s);
    snprintf(backlog, sizeof(backlog), "%" PRId64, hb->backlog);
    snprintf(disk, sizeof(disk), "%" PRId64, hb->disk_free_mb);
    snprintf(now, sizeof(now), "%" PRId64, now_ms);
    return run_void((pg_store_t *)s, "hb", 9, p);
}

/* ---- enrolment codes (PROVISION) ----------------------------------------------------------- */

static hk_err_t pg_code_put(central_store_t *s, const char *code_hash, const char *device,
                            int64_t now_ms, int64_t expires_ms)
{
    char now[24], exp[24];
    const char *p[4] = { code_hash, device, now, exp };

    snprintf(now, sizeof(now), "%" PRId64, now_ms);
    snprintf(exp, sizeof(exp), "%" PRId64, expires_ms);
    return run_void((pg_store_t *)s, "code_put", 4, p);
}

static hk_err_t pg_code_take(central_store_t *s, const char *code_hash, const char *device,
                             int64_t now_ms, central_code_state_t *state_out)
{
    pg_store_t *st = (pg_store_t *)s;
    char now[24];
    const char *p[3] = { code_hash, device, now };
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);

    snprintf(now, sizeof(now), "%" PRId64, now_ms);
    if(rc == HK_OK)
        rc = run(st, "code_take", 3, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    if(PQntuples(res) == 1) {
        PQclear(res);
        *state_out = CENTRAL_CODE_TAKEN;
        return HK_OK;
    }
    PQclear(res);
    rc = run(st, "code_get", 2, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    if(PQntuples(res) != 1)
        *state_out = CENTRAL_CODE_UNKNOWN;
    else
        *state_out = get_i64(res, 0, 0) > 0 ? CENTRAL_CODE_USED : CENTRAL_CODE_EXPIRED;
    PQclear(res);
    return HK_OK;
}

/* ---- what reports, cases, alerts and the status page read -------------------------------- */

static hk_err_t pg_day_events(central_store_t *s, const char *branch, const char *day,
                              central_event_row_t **out, int *n_out)
{
    pg_store_t *st = (pg_store_t *)s;
    const char *p[2] = { branch, day };
    central_event_row_t *rows;
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);
    int i, n;

    if(rc == HK_OK)
        rc = run(st, "day_events", 2, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    n = PQntuples(res);
    if(n == 0) {
        PQclear(res);
        return HK_OK;
    }
    rows = hk_calloc((size_t)n, sizeof(*rows));
    if(!rows) {
        PQclear(res);
        return HK_ERR_NOMEM;
    }
    for(i = 0; i < n; i++) {
        central_event_row_t *r = &rows[i];
        copy_text(r->device, sizeof(r->device), PQgetvalue(res, i, 0));
        r->ev.seq = get_i64(res, i, 1);
        copy_text(r->ev.uuid, sizeof(r->ev.uuid), PQgetvalue(res, i, 2));
        copy_text(r->ev.type, sizeof(r->ev.type), PQgetvalue(res, i, 3));
        r->ev.time_ms = get_i64(res, i, 4);
        r->ev.body = hk_strdup(PQgetvalue(res, i, 5));
        if(!r->ev.body) {
            PQclear(res);
            central_event_rows_free(rows, i);
            return HK_ERR_NOMEM;
        }
    }
    PQclear(res);
    *out = rows;
    *n_out = n;
    return HK_OK;
}

/* A row of SELECT CASE_COLS into a cases_case_t. */
static void case_read(const PGresult *res, int row, void *out)
{
    cases_case_t *c = out;

    memset(c, 0, sizeof(*c));
    copy_text(c->id, sizeof(c->id), PQgetvalue(res, row, 0));
    c->kind = get_i64(res, row, 1) == CASES_SUBMISSION ? CASES_SUBMISSION : CASES_RATING;
    copy_text(c->branch, sizeof(c->branch), PQgetvalue(res, row, 2));
    copy_text(c->device, sizeof(c->device), PQgetvalue(res, row, 3));
    copy_text(c->number, sizeof(c->number), PQgetvalue(res, row, 4));
    copy_text(c->day, sizeof(c->day), PQgetvalue(res, row, 5));
    copy_text(c->counter, sizeof(c->counter), PQgetvalue(res, row, 6));
    copy_text(c->staff, sizeof(c->staff), PQgetvalue(res, row, 7));
    c->level = (int)get_i64(res, row, 8);
    c->opened_ms = get_i64(res, row, 9);
    c->deadline_ms = get_i64(res, row, 10);
    copy_text(c->owner, sizeof(c->owner), PQgetvalue(res, row, 11));
    c->callback_attempts = (int)get_i64(res, row, 12);
    c->callback_reached = PQgetvalue(res, row, 13)[0] == 't';
    c->callback_ms = get_i64(res, row, 14);
    copy_text(c->callback_note, sizeof(c->callback_note), PQgetvalue(res, row, 15));
    c->closed = PQgetvalue(res, row, 16)[0] == 't';
    c->closed_ms = get_i64(res, row, 17);
    copy_text(c->cause, sizeof(c->cause), PQgetvalue(res, row, 18));
    copy_text(c->close_note, sizeof(c->close_note), PQgetvalue(res, row, 19));
    c->version = get_i64(res, row, 20);
}

/* A row of SELECT ALERT_COLS into an alert_t. */
static void alert_read(const PGresult *res, int row, void *out)
{
    alert_t *a = out;

    memset(a, 0, sizeof(*a));
    copy_text(a->kind, sizeof(a->kind), PQgetvalue(res, row, 0));
    copy_text(a->branch, sizeof(a->branch), PQgetvalue(res, row, 1));
    copy_text(a->device, sizeof(a->device), PQgetvalue(res, row, 2));
    a->seq = get_i64(res, row, 3);
    copy_text(a->number, sizeof(a->number), PQgetvalue(res, row, 4));
    copy_text(a->counter, sizeof(a->counter), PQgetvalue(res, row, 5));
    copy_text(a->staff, sizeof(a->staff), PQgetvalue(res, row, 6));
    a->level = (int)get_i64(res, row, 7);
    a->wait_s = (int)get_i64(res, row, 8);
    a->time_ms = get_i64(res, row, 9);
}

/* Run a statement and read every row with read into a hk_malloc'd array of
 * elements of size bytes (NULL when none). */
static hk_err_t collect(pg_store_t *st, const char *name, int n_params, const char *const *params,
                        size_t size, void (*read)(const PGresult *, int, void *), void **out,
                        int *n_out)
{
    PGresult *res;
    char *rows;
    hk_err_t rc = run(st, name, n_params, params, &res, NULL);
    int i, n;

    if(rc != HK_OK)
        return rc;
    n = PQntuples(res);
    rows = n > 0 ? hk_calloc((size_t)n, size) : NULL;
    if(n > 0 && !rows) {
        PQclear(res);
        return HK_ERR_NOMEM;
    }
    for(i = 0; i < n; i++)
        read(res, i, rows + (size_t)i * size);
    PQclear(res);
    *out = rows;
    *n_out = n;
    return HK_OK;
}

static hk_err_t pg_case_get(central_store_t *s, const char *id, cases_case_t *out)
{
    pg_store_t *st = (pg_store_t *)s;
    const char *p[1] = { id };
    cases_case_t *got = NULL;
    hk_err_t rc = ensure(st, NULL);
    int n = 0;

    if(rc == HK_OK)
        rc = collect(st, "case_get", 1, p, sizeof(*got), case_read, (void **)&got, &n);
    if(rc == HK_OK && n == 1)
        *out = *got;
    else if(rc == HK_OK)
        rc = HK_ERR_NOT_FOUND;
    hk_free(got);
    return rc;
}

static hk_err_t pg_case_update(central_store_t *s, const cases_case_t *c, int64_t expected_version)
{
    pg_store_t *st = (pg_store_t *)s;
    char attempts[24], cb_ms[24], closed_ms[24], ver[24];
    const char *p[11] = { c->id,
                          c->owner,
                          attempts,
                          c->callback_reached ? "t" : "f",
                          cb_ms,
                          c->callback_note,
                          c->closed ? "t" : "f",
                          closed_ms,
                          c->cause,
                          c->close_note,
                          ver };
    PGresult *res;
    hk_err_t rc = ensure(st, NULL);

    snprintf(attempts, sizeof(attempts), "%d", c->callback_attempts);
    snprintf(cb_ms, sizeof(cb_ms), "%" PRId64, c->callback_ms);
    snprintf(closed_ms, sizeof(closed_ms), "%" PRId64, c->closed_ms);
    snprintf(ver, sizeof(ver), "%" PRId64, expected_version);
    if(rc == HK_OK)
        rc = run(st, "case_upd", 11, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    if(PQntuples(res) == 1) {
        PQclear(res);
        return HK_OK;
    }
    PQclear(res);
    /* not updated: another version, or no such case */
    rc = run(st, "case_ver", 1, p, &res, NULL);
    if(rc != HK_OK)
        return rc;
    rc = PQntuples(res) == 1 ? HK_ERR_CONFLICT : HK_ERR_NOT_FOUND;
    PQclear(res);
    return rc;
}

/* The $1 of cases_list / alerts_list: a text[] literal of the ids (unused
 * when n == 0: the parameter is NULL, every branch). false = out of memory. */
static bool branches_param(const char *const *branches, int n, hk_buf_t *buf)
{
    int i;

    hk_buf_put(buf, "{", 1);
    for(i = 0; i < n; i++) {
        if(i > 0)
            hk_buf_put(buf, ",", 1);
        put_quoted(buf, branches[i]);
    }
    hk_buf_put(buf, "}", 1);
    return !buf->failed;
}

static hk_err_t pg_cases_list(central_store_t *s, const char *const *branches, int n_branches,
                              bool open_only, cases_case_t **out, int *n_out)
{
    pg_store_t *st = (pg_store_t *)s;
    hk_buf_t buf;
    hk_err_t rc = ensure(st, NULL);

    hk_buf_init(&buf, 0);
    if(rc == HK_OK && !branches_param(branches, n_branches, &buf))
        rc = HK_ERR_NOMEM;
    if(rc == HK_OK) {
        const char *p[2] = { n_branches > 0 ? buf.p : NULL, open_only ? "t" : "f" };
        rc = collect(st, "cases_list", 2, p, sizeof(**out), case_read, (void **)out, n_out);
    }
    hk_buf_free(&buf);
    return rc;
}

static hk_err_t pg_alerts_list(central_store_t *s, const char *const *branches, int n_branches,
                               int64_t since_ms, int max, alert_t **out, int *n_out)
{
    pg_store_t *st = (pg_store_t *)s;
    char since[24], lim[24];
    hk_buf_t buf;
    hk_err_t rc = ensure(st, NULL);

    snprintf(since, sizeof(since), "%" PRId64, since_ms);
    snprintf(lim, sizeof(lim), "%d", max);
    hk_buf_init(&buf, 0);
    if(rc == HK_OK && !branches_param(branches, n_branches, &buf))
        rc = HK_ERR_NOMEM;
    if(rc == HK_OK) {
        const char *p[3] = { n_branches > 0 ? buf.p : NULL, since, lim };
        rc = collect(st, "alerts_list", 3, p, sizeof(**out), alert_read, (void **)out, n_out);
    }
    hk_buf_free(&buf);
    return rc;
}
