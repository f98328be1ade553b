/*
 * i18n: the UI string catalogue, zh-CN first, English second. Keys are an
 * enum so a missing translation is a compile error, not a blank button.
 * Strings with %d/%s are printf formats; their arguments are documented by
 * the key name.
 */
#ifndef HK_APP_CORE_I18N_H
#define HK_APP_CORE_I18N_H

typedef enum i18n_lang { I18N_ZH = 0, I18N_EN, I18N_LANG_COUNT } i18n_lang_t;

typedef enum i18n_key {
    I18N_WELCOME,
    I18N_TOUCH_TO_START,
    I18N_LANG_TOGGLE,
    I18N_LARGE_ON,
    I18N_LARGE_OFF,
    I18N_HOME_TITLE,
    I18N_TILE_TAKE,
    I18N_TILE_TAKE_SUB,
    I18N_TILE_FAQ,
    I18N_TILE_FAQ_SUB,
    I18N_TILE_SUBMIT,
    I18N_TILE_SUBMIT_SUB,
    I18N_TILE_RATE,
    I18N_TILE_RATE_SUB,
    I18N_WAITING_NOW_D,
    I18N_HOURS_TODAY_S,
    I18N_CLOSED_TODAY,
    I18N_CHOOSE_SERVICE,
    I18N_CHOOSE_SERVICE_SUB,
    I18N_SVC_WAITING_D,
    I18N_SVC_EST_D,
    I18N_SVC_NO_WAIT,
    I18N_SVC_NO_COUNTER,
    I18N_SVC_CLOSED,
    I18N_SVC_HOURS_S,
    I18N_VIP_TAG,
    I18N_BACK,
    I18N_HOME,
    I18N_YOUR_NUMBER,
    I18N_AHEAD_D,
    I18N_AHEAD_NONE,
    I18N_EST_WAIT_D,
    I18N_EST_NONE,
    I18N_EST_NOTE,
    I18N_ISSUED_AT_S,
    I18N_SCAN_QR,
    I18N_PRINTING,
    I18N_PRINTED,
    I18N_PRINT_FAULT,
    I18N_PRINT_FAULT_STAFF,
    I18N_NO_PRINTER,
    I18N_DONE,
    I18N_AUTO_RETURN_D,
    I18N_WATCH_DISPLAY,
    I18N_UNAVAILABLE,
    I18N_UNAVAILABLE_HELP,
    I18N_CLOSED_TITLE_S,
    I18N_OK,
    I18N_ERROR_TITLE,
    I18N_ERROR_MSG,
    I18N_TICKET_SERVICE,
    I18N_TICKET_AHEAD,
    I18N_TICKET_WAIT,
    I18N_TICKET_TIME,
    I18N_MINUTES_D,
    I18N_PEOPLE_D,
    I18N_KEY_COUNT
} i18n_key_t;

/** The string for key in lang; never NULL (falls back to zh-CN). */
const char *i18n_get(i18n_lang_t lang, i18n_key_t key);

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

/** Short weekday name, wday 0 = Sunday. */
const char *i18n_weekday(i18n_lang_t lang, int wday);

/** Month name (English) or "%d月" is built by the caller; m 1..12. */
const char *i18n_month_en(int m);

#endif
