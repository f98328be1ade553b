/*
 * board: the hall board, read from across a hall. A dark panel (a TV in a
 * bright hall: light text on dark glares least) with, from the most to the
 * least important: the newest call, huge, flashing while it is announced
 * ("A023 请到 3号窗口 办理"); one cell per counter with the number it
 * called last (the newest one flashing with it); recent calls; waiting
 * counts per service; the branch name and clock in the header.
 * Landscape: the call and the counter grid on the left, recent and
 * waiting on the right. Portrait: call, grid, then recent | waiting.
 * Everything is sized from the panel (ui_px), numbers shrink only to fit
 * their box, so 1366x768 and 3840x2160 show the same board.
 * Nothing on it is touched: handle() ignores input.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "board.h"
#include "label.h"

#define COL_BG      0x0A1A30u
#define COL_HEADER  0x0B5CADu
#define COL_CARD    0x14294Au
#define COL_LINE    0x24406Au
#define COL_TEXT    0xFFFFFFu
#define COL_MUTED   0xA9BBD3u
#define COL_NUMBER  0xFFD166u
#define COL_HOT     0xE4572Eu /* the newest call, lit */
#define COL_HOT_DIM 0x7A2E1Bu /* ... in the dark half of a flash */

typedef struct scr_board {
    scr_base_t base;
    board_view_t v; /* copied from the model's role_view */
    bool land;
    int pad, radius;
    gfx_rect_t header, hero, grid, recent, waiting;
    int cols, rows, n_cells;
} scr_board_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_board_t), g, out);
}

static void enter(void *p)
{
    (void)p;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    ui_intent_t in;

    (void)p;
    (void)ev;
    memset(&in, 0, sizeof(in));
    return in;
}

static void layout(scr_board_t *s)
{
    const ui_model_t *m = &s->base.m;
    int pad = ui_px(m, 28), hh, x, y, w, h, side;
    int n = m->cfg->n_counters;

    s->land = ui_landscape(m);
    s->pad = pad;
    s->radius = ui_px(m, 18);
    hh = ui_px(m, s->land ? 120 : 150);
    s->header = gfx_rect(0, 0, m->w, hh);
    s->n_cells = n < 1 ? 1 : n;
    if(s->land) {
        side = m->w * 34 / 100;
        w = m->w - side - 3 * pad;
        x = pad;
        y = hh + pad;
        h = m->h - y - pad;
        s->hero = gfx_rect(x, y, w, h * 40 / 100);
        s->cols = s->n_cells <= 3 ? s->n_cells : s->n_cells <= 6 ? 3 : s->n_cells <= 8 ? 4 : 5;
        s->rows = (s->n_cells + s->cols - 1) / s->cols;
        s->grid =
            gfx_rect(x, s->hero.y + s->hero.h + pad, w, y + h - (s->hero.y + s->hero.h + pad));
        x = x + w + pad;
        s->recent = gfx_rect(x, y, side, (h - pad) * 50 / 100);
        s->waiting = gfx_rect(x, s->recent.y + s->recent.h + pad, side,
                              y + h - (s->recent.y + s->recent.h + pad));
    } else {
        w = m->w - 2 * pad;
        x = pad;
        y = hh + pad;
        h = m->h - y - pad;
        s->hero = gfx_rect(x, y, w, h * 26 / 100);
        s->cols = s->n_cells <= 2 ? s->n_cells : s->n_cells <= 8 ? 2 : 3;
        s->rows = (s->n_cells + s->cols - 1) / s->cols;
        s->grid = gfx_rect(x, s->hero.y + s->hero.h + pad, w, h * 40 / 100);
        y = s->grid.y + s->grid.h + pad;
        s->recent = gfx_rect(x, y, (w - pad) / 2, m->h - pad - y);
        s->waiting = gfx_rect(x + s->recent.w + pad, y, w - s->recent.w - pad, s->recent.h);
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_board_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    if(m->role_view)
        s->v = *(const board_view_t *)m->role_view;
    else
        memset(&s->v, 0, sizeof(s->v));
    layout(s);
    return true;
}

/* ---- drawing helpers -------------------------------------------------------- */

/* The largest size <= max_px at which text fits max_w on one line. Glyph
 * widths do not scale exactly with the size (hinting): check, then step. */
static int fit(gfx_t *g, gfx_weight_t wt, int max_px, int max_w, const char *text)
{
    int px = max_px, w = ui_label_width(g, wt, px, text);

    if(w > max_w && w > 0)
        px = (int)((long)px * max_w / w);
    while(px > 8 && ui_label_width(g, wt, px, text) > max_w)
        px--;
    return px < 8 ? 8 : px;
}

/* One line of text, vertically centred on cy, inside [x, x+w). */
static void line(gfx_t *g, gfx_weight_t wt, int px, uint32_t col, int x, int cy, int w,
                 ui_align_t align, const char *text)
{
    int lh = ui_label_line_h(px);

    ui_label_draw(g, wt, px, gfx_rgb(col), gfx_rect(x, cy - lh / 2, w, lh), align, 1, text);
}

static const char *counter_name(const ui_model_t *m, int idx)
{
    const config_counter_t *c = &m->cfg->counters[idx];

    return m->lang == I18N_EN ? c->name_en : c->name_zh;
}

static void counter_text(const ui_model_t *m, int counter_no, char *buf, unsigned size)
{
    i18n_format_int(buf, size, m->lang, I18N_BOARD_COUNTER_D, counter_no);
}

static uint32_t hot(const scr_board_t *s)
{
    return s->v.lit ? COL_HOT : COL_HOT_DIM;
}

static void draw_header(const scr_board_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const char *branch = m->lang == I18N_EN ? m->cfg->branch_name_en : m->cfg->branch_name_zh;
    gfx_rect_t r = s->header;
    int cy = r.y + r.h / 2, tpx = ui_px(m, s->land ? 64 : 72), dpx = ui_px(m, s->land ? 32 : 36);
    int tw, dw, right = r.x + r.w - s->pad;

    gfx_fill_rect(g, r, gfx_rgb(COL_HEADER));
    tw = ui_label_width(g, GFX_BOLD, tpx, m->time_text);
    line(g, GFX_BOLD, tpx, COL_TEXT, right - tw, cy, tw, UI_ALIGN_RIGHT, m->time_text);
    if(m->hub_offline) {
        /* the hub away: the calls shown may be stale, so the date gives way
         * to an amber pill that says so (staff and engineers look here) */
        const char *off = i18n_get(m->lang, I18N_HUB_OFFLINE);
        int opx = fit(g, GFX_BOLD, dpx, (right - tw - s->pad) / 3, off);
        int ph = ui_label_line_h(opx) + ui_px(m, 12);
        dw = ui_label_width(g, GFX_BOLD, opx, off) + ui_px(m, 40);
        gfx_fill_round_rect(g, gfx_rect(right - tw - s->pad - dw, cy - ph / 2, dw, ph), ph / 2,
                            gfx_rgb(COL_NUMBER));
        line(g, GFX_BOLD, opx, COL_BG, right - tw - s->pad - dw, cy, dw, UI_ALIGN_CENTER, off);
    } else {
        dw = ui_label_width(g, GFX_REGULAR, dpx, m->date_text);
        line(g, GFX_REGULAR, dpx, COL_TEXT, right - tw - s->pad - dw, cy, dw, UI_ALIGN_RIGHT,
             m->date_text);
    }
    line(g, GFX_BOLD, fit(g, GFX_BOLD, ui_px(m, 52), right - tw - dw - 4 * s->pad - s->pad, branch),
         COL_TEXT, r.x + s->pad, cy, right - tw - dw - 3 * s->pad, UI_ALIGN_LEFT, branch);
}

static void draw_hero(const scr_board_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t r = s->hero;
    int in = s->pad, lpx = ui_px(m, 40), top, npx, cpx;
    char where[64], go[128];

    if(!s->v.has_current) {
        gfx_fill_round_rect(g, r, s->radius, gfx_rgb(COL_CARD));
        line(
            g, GFX_REGULAR,
            fit(g, GFX_REGULAR, ui_px(m, 64), r.w - 2 * in, i18n_get(m->lang, I18N_BOARD_NO_CALLS)),
            COL_MUTED, r.x + in, r.y + r.h / 2, r.w - 2 * in, UI_ALIGN_CENTER,
            i18n_get(m->lang, I18N_BOARD_NO_CALLS));
        return;
    }
    gfx_fill_round_rect(g, r, s->radius, gfx_rgb(hot(s)));
    line(g, GFX_BOLD, lpx, COL_TEXT, r.x + in, r.y + in / 2 + ui_label_line_h(lpx) / 2,
         r.w - 2 * in, UI_ALIGN_LEFT, i18n_get(m->lang, I18N_BOARD_NOW_CALLING));
    top = r.y + in / 2 + ui_label_line_h(lpx);
    counter_text(m, s->v.current.counter_no, where, sizeof(where));
    i18n_format(go, sizeof(go), m->lang, I18N_BOARD_GO_TO_S, where);
    if(s->land) {
        /* number on the left half, where to go on the right */
        int half = (r.w - 3 * in) / 2, cy = top + (r.y + r.h - top) / 2;

        npx = fit(g, GFX_BOLD, (r.y + r.h - top) * 80 / 100, half, s->v.current.number);
        line(g, GFX_BOLD, npx, COL_TEXT, r.x + in, cy, half, UI_ALIGN_CENTER, s->v.current.number);
        cpx = fit(g, GFX_BOLD, ui_px(m, 84), half, go);
        line(g, GFX_BOLD, cpx, COL_TEXT, r.x + 2 * in + half, cy, half, UI_ALIGN_CENTER, go);
    } else {
        int avail = r.y + r.h - top - in / 2;

        npx = fit(g, GFX_BOLD, avail * 58 / 100, r.w - 2 * in, s->v.current.number);
        cpx = fit(g, GFX_BOLD, ui_px(m, 76), r.w - 2 * in, go);
        line(g, GFX_BOLD, npx, COL_TEXT, r.x + in, top + avail * 36 / 100, r.w - 2 * in,
             UI_ALIGN_CENTER, s->v.current.number);
        line(g, GFX_BOLD, cpx, COL_TEXT, r.x + in, top + avail * 82 / 100, r.w - 2 * in,
             UI_ALIGN_CENTER, go);
    }
}

static void draw_grid(const scr_board_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    int gap = s->pad * 2 / 3, i;
    int cw = (s->grid.w - (s->cols - 1) * gap) / s->cols;
    int ch = (s->grid.h - (s->rows - 1) * gap) / s->rows;
    int in = ui_px(m, 18), namepx = ui_px(m, 30);

    /* one size for every counter's name: the longest decides */
    for(i = 0; i < m->cfg->n_counters; i++) {
        int f = fit(g, GFX_REGULAR, ui_px(m, 30), cw - 2 * in, counter_name(m, i));
        if(f < namepx)
            namepx = f;
    }
    for(i = 0; i < m->cfg->n_counters; i++) {
        gfx_rect_t c = gfx_rect(s->grid.x + (i % s->cols) * (cw + gap),
                                s->grid.y + (i / s->cols) * (ch + gap), cw, ch);
        bool newest = s->v.has_current && s->v.current.counter_idx == i && s->v.has_row[i] &&
                      !strcmp(s->v.row[i].number, s->v.current.number);
        const char *name = counter_name(m, i);
        int lh = ui_label_line_h(namepx), numpx;
        const char *num = s->v.has_row[i] ? s->v.row[i].number : "—";

        gfx_fill_round_rect(g, c, s->radius, gfx_rgb(newest ? hot(s) : COL_CARD));
        /* the counter's name on top, the number below, as large as fits */
        line(g, GFX_REGULAR, namepx, newest ? COL_TEXT : COL_MUTED, c.x + in, c.y + in / 2 + lh / 2,
             c.w - 2 * in, UI_ALIGN_LEFT, name);
        numpx = fit(g, GFX_BOLD, (c.h - lh - in) * 72 / 100, c.w - 2 * in, "W000");
        line(g, GFX_BOLD, numpx, s->v.has_row[i] ? (newest ? COL_TEXT : COL_NUMBER) : COL_LINE,
             c.x + in, c.y + in / 2 + lh + (c.h - lh - in / 2) / 2, c.w - 2 * in, UI_ALIGN_CENTER,
             num);
    }
}

/* A card with a title; returns the y under the title. */
static int card(const scr_board_t *s, gfx_t *g, gfx_rect_t r, const char *title, int tpx)
{
    int in = s->pad, lh = ui_label_line_h(tpx);

    gfx_fill_round_rect(g, r, s->radius, gfx_rgb(COL_CARD));
    line(g, GFX_BOLD, tpx, COL_MUTED, r.x + in, r.y + in / 2 + lh / 2, r.w - 2 * in, UI_ALIGN_LEFT,
         title);
    gfx_fill_rect(g, gfx_rect(r.x + in, r.y + in / 2 + lh, r.w - 2 * in, ui_px(&s->base.m, 2)),
                  gfx_rgb(COL_LINE));
    return r.y + in / 2 + lh + in / 2;
}

static void draw_recent(const scr_board_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t r = s->recent;
    int in = s->pad, y = card(s, g, r, i18n_get(m->lang, I18N_BOARD_RECENT), ui_px(m, 36));
    int shown = 4, rh, px, i;
    char where[64];

    rh = (r.y + r.h - in / 2 - y) / shown;
    px = rh * 50 / 100;
    if(px > ui_px(m, 64))
        px = ui_px(m, 64);
    if(s->v.n_recent == 0) /* an empty card would look broken */
        line(g, GFX_BOLD, px, COL_LINE, r.x + in, y + (r.y + r.h - y) / 2, r.w - 2 * in,
             UI_ALIGN_CENTER, "—");
    for(i = 0; i < s->v.n_recent && i < shown; i++) {
        int cy = y + i * rh + rh / 2, half = (r.w - 2 * in) / 2;

        counter_text(m, s->v.recent[i].counter_no, where, sizeof(where));
        line(g, GFX_BOLD, px, COL_NUMBER, r.x + in, cy, half, UI_ALIGN_LEFT, s->v.recent[i].number);
        line(g, GFX_REGULAR, fit(g, GFX_REGULAR, px * 80 / 100, half, where), COL_TEXT,
             r.x + in + half, cy, half, UI_ALIGN_RIGHT, where);
    }
}

static void draw_waiting(const scr_board_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t r = s->waiting;
    int in = s->pad, y = card(s, g, r, i18n_get(m->lang, I18N_BOARD_WAITING), ui_px(m, 36));
    int n = m->cfg->n_services, rh, px, i, numw, namepx = 1 << 20;
    char cnt[32];

    if(n < 1)
        return;
    rh = (r.y + r.h - in / 2 - y) / n;
    px = rh * 55 / 100;
    if(px > ui_px(m, 40))
        px = ui_px(m, 40);
    numw = ui_label_width(g, GFX_BOLD, px, "888 人") + in;
    /* one size for every name: the longest decides */
    for(i = 0; i < n; i++) {
        const config_service_t *sv = &m->cfg->services[i];
        int f = fit(g, GFX_REGULAR, px, r.w - 2 * in - numw,
                    m->lang == I18N_EN ? sv->name_en : sv->name_zh);
        if(f < namepx)
            namepx = f;
    }
    for(i = 0; i < n; i++) {
        const config_service_t *sv = &m->cfg->services[i];
        const char *name = m->lang == I18N_EN ? sv->name_en : sv->name_zh;
        int cy = y + i * rh + rh / 2, namew = r.w - 2 * in - numw;

        if(s->v.have_waiting)
            i18n_format_int(cnt, sizeof(cnt), m->lang, I18N_BOARD_WAITING_D, s->v.waiting[i]);
        else
            snprintf(cnt, sizeof(cnt), "–");
        line(g, GFX_REGULAR, namepx, COL_TEXT, r.x + in, cy, namew, UI_ALIGN_LEFT, name);
        line(g, GFX_BOLD, px, COL_NUMBER, r.x + r.w - in - numw, cy, numw, UI_ALIGN_RIGHT, cnt);
    }
}

static void draw(const void *p, gfx_t *g)
{
    const scr_board_t *s = p;
    const ui_model_t *m = &s->base.m;

    gfx_fill_rect(g, gfx_rect(0, s->header.h, m->w, m->h - s->header.h), gfx_rgb(COL_BG));
    draw_header(s, g);
    draw_hero(s, g);
    draw_grid(s, g);
    draw_recent(s, g);
    draw_waiting(s, g);
}

static const scr_ops_t ops = { "board", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_board_ops(void)
{
    return &ops;
}
