/*
 * queue: the branch's queue authority in plain C over the store. Issues
 * numbers (per business day and per prefix, never repeated within a day,
 * also across crashes), picks the next ticket for a counter, moves tickets
 * through their states, and estimates waits. Every call that changes state
 * writes its journal event in the same transaction and commits before it
 * returns (or, called inside a transaction the caller opened with
 * store_begin(), commits with it), so a caller may confirm to a customer
 * exactly what is stored.
 *
 * Not thread-safe: one queue_t per thread (each over its own store_t).
 */
#ifndef HK_APP_CORE_QUEUE_H
#define HK_APP_CORE_QUEUE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"
#include "store.h"

/*
 * Ticket states. On disk (tickets.state, with a CHECK listing the values
 * since schema v3): never renumber, never reuse a value. A new state takes
 * the next number and comes with a migration that widens the CHECK.
 */
typedef enum ticket_state {
    TICKET_WAITING = 0,
    TICKET_CALLED = 1,
    TICKET_SERVING = 2,
    TICKET_DONE = 3,
    TICKET_NO_SHOW = 4,
    TICKET_CANCELLED = 5,
    TICKET_TRANSFERRED = 6
} ticket_state_t;
#define TICKET_STATE_COUNT 7

/*
 * Counter states. On disk (counter_state.state, CHECK since schema v3):
 * never renumber. A paused counter is not called to and does not count as
 * open in estimates; it keeps serving the ticket it has.
 */
typedef enum counter_state {
    COUNTER_CLOSED = 0,
    COUNTER_OPEN = 1,
    COUNTER_PAUSED = 2
} counter_state_t;
#define COUNTER_STATE_COUNT 3

#define QUEUE_STAFF_LEN 32 /* staff and device ids on a ticket, NUL included */

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
    char counter_id[CONFIG_ID_LEN];  /* "" until called */
    int ahead_quoted;                /* people ahead when issued */
    int est_wait_s_quoted;           /* estimate quoted; -1 = none */
    int recalls;                     /* times recalled */
    char staff_id[QUEUE_STAFF_LEN];  /* who called it (the counter's login); "" = nobody */
    char device_id[QUEUE_STAFF_LEN]; /* the kiosk that issued it from its own block while the
                                       hub was unreachable; "" = the hub numbered it */
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

/** Text of a state ("waiting", "called", ...); "unknown" out of range. */
const char *queue_state_str(ticket_state_t st);
/** Text of a counter state ("closed", "open", "paused"); "unknown" out of
 *  range. */
const char *queue_counter_state_str(counter_state_t st);

/**
 * Issue a number for service_id at now_ms: commits the ticket with its
 * quoted people-ahead and estimate, then fills *out. Journal:
 * ticket.issued (body carries the quote); the first take or call of a new
 * business day first cancels the previous days' unfinished tickets, one
 * ticket.cancelled each (reason "day_rollover").
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
 * Journal: ticket.called.
 * @return HK_ERR_NOT_FOUND when nobody waits for this counter (also for a
 *         counter id not in the config); HK_ERR_BUSY the counter is paused
 *         or closed; HK_ERR_CONFLICT the counter still has a called or
 *         serving ticket (one visit at a time).
 */
hk_err_t queue_call_next(queue_t *q, const char *counter_id, int64_t now_ms, ticket_t *out);

/**
 * Call one particular waiting ticket of today to a counter (the clerk picks
 * it from the list), whatever its service: the clerk's choice overrides the
 * call-next policy. Journal: ticket.called.
 * @return HK_ERR_NOT_FOUND unknown counter or ticket; HK_ERR_INVALID the
 *         ticket is not waiting (or is from an earlier day); HK_ERR_BUSY
 *         the counter is paused or closed; HK_ERR_CONFLICT the counter
 *         still has a visit.
 */
hk_err_t queue_call_ticket(queue_t *q, const char *counter_id, int64_t ticket_id, int64_t now_ms,
                           ticket_t *out);

/**
 * The ticket called or being served at a counter now (the most recently
 * called one if, unusually, there are several).
 * @return HK_ERR_NOT_FOUND none (or an unknown counter).
 */
hk_err_t queue_counter_current(queue_t *q, const char *counter_id, ticket_t *out);

/* State changes below: HK_ERR_NOT_FOUND unknown ticket, HK_ERR_INVALID
 * the ticket is not in a state the change starts from. Each writes the
 * journal event named in its comment with the change. */

/** Called -> serving. Journal: ticket.started. */
hk_err_t queue_start_serving(queue_t *q, int64_t ticket_id, int64_t now_ms);
/** Called/serving -> done; feeds the service-time mean.
 *  Journal: ticket.finished. */
hk_err_t queue_finish(queue_t *q, int64_t ticket_id, int64_t now_ms);
/**
 * The called customer did not come. put_back false: called -> no-show.
 * put_back true: called -> waiting on the same row, keeping issued_ms (its
 * place in line) and recalls; called_ms and counter_id are cleared, so the
 * next call starts afresh. Journal: ticket.no_show (body: put_back, state).
 */
hk_err_t queue_no_show(queue_t *q, int64_t ticket_id, int64_t now_ms, bool put_back);
/** Called: count a recall (state unchanged). Journal: ticket.recalled. */
hk_err_t queue_recall(queue_t *q, int64_t ticket_id, int64_t now_ms);
/** Waiting -> cancelled. Journal: ticket.cancelled. */
hk_err_t queue_cancel(queue_t *q, int64_t ticket_id, int64_t now_ms);
/**
 * Called/serving -> transferred; a new waiting ticket with the same number
 * joins to_service_id keeping its original issue time (it has waited
 * already). *out receives the new ticket. Journal: one ticket.transferred
 * naming both rows (the new row gets no ticket.issued: no number is).
 * @return HK_ERR_NOT_FOUND unknown service or ticket; HK_ERR_INVALID the
 *         ticket is not called/serving or already in that service.
 */
hk_err_t queue_transfer(queue_t *q, int64_t ticket_id, const char *to_service_id, int64_t now_ms,
                        ticket_t *out);

/**
 * Open, pause or close a counter. A counter never set is open. Setting the
 * state it has already is a no-op (no event). Journal: counter.opened,
 * counter.paused or counter.closed.
 * @return HK_ERR_NOT_FOUND unknown counter; HK_ERR_INVALID bad state.
 */
hk_err_t queue_counter_set_state(queue_t *q, const char *counter_id, counter_state_t st,
                                 int64_t now_ms);
/**
 * The same, naming who works there: staff_id is stamped on every ticket the
 * counter calls until it closes (closing clears it; NULL keeps whoever is
 * logged in; a new staff id at an open counter is a handover and writes a
 * counter.opened event naming them). Events carry "staff".
 */
hk_err_t queue_counter_set_state_staff(queue_t *q, const char *counter_id, counter_state_t st,
                                       const char *staff_id, int64_t now_ms);
hk_err_t queue_counter_get_state(queue_t *q, const char *counter_id, counter_state_t *out);
/** Who is logged in at the counter ("" nobody); staff_cap >= QUEUE_STAFF_LEN. */
hk_err_t queue_counter_staff(queue_t *q, const char *counter_id, char *staff, size_t staff_cap);
/** Open (true) or close (false): queue_counter_set_state(). */
hk_err_t queue_counter_set_open(queue_t *q, const char *counter_id, bool open, int64_t now_ms);
/** True only when the counter is COUNTER_OPEN (paused is not open). */
hk_err_t queue_counter_is_open(queue_t *q, const char *counter_id, bool *out);

hk_err_t queue_get_ticket(queue_t *q, int64_t ticket_id, ticket_t *out);
/** The current (non-transferred) ticket with this number on that day. */
hk_err_t queue_find_ticket(queue_t *q, const char *day, const char *number, ticket_t *out);

/**
 * Every ticket of a business day except transferred legs (a transferred
 * number appears once, as its latest leg), in issue order.
 * @param out  hk_malloc'd array of *n (NULL when none); free with hk_free().
 */
hk_err_t queue_day_list(queue_t *q, const char *day, ticket_t **out, int *n);

/**
 * Take in a ticket a kiosk numbered from its own block (config devices[])
 * while the hub was unreachable. It joins the waiting line by its
 * issued_ms, so it is called in issue-time order with everyone else.
 * Journal: ticket.issued with "device" and "offline": true.
 * @param t        uses day, number, service_id, issued_ms, device_id.
 * @param now_ms   the hub's time (the day must be the hub's today).
 * @param created  true when the ticket is new, false when the same device
 *                 had already handed in this day+number (nothing changes).
 * @return HK_OK; HK_ERR_NOT_FOUND unknown service or device;
 *         HK_ERR_INVALID the number is not in the device's block, its
 *         prefix is not the service's, or the day is not today;
 *         HK_ERR_CONFLICT the number is taken by another ticket.
 */
hk_err_t queue_import_ticket(queue_t *q, const ticket_t *t, int64_t now_ms, ticket_t *out,
                             bool *created);
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
