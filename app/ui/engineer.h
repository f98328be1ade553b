/*
 * engineer: the kiosk's engineer mode (issue 9.5), the controller half.
 * The kiosk (kiosk.c) hands it raw input while the attract screen shows
 * (the hidden gesture), and the engineer screens' intents and input; it
 * owns the PIN check (staff_auth_verify_pin against config engineer.
 * pin_hash), the lockout (engineer_lock, a file in the data directory),
 * one journal event per wrong PIN (engineer.pin_failed, uploaded by the
 * sync; a LAN client's goes to its hub too), and the diagnostics the screens show (engineer_view_t, reached
 * through ui_model_t.role_view). It never keeps the PIN's digits beyond
 * the check, and leaving wipes the view.
 *
 * One thread: the kiosk's loop.
 */
#ifndef HK_APP_UI_ENGINEER_H
#define HK_APP_UI_ENGINEER_H

#include <stdbool.h>
#include <stdint.h>

#include "display.h"
#include "store.h"
#include "ui.h"

#define ENGINEER_HOLD_MS    3000 /* the press on the top-left corner */
#define ENGINEER_TAPS       3    /* then taps on the bottom-right corner */
#define ENGINEER_TAPS_MS    5000 /* within this long after the release */
#define ENGINEER_IDLE_S     180  /* inactivity on an engineer screen: back to attract */
#define ENGINEER_EXIT_CODE  75   /* "restart me" (EX_TEMPFAIL): the unit restarts on it */
#define ENGINEER_PIN_MAX    12
#define ENGINEER_ROWS_MAX   16
#define ENGINEER_LOG_LINES  30
#define ENGINEER_TOUCH_COLS 12
#define ENGINEER_TOUCH_ROWS 20

typedef enum engineer_tab {
    ENGINEER_TAB_STATUS = 0,
    ENGINEER_TAB_NETWORK,
    ENGINEER_TAB_PRINTER,
    ENGINEER_TAB_TOUCH,
    ENGINEER_TAB_SCREEN,
    ENGINEER_TAB_LOGS,
    ENGINEER_TAB_COUNT
} engineer_tab_t;

typedef enum engineer_action {
    ENGINEER_ACT_EXIT = 0,
    ENGINEER_ACT_TEST_PRINT,
    ENGINEER_ACT_EXPORT,
    ENGINEER_ACT_RESTART,
    ENGINEER_ACT_TOUCH_CLEAR
} engineer_action_t;

/* One line of a diagnostics table: a catalogue label (or a literal one,
 * e.g. an interface name) and its value. */
typedef struct engineer_row {
    i18n_key_t key;  /* the label; 0 = use text */
    char text[48];   /* literal label when key is 0 */
    char value[200]; /* "" = none */
    bool bad;        /* shown in the warning colour */
} engineer_row_t;

/* What the engineer screens show (ui_model_t.role_view while they show). */
typedef struct engineer_view {
    /* the PIN pad */
    int pin_len;          /* digits typed (dots) */
    int tries_left;       /* after a wrong PIN: before the lock; 0 = say nothing */
    int64_t locked_s;     /* > 0: locked, seconds left */
    char locked_text[32]; /* "4:59" / "1:04:59" */
    /* the diagnostics */
    engineer_tab_t tab;
    int n_rows;
    engineer_row_t rows[ENGINEER_ROWS_MAX];
    int n_log;
    char log[ENGINEER_LOG_LINES][160];
    uint8_t touch[ENGINEER_TOUCH_COLS * ENGINEER_TOUCH_ROWS]; /* 1 = touched */
    i18n_key_t toast_key; /* the last action's result; 0 = none */
    char toast[256];      /* its %s (the export's directory) */
    bool toast_bad;
    bool has_printer;
} engineer_view_t;

/** The engineer view a model carries (role_view), or an empty one. */
const engineer_view_t *engineer_view_of(const ui_model_t *m);

typedef struct engineer engineer_t;

/* What the engineer mode needs from the kiosk; all borrowed. */
typedef struct engineer_env {
    const char *data_dir;
    const config_t *(*cfg)(void *user);         /* the config in force */
    store_t *(*store)(void *user);              /* this device's store; NULL until open */
    void (*journaled)(void *user, int64_t seq); /* after a commit (the hosted hub's poke) */
    /* print a test slip (a ticket numbered TEST); the print state it reached */
    ui_print_state_t (*test_print)(void *user);
    bool lan_client; /* the kiosk is not the hub (its journal is not synced) */
    /* a LAN client's wrong PIN, sent to its hub, whose journal is synced
     * (branch_engineer_pin_failed); HK_OK when it was handed over */
    hk_err_t (*report_pin_failed)(void *user, int fails, int locks, int lock_s);
    void *user;
} engineer_env_t;

hk_err_t engineer_create(const engineer_env_t *env, engineer_t **out);
void engineer_destroy(engineer_t *e); /* NULL ok */

/** The view the engineer screens draw (stable address). */
const engineer_view_t *engineer_view(const engineer_t *e);
/** Changes whenever the view does (ui_model_t.role_gen). */
uint64_t engineer_gen(const engineer_t *e);

/**
 * Raw input on the attract screen: the hidden gesture. True when the event
 * belongs to the gesture (consumed: the attract screen must not see it).
 * *open is set when the gesture is complete (show the PIN pad). Does
 * nothing when the engineer mode is off (no pin_hash).
 */
bool engineer_gesture(engineer_t *e, const display_event_t *ev, int w, int h, int64_t mono_ms,
                      bool *open);

/** The PIN pad is shown: a fresh pad, the lock's state. */
void engineer_pin_enter(engineer_t *e, int64_t wall_ms, int64_t mono_ms);

/** A PIN key (INTENT_PIN_KEY's arg: digit, -1 erase, -2 clear). */
void engineer_pin_key(engineer_t *e, int arg);

/**
 * Check the PIN typed (INTENT_LOGIN). Wrong: counted, journaled, maybe
 * locked. Right: the lock is cleared and the diagnostics are gathered.
 * @return true when the diagnostics may open.
 */
bool engineer_pin_submit(engineer_t *e, int64_t wall_ms, int64_t mono_ms);

/** Once a second while the pad is locked: the time left. True while locked. */
bool engineer_tick(engineer_t *e, int64_t wall_ms, int64_t mono_ms);

/** A diagnostics intent (INTENT_ENG_TAB / _TOUCH / _ACTION). */
engineer_action_t engineer_intent(engineer_t *e, const ui_intent_t *in, int64_t wall_ms, bool *act);

/**
 * A print finished (the spool's MAILBOX_PRINT_DONE): the printer tab's
 * state. test = it was the engineer's test slip.
 * @param status  printer_status_str() of what the printer reported.
 */
void engineer_printed(engineer_t *e, ui_print_state_t st, const char *status, bool test);

/** Leaving the engineer screens: nothing typed or shown stays. */
void engineer_wipe(engineer_t *e);

#endif
