/*
 * guide_voice: the kiosk's voice guidance player (issue 8.6): the hall
 * board's voice layer (voice.h: a player thread, an audio device, the voice
 * pack of espeak-ng clips the build generates) saying guide.h's utterances.
 * Loaded when a customer first turns guidance on, never at start (~200
 * clips, a few MB). It decides nothing about what to say (the kiosk does,
 * through guide.h, which cannot take typed text).
 */
#ifndef HK_APP_UI_GUIDE_VOICE_H
#define HK_APP_UI_GUIDE_VOICE_H

#include <stdbool.h>

#include "guide.h"
#include "hk_err.h"

typedef struct guide_voice guide_voice_t;

/**
 * Load the pack and open the audio.
 * @param dir           the pack's folder; NULL = voice_pack_default_dir().
 * @param audio_kind    "sdl" or "wav" (audio_open()).
 * @param audio_target  audio_open()'s target.
 * @param diag          why it failed (a clip missing from the folder, no device).
 * @param out           free with guide_voice_destroy().
 * @return HK_OK, voice_pack_load()'s, audio_open()'s and voice_create()'s errors.
 */
hk_err_t guide_voice_create(const char *dir, const char *audio_kind, const char *audio_target,
                            guide_voice_t **out, hk_diag_t *diag);

/** Stop (what is playing is cut) and free. NULL ok. */
void guide_voice_destroy(guide_voice_t *gv);

/**
 * Say g after dropping what waits to be said (the customer moved on). Its
 * clips are logged ("guide: say 3: g_zh_triage_title"), and "guide: played
 * 3" once it was played whole; clips the pack lacks (a pushed triage need)
 * are left out. Never blocks on audio. Loop thread.
 */
void guide_voice_say(guide_voice_t *gv, const guide_t *g);

/** Wait until nothing is playing or waiting, up to timeout_ms (tests). */
bool guide_voice_idle(guide_voice_t *gv, int timeout_ms);

#endif
