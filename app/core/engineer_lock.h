/*
 * engineer_lock: the engineer mode's PIN lockout, kept in a small file in
 * the data directory (engineer-lock.json) so that a reboot or a killed
 * process does not reset it. 5 wrong PINs in a row lock the pad for
 * 5 minutes; each further lock doubles (10, 20, 40 ... minutes), capped at
 * 24 hours; the right PIN clears everything. It does not check PINs
 * (staff_auth_verify_pin does) and writes no journal events (the caller
 * reports each failure).
 *
 * Time: the lock's end is wall time (so it survives a reboot) and, for the
 * running process, also monotonic time (so a wall clock stepped forward
 * does not end it early while the process runs). A wall clock stepped
 * backwards would push the end far away: a lock is never longer than its
 * own duration from "now", so such a jump restarts at most one lock
 * period, and never unlocks.
 *
 * Not thread-safe: one owner (the kiosk's loop thread).
 */
#ifndef HK_APP_CORE_ENGINEER_LOCK_H
#define HK_APP_CORE_ENGINEER_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "hk_err.h"

#define ENGINEER_LOCK_MAX_FAILS 5                    /* wrong PINs in a row before a lock */
#define ENGINEER_LOCK_BASE_MS   (5 * 60 * 1000)      /* the first lock */
#define ENGINEER_LOCK_CAP_MS    (24 * 3600 * 1000LL) /* no lock is longer */
#define ENGINEER_LOCK_FILE      "engineer-lock.json"

typedef struct engineer_lock {
    char dir[256];
    char path[300];
    int fails;             /* wrong PINs since the last lock ended (or the last success) */
    int locks;             /* locks imposed since the last success (the doubling's exponent) */
    int64_t until_wall_ms; /* end of the current lock, wall time; 0 = none */
    int64_t until_mono_ms; /* the same end on the monotonic clock (this process) */
    bool corrupt;          /* the file was unreadable when loaded (treated as locked) */
} engineer_lock_t;

/**
 * Load the state from DIR/engineer-lock.json. No file: nothing locked. A
 * file that cannot be parsed (tampering, a disk fault: writes are atomic,
 * so a power cut cannot leave one) counts as a fresh lock of the next
 * level: refusing to guess is the safe side, and the lock still ends.
 * @param dir  the data directory (borrowed; copied).
 * @return HK_OK (also for a corrupt file, with lk->corrupt set and the
 *         lock written back); HK_ERR_INVALID dir too long; HK_ERR_IO.
 */
hk_err_t engineer_lock_load(engineer_lock_t *lk, const char *dir, int64_t wall_ms, int64_t mono_ms);

/**
 * Milliseconds the pad stays locked from now; 0 = open. A lock that has
 * ended starts a new count of failures (in memory; the next write keeps it).
 */
int64_t engineer_lock_remaining_ms(engineer_lock_t *lk, int64_t wall_ms, int64_t mono_ms);

/**
 * Count a wrong PIN and write the state (atomically, fsync'd) before
 * returning, so a crash right after still counts it.
 * @param remaining_ms  receives the lock now in force (0 = none yet); may be NULL.
 * @return HK_OK; HK_ERR_IO the file could not be written (the failure
 *         still counts in memory).
 */
hk_err_t engineer_lock_fail(engineer_lock_t *lk, int64_t wall_ms, int64_t mono_ms,
                            int64_t *remaining_ms);

/** The right PIN: clear the counts and the lock, durably. */
hk_err_t engineer_lock_success(engineer_lock_t *lk);

/** Duration of lock number n (1-based): 5 min doubling, capped at 24 h. */
int64_t engineer_lock_duration_ms(int n);

#endif
