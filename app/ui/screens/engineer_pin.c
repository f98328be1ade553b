/*
 * engineer_pin: the engineer mode's PIN pad (issue 9.5), opened by the
 * hidden gesture on the attract screen. Title, the PIN masked (a dot a
 * digit), what went wrong (tries left, or locked with the time left), a
 * large 3x4 pad (keys an engineer on a ladder hits with a thumb), Exit and
 * Enter. The digits never reach the model: engineer.c keeps them, the view
 * has their count. While locked the pad is disabled.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "engineer.h"
#include "label.h"

#define N_KEYS SCR_PIN_KEYS /* 1..9, clear, 0, erase */

typedef struct scr_engineer_pin {
    scr_base_t base;
    ui_button_t key[N_KEYS];
    ui_button_t exit, enter;
    gfx_rect_t title, prompt, dots, msg;
} scr_engineer_pin_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_engineer_pin_t), g, out);
}

static void enter(void *p)
{
    scr_engineer_pin_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    for(int i = 0; i < N_KEYS; i++)
        s->key[i].pressed = false;
    s->exit.pressed = s->enter.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_engineer_pin_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(scr_pin_keys_handle(s->key, ev, &changed, &in))
        return in;
    if(ui_button_handle(&s->exit, ev, &changed)) {
        in.kind = INTENT_ENG_ACTION;
        in.arg = ENGINEER_ACT_EXIT;
        return in;
    }
    if(ui_button_handle(&s->enter, ev, &changed)) {
        in.kind = INTENT_LOGIN;
        return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_engineer_pin_t *s)
{
    const ui_model_t *m = &s->base.m;
    const engineer_view_t *v = engineer_view_of(m);
    bool land = ui_landscape(m), locked = v->locked_s > 0;
    int pad = ui_px(m, 60), gap = ui_px(m, 24), kw, kh, top;
    gfx_rect_t body, left, right;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    body = gfx_rect(pad, body.y + ui_px(m, 40), m->w - 2 * pad, body.h - ui_px(m, 40) - pad);
    if(land) {
        int lw = (body.w - ui_px(m, 80)) * 45 / 100;
        left = gfx_rect(body.x, body.y, lw, body.h);
        right = gfx_rect(body.x + lw + ui_px(m, 80), body.y, body.w - lw - ui_px(m, 80), body.h);
    } else {
        left = gfx_rect(body.x, body.y, body.w, body.h * 34 / 100);
        right = gfx_rect(body.x + ui_px(m, 60), body.y + left.h, body.w - ui_px(m, 120),
                         body.h - left.h);
    }
    s->title = gfx_rect(left.x, left.y, left.w, ui_label_line_h(ui_font(m, 64)));
    s->prompt = gfx_rect(left.x, s->title.y + s->title.h + ui_px(m, 16), left.w,
                         ui_label_line_h(ui_font(m, 40)));
    s->dots = gfx_rect(left.x, s->prompt.y + s->prompt.h + ui_px(m, 30), left.w, ui_px(m, 110));
    s->msg = gfx_rect(left.x, s->dots.y + s->dots.h + ui_px(m, 24), left.w,
                      ui_label_line_h(ui_font(m, 40)) * 3);
    /* the pad: 4 rows of keys, then Exit | Enter */
    kw = (right.w - 2 * gap) / 3;
    kh = (right.h - 4 * gap) / 5;
    if(kh > ui_px(m, 170))
        kh = ui_px(m, 170);
    top = right.y + (right.h - 5 * kh - 4 * gap) / 2;
    if(!land)
        top = right.y;
    scr_pin_keys_layout(s->key, m, right.x, top, kw, kh, gap, 64, 38, I18N_ENG_CLEAR,
                        I18N_ENG_ERASE);
    for(int i = 0; i < N_KEYS; i++)
        s->key[i].enabled = !locked;
    {
        int bw = (right.w - gap) / 2, y = top + 4 * (kh + gap);
        scr_button(&s->exit, m, gfx_rect(right.x, y, bw, kh), i18n_get(m->lang, I18N_ENG_EXIT),
                   UI_COL_DISABLED, UI_COL_TEXT, 44);
        scr_button(&s->enter, m, gfx_rect(right.x + bw + gap, y, right.w - bw - gap, kh),
                   i18n_get(m->lang, I18N_ENG_UNLOCK), UI_COL_BRAND, UI_COL_WHITE, 44);
        if(s->exit.title_px > kh * 45 / 100)
            s->exit.title_px = s->enter.title_px = kh * 45 / 100;
        s->enter.enabled = !locked && v->pin_len > 0;
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_engineer_pin_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_engineer_pin_t *s = p;
    const ui_model_t *m = &s->base.m;
    const engineer_view_t *v = engineer_view_of(m);
    int d = ui_px(m, 40);
    char msg[256];

    ui_chrome_clear(&s->base.chrome, m, g, UI_COL_BG, NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    ui_label_draw(g, GFX_BOLD, ui_font(m, 64), gfx_rgb(UI_COL_TEXT), s->title, UI_ALIGN_CENTER, 1,
                  i18n_get(m->lang, I18N_ENG_TITLE));
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 40), gfx_rgb(UI_COL_MUTED), s->prompt, UI_ALIGN_CENTER,
                  1, i18n_get(m->lang, I18N_ENG_ENTER_PIN));
    /* the PIN, masked: a dot per digit, rings for the usual six */
    scr_pin_dots(g, m, s->dots, d, v->pin_len);
    if(v->locked_s > 0) {
        int y = s->msg.y;
        gfx_fill_round_rect(g, s->msg, ui_px(m, 20), gfx_rgb(0xFDECEA));
        y += ui_px(m, 16);
        y += ui_label_draw(g, GFX_BOLD, ui_font(m, 40), gfx_rgb(UI_COL_WARN),
                           gfx_rect(s->msg.x + ui_px(m, 20), y, s->msg.w - ui_px(m, 40), s->msg.h),
                           UI_ALIGN_CENTER, 1, i18n_get(m->lang, I18N_ENG_LOCKED_TITLE));
        i18n_format(msg, sizeof(msg), m->lang, I18N_ENG_LOCKED_S, v->locked_text);
        ui_label_draw(
            g, GFX_BOLD, ui_font(m, 48), gfx_rgb(UI_COL_TEXT),
            gfx_rect(s->msg.x + ui_px(m, 20), y + ui_px(m, 8), s->msg.w - ui_px(m, 40), s->msg.h),
            UI_ALIGN_CENTER, 2, msg);
    } else if(v->tries_left > 0) {
        i18n_format_int(msg, sizeof(msg), m->lang, I18N_ENG_WRONG_D, v->tries_left);
        ui_label_draw(g, GFX_BOLD, ui_font(m, 40), gfx_rgb(UI_COL_WARN), s->msg, UI_ALIGN_CENTER, 2,
                      msg);
    }
    for(int i = 0; i < N_KEYS; i++)
        ui_button_draw(&s->key[i], g);
    ui_button_draw(&s->exit, g);
    ui_button_draw(&s->enter, g);
}

static const scr_ops_t ops = {
    "engineer_pin", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_engineer_pin_ops(void)
{
    return &ops;
}
