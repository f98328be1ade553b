/*
 * branch_local: the branch interface over a real SQLite file. Results come
 * only through the mailbox, with the caller's tag; a committed change is
 * followed by a journal notice carrying the journal's last seq, a refused
 * one is not; snapshots show what the queue holds; the calling operations
 * move tickets and counters; a full mailbox cannot un-commit a ticket
 * (the op reports BUSY, the ticket stays in the queue and the journal);
 * and the rating operations (rate at the counter, look up and rate by
 * number at the kiosk, the not-rated sweep) answer the same way, with a
 * journal notice only when they stored something.
 */
#include <stdio.h>
#include <string.h>

#include "branch_local.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "journal.h"

static config_t cfg;
static store_t *st;
static mailbox_t *mb;
static branch_t br;
static int64_t now_wall;

static int64_t days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t fixed_now(void *user)
{
    (void)user;
    return now_wall;
}

static void open_branch(int mailbox_cap)
{
    hk_diag_t diag;
    char path[1024];

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &cfg, &diag));
    /* Wednesday 2026-11-25 10:30 in the branch's zone: everything open */
    now_wall = (days_from_civil(2026, 11, 25) * 86400 + 10 * 3600 + 30 * 60 -
                (int64_t)cfg.utc_offset_min * 60) *
               1000;
    HK_ASSERT_OK(store_open(hk_test_path("branch.db"), &st, &diag));
    HK_ASSERT_OK(mailbox_create(mailbox_cap, NULL, NULL, &mb));
    HK_ASSERT_OK(branch_local_create(st, &cfg, mb, fixed_now, NULL, &br));
}

void setUp(void)
{
    st = NULL;
    mb = NULL;
    memset(&br, 0, sizeof(br));
}

void tearDown(void)
{
    branch_destroy(&br);
    mailbox_destroy(mb);
    store_close(st);
    hk_log_set_stderr(true);
}

/* Take the next message: it must be BRANCH_DONE with tag; returns the result. */
static branch_result_t take_result(uint64_t tag, mailbox_msg_t *m)
{
    branch_result_t r;

    HK_ASSERT_MSG(mailbox_take(mb, m), "no result posted for tag %llu", (unsigned long long)tag);
    HK_ASSERT_INT(MAILBOX_BRANCH_DONE, m->kind);
    HK_ASSERT_INT(tag, (long long)m->tag);
    HK_ASSERT(m->payload != NULL);
    r = *(branch_result_t *)m->payload;
    HK_ASSERT_INT(r.rc, m->rc);
    mailbox_msg_free(m);
    return r;
}

static int64_t take_notice(void)
{
    mailbox_msg_t m;

    HK_ASSERT_MSG(mailbox_take(mb, &m), "no journal notice");
    HK_ASSERT_INT(MAILBOX_JOURNAL_ADVANCED, m.kind);
    mailbox_msg_free(&m);
    return m.i64;
}

static branch_snapshot_t snapshot(uint64_t tag)
{
    static branch_result_t r; /* large */
    mailbox_msg_t m;

    HK_ASSERT_OK(branch_snapshot(&br, tag));
    r = take_result(tag, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_SNAPSHOT, r.op);
    return r.snapshot;
}

static const branch_service_snap_t *svc(const branch_snapshot_t *s, const char *id)
{
    int i;

    for(i = 0; i < s->n_services; i++)
        if(!strcmp(s->services[i].service_id, id))
            return &s->services[i];
    hk_test_fail(__FILE__, __LINE__, "service %s not in the snapshot", id);
}

static const branch_counter_snap_t *ctr(const branch_snapshot_t *s, const char *id)
{
    int i;

    for(i = 0; i < s->n_counters; i++)
        if(!strcmp(s->counters[i].counter_id, id))
            return &s->counters[i];
    hk_test_fail(__FILE__, __LINE__, "counter %s not in the snapshot", id);
}

static void test_branch_take_number_answers_through_the_mailbox_then_notices(void)
{
    mailbox_msg_t m;
    branch_result_t r;
    int64_t last = 0;

    open_branch(16);
    HK_ASSERT_INT(0, mailbox_count(mb));
    HK_ASSERT_OK(branch_take_number(&br, 41, cfg.services[0].id));
    r = take_result(41, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT(r.has_ticket);
    HK_ASSERT_INT(BRANCH_OP_TAKE_NUMBER, r.op);
    HK_ASSERT_STR(cfg.services[0].id, r.ticket.service_id);
    HK_ASSERT(r.ticket.number[0] == cfg.services[0].prefix);
    HK_ASSERT_STR("001", r.ticket.number + 1);
    HK_ASSERT_OK(journal_last_seq(st, &last));
    HK_ASSERT(last >= 1);
    HK_ASSERT_INT(last, r.journal_seq);
    HK_ASSERT_INT(last, take_notice()); /* the screens' cue to refresh counts */
    HK_ASSERT(!mailbox_take(mb, &m));
}

static void test_branch_refused_operation_reports_and_leaves_the_journal_alone(void)
{
    mailbox_msg_t m;
    branch_result_t r;
    int64_t before = -1, after = -1;

    open_branch(16);
    HK_ASSERT_OK(journal_last_seq(st, &before));
    HK_ASSERT_OK(branch_take_number(&br, 7, "no-such-service"));
    r = take_result(7, &m);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, r.rc);
    HK_ASSERT(!r.has_ticket);
    HK_ASSERT(!mailbox_take(mb, &m)); /* nothing committed: no notice */
    HK_ASSERT_OK(journal_last_seq(st, &after));
    HK_ASSERT_INT(before, after);
}

static void test_branch_snapshot_follows_takes_and_calls(void)
{
    mailbox_msg_t m;
    branch_snapshot_t s;
    branch_result_t r;
    const char *general = cfg.services[0].id, *c1 = cfg.counters[0].id;
    int i;

    open_branch(64);
    for(i = 0; i < 3; i++) {
        HK_ASSERT_OK(branch_take_number(&br, (uint64_t)(10 + i), general));
        HK_ASSERT_OK(take_result((uint64_t)(10 + i), &m).rc);
        (void)take_notice();
    }
    s = snapshot(20);
    HK_ASSERT_INT(3, svc(&s, general)->waiting);
    HK_ASSERT(svc(&s, general)->est_wait_s > 0);
    HK_ASSERT(!ctr(&s, c1)->has_ticket);
    HK_ASSERT_OK(branch_call_next(&br, 21, c1));
    r = take_result(21, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT(r.has_ticket);
    (void)take_notice();
    s = snapshot(22);
    HK_ASSERT_INT(2, svc(&s, general)->waiting);
    HK_ASSERT(ctr(&s, c1)->has_ticket);
    HK_ASSERT_STR(r.ticket.number, ctr(&s, c1)->ticket.number);
    HK_ASSERT_INT(BRANCH_COUNTER_OPEN, ctr(&s, c1)->state);
    HK_ASSERT_INT(r.journal_seq, s.journal_seq);
}

static void test_branch_calling_operations_move_tickets_and_counters(void)
{
    mailbox_msg_t m;
    branch_snapshot_t s;
    branch_result_t r, a, b;
    const char *general = cfg.services[0].id, *c1 = cfg.counters[0].id;

    open_branch(64);
    HK_ASSERT_OK(branch_take_number(&br, 1, general));
    a = take_result(1, &m);
    (void)take_notice();
    HK_ASSERT_OK(branch_take_number(&br, 2, general));
    b = take_result(2, &m);
    (void)take_notice();
    /* call the second ticket by id, ahead of the first */
    HK_ASSERT_OK(branch_call_ticket(&br, 3, c1, b.ticket.id));
    r = take_result(3, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_STR(b.ticket.number, r.ticket.number);
    HK_ASSERT_INT(TICKET_CALLED, r.ticket.state);
    (void)take_notice();
    HK_ASSERT_OK(branch_recall(&br, 4, b.ticket.id));
    r = take_result(4, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(1, r.ticket.recalls);
    (void)take_notice();
    /* no-show, put back: waiting again with its own issue time, so it is
     * still behind the first ticket */
    HK_ASSERT_OK(branch_no_show(&br, 5, b.ticket.id, true));
    r = take_result(5, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(TICKET_WAITING, r.ticket.state);
    (void)take_notice();
    s = snapshot(6);
    HK_ASSERT_INT(2, svc(&s, general)->waiting);
    HK_ASSERT(!ctr(&s, c1)->has_ticket);
    /* serve the first one to the end */
    HK_ASSERT_OK(branch_call_next(&br, 7, c1));
    r = take_result(7, &m);
    HK_ASSERT_STR(a.ticket.number, r.ticket.number);
    (void)take_notice();
    HK_ASSERT_OK(branch_start(&br, 8, a.ticket.id));
    HK_ASSERT_INT(TICKET_SERVING, take_result(8, &m).ticket.state);
    (void)take_notice();
    HK_ASSERT_OK(branch_finish(&br, 9, a.ticket.id));
    HK_ASSERT_INT(TICKET_DONE, take_result(9, &m).ticket.state);
    (void)take_notice();
    /* a paused counter shows as paused and is not called to */
    HK_ASSERT_OK(branch_set_counter(&br, 10, c1, BRANCH_COUNTER_PAUSED, NULL));
    HK_ASSERT_OK(take_result(10, &m).rc);
    (void)take_notice();
    s = snapshot(11);
    HK_ASSERT_INT(BRANCH_COUNTER_PAUSED, ctr(&s, c1)->state);
    HK_ASSERT_OK(branch_call_next(&br, 12, c1));
    HK_ASSERT(take_result(12, &m).rc != HK_OK);
    HK_ASSERT(!mailbox_take(mb, &m));
    HK_ASSERT_OK(branch_set_counter(&br, 13, c1, (branch_counter_state_t)7, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(13, &m).rc);
}

static void test_branch_full_mailbox_cannot_uncommit_a_ticket(void)
{
    mailbox_msg_t m;
    journal_event_t *ev = NULL;
    int n = 0, issued = 0;

    hk_log_set_stderr(false); /* the refusal is logged on purpose */
    open_branch(1);
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_PRINT_DONE, 99, HK_OK, 0)); /* now full */
    HK_ASSERT_INT(HK_ERR_BUSY, branch_take_number(&br, 5, cfg.services[0].id));
    HK_ASSERT_INT(1, (long long)branch_local_undelivered(&br));
    HK_ASSERT(mailbox_refused(mb) >= 1);
    HK_ASSERT(mailbox_take(mb, &m));
    HK_ASSERT_INT(MAILBOX_PRINT_DONE, m.kind);
    /* the ticket is stored, with its event: a clerk can still call it */
    HK_ASSERT_OK(journal_read_after(st, 0, 10, &ev, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_INT(JOURNAL_TICKET_ISSUED, ev[0].type);
    journal_events_free(ev, n);
    {
        branch_snapshot_t s = snapshot(6);
        issued = svc(&s, cfg.services[0].id)->waiting;
    }
    HK_ASSERT_INT(1, issued);
}

/* One finished visit at c1 through the branch; returns its ticket. */
static ticket_t finished_visit(uint64_t tag)
{
    mailbox_msg_t m;
    branch_result_t r;
    ticket_t t;

    HK_ASSERT_OK(branch_take_number(&br, tag, cfg.services[0].id));
    t = take_result(tag, &m).ticket;
    (void)take_notice();
    HK_ASSERT_OK(branch_call_ticket(&br, tag + 1, cfg.counters[0].id, t.id));
    HK_ASSERT_OK(take_result(tag + 1, &m).rc);
    (void)take_notice();
    HK_ASSERT_OK(branch_finish(&br, tag + 2, t.id));
    r = take_result(tag + 2, &m);
    HK_ASSERT_OK(r.rc);
    (void)take_notice();
    return r.ticket;
}

static void test_branch_rate_answers_through_the_mailbox_once_per_visit(void)
{
    rating_vote_t low = { RATING_VERY_DISSATISFIED, RATING_REASON_ATTITUDE, 0 };
    rating_vote_t high = { RATING_VERY_SATISFIED, 0, RATING_PRAISE_ATTITUDE };
    mailbox_msg_t m;
    branch_result_t r;
    ticket_t a;
    int64_t seq = 0;

    open_branch(16);
    a = finished_visit(1);
    now_wall += 5000;
    HK_ASSERT_OK(branch_rate(&br, 10, a.id, &low, RATING_SOURCE_COUNTER));
    r = take_result(10, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_RATE, r.op);
    HK_ASSERT(r.has_rating);
    HK_ASSERT_INT(a.id, r.rating.ticket_id);
    HK_ASSERT_STR(a.number, r.rating.number);
    HK_ASSERT_STR(cfg.counters[0].id, r.rating.counter_id);
    HK_ASSERT_INT(RATING_VERY_DISSATISFIED, r.rating.level);
    HK_ASSERT(r.rating.follow_up);
    HK_ASSERT_OK(journal_last_seq(st, &seq));
    HK_ASSERT_INT(seq, r.journal_seq);
    HK_ASSERT_INT(seq, take_notice());
    /* A repeated press: the first result again, no notice (nothing new). */
    HK_ASSERT_OK(branch_rate(&br, 11, a.id, &low, RATING_SOURCE_COUNTER));
    r = take_result(11, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(RATING_VERY_DISSATISFIED, r.rating.level);
    HK_ASSERT(!mailbox_take(mb, &m));
    /* A second vote: refused, no notice, the journal unchanged. */
    HK_ASSERT_OK(branch_rate(&br, 12, a.id, &high, RATING_SOURCE_COUNTER));
    r = take_result(12, &m);
    HK_ASSERT_INT(HK_ERR_BUSY, r.rc);
    HK_ASSERT(!r.has_rating);
    HK_ASSERT(!mailbox_take(mb, &m));
    HK_ASSERT_INT(seq, r.journal_seq);
    HK_ASSERT_STR("rate", branch_op_str(BRANCH_OP_RATE));
    HK_ASSERT_STR("rate_number", branch_op_str(BRANCH_OP_RATE_NUMBER));
    HK_ASSERT_STR("rating_lookup", branch_op_str(BRANCH_OP_RATING_LOOKUP));
    HK_ASSERT_STR("expire_ratings", branch_op_str(BRANCH_OP_EXPIRE_RATINGS));
    HK_ASSERT_STR("set_counter", branch_op_str(BRANCH_OP_SET_COUNTER));
    HK_ASSERT_STR("unknown", branch_op_str(BRANCH_OP_COUNT));
}

static void test_branch_kiosk_looks_up_and_rates_later_after_the_sweep(void)
{
    rating_vote_t v = { RATING_SATISFIED, 0, RATING_PRAISE_EFFICIENCY };
    mailbox_msg_t m;
    branch_result_t r;
    ticket_t a, w;
    int64_t seq = 0;

    open_branch(16);
    a = finished_visit(1);
    HK_ASSERT_OK(branch_take_number(&br, 5, cfg.services[0].id));
    w = take_result(5, &m).ticket;
    (void)take_notice();
    /* Within the window the sweep has nothing to mark: no notice. */
    now_wall += (int64_t)RATING_WINDOW_S_DEFAULT * 1000;
    HK_ASSERT_OK(branch_expire_ratings(&br, 6));
    r = take_result(6, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_EXPIRE_RATINGS, r.op);
    HK_ASSERT_INT(0, r.expired);
    HK_ASSERT(!mailbox_take(mb, &m));
    /* The counter's window passes unrated: recorded as not rated. */
    now_wall += 1;
    HK_ASSERT_OK(branch_expire_ratings(&br, 7));
    r = take_result(7, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(1, r.expired);
    HK_ASSERT_INT(r.journal_seq, take_notice());
    HK_ASSERT_OK(branch_rate(&br, 8, a.id, &v, RATING_SOURCE_COUNTER));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(8, &m).rc);
    /* An hour later at the kiosk: look the number up, then rate it. */
    now_wall += 3600 * 1000;
    HK_ASSERT_OK(branch_rating_lookup(&br, 9, NULL, a.number));
    r = take_result(9, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_RATING_LOOKUP, r.op);
    HK_ASSERT_INT(RATING_STATUS_OPEN, r.rating_status);
    HK_ASSERT(r.has_rating);
    HK_ASSERT_STR(a.number, r.rating.number);
    HK_ASSERT(!mailbox_take(mb, &m)); /* a lookup stores nothing */
    HK_ASSERT_OK(branch_rating_lookup(&br, 10, "", w.number));
    r = take_result(10, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(RATING_STATUS_NOT_FINISHED, r.rating_status);
    HK_ASSERT_OK(branch_rating_lookup(&br, 11, NULL, "Z999"));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, take_result(11, &m).rc);
    HK_ASSERT_OK(branch_rate_number(&br, 12, NULL, a.number, &v));
    r = take_result(12, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_RATE_NUMBER, r.op);
    HK_ASSERT_INT(RATING_SATISFIED, r.rating.level);
    HK_ASSERT_INT(RATING_SOURCE_KIOSK, r.rating.source);
    HK_ASSERT_INT(RATING_PRAISE_EFFICIENCY, r.rating.praise);
    HK_ASSERT_OK(journal_last_seq(st, &seq));
    HK_ASSERT_INT(seq, take_notice());
    /* The number of a waiting ticket, or a day that is not today. */
    HK_ASSERT_OK(branch_rate_number(&br, 13, NULL, w.number, &v));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(13, &m).rc);
    HK_ASSERT_OK(branch_rate_number(&br, 14, "2020-01-01", a.number, &v));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, take_result(14, &m).rc);
    HK_ASSERT_OK(branch_rating_lookup(&br, 15, NULL, a.number));
    HK_ASSERT_INT(RATING_STATUS_RATED, take_result(15, &m).rating_status);
    HK_ASSERT(!mailbox_take(mb, &m));
}

/* A counter opened by a member of staff stamps them on its calls; the
 * snapshot names them; closing ends the login; the day's visits list
 * every ticket with who called it and its rating. */
static void test_branch_staff_login_stamps_calls_and_visits_list_the_day(void)
{
    mailbox_msg_t m;
    branch_snapshot_t s;
    branch_result_t r, a;
    branch_result_t *v;
    const char *general = "general", *c2 = cfg.counters[1].id;
    rating_vote_t vote;

    open_branch(64);
    /* wrong PIN, then the right one (the sample's demo PIN) */
    HK_ASSERT_OK(branch_login(&br, 1, "s2", "111111"));
    r = take_result(1, &m);
    HK_ASSERT_INT(HK_ERR_INVALID, r.rc);
    HK_ASSERT(!r.has_staff);
    HK_ASSERT_OK(branch_login(&br, 2, "s2", "246810"));
    r = take_result(2, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT(r.has_staff);
    HK_ASSERT_STR("s2", r.staff.id);
    HK_ASSERT_STR("Li Qiang", r.staff.name_en);
    HK_ASSERT(!mailbox_take(mb, &m)); /* a login changes nothing */

    /* an unknown staff id cannot open a counter */
    HK_ASSERT_OK(branch_set_counter(&br, 3, c2, BRANCH_COUNTER_OPEN, "s99"));
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, take_result(3, &m).rc);
    HK_ASSERT_OK(branch_set_counter(&br, 4, c2, BRANCH_COUNTER_OPEN, "s2"));
    HK_ASSERT_OK(take_result(4, &m).rc);
    (void)take_notice(); /* open -> open with a login: a handover event */
    s = snapshot(5);
    HK_ASSERT_STR("s2", ctr(&s, c2)->staff_id);

    HK_ASSERT_OK(branch_take_number(&br, 6, general));
    a = take_result(6, &m);
    (void)take_notice();
    HK_ASSERT_OK(branch_call_next(&br, 7, c2));
    r = take_result(7, &m);
    HK_ASSERT_STR(a.ticket.number, r.ticket.number);
    HK_ASSERT_STR("s2", r.ticket.staff_id);
    (void)take_notice();
    HK_ASSERT_OK(branch_finish(&br, 8, a.ticket.id));
    HK_ASSERT_STR("s2", take_result(8, &m).ticket.staff_id);
    (void)take_notice();
    memset(&vote, 0, sizeof(vote));
    vote.level = RATING_VERY_SATISFIED;
    HK_ASSERT_OK(branch_rate(&br, 9, a.ticket.id, &vote, RATING_SOURCE_COUNTER));
    r = take_result(9, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_STR("s2", r.rating.staff_id); /* the rating names who served */
    (void)take_notice();
    HK_ASSERT_OK(branch_take_number(&br, 10, general));
    (void)take_result(10, &m);
    (void)take_notice();

    /* the day's visits: both tickets in issue order, one rated */
    HK_ASSERT_OK(branch_visits(&br, 11, NULL));
    HK_ASSERT(mailbox_take(mb, &m));
    HK_ASSERT_INT(MAILBOX_BRANCH_DONE, m.kind);
    v = m.payload;
    HK_ASSERT_OK(v->rc);
    HK_ASSERT_INT(2, v->n_visits);
    HK_ASSERT_STR(a.ticket.number, v->visits[0].ticket.number);
    HK_ASSERT_STR("s2", v->visits[0].staff_id);
    HK_ASSERT(v->visits[0].has_rating);
    HK_ASSERT_INT(RATING_VERY_SATISFIED, v->visits[0].rating.level);
    HK_ASSERT_INT(TICKET_WAITING, v->visits[1].ticket.state);
    HK_ASSERT(!v->visits[1].has_rating);
    HK_ASSERT_STR("", v->visits[1].staff_id);
    mailbox_msg_free(&m);

    /* closing ends the login: the snapshot no longer names anybody */
    HK_ASSERT_OK(branch_set_counter(&br, 12, c2, BRANCH_COUNTER_CLOSED, NULL));
    HK_ASSERT_OK(take_result(12, &m).rc);
    (void)take_notice();
    s = snapshot(13);
    HK_ASSERT_STR("", ctr(&s, c2)->staff_id);
}

/* A kiosk's offline tickets: the hub never numbers inside a block; a
 * handed-in ticket joins the line by its issue time; handing it in again
 * changes nothing; a number outside the block, of another day or taken
 * by another ticket is refused. */
static void test_branch_offline_tickets_join_in_issue_order_and_never_collide(void)
{
    mailbox_msg_t m;
    branch_result_t r, first;
    ticket_t off;
    const char *general = "general", *c2 = cfg.counters[1].id;
    int kiosk2, i;
    char want[8];

    open_branch(64);
    kiosk2 = config_device_index(&cfg, "kiosk-2");
    HK_ASSERT(kiosk2 >= 0);
    /* a small block early on, so the hub must jump over it */
    cfg.devices[kiosk2].block_from = 3;
    cfg.devices[kiosk2].block_to = 5;
    branch_local_set_config(&br, &cfg);
    for(i = 0; i < 3; i++) {
        HK_ASSERT_OK(branch_take_number(&br, 1, general));
        r = take_result(1, &m);
        HK_ASSERT_OK(r.rc);
        (void)take_notice();
        if(i == 0)
            first = r;
        now_wall += 120000; /* two minutes apart */
    }
    (void)snprintf(want, sizeof(want), "%c006",
                   cfg.services[config_service_index(&cfg, general)].prefix);
    HK_ASSERT_STR(want, r.ticket.number); /* 1, 2, then 6: 3..5 are kiosk-2's */

    /* kiosk-2 issued A004 while cut off, a minute after the first ticket */
    memset(&off, 0, sizeof(off));
    memcpy(off.day, first.ticket.day, sizeof(off.day));
    (void)snprintf(off.number, sizeof(off.number), "%c004",
                   cfg.services[config_service_index(&cfg, general)].prefix);
    (void)snprintf(off.service_id, sizeof(off.service_id), "%s", general);
    (void)snprintf(off.device_id, sizeof(off.device_id), "kiosk-2");
    off.issued_ms = first.ticket.issued_ms + 60000;
    HK_ASSERT_OK(branch_import_ticket(&br, 2, &off));
    r = take_result(2, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT(r.created);
    HK_ASSERT_STR("kiosk-2", r.ticket.device_id);
    (void)take_notice();
    /* the same hand-in again (its answer was lost): nothing new */
    HK_ASSERT_OK(branch_import_ticket(&br, 3, &off));
    r = take_result(3, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT(!r.created);
    HK_ASSERT(!mailbox_take(mb, &m));
    /* the same number from another time: a conflict */
    off.issued_ms += 1;
    HK_ASSERT_OK(branch_import_ticket(&br, 4, &off));
    HK_ASSERT_INT(HK_ERR_CONFLICT, take_result(4, &m).rc);
    /* outside kiosk-2's block, and from another device's point of view */
    off.issued_ms -= 1;
    (void)snprintf(off.number, sizeof(off.number), "%c007",
                   cfg.services[config_service_index(&cfg, general)].prefix);
    HK_ASSERT_OK(branch_import_ticket(&br, 5, &off));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(5, &m).rc);
    (void)snprintf(off.number, sizeof(off.number), "%c005",
                   cfg.services[config_service_index(&cfg, general)].prefix);
    (void)snprintf(off.device_id, sizeof(off.device_id), "kiosk-3");
    HK_ASSERT_OK(branch_import_ticket(&br, 6, &off));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(6, &m).rc);
    /* yesterday's offline ticket is not brought into today's line */
    (void)snprintf(off.device_id, sizeof(off.device_id), "kiosk-2");
    (void)snprintf(off.day, sizeof(off.day), "2026-11-24");
    HK_ASSERT_OK(branch_import_ticket(&br, 7, &off));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(7, &m).rc);
    HK_ASSERT(!mailbox_take(mb, &m));

    /* issue-time order: first ticket, then the offline A004 (a minute
     * later), then A002 (two minutes later) */
    HK_ASSERT_OK(branch_call_next(&br, 8, c2));
    HK_ASSERT_STR(first.ticket.number, take_result(8, &m).ticket.number);
    (void)take_notice();
    HK_ASSERT_OK(branch_finish(&br, 9, first.ticket.id));
    (void)take_result(9, &m);
    (void)take_notice();
    HK_ASSERT_OK(branch_call_next(&br, 10, c2));
    r = take_result(10, &m);
    (void)snprintf(want, sizeof(want), "%c004",
                   cfg.services[config_service_index(&cfg, general)].prefix);
    HK_ASSERT_STR(want, r.ticket.number);
}

/* ---- self-help (issue 8): faq.feedback, triage.chosen, issue.submitted ---- */

static journal_event_t last_event(void)
{
    journal_event_t *ev = NULL, e;
    int64_t last = 0;
    int n = 0;

    HK_ASSERT_OK(journal_last_seq(st, &last));
    HK_ASSERT_OK(journal_read_after(st, last - 1, 1, &ev, &n));
    HK_ASSERT_INT(1, n);
    e = ev[0];
    ev[0].body = NULL;
    journal_events_free(ev, n);
    return e;
}

static void test_branch_self_help_ops_journal_one_event_each_through_the_mailbox(void)
{
    submission_t sub;
    mailbox_msg_t m;
    branch_result_t r;
    journal_event_t e;

    open_branch(16);
    HK_ASSERT_OK(branch_faq_feedback(&br, 41, "bill-check", 3, true, "zh-CN"));
    r = take_result(41, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_FAQ_FEEDBACK, r.op);
    HK_ASSERT_INT(r.journal_seq, take_notice());
    e = last_event();
    HK_ASSERT_INT(JOURNAL_FAQ_FEEDBACK, e.type);
    HK_ASSERT_STR("{\"article\":\"bill-check\",\"version\":3,\"helpful\":true,\"lang\":"
                  "\"zh-CN\",\"day\":\"2026-11-25\"}",
                  e.body);
    hk_free(e.body);

    HK_ASSERT_OK(branch_triage_choice(&br, 42, "no-signal", "submit", "signal"));
    r = take_result(42, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(r.journal_seq, take_notice());
    e = last_event();
    HK_ASSERT_INT(JOURNAL_TRIAGE_CHOSEN, e.type);
    HK_ASSERT_CONTAINS(e.body, "\"need\":\"no-signal\",\"route\":\"submit\",\"target\":\"signal\"");
    hk_free(e.body);

    memset(&sub, 0, sizeof(sub));
    snprintf(sub.category, sizeof(sub.category), "broadband");
    snprintf(sub.phone, sizeof(sub.phone), "13812345678");
    snprintf(sub.description, sizeof(sub.description), "宽带每晚断线");
    snprintf(sub.lang, sizeof(sub.lang), "zh-CN");
    sub.consent = true;
    HK_ASSERT_OK(branch_submit_issue(&br, 43, &sub));
    r = take_result(43, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT(r.has_submission);
    HK_ASSERT_STR("S261125-001", r.submission.ref);
    HK_ASSERT_STR("138****5678", r.submission.phone_masked);
    HK_ASSERT_INT(r.journal_seq, r.submission.journal_seq);
    HK_ASSERT_INT(r.journal_seq, take_notice());
    e = last_event();
    HK_ASSERT_INT(JOURNAL_ISSUE_SUBMITTED, e.type);
    HK_ASSERT_CONTAINS(e.body, "\"ref\":\"S261125-001\"");
    HK_ASSERT_CONTAINS(e.body, "\"phone_masked\":\"138****5678\"");
    HK_ASSERT(strstr(e.body, "13812345678") == NULL); /* no personal data in the journal */
    HK_ASSERT(strstr(e.body, "断线") == NULL);
    hk_free(e.body);
    HK_ASSERT_OK(branch_submit_issue(&br, 44, &sub));
    r = take_result(44, &m);
    HK_ASSERT_STR("S261125-002", r.submission.ref);
    (void)take_notice();

    /* refused arguments: a result with rc INVALID, no notice, nothing stored */
    HK_ASSERT_OK(branch_faq_feedback(&br, 45, "", 1, true, "zh-CN"));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(45, &m).rc);
    HK_ASSERT_OK(branch_triage_choice(&br, 46, "no-signal", "teleport", ""));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(46, &m).rc);
    snprintf(sub.phone, sizeof(sub.phone), "12812345678");
    HK_ASSERT_OK(branch_submit_issue(&br, 47, &sub));
    r = take_result(47, &m);
    HK_ASSERT_INT(HK_ERR_INVALID, r.rc);
    HK_ASSERT(!r.has_submission);
    HK_ASSERT(!mailbox_take(mb, &m)); /* no notice after a refusal */
}

/* ---- field engineering (issue 9): engineer.pin_failed ---- */

static void test_branch_engineer_pin_failure_is_one_synced_event(void)
{
    mailbox_msg_t m;
    branch_result_t r;
    journal_event_t e;

    open_branch(16);
    /* the fifth wrong PIN at kiosk-2 started a 300 s lockout */
    HK_ASSERT_OK(branch_engineer_pin_failed(&br, 51, "kiosk-2", 5, 1, 300));
    r = take_result(51, &m);
    HK_ASSERT_OK(r.rc);
    HK_ASSERT_INT(BRANCH_OP_ENGINEER_PIN_FAILED, r.op);
    HK_ASSERT_INT(r.journal_seq, take_notice());
    e = last_event();
    HK_ASSERT_INT(JOURNAL_ENGINEER_PIN_FAILED, e.type);
    HK_ASSERT_CONTAINS(e.body, "\"device\":\"kiosk-2\",\"fails\":5,\"locks\":1");
    HK_ASSERT_CONTAINS(e.body, "\"lock_s\":300");
    HK_ASSERT(strstr(e.body, "\"locked_until_ms\":0") == NULL); /* a lock: when it ends */
    hk_free(e.body);
    HK_ASSERT_OK(branch_engineer_pin_failed(&br, 52, "kiosk-2", 1, 1, 0));
    (void)take_result(52, &m);
    (void)take_notice();
    e = last_event();
    HK_ASSERT_CONTAINS(e.body, "\"locked_until_ms\":0,\"lock_s\":0");
    hk_free(e.body);

    /* refused: no device, no failure, a negative lock */
    HK_ASSERT_OK(branch_engineer_pin_failed(&br, 53, "", 1, 0, 0));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(53, &m).rc);
    HK_ASSERT_OK(branch_engineer_pin_failed(&br, 54, "kiosk-2", 0, 0, 0));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(54, &m).rc);
    HK_ASSERT_OK(branch_engineer_pin_failed(&br, 55, "kiosk-2", 1, 0, -5));
    HK_ASSERT_INT(HK_ERR_INVALID, take_result(55, &m).rc);
    HK_ASSERT(!mailbox_take(mb, &m)); /* no notice after a refusal */
}

int main(void)
{
    HK_RUN(test_branch_take_number_answers_through_the_mailbox_then_notices);
    HK_RUN(test_branch_refused_operation_reports_and_leaves_the_journal_alone);
    HK_RUN(test_branch_snapshot_follows_takes_and_calls);
    HK_RUN(test_branch_calling_operations_move_tickets_and_counters);
    HK_RUN(test_branch_full_mailbox_cannot_uncommit_a_ticket);
    HK_RUN(test_branch_rate_answers_through_the_mailbox_once_per_visit);
    HK_RUN(test_branch_kiosk_looks_up_and_rates_later_after_the_sweep);
    HK_RUN(test_branch_staff_login_stamps_calls_and_visits_list_the_day);
    HK_RUN(test_branch_offline_tickets_join_in_issue_order_and_never_collide);
    HK_RUN(test_branch_self_help_ops_journal_one_event_each_through_the_mailbox);
    HK_RUN(test_branch_engineer_pin_failure_is_one_synced_event);
    return hk_test_end();
}
