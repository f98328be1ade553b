/*
 * counter: see counter.h.
 *
 * Design notes
 *   Screens (navigation stack, root first):
 *     [LOGIN]                         start, and after Log out
 *     [PANEL]                         logged in
 *     [PANEL, RATE_STAFF]             "finish" committed: who served, the number
 *     [PANEL, RATE_FACES]             after STAFF_CARD_S or "Rate now"
 *   The panel's no-show and transfer choices are a modal state of the
 *   panel (model counter.pick), not screens.
 *   With a customer screen (opts.customer_display, config
 *   device.second_screen) the clerk stays on [PANEL] and the customer
 *   side lives on that display: its own staff-card and faces screen
 *   states (cust_scr, cust_top), language and text size, drawn after each
 *   staff frame when its model changed (after_present) and fed by
 *   counter_customer_input() (counter_run reads both displays). Between
 *   visits it shows who serves here and the number now (rate.idle), or a
 *   welcome when nobody is logged in.
 *
 *   Login: INTENT_LOGIN -> branch_login(staff id, PIN); the PIN's digits
 *   live only in this struct and are wiped as soon as they are submitted.
 *   HK_OK -> PANEL and the counter opens for that clerk (calls made there
 *   carry their staff id until it closes); HK_ERR_INVALID "wrong id or
 *   PIN"; HK_ERR_BUSY locked out for a while. Log out closes the counter.
 *
 *   Staff operations: one in flight at a time (op_tag); a press meanwhile
 *   is ignored, so a double press never calls two customers. Its result
 *   becomes a toast (what happened, or the refusal in words: nobody
 *   waiting, counter not open, not possible for this ticket, hub
 *   unreachable). The current ticket comes from the call's result at once
 *   and from every snapshot; a snapshot is asked for on each
 *   MAILBOX_JOURNAL_ADVANCED (whoever changed the branch), at most one in
 *   flight, one more remembered (snap_again).
 *
 *   Rating: "finish" committed -> the customer side for the visit
 *   (rate_ticket), with a countdown of the rating window from the
 *   ticket's finished_ms. Faces -> chips -> one branch_rate (rate_tag; all
 *   presses after it are ignored) -> thanks -> back to the panel after
 *   DONE_S. When the window runs out: a face chosen but not submitted is
 *   sent (SEND_MARGIN_S before the end, so the hub still takes it);
 *   nothing chosen -> back to the panel, and the hub's sweep records "not
 *   rated". Esc on the customer side returns the clerk to the panel.
 *   The customer may switch language; the clerk's comes back with the
 *   panel.
 *
 *   Timers (runloop ids): T_MINUTE at the next whole minute (header
 *   clock); T_TICK every second while a ticket is current (the live
 *   "since call"); T_TOAST clears the toast; T_RATE every second of the
 *   rating window; T_BEGIN the staff card's time before the faces;
 *   T_DONE thanks -> panel. Idle with no ticket: no timer but the minute.
 */
#include "counter.h"

#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "rating.h"
#include "rating_flow.h"
#include "script_player.h"
#include "ui_loop.h"
#include "ui_model.h"

enum { T_MINUTE = 0, T_TICK, T_TOAST, T_RATE, T_BEGIN, T_DONE };

#define TOAST_MS      4000
#define STAFF_CARD_S  5
#define DONE_S        4
#define SEND_MARGIN_S 2
#define PIN_MAX       12

struct counter {
    counter_opts_t o;
    const config_t *cfg;
    uint64_t cfg_gen;
    ui_loop_t *loop;
    ui_model_t model;
    char counter_id[CONFIG_ID_LEN];
    char pin[PIN_MAX + 1];
    int pin_len;
    char staff_id[RATING_STAFF_ID_LEN]; /* logged in; "" = nobody */
    bool started;
    uint64_t next_tag;
    uint64_t login_tag;
    uint64_t op_tag; /* a staff operation in flight */
    branch_op_t op;
    char op_number[8];
    int op_put_back;
    uint64_t snap_tag;
    bool snap_again;
    uint64_t rate_tag;
    int64_t rate_ticket;
    int64_t rate_finished_ms;
    i18n_lang_t staff_lang; /* the clerk's, kept while a customer uses the screen */
    bool staff_large;
    int last_key_char; /* a printable KEY whose TEXT twin is still to come */
    int64_t last_key_ms;
    /* the customer's own screen (o.customer_display), when there is one */
    display_t *cd;
    void *cust_scr[2]; /* [0] the staff card, [1] the faces: states on cd's gfx */
    int cust_top;
    bool cust_dirty;
    i18n_lang_t cust_lang;
    bool cust_large;
    int64_t cust_guard_until;
};

static const scr_ops_t *cust_ops(int top)
{
    return top ? scr_rate_faces_ops() : scr_rate_staff_ops();
}

static bool submit(counter_t *c, branch_op_t op, hk_err_t rc);

static int64_t wall_ms(const counter_t *c)
{
    return hk_clock_wall_ms(c->o.clock);
}

static int64_t mono_ms(const counter_t *c)
{
    return hk_clock_mono_ms(c->o.clock);
}

static runloop_t *rl(counter_t *c)
{
    return ui_loop_runloop(c->loop);
}

/* ---- model ------------------------------------------------------------- */

static void refresh_time(counter_t *c)
{
    int64_t next_minute = ui_model_set_time(&c->model, wall_ms(c));

    runloop_timer_at(rl(c), T_MINUTE, mono_ms(c) + (next_minute - wall_ms(c)));
}

static void duration_text(int64_t ms, char *buf, size_t size)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;

    if(s >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    else
        snprintf(buf, size, "%d:%02d", (int)(s / 60), (int)(s % 60));
}

/* The current ticket's times, and the one-second tick while there is one. */
static void refresh_ticket_times(counter_t *c)
{
    ui_counter_view_t *v = &c->model.counter;
    int64_t now = wall_ms(c);

    if(!v->has_ticket) {
        v->waited_text[0] = v->here_text[0] = '\0';
        runloop_timer_cancel(rl(c), T_TICK);
        return;
    }
    duration_text((v->ticket.called_ms ? v->ticket.called_ms : now) - v->ticket.issued_ms,
                  v->waited_text, sizeof(v->waited_text));
    duration_text(v->ticket.called_ms ? now - v->ticket.called_ms : 0, v->here_text,
                  sizeof(v->here_text));
    /* tick on the call's whole seconds, so the text is never a second behind */
    runloop_timer_at(rl(c), T_TICK,
                     mono_ms(c) + 1000 -
                         (v->ticket.called_ms ? (now - v->ticket.called_ms) % 1000 : 0));
}

static void set_current(counter_t *c, bool has, const ticket_t *t)
{
    ui_counter_view_t *v = &c->model.counter;

    v->has_ticket = has;
    if(has)
        v->ticket = *t;
    else
        memset(&v->ticket, 0, sizeof(v->ticket));
    if(!has && v->pick != UI_PICK_NONE)
        v->pick = UI_PICK_NONE;
    refresh_ticket_times(c);
}

static void toast(counter_t *c, bool error, i18n_key_t key, const char *arg)
{
    ui_counter_view_t *v = &c->model.counter;

    if(arg)
        i18n_format(v->toast, sizeof(v->toast), c->model.lang, key, arg);
    else
        snprintf(v->toast, sizeof(v->toast), "%s", i18n_get(c->model.lang, key));
    v->toast_error = error;
    runloop_timer_at(rl(c), T_TOAST, mono_ms(c) + TOAST_MS);
}

static void request_snapshot(counter_t *c)
{
    if(!c->started)
        return;
    if(c->snap_tag) {
        c->snap_again = true;
        return;
    }
    c->snap_tag = ++c->next_tag;
    if(branch_snapshot(c->o.branch, c->snap_tag) != HK_OK) {
        hk_log_warn("counter", "snapshot not requested");
        c->snap_tag = 0;
    }
}

static void apply_snapshot(counter_t *c, const branch_snapshot_t *s)
{
    int i;

    ui_model_apply_snapshot(&c->model, s);
    for(i = 0; i < s->n_counters; i++) {
        const branch_counter_snap_t *cs = &s->counters[i];
        if(strcmp(cs->counter_id, c->counter_id))
            continue;
        c->model.counter.state = (int)cs->state;
        if(!c->op_tag) /* an operation on its way answers for itself */
            set_current(c, cs->has_ticket, &cs->ticket);
        break;
    }
}

/* ---- navigation --------------------------------------------------------- */

static void go(counter_t *c, const int *stack, int n)
{
    runloop_t *r = rl(c);
    int top = stack[n - 1];

    ui_loop_set_stack(c->loop, stack, n);
    if(c->cd)
        return; /* the rating runs on the customer's screen, whatever the clerk does */
    if(top != UI_SCR_RATE_STAFF)
        runloop_timer_cancel(r, T_BEGIN);
    if(top != UI_SCR_RATE_FACES) {
        runloop_timer_cancel(r, T_DONE);
    }
    if(top != UI_SCR_RATE_STAFF && top != UI_SCR_RATE_FACES)
        runloop_timer_cancel(r, T_RATE);
}

static void go_login(counter_t *c)
{
    static const int s[] = { UI_SCR_COUNTER_LOGIN };

    go(c, s, 1);
}

static void go_panel(counter_t *c)
{
    static const int s[] = { UI_SCR_COUNTER_PANEL };

    if(ui_loop_current(c->loop) == UI_SCR_RATE_STAFF ||
       ui_loop_current(c->loop) == UI_SCR_RATE_FACES) {
        /* the clerk's language and text size again */
        c->model.lang = c->staff_lang;
        c->model.large = c->staff_large;
        refresh_time(c);
    }
    if(!c->cd) {
        c->rate_tag = 0;
        c->rate_ticket = 0;
    }
    go(c, s, 1);
}

/* The customer's screen shows top (0 staff card, 1 faces) from now. */
static void cust_show(counter_t *c, int top)
{
    c->cust_top = top;
    cust_ops(top)->enter(c->cust_scr[top]);
    c->cust_guard_until = mono_ms(c) + UI_INPUT_GUARD_MS; /* the rest of a double tap */
    c->cust_dirty = true;
}

static void go_customer(counter_t *c, int top)
{
    if(c->cd) {
        cust_show(c, top == UI_SCR_RATE_FACES);
        return;
    }
    int s[2] = { UI_SCR_COUNTER_PANEL, 0 };

    s[1] = top;
    go(c, s, 2);
}

/* ---- staff ---------------------------------------------------------------- */

static void wipe_pin(counter_t *c)
{
    memset(c->pin, 0, sizeof(c->pin));
    c->pin_len = 0;
    c->model.counter.pin_len = 0;
}

static void pin_key(counter_t *c, int k)
{
    ui_counter_view_t *v = &c->model.counter;

    if(c->login_tag)
        return;
    if(k == -2) {
        wipe_pin(c);
    } else if(k == -1) {
        if(c->pin_len > 0)
            c->pin[--c->pin_len] = '\0';
    } else if(k >= 0 && k <= 9 && c->pin_len < PIN_MAX) {
        c->pin[c->pin_len++] = (char)('0' + k);
    }
    v->pin_len = c->pin_len;
    v->login_msg[0] = '\0';
}

static void login(counter_t *c)
{
    ui_counter_view_t *v = &c->model.counter;
    const config_t *cfg = c->cfg;

    if(c->login_tag || !c->started)
        return;
    if(v->counter_idx < 0) {
        i18n_format(v->login_msg, sizeof(v->login_msg), c->model.lang, I18N_COUNTER_UNKNOWN_S,
                    c->counter_id[0] ? c->counter_id : "-");
        return;
    }
    if(v->staff_idx < 0 || v->staff_idx >= cfg->n_staff) {
        snprintf(v->login_msg, sizeof(v->login_msg), "%s",
                 i18n_get(c->model.lang, I18N_COUNTER_PICK_STAFF));
        return;
    }
    if(c->pin_len == 0)
        return;
    c->login_tag = ++c->next_tag;
    if(branch_login(c->o.branch, c->login_tag, cfg->staff[v->staff_idx].id, c->pin) != HK_OK) {
        c->login_tag = 0;
        snprintf(v->login_msg, sizeof(v->login_msg), "%s", i18n_get(c->model.lang, I18N_TOAST_HUB));
    }
    wipe_pin(c); /* the branch copied it */
}

static void login_done(counter_t *c, const branch_result_t *r)
{
    ui_counter_view_t *v = &c->model.counter;
    i18n_key_t why;

    c->login_tag = 0;
    if(r->rc == HK_OK) {
        const char *id = r->has_staff ? r->staff.id : c->cfg->staff[v->staff_idx].id;
        int idx = config_staff_index(c->cfg, id);
        snprintf(c->staff_id, sizeof(c->staff_id), "%s", id);
        if(idx >= 0)
            v->staff_idx = idx;
        v->logged_in = true;
        v->login_msg[0] = '\0';
        v->toast[0] = '\0';
        c->staff_lang = c->model.lang;
        hk_log_info("counter", "staff %s logged in at %s", c->staff_id, c->counter_id);
        go_panel(c);
        /* logging in opens the counter for this clerk: the calls made here
         * carry their id until it closes */
        c->op_tag = ++c->next_tag;
        submit(c, BRANCH_OP_SET_COUNTER,
               branch_set_counter(c->o.branch, c->op_tag, c->counter_id, BRANCH_COUNTER_OPEN,
                                  c->staff_id));
        request_snapshot(c);
        return;
    }
    why = r->rc == HK_ERR_INVALID ? I18N_COUNTER_PIN_WRONG
          : r->rc == HK_ERR_BUSY  ? I18N_COUNTER_PIN_LOCKED
                                  : I18N_TOAST_HUB;
    snprintf(v->login_msg, sizeof(v->login_msg), "%s", i18n_get(c->model.lang, why));
}

static void logout(counter_t *c)
{
    ui_counter_view_t *v = &c->model.counter;

    if(!v->logged_in)
        return;
    if(v->state != BRANCH_COUNTER_CLOSED &&
       branch_set_counter(c->o.branch, ++c->next_tag, c->counter_id, BRANCH_COUNTER_CLOSED, NULL) !=
           HK_OK)
        hk_log_warn("counter", "close on logout not submitted");
    if(branch_logout(c->o.branch, ++c->next_tag) != HK_OK)
        hk_log_warn("counter", "logout not submitted");
    hk_log_info("counter", "staff %s logged out at %s", c->staff_id, c->counter_id);
    c->staff_id[0] = '\0';
    v->logged_in = false;
    v->pick = UI_PICK_NONE;
    v->toast[0] = '\0';
    wipe_pin(c);
    go_login(c);
}

/* Submit one staff operation; false when nothing was submitted. */
static bool submit(counter_t *c, branch_op_t op, hk_err_t rc)
{
    if(rc != HK_OK) {
        c->op_tag = 0;
        toast(c, true, I18N_TOAST_HUB, NULL);
        return false;
    }
    c->op = op;
    c->model.counter.busy = true;
    return true;
}

static void act(counter_t *c, int a)
{
    ui_counter_view_t *v = &c->model.counter;
    branch_t *b = c->o.branch;
    int64_t id = v->ticket.id;
    bool ticket_op = a == UI_ACT_RECALL || a == UI_ACT_START || a == UI_ACT_FINISH ||
                     a == UI_ACT_NO_SHOW || a == UI_ACT_TRANSFER;

    if(!v->logged_in || c->op_tag || !c->started)
        return; /* one operation at a time: a double press calls nobody twice */
    if(ticket_op && !v->has_ticket) {
        toast(c, true, I18N_TOAST_NO_TICKET, NULL);
        return;
    }
    snprintf(c->op_number, sizeof(c->op_number), "%s", v->ticket.number);
    switch(a) {
    case UI_ACT_NO_SHOW: v->pick = UI_PICK_NO_SHOW; return;
    case UI_ACT_TRANSFER: v->pick = UI_PICK_TRANSFER; return;
    default: break;
    }
    c->op_tag = ++c->next_tag;
    switch(a) {
    case UI_ACT_CALL_NEXT:
        submit(c, BRANCH_OP_CALL_NEXT, branch_call_next(b, c->op_tag, c->counter_id));
        break;
    case UI_ACT_RECALL: submit(c, BRANCH_OP_RECALL, branch_recall(b, c->op_tag, id)); break;
    case UI_ACT_START: submit(c, BRANCH_OP_START, branch_start(b, c->op_tag, id)); break;
    case UI_ACT_FINISH: submit(c, BRANCH_OP_FINISH, branch_finish(b, c->op_tag, id)); break;
    case UI_ACT_PAUSE:
        if(v->state == BRANCH_COUNTER_CLOSED) {
            c->op_tag = 0;
            toast(c, true, I18N_TOAST_NOT_OPEN, NULL);
            break;
        }
        submit(c, BRANCH_OP_SET_COUNTER,
               branch_set_counter(b, c->op_tag, c->counter_id,
                                  v->state == BRANCH_COUNTER_PAUSED ? BRANCH_COUNTER_OPEN
                                                                    : BRANCH_COUNTER_PAUSED,
                                  c->staff_id));
        break;
    case UI_ACT_OPEN:
        submit(c, BRANCH_OP_SET_COUNTER,
               branch_set_counter(b, c->op_tag, c->counter_id,
                                  v->state == BRANCH_COUNTER_CLOSED ? BRANCH_COUNTER_OPEN
                                                                    : BRANCH_COUNTER_CLOSED,
                                  v->state == BRANCH_COUNTER_CLOSED ? c->staff_id : NULL));
        break;
    default: c->op_tag = 0; break;
    }
}

/* The panel's choice: arg as the pick defines it. */
static void pick(counter_t *c, int arg)
{
    ui_counter_view_t *v = &c->model.counter;
    ui_counter_pick_t p = v->pick;

    v->pick = UI_PICK_NONE;
    if(c->op_tag || !v->has_ticket)
        return;
    c->op_tag = ++c->next_tag;
    if(p == UI_PICK_NO_SHOW) {
        c->op_put_back = arg == 0;
        submit(c, BRANCH_OP_NO_SHOW,
               branch_no_show(c->o.branch, c->op_tag, v->ticket.id, arg == 0));
    } else if(p == UI_PICK_TRANSFER && arg >= 0 && arg < c->cfg->n_services) {
        submit(c, BRANCH_OP_TRANSFER,
               branch_transfer(c->o.branch, c->op_tag, v->ticket.id, c->cfg->services[arg].id));
    } else {
        c->op_tag = 0;
    }
}

/* Keyboard choice n (1-based) of the open pick, in the panel's order. */
static void pick_key(counter_t *c, int n)
{
    const ui_counter_view_t *v = &c->model.counter;
    int i, k = 0;

    if(v->pick == UI_PICK_NO_SHOW) {
        if(n == 1 || n == 2)
            pick(c, n - 1);
        return;
    }
    for(i = 0; i < c->cfg->n_services; i++) {
        if(v->has_ticket && !strcmp(c->cfg->services[i].id, v->ticket.service_id))
            continue;
        if(++k == n) {
            pick(c, i);
            return;
        }
    }
}

/* ---- customer side -------------------------------------------------------- */

/* The visit's rating is over (voted, refused or timed out): the clerk's
 * panel again, or, on a second screen, its between-visits card. */
static void customer_end(counter_t *c)
{
    if(!c->cd) {
        go_panel(c);
        return;
    }
    c->rate_tag = 0;
    c->rate_ticket = 0;
    runloop_timer_cancel(rl(c), T_RATE);
    runloop_timer_cancel(rl(c), T_BEGIN);
    runloop_timer_cancel(rl(c), T_DONE);
    /* the next customer starts in the branch's language and text size */
    c->cust_lang = i18n_lang_from_code(c->cfg->language);
    c->cust_large = c->cfg->display.large_text;
    cust_show(c, 0);
}

/* r's staff name and initials, for r->staff_id, in lang. */
static void staff_names(const config_t *cfg, i18n_lang_t lang, ui_rate_view_t *r)
{
    int i = config_staff_index(cfg, r->staff_id);

    r->staff_name[0] = r->initials[0] = '\0';
    if(i < 0)
        return;
    snprintf(r->staff_name, sizeof(r->staff_name), "%s",
             lang == I18N_EN ? cfg->staff[i].name_en : cfg->staff[i].name_zh);
    rating_flow_initials(&cfg->staff[i], lang, r->initials, sizeof(r->initials));
}

/* The customer's language: their screen's, or the shared one's. */
static i18n_lang_t rate_lang(const counter_t *c)
{
    return c->cd ? c->cust_lang : c->model.lang;
}

static void rate_names(counter_t *c)
{
    staff_names(c->cfg, c->model.lang, &c->model.rate);
}

/* Draw the customer's screen when what it shows changed (or force). */
static void customer_frame(counter_t *c, bool force)
{
    const scr_ops_t *ops;
    ui_model_t *m;
    gfx_t *g;

    if(!c->cd)
        return;
    ops = cust_ops(c->cust_top);
    g = display_gfx(c->cd);
    m = hk_malloc(sizeof(*m)); /* a model is large for the stack */
    if(!m)
        return;
    *m = c->model;
    m->w = g->width;
    m->h = g->height;
    m->lang = c->cust_lang;
    m->large = c->cust_large;
    if(!c->rate_ticket) {
        /* between visits: who serves here, and the number now */
        memset(&m->rate, 0, sizeof(m->rate));
        m->rate.idle = true;
        m->rate.countdown_s = -1;
        if(c->model.counter.logged_in)
            snprintf(m->rate.staff_id, sizeof(m->rate.staff_id), "%s", c->staff_id);
        if(c->model.counter.has_ticket)
            snprintf(m->rate.number, sizeof(m->rate.number), "%s", c->model.counter.ticket.number);
    }
    staff_names(c->cfg, m->lang, &m->rate);
    (void)ui_model_set_time(m, wall_ms(c)); /* the header's date in the customer's language */
    if(ops->update(c->cust_scr[c->cust_top], m) || force || c->cust_dirty) {
        ops->draw(c->cust_scr[c->cust_top], g);
        display_present(c->cd);
        c->cust_dirty = false;
    }
    hk_free(m);
}

static int window_left_s(counter_t *c)
{
    int64_t end = c->rate_finished_ms + (int64_t)RATING_WINDOW_S_DEFAULT * 1000;
    int64_t left = end - wall_ms(c);

    return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

static void customer_begin(counter_t *c, const ticket_t *t)
{
    ui_rate_view_t *r = &c->model.rate;

    c->rate_ticket = t->id;
    c->rate_finished_ms = t->finished_ms ? t->finished_ms : wall_ms(c);
    c->rate_tag = 0;
    if(!c->cd) {
        c->staff_lang = c->model.lang;
        c->staff_large = c->model.large;
    }
    rating_flow_begin(r, false, t->number, RATING_WINDOW_S_DEFAULT);
    snprintf(r->staff_id, sizeof(r->staff_id), "%s", t->staff_id[0] ? t->staff_id : c->staff_id);
    rate_names(c);
    r->countdown_s = window_left_s(c);
    go_customer(c, UI_SCR_RATE_STAFF);
    runloop_timer_at(rl(c), T_BEGIN, mono_ms(c) + STAFF_CARD_S * 1000);
    runloop_timer_at(rl(c), T_RATE, mono_ms(c) + 1000);
}

static void send_vote(counter_t *c, const rating_vote_t *vote)
{
    c->rate_tag = ++c->next_tag;
    runloop_timer_cancel(rl(c), T_RATE);
    if(branch_rate(c->o.branch, c->rate_tag, c->rate_ticket, vote, RATING_SOURCE_COUNTER) !=
       HK_OK) {
        c->rate_tag = 0;
        rating_flow_result(&c->model.rate, rate_lang(c), HK_ERR_NET);
        runloop_timer_at(rl(c), T_DONE, mono_ms(c) + DONE_S * 1000);
    }
}

static void rate_tick(counter_t *c)
{
    ui_rate_view_t *r = &c->model.rate;
    rating_vote_t vote;

    r->countdown_s = window_left_s(c);
    if(r->countdown_s <= SEND_MARGIN_S && rating_flow_send_now(r, &vote)) {
        send_vote(c, &vote);
        return;
    }
    if(r->countdown_s <= 0) {
        /* nothing chosen: the hub's sweep records "not rated" */
        hk_log_info("counter", "%s: rating window passed without a vote", r->number);
        customer_end(c);
        return;
    }
    runloop_timer_at(rl(c), T_RATE, mono_ms(c) + 1000);
}

/* ---- intents, input --------------------------------------------------------- */

static void on_intent(void *ctl, const ui_intent_t *in)
{
    counter_t *c = ctl;
    ui_model_t *m = &c->model;
    rating_vote_t vote;

    switch(in->kind) {
    case INTENT_TOGGLE_LANG:
        m->lang = m->lang == I18N_ZH ? I18N_EN : I18N_ZH;
        if(m->counter.logged_in && ui_loop_current(c->loop) == UI_SCR_COUNTER_PANEL)
            c->staff_lang = m->lang;
        rate_names(c);
        refresh_time(c);
        break;
    case INTENT_TOGGLE_LARGE: m->large = !m->large; break;
    case INTENT_STAFF_PICK:
        m->counter.staff_idx = in->arg;
        m->counter.login_msg[0] = '\0';
        break;
    case INTENT_PIN_KEY: pin_key(c, in->arg); break;
    case INTENT_LOGIN: login(c); break;
    case INTENT_LOGOUT: logout(c); break;
    case INTENT_COUNTER_ACT: act(c, in->arg); break;
    case INTENT_PICK: pick(c, in->arg); break;
    case INTENT_CANCEL: m->counter.pick = UI_PICK_NONE; break;
    case INTENT_RATE_BEGIN:
        if(ui_loop_current(c->loop) == UI_SCR_RATE_STAFF)
            go_customer(c, UI_SCR_RATE_FACES);
        break;
    case INTENT_RATE_LEVEL:
    case INTENT_RATE_CHIP:
    case INTENT_RATE_SUBMIT:
        if(c->rate_tag || !c->rate_ticket)
            break; /* the vote is on its way or done: one vote */
        if(rating_flow_intent(&m->rate, in, &vote))
            send_vote(c, &vote);
        break;
    default: break; /* the kiosk's, or the loop's own */
    }
}

/* A printable key or typed character, wherever it came from. */
static void on_char(counter_t *c, int ch)
{
    int cur = ui_loop_current(c->loop);
    const ui_counter_view_t *v = &c->model.counter;

    if(ch < '0' || ch > '9')
        return;
    if(cur == UI_SCR_COUNTER_LOGIN)
        pin_key(c, ch - '0');
    else if(cur == UI_SCR_COUNTER_PANEL && v->pick != UI_PICK_NONE)
        pick_key(c, ch - '0');
    else if(cur == UI_SCR_COUNTER_PANEL && ch >= '1' && ch < '0' + UI_ACT_COUNT)
        act(c, ch - '0');
}

static bool on_input(void *ctl, const display_event_t *ev)
{
    counter_t *c = ctl;
    int cur = ui_loop_current(c->loop);
    ui_counter_view_t *v = &c->model.counter;

    if(ev->type == DISPLAY_EV_TEXT) {
        const char *p;
        /* a key's own text arrives right after it: it counted already */
        bool twin = ev->text[0] == c->last_key_char && ev->text[1] == '\0' &&
                    mono_ms(c) - c->last_key_ms < 100;
        c->last_key_char = 0;
        if(!twin)
            for(p = ev->text; *p; p++)
                on_char(c, (unsigned char)*p);
        ui_loop_invalidate(c->loop);
        return true;
    }
    if(ev->type != DISPLAY_EV_KEY)
        return false;
    c->last_key_char = 0;
    if(ev->key > 32 && ev->key < 127) {
        c->last_key_char = ev->key;
        c->last_key_ms = mono_ms(c);
        on_char(c, ev->key);
    } else if(cur == UI_SCR_COUNTER_LOGIN) {
        if(ev->key == DISPLAY_KEY_ENTER)
            login(c);
        else if(ev->key == DISPLAY_KEY_BACKSPACE)
            pin_key(c, -1);
        else if(ev->key == DISPLAY_KEY_ESCAPE)
            pin_key(c, -2);
        else if(ev->key == DISPLAY_KEY_TAB && c->cfg->n_staff > 0) {
            /* keyboard only: Tab steps through the staff ids */
            v->staff_idx = (v->staff_idx + 1) % c->cfg->n_staff;
            v->login_msg[0] = '\0';
        }
    } else if(cur == UI_SCR_COUNTER_PANEL) {
        if(ev->key == DISPLAY_KEY_ESCAPE)
            v->pick = UI_PICK_NONE;
        else if(v->pick == UI_PICK_NONE && ev->key >= DISPLAY_KEY_F1 && ev->key <= DISPLAY_KEY_F2)
            act(c, ev->key - DISPLAY_KEY_F1 + 1);
        else if(v->pick == UI_PICK_NONE && ev->key >= DISPLAY_KEY_F3 && ev->key <= DISPLAY_KEY_F8)
            act(c, ev->key - DISPLAY_KEY_F3 + 3);
        else if(ev->key == DISPLAY_KEY_F10)
            logout(c);
    } else if(ev->key == DISPLAY_KEY_ESCAPE && !c->cd) {
        go_panel(c); /* the clerk takes the screen back from the customer side */
    }
    ui_loop_invalidate(c->loop);
    return true;
}

/* ---- results ------------------------------------------------------------ */

static void op_done(counter_t *c, const branch_result_t *r)
{
    ui_counter_view_t *v = &c->model.counter;
    const char *num = r->has_ticket ? r->ticket.number : c->op_number;
    branch_op_t op = c->op;

    c->op_tag = 0;
    v->busy = false;
    if(r->rc != HK_OK) {
        i18n_key_t why = r->rc == HK_ERR_NET    ? I18N_TOAST_HUB
                         : r->rc == HK_ERR_BUSY ? I18N_TOAST_NOT_OPEN
                         : r->rc == HK_ERR_NOT_FOUND && op == BRANCH_OP_CALL_NEXT
                             ? I18N_TOAST_NOBODY
                         : r->rc == HK_ERR_INVALID  ? I18N_TOAST_NOT_NOW
                         : r->rc == HK_ERR_CONFLICT ? I18N_TOAST_COUNTER_BUSY
                                                    : I18N_TOAST_FAILED;
        hk_log_info("counter", "%s at %s refused: %s", branch_op_str(op), c->counter_id,
                    hk_err_str(r->rc));
        toast(c, true, why, NULL);
        request_snapshot(c);
        return;
    }
    switch(op) {
    case BRANCH_OP_CALL_NEXT:
        if(r->has_ticket)
            set_current(c, true, &r->ticket);
        toast(c, false, I18N_TOAST_CALLED_S, num);
        break;
    case BRANCH_OP_RECALL:
        if(r->has_ticket)
            set_current(c, true, &r->ticket);
        else
            v->ticket.recalls++;
        toast(c, false, I18N_TOAST_RECALLED_S, num);
        break;
    case BRANCH_OP_START:
        if(r->has_ticket)
            set_current(c, true, &r->ticket);
        else
            v->ticket.state = TICKET_SERVING;
        toast(c, false, I18N_TOAST_STARTED_S, num);
        break;
    case BRANCH_OP_FINISH: {
        ticket_t t = r->has_ticket ? r->ticket : v->ticket;
        if(!r->has_ticket)
            t.finished_ms = wall_ms(c);
        set_current(c, false, NULL);
        toast(c, false, I18N_TOAST_FINISHED_S, num);
        customer_begin(c, &t);
        break;
    }
    case BRANCH_OP_NO_SHOW:
        set_current(c, false, NULL);
        toast(c, false, c->op_put_back ? I18N_TOAST_REQUEUED_S : I18N_TOAST_MISSED_S, c->op_number);
        break;
    case BRANCH_OP_TRANSFER:
        set_current(c, false, NULL);
        toast(c, false, I18N_TOAST_TRANSFERRED_S, c->op_number);
        break;
    case BRANCH_OP_SET_COUNTER: v->toast[0] = '\0'; break;
    default: break;
    }
    request_snapshot(c);
}

static void apply_config(counter_t *c)
{
    uint64_t gen = 0;
    const config_t *old = c->cfg, *cfg = config_live_acquire(c->o.live, &gen);

    if(gen == c->cfg_gen) {
        config_live_release(c->o.live, cfg);
        return;
    }
    c->cfg = cfg;
    c->cfg_gen = gen;
    c->model.cfg = cfg;
    c->model.cfg_gen = gen;
    c->model.counter.counter_idx = config_counter_index(cfg, c->counter_id);
    if(c->model.counter.staff_idx >= cfg->n_staff)
        c->model.counter.staff_idx = -1;
    config_live_release(c->o.live, old);
    refresh_time(c);
    request_snapshot(c);
    ui_loop_invalidate(c->loop);
}

static void on_message(void *ctl, mailbox_msg_t *msg)
{
    counter_t *c = ctl;
    const branch_result_t *r = msg->payload;

    switch(msg->kind) {
    case MAILBOX_BRANCH_DONE:
        if(!r)
            break;
        if(msg->tag == c->login_tag && r->op == BRANCH_OP_LOGIN) {
            login_done(c, r);
        } else if(msg->tag == c->op_tag) {
            op_done(c, r);
        } else if(msg->tag == c->rate_tag && r->op == BRANCH_OP_RATE) {
            hk_log_info("counter", "%s rated at %s: %s", c->model.rate.number, c->counter_id,
                        hk_err_str(r->rc));
            rating_flow_result(&c->model.rate, rate_lang(c), r->rc);
            runloop_timer_at(rl(c), T_DONE, mono_ms(c) + DONE_S * 1000);
        } else if(msg->tag == c->snap_tag && r->op == BRANCH_OP_SNAPSHOT) {
            c->snap_tag = 0;
            if(r->rc == HK_OK)
                apply_snapshot(c, &r->snapshot);
            if(c->snap_again) {
                c->snap_again = false;
                request_snapshot(c);
            }
        }
        break;
    case MAILBOX_JOURNAL_ADVANCED: request_snapshot(c); break;
    case MAILBOX_CONFIG_CHANGED: apply_config(c); break;
    case MAILBOX_LINK_CHANGED:
        if(c->model.hub_offline != (msg->i64 == 0)) {
            c->model.hub_offline = msg->i64 == 0;
            hk_log_info("counter", "hub %s", msg->i64 ? "reachable again" : "unreachable");
            ui_loop_invalidate(c->loop);
        }
        break;
    default: break;
    }
    mailbox_msg_free(msg);
}

static void on_timer(void *ctl, int id)
{
    counter_t *c = ctl;

    switch(id) {
    case T_MINUTE: refresh_time(c); break;
    case T_TICK: refresh_ticket_times(c); break;
    case T_TOAST: c->model.counter.toast[0] = '\0'; break;
    case T_RATE: rate_tick(c); break;
    case T_BEGIN:
        if(c->cd || ui_loop_current(c->loop) == UI_SCR_RATE_STAFF)
            go_customer(c, UI_SCR_RATE_FACES);
        break;
    case T_DONE: customer_end(c); break;
    default: break;
    }
}

static void after_present(void *ctl)
{
    customer_frame(ctl, false);
}

void counter_customer_input(counter_t *c, const display_event_t *ev)
{
    ui_intent_t in;

    if(!c->cd)
        return;
    if(ev->type == DISPLAY_EV_EXPOSE || ev->type == DISPLAY_EV_RESIZE) {
        customer_frame(c, true);
        return;
    }
    if(ev->type != DISPLAY_EV_DOWN && ev->type != DISPLAY_EV_MOVE && ev->type != DISPLAY_EV_UP)
        return; /* no keyboard on the customer's side; nor can they close it */
    if(mono_ms(c) < c->cust_guard_until)
        return;
    in = cust_ops(c->cust_top)->handle(c->cust_scr[c->cust_top], ev);
    switch(in.kind) {
    case INTENT_REDRAW: c->cust_dirty = true; break;
    case INTENT_TOGGLE_LANG: c->cust_lang = c->cust_lang == I18N_ZH ? I18N_EN : I18N_ZH; break;
    case INTENT_TOGGLE_LARGE: c->cust_large = !c->cust_large; break;
    case INTENT_RATE_BEGIN:
        if(c->rate_ticket && c->cust_top == 0)
            cust_show(c, 1);
        break;
    case INTENT_RATE_LEVEL:
    case INTENT_RATE_CHIP:
    case INTENT_RATE_SUBMIT: on_intent(c, &in); break;
    default: break;
    }
    customer_frame(c, false);
    ui_loop_invalidate(c->loop);
}

static ui_model_t *model(void *ctl)
{
    return &((counter_t *)ctl)->model;
}

static hk_err_t start(void *ctl, hk_diag_t *diag)
{
    counter_t *c = ctl;

    if(!c->o.branch || !c->o.branch->ops) {
        hk_diag_set(diag, "counter: no branch to call through");
        return HK_ERR_INVALID;
    }
    c->started = true;
    request_snapshot(c);
    customer_frame(c, true);
    return HK_OK;
}

/* ---- script probe --------------------------------------------------------- */

static const char *probe_print_state(void *user)
{
    (void)user;
    return "none"; /* a counter prints nothing */
}

static void probe_print_wait(void *user)
{
    (void)user;
}

static void probe_load_config(void *user, const char *path)
{
    counter_t *c = user;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    if(config_live_load_file(c->o.live, path, &diag) != HK_OK) {
        hk_log_error("counter", "config %s refused: %s; the last good config stays", path,
                     diag.msg);
        return;
    }
    apply_config(c);
}

static void probe_clock_changed(void *user)
{
    counter_t *c = user;

    refresh_time(c);
    refresh_ticket_times(c);
    ui_loop_invalidate(c->loop);
}

/* ---- lifecycle ---------------------------------------------------------------- */

hk_err_t counter_create(const counter_opts_t *o, counter_t **out, hk_diag_t *diag)
{
    static const struct {
        int id;
        const scr_ops_t *(*ops)(void);
    } screens[] = {
        { UI_SCR_COUNTER_LOGIN, scr_counter_login_ops },
        { UI_SCR_COUNTER_PANEL, scr_counter_panel_ops },
        { UI_SCR_RATE_STAFF, scr_rate_staff_ops },
        { UI_SCR_RATE_FACES, scr_rate_faces_ops },
    };
    ui_controller_t ctl;
    ui_loop_opts_t lo;
    counter_t *c;
    hk_err_t rc;
    size_t i;

    *out = NULL;
    c = hk_calloc(1, sizeof(*c));
    if(!c)
        return HK_ERR_NOMEM;
    c->o = *o;
    c->cfg = config_live_acquire(o->live, &c->cfg_gen);
    snprintf(c->counter_id, sizeof(c->counter_id), "%s",
             o->counter_id && o->counter_id[0] ? o->counter_id : c->cfg->device.counter);
    memset(&ctl, 0, sizeof(ctl));
    ctl.ctl = c;
    ctl.model = model;
    ctl.on_input = on_input;
    ctl.on_intent = on_intent;
    ctl.on_message = on_message;
    ctl.on_timer = on_timer;
    ctl.start = start;
    ctl.after_present = after_present;
    memset(&lo, 0, sizeof(lo));
    lo.display = o->display;
    lo.clock = o->clock;
    lo.start_mono_ms = o->start_mono_ms;
    rc = ui_loop_create(&lo, &ctl, &c->loop);
    for(i = 0; rc == HK_OK && i < sizeof(screens) / sizeof(screens[0]); i++)
        rc = ui_loop_add_screen(c->loop, screens[i].id, screens[i].ops());
    if(rc == HK_OK && o->customer_display) {
        /* the customer's side gets screens of its own, on its own gfx */
        c->cd = o->customer_display;
        for(i = 0; rc == HK_OK && i < 2; i++)
            rc = cust_ops((int)i)->create(display_gfx(c->cd), &c->cust_scr[i]);
    }
    if(rc != HK_OK) {
        hk_diag_set(diag, "counter: cannot create screens: %s", hk_err_str(rc));
        counter_destroy(c);
        return rc;
    }
    ui_model_init(&c->model, c->cfg, c->cfg_gen);
    c->cust_lang = c->model.lang;
    c->cust_large = c->model.large;
    if(c->cd)
        cust_show(c, 0);
    c->model.counter.counter_idx = config_counter_index(c->cfg, c->counter_id);
    c->model.counter.staff_idx = -1;
    c->model.rate.countdown_s = -1;
    c->staff_lang = c->model.lang;
    if(c->model.counter.counter_idx < 0)
        i18n_format(c->model.counter.login_msg, sizeof(c->model.counter.login_msg), c->model.lang,
                    I18N_COUNTER_UNKNOWN_S, c->counter_id[0] ? c->counter_id : "-");
    refresh_time(c);
    go_login(c);
    *out = c;
    return HK_OK;
}

void counter_destroy(counter_t *c)
{
    if(!c)
        return;
    ui_loop_destroy(c->loop); /* frees undelivered messages */
    if(c->cust_scr[0])
        cust_ops(0)->destroy(c->cust_scr[0]);
    if(c->cust_scr[1])
        cust_ops(1)->destroy(c->cust_scr[1]);
    if(c->cfg)
        config_live_release(c->o.live, c->cfg);
    memset(c->pin, 0, sizeof(c->pin));
    hk_free(c);
}

const ui_model_t *counter_model(const counter_t *c)
{
    return &c->model;
}

mailbox_t *counter_mailbox(counter_t *c)
{
    return ui_loop_mailbox(c->loop);
}

/* Input from both screens (interactive with a customer screen): the
 * customer's events are handled here, the clerk's go to the loop. */
static ui_src_result_t both_next(void *impl, ui_loop_t *l, int64_t deadline_ms, display_event_t *ev)
{
    counter_t *c = impl;
    display_t *ds[2];
    int64_t wait = deadline_ms == RUNLOOP_NEVER ? 600000 : deadline_ms - ui_loop_mono(l);

    ds[0] = c->o.display;
    ds[1] = c->cd;
    if(wait < 0)
        wait = 0;
    if(wait > 600000)
        wait = 600000;
    if(!display_wait_any(ds, 2, (int)wait, ev))
        return UI_SRC_IDLE;
    if(ev->type == DISPLAY_EV_QUIT) {
        ui_loop_quit(l, 0);
        return UI_SRC_IDLE;
    }
    if(ev->type == DISPLAY_EV_WAKE)
        return UI_SRC_IDLE; /* mail: the next dispatch takes it */
    if(ev->display == c->cd) {
        counter_customer_input(c, ev);
        return UI_SRC_IDLE;
    }
    return UI_SRC_EVENT;
}

int counter_run(counter_t *c, const script_t *script)
{
    script_player_t *player = NULL;
    ui_input_source_t src;
    script_probe_t probe;
    int rc;

    if(!script && c->cd) {
        src.impl = c;
        src.next = both_next;
        return ui_loop_run(c->loop, &src);
    }
    if(!script)
        return ui_loop_run(c->loop, NULL);
    memset(&probe, 0, sizeof(probe));
    probe.user = c;
    probe.utc_offset_min = c->cfg->utc_offset_min;
    probe.print_state = probe_print_state;
    probe.print_wait = probe_print_wait;
    probe.clock_changed = probe_clock_changed;
    probe.load_config = probe_load_config;
    if(script_player_create(script, c->o.screenshot_dir, c->o.script_dir, &probe, &player) != HK_OK)
        return 2;
    src = script_player_source(player);
    rc = ui_loop_run(c->loop, &src);
    script_player_destroy(player);
    return rc;
}
