/*
 * ui_loop: the loop of every screen role (kiosk, counter, hall board).
 * It owns what no role should write twice: frame and present (redraw only
 * when the showing screen reports a change), the role's runloop (mailbox
 * and deadline timers, see runloop.h), a navigation stack of screens, an
 * overlay layer drawn over any screen (the modal dialog today, the
 * on-screen keyboard later), and the input guard that swallows the rest of
 * a double tap after every screen or overlay change.
 *
 * What the role does lives in its controller (ui_controller_t): the model
 * screens draw, what an intent means, what a mailbox message or a timer
 * means. Input comes from an input source: the display (interactive) or a
 * script player (tests, benchmarks, the headless demo).
 *
 * One thread: everything here runs on the loop's thread; other threads
 * reach it only through ui_loop_mailbox().
 */
#ifndef HK_APP_UI_UI_LOOP_H
#define HK_APP_UI_UI_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "display.h"
#include "keyboard.h"
#include "runloop.h"
#include "screens.h"
#include "ui.h"

#define UI_LOOP_MAX_SCREENS 24
#define UI_LOOP_STACK_DEPTH 8
#define UI_INPUT_GUARD_MS   350

typedef struct ui_loop ui_loop_t;

typedef struct ui_controller {
    void *ctl;
    /** The model the showing screen draws; the loop sets its w and h. */
    ui_model_t *(*model)(void *ctl);
    /** Any input, before the guard and the screens; true = consumed. */
    bool (*on_input)(void *ctl, const display_event_t *ev);
    /** An intent from the showing screen (not REDRAW/DISMISS: the loop's). */
    void (*on_intent)(void *ctl, const ui_intent_t *in);
    /** A mailbox message; the controller frees it (mailbox_msg_free). */
    void (*on_message)(void *ctl, mailbox_msg_t *msg);
    /** A runloop timer fired. */
    void (*on_timer)(void *ctl, int id);
    /** A frame was presented (e.g. start printing what it confirms). */
    void (*after_present)(void *ctl);
    /** After the first frame is on screen: open what may be slow. */
    hk_err_t (*start)(void *ctl, hk_diag_t *diag);
} ui_controller_t;

/* Where input comes from. The display is the default source. */
typedef enum ui_src_result {
    UI_SRC_EVENT = 0, /* *ev holds an input event */
    UI_SRC_IDLE,      /* nothing (timeout, or the source stepped the clock) */
    UI_SRC_END        /* the source is exhausted: end the loop */
} ui_src_result_t;

typedef struct ui_input_source {
    void *impl;
    /**
     * Produce the next input, waiting at most until deadline_ms on the
     * loop's clock (RUNLOOP_NEVER = no timer armed).
     */
    ui_src_result_t (*next)(void *impl, ui_loop_t *loop, int64_t deadline_ms, display_event_t *ev);
} ui_input_source_t;

typedef struct ui_loop_opts {
    display_t *display;    /* borrowed */
    hk_clock_t *clock;     /* borrowed */
    int64_t start_mono_ms; /* process start for the first-frame log; 0 = none */
    int mailbox_capacity;  /* 0 = default (256) */
    /* The keyboard's pinyin engine keeps its files in DATA_DIR/rime and its
     * logs in DATA_DIR/logs, loaded on first use; NULL = no pinyin mode. */
    const char *data_dir;
} ui_loop_opts_t;

/**
 * @param ctl  copied; ctl->ctl is borrowed and must outlive the loop.
 * @param out  free with ui_loop_destroy().
 */
hk_err_t ui_loop_create(const ui_loop_opts_t *o, const ui_controller_t *ctl, ui_loop_t **out);
void ui_loop_destroy(ui_loop_t *l); /* NULL ok */

mailbox_t *ui_loop_mailbox(ui_loop_t *l);
runloop_t *ui_loop_runloop(ui_loop_t *l);
display_t *ui_loop_display(ui_loop_t *l);
hk_clock_t *ui_loop_clock(ui_loop_t *l);
/** Monotonic and wall time on the loop's clock. */
int64_t ui_loop_mono(const ui_loop_t *l);
int64_t ui_loop_wall(const ui_loop_t *l);

/** Register screen id (0..UI_LOOP_MAX_SCREENS-1), creating its state. */
hk_err_t ui_loop_add_screen(ui_loop_t *l, int id, const scr_ops_t *ops);

/* Navigation. Every change enters the new screen and opens the guard. */
void ui_loop_back(ui_loop_t *l); /* pop; stays at the root */
/** Set the whole stack (ids[0] is the root) and enter ids[n-1]. */
void ui_loop_set_stack(ui_loop_t *l, const int *ids, int n);
int ui_loop_current(const ui_loop_t *l);
const char *ui_loop_screen_name(const ui_loop_t *l);

/* The overlay: a modal dialog with one OK button. */
void ui_loop_dialog(ui_loop_t *l, const char *title, const char *msg);
void ui_loop_dialog_close(ui_loop_t *l);

/*
 * The overlay's on-screen keyboard (app/ui/widgets/keyboard.h). While open
 * it is drawn over the bottom m->kb_h pixels (the loop sets kb_h in the
 * controller's model each frame; screens lay out above it), touches on it
 * become INTENT_TEXT_INPUT / _BACKSPACE / _CLEAR / _ENTER delivered to the
 * controller's on_intent like a screen's intents, and touches above it
 * still reach the screen. Physical keyboards and keyboard-wedge scanners
 * give the same intents whether it is open or not (DISPLAY_EV_TEXT, the
 * Backspace and Enter keys). The dialog stays on top of it.
 * Navigation (set_stack, back) closes it: a screen opens it after it is
 * entered. Pinyin loads its engine after the first frame that shows the
 * pinyin keyboard (the bar says it is loading meanwhile), never before.
 */
/** Open (or switch) the keyboard; allow_switch shows the 中/EN/123 keys. */
void ui_loop_keyboard_open(ui_loop_t *l, ui_kb_mode_t mode, bool allow_switch);
void ui_loop_keyboard_close(ui_loop_t *l);
bool ui_loop_keyboard_is_open(const ui_loop_t *l);
/** The keyboard widget, for tests and benchmarks (its keys' rectangles). */
const ui_keyboard_t *ui_loop_keyboard(const ui_loop_t *l);
/** The pinyin engine (NULL without a data_dir), for tests and benchmarks. */
ime_t *ui_loop_ime(ui_loop_t *l);

/** Swallow input for UI_INPUT_GUARD_MS from now. */
void ui_loop_guard(ui_loop_t *l);
/** Redraw on the next frame even if the screen reports no change. */
void ui_loop_invalidate(ui_loop_t *l);

/** Feed one input event (guard, overlay, screen, controller). */
void ui_loop_input(ui_loop_t *l, const display_event_t *ev);
/** Deliver mailbox messages and due timers, then draw if anything changed. */
void ui_loop_pump(ui_loop_t *l);
/** Draw and present if the screen changed (or always when force). */
void ui_loop_frame(ui_loop_t *l, bool force);

/**
 * Run: first frame, controller start, then input from src (NULL = the
 * display) until quit or the source ends.
 * @return the exit code (0, or what ui_loop_quit() was given); 2 when the
 *         controller could not start (logged).
 */
int ui_loop_run(ui_loop_t *l, const ui_input_source_t *src);

void ui_loop_quit(ui_loop_t *l, int code);

#endif
