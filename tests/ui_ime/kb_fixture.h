/*
 * kb_fixture: a screen loop (the real ui_loop on SDL's offscreen driver,
 * software renderer, stepped clock) showing one text field, with a
 * controller that edits the field from the INTENT_TEXT_* intents, as a
 * kiosk screen's controller does. Shared by the keyboard tests and goldens.
 */
#ifndef HK_TESTS_UI_IME_KB_FIXTURE_H
#define HK_TESTS_UI_IME_KB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "display.h"
#include "hk_test.h"
#include "keyboard.h"
#include "label.h"
#include "screens.h"
#include "ui_loop.h"
#include "ui_model.h"

#define KBF_FIELD_MAX 256

typedef struct kbf {
    config_t cfg;
    hk_clock_t *clock;
    font_set_t *fonts;
    display_t *disp;
    ui_loop_t *loop;
    ui_model_t model;
    char field[KBF_FIELD_MAX];
    int enters, intents;
    uint64_t field_gen;
} kbf_t;

static kbf_t *kbf_cur; /* the screen below reads the field from here */

/* ---- the field screen ---------------------------------------------------- */

typedef struct field_scr {
    scr_base_t base;
    uint64_t gen;
} field_scr_t;

static hk_err_t field_create(gfx_t *g, void **out)
{
    return scr_base_create(sizeof(field_scr_t), g, out);
}

static void field_enter(void *s)
{
    (void)s;
}

static ui_intent_t field_handle(void *s, const display_event_t *ev)
{
    ui_intent_t in;

    (void)s;
    (void)ev;
    memset(&in, 0, sizeof(in));
    return in;
}

static bool field_update(void *s, const ui_model_t *m)
{
    field_scr_t *f = s;
    bool changed = scr_base_take_model(&f->base, m);

    if(f->gen != kbf_cur->field_gen) {
        f->gen = kbf_cur->field_gen;
        changed = true;
    }
    return changed;
}

/* A title and the field above the keyboard (m->kb_h). */
static void field_draw(const void *s, gfx_t *g)
{
    const field_scr_t *f = s;
    const ui_model_t *m = &f->base.m;
    int pad = ui_px(m, 48), fh = ui_px(m, 120), top, bottom = m->h - m->kb_h;
    gfx_rect_t box;

    gfx_fill_rect(g, gfx_rect(0, 0, m->w, m->h), gfx_rgb(UI_COL_BG));
    gfx_fill_rect(g, gfx_rect(0, 0, m->w, ui_px(m, 140)), gfx_rgb(UI_COL_BRAND));
    top = ui_px(m, 140) + (bottom - ui_px(m, 140) - fh) / 2;
    box = gfx_rect(pad, top, m->w - 2 * pad, fh);
    gfx_fill_round_rect(g, box, ui_px(m, 20), gfx_rgb(UI_COL_CARD));
    gfx_fill_rect(g, gfx_rect(box.x, box.y + box.h - ui_px(m, 4), box.w, ui_px(m, 4)),
                  gfx_rgb(UI_COL_BRAND));
    ui_label_draw(g, GFX_REGULAR, ui_font(m, 52), gfx_rgb(UI_COL_TEXT),
                  gfx_rect(box.x + pad / 2, box.y + (fh - ui_label_line_h(ui_font(m, 52))) / 2,
                           box.w - pad, fh),
                  UI_ALIGN_LEFT, 1, kbf_cur->field);
}

static const scr_ops_t field_ops = { "field",      field_create, scr_base_destroy, field_enter,
                                     field_handle, field_update, field_draw };

/* ---- the controller --------------------------------------------------------- */

static ui_model_t *kbf_model(void *ctl)
{
    return &((kbf_t *)ctl)->model;
}

/* Erase the last UTF-8 character of s. */
static void kbf_erase(char *s)
{
    size_t n = strlen(s);

    while(n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
        n--;
    if(n > 0)
        n--;
    s[n] = '\0';
}

static void kbf_intent(void *ctl, const ui_intent_t *in)
{
    kbf_t *f = ctl;

    f->intents++;
    switch(in->kind) {
    case INTENT_TEXT_INPUT:
        if(strlen(f->field) + strlen(in->u.text) < sizeof(f->field))
            strcat(f->field, in->u.text);
        break;
    case INTENT_TEXT_BACKSPACE: kbf_erase(f->field); break;
    case INTENT_TEXT_CLEAR: f->field[0] = '\0'; break;
    case INTENT_TEXT_ENTER: f->enters++; break;
    default: return;
    }
    f->field_gen++;
}

/* Open the loop at w x h with data_dir (NULL = no pinyin). */
static inline void kbf_open(kbf_t *f, int w, int h, bool en, const char *data_dir)
{
    char path[1024];
    ui_controller_t c;
    ui_loop_opts_t lo;
    display_cfg_t dc;
    hk_diag_t diag;
    int root = 0;

    memset(f, 0, sizeof(*f));
    kbf_cur = f;
    hk_diag_clear(&diag);
    snprintf(path, sizeof(path), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &f->cfg, &diag));
    HK_ASSERT_OK(hk_clock_stepped_create(1764000000000LL, &f->clock));
    HK_ASSERT_OK(font_set_open(NULL, &f->fonts, &diag));
    memset(&dc, 0, sizeof(dc));
    dc.mode = DISPLAY_MODE_OFFSCREEN;
    dc.width = w;
    dc.height = h;
    HK_ASSERT_MSG(display_create(&dc, f->fonts, &f->disp, &diag) == HK_OK, "display: %s", diag.msg);
    memset(&c, 0, sizeof(c));
    c.ctl = f;
    c.model = kbf_model;
    c.on_intent = kbf_intent;
    memset(&lo, 0, sizeof(lo));
    lo.display = f->disp;
    lo.clock = f->clock;
    lo.data_dir = data_dir;
    HK_ASSERT_OK(ui_loop_create(&lo, &c, &f->loop));
    HK_ASSERT_OK(ui_loop_add_screen(f->loop, 0, &field_ops));
    ui_model_init(&f->model, &f->cfg, 1);
    f->model.lang = en ? I18N_EN : I18N_ZH;
    ui_loop_set_stack(f->loop, &root, 1);
    ui_loop_frame(f->loop, true);
}

static inline void kbf_close(kbf_t *f)
{
    ui_loop_destroy(f->loop);
    display_destroy(f->disp);
    font_set_destroy(f->fonts);
    hk_clock_destroy(f->clock);
    memset(f, 0, sizeof(*f));
    kbf_cur = NULL;
}

/* Past the input guard, then a frame. */
static inline void kbf_settle(kbf_t *f)
{
    hk_clock_advance(f->clock, UI_INPUT_GUARD_MS + 50);
    ui_loop_frame(f->loop, false);
}

/* A touch down then up at (x, y), then a frame. */
static inline void kbf_tap_at(kbf_t *f, int x, int y)
{
    display_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.display = f->disp;
    ev.type = DISPLAY_EV_DOWN;
    ev.x = x;
    ev.y = y;
    ui_loop_input(f->loop, &ev);
    ev.type = DISPLAY_EV_UP;
    ui_loop_input(f->loop, &ev);
    ui_loop_frame(f->loop, false);
}

/* The keyboard's key with code (UI_KB_K_* or a character); NULL if none. */
static inline const ui_kb_key_t *kbf_key(kbf_t *f, int code)
{
    const ui_keyboard_t *kb = ui_loop_keyboard(f->loop);
    int i;

    for(i = 0; i < kb->nkeys; i++)
        if(kb->keys[i].code == code)
            return &kb->keys[i];
    for(i = 0; i < kb->ncand_keys; i++)
        if(kb->cand_key[i].code == code)
            return &kb->cand_key[i];
    return NULL;
}

static inline void kbf_tap(kbf_t *f, int code)
{
    const ui_kb_key_t *k = kbf_key(f, code);

    HK_ASSERT_MSG(k != NULL, "no key %d on the keyboard", code);
    kbf_tap_at(f, k->r.x + k->r.w / 2, k->r.y + k->r.h / 2);
}

static inline void kbf_type(kbf_t *f, const char *s)
{
    for(; *s; s++)
        kbf_tap(f, *s);
}

#endif
