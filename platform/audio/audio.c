/*
 * audio: the generic half of the audio interface: a constructor table that
 * picks a backend by name (SDL's bootstrap idea) and forwarding of the ops.
 * It holds no state beyond the ops and the backend's impl; queueing and the
 * player thread are voice.c's.
 */
#include "audio.h"

#include <string.h>

#include "audio_private.h"
#include "audio_wav.h"
#include "hk_mem.h"
#ifdef HK_AUDIO_SDL
#include "audio_sdl.h"
#endif

struct audio {
    audio_ops_t ops; /* copied: the caller's table may be a stack object */
    void *impl;      /* owned; freed through ops.destroy */
};

typedef struct backend {
    const char *kind;
    hk_err_t (*open)(const char *target, audio_t **out);
} backend_t;

static const backend_t backends[] = {
#ifdef HK_AUDIO_SDL
    { "sdl", audio_sdl_create },
#endif
    { "wav", audio_wav_create },
};

hk_err_t audio_open(const char *kind, const char *target, audio_t **out)
{
    size_t i;

    if(out)
        *out = NULL;
    if(!kind || !target || !out)
        return HK_ERR_INVALID;
    for(i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if(strcmp(backends[i].kind, kind) == 0)
            return backends[i].open(target, out);
    }
    return HK_ERR_NOT_FOUND;
}

hk_err_t audio_create(const audio_ops_t *ops, void *impl, audio_t **out)
{
    audio_t *a;

    if(out)
        *out = NULL;
    if(!ops || !ops->play || !ops->cancel || !out)
        return HK_ERR_INVALID;
    a = hk_calloc(1, sizeof(*a));
    if(!a)
        return HK_ERR_NOMEM;
    a->ops = *ops;
    a->impl = impl;
    *out = a;
    return HK_OK;
}

void audio_destroy(audio_t *a)
{
    if(!a)
        return;
    if(a->ops.destroy)
        a->ops.destroy(a->impl);
    hk_free(a);
}

hk_err_t audio_play(audio_t *a, const int16_t *pcm, size_t n)
{
    if(!a || (!pcm && n))
        return HK_ERR_INVALID;
    return a->ops.play(a->impl, pcm, n);
}

void audio_cancel(audio_t *a)
{
    if(a)
        a->ops.cancel(a->impl);
}

int audio_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t attr;
    int e;

    e = pthread_condattr_init(&attr);
    if(e != 0)
        return e;
    e = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if(e == 0)
        e = pthread_cond_init(cv, &attr);
    (void)pthread_condattr_destroy(&attr); /* cannot fail on an initialised attr */
    return e;
}

void audio_deadline_after(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if(ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}
