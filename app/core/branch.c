/*
 * branch: the dispatching half of the branch interface (branch.h); each
 * call forwards to the backend's ops. Backends: branch_local.c (the hub's
 * own queue over SQLite); the LAN client comes with the hub issue.
 */
#include "branch.h"

#include "hk_mem.h"

static const char *const op_names[BRANCH_OP_COUNT] = {
    [BRANCH_OP_TAKE_NUMBER] = "take_number",
    [BRANCH_OP_SNAPSHOT] = "snapshot",
    [BRANCH_OP_CALL_NEXT] = "call_next",
    [BRANCH_OP_CALL_TICKET] = "call_ticket",
    [BRANCH_OP_RECALL] = "recall",
    [BRANCH_OP_NO_SHOW] = "no_show",
    [BRANCH_OP_TRANSFER] = "transfer",
    [BRANCH_OP_START] = "start",
    [BRANCH_OP_FINISH] = "finish",
    [BRANCH_OP_SET_COUNTER] = "set_counter",
    [BRANCH_OP_RATE] = "rate",
    [BRANCH_OP_RATE_NUMBER] = "rate_number",
    [BRANCH_OP_RATING_LOOKUP] = "rating_lookup",
    [BRANCH_OP_EXPIRE_RATINGS] = "expire_ratings",
    [BRANCH_OP_LOGIN] = "login",
    [BRANCH_OP_LOGOUT] = "logout",
    [BRANCH_OP_EVENTS] = "events",
    [BRANCH_OP_VISITS] = "visits",
    [BRANCH_OP_IMPORT_TICKET] = "import_ticket",
    [BRANCH_OP_FAQ_FEEDBACK] = "faq_feedback",
    [BRANCH_OP_TRIAGE_CHOICE] = "triage_choice",
    [BRANCH_OP_SUBMIT_ISSUE] = "submit_issue",
    [BRANCH_OP_ENGINEER_PIN_FAILED] = "engineer_pin_failed",
};

static const char *const counter_state_names[] = { "closed", "open", "paused" };

void branch_destroy(branch_t *b)
{
    if(b && b->ops && b->ops->destroy)
        b->ops->destroy(b->impl);
}

const char *branch_op_str(branch_op_t op)
{
    if((int)op < 0 || op >= BRANCH_OP_COUNT)
        return "unknown";
    return op_names[op];
}

const char *branch_counter_state_str(branch_counter_state_t st)
{
    if((int)st < 0 || st > BRANCH_COUNTER_PAUSED)
        return "unknown";
    return counter_state_names[st];
}

hk_err_t branch_take_number(branch_t *b, uint64_t tag, const char *service_id)
{
    return b->ops->take_number(b->impl, tag, service_id);
}

hk_err_t branch_snapshot(branch_t *b, uint64_t tag)
{
    return b->ops->snapshot(b->impl, tag);
}

hk_err_t branch_call_next(branch_t *b, uint64_t tag, const char *counter_id)
{
    return b->ops->call_next(b->impl, tag, counter_id);
}

hk_err_t branch_call_ticket(branch_t *b, uint64_t tag, const char *counter_id, int64_t ticket_id)
{
    return b->ops->call_ticket(b->impl, tag, counter_id, ticket_id);
}

hk_err_t branch_recall(branch_t *b, uint64_t tag, int64_t ticket_id)
{
    return b->ops->recall(b->impl, tag, ticket_id);
}

hk_err_t branch_no_show(branch_t *b, uint64_t tag, int64_t ticket_id, bool put_back)
{
    return b->ops->no_show(b->impl, tag, ticket_id, put_back);
}

hk_err_t branch_transfer(branch_t *b, uint64_t tag, int64_t ticket_id, const char *to_service_id)
{
    return b->ops->transfer(b->impl, tag, ticket_id, to_service_id);
}

hk_err_t branch_start(branch_t *b, uint64_t tag, int64_t ticket_id)
{
    return b->ops->start(b->impl, tag, ticket_id);
}

hk_err_t branch_finish(branch_t *b, uint64_t tag, int64_t ticket_id)
{
    return b->ops->finish(b->impl, tag, ticket_id);
}

hk_err_t branch_set_counter(branch_t *b, uint64_t tag, const char *counter_id,
                            branch_counter_state_t st, const char *staff_id)
{
    return b->ops->set_counter(b->impl, tag, counter_id, st, staff_id);
}

hk_err_t branch_rate(branch_t *b, uint64_t tag, int64_t ticket_id, const rating_vote_t *vote,
                     rating_source_t source)
{
    return b->ops->rate(b->impl, tag, ticket_id, vote, source);
}

hk_err_t branch_rate_number(branch_t *b, uint64_t tag, const char *day, const char *number,
                            const rating_vote_t *vote)
{
    return b->ops->rate_number(b->impl, tag, day, number, vote);
}

hk_err_t branch_rating_lookup(branch_t *b, uint64_t tag, const char *day, const char *number)
{
    return b->ops->rating_lookup(b->impl, tag, day, number);
}

hk_err_t branch_expire_ratings(branch_t *b, uint64_t tag)
{
    return b->ops->expire_ratings(b->impl, tag);
}

hk_err_t branch_login(branch_t *b, uint64_t tag, const char *staff_id, const char *pin)
{
    return b->ops->login(b->impl, tag, staff_id, pin);
}

hk_err_t branch_logout(branch_t *b, uint64_t tag)
{
    return b->ops->logout(b->impl, tag);
}

hk_err_t branch_events(branch_t *b, uint64_t tag, int64_t after_seq)
{
    return b->ops->events(b->impl, tag, after_seq);
}

hk_err_t branch_visits(branch_t *b, uint64_t tag, const char *day)
{
    return b->ops->visits(b->impl, tag, day);
}

hk_err_t branch_import_ticket(branch_t *b, uint64_t tag, const ticket_t *t)
{
    return b->ops->import_ticket(b->impl, tag, t);
}

/* ---- self-help (issue 8) ---- */

hk_err_t branch_faq_feedback(branch_t *b, uint64_t tag, const char *article_id, int version,
                             bool helpful, const char *lang)
{
    return b->ops->faq_feedback(b->impl, tag, article_id, version, helpful, lang);
}

hk_err_t branch_triage_choice(branch_t *b, uint64_t tag, const char *need_id,
                              const char *route_kind, const char *target)
{
    return b->ops->triage_choice(b->impl, tag, need_id, route_kind, target);
}

hk_err_t branch_engineer_pin_failed(branch_t *b, uint64_t tag, const char *device_id, int fails,
                                    int locks, int lock_s)
{
    return b->ops->engineer_pin_failed(b->impl, tag, device_id, fails, locks, lock_s);
}

hk_err_t branch_submit_issue(branch_t *b, uint64_t tag, const submission_t *s)
{
    return b->ops->submit_issue(b->impl, tag, s);
}

void branch_result_free(void *result)
{
    branch_result_t *r = result;

    if(!r)
        return;
    journal_events_free(r->events, r->n_events);
    hk_free(r->visits);
    hk_free(r);
}
