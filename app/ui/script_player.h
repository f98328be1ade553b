/*
 * script_player: a script (app/core/script.h) as the loop's input source.
 * It feeds taps and keys as input events, and lets time pass: headless
 * with a stepped clock, "wait" moves the clock from timer deadline to
 * timer deadline, so timeouts fire exactly as they would in real time but
 * at once. Screenshots and expectations run between inputs. What only the
 * role knows (its print state, waiting for its printer, reacting to a new
 * wall time) comes through script_probe_t.
 */
#ifndef HK_APP_UI_SCRIPT_PLAYER_H
#define HK_APP_UI_SCRIPT_PLAYER_H

#include "script.h"
#include "ui_loop.h"

typedef struct script_probe {
    void *user;
    /** Business time zone: "clock" commands give local time. */
    int utc_offset_min;
    /** "none" | "pending" | "done" | "fault": the ticket's print state. */
    const char *(*print_state)(void *user);
    /** Block until the printer has nothing queued (its results are posted). */
    void (*print_wait)(void *user);
    /** The script set the wall clock: refresh what depends on it. */
    void (*clock_changed)(void *user);
    /** "config NAME": replace the running config with the file at path. */
    void (*load_config)(void *user, const char *path);
} script_probe_t;

typedef struct script_player script_player_t;

/**
 * @param s               borrowed; outlives the player.
 * @param screenshot_dir  NULL: a "screenshot" command fails the run.
 * @param script_dir      where "config NAME" files are; NULL: such a
 *                        command fails the run.
 * @param probe           copied.
 * @param out             free with script_player_destroy().
 */
hk_err_t script_player_create(const script_t *s, const char *screenshot_dir, const char *script_dir,
                              const script_probe_t *probe, script_player_t **out);
void script_player_destroy(script_player_t *p); /* NULL ok */

/** The player as an input source for ui_loop_run(). */
ui_input_source_t script_player_source(script_player_t *p);

#endif
