/*
 * dialog: a modal message with one acknowledge button, drawn over a dimmed
 * screen. While open it takes every touch; a touch outside the card does
 * nothing (an accidental brush must not dismiss what the customer needs to
 * read).
 */
#ifndef HK_APP_UI_WIDGETS_DIALOG_H
#define HK_APP_UI_WIDGETS_DIALOG_H

#include <stdbool.h>

#include "button.h"

typedef struct ui_dialog {
    bool open;
    gfx_rect_t card;
    char title[160];
    char msg[256];
    int title_px, msg_px;
    ui_button_t ok;
} ui_dialog_t;

/**
 * Lay the dialog out centered in a w x h screen.
 * @param unit  px per design px (the screen's scale).
 */
void ui_dialog_layout(ui_dialog_t *d, gfx_t *g, int w, int h, int title_px, int msg_px,
                      int unit_px100);

/** @return true when OK was pressed; *changed for pressed-look changes. */
bool ui_dialog_handle(ui_dialog_t *d, const display_event_t *ev, bool *changed);

void ui_dialog_draw(const ui_dialog_t *d, gfx_t *g);

#endif
