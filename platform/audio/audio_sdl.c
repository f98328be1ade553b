/*
 * audio_sdl: plays through SDL2's audio callback. The device is opened once
 * at WAV_RATE_HZ mono S16 (SDL converts if the hardware differs) and runs
 * for the device's life; the callback copies from the sound being played
 * and fills silence otherwise. play() hands the samples over and sleeps on
 * a condition variable until the callback has taken the last one, so the
 * player thread, not the caller, waits. It does not mix: one sound at a
 * time is the contract (voice.c queues announcements).
 *
 * SDL is initialised with SDL_InitSubSystem(AUDIO) and quit with its
 * counterpart; SDL counts subsystem users, so this coexists with the
 * display's SDL video. (The display's last close calls SDL_Quit(), which
 * stops audio too: destroy the voice before the last display.)
 */
#include "audio_sdl.h"

#include <SDL.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "audio_private.h"
#include "hk_log.h"
#include "hk_mem.h"

#define BUFFER_SAMPLES 1024 /* ~46 ms at 22050 Hz: the first-sample latency bound */
#define STALL_SLACK_MS 3000 /* beyond the sound's length: the device stopped */

typedef struct sdl_impl {
    SDL_AudioDeviceID dev;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const int16_t *pcm; /* the sound being played; borrowed from play() */
    size_t n, pos;
    bool busy, cancelled;
    int inited; /* SDL audio subsystem taken */
} sdl_impl_t;

static hk_err_t sdl_play(void *impl, const int16_t *pcm, size_t n);
static void sdl_cancel(void *impl);
static void sdl_destroy(void *impl);
static void SDLCALL fill(void *user, Uint8 *stream, int len);

static const audio_ops_t sdl_ops = {
    sdl_play,
    sdl_cancel,
    sdl_destroy,
};

hk_err_t audio_sdl_create(const char *target, audio_t **out)
{
    sdl_impl_t *s = NULL;
    SDL_AudioSpec want, have;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!target || !out)
        return HK_ERR_INVALID;
    s = hk_calloc(1, sizeof(*s));
    if(!s)
        return HK_ERR_NOMEM;
    pthread_mutex_init(&s->mu, NULL);
    if(audio_cond_init(&s->cv) != 0) {
        pthread_mutex_destroy(&s->mu);
        hk_free(s);
        return HK_ERR_NOMEM;
    }
    if(SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        hk_log_error("audio", "sdl: SDL_InitSubSystem(AUDIO): %s", SDL_GetError());
        rc = HK_ERR_HW;
        goto out;
    }
    s->inited = 1;
    memset(&want, 0, sizeof(want));
    want.freq = WAV_RATE_HZ;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = BUFFER_SAMPLES;
    want.callback = fill;
    want.userdata = s;
    s->dev = SDL_OpenAudioDevice(*target ? target : NULL, 0, &want, &have, 0);
    if(s->dev == 0) {
        hk_log_error("audio", "sdl: cannot open %s: %s", *target ? target : "the default device",
                     SDL_GetError());
        rc = HK_ERR_HW;
        goto out;
    }
    hk_log_info("audio", "sdl: driver %s, device %s, %d Hz", SDL_GetCurrentAudioDriver(),
                *target ? target : "(default)", have.freq);
    rc = audio_create(&sdl_ops, s, out);
    if(rc == HK_OK)
        SDL_PauseAudioDevice(s->dev, 0);
out:
    if(rc != HK_OK)
        sdl_destroy(s);
    return rc;
}

static hk_err_t sdl_play(void *impl, const int16_t *pcm, size_t n)
{
    sdl_impl_t *s = impl;
    struct timespec deadline;
    hk_err_t rc = HK_OK;

    audio_deadline_after(&deadline, (long)(n * 1000u / WAV_RATE_HZ) + STALL_SLACK_MS);
    pthread_mutex_lock(&s->mu);
    if(s->cancelled) {
        pthread_mutex_unlock(&s->mu);
        return HK_ERR_BUSY;
    }
    s->pcm = pcm;
    s->n = n;
    s->pos = 0;
    s->busy = n > 0;
    while(s->busy && !s->cancelled) {
        if(pthread_cond_timedwait(&s->cv, &s->mu, &deadline) == ETIMEDOUT) {
            hk_log_error("audio", "sdl: the device stopped taking samples (%zu of %zu played)",
                         s->pos, s->n);
            rc = HK_ERR_HW;
            break;
        }
    }
    if(rc == HK_OK && s->busy)
        rc = HK_ERR_BUSY; /* cancelled */
    /* the callback must not read pcm after we return: it is the caller's */
    s->busy = false;
    s->pcm = NULL;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static void sdl_cancel(void *impl)
{
    sdl_impl_t *s = impl;

    pthread_mutex_lock(&s->mu);
    s->cancelled = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void sdl_destroy(void *impl)
{
    sdl_impl_t *s = impl;

    if(!s)
        return;
    if(s->dev)
        SDL_CloseAudioDevice(s->dev); /* waits for a running callback */
    if(s->inited)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    hk_free(s);
}

/* SDL's audio thread: copy what is left of the sound, silence after it. */
static void SDLCALL fill(void *user, Uint8 *stream, int len)
{
    sdl_impl_t *s = user;
    size_t want = (size_t)len / sizeof(int16_t), take = 0;

    pthread_mutex_lock(&s->mu);
    if(s->busy) {
        take = s->n - s->pos;
        if(take > want)
            take = want;
        memcpy(stream, s->pcm + s->pos, take * sizeof(int16_t));
        s->pos += take;
        if(s->pos == s->n) {
            s->busy = false;
            pthread_cond_broadcast(&s->cv);
        }
    }
    pthread_mutex_unlock(&s->mu);
    memset(stream + take * sizeof(int16_t), 0, (size_t)len - take * sizeof(int16_t));
}
