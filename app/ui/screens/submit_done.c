/*
 * submit_done: the confirmation of a submitted problem (issue 8.5). Shown
 * only after the hub committed it: the reference the customer keeps, the
 * call-back number masked (138****5678), a QR code to the status page at
 * head office, what the printer did, and Done.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "button.h"
#include "chrome.h"
#include "label.h"
#include "qr.h"

typedef struct scr_submit_done {
    scr_base_t base;
    ui_button_t done;
    ui_qr_t qr;
    gfx_rect_t card, side;
} scr_submit_done_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_submit_done_t), g, out);
}

static void enter(void *p)
{
    scr_submit_done_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    s->done.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_submit_done_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(ui_button_handle(&s->done, ev, &changed)) {
        in.kind = INTENT_HOME;
        return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_submit_done_t *s)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body;
    int pad = ui_px(m, 48), bh = ui_px(m, 128);

    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    ui_button_init(&s->done);
    snprintf(s->done.title, sizeof(s->done.title), "%s", i18n_get(m->lang, I18N_DONE));
    s->done.title_px = ui_font(m, 52);
    s->done.radius = bh / 2;
    s->done.unit100 = ui_px(m, 100);
    s->done.bg = ui_fill_press(m, s->done.bg); /* high contrast (issue 8.6) */
    s->done.fg = ui_ink_press(m, s->done.fg);
    if(ui_landscape(m)) {
        int cw = (m->w - 3 * pad) * 56 / 100;
        s->card = gfx_rect(pad, body.y + pad, cw, body.h - 2 * pad);
        s->side = gfx_rect(2 * pad + cw, body.y + pad, m->w - 3 * pad - cw,
                           body.h - 2 * pad - bh - ui_px(m, 50));
        s->done.rect = gfx_rect(s->side.x, body.y + body.h - pad - bh, s->side.w, bh);
    } else {
        int ch = body.h * 42 / 100;
        s->card = gfx_rect(pad, body.y + pad, m->w - 2 * pad, ch);
        s->side = gfx_rect(pad, s->card.y + ch + ui_px(m, 32), m->w - 2 * pad,
                           body.h - ch - 2 * pad - bh - ui_px(m, 80));
        s->done.rect = gfx_rect(pad + ui_px(m, 140), body.y + body.h - pad - bh,
                                m->w - 2 * pad - ui_px(m, 280), bh);
    }
    if(!m->submit.qr_url[0] || ui_qr_set(&s->qr, m->submit.qr_url) != HK_OK)
        s->qr.modules = 0; /* no QR rather than a wrong one */
}

static bool update(void *p, const ui_model_t *m)
{
    scr_submit_done_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static int put(gfx_t *g, bool draw, gfx_weight_t wt, int px, uint32_t col, gfx_rect_t box,
               int lines, const char *text)
{
    return ui_label_put(g, draw, wt, px, gfx_rgb(col), box, UI_ALIGN_CENTER, lines, text);
}

/* The card's text from y0 (measured once, then drawn centred). */
static int card_content(const scr_submit_done_t *s, gfx_t *g, int y0, bool draw)
{
    const ui_model_t *m = &s->base.m;
    const ui_submit_view_t *v = &m->submit;
    gfx_rect_t c = s->card;
    int pad = ui_px(m, 40), y = y0, w = c.w - 2 * pad, rpx = ui_font(m, 92);

    y += put(g, draw, GFX_BOLD, ui_font(m, 50), ui_ink(m, UI_COL_OK),
             gfx_rect(c.x + pad, y, w, c.h), 2, i18n_get(m->lang, I18N_SUBMIT_DONE_TITLE));
    y += ui_px(m, 28);
    y += put(g, draw, GFX_REGULAR, ui_font(m, 36), ui_ink(m, UI_COL_MUTED),
             gfx_rect(c.x + pad, y, w, c.h), 1, i18n_get(m->lang, I18N_SUBMIT_DONE_REF));
    while(rpx > ui_font(m, 40) && ui_label_width(s->base.g, GFX_BOLD, rpx, v->ref) > w)
        rpx = rpx * 9 / 10;
    y += put(g, draw, GFX_BOLD, rpx, ui_ink(m, UI_COL_SUBMIT), gfx_rect(c.x + pad, y, w, c.h), 1,
             v->ref);
    y += ui_px(m, 24);
    y += put(g, draw, GFX_REGULAR, ui_font(m, 36), ui_ink(m, UI_COL_MUTED),
             gfx_rect(c.x + pad, y, w, c.h), 1, i18n_get(m->lang, I18N_SUBMIT_DONE_PHONE));
    y += put(g, draw, GFX_BOLD, ui_font(m, 60), ui_ink(m, UI_COL_TEXT),
             gfx_rect(c.x + pad, y, w, c.h), 1, v->phone_masked);
    y += ui_px(m, 24);
    y += put(g, draw, GFX_REGULAR, ui_font(m, 32), ui_ink(m, UI_COL_MUTED),
             gfx_rect(c.x + pad, y, w, c.h), 3, i18n_get(m->lang, I18N_SUBMIT_DONE_KEEP));
    return y - y0;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_submit_done_t *s = p;
    const ui_model_t *m = &s->base.m;
    const ui_submit_view_t *v = &m->submit;
    int h, qs, y;
    i18n_key_t pk;

    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    gfx_fill_round_rect(g, s->card, ui_px(m, 36), gfx_rgb(ui_fill(m, UI_COL_CARD)));
    h = card_content(s, g, 0, false);
    card_content(s, g, s->card.y + (s->card.h - h) / 2, true);
    /* the QR code with its caption, then the printer's state */
    y = s->side.y;
    qs = s->side.h - ui_label_line_h(ui_font(m, 34)) * 2 - ui_px(m, 40);
    if(qs > ui_px(m, 420))
        qs = ui_px(m, 420);
    if(qs > s->side.w)
        qs = s->side.w;
    if(s->qr.modules > 0 && qs > 0) {
        ui_qr_draw(&s->qr, g, s->side.x + (s->side.w - qs) / 2, y, qs);
        y += qs + ui_px(m, 12);
        y += ui_label_draw(g, GFX_REGULAR, ui_font(m, 34), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                           gfx_rect(s->side.x, y, s->side.w, s->side.h), UI_ALIGN_CENTER, 1,
                           i18n_get(m->lang, I18N_SUBMIT_DONE_SCAN));
    }
    pk = v->print_state == UI_PRINT_PENDING ? I18N_PRINTING
         : v->print_state == UI_PRINT_DONE  ? I18N_PRINTED
         : v->print_state == UI_PRINT_FAULT ? I18N_PRINT_FAULT
                                            : I18N_NO_PRINTER;
    ui_label_draw(g, v->print_state == UI_PRINT_FAULT ? GFX_BOLD : GFX_REGULAR, ui_font(m, 32),
                  gfx_rgb(ui_ink(m, v->print_state == UI_PRINT_FAULT ? UI_COL_WARN : UI_COL_MUTED)),
                  gfx_rect(s->side.x, y + ui_px(m, 8), s->side.w, s->side.h), UI_ALIGN_CENTER, 2,
                  i18n_get(m->lang, pk));
    ui_button_draw(&s->done, g);
}

static const scr_ops_t ops = {
    "submit_done", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_submit_done_ops(void)
{
    return &ops;
}
