/*
 * store: opens the SQLite database the branch lives in, sets the durability
 * pragmas (WAL, synchronous=FULL, foreign keys, busy timeout), migrates the
 * schema forward with an ordered array of migrations keyed by PRAGMA
 * user_version, owns transactions and the prepared-statement cache, and
 * keeps the device-fault log. It does not know about queues or tickets
 * beyond creating their tables; queue.c owns that logic, journal.c the
 * event log.
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
 *   3  CHECK constraints on the persisted enums (tickets.state,
 *      counter_state.state, which replaces the 0/1 column `open`; tables
 *      rebuilt), the journal (append-only: triggers refuse UPDATE/DELETE)
 *      and journal_cursors
 *   4  ratings: one row per rated (or timed-out) visit, CHECKs on its
 *      persisted enums and on the follow-up and chip rules (rating.c)
 *   5  staff and devices: tickets.staff_id (who called it),
 *      tickets.device_id (the kiosk that numbered it from its own block
 *      while the hub was unreachable), counter_state.staff_id (who opened
 *      the counter); added columns, so a fresh file runs the same ALTERs
 *   6  submissions (issue 8, submission.c): one row per issue.submitted
 *      event; phone and description are NULL once purged
 * Migration: store_open() runs migrations[v] for v = current .. latest-1,
 * each in its own BEGIN IMMEDIATE transaction that also bumps user_version
 * (a new file, version 0, gets fresh_schema, the same end state in one),
 * so a crash mid-migration leaves the file at a whole version. The version
 * is re-read inside the transaction, so two processes opening one file at
 * once do not both migrate. Migrations run with foreign keys off (SQLite's
 * table-rebuild procedure: a rebuilt table is dropped and created again
 * while rows, tickets.prev_id among them, still point at it) and PRAGMA
 * foreign_key_check must come back empty before the version is bumped;
 * foreign keys are switched on after. A v2 file holding a state value no
 * enum knows fails the v3 CHECK: the open fails and the file stays at v2.
 *
 * Transactions (store_begin/commit/rollback), depth d:
 *   d 0 --store_begin--> 1        BEGIN IMMEDIATE
 *   d n --store_begin--> n+1      SAVEPOINT hk_level (n >= 1)
 *   d 1 --store_commit--> 0       COMMIT (durable); on failure ROLLBACK
 *   d n --store_commit--> n-1     RELEASE hk_level (n >= 2)
 *   d 1 --store_rollback--> 0     ROLLBACK
 *   d n --store_rollback--> n-1   ROLLBACK TO + RELEASE hk_level (n >= 2)
 * One savepoint name serves every level: SQLite matches the innermost.
 * SQLite itself rolls a whole transaction back after some errors (I/O, disk
 * full, some out-of-memory cases). Seeing autocommit mode at depth > 0 marks
 * the transaction failed: store_stmt() then refuses (so nothing runs in
 * autocommit mode by accident), inner levels close without SQL, and the
 * outermost commit returns HK_ERR_IO.
 * The statements for these six verbs are prepared at open, so a rollback
 * never has to prepare (allocate) a statement.
 *
 * Deferred flush (store_defer_sync, the hub's connection only): commits
 * run at synchronous=NORMAL, which in WAL mode is FULL minus the flush of
 * the WAL at each commit; store_sync() does that flush instead, with
 * fdatasync() on a descriptor of our own on the -wal file, from whichever
 * thread waits for it. SQLite keeps its own flushes: the WAL before a
 * checkpoint copies it, the database file after, and a restarted WAL's
 * header. A commit followed by a good store_sync() is as durable as a
 * FULL commit; recovery drops whatever the flush did not cover (frame
 * checksums), and since the WAL is only read up to its first bad frame, a
 * failed flush leaves nothing after it trustworthy (the caller stops). The
 * automatic checkpoint is replaced by wal_hook(), which only counts
 * frames; the owner calls store_checkpoint() when idle.
 *
 * Statement cache: an array of (sql pointer, statement), searched linearly
 * (a few dozen entries), filled on first use, finalized at close.
 *
 * Invariants:
 *   - a file whose user_version is newer than this build is refused and not
 *     written (journal_mode is set only after the version check);
 *   - migrations keep every row; rows written by an older version stay
 *     readable;
 *   - depth == 0 iff the connection is in autocommit mode, except while a
 *     failed transaction waits for its outermost commit/rollback.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "store_private.h"

#define BUSY_TIMEOUT_MS 5000
#define MEM_HDR         16 /* keeps SQLite's 8-byte alignment; holds the size */
#define LOG_MOD         "store"

typedef struct cached {
    const char *sql; /* the key: caller's pointer */
    sqlite3_stmt *st;
} cached_t;

struct store {
    sqlite3 *db;
    int version;
    int depth;   /* open transaction levels */
    bool failed; /* SQLite rolled the open transaction back by itself */
    cached_t *cache;
    int n_cache, cap_cache;
    int wal_fd;            /* store_defer_sync(): the WAL, for store_sync(); else -1 */
    int flush_fd;          /* store_flush() without deferral: the WAL; else -1 */
    int64_t changes_begun; /* sqlite3_total_changes64() at the outermost begin */
    uint64_t commits;      /* store_commits() */
    int wal_frames;        /* store_wal_frames() */
};

/* Static prototypes -------------------------------------------------------*/
static hk_err_t open_impl(const char *path, int target, store_t **out, hk_diag_t *diag);
static hk_err_t exec_sql(sqlite3 *db, const char *sql, hk_diag_t *diag);
static hk_err_t read_version(sqlite3 *db, int *out);
static hk_err_t migrate_one(sqlite3 *db, int from, int target, hk_diag_t *diag);
static hk_err_t fk_check(sqlite3 *db, hk_diag_t *diag);
static hk_err_t cache_get(store_t *s, const char *sql, sqlite3_stmt **out);
static void cache_free(store_t *s);
static hk_err_t tx_step(store_t *s, const char *sql);
static hk_err_t run_cached(store_t *s, const char *module, const char *sql, bool check_tx);
static void rollback_all(store_t *s);
static bool tx_lost(store_t *s);
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames);
static void presize_wal(store_t *s, int frames);
static int open_wal(store_t *s);
static void mem_install(void);
static void *sq_malloc(int n);
static void sq_free(void *p);
static void *sq_realloc(void *p, int n);
static int sq_size(void *p);
static int sq_roundup(int n);
static int sq_init(void *arg);
static void sq_shutdown(void *arg);

/* Static data -------------------------------------------------------------*/

/* Table definitions shared by the migration that introduced them and by
 * fresh_schema below, so the two cannot drift apart (test_store also
 * compares a fresh file's schema with a migrated one's). */
#define SQL_NUMBERS_V1                                     \
    "CREATE TABLE numbers("                                \
    "  day TEXT NOT NULL,"                                 \
    "  prefix TEXT NOT NULL,"                              \
    "  seq INTEGER NOT NULL CHECK(seq BETWEEN 1 AND 999)," \
    "  issued_ms INTEGER NOT NULL,"                        \
    "  PRIMARY KEY(day, prefix, seq)"                      \
    ") WITHOUT ROWID;"
#define SQL_TICKET_INDEXES_V1                                              \
    "CREATE INDEX tickets_state ON tickets(state, service_id, issued_ms);" \
    "CREATE INDEX tickets_number ON tickets(day, number);"
#define SQL_SERVICE_STATS_V2         \
    "CREATE TABLE service_stats("    \
    "  service_id TEXT PRIMARY KEY," \
    "  mean_s REAL NOT NULL,"        \
    "  n INTEGER NOT NULL,"          \
    "  updated_ms INTEGER NOT NULL"  \
    ");"
#define SQL_FAULTS_V2                   \
    "CREATE TABLE faults("              \
    "  id INTEGER PRIMARY KEY,"         \
    "  wall_ms INTEGER NOT NULL,"       \
    "  device TEXT NOT NULL,"           \
    "  code TEXT NOT NULL,"             \
    "  detail TEXT NOT NULL DEFAULT ''" \
    ");"                                \
    "CREATE INDEX faults_code ON faults(device, code);"
/* The value lists are ticket_state_t (0..6) and counter_state_t (0..2) as
 * of v3, written out because this text is history; test_store checks they
 * match the enums, so a new state cannot slip in without a migration that
 * widens them. */
#define SQL_TICKETS_V3                                                     \
    "CREATE TABLE tickets("                                                \
    "  id INTEGER PRIMARY KEY,"                                            \
    "  day TEXT NOT NULL,"                                                 \
    "  prefix TEXT NOT NULL,"                                              \
    "  seq INTEGER NOT NULL,"                                              \
    "  number TEXT NOT NULL,"                                              \
    "  service_id TEXT NOT NULL,"                                          \
    "  state INTEGER NOT NULL CHECK(state IN (0, 1, 2, 3, 4, 5, 6)),"      \
    "  issued_ms INTEGER NOT NULL,"                                        \
    "  called_ms INTEGER NOT NULL DEFAULT 0,"                              \
    "  serving_ms INTEGER NOT NULL DEFAULT 0,"                             \
    "  finished_ms INTEGER NOT NULL DEFAULT 0,"                            \
    "  counter_id TEXT NOT NULL DEFAULT '',"                               \
    "  recalls INTEGER NOT NULL DEFAULT 0,"                                \
    "  prev_id INTEGER REFERENCES tickets(id),"                            \
    "  ahead_quoted INTEGER NOT NULL DEFAULT 0,"                           \
    "  est_wait_s_quoted INTEGER NOT NULL DEFAULT -1,"                     \
    "  FOREIGN KEY(day, prefix, seq) REFERENCES numbers(day, prefix, seq)" \
    ");"
#define SQL_COUNTER_STATE_V3                              \
    "CREATE TABLE counter_state("                         \
    "  counter_id TEXT PRIMARY KEY,"                      \
    "  state INTEGER NOT NULL CHECK(state IN (0, 1, 2))," \
    "  updated_ms INTEGER NOT NULL"                       \
    ");"
/* seq is never handed out twice: a new row gets MAX(seq) + 1, and the
 * triggers refuse UPDATE and DELETE, so the maximum never goes down. That
 * is the guarantee AUTOINCREMENT would give, without its extra
 * sqlite_sequence write in every transaction (measured: about half the
 * journal's cost per tap, see journal.c). Whoever adds pruning must keep
 * the newest event or switch to AUTOINCREMENT in that migration. */
#define SQL_JOURNAL_V3                                           \
    "CREATE TABLE journal("                                      \
    "  seq INTEGER PRIMARY KEY,"                                 \
    "  uuid TEXT NOT NULL UNIQUE CHECK(length(uuid) = 36),"      \
    "  type TEXT NOT NULL,"                                      \
    "  body TEXT NOT NULL,"                                      \
    "  wall_ms INTEGER NOT NULL"                                 \
    ");"                                                         \
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"  \
    " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;" \
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"  \
    " BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;" \
    "CREATE TABLE journal_cursors("                              \
    "  consumer TEXT PRIMARY KEY CHECK(length(consumer) > 0),"   \
    "  seq INTEGER NOT NULL CHECK(seq >= 0)"                     \
    ") WITHOUT ROWID;"

/* One outcome per visit: ticket_id is the PRIMARY KEY (and rowid). A table
 * of its own rather than columns on tickets: most visits are never rated,
 * and ALTER TABLE ADD COLUMN would leave a migrated file's CREATE TABLE
 * text unlike a fresh one's. The value lists are rating_level_t (0..5),
 * rating_source_t (0..1) and the four chip bits of each set as of v4;
 * test_store checks they match the enums. follow_up is derived from the
 * level (1..2) and the CHECK keeps it so for every writer. No index yet:
 * rating reads by ticket_id (the rowid) and sweeps through tickets; an
 * index costs the open fault-injection loops ~5 % more allocations, which
 * waits for a reader that needs it (head office reads the journal). */
#define SQL_RATINGS_V4                                                      \
    "CREATE TABLE ratings("                                                 \
    "  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),"               \
    "  day TEXT NOT NULL,"                                                  \
    "  number TEXT NOT NULL,"                                               \
    "  service_id TEXT NOT NULL,"                                           \
    "  counter_id TEXT NOT NULL,"                                           \
    "  staff_id TEXT NOT NULL DEFAULT '',"                                  \
    "  finished_ms INTEGER NOT NULL,"                                       \
    "  level INTEGER NOT NULL CHECK(level IN (0, 1, 2, 3, 4, 5)),"          \
    "  reasons INTEGER NOT NULL DEFAULT 0 CHECK(reasons BETWEEN 0 AND 15)," \
    "  praise INTEGER NOT NULL DEFAULT 0 CHECK(praise BETWEEN 0 AND 15),"   \
    "  source INTEGER NOT NULL CHECK(source IN (0, 1)),"                    \
    "  rated_ms INTEGER NOT NULL,"                                          \
    "  follow_up INTEGER NOT NULL CHECK(follow_up = (level IN (1, 2))),"    \
    "  CHECK(reasons = 0 OR level IN (1, 2, 3)),"                           \
    "  CHECK(praise = 0 OR level IN (4, 5))"                                \
    ");"

/* Columns with defaults: old rows read as "nobody" / "the hub". A fresh
 * file runs the same statements after creating the v3 tables, so its
 * schema text is the migrated one's. */
#define SQL_STAFF_V5                                                     \
    "ALTER TABLE tickets ADD COLUMN staff_id TEXT NOT NULL DEFAULT '';"  \
    "ALTER TABLE tickets ADD COLUMN device_id TEXT NOT NULL DEFAULT '';" \
    "ALTER TABLE counter_state ADD COLUMN staff_id TEXT NOT NULL DEFAULT '';"

/* submission (issue 8): the personal data of an issue.submitted event,
 * kept out of the append-only journal so it can be purged (submission.h).
 * journal_seq is the event's seq (the rowid); phone and description are
 * NULL once purged (purged_ms then says when). */
#define SQL_SUBMISSIONS_V6                                 \
    "CREATE TABLE submissions("                            \
    "  journal_seq INTEGER PRIMARY KEY,"                   \
    "  ref TEXT NOT NULL,"                                 \
    "  day TEXT NOT NULL,"                                 \
    "  seq INTEGER NOT NULL CHECK(seq BETWEEN 1 AND 999)," \
    "  category TEXT NOT NULL,"                            \
    "  phone_masked TEXT NOT NULL,"                        \
    "  phone TEXT,"                                        \
    "  description TEXT,"                                  \
    "  created_ms INTEGER NOT NULL,"                       \
    "  purged_ms INTEGER NOT NULL DEFAULT 0,"              \
    "  UNIQUE(day, seq)"                                   \
    ");"

/* migrations[v] takes a file from version v to v+1. Only ever append; a
 * migration's text is history and never changes once released. */
static const char *const migrations[] = {
    /* 0 -> 1: the number ledger is the authority for "was this number
     * issued today"; tickets reference it so a transfer can put the same
     * number on a new row without issuing it twice. */
    SQL_NUMBERS_V1 "CREATE TABLE tickets("
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
                   ");" SQL_TICKET_INDEXES_V1,

    /* 1 -> 2: wait estimates (quoted on the ticket, measured later), the
     * per-service service-time mean, counter open/closed, device faults. */
    "ALTER TABLE tickets ADD COLUMN ahead_quoted INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE tickets ADD COLUMN est_wait_s_quoted INTEGER NOT NULL "
    "  DEFAULT -1;" SQL_SERVICE_STATS_V2 "CREATE TABLE counter_state("
    "  counter_id TEXT PRIMARY KEY,"
    "  open INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL"
    ");" SQL_FAULTS_V2,

    /* 2 -> 3: CHECK constraints on the persisted enums, the journal and
     * its cursors. SQLite cannot add a CHECK in place, so each table is
     * rebuilt: copy aside, drop, create with the CHECK, copy back (ids
     * kept), drop the copy, recreate the indexes. Not SQLite's
     * create-new-then-rename: ALTER TABLE RENAME re-parses the whole schema
     * (about 1500 allocations per rename here, tripling the cost of the
     * open fault-injection loops); copying twice costs a branch's table
     * nothing it would notice, once. counter_state.open (1 open, 0 closed)
     * becomes state with the same values, 2 = paused. */
    "CREATE TABLE tickets_v2 AS SELECT * FROM tickets;"
    "DROP TABLE tickets;" SQL_TICKETS_V3
    "INSERT INTO tickets(id, day, prefix, seq, number, service_id, state,"
    "  issued_ms, called_ms, serving_ms, finished_ms, counter_id, recalls,"
    "  prev_id, ahead_quoted, est_wait_s_quoted)"
    " SELECT id, day, prefix, seq, number, service_id, state, issued_ms,"
    "  called_ms, serving_ms, finished_ms, counter_id, recalls, prev_id,"
    "  ahead_quoted, est_wait_s_quoted FROM tickets_v2 ORDER BY id;"
    "DROP TABLE tickets_v2;" SQL_TICKET_INDEXES_V1
    "CREATE TABLE counter_state_v2 AS SELECT * FROM counter_state;"
    "DROP TABLE counter_state;" SQL_COUNTER_STATE_V3
    "INSERT INTO counter_state(counter_id, state, updated_ms)"
    " SELECT counter_id, CASE WHEN open THEN 1 ELSE 0 END, updated_ms"
    " FROM counter_state_v2;"
    "DROP TABLE counter_state_v2;" SQL_JOURNAL_V3,

    /* 3 -> 4: on-the-spot ratings. A new table, no rows: visits finished
     * before v4 were never offered a rating and stay without an outcome. */
    SQL_RATINGS_V4,

    /* 4 -> 5: staff logins at counters and kiosks' offline blocks. */
    SQL_STAFF_V5,

    /* 5 -> 6: submissions (issue 8). A new table, no rows. */
    SQL_SUBMISSIONS_V6,
};

/* A new file goes straight to the latest schema in one step: the same
 * tables the migration chain ends with, without building and rebuilding
 * them (half the work, which the open fault-injection loops repeat
 * thousands of times). Update it with every migration. */
static const char fresh_schema[] =
    SQL_NUMBERS_V1 SQL_TICKETS_V3 SQL_TICKET_INDEXES_V1 SQL_SERVICE_STATS_V2 SQL_COUNTER_STATE_V3
        SQL_FAULTS_V2 SQL_JOURNAL_V3 SQL_RATINGS_V4 SQL_STAFF_V5 SQL_SUBMISSIONS_V6;

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* Transaction verbs; prepared at open (see the design notes). */
static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_SAVEPOINT[] = "SAVEPOINT hk_level";
static const char SQL_RELEASE[] = "RELEASE hk_level";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO hk_level";
static const char *const tx_sql[] = { SQL_BEGIN,     SQL_COMMIT,  SQL_ROLLBACK,
                                      SQL_SAVEPOINT, SQL_RELEASE, SQL_ROLLBACK_TO };

static const char SQL_INS_FAULT[] = "INSERT INTO faults(wall_ms, device, code, detail)"
                                    " VALUES(?1, ?2, ?3, ?4)";
static const char SQL_COUNT_FAULTS[] = "SELECT COUNT(*) FROM faults WHERE device = ?1 AND"
                                       " code = ?2";

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
    if(s->depth > 0) {
        hk_log_warn(LOG_MOD, "closing with %d open transaction level(s): rolled back", s->depth);
        rollback_all(s);
    }
    cache_free(s);
    /* sqlite3_close_v2 never fails for lack of memory; a BUSY here means a
     * statement was leaked by a caller, which it defers safely. */
    (void)sqlite3_close_v2(s->db);
    if(s->wal_fd >= 0)
        (void)close(s->wal_fd); /* read-only use: nothing to lose */
    if(s->flush_fd >= 0)
        (void)close(s->flush_fd); /* the same */
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
    const unsigned char *m;
    hk_err_t rc = HK_OK;
    int src;

    hk_diag_clear(diag);
    src = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    if(src != SQLITE_ROW) {
        rc = src == SQLITE_DONE ? HK_ERR_CORRUPT : store_err(src);
        hk_diag_set(diag, "integrity_check: %s", sqlite3_errmsg(s->db));
        goto out;
    }
    m = sqlite3_column_text(st, 0);
    if(!m || strcmp((const char *)m, "ok") != 0) {
        hk_diag_set(diag, "integrity_check: %s", m ? (const char *)m : "?");
        rc = HK_ERR_CORRUPT;
    }
out:
    (void)sqlite3_finalize(st); /* result already taken from step */
    return rc;
}

hk_err_t store_begin(store_t *s)
{
    hk_err_t rc;

    if(!s)
        return HK_ERR_INVALID;
    if(s->depth == 0) {
        if(!sqlite3_get_autocommit(s->db)) {
            /* Only a rollback that itself failed leaves this behind. */
            hk_log_warn(LOG_MOD, "a failed rollback left a transaction open; rolling back");
            rollback_all(s);
        }
        rc = tx_step(s, SQL_BEGIN);
        if(rc != HK_OK)
            return rc;
        s->failed = false;
        s->changes_begun = sqlite3_total_changes64(s->db);
    } else {
        if(tx_lost(s))
            return HK_ERR_IO;
        rc = tx_step(s, SQL_SAVEPOINT);
        if(rc != HK_OK)
            return rc;
    }
    s->depth++;
    return HK_OK;
}

hk_err_t store_commit(store_t *s)
{
    hk_err_t rc;

    if(!s || HK_NEVER(s->depth <= 0))
        return HK_ERR_INVALID;
    if(s->depth > 1) {
        s->depth--;
        if(tx_lost(s))
            return HK_ERR_IO;
        rc = tx_step(s, SQL_RELEASE);
        if(rc != HK_OK) {
            s->depth++;
            store_rollback(s); /* closes the level, undoing it */
        }
        return rc;
    }
    if(tx_lost(s)) {
        hk_log_error(LOG_MOD, "commit of a transaction SQLite had rolled back");
        rc = HK_ERR_IO;
    } else {
        rc = tx_step(s, SQL_COMMIT);
    }
    if(rc == HK_OK && sqlite3_total_changes64(s->db) != s->changes_begun)
        s->commits++;
    if(rc != HK_OK)
        rollback_all(s); /* no-op when SQLite rolled back already */
    s->depth = 0;
    s->failed = false;
    return rc;
}

void store_rollback(store_t *s)
{
    if(!s || HK_NEVER(s->depth <= 0))
        return;
    if(s->depth > 1) {
        if(!tx_lost(s) &&
           (tx_step(s, SQL_ROLLBACK_TO) != HK_OK || tx_step(s, SQL_RELEASE) != HK_OK)) {
            hk_log_error(LOG_MOD, "cannot roll back to a savepoint; failing the transaction");
            s->failed = true;
        }
        s->depth--;
        return;
    }
    rollback_all(s);
    s->depth = 0;
    s->failed = false;
}

hk_err_t store_end(store_t *s, hk_err_t rc)
{
    if(rc == HK_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

int store_tx_depth(const store_t *s)
{
    return s ? s->depth : 0;
}

hk_err_t store_defer_sync(store_t *s, int wal_frames)
{
    int fd;

    if(!s || s->wal_fd >= 0 || s->depth > 0)
        return s && s->wal_fd >= 0 ? HK_OK : HK_ERR_INVALID;
    fd = open_wal(s);
    if(fd < 0)
        return HK_ERR_INVALID; /* a rollback journal: FULL carries it */
    if(exec_sql(s->db, "PRAGMA synchronous=NORMAL", NULL) != HK_OK) {
        (void)close(fd); /* unused */
        return HK_ERR_INVALID;
    }
    s->wal_fd = fd;
    /* replaces SQLite's automatic checkpoint (sqlite3_wal_autocheckpoint) */
    (void)sqlite3_wal_hook(s->db, wal_hook, s);
    if(wal_frames > 0)
        presize_wal(s, wal_frames); /* only speed is at stake */
    return HK_OK;
}

int store_wal_frames(const store_t *s)
{
    return s ? s->wal_frames : 0;
}

hk_err_t store_checkpoint(store_t *s)
{
    int src, log = 0, done = 0;

    if(!s || s->depth > 0)
        return HK_ERR_INVALID;
    src = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if(src != SQLITE_OK)
        return store_fail(s, LOG_MOD, "checkpoint", src);
    if(done >= log)
        s->wal_frames = 0; /* the next commit starts the WAL over */
    return HK_OK;
}

hk_err_t store_flush(store_t *s)
{
    if(!s)
        return HK_ERR_INVALID;
    if(s->wal_fd < 0 && s->flush_fd < 0)
        s->flush_fd = open_wal(s);
    if(s->wal_fd < 0 && s->flush_fd < 0)
        return HK_OK; /* not WAL: every commit was flushed by its writer */
    if(fdatasync(s->wal_fd >= 0 ? s->wal_fd : s->flush_fd) != 0) {
        hk_log_error(LOG_MOD, "WAL flush failed: %s", strerror(errno));
        return HK_ERR_IO;
    }
    return HK_OK;
}

hk_err_t store_sync(store_t *s)
{
    if(!s || s->wal_fd < 0)
        return HK_OK;
    if(fdatasync(s->wal_fd) != 0) {
        hk_log_error(LOG_MOD, "WAL flush failed: %s", strerror(errno));
        return HK_ERR_IO;
    }
    return HK_OK;
}

uint64_t store_commits(const store_t *s)
{
    return s ? s->commits : 0;
}

hk_err_t store_stmt(store_t *s, const char *sql, sqlite3_stmt **out)
{
    if(!s || !sql || !out)
        return HK_ERR_INVALID;
    if(s->depth > 0 && tx_lost(s))
        return HK_ERR_IO;
    return cache_get(s, sql, out);
}

void store_stmt_done(sqlite3_stmt *st)
{
    (void)sqlite3_reset(st);          /* repeats step's error, already seen */
    (void)sqlite3_clear_bindings(st); /* cannot fail */
}

hk_err_t store_run(store_t *s, const char *module, const char *sql)
{
    if(!s || !sql)
        return HK_ERR_INVALID;
    return run_cached(s, module, sql, true);
}

hk_err_t store_fail(store_t *s, const char *module, const char *what, int sqlite_rc)
{
    if((sqlite_rc & 0xff) != SQLITE_NOMEM)
        hk_log_error(module, "%s: %s (%d)", what,
                     s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(sqlite_rc), sqlite_rc);
    if(sqlite_rc == SQLITE_ROW || sqlite_rc == SQLITE_DONE)
        return HK_ERR_CORRUPT; /* a statement gave the wrong shape */
    return store_err(sqlite_rc);
}

hk_err_t store_record_fault(store_t *s, int64_t wall_ms, const char *device, const char *code,
                            const char *detail)
{
    sqlite3_stmt *st = NULL;
    journal_body_t body;
    hk_err_t rc;
    int src;

    if(!s || !device || !code)
        return HK_ERR_INVALID;
    if(!detail)
        detail = "";
    rc = store_begin(s);
    if(rc != HK_OK)
        return rc;
    rc = store_stmt(s, SQL_INS_FAULT, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_int64(st, 1, wall_ms);
    (void)sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE) {
        rc = store_fail(s, LOG_MOD, "record fault", src);
        goto out;
    }
    journal_body_init(&body);
    journal_body_str(&body, "device", device);
    journal_body_str(&body, "code", code);
    journal_body_str(&body, "detail", detail);
    rc = journal_append(s, JOURNAL_DEVICE_FAULT, journal_body_finish(&body), wall_ms, NULL);
out:
    return store_end(s, rc);
}

hk_err_t store_count_faults(store_t *s, const char *device, const char *code, int *out)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;
    int n = 0;

    if(!s || !device || !code || !out)
        return HK_ERR_INVALID;
    rc = store_stmt(s, SQL_COUNT_FAULTS, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    store_stmt_done(st);
    if(src != SQLITE_ROW)
        return store_fail(s, LOG_MOD, "count faults", src);
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
    size_t i;

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
    s->wal_fd = -1;
    s->flush_fd = -1;
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
            hk_log_warn(LOG_MOD, "%s: journal_mode is %s, not wal", path,
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
    /* Foreign keys stay off while migrating (see the design notes). */
    rc = exec_sql(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;", diag);
    if(rc != HK_OK)
        goto out;
    while(ver < target) {
        rc = migrate_one(db, ver, target, diag);
        if(rc != HK_OK)
            goto out;
        rc = read_version(db, &ver);
        if(rc != HK_OK)
            goto out;
    }
    rc = exec_sql(db, "PRAGMA foreign_keys=ON;", diag);
    if(rc != HK_OK)
        goto out;
    s->db = db;
    s->version = ver;
    db = NULL;
    for(i = 0; i < sizeof(tx_sql) / sizeof(tx_sql[0]) && rc == HK_OK; i++) {
        rc = cache_get(s, tx_sql[i], &st);
        st = NULL;
    }
    if(rc != HK_OK) {
        hk_diag_set(diag, "%s: cannot prepare transaction statements", path);
        goto out;
    }
    *out = s;
    s = NULL;
out:
    if(rc == HK_ERR_NOMEM && diag && !diag->msg[0])
        hk_diag_set(diag, "%s: out of memory", path);
    (void)sqlite3_close_v2(db); /* NULL ok; nothing committed is at stake */
    if(s) {
        cache_free(s);
        (void)sqlite3_close_v2(s->db); /* NULL ok */
        hk_free(s);
    }
    return rc;
}

static hk_err_t exec_sql(sqlite3 *db, const char *sql, hk_diag_t *diag)
{
    int src = sqlite3_exec(db, sql, NULL, NULL, NULL);

    if(src != SQLITE_OK) {
        hk_diag_set(diag, "store: %s", sqlite3_errmsg(db));
        if((src & 0xff) != SQLITE_NOMEM)
            hk_log_error(LOG_MOD, "%s", sqlite3_errmsg(db));
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

/* One step forward from version `from`: the next migration, or a new
 * file straight to the latest schema when that is the target. */
static hk_err_t migrate_one(sqlite3 *db, int from, int target, hk_diag_t *diag)
{
    char sql[64];
    hk_err_t rc;
    int now = 0, to = from + 1;
    const char *step = migrations[from];

    rc = exec_sql(db, "BEGIN IMMEDIATE", diag);
    if(rc != HK_OK)
        return rc;
    rc = read_version(db, &now);
    if(rc != HK_OK)
        goto out;
    if(now != from)
        goto out; /* another process migrated meanwhile; caller re-reads */
    if(from == 0 && target == N_MIGRATIONS) {
        step = fresh_schema;
        to = N_MIGRATIONS;
    }
    rc = exec_sql(db, step, diag);
    if(rc != HK_OK) {
        hk_diag_set(diag, "store: migration %d -> %d failed: %s", from, to, sqlite3_errmsg(db));
        goto out;
    }
    rc = fk_check(db, diag);
    if(rc != HK_OK)
        goto out;
    (void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", to);
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

/* PRAGMA foreign_key_check must return no row: a migration that rebuilt a
 * table with foreign keys off must not have left a dangling reference. */
static hk_err_t fk_check(sqlite3 *db, hk_diag_t *diag)
{
    sqlite3_stmt *st = NULL;
    int src;

    src = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        hk_diag_set(diag, "store: migration left a broken foreign key in %s",
                    t ? (const char *)t : "?");
        hk_log_error(LOG_MOD, "%s", diag ? diag->msg : "migration broke a foreign key");
    }
    (void)sqlite3_finalize(st); /* step's result is the one that matters */
    if(src == SQLITE_ROW)
        return HK_ERR_CORRUPT;
    return src == SQLITE_DONE ? HK_OK : store_err(src);
}

static hk_err_t cache_get(store_t *s, const char *sql, sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    int i, src;

    for(i = 0; i < s->n_cache; i++) {
        if(s->cache[i].sql == sql) {
            *out = s->cache[i].st;
            return HK_OK;
        }
    }
    if(s->n_cache == s->cap_cache) {
        int cap = s->cap_cache ? s->cap_cache * 2 : 32;
        cached_t *c = hk_realloc(s->cache, (size_t)cap * sizeof(*c));
        if(!c)
            return HK_ERR_NOMEM;
        s->cache = c;
        s->cap_cache = cap;
    }
    src = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if(src != SQLITE_OK) {
        (void)sqlite3_finalize(st); /* NULL on failure; harmless */
        return store_fail(s, LOG_MOD, "prepare", src);
    }
    s->cache[s->n_cache].sql = sql;
    s->cache[s->n_cache].st = st;
    s->n_cache++;
    *out = st;
    return HK_OK;
}

static void cache_free(store_t *s)
{
    int i;

    for(i = 0; i < s->n_cache; i++)
        (void)sqlite3_finalize(s->cache[i].st); /* reports the last step's error */
    HK_SAFEFREE(s->cache);
    s->n_cache = 0;
    s->cap_cache = 0;
}

static hk_err_t tx_step(store_t *s, const char *sql)
{
    return run_cached(s, LOG_MOD, sql, false);
}

/* Step a cached statement to DONE. check_tx: refuse inside a transaction
 * SQLite rolled back (store_stmt); the transaction verbs themselves skip
 * that check, they are what ends such a transaction. */
static hk_err_t run_cached(store_t *s, const char *module, const char *sql, bool check_tx)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    rc = check_tx ? store_stmt(s, sql, &st) : cache_get(s, sql, &st);
    if(rc != HK_OK)
        return rc;
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return store_fail(s, module, sql, src);
    return HK_OK;
}

/* After each commit in WAL mode (store_defer_sync): note the WAL's length
 * and checkpoint nothing. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    store_t *s = arg;

    (void)db;
    (void)name;
    s->wal_frames = frames;
    return SQLITE_OK;
}

/* A descriptor of our own on the WAL SQLite writes, -1 when the file is
 * not in WAL mode or it cannot be opened (logged). The WAL exists from the
 * first read in WAL mode, and SQLite only overwrites it while a connection
 * is open; it holds no lock on it, so closing ours drops none.
 * fdatasync() flushes the file, whichever descriptor asks. */
static int open_wal(store_t *s)
{
    const char *wal;
    sqlite3_stmt *st = NULL;
    bool is_wal = false;
    int fd;

    if(sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
       sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0);
        is_wal = m && strcmp((const char *)m, "wal") == 0;
    }
    (void)sqlite3_finalize(st); /* the mode read is what matters */
    if(!is_wal)
        return -1;
    wal = sqlite3_filename_wal(sqlite3_db_filename(s->db, "main"));
    fd = wal ? open(wal, O_RDWR | O_CLOEXEC) : -1;
    if(fd < 0)
        hk_log_warn(LOG_MOD, "%s: cannot open for flushing", wal ? wal : "the WAL");
    return fd;
}

/* Grow the WAL file with written zeros to hold frames frames, so that the
 * flushes of its first cycle overwrite blocks in place like every later
 * cycle's (SQLite never shrinks it while open: journal_size_limit is off)
 * instead of extending the file, which makes each fdatasync() write the
 * inode too (docs/performance.md, hub). Under the write lock, so no other
 * connection appends a frame meanwhile; zeros past SQLite's last frame
 * fail its frame checks, so it reads them as the WAL's unused tail (a
 * zero header as an empty WAL). */
static void presize_wal(store_t *s, int frames)
{
    static const char zeros[64 * 1024];
    sqlite3_stmt *st = NULL;
    struct stat sb;
    off_t want, at;
    int page = 0;

    if(store_begin(s) != HK_OK)
        return;
    if(sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
       sqlite3_step(st) == SQLITE_ROW)
        page = sqlite3_column_int(st, 0);
    (void)sqlite3_finalize(st); /* the value read is what matters */
    if(page <= 0 || fstat(s->wal_fd, &sb) != 0) {
        store_rollback(s);
        return;
    }
    /* the WAL header, then a 24-byte header and a page per frame */
    want = 32 + (off_t)frames * (24 + page);
    for(at = sb.st_size; at < want;) {
        size_t n = (size_t)(want - at) < sizeof(zeros) ? (size_t)(want - at) : sizeof(zeros);
        ssize_t w = pwrite(s->wal_fd, zeros, n, at);
        if(w <= 0)
            break; /* disk full or the like: the WAL grows as it always did */
        at += w;
    }
    if(at > sb.st_size)
        (void)fdatasync(s->wal_fd); /* the blocks exist before any frame relies on them */
    store_rollback(s);
}

/* End whatever transaction the connection has, if any. */
static void rollback_all(store_t *s)
{
    if(sqlite3_get_autocommit(s->db))
        return; /* SQLite rolled back by itself already */
    if(tx_step(s, SQL_ROLLBACK) != HK_OK &&
       sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
        hk_log_error(LOG_MOD, "rollback: %s", sqlite3_errmsg(s->db));
}

/* True when the open transaction is gone or doomed (design notes). */
static bool tx_lost(store_t *s)
{
    if(s->depth > 0 && sqlite3_get_autocommit(s->db))
        s->failed = true;
    return s->failed;
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
