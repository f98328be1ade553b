/*
 * report_html: hall-central's report page for one scope (branch, city,
 * province, head office) and business day, rendered on the server as one
 * self-contained HTML document: headline figures, SVG charts (waiting-time
 * bands, arrivals per hour, rating levels), the per-staff table, the
 * children table of a roll-up, and the follow-up list with overdue cases
 * standing out. No JavaScript, no external files, printable on A4.
 *
 * Every text that came from outside (ids, names, staff, owners, causes) is
 * escaped; invalid UTF-8 becomes U+FFFD. zh-CN and English labels.
 * Pure functions over caller-owned memory: thread-safe.
 */
#ifndef HK_SERVER_REPORT_HTML_H
#define HK_SERVER_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"
#include "report.h"

#define REPORT_HTML_MAX_BYTES   (8 * 1024 * 1024) /* one page, hard cap */
#define REPORT_HTML_CASE_ID_LEN 40
#define REPORT_HTML_CAUSE_LEN   240

/* One follow-up case (a submitted issue, or a rating of level 1..2). */
typedef struct report_html_case {
    char id[REPORT_HTML_CASE_ID_LEN];
    char branch[REPORT_ID_LEN];
    char number[16]; /* the ticket number ("A012"); "" for an issue without one */
    int level;       /* 1..2 the rating; 0 a submitted issue or complaint */
    int64_t opened_ms;
    int64_t deadline_ms;         /* report_deadline_ms(opened_ms, …, 15, …) */
    char owner[REPORT_NAME_LEN]; /* "" = not assigned yet */
    bool callback_done;          /* the customer was called back */
    bool closed;
    int64_t closed_ms;                 /* when closed (0 unknown) */
    char cause[REPORT_HTML_CAUSE_LEN]; /* the closing note: its cause */
} report_html_case_t;

/* How to render. Zero values take the defaults. */
typedef struct report_html_opts {
    const char *lang;      /* "en…" English; anything else (NULL, "zh-CN") Chinese */
    int64_t now_ms;        /* the page's time: a case is overdue when open past it */
    int utc_offset_min;    /* times shown in this zone (China: 480) */
    int max_staff_rows;    /* 0 = 50; the busiest first, the rest counted */
    int max_unit_rows;     /* 0 = 200 */
    int64_t wait_alert_ms; /* 0 = none: a mean wait over it is flagged */
} report_html_opts_t;

/**
 * Render the page of one report and its follow-up cases.
 * @param r        the report (borrowed): branch or roll-up.
 * @param cases    n_cases cases of the scope (borrowed; may be NULL if 0),
 *                 any order: the page sorts overdue first.
 * @param opts     borrowed; NULL = defaults.
 * @param out      NUL-terminated HTML on HK_OK (hk_free it), NULL otherwise.
 * @param len_out  its length; may be NULL.
 * @return HK_OK; HK_ERR_INVALID bad arguments; HK_ERR_NOMEM (also a page
 *         over REPORT_HTML_MAX_BYTES).
 */
hk_err_t report_html_page(const report_t *r, const report_html_case_t *cases, int n_cases,
                          const report_html_opts_t *opts, char **out, size_t *len_out);

/**
 * Escape text for HTML content or a quoted attribute: & < > " ' become
 * entities, control characters are dropped (tab and newline kept as a
 * space), invalid UTF-8 becomes U+FFFD.
 * @param out  NUL-terminated on HK_OK (hk_free it).
 * @return HK_OK; HK_ERR_NOMEM.
 */
hk_err_t report_html_escape(const char *s, char **out);

#endif
