/*
 * voice_pack: the clips an announcement is assembled from, loaded once at
 * start from a folder of <name>.wav files (the pack the build generates
 * from assets/voice/manifest.tsv, or an operator's recordings with the same
 * names), and the one function that turns an announce_t into samples. The
 * device path and the tests both render through voice_pack_render().
 */
#ifndef HK_PLATFORM_AUDIO_VOICE_PACK_H
#define HK_PLATFORM_AUDIO_VOICE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "announce.h"
#include "hk_err.h"

typedef struct voice_pack voice_pack_t;

/**
 * Load <dir>/<name>.wav for every name, converted to WAV_RATE_HZ mono S16.
 * @param dir    the pack's folder; borrowed.
 * @param names  n clip names (announce_clip_names()); copied.
 * @param diag   on failure names the clip and the file: "voice pack: clip
 *               zh_hao: /x/zh_hao.wav: No such file or directory".
 * @param out    free with voice_pack_destroy().
 * @return HK_OK, HK_ERR_NOT_FOUND (a clip's file is missing), HK_ERR_CORRUPT
 *         or HK_ERR_INVALID (a file we cannot read), HK_ERR_IO, HK_ERR_NOMEM.
 */
hk_err_t voice_pack_load(const char *dir, const char *const *names, size_t n, hk_diag_t *diag,
                         voice_pack_t **out);

void voice_pack_destroy(voice_pack_t *vp); /* NULL ok */

/**
 * A loaded clip's samples. The pointer stays valid until voice_pack_destroy().
 * @return HK_OK, HK_ERR_NOT_FOUND when the pack has no clip of that name.
 */
hk_err_t voice_pack_clip(const voice_pack_t *vp, const char *name, const int16_t **pcm, size_t *n);

/**
 * The pack's own copy of a clip's name, valid until voice_pack_destroy()
 * (an announce_t may borrow it): for names built at run time, such as the
 * voice guidance's triage needs.
 * @return NULL when the pack has no clip of that name.
 */
const char *voice_pack_name(const voice_pack_t *vp, const char *name);

/**
 * Samples an announcement takes: its clips' lengths plus its pauses.
 * @return HK_OK, HK_ERR_NOT_FOUND (a clip the pack does not hold).
 */
hk_err_t voice_pack_measure(const voice_pack_t *vp, const announce_t *a, size_t *n);

/**
 * Render an announcement: each clip's samples in order, silence for pauses.
 * @param pcm  receives the samples; free with hk_free().
 * @return HK_OK, HK_ERR_NOT_FOUND (a clip the pack does not hold), _NOMEM.
 */
hk_err_t voice_pack_render(const voice_pack_t *vp, const announce_t *a, int16_t **pcm, size_t *n);

/**
 * $HK_VOICE_DIR when set, else the installed pack when the program is
 * installed (/usr/share/hallkiosk/voice, paths_installed_asset), else the
 * pack the build generated (build/voice). Any thread.
 * @return a string valid for the process's life.
 */
const char *voice_pack_default_dir(void);

#endif
