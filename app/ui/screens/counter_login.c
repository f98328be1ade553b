/*
 * counter_login: the counter's staff login: choose your staff id (one
 * button per member of the config's staff, up to MAX_STAFF shown), type
 * the PIN on the pad (shown masked, one dot a digit), Log in. A wrong PIN
 * or a lock-out is said in words under the dots. The PIN's digits never
 * reach the model: the controller keeps them, the model has their count.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

#define MAX_STAFF 12
#define N_KEYS    SCR_PIN_KEYS /* 1..9, clear, 0, erase */

typedef struct scr_counter_login {
    scr_base_t base;
    ui_button_t staff[MAX_STAFF];
    int n_staff;
    ui_button_t key[N_KEYS];
    ui_button_t login;
    gfx_rect_t title, staff_label, pin_label, dots, msg, hint;
} scr_counter_login_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_counter_login_t), g, out);
}

static void enter(void *p)
{
    scr_counter_login_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < MAX_STAFF; i++)
        s->staff[i].pressed = false;
    for(i = 0; i < N_KEYS; i++)
        s->key[i].pressed = false;
    s->login.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_counter_login_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    for(i = 0; i < s->n_staff; i++)
        if(ui_button_handle(&s->staff[i], ev, &changed)) {
            in.kind = INTENT_STAFF_PICK;
            in.arg = i;
            return in;
        }
    if(scr_pin_keys_handle(s->key, ev, &changed, &in))
        return in;
    if(ui_button_handle(&s->login, ev, &changed)) {
        in.kind = INTENT_LOGIN;
        return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_counter_login_t *s)
{
    const ui_model_t *m = &s->base.m;
    const config_t *cfg = m->cfg;
    bool land = ui_landscape(m);
    int pad = ui_px(m, 48), gap = ui_px(m, 20), i, cols = 3, rows;
    int lh = ui_label_line_h(ui_font(m, 40));
    gfx_rect_t body, left, right;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    s->title =
        gfx_rect(pad, body.y + ui_px(m, 28), m->w - 2 * pad, ui_label_line_h(ui_font(m, 56)));
    {
        /* the key hint: one line, two in large text */
        int hh = ui_label_measure(s->base.g, GFX_REGULAR, ui_font(m, 30), m->w - 2 * pad, 2,
                                  i18n_get(m->lang, I18N_COUNTER_LOGIN_KEYS), NULL);
        s->hint = gfx_rect(pad, body.y + body.h - hh - ui_px(m, 12), m->w - 2 * pad, hh);
    }
    body.y = s->title.y + s->title.h + ui_px(m, 24);
    body.h = s->hint.y - ui_px(m, 16) - body.y;
    if(land) {
        int lw = (m->w - 2 * pad - ui_px(m, 60)) / 2;
        left = gfx_rect(pad, body.y, lw, body.h);
        right = gfx_rect(pad + lw + ui_px(m, 60), body.y, lw, body.h);
    } else {
        /* the staff ids take what their rows need, the pad the rest */
        int nrows = ((cfg->n_staff < MAX_STAFF ? cfg->n_staff : MAX_STAFF) + cols - 1) / cols;
        int sh = lh + gap + nrows * (ui_px(m, 150) + gap);
        if(sh > body.h * 40 / 100)
            sh = body.h * 40 / 100;
        left = gfx_rect(pad, body.y, m->w - 2 * pad, sh);
        right = gfx_rect(pad + ui_px(m, 90), body.y + sh + ui_px(m, 24),
                         m->w - 2 * pad - ui_px(m, 180), body.h - sh - ui_px(m, 24));
    }
    /* staff ids */
    s->staff_label = gfx_rect(left.x, left.y, left.w, lh);
    s->n_staff = cfg->n_staff < MAX_STAFF ? cfg->n_staff : MAX_STAFF;
    rows = (s->n_staff + cols - 1) / cols;
    if(rows < 1)
        rows = 1;
    for(i = 0; i < s->n_staff; i++) {
        int top = left.y + lh + gap;
        int bw = (left.w - (cols - 1) * gap) / cols;
        int bh = (left.y + left.h - top - (rows - 1) * gap) / rows;
        bool on = i == m->counter.staff_idx;
        if(bh > ui_px(m, 150))
            bh = ui_px(m, 150);
        scr_button(
            &s->staff[i], m,
            gfx_rect(left.x + (i % cols) * (bw + gap), top + (i / cols) * (bh + gap), bw, bh),
            m->lang == I18N_EN ? cfg->staff[i].name_en : cfg->staff[i].name_zh,
            on ? UI_COL_BRAND : UI_COL_CARD, on ? UI_COL_WHITE : UI_COL_TEXT, 40);
        snprintf(s->staff[i].subtitle, sizeof(s->staff[i].subtitle), "%s", cfg->staff[i].id);
        s->staff[i].sub_px = ui_px(m, 26); /* the id stays, also in large text */
    }
    /* PIN: label, dots, message, pad, Log in */
    {
        int kh, kw, top;
        s->pin_label = gfx_rect(right.x, right.y, right.w, lh);
        s->dots = gfx_rect(right.x, right.y + lh + gap, right.w, ui_px(m, 90));
        s->msg = gfx_rect(right.x, s->dots.y + s->dots.h + ui_px(m, 10), right.w,
                          ui_label_line_h(ui_font(m, 34)) * (land ? 1 : 2));
        top = s->msg.y + s->msg.h + ui_px(m, 10);
        kw = (right.w - 2 * gap) / 3;
        kh = (right.y + right.h - top - 4 * gap) / 5;
        if(kh > ui_px(m, 130))
            kh = ui_px(m, 130);
        scr_pin_keys_layout(s->key, m, right.x, top, kw, kh, gap, 56, 36, I18N_COUNTER_CLEAR,
                            I18N_COUNTER_ERASE);
        scr_button(&s->login, m, gfx_rect(right.x, top + 4 * (kh + gap), right.w, kh),
                   i18n_get(m->lang, I18N_COUNTER_LOGIN), UI_COL_BRAND, UI_COL_WHITE, 48);
        if(s->login.title_px > kh * 55 / 100)
            s->login.title_px = kh * 55 / 100;
        s->login.enabled = m->counter.staff_idx >= 0 && m->counter.pin_len > 0;
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_counter_login_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_counter_login_t *s = p;
    const ui_model_t *m = &s->base.m;
    const config_t *cfg = m->cfg;
    int i, px = ui_font(m, 40), d = ui_px(m, 34), tpx = ui_font(m, 56);
    char title[256];

    ui_chrome_clear(&s->base.chrome, m, g, UI_COL_BG, NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    if(m->counter.counter_idx >= 0) {
        const config_counter_t *c = &cfg->counters[m->counter.counter_idx];
        snprintf(title, sizeof(title), "%s · %s", i18n_get(m->lang, I18N_COUNTER_LOGIN_TITLE),
                 m->lang == I18N_EN ? c->name_en : c->name_zh);
    } else {
        snprintf(title, sizeof(title), "%s", i18n_get(m->lang, I18N_COUNTER_LOGIN_TITLE));
    }
    /* a long counter name in large text steps down before it is cut */
    while(tpx > ui_px(m, 40) && ui_label_width(g, GFX_BOLD, tpx, title) > s->title.w)
        tpx -= 2;
    ui_label_draw(g, GFX_BOLD, tpx, gfx_rgb(UI_COL_TEXT), s->title, UI_ALIGN_LEFT, 1, title);
    ui_label_draw(g, GFX_BOLD, px, gfx_rgb(UI_COL_MUTED), s->staff_label, UI_ALIGN_LEFT, 1,
                  i18n_get(m->lang, I18N_COUNTER_CHOOSE_STAFF));
    for(i = 0; i < s->n_staff; i++)
        ui_button_draw(&s->staff[i], g);
    ui_label_draw(g, GFX_BOLD, px, gfx_rgb(UI_COL_MUTED), s->pin_label, UI_ALIGN_LEFT, 1,
                  i18n_get(m->lang, I18N_COUNTER_ENTER_PIN));
    /* the PIN, masked: a dot per digit typed, rings for the usual six */
    scr_pin_dots(g, m, s->dots, d, m->counter.pin_len);
    if(m->counter.login_msg[0])
        ui_label_draw(g, GFX_BOLD, ui_font(m, 34), gfx_rgb(UI_COL_WARN), s->msg, UI_ALIGN_CENTER, 2,
                      m->counter.login_msg);
    for(i = 0; i < N_KEYS; i++)
        ui_button_draw(&s->key[i], g);
    ui_button_draw(&s->login, g);
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 30), gfx_rgb(UI_COL_MUTED), s->hint, UI_ALIGN_CENTER,
                  2, i18n_get(m->lang, I18N_COUNTER_LOGIN_KEYS));
}

static const scr_ops_t ops = { "counter_login", create, scr_base_destroy, enter, handle,
                               update,          draw };

const scr_ops_t *scr_counter_login_ops(void)
{
    return &ops;
}
