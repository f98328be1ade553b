/*
 * faq_article: the FAQ article reader (FAQ/triage, issue 8). The category,
 * the title, then the body's paragraphs, bulleted and numbered lists with
 * **emphasis** (bold, in the brand colour), laid out once per article,
 * panel, language and text size into a richtext (runs of one line and one
 * style), so scrolling only moves it: a frame draws the runs in view from
 * gfx's texture cache and re-measures nothing. At the end: "Did this
 * help?" (yes / no, once per view: INTENT_FAQ_HELPFUL) and "Still need
 * help?" (a number for the article's service, with its wait now, and a
 * report with the category filled in).
 *
 * Scrolling: the finger moves the page (INTENT_FAQ_SCROLL with the offset
 * it asks for, clamped to the ends); lifting it is INTENT_FAQ_FLING with
 * the largest offset, and the kiosk coasts the page on its frame timer
 * (kinetic.h), handing the offset back in m->faq.scroll_px. A touch that
 * moves less than the slop stays a tap on the buttons. A scrollbar shows
 * where the view is whenever the article is longer than the screen.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"
#include "richtext.h"

typedef struct text_key {
    const faq_content_t *content;
    int article, w, h;
    i18n_lang_t lang;
    bool large;
} text_key_t;

typedef struct scr_faq_article {
    scr_base_t base;
    ui_richtext_t rt;
    text_key_t key; /* what rt was laid out for */
    bool have_text;
    gfx_rect_t view; /* the scrolled area on screen */
    int col_x, col_w;
    int text_h;    /* the article's text, content pixels */
    int content_h; /* with the end section */
    int max_scroll;
    /* the end section, content coordinates */
    int help_y, still_y, sep_y;
    ui_button_t yes, no, queue, submit;
    int svc; /* the related service's index; -1 = none */
    /* the finger */
    bool down, dragging;
    int down_y, down_scroll;
} scr_faq_article_t;

static hk_err_t create(gfx_t *g, void **out)
{
    hk_err_t rc = scr_base_create(sizeof(scr_faq_article_t), g, out);

    if(rc == HK_OK)
        ui_richtext_init(&((scr_faq_article_t *)*out)->rt);
    return rc;
}

static void destroy(void *p)
{
    scr_faq_article_t *s = p;

    if(!s)
        return;
    ui_richtext_fini(&s->rt);
    scr_base_destroy(s);
}

static void enter(void *p)
{
    scr_faq_article_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    s->yes.pressed = s->no.pressed = s->queue.pressed = s->submit.pressed = false;
    s->down = s->dragging = false;
}

static int scroll_of(const scr_faq_article_t *s)
{
    int y = s->base.m.faq.scroll_px;

    return y < 0 ? 0 : y > s->max_scroll ? s->max_scroll : y;
}

/* The end buttons see events in content coordinates. */
static bool end_button(scr_faq_article_t *s, ui_button_t *b, const display_event_t *ev,
                       bool *changed)
{
    display_event_t e = *ev;

    if(!b->enabled || b->rect.w == 0)
        return false;
    e.y = ev->y - s->view.y + scroll_of(s);
    if(!ui_rect_contains(s->view, ev->x, ev->y) && ev->type == DISPLAY_EV_DOWN)
        e.y = -1000000; /* a touch outside the view presses nothing in it */
    return ui_button_handle(b, &e, changed);
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_faq_article_t *s = p;
    const ui_model_t *m = &s->base.m;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int slop = ui_px(m, 24);

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    memset(&in, 0, sizeof(in));
    switch(ev->type) {
    case DISPLAY_EV_DOWN:
        if(!ui_rect_contains(s->view, ev->x, ev->y))
            break;
        s->down = true;
        s->dragging = false;
        s->down_y = ev->y;
        s->down_scroll = scroll_of(s);
        end_button(s, &s->yes, ev, &changed);
        end_button(s, &s->no, ev, &changed);
        end_button(s, &s->queue, ev, &changed);
        end_button(s, &s->submit, ev, &changed);
        /* the page holds still under the finger (a coast stops) */
        in.kind = INTENT_FAQ_SCROLL;
        in.arg = s->down_scroll;
        return in;
    case DISPLAY_EV_MOVE:
        if(!s->down)
            break;
        if(!s->dragging && (ev->y - s->down_y > slop || s->down_y - ev->y > slop)) {
            s->dragging = true;
            s->yes.pressed = s->no.pressed = s->queue.pressed = s->submit.pressed = false;
        }
        if(s->dragging) {
            int y = s->down_scroll - (ev->y - s->down_y);
            in.kind = INTENT_FAQ_SCROLL;
            in.arg = y < 0 ? 0 : y > s->max_scroll ? s->max_scroll : y;
            return in;
        }
        end_button(s, &s->yes, ev, &changed);
        end_button(s, &s->no, ev, &changed);
        end_button(s, &s->queue, ev, &changed);
        end_button(s, &s->submit, ev, &changed);
        break;
    case DISPLAY_EV_UP:
        if(!s->down)
            break;
        s->down = false;
        if(s->dragging) {
            s->dragging = false;
            in.kind = INTENT_FAQ_FLING;
            in.arg = s->max_scroll;
            return in;
        }
        if(end_button(s, &s->yes, ev, &changed)) {
            in.kind = INTENT_FAQ_HELPFUL;
            in.arg = 1;
        } else if(end_button(s, &s->no, ev, &changed)) {
            in.kind = INTENT_FAQ_HELPFUL;
            in.arg = 0;
        } else if(end_button(s, &s->queue, ev, &changed)) {
            in.kind = INTENT_FAQ_STILL_QUEUE;
        } else if(end_button(s, &s->submit, ev, &changed)) {
            in.kind = INTENT_FAQ_STILL_SUBMIT;
        }
        if(in.kind != INTENT_NONE)
            return in;
        break;
    default: break;
    }
    in.kind = changed ? INTENT_REDRAW : INTENT_NONE;
    return in;
}

/* ---- layout --------------------------------------------------------------- */

static int body_px(const ui_model_t *m)
{
    return ui_font(m, 40);
}

/* Lay out the article's text into rt; sets text_h. */
static void layout_text(scr_faq_article_t *s)
{
    const ui_model_t *m = &s->base.m;
    const faq_content_t *c = m->faq.content;
    gfx_t *g = s->base.g;
    const faq_article_t *a;
    const faq_text_t *t;
    const faq_category_t *cat;
    int x = s->col_x, w = s->col_w, y = ui_px(m, 36), h = 0, px = body_px(m);
    int lh = px * 16 / 10, indent = ui_px(m, m->large ? 64 : 56), b, i;

    ui_richtext_clear(&s->rt);
    s->have_text = false;
    s->text_h = 0;
    if(!c || m->faq.article < 0 || m->faq.article >= c->n_articles)
        return;
    a = &c->articles[m->faq.article];
    t = faq_article_text(a, m->lang);
    cat = &c->categories[a->category];
    if(ui_richtext_add(&s->rt, g, cat->title[m->lang] ? cat->title[m->lang] : cat->title[I18N_ZH],
                       false, UI_RT_MUTED, ui_font(m, 30), x, y, w, ui_label_line_h(ui_font(m, 30)),
                       &h) != HK_OK)
        return;
    y += h + ui_px(m, 8);
    {
        int tpx = ui_font(m, 56);
        if(ui_richtext_add(&s->rt, g, t->title, false, UI_RT_BOLD, tpx, x, y, w, tpx * 14 / 10,
                           &h) != HK_OK)
            return;
        y += h + ui_px(m, 36);
    }
    for(b = 0; b < t->n_blocks; b++) {
        const faq_block_t *bl = &t->blocks[b];
        for(i = 0; i < bl->n; i++) {
            if(bl->kind == FAQ_BLOCK_P) {
                if(ui_richtext_add(&s->rt, g, bl->items[i], true, UI_RT_TEXT, px, x, y, w, lh,
                                   &h) != HK_OK)
                    return;
            } else {
                char mark[16];
                int mh = 0;
                if(bl->kind == FAQ_BLOCK_UL)
                    snprintf(mark, sizeof(mark), "%s", "•");
                else
                    snprintf(mark, sizeof(mark), "%d.", i + 1);
                if(ui_richtext_add(&s->rt, g, mark, false,
                                   bl->kind == FAQ_BLOCK_UL ? UI_RT_EMPH : UI_RT_MUTED, px,
                                   x + ui_px(m, 8), y, indent, lh, &mh) != HK_OK ||
                   ui_richtext_add(&s->rt, g, bl->items[i], true, UI_RT_TEXT, px, x + indent, y,
                                   w - indent, lh, &h) != HK_OK)
                    return;
                if(i + 1 < bl->n)
                    h += ui_px(m, 10);
            }
            y += h;
        }
        y += ui_px(m, 30);
    }
    s->text_h = y;
    s->have_text = true;
}

static void end_button_init(ui_button_t *b, const ui_model_t *m, gfx_rect_t r, const char *title,
                            uint32_t bg, uint32_t fg)
{
    ui_button_init(b);
    b->rect = r;
    snprintf(b->title, sizeof(b->title), "%s", title);
    b->title_px = ui_font(m, 40);
    b->sub_px = ui_font(m, 30);
    b->radius = r.h / 2 < ui_px(m, 28) ? r.h / 2 : ui_px(m, 28);
    b->bg = bg;
    b->fg = fg;
    b->unit100 = ui_px(m, 100);
}

/* The end section under the text; cheap (no text is laid out). */
static void layout_end(scr_faq_article_t *s)
{
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    int x = s->col_x, w = s->col_w, y = s->text_h + ui_px(m, 20), gap = ui_px(m, 28);
    int qpx = ui_font(m, 44), bh = ui_px(m, m->large ? 130 : 116), bw;
    const faq_article_t *a;
    char title[160];

    s->svc = -1;
    memset(&s->yes.rect, 0, sizeof(gfx_rect_t));
    memset(&s->no.rect, 0, sizeof(gfx_rect_t));
    memset(&s->queue.rect, 0, sizeof(gfx_rect_t));
    memset(&s->submit.rect, 0, sizeof(gfx_rect_t));
    if(!s->have_text) {
        s->content_h = 0;
        return;
    }
    a = &m->faq.content->articles[m->faq.article];
    s->sep_y = y;
    y += ui_px(m, 40);
    s->help_y = y;
    y += ui_label_line_h(qpx) + ui_px(m, 16);
    bw = (w - gap) / 2;
    if(bw > ui_px(m, 400))
        bw = ui_px(m, 400);
    end_button_init(&s->yes, m, gfx_rect(x, y, bw, bh), i18n_get(m->lang, I18N_FAQ_YES),
                    m->contrast ? t->brand : UI_COL_OK, m->contrast ? t->on_brand : UI_COL_WHITE);
    end_button_init(&s->no, m, gfx_rect(x + bw + gap, y, bw, bh), i18n_get(m->lang, I18N_FAQ_NO),
                    m->contrast ? t->brand : UI_COL_MUTED,
                    m->contrast ? t->on_brand : UI_COL_WHITE);
    if(m->faq.feedback) {
        s->yes.enabled = s->no.enabled = false; /* once per view: thanks instead */
        y += ui_label_line_h(qpx);
    } else {
        y += bh;
    }
    y += ui_px(m, 56);
    s->still_y = y;
    y += ui_label_line_h(qpx) + ui_px(m, 16);
    s->svc = scr_faq_service(m, scr_faq_still_service(m, a));
    if(s->svc >= 0) {
        char wait[96];
        i18n_format(title, sizeof(title), m->lang, I18N_FAQ_STILL_QUEUE_S,
                    scr_faq_service_name(m, s->svc));
        /* a title that wraps makes the button taller, so the wait (its
         * subtitle, what the customer decides by) is never shed */
        int th =
            ui_label_measure(s->base.g, GFX_BOLD, ui_font(m, 40), w - ui_px(m, 56), 2, title, NULL);
        end_button_init(&s->queue, m,
                        gfx_rect(x, y, w, bh + ui_px(m, 40) + th - ui_label_line_h(ui_font(m, 40))),
                        title, m->contrast ? t->brand : UI_COL_TAKE,
                        m->contrast ? t->on_brand : UI_COL_WHITE);
        scr_faq_wait_text(m, s->svc, wait, sizeof(wait));
        snprintf(s->queue.subtitle, sizeof(s->queue.subtitle), "%s", wait);
        y += s->queue.rect.h + gap;
    }
    end_button_init(&s->submit, m, gfx_rect(x, y, w, bh), i18n_get(m->lang, I18N_FAQ_STILL_SUBMIT),
                    m->contrast ? t->brand : UI_COL_SUBMIT,
                    m->contrast ? t->on_brand : UI_COL_WHITE);
    y += bh + ui_px(m, 60);
    s->content_h = y;
}

static void layout(scr_faq_article_t *s)
{
    const ui_model_t *m = &s->base.m;
    text_key_t key;
    gfx_rect_t body;
    int pad = ui_px(m, 56), gutter = ui_px(m, 40);

    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    body = ui_chrome_body(&s->base.chrome, m);
    s->view = body;
    /* a readable measure: long lines in landscape are hard to follow */
    s->col_w = m->w - 2 * pad - gutter;
    if(s->col_w > ui_px(m, 1240))
        s->col_w = ui_px(m, 1240);
    s->col_x = (m->w - s->col_w) / 2;
    memset(&key, 0, sizeof(key));
    key.content = m->faq.content;
    key.article = m->faq.article;
    key.w = m->w;
    key.h = m->h;
    key.lang = m->lang;
    key.large = m->large;
    if(!s->have_text || memcmp(&key, &s->key, sizeof(key))) {
        s->key = key;
        layout_text(s);
    }
    layout_end(s);
    s->max_scroll = s->content_h > s->view.h ? s->content_h - s->view.h : 0;
}

static bool update(void *p, const ui_model_t *m)
{
    scr_faq_article_t *s = p;
    ui_model_t old = s->base.m;

    if(!scr_base_take_model(&s->base, m))
        return false;
    old.faq.scroll_px = m->faq.scroll_px;
    if(memcmp(&old, m, sizeof(*m)))
        layout(s); /* more than the offset changed */
    return true;
}

/* ---- draw ----------------------------------------------------------------- */

static void draw_end_button(const scr_faq_article_t *s, const ui_button_t *b, int dy, gfx_t *g)
{
    ui_button_t c;

    if(b->rect.w == 0 || !b->enabled)
        return;
    c = *b;
    c.rect.y += dy;
    if(c.rect.y + c.rect.h < s->view.y || c.rect.y > s->view.y + s->view.h)
        return;
    ui_button_draw(&c, g);
}

static void draw(const void *p, gfx_t *g)
{
    const scr_faq_article_t *s = p;
    const ui_model_t *m = &s->base.m;
    const ui_theme_t *t = ui_theme(m);
    int top = scroll_of(s), dy = s->view.y - top, qpx = ui_font(m, 44);
    gfx_color_t colours[4];

    colours[UI_RT_TEXT] = gfx_rgb(t->text);
    colours[UI_RT_BOLD] = gfx_rgb(t->text);
    colours[UI_RT_EMPH] = gfx_rgb(t->brand);
    colours[UI_RT_MUTED] = gfx_rgb(t->muted);
    ui_chrome_clear(&s->base.chrome, m, g, t->bg, NULL, 0);
    if(!s->have_text) {
        ui_chrome_draw(&s->base.chrome, m, g);
        ui_label_draw(
            g, GFX_REGULAR, qpx, gfx_rgb(t->text),
            gfx_rect(s->col_x, s->view.y + ui_px(m, 120), s->col_w, 4 * ui_label_line_h(qpx)),
            UI_ALIGN_CENTER, 3, i18n_get(m->lang, I18N_FAQ_UNAVAILABLE));
        return;
    }
    gfx_set_clip(g, &s->view);
    ui_richtext_draw(&s->rt, g, top, s->view.h, 0, s->view.y, colours);
    /* the end section */
    if(s->sep_y + dy < s->view.y + s->view.h) {
        gfx_fill_rect(
            g, gfx_rect(s->col_x, s->sep_y + dy, s->col_w, ui_px(m, 2) > 1 ? ui_px(m, 2) : 1),
            gfx_rgb(t->line));
        ui_label_draw(g, GFX_BOLD, qpx, gfx_rgb(t->text),
                      gfx_rect(s->col_x, s->help_y + dy, s->col_w, ui_label_line_h(qpx)),
                      UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_FAQ_HELPFUL_Q));
        if(m->faq.feedback)
            ui_label_draw(g, GFX_REGULAR, ui_font(m, 40),
                          gfx_rgb(m->contrast ? t->brand : UI_COL_OK),
                          gfx_rect(s->col_x, s->yes.rect.y + dy, s->col_w, ui_label_line_h(qpx)),
                          UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_FAQ_THANKS));
        draw_end_button(s, &s->yes, dy, g);
        draw_end_button(s, &s->no, dy, g);
        ui_label_draw(g, GFX_BOLD, qpx, gfx_rgb(t->text),
                      gfx_rect(s->col_x, s->still_y + dy, s->col_w, ui_label_line_h(qpx)),
                      UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_FAQ_STILL));
        draw_end_button(s, &s->queue, dy, g);
        draw_end_button(s, &s->submit, dy, g);
    }
    gfx_set_clip(g, NULL);
    /* the scrollbar: where the view is in the article */
    if(s->max_scroll > 0) {
        int bw = ui_px(m, 12) > 4 ? ui_px(m, 12) : 4, inset = ui_px(m, 12);
        int track_h = s->view.h - 2 * inset;
        int th = (int)((long long)track_h * s->view.h / s->content_h), ty;
        gfx_color_t track = gfx_rgb(t->line);
        if(th < ui_px(m, 90))
            th = ui_px(m, 90);
        ty = s->view.y + inset + (int)((long long)(track_h - th) * top / s->max_scroll);
        if(!m->contrast)
            track.a = 160;
        gfx_fill_round_rect(g, gfx_rect(m->w - inset - bw, s->view.y + inset, bw, track_h), bw / 2,
                            track);
        gfx_fill_round_rect(g, gfx_rect(m->w - inset - bw, ty, bw, th), bw / 2,
                            gfx_rgb(m->contrast ? t->brand : UI_COL_MUTED));
    }
    ui_chrome_draw(&s->base.chrome, m, g);
}

int scr_faq_article_max_scroll(const void *p)
{
    return ((const scr_faq_article_t *)p)->max_scroll;
}

static const scr_ops_t ops = { "faq_article", create, destroy, enter, handle, update, draw };

const scr_ops_t *scr_faq_article_ops(void)
{
    return &ops;
}
