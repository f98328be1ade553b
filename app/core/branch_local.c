/*
 * branch_local: branch.h's ops over queue + rating + journal on the hub's store.
 *
 * Design notes
 *   Each op: run the queue call (it commits its change and the journal
 *   event in one transaction), then post one MAILBOX_BRANCH_DONE with the
 *   outcome, then, if something committed, a (coalescing)
 *   MAILBOX_JOURNAL_ADVANCED with the journal's last seq. The result is
 *   built before posting, so a screen learns of a ticket only after its
 *   commit returned HK_OK.
 *   A refused post (mailbox full) cannot un-commit the change: the ticket
 *   stays in the queue and in the journal, where the counters and the hall
 *   board see it. The op then returns HK_ERR_BUSY (the caller shows "try
 *   again"), the loss of the message is logged with the ticket number and
 *   counted (branch_local_undelivered()).
 *   Rating ops run rating.c the same way; since a repeated press or a
 *   refused vote stores nothing, their journal notice follows only when
 *   the journal's last seq moved. The counter window is
 *   RATING_WINDOW_S_DEFAULT until config carries one.
 *   Not thread-safe: one thread owns the store and calls every op.
 */
#include "branch_local.h"

#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "staff_auth.h"
#include "submission.h"

typedef struct branch_local {
    store_t *store;
    queue_t *queue;
    rating_t *rating;
    int rating_window_s;
    mailbox_t *mb;
    branch_now_fn now;
    void *now_user;
    config_t cfg;
    uint64_t undelivered;
    staff_auth_t *auth; /* made on the first login (an Argon2id hash to start) */
} branch_local_t;

static int64_t now_ms(branch_local_t *bl)
{
    return bl->now(bl->now_user);
}

static branch_result_t *result_new(branch_op_t op)
{
    branch_result_t *r = hk_calloc(1, sizeof(*r));

    if(r)
        r->op = op;
    return r;
}

/* Post r (owned) with tag; r->journal_seq is set. */
static hk_err_t post_result(branch_local_t *bl, uint64_t tag, branch_result_t *r)
{
    mailbox_msg_t m;
    hk_err_t rc;

    memset(&m, 0, sizeof(m));
    m.kind = MAILBOX_BRANCH_DONE;
    m.tag = tag;
    m.rc = r->rc;
    m.payload = r;
    m.payload_free = branch_result_free;
    rc = mailbox_post(bl->mb, &m);
    if(rc != HK_OK) {
        bl->undelivered++;
        hk_log_error("branch", "%s result (%s, ticket %s) not delivered: %s", branch_op_str(r->op),
                     hk_err_str(r->rc), r->has_ticket ? r->ticket.number : "-", hk_err_str(rc));
        branch_result_free(r);
    }
    return rc;
}

/* Post r (owned) with tag, stamped with the journal's last seq. */
static hk_err_t deliver(branch_local_t *bl, uint64_t tag, branch_result_t *r)
{
    if(journal_last_seq(bl->store, &r->journal_seq) != HK_OK)
        r->journal_seq = 0; /* unknown; a notice still wakes readers */
    return post_result(bl, tag, r);
}

/* The common tail of every op that changes one ticket. */
static hk_err_t done_ticket(branch_local_t *bl, uint64_t tag, branch_op_t op, hk_err_t rc,
                            const ticket_t *t, int64_t reload_id)
{
    branch_result_t *r = result_new(op);
    int64_t seq = 0;
    hk_err_t prc;

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = rc;
    if(rc == HK_OK && t) {
        r->ticket = *t;
        r->has_ticket = true;
    } else if(rc == HK_OK && reload_id > 0 &&
              queue_get_ticket(bl->queue, reload_id, &r->ticket) == HK_OK) {
        r->has_ticket = true;
    }
    /* one read serves the result and the notice */
    (void)journal_last_seq(bl->store, &seq); /* 0 on failure: still a wake-up */
    r->journal_seq = seq;
    prc = post_result(bl, tag, r); /* r belongs to the mailbox now */
    if(rc == HK_OK) {
        (void)mailbox_post_simple(bl->mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
        /* a refused notice is counted by the mailbox; the next one carries
         * a newer seq, so nothing is lost for good */
    }
    return prc;
}

static hk_err_t op_take_number(void *impl, uint64_t tag, const char *service_id)
{
    branch_local_t *bl = impl;
    ticket_t t;
    hk_err_t rc = queue_take_number(bl->queue, service_id, now_ms(bl), &t);

    return done_ticket(bl, tag, BRANCH_OP_TAKE_NUMBER, rc, &t, 0);
}

static hk_err_t fill_snapshot(branch_local_t *bl, branch_snapshot_t *s)
{
    const config_t *cfg = &bl->cfg;
    int64_t now = now_ms(bl);
    hk_err_t rc = HK_OK;
    int i;

    s->taken_ms = now;
    rc = journal_last_seq(bl->store, &s->journal_seq);
    for(i = 0; i < cfg->n_services && rc == HK_OK; i++) {
        branch_service_snap_t *v = &s->services[i];
        snprintf(v->service_id, sizeof(v->service_id), "%s", cfg->services[i].id);
        rc = queue_estimate(bl->queue, v->service_id, now, &v->waiting, &v->est_wait_s);
    }
    s->n_services = i;
    for(i = 0; i < cfg->n_counters && rc == HK_OK; i++) {
        branch_counter_snap_t *c = &s->counters[i];
        counter_state_t st = COUNTER_CLOSED;
        hk_err_t crc;
        snprintf(c->counter_id, sizeof(c->counter_id), "%s", cfg->counters[i].id);
        rc = queue_counter_get_state(bl->queue, c->counter_id, &st);
        c->state = (branch_counter_state_t)st;
        if(rc == HK_OK)
            rc = queue_counter_staff(bl->queue, c->counter_id, c->staff_id, sizeof(c->staff_id));
        crc = queue_counter_current(bl->queue, c->counter_id, &c->ticket);
        c->has_ticket = crc == HK_OK;
        if(crc != HK_OK && crc != HK_ERR_NOT_FOUND)
            rc = crc;
    }
    s->n_counters = i;
    return rc;
}

static hk_err_t op_snapshot(void *impl, uint64_t tag)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_SNAPSHOT);
    hk_err_t brc;

    if(!r)
        return HK_ERR_NOMEM;
    /* One transaction for its ~3 + 3 per counter reads: alone, each read is
     * a WAL read transaction of its own with a handful of fcntl() locks,
     * which made a snapshot cost ~1.4 ms of the hub thread (docs/performance.md,
     * hub). Closed with a commit whatever fill_snapshot() said: a day
     * rollover it made is the queue's own savepoint, kept or undone there. */
    brc = store_begin(bl->store);
    r->rc = fill_snapshot(bl, &r->snapshot);
    if(brc == HK_OK) {
        hk_err_t crc = store_commit(bl->store);
        if(r->rc == HK_OK)
            r->rc = crc;
    }
    return deliver(bl, tag, r);
}

static hk_err_t op_call_next(void *impl, uint64_t tag, const char *counter_id)
{
    branch_local_t *bl = impl;
    ticket_t t;
    hk_err_t rc = queue_call_next(bl->queue, counter_id, now_ms(bl), &t);

    return done_ticket(bl, tag, BRANCH_OP_CALL_NEXT, rc, &t, 0);
}

static hk_err_t op_call_ticket(void *impl, uint64_t tag, const char *counter_id, int64_t ticket_id)
{
    branch_local_t *bl = impl;
    ticket_t t;
    hk_err_t rc = queue_call_ticket(bl->queue, counter_id, ticket_id, now_ms(bl), &t);

    return done_ticket(bl, tag, BRANCH_OP_CALL_TICKET, rc, &t, 0);
}

static hk_err_t op_recall(void *impl, uint64_t tag, int64_t ticket_id)
{
    branch_local_t *bl = impl;
    hk_err_t rc = queue_recall(bl->queue, ticket_id, now_ms(bl));

    return done_ticket(bl, tag, BRANCH_OP_RECALL, rc, NULL, ticket_id);
}

static hk_err_t op_no_show(void *impl, uint64_t tag, int64_t ticket_id, bool put_back)
{
    branch_local_t *bl = impl;
    hk_err_t rc = queue_no_show(bl->queue, ticket_id, now_ms(bl), put_back);

    return done_ticket(bl, tag, BRANCH_OP_NO_SHOW, rc, NULL, ticket_id);
}

static hk_err_t op_transfer(void *impl, uint64_t tag, int64_t ticket_id, const char *to_service)
{
    branch_local_t *bl = impl;
    ticket_t t;
    hk_err_t rc = queue_transfer(bl->queue, ticket_id, to_service, now_ms(bl), &t);

    return done_ticket(bl, tag, BRANCH_OP_TRANSFER, rc, &t, 0);
}

static hk_err_t op_start(void *impl, uint64_t tag, int64_t ticket_id)
{
    branch_local_t *bl = impl;
    hk_err_t rc = queue_start_serving(bl->queue, ticket_id, now_ms(bl));

    return done_ticket(bl, tag, BRANCH_OP_START, rc, NULL, ticket_id);
}

static hk_err_t op_finish(void *impl, uint64_t tag, int64_t ticket_id)
{
    branch_local_t *bl = impl;
    hk_err_t rc = queue_finish(bl->queue, ticket_id, now_ms(bl));

    return done_ticket(bl, tag, BRANCH_OP_FINISH, rc, NULL, ticket_id);
}

static hk_err_t op_set_counter(void *impl, uint64_t tag, const char *counter_id,
                               branch_counter_state_t st, const char *staff_id)
{
    branch_local_t *bl = impl;
    hk_err_t rc;

    if((int)st < 0 || st > BRANCH_COUNTER_PAUSED)
        rc = HK_ERR_INVALID;
    else if(staff_id && staff_id[0] && config_staff_index(&bl->cfg, staff_id) < 0)
        rc = HK_ERR_NOT_FOUND; /* only a configured member of staff opens a counter */
    else
        rc = queue_counter_set_state_staff(bl->queue, counter_id, (counter_state_t)st,
                                           staff_id && staff_id[0] ? staff_id : NULL, now_ms(bl));
    return done_ticket(bl, tag, BRANCH_OP_SET_COUNTER, rc, NULL, 0);
}

/* The tail of the rating ops: post r (owned), then a journal notice only
 * if the journal moved since seq_before. */
static hk_err_t done_rating(branch_local_t *bl, uint64_t tag, branch_result_t *r,
                            int64_t seq_before)
{
    int64_t seq = 0;
    hk_err_t prc;

    r->has_rating = r->rc == HK_OK;
    prc = deliver(bl, tag, r); /* r belongs to the mailbox now */
    if(journal_last_seq(bl->store, &seq) == HK_OK && seq != seq_before)
        (void)mailbox_post_simple(bl->mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
    /* a refused notice is counted by the mailbox (see done_ticket) */
    return prc;
}

/* A new rating result and the journal's seq before the op runs. */
static branch_result_t *rating_begin(branch_local_t *bl, branch_op_t op, int64_t *seq_before)
{
    *seq_before = 0;
    (void)journal_last_seq(bl->store, seq_before); /* 0 on failure: a spare notice */
    return result_new(op);
}

static hk_err_t op_rate(void *impl, uint64_t tag, int64_t ticket_id, const rating_vote_t *vote,
                        rating_source_t source)
{
    branch_local_t *bl = impl;
    int64_t before;
    branch_result_t *r = rating_begin(bl, BRANCH_OP_RATE, &before);

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = rating_rate(bl->rating, ticket_id, vote, source, bl->rating_window_s, now_ms(bl),
                        &r->rating);
    if(r->rc == HK_ERR_INVALID) /* not finished, or too late: say which */
        (void)rating_status(bl->rating, ticket_id, source, bl->rating_window_s, now_ms(bl),
                            &r->rating_status, NULL);
    return done_rating(bl, tag, r, before);
}

/* The kiosk's ops by ticket number: rate it (vote) or look it up (NULL). */
static hk_err_t by_number(branch_local_t *bl, uint64_t tag, const char *day, const char *number,
                          const rating_vote_t *vote)
{
    int64_t before, id = 0, now = now_ms(bl);
    branch_result_t *r =
        rating_begin(bl, vote ? BRANCH_OP_RATE_NUMBER : BRANCH_OP_RATING_LOOKUP, &before);

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = rating_find_visit(bl->rating, day, number, now, &id);
    if(r->rc == HK_OK && vote) {
        r->rc = rating_rate(bl->rating, id, vote, RATING_SOURCE_KIOSK, bl->rating_window_s, now,
                            &r->rating);
        if(r->rc == HK_ERR_INVALID) /* not finished, or not today's: say which */
            (void)rating_status(bl->rating, id, RATING_SOURCE_KIOSK, bl->rating_window_s, now,
                                &r->rating_status, NULL);
    } else if(r->rc == HK_OK)
        r->rc = rating_status(bl->rating, id, RATING_SOURCE_KIOSK, bl->rating_window_s, now,
                              &r->rating_status, &r->rating);
    return done_rating(bl, tag, r, before);
}

static hk_err_t op_rate_number(void *impl, uint64_t tag, const char *day, const char *number,
                               const rating_vote_t *vote)
{
    if(!vote)
        return HK_ERR_INVALID; /* nothing submitted: NULL would mean a lookup */
    return by_number(impl, tag, day, number, vote);
}

static hk_err_t op_rating_lookup(void *impl, uint64_t tag, const char *day, const char *number)
{
    return by_number(impl, tag, day, number, NULL);
}

static hk_err_t op_expire_ratings(void *impl, uint64_t tag)
{
    branch_local_t *bl = impl;
    int64_t before;
    branch_result_t *r = rating_begin(bl, BRANCH_OP_EXPIRE_RATINGS, &before);

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = rating_expire(bl->rating, bl->rating_window_s, now_ms(bl), &r->expired);
    return done_rating(bl, tag, r, before);
}

static hk_err_t op_events(void *impl, uint64_t tag, int64_t after_seq)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_EVENTS);

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = journal_read_after(bl->store, after_seq, BRANCH_EVENTS_MAX, &r->events, &r->n_events);
    return deliver(bl, tag, r);
}

static hk_err_t op_login(void *impl, uint64_t tag, const char *staff_id, const char *pin)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_LOGIN);
    int idx = -1;

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = bl->auth ? HK_OK : staff_auth_create(&bl->auth);
    if(r->rc == HK_OK)
        r->rc = staff_auth_check(bl->auth, &bl->cfg, staff_id, pin, "", now_ms(bl), &idx, NULL);
    if(r->rc == HK_OK) {
        const config_staff_t *m = &bl->cfg.staff[idx];
        r->has_staff = true;
        (void)snprintf(r->staff.id, sizeof(r->staff.id), "%s", m->id);
        (void)snprintf(r->staff.name_zh, sizeof(r->staff.name_zh), "%s", m->name_zh);
        (void)snprintf(r->staff.name_en, sizeof(r->staff.name_en), "%s", m->name_en);
    }
    return deliver(bl, tag, r);
}

static hk_err_t op_logout(void *impl, uint64_t tag)
{
    branch_result_t *r = result_new(BRANCH_OP_LOGOUT);

    if(!r)
        return HK_ERR_NOMEM;
    r->rc = HK_OK; /* a screen of this process holds no session to end */
    return deliver(impl, tag, r);
}

static hk_err_t op_visits(void *impl, uint64_t tag, const char *day)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_VISITS);
    ticket_t *tickets = NULL;
    char today[11];
    int n = 0, i;

    if(!r)
        return HK_ERR_NOMEM;
    if(!day || !day[0]) {
        config_local_time(&bl->cfg, now_ms(bl), today, NULL, NULL);
        day = today;
    }
    r->rc = queue_day_list(bl->queue, day, &tickets, &n);
    if(r->rc == HK_OK && n > 0) {
        r->visits = hk_calloc((size_t)n, sizeof(*r->visits));
        if(!r->visits)
            r->rc = HK_ERR_NOMEM;
    }
    for(i = 0; r->rc == HK_OK && i < n; i++) {
        branch_visit_t *v = &r->visits[i];
        hk_err_t grc;
        v->ticket = tickets[i];
        (void)snprintf(v->staff_id, sizeof(v->staff_id), "%s", tickets[i].staff_id);
        grc = rating_get(bl->rating, tickets[i].id, &v->rating);
        v->has_rating = grc == HK_OK;
        if(grc != HK_OK && grc != HK_ERR_NOT_FOUND)
            r->rc = grc;
        r->n_visits = i + 1;
    }
    hk_free(tickets);
    return deliver(bl, tag, r);
}

static hk_err_t op_import_ticket(void *impl, uint64_t tag, const ticket_t *t)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_IMPORT_TICKET);
    int64_t seq = 0;
    bool created;
    hk_err_t prc;

    if(!r)
        return HK_ERR_NOMEM;
    r->rc =
        t ? queue_import_ticket(bl->queue, t, now_ms(bl), &r->ticket, &r->created) : HK_ERR_INVALID;
    r->has_ticket = r->rc == HK_OK;
    created = r->rc == HK_OK && r->created;
    prc = deliver(bl, tag, r); /* r belongs to the mailbox now */
    if(created) {
        (void)journal_last_seq(bl->store, &seq);
        (void)mailbox_post_simple(bl->mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
    }
    return prc;
}

/* ---- self-help (issue 8): faq.feedback, triage.chosen, issue.submitted ---- */

/* The tail of the self-help ops: post r (owned), then a journal notice
 * when the op committed. */
static hk_err_t done_selfhelp(branch_local_t *bl, uint64_t tag, branch_result_t *r)
{
    bool committed = r->rc == HK_OK;
    int64_t seq;
    hk_err_t prc = deliver(bl, tag, r); /* r belongs to the mailbox now */

    if(committed) {
        seq = 0;
        (void)journal_last_seq(bl->store, &seq);
        (void)mailbox_post_simple(bl->mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, seq);
    }
    return prc;
}

/* One self-help event (body built by the caller) in its own transaction. */
static hk_err_t append_one(branch_local_t *bl, journal_type_t type, const char *body, int64_t now)
{
    hk_err_t rc = store_begin(bl->store);

    if(rc != HK_OK)
        return rc;
    rc = journal_append(bl->store, type, body, now, NULL);
    return store_end(bl->store, rc);
}

static hk_err_t op_faq_feedback(void *impl, uint64_t tag, const char *article_id, int version,
                                bool helpful, const char *lang)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_FAQ_FEEDBACK);
    int64_t now = now_ms(bl);
    char day[11];
    journal_body_t b;

    if(!r)
        return HK_ERR_NOMEM;
    if(!submission_id_valid(article_id, false) || version < 1 || !submission_lang_valid(lang)) {
        r->rc = HK_ERR_INVALID;
    } else {
        config_local_time(&bl->cfg, now, day, NULL, NULL);
        journal_body_init(&b);
        journal_body_str(&b, "article", article_id);
        journal_body_int(&b, "version", version);
        journal_body_bool(&b, "helpful", helpful);
        journal_body_str(&b, "lang", lang);
        journal_body_str(&b, "day", day);
        r->rc = append_one(bl, JOURNAL_FAQ_FEEDBACK, journal_body_finish(&b), now);
    }
    return done_selfhelp(bl, tag, r);
}

static hk_err_t op_triage_choice(void *impl, uint64_t tag, const char *need_id,
                                 const char *route_kind, const char *target)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_TRIAGE_CHOICE);
    int64_t now = now_ms(bl);
    char day[11];
    journal_body_t b;

    if(!r)
        return HK_ERR_NOMEM;
    if(!submission_id_valid(need_id, false) || !submission_route_kind_valid(route_kind) ||
       !submission_id_valid(target ? target : "", true)) {
        r->rc = HK_ERR_INVALID;
    } else {
        config_local_time(&bl->cfg, now, day, NULL, NULL);
        journal_body_init(&b);
        journal_body_str(&b, "need", need_id);
        journal_body_str(&b, "route", route_kind);
        journal_body_str(&b, "target", target ? target : "");
        journal_body_str(&b, "day", day);
        r->rc = append_one(bl, JOURNAL_TRIAGE_CHOSEN, journal_body_finish(&b), now);
    }
    return done_selfhelp(bl, tag, r);
}

/* ---- field engineering (issue 9): engineer.pin_failed ---- */

static hk_err_t op_engineer_pin_failed(void *impl, uint64_t tag, const char *device_id, int fails,
                                       int locks, int lock_s)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_ENGINEER_PIN_FAILED);
    int64_t now = now_ms(bl);
    journal_body_t b;

    if(!r)
        return HK_ERR_NOMEM;
    if(!device_id || !device_id[0] || strlen(device_id) >= CONFIG_ID_LEN || fails < 1 ||
       locks < 0 || lock_s < 0) {
        r->rc = HK_ERR_INVALID;
    } else {
        journal_body_init(&b);
        journal_body_str(&b, "device", device_id);
        journal_body_int(&b, "fails", fails);
        journal_body_int(&b, "locks", locks);
        journal_body_int(&b, "locked_until_ms", lock_s > 0 ? now + (int64_t)lock_s * 1000 : 0);
        journal_body_int(&b, "lock_s", lock_s);
        r->rc = append_one(bl, JOURNAL_ENGINEER_PIN_FAILED, journal_body_finish(&b), now);
    }
    return done_selfhelp(bl, tag, r);
}

static hk_err_t op_submit_issue(void *impl, uint64_t tag, const submission_t *s)
{
    branch_local_t *bl = impl;
    branch_result_t *r = result_new(BRANCH_OP_SUBMIT_ISSUE);
    int64_t now = now_ms(bl);
    char day[11];

    if(!r)
        return HK_ERR_NOMEM;
    config_local_time(&bl->cfg, now, day, NULL, NULL);
    r->rc = s ? submission_record(bl->store, s, day, now, &r->submission) : HK_ERR_INVALID;
    r->has_submission = r->rc == HK_OK;
    return done_selfhelp(bl, tag, r);
}

static void op_destroy(void *impl)
{
    branch_local_t *bl = impl;

    if(!bl)
        return;
    staff_auth_destroy(bl->auth);
    rating_destroy(bl->rating);
    queue_destroy(bl->queue);
    hk_free(bl);
}

static const branch_ops_t local_ops = {
    .name = "local",
    .take_number = op_take_number,
    .snapshot = op_snapshot,
    .call_next = op_call_next,
    .call_ticket = op_call_ticket,
    .recall = op_recall,
    .no_show = op_no_show,
    .transfer = op_transfer,
    .start = op_start,
    .finish = op_finish,
    .set_counter = op_set_counter,
    .rate = op_rate,
    .rate_number = op_rate_number,
    .rating_lookup = op_rating_lookup,
    .expire_ratings = op_expire_ratings,
    .login = op_login,
    .logout = op_logout,
    .events = op_events,
    .visits = op_visits,
    .import_ticket = op_import_ticket,
    .faq_feedback = op_faq_feedback,
    .triage_choice = op_triage_choice,
    .submit_issue = op_submit_issue,
    .engineer_pin_failed = op_engineer_pin_failed,
    .destroy = op_destroy,
};

hk_err_t branch_local_create(store_t *store, const config_t *cfg, mailbox_t *mb, branch_now_fn now,
                             void *now_user, branch_t *out)
{
    branch_local_t *bl;
    hk_err_t rc;

    out->ops = NULL;
    out->impl = NULL;
    bl = hk_calloc(1, sizeof(*bl));
    if(!bl)
        return HK_ERR_NOMEM;
    bl->store = store;
    bl->mb = mb;
    bl->now = now;
    bl->now_user = now_user;
    bl->cfg = *cfg;
    bl->rating_window_s = RATING_WINDOW_S_DEFAULT;
    rc = queue_open(store, cfg, &bl->queue);
    if(rc == HK_OK)
        rc = rating_open(store, cfg, &bl->rating);
    if(rc != HK_OK) {
        op_destroy(bl);
        return rc;
    }
    out->ops = &local_ops;
    out->impl = bl;
    return HK_OK;
}

void branch_local_set_config(branch_t *b, const config_t *cfg)
{
    branch_local_t *bl = b->impl;

    bl->cfg = *cfg;
    queue_set_config(bl->queue, cfg);
    rating_set_config(bl->rating, cfg);
}

uint64_t branch_local_undelivered(const branch_t *b)
{
    const branch_local_t *bl = b->impl;

    return bl->undelivered;
}
