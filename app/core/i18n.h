/*
 * i18n: the UI string catalogue, zh-CN first, English second. The strings
 * are data (assets/i18n/<code>.json, embedded into the binary at build
 * time and parsed once, on first use or at i18n_init()); the keys stay an
 * enum so a screen names a string the compiler checks. tests/unit/
 * test_i18n.c reads the files themselves and fails when one misses a key,
 * has a key the enum does not know, or when the languages' placeholders
 * differ.
 *
 * Placeholders are part of a key's name: a key ending in _D takes exactly
 * one %d, one ending in _S exactly one %s, every other key none (and no
 * other '%' anywhere). The parser refuses a catalogue that breaks this, so
 * i18n_format() never meets a format it does not expect.
 *
 * Thread-safe: the catalogue is loaded once under a lock and never changes
 * afterwards; a returned string lives as long as the process.
 */
#ifndef HK_APP_CORE_I18N_H
#define HK_APP_CORE_I18N_H

#include <stddef.h>

#include "hk_err.h"

typedef enum i18n_lang { I18N_ZH = 0, I18N_EN, I18N_LANG_COUNT } i18n_lang_t;

/*
 * The one table of keys: the enum value and its name in the catalogue
 * files (the enum name without I18N_, in lower case; test_i18n.c checks
 * that). Insert anywhere: the files address strings by name, not number.
 */
/* clang-format off */
#define I18N_KEY_LIST(X) \
    X(I18N_WELCOME, "welcome") \
    X(I18N_TOUCH_TO_START, "touch_to_start") \
    X(I18N_LANG_TOGGLE, "lang_toggle") \
    X(I18N_LARGE_ON, "large_on") \
    X(I18N_LARGE_OFF, "large_off") \
    X(I18N_HOME_TITLE, "home_title") \
    X(I18N_TILE_TAKE, "tile_take") \
    X(I18N_TILE_TAKE_SUB, "tile_take_sub") \
    X(I18N_TILE_FAQ, "tile_faq") \
    X(I18N_TILE_FAQ_SUB, "tile_faq_sub") \
    X(I18N_TILE_SUBMIT, "tile_submit") \
    X(I18N_TILE_SUBMIT_SUB, "tile_submit_sub") \
    X(I18N_TILE_RATE, "tile_rate") \
    X(I18N_TILE_RATE_SUB, "tile_rate_sub") \
    /* FAQ/triage (issue 8, helper UI) */ \
    X(I18N_TILE_TRIAGE, "tile_triage") \
    X(I18N_TILE_TRIAGE_SUB, "tile_triage_sub") \
    X(I18N_TILE_FAQ_FAILED, "tile_faq_failed") \
    X(I18N_TRIAGE_TITLE, "triage_title") \
    X(I18N_TRIAGE_SUB, "triage_sub") \
    X(I18N_TRIAGE_TO_FAQ, "triage_to_faq") \
    X(I18N_TRIAGE_TO_QUEUE_S, "triage_to_queue_s") \
    X(I18N_TRIAGE_TO_SUBMIT, "triage_to_submit") \
    X(I18N_FAQ_TITLE, "faq_title") \
    X(I18N_FAQ_SEARCH_HINT, "faq_search_hint") \
    X(I18N_FAQ_BROWSE, "faq_browse") \
    X(I18N_FAQ_ARTICLES_D, "faq_articles_d") \
    X(I18N_FAQ_RESULTS_D, "faq_results_d") \
    X(I18N_FAQ_NO_RESULTS, "faq_no_results") \
    X(I18N_FAQ_SEARCH_LATER, "faq_search_later") \
    X(I18N_FAQ_UNAVAILABLE, "faq_unavailable") \
    X(I18N_FAQ_ALL_TOPICS, "faq_all_topics") \
    X(I18N_FAQ_PAGE_PREV, "faq_page_prev") \
    X(I18N_FAQ_PAGE_NEXT, "faq_page_next") \
    X(I18N_FAQ_CLEAR, "faq_clear") \
    X(I18N_FAQ_HELPFUL_Q, "faq_helpful_q") \
    X(I18N_FAQ_YES, "faq_yes") \
    X(I18N_FAQ_NO, "faq_no") \
    X(I18N_FAQ_THANKS, "faq_thanks") \
    X(I18N_FAQ_STILL, "faq_still") \
    X(I18N_FAQ_STILL_QUEUE_S, "faq_still_queue_s") \
    X(I18N_FAQ_STILL_SUBMIT, "faq_still_submit") \
    /* end FAQ/triage */ \
    X(I18N_COUNTER_LOGIN_TITLE, "counter_login_title") \
    X(I18N_COUNTER_CHOOSE_STAFF, "counter_choose_staff") \
    X(I18N_COUNTER_ENTER_PIN, "counter_enter_pin") \
    X(I18N_COUNTER_LOGIN, "counter_login") \
    X(I18N_COUNTER_CLEAR, "counter_clear") \
    X(I18N_COUNTER_ERASE, "counter_erase") \
    X(I18N_COUNTER_PIN_WRONG, "counter_pin_wrong") \
    X(I18N_COUNTER_PIN_LOCKED, "counter_pin_locked") \
    X(I18N_COUNTER_PICK_STAFF, "counter_pick_staff") \
    X(I18N_COUNTER_UNKNOWN_S, "counter_unknown_s") \
    X(I18N_COUNTER_LOGIN_KEYS, "counter_login_keys") \
    X(I18N_ACT_CALL_NEXT, "act_call_next") \
    X(I18N_ACT_RECALL, "act_recall") \
    X(I18N_ACT_START, "act_start") \
    X(I18N_ACT_FINISH, "act_finish") \
    X(I18N_ACT_NO_SHOW, "act_no_show") \
    X(I18N_ACT_PAUSE, "act_pause") \
    X(I18N_ACT_RESUME, "act_resume") \
    X(I18N_ACT_OPEN, "act_open") \
    X(I18N_ACT_CLOSE, "act_close") \
    X(I18N_ACT_TRANSFER, "act_transfer") \
    X(I18N_COUNTER_LOGOUT, "counter_logout") \
    X(I18N_COUNTER_STATE_OPEN, "counter_state_open") \
    X(I18N_COUNTER_STATE_PAUSED, "counter_state_paused") \
    X(I18N_COUNTER_STATE_CLOSED, "counter_state_closed") \
    X(I18N_COUNTER_STAFF_S, "counter_staff_s") \
    X(I18N_COUNTER_CURRENT, "counter_current") \
    X(I18N_COUNTER_NONE, "counter_none") \
    X(I18N_TICKET_CALLED, "ticket_called") \
    X(I18N_TICKET_SERVING, "ticket_serving") \
    X(I18N_COUNTER_WAITED_S, "counter_waited_s") \
    X(I18N_COUNTER_HERE_S, "counter_here_s") \
    X(I18N_COUNTER_RECALLS_D, "counter_recalls_d") \
    X(I18N_COUNTER_WAITING_TITLE, "counter_waiting_title") \
    X(I18N_COUNTER_WAITING_D, "counter_waiting_d") \
    X(I18N_COUNTER_KEYS, "counter_keys") \
    X(I18N_PICK_NO_SHOW_TITLE, "pick_no_show_title") \
    X(I18N_PICK_PUT_BACK, "pick_put_back") \
    X(I18N_PICK_MARK_MISSED, "pick_mark_missed") \
    X(I18N_PICK_TRANSFER_TITLE, "pick_transfer_title") \
    X(I18N_CANCEL, "cancel") \
    X(I18N_TOAST_CALLED_S, "toast_called_s") \
    X(I18N_TOAST_RECALLED_S, "toast_recalled_s") \
    X(I18N_TOAST_STARTED_S, "toast_started_s") \
    X(I18N_TOAST_FINISHED_S, "toast_finished_s") \
    X(I18N_TOAST_REQUEUED_S, "toast_requeued_s") \
    X(I18N_TOAST_MISSED_S, "toast_missed_s") \
    X(I18N_TOAST_TRANSFERRED_S, "toast_transferred_s") \
    X(I18N_TOAST_NOBODY, "toast_nobody") \
    X(I18N_TOAST_NOT_OPEN, "toast_not_open") \
    X(I18N_TOAST_NOT_NOW, "toast_not_now") \
    X(I18N_TOAST_NO_TICKET, "toast_no_ticket") \
    X(I18N_TOAST_FAILED, "toast_failed") \
    X(I18N_TOAST_HUB, "toast_hub") \
    X(I18N_TOAST_COUNTER_BUSY, "toast_counter_busy") \
    X(I18N_RATE_SERVED_BY, "rate_served_by") \
    X(I18N_RATE_YOUR_NUMBER_S, "rate_your_number_s") \
    X(I18N_RATE_INVITE, "rate_invite") \
    X(I18N_RATE_BEGIN, "rate_begin") \
    X(I18N_RATE_TITLE, "rate_title") \
    X(I18N_RATE_LEVEL_5, "rate_level_5") \
    X(I18N_RATE_LEVEL_4, "rate_level_4") \
    X(I18N_RATE_LEVEL_3, "rate_level_3") \
    X(I18N_RATE_LEVEL_2, "rate_level_2") \
    X(I18N_RATE_LEVEL_1, "rate_level_1") \
    X(I18N_RATE_COUNTDOWN_D, "rate_countdown_d") \
    X(I18N_RATE_REASONS_TITLE, "rate_reasons_title") \
    X(I18N_RATE_PRAISE_TITLE, "rate_praise_title") \
    X(I18N_REASON_EFFICIENCY, "reason_efficiency") \
    X(I18N_REASON_COMPETENCE, "reason_competence") \
    X(I18N_REASON_ATTITUDE, "reason_attitude") \
    X(I18N_REASON_OTHER, "reason_other") \
    X(I18N_PRAISE_EFFICIENCY, "praise_efficiency") \
    X(I18N_PRAISE_COMPETENCE, "praise_competence") \
    X(I18N_PRAISE_ATTITUDE, "praise_attitude") \
    X(I18N_RATE_SUBMIT, "rate_submit") \
    X(I18N_RATE_SENDING, "rate_sending") \
    X(I18N_RATE_THANKS, "rate_thanks") \
    X(I18N_RATE_THANKS_LOW, "rate_thanks_low") \
    X(I18N_RATE_CLOSED, "rate_closed") \
    X(I18N_RATE_ALREADY, "rate_already") \
    X(I18N_RATE_FAILED, "rate_failed") \
    X(I18N_RATE_NUMBER_TITLE, "rate_number_title") \
    X(I18N_RATE_NUMBER_SUB, "rate_number_sub") \
    X(I18N_RATE_NUMBER_GO, "rate_number_go") \
    X(I18N_RATE_UNKNOWN, "rate_unknown") \
    X(I18N_RATE_NOT_FINISHED, "rate_not_finished") \
    X(I18N_RATE_OTHER_DAY, "rate_other_day") \
    X(I18N_RATE_NOW_SERVING_S, "rate_now_serving_s") \
    X(I18N_RATE_WELCOME, "rate_welcome") \
    X(I18N_WAITING_NOW_D, "waiting_now_d") \
    X(I18N_HOURS_TODAY_S, "hours_today_s") \
    X(I18N_CLOSED_TODAY, "closed_today") \
    X(I18N_CHOOSE_SERVICE, "choose_service") \
    X(I18N_CHOOSE_SERVICE_SUB, "choose_service_sub") \
    X(I18N_SVC_WAITING_D, "svc_waiting_d") \
    X(I18N_SVC_EST_D, "svc_est_d") \
    X(I18N_SVC_NO_WAIT, "svc_no_wait") \
    X(I18N_SVC_NO_COUNTER, "svc_no_counter") \
    X(I18N_SVC_CLOSED, "svc_closed") \
    X(I18N_SVC_HOURS_S, "svc_hours_s") \
    X(I18N_VIP_TAG, "vip_tag") \
    X(I18N_BACK, "back") \
    X(I18N_HOME, "home") \
    X(I18N_CENTRAL_OFFLINE, "central_offline") \
    X(I18N_HUB_OFFLINE, "hub_offline") \
    X(I18N_YOUR_NUMBER, "your_number") \
    X(I18N_AHEAD_D, "ahead_d") \
    X(I18N_AHEAD_NONE, "ahead_none") \
    X(I18N_EST_WAIT_D, "est_wait_d") \
    X(I18N_EST_NONE, "est_none") \
    X(I18N_EST_NOTE, "est_note") \
    X(I18N_ISSUED_AT_S, "issued_at_s") \
    X(I18N_SCAN_QR, "scan_qr") \
    X(I18N_PRINTING, "printing") \
    X(I18N_PRINTED, "printed") \
    X(I18N_PRINT_FAULT, "print_fault") \
    X(I18N_PRINT_FAULT_STAFF, "print_fault_staff") \
    X(I18N_NO_PRINTER, "no_printer") \
    X(I18N_DONE, "done") \
    X(I18N_AUTO_RETURN_D, "auto_return_d") \
    X(I18N_WATCH_DISPLAY, "watch_display") \
    X(I18N_UNAVAILABLE, "unavailable") \
    X(I18N_UNAVAILABLE_HELP, "unavailable_help") \
    X(I18N_CLOSED_TITLE_S, "closed_title_s") \
    X(I18N_OK, "ok") \
    /* IME (issue 8.4): the on-screen keyboard */ \
    X(I18N_KB_SPACE, "kb_space") \
    X(I18N_KB_CLEAR, "kb_clear") \
    X(I18N_KB_DELETE, "kb_delete") \
    X(I18N_KB_DONE, "kb_done") \
    X(I18N_KB_MODE_PINYIN, "kb_mode_pinyin") \
    X(I18N_KB_MODE_LATIN, "kb_mode_latin") \
    X(I18N_KB_MODE_NUMERIC, "kb_mode_numeric") \
    X(I18N_KB_PAGE_PREV, "kb_page_prev") \
    X(I18N_KB_PAGE_NEXT, "kb_page_next") \
    X(I18N_KB_LOADING, "kb_loading") \
    /* end IME */ \
    X(I18N_ERROR_TITLE, "error_title") \
    X(I18N_ERROR_MSG, "error_msg") \
    X(I18N_TICKET_SERVICE, "ticket_service") \
    X(I18N_TICKET_AHEAD, "ticket_ahead") \
    X(I18N_TICKET_WAIT, "ticket_wait") \
    X(I18N_TICKET_TIME, "ticket_time") \
    X(I18N_MINUTES_D, "minutes_d") \
    X(I18N_PEOPLE_D, "people_d") \
    X(I18N_WEEKDAY_SUN, "weekday_sun") \
    X(I18N_WEEKDAY_MON, "weekday_mon") \
    X(I18N_WEEKDAY_TUE, "weekday_tue") \
    X(I18N_WEEKDAY_WED, "weekday_wed") \
    X(I18N_WEEKDAY_THU, "weekday_thu") \
    X(I18N_WEEKDAY_FRI, "weekday_fri") \
    X(I18N_WEEKDAY_SAT, "weekday_sat") \
    X(I18N_MONTH_JAN, "month_jan") \
    X(I18N_MONTH_FEB, "month_feb") \
    X(I18N_MONTH_MAR, "month_mar") \
    X(I18N_MONTH_APR, "month_apr") \
    X(I18N_MONTH_MAY, "month_may") \
    X(I18N_MONTH_JUN, "month_jun") \
    X(I18N_MONTH_JUL, "month_jul") \
    X(I18N_MONTH_AUG, "month_aug") \
    X(I18N_MONTH_SEP, "month_sep") \
    X(I18N_MONTH_OCT, "month_oct") \
    X(I18N_MONTH_NOV, "month_nov") \
    X(I18N_MONTH_DEC, "month_dec")                        \
    X(I18N_BOARD_NOW_CALLING, "board_now_calling")         \
    X(I18N_BOARD_GO_TO_S, "board_go_to_s")                 \
    X(I18N_BOARD_COUNTER_D, "board_counter_d")             \
    X(I18N_BOARD_RECENT, "board_recent")                   \
    X(I18N_BOARD_WAITING, "board_waiting")                 \
    X(I18N_BOARD_WAITING_D, "board_waiting_d")             \
    X(I18N_BOARD_NO_CALLS, "board_no_calls")               \
    X(I18N_BOARD_NUMBER, "board_number")                   \
    X(I18N_BOARD_COUNTER, "board_counter") \
    /* submission (issue 8.5): the report-a-problem form and its confirmation */ \
    X(I18N_SUBMIT_TITLE, "submit_title") \
    X(I18N_SUBMIT_SUB, "submit_sub") \
    X(I18N_SUBMIT_CATEGORY, "submit_category") \
    X(I18N_SUBMIT_CAT_SIGNAL, "submit_cat_signal") \
    X(I18N_SUBMIT_CAT_BROADBAND, "submit_cat_broadband") \
    X(I18N_SUBMIT_CAT_BILLING, "submit_cat_billing") \
    X(I18N_SUBMIT_CAT_COMPLAINT, "submit_cat_complaint") \
    X(I18N_SUBMIT_CAT_SUGGESTION, "submit_cat_suggestion") \
    X(I18N_SUBMIT_CAT_OTHER, "submit_cat_other") \
    X(I18N_SUBMIT_PHONE, "submit_phone") \
    X(I18N_SUBMIT_PHONE_HINT, "submit_phone_hint") \
    X(I18N_SUBMIT_DESC, "submit_desc") \
    X(I18N_SUBMIT_DESC_HINT, "submit_desc_hint") \
    X(I18N_SUBMIT_COUNT_D, "submit_count_d") \
    X(I18N_SUBMIT_CONSENT, "submit_consent") \
    X(I18N_SUBMIT_NOTICE, "submit_notice") \
    X(I18N_SUBMIT_SEND, "submit_send") \
    X(I18N_SUBMIT_SENDING, "submit_sending") \
    X(I18N_SUBMIT_ERR_CATEGORY, "submit_err_category") \
    X(I18N_SUBMIT_ERR_PHONE, "submit_err_phone") \
    X(I18N_SUBMIT_ERR_DESC, "submit_err_desc") \
    X(I18N_SUBMIT_ERR_CONSENT, "submit_err_consent") \
    X(I18N_SUBMIT_WARN_D, "submit_warn_d") \
    X(I18N_SUBMIT_FAILED, "submit_failed") \
    X(I18N_SUBMIT_DONE_TITLE, "submit_done_title") \
    X(I18N_SUBMIT_DONE_REF, "submit_done_ref") \
    X(I18N_SUBMIT_DONE_PHONE, "submit_done_phone") \
    X(I18N_SUBMIT_DONE_SCAN, "submit_done_scan") \
    X(I18N_SUBMIT_DONE_KEEP, "submit_done_keep") \
    /* voice guidance and the contrast toggle (issue 8.6, SELFHELP) */ \
    X(I18N_VOICE_ON, "voice_on") \
    X(I18N_VOICE_OFF, "voice_off") \
    X(I18N_VOICE_ARTICLE, "voice_article") \
    X(I18N_CONTRAST_ON, "contrast_on") \
    X(I18N_SUBMIT_OFFLINE, "submit_offline") \
    X(I18N_CONTRAST_OFF, "contrast_off") \
    /* engineer mode (issue 9.5) */ \
    X(I18N_ENG_TITLE, "eng_title") \
    X(I18N_ENG_ENTER_PIN, "eng_enter_pin") \
    X(I18N_ENG_WRONG_D, "eng_wrong_d") \
    X(I18N_ENG_LOCKED_S, "eng_locked_s") \
    X(I18N_ENG_LOCKED_TITLE, "eng_locked_title") \
    X(I18N_ENG_CHECKING, "eng_checking") \
    X(I18N_ENG_UNLOCK, "eng_unlock") \
    X(I18N_ENG_EXIT, "eng_exit") \
    X(I18N_ENG_CLEAR, "eng_clear") \
    X(I18N_ENG_ERASE, "eng_erase") \
    X(I18N_ENG_TAB_STATUS, "eng_tab_status") \
    X(I18N_ENG_TAB_NETWORK, "eng_tab_network") \
    X(I18N_ENG_TAB_PRINTER, "eng_tab_printer") \
    X(I18N_ENG_TAB_TOUCH, "eng_tab_touch") \
    X(I18N_ENG_TAB_SCREEN, "eng_tab_screen") \
    X(I18N_ENG_TAB_LOGS, "eng_tab_logs") \
    X(I18N_ENG_VERSION, "eng_version") \
    X(I18N_ENG_SLOT, "eng_slot") \
    X(I18N_ENG_DEVICE, "eng_device") \
    X(I18N_ENG_ROLE, "eng_role") \
    X(I18N_ENG_BRANCH, "eng_branch") \
    X(I18N_ENG_DISK, "eng_disk") \
    X(I18N_ENG_BACKLOG, "eng_backlog") \
    X(I18N_ENG_LAST_SYNC, "eng_last_sync") \
    X(I18N_ENG_LAST_ERROR, "eng_last_error") \
    X(I18N_ENG_SERVER, "eng_server") \
    X(I18N_ENG_HUB, "eng_hub") \
    X(I18N_ENG_NONE, "eng_none") \
    X(I18N_ENG_NEVER, "eng_never") \
    X(I18N_ENG_PRINTER_KIND, "eng_printer_kind") \
    X(I18N_ENG_PRINTER_STATE, "eng_printer_state") \
    X(I18N_ENG_PRINTER_LAST, "eng_printer_last") \
    X(I18N_ENG_PRINT_TEST, "eng_print_test") \
    X(I18N_ENG_PRINT_SENT, "eng_print_sent") \
    X(I18N_ENG_PRINT_NONE, "eng_print_none") \
    X(I18N_ENG_TOUCH_HINT, "eng_touch_hint") \
    X(I18N_ENG_SCREEN_HINT, "eng_screen_hint") \
    X(I18N_ENG_LOGS_HINT, "eng_logs_hint") \
    X(I18N_ENG_EXPORT, "eng_export") \
    X(I18N_ENG_EXPORT_DONE_S, "eng_export_done_s") \
    X(I18N_ENG_EXPORT_NO_USB, "eng_export_no_usb") \
    X(I18N_ENG_EXPORT_FAILED, "eng_export_failed") \
    X(I18N_ENG_RESTART, "eng_restart") \
    X(I18N_ENG_OK, "eng_ok")

/* clang-format on */

typedef enum i18n_key {
#define I18N_KEY_ENUM_(id, name) id,
    I18N_KEY_LIST(I18N_KEY_ENUM_)
#undef I18N_KEY_ENUM_
        I18N_KEY_COUNT
} i18n_key_t;

/* Bytes of text (NULs included) one language's catalogue may hold. */
#define I18N_TEXT_MAX (16 * 1024)
/* Bytes of JSON one catalogue file may have. */
#define I18N_FILE_MAX (64 * 1024)

/** One language's parsed catalogue (opaque); see i18n_catalogue_parse(). */
typedef struct i18n_catalogue i18n_catalogue_t;

/**
 * The string for key in lang; never NULL. Loads the embedded catalogues on
 * first use (see i18n_init()). An unknown key gives "", an unknown language
 * zh-CN. If the catalogues cannot be loaded (out of memory: a broken file
 * fails the tests before it ships), the key's name is returned so a screen
 * still shows something, and the failure is logged.
 * @return static string, valid for the life of the process.
 * Thread-safe.
 */
const char *i18n_get(i18n_lang_t lang, i18n_key_t key);

/**
 * Load the embedded catalogues now (idempotent, thread-safe), so startup
 * can fail loudly instead of the first screen showing key names.
 * @param diag  receives "<code>.json: strings.<key>: reason"; may be NULL.
 * @return HK_OK, HK_ERR_NOMEM, or HK_ERR_CORRUPT for a broken embedded file.
 */
hk_err_t i18n_init(hk_diag_t *diag);

/**
 * Fill the one %d or %s placeholder of key's string with arg (already
 * formatted by the caller), without a non-literal printf format.
 * Always NUL-terminates; truncates to size.
 */
void i18n_format(char *buf, unsigned size, i18n_lang_t lang, i18n_key_t key, const char *arg);

/** i18n_format() with an integer argument. */
void i18n_format_int(char *buf, unsigned size, i18n_lang_t lang, i18n_key_t key, int arg);

/** "zh-CN" -> I18N_ZH, "en" -> I18N_EN; anything else -> I18N_ZH. */
i18n_lang_t i18n_lang_from_code(const char *code);

/** I18N_ZH -> "zh-CN", I18N_EN -> "en" (the catalogue file's stem); NULL if unknown. */
const char *i18n_lang_code(i18n_lang_t lang);

/** Short weekday name, wday 0 = Sunday. */
const char *i18n_weekday(i18n_lang_t lang, int wday);

/** Month name (English) or "%d月" is built by the caller; m 1..12. */
const char *i18n_month_en(int m);

/** The key's name in the catalogue files ("tile_take"); NULL if out of range. */
const char *i18n_key_name(i18n_key_t key);

/**
 * Look a catalogue name up.
 * @param name  borrowed, NUL-terminated.
 * @param out   receives the key on success.
 * @return HK_OK, or HK_ERR_NOT_FOUND when the enum has no such key.
 */
hk_err_t i18n_key_from_name(const char *name, i18n_key_t *out);

/**
 * Parse and validate one language's catalogue, strictly, with no fallback:
 * an object whose "language" is lang's code and whose "strings" hold every
 * key exactly once as a non-empty UTF-8 string with the placeholder its
 * name declares, and no key the enum lacks. Members whose name starts with
 * '_' are comments. This is what i18n_get() loads, and what the tests hold
 * the files in assets/i18n/ to.
 * @param json  borrowed; len bytes (at most I18N_FILE_MAX), no NUL needed.
 * @param out   receives the catalogue, free with i18n_catalogue_destroy();
 *              set to NULL on failure.
 * @param diag  receives "strings.<key>: reason" (or "language: ...") on
 *              failure; may be NULL.
 * @return HK_OK, HK_ERR_NOMEM, or HK_ERR_INVALID.
 */
hk_err_t i18n_catalogue_parse(const char *json, size_t len, i18n_lang_t lang,
                              i18n_catalogue_t **out, hk_diag_t *diag);

/** key's string in c; "" for a NULL catalogue or a key out of range. */
const char *i18n_catalogue_get(const i18n_catalogue_t *c, i18n_key_t key);

/** Free a catalogue from i18n_catalogue_parse(); NULL is a no-op. */
void i18n_catalogue_destroy(i18n_catalogue_t *c);

#endif
