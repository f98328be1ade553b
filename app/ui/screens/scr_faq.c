/*
 * scr_faq: what the triage and FAQ screens share (FAQ/triage, issue 8):
 * content icons, a service's current wait in words, the pager and the
 * card look of the theme.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "label.h"

/* Icon names (the content's "icon" field) and the glyph drawn for each;
 * names are matched whole, then by their first word ("bill-pay" -> bill).
 * "signal" and "doc" are drawn with rectangles. Only glyphs Noto Sans CJK
 * has. */
static const struct {
    const char *name, *glyph;
} icons[] = {
    { "bill", "¥" },        { "payment", "¥" },       { "pay", "¥" },      { "topup", "＋" },
    { "recharge", "＋" },   { "data", "↑" },          { "plan", "≡" },     { "sim", "卡" },
    { "lost", "卡" },       { "phone", "☎" },         { "call", "☎" },     { "realname", "证" },
    { "id", "证" },         { "port", "⇄" },          { "transfer", "⇄" }, { "broadband", "网" },
    { "wifi", "网" },       { "5g", "5G" },           { "coverage", "▲" }, { "roaming", "◎" },
    { "travel", "◎" },      { "cancel", "✂" },        { "vas", "✂" },      { "invoice", "票" },
    { "receipt", "票" },    { "complaint", "！" },    { "report", "！" },  { "fault", "⚠" },
    { "elderly", "★" },     { "accessibility", "★" }, { "care", "★" },     { "other", "？" },
    { "help", "？" },       { "question", "？" },     { "service", "☆" },  { "device", "☎" },
    { "new-number", "号" }, { "globe", "◎" },         { "account", "户" }, { "id-card", "证" },
};

static const char *glyph_of(const char *name)
{
    char first[FAQ_ID_MAX];
    size_t i, n = strcspn(name, "-_");

    for(i = 0; i < sizeof(icons) / sizeof(icons[0]); i++)
        if(!strcmp(icons[i].name, name))
            return icons[i].glyph;
    if(n >= sizeof(first))
        n = sizeof(first) - 1;
    memcpy(first, name, n);
    first[n] = '\0';
    for(i = 0; i < sizeof(icons) / sizeof(icons[0]); i++)
        if(!strcmp(icons[i].name, first))
            return icons[i].glyph;
    return NULL;
}

void scr_faq_icon(gfx_t *g, const char *name, gfx_rect_t r, uint32_t bg, uint32_t fg)
{
    int d = r.w < r.h ? r.w : r.h;
    const char *glyph;

    gfx_fill_round_rect(g, gfx_rect(r.x, r.y, d, d), d / 2, gfx_rgb(bg));
    if(!strcmp(name, "signal")) {
        /* four rising bars */
        int bw = d / 10, gap = d / 16, base = r.y + d * 70 / 100,
            x = r.x + (d - 4 * bw - 3 * gap) / 2;
        int i;
        for(i = 0; i < 4; i++) {
            int h = d * (14 + 11 * i) / 100;
            gfx_fill_rect(g, gfx_rect(x + i * (bw + gap), base - h, bw, h), gfx_rgb(fg));
        }
        return;
    }
    glyph = glyph_of(name);
    if(!glyph)
        glyph = "？";
    {
        int px = strlen(glyph) == 2 ? d * 40 / 100 : d * 52 / 100, w = 0;
        gfx_text_size(g, GFX_BOLD, px, glyph, strlen(glyph), &w, NULL);
        gfx_draw_text(g, GFX_BOLD, px, gfx_rgb(fg), r.x + (d - w) / 2,
                      r.y + (d - px * 145 / 100) / 2, glyph, strlen(glyph));
    }
}

int scr_faq_service(const ui_model_t *m, const char *id)
{
    int i;

    for(i = 0; id && id[0] && i < m->cfg->n_services; i++)
        if(!strcmp(m->cfg->services[i].id, id))
            return i;
    return -1;
}

const char *scr_faq_service_name(const ui_model_t *m, int i)
{
    const config_service_t *s = &m->cfg->services[i];

    return m->lang == I18N_EN ? s->name_en : s->name_zh;
}

void scr_faq_wait_text(const ui_model_t *m, int i, char *buf, size_t size)
{
    const ui_service_view_t *v = &m->svc[i];
    char a[64], b[64];

    if(!v->open) {
        snprintf(buf, size, "%s", i18n_get(m->lang, I18N_SVC_CLOSED));
        return;
    }
    if(v->waiting == 0) {
        snprintf(buf, size, "%s", i18n_get(m->lang, I18N_SVC_NO_WAIT));
        return;
    }
    i18n_format_int(a, sizeof(a), m->lang, I18N_SVC_WAITING_D, v->waiting);
    if(v->est_wait_s < 0) {
        snprintf(buf, size, "%s", a);
        return;
    }
    i18n_format_int(b, sizeof(b), m->lang, I18N_SVC_EST_D, (v->est_wait_s + 59) / 60);
    snprintf(buf, size, "%s · %s", a, b);
}

const char *scr_faq_still_service(const ui_model_t *m, const faq_article_t *a)
{
    const faq_content_t *c = m->faq.content;

    if(c && m->faq.via_need >= 0 && m->faq.via_need < c->n_needs &&
       c->needs[m->faq.via_need].fallback.kind == TRIAGE_QUEUE)
        return c->needs[m->faq.via_need].fallback.target;
    return a->service;
}

void scr_faq_card(gfx_t *g, const ui_model_t *m, gfx_rect_t r, int radius, bool pressed)
{
    const ui_theme_t *t = ui_theme(m);
    int lw = ui_px(m, 4) > 2 ? ui_px(m, 4) : 2;

    if(pressed)
        r.y += ui_px(m, 4);
    if(t->outline) {
        gfx_fill_round_rect(g, r, radius, gfx_rgb(pressed ? t->brand : t->line));
        gfx_fill_round_rect(g, gfx_rect(r.x + lw, r.y + lw, r.w - 2 * lw, r.h - 2 * lw),
                            radius - lw > 0 ? radius - lw : 0,
                            gfx_rgb(pressed ? t->pressed : t->card));
        return;
    }
    if(!pressed)
        gfx_fill_round_rect(g, gfx_rect(r.x, r.y + r.h - 2 * radius, r.w, 2 * radius + ui_px(m, 4)),
                            radius, gfx_rgb(t->shadow));
    gfx_fill_round_rect(g, r, radius, gfx_rgb(pressed ? t->pressed : t->card));
}

/* ---- pager ---------------------------------------------------------------- */

void scr_pager_layout(scr_pager_t *p, gfx_t *g, const ui_model_t *m, gfx_rect_t box, int page,
                      int pages)
{
    const ui_theme_t *t = ui_theme(m);
    int bw = ui_px(m, m->large ? 300 : 260), bh = box.h;
    ui_button_t *b[2] = { &p->prev, &p->next };
    int i;

    p->box = box;
    p->page = page;
    p->pages = pages;
    for(i = 0; i < 2; i++) {
        ui_button_init(b[i]);
        snprintf(b[i]->title, sizeof(b[i]->title), "%s",
                 i18n_get(m->lang, i == 0 ? I18N_FAQ_PAGE_PREV : I18N_FAQ_PAGE_NEXT));
        b[i]->title_px = ui_font(m, 38);
        b[i]->radius = bh / 2;
        b[i]->bg = t->brand;
        b[i]->fg = t->on_brand;
        b[i]->unit100 = ui_px(m, 100);
    }
    for(i = 0; i < 2; i++) {
        /* wide enough for the word inside the round ends */
        int need = ui_label_width(g, GFX_BOLD, b[i]->title_px, b[i]->title) + bh + ui_px(m, 24);
        if(need > bw)
            bw = need;
    }
    p->prev.rect = gfx_rect(box.x, box.y, bw, bh);
    p->next.rect = gfx_rect(box.x + box.w - bw, box.y, bw, bh);
    p->prev.enabled = page > 0;
    p->next.enabled = page + 1 < pages;
}

ui_intent_t scr_pager_handle(scr_pager_t *p, const display_event_t *ev)
{
    ui_intent_t in = { 0 };
    bool changed = false;

    if(p->pages <= 1)
        return in;
    if(ui_button_handle(&p->prev, ev, &changed)) {
        in.kind = INTENT_FAQ_PAGE;
        in.arg = p->page - 1;
    } else if(ui_button_handle(&p->next, ev, &changed)) {
        in.kind = INTENT_FAQ_PAGE;
        in.arg = p->page + 1;
    } else if(changed) {
        in.kind = INTENT_REDRAW;
    }
    return in;
}

void scr_pager_draw(const scr_pager_t *p, const ui_model_t *m, gfx_t *g)
{
    char buf[32];
    int px = ui_font(m, 38);

    if(p->pages <= 1)
        return;
    /* no way back on the first page, none on from the last: not shown */
    if(p->prev.enabled)
        ui_button_draw(&p->prev, g);
    if(p->next.enabled)
        ui_button_draw(&p->next, g);
    snprintf(buf, sizeof(buf), "%d / %d", p->page + 1, p->pages);
    ui_label_draw(g, GFX_BOLD, px, gfx_rgb(ui_theme(m)->text),
                  gfx_rect(p->box.x, p->box.y + (p->box.h - ui_label_line_h(px)) / 2, p->box.w,
                           ui_label_line_h(px)),
                  UI_ALIGN_CENTER, 1, buf);
}
