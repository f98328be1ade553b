/*
 * runloop: the part of every role's main loop that has nothing to do with
 * a screen: the role's mailbox, its deadline timers and its quit flag.
 * Screen roles wrap it in ui_loop (which waits in the display and draws);
 * a screenless role (the hub) runs it directly with runloop_run(), which
 * waits on the mailbox's condition variable until the next deadline.
 *
 * Not thread-safe except through the mailbox: one thread owns the loop;
 * other threads only post to runloop_mailbox().
 */
#ifndef HK_APP_CORE_RUNLOOP_H
#define HK_APP_CORE_RUNLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "hk_err.h"
#include "mailbox.h"

#define RUNLOOP_MAX_TIMERS 16
#define RUNLOOP_NEVER      INT64_MAX

typedef struct runloop_hooks {
    void *user;
    /** Monotonic milliseconds (the role's clock; stepped in scripted runs). */
    int64_t (*now_ms)(void *user);
    /** A message taken from the mailbox; the hook owns it (mailbox_msg_free). */
    void (*on_message)(void *user, mailbox_msg_t *msg);
    /** Timer id fired (it is disarmed first; re-arm from inside is fine). */
    void (*on_timer)(void *user, int id);
} runloop_hooks_t;

typedef struct runloop runloop_t;

/**
 * @param hooks      copied.
 * @param mbox_cap   mailbox capacity.
 * @param wake       passed to mailbox_create (screen roles: display_wake);
 *                   NULL for runloop_run().
 * @param out        free with runloop_destroy().
 */
hk_err_t runloop_create(const runloop_hooks_t *hooks, int mbox_cap, mailbox_wake_fn wake,
                        void *wake_user, runloop_t **out);
void runloop_destroy(runloop_t *rl); /* NULL ok; frees queued messages */

mailbox_t *runloop_mailbox(runloop_t *rl);

/** Arm (or move) timer id (0..RUNLOOP_MAX_TIMERS-1) to fire at deadline_ms. */
void runloop_timer_at(runloop_t *rl, int id, int64_t deadline_ms);
void runloop_timer_cancel(runloop_t *rl, int id);
bool runloop_timer_armed(const runloop_t *rl, int id);

/** Earliest armed deadline, RUNLOOP_NEVER when none. */
int64_t runloop_next_deadline(const runloop_t *rl);

/**
 * Deliver every queued message (a MAILBOX_QUIT ends the loop with its
 * code), then fire every timer that is due.
 */
void runloop_dispatch(runloop_t *rl);

/** Ask the loop to end with code after the current dispatch. */
void runloop_quit(runloop_t *rl, int code);
bool runloop_quitting(const runloop_t *rl);
int runloop_exit_code(const runloop_t *rl);

/**
 * Screenless: until quit, wait on the mailbox up to the next deadline and
 * dispatch. Idle costs no CPU: with no timer armed it sleeps until a post.
 * @return the exit code given to runloop_quit() / MAILBOX_QUIT.
 */
int runloop_run(runloop_t *rl);

#endif
