/*
 * clock: time as an input. Core and UI never read the system clock
 * directly; they ask a clock_t, which is the system clock in production and
 * a stepped clock in tests and scripted runs (LVGL's lv_tick_inc idea).
 */
#ifndef HK_PLATFORM_CLOCK_CLOCK_H
#define HK_PLATFORM_CLOCK_CLOCK_H

#include <stdint.h>

#include "hk_err.h"

typedef struct hk_clock hk_clock_t;

/**
 * Create the system clock (CLOCK_MONOTONIC + CLOCK_REALTIME).
 * @param out  receives the clock; free with hk_clock_destroy().
 */
hk_err_t hk_clock_system_create(hk_clock_t **out);

/**
 * Create a stepped clock: time moves only through hk_clock_advance().
 * @param wall_start_ms  Unix epoch milliseconds the clock starts at.
 * @param out            receives the clock; free with hk_clock_destroy().
 */
hk_err_t hk_clock_stepped_create(int64_t wall_start_ms, hk_clock_t **out);

/** Free a clock; NULL is a no-op. */
void hk_clock_destroy(hk_clock_t *c);

/** Monotonic milliseconds (arbitrary origin, never goes back). */
int64_t hk_clock_mono_ms(const hk_clock_t *c);

/** Wall time, Unix epoch milliseconds. */
int64_t hk_clock_wall_ms(const hk_clock_t *c);

/** True for a stepped clock. */
int hk_clock_is_stepped(const hk_clock_t *c);

/** Stepped clock only: move both times forward by ms (no-op on system). */
void hk_clock_advance(hk_clock_t *c, int64_t ms);

/** Stepped clock only: set the wall time (monotonic time is unchanged). */
void hk_clock_set_wall(hk_clock_t *c, int64_t wall_ms);

#endif
