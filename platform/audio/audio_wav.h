/*
 * audio_wav: the audio device CI and headless runs use. Everything played
 * is appended, in play order, to one WAV file (WAV_RATE_HZ mono S16) whose
 * header is brought up to date after every play, so the file is a valid
 * WAV at any moment. It plays instantly: there is no clock.
 */
#ifndef HK_PLATFORM_AUDIO_AUDIO_WAV_H
#define HK_PLATFORM_AUDIO_AUDIO_WAV_H

#include "audio.h"

/**
 * Create the WAV-file backend (audio_open("wav", ...) calls this).
 * @param target  the file; created or truncated now.
 * @param out     free with audio_destroy().
 * @return HK_OK, HK_ERR_IO (cannot create the file), _INVALID, _NOMEM.
 */
hk_err_t audio_wav_create(const char *target, audio_t **out);

#endif
