/*
 * test_board: the hall display's behaviour (issue 6, section 6 and its
 * Voice test). Real parts: the board on the SDL offscreen display, two
 * branch_local connections to one SQLite file (the counters calling, the
 * board reading the journal), the generated voice pack played by the
 * board's voice into a WAV file (audio "wav": the same player and
 * renderer as the loudspeaker, but instant), a stepped clock.
 *   - six counters calling at once: every call is shown, in call order,
 *     each the highlighted one for at least BOARD_MIN_SHOW_MS (never
 *     replaced within a second), every counter keeps its row;
 *   - the announcements of that burst are played one after another, whole,
 *     in call order: the WAV is exactly their renderings back to back;
 *   - a recall shows the call again and repeats its announcement;
 *   - one call's announcement is not silent, has no long gap, and is as
 *     long as its phrase (twice, with the chime), longer with English;
 *   - with voice_en, the English phrase follows the Chinese one;
 *   - on SDL audio (real-time pace) the next call waits for the end of the
 *     announcement before it is shown and said;
 *   - after the branch failed to answer, the board catches up;
 *   - a new config (counters reordered) re-maps the calls on the board;
 *   - board_run() plays a script on the board screen;
 *   - calls made before the board started are on it, unannounced;
 *   - a closed counter's row empties;
 *   - the time from a call's commit to the frame that shows it and to its
 *     first sample (printed; the bench table takes them from the logs).
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "announce.h"
#include "board_fixture.h"
#include "hk_log.h"
#include "voice_pack.h"
#include "wav.h"

#define MAX_SHOWN 32

static fx_t fx;

void setUp(void)
{
}

void tearDown(void)
{
    if(fx.board || fx.disp)
        fx_close(&fx);
}

static const fx_opts_t voice_board = { 1920, 1080, false, true, false, true, false };

/* Calls the board highlighted, in order, with when (stepped mono ms). */
typedef struct shown {
    int n;
    char number[MAX_SHOWN][BOARD_NUMBER_LEN];
    int counter_idx[MAX_SHOWN];
    int64_t at_ms[MAX_SHOWN];
} shown_t;

/* Step the clock in 100 ms steps for up to ms, noting every new current call. */
static void watch(shown_t *s, int64_t ms)
{
    int64_t t;

    for(t = 0; t <= ms; t += 100) {
        const board_view_t *v = board_view(fx.board);
        if(v->has_current &&
           (s->n == 0 || strcmp(s->number[s->n - 1], v->current.number) ||
            s->counter_idx[s->n - 1] != v->current.counter_idx) &&
           s->n < MAX_SHOWN) {
            snprintf(s->number[s->n], BOARD_NUMBER_LEN, "%s", v->current.number);
            s->counter_idx[s->n] = v->current.counter_idx;
            s->at_ms[s->n] = hk_clock_mono_ms(fx.clock);
            s->n++;
        }
        fx_step(&fx, 100);
    }
}

static void burst(char called[6][16])
{
    int i;

    for(i = 0; i < 6; i++)
        fx_take(&fx, "general");
    for(i = 0; i < 6; i++)
        snprintf(called[i], 16, "%s", fx_call(&fx, fx.cfg.counters[i].id));
    fx_notify(&fx);
    fx_settle(&fx);
}

static voice_pack_t *load_pack(void)
{
    const char *names[256];
    size_t n = announce_clip_names(ANNOUNCE_LANG_ZH | ANNOUNCE_LANG_EN, names, 256);
    voice_pack_t *vp = NULL;
    hk_diag_t diag;

    HK_ASSERT_MSG(voice_pack_load(HK_BINARY_DIR "/voice", names, n, &diag, &vp) == HK_OK,
                  "voice pack: %s", diag.msg);
    return vp;
}

/* The board's announcement of number at counter_no, rendered on its own. */
static int16_t *render(const voice_pack_t *vp, const char *number, int counter_no, bool en,
                       size_t *n)
{
    announce_opts_t ao = { ANNOUNCE_LANG_ZH | (en ? ANNOUNCE_LANG_EN : 0u), BOARD_REPEAT };
    announce_t *a = hk_malloc(sizeof(*a));
    int16_t *pcm = NULL;

    HK_ASSERT(a != NULL);
    HK_ASSERT_OK(announce_build(number, counter_no, &ao, a));
    HK_ASSERT_OK(voice_pack_render(vp, a, &pcm, n));
    hk_free(a);
    return pcm;
}

static void test_board_burst_of_six_calls_each_shown_min_time_in_call_order(void)
{
    char called[6][16];
    shown_t s;
    int i;

    memset(&s, 0, sizeof(s));
    fx_open(&fx, &voice_board);
    burst(called);
    watch(&s, 6 * BOARD_MIN_SHOW_MS + 2000);
    HK_ASSERT_INT(6, s.n);
    for(i = 0; i < 6; i++) {
        HK_ASSERT_STR(called[i], s.number[i]);
        HK_ASSERT_INT(i, s.counter_idx[i]);
        if(i > 0) {
            HK_ASSERT_MSG(s.at_ms[i] - s.at_ms[i - 1] >= BOARD_MIN_SHOW_MS,
                          "%s replaced %s after %lld ms", s.number[i], s.number[i - 1],
                          (long long)(s.at_ms[i] - s.at_ms[i - 1]));
            HK_ASSERT(s.at_ms[i] - s.at_ms[i - 1] >= 1000);
        }
    }
    /* one row per counter, each with its own call; the older ones recent */
    for(i = 0; i < 6; i++) {
        HK_ASSERT(board_view(fx.board)->has_row[i]);
        HK_ASSERT_STR(called[i], board_view(fx.board)->row[i].number);
    }
    HK_ASSERT_INT(5, board_view(fx.board)->n_recent);
    HK_ASSERT_STR(called[4], board_view(fx.board)->recent[0].number);
    HK_ASSERT_INT(0, board_pending(fx.board));
}

static void test_board_announcements_play_one_at_a_time_whole_in_call_order(void)
{
    char called[6][16];
    shown_t s;
    voice_pack_t *vp = load_pack();
    int16_t *wav, *one;
    size_t n, m, off = 0;
    int i;

    memset(&s, 0, sizeof(s));
    fx_open(&fx, &voice_board);
    burst(called);
    watch(&s, 6 * BOARD_MIN_SHOW_MS + 2000);
    HK_ASSERT(board_voice_idle(fx.board, 5000));
    wav = fx_read_wav(fx.wav, &n);
    for(i = 0; i < 6; i++) {
        one = render(vp, called[i], fx.cfg.counters[i].number, false, &m);
        HK_ASSERT_MSG(off + m <= n, "announcement %d (%s) cut short: wav %zu samples", i, called[i],
                      n);
        HK_ASSERT_MSG(!memcmp(wav + off, one, m * sizeof(int16_t)),
                      "announcement %d is not %s's (out of order or mixed)", i, called[i]);
        off += m;
        hk_free(one);
    }
    HK_ASSERT_INT((long long)n, (long long)off); /* nothing more, nothing overlapping */
    hk_free(wav);
    voice_pack_destroy(vp);
}

static void test_board_recall_shows_the_call_again_and_repeats_its_announcement(void)
{
    voice_pack_t *vp = load_pack();
    char number[16];
    int16_t *wav, *one;
    size_t n, m;
    int64_t ticket_id;
    shown_t s;

    memset(&s, 0, sizeof(s));
    fx_open(&fx, &voice_board);
    fx_take(&fx, "general");
    fx_take(&fx, "general");
    snprintf(number, sizeof(number), "%s", fx_call(&fx, "c3"));
    ticket_id = fx.last.id;
    fx_notify(&fx);
    watch(&s, 1000);
    (void)fx_call(&fx, "c2"); /* another counter calls in between */
    fx_notify(&fx);
    watch(&s, BOARD_MIN_SHOW_MS + 1000);
    HK_ASSERT_OK(branch_recall(&fx.br, ++fx.tag, ticket_id));
    HK_ASSERT_OK(fx_drain(&fx));
    fx_notify(&fx);
    watch(&s, BOARD_MIN_SHOW_MS + 1000);
    HK_ASSERT_INT(3, s.n);
    HK_ASSERT_STR(number, s.number[0]);
    HK_ASSERT_STR(number, s.number[2]);
    HK_ASSERT(board_view(fx.board)->current.recall);
    HK_ASSERT(board_voice_idle(fx.board, 5000));
    wav = fx_read_wav(fx.wav, &n);
    one = render(vp, number, 3, false, &m);
    /* said, then the other call, then said again: sample for sample */
    HK_ASSERT(n > 2 * m);
    HK_ASSERT(!memcmp(wav, one, m * sizeof(int16_t)));
    HK_ASSERT(!memcmp(wav + n - m, one, m * sizeof(int16_t)));
    hk_free(one);
    hk_free(wav);
    voice_pack_destroy(vp);
}

/* Longest run of near-silence in seconds. */
static double longest_quiet_s(const int16_t *pcm, size_t n)
{
    size_t i, run = 0, best = 0;

    for(i = 0; i < n; i++) {
        run = abs(pcm[i]) < 300 ? run + 1 : 0;
        if(run > best)
            best = run;
    }
    return (double)best / WAV_RATE_HZ;
}

static double rms(const int16_t *pcm, size_t n)
{
    double sum = 0;
    size_t i;

    for(i = 0; i < n; i++)
        sum += (double)pcm[i] * pcm[i];
    return n ? sqrt(sum / (double)n) : 0;
}

static void test_board_announcement_is_audible_and_as_long_as_its_phrase(void)
{
    fx_opts_t o = voice_board;
    int16_t *wav, *en;
    size_t n, m;
    double secs;
    voice_pack_t *vp = load_pack();

    fx_open(&fx, &o);
    fx_take(&fx, "general");
    (void)fx_call(&fx, "c3");
    fx_notify(&fx);
    fx_settle(&fx);
    HK_ASSERT(board_voice_idle(fx.board, 5000));
    wav = fx_read_wav(fx.wav, &n);
    secs = (double)n / WAV_RATE_HZ;
    printf("  %s to counter 3: %.2f s, rms %.0f, longest quiet %.2f s\n", fx.last.number, secs,
           rms(wav, n), longest_quiet_s(wav, n));
    HK_ASSERT_MSG(rms(wav, n) > 1000.0, "announcement nearly silent: rms %.0f", rms(wav, n));
    /* chime + twice 请 A 0 2 3 号 到 三 号 窗口 办理 (11 words): at least
     * ~0.2 s a word and the pauses, at most ~0.9 s a word */
    HK_ASSERT_MSG(secs > 0.2 * 22 + 1.1 && secs < 0.9 * 22 + 3.0, "%.2f s for the phrase twice",
                  secs);
    /* no dead air inside it beyond the longest pause (the repeat's 0.8 s) */
    HK_ASSERT_MSG(longest_quiet_s(wav, n) < 1.2, "%.2f s of silence inside",
                  longest_quiet_s(wav, n));
    /* in English too ("Number A023, please go to counter 3"): longer */
    en = render(vp, fx.last.number, 3, true, &m);
    HK_ASSERT((double)m / WAV_RATE_HZ > secs + 2 * 1.5);
    hk_free(en);
    hk_free(wav);
    voice_pack_destroy(vp);
}

static void test_board_says_it_in_english_too_when_configured(void)
{
    fx_opts_t o = voice_board;
    voice_pack_t *vp = load_pack();
    int16_t *wav, *both, *zh;
    size_t n, m, k;

    o.voice_en = true;
    fx_open(&fx, &o);
    fx_take(&fx, "general");
    (void)fx_call(&fx, "c2");
    fx_notify(&fx);
    fx_settle(&fx);
    HK_ASSERT(board_voice_idle(fx.board, 5000));
    wav = fx_read_wav(fx.wav, &n);
    both = render(vp, fx.last.number, 2, true, &m);
    zh = render(vp, fx.last.number, 2, false, &k);
    HK_ASSERT_INT((long long)m, (long long)n);
    HK_ASSERT(!memcmp(wav, both, n * sizeof(int16_t)));
    HK_ASSERT(m > k);
    hk_free(zh);
    hk_free(both);
    hk_free(wav);
    voice_pack_destroy(vp);
}

static void test_board_shows_calls_made_before_it_started_without_announcing_them(void)
{
    fx_opts_t o = voice_board;
    const char *number;
    size_t n;
    int16_t *wav;
    hk_diag_t diag;

    o.start = false;
    fx_open(&fx, &o);
    fx_take(&fx, "general");
    number = fx_call(&fx, "c2");
    HK_ASSERT_OK(board_start(fx.board, &diag));
    fx_settle(&fx);
    HK_ASSERT(board_view(fx.board)->has_row[1]);
    HK_ASSERT_STR(number, board_view(fx.board)->row[1].number);
    HK_ASSERT(!board_view(fx.board)->has_current);
    wav = fx_read_wav(fx.wav, &n);
    HK_ASSERT_INT(0, (long long)n);
    hk_free(wav);
}

static void test_board_closed_counter_leaves_the_board(void)
{
    shown_t s;

    memset(&s, 0, sizeof(s));
    fx_open(&fx, &voice_board);
    fx_take(&fx, "general");
    (void)fx_call(&fx, "c4");
    fx_notify(&fx);
    watch(&s, 500);
    HK_ASSERT(board_view(fx.board)->has_row[3]);
    HK_ASSERT_OK(branch_finish(&fx.br, ++fx.tag, fx.last.id));
    HK_ASSERT_OK(fx_drain(&fx));
    HK_ASSERT_OK(branch_set_counter(&fx.br, ++fx.tag, "c4", BRANCH_COUNTER_CLOSED, NULL));
    HK_ASSERT_OK(fx_drain(&fx));
    fx_notify(&fx);
    fx_settle(&fx);
    HK_ASSERT(!board_view(fx.board)->has_row[3]);
}

static double real_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* On SDL audio (CTest's SDL_AUDIODRIVER=dummy plays at real-time pace) the
 * second counter's call waits for the first announcement to end: it is
 * shown, and said, only then. */
static void test_board_on_sdl_audio_the_next_call_waits_for_the_announcement(void)
{
    fx_opts_t o = voice_board;
    voice_pack_t *vp = load_pack();
    char first[16], second[16];
    double t_first = 0, t_second = 0, t0 = real_ms(), said_ms;
    int16_t *one;
    size_t m;

    o.sdl = true;
    fx_open(&fx, &o);
    fx_take(&fx, "general");
    fx_take(&fx, "general");
    snprintf(first, sizeof(first), "%s", fx_call(&fx, "c1"));
    snprintf(second, sizeof(second), "%s", fx_call(&fx, "c2"));
    fx_notify(&fx);
    while(!t_second && real_ms() - t0 < 40000) {
        const board_view_t *v;

        /* the stepped clock never runs ahead of real time: the announcement,
         * not the minimum display time, decides when the next call shows */
        hk_clock_advance(fx.clock, 10);
        board_pump(fx.board);
        v = board_view(fx.board);
        if(!t_first && v->has_current && !strcmp(v->current.number, first))
            t_first = real_ms();
        if(!t_second && v->has_current && !strcmp(v->current.number, second))
            t_second = real_ms();
        (void)board_voice_idle(fx.board, 10);
    }
    HK_ASSERT_MSG(t_first && t_second, "calls not shown (%s %.0f, %s %.0f)", first, t_first, second,
                  t_second);
    one = render(vp, first, 1, false, &m);
    said_ms = (double)m * 1000.0 / WAV_RATE_HZ;
    printf("  %s said in %.0f ms; %s shown %.0f ms after %s\n", first, said_ms, second,
           t_second - t_first, first);
    /* SDL takes the last samples a buffer or two (~46 ms each) before they
     * sound, and the dummy driver may take the first at once */
    HK_ASSERT_MSG(t_second - t_first >= said_ms - 250, "%s cut in after %.0f ms of %.0f", second,
                  t_second - t_first, said_ms);
    HK_ASSERT(t_second - t_first < said_ms + 3000);
    HK_ASSERT(board_voice_idle(fx.board, 20000));
    hk_free(one);
    voice_pack_destroy(vp);
}

/* A branch whose events asks fail the first times (a hub out of reach). */
static branch_ops_t flaky_ops;
static const branch_ops_t *real_ops;
static int events_fail_left;
static mailbox_t *flaky_mb;

static hk_err_t flaky_events(void *impl, uint64_t tag, int64_t after_seq)
{
    branch_result_t *r;
    mailbox_msg_t msg;

    if(events_fail_left <= 0)
        return real_ops->events(impl, tag, after_seq);
    events_fail_left--;
    r = hk_calloc(1, sizeof(*r));
    HK_ASSERT(r != NULL);
    r->op = BRANCH_OP_EVENTS;
    r->rc = HK_ERR_NET;
    memset(&msg, 0, sizeof(msg));
    msg.kind = MAILBOX_BRANCH_DONE;
    msg.tag = tag;
    msg.payload = r;
    msg.payload_free = branch_result_free;
    HK_ASSERT_OK(mailbox_post(flaky_mb, &msg));
    return HK_OK;
}

static hk_err_t open_flaky_branch(void *user, mailbox_t *mb, branch_t *out, hk_diag_t *diag)
{
    hk_err_t rc = fx_open_branch(user, mb, out, diag);

    if(rc == HK_OK) {
        real_ops = out->ops;
        flaky_ops = *out->ops;
        flaky_ops.events = flaky_events;
        out->ops = &flaky_ops;
        flaky_mb = mb;
    }
    return rc;
}

static void test_board_catches_up_after_the_branch_failed_to_answer(void)
{
    fx_opts_t o = voice_board;
    board_opts_t bo;
    hk_diag_t diag;
    char missed[16], later[16];

    o.start = false;
    fx_open_world(&fx, &o);
    memset(&bo, 0, sizeof(bo));
    bo.live = fx.live;
    bo.display = fx.disp;
    bo.fonts = fx.fonts;
    bo.clock = fx.clock;
    bo.open_branch = open_flaky_branch;
    bo.branch_user = &fx;
    HK_ASSERT_OK(board_create(&bo, &fx.board, &diag));
    events_fail_left = 3;
    HK_ASSERT_OK(board_start(fx.board, &diag));
    fx_settle(&fx); /* ask 1 fails */
    fx_take(&fx, "general");
    fx_take(&fx, "general");
    snprintf(missed, sizeof(missed), "%s", fx_call(&fx, "c6"));
    fx_notify(&fx);
    fx_settle(&fx); /* ask 2 fails */
    HK_ASSERT(!board_view(fx.board)->has_row[5]);
    fx_step(&fx, 2100); /* re-sync: the snapshot has it; ask 3 fails */
    HK_ASSERT(board_view(fx.board)->has_row[5]);
    HK_ASSERT_STR(missed, board_view(fx.board)->row[5].number);
    fx_step(&fx, 2100); /* re-sync; the events ask works again */
    HK_ASSERT_INT(0, events_fail_left);
    snprintf(later, sizeof(later), "%s", fx_call(&fx, "c1"));
    fx_notify(&fx);
    fx_settle(&fx);
    HK_ASSERT(board_view(fx.board)->has_current);
    HK_ASSERT_STR(later, board_view(fx.board)->current.number);
}

/* A new config (counters reordered, English) takes effect at once: the
 * call on the board follows its counter, the rows come back. */
static void test_board_follows_a_new_config(void)
{
    fx_opts_t o = voice_board;
    config_t *cfg = hk_malloc(sizeof(*cfg));
    char number[16];

    HK_ASSERT(cfg != NULL);
    o.voice = false;
    fx_open(&fx, &o);
    fx_take(&fx, "general");
    snprintf(number, sizeof(number), "%s", fx_call(&fx, "c3"));
    fx_notify(&fx);
    fx_settle(&fx);
    HK_ASSERT_INT(2, board_view(fx.board)->current.counter_idx);
    *cfg = fx.cfg;
    cfg->counters[0] = fx.cfg.counters[2]; /* c3 first, c1 third */
    cfg->counters[2] = fx.cfg.counters[0];
    snprintf(cfg->language, sizeof(cfg->language), "en");
    HK_ASSERT_OK(config_live_replace(fx.live, cfg));
    HK_ASSERT_OK(mailbox_post_simple(board_mailbox(fx.board), MAILBOX_CONFIG_CHANGED, 0, HK_OK,
                                     (int64_t)config_live_generation(fx.live)));
    fx_settle(&fx);
    HK_ASSERT_INT(0, board_view(fx.board)->current.counter_idx);
    HK_ASSERT(board_view(fx.board)->has_row[0]);
    HK_ASSERT(!board_view(fx.board)->has_row[2]);
    HK_ASSERT_STR(number, board_view(fx.board)->row[0].number);
    hk_free(cfg);
}

/* board_run() with a script (the headless display role): the board is the
 * screen, what counters called before it started is on it, the script's
 * screenshot is written, and the run ends cleanly. */
static void test_board_run_plays_a_script_on_the_board_screen(void)
{
    static const char text[] = "wait 1000\nexpect-screen board\nscreenshot board\nwait 61000\n";
    fx_opts_t o = voice_board;
    script_t *sc = NULL;
    char number[16];
    hk_diag_t diag;
    FILE *png;

    o.start = false;
    fx_open_world(&fx, &o);
    fx_take(&fx, "general");
    snprintf(number, sizeof(number), "%s", fx_call(&fx, "c5"));
    HK_ASSERT_OK(script_parse(text, sizeof(text) - 1, &sc, &diag));
    {
        board_opts_t bo;

        memset(&bo, 0, sizeof(bo));
        bo.live = fx.live;
        bo.display = fx.disp;
        bo.fonts = fx.fonts;
        bo.clock = fx.clock;
        bo.data_dir = hk_test_tmpdir();
        bo.screenshot_dir = hk_test_tmpdir();
        bo.open_branch = fx_open_branch;
        bo.branch_user = &fx;
        HK_ASSERT_OK(board_create(&bo, &fx.board, &diag));
    }
    HK_ASSERT_INT(0, board_run(fx.board, sc));
    script_destroy(sc);
    HK_ASSERT_STR(number, board_view(fx.board)->row[4].number);
    png = fopen(hk_test_path("board.png"), "rb");
    HK_ASSERT_MSG(png != NULL, "no screenshot");
    fclose(png);
}

/* mono-ns N from the newest log line holding what (0 = none after seq). */
static long long log_ns(uint64_t after, const char *what)
{
    static hk_log_entry_t e[HK_LOG_RING_SIZE];
    size_t n = hk_log_recent(after, e, HK_LOG_RING_SIZE), i;
    long long ns = 0;

    for(i = 0; i < n; i++) {
        const char *p = strstr(e[i].msg, what);
        if(p && (p = strstr(p, "mono-ns ")) != NULL)
            ns = atoll(p + 8);
    }
    return ns;
}

static uint64_t log_seq(void)
{
    static hk_log_entry_t e[HK_LOG_RING_SIZE];
    size_t n = hk_log_recent(0, e, HK_LOG_RING_SIZE);

    return n ? e[n - 1].seq : 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define BENCH_CALLS 20

/* Not a target check (the bench table runs it on the real process over
 * the LAN): commit -> frame presented and -> first sample, in-process. */
static void test_board_call_reaches_frame_and_voice_fast(void)
{
    long long frame[BENCH_CALLS], voice[BENCH_CALLS], redraw[BENCH_CALLS];
    int i;

    fx_open(&fx, &voice_board);
    for(i = 0; i < 2 * BENCH_CALLS; i++)
        fx_take(&fx, "general");
    for(i = 0; i < BENCH_CALLS; i++) {
        uint64_t seq = log_seq();
        long long t0 = now_ns(), f = 0, v = 0;
        int spins = 0;

        hk_clock_advance(fx.clock, BOARD_MIN_SHOW_MS); /* its turn at once */
        (void)fx_call(&fx, fx.cfg.counters[i % 6].id); /* the commit */
        fx_notify(&fx);
        while((!f || !v) && spins++ < 2000) {
            board_pump(fx.board);
            f = log_ns(seq, "presented: mono-ns");
            v = log_ns(seq, "first sample: mono-ns");
            if(!f || !v)
                (void)board_voice_idle(fx.board, 1);
        }
        HK_ASSERT_MSG(f && v, "call %d never reached the board", i);
        frame[i] = f - t0;
        voice[i] = v - t0;
        fx_settle(&fx);
    }
    /* one whole frame: the flash toggling redraws the board */
    for(i = 0; i < BENCH_CALLS; i++) {
        long long t0;
        uint64_t n = board_frames(fx.board);

        (void)fx_call(&fx, fx.cfg.counters[i % 6].id);
        fx_notify(&fx);
        hk_clock_advance(fx.clock, BOARD_MIN_SHOW_MS);
        fx_settle(&fx);
        hk_clock_advance(fx.clock, BOARD_FLASH_HALF);
        n = board_frames(fx.board);
        t0 = now_ns();
        board_pump(fx.board);
        redraw[i] = now_ns() - t0;
        HK_ASSERT(board_frames(fx.board) == n + 1);
    }
    qsort(redraw, BENCH_CALLS, sizeof(redraw[0]), cmp_ll);
    printf("  one board frame (draw + present, %dx%d): p50 %.2f ms, max %.2f ms\n", voice_board.w,
           voice_board.h, (double)redraw[BENCH_CALLS / 2] / 1e6,
           (double)redraw[BENCH_CALLS - 1] / 1e6);
    qsort(frame, BENCH_CALLS, sizeof(frame[0]), cmp_ll);
    qsort(voice, BENCH_CALLS, sizeof(voice[0]), cmp_ll);
    printf("  commit -> board frame presented: p50 %.2f ms, max %.2f ms (%d calls)\n",
           (double)frame[BENCH_CALLS / 2] / 1e6, (double)frame[BENCH_CALLS - 1] / 1e6, BENCH_CALLS);
    printf("  commit -> first audio sample to the device: p50 %.2f ms, max %.2f ms\n",
           (double)voice[BENCH_CALLS / 2] / 1e6, (double)voice[BENCH_CALLS - 1] / 1e6);
    HK_ASSERT(frame[BENCH_CALLS - 1] < 1000000000LL);
    HK_ASSERT(voice[BENCH_CALLS - 1] < 1000000000LL);
}

int main(void)
{
    if(getenv("HK_LOG_LEVEL") == NULL)
        hk_log_set_stderr(false);
    HK_RUN(test_board_burst_of_six_calls_each_shown_min_time_in_call_order);
    HK_RUN(test_board_announcements_play_one_at_a_time_whole_in_call_order);
    HK_RUN(test_board_recall_shows_the_call_again_and_repeats_its_announcement);
    HK_RUN(test_board_announcement_is_audible_and_as_long_as_its_phrase);
    HK_RUN(test_board_on_sdl_audio_the_next_call_waits_for_the_announcement);
    HK_RUN(test_board_says_it_in_english_too_when_configured);
    HK_RUN(test_board_shows_calls_made_before_it_started_without_announcing_them);
    HK_RUN(test_board_closed_counter_leaves_the_board);
    HK_RUN(test_board_catches_up_after_the_branch_failed_to_answer);
    HK_RUN(test_board_follows_a_new_config);
    HK_RUN(test_board_run_plays_a_script_on_the_board_screen);
    HK_RUN(test_board_call_reaches_frame_and_voice_fast);
    return hk_test_end();
}
