/*
 * rating_staff: the counter's customer side after "finish" (or on its
 * second screen): who served you (photo placeholder with initials, name,
 * staff id), the number just served, and the invitation to rate, with the
 * rating window's countdown. "Rate now" (or the controller, after a few
 * seconds) goes on to the faces. On a second screen between visits
 * (rate.idle) it shows who serves at this counter and the number being
 * served now, or a welcome when nobody is logged in.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

typedef struct scr_rate_staff {
    scr_base_t base;
    ui_button_t begin;
} scr_rate_staff_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_rate_staff_t), g, out);
}

static void enter(void *p)
{
    scr_rate_staff_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    s->begin.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_rate_staff_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(ui_button_handle(&s->begin, ev, &changed)) {
        in.kind = INTENT_RATE_BEGIN;
        return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

/* The block (avatar, texts, button) from y0; draws only when draw;
 * *btn_out (may be NULL) receives the button's place. */
static int block(const scr_rate_staff_t *s, gfx_t *g, int y0, int d, bool draw, gfx_rect_t *btn_out)
{
    const ui_model_t *m = &s->base.m;
    const ui_rate_view_t *r = &m->rate;
    bool land = ui_landscape(m);
    int pad = ui_px(m, 60), w = m->w - 2 * pad, y = y0;
    int bw = ui_px(m, 520), bh = ui_px(m, 140);
    char buf[128];

    if(r->idle && !r->staff_id[0]) {
        /* a second screen with nobody logged in: a welcome, no more */
        return ui_label_put(g, draw, GFX_BOLD, ui_font(m, 96), gfx_rgb(UI_COL_BRAND),
                            gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1,
                            i18n_get(m->lang, I18N_RATE_WELCOME));
    }
    y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 44), gfx_rgb(UI_COL_MUTED),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1,
                      i18n_get(m->lang, I18N_RATE_SERVED_BY));
    y += ui_px(m, 30);
    if(draw)
        scr_rate_avatar(g, m, m->w / 2, y + d / 2, d, r->initials[0] ? r->initials : "?");
    y += d + ui_px(m, 30);
    y += ui_label_put(g, draw, GFX_BOLD, ui_font(m, 80), gfx_rgb(UI_COL_TEXT),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1,
                      r->staff_name[0] ? r->staff_name : "-");
    i18n_format(buf, sizeof(buf), m->lang, I18N_COUNTER_STAFF_S,
                r->staff_id[0] ? r->staff_id : "-");
    y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 44), gfx_rgb(UI_COL_MUTED),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1, buf);
    y += ui_px(m, land ? 30 : 60);
    if(r->idle) {
        /* between visits: the number being served here, if any */
        if(r->number[0]) {
            i18n_format(buf, sizeof(buf), m->lang, I18N_RATE_NOW_SERVING_S, r->number);
            y += ui_label_put(g, draw, GFX_BOLD, ui_font(m, 72), gfx_rgb(UI_COL_BRAND),
                              gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1, buf);
        }
        if(btn_out)
            *btn_out = gfx_rect(0, 0, 0, 0);
        return y - y0;
    }
    i18n_format(buf, sizeof(buf), m->lang, I18N_RATE_YOUR_NUMBER_S, r->number);
    y += ui_label_put(g, draw, GFX_BOLD, ui_font(m, 56), gfx_rgb(UI_COL_BRAND),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1, buf);
    if(d >= ui_px(m, 160)) {
        /* the invitation, unless the panel is too short for it (the
         * button says as much) */
        y += ui_px(m, land ? 30 : 60);
        y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 48), gfx_rgb(UI_COL_TEXT),
                          gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 2,
                          i18n_get(m->lang, I18N_RATE_INVITE));
    }
    y += ui_px(m, 30);
    if(bw < ui_label_width(g, GFX_BOLD, ui_font(m, 54), i18n_get(m->lang, I18N_RATE_BEGIN)) + bh)
        bw = ui_label_width(g, GFX_BOLD, ui_font(m, 54), i18n_get(m->lang, I18N_RATE_BEGIN)) + bh;
    if(btn_out)
        *btn_out = gfx_rect((m->w - bw) / 2, y, bw, bh);
    y += bh;
    if(m->rate.countdown_s >= 0) {
        i18n_format_int(buf, sizeof(buf), m->lang, I18N_RATE_COUNTDOWN_D, m->rate.countdown_s);
        y += ui_px(m, 24);
        y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 34), gfx_rgb(UI_COL_MUTED),
                          gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 1, buf);
    }
    return y - y0;
}

/* The avatar's diameter: as large as the body lets the whole block be. */
static int avatar_d(const scr_rate_staff_t *s, gfx_t *g, gfx_rect_t body)
{
    const ui_model_t *m = &s->base.m;
    int d = ui_px(m, ui_landscape(m) ? 260 : 340), room = body.h - ui_px(m, 40);
    int h = block(s, g, 0, d, false, NULL);

    if(h > room)
        d -= h - room;
    if(d < ui_px(m, 160)) {
        /* without the invitation line */
        d = ui_px(m, 159);
        h = block(s, g, 0, d, false, NULL);
        if(h > room)
            d -= h - room;
    }
    return d < ui_px(m, 90) ? ui_px(m, 90) : d;
}

static bool update(void *p, const ui_model_t *m)
{
    scr_rate_staff_t *s = p;
    gfx_rect_t body, r = { 0, 0, 0, 0 };
    int h, d;

    if(!scr_base_take_model(&s->base, m))
        return false;
    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    d = avatar_d(s, s->base.g, body);
    h = block(s, s->base.g, 0, d, false, NULL);
    /* lay the button out where the block will be drawn */
    block(s, s->base.g, body.y + (body.h - h) / 2, d, false, &r);
    scr_button(&s->begin, m, r, i18n_get(m->lang, I18N_RATE_BEGIN), UI_COL_RATE, UI_COL_WHITE, 54);
    s->begin.radius = r.h / 2;
    s->begin.enabled = !m->rate.idle;
    return true;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_rate_staff_t *s = p;
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body = ui_chrome_body(&s->base.chrome, m);
    int h, d;

    ui_chrome_clear(&s->base.chrome, m, g, UI_COL_BG, NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    d = avatar_d(s, g, body);
    h = block(s, g, 0, d, false, NULL);
    block(s, g, body.y + (body.h - h) / 2, d, true, NULL);
    if(!m->rate.idle)
        ui_button_draw(&s->begin, g);
}

static const scr_ops_t ops = {
    "rate_staff", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_rate_staff_ops(void)
{
    return &ops;
}
