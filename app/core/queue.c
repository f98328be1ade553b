/*
 * queue: the branch queue authority over the store. It issues numbers from
 * the per-day ledger, quotes and later measures wait estimates, picks the
 * next ticket for a counter, moves tickets through their states and keeps
 * counters open, paused or closed. Every change is one store transaction
 * (nested in the caller's if one is open) that also appends the change's
 * journal event, so the change and its event commit together or not at all.
 * It does not print, announce or talk to the network; it reads no clock
 * (now_ms is an argument) and holds no state that is not also in the
 * database, apart from the config copy and the day last swept.
 *
 * Design notes
 * ------------
 * Ticket states (ticket_state_t, persisted: never renumber) and the calls
 * that move them, with the journal event each writes:
 *
 *   (new) --queue_take_number--> WAITING                     ticket.issued
 *   WAITING --queue_call_next / queue_call_ticket--> CALLED   ticket.called
 *   WAITING --queue_cancel--> CANCELLED                      ticket.cancelled
 *   WAITING/CALLED/SERVING --(first take/call of a new business day)-->
 *       CANCELLED   (day rollover: yesterday's queue is not called today;
 *       one ticket.cancelled per ticket, body reason "day_rollover")
 *   CALLED --queue_recall--> CALLED (recalls + 1)            ticket.recalled
 *   CALLED --queue_start_serving--> SERVING                  ticket.started
 *   CALLED/SERVING --queue_finish--> DONE (feeds the mean)   ticket.finished
 *   CALLED --queue_no_show(put_back=false)--> NO_SHOW        ticket.no_show
 *   CALLED --queue_no_show(put_back=true)--> WAITING         ticket.no_show
 *       (same row: issued_ms and so its place in line kept; called_ms and
 *       counter_id cleared. A state move, not a new row, because the
 *       number stays one person's: one live row per number and day.)
 *   CALLED/SERVING --queue_transfer--> TRANSFERRED, plus a new WAITING row
 *       with the same day/number and the original issued_ms
 *                                                     ticket.transferred
 * Counter states (counter_state_t, persisted: never renumber), any to any
 * by queue_counter_set_state: counter.opened / .paused / .closed. A counter
 * without a row is OPEN. Only an OPEN counter calls (else HK_ERR_BUSY) and
 * counts in estimates; PAUSED and CLOSED may still finish what they have.
 *
 * SQL and states: no state value is written into SQL by hand. The
 * templates in sql_tmpl[] name states ({waiting}) or sets of states
 * ({unfinished}) and are expanded once per process from state_names[] and
 * state_sets[], the same tables C code uses (queue_state_str, move masks).
 *
 * Numbering: the business day is the local date at utc_offset_min
 * (config_local_time). numbers(day, prefix, seq) is the ledger: the next
 * seq is MAX(seq)+1 for that day and prefix (skipping the kiosks' offline
 * blocks, config devices[]: next_seq), inserted in the same
 * transaction as the ticket row, so a number exists in the ledger iff its
 * ticket committed, and the PRIMARY KEY makes a repeat impossible even if
 * two processes race (BEGIN IMMEDIATE serialises them anyway). A new day
 * has no ledger rows, so numbering restarts at 001 with no explicit reset
 * step. At most 999 numbers per prefix per day.
 *
 * Estimates: wait_s = ahead * mean_s / open_counters, where ahead counts
 * today's WAITING tickets of the service, mean_s is a per-service EWMA of
 * service durations (finish - serving start, or - called when never
 * started; alpha QUEUE_EWMA_ALPHA) seeded with avg_service_s, and
 * open_counters counts configured counters serving the service whose
 * state is OPEN. No open counter gives -1. The quote is stored on the
 * ticket; queue_estimate_error() compares it with called_ms - issued_ms.
 *
 * Rollover cache: swept_day remembers the day whose sweep committed, and
 * is set only when this call's transaction was the outermost one (an inner
 * level's sweep may still be rolled back by the caller; then the next call
 * simply sweeps again: the sweep is idempotent).
 *
 * Invariants:
 *   - a number (day, prefix, seq) is in the ledger at most once, and every
 *     ticket row's number is in the ledger (foreign key);
 *   - per day and number, at most one row is not TRANSFERRED;
 *   - every row without prev_id has exactly one ticket.issued event, every
 *     row with one is named by exactly one ticket.transferred event, and
 *     every ticket event names an existing row;
 *   - a call returning HK_OK has committed (or will with the caller's
 *     transaction); any other result has rolled back its changes and
 *     events, and *out is untouched.
 */
#include "queue.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "store_private.h"

#define LOG_MOD          "queue"
#define QUEUE_EWMA_ALPHA 0.2
#define QUEUE_MAX_SEQ    999
/* A duration longer than this is a counter left open, not a service. */
#define QUEUE_MAX_SERVICE_S (4 * 3600)
#define SQL_MAX             640

#define TICKET_COLS                                                          \
    "id, day, number, service_id, state, issued_ms, called_ms, serving_ms, " \
    "finished_ms, counter_id, ahead_quoted, est_wait_s_quoted, recalls, "    \
    "prefix, seq, staff_id, device_id"

#define BIT(st)        (1u << (unsigned)(st))
#define SET_UNFINISHED (BIT(TICKET_WAITING) | BIT(TICKET_CALLED) | BIT(TICKET_SERVING))
#define SET_AT_COUNTER (BIT(TICKET_CALLED) | BIT(TICKET_SERVING))

typedef enum stmt_id {
    S_EXPIRE_NEXT,
    S_INS_NUMBER,
    S_INS_TICKET,
    S_WAITING_DAY,
    S_WAITING_ALL,
    S_WAITING_LIST,
    S_MEAN,
    S_STATS_UPSERT,
    S_COUNTER_GET,
    S_COUNTER_SET,
    S_GET,
    S_FIND,
    S_CURRENT,
    S_UPDATE,
    S_ISSUED,
    S_EST_ERR,
    S_MAX_SEQ_IN,
    S_DAY_LIST,
    S_HAS_NUMBER,
    S_COUNT
} stmt_id_t;

struct queue {
    store_t *store;
    config_t cfg;
    char swept_day[11]; /* day whose rollover sweep has committed */
};

/* Row with the number parts the ticket_t does not carry. */
typedef struct row {
    ticket_t t;
    char prefix[2];
    int seq;
} row_t;

typedef struct state_set {
    const char *name;
    unsigned mask;
} state_set_t;

/* Static prototypes -------------------------------------------------------*/
static void sql_build(void);
static bool sql_expand(const char *tmpl, char *out, size_t cap);
static bool sql_fragment(const char *name, char *out, size_t cap);
static hk_err_t stmt(queue_t *q, stmt_id_t id, sqlite3_stmt **out);
static hk_err_t fail(queue_t *q, const char *what, int src);
static hk_err_t rollover(queue_t *q, const char *day, int64_t now_ms, bool *swept);
static hk_err_t count_by_text(queue_t *q, stmt_id_t id, const char *arg, const char *what,
                              int *out);
static hk_err_t query_int(queue_t *q, sqlite3_stmt *st, const char *what, int *out);
static hk_err_t waiting_today(queue_t *q, const char *service_id, const char *day, int *out);
static hk_err_t mean_s(queue_t *q, int svc_idx, double *out);
static hk_err_t counter_get(queue_t *q, const char *counter_id, counter_state_t *out);
static hk_err_t counter_get_staff(queue_t *q, const char *counter_id, counter_state_t *out,
                                  char *staff, size_t staff_cap);
static hk_err_t next_seq(queue_t *q, const char *day, const char *prefix, int *seq_out);
static hk_err_t ledger_insert(queue_t *q, const char *day, const char *prefix, int seq,
                              int64_t issued_ms);
static hk_err_t ticket_insert(queue_t *q, const row_t *r, int64_t prev_id, int64_t *id_out);
static hk_err_t counter_may_call(queue_t *q, const char *counter_id, char *staff, size_t staff_cap);
static hk_err_t estimate_in(queue_t *q, int svc_idx, const char *day, int *ahead_out,
                            int *wait_out);
static void copy_text(char *dst, size_t cap, const unsigned char *src);
static void read_row(sqlite3_stmt *st, row_t *r);
static hk_err_t load(queue_t *q, int64_t ticket_id, row_t *r);
static hk_err_t load_by(queue_t *q, stmt_id_t id, const char *a, const char *b, row_t *r);
static hk_err_t first_row(queue_t *q, sqlite3_stmt *st, row_t *r);
static hk_err_t store_row(queue_t *q, const ticket_t *t);
static hk_err_t feed_mean(queue_t *q, const ticket_t *t, int64_t now_ms);
static void body_ticket(journal_body_t *b, const ticket_t *t, ticket_state_t from,
                        const char *counter_id);
static hk_err_t emit(queue_t *q, journal_type_t type, journal_body_t *b, int64_t now_ms);
static hk_err_t call_row(queue_t *q, const config_counter_t *c, const char *staff, row_t *r,
                         int64_t now_ms);
static hk_err_t call(queue_t *q, const char *counter_id, int64_t ticket_id, int64_t now_ms,
                     ticket_t *out);
static hk_err_t pick_next(queue_t *q, const config_counter_t *c, const char *day, int64_t now_ms,
                          int64_t *id_out);
static hk_err_t move(queue_t *q, int64_t ticket_id, int64_t now_ms, unsigned from_mask,
                     ticket_state_t to, journal_type_t ev);

/* Static data -------------------------------------------------------------*/

/* The one table of ticket state names; the values are the enum's. */
static const char *const state_names[TICKET_STATE_COUNT] = {
    [TICKET_WAITING] = "waiting",         [TICKET_CALLED] = "called",
    [TICKET_SERVING] = "serving",         [TICKET_DONE] = "done",
    [TICKET_NO_SHOW] = "no_show",         [TICKET_CANCELLED] = "cancelled",
    [TICKET_TRANSFERRED] = "transferred",
};

static const state_set_t state_sets[] = {
    { "unfinished", SET_UNFINISHED }, /* the day rollover cancels these */
    { "at_counter", SET_AT_COUNTER }, /* a counter has this ticket now */
};

static const char *const counter_state_names[COUNTER_STATE_COUNT] = {
    [COUNTER_CLOSED] = "closed",
    [COUNTER_OPEN] = "open",
    [COUNTER_PAUSED] = "paused",
};

/* {name} is a state's value, {set} a parenthesised list (sql_fragment). */
static const char *const sql_tmpl[S_COUNT] = {
    [S_EXPIRE_NEXT] = "SELECT " TICKET_COLS " FROM tickets"
                      " WHERE state IN {unfinished} AND day < ?1 ORDER BY id LIMIT 1",
    [S_INS_NUMBER] = "INSERT INTO numbers(day, prefix, seq, issued_ms)"
                     " VALUES(?1, ?2, ?3, ?4)",
    [S_INS_TICKET] = "INSERT INTO tickets(day, prefix, seq, number,"
                     " service_id, state, issued_ms, ahead_quoted,"
                     " est_wait_s_quoted, prev_id, device_id)"
                     " VALUES(?1, ?2, ?3, ?4, ?5, {waiting}, ?6, ?7, ?8, ?9, ?10)",
    [S_WAITING_DAY] = "SELECT COUNT(*) FROM tickets"
                      " WHERE state = {waiting} AND service_id = ?1 AND day = ?2",
    [S_WAITING_ALL] = "SELECT COUNT(*) FROM tickets"
                      " WHERE state = {waiting} AND service_id = ?1",
    /* the head of one service's line: the tickets_state index gives it
     * without reading the rest of the day's waiting tickets */
    [S_WAITING_LIST] = "SELECT id, issued_ms FROM tickets WHERE state = {waiting}"
                       " AND service_id = ?2 AND day = ?1 ORDER BY issued_ms, id LIMIT 1",
    [S_MEAN] = "SELECT mean_s FROM service_stats WHERE service_id = ?1",
    [S_STATS_UPSERT] = "INSERT INTO service_stats(service_id, mean_s, n,"
                       " updated_ms) VALUES(?1, ?2, 1, ?3)"
                       " ON CONFLICT(service_id) DO UPDATE SET"
                       " mean_s = excluded.mean_s, n = n + 1,"
                       " updated_ms = excluded.updated_ms",
    [S_COUNTER_GET] = "SELECT state, staff_id FROM counter_state WHERE counter_id = ?1",
    [S_COUNTER_SET] = "INSERT INTO counter_state(counter_id, state, updated_ms, staff_id)"
                      " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(counter_id) DO UPDATE"
                      " SET state = excluded.state,"
                      " updated_ms = excluded.updated_ms,"
                      " staff_id = excluded.staff_id",
    [S_GET] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1",
    [S_FIND] = "SELECT " TICKET_COLS " FROM tickets WHERE day = ?1 AND"
               " number = ?2 AND state <> {transferred} ORDER BY id DESC LIMIT 1",
    [S_CURRENT] = "SELECT " TICKET_COLS " FROM tickets WHERE state IN {at_counter}"
                  " AND counter_id = ?1 ORDER BY called_ms DESC, id DESC LIMIT 1",
    [S_UPDATE] = "UPDATE tickets SET state = ?2, called_ms = ?3,"
                 " serving_ms = ?4, finished_ms = ?5, counter_id = ?6,"
                 " recalls = ?7, staff_id = ?8 WHERE id = ?1",
    [S_ISSUED] = "SELECT COUNT(*) FROM numbers WHERE day = ?1",
    [S_EST_ERR] = "SELECT est_wait_s_quoted, called_ms - issued_ms"
                  " FROM tickets WHERE day = ?1 AND est_wait_s_quoted >= 0"
                  " AND called_ms > 0",
    [S_MAX_SEQ_IN] = "SELECT COALESCE(MAX(seq), 0) FROM numbers"
                     " WHERE day = ?1 AND prefix = ?2 AND seq BETWEEN ?3 AND ?4",
    [S_DAY_LIST] = "SELECT " TICKET_COLS " FROM tickets WHERE day = ?1 AND"
                   " state <> {transferred} ORDER BY issued_ms, id",
    [S_HAS_NUMBER] = "SELECT COUNT(*) FROM numbers WHERE day = ?1 AND prefix = ?2"
                     " AND seq = ?3",
};

/* Expanded once per process; static, so the store's statement cache may
 * key on these pointers. */
static char sql_text[S_COUNT][SQL_MAX];
static bool sql_ok;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

/* Public functions --------------------------------------------------------*/

hk_err_t queue_open(store_t *store, const config_t *cfg, queue_t **out)
{
    queue_t *q;

    if(out)
        *out = NULL;
    if(!store || !cfg || !out || !store_db(store))
        return HK_ERR_INVALID;
    /* The queue needs every table; a store opened at an older version for
     * a migration test is not one to run a branch on. */
    if(store_schema_version(store) != store_schema_latest())
        return HK_ERR_INVALID;
    (void)pthread_once(&sql_once, sql_build); /* fails only on broken libc */
    if(HK_NEVER(!sql_ok))
        return HK_ERR_INVALID; /* a template names an unknown state */
    q = hk_calloc(1, sizeof(*q));
    if(!q)
        return HK_ERR_NOMEM;
    q->store = store;
    q->cfg = *cfg;
    *out = q;
    return HK_OK;
}

void queue_destroy(queue_t *q)
{
    hk_free(q); /* statements belong to the store's cache */
}

void queue_set_config(queue_t *q, const config_t *cfg)
{
    if(q && cfg)
        q->cfg = *cfg;
}

const char *queue_state_str(ticket_state_t st)
{
    if((int)st < 0 || (int)st >= TICKET_STATE_COUNT)
        return "unknown";
    return state_names[st];
}

const char *queue_counter_state_str(counter_state_t st)
{
    if((int)st < 0 || (int)st >= COUNTER_STATE_COUNT)
        return "unknown";
    return counter_state_names[st];
}

hk_err_t queue_take_number(queue_t *q, const char *service_id, int64_t now_ms, ticket_t *out)
{
    const config_service_t *svc;
    journal_body_t body;
    ticket_t t;
    char day[11], prefix[2], number[8];
    int idx, seq = 0, ahead = 0, wait_s = -1;
    bool swept = false, outer;
    hk_err_t rc;

    if(!q || !service_id || !out)
        return HK_ERR_INVALID;
    idx = config_service_index(&q->cfg, service_id);
    if(idx < 0)
        return HK_ERR_NOT_FOUND;
    if(!config_service_open_at(&q->cfg, idx, now_ms, NULL))
        return HK_ERR_BUSY;
    svc = &q->cfg.services[idx];
    config_local_time(&q->cfg, now_ms, day, NULL, NULL);
    prefix[0] = svc->prefix;
    prefix[1] = '\0';
    memset(&t, 0, sizeof(t));

    outer = store_tx_depth(q->store) == 0;
    rc = store_begin(q->store);
    if(rc != HK_OK)
        return rc;
    rc = rollover(q, day, now_ms, &swept);
    if(rc != HK_OK)
        goto out;

    rc = next_seq(q, day, prefix, &seq);
    if(rc != HK_OK)
        goto out;
    (void)snprintf(number, sizeof(number), "%c%03d", svc->prefix, seq % 1000);

    /* Quote before inserting: the new ticket is not ahead of itself. */
    rc = estimate_in(q, idx, day, &ahead, &wait_s);
    if(rc != HK_OK)
        goto out;

    memcpy(t.day, day, sizeof(day));
    memcpy(t.number, number, sizeof(number));
    memcpy(t.service_id, svc->id, sizeof(t.service_id));
    t.state = TICKET_WAITING;
    t.issued_ms = now_ms;
    t.ahead_quoted = ahead;
    t.est_wait_s_quoted = wait_s;
    rc = ledger_insert(q, day, prefix, seq, now_ms);
    if(rc == HK_OK) {
        row_t nr = { .t = t, .prefix = { prefix[0], '\0' }, .seq = seq };
        rc = ticket_insert(q, &nr, 0, &t.id);
    }
    if(rc != HK_OK)
        goto out;

    body_ticket(&body, &t, (ticket_state_t)-1, "");
    journal_body_int(&body, "ahead", ahead);
    journal_body_int(&body, "est_wait_s", wait_s);
    rc = emit(q, JOURNAL_TICKET_ISSUED, &body, now_ms);
out:
    rc = store_end(q->store, rc);
    if(rc != HK_OK)
        return rc;
    if(swept && outer)
        memcpy(q->swept_day, day, sizeof(day));
    *out = t;
    return HK_OK;
}

hk_err_t queue_estimate(queue_t *q, const char *service_id, int64_t now_ms, int *ahead_out,
                        int *wait_s_out)
{
    char day[11];
    int idx, ahead = 0, wait_s = -1;
    hk_err_t rc;

    if(!q || !service_id)
        return HK_ERR_INVALID;
    idx = config_service_index(&q->cfg, service_id);
    if(idx < 0)
        return HK_ERR_NOT_FOUND;
    config_local_time(&q->cfg, now_ms, day, NULL, NULL);
    rc = estimate_in(q, idx, day, &ahead, &wait_s);
    if(rc != HK_OK)
        return rc;
    if(ahead_out)
        *ahead_out = ahead;
    if(wait_s_out)
        *wait_s_out = wait_s;
    return HK_OK;
}

hk_err_t queue_call_next(queue_t *q, const char *counter_id, int64_t now_ms, ticket_t *out)
{
    return call(q, counter_id, -1, now_ms, out);
}

hk_err_t queue_call_ticket(queue_t *q, const char *counter_id, int64_t ticket_id, int64_t now_ms,
                           ticket_t *out)
{
    if(ticket_id < 0)
        return HK_ERR_NOT_FOUND;
    return call(q, counter_id, ticket_id, now_ms, out);
}

hk_err_t queue_counter_current(queue_t *q, const char *counter_id, ticket_t *out)
{
    row_t r;
    hk_err_t rc;

    if(!q || !counter_id || !out)
        return HK_ERR_INVALID;
    if(config_counter_index(&q->cfg, counter_id) < 0)
        return HK_ERR_NOT_FOUND;
    rc = load_by(q, S_CURRENT, counter_id, NULL, &r);
    if(rc != HK_OK)
        return rc;
    *out = r.t;
    return HK_OK;
}

hk_err_t queue_start_serving(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, BIT(TICKET_CALLED), TICKET_SERVING, JOURNAL_TICKET_STARTED);
}

hk_err_t queue_finish(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, SET_AT_COUNTER, TICKET_DONE, JOURNAL_TICKET_FINISHED);
}

hk_err_t queue_no_show(queue_t *q, int64_t ticket_id, int64_t now_ms, bool put_back)
{
    return move(q, ticket_id, now_ms, BIT(TICKET_CALLED),
                put_back ? TICKET_WAITING : TICKET_NO_SHOW, JOURNAL_TICKET_NO_SHOW);
}

hk_err_t queue_recall(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, BIT(TICKET_CALLED), TICKET_CALLED, JOURNAL_TICKET_RECALLED);
}

hk_err_t queue_cancel(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, BIT(TICKET_WAITING), TICKET_CANCELLED,
                JOURNAL_TICKET_CANCELLED);
}

hk_err_t queue_transfer(queue_t *q, int64_t ticket_id, const char *to_service_id, int64_t now_ms,
                        ticket_t *out)
{
    journal_body_t body;
    ticket_state_t from;
    row_t r;
    ticket_t nt;
    int to_idx;
    hk_err_t rc;

    if(!q || !to_service_id || !out)
        return HK_ERR_INVALID;
    to_idx = config_service_index(&q->cfg, to_service_id);
    if(to_idx < 0)
        return HK_ERR_NOT_FOUND;

    rc = store_begin(q->store);
    if(rc != HK_OK)
        return rc;
    rc = load(q, ticket_id, &r);
    if(rc != HK_OK)
        goto out;
    if(!(SET_AT_COUNTER & BIT(r.t.state)) || strcmp(r.t.service_id, to_service_id) == 0) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    nt = r.t;
    from = r.t.state;
    r.t.state = TICKET_TRANSFERRED;
    r.t.finished_ms = now_ms;
    rc = store_row(q, &r.t);
    if(rc != HK_OK)
        goto out;

    /* Same ledger entry, new row: the number is not issued again. */
    memcpy(nt.service_id, q->cfg.services[to_idx].id, sizeof(nt.service_id));
    nt.ahead_quoted = 0;
    nt.est_wait_s_quoted = -1; /* nothing was quoted for this leg */
    {
        row_t nr = r;
        nr.t = nt;
        rc = ticket_insert(q, &nr, r.t.id, &nt.id);
    }
    if(rc != HK_OK)
        goto out;
    nt.state = TICKET_WAITING;
    nt.called_ms = 0;
    nt.serving_ms = 0;
    nt.finished_ms = 0;
    nt.counter_id[0] = '\0';
    nt.ahead_quoted = 0;
    nt.est_wait_s_quoted = -1;
    nt.recalls = 0;
    nt.staff_id[0] = '\0';

    body_ticket(&body, &r.t, from, r.t.counter_id);
    journal_body_int(&body, "new_ticket", nt.id);
    journal_body_str(&body, "to_service", nt.service_id);
    rc = emit(q, JOURNAL_TICKET_TRANSFERRED, &body, now_ms);
out:
    rc = store_end(q->store, rc);
    if(rc != HK_OK)
        return rc;
    *out = nt;
    return HK_OK;
}

hk_err_t queue_counter_set_state(queue_t *q, const char *counter_id, counter_state_t to,
                                 int64_t now_ms)
{
    return queue_counter_set_state_staff(q, counter_id, to, NULL, now_ms);
}

hk_err_t queue_counter_set_state_staff(queue_t *q, const char *counter_id, counter_state_t to,
                                       const char *staff_id, int64_t now_ms)
{
    static const journal_type_t events[COUNTER_STATE_COUNT] = {
        [COUNTER_CLOSED] = JOURNAL_COUNTER_CLOSED,
        [COUNTER_OPEN] = JOURNAL_COUNTER_OPENED,
        [COUNTER_PAUSED] = JOURNAL_COUNTER_PAUSED,
    };
    sqlite3_stmt *st = NULL;
    counter_state_t from = COUNTER_OPEN;
    journal_body_t body;
    char was[QUEUE_STAFF_LEN], now_staff[QUEUE_STAFF_LEN];
    hk_err_t rc;
    int src;

    if(!q || !counter_id || (int)to < 0 || (int)to >= COUNTER_STATE_COUNT)
        return HK_ERR_INVALID;
    if(staff_id && strlen(staff_id) >= QUEUE_STAFF_LEN)
        return HK_ERR_INVALID;
    if(config_counter_index(&q->cfg, counter_id) < 0)
        return HK_ERR_NOT_FOUND;
    rc = store_begin(q->store);
    if(rc != HK_OK)
        return rc;
    rc = counter_get_staff(q, counter_id, &from, was, sizeof(was));
    if(rc != HK_OK)
        goto out;
    /* Closing ends the login; otherwise NULL keeps whoever is there. */
    (void)snprintf(now_staff, sizeof(now_staff), "%s",
                   to == COUNTER_CLOSED ? ""
                   : staff_id           ? staff_id
                                        : was);
    if(from == to && !strcmp(was, now_staff))
        goto out; /* an unchanged state writes nothing */
    rc = stmt(q, S_COUNTER_SET, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, counter_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 2, (int)to);
    (void)sqlite3_bind_int64(st, 3, now_ms);
    (void)sqlite3_bind_text(st, 4, now_staff, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE) {
        rc = fail(q, "counter state", src);
        goto out;
    }
    journal_body_init(&body);
    journal_body_str(&body, "counter", counter_id);
    journal_body_str(&body, "from", counter_state_names[from]);
    journal_body_str(&body, "state", counter_state_names[to]);
    if(now_staff[0] || was[0])
        journal_body_str(&body, "staff", now_staff[0] ? now_staff : was);
    rc = emit(q, events[to], &body, now_ms);
out:
    return store_end(q->store, rc);
}

hk_err_t queue_counter_get_state(queue_t *q, const char *counter_id, counter_state_t *out)
{
    counter_state_t st = COUNTER_OPEN;
    hk_err_t rc;

    if(!q || !counter_id || !out)
        return HK_ERR_INVALID;
    if(config_counter_index(&q->cfg, counter_id) < 0)
        return HK_ERR_NOT_FOUND;
    rc = counter_get(q, counter_id, &st);
    if(rc != HK_OK)
        return rc;
    *out = st;
    return HK_OK;
}

hk_err_t queue_counter_set_open(queue_t *q, const char *counter_id, bool open, int64_t now_ms)
{
    return queue_counter_set_state(q, counter_id, open ? COUNTER_OPEN : COUNTER_CLOSED, now_ms);
}

hk_err_t queue_counter_is_open(queue_t *q, const char *counter_id, bool *out)
{
    counter_state_t st = COUNTER_OPEN;
    hk_err_t rc;

    if(!out)
        return HK_ERR_INVALID;
    rc = queue_counter_get_state(q, counter_id, &st);
    if(rc != HK_OK)
        return rc;
    *out = st == COUNTER_OPEN;
    return HK_OK;
}

hk_err_t queue_get_ticket(queue_t *q, int64_t ticket_id, ticket_t *out)
{
    row_t r;
    hk_err_t rc;

    if(!q || !out)
        return HK_ERR_INVALID;
    rc = load(q, ticket_id, &r);
    if(rc != HK_OK)
        return rc;
    *out = r.t;
    return HK_OK;
}

hk_err_t queue_find_ticket(queue_t *q, const char *day, const char *number, ticket_t *out)
{
    row_t r;
    hk_err_t rc;

    if(!q || !day || !number || !out)
        return HK_ERR_INVALID;
    rc = load_by(q, S_FIND, day, number, &r);
    if(rc != HK_OK)
        return rc;
    *out = r.t;
    return HK_OK;
}

hk_err_t queue_counter_staff(queue_t *q, const char *counter_id, char *staff, size_t staff_cap)
{
    counter_state_t st = COUNTER_OPEN;

    if(!q || !counter_id || !staff || staff_cap < QUEUE_STAFF_LEN)
        return HK_ERR_INVALID;
    if(config_counter_index(&q->cfg, counter_id) < 0)
        return HK_ERR_NOT_FOUND;
    return counter_get_staff(q, counter_id, &st, staff, staff_cap);
}

hk_err_t queue_day_list(queue_t *q, const char *day, ticket_t **out, int *n)
{
    sqlite3_stmt *st = NULL;
    ticket_t *arr = NULL;
    int cap = 0, cnt = 0, src;
    row_t r;
    hk_err_t rc;

    if(!q || !day || !out || !n)
        return HK_ERR_INVALID;
    *out = NULL;
    *n = 0;
    rc = stmt(q, S_DAY_LIST, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    while((src = sqlite3_step(st)) == SQLITE_ROW) {
        if(cnt == cap) {
            int ncap = cap ? cap * 2 : 64;
            ticket_t *na = hk_realloc(arr, (size_t)ncap * sizeof(*arr));
            if(!na) {
                store_stmt_done(st);
                hk_free(arr);
                return HK_ERR_NOMEM;
            }
            arr = na;
            cap = ncap;
        }
        read_row(st, &r);
        arr[cnt++] = r.t;
    }
    store_stmt_done(st);
    if(src != SQLITE_DONE) {
        hk_free(arr);
        return fail(q, "day list", src);
    }
    *out = arr;
    *n = cnt;
    return HK_OK;
}

hk_err_t queue_import_ticket(queue_t *q, const ticket_t *t, int64_t now_ms, ticket_t *out,
                             bool *created)
{
    sqlite3_stmt *st = NULL;
    journal_body_t body;
    ticket_t nt;
    row_t had;
    char today[11], prefix[2], number[8];
    int sidx, didx, seq = 0, taken = 0;
    bool swept = false, outer;
    hk_err_t rc;

    if(!q || !t || !out || !created)
        return HK_ERR_INVALID;
    sidx = config_service_index(&q->cfg, t->service_id);
    didx = config_device_index(&q->cfg, t->device_id);
    if(sidx < 0 || didx < 0)
        return HK_ERR_NOT_FOUND;
    config_local_time(&q->cfg, now_ms, today, NULL, NULL);
    if(strcmp(t->day, today) != 0)
        return HK_ERR_INVALID; /* yesterday's line is gone; tomorrow's is not here */
    /* "A901": the service's prefix and three digits inside the block */
    if(strlen(t->number) != 4 || t->number[0] != q->cfg.services[sidx].prefix ||
       sscanf(t->number + 1, "%3d", &seq) != 1 || t->number[1] < '0' || t->number[1] > '9' ||
       t->number[2] < '0' || t->number[2] > '9' || t->number[3] < '0' || t->number[3] > '9' ||
       seq < q->cfg.devices[didx].block_from || seq > q->cfg.devices[didx].block_to ||
       q->cfg.devices[didx].block_from == 0)
        return HK_ERR_INVALID;
    if(t->issued_ms <= 0 || t->issued_ms > now_ms + 60000)
        return HK_ERR_INVALID; /* a kiosk clock far ahead of the hub's: refuse */
    prefix[0] = q->cfg.services[sidx].prefix;
    prefix[1] = '\0';
    (void)snprintf(number, sizeof(number), "%c%03d", prefix[0], seq);

    outer = store_tx_depth(q->store) == 0;
    rc = store_begin(q->store);
    if(rc != HK_OK)
        return rc;
    rc = rollover(q, today, now_ms, &swept);
    if(rc != HK_OK)
        goto out;
    rc = stmt(q, S_HAS_NUMBER, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, seq);
    rc = query_int(q, st, "number ledger", &taken);
    if(rc != HK_OK)
        goto out;
    if(taken) {
        /* handed in before (a retry after a lost answer), or a conflict */
        rc = load_by(q, S_FIND, today, number, &had);
        if(rc == HK_OK &&
           (strcmp(had.t.device_id, t->device_id) != 0 || had.t.issued_ms != t->issued_ms))
            rc = HK_ERR_CONFLICT;
        if(rc == HK_ERR_NOT_FOUND)
            rc = HK_ERR_CONFLICT;
        if(rc == HK_OK) {
            nt = had.t;
            *created = false;
        }
        goto out;
    }
    memset(&nt, 0, sizeof(nt));
    memcpy(nt.day, today, sizeof(today));
    memcpy(nt.number, number, sizeof(number));
    memcpy(nt.service_id, q->cfg.services[sidx].id, sizeof(nt.service_id));
    nt.state = TICKET_WAITING;
    nt.issued_ms = t->issued_ms;
    nt.est_wait_s_quoted = -1; /* the kiosk quoted without the hub */
    (void)snprintf(nt.device_id, sizeof(nt.device_id), "%s", q->cfg.devices[didx].id);
    rc = ledger_insert(q, today, prefix, seq, t->issued_ms);
    if(rc == HK_OK) {
        row_t nr = { .t = nt, .prefix = { prefix[0], '\0' }, .seq = seq };
        rc = ticket_insert(q, &nr, 0, &nt.id);
    }
    if(rc != HK_OK)
        goto out;
    body_ticket(&body, &nt, (ticket_state_t)-1, "");
    journal_body_bool(&body, "offline", true);
    rc = emit(q, JOURNAL_TICKET_ISSUED, &body, now_ms);
    if(rc == HK_OK)
        *created = true;
out:
    rc = store_end(q->store, rc);
    if(rc != HK_OK)
        return rc;
    if(swept && outer)
        memcpy(q->swept_day, today, sizeof(today));
    *out = nt;
    return HK_OK;
}

hk_err_t queue_waiting_count(queue_t *q, const char *service_id, int *out)
{
    return count_by_text(q, S_WAITING_ALL, service_id, "waiting count", out);
}

hk_err_t queue_issued_count(queue_t *q, const char *day, int *out)
{
    return count_by_text(q, S_ISSUED, day, "issued count", out);
}

hk_err_t queue_mean_service_s(queue_t *q, const char *service_id, int *out)
{
    double m = 0.0;
    int idx;
    hk_err_t rc;

    if(!q || !service_id || !out)
        return HK_ERR_INVALID;
    idx = config_service_index(&q->cfg, service_id);
    if(idx < 0)
        return HK_ERR_NOT_FOUND;
    rc = mean_s(q, idx, &m);
    if(rc != HK_OK)
        return rc;
    *out = (int)(m + 0.5);
    return HK_OK;
}

hk_err_t queue_estimate_error(queue_t *q, const char *day, int *n_out, double *mean_abs_err_s_out)
{
    sqlite3_stmt *st = NULL;
    double sum = 0.0;
    int n = 0, src;
    hk_err_t rc;

    if(!q || !day)
        return HK_ERR_INVALID;
    rc = stmt(q, S_EST_ERR, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    while((src = sqlite3_step(st)) == SQLITE_ROW) {
        double quoted = (double)sqlite3_column_int(st, 0);
        double actual = (double)sqlite3_column_int64(st, 1) / 1000.0;
        double e = quoted - actual;

        sum += e < 0 ? -e : e;
        n++;
    }
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return fail(q, "estimate error", src);
    if(n_out)
        *n_out = n;
    if(mean_abs_err_s_out)
        *mean_abs_err_s_out = n ? sum / n : 0.0;
    return HK_OK;
}

/* Static functions --------------------------------------------------------*/

static void sql_build(void)
{
    int i;

    sql_ok = true;
    for(i = 0; i < S_COUNT; i++) {
        if(!sql_expand(sql_tmpl[i], sql_text[i], sizeof(sql_text[i]))) {
            hk_log_error(LOG_MOD, "bad SQL template %d", i);
            sql_ok = false;
        }
    }
}

/* Copy tmpl to out, replacing each {name} by sql_fragment(name). */
static bool sql_expand(const char *tmpl, char *out, size_t cap)
{
    size_t o = 0;

    while(*tmpl) {
        char name[32], frag[64];
        const char *end;
        size_t n;

        if(*tmpl != '{') {
            if(o + 1 >= cap)
                return false;
            out[o++] = *tmpl++;
            continue;
        }
        end = strchr(tmpl, '}');
        if(!end || (size_t)(end - tmpl - 1) >= sizeof(name))
            return false;
        n = (size_t)(end - tmpl - 1);
        memcpy(name, tmpl + 1, n);
        name[n] = '\0';
        if(!sql_fragment(name, frag, sizeof(frag)))
            return false;
        n = strlen(frag);
        if(o + n >= cap)
            return false;
        memcpy(out + o, frag, n);
        o += n;
        tmpl = end + 1;
    }
    out[o] = '\0';
    return true;
}

/* "waiting" -> "0"; "unfinished" -> "(0, 1, 2)". */
static bool sql_fragment(const char *name, char *out, size_t cap)
{
    size_t i, o;
    int st;

    for(st = 0; st < TICKET_STATE_COUNT; st++)
        if(strcmp(name, state_names[st]) == 0)
            return snprintf(out, cap, "%d", st) < (int)cap;
    for(i = 0; i < sizeof(state_sets) / sizeof(state_sets[0]); i++) {
        if(strcmp(name, state_sets[i].name) != 0)
            continue;
        o = 0;
        for(st = 0; st < TICKET_STATE_COUNT; st++) {
            if(!(state_sets[i].mask & BIT(st)))
                continue;
            if(o + 8 >= cap)
                return false;
            o += (size_t)snprintf(out + o, cap - o, "%s%d", o ? ", " : "(", st);
        }
        if(o == 0 || o + 2 > cap)
            return false;
        out[o++] = ')';
        out[o] = '\0';
        return true;
    }
    return false;
}

static hk_err_t stmt(queue_t *q, stmt_id_t id, sqlite3_stmt **out)
{
    return store_stmt(q->store, sql_text[id], out);
}

static hk_err_t fail(queue_t *q, const char *what, int src)
{
    return store_fail(q->store, LOG_MOD, what, src);
}

/* Cancel every unfinished ticket of an earlier day, one event each. One
 * row at a time (LIMIT 1, again until none): never updating rows under an
 * open SELECT, and no list to allocate. */
static hk_err_t rollover(queue_t *q, const char *day, int64_t now_ms, bool *swept)
{
    hk_err_t rc;

    int n = 0;

    if(strcmp(q->swept_day, day) == 0)
        return HK_OK;
    for(;;) {
        journal_body_t body;
        ticket_state_t from;
        row_t r;

        rc = load_by(q, S_EXPIRE_NEXT, day, NULL, &r);
        if(rc == HK_ERR_NOT_FOUND)
            break;
        if(rc != HK_OK)
            return rc;
        from = r.t.state;
        r.t.state = TICKET_CANCELLED;
        r.t.finished_ms = now_ms;
        rc = store_row(q, &r.t);
        if(rc != HK_OK)
            return rc;
        body_ticket(&body, &r.t, from, r.t.counter_id);
        journal_body_str(&body, "reason", "day_rollover");
        rc = emit(q, JOURNAL_TICKET_CANCELLED, &body, now_ms);
        if(rc != HK_OK)
            return rc;
        n++;
    }
    /* Nothing to sweep wrote nothing a rollback could undo: remember the
     * day at once, also inside a caller's transaction (the hub's group
     * commit), so the next call does not look again. */
    if(n == 0)
        memcpy(q->swept_day, day, sizeof(q->swept_day));
    *swept = true;
    return HK_OK;
}

static hk_err_t query_int(queue_t *q, sqlite3_stmt *st, const char *what, int *out)
{
    int src = sqlite3_step(st);
    int v = 0;

    if(src == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    store_stmt_done(st);
    if(src != SQLITE_ROW)
        return fail(q, what, src);
    *out = v;
    return HK_OK;
}

static hk_err_t waiting_today(queue_t *q, const char *service_id, const char *day, int *out)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;

    rc = stmt(q, S_WAITING_DAY, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, service_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    return query_int(q, st, "waiting today", out);
}

static hk_err_t mean_s(queue_t *q, int svc_idx, double *out)
{
    const config_service_t *svc = &q->cfg.services[svc_idx];
    sqlite3_stmt *st = NULL;
    double m = (double)svc->avg_service_s;
    hk_err_t rc;
    int src;

    rc = stmt(q, S_MEAN, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, svc->id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        m = sqlite3_column_double(st, 0);
    store_stmt_done(st);
    if(src != SQLITE_ROW && src != SQLITE_DONE)
        return fail(q, "service mean", src);
    *out = m;
    return HK_OK;
}

/* The number's ledger row (see Numbering); inside a transaction. */
static hk_err_t ledger_insert(queue_t *q, const char *day, const char *prefix, int seq,
                              int64_t issued_ms)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc = stmt(q, S_INS_NUMBER, &st);
    int src;

    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, seq);
    (void)sqlite3_bind_int64(st, 4, issued_ms);
    src = sqlite3_step(st);
    store_stmt_done(st);
    return src == SQLITE_DONE ? HK_OK : fail(q, "ledger insert", src);
}

/* A WAITING row for r's number (its ledger entry exists): r->t gives the
 * day, number, service, issue time, quotes and device; prev_id > 0 names
 * the leg it continues (a transfer). */
static hk_err_t ticket_insert(queue_t *q, const row_t *r, int64_t prev_id, int64_t *id_out)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc = stmt(q, S_INS_TICKET, &st);
    int src;

    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, r->t.day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, r->prefix, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, r->seq);
    (void)sqlite3_bind_text(st, 4, r->t.number, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 5, r->t.service_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 6, r->t.issued_ms);
    (void)sqlite3_bind_int(st, 7, r->t.ahead_quoted);
    (void)sqlite3_bind_int(st, 8, r->t.est_wait_s_quoted);
    if(prev_id > 0)
        (void)sqlite3_bind_int64(st, 9, prev_id);
    else
        (void)sqlite3_bind_null(st, 9);
    (void)sqlite3_bind_text(st, 10, r->t.device_id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return fail(q, "ticket insert", src);
    *id_out = sqlite3_last_insert_rowid(store_db(q->store));
    return HK_OK;
}

/* The hub's next number of a day and prefix: after the highest it issued,
 * skipping every device's block (config devices[]), so an offline kiosk's
 * numbers can never collide with the hub's. The numbers outside the blocks
 * form ranges, filled lowest first; the highest range holding a number is
 * the current one. HK_ERR_INVALID when the day's numbers are used up. */
static hk_err_t next_seq(queue_t *q, const char *day, const char *prefix, int *seq_out)
{
    int lo[CONFIG_MAX_DEVICES + 1], hi[CONFIG_MAX_DEVICES + 1];
    int n = 0, from = 1, i, m = 0;
    sqlite3_stmt *st = NULL;
    hk_err_t rc;

    /* the complement of the blocks in 1..999, ascending */
    for(;;) {
        int next_block = QUEUE_MAX_SEQ + 1, next_end = QUEUE_MAX_SEQ;
        for(i = 0; i < q->cfg.n_devices; i++) {
            const config_device_t *d = &q->cfg.devices[i];
            if(d->block_from && d->block_to >= from && d->block_from < next_block) {
                next_block = d->block_from < from ? from : d->block_from;
                next_end = d->block_to;
            }
        }
        if(next_block > from) {
            lo[n] = from;
            hi[n] = next_block - 1;
            n++;
        }
        if(next_block > QUEUE_MAX_SEQ || n > CONFIG_MAX_DEVICES)
            break;
        from = next_end + 1;
        if(from > QUEUE_MAX_SEQ)
            break;
    }
    for(i = n - 1; i >= 0; i--) {
        rc = stmt(q, S_MAX_SEQ_IN, &st);
        if(rc != HK_OK)
            return rc;
        (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
        (void)sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
        (void)sqlite3_bind_int(st, 3, lo[i]);
        (void)sqlite3_bind_int(st, 4, hi[i]);
        rc = query_int(q, st, "next number", &m);
        if(rc != HK_OK)
            return rc;
        if(m > 0) {
            if(m < hi[i]) {
                *seq_out = m + 1;
                return HK_OK;
            }
            if(i + 1 < n) {
                *seq_out = lo[i + 1];
                return HK_OK;
            }
            return HK_ERR_INVALID; /* 999 numbers of this prefix today */
        }
    }
    if(n == 0)
        return HK_ERR_INVALID;
    *seq_out = lo[0];
    return HK_OK;
}

static hk_err_t counter_get(queue_t *q, const char *counter_id, counter_state_t *out)
{
    return counter_get_staff(q, counter_id, out, NULL, 0);
}

/* The counter's state and (staff != NULL) who opened it ("" = nobody). */
static hk_err_t counter_get_staff(queue_t *q, const char *counter_id, counter_state_t *out,
                                  char *staff, size_t staff_cap)
{
    sqlite3_stmt *st = NULL;
    int v = COUNTER_OPEN; /* a counter never switched is open */
    hk_err_t rc;
    int src;

    if(staff)
        staff[0] = '\0';
    rc = stmt(q, S_COUNTER_GET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, counter_id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW) {
        v = sqlite3_column_int(st, 0);
        if(staff)
            copy_text(staff, staff_cap, sqlite3_column_text(st, 1));
    }
    store_stmt_done(st);
    if(src != SQLITE_ROW && src != SQLITE_DONE)
        return fail(q, "counter state", src);
    if(v < 0 || v >= COUNTER_STATE_COUNT)
        return HK_ERR_CORRUPT; /* the v3 CHECK makes this impossible */
    *out = (counter_state_t)v;
    return HK_OK;
}

/* HK_OK when the counter is open; a paused or closed one does not call.
 * staff: who opened it (the call is made in their name). */
static hk_err_t counter_may_call(queue_t *q, const char *counter_id, char *staff, size_t staff_cap)
{
    counter_state_t st = COUNTER_OPEN;
    hk_err_t rc = counter_get_staff(q, counter_id, &st, staff, staff_cap);

    if(rc != HK_OK)
        return rc;
    return st == COUNTER_OPEN ? HK_OK : HK_ERR_BUSY;
}

static hk_err_t estimate_in(queue_t *q, int svc_idx, const char *day, int *ahead_out, int *wait_out)
{
    double m = 0.0;
    int ahead = 0, n_open = 0, i, k;
    hk_err_t rc;

    rc = waiting_today(q, q->cfg.services[svc_idx].id, day, &ahead);
    if(rc != HK_OK)
        return rc;
    rc = mean_s(q, svc_idx, &m);
    if(rc != HK_OK)
        return rc;
    for(i = 0; i < q->cfg.n_counters; i++) {
        const config_counter_t *c = &q->cfg.counters[i];
        for(k = 0; k < c->n_services; k++) {
            if(c->services[k] == svc_idx) {
                counter_state_t st = COUNTER_OPEN;
                rc = counter_get(q, c->id, &st);
                if(rc != HK_OK)
                    return rc;
                n_open += st == COUNTER_OPEN ? 1 : 0;
                break;
            }
        }
    }
    *ahead_out = ahead;
    *wait_out = n_open ? (int)((double)ahead * m / n_open + 0.5) : -1;
    return HK_OK;
}

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    size_t n = src ? strlen((const char *)src) : 0;

    if(n >= cap)
        n = cap - 1; /* our own rows always fit; never overrun on odd data */
    if(n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void read_row(sqlite3_stmt *st, row_t *r)
{
    int state;

    memset(r, 0, sizeof(*r));
    r->t.id = sqlite3_column_int64(st, 0);
    copy_text(r->t.day, sizeof(r->t.day), sqlite3_column_text(st, 1));
    copy_text(r->t.number, sizeof(r->t.number), sqlite3_column_text(st, 2));
    copy_text(r->t.service_id, sizeof(r->t.service_id), sqlite3_column_text(st, 3));
    state = sqlite3_column_int(st, 4);
    /* The v3 CHECK keeps the range; never index past the names table. */
    r->t.state =
        (state >= 0 && state < TICKET_STATE_COUNT) ? (ticket_state_t)state : TICKET_CANCELLED;
    r->t.issued_ms = sqlite3_column_int64(st, 5);
    r->t.called_ms = sqlite3_column_int64(st, 6);
    r->t.serving_ms = sqlite3_column_int64(st, 7);
    r->t.finished_ms = sqlite3_column_int64(st, 8);
    copy_text(r->t.counter_id, sizeof(r->t.counter_id), sqlite3_column_text(st, 9));
    r->t.ahead_quoted = sqlite3_column_int(st, 10);
    r->t.est_wait_s_quoted = sqlite3_column_int(st, 11);
    r->t.recalls = sqlite3_column_int(st, 12);
    copy_text(r->prefix, sizeof(r->prefix), sqlite3_column_text(st, 13));
    r->seq = sqlite3_column_int(st, 14);
    copy_text(r->t.staff_id, sizeof(r->t.staff_id), sqlite3_column_text(st, 15));
    copy_text(r->t.device_id, sizeof(r->t.device_id), sqlite3_column_text(st, 16));
}

static hk_err_t load(queue_t *q, int64_t ticket_id, row_t *r)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;

    rc = stmt(q, S_GET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, ticket_id);
    return first_row(q, st, r);
}

/* The first row of a TICKET_COLS query bound to one or two texts. */
static hk_err_t load_by(queue_t *q, stmt_id_t id, const char *a, const char *b, row_t *r)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;

    rc = stmt(q, id, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if(b)
        (void)sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    return first_row(q, st, r);
}

/* Step a bound TICKET_COLS query once: HK_ERR_NOT_FOUND when no row. */
static hk_err_t first_row(queue_t *q, sqlite3_stmt *st, row_t *r)
{
    int src = sqlite3_step(st);

    if(src == SQLITE_ROW)
        read_row(st, r);
    store_stmt_done(st);
    if(src == SQLITE_DONE)
        return HK_ERR_NOT_FOUND;
    if(src != SQLITE_ROW)
        return fail(q, "load ticket", src);
    return HK_OK;
}

static hk_err_t store_row(queue_t *q, const ticket_t *t)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    rc = stmt(q, S_UPDATE, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, t->id);
    (void)sqlite3_bind_int(st, 2, (int)t->state);
    (void)sqlite3_bind_int64(st, 3, t->called_ms);
    (void)sqlite3_bind_int64(st, 4, t->serving_ms);
    (void)sqlite3_bind_int64(st, 5, t->finished_ms);
    (void)sqlite3_bind_text(st, 6, t->counter_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 7, t->recalls);
    (void)sqlite3_bind_text(st, 8, t->staff_id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return fail(q, "update ticket", src);
    return HK_OK;
}

static hk_err_t feed_mean(queue_t *q, const ticket_t *t, int64_t now_ms)
{
    sqlite3_stmt *st = NULL;
    int64_t start = t->serving_ms ? t->serving_ms : t->called_ms;
    double dur_s, m = 0.0;
    int idx, src;
    hk_err_t rc;

    idx = config_service_index(&q->cfg, t->service_id);
    if(idx < 0 || start <= 0 || now_ms <= start)
        return HK_OK; /* nothing sensible to learn (clock step, old service) */
    dur_s = (double)(now_ms - start) / 1000.0;
    if(dur_s > QUEUE_MAX_SERVICE_S)
        return HK_OK;
    rc = mean_s(q, idx, &m);
    if(rc != HK_OK)
        return rc;
    m += QUEUE_EWMA_ALPHA * (dur_s - m);
    rc = stmt(q, S_STATS_UPSERT, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, t->service_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_double(st, 2, m);
    (void)sqlite3_bind_int64(st, 3, now_ms);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return fail(q, "service stats", src);
    return HK_OK;
}

/* What every ticket event carries: which ticket, where, from which state
 * (none for a new ticket: pass -1) to which. */
static void body_ticket(journal_body_t *b, const ticket_t *t, ticket_state_t from,
                        const char *counter_id)
{
    journal_body_init(b);
    journal_body_int(b, "ticket", t->id);
    journal_body_str(b, "number", t->number);
    journal_body_str(b, "day", t->day);
    journal_body_str(b, "service", t->service_id);
    journal_body_str(b, "counter", counter_id);
    journal_body_str(b, "from", (int)from < 0 ? NULL : queue_state_str(from));
    journal_body_str(b, "state", queue_state_str(t->state));
    journal_body_int(b, "issued_ms", t->issued_ms);
    if(t->staff_id[0])
        journal_body_str(b, "staff", t->staff_id);
    if(t->device_id[0])
        journal_body_str(b, "device", t->device_id);
}

static hk_err_t emit(queue_t *q, journal_type_t type, journal_body_t *b, int64_t now_ms)
{
    return journal_append(q->store, type, journal_body_finish(b), now_ms, NULL);
}

/* WAITING -> CALLED at counter c by staff (the member of staff logged in
 * at the counter now, "" = nobody), with its event; inside a transaction. */
static hk_err_t call_row(queue_t *q, const config_counter_t *c, const char *staff, row_t *r,
                         int64_t now_ms)
{
    journal_body_t body;
    hk_err_t rc;

    r->t.state = TICKET_CALLED;
    r->t.called_ms = now_ms;
    memcpy(r->t.counter_id, c->id, sizeof(r->t.counter_id));
    copy_text(r->t.staff_id, sizeof(r->t.staff_id), (const unsigned char *)staff);
    rc = store_row(q, &r->t);
    if(rc != HK_OK)
        return rc;
    body_ticket(&body, &r->t, TICKET_WAITING, c->id);
    journal_body_int(&body, "recalls", r->t.recalls);
    return emit(q, JOURNAL_TICKET_CALLED, &body, now_ms);
}

/* Call ticket_id (a waiting ticket of today), or the next one by the
 * policy when ticket_id < 0, to counter_id: one transaction. */
static hk_err_t call(queue_t *q, const char *counter_id, int64_t ticket_id, int64_t now_ms,
                     ticket_t *out)
{
    const config_counter_t *c;
    char day[11], staff[QUEUE_STAFF_LEN];
    int cidx;
    bool swept = false, outer;
    row_t r;
    hk_err_t rc;

    if(!q || !counter_id || !out)
        return HK_ERR_INVALID;
    cidx = config_counter_index(&q->cfg, counter_id);
    if(cidx < 0)
        return HK_ERR_NOT_FOUND;
    c = &q->cfg.counters[cidx];
    config_local_time(&q->cfg, now_ms, day, NULL, NULL);

    outer = store_tx_depth(q->store) == 0;
    rc = store_begin(q->store);
    if(rc != HK_OK)
        return rc;
    rc = counter_may_call(q, c->id, staff, sizeof(staff));
    if(rc == HK_OK)
        rc = rollover(q, day, now_ms, &swept);
    if(rc == HK_OK) {
        /* one visit at a time: finish, no-show or transfer the one at the
         * counter first (two clerks' clicks cannot stack two customers) */
        row_t cur;
        hk_err_t crc = load_by(q, S_CURRENT, c->id, NULL, &cur);
        if(crc == HK_OK)
            rc = HK_ERR_CONFLICT;
        else if(crc != HK_ERR_NOT_FOUND)
            rc = crc;
    }
    if(rc == HK_OK && ticket_id < 0)
        rc = pick_next(q, c, day, now_ms, &ticket_id);
    if(rc == HK_OK)
        rc = load(q, ticket_id, &r);
    if(rc == HK_OK && (r.t.state != TICKET_WAITING || strcmp(r.t.day, day) != 0))
        rc = HK_ERR_INVALID;
    if(rc == HK_OK)
        rc = call_row(q, c, staff, &r, now_ms);
    if(rc == HK_ERR_NOT_FOUND) {
        /* Nobody (or no such ticket) waits, but keep the rollover sweep. */
        rc = store_end(q->store, HK_OK);
        if(rc == HK_OK && swept && outer)
            memcpy(q->swept_day, day, sizeof(day));
        return rc == HK_OK ? HK_ERR_NOT_FOUND : rc;
    }
    rc = store_end(q->store, rc);
    if(rc != HK_OK)
        return rc;
    if(swept && outer)
        memcpy(q->swept_day, day, sizeof(day));
    *out = r.t;
    return HK_OK;
}

/* The call-next policy (see queue.h); HK_ERR_NOT_FOUND when nobody waits.
 * Only the head of each of the counter's services' lines can win (equal
 * rank means the same service, and then the oldest), and the oldest ticket
 * of them all is that of the oldest head, so one indexed read per service
 * decides, however long the lines are. */
static hk_err_t pick_next(queue_t *q, const config_counter_t *c, const char *day, int64_t now_ms,
                          int64_t *id_out)
{
    sqlite3_stmt *st = NULL;
    int64_t best_id = -1, oldest_id = -1, oldest_ms = 0;
    int best_prio = -1, pos, src;
    hk_err_t rc;

    for(pos = 0; pos < c->n_services; pos++) {
        const config_service_t *svc = &q->cfg.services[c->services[pos]];
        int64_t id, issued;
        rc = stmt(q, S_WAITING_LIST, &st);
        if(rc != HK_OK)
            return rc;
        (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
        (void)sqlite3_bind_text(st, 2, svc->id, -1, SQLITE_STATIC);
        src = sqlite3_step(st);
        id = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        issued = src == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
        store_stmt_done(st);
        if(src != SQLITE_ROW && src != SQLITE_DONE)
            return fail(q, "waiting list", src);
        if(id < 0)
            continue;
        /* the counter's own order breaks a priority tie: first pos wins */
        if(best_id < 0 || svc->priority > best_prio) {
            best_id = id;
            best_prio = svc->priority;
        }
        if(oldest_id < 0 || issued < oldest_ms || (issued == oldest_ms && id < oldest_id)) {
            oldest_id = id;
            oldest_ms = issued;
        }
    }
    /* The pass-over bound beats priority: oldest overdue ticket first. */
    if(oldest_id >= 0 && q->cfg.max_pass_over_s > 0 &&
       now_ms - oldest_ms > (int64_t)q->cfg.max_pass_over_s * 1000)
        best_id = oldest_id;
    if(best_id < 0)
        return HK_ERR_NOT_FOUND;
    *id_out = best_id;
    return HK_OK;
}

/* One state change and its event in one transaction; from_mask holds the
 * allowed states. */
static hk_err_t move(queue_t *q, int64_t ticket_id, int64_t now_ms, unsigned from_mask,
                     ticket_state_t to, journal_type_t ev)
{
    char counter[CONFIG_ID_LEN];
    journal_body_t body;
    ticket_state_t from;
    row_t r;
    hk_err_t rc;

    if(!q)
        return HK_ERR_INVALID;
    rc = store_begin(q->store);
    if(rc != HK_OK)
        return rc;
    rc = load(q, ticket_id, &r);
    if(rc != HK_OK)
        goto out;
    if(!(from_mask & BIT(r.t.state))) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    from = r.t.state;
    memcpy(counter, r.t.counter_id, sizeof(counter));
    switch(to) {
    case TICKET_CALLED: /* recall */ r.t.recalls++; break;
    case TICKET_SERVING: r.t.serving_ms = now_ms; break;
    case TICKET_DONE:
        rc = feed_mean(q, &r.t, now_ms);
        r.t.finished_ms = now_ms;
        break;
    case TICKET_WAITING: /* no-show put back: in line again, not called */
        r.t.called_ms = 0;
        r.t.counter_id[0] = '\0';
        r.t.staff_id[0] = '\0';
        break;
    case TICKET_NO_SHOW:
    case TICKET_CANCELLED:
    case TICKET_TRANSFERRED: r.t.finished_ms = now_ms; break;
    }
    if(rc != HK_OK)
        goto out;
    r.t.state = to;
    rc = store_row(q, &r.t);
    if(rc != HK_OK)
        goto out;
    body_ticket(&body, &r.t, from, counter);
    if(ev == JOURNAL_TICKET_RECALLED)
        journal_body_int(&body, "recalls", r.t.recalls);
    if(ev == JOURNAL_TICKET_NO_SHOW)
        journal_body_bool(&body, "put_back", to == TICKET_WAITING);
    rc = emit(q, ev, &body, now_ms);
out:
    return store_end(q->store, rc);
}

/* One integer from a cached statement bound to one text parameter. */
static hk_err_t count_by_text(queue_t *q, stmt_id_t id, const char *arg, const char *what, int *out)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int n = 0;

    if(!q || !arg || !out)
        return HK_ERR_INVALID;
    rc = stmt(q, id, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    rc = query_int(q, st, what, &n);
    if(rc != HK_OK)
        return rc;
    *out = n;
    return HK_OK;
}
