/*
 * test_voice: the hall display's voice (issue 6, "Voice" test). A call's
 * announcement is produced through the same player and renderer as the
 * loudspeaker and written to a WAV ("wav" backend), is not silent, and its
 * length is its clips' lengths plus the phrase pauses; queued calls play one
 * after another and a recall repeats the announcement sample for sample; on
 * SDL audio (SDL_AUDIODRIVER=disk, real-time pace) the second call starts
 * only after the first ended and calling never blocks. Also: the generated
 * pack's clips, WAV input an operator may drop in (converted or refused
 * with a reason), a missing clip named, shutdown reporting every waiting
 * announcement, and allocation failures while loading.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "announce.h"
#include "audio.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "voice.h"
#include "voice_pack.h"
#include "wav.h"

#define PACK_DIR   HK_BINARY_DIR "/voice"
#define RMS_FLOOR  1000.0 /* ~-30 dBFS: speech levelled to ~-18 dBFS is far above */
#define MAX_EVENTS 32

/* What notify saw, in order, with when (monotonic ms). */
typedef struct recorder {
    pthread_mutex_t lock;
    int count;
    char ev[MAX_EVENTS]; /* 'S' started, 'D' done */
    uint64_t tag[MAX_EVENTS];
    hk_err_t rc[MAX_EVENTS];
    double at_ms[MAX_EVENTS];
} recorder_t;

static recorder_t rec;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void record(void *user, voice_event_t ev, uint64_t tag, hk_err_t rc)
{
    recorder_t *r = user;

    pthread_mutex_lock(&r->lock);
    if(r->count < MAX_EVENTS) {
        r->ev[r->count] = ev == VOICE_STARTED ? 'S' : 'D';
        r->tag[r->count] = tag;
        r->rc[r->count] = rc;
        r->at_ms[r->count] = now_ms();
        r->count++;
    }
    pthread_mutex_unlock(&r->lock);
}

/* "S1 D1 S2 D2": the events so far */
static const char *events(void)
{
    static char s[MAX_EVENTS * 8];
    size_t at = 0;
    int i;

    s[0] = '\0';
    pthread_mutex_lock(&rec.lock);
    for(i = 0; i < rec.count; i++)
        at += (size_t)snprintf(s + at, sizeof(s) - at, "%s%c%llu", i ? " " : "", rec.ev[i],
                               (unsigned long long)rec.tag[i]);
    pthread_mutex_unlock(&rec.lock);
    return s;
}

void setUp(void)
{
    memset(&rec, 0, sizeof(rec));
    pthread_mutex_init(&rec.lock, NULL);
}

void tearDown(void)
{
    hk_mem_fail_nth(0);
    pthread_mutex_destroy(&rec.lock);
}

static double rms(const int16_t *pcm, size_t n)
{
    double sum = 0.0;
    size_t i;

    for(i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    return n ? sqrt(sum / (double)n) : 0.0;
}

static const char *const *all_names(size_t *n)
{
    static const char *names[256];

    *n = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names, 256);
    HK_ASSERT(*n <= 256);
    return names;
}

static voice_pack_t *load_real_pack(void)
{
    voice_pack_t *vp = NULL;
    hk_diag_t diag;
    size_t n;
    const char *const *names = all_names(&n);

    hk_diag_clear(&diag);
    HK_ASSERT_MSG(voice_pack_load(PACK_DIR, names, n, &diag, &vp) == HK_OK,
                  "the generated pack (build target hk_voice_pack): %s", diag.msg);
    return vp;
}

/* A sine tone clip <dir>/<name>.wav. */
static void write_tone(const char *name, double freq_hz, int ms, double amp)
{
    size_t n = (size_t)ms * WAV_RATE_HZ / 1000u, i;
    int16_t *pcm = hk_malloc(n * sizeof(*pcm));
    char path[512];

    HK_ASSERT(pcm != NULL);
    for(i = 0; i < n; i++)
        pcm[i] = (int16_t)(amp * sin(2.0 * 3.14159265358979 * freq_hz * (double)i / WAV_RATE_HZ));
    snprintf(path, sizeof(path), "%s/%s.wav", hk_test_tmpdir(), name);
    HK_ASSERT_OK(wav_write_file(path, pcm, n));
    hk_free(pcm);
}

/* Read a whole file into hk_malloc'd memory. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf;
    long size;

    HK_ASSERT_MSG(fp != NULL, "cannot open %s", path);
    HK_ASSERT(fseek(fp, 0, SEEK_END) == 0);
    size = ftell(fp);
    HK_ASSERT(size >= 0 && fseek(fp, 0, SEEK_SET) == 0);
    buf = hk_malloc((size_t)size + 1);
    HK_ASSERT(buf != NULL);
    HK_ASSERT(fread(buf, 1, (size_t)size, fp) == (size_t)size);
    fclose(fp);
    *len = (size_t)size;
    return buf;
}

/* Index of needle in hay at or after from, or (size_t)-1. */
static size_t find_pcm(const int16_t *hay, size_t hay_n, const int16_t *needle, size_t n,
                       size_t from)
{
    size_t i;

    for(i = from; n && i + n <= hay_n; i++) {
        if(hay[i] == needle[0] && memcmp(hay + i, needle, n * sizeof(*hay)) == 0)
            return i;
    }
    return (size_t)-1;
}

static void render_call(const voice_pack_t *vp, const char *ticket, int counter, unsigned langs,
                        int16_t **pcm, size_t *n)
{
    announce_opts_t opts = { langs, 2 };
    announce_t a;

    HK_ASSERT_OK(announce_build(ticket, counter, &opts, &a));
    HK_ASSERT_OK(voice_pack_render(vp, &a, pcm, n));
}

/* ---- WAV input ---------------------------------------------------------- */

static size_t put_chunk(uint8_t *at, const char *id, const void *body, uint32_t len)
{
    memcpy(at, id, 4);
    at[4] = (uint8_t)len;
    at[5] = (uint8_t)(len >> 8);
    at[6] = (uint8_t)(len >> 16);
    at[7] = (uint8_t)(len >> 24);
    memcpy(at + 8, body, len);
    return 8u + len + (len & 1u);
}

/* RIFF/WAVE with a fmt chunk (format, channels, rate, bits), a LIST chunk
 * between fmt and data as editors write them, and data. */
static size_t make_wav(uint8_t *buf, unsigned format, unsigned ch, unsigned rate, unsigned bits,
                       const int16_t *data, size_t frames)
{
    uint8_t fmt[16] = { 0 };
    unsigned block = ch * bits / 8u;
    size_t at = 12;

    fmt[0] = (uint8_t)format;
    fmt[2] = (uint8_t)ch;
    fmt[4] = (uint8_t)rate;
    fmt[5] = (uint8_t)(rate >> 8);
    fmt[6] = (uint8_t)(rate >> 16);
    fmt[8] = (uint8_t)(rate * block);
    fmt[9] = (uint8_t)((rate * block) >> 8);
    fmt[10] = (uint8_t)((rate * block) >> 16);
    fmt[12] = (uint8_t)block;
    fmt[14] = (uint8_t)bits;
    memcpy(buf, "RIFF\0\0\0\0WAVE", 12);
    at += put_chunk(buf + at, "fmt ", fmt, 16);
    at += put_chunk(buf + at, "LIST", "INFOISFT\3\0\0\0hk\0", 15);
    at += put_chunk(buf + at, "data", data, (uint32_t)(frames * block));
    return at;
}

static void test_wav_stereo_44k_is_mixed_down_and_resampled(void)
{
    static int16_t frames[4410 * 2];
    static uint8_t buf[sizeof(frames) + 256];
    int16_t *pcm = NULL;
    size_t n = 0, len, i;

    for(i = 0; i < 4410; i++) {
        frames[2 * i] = 1000;     /* left */
        frames[2 * i + 1] = 3000; /* right */
    }
    len = make_wav(buf, 1, 2, 44100, 16, frames, 4410);
    HK_ASSERT_OK(wav_parse(buf, len, &pcm, &n, NULL));
    HK_ASSERT_INT(2205, n); /* 0.1 s at 22050 Hz */
    for(i = 0; i < n; i++)
        HK_ASSERT_INT(2000, pcm[i]);
    hk_free(pcm);
}

static void test_wav_write_then_read_is_identical(void)
{
    int16_t out[5] = { 0, 32767, -32768, 1, -1 };
    int16_t *pcm = NULL;
    size_t n = 0;

    HK_ASSERT_OK(wav_write_file(hk_test_path("x.wav"), out, 5));
    HK_ASSERT_OK(wav_read_file(hk_test_path("x.wav"), &pcm, &n, NULL));
    HK_ASSERT_INT(5, n);
    HK_ASSERT(memcmp(out, pcm, sizeof(out)) == 0);
    hk_free(pcm);
}

static void test_wav_refuses_what_it_cannot_read_with_a_reason(void)
{
    static const int16_t data[64] = { 0 };
    uint8_t buf[512];
    int16_t *pcm = (int16_t *)1;
    size_t n = 7, len;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_CORRUPT, wav_parse((const uint8_t *)"RIFX....WAVE", 12, &pcm, &n, &diag));
    HK_ASSERT(pcm == NULL && n == 0);
    HK_ASSERT_CONTAINS(diag.msg, "RIFF");

    len = make_wav(buf, 1, 1, 22050, 8, data, 64); /* 8-bit */
    HK_ASSERT_INT(HK_ERR_INVALID, wav_parse(buf, len, &pcm, &n, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "8 bits");
    len = make_wav(buf, 3, 1, 22050, 16, data, 32); /* IEEE float tag */
    HK_ASSERT_INT(HK_ERR_INVALID, wav_parse(buf, len, &pcm, &n, &diag));
    len = make_wav(buf, 1, 1, 4000, 16, data, 32); /* rate below 8 kHz */
    HK_ASSERT_INT(HK_ERR_INVALID, wav_parse(buf, len, &pcm, &n, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "4000 Hz");
    len = make_wav(buf, 1, 3, 22050, 16, data, 16); /* 3 channels */
    HK_ASSERT_INT(HK_ERR_INVALID, wav_parse(buf, len, &pcm, &n, &diag));

    /* fmt cut short by the end of the file */
    len = make_wav(buf, 1, 1, 22050, 16, data, 32);
    HK_ASSERT_INT(HK_ERR_CORRUPT, wav_parse(buf, 12 + 8 + 10, &pcm, &n, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "past the end");
    /* no data chunk at all */
    HK_ASSERT_INT(HK_ERR_CORRUPT, wav_parse(buf, 12 + 8 + 16, &pcm, &n, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "no data");
    /* a data chunk cut short (a recorder killed mid-write) keeps what is there */
    HK_ASSERT_OK(wav_parse(buf, len - 20, &pcm, &n, &diag));
    HK_ASSERT_INT(32 - 10, n);
    hk_free(pcm);
    /* a missing file is NOT_FOUND */
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, wav_read_file(hk_test_path("none.wav"), &pcm, &n, &diag));
}

/* ---- the voice pack ----------------------------------------------------- */

static void test_missing_clip_is_an_error_naming_it(void)
{
    static const char *const names[] = { "chime", "zh_hao" };
    voice_pack_t *vp = (voice_pack_t *)1;
    hk_diag_t diag;

    write_tone("chime", 660.0, 100, 8000.0);
    hk_diag_clear(&diag);
    hk_log_set_stderr(false);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, voice_pack_load(hk_test_tmpdir(), names, 2, &diag, &vp));
    hk_log_set_stderr(true);
    HK_ASSERT(vp == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "clip zh_hao");
    HK_ASSERT_CONTAINS(diag.msg, "zh_hao.wav");
}

static void test_pack_load_survives_every_allocation_failure(void)
{
    static const char *const names[] = { "t1", "t2", "t3" };
    voice_pack_t *vp = NULL;
    long base = hk_mem_live(), nth;
    hk_err_t rc = HK_ERR_NOMEM;

    write_tone("t1", 440.0, 50, 8000.0);
    write_tone("t2", 550.0, 50, 8000.0);
    write_tone("t3", 660.0, 50, 8000.0);
    hk_log_set_stderr(false);
    for(nth = 1; rc == HK_ERR_NOMEM; nth++) {
        hk_mem_fail_nth(nth);
        rc = voice_pack_load(hk_test_tmpdir(), names, 3, NULL, &vp);
        hk_mem_fail_nth(0);
        if(rc == HK_ERR_NOMEM) {
            HK_ASSERT(vp == NULL);
            HK_ASSERT_INT(base, hk_mem_live());
        }
    }
    hk_log_set_stderr(true);
    HK_ASSERT_OK(rc);
    HK_ASSERT_MSG(nth > 6, "only %ld allocations: the loop proved nothing", nth - 1);
    voice_pack_destroy(vp);
}

/* Each generated clip is a word's length and audible; prints a summary. */
static void test_generated_clips_are_word_sized_and_not_silent(void)
{
    voice_pack_t *vp = load_real_pack();
    size_t n, i;
    const char *const *names = all_names(&n);
    double shortest = 1e9, longest = 0.0, quietest = 1e9;
    const char *short_name = "", *long_name = "", *quiet_name = "";

    for(i = 0; i < n; i++) {
        const int16_t *pcm;
        size_t len;
        double secs, r;

        HK_ASSERT_OK(voice_pack_clip(vp, names[i], &pcm, &len));
        secs = (double)len / WAV_RATE_HZ;
        r = rms(pcm, len);
        HK_ASSERT_MSG(secs >= 0.1 && secs <= 1.6, "clip %s lasts %.3f s", names[i], secs);
        HK_ASSERT_MSG(r > RMS_FLOOR, "clip %s is too quiet: RMS %.0f", names[i], r);
        if(secs < shortest) {
            shortest = secs;
            short_name = names[i];
        }
        if(secs > longest) {
            longest = secs;
            long_name = names[i];
        }
        if(r < quietest) {
            quietest = r;
            quiet_name = names[i];
        }
    }
    printf("# %zu clips: shortest %s %.3f s, longest %s %.3f s, quietest %s RMS %.0f\n", n,
           short_name, shortest, long_name, longest, quiet_name, quietest);
    voice_pack_destroy(vp);
}

/* ---- announcements through the player ----------------------------------- */

static void test_call_renders_to_wav_not_silent_and_sized_to_its_clips(void)
{
    static const unsigned langs[2] = { ANNOUNCE_LANG_ZH, ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN };
    voice_pack_t *vp = load_real_pack();
    int l;

    for(l = 0; l < 2; l++) {
        announce_opts_t opts = { langs[l], 2 };
        announce_t a;
        audio_t *dev = NULL;
        voice_t *v = NULL;
        int16_t *played = NULL, *rendered = NULL;
        size_t n_played = 0, n_rendered = 0, clips = 0;
        double pauses_ms = 0.0, secs;
        int i;

        rec.count = 0;
        HK_ASSERT_OK(audio_open("wav", hk_test_path("call.wav"), &dev));
        HK_ASSERT_OK(voice_create(dev, vp, record, &rec, &v));
        HK_ASSERT_OK(voice_call(v, "A023", 3, &opts, 1));
        HK_ASSERT(voice_wait_idle(v, 10000));
        voice_destroy(v);
        HK_ASSERT_STR("S1 D1", events());
        HK_ASSERT_INT(HK_OK, rec.rc[1]);

        HK_ASSERT_OK(wav_read_file(hk_test_path("call.wav"), &played, &n_played, NULL));
        HK_ASSERT_OK(announce_build("A023", 3, &opts, &a));
        HK_ASSERT_OK(voice_pack_render(vp, &a, &rendered, &n_rendered));
        /* what the device got is what the renderer made, sample for sample */
        HK_ASSERT_INT(n_rendered, n_played);
        HK_ASSERT(memcmp(played, rendered, n_played * sizeof(*played)) == 0);
        HK_ASSERT_MSG(rms(played, n_played) > RMS_FLOOR, "announcement RMS %.0f",
                      rms(played, n_played));
        /* its clips back to back, plus no more than the phrase pauses */
        for(i = 0; i < a.count; i++) {
            const int16_t *pcm;
            size_t len;

            if(!a.items[i].clip) {
                pauses_ms += a.items[i].pause_ms;
                continue;
            }
            HK_ASSERT_OK(voice_pack_clip(vp, a.items[i].clip, &pcm, &len));
            clips += len;
        }
        HK_ASSERT(pauses_ms <= 2500.0); /* the gap budget */
        HK_ASSERT(n_played >= clips);
        HK_ASSERT(n_played <= clips + (size_t)(2500.0 * WAV_RATE_HZ / 1000.0));
        secs = (double)n_played / WAV_RATE_HZ;
        printf("# A023 -> 3 (%s, twice): %.2f s (clips %.2f s + pauses %.2f s), RMS %.0f\n",
               l ? "zh+en" : "zh", secs, (double)clips / WAV_RATE_HZ, pauses_ms / 1000.0,
               rms(played, n_played));
        hk_free(played);
        hk_free(rendered);
    }
    voice_pack_destroy(vp);
}

static void test_queued_calls_play_in_order_and_a_recall_repeats(void)
{
    announce_opts_t opts = { ANNOUNCE_LANG_ZH, 2 };
    voice_pack_t *vp = load_real_pack();
    audio_t *dev = NULL;
    voice_t *v = NULL;
    const int16_t *played;
    int16_t *r1 = NULL, *r2 = NULL;
    uint8_t *file;
    size_t n_played, file_len, n1 = 0, n2 = 0;

    HK_ASSERT_OK(audio_open("wav", hk_test_path("calls.wav"), &dev));
    HK_ASSERT_OK(voice_create(dev, vp, record, &rec, &v));
    HK_ASSERT_OK(voice_call(v, "A023", 3, &opts, 1));
    HK_ASSERT_OK(voice_call(v, "B105", 12, &opts, 2));
    HK_ASSERT_OK(voice_call(v, "A023", 3, &opts, 3)); /* the recall of the first */
    HK_ASSERT(voice_wait_idle(v, 10000));
    voice_destroy(v);
    HK_ASSERT_STR("S1 D1 S2 D2 S3 D3", events());

    /* three calls are longer than a clip may be: read the samples raw */
    file = slurp(hk_test_path("calls.wav"), &file_len);
    HK_ASSERT(file_len >= WAV_HEADER_SIZE);
    played = (const int16_t *)(const void *)(file + WAV_HEADER_SIZE);
    n_played = (file_len - WAV_HEADER_SIZE) / 2;
    render_call(vp, "A023", 3, ANNOUNCE_LANG_ZH, &r1, &n1);
    render_call(vp, "B105", 12, ANNOUNCE_LANG_ZH, &r2, &n2);
    HK_ASSERT(n1 != n2 || memcmp(r1, r2, n1 * sizeof(*r1)) != 0);
    HK_ASSERT_INT(n1 + n2 + n1, n_played);
    HK_ASSERT(memcmp(played, r1, n1 * sizeof(*r1)) == 0);
    HK_ASSERT(memcmp(played + n1, r2, n2 * sizeof(*r2)) == 0);
    HK_ASSERT(memcmp(played + n1 + n2, r1, n1 * sizeof(*r1)) == 0);
    hk_free(file);
    hk_free(r1);
    hk_free(r2);
    voice_pack_destroy(vp);
}

static void test_a_call_needing_a_clip_the_pack_lacks_is_refused_at_once(void)
{
    announce_opts_t en = { ANNOUNCE_LANG_EN, 1 };
    const char *names[64];
    size_t n = announce_clip_names(ANNOUNCE_LANG_ZH, names, 64);
    voice_pack_t *vp = NULL;
    audio_t *dev = NULL;
    voice_t *v = NULL;

    HK_ASSERT_OK(voice_pack_load(PACK_DIR, names, n, NULL, &vp)); /* Chinese clips only */
    HK_ASSERT_OK(audio_open("wav", hk_test_path("x.wav"), &dev));
    HK_ASSERT_OK(voice_create(dev, vp, record, &rec, &v));
    hk_log_set_stderr(false);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, voice_call(v, "A023", 3, &en, 1));
    hk_log_set_stderr(true);
    HK_ASSERT_INT(HK_ERR_INVALID, voice_call(v, "A-23", 3, &en, 2));
    HK_ASSERT(voice_wait_idle(v, 1000));
    voice_destroy(v);
    HK_ASSERT_STR("", events()); /* refused calls are not reported later */
    voice_pack_destroy(vp);
}

/* ---- a device that plays until cancelled: shutdown and a full queue ------ */

typedef struct stuck {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int cancelled;
    int open; /* the gate: plays pass (voice guidance's drop test) */
} stuck_t;

static hk_err_t stuck_play(void *impl, const int16_t *pcm, size_t n)
{
    stuck_t *s = impl;

    (void)pcm;
    (void)n;
    pthread_mutex_lock(&s->lock);
    while(!s->cancelled && !s->open)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return s->open ? HK_OK : HK_ERR_BUSY;
}

static void stuck_cancel(void *impl)
{
    stuck_t *s = impl;

    pthread_mutex_lock(&s->lock);
    s->cancelled = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void test_destroy_reports_every_waiting_announcement_and_the_queue_is_bounded(void)
{
    static const audio_ops_t stuck_ops = { stuck_play, stuck_cancel, NULL };
    static const char *const names[] = { "chime" };
    announce_t a;
    stuck_t s;
    voice_pack_t *vp = NULL;
    audio_t *dev = NULL;
    voice_t *v = NULL;
    uint64_t tag;
    int i, started = 0;

    memset(&s, 0, sizeof(s));
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.cond, NULL);
    write_tone("chime", 660.0, 100, 8000.0);
    HK_ASSERT_OK(voice_pack_load(hk_test_tmpdir(), names, 1, NULL, &vp));
    memset(&a, 0, sizeof(a));
    a.count = 1;
    a.items[0].clip = "chime";
    HK_ASSERT_OK(audio_create(&stuck_ops, &s, &dev));
    HK_ASSERT_OK(voice_create(dev, vp, record, &rec, &v));
    HK_ASSERT_OK(voice_say(v, &a, 1));
    for(i = 0; i < 2000 && !started; i++) { /* the player took #1 and is stuck in play */
        pthread_mutex_lock(&rec.lock);
        started = rec.count > 0;
        pthread_mutex_unlock(&rec.lock);
        if(!started)
            nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
    }
    HK_ASSERT(started);
    for(tag = 2; tag < 2 + VOICE_QUEUE_MAX; tag++)
        HK_ASSERT_OK(voice_say(v, &a, tag));
    hk_log_set_stderr(false);
    HK_ASSERT_INT(HK_ERR_BUSY, voice_say(v, &a, 99));
    hk_log_set_stderr(true);
    HK_ASSERT(!voice_wait_idle(v, 20));
    voice_destroy(v);
    /* #1 cut off, the 16 waiting dropped: each one DONE(BUSY), in order */
    HK_ASSERT_INT(2 + VOICE_QUEUE_MAX, rec.count);
    HK_ASSERT(rec.ev[0] == 'S' && rec.tag[0] == 1);
    for(i = 1; i < rec.count; i++) {
        HK_ASSERT(rec.ev[i] == 'D');
        HK_ASSERT_INT(i, rec.tag[i]);
        HK_ASSERT_INT(HK_ERR_BUSY, rec.rc[i]);
    }
    voice_pack_destroy(vp);
    pthread_cond_destroy(&s.cond);
    pthread_mutex_destroy(&s.lock);
}

/* Voice guidance (SELFHELP): the words for a screen already left are
 * dropped, the one playing is not; each dropped one is DONE(BUSY), unplayed. */
static void test_drop_waiting_skips_the_waiting_not_the_playing(void)
{
    static const audio_ops_t gate_ops = { stuck_play, stuck_cancel, NULL };
    static const char *const names[] = { "chime" };
    announce_t a;
    stuck_t s;
    voice_pack_t *vp = NULL;
    audio_t *dev = NULL;
    voice_t *v = NULL;
    int i, started = 0;

    memset(&s, 0, sizeof(s));
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.cond, NULL);
    write_tone("chime", 660.0, 100, 8000.0);
    HK_ASSERT_OK(voice_pack_load(hk_test_tmpdir(), names, 1, NULL, &vp));
    memset(&a, 0, sizeof(a));
    a.count = 1;
    a.items[0].clip = "chime";
    HK_ASSERT_OK(audio_create(&gate_ops, &s, &dev));
    HK_ASSERT_OK(voice_create(dev, vp, record, &rec, &v));
    HK_ASSERT_OK(voice_say(v, &a, 1));
    for(i = 0; i < 2000 && !started; i++) { /* #1 is playing (held at the gate) */
        pthread_mutex_lock(&rec.lock);
        started = rec.count > 0;
        pthread_mutex_unlock(&rec.lock);
        if(!started)
            nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
    }
    HK_ASSERT(started);
    HK_ASSERT_OK(voice_say(v, &a, 2));
    HK_ASSERT_OK(voice_say(v, &a, 3));
    HK_ASSERT_INT(2, voice_drop_waiting(v));
    HK_ASSERT_INT(0, voice_drop_waiting(v)); /* already dropped */
    HK_ASSERT_OK(voice_say(v, &a, 4));
    pthread_mutex_lock(&s.lock);
    s.open = 1;
    pthread_cond_broadcast(&s.cond);
    pthread_mutex_unlock(&s.lock);
    HK_ASSERT(voice_wait_idle(v, 5000));
    voice_destroy(v);
    /* S1 D1(OK) D2(BUSY) D3(BUSY) S4 D4(OK) */
    HK_ASSERT_INT(6, rec.count);
    HK_ASSERT(rec.ev[0] == 'S' && rec.tag[0] == 1);
    HK_ASSERT(rec.ev[1] == 'D' && rec.tag[1] == 1 && rec.rc[1] == HK_OK);
    HK_ASSERT(rec.ev[2] == 'D' && rec.tag[2] == 2 && rec.rc[2] == HK_ERR_BUSY);
    HK_ASSERT(rec.ev[3] == 'D' && rec.tag[3] == 3 && rec.rc[3] == HK_ERR_BUSY);
    HK_ASSERT(rec.ev[4] == 'S' && rec.tag[4] == 4);
    HK_ASSERT(rec.ev[5] == 'D' && rec.tag[5] == 4 && rec.rc[5] == HK_OK);
    voice_pack_destroy(vp);
    pthread_cond_destroy(&s.cond);
    pthread_mutex_destroy(&s.lock);
}

/* ---- SDL audio in real time (disk driver) -------------------------------- */

static void test_sdl_plays_queued_calls_one_after_another_without_blocking_the_caller(void)
{
    static const char *const names[] = { "t1", "t2" };
    char raw_path[512];
    announce_t a1, a2;
    voice_pack_t *vp = NULL;
    audio_t *dev = NULL;
    voice_t *v = NULL;
    int16_t *r1 = NULL, *r2 = NULL;
    uint8_t *raw;
    size_t n1 = 0, n2 = 0, raw_len, o1, o2;
    double t0, call_ms, dur1_ms;
    hk_err_t rc;

    write_tone("t1", 440.0, 200, 8000.0);
    write_tone("t2", 880.0, 150, 12000.0);
    HK_ASSERT_OK(voice_pack_load(hk_test_tmpdir(), names, 2, NULL, &vp));
    memset(&a1, 0, sizeof(a1));
    a1.count = 3; /* t1, 100 ms, t1: 0.5 s */
    a1.items[0].clip = "t1";
    a1.items[1].pause_ms = 100;
    a1.items[2].clip = "t1";
    a2 = a1; /* t2, 100 ms, t2: 0.4 s */
    a2.items[0].clip = "t2";
    a2.items[2].clip = "t2";
    HK_ASSERT_OK(voice_pack_render(vp, &a1, &r1, &n1));
    HK_ASSERT_OK(voice_pack_render(vp, &a2, &r2, &n2));

    /* SDL's disk driver writes what the device plays to a raw file, pacing
     * itself like a sound card (a buffer's duration per buffer). */
    snprintf(raw_path, sizeof(raw_path), "%s", hk_test_path("sdl.raw"));
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", raw_path, 1);
    rc = audio_open("sdl", "", &dev);
    if(rc == HK_ERR_NOT_FOUND) {
        printf("# skipped: built without SDL audio (HK_BUILD_UI=OFF)\n");
        voice_pack_destroy(vp);
        hk_free(r1);
        hk_free(r2);
        return;
    }
    HK_ASSERT_OK(rc);
    HK_ASSERT_OK(voice_create(dev, vp, record, &rec, &v));
    t0 = now_ms();
    HK_ASSERT_OK(voice_say(v, &a1, 1));
    HK_ASSERT_OK(voice_say(v, &a2, 2));
    call_ms = now_ms() - t0;
    HK_ASSERT(voice_wait_idle(v, 10000));
    voice_destroy(v); /* closes the device: the raw file is complete */
    HK_ASSERT_STR("S1 D1 S2 D2", events());
    HK_ASSERT_INT(HK_OK, rec.rc[1]);
    HK_ASSERT_INT(HK_OK, rec.rc[3]);
    /* calling returned at once; the first call took its real time to play */
    HK_ASSERT_MSG(call_ms < 50.0, "two calls took %.1f ms", call_ms);
    dur1_ms = (double)n1 * 1000.0 / WAV_RATE_HZ;
    HK_ASSERT_MSG(rec.at_ms[1] - rec.at_ms[0] >= dur1_ms * 0.8,
                  "call 1 done %.0f ms after its start; it lasts %.0f ms",
                  rec.at_ms[1] - rec.at_ms[0], dur1_ms);
    HK_ASSERT(rec.at_ms[2] >= rec.at_ms[1]);

    /* on the device's timeline: call 2 starts after call 1 ended */
    raw = slurp(raw_path, &raw_len);
    o1 = find_pcm((const int16_t *)(const void *)raw, raw_len / 2, r1, n1, 0);
    HK_ASSERT_MSG(o1 != (size_t)-1, "call 1 not found in what the device played");
    o2 = find_pcm((const int16_t *)(const void *)raw, raw_len / 2, r2, n2, 0);
    HK_ASSERT_MSG(o2 != (size_t)-1, "call 2 not found in what the device played");
    HK_ASSERT_MSG(o2 >= o1 + n1, "call 2 starts at sample %zu, call 1 ends at %zu", o2, o1 + n1);
    printf("# sdl/disk: say() x2 %.2f ms; call 1 at %.0f ms (device sample %zu), lasted %.0f ms; "
           "call 2 at sample %zu\n",
           call_ms, rec.at_ms[0] - t0, o1, rec.at_ms[1] - rec.at_ms[0], o2);
    hk_free(raw);
    hk_free(r1);
    hk_free(r2);
    voice_pack_destroy(vp);
}

int main(void)
{
    HK_RUN(test_wav_stereo_44k_is_mixed_down_and_resampled);
    HK_RUN(test_wav_write_then_read_is_identical);
    HK_RUN(test_wav_refuses_what_it_cannot_read_with_a_reason);
    HK_RUN(test_missing_clip_is_an_error_naming_it);
    HK_RUN(test_pack_load_survives_every_allocation_failure);
    HK_RUN(test_generated_clips_are_word_sized_and_not_silent);
    HK_RUN(test_call_renders_to_wav_not_silent_and_sized_to_its_clips);
    HK_RUN(test_queued_calls_play_in_order_and_a_recall_repeats);
    HK_RUN(test_a_call_needing_a_clip_the_pack_lacks_is_refused_at_once);
    HK_RUN(test_destroy_reports_every_waiting_announcement_and_the_queue_is_bounded);
    HK_RUN(test_drop_waiting_skips_the_waiting_not_the_playing);
    HK_RUN(test_sdl_plays_queued_calls_one_after_another_without_blocking_the_caller);
    return hk_test_end();
}
