/*
 * queue: the branch's queue authority in plain C over the store. Issues
 * numbers (per business day and per prefix, never repeated within a day,
 * also across crashes), picks the next ticket for a counter, moves tickets
 * through their states, and estimates waits. Every call that changes state
 * commits before it returns, so a caller may confirm to a customer exactly
 * what is stored.
 *
 * Not thread-safe: one queue_t per thread (each over its own store_t).
 */
#ifndef HK_APP_CORE_QUEUE_H
#define HK_APP_CORE_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"
#include "store.h"

typedef enum ticket_state {
    TICKET_WAITING = 0,
    TICKET_CALLED,
    TICKET_SERVING,
    TICKET_DONE,
    TICKET_NO_SHOW,
    TICKET_CANCELLED,
    TICKET_TRANSFERRED
} ticket_state_t;

typedef struct ticket {
    int64_t id;     /* row id */
    char day[11];   /* business day "YYYY-MM-DD" */
    char number[8]; /* "A001" */
    char service_id[CONFIG_ID_LEN];
    ticket_state_t state;
    int64_t issued_ms; /* wall ms; the customer's place in line */
    int64_t called_ms; /* 0 = not yet */
    int64_t serving_ms;
    int64_t finished_ms;
    char counter_id[CONFIG_ID_LEN]; /* "" until called */
    int ahead_quoted;               /* people ahead when issued */
    int est_wait_s_quoted;          /* estimate quoted; -1 = none */
    int recalls;                    /* times recalled */
} ticket_t;

typedef struct queue queue_t;

/**
 * @param store  borrowed; must outlive the queue.
 * @param cfg    copied; replace with queue_set_config().
 * @param out    receives the queue; free with queue_destroy().
 */
hk_err_t queue_open(store_t *store, const config_t *cfg, queue_t **out);
void queue_destroy(queue_t *q); /* NULL ok */
void queue_set_config(queue_t *q, const config_t *cfg);

/** Text of a state ("waiting", "called", ...). */
const char *queue_state_str(ticket_state_t st);

/**
 * Issue a number for service_id at now_ms: commits the ticket with its
 * quoted people-ahead and estimate, then fills *out.
 * @return HK_ERR_NOT_FOUND unknown service; HK_ERR_BUSY service closed now;
 *         HK_ERR_INVALID more than 999 tickets for the prefix today.
 */
hk_err_t queue_take_number(queue_t *q, const char *service_id, int64_t now_ms, ticket_t *out);

/**
 * People waiting ahead of a new ticket for service_id and the estimated
 * wait in seconds: ahead * mean_service_s / open counters serving it.
 * @param wait_s_out  -1 when no open counter serves the service.
 */
hk_err_t queue_estimate(queue_t *q, const char *service_id, int64_t now_ms, int *ahead_out,
                        int *wait_s_out);

/**
 * Call the next ticket for a counter: among waiting tickets of the
 * counter's services, highest service priority first, then the counter's
 * own service order, then oldest; except that a ticket waiting longer than
 * cfg.max_pass_over_s is taken first (oldest such), bounding how long a
 * lower-priority ticket can be passed over. Commits CALLED.
 * Only tickets of the current business day are called: the first state
 * change of a new day cancels the previous day's unfinished tickets.
 * @return HK_ERR_NOT_FOUND when nobody waits for this counter (also for a
 *         counter id not in the config).
 */
hk_err_t queue_call_next(queue_t *q, const char *counter_id, int64_t now_ms, ticket_t *out);

/* State changes below: HK_ERR_NOT_FOUND unknown ticket, HK_ERR_INVALID
 * the ticket is not in a state the change starts from. */

/** Called -> serving. */
hk_err_t queue_start_serving(queue_t *q, int64_t ticket_id, int64_t now_ms);
/** Called/serving -> done; feeds the service-time mean. */
hk_err_t queue_finish(queue_t *q, int64_t ticket_id, int64_t now_ms);
/** Called -> no-show. */
hk_err_t queue_no_show(queue_t *q, int64_t ticket_id, int64_t now_ms);
/** Called: count a recall (state unchanged). */
hk_err_t queue_recall(queue_t *q, int64_t ticket_id, int64_t now_ms);
/** Waiting -> cancelled. */
hk_err_t queue_cancel(queue_t *q, int64_t ticket_id, int64_t now_ms);
/**
 * Called/serving -> transferred; a new waiting ticket with the same number
 * joins to_service_id keeping its original issue time (it has waited
 * already). *out receives the new ticket.
 * @return HK_ERR_NOT_FOUND unknown service or ticket; HK_ERR_INVALID the
 *         ticket is not called/serving or already in that service.
 */
hk_err_t queue_transfer(queue_t *q, int64_t ticket_id, const char *to_service_id, int64_t now_ms,
                        ticket_t *out);

/** Open or close a counter (closed counters do not count in estimates).
 *  A counter never set is open. HK_ERR_NOT_FOUND for an unknown counter. */
hk_err_t queue_counter_set_open(queue_t *q, const char *counter_id, bool open, int64_t now_ms);
hk_err_t queue_counter_is_open(queue_t *q, const char *counter_id, bool *out);

hk_err_t queue_get_ticket(queue_t *q, int64_t ticket_id, ticket_t *out);
/** The current (non-transferred) ticket with this number on that day. */
hk_err_t queue_find_ticket(queue_t *q, const char *day, const char *number, ticket_t *out);
/** Tickets waiting now for a service. */
hk_err_t queue_waiting_count(queue_t *q, const char *service_id, int *out);
/** Tickets issued on a business day (all services, all states). */
hk_err_t queue_issued_count(queue_t *q, const char *day, int *out);
/** Current mean service time used for estimates, seconds. */
hk_err_t queue_mean_service_s(queue_t *q, const char *service_id, int *out);

/**
 * Estimate error on a day: over tickets that were called and had an
 * estimate, the mean absolute error (quoted vs actual wait) in seconds.
 */
hk_err_t queue_estimate_error(queue_t *q, const char *day, int *n_out, double *mean_abs_err_s_out);

#endif
