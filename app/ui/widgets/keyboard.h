/*
 * keyboard: the on-screen keyboard the screen loop draws in its overlay
 * layer (ui_loop_keyboard_open). Three modes: a numeric pad with big keys
 * (phone numbers), Latin QWERTY, and pinyin (QWERTY, the preedit and a
 * candidate bar with paging, through platform/ime). Keys: backspace, clear,
 * space, done, and the mode switch (中 / EN / 123) when allowed. Laid out
 * in design units (ui_px) along the bottom of any panel, portrait or
 * landscape; keys fire on release inside (a finger sliding to another key
 * moves the press there), the pressed key is drawn darker.
 *
 * The widget turns touches into what the field gets (ui_kb_out_t); the
 * loop turns that into INTENT_TEXT_* intents. It never writes the field.
 */
#ifndef HK_APP_UI_WIDGETS_KEYBOARD_H
#define HK_APP_UI_WIDGETS_KEYBOARD_H

#include <stdbool.h>

#include "display.h"
#include "gfx.h"
#include "ime.h"
#include "ui.h"

typedef enum ui_kb_mode { UI_KB_NUMERIC = 0, UI_KB_LATIN, UI_KB_PINYIN } ui_kb_mode_t;

/* What a touch did. */
typedef enum ui_kb_out_kind {
    UI_KB_OUT_NONE = 0,  /* not for the keyboard, or nothing visible */
    UI_KB_OUT_REDRAW,    /* press look, preedit, candidates or mode changed */
    UI_KB_OUT_TEXT,      /* text: type it into the field */
    UI_KB_OUT_BACKSPACE, /* erase one character before the caret */
    UI_KB_OUT_CLEAR,     /* empty the field */
    UI_KB_OUT_ENTER      /* done */
} ui_kb_out_kind_t;

typedef struct ui_kb_out {
    ui_kb_out_kind_t kind;
    bool consumed; /* the touch was the keyboard's (else: the screen's) */
    char text[IME_TEXT_MAX];
} ui_kb_out_t;

/* Key codes besides printable ASCII. */
enum {
    UI_KB_K_BACKSPACE = -1,
    UI_KB_K_CLEAR = -2,
    UI_KB_K_ENTER = -3,
    UI_KB_K_TO_PINYIN = -4,
    UI_KB_K_TO_LATIN = -5,
    UI_KB_K_TO_NUMERIC = -6,
    UI_KB_K_PAGE_PREV = -7,
    UI_KB_K_PAGE_NEXT = -8,
    UI_KB_K_CAND = -100 /* candidate i of the bar: UI_KB_K_CAND - i */
};

#define UI_KB_MAX_KEYS  48
#define UI_KB_MAX_CANDS 16
#define UI_KB_MAX_PAGES 32

typedef struct ui_kb_key {
    gfx_rect_t r;
    int code; /* 'a'..'z', '0'..'9', ' ', or UI_KB_K_* */
    char label[24];
    int label_px;
    uint32_t bg, fg;
} ui_kb_key_t;

typedef struct ui_keyboard {
    ui_kb_mode_t mode;
    bool allow_switch;
    ime_t *ime; /* borrowed; NULL = no pinyin (the switch offers 123 and EN only) */
    gfx_t *g;   /* for measuring while laying out */
    /* what the layout was made for */
    int lay_w, lay_h, lay_mode;
    i18n_lang_t lay_lang;
    bool lay_large, lay_valid;
    int unit100; /* ui_px(m, 100) */
    gfx_rect_t area;
    ui_kb_key_t keys[UI_KB_MAX_KEYS];
    int nkeys;
    int pressed; /* index in keys[], -1 = none */
    /* pinyin: the bar (preedit over a row of candidates) */
    gfx_rect_t bar, cand_row;
    int preedit_px, cand_px;
    char preedit[IME_TEXT_MAX];
    int first;                  /* index of the bar's first candidate */
    int pages[UI_KB_MAX_PAGES]; /* firsts of the pages before (page up) */
    int npages;
    int ncand; /* candidates on the bar */
    char cand[UI_KB_MAX_CANDS][IME_TEXT_MAX];
    ui_kb_key_t cand_key[UI_KB_MAX_CANDS + 2]; /* candidates, then prev and next */
    int ncand_keys;
    bool bar_valid;
    /* what changed since the last draw (ui_keyboard_draw_changed) */
    bool dmg_all, dmg_bar;
    int dmg_keys[4]; /* indexes in keys[] */
    int n_dmg_keys;
} ui_keyboard_t;

/** An empty, closed-looking keyboard in mode m (no layout yet). */
void ui_keyboard_init(ui_keyboard_t *kb, gfx_t *g, ime_t *ime);

/** Change mode (drops any composition) and whether the switch key shows. */
void ui_keyboard_set_mode(ui_keyboard_t *kb, ui_kb_mode_t mode, bool allow_switch);

/**
 * Height in pixels the keyboard takes at the bottom of m's panel in mode
 * (the loop's m->kb_h).
 */
int ui_keyboard_height(const ui_model_t *m, ui_kb_mode_t mode);

/**
 * Lay out for m (its w, h, lang, large) when that changed since the last
 * call, and refresh the candidate bar when the composition changed.
 */
void ui_keyboard_layout(ui_keyboard_t *kb, const ui_model_t *m);

/** Feed a touch (DOWN/MOVE/UP); see ui_kb_out_t. */
ui_kb_out_t ui_keyboard_handle(ui_keyboard_t *kb, const display_event_t *ev);

/** Forget the press and the composition (closing). */
void ui_keyboard_reset(ui_keyboard_t *kb);

/** Draw the whole keyboard (after ui_keyboard_layout()); forget the damage. */
void ui_keyboard_draw(ui_keyboard_t *kb, gfx_t *g);

/**
 * Draw only what changed since the last draw (the pressed keys' looks, the
 * candidate bar) over the previous frame, which must still be on the
 * surface with the keyboard on it.
 */
void ui_keyboard_draw_changed(ui_keyboard_t *kb, gfx_t *g);

#endif
