/*
 * keyboard: layout, input and drawing of the on-screen keyboard.
 *
 * Design notes
 *   Geometry: a strip across the bottom of the panel; the keys sit in a
 *   centred column whose width is capped (design units) so a landscape
 *   panel does not get keys three times wider than tall. Rows are laid out
 *   in "key units" (a letter key = 1): QWERTY rows are 10 units wide.
 *   Layout is cached for (size, language, text size, mode); the candidate
 *   bar is rebuilt only when the composition changed (bar_valid).
 *   Pinyin: every letter goes to the engine; the bar shows the preedit and
 *   as many candidates as fit its width, the pages before kept as a stack of
 *   first indexes (page up pops). Without an engine (or when it failed to
 *   load) pinyin keys type letters as the Latin keyboard does.
 */
#include "keyboard.h"

#include <stdio.h>
#include <string.h>

#include "button.h"
#include "hk_log.h"
#include "label.h"

#define KB_STRIP     0xD3DAE3u
#define KB_KEY       0xFFFFFFu
#define KB_KEY_DOWN  0xC6DAF2u
#define KB_FN        0xB4BFCCu
#define KB_SHADOW    0x9AA6B4u
#define KB_BAR       0xF7F9FCu
#define KB_CAND_LINE 0xDDE3EAu

static const char *const qwerty[3] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };

void ui_keyboard_init(ui_keyboard_t *kb, gfx_t *g, ime_t *ime)
{
    memset(kb, 0, sizeof(*kb));
    kb->g = g;
    kb->ime = ime;
    kb->pressed = -1;
    kb->mode = UI_KB_LATIN;
}

void ui_keyboard_reset(ui_keyboard_t *kb)
{
    kb->pressed = -1;
    if(kb->ime)
        ime_clear(kb->ime);
    kb->first = 0;
    kb->npages = 0;
    kb->bar_valid = false;
}

void ui_keyboard_set_mode(ui_keyboard_t *kb, ui_kb_mode_t mode, bool allow_switch)
{
    if(mode == UI_KB_PINYIN && !kb->ime)
        mode = UI_KB_LATIN;
    ui_keyboard_reset(kb);
    kb->mode = mode;
    kb->allow_switch = allow_switch;
    kb->lay_valid = false;
}

/* ---- geometry --------------------------------------------------------- */

typedef struct kb_metrics {
    int pad, gap, key_h, bar_h, max_w;
} kb_metrics_t;

static kb_metrics_t metrics(const ui_model_t *m, ui_kb_mode_t mode)
{
    bool land = ui_landscape(m);
    kb_metrics_t k;

    k.pad = ui_px(m, 16);
    k.gap = ui_px(m, land ? 10 : 12);
    if(mode == UI_KB_NUMERIC) {
        k.key_h = ui_px(m, land ? 100 : 140);
        k.max_w = ui_px(m, land ? 960 : 1000);
    } else {
        k.key_h = ui_px(m, land ? 92 : 116);
        k.max_w = ui_px(m, land ? 1500 : 1060);
    }
    /* the preedit line over a row of candidates (a cell: twice the font) */
    k.bar_h = mode == UI_KB_PINYIN
                  ? ui_label_line_h(ui_font(m, 32)) + ui_px(m, 6) + 2 * ui_font(m, land ? 46 : 50)
                  : 0;
    return k;
}

int ui_keyboard_height(const ui_model_t *m, ui_kb_mode_t mode)
{
    kb_metrics_t k = metrics(m, mode);

    return k.bar_h + k.pad + 4 * k.key_h + 3 * k.gap + k.pad;
}

static ui_kb_key_t *add_key(ui_keyboard_t *kb, gfx_rect_t r, int code, const char *label, int px,
                            uint32_t bg, uint32_t fg)
{
    ui_kb_key_t *k;

    if(HK_NEVER(kb->nkeys >= UI_KB_MAX_KEYS))
        return NULL;
    k = &kb->keys[kb->nkeys++];
    k->r = r;
    k->code = code;
    snprintf(k->label, sizeof(k->label), "%s", label);
    k->label_px = px;
    k->bg = bg;
    k->fg = fg;
    return k;
}

/* One row of keys: widths in tenths of a key unit, codes, labels. */
typedef struct row_key {
    int tenths;
    int code;
    const char *label;
    int px;
    uint32_t bg, fg;
} row_key_t;

/* u: pixels of one key unit (a letter key and its gap) */
static void add_row(ui_keyboard_t *kb, int x0, int y, int u, int gap, int h, const row_key_t *keys,
                    int n)
{
    int i, x = x0;

    for(i = 0; i < n; i++) {
        int w = keys[i].tenths * u / 10 - gap;
        add_key(kb, gfx_rect(x, y, w, h), keys[i].code, keys[i].label, keys[i].px, keys[i].bg,
                keys[i].fg);
        x += keys[i].tenths * u / 10;
    }
}

/* The mode switch keys this keyboard offers from mode (0..2 of them). */
static int switch_keys(const ui_keyboard_t *kb, const ui_model_t *m, int px, row_key_t *out)
{
    int n = 0;

    if(!kb->allow_switch)
        return 0;
    if(kb->mode != UI_KB_NUMERIC)
        out[n++] =
            (row_key_t){ 15,    UI_KB_K_TO_NUMERIC, i18n_get(m->lang, I18N_KB_MODE_NUMERIC), px,
                         KB_FN, UI_COL_TEXT };
    if(kb->mode != UI_KB_PINYIN && kb->ime)
        out[n++] =
            (row_key_t){ 15,    UI_KB_K_TO_PINYIN, i18n_get(m->lang, I18N_KB_MODE_PINYIN), px,
                         KB_FN, UI_COL_TEXT };
    if(kb->mode != UI_KB_LATIN)
        out[n++] = (row_key_t){ 15,    UI_KB_K_TO_LATIN, i18n_get(m->lang, I18N_KB_MODE_LATIN), px,
                                KB_FN, UI_COL_TEXT };
    return n;
}

static void layout_letters(ui_keyboard_t *kb, const ui_model_t *m, gfx_rect_t col, int key_h,
                           int gap)
{
    int u = (col.w + gap) / 10, letter_px = ui_font(m, 46), fn_px = ui_font(m, 34);
    int y = col.y, r, i, n;
    row_key_t row[12];
    char one[10][2];

    for(r = 0; r < 3; r++) {
        const char *s = qwerty[r];
        int len = (int)strlen(s), x0 = col.x;
        n = 0;
        if(r == 1)
            x0 += u / 2; /* half a key in */
        if(r == 2)
            row[n++] = (row_key_t){ 15,    UI_KB_K_CLEAR, i18n_get(m->lang, I18N_KB_CLEAR),
                                    fn_px, KB_FN,         UI_COL_TEXT };
        for(i = 0; i < len; i++) {
            one[i][0] = (char)(s[i] - 'a' + 'A');
            one[i][1] = '\0';
            row[n++] = (row_key_t){ 10, s[i], one[i], letter_px, KB_KEY, UI_COL_TEXT };
        }
        if(r == 2)
            row[n++] =
                (row_key_t){ 15,    UI_KB_K_BACKSPACE, i18n_get(m->lang, I18N_KB_DELETE), fn_px,
                             KB_FN, UI_COL_TEXT };
        add_row(kb, x0, y, u, gap, key_h, row, n);
        /* add_row copies the labels, so one[] may be reused */
        y += key_h + gap;
    }
    n = switch_keys(kb, m, fn_px, row);
    {
        int used = 0, space;
        for(i = 0; i < n; i++)
            used += row[i].tenths;
        space = 100 - used - 30;
        row[n++] = (row_key_t){ space, ' ',    i18n_get(m->lang, I18N_KB_SPACE),
                                fn_px, KB_KEY, UI_COL_MUTED };
        row[n++] = (row_key_t){ 30,    UI_KB_K_ENTER, i18n_get(m->lang, I18N_KB_DONE),
                                fn_px, UI_COL_BRAND,  UI_COL_WHITE };
    }
    add_row(kb, col.x, y, u, gap, key_h, row, n);
}

static void layout_numeric(ui_keyboard_t *kb, const ui_model_t *m, gfx_rect_t col, int key_h,
                           int gap)
{
    static const char *const digits[3] = { "123", "456", "789" };
    int unit = (col.w + gap) / 4, digit_px = ui_font(m, 64), fn_px = ui_font(m, 38);
    int y = col.y, r, i, n;
    row_key_t sw[3];
    char one[2] = { 0, 0 };

    for(r = 0; r < 3; r++) {
        for(i = 0; i < 3; i++) {
            one[0] = digits[r][i];
            add_key(kb, gfx_rect(col.x + i * unit, y, unit - gap, key_h), one[0], one, digit_px,
                    KB_KEY, UI_COL_TEXT);
        }
        y += key_h + gap;
    }
    y = col.y;
    add_key(kb, gfx_rect(col.x + 3 * unit, y, unit - gap, key_h), UI_KB_K_BACKSPACE,
            i18n_get(m->lang, I18N_KB_DELETE), fn_px, KB_FN, UI_COL_TEXT);
    add_key(kb, gfx_rect(col.x + 3 * unit, y + key_h + gap, unit - gap, key_h), UI_KB_K_CLEAR,
            i18n_get(m->lang, I18N_KB_CLEAR), fn_px, KB_FN, UI_COL_TEXT);
    add_key(kb, gfx_rect(col.x + 3 * unit, y + 2 * (key_h + gap), unit - gap, 2 * key_h + gap),
            UI_KB_K_ENTER, i18n_get(m->lang, I18N_KB_DONE), fn_px, UI_COL_BRAND, UI_COL_WHITE);
    y += 3 * (key_h + gap);
    n = switch_keys(kb, m, fn_px, sw);
    if(n == 0) {
        add_key(kb, gfx_rect(col.x, y, 3 * unit - gap, key_h), '0', "0", digit_px, KB_KEY,
                UI_COL_TEXT);
        return;
    }
    /* 0 in the middle column, the switch keys on either side */
    add_key(kb, gfx_rect(col.x + unit, y, unit - gap, key_h), '0', "0", digit_px, KB_KEY,
            UI_COL_TEXT);
    add_key(kb, gfx_rect(col.x, y, unit - gap, key_h), sw[0].code, sw[0].label, fn_px, KB_FN,
            UI_COL_TEXT);
    if(n > 1)
        add_key(kb, gfx_rect(col.x + 2 * unit, y, unit - gap, key_h), sw[1].code, sw[1].label,
                fn_px, KB_FN, UI_COL_TEXT);
}

/* The candidate bar from the engine's state at kb->first. */
static void layout_bar(ui_keyboard_t *kb)
{
    int unit = kb->unit100, pad = kb->cand_px * 6 / 10, arrow_w = kb->cand_px * 2;
    int x, right, i, n;
    bool more = false;
    gfx_rect_t row = kb->cand_row;

    kb->ncand = 0;
    kb->ncand_keys = 0;
    kb->bar_valid = true;
    snprintf(kb->preedit, sizeof(kb->preedit), "%s", kb->ime ? ime_preedit(kb->ime) : "");
    if(!kb->preedit[0])
        return;
    n = ime_candidates(kb->ime, kb->first, UI_KB_MAX_CANDS, kb->cand, &more);
    x = row.x + (kb->npages > 0 ? arrow_w : 0);
    right = row.x + row.w - arrow_w; /* room for the next arrow, used or not */
    for(i = 0; i < n; i++) {
        int w = ui_label_width(kb->g, i == 0 && kb->first == 0 ? GFX_BOLD : GFX_REGULAR,
                               kb->cand_px, kb->cand[i]) +
                2 * pad;
        ui_kb_key_t *k = &kb->cand_key[kb->ncand_keys];
        if(w < unit * 9 / 10)
            w = unit * 9 / 10;
        if(x + w > right) {
            if(i == 0) { /* one very long candidate: cut it to the bar */
                w = right - x;
            } else {
                more = true;
                break;
            }
        }
        k->r = gfx_rect(x, row.y, w, row.h);
        k->code = UI_KB_K_CAND - i;
        snprintf(k->label, sizeof(k->label), "%s", "");
        k->label_px = kb->cand_px;
        k->bg = KB_BAR;
        k->fg = i == 0 && kb->first == 0 ? UI_COL_BRAND : UI_COL_TEXT;
        kb->ncand_keys++;
        kb->ncand++;
        x += w;
    }
    if(kb->npages > 0) {
        ui_kb_key_t *k = &kb->cand_key[kb->ncand_keys++];
        k->r = gfx_rect(row.x, row.y, arrow_w, row.h);
        k->code = UI_KB_K_PAGE_PREV;
        k->label[0] = '\0';
        k->bg = KB_BAR;
        k->fg = UI_COL_BRAND;
    }
    if(more) {
        ui_kb_key_t *k = &kb->cand_key[kb->ncand_keys++];
        k->r = gfx_rect(row.x + row.w - arrow_w, row.y, arrow_w, row.h);
        k->code = UI_KB_K_PAGE_NEXT;
        k->label[0] = '\0';
        k->bg = KB_BAR;
        k->fg = UI_COL_BRAND;
    }
}

void ui_keyboard_layout(ui_keyboard_t *kb, const ui_model_t *m)
{
    kb_metrics_t k;
    gfx_rect_t col;
    int h, cw;

    if(kb->lay_valid && kb->lay_w == m->w && kb->lay_h == m->h && kb->lay_lang == m->lang &&
       kb->lay_large == m->large && kb->lay_mode == (int)kb->mode) {
        if(!kb->bar_valid && kb->mode == UI_KB_PINYIN) {
            layout_bar(kb);
            kb->dmg_bar = true;
        }
        return;
    }
    k = metrics(m, kb->mode);
    h = ui_keyboard_height(m, kb->mode);
    kb->lay_w = m->w;
    kb->lay_h = m->h;
    kb->lay_lang = m->lang;
    kb->lay_large = m->large;
    kb->lay_mode = (int)kb->mode;
    kb->lay_valid = true;
    kb->dmg_all = true;
    kb->unit100 = ui_px(m, 100);
    kb->nkeys = 0;
    kb->pressed = -1;
    kb->area = gfx_rect(0, m->h - h, m->w, h);
    cw = m->w - 2 * k.pad;
    if(cw > k.max_w)
        cw = k.max_w;
    col = gfx_rect((m->w - cw) / 2, kb->area.y + k.bar_h + k.pad, cw, 4 * k.key_h + 3 * k.gap);
    if(kb->mode == UI_KB_NUMERIC)
        layout_numeric(kb, m, col, k.key_h, k.gap);
    else
        layout_letters(kb, m, col, k.key_h, k.gap);
    kb->preedit_px = ui_font(m, 32);
    kb->cand_px = ui_font(m, ui_landscape(m) ? 46 : 50);
    kb->bar = gfx_rect(0, kb->area.y, m->w, k.bar_h);
    {
        int pre_h = ui_label_line_h(kb->preedit_px) + ui_px(m, 6);
        kb->cand_row = gfx_rect(col.x, kb->bar.y + pre_h, col.w, k.bar_h - pre_h);
    }
    kb->bar_valid = false;
    if(kb->mode == UI_KB_PINYIN)
        layout_bar(kb);
}

/* ---- damage ------------------------------------------------------------- */

static void damage_key(ui_keyboard_t *kb, int idx)
{
    int i;

    if(idx < 0)
        return;
    if(idx >= UI_KB_MAX_KEYS) { /* a cell of the bar */
        kb->dmg_bar = true;
        return;
    }
    for(i = 0; i < kb->n_dmg_keys; i++)
        if(kb->dmg_keys[i] == idx)
            return;
    if(kb->n_dmg_keys < (int)(sizeof(kb->dmg_keys) / sizeof(kb->dmg_keys[0])))
        kb->dmg_keys[kb->n_dmg_keys++] = idx;
    else
        kb->dmg_all = true;
}

/* ---- input ---------------------------------------------------------------- */

/* The key (or bar cell) under (x, y): index in keys[], or UI_KB_MAX_KEYS +
 * index in cand_key[]; -1 = none. */
static int key_at(const ui_keyboard_t *kb, int x, int y)
{
    int i;

    for(i = 0; i < kb->nkeys; i++) {
        gfx_rect_t r = kb->keys[i].r;
        int gx = kb->unit100 * 6 / 100; /* the gaps belong to the nearest key */
        r = gfx_rect(r.x - gx, r.y - gx, r.w + 2 * gx, r.h + 2 * gx);
        if(ui_rect_contains(r, x, y))
            return i;
    }
    for(i = 0; i < kb->ncand_keys; i++)
        if(ui_rect_contains(kb->cand_key[i].r, x, y))
            return UI_KB_MAX_KEYS + i;
    return -1;
}

static const ui_kb_key_t *key_of(const ui_keyboard_t *kb, int idx)
{
    if(idx < 0)
        return NULL;
    if(idx < UI_KB_MAX_KEYS)
        return idx < kb->nkeys ? &kb->keys[idx] : NULL;
    idx -= UI_KB_MAX_KEYS;
    return idx < kb->ncand_keys ? &kb->cand_key[idx] : NULL;
}

/* A committed text (or nothing: only the bar changed). */
static ui_kb_out_t committed(ui_keyboard_t *kb, const char *text)
{
    ui_kb_out_t o;

    memset(&o, 0, sizeof(o));
    o.consumed = true;
    kb->first = 0;
    kb->npages = 0;
    kb->bar_valid = false;
    if(text && text[0]) {
        o.kind = UI_KB_OUT_TEXT;
        snprintf(o.text, sizeof(o.text), "%s", text);
    } else {
        o.kind = UI_KB_OUT_REDRAW;
    }
    return o;
}

static bool pinyin_live(const ui_keyboard_t *kb)
{
    return kb->mode == UI_KB_PINYIN && kb->ime;
}

/* What pressing key code does. */
static ui_kb_out_t press(ui_keyboard_t *kb, int code)
{
    char commit[IME_TEXT_MAX];
    ui_kb_out_t o;

    memset(&o, 0, sizeof(o));
    o.consumed = true;
    o.kind = UI_KB_OUT_REDRAW;
    commit[0] = '\0';
    if(code <= UI_KB_K_CAND) {
        if(ime_select(kb->ime, kb->first + (UI_KB_K_CAND - code), commit, sizeof(commit)))
            return committed(kb, commit);
        return o;
    }
    switch(code) {
    case UI_KB_K_PAGE_NEXT:
        if(kb->npages < UI_KB_MAX_PAGES)
            kb->pages[kb->npages++] = kb->first;
        kb->first += kb->ncand;
        kb->bar_valid = false;
        return o;
    case UI_KB_K_PAGE_PREV:
        if(kb->npages > 0)
            kb->first = kb->pages[--kb->npages];
        kb->bar_valid = false;
        return o;
    case UI_KB_K_TO_PINYIN: ui_keyboard_set_mode(kb, UI_KB_PINYIN, kb->allow_switch); return o;
    case UI_KB_K_TO_LATIN: ui_keyboard_set_mode(kb, UI_KB_LATIN, kb->allow_switch); return o;
    case UI_KB_K_TO_NUMERIC: ui_keyboard_set_mode(kb, UI_KB_NUMERIC, kb->allow_switch); return o;
    case UI_KB_K_CLEAR:
        if(pinyin_live(kb))
            ime_clear(kb->ime);
        kb->bar_valid = false;
        o.kind = UI_KB_OUT_CLEAR;
        return o;
    case UI_KB_K_BACKSPACE:
        if(pinyin_live(kb) && ime_key(kb->ime, IME_KEY_BACKSPACE, commit, sizeof(commit)))
            return committed(kb, commit);
        o.kind = UI_KB_OUT_BACKSPACE;
        return o;
    case UI_KB_K_ENTER:
        if(pinyin_live(kb) && ime_key(kb->ime, IME_KEY_ENTER, commit, sizeof(commit)))
            return committed(kb, commit);
        o.kind = UI_KB_OUT_ENTER;
        return o;
    default: break;
    }
    if(pinyin_live(kb) && ime_key(kb->ime, code, commit, sizeof(commit)))
        return committed(kb, commit);
    o.kind = UI_KB_OUT_TEXT;
    o.text[0] = (char)code;
    o.text[1] = '\0';
    return o;
}

ui_kb_out_t ui_keyboard_handle(ui_keyboard_t *kb, const display_event_t *ev)
{
    ui_kb_out_t o;
    int at, was = kb->pressed;

    memset(&o, 0, sizeof(o));
    if(ev->type != DISPLAY_EV_DOWN && ev->type != DISPLAY_EV_MOVE && ev->type != DISPLAY_EV_UP)
        return o;
    if(!kb->lay_valid)
        return o;
    if(ev->type == DISPLAY_EV_DOWN && !ui_rect_contains(kb->area, ev->x, ev->y))
        return o; /* the screen's */
    if(ev->type != DISPLAY_EV_DOWN && kb->pressed < 0 && !ui_rect_contains(kb->area, ev->x, ev->y))
        return o;
    o.consumed = true;
    at = key_at(kb, ev->x, ev->y);
    switch(ev->type) {
    case DISPLAY_EV_DOWN: kb->pressed = at; break;
    case DISPLAY_EV_MOVE:
        if(kb->pressed >= 0)
            kb->pressed = at; /* the press follows the finger across keys */
        break;
    default: {
        const ui_kb_key_t *k = key_of(kb, kb->pressed == at ? at : -1);
        damage_key(kb, kb->pressed);
        kb->pressed = -1;
        if(k) {
            ui_kb_out_t r = press(kb, k->code);
            if(r.kind != UI_KB_OUT_NONE)
                return r;
        }
        break;
    }
    }
    if(was != kb->pressed) {
        o.kind = UI_KB_OUT_REDRAW;
        damage_key(kb, was);
        damage_key(kb, kb->pressed);
    }
    return o;
}

/* ---- drawing ----------------------------------------------------------------- */

static int key_drop(const ui_keyboard_t *kb)
{
    int drop = kb->unit100 * 4 / 100;

    return drop < 1 ? 1 : drop;
}

static void draw_key(const ui_keyboard_t *kb, const ui_kb_key_t *k, bool pressed, gfx_t *g)
{
    int radius = kb->unit100 * 14 / 100, drop = key_drop(kb), w, h;
    gfx_rect_t r = k->r;
    /* pressed: a white key turns light brand blue (a grey one would look
     * disabled), a coloured one darker */
    uint32_t bg = !pressed ? k->bg : k->bg == KB_KEY ? KB_KEY_DOWN : ui_shade(k->bg, 22);

    if(!pressed)
        gfx_fill_round_rect(g, gfx_rect(r.x, r.y + drop, r.w, r.h), radius, gfx_rgb(KB_SHADOW));
    else
        r.y += drop;
    gfx_fill_round_rect(g, r, radius, gfx_rgb(bg));
    gfx_text_size(g, GFX_BOLD, k->label_px, k->label, strlen(k->label), &w, &h);
    if(w > r.w - 2 * drop) { /* a long word on a small key: a wrapped label */
        ui_label_draw(g, GFX_BOLD, k->label_px * 8 / 10, gfx_rgb(k->fg),
                      gfx_rect(r.x + drop, r.y + (r.h - ui_label_line_h(k->label_px * 8 / 10)) / 2,
                               r.w - 2 * drop, r.h),
                      UI_ALIGN_CENTER, 1, k->label);
        return;
    }
    gfx_draw_text(g, GFX_BOLD, k->label_px, gfx_rgb(k->fg), r.x + (r.w - w) / 2,
                  r.y + (r.h - h) / 2, k->label, strlen(k->label));
}

static void draw_bar(const ui_keyboard_t *kb, gfx_t *g)
{
    int i, pad = kb->unit100 * 12 / 100;
    const ui_kb_key_t *pk = key_of(kb, kb->pressed);

    gfx_fill_rect(g, kb->bar, gfx_rgb(KB_BAR));
    gfx_fill_rect(g, gfx_rect(kb->bar.x, kb->bar.y + kb->bar.h - 1, kb->bar.w, 1),
                  gfx_rgb(KB_CAND_LINE));
    if(kb->ime && !ime_loaded(kb->ime)) {
        const char *t = i18n_get(kb->lay_lang, I18N_KB_LOADING);
        gfx_draw_text(g, GFX_REGULAR, kb->preedit_px, gfx_rgb(UI_COL_MUTED), kb->cand_row.x + pad,
                      kb->bar.y + pad / 2, t, strlen(t));
    }
    if(kb->preedit[0]) { /* a very long input: its start is cut at the bar's edge */
        gfx_rect_t clip = gfx_rect(kb->cand_row.x, kb->bar.y, kb->cand_row.w, kb->bar.h);
        gfx_set_clip(g, &clip);
        gfx_draw_text(g, GFX_REGULAR, kb->preedit_px, gfx_rgb(UI_COL_MUTED), kb->cand_row.x + pad,
                      kb->bar.y + pad / 2, kb->preedit, strlen(kb->preedit));
        gfx_set_clip(g, NULL);
    }
    for(i = 0; i < kb->ncand_keys; i++) {
        const ui_kb_key_t *k = &kb->cand_key[i];
        const char *text;
        int w, h;
        gfx_rect_t clip = k->r;
        if(k == pk)
            gfx_fill_round_rect(g, k->r, kb->unit100 * 12 / 100, gfx_rgb(ui_shade(KB_BAR, 12)));
        if(k->code == UI_KB_K_PAGE_PREV || k->code == UI_KB_K_PAGE_NEXT) {
            text = i18n_get(kb->lay_lang,
                            k->code == UI_KB_K_PAGE_PREV ? I18N_KB_PAGE_PREV : I18N_KB_PAGE_NEXT);
            gfx_text_size(g, GFX_REGULAR, kb->cand_px * 8 / 10, text, strlen(text), &w, &h);
            gfx_draw_text(g, GFX_REGULAR, kb->cand_px * 8 / 10, gfx_rgb(k->fg),
                          k->r.x + (k->r.w - w) / 2, k->r.y + (k->r.h - h) / 2, text, strlen(text));
            continue;
        }
        text = kb->cand[UI_KB_K_CAND - k->code];
        gfx_text_size(g, i == 0 && kb->first == 0 ? GFX_BOLD : GFX_REGULAR, kb->cand_px, text,
                      strlen(text), &w, &h);
        gfx_set_clip(g, &clip);
        gfx_draw_text(g, i == 0 && kb->first == 0 ? GFX_BOLD : GFX_REGULAR, kb->cand_px,
                      gfx_rgb(k->fg), k->r.x + (k->r.w - w) / 2, k->r.y + (k->r.h - h) / 2, text,
                      strlen(text));
        gfx_set_clip(g, NULL);
        if(i + 1 < kb->ncand)
            gfx_fill_rect(g, gfx_rect(k->r.x + k->r.w - 1, k->r.y + k->r.h / 4, 1, k->r.h / 2),
                          gfx_rgb(KB_CAND_LINE));
    }
}

static void damage_clear(ui_keyboard_t *kb)
{
    kb->dmg_all = false;
    kb->dmg_bar = false;
    kb->n_dmg_keys = 0;
}

void ui_keyboard_draw_changed(ui_keyboard_t *kb, gfx_t *g)
{
    int i;

    if(!kb->lay_valid)
        return;
    if(kb->dmg_all) {
        ui_keyboard_draw(kb, g);
        return;
    }
    if(kb->dmg_bar && kb->mode == UI_KB_PINYIN)
        draw_bar(kb, g);
    for(i = 0; i < kb->n_dmg_keys; i++) {
        const ui_kb_key_t *k = &kb->keys[kb->dmg_keys[i]];
        /* the key's cell: its face and the shadow or press offset below */
        gfx_fill_rect(g, gfx_rect(k->r.x, k->r.y, k->r.w, k->r.h + key_drop(kb)),
                      gfx_rgb(KB_STRIP));
        draw_key(kb, k, kb->dmg_keys[i] == kb->pressed, g);
    }
    damage_clear(kb);
}

void ui_keyboard_draw(ui_keyboard_t *kb, gfx_t *g)
{
    int i;

    if(!kb->lay_valid)
        return;
    damage_clear(kb);
    gfx_fill_rect(g, kb->area, gfx_rgb(KB_STRIP));
    gfx_fill_rect(g, gfx_rect(kb->area.x, kb->area.y, kb->area.w, 1), gfx_rgb(KB_SHADOW));
    if(kb->mode == UI_KB_PINYIN)
        draw_bar(kb, g);
    for(i = 0; i < kb->nkeys; i++)
        draw_key(kb, &kb->keys[i], i == kb->pressed, g);
}
