/*
 * The counter role and the rating screens, in process (counter_harness.h):
 * the real counter controller, screens and SDL offscreen display, driven
 * by scripts of taps and keys, over branch_local on a real SQLite store.
 * What a clerk and a customer rely on: a wrong PIN is refused in words,
 * call next shows the number called, the function keys do what the
 * buttons do, finish leads the customer to the faces and stores exactly
 * one vote, an unused rating window gives the screen back (and the hub's
 * sweep records "not rated"), and a kiosk rates a finished visit by the
 * number on the ticket, typed or scanned, once.
 *
 * Coordinates are the 1080x1920 portrait layout's (see the goldens): the
 * counter's faces and chips, and the kiosk's (a Back/Home bar below).
 */
#include <stdio.h>
#include <string.h>

#include "counter_harness.h"
#include "i18n.h"
#include "journal.h"

static harness_t h;

/* s1 (王丽) on the login screen, the PIN by keyboard, Enter */
#define LOGIN_NO_EXPECT \
    "tap 205 421\nkey 2\nkey 4\nkey 6\nkey 8\nkey 1\nkey 0\nkey enter\nwait 500\n"
#define LOGIN_S1 LOGIN_NO_EXPECT "expect-screen counter_panel\n"

void setUp(void)
{
}

void tearDown(void)
{
    harness_close(&h);
}

static const ui_model_t *model(void)
{
    return counter_model(h.counter);
}

static int count_events(journal_type_t type)
{
    journal_event_t *ev = NULL;
    int n = 0, i, found = 0;

    HK_ASSERT_OK(journal_read_after(h.store, 0, 10000, &ev, &n));
    for(i = 0; i < n; i++)
        found += ev[i].type == type;
    journal_events_free(ev, n);
    return found;
}

/* The day's visits as the branch reports them (BRANCH_OP_VISITS), through
 * a branch of the test's own on the same store. */
static void visit_of(const char *number, branch_visit_t *out)
{
    mailbox_t *mb = NULL;
    branch_t b;
    mailbox_msg_t msg;
    const branch_result_t *r;
    int i, found = 0;

    HK_ASSERT_OK(mailbox_create(16, NULL, NULL, &mb));
    HK_ASSERT_OK(branch_local_create(h.store, &h.cfg, mb, harness_now, h.clock, &b));
    HK_ASSERT_OK(branch_visits(&b, 1, NULL));
    while(mailbox_take(mb, &msg)) {
        r = msg.payload;
        if(msg.kind == MAILBOX_BRANCH_DONE && r && r->op == BRANCH_OP_VISITS) {
            HK_ASSERT_OK(r->rc);
            for(i = 0; i < r->n_visits; i++)
                if(!strcmp(r->visits[i].ticket.number, number) &&
                   r->visits[i].ticket.state == TICKET_DONE) {
                    *out = r->visits[i];
                    found = 1;
                }
        }
        mailbox_msg_free(&msg);
    }
    branch_destroy(&b);
    mailbox_destroy(mb);
    HK_ASSERT_MSG(found, "no finished visit %s", number);
}

static void test_login_with_a_wrong_pin_says_so_and_stays_on_login(void)
{
    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, "expect-screen counter_login\n"
                                     "tap 205 421\nkey 1\nkey 2\nkey 3\nkey 4\nkey enter\n"
                                     "wait 500\nexpect-screen counter_login\n"));
    HK_ASSERT(!model()->counter.logged_in);
    HK_ASSERT_STR(i18n_get(I18N_ZH, I18N_COUNTER_PIN_WRONG), model()->counter.login_msg);
    HK_ASSERT_INT(0, model()->counter.pin_len); /* nothing of the PIN stays */
    /* Log in with no staff id chosen: told to choose one */
    harness_close(&h);
    harness_open(&h, 1080, 1920, "en", NULL);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, "key 1\nkey enter\nwait 300\nexpect-screen counter_login\n"));
    HK_ASSERT_STR("Choose your staff ID first", model()->counter.login_msg);
}

static void test_call_next_shows_the_number_called(void)
{
    ticket_t t;

    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    harness_issue(&h, "general", 9, 40);
    harness_issue(&h, "payment", 9, 50);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_S1 "key f1\nwait 300\n"));
    HK_ASSERT(model()->counter.logged_in);
    HK_ASSERT(model()->counter.has_ticket);
    HK_ASSERT_STR("A001", model()->counter.ticket.number);
    HK_ASSERT_STR("已呼叫 A001", model()->counter.toast);
    /* a second call while A001 is at the counter: one visit at a time */
    HK_ASSERT_INT(0, harness_run(&h, "key f1\nwait 300\n"));
    HK_ASSERT_STR("请先办结或过号当前号码", model()->counter.toast);
    HK_ASSERT_STR("A001", model()->counter.ticket.number);
    /* it is called in the store, at this counter; one left waiting */
    HK_ASSERT_OK(queue_find_ticket(h.queue, "2026-11-25", "A001", &t));
    HK_ASSERT_INT(TICKET_CALLED, t.state);
    HK_ASSERT_STR("c6", t.counter_id);
    HK_ASSERT_STR("s1", t.staff_id); /* the clerk who called it */
    /* waiting counts of this counter's services: payment 1, general 0 */
    HK_ASSERT_INT(1, model()->svc[config_service_index(&h.cfg, "payment")].waiting);
    HK_ASSERT_INT(0, model()->svc[config_service_index(&h.cfg, "general")].waiting);
    /* the live time since the call ticks */
    HK_ASSERT_INT(0, harness_run(&h, "wait 65000\n"));
    HK_ASSERT_STR("1:05", model()->counter.here_text);
    HK_ASSERT_STR("20:00", model()->counter.waited_text); /* issued 09:40, called 10:00 */
}

static void test_nobody_waiting_and_a_paused_counter_are_said_in_words(void)
{
    harness_open(&h, 1080, 1920, "en", NULL);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_S1 "key f1\nwait 300\n"));
    HK_ASSERT(!model()->counter.has_ticket);
    HK_ASSERT_STR("Nobody is waiting", model()->counter.toast);
    HK_ASSERT(model()->counter.toast_error);
    HK_ASSERT_INT(0, harness_run(&h, "key f6\nwait 300\nkey f1\nwait 300\n"));
    HK_ASSERT_INT(BRANCH_COUNTER_PAUSED, model()->counter.state);
    HK_ASSERT_STR("The counter is not open. Open it first.", model()->counter.toast);
    /* a ticket action without a ticket */
    HK_ASSERT_INT(0, harness_run(&h, "key f4\nwait 300\n"));
    HK_ASSERT_STR("There is no current ticket", model()->counter.toast);
    /* logging out closes the (paused) counter */
    HK_ASSERT_INT(0, harness_run(&h, "key f10\nwait 300\nexpect-screen counter_login\n"));
    {
        counter_state_t st;
        HK_ASSERT_OK(queue_counter_get_state(h.queue, "c6", &st));
        HK_ASSERT_INT(COUNTER_CLOSED, st);
    }
}

static void test_a_counter_not_in_the_config_says_so_and_logs_nobody_in(void)
{
    harness_open(&h, 1080, 1920, "en", NULL);
    harness_counter(&h, "c99");
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_NO_EXPECT));
    HK_ASSERT(!model()->counter.logged_in);
    HK_ASSERT_STR("Counter c99 is not in the configuration", model()->counter.login_msg);
}

static void test_function_keys_and_the_keypad_do_what_the_buttons_do(void)
{
    ticket_t t;
    counter_state_t st;

    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    harness_issue(&h, "general", 9, 0);
    harness_counter(&h, NULL);
    /* F1 call, F2 recall, F5 no-show + 1 put back */
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_S1 "key f1\nwait 300\nkey f2\nwait 300\n"));
    HK_ASSERT_INT(1, model()->counter.ticket.recalls);
    HK_ASSERT_INT(0, harness_run(&h, "key f5\nwait 300\n"));
    HK_ASSERT_INT(UI_PICK_NO_SHOW, model()->counter.pick);
    HK_ASSERT_INT(0, harness_run(&h, "key 1\nwait 300\n"));
    HK_ASSERT(!model()->counter.has_ticket);
    HK_ASSERT_OK(queue_find_ticket(h.queue, "2026-11-25", "A001", &t));
    HK_ASSERT_INT(TICKET_WAITING, t.state); /* back in the queue, its place kept */
    /* keypad 1 calls it again; 3 starts; F8 + 1 transfers to the first other service */
    HK_ASSERT_INT(0, harness_run(&h, "key 1\nwait 300\nkey 3\nwait 300\n"));
    HK_ASSERT_STR("A001", model()->counter.ticket.number);
    HK_ASSERT_INT(TICKET_SERVING, model()->counter.ticket.state);
    HK_ASSERT_INT(0, harness_run(&h, "key f8\nwait 300\nkey 1\nwait 300\n"));
    HK_ASSERT(!model()->counter.has_ticket);
    HK_ASSERT_OK(queue_find_ticket(h.queue, "2026-11-25", "A001", &t));
    HK_ASSERT_STR("vip", t.service_id);
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    /* Esc closes a choice without acting */
    HK_ASSERT_INT(0, harness_run(&h, "key f5\nwait 300\nkey escape\nwait 300\n"));
    HK_ASSERT_INT(UI_PICK_NONE, model()->counter.pick);
    /* F6 pauses, 6 resumes, F7 closes, F10 logs out */
    HK_ASSERT_INT(0, harness_run(&h, "key f6\nwait 300\n"));
    HK_ASSERT_OK(queue_counter_get_state(h.queue, "c6", &st));
    HK_ASSERT_INT(COUNTER_PAUSED, st);
    HK_ASSERT_INT(0, harness_run(&h, "key 6\nwait 300\n"));
    HK_ASSERT_OK(queue_counter_get_state(h.queue, "c6", &st));
    HK_ASSERT_INT(COUNTER_OPEN, st);
    HK_ASSERT_INT(0, harness_run(&h, "key f7\nwait 300\n"));
    HK_ASSERT_OK(queue_counter_get_state(h.queue, "c6", &st));
    HK_ASSERT_INT(COUNTER_CLOSED, st);
    HK_ASSERT_INT(0, harness_run(&h, "key f10\nwait 300\nexpect-screen counter_login\n"));
    HK_ASSERT(!model()->counter.logged_in);
}

static void test_finish_leads_to_the_rating_and_stores_one_vote(void)
{
    rating_t *r = NULL;
    rating_record_t rec;
    ticket_t t;

    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    t = harness_issue(&h, "general", 9, 0);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_S1 "key f1\nwait 300\nkey f3\nwait 300\nkey f4\n"
                                              "wait 300\nexpect-screen rate_staff\n"));
    /* the customer side says who served and which number */
    HK_ASSERT_STR("王丽", model()->rate.staff_name);
    HK_ASSERT_STR("s1", model()->rate.staff_id);
    HK_ASSERT_STR("王", model()->rate.initials);
    HK_ASSERT_STR("A001", model()->rate.number);
    HK_ASSERT(model()->rate.countdown_s > 50);
    HK_ASSERT_INT(0, harness_run(&h, "wait 5500\nexpect-screen rate_faces\n"
                                     "tap 540 1415\nwait 400\n"));
    HK_ASSERT_INT(UI_RATE_REASONS, model()->rate.phase);
    HK_ASSERT_INT(2, model()->rate.level);
    HK_ASSERT_INT(0, harness_run(&h, "tap 288 1070\nwait 400\ntap 288 1264\nwait 400\n"
                                     /* submit, and the customer presses again */
                                     "tap 540 1462\ntap 540 1462\nwait 400\ntap 540 1462\n"
                                     "tap 540 617\nwait 400\n"));
    HK_ASSERT_INT(UI_RATE_THANKS, model()->rate.phase);
    HK_ASSERT_OK(rating_open(h.store, &h.cfg, &r));
    HK_ASSERT_OK(rating_get(r, t.id, &rec));
    HK_ASSERT_INT(RATING_DISSATISFIED, rec.level);
    HK_ASSERT_INT(RATING_REASON_EFFICIENCY | RATING_REASON_ATTITUDE, rec.reasons);
    HK_ASSERT_INT(RATING_SOURCE_COUNTER, rec.source);
    HK_ASSERT_STR("c6", rec.counter_id);
    HK_ASSERT_STR("s1", rec.staff_id);
    HK_ASSERT(rec.follow_up);
    rating_destroy(r);
    HK_ASSERT_INT(1, count_events(JOURNAL_VISIT_RATED));
    {
        /* and so the day's visits say, as the hub would tell a client */
        branch_visit_t v;
        visit_of("A001", &v);
        HK_ASSERT(v.has_rating);
        HK_ASSERT_INT(RATING_DISSATISFIED, v.rating.level);
        HK_ASSERT_STR("s1", v.staff_id);
    }
    /* thanks, then the clerk's panel again */
    HK_ASSERT_INT(0, harness_run(&h, "wait 4500\nexpect-screen counter_panel\n"));
}

static void test_an_unused_rating_window_gives_the_screen_back(void)
{
    rating_t *r = NULL;
    rating_record_t rec;
    ticket_t t;
    int n = 0;

    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    t = harness_issue(&h, "general", 9, 0);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_S1 "key f1\nwait 300\nkey f4\nwait 300\n"
                                              "expect-screen rate_staff\nwait 30000\n"
                                              "expect-screen rate_faces\n"));
    HK_ASSERT(model()->rate.countdown_s > 25 && model()->rate.countdown_s <= 30);
    HK_ASSERT_INT(0, harness_run(&h, "wait 31000\nexpect-screen counter_panel\n"));
    HK_ASSERT_OK(rating_open(h.store, &h.cfg, &r));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, rating_get(r, t.id, &rec)); /* no vote */
    /* the hub's sweep records it as not rated */
    HK_ASSERT_OK(rating_expire(r, RATING_WINDOW_S_DEFAULT, hk_clock_wall_ms(h.clock), &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_OK(rating_get(r, t.id, &rec));
    HK_ASSERT_INT(RATING_NOT_RATED, rec.level);
    rating_destroy(r);
    HK_ASSERT_INT(0, count_events(JOURNAL_VISIT_RATED));
}

static void test_a_face_chosen_but_not_submitted_is_sent_before_the_window_closes(void)
{
    rating_t *r = NULL;
    rating_record_t rec;
    ticket_t t;

    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    t = harness_issue(&h, "general", 9, 0);
    harness_counter(&h, NULL);
    HK_ASSERT_INT(0, harness_run(&h, LOGIN_S1 "key f1\nwait 300\nkey f4\nwait 300\n"
                                              "wait 5500\nexpect-screen rate_faces\n"
                                              "tap 540 617\nwait 70000\n"));
    HK_ASSERT_OK(rating_open(h.store, &h.cfg, &r));
    HK_ASSERT_OK(rating_get(r, t.id, &rec));
    HK_ASSERT_INT(RATING_VERY_SATISFIED, rec.level);
    rating_destroy(r);
}

/* A finished visit of today, for the kiosk. */
static ticket_t finished_visit(void)
{
    ticket_t t = harness_issue(&h, "general", 9, 0), c;

    HK_ASSERT_OK(queue_call_next(h.queue, "c2", HARNESS_WALL0 - 60000, &c));
    HK_ASSERT_OK(queue_finish(h.queue, c.id, HARNESS_WALL0 - 30000));
    return t;
}

static void test_the_kiosk_rates_a_visit_by_the_number_typed(void)
{
    rating_t *r = NULL;
    rating_record_t rec;
    ticket_t t;

    harness_open(&h, 1080, 1920, "zh-CN", NULL);
    t = finished_visit();
    harness_issue(&h, "general", 9, 30); /* A002: waiting, not finished */
    harness_kiosk(&h);
    /* attract -> home -> rate tile; a number that is not finished yet */
    HK_ASSERT_INT(0, harness_run(&h, "tap 540 1200\nwait 500\ntap 870 1400\nwait 500\n"
                                     "expect-screen rate_number\n"
                                     "key a\nkey 2\nkey enter\nwait 300\n"
                                     "expect-screen rate_number\n"
                                     "key backspace\nkey a\nkey 1\nkey enter\nwait 500\n"
                                     "expect-screen rate_faces\n"
                                     "tap 540 617\nwait 400\ntap 540 1405\ntap 540 1405\n"
                                     "wait 400\n"
                                     /* thanks, home; the same number again: refused */
                                     "wait 4500\nexpect-screen home\ntap 870 1400\nwait 500\n"
                                     "key a\nkey 1\nkey enter\nwait 500\n"
                                     "expect-screen rate_number\n"));
    HK_ASSERT_OK(rating_open(h.store, &h.cfg, &r));
    HK_ASSERT_OK(rating_get(r, t.id, &rec));
    HK_ASSERT_INT(RATING_VERY_SATISFIED, rec.level);
    HK_ASSERT_INT(RATING_SOURCE_KIOSK, rec.source);
    rating_destroy(r);
    HK_ASSERT_INT(1, count_events(JOURNAL_VISIT_RATED));
}

static void test_the_kiosk_reads_a_scanned_ticket_qr_code(void)
{
    rating_t *r = NULL;
    rating_record_t rec;
    ticket_t t;
    char script[2048];
    const char *url = "https://q.10086.example/t/sh-xuhui-01/2026-11-25/A001";
    size_t i, n = 0;

    harness_open(&h, 1080, 1920, "en", NULL);
    t = finished_visit();
    harness_kiosk(&h);
    n += (size_t)snprintf(script + n, sizeof(script) - n,
                          "tap 540 1200\nwait 500\ntap 870 1400\nwait 500\n");
    /* the scanner types the URL and Enter */
    for(i = 0; url[i]; i++)
        n += (size_t)snprintf(script + n, sizeof(script) - n, "key %c\n", url[i]);
    snprintf(script + n, sizeof(script) - n,
             "key enter\nwait 500\nexpect-screen rate_faces\n"
             "tap 540 1149\nwait 400\ntap 792 1013\nwait 400\ntap 540 1405\nwait 400\n");
    HK_ASSERT_INT(0, harness_run(&h, script));
    HK_ASSERT_OK(rating_open(h.store, &h.cfg, &r));
    HK_ASSERT_OK(rating_get(r, t.id, &rec));
    HK_ASSERT_INT(RATING_BASIC, rec.level);
    HK_ASSERT_INT(RATING_REASON_COMPETENCE, rec.reasons);
    rating_destroy(r);
}

int main(void)
{
    HK_RUN(test_login_with_a_wrong_pin_says_so_and_stays_on_login);
    HK_RUN(test_call_next_shows_the_number_called);
    HK_RUN(test_nobody_waiting_and_a_paused_counter_are_said_in_words);
    HK_RUN(test_a_counter_not_in_the_config_says_so_and_logs_nobody_in);
    HK_RUN(test_function_keys_and_the_keypad_do_what_the_buttons_do);
    HK_RUN(test_finish_leads_to_the_rating_and_stores_one_vote);
    HK_RUN(test_an_unused_rating_window_gives_the_screen_back);
    HK_RUN(test_a_face_chosen_but_not_submitted_is_sent_before_the_window_closes);
    HK_RUN(test_the_kiosk_rates_a_visit_by_the_number_typed);
    HK_RUN(test_the_kiosk_reads_a_scanned_ticket_qr_code);
    return hk_test_end();
}
