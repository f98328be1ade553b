/*
 * attract: the idle screen. Large welcome, branch name, the time, how many
 * people are waiting, and one instruction: touch to start. Any touch that
 * is not on the header toggles starts.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

typedef struct scr_attract {
    scr_base_t base;
    bool down_in_body;
} scr_attract_t;

static hk_err_t create(gfx_t *g, void **out)
{
    hk_err_t rc = scr_base_create(sizeof(scr_attract_t), g, out);

    if(rc == HK_OK) {
        scr_attract_t *s = *out;
        s->base.chrome.dark = true;
    }
    return rc;
}

static void enter(void *p)
{
    scr_attract_t *s = p;

    ui_chrome_reset(&s->base.chrome);
    s->down_in_body = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_attract_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(ev->type == DISPLAY_EV_DOWN)
        s->down_in_body = ev->y > s->base.chrome.header_h;
    else if(ev->type == DISPLAY_EV_UP && s->down_in_body && ev->y > s->base.chrome.header_h) {
        s->down_in_body = false;
        in.kind = INTENT_START;
    }
    return in;
}

static bool update(void *p, const ui_model_t *m)
{
    scr_attract_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    return true;
}

/* Welcome, branch, time, date and the waiting count from y0; draws only
 * when draw is true; returns the height. */
static int info_block(const scr_attract_t *s, gfx_t *g, int y0, bool draw)
{
    const ui_model_t *m = &s->base.m;
    const char *branch = m->lang == I18N_EN ? m->cfg->branch_name_en : m->cfg->branch_name_zh;
    int cx = ui_px(m, 60), cw = m->w - 2 * cx, y = y0;
    bool land = ui_landscape(m);
    char buf[128];
    gfx_color_t soft = gfx_rgb(UI_COL_WHITE);

    soft.a = 200;
    y += ui_label_put(g, draw, GFX_BOLD, ui_font(m, land ? 100 : 132), gfx_rgb(UI_COL_WHITE),
                      gfx_rect(cx, y, cw, m->h), UI_ALIGN_CENTER, 2,
                      i18n_get(m->lang, I18N_WELCOME));
    y += ui_px(m, 10);
    y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 52), soft, gfx_rect(cx, y, cw, m->h),
                      UI_ALIGN_CENTER, 2, branch);
    y += ui_px(m, land ? 30 : 110);
    y += ui_label_put(g, draw, GFX_BOLD, ui_px(m, land ? 150 : 190), gfx_rgb(UI_COL_WHITE),
                      gfx_rect(cx, y, cw, m->h), UI_ALIGN_CENTER, 1, m->time_text);
    y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 44), soft, gfx_rect(cx, y, cw, m->h),
                      UI_ALIGN_CENTER, 1, m->date_text);
    y += ui_px(m, land ? 16 : 40);
    if(m->total_waiting >= 0) {
        i18n_format_int(buf, sizeof(buf), m->lang, I18N_WAITING_NOW_D, m->total_waiting);
        y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 40), soft, gfx_rect(cx, y, cw, m->h),
                          UI_ALIGN_CENTER, 1, buf);
    }
    return y - y0;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_attract_t *s = p;
    const ui_model_t *m = &s->base.m;
    int cw = m->w - 2 * ui_px(m, 60);
    int y, pillw, pillh, pill_y, tpx;
    bool land = ui_landscape(m);

    gfx_fill_rect(g, gfx_rect(0, 0, m->w, m->h), gfx_rgb(UI_COL_BRAND));
    /* two quiet shapes so the screen does not look like an error page */
    gfx_fill_round_rect(
        g, gfx_rect(m->w - ui_px(m, 420), m->h - ui_px(m, 520), ui_px(m, 760), ui_px(m, 760)),
        ui_px(m, 380), gfx_rgb(0x0F67BE));
    gfx_fill_round_rect(g, gfx_rect(-ui_px(m, 260), m->h / 3, ui_px(m, 520), ui_px(m, 520)),
                        ui_px(m, 260), gfx_rgb(0x0D61B5));
    ui_chrome_draw(&s->base.chrome, m, g);

    /* the one instruction, in a big white pill near the bottom */
    tpx = ui_font(m, 56);
    pillh = tpx * 2 + ui_px(m, 30);
    pill_y = m->h - pillh - ui_px(m, land ? 90 : 200);
    /* the welcome block sits centred between the header and the pill, so
     * a 4:3 or 5:4 panel's extra height goes around it, not under it */
    y = info_block(s, g, 0, false);
    info_block(s, g, s->base.chrome.header_h + (pill_y - s->base.chrome.header_h - y) / 2, true);
    pillw =
        ui_label_width(g, GFX_BOLD, tpx, i18n_get(m->lang, I18N_TOUCH_TO_START)) + ui_px(m, 160);
    if(pillw > cw)
        pillw = cw;
    y = pill_y;
    gfx_fill_round_rect(g, gfx_rect((m->w - pillw) / 2, y, pillw, pillh), pillh / 2,
                        gfx_rgb(UI_COL_WHITE));
    ui_label_draw(
        g, GFX_BOLD, tpx, gfx_rgb(UI_COL_BRAND),
        gfx_rect((m->w - pillw) / 2, y + (pillh - ui_label_line_h(tpx)) / 2, pillw, pillh),
        UI_ALIGN_CENTER, 1, i18n_get(m->lang, I18N_TOUCH_TO_START));
}

static const scr_ops_t ops = { "attract", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_attract_ops(void)
{
    return &ops;
}
