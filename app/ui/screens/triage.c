/*
 * triage: "What do you need?" (FAQ/triage, issue 8). The common needs from
 * the triage content (faq_content_t.needs), each a card with its icon, its
 * name in plain words and where it leads: an answer to read, a queue
 * number for a service (with that service's wait now, before the customer
 * chooses) or the report form. A tap is INTENT_TRIAGE_PICK; the kiosk
 * journals the choice and routes. Large text shows fewer, bigger cards
 * per page.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

typedef struct scr_triage {
    scr_base_t base;
    int n;     /* needs on this page */
    int first; /* index of the first need on the page */
    ui_button_t cards[TRIAGE_MAX_NEEDS];
    gfx_rect_t title_box;
    scr_pager_t pager;
} scr_triage_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_triage_t), g, out);
}

static void enter(void *p)
{
    scr_triage_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < TRIAGE_MAX_NEEDS; i++)
        s->cards[i].pressed = false;
    s->pager.prev.pressed = s->pager.next.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_triage_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    in = scr_pager_handle(&s->pager, ev);
    if(in.kind == INTENT_FAQ_PAGE)
        return in;
    changed = changed || in.kind == INTENT_REDRAW;
    for(i = 0; i < s->n; i++)
        if(ui_button_handle(&s->cards[i], ev, &changed)) {
            in.kind = INTENT_TRIAGE_PICK;
            in.arg = s->first + i;
            return in;
        }
    in.kind = changed ? INTENT_REDRAW : INTENT_NONE;
    return in;
}

static void layout(scr_triage_t *s)
{
    const ui_model_t *m = &s->base.m;
    const faq_content_t *c = m->faq.content;
    gfx_rect_t body;
    int pad = ui_px(m, 48), gap = ui_px(m, 24), total = c ? c->n_needs : 0;
    int cols, rows, per_page, pages, page, title_h, min_h, ch, cw, i, top, bottom;
    int pager_h = ui_px(m, 110);

    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    body = ui_chrome_body(&s->base.chrome, m);
    title_h = ui_label_line_h(ui_font(m, 60)) + ui_label_line_h(ui_font(m, 32)) + ui_px(m, 48);
    s->title_box = gfx_rect(pad, body.y + ui_px(m, 32), m->w - 2 * pad, title_h);
    top = s->title_box.y + title_h;
    bottom = body.y + body.h - ui_px(m, 24);
    if(ui_landscape(m))
        cols = m->large ? 3 : 4;
    else
        cols = m->large ? 1 : 2;
    min_h = ui_px(m, m->large ? 200 : 165);
    rows = (bottom - top + gap) / (min_h + gap);
    if(rows < 1)
        rows = 1;
    per_page = rows * cols;
    if(total > per_page) {
        /* room for the pager under the cards */
        rows = (bottom - top - pager_h - gap + gap) / (min_h + gap);
        if(rows < 1)
            rows = 1;
        per_page = rows * cols;
    }
    pages = total > 0 ? (total + per_page - 1) / per_page : 1;
    page = m->faq.page < pages ? m->faq.page : pages - 1;
    s->first = page * per_page;
    s->n = total - s->first < per_page ? total - s->first : per_page;
    if(s->n < 0)
        s->n = 0;
    if(pages > 1)
        bottom -= pager_h + gap;
    /* a page with few needs keeps the cards' size, not stretched */
    {
        int used_rows = pages > 1 ? rows : (s->n + cols - 1) / cols;
        if(used_rows < 1)
            used_rows = 1;
        ch = (bottom - top - (used_rows - 1) * gap) / used_rows;
        if(ch > ui_px(m, m->large ? 300 : 260))
            ch = ui_px(m, m->large ? 300 : 260);
    }
    cw = (m->w - 2 * pad - (cols - 1) * gap) / cols;
    for(i = 0; i < s->n; i++) {
        ui_button_t *b = &s->cards[i];
        int r = i / cols, col = i % cols;
        ui_button_init(b);
        b->rect = gfx_rect(pad + col * (cw + gap), top + r * (ch + gap), cw, ch);
        b->radius = ui_px(m, 28);
        b->unit100 = ui_px(m, 100);
    }
    scr_pager_layout(&s->pager, s->base.g, m, gfx_rect(pad, bottom + gap, m->w - 2 * pad, pager_h),
                     page, pages);
}

static bool update(void *p, const ui_model_t *m)
{
    scr_triage_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static uint32_t route_colour(const ui_model_t *m, triage_kind_t k)
{
    if(m->contrast)
        return 0xFFE14Du;
    return k == TRIAGE_QUEUE ? UI_COL_TAKE : k == TRIAGE_SUBMIT ? UI_COL_SUBMIT : UI_COL_FAQ;
}

static void draw_card(const scr_triage_t *s, int i, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    const triage_need_t *nd = &m->faq.content->needs[s->first + i];
    const ui_button_t *b = &s->cards[i];
    gfx_rect_t r = b->rect;
    int pad = ui_px(m, 28), d, x, tw, tpx = ui_font(m, 44), dpx = ui_font(m, 30), h, y, svc = -1;
    char dest[160], wait[96] = "", split[160];
    const char *title = nd->title[m->lang] ? nd->title[m->lang] : nd->title[I18N_ZH];

    scr_faq_card(g, m, r, b->radius, b->pressed);
    if(b->pressed)
        r.y += ui_px(m, 4);
    d = r.h - 2 * pad;
    if(d > ui_px(m, m->large ? 112 : 88))
        d = ui_px(m, m->large ? 112 : 88);
    scr_faq_icon(g, nd->icon, gfx_rect(r.x + pad, r.y + (r.h - d) / 2, d, d),
                 route_colour(m, nd->route.kind), m->contrast ? 0x000000u : UI_COL_WHITE);
    x = r.x + pad + d + pad;
    tw = r.x + r.w - pad - x;
    switch(nd->route.kind) {
    case TRIAGE_QUEUE:
        svc = scr_faq_service(m, nd->route.target);
        if(svc >= 0) {
            i18n_format(dest, sizeof(dest), m->lang, I18N_TRIAGE_TO_QUEUE_S,
                        scr_faq_service_name(m, svc));
            scr_faq_wait_text(m, svc, wait, sizeof(wait));
        } else {
            snprintf(dest, sizeof(dest), "%s", i18n_get(m->lang, I18N_TILE_TAKE));
        }
        break;
    case TRIAGE_SUBMIT:
        snprintf(dest, sizeof(dest), "%s", i18n_get(m->lang, I18N_TRIAGE_TO_SUBMIT));
        break;
    default: snprintf(dest, sizeof(dest), "%s", i18n_get(m->lang, I18N_TRIAGE_TO_FAQ)); break;
    }
    /* a name a little too long steps down to stay on one line; one that
     * must wrap breaks after its slash ("手机丢了/" "补卡") rather than
     * leaving a lone character on the second line (SELFHELP) */
    while(tpx > ui_font(m, 38) && ui_label_width(g, GFX_BOLD, tpx, title) > tw)
        tpx -= 2;
    if(ui_label_width(g, GFX_BOLD, tpx, title) > tw) {
        const char *slash = strchr(title, '/');
        tpx = ui_font(m, 44);
        if(slash && slash[1]) {
            snprintf(split, sizeof(split), "%.*s/\n%s", (int)(slash - title), title, slash + 1);
            title = split;
        }
    }
    /* a name that needs more than two lines steps down before it is cut */
    while(tpx > ui_font(m, 34) &&
          ui_label_measure(g, GFX_BOLD, tpx, tw, 0, title, NULL) > 2 * ui_label_line_h(tpx))
        tpx -= 2;
    /* measure the block, then centre it in the card */
    h = ui_label_measure(g, GFX_BOLD, tpx, tw, 2, title, NULL) + ui_px(m, 8) +
        ui_label_measure(g, GFX_REGULAR, dpx, tw, 1, dest, NULL) +
        (wait[0] ? ui_label_line_h(dpx) : 0);
    y = r.y + (r.h - h) / 2;
    y += ui_label_draw(g, GFX_BOLD, tpx, gfx_rgb(t->text), gfx_rect(x, y, tw, r.h), UI_ALIGN_LEFT,
                       2, title) +
         ui_px(m, 8);
    y += ui_label_draw(g, GFX_REGULAR, dpx, gfx_rgb(t->muted), gfx_rect(x, y, tw, r.h),
                       UI_ALIGN_LEFT, 1, dest);
    if(wait[0])
        ui_label_draw(g, GFX_BOLD, dpx, gfx_rgb(m->contrast ? t->brand : UI_COL_TAKE),
                      gfx_rect(x, y, tw, r.h), UI_ALIGN_LEFT, 1, wait);
}

static void draw(const void *p, gfx_t *g)
{
    const scr_triage_t *s = p;
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    gfx_rect_t holes[TRIAGE_MAX_NEEDS];
    int i, y;

    for(i = 0; i < s->n; i++) {
        holes[i] = s->cards[i].rect;
        holes[i].y += s->cards[i].radius;
        holes[i].h -= 2 * s->cards[i].radius + ui_px(m, 4);
    }
    ui_chrome_clear(&s->base.chrome, m, g, t->bg, holes, s->n);
    ui_chrome_draw(&s->base.chrome, m, g);
    y = s->title_box.y;
    y += ui_label_draw(g, GFX_BOLD, ui_font(m, 60), gfx_rgb(t->text),
                       gfx_rect(s->title_box.x, y, s->title_box.w, s->title_box.h), UI_ALIGN_LEFT,
                       1, i18n_get(m->lang, I18N_TRIAGE_TITLE));
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 32), gfx_rgb(t->muted),
                  gfx_rect(s->title_box.x, y + ui_px(m, 6), s->title_box.w, s->title_box.h),
                  UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_TRIAGE_SUB));
    if(!m->faq.content || m->faq.content->n_needs == 0) {
        int px = ui_font(m, 44);
        ui_label_draw(g, GFX_REGULAR, px, gfx_rgb(t->text),
                      gfx_rect(s->title_box.x, s->title_box.y + s->title_box.h + ui_px(m, 80),
                               s->title_box.w, 4 * ui_label_line_h(px)),
                      UI_ALIGN_CENTER, 3, i18n_get(m->lang, I18N_FAQ_UNAVAILABLE));
        return;
    }
    for(i = 0; i < s->n; i++)
        draw_card(s, i, g);
    scr_pager_draw(&s->pager, m, g);
}

static const scr_ops_t ops = { "triage", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_triage_ops(void)
{
    return &ops;
}
