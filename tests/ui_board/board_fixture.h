/*
 * board_fixture: what the hall-board tests share (header-only: each
 * tests/ui_board/test_*.c is its own executable). A branch like a real
 * one: the test's branch_local (its "counters") and the board's own
 * branch_local each on their own connection to one SQLite file in the
 * test's temp dir, the real SDL offscreen display and fonts, a stepped
 * clock on a Wednesday morning, and the generated voice pack rendering
 * to a WAV file through the board's real voice. The test tells the board
 * that the journal moved exactly as a LAN client would (a
 * MAILBOX_JOURNAL_ADVANCED in the board's mailbox).
 */
#ifndef HK_TESTS_UI_BOARD_BOARD_FIXTURE_H
#define HK_TESTS_UI_BOARD_BOARD_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "board.h"
#include "branch_local.h"
#include "config_live.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "store.h"

#define FX_WALL_START 1795572000000LL /* Wed 2026-11-25 10:00 at +08:00 */
#define FX_PATH_LEN   1024

typedef struct fx {
    config_t cfg;
    config_live_t *live;
    hk_clock_t *clock;
    font_set_t *fonts;
    display_t *disp;
    store_t *store; /* the counters' connection */
    store_t *board_store;
    mailbox_t *mb; /* the counters' results */
    branch_t br;
    board_t *board;
    char db[FX_PATH_LEN];
    char wav[FX_PATH_LEN];
    uint64_t tag;
    ticket_t last;                           /* the ticket of the last call/take */
    int64_t at_counter[CONFIG_MAX_COUNTERS]; /* the visit each counter has; 0 = none */
} fx_t;

static int fx_opened; /* boards opened by this process */

static inline int64_t fx_now(void *user)
{
    return hk_clock_wall_ms(((fx_t *)user)->clock);
}

static inline hk_err_t fx_open_branch(void *user, mailbox_t *mb, branch_t *out, hk_diag_t *diag)
{
    fx_t *f = user;
    hk_err_t rc = store_open(f->db, &f->board_store, diag);

    if(rc == HK_OK)
        rc = branch_local_create(f->board_store, &f->cfg, mb, fx_now, f, out);
    return rc;
}

/* Take every result the counters' branch posted; remember the last ticket
 * and return the last rc. */
static inline hk_err_t fx_drain(fx_t *f)
{
    mailbox_msg_t msg;
    hk_err_t rc = HK_OK;

    while(mailbox_take(f->mb, &msg)) {
        const branch_result_t *r = msg.payload;

        if(msg.kind == MAILBOX_BRANCH_DONE && r) {
            rc = r->rc;
            if(r->has_ticket)
                f->last = r->ticket;
        }
        mailbox_msg_free(&msg);
    }
    return rc;
}

/* The LAN client's part: the journal moved. */
static inline void fx_notify(fx_t *f)
{
    HK_ASSERT_OK(
        mailbox_post_simple(board_mailbox(f->board), MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, 0));
}

static inline void fx_take(fx_t *f, const char *service_id)
{
    HK_ASSERT_OK(branch_take_number(&f->br, ++f->tag, service_id));
    HK_ASSERT_OK(fx_drain(f));
}

/* Call next at counter_id; returns the number called (static). */
static inline const char *fx_call(fx_t *f, const char *counter_id)
{
    static char number[16];
    int c = config_counter_index(&f->cfg, counter_id);

    /* a clerk's "next": the visit at the counter ends first (one at a time) */
    HK_ASSERT(c >= 0);
    if(f->at_counter[c] > 0) {
        HK_ASSERT_OK(branch_finish(&f->br, ++f->tag, f->at_counter[c]));
        HK_ASSERT_OK(fx_drain(f));
        f->at_counter[c] = 0;
    }
    HK_ASSERT_OK(branch_call_next(&f->br, ++f->tag, counter_id));
    HK_ASSERT_OK(fx_drain(f));
    f->at_counter[c] = f->last.id;
    snprintf(number, sizeof(number), "%s", f->last.number);
    return number;
}

/* Deliver everything: mail, due timers, the voice's reports. */
static inline void fx_settle(fx_t *f)
{
    int i;

    for(i = 0; i < 6; i++) {
        board_pump(f->board);
        (void)board_voice_idle(f->board, 3000); /* its reports are posted before idle */
    }
    board_pump(f->board);
}

static inline void fx_step(fx_t *f, int64_t ms)
{
    hk_clock_advance(f->clock, ms);
    fx_settle(f);
}

typedef struct fx_opts {
    int w, h;
    bool en;    /* the board in English */
    bool voice; /* announce (to f->wav) */
    bool voice_en;
    bool start; /* board_start() now */
    bool sdl;   /* the voice on SDL audio (the loudspeaker path) instead of the WAV file */
} fx_opts_t;

/* Everything before the board: config, clock, display, store, counters. */
static inline void fx_open_world(fx_t *f, const fx_opts_t *o)
{
    char path[FX_PATH_LEN];
    display_cfg_t dc;
    hk_diag_t diag;
    int i;

    memset(f, 0, sizeof(*f));
    hk_diag_clear(&diag);
    snprintf(path, sizeof(path), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &f->cfg, &diag));
    snprintf(f->cfg.language, sizeof(f->cfg.language), "%s", o->en ? "en" : "zh-CN");
    f->cfg.voice_en = o->voice_en;
    HK_ASSERT_OK(config_live_create(&f->cfg, &f->live));
    HK_ASSERT_OK(hk_clock_stepped_create(FX_WALL_START, &f->clock));
    HK_ASSERT_OK(font_set_open(NULL, &f->fonts, &diag));
    memset(&dc, 0, sizeof(dc));
    dc.mode = DISPLAY_MODE_OFFSCREEN;
    dc.width = o->w;
    dc.height = o->h;
    HK_ASSERT_MSG(display_create(&dc, f->fonts, &f->disp, &diag) == HK_OK, "display: %s", diag.msg);
    /* a fresh branch day for every board a test opens */
    snprintf(path, sizeof(path), "hall-%d.db", ++fx_opened);
    snprintf(f->db, sizeof(f->db), "%s", hk_test_path(path));
    snprintf(path, sizeof(path), "voice-%d.wav", fx_opened);
    snprintf(f->wav, sizeof(f->wav), "%s", hk_test_path(path));
    HK_ASSERT_OK(store_open(f->db, &f->store, &diag));
    HK_ASSERT_OK(mailbox_create(256, NULL, NULL, &f->mb));
    HK_ASSERT_OK(branch_local_create(f->store, &f->cfg, f->mb, fx_now, f, &f->br));
    for(i = 0; i < f->cfg.n_counters; i++) {
        HK_ASSERT_OK(
            branch_set_counter(&f->br, ++f->tag, f->cfg.counters[i].id, BRANCH_COUNTER_OPEN, NULL));
        HK_ASSERT_OK(fx_drain(f));
    }
}

static inline void fx_open_board(fx_t *f, const fx_opts_t *o)
{
    board_opts_t bo;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    memset(&bo, 0, sizeof(bo));
    bo.live = f->live;
    bo.display = f->disp;
    bo.fonts = f->fonts;
    bo.clock = f->clock;
    bo.data_dir = hk_test_tmpdir();
    bo.open_branch = fx_open_branch;
    bo.branch_user = f;
    if(o->voice) {
        bo.audio_kind = o->sdl ? "sdl" : "wav";
        bo.audio_target = o->sdl ? "" : f->wav;
        bo.voice_dir = HK_BINARY_DIR "/voice";
    }
    HK_ASSERT_MSG(board_create(&bo, &f->board, &diag) == HK_OK, "board: %s", diag.msg);
    if(o->start) {
        HK_ASSERT_MSG(board_start(f->board, &diag) == HK_OK, "board start: %s", diag.msg);
        fx_settle(f);
    }
}

static inline void fx_open(fx_t *f, const fx_opts_t *o)
{
    fx_open_world(f, o);
    fx_open_board(f, o);
}

static inline void fx_close(fx_t *f)
{
    board_destroy(f->board);
    store_close(f->board_store);
    branch_destroy(&f->br);
    mailbox_destroy(f->mb);
    store_close(f->store);
    display_destroy(f->disp);
    font_set_destroy(f->fonts);
    hk_clock_destroy(f->clock);
    config_live_destroy(f->live);
    memset(f, 0, sizeof(*f));
}

/* The WAV the board's voice wrote: samples after the header (hk_free). */
static inline int16_t *fx_read_wav(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    long len;
    int16_t *pcm = NULL;
    size_t i, got = 0;
    uint8_t s[2];

    *n = 0;
    HK_ASSERT_MSG(fp != NULL, "no %s", path);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 44, SEEK_SET);
    if(len > 44) {
        pcm = hk_malloc((size_t)(len - 44));
        HK_ASSERT(pcm != NULL);
        for(i = 0; i < (size_t)(len - 44) / 2 && fread(s, 1, 2, fp) == 2; i++)
            pcm[got++] = (int16_t)(uint16_t)(s[0] | (s[1] << 8));
    }
    fclose(fp);
    *n = got;
    return pcm;
}

#endif
