/*
 * audio_wav: writes what would be played into a WAV file, so tests hear an
 * announcement through the same player and renderer as the loudspeaker.
 * Plays are appended back to back; no silence is invented between them
 * (that would need a clock). The header is rewritten after each play; a
 * crash leaves a valid file up to the last complete play.
 */
#include "audio_wav.h"

#include <stdatomic.h>
#include <stdio.h>

#include "hk_log.h"
#include "hk_mem.h"

typedef struct wav_impl {
    FILE *fp;
    size_t samples; /* written so far */
    atomic_int cancelled;
} wav_impl_t;

static hk_err_t wav_play(void *impl, const int16_t *pcm, size_t n);
static void wav_cancel(void *impl);
static void wav_destroy(void *impl);
static hk_err_t write_header(wav_impl_t *w);

static const audio_ops_t wav_ops = {
    wav_play,
    wav_cancel,
    wav_destroy,
};

hk_err_t audio_wav_create(const char *target, audio_t **out)
{
    wav_impl_t *w = NULL;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!target || !*target || !out)
        return HK_ERR_INVALID;
    w = hk_calloc(1, sizeof(*w));
    if(!w)
        return HK_ERR_NOMEM;
    atomic_init(&w->cancelled, 0);
    w->fp = fopen(target, "w+b");
    if(!w->fp) {
        hk_log_error("audio", "wav: cannot create %s", target);
        rc = HK_ERR_IO;
        goto out;
    }
    rc = write_header(w);
    if(rc != HK_OK)
        goto out;
    rc = audio_create(&wav_ops, w, out);
out:
    if(rc != HK_OK)
        wav_destroy(w);
    return rc;
}

static hk_err_t wav_play(void *impl, const int16_t *pcm, size_t n)
{
    wav_impl_t *w = impl;
    size_t i;

    if(atomic_load(&w->cancelled))
        return HK_ERR_BUSY;
    if(fseek(w->fp, 0, SEEK_END) != 0)
        return HK_ERR_HW;
    for(i = 0; i < n; i++) {
        uint16_t v = (uint16_t)pcm[i];
        uint8_t s[2] = { (uint8_t)v, (uint8_t)(v >> 8) }; /* little-endian on any host */

        if(fwrite(s, 1, 2, w->fp) != 2)
            return HK_ERR_HW;
    }
    w->samples += n;
    return write_header(w) == HK_OK ? HK_OK : HK_ERR_HW;
}

static void wav_cancel(void *impl)
{
    wav_impl_t *w = impl;

    atomic_store(&w->cancelled, 1);
}

static void wav_destroy(void *impl)
{
    wav_impl_t *w = impl;

    if(!w)
        return;
    if(w->fp && fclose(w->fp) != 0)
        hk_log_warn("audio", "wav: close failed; the file may be short");
    hk_free(w);
}

static hk_err_t write_header(wav_impl_t *w)
{
    uint8_t hdr[WAV_HEADER_SIZE];

    wav_header(hdr, w->samples);
    if(fseek(w->fp, 0, SEEK_SET) != 0 || fwrite(hdr, 1, sizeof(hdr), w->fp) != sizeof(hdr) ||
       fflush(w->fp) != 0)
        return HK_ERR_IO;
    return HK_OK;
}
