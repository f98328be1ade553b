/*
 * hk_time: civil calendar and business-day arithmetic (see hk_time.h).
 * The conversions are Howard Hinnant's algorithms
 * (https://howardhinnant.github.io/date_algorithms.html): exact over the
 * proleptic Gregorian calendar, floor division throughout so instants
 * before 1970 land on the right day. No clock, no libc time functions
 * (timegm/localtime depend on TZ and are not in C11).
 */
#include "hk_time.h"

#include <stddef.h>

/* Static prototypes -------------------------------------------------------*/
static int64_t floor_div(int64_t a, int64_t b);
static bool digits(const char *s, int n, int *out);
static hk_err_t parse_date_part(const char *s, hk_time_date_t *out);

/* Public functions --------------------------------------------------------*/

int64_t hk_time_days_from_civil(const hk_time_date_t *date)
{
    int64_t y = (int64_t)date->year - (date->month <= 2);
    int64_t m = date->month;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + date->day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

void hk_time_civil_from_days(int64_t days, hk_time_date_t *out)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);

    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->month = m;
    out->year = (int)(yoe + era * 400 + (m <= 2));
}

bool hk_time_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int hk_time_days_in_month(int year, int month)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if(month < 1 || month > 12)
        return 0;
    if(month == 2 && hk_time_is_leap_year(year))
        return 29;
    return mdays[month - 1];
}

int hk_time_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)(days + 4 - floor_div(days + 4, 7) * 7);
}

void hk_time_local(int64_t wall_ms, int utc_offset_min, hk_time_local_t *out)
{
    int64_t local_ms = wall_ms + (int64_t)utc_offset_min * HK_TIME_MS_PER_MIN;
    int64_t days = floor_div(local_ms, HK_TIME_MS_PER_DAY);
    int64_t ms_of_day = local_ms - days * HK_TIME_MS_PER_DAY;

    hk_time_civil_from_days(days, &out->date);
    out->wday = hk_time_weekday(days);
    out->min_of_day = (int)(ms_of_day / HK_TIME_MS_PER_MIN);
    out->sec = (int)(ms_of_day / 1000 % 60);
    out->day_num = days;
}

void hk_time_business_day(int64_t wall_ms, int utc_offset_min, char day_out[HK_TIME_DAY_LEN])
{
    hk_time_local_t lt;

    hk_time_local(wall_ms, utc_offset_min, &lt);
    hk_time_format_day(&lt.date, day_out);
}

int hk_time_minute_of_day(int64_t wall_ms, int utc_offset_min)
{
    hk_time_local_t lt;

    hk_time_local(wall_ms, utc_offset_min, &lt);
    return lt.min_of_day;
}

void hk_time_format_day(const hk_time_date_t *date, char out[HK_TIME_DAY_LEN])
{
    /* Hand-rolled rather than snprintf: -Wformat-truncation cannot prove
     * the fields small, and only sane clocks matter here. */
    int y = date->year < 0 ? 0 : date->year > 9999 ? 9999 : date->year;
    int m = date->month < 0 ? 0 : date->month % 100;
    int d = date->day < 0 ? 0 : date->day % 100;

    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

hk_err_t hk_time_parse_day(const char *s, hk_time_date_t *out)
{
    hk_time_date_t d;

    if(!s || parse_date_part(s, &d) != HK_OK || s[10] != '\0')
        return HK_ERR_INVALID;
    *out = d;
    return HK_OK;
}

hk_err_t hk_time_parse_local(const char *s, int64_t *local_ms_out)
{
    hk_time_date_t d;
    int h, mi, sec = 0;
    const char *t;

    if(!s || parse_date_part(s, &d) != HK_OK || s[10] != 'T')
        return HK_ERR_INVALID;
    t = s + 11;
    if(!digits(t, 2, &h) || t[2] != ':' || !digits(t + 3, 2, &mi))
        return HK_ERR_INVALID;
    if(t[5] == ':') {
        if(!digits(t + 6, 2, &sec) || t[8] != '\0')
            return HK_ERR_INVALID;
    } else if(t[5] != '\0') {
        return HK_ERR_INVALID;
    }
    if(h > 23 || mi > 59 || sec > 59)
        return HK_ERR_INVALID;
    *local_ms_out = hk_time_days_from_civil(&d) * HK_TIME_MS_PER_DAY +
                    ((int64_t)h * 3600 + mi * 60 + sec) * 1000;
    return HK_OK;
}

int64_t hk_time_wall_from_local(int64_t local_ms, int utc_offset_min)
{
    return local_ms - (int64_t)utc_offset_min * HK_TIME_MS_PER_MIN;
}

int64_t hk_time_wall_at(const hk_time_date_t *date, int min_of_day, int utc_offset_min)
{
    int64_t local_ms = hk_time_days_from_civil(date) * HK_TIME_MS_PER_DAY +
                       (int64_t)min_of_day * HK_TIME_MS_PER_MIN;

    return hk_time_wall_from_local(local_ms, utc_offset_min);
}

/* Static functions --------------------------------------------------------*/

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Exactly n ASCII digits (no sign, no space: sscanf's %d takes both). */
static bool digits(const char *s, int n, int *out)
{
    int v = 0, i;

    for(i = 0; i < n; i++) {
        if(s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The first 10 characters as a real "YYYY-MM-DD"; the caller checks s[10]. */
static hk_err_t parse_date_part(const char *s, hk_time_date_t *out)
{
    int y, m, d;

    if(!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
       !digits(s + 8, 2, &d))
        return HK_ERR_INVALID;
    if(m < 1 || m > 12 || d < 1 || d > hk_time_days_in_month(y, m))
        return HK_ERR_INVALID;
    out->year = y;
    out->month = m;
    out->day = d;
    return HK_OK;
}

void hk_time_add_ms(struct timespec *ts, int64_t ms)
{
    if(ms < 0)
        ms = 0;
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if(ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}
