/*
 * cases: follow-up cases at head office (好差评: every 不满意 or 非常不满意
 * rating and every submitted issue is followed up, with a call-back to
 * the customer, within 15 working days, and closed with its cause).
 *
 * A case is opened from the event that caused it (cases_from_event, pure),
 * in the same store transaction that stores the event, keyed by the
 * event's uuid so a retried upload never opens it twice. Its life is a
 * short list of actions (cases_apply, pure):
 *
 *   assign    owner = who follows it up
 *   callback  the customer was called back (note; reached or not)
 *   close     cause (one of a fixed list, so causes can be counted) and a
 *             note; only after a call-back that reached the customer, or
 *             three recorded attempts that did not
 *   reopen    a closed case opens again (the customer came back)
 *
 * Everything is validated here with a diag naming the field, so the HTTP
 * layer and the tests share one set of rules.
 */
#ifndef HK_SERVER_CASES_H
#define HK_SERVER_CASES_H

#include <stdbool.h>
#include <stdint.h>

#include "central_proto.h"
#include "hk_err.h"
#include "report.h"
#include "report_html.h"

#define CASES_NOTE_LEN         240
#define CASES_CALLBACK_RETRIES 3 /* unanswered call-backs before a case may close */

typedef enum cases_kind {
    CASES_RATING = 0, /* a 不满意/非常不满意 rating */
    CASES_SUBMISSION  /* an issue submitted at the kiosk */
} cases_kind_t;

typedef struct cases_case {
    char id[REPORT_HTML_CASE_ID_LEN]; /* the source event's uuid */
    cases_kind_t kind;
    char branch[CENTRAL_ID_LEN];
    char device[CENTRAL_ID_LEN];
    char number[16]; /* ticket number; "" when none */
    char day[11];    /* business day of the visit */
    char counter[CENTRAL_ID_LEN];
    char staff[CENTRAL_ID_LEN];
    int level; /* 1..2 for a rating; 0 a submission */
    int64_t opened_ms;
    int64_t deadline_ms;
    char owner[REPORT_NAME_LEN];
    int callback_attempts; /* recorded call-backs, reached or not */
    bool callback_reached; /* one of them reached the customer */
    int64_t callback_ms;   /* the last one */
    char callback_note[CASES_NOTE_LEN];
    bool closed;
    int64_t closed_ms;
    char cause[24]; /* cases_causes[] */
    char close_note[CASES_NOTE_LEN];
} cases_case_t;

/* The causes a case may close with (NULL-terminated). */
extern const char *const cases_causes[];

/**
 * Does this stored event open a case? visit.rated with level 1..2 (its
 * body's follow_up), or issue.submitted. Pure.
 * @param cal  the working-day calendar for the deadline (NULL Mon..Fri).
 */
bool cases_from_event(const char *branch, const char *device, const central_event_t *e,
                      int utc_offset_min, const report_calendar_t *cal, cases_case_t *out);

typedef enum cases_action_kind {
    CASES_ASSIGN = 0,
    CASES_CALLBACK,
    CASES_CLOSE,
    CASES_REOPEN
} cases_action_kind_t;

typedef struct cases_action {
    cases_action_kind_t kind;
    char owner[REPORT_NAME_LEN]; /* assign */
    bool reached;                /* callback */
    char cause[24];              /* close */
    char note[CASES_NOTE_LEN];   /* callback, close, reopen */
} cases_action_t;

/**
 * Decode an action from a request body:
 *   {"action":"assign","owner":"王经理"}
 *   {"action":"callback","reached":true,"note":"…"}
 *   {"action":"close","cause":"wait_time","note":"…"}
 *   {"action":"reopen","note":"…"}
 */
hk_err_t cases_action_decode(const char *text, size_t len, cases_action_t *out, hk_diag_t *diag);

/**
 * Apply an action to a case (in memory; the caller stores it).
 * @return HK_OK; HK_ERR_INVALID an action not allowed now (closing without
 *         a call-back, acting on a closed case, reopening an open one),
 *         with the reason in diag; c is unchanged then.
 */
hk_err_t cases_apply(cases_case_t *c, const cases_action_t *a, int64_t now_ms, hk_diag_t *diag);

/** The case as the report page lists it. */
void cases_to_html_case(const cases_case_t *c, report_html_case_t *out);

/** The case as JSON (the API's GET /v1/cases). out: hk_malloc'd. */
hk_err_t cases_to_json(const cases_case_t *c, char **out);

#endif
