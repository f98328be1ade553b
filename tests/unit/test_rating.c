/*
 * test_rating: on-the-spot rating over a real SQLite file. A vote is stored
 * with its visit (ticket, number, counter, staff, service, times, source)
 * and its journal event; low levels are flagged for follow-up; only a
 * finished visit is rated, at the counter only within the window, at the
 * kiosk only the same business day; one vote per visit, a repeated press
 * returns the first result; the sweep records "not rated" once; a caller's
 * rollback takes rating and event together; and ratings and journal agree
 * under every allocation failure.
 *
 * Includes store_private.h (core-only): the checks read the tables with
 * raw SQL.
 */
#include <cjson/cJSON.h>
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
#include "store_private.h" /* test only: raw SQL on the store's handle */

#define RATING_JSON                                                                               \
    "{\"branch\":{\"id\":\"r\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},\"utc_offset_min\":480," \
    "\"services\":["                                                                              \
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"},"             \
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"P\"}],"            \
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\",\"payment\"]},"          \
    "{\"id\":\"c2\",\"number\":2,\"services\":[\"payment\"]},"                                    \
    "{\"id\":\"c3\",\"number\":3,\"services\":[\"general\"]}]}"

#define DAY0_MS 1710122400000LL /* 2024-03-11 10:00 at UTC+8 */
#define DAY_MS  86400000LL
#define SEC     1000
#define WIN     RATING_WINDOW_S_DEFAULT

static store_t *s;
static queue_t *q;
static rating_t *rt;
static config_t cfg;
static hk_diag_t diag;

void setUp(void)
{
    int d, i;

    s = NULL;
    q = NULL;
    rt = NULL;
    HK_ASSERT_OK(config_parse(RATING_JSON, strlen(RATING_JSON), &cfg, &diag));
    for(d = 0; d < 7; d++) {
        cfg.hours.day[d].open_min = 0;
        cfg.hours.day[d].close_min = 1440;
        for(i = 0; i < cfg.n_services; i++)
            cfg.services[i].hours = cfg.hours;
    }
    HK_ASSERT_OK(store_open(hk_test_path("r.db"), &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
    HK_ASSERT_OK(rating_open(s, &cfg, &rt));
}

void tearDown(void)
{
    rating_destroy(rt);
    rt = NULL;
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
    hk_log_set_stderr(true);
}

static void reopen(void)
{
    tearDown();
    HK_ASSERT_OK(store_open(hk_test_path("r.db"), &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
    HK_ASSERT_OK(rating_open(s, &cfg, &rt));
}

/* A visit to service at counter, issued at t, finished at t + 60 s. */
static ticket_t visit(const char *service, const char *counter, int64_t t)
{
    ticket_t tk, called;

    HK_ASSERT_OK(queue_take_number(q, service, t, &tk));
    HK_ASSERT_OK(queue_call_ticket(q, counter, tk.id, t + 10 * SEC, &called));
    HK_ASSERT_OK(queue_start_serving(q, tk.id, t + 20 * SEC));
    HK_ASSERT_OK(queue_finish(q, tk.id, t + 60 * SEC));
    HK_ASSERT_OK(queue_get_ticket(q, tk.id, &tk));
    return tk;
}

static rating_vote_t vote(rating_level_t level, unsigned reasons, unsigned praise)
{
    rating_vote_t v;

    v.level = level;
    v.reasons = reasons;
    v.praise = praise;
    return v;
}

static hk_err_t rate(int64_t id, rating_level_t level, unsigned reasons, unsigned praise,
                     rating_source_t src, int64_t now, rating_record_t *out)
{
    rating_vote_t v = vote(level, reasons, praise);

    return rating_rate(rt, id, &v, src, WIN, now, out);
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

/*
 * Ratings and journal agree: seqs gap-free; a voted row has exactly one
 * visit.rated carrying its level and none visit.not_rated beyond one; a
 * not-rated row exactly one visit.not_rated and no visit.rated; every
 * visit event names a row; every row's ticket is done. Returns the number
 * of visit.* events.
 */
static int check_agrees(store_t *st)
{
    HK_ASSERT_INT(sql_int(st, "SELECT COUNT(*) FROM journal"),
                  sql_int(st, "SELECT IFNULL(MAX(seq), 0) FROM journal"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM ratings r WHERE r.level > 0 AND"
                                 " (SELECT COUNT(*) FROM journal j WHERE j.type = 'visit.rated'"
                                 " AND json_extract(j.body, '$.ticket') = r.ticket_id"
                                 " AND json_extract(j.body, '$.level') = r.level) <> 1"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM ratings r WHERE r.level = 0 AND"
                                 " ((SELECT COUNT(*) FROM journal j WHERE j.type ="
                                 " 'visit.not_rated' AND json_extract(j.body, '$.ticket') ="
                                 " r.ticket_id) <> 1 OR (SELECT COUNT(*) FROM journal j WHERE"
                                 " j.type = 'visit.rated' AND json_extract(j.body, '$.ticket') ="
                                 " r.ticket_id) <> 0)"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM ratings r WHERE r.level > 0 AND"
                                 " (SELECT COUNT(*) FROM journal j WHERE j.type ="
                                 " 'visit.not_rated' AND json_extract(j.body, '$.ticket') ="
                                 " r.ticket_id) > 1"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM journal j WHERE j.type LIKE 'visit.%' AND"
                                 " NOT EXISTS (SELECT 1 FROM ratings r"
                                 " WHERE r.ticket_id = json_extract(j.body, '$.ticket'))"));
    HK_ASSERT_INT(0, sql_int(st, "SELECT COUNT(*) FROM ratings r JOIN tickets t"
                                 " ON t.id = r.ticket_id WHERE t.state <> 3"));
    return sql_int(st, "SELECT COUNT(*) FROM journal WHERE type LIKE 'visit.%'");
}

static cJSON *last_body(journal_type_t want)
{
    journal_event_t *ev = NULL;
    cJSON *j;
    int n = 0;

    HK_ASSERT_OK(journal_read_after(s, last_seq() - 1, 1, &ev, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_MSG(ev[0].type == want, "last event %s, want %s", journal_type_str(ev[0].type),
                  journal_type_str(want));
    j = cJSON_Parse(ev[0].body);
    journal_events_free(ev, n);
    HK_ASSERT(j && cJSON_IsObject(j));
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

static bool jtrue(cJSON *j, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, key));
}

static void test_rating_counter_vote_is_stored_with_the_visit_and_journaled(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS);
    rating_record_t rec, got;
    cJSON *j;

    memset(&rec, 0, sizeof(rec));
    HK_ASSERT_OK(rate(a.id, RATING_VERY_SATISFIED, 0, RATING_PRAISE_ATTITUDE | RATING_PRAISE_OTHER,
                      RATING_SOURCE_COUNTER, a.finished_ms + 5 * SEC, &rec));
    HK_ASSERT_INT(a.id, rec.ticket_id);
    HK_ASSERT_STR("2024-03-11", rec.day);
    HK_ASSERT_STR("A001", rec.number);
    HK_ASSERT_STR("general", rec.service_id);
    HK_ASSERT_STR("c1", rec.counter_id);
    HK_ASSERT_STR("", rec.staff_id);
    HK_ASSERT_INT(a.finished_ms, rec.finished_ms);
    HK_ASSERT_INT(RATING_VERY_SATISFIED, rec.level);
    HK_ASSERT_INT(0, rec.reasons);
    HK_ASSERT_INT(RATING_PRAISE_ATTITUDE | RATING_PRAISE_OTHER, rec.praise);
    HK_ASSERT_INT(RATING_SOURCE_COUNTER, rec.source);
    HK_ASSERT_INT(a.finished_ms + 5 * SEC, rec.rated_ms);
    HK_ASSERT(!rec.follow_up);

    j = last_body(JOURNAL_VISIT_RATED);
    HK_ASSERT_INT(a.id, jint(j, "ticket"));
    HK_ASSERT_STR("A001", jstr(j, "number"));
    HK_ASSERT_STR("2024-03-11", jstr(j, "day"));
    HK_ASSERT_STR("general", jstr(j, "service"));
    HK_ASSERT_STR("c1", jstr(j, "counter"));
    HK_ASSERT_STR("", jstr(j, "staff"));
    HK_ASSERT_INT(a.finished_ms, jint(j, "finished_ms"));
    HK_ASSERT_INT(5, jint(j, "level"));
    HK_ASSERT_STR("very_satisfied", jstr(j, "level_name"));
    HK_ASSERT_INT(0, jint(j, "reasons"));
    HK_ASSERT_INT(RATING_PRAISE_ATTITUDE | RATING_PRAISE_OTHER, jint(j, "praise"));
    HK_ASSERT_STR("counter", jstr(j, "source"));
    HK_ASSERT(!jtrue(j, "follow_up"));
    cJSON_Delete(j);

    /* Durable: the same record after a reopen. */
    reopen();
    HK_ASSERT_OK(rating_get(rt, a.id, &got));
    HK_ASSERT(memcmp(&rec, &got, sizeof(rec)) == 0);
    HK_ASSERT_INT(1, check_agrees(s));
}

static void test_rating_low_levels_are_flagged_for_follow_up(void)
{
    static const struct {
        rating_level_t level;
        unsigned reasons, praise;
        bool follow_up;
    } cases[] = {
        { RATING_VERY_DISSATISFIED, RATING_REASON_ATTITUDE | RATING_REASON_EFFICIENCY, 0, true },
        { RATING_DISSATISFIED, RATING_REASON_COMPETENCE, 0, true },
        { RATING_DISSATISFIED, 0, 0, true }, /* chips are optional in core */
        { RATING_BASIC, RATING_REASON_OTHER, 0, false },
        { RATING_SATISFIED, 0, RATING_PRAISE_EFFICIENCY, false },
        { RATING_VERY_SATISFIED, 0, 0, false },
    };
    const int n = (int)(sizeof(cases) / sizeof(cases[0]));
    int i, count = -1;

    for(i = 0; i < n; i++) {
        ticket_t t = visit("general", "c1", DAY0_MS + i * 100 * SEC);
        rating_record_t rec;
        cJSON *j;

        HK_ASSERT_OK(rate(t.id, cases[i].level, cases[i].reasons, cases[i].praise,
                          RATING_SOURCE_COUNTER, t.finished_ms + SEC, &rec));
        HK_ASSERT_INT(cases[i].follow_up, rec.follow_up);
        HK_ASSERT_INT(cases[i].follow_up, rating_level_needs_follow_up(cases[i].level));
        HK_ASSERT_INT(cases[i].reasons, rec.reasons);
        j = last_body(JOURNAL_VISIT_RATED);
        HK_ASSERT_INT(cases[i].follow_up, jtrue(j, "follow_up"));
        HK_ASSERT_INT(cases[i].reasons, jint(j, "reasons"));
        HK_ASSERT_STR(rating_level_str(cases[i].level), jstr(j, "level_name"));
        cJSON_Delete(j);
    }
    HK_ASSERT_OK(rating_follow_up_count(rt, "2024-03-11", &count));
    HK_ASSERT_INT(3, count);
    HK_ASSERT_OK(rating_follow_up_count(rt, "2024-03-12", &count));
    HK_ASSERT_INT(0, count);
    HK_ASSERT_INT(3, sql_int(s, "SELECT COUNT(*) FROM ratings WHERE follow_up = 1"));
    HK_ASSERT_INT(n, check_agrees(s));
}

static void test_rating_only_a_finished_visit_can_be_rated(void)
{
    ticket_t waiting, called, serving, noshow, cancelled, moved, t;
    int64_t now = DAY0_MS + 500 * SEC, before;
    rating_record_t rec;
    int i;

    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 100 * SEC, &waiting));
    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 101 * SEC, &called));
    HK_ASSERT_OK(queue_call_ticket(q, "c1", called.id, DAY0_MS + 102 * SEC, &called));
    HK_ASSERT_OK(queue_take_number(q, "payment", DAY0_MS + 103 * SEC, &serving));
    HK_ASSERT_OK(queue_call_ticket(q, "c2", serving.id, DAY0_MS + 104 * SEC, &serving));
    HK_ASSERT_OK(queue_start_serving(q, serving.id, DAY0_MS + 105 * SEC));
    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 106 * SEC, &noshow));
    HK_ASSERT_OK(queue_call_ticket(q, "c3", noshow.id, DAY0_MS + 107 * SEC, &noshow));
    HK_ASSERT_OK(queue_no_show(q, noshow.id, DAY0_MS + 108 * SEC, false));
    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 109 * SEC, &cancelled));
    HK_ASSERT_OK(queue_cancel(q, cancelled.id, DAY0_MS + 110 * SEC));
    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 111 * SEC, &t));
    HK_ASSERT_OK(queue_call_ticket(q, "c3", t.id, DAY0_MS + 112 * SEC, &t));
    HK_ASSERT_OK(queue_transfer(q, t.id, "payment", DAY0_MS + 113 * SEC, &moved));

    before = last_seq();
    {
        /* t: the transferred leg is not the visit; moved: the new leg is
         * not finished. Refused from either source. */
        const int64_t ids[] = { waiting.id,   called.id, noshow.id, serving.id,
                                cancelled.id, t.id,      moved.id };
        for(i = 0; i < (int)(sizeof(ids) / sizeof(ids[0])); i++) {
            rating_source_t src = i % 2 ? RATING_SOURCE_KIOSK : RATING_SOURCE_COUNTER;
            HK_ASSERT_MSG(rate(ids[i], RATING_SATISFIED, 0, 0, src, now, &rec) == HK_ERR_INVALID,
                          "ticket %d", i);
        }
    }
    HK_ASSERT_INT(HK_ERR_NOT_FOUND,
                  rate(9999, RATING_SATISFIED, 0, 0, RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(before, last_seq());
    HK_ASSERT_INT(0, sql_int(s, "SELECT COUNT(*) FROM ratings"));
    HK_ASSERT_INT(0, check_agrees(s));
}

static void test_rating_counter_accepts_a_vote_only_within_the_window(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS), b = visit("general", "c1", DAY0_MS + SEC);
    ticket_t c = visit("payment", "c2", DAY0_MS + 2 * SEC);
    rating_vote_t v = vote(RATING_SATISFIED, 0, 0);
    rating_record_t rec;

    /* The boundary itself is inside; one ms later is not. */
    HK_ASSERT_INT(HK_ERR_INVALID, rate(a.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_COUNTER,
                                       a.finished_ms + WIN * SEC + 1, &rec));
    HK_ASSERT_OK(
        rate(a.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_COUNTER, a.finished_ms + WIN * SEC, &rec));
    /* window_s is the caller's: a 10 s window closes at 10 s. */
    HK_ASSERT_INT(HK_ERR_INVALID, rating_rate(rt, b.id, &v, RATING_SOURCE_COUNTER, 10,
                                              b.finished_ms + 10 * SEC + 1, &rec));
    HK_ASSERT_OK(
        rating_rate(rt, b.id, &v, RATING_SOURCE_COUNTER, 10, b.finished_ms + 10 * SEC, &rec));
    /* A long window is the caller's too. */
    HK_ASSERT_OK(
        rating_rate(rt, c.id, &v, RATING_SOURCE_COUNTER, 600, c.finished_ms + 599 * SEC, &rec));
    HK_ASSERT_INT(3, check_agrees(s));
}

static void test_rating_one_vote_per_visit_and_a_repeated_press_returns_the_first(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS);
    rating_record_t first, again, got;
    int64_t seq;

    HK_ASSERT_OK(rate(a.id, RATING_DISSATISFIED, RATING_REASON_EFFICIENCY, 0, RATING_SOURCE_COUNTER,
                      a.finished_ms + SEC, &first));
    seq = last_seq();
    /* The same vote again (a double tap), even after the window: the first
     * result, nothing written. */
    memset(&again, 0x5a, sizeof(again));
    HK_ASSERT_OK(rate(a.id, RATING_DISSATISFIED, RATING_REASON_EFFICIENCY, 0, RATING_SOURCE_COUNTER,
                      a.finished_ms + 2 * SEC, &again));
    HK_ASSERT(memcmp(&first, &again, sizeof(first)) == 0);
    HK_ASSERT_OK(rate(a.id, RATING_DISSATISFIED, RATING_REASON_EFFICIENCY, 0, RATING_SOURCE_COUNTER,
                      a.finished_ms + 10 * WIN * SEC, &again));
    HK_ASSERT_INT(first.rated_ms, again.rated_ms);
    HK_ASSERT_INT(seq, last_seq());
    /* Another vote is a second one: refused, nothing changes, from either
     * source, other chips included. */
    memset(&again, 0x5a, sizeof(again));
    HK_ASSERT_INT(HK_ERR_BUSY, rate(a.id, RATING_VERY_SATISFIED, 0, 0, RATING_SOURCE_COUNTER,
                                    a.finished_ms + 3 * SEC, &again));
    HK_ASSERT_INT(0x5a, ((unsigned char *)&again)[0]); /* *out untouched */
    HK_ASSERT_INT(HK_ERR_BUSY, rate(a.id, RATING_DISSATISFIED, RATING_REASON_ATTITUDE, 0,
                                    RATING_SOURCE_COUNTER, a.finished_ms + 4 * SEC, &again));
    HK_ASSERT_INT(HK_ERR_BUSY, rate(a.id, RATING_BASIC, 0, 0, RATING_SOURCE_KIOSK,
                                    a.finished_ms + 5 * SEC, &again));
    HK_ASSERT_INT(seq, last_seq());
    HK_ASSERT_OK(rating_get(rt, a.id, &got));
    HK_ASSERT(memcmp(&first, &got, sizeof(first)) == 0);
    HK_ASSERT_INT(1, check_agrees(s));
}

static void test_rating_bad_votes_are_refused(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS);
    rating_vote_t v = vote(RATING_SATISFIED, 0, 0);
    int64_t now = a.finished_ms + SEC;
    rating_record_t rec;

    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, RATING_NOT_RATED, 0, 0, RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, (rating_level_t)6, 0, 0, RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, (rating_level_t)-1, 0, 0, RATING_SOURCE_COUNTER, now, &rec));
    /* reasons are what fell short (1..3), praise what went well (4..5) */
    HK_ASSERT_INT(HK_ERR_INVALID, rate(a.id, RATING_SATISFIED, RATING_REASON_ATTITUDE, 0,
                                       RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID, rate(a.id, RATING_BASIC, 0, RATING_PRAISE_ATTITUDE,
                                       RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, RATING_VERY_DISSATISFIED, 0x10, 0, RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, RATING_VERY_SATISFIED, 0, 0x20, RATING_SOURCE_COUNTER, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, RATING_SATISFIED, 0, 0, (rating_source_t)2, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID, rating_rate(rt, a.id, &v, RATING_SOURCE_COUNTER, 0, now, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rating_rate(rt, a.id, NULL, RATING_SOURCE_COUNTER, WIN, now, &rec));
    HK_ASSERT_INT(0, sql_int(s, "SELECT COUNT(*) FROM ratings"));
    HK_ASSERT_OK(rating_rate(rt, a.id, &v, RATING_SOURCE_COUNTER, WIN, now, NULL));
}

static void test_rating_sweep_records_not_rated_once_the_window_passed(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS);             /* finishes at +60 s */
    ticket_t b = visit("general", "c1", DAY0_MS + 30 * SEC);  /* +90 s */
    ticket_t c = visit("payment", "c2", DAY0_MS + 200 * SEC); /* +260 s, rated */
    ticket_t d = visit("general", "c1", DAY0_MS + 300 * SEC); /* +360 s, still open */
    ticket_t w;
    rating_record_t rec;
    int n = -1;
    cJSON *j;

    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 301 * SEC, &w)); /* not finished */
    HK_ASSERT_OK(
        rate(c.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_COUNTER, c.finished_ms + SEC, NULL));
    /* At a's window end nothing has passed yet. */
    HK_ASSERT_OK(rating_expire(rt, WIN, a.finished_ms + WIN * SEC, &n));
    HK_ASSERT_INT(0, n);
    /* 1 ms later a has; b and d have not. */
    HK_ASSERT_OK(rating_expire(rt, WIN, a.finished_ms + WIN * SEC + 1, &n));
    HK_ASSERT_INT(1, n);
    j = last_body(JOURNAL_VISIT_NOT_RATED);
    HK_ASSERT_INT(a.id, jint(j, "ticket"));
    HK_ASSERT_INT(0, jint(j, "level"));
    HK_ASSERT_STR("not_rated", jstr(j, "level_name"));
    HK_ASSERT_STR("counter", jstr(j, "source"));
    HK_ASSERT(!jtrue(j, "follow_up"));
    cJSON_Delete(j);
    HK_ASSERT_OK(rating_get(rt, a.id, &rec));
    HK_ASSERT_INT(RATING_NOT_RATED, rec.level);
    HK_ASSERT_INT(a.finished_ms + WIN * SEC + 1, rec.rated_ms);
    /* The counter cannot vote on it any more. */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(a.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_COUNTER, rec.rated_ms, NULL));
    /* Much later: b and d; c keeps its vote, the waiting ticket is not a
     * visit; a second sweep at the same time marks nothing. */
    HK_ASSERT_OK(rating_expire(rt, WIN, DAY0_MS + 3600 * SEC, &n));
    HK_ASSERT_INT(2, n);
    HK_ASSERT_OK(rating_expire(rt, WIN, DAY0_MS + 3600 * SEC, &n));
    HK_ASSERT_INT(0, n);
    HK_ASSERT_OK(rating_get(rt, c.id, &rec));
    HK_ASSERT_INT(RATING_SATISFIED, rec.level);
    HK_ASSERT_OK(rating_get(rt, d.id, &rec));
    HK_ASSERT_INT(RATING_NOT_RATED, rec.level);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, rating_get(rt, w.id, &rec));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, rating_get(rt, b.id + 1000, &rec));
    HK_ASSERT_INT(3, sql_int(s, "SELECT COUNT(*) FROM ratings WHERE level = 0"));
    HK_ASSERT_INT(4, check_agrees(s));
    (void)b;
}

static void test_rating_sweep_looks_back_one_business_day(void)
{
    ticket_t old = visit("general", "c1", DAY0_MS - 2 * DAY_MS);
    ticket_t yday = visit("general", "c1", DAY0_MS - DAY_MS);
    rating_record_t rec;
    int n = -1;

    HK_ASSERT_OK(rating_expire(rt, WIN, DAY0_MS, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_OK(rating_get(rt, yday.id, &rec));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, rating_get(rt, old.id, &rec));
    HK_ASSERT_INT(1, check_agrees(s));
}

static void test_rating_kiosk_rates_a_finished_unrated_visit_of_today_by_number(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS), b = visit("general", "c1", DAY0_MS + SEC);
    ticket_t t, moved, w, yday;
    int64_t id = -1, later = DAY0_MS + 6 * 3600 * SEC; /* 16:00, same day */
    rating_record_t rec;
    int n = -1;

    /* Yesterday's visit, A001 of 2024-03-10. */
    yday = visit("general", "c1", DAY0_MS - DAY_MS);
    /* A transferred visit finishes on its second leg: its number names it. */
    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 2 * SEC, &t));
    HK_ASSERT_OK(queue_call_ticket(q, "c1", t.id, DAY0_MS + 3 * SEC, &t));
    HK_ASSERT_OK(queue_transfer(q, t.id, "payment", DAY0_MS + 4 * SEC, &moved));
    HK_ASSERT_OK(queue_call_ticket(q, "c2", moved.id, DAY0_MS + 5 * SEC, &moved));
    HK_ASSERT_OK(queue_finish(q, moved.id, DAY0_MS + 6 * SEC));
    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + 7 * SEC, &w)); /* waits */

    /* The counter window passed: the sweep recorded a as not rated. */
    HK_ASSERT_OK(rating_expire(rt, WIN, later, &n));
    HK_ASSERT_INT(4, n); /* a, b, the moved visit, and yesterday's */

    HK_ASSERT_OK(rating_find_visit(rt, NULL, a.number, later, &id));
    HK_ASSERT_INT(a.id, id);
    HK_ASSERT_OK(rating_find_visit(rt, "", a.number, later, &id));
    HK_ASSERT_INT(a.id, id);
    HK_ASSERT_OK(rating_find_visit(rt, "2024-03-10", "A001", later, &id));
    HK_ASSERT_INT(yday.id, id);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, rating_find_visit(rt, NULL, "Z999", later, &id));
    HK_ASSERT_OK(rating_find_visit(rt, NULL, t.number, later, &id));
    HK_ASSERT_INT(moved.id, id);

    /* Later at the kiosk: a not-rated visit of today takes its vote once. */
    HK_ASSERT_OK(rate(a.id, RATING_DISSATISFIED, RATING_REASON_ATTITUDE, 0, RATING_SOURCE_KIOSK,
                      later, &rec));
    HK_ASSERT_INT(RATING_DISSATISFIED, rec.level);
    HK_ASSERT_INT(RATING_SOURCE_KIOSK, rec.source);
    HK_ASSERT(rec.follow_up);
    HK_ASSERT_INT(later, rec.rated_ms);
    HK_ASSERT_INT(HK_ERR_BUSY,
                  rate(a.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_KIOSK, later + SEC, &rec));
    HK_ASSERT_OK(rate(moved.id, RATING_VERY_SATISFIED, 0, 0, RATING_SOURCE_KIOSK, later, &rec));
    HK_ASSERT_STR("payment", rec.service_id);
    HK_ASSERT_STR("c2", rec.counter_id);
    /* Not finished, or not today: refused. */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(w.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_KIOSK, later, &rec));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(yday.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_KIOSK, later, &rec));
    /* The next business day, a (and b) are yesterday's. */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  rate(b.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_KIOSK, DAY0_MS + DAY_MS, &rec));
    HK_ASSERT_OK(rate(b.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_KIOSK, later, &rec));
    HK_ASSERT_INT(4 + 3, check_agrees(s));
    HK_ASSERT_INT(3, sql_int(s, "SELECT COUNT(*) FROM ratings WHERE source = 1"));
}

static void test_rating_status_tells_a_screen_what_is_allowed(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS), w;
    rating_status_t st = RATING_STATUS_OPEN;
    rating_record_t rec;

    HK_ASSERT_OK(queue_take_number(q, "general", DAY0_MS + SEC, &w));
    HK_ASSERT_OK(rating_status(rt, a.id, RATING_SOURCE_COUNTER, WIN, a.finished_ms, &st, &rec));
    HK_ASSERT_INT(RATING_STATUS_OPEN, st);
    HK_ASSERT_STR("A001", rec.number);
    HK_ASSERT_STR("c1", rec.counter_id);
    HK_ASSERT_INT(RATING_NOT_RATED, rec.level);
    HK_ASSERT_INT(0, rec.rated_ms);
    HK_ASSERT_OK(rating_status(rt, a.id, RATING_SOURCE_COUNTER, WIN, a.finished_ms + WIN * SEC + 1,
                               &st, NULL));
    HK_ASSERT_INT(RATING_STATUS_CLOSED, st);
    HK_ASSERT_OK(
        rating_status(rt, a.id, RATING_SOURCE_KIOSK, WIN, a.finished_ms + 3600 * SEC, &st, NULL));
    HK_ASSERT_INT(RATING_STATUS_OPEN, st);
    HK_ASSERT_OK(
        rating_status(rt, a.id, RATING_SOURCE_KIOSK, WIN, a.finished_ms + DAY_MS, &st, NULL));
    HK_ASSERT_INT(RATING_STATUS_CLOSED, st);
    HK_ASSERT_OK(rating_status(rt, w.id, RATING_SOURCE_KIOSK, WIN, a.finished_ms, &st, NULL));
    HK_ASSERT_INT(RATING_STATUS_NOT_FINISHED, st);
    HK_ASSERT_OK(rate(a.id, RATING_BASIC, 0, 0, RATING_SOURCE_COUNTER, a.finished_ms + SEC, NULL));
    HK_ASSERT_OK(
        rating_status(rt, a.id, RATING_SOURCE_KIOSK, WIN, a.finished_ms + 2 * SEC, &st, &rec));
    HK_ASSERT_INT(RATING_STATUS_RATED, st);
    HK_ASSERT_INT(RATING_BASIC, rec.level);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND,
                  rating_status(rt, 4242, RATING_SOURCE_KIOSK, WIN, a.finished_ms, &st, NULL));
    HK_ASSERT_STR("open", rating_status_str(RATING_STATUS_OPEN));
    HK_ASSERT_STR("closed", rating_status_str(RATING_STATUS_CLOSED));
    HK_ASSERT_STR("unknown", rating_status_str((rating_status_t)9));
    HK_ASSERT_STR("kiosk", rating_source_str(RATING_SOURCE_KIOSK));
    HK_ASSERT_STR("unknown", rating_source_str((rating_source_t)2));
    HK_ASSERT_STR("very_dissatisfied", rating_level_str(RATING_VERY_DISSATISFIED));
    HK_ASSERT_STR("unknown", rating_level_str((rating_level_t)6));
}

static void test_rating_callers_rollback_removes_rating_and_event(void)
{
    ticket_t a = visit("general", "c1", DAY0_MS);
    int64_t seq = last_seq();
    rating_record_t rec;

    HK_ASSERT_OK(store_begin(s));
    HK_ASSERT_OK(
        rate(a.id, RATING_SATISFIED, 0, 0, RATING_SOURCE_COUNTER, a.finished_ms + SEC, &rec));
    HK_ASSERT_INT(1, store_tx_depth(s));
    store_rollback(s);
    HK_ASSERT_INT(seq, last_seq());
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, rating_get(rt, a.id, &rec));
    /* The visit can still be rated: nothing was stored. */
    HK_ASSERT_OK(rate(a.id, RATING_VERY_SATISFIED, 0, 0, RATING_SOURCE_COUNTER,
                      a.finished_ms + 2 * SEC, &rec));
    HK_ASSERT_INT(1, check_agrees(s));
}

static void test_rating_needs_the_latest_schema(void)
{
    rating_t *old = (rating_t *)&diag;
    store_t *v3 = NULL;

    HK_ASSERT_OK(store_open_at_version(hk_test_path("v3.db"), 3, &v3, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, rating_open(v3, &cfg, &old));
    HK_ASSERT(old == NULL);
    store_close(v3);
}

/* ---- every allocation failure ------------------------------------------ */

/* One step of the scenario: all or nothing, and how many visit events it
 * adds when it succeeds. */
typedef struct step {
    const char *name;
    int events;
} step_t;

static const step_t steps[] = {
    { "rating_open", 0 },
    { "rate A at the counter", 1 },
    { "press A again", 0 },
    { "second vote on A", 0 },
    { "sweep", 2 },
    { "find C", 0 },
    { "rate C at kiosk", 1 },
    { "status B", 0 },
    { "nested: rate D + fault", 1 },
    { "sweep next day", 0 },
};
#define N_STEPS ((int)(sizeof(steps) / sizeof(steps[0])))

/* Visits prepared before the loop: A..D finished, ids fixed. */
static ticket_t fa, fb, fc, fd;

static hk_err_t run_step(int i)
{
    rating_vote_t v = vote(RATING_VERY_DISSATISFIED, RATING_REASON_ATTITUDE, 0);
    rating_vote_t k = vote(RATING_SATISFIED, 0, RATING_PRAISE_COMPETENCE);
    rating_status_t st;
    rating_record_t rec;
    int64_t id = 0, late = fd.finished_ms + 2 * WIN * SEC;
    hk_err_t rc;
    int n = 0;

    switch(i) {
    case 0: return rating_open(s, &cfg, &rt);
    case 1: return rating_rate(rt, fa.id, &v, RATING_SOURCE_COUNTER, WIN, fa.finished_ms, &rec);
    case 2: return rating_rate(rt, fa.id, &v, RATING_SOURCE_COUNTER, WIN, late, &rec);
    case 3:
        /* A refusal is the expected outcome: the step succeeds when the
         * call says BUSY and fails when memory ran out first. */
        rc = rating_rate(rt, fa.id, &k, RATING_SOURCE_COUNTER, WIN, fa.finished_ms, &rec);
        return rc == HK_ERR_BUSY ? HK_OK : (rc == HK_OK ? HK_ERR_INVALID : rc);
    case 4:
        /* B and C pass their windows; D was finished later and has not. */
        rc = rating_expire(rt, WIN, fc.finished_ms + WIN * SEC + 1, &n);
        return rc == HK_OK && n != 2 ? HK_ERR_INVALID : rc;
    case 5: return rating_find_visit(rt, NULL, fc.number, late, &id);
    case 6: return rating_rate(rt, fc.id, &k, RATING_SOURCE_KIOSK, WIN, late, &rec);
    case 7:
        rc = rating_status(rt, fb.id, RATING_SOURCE_COUNTER, WIN, late, &st, &rec);
        return rc == HK_OK && st != RATING_STATUS_CLOSED ? HK_ERR_INVALID : rc;
    case 8:
        /* The caller's own transaction around a vote and another change. */
        rc = store_begin(s);
        if(rc != HK_OK)
            return rc;
        rc = rating_rate(rt, fd.id, &k, RATING_SOURCE_COUNTER, WIN, fd.finished_ms + SEC, &rec);
        if(rc == HK_OK)
            rc = store_record_fault(s, fd.finished_ms + SEC, "printer", "offline", "");
        return store_end(s, rc);
    case 9:
        /* Everything has an outcome: nothing to mark. */
        rc = rating_expire(rt, WIN, DAY0_MS + DAY_MS, &n);
        return rc == HK_OK && n != 0 ? HK_ERR_INVALID : rc;
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

static void test_rating_agrees_with_the_journal_under_every_allocation_failure(void)
{
    char tmpl[1024], path[1024], extra[1100];
    long n, live0;
    int failures = 0, expect_total = 0, base, i;

    /* A closed, checkpointed file with four finished visits to start each
     * round from: the loop injects into the rating scenario only. */
    rating_destroy(rt);
    rt = NULL;
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
    (void)snprintf(tmpl, sizeof(tmpl), "%s", hk_test_path("tmpl.db"));
    (void)snprintf(path, sizeof(path), "%s", hk_test_path("fi.db"));
    HK_ASSERT_OK(store_open(tmpl, &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
    fa = visit("general", "c1", DAY0_MS);
    fb = visit("general", "c1", DAY0_MS + SEC);
    fc = visit("payment", "c2", DAY0_MS + 2 * SEC);
    fd = visit("general", "c1", DAY0_MS + 600 * SEC);
    base = sql_int(s, "SELECT COUNT(*) FROM journal");
    queue_destroy(q);
    q = NULL;
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
        rating_destroy(rt);
        rt = NULL;
        store_close(s);
        s = NULL;
        HK_ASSERT_MSG(hk_mem_live() == live0, "N=%ld: %ld allocations leaked", n,
                      hk_mem_live() - live0);
        /* The file holds exactly the steps that said HK_OK, and ratings
         * and journal agree. */
        HK_ASSERT_OK(store_open(path, &s, &diag));
        HK_ASSERT_OK(store_integrity_check(s, &diag));
        got = check_agrees(s);
        HK_ASSERT_MSG(got == expect, "N=%ld: %d steps ok (failed in %s), %d events, want %d", n,
                      done, done < N_STEPS ? steps[done].name : "-", got, expect);
        HK_ASSERT_INT(base + expect + (done > 8 ? 1 : 0),
                      sql_int(s, "SELECT COUNT(*) FROM journal"));
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
    printf("# rating fault injection: %ld points, %d failed cleanly\n", n, failures);
}

int main(void)
{
    HK_RUN(test_rating_counter_vote_is_stored_with_the_visit_and_journaled);
    HK_RUN(test_rating_low_levels_are_flagged_for_follow_up);
    HK_RUN(test_rating_only_a_finished_visit_can_be_rated);
    HK_RUN(test_rating_counter_accepts_a_vote_only_within_the_window);
    HK_RUN(test_rating_one_vote_per_visit_and_a_repeated_press_returns_the_first);
    HK_RUN(test_rating_bad_votes_are_refused);
    HK_RUN(test_rating_sweep_records_not_rated_once_the_window_passed);
    HK_RUN(test_rating_sweep_looks_back_one_business_day);
    HK_RUN(test_rating_kiosk_rates_a_finished_unrated_visit_of_today_by_number);
    HK_RUN(test_rating_status_tells_a_screen_what_is_allowed);
    HK_RUN(test_rating_callers_rollback_removes_rating_and_event);
    HK_RUN(test_rating_needs_the_latest_schema);
    HK_RUN(test_rating_agrees_with_the_journal_under_every_allocation_failure);
    return hk_test_end();
}
