/*
 * i18n: the UI string catalogues (zh-CN, en) as data. The JSON files in
 * assets/i18n/ are embedded at build time (CMakeLists.txt, cmake/Embed.cmake)
 * and parsed once into fixed static arrays; after that i18n_get() is an
 * atomic flag test and two array indexes. Customer-facing text is plain and
 * short: every screen answers "what do I do next".
 *
 * Parsing is strict and has no fallback: a catalogue missing a key, with a
 * key the enum does not know, with a placeholder its key name does not
 * declare, or with text that is not UTF-8 is refused as a whole, naming the
 * key. The embedded files are held to this by tests/unit/test_i18n.c, so a
 * refusal at run time means a build that skipped its tests, or no memory.
 *
 * This module does not read files (the caller of i18n_catalogue_parse()
 * does), does not switch the catalogue once loaded (returned strings live
 * for the process), and does not format dates (the UI builds them from the
 * weekday/month keys).
 */
#include "i18n.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"

/* Types -------------------------------------------------------------------*/

struct i18n_catalogue {
    i18n_lang_t lang;
    uint32_t off[I18N_KEY_COUNT]; /* key -> offset of its string in text */
    size_t used;                  /* bytes of text filled */
    char text[I18N_TEXT_MAX];
};

/* Static prototypes -------------------------------------------------------*/

static hk_err_t parse_into(i18n_catalogue_t *c, const char *json, size_t len, i18n_lang_t lang,
                           hk_diag_t *diag);
static hk_err_t check_string(i18n_key_t key, const char *s, hk_diag_t *diag);
static bool utf8_ok(const char *s);
static char placeholder_of(i18n_key_t key);
static bool load_default(hk_diag_t *diag, hk_err_t *rc_out);

/* Static data -------------------------------------------------------------*/

/* Generated from assets/i18n/<code>.json by cmake/Embed.cmake (CMakeLists.txt),
 * NUL-terminated; _len excludes the NUL. */
extern const unsigned char hk_i18n_zh_cn[];
extern const size_t hk_i18n_zh_cn_len;
extern const unsigned char hk_i18n_en[];
extern const size_t hk_i18n_en_len;

static const char *const key_names[I18N_KEY_COUNT] = {
#define I18N_KEY_NAME_(id, name) [id] = name,
    I18N_KEY_LIST(I18N_KEY_NAME_)
#undef I18N_KEY_NAME_
};

static const char *const lang_codes[I18N_LANG_COUNT] = { "zh-CN", "en" };

static const i18n_key_t weekday_keys[7] = {
    I18N_WEEKDAY_SUN, I18N_WEEKDAY_MON, I18N_WEEKDAY_TUE, I18N_WEEKDAY_WED,
    I18N_WEEKDAY_THU, I18N_WEEKDAY_FRI, I18N_WEEKDAY_SAT,
};

static const i18n_key_t month_keys[12] = {
    I18N_MONTH_JAN, I18N_MONTH_FEB, I18N_MONTH_MAR, I18N_MONTH_APR, I18N_MONTH_MAY, I18N_MONTH_JUN,
    I18N_MONTH_JUL, I18N_MONTH_AUG, I18N_MONTH_SEP, I18N_MONTH_OCT, I18N_MONTH_NOV, I18N_MONTH_DEC,
};

/* The loaded catalogues. Written only under load_lock while ready is false;
 * read without a lock once ready is true (release/acquire on ready). Static
 * rather than allocated: loading costs the process no live allocation. */
static i18n_catalogue_t loaded[I18N_LANG_COUNT];
static atomic_bool ready;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
/* A refused embedded file stays refused: set once, so a screen redrawing
 * with key names does not re-parse per string. Out of memory is retried. */
static atomic_bool broken;

/* Public functions --------------------------------------------------------*/

const char *i18n_get(i18n_lang_t lang, i18n_key_t key)
{
    if((unsigned)key >= I18N_KEY_COUNT)
        return "";
    if((unsigned)lang >= I18N_LANG_COUNT)
        lang = I18N_ZH;
    if(!atomic_load_explicit(&ready, memory_order_acquire)) {
        hk_err_t rc;
        if(atomic_load_explicit(&broken, memory_order_relaxed) || !load_default(NULL, &rc))
            return key_names[key];
    }
    return loaded[lang].text + loaded[lang].off[key];
}

hk_err_t i18n_init(hk_diag_t *diag)
{
    hk_err_t rc = HK_OK;

    if(atomic_load_explicit(&ready, memory_order_acquire))
        return HK_OK;
    (void)load_default(diag, &rc); /* its bool only repeats rc == HK_OK */
    return rc;
}

i18n_lang_t i18n_lang_from_code(const char *code)
{
    if(code && (!strcmp(code, "en") || !strncmp(code, "en-", 3)))
        return I18N_EN;
    return I18N_ZH;
}

const char *i18n_lang_code(i18n_lang_t lang)
{
    return (unsigned)lang < I18N_LANG_COUNT ? lang_codes[lang] : NULL;
}

const char *i18n_weekday(i18n_lang_t lang, int wday)
{
    return i18n_get(lang, weekday_keys[((wday % 7) + 7) % 7]);
}

const char *i18n_month_en(int m)
{
    return (m >= 1 && m <= 12) ? i18n_get(I18N_EN, month_keys[m - 1]) : "";
}

const char *i18n_key_name(i18n_key_t key)
{
    return (unsigned)key < I18N_KEY_COUNT ? key_names[key] : NULL;
}

hk_err_t i18n_key_from_name(const char *name, i18n_key_t *out)
{
    int k;

    for(k = 0; k < I18N_KEY_COUNT; k++)
        if(!strcmp(key_names[k], name)) {
            *out = (i18n_key_t)k;
            return HK_OK;
        }
    return HK_ERR_NOT_FOUND;
}

void i18n_format(char *buf, unsigned size, i18n_lang_t lang, i18n_key_t key, const char *arg)
{
    const char *fmt = i18n_get(lang, key);
    const char *ph = strstr(fmt, "%d");
    const char *ph_s = strstr(fmt, "%s");

    if(!ph || (ph_s && ph_s < ph))
        ph = ph_s;
    if(!size)
        return;
    if(!ph) {
        snprintf(buf, size, "%s", fmt);
        return;
    }
    snprintf(buf, size, "%.*s%s%s", (int)(ph - fmt), fmt, arg ? arg : "", ph + 2);
}

void i18n_format_int(char *buf, unsigned size, i18n_lang_t lang, i18n_key_t key, int arg)
{
    char num[16];

    snprintf(num, sizeof(num), "%d", arg);
    i18n_format(buf, size, lang, key, num);
}

hk_err_t i18n_catalogue_parse(const char *json, size_t len, i18n_lang_t lang,
                              i18n_catalogue_t **out, hk_diag_t *diag)
{
    i18n_catalogue_t *c;
    hk_err_t rc;

    *out = NULL;
    c = hk_malloc(sizeof(*c));
    if(!c) {
        hk_diag_set(diag, "out of memory");
        return HK_ERR_NOMEM;
    }
    rc = parse_into(c, json, len, lang, diag);
    if(rc != HK_OK) {
        hk_free(c);
        return rc;
    }
    *out = c;
    return HK_OK;
}

const char *i18n_catalogue_get(const i18n_catalogue_t *c, i18n_key_t key)
{
    if(!c || (unsigned)key >= I18N_KEY_COUNT)
        return "";
    return c->text + c->off[key];
}

void i18n_catalogue_destroy(i18n_catalogue_t *c)
{
    hk_free(c);
}

/* Static functions --------------------------------------------------------*/

/* Load both embedded catalogues unless done. Returns whether they are
 * loaded; *rc_out gets the failure. */
static bool load_default(hk_diag_t *diag, hk_err_t *rc_out)
{
    static const struct {
        const unsigned char *json;
        const size_t *len;
    } embedded[I18N_LANG_COUNT] = {
        [I18N_ZH] = { hk_i18n_zh_cn, &hk_i18n_zh_cn_len },
        [I18N_EN] = { hk_i18n_en, &hk_i18n_en_len },
    };
    hk_diag_t why;
    hk_err_t rc = HK_OK;
    int l;

    hk_diag_clear(&why);
    pthread_mutex_lock(&load_lock);
    if(atomic_load_explicit(&ready, memory_order_relaxed))
        goto out;
    if(atomic_load_explicit(&broken, memory_order_relaxed)) {
        rc = HK_ERR_CORRUPT;
        hk_diag_set(&why, "embedded catalogue refused earlier (see the log)");
        goto out;
    }
    for(l = 0; l < I18N_LANG_COUNT && rc == HK_OK; l++) {
        hk_diag_t d;
        rc = parse_into(&loaded[l], (const char *)embedded[l].json, *embedded[l].len,
                        (i18n_lang_t)l, &d);
        if(rc != HK_OK)
            hk_diag_set(&why, "%s.json: %s", lang_codes[l], d.msg);
    }
    if(rc == HK_OK) {
        atomic_store_explicit(&ready, true, memory_order_release);
    } else {
        /* Out of memory is retried on the next call; a refusal (the JSON or
         * our own checks) is a corrupt build: final. */
        if(rc == HK_ERR_INVALID) {
            rc = HK_ERR_CORRUPT;
            atomic_store_explicit(&broken, true, memory_order_relaxed);
        }
        hk_log_error("i18n", "embedded catalogue refused: %s", why.msg);
    }
out:
    pthread_mutex_unlock(&load_lock);
    if(rc != HK_OK)
        hk_diag_set(diag, "%s", why.msg);
    *rc_out = rc;
    return rc == HK_OK;
}

/* HK_ERR_NOMEM when memory ran out (also inside the JSON parser),
 * HK_ERR_INVALID with diag for a refused catalogue. */
static hk_err_t parse_into(i18n_catalogue_t *c, const char *json, size_t len, i18n_lang_t lang,
                           hk_diag_t *diag)
{
    cJSON *root = NULL;
    const cJSON *item, *strings = NULL, *language = NULL;
    bool seen[I18N_KEY_COUNT] = { false };
    hk_err_t rc = HK_ERR_INVALID;
    int k;

    c->lang = lang;
    c->used = 0;
    if((unsigned)lang >= I18N_LANG_COUNT) {
        hk_diag_set(diag, "language: no such language (%d)", (int)lang);
        return HK_ERR_INVALID;
    }
    if(len > I18N_FILE_MAX) {
        hk_diag_set(diag, "file is %zu bytes; the limit is %d", len, I18N_FILE_MAX);
        return HK_ERR_INVALID;
    }
    rc = hk_json_parse(json, len, NULL, &root, diag);
    if(rc != HK_OK)
        return rc;
    rc = HK_ERR_INVALID;
    if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "the file must hold a JSON object");
        goto out;
    }
    cJSON_ArrayForEach(item, root)
    {
        if(item->string[0] == '_')
            continue;
        if(!strcmp(item->string, "language"))
            language = item;
        else if(!strcmp(item->string, "strings"))
            strings = item;
        else {
            hk_diag_set(diag, "%s: unknown member (expected language, strings)", item->string);
            goto out;
        }
    }
    if(!cJSON_IsString(language)) {
        hk_diag_set(diag, "language: missing or not a string");
        goto out;
    }
    if(strcmp(language->valuestring, lang_codes[lang]) != 0) {
        hk_diag_set(diag, "language: \"%.40s\" where \"%s\" was expected", language->valuestring,
                    lang_codes[lang]);
        goto out;
    }
    if(!cJSON_IsObject(strings)) {
        hk_diag_set(diag, "strings: missing or not an object");
        goto out;
    }
    cJSON_ArrayForEach(item, strings)
    {
        i18n_key_t key;
        size_t n;

        if(item->string[0] == '_')
            continue;
        if(i18n_key_from_name(item->string, &key) != HK_OK) {
            hk_diag_set(diag, "strings.%.60s: unknown key (not in i18n_key_t, app/core/i18n.h)",
                        item->string);
            goto out;
        }
        if(seen[key]) {
            hk_diag_set(diag, "strings.%s: given twice", key_names[key]);
            goto out;
        }
        seen[key] = true;
        if(!cJSON_IsString(item)) {
            hk_diag_set(diag, "strings.%s: not a string", key_names[key]);
            goto out;
        }
        if(check_string(key, item->valuestring, diag) != HK_OK)
            goto out;
        n = strlen(item->valuestring) + 1;
        if(n > sizeof(c->text) - c->used) {
            hk_diag_set(diag, "strings.%s: the catalogue exceeds %d bytes of text", key_names[key],
                        I18N_TEXT_MAX);
            goto out;
        }
        memcpy(c->text + c->used, item->valuestring, n);
        c->off[key] = (uint32_t)c->used;
        c->used += n;
    }
    for(k = 0; k < I18N_KEY_COUNT; k++)
        if(!seen[k]) {
            hk_diag_set(diag, "strings.%s: missing", key_names[k]);
            goto out;
        }
    rc = HK_OK;
out:
    cJSON_Delete(root);
    return rc;
}

/* A string the UI may show for key: non-empty UTF-8, no control characters
 * but newline (a label breaks there), and exactly the placeholder the key
 * name declares. */
static hk_err_t check_string(i18n_key_t key, const char *s, hk_diag_t *diag)
{
    char want = placeholder_of(key);
    int found = 0;
    const char *p;

    if(!s[0]) {
        hk_diag_set(diag, "strings.%s: empty", key_names[key]);
        return HK_ERR_INVALID;
    }
    if(!utf8_ok(s)) {
        hk_diag_set(diag, "strings.%s: not valid UTF-8", key_names[key]);
        return HK_ERR_INVALID;
    }
    for(p = s; *p; p++) {
        if((unsigned char)*p < 0x20 && *p != '\n') {
            hk_diag_set(diag, "strings.%s: control character 0x%02x", key_names[key],
                        (unsigned)(unsigned char)*p);
            return HK_ERR_INVALID;
        }
        if(*p != '%')
            continue;
        if(!want || p[1] != want) {
            hk_diag_set(diag, "strings.%s: unexpected '%%%c'; this key takes %s", key_names[key],
                        (p[1] > 0x20 && p[1] < 0x7f) ? p[1] : '?',
                        want == 'd'   ? "one %d"
                        : want == 's' ? "one %s"
                                      : "no placeholder");
            return HK_ERR_INVALID;
        }
        found++;
        p++;
    }
    if(want && found != 1) {
        hk_diag_set(diag, "strings.%s: needs exactly one %%%c (the key name ends in _%c), has %d",
                    key_names[key], want, want, found);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* 'd' for a key named *_d, 's' for *_s, else 0. */
static char placeholder_of(i18n_key_t key)
{
    const char *name = key_names[key];
    size_t n = strlen(name);

    if(n > 2 && name[n - 2] == '_' && (name[n - 1] == 'd' || name[n - 1] == 's'))
        return name[n - 1];
    return 0;
}

/* Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while(*p) {
        unsigned char c = *p;
        uint32_t cp;
        int n, i;

        if(c < 0x80) {
            p++;
            continue;
        }
        if((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1Fu;
        } else if((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0Fu;
        } else if((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        for(i = 1; i <= n; i++) {
            if((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
           cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}
