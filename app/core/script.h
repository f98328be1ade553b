/*
 * script: the plain-text script that drives the real app in tests,
 * benchmarks and the headless demo journey. One command per line; '#'
 * starts a comment:
 *
 *   tap X Y            press and release at panel pixels (the display's gfx)
 *   down X Y / up X Y  half a tap (for double-tap and slide tests)
 *   move X Y           the finger, still down, moves to X Y (drags, scrolling)
 *   wait MS            let MS milliseconds pass (stepped clock when headless)
 *   key NAME           escape | enter | backspace | tab | f1 .. f11 | one character
 *   screenshot NAME    save the current frame as NAME.png in --screenshot-dir
 *   clock YYYY-MM-DDTHH:MM[:SS]  set the local wall time (headless only)
 *   print-wait         wait until the printer spool is idle
 *   expect-screen NAME fail the run unless NAME is showing
 *   expect-print STATE fail unless the ticket's print state is STATE
 *                      (none | pending | done | fault)
 *   text UTF8          type the rest of the line (1..31 bytes, spaces kept; no
 *                      '#'), as a keyboard or an input method commits it
 *                      (DISPLAY_EV_TEXT)
 *   config NAME        replace the running config with file NAME (beside the
 *                      script), validated whole; a refused file is logged
 *                      and the last good config stays
 *   quit
 */
#ifndef HK_APP_CORE_SCRIPT_H
#define HK_APP_CORE_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"

#define SCRIPT_MAX_BYTES (1024 * 1024)
#define SCRIPT_MAX_CMDS  100000

typedef enum script_op {
    SCRIPT_TAP = 0,
    SCRIPT_DOWN,
    SCRIPT_UP,
    SCRIPT_WAIT,
    SCRIPT_KEY,
    SCRIPT_SCREENSHOT,
    SCRIPT_CLOCK,
    SCRIPT_PRINT_WAIT,
    SCRIPT_EXPECT_SCREEN,
    SCRIPT_EXPECT_PRINT,
    SCRIPT_QUIT,
    SCRIPT_CONFIG,
    SCRIPT_TEXT, /* submission (issue 8.5): typed text */
    SCRIPT_MOVE  /* FAQ/triage (issue 8): drags */
} script_op_t;

typedef struct script_cmd {
    script_op_t op;
    int line;     /* 1-based source line */
    int x, y;     /* tap/down/up/move */
    int64_t ms;   /* wait: duration; clock: local time as if UTC, epoch ms */
    int key;      /* key: display key code (27 escape, 13 enter, 0x101 f1 ...) */
    char arg[64]; /* screenshot / expect-* name: [A-Za-z0-9_.-]; text: UTF-8 */
} script_cmd_t;

typedef struct script {
    int n;
    script_cmd_t *cmds; /* hk_malloc'd array of n */
} script_t;

/**
 * Parse script text. On error, diag says "line N: reason".
 * @param out  free with script_destroy().
 */
hk_err_t script_parse(const char *text, size_t len, script_t **out, hk_diag_t *diag);

/** Read and parse a script file. */
hk_err_t script_load_file(const char *path, script_t **out, hk_diag_t *diag);

void script_destroy(script_t *s); /* NULL ok */

#endif
