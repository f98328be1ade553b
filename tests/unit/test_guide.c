/*
 * test_guide: the voice guidance's phrases (issue 8.6). The key list agrees
 * with assets/voice/guide.tsv (the clips the build makes) and every key is
 * a catalogue key without a placeholder; clip names per language; triage
 * needs and ticket numbers by their characters only; anything else (a
 * phone number, free text) is refused, so it can never be said; the
 * announcement puts pauses between clips and leaves out what the pack lacks.
 */
#include <stdio.h>
#include <string.h>

#include "guide.h"
#include "hk_test.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static void test_key_list_is_the_build_list_and_catalogue_keys(void)
{
    const char *names[128];
    size_t n = guide_key_names(names, 128), i = 0;
    char line[128];
    FILE *fp = fopen(HK_SOURCE_DIR "/assets/voice/guide.tsv", "r");

    HK_ASSERT(fp != NULL);
    HK_ASSERT(n > 0 && n <= 128);
    while(fgets(line, sizeof(line), fp)) {
        i18n_key_t key;
        line[strcspn(line, "\r\n")] = '\0';
        if(line[0] == '#' || !line[0])
            continue;
        HK_ASSERT_MSG(i < n, "guide.tsv has %s beyond guide.c's list", line);
        HK_ASSERT_STR(names[i], line);
        HK_ASSERT_OK(i18n_key_from_name(line, &key));
        HK_ASSERT(guide_is_key(key));
        HK_ASSERT_MSG(!strchr(i18n_get(I18N_ZH, key), '%') && !strchr(i18n_get(I18N_EN, key), '%'),
                      "%s has a placeholder", line);
        i++;
    }
    fclose(fp);
    HK_ASSERT_INT((int)n, (int)i);
    HK_ASSERT_INT((int)(2 * n), (int)guide_clip_names(NULL, 0));
}

static void test_clips_are_named_per_language(void)
{
    guide_t g;
    char text[512];

    guide_clear(&g);
    HK_ASSERT(guide_add_key(&g, I18N_ZH, I18N_TRIAGE_TITLE));
    HK_ASSERT(guide_add_key(&g, I18N_EN, I18N_SUBMIT_PHONE));
    HK_ASSERT(guide_add_need(&g, I18N_ZH, "pay-bill"));
    HK_ASSERT(guide_add_ticket(&g, I18N_EN, "A023"));
    guide_text(&g, text, sizeof(text));
    HK_ASSERT_STR("g_zh_triage_title g_en_submit_phone g_zh_need_pay_bill en_a en_0 en_2 en_3",
                  text);
}

static void test_nothing_typed_can_be_said(void)
{
    guide_t g;

    guide_clear(&g);
    HK_ASSERT(!guide_add_key(&g, I18N_ZH, I18N_SUBMIT_COUNT_D)); /* not on the list */
    HK_ASSERT(!guide_add_need(&g, I18N_ZH, "138 1234 5678"));
    HK_ASSERT(!guide_add_need(&g, I18N_ZH, "宽带"));
    HK_ASSERT(!guide_add_need(&g, I18N_ZH, ""));
    HK_ASSERT(!guide_add_ticket(&g, I18N_ZH, "13812345678")); /* longer than a ticket */
    HK_ASSERT(!guide_add_ticket(&g, I18N_ZH, "A-1"));
    HK_ASSERT_INT(0, g.n);
}

static const char *only_titles(void *user, const char *clip)
{
    (void)user;
    return strstr(clip, "_title") ? clip : NULL;
}

static void test_announcement_pauses_between_clips_and_skips_missing_ones(void)
{
    guide_t g;
    announce_t a;
    int i;

    guide_clear(&g);
    for(i = 0; i < GUIDE_MAX_CLIPS + 3; i++)
        (void)guide_add_key(&g, I18N_ZH, I18N_HOME_TITLE);
    HK_ASSERT(g.overflow);
    HK_ASSERT_INT(GUIDE_MAX_CLIPS, g.n);
    guide_clear(&g);
    HK_ASSERT(guide_add_key(&g, I18N_ZH, I18N_HOME_TITLE));
    HK_ASSERT(guide_add_need(&g, I18N_ZH, "brand-new-need")); /* pushed, no clip */
    HK_ASSERT(guide_add_key(&g, I18N_ZH, I18N_TRIAGE_TITLE));
    HK_ASSERT_INT(2, guide_announce(&g, only_titles, NULL, &a));
    HK_ASSERT_INT(3, a.count);
    HK_ASSERT_STR("g_zh_home_title", a.items[0].clip);
    HK_ASSERT(a.items[1].clip == NULL);
    HK_ASSERT_INT(GUIDE_PAUSE_MS, a.items[1].pause_ms);
    HK_ASSERT_STR("g_zh_triage_title", a.items[2].clip);
}

int main(void)
{
    hk_diag_t diag;

    HK_ASSERT_OK(i18n_init(&diag));
    HK_RUN(test_key_list_is_the_build_list_and_catalogue_keys);
    HK_RUN(test_clips_are_named_per_language);
    HK_RUN(test_nothing_typed_can_be_said);
    HK_RUN(test_announcement_pauses_between_clips_and_skips_missing_ones);
    return hk_test_end();
}
