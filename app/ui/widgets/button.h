/*
 * button: a pressable rounded rectangle with a title, an optional subtitle
 * and an optional icon glyph. Fires on release inside (like every touch UI:
 * a finger that slides off cancels). Defaults from ui_button_init():
 * enabled, not pressed, brand-blue fill, white text, centered, radius 24,
 * unit100 100 (a 1080x1920 panel; screens set it from their model).
 */
#ifndef HK_APP_UI_WIDGETS_BUTTON_H
#define HK_APP_UI_WIDGETS_BUTTON_H

#include <stdbool.h>

#include "display.h"
#include "gfx.h"
#include "label.h"

typedef struct ui_button {
    gfx_rect_t rect;
    char title[160];
    char subtitle[224];
    char icon[16];   /* one glyph drawn in a circle; "" = none */
    uint32_t bg, fg; /* 0xRRGGBB */
    int radius;
    int title_px, sub_px, icon_px;
    int unit100;      /* px per 100 design units (ui_px(m, 100)): pads, shadow, press */
    ui_align_t align; /* title/subtitle alignment */
    bool enabled;
    bool pressed;
} ui_button_t;

void ui_button_init(ui_button_t *b);

/**
 * Feed an input event.
 * @param changed  set true when the pressed look changed (redraw needed).
 * @return true when the button was clicked (released inside).
 */
bool ui_button_handle(ui_button_t *b, const display_event_t *ev, bool *changed);

/** Draw the button (pressed: darker fill, 4 design units lower). */
void ui_button_draw(const ui_button_t *b, gfx_t *g);

/** base design units in this button's pixels (at least 1). */
int ui_button_unit(const ui_button_t *b, int base);

/**
 * The part of the button that ui_button_draw() (or a screen drawing a card
 * from it) covers with its opaque fill whether pressed or not: full width,
 * without the rounded rows and the press offset. Empty for a translucent
 * fill. Screens leave it out of their background fill.
 */
gfx_rect_t ui_button_opaque_rect(const ui_button_t *b);

/** Is (x, y) inside r? */
bool ui_rect_contains(gfx_rect_t r, int x, int y);

/** Darken (amount > 0) or lighten (< 0) a colour by amount/100. */
uint32_t ui_shade(uint32_t rgb, int amount);

#endif
