/*
 * screens: every screen is a module with private state and the same verbs
 * (STYLE.md section 8): create/destroy, enter (clear transient state),
 * handle (touch -> intent, no I/O), update (model -> view state, true when
 * something visible changed) and draw (pure function of the state).
 * ui_loop.c drives them through this table.
 */
#ifndef HK_APP_UI_SCREENS_SCREENS_H
#define HK_APP_UI_SCREENS_SCREENS_H

#include <stddef.h>

#include "chrome.h"
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

/* What every screen's state begins with (its first member, "base"). */
typedef struct scr_base {
    gfx_t *g;           /* for measuring text while laying out */
    ui_model_t m;       /* the model last drawn */
    ui_chrome_t chrome; /* header (and bottom bar) */
} scr_base_t;

/**
 * Allocate a zeroed screen state of size bytes whose first member is a
 * scr_base_t, and set its gfx. Free with scr_base_destroy().
 */
hk_err_t scr_base_create(size_t size, gfx_t *g, void **out);
void scr_base_destroy(void *s); /* NULL ok */

/** Copy m into the base when it differs; true when it did (relayout). */
bool scr_base_take_model(scr_base_t *b, const ui_model_t *m);

/*
 * Shared by the counter and rating screens (rating_face.c).
 */
/** A plain button at r: title, colours, font size in design units. */
void scr_button(ui_button_t *b, const ui_model_t *m, gfx_rect_t r, const char *title, uint32_t bg,
                uint32_t fg, int title_base);
/** The face of rating level 1..5 (a disc, eyes, a mouth whose curve is the
 *  level) centred at (cx, cy), d pixels across, drawn with discs only. */
void scr_rate_face(gfx_t *g, int cx, int cy, int d, int level);
/** The colour of level 1..5. */
uint32_t scr_rate_color(int level);
/** The photo placeholder: a disc with the staff member's initials. */
void scr_rate_avatar(gfx_t *g, const ui_model_t *m, int cx, int cy, int d, const char *initials);

const scr_ops_t *scr_attract_ops(void);
const scr_ops_t *scr_home_ops(void);
const scr_ops_t *scr_services_ops(void);
const scr_ops_t *scr_ticket_ops(void);
const scr_ops_t *scr_unavailable_ops(void);
const scr_ops_t *scr_counter_login_ops(void);
const scr_ops_t *scr_counter_panel_ops(void);
const scr_ops_t *scr_rate_staff_ops(void);
const scr_ops_t *scr_rate_faces_ops(void);
const scr_ops_t *scr_rate_number_ops(void);
const scr_ops_t *scr_board_ops(void);
/* submission (issue 8.5) */
const scr_ops_t *scr_submit_form_ops(void);
const scr_ops_t *scr_submit_done_ops(void);

#endif
