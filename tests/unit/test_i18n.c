/*
 * i18n: every key has both languages, placeholders survive formatting,
 * and dates read the way each language writes them.
 */
#include <string.h>

#include "hk_test.h"
#include "i18n.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static void test_i18n_every_key_has_zh_and_en(void)
{
    int k;

    for(k = 0; k < I18N_KEY_COUNT; k++) {
        const char *zh = i18n_get(I18N_ZH, (i18n_key_t)k);
        const char *en = i18n_get(I18N_EN, (i18n_key_t)k);
        HK_ASSERT_MSG(zh[0] != '\0', "key %d has no Chinese text", k);
        HK_ASSERT_MSG(en[0] != '\0', "key %d has no English text", k);
        /* the same placeholders in both, or formatting would differ */
        HK_ASSERT_MSG(!strstr(zh, "%d") == !strstr(en, "%d"), "key %d: %%d mismatch", k);
        HK_ASSERT_MSG(!strstr(zh, "%s") == !strstr(en, "%s"), "key %d: %%s mismatch", k);
    }
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
    HK_ASSERT_STR("星期三", i18n_weekday(I18N_ZH, 3));
    HK_ASSERT_STR("Sun", i18n_weekday(I18N_EN, 7));
    HK_ASSERT_STR("Nov", i18n_month_en(11));
}

int main(void)
{
    HK_RUN(test_i18n_every_key_has_zh_and_en);
    HK_RUN(test_i18n_format_fills_the_placeholder);
    HK_RUN(test_i18n_language_codes);
    return hk_test_end();
}
