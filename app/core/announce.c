/*
 * announce: turns (ticket, counter, languages, repeat) into the list of
 * clip names the hall display plays. It knows the phrase grammar and the
 * clip names of the voice pack (assets/voice/manifest.tsv lists the same
 * names with the text each one says); it does not load, mix or play audio.
 *
 * Reading rules (issue 6, "Voice"):
 * - ticket: each character on its own; "A023" -> A 零 二 三 / A zero two
 *   three. espeak-ng reads "023" as "twenty-three", hence one clip a digit.
 * - counter: a cardinal. zh: 3 三, 10 十, 12 十二, 20 二十, 21 二十一;
 *   "二号窗口", never "两号". en: one clip for 1..19 and for each ten
 *   (21 = twenty + one).
 */
#include "announce.h"

#include <string.h>

typedef struct builder {
    announce_t a;
    int overflow;
} builder_t;

static void put_clip(builder_t *b, const char *clip);
static void put_pause(builder_t *b, int pause_ms);
static void put_ticket(builder_t *b, const char *ticket, const char *const *digits,
                       const char *const *letters);
static void put_zh_phrase(builder_t *b, const char *ticket, int counter);
static void put_en_phrase(builder_t *b, const char *ticket, int counter);
static int ticket_valid(const char *ticket);

static const char *const zh_digits[10] = {
    "zh_0", "zh_1", "zh_2", "zh_3", "zh_4", "zh_5", "zh_6", "zh_7", "zh_8", "zh_9",
};
static const char *const zh_letters[26] = {
    "zh_a", "zh_b", "zh_c", "zh_d", "zh_e", "zh_f", "zh_g", "zh_h", "zh_i",
    "zh_j", "zh_k", "zh_l", "zh_m", "zh_n", "zh_o", "zh_p", "zh_q", "zh_r",
    "zh_s", "zh_t", "zh_u", "zh_v", "zh_w", "zh_x", "zh_y", "zh_z",
};
static const char *const zh_words[] = {
    "zh_10", "zh_qing", "zh_hao", "zh_dao", "zh_chuangkou", "zh_banli",
};
/* en_0..en_19: digits of a ticket and the small cardinals */
static const char *const en_small[20] = {
    "en_0",  "en_1",  "en_2",  "en_3",  "en_4",  "en_5",  "en_6",  "en_7",  "en_8",  "en_9",
    "en_10", "en_11", "en_12", "en_13", "en_14", "en_15", "en_16", "en_17", "en_18", "en_19",
};
static const char *const en_tens[10] = {
    NULL, NULL, "en_20", "en_30", "en_40", "en_50", "en_60", "en_70", "en_80", "en_90",
};
static const char *const en_letters[26] = {
    "en_a", "en_b", "en_c", "en_d", "en_e", "en_f", "en_g", "en_h", "en_i",
    "en_j", "en_k", "en_l", "en_m", "en_n", "en_o", "en_p", "en_q", "en_r",
    "en_s", "en_t", "en_u", "en_v", "en_w", "en_x", "en_y", "en_z",
};
static const char *const en_words[] = {
    "en_number",
    "en_please_go_to_counter",
};

hk_err_t announce_build(const char *ticket, int counter, const announce_opts_t *opts,
                        announce_t *out)
{
    builder_t b;
    int r;

    if(!ticket || !opts || !out || !ticket_valid(ticket))
        return HK_ERR_INVALID;
    if(counter < 1 || counter > ANNOUNCE_COUNTER_MAX)
        return HK_ERR_INVALID;
    if(opts->repeat < 1 || opts->repeat > ANNOUNCE_REPEAT_MAX)
        return HK_ERR_INVALID;
    if(opts->langs == 0 || (opts->langs & ~(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN)) != 0)
        return HK_ERR_INVALID;
    memset(&b, 0, sizeof(b));
    put_clip(&b, "chime");
    put_pause(&b, ANNOUNCE_CHIME_PAUSE_MS);
    for(r = 0; r < opts->repeat; r++) {
        if(r > 0)
            put_pause(&b, ANNOUNCE_REPEAT_PAUSE_MS);
        if(opts->langs & ANNOUNCE_LANG_ZH)
            put_zh_phrase(&b, ticket, counter);
        if(opts->langs == (ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN))
            put_pause(&b, ANNOUNCE_LANG_PAUSE_MS);
        if(opts->langs & ANNOUNCE_LANG_EN)
            put_en_phrase(&b, ticket, counter);
    }
    /* The limits above bound the list well below ANNOUNCE_MAX_ITEMS. */
    if(HK_NEVER(b.overflow))
        return HK_ERR_INVALID;
    *out = b.a;
    return HK_OK;
}

size_t announce_clip_names(unsigned langs, const char **names, size_t cap)
{
    size_t n = 0, i;

#define ADD(s)               \
    do {                     \
        if(names && n < cap) \
            names[n] = (s);  \
        n++;                 \
    } while(0)
    ADD("chime");
    if(langs & ANNOUNCE_LANG_ZH) {
        for(i = 0; i < 10; i++)
            ADD(zh_digits[i]);
        for(i = 0; i < 26; i++)
            ADD(zh_letters[i]);
        for(i = 0; i < sizeof(zh_words) / sizeof(zh_words[0]); i++)
            ADD(zh_words[i]);
    }
    if(langs & ANNOUNCE_LANG_EN) {
        for(i = 0; i < 20; i++)
            ADD(en_small[i]);
        for(i = 2; i < 10; i++)
            ADD(en_tens[i]);
        for(i = 0; i < 26; i++)
            ADD(en_letters[i]);
        for(i = 0; i < sizeof(en_words) / sizeof(en_words[0]); i++)
            ADD(en_words[i]);
    }
#undef ADD
    return n;
}

static void put_clip(builder_t *b, const char *clip)
{
    if(b->a.count >= ANNOUNCE_MAX_ITEMS) {
        b->overflow = 1;
        return;
    }
    b->a.items[b->a.count].clip = clip;
    b->a.items[b->a.count].pause_ms = 0;
    b->a.count++;
}

static void put_pause(builder_t *b, int pause_ms)
{
    if(b->a.count >= ANNOUNCE_MAX_ITEMS) {
        b->overflow = 1;
        return;
    }
    b->a.items[b->a.count].clip = NULL;
    b->a.items[b->a.count].pause_ms = pause_ms;
    b->a.count++;
}

static void put_ticket(builder_t *b, const char *ticket, const char *const *digits,
                       const char *const *letters)
{
    const char *p;

    for(p = ticket; *p; p++) {
        int c = (unsigned char)*p;

        /* ticket_valid() let only ASCII letters and digits through */
        if(c >= '0' && c <= '9')
            put_clip(b, digits[c - '0']);
        else if(c >= 'a')
            put_clip(b, letters[c - 'a']);
        else
            put_clip(b, letters[c - 'A']);
    }
}

/* 请 <ticket> 号 到 <counter> 号 窗口 办理 */
static void put_zh_phrase(builder_t *b, const char *ticket, int counter)
{
    int tens = counter / 10, units = counter % 10;

    put_clip(b, "zh_qing");
    put_ticket(b, ticket, zh_digits, zh_letters);
    put_clip(b, "zh_hao");
    put_clip(b, "zh_dao");
    if(tens >= 2)
        put_clip(b, zh_digits[tens]);
    if(tens >= 1)
        put_clip(b, "zh_10");
    if(units != 0)
        put_clip(b, zh_digits[units]);
    put_clip(b, "zh_hao");
    put_clip(b, "zh_chuangkou");
    put_clip(b, "zh_banli");
}

/* Number <ticket>, please go to counter <counter> */
static void put_en_phrase(builder_t *b, const char *ticket, int counter)
{
    put_clip(b, "en_number");
    put_ticket(b, ticket, en_small, en_letters);
    put_clip(b, "en_please_go_to_counter");
    if(counter < 20) {
        put_clip(b, en_small[counter]);
        return;
    }
    put_clip(b, en_tens[counter / 10]);
    if(counter % 10 != 0)
        put_clip(b, en_small[counter % 10]);
}

/* ASCII letters and digits only: a ticket number is spoken, not parsed. */
static int ticket_valid(const char *ticket)
{
    size_t len = strlen(ticket), i;

    if(len == 0 || len > ANNOUNCE_TICKET_MAX)
        return 0;
    for(i = 0; i < len; i++) {
        int c = (unsigned char)ticket[i];

        if(!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}
