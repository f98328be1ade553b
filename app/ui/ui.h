/*
 * ui: the types every screen shares: the model a screen draws from, the
 * intents a screen turns touches into, theme metrics and colours. Screens
 * never do I/O; the role's controller (kiosk.c) acts on intents through the
 * branch interface (which commits before it answers)
 * and then hands screens a new model.
 */
#ifndef HK_APP_UI_UI_H
#define HK_APP_UI_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "faq_content.h" /* FAQ/triage */
#include "display.h"
#include "gfx.h"
#include "i18n.h"
#include "queue.h"
#include "submission.h"

typedef enum ui_screen_id {
    UI_SCR_ATTRACT = 0,
    UI_SCR_HOME,
    UI_SCR_SERVICES,
    UI_SCR_TICKET,
    UI_SCR_UNAVAILABLE,
    /* counter role (counter.c) and the rating screens the kiosk reuses */
    UI_SCR_COUNTER_LOGIN,
    UI_SCR_COUNTER_PANEL,
    UI_SCR_RATE_STAFF,  /* customer side: who served you, the number */
    UI_SCR_RATE_FACES,  /* five faces, then reasons or praise chips */
    UI_SCR_RATE_NUMBER, /* kiosk: which number to rate */
    UI_SCR_BOARD,       /* the hall board (display role) */
    /* FAQ/triage (issue 8, helper UI) */
    UI_SCR_TRIAGE,      /* "What do you need?" */
    UI_SCR_FAQ_LIST,    /* FAQ: categories, a category's articles, search results */
    UI_SCR_FAQ_ARTICLE, /* FAQ: the article reader */
    /* submission (issue 8.5) */
    UI_SCR_SUBMIT_FORM, /* report a problem: the form */
    UI_SCR_SUBMIT_DONE, /* its confirmation: reference, masked phone, QR */
    /* engineer mode (issue 9.5): model.role_view is an engineer_view_t */
    UI_SCR_ENGINEER_PIN, /* the PIN pad the hidden gesture opens */
    UI_SCR_ENGINEER,     /* the diagnostics, in tabs */
    UI_SCR_COUNT
} ui_screen_id_t;

typedef enum ui_print_state {
    UI_PRINT_NONE = 0, /* no printer configured */
    UI_PRINT_PENDING,
    UI_PRINT_DONE,
    UI_PRINT_FAULT
} ui_print_state_t;

typedef struct ui_service_view {
    bool open; /* taking numbers now */
    int waiting;
    int est_wait_s;      /* -1 = no estimate (no open counter) */
    config_span_t today; /* today's hours (open_min < 0: closed today) */
} ui_service_view_t;

/* The staff actions of the counter panel, in key order: F1..F8 and the
 * digits 1..8 of a keypad pick the action of the same number. */
typedef enum ui_counter_act {
    UI_ACT_NONE = 0,
    UI_ACT_CALL_NEXT, /* F1 */
    UI_ACT_RECALL,    /* F2 */
    UI_ACT_START,     /* F3 */
    UI_ACT_FINISH,    /* F4 */
    UI_ACT_NO_SHOW,   /* F5: then put back / mark missed */
    UI_ACT_PAUSE,     /* F6: pause, or resume a paused counter */
    UI_ACT_OPEN,      /* F7: open a closed counter, close an open one */
    UI_ACT_TRANSFER,  /* F8: then pick a service */
    UI_ACT_COUNT
} ui_counter_act_t;

/* A modal choice on the counter panel. */
typedef enum ui_counter_pick {
    UI_PICK_NONE = 0,
    UI_PICK_NO_SHOW, /* arg 0 = put back in the queue, 1 = mark missed */
    UI_PICK_TRANSFER /* arg = service index */
} ui_counter_pick_t;

/* The counter role's staff side (counter.c). No raw clock: texts. */
typedef struct ui_counter_view {
    int counter_idx; /* in cfg->counters; -1 = not configured */
    int staff_idx;   /* login: chosen member of staff (cfg->staff); -1 none */
    bool logged_in;
    int pin_len; /* digits typed so far (shown masked) */
    char login_msg[160];
    int state; /* branch_counter_state_t */
    bool has_ticket;
    ticket_t ticket;      /* called or being served here */
    char waited_text[16]; /* issue to call "12:05" */
    char here_text[16];   /* since the call, live "01:30" */
    ui_counter_pick_t pick;
    bool busy; /* an operation is on its way to the hub */
    char toast[160];
    bool toast_error;
} ui_counter_view_t;

typedef enum ui_rate_phase {
    UI_RATE_FACES = 0, /* choose one of five */
    UI_RATE_REASONS,   /* after 1..3: what fell short (optional chips) */
    UI_RATE_PRAISE,    /* after 4..5: what went well (optional chips) */
    UI_RATE_SENDING,   /* the vote is on its way */
    UI_RATE_THANKS,    /* stored */
    UI_RATE_FAILED     /* refused (window passed, already rated) */
} ui_rate_phase_t;

/* The rating screens (counter and kiosk) and the customer side. */
typedef struct ui_rate_view {
    ui_rate_phase_t phase;
    int level;       /* 1..5 chosen; 0 = none yet */
    unsigned chips;  /* rating_reason_t or rating_praise_t bits chosen */
    int countdown_s; /* seconds left to rate; -1 = none shown */
    bool kiosk;      /* rated later at a kiosk (no staff card) */
    char number[8];  /* the visit's ticket number */
    char staff_id[32];
    char staff_name[CONFIG_NAME_LEN]; /* in the language shown; "" = nobody logged in */
    char initials[16];                /* the photo placeholder's letters */
    char msg[160];                    /* FAILED: why */
    bool idle; /* second screen between visits: who serves here, the number now */
    /* kiosk, which number: typed / scanned so far, and what went wrong */
    char entry[8];
    char entry_msg[160];
    bool entry_busy;
} ui_rate_view_t;

/* FAQ/triage (issue 8, helper UI): what the FAQ and triage screens show. */
typedef enum ui_faq_mode {
    UI_FAQ_CATEGORIES = 0, /* browse: the categories */
    UI_FAQ_CATEGORY,       /* a category's articles */
    UI_FAQ_SEARCH          /* ranked results of the query */
} ui_faq_mode_t;

#define UI_FAQ_MAX_HITS 24

typedef struct ui_faq_view {
    const faq_content_t *content; /* NULL = none loaded (see load_failed) */
    bool load_failed;             /* the content did not load: say so plainly */
    bool search_ready;            /* the search index is open */
    bool kb_open;                 /* the search field has the keyboard */
    ui_faq_mode_t mode;
    int category;   /* UI_FAQ_CATEGORY: index into content->categories */
    char query[96]; /* the search field, UTF-8 */
    int n_hits;     /* UI_FAQ_SEARCH: ranked article indexes */
    int hits[UI_FAQ_MAX_HITS];
    int page;      /* list / triage page shown (large text pages more) */
    int article;   /* the article shown; -1 = none */
    int via_need;  /* the triage need that led to it, -1 = none: its fallback route is
                      what "still need help?" offers (SELFHELP) */
    int scroll_px; /* the article's scroll offset, panel pixels */
    int feedback;  /* this view of the article: 0 not asked yet, 1 helped, 2 did not */
} ui_faq_view_t;
/* submission (issue 8.5): the report-a-problem form and its confirmation.
 * The raw phone number stays in the controller: the model has only what
 * the screen shows (the digits while typing, masked once complete). */
typedef enum ui_submit_focus {
    UI_SUBMIT_FOCUS_NONE = 0,
    UI_SUBMIT_FOCUS_PHONE,
    UI_SUBMIT_FOCUS_DESC
} ui_submit_focus_t;

typedef struct ui_submit_view {
    int category;                          /* index in submission_categories(); -1 = none chosen */
    ui_submit_focus_t focus;               /* the field the keyboard types into */
    char phone_text[SUBMISSION_PHONE_LEN]; /* shown: digits while typing, 138****5678 when done */
    bool phone_done;                       /* 11 valid digits: shown masked */
    char desc[SUBMISSION_DESC_CAP];        /* the description as typed */
    int desc_chars;                        /* characters (not bytes) */
    bool consent;
    i18n_key_t err[SUBMISSION_FIELD_ORIGIN + 1]; /* per submission_field_t; 0 = no error */
    bool has_err;
    int warn_s;   /* > 0: inactivity warning, seconds before the form clears */
    bool sending; /* on its way to the hub */
    bool failed;  /* the hub refused or did not answer (a message under the button) */
    bool offline; /* failed because the hub could not be reached: said so (SELFHELP) */
    /* the confirmation */
    char ref[SUBMISSION_REF_LEN];
    char phone_masked[SUBMISSION_PHONE_LEN];
    char qr_url[CONFIG_PATH_LEN]; /* the status page; "" = none configured */
    ui_print_state_t print_state;
} ui_submit_view_t;

/* Everything a screen shows. Screens keep a copy and redraw only when a
 * new model differs (so no raw clock in here: minutes are text). */
typedef struct ui_model {
    const config_t *cfg;
    i18n_lang_t lang;
    bool large;
    int w, h;            /* the panel's pixels (display gfx), set by the loop each frame */
    char time_text[16];  /* "14:32" */
    char date_text[48];  /* "11月25日 星期三" */
    int total_waiting;   /* -1 = not known yet (first frame) */
    config_span_t today; /* branch hours today */
    ui_service_view_t svc[CONFIG_MAX_SERVICES];
    bool has_ticket;
    ticket_t ticket; /* the ticket just issued */
    ui_print_state_t print_state;
    int countdown_s;              /* ticket screen: seconds to home */
    i18n_key_t unavailable_title; /* which tile led to "not available" */
    uint64_t cfg_gen;             /* generation of cfg: a replaced config changes
                                     the model, so the showing screen re-lays out */
    ui_counter_view_t counter;    /* counter role */
    ui_rate_view_t rate;          /* rating screens */
    /* A role's own view that does not fit the fields above (the hall
     * board's calls: board.h's board_view_t), owned by its controller;
     * role_gen changes whenever it does, so screens see the change. */
    const void *role_view;
    uint64_t role_gen;
    bool central_offline; /* head office unreachable: the header says so, discreetly */
    bool hub_offline;     /* a LAN client's hub unreachable (MAILBOX_LINK_CHANGED): the
                             board's header and the counter's state pill say so */
    int kb_h;             /* pixels the keyboard overlay covers at the bottom (0 = closed),
                             set by the loop: screens lay out above it */
    /* FAQ/triage (issue 8, helper UI) */
    bool contrast;         /* high-contrast theme (header toggle, every screen) */
    bool contrast_offered; /* the role handles INTENT_TOGGLE_CONTRAST: the header shows it */
    ui_faq_view_t faq;     /* the FAQ and triage screens */
    /* submission (issue 8.5) */
    ui_submit_view_t submit;
    /* voice guidance (issue 8.6, SELFHELP) */
    bool voice;         /* reads each screen's title and the choice tapped */
    bool voice_offered; /* the role handles INTENT_TOGGLE_VOICE: the header shows it */
} ui_model_t;

typedef enum ui_intent_kind {
    INTENT_NONE = 0,
    INTENT_REDRAW, /* visual feedback only (pressed state) */
    INTENT_START,  /* attract -> home */
    INTENT_HOME,
    INTENT_BACK,
    INTENT_OPEN_SERVICES,
    INTENT_OPEN_FAQ,
    INTENT_OPEN_SUBMIT,
    INTENT_OPEN_RATE,
    INTENT_TAKE_NUMBER,    /* arg = service index */
    INTENT_SERVICE_CLOSED, /* arg = service index */
    INTENT_TOGGLE_LANG,
    INTENT_TOGGLE_LARGE,
    INTENT_DISMISS, /* close the dialog */
    /* counter role */
    INTENT_STAFF_PICK,  /* arg = staff index */
    INTENT_PIN_KEY,     /* arg = digit 0..9, -1 backspace, -2 clear */
    INTENT_LOGIN,       /* check the PIN typed */
    INTENT_LOGOUT,      /* close the counter and log out */
    INTENT_COUNTER_ACT, /* arg = ui_counter_act_t */
    INTENT_PICK,        /* arg = choice of the panel's open pick */
    INTENT_CANCEL,      /* close the panel's pick */
    /* rating */
    INTENT_RATE_BEGIN,   /* customer side: on to the faces */
    INTENT_RATE_LEVEL,   /* arg = 1..5 */
    INTENT_RATE_CHIP,    /* arg = reason/praise bit */
    INTENT_RATE_SUBMIT,  /* send the level with the chips chosen */
    INTENT_ENTRY_KEY,    /* arg = character typed on the number pad; 8 = erase */
    INTENT_ENTRY_SUBMIT, /* look the number up */
    /* text input: the on-screen keyboard overlay (ui_loop) and physical
     * keyboards / keyboard-wedge scanners, delivered to the showing screen's
     * focused field through its controller */
    INTENT_TEXT_INPUT,     /* payload text: UTF-8 committed (a candidate, a letter, a digit) */
    INTENT_TEXT_BACKSPACE, /* erase one character before the caret */
    INTENT_TEXT_CLEAR,     /* empty the field */
    INTENT_TEXT_ENTER,     /* done / search / next field */
    /* FAQ/triage (issue 8, helper UI) */
    INTENT_OPEN_TRIAGE,      /* home -> "What do you need?" */
    INTENT_TRIAGE_PICK,      /* arg = need index */
    INTENT_FAQ_CATEGORY,     /* arg = category index; -1 = back to the categories */
    INTENT_FAQ_ARTICLE,      /* arg = article index */
    INTENT_FAQ_SEARCH,       /* the search field was tapped: the keyboard */
    INTENT_FAQ_PAGE,         /* arg = page to show */
    INTENT_FAQ_SCROLL,       /* arg = the article's offset the finger asks for (px) */
    INTENT_FAQ_FLING,        /* finger lifted; arg = the article's largest offset (px) */
    INTENT_FAQ_HELPFUL,      /* arg = 1 helped, 0 did not */
    INTENT_FAQ_STILL_QUEUE,  /* take a number for the article's service */
    INTENT_FAQ_STILL_SUBMIT, /* report a problem, the article's category filled in */
    INTENT_TOGGLE_CONTRAST,  /* high-contrast theme on / off */
    /* submission (issue 8.5) */
    INTENT_SUBMIT_CATEGORY, /* arg = index in submission_categories() */
    INTENT_SUBMIT_FOCUS,    /* arg = ui_submit_focus_t */
    INTENT_SUBMIT_CONSENT,  /* toggle the consent box */
    INTENT_SUBMIT_SEND,     /* check and submit the form */
    /* voice guidance (issue 8.6, SELFHELP) */
    INTENT_TOGGLE_VOICE, /* voice guidance on / off */
    /* engineer mode (issue 9.5); the PIN pad reuses INTENT_PIN_KEY / INTENT_LOGIN */
    INTENT_ENG_TAB,   /* arg = engineer_tab_t */
    INTENT_ENG_TOUCH, /* arg = touch-test cell index */
    INTENT_ENG_ACTION /* arg = engineer_action_t */
} ui_intent_kind_t;

/* What an intent carries beyond its kind and index. */
typedef enum ui_payload_kind {
    UI_PAYLOAD_NONE = 0,
    UI_PAYLOAD_TEXT,   /* u.text: typed or scanned text */
    UI_PAYLOAD_RATING, /* u.rating: a score with reasons */
    UI_PAYLOAD_FORM    /* u.form: named fields of a form */
} ui_payload_kind_t;

#define UI_FORM_MAX_FIELDS 8

typedef struct ui_rating {
    int score;        /* 1..5 */
    uint32_t reasons; /* bit i = reason i of the rating screen */
} ui_rating_t;

typedef struct ui_form {
    int n;
    struct {
        char name[24];
        char value[256];
    } field[UI_FORM_MAX_FIELDS];
} ui_form_t;

typedef struct ui_intent {
    ui_intent_kind_t kind;
    int arg;                   /* index: service, article, counter */
    ui_payload_kind_t payload; /* which member of u is valid */
    union {
        char text[128];
        ui_rating_t rating;
        ui_form_t form;
    } u;
} ui_intent_t;

/* Palette (sRGB). Brand blue with high-contrast text for a bright hall. */
#define UI_COL_BG          0xF2F5F9u
#define UI_COL_BRAND       0x0B5CADu
#define UI_COL_BRAND_DARK  0x08457Fu
#define UI_COL_CARD        0xFFFFFFu
#define UI_COL_TEXT        0x1F2937u
#define UI_COL_MUTED       0x5B6472u
#define UI_COL_LINE        0xDDE3EAu
#define UI_COL_WHITE       0xFFFFFFu
#define UI_COL_TAKE        0x0B6BD3u
#define UI_COL_FAQ         0x0E9F7Eu
#define UI_COL_SUBMIT      0xE07A00u
#define UI_COL_RATE        0xD23F68u
#define UI_COL_VIP         0xB8891Cu
#define UI_COL_DISABLED    0xC5CCD6u
#define UI_COL_DISABLED_TX 0x7D8795u
#define UI_COL_OK          0x16803Cu
#define UI_COL_WARN        0xC2410Cu

/**
 * Scale a base length designed for a 1080x1920 (or 1920x1080) panel to
 * the panel's pixels: the reference is fitted into m->w x m->h (ui.c).
 */
int ui_px(const ui_model_t *m, int base);
/** Scale a base font size; large-text mode enlarges it by 1.3. */
int ui_font(const ui_model_t *m, int base);
/** True when the layout is wider than tall. */
bool ui_landscape(const ui_model_t *m);
/** Format a span "09:00–18:00" into buf. */
void ui_span_text(config_span_t span, char *buf, unsigned size);

/* FAQ/triage (issue 8, helper UI): the colours a screen draws with, normal
 * or high contrast (white on black, yellow for what can be pressed: WCAG
 * AAA contrast). Screens that take their colours from here follow the
 * header's contrast toggle. */
typedef struct ui_theme {
    uint32_t bg;      /* screen background */
    uint32_t card;    /* cards and rows */
    uint32_t pressed; /* a card while pressed */
    uint32_t text, muted;
    uint32_t line;  /* separators, card outlines in high contrast */
    uint32_t brand; /* titles' accent, links, the scrollbar */
    uint32_t on_brand;
    uint32_t header; /* the header bar */
    uint32_t shadow;
    bool outline; /* draw card outlines (high contrast: no soft shadows) */
} ui_theme_t;

/** The theme of m (m->contrast); static storage. */
const ui_theme_t *ui_theme(const ui_model_t *m);

/* High contrast for screens drawn with the normal palette (issue 8.6,
 * SELFHELP): a UI_COL_* colour as m's theme shows it. Normal: unchanged.
 * High contrast: ui_fill() turns backgrounds, cards and separators black
 * and accents (what is coloured: a badge, a status band) yellow; ui_ink()
 * turns text white, white on an accent black and accented text yellow;
 * ui_fill_press()/ui_ink_press() are a button's: yellow with black text. */
uint32_t ui_fill(const ui_model_t *m, uint32_t rgb);
uint32_t ui_ink(const ui_model_t *m, uint32_t rgb);
uint32_t ui_fill_press(const ui_model_t *m, uint32_t rgb);
uint32_t ui_ink_press(const ui_model_t *m, uint32_t rgb);

#endif
