/*
 * test_announce: the clip list of a call, exactly. Ticket characters are
 * read one by one (零, letters as letters), counters as cardinals (三, 十二,
 * 二十一; three, twelve, twenty-one), the phrase repeats, English follows
 * Chinese, bad input is refused, and the clip names agree with the voice
 * pack's manifest (assets/voice/manifest.tsv).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "hk_test.h"

static char joined[4096];

void setUp(void)
{
}

void tearDown(void)
{
}

/* "chime ~300 zh_qing ..." : clips by name, pauses as ~ms */
static const char *join(const announce_t *a)
{
    size_t at = 0;
    int i;

    joined[0] = '\0';
    for(i = 0; i < a->count; i++) {
        const announce_item_t *it = &a->items[i];
        int w;

        if(it->clip)
            w = snprintf(joined + at, sizeof(joined) - at, "%s%s", i ? " " : "", it->clip);
        else
            w = snprintf(joined + at, sizeof(joined) - at, "%s~%d", i ? " " : "", it->pause_ms);
        HK_ASSERT(w > 0 && (size_t)w < sizeof(joined) - at);
        at += (size_t)w;
    }
    return joined;
}

static const char *build(const char *ticket, int counter, unsigned langs, int repeat)
{
    announce_opts_t opts = { langs, repeat };
    announce_t a;

    HK_ASSERT_OK(announce_build(ticket, counter, &opts, &a));
    return join(&a);
}

/* the words between 到 and 号窗口 (zh) or after "counter" (en), once */
static const char *counter_words(int counter, unsigned lang)
{
    static char words[256];
    const char *s = build("A1", counter, lang, 1);
    const char *from = lang == ANNOUNCE_LANG_ZH ? strstr(s, "zh_dao ") + 7
                                                : strstr(s, "en_please_go_to_counter ") + 24;
    const char *to =
        lang == ANNOUNCE_LANG_ZH ? strstr(from, " zh_hao zh_chuangkou") : s + strlen(s);

    HK_ASSERT(to != NULL && to >= from);
    memcpy(words, from, (size_t)(to - from));
    words[to - from] = '\0';
    return words;
}

static void test_zh_call_is_chime_then_the_phrase_twice(void)
{
    HK_ASSERT_STR("chime ~300 "
                  "zh_qing zh_a zh_0 zh_2 zh_3 zh_hao zh_dao zh_3 zh_hao zh_chuangkou zh_banli "
                  "~800 "
                  "zh_qing zh_a zh_0 zh_2 zh_3 zh_hao zh_dao zh_3 zh_hao zh_chuangkou zh_banli",
                  build("A023", 3, ANNOUNCE_LANG_ZH, 2));
}

static void test_english_follows_chinese_in_each_repetition(void)
{
    HK_ASSERT_STR("chime ~300 "
                  "zh_qing zh_a zh_0 zh_2 zh_3 zh_hao zh_dao zh_3 zh_hao zh_chuangkou zh_banli "
                  "~500 en_number en_a en_0 en_2 en_3 en_please_go_to_counter en_3 "
                  "~800 "
                  "zh_qing zh_a zh_0 zh_2 zh_3 zh_hao zh_dao zh_3 zh_hao zh_chuangkou zh_banli "
                  "~500 en_number en_a en_0 en_2 en_3 en_please_go_to_counter en_3",
                  build("A023", 3, ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, 2));
}

static void test_english_alone_and_repeat_count(void)
{
    HK_ASSERT_STR("chime ~300 en_number en_b en_1 en_0 en_0 en_please_go_to_counter en_12",
                  build("B100", 12, ANNOUNCE_LANG_EN, 1));
    HK_ASSERT_STR("chime ~300 zh_qing zh_c zh_9 zh_hao zh_dao zh_1 zh_hao zh_chuangkou zh_banli "
                  "~800 zh_qing zh_c zh_9 zh_hao zh_dao zh_1 zh_hao zh_chuangkou zh_banli "
                  "~800 zh_qing zh_c zh_9 zh_hao zh_dao zh_1 zh_hao zh_chuangkou zh_banli",
                  build("C9", 1, ANNOUNCE_LANG_ZH, 3));
}

static void test_ticket_digits_one_by_one_and_letters_in_any_case(void)
{
    /* zeros are 零, never dropped or merged into a number */
    HK_ASSERT_STR("chime ~300 zh_qing zh_0 zh_0 zh_7 zh_hao zh_dao zh_2 zh_hao zh_chuangkou "
                  "zh_banli",
                  build("007", 2, ANNOUNCE_LANG_ZH, 1));
    HK_ASSERT_STR("chime ~300 en_number en_v en_i en_p en_0 en_1 en_please_go_to_counter en_2",
                  build("vIp01", 2, ANNOUNCE_LANG_EN, 1));
}

static void test_counter_is_a_chinese_cardinal(void)
{
    HK_ASSERT_STR("zh_1", counter_words(1, ANNOUNCE_LANG_ZH));
    HK_ASSERT_STR("zh_2", counter_words(2, ANNOUNCE_LANG_ZH)); /* 二号, not 两号 */
    HK_ASSERT_STR("zh_10", counter_words(10, ANNOUNCE_LANG_ZH));
    HK_ASSERT_STR("zh_10 zh_2", counter_words(12, ANNOUNCE_LANG_ZH));
    HK_ASSERT_STR("zh_2 zh_10", counter_words(20, ANNOUNCE_LANG_ZH));
    HK_ASSERT_STR("zh_2 zh_10 zh_1", counter_words(21, ANNOUNCE_LANG_ZH));
    HK_ASSERT_STR("zh_9 zh_10 zh_9", counter_words(99, ANNOUNCE_LANG_ZH));
}

static void test_counter_is_an_english_cardinal(void)
{
    HK_ASSERT_STR("en_3", counter_words(3, ANNOUNCE_LANG_EN));
    HK_ASSERT_STR("en_12", counter_words(12, ANNOUNCE_LANG_EN));
    HK_ASSERT_STR("en_19", counter_words(19, ANNOUNCE_LANG_EN));
    HK_ASSERT_STR("en_20", counter_words(20, ANNOUNCE_LANG_EN));
    HK_ASSERT_STR("en_20 en_1", counter_words(21, ANNOUNCE_LANG_EN));
    HK_ASSERT_STR("en_90 en_9", counter_words(99, ANNOUNCE_LANG_EN));
}

static void test_bad_input_is_refused_and_out_untouched(void)
{
    announce_opts_t ok = { ANNOUNCE_LANG_ZH, 2 };
    announce_opts_t bad_repeat0 = { ANNOUNCE_LANG_ZH, 0 };
    announce_opts_t bad_repeat4 = { ANNOUNCE_LANG_ZH, ANNOUNCE_REPEAT_MAX + 1 };
    announce_opts_t bad_langs0 = { 0, 1 };
    announce_opts_t bad_langs8 = { 8, 1 };
    announce_t a;

    memset(&a, 0x5A, sizeof(a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("", 3, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A-23", 3, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A 23", 3, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("\xe5\x8f\xb7", 3, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("ABCDEFGHI", 3, &ok, &a)); /* 9 > max 8 */
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 0, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 100, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 3, &bad_repeat0, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 3, &bad_repeat4, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 3, &bad_langs0, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 3, &bad_langs8, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build(NULL, 3, &ok, &a));
    HK_ASSERT_INT(HK_ERR_INVALID, announce_build("A023", 3, NULL, &a));
    HK_ASSERT_INT(0x5A5A5A5A, a.count);
    /* the longest input fits */
    HK_ASSERT_OK(announce_build(
        "ABCDEFGH", 99,
        &(announce_opts_t){ ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, ANNOUNCE_REPEAT_MAX }, &a));
}

/* Every name the phrases use is in the list, and the list is the manifest's. */
static void test_clip_names_match_the_voice_pack_manifest(void)
{
    const char *names[256];
    size_t n = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names, 256), i, rows = 0;
    char line[512];
    FILE *fp = fopen(HK_SOURCE_DIR "/assets/voice/manifest.tsv", "r");

    HK_ASSERT(n <= 256);
    HK_ASSERT(fp != NULL);
    while(fgets(line, sizeof(line), fp)) {
        char *tab = strchr(line, '\t');
        int found = 0;

        if(line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        for(i = 0; i < n; i++)
            found |= strcmp(names[i], line) == 0;
        HK_ASSERT_MSG(found, "manifest clip %s is not one announce.c uses", line);
        rows++;
    }
    fclose(fp);
    HK_ASSERT_INT(n, rows); /* and none of announce's is missing (names are unique) */
    HK_ASSERT_INT(1 + 10 + 26 + 6, announce_clip_names(ANNOUNCE_LANG_ZH, NULL, 0));
    for(i = 0; i < n; i++) {
        size_t j;

        for(j = i + 1; j < n; j++)
            HK_ASSERT_MSG(strcmp(names[i], names[j]) != 0, "clip %s listed twice", names[i]);
    }
}

static void test_every_clip_of_a_build_is_a_listed_name(void)
{
    const char *names[256];
    size_t n = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names, 256);
    announce_opts_t opts = { ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, 1 };
    static const char *const tickets[] = { "A0123456", "BCDEFGHI", "JKLMNOPQ", "RSTUVWXY", "Z789" };
    announce_t a;
    size_t t;
    int counter, i;

    for(t = 0; t < sizeof(tickets) / sizeof(tickets[0]); t++) {
        for(counter = 1; counter <= ANNOUNCE_COUNTER_MAX; counter++) {
            HK_ASSERT_OK(announce_build(tickets[t], counter, &opts, &a));
            for(i = 0; i < a.count; i++) {
                size_t j;
                int found = 0;

                if(!a.items[i].clip)
                    continue;
                for(j = 0; j < n; j++)
                    found |= strcmp(names[j], a.items[i].clip) == 0;
                HK_ASSERT_MSG(found, "%s uses unlisted clip %s", tickets[t], a.items[i].clip);
            }
        }
    }
}

int main(void)
{
    HK_RUN(test_zh_call_is_chime_then_the_phrase_twice);
    HK_RUN(test_english_follows_chinese_in_each_repetition);
    HK_RUN(test_english_alone_and_repeat_count);
    HK_RUN(test_ticket_digits_one_by_one_and_letters_in_any_case);
    HK_RUN(test_counter_is_a_chinese_cardinal);
    HK_RUN(test_counter_is_an_english_cardinal);
    HK_RUN(test_bad_input_is_refused_and_out_untouched);
    HK_RUN(test_clip_names_match_the_voice_pack_manifest);
    HK_RUN(test_every_clip_of_a_build_is_a_listed_name);
    return hk_test_end();
}
