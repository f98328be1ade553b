/*
 * button: press/release tracking and drawing of buttons and tiles.
 */
#include "button.h"

#include <stdio.h>
#include <string.h>

void ui_button_init(ui_button_t *b)
{
    memset(b, 0, sizeof(*b));
    b->bg = 0x0B5CAD;
    b->fg = 0xFFFFFF;
    b->radius = 24;
    b->title_px = 40;
    b->sub_px = 28;
    b->icon_px = 56;
    b->align = UI_ALIGN_CENTER;
    b->enabled = true;
    b->unit100 = 100;
}

int ui_button_unit(const ui_button_t *b, int base)
{
    int v = (base * b->unit100 + 50) / 100;

    return v > 0 ? v : 1;
}

gfx_rect_t ui_button_opaque_rect(const ui_button_t *b)
{
    /* pressed, the button is drawn up to lift lower: the rows both looks
     * fill edge to edge lie between radius + lift and h - radius */
    int top = b->radius + ui_button_unit(b, 4), h = b->rect.h - b->radius - top;

    if(h <= 0)
        return gfx_rect(b->rect.x, b->rect.y, 0, 0);
    return gfx_rect(b->rect.x, b->rect.y + top, b->rect.w, h);
}

bool ui_rect_contains(gfx_rect_t r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

uint32_t ui_shade(uint32_t rgb, int amount)
{
    int ch[3] = { (int)(rgb >> 16) & 255, (int)(rgb >> 8) & 255, (int)rgb & 255 };
    int i;

    for(i = 0; i < 3; i++) {
        if(amount > 0)
            ch[i] = ch[i] * (100 - amount) / 100;
        else
            ch[i] = ch[i] + (255 - ch[i]) * (-amount) / 100;
    }
    return ((uint32_t)ch[0] << 16) | ((uint32_t)ch[1] << 8) | (uint32_t)ch[2];
}

bool ui_button_handle(ui_button_t *b, const display_event_t *ev, bool *changed)
{
    bool inside = ui_rect_contains(b->rect, ev->x, ev->y);
    bool was = b->pressed;
    bool clicked = false;

    if(!b->enabled) {
        /* a disabled button still swallows nothing and shows nothing */
        return false;
    }
    switch(ev->type) {
    case DISPLAY_EV_DOWN: b->pressed = inside; break;
    case DISPLAY_EV_MOVE:
        if(b->pressed && !inside)
            b->pressed = false;
        break;
    case DISPLAY_EV_UP:
        clicked = b->pressed && inside;
        b->pressed = false;
        break;
    default: break;
    }
    if(changed && was != b->pressed)
        *changed = true;
    return clicked;
}

void ui_button_draw(const ui_button_t *b, gfx_t *g)
{
    gfx_rect_t r = b->rect;
    uint32_t bg = b->enabled ? b->bg : 0xC5CCD6;
    uint32_t fg = b->enabled ? b->fg : 0x6B7480;
    int pad = b->radius > ui_button_unit(b, 16) ? b->radius : ui_button_unit(b, 16);
    int lift = ui_button_unit(b, 4);
    int text_h, title_h, sub_h, icon_h, y, x0, text_w;
    bool show_sub = b->subtitle[0] != '\0', show_icon = b->icon[0] != '\0';

    if(b->pressed) {
        bg = ui_shade(bg, 18);
        r.y += lift;
    } else if(b->enabled && r.h > ui_button_unit(b, 120) && b->bg != 0xFFE14Du) {
        /* (high contrast's yellow buttons have no soft shadow: issue 8.6) */
        /* soft shadow under large tiles: only the band that shows, not a
         * second tile-sized fill (software fills are the frame's cost) */
        int drop = ui_button_unit(b, 6), band = 2 * b->radius + drop;
        gfx_fill_round_rect(g, gfx_rect(r.x, r.y + r.h - band + drop, r.w, band), b->radius,
                            gfx_rgb(ui_shade(0xF2F5F9, 8)));
    }
    gfx_fill_round_rect(g, r, b->radius, gfx_rgb(bg));

    x0 = r.x + pad;
    text_w = r.w - 2 * pad;
    if(b->icon[0] && b->align == UI_ALIGN_LEFT) {
        x0 = r.x + pad + b->icon_px * 2 + pad;
        text_w = r.x + r.w - pad - x0;
    }
    title_h = ui_label_measure(g, GFX_BOLD, b->title_px, text_w, 2, b->title, NULL);
    sub_h = show_sub ? b->sub_px / 2 +
                           ui_label_measure(g, GFX_REGULAR, b->sub_px, text_w, 2, b->subtitle, NULL)
                     : 0;
    /* Too tall for the tile (large text)? Shed the subtitle, then the
     * icon, rather than spill text over the edge. */
    icon_h = (show_icon && b->align != UI_ALIGN_LEFT) ? b->icon_px * 5 / 2 : 0;
    if(show_sub && title_h + sub_h + icon_h > r.h - pad) {
        show_sub = false;
        sub_h = 0;
    }
    if(icon_h && title_h + icon_h > r.h - pad)
        show_icon = false;
    text_h = title_h + sub_h;
    if(show_icon) {
        /* icon left of the text, or above it with the pair centered */
        int d = b->icon_px * 2, gap = b->icon_px / 2, iw;
        gfx_rect_t ic;
        if(b->align == UI_ALIGN_LEFT) {
            ic = gfx_rect(r.x + pad, r.y + (r.h - d) / 2, d, d);
        } else {
            int total = d + gap + text_h;
            ic = gfx_rect(r.x + (r.w - d) / 2, r.y + (r.h - total) / 2, d, d);
            r.h = text_h;
            r.y = ic.y + d + gap;
        }
        gfx_fill_round_rect(g, ic, d / 2, gfx_rgb(b->enabled ? ui_shade(bg, 16) : 0xB3BAC4));
        iw = ui_label_width(g, GFX_BOLD, b->icon_px, b->icon);
        gfx_draw_text(g, GFX_BOLD, b->icon_px, gfx_rgb(fg), ic.x + (d - iw) / 2,
                      ic.y + (d - b->icon_px * 145 / 100) / 2, b->icon, strlen(b->icon));
    }
    y = r.y + (r.h - text_h) / 2;
    y += ui_label_draw(g, GFX_BOLD, b->title_px, gfx_rgb(fg), gfx_rect(x0, y, text_w, r.h),
                       b->align, 2, b->title);
    if(show_sub) {
        gfx_color_t sc = gfx_rgb(fg);
        sc.a = 215;
        ui_label_draw(g, GFX_REGULAR, b->sub_px, sc, gfx_rect(x0, y + b->sub_px / 2, text_w, r.h),
                      b->align, 2, b->subtitle);
    }
}
