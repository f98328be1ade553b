/*
 * ticket: the confirmation. Shown only after the ticket is committed, so
 * everything here is already true: the big number, the service, people
 * ahead, the estimate (labelled as one), issue time, a QR code to follow
 * the queue, and what the printer did. Returns home on Done or timeout.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "button.h"
#include "chrome.h"
#include "label.h"
#include "qr.h"
#include "ticket_print.h"

typedef struct scr_ticket {
    scr_base_t base;
    ui_button_t done;
    ui_qr_t qr;
    gfx_rect_t card;
    gfx_rect_t side; /* QR + status column (landscape) or block (portrait) */
} scr_ticket_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_ticket_t), g, out);
}

static void enter(void *p)
{
    scr_ticket_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    s->done.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_ticket_t *s = p;
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

static void layout(scr_ticket_t *s)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body;
    int pad = ui_px(m, 48), bh = ui_px(m, 128);
    char url[CONFIG_PATH_LEN + 32];

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
        int cw = (m->w - 3 * pad) * 58 / 100;
        s->card = gfx_rect(pad, body.y + pad, cw, body.h - 2 * pad);
        s->side = gfx_rect(2 * pad + cw, body.y + pad, m->w - 3 * pad - cw,
                           body.h - 2 * pad - bh - ui_px(m, 70));
        s->done.rect =
            gfx_rect(s->side.x, body.y + body.h - pad - bh - ui_px(m, 50), s->side.w, bh);
    } else {
        int ch = body.h * 50 / 100;
        s->card = gfx_rect(pad, body.y + pad, m->w - 2 * pad, ch);
        s->side = gfx_rect(pad, s->card.y + ch + ui_px(m, 32), m->w - 2 * pad,
                           body.h - ch - 2 * pad - bh - ui_px(m, 110));
        s->done.rect = gfx_rect(pad + ui_px(m, 140), body.y + body.h - pad - bh - ui_px(m, 50),
                                m->w - 2 * pad - ui_px(m, 280), bh);
    }
    if(m->has_ticket) {
        ticket_print_url(m->cfg, &m->ticket, url, sizeof(url));
        if(ui_qr_set(&s->qr, url) != HK_OK)
            s->qr.modules = 0; /* no QR rather than a wrong one */
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_ticket_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

/* base grown with the card's spare height: a 4:3 or 5:4 landscape panel
 * has up to half as much again as 16:9, and the number and the QR code
 * should use it rather than leave it blank (at most 1.4x). */
static int room(const ui_model_t *m, gfx_rect_t card, int base)
{
    int ref = ui_px(m, ui_landscape(m) ? 834 : 885); /* the card on a 16:9 / 9:16 panel */
    int grown = ref > 0 ? (int)((long)base * card.h / ref) : base;

    if(grown < base)
        return base;
    return grown > base * 14 / 10 ? base * 14 / 10 : grown;
}

/* One centred line block, drawn or only measured. */
static int put(gfx_t *g, bool draw, gfx_weight_t wt, int px, uint32_t col, gfx_rect_t box,
               int lines, const char *text)
{
    return ui_label_put(g, draw, wt, px, gfx_rgb(col), box, UI_ALIGN_CENTER, lines, text);
}

/* The card's content from y; returns its height. Run once to measure and
 * once to draw, so the block sits centered whatever lines it has. */
static int card_content(const scr_ticket_t *s, gfx_t *g, int y0, bool draw)
{
    const ui_model_t *m = &s->base.m;
    const ticket_t *t = &m->ticket;
    int si = config_service_index(m->cfg, t->service_id);
    const config_service_t *svc = si >= 0 ? &m->cfg->services[si] : NULL;
    gfx_rect_t c = s->card;
    int pad = ui_px(m, 40), y = y0, npx, w = c.w - 2 * pad;
    char buf[192], when[64];

    y += put(g, draw, GFX_REGULAR, ui_font(m, 40), ui_ink(m, UI_COL_MUTED),
             gfx_rect(c.x + pad, y, w, c.h), 1, i18n_get(m->lang, I18N_YOUR_NUMBER));
    /* The number is the one thing to remember: as big as the card allows. */
    npx = room(m, s->card, ui_px(m, ui_landscape(m) ? 230 : 250));
    y += put(g, draw, GFX_BOLD, npx, ui_ink(m, svc && svc->vip ? UI_COL_VIP : UI_COL_BRAND),
             gfx_rect(c.x + pad, y - npx / 10, w, npx * 2), 1, t->number) -
         npx / 6;
    if(svc)
        y += put(g, draw, GFX_BOLD, ui_font(m, 52), ui_ink(m, UI_COL_TEXT),
                 gfx_rect(c.x + pad, y, w, c.h), 1,
                 m->lang == I18N_EN ? svc->name_en : svc->name_zh);
    y += ui_px(m, 24);
    if(draw)
        gfx_fill_rect(g, gfx_rect(c.x + pad, y, w, ui_px(m, 2)), gfx_rgb(ui_fill(m, UI_COL_LINE)));
    y += ui_px(m, 28);
    if(t->ahead_quoted > 0)
        i18n_format_int(buf, sizeof(buf), m->lang, I18N_AHEAD_D, t->ahead_quoted);
    else
        snprintf(buf, sizeof(buf), "%s", i18n_get(m->lang, I18N_AHEAD_NONE));
    if(!t->device_id[0]) /* a number from the kiosk's own block: the line is not known */
        y += put(g, draw, GFX_BOLD, ui_font(m, 46), ui_ink(m, UI_COL_TEXT),
                 gfx_rect(c.x + pad, y, w, c.h), 2, buf);
    if(t->est_wait_s_quoted >= 0 && t->ahead_quoted > 0)
        i18n_format_int(buf, sizeof(buf), m->lang, I18N_EST_WAIT_D,
                        (t->est_wait_s_quoted + 59) / 60);
    else if(t->est_wait_s_quoted < 0)
        snprintf(buf, sizeof(buf), "%s", i18n_get(m->lang, I18N_EST_NONE));
    else
        buf[0] = '\0';
    if(buf[0]) {
        y += ui_px(m, 6);
        y += put(g, draw, GFX_REGULAR, ui_font(m, 40), ui_ink(m, UI_COL_TEXT),
                 gfx_rect(c.x + pad, y, w, c.h), 2, buf);
        if(t->est_wait_s_quoted >= 0)
            y += put(g, draw, GFX_REGULAR, ui_font(m, 30), ui_ink(m, UI_COL_MUTED),
                     gfx_rect(c.x + pad, y, w, c.h), 1, i18n_get(m->lang, I18N_EST_NOTE));
    }
    ticket_print_issued_text(m->cfg, t, when, sizeof(when));
    i18n_format(buf, sizeof(buf), m->lang, I18N_ISSUED_AT_S, when);
    y += ui_px(m, 12);
    y += put(g, draw, GFX_REGULAR, ui_font(m, 30), ui_ink(m, UI_COL_MUTED),
             gfx_rect(c.x + pad, y, w, c.h), 1, buf);
    return y - y0;
}

static void draw_card(const scr_ticket_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    int si = config_service_index(m->cfg, m->ticket.service_id);
    bool vip = si >= 0 && m->cfg->services[si].vip;
    gfx_rect_t c = s->card;
    int bar = ui_px(m, 16), h;

    /* accent colour along the top edge, white card below */
    /* the accent only as tall as the white card's top corners: a full-size
     * one would fringe the white card's bottom corners with its edge */
    gfx_fill_round_rect(g, gfx_rect(c.x, c.y, c.w, bar + 2 * ui_px(m, 36)), ui_px(m, 36),
                        gfx_rgb(ui_fill(m, vip ? UI_COL_VIP : UI_COL_TAKE)));
    gfx_fill_round_rect(g, gfx_rect(c.x, c.y + bar, c.w, c.h - bar), ui_px(m, 36),
                        gfx_rgb(ui_fill(m, UI_COL_CARD)));
    h = card_content(s, g, 0, false);
    card_content(s, g, c.y + bar + (c.h - bar - h) / 2, true);
}

static void draw_side(const scr_ticket_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t r = s->side;
    int qs = room(m, s->card, ui_px(m, 260)), y = r.y, tx, tw;
    uint32_t col = UI_COL_TAKE;
    i18n_key_t k1 = I18N_PRINTING, k2 = I18N_WATCH_DISPLAY;
    int spx = ui_font(m, 38);
    gfx_rect_t banner;
    int bh;

    switch(m->print_state) {
    case UI_PRINT_NONE:
        col = UI_COL_MUTED;
        k1 = I18N_NO_PRINTER;
        break;
    case UI_PRINT_PENDING:
        col = UI_COL_TAKE;
        k1 = I18N_PRINTING;
        break;
    case UI_PRINT_DONE:
        col = UI_COL_OK;
        k1 = I18N_PRINTED;
        break;
    case UI_PRINT_FAULT:
        col = UI_COL_WARN;
        k1 = I18N_PRINT_FAULT;
        k2 = I18N_PRINT_FAULT_STAFF;
        break;
    }
    /* status banner */
    bh = ui_label_measure(g, GFX_BOLD, spx, r.w - ui_px(m, 80), 3, i18n_get(m->lang, k1), NULL) +
         ui_label_measure(g, GFX_REGULAR, ui_font(m, 30), r.w - ui_px(m, 80), 2,
                          i18n_get(m->lang, k2), NULL) +
         ui_px(m, 56);
    banner = gfx_rect(r.x, y, r.w, bh);
    gfx_fill_round_rect(g, banner, ui_px(m, 28), gfx_rgb(ui_fill(m, col)));
    {
        int by = y + ui_px(m, 26);
        gfx_color_t soft = gfx_rgb(ui_ink(m, UI_COL_WHITE));
        soft.a = 225;
        by += ui_label_draw(g, GFX_BOLD, spx, gfx_rgb(ui_ink(m, UI_COL_WHITE)),
                            gfx_rect(r.x + ui_px(m, 40), by, r.w - ui_px(m, 80), bh),
                            UI_ALIGN_CENTER, 3, i18n_get(m->lang, k1));
        ui_label_draw(g, GFX_REGULAR, ui_font(m, 30), soft,
                      gfx_rect(r.x + ui_px(m, 40), by, r.w - ui_px(m, 80), bh), UI_ALIGN_CENTER, 2,
                      i18n_get(m->lang, k2));
    }
    y += bh + ui_px(m, 32);
    /* QR with its caption */
    if(s->qr.modules) {
        int avail = r.y + r.h - y;
        if(qs > r.w / 2)
            qs = r.w / 2;
        if(qs > avail - ui_px(m, 20))
            qs = avail - ui_px(m, 20);
        if(qs < ui_px(m, 140))
            return;
        gfx_fill_round_rect(g, gfx_rect(r.x, y, r.w, qs + ui_px(m, 40)), ui_px(m, 28),
                            gfx_rgb(ui_fill(m, UI_COL_CARD)));
        ui_qr_draw(&s->qr, g, r.x + ui_px(m, 20), y + ui_px(m, 20), qs);
        tx = r.x + qs + ui_px(m, 50);
        tw = r.w - qs - ui_px(m, 80);
        ui_label_draw(
            g, GFX_BOLD, ui_font(m, 38), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
            gfx_rect(tx, y + (qs + ui_px(m, 40)) / 2 - ui_label_line_h(ui_font(m, 38)), tw, qs),
            UI_ALIGN_LEFT, 3, i18n_get(m->lang, I18N_SCAN_QR));
    }
}

static void draw(const void *p, gfx_t *g)
{
    const scr_ticket_t *s = p;
    const ui_model_t *m = &s->base.m;
    char buf[96];

    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    if(!m->has_ticket)
        return;
    draw_card(s, g);
    draw_side(s, g);
    ui_button_draw(&s->done, g);
    i18n_format_int(buf, sizeof(buf), m->lang, I18N_AUTO_RETURN_D, m->countdown_s);
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 30), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                  gfx_rect(s->done.rect.x, s->done.rect.y + s->done.rect.h + ui_px(m, 12),
                           s->done.rect.w, ui_px(m, 60)),
                  UI_ALIGN_CENTER, 1, buf);
}

static const scr_ops_t ops = { "ticket", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_ticket_ops(void)
{
    return &ops;
}
