/*
 * ui_loop: see ui_loop.h.
 *
 * Design notes
 *   Iteration (ui_loop_run): dispatch the runloop (mailbox messages, then
 *   due timers), draw if the showing screen reports a change, then ask the
 *   input source for the next input, waiting at most until the next timer
 *   deadline. Nothing polls: idle costs one wake-up per armed timer.
 *   Every input is followed by a dispatch before the next frame, so a
 *   result a branch posted while the input was handled (the local branch
 *   posts at once) is on screen in the same frame.
 *   Navigation: a stack of screen ids (depth <= UI_LOOP_STACK_DEPTH);
 *   set_stack and back each call the new top's enter(), open the input
 *   guard and force a redraw.
 *   Overlay: the dialog is laid out from the current model on each frame
 *   (language and text size can change under it) and takes every input
 *   while open. Under it, the keyboard: laid out from the model too (cached
 *   while size, language and text size stay), it takes the touches that
 *   start on it; the rest reach the screen. Its taps and physical keys
 *   become INTENT_TEXT_* for the controller; a tap that only changes the
 *   keyboard (press look, preedit, candidates) just marks the frame dirty.
 *   The pinyin engine loads after a frame that shows the pinyin keyboard
 *   has been presented, so the customer sees the keyboard first.
 *   First frame: logged at info level with the raw CLOCK_MONOTONIC time
 *   ("first frame presented: mono-ns N, M ms after start"): the benchmark
 *   reads it from outside, so no bench hook lives in product code.
 *   Frame log (a measurement, off by default): with HK_FRAME_LOG=FILE in the
 *   environment every presented frame appends a line with its raw
 *   CLOCK_MONOTONIC time in ns; HK_FRAME_PROBE_MS=N (1..1000) also forces a
 *   redraw at least every N ms of real time, so the intervals between
 *   lines say how long the UI thread went without presenting (a blocked
 *   UI thread shows as a long one). docs/architecture.md, "Frame log".
 *   Service watchdog (platform/watchdog): READY=1 after the first
 *   presented frame and WATCHDOG=1 after later ones, all from presented();
 *   under a watchdog the loop also presents at least every keepalive_ms
 *   (WatchdogSec/2) of real time, so an idle screen keeps feeding it and a
 *   hung loop stops (one full redraw every few seconds, ~1 ms).
 *   Invariants: the top of the stack is a registered screen; only this
 *   thread touches screens, overlay and model.
 */
#include "ui_loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialog.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "ime.h"
#include "paths.h"
#include "watchdog.h"

#define DEFAULT_MAILBOX 256

struct ui_loop {
    ui_loop_opts_t o;
    ui_controller_t c;
    gfx_t *g;
    runloop_t *rl;
    const scr_ops_t *ops[UI_LOOP_MAX_SCREENS];
    void *scr[UI_LOOP_MAX_SCREENS];
    int stack[UI_LOOP_STACK_DEPTH];
    int depth;
    ui_dialog_t dialog;
    char dialog_title[160];
    char dialog_msg[256];
    bool dialog_open;
    ime_t *ime; /* NULL = no data dir: no pinyin */
    ui_keyboard_t kb;
    bool kb_open;
    bool kb_dirty; /* only the keyboard changed: redraw what changed on it */
    int last_kb_h; /* kb_h of the last frame drawn */
    bool ime_failed;
    bool dirty;
    int64_t guard_until_ms;
    int frames;
    FILE *frame_log;        /* HK_FRAME_LOG; NULL = off */
    int probe_ms;           /* HK_FRAME_PROBE_MS; 0 = off */
    int64_t next_probe;     /* real monotonic ms */
    watchdog_t *wd;         /* the service manager's watchdog (a no-op without one) */
    int64_t keepalive_ms;   /* present at least this often; 0 = no watchdog */
    int64_t next_keepalive; /* real monotonic ms */
};

/* Real monotonic ms (the loop's own clock may be a stepped one). */
static int64_t real_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The frame log and probe from the environment (see the design notes). */
static void frame_log_open(ui_loop_t *l)
{
    const char *path = getenv("HK_FRAME_LOG"), *probe = getenv("HK_FRAME_PROBE_MS");

    if(!path || !path[0])
        return;
    l->frame_log = fopen(path, "a");
    if(!l->frame_log) {
        hk_log_warn("ui", "HK_FRAME_LOG: cannot open %s: no frame log", path);
        return;
    }
    setvbuf(l->frame_log, NULL, _IOLBF, 0); /* a line per frame, readable as it runs */
    if(probe) {
        long ms = strtol(probe, NULL, 10);
        l->probe_ms = ms >= 1 && ms <= 1000 ? (int)ms : 0;
    }
    hk_log_info("ui", "frame log: %s (probe %d ms)", path, l->probe_ms);
}

static int64_t rl_now(void *user)
{
    return ui_loop_mono(user);
}

static void rl_message(void *user, mailbox_msg_t *m)
{
    ui_loop_t *l = user;

    if(l->c.on_message)
        l->c.on_message(l->c.ctl, m);
    else
        mailbox_msg_free(m);
}

static void rl_timer(void *user, int id)
{
    ui_loop_t *l = user;

    if(l->c.on_timer)
        l->c.on_timer(l->c.ctl, id);
}

static void wake_display(void *user)
{
    display_wake(user);
}

/* The pinyin engine's files under data_dir (nothing is loaded yet). */
static hk_err_t ime_open_for(ui_loop_t *l, const char *data_dir)
{
    char user[1024], logs[1024];
    ime_opts_t io;

    if(paths_resolve(data_dir, "rime", user, sizeof(user)) != HK_OK ||
       paths_resolve(data_dir, "logs", logs, sizeof(logs)) != HK_OK)
        return HK_ERR_INVALID;
    memset(&io, 0, sizeof(io));
    io.shared_dir = getenv("HK_RIME_DATA_DIR"); /* NULL = Debian's /usr/share/rime-data */
    io.user_dir = user;
    io.log_dir = logs;
    return ime_create(&io, &l->ime);
}

hk_err_t ui_loop_create(const ui_loop_opts_t *o, const ui_controller_t *ctl, ui_loop_t **out)
{
    runloop_hooks_t h;
    ui_loop_t *l;
    hk_err_t rc;

    *out = NULL;
    l = hk_calloc(1, sizeof(*l));
    if(!l)
        return HK_ERR_NOMEM;
    l->o = *o;
    l->c = *ctl;
    l->g = display_gfx(o->display);
    if(o->data_dir && ime_open_for(l, o->data_dir) != HK_OK)
        hk_log_warn("ui", "no pinyin input: cannot set up the input method under %s", o->data_dir);
    ui_keyboard_init(&l->kb, l->g, l->ime);
    memset(&h, 0, sizeof(h));
    h.user = l;
    h.now_ms = rl_now;
    h.on_message = rl_message;
    h.on_timer = rl_timer;
    frame_log_open(l);
    rc = watchdog_create("hallkiosk", &l->wd);
    if(rc == HK_OK)
        rc = runloop_create(&h, o->mailbox_capacity > 0 ? o->mailbox_capacity : DEFAULT_MAILBOX,
                            wake_display, o->display, &l->rl);
    if(rc != HK_OK) {
        watchdog_destroy(l->wd);
        if(l->frame_log)
            fclose(l->frame_log);
        ime_destroy(l->ime);
        hk_free(l);
        return rc;
    }
    *out = l;
    return HK_OK;
}

void ui_loop_destroy(ui_loop_t *l)
{
    int i;

    if(!l)
        return;
    runloop_destroy(l->rl);
    watchdog_destroy(l->wd);
    if(l->frame_log)
        fclose(l->frame_log);
    ime_destroy(l->ime);
    for(i = 0; i < UI_LOOP_MAX_SCREENS; i++)
        if(l->scr[i])
            l->ops[i]->destroy(l->scr[i]);
    hk_free(l);
}

mailbox_t *ui_loop_mailbox(ui_loop_t *l)
{
    return runloop_mailbox(l->rl);
}

runloop_t *ui_loop_runloop(ui_loop_t *l)
{
    return l->rl;
}

display_t *ui_loop_display(ui_loop_t *l)
{
    return l->o.display;
}

hk_clock_t *ui_loop_clock(ui_loop_t *l)
{
    return l->o.clock;
}

int64_t ui_loop_mono(const ui_loop_t *l)
{
    return hk_clock_mono_ms(l->o.clock);
}

int64_t ui_loop_wall(const ui_loop_t *l)
{
    return hk_clock_wall_ms(l->o.clock);
}

hk_err_t ui_loop_add_screen(ui_loop_t *l, int id, const scr_ops_t *ops)
{
    hk_err_t rc;

    if(id < 0 || id >= UI_LOOP_MAX_SCREENS || l->ops[id])
        return HK_ERR_INVALID;
    rc = ops->create(l->g, &l->scr[id]);
    if(rc != HK_OK)
        return rc;
    l->ops[id] = ops;
    return HK_OK;
}

/* ---- navigation ------------------------------------------------------- */

static void entered(ui_loop_t *l)
{
    int id = l->stack[l->depth - 1];

    l->ops[id]->enter(l->scr[id]);
    if(l->kb_open) { /* the keyboard belongs to the screen that opened it */
        l->kb_open = false;
        ui_keyboard_reset(&l->kb);
    }
    /* the guard swallows the tail of the tap that changed the screen; the
     * very first screen follows no tap */
    if(l->frames > 0)
        ui_loop_guard(l);
    l->dirty = true;
}

void ui_loop_back(ui_loop_t *l)
{
    if(l->depth > 1)
        l->depth--;
    if(l->depth > 0)
        entered(l);
}

void ui_loop_set_stack(ui_loop_t *l, const int *ids, int n)
{
    int i;

    if(HK_NEVER(n < 1 || n > UI_LOOP_STACK_DEPTH))
        return;
    for(i = 0; i < n; i++)
        if(HK_NEVER(ids[i] < 0 || ids[i] >= UI_LOOP_MAX_SCREENS || !l->ops[ids[i]]))
            return;
    memcpy(l->stack, ids, sizeof(ids[0]) * (size_t)n);
    l->depth = n;
    entered(l);
}

int ui_loop_current(const ui_loop_t *l)
{
    return l->depth > 0 ? l->stack[l->depth - 1] : -1;
}

const char *ui_loop_screen_name(const ui_loop_t *l)
{
    int id = ui_loop_current(l);

    return id >= 0 ? l->ops[id]->name : "none";
}

/* ---- overlay ------------------------------------------------------------ */

void ui_loop_dialog(ui_loop_t *l, const char *title, const char *msg)
{
    snprintf(l->dialog_title, sizeof(l->dialog_title), "%s", title);
    snprintf(l->dialog_msg, sizeof(l->dialog_msg), "%s", msg);
    l->dialog_open = true;
    ui_loop_guard(l);
    l->dirty = true;
}

void ui_loop_dialog_close(ui_loop_t *l)
{
    if(!l->dialog_open)
        return;
    l->dialog_open = false;
    ui_loop_guard(l);
    l->dirty = true;
}

void ui_loop_keyboard_open(ui_loop_t *l, ui_kb_mode_t mode, bool allow_switch)
{
    ui_keyboard_set_mode(&l->kb, mode, allow_switch);
    if(!l->kb_open)
        ui_loop_guard(l); /* the rest of the tap on the field */
    l->kb_open = true;
    l->dirty = true;
}

void ui_loop_keyboard_close(ui_loop_t *l)
{
    if(!l->kb_open)
        return;
    l->kb_open = false;
    ui_keyboard_reset(&l->kb);
    l->dirty = true;
}

bool ui_loop_keyboard_is_open(const ui_loop_t *l)
{
    return l->kb_open;
}

const ui_keyboard_t *ui_loop_keyboard(const ui_loop_t *l)
{
    return &l->kb;
}

ime_t *ui_loop_ime(ui_loop_t *l)
{
    return l->ime;
}

/* Load the pinyin engine once the pinyin keyboard is on screen. */
static void keyboard_after_present(ui_loop_t *l)
{
    hk_diag_t diag;

    if(!l->kb_open || l->kb.mode != UI_KB_PINYIN || !l->ime || ime_loaded(l->ime) || l->ime_failed)
        return;
    hk_diag_clear(&diag);
    if(ime_load(l->ime, &diag) != HK_OK) {
        hk_log_error("ui", "pinyin input unavailable: %s", diag.msg);
        l->ime_failed = true;
        l->kb.ime = NULL; /* Latin from now on */
        ui_keyboard_set_mode(&l->kb, UI_KB_LATIN, l->kb.allow_switch);
    }
    l->dirty = true; /* the bar: loaded (or gone) */
}

static void layout_dialog(ui_loop_t *l, const ui_model_t *m)
{
    ui_dialog_t *d = &l->dialog;
    d->open = l->dialog_open;
    if(!d->open)
        return;
    snprintf(d->title, sizeof(d->title), "%s", l->dialog_title);
    snprintf(d->msg, sizeof(d->msg), "%s", l->dialog_msg);
    ui_button_init(&d->ok);
    snprintf(d->ok.title, sizeof(d->ok.title), "%s", i18n_get(m->lang, I18N_OK));
    ui_dialog_layout(d, l->g, m->w, m->h, ui_font(m, 54), ui_font(m, 40), ui_px(m, 100));
}

/* ---- input and frames ----------------------------------------------------- */

void ui_loop_guard(ui_loop_t *l)
{
    l->guard_until_ms = ui_loop_mono(l) + UI_INPUT_GUARD_MS;
}

void ui_loop_invalidate(ui_loop_t *l)
{
    l->dirty = true;
}

/* Deliver a text intent to the controller. */
static void text_intent(ui_loop_t *l, ui_intent_kind_t kind, const char *text)
{
    ui_intent_t in;

    memset(&in, 0, sizeof(in));
    in.kind = kind;
    if(text) {
        in.payload = UI_PAYLOAD_TEXT;
        snprintf(in.u.text, sizeof(in.u.text), "%s", text);
    }
    if(l->c.on_intent)
        l->c.on_intent(l->c.ctl, &in);
}

static void keyboard_out(ui_loop_t *l, const ui_kb_out_t *o)
{
    switch(o->kind) {
    case UI_KB_OUT_NONE: return;
    case UI_KB_OUT_REDRAW: break;
    case UI_KB_OUT_TEXT: text_intent(l, INTENT_TEXT_INPUT, o->text); break;
    case UI_KB_OUT_BACKSPACE: text_intent(l, INTENT_TEXT_BACKSPACE, NULL); break;
    case UI_KB_OUT_CLEAR: text_intent(l, INTENT_TEXT_CLEAR, NULL); break;
    case UI_KB_OUT_ENTER: text_intent(l, INTENT_TEXT_ENTER, NULL); break;
    }
    /* the press look, the bar or the mode: the keyboard redraws what
     * changed on it; what the controller changed shows in the model */
    l->kb_dirty = true;
}

/* A physical keyboard or a keyboard-wedge scanner: typed text arrives as
 * DISPLAY_EV_TEXT (letters' key events are left alone: their text
 * follows), Backspace and Enter as keys. */
static void physical_text(ui_loop_t *l, const display_event_t *ev)
{
    if(ev->type == DISPLAY_EV_TEXT && ev->text[0])
        text_intent(l, INTENT_TEXT_INPUT, ev->text);
    else if(ev->type == DISPLAY_EV_KEY && ev->key == DISPLAY_KEY_BACKSPACE)
        text_intent(l, INTENT_TEXT_BACKSPACE, NULL);
    else if(ev->type == DISPLAY_EV_KEY && ev->key == DISPLAY_KEY_ENTER)
        text_intent(l, INTENT_TEXT_ENTER, NULL);
}

void ui_loop_input(ui_loop_t *l, const display_event_t *ev)
{
    ui_intent_t in;
    int id = ui_loop_current(l);

    memset(&in, 0, sizeof(in));
    if(ev->type == DISPLAY_EV_EXPOSE || ev->type == DISPLAY_EV_RESIZE) {
        /* the gfx already has the new size; the model takes it next frame */
        l->dirty = true;
        return;
    }
    if(ev->type == DISPLAY_EV_CLOSE) {
        ui_loop_quit(l, 0); /* one window per screen role today */
        return;
    }
    if(l->c.on_input && l->c.on_input(l->c.ctl, ev))
        return;
    if(ev->type == DISPLAY_EV_KEY || ev->type == DISPLAY_EV_TEXT) {
        /* keyboards and scanners type into the field, unless a dialog is up */
        if(!l->dialog_open)
            physical_text(l, ev);
        return;
    }
    if(ui_loop_mono(l) < l->guard_until_ms)
        return; /* the tail of a double tap */
    if(l->dialog_open) {
        bool changed = false;
        if(ui_dialog_handle(&l->dialog, ev, &changed))
            ui_loop_dialog_close(l);
        else if(changed)
            l->dirty = true;
        return;
    }
    if(id < 0)
        return;
    if(l->kb_open) {
        ui_kb_out_t o = ui_keyboard_handle(&l->kb, ev);
        if(o.consumed) {
            keyboard_out(l, &o);
            return;
        }
    }
    in = l->ops[id]->handle(l->scr[id], ev);
    if(in.kind == INTENT_NONE)
        return;
    if(in.kind == INTENT_REDRAW) {
        l->dirty = true;
        return;
    }
    if(in.kind == INTENT_DISMISS) {
        ui_loop_dialog_close(l);
        return;
    }
    if(l->c.on_intent)
        l->c.on_intent(l->c.ctl, &in);
}

static void first_frame_log(ui_loop_t *l)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    if(l->o.start_mono_ms)
        hk_log_info("ui", "first frame presented: mono-ns %lld, %lld ms after start",
                    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
                    (long long)(ui_loop_mono(l) - l->o.start_mono_ms));
    else
        hk_log_info("ui", "first frame presented: mono-ns %lld",
                    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

static void presented(ui_loop_t *l);

void ui_loop_frame(ui_loop_t *l, bool force)
{
    int id = ui_loop_current(l);
    ui_model_t *m;
    bool changed;

    if(id < 0)
        return;
    m = l->c.model(l->c.ctl);
    m->w = l->g->width;
    m->h = l->g->height;
    m->kb_h = l->kb_open ? ui_keyboard_height(m, l->kb.mode) : 0;
    changed = l->ops[id]->update(l->scr[id], m);
    if(m->kb_h != l->last_kb_h)
        changed = true; /* the screen's room changed */
    if(!(changed || l->dirty || force)) {
        /* only the keyboard: its changed keys and bar over the last frame */
        if(!l->kb_dirty)
            return;
        if(!l->kb_open || l->dialog_open || l->frames == 0) {
            l->kb_dirty = false;
            if(!l->kb_open)
                return;
            l->dirty = true; /* under the dialog: draw it all (rare) */
            ui_loop_frame(l, force);
            return;
        }
        ui_keyboard_layout(&l->kb, m);
        ui_keyboard_draw_changed(&l->kb, l->g);
        presented(l);
        return;
    }
    l->ops[id]->draw(l->scr[id], l->g);
    if(l->kb_open) {
        ui_keyboard_layout(&l->kb, m);
        ui_keyboard_draw(&l->kb, l->g);
    }
    l->last_kb_h = m->kb_h;
    layout_dialog(l, m);
    ui_dialog_draw(&l->dialog, l->g);
    presented(l);
}

/* Present the frame drawn; the frame log, the first-frame log, the hooks. */
static void presented(ui_loop_t *l)
{
    display_present(l->o.display);
    l->dirty = false;
    l->kb_dirty = false;
    if(l->frame_log) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        fprintf(l->frame_log, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
    }
    if(l->frames++ == 0)
        first_frame_log(l);
    /* the one place that proves the loop draws: feed the service watchdog */
    watchdog_frame_presented(l->wd);
    if(l->keepalive_ms)
        l->next_keepalive = real_mono_ms() + l->keepalive_ms;
    if(l->c.after_present)
        l->c.after_present(l->c.ctl);
    keyboard_after_present(l);
}

void ui_loop_pump(ui_loop_t *l)
{
    runloop_dispatch(l->rl);
    ui_loop_frame(l, false);
}

/* The display as an input source. */
static ui_src_result_t display_next(void *impl, ui_loop_t *l, int64_t deadline_ms,
                                    display_event_t *ev)
{
    int64_t now = ui_loop_mono(l);
    int64_t wait = deadline_ms == RUNLOOP_NEVER ? 600000 : deadline_ms - now;

    (void)impl;
    if(wait < 0)
        wait = 0;
    if(wait > 600000)
        wait = 600000;
    if(l->probe_ms) { /* the frame probe's next redraw */
        int64_t left = l->next_probe - real_mono_ms();
        if(left < wait)
            wait = left < 0 ? 0 : left;
    }
    if(!display_wait(l->o.display, (int)wait, ev))
        return UI_SRC_IDLE;
    if(ev->type == DISPLAY_EV_QUIT) {
        ui_loop_quit(l, 0);
        return UI_SRC_IDLE;
    }
    if(ev->type == DISPLAY_EV_WAKE)
        return UI_SRC_IDLE; /* the mailbox has mail: the next dispatch takes it */
    return UI_SRC_EVENT;
}

/* The input wait ends by the next keepalive frame (real time, turned into
 * the loop's clock) when a service watchdog is on. */
static int64_t keepalive_deadline(ui_loop_t *l, int64_t deadline_ms)
{
    int64_t left, at;

    if(!l->keepalive_ms)
        return deadline_ms;
    left = l->next_keepalive - real_mono_ms();
    at = ui_loop_mono(l) + (left > 0 ? left : 0);
    return deadline_ms == RUNLOOP_NEVER || at < deadline_ms ? at : deadline_ms;
}

int ui_loop_run(ui_loop_t *l, const ui_input_source_t *src)
{
    static const ui_input_source_t display_src = { NULL, display_next };
    hk_diag_t diag;
    hk_err_t rc;

    if(!src)
        src = &display_src;
    l->keepalive_ms = watchdog_keepalive_ms(l->wd);
    /* the first frame goes up before anything that can be slow */
    ui_loop_frame(l, true);
    hk_diag_clear(&diag);
    rc = l->c.start ? l->c.start(l->c.ctl, &diag) : HK_OK;
    if(rc != HK_OK) {
        hk_log_error("ui", "cannot start: %s %s", hk_err_str(rc), diag.msg);
        return 2;
    }
    l->dirty = true;
    while(!runloop_quitting(l->rl)) {
        display_event_t ev;
        ui_src_result_t r;

        if(l->probe_ms && real_mono_ms() >= l->next_probe) {
            l->dirty = true; /* the frame probe: present even with no change */
            l->next_probe = real_mono_ms() + l->probe_ms;
        }
        if(l->keepalive_ms && real_mono_ms() >= l->next_keepalive)
            l->dirty = true; /* nothing changed for WatchdogSec/2: present anyway */
        ui_loop_pump(l);
        if(runloop_quitting(l->rl))
            break;
        memset(&ev, 0, sizeof(ev));
        r = src->next(src->impl, l, keepalive_deadline(l, runloop_next_deadline(l->rl)), &ev);
        if(r == UI_SRC_END)
            break;
        if(r == UI_SRC_EVENT)
            ui_loop_input(l, &ev);
    }
    return runloop_exit_code(l->rl);
}

void ui_loop_quit(ui_loop_t *l, int code)
{
    runloop_quit(l->rl, code);
}
