/*
 * audio: a sound output behind a small ops table (the printer's shape).
 * Samples are always WAV_RATE_HZ mono S16 (wav.h); a device converts if
 * its hardware wants something else. Backends: "sdl" (SDL2 audio: the
 * loudspeaker; under SDL_AUDIODRIVER=dummy or disk in CI) and "wav" (renders
 * what would be played into a WAV file: tests, headless runs). Which ones
 * are built is a CMake decision (sdl needs HK_BUILD_UI); audio_open() picks
 * one by name at run time.
 */
#ifndef HK_PLATFORM_AUDIO_AUDIO_H
#define HK_PLATFORM_AUDIO_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"
#include "wav.h"

typedef struct audio_ops {
    /* Play n samples and return once the device has taken the last one.
     * Blocks; called from one thread at a time (voice.c's player). Returns
     * HK_ERR_BUSY early when cancel() was called, HK_ERR_HW when the device
     * failed. */
    hk_err_t (*play)(void *impl, const int16_t *pcm, size_t n);
    /* Make a blocked play() return now and later ones at once. Any thread. */
    void (*cancel)(void *impl);
    void (*destroy)(void *impl);
} audio_ops_t;

typedef struct audio audio_t;

/**
 * Open an audio backend.
 * @param kind    "sdl" or "wav".
 * @param target  sdl: the output device's name, "" for the default one;
 *                wav: the file to write (created or truncated).
 * @param out     receives the device; free with audio_destroy().
 * @return HK_OK, HK_ERR_NOT_FOUND (kind unknown or not built), HK_ERR_HW
 *         (no audio device: logged with SDL's reason), HK_ERR_IO, _NOMEM,
 *         _INVALID.
 */
hk_err_t audio_open(const char *kind, const char *target, audio_t **out);

/** Wrap custom ops (tests); impl passes to the device only on success. */
hk_err_t audio_create(const audio_ops_t *ops, void *impl, audio_t **out);

void audio_destroy(audio_t *a); /* NULL ok */

/** ops->play: see audio_ops_t. */
hk_err_t audio_play(audio_t *a, const int16_t *pcm, size_t n);

/** ops->cancel: see audio_ops_t. Any thread. */
void audio_cancel(audio_t *a);

#endif
