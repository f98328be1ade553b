/*
 * screens: every screen is a module with private state and the same verbs
 * (STYLE.md section 8): create/destroy, enter (clear transient state),
 * handle (touch -> intent, no I/O), update (model -> view state, true when
 * something visible changed) and draw (pure function of the state).
 * ui_app.c drives them through this table.
 */
#ifndef HK_APP_UI_SCREENS_SCREENS_H
#define HK_APP_UI_SCREENS_SCREENS_H

#include "ui.h"

typedef struct scr_ops {
    const char *name;
    hk_err_t (*create)(gfx_t *g, void **out);
    void (*destroy)(void *s);
    void (*enter)(void *s);
    ui_intent_t (*handle)(void *s, const display_event_t *ev);
    bool (*update)(void *s, const ui_model_t *m);
    void (*draw)(const void *s, gfx_t *g);
} scr_ops_t;

const scr_ops_t *scr_attract_ops(void);
const scr_ops_t *scr_home_ops(void);
const scr_ops_t *scr_services_ops(void);
const scr_ops_t *scr_ticket_ops(void);
const scr_ops_t *scr_unavailable_ops(void);

#endif
