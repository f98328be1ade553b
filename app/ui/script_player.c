/*
 * script_player: see script_player.h.
 *
 * Design notes
 *   States: NEXT (take the next command), UP_PENDING (the second half of a
 *   tap), WAITING (a "wait" until wait_end on the loop's clock).
 *   next() is called once per loop iteration, after the loop delivered
 *   mail, fired due timers and drew; so each command sees the state the
 *   previous one left, exactly as a person would.
 *   A tap is DOWN, one frame, then UP 60 ms later (a finger rests about
 *   that long on the glass); the 60 ms pass only on a stepped clock.
 *   Failures (a screenshot that cannot be written, an expectation not met)
 *   are logged with the script line and end the loop with exit code 1.
 */
#include "script_player.h"

#include <stdio.h>
#include <time.h>
#include <string.h>

#include "hk_log.h"
#include "hk_time.h"
#include "hk_mem.h"

#define TAP_HOLD_MS 60

typedef enum { P_NEXT = 0, P_UP_PENDING, P_WAITING } pstate_t;

struct script_player {
    const script_t *s;
    const char *shots;
    const char *dir;
    script_probe_t probe;
    int pc;
    pstate_t st;
    display_event_t up;
    int64_t wait_end;
};

hk_err_t script_player_create(const script_t *s, const char *screenshot_dir, const char *script_dir,
                              const script_probe_t *probe, script_player_t **out)
{
    script_player_t *p;

    *out = NULL;
    p = hk_calloc(1, sizeof(*p));
    if(!p)
        return HK_ERR_NOMEM;
    p->s = s;
    p->shots = screenshot_dir;
    p->dir = script_dir;
    p->probe = *probe;
    *out = p;
    return HK_OK;
}

void script_player_destroy(script_player_t *p)
{
    hk_free(p);
}

static ui_src_result_t fail(ui_loop_t *l, const script_cmd_t *c, const char *why)
{
    hk_log_error("script", "line %d: %s", c->line, why);
    ui_loop_quit(l, 1);
    return UI_SRC_END;
}

/* Drain what the display queued (wake-ups, window events): scripted runs
 * never wait in the display, and its queue must not grow. */
static ui_src_result_t drain_display(ui_loop_t *l, display_event_t *ev)
{
    while(display_wait(ui_loop_display(l), 0, ev)) {
        if(ev->type == DISPLAY_EV_QUIT) {
            ui_loop_quit(l, 0);
            return UI_SRC_END;
        }
        if(ev->type == DISPLAY_EV_EXPOSE || ev->type == DISPLAY_EV_RESIZE)
            return UI_SRC_EVENT;
    }
    return UI_SRC_IDLE;
}

static ui_src_result_t wait_step(script_player_t *p, ui_loop_t *l, int64_t deadline_ms,
                                 display_event_t *ev)
{
    hk_clock_t *clk = ui_loop_clock(l);
    int64_t now = ui_loop_mono(l), dl = deadline_ms < p->wait_end ? deadline_ms : p->wait_end;

    if(hk_clock_is_stepped(clk)) {
        if(dl > now)
            hk_clock_advance(clk, dl - now);
    } else if(display_wait(ui_loop_display(l), (int)(dl > now ? dl - now : 0), ev)) {
        if(ev->type == DISPLAY_EV_QUIT) {
            ui_loop_quit(l, 0);
            return UI_SRC_END;
        }
        if(ev->type == DISPLAY_EV_EXPOSE || ev->type == DISPLAY_EV_RESIZE)
            return UI_SRC_EVENT;
    }
    if(ui_loop_mono(l) >= p->wait_end)
        p->st = P_NEXT;
    return UI_SRC_IDLE;
}

static ui_src_result_t command(script_player_t *p, ui_loop_t *l, display_event_t *ev)
{
    const script_cmd_t *c = &p->s->cmds[p->pc++];
    hk_clock_t *clk = ui_loop_clock(l);
    char path[CONFIG_PATH_LEN * 2 + 80], why[160];
    const char *now;

    switch(c->op) {
    case SCRIPT_TAP:
    case SCRIPT_DOWN:
    case SCRIPT_UP:
    case SCRIPT_MOVE:
        ev->x = c->x;
        ev->y = c->y;
        ev->type = c->op == SCRIPT_UP     ? DISPLAY_EV_UP
                   : c->op == SCRIPT_MOVE ? DISPLAY_EV_MOVE
                                          : DISPLAY_EV_DOWN;
        if(c->op == SCRIPT_TAP) {
            p->up = *ev;
            p->up.type = DISPLAY_EV_UP;
            p->st = P_UP_PENDING;
        }
        return UI_SRC_EVENT;
    case SCRIPT_WAIT:
        p->wait_end = ui_loop_mono(l) + c->ms;
        p->st = P_WAITING;
        return UI_SRC_IDLE;
    case SCRIPT_KEY:
        ev->type = DISPLAY_EV_KEY;
        ev->key = c->key;
        return UI_SRC_EVENT;
    case SCRIPT_TEXT:
        ev->type = DISPLAY_EV_TEXT;
        /* the parser keeps text to 31 bytes, so it fits whole */
        snprintf(ev->text, sizeof(ev->text), "%.*s", (int)sizeof(ev->text) - 1, c->arg);
        return UI_SRC_EVENT;
    case SCRIPT_SCREENSHOT:
        if(!p->shots)
            return fail(l, c, "screenshot needs --screenshot-dir");
        ui_loop_frame(l, true);
        snprintf(path, sizeof(path), "%s/%s.png", p->shots, c->arg);
        if(display_save_png(ui_loop_display(l), path) != HK_OK)
            return fail(l, c, "cannot write screenshot");
        return UI_SRC_IDLE;
    case SCRIPT_CLOCK:
        if(!hk_clock_is_stepped(clk))
            return fail(l, c, "clock works only headless");
        /* c->ms is the local time as if UTC; the clock keeps UTC */
        hk_clock_set_wall(clk, hk_time_wall_from_local(c->ms, p->probe.utc_offset_min));
        if(p->probe.clock_changed)
            p->probe.clock_changed(p->probe.user);
        return UI_SRC_IDLE;
    case SCRIPT_PRINT_WAIT:
        ui_loop_pump(l); /* the frame that starts a pending print */
        if(p->probe.print_wait)
            p->probe.print_wait(p->probe.user);
        return UI_SRC_IDLE; /* the loop delivers the result next */
    case SCRIPT_EXPECT_SCREEN:
        /* a hub on the LAN answers in real time, not on the stepped clock:
         * its result (a submission's receipt, a ticket) gets up to 5 s of
         * real time to arrive before the expectation fails (SELFHELP) */
        for(int i = 0; i < 500 && strcmp(c->arg, ui_loop_screen_name(l)) != 0; i++) {
            struct timespec ts = { 0, 10 * 1000000L };
            nanosleep(&ts, NULL);
            ui_loop_pump(l);
        }
        if(strcmp(c->arg, ui_loop_screen_name(l)) != 0) {
            snprintf(why, sizeof(why), "expected screen %s, showing %s", c->arg,
                     ui_loop_screen_name(l));
            return fail(l, c, why);
        }
        return UI_SRC_IDLE;
    case SCRIPT_EXPECT_PRINT:
        now = p->probe.print_state ? p->probe.print_state(p->probe.user) : "none";
        if(strcmp(c->arg, now) != 0) {
            snprintf(why, sizeof(why), "expected print state %s, it is %s", c->arg, now);
            return fail(l, c, why);
        }
        return UI_SRC_IDLE;
    case SCRIPT_CONFIG:
        if(!p->dir || !p->probe.load_config)
            return fail(l, c, "config needs a script file (its directory holds NAME)");
        snprintf(path, sizeof(path), "%s/%s", p->dir, c->arg);
        p->probe.load_config(p->probe.user, path);
        return UI_SRC_IDLE;
    case SCRIPT_QUIT: return UI_SRC_END;
    }
    return UI_SRC_IDLE;
}

static ui_src_result_t next(void *impl, ui_loop_t *l, int64_t deadline_ms, display_event_t *ev)
{
    script_player_t *p = impl;
    ui_src_result_t r = drain_display(l, ev);

    if(r != UI_SRC_IDLE)
        return r;
    switch(p->st) {
    case P_UP_PENDING:
        if(hk_clock_is_stepped(ui_loop_clock(l)))
            hk_clock_advance(ui_loop_clock(l), TAP_HOLD_MS);
        *ev = p->up;
        p->st = P_NEXT;
        return UI_SRC_EVENT;
    case P_WAITING: return wait_step(p, l, deadline_ms, ev);
    case P_NEXT: break;
    }
    if(p->pc >= p->s->n)
        return UI_SRC_END;
    return command(p, l, ev);
}

ui_input_source_t script_player_source(script_player_t *p)
{
    ui_input_source_t src = { p, next };

    return src;
}
