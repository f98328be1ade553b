/*
 * hk_time: calendar arithmetic for the branch's business day. Civil dates
 * (proleptic Gregorian) to and from a day number, wall time plus a fixed
 * UTC offset to local date, time and weekday, and strict parsing of the
 * "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM[:SS]" forms people type into configs
 * and scripts.
 *
 * It reads no clock (wall_ms is always an argument, STYLE §7) and knows no
 * time zones or DST: a branch runs on one fixed offset (config
 * utc_offset_min), which is what China and most of our markets use.
 * Pure functions: thread-safe.
 */
#ifndef HK_APP_CORE_HK_TIME_H
#define HK_APP_CORE_HK_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hk_err.h"

#define HK_TIME_DAY_LEN    11 /* "YYYY-MM-DD" + NUL */
#define HK_TIME_MS_PER_DAY INT64_C(86400000)
#define HK_TIME_MS_PER_MIN INT64_C(60000)

/**
 * Move ts (from clock_gettime) forward by ms, keeping tv_nsec < 1e9: the
 * deadline a pthread_cond_timedwait takes. ms < 0 counts as 0.
 */
void hk_time_add_ms(struct timespec *ts, int64_t ms);

/* A civil date. month 1..12, day 1..31. */
typedef struct hk_time_date {
    int year;
    int month;
    int day;
} hk_time_date_t;

/* Local date and time of a wall instant at some UTC offset. */
typedef struct hk_time_local {
    hk_time_date_t date;
    int wday;        /* 0 = Sunday .. 6 = Saturday (struct tm's tm_wday) */
    int min_of_day;  /* 0..1439 */
    int sec;         /* 0..59 */
    int64_t day_num; /* local days since 1970-01-01 (negative before) */
} hk_time_local_t;

/**
 * Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
 * @param date  any year; month and day need not be checked (garbage in,
 *              garbage out, no UB for |year| < 2^31 / 366).
 * @return the day number; negative before 1970.
 */
int64_t hk_time_days_from_civil(const hk_time_date_t *date);

/**
 * Civil date of a day number (Howard Hinnant's civil_from_days).
 * @param days  days since 1970-01-01; any value within +-2^40.
 * @param out   receives the date.
 */
void hk_time_civil_from_days(int64_t days, hk_time_date_t *out);

/** True for Gregorian leap years (2000 yes, 1900 no, 2024 yes). */
bool hk_time_is_leap_year(int year);

/** Days in a month (28..31), or 0 if month is not 1..12. */
int hk_time_days_in_month(int year, int month);

/** Weekday of a day number, 0 = Sunday .. 6 = Saturday. */
int hk_time_weekday(int64_t days);

/**
 * Local date, time of day and weekday of a wall instant.
 * @param wall_ms         Unix epoch milliseconds (UTC).
 * @param utc_offset_min  local = UTC + offset; -720..840 in practice.
 * @param out             receives the result.
 */
void hk_time_local(int64_t wall_ms, int utc_offset_min, hk_time_local_t *out);

/**
 * The business day "YYYY-MM-DD" of a wall instant: the local date, which
 * changes at local midnight. Years outside 0..9999 are clamped so the
 * text is always 10 characters.
 * @param day_out  receives the text, HK_TIME_DAY_LEN bytes incl. NUL.
 */
void hk_time_business_day(int64_t wall_ms, int utc_offset_min, char day_out[HK_TIME_DAY_LEN]);

/** Minutes since local midnight, 0..1439. */
int hk_time_minute_of_day(int64_t wall_ms, int utc_offset_min);

/**
 * Format a date as "YYYY-MM-DD" (year clamped to 0..9999).
 * @param out  HK_TIME_DAY_LEN bytes incl. NUL.
 */
void hk_time_format_day(const hk_time_date_t *date, char out[HK_TIME_DAY_LEN]);

/**
 * Parse "YYYY-MM-DD" strictly: exactly that shape, ASCII digits, a real
 * date (2026-02-30 and 2025-02-29 are refused), nothing after it.
 * @param s    NUL-terminated text; NULL is refused.
 * @param out  written only on HK_OK.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t hk_time_parse_day(const char *s, hk_time_date_t *out);

/**
 * Parse a local date and time "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS"
 * strictly (as hk_time_parse_day, hours 00..23, minutes and seconds
 * 00..59).
 * @param s             NUL-terminated text; NULL is refused.
 * @param local_ms_out  written only on HK_OK: milliseconds since
 *                      1970-01-01T00:00 *local* (the fields read as if
 *                      UTC); hk_time_wall_from_local() turns it into a
 *                      wall instant.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t hk_time_parse_local(const char *s, int64_t *local_ms_out);

/** Wall (UTC) ms of a local ms at utc_offset_min: local_ms - offset. */
int64_t hk_time_wall_from_local(int64_t local_ms, int utc_offset_min);

/**
 * Wall ms of a local civil date and minute of day at utc_offset_min; the
 * inverse of hk_time_local() (benches and tests place events this way).
 */
int64_t hk_time_wall_at(const hk_time_date_t *date, int min_of_day, int utc_offset_min);

#endif
