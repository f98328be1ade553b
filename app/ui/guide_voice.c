/*
 * guide_voice: see guide_voice.h. The pack holds the board's clips (ticket
 * characters are read with them), every guide_clip_names() clip and the
 * triage needs' clips found in the folder (g_zh_need_*.wav, g_en_need_*);
 * a folder of operator recordings without guidance clips fails the load
 * with the first missing clip named, and the kiosk keeps guidance off.
 */
#include "guide_voice.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "audio.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "voice.h"
#include "voice_pack.h"

#define MAX_NEED_CLIPS 256 /* both languages: FAQ_MAX_NEEDS is far below */

struct guide_voice {
    voice_pack_t *pack;
    voice_t *voice;
    uint64_t tag;
};

/* The player thread: log only. */
static void on_voice(void *user, voice_event_t ev, uint64_t tag, hk_err_t rc)
{
    (void)user;
    if(ev == VOICE_DONE && rc == HK_OK)
        hk_log_info("guide", "played %llu", (unsigned long long)tag);
}

static const char *resolve(void *user, const char *clip)
{
    return voice_pack_name(user, clip);
}

/* Need clips in dir: names copied into store (NUL separated), pointers in names. */
static size_t find_needs(const char *dir, char *store, size_t store_size, const char **names,
                         size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0, at = 0;

    if(!d)
        return 0;
    while((e = readdir(d)) != NULL && n < cap) {
        size_t len = strlen(e->d_name);
        if(len < 5 || strcmp(e->d_name + len - 4, ".wav") ||
           (strncmp(e->d_name, "g_zh_need_", 10) && strncmp(e->d_name, "g_en_need_", 10)))
            continue;
        if(at + len - 3 > store_size)
            break;
        memcpy(store + at, e->d_name, len - 4);
        store[at + len - 4] = '\0';
        names[n++] = store + at;
        at += len - 3;
    }
    closedir(d);
    return n;
}

hk_err_t guide_voice_create(const char *dir, const char *audio_kind, const char *audio_target,
                            guide_voice_t **out, hk_diag_t *diag)
{
    size_t n_board = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, NULL, 0);
    size_t n_guide = guide_clip_names(NULL, 0), n = 0;
    size_t cap = n_board + n_guide + MAX_NEED_CLIPS;
    const char **names = hk_calloc(cap, sizeof(*names));
    char *store = hk_malloc(MAX_NEED_CLIPS * GUIDE_CLIP_LEN);
    guide_voice_t *gv = hk_calloc(1, sizeof(*gv));
    audio_t *dev = NULL;
    hk_err_t rc = HK_ERR_NOMEM;

    *out = NULL;
    if(!dir)
        dir = voice_pack_default_dir();
    if(!names || !store || !gv)
        goto out;
    n += announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names, cap);
    n += guide_clip_names(names + n, cap - n);
    n += find_needs(dir, store, MAX_NEED_CLIPS * GUIDE_CLIP_LEN, names + n, cap - n);
    rc = voice_pack_load(dir, names, n, diag, &gv->pack);
    if(rc != HK_OK)
        goto out;
    rc = audio_open(audio_kind, audio_target, &dev);
    if(rc != HK_OK) {
        hk_diag_set(diag, "voice guidance: cannot open audio %s \"%s\": %s", audio_kind,
                    audio_target, hk_err_str(rc));
        goto out;
    }
    rc = voice_create(dev, gv->pack, on_voice, gv, &gv->voice);
    if(rc != HK_OK) {
        audio_destroy(dev);
        hk_diag_set(diag, "voice guidance: cannot start the player: %s", hk_err_str(rc));
        goto out;
    }
    hk_log_info("guide", "voice guidance ready: %zu clips from %s", n, dir);
    *out = gv;
    gv = NULL;
out:
    hk_free(store); /* the pack copied the names */
    hk_free(names);
    guide_voice_destroy(gv);
    return rc;
}

void guide_voice_destroy(guide_voice_t *gv)
{
    if(!gv)
        return;
    voice_destroy(gv->voice); /* before the pack it plays from */
    voice_pack_destroy(gv->pack);
    hk_free(gv);
}

void guide_voice_say(guide_voice_t *gv, const guide_t *g)
{
    char text[GUIDE_MAX_CLIPS * GUIDE_CLIP_LEN];
    announce_t *a;
    hk_err_t rc;

    if(!gv || g->n == 0)
        return;
    a = hk_malloc(sizeof(*a)); /* ~2 KB: off the loop's stack */
    if(!a)
        return;
    (void)voice_drop_waiting(gv->voice); /* words for a screen already left */
    if(guide_announce(g, resolve, gv->pack, a) > 0) {
        gv->tag++;
        guide_text(g, text, sizeof(text));
        rc = voice_say(gv->voice, a, gv->tag);
        if(rc == HK_OK)
            hk_log_info("guide", "say %llu: %s", (unsigned long long)gv->tag, text);
        else
            hk_log_warn("guide", "not said (%s): %s", hk_err_str(rc), text);
    }
    hk_free(a);
}

bool guide_voice_idle(guide_voice_t *gv, int timeout_ms)
{
    return !gv || voice_wait_idle(gv->voice, timeout_ms);
}
