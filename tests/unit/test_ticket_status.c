/*
 * test_ticket_status: the public status page tells a customer where their
 * ticket stands from the day's journal events: waiting with the number
 * ahead in its own service and an estimate from today's pace of calls,
 * called to a counter, done; a transferred ticket waits again in its new
 * service; a number not synced yet is "no news", not an error; the page
 * escapes what it shows.
 */
#include <stdio.h>
#include <string.h>

#include "hk_mem.h"
#include "hk_test.h"
#include "ticket_status.h"

#define DAY "2026-11-25"
#define T0  1764030000000LL /* some morning */
#define MIN 60000LL

static central_event_t ev[64];
static char bodies[64][400];
static int n_ev;

void setUp(void)
{
    n_ev = 0;
}

void tearDown(void)
{
}

/* One ticket.* event as queue.c journals it. */
static void add(const char *type, const char *number, const char *service, const char *state,
                const char *counter, int64_t at_ms, const char *extra)
{
    central_event_t *e = &ev[n_ev];

    (void)snprintf(bodies[n_ev], sizeof(bodies[n_ev]),
                   "{\"ticket\":%d,\"number\":\"%s\",\"day\":\"%s\",\"service\":\"%s\","
                   "\"counter\":\"%s\",\"state\":\"%s\",\"issued_ms\":%lld%s}",
                   n_ev + 1, number, DAY, service, counter, state, (long long)at_ms, extra);
    memset(e, 0, sizeof(*e));
    e->seq = n_ev + 1;
    (void)snprintf(e->type, sizeof(e->type), "%s", type);
    e->time_ms = at_ms;
    e->body = bodies[n_ev];
    n_ev++;
}

static void issue(const char *number, const char *service, int64_t at_ms, int est_s)
{
    char extra[64];
    (void)snprintf(extra, sizeof(extra), ",\"ahead\":0,\"est_wait_s\":%d", est_s);
    add("ticket.issued", number, service, "waiting", "", at_ms, extra);
}

static void test_waiting_ticket_counts_its_own_service_and_todays_pace(void)
{
    ticket_status_t st;

    issue("A001", "general", T0, 0);
    issue("A002", "general", T0 + 1 * MIN, 300);
    issue("B001", "business", T0 + 2 * MIN, 300);
    issue("A003", "general", T0 + 3 * MIN, 600);
    issue("A004", "general", T0 + 4 * MIN, 900);
    issue("A005", "general", T0 + 5 * MIN, 1200);
    /* calls every 4 minutes in general */
    add("ticket.called", "A001", "general", "called", "c1", T0 + 10 * MIN, "");
    add("ticket.called", "A002", "general", "called", "c2", T0 + 14 * MIN, "");
    add("ticket.called", "A003", "general", "called", "c1", T0 + 18 * MIN, "");

    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A005", T0 + 19 * MIN, &st));
    HK_ASSERT_INT(TICKET_STATUS_WAITING, st.state);
    HK_ASSERT_STR("general", st.service);
    /* A004 waits before it; B001 is another service; A001..A003 were called */
    HK_ASSERT_INT(1, st.ahead);
    HK_ASSERT_INT(4 * 60, st.est_wait_s);
    HK_ASSERT_INT(T0 + 18 * MIN, st.as_of_ms);

    /* the called one: go to its counter */
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A003", T0 + 19 * MIN, &st));
    HK_ASSERT_INT(TICKET_STATUS_CALLED, st.state);
    HK_ASSERT_STR("c1", st.counter);
    HK_ASSERT_INT(-1, st.ahead);

    /* business has no calls yet: the quote at issue minus the time waited */
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "B001", T0 + 4 * MIN, &st));
    HK_ASSERT_INT(0, st.ahead);
    HK_ASSERT_INT(300 - 120, st.est_wait_s);
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "B001", T0 + 60 * MIN, &st));
    HK_ASSERT_INT(0, st.est_wait_s);
}

static void test_transfer_finish_and_unknown_numbers(void)
{
    ticket_status_t st;

    issue("A001", "general", T0, 0);
    issue("B001", "business", T0 + MIN, 0);
    add("ticket.called", "A001", "general", "called", "c1", T0 + 2 * MIN, "");
    add("ticket.started", "A001", "general", "serving", "c1", T0 + 3 * MIN, "");
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A001", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_SERVING, st.state);
    add("ticket.transferred", "A001", "general", "transferred", "c1", T0 + 4 * MIN,
        ",\"new_ticket\":9,\"to_service\":\"business\"");
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A001", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_WAITING, st.state);
    HK_ASSERT_STR("business", st.service);
    /* it keeps its issue time (as queue.c orders it), so it is ahead of
     * B001, issued a minute later in business */
    HK_ASSERT_INT(0, st.ahead);
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "B001", T0, &st));
    HK_ASSERT_INT(1, st.ahead);

    add("ticket.called", "B001", "business", "called", "c3", T0 + 5 * MIN, "");
    add("ticket.finished", "B001", "business", "done", "c3", T0 + 6 * MIN, "");
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "B001", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_DONE, st.state);
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A001", T0, &st));
    HK_ASSERT_INT(0, st.ahead);

    /* not synced yet, or another day's number */
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "C404", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_UNKNOWN, st.state);
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, "2026-11-26", "A001", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_UNKNOWN, st.state);
    HK_ASSERT_OK(ticket_status_compute(NULL, 0, DAY, "A001", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_UNKNOWN, st.state);
}

static void test_malformed_bodies_are_skipped_not_fatal(void)
{
    ticket_status_t st;

    issue("A001", "general", T0, 0);
    ev[n_ev] = ev[0];
    ev[n_ev].seq = n_ev + 1;
    (void)snprintf(bodies[n_ev], sizeof(bodies[n_ev]), "%s", "{\"number\":");
    ev[n_ev].body = bodies[n_ev];
    n_ev++;
    ev[n_ev] = ev[0];
    ev[n_ev].seq = n_ev + 1;
    (void)snprintf(bodies[n_ev], sizeof(bodies[n_ev]), "%s",
                   "{\"number\":\"A0011111111111\",\"day\":\"" DAY "\",\"state\":\"done\"}");
    ev[n_ev].body = bodies[n_ev];
    n_ev++;
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A001", T0, &st));
    HK_ASSERT_INT(TICKET_STATUS_WAITING, st.state);
}

static void test_page_says_it_in_both_languages_and_escapes(void)
{
    ticket_status_t st;
    char *html = NULL;
    size_t len = 0;

    issue("A001", "general", T0, 0);
    issue("A002", "general", T0 + MIN, 0);
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A002", T0 + MIN, &st));
    HK_ASSERT_OK(ticket_status_html(&st, "徐汇<营业厅>", NULL, true, 480, &html, &len));
    HK_ASSERT_INT(strlen(html), len);
    HK_ASSERT_CONTAINS(html, "您前面还有 1 位");
    HK_ASSERT_CONTAINS(html, "徐汇&lt;营业厅&gt;");
    HK_ASSERT(strstr(html, "<营业厅>") == NULL);
    HK_ASSERT_CONTAINS(html, "http-equiv=\"refresh\"");
    HK_ASSERT(strstr(html, "<script") == NULL);
    hk_free(html);

    add("ticket.called", "A002", "general", "called", "c3", T0 + 2 * MIN, "");
    HK_ASSERT_OK(ticket_status_compute(ev, n_ev, DAY, "A002", T0 + MIN, &st));
    HK_ASSERT_OK(ticket_status_html(&st, "Xuhui", "Counter 3", false, 480, &html, NULL));
    HK_ASSERT_CONTAINS(html, "Please go to the counter");
    HK_ASSERT_CONTAINS(html, "Counter 3");
    HK_ASSERT_CONTAINS(html, "lang=\"en\"");
    hk_free(html);
}

static void test_page_survives_every_allocation_failure(void)
{
    ticket_status_t st;
    long nth;

    issue("A001", "general", T0, 60);
    for(nth = 1;; nth++) {
        char *html = NULL;
        hk_err_t rc;

        hk_mem_fail_nth(nth);
        rc = ticket_status_compute(ev, n_ev, DAY, "A001", T0, &st);
        if(rc == HK_OK)
            rc = ticket_status_html(&st, "b", NULL, true, 480, &html, NULL);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            HK_ASSERT_CONTAINS(html, "A001");
            hk_free(html);
            break;
        }
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(nth < 10000);
    }
}

int main(void)
{
    HK_RUN(test_waiting_ticket_counts_its_own_service_and_todays_pace);
    HK_RUN(test_transfer_finish_and_unknown_numbers);
    HK_RUN(test_malformed_bodies_are_skipped_not_fatal);
    HK_RUN(test_page_says_it_in_both_languages_and_escapes);
    HK_RUN(test_page_survives_every_allocation_failure);
    return hk_test_end();
}
