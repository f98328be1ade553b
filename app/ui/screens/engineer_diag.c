/*
 * engineer_diag: the engineer mode's diagnostics (issue 9.5), one screen
 * with tabs: status (version, slot, device, role, branch, disk, head
 * office and the backlog), network (interfaces and addresses), printer
 * (its state and a test slip), a touch test grid, a screen test pattern
 * (colour bars, gradients, a 1-px grid) and the recent log entries (with
 * the export to a USB stick). Exit and Restart are always a tap away. What
 * it shows comes from engineer.c (ui_model_t.role_view).
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "engineer.h"
#include "label.h"

typedef struct scr_engineer_diag {
    scr_base_t base;
    ui_button_t tab[ENGINEER_TAB_COUNT];
    ui_button_t exit, action;
    engineer_action_t action_kind;
    bool has_action;
    gfx_rect_t title, content, toast;
    int cols, rows; /* touch grid */
    bool touching;
} scr_engineer_diag_t;

static const i18n_key_t tab_keys[ENGINEER_TAB_COUNT] = {
    I18N_ENG_TAB_STATUS, I18N_ENG_TAB_NETWORK, I18N_ENG_TAB_PRINTER,
    I18N_ENG_TAB_TOUCH,  I18N_ENG_TAB_SCREEN,  I18N_ENG_TAB_LOGS,
};

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_engineer_diag_t), g, out);
}

static void enter(void *p)
{
    scr_engineer_diag_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    for(int i = 0; i < ENGINEER_TAB_COUNT; i++)
        s->tab[i].pressed = false;
    s->exit.pressed = s->action.pressed = false;
    s->touching = false;
}

static int touch_cell(const scr_engineer_diag_t *s, int x, int y)
{
    gfx_rect_t r = s->content;
    int c, rw;

    if(!ui_rect_contains(r, x, y) || s->cols < 1 || s->rows < 1)
        return -1;
    c = (x - r.x) * s->cols / r.w;
    rw = (y - r.y) * s->rows / r.h;
    return rw * s->cols + c;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_engineer_diag_t *s = p;
    const engineer_view_t *v = engineer_view_of(&s->base.m);
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(v->tab == ENGINEER_TAB_TOUCH) {
        int cell = touch_cell(s, ev->x, ev->y);
        if(ev->type == DISPLAY_EV_DOWN)
            s->touching = cell >= 0;
        if(ev->type == DISPLAY_EV_UP)
            s->touching = false;
        if(cell >= 0 &&
           (ev->type == DISPLAY_EV_DOWN || (ev->type == DISPLAY_EV_MOVE && s->touching))) {
            in.kind = INTENT_ENG_TOUCH;
            in.arg = cell;
            return in;
        }
    }
    for(int i = 0; i < ENGINEER_TAB_COUNT; i++)
        if(ui_button_handle(&s->tab[i], ev, &changed)) {
            in.kind = INTENT_ENG_TAB;
            in.arg = i;
            return in;
        }
    if(ui_button_handle(&s->exit, ev, &changed)) {
        in.kind = INTENT_ENG_ACTION;
        in.arg = ENGINEER_ACT_EXIT;
        return in;
    }
    if(s->has_action && ui_button_handle(&s->action, ev, &changed)) {
        in.kind = INTENT_ENG_ACTION;
        in.arg = s->action_kind;
        return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_engineer_diag_t *s)
{
    const ui_model_t *m = &s->base.m;
    const engineer_view_t *v = engineer_view_of(m);
    bool land = ui_landscape(m);
    int pad = ui_px(m, 40), gap = ui_px(m, 16), th = ui_px(m, 120), bh = ui_px(m, 130), tw, y;
    gfx_rect_t body, area;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    y = body.y + ui_px(m, 24);
    /* title and Exit */
    scr_button(&s->exit, m, gfx_rect(m->w - pad - ui_px(m, 260), y, ui_px(m, 260), ui_px(m, 110)),
               i18n_get(m->lang, I18N_ENG_EXIT), UI_COL_DISABLED, UI_COL_TEXT, 44);
    s->title = gfx_rect(pad, y + (ui_px(m, 110) - ui_label_line_h(ui_font(m, 56))) / 2,
                        m->w - 2 * pad - ui_px(m, 300), ui_label_line_h(ui_font(m, 56)));
    y += ui_px(m, 110) + ui_px(m, 24);
    /* the tabs: one row on a portrait panel; a column on the left of a
     * landscape one, so the content keeps the panel's height */
    if(land) {
        tw = ui_px(m, 300);
        th = (body.y + body.h - pad - y - (ENGINEER_TAB_COUNT - 1) * gap) / ENGINEER_TAB_COUNT;
        if(th > ui_px(m, 130))
            th = ui_px(m, 130);
        area = gfx_rect(pad + tw + ui_px(m, 32), y, m->w - 2 * pad - tw - ui_px(m, 32),
                        body.y + body.h - pad - y);
    } else {
        tw = (m->w - 2 * pad - (ENGINEER_TAB_COUNT - 1) * gap) / ENGINEER_TAB_COUNT;
        area = gfx_rect(pad, y + th + ui_px(m, 24), m->w - 2 * pad,
                        body.y + body.h - pad - y - th - ui_px(m, 24));
    }
    for(int i = 0; i < ENGINEER_TAB_COUNT; i++) {
        bool on = (int)v->tab == i;
        gfx_rect_t r = land ? gfx_rect(pad, y + i * (th + gap), tw, th)
                            : gfx_rect(pad + i * (tw + gap), y, tw, th);
        scr_button(&s->tab[i], m, r, i18n_get(m->lang, tab_keys[i]),
                   on ? UI_COL_BRAND : UI_COL_CARD, on ? UI_COL_WHITE : UI_COL_TEXT, 38);
        while(s->tab[i].title_px > ui_px(m, 24) &&
              ui_label_width(s->base.g, GFX_BOLD, s->tab[i].title_px, s->tab[i].title) >
                  tw - ui_px(m, 64))
            s->tab[i].title_px -= 2;
    }
    {
        /* one size for every tab: the smallest that fits them all */
        int px = s->tab[0].title_px;
        for(int i = 1; i < ENGINEER_TAB_COUNT; i++)
            if(s->tab[i].title_px < px)
                px = s->tab[i].title_px;
        for(int i = 0; i < ENGINEER_TAB_COUNT; i++)
            s->tab[i].title_px = px;
    }
    /* the action of the tab, at the bottom of the area */
    s->has_action = true;
    switch(v->tab) {
    case ENGINEER_TAB_STATUS: s->action_kind = ENGINEER_ACT_RESTART; break;
    case ENGINEER_TAB_PRINTER: s->action_kind = ENGINEER_ACT_TEST_PRINT; break;
    case ENGINEER_TAB_TOUCH: s->action_kind = ENGINEER_ACT_TOUCH_CLEAR; break;
    case ENGINEER_TAB_LOGS: s->action_kind = ENGINEER_ACT_EXPORT; break;
    default: s->has_action = false; break;
    }
    if(s->has_action) {
        static const i18n_key_t act_keys[] = { I18N_ENG_EXIT, I18N_ENG_PRINT_TEST, I18N_ENG_EXPORT,
                                               I18N_ENG_RESTART, I18N_ENG_CLEAR };
        int lh2 = ui_label_line_h(ui_font(m, 34)) * 2;
        bool warn = s->action_kind == ENGINEER_ACT_RESTART;
        gfx_rect_t ar;
        if(land) {
            /* the button on the right, its message beside it: one band */
            int aw = ui_px(m, 620);
            ar = gfx_rect(area.x + area.w - aw, area.y + area.h - bh, aw, bh);
            s->toast = gfx_rect(area.x, ar.y + (bh - lh2) / 2, area.w - aw - ui_px(m, 24), lh2);
            s->content = gfx_rect(area.x, area.y, area.w, ar.y - ui_px(m, 20) - area.y);
        } else {
            ar = gfx_rect(area.x, area.y + area.h - bh, area.w, bh);
            s->toast = gfx_rect(area.x, ar.y - ui_px(m, 20) - lh2, area.w, lh2);
            s->content = gfx_rect(area.x, area.y, area.w, s->toast.y - ui_px(m, 16) - area.y);
        }
        scr_button(&s->action, m, ar, i18n_get(m->lang, act_keys[s->action_kind]),
                   warn ? UI_COL_WARN : UI_COL_BRAND, UI_COL_WHITE, 44);
        s->action.enabled = s->action_kind != ENGINEER_ACT_TEST_PRINT || v->has_printer;
    } else {
        s->toast = gfx_rect(0, 0, 0, 0);
        s->content = area;
    }
    s->cols = land ? ENGINEER_TOUCH_ROWS : ENGINEER_TOUCH_COLS;
    s->rows = land ? ENGINEER_TOUCH_COLS : ENGINEER_TOUCH_ROWS;
}

static bool update(void *p, const ui_model_t *m)
{
    scr_engineer_diag_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

/* Rows first..last-1 of the table in r, top down, while they fit. */
static void draw_row_column(const scr_engineer_diag_t *s, const engineer_view_t *v, gfx_t *g,
                            gfx_rect_t r, int first, int last)
{
    const ui_model_t *m = &s->base.m;
    bool half = r.w < ui_px(m, 900); /* a column of two (landscape) */
    int fs = ui_font(m, 38), padv = ui_px(m, m->large || half ? 24 : 34);
    int lw = r.w * (half ? 38 : 34) / 100, y = r.y;

    for(int i = first; i < last; i++) {
        const engineer_row_t *row = &v->rows[i];
        const char *label = row->key ? i18n_get(m->lang, row->key) : row->text;
        const char *value = row->value[0] ? row->value : i18n_get(m->lang, I18N_ENG_NONE);
        int vh = ui_label_measure(g, GFX_BOLD, fs, r.w - lw - ui_px(m, 60), 2, value, NULL);
        int kh = ui_label_measure(g, GFX_REGULAR, fs, lw - ui_px(m, 30), 2, label, NULL);
        int h = (vh > kh ? vh : kh) + padv;
        if(y + h > r.y + r.h)
            break; /* what does not fit is left out whole, never cut */
        if(i > first)
            gfx_fill_rect(g, gfx_rect(r.x + ui_px(m, 24), y, r.w - ui_px(m, 48), ui_px(m, 2)),
                          gfx_rgb(UI_COL_LINE));
        ui_label_draw(g, GFX_REGULAR, fs, gfx_rgb(UI_COL_MUTED),
                      gfx_rect(r.x + ui_px(m, 30), y + padv / 2, lw - ui_px(m, 30), kh),
                      UI_ALIGN_LEFT, 2, label);
        ui_label_draw(g, GFX_BOLD, fs, gfx_rgb(row->bad ? UI_COL_WARN : UI_COL_TEXT),
                      gfx_rect(r.x + lw + ui_px(m, 20), y + padv / 2, r.w - lw - ui_px(m, 50), vh),
                      UI_ALIGN_LEFT, 2, value);
        y += h;
    }
}

/* The table on a card: two columns where the card is wide (landscape). */
static void draw_rows(const scr_engineer_diag_t *s, const engineer_view_t *v, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t r = s->content;

    gfx_fill_round_rect(g, r, ui_px(m, 20), gfx_rgb(UI_COL_CARD));
    if(r.w >= ui_px(m, 1300) && v->n_rows > 4) {
        int half = (v->n_rows + 1) / 2, cw = r.w / 2;
        draw_row_column(s, v, g, gfx_rect(r.x, r.y, cw, r.h), 0, half);
        gfx_fill_rect(g, gfx_rect(r.x + cw, r.y + ui_px(m, 24), ui_px(m, 2), r.h - ui_px(m, 48)),
                      gfx_rgb(UI_COL_LINE));
        draw_row_column(s, v, g, gfx_rect(r.x + cw, r.y, r.w - cw, r.h), half, v->n_rows);
    } else {
        draw_row_column(s, v, g, r, 0, v->n_rows);
    }
}

static void draw_touch(const scr_engineer_diag_t *s, const engineer_view_t *v, gfx_t *g)
{
    gfx_rect_t r = s->content;
    const ui_model_t *m = &s->base.m;

    gfx_fill_rect(g, r, gfx_rgb(UI_COL_LINE));
    for(int rw = 0; rw < s->rows; rw++)
        for(int c = 0; c < s->cols; c++) {
            int x0 = r.x + c * r.w / s->cols, x1 = r.x + (c + 1) * r.w / s->cols;
            int y0 = r.y + rw * r.h / s->rows, y1 = r.y + (rw + 1) * r.h / s->rows;
            bool on = v->touch[rw * s->cols + c] != 0;
            gfx_fill_rect(g, gfx_rect(x0 + 1, y0 + 1, x1 - x0 - 2, y1 - y0 - 2),
                          gfx_rgb(on ? UI_COL_OK : UI_COL_CARD));
        }
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 34), gfx_rgb(UI_COL_MUTED), s->toast, UI_ALIGN_CENTER,
                  2, i18n_get(m->lang, I18N_ENG_TOUCH_HINT));
}

static void draw_pattern(const scr_engineer_diag_t *s, gfx_t *g)
{
    static const uint32_t bars[8] = { 0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00,
                                      0xFF00FF, 0xFF0000, 0x0000FF, 0x000000 };
    static const uint32_t ramps[4] = { 0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF };
    gfx_rect_t r = s->content;
    int bh = r.h * 30 / 100, gh = r.h * 40 / 100, y = r.y, steps = 64;

    for(int i = 0; i < 8; i++) {
        int x0 = r.x + i * r.w / 8, x1 = r.x + (i + 1) * r.w / 8;
        gfx_fill_rect(g, gfx_rect(x0, y, x1 - x0, bh), gfx_rgb(bars[i]));
    }
    y += bh;
    for(int k = 0; k < 4; k++) {
        int y0 = y + k * gh / 4, y1 = y + (k + 1) * gh / 4;
        for(int i = 0; i < steps; i++) {
            int x0 = r.x + i * r.w / steps, x1 = r.x + (i + 1) * r.w / steps;
            unsigned lv = (unsigned)(i * 255 / (steps - 1));
            uint32_t c = ramps[k];
            uint32_t col = (((c >> 16 & 0xFF) * lv / 255) << 16) |
                           (((c >> 8 & 0xFF) * lv / 255) << 8) | ((c & 0xFF) * lv / 255);
            gfx_fill_rect(g, gfx_rect(x0, y0, x1 - x0, y1 - y0), gfx_rgb(col));
        }
    }
    y += gh;
    /* the 1-px grid: white with a black line every 4 px, and a 1-px checker strip */
    {
        gfx_rect_t gr = gfx_rect(r.x, y, r.w, r.y + r.h - y);
        gfx_fill_rect(g, gr, gfx_rgb(0xFFFFFF));
        for(int x = gr.x; x < gr.x + gr.w; x += 4)
            gfx_fill_rect(g, gfx_rect(x, gr.y, 1, gr.h), gfx_rgb(0x000000));
        for(int yy = gr.y; yy < gr.y + gr.h; yy += 4)
            gfx_fill_rect(g, gfx_rect(gr.x, yy, gr.w, 1), gfx_rgb(0x000000));
        /* the outermost pixels of the area, in red: the edges show any cropping */
        gfx_fill_rect(g, gfx_rect(gr.x, gr.y, gr.w, 1), gfx_rgb(0xFF0000));
        gfx_fill_rect(g, gfx_rect(gr.x, gr.y + gr.h - 1, gr.w, 1), gfx_rgb(0xFF0000));
        gfx_fill_rect(g, gfx_rect(gr.x, gr.y, 1, gr.h), gfx_rgb(0xFF0000));
        gfx_fill_rect(g, gfx_rect(gr.x + gr.w - 1, gr.y, 1, gr.h), gfx_rgb(0xFF0000));
    }
}

static void draw_logs(const scr_engineer_diag_t *s, const engineer_view_t *v, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t r = s->content;
    int fs = ui_px(m, 26), lh = ui_label_line_h(fs), y, n, first;

    gfx_fill_round_rect(g, r, ui_px(m, 20), gfx_rgb(0x111827));
    ui_label_draw(g, GFX_BOLD, ui_font(m, 30), gfx_rgb(0x9CA3AF),
                  gfx_rect(r.x + ui_px(m, 24), r.y + ui_px(m, 16), r.w - ui_px(m, 48), lh * 2),
                  UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_ENG_LOGS_HINT));
    y = r.y + ui_px(m, 16) + ui_label_line_h(ui_font(m, 30)) + ui_px(m, 10);
    n = (r.y + r.h - ui_px(m, 16) - y) / lh; /* the newest that fit */
    first = v->n_log > n ? v->n_log - n : 0;
    for(int i = first; i < v->n_log; i++, y += lh)
        ui_label_draw(
            g, GFX_REGULAR, fs,
            gfx_rgb(strstr(v->log[i], " warn ") || strstr(v->log[i], " error ") ? 0xFBBF24
                                                                                : 0xE5E7EB),
            gfx_rect(r.x + ui_px(m, 24), y, r.w - ui_px(m, 48), lh), UI_ALIGN_LEFT, 1, v->log[i]);
}

static void draw(const void *p, gfx_t *g)
{
    const scr_engineer_diag_t *s = p;
    const ui_model_t *m = &s->base.m;
    const engineer_view_t *v = engineer_view_of(m);

    ui_chrome_clear(&s->base.chrome, m, g, UI_COL_BG, NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    ui_label_draw(g, GFX_BOLD, ui_font(m, 56), gfx_rgb(UI_COL_TEXT), s->title, UI_ALIGN_LEFT, 1,
                  i18n_get(m->lang, I18N_ENG_TITLE));
    ui_button_draw(&s->exit, g);
    for(int i = 0; i < ENGINEER_TAB_COUNT; i++)
        ui_button_draw(&s->tab[i], g);
    switch(v->tab) {
    case ENGINEER_TAB_TOUCH: draw_touch(s, v, g); break;
    case ENGINEER_TAB_SCREEN: draw_pattern(s, g); break;
    case ENGINEER_TAB_LOGS: draw_logs(s, v, g); break;
    default: draw_rows(s, v, g); break;
    }
    if(v->toast_key) {
        char msg[400];
        if(v->toast_key == I18N_ENG_EXPORT_DONE_S)
            i18n_format(msg, sizeof(msg), m->lang, v->toast_key, v->toast);
        else
            snprintf(msg, sizeof(msg), "%s", i18n_get(m->lang, v->toast_key));
        ui_label_draw(g, GFX_BOLD, ui_font(m, 34), gfx_rgb(v->toast_bad ? UI_COL_WARN : UI_COL_OK),
                      s->toast, UI_ALIGN_CENTER, 2, msg);
    }
    if(s->has_action)
        ui_button_draw(&s->action, g);
}

static const scr_ops_t ops = { "engineer", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_engineer_diag_ops(void)
{
    return &ops;
}
