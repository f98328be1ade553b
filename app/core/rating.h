/*
 * rating: the on-the-spot rating of a finished visit (the national 好差评
 * model). A customer rates a visit once, on the counter's pad within a
 * window after it finished, or later the same business day at a kiosk by
 * the number on the ticket; a visit whose counter window passed unrated is
 * recorded as "not rated" by a sweep. Low ratings (不满意, 非常不满意) are
 * flagged for follow-up by head office. Every recorded outcome writes its
 * journal event (visit.rated, visit.not_rated) in the same transaction and
 * commits before it returns (or with the caller's transaction, as queue.h).
 *
 * Not thread-safe: one rating_t per thread (each over its own store_t).
 */
#ifndef HK_APP_CORE_RATING_H
#define HK_APP_CORE_RATING_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"
#include "store.h"

/* The counter pad's window after a visit finished, until config carries
 * one (issue 6 §5: "configurable, e.g. 60 s"). */
#define RATING_WINDOW_S_DEFAULT 60

/*
 * Levels. On disk (ratings.level, CHECK since schema v4) and on the wire
 * (journal body "level"): never renumber. The value is the score, 5 best.
 * RATING_NOT_RATED is an outcome, not a vote: the counter window passed
 * without one (rating_expire).
 */
typedef enum rating_level {
    RATING_NOT_RATED = 0,
    RATING_VERY_DISSATISFIED = 1, /* 非常不满意: follow-up */
    RATING_DISSATISFIED = 2,      /* 不满意: follow-up */
    RATING_BASIC = 3,             /* 基本满意 */
    RATING_SATISFIED = 4,         /* 满意 */
    RATING_VERY_SATISFIED = 5     /* 非常满意 */
} rating_level_t;
#define RATING_LEVEL_COUNT 6

/*
 * Reason chips: what fell short, allowed with levels 1..3. Bits on disk
 * (ratings.reasons): never reassign one; a new chip takes the next bit and
 * a migration widening the CHECK.
 */
typedef enum rating_reason {
    RATING_REASON_EFFICIENCY = 1u << 0, /* 服务效率 */
    RATING_REASON_COMPETENCE = 1u << 1, /* 服务水平 */
    RATING_REASON_ATTITUDE = 1u << 2,   /* 服务态度 */
    RATING_REASON_OTHER = 1u << 3       /* 其他 */
} rating_reason_t;
#define RATING_REASONS_ALL 0xFu

/* "What went well" chips, optional, allowed with levels 4..5. Bits on
 * disk (ratings.praise): never reassign. */
typedef enum rating_praise {
    RATING_PRAISE_EFFICIENCY = 1u << 0, /* 办理高效 */
    RATING_PRAISE_COMPETENCE = 1u << 1, /* 业务专业 */
    RATING_PRAISE_ATTITUDE = 1u << 2,   /* 热情周到 */
    RATING_PRAISE_OTHER = 1u << 3       /* 其他 */
} rating_praise_t;
#define RATING_PRAISE_ALL 0xFu

/* Where the vote was cast. On disk (ratings.source, CHECK): never
 * renumber. A not-rated outcome has source COUNTER (its window passed). */
typedef enum rating_source {
    RATING_SOURCE_COUNTER = 0, /* the counter's pad or customer screen */
    RATING_SOURCE_KIOSK = 1    /* "rate our service" later, by number */
} rating_source_t;
#define RATING_SOURCE_COUNT 2

/* Whether a visit may be rated now from a source (rating_status). */
typedef enum rating_status {
    RATING_STATUS_OPEN = 0,     /* may be rated now */
    RATING_STATUS_RATED,        /* has its vote; only the same vote again is accepted */
    RATING_STATUS_NOT_FINISHED, /* the ticket is not done (waiting, called, no-show ...) */
    RATING_STATUS_CLOSED        /* counter: window passed (or marked not rated);
                                   kiosk: not a visit of today */
} rating_status_t;

typedef struct rating_vote {
    rating_level_t level; /* 1..5 */
    unsigned reasons;     /* rating_reason_t bits; only with levels 1..3 */
    unsigned praise;      /* rating_praise_t bits; only with levels 4..5 */
} rating_vote_t;

#define RATING_STAFF_ID_LEN 32

/* A visit and its rating outcome: one row of ratings, or (from
 * rating_status) the visit alone, level RATING_NOT_RATED, rated_ms 0. */
typedef struct rating_record {
    int64_t ticket_id; /* the ticket row that was finished */
    char day[11];      /* business day of the visit */
    char number[8];    /* "A012" */
    char service_id[CONFIG_ID_LEN];
    char counter_id[CONFIG_ID_LEN];
    char staff_id[RATING_STAFF_ID_LEN]; /* who called the visit; "" = nobody logged in */
    int64_t finished_ms;
    rating_level_t level; /* RATING_NOT_RATED: timed out (or, from
                             rating_status, no outcome yet) */
    unsigned reasons;
    unsigned praise;
    rating_source_t source;
    int64_t rated_ms; /* when the outcome was recorded; 0 = none yet */
    bool follow_up;   /* level 1 or 2: head office follows it up */
} rating_record_t;

typedef struct rating rating_t;

/**
 * @param store  borrowed; must outlive the rating_t; at the latest schema.
 * @param cfg    copied (the business day's zone); see rating_set_config().
 * @param out    receives the object; free with rating_destroy().
 * @return HK_ERR_INVALID store not at the latest schema.
 */
hk_err_t rating_open(store_t *store, const config_t *cfg, rating_t **out);
void rating_destroy(rating_t *r); /* NULL ok */
void rating_set_config(rating_t *r, const config_t *cfg);

/** "very_satisfied" ... "very_dissatisfied", "not_rated"; "unknown" out of
 *  range. Static. */
const char *rating_level_str(rating_level_t level);
/** "counter", "kiosk"; "unknown" out of range. */
const char *rating_source_str(rating_source_t source);
/** "open", "rated", "not_finished", "closed"; "unknown" out of range. */
const char *rating_status_str(rating_status_t status);
/** True for the levels head office follows up (1 and 2). */
bool rating_level_needs_follow_up(rating_level_t level);

/**
 * Record a vote for a finished visit. Rules, in order:
 *   - the same vote (level, reasons, praise) as the one stored: HK_OK with
 *     the stored record, nothing written (a repeated press; also after the
 *     window closed, so a double tap never turns into an error);
 *   - another vote for a rated visit: HK_ERR_BUSY, nothing changes;
 *   - the ticket is not done: HK_ERR_INVALID;
 *   - COUNTER: only while now_ms <= finished_ms + window_s (and not yet
 *     marked not rated), else HK_ERR_INVALID;
 *   - KIOSK: only a visit of the business day of now_ms, else
 *     HK_ERR_INVALID; a visit marked not rated may still be rated here
 *     (the row's outcome changes once, from not rated to the vote).
 * Journal: visit.rated (body: see journal.h; follow_up true for 1..2).
 * @param vote      borrowed.
 * @param window_s  the counter window (RATING_WINDOW_S_DEFAULT), > 0.
 * @param out       receives the stored record on HK_OK; may be NULL.
 * @return HK_ERR_NOT_FOUND unknown ticket; HK_ERR_INVALID a bad vote
 *         (level not 1..5, unknown chips, reasons with 4..5, praise with
 *         1..3), bad source or window_s, or a rule above.
 */
hk_err_t rating_rate(rating_t *r, int64_t ticket_id, const rating_vote_t *vote,
                     rating_source_t source, int window_s, int64_t now_ms, rating_record_t *out);

/**
 * The visit a ticket number names: the current (not transferred) ticket
 * row with that number on day, the row a transferred visit finished on.
 * @param day  "YYYY-MM-DD", or NULL/"" for the business day of now_ms.
 * @return HK_ERR_NOT_FOUND no such number that day.
 */
hk_err_t rating_find_visit(rating_t *r, const char *day, const char *number, int64_t now_ms,
                           int64_t *ticket_id_out);

/**
 * Whether ticket_id may be rated now from source (what rating_rate would
 * accept), and the visit: *out gets the stored row, or the visit's
 * details with level RATING_NOT_RATED and rated_ms 0 when it has none.
 * Reads only.
 * @param out  may be NULL.
 * @return HK_ERR_NOT_FOUND unknown ticket; HK_ERR_INVALID bad source or
 *         window_s.
 */
hk_err_t rating_status(rating_t *r, int64_t ticket_id, rating_source_t source, int window_s,
                       int64_t now_ms, rating_status_t *status_out, rating_record_t *out);

/**
 * The not-rated sweep: every done visit of the business day of now_ms or
 * the day before, without an outcome, whose counter window has passed
 * (finished_ms + window_s < now_ms) gets a not-rated row and one
 * visit.not_rated event, all in one transaction. Idempotent: a second
 * sweep at the same time marks nothing. The hub runs it on a timer
 * (branch_expire_ratings).
 * @param n_out  visits marked; may be NULL.
 */
hk_err_t rating_expire(rating_t *r, int window_s, int64_t now_ms, int *n_out);

/** The stored outcome of a visit. @return HK_ERR_NOT_FOUND none yet. */
hk_err_t rating_get(rating_t *r, int64_t ticket_id, rating_record_t *out);

/** Visits of a business day flagged for follow-up (levels 1 and 2). */
hk_err_t rating_follow_up_count(rating_t *r, const char *day, int *out);

#endif
