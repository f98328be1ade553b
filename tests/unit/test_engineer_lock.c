/*
 * engineer_lock (issue 9.5): 5 wrong PINs lock the engineer pad for
 * 5 minutes, each further lock doubles up to 24 h, the right PIN clears
 * it, the state survives a reload (a reboot) from the real file, a wall
 * clock stepped backwards restarts at most one period (never unlocks, never
 * locks longer), a wall clock stepped forward does not end a lock while
 * the process runs, and a corrupt file is treated as locked.
 */
#include <stdio.h>
#include <string.h>

#include "engineer_lock.h"
#include "hk_file.h"
#include "hk_log.h"
#include "hk_test.h"

#define MIN_MS (60 * 1000LL)
#define T0     1795660800000LL /* 2026-11-26 wall */

void setUp(void)
{
    hk_log_set_stderr(false);
}

void tearDown(void)
{
    hk_log_set_stderr(true);
}

static void fail_n(engineer_lock_t *lk, int n, int64_t wall, int64_t mono, int64_t *left)
{
    for(int i = 0; i < n; i++)
        HK_ASSERT_OK(engineer_lock_fail(lk, wall, mono, left));
}

static void test_five_failures_lock_five_minutes(void)
{
    engineer_lock_t lk;
    int64_t left = -1;

    HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), T0, 1000));
    HK_ASSERT_INT(0, (int)engineer_lock_remaining_ms(&lk, T0, 1000));
    fail_n(&lk, 4, T0, 1000, &left);
    HK_ASSERT_INT(0, (int)left);
    HK_ASSERT_INT(4, lk.fails);
    HK_ASSERT_OK(engineer_lock_fail(&lk, T0, 1000, &left));
    HK_ASSERT(left == 5 * MIN_MS);
    HK_ASSERT(engineer_lock_remaining_ms(&lk, T0 + MIN_MS, 1000 + MIN_MS) == 4 * MIN_MS);
    /* a try while locked is not counted and does not extend the lock */
    HK_ASSERT_OK(engineer_lock_fail(&lk, T0 + MIN_MS, 1000 + MIN_MS, &left));
    HK_ASSERT(left == 4 * MIN_MS);
    HK_ASSERT_INT(1, lk.locks);
    /* over after 5 minutes */
    HK_ASSERT(engineer_lock_remaining_ms(&lk, T0 + 5 * MIN_MS, 1000 + 5 * MIN_MS) == 0);
    HK_ASSERT_INT(0, lk.fails);
}

static void test_doubling_and_cap(void)
{
    engineer_lock_t lk;
    int64_t wall = T0, mono = 0, left = 0, want = 5 * MIN_MS;

    HK_ASSERT(engineer_lock_duration_ms(1) == 5 * MIN_MS);
    HK_ASSERT(engineer_lock_duration_ms(2) == 10 * MIN_MS);
    HK_ASSERT(engineer_lock_duration_ms(3) == 20 * MIN_MS);
    HK_ASSERT(engineer_lock_duration_ms(9) == 1280 * MIN_MS);
    HK_ASSERT(engineer_lock_duration_ms(10) == ENGINEER_LOCK_CAP_MS); /* 2560 min > 24 h */
    HK_ASSERT(engineer_lock_duration_ms(400) == ENGINEER_LOCK_CAP_MS);
    HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), wall, mono));
    for(int n = 1; n <= 6; n++) {
        fail_n(&lk, 5, wall, mono, &left);
        HK_ASSERT_MSG(left == want, "lock %d: %lld ms, want %lld", n, (long long)left,
                      (long long)want);
        wall += left;
        mono += left;
        HK_ASSERT(engineer_lock_remaining_ms(&lk, wall, mono) == 0);
        want *= 2;
    }
    /* the right PIN clears the doubling */
    HK_ASSERT_OK(engineer_lock_success(&lk));
    fail_n(&lk, 5, wall, mono, &left);
    HK_ASSERT(left == 5 * MIN_MS);
}

static void test_survives_reload(void)
{
    engineer_lock_t lk, again;
    int64_t left = 0;

    HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), T0, 50));
    fail_n(&lk, 3, T0, 50, &left);
    /* a reboot: the monotonic clock starts again near zero */
    HK_ASSERT_OK(engineer_lock_load(&again, hk_test_tmpdir(), T0 + 1000, 7));
    HK_ASSERT_INT(3, again.fails);
    fail_n(&again, 2, T0 + 1000, 7, &left);
    HK_ASSERT(left == 5 * MIN_MS);
    HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), T0 + 1000 + 2 * MIN_MS, 3));
    HK_ASSERT(engineer_lock_remaining_ms(&lk, T0 + 1000 + 2 * MIN_MS, 3) == 3 * MIN_MS);
    HK_ASSERT(!lk.corrupt);
    /* after the lock, the next one doubles, also across a reload */
    HK_ASSERT(engineer_lock_remaining_ms(&lk, T0 + 1000 + 5 * MIN_MS, 3 * MIN_MS + 3) == 0);
    fail_n(&lk, 5, T0 + 10 * MIN_MS, 8 * MIN_MS, &left);
    HK_ASSERT(left == 10 * MIN_MS);
    HK_ASSERT_OK(engineer_lock_success(&lk));
    HK_ASSERT_OK(engineer_lock_load(&again, hk_test_tmpdir(), T0 + 11 * MIN_MS, 0));
    HK_ASSERT(engineer_lock_remaining_ms(&again, T0 + 11 * MIN_MS, 0) == 0);
    HK_ASSERT_INT(0, again.locks);
}

static void test_clock_jumps(void)
{
    engineer_lock_t lk;
    int64_t left = 0;

    HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), T0, 0));
    fail_n(&lk, 5, T0, 0, &left);
    /* backwards by a year, across a reboot: still locked, for one period at most */
    HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), T0 - 365 * 24 * 60 * MIN_MS, 0));
    left = engineer_lock_remaining_ms(&lk, T0 - 365 * 24 * 60 * MIN_MS, 0);
    HK_ASSERT_MSG(left > 0 && left <= 5 * MIN_MS, "left %lld", (long long)left);
    /* and it ends on the (backward) clock after that period */
    HK_ASSERT(
        engineer_lock_remaining_ms(&lk, T0 - 365 * 24 * 60 * MIN_MS + 5 * MIN_MS, 5 * MIN_MS) == 0);
    /* forward while the process runs: the monotonic clock keeps it */
    fail_n(&lk, 5, T0, 10 * MIN_MS, &left);
    HK_ASSERT(left == 10 * MIN_MS);
    left = engineer_lock_remaining_ms(&lk, T0 + 24 * 60 * MIN_MS, 11 * MIN_MS);
    HK_ASSERT(left == 9 * MIN_MS);
}

static void test_corrupt_file_is_locked(void)
{
    static const char *const bad[] = {
        "{\"v\":1,\"fails\":0,\"locks\":0,\"until_ms\":0", /* cut short */
        "garbage",
        "{\"v\":2,\"fails\":0,\"locks\":0,\"until_ms\":0}",
        "{\"v\":1,\"fails\":-3,\"locks\":0,\"until_ms\":0}",
        "{\"v\":1,\"fails\":0,\"locks\":0,\"until_ms\":99999}", /* a lock without a count */
        "{\"v\":1,\"fails\":0,\"locks\":0,\"until_ms\":0,\"x\":1}",
        "",
    };
    char path[600];

    snprintf(path, sizeof(path), "%s/%s", hk_test_tmpdir(), ENGINEER_LOCK_FILE);
    for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        engineer_lock_t lk, again;
        HK_ASSERT_OK(hk_file_write_atomic(hk_test_tmpdir(), path, bad[i], strlen(bad[i])));
        HK_ASSERT_OK(engineer_lock_load(&lk, hk_test_tmpdir(), T0, 0));
        HK_ASSERT_MSG(lk.corrupt, "case %zu not refused", i);
        HK_ASSERT_MSG(engineer_lock_remaining_ms(&lk, T0, 0) == 5 * MIN_MS, "case %zu", i);
        /* written back whole: the next start reads the same lock */
        HK_ASSERT_OK(engineer_lock_load(&again, hk_test_tmpdir(), T0 + MIN_MS, 0));
        HK_ASSERT(!again.corrupt);
        HK_ASSERT(engineer_lock_remaining_ms(&again, T0 + MIN_MS, 0) == 4 * MIN_MS);
    }
    /* the file is never the PIN's place: it holds only numbers */
    HK_ASSERT(hk_test_file_has(path, "\"until_ms\""));
}

int main(void)
{
    HK_RUN(test_five_failures_lock_five_minutes);
    HK_RUN(test_doubling_and_cap);
    HK_RUN(test_survives_reload);
    HK_RUN(test_clock_jumps);
    HK_RUN(test_corrupt_file_is_locked);
    return hk_test_end();
}
