/*
 * test_voice_guide: the kiosk's voice guidance (issue 8.6) on the real
 * hallkiosk process, headless, driven by a script; its voice goes to
 * DATA_DIR/kiosk-voice.wav through the hall board's voice layer (the
 * generated espeak-ng pack, the same player) and each utterance is logged.
 *   - off by default: a journey without the toggle says nothing and opens
 *     no voice file;
 *   - the header's toggle turns it on: "voice guidance is on" and the
 *     screen's title; then every screen's title and the choice tapped, in
 *     Chinese, and in English once the language is switched;
 *   - what was played is exactly the rendering of what was said (the WAV
 *     is those utterances back to back);
 *   - on the report form the field names are said, never the phone number
 *     typed (no digit clip in any utterance, the digits nowhere in the log);
 *   - the toggle again: "voice guidance is off", then silence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guide.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "voice_pack.h"
#include "wav.h"

#define MAX_SAID 64

/* The header's voice toggle at 1080x1920, normal text (the lower of the two
 * round buttons left of the large-text pill), in Chinese and in English. */
#define VOICE_TAP    "tap 481 109\n"
#define VOICE_TAP_EN "tap 505 111\n"

void setUp(void)
{
}

void tearDown(void)
{
}

/* Run hallkiosk headless at 1080x1920 with script_text; stderr goes to
 * <tmp>/stderr.txt, the voice to <tmp>/data/kiosk-voice.wav. */
static int run_kiosk(const char *script_text)
{
    char data[1024], err[1024], bin[1024], config[1024], script[1024], faq[1024];
    FILE *f;
    pid_t pid;
    int status;

    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    snprintf(err, sizeof(err), "%s/stderr.txt", hk_test_tmpdir());
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(config, sizeof(config), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    snprintf(faq, sizeof(faq), "%s/tests/ui/fixtures/faq", HK_SOURCE_DIR);
    snprintf(script, sizeof(script), "%s/script.txt", hk_test_tmpdir());
    f = fopen(script, "wb");
    HK_ASSERT(f != NULL);
    fputs(script_text, f);
    fclose(f);
    remove(err);
    fflush(stdout);
    pid = fork();
    if(pid == 0) {
        if(!freopen(err, "w", stderr))
            _exit(126);
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        setenv("HK_FAQ_DIR", faq, 1);
        unsetenv("HK_DATA_DIR");
        unsetenv("HK_VOICE_DIR");
        execl(bin, bin, "--headless", "--config", config, "--size", "1080x1920", "--data-dir", data,
              "--script", script, (char *)NULL);
        _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What the kiosk said ("guide ... say N: clips") and whether N was played. */
typedef struct said {
    int n;
    unsigned long long tag[MAX_SAID];
    char clips[MAX_SAID][GUIDE_MAX_CLIPS * GUIDE_CLIP_LEN];
    int played[MAX_SAID];
} said_t;

static void read_said(said_t *s)
{
    unsigned long long played[MAX_SAID];
    char path[1024], *log, *line;
    int n_played = 0, i, j;

    memset(s, 0, sizeof(*s));
    snprintf(path, sizeof(path), "%s/stderr.txt", hk_test_tmpdir());
    log = hk_test_read_file(path, NULL);
    HK_ASSERT(log != NULL);
    for(line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        const char *p = strstr(line, "[guide] info: say ");
        unsigned long long tag;
        int at;
        if(p && s->n < MAX_SAID && sscanf(p, "[guide] info: say %llu: %n", &tag, &at) == 1) {
            s->tag[s->n] = tag;
            snprintf(s->clips[s->n], sizeof(s->clips[0]), "%s", p + at);
            s->n++;
        }
        /* the player (another thread) may log "played" before "say" */
        p = strstr(line, "[guide] info: played ");
        if(p && n_played < MAX_SAID && sscanf(p, "[guide] info: played %llu", &tag) == 1)
            played[n_played++] = tag;
    }
    for(i = 0; i < s->n; i++)
        for(j = 0; j < n_played; j++)
            if(s->tag[i] == played[j])
                s->played[i] = 1;
    hk_free(log);
}

static void dump(const said_t *s)
{
    int i;

    for(i = 0; i < s->n; i++)
        printf("  said %llu%s: %s\n", s->tag[i], s->played[i] ? "" : " (dropped)", s->clips[i]);
}

/* Index of the first utterance at or after from that is exactly clips, or -1. */
static int find_said(const said_t *s, int from, const char *clips)
{
    int i;

    for(i = from; i < s->n; i++)
        if(!strcmp(s->clips[i], clips))
            return i;
    return -1;
}

static const char *resolve(void *user, const char *clip)
{
    return voice_pack_name(user, clip);
}

static voice_pack_t *load_pack(void)
{
    const char *names[512];
    size_t n = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names, 512);
    voice_pack_t *vp = NULL;
    hk_diag_t diag;
    const char *needs[] = { "g_zh_need_pay_bill", "g_en_need_pay_bill" };

    n += guide_clip_names(names + n, 512 - n);
    names[n++] = needs[0];
    names[n++] = needs[1];
    HK_ASSERT_MSG(voice_pack_load(HK_BINARY_DIR "/voice", names, n, &diag, &vp) == HK_OK,
                  "voice pack: %s", diag.msg);
    return vp;
}

/* The played utterances rendered back to back equal the WAV the kiosk wrote. */
static void check_wav(const said_t *s)
{
    voice_pack_t *vp = load_pack();
    char path[1024];
    int16_t *wav = NULL;
    size_t wav_n = 0, at = 0;
    int i;

    hk_diag_t diag;

    snprintf(path, sizeof(path), "%s/data/kiosk-voice.wav", hk_test_tmpdir());
    HK_ASSERT_MSG(wav_read_file(path, &wav, &wav_n, &diag) == HK_OK, "%s", diag.msg);
    for(i = 0; i < s->n; i++) {
        guide_t g;
        announce_t *a = malloc(sizeof(*a));
        int16_t *pcm = NULL;
        size_t n = 0;
        char buf[sizeof(s->clips[0])], *tok;

        HK_ASSERT(a != NULL);
        if(!s->played[i]) {
            free(a);
            continue;
        }
        guide_clear(&g);
        snprintf(buf, sizeof(buf), "%s", s->clips[i]);
        for(tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
            snprintf(g.clip[g.n++], GUIDE_CLIP_LEN, "%s", tok);
        HK_ASSERT(guide_announce(&g, resolve, vp, a) > 0);
        HK_ASSERT_OK(voice_pack_render(vp, a, &pcm, &n));
        HK_ASSERT_MSG(at + n <= wav_n, "utterance %d (%s) beyond the WAV's end", i, s->clips[i]);
        HK_ASSERT_MSG(!memcmp(wav + at, pcm, n * sizeof(*pcm)), "utterance %d (%s) differs", i,
                      s->clips[i]);
        at += n;
        hk_free(pcm);
        free(a);
    }
    HK_ASSERT_MSG(at == wav_n, "the WAV holds %zu samples, the utterances %zu", wav_n, at);
    HK_ASSERT(wav_n > (size_t)WAV_RATE_HZ); /* more than a second was said */
    hk_free(wav);
    voice_pack_destroy(vp);
}

static void test_voice_guidance_is_off_by_default(void)
{
    said_t s;

    HK_ASSERT_INT(0, run_kiosk("clock 2026-11-25T10:30\ntap 540 1200\nwait 500\n"
                               "tap 540 420\nwait 500\nexpect-screen triage\nquit\n"));
    read_said(&s);
    HK_ASSERT_INT(0, s.n);
    /* the pack and the device were never opened */
    HK_ASSERT(access(hk_test_path("data/kiosk-voice.wav"), F_OK) != 0);
}

static void test_voice_guidance_reads_titles_and_choices_in_both_languages(void)
{
    said_t s;
    int at;

    HK_ASSERT_INT(0, run_kiosk("clock 2026-11-25T10:30\n"
                               "tap 540 1200\nwait 500\nexpect-screen home\n" /* attract -> home */
                               VOICE_TAP "wait 500\n"                         /* voice on */
                               "tap 540 420\nwait 500\nexpect-screen triage\n"
                               "tap 290 440\nwait 500\nexpect-screen faq_article\n" /* pay a bill */
                               "tap 870 1835\nwait 500\nexpect-screen home\n"       /* Home */
                               "tap 923 75\nwait 500\n"                             /* English */
                               "tap 540 420\nwait 500\nexpect-screen triage\n"
                               "tap 290 440\nwait 500\nexpect-screen faq_article\n"
                               "tap 870 1835\nwait 500\nexpect-screen home\n" VOICE_TAP_EN
                               "wait 500\n" /* off */
                               "tap 540 420\nwait 500\nexpect-screen triage\n"
                               "quit\n"));
    read_said(&s);
    dump(&s);
    at = find_said(&s, 0, "g_zh_voice_on g_zh_home_title");
    HK_ASSERT_MSG(at == 0, "first 'voice on' and the home screen's title");
    at = find_said(&s, at, "g_zh_triage_title");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_zh_need_pay_bill g_zh_voice_article");
    HK_ASSERT_MSG(at >= 0, "the need tapped, then the screen it led to");
    at = find_said(&s, at, "g_zh_home_title");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_en_home_title");
    HK_ASSERT_MSG(at >= 0, "the language switch re-reads the title in English");
    at = find_said(&s, at, "g_en_triage_title");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_en_need_pay_bill g_en_voice_article");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_en_home_title");
    HK_ASSERT(at >= 0);
    HK_ASSERT_INT(at + 1, find_said(&s, at, "g_en_voice_off"));
    HK_ASSERT_INT(at + 2, s.n);   /* then silence: the triage screen after it is not read */
    HK_ASSERT(s.played[s.n - 1]); /* the run waits for the last words */
    check_wav(&s);
}

static void test_voice_guidance_on_the_form_says_field_names_never_the_number(void)
{
    said_t s;
    char *log;
    int i, at;

    HK_ASSERT_INT(0, run_kiosk("clock 2026-11-25T10:30\n"
                               "tap 540 1200\nwait 500\nexpect-screen home\n" VOICE_TAP "wait 500\n"
                               "tap 540 1400\nwait 500\nexpect-screen submit_form\n"
                               "tap 540 1503\nwait 300\n" /* submit with nothing */
                               "tap 538 452\nwait 300\n"  /* broadband */
                               "tap 540 789\nwait 300\n"  /* the phone field */
                               "text 13812345678\n"
                               "key enter\nwait 500\n"
                               "tap 87 1264\nwait 300\n" /* consent */
                               "tap 540 1503\nwait 500\n"
                               "print-wait\nexpect-screen submit_done\n"
                               "quit\n"));
    read_said(&s);
    dump(&s);
    at = find_said(&s, 0, "g_zh_submit_title");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_zh_submit_err_category");
    HK_ASSERT_MSG(at >= 0, "the first error is said");
    at = find_said(&s, at, "g_zh_submit_cat_broadband");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_zh_submit_phone");
    HK_ASSERT_MSG(at >= 0, "the field's name");
    at = find_said(&s, at, "g_zh_submit_consent");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_zh_submit_send");
    HK_ASSERT(at >= 0);
    at = find_said(&s, at, "g_zh_submit_done_title");
    HK_ASSERT_MSG(at >= 0, "the confirmation's title once it is stored");
    for(i = 0; i < s.n; i++) {
        /* no digit (or letter) clip: the number typed is never read */
        HK_ASSERT_MSG(!strstr(s.clips[i], "zh_1") && !strstr(s.clips[i], "zh_3") &&
                          !strstr(s.clips[i], "zh_8"),
                      "utterance %d reads characters: %s", i, s.clips[i]);
    }
    log = hk_test_read_file(hk_test_path("stderr.txt"), NULL);
    HK_ASSERT_MSG(!strstr(log, "13812345678") && !strstr(log, "12345678"),
                  "the number typed is in the log");
    hk_free(log);
    check_wav(&s);
}

int main(void)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/voice/g_zh_home_title.wav", HK_BINARY_DIR);
    if(access(path, R_OK) != 0) {
        printf("SKIP: no voice guidance clips in %s/voice (espeak-ng not installed)\n",
               HK_BINARY_DIR);
        return 77;
    }
    HK_RUN(test_voice_guidance_is_off_by_default);
    HK_RUN(test_voice_guidance_reads_titles_and_choices_in_both_languages);
    HK_RUN(test_voice_guidance_on_the_form_says_field_names_never_the_number);
    return hk_test_end();
}
