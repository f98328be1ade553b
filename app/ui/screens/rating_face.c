/*
 * rating_face: what the rating and counter screens share: the five faces
 * (drawn from discs: no image assets, any size), the staff member's photo
 * placeholder, a plain-button helper and the PIN pad (the counter login's
 * and the engineer mode's).
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "label.h"

void scr_button(ui_button_t *b, const ui_model_t *m, gfx_rect_t r, const char *title, uint32_t bg,
                uint32_t fg, int title_base)
{
    ui_button_init(b);
    snprintf(b->title, sizeof(b->title), "%s", title);
    b->rect = r;
    b->bg = ui_fill_press(m, bg); /* high contrast (issue 8.6): yellow, black text */
    b->fg = ui_ink_press(m, fg);
    b->title_px = ui_font(m, title_base);
    b->sub_px = ui_font(m, 26);
    b->radius = ui_px(m, 24);
    b->unit100 = ui_px(m, 100);
}

uint32_t scr_rate_color(int level)
{
    static const uint32_t col[6] = { 0x9CA3AF, 0xDC2626, 0xEA6A0C, 0xD49B06, 0x5DA11C, 0x16A34A };

    return col[level >= 1 && level <= 5 ? level : 0];
}

static void dot(gfx_t *g, int cx, int cy, int d, gfx_color_t c)
{
    if(d < 2)
        d = 2;
    gfx_fill_round_rect(g, gfx_rect(cx - d / 2, cy - d / 2, d, d), d / 2, c);
}

void scr_rate_face(gfx_t *g, int cx, int cy, int d, int level)
{
    /* mouth curve: positive smiles (its middle lower than its corners) */
    static const int curve[6] = { 0, -22, -11, 0, 12, 22 }; /* % of d */
    gfx_color_t white = gfx_rgb(UI_COL_WHITE);
    int lv = level >= 1 && level <= 5 ? level : 3;
    int mw = d * 46 / 100, my = cy + d * 16 / 100, t = d * 7 / 100, n = 28, i;
    int c = d * curve[lv] / 100;

    dot(g, cx, cy, d, gfx_rgb(scr_rate_color(lv)));
    dot(g, cx - d * 18 / 100, cy - d * 12 / 100, d * 12 / 100, white);
    dot(g, cx + d * 18 / 100, cy - d * 12 / 100, d * 12 / 100, white);
    if(lv <= 2)
        my += d * 8 / 100; /* a frown sits lower, so its corners clear the eyes */
    for(i = 0; i < n; i++) {
        /* a parabola through the corners (u = -1, 1) and the middle */
        int u1000 = -1000 + 2000 * i / (n - 1);
        int x = cx + mw / 2 * u1000 / 1000;
        int y = my - c / 2 + (int)((long)c * (1000000L - (long)u1000 * u1000) / 1000000L);
        dot(g, x, y, t, white);
    }
}

void scr_rate_avatar(gfx_t *g, const ui_model_t *m, int cx, int cy, int d, const char *initials)
{
    int px = d * 38 / 100, w;

    (void)m;
    dot(g, cx, cy, d, gfx_rgb(0xDCE7F5));
    dot(g, cx, cy, d * 88 / 100, gfx_rgb(UI_COL_BRAND));
    w = ui_label_width(g, GFX_BOLD, px, initials);
    gfx_draw_text(g, GFX_BOLD, px, gfx_rgb(UI_COL_WHITE), cx - w / 2, cy - px * 145 / 200, initials,
                  strlen(initials));
}

bool scr_pin_keys_handle(ui_button_t *keys, const display_event_t *ev, bool *changed,
                         ui_intent_t *in)
{
    for(int i = 0; i < SCR_PIN_KEYS; i++)
        if(ui_button_handle(&keys[i], ev, changed)) {
            in->kind = INTENT_PIN_KEY;
            in->arg = i < 9 ? i + 1 : i == 9 ? -2 : i == 10 ? 0 : -1;
            return true;
        }
    return false;
}

void scr_pin_keys_layout(ui_button_t *keys, const ui_model_t *m, int x, int top, int kw, int kh,
                         int gap, int digit_base, int word_base, i18n_key_t clear, i18n_key_t erase)
{
    for(int i = 0; i < SCR_PIN_KEYS; i++) {
        char t[32];
        bool digit = i < 9 || i == 10;
        if(i < 9)
            snprintf(t, sizeof(t), "%d", i + 1);
        else if(i == 10)
            snprintf(t, sizeof(t), "0");
        else
            snprintf(t, sizeof(t), "%s", i18n_get(m->lang, i == 9 ? clear : erase));
        scr_button(&keys[i], m,
                   gfx_rect(x + (i % 3) * (kw + gap), top + (i / 3) * (kh + gap), kw, kh), t,
                   UI_COL_CARD, digit ? UI_COL_TEXT : UI_COL_MUTED, digit ? digit_base : word_base);
        /* short keys on a wide panel: the text stays inside its key */
        if(keys[i].title_px > kh * 55 / 100)
            keys[i].title_px = kh * 55 / 100;
    }
}

void scr_pin_dots(gfx_t *g, const ui_model_t *m, gfx_rect_t r, int d, int len)
{
    int n = len > 6 ? len : 6, x0;

    gfx_fill_round_rect(g, r, ui_px(m, 20), gfx_rgb(UI_COL_CARD));
    if(n > 12)
        n = 12;
    x0 = r.x + (r.w - n * d - (n - 1) * d / 2) / 2;
    for(int i = 0; i < n; i++) {
        int x = x0 + i * (d + d / 2), y = r.y + (r.h - d) / 2;
        if(i < len) {
            gfx_fill_round_rect(g, gfx_rect(x, y, d, d), d / 2, gfx_rgb(UI_COL_TEXT));
        } else {
            gfx_fill_round_rect(g, gfx_rect(x, y, d, d), d / 2, gfx_rgb(UI_COL_LINE));
            gfx_fill_round_rect(g, gfx_rect(x + d / 5, y + d / 5, d - 2 * (d / 5), d - 2 * (d / 5)),
                                d / 2, gfx_rgb(UI_COL_CARD));
        }
    }
}
