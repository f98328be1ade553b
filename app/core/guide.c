/*
 * guide: the voice guidance's phrase list and clip names (see guide.h).
 * The list below and assets/voice/guide.tsv name the same catalogue keys;
 * tests/unit/test_guide.c checks that they agree and that every key exists
 * in i18n.h, so the build's clips and what the kiosk asks for cannot drift.
 */
#include "guide.h"

#include <stdio.h>
#include <string.h>

/* clang-format off */
#define GUIDE_KEY_LIST(X) \
    X(TOUCH_TO_START, "touch_to_start") X(HOME_TITLE, "home_title") \
    X(CHOOSE_SERVICE, "choose_service") X(YOUR_NUMBER, "your_number") \
    X(RATE_NUMBER_TITLE, "rate_number_title") X(RATE_TITLE, "rate_title") \
    X(TRIAGE_TITLE, "triage_title") X(FAQ_TITLE, "faq_title") \
    X(VOICE_ARTICLE, "voice_article") X(SUBMIT_TITLE, "submit_title") \
    X(SUBMIT_DONE_TITLE, "submit_done_title") X(UNAVAILABLE, "unavailable") \
    X(SUBMIT_CAT_SIGNAL, "submit_cat_signal") X(SUBMIT_CAT_BROADBAND, "submit_cat_broadband") \
    X(SUBMIT_CAT_BILLING, "submit_cat_billing") X(SUBMIT_CAT_COMPLAINT, "submit_cat_complaint") \
    X(SUBMIT_CAT_SUGGESTION, "submit_cat_suggestion") X(SUBMIT_CAT_OTHER, "submit_cat_other") \
    X(SUBMIT_PHONE, "submit_phone") X(SUBMIT_DESC, "submit_desc") \
    X(SUBMIT_CONSENT, "submit_consent") X(SUBMIT_SEND, "submit_send") \
    X(SUBMIT_ERR_CATEGORY, "submit_err_category") X(SUBMIT_ERR_PHONE, "submit_err_phone") \
    X(SUBMIT_ERR_CONSENT, "submit_err_consent") X(SUBMIT_FAILED, "submit_failed") \
    X(FAQ_YES, "faq_yes") X(FAQ_NO, "faq_no") X(FAQ_THANKS, "faq_thanks") \
    X(RATE_LEVEL_5, "rate_level_5") X(RATE_LEVEL_4, "rate_level_4") \
    X(RATE_LEVEL_3, "rate_level_3") X(RATE_LEVEL_2, "rate_level_2") \
    X(RATE_LEVEL_1, "rate_level_1") X(LARGE_ON, "large_on") X(LARGE_OFF, "large_off") \
    X(CONTRAST_ON, "contrast_on") X(CONTRAST_OFF, "contrast_off") \
    X(VOICE_ON, "voice_on") X(VOICE_OFF, "voice_off")
/* clang-format on */

#define KEY_(id, name) I18N_##id,
static const i18n_key_t keys[] = { GUIDE_KEY_LIST(KEY_) };
#undef KEY_
#define NAME_(id, name) name,
static const char *const key_names[] = { GUIDE_KEY_LIST(NAME_) };
#undef NAME_
#define ZH_(id, name) "g_zh_" name,
static const char *const zh_clips[] = { GUIDE_KEY_LIST(ZH_) };
#undef ZH_
#define EN_(id, name) "g_en_" name,
static const char *const en_clips[] = { GUIDE_KEY_LIST(EN_) };
#undef EN_

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static bool put(guide_t *g, const char *clip)
{
    if(g->n >= GUIDE_MAX_CLIPS || strlen(clip) >= GUIDE_CLIP_LEN) {
        g->overflow = true;
        return false;
    }
    snprintf(g->clip[g->n++], GUIDE_CLIP_LEN, "%s", clip);
    return true;
}

static const char *lang_tag(i18n_lang_t lang)
{
    return lang == I18N_EN ? "en" : "zh";
}

void guide_clear(guide_t *g)
{
    memset(g, 0, sizeof(*g));
}

bool guide_is_key(i18n_key_t key)
{
    size_t i;

    for(i = 0; i < N_KEYS; i++)
        if(keys[i] == key)
            return true;
    return false;
}

bool guide_add_key(guide_t *g, i18n_lang_t lang, i18n_key_t key)
{
    size_t i;

    for(i = 0; i < N_KEYS; i++)
        if(keys[i] == key)
            return put(g, lang == I18N_EN ? en_clips[i] : zh_clips[i]);
    return false;
}

bool guide_add_need(guide_t *g, i18n_lang_t lang, const char *need_id)
{
    char clip[GUIDE_CLIP_LEN];
    size_t i, n = need_id ? strlen(need_id) : 0;
    int len;

    if(n == 0)
        return false;
    len = snprintf(clip, sizeof(clip), "g_%s_need_", lang_tag(lang));
    if(len < 0 || (size_t)len + n >= sizeof(clip))
        return false;
    for(i = 0; i < n; i++) {
        char c = need_id[i];
        if(!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
        clip[(size_t)len + i] = c == '-' ? '_' : c;
    }
    clip[(size_t)len + n] = '\0';
    return put(g, clip);
}

bool guide_add_ticket(guide_t *g, i18n_lang_t lang, const char *number)
{
    size_t i, n = number ? strlen(number) : 0;

    if(n == 0 || n > ANNOUNCE_TICKET_MAX)
        return false;
    for(i = 0; i < n; i++) {
        char c = number[i];
        if(!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    for(i = 0; i < n; i++) {
        char clip[8], c = number[i];
        if(c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        snprintf(clip, sizeof(clip), "%s_%c", lang_tag(lang), c);
        if(!put(g, clip))
            return false;
    }
    return true;
}

size_t guide_key_names(const char **names, size_t cap)
{
    size_t i;

    for(i = 0; names && i < N_KEYS && i < cap; i++)
        names[i] = key_names[i];
    return N_KEYS;
}

size_t guide_clip_names(const char **names, size_t cap)
{
    size_t i, n = 0;

    for(i = 0; i < N_KEYS; i++) {
        if(names && n < cap)
            names[n] = zh_clips[i];
        n++;
        if(names && n < cap)
            names[n] = en_clips[i];
        n++;
    }
    return n;
}

int guide_announce(const guide_t *g, const char *(*resolve)(void *user, const char *clip),
                   void *user, announce_t *out)
{
    int i, said = 0;

    out->count = 0;
    for(i = 0; i < g->n && out->count + 2 <= ANNOUNCE_MAX_ITEMS; i++) {
        const char *clip = resolve(user, g->clip[i]);
        if(!clip)
            continue;
        if(said > 0) {
            out->items[out->count].clip = NULL;
            out->items[out->count++].pause_ms = GUIDE_PAUSE_MS;
        }
        out->items[out->count].clip = clip;
        out->items[out->count++].pause_ms = 0;
        said++;
    }
    return said;
}

void guide_text(const guide_t *g, char *buf, size_t size)
{
    size_t at = 0;
    int i;

    if(size == 0)
        return;
    buf[0] = '\0';
    for(i = 0; i < g->n && at < size; i++) {
        int w = snprintf(buf + at, size - at, "%s%s", i ? " " : "", g->clip[i]);
        if(w < 0)
            break;
        at += (size_t)w;
    }
}
