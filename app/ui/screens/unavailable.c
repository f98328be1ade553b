/*
 * unavailable: what FAQ, submit-an-issue and rating show until their
 * issues land: an honest "not available on this terminal yet" and where
 * to get help instead. No fake content.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

typedef struct scr_unavailable {
    scr_base_t base;
} scr_unavailable_t;

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_unavailable_t), g, out);
}

static void enter(void *p)
{
    scr_unavailable_t *s = p;

    ui_chrome_reset(&s->base.chrome);
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_unavailable_t *s = p;

    return ui_chrome_handle(&s->base.chrome, ev);
}

static bool update(void *p, const ui_model_t *m)
{
    scr_unavailable_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    return true;
}

/* The icon and the three texts from y0; draws only when draw is true;
 * returns the height. */
static int block(const scr_unavailable_t *s, gfx_t *g, int y0, bool draw)
{
    const ui_model_t *m = &s->base.m;
    int pad = ui_px(m, 80), d = ui_px(m, 200), y = y0, w = m->w - 2 * pad;
    int ipx = ui_px(m, 120);

    if(draw) {
        int iw = ui_label_width(g, GFX_BOLD, ipx, "i");
        gfx_fill_round_rect(g, gfx_rect((m->w - d) / 2, y, d, d), d / 2,
                            gfx_rgb(ui_fill(m, 0xDCE7F5)));
        gfx_draw_text(g, GFX_BOLD, ipx, gfx_rgb(ui_ink(m, UI_COL_BRAND)), (m->w - iw) / 2,
                      y + (d - ipx * 145 / 100) / 2, "i", 1);
    }
    y += d + ui_px(m, 50);
    y += ui_label_put(g, draw, GFX_BOLD, ui_font(m, 64), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 2,
                      i18n_get(m->lang, m->unavailable_title));
    y += ui_px(m, 30);
    y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 44), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 3,
                      i18n_get(m->lang, I18N_UNAVAILABLE));
    y += ui_px(m, 16);
    y += ui_label_put(g, draw, GFX_REGULAR, ui_font(m, 36), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                      gfx_rect(pad, y, w, m->h), UI_ALIGN_CENTER, 3,
                      i18n_get(m->lang, I18N_UNAVAILABLE_HELP));
    return y - y0;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_unavailable_t *s = p;
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body = ui_chrome_body(&s->base.chrome, m);
    int h;

    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    /* a little above the middle of the body, whatever the panel's shape */
    h = block(s, g, 0, false);
    block(s, g, body.y + (body.h - h) * 2 / 5, true);
}

static const scr_ops_t ops = {
    "unavailable", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_unavailable_ops(void)
{
    return &ops;
}
