/*
 * voicegen: the build's helper for the default voice pack (run by
 * assets/voice/generate.cmake, never on a device).
 *   voicegen chime OUT.wav      synthesise the two-tone chime
 *   voicegen tidy IN.wav OUT.wav  an espeak-ng clip made ready for assembly
 *   voicegen say DIR TICKET COUNTER zh|en|zh+en OUT.wav
 *                               a call's announcement from the pack in DIR,
 *                               through the player and the "wav" device (to
 *                               hear a pack or recordings without a display)
 * "tidy" converts to WAV_RATE_HZ mono S16, trims the silence espeak-ng
 * leaves around a word (keeping EDGE_MS so consonants are not clipped), and
 * brings the clip to a common loudness (RMS target, peak limited) so digits,
 * letters and words from two voices sound alike when strung together.
 * Recordings an operator drops in are used as they are.
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "announce.h"
#include "audio.h"
#include "hk_mem.h"
#include "voice.h"
#include "voice_pack.h"
#include "wav.h"

#define EDGE_MS       25
#define SILENCE_LEVEL 300     /* |sample| below this counts as silence (~-40 dBFS) */
#define TARGET_RMS    4000.0  /* ~-18 dBFS */
#define PEAK_LIMIT    26000.0 /* ~-2 dBFS */
#define CHIME_PEAK    20000.0 /* a little under speech peaks: a chime, not an alarm */

static int cmd_chime(const char *out);
static int cmd_tidy(const char *in, const char *out);
static int cmd_say(char **argv);

int main(int argc, char **argv)
{
    if(argc == 3 && strcmp(argv[1], "chime") == 0)
        return cmd_chime(argv[2]);
    if(argc == 4 && strcmp(argv[1], "tidy") == 0)
        return cmd_tidy(argv[2], argv[3]);
    if(argc == 7 && strcmp(argv[1], "say") == 0)
        return cmd_say(argv + 2);
    fprintf(stderr, "usage: voicegen chime OUT.wav | voicegen tidy IN.wav OUT.wav\n"
                    "       voicegen say DIR TICKET COUNTER zh|en|zh+en OUT.wav\n");
    return 2;
}

/*
 * "Ding-dong": E5 then C5, each a bell-like tone (fundamental plus a soft
 * octave) with a 5 ms attack (no click) and an exponential decay.
 */
static int cmd_chime(const char *out)
{
    static const double freq_hz[2] = { 659.25, 523.25 };
    static const double len_s[2] = { 0.45, 0.75 };
    size_t n = (size_t)((len_s[0] + len_s[1]) * WAV_RATE_HZ), i, at = 0;
    int16_t *pcm = hk_calloc(n, sizeof(*pcm));
    int t;

    if(!pcm)
        return 1;
    for(t = 0; t < 2; t++) {
        size_t len = (size_t)(len_s[t] * WAV_RATE_HZ);

        for(i = 0; i < len && at + i < n; i++) {
            double s = (double)i / WAV_RATE_HZ;
            double attack = s < 0.005 ? s / 0.005 : 1.0;
            double env = attack * exp(-s * 4.0);
            double v = sin(2.0 * M_PI * freq_hz[t] * s) + 0.3 * sin(4.0 * M_PI * freq_hz[t] * s);

            pcm[at + i] = (int16_t)lrint(v / 1.3 * env * CHIME_PEAK);
        }
        at += len;
    }
    t = wav_write_file(out, pcm, n) == HK_OK ? 0 : 1;
    hk_free(pcm);
    if(t != 0)
        fprintf(stderr, "voicegen: cannot write %s\n", out);
    return t;
}

static int cmd_tidy(const char *in, const char *out)
{
    int16_t *pcm = NULL;
    size_t n = 0, first, last, edge = (size_t)EDGE_MS * WAV_RATE_HZ / 1000u, i;
    double sum = 0.0, peak = 1.0, gain;
    hk_diag_t diag;
    int rc;

    hk_diag_clear(&diag);
    if(wav_read_file(in, &pcm, &n, &diag) != HK_OK) {
        fprintf(stderr, "voicegen: %s: %s\n", in, diag.msg);
        return 1;
    }
    for(first = 0; first < n && abs(pcm[first]) < SILENCE_LEVEL; first++)
        ;
    for(last = n; last > first && abs(pcm[last - 1]) < SILENCE_LEVEL; last--)
        ;
    if(first == last) {
        fprintf(stderr, "voicegen: %s is silent\n", in);
        hk_free(pcm);
        return 1;
    }
    first = first > edge ? first - edge : 0;
    last = last + edge < n ? last + edge : n;
    for(i = first; i < last; i++) {
        double s = pcm[i];

        sum += s * s;
        if(fabs(s) > peak)
            peak = fabs(s);
    }
    gain = TARGET_RMS / sqrt(sum / (double)(last - first));
    if(gain * peak > PEAK_LIMIT)
        gain = PEAK_LIMIT / peak;
    for(i = first; i < last; i++)
        pcm[i] = (int16_t)lrint(pcm[i] * gain);
    rc = wav_write_file(out, pcm + first, last - first) == HK_OK ? 0 : 1;
    if(rc != 0)
        fprintf(stderr, "voicegen: cannot write %s\n", out);
    hk_free(pcm);
    return rc;
}

/* argv: DIR TICKET COUNTER LANGS OUT */
static int cmd_say(char **argv)
{
    const char *names[256];
    announce_opts_t opts = { 0, 2 };
    voice_pack_t *vp = NULL;
    audio_t *dev = NULL;
    voice_t *v = NULL;
    hk_diag_t diag;
    size_t n;
    hk_err_t rc;

    if(strcmp(argv[3], "zh") == 0)
        opts.langs = ANNOUNCE_LANG_ZH;
    else if(strcmp(argv[3], "en") == 0)
        opts.langs = ANNOUNCE_LANG_EN;
    else if(strcmp(argv[3], "zh+en") == 0)
        opts.langs = ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN;
    else {
        fprintf(stderr, "voicegen: languages are zh, en or zh+en, not %s\n", argv[3]);
        return 2;
    }
    n = announce_clip_names(opts.langs, names, sizeof(names) / sizeof(names[0]));
    hk_diag_clear(&diag);
    rc = voice_pack_load(argv[0], names, n, &diag, &vp);
    if(rc == HK_OK)
        rc = audio_open("wav", argv[4], &dev);
    if(rc == HK_OK) {
        rc = voice_create(dev, vp, NULL, NULL, &v);
        if(rc != HK_OK)
            audio_destroy(dev);
    }
    if(rc == HK_OK)
        rc = voice_call(v, argv[1], atoi(argv[2]), &opts, 1);
    if(rc == HK_OK && !voice_wait_idle(v, -1))
        rc = HK_ERR_IO;
    voice_destroy(v);
    voice_pack_destroy(vp);
    if(rc != HK_OK) {
        fprintf(stderr, "voicegen: %s\n", diag.msg[0] ? diag.msg : hk_err_str(rc));
        return 1;
    }
    return 0;
}
