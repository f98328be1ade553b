/*
 * services: choose the service to queue for. One card per service with
 * its letter, name, one-line description, and either how many wait and
 * the estimate, or, when closed now, "closed" with its hours. A closed
 * card still answers a touch (with a dialog saying when it opens) rather
 * than ignoring the customer.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

typedef struct scr_services {
    scr_base_t base;
    int n;
    ui_button_t cards[CONFIG_MAX_SERVICES];
    gfx_rect_t title_box;
} scr_services_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_services_t), g, out);
}

static void enter(void *p)
{
    scr_services_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < s->n; i++)
        s->cards[i].pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_services_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    for(i = 0; i < s->n; i++)
        if(ui_button_handle(&s->cards[i], ev, &changed)) {
            in.kind = s->base.m.svc[i].open ? INTENT_TAKE_NUMBER : INTENT_SERVICE_CLOSED;
            in.arg = i;
            return in;
        }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_services_t *s)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body;
    int pad = ui_px(m, 48), gap = ui_px(m, 24), cols = ui_landscape(m) ? 2 : 1;
    int rows, i, ch, cw, title_h;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    body = ui_chrome_body(&s->base.chrome, m);
    title_h = ui_label_line_h(ui_font(m, 60)) + ui_label_line_h(ui_font(m, 32)) + ui_px(m, 56);
    s->title_box = gfx_rect(pad, body.y + ui_px(m, 36), m->w - 2 * pad, title_h);
    s->n = m->cfg->n_services;
    rows = (s->n + cols - 1) / cols;
    if(rows < 1)
        rows = 1;
    body.y = s->title_box.y + title_h;
    body.h = m->h - s->base.chrome.footer_h - ui_px(m, 24) - body.y;
    cw = (m->w - 2 * pad - (cols - 1) * gap) / cols;
    ch = (body.h - (rows - 1) * gap) / rows;
    /* a taller panel (4:3, 5:4) gives the cards more room, up to a point
     * where they would look empty */
    if(ch > ui_px(m, m->large ? 330 : 300))
        ch = ui_px(m, m->large ? 330 : 300);
    for(i = 0; i < s->n; i++) {
        ui_button_t *b = &s->cards[i];
        int r = i / cols, c = i % cols;
        ui_button_init(b);
        b->rect = gfx_rect(pad + c * (cw + gap), body.y + r * (ch + gap), cw, ch);
        b->radius = ui_px(m, 28);
        b->bg = m->svc[i].open ? UI_COL_CARD : 0xE6EAEF;
        b->unit100 = ui_px(m, 100);
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_services_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw_card(const scr_services_t *s, int i, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const config_service_t *svc = &m->cfg->services[i];
    const ui_service_view_t *v = &m->svc[i];
    const ui_button_t *b = &s->cards[i];
    gfx_rect_t r = b->rect;
    int pad = ui_px(m, 32), d = r.h - 2 * ui_px(m, 34), x, tw, status_w, npx, dpx, spx;
    uint32_t badge = !v->open ? UI_COL_DISABLED : svc->vip ? UI_COL_VIP : UI_COL_TAKE;
    char letter[2] = { svc->prefix, 0 }, line1[96], line2[96];
    const char *name = m->lang == I18N_EN ? svc->name_en : svc->name_zh;
    const char *desc = m->lang == I18N_EN ? svc->desc_en : svc->desc_zh;
    int text_h, y;

    if(d > ui_px(m, m->large ? 100 : 130))
        d = ui_px(m, m->large ? 100 : 130);
    if(m->large)
        desc = ""; /* large text: the name matters, the detail is on the ticket */
    if(b->pressed)
        r.y += ui_button_unit(b, 4); /* as ui_button_opaque_rect() assumes */
    /* shadow: only the band below the card shows, so fill only that */
    gfx_fill_round_rect(g,
                        gfx_rect(r.x, r.y + r.h - 2 * b->radius, r.w, 2 * b->radius + ui_px(m, 4)),
                        b->radius, gfx_rgb(ui_fill(m, 0xE1E6EC)));
    if(m->contrast) /* high contrast (issue 8.6): the card's edge, as the FAQ's cards */
        scr_faq_card(g, m, r, b->radius, b->pressed);
    else
        gfx_fill_round_rect(g, r, b->radius, gfx_rgb(b->pressed ? 0xE3ECF7 : b->bg));
    gfx_fill_round_rect(g, gfx_rect(r.x + pad, r.y + (r.h - d) / 2, d, d), d / 2,
                        gfx_rgb(ui_fill(m, badge)));
    {
        int lpx = d * 55 / 100, lw = ui_label_width(g, GFX_BOLD, lpx, letter);
        gfx_draw_text(g, GFX_BOLD, lpx,
                      gfx_rgb(m->contrast && !v->open ? 0xFFFFFFu : ui_ink(m, UI_COL_WHITE)),
                      r.x + pad + (d - lw) / 2, r.y + (r.h - lpx * 145 / 100) / 2, letter, 1);
    }
    x = r.x + pad + d + pad;
    npx = ui_font(m, 46);
    dpx = ui_font(m, 28);
    spx = ui_font(m, 34);

    /* right column: status */
    if(!v->open) {
        char hours[32];
        snprintf(line1, sizeof(line1), "%s", i18n_get(m->lang, I18N_SVC_CLOSED));
        if(v->today.open_min >= 0) {
            ui_span_text(v->today, hours, sizeof(hours));
            snprintf(line2, sizeof(line2), "%s", hours);
        } else {
            snprintf(line2, sizeof(line2), "%s", i18n_get(m->lang, I18N_CLOSED_TODAY));
        }
    } else {
        i18n_format_int(line1, sizeof(line1), m->lang, I18N_SVC_WAITING_D, v->waiting);
        if(v->est_wait_s < 0)
            snprintf(line2, sizeof(line2), "%s", i18n_get(m->lang, I18N_SVC_NO_COUNTER));
        else if(v->waiting == 0)
            snprintf(line2, sizeof(line2), "%s", i18n_get(m->lang, I18N_SVC_NO_WAIT));
        else
            i18n_format_int(line2, sizeof(line2), m->lang, I18N_SVC_EST_D,
                            (v->est_wait_s + 59) / 60);
    }
    status_w = ui_label_width(g, GFX_BOLD, spx, line1);
    {
        int w2 = ui_label_width(g, GFX_REGULAR, dpx, line2);
        if(w2 > status_w)
            status_w = w2;
    }
    if(status_w > r.w / 3)
        status_w = r.w / 3;
    {
        int sy = r.y + (r.h - ui_label_line_h(spx) - ui_label_line_h(dpx)) / 2;
        gfx_rect_t sb = gfx_rect(r.x + r.w - pad - status_w, sy, status_w, r.h);
        sy +=
            ui_label_draw(g, GFX_BOLD, spx, gfx_rgb(ui_ink(m, v->open ? UI_COL_TAKE : UI_COL_WARN)),
                          sb, UI_ALIGN_RIGHT, 1, line1);
        sb.y = sy;
        ui_label_draw(g, GFX_REGULAR, dpx, gfx_rgb(ui_ink(m, UI_COL_MUTED)), sb, UI_ALIGN_RIGHT, 1,
                      line2);
    }

    /* middle: name (+ VIP tag) and description */
    tw = r.x + r.w - pad - status_w - pad - x;
    {
        /* name: two lines when there is no description under it; the
         * description gets a second line when the card has room */
        int name_lines = (!desc[0] && r.h >= 2 * ui_label_line_h(npx) + ui_px(m, 24)) ? 2 : 1;
        /* a one-line name that does not fit steps down to the normal size
         * before it is cut */
        while(name_lines == 1 && npx > ui_px(m, 46) && ui_label_width(g, GFX_BOLD, npx, name) > tw)
            npx -= 2;
        int name_h = ui_label_measure(g, GFX_BOLD, npx, tw, name_lines, name, NULL);
        int desc_lines = (r.h - 2 * ui_px(m, 20) - name_h) >= 2 * ui_label_line_h(dpx) ? 2 : 1;
        int desc_h =
            desc[0] ? ui_label_measure(g, GFX_REGULAR, dpx, tw, desc_lines, desc, NULL) : 0;
        text_h = name_h + desc_h;
        y = r.y + (r.h - text_h) / 2;
        ui_label_draw(g, GFX_BOLD, npx,
                      gfx_rgb(ui_ink(m, v->open ? UI_COL_TEXT : UI_COL_DISABLED_TX)),
                      gfx_rect(x, y, tw, name_h), UI_ALIGN_LEFT, name_lines, name);
        if(desc[0])
            ui_label_draw(g, GFX_REGULAR, dpx, gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                          gfx_rect(x, y + name_h, tw, desc_h), UI_ALIGN_LEFT, desc_lines, desc);
    }
    if(svc->vip) {
        int nw = ui_label_width(g, GFX_BOLD, npx, name), tpx = ui_font(m, 26);
        const char *tag = i18n_get(m->lang, I18N_VIP_TAG);
        int tgw = ui_label_width(g, GFX_BOLD, tpx, tag) + ui_px(m, 28);
        if(nw + ui_px(m, 16) + tgw < tw) {
            int ty = y + (ui_label_line_h(npx) - tpx * 16 / 10) / 2;
            gfx_fill_round_rect(g, gfx_rect(x + nw + ui_px(m, 16), ty, tgw, tpx * 16 / 10),
                                tpx * 8 / 10, gfx_rgb(ui_fill(m, UI_COL_VIP)));
            ui_label_draw(g, GFX_BOLD, tpx, gfx_rgb(ui_ink(m, UI_COL_WHITE)),
                          gfx_rect(x + nw + ui_px(m, 16),
                                   ty + (tpx * 16 / 10 - ui_label_line_h(tpx)) / 2, tgw, tpx * 2),
                          UI_ALIGN_CENTER, 1, tag);
        }
    }
}

static void draw(const void *p, gfx_t *g)
{
    const scr_services_t *s = p;
    const ui_model_t *m = &s->base.m;
    int i, y;
    gfx_rect_t holes[CONFIG_MAX_SERVICES];

    /* the cards' opaque middles are painted anyway: no background there */
    for(i = 0; i < s->n; i++)
        holes[i] = ui_button_opaque_rect(&s->cards[i]);
    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), holes, s->n);
    ui_chrome_draw(&s->base.chrome, m, g);
    y = s->title_box.y;
    y += ui_label_draw(g, GFX_BOLD, ui_font(m, 60), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                       gfx_rect(s->title_box.x, y, s->title_box.w, s->title_box.h), UI_ALIGN_LEFT,
                       1, i18n_get(m->lang, I18N_CHOOSE_SERVICE));
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 32), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                  gfx_rect(s->title_box.x, y + ui_px(m, 6), s->title_box.w, s->title_box.h),
                  UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_CHOOSE_SERVICE_SUB));
    for(i = 0; i < s->n; i++)
        draw_card(s, i, g);
}

static const scr_ops_t ops = { "services", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_services_ops(void)
{
    return &ops;
}
