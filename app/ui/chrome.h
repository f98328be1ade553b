/*
 * chrome: what every screen shares: the header bar (branch name, date and
 * time, the language toggle, the large-text toggle and, where the role acts
 * on them, the high-contrast and voice-guidance toggles, visible on every
 * screen) and, on inner screens, a bottom bar with Back and Home.
 */
#ifndef HK_APP_UI_CHROME_H
#define HK_APP_UI_CHROME_H

#include "button.h"
#include "ui.h"

typedef struct ui_chrome {
    ui_button_t lang;
    ui_button_t large;
    ui_button_t back;
    ui_button_t home;
    ui_button_t contrast; /* FAQ/triage (issue 8): the high-contrast toggle */
    ui_button_t voice;    /* voice guidance (issue 8.6): on / off */
    bool nav;             /* bottom bar shown */
    bool dark;            /* header drawn on the brand background (attract) */
    int header_h;
    int footer_h;
} ui_chrome_t;

/** Lay out for model m; nav = show Back/Home. g measures text. */
void ui_chrome_layout(ui_chrome_t *c, gfx_t *g, const ui_model_t *m, bool nav);

/** Header/footer buttons; INTENT_NONE when the event is not theirs. */
ui_intent_t ui_chrome_handle(ui_chrome_t *c, const display_event_t *ev);

/**
 * Fill the screen with bg except under the header, which ui_chrome_draw()
 * fills itself, and except the holes: rectangles the screen then covers
 * with opaque paint anyway (ui_button_opaque_rect()). A 4K frame is bound
 * by fill bandwidth, so no pixel is filled twice where that is cheap to
 * avoid.
 * @param holes  borrowed; up to UI_CHROME_MAX_HOLES (more are ignored).
 */
void ui_chrome_clear(const ui_chrome_t *c, const ui_model_t *m, gfx_t *g, uint32_t bg,
                     const gfx_rect_t *holes, int n_holes);

#define UI_CHROME_MAX_HOLES 16

/** Draw header (and footer when nav). */
void ui_chrome_draw(const ui_chrome_t *c, const ui_model_t *m, gfx_t *g);

/** Area between the bars. */
gfx_rect_t ui_chrome_body(const ui_chrome_t *c, const ui_model_t *m);

/** Clear pressed looks (on entering a screen). */
void ui_chrome_reset(ui_chrome_t *c);

#endif
