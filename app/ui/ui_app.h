/*
 * ui_app: the kiosk's event loop. Owns the screens, the model they draw,
 * the store and queue (opened after the first frame is on screen), the
 * print spool, and the timers (clock tick, idle return to the attract
 * screen, the confirmation countdown). Acts on screen intents: a ticket is
 * committed by the queue before the confirmation screen shows it.
 */
#ifndef HK_APP_UI_UI_APP_H
#define HK_APP_UI_UI_APP_H

#include <stdbool.h>

#include "clock.h"
#include "config.h"
#include "display.h"
#include "script.h"

typedef struct ui_app_opts {
    const config_t *cfg;        /* borrowed; outlives the app */
    display_t *display;         /* borrowed */
    font_set_t *fonts;          /* borrowed */
    hk_clock_t *clock;          /* borrowed; stepped when headless+script */
    const char *data_dir;       /* resolved, exists */
    const char *screenshot_dir; /* NULL = no screenshots */
    const script_t *script;     /* NULL = interactive */
    int64_t start_mono_ms;      /* process start, for the first-frame log */
} ui_app_opts_t;

typedef struct ui_app ui_app_t;

hk_err_t ui_app_create(const ui_app_opts_t *o, ui_app_t **out, hk_diag_t *diag);
void ui_app_destroy(ui_app_t *a);

/**
 * Run until quit (window closed, script ended or "quit").
 * @return 0 on success, 1 when a script step failed (message on stderr).
 */
int ui_app_run(ui_app_t *a);

/** Name of the screen showing ("attract", "home", ...). */
const char *ui_app_screen_name(const ui_app_t *a);

#endif
