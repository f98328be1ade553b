/*
 * test_journal: the event journal over a real SQLite file. Seqs are strictly
 * increasing and gap-free, uuids are unique v4, read_after pages, cursors
 * are per consumer, only move forward and survive reopen; every queue
 * mutator and store_record_fault writes its event in the same transaction
 * as its change (a rolled-back caller transaction or a failing write leaves
 * neither), also under every allocation failure; a second connection on
 * another thread reading while events are appended sees a gap-free
 * increasing sequence.
 *
 * Includes store_private.h (core-only): the checks read the tables with
 * raw SQL, and one test installs a failing trigger.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "journal.h"
#include "queue.h"
#include "store.h"
#include "store_private.h" /* test only: raw SQL on the store's handle */

#define JOURNAL_JSON                                                                              \
    "{\"branch\":{\"id\":\"j\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},\"utc_offset_min\":480," \
    "\"services\":["                                                                              \
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"},"             \
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"P\"}],"            \
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\",\"payment\"]},"          \
    "{\"id\":\"c2\",\"number\":2,\"services\":[\"payment\"]}]}"

#define DAY0_MS 1710122400000LL /* 2024-03-11 10:00 at UTC+8 */
#define DAY_MS  86400000LL
#define SEC     1000

static store_t *s;
static queue_t *q;
static config_t cfg;
static hk_diag_t diag;

void setUp(void)
{
    int d, i;

    s = NULL;
    q = NULL;
    HK_ASSERT_OK(config_parse(JOURNAL_JSON, strlen(JOURNAL_JSON), &cfg, &diag));
    for(d = 0; d < 7; d++) {
        cfg.hours.day[d].open_min = 0;
        cfg.hours.day[d].close_min = 1440;
        for(i = 0; i < cfg.n_services; i++)
            cfg.services[i].hours = cfg.hours;
    }
    HK_ASSERT_OK(store_open(hk_test_path("j.db"), &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
}

void tearDown(void)
{
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
}

static void reopen(void)
{
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
    HK_ASSERT_OK(store_open(hk_test_path("j.db"), &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
}

static ticket_t take(const char *service, int64_t now)
{
    ticket_t t;
    hk_err_t rc = queue_take_number(q, service, now, &t);

    HK_ASSERT_MSG(rc == HK_OK, "take %s: %s", service, hk_err_str(rc));
    return t;
}

static int sql_int(store_t *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int v = -999;

    HK_ASSERT_MSG(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK, "%s: %s",
                  sql, sqlite3_errmsg(store_db(st)));
    if(sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static int64_t last_seq(void)
{
    int64_t v = -1;

    HK_ASSERT_OK(journal_last_seq(s, &v));
    return v;
}

/* Every event from the start; free with journal_events_free. */
static journal_event_t *read_all(int *n)
{
    journal_event_t *ev = NULL;

    HK_ASSERT_OK(journal_read_after(s, 0, 100000, &ev, n));
    return ev;
}

/*
 * The journal agrees with the tables: seqs 1..n without a gap, every row
 * without prev_id has exactly one ticket.issued, every row with one exactly
 * one ticket.transferred naming it, every ticket event names an existing
 * row, one device.fault per fault row. Returns the number of events.
 */
static int check_agrees(store_t *st)
{
    int n = sql_int(st, "SELECT COUNT(*) FROM journal");

    HK_ASSERT_INT(n, sql_int(st, "SELECT IFNULL(MAX(seq), 0) FROM journal"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM tickets t WHERE t.prev_id IS NULL AND"
                                 " (SELECT COUNT(*) FROM journal j WHERE j.type = 'ticket.issued'"
                                 " AND json_extract(j.body, '$.ticket') = t.id) <> 1"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM tickets t WHERE t.prev_id IS NOT NULL AND"
                                 " (SELECT COUNT(*) FROM journal j WHERE j.type ="
                                 " 'ticket.transferred' AND"
                                 " json_extract(j.body, '$.new_ticket') = t.id) <> 1"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM journal j WHERE j.type LIKE 'ticket.%' AND"
                                 " NOT EXISTS (SELECT 1 FROM tickets t"
                                 " WHERE t.id = json_extract(j.body, '$.ticket'))"));
    HK_ASSERT_INT(sql_int(st, "SELECT COUNT(*) FROM faults"),
                  sql_int(st, "SELECT COUNT(*) FROM journal WHERE type = 'device.fault'"));
    return n;
}

static void test_journal_seqs_are_gap_free_and_uuids_unique_v4(void)
{
    journal_event_t *ev;
    ticket_t a;
    int n = 0, i, k;

    HK_ASSERT_INT(0, last_seq());
    for(i = 0; i < 5; i++)
        take(i % 2 ? "payment" : "general", DAY0_MS + i * SEC);
    HK_ASSERT_OK(queue_call_next(q, "c1", DAY0_MS + 10 * SEC, &a));
    HK_ASSERT_OK(queue_finish(q, a.id, DAY0_MS + 20 * SEC));
    HK_ASSERT_OK(store_record_fault(s, DAY0_MS + 30 * SEC, "printer", "paper_out", ""));
    ev = read_all(&n);
    HK_ASSERT_INT(8, n);
    HK_ASSERT_INT(8, last_seq());
    for(i = 0; i < n; i++) {
        HK_ASSERT_INT(i + 1, ev[i].seq);
        HK_ASSERT_INT(36, strlen(ev[i].uuid));
        HK_ASSERT_MSG(ev[i].uuid[14] == '4' && strchr("89ab", ev[i].uuid[19]) &&
                          ev[i].uuid[8] == '-' && ev[i].uuid[13] == '-' && ev[i].uuid[18] == '-' &&
                          ev[i].uuid[23] == '-',
                      "not a v4 uuid: %s", ev[i].uuid);
        for(k = 0; k < i; k++)
            HK_ASSERT_MSG(strcmp(ev[i].uuid, ev[k].uuid) != 0, "uuid repeats: %s", ev[i].uuid);
    }
    HK_ASSERT_INT(JOURNAL_TICKET_ISSUED, ev[0].type);
    HK_ASSERT_INT(DAY0_MS, ev[0].wall_ms);
    HK_ASSERT_INT(JOURNAL_TICKET_CALLED, ev[5].type);
    HK_ASSERT_INT(JOURNAL_TICKET_FINISHED, ev[6].type);
    HK_ASSERT_INT(JOURNAL_DEVICE_FAULT, ev[7].type);
    journal_events_free(ev, n);
    /* Continues across reopen. */
    reopen();
    take("general", DAY0_MS + 40 * SEC);
    HK_ASSERT_INT(9, last_seq());
    HK_ASSERT_INT(9, check_agrees(s));
}

/* What keeps a seq from being handed out twice (journal.c notes). */
static void test_journal_is_append_only(void)
{
    take("general", DAY0_MS);
    take("general", DAY0_MS + SEC);
    hk_log_set_stderr(false);
    HK_ASSERT(sqlite3_exec(store_db(s), "DELETE FROM journal WHERE seq = 2", NULL, NULL, NULL) ==
              SQLITE_CONSTRAINT);
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE journal SET seq = 7 WHERE seq = 2", NULL, NULL,
                           NULL) == SQLITE_CONSTRAINT);
    HK_ASSERT(sqlite3_exec(store_db(s), "UPDATE journal SET body = '{}'", NULL, NULL, NULL) ==
              SQLITE_CONSTRAINT);
    hk_log_set_stderr(true);
    HK_ASSERT_INT(2, last_seq());
    take("general", DAY0_MS + 2 * SEC);
    HK_ASSERT_INT(3, last_seq());
}

static void test_journal_type_names_round_trip(void)
{
    static const char *const names[JOURNAL_TYPE_COUNT] = {
        "ticket.issued",      "ticket.called",       "ticket.recalled", "ticket.no_show",
        "ticket.transferred", "ticket.started",      "ticket.finished", "ticket.cancelled",
        "counter.opened",     "counter.paused",      "counter.closed",  "device.fault",
        "visit.rated",        "visit.not_rated",     "faq.feedback",    "triage.chosen",
        "issue.submitted",    "engineer.pin_failed", /* engineer mode (issue 9.5) */
    };
    journal_type_t t = JOURNAL_TYPE_COUNT;
    int i;

    for(i = 0; i < JOURNAL_TYPE_COUNT; i++) {
        HK_ASSERT_STR(names[i], journal_type_str((journal_type_t)i));
        HK_ASSERT(journal_type_parse(names[i], &t));
        HK_ASSERT_INT(i, t);
    }
    HK_ASSERT_STR("unknown", journal_type_str(JOURNAL_TYPE_COUNT));
    t = JOURNAL_DEVICE_FAULT;
    HK_ASSERT(!journal_type_parse("ticket.rated", &t));
    HK_ASSERT(!journal_type_parse("", &t));
    HK_ASSERT(!journal_type_parse(NULL, &t));
    HK_ASSERT_INT(JOURNAL_DEVICE_FAULT, t);
}

static cJSON *body_of(const journal_event_t *ev)
{
    cJSON *j = cJSON_Parse(ev->body);

    HK_ASSERT_MSG(j && cJSON_IsObject(j), "seq %lld: body is not a JSON object: %s",
                  (long long)ev->seq, ev->body);
    return j;
}

static const char *jstr(cJSON *j, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long jint(cJSON *j, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -999;
}

static void test_journal_every_mutator_writes_its_event(void)
{
    static const journal_type_t want[] = {
        JOURNAL_TICKET_ISSUED,   JOURNAL_TICKET_ISSUED,      JOURNAL_TICKET_CALLED,
        JOURNAL_TICKET_RECALLED, JOURNAL_TICKET_NO_SHOW,     JOURNAL_TICKET_CALLED,
        JOURNAL_TICKET_STARTED,  JOURNAL_TICKET_TRANSFERRED, JOURNAL_TICKET_CALLED,
        JOURNAL_TICKET_FINISHED, JOURNAL_TICKET_ISSUED,      JOURNAL_TICKET_CANCELLED,
        JOURNAL_COUNTER_PAUSED,  JOURNAL_COUNTER_CLOSED,     JOURNAL_COUNTER_OPENED,
        JOURNAL_DEVICE_FAULT,    JOURNAL_TICKET_CANCELLED,   JOURNAL_TICKET_ISSUED,
    };
    const int n_want = (int)(sizeof(want) / sizeof(want[0]));
    const char detail[] = "said \"empty\"\n\\ 缺纸 \xff end";
    journal_event_t *ev;
    ticket_t a, b, moved, t, c;
    cJSON *j;
    int n = 0, i;

    a = take("general", DAY0_MS);
    b = take("payment", DAY0_MS + SEC);
    HK_ASSERT_OK(queue_call_next(q, "c1", DAY0_MS + 2 * SEC, &t));
    HK_ASSERT_INT(a.id, t.id);
    HK_ASSERT_OK(queue_recall(q, a.id, DAY0_MS + 3 * SEC));
    HK_ASSERT_OK(queue_no_show(q, a.id, DAY0_MS + 4 * SEC, true));
    HK_ASSERT_OK(queue_call_ticket(q, "c1", a.id, DAY0_MS + 5 * SEC, &t));
    HK_ASSERT_OK(queue_start_serving(q, a.id, DAY0_MS + 6 * SEC));
    HK_ASSERT_OK(queue_transfer(q, a.id, "payment", DAY0_MS + 7 * SEC, &moved));
    HK_ASSERT_OK(queue_call_ticket(q, "c2", moved.id, DAY0_MS + 8 * SEC, &t));
    HK_ASSERT_OK(queue_finish(q, moved.id, DAY0_MS + 9 * SEC));
    c = take("general", DAY0_MS + 10 * SEC);
    HK_ASSERT_OK(queue_cancel(q, c.id, DAY0_MS + 11 * SEC));
    HK_ASSERT_OK(queue_counter_set_state(q, "c2", COUNTER_PAUSED, DAY0_MS + 12 * SEC));
    HK_ASSERT_OK(queue_counter_set_state(q, "c2", COUNTER_CLOSED, DAY0_MS + 13 * SEC));
    HK_ASSERT_OK(queue_counter_set_open(q, "c2", true, DAY0_MS + 14 * SEC));
    HK_ASSERT_OK(queue_counter_set_open(q, "c2", true, DAY0_MS + 15 * SEC)); /* no change */
    HK_ASSERT_OK(store_record_fault(s, DAY0_MS + 16 * SEC, "printer", "paper_out", detail));
    /* Next day: B001 still waits; the first take sweeps it first. */
    take("general", DAY0_MS + DAY_MS);

    ev = read_all(&n);
    HK_ASSERT_INT(n_want, n);
    for(i = 0; i < n; i++)
        HK_ASSERT_MSG(ev[i].type == want[i], "event %d: %s, want %s", i,
                      journal_type_str(ev[i].type), journal_type_str(want[i]));

    j = body_of(&ev[0]);
    HK_ASSERT_INT(a.id, jint(j, "ticket"));
    HK_ASSERT_STR("A001", jstr(j, "number"));
    HK_ASSERT_STR("2024-03-11", jstr(j, "day"));
    HK_ASSERT_STR("general", jstr(j, "service"));
    HK_ASSERT_STR("waiting", jstr(j, "state"));
    HK_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "from")));
    HK_ASSERT_INT(DAY0_MS, jint(j, "issued_ms"));
    HK_ASSERT_INT(0, jint(j, "ahead"));
    HK_ASSERT_INT(a.est_wait_s_quoted, jint(j, "est_wait_s"));
    cJSON_Delete(j);
    j = body_of(&ev[2]);
    HK_ASSERT_STR("c1", jstr(j, "counter"));
    HK_ASSERT_STR("waiting", jstr(j, "from"));
    HK_ASSERT_STR("called", jstr(j, "state"));
    cJSON_Delete(j);
    j = body_of(&ev[3]);
    HK_ASSERT_INT(1, jint(j, "recalls"));
    cJSON_Delete(j);
    j = body_of(&ev[4]);
    HK_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "put_back")));
    HK_ASSERT_STR("waiting", jstr(j, "state"));
    HK_ASSERT_STR("c1", jstr(j, "counter"));
    cJSON_Delete(j);
    j = body_of(&ev[7]);
    HK_ASSERT_INT(a.id, jint(j, "ticket"));
    HK_ASSERT_INT(moved.id, jint(j, "new_ticket"));
    HK_ASSERT_STR("payment", jstr(j, "to_service"));
    HK_ASSERT_STR("serving", jstr(j, "from"));
    HK_ASSERT_STR("transferred", jstr(j, "state"));
    cJSON_Delete(j);
    j = body_of(&ev[12]);
    HK_ASSERT_STR("c2", jstr(j, "counter"));
    HK_ASSERT_STR("open", jstr(j, "from"));
    HK_ASSERT_STR("paused", jstr(j, "state"));
    cJSON_Delete(j);
    j = body_of(&ev[15]);
    HK_ASSERT_STR("printer", jstr(j, "device"));
    HK_ASSERT_STR("paper_out", jstr(j, "code"));
    HK_ASSERT_STR("said \"empty\"\n\\ 缺纸 \xef\xbf\xbd end", jstr(j, "detail"));
    cJSON_Delete(j);
    j = body_of(&ev[16]);
    HK_ASSERT_INT(b.id, jint(j, "ticket"));
    HK_ASSERT_STR("day_rollover", jstr(j, "reason"));
    HK_ASSERT_STR("waiting", jstr(j, "from"));
    cJSON_Delete(j);
    HK_ASSERT_INT(DAY0_MS + DAY_MS, ev[17].wall_ms);
    journal_events_free(ev, n);
    HK_ASSERT_INT(n_want, check_agrees(s));
}

static void test_journal_body_is_valid_json_when_cut(void)
{
    journal_body_t b;
    char big[2000];
    cJSON *j;

    memset(big, '"', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    journal_body_init(&b);
    journal_body_int(&b, "n", -42);
    journal_body_str(&b, "big", big);
    journal_body_bool(&b, "more", true);
    journal_body_str(&b, "none", NULL);
    j = cJSON_Parse(journal_body_finish(&b));
    HK_ASSERT_MSG(j != NULL, "not JSON: %s", b.buf);
    HK_ASSERT(b.truncated);
    HK_ASSERT(b.len < JOURNAL_BODY_MAX);
    HK_ASSERT_INT(-42, jint(j, "n"));
    HK_ASSERT(strlen(jstr(j, "big")) > 300);
    cJSON_Delete(j);
}

static void test_journal_read_after_pages_through_the_log(void)
{
    journal_event_t *ev = NULL;
    int64_t after = 0, seq = 0;
    int n = -1, i, pages = 0, total = 0;

    HK_ASSERT_OK(journal_read_after(s, 0, 10, &ev, &n));
    HK_ASSERT(ev == NULL);
    HK_ASSERT_INT(0, n);
    HK_ASSERT_OK(store_begin(s));
    for(i = 0; i < 25; i++) {
        HK_ASSERT_OK(journal_append(s, JOURNAL_DEVICE_FAULT, "{\"i\":1}", i, &seq));
        HK_ASSERT_INT(i + 1, seq);
    }
    HK_ASSERT_OK(store_commit(s));
    for(;;) {
        HK_ASSERT_OK(journal_read_after(s, after, 10, &ev, &n));
        if(n == 0)
            break;
        HK_ASSERT(n <= 10);
        for(i = 0; i < n; i++)
            HK_ASSERT_INT(after + 1 + i, ev[i].seq);
        after = ev[n - 1].seq;
        total += n;
        pages++;
        journal_events_free(ev, n);
    }
    HK_ASSERT(ev == NULL);
    HK_ASSERT_INT(25, total);
    HK_ASSERT_INT(3, pages);
    HK_ASSERT_OK(journal_read_after(s, 24, 10, &ev, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_INT(25, ev[0].seq);
    HK_ASSERT_INT(24, ev[0].wall_ms);
    HK_ASSERT_STR("{\"i\":1}", ev[0].body);
    journal_events_free(ev, n);
    HK_ASSERT_INT(HK_ERR_INVALID, journal_read_after(s, 0, 0, &ev, &n));
    journal_events_free(NULL, 0);
}

static void test_journal_cursors_move_forward_per_consumer_and_persist(void)
{
    int64_t v = -1;
    int i;

    HK_ASSERT_OK(journal_cursor_get(s, "central", &v));
    HK_ASSERT_INT(0, v);
    HK_ASSERT_OK(journal_cursor_set(s, "central", 0));                  /* nothing to move */
    HK_ASSERT_INT(HK_ERR_INVALID, journal_cursor_set(s, "central", 1)); /* no event 1 yet */
    for(i = 0; i < 5; i++)
        take("general", DAY0_MS + i * SEC);
    HK_ASSERT_OK(journal_cursor_set(s, "central", 3));
    HK_ASSERT_OK(journal_cursor_set(s, "hall-board", 5));
    HK_ASSERT_OK(journal_cursor_get(s, "central", &v));
    HK_ASSERT_INT(3, v);
    HK_ASSERT_INT(HK_ERR_INVALID, journal_cursor_set(s, "central", 2)); /* backwards */
    HK_ASSERT_OK(journal_cursor_set(s, "central", 3));                  /* same: fine */
    HK_ASSERT_INT(HK_ERR_INVALID, journal_cursor_set(s, "central", 6)); /* past the end */
    HK_ASSERT_INT(HK_ERR_INVALID, journal_cursor_set(s, "", 1));
    HK_ASSERT_OK(journal_cursor_get(s, "central", &v));
    HK_ASSERT_INT(3, v);
    reopen();
    HK_ASSERT_OK(journal_cursor_get(s, "central", &v));
    HK_ASSERT_INT(3, v);
    HK_ASSERT_OK(journal_cursor_get(s, "hall-board", &v));
    HK_ASSERT_INT(5, v);
    HK_ASSERT_OK(journal_cursor_get(s, "nobody", &v));
    HK_ASSERT_INT(0, v);
    HK_ASSERT_INT(HK_ERR_INVALID, journal_cursor_set(s, "hall-board", 4));
    HK_ASSERT_OK(journal_cursor_set(s, "central", 5));
}

static void test_journal_append_outside_a_transaction_is_refused(void)
{
    int64_t seq = -1;

    hk_log_set_stderr(false); /* the refusal is logged as an error */
    HK_ASSERT_INT(HK_ERR_INVALID, journal_append(s, JOURNAL_DEVICE_FAULT, "{}", 1, &seq));
    hk_log_set_stderr(true);
    HK_ASSERT_INT(-1, seq);
    HK_ASSERT_INT(0, last_seq());
    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_INT(HK_ERR_INVALID, journal_append(s, JOURNAL_TYPE_COUNT, "{}", 1, &seq));
    HK_ASSERT_INT(HK_ERR_INVALID, journal_append(s, JOURNAL_DEVICE_FAULT, NULL, 1, &seq));
    HK_ASSERT_OK(journal_append(s, JOURNAL_DEVICE_FAULT, "{}", 1, NULL));
    HK_ASSERT_OK(store_commit(s));
    HK_ASSERT_INT(1, last_seq());
}

static void test_journal_callers_rollback_removes_change_and_event(void)
{
    ticket_t a, b;
    int issued = -1;

    HK_ASSERT_OK(store_begin(s));
    a = take("general", DAY0_MS);
    HK_ASSERT_INT(1, last_seq()); /* visible inside the transaction */
    store_rollback(s);
    HK_ASSERT_INT(0, last_seq());
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &issued));
    HK_ASSERT_INT(0, issued);

    /* Nested: the inner take is undone with its event, the outer kept. */
    HK_ASSERT_OK(store_begin(s));
    a = take("general", DAY0_MS + SEC);
    HK_ASSERT_OK(store_begin(s));
    b = take("general", DAY0_MS + 2 * SEC);
    HK_ASSERT_STR("A002", b.number);
    store_rollback(s);
    HK_ASSERT_OK(store_commit(s));
    HK_ASSERT_STR("A001", a.number);
    HK_ASSERT_INT(1, last_seq());
    /* The undone event's seq is used by the next committed one: no gap. */
    b = take("general", DAY0_MS + 3 * SEC);
    HK_ASSERT_STR("A002", b.number);
    HK_ASSERT_INT(2, last_seq());
    HK_ASSERT_INT(2, check_agrees(s));

    /* A day's sweep inside a rolled-back transaction is redone later. */
    HK_ASSERT_OK(store_begin(s));
    take("general", DAY0_MS + DAY_MS);
    store_rollback(s);
    HK_ASSERT_OK(queue_get_ticket(q, a.id, &a));
    HK_ASSERT_INT(TICKET_WAITING, a.state);
    take("general", DAY0_MS + DAY_MS + SEC);
    HK_ASSERT_OK(queue_get_ticket(q, a.id, &a));
    HK_ASSERT_INT(TICKET_CANCELLED, a.state);
    HK_ASSERT_INT(5, check_agrees(s)); /* 2 issued, 2 cancelled, 1 issued */
}

static void test_journal_a_failing_write_leaves_neither_change_nor_event(void)
{
    ticket_t a, t;
    int issued = -1, n;
    bool open = false;

    a = take("general", DAY0_MS);
    n = check_agrees(s);
    hk_log_set_stderr(false); /* the failures below are logged */
    /* The event cannot be written: the change is undone with it. */
    HK_ASSERT_INT(SQLITE_OK, sqlite3_exec(store_db(s),
                                          "CREATE TEMP TRIGGER no_events BEFORE INSERT ON journal"
                                          " BEGIN SELECT RAISE(ABORT, 'test'); END",
                                          NULL, NULL, NULL));
    HK_ASSERT(queue_take_number(q, "general", DAY0_MS + SEC, &t) != HK_OK);
    HK_ASSERT(queue_call_next(q, "c1", DAY0_MS + 2 * SEC, &t) != HK_OK);
    HK_ASSERT(queue_counter_set_state(q, "c1", COUNTER_PAUSED, DAY0_MS + 3 * SEC) != HK_OK);
    HK_ASSERT(store_record_fault(s, DAY0_MS + 4 * SEC, "printer", "offline", "") != HK_OK);
    HK_ASSERT_INT(SQLITE_OK,
                  sqlite3_exec(store_db(s), "DROP TRIGGER temp.no_events", NULL, NULL, NULL));
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &issued));
    HK_ASSERT_INT(1, issued);
    HK_ASSERT_OK(queue_get_ticket(q, a.id, &t));
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    HK_ASSERT_OK(queue_counter_is_open(q, "c1", &open));
    HK_ASSERT(open);
    HK_ASSERT_INT(0, sql_int(s, "SELECT COUNT(*) FROM faults"));
    HK_ASSERT_INT(n, check_agrees(s));

    /* The change cannot be written: no event either. */
    HK_ASSERT_INT(SQLITE_OK, sqlite3_exec(store_db(s),
                                          "CREATE TEMP TRIGGER no_updates BEFORE UPDATE ON tickets"
                                          " BEGIN SELECT RAISE(ABORT, 'test'); END",
                                          NULL, NULL, NULL));
    HK_ASSERT(queue_call_next(q, "c1", DAY0_MS + 5 * SEC, &t) != HK_OK);
    HK_ASSERT(queue_cancel(q, a.id, DAY0_MS + 6 * SEC) != HK_OK);
    HK_ASSERT_INT(SQLITE_OK,
                  sqlite3_exec(store_db(s), "DROP TRIGGER temp.no_updates", NULL, NULL, NULL));
    hk_log_set_stderr(true);
    HK_ASSERT_INT(n, check_agrees(s));
    HK_ASSERT_OK(queue_call_next(q, "c1", DAY0_MS + 7 * SEC, &t));
    HK_ASSERT_INT(n + 1, check_agrees(s));
}

/* ---- every allocation failure ------------------------------------------ */

/* One step of the scenario: all or nothing, and how many events it adds. */
typedef struct step {
    const char *name;
    int events;
} step_t;

static const step_t steps[] = {
    { "queue_open", 0 }, { "take A", 1 },   { "take B", 1 },
    { "call next", 1 },  { "recall", 1 },   { "no-show put back", 1 },
    { "call A", 1 },     { "transfer", 1 }, { "pause c2", 1 },
    { "fault", 1 },      { "nested", 2 },   { "next day", 4 },
};
#define N_STEPS ((int)(sizeof(steps) / sizeof(steps[0])))

static ticket_t fi_a, fi_moved;

static hk_err_t run_step(int i)
{
    ticket_t t;
    hk_err_t rc;

    switch(i) {
    case 0: return queue_open(s, &cfg, &q);
    case 1: return queue_take_number(q, "general", DAY0_MS, &fi_a);
    case 2: return queue_take_number(q, "payment", DAY0_MS + SEC, &t);
    case 3: return queue_call_next(q, "c1", DAY0_MS + 2 * SEC, &t);
    case 4: return queue_recall(q, fi_a.id, DAY0_MS + 3 * SEC);
    case 5: return queue_no_show(q, fi_a.id, DAY0_MS + 4 * SEC, true);
    case 6: return queue_call_ticket(q, "c1", fi_a.id, DAY0_MS + 5 * SEC, &t);
    case 7: return queue_transfer(q, fi_a.id, "payment", DAY0_MS + 6 * SEC, &fi_moved);
    case 8: return queue_counter_set_state(q, "c2", COUNTER_PAUSED, DAY0_MS + 7 * SEC);
    case 9: return store_record_fault(s, DAY0_MS + 8 * SEC, "printer", "paper_out", "x");
    case 10:
        /* The caller's own transaction around two changes. */
        rc = store_begin(s);
        if(rc != HK_OK)
            return rc;
        rc = queue_take_number(q, "general", DAY0_MS + 9 * SEC, &t);
        if(rc == HK_OK)
            rc = store_record_fault(s, DAY0_MS + 9 * SEC, "printer", "offline", "");
        return store_end(s, rc);
    case 11:
        /* Sweeps B001, the moved A001 and A002 (waiting), issues A001. */
        return queue_take_number(q, "general", DAY0_MS + DAY_MS, &t);
    default: return HK_ERR_INVALID;
    }
}

static void copy_file(const char *from, const char *to)
{
    char buf[8192];
    size_t k;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");

    HK_ASSERT(in && out);
    while((k = fread(buf, 1, sizeof(buf), in)) > 0)
        HK_ASSERT(fwrite(buf, 1, k, out) == k);
    fclose(in);
    fclose(out);
}

static void test_journal_agrees_with_the_tables_under_every_allocation_failure(void)
{
    char tmpl[1024], path[1024], extra[1100];
    long n, live0;
    int failures = 0, expect_total = 0, i;

    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
    /* A closed, checkpointed v3 file to start each round from: the loop
     * injects into the scenario, store_open has its own loop. */
    (void)snprintf(tmpl, sizeof(tmpl), "%s", hk_test_path("tmpl.db"));
    (void)snprintf(path, sizeof(path), "%s", hk_test_path("fi.db"));
    HK_ASSERT_OK(store_open(tmpl, &s, &diag));
    store_close(s);
    s = NULL;
    for(i = 0; i < N_STEPS; i++)
        expect_total += steps[i].events;
    hk_log_set_stderr(false); /* injected failures are logged */
    live0 = hk_mem_live();
    for(n = 1; n < 100000; n += hk_test_fail_step()) {
        hk_err_t rc = HK_OK;
        long attempts;
        int done = 0, expect = 0, got;

        (void)snprintf(extra, sizeof(extra), "%s-wal", path);
        (void)unlink(extra);
        (void)snprintf(extra, sizeof(extra), "%s-shm", path);
        (void)unlink(extra);
        copy_file(tmpl, path);
        HK_ASSERT_OK(store_open(path, &s, &diag));
        hk_mem_fail_nth(n);
        for(i = 0; i < N_STEPS; i++) {
            rc = run_step(i);
            if(rc != HK_OK)
                break;
            expect += steps[i].events;
            done++;
        }
        attempts = hk_mem_attempts(); /* fail_nth(0) resets it */
        hk_mem_fail_nth(0);
        if(rc != HK_OK) {
            failures++;
            HK_ASSERT_MSG(rc == HK_ERR_NOMEM || rc == HK_ERR_IO, "N=%ld, %s: unexpected %s", n,
                          steps[done].name, hk_err_str(rc));
        }
        HK_ASSERT_MSG(store_tx_depth(s) == 0, "N=%ld: transaction left open", n);
        queue_destroy(q);
        q = NULL;
        store_close(s);
        s = NULL;
        HK_ASSERT_MSG(hk_mem_live() == live0, "N=%ld: %ld allocations leaked", n,
                      hk_mem_live() - live0);
        /* The file holds exactly the steps that said HK_OK, and the
         * journal agrees with the tables. */
        HK_ASSERT_OK(store_open(path, &s, &diag));
        HK_ASSERT_OK(store_integrity_check(s, &diag));
        got = check_agrees(s);
        HK_ASSERT_MSG(got == expect, "N=%ld: %d steps ok (failed in %s), %d events, want %d", n,
                      done, done < N_STEPS ? steps[done].name : "-", got, expect);
        store_close(s);
        s = NULL;
        if(rc == HK_OK && attempts < n) {
            HK_ASSERT_INT(expect_total, got);
            break;
        }
    }
    hk_log_set_stderr(true);
    HK_ASSERT_MSG(failures * hk_test_fail_step() > 50, "only %d failures exercised (every %ld)",
                  failures, hk_test_fail_step());
    printf("# journal fault injection: %ld points, %d failed cleanly\n", n, failures);
}

/* ---- a reader on another thread ---------------------------------------- */

#define READER_EVENTS 240

typedef struct reader {
    const char *path;
    int64_t start;   /* read events after this */
    int64_t want;    /* stop after seeing this seq */
    int64_t seen;    /* last seq seen */
    int reads;       /* non-empty reads */
    char error[160]; /* "" = fine */
} reader_t;

static void *reader_main(void *arg)
{
    reader_t *r = arg;
    store_t *rs = NULL;
    int idle = 0;

    if(store_open(r->path, &rs, NULL) != HK_OK) {
        (void)snprintf(r->error, sizeof(r->error), "reader: store_open failed");
        return NULL;
    }
    r->seen = r->start;
    while(r->seen < r->want && idle < 20000) {
        journal_event_t *ev = NULL;
        int n = 0, i;

        if(journal_read_after(rs, r->seen, 7, &ev, &n) != HK_OK) {
            (void)snprintf(r->error, sizeof(r->error), "reader: read failed after %lld",
                           (long long)r->seen);
            break;
        }
        for(i = 0; i < n; i++) {
            if(ev[i].seq != r->seen + 1) {
                (void)snprintf(r->error, sizeof(r->error), "reader: seq %lld after %lld",
                               (long long)ev[i].seq, (long long)r->seen);
                break;
            }
            r->seen = ev[i].seq;
        }
        journal_events_free(ev, n);
        if(r->error[0])
            break;
        if(n == 0) {
            idle++;
            (void)usleep(500);
        } else {
            idle = 0;
            r->reads++;
        }
    }
    store_close(rs);
    return NULL;
}

static void test_journal_reader_on_another_connection_sees_a_gap_free_sequence(void)
{
    reader_t r;
    pthread_t th;
    int i;

    for(i = 0; i < 3; i++)
        take("general", DAY0_MS + i * SEC);
    memset(&r, 0, sizeof(r));
    r.path = hk_test_path("j.db");
    r.start = last_seq(); /* N */
    r.want = r.start + READER_EVENTS;
    HK_ASSERT_INT(0, pthread_create(&th, NULL, reader_main, &r));
    /* Appends of every size: single changes and transactions of several. */
    for(i = 0; i < READER_EVENTS;) {
        if(i % 3 == 0 && READER_EVENTS - i >= 4) {
            int k;
            HK_ASSERT_OK(store_begin(s));
            for(k = 0; k < 4; k++)
                HK_ASSERT_OK(journal_append(s, JOURNAL_DEVICE_FAULT, "{}", i + k, NULL));
            HK_ASSERT_OK(store_commit(s));
            i += 4;
        } else {
            take(i % 2 ? "payment" : "general", DAY0_MS + (10 + i) * SEC);
            i++;
        }
    }
    HK_ASSERT_INT(0, pthread_join(th, NULL));
    HK_ASSERT_MSG(r.error[0] == '\0', "%s", r.error);
    HK_ASSERT_INT(r.want, r.seen);
    printf("# reader: %lld events in %d reads\n", (long long)(r.seen - r.start), r.reads);
}

int main(void)
{
    HK_RUN(test_journal_seqs_are_gap_free_and_uuids_unique_v4);
    HK_RUN(test_journal_is_append_only);
    HK_RUN(test_journal_type_names_round_trip);
    HK_RUN(test_journal_every_mutator_writes_its_event);
    HK_RUN(test_journal_body_is_valid_json_when_cut);
    HK_RUN(test_journal_read_after_pages_through_the_log);
    HK_RUN(test_journal_cursors_move_forward_per_consumer_and_persist);
    HK_RUN(test_journal_append_outside_a_transaction_is_refused);
    HK_RUN(test_journal_callers_rollback_removes_change_and_event);
    HK_RUN(test_journal_a_failing_write_leaves_neither_change_nor_event);
    HK_RUN(test_journal_agrees_with_the_tables_under_every_allocation_failure);
    HK_RUN(test_journal_reader_on_another_connection_sees_a_gap_free_sequence);
    return hk_test_end();
}
