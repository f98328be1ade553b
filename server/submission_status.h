/*
 * submission_status: what head office's public status page of a submitted
 * problem (/s/{branch}/{ref}?s={sig}, the QR code on its receipt) says,
 * worked out from the branch's events and the follow-up case that
 * issue.submitted opened (cases.c). Pure functions over caller-owned
 * memory, so the server and its tests share them.
 *
 * What the page shows: the reference (head office's case number once the
 * event reached head office, else the local reference the customer has),
 * the category, the call-back number masked (138****5678: the page is
 * public, the number is never on it), where the case stands (received at
 * the branch / open with its deadline / a call-back made / closed with its
 * cause) and the follow-up so far. Call-back and closing notes are staff
 * text and may name the customer: they are not shown.
 */
#ifndef HK_SERVER_SUBMISSION_STATUS_H
#define HK_SERVER_SUBMISSION_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cases.h"
#include "central_proto.h"
#include "hk_err.h"

#define SUBMISSION_STATUS_NUMBER_LEN 24

typedef enum submission_status_state {
    SUBMISSION_STATUS_PENDING = 0, /* signed reference, not at head office yet */
    SUBMISSION_STATUS_OPEN,        /* a case, nobody assigned yet */
    SUBMISSION_STATUS_ASSIGNED,    /* someone follows it up */
    SUBMISSION_STATUS_CALLED_BACK, /* a call-back reached the customer */
    SUBMISSION_STATUS_CLOSED
} submission_status_state_t;

typedef struct submission_status {
    submission_status_state_t state;
    char ref[16];                                   /* the local reference */
    char case_number[SUBMISSION_STATUS_NUMBER_LEN]; /* "" while pending */
    char category[16];
    char phone_masked[12];
    int64_t submitted_ms;
    int64_t deadline_ms;
    int callback_attempts;
    int64_t callback_ms;
    int64_t closed_ms;
    char cause[24];
} submission_status_t;

/** The business day a reference names: "S261126-007" -> "2026-11-26".
 *  false when ref is not a reference (S, 6 digits, '-', 3 digits). */
bool submission_status_ref_day(const char *ref, char day[11]);

/** Head office's case number for a submission's case: "C" + the day as
 *  YYMMDD + "-" + the first 6 hex digits of its id, upper case
 *  ("C261126-3F2A9B"). */
void submission_status_case_number(const cases_case_t *c, char out[SUBMISSION_STATUS_NUMBER_LEN]);

/**
 * Find ref's issue.submitted among one day's events (in seq order) and
 * describe it; c is its case (NULL: none found yet).
 * @param uuid_out  receives the event's uuid ("" when not found), to look
 *                  the case up with; may be NULL.
 * @return HK_OK (found: state from c); HK_ERR_NOT_FOUND no such event
 *         (out is PENDING with ref set).
 */
hk_err_t submission_status_find(const central_event_t *ev, int n, const char *ref,
                                char uuid_out[64], submission_status_t *out);

/** Fill out's case fields from c (state, number, deadline, follow-up). */
void submission_status_apply_case(submission_status_t *st, const cases_case_t *c);

/**
 * The page (zh-CN or en), mobile-first HTML, no JavaScript, reloads every
 * 60 s. @param out  hk_malloc'd (hk_free it).
 */
hk_err_t submission_status_html(const submission_status_t *st, const char *branch_name, bool zh,
                                int utc_offset_min, char **out, size_t *len_out);

#endif
