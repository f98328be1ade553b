/*
 * report: hall-central's service figures for one business day, computed
 * from the journal events the branches uploaded, and rolled up branch ->
 * city -> province -> head office.
 *
 * A branch report is a pure function of an array of events (report_event_t,
 * borrowed: the store's rows as read): tickets issued, called, served,
 * no-shows; waiting time (first call - issued_ms per visit) as mean, p90 and
 * a band histogram; service time (finished - started); satisfaction (share
 * of ratings with level >= 3, i.e. 基本满意 and above) and participation
 * (ratings / served visits); per-staff volume and satisfaction; the error
 * of the wait quoted at issue; arrivals per local hour. A roll-up is the
 * merge of its children's reports (report_merge): every count is exact,
 * and so is every mean (sums and counts are merged, never means).
 *
 * It reads no clock and no database and keeps no state between calls:
 * thread-safe on distinct report_t values. JSON goes out through cJSON
 * (hk_json_init() routes it through hk_malloc); HTML pages are in
 * report_html.h.
 *
 * Design notes
 * ------------
 * Visit: one customer's number on one business day, (body "day", body
 * "number"). A transfer keeps the number (a new ticket row with the same
 * number and issued_ms), so a transferred customer is one visit that is
 * served (or not) once. Events are taken in (time_ms, device, seq) order;
 * the input order does not matter.
 *
 * Which events belong to the day: those whose body "day" equals the
 * report's day (the business day the ticket was issued on), whatever their
 * time_ms. A day-rollover ticket.cancelled is written the next morning with
 * yesterday's day, and ratings may arrive hours later: the caller passes
 * every event of the branch from the start of the day to well after its end
 * (a day and a half is plenty; events of other days are counted and
 * skipped). Events without a day (counter.*, device.fault) are ignored.
 *
 * Per visit, with the events that set it:
 *   issued_ms      the body's issued_ms (every ticket.* carries it; an
 *                  offline ticket's is the kiosk's issue time)
 *   est_wait_s     ticket.issued est_wait_s (absent or -1: no quote)
 *   first call     the earliest ticket.called; a no-show put back in line
 *                  is not waiting again for the report: the branch had
 *                  answered the customer once
 *   service start  the latest ticket.started after the latest call; when
 *                  a ticket is finished without being started, the call
 *   end            ticket.finished (served), ticket.no_show with put_back
 *                  false (no-show), ticket.cancelled (cancelled); none yet:
 *                  open
 *   staff          ticket.finished "staff" (who was logged in at the call)
 * Figures:
 *   wait      = first call - issued_ms (clamped at 0), one per called visit;
 *               over REPORT_MAX_WAIT_S is a clock gone wrong: no sample,
 *               counted in events_bad (a quote over a day is no quote)
 *   service   = finished - service start, one per served visit; a duration
 *               over REPORT_MAX_SERVICE_S is a counter left open and is
 *               left out (as queue.c leaves it out of its estimate)
 *   no-show rate = no-shows / visits called at least once
 *   satisfaction = ratings with level 3..5 / ratings (visit.rated 1..5)
 *   participation = ratings / served visits
 *   estimate error = |wait - est_wait_s| per called visit that had a quote
 *               (mean absolute error; bias = mean of wait - quote, > 0 when
 *               customers waited longer than they were told)
 *   arrivals  = visits per local hour of issued_ms (params utc_offset_min),
 *               and the mean wait of the called ones per that hour
 * A rating is counted once per visit (the first visit.rated; a later one
 * is a duplicate); a rating whose ticket events have not arrived still
 * counts, and is attributed to the rating's own "staff".
 *
 * Percentiles, honestly: a branch report's p90 is exact (nearest rank over
 * every sample, p90_exact = true). A roll-up does not keep samples (a head
 * office day is millions of visits): its p90 comes from the merged 30-second
 * histogram (REPORT_HIST_BIN_S), as the upper edge of the bin holding the
 * nearest rank. So a roll-up p90 is at most 30 s above the exact value,
 * never below it, and a wait over REPORT_HIST_MAX_S is counted in one
 * overflow bin (p90 then reads REPORT_HIST_MAX_S, "at least"). p90_exact
 * says which one a report holds, and the JSON says it as "p90_method".
 *
 * Invariants: every count of a roll-up is the sum of its children's; the
 * five bands of a distribution sum to its n; the hist bins sum to its n;
 * staff[] is sorted by (branch, id) with no pair twice.
 */
#ifndef HK_SERVER_REPORT_H
#define HK_SERVER_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "central_proto.h"
#include "hk_err.h"

#define REPORT_ID_LEN        CENTRAL_ID_LEN
#define REPORT_NAME_LEN      96
#define REPORT_STAFF_ID_LEN  48 /* config ids are < 24; room for odd ones, cut beyond */
#define REPORT_DAY_LEN       11 /* "YYYY-MM-DD" + NUL */
#define REPORT_BANDS         5  /* 0-5, 5-10, 10-20, 20-30, 30+ minutes */
#define REPORT_HIST_BIN_S    30
#define REPORT_HIST_MAX_S    (4 * 3600)
#define REPORT_HIST_BINS     (REPORT_HIST_MAX_S / REPORT_HIST_BIN_S) /* + 1 overflow */
#define REPORT_MAX_SERVICE_S (4 * 3600)
#define REPORT_MAX_WAIT_S    (24 * 3600)
#define REPORT_LEVELS        6 /* index 1..5 = rating level; 0 unused */
#define REPORT_SATISFIED_MIN 3 /* 基本满意 (basic) and above */
#define REPORT_MAX_EVENTS    (4 * 1000 * 1000)
#define REPORT_MAX_WORK_DAYS 3660

/* The band edges in minutes; the last band is open-ended. */
extern const int report_band_from_min[REPORT_BANDS];

typedef enum report_scope {
    REPORT_SCOPE_BRANCH = 0,
    REPORT_SCOPE_CITY,
    REPORT_SCOPE_PROVINCE,
    REPORT_SCOPE_HEAD_OFFICE,
    REPORT_SCOPE_COUNT
} report_scope_t;

/* One stored event as the store hands it back. All pointers are borrowed
 * for the duration of the call; body is NUL-terminated JSON object text. */
typedef struct report_event {
    const char *device;
    const char *branch;
    int64_t seq;
    const char *type; /* "ticket.issued" ... (journal_type_str names) */
    int64_t time_ms;
    const char *body;
} report_event_t;

/* A distribution of durations (milliseconds in, seconds in the JSON). */
typedef struct report_dist {
    int64_t n;
    int64_t sum_ms;                     /* mean = sum_ms / n, exact */
    int64_t bands[REPORT_BANDS];        /* count per band */
    int64_t hist[REPORT_HIST_BINS + 1]; /* 30-second bins + overflow */
    int64_t p90_ms;                     /* -1 when n == 0 */
    bool p90_exact;                     /* false: from hist (see notes) */
} report_dist_t;

/* One member of staff at one branch (staff ids are per branch). */
typedef struct report_staff {
    char branch[REPORT_ID_LEN];
    char id[REPORT_STAFF_ID_LEN]; /* "" = nobody logged in at the counter */
    char name[REPORT_NAME_LEN];   /* "" unless the caller fills it in */
    int64_t served;
    int64_t service_n; /* served visits with a usable service time */
    int64_t service_sum_ms;
    int64_t rated;
    int64_t satisfied;    /* levels 3..5 */
    int64_t dissatisfied; /* levels 1..2 (each opens a follow-up) */
} report_staff_t;

/* One child's headline figures inside a roll-up (a branch in a city ...). */
typedef struct report_unit {
    report_scope_t scope;
    char id[REPORT_ID_LEN];
    char name_zh[REPORT_NAME_LEN];
    char name_en[REPORT_NAME_LEN];
    int64_t branches;
    int64_t issued, called, served, no_show;
    int64_t wait_n, wait_sum_ms, wait_p90_ms;
    bool wait_p90_exact;
    int64_t rated, satisfied, dissatisfied;
} report_unit_t;

typedef struct report {
    report_scope_t scope;
    char id[REPORT_ID_LEN];
    char name_zh[REPORT_NAME_LEN];
    char name_en[REPORT_NAME_LEN];
    char day[REPORT_DAY_LEN];
    int64_t branches; /* branch reports merged in (1 for a branch) */

    int64_t issued;         /* visits of the day */
    int64_t issued_offline; /* of which issued by a kiosk in an offline block */
    int64_t called;         /* called at least once */
    int64_t served;         /* ended ticket.finished */
    int64_t no_show;        /* ended ticket.no_show (not put back) */
    int64_t cancelled;      /* ended ticket.cancelled (day rollover included) */
    int64_t transferred;    /* transferred at least once */
    int64_t open;           /* no end event (yet) */

    report_dist_t wait;
    report_dist_t service;

    int64_t rated;                 /* visit.rated with level 1..5 */
    int64_t not_rated;             /* visit.not_rated */
    int64_t levels[REPORT_LEVELS]; /* per level 1..5 */
    int64_t satisfied;             /* levels 3..5 */
    int64_t dissatisfied;          /* levels 1..2 */

    int64_t est_n; /* called visits that had a quote */
    int64_t est_abs_err_sum_ms;
    int64_t est_err_sum_ms; /* sum of (wait - quote): the bias */

    int64_t arrivals[24];         /* visits per local hour of issue */
    int64_t wait_hour_n[24];      /* called visits per local hour of issue */
    int64_t wait_hour_sum_ms[24]; /* and their waits: mean wait by hour of arrival */

    int n_staff;
    report_staff_t *staff; /* owned; sorted by (branch, id) */
    int n_units;
    report_unit_t *units; /* owned; children in merge order (roll-ups) */

    int64_t events_used;      /* events of the day that fed a figure */
    int64_t events_other_day; /* events of the branch for other days */
    int64_t events_bad;       /* bodies not JSON objects, bad fields, impossible waits */
} report_t;

/* What to compute. */
typedef struct report_params {
    const char *branch;  /* only events of this branch count */
    const char *day;     /* "YYYY-MM-DD", the business day */
    int utc_offset_min;  /* the branch's (config utc_offset_min): arrival hours */
    const char *name_zh; /* may be NULL */
    const char *name_en; /* may be NULL */
} report_params_t;

/** Zero a report (no figures, no arrays). Cannot fail. */
void report_init(report_t *r);

/** Free what a report owns and zero it again; NULL is a no-op. */
void report_fini(report_t *r);

/**
 * The report of one branch and business day.
 * @param ev    n events (borrowed); events of other branches are ignored.
 * @param p     what to compute (borrowed).
 * @param out   receives the report on HK_OK (release with report_fini());
 *              zeroed (report_init) otherwise.
 * @param diag  the reason on HK_ERR_INVALID ("day: ...").
 * @return HK_OK; HK_ERR_INVALID bad params or n over REPORT_MAX_EVENTS;
 *         HK_ERR_NOMEM. A bad event body is not an error: it is skipped
 *         and counted in events_bad.
 */
hk_err_t report_compute(const report_event_t *ev, size_t n, const report_params_t *p, report_t *out,
                        hk_diag_t *diag);

/**
 * Start an empty roll-up of scope for day (a city, province, head office).
 * @param r  caller storage; previous contents are not freed (pass a fresh
 *           or finished report).
 */
void report_rollup_init(report_t *r, report_scope_t scope, const char *id, const char *name_zh,
                        const char *name_en, const char *day);

/**
 * Add a child's report into a roll-up: every count and histogram summed,
 * staff merged by (branch, id), and one report_unit_t row for the child
 * appended to into->units. The roll-up's p90s come from the merged
 * histograms (p90_exact = false), see the notes.
 * @param into  a roll-up (report_rollup_init); changed only on HK_OK.
 * @param from  borrowed; its scope must be below into's.
 * @return HK_OK; HK_ERR_INVALID other day or a scope not below; HK_ERR_NOMEM.
 */
hk_err_t report_merge(report_t *into, const report_t *from, hk_diag_t *diag);

/** Mean in seconds, or -1 when d->n == 0. */
double report_dist_mean_s(const report_dist_t *d);

/** num / den as a fraction 0..1, or -1 when den == 0 (shown as "–"). */
double report_ratio(int64_t num, int64_t den);

/** "branch", "city", "province", "head_office"; "unknown" out of range. */
const char *report_scope_str(report_scope_t scope);

/**
 * Encode a report as JSON: stable keys (added, never renamed), listed in
 * docs/report.md and above report_to_json() in report.c. Rates are
 * fractions 0..1 or null when undefined, durations seconds (null when
 * there is no sample), counts integers.
 * @param out  NUL-terminated text on HK_OK; hk_free it.
 * @return HK_OK; HK_ERR_NOMEM.
 */
hk_err_t report_to_json(const report_t *r, char **out, size_t *len_out);

/* ---- working days (follow-up deadlines) -----------------------------------
 * 好差评 rules: a poor rating is rectified within 15 working days. Working
 * days are Monday..Friday, minus the holidays listed, plus the make-up
 * working days listed (调休: a Saturday or Sunday worked in exchange for a
 * holiday). Both lists hold "YYYY-MM-DD" strings. */
typedef struct report_calendar {
    const char *const *holidays; /* may be NULL when n_holidays == 0 */
    int n_holidays;
    const char *const *workdays; /* weekend days that are worked */
    int n_workdays;
} report_calendar_t;

#define REPORT_FOLLOW_UP_WORK_DAYS 15

/** Is day a working day under cal (NULL cal: Monday..Friday)? */
bool report_is_working_day(const char *day, const report_calendar_t *cal);

/**
 * The date n working days after day: the day itself does not count, so
 * Friday + 1 is the next Monday, and any day + 0 is the day itself.
 * @param day  "YYYY-MM-DD" (any day, a weekend too).
 * @param n    0..REPORT_MAX_WORK_DAYS.
 * @param cal  borrowed; NULL = Monday..Friday. A calendar entry that is not
 *             a valid date is HK_ERR_INVALID.
 * @param out  receives "YYYY-MM-DD" on HK_OK.
 * @return HK_OK; HK_ERR_INVALID a bad day, n out of range, a bad calendar.
 */
hk_err_t report_add_working_days(const char *day, int n, const report_calendar_t *cal,
                                 char out[REPORT_DAY_LEN]);

/**
 * The deadline of a follow-up case opened at opened_ms: the end (last
 * millisecond, local) of the n-th working day after the local day it was
 * opened on.
 * @return HK_OK and *deadline_ms_out; HK_ERR_INVALID as above.
 */
hk_err_t report_deadline_ms(int64_t opened_ms, int utc_offset_min, int n,
                            const report_calendar_t *cal, int64_t *deadline_ms_out);

#endif
