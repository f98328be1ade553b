/*
 * journal: the device's append-only log of domain events (a ticket issued,
 * called, finished ...; a counter opened; a device fault). Each event is
 * written inside the same transaction as the change it records, gets a
 * per-device sequence number and a random UUID, and is read back as
 * "events after seq N". Named cursors remember how far a consumer has
 * acknowledged. The branch's live event stream and the central outbox both
 * read this one log.
 *
 * Not thread-safe per store_t; several threads may each read through their
 * own store_t on the same file.
 */
#ifndef HK_APP_CORE_JOURNAL_H
#define HK_APP_CORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"
#include "store.h"

/*
 * Event types. The names (journal_type_str) are what is stored and sent:
 * on disk and on the wire, never rename one, never reuse one for another
 * meaning. The enum numbers are in-memory only (not persisted); new types
 * go before JOURNAL_TYPE_COUNT.
 */
typedef enum journal_type {
    JOURNAL_TICKET_ISSUED = 0,   /* "ticket.issued" */
    JOURNAL_TICKET_CALLED,       /* "ticket.called" */
    JOURNAL_TICKET_RECALLED,     /* "ticket.recalled" */
    JOURNAL_TICKET_NO_SHOW,      /* "ticket.no_show" */
    JOURNAL_TICKET_TRANSFERRED,  /* "ticket.transferred" */
    JOURNAL_TICKET_STARTED,      /* "ticket.started" */
    JOURNAL_TICKET_FINISHED,     /* "ticket.finished" */
    JOURNAL_TICKET_CANCELLED,    /* "ticket.cancelled" */
    JOURNAL_COUNTER_OPENED,      /* "counter.opened" */
    JOURNAL_COUNTER_PAUSED,      /* "counter.paused" */
    JOURNAL_COUNTER_CLOSED,      /* "counter.closed" */
    JOURNAL_DEVICE_FAULT,        /* "device.fault" */
    JOURNAL_VISIT_RATED,         /* "visit.rated" */
    JOURNAL_VISIT_NOT_RATED,     /* "visit.not_rated" */
    JOURNAL_FAQ_FEEDBACK,        /* "faq.feedback" */
    JOURNAL_TRIAGE_CHOSEN,       /* "triage.chosen" */
    JOURNAL_ISSUE_SUBMITTED,     /* "issue.submitted" */
    JOURNAL_ENGINEER_PIN_FAILED, /* "engineer.pin_failed" (issue 9.5) */
    JOURNAL_TYPE_COUNT
} journal_type_t;

/*
 * Bodies (JSON objects) as written by core:
 *   ticket.*      ticket (row id), number, day, service, counter ("" when
 *                 none), from (previous state name; null for issued), state
 *                 (new state name), issued_ms; and per type:
 *     issued        ahead, est_wait_s (the quote; -1 = no estimate)
 *     called        recalls;   recalled: recalls (the new count)
 *     no_show       put_back (true: the ticket waits again, same row)
 *     transferred   new_ticket (id of the new waiting row), to_service
 *     cancelled     reason "day_rollover" when the new day's sweep did it
 *   counter.*     counter, from, state ("closed", "open", "paused")
 *   device.fault  device, code, detail (cut to fit JOURNAL_BODY_MAX)
 *   visit.*       ticket (the finished row), number, day, service,
 *                 counter, staff ("" until staff log in), finished_ms,
 *                 level (0 not rated, 1 very dissatisfied .. 5 very
 *                 satisfied), level_name, reasons and praise (chip bit
 *                 sets, rating.h), source ("counter", "kiosk"), follow_up
 *                 (true for levels 1..2: head office follows it up)
 *     rated         the vote (once per visit; rating.c)
 *     not_rated     the counter window passed without one (level 0)
 *   faq.feedback  article (id), version (content version), helpful
 *                 (true/false), lang ("zh-CN", "en"), day
 *   triage.chosen need (id), route ("faq", "queue", "submit"), target
 *                 (article, service or category; "" = none), day
 *   issue.submitted  ref (the local reference, "S261126-007"), day,
 *                 category (FAQ_SUBMIT_CATEGORIES), phone_masked
 *                 ("138****5678"), has_description, lang, origin ("" or
 *                 "faq:ID" / "triage:ID"), created_ms. No
 *                 personal data: the phone and the description stay in
 *                 the submissions table and are joined in only on the way
 *                 to head office (submission_sync_attach adds "phone" and
 *                 "description"), until submission_purge deletes them.
 *   engineer.pin_failed  (issue 9.5) a wrong PIN on the kiosk's engineer
 *                 pad: device, fails (wrong PINs in a row, 1..5), locks
 *                 (locks so far), locked_until_ms (wall; 0 = not locked),
 *                 lock_s (the lock's length; 0 = none). Never the PIN.
 * Consumers ignore keys they do not know; writers only ever add keys.
 */
typedef struct journal_event {
    int64_t seq;   /* 1, 2, 3 ... per device, never reused */
    char uuid[37]; /* random v4, lower-case, 8-4-4-4-12 */
    journal_type_t type;
    int64_t wall_ms; /* when the change happened (the caller's now_ms) */
    char *body;      /* JSON object; owned, freed by journal_events_free() */
} journal_event_t;

/* Bodies are small JSON objects built without allocation (see below). */
#define JOURNAL_BODY_MAX 768

/** Name of a type ("ticket.issued"); "unknown" out of range. Static. */
const char *journal_type_str(journal_type_t type);

/** Parse a type name; false (and *out untouched) for an unknown name. */
bool journal_type_parse(const char *name, journal_type_t *out);

/**
 * Append one event inside the caller's open transaction (store_begin()),
 * so it commits or rolls back together with the change it records.
 * @param body_json  a JSON object (journal_body_t builds one); copied.
 * @param seq_out    receives the event's seq; may be NULL.
 * @return HK_ERR_INVALID no transaction open (nothing written), an unknown
 *         type or NULL body; HK_ERR_IO no randomness for the UUID.
 */
hk_err_t journal_append(store_t *s, journal_type_t type, const char *body_json, int64_t wall_ms,
                        int64_t *seq_out);

/** Highest committed seq (0 when the journal is empty). */
hk_err_t journal_last_seq(store_t *s, int64_t *out);

/**
 * Up to max events with seq > after_seq, oldest first, read from one
 * snapshot. Committed seqs are gap-free, so a reader that passes the last
 * seq it saw never misses an event.
 * @param out    receives an array of *n_out events (NULL when none); free
 *               with journal_events_free(*out, *n_out).
 * @return HK_ERR_INVALID max < 1; HK_ERR_CORRUPT a stored type this build
 *         does not know.
 */
hk_err_t journal_read_after(store_t *s, int64_t after_seq, int max, journal_event_t **out,
                            int *n_out);

/** Free what journal_read_after() returned; NULL is a no-op. */
void journal_events_free(journal_event_t *ev, int n);

/** Seq that consumer has acknowledged up to (0 if never set). */
hk_err_t journal_cursor_get(store_t *s, const char *consumer, int64_t *out);

/**
 * Move consumer's cursor to seq, durably (nested in the caller's
 * transaction if one is open). Setting the same value again is a no-op.
 * @return HK_ERR_INVALID seq is below the current cursor (cursors only move
 *         forward) or above journal_last_seq(), or consumer is empty.
 */
hk_err_t journal_cursor_set(store_t *s, const char *consumer, int64_t seq);

/*
 * Body builder: a JSON object in a fixed buffer, no allocation, so an event
 * body can be built where memory is short. Strings are escaped (quotes,
 * backslash, control characters; invalid UTF-8 becomes U+FFFD). A value
 * that does not fit is cut at a character boundary and `truncated` is set:
 * the result is always a valid JSON object.
 */
typedef struct journal_body {
    char buf[JOURNAL_BODY_MAX];
    size_t len;
    bool truncated;
} journal_body_t;

/** Start an empty object. Cannot fail. */
void journal_body_init(journal_body_t *b);
/** Add "key": "val" (val NULL gives null). key is a plain literal. */
void journal_body_str(journal_body_t *b, const char *key, const char *val);
/** Add "key": v. */
void journal_body_int(journal_body_t *b, const char *key, int64_t v);
/** Add "key": true/false. */
void journal_body_bool(journal_body_t *b, const char *key, bool v);
/** Close the object; returns b->buf (valid while b is). */
const char *journal_body_finish(journal_body_t *b);

#endif
