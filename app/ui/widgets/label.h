/*
 * label: wrapped text. Chinese breaks between any two characters (except
 * before closing punctuation), Latin text at spaces; a line that still
 * does not fit is cut with an ellipsis at max_lines.
 */
#ifndef HK_APP_UI_WIDGETS_LABEL_H
#define HK_APP_UI_WIDGETS_LABEL_H

#include <stdbool.h>

#include "gfx.h"

typedef enum ui_align { UI_ALIGN_LEFT = 0, UI_ALIGN_CENTER, UI_ALIGN_RIGHT } ui_align_t;

/** Line advance for a font size: 1.3 x size. */
int ui_label_line_h(int size_px);

/**
 * Height the text takes when wrapped to max_w (max_lines 0 = unlimited).
 * @param w_out  widest line; may be NULL.
 */
int ui_label_measure(gfx_t *g, gfx_weight_t wt, int size_px, int max_w, int max_lines,
                     const char *text, int *w_out);

/**
 * Draw text wrapped inside box (top-aligned), aligned horizontally.
 * @return height used.
 */
int ui_label_draw(gfx_t *g, gfx_weight_t wt, int size_px, gfx_color_t c, gfx_rect_t box,
                  ui_align_t align, int max_lines, const char *text);

/**
 * ui_label_draw() when draw is true, else only ui_label_measure(): lets a
 * screen measure a block of labels and then draw it centred.
 * @return height used (or that would be used).
 */
int ui_label_put(gfx_t *g, bool draw, gfx_weight_t wt, int size_px, gfx_color_t c, gfx_rect_t box,
                 ui_align_t align, int max_lines, const char *text);

/** Width of one unwrapped line. */
int ui_label_width(gfx_t *g, gfx_weight_t wt, int size_px, const char *text);

#endif
