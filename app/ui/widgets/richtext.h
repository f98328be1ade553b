/*
 * richtext: a laid-out block of article text (FAQ/triage, issue 8):
 * paragraphs and list items with **emphasis**, wrapped once at layout time
 * into runs (one draw call each: a piece of one line in one style), so a
 * frame of a scrolling article draws only the runs in view and never
 * measures or shapes text again (gfx keeps each run's texture). Chinese
 * wraps between any two characters (never before closing punctuation),
 * Latin text between words.
 */
#ifndef HK_APP_UI_WIDGETS_RICHTEXT_H
#define HK_APP_UI_WIDGETS_RICHTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "gfx.h"
#include "hk_err.h"

typedef enum ui_rt_style {
    UI_RT_TEXT = 0, /* regular, text colour */
    UI_RT_BOLD,     /* bold, text colour (titles, headings) */
    UI_RT_EMPH,     /* **emphasis**: bold in the accent colour */
    UI_RT_MUTED     /* regular, muted colour (bullets, numbers, captions) */
} ui_rt_style_t;

typedef struct ui_rt_run {
    int x, y;     /* top-left of its line box, content pixels */
    int h;        /* the line box's height */
    int px;       /* font size */
    uint32_t off; /* its text in buf */
    uint16_t len;
    uint8_t style; /* ui_rt_style_t */
} ui_rt_run_t;

typedef struct ui_richtext {
    char *buf; /* the runs' text, markers removed */
    size_t len, cap;
    ui_rt_run_t *runs; /* in line order: y never decreases */
    int n, cap_runs;
} ui_richtext_t;

void ui_richtext_init(ui_richtext_t *rt);
void ui_richtext_fini(ui_richtext_t *rt); /* frees; init again to reuse */
/** Drop every run, keeping the memory. */
void ui_richtext_clear(ui_richtext_t *rt);

/**
 * Lay out text (UTF-8; **...** toggles emphasis when emph) wrapped to
 * [x, x + w) from y, line boxes line_h high.
 * @param style  the style outside emphasis.
 * @param h_out  height used (lines x line_h).
 * @return HK_ERR_NOMEM.
 */
hk_err_t ui_richtext_add(ui_richtext_t *rt, gfx_t *g, const char *text, bool emph,
                         ui_rt_style_t style, int px, int x, int y, int w, int line_h, int *h_out);

/**
 * Draw the runs whose line box meets content rows [top, top + view_h),
 * shifted so content row top lands at screen row screen_y (and x by dx).
 * colours[style] gives each style's colour.
 */
void ui_richtext_draw(const ui_richtext_t *rt, gfx_t *g, int top, int view_h, int dx, int screen_y,
                      const gfx_color_t colours[4]);

#endif
