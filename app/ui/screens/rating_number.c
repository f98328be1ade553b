/*
 * rating_number: the kiosk's "rate our service": which visit? The number
 * on the ticket, typed on a pad of the branch's service letters and the
 * digits, or scanned: a keyboard-wedge scanner "types" the ticket's QR
 * code (its status URL) as text, which the controller reads the number
 * and the day from. What the lookup found wrong (unknown number, not
 * finished, already rated, not today) is said under the field.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

#define MAX_LETTERS CONFIG_MAX_SERVICES
#define N_KEYS      12 /* 1..9, erase, 0, next */

typedef struct scr_rate_number {
    scr_base_t base;
    ui_button_t letter[MAX_LETTERS];
    char letter_ch[MAX_LETTERS];
    int n_letters;
    ui_button_t key[N_KEYS];
    gfx_rect_t title, field, msg;
} scr_rate_number_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_rate_number_t), g, out);
}

static void enter(void *p)
{
    scr_rate_number_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < MAX_LETTERS; i++)
        s->letter[i].pressed = false;
    for(i = 0; i < N_KEYS; i++)
        s->key[i].pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_rate_number_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    for(i = 0; i < s->n_letters; i++)
        if(ui_button_handle(&s->letter[i], ev, &changed)) {
            in.kind = INTENT_ENTRY_KEY;
            in.arg = s->letter_ch[i];
            return in;
        }
    for(i = 0; i < N_KEYS; i++)
        if(ui_button_handle(&s->key[i], ev, &changed)) {
            if(i == 11) {
                in.kind = INTENT_ENTRY_SUBMIT;
            } else {
                in.kind = INTENT_ENTRY_KEY;
                in.arg = i < 9 ? '1' + i : i == 10 ? '0' : 8;
            }
            return in;
        }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_rate_number_t *s)
{
    const ui_model_t *m = &s->base.m;
    const config_t *cfg = m->cfg;
    bool land = ui_landscape(m);
    int pad = ui_px(m, 60), gap = ui_px(m, 20), i, lcols;
    gfx_rect_t body, left, right;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    body = ui_chrome_body(&s->base.chrome, m);
    if(land) {
        int lw = (m->w - 2 * pad - ui_px(m, 80)) * 50 / 100;
        left = gfx_rect(pad, body.y + ui_px(m, 40), lw, body.h - ui_px(m, 80));
        right = gfx_rect(pad + lw + ui_px(m, 80), body.y + ui_px(m, 40),
                         m->w - 2 * pad - lw - ui_px(m, 80), body.h - ui_px(m, 80));
    } else {
        left = gfx_rect(pad, body.y + ui_px(m, 40), m->w - 2 * pad, ui_px(m, 560));
        right = gfx_rect(pad + ui_px(m, 60), left.y + left.h + ui_px(m, 20),
                         m->w - 2 * pad - ui_px(m, 120),
                         body.y + body.h - ui_px(m, 40) - (left.y + left.h + ui_px(m, 20)));
    }
    s->title = gfx_rect(left.x, left.y, left.w,
                        ui_label_line_h(ui_font(m, 60)) * 2 + ui_label_line_h(ui_font(m, 38)) * 2);
    s->field = gfx_rect(left.x, s->title.y + s->title.h + ui_px(m, 20), left.w, ui_px(m, 160));
    s->msg = gfx_rect(left.x, s->field.y + s->field.h + ui_px(m, 16), left.w,
                      ui_label_line_h(ui_font(m, 38)) * 2);
    /* the service letters over the digits */
    s->n_letters = 0;
    for(i = 0; i < cfg->n_services && s->n_letters < MAX_LETTERS; i++)
        s->letter_ch[s->n_letters++] = cfg->services[i].prefix;
    lcols = s->n_letters > 8 ? 8 : s->n_letters;
    {
        int lrows = (s->n_letters + lcols - 1) / (lcols ? lcols : 1);
        int kw = (right.w - 2 * gap) / 3;
        int lw = lcols ? (right.w - (lcols - 1) * gap) / lcols : 0;
        int kh = (right.h - (lrows + 3) * gap - ui_px(m, 10)) / (4 + lrows);
        int top;
        if(kh > ui_px(m, 130))
            kh = ui_px(m, 130);
        for(i = 0; i < s->n_letters; i++) {
            char t[8];
            snprintf(t, sizeof(t), "%c", s->letter_ch[i]);
            scr_button(&s->letter[i], m,
                       gfx_rect(right.x + (i % lcols) * (lw + gap),
                                right.y + (i / lcols) * (kh + gap), lw, kh),
                       t, UI_COL_RATE, UI_COL_WHITE, 52);
            if(s->letter[i].title_px > kh * 55 / 100)
                s->letter[i].title_px = kh * 55 / 100;
        }
        top = right.y + lrows * (kh + gap) + ui_px(m, 10);
        for(i = 0; i < N_KEYS; i++) {
            char t[64];
            if(i < 9)
                snprintf(t, sizeof(t), "%d", i + 1);
            else if(i == 10)
                snprintf(t, sizeof(t), "0");
            else
                snprintf(t, sizeof(t), "%s",
                         i18n_get(m->lang, i == 9 ? I18N_COUNTER_ERASE : I18N_RATE_NUMBER_GO));
            scr_button(&s->key[i], m,
                       gfx_rect(right.x + (i % 3) * (kw + gap), top + (i / 3) * (kh + gap), kw, kh),
                       t, i == 11 ? UI_COL_BRAND : UI_COL_CARD,
                       i == 11  ? UI_COL_WHITE
                       : i == 9 ? UI_COL_MUTED
                                : UI_COL_TEXT,
                       i < 9 || i == 10 ? 56 : 38);
            if(s->key[i].title_px > kh * 55 / 100) /* short keys: keep the text inside */
                s->key[i].title_px = kh * 55 / 100;
        }
        s->key[11].enabled = m->rate.entry[0] != '\0' && !m->rate.entry_busy;
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_rate_number_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_rate_number_t *s = p;
    const ui_model_t *m = &s->base.m;
    int i, y, npx = ui_font(m, 96);

    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    y = s->title.y;
    y += ui_label_draw(g, GFX_BOLD, ui_font(m, 60), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                       gfx_rect(s->title.x, y, s->title.w, s->title.h), UI_ALIGN_LEFT, 2,
                       i18n_get(m->lang, I18N_RATE_NUMBER_TITLE));
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 38), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                  gfx_rect(s->title.x, y + ui_px(m, 10), s->title.w, s->title.h), UI_ALIGN_LEFT, 2,
                  i18n_get(m->lang, I18N_RATE_NUMBER_SUB));
    gfx_fill_round_rect(g, s->field, ui_px(m, 28), gfx_rgb(ui_fill(m, UI_COL_CARD)));
    gfx_fill_round_rect(
        g, gfx_rect(s->field.x, s->field.y + s->field.h - ui_px(m, 8), s->field.w, ui_px(m, 8)),
        ui_px(m, 4), gfx_rgb(ui_fill(m, UI_COL_RATE)));
    if(npx * 13 / 10 > s->field.h)
        npx = s->field.h * 10 / 13;
    ui_label_draw(g, GFX_BOLD, npx,
                  gfx_rgb(ui_ink(m, m->rate.entry[0] ? UI_COL_TEXT : UI_COL_DISABLED)),
                  gfx_rect(s->field.x, s->field.y + (s->field.h - ui_label_line_h(npx)) / 2,
                           s->field.w, ui_label_line_h(npx)),
                  UI_ALIGN_CENTER, 1, m->rate.entry[0] ? m->rate.entry : "A001");
    if(m->rate.entry_msg[0])
        ui_label_draw(g, GFX_BOLD, ui_font(m, 38), gfx_rgb(ui_ink(m, UI_COL_WARN)), s->msg,
                      UI_ALIGN_CENTER, 2, m->rate.entry_msg);
    for(i = 0; i < s->n_letters; i++)
        ui_button_draw(&s->letter[i], g);
    for(i = 0; i < N_KEYS; i++)
        ui_button_draw(&s->key[i], g);
}

static const scr_ops_t ops = {
    "rate_number", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_rate_number_ops(void)
{
    return &ops;
}
