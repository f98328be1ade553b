/*
 * test_hk_time: civil dates both ways (leap years, centuries, before 1970,
 * round trips over many years), the business day at the configured UTC
 * offset changing at local midnight, and strict parsing.
 */
#include <stdio.h>
#include <string.h>

#include "hk_test.h"
#include "hk_time.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static int64_t days_of(int y, int m, int d)
{
    hk_time_date_t date = { y, m, d };

    return hk_time_days_from_civil(&date);
}

static void test_hk_time_known_dates_have_known_day_numbers(void)
{
    hk_time_date_t d;

    HK_ASSERT_INT(0, days_of(1970, 1, 1));
    HK_ASSERT_INT(-1, days_of(1969, 12, 31));
    HK_ASSERT_INT(10957, days_of(2000, 1, 1));
    HK_ASSERT_INT(19782, days_of(2024, 2, 29));
    HK_ASSERT_INT(-719468, days_of(0, 3, 1));
    hk_time_civil_from_days(19782, &d);
    HK_ASSERT_INT(2024, d.year);
    HK_ASSERT_INT(2, d.month);
    HK_ASSERT_INT(29, d.day);
    hk_time_civil_from_days(-1, &d);
    HK_ASSERT_INT(1969, d.year);
    HK_ASSERT_INT(12, d.month);
    HK_ASSERT_INT(31, d.day);
    HK_ASSERT_INT(4, hk_time_weekday(0));     /* Thursday */
    HK_ASSERT_INT(3, hk_time_weekday(-1));    /* Wednesday */
    HK_ASSERT_INT(4, hk_time_weekday(19782)); /* 2024-02-29 was a Thursday */
    HK_ASSERT_INT(0, hk_time_weekday(-4));    /* 1969-12-28, a Sunday */
}

static void test_hk_time_leap_years_follow_the_gregorian_rule(void)
{
    HK_ASSERT(hk_time_is_leap_year(2000));
    HK_ASSERT(!hk_time_is_leap_year(1900));
    HK_ASSERT(!hk_time_is_leap_year(2100));
    HK_ASSERT(hk_time_is_leap_year(2024));
    HK_ASSERT(!hk_time_is_leap_year(2026));
    HK_ASSERT_INT(29, hk_time_days_in_month(2024, 2));
    HK_ASSERT_INT(28, hk_time_days_in_month(2100, 2));
    HK_ASSERT_INT(29, hk_time_days_in_month(2000, 2));
    HK_ASSERT_INT(30, hk_time_days_in_month(2026, 4));
    HK_ASSERT_INT(31, hk_time_days_in_month(2026, 12));
    HK_ASSERT_INT(0, hk_time_days_in_month(2026, 13));
    HK_ASSERT_INT(366, days_of(2025, 1, 1) - days_of(2024, 1, 1));
    HK_ASSERT_INT(365, days_of(2101, 1, 1) - days_of(2100, 1, 1));
}

/* Every day from 1600 to 2400 converts to its date and back, dates
 * advance by exactly one day, and weekdays cycle. */
static void test_hk_time_round_trips_every_day_over_eight_centuries(void)
{
    int64_t first = days_of(1600, 1, 1), last = days_of(2400, 12, 31), z;
    hk_time_date_t prev, d;

    hk_time_civil_from_days(first - 1, &prev);
    HK_ASSERT_INT(1599, prev.year);
    for(z = first; z <= last; z++) {
        hk_time_civil_from_days(z, &d);
        HK_ASSERT_MSG(hk_time_days_from_civil(&d) == z, "day %lld", (long long)z);
        HK_ASSERT(d.day >= 1 && d.day <= hk_time_days_in_month(d.year, d.month));
        if(d.day == 1) {
            HK_ASSERT(prev.day == hk_time_days_in_month(prev.year, prev.month));
            HK_ASSERT(d.month == prev.month % 12 + 1);
        } else {
            HK_ASSERT(d.day == prev.day + 1 && d.month == prev.month && d.year == prev.year);
        }
        HK_ASSERT_INT((hk_time_weekday(z - 1) + 1) % 7, hk_time_weekday(z));
        prev = d;
    }
}

static void test_hk_time_business_day_changes_at_local_midnight(void)
{
    hk_time_date_t d = { 2024, 3, 11 };
    int64_t midnight_utc8 = hk_time_wall_at(&d, 0, 480);
    hk_time_local_t lt;
    char day[HK_TIME_DAY_LEN];

    /* 2024-03-11 00:00 at UTC+8 is 2024-03-10 16:00 UTC. */
    HK_ASSERT_INT((days_of(2024, 3, 10) * 86400 + 16 * 3600) * 1000, midnight_utc8);
    hk_time_business_day(midnight_utc8, 480, day);
    HK_ASSERT_STR("2024-03-11", day);
    hk_time_business_day(midnight_utc8 - 1, 480, day);
    HK_ASSERT_STR("2024-03-10", day);
    hk_time_business_day(midnight_utc8, 0, day);
    HK_ASSERT_STR("2024-03-10", day);
    hk_time_local(midnight_utc8 - 1, 480, &lt);
    HK_ASSERT_INT(0, lt.wday); /* Sunday */
    HK_ASSERT_INT(23 * 60 + 59, lt.min_of_day);
    HK_ASSERT_INT(59, lt.sec);
    hk_time_local(midnight_utc8, 480, &lt);
    HK_ASSERT_INT(1, lt.wday);
    HK_ASSERT_INT(0, lt.min_of_day);
    HK_ASSERT_INT(days_of(2024, 3, 11), lt.day_num);
    /* West of UTC and before 1970. */
    hk_time_business_day(0, -300, day);
    HK_ASSERT_STR("1969-12-31", day);
    HK_ASSERT_INT(19 * 60, hk_time_minute_of_day(0, -300));
    hk_time_local(-1, 0, &lt);
    HK_ASSERT_STR("1969-12-31", (hk_time_business_day(-1, 0, day), day));
    HK_ASSERT_INT(1439, lt.min_of_day);
    /* Extreme offsets, leap day. */
    d = (hk_time_date_t){ 2024, 2, 29 };
    hk_time_business_day(hk_time_wall_at(&d, 0, 840), 840, day);
    HK_ASSERT_STR("2024-02-29", day);
    hk_time_business_day(hk_time_wall_at(&d, 1439, -720), -720, day);
    HK_ASSERT_STR("2024-02-29", day);
    hk_time_business_day(hk_time_wall_at(&d, 1439, -720) + 60000, -720, day);
    HK_ASSERT_STR("2024-03-01", day);
}

static void test_hk_time_local_round_trips_at_every_offset(void)
{
    int off;
    int64_t ms;

    for(off = -720; off <= 840; off += 15) {
        for(ms = -3 * HK_TIME_MS_PER_DAY; ms < 40LL * 365 * HK_TIME_MS_PER_DAY;
            ms += 7919LL * 60000 + 13000) {
            hk_time_local_t lt;
            int64_t back;

            hk_time_local(ms, off, &lt);
            back = hk_time_wall_at(&lt.date, lt.min_of_day, off) + lt.sec * 1000;
            /* whole seconds only, so the round trip is exact */
            HK_ASSERT_MSG(back == ms, "off %d ms %lld back %lld", off, (long long)ms,
                          (long long)back);
        }
    }
}

static void test_hk_time_parse_day_is_strict(void)
{
    hk_time_date_t d = { 1, 1, 1 };

    HK_ASSERT_OK(hk_time_parse_day("2024-02-29", &d));
    HK_ASSERT_INT(2024, d.year);
    HK_ASSERT_INT(2, d.month);
    HK_ASSERT_INT(29, d.day);
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-02-30", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2025-02-29", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2100-02-29", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-04-31", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-13-01", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-00-10", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-01-00", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-1-01", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-01-01 ", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day(" 2026-01-01", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("+026-01-01", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026/01/01", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("2026-01", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day("", &d));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_day(NULL, &d));
    /* refused parses leave the output alone */
    HK_ASSERT_INT(2024, d.year);
}

static void test_hk_time_parse_local_is_strict(void)
{
    int64_t ms = 42;

    HK_ASSERT_OK(hk_time_parse_local("2024-03-11T09:30", &ms));
    HK_ASSERT_INT((days_of(2024, 3, 11) * 86400 + 9 * 3600 + 30 * 60) * 1000, ms);
    HK_ASSERT_OK(hk_time_parse_local("1969-12-31T23:59:59", &ms));
    HK_ASSERT_INT(-1000, ms);
    HK_ASSERT_INT(-1000 - 480 * 60000, hk_time_wall_from_local(ms, 480));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-30T09:00", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T24:00", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T09:60", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T09:00:60", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T9:00", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10 09:00", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T09:00Z", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T09:00:0", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10T09", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local("2026-02-10", &ms));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_time_parse_local(NULL, &ms));
    HK_ASSERT_INT(-1000, ms);
}

static void test_hk_time_format_day_clamps_insane_years(void)
{
    hk_time_date_t d = { 12345, 6, 7 };
    char day[HK_TIME_DAY_LEN];

    hk_time_format_day(&d, day);
    HK_ASSERT_STR("9999-06-07", day);
    d.year = -5;
    hk_time_format_day(&d, day);
    HK_ASSERT_STR("0000-06-07", day);
    d.year = 7;
    hk_time_format_day(&d, day);
    HK_ASSERT_STR("0007-06-07", day);
}

int main(void)
{
    HK_RUN(test_hk_time_known_dates_have_known_day_numbers);
    HK_RUN(test_hk_time_leap_years_follow_the_gregorian_rule);
    HK_RUN(test_hk_time_round_trips_every_day_over_eight_centuries);
    HK_RUN(test_hk_time_business_day_changes_at_local_midnight);
    HK_RUN(test_hk_time_local_round_trips_at_every_offset);
    HK_RUN(test_hk_time_parse_day_is_strict);
    HK_RUN(test_hk_time_parse_local_is_strict);
    HK_RUN(test_hk_time_format_day_clamps_insane_years);
    return hk_test_end();
}
