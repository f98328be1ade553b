/*
 * faq_list: the FAQ's front (FAQ/triage, issue 8). A search field on top
 * (a tap opens the on-screen keyboard: INTENT_FAQ_SEARCH; what is typed
 * arrives through the kiosk as m->faq.query and the ranked m->faq.hits),
 * and under it one of three lists (m->faq.mode): the categories as cards,
 * one category's questions, or the search results, best first. Lists that
 * do not fit page (large text pages sooner: bigger rows, fewer per page).
 * While the keyboard is open the list ends above it (m->kb_h).
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

#define MAX_ITEMS 32

typedef struct scr_faq_list {
    scr_base_t base;
    gfx_rect_t title_box;
    ui_button_t search;     /* the field */
    ui_button_t clear;      /* empties the query (shown when there is one) */
    ui_button_t all_topics; /* CATEGORY: back to the categories */
    gfx_rect_t section;     /* the line under the field */
    int n;                  /* items on this page */
    int item[MAX_ITEMS];    /* category or article index */
    ui_button_t cards[MAX_ITEMS];
    int total; /* items in the whole list */
    scr_pager_t pager;
} scr_faq_list_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_faq_list_t), g, out);
}

static void enter(void *p)
{
    scr_faq_list_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < MAX_ITEMS; i++)
        s->cards[i].pressed = false;
    s->search.pressed = s->clear.pressed = s->all_topics.pressed = false;
    s->pager.prev.pressed = s->pager.next.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_faq_list_t *s = p;
    const ui_model_t *m = &s->base.m;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(!m->faq.content)
        return in;
    in = scr_pager_handle(&s->pager, ev);
    if(in.kind == INTENT_FAQ_PAGE)
        return in;
    changed = changed || in.kind == INTENT_REDRAW;
    memset(&in, 0, sizeof(in));
    if(m->faq.query[0] && ui_button_handle(&s->clear, ev, &changed)) {
        in.kind = INTENT_TEXT_CLEAR;
        return in;
    }
    if(ui_button_handle(&s->search, ev, &changed)) {
        in.kind = INTENT_FAQ_SEARCH;
        return in;
    }
    if(m->faq.mode == UI_FAQ_CATEGORY && ui_button_handle(&s->all_topics, ev, &changed)) {
        in.kind = INTENT_FAQ_CATEGORY;
        in.arg = -1;
        return in;
    }
    for(i = 0; i < s->n; i++)
        if(ui_button_handle(&s->cards[i], ev, &changed)) {
            in.kind = m->faq.mode == UI_FAQ_CATEGORIES ? INTENT_FAQ_CATEGORY : INTENT_FAQ_ARTICLE;
            in.arg = s->item[i];
            return in;
        }
    in.kind = changed ? INTENT_REDRAW : INTENT_NONE;
    return in;
}

/* The list's items for page `page` of per_page into s->item; the total. */
static int collect(scr_faq_list_t *s, int first, int per_page)
{
    const ui_model_t *m = &s->base.m;
    const faq_content_t *c = m->faq.content;
    int i, k = 0;

    s->n = 0;
    switch(m->faq.mode) {
    case UI_FAQ_CATEGORIES:
        for(i = 0; i < c->n_categories; i++, k++)
            if(k >= first && s->n < per_page)
                s->item[s->n++] = i;
        break;
    case UI_FAQ_CATEGORY:
        for(i = 0; i < c->n_articles; i++)
            if(c->articles[i].category == m->faq.category) {
                if(k >= first && s->n < per_page)
                    s->item[s->n++] = i;
                k++;
            }
        break;
    case UI_FAQ_SEARCH:
        for(i = 0; i < m->faq.n_hits; i++, k++)
            if(k >= first && s->n < per_page)
                s->item[s->n++] = m->faq.hits[i];
        break;
    }
    return k;
}

static void layout(scr_faq_list_t *s)
{
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    gfx_rect_t body;
    int pad = ui_px(m, 48), gap = ui_px(m, 24), title_h, fh, top, bottom, cols, rows, min_h;
    int per_page, pages, page, cw, ch, i, pager_h = ui_px(m, 110), sec_h;
    bool cats = m->faq.mode == UI_FAQ_CATEGORIES;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    body = ui_chrome_body(&s->base.chrome, m);
    title_h = ui_label_line_h(ui_font(m, 60)) + ui_px(m, 24);
    s->title_box = gfx_rect(pad, body.y + ui_px(m, 28), m->w - 2 * pad, title_h);
    fh = ui_px(m, m->large ? 136 : 120);
    ui_button_init(&s->search);
    if(ui_landscape(m)) {
        /* landscape: the title beside the field, so the list keeps its rows */
        int tw =
            ui_label_width(s->base.g, GFX_BOLD, ui_font(m, 60), i18n_get(m->lang, I18N_FAQ_TITLE)) +
            ui_px(m, 48);
        s->title_box.y += (fh - ui_label_line_h(ui_font(m, 60))) / 2;
        s->title_box.w = tw;
        s->search.rect = gfx_rect(pad + tw, body.y + ui_px(m, 28), m->w - 2 * pad - tw, fh);
    } else {
        s->search.rect = gfx_rect(pad, s->title_box.y + title_h, m->w - 2 * pad, fh);
    }
    s->search.radius = fh / 2;
    s->search.bg = t->card;
    s->search.unit100 = ui_px(m, 100);
    ui_button_init(&s->clear);
    snprintf(s->clear.title, sizeof(s->clear.title), "%s", i18n_get(m->lang, I18N_FAQ_CLEAR));
    s->clear.title_px = ui_font(m, 34);
    {
        int chh = fh - ui_px(m, 28);
        int cw2 = ui_label_width(s->base.g, GFX_BOLD, s->clear.title_px, s->clear.title) + chh +
                  ui_px(m, 32);
        s->clear.rect = gfx_rect(s->search.rect.x + s->search.rect.w - ui_px(m, 14) - cw2,
                                 s->search.rect.y + ui_px(m, 14), cw2, chh);
        s->clear.radius = chh / 2;
    }
    s->clear.bg = m->contrast ? t->brand : UI_COL_LINE;
    s->clear.fg = m->contrast ? t->on_brand : UI_COL_TEXT;
    s->clear.unit100 = ui_px(m, 100);
    sec_h = ui_label_line_h(ui_font(m, 40)) + ui_px(m, 40);
    s->section = gfx_rect(pad, s->search.rect.y + fh + ui_px(m, 20), m->w - 2 * pad, sec_h);
    ui_button_init(&s->all_topics);
    snprintf(s->all_topics.title, sizeof(s->all_topics.title), "‹ %s",
             i18n_get(m->lang, I18N_FAQ_ALL_TOPICS));
    s->all_topics.title_px = ui_font(m, 34);
    s->all_topics.rect =
        gfx_rect(pad, s->section.y + ui_px(m, 6),
                 ui_label_width(s->base.g, GFX_BOLD, s->all_topics.title_px, s->all_topics.title) +
                     sec_h + ui_px(m, 8),
                 sec_h - ui_px(m, 24));
    s->all_topics.radius = s->all_topics.rect.h / 2;
    s->all_topics.bg = t->brand;
    s->all_topics.fg = t->on_brand;
    s->all_topics.unit100 = ui_px(m, 100);

    top = s->section.y + sec_h;
    bottom = m->kb_h > 0 ? m->h - m->kb_h - gap : body.y + body.h - gap;
    if(ui_landscape(m))
        cols = cats ? (m->large ? 2 : 3) : (m->large ? 1 : 2);
    else
        cols = cats ? (m->large ? 1 : 2) : 1;
    min_h = cats                           ? ui_px(m, m->large ? 170 : 150)
            : m->faq.mode == UI_FAQ_SEARCH ? ui_px(m, m->large          ? 200
                                                      : ui_landscape(m) ? 140
                                                                        : 160)
                                           : ui_px(m, m->large ? 170 : 130);
    if(m->kb_h > 0 && !cats) {
        min_h = ui_px(m, m->large ? 150 : 120); /* over the keyboard: compact rows */
        if(bottom - top < min_h) {
            /* a short panel: the results take the line that counts them */
            top = s->section.y;
            s->section.h = 0;
        }
    }
    rows = (bottom - top + gap) / (min_h + gap);
    if(rows < 1)
        rows = 1;
    s->n = 0;
    s->total = 0;
    if(!m->faq.content) {
        scr_pager_layout(&s->pager, s->base.g, m, gfx_rect(0, 0, 0, 0), 0, 1);
        return;
    }
    per_page = rows * cols;
    s->total = collect(s, 0, 0);
    if(s->total > per_page && m->kb_h == 0) {
        /* the pager; over the keyboard the best results show, and
         * "done" closes it to page through the rest */
        rows = (bottom - top - pager_h) / (min_h + gap);
        if(rows < 1)
            rows = 1;
        per_page = rows * cols;
        if(per_page > MAX_ITEMS)
            per_page = MAX_ITEMS - MAX_ITEMS % cols;
    }
    if(per_page > MAX_ITEMS)
        per_page = MAX_ITEMS - MAX_ITEMS % cols;
    pages = s->total > 0 ? (s->total + per_page - 1) / per_page : 1;
    page = m->faq.page < pages ? m->faq.page : pages - 1;
    if(m->kb_h > 0) {
        pages = 1;
        page = 0;
    }
    collect(s, page * per_page, per_page);
    if(pages > 1)
        bottom -= pager_h + gap;
    rows = (per_page + cols - 1) / cols;
    ch = (bottom - top - (rows - 1) * gap) / rows;
    if(ch > min_h * 14 / 10)
        ch = min_h * 14 / 10;
    if(ch < min_h)
        ch = min_h; /* one row at least, never squashed (the keyboard covers the rest) */
    cw = (m->w - 2 * pad - (cols - 1) * gap) / cols;
    for(i = 0; i < s->n; i++) {
        ui_button_t *b = &s->cards[i];
        ui_button_init(b);
        b->rect = gfx_rect(pad + (i % cols) * (cw + gap), top + (i / cols) * (ch + gap), cw, ch);
        b->radius = ui_px(m, 24);
        b->unit100 = ui_px(m, 100);
    }
    scr_pager_layout(&s->pager, s->base.g, m, gfx_rect(pad, bottom + gap, m->w - 2 * pad, pager_h),
                     page, pages);
}

static bool update(void *p, const ui_model_t *m)
{
    scr_faq_list_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static int category_count(const faq_content_t *c, int cat)
{
    int i, n = 0;

    for(i = 0; i < c->n_articles; i++)
        n += c->articles[i].category == cat;
    return n;
}

static void draw_item(const scr_faq_list_t *s, int i, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    const faq_content_t *c = m->faq.content;
    const ui_button_t *b = &s->cards[i];
    gfx_rect_t r = b->rect;
    int pad = ui_px(m, 28), tpx = ui_font(m, 42), spx = ui_font(m, 28), x, tw, h, y;
    char sub[96];
    const char *title;

    scr_faq_card(g, m, r, b->radius, b->pressed);
    if(b->pressed)
        r.y += ui_px(m, 4);
    x = r.x + pad;
    if(m->faq.mode == UI_FAQ_CATEGORIES) {
        const faq_category_t *cat = &c->categories[s->item[i]];
        int d = r.h - 2 * pad;
        if(d > ui_px(m, 96))
            d = ui_px(m, 96);
        scr_faq_icon(g, cat->icon, gfx_rect(x, r.y + (r.h - d) / 2, d, d),
                     m->contrast ? t->brand : UI_COL_FAQ, m->contrast ? 0x000000u : UI_COL_WHITE);
        x += d + pad;
        title = cat->title[m->lang] ? cat->title[m->lang] : cat->title[I18N_ZH];
        i18n_format_int(sub, sizeof(sub), m->lang, I18N_FAQ_ARTICLES_D,
                        category_count(c, s->item[i]));
    } else {
        const faq_article_t *a = &c->articles[s->item[i]];
        const faq_category_t *cat = &c->categories[a->category];
        title = faq_article_text(a, m->lang)->title;
        snprintf(sub, sizeof(sub), "%s",
                 m->faq.mode == UI_FAQ_SEARCH
                     ? (cat->title[m->lang] ? cat->title[m->lang] : cat->title[I18N_ZH])
                     : "");
        tpx = ui_font(m, 40);
    }
    tw = r.x + r.w - pad - x - ui_px(m, 40);
    /* a title that needs two lines steps down first: with the line under
     * it, three lines would not fit a card */
    while(tpx > ui_font(m, 34) && ui_label_width(g, GFX_BOLD, tpx, title) > tw &&
          (sub[0] || m->faq.mode == UI_FAQ_CATEGORIES))
        tpx -= 2;
    h = ui_label_measure(g, GFX_BOLD, tpx, tw, 2, title, NULL) +
        (sub[0] ? ui_label_line_h(spx) + ui_px(m, 4) : 0);
    y = r.y + (r.h - h) / 2;
    y += ui_label_draw(g, GFX_BOLD, tpx, gfx_rgb(t->text), gfx_rect(x, y, tw, r.h), UI_ALIGN_LEFT,
                       2, title);
    if(sub[0])
        ui_label_draw(g, GFX_REGULAR, spx, gfx_rgb(t->muted),
                      gfx_rect(x, y + ui_px(m, 4), tw, ui_label_line_h(spx)), UI_ALIGN_LEFT, 1,
                      sub);
    {
        int cpx = ui_font(m, 56);
        ui_label_draw(g, GFX_BOLD, cpx, gfx_rgb(m->contrast ? t->brand : UI_COL_DISABLED_TX),
                      gfx_rect(r.x + r.w - pad - ui_px(m, 40),
                               r.y + (r.h - ui_label_line_h(cpx)) / 2, ui_px(m, 40),
                               ui_label_line_h(cpx)),
                      UI_ALIGN_RIGHT, 1, "›");
    }
}

/* A magnifier: a ring and a handle of small squares, d across. */
static void magnifier(gfx_t *g, int x, int y, int d, uint32_t fg, uint32_t bg)
{
    int ring = d * 70 / 100, lw = d / 9 > 2 ? d / 9 : 2, i, sq = lw + 1;

    gfx_fill_round_rect(g, gfx_rect(x, y, ring, ring), ring / 2, gfx_rgb(fg));
    gfx_fill_round_rect(g, gfx_rect(x + lw, y + lw, ring - 2 * lw, ring - 2 * lw), ring / 2 - lw,
                        gfx_rgb(bg));
    sq = lw * 3 / 2 + 1;
    for(i = 0; i < 8; i++) {
        int p = ring * 80 / 100 + i * (d - ring * 80 / 100 - sq) / 7;
        gfx_fill_round_rect(g, gfx_rect(x + p, y + p, sq, sq), sq / 2, gfx_rgb(fg));
    }
}

static void draw(const void *p, gfx_t *g)
{
    const scr_faq_list_t *s = p;
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    int i, spx = ui_font(m, 40);
    char line[160];
    gfx_rect_t sec = s->section;

    ui_chrome_clear(&s->base.chrome, m, g, t->bg, NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    ui_label_draw(g, GFX_BOLD, ui_font(m, 60), gfx_rgb(t->text), s->title_box, UI_ALIGN_LEFT, 1,
                  i18n_get(m->lang, I18N_FAQ_TITLE));
    if(!m->faq.content) {
        int px = ui_font(m, 44);
        ui_label_draw(g, GFX_REGULAR, px, gfx_rgb(t->text),
                      gfx_rect(s->title_box.x, s->search.rect.y + ui_px(m, 80), s->title_box.w,
                               4 * ui_label_line_h(px)),
                      UI_ALIGN_CENTER, 3, i18n_get(m->lang, I18N_FAQ_UNAVAILABLE));
        return;
    }
    /* the search field: a card with a magnifier, the query or the hint */
    {
        gfx_rect_t r = s->search.rect;
        int d = ui_px(m, 56), qpx = ui_font(m, 40), lw = ui_px(m, 4) > 2 ? ui_px(m, 4) : 2;
        int tx = r.x + ui_px(m, 40) + d + ui_px(m, 24);
        int tw = (m->faq.query[0] ? s->clear.rect.x : r.x + r.w) - ui_px(m, 24) - tx;
        uint32_t edge = m->faq.kb_open || m->contrast ? t->brand : UI_COL_LINE;
        gfx_fill_round_rect(g, r, r.h / 2, gfx_rgb(edge));
        gfx_fill_round_rect(g, gfx_rect(r.x + lw, r.y + lw, r.w - 2 * lw, r.h - 2 * lw),
                            r.h / 2 - lw, gfx_rgb(s->search.pressed ? t->pressed : t->card));
        magnifier(g, r.x + ui_px(m, 40), r.y + (r.h - d) / 2, d,
                  m->contrast ? t->brand : UI_COL_MUTED, s->search.pressed ? t->pressed : t->card);
        if(m->faq.query[0]) {
            /* the end of a long query stays in view, with a caret */
            snprintf(line, sizeof(line), "%s%s", m->faq.query, m->faq.kb_open ? "|" : "");
            ui_label_draw(
                g, GFX_REGULAR, qpx, gfx_rgb(t->text),
                gfx_rect(tx, r.y + (r.h - ui_label_line_h(qpx)) / 2, tw, ui_label_line_h(qpx)),
                UI_ALIGN_LEFT, 1, line);
            ui_button_draw(&s->clear, g);
        } else {
            ui_label_draw(
                g, GFX_REGULAR, qpx, gfx_rgb(t->muted),
                gfx_rect(tx, r.y + (r.h - ui_label_line_h(qpx)) / 2, tw, ui_label_line_h(qpx)),
                UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_FAQ_SEARCH_HINT));
        }
    }
    /* the line under it: what the list is (none when the keyboard took it) */
    sec.y += (sec.h - ui_label_line_h(spx)) / 2;
    switch(sec.h > 0 ? m->faq.mode : (ui_faq_mode_t)-1) {
    case UI_FAQ_CATEGORIES:
        ui_label_draw(g, GFX_BOLD, spx, gfx_rgb(t->text), sec, UI_ALIGN_LEFT, 1,
                      i18n_get(m->lang, I18N_FAQ_BROWSE));
        break;
    case UI_FAQ_CATEGORY: {
        const faq_category_t *cat = &m->faq.content->categories[m->faq.category];
        int x = s->all_topics.rect.x + s->all_topics.rect.w + ui_px(m, 28);
        ui_button_draw(&s->all_topics, g);
        ui_label_draw(g, GFX_BOLD, spx, gfx_rgb(t->text),
                      gfx_rect(x, sec.y, sec.x + sec.w - x, ui_label_line_h(spx)), UI_ALIGN_LEFT, 1,
                      cat->title[m->lang] ? cat->title[m->lang] : cat->title[I18N_ZH]);
        break;
    }
    case UI_FAQ_SEARCH:
        if(!m->faq.search_ready)
            snprintf(line, sizeof(line), "%s", i18n_get(m->lang, I18N_FAQ_SEARCH_LATER));
        else if(m->faq.n_hits == 0)
            snprintf(line, sizeof(line), "%s", i18n_get(m->lang, I18N_FAQ_NO_RESULTS));
        else
            i18n_format_int(line, sizeof(line), m->lang, I18N_FAQ_RESULTS_D, m->faq.n_hits);
        ui_label_draw(g, m->faq.n_hits ? GFX_BOLD : GFX_REGULAR, spx, gfx_rgb(t->text),
                      gfx_rect(sec.x, sec.y, sec.w, 2 * ui_label_line_h(spx)), UI_ALIGN_LEFT, 2,
                      line);
        break;
    default: break;
    }
    for(i = 0; i < s->n; i++)
        draw_item(s, i, g);
    scr_pager_draw(&s->pager, m, g);
}

static const scr_ops_t ops = { "faq_list", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_faq_list_ops(void)
{
    return &ops;
}
