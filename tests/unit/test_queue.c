/*
 * test_queue: the queue authority over a real SQLite file. Numbering per
 * business day and prefix, no repeats across reopen, the 999 cap, service
 * hours, the call-next policy (priority, counter order, pass-over bound),
 * transfers, state transitions, calling a chosen ticket, no-show with
 * put-back, counter states (open, paused, closed), wait estimates and
 * their measured error, and behaviour under allocation failure.
 *
 * Includes store_private.h (core-only) to fill the ledger with raw SQL.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hk_mem.h"
#include "hk_test.h"
#include "queue.h"
#include "store.h"
#include "store_private.h" /* test only: raw SQL on the store's handle */

/* Five services, five counters. general is served everywhere; broadband
 * only at c3 and only on weekdays until 17:00. */
#define QUEUE_JSON                                                                 \
    "{\"branch\":{\"id\":\"sh-test-01\",\"name_zh\":\"测试厅\","                \
    "\"name_en\":\"Test\"},\"utc_offset_min\":480,"                                \
    "\"hours\":{\"mon\":\"09:00-18:00\",\"tue\":\"09:00-18:00\","                  \
    "\"wed\":\"09:00-18:00\",\"thu\":\"09:00-18:00\",\"fri\":\"09:00-18:00\","     \
    "\"sat\":\"09:30-17:00\",\"sun\":\"10:00-16:00\"},"                            \
    "\"services\":["                                                               \
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务办理\","           \
    "\"name_en\":\"General\",\"priority\":2,\"avg_service_s\":360},"               \
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\","                 \
    "\"name_en\":\"Payments\",\"priority\":1,\"avg_service_s\":120},"              \
    "{\"id\":\"broadband\",\"prefix\":\"C\",\"name_zh\":\"宽带\","               \
    "\"name_en\":\"Broadband\",\"priority\":1,\"avg_service_s\":600,"              \
    "\"hours\":{\"mon\":\"09:00-17:00\",\"tue\":\"09:00-17:00\","                  \
    "\"wed\":\"09:00-17:00\",\"thu\":\"09:00-17:00\",\"fri\":\"09:00-17:00\","     \
    "\"sat\":\"closed\",\"sun\":\"closed\"}},"                                     \
    "{\"id\":\"vip\",\"prefix\":\"V\",\"name_zh\":\"贵宾\",\"name_en\":\"VIP\"," \
    "\"priority\":9,\"vip\":true,\"avg_service_s\":420},"                          \
    "{\"id\":\"elderly\",\"prefix\":\"E\",\"name_zh\":\"老年人\","              \
    "\"name_en\":\"Elderly\",\"priority\":7,\"avg_service_s\":480}],"              \
    "\"counters\":["                                                               \
    "{\"id\":\"c1\",\"number\":1,\"services\":[\"vip\",\"general\"]},"             \
    "{\"id\":\"c2\",\"number\":2,\"services\":[\"general\",\"payment\"]},"         \
    "{\"id\":\"c3\",\"number\":3,\"services\":[\"broadband\",\"general\"]},"       \
    "{\"id\":\"c4\",\"number\":4,\"services\":[\"payment\",\"general\"]},"         \
    "{\"id\":\"c6\",\"number\":6,"                                                 \
    "\"services\":[\"elderly\",\"general\",\"payment\"]}],"                        \
    "\"queue\":{\"max_pass_over_s\":900}}"

static store_t *s;
static queue_t *q;
static config_t cfg;
static hk_diag_t diag;

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Wall ms for a local (UTC+8) time. 2024-03-11 is a Monday. */
static int64_t local_ms(int y, int mo, int d, int h, int mi)
{
    return (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 - 480 * 60) * 1000;
}

#define MON_10 local_ms(2024, 3, 11, 10, 0)
#define SEC    1000

void setUp(void)
{
    s = NULL;
    q = NULL;
    HK_ASSERT_OK(config_parse(QUEUE_JSON, strlen(QUEUE_JSON), &cfg, &diag));
    HK_ASSERT_OK(store_open(hk_test_path("q.db"), &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
}

void tearDown(void)
{
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
}

static ticket_t take(const char *service, int64_t now)
{
    ticket_t t;
    hk_err_t rc = queue_take_number(q, service, now, &t);

    HK_ASSERT_MSG(rc == HK_OK, "take %s: %s", service, hk_err_str(rc));
    return t;
}

/* A clerk's "next": finish whoever is at the counter (one visit at a
 * time), then call the next ticket. */
static ticket_t call(const char *counter, int64_t now)
{
    ticket_t t;
    hk_err_t rc;

    if(queue_counter_current(q, counter, &t) == HK_OK)
        HK_ASSERT_OK(queue_finish(q, t.id, now));
    rc = queue_call_next(q, counter, now, &t);

    HK_ASSERT_MSG(rc == HK_OK, "call %s: %s", counter, hk_err_str(rc));
    return t;
}

static void reopen(void)
{
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
    HK_ASSERT_OK(store_open(hk_test_path("q.db"), &s, &diag));
    HK_ASSERT_OK(queue_open(s, &cfg, &q));
}

static void all_day_hours(void)
{
    int i, d;

    for(d = 0; d < 7; d++) {
        cfg.hours.day[d].open_min = 0;
        cfg.hours.day[d].close_min = 1440;
        for(i = 0; i < cfg.n_services; i++)
            cfg.services[i].hours = cfg.hours;
    }
    queue_set_config(q, &cfg);
}

static void test_queue_numbers_count_up_per_prefix(void)
{
    ticket_t t = take("general", MON_10);

    HK_ASSERT_STR("A001", t.number);
    HK_ASSERT_STR("2024-03-11", t.day);
    HK_ASSERT_STR("general", t.service_id);
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    HK_ASSERT_INT(MON_10, t.issued_ms);
    HK_ASSERT_STR("A002", take("general", MON_10 + SEC).number);
    HK_ASSERT_STR("B001", take("payment", MON_10 + 2 * SEC).number);
    HK_ASSERT_STR("V001", take("vip", MON_10 + 3 * SEC).number);
    HK_ASSERT_STR("A003", take("general", MON_10 + 4 * SEC).number);
}

static void test_queue_numbers_restart_each_business_day(void)
{
    ticket_t t;
    int n = -1;

    all_day_hours();
    /* 23:59 local Monday and 00:00 local Tuesday are the same UTC date
     * (2024-03-11), but different business days at UTC+8. */
    t = take("general", local_ms(2024, 3, 11, 23, 58));
    HK_ASSERT_STR("A001", t.number);
    t = take("general", local_ms(2024, 3, 11, 23, 59));
    HK_ASSERT_STR("A002", t.number);
    HK_ASSERT_STR("2024-03-11", t.day);
    t = take("general", local_ms(2024, 3, 12, 0, 0));
    HK_ASSERT_STR("A001", t.number);
    HK_ASSERT_STR("2024-03-12", t.day);
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &n));
    HK_ASSERT_INT(2, n);
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-12", &n));
    HK_ASSERT_INT(1, n);
}

static void test_queue_day_rollover_drops_yesterdays_waiting_tickets(void)
{
    ticket_t old = take("general", MON_10), t;
    int n = -1;

    (void)take("general", local_ms(2024, 3, 12, 9, 5));
    HK_ASSERT_OK(queue_waiting_count(q, "general", &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_OK(queue_get_ticket(q, old.id, &t));
    HK_ASSERT_INT(TICKET_CANCELLED, t.state);
    /* Tuesday's counter never calls Monday's leftover. */
    t = call("c2", local_ms(2024, 3, 12, 9, 6));
    HK_ASSERT_STR("2024-03-12", t.day);
    HK_ASSERT_OK(queue_finish(q, t.id, local_ms(2024, 3, 12, 9, 7)));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_next(q, "c2", local_ms(2024, 3, 12, 9, 7), &t));
}

static void test_queue_numbers_never_repeat_across_reopen(void)
{
    ticket_t t;

    take("general", MON_10);
    take("general", MON_10 + SEC);
    t = take("general", MON_10 + 2 * SEC);
    HK_ASSERT_OK(queue_cancel(q, t.id, MON_10 + 3 * SEC));
    reopen();
    /* A003 was cancelled, but it was issued: it is never issued again. */
    HK_ASSERT_STR("A004", take("general", MON_10 + 4 * SEC).number);
    reopen();
    HK_ASSERT_STR("A005", take("general", MON_10 + 5 * SEC).number);
    HK_ASSERT_STR("B001", take("payment", MON_10 + 6 * SEC).number);
}

static void test_queue_refuses_the_1000th_number_of_a_day(void)
{
    sqlite3 *db = store_db(s);
    ticket_t t;
    char sql[256];
    int i;

    /* Fill the ledger to 998 in one transaction (998 fsyncs would be slow). */
    HK_ASSERT_INT(SQLITE_OK, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL));
    for(i = 1; i <= 998; i++) {
        (void)snprintf(sql, sizeof(sql), "INSERT INTO numbers VALUES('2024-03-11','A',%d,%lld)", i,
                       (long long)MON_10);
        HK_ASSERT_INT(SQLITE_OK, sqlite3_exec(db, sql, NULL, NULL, NULL));
    }
    HK_ASSERT_INT(SQLITE_OK, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
    HK_ASSERT_STR("A999", take("general", MON_10).number);
    memset(&t, 0x5a, sizeof(t));
    HK_ASSERT_INT(HK_ERR_INVALID, queue_take_number(q, "general", MON_10, &t));
    HK_ASSERT_INT(0x5a5a5a5a5a5a5a5a, t.id); /* untouched on failure */
    HK_ASSERT_STR("B001", take("payment", MON_10).number);
    HK_ASSERT_STR("A001", take("general", local_ms(2024, 3, 12, 10, 0)).number);
}

static void test_queue_closed_service_is_busy(void)
{
    ticket_t t;

    HK_ASSERT_INT(HK_ERR_BUSY, queue_take_number(q, "general", local_ms(2024, 3, 11, 8, 59), &t));
    HK_ASSERT_INT(HK_ERR_BUSY, queue_take_number(q, "general", local_ms(2024, 3, 11, 18, 0), &t));
    /* Broadband keeps its own shorter hours and is shut at weekends. */
    HK_ASSERT_INT(HK_ERR_BUSY,
                  queue_take_number(q, "broadband", local_ms(2024, 3, 11, 17, 30), &t));
    HK_ASSERT_STR("A001", take("general", local_ms(2024, 3, 11, 17, 30)).number);
    HK_ASSERT_INT(HK_ERR_BUSY, queue_take_number(q, "broadband", local_ms(2024, 3, 16, 11, 0), &t));
    HK_ASSERT_STR("C001", take("broadband", local_ms(2024, 3, 15, 16, 59)).number);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_take_number(q, "nope", MON_10, &t));
}

static void test_queue_call_next_takes_highest_priority_first(void)
{
    ticket_t a1 = take("general", MON_10);
    ticket_t a2 = take("general", MON_10 + SEC);
    ticket_t v1 = take("vip", MON_10 + 2 * SEC);
    ticket_t t = call("c1", MON_10 + 60 * SEC);

    HK_ASSERT_INT(v1.id, t.id);
    HK_ASSERT_STR("V001", t.number);
    HK_ASSERT_INT(TICKET_CALLED, t.state);
    HK_ASSERT_STR("c1", t.counter_id);
    HK_ASSERT_INT(MON_10 + 60 * SEC, t.called_ms);
    HK_ASSERT_INT(a1.id, call("c1", MON_10 + 61 * SEC).id);
    /* c2 does not serve vip; it gets the next general. */
    take("vip", MON_10 + 62 * SEC);
    t = call("c2", MON_10 + 63 * SEC);
    HK_ASSERT_INT(a2.id, t.id);
    /* while A002 is at c2, c2 calls nobody else; once done, nobody waits */
    HK_ASSERT_INT(HK_ERR_CONFLICT, queue_call_next(q, "c2", MON_10 + 64 * SEC, &t));
    HK_ASSERT_OK(queue_finish(q, a2.id, MON_10 + 64 * SEC));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_next(q, "c2", MON_10 + 64 * SEC, &t));
}

static void test_queue_call_next_follows_the_counters_service_order(void)
{
    ticket_t b1, a1;
    int i;

    /* Equal priorities: only the counter's own order decides. */
    for(i = 0; i < cfg.n_services; i++)
        cfg.services[i].priority = 0;
    queue_set_config(q, &cfg);
    b1 = take("payment", MON_10);
    a1 = take("general", MON_10 + SEC);
    /* c2 = [general, payment]: the younger general ticket first. */
    HK_ASSERT_INT(a1.id, call("c2", MON_10 + 10 * SEC).id);
    HK_ASSERT_INT(b1.id, call("c2", MON_10 + 11 * SEC).id);
    b1 = take("payment", MON_10 + 20 * SEC);
    a1 = take("general", MON_10 + 21 * SEC);
    /* c4 = [payment, general]. */
    HK_ASSERT_INT(b1.id, call("c4", MON_10 + 30 * SEC).id);
    HK_ASSERT_INT(a1.id, call("c4", MON_10 + 31 * SEC).id);
}

static void test_queue_call_next_is_oldest_first_within_a_service(void)
{
    ticket_t a1 = take("general", MON_10);
    ticket_t a2 = take("general", MON_10 + SEC);
    ticket_t a3 = take("general", MON_10 + 2 * SEC);

    HK_ASSERT_INT(a1.id, call("c2", MON_10 + 10 * SEC).id);
    HK_ASSERT_INT(a2.id, call("c3", MON_10 + 11 * SEC).id);
    HK_ASSERT_INT(a3.id, call("c6", MON_10 + 12 * SEC).id);
}

static void test_queue_pass_over_bound_limits_how_long_priority_wins(void)
{
    ticket_t a1 = take("general", MON_10);
    ticket_t v1 = take("vip", MON_10 + 60 * SEC);
    ticket_t v2;

    /* A001 has waited 600 s < 900 s: VIP still goes first. */
    HK_ASSERT_INT(v1.id, call("c1", MON_10 + 600 * SEC).id);
    v2 = take("vip", MON_10 + 700 * SEC);
    /* Now A001 has waited 901 s: it is taken before the newer VIP. */
    HK_ASSERT_INT(a1.id, call("c1", MON_10 + 901 * SEC).id);
    HK_ASSERT_INT(v2.id, call("c1", MON_10 + 902 * SEC).id);

    /* max_pass_over_s = 0 switches the bound off. */
    cfg.max_pass_over_s = 0;
    queue_set_config(q, &cfg);
    a1 = take("general", MON_10 + 1000 * SEC);
    v1 = take("vip", MON_10 + 5000 * SEC);
    HK_ASSERT_INT(v1.id, call("c1", MON_10 + 9000 * SEC).id);
}

static void test_queue_pass_over_takes_the_oldest_overdue_ticket(void)
{
    ticket_t b1 = take("payment", MON_10);
    ticket_t a1 = take("general", MON_10 + 10 * SEC);

    take("elderly", MON_10 + 950 * SEC);
    /* Both B001 and A001 are overdue at c6; B001 is older, though general
     * outranks payment by priority and by c6's order. */
    HK_ASSERT_INT(b1.id, call("c6", MON_10 + 1000 * SEC).id);
    HK_ASSERT_INT(a1.id, call("c6", MON_10 + 1001 * SEC).id);
}

static void test_queue_call_next_reports_nobody_waiting(void)
{
    ticket_t t;

    memset(&t, 0x5a, sizeof(t));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_next(q, "c1", MON_10, &t));
    HK_ASSERT_INT(0x5a5a5a5a5a5a5a5a, t.id);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_next(q, "c99", MON_10, &t));
    take("broadband", MON_10);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_next(q, "c1", MON_10, &t));
}

static void test_queue_transfer_keeps_the_number(void)
{
    ticket_t a1 = take("general", MON_10), moved, old, found, t;
    int n = -1;

    a1 = call("c2", MON_10 + 60 * SEC);
    HK_ASSERT_OK(queue_start_serving(q, a1.id, MON_10 + 70 * SEC));
    HK_ASSERT_OK(queue_transfer(q, a1.id, "broadband", MON_10 + 200 * SEC, &moved));
    HK_ASSERT(moved.id != a1.id);
    HK_ASSERT_STR("A001", moved.number);
    HK_ASSERT_STR("broadband", moved.service_id);
    HK_ASSERT_INT(TICKET_WAITING, moved.state);
    HK_ASSERT_INT(MON_10, moved.issued_ms); /* keeps its place in line */
    HK_ASSERT_STR("", moved.counter_id);
    HK_ASSERT_OK(queue_get_ticket(q, a1.id, &old));
    HK_ASSERT_INT(TICKET_TRANSFERRED, old.state);
    HK_ASSERT_OK(queue_find_ticket(q, "2024-03-11", "A001", &found));
    HK_ASSERT_INT(moved.id, found.id);
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &n));
    HK_ASSERT_INT(1, n);
    /* Older than anyone who queued for broadband since. */
    take("broadband", MON_10 + 100 * SEC);
    t = call("c3", MON_10 + 300 * SEC);
    HK_ASSERT_INT(moved.id, t.id);
    HK_ASSERT_STR("A002", take("general", MON_10 + 301 * SEC).number);
    /* Only called/serving tickets move, and to another known service. */
    HK_ASSERT_INT(HK_ERR_INVALID, queue_transfer(q, a1.id, "payment", MON_10 + 400 * SEC, &t));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_transfer(q, moved.id, "nope", MON_10 + 400 * SEC, &t));
    HK_ASSERT_INT(HK_ERR_INVALID, queue_transfer(q, moved.id, "broadband", MON_10 + 400 * SEC, &t));
}

static void test_queue_state_transitions_are_checked(void)
{
    ticket_t a1 = take("general", MON_10), a2, t;

    HK_ASSERT_INT(HK_ERR_INVALID, queue_finish(q, a1.id, MON_10));
    HK_ASSERT_INT(HK_ERR_INVALID, queue_start_serving(q, a1.id, MON_10));
    HK_ASSERT_INT(HK_ERR_INVALID, queue_no_show(q, a1.id, MON_10, false));
    HK_ASSERT_INT(HK_ERR_INVALID, queue_recall(q, a1.id, MON_10));
    a1 = call("c1", MON_10 + SEC);
    HK_ASSERT_INT(HK_ERR_INVALID, queue_cancel(q, a1.id, MON_10));
    HK_ASSERT_OK(queue_recall(q, a1.id, MON_10 + 2 * SEC));
    HK_ASSERT_OK(queue_recall(q, a1.id, MON_10 + 3 * SEC));
    HK_ASSERT_OK(queue_get_ticket(q, a1.id, &t));
    HK_ASSERT_INT(2, t.recalls);
    HK_ASSERT_INT(TICKET_CALLED, t.state);
    HK_ASSERT_OK(queue_start_serving(q, a1.id, MON_10 + 4 * SEC));
    HK_ASSERT_OK(queue_finish(q, a1.id, MON_10 + 64 * SEC));
    HK_ASSERT_OK(queue_get_ticket(q, a1.id, &t));
    HK_ASSERT_INT(TICKET_DONE, t.state);
    HK_ASSERT_INT(MON_10 + 4 * SEC, t.serving_ms);
    HK_ASSERT_INT(MON_10 + 64 * SEC, t.finished_ms);
    HK_ASSERT_INT(HK_ERR_INVALID, queue_finish(q, a1.id, MON_10 + 65 * SEC));

    a2 = take("general", MON_10 + 70 * SEC);
    a2 = call("c1", MON_10 + 71 * SEC);
    HK_ASSERT_OK(queue_no_show(q, a2.id, MON_10 + 200 * SEC, false));
    HK_ASSERT_OK(queue_get_ticket(q, a2.id, &t));
    HK_ASSERT_INT(TICKET_NO_SHOW, t.state);

    a2 = take("general", MON_10 + 300 * SEC);
    HK_ASSERT_OK(queue_cancel(q, a2.id, MON_10 + 301 * SEC));
    HK_ASSERT_OK(queue_get_ticket(q, a2.id, &t));
    HK_ASSERT_INT(TICKET_CANCELLED, t.state);

    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_finish(q, 424242, MON_10));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_get_ticket(q, 424242, &t));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_find_ticket(q, "2024-03-11", "Z999", &t));
    HK_ASSERT_STR("waiting", queue_state_str(TICKET_WAITING));
    HK_ASSERT_STR("transferred", queue_state_str(TICKET_TRANSFERRED));
    HK_ASSERT_STR("unknown", queue_state_str((ticket_state_t)42));
}

static void test_queue_wait_estimate_is_ahead_times_mean_over_open_counters(void)
{
    int ahead = -1, wait_s = -2;
    ticket_t t;
    bool open = false;

    /* general: served by all 5 counters, mean seeded at 360 s. */
    HK_ASSERT_OK(queue_estimate(q, "general", MON_10, &ahead, &wait_s));
    HK_ASSERT_INT(0, ahead);
    HK_ASSERT_INT(0, wait_s);
    take("general", MON_10);
    take("general", MON_10 + SEC);
    take("general", MON_10 + 2 * SEC);
    HK_ASSERT_OK(queue_estimate(q, "general", MON_10, &ahead, &wait_s));
    HK_ASSERT_INT(3, ahead);
    HK_ASSERT_INT(3 * 360 / 5, wait_s);

    HK_ASSERT_OK(queue_counter_is_open(q, "c2", &open));
    HK_ASSERT(open); /* counters start open */
    HK_ASSERT_OK(queue_counter_set_open(q, "c2", false, MON_10));
    HK_ASSERT_OK(queue_counter_is_open(q, "c2", &open));
    HK_ASSERT(!open);
    HK_ASSERT_OK(queue_estimate(q, "general", MON_10, &ahead, &wait_s));
    HK_ASSERT_INT(3 * 360 / 4, wait_s);

    /* The quote is stored with the ticket. */
    t = take("general", MON_10 + 3 * SEC);
    HK_ASSERT_INT(3, t.ahead_quoted);
    HK_ASSERT_INT(270, t.est_wait_s_quoted);
    HK_ASSERT_OK(queue_get_ticket(q, t.id, &t));
    HK_ASSERT_INT(3, t.ahead_quoted);
    HK_ASSERT_INT(270, t.est_wait_s_quoted);

    /* broadband: only c3. Closed counter -> no estimate. */
    take("broadband", MON_10);
    HK_ASSERT_OK(queue_counter_set_open(q, "c3", false, MON_10));
    HK_ASSERT_OK(queue_estimate(q, "broadband", MON_10, &ahead, &wait_s));
    HK_ASSERT_INT(1, ahead);
    HK_ASSERT_INT(-1, wait_s);
    t = take("broadband", MON_10 + SEC);
    HK_ASSERT_INT(-1, t.est_wait_s_quoted);
    HK_ASSERT_OK(queue_counter_set_open(q, "c3", true, MON_10));
    HK_ASSERT_OK(queue_estimate(q, "broadband", MON_10, &ahead, &wait_s));
    HK_ASSERT_INT(2 * 600, wait_s);

    /* Counter state is stored, not cached. */
    reopen();
    HK_ASSERT_OK(queue_counter_is_open(q, "c2", &open));
    HK_ASSERT(!open);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_set_open(q, "c9", true, 0));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_is_open(q, "c9", &open));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_estimate(q, "nope", MON_10, &ahead, &wait_s));
}

static void test_queue_mean_service_time_follows_finished_tickets(void)
{
    ticket_t t;
    int mean = -1, ahead, wait_s;

    HK_ASSERT_OK(queue_mean_service_s(q, "general", &mean));
    HK_ASSERT_INT(360, mean); /* seeded from avg_service_s */
    take("general", MON_10);
    t = call("c2", MON_10 + 10 * SEC);
    HK_ASSERT_OK(queue_start_serving(q, t.id, MON_10 + 20 * SEC));
    HK_ASSERT_OK(queue_finish(q, t.id, MON_10 + 80 * SEC)); /* 60 s */
    HK_ASSERT_OK(queue_mean_service_s(q, "general", &mean));
    HK_ASSERT_INT(300, mean); /* 360 + 0.2 * (60 - 360) */
    /* Never started: measured from the call. */
    take("general", MON_10 + 100 * SEC);
    t = call("c2", MON_10 + 100 * SEC);
    HK_ASSERT_OK(queue_finish(q, t.id, MON_10 + 200 * SEC)); /* 100 s */
    HK_ASSERT_OK(queue_mean_service_s(q, "general", &mean));
    HK_ASSERT_INT(260, mean); /* 300 + 0.2 * (100 - 300) */
    /* The estimate uses it; other services keep their own mean. */
    take("general", MON_10 + 300 * SEC);
    HK_ASSERT_OK(queue_estimate(q, "general", MON_10 + 300 * SEC, &ahead, &wait_s));
    HK_ASSERT_INT(1, ahead);
    HK_ASSERT_INT(52, wait_s); /* 1 * 260 / 5 */
    HK_ASSERT_OK(queue_mean_service_s(q, "payment", &mean));
    HK_ASSERT_INT(120, mean);
    reopen();
    HK_ASSERT_OK(queue_mean_service_s(q, "general", &mean));
    HK_ASSERT_INT(260, mean);
}

static void test_queue_estimate_error_compares_quote_with_actual_wait(void)
{
    ticket_t a1, a2;
    int n = -1;
    double err = -1.0;

    HK_ASSERT_OK(queue_estimate_error(q, "2024-03-11", &n, &err));
    HK_ASSERT_INT(0, n);
    a1 = take("general", MON_10);            /* quoted 0 s */
    a2 = take("general", MON_10 + 10 * SEC); /* quoted 1 * 360 / 5 = 72 s */
    HK_ASSERT_INT(0, a1.est_wait_s_quoted);
    HK_ASSERT_INT(72, a2.est_wait_s_quoted);
    take("general", MON_10 + 20 * SEC); /* never called: not counted */
    call("c2", MON_10 + 30 * SEC);      /* waited 30 s: error 30 */
    call("c2", MON_10 + 110 * SEC);     /* waited 100 s: error 28 */
    HK_ASSERT_OK(queue_estimate_error(q, "2024-03-11", &n, &err));
    HK_ASSERT_INT(2, n);
    HK_ASSERT(err > 28.99 && err < 29.01);
    HK_ASSERT_OK(queue_estimate_error(q, "2024-03-12", &n, &err));
    HK_ASSERT_INT(0, n);
}

static void test_queue_counts_waiting_and_issued(void)
{
    ticket_t t;
    int n = -1;

    take("general", MON_10);
    take("general", MON_10 + SEC);
    take("payment", MON_10 + 2 * SEC);
    HK_ASSERT_OK(queue_waiting_count(q, "general", &n));
    HK_ASSERT_INT(2, n);
    t = call("c2", MON_10 + 3 * SEC);
    HK_ASSERT_STR("A001", t.number);
    HK_ASSERT_OK(queue_waiting_count(q, "general", &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &n));
    HK_ASSERT_INT(3, n);
}

static void test_queue_no_show_put_back_keeps_the_place_in_line(void)
{
    ticket_t a1 = take("general", MON_10), a2 = take("general", MON_10 + SEC), t;

    t = call("c2", MON_10 + 60 * SEC);
    HK_ASSERT_INT(a1.id, t.id);
    HK_ASSERT_OK(queue_no_show(q, a1.id, MON_10 + 120 * SEC, true));
    HK_ASSERT_OK(queue_get_ticket(q, a1.id, &t));
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    HK_ASSERT_INT(MON_10, t.issued_ms);
    HK_ASSERT_INT(0, t.called_ms);
    HK_ASSERT_STR("", t.counter_id);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_current(q, "c2", &t));
    /* Still older than A002: called first again. */
    HK_ASSERT_INT(a1.id, call("c3", MON_10 + 130 * SEC).id);
    HK_ASSERT_INT(a2.id, call("c2", MON_10 + 131 * SEC).id);
    /* A waiting ticket cannot be a no-show. */
    a2 = take("general", MON_10 + 140 * SEC);
    HK_ASSERT_INT(HK_ERR_INVALID, queue_no_show(q, a2.id, MON_10 + 141 * SEC, true));
}

static void test_queue_call_ticket_calls_the_chosen_waiting_ticket(void)
{
    ticket_t a1 = take("general", MON_10), b1 = take("payment", MON_10 + SEC), t, cur;

    /* c1 does not serve payment; the clerk's choice overrides that. */
    HK_ASSERT_OK(queue_call_ticket(q, "c1", b1.id, MON_10 + 10 * SEC, &t));
    HK_ASSERT_INT(b1.id, t.id);
    HK_ASSERT_INT(TICKET_CALLED, t.state);
    HK_ASSERT_STR("c1", t.counter_id);
    HK_ASSERT_INT(MON_10 + 10 * SEC, t.called_ms);
    HK_ASSERT_OK(queue_counter_current(q, "c1", &cur));
    HK_ASSERT_INT(b1.id, cur.id);
    HK_ASSERT_INT(HK_ERR_INVALID, queue_call_ticket(q, "c2", b1.id, MON_10 + 11 * SEC, &t));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_ticket(q, "c2", 424242, MON_10 + 11 * SEC, &t));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_call_ticket(q, "c9", a1.id, MON_10 + 11 * SEC, &t));
    /* Yesterday's ticket is not called today (the next sweep cancels it). */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  queue_call_ticket(q, "c2", a1.id, local_ms(2024, 3, 12, 10, 0), &t));
    HK_ASSERT_OK(queue_get_ticket(q, a1.id, &t));
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    take("general", local_ms(2024, 3, 12, 10, 1));
    HK_ASSERT_OK(queue_get_ticket(q, a1.id, &t));
    HK_ASSERT_INT(TICKET_CANCELLED, t.state);
}

static void test_queue_counter_current_follows_call_start_and_finish(void)
{
    ticket_t a1, t;

    take("general", MON_10);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_current(q, "c2", &t));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_current(q, "c9", &t));
    a1 = call("c2", MON_10 + SEC);
    HK_ASSERT_OK(queue_counter_current(q, "c2", &t));
    HK_ASSERT_INT(a1.id, t.id);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_current(q, "c1", &t));
    HK_ASSERT_OK(queue_start_serving(q, a1.id, MON_10 + 2 * SEC));
    HK_ASSERT_OK(queue_counter_current(q, "c2", &t));
    HK_ASSERT_INT(TICKET_SERVING, t.state);
    HK_ASSERT_OK(queue_finish(q, a1.id, MON_10 + 3 * SEC));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_counter_current(q, "c2", &t));
}

static void test_queue_paused_counter_is_not_called_to_nor_counted_open(void)
{
    counter_state_t st = COUNTER_CLOSED;
    ticket_t a1, t;
    int ahead = -1, wait_s = -1;
    bool open = true;

    HK_ASSERT_OK(queue_counter_get_state(q, "c2", &st));
    HK_ASSERT_INT(COUNTER_OPEN, st); /* never set: open */
    a1 = take("general", MON_10);
    a1 = call("c2", MON_10 + SEC);
    HK_ASSERT_OK(queue_counter_set_state(q, "c2", COUNTER_PAUSED, MON_10 + 2 * SEC));
    HK_ASSERT_OK(queue_counter_get_state(q, "c2", &st));
    HK_ASSERT_INT(COUNTER_PAUSED, st);
    HK_ASSERT_OK(queue_counter_is_open(q, "c2", &open));
    HK_ASSERT(!open);
    take("general", MON_10 + 3 * SEC);
    HK_ASSERT_INT(HK_ERR_BUSY, queue_call_next(q, "c2", MON_10 + 4 * SEC, &t));
    HK_ASSERT_INT(HK_ERR_BUSY, queue_call_ticket(q, "c2", a1.id + 1, MON_10 + 4 * SEC, &t));
    /* general: 5 counters, c2 paused -> 4 count. */
    HK_ASSERT_OK(queue_estimate(q, "general", MON_10 + 4 * SEC, &ahead, &wait_s));
    HK_ASSERT_INT(1, ahead);
    HK_ASSERT_INT(360 / 4, wait_s);
    /* It still finishes the customer it has. */
    HK_ASSERT_OK(queue_finish(q, a1.id, MON_10 + 5 * SEC));
    HK_ASSERT_OK(queue_counter_set_state(q, "c2", COUNTER_CLOSED, MON_10 + 7 * SEC));
    HK_ASSERT_INT(HK_ERR_BUSY, queue_call_next(q, "c2", MON_10 + 8 * SEC, &t));
    HK_ASSERT_OK(queue_counter_set_state(q, "c2", COUNTER_OPEN, MON_10 + 9 * SEC));
    HK_ASSERT_OK(queue_call_next(q, "c2", MON_10 + 10 * SEC, &t));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  queue_counter_set_state(q, "c2", (counter_state_t)3, MON_10 + 11 * SEC));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND,
                  queue_counter_set_state(q, "c9", COUNTER_OPEN, MON_10 + 11 * SEC));
    HK_ASSERT_STR("paused", queue_counter_state_str(COUNTER_PAUSED));
    HK_ASSERT_STR("unknown", queue_counter_state_str((counter_state_t)7));
    reopen();
    HK_ASSERT_OK(queue_counter_get_state(q, "c2", &st));
    HK_ASSERT_INT(COUNTER_OPEN, st);
}

/* Fault injection over the whole path a kiosk takes at boot and on a
 * press: store_open, queue_open, queue_take_number. For every N the result
 * is an error or a complete ticket, and the file agrees with the result. */
static void test_queue_take_number_survives_every_allocation_failure(void)
{
    const char *name = "fi.db";
    char path[1024], extra[1100];
    long n;
    int failures = 0;

    (void)snprintf(path, sizeof(path), "%s", hk_test_path(name));
    queue_destroy(q);
    q = NULL;
    store_close(s);
    s = NULL;
    for(n = 1; n < 200000; n += hk_test_fail_step()) {
        ticket_t t;
        hk_err_t rc;
        long attempts;
        int issued = -1;

        (void)unlink(path);
        (void)snprintf(extra, sizeof(extra), "%s-wal", path);
        (void)unlink(extra);
        (void)snprintf(extra, sizeof(extra), "%s-shm", path);
        (void)unlink(extra);
        memset(&t, 0x5a, sizeof(t));
        hk_mem_fail_nth(n);
        rc = store_open(path, &s, NULL);
        if(rc == HK_OK)
            rc = queue_open(s, &cfg, &q);
        if(rc == HK_OK)
            rc = queue_take_number(q, "general", MON_10, &t);
        attempts = hk_mem_attempts(); /* fail_nth(0) resets it */
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            HK_ASSERT_STR("A001", t.number);
            HK_ASSERT_STR("2024-03-11", t.day);
        } else {
            failures++;
            HK_ASSERT_MSG(rc == HK_ERR_NOMEM || rc == HK_ERR_IO, "N=%ld: unexpected %s", n,
                          hk_err_str(rc));
            HK_ASSERT_INT(0x5a5a5a5a5a5a5a5a, t.id);
        }
        queue_destroy(q);
        q = NULL;
        store_close(s);
        s = NULL;
        /* The file says exactly what the call said. */
        HK_ASSERT_OK(store_open(path, &s, NULL));
        HK_ASSERT_OK(store_integrity_check(s, NULL));
        HK_ASSERT_OK(queue_open(s, &cfg, &q));
        HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &issued));
        HK_ASSERT_MSG(issued == (rc == HK_OK ? 1 : 0), "N=%ld: rc %s but %d issued", n,
                      hk_err_str(rc), issued);
        queue_destroy(q);
        q = NULL;
        store_close(s);
        s = NULL;
        if(rc == HK_OK && attempts < n)
            break;
    }
    HK_ASSERT_MSG(failures * hk_test_fail_step() > 50, "only %d failures exercised (every %ld)",
                  failures, hk_test_fail_step());
    printf("# take_number fault injection: %ld points, %d failed cleanly\n", n, failures);
}

/* Same on a warm queue: repeated presses under failure never skip or
 * repeat a number among those that succeeded. */
static void test_queue_numbers_stay_contiguous_under_allocation_failures(void)
{
    char want[8];
    int ok = 0, issued = -1;
    long n;

    take("general", MON_10); /* warm the statement cache */
    ok = 1;
    for(n = 1; n < 5000 && ok < 60; n++) {
        ticket_t t;
        hk_err_t rc;

        hk_mem_fail_nth(n % 40 + 1);
        rc = queue_take_number(q, "general", MON_10 + n, &t);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            ok++;
            (void)snprintf(want, sizeof(want), "A%03d", ok % 1000);
            HK_ASSERT_STR(want, t.number);
        } else {
            HK_ASSERT_MSG(rc == HK_ERR_NOMEM || rc == HK_ERR_IO, "n=%ld: %s", n, hk_err_str(rc));
        }
    }
    HK_ASSERT_OK(queue_issued_count(q, "2024-03-11", &issued));
    HK_ASSERT_INT(ok, issued);
}

int main(void)
{
    HK_RUN(test_queue_numbers_count_up_per_prefix);
    HK_RUN(test_queue_numbers_restart_each_business_day);
    HK_RUN(test_queue_day_rollover_drops_yesterdays_waiting_tickets);
    HK_RUN(test_queue_numbers_never_repeat_across_reopen);
    HK_RUN(test_queue_refuses_the_1000th_number_of_a_day);
    HK_RUN(test_queue_closed_service_is_busy);
    HK_RUN(test_queue_call_next_takes_highest_priority_first);
    HK_RUN(test_queue_call_next_follows_the_counters_service_order);
    HK_RUN(test_queue_call_next_is_oldest_first_within_a_service);
    HK_RUN(test_queue_pass_over_bound_limits_how_long_priority_wins);
    HK_RUN(test_queue_pass_over_takes_the_oldest_overdue_ticket);
    HK_RUN(test_queue_call_next_reports_nobody_waiting);
    HK_RUN(test_queue_transfer_keeps_the_number);
    HK_RUN(test_queue_state_transitions_are_checked);
    HK_RUN(test_queue_wait_estimate_is_ahead_times_mean_over_open_counters);
    HK_RUN(test_queue_mean_service_time_follows_finished_tickets);
    HK_RUN(test_queue_estimate_error_compares_quote_with_actual_wait);
    HK_RUN(test_queue_counts_waiting_and_issued);
    HK_RUN(test_queue_no_show_put_back_keeps_the_place_in_line);
    HK_RUN(test_queue_call_ticket_calls_the_chosen_waiting_ticket);
    HK_RUN(test_queue_counter_current_follows_call_start_and_finish);
    HK_RUN(test_queue_paused_counter_is_not_called_to_nor_counted_open);
    HK_RUN(test_queue_take_number_survives_every_allocation_failure);
    HK_RUN(test_queue_numbers_stay_contiguous_under_allocation_failures);
    return hk_test_end();
}
