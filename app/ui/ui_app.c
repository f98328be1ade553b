/*
 * ui_app: the kiosk event loop and the glue between screens and core.
 *
 * Design notes
 *   Loop: update the showing screen from the model; if it reports a visible
 *   change, draw and present; then wait for input or the next timer
 *   (display_wait with a timeout), never polling. Idle therefore costs one
 *   wake-up per minute (the header clock) and nothing else.
 *
 *   Screens: ATTRACT -> HOME (INTENT_START) -> SERVICES (OPEN_SERVICES)
 *   -> TICKET (TAKE_NUMBER, after queue_take_number committed) -> HOME
 *   (Done or countdown). HOME -> UNAVAILABLE for FAQ/submit/rate. Any
 *   screen -> ATTRACT after idle_timeout_s without input; that also resets
 *   language and text size for the next customer.
 *
 *   One press, one ticket: buttons fire on release; every screen switch
 *   opens an input guard (INPUT_GUARD_MS) that swallows the rest of a
 *   double tap, so the second tap cannot land on the next screen.
 *
 *   Printing: after the confirmation frame is presented, the ticket is
 *   rendered and handed to the print spool (its own thread). The spool's
 *   callback stores the result under a mutex and wakes the loop; the loop
 *   (which owns the store) records printer faults durably.
 *
 *   Invariants: the model shows a ticket only after its commit returned
 *   HK_OK; only this thread touches the store, queue, screens and model.
 */
#include "ui_app.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialog.h"
#include "hk_mem.h"
#include "paths.h"
#include "print_spool.h"
#include "printer.h"
#include "queue.h"
#include "screens.h"
#include "store.h"
#include "ticket_print.h"
#include "ui.h"

#define INPUT_GUARD_MS 350
#define MAX_RESULTS    16

typedef struct print_result {
    uint64_t job_id;
    hk_err_t rc;
    printer_status_t status;
} print_result_t;

struct ui_app {
    ui_app_opts_t o;
    gfx_t *g;
    const scr_ops_t *ops[UI_SCR_COUNT];
    void *scr[UI_SCR_COUNT];
    ui_screen_id_t cur;
    ui_model_t model;
    ui_dialog_t dialog;
    bool dirty; /* force a redraw */
    bool quit;
    int exit_code;

    store_t *store;
    queue_t *queue;
    print_spool_t *spool;

    int64_t guard_until_ms;    /* mono */
    int64_t last_input_ms;     /* mono */
    int64_t next_minute_ms;    /* wall */
    int64_t countdown_next_ms; /* mono; 0 = off */
    bool print_after_present;
    uint64_t ticket_job; /* spool job of the ticket on screen */

    pthread_mutex_t lock; /* guards results[] */
    print_result_t results[MAX_RESULTS];
    int n_results;

    int script_pc;
    int frames;
};

static int64_t mono(const ui_app_t *a)
{
    return hk_clock_mono_ms(a->o.clock);
}

static int64_t wall(const ui_app_t *a)
{
    return hk_clock_wall_ms(a->o.clock);
}

/* ---- model ------------------------------------------------------------- */

static void refresh_time(ui_app_t *a)
{
    ui_model_t *m = &a->model;
    char day[11];
    int wday = 0, min = 0, mo = 0, d = 0;

    config_local_time(a->o.cfg, wall(a), day, &wday, &min);
    snprintf(m->time_text, sizeof(m->time_text), "%02d:%02d", min / 60, min % 60);
    if(sscanf(day, "%*d-%d-%d", &mo, &d) != 2)
        mo = d = 0;
    if(m->lang == I18N_EN)
        snprintf(m->date_text, sizeof(m->date_text), "%s %d %s", i18n_weekday(m->lang, wday), d,
                 i18n_month_en(mo));
    else
        snprintf(m->date_text, sizeof(m->date_text), "%d月%d日 %s", mo, d,
                 i18n_weekday(m->lang, wday));
    m->today = a->o.cfg->hours.day[wday];
    /* next redraw of the clock: the next whole minute */
    a->next_minute_ms = (wall(a) / 60000 + 1) * 60000;
}

static void refresh_stats(ui_app_t *a)
{
    ui_model_t *m = &a->model;
    const config_t *cfg = a->o.cfg;
    int64_t now = wall(a);
    int i;

    m->total_waiting = 0;
    for(i = 0; i < cfg->n_services; i++) {
        ui_service_view_t *v = &m->svc[i];
        int ahead = 0, est = -1;
        v->open = config_service_open_at(cfg, i, now, &v->today);
        if(a->queue && queue_estimate(a->queue, cfg->services[i].id, now, &ahead, &est) == HK_OK) {
            v->waiting = ahead;
            v->est_wait_s = est;
        } else {
            v->waiting = 0;
            v->est_wait_s = -1;
        }
        m->total_waiting += v->waiting;
    }
    if(!a->queue)
        m->total_waiting = -1; /* not known before the store is open */
}

/* ---- screens ----------------------------------------------------------- */

static void show(ui_app_t *a, ui_screen_id_t id)
{
    a->cur = id;
    a->ops[id]->enter(a->scr[id]);
    a->guard_until_ms = mono(a) + INPUT_GUARD_MS;
    a->dirty = true;
    if(id != UI_SCR_TICKET)
        a->countdown_next_ms = 0;
    if(id == UI_SCR_HOME || id == UI_SCR_SERVICES || id == UI_SCR_ATTRACT)
        refresh_stats(a);
}

static void open_dialog(ui_app_t *a, const char *title, const char *msg)
{
    ui_model_t *m = &a->model;

    snprintf(m->dialog_title, sizeof(m->dialog_title), "%s", title);
    snprintf(m->dialog_msg, sizeof(m->dialog_msg), "%s", msg);
    m->dialog_open = true;
    a->guard_until_ms = mono(a) + INPUT_GUARD_MS;
    a->dirty = true;
}

static void layout_dialog(ui_app_t *a)
{
    ui_model_t *m = &a->model;
    ui_dialog_t *d = &a->dialog;

    d->open = m->dialog_open;
    if(!d->open)
        return;
    snprintf(d->title, sizeof(d->title), "%s", m->dialog_title);
    snprintf(d->msg, sizeof(d->msg), "%s", m->dialog_msg);
    ui_button_init(&d->ok);
    snprintf(d->ok.title, sizeof(d->ok.title), "%s", i18n_get(m->lang, I18N_OK));
    ui_dialog_layout(d, a->g, m->w, m->h, ui_font(m, 54), ui_font(m, 40), ui_px(m, 100));
}

/* ---- printing ---------------------------------------------------------- */

static void spool_done(void *user, uint64_t job_id, hk_err_t rc, printer_status_t status)
{
    ui_app_t *a = user;

    /* worker thread: hand over and wake the loop, nothing else */
    pthread_mutex_lock(&a->lock);
    if(a->n_results < MAX_RESULTS) {
        a->results[a->n_results].job_id = job_id;
        a->results[a->n_results].rc = rc;
        a->results[a->n_results].status = status;
        a->n_results++;
    }
    pthread_mutex_unlock(&a->lock);
    display_wake(a->o.display);
}

static void take_results(ui_app_t *a)
{
    print_result_t res[MAX_RESULTS];
    int n, i;

    pthread_mutex_lock(&a->lock);
    n = a->n_results;
    memcpy(res, a->results, sizeof(res[0]) * (size_t)n);
    a->n_results = 0;
    pthread_mutex_unlock(&a->lock);
    for(i = 0; i < n; i++) {
        bool fault = res[i].rc != HK_OK;
        if(fault) {
            const char *code = printer_status_str(res[i].status);
            fprintf(stderr, "hallkiosk: printer fault: %s (%s)\n", code, hk_err_str(res[i].rc));
            if(a->store && store_record_fault(a->store, wall(a), "printer", code,
                                              a->model.ticket.number) != HK_OK)
                fprintf(stderr, "hallkiosk: could not record printer fault\n");
        } else if(res[i].status == PRINTER_STATUS_PAPER_LOW && a->store) {
            (void)store_record_fault(a->store, wall(a), "printer", "paper_low", "");
            /* best effort: paper-low is advice, the ticket printed */
        }
        if(res[i].job_id == a->ticket_job && a->model.has_ticket) {
            a->model.print_state = fault ? UI_PRINT_FAULT : UI_PRINT_DONE;
            a->dirty = true;
        }
    }
}

static void print_ticket(ui_app_t *a)
{
    uint8_t *bits = NULL;
    int w = 0, h = 0;
    char png[CONFIG_PATH_LEN + 64];
    const char *png_path = NULL;
    hk_err_t rc;

    if(!a->spool)
        return;
    if(a->o.screenshot_dir) {
        snprintf(png, sizeof(png), "%s/ticket-%s.png", a->o.screenshot_dir, a->model.ticket.number);
        png_path = png;
    }
    rc = ticket_print_render(a->o.fonts, a->o.cfg, &a->model.ticket, a->model.lang, &bits, &w, &h,
                             png_path);
    if(rc == HK_OK)
        rc = print_spool_submit(a->spool, bits, w, h, &a->ticket_job); /* owns bits now */
    if(rc != HK_OK) {
        fprintf(stderr, "hallkiosk: cannot print ticket %s: %s\n", a->model.ticket.number,
                hk_err_str(rc));
        a->model.print_state = UI_PRINT_FAULT;
        if(a->store)
            (void)store_record_fault(a->store, wall(a), "printer", "render_failed",
                                     a->model.ticket.number); /* already logged */
        a->dirty = true;
    }
}

/* ---- intents ----------------------------------------------------------- */

static void take_number(ui_app_t *a, int svc_idx)
{
    const config_t *cfg = a->o.cfg;
    ui_model_t *m = &a->model;
    ticket_t t;
    hk_err_t rc;

    if(svc_idx < 0 || svc_idx >= cfg->n_services)
        return;
    if(!a->queue) {
        rc = HK_ERR_IO;
    } else {
        rc = queue_take_number(a->queue, cfg->services[svc_idx].id, wall(a), &t);
    }
    if(rc == HK_ERR_BUSY) {
        char title[160];
        refresh_stats(a);
        i18n_format(title, sizeof(title), m->lang, I18N_CLOSED_TITLE_S,
                    m->lang == I18N_EN ? cfg->services[svc_idx].name_en
                                       : cfg->services[svc_idx].name_zh);
        open_dialog(a, title, i18n_get(m->lang, I18N_ERROR_MSG));
        return;
    }
    if(rc != HK_OK) {
        fprintf(stderr, "hallkiosk: take number failed: %s\n", hk_err_str(rc));
        open_dialog(a, i18n_get(m->lang, I18N_ERROR_TITLE), i18n_get(m->lang, I18N_ERROR_MSG));
        return;
    }
    /* committed: now, and only now, the screen may confirm it */
    m->ticket = t;
    m->has_ticket = true;
    m->print_state = a->spool ? UI_PRINT_PENDING : UI_PRINT_NONE;
    m->countdown_s = cfg->confirm_timeout_s;
    a->ticket_job = 0;
    show(a, UI_SCR_TICKET);
    a->countdown_next_ms = mono(a) + 1000;
    a->print_after_present = true;
}

static void service_closed(ui_app_t *a, int i)
{
    const config_t *cfg = a->o.cfg;
    ui_model_t *m = &a->model;
    char title[160], hours[32], msg[160];

    if(i < 0 || i >= cfg->n_services)
        return;
    i18n_format(title, sizeof(title), m->lang, I18N_CLOSED_TITLE_S,
                m->lang == I18N_EN ? cfg->services[i].name_en : cfg->services[i].name_zh);
    if(m->svc[i].today.open_min >= 0) {
        ui_span_text(m->svc[i].today, hours, sizeof(hours));
        i18n_format(msg, sizeof(msg), m->lang, I18N_SVC_HOURS_S, hours);
    } else {
        snprintf(msg, sizeof(msg), "%s", i18n_get(m->lang, I18N_CLOSED_TODAY));
    }
    open_dialog(a, title, msg);
}

static void reset_for_next_customer(ui_app_t *a)
{
    a->model.lang = i18n_lang_from_code(a->o.cfg->language);
    a->model.large = a->o.cfg->display.large_text;
    a->model.dialog_open = false;
    a->model.has_ticket = false;
    refresh_time(a);
}

static void act(ui_app_t *a, ui_intent_t in)
{
    ui_model_t *m = &a->model;

    switch(in.kind) {
    case INTENT_NONE: break;
    case INTENT_REDRAW: a->dirty = true; break;
    case INTENT_START:
    case INTENT_HOME: show(a, UI_SCR_HOME); break;
    case INTENT_BACK:
        show(a, a->cur == UI_SCR_SERVICES || a->cur == UI_SCR_UNAVAILABLE || a->cur == UI_SCR_TICKET
                    ? UI_SCR_HOME
                    : UI_SCR_ATTRACT);
        break;
    case INTENT_OPEN_SERVICES: show(a, UI_SCR_SERVICES); break;
    case INTENT_OPEN_FAQ:
    case INTENT_OPEN_SUBMIT:
    case INTENT_OPEN_RATE:
        m->unavailable_title = in.kind == INTENT_OPEN_FAQ      ? I18N_TILE_FAQ
                               : in.kind == INTENT_OPEN_SUBMIT ? I18N_TILE_SUBMIT
                                                               : I18N_TILE_RATE;
        show(a, UI_SCR_UNAVAILABLE);
        break;
    case INTENT_TAKE_NUMBER: take_number(a, in.arg); break;
    case INTENT_SERVICE_CLOSED: service_closed(a, in.arg); break;
    case INTENT_TOGGLE_LANG:
        m->lang = m->lang == I18N_ZH ? I18N_EN : I18N_ZH;
        refresh_time(a);
        a->dirty = true;
        break;
    case INTENT_TOGGLE_LARGE:
        m->large = !m->large;
        a->dirty = true;
        break;
    case INTENT_DISMISS:
        m->dialog_open = false;
        a->guard_until_ms = mono(a) + INPUT_GUARD_MS;
        a->dirty = true;
        break;
    }
}

static void handle_input(ui_app_t *a, const display_event_t *ev)
{
    ui_intent_t in = { INTENT_NONE, 0 };

    a->last_input_ms = mono(a);
    if(ev->type == DISPLAY_EV_KEY) {
        if(ev->key == DISPLAY_KEY_ESCAPE) {
            reset_for_next_customer(a);
            show(a, UI_SCR_ATTRACT);
        }
        return;
    }
    if(mono(a) < a->guard_until_ms) {
        /* the tail of a double tap: also forget any half-press */
        return;
    }
    if(a->model.dialog_open) {
        bool changed = false;
        if(ui_dialog_handle(&a->dialog, ev, &changed))
            in.kind = INTENT_DISMISS;
        else if(changed)
            in.kind = INTENT_REDRAW;
    } else {
        in = a->ops[a->cur]->handle(a->scr[a->cur], ev);
    }
    act(a, in);
}

/* ---- timers ------------------------------------------------------------ */

static int64_t next_deadline(const ui_app_t *a)
{
    int64_t now = mono(a), dl = now + 600000;
    int64_t to_minute = a->next_minute_ms - wall(a);

    if(now + to_minute < dl)
        dl = now + (to_minute > 0 ? to_minute : 0);
    if(a->cur != UI_SCR_ATTRACT) {
        int64_t idle = a->last_input_ms + (int64_t)a->o.cfg->idle_timeout_s * 1000;
        if(idle < dl)
            dl = idle;
    }
    if(a->countdown_next_ms && a->countdown_next_ms < dl)
        dl = a->countdown_next_ms;
    return dl;
}

static void run_timers(ui_app_t *a)
{
    int64_t now = mono(a);

    if(wall(a) >= a->next_minute_ms) {
        refresh_time(a);
        refresh_stats(a);
    }
    if(a->countdown_next_ms && now >= a->countdown_next_ms) {
        a->model.countdown_s--;
        a->countdown_next_ms += 1000;
        if(a->model.countdown_s <= 0) {
            a->countdown_next_ms = 0;
            a->model.has_ticket = false;
            show(a, UI_SCR_HOME);
        }
    }
    if(a->cur != UI_SCR_ATTRACT &&
       now >= a->last_input_ms + (int64_t)a->o.cfg->idle_timeout_s * 1000) {
        reset_for_next_customer(a);
        show(a, UI_SCR_ATTRACT);
    }
}

/* ---- frame ------------------------------------------------------------- */

static void frame(ui_app_t *a, bool force)
{
    bool changed;
    ui_model_t *m = &a->model;

    m->w = a->g->width;
    m->h = a->g->height;
    changed = a->ops[a->cur]->update(a->scr[a->cur], m);
    if(!(changed || a->dirty || force))
        return;
    a->ops[a->cur]->draw(a->scr[a->cur], a->g);
    layout_dialog(a);
    ui_dialog_draw(&a->dialog, a->g);
    display_present(a->o.display);
    a->dirty = false;
    if(a->frames++ == 0) {
        const char *bench = getenv("HK_BENCH_FIRST_FRAME");
        if(a->o.start_mono_ms)
            fprintf(stderr, "hallkiosk: first frame %lld ms after start\n",
                    (long long)(hk_clock_mono_ms(a->o.clock) - a->o.start_mono_ms));
        if(bench && !strcmp(bench, "1")) {
            /* tests/bench: the time from the bench's fork() to here includes
             * exec and dynamic linking, which main()'s own clock misses; so
             * report the raw CLOCK_MONOTONIC (the bench's clock) and quit
             * through the normal loop exit (store, spool closed cleanly) */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            fprintf(stderr, "hallkiosk: first-frame-mono-ns %lld\n",
                    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
            a->quit = true;
        }
    }
}

/* ---- script ------------------------------------------------------------ */

static void script_fail(ui_app_t *a, const script_cmd_t *c, const char *why)
{
    fprintf(stderr, "hallkiosk: script line %d: %s\n", c->line, why);
    a->exit_code = 1;
    a->quit = true;
}

/* Let ms pass. Headless: step the clock from deadline to deadline so
 * timers fire exactly as they would in real time. */
static void script_wait(ui_app_t *a, int64_t ms)
{
    int64_t end = mono(a) + ms;

    while(!a->quit) {
        int64_t now = mono(a), dl = next_deadline(a);
        display_event_t ev;

        if(dl > end)
            dl = end;
        if(hk_clock_is_stepped(a->o.clock)) {
            if(dl > now)
                hk_clock_advance(a->o.clock, dl - now);
            while(display_wait(a->o.display, 0, &ev))
                if(ev.type == DISPLAY_EV_WAKE)
                    take_results(a);
        } else if(display_wait(a->o.display, (int)(dl > now ? dl - now : 0), &ev)) {
            if(ev.type == DISPLAY_EV_QUIT)
                a->quit = true;
            else if(ev.type == DISPLAY_EV_WAKE)
                take_results(a);
            else if(ev.type == DISPLAY_EV_EXPOSE || ev.type == DISPLAY_EV_RESIZE)
                a->dirty = true;
        }
        run_timers(a);
        frame(a, false);
        if(a->print_after_present) {
            a->print_after_present = false;
            print_ticket(a);
        }
        if(mono(a) >= end)
            break;
    }
}

static void script_step(ui_app_t *a)
{
    const script_cmd_t *c = &a->o.script->cmds[a->script_pc++];
    display_event_t ev;
    char path[CONFIG_PATH_LEN + 80];

    memset(&ev, 0, sizeof(ev));
    switch(c->op) {
    case SCRIPT_TAP:
    case SCRIPT_DOWN:
    case SCRIPT_UP:
        ev.x = c->x;
        ev.y = c->y;
        if(c->op != SCRIPT_UP) {
            ev.type = DISPLAY_EV_DOWN;
            handle_input(a, &ev);
            frame(a, false);
        }
        if(c->op != SCRIPT_DOWN) {
            /* a finger rests ~60 ms on the glass in a tap */
            if(c->op == SCRIPT_TAP && hk_clock_is_stepped(a->o.clock))
                hk_clock_advance(a->o.clock, 60);
            ev.type = DISPLAY_EV_UP;
            handle_input(a, &ev);
        }
        break;
    case SCRIPT_WAIT: script_wait(a, c->ms); break;
    case SCRIPT_KEY:
        ev.type = DISPLAY_EV_KEY;
        ev.key = c->key;
        handle_input(a, &ev);
        break;
    case SCRIPT_SCREENSHOT:
        if(!a->o.screenshot_dir) {
            script_fail(a, c, "screenshot needs --screenshot-dir");
            break;
        }
        frame(a, true);
        snprintf(path, sizeof(path), "%s/%s.png", a->o.screenshot_dir, c->arg);
        if(display_save_png(a->o.display, path) != HK_OK)
            script_fail(a, c, "cannot write screenshot");
        break;
    case SCRIPT_CLOCK:
        if(!hk_clock_is_stepped(a->o.clock)) {
            script_fail(a, c, "clock works only headless");
            break;
        }
        hk_clock_set_wall(a->o.clock, c->ms - (int64_t)a->o.cfg->utc_offset_min * 60000);
        refresh_time(a);
        refresh_stats(a);
        a->dirty = true;
        break;
    case SCRIPT_PRINT_WAIT:
        frame(a, false);
        if(a->print_after_present) {
            a->print_after_present = false;
            print_ticket(a);
        }
        if(a->spool)
            print_spool_wait_idle(a->spool);
        take_results(a);
        break;
    case SCRIPT_EXPECT_SCREEN:
        if(strcmp(c->arg, ui_app_screen_name(a)) != 0) {
            char why[160];
            snprintf(why, sizeof(why), "expected screen %s, showing %s", c->arg,
                     ui_app_screen_name(a));
            script_fail(a, c, why);
        }
        break;
    case SCRIPT_EXPECT_PRINT: {
        static const char *const names[] = { "none", "pending", "done", "fault" };
        const char *now = names[a->model.print_state];
        if(strcmp(c->arg, now) != 0) {
            char why[160];
            snprintf(why, sizeof(why), "expected print state %s, it is %s", c->arg, now);
            script_fail(a, c, why);
        }
        break;
    }
    case SCRIPT_QUIT: a->quit = true; break;
    }
}

/* ---- lifecycle --------------------------------------------------------- */

static hk_err_t open_core(ui_app_t *a, hk_diag_t *diag)
{
    const config_t *cfg = a->o.cfg;
    char path[CONFIG_PATH_LEN + 32];
    hk_err_t rc;

    rc = paths_resolve(a->o.data_dir, "hallkiosk.db", path, sizeof(path));
    if(rc == HK_OK)
        rc = store_open(path, &a->store, diag);
    if(rc == HK_OK)
        rc = queue_open(a->store, cfg, &a->queue);
    if(rc != HK_OK)
        return rc;
    if(cfg->printer.kind != CONFIG_PRINTER_NONE) {
        static const char *const kinds[] = { "none", "file", "device", "tcp" };
        printer_t *p = NULL;
        char target[CONFIG_PATH_LEN * 2];

        if(cfg->printer.kind == CONFIG_PRINTER_FILE)
            rc = paths_resolve(a->o.data_dir, cfg->printer.target, target, sizeof(target));
        else
            snprintf(target, sizeof(target), "%s", cfg->printer.target);
        if(rc == HK_OK)
            rc = printer_open(kinds[cfg->printer.kind], target, &p);
        if(rc == HK_OK)
            rc = print_spool_create(p, spool_done, a, &a->spool);
        if(rc != HK_OK) {
            /* the kiosk still issues numbers without paper */
            fprintf(stderr, "hallkiosk: printer unavailable: %s\n", hk_err_str(rc));
            (void)store_record_fault(a->store, wall(a), "printer", "open_failed", target);
            rc = HK_OK;
        }
    }
    return rc;
}

hk_err_t ui_app_create(const ui_app_opts_t *o, ui_app_t **out, hk_diag_t *diag)
{
    ui_app_t *a;
    hk_err_t rc = HK_OK;
    int i;

    *out = NULL;
    a = hk_calloc(1, sizeof(*a));
    if(!a)
        return HK_ERR_NOMEM;
    a->o = *o;
    a->g = display_gfx(o->display);
    pthread_mutex_init(&a->lock, NULL);
    a->ops[UI_SCR_ATTRACT] = scr_attract_ops();
    a->ops[UI_SCR_HOME] = scr_home_ops();
    a->ops[UI_SCR_SERVICES] = scr_services_ops();
    a->ops[UI_SCR_TICKET] = scr_ticket_ops();
    a->ops[UI_SCR_UNAVAILABLE] = scr_unavailable_ops();
    for(i = 0; i < UI_SCR_COUNT && rc == HK_OK; i++)
        rc = a->ops[i]->create(a->g, &a->scr[i]);
    if(rc != HK_OK) {
        hk_diag_set(diag, "ui: cannot create screens: %s", hk_err_str(rc));
        ui_app_destroy(a);
        return rc;
    }
    memset(&a->model, 0, sizeof(a->model));
    a->model.cfg = o->cfg;
    a->model.unavailable_title = I18N_TILE_FAQ;
    reset_for_next_customer(a);
    a->cur = UI_SCR_ATTRACT;
    a->ops[a->cur]->enter(a->scr[a->cur]);
    a->last_input_ms = mono(a);
    *out = a;
    return HK_OK;
}

void ui_app_destroy(ui_app_t *a)
{
    int i;

    if(!a)
        return;
    print_spool_destroy(a->spool);
    queue_destroy(a->queue);
    store_close(a->store);
    for(i = 0; i < UI_SCR_COUNT; i++)
        if(a->scr[i])
            a->ops[i]->destroy(a->scr[i]);
    pthread_mutex_destroy(&a->lock);
    hk_free(a);
}

const char *ui_app_screen_name(const ui_app_t *a)
{
    return a->ops[a->cur]->name;
}

int ui_app_run(ui_app_t *a)
{
    hk_diag_t diag;
    hk_err_t rc;

    /* first frame before anything that can wait (store, printer) */
    frame(a, true);
    hk_diag_clear(&diag);
    rc = open_core(a, &diag);
    if(rc != HK_OK) {
        fprintf(stderr, "hallkiosk: cannot open the queue store: %s %s\n", hk_err_str(rc),
                diag.msg);
        return 2;
    }
    refresh_stats(a);
    a->dirty = true;
    while(!a->quit) {
        frame(a, false);
        if(a->print_after_present) {
            a->print_after_present = false;
            print_ticket(a);
        }
        if(a->o.script) {
            if(a->script_pc >= a->o.script->n)
                break;
            script_step(a);
            continue;
        } else {
            display_event_t ev;
            int64_t wait_ms = next_deadline(a) - mono(a);
            if(wait_ms < 0)
                wait_ms = 0;
            if(display_wait(a->o.display, (int)wait_ms, &ev)) {
                switch(ev.type) {
                case DISPLAY_EV_QUIT: a->quit = true; break;
                case DISPLAY_EV_WAKE: take_results(a); break;
                case DISPLAY_EV_EXPOSE:
                case DISPLAY_EV_RESIZE: a->dirty = true; break;
                default: handle_input(a, &ev); break;
                }
            }
        }
        run_timers(a);
    }
    if(a->spool)
        print_spool_wait_idle(a->spool);
    take_results(a);
    return a->exit_code;
}
