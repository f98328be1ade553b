/*
 * guide: what the kiosk's voice guidance says (issue 8.6), as clip names of
 * the voice pack: a screen's title and the choice a customer tapped, in
 * Chinese or English. Only fixed wording can be said: catalogue strings
 * from the guidance list (assets/voice/guide.tsv, the same list as
 * GUIDE_KEY_LIST below), triage needs by id and ticket numbers character by
 * character. There is no way to hand it free text, so a phone number or a
 * description a customer typed can never be read aloud. Pure: no I/O, no
 * allocation; platform/audio plays the clips.
 */
#ifndef HK_APP_CORE_GUIDE_H
#define HK_APP_CORE_GUIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "announce.h"
#include "i18n.h"

#define GUIDE_MAX_CLIPS 24  /* clips of one utterance */
#define GUIDE_CLIP_LEN  48  /* "g_zh_need_" + a need id (FAQ_ID_LEN) */
#define GUIDE_PAUSE_MS  250 /* between two phrases of one utterance */

/* One utterance: clip names in order. */
typedef struct guide {
    int n;
    bool overflow; /* a clip did not fit: left out */
    char clip[GUIDE_MAX_CLIPS][GUIDE_CLIP_LEN];
} guide_t;

/** Empty g. */
void guide_clear(guide_t *g);

/**
 * Add a catalogue string ("g_zh_home_title").
 * @return false (nothing added) when key is not a guidance key.
 */
bool guide_add_key(guide_t *g, i18n_lang_t lang, i18n_key_t key);

/**
 * Add a triage need's title by its id ("pay-bill" -> "g_zh_need_pay_bill").
 * Whether the pack holds it (pushed content may bring new needs) is the
 * player's question.
 * @return false when the id is not [a-z0-9-]+ of a clip name's length.
 */
bool guide_add_need(guide_t *g, i18n_lang_t lang, const char *need_id);

/**
 * Add a ticket number, one clip a character (the hall board's clips:
 * "A023" -> zh_a zh_0 zh_2 zh_3).
 * @return false when number is not 1..ANNOUNCE_TICKET_MAX of [A-Za-z0-9].
 */
bool guide_add_ticket(guide_t *g, i18n_lang_t lang, const char *number);

/** true when key is on the guidance list. */
bool guide_is_key(i18n_key_t key);

/**
 * The guidance list's catalogue names in order ("touch_to_start", …), as
 * assets/voice/guide.tsv lists them.
 * @return how many there are (may exceed cap); names may be NULL with cap 0.
 */
size_t guide_key_names(const char **names, size_t cap);

/**
 * Every fixed clip guidance can use: g_zh_<key> and g_en_<key> for each
 * key (static strings). Need clips are found in the pack's folder.
 * @return how many there are (may exceed cap).
 */
size_t guide_clip_names(const char **names, size_t cap);

/**
 * The announcement of g: its clips with GUIDE_PAUSE_MS between them.
 * @param resolve  maps a clip name to the pack's own copy of it (which the
 *                 announcement borrows), or NULL when the pack lacks it:
 *                 such clips are left out.
 * @return how many clips went in (0 = nothing to say).
 */
int guide_announce(const guide_t *g, const char *(*resolve)(void *user, const char *clip),
                   void *user, announce_t *out);

/** g's clips separated by spaces, for the log ("g_zh_triage_title g_zh_need_pay_bill"). */
void guide_text(const guide_t *g, char *buf, size_t size);

#endif
