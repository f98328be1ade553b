/*
 * dialog: layout, input and drawing of the modal message box.
 */
#include "dialog.h"

#include <string.h>

void ui_dialog_layout(ui_dialog_t *d, gfx_t *g, int w, int h, int title_px, int msg_px,
                      int unit_px100)
{
    int cw = w * 84 / 100, pad = 56 * unit_px100 / 100, th, mh, bh, ch;

    if(cw > 900 * unit_px100 / 100 && w > h)
        cw = 900 * unit_px100 / 100;
    d->title_px = title_px;
    d->msg_px = msg_px;
    th = ui_label_measure(g, GFX_BOLD, title_px, cw - 2 * pad, 3, d->title, NULL);
    mh = ui_label_measure(g, GFX_REGULAR, msg_px, cw - 2 * pad, 6, d->msg, NULL);
    bh = msg_px * 3;
    ch = pad + th + msg_px + mh + pad + bh + pad;
    d->card = gfx_rect((w - cw) / 2, (h - ch) / 2, cw, ch);
    d->ok.rect = gfx_rect(d->card.x + pad, d->card.y + ch - pad - bh, cw - 2 * pad, bh);
    d->ok.title_px = msg_px * 12 / 10;
    d->ok.radius = bh / 2;
    d->ok.unit100 = unit_px100;
}

bool ui_dialog_handle(ui_dialog_t *d, const display_event_t *ev, bool *changed)
{
    if(!d->open)
        return false;
    return ui_button_handle(&d->ok, ev, changed);
}

void ui_dialog_draw(const ui_dialog_t *d, gfx_t *g)
{
    gfx_color_t dim = { 10, 20, 35, 150 };
    int pad;

    if(!d->open)
        return;
    pad = (d->ok.rect.x - d->card.x);
    gfx_fill_rect(g, gfx_rect(0, 0, g->width, g->height), dim);
    gfx_fill_round_rect(g, d->card, ui_button_unit(&d->ok, 28), gfx_rgb(0xFFFFFF));
    {
        int y = d->card.y + pad;
        y += ui_label_draw(g, GFX_BOLD, d->title_px, gfx_rgb(0x1F2937),
                           gfx_rect(d->card.x + pad, y, d->card.w - 2 * pad, d->card.h),
                           UI_ALIGN_CENTER, 3, d->title);
        y += d->msg_px;
        ui_label_draw(g, GFX_REGULAR, d->msg_px, gfx_rgb(0x5B6472),
                      gfx_rect(d->card.x + pad, y, d->card.w - 2 * pad, d->card.h), UI_ALIGN_CENTER,
                      6, d->msg);
    }
    ui_button_draw(&d->ok, g);
}
