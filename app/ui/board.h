/*
 * board: the hall display's controller on the screen loop (ui_loop): the
 * board screen (numbers being called and their counters, the newest
 * flashing, recent calls, waiting counts per service, branch name and
 * clock) and its voice (a chime, then "请 A 零二三 号 到 3 号窗口 办理",
 * twice). It learns calls from the branch's journal events (the same
 * events the LAN stream carries), puts them in call order, and shows each
 * one in step with its announcement, for at least BOARD_MIN_SHOW_MS.
 */
#ifndef HK_APP_UI_BOARD_H
#define HK_APP_UI_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "branch.h"
#include "clock.h"
#include "config.h"
#include "config_live.h"
#include "display.h"
#include "script.h"

#define BOARD_MIN_SHOW_MS 3000  /* a call stays the highlighted one at least this long */
#define BOARD_FLASH_MS    10000 /* the newest call flashes this long, then stays lit */
#define BOARD_FLASH_HALF  500   /* flash half-period */
#define BOARD_RECENT_MAX  8     /* recent calls kept (the newest first) */
#define BOARD_PENDING_MAX 64    /* calls waiting for their turn; more drop the oldest */
#define BOARD_REPEAT      2     /* each announcement says the phrase this many times */
#define BOARD_NUMBER_LEN  8

/* One call as the board shows it. */
typedef struct board_call {
    char number[BOARD_NUMBER_LEN];  /* "A023" */
    char counter_id[CONFIG_ID_LEN]; /* "c3" */
    int counter_idx;                /* index into cfg->counters (-1: no longer configured) */
    int counter_no;                 /* its number: "3号窗口" */
    int64_t seq;                    /* the journal event that made it */
    bool recall;
} board_call_t;

/* Everything the board screen draws beyond ui_model_t (its role_view). */
typedef struct board_view {
    bool has_current;
    board_call_t current; /* the highlighted (newest) call */
    bool lit;             /* current drawn highlighted: false in the dark half of a flash */
    /* per counter (cfg->counters order): the last call shown there */
    bool has_row[CONFIG_MAX_COUNTERS];
    board_call_t row[CONFIG_MAX_COUNTERS];
    int n_recent; /* calls before the current one, newest first */
    board_call_t recent[BOARD_RECENT_MAX];
    bool have_waiting;
    int waiting[CONFIG_MAX_SERVICES]; /* cfg->services order */
} board_view_t;

/** Opens the branch the board reads (after the first frame): a LAN client
 *  in a display, a branch_local in tests. Results and journal notices must
 *  be posted to mb. The board destroys it (branch_destroy) before its loop. */
typedef hk_err_t (*board_branch_open_fn)(void *user, mailbox_t *mb, branch_t *out, hk_diag_t *diag);

typedef struct board_opts {
    config_live_t *live;        /* borrowed; outlives the board */
    display_t *display;         /* borrowed; destroy it after the board (the voice's
                                   SDL audio must close before the last display) */
    font_set_t *fonts;          /* borrowed */
    hk_clock_t *clock;          /* borrowed; stepped when headless + script */
    const char *data_dir;       /* resolved; unused today (the board keeps no state) */
    const char *screenshot_dir; /* NULL = no screenshots */
    const char *script_dir;     /* where a script's "config NAME" files are */
    int64_t start_mono_ms;      /* process start, for the first-frame log; 0 = none */
    board_branch_open_fn open_branch;
    void *branch_user;
    /* Voice: off when audio_kind is NULL. */
    const char *audio_kind;   /* "sdl" (loudspeaker) or "wav" (render to a file) */
    const char *audio_target; /* sdl: device name, "" default; wav: the file */
    const char *voice_dir;    /* the clip pack; NULL = voice_pack_default_dir() */
} board_opts_t;

typedef struct board board_t;

/**
 * Create the loop, the board screen and (when audio_kind is set) the voice:
 * the pack is loaded and checked whole now, so a missing clip fails here
 * with its name in diag. The branch opens after the first frame.
 * @param out  free with board_destroy().
 * @return HK_OK, HK_ERR_NOMEM, voice_pack_load()'s and audio_open()'s errors.
 */
hk_err_t board_create(const board_opts_t *o, board_t **out, hk_diag_t *diag);

/** Stop the voice (the announcement playing is cut), close the branch and
 *  the loop. NULL ok. */
void board_destroy(board_t *b);

/**
 * Run until the window closes, or the script ends (script != NULL).
 * @return 0; 1 when a script step failed; 2 when the branch cannot open.
 */
int board_run(board_t *b, const script_t *script);

/*
 * For tests and benchmarks that drive the loop themselves (instead of
 * board_run): board_start() draws the first frame and opens the branch,
 * board_pump() delivers mail and due timers and draws if anything changed.
 */
hk_err_t board_start(board_t *b, hk_diag_t *diag);
void board_pump(board_t *b);
/** The loop's mailbox (the branch and the voice post to it). */
mailbox_t *board_mailbox(board_t *b);
/** What the screen shows now. */
const board_view_t *board_view(const board_t *b);
/** Calls heard but not shown yet (waiting for their turn). */
int board_pending(const board_t *b);
/** Wait until the voice has nothing to say (true), up to timeout_ms. */
bool board_voice_idle(board_t *b, int timeout_ms);
/** Frames presented so far. */
uint64_t board_frames(const board_t *b);
/** Write the last frame as PNG. */
hk_err_t board_screenshot(board_t *b, const char *path);

#endif
