/*
 * board: see board.h.
 *
 * Design notes
 *   Learning calls. The board reads the branch's journal, never a second
 *   path: on start a snapshot (waiting counts, and the tickets counters
 *   have called already, shown without a voice) whose journal_seq becomes
 *   last_seq; then on every MAILBOX_JOURNAL_ADVANCED branch_events(after
 *   last_seq). ticket.called and ticket.recalled events become calls in
 *   journal order (pending FIFO); counter.closed clears that counter's
 *   row. A result of BRANCH_EVENTS_MAX events is followed by another ask;
 *   a gap in the seqs (events missed) re-syncs from a snapshot at once, a
 *   failed ask (hub unreachable) RETRY_MS later. At most one events ask
 *   and one snapshot are in flight; a notice meanwhile is remembered
 *   (*_again) so the newest state arrives. A re-sync takes the counters'
 *   current tickets onto rows that are empty, unannounced.
 *
 *   Showing and saying, one call at a time (the "current" call):
 *     IDLE     nothing pending            -> a call arrives: ADVANCE
 *     ADVANCE  (no announcement in flight, and the current call has been
 *              shown BOARD_MIN_SHOW_MS) pop the oldest pending call, show
 *              it and, right after the frame that shows it is presented,
 *              hand it to the voice (SAYING). The voice is idle then, so
 *              its chime follows the frame within milliseconds: in step,
 *              and the frame never waits for the voice's thread. Too
 *              early: timer T_NEXT at shown + min.
 *     SAYING   VOICE_DONE: ADVANCE. T_STALL fires if the voice never
 *              answers (its length + STALL_SLACK_MS): as DONE. Without a
 *              voice (or when it refuses the call) the next call waits
 *              only for the minimum time.
 *   So announcements never overlap and keep call order (the voice gets
 *   the next one only after the last ended), and no call is replaced
 *   before BOARD_MIN_SHOW_MS (>= 1 s) however many counters call at once.
 *   Showing a call: the old current moves to recent (newest first, one
 *   entry per number and counter), the counter's row takes the call, and
 *   the call flashes (T_FLASH every BOARD_FLASH_HALF) for BOARD_FLASH_MS,
 *   then stays lit: an idle board arms only the minute timer.
 *
 *   Benchmark hooks: "board: call N presented: mono-ns T" after the frame
 *   that first shows a call, and "board: announcement N first sample:
 *   mono-ns T" from the voice thread as its first sample goes to the
 *   device (CLOCK_MONOTONIC, like ui_loop's first-frame log), read from
 *   outside so no bench code lives here.
 *
 *   Threads: everything runs on the loop's thread except voice_notify (the
 *   voice's player), which only posts MAILBOX_VOICE and logs.
 */
#include "board.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "announce.h"
#include "audio.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "script_player.h"
#include "ui_loop.h"
#include "ui_model.h"
#include "voice.h"
#include "voice_pack.h"

#define STALL_SLACK_MS 5000
#define RETRY_MS       2000 /* after a failed events ask (hub unreachable): re-sync then */

enum { T_MINUTE = 0, T_NEXT, T_FLASH, T_STALL, T_RETRY };

struct board {
    board_opts_t o;
    const config_t *cfg; /* acquired from o.live */
    uint64_t cfg_gen;
    ui_loop_t *loop;
    ui_model_t model;
    board_view_t view;
    branch_t branch;
    bool have_branch;
    voice_pack_t *pack;
    voice_t *voice;
    uint64_t next_tag;

    /* reading the journal */
    bool synced;      /* a snapshot set last_seq */
    bool resync;      /* the snapshot in flight re-syncs */
    int64_t last_seq; /* last journal event taken */
    uint64_t ev_tag;  /* events ask in flight; 0 = none */
    bool ev_again;
    uint64_t snap_tag; /* snapshot in flight; 0 = none */
    bool snap_again;

    /* calls in order */
    board_call_t pending[BOARD_PENDING_MAX];
    int pend_head, pend_n;
    bool saying;            /* an announcement is with the voice (or about to be) */
    bool say_after_present; /* hand say_call to the voice after this frame */
    uint64_t say_tag;
    board_call_t say_call;
    int64_t shown_ms;                 /* mono ms the current call was shown */
    int64_t flash_until_ms;           /* mono */
    char presented[BOARD_NUMBER_LEN]; /* log after the next present; "" = none */
    uint64_t frames;
};

static int64_t mono_ms(const board_t *b)
{
    return hk_clock_mono_ms(b->o.clock);
}

static int64_t wall_ms(const board_t *b)
{
    return hk_clock_wall_ms(b->o.clock);
}

static long long mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void changed(board_t *b)
{
    b->model.role_gen++;
}

/* ---- time and snapshot ---------------------------------------------------- */

static void refresh_time(board_t *b)
{
    int64_t next_minute = ui_model_set_time(&b->model, wall_ms(b));

    runloop_timer_at(ui_loop_runloop(b->loop), T_MINUTE, mono_ms(b) + (next_minute - wall_ms(b)));
}

static void request_snapshot(board_t *b)
{
    hk_err_t rc;

    if(!b->have_branch)
        return;
    if(b->snap_tag) {
        b->snap_again = true;
        return;
    }
    b->snap_tag = ++b->next_tag;
    rc = branch_snapshot(&b->branch, b->snap_tag);
    if(rc != HK_OK) {
        hk_log_warn("board", "snapshot not requested: %s", hk_err_str(rc));
        b->snap_tag = 0;
    }
}

static void request_events(board_t *b)
{
    hk_err_t rc;

    if(!b->have_branch || !b->synced)
        return; /* the first snapshot asks once it has set last_seq */
    if(b->ev_tag) {
        b->ev_again = true;
        return;
    }
    b->ev_tag = ++b->next_tag;
    rc = branch_events(&b->branch, b->ev_tag, b->last_seq);
    if(rc != HK_OK) {
        hk_log_warn("board", "events not requested: %s", hk_err_str(rc));
        b->ev_tag = 0;
    }
}

static void resync(board_t *b)
{
    b->resync = true;
    request_snapshot(b);
}

/* ---- calls -------------------------------------------------------------- */

static bool same_call(const board_call_t *x, const board_call_t *y)
{
    return !strcmp(x->counter_id, y->counter_id) && !strcmp(x->number, y->number);
}

/* The old current call goes to the top of recent (once per number+counter). */
static void push_recent(board_view_t *v, const board_call_t *c)
{
    int i, j;

    for(i = 0, j = 0; i < v->n_recent; i++)
        if(!same_call(&v->recent[i], c))
            v->recent[j++] = v->recent[i];
    v->n_recent = j;
    if(v->n_recent == BOARD_RECENT_MAX)
        v->n_recent--;
    memmove(&v->recent[1], &v->recent[0], sizeof(v->recent[0]) * (size_t)v->n_recent);
    v->recent[0] = *c;
    v->n_recent++;
}

static void show(board_t *b, const board_call_t *c)
{
    board_view_t *v = &b->view;
    runloop_t *rl = ui_loop_runloop(b->loop);
    int i, j;

    if(v->has_current && !same_call(&v->current, c))
        push_recent(v, &v->current);
    /* the call itself is not "recent" while it is the current one */
    for(i = 0, j = 0; i < v->n_recent; i++)
        if(!same_call(&v->recent[i], c))
            v->recent[j++] = v->recent[i];
    v->n_recent = j;
    v->current = *c;
    v->has_current = true;
    v->lit = true;
    if(c->counter_idx >= 0 && c->counter_idx < CONFIG_MAX_COUNTERS) {
        v->row[c->counter_idx] = *c;
        v->has_row[c->counter_idx] = true;
    }
    b->shown_ms = mono_ms(b);
    b->flash_until_ms = b->shown_ms + BOARD_FLASH_MS;
    runloop_timer_at(rl, T_FLASH, b->shown_ms + BOARD_FLASH_HALF);
    snprintf(b->presented, sizeof(b->presented), "%s", c->number);
    hk_log_info("board", "showing %s at counter %d%s: mono-ns %lld", c->number, c->counter_no,
                c->recall ? " (recall)" : "", mono_ns());
    changed(b);
}

static void advance(board_t *b);

static bool say(board_t *b, const board_call_t *c)
{
    announce_opts_t ao;
    announce_t *a;
    size_t samples = 0;
    hk_err_t rc;

    ao.langs = ANNOUNCE_LANG_ZH | (b->cfg->voice_en ? ANNOUNCE_LANG_EN : 0u);
    ao.repeat = BOARD_REPEAT;
    a = hk_malloc(sizeof(*a)); /* ~2 KB: off the loop's stack */
    if(!a)
        return false;
    rc = announce_build(c->number, c->counter_no, &ao, a);
    if(rc == HK_OK)
        rc = voice_pack_measure(b->pack, a, &samples);
    if(rc == HK_OK) {
        b->say_tag = ++b->next_tag;
        rc = voice_say(b->voice, a, b->say_tag);
    }
    hk_free(a);
    if(rc != HK_OK) {
        hk_log_error("board", "%s not announced: %s", c->number, hk_err_str(rc));
        return false;
    }
    runloop_timer_at(ui_loop_runloop(b->loop), T_STALL,
                     mono_ms(b) + (int64_t)(samples * 1000u / WAV_RATE_HZ) + STALL_SLACK_MS);
    return true;
}

static void advance(board_t *b)
{
    board_call_t c;
    int64_t due;

    if(b->pend_n == 0 || b->saying)
        return;
    due = b->shown_ms + BOARD_MIN_SHOW_MS;
    if(b->view.has_current && mono_ms(b) < due) {
        runloop_timer_at(ui_loop_runloop(b->loop), T_NEXT, due);
        return;
    }
    c = b->pending[b->pend_head];
    b->pend_head = (b->pend_head + 1) % BOARD_PENDING_MAX;
    b->pend_n--;
    show(b, &c);
    if(b->voice) {
        /* handed to the (idle) voice right after the frame that shows it
         * is presented: the frame does not wait for the voice thread, and
         * the chime follows within milliseconds */
        b->saying = true;
        b->say_call = c;
        b->say_after_present = true;
        return; /* the next waits for VOICE_DONE too */
    }
    if(b->pend_n > 0)
        runloop_timer_at(ui_loop_runloop(b->loop), T_NEXT, b->shown_ms + BOARD_MIN_SHOW_MS);
}

static void said(board_t *b)
{
    b->saying = false;
    runloop_timer_cancel(ui_loop_runloop(b->loop), T_STALL);
    advance(b);
}

static void enqueue(board_t *b, const board_call_t *c)
{
    if(b->pend_n == BOARD_PENDING_MAX) {
        /* a board this far behind: the oldest call is stale anyway */
        hk_log_warn("board", "%d calls waiting: %s dropped", BOARD_PENDING_MAX,
                    b->pending[b->pend_head].number);
        b->pend_head = (b->pend_head + 1) % BOARD_PENDING_MAX;
        b->pend_n--;
    }
    b->pending[(b->pend_head + b->pend_n) % BOARD_PENDING_MAX] = *c;
    b->pend_n++;
}

/* ---- journal events -------------------------------------------------------- */

static void take_event(board_t *b, const journal_event_t *e)
{
    char number[BOARD_NUMBER_LEN] = "", counter[CONFIG_ID_LEN] = "";
    const cJSON *it;
    cJSON *root = NULL;
    board_call_t c;
    int idx;

    if(e->type != JOURNAL_TICKET_CALLED && e->type != JOURNAL_TICKET_RECALLED &&
       e->type != JOURNAL_COUNTER_CLOSED)
        return;
    if(!e->body || hk_json_parse(e->body, strlen(e->body), NULL, &root, NULL) != HK_OK) {
        hk_log_warn("board", "journal event %lld: unreadable body", (long long)e->seq);
        return;
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "counter");
    if(cJSON_IsString(it))
        snprintf(counter, sizeof(counter), "%s", it->valuestring);
    it = cJSON_GetObjectItemCaseSensitive(root, "number");
    if(cJSON_IsString(it))
        snprintf(number, sizeof(number), "%s", it->valuestring);
    cJSON_Delete(root);
    idx = config_counter_index(b->cfg, counter);
    if(idx < 0) {
        hk_log_warn("board", "journal event %lld: counter \"%s\" is not in the config",
                    (long long)e->seq, counter);
        return;
    }
    if(e->type == JOURNAL_COUNTER_CLOSED) {
        if(b->view.has_row[idx]) {
            b->view.has_row[idx] = false;
            changed(b);
        }
        return;
    }
    if(!number[0])
        return;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "%s", number);
    snprintf(c.counter_id, sizeof(c.counter_id), "%s", counter);
    c.counter_idx = idx;
    c.counter_no = b->cfg->counters[idx].number;
    c.seq = e->seq;
    c.recall = e->type == JOURNAL_TICKET_RECALLED;
    enqueue(b, &c);
}

static void events_done(board_t *b, const branch_result_t *r)
{
    int i;

    b->ev_tag = 0;
    if(r->rc != HK_OK) {
        /* not at once: a hub that is down would be asked in a tight loop */
        hk_log_warn("board", "events after %lld failed: %s; re-syncing in %d ms",
                    (long long)b->last_seq, hk_err_str(r->rc), RETRY_MS);
        runloop_timer_at(ui_loop_runloop(b->loop), T_RETRY, mono_ms(b) + RETRY_MS);
        return;
    }
    for(i = 0; i < r->n_events; i++) {
        const journal_event_t *e = &r->events[i];

        if(e->seq <= b->last_seq)
            continue;
        if(e->seq != b->last_seq + 1) {
            hk_log_warn("board", "journal events %lld..%lld missed; re-syncing",
                        (long long)b->last_seq + 1, (long long)e->seq - 1);
            resync(b);
            return;
        }
        take_event(b, e);
        b->last_seq = e->seq;
    }
    advance(b);
    if(r->n_events >= BRANCH_EVENTS_MAX || b->ev_again) {
        b->ev_again = false;
        request_events(b);
    }
}

static void snapshot_done(board_t *b, const branch_result_t *r)
{
    const branch_snapshot_t *s = &r->snapshot;
    int i, j;

    b->snap_tag = 0;
    if(r->rc != HK_OK) {
        hk_log_warn("board", "snapshot failed: %s", hk_err_str(r->rc));
        if(!b->synced || b->resync) /* the hub is away: try again soon */
            runloop_timer_at(ui_loop_runloop(b->loop), T_RETRY, mono_ms(b) + RETRY_MS);
    } else {
        ui_model_apply_snapshot(&b->model, s);
        for(i = 0; i < b->cfg->n_services; i++)
            for(j = 0; j < s->n_services; j++)
                if(!strcmp(s->services[j].service_id, b->cfg->services[i].id))
                    b->view.waiting[i] = s->services[j].waiting;
        b->view.have_waiting = true;
        if(!b->synced || b->resync) {
            /* what counters called before we looked: on the board, unsaid */
            for(i = 0; i < s->n_counters; i++) {
                const branch_counter_snap_t *cs = &s->counters[i];
                int idx = config_counter_index(b->cfg, cs->counter_id);

                if(idx < 0 || b->view.has_row[idx] || !cs->has_ticket ||
                   (cs->ticket.state != TICKET_CALLED && cs->ticket.state != TICKET_SERVING))
                    continue;
                memset(&b->view.row[idx], 0, sizeof(b->view.row[idx]));
                snprintf(b->view.row[idx].number, BOARD_NUMBER_LEN, "%s", cs->ticket.number);
                snprintf(b->view.row[idx].counter_id, CONFIG_ID_LEN, "%s", cs->counter_id);
                b->view.row[idx].counter_idx = idx;
                b->view.row[idx].counter_no = b->cfg->counters[idx].number;
                b->view.has_row[idx] = true;
            }
            if(s->journal_seq > b->last_seq)
                b->last_seq = s->journal_seq;
            b->synced = true;
            b->resync = false;
            request_events(b); /* anything after the snapshot */
        }
        changed(b);
    }
    if(b->snap_again) {
        b->snap_again = false;
        request_snapshot(b);
    }
}

/* ---- the controller ---------------------------------------------------------- */

static void remap(const config_t *cfg, board_call_t *c)
{
    c->counter_idx = config_counter_index(cfg, c->counter_id);
    if(c->counter_idx >= 0)
        c->counter_no = cfg->counters[c->counter_idx].number;
}

static void apply_config(board_t *b)
{
    uint64_t gen = 0;
    int i;
    const config_t *old = b->cfg, *cfg = config_live_acquire(b->o.live, &gen);

    if(gen == b->cfg_gen) {
        config_live_release(b->o.live, cfg);
        return;
    }
    b->cfg = cfg;
    b->cfg_gen = gen;
    b->model.cfg = cfg;
    b->model.cfg_gen = gen;
    b->model.lang = i18n_lang_from_code(cfg->language);
    b->model.large = cfg->display.large_text;
    config_live_release(b->o.live, old);
    /* counters may have moved or gone: calls find theirs again by id, rows
     * come back from a snapshot */
    for(i = 0; i < b->pend_n; i++)
        remap(cfg, &b->pending[(b->pend_head + i) % BOARD_PENDING_MAX]);
    for(i = 0; i < b->view.n_recent; i++)
        remap(cfg, &b->view.recent[i]);
    remap(cfg, &b->view.current);
    remap(cfg, &b->say_call);
    memset(b->view.has_row, 0, sizeof(b->view.has_row));
    refresh_time(b);
    changed(b);
    resync(b);
    ui_loop_invalidate(b->loop);
}

static void on_message(void *ctl, mailbox_msg_t *msg)
{
    board_t *b = ctl;
    const branch_result_t *r = msg->payload;

    switch(msg->kind) {
    case MAILBOX_BRANCH_DONE:
        if(!r)
            break;
        if(msg->tag == b->ev_tag && r->op == BRANCH_OP_EVENTS)
            events_done(b, r);
        else if(msg->tag == b->snap_tag && r->op == BRANCH_OP_SNAPSHOT)
            snapshot_done(b, r);
        break;
    case MAILBOX_JOURNAL_ADVANCED:
        request_events(b);
        request_snapshot(b); /* waiting counts */
        break;
    case MAILBOX_VOICE:
        if(b->saying && msg->tag == b->say_tag && msg->i64 == VOICE_DONE)
            said(b);
        break;
    case MAILBOX_CONFIG_CHANGED: apply_config(b); break;
    case MAILBOX_LINK_CHANGED:
        if(b->model.hub_offline != (msg->i64 == 0)) {
            b->model.hub_offline = msg->i64 == 0;
            hk_log_info("board", "hub %s", msg->i64 ? "reachable again" : "unreachable");
            changed(b);
        }
        break;
    default: break;
    }
    mailbox_msg_free(msg);
}

static void on_timer(void *ctl, int id)
{
    board_t *b = ctl;
    runloop_t *rl = ui_loop_runloop(b->loop);

    switch(id) {
    case T_MINUTE:
        refresh_time(b);
        request_snapshot(b);
        break;
    case T_NEXT: advance(b); break;
    case T_RETRY: resync(b); break;
    case T_FLASH:
        if(mono_ms(b) >= b->flash_until_ms) {
            b->view.lit = true;
        } else {
            b->view.lit = !b->view.lit;
            runloop_timer_at(rl, T_FLASH, mono_ms(b) + BOARD_FLASH_HALF);
        }
        changed(b);
        break;
    case T_STALL:
        if(b->saying) {
            hk_log_error("board", "the voice did not finish %s: going on", b->say_call.number);
            said(b);
        }
        break;
    default: break;
    }
}

static bool on_input(void *ctl, const display_event_t *ev)
{
    (void)ctl;
    (void)ev;
    return true; /* nobody touches a hall board: nothing to do */
}

static void after_present(void *ctl)
{
    board_t *b = ctl;

    b->frames++;
    if(b->presented[0]) {
        hk_log_info("board", "call %s presented: mono-ns %lld", b->presented, mono_ns());
        b->presented[0] = '\0';
    }
    if(b->say_after_present) {
        b->say_after_present = false;
        if(!say(b, &b->say_call)) {
            /* not said (logged): the next call waits only for the minimum time */
            b->saying = false;
            if(b->pend_n > 0)
                runloop_timer_at(ui_loop_runloop(b->loop), T_NEXT, b->shown_ms + BOARD_MIN_SHOW_MS);
        }
    }
}

static ui_model_t *model(void *ctl)
{
    return &((board_t *)ctl)->model;
}

static hk_err_t start(void *ctl, hk_diag_t *diag)
{
    board_t *b = ctl;
    hk_err_t rc;

    if(!b->o.open_branch) {
        hk_diag_set(diag, "board: no branch to read calls from");
        return HK_ERR_INVALID;
    }
    rc = b->o.open_branch(b->o.branch_user, ui_loop_mailbox(b->loop), &b->branch, diag);
    if(rc != HK_OK)
        return rc;
    b->have_branch = true;
    resync(b);
    return HK_OK;
}

/* The voice's player thread: post, never touch the board. */
static void voice_notify(void *user, voice_event_t ev, uint64_t tag, hk_err_t rc)
{
    board_t *b = user;

    if(ev == VOICE_STARTED)
        hk_log_info("board", "announcement %llu first sample: mono-ns %lld",
                    (unsigned long long)tag, mono_ns());
    if(mailbox_post_simple(ui_loop_mailbox(b->loop), MAILBOX_VOICE, tag, rc, (int64_t)ev) != HK_OK)
        hk_log_warn("board", "voice event for %llu lost (mailbox full)", (unsigned long long)tag);
}

static hk_err_t open_voice(board_t *b, hk_diag_t *diag)
{
    const char *names[256];
    size_t n;
    audio_t *dev = NULL;
    hk_err_t rc;

    /* both languages: voice_en may be switched on by a new config */
    n = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names,
                            sizeof(names) / sizeof(names[0]));
    if(HK_NEVER(n > sizeof(names) / sizeof(names[0])))
        return HK_ERR_INVALID;
    rc = voice_pack_load(b->o.voice_dir ? b->o.voice_dir : voice_pack_default_dir(), names, n, diag,
                         &b->pack);
    if(rc != HK_OK)
        return rc;
    rc = audio_open(b->o.audio_kind, b->o.audio_target ? b->o.audio_target : "", &dev);
    if(rc != HK_OK) {
        hk_diag_set(diag, "voice: cannot open audio %s \"%s\": %s", b->o.audio_kind,
                    b->o.audio_target ? b->o.audio_target : "", hk_err_str(rc));
        return rc;
    }
    rc = voice_create(dev, b->pack, voice_notify, b, &b->voice);
    if(rc != HK_OK) {
        audio_destroy(dev);
        hk_diag_set(diag, "voice: cannot start the announcer: %s", hk_err_str(rc));
    }
    return rc;
}

hk_err_t board_create(const board_opts_t *o, board_t **out, hk_diag_t *diag)
{
    ui_controller_t c;
    ui_loop_opts_t lo;
    board_t *b;
    hk_err_t rc;

    *out = NULL;
    b = hk_calloc(1, sizeof(*b));
    if(!b)
        return HK_ERR_NOMEM;
    b->o = *o;
    b->cfg = config_live_acquire(o->live, &b->cfg_gen);
    memset(&c, 0, sizeof(c));
    c.ctl = b;
    c.model = model;
    c.on_input = on_input;
    c.on_message = on_message;
    c.on_timer = on_timer;
    c.after_present = after_present;
    c.start = start;
    memset(&lo, 0, sizeof(lo));
    lo.display = o->display;
    lo.clock = o->clock;
    lo.start_mono_ms = o->start_mono_ms;
    rc = ui_loop_create(&lo, &c, &b->loop);
    if(rc == HK_OK)
        rc = ui_loop_add_screen(b->loop, UI_SCR_BOARD, scr_board_ops());
    if(rc != HK_OK) {
        hk_diag_set(diag, "ui: cannot create the board screen: %s", hk_err_str(rc));
        board_destroy(b);
        return rc;
    }
    if(o->audio_kind) {
        rc = open_voice(b, diag);
        if(rc != HK_OK) {
            board_destroy(b);
            return rc;
        }
    }
    ui_model_init(&b->model, b->cfg, b->cfg_gen);
    b->model.role_view = &b->view;
    refresh_time(b);
    {
        static const int stack[] = { UI_SCR_BOARD };
        ui_loop_set_stack(b->loop, stack, 1);
    }
    *out = b;
    return HK_OK;
}

void board_destroy(board_t *b)
{
    if(!b)
        return;
    /* first the voice: its last reports go to the loop's mailbox, and its
     * SDL audio must close before the caller's last display */
    voice_destroy(b->voice);
    voice_pack_destroy(b->pack);
    if(b->have_branch)
        branch_destroy(&b->branch);
    ui_loop_destroy(b->loop);
    if(b->cfg)
        config_live_release(b->o.live, b->cfg);
    hk_free(b);
}

/* ---- script probe ------------------------------------------------------------ */

static void probe_clock_changed(void *user)
{
    board_t *b = user;

    refresh_time(b);
    changed(b);
    ui_loop_invalidate(b->loop);
}

static void probe_load_config(void *user, const char *path)
{
    board_t *b = user;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    if(config_live_load_file(b->o.live, path, &diag) != HK_OK) {
        hk_log_error("board", "config %s refused: %s; the last good config stays", path, diag.msg);
        return;
    }
    apply_config(b);
}

int board_run(board_t *b, const script_t *script)
{
    script_player_t *player = NULL;
    ui_input_source_t src;
    script_probe_t probe;
    int rc;

    if(!script)
        return ui_loop_run(b->loop, NULL);
    memset(&probe, 0, sizeof(probe));
    probe.user = b;
    probe.utc_offset_min = b->cfg->utc_offset_min;
    probe.clock_changed = probe_clock_changed;
    probe.load_config = probe_load_config;
    if(script_player_create(script, b->o.screenshot_dir, b->o.script_dir, &probe, &player) != HK_OK)
        return 2;
    src = script_player_source(player);
    rc = ui_loop_run(b->loop, &src);
    script_player_destroy(player);
    return rc;
}

/* ---- for tests and benchmarks ---------------------------------------------------- */

hk_err_t board_start(board_t *b, hk_diag_t *diag)
{
    ui_loop_frame(b->loop, true);
    return start(b, diag);
}

void board_pump(board_t *b)
{
    ui_loop_pump(b->loop);
}

mailbox_t *board_mailbox(board_t *b)
{
    return ui_loop_mailbox(b->loop);
}

const board_view_t *board_view(const board_t *b)
{
    return &b->view;
}

int board_pending(const board_t *b)
{
    return b->pend_n;
}

bool board_voice_idle(board_t *b, int timeout_ms)
{
    return voice_wait_idle(b->voice, timeout_ms);
}

uint64_t board_frames(const board_t *b)
{
    return b->frames;
}

hk_err_t board_screenshot(board_t *b, const char *path)
{
    return display_save_png(ui_loop_display(b->loop), path);
}
