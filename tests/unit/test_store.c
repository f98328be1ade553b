/*
 * test_store: the SQLite store on a real file in a temp dir. Pragmas are
 * set, migrations carry old rows forward, a newer file is refused without
 * being touched, faults are recorded durably, and opening survives every
 * allocation failure (SQLite allocates through hk_malloc too).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hk_mem.h"
#include "hk_test.h"
#include "queue.h"
#include "store.h"

static store_t *s;
static hk_diag_t diag;

void setUp(void)
{
    s = NULL;
    hk_diag_clear(&diag);
}

void tearDown(void)
{
    store_close(s);
    s = NULL;
}

static int pragma_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -999;

    HK_ASSERT_INT(SQLITE_OK, sqlite3_prepare_v2(db, sql, -1, &st, NULL));
    if(sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    HK_ASSERT_MSG(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
}

static void test_store_new_file_is_wal_full_sync_with_foreign_keys(void)
{
    sqlite3_stmt *st = NULL;

    HK_ASSERT_OK(store_open(hk_test_path("s.db"), &s, &diag));
    HK_ASSERT_INT(2, store_schema_latest());
    HK_ASSERT_INT(store_schema_latest(), store_schema_version(s));
    HK_ASSERT_INT(2, pragma_int(store_db(s), "PRAGMA synchronous"));
    HK_ASSERT_INT(1, pragma_int(store_db(s), "PRAGMA foreign_keys"));
    HK_ASSERT(pragma_int(store_db(s), "PRAGMA busy_timeout") >= 1000);
    HK_ASSERT_INT(SQLITE_OK, sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1, &st, NULL));
    HK_ASSERT_INT(SQLITE_ROW, sqlite3_step(st));
    HK_ASSERT_STR("wal", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    HK_ASSERT_OK(store_integrity_check(s, &diag));
}

static void test_store_migrates_v1_rows_forward_intact(void)
{
    const char *path = hk_test_path("old.db");
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    config_t cfg;
    queue_t *q = NULL;
    ticket_t t;
    const char *json = "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
                       "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\","
                       "\"name_en\":\"General\"}],"
                       "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}]}";

    /* Build a version-1 file the way a v1 build would have left it. */
    HK_ASSERT_OK(store_open_at_version(path, 1, &s, &diag));
    HK_ASSERT_INT(1, store_schema_version(s));
    db = store_db(s);
    exec_ok(db, "INSERT INTO numbers VALUES('2024-03-11','A',1,1000);"
                "INSERT INTO numbers VALUES('2024-03-11','A',2,2000);"
                "INSERT INTO tickets(day,prefix,seq,number,service_id,state,"
                " issued_ms) VALUES('2024-03-11','A',1,'A001','general',3,1000);"
                "INSERT INTO tickets(day,prefix,seq,number,service_id,state,"
                " issued_ms) VALUES('2024-03-11','A',2,'A002','general',0,2000);");
    /* v1 has no faults table yet. */
    HK_ASSERT(store_record_fault(s, 1, "printer", "paper_out", "") != HK_OK);
    /* A queue refuses to run on an old schema. */
    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, queue_open(s, &cfg, &q));
    HK_ASSERT(q == NULL);
    store_close(s);
    s = NULL;

    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_INT(2, store_schema_version(s));
    HK_ASSERT_INT(2, pragma_int(store_db(s), "SELECT COUNT(*) FROM tickets"));
    HK_ASSERT_INT(2, pragma_int(store_db(s), "SELECT COUNT(*) FROM numbers"));
    HK_ASSERT_INT(
        -1, pragma_int(store_db(s), "SELECT est_wait_s_quoted FROM tickets WHERE number='A002'"));
    HK_ASSERT_OK(store_integrity_check(s, &diag));

    /* The migrated rows are live queue data: A002 still waits, and the
     * ledger keeps numbering after them. */
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
    HK_ASSERT_OK(queue_find_ticket(q, "2024-03-11", "A002", &t));
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    HK_ASSERT_INT(2000, t.issued_ms);
    HK_ASSERT_INT(-1, t.est_wait_s_quoted);
    HK_ASSERT_OK(queue_find_ticket(q, "2024-03-11", "A001", &t));
    HK_ASSERT_INT(TICKET_DONE, t.state);
    queue_destroy(q);
    (void)st;
}

static void test_store_refuses_a_newer_schema_without_touching_it(void)
{
    const char *path = hk_test_path("new.db");
    sqlite3 *db = NULL;

    HK_ASSERT_INT(SQLITE_OK, sqlite3_open(path, &db));
    exec_ok(db, "CREATE TABLE future(x); PRAGMA user_version = 99;");
    sqlite3_close(db);
    db = NULL;

    s = (store_t *)&diag; /* must be reset to NULL on failure */
    HK_ASSERT_INT(HK_ERR_CORRUPT, store_open(path, &s, &diag));
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "99");
    HK_ASSERT_CONTAINS(diag.msg, "(2)");
    HK_ASSERT_CONTAINS(diag.msg, path);

    HK_ASSERT_INT(SQLITE_OK, sqlite3_open(path, &db));
    HK_ASSERT_INT(99, pragma_int(db, "PRAGMA user_version"));
    {
        sqlite3_stmt *st = NULL;
        HK_ASSERT_INT(SQLITE_OK, sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL));
        HK_ASSERT_INT(SQLITE_ROW, sqlite3_step(st));
        HK_ASSERT_STR("delete", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

static void test_store_refuses_a_file_that_is_not_a_database(void)
{
    const char *path = hk_test_path("junk.db");
    FILE *f = fopen(path, "wb");
    char junk[4096];

    HK_ASSERT(f != NULL);
    memset(junk, 'J', sizeof(junk));
    fwrite(junk, 1, sizeof(junk), f);
    fclose(f);
    HK_ASSERT_INT(HK_ERR_CORRUPT, store_open(path, &s, &diag));
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, path);
}

static void test_store_unopenable_path_is_io_error(void)
{
    HK_ASSERT_INT(HK_ERR_IO, store_open("/nonexistent/dir/x.db", &s, &diag));
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "/nonexistent/dir/x.db");
    HK_ASSERT_INT(HK_ERR_INVALID, store_open_at_version(hk_test_path("v.db"), 3, &s, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, store_open_at_version(hk_test_path("v.db"), -1, &s, &diag));
}

static void test_store_faults_are_recorded_durably(void)
{
    const char *path = hk_test_path("f.db");
    int n = -1;

    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_OK(store_record_fault(s, 1000, "printer", "paper_out", ""));
    HK_ASSERT_OK(store_record_fault(s, 2000, "printer", "paper_out", "sensor says empty"));
    HK_ASSERT_OK(store_record_fault(s, 3000, "printer", "offline", NULL));
    store_close(s);
    s = NULL;
    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_OK(store_count_faults(s, "printer", "paper_out", &n));
    HK_ASSERT_INT(2, n);
    HK_ASSERT_OK(store_count_faults(s, "printer", "offline", &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_OK(store_count_faults(s, "display", "offline", &n));
    HK_ASSERT_INT(0, n);
    HK_ASSERT_INT(HK_ERR_INVALID, store_record_fault(s, 1, NULL, "x", ""));
}

static void test_store_err_translates_sqlite_results(void)
{
    HK_ASSERT_INT(HK_OK, store_err(SQLITE_OK));
    HK_ASSERT_INT(HK_OK, store_err(SQLITE_DONE));
    HK_ASSERT_INT(HK_ERR_NOMEM, store_err(SQLITE_NOMEM));
    HK_ASSERT_INT(HK_ERR_BUSY, store_err(SQLITE_BUSY));
    HK_ASSERT_INT(HK_ERR_BUSY, store_err(SQLITE_BUSY_SNAPSHOT));
    HK_ASSERT_INT(HK_ERR_CORRUPT, store_err(SQLITE_CORRUPT));
    HK_ASSERT_INT(HK_ERR_CORRUPT, store_err(SQLITE_NOTADB));
    HK_ASSERT_INT(HK_ERR_IO, store_err(SQLITE_IOERR_FSYNC));
    HK_ASSERT_INT(HK_ERR_IO, store_err(SQLITE_FULL));
    HK_ASSERT_INT(HK_ERR_IO, store_err(SQLITE_CANTOPEN));
    HK_ASSERT_INT(HK_ERR_INVALID, store_err(SQLITE_CONSTRAINT_PRIMARYKEY));
}

static void test_store_open_survives_every_allocation_failure(void)
{
    const char *path = hk_test_path("fi.db");
    char extra[1100];
    long n;
    int failures = 0;

    HK_ASSERT(store_mem_hooked());
    for(n = 1; n < 100000; n++) {
        hk_err_t rc;
        long attempts;
        int cnt = -1;

        (void)unlink(path);
        (void)snprintf(extra, sizeof(extra), "%s-wal", path);
        (void)unlink(extra);
        (void)snprintf(extra, sizeof(extra), "%s-shm", path);
        (void)unlink(extra);
        hk_mem_fail_nth(n);
        rc = store_open(path, &s, &diag);
        if(rc == HK_OK)
            rc = store_record_fault(s, 1, "printer", "paper_out", "");
        attempts = hk_mem_attempts(); /* fail_nth(0) resets it */
        hk_mem_fail_nth(0);
        if(rc == HK_OK && attempts < n) {
            HK_ASSERT_OK(store_count_faults(s, "printer", "paper_out", &cnt));
            HK_ASSERT_INT(1, cnt);
            break;
        }
        if(rc != HK_OK) {
            failures++;
            /* Injected OOM inside SQLite may surface as NOMEM, or as an I/O
             * error where SQLite itself maps it; never as success. */
            HK_ASSERT_MSG(rc == HK_ERR_NOMEM || rc == HK_ERR_IO || rc == HK_ERR_CORRUPT,
                          "N=%ld: unexpected %d (%s)", n, (int)rc, diag.msg);
        }
        store_close(s);
        s = NULL;
        /* Whatever happened, the file opens cleanly afterwards. */
        HK_ASSERT_OK(store_open(path, &s, &diag));
        HK_ASSERT_OK(store_integrity_check(s, &diag));
        HK_ASSERT_INT(2, store_schema_version(s));
        store_close(s);
        s = NULL;
    }
    HK_ASSERT_MSG(failures > 20, "only %d failures exercised", failures);
}

int main(void)
{
    HK_RUN(test_store_new_file_is_wal_full_sync_with_foreign_keys);
    HK_RUN(test_store_migrates_v1_rows_forward_intact);
    HK_RUN(test_store_refuses_a_newer_schema_without_touching_it);
    HK_RUN(test_store_refuses_a_file_that_is_not_a_database);
    HK_RUN(test_store_unopenable_path_is_io_error);
    HK_RUN(test_store_faults_are_recorded_durably);
    HK_RUN(test_store_err_translates_sqlite_results);
    HK_RUN(test_store_open_survives_every_allocation_failure);
    return hk_test_end();
}
