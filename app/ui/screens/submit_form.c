/*
 * submit_form: "report a problem" (issue 8.5). The category as chips, the
 * mobile number (digits while typing, 138****5678 once complete: the
 * model never holds more), an optional description with its character
 * count, the consent box with a short plain notice, and Submit. Each
 * field's error is said under it; an inactivity warning sits over Submit.
 * Tapping a field focuses it (the controller opens the keyboard); typed
 * text reaches the focused field through the controller, never here.
 *
 * Layout: one column (portrait) or two (landscape), in design units
 * scaled by ui_px/ui_font. With the keyboard open (m->kb_h) the content
 * moves up so the focused field stays above it; the header is drawn over
 * whatever moves under it.
 */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include "button.h"
#include "chrome.h"
#include "label.h"

#define N_CAT 6

typedef struct scr_submit_form {
    scr_base_t base;
    ui_button_t chip[N_CAT];
    ui_button_t send;
    gfx_rect_t title, cat_label, cat_err, phone_label, phone, phone_err, desc_label, desc, desc_err,
        consent_box, consent_text, consent_hit, consent_err, warn, failed;
    int dy; /* content moved up by this (keyboard open) */
    int title_h, label_px, field_px, err_px, notice_px;
    bool sub;   /* the subtitle fits */
    bool tight; /* large text on a small panel: smaller chips, no row kept for the warning */
    bool down_phone, down_desc, down_consent; /* a press that began on it */
} scr_submit_form_t;

static const i18n_key_t cat_keys[N_CAT] = {
    I18N_SUBMIT_CAT_SIGNAL,    I18N_SUBMIT_CAT_BROADBAND,  I18N_SUBMIT_CAT_BILLING,
    I18N_SUBMIT_CAT_COMPLAINT, I18N_SUBMIT_CAT_SUGGESTION, I18N_SUBMIT_CAT_OTHER,
};

static hk_err_t create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(scr_submit_form_t), g, out);
}

static void enter(void *p)
{
    scr_submit_form_t *s = p;
    int i;

    ui_chrome_reset(&s->base.chrome);
    for(i = 0; i < N_CAT; i++)
        s->chip[i].pressed = false;
    s->send.pressed = false;
    s->down_phone = s->down_desc = s->down_consent = false;
}

static gfx_rect_t moved(const scr_submit_form_t *s, gfx_rect_t r)
{
    r.y -= s->dy;
    return r;
}

static ui_intent_t handle(void *p, const display_event_t *ev)
{
    scr_submit_form_t *s = p;
    ui_intent_t in = ui_chrome_handle(&s->base.chrome, ev);
    bool changed = in.kind == INTENT_REDRAW;
    int i;

    if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
        return in;
    for(i = 0; i < N_CAT; i++)
        if(ui_button_handle(&s->chip[i], ev, &changed)) {
            in.kind = INTENT_SUBMIT_CATEGORY;
            in.arg = i;
            return in;
        }
    if(ui_button_handle(&s->send, ev, &changed)) {
        in.kind = INTENT_SUBMIT_SEND;
        return in;
    }
    /* the fields and the consent row fire on release inside, like buttons */
    if(ev->type == DISPLAY_EV_DOWN) {
        s->down_phone = ui_rect_contains(moved(s, s->phone), ev->x, ev->y);
        s->down_desc = ui_rect_contains(moved(s, s->desc), ev->x, ev->y);
        s->down_consent = ui_rect_contains(moved(s, s->consent_hit), ev->x, ev->y);
    } else if(ev->type == DISPLAY_EV_UP) {
        if(s->down_phone && ui_rect_contains(moved(s, s->phone), ev->x, ev->y)) {
            in.kind = INTENT_SUBMIT_FOCUS;
            in.arg = UI_SUBMIT_FOCUS_PHONE;
        } else if(s->down_desc && ui_rect_contains(moved(s, s->desc), ev->x, ev->y)) {
            in.kind = INTENT_SUBMIT_FOCUS;
            in.arg = UI_SUBMIT_FOCUS_DESC;
        } else if(s->down_consent && ui_rect_contains(moved(s, s->consent_hit), ev->x, ev->y)) {
            in.kind = INTENT_SUBMIT_CONSENT;
        }
        s->down_phone = s->down_desc = s->down_consent = false;
        if(in.kind != INTENT_NONE && in.kind != INTENT_REDRAW)
            return in;
    }
    if(changed)
        in.kind = INTENT_REDRAW;
    return in;
}

/* Lay one column of blocks out from y in x..x+w; returns the y after. */
static int col_category(scr_submit_form_t *s, int x, int y, int w, int cols)
{
    const ui_model_t *m = &s->base.m;
    int gap = ui_px(m, 18), rows = (N_CAT + cols - 1) / cols;
    int cw = (w - (cols - 1) * gap) / cols, i;
    int ch = ui_px(m, 104) * (m->large && !s->tight ? 13 : 10) / 10;

    s->cat_label = gfx_rect(x, y, w, ui_label_line_h(s->label_px));
    y += s->cat_label.h + ui_px(m, 10);
    for(i = 0; i < N_CAT; i++) {
        bool on = m->submit.category == i;
        scr_button(&s->chip[i], m,
                   gfx_rect(x + (i % cols) * (cw + gap), y + (i / cols) * (ch + gap), cw, ch),
                   i18n_get(m->lang, cat_keys[i]), on ? UI_COL_SUBMIT : UI_COL_CARD,
                   on ? UI_COL_WHITE : UI_COL_TEXT, 38);
        if(s->chip[i].title_px > ch * 45 / 100)
            s->chip[i].title_px = ch * 45 / 100;
        while(s->chip[i].title_px > ui_px(m, 24) &&
              ui_label_width(s->base.g, GFX_BOLD, s->chip[i].title_px, s->chip[i].title) >
                  cw - ch - ui_px(m, 8)) /* the button pads by its radius, ch / 2 */
            s->chip[i].title_px = s->chip[i].title_px * 9 / 10; /* one line, never a cut word */
        s->chip[i].radius = ch / 2;
        if(m->contrast && !on) { /* high contrast: the chosen one alone is yellow */
            s->chip[i].bg = 0x333333u;
            s->chip[i].fg = 0xFFFFFFu;
        }
        s->chip[i].enabled = !m->submit.sending;
    }
    {
        int px = s->chip[0].title_px; /* one size for all: the smallest that fits */
        for(i = 1; i < N_CAT; i++)
            px = s->chip[i].title_px < px ? s->chip[i].title_px : px;
        for(i = 0; i < N_CAT; i++)
            s->chip[i].title_px = px;
    }
    y += rows * (ch + gap) - gap;
    s->cat_err = gfx_rect(x, y + ui_px(m, 4), w, ui_label_line_h(s->err_px));
    return y + ui_px(m, 4) + s->cat_err.h + ui_px(m, 14);
}

static int col_phone(scr_submit_form_t *s, int x, int y, int w)
{
    const ui_model_t *m = &s->base.m;

    s->phone_label = gfx_rect(x, y, w, ui_label_line_h(s->label_px));
    y += s->phone_label.h + ui_px(m, 10);
    s->phone = gfx_rect(x, y, w, ui_label_line_h(s->field_px) + ui_px(m, 44));
    y += s->phone.h;
    s->phone_err = gfx_rect(x, y + ui_px(m, 4), w, ui_label_line_h(s->err_px));
    return y + ui_px(m, 4) + s->phone_err.h + ui_px(m, 14);
}

static int col_desc(scr_submit_form_t *s, int x, int y, int w, int lines)
{
    const ui_model_t *m = &s->base.m;

    s->desc_label = gfx_rect(x, y, w, ui_label_line_h(s->label_px));
    y += s->desc_label.h + ui_px(m, 10);
    s->desc = gfx_rect(x, y, w, ui_label_line_h(s->field_px * 8 / 10) * lines + ui_px(m, 40));
    y += s->desc.h;
    s->desc_err = gfx_rect(x, y + ui_px(m, 4), w, ui_label_line_h(s->err_px));
    return y + ui_px(m, 4) + s->desc_err.h + ui_px(m, 14);
}

static int col_consent(scr_submit_form_t *s, int x, int y, int w)
{
    const ui_model_t *m = &s->base.m;
    int box = ui_px(m, 64) * (m->large ? 13 : 10) / 10, tx = x + box + ui_px(m, 24);
    int th = ui_label_measure(s->base.g, GFX_BOLD, s->label_px, x + w - tx, 3,
                              i18n_get(m->lang, I18N_SUBMIT_CONSENT), NULL);
    int nh = ui_label_measure(s->base.g, GFX_REGULAR, s->notice_px, x + w - tx, 4,
                              i18n_get(m->lang, I18N_SUBMIT_NOTICE), NULL);

    s->consent_box = gfx_rect(x, y, box, box);
    s->consent_text = gfx_rect(tx, y, x + w - tx, th + ui_px(m, 8) + nh);
    s->consent_hit = gfx_rect(x, y - ui_px(m, 10), w, th + ui_px(m, 20));
    y += (s->consent_text.h > box ? s->consent_text.h : box);
    s->consent_err = gfx_rect(x, y + ui_px(m, 4), w, ui_label_line_h(s->err_px));
    return y + ui_px(m, 4) + s->consent_err.h + ui_px(m, 14);
}

static int col_send(scr_submit_form_t *s, int x, int y, int w)
{
    const ui_model_t *m = &s->base.m;
    int bh = ui_px(m, 120) * (m->large ? 12 : 10) / 10;

    s->warn = gfx_rect(x, y, w, ui_label_line_h(s->err_px) + ui_px(m, 20));
    if(s->tight) /* no room kept: the warning covers the consent error's line */
        s->warn.y -= s->warn.h;
    else
        y += s->warn.h + ui_px(m, 8);
    ui_button_init(&s->send);
    snprintf(s->send.title, sizeof(s->send.title), "%s",
             i18n_get(m->lang, m->submit.sending ? I18N_SUBMIT_SENDING : I18N_SUBMIT_SEND));
    s->send.title_px = ui_font(m, 48);
    s->send.bg = ui_fill_press(m, UI_COL_SUBMIT);
    s->send.fg = ui_ink_press(m, s->send.fg);
    s->send.radius = bh / 2;
    s->send.unit100 = ui_px(m, 100);
    s->send.enabled = !m->submit.sending;
    s->send.rect = gfx_rect(x, y, w, bh);
    y += bh;
    s->failed = s->warn; /* said where the warning would be: the two never show at once */
    return y + ui_px(m, 8);
}

/* One try at the whole layout; returns the bottom of the content. */
static int layout_try(scr_submit_form_t *s, gfx_rect_t body, int desc_lines, bool sub)
{
    const ui_model_t *m = &s->base.m;
    int pad = ui_px(m, 56), y = body.y + ui_px(m, 24), bottom;

    s->title_h = ui_label_line_h(ui_font(m, 54)) + (sub ? ui_label_line_h(ui_font(m, 32)) * 2 : 0);
    if(ui_landscape(m)) {
        int colw = (m->w - 3 * pad) / 2, x2 = 2 * pad + colw, y2;
        s->title = gfx_rect(pad, y, colw, s->title_h);
        y += s->title_h + ui_px(m, 12);
        y = col_category(s, pad, y, colw, 3);
        bottom = col_phone(s, pad, y, colw);
        y2 = col_desc(s, x2, body.y + ui_px(m, 24), colw, desc_lines);
        y2 = col_consent(s, x2, y2, colw);
        y2 = col_send(s, x2, y2, colw);
        return y2 > bottom ? y2 : bottom;
    }
    s->title = gfx_rect(pad, y, m->w - 2 * pad, s->title_h);
    y += s->title_h + ui_px(m, 12);
    y = col_category(s, pad, y, m->w - 2 * pad, 3);
    y = col_phone(s, pad, y, m->w - 2 * pad);
    y = col_desc(s, pad, y, m->w - 2 * pad, desc_lines);
    y = col_consent(s, pad, y, m->w - 2 * pad);
    return col_send(s, pad, y, m->w - 2 * pad);
}

static void layout(scr_submit_form_t *s)
{
    const ui_model_t *m = &s->base.m;
    gfx_rect_t body;
    int focus_bottom = 0, visible, i, lines;
    bool sub = true;

    ui_chrome_layout(&s->base.chrome, s->base.g, m, true);
    body = ui_chrome_body(&s->base.chrome, m);
    s->label_px = ui_font(m, 34);
    s->field_px = ui_font(m, 46);
    s->err_px = ui_font(m, 30);
    s->notice_px = ui_font(m, 28);
    /* the roomiest layout that fits the body: fewer description lines,
     * then no subtitle (large text on a small panel) */
    lines = ui_landscape(m) ? 3 : 4;
    s->tight = false;
    while(layout_try(s, body, lines, sub) > body.y + body.h && (lines > 2 || sub || !s->tight)) {
        if(lines > 2)
            lines--;
        else if(sub)
            sub = false;
        else
            s->tight = true;
    }
    s->sub = sub;
    /* keep the focused field above the keyboard */
    s->dy = 0;
    visible = m->h - m->kb_h - ui_px(m, 24);
    if(m->submit.focus == UI_SUBMIT_FOCUS_PHONE)
        focus_bottom = s->phone_err.y + s->phone_err.h;
    else if(m->submit.focus == UI_SUBMIT_FOCUS_DESC)
        focus_bottom = s->desc_err.y + s->desc_err.h;
    if(m->kb_h > 0 && focus_bottom > visible)
        s->dy = focus_bottom - visible;
    for(i = 0; i < N_CAT; i++)
        s->chip[i].rect.y -= s->dy;
    s->send.rect.y -= s->dy;
}

static bool update(void *p, const ui_model_t *m)
{
    scr_submit_form_t *s = p;

    if(!scr_base_take_model(&s->base, m))
        return false;
    layout(s);
    return true;
}

static void draw_err(const scr_submit_form_t *s, gfx_t *g, gfx_rect_t r, submission_field_t f)
{
    const ui_model_t *m = &s->base.m;

    if(m->submit.err[f])
        ui_label_draw(g, GFX_BOLD, s->err_px, gfx_rgb(ui_ink(m, UI_COL_WARN)), moved(s, r),
                      UI_ALIGN_LEFT, 1, i18n_get(m->lang, m->submit.err[f]));
}

/* A field's card: white, a brand ring when focused, a warning ring on error. */
static void draw_field(const scr_submit_form_t *s, gfx_t *g, gfx_rect_t r, bool focused, bool err)
{
    const ui_model_t *m = &s->base.m;
    int ring = ui_px(m, focused ? 5 : 2), rad = ui_px(m, 22);

    r = moved(s, r);
    gfx_fill_round_rect(g, r, rad,
                        gfx_rgb(ui_fill(m, err       ? UI_COL_WARN
                                           : focused ? UI_COL_SUBMIT
                                                     : UI_COL_LINE)));
    gfx_fill_round_rect(g, gfx_rect(r.x + ring, r.y + ring, r.w - 2 * ring, r.h - 2 * ring),
                        rad - ring > 0 ? rad - ring : 0, gfx_rgb(ui_fill(m, UI_COL_CARD)));
}

static void draw(const void *p, gfx_t *g)
{
    const scr_submit_form_t *s = p;
    const ui_model_t *m = &s->base.m;
    const ui_submit_view_t *v = &m->submit;
    int i, in = ui_px(m, 28), y;
    char count[32];
    gfx_rect_t r;

    ui_chrome_clear(&s->base.chrome, m, g, ui_fill(m, UI_COL_BG), NULL, 0);
    /* title */
    r = moved(s, s->title);
    y = r.y + ui_label_draw(g, GFX_BOLD, ui_font(m, 54), gfx_rgb(ui_ink(m, UI_COL_TEXT)), r,
                            UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_SUBMIT_TITLE));
    if(s->sub)
        ui_label_draw(g, GFX_REGULAR, ui_font(m, 32), gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                      gfx_rect(r.x, y + ui_px(m, 6), r.w, r.h), UI_ALIGN_LEFT, 2,
                      i18n_get(m->lang, I18N_SUBMIT_SUB));
    /* category */
    ui_label_draw(g, GFX_BOLD, s->label_px, gfx_rgb(ui_ink(m, UI_COL_TEXT)), moved(s, s->cat_label),
                  UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_SUBMIT_CATEGORY));
    for(i = 0; i < N_CAT; i++)
        ui_button_draw(&s->chip[i], g);
    draw_err(s, g, s->cat_err, SUBMISSION_FIELD_CATEGORY);
    /* phone */
    ui_label_draw(g, GFX_BOLD, s->label_px, gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                  moved(s, s->phone_label), UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_SUBMIT_PHONE));
    draw_field(s, g, s->phone, v->focus == UI_SUBMIT_FOCUS_PHONE,
               v->err[SUBMISSION_FIELD_PHONE] != 0);
    r = moved(s, s->phone);
    if(v->phone_text[0])
        ui_label_draw(g, GFX_BOLD, s->field_px, gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                      gfx_rect(r.x + in, r.y + (r.h - ui_label_line_h(s->field_px)) / 2,
                               r.w - 2 * in, ui_label_line_h(s->field_px)),
                      UI_ALIGN_LEFT, 1, v->phone_text);
    else
        ui_label_draw(g, GFX_REGULAR, ui_font(m, 36), gfx_rgb(ui_ink(m, UI_COL_DISABLED_TX)),
                      gfx_rect(r.x + in, r.y + (r.h - ui_label_line_h(ui_font(m, 36))) / 2,
                               r.w - 2 * in, ui_label_line_h(ui_font(m, 36))),
                      UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_SUBMIT_PHONE_HINT));
    draw_err(s, g, s->phone_err, SUBMISSION_FIELD_PHONE);
    /* description, with its count on the label's line */
    ui_label_draw(g, GFX_BOLD, s->label_px, gfx_rgb(ui_ink(m, UI_COL_TEXT)),
                  moved(s, s->desc_label), UI_ALIGN_LEFT, 1, i18n_get(m->lang, I18N_SUBMIT_DESC));
    i18n_format_int(count, sizeof(count), m->lang, I18N_SUBMIT_COUNT_D, v->desc_chars);
    ui_label_draw(
        g, GFX_REGULAR, s->label_px,
        gfx_rgb(ui_ink(m, v->desc_chars > SUBMISSION_DESC_MAX_CHARS ? UI_COL_WARN : UI_COL_MUTED)),
        moved(s, s->desc_label), UI_ALIGN_RIGHT, 1, count);
    draw_field(s, g, s->desc, v->focus == UI_SUBMIT_FOCUS_DESC,
               v->err[SUBMISSION_FIELD_DESCRIPTION] != 0);
    r = moved(s, s->desc);
    r = gfx_rect(r.x + in, r.y + ui_px(m, 20), r.w - 2 * in, r.h - ui_px(m, 40));
    if(v->desc[0])
        ui_label_draw(g, GFX_REGULAR, s->field_px * 8 / 10, gfx_rgb(ui_ink(m, UI_COL_TEXT)), r,
                      UI_ALIGN_LEFT, r.h / ui_label_line_h(s->field_px * 8 / 10), v->desc);
    else
        ui_label_draw(g, GFX_REGULAR, ui_font(m, 36), gfx_rgb(ui_ink(m, UI_COL_DISABLED_TX)), r,
                      UI_ALIGN_LEFT, 2, i18n_get(m->lang, I18N_SUBMIT_DESC_HINT));
    draw_err(s, g, s->desc_err, SUBMISSION_FIELD_DESCRIPTION);
    /* consent: a box, the sentence, the notice */
    r = moved(s, s->consent_box);
    gfx_fill_round_rect(g, r, ui_px(m, 12),
                        gfx_rgb(ui_fill(m, v->err[SUBMISSION_FIELD_CONSENT] ? UI_COL_WARN
                                           : v->consent                     ? UI_COL_SUBMIT
                                                                            : UI_COL_MUTED)));
    if(!v->consent)
        gfx_fill_round_rect(
            g,
            gfx_rect(r.x + ui_px(m, 5), r.y + ui_px(m, 5), r.w - ui_px(m, 10), r.h - ui_px(m, 10)),
            ui_px(m, 8), gfx_rgb(ui_fill(m, UI_COL_CARD)));
    else
        ui_label_draw(g, GFX_BOLD, r.h * 7 / 10, gfx_rgb(ui_ink(m, UI_COL_WHITE)),
                      gfx_rect(r.x, r.y + (r.h - ui_label_line_h(r.h * 7 / 10)) / 2, r.w,
                               ui_label_line_h(r.h * 7 / 10)),
                      UI_ALIGN_CENTER, 1, "✓");
    r = moved(s, s->consent_text);
    y = r.y + ui_label_draw(g, GFX_BOLD, s->label_px, gfx_rgb(ui_ink(m, UI_COL_TEXT)), r,
                            UI_ALIGN_LEFT, 3, i18n_get(m->lang, I18N_SUBMIT_CONSENT));
    ui_label_draw(g, GFX_REGULAR, s->notice_px, gfx_rgb(ui_ink(m, UI_COL_MUTED)),
                  gfx_rect(r.x, y + ui_px(m, 8), r.w, r.h), UI_ALIGN_LEFT, 4,
                  i18n_get(m->lang, I18N_SUBMIT_NOTICE));
    draw_err(s, g, s->consent_err, SUBMISSION_FIELD_CONSENT);
    /* the inactivity warning, Submit, and a failure under it */
    if(v->warn_s > 0) {
        char warn[160];
        r = moved(s, s->warn);
        i18n_format_int(warn, sizeof(warn), m->lang, I18N_SUBMIT_WARN_D, v->warn_s);
        gfx_fill_round_rect(g, r, ui_px(m, 14), gfx_rgb(ui_fill(m, 0xFFF4E5u)));
        ui_label_draw(g, GFX_BOLD, s->err_px, gfx_rgb(ui_ink(m, UI_COL_WARN)),
                      gfx_rect(r.x, r.y + ui_px(m, 10), r.w, r.h), UI_ALIGN_CENTER, 1, warn);
    }
    ui_button_draw(&s->send, g);
    if(v->failed && v->warn_s <= 0)
        ui_label_draw(g, GFX_BOLD, s->err_px, gfx_rgb(ui_ink(m, UI_COL_WARN)), moved(s, s->failed),
                      UI_ALIGN_CENTER, 1,
                      i18n_get(m->lang, v->offline ? I18N_SUBMIT_OFFLINE : I18N_SUBMIT_FAILED));
    /* the header last: content moved up for the keyboard passes under it */
    ui_chrome_draw(&s->base.chrome, m, g);
}

static const scr_ops_t ops = {
    "submit_form", create, scr_base_destroy, enter, handle, update, draw
};

const scr_ops_t *scr_submit_form_ops(void)
{
    return &ops;
}
