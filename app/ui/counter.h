/*
 * counter: the counter terminal's controller on the screen loop (ui_loop),
 * the counter role's twin of kiosk.c. Staff side: log in (staff id + PIN,
 * checked by the branch), then the counter panel: open/pause/close, call
 * next, recall, no-show (put back or mark missed), transfer, start,
 * finish, the current ticket live and the waiting counts of the
 * counter's services. Function keys and a numeric keypad do the same as
 * the buttons. Customer side (on the same screen after "finish"): who
 * served, the number, then the rating faces (branch_rate, source
 * COUNTER) within the rating window.
 *
 * It never touches the queue: every change is a branch operation on the
 * borrowed branch (the hub's LAN client, or branch_local in tests), whose
 * answers come through the loop's mailbox.
 *
 * Keys (the panel shows them): F1 or 1 call next, F2/2 recall, F3/3 start,
 * F4/4 finish, F5/5 no-show (then 1 put back, 2 mark missed), F6/6 pause
 * or resume, F7/7 open or close, F8/8 transfer (then 1..n a service),
 * Esc cancel a choice (on the customer side: back to the panel), F10 log
 * out. Login: Tab steps through the staff ids, digits type the PIN,
 * Backspace erases, Enter logs in.
 */
#ifndef HK_APP_UI_COUNTER_H
#define HK_APP_UI_COUNTER_H

#include <stdint.h>

#include "branch.h"
#include "clock.h"
#include "config.h"
#include "config_live.h"
#include "display.h"
#include "mailbox.h"
#include "script.h"
#include "ui.h"

typedef struct counter_opts {
    config_live_t *live;        /* borrowed; outlives the counter */
    const char *script_dir;     /* where a script's "config NAME" files are; may be NULL */
    display_t *display;         /* borrowed: the staff screen */
    font_set_t *fonts;          /* borrowed */
    hk_clock_t *clock;          /* borrowed; stepped when headless + script */
    const char *data_dir;       /* resolved, exists */
    const char *screenshot_dir; /* NULL = no screenshots */
    int64_t start_mono_ms;      /* process start, for the first-frame log; 0 = none */
    /* Borrowed; outlives the counter. Its results and journal notices must
     * be posted to counter_mailbox(): so the caller may fill *branch after
     * counter_create() (the mailbox exists only then); it is first used
     * when counter_run() has drawn the first frame. */
    branch_t *branch;
    const char *counter_id; /* --counter, else NULL/"" = the config's device.counter */
    /* Borrowed; NULL = none: the customer side takes the staff screen
     * after "finish". Else (config device.second_screen) the customer's
     * own screen: who serves here and the number being served between
     * visits, the staff card and the rating after "finish"; its touches
     * are read with the clerk's (counter_run). */
    display_t *customer_display;
} counter_opts_t;

typedef struct counter counter_t;

/** Create the loop and the screens (login first). */
hk_err_t counter_create(const counter_opts_t *o, counter_t **out, hk_diag_t *diag);
void counter_destroy(counter_t *c); /* NULL ok */

/** The model the screens draw (tests read what the clerk and the
 *  customer see from it); valid until counter_destroy(). */
const ui_model_t *counter_model(const counter_t *c);

/**
 * One input event of the customer's screen (counter_run() reads them
 * itself when it drives the displays; a script run only drives the staff
 * screen, so tests feed the customer's taps here). No-op without one.
 */
void counter_customer_input(counter_t *c, const display_event_t *ev);

/** Where the branch posts its results (valid until counter_destroy()). */
mailbox_t *counter_mailbox(counter_t *c);

/**
 * Run until the window closes, or the script ends (script != NULL).
 * @return 0; 1 when a script step failed; 2 when it cannot start.
 */
int counter_run(counter_t *c, const script_t *script);

#endif
