/*
 * chrome: header and bottom bars drawn on every screen.
 */
#include "chrome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pill(ui_button_t *b, gfx_t *g, const ui_model_t *m, const char *text, int right, int y,
                 int h, uint32_t bg, uint32_t fg)
{
    int px = ui_font(m, 34);
    int w = ui_label_width(g, GFX_BOLD, px, text) + h + ui_px(m, 24);

    ui_button_init(b);
    snprintf(b->title, sizeof(b->title), "%s", text);
    b->title_px = px;
    b->rect = gfx_rect(right - w, y, w, h);
    b->radius = h / 2;
    b->bg = bg;
    b->fg = fg;
    b->unit100 = ui_px(m, 100);
}

/* A round toggle of diameter d with a sign; on = drawn lit (white, or
 * yellow's opposite in high contrast). Not offered: no size, no touch. */
static void round_toggle(ui_button_t *b, const ui_model_t *m, const char *sign, bool offered, int x,
                         int y, int d, bool on)
{
    ui_button_init(b);
    snprintf(b->title, sizeof(b->title), "%s", sign);
    b->title_px = d * 50 / ui_px(m, 92);
    b->rect = offered ? gfx_rect(x, y, d, d) : gfx_rect(x + d, y, 0, 0);
    b->radius = d / 2;
    b->unit100 = ui_px(m, 100);
    if(m->contrast) {
        b->bg = on ? 0xFFFFFFu : 0xFFE14Du;
        b->fg = 0x000000u;
    } else {
        b->bg = on ? UI_COL_WHITE : UI_COL_BRAND_DARK;
        b->fg = on ? UI_COL_BRAND : UI_COL_WHITE;
    }
}

void ui_chrome_layout(ui_chrome_t *c, gfx_t *g, const ui_model_t *m, bool nav)
{
    int hh = ui_px(m, 150) + (m->large ? ui_px(m, 20) : 0);
    int ph = ui_px(m, 92);
    int right = m->w - ui_px(m, 36);
    int y = (hh - ph) / 2;

    c->nav = nav;
    c->header_h = hh;
    c->footer_h = nav ? ui_px(m, 170) : 0;
    pill(&c->lang, g, m, i18n_get(m->lang, I18N_LANG_TOGGLE), right, y, ph, UI_COL_WHITE,
         UI_COL_BRAND);
    pill(&c->large, g, m, i18n_get(m->lang, m->large ? I18N_LARGE_OFF : I18N_LARGE_ON),
         c->lang.rect.x - ui_px(m, 20), y, ph, UI_COL_BRAND_DARK, UI_COL_WHITE);
    /* FAQ/triage (issue 8): the high-contrast toggle, a round button with
     * the contrast sign (a word would squeeze the branch name out); voice
     * guidance (issue 8.6) beside it with a note. Only where the role acts
     * on them (the kiosk), never a dead button. Both offered: two smaller
     * round buttons stacked in one column, so the branch name keeps its
     * room. */
    {
        bool both = m->contrast_offered && m->voice_offered;
        int gap = ui_px(m, 8);
        int d = both ? (hh - 3 * gap) / 2 : ph;
        int x = c->large.rect.x - ui_px(m, 20) - d;
        int y0 = both ? (hh - 2 * d - gap) / 2 : y;
        round_toggle(&c->contrast, m, "◐", m->contrast_offered, x, y0, d, false);
        round_toggle(&c->voice, m, "♪", m->voice_offered, x, both ? y0 + d + gap : y, d, m->voice);
    }
    if(m->contrast) {
        /* high contrast: black and yellow, every pill */
        ui_button_t *p[2] = { &c->lang, &c->large };
        int i;
        for(i = 0; i < 2; i++) {
            p[i]->bg = 0xFFE14Du;
            p[i]->fg = 0x000000u;
        }
    }
    if(nav) {
        int bh = ui_px(m, 116), by = m->h - c->footer_h + (c->footer_h - bh) / 2;
        int bw = ui_px(m, 300);
        ui_button_init(&c->back);
        snprintf(c->back.title, sizeof(c->back.title), "‹  %s", i18n_get(m->lang, I18N_BACK));
        c->back.title_px = ui_font(m, 44);
        c->back.rect = gfx_rect(ui_px(m, 40), by, bw, bh);
        c->back.radius = bh / 2;
        c->back.bg = UI_COL_WHITE;
        c->back.fg = UI_COL_BRAND;
        c->back.unit100 = ui_px(m, 100);
        ui_button_init(&c->home);
        snprintf(c->home.title, sizeof(c->home.title), "%s", i18n_get(m->lang, I18N_HOME));
        c->home.title_px = ui_font(m, 44);
        c->home.rect = gfx_rect(m->w - ui_px(m, 40) - bw, by, bw, bh);
        c->home.radius = bh / 2;
        c->home.bg = UI_COL_WHITE;
        c->home.fg = UI_COL_BRAND;
        c->home.unit100 = ui_px(m, 100);
        if(m->contrast) { /* FAQ/triage (issue 8): high contrast */
            c->back.bg = c->home.bg = 0xFFE14Du;
            c->back.fg = c->home.fg = 0x000000u;
        }
    }
}

ui_intent_t ui_chrome_handle(ui_chrome_t *c, const display_event_t *ev)
{
    ui_intent_t in = { 0 }; /* INTENT_NONE, no payload */
    bool changed = false;

    if(ui_button_handle(&c->lang, ev, &changed))
        in.kind = INTENT_TOGGLE_LANG;
    else if(ui_button_handle(&c->large, ev, &changed))
        in.kind = INTENT_TOGGLE_LARGE;
    else if(ui_button_handle(&c->contrast, ev, &changed))
        in.kind = INTENT_TOGGLE_CONTRAST; /* FAQ/triage (issue 8) */
    else if(ui_button_handle(&c->voice, ev, &changed))
        in.kind = INTENT_TOGGLE_VOICE; /* voice guidance (issue 8.6) */
    else if(c->nav && ui_button_handle(&c->back, ev, &changed))
        in.kind = INTENT_BACK;
    else if(c->nav && ui_button_handle(&c->home, ev, &changed))
        in.kind = INTENT_HOME;
    if(in.kind == INTENT_NONE && changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

static int cmp_rect_x(const void *a, const void *b)
{
    return cmp_int(&((const gfx_rect_t *)a)->x, &((const gfx_rect_t *)b)->x);
}

/* Fill area except the holes: cut it into horizontal bands at every hole
 * edge, then fill each band's gaps between the holes that span it. */
static void fill_around(gfx_t *g, gfx_rect_t area, const gfx_rect_t *holes, int n, gfx_color_t col)
{
    int ys[2 * UI_CHROME_MAX_HOLES + 2], ny = 0, i, k;

    if(n > UI_CHROME_MAX_HOLES)
        n = UI_CHROME_MAX_HOLES;
    ys[ny++] = area.y;
    ys[ny++] = area.y + area.h;
    for(i = 0; i < n; i++) {
        int y0 = holes[i].y, y1 = holes[i].y + holes[i].h;
        if(holes[i].w <= 0 || holes[i].h <= 0 || y1 <= area.y || y0 >= area.y + area.h)
            continue;
        ys[ny++] = y0 < area.y ? area.y : y0;
        ys[ny++] = y1 > area.y + area.h ? area.y + area.h : y1;
    }
    qsort(ys, (size_t)ny, sizeof(ys[0]), cmp_int);
    for(k = 0; k + 1 < ny; k++) {
        gfx_rect_t spans[UI_CHROME_MAX_HOLES];
        int y0 = ys[k], y1 = ys[k + 1], ns = 0, x = area.x;
        if(y1 <= y0)
            continue;
        for(i = 0; i < n; i++)
            if(holes[i].w > 0 && holes[i].y <= y0 && holes[i].y + holes[i].h >= y1)
                spans[ns++] = holes[i];
        qsort(spans, (size_t)ns, sizeof(spans[0]), cmp_rect_x);
        for(i = 0; i < ns; i++) {
            if(spans[i].x > x)
                gfx_fill_rect(g, gfx_rect(x, y0, spans[i].x - x, y1 - y0), col);
            if(spans[i].x + spans[i].w > x)
                x = spans[i].x + spans[i].w;
        }
        if(x < area.x + area.w)
            gfx_fill_rect(g, gfx_rect(x, y0, area.x + area.w - x, y1 - y0), col);
    }
}

void ui_chrome_clear(const ui_chrome_t *c, const ui_model_t *m, gfx_t *g, uint32_t bg,
                     const gfx_rect_t *holes, int n_holes)
{
    int top = c->dark ? 0 : c->header_h;

    fill_around(g, gfx_rect(0, top, m->w, m->h - top), holes, n_holes, gfx_rgb(bg));
}

void ui_chrome_draw(const ui_chrome_t *c, const ui_model_t *m, gfx_t *g)
{
    const config_t *cfg = m->cfg;
    const char *branch = m->lang == I18N_EN ? cfg->branch_name_en : cfg->branch_name_zh;
    int left = ui_px(m, 40);
    int edge = c->voice.rect.x < c->contrast.rect.x ? c->voice.rect.x : c->contrast.rect.x;
    int maxw = edge - left - ui_px(m, 24);
    int bpx = ui_font(m, 38), spx = ui_font(m, 28);
    char line[96], split[200];

    if(!c->dark)
        gfx_fill_rect(g, gfx_rect(0, 0, m->w, c->header_h), gfx_rgb(ui_theme(m)->header));
    if(m->contrast) /* FAQ/triage (issue 8): the header's edge on black */
        gfx_fill_rect(g, gfx_rect(0, c->header_h - ui_px(m, 3), m->w, ui_px(m, 3)),
                      gfx_rgb(0xFFFFFFu));
    /* long (English) branch names step down in size before they are cut */
    while(bpx > ui_px(m, 28) && ui_label_width(g, GFX_BOLD, bpx, branch) > maxw)
        bpx -= 2;
    /* still too long (English, large text, a narrow panel): the name on two
     * lines rather than cut in the middle, the time alone under it */
    int lines = ui_label_width(g, GFX_BOLD, bpx, branch) > maxw ? 2 : 1;
    bool two = lines > 1;
    int by = c->header_h / 2 - ui_label_line_h(bpx) + ui_px(m, 6);
    int sy = c->header_h / 2 + ui_px(m, 8);
    if(two) {
        spx = bpx = ui_px(m, 28);
        /* three lines when two do not hold it; the clock gives way then */
        if(ui_label_measure(g, GFX_BOLD, bpx, maxw, 0, branch, NULL) > 2 * ui_label_line_h(bpx))
            lines = 3;
        by = (c->header_h - 3 * ui_label_line_h(bpx)) / 2;
        sy = by + 2 * ui_label_line_h(bpx);
    }
    if(two) {
        /* break at a space ("中国移动" / "上海徐汇营业厅") when both halves fit,
         * rather than wherever the width runs out */
        const char *sp = strrchr(branch, ' ');
        char first[96];
        if(sp && (size_t)(sp - branch) < sizeof(first)) {
            snprintf(first, sizeof(first), "%.*s", (int)(sp - branch), branch);
            if(ui_label_width(g, GFX_BOLD, bpx, first) <= maxw &&
               ui_label_width(g, GFX_BOLD, bpx, sp + 1) <= maxw) {
                snprintf(split, sizeof(split), "%s\n%s", first, sp + 1);
                branch = split;
                lines = 2;
            }
        }
    }
    ui_label_draw(g, GFX_BOLD, bpx, gfx_rgb(UI_COL_WHITE),
                  gfx_rect(left, by, maxw, lines * ui_label_line_h(bpx)), UI_ALIGN_LEFT, lines,
                  branch);
    snprintf(line, sizeof(line), "%s  %s", m->date_text, m->time_text);
    /* FAQ/triage (issue 8): squeezed (English, large text) the time alone
     * rather than a date cut in the middle */
    if(two || ui_label_width(g, GFX_REGULAR, spx, line) > maxw)
        snprintf(line, sizeof(line), "%s", m->time_text);
    {
        gfx_color_t sub = gfx_rgb(UI_COL_WHITE);
        sub.a = 210;
        if(lines < 3)
            ui_label_draw(g, GFX_REGULAR, spx, sub, gfx_rect(left, sy, maxw, ui_label_line_h(spx)),
                          UI_ALIGN_LEFT, 1, line);
        if(m->central_offline) {
            /* discreet: a small dot and a word after the clock, never a dialog */
            const char *off = i18n_get(m->lang, I18N_CENTRAL_OFFLINE);
            int x = left + ui_label_width(g, GFX_REGULAR, spx, line) + ui_px(m, 28);
            int dot = ui_px(m, 12);
            gfx_color_t amber = gfx_rgb(0xFFC857);
            if(x + dot + ui_px(m, 10) < left + maxw) {
                gfx_fill_round_rect(g, gfx_rect(x, sy + (ui_label_line_h(spx) - dot) / 2, dot, dot),
                                    dot / 2, amber);
                ui_label_draw(g, GFX_REGULAR, spx, amber,
                              gfx_rect(x + dot + ui_px(m, 10), sy,
                                       left + maxw - x - dot - ui_px(m, 10), ui_label_line_h(spx)),
                              UI_ALIGN_LEFT, 1, off);
            }
        }
    }
    if(c->contrast.rect.w > 0)
        ui_button_draw(&c->contrast, g);
    if(c->voice.rect.w > 0)
        ui_button_draw(&c->voice, g);
    ui_button_draw(&c->large, g);
    ui_button_draw(&c->lang, g);
    if(c->nav) {
        gfx_fill_rect(g, gfx_rect(0, m->h - c->footer_h, m->w, ui_px(m, 2)), gfx_rgb(UI_COL_LINE));
        ui_button_draw(&c->back, g);
        ui_button_draw(&c->home, g);
    }
}

gfx_rect_t ui_chrome_body(const ui_chrome_t *c, const ui_model_t *m)
{
    return gfx_rect(0, c->header_h, m->w, m->h - c->header_h - c->footer_h);
}

void ui_chrome_reset(ui_chrome_t *c)
{
    c->lang.pressed = c->large.pressed = c->back.pressed = c->home.pressed = false;
    c->contrast.pressed = false; /* FAQ/triage (issue 8) */
    c->voice.pressed = false;    /* voice guidance (issue 8.6) */
}
