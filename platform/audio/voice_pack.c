/*
 * voice_pack: a table of named clips held in memory for the process's life
 * (~100 short clips, ~2 MB), loaded and checked whole at start so a missing
 * or unreadable clip is one clear error naming it, not a gap in the middle
 * of an announcement. Rendering is a copy: clips back to back, pauses as
 * zeros. It does not mix, fade or play; voice.c hands the result to a device.
 */
#include "voice_pack.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"
#include "wav.h"

#ifndef HK_VOICE_DIR_DEFAULT
#define HK_VOICE_DIR_DEFAULT "voice"
#endif

typedef struct clip {
    char *name;
    int16_t *pcm;
    size_t n;
} clip_t;

struct voice_pack {
    size_t count;
    clip_t *clips;
};

static const clip_t *find(const voice_pack_t *vp, const char *name);
static size_t pause_samples(int pause_ms);

hk_err_t voice_pack_load(const char *dir, const char *const *names, size_t n, hk_diag_t *diag,
                         voice_pack_t **out)
{
    voice_pack_t *vp = NULL;
    char path[1024];
    hk_err_t rc = HK_OK;
    size_t i;

    if(out)
        *out = NULL;
    if(!dir || !names || !out)
        return HK_ERR_INVALID;
    vp = hk_calloc(1, sizeof(*vp));
    if(!vp)
        return HK_ERR_NOMEM;
    vp->clips = hk_calloc(n ? n : 1, sizeof(*vp->clips));
    if(!vp->clips) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    for(i = 0; i < n; i++) {
        clip_t *c = &vp->clips[i];
        hk_diag_t why;

        hk_diag_clear(&why);
        if((size_t)snprintf(path, sizeof(path), "%s/%s.wav", dir, names[i]) >= sizeof(path)) {
            hk_diag_set(diag, "voice pack: clip %s: path too long", names[i]);
            rc = HK_ERR_INVALID;
            goto out;
        }
        c->name = hk_strdup(names[i]);
        if(!c->name) {
            rc = HK_ERR_NOMEM;
            goto out;
        }
        vp->count = i + 1;
        rc = wav_read_file(path, &c->pcm, &c->n, &why);
        if(rc != HK_OK) {
            hk_diag_set(diag, "voice pack: clip %s: %s: %s", names[i], path,
                        why.msg[0] ? why.msg : hk_err_str(rc));
            goto out;
        }
        if(c->n == 0)
            hk_log_warn("voice", "clip %s (%s) is empty", names[i], path);
    }
    hk_log_info("voice", "voice pack %s: %zu clips", dir, n);
    *out = vp;
out:
    if(rc != HK_OK) {
        if(diag && diag->msg[0])
            hk_log_error("voice", "%s", diag->msg);
        voice_pack_destroy(vp);
    }
    return rc;
}

void voice_pack_destroy(voice_pack_t *vp)
{
    size_t i;

    if(!vp)
        return;
    for(i = 0; i < vp->count; i++) {
        hk_free(vp->clips[i].name);
        hk_free(vp->clips[i].pcm);
    }
    hk_free(vp->clips);
    hk_free(vp);
}

hk_err_t voice_pack_clip(const voice_pack_t *vp, const char *name, const int16_t **pcm, size_t *n)
{
    const clip_t *c;

    if(!vp || !name || !pcm || !n)
        return HK_ERR_INVALID;
    c = find(vp, name);
    if(!c)
        return HK_ERR_NOT_FOUND;
    *pcm = c->pcm;
    *n = c->n;
    return HK_OK;
}

hk_err_t voice_pack_measure(const voice_pack_t *vp, const announce_t *a, size_t *n)
{
    size_t total = 0;
    int i;

    if(!vp || !a || !n)
        return HK_ERR_INVALID;
    for(i = 0; i < a->count; i++) {
        const announce_item_t *it = &a->items[i];
        const clip_t *c;

        if(!it->clip) {
            total += pause_samples(it->pause_ms);
            continue;
        }
        c = find(vp, it->clip);
        if(!c) {
            hk_log_error("voice", "announcement needs clip %s, not in the pack", it->clip);
            return HK_ERR_NOT_FOUND;
        }
        total += c->n;
    }
    *n = total;
    return HK_OK;
}

hk_err_t voice_pack_render(const voice_pack_t *vp, const announce_t *a, int16_t **pcm, size_t *n)
{
    int16_t *buf;
    size_t total = 0, at = 0;
    hk_err_t rc;
    int i;

    if(pcm)
        *pcm = NULL;
    if(n)
        *n = 0;
    if(!pcm || !n)
        return HK_ERR_INVALID;
    rc = voice_pack_measure(vp, a, &total);
    if(rc != HK_OK)
        return rc;
    buf = hk_malloc(total ? total * sizeof(*buf) : 1);
    if(!buf)
        return HK_ERR_NOMEM;
    for(i = 0; i < a->count; i++) {
        const announce_item_t *it = &a->items[i];
        size_t len;

        if(it->clip) {
            const clip_t *c = find(vp, it->clip); /* measure() found every one */

            len = c->n;
            if(len)
                memcpy(buf + at, c->pcm, len * sizeof(*buf));
        } else {
            len = pause_samples(it->pause_ms);
            memset(buf + at, 0, len * sizeof(*buf));
        }
        at += len;
    }
    *pcm = buf;
    *n = total;
    return HK_OK;
}

const char *voice_pack_name(const voice_pack_t *vp, const char *name)
{
    const clip_t *c = vp && name ? find(vp, name) : NULL;

    return c ? c->name : NULL;
}

static char installed_dir[1024]; /* "" = not installed */
static pthread_once_t installed_once = PTHREAD_ONCE_INIT;

static void find_installed(void)
{
    if(paths_installed_asset("voice", installed_dir, sizeof(installed_dir)) != HK_OK)
        installed_dir[0] = '\0';
}

const char *voice_pack_default_dir(void)
{
    const char *env = getenv("HK_VOICE_DIR");

    if(env && *env)
        return env;
    /* the package's /usr/share/hallkiosk/voice, else the build's */
    (void)pthread_once(&installed_once, find_installed); /* cannot fail once initialised */
    return installed_dir[0] ? installed_dir : HK_VOICE_DIR_DEFAULT;
}

/* ~100 clips: a linear scan per clip is cheaper than keeping an index. */
static const clip_t *find(const voice_pack_t *vp, const char *name)
{
    size_t i;

    for(i = 0; i < vp->count; i++) {
        if(strcmp(vp->clips[i].name, name) == 0)
            return &vp->clips[i];
    }
    return NULL;
}

static size_t pause_samples(int pause_ms)
{
    return pause_ms > 0 ? (size_t)pause_ms * WAV_RATE_HZ / 1000u : 0;
}
