/*
 * i18n: the catalogue files in assets/i18n/ are read as they are on disk,
 * with no fallback, and must give every key of the enum in both languages
 * with the same placeholders; the strict parser refuses a broken catalogue
 * naming the key; placeholders survive formatting, and dates read the way
 * each language writes them.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_json.h"
#include "hk_test.h"
#include "i18n.h"

#define REPORT_MAX 4096

static char file_buf[I18N_LANG_COUNT][I18N_FILE_MAX + 1];
static size_t file_len[I18N_LANG_COUNT];

void setUp(void)
{
    /* cJSON through hk_malloc before the first parse, as core does */
    hk_json_init();
}

void tearDown(void)
{
}

/* Read assets/i18n/<code>.json from the source tree into file_buf[lang]. */
static const char *read_catalogue(i18n_lang_t lang)
{
    char path[1024];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/assets/i18n/%s.json", HK_SOURCE_DIR, i18n_lang_code(lang));
    f = fopen(path, "rb");
    HK_ASSERT_MSG(f != NULL, "cannot open %s", path);
    n = fread(file_buf[lang], 1, I18N_FILE_MAX + 1, f);
    fclose(f);
    HK_ASSERT_MSG(n <= I18N_FILE_MAX, "%s is over %d bytes", path, I18N_FILE_MAX);
    file_buf[lang][n] = '\0';
    file_len[lang] = n;
    return file_buf[lang];
}

/* "%d", "%s%d", "" ...: the placeholders of s in order. */
static void placeholders(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for(; *s && n + 3 < size; s++)
        if(s[0] == '%' && s[1]) {
            out[n++] = '%';
            out[n++] = s[1];
            s++;
        }
    out[n] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
append(char *report, const char *fmt, ...)
{
    size_t n = strlen(report);
    va_list ap;

    if(n + 1 >= REPORT_MAX)
        return;
    va_start(ap, fmt);
    vsnprintf(report + n, REPORT_MAX - n, fmt, ap);
    va_end(ap);
}

/* Must run first: nothing may have loaded the catalogue yet. Loading
 * under allocation failure fails with NOMEM (i18n_get() meanwhile shows
 * the key's name), leaks nothing, and succeeds once memory is back. */
static void test_i18n_loading_survives_allocation_failure(void)
{
    long n, base = hk_mem_live();
    hk_err_t rc = HK_ERR_NOMEM;
    hk_diag_t diag;

    hk_mem_fail_nth(1);
    HK_ASSERT_STR("welcome", i18n_get(I18N_EN, I18N_WELCOME));
    hk_mem_fail_nth(0);
    hk_log_set_stderr(false); /* one error line per failed attempt */
    for(n = 1; n < 10000 && rc != HK_OK; n++) {
        hk_mem_fail_nth(n);
        rc = i18n_init(&diag);
        hk_mem_fail_nth(0);
        HK_ASSERT_MSG(rc == HK_OK || rc == HK_ERR_NOMEM, "n = %ld: %s (%s)", n, hk_err_str(rc),
                      diag.msg);
        HK_ASSERT_INT(base, hk_mem_live());
    }
    hk_log_set_stderr(true);
    HK_ASSERT_OK(rc);
    HK_ASSERT_MSG(n > 2, "the loop never failed an allocation");
    HK_ASSERT_STR("Welcome", i18n_get(I18N_EN, I18N_WELCOME));
}

/* The files themselves, checked independently of the parser: every problem
 * is listed, not only the first. */
static void test_i18n_files_translate_every_key_in_both_languages(void)
{
    cJSON *root[I18N_LANG_COUNT] = { NULL };
    const cJSON *strings[I18N_LANG_COUNT];
    static char report[REPORT_MAX];
    int l, k;

    report[0] = '\0';
    for(l = 0; l < I18N_LANG_COUNT; l++) {
        const char *text = read_catalogue((i18n_lang_t)l);
        root[l] = cJSON_ParseWithLength(text, file_len[l]);
        strings[l] = cJSON_GetObjectItemCaseSensitive(root[l], "strings");
        if(!cJSON_IsObject(strings[l]))
            append(report, "  %s.json: no \"strings\" object\n", i18n_lang_code((i18n_lang_t)l));
    }
    if(report[0])
        goto out;
    for(k = 0; k < I18N_KEY_COUNT; k++) {
        const char *name = i18n_key_name((i18n_key_t)k);
        char ph[I18N_LANG_COUNT][16];
        for(l = 0; l < I18N_LANG_COUNT; l++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(strings[l], name);
            const char *code = i18n_lang_code((i18n_lang_t)l);
            ph[l][0] = '\0';
            if(!cJSON_IsString(v) || !v->valuestring[0])
                append(report, "  %s.json: no translation for \"%s\"\n", code, name);
            else
                placeholders(v->valuestring, ph[l], sizeof(ph[l]));
        }
        if(strcmp(ph[I18N_ZH], ph[I18N_EN]) != 0)
            append(report, "  \"%s\": placeholders differ: zh-CN \"%s\", en \"%s\"\n", name,
                   ph[I18N_ZH], ph[I18N_EN]);
    }
    for(l = 0; l < I18N_LANG_COUNT; l++) {
        const cJSON *item;
        cJSON_ArrayForEach(item, strings[l])
        {
            i18n_key_t key;
            if(item->string[0] != '_' && i18n_key_from_name(item->string, &key) != HK_OK)
                append(report, "  %s.json: \"%s\" is not a key of i18n_key_t\n",
                       i18n_lang_code((i18n_lang_t)l), item->string);
        }
    }
out:
    for(l = 0; l < I18N_LANG_COUNT; l++)
        cJSON_Delete(root[l]);
    HK_ASSERT_MSG(!report[0], "assets/i18n/ does not match app/core/i18n.h:\n%s", report);
}

/* What ships is what the files say: the strict parser takes each file, and
 * the embedded copy i18n_get() serves is the same text. */
static void test_i18n_files_pass_the_parser_and_are_what_the_binary_serves(void)
{
    int l, k;

    HK_ASSERT_OK(i18n_init(NULL));
    HK_ASSERT_OK(i18n_init(NULL)); /* idempotent */
    for(l = 0; l < I18N_LANG_COUNT; l++) {
        i18n_catalogue_t *c = NULL;
        hk_diag_t diag;
        const char *text = read_catalogue((i18n_lang_t)l);
        hk_err_t rc = i18n_catalogue_parse(text, file_len[l], (i18n_lang_t)l, &c, &diag);
        HK_ASSERT_MSG(rc == HK_OK, "%s.json refused: %s", i18n_lang_code((i18n_lang_t)l), diag.msg);
        for(k = 0; k < I18N_KEY_COUNT; k++)
            HK_ASSERT_STR(i18n_catalogue_get(c, (i18n_key_t)k),
                          i18n_get((i18n_lang_t)l, (i18n_key_t)k));
        i18n_catalogue_destroy(c);
    }
}

static void test_i18n_key_names_are_the_enum_names_in_lower_case(void)
{
    static const struct {
        const char *id, *name;
    } table[] = {
#define ROW_(id, name) { #id, name },
        I18N_KEY_LIST(ROW_)
#undef ROW_
    };
    size_t i, j;

    HK_ASSERT_INT(I18N_KEY_COUNT, sizeof(table) / sizeof(table[0]));
    for(i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        char lower[64];
        i18n_key_t key;
        const char *id = table[i].id + strlen("I18N_");
        for(j = 0; id[j] && j + 1 < sizeof(lower); j++)
            lower[j] = (char)tolower((unsigned char)id[j]);
        lower[j] = '\0';
        HK_ASSERT_STR(lower, table[i].name);
        HK_ASSERT_STR(table[i].name, i18n_key_name((i18n_key_t)i));
        HK_ASSERT_OK(i18n_key_from_name(table[i].name, &key));
        HK_ASSERT_INT(i, key);
    }
    HK_ASSERT(i18n_key_name(I18N_KEY_COUNT) == NULL);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, i18n_key_from_name("tile_tak", &(i18n_key_t){ 0 }));
}

/* Parse text (the English file with one change) and expect a refusal
 * whose message contains want. */
static void expect_refused(const char *text, i18n_lang_t lang, const char *want)
{
    i18n_catalogue_t *c = (i18n_catalogue_t *)&c; /* must come back NULL */
    hk_diag_t diag;
    hk_err_t rc;

    hk_diag_clear(&diag);
    rc = i18n_catalogue_parse(text, strlen(text), lang, &c, &diag);
    HK_ASSERT_MSG(rc == HK_ERR_INVALID, "accepted a catalogue that should fail with \"%s\"", want);
    HK_ASSERT(c == NULL);
    HK_ASSERT_CONTAINS(diag.msg, want);
}

/* The English file with the first occurrence of from replaced by to. */
static const char *edited(const char *from, const char *to)
{
    static char out[I18N_FILE_MAX + 256];
    const char *text = read_catalogue(I18N_EN);
    const char *at = strstr(text, from);

    HK_ASSERT_MSG(at != NULL, "en.json has no \"%s\" to edit", from);
    HK_ASSERT(strlen(text) - strlen(from) + strlen(to) < sizeof(out));
    snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void test_i18n_parser_refuses_a_broken_catalogue_naming_the_key(void)
{
    /* each case: en.json with one edit, and what the refusal must say */
    static const struct {
        const char *from, *to, *want;
    } cases[] = {
        { "\"tile_take\": \"Take a number\",", "", "strings.tile_take: missing" },
        { "\"welcome\":", "\"welcom\": \"x\", \"welcome\":", "strings.welcom: unknown key" },
        { "\"People ahead of you: %d\"", "\"People ahead of you\"",
          "strings.ahead_d: needs exactly one %d" },
        { "\"People ahead of you: %d\"", "\"%d ahead of you: %d\"",
          "strings.ahead_d: needs exactly one %d" },
        { "\"People ahead of you: %d\"", "\"People ahead of you: %s\"",
          "strings.ahead_d: unexpected '%s'" },
        { "\"Welcome\"", "\"Welcome 100%\"", "strings.welcome: unexpected" },
        { "\"Welcome\"", "\"\"", "strings.welcome: empty" },
        { "\"Welcome\"", "42", "strings.welcome: not a string" },
        { "\"Welcome\"", "\"Wel\\u0007come\"", "strings.welcome: control character" },
        { "\"Welcome\"", "\"Wel\xff\"", "strings.welcome: not valid UTF-8" },
        { "\"back\":", "\"back\": \"Back\", \"back\":", "strings.back: given twice" },
        { "\"language\": \"en\"", "\"language\": \"zh-CN\"",
          "language: \"zh-CN\" where \"en\" was expected" },
        { "\"language\": \"en\",", "", "language: missing" },
        { "\"strings\": {", "\"strngs\": {", "strngs: unknown member" },
        { "\"Welcome\",", "\"Welcome\"", "not valid JSON" },
    };
    size_t i;

    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_refused(edited(cases[i].from, cases[i].to), I18N_EN, cases[i].want);
    expect_refused("[]", I18N_EN, "must hold a JSON object");
    /* the right file for the other language is still refused */
    expect_refused(read_catalogue(I18N_EN), I18N_ZH, "language:");
}

static void test_i18n_parser_survives_allocation_failure(void)
{
    const char *text = read_catalogue(I18N_ZH);
    long n, base = hk_mem_live();
    int ok = 0;

    for(n = 1; n < 10000 && !ok; n++) {
        i18n_catalogue_t *c = NULL;
        hk_err_t rc;
        hk_mem_fail_nth(n);
        rc = i18n_catalogue_parse(text, file_len[I18N_ZH], I18N_ZH, &c, NULL);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            HK_ASSERT_STR("欢迎光临", i18n_catalogue_get(c, I18N_WELCOME));
            i18n_catalogue_destroy(c);
            ok = 1;
        } else {
            HK_ASSERT(c == NULL);
        }
        HK_ASSERT_INT(base, hk_mem_live());
    }
    HK_ASSERT_MSG(ok && n > 2, "the loop never failed an allocation (n = %ld)", n);
}

static void test_i18n_format_fills_the_placeholder(void)
{
    char buf[64];

    i18n_format_int(buf, sizeof(buf), I18N_ZH, I18N_AHEAD_D, 3);
    HK_ASSERT_STR("前面还有 3 人", buf);
    i18n_format_int(buf, sizeof(buf), I18N_EN, I18N_AHEAD_D, 12);
    HK_ASSERT_STR("People ahead of you: 12", buf);
    i18n_format(buf, sizeof(buf), I18N_ZH, I18N_HOURS_TODAY_S, "09:00–18:00");
    HK_ASSERT_STR("今日营业时间 09:00–18:00", buf);
    /* a string without placeholder is copied whole; truncation is safe */
    i18n_format(buf, 5, I18N_EN, I18N_WELCOME, "x");
    HK_ASSERT_STR("Welc", buf);
}

static void test_i18n_language_codes(void)
{
    HK_ASSERT_INT(I18N_ZH, i18n_lang_from_code("zh-CN"));
    HK_ASSERT_INT(I18N_EN, i18n_lang_from_code("en"));
    HK_ASSERT_INT(I18N_EN, i18n_lang_from_code("en-GB"));
    HK_ASSERT_INT(I18N_ZH, i18n_lang_from_code(NULL));
    HK_ASSERT_STR("zh-CN", i18n_lang_code(I18N_ZH));
    HK_ASSERT_STR("en", i18n_lang_code(I18N_EN));
    HK_ASSERT(i18n_lang_code(I18N_LANG_COUNT) == NULL);
    HK_ASSERT_STR("星期三", i18n_weekday(I18N_ZH, 3));
    HK_ASSERT_STR("Sun", i18n_weekday(I18N_EN, 7));
    HK_ASSERT_STR("Sat", i18n_weekday(I18N_EN, -1));
    HK_ASSERT_STR("Nov", i18n_month_en(11));
    HK_ASSERT_STR("", i18n_month_en(13));
    HK_ASSERT_STR("", i18n_get(I18N_EN, I18N_KEY_COUNT));
    HK_ASSERT_STR("欢迎光临", i18n_get(I18N_LANG_COUNT, I18N_WELCOME));
}

int main(void)
{
    HK_RUN(test_i18n_loading_survives_allocation_failure); /* first: see there */
    HK_RUN(test_i18n_files_translate_every_key_in_both_languages);
    HK_RUN(test_i18n_files_pass_the_parser_and_are_what_the_binary_serves);
    HK_RUN(test_i18n_key_names_are_the_enum_names_in_lower_case);
    HK_RUN(test_i18n_parser_refuses_a_broken_catalogue_naming_the_key);
    HK_RUN(test_i18n_parser_survives_allocation_failure);
    HK_RUN(test_i18n_format_fills_the_placeholder);
    HK_RUN(test_i18n_language_codes);
    return hk_test_end();
}
