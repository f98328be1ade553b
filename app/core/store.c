/*
 * store: opens the SQLite database the branch lives in, sets the durability
 * pragmas (WAL, synchronous=FULL, foreign keys, busy timeout) and migrates
 * the schema forward with an ordered array of migrations keyed by PRAGMA
 * user_version. It also keeps the device-fault log. It does not know about
 * queues or tickets beyond creating their tables; queue.c owns that logic.
 *
 * SQLite is pointed at hk_malloc/hk_free (once per process, before SQLite
 * initialises) so the allocator's fault injection and leak count reach
 * inside SQLite too. If some other code initialised SQLite first, SQLite
 * keeps its own allocator and everything still works; only the injection
 * coverage is smaller (store_mem_hooked() says which).
 *
 * Design notes
 * ------------
 * Schema versions (user_version):
 *   0  empty file
 *   1  numbers (the per-day number ledger) + tickets
 *   2  tickets.ahead_quoted/est_wait_s_quoted, faults, service_stats,
 *      counter_state
 * Transitions: store_open() runs migrations[v] for v = current .. latest-1,
 * each in its own BEGIN IMMEDIATE transaction that also bumps user_version,
 * so a crash mid-migration leaves the file at a whole version. The version
 * is re-read inside the transaction, so two processes opening one file at
 * once do not both migrate.
 * Invariants:
 *   - a file whose user_version is newer than this build is refused and not
 *     written (journal_mode is set only after the version check);
 *   - migrations only add; rows written by an older version stay readable.
 */
#include "store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hk_mem.h"

#define BUSY_TIMEOUT_MS 5000
#define MEM_HDR         16 /* keeps SQLite's 8-byte alignment; holds the size */

struct store {
    sqlite3 *db;
    int version;
};

/* Static prototypes -------------------------------------------------------*/
static hk_err_t open_impl(const char *path, int target, store_t **out, hk_diag_t *diag);
static hk_err_t exec_sql(sqlite3 *db, const char *sql, hk_diag_t *diag);
static hk_err_t read_version(sqlite3 *db, int *out);
static hk_err_t migrate_one(sqlite3 *db, int from, hk_diag_t *diag);
static void mem_install(void);
static void *sq_malloc(int n);
static void sq_free(void *p);
static void *sq_realloc(void *p, int n);
static int sq_size(void *p);
static int sq_roundup(int n);
static int sq_init(void *arg);
static void sq_shutdown(void *arg);

/* Static data -------------------------------------------------------------*/

/* migrations[v] takes a file from version v to v+1. Only ever append. */
static const char *const migrations[] = {
    /* 0 -> 1: the number ledger is the authority for "was this number
     * issued today"; tickets reference it so a transfer can put the same
     * number on a new row without issuing it twice. */
    "CREATE TABLE numbers("
    "  day TEXT NOT NULL,"
    "  prefix TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK(seq BETWEEN 1 AND 999),"
    "  issued_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(day, prefix, seq)"
    ") WITHOUT ROWID;"
    "CREATE TABLE tickets("
    "  id INTEGER PRIMARY KEY,"
    "  day TEXT NOT NULL,"
    "  prefix TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  number TEXT NOT NULL,"
    "  service_id TEXT NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  issued_ms INTEGER NOT NULL,"
    "  called_ms INTEGER NOT NULL DEFAULT 0,"
    "  serving_ms INTEGER NOT NULL DEFAULT 0,"
    "  finished_ms INTEGER NOT NULL DEFAULT 0,"
    "  counter_id TEXT NOT NULL DEFAULT '',"
    "  recalls INTEGER NOT NULL DEFAULT 0,"
    "  prev_id INTEGER REFERENCES tickets(id),"
    "  FOREIGN KEY(day, prefix, seq) REFERENCES numbers(day, prefix, seq)"
    ");"
    "CREATE INDEX tickets_state ON tickets(state, service_id, issued_ms);"
    "CREATE INDEX tickets_number ON tickets(day, number);",

    /* 1 -> 2: wait estimates (quoted on the ticket, measured later), the
     * per-service service-time mean, counter open/closed, device faults. */
    "ALTER TABLE tickets ADD COLUMN ahead_quoted INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tickets ADD COLUMN est_wait_s_quoted INTEGER NOT NULL "
    "  DEFAULT -1;"
    "CREATE TABLE service_stats("
    "  service_id TEXT PRIMARY KEY,"
    "  mean_s REAL NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE counter_state("
    "  counter_id TEXT PRIMARY KEY,"
    "  open INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL"
    ");"
    "CREATE TABLE faults("
    "  id INTEGER PRIMARY KEY,"
    "  wall_ms INTEGER NOT NULL,"
    "  device TEXT NOT NULL,"
    "  code TEXT NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX faults_code ON faults(device, code);",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static pthread_once_t mem_once = PTHREAD_ONCE_INIT;
static bool mem_hooked;

/* Public functions --------------------------------------------------------*/

int store_schema_latest(void)
{
    return N_MIGRATIONS;
}

hk_err_t store_open(const char *path, store_t **out, hk_diag_t *diag)
{
    return open_impl(path, N_MIGRATIONS, out, diag);
}

hk_err_t store_open_at_version(const char *path, int target, store_t **out, hk_diag_t *diag)
{
    if(target < 0 || target > N_MIGRATIONS) {
        if(out)
            *out = NULL;
        hk_diag_set(diag, "store: no schema version %d (latest %d)", target, N_MIGRATIONS);
        return HK_ERR_INVALID;
    }
    return open_impl(path, target, out, diag);
}

void store_close(store_t *s)
{
    if(!s)
        return;
    /* sqlite3_close_v2 never fails for lack of memory; a BUSY here means a
     * statement was leaked by a caller, which it defers safely. */
    (void)sqlite3_close_v2(s->db);
    hk_free(s);
}

sqlite3 *store_db(store_t *s)
{
    return s ? s->db : NULL;
}

int store_schema_version(store_t *s)
{
    return s ? s->version : -1;
}

hk_err_t store_integrity_check(store_t *s, hk_diag_t *diag)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc = HK_OK;
    int src;

    hk_diag_clear(diag);
    src = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);
    if(src != SQLITE_OK) {
        rc = store_err(src);
        hk_diag_set(diag, "integrity_check: %s", sqlite3_errmsg(s->db));
        goto out;
    }
    src = sqlite3_step(st);
    if(src != SQLITE_ROW) {
        rc = src == SQLITE_DONE ? HK_ERR_CORRUPT : store_err(src);
        hk_diag_set(diag, "integrity_check: %s", sqlite3_errmsg(s->db));
        goto out;
    }
    if(strcmp((const char *)sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
                                                       : "",
              "ok") != 0) {
        const unsigned char *m = sqlite3_column_text(st, 0);
        hk_diag_set(diag, "integrity_check: %s", m ? (const char *)m : "?");
        rc = HK_ERR_CORRUPT;
    }
out:
    (void)sqlite3_finalize(st); /* result already taken from step */
    return rc;
}

hk_err_t store_record_fault(store_t *s, int64_t wall_ms, const char *device, const char *code,
                            const char *detail)
{
    sqlite3_stmt *st = NULL;
    int src;

    if(!s || !device || !code)
        return HK_ERR_INVALID;
    /* One autocommit INSERT: durable on return with synchronous=FULL. */
    src = sqlite3_prepare_v2(s->db,
                             "INSERT INTO faults(wall_ms, device, code, detail)"
                             " VALUES(?, ?, ?, ?)",
                             -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_bind_int64(st, 1, wall_ms);
    if(src == SQLITE_OK)
        src = sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
    if(src == SQLITE_OK)
        src = sqlite3_bind_text(st, 3, code, -1, SQLITE_TRANSIENT);
    if(src == SQLITE_OK)
        src = sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_TRANSIENT);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    (void)sqlite3_finalize(st); /* step's result is the one that matters */
    if(src != SQLITE_DONE) {
        if((src & 0xff) != SQLITE_NOMEM)
            fprintf(stderr, "store: record fault: %s\n", sqlite3_errmsg(s->db));
        return store_err(src == SQLITE_ROW ? SQLITE_MISUSE : src);
    }
    return HK_OK;
}

hk_err_t store_count_faults(store_t *s, const char *device, const char *code, int *out)
{
    sqlite3_stmt *st = NULL;
    int src;
    int n = 0;

    if(!s || !device || !code || !out)
        return HK_ERR_INVALID;
    src = sqlite3_prepare_v2(s->db,
                             "SELECT COUNT(*) FROM faults WHERE device = ? AND"
                             " code = ?",
                             -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    if(src == SQLITE_OK)
        src = sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    (void)sqlite3_finalize(st); /* step's result is the one that matters */
    if(src != SQLITE_ROW)
        return store_err(src == SQLITE_DONE ? SQLITE_CORRUPT : src);
    *out = n;
    return HK_OK;
}

hk_err_t store_err(int sqlite_rc)
{
    switch(sqlite_rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return HK_OK;
    case SQLITE_NOMEM: return HK_ERR_NOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return HK_ERR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT: return HK_ERR_CORRUPT;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG: return HK_ERR_INVALID;
    case SQLITE_NOTFOUND: return HK_ERR_NOT_FOUND;
    default:
        /* IOERR, FULL, CANTOPEN, READONLY, PERM, PROTOCOL, MISUSE, ... */
        return HK_ERR_IO;
    }
}

bool store_mem_hooked(void)
{
    mem_install();
    return mem_hooked;
}

/* Static functions --------------------------------------------------------*/

static hk_err_t open_impl(const char *path, int target, store_t **out, hk_diag_t *diag)
{
    store_t *s = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    hk_err_t rc = HK_OK;
    int src, ver = 0;

    hk_diag_clear(diag);
    if(out)
        *out = NULL;
    if(!path || !out) {
        hk_diag_set(diag, "store: no path");
        return HK_ERR_INVALID;
    }
    mem_install();
    s = hk_calloc(1, sizeof(*s));
    if(!s) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    src = sqlite3_open_v2(path, &db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if(src != SQLITE_OK) {
        rc = store_err(src);
        hk_diag_set(diag, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
        goto out;
    }
    src = sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if(src != SQLITE_OK) {
        rc = store_err(src);
        goto out;
    }
    rc = read_version(db, &ver);
    if(rc != HK_OK) {
        hk_diag_set(diag, "%s: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    if(ver > N_MIGRATIONS) {
        hk_diag_set(diag,
                    "%s: schema version %d is newer than this build "
                    "knows (%d); refusing to open",
                    path, ver, N_MIGRATIONS);
        rc = HK_ERR_CORRUPT;
        goto out;
    }
    /* WAL is a property of the file; confirm it took (it cannot on some
     * file systems, and then synchronous=FULL alone must carry us). */
    src = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0);
        if(!m || strcmp((const char *)m, "wal") != 0)
            fprintf(stderr, "store: %s: journal_mode is %s, not wal\n", path,
                    m ? (const char *)m : "?");
        src = SQLITE_OK;
    }
    (void)sqlite3_finalize(st); /* step's result is the one that matters */
    st = NULL;
    if(src != SQLITE_OK) {
        rc = store_err(src);
        hk_diag_set(diag, "%s: journal_mode: %s", path, sqlite3_errmsg(db));
        goto out;
    }
    rc = exec_sql(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", diag);
    if(rc != HK_OK)
        goto out;
    while(ver < target) {
        rc = migrate_one(db, ver, diag);
        if(rc != HK_OK)
            goto out;
        rc = read_version(db, &ver);
        if(rc != HK_OK)
            goto out;
    }
    s->db = db;
    s->version = ver;
    *out = s;
    s = NULL;
    db = NULL;
out:
    if(rc == HK_ERR_NOMEM && diag && !diag->msg[0])
        hk_diag_set(diag, "%s: out of memory", path);
    (void)sqlite3_close_v2(db); /* NULL ok; nothing committed is at stake */
    hk_free(s);
    return rc;
}

static hk_err_t exec_sql(sqlite3 *db, const char *sql, hk_diag_t *diag)
{
    int src = sqlite3_exec(db, sql, NULL, NULL, NULL);

    if(src != SQLITE_OK) {
        hk_diag_set(diag, "store: %s", sqlite3_errmsg(db));
        if((src & 0xff) != SQLITE_NOMEM)
            fprintf(stderr, "store: %s\n", sqlite3_errmsg(db));
        return store_err(src);
    }
    return HK_OK;
}

static hk_err_t read_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *st = NULL;
    int src, v = 0;

    src = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    (void)sqlite3_finalize(st); /* step's result is the one that matters */
    if(src != SQLITE_ROW)
        return store_err(src == SQLITE_DONE ? SQLITE_CORRUPT : src);
    *out = v;
    return HK_OK;
}

static hk_err_t migrate_one(sqlite3 *db, int from, hk_diag_t *diag)
{
    char sql[64];
    hk_err_t rc;
    int now = 0;

    rc = exec_sql(db, "BEGIN IMMEDIATE", diag);
    if(rc != HK_OK)
        return rc;
    rc = read_version(db, &now);
    if(rc != HK_OK)
        goto out;
    if(now != from)
        goto out; /* another process migrated meanwhile; caller re-reads */
    rc = exec_sql(db, migrations[from], diag);
    if(rc != HK_OK) {
        hk_diag_set(diag, "store: migration %d -> %d failed: %s", from, from + 1,
                    sqlite3_errmsg(db));
        goto out;
    }
    (void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", from + 1);
    rc = exec_sql(db, sql, diag);
    if(rc != HK_OK)
        goto out;
    rc = exec_sql(db, "COMMIT", diag);
out:
    if(rc != HK_OK || sqlite3_get_autocommit(db) == 0) {
        /* Undo a half migration; if COMMIT itself failed SQLite may have
         * rolled back already, and then this is a harmless no-op error. */
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

static void mem_once_fn(void)
{
    static const sqlite3_mem_methods methods = { sq_malloc,  sq_free, sq_realloc,  sq_size,
                                                 sq_roundup, sq_init, sq_shutdown, NULL };

    /* Fails with SQLITE_MISUSE if SQLite was already initialised by other
     * code; then SQLite keeps its own allocator. */
    mem_hooked = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
}

static void mem_install(void)
{
    (void)pthread_once(&mem_once, mem_once_fn); /* fails only on broken libc */
}

static void *sq_malloc(int n)
{
    unsigned char *b;
    size_t sz;

    if(n <= 0)
        return NULL;
    sz = (size_t)n;
    b = hk_malloc(sz + MEM_HDR);
    if(!b)
        return NULL;
    memcpy(b, &sz, sizeof(sz));
    return b + MEM_HDR;
}

static void sq_free(void *p)
{
    if(p)
        hk_free((unsigned char *)p - MEM_HDR);
}

static void *sq_realloc(void *p, int n)
{
    unsigned char *b;
    size_t sz;

    if(!p)
        return sq_malloc(n);
    if(n <= 0)
        return NULL;
    sz = (size_t)n;
    b = hk_realloc((unsigned char *)p - MEM_HDR, sz + MEM_HDR);
    if(!b)
        return NULL;
    memcpy(b, &sz, sizeof(sz));
    return b + MEM_HDR;
}

static int sq_size(void *p)
{
    size_t sz;

    if(!p)
        return 0;
    memcpy(&sz, (unsigned char *)p - MEM_HDR, sizeof(sz));
    return (int)sz;
}

static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_init(void *arg)
{
    (void)arg;
    return SQLITE_OK;
}

static void sq_shutdown(void *arg)
{
    (void)arg;
}
