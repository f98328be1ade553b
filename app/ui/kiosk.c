/*
 * kiosk: see kiosk.h.
 *
 * Design notes
 *   Screens (navigation stack, root first):
 *     [ATTRACT]                        start, and after idle_timeout_s
 *     [ATTRACT, HOME]                  INTENT_START / INTENT_HOME
 *     [ATTRACT, HOME, SERVICES]        INTENT_OPEN_SERVICES
 *     [ATTRACT, HOME, TICKET]          the take-number result, HK_OK
 *     [ATTRACT, HOME, UNAVAILABLE]     FAQ / submit tiles
 *     [ATTRACT, HOME, RATE_NUMBER]     "rate our service": which number
 *     [ATTRACT, HOME, RATE_FACES]      that visit may be rated: the faces
 *     [ATTRACT, HOME, TRIAGE]          FAQ/triage: "What do you need?"
 *     [ATTRACT, HOME, TRIAGE, FAQ_ARTICLE]  a need answered by an article
 *     [ATTRACT, HOME, FAQ_LIST]        FAQ: categories / a category / search
 *     [ATTRACT, HOME, FAQ_LIST, FAQ_ARTICLE]
 *   INTENT_BACK pops; the ticket screen returns home after its countdown.
 *   Idle (no input for idle_timeout_s) resets language and text size for
 *   the next customer and shows ATTRACT.
 *
 *   Taking a number: INTENT_TAKE_NUMBER -> branch_take_number(tag) and
 *   take_tag = tag; while a take is in flight further takes are ignored
 *   (one press, one ticket, also across a slow LAN). The MAILBOX_BRANCH_DONE
 *   with that tag either carries the committed ticket (-> TICKET screen,
 *   and printing starts after the confirmation frame is presented) or an
 *   error (-> a dialog). The model never shows a ticket that did not
 *   commit.
 *
 *   Rating later (the rate tile): the number is typed on the pad or
 *   scanned (a keyboard-wedge scanner types the ticket's QR URL; text
 *   events collect in scan until Enter). INTENT_ENTRY_SUBMIT ->
 *   branch_rating_lookup (lookup_tag, one at a time); RATING_STATUS_OPEN ->
 *   the faces (rating_flow), else the reason under the field. The vote is
 *   branch_rate_number (rate_tag: one vote, later presses ignored); thanks
 *   -> home after RATE_DONE_S. The faces time out like every inner
 *   screen: idle -> attract.
 *
 *   Waiting counts: any MAILBOX_JOURNAL_ADVANCED (a ticket issued here or a
 *   call made anywhere in the branch), the minute tick, and entering a
 *   screen that shows counts each ask the branch for a snapshot; at most
 *   one is in flight, and a request made meanwhile is remembered
 *   (snap_again) so the newest state always arrives.
 *
 *   Configuration: the kiosk holds one acquired snapshot of the live config
 *   (config_live). MAILBOX_CONFIG_CHANGED (posted by whoever replaced it)
 *   makes it acquire the new one, hand it to the model (whose cfg_gen
 *   changes, so the showing screen re-lays out), the branch and the print
 *   job, and only then release the old one.
 *
 *   Timers (runloop ids): T_MINUTE at the next whole wall minute (header
 *   clock, opening hours), T_IDLE at last input + idle_timeout_s while not
 *   on ATTRACT, T_COUNTDOWN every second on the ticket screen, T_RATING a
 *   rating window after the journal last moved (a visit may have finished):
 *   the branch's not-rated sweep. The sweep's own events re-arm it once;
 *   a sweep that finds nothing writes nothing, so an idle branch stays idle.
 *   T_CENTRAL every CENTRAL_LOOK_MS while there is a sync with head office:
 *   the header's offline indicator (one atomic load in the sync), and the
 *   generation of head office's FAQ content: a new one is loaded (faq_reload)
 *   as soon as no FAQ or triage screen shows.
 *
 *   FAQ/triage (issue 8): the content (faq.json + triage.json) loads in
 *   start(), after the first frame; a refusal is logged with its field and
 *   the FAQ says plainly that it is not available (m->faq.load_failed).
 *   The search index is built on first use of the FAQ (it reads the input
 *   method's readings). Typed text (the on-screen keyboard's INTENT_TEXT_*,
 *   a physical keyboard's text events) edits m->faq.query while the FAQ
 *   list shows, and every change re-runs the search. The article's scroll
 *   offset is the model's (m->faq.scroll_px): the finger sets it
 *   (INTENT_FAQ_SCROLL); after a fling T_FAQ_FLING steps the kinetic coast
 *   every UI_KINETIC_FRAME_MS until it rests, then stops (idle stays idle).
 *   Each triage choice and each "did this help?" answer (once per view)
 *   is journaled through the branch.
 *   Submission (issue 8.5), [ATTRACT, HOME, SUBMIT_FORM] then
 *   [ATTRACT, HOME, SUBMIT_DONE]: INTENT_OPEN_SUBMIT (arg 0 = no category,
 *   i + 1 = submission_categories()[i] preset, e.g. from triage or an FAQ
 *   article) opens an empty form. The raw phone number lives here only
 *   (sub_phone); the model shows its digits while it is being typed and
 *   138****5678 once it is a valid number. Typed text (the keyboard's
 *   INTENT_TEXT_*, a physical keyboard's text and keys) goes to the
 *   focused field. Submit checks every field (errors under each), then
 *   branch_submit_issue (submit_tag: one at a time); the committed receipt
 *   (reference, masked phone, QR to head office's status page) shows on
 *   SUBMIT_DONE and prints. Privacy: leaving the form or its confirmation
 *   for any other screen (back, home, idle -> attract) wipes everything
 *   typed; T_SUBMIT_WARN at last input + idle_timeout_s - SUBMIT_WARN_S
 *   shows a countdown (T_SUBMIT_TICK each second) before T_IDLE clears it.
 *   Voice guidance (issue 8.6): off for every customer until the header's
 *   toggle (INTENT_TOGGLE_VOICE) turns it on; the first time it loads the
 *   pack and the player (guide_voice, the board's voice layer). While on,
 *   each input collects into k->say what it should say (the choice tapped
 *   through say_key(), then the title of the screen it led to through
 *   on_screen_change), and say_flush() hands the whole utterance over once
 *   the input, message or timer is handled: the player drops what was still
 *   waiting, so a customer tapping on never hears stale words. guide.h takes
 *   only catalogue keys, triage need ids and ticket numbers: nothing typed
 *   (a phone number, a description) can be said.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "branch_lan.h"
#include "faq_content.h" /* FAQ/triage */
#include "faq_index.h"   /* FAQ/triage */
#include "guide.h"       /* voice guidance */
#include "guide_voice.h" /* voice guidance */
#include "kinetic.h"     /* FAQ/triage */
#include "branch_local.h"
#include "engineer.h" /* engineer mode (issue 9.5) */
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"
#include "print_job.h"
#include "printer.h" /* engineer mode: printer_status_str */
#include "rating.h"
#include "rating_flow.h"
#include "script_player.h"
#include "store.h"
#include "submission.h"
#include "ticket_url.h"
#include "ui_loop.h"
#include "ui_model.h"

enum {
    T_MINUTE = 0,
    T_IDLE,
    T_COUNTDOWN,
    T_RATING,
    T_RATE_DONE,
    T_CENTRAL,
    T_SUBMIT_WARN, /* submission: the inactivity warning begins */
    T_SUBMIT_TICK, /* submission: its countdown, each second */
    T_FAQ_FLING,   /* FAQ/triage: the article's coast, every frame */
    T_ENG_TICK     /* engineer mode: the locked pad's countdown, each second */
};

#define SUBMIT_WARN_S 20 /* submission: seconds of warning before an idle form clears */

/* FAQ/triage: the shipped content when neither kiosk_opts_t.faq_dir nor
 * HK_FAQ_DIR names another (CMake sets it to the source's assets/faq) */
#ifndef HK_FAQ_DIR_DEFAULT
#define HK_FAQ_DIR_DEFAULT "assets/faq"
#endif

#define CENTRAL_LOOK_MS 2000 /* how often the header looks at head office's state */

#define RATE_DONE_S 4

struct kiosk {
    kiosk_opts_t o;
    const config_t *cfg; /* acquired from o.live; generation cfg_gen */
    uint64_t cfg_gen;
    uint64_t content_gen_seen; /* head office's content generation last loaded */
    ui_loop_t *loop;
    ui_model_t model;
    store_t *store;
    branch_t branch;
    bool have_branch;
    print_job_t *print;
    uint64_t next_tag;
    uint64_t take_tag; /* take-number in flight; 0 = none */
    uint64_t snap_tag; /* snapshot in flight; 0 = none */
    bool snap_again;
    int take_svc;       /* service index of the take in flight */
    uint64_t print_job; /* spool job of the ticket on screen */
    bool print_after_present;
    /* rating later at the kiosk */
    uint64_t lookup_tag; /* rating lookup in flight; 0 = none */
    uint64_t rate_tag;   /* the vote in flight or sent; 0 = none */
    char rate_day[11];   /* from a scanned QR code; "" = today */
    char scan[192];      /* text typed by a scanner or keyboard, until Enter */
    int last_key_char;   /* a printable KEY whose TEXT twin is still to come */
    int64_t last_key_ms;
    /* FAQ/triage (issue 8) */
    faq_content_t *faq;  /* NULL = not loaded (yet, or refused: model.faq.load_failed) */
    faq_index_t *faq_ix; /* built on first use of the FAQ; NULL = not (yet) */
    bool faq_ix_tried;   /* built or failed once: not again */
    uint64_t faq_tag;    /* the last self-help journal op (feedback, triage choice) */
    uint64_t eng_tag;    /* the last wrong engineer PIN sent to the hub (LAN client) */
    bool faq_kb;         /* the keyboard is open for the FAQ's search */
    ui_kinetic_t kin;    /* the article's scroll */
    /* submission (issue 8.5) */
    uint64_t submit_tag;                    /* branch_submit_issue in flight; 0 = none */
    char sub_phone[SUBMISSION_PHONE_LEN];   /* the number as typed; wiped with the form */
    char sub_origin[SUBMISSION_ORIGIN_LEN]; /* where the form was opened from */
    bool sub_print_after_present;
    bool sub_kb_open; /* the form opened the on-screen keyboard */
    /* voice guidance (issue 8.6) */
    guide_voice_t *gv;      /* loaded when first turned on; NULL = not (yet) */
    bool gv_tried;          /* loaded or failed once: not again */
    guide_t say;            /* what this input makes the kiosk say, sent once handled */
    engineer_t *eng;        /* engineer mode (issue 9.5) */
    uint64_t eng_print_job; /* its test slip in the spool; 0 = none */
};

static int64_t wall_ms(const kiosk_t *k)
{
    return hk_clock_wall_ms(k->o.clock);
}

static int64_t mono_ms(const kiosk_t *k)
{
    return hk_clock_mono_ms(k->o.clock);
}

static int64_t branch_now(void *user)
{
    return wall_ms(user);
}

/* ---- model ------------------------------------------------------------- */

static void refresh_time(kiosk_t *k)
{
    int64_t next_minute = ui_model_set_time(&k->model, wall_ms(k));

    runloop_timer_at(ui_loop_runloop(k->loop), T_MINUTE, mono_ms(k) + (next_minute - wall_ms(k)));
}

static void request_snapshot(kiosk_t *k)
{
    hk_err_t rc;

    if(!k->have_branch)
        return;
    if(k->snap_tag) {
        k->snap_again = true;
        return;
    }
    k->snap_tag = ++k->next_tag;
    rc = branch_snapshot(&k->branch, k->snap_tag);
    if(rc != HK_OK) {
        hk_log_warn("kiosk", "snapshot not requested: %s", hk_err_str(rc));
        k->snap_tag = 0;
    }
}

/* ---- voice guidance (issue 8.6) ------------------------------------------ */

/* Queue a catalogue string for this input's utterance (guidance on only). */
static void say_key(kiosk_t *k, i18n_key_t key)
{
    if(k->model.voice)
        (void)guide_add_key(&k->say, k->model.lang, key); /* a key off the list: silence */
}

/* The title of screen id (and the number on the ticket screen). */
static void say_screen(kiosk_t *k, int id)
{
    static const struct {
        int id;
        i18n_key_t key;
    } titles[] = {
        { UI_SCR_ATTRACT, I18N_TOUCH_TO_START },   { UI_SCR_HOME, I18N_HOME_TITLE },
        { UI_SCR_SERVICES, I18N_CHOOSE_SERVICE },  { UI_SCR_TICKET, I18N_YOUR_NUMBER },
        { UI_SCR_UNAVAILABLE, I18N_UNAVAILABLE },  { UI_SCR_RATE_NUMBER, I18N_RATE_NUMBER_TITLE },
        { UI_SCR_RATE_FACES, I18N_RATE_TITLE },    { UI_SCR_TRIAGE, I18N_TRIAGE_TITLE },
        { UI_SCR_FAQ_LIST, I18N_FAQ_TITLE },       { UI_SCR_FAQ_ARTICLE, I18N_VOICE_ARTICLE },
        { UI_SCR_SUBMIT_FORM, I18N_SUBMIT_TITLE }, { UI_SCR_SUBMIT_DONE, I18N_SUBMIT_DONE_TITLE },
    };
    size_t i;

    if(!k->model.voice)
        return;
    for(i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
        if(titles[i].id == id)
            say_key(k, titles[i].key);
    if(id == UI_SCR_TICKET && k->model.has_ticket)
        (void)guide_add_ticket(&k->say, k->model.lang, k->model.ticket.number);
}

/* Hand this input's utterance to the player. */
static void say_flush(kiosk_t *k)
{
    if(k->model.voice && k->say.n > 0)
        guide_voice_say(k->gv, &k->say);
    guide_clear(&k->say);
}

static void voice_toggle(kiosk_t *k)
{
    ui_model_t *m = &k->model;
    hk_diag_t diag;

    if(m->voice) {
        guide_clear(&k->say);
        say_key(k, I18N_VOICE_OFF); /* said, then silence */
        say_flush(k);
        m->voice = false;
        return;
    }
    if(!k->gv && !k->gv_tried && k->o.voice_audio_kind) {
        k->gv_tried = true;
        hk_diag_clear(&diag);
        if(guide_voice_create(k->o.voice_dir, k->o.voice_audio_kind, k->o.voice_audio_target,
                              &k->gv, &diag) != HK_OK)
            hk_log_error("kiosk", "voice guidance not available: %s", diag.msg);
    }
    if(!k->gv)
        return; /* the toggle stays off: nothing could be said */
    m->voice = true;
    guide_clear(&k->say);
    say_key(k, I18N_VOICE_ON);
    say_screen(k, ui_loop_current(k->loop));
}

/* ---- navigation --------------------------------------------------------- */

static void submit_clear(kiosk_t *k, bool receipt);
static void submit_keyboard(kiosk_t *k);

static void on_screen_change(kiosk_t *k, int id)
{
    runloop_t *rl = ui_loop_runloop(k->loop);

    if(id != UI_SCR_TICKET)
        runloop_timer_cancel(rl, T_COUNTDOWN);
    if(id != UI_SCR_RATE_FACES)
        runloop_timer_cancel(rl, T_RATE_DONE);
    if(id == UI_SCR_ATTRACT)
        runloop_timer_cancel(rl, T_IDLE);
    if(id == UI_SCR_HOME || id == UI_SCR_SERVICES || id == UI_SCR_ATTRACT)
        request_snapshot(k);
    /* FAQ/triage: the waits shown before a customer chooses are fresh */
    if(id == UI_SCR_TRIAGE || id == UI_SCR_FAQ_ARTICLE)
        request_snapshot(k);
    if(id != UI_SCR_FAQ_ARTICLE)
        runloop_timer_cancel(rl, T_FAQ_FLING);
    if(id != UI_SCR_FAQ_LIST && k->faq_kb) {
        /* the search's keyboard does not follow the customer elsewhere */
        k->faq_kb = false;
        k->model.faq.kb_open = false;
        ui_loop_keyboard_close(k->loop);
    }
    if(id != UI_SCR_SUBMIT_FORM && id != UI_SCR_SUBMIT_DONE)
        submit_clear(k, true); /* submission: the customer left */
    say_screen(k, id);         /* voice guidance: the new screen's title */
    if(id != UI_SCR_ENGINEER_PIN && id != UI_SCR_ENGINEER && k->eng) {
        /* engineer mode: nothing typed or shown stays behind */
        runloop_timer_cancel(rl, T_ENG_TICK);
        engineer_wipe(k->eng);
        k->model.role_view = NULL;
    }
}

static void go(kiosk_t *k, const int *stack, int n)
{
    ui_loop_set_stack(k->loop, stack, n);
    on_screen_change(k, stack[n - 1]);
}

static void go_attract(kiosk_t *k)
{
    static const int s[] = { UI_SCR_ATTRACT };

    ui_loop_dialog_close(k->loop);
    ui_model_reset_customer(&k->model);
    refresh_time(k);
    go(k, s, 1);
}

static void go_home(kiosk_t *k)
{
    static const int s[] = { UI_SCR_ATTRACT, UI_SCR_HOME };

    go(k, s, 2);
}

static void go_over_home(kiosk_t *k, int id)
{
    int s[3] = { UI_SCR_ATTRACT, UI_SCR_HOME, 0 };

    s[2] = id;
    go(k, s, 3);
}

/* ---- intents ------------------------------------------------------------ */

static const char *svc_name(const kiosk_t *k, int i)
{
    const config_t *cfg = k->cfg;

    return k->model.lang == I18N_EN ? cfg->services[i].name_en : cfg->services[i].name_zh;
}

static void error_dialog(kiosk_t *k)
{
    i18n_lang_t lang = k->model.lang;

    ui_loop_dialog(k->loop, i18n_get(lang, I18N_ERROR_TITLE), i18n_get(lang, I18N_ERROR_MSG));
}

static void take_number(kiosk_t *k, int svc_idx)
{
    const config_t *cfg = k->cfg;
    hk_err_t rc;

    if(svc_idx < 0 || svc_idx >= cfg->n_services || k->take_tag)
        return; /* unknown, or a take is already on its way */
    if(!k->have_branch) {
        error_dialog(k);
        return;
    }
    k->take_tag = ++k->next_tag;
    k->take_svc = svc_idx;
    rc = branch_take_number(&k->branch, k->take_tag, cfg->services[svc_idx].id);
    if(rc != HK_OK) {
        hk_log_error("kiosk", "take number not submitted: %s", hk_err_str(rc));
        k->take_tag = 0;
        error_dialog(k);
    }
}

static void service_closed(kiosk_t *k, int i)
{
    i18n_lang_t lang = k->model.lang;
    char title[160], hours[32], msg[160];

    if(i < 0 || i >= k->cfg->n_services)
        return;
    i18n_format(title, sizeof(title), lang, I18N_CLOSED_TITLE_S, svc_name(k, i));
    if(k->model.svc[i].today.open_min >= 0) {
        ui_span_text(k->model.svc[i].today, hours, sizeof(hours));
        i18n_format(msg, sizeof(msg), lang, I18N_SVC_HOURS_S, hours);
    } else {
        snprintf(msg, sizeof(msg), "%s", i18n_get(lang, I18N_CLOSED_TODAY));
    }
    ui_loop_dialog(k->loop, title, msg);
}

/* ---- rating later, by number -------------------------------------------- */

static void rate_open(kiosk_t *k)
{
    ui_rate_view_t *r = &k->model.rate;

    r->entry[0] = r->entry_msg[0] = '\0';
    r->entry_busy = false;
    k->scan[0] = '\0';
    k->rate_day[0] = '\0';
    k->rate_tag = 0;
    go_over_home(k, UI_SCR_RATE_NUMBER);
}

static void entry_key(kiosk_t *k, int ch)
{
    ui_rate_view_t *r = &k->model.rate;
    size_t n = strlen(r->entry);

    if(ui_loop_current(k->loop) != UI_SCR_RATE_NUMBER || r->entry_busy)
        return;
    r->entry_msg[0] = '\0';
    k->rate_day[0] = '\0';
    if(ch == 8) {
        if(n > 0)
            r->entry[n - 1] = '\0';
        return;
    }
    if(ch >= 'a' && ch <= 'z')
        ch = ch - 'a' + 'A';
    if(ch >= 'A' && ch <= 'Z') {
        /* a letter starts the number afresh */
        snprintf(r->entry, sizeof(r->entry), "%c", ch);
    } else if(ch >= '0' && ch <= '9' && n > 0 && n < 4) {
        r->entry[n] = (char)ch;
        r->entry[n + 1] = '\0';
    }
}

/* Look up what was scanned (text != NULL) or typed on the pad. */
static void rate_lookup(kiosk_t *k, const char *text)
{
    ui_rate_view_t *r = &k->model.rate;
    char day[11] = "", number[8];

    if(ui_loop_current(k->loop) != UI_SCR_RATE_NUMBER || k->lookup_tag || !k->have_branch)
        return;
    if(!rating_flow_parse(k->cfg, text ? text : r->entry, day, number)) {
        snprintf(r->entry_msg, sizeof(r->entry_msg), "%s",
                 i18n_get(k->model.lang, I18N_RATE_UNKNOWN));
        return;
    }
    snprintf(r->entry, sizeof(r->entry), "%s", number);
    snprintf(k->rate_day, sizeof(k->rate_day), "%s", day);
    k->lookup_tag = ++k->next_tag;
    if(branch_rating_lookup(&k->branch, k->lookup_tag, day, number) != HK_OK) {
        k->lookup_tag = 0;
        snprintf(r->entry_msg, sizeof(r->entry_msg), "%s",
                 i18n_get(k->model.lang, I18N_RATE_FAILED));
        return;
    }
    r->entry_busy = true;
}

static void lookup_done(kiosk_t *k, const branch_result_t *res)
{
    ui_rate_view_t *r = &k->model.rate;
    i18n_key_t why = I18N_RATE_FAILED;

    k->lookup_tag = 0;
    r->entry_busy = false;
    if(res->rc == HK_OK && res->rating_status == RATING_STATUS_OPEN) {
        char entry[8];
        snprintf(entry, sizeof(entry), "%s", r->entry);
        rating_flow_begin(r, true, res->has_rating ? res->rating.number : entry, -1);
        k->rate_tag = 0;
        go_over_home(k, UI_SCR_RATE_FACES);
        return;
    }
    if(res->rc == HK_ERR_NOT_FOUND)
        why = I18N_RATE_UNKNOWN;
    else if(res->rc == HK_ERR_INVALID)
        why = I18N_RATE_OTHER_DAY;
    else if(res->rc == HK_OK)
        why = res->rating_status == RATING_STATUS_RATED          ? I18N_RATE_ALREADY
              : res->rating_status == RATING_STATUS_NOT_FINISHED ? I18N_RATE_NOT_FINISHED
                                                                 : I18N_RATE_OTHER_DAY;
    snprintf(r->entry_msg, sizeof(r->entry_msg), "%s", i18n_get(k->model.lang, why));
}

static void rate_press(kiosk_t *k, const ui_intent_t *in)
{
    ui_rate_view_t *r = &k->model.rate;
    rating_vote_t vote;

    if(k->rate_tag || ui_loop_current(k->loop) != UI_SCR_RATE_FACES)
        return; /* the vote is on its way or done: one vote */
    if(!rating_flow_intent(r, in, &vote))
        return;
    k->rate_tag = ++k->next_tag;
    if(branch_rate_number(&k->branch, k->rate_tag, k->rate_day, r->number, &vote) != HK_OK) {
        rating_flow_result(r, k->model.lang, HK_ERR_NET);
        runloop_timer_at(ui_loop_runloop(k->loop), T_RATE_DONE, mono_ms(k) + RATE_DONE_S * 1000);
    }
}

/* Keys and typed text on the number screen: a keyboard, or a
 * keyboard-wedge scanner typing the ticket's QR code and Enter. */
static bool rate_input(kiosk_t *k, const display_event_t *ev)
{
    size_t n = strlen(k->scan);

    if(ev->type == DISPLAY_EV_TEXT) {
        bool twin = ev->text[0] == k->last_key_char && ev->text[1] == '\0' &&
                    mono_ms(k) - k->last_key_ms < 100;
        k->last_key_char = 0;
        if(!twin && n + strlen(ev->text) < sizeof(k->scan))
            memcpy(k->scan + n, ev->text, strlen(ev->text) + 1);
        ui_loop_invalidate(k->loop);
        return true;
    }
    if(ev->type != DISPLAY_EV_KEY || ev->key == DISPLAY_KEY_ESCAPE)
        return false;
    k->last_key_char = 0;
    if(ev->key == DISPLAY_KEY_ENTER) {
        if(k->scan[0]) {
            char text[sizeof(k->scan)];
            snprintf(text, sizeof(text), "%s", k->scan);
            k->scan[0] = '\0';
            rate_lookup(k, text);
        } else {
            rate_lookup(k, NULL);
        }
    } else if(ev->key == DISPLAY_KEY_BACKSPACE) {
        k->scan[0] = '\0';
        entry_key(k, 8);
    } else if(ev->key > 32 && ev->key < 127) {
        /* a key's text follows it; what a scanner types arrives as text */
        k->last_key_char = ev->key;
        k->last_key_ms = mono_ms(k);
        if(n + 1 < sizeof(k->scan)) {
            k->scan[n] = (char)ev->key;
            k->scan[n + 1] = '\0';
        }
    }
    ui_loop_invalidate(k->loop);
    return true;
}

static void on_intent(void *ctl, const ui_intent_t *in);
static void submit_open(kiosk_t *k, int category, const char *origin);

/* ---- FAQ/triage (issue 8, helper UI) -------------------------------------- */

/* Load faq.json and triage.json (a missing triage.json only leaves the
 * triage screen empty). Never fatal: the FAQ says it is not available. */
static void faq_load(kiosk_t *k)
{
    const char *dir = k->o.faq_dir, *env = getenv("HK_FAQ_DIR");
    char installed[CONFIG_PATH_LEN * 2];
    hk_diag_t diag;
    hk_err_t rc;
    bool pushed = false;

    if(!dir && env && env[0])
        dir = env;
    /* the package's /usr/share/hallkiosk/faq, else the build tree's */
    if(!dir && paths_installed_asset("faq", installed, sizeof(installed)) == HK_OK)
        dir = installed;
    if(!dir)
        dir = HK_FAQ_DIR_DEFAULT;
    {
        const char *ids[CONFIG_MAX_SERVICES];
        int i;
        for(i = 0; i < k->cfg->n_services; i++)
            ids[i] = k->cfg->services[i].id;
        hk_diag_clear(&diag);
        /* head office's last good push first, else the shipped files */
        rc = faq_content_load_current(k->o.data_dir, dir, ids, k->cfg->n_services, &k->faq, &pushed,
                                      &diag);
    }
    if(rc != HK_OK) {
        hk_log_error("kiosk", "FAQ content %s refused: %s %s; the FAQ is not available", dir,
                     hk_err_str(rc), diag.msg);
        k->model.faq.load_failed = true;
        ui_loop_invalidate(k->loop);
        return;
    }
    {
        const char *ids[CONFIG_MAX_SERVICES];
        int i;
        for(i = 0; i < k->cfg->n_services; i++)
            ids[i] = k->cfg->services[i].id;
        hk_diag_clear(&diag);
        /* a queue route to a service this branch lacks still works: it
         * opens the service list (triage.c shows "take a number") */
        if(faq_triage_check_services(k->faq, ids, k->cfg->n_services, &diag) != HK_OK)
            hk_log_warn("kiosk", "triage content: %s", diag.msg);
    }
    hk_log_info("kiosk", "FAQ content %s (%s): %d categories, %d articles, %d needs",
                k->faq->version, pushed ? "from head office" : "shipped", k->faq->n_categories,
                k->faq->n_articles, k->faq->n_needs);
    k->model.faq.content = k->faq;
    k->model.faq.load_failed = false;
    ui_loop_invalidate(k->loop);
}

/* Head office pushed new content: load it beside the old one (so no
 * screen's cached layout, keyed by the content's address, can mistake the
 * new for the old), then drop the old content and its index. Called only
 * while no FAQ or triage screen shows; a failure keeps the old content. */
static void faq_reload(kiosk_t *k)
{
    faq_content_t *old = k->faq;
    faq_index_t *old_ix = k->faq_ix;
    ui_faq_view_t *f = &k->model.faq;

    k->faq = NULL;
    faq_load(k);
    if(!k->faq) {
        k->faq = old;
        f->content = old;
        f->load_failed = old == NULL;
        return;
    }
    k->faq_ix = NULL;
    k->faq_ix_tried = false;
    f->search_ready = false;
    f->mode = UI_FAQ_CATEGORIES;
    f->query[0] = '\0';
    f->n_hits = 0;
    f->page = 0;
    f->article = -1;
    f->scroll_px = 0;
    faq_index_close(old_ix);
    faq_content_free(old);
}

/* Re-run the search for the query as typed so far. */
static void faq_search(kiosk_t *k)
{
    ui_faq_view_t *f = &k->model.faq;

    f->page = 0;
    f->n_hits = 0;
    if(!f->query[0]) {
        f->mode = UI_FAQ_CATEGORIES;
        return;
    }
    f->mode = UI_FAQ_SEARCH;
    if(!k->faq_ix)
        return; /* the list says search is not available (search_ready) */
    {
        faq_hit_t hits[UI_FAQ_MAX_HITS];
        int i, n = faq_index_search(k->faq_ix, f->query, k->model.lang, hits, UI_FAQ_MAX_HITS);
        for(i = 0; i < n; i++)
            f->hits[i] = hits[i].article;
        f->n_hits = n > 0 ? n : 0;
    }
}

/* The search index, built on the first use of the FAQ (it reads the
 * input method's readings: tens of ms, never at start). */
static void faq_index_ensure(kiosk_t *k)
{
    hk_diag_t diag;
    int64_t t0 = mono_ms(k);
    hk_err_t rc;

    if(!k->faq || k->faq_ix_tried)
        return;
    k->faq_ix_tried = true;
    hk_diag_clear(&diag);
    rc = faq_index_open(k->faq, NULL, &k->faq_ix, &diag);
    if(rc != HK_OK) {
        hk_log_error("kiosk", "FAQ search index not built: %s %s; browsing only", hk_err_str(rc),
                     diag.msg);
        return;
    }
    k->model.faq.search_ready = true;
    hk_log_info("kiosk", "FAQ search index built in %lld ms", (long long)(mono_ms(k) - t0));
}

static void faq_open(kiosk_t *k)
{
    ui_faq_view_t *f = &k->model.faq;

    faq_index_ensure(k);
    f->mode = UI_FAQ_CATEGORIES;
    f->query[0] = '\0';
    f->n_hits = 0;
    f->page = 0;
    f->kb_open = false;
    go_over_home(k, UI_SCR_FAQ_LIST);
}

/* Show article a over the screen that led to it (the FAQ list or triage). */
static void faq_show_article(kiosk_t *k, int a, int from)
{
    int s[4] = { UI_SCR_ATTRACT, UI_SCR_HOME, 0, UI_SCR_FAQ_ARTICLE };
    ui_faq_view_t *f = &k->model.faq;

    if(!k->faq || a < 0 || a >= k->faq->n_articles)
        return;
    f->article = a;
    f->via_need = -1; /* triage_pick sets it after */
    f->scroll_px = 0;
    f->feedback = 0;
    ui_kinetic_stop(&k->kin, 0);
    s[2] = from;
    go(k, s, 4);
}

/* The submission category for an FAQ category: the form's own choices
 * (FAQ_SUBMIT_CATEGORIES) where one fits, else "other". */
static const char *faq_submit_category(const char *faq_cat)
{
    static const char *const direct[] = { FAQ_SUBMIT_CATEGORIES };
    static const struct {
        const char *faq, *submit;
    } map[] = { { "network", "signal" },  { "coverage", "signal" }, { "invoice", "billing" },
                { "payment", "billing" }, { "vas", "billing" },     { "data", "billing" } };
    size_t i;

    for(i = 0; i < sizeof(direct) / sizeof(direct[0]); i++)
        if(!strcmp(direct[i], faq_cat))
            return direct[i];
    for(i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if(!strcmp(map[i].faq, faq_cat))
            return map[i].submit;
    return "other";
}

/* The submission form with its category filled in; origin "faq:<article>"
 * or "triage:<need>" (SUBMIT's submission.origin). */
static void faq_open_submit(kiosk_t *k, const char *category, const char *kind, const char *id)
{
    int n = 0, i, idx = -1;
    const char *const *cats = submission_categories(&n);
    char origin[SUBMISSION_ORIGIN_LEN];

    for(i = 0; i < n; i++)
        if(!strcmp(cats[i], category))
            idx = i;
    snprintf(origin, sizeof(origin), "%s:%.40s", kind, id);
    submit_open(k, idx, origin);
}

/* Take a number for the service with this id (the existing flow), or say
 * when it opens; an unknown service opens the list of services. */
static void faq_take(kiosk_t *k, const char *service_id)
{
    int i;

    for(i = 0; i < k->cfg->n_services; i++)
        if(!strcmp(k->cfg->services[i].id, service_id)) {
            if(k->model.svc[i].open)
                take_number(k, i);
            else
                service_closed(k, i);
            return;
        }
    go_over_home(k, UI_SCR_SERVICES);
}

static const char *const route_names[] = { "none", "faq", "queue", "submit" };

static void triage_pick(kiosk_t *k, int idx)
{
    const triage_need_t *nd;

    if(!k->faq || idx < 0 || idx >= k->faq->n_needs)
        return;
    nd = &k->faq->needs[idx];
    hk_log_info("kiosk", "triage: %s -> %s %s", nd->id, route_names[nd->route.kind],
                nd->route.target);
    if(k->model.voice) /* voice guidance: the need, then where it leads */
        (void)guide_add_need(&k->say, k->model.lang, nd->id);
    /* journaled before routing; the result is not waited for (the event
     * is the record; a failure is logged when it comes back) */
    if(k->have_branch &&
       branch_triage_choice(&k->branch, k->faq_tag = ++k->next_tag, nd->id,
                            route_names[nd->route.kind], nd->route.target) != HK_OK)
        hk_log_warn("kiosk", "triage choice %s not journaled", nd->id);
    switch(nd->route.kind) {
    case TRIAGE_FAQ:
        faq_show_article(k, faq_content_find(k->faq, nd->route.target), UI_SCR_TRIAGE);
        k->model.faq.via_need = idx; /* its fallback is "still need help?" */
        break;
    case TRIAGE_QUEUE: faq_take(k, nd->route.target); break;
    case TRIAGE_SUBMIT: faq_open_submit(k, nd->route.target, "triage", nd->id); break;
    default: break;
    }
}

static void faq_helpful(kiosk_t *k, bool helpful)
{
    ui_faq_view_t *f = &k->model.faq;
    const faq_article_t *a;

    if(!k->faq || f->article < 0 || f->feedback)
        return; /* once per view of the article */
    a = &k->faq->articles[f->article];
    f->feedback = helpful ? 1 : 2;
    say_key(k, I18N_FAQ_THANKS);
    hk_log_info("kiosk", "faq feedback: %s v%d %s", a->id, a->version, helpful ? "yes" : "no");
    if(k->have_branch &&
       branch_faq_feedback(&k->branch, k->faq_tag = ++k->next_tag, a->id, a->version, helpful,
                           i18n_lang_code(k->model.lang)) != HK_OK)
        hk_log_warn("kiosk", "faq feedback on %s not journaled", a->id);
}

/* Edit the search field: text appended, 8 = backspace, 0 = clear. */
static void faq_edit(kiosk_t *k, int op, const char *text)
{
    ui_faq_view_t *f = &k->model.faq;
    size_t n = strlen(f->query);

    if(op == 0) {
        f->query[0] = '\0';
    } else if(op == 8) {
        while(n > 0 && ((unsigned char)f->query[n - 1] & 0xC0) == 0x80)
            n--; /* a whole UTF-8 character */
        if(n > 0)
            n--;
        f->query[n] = '\0';
    } else if(text && n + strlen(text) < sizeof(f->query)) {
        memcpy(f->query + n, text, strlen(text) + 1);
    }
    faq_search(k);
    ui_loop_invalidate(k->loop);
}

static void faq_fling_step(kiosk_t *k)
{
    bool moving = ui_kinetic_step(&k->kin, mono_ms(k));

    k->model.faq.scroll_px = ui_kinetic_pos(&k->kin);
    if(moving)
        runloop_timer_at(ui_loop_runloop(k->loop), T_FAQ_FLING, mono_ms(k) + UI_KINETIC_FRAME_MS);
}

static void faq_intent(kiosk_t *k, const ui_intent_t *in)
{
    ui_faq_view_t *f = &k->model.faq;
    runloop_t *rl = ui_loop_runloop(k->loop);
    bool on_list = ui_loop_current(k->loop) == UI_SCR_FAQ_LIST;

    switch(in->kind) {
    case INTENT_OPEN_TRIAGE:
        f->page = 0;
        go_over_home(k, UI_SCR_TRIAGE);
        break;
    case INTENT_TRIAGE_PICK: triage_pick(k, in->arg); break;
    case INTENT_FAQ_CATEGORY:
        if(!k->faq || in->arg >= k->faq->n_categories)
            break;
        f->mode = in->arg < 0 ? UI_FAQ_CATEGORIES : UI_FAQ_CATEGORY;
        f->category = in->arg < 0 ? 0 : in->arg;
        f->query[0] = '\0';
        f->page = 0;
        ui_loop_guard(k->loop); /* the list under the finger changed */
        break;
    case INTENT_FAQ_ARTICLE: faq_show_article(k, in->arg, UI_SCR_FAQ_LIST); break;
    case INTENT_FAQ_SEARCH:
        /* Chinese first: pinyin, with the switch to Latin and digits */
        ui_loop_keyboard_open(k->loop, k->model.lang == I18N_EN ? UI_KB_LATIN : UI_KB_PINYIN, true);
        f->kb_open = k->faq_kb = true;
        if(f->query[0])
            faq_search(k);
        break;
    case INTENT_FAQ_PAGE:
        f->page = in->arg < 0 ? 0 : in->arg;
        ui_loop_guard(k->loop);
        break;
    case INTENT_FAQ_SCROLL:
        runloop_timer_cancel(rl, T_FAQ_FLING);
        ui_kinetic_touch(&k->kin, in->arg, mono_ms(k));
        f->scroll_px = in->arg;
        ui_loop_invalidate(k->loop); /* a pressed button under the finger */
        break;
    case INTENT_FAQ_FLING:
        if(ui_kinetic_release(&k->kin, in->arg, mono_ms(k)))
            runloop_timer_at(rl, T_FAQ_FLING, mono_ms(k) + UI_KINETIC_FRAME_MS);
        break;
    case INTENT_FAQ_HELPFUL: faq_helpful(k, in->arg != 0); break;
    case INTENT_FAQ_STILL_QUEUE:
        if(k->faq && f->article >= 0)
            faq_take(k, scr_faq_still_service(&k->model, &k->faq->articles[f->article]));
        break;
    case INTENT_FAQ_STILL_SUBMIT:
        if(k->faq && f->article >= 0) {
            const faq_article_t *a = &k->faq->articles[f->article];
            const triage_need_t *nd = f->via_need >= 0 && f->via_need < k->faq->n_needs
                                          ? &k->faq->needs[f->via_need]
                                          : NULL;
            if(nd && nd->fallback.kind == TRIAGE_SUBMIT) /* the need's own category */
                faq_open_submit(k, nd->fallback.target, "triage", nd->id);
            else
                faq_open_submit(k, faq_submit_category(k->faq->categories[a->category].id), "faq",
                                a->id);
        }
        break;
    case INTENT_TOGGLE_CONTRAST:
        k->model.contrast = !k->model.contrast;
        say_key(k, k->model.contrast ? I18N_CONTRAST_ON : I18N_CONTRAST_OFF);
        break;
    case INTENT_TEXT_INPUT:
        if(on_list && in->payload == UI_PAYLOAD_TEXT)
            faq_edit(k, 1, in->u.text);
        break;
    case INTENT_TEXT_BACKSPACE:
        if(on_list)
            faq_edit(k, 8, NULL);
        break;
    case INTENT_TEXT_CLEAR:
        if(on_list)
            faq_edit(k, 0, NULL);
        break;
    case INTENT_TEXT_ENTER:
        if(on_list) { /* done: the keyboard goes, the results stay */
            ui_loop_keyboard_close(k->loop);
            f->kb_open = k->faq_kb = false;
        }
        break;
    default: break;
    }
}

/* ---- submission (issue 8.5) ----------------------------------------------- */

/* Wipe what the customer typed (and with receipt, the confirmation too). */
static void submit_clear(kiosk_t *k, bool receipt)
{
    ui_submit_view_t *v = &k->model.submit;
    ui_print_state_t ps = v->print_state;
    char ref[SUBMISSION_REF_LEN], masked[SUBMISSION_PHONE_LEN], url[sizeof(v->qr_url)];

    memcpy(ref, v->ref, sizeof(ref));
    memcpy(masked, v->phone_masked, sizeof(masked));
    memcpy(url, v->qr_url, sizeof(url));
    memset(k->sub_phone, 0, sizeof(k->sub_phone));
    memset(v, 0, sizeof(*v));
    v->category = -1;
    if(!receipt) {
        memcpy(v->ref, ref, sizeof(ref));
        memcpy(v->phone_masked, masked, sizeof(masked));
        memcpy(v->qr_url, url, sizeof(url));
        v->print_state = ps;
    }
    k->sub_origin[0] = '\0';
    if(k->sub_kb_open) {
        ui_loop_keyboard_close(k->loop);
        k->sub_kb_open = false;
    }
    runloop_timer_cancel(ui_loop_runloop(k->loop), T_SUBMIT_WARN);
    runloop_timer_cancel(ui_loop_runloop(k->loop), T_SUBMIT_TICK);
}

/* The inactivity warning starts SUBMIT_WARN_S before T_IDLE clears the form. */
static void submit_arm_warn(kiosk_t *k)
{
    runloop_t *rl = ui_loop_runloop(k->loop);
    int64_t idle_ms = (int64_t)k->cfg->idle_timeout_s * 1000;
    int64_t lead = idle_ms > 2 * SUBMIT_WARN_S * 1000 ? SUBMIT_WARN_S * 1000 : idle_ms / 2;

    k->model.submit.warn_s = 0;
    runloop_timer_cancel(rl, T_SUBMIT_TICK);
    runloop_timer_at(rl, T_SUBMIT_WARN, mono_ms(k) + idle_ms - lead);
}

static void submit_open(kiosk_t *k, int category, const char *origin)
{
    int n = 0;

    (void)submission_categories(&n);
    submit_clear(k, true);
    k->model.submit.category = category >= 0 && category < n ? category : -1;
    /* head office sees on which kiosk and from where (home, an FAQ article,
     * a triage need): "kiosk-1:triage:no-signal"; a LAN client's event is
     * written by the hub, so the kiosk's own id travels here */
    snprintf(k->sub_origin, sizeof(k->sub_origin), "%s:%s",
             k->cfg->device.id[0] ? k->cfg->device.id : "kiosk",
             origin && origin[0] ? origin : "home");
    go_over_home(k, UI_SCR_SUBMIT_FORM);
    submit_arm_warn(k);
}

/* The phone as the model shows it: digits while typing, masked when done. */
static void submit_phone_view(kiosk_t *k)
{
    ui_submit_view_t *v = &k->model.submit;

    v->phone_done = submission_phone_valid(k->sub_phone);
    if(v->phone_done)
        submission_phone_mask(k->sub_phone, v->phone_text);
    else
        snprintf(v->phone_text, sizeof(v->phone_text), "%s", k->sub_phone);
    if(v->phone_done || !k->sub_phone[0])
        v->err[SUBMISSION_FIELD_PHONE] = 0;
    else if(strlen(k->sub_phone) == 11)
        v->err[SUBMISSION_FIELD_PHONE] = I18N_SUBMIT_ERR_PHONE; /* 11 digits, not a mobile */
}

/* Typed text into the focused field. */
static void submit_type(kiosk_t *k, const char *text)
{
    ui_submit_view_t *v = &k->model.submit;
    size_t n;

    if(v->sending)
        return;
    if(v->focus == UI_SUBMIT_FOCUS_PHONE) {
        /* digits only (a keyboard's "+86" or spaces are dropped), at most 11 */
        for(; *text; text++) {
            n = strlen(k->sub_phone);
            if(*text >= '0' && *text <= '9' && n < 11) {
                k->sub_phone[n] = *text;
                k->sub_phone[n + 1] = '\0';
            }
        }
        submit_phone_view(k);
    } else if(v->focus == UI_SUBMIT_FOCUS_DESC) {
        int chars = submission_text_chars(text);
        n = strlen(v->desc);
        if(chars < 0 || !hk_json_text_ok(text))
            return;
        if(v->desc_chars + chars > SUBMISSION_DESC_MAX_CHARS ||
           n + strlen(text) >= sizeof(v->desc)) {
            v->err[SUBMISSION_FIELD_DESCRIPTION] = I18N_SUBMIT_ERR_DESC;
            return;
        }
        memcpy(v->desc + n, text, strlen(text) + 1);
        v->desc_chars += chars;
        v->err[SUBMISSION_FIELD_DESCRIPTION] = 0;
    }
}

static void submit_erase(kiosk_t *k, bool all)
{
    ui_submit_view_t *v = &k->model.submit;
    size_t n;

    if(v->sending)
        return;
    if(v->focus == UI_SUBMIT_FOCUS_PHONE) {
        n = strlen(k->sub_phone);
        /* a complete number is shown masked: erasing starts it over */
        if(all || v->phone_done)
            memset(k->sub_phone, 0, sizeof(k->sub_phone));
        else if(n > 0)
            k->sub_phone[n - 1] = '\0';
        submit_phone_view(k);
    } else if(v->focus == UI_SUBMIT_FOCUS_DESC) {
        n = strlen(v->desc);
        if(all) {
            memset(v->desc, 0, sizeof(v->desc));
        } else if(n > 0) {
            while(n > 0 && ((unsigned char)v->desc[n - 1] & 0xC0) == 0x80)
                n--; /* continuation bytes of the last character */
            v->desc[n > 0 ? n - 1 : 0] = '\0';
        }
        v->desc_chars = submission_text_chars(v->desc);
        v->err[SUBMISSION_FIELD_DESCRIPTION] = 0;
    }
}

/* Check every field (errors under each); true when all are good. */
static bool submit_check_all(kiosk_t *k)
{
    ui_submit_view_t *v = &k->model.submit;

    memset(v->err, 0, sizeof(v->err));
    if(v->category < 0)
        v->err[SUBMISSION_FIELD_CATEGORY] = I18N_SUBMIT_ERR_CATEGORY;
    if(!submission_phone_valid(k->sub_phone))
        v->err[SUBMISSION_FIELD_PHONE] = I18N_SUBMIT_ERR_PHONE;
    if(v->desc_chars > SUBMISSION_DESC_MAX_CHARS)
        v->err[SUBMISSION_FIELD_DESCRIPTION] = I18N_SUBMIT_ERR_DESC;
    if(!v->consent)
        v->err[SUBMISSION_FIELD_CONSENT] = I18N_SUBMIT_ERR_CONSENT;
    v->has_err = v->err[SUBMISSION_FIELD_CATEGORY] || v->err[SUBMISSION_FIELD_PHONE] ||
                 v->err[SUBMISSION_FIELD_DESCRIPTION] || v->err[SUBMISSION_FIELD_CONSENT];
    return !v->has_err;
}

static void submit_send(kiosk_t *k)
{
    ui_submit_view_t *v = &k->model.submit;
    const char *const *cats = submission_categories(NULL);
    submission_t sub;
    hk_err_t rc;

    if(v->sending || k->submit_tag)
        return; /* one submission at a time: a double tap sends once */
    v->failed = v->offline = false;
    if(!submit_check_all(k)) {
        /* voice guidance: the first thing to put right */
        say_key(k, v->err[SUBMISSION_FIELD_CATEGORY]  ? I18N_SUBMIT_ERR_CATEGORY
                   : v->err[SUBMISSION_FIELD_PHONE]   ? I18N_SUBMIT_ERR_PHONE
                   : v->err[SUBMISSION_FIELD_CONSENT] ? I18N_SUBMIT_ERR_CONSENT
                                                      : I18N_SUBMIT_FAILED);
        return;
    }
    memset(&sub, 0, sizeof(sub));
    snprintf(sub.category, sizeof(sub.category), "%s", cats[v->category]);
    memcpy(sub.phone, k->sub_phone, sizeof(sub.phone));
    memcpy(sub.description, v->desc, sizeof(sub.description));
    sub.consent = v->consent;
    snprintf(sub.lang, sizeof(sub.lang), "%s", i18n_lang_code(k->model.lang));
    snprintf(sub.origin, sizeof(sub.origin), "%s", k->sub_origin);
    v->focus = UI_SUBMIT_FOCUS_NONE;
    say_key(k, I18N_SUBMIT_SEND);
    k->submit_tag = ++k->next_tag;
    rc = branch_submit_issue(&k->branch, k->submit_tag, &sub);
    submission_wipe(&sub);
    if(rc != HK_OK) {
        hk_log_warn("kiosk", "submission not sent: %s", hk_err_str(rc));
        k->submit_tag = 0;
        v->failed = true;
        return;
    }
    v->sending = true;
}

static void submit_done(kiosk_t *k, const branch_result_t *r)
{
    ui_submit_view_t *v = &k->model.submit;
    const config_t *cfg = k->cfg;

    k->submit_tag = 0;
    v->sending = false;
    if(ui_loop_current(k->loop) != UI_SCR_SUBMIT_FORM)
        return; /* the customer left meanwhile: it is stored, nothing to show */
    if(r->rc != HK_OK || !r->has_submission) {
        /* Not stored: nothing is confirmed, and what the customer typed
         * stays on the form to send again. A kiosk that is the hub's LAN
         * client does not keep the report itself when the hub cannot be
         * reached (its phone number would then live on every kiosk, outside
         * the hub's purge, and its reference would not be the branch's): it
         * says so plainly instead (SELFHELP's decision, docs/architecture.md). */
        hk_log_warn("kiosk", "submission failed: %s", hk_err_str(r->rc));
        v->failed = true;
        v->offline = r->rc == HK_ERR_NET || r->rc == HK_ERR_TLS;
        say_key(k, I18N_SUBMIT_FAILED);
        return;
    }
    hk_log_info("kiosk", "submission %s (%s) committed", r->submission.ref,
                r->submission.phone_masked);
    submit_clear(k, true); /* nothing typed stays once it is stored */
    snprintf(v->ref, sizeof(v->ref), "%s", r->submission.ref);
    snprintf(v->phone_masked, sizeof(v->phone_masked), "%s", r->submission.phone_masked);
    if(ticket_url_build(cfg->ticket_submit_url_template, cfg->ticket_url_key, cfg->branch_id,
                        r->submission.day, r->submission.ref, v->qr_url, sizeof(v->qr_url),
                        NULL) != HK_OK)
        v->qr_url[0] = '\0';
    v->print_state = print_job_has_printer(k->print) ? UI_PRINT_PENDING : UI_PRINT_NONE;
    go_over_home(k, UI_SCR_SUBMIT_DONE);
    k->sub_print_after_present = true;
}

/* Voice guidance: a category chip's name ("submit_cat_" + its id). */
static void say_category(kiosk_t *k, int idx)
{
    const char *const *cats = submission_categories(NULL);
    char name[48];
    i18n_key_t key;

    snprintf(name, sizeof(name), "submit_cat_%s", cats[idx]);
    if(i18n_key_from_name(name, &key) == HK_OK)
        say_key(k, key);
}

static void submit_intent(kiosk_t *k, const ui_intent_t *in)
{
    ui_submit_view_t *v = &k->model.submit;
    int n = 0;

    if(ui_loop_current(k->loop) != UI_SCR_SUBMIT_FORM)
        return;
    (void)submission_categories(&n);
    submit_arm_warn(k);
    switch(in->kind) {
    case INTENT_SUBMIT_CATEGORY:
        if(in->arg >= 0 && in->arg < n && !v->sending) {
            v->category = in->arg;
            v->err[SUBMISSION_FIELD_CATEGORY] = 0;
            say_category(k, in->arg);
        }
        break;
    case INTENT_SUBMIT_FOCUS:
        v->focus = in->arg == UI_SUBMIT_FOCUS_PHONE  ? UI_SUBMIT_FOCUS_PHONE
                   : in->arg == UI_SUBMIT_FOCUS_DESC ? UI_SUBMIT_FOCUS_DESC
                                                     : UI_SUBMIT_FOCUS_NONE;
        /* voice guidance: the field's name, never what is in it */
        if(v->focus != UI_SUBMIT_FOCUS_NONE)
            say_key(k, v->focus == UI_SUBMIT_FOCUS_PHONE ? I18N_SUBMIT_PHONE : I18N_SUBMIT_DESC);
        break;
    case INTENT_SUBMIT_CONSENT:
        if(!v->sending) {
            v->consent = !v->consent;
            v->err[SUBMISSION_FIELD_CONSENT] = 0;
            if(v->consent)
                say_key(k, I18N_SUBMIT_CONSENT);
        }
        break;
    case INTENT_SUBMIT_SEND: submit_send(k); break;
    case INTENT_TEXT_INPUT:
        if(in->payload == UI_PAYLOAD_TEXT)
            submit_type(k, in->u.text);
        break;
    case INTENT_TEXT_BACKSPACE: submit_erase(k, false); break;
    case INTENT_TEXT_CLEAR: submit_erase(k, true); break;
    case INTENT_TEXT_ENTER: v->focus = UI_SUBMIT_FOCUS_NONE; break; /* done: the keyboard goes */
    default: break;
    }
    v->has_err = v->err[SUBMISSION_FIELD_CATEGORY] || v->err[SUBMISSION_FIELD_PHONE] ||
                 v->err[SUBMISSION_FIELD_DESCRIPTION] || v->err[SUBMISSION_FIELD_CONSENT];
    if(in->kind == INTENT_SUBMIT_FOCUS || in->kind == INTENT_TEXT_ENTER ||
       in->kind == INTENT_SUBMIT_SEND)
        submit_keyboard(k);
    ui_loop_invalidate(k->loop);
}

/* Any input on the form is activity: the warning starts over. Typed text
 * itself (physical keyboards, scanners, the on-screen keyboard) reaches
 * submit_intent as the loop's INTENT_TEXT_*. */
static bool submit_input(kiosk_t *k, const display_event_t *ev)
{
    (void)ev;
    submit_arm_warn(k);
    return false;
}

/* The on-screen keyboard follows the focus: digits for the phone, pinyin
 * (with the switch to Latin and digits) for the description. */
static void submit_keyboard(kiosk_t *k)
{
    ui_submit_focus_t f = k->model.submit.focus;

    if(f == UI_SUBMIT_FOCUS_PHONE)
        ui_loop_keyboard_open(k->loop, UI_KB_NUMERIC, false);
    else if(f == UI_SUBMIT_FOCUS_DESC)
        ui_loop_keyboard_open(k->loop, UI_KB_PINYIN, true);
    else if(k->sub_kb_open)
        ui_loop_keyboard_close(k->loop);
    k->sub_kb_open = f != UI_SUBMIT_FOCUS_NONE;
}

/* The receipt: reference, masked phone, QR code to the status page. */
static void submit_print(kiosk_t *k)
{
    ui_submit_view_t *v = &k->model.submit;

    char png[CONFIG_PATH_LEN + 64];
    const char *png_path = NULL;

    if(k->o.screenshot_dir) {
        snprintf(png, sizeof(png), "%s/receipt-%s.png", k->o.screenshot_dir, v->ref);
        png_path = png;
    }
    v->print_state = print_job_submit_receipt(k->print, v->ref, v->phone_masked, v->qr_url,
                                              k->model.lang, png_path, wall_ms(k), &k->print_job);
}

/* ---- engineer mode (issue 9.5) ---------------------------------------------- */

static const config_t *eng_cfg(void *user)
{
    return ((kiosk_t *)user)->cfg;
}

static store_t *eng_store(void *user)
{
    return ((kiosk_t *)user)->store;
}

static void eng_journaled(void *user, int64_t seq)
{
    kiosk_t *k = user;

    if(k->o.on_journal && !k->o.hub_url)
        k->o.on_journal(k->o.hook_user, seq); /* the hosted hub (and its sync) sees it */
}

/* A LAN client's wrong engineer PIN, to the hub (issue 9.5): its journal is
 * the one head office syncs. The answer is only logged (eng_tag). */
static hk_err_t eng_report_pin_failed(void *user, int fails, int locks, int lock_s)
{
    kiosk_t *k = user;

    if(!k->have_branch)
        return HK_ERR_INVALID;
    return branch_engineer_pin_failed(&k->branch, k->eng_tag = ++k->next_tag, k->cfg->device.id,
                                      fails, locks, lock_s);
}

static ui_print_state_t eng_test_print(void *user)
{
    kiosk_t *k = user;
    ticket_t t;

    if(!print_job_has_printer(k->print) || k->cfg->n_services < 1)
        return UI_PRINT_NONE;
    memset(&t, 0, sizeof(t));
    snprintf(t.number, sizeof(t.number), "TEST");
    snprintf(t.service_id, sizeof(t.service_id), "%s", k->cfg->services[0].id);
    t.issued_ms = wall_ms(k);
    t.est_wait_s_quoted = -1;
    return print_job_submit(k->print, &t, k->model.lang, NULL, wall_ms(k), &k->eng_print_job);
}

static void eng_open_pin(kiosk_t *k)
{
    static const int s[] = { UI_SCR_ATTRACT, UI_SCR_ENGINEER_PIN };

    engineer_pin_enter(k->eng, wall_ms(k), mono_ms(k));
    k->model.role_view = engineer_view(k->eng);
    go(k, s, 2);
    runloop_timer_at(ui_loop_runloop(k->loop), T_IDLE,
                     mono_ms(k) + (int64_t)ENGINEER_IDLE_S * 1000);
    if(engineer_view(k->eng)->locked_s > 0) {
        hk_log_info("kiosk", "engineer PIN pad locked for %lld s more",
                    (long long)engineer_view(k->eng)->locked_s);
        runloop_timer_at(ui_loop_runloop(k->loop), T_ENG_TICK, mono_ms(k) + 1000);
    }
}

static void eng_intent(kiosk_t *k, const ui_intent_t *in)
{
    static const int diag[] = { UI_SCR_ATTRACT, UI_SCR_ENGINEER };
    int cur = ui_loop_current(k->loop);
    bool act = false;
    engineer_action_t a;

    if(cur != UI_SCR_ENGINEER_PIN && cur != UI_SCR_ENGINEER)
        return;
    if(in->kind == INTENT_PIN_KEY && cur == UI_SCR_ENGINEER_PIN) {
        engineer_pin_key(k->eng, in->arg);
    } else if(in->kind == INTENT_LOGIN && cur == UI_SCR_ENGINEER_PIN) {
        if(engineer_pin_submit(k->eng, wall_ms(k), mono_ms(k)))
            go(k, diag, 2);
        else if(engineer_view(k->eng)->locked_s > 0)
            runloop_timer_at(ui_loop_runloop(k->loop), T_ENG_TICK, mono_ms(k) + 1000);
    } else {
        a = engineer_intent(k->eng, in, wall_ms(k), &act);
        if(act && a == ENGINEER_ACT_EXIT) {
            go_attract(k);
        } else if(act && a == ENGINEER_ACT_RESTART && cur == UI_SCR_ENGINEER) {
            hk_log_info("kiosk", "engineer: restart requested (exit %d)", ENGINEER_EXIT_CODE);
            go_attract(k); /* nothing of the engineer mode on the last frame */
            ui_loop_quit(k->loop, ENGINEER_EXIT_CODE);
        }
    }
    ui_loop_invalidate(k->loop);
}

static void on_intent(void *ctl, const ui_intent_t *in)
{
    kiosk_t *k = ctl;
    ui_model_t *m = &k->model;

    switch(in->kind) {
    case INTENT_START:
    case INTENT_HOME: go_home(k); break;
    case INTENT_BACK:
        ui_loop_back(k->loop);
        on_screen_change(k, ui_loop_current(k->loop));
        break;
    case INTENT_OPEN_SERVICES: go_over_home(k, UI_SCR_SERVICES); break;
    case INTENT_OPEN_FAQ:
        faq_open(k);
        break; /* FAQ/triage */
    /* submission (issue 8.5) */
    case INTENT_OPEN_SUBMIT: submit_open(k, in->arg - 1, ""); break;
    case INTENT_SUBMIT_CATEGORY:
    case INTENT_SUBMIT_FOCUS:
    case INTENT_SUBMIT_CONSENT:
    case INTENT_SUBMIT_SEND:
    case INTENT_TEXT_INPUT:
    case INTENT_TEXT_BACKSPACE:
    case INTENT_TEXT_CLEAR:
    case INTENT_TEXT_ENTER:
        /* typed text goes to the showing screen's field: the FAQ's search
         * or the submission form */
        if(ui_loop_current(k->loop) == UI_SCR_FAQ_LIST)
            faq_intent(k, in);
        else
            submit_intent(k, in);
        break;
    case INTENT_OPEN_RATE: rate_open(k); break;
    case INTENT_ENTRY_KEY: entry_key(k, in->arg); break;
    case INTENT_ENTRY_SUBMIT: rate_lookup(k, NULL); break;
    case INTENT_RATE_CHIP:
    case INTENT_RATE_SUBMIT: rate_press(k, in); break;
    case INTENT_TAKE_NUMBER: take_number(k, in->arg); break;
    case INTENT_SERVICE_CLOSED: service_closed(k, in->arg); break;
    case INTENT_TOGGLE_LANG:
        m->lang = m->lang == I18N_ZH ? I18N_EN : I18N_ZH;
        refresh_time(k);
        if(m->faq.query[0]) /* FAQ/triage: results prefer the language shown */
            faq_search(k);
        say_screen(k, ui_loop_current(k->loop)); /* voice guidance: in the new language */
        break;
    case INTENT_TOGGLE_LARGE:
        m->large = !m->large;
        say_key(k, m->large ? I18N_LARGE_ON : I18N_LARGE_OFF);
        break;
    case INTENT_TOGGLE_VOICE: voice_toggle(k); break; /* voice guidance (issue 8.6) */
    case INTENT_RATE_LEVEL:
        if(in->arg >= 1 && in->arg <= 5 && ui_loop_current(k->loop) == UI_SCR_RATE_FACES)
            say_key(k, (i18n_key_t)(I18N_RATE_LEVEL_5 + (5 - in->arg))); /* 5 is listed first */
        rate_press(k, in);
        break;
    case INTENT_PIN_KEY: /* engineer mode (issue 9.5) */
    case INTENT_LOGIN:
    case INTENT_ENG_TAB:
    case INTENT_ENG_TOUCH:
    case INTENT_ENG_ACTION: eng_intent(k, in); break;
    default: faq_intent(k, in); break; /* FAQ/triage, the loop's own, or the counter role's */
    }
    say_flush(k); /* voice guidance: what this input made the kiosk say */
}

static bool on_input(void *ctl, const display_event_t *ev)
{
    kiosk_t *k = ctl;

    /* armed on the attract screen too: the tap that leaves it counts */
    runloop_timer_at(ui_loop_runloop(k->loop), T_IDLE,
                     mono_ms(k) + (int64_t)k->cfg->idle_timeout_s * 1000);
    if(ev->type == DISPLAY_EV_KEY && ev->key == DISPLAY_KEY_ESCAPE) {
        go_attract(k);
        return true;
    }
    /* engineer mode (issue 9.5): the hidden gesture on the attract screen,
     * and a longer inactivity timeout on the engineer screens */
    if(ui_loop_current(k->loop) == UI_SCR_ATTRACT && k->eng) {
        bool open = false;
        bool mine = engineer_gesture(k->eng, ev, k->model.w, k->model.h, mono_ms(k), &open);
        if(open)
            eng_open_pin(k);
        if(mine)
            return true;
    }
    if(ui_loop_current(k->loop) == UI_SCR_ENGINEER_PIN ||
       ui_loop_current(k->loop) == UI_SCR_ENGINEER)
        runloop_timer_at(ui_loop_runloop(k->loop), T_IDLE,
                         mono_ms(k) + (int64_t)ENGINEER_IDLE_S * 1000);
    if(ui_loop_current(k->loop) == UI_SCR_RATE_NUMBER)
        return rate_input(k, ev);
    if(ui_loop_current(k->loop) == UI_SCR_SUBMIT_FORM)
        return submit_input(k, ev);
    return false;
}

/* ---- results ------------------------------------------------------------ */

static void take_done(kiosk_t *k, const branch_result_t *r)
{
    ui_model_t *m = &k->model;
    char title[160];

    k->take_tag = 0;
    if(r->rc == HK_ERR_BUSY) {
        /* closed in the meantime (hours) */
        refresh_time(k);
        i18n_format(title, sizeof(title), m->lang, I18N_CLOSED_TITLE_S, svc_name(k, k->take_svc));
        ui_loop_dialog(k->loop, title, i18n_get(m->lang, I18N_ERROR_MSG));
        return;
    }
    if(r->rc != HK_OK || !r->has_ticket) {
        hk_log_error("kiosk", "take number failed: %s", hk_err_str(r->rc));
        error_dialog(k);
        return;
    }
    /* committed: now, and only now, the screen may confirm it */
    m->ticket = r->ticket;
    m->has_ticket = true;
    m->print_state = print_job_has_printer(k->print) ? UI_PRINT_PENDING : UI_PRINT_NONE;
    m->countdown_s = k->cfg->confirm_timeout_s;
    k->print_job = 0;
    go_over_home(k, UI_SCR_TICKET);
    runloop_timer_at(ui_loop_runloop(k->loop), T_COUNTDOWN, mono_ms(k) + 1000);
    k->print_after_present = true;
}

static void apply_config(kiosk_t *k)
{
    uint64_t gen = 0;
    const config_t *old = k->cfg, *cfg = config_live_acquire(k->o.live, &gen);

    if(gen == k->cfg_gen) {
        config_live_release(k->o.live, cfg);
        return;
    }
    k->cfg = cfg;
    k->cfg_gen = gen;
    k->model.cfg = cfg;
    k->model.cfg_gen = gen;
    if(k->have_branch && k->o.hub_url)
        branch_lan_set_config(&k->branch, cfg);
    else if(k->have_branch)
        branch_local_set_config(&k->branch, cfg);
    print_job_set_config(k->print, cfg);
    config_live_release(k->o.live, old);
    hk_log_info("kiosk", "config generation %llu in force (branch %s)", (unsigned long long)gen,
                cfg->branch_id);
    refresh_time(k);
    request_snapshot(k);
    ui_loop_invalidate(k->loop);
}

static void on_message(void *ctl, mailbox_msg_t *msg)
{
    kiosk_t *k = ctl;
    const branch_result_t *r = msg->payload;

    switch(msg->kind) {
    case MAILBOX_BRANCH_DONE:
        if(!r)
            break;
        if(msg->tag == k->take_tag && r->op == BRANCH_OP_TAKE_NUMBER) {
            take_done(k, r);
        } else if(msg->tag == k->lookup_tag && r->op == BRANCH_OP_RATING_LOOKUP) {
            lookup_done(k, r);
        } else if(msg->tag == k->rate_tag && r->op == BRANCH_OP_RATE_NUMBER) {
            hk_log_info("kiosk", "%s rated at the kiosk: %s", k->model.rate.number,
                        hk_err_str(r->rc));
            rating_flow_result(&k->model.rate, k->model.lang, r->rc);
            runloop_timer_at(ui_loop_runloop(k->loop), T_RATE_DONE,
                             mono_ms(k) + RATE_DONE_S * 1000);
        } else if(msg->tag == k->eng_tag && r->op == BRANCH_OP_ENGINEER_PIN_FAILED) {
            if(r->rc == HK_OK)
                hk_log_info("kiosk", "engineer.pin_failed sent to the hub (its seq %lld)",
                            (long long)r->journal_seq);
            else
                hk_log_warn("kiosk", "engineer.pin_failed not taken by the hub: %s",
                            hk_err_str(r->rc));
        } else if(msg->tag == k->faq_tag && r->rc != HK_OK) {
            /* FAQ/triage: a self-help event the branch refused */
            hk_log_warn("kiosk", "self-help event not recorded: %s", hk_err_str(r->rc));
        } else if(msg->tag == k->submit_tag && r->op == BRANCH_OP_SUBMIT_ISSUE) {
            submit_done(k, r); /* submission (issue 8.5) */
        } else if(msg->tag == k->snap_tag && r->op == BRANCH_OP_SNAPSHOT) {
            k->snap_tag = 0;
            if(r->rc == HK_OK)
                ui_model_apply_snapshot(&k->model, &r->snapshot);
            else
                hk_log_warn("kiosk", "snapshot failed: %s", hk_err_str(r->rc));
            if(k->snap_again) {
                k->snap_again = false;
                request_snapshot(k);
            }
        }
        break;
    case MAILBOX_JOURNAL_ADVANCED:
        if(k->o.on_journal && !k->o.hub_url)
            k->o.on_journal(k->o.hook_user, msg->i64);
        request_snapshot(k);
        if(!runloop_timer_armed(ui_loop_runloop(k->loop), T_RATING))
            runloop_timer_at(ui_loop_runloop(k->loop), T_RATING,
                             mono_ms(k) + (RATING_WINDOW_S_DEFAULT + 1) * 1000);
        break;
    case MAILBOX_CONFIG_CHANGED: apply_config(k); break;
    case MAILBOX_PRINT_DONE: {
        bool mine = msg->tag == k->print_job && k->model.has_ticket;
        if(msg->tag && msg->tag == k->eng_print_job) { /* engineer mode: the test slip */
            ui_print_state_t st = print_job_done(k->print, msg, "TEST", wall_ms(k));
            engineer_printed(k->eng, st, printer_status_str((printer_status_t)msg->i64), true);
            k->eng_print_job = 0;
            ui_loop_invalidate(k->loop);
            break;
        }
        /* engineer mode: the printer's last known state */
        engineer_printed(k->eng, msg->rc == HK_OK ? UI_PRINT_DONE : UI_PRINT_FAULT,
                         printer_status_str((printer_status_t)msg->i64), false);
        if(msg->tag == k->print_job && k->model.submit.ref[0]) { /* submission's receipt */
            k->model.submit.print_state =
                print_job_done(k->print, msg, k->model.submit.ref, wall_ms(k));
            break;
        }
        ui_print_state_t st =
            print_job_done(k->print, msg, mine ? k->model.ticket.number : "", wall_ms(k));
        if(mine)
            k->model.print_state = st;
        break;
    }
    default: break;
    }
    mailbox_msg_free(msg);
    say_flush(k); /* voice guidance: a screen a result led to */
}

/* The header's offline indicator follows the sync's state. */
static void look_at_central(kiosk_t *k)
{
    int state = k->o.central_state ? k->o.central_state(k->o.hook_user) : -1;
    bool offline = state == 0;

    if(offline != k->model.central_offline) {
        k->model.central_offline = offline;
        ui_loop_invalidate(k->loop);
    }
    if(k->o.content_gen) {
        uint64_t gen = k->o.content_gen(k->o.hook_user);
        int cur = ui_loop_current(k->loop);
        if(gen != k->content_gen_seen && cur != UI_SCR_TRIAGE && cur != UI_SCR_FAQ_LIST &&
           cur != UI_SCR_FAQ_ARTICLE) {
            k->content_gen_seen = gen;
            if(gen)
                faq_reload(k);
        }
    }
    if(k->o.central_state || k->o.content_gen)
        runloop_timer_at(ui_loop_runloop(k->loop), T_CENTRAL, mono_ms(k) + CENTRAL_LOOK_MS);
}

static void on_timer(void *ctl, int id)
{
    kiosk_t *k = ctl;

    switch(id) {
    case T_MINUTE:
        refresh_time(k);
        request_snapshot(k);
        break;
    case T_RATING:
        /* its result is not waited for: the events it writes are the news */
        if(k->have_branch && branch_expire_ratings(&k->branch, ++k->next_tag) != HK_OK)
            hk_log_warn("kiosk", "not-rated sweep not submitted");
        break;
    case T_IDLE:
        if(ui_loop_current(k->loop) != UI_SCR_ATTRACT)
            go_attract(k);
        break;
    case T_RATE_DONE:
        if(ui_loop_current(k->loop) == UI_SCR_RATE_FACES)
            go_home(k);
        break;
    case T_CENTRAL: look_at_central(k); break;
    case T_FAQ_FLING: faq_fling_step(k); break;
    case T_ENG_TICK: /* engineer mode: the locked pad counts down */
        if(ui_loop_current(k->loop) == UI_SCR_ENGINEER_PIN &&
           engineer_tick(k->eng, wall_ms(k), mono_ms(k)))
            runloop_timer_at(ui_loop_runloop(k->loop), T_ENG_TICK, mono_ms(k) + 1000);
        ui_loop_invalidate(k->loop);
        break;
    case T_SUBMIT_WARN: /* submission: warn, then T_IDLE clears the form */
    case T_SUBMIT_TICK:
        if(ui_loop_current(k->loop) != UI_SCR_SUBMIT_FORM)
            break;
        k->model.submit.warn_s = id == T_SUBMIT_WARN ? SUBMIT_WARN_S : k->model.submit.warn_s - 1;
        if(k->model.submit.warn_s > 0)
            runloop_timer_at(ui_loop_runloop(k->loop), T_SUBMIT_TICK, mono_ms(k) + 1000);
        ui_loop_invalidate(k->loop);
        break;
    case T_COUNTDOWN:
        if(--k->model.countdown_s <= 0) {
            k->model.has_ticket = false;
            go_home(k);
        } else {
            runloop_timer_at(ui_loop_runloop(k->loop), T_COUNTDOWN, mono_ms(k) + 1000);
        }
        break;
    default: break;
    }
    say_flush(k); /* voice guidance: a screen a timer led to */
}

static void after_present(void *ctl)
{
    kiosk_t *k = ctl;
    char png[CONFIG_PATH_LEN + 64];
    const char *png_path = NULL;

    if(k->sub_print_after_present) { /* submission: the receipt, after the confirmation */
        k->sub_print_after_present = false;
        submit_print(k);
        return;
    }
    if(!k->print_after_present)
        return;
    /* the confirmation is on screen: rendering the ticket cannot delay it */
    k->print_after_present = false;
    if(k->o.screenshot_dir) {
        snprintf(png, sizeof(png), "%s/ticket-%s.png", k->o.screenshot_dir, k->model.ticket.number);
        png_path = png;
    }
    k->model.print_state = print_job_submit(k->print, &k->model.ticket, k->model.lang, png_path,
                                            wall_ms(k), &k->print_job);
}

static ui_model_t *model(void *ctl)
{
    kiosk_t *k = ctl;

    if(k->model.role_view && k->eng) /* engineer mode: its view changed */
        k->model.role_gen = engineer_gen(k->eng);
    return &k->model;
}

static hk_err_t start(void *ctl, hk_diag_t *diag)
{
    kiosk_t *k = ctl;
    char path[CONFIG_PATH_LEN + 32];
    hk_err_t rc;

    rc = paths_resolve(k->o.data_dir, "hallkiosk.db", path, sizeof(path));
    if(rc == HK_OK)
        rc = store_open(path, &k->store, diag);
    if(rc == HK_OK && k->o.hub_url)
        rc = branch_lan_create(k->cfg, k->o.hub_url, k->o.data_dir, ui_loop_mailbox(k->loop),
                               &k->branch);
    else if(rc == HK_OK)
        rc = branch_local_create(k->store, k->cfg, ui_loop_mailbox(k->loop), branch_now, k,
                                 &k->branch);
    if(rc != HK_OK) {
        hk_diag_set(diag, "cannot open the queue store %s: %s", path, hk_err_str(rc));
        return rc;
    }
    k->have_branch = true;
    if(k->o.hub_url) /* the hub's branch document: services, counters, hours (logged if bad) */
        (void)branch_lan_follow_config(&k->branch, k->o.live, k->o.data_dir);
    rc = print_job_create(k->cfg, k->o.data_dir, k->o.fonts, k->store, ui_loop_mailbox(k->loop),
                          wall_ms(k), &k->print);
    if(rc != HK_OK)
        return rc;
    request_snapshot(k);
    faq_load(k); /* FAQ/triage: after the first frame; cheap, never fatal */
    if(k->o.on_started && !k->o.hub_url)
        k->o.on_started(k->o.hook_user);
    if((k->o.central_state || k->o.content_gen) && !k->o.hub_url)
        runloop_timer_at(ui_loop_runloop(k->loop), T_CENTRAL, mono_ms(k) + CENTRAL_LOOK_MS);
    return HK_OK;
}

/* ---- script probe --------------------------------------------------------- */

static const char *probe_print_state(void *user)
{
    static const char *const names[] = { "none", "pending", "done", "fault" };
    kiosk_t *k = user;

    return names[k->model.print_state];
}

static void probe_print_wait(void *user)
{
    kiosk_t *k = user;

    print_job_wait_idle(k->print);
}

static void probe_load_config(void *user, const char *path)
{
    kiosk_t *k = user;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    if(config_live_load_file(k->o.live, path, &diag) != HK_OK) {
        hk_log_error("kiosk", "config %s refused: %s; the last good config stays", path, diag.msg);
        return;
    }
    if(mailbox_post_simple(ui_loop_mailbox(k->loop), MAILBOX_CONFIG_CHANGED, 0, HK_OK,
                           (int64_t)config_live_generation(k->o.live)) != HK_OK)
        apply_config(k); /* the mailbox is full: apply now rather than never */
}

static void probe_clock_changed(void *user)
{
    kiosk_t *k = user;

    refresh_time(k);
    request_snapshot(k);
    ui_loop_invalidate(k->loop);
}

/* ---- lifecycle ---------------------------------------------------------------- */

hk_err_t kiosk_create(const kiosk_opts_t *o, kiosk_t **out, hk_diag_t *diag)
{
    static const struct {
        int id;
        const scr_ops_t *(*ops)(void);
    } screens[] = {
        { UI_SCR_ATTRACT, scr_attract_ops },
        { UI_SCR_HOME, scr_home_ops },
        { UI_SCR_SERVICES, scr_services_ops },
        { UI_SCR_TICKET, scr_ticket_ops },
        { UI_SCR_UNAVAILABLE, scr_unavailable_ops },
        { UI_SCR_RATE_NUMBER, scr_rate_number_ops },
        { UI_SCR_RATE_FACES, scr_rate_faces_ops },
        /* FAQ/triage (issue 8) */
        { UI_SCR_TRIAGE, scr_triage_ops },
        { UI_SCR_FAQ_LIST, scr_faq_list_ops },
        { UI_SCR_FAQ_ARTICLE, scr_faq_article_ops },
        /* submission (issue 8.5) */
        { UI_SCR_SUBMIT_FORM, scr_submit_form_ops },
        { UI_SCR_SUBMIT_DONE, scr_submit_done_ops },
        /* engineer mode (issue 9.5) */
        { UI_SCR_ENGINEER_PIN, scr_engineer_pin_ops },
        { UI_SCR_ENGINEER, scr_engineer_diag_ops },
    };
    engineer_env_t ee;
    ui_controller_t c;
    ui_loop_opts_t lo;
    kiosk_t *k;
    hk_err_t rc;
    size_t i;

    *out = NULL;
    k = hk_calloc(1, sizeof(*k));
    if(!k)
        return HK_ERR_NOMEM;
    k->o = *o;
    k->cfg = config_live_acquire(o->live, &k->cfg_gen);
    memset(&c, 0, sizeof(c));
    c.ctl = k;
    c.model = model;
    c.on_input = on_input;
    c.on_intent = on_intent;
    c.on_message = on_message;
    c.on_timer = on_timer;
    c.after_present = after_present;
    c.start = start;
    memset(&lo, 0, sizeof(lo));
    lo.display = o->display;
    lo.clock = o->clock;
    lo.start_mono_ms = o->start_mono_ms;
    lo.data_dir = o->data_dir; /* IME: the keyboard's pinyin engine files and logs */
    rc = ui_loop_create(&lo, &c, &k->loop);
    for(i = 0; rc == HK_OK && i < sizeof(screens) / sizeof(screens[0]); i++)
        rc = ui_loop_add_screen(k->loop, screens[i].id, screens[i].ops());
    if(rc != HK_OK) {
        hk_diag_set(diag, "ui: cannot create screens: %s", hk_err_str(rc));
        kiosk_destroy(k);
        return rc;
    }
    memset(&ee, 0, sizeof(ee)); /* engineer mode (issue 9.5) */
    ee.data_dir = o->data_dir;
    ee.cfg = eng_cfg;
    ee.store = eng_store;
    ee.journaled = eng_journaled;
    ee.test_print = eng_test_print;
    ee.lan_client = o->hub_url != NULL;
    ee.report_pin_failed = eng_report_pin_failed;
    ee.user = k;
    if(rc == HK_OK)
        rc = engineer_create(&ee, &k->eng);
    if(rc != HK_OK) {
        hk_diag_set(diag, "ui: cannot create the engineer mode: %s", hk_err_str(rc));
        kiosk_destroy(k);
        return rc;
    }
    ui_model_init(&k->model, k->cfg, k->cfg_gen);
    k->model.contrast_offered = true; /* FAQ/triage: the header's contrast toggle */
    k->model.voice_offered = o->voice_audio_kind != NULL; /* voice guidance (issue 8.6) */
    go_attract(k);
    *out = k;
    return HK_OK;
}

void kiosk_destroy(kiosk_t *k)
{
    if(!k)
        return;
    print_job_destroy(k->print); /* waits for the spool; results stay in the mailbox */
    /* the branch's threads (branch_lan's worker, stream and importer) post
     * to the loop's mailbox until they are joined: before the loop frees it */
    if(k->have_branch)
        branch_destroy(&k->branch);
    ui_loop_destroy(k->loop);   /* frees undelivered messages */
    guide_voice_destroy(k->gv); /* voice guidance: its player thread only logs */
    engineer_destroy(k->eng);   /* engineer mode (issue 9.5) */
    faq_index_close(k->faq_ix); /* FAQ/triage: the index, then the content it reads */
    faq_content_free(k->faq);   /* after the screens that showed it */
    store_close(k->store);
    if(k->cfg)
        config_live_release(k->o.live, k->cfg);
    hk_free(k);
}

int kiosk_run(kiosk_t *k, const script_t *script)
{
    script_player_t *player = NULL;
    ui_input_source_t src;
    script_probe_t probe;
    int rc;

    if(!script) {
        rc = ui_loop_run(k->loop, NULL);
        print_job_wait_idle(k->print);
        ui_loop_pump(k->loop); /* record the last print's result */
        return rc;
    }
    memset(&probe, 0, sizeof(probe));
    probe.user = k;
    probe.utc_offset_min = k->cfg->utc_offset_min; /* the zone is the device's, not pushed */
    probe.print_state = probe_print_state;
    probe.print_wait = probe_print_wait;
    probe.clock_changed = probe_clock_changed;
    probe.load_config = probe_load_config;
    if(script_player_create(script, k->o.screenshot_dir, k->o.script_dir, &probe, &player) != HK_OK)
        return 2;
    src = script_player_source(player);
    rc = ui_loop_run(k->loop, &src);
    /* voice guidance: a scripted run (a test, a demo) keeps its last words */
    (void)guide_voice_idle(k->gv, 10000);
    /* let the last ticket finish printing, and record its result */
    print_job_wait_idle(k->print);
    ui_loop_pump(k->loop);
    script_player_destroy(player);
    return rc;
}
