/*
 * audio_sdl: the loudspeaker, through SDL2 audio. Under SDL_AUDIODRIVER=dummy
 * it plays into nothing at real-time pace; under =disk it writes raw
 * samples to $SDL_DISKAUDIOFILE (tests). Built only with HK_BUILD_UI.
 */
#ifndef HK_PLATFORM_AUDIO_AUDIO_SDL_H
#define HK_PLATFORM_AUDIO_AUDIO_SDL_H

#include "audio.h"

/**
 * Open SDL audio (audio_open("sdl", ...) calls this).
 * @param target  an output device's name as SDL lists it, "" for the default.
 * @param out     free with audio_destroy().
 * @return HK_OK, HK_ERR_HW (no audio: SDL's reason is logged), _NOMEM, _INVALID.
 */
hk_err_t audio_sdl_create(const char *target, audio_t **out);

#endif
