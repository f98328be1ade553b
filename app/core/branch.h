/*
 * branch: the one interface every screen and role uses to change or read
 * the branch's queue. An ops table (STYLE.md section 7) with one entry per
 * operation: take a number, a snapshot of queues and counters, and the
 * calling operations (call next, call a specific ticket, recall, no-show
 * with optional put-back, transfer, start, finish, open/pause/close a
 * counter) and the rating operations (rate a finished visit at the
 * counter, rate it later at the kiosk by its number, look a number up for
 * rating, the not-rated sweep).
 *
 * Every operation completes asynchronously: the call only submits it and
 * returns; the outcome arrives in the caller's mailbox as a
 * MAILBOX_BRANCH_DONE message whose tag is the caller's and whose payload
 * is a branch_result_t (free it with mailbox_msg_free()). So no screen ever
 * waits on the network: the hub's own implementation (branch_local.c, core
 * over queue + journal) completes at once, a LAN client (next issue)
 * completes when the hub answers. A change that committed is followed by a
 * MAILBOX_JOURNAL_ADVANCED notice, which is how every screen learns that
 * waiting counts moved, whoever made the change.
 *
 * Screens never call queue directly; they emit intents, and their role's
 * controller turns intents into these calls.
 */
#ifndef HK_APP_CORE_BRANCH_H
#define HK_APP_CORE_BRANCH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"
#include "journal.h"
#include "mailbox.h"
#include "queue.h"
#include "rating.h"
#include "submission.h"

typedef enum branch_op {
    BRANCH_OP_TAKE_NUMBER = 0,
    BRANCH_OP_SNAPSHOT,
    BRANCH_OP_CALL_NEXT,
    BRANCH_OP_CALL_TICKET,
    BRANCH_OP_RECALL,
    BRANCH_OP_NO_SHOW,
    BRANCH_OP_TRANSFER,
    BRANCH_OP_START,
    BRANCH_OP_FINISH,
    BRANCH_OP_SET_COUNTER,
    BRANCH_OP_RATE,
    BRANCH_OP_RATE_NUMBER,
    BRANCH_OP_RATING_LOOKUP,
    BRANCH_OP_EXPIRE_RATINGS,
    BRANCH_OP_LOGIN,
    BRANCH_OP_LOGOUT,
    BRANCH_OP_EVENTS,
    BRANCH_OP_VISITS,
    BRANCH_OP_IMPORT_TICKET,
    /* self-help (issue 8): FAQ feedback, triage choices, submissions */
    BRANCH_OP_FAQ_FEEDBACK,
    BRANCH_OP_TRIAGE_CHOICE,
    BRANCH_OP_SUBMIT_ISSUE,
    /* field engineering (issue 9): a wrong engineer PIN on a kiosk */
    BRANCH_OP_ENGINEER_PIN_FAILED,
    BRANCH_OP_COUNT
} branch_op_t;

typedef enum branch_counter_state {
    BRANCH_COUNTER_CLOSED = 0,
    BRANCH_COUNTER_OPEN,
    BRANCH_COUNTER_PAUSED
} branch_counter_state_t;

typedef struct branch_service_snap {
    char service_id[CONFIG_ID_LEN];
    int waiting;    /* tickets waiting now */
    int est_wait_s; /* estimate for a new ticket; -1 = none (no open counter) */
} branch_service_snap_t;

typedef struct branch_counter_snap {
    char counter_id[CONFIG_ID_LEN];
    branch_counter_state_t state;
    char staff_id[RATING_STAFF_ID_LEN]; /* who opened it; "" = nobody logged in */
    bool has_ticket;                    /* a ticket is called or being served here */
    ticket_t ticket;
} branch_counter_snap_t;

/* The branch as a screen needs it, at one journal position. */
typedef struct branch_snapshot {
    int64_t journal_seq; /* the last journal event this snapshot includes */
    int64_t taken_ms;    /* wall time it was taken */
    int n_services;
    branch_service_snap_t services[CONFIG_MAX_SERVICES];
    int n_counters;
    branch_counter_snap_t counters[CONFIG_MAX_COUNTERS];
} branch_snapshot_t;

/* A member of staff as screens show them (from the config's staff list). */
typedef struct branch_staff {
    char id[RATING_STAFF_ID_LEN]; /* "s3" */
    char name_zh[CONFIG_NAME_LEN];
    char name_en[CONFIG_NAME_LEN];
} branch_staff_t;

/* One visit of a day (BRANCH_OP_VISITS): the ticket and its rating. */
typedef struct branch_visit {
    ticket_t ticket;
    char staff_id[RATING_STAFF_ID_LEN]; /* who called it; "" = nobody logged in */
    bool has_rating;                    /* a rating row exists (rated or not rated) */
    rating_record_t rating;
} branch_visit_t;

#define BRANCH_EVENTS_MAX 256 /* journal events per BRANCH_OP_EVENTS result */

/* The payload of a MAILBOX_BRANCH_DONE message. */
typedef struct branch_result {
    branch_op_t op;
    hk_err_t rc;         /* as the queue_* call of the same name documents */
    int64_t journal_seq; /* last journal seq after the operation (0 = unknown) */
    bool has_ticket;
    ticket_t ticket;            /* the ticket the operation made or moved */
    branch_snapshot_t snapshot; /* BRANCH_OP_SNAPSHOT only */
    /* Rating ops: the visit's record (the stored outcome after RATE and
     * RATE_NUMBER; the visit as it stands after RATING_LOOKUP). */
    bool has_rating;
    rating_record_t rating;
    rating_status_t rating_status; /* RATING_LOOKUP: may the kiosk rate it; RATE and
                                      RATE_NUMBER refused (HK_ERR_INVALID): why */
    int expired;                   /* EXPIRE_RATINGS: visits marked not rated */
    /* IMPORT_TICKET: true when the ticket is new (false: handed in before). */
    bool created;
    /* LOGIN: the member of staff who logged in. */
    bool has_staff;
    branch_staff_t staff;
    /* EVENTS: journal events after the asked seq, oldest first (owned,
     * freed with the result); at most BRANCH_EVENTS_MAX. */
    journal_event_t *events;
    int n_events;
    /* VISITS: the day's tickets in issue order (owned, freed with the
     * result). */
    branch_visit_t *visits;
    int n_visits;
    /* SUBMIT_ISSUE: what the customer keeps (reference, masked phone). */
    bool has_submission;
    submission_receipt_t submission;
} branch_result_t;

typedef struct branch_ops {
    const char *name; /* "local", "lan" */
    hk_err_t (*take_number)(void *impl, uint64_t tag, const char *service_id);
    hk_err_t (*snapshot)(void *impl, uint64_t tag);
    hk_err_t (*call_next)(void *impl, uint64_t tag, const char *counter_id);
    hk_err_t (*call_ticket)(void *impl, uint64_t tag, const char *counter_id, int64_t ticket_id);
    hk_err_t (*recall)(void *impl, uint64_t tag, int64_t ticket_id);
    hk_err_t (*no_show)(void *impl, uint64_t tag, int64_t ticket_id, bool put_back);
    hk_err_t (*transfer)(void *impl, uint64_t tag, int64_t ticket_id, const char *to_service_id);
    hk_err_t (*start)(void *impl, uint64_t tag, int64_t ticket_id);
    hk_err_t (*finish)(void *impl, uint64_t tag, int64_t ticket_id);
    hk_err_t (*set_counter)(void *impl, uint64_t tag, const char *counter_id,
                            branch_counter_state_t st, const char *staff_id);
    hk_err_t (*rate)(void *impl, uint64_t tag, int64_t ticket_id, const rating_vote_t *vote,
                     rating_source_t source);
    hk_err_t (*rate_number)(void *impl, uint64_t tag, const char *day, const char *number,
                            const rating_vote_t *vote);
    hk_err_t (*rating_lookup)(void *impl, uint64_t tag, const char *day, const char *number);
    hk_err_t (*expire_ratings)(void *impl, uint64_t tag);
    hk_err_t (*login)(void *impl, uint64_t tag, const char *staff_id, const char *pin);
    hk_err_t (*logout)(void *impl, uint64_t tag);
    hk_err_t (*events)(void *impl, uint64_t tag, int64_t after_seq);
    hk_err_t (*visits)(void *impl, uint64_t tag, const char *day);
    hk_err_t (*import_ticket)(void *impl, uint64_t tag, const ticket_t *t);
    /* self-help (issue 8) */
    hk_err_t (*faq_feedback)(void *impl, uint64_t tag, const char *article_id, int version,
                             bool helpful, const char *lang);
    hk_err_t (*triage_choice)(void *impl, uint64_t tag, const char *need_id, const char *route_kind,
                              const char *target);
    hk_err_t (*submit_issue)(void *impl, uint64_t tag, const submission_t *s);
    /* field engineering (issue 9) */
    hk_err_t (*engineer_pin_failed)(void *impl, uint64_t tag, const char *device_id, int fails,
                                    int locks, int lock_s);
    void (*destroy)(void *impl);
} branch_ops_t;

typedef struct branch {
    const branch_ops_t *ops;
    void *impl; /* owned by the backend, freed by ops->destroy */
} branch_t;

/** Destroy through the backend; NULL ok. */
void branch_destroy(branch_t *b);

/** Text of an operation ("take_number", ...). */
const char *branch_op_str(branch_op_t op);

/** Text of a counter state ("closed", "open", "paused"). */
const char *branch_counter_state_str(branch_counter_state_t st);

/*
 * Submit an operation. HK_OK means accepted: exactly one MAILBOX_BRANCH_DONE
 * with this tag follows (also when the operation itself fails: see its rc).
 * Any other result means nothing was submitted and no message follows.
 * Calls are made from the owning role's loop thread.
 */
hk_err_t branch_take_number(branch_t *b, uint64_t tag, const char *service_id);
hk_err_t branch_snapshot(branch_t *b, uint64_t tag);
hk_err_t branch_call_next(branch_t *b, uint64_t tag, const char *counter_id);
hk_err_t branch_call_ticket(branch_t *b, uint64_t tag, const char *counter_id, int64_t ticket_id);
hk_err_t branch_recall(branch_t *b, uint64_t tag, int64_t ticket_id);
hk_err_t branch_no_show(branch_t *b, uint64_t tag, int64_t ticket_id, bool put_back);
hk_err_t branch_transfer(branch_t *b, uint64_t tag, int64_t ticket_id, const char *to_service_id);
hk_err_t branch_start(branch_t *b, uint64_t tag, int64_t ticket_id);
hk_err_t branch_finish(branch_t *b, uint64_t tag, int64_t ticket_id);
/** @param staff_id  who opens the counter (calls made there until it closes
 *                   carry it); NULL or "" for nobody (close, or no login). */
hk_err_t branch_set_counter(branch_t *b, uint64_t tag, const char *counter_id,
                            branch_counter_state_t st, const char *staff_id);

/*
 * Rating (rating.h has the rules and results; the hub's counter window is
 * RATING_WINDOW_S_DEFAULT until config carries one). A vote that stored
 * nothing new (a repeated press, a refusal) is followed by no journal
 * notice.
 */
/** Rate a finished visit by its ticket row: the counter's pad (source
 *  COUNTER, within the window) or a screen that knows the row. The result
 *  carries the stored record. @param vote  borrowed, copied at once. */
hk_err_t branch_rate(branch_t *b, uint64_t tag, int64_t ticket_id, const rating_vote_t *vote,
                     rating_source_t source);
/** The kiosk's "rate our service": rate the visit that number names
 *  (source KIOSK: a finished, unrated visit of today).
 *  @param day  from the ticket's QR code, or NULL/"" for the hub's today;
 *              another day's visit is refused (HK_ERR_INVALID). */
hk_err_t branch_rate_number(branch_t *b, uint64_t tag, const char *day, const char *number,
                            const rating_vote_t *vote);
/** Before showing the faces at the kiosk: the visit that number names and
 *  whether it may be rated (result: rating_status, rating). Reads only. */
hk_err_t branch_rating_lookup(branch_t *b, uint64_t tag, const char *day, const char *number);
/** The not-rated sweep (rating_expire); the hub's loop runs it on a
 *  timer. Result: expired. */
hk_err_t branch_expire_ratings(branch_t *b, uint64_t tag);

/*
 * Staff, events, visits, offline tickets.
 */
/** Check a member of staff's id and PIN (result: staff). Wrong id or PIN:
 *  rc HK_ERR_INVALID; too many recent failures: HK_ERR_BUSY. A LAN backend
 *  keeps the session the hub gives and sends it with later calls. */
hk_err_t branch_login(branch_t *b, uint64_t tag, const char *staff_id, const char *pin);
/** End the session login made (local: nothing to end). */
hk_err_t branch_logout(branch_t *b, uint64_t tag);
/** Journal events after after_seq (result: events, n_events; an empty
 *  list when there are none). How the display and the counters learn
 *  what changed, after a MAILBOX_JOURNAL_ADVANCED. */
hk_err_t branch_events(branch_t *b, uint64_t tag, int64_t after_seq);
/** The tickets of a business day (NULL/"" = today) with their ratings. */
hk_err_t branch_visits(branch_t *b, uint64_t tag, const char *day);
/** Hand the hub a ticket a kiosk issued from its own block while the hub
 *  was unreachable (number, service, issued_ms, day are used). It joins
 *  the queue in issue-time order; the same day+number again is HK_OK with
 *  nothing changed. */
hk_err_t branch_import_ticket(branch_t *b, uint64_t tag, const ticket_t *t);

/*
 * Self-help (issue 8). Each records one journal event in its own
 * transaction; the result carries journal_seq (and for a submission its
 * receipt). rc HK_ERR_INVALID: an argument was refused (nothing stored).
 */
/** "Did this help?" on an FAQ article ("faq.feedback").
 *  @param article_id  the article's id; @param version  its content
 *  version (>= 1); @param lang  "zh-CN" or "en". */
hk_err_t branch_faq_feedback(branch_t *b, uint64_t tag, const char *article_id, int version,
                             bool helpful, const char *lang);
/** A need chosen on the triage screen ("triage.chosen").
 *  @param route_kind  "faq", "queue" or "submit"; @param target  the
 *  article, service or submission category it routes to ("" = none). */
hk_err_t branch_triage_choice(branch_t *b, uint64_t tag, const char *need_id,
                              const char *route_kind, const char *target);
/** Submit an issue ("issue.submitted"): checked (submission_check), given
 *  a reference and stored; result: submission (the receipt). A refused
 *  form is rc HK_ERR_INVALID. @param s  borrowed, copied at once (the
 *  caller wipes its own copy). */
hk_err_t branch_submit_issue(branch_t *b, uint64_t tag, const submission_t *s);

/** A wrong PIN at a kiosk's engineer mode ("engineer.pin_failed"), one
 *  journal event in its own transaction, so the sync reports it to head
 *  office. A LAN-client kiosk sends its own through its hub: @param
 *  device_id  the kiosk (the hub takes it from the caller's token);
 *  @param fails  wrong PINs in a row; @param locks  lockouts so far;
 *  @param lock_s  the lockout this failure started (0 = none).
 *  rc HK_ERR_INVALID: an argument was refused (nothing stored). */
hk_err_t branch_engineer_pin_failed(branch_t *b, uint64_t tag, const char *device_id, int fails,
                                    int locks, int lock_s);

/** mailbox payload_free for branch_result_t. */
void branch_result_free(void *result);

#endif
