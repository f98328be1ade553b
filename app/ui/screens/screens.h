/*
 * screens: every screen is a module with private state and the same verbs
 * (STYLE.md section 8): create/destroy, enter (clear transient state),
 * handle (touch -> intent, no I/O), update (model -> view state, true when
 * something visible changed) and draw (pure function of the state).
 * ui_loop.c drives them through this table.
 */
#ifndef HK_APP_UI_SCREENS_SCREENS_H
#define HK_APP_UI_SCREENS_SCREENS_H

#include <stddef.h>

#include "chrome.h"
#include "ui.h"

typedef struct scr_ops {
    const char *name;
    hk_err_t (*create)(gfx_t *g, void **out);
    void (*destroy)(void *s);
    void (*enter)(void *s);
    ui_intent_t (*handle)(void *s, const display_event_t *ev);
    bool (*update)(void *s, const ui_model_t *m);
    void (*draw)(const void *s, gfx_t *g);
} scr_ops_t;

/* What every screen's state begins with (its first member, "base"). */
typedef struct scr_base {
    gfx_t *g;           /* for measuring text while laying out */
    ui_model_t m;       /* the model last drawn */
    ui_chrome_t chrome; /* header (and bottom bar) */
} scr_base_t;

/**
 * Allocate a zeroed screen state of size bytes whose first member is a
 * scr_base_t, and set its gfx. Free with scr_base_destroy().
 */
hk_err_t scr_base_create(size_t size, gfx_t *g, void **out);
void scr_base_destroy(void *s); /* NULL ok */

/** Copy m into the base when it differs; true when it did (relayout). */
bool scr_base_take_model(scr_base_t *b, const ui_model_t *m);

/*
 * Shared by the counter and rating screens (rating_face.c).
 */
/** A plain button at r: title, colours, font size in design units. */
void scr_button(ui_button_t *b, const ui_model_t *m, gfx_rect_t r, const char *title, uint32_t bg,
                uint32_t fg, int title_base);
/** The face of rating level 1..5 (a disc, eyes, a mouth whose curve is the
 *  level) centred at (cx, cy), d pixels across, drawn with discs only. */
void scr_rate_face(gfx_t *g, int cx, int cy, int d, int level);
/** The colour of level 1..5. */
uint32_t scr_rate_color(int level);
/** The photo placeholder: a disc with the staff member's initials. */
void scr_rate_avatar(gfx_t *g, const ui_model_t *m, int cx, int cy, int d, const char *initials);

/*
 * The PIN pad shared by the counter login and the engineer mode (12 keys:
 * 1..9, clear, 0, erase; rating_face.c).
 */
#define SCR_PIN_KEYS 12
/** A press on one of the keys: *in becomes INTENT_PIN_KEY (arg digit, -2
 *  clear, -1 erase) and true is returned; *changed as ui_button_handle. */
bool scr_pin_keys_handle(ui_button_t *keys, const display_event_t *ev, bool *changed,
                         ui_intent_t *in);
/** Lay the keys out in a 3-column grid from (x, top), kw x kh each, gap
 *  apart; digits at digit_base, clear and erase (catalogue keys) at
 *  word_base; titles never taller than 55 % of a key. */
void scr_pin_keys_layout(ui_button_t *keys, const ui_model_t *m, int x, int top, int kw, int kh,
                         int gap, int digit_base, int word_base, i18n_key_t clear,
                         i18n_key_t erase);
/** The PIN, masked, in r: a dot of d px per digit typed, rings for the
 *  usual six, at most 12. */
void scr_pin_dots(gfx_t *g, const ui_model_t *m, gfx_rect_t r, int d, int len);

const scr_ops_t *scr_attract_ops(void);
const scr_ops_t *scr_home_ops(void);
const scr_ops_t *scr_services_ops(void);
const scr_ops_t *scr_ticket_ops(void);
const scr_ops_t *scr_unavailable_ops(void);
const scr_ops_t *scr_counter_login_ops(void);
const scr_ops_t *scr_counter_panel_ops(void);
const scr_ops_t *scr_rate_staff_ops(void);
const scr_ops_t *scr_rate_faces_ops(void);
const scr_ops_t *scr_rate_number_ops(void);
const scr_ops_t *scr_board_ops(void);
/* submission (issue 8.5) */
const scr_ops_t *scr_submit_form_ops(void);
const scr_ops_t *scr_submit_done_ops(void);

/* engineer mode (issue 9.5) */
const scr_ops_t *scr_engineer_pin_ops(void);
const scr_ops_t *scr_engineer_diag_ops(void);

/*
 * FAQ/triage (issue 8, helper UI): the triage and FAQ screens, and what
 * they share (scr_faq.c).
 */
const scr_ops_t *scr_triage_ops(void);
const scr_ops_t *scr_faq_list_ops(void);
const scr_ops_t *scr_faq_article_ops(void);
/** The article screen's largest scroll offset as last laid out (px; tests
 *  and the benchmark: how far a sweep can go). */
int scr_faq_article_max_scroll(const void *s);

/** Draw the icon named by content (faq_category_t / triage_need_t .icon) in a
 *  disc of diameter d at r's top-left, fg on bg. Unknown names get "?". */
void scr_faq_icon(gfx_t *g, const char *name, gfx_rect_t r, uint32_t bg, uint32_t fg);

/** Index in m->cfg->services of the service with this id; -1 when none. */
int scr_faq_service(const ui_model_t *m, const char *id);

/** "等候 3 人 · 约 6 分钟" / "closed" for service i into buf. */
void scr_faq_wait_text(const ui_model_t *m, int i, char *buf, size_t size);

/** The service's name in the model's language. */
const char *scr_faq_service_name(const ui_model_t *m, int i);

/* A pager: Previous  2 / 3  Next, under a list that does not fit. */
typedef struct scr_pager {
    ui_button_t prev, next;
    gfx_rect_t box;
    int page, pages;
} scr_pager_t;

/** Lay out a pager in box (pages <= 1: nothing shown). */
void scr_pager_layout(scr_pager_t *p, gfx_t *g, const ui_model_t *m, gfx_rect_t box, int page,
                      int pages);
/** INTENT_FAQ_PAGE (arg = the new page), INTENT_REDRAW, or INTENT_NONE. */
ui_intent_t scr_pager_handle(scr_pager_t *p, const display_event_t *ev);
void scr_pager_draw(const scr_pager_t *p, const ui_model_t *m, gfx_t *g);

/**
 * The service "still need help?" offers a number for on article a: the
 * fallback of the triage need that led to it when that is a queue route
 * (m->faq.via_need), else the article's own related service.
 */
const char *scr_faq_still_service(const ui_model_t *m, const faq_article_t *a);

/** A card's look (theme): fill, outline in high contrast, soft shadow else. */
void scr_faq_card(gfx_t *g, const ui_model_t *m, gfx_rect_t r, int radius, bool pressed);

#endif
