/*
 * test_store: the SQLite store on a real file in a temp dir. Pragmas are
 * set, migrations carry old rows forward, a newer file is refused without
 * being touched, the v3 and v4 CHECK constraints match the persisted
 * enums (ticket and counter states; rating levels, sources and chips),
 * nested transactions keep or undo exactly their level, faults are
 * recorded durably, and opening survives every allocation failure (SQLite
 * allocates through hk_malloc too).
 *
 * Includes store_private.h (core-only): these tests look at the file with
 * raw SQL and call store_err()/store_stmt() directly.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "journal.h"
#include "queue.h"
#include "rating.h"
#include "store.h"
#include "store_private.h" /* test only: raw SQL, store_err, store_stmt */

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
    HK_ASSERT_INT(6, store_schema_latest());
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

/* The schema text of a file, one line per object, in name order. */
static void schema_of(const char *path, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    size_t o = 0;

    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_INT(SQLITE_OK, sqlite3_prepare_v2(store_db(s),
                                                "SELECT type || ' ' || name || ' ' || tbl_name"
                                                " || ' ' || IFNULL(sql, '') FROM sqlite_master"
                                                " ORDER BY name",
                                                -1, &st, NULL));
    out[0] = '\0';
    while(sqlite3_step(st) == SQLITE_ROW) {
        int n = snprintf(out + o, cap - o, "%s\n", (const char *)sqlite3_column_text(st, 0));
        HK_ASSERT(n > 0 && (size_t)n < cap - o);
        o += (size_t)n;
    }
    sqlite3_finalize(st);
    store_close(s);
    s = NULL;
}

static void test_store_new_file_schema_equals_the_migrated_one(void)
{
    static char fresh[16384], migrated[16384];
    int v;

    schema_of(hk_test_path("fresh.db"), fresh, sizeof(fresh));
    for(v = 1; v < store_schema_latest(); v++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "from%d.db", v);
        HK_ASSERT_OK(store_open_at_version(hk_test_path(name), v, &s, &diag));
        store_close(s);
        s = NULL;
        schema_of(hk_test_path(name), migrated, sizeof(migrated));
        HK_ASSERT_STR(fresh, migrated);
    }
    HK_ASSERT_CONTAINS(fresh, "CHECK(state IN (0, 1, 2, 3, 4, 5, 6))");
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
    HK_ASSERT_INT(store_schema_latest(), store_schema_version(s));
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

static int count_rows(const char *sql)
{
    return pragma_int(store_db(s), sql);
}

static void test_store_migrates_v2_rows_to_v3_with_enum_checks(void)
{
    const char *path = hk_test_path("v2.db");
    sqlite3 *db;
    int64_t last = -1;

    /* A v2 file with a row in every table, a transfer chain among them. */
    HK_ASSERT_OK(store_open_at_version(path, 2, &s, &diag));
    db = store_db(s);
    exec_ok(db, "INSERT INTO numbers VALUES('2024-03-11','A',1,1000);"
                "INSERT INTO numbers VALUES('2024-03-11','A',2,2000);"
                "INSERT INTO tickets(id,day,prefix,seq,number,service_id,state,issued_ms,"
                " called_ms,counter_id,ahead_quoted,est_wait_s_quoted)"
                " VALUES(1,'2024-03-11','A',1,'A001','general',6,1000,1500,'c1',0,0);"
                "INSERT INTO tickets(id,day,prefix,seq,number,service_id,state,issued_ms,"
                " prev_id,ahead_quoted,est_wait_s_quoted)"
                " VALUES(2,'2024-03-11','A',1,'A001','broadband',0,1000,1,0,-1);"
                "INSERT INTO tickets(id,day,prefix,seq,number,service_id,state,issued_ms,"
                " recalls,ahead_quoted,est_wait_s_quoted)"
                " VALUES(3,'2024-03-11','A',2,'A002','general',1,2000,2,1,72);"
                "INSERT INTO counter_state VALUES('c1',1,10),('c2',0,20);"
                "INSERT INTO service_stats VALUES('general',300.5,4,30);"
                "INSERT INTO faults(wall_ms,device,code,detail)"
                " VALUES(40,'printer','paper_out','x');");
    store_close(s);
    s = NULL;

    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_INT(store_schema_latest(), store_schema_version(s));
    HK_ASSERT_OK(store_integrity_check(s, &diag));
    HK_ASSERT_INT(3, count_rows("SELECT COUNT(*) FROM tickets"));
    HK_ASSERT_INT(2, count_rows("SELECT COUNT(*) FROM numbers"));
    HK_ASSERT_INT(1, count_rows("SELECT COUNT(*) FROM tickets WHERE id=1 AND state=6 AND"
                                " called_ms=1500 AND counter_id='c1' AND est_wait_s_quoted=0"));
    HK_ASSERT_INT(1, count_rows("SELECT COUNT(*) FROM tickets WHERE id=2 AND prev_id=1 AND"
                                " service_id='broadband' AND est_wait_s_quoted=-1"));
    HK_ASSERT_INT(1, count_rows("SELECT COUNT(*) FROM tickets WHERE id=3 AND recalls=2 AND"
                                " ahead_quoted=1 AND est_wait_s_quoted=72"));
    HK_ASSERT_INT(1, count_rows("SELECT state FROM counter_state WHERE counter_id='c1'"));
    HK_ASSERT_INT(0, count_rows("SELECT state FROM counter_state WHERE counter_id='c2'"));
    HK_ASSERT_INT(4, count_rows("SELECT n FROM service_stats"));
    HK_ASSERT_INT(1, count_rows("SELECT COUNT(*) FROM faults"));
    /* Indexes rebuilt, foreign keys on and holding, the journal empty. */
    HK_ASSERT_INT(2, count_rows("SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND"
                                " name IN ('tickets_state','tickets_number')"));
    HK_ASSERT_INT(1, count_rows("PRAGMA foreign_keys"));
    HK_ASSERT_INT(0, count_rows("SELECT COUNT(*) FROM pragma_foreign_key_check"));
    HK_ASSERT_OK(journal_last_seq(s, &last));
    HK_ASSERT_INT(0, last);
    /* The prev_id foreign key still points into the rebuilt table. */
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE tickets SET prev_id = 99 WHERE id = 2", NULL, NULL,
                           NULL) == SQLITE_CONSTRAINT);
    /* And the CHECKs refuse what no enum value means. */
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE tickets SET state = 7 WHERE id = 3", NULL, NULL,
                           NULL) == SQLITE_CONSTRAINT);
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE tickets SET state = -1 WHERE id = 3", NULL, NULL,
                           NULL) == SQLITE_CONSTRAINT);
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE counter_state SET state = 3", NULL, NULL, NULL) ==
              SQLITE_CONSTRAINT);
    HK_ASSERT_INT(1, count_rows("SELECT state FROM tickets WHERE id = 3"));
}

static void test_store_v2_file_with_an_unknown_state_stays_at_v2(void)
{
    const char *path = hk_test_path("bad.db");

    HK_ASSERT_OK(store_open_at_version(path, 2, &s, &diag));
    exec_ok(store_db(s), "INSERT INTO numbers VALUES('2024-03-11','A',1,1000);"
                         "INSERT INTO tickets(day,prefix,seq,number,service_id,state,issued_ms)"
                         " VALUES('2024-03-11','A',1,'A001','general',9,1000);");
    store_close(s);
    s = NULL;
    hk_log_set_stderr(false); /* the failed migration is logged */
    HK_ASSERT_INT(HK_ERR_INVALID, store_open(path, &s, &diag));
    hk_log_set_stderr(true);
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "2 -> 3");
    HK_ASSERT_OK(store_open_at_version(path, 2, &s, &diag));
    HK_ASSERT_INT(2, store_schema_version(s));
    HK_ASSERT_INT(9, count_rows("SELECT state FROM tickets"));
}

/* The v3 migration spells the enum values out (it is history); this is
 * what fails when a state is added without a migration widening them. */
static void test_store_check_constraints_accept_exactly_the_enum_values(void)
{
    char sql[256];
    int v;

    HK_ASSERT_OK(store_open(hk_test_path("chk.db"), &s, &diag));
    exec_ok(store_db(s), "INSERT INTO numbers VALUES('2024-03-11','A',1,1000);"
                         "INSERT INTO tickets(id,day,prefix,seq,number,service_id,state,"
                         " issued_ms) VALUES(1,'2024-03-11','A',1,'A001','general',0,1000);");
    for(v = -1; v <= TICKET_STATE_COUNT; v++) {
        int want = (v >= 0 && v < TICKET_STATE_COUNT) ? SQLITE_OK : SQLITE_CONSTRAINT;
        (void)snprintf(sql, sizeof(sql), "UPDATE tickets SET state = %d WHERE id = 1", v);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == want, "ticket state %d",
                      v);
    }
    for(v = -1; v <= COUNTER_STATE_COUNT; v++) {
        int want = (v >= 0 && v < COUNTER_STATE_COUNT) ? SQLITE_OK : SQLITE_CONSTRAINT;
        (void)snprintf(sql, sizeof(sql),
                       "INSERT OR REPLACE INTO counter_state VALUES('c1', %d, 0, '')", v);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == want, "counter state %d",
                      v);
    }
}

/* A v3 file with finished visits (and the rest of a day) migrates to v4
 * keeping every row and event; its old visits have no outcome and get
 * none from the migration; the ratings table is empty and its CHECKs hold. */
static void test_store_migrates_v3_visits_to_v4_keeping_every_row(void)
{
    const char *path = hk_test_path("v3.db");
    const char *json = "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
                       "\"utc_offset_min\":480,"
                       "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\","
                       "\"name_en\":\"General\"}],"
                       "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}]}";
    const int64_t day0 = 1710122400000LL; /* 2024-03-11 10:00 at UTC+8 */
    config_t cfg;
    queue_t *q = NULL;
    rating_t *rt = NULL;
    rating_record_t rec;
    rating_vote_t v = { RATING_SATISFIED, 0, 0 };
    ticket_t a, b, c;
    int64_t seq = -1, after = -1;
    int i;

    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    for(i = 0; i < 7; i++) {
        cfg.hours.day[i].open_min = 0;
        cfg.hours.day[i].close_min = 1440;
        cfg.services[0].hours = cfg.hours;
    }
    /* A v3 file written by the v3 code paths: SQL as a v3 build ran it. */
    HK_ASSERT_OK(store_open_at_version(path, 3, &s, &diag));
    exec_ok(store_db(s),
            "INSERT INTO numbers VALUES('2024-03-11','A',1,1000),('2024-03-11','A',2,2000),"
            " ('2024-03-11','A',3,3000);"
            "INSERT INTO tickets(id,day,prefix,seq,number,service_id,state,issued_ms,called_ms,"
            " serving_ms,finished_ms,counter_id) VALUES"
            " (1,'2024-03-11','A',1,'A001','general',3,1000,1500,1600,90000,'c1'),"
            " (2,'2024-03-11','A',2,'A002','general',3,2000,2500,0,95000,'c1'),"
            " (3,'2024-03-11','A',3,'A003','general',0,3000,0,0,0,'');"
            "INSERT INTO journal(seq,uuid,type,body,wall_ms) VALUES"
            " (1,'00000000-0000-4000-8000-000000000001','ticket.finished','{\"ticket\":1}',90000);"
            "INSERT INTO journal_cursors VALUES('central',1);");
    store_close(s);
    s = NULL;

    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_INT(store_schema_latest(), store_schema_version(s));
    HK_ASSERT_OK(store_integrity_check(s, &diag));
    HK_ASSERT_INT(3, count_rows("SELECT COUNT(*) FROM tickets"));
    HK_ASSERT_INT(2, count_rows("SELECT COUNT(*) FROM tickets WHERE state = 3"));
    HK_ASSERT_INT(1, count_rows("SELECT COUNT(*) FROM tickets WHERE id = 2 AND finished_ms = 95000"
                                " AND called_ms = 2500 AND counter_id = 'c1'"));
    HK_ASSERT_INT(3, count_rows("SELECT COUNT(*) FROM numbers"));
    HK_ASSERT_INT(1, count_rows("SELECT seq FROM journal_cursors WHERE consumer = 'central'"));
    HK_ASSERT_OK(journal_last_seq(s, &seq));
    HK_ASSERT_INT(1, seq);
    HK_ASSERT_INT(0, count_rows("SELECT COUNT(*) FROM ratings"));
    HK_ASSERT_INT(0, count_rows("SELECT COUNT(*) FROM pragma_foreign_key_check"));

    /* The migrated visits are live: the day goes on, a new visit is rated,
     * the old ones (their counter window long past) are not at the
     * counter, and today's sweep marks them not rated. */
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
    HK_ASSERT_OK(rating_open(s, &cfg, &rt));
    HK_ASSERT_OK(queue_find_ticket(q, "2024-03-11", "A001", &a));
    HK_ASSERT_INT(TICKET_DONE, a.state);
    HK_ASSERT_OK(queue_call_next(q, "c1", day0, &c));
    HK_ASSERT_STR("A003", c.number);
    HK_ASSERT_OK(queue_finish(q, c.id, day0 + 60000));
    HK_ASSERT_OK(rating_rate(rt, c.id, &v, RATING_SOURCE_COUNTER, RATING_WINDOW_S_DEFAULT,
                             day0 + 61000, &rec));
    HK_ASSERT_OK(queue_find_ticket(q, "2024-03-11", "A002", &b));
    HK_ASSERT_INT(HK_ERR_INVALID, rating_rate(rt, b.id, &v, RATING_SOURCE_COUNTER,
                                              RATING_WINDOW_S_DEFAULT, day0 + 61000, &rec));
    HK_ASSERT_OK(rating_expire(rt, RATING_WINDOW_S_DEFAULT, day0 + 62000, &i));
    HK_ASSERT_INT(2, i);
    HK_ASSERT_OK(journal_last_seq(s, &after));
    HK_ASSERT(after > seq);
    rating_destroy(rt);
    queue_destroy(q);
}

/* The v4 CHECKs spell out rating_level_t, rating_source_t and the chip
 * bits; they must accept exactly those, and the follow-up and chip rules. */
static void test_store_rating_checks_accept_exactly_the_enum_values(void)
{
    char sql[320];
    int v;

    HK_ASSERT_OK(store_open(hk_test_path("rchk.db"), &s, &diag));
    exec_ok(store_db(s), "INSERT INTO numbers VALUES('2024-03-11','A',1,1000);"
                         "INSERT INTO tickets(id,day,prefix,seq,number,service_id,state,"
                         " issued_ms) VALUES(1,'2024-03-11','A',1,'A001','general',3,1000);"
                         "INSERT INTO ratings(ticket_id,day,number,service_id,counter_id,"
                         " finished_ms,level,source,rated_ms,follow_up)"
                         " VALUES(1,'2024-03-11','A001','general','c1',5,5,0,6,0);");
    for(v = -1; v <= RATING_LEVEL_COUNT; v++) {
        int want = (v >= 0 && v < RATING_LEVEL_COUNT) ? SQLITE_OK : SQLITE_CONSTRAINT;
        (void)snprintf(sql, sizeof(sql),
                       "UPDATE ratings SET level = %d, follow_up = %d, reasons = 0, praise = 0", v,
                       rating_level_needs_follow_up((rating_level_t)v) ? 1 : 0);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == want, "level %d", v);
        /* follow_up is the level's, never set by hand otherwise */
        (void)snprintf(sql, sizeof(sql), "UPDATE ratings SET level = %d, follow_up = %d", v,
                       rating_level_needs_follow_up((rating_level_t)v) ? 0 : 1);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == SQLITE_CONSTRAINT,
                      "level %d with the wrong follow_up", v);
    }
    for(v = -1; v <= RATING_SOURCE_COUNT; v++) {
        int want = (v >= 0 && v < RATING_SOURCE_COUNT) ? SQLITE_OK : SQLITE_CONSTRAINT;
        (void)snprintf(sql, sizeof(sql), "UPDATE ratings SET source = %d", v);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == want, "source %d", v);
    }
    exec_ok(store_db(s), "UPDATE ratings SET level = 2, follow_up = 1, praise = 0");
    for(v = -1; v <= (int)RATING_REASONS_ALL + 1; v++) {
        int want = (v >= 0 && v <= (int)RATING_REASONS_ALL) ? SQLITE_OK : SQLITE_CONSTRAINT;
        (void)snprintf(sql, sizeof(sql), "UPDATE ratings SET reasons = %d", v);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == want, "reasons %d", v);
    }
    exec_ok(store_db(s), "UPDATE ratings SET level = 5, follow_up = 0, reasons = 0");
    for(v = -1; v <= (int)RATING_PRAISE_ALL + 1; v++) {
        int want = (v >= 0 && v <= (int)RATING_PRAISE_ALL) ? SQLITE_OK : SQLITE_CONSTRAINT;
        (void)snprintf(sql, sizeof(sql), "UPDATE ratings SET praise = %d", v);
        HK_ASSERT_MSG(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL) == want, "praise %d", v);
    }
    /* reasons with a high level, praise with a low one */
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE ratings SET reasons = 1", NULL, NULL, NULL) ==
              SQLITE_CONSTRAINT);
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE ratings SET level = 3, praise = 1", NULL, NULL,
                           NULL) == SQLITE_CONSTRAINT);
    /* one outcome per visit, and only for a ticket that exists */
    HK_ASSERT(sqlite3_exec(store_db(s),
                           "INSERT INTO ratings(ticket_id,day,number,service_id,counter_id,"
                           " finished_ms,level,source,rated_ms,follow_up)"
                           " VALUES(1,'2024-03-11','A001','general','c1',5,4,0,6,0)",
                           NULL, NULL, NULL) == SQLITE_CONSTRAINT);
    HK_ASSERT(sqlite3_exec(store_db(s),
                           "INSERT INTO ratings(ticket_id,day,number,service_id,counter_id,"
                           " finished_ms,level,source,rated_ms,follow_up)"
                           " VALUES(7,'2024-03-11','A007','general','c1',5,4,0,6,0)",
                           NULL, NULL, NULL) == SQLITE_CONSTRAINT);
}

static int faults_now(void)
{
    int n = -1;

    HK_ASSERT_OK(store_count_faults(s, "printer", "paper_out", &n));
    return n;
}

static void test_store_nested_transactions_keep_or_undo_exactly_their_level(void)
{
    int64_t last = -1;

    HK_ASSERT_OK(store_open(hk_test_path("tx.db"), &s, &diag));
    HK_ASSERT_INT(0, store_tx_depth(s));
    /* Outer rollback undoes everything, inner commits included. */
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_record_fault(s, 1, "printer", "paper_out", "a"));
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_INT(2, store_tx_depth(s));
    HK_ASSERT_OK(store_record_fault(s, 2, "printer", "paper_out", "b"));
    HK_ASSERT_OK(store_commit(s));
    HK_ASSERT_INT(2, faults_now());
    store_rollback(s);
    HK_ASSERT_INT(0, store_tx_depth(s));
    HK_ASSERT_INT(0, faults_now());

    /* A failed inner level rolls back to its savepoint only. */
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_record_fault(s, 3, "printer", "paper_out", "c"));
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_record_fault(s, 4, "printer", "paper_out", "d"));
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_record_fault(s, 5, "printer", "paper_out", "e"));
    HK_ASSERT_INT(3, store_tx_depth(s));
    store_rollback(s); /* drops e */
    HK_ASSERT_INT(2, faults_now());
    store_rollback(s); /* drops d */
    HK_ASSERT_INT(1, faults_now());
    HK_ASSERT_OK(store_record_fault(s, 6, "printer", "paper_out", "f"));
    HK_ASSERT_INT(HK_ERR_INVALID, store_end(s, HK_ERR_INVALID));
    HK_ASSERT_INT(0, store_tx_depth(s));
    HK_ASSERT_INT(0, faults_now()); /* store_end with an error rolled back */

    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_record_fault(s, 7, "printer", "paper_out", "g"));
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_record_fault(s, 8, "printer", "paper_out", "h"));
    store_rollback(s);
    HK_ASSERT_OK(store_end(s, HK_OK));
    store_close(s);
    s = NULL;
    HK_ASSERT_OK(store_open(hk_test_path("tx.db"), &s, &diag));
    HK_ASSERT_INT(1, faults_now());
    /* One fault row, one device.fault event: seq 1 (rolled-back appends
     * never used a seq). */
    HK_ASSERT_OK(journal_last_seq(s, &last));
    HK_ASSERT_INT(1, last);
    HK_ASSERT_INT(1, count_rows("SELECT COUNT(*) FROM journal WHERE type = 'device.fault' AND"
                                " json_extract(body, '$.detail') = 'g'"));
}

static void test_store_statement_cache_hands_out_one_statement_per_text(void)
{
    static const char sql[] = "SELECT COUNT(*) FROM faults";
    sqlite3_stmt *a = NULL, *b = NULL;

    HK_ASSERT_OK(store_open(hk_test_path("cache.db"), &s, &diag));
    HK_ASSERT_OK(store_stmt(s, sql, &a));
    HK_ASSERT_INT(SQLITE_ROW, sqlite3_step(a));
    store_stmt_done(a);
    HK_ASSERT_OK(store_stmt(s, sql, &b));
    HK_ASSERT(a == b);
    HK_ASSERT_INT(SQLITE_ROW, sqlite3_step(b));
    HK_ASSERT_INT(0, sqlite3_column_int(b, 0));
    store_stmt_done(b);
    HK_ASSERT_OK(store_run(s, "test", "CREATE TABLE scratch(x)"));
    HK_ASSERT(store_run(s, "test", "INSERT INTO nowhere VALUES(1)") != HK_OK);
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
    HK_ASSERT_CONTAINS(diag.msg, "(6)");
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
    HK_ASSERT_INT(HK_ERR_INVALID, store_open_at_version(hk_test_path("v.db"),
                                                        store_schema_latest() + 1, &s, &diag));
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
    for(n = 1; n < 100000; n += hk_test_fail_step()) {
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
        HK_ASSERT_INT(store_schema_latest(), store_schema_version(s));
        store_close(s);
        s = NULL;
    }
    HK_ASSERT_MSG(failures * hk_test_fail_step() > 20, "only %d failures exercised (every %ld)",
                  failures, hk_test_fail_step());
}

/* store_defer_sync: commits stop flushing (synchronous=NORMAL), the
 * owner flushes and checkpoints; only writing commits count, and nothing
 * is lost from the file's point of view. */
static void test_store_deferred_sync_counts_commits_and_checkpoints_on_demand(void)
{
    const char *path = hk_test_path("defer.db");
    int i, frames;

    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_OK(store_sync(s)); /* not deferred: nothing to do */
    HK_ASSERT_OK(store_defer_sync(s, 100));
    HK_ASSERT_INT(1, pragma_int(store_db(s), "PRAGMA synchronous"));
    HK_ASSERT(store_commits(s) == 0);
    /* a read-only transaction is not a commit to flush */
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(store_commit(s));
    HK_ASSERT(store_commits(s) == 0);
    for(i = 0; i < 40; i++) {
        char detail[32];
        snprintf(detail, sizeof(detail), "n%d", i);
        HK_ASSERT_OK(store_record_fault(s, 1000 + i, "printer", "paper_out", detail));
    }
    HK_ASSERT(store_commits(s) == 40);
    HK_ASSERT_OK(store_sync(s));
    /* no automatic checkpoint: the frames stay in the WAL until asked */
    frames = store_wal_frames(s);
    HK_ASSERT_MSG(frames >= 40, "%d frames", frames);
    HK_ASSERT_OK(store_checkpoint(s));
    HK_ASSERT_INT(0, store_wal_frames(s));
    store_close(s);
    s = NULL;
    HK_ASSERT_OK(store_open(path, &s, &diag));
    HK_ASSERT_INT(2, pragma_int(store_db(s), "PRAGMA synchronous")); /* per connection */
    HK_ASSERT_INT(40, pragma_int(store_db(s), "SELECT COUNT(*) FROM faults"));
    HK_ASSERT_OK(store_integrity_check(s, &diag));
}

int main(void)
{
    HK_RUN(test_store_new_file_is_wal_full_sync_with_foreign_keys);
    HK_RUN(test_store_new_file_schema_equals_the_migrated_one);
    HK_RUN(test_store_migrates_v1_rows_forward_intact);
    HK_RUN(test_store_migrates_v2_rows_to_v3_with_enum_checks);
    HK_RUN(test_store_v2_file_with_an_unknown_state_stays_at_v2);
    HK_RUN(test_store_check_constraints_accept_exactly_the_enum_values);
    HK_RUN(test_store_migrates_v3_visits_to_v4_keeping_every_row);
    HK_RUN(test_store_rating_checks_accept_exactly_the_enum_values);
    HK_RUN(test_store_nested_transactions_keep_or_undo_exactly_their_level);
    HK_RUN(test_store_statement_cache_hands_out_one_statement_per_text);
    HK_RUN(test_store_refuses_a_newer_schema_without_touching_it);
    HK_RUN(test_store_refuses_a_file_that_is_not_a_database);
    HK_RUN(test_store_unopenable_path_is_io_error);
    HK_RUN(test_store_faults_are_recorded_durably);
    HK_RUN(test_store_deferred_sync_counts_commits_and_checkpoints_on_demand);
    HK_RUN(test_store_err_translates_sqlite_results);
    HK_RUN(test_store_open_survives_every_allocation_failure);
    return hk_test_end();
}
