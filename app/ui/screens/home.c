/*
 * home: four tiles: take a number (the big one, it is why most people come),
 * FAQ, submit an issue, rate our service. A line below says how many wait
 * and today's hours.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"

enum { TILE_TAKE, TILE_FAQ, TILE_SUBMIT, TILE_RATE, TILE_COUNT };

typedef struct scr_home {
    scr_base_t base;
    ui_button_t tiles[TILE_COUNT];
    ui_button_t triage; /* FAQ/triage (issue 8): "not sure what you need?" */
    gfx_rect_t title_box;
    gfx_rect_t info_box;
} scr_home_t;

static const struct {
    i18n_key_t title, sub;
    uint32_t color;
    const char *icon;
    ui_intent_kind_t intent;
} tile_def[TILE_COUNT] = {
    { I18N_TILE_TAKE, I18N_TILE_TAKE_SUB, UI_COL_TAKE, "＃", INTENT_OPEN_SERVICES },
    { I18N_TILE_FAQ, I18N_TILE_FAQ_SUB, UI_COL_FAQ, "？", INTENT_OPEN_FAQ },
    { I18N_TILE_SUBMIT, I18N_TILE_SUBMIT_SUB, UI_COL_SUBMIT, "！", INTENT_OPEN_SUBMIT },
    { I18N_TILE_RATE, I18N_TILE_RATE_SUB, UI_COL_RATE, "★", INTENT_OPEN_RATE },
};

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_home_t), g, out);
}

static void enter(void *p)
{
    scr_home_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < TILE_COUNT; i++)
        s->tiles[i].pressed = false;
    s->triage.pressed = false;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_home_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    for(i = 0; i < TILE_COUNT; i++)
        if(ui_button_handle(&s->tiles[i], ev, &changed)) {
            in.kind = tile_def[i].intent;
            return in;
        }
    if(ui_button_handle(&s->triage, ev, &changed)) {
        in.kind = INTENT_OPEN_TRIAGE;
        return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_home_t *s)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body;
    int pad = ui_px(m, 48), gap = ui_px(m, 32), i, title_h;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, false);
    body = ui_chrome_body(&s->base.chrome, m);
    title_h = ui_label_line_h(ui_font(m, 64)) + ui_px(m, 70);
    s->title_box = gfx_rect(pad, body.y + ui_px(m, 44), m->w - 2 * pad, title_h);
    /* room for the info line wrapping once in large text */
    s->info_box = gfx_rect(pad, m->h - ui_px(m, 30) - 2 * ui_label_line_h(ui_font(m, 34)),
                           m->w - 2 * pad, 2 * ui_label_line_h(ui_font(m, 34)));
    body.y = s->title_box.y + title_h;
    body.h = s->info_box.y - ui_px(m, 24) - body.y;
    body.x = pad;
    body.w = m->w - 2 * pad;
    {
        /* FAQ/triage (issue 8): one wide button above the tiles routes a
         * customer who does not know which service they need */
        int th = ui_px(m, m->large ? 170 : 150);
        ui_button_t *b = &s->triage;
        ui_button_init(b);
        snprintf(b->title, sizeof(b->title), "%s", i18n_get(m->lang, I18N_TILE_TRIAGE));
        snprintf(b->subtitle, sizeof(b->subtitle), "%s", i18n_get(m->lang, I18N_TILE_TRIAGE_SUB));
        snprintf(b->icon, sizeof(b->icon), "%s", "→");
        if(ui_landscape(m)) {
            /* landscape: beside the title, over the right column, so the
             * tiles keep their height */
            int lw = (body.w - gap) * 45 / 100;
            s->title_box.w = lw; /* the title never runs under the button */
            b->rect =
                gfx_rect(body.x + lw + gap, s->title_box.y + (title_h - th) / 2 - ui_px(m, 20),
                         body.w - lw - gap, th);
        } else {
            b->rect = gfx_rect(body.x, body.y, body.w, th);
        }
        b->align = UI_ALIGN_LEFT;
        b->bg = m->contrast ? 0xFFE14Du : UI_COL_BRAND_DARK;
        b->fg = m->contrast ? 0x000000u : UI_COL_WHITE;
        b->radius = ui_px(m, 36);
        b->unit100 = ui_px(m, 100);
        b->title_px = ui_font(m, 46);
        b->sub_px = ui_font(m, 30);
        b->icon_px = ui_px(m, 40);
        if(!ui_landscape(m)) {
            body.y += th + gap;
            body.h -= th + gap;
        }
    }
    for(i = 0; i < TILE_COUNT; i++) {
        ui_button_t *b = &s->tiles[i];
        ui_button_init(b);
        snprintf(b->title, sizeof(b->title), "%s", i18n_get(m->lang, tile_def[i].title));
        snprintf(b->subtitle, sizeof(b->subtitle), "%s",
                 i18n_get(m->lang, i == TILE_FAQ && m->faq.load_failed ? I18N_TILE_FAQ_FAILED
                                                                       : tile_def[i].sub));
        snprintf(b->icon, sizeof(b->icon), "%s", tile_def[i].icon);
        b->bg = ui_fill_press(m, tile_def[i].color); /* high contrast: yellow, black text */
        b->fg = ui_ink_press(m, b->fg);
        b->unit100 = ui_px(m, 100);
        b->radius = ui_px(m, 36);
        b->title_px = ui_font(m, i == TILE_TAKE ? 84 : 52);
        b->sub_px = ui_font(m, i == TILE_TAKE ? 38 : 28);
        b->icon_px = ui_px(m, i == TILE_TAKE ? 72 : 50);
    }
    if(ui_landscape(m)) {
        int lw = (body.w - gap) * 45 / 100, rw = body.w - gap - lw;
        int th = (body.h - 2 * gap) / 3;
        s->tiles[TILE_TAKE].rect = gfx_rect(body.x, body.y, lw, body.h);
        for(i = 1; i < TILE_COUNT; i++) {
            s->tiles[i].rect = gfx_rect(body.x + lw + gap, body.y + (i - 1) * (th + gap), rw, th);
            s->tiles[i].align = UI_ALIGN_LEFT;
            s->tiles[i].icon_px = ui_px(m, 44);
        }
    } else if(m->large) {
        /* large text: three full-width rows with the icon on the left, so
         * the bigger titles are never cut */
        int big = (body.h - 3 * gap) * 34 / 100;
        int rh = (body.h - 3 * gap - big) / 3;
        s->tiles[TILE_TAKE].rect = gfx_rect(body.x, body.y, body.w, big);
        for(i = 1; i < TILE_COUNT; i++) {
            s->tiles[i].rect =
                gfx_rect(body.x, body.y + big + gap + (i - 1) * (rh + gap), body.w, rh);
            s->tiles[i].align = UI_ALIGN_LEFT;
            s->tiles[i].icon_px = ui_px(m, 44);
        }
    } else {
        int big = (body.h - gap) * 48 / 100;
        int small_h = body.h - gap - big;
        int sw = (body.w - 2 * gap) / 3;
        s->tiles[TILE_TAKE].rect = gfx_rect(body.x, body.y, body.w, big);
        for(i = 1; i < TILE_COUNT; i++)
            s->tiles[i].rect =
                gfx_rect(body.x + (i - 1) * (sw + gap), body.y + big + gap, sw, small_h);
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_home_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw(const void *p, gfx_t *g)
{
    const scr_home_t *s = p;
    const ui_model_t *m = &s->base.m;
    char buf[160], hours[32], waiting[96];
    int i, tpx = ui_font(m, 64);
    gfx_rect_t holes[TILE_COUNT + 1];
    const ui_theme_t *t = ui_theme(m); /* FAQ/triage (issue 8): high contrast */

    /* the tiles' opaque middles are painted anyway: no background there */
    for(i = 0; i < TILE_COUNT; i++)
        holes[i] = ui_button_opaque_rect(&s->tiles[i]);
    holes[TILE_COUNT] = ui_button_opaque_rect(&s->triage);
    ui_chrome_clear(&s->base.chrome, m, g, t->bg, holes, TILE_COUNT + 1);
    ui_chrome_draw(&s->base.chrome, m, g);
    /* a long (English, large) title steps down before it is cut */
    while(tpx > ui_px(m, 40) &&
          ui_label_width(g, GFX_BOLD, tpx, i18n_get(m->lang, I18N_HOME_TITLE)) > s->title_box.w)
        tpx -= 2;
    ui_label_draw(g, GFX_BOLD, tpx, gfx_rgb(t->text), s->title_box, UI_ALIGN_LEFT, 1,
                  i18n_get(m->lang, I18N_HOME_TITLE));
    for(i = 0; i < TILE_COUNT; i++)
        ui_button_draw(&s->tiles[i], g);
    ui_button_draw(&s->triage, g);
    i18n_format_int(waiting, sizeof(waiting), m->lang, I18N_WAITING_NOW_D, m->total_waiting);
    if(m->today.open_min >= 0) {
        ui_span_text(m->today, hours, sizeof(hours));
        i18n_format(buf, sizeof(buf), m->lang, I18N_HOURS_TODAY_S, hours);
    } else {
        snprintf(buf, sizeof(buf), "%s", i18n_get(m->lang, I18N_CLOSED_TODAY));
    }
    {
        char line[300];
        int px = ui_font(m, 34);
        gfx_rect_t r = s->info_box;
        if(m->total_waiting < 0)
            snprintf(line, sizeof(line), "%s", buf);
        else
            snprintf(line, sizeof(line), "%s    ·    %s", waiting, buf);
        if(ui_label_width(g, GFX_REGULAR, px, line) > r.w)
            snprintf(line, sizeof(line), "%s\n%s", waiting, buf); /* two tidy lines */
        else
            r.y += ui_label_line_h(px) / 2;
        ui_label_draw(g, GFX_REGULAR, px, gfx_rgb(t->muted), r, UI_ALIGN_CENTER, 2, line);
    }
}

static const scr_ops_t ops = { "home", create, scr_base_destroy, enter, handle, update, draw };

const scr_ops_t *scr_home_ops(void)
{
    return &ops;
}
