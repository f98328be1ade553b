/*
 * rating_faces: the on-the-spot rating (national 好差评 model): five large
 * faces, 非常满意 to 非常不满意; after a low one (1..3) the reason chips
 * (服务效率, 服务水平, 服务态度, other), after a high one the optional
 * "what went well" chips; then thanks. A strip says who served and which
 * number, and a countdown shows how long the window stays open. The same
 * screen serves the counter's customer side and the kiosk's "rate our
 * service" (m->rate.kiosk: with Back/Home, no staff strip).
 *
 * One vote: a face press moves on to the chips (the loop's input guard
 * swallows the rest of a double tap), and the controller ignores every
 * press once the vote is on its way.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "chrome.h"
#include "label.h"
#include "rating.h"

#define N_CHIPS 4

typedef struct scr_rate_faces {
    scr_base_t base;
    ui_button_t face[5]; /* face[i] is level 5 - i: the best first */
    ui_button_t chip[N_CHIPS];
    ui_button_t submit;
    gfx_rect_t strip, title, body, foot;
    gfx_rect_t chip_face; /* chips phase: the column the chosen face is centred in */
    int chip_face_y;      /* its top */
    int chip_face_d;      /* its diameter */
} scr_rate_faces_t;

static const i18n_key_t level_key[6] = { I18N_RATE_LEVEL_3, I18N_RATE_LEVEL_1, I18N_RATE_LEVEL_2,
                                         I18N_RATE_LEVEL_3, I18N_RATE_LEVEL_4, I18N_RATE_LEVEL_5 };
static const i18n_key_t reason_key[N_CHIPS] = { I18N_REASON_EFFICIENCY, I18N_REASON_COMPETENCE,
                                                I18N_REASON_ATTITUDE, I18N_REASON_OTHER };
static const i18n_key_t praise_key[N_CHIPS] = { I18N_PRAISE_EFFICIENCY, I18N_PRAISE_COMPETENCE,
                                                I18N_PRAISE_ATTITUDE, I18N_REASON_OTHER };

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_rate_faces_t), g, out);
}

static void enter(void *p)
{
    scr_rate_faces_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < 5; i++)
        s->face[i].pressed = false;
    for(i = 0; i < N_CHIPS; i++)
        s->chip[i].pressed = false;
    s->submit.pressed = false;
}

static bool chips_phase(const ui_model_t *m)
{
    return m->rate.phase == UI_RATE_REASONS || m->rate.phase == UI_RATE_PRAISE;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_rate_faces_t *s = p;
    const ui_model_t *m = &s->base.m;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    if(m->rate.phase == UI_RATE_FACES) {
        for(i = 0; i < 5; i++)
            if(ui_button_handle(&s->face[i], ev, &changed)) {
                in.kind = INTENT_RATE_LEVEL;
                in.arg = 5 - i;
                return in;
            }
    } else if(chips_phase(m)) {
        for(i = 0; i < N_CHIPS; i++)
            if(ui_button_handle(&s->chip[i], ev, &changed)) {
                in.kind = INTENT_RATE_CHIP;
                in.arg = 1 << i;
                return in;
            }
        if(ui_button_handle(&s->submit, ev, &changed)) {
            in.kind = INTENT_RATE_SUBMIT;
            return in;
        }
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

static void layout(scr_rate_faces_t *s)
{
    const ui_model_t *m = &s->base.m;
    const ui_rate_view_t *r = &m->rate;
    bool land = ui_landscape(m);
    int pad = ui_px(m, land ? 60 : 48), gap = ui_px(m, 24), i;
    int strip_h = ui_px(m, 130), title_h = ui_label_line_h(ui_font(m, 60)) * 2;
    int foot_h = r->countdown_s >= 0 ? ui_px(m, 90) : 0; /* the countdown's */
    gfx_rect_t body;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, r->kiosk);
    body = ui_chrome_body(&s->base.chrome, m);
    s->strip = gfx_rect(pad, body.y + ui_px(m, 28), m->w - 2 * pad, strip_h);
    s->title = gfx_rect(pad, s->strip.y + strip_h + ui_px(m, 24), m->w - 2 * pad, title_h);
    s->foot = gfx_rect(pad, body.y + body.h - foot_h, m->w - 2 * pad, foot_h);
    s->body = gfx_rect(pad, s->title.y + title_h + ui_px(m, 8), m->w - 2 * pad,
                       s->foot.y - gap - (s->title.y + title_h + ui_px(m, 8)));
    for(i = 0; i < 5; i++) {
        ui_button_t *b = &s->face[i];
        gfx_rect_t fr;
        if(land) {
            int w = (s->body.w - 4 * gap) / 5;
            fr = gfx_rect(s->body.x + i * (w + gap), s->body.y, w, s->body.h);
        } else {
            int h = (s->body.h - 4 * gap) / 5;
            fr = gfx_rect(s->body.x, s->body.y + i * (h + gap), s->body.w, h);
        }
        scr_button(b, m, fr, i18n_get(m->lang, level_key[5 - i]), UI_COL_CARD, UI_COL_TEXT, 48);
        b->radius = ui_px(m, 32);
    }
    {
        /* The chosen face with its name, the 2 x 2 chips, Submit. Portrait:
         * one column, a little above the middle. Landscape: the face left,
         * the chips and Submit right, both centred. */
        int label_h = ui_label_line_h(ui_font(m, 44)) + ui_px(m, 36), sub_h = ui_px(m, 130);
        int ch, cw, top, block;
        gfx_rect_t col = s->body;
        const i18n_key_t *keys = r->phase == UI_RATE_PRAISE ? praise_key : reason_key;
        if(land) {
            int lw = s->body.w * 34 / 100;
            s->chip_face_d = lw * 70 / 100;
            if(s->chip_face_d > s->body.h - label_h - ui_px(m, 20))
                s->chip_face_d = s->body.h - label_h - ui_px(m, 20);
            s->chip_face = gfx_rect(s->body.x, s->body.y, lw, s->body.h);
            s->chip_face_y = s->body.y + (s->body.h - s->chip_face_d - label_h) / 2;
            col =
                gfx_rect(s->body.x + lw + 2 * gap, s->body.y, s->body.w - lw - 2 * gap, s->body.h);
            ch = (col.h - sub_h - 3 * gap) / 2;
            if(ch > ui_px(m, 170))
                ch = ui_px(m, 170);
            block = 2 * ch + 3 * gap + sub_h;
            top = col.y + (col.h - block) / 2;
        } else {
            s->chip_face_d = ui_px(m, 260);
            s->chip_face = s->body;
            ch = (s->body.h - s->chip_face_d - label_h - sub_h - 3 * gap) / 2;
            if(ch > ui_px(m, 170))
                ch = ui_px(m, 170);
            block = s->chip_face_d + label_h + 2 * ch + 3 * gap + sub_h;
            s->chip_face_y = s->body.y + (s->body.h - block) / 3;
            top = s->chip_face_y + s->chip_face_d + label_h;
        }
        cw = (col.w - gap) / 2;
        for(i = 0; i < N_CHIPS; i++) {
            bool on = (r->chips & (1u << i)) != 0;
            gfx_rect_t cr =
                gfx_rect(col.x + (i % 2) * (cw + gap), top + (i / 2) * (ch + gap), cw, ch);
            scr_button(&s->chip[i], m, cr, i18n_get(m->lang, keys[i]),
                       on ? UI_COL_BRAND : UI_COL_CARD, on ? UI_COL_WHITE : UI_COL_BRAND, 46);
            s->chip[i].radius = ch / 2;
            if(s->chip[i].title_px > ch * 45 / 100)
                s->chip[i].title_px = ch * 45 / 100;
            if(on)
                snprintf(s->chip[i].title, sizeof(s->chip[i].title), "✓ %s",
                         i18n_get(m->lang, keys[i]));
        }
        scr_button(&s->submit, m,
                   gfx_rect(col.x + col.w / 4, top + 2 * (ch + gap) + gap, col.w / 2, sub_h),
                   i18n_get(m->lang, I18N_RATE_SUBMIT), UI_COL_BRAND, UI_COL_WHITE, 50);
        s->submit.radius = sub_h / 2;
    }
}

static bool update(void *p, const ui_model_t *m)
{
    scr_rate_faces_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw_strip(const scr_rate_faces_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const ui_rate_view_t *r = &m->rate;
    gfx_rect_t st = s->strip;
    int d = st.h, px = ui_font(m, 40), x = st.x + d + ui_px(m, 28);
    char line[256], num[96], id[96];

    i18n_format(num, sizeof(num), m->lang, I18N_RATE_YOUR_NUMBER_S, r->number);
    if(r->kiosk || !r->staff_name[0]) {
        ui_label_draw(
            g, GFX_BOLD, ui_font(m, 46), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
            gfx_rect(st.x, st.y + (st.h - ui_label_line_h(ui_font(m, 46))) / 2, st.w, st.h),
            UI_ALIGN_CENTER, 1, num);
        return;
    }
    gfx_fill_round_rect(g,
                        gfx_rect(st.x - ui_px(m, 12), st.y - ui_px(m, 12), st.w + ui_px(m, 24),
                                 st.h + ui_px(m, 24)),
                        ui_px(m, 28), gfx_rgb(ui_fill(m, UI_COL_CARD)));
    scr_rate_avatar(g, m, st.x + d / 2, st.y + d / 2, d, r->initials);
    i18n_format(id, sizeof(id), m->lang, I18N_COUNTER_STAFF_S, r->staff_id);
    snprintf(line, sizeof(line), "%s  %s", i18n_get(m->lang, I18N_RATE_SERVED_BY), r->staff_name);
    ui_label_draw(g, GFX_BOLD, px, gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                  gfx_rect(x, st.y + st.h / 2 - ui_label_line_h(px), st.x + st.w - x, st.h),
                  UI_ALIGN_LEFT, 1, line);
    snprintf(line, sizeof(line), "%s   ·   %s", id, num);
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 34), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                  gfx_rect(x, st.y + st.h / 2 + ui_px(m, 6), st.x + st.w - x, st.h), UI_ALIGN_LEFT,
                  1, line);
}

static void draw_faces(const scr_rate_faces_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    bool land = ui_landscape(m);
    int i;

    for(i = 0; i < 5; i++) {
        const ui_button_t *b = &s->face[i];
        gfx_rect_t r = b->rect;
        int level = 5 - i, px = land ? ui_font(m, 42) : b->title_px;
        int lift = b->pressed ? ui_px(m, 4) : 0;
        gfx_color_t tc = gfx_rgb(ui_ink(m, UI_COL_TEXT));
        gfx_fill_round_rect(
            g, gfx_rect(r.x, r.y + lift, r.w, r.h), b->radius,
            gfx_rgb(ui_fill(m, b->pressed ? ui_shade(UI_COL_CARD, 10) : UI_COL_CARD)));
        if(land) {
            /* a column: the face over its name */
            int d = r.w * 70 / 100, lh = ui_label_line_h(px) * 2;
            int top = r.y + lift + (r.h - d - ui_px(m, 30) - lh) / 2;
            if(d > r.h - lh - ui_px(m, 60))
                d = r.h - lh - ui_px(m, 60);
            top = r.y + lift + (r.h - d - ui_px(m, 30) - lh) / 2;
            scr_rate_face(g, r.x + r.w / 2, top + d / 2, d, level);
            ui_label_draw(
                g, GFX_BOLD, px, tc,
                gfx_rect(r.x + ui_px(m, 10), top + d + ui_px(m, 30), r.w - ui_px(m, 20), lh),
                UI_ALIGN_CENTER, 2, b->title);
        } else {
            /* a row: the face left of its name */
            int d = r.h * 80 / 100, x = r.x + ui_px(m, 40) + d + ui_px(m, 48);
            scr_rate_face(g, r.x + ui_px(m, 40) + d / 2, r.y + lift + r.h / 2, d, level);
            ui_label_draw(g, GFX_BOLD, ui_font(m, 60), tc,
                          gfx_rect(x, r.y + lift + (r.h - ui_label_line_h(ui_font(m, 60))) / 2,
                                   r.x + r.w - x - ui_px(m, 20), r.h),
                          UI_ALIGN_LEFT, 1, b->title);
        }
    }
}

static void draw_chips(const scr_rate_faces_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    int d = s->chip_face_d, i, px = ui_font(m, 44);
    gfx_rect_t c = s->chip_face;

    scr_rate_face(g, c.x + c.w / 2, s->chip_face_y + d / 2, d, m->rate.level);
    ui_label_draw(g, GFX_BOLD, px, gfx_rgb(ui_ink(m, scr_rate_color(m->rate.level))),
                  gfx_rect(c.x, s->chip_face_y + d + ui_px(m, 16), c.w, ui_label_line_h(px)),
                  UI_ALIGN_CENTER, 1, i18n_get(m->lang, level_key[m->rate.level]));
    for(i = 0; i < N_CHIPS; i++)
        ui_button_draw(&s->chip[i], g);
    ui_button_draw(&s->submit, g);
}

static void draw_message(const scr_rate_faces_t *s, gfx_t *g)
{
    const ui_model_t *m = &s->base.m;
    const ui_rate_view_t *r = &m->rate;
    int d = ui_px(m, 300), y, h;
    bool low = r->phase == UI_RATE_THANKS && rating_level_needs_follow_up((rating_level_t)r->level);
    const char *msg = r->phase == UI_RATE_SENDING  ? i18n_get(m->lang, I18N_RATE_SENDING)
                      : r->phase == UI_RATE_FAILED ? r->msg
                                                   : i18n_get(m->lang, I18N_RATE_THANKS);

    /* the face (or "!") and the words, in the middle of the body */
    h = d + ui_px(m, 60) + ui_label_measure(g, GFX_BOLD, ui_font(m, 64), s->body.w, 2, msg, NULL);
    if(low)
        h += ui_px(m, 24) + ui_label_line_h(ui_font(m, 44));
    y = s->body.y + (s->body.h - h) / 2;

    if(r->phase == UI_RATE_FAILED) {
        gfx_fill_round_rect(g, gfx_rect(m->w / 2 - d / 2, y, d, d), d / 2,
                            gfx_rgb(ui_fill(m, 0xFCE8E0)));
        ui_label_draw(g, GFX_BOLD, d / 2, gfx_rgb(ui_ink(m, UI_COL_WARN)),
                      gfx_rect(m->w / 2 - d / 2, y + (d - ui_label_line_h(d / 2)) / 2, d, d),
                      UI_ALIGN_CENTER, 1, "!");
    } else {
        scr_rate_face(g, m->w / 2, y + d / 2, d, r->level);
    }
    y += d + ui_px(m, 60);
    y += ui_label_draw(g, GFX_BOLD, ui_font(m, 64), gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                       gfx_rect(s->body.x, y, s->body.w, s->body.h), UI_ALIGN_CENTER, 2, msg);
    if(low)
        ui_label_draw(g, GFX_REGULAR, ui_font(m, 44), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                      gfx_rect(s->body.x, y + ui_px(m, 24), s->body.w, s->body.h), UI_ALIGN_CENTER,
                      2, i18n_get(m->lang, I18N_RATE_THANKS_LOW));
}

static void draw(const void *p, gfx_t *g)
{
    const scr_rate_faces_t *s = p;
    const ui_model_t *m = &s->base.m;
    const ui_rate_view_t *r = &m->rate;
    i18n_key_t title = r->phase == UI_RATE_REASONS  ? I18N_RATE_REASONS_TITLE
                       : r->phase == UI_RATE_PRAISE ? I18N_RATE_PRAISE_TITLE
                                                    : I18N_RATE_TITLE;

    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), NULL, 0);
    ui_chrome_draw(&s->base.chrome, m, g);
    draw_strip(s, g);
    if(r->phase == UI_RATE_FACES || chips_phase(m))
        ui_label_draw(g, GFX_BOLD, ui_font(m, 60), gfx_rgb(ui_ink(m, UI_COL_TEXT)), s->title,
                      UI_ALIGN_CENTER, 2, i18n_get(m->lang, title));
    if(r->phase == UI_RATE_FACES)
        draw_faces(s, g);
    else if(chips_phase(m))
        draw_chips(s, g);
    else
        draw_message(s, g);
    if(r->countdown_s >= 0 && r->phase != UI_RATE_THANKS && r->phase != UI_RATE_FAILED) {
        char buf[96];
        int px = ui_font(m, 36), bar_h = ui_px(m, 12), full = s->foot.w;
        int win = RATING_WINDOW_S_DEFAULT, left = r->countdown_s > win ? win : r->countdown_s;
        i18n_format_int(buf, sizeof(buf), m->lang, I18N_RATE_COUNTDOWN_D, r->countdown_s);
        gfx_fill_round_rect(g, gfx_rect(s->foot.x, s->foot.y, full, bar_h), bar_h / 2,
                            gfx_rgb(ui_fill(m, UI_COL_LINE)));
        if(left > 0)
            gfx_fill_round_rect(g, gfx_rect(s->foot.x, s->foot.y, full * left / win, bar_h),
                                bar_h / 2, gfx_rgb(ui_fill(m, UI_COL_BRAND)));
        ui_label_draw(
            g, GFX_REGULAR, px, gfx_rgb(ui_ink(m, UI_COL_MUTED)),
            gfx_rect(s->foot.x, s->foot.y + bar_h + ui_px(m, 14), s->foot.w, ui_label_line_h(px)),
            UI_ALIGN_CENTER, 1, buf);
    }
}

static const scr_ops_t ops = {
    "rate_faces", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_rate_faces_ops(void)
{
    return &ops;
}
