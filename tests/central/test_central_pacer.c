/*
 * central_pacer: hall-central's Retry-After grows with its load. Driven by
 * a clock of the test's own (no sleeping, no threads, no flakiness): a
 * server measured serving 20 requests/s, then 200 clients refused in one
 * instant are handed return times spread at half that rate after the
 * in-flight work drains, so their Retry-After climbs from the floor towards
 * 200 / 10 s; the random spread stays within a quarter; the cap holds;
 * once the promises are past, a refusal gets the floor again; an idle
 * window does not lower the measured rate, a busy one does; a flooded
 * pipeline (many in flight, few finished yet) is measured by Little's law.
 */
#include <stdint.h>
#include <stdio.h>

#include "central_pacer.h"
#include "hk_test.h"

void setUp(void)
{
}

void tearDown(void)
{
}

/* n requests served evenly over [from, from + ms), one at a time, each in
 * the server for 50 ms (so Little's law, 1 / 50 ms, says no more than 20/s) */
static void serve(central_pacer_t *p, int n, int64_t from, int64_t ms)
{
    int i;

    for(i = 0; i < n; i++)
        central_pacer_served(p, from + ms * i / n, 50, 1);
}

static void test_central_pacer_retry_after_grows_with_the_queue(void)
{
    central_pacer_t p;
    int64_t t = 1000000;
    int i, ra[200];

    central_pacer_init(&p, 1, 300, 64, t);
    /* busy seconds at 20 requests/s (a refusal in each makes them count; the
     * first is averaged with the guess, the EWMA forgets it) */
    for(i = 0; i < 8; i++) {
        serve(&p, 20, t, 1000);
        (void)central_pacer_refuse(&p, 8, t + 999, 0);
        t += 1000;
    }
    central_pacer_served(&p, t, 50, 1); /* closes the last window */
    HK_ASSERT_MSG(central_pacer_rate(&p) > 19.0 && central_pacer_rate(&p) < 21.0, "rate %.1f",
                  central_pacer_rate(&p));
    t += 5000; /* the earlier promises are over */
    for(i = 0; i < 200; i++)
        ra[i] = central_pacer_refuse(&p, 20, t, 0);
    /* 20 in flight drain in 1 s; then one return every 100 ms (half of 20/s) */
    HK_ASSERT_MSG(ra[0] <= 2, "first %d", ra[0]);
    for(i = 1; i < 200; i++)
        HK_ASSERT_MSG(ra[i] >= ra[i - 1], "%d: %d after %d", i, ra[i], ra[i - 1]);
    HK_ASSERT_MSG(ra[99] >= 10 && ra[99] <= 12, "100th %d", ra[99]);
    HK_ASSERT_MSG(ra[199] >= 20 && ra[199] <= 22, "200th %d", ra[199]);
    /* and no second holds more than its share: 10 returns per second */
    for(i = 0; i + 11 < 200; i++)
        HK_ASSERT_MSG(ra[i + 11] > ra[i], "%d: 12 clients told %d s", i, ra[i]);
    central_pacer_destroy(&p);
}

static void test_central_pacer_spread_floor_and_cap(void)
{
    central_pacer_t p;
    int64_t t = 5000;
    int i, a, b;

    central_pacer_init(&p, 5, 30, 10, t);
    /* a lone refusal on a quiet server: the floor */
    HK_ASSERT_INT(5, central_pacer_refuse(&p, 1, t, 0xffffffffu));
    /* queue up: the unspread wait w, and with the largest spread at most w * 1.25 */
    for(i = 0; i < 20; i++)
        (void)central_pacer_refuse(&p, 10, t, 0);
    a = central_pacer_refuse(&p, 10, t, 0);
    b = central_pacer_refuse(&p, 10, t, 0xfffffffeu);
    HK_ASSERT_MSG(b >= a && b <= (a * 5 + 3) / 4 + 1, "spread %d vs %d", b, a);
    /* hundreds more: the cap, and the promises do not grow past it */
    for(i = 0; i < 1000; i++)
        a = central_pacer_refuse(&p, 10, t, 0);
    HK_ASSERT_INT(30, a);
    /* all promises past: the floor again */
    t += 31000;
    HK_ASSERT_INT(5, central_pacer_refuse(&p, 0, t, 0));
    central_pacer_destroy(&p);
}

static void test_central_pacer_idle_windows_do_not_lower_the_rate(void)
{
    central_pacer_t p;
    int64_t t = 0;
    int i;

    central_pacer_init(&p, 1, 300, 50, t);
    /* idle seconds at 2 requests/s: the guess (50/s) stays */
    for(i = 0; i < 5; i++) {
        serve(&p, 2, t, 1000);
        t += 1000;
    }
    central_pacer_served(&p, t, 50, 1);
    HK_ASSERT_MSG(central_pacer_rate(&p) >= 49.0, "rate %.1f", central_pacer_rate(&p));
    /* busy seconds at 10/s: measured, they replace the guess */
    for(i = 0; i < 6; i++) {
        int k;
        t += 1000;
        for(k = 0; k < 10; k++) /* one at a time, 100 ms each: 10/s */
            central_pacer_served(&p, t + 100 * k, 100, 1);
        (void)central_pacer_refuse(&p, 50, t + 500, 0);
    }
    t += 1000;
    central_pacer_served(&p, t, 50, 1);
    HK_ASSERT_MSG(central_pacer_rate(&p) > 8.0 && central_pacer_rate(&p) < 12.0, "rate %.1f",
                  central_pacer_rate(&p));
    /* an idle second serving more (80/s) proves more capacity: raised */
    t += 1;
    serve(&p, 80, t, 1000);
    t += 1000;
    central_pacer_served(&p, t, 50, 1);
    HK_ASSERT_MSG(central_pacer_rate(&p) > 70.0, "rate %.1f", central_pacer_rate(&p));
    central_pacer_destroy(&p);
}

static void test_central_pacer_a_flooded_pipeline_is_not_a_slow_server(void)
{
    central_pacer_t p;
    int64_t t = 0;
    int i;

    /* just restarted into a flood: 64 in flight, each a second in the
     * server; the first second finishes only 7 of them (the pipeline was
     * filling), but the server serves 64/s: Little's law, not the count */
    central_pacer_init(&p, 1, 300, 10, t);
    for(i = 0; i < 7; i++)
        central_pacer_served(&p, 300 + 100 * i, 1000, 64);
    (void)central_pacer_refuse(&p, 64, 950, 0);
    central_pacer_served(&p, 1000, 1000, 64);
    HK_ASSERT_MSG(central_pacer_rate(&p) > 30.0, "rate %.1f", central_pacer_rate(&p));
    central_pacer_destroy(&p);
}

int main(void)
{
    HK_RUN(test_central_pacer_retry_after_grows_with_the_queue);
    HK_RUN(test_central_pacer_spread_floor_and_cap);
    HK_RUN(test_central_pacer_idle_windows_do_not_lower_the_rate);
    HK_RUN(test_central_pacer_a_flooded_pipeline_is_not_a_slow_server);
    return hk_test_end();
}
