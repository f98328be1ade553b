/*
 * queue: the branch queue authority over the store. It issues numbers from
 * the per-day ledger, quotes and later measures wait estimates, picks the
 * next ticket for a counter and moves tickets through their states. Every
 * state change is one BEGIN IMMEDIATE transaction committed before the call
 * returns. It does not print, announce or talk to the network; it reads no
 * clock (now_ms is an argument) and holds no state that is not also in the
 * database, apart from cached statements and the config copy.
 *
 * Design notes
 * ------------
 * Ticket states (ticket_state_t) and the calls that move them:
 *
 *   (new) --queue_take_number--> WAITING
 *   WAITING --queue_call_next--> CALLED
 *   WAITING --queue_cancel--> CANCELLED
 *   WAITING/CALLED/SERVING --(first state change of a new business day)-->
 *       CANCELLED   (day rollover: yesterday's queue is not called today)
 *   CALLED --queue_recall--> CALLED (recalls + 1)
 *   CALLED --queue_start_serving--> SERVING
 *   CALLED/SERVING --queue_finish--> DONE      (feeds the service-time mean)
 *   CALLED --queue_no_show--> NO_SHOW
 *   CALLED/SERVING --queue_transfer--> TRANSFERRED, plus a new WAITING row
 *       with the same day/number and the original issued_ms
 *
 * Numbering: the business day is the local date at utc_offset_min
 * (config_local_time). numbers(day, prefix, seq) is the ledger: the next
 * seq is MAX(seq)+1 for that day and prefix, inserted in the same
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
 * counter_state is open (a counter without a row is open). No open counter
 * gives -1. The quote is stored on the ticket; queue_estimate_error()
 * compares it with called_ms - issued_ms.
 *
 * Invariants:
 *   - a number (day, prefix, seq) is in the ledger at most once, and every
 *     ticket row's number is in the ledger (foreign key);
 *   - per day and number, at most one row is not TRANSFERRED;
 *   - a call returning HK_OK has committed; any other result has rolled
 *     back, and *out is untouched.
 */
#include "queue.h"

#include <stdio.h>
#include <string.h>

#include "hk_mem.h"

#define QUEUE_EWMA_ALPHA 0.2
#define QUEUE_MAX_SEQ    999
/* A duration longer than this is a counter left open, not a service. */
#define QUEUE_MAX_SERVICE_S (4 * 3600)

#define TICKET_COLS                                                          \
    "id, day, number, service_id, state, issued_ms, called_ms, serving_ms, " \
    "finished_ms, counter_id, ahead_quoted, est_wait_s_quoted, recalls, "    \
    "prefix, seq"

typedef enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_EXPIRE,
    S_MAX_SEQ,
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
    S_UPDATE,
    S_ISSUED,
    S_EST_ERR,
    S_COUNT
} stmt_id_t;

struct queue {
    store_t *store;
    sqlite3 *db;
    config_t cfg;
    sqlite3_stmt *st[S_COUNT];
    char swept_day[11]; /* day whose rollover sweep has committed */
};

/* Row with the number parts the ticket_t does not carry. */
typedef struct row {
    ticket_t t;
    char prefix[2];
    int seq;
} row_t;

/* Static prototypes -------------------------------------------------------*/
static hk_err_t sq_fail(queue_t *q, const char *what, int src);
static hk_err_t stmt(queue_t *q, stmt_id_t id, sqlite3_stmt **out);
static void stmt_done(sqlite3_stmt *st);
static hk_err_t run(queue_t *q, stmt_id_t id);
static hk_err_t tx_begin(queue_t *q);
static hk_err_t tx_end(queue_t *q, hk_err_t rc);
static hk_err_t rollover(queue_t *q, const char *day, int64_t now_ms, bool *swept);
static hk_err_t count_by_text(queue_t *q, stmt_id_t id, const char *arg, const char *what,
                              int *out);
static hk_err_t query_int(queue_t *q, sqlite3_stmt *st, const char *what, int *out);
static hk_err_t waiting_today(queue_t *q, const char *service_id, const char *day, int *out);
static hk_err_t mean_s(queue_t *q, int svc_idx, double *out);
static hk_err_t counter_open(queue_t *q, const char *counter_id, bool *out);
static hk_err_t estimate_in(queue_t *q, int svc_idx, const char *day, int *ahead_out,
                            int *wait_out);
static void copy_text(char *dst, size_t cap, const unsigned char *src);
static void read_row(sqlite3_stmt *st, row_t *r);
static hk_err_t load(queue_t *q, int64_t ticket_id, row_t *r);
static hk_err_t store_row(queue_t *q, const ticket_t *t);
static hk_err_t feed_mean(queue_t *q, const ticket_t *t, int64_t now_ms);
static hk_err_t move(queue_t *q, int64_t ticket_id, int64_t now_ms, unsigned from_mask,
                     ticket_state_t to);

/* Static data -------------------------------------------------------------*/
static const char *const sql_text[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_EXPIRE] = "UPDATE tickets SET state = 5, finished_ms = ?1"
                 " WHERE state IN (0, 1, 2) AND day < ?2",
    [S_MAX_SEQ] = "SELECT COALESCE(MAX(seq), 0) FROM numbers"
                  " WHERE day = ?1 AND prefix = ?2",
    [S_INS_NUMBER] = "INSERT INTO numbers(day, prefix, seq, issued_ms)"
                     " VALUES(?1, ?2, ?3, ?4)",
    [S_INS_TICKET] = "INSERT INTO tickets(day, prefix, seq, number,"
                     " service_id, state, issued_ms, ahead_quoted,"
                     " est_wait_s_quoted, prev_id)"
                     " VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9)",
    [S_WAITING_DAY] = "SELECT COUNT(*) FROM tickets"
                      " WHERE state = 0 AND service_id = ?1 AND day = ?2",
    [S_WAITING_ALL] = "SELECT COUNT(*) FROM tickets"
                      " WHERE state = 0 AND service_id = ?1",
    [S_WAITING_LIST] = "SELECT id, service_id, issued_ms FROM tickets"
                       " WHERE state = 0 AND day = ?1 ORDER BY issued_ms, id",
    [S_MEAN] = "SELECT mean_s FROM service_stats WHERE service_id = ?1",
    [S_STATS_UPSERT] = "INSERT INTO service_stats(service_id, mean_s, n,"
                       " updated_ms) VALUES(?1, ?2, 1, ?3)"
                       " ON CONFLICT(service_id) DO UPDATE SET"
                       " mean_s = excluded.mean_s, n = n + 1,"
                       " updated_ms = excluded.updated_ms",
    [S_COUNTER_GET] = "SELECT open FROM counter_state WHERE counter_id = ?1",
    [S_COUNTER_SET] = "INSERT INTO counter_state(counter_id, open, updated_ms)"
                      " VALUES(?1, ?2, ?3) ON CONFLICT(counter_id) DO UPDATE"
                      " SET open = excluded.open,"
                      " updated_ms = excluded.updated_ms",
    [S_GET] = "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1",
    [S_FIND] = "SELECT " TICKET_COLS " FROM tickets WHERE day = ?1 AND"
               " number = ?2 AND state <> 6 ORDER BY id DESC LIMIT 1",
    [S_UPDATE] = "UPDATE tickets SET state = ?2, called_ms = ?3,"
                 " serving_ms = ?4, finished_ms = ?5, counter_id = ?6,"
                 " recalls = ?7 WHERE id = ?1",
    [S_ISSUED] = "SELECT COUNT(*) FROM numbers WHERE day = ?1",
    [S_EST_ERR] = "SELECT est_wait_s_quoted, called_ms - issued_ms"
                  " FROM tickets WHERE day = ?1 AND est_wait_s_quoted >= 0"
                  " AND called_ms > 0",
};

static const char *const state_names[] = { "waiting", "called",    "serving",    "done",
                                           "no_show", "cancelled", "transferred" };

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
    q = hk_calloc(1, sizeof(*q));
    if(!q)
        return HK_ERR_NOMEM;
    q->store = store;
    q->db = store_db(store);
    q->cfg = *cfg;
    *out = q;
    return HK_OK;
}

void queue_destroy(queue_t *q)
{
    int i;

    if(!q)
        return;
    for(i = 0; i < S_COUNT; i++)
        (void)sqlite3_finalize(q->st[i]); /* reports the last step's error */
    hk_free(q);
}

void queue_set_config(queue_t *q, const config_t *cfg)
{
    if(q && cfg)
        q->cfg = *cfg;
}

const char *queue_state_str(ticket_state_t st)
{
    if((int)st < 0 || (int)st >= (int)(sizeof(state_names) / sizeof(state_names[0])))
        return "unknown";
    return state_names[st];
}

hk_err_t queue_take_number(queue_t *q, const char *service_id, int64_t now_ms, ticket_t *out)
{
    const config_service_t *svc;
    sqlite3_stmt *st = NULL;
    char day[11], prefix[2], number[8];
    int idx, seq = 0, ahead = 0, wait_s = -1, src;
    int64_t id = 0;
    bool swept = false;
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

    rc = tx_begin(q);
    if(rc != HK_OK)
        return rc;
    rc = rollover(q, day, now_ms, &swept);
    if(rc != HK_OK)
        goto out;

    rc = stmt(q, S_MAX_SEQ, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    rc = query_int(q, st, "next number", &seq);
    if(rc != HK_OK)
        goto out;
    seq++;
    if(seq > QUEUE_MAX_SEQ) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    (void)snprintf(number, sizeof(number), "%c%03d", svc->prefix, seq % 1000);

    /* Quote before inserting: the new ticket is not ahead of itself. */
    rc = estimate_in(q, idx, day, &ahead, &wait_s);
    if(rc != HK_OK)
        goto out;

    rc = stmt(q, S_INS_NUMBER, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, seq);
    (void)sqlite3_bind_int64(st, 4, now_ms);
    src = sqlite3_step(st);
    stmt_done(st);
    if(src != SQLITE_DONE) {
        rc = sq_fail(q, "ledger insert", src);
        goto out;
    }

    rc = stmt(q, S_INS_TICKET, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, seq);
    (void)sqlite3_bind_text(st, 4, number, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 5, svc->id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 6, now_ms);
    (void)sqlite3_bind_int(st, 7, ahead);
    (void)sqlite3_bind_int(st, 8, wait_s);
    (void)sqlite3_bind_null(st, 9);
    src = sqlite3_step(st);
    stmt_done(st);
    if(src != SQLITE_DONE) {
        rc = sq_fail(q, "ticket insert", src);
        goto out;
    }
    id = sqlite3_last_insert_rowid(q->db);
out:
    rc = tx_end(q, rc);
    if(rc != HK_OK)
        return rc;
    if(swept)
        memcpy(q->swept_day, day, sizeof(day));
    memset(out, 0, sizeof(*out));
    out->id = id;
    memcpy(out->day, day, sizeof(day));
    memcpy(out->number, number, sizeof(number));
    memcpy(out->service_id, svc->id, sizeof(out->service_id));
    out->state = TICKET_WAITING;
    out->issued_ms = now_ms;
    out->ahead_quoted = ahead;
    out->est_wait_s_quoted = wait_s;
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
    const config_counter_t *c;
    sqlite3_stmt *st = NULL;
    char day[11];
    int64_t best_id = -1, overdue_id = -1;
    int best_prio = -1, best_pos = 0;
    int cidx, src;
    bool swept = false;
    row_t r;
    hk_err_t rc;

    if(!q || !counter_id || !out)
        return HK_ERR_INVALID;
    cidx = config_counter_index(&q->cfg, counter_id);
    if(cidx < 0)
        return HK_ERR_NOT_FOUND;
    c = &q->cfg.counters[cidx];
    config_local_time(&q->cfg, now_ms, day, NULL, NULL);

    rc = tx_begin(q);
    if(rc != HK_OK)
        return rc;
    rc = rollover(q, day, now_ms, &swept);
    if(rc != HK_OK)
        goto out;
    rc = stmt(q, S_WAITING_LIST, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    /* Rows come oldest first, so the first match of equal rank wins. */
    while((src = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *sid = sqlite3_column_text(st, 1);
        int64_t issued = sqlite3_column_int64(st, 2);
        int sidx = config_service_index(&q->cfg, sid ? (const char *)sid : "");
        int pos, prio;

        if(sidx < 0)
            continue; /* service removed from the config: nobody calls it */
        for(pos = 0; pos < c->n_services; pos++)
            if(c->services[pos] == sidx)
                break;
        if(pos == c->n_services)
            continue; /* not this counter's service */
        if(q->cfg.max_pass_over_s > 0 && overdue_id < 0 &&
           now_ms - issued > (int64_t)q->cfg.max_pass_over_s * 1000)
            overdue_id = sqlite3_column_int64(st, 0);
        prio = q->cfg.services[sidx].priority;
        if(best_id < 0 || prio > best_prio || (prio == best_prio && pos < best_pos)) {
            best_id = sqlite3_column_int64(st, 0);
            best_prio = prio;
            best_pos = pos;
        }
    }
    stmt_done(st);
    if(src != SQLITE_DONE) {
        rc = sq_fail(q, "waiting list", src);
        goto out;
    }
    /* The pass-over bound beats priority: oldest overdue ticket first. */
    if(overdue_id >= 0)
        best_id = overdue_id;
    if(best_id < 0) {
        rc = HK_ERR_NOT_FOUND;
        goto out;
    }
    rc = load(q, best_id, &r);
    if(rc != HK_OK)
        goto out;
    r.t.state = TICKET_CALLED;
    r.t.called_ms = now_ms;
    memcpy(r.t.counter_id, c->id, sizeof(r.t.counter_id));
    rc = store_row(q, &r.t);
out:
    if(rc == HK_ERR_NOT_FOUND) {
        /* Nobody waits, but keep the rollover sweep if there was one. */
        rc = tx_end(q, HK_OK);
        if(rc == HK_OK && swept)
            memcpy(q->swept_day, day, sizeof(day));
        return rc == HK_OK ? HK_ERR_NOT_FOUND : rc;
    }
    rc = tx_end(q, rc);
    if(rc != HK_OK)
        return rc;
    if(swept)
        memcpy(q->swept_day, day, sizeof(day));
    *out = r.t;
    return HK_OK;
}

hk_err_t queue_start_serving(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, 1u << TICKET_CALLED, TICKET_SERVING);
}

hk_err_t queue_finish(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, (1u << TICKET_CALLED) | (1u << TICKET_SERVING), TICKET_DONE);
}

hk_err_t queue_no_show(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, 1u << TICKET_CALLED, TICKET_NO_SHOW);
}

hk_err_t queue_recall(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, 1u << TICKET_CALLED, TICKET_CALLED);
}

hk_err_t queue_cancel(queue_t *q, int64_t ticket_id, int64_t now_ms)
{
    return move(q, ticket_id, now_ms, 1u << TICKET_WAITING, TICKET_CANCELLED);
}

hk_err_t queue_transfer(queue_t *q, int64_t ticket_id, const char *to_service_id, int64_t now_ms,
                        ticket_t *out)
{
    sqlite3_stmt *st = NULL;
    row_t r;
    ticket_t nt;
    int to_idx, src;
    hk_err_t rc;

    if(!q || !to_service_id || !out)
        return HK_ERR_INVALID;
    to_idx = config_service_index(&q->cfg, to_service_id);
    if(to_idx < 0)
        return HK_ERR_NOT_FOUND;

    rc = tx_begin(q);
    if(rc != HK_OK)
        return rc;
    rc = load(q, ticket_id, &r);
    if(rc != HK_OK)
        goto out;
    if((r.t.state != TICKET_CALLED && r.t.state != TICKET_SERVING) ||
       strcmp(r.t.service_id, to_service_id) == 0) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    nt = r.t;
    r.t.state = TICKET_TRANSFERRED;
    r.t.finished_ms = now_ms;
    rc = store_row(q, &r.t);
    if(rc != HK_OK)
        goto out;

    /* Same ledger entry, new row: the number is not issued again. */
    rc = stmt(q, S_INS_TICKET, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, r.t.day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, r.prefix, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, r.seq);
    (void)sqlite3_bind_text(st, 4, r.t.number, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 5, q->cfg.services[to_idx].id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 6, r.t.issued_ms);
    (void)sqlite3_bind_int(st, 7, 0);
    (void)sqlite3_bind_int(st, 8, -1); /* nothing was quoted for this leg */
    (void)sqlite3_bind_int64(st, 9, r.t.id);
    src = sqlite3_step(st);
    stmt_done(st);
    if(src != SQLITE_DONE) {
        rc = sq_fail(q, "transfer insert", src);
        goto out;
    }
    nt.id = sqlite3_last_insert_rowid(q->db);
    memcpy(nt.service_id, q->cfg.services[to_idx].id, sizeof(nt.service_id));
    nt.state = TICKET_WAITING;
    nt.called_ms = 0;
    nt.serving_ms = 0;
    nt.finished_ms = 0;
    nt.counter_id[0] = '\0';
    nt.ahead_quoted = 0;
    nt.est_wait_s_quoted = -1;
    nt.recalls = 0;
out:
    rc = tx_end(q, rc);
    if(rc != HK_OK)
        return rc;
    *out = nt;
    return HK_OK;
}

hk_err_t queue_counter_set_open(queue_t *q, const char *counter_id, bool open, int64_t now_ms)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    if(!q || !counter_id)
        return HK_ERR_INVALID;
    if(config_counter_index(&q->cfg, counter_id) < 0)
        return HK_ERR_NOT_FOUND;
    rc = stmt(q, S_COUNTER_SET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, counter_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 2, open ? 1 : 0);
    (void)sqlite3_bind_int64(st, 3, now_ms);
    src = sqlite3_step(st); /* one autocommit statement: durable on DONE */
    stmt_done(st);
    if(src != SQLITE_DONE)
        return sq_fail(q, "counter state", src);
    return HK_OK;
}

hk_err_t queue_counter_is_open(queue_t *q, const char *counter_id, bool *out)
{
    bool open = true;
    hk_err_t rc;

    if(!q || !counter_id || !out)
        return HK_ERR_INVALID;
    if(config_counter_index(&q->cfg, counter_id) < 0)
        return HK_ERR_NOT_FOUND;
    rc = counter_open(q, counter_id, &open);
    if(rc != HK_OK)
        return rc;
    *out = open;
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
    sqlite3_stmt *st = NULL;
    row_t r;
    hk_err_t rc;
    int src;

    if(!q || !day || !number || !out)
        return HK_ERR_INVALID;
    rc = stmt(q, S_FIND, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        read_row(st, &r);
    stmt_done(st);
    if(src == SQLITE_DONE)
        return HK_ERR_NOT_FOUND;
    if(src != SQLITE_ROW)
        return sq_fail(q, "find ticket", src);
    *out = r.t;
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
    stmt_done(st);
    if(src != SQLITE_DONE)
        return sq_fail(q, "estimate error", src);
    if(n_out)
        *n_out = n;
    if(mean_abs_err_s_out)
        *mean_abs_err_s_out = n ? sum / n : 0.0;
    return HK_OK;
}

/* Static functions --------------------------------------------------------*/

/* The one place SQLite results become hk_err_t in this module. */
static hk_err_t sq_fail(queue_t *q, const char *what, int src)
{
    if((src & 0xff) != SQLITE_NOMEM)
        fprintf(stderr, "queue: %s: %s (%d)\n", what, sqlite3_errmsg(q->db), src);
    if(src == SQLITE_ROW || src == SQLITE_DONE)
        return HK_ERR_CORRUPT; /* a statement gave the wrong shape */
    return store_err(src);
}

static hk_err_t stmt(queue_t *q, stmt_id_t id, sqlite3_stmt **out)
{
    int src;

    if(!q->st[id]) {
        src = sqlite3_prepare_v3(q->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &q->st[id],
                                 NULL);
        if(src != SQLITE_OK) {
            q->st[id] = NULL;
            return sq_fail(q, "prepare", src);
        }
    }
    *out = q->st[id];
    return HK_OK;
}

/* Reset after every use: a SELECT left mid-way would pin a WAL snapshot. */
static void stmt_done(sqlite3_stmt *st)
{
    (void)sqlite3_reset(st);          /* repeats step's error, already seen */
    (void)sqlite3_clear_bindings(st); /* cannot fail */
}

static hk_err_t run(queue_t *q, stmt_id_t id)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    rc = stmt(q, id, &st);
    if(rc != HK_OK)
        return rc;
    src = sqlite3_step(st);
    stmt_done(st);
    if(src != SQLITE_DONE)
        return sq_fail(q, sql_text[id], src);
    return HK_OK;
}

static hk_err_t tx_begin(queue_t *q)
{
    return run(q, S_BEGIN);
}

/* Commit on success, roll back otherwise; returns the final result. */
static hk_err_t tx_end(queue_t *q, hk_err_t rc)
{
    if(rc == HK_OK) {
        rc = run(q, S_COMMIT);
        if(rc == HK_OK)
            return HK_OK;
    }
    if(!sqlite3_get_autocommit(q->db)) {
        /* SQLite may have rolled back by itself already (e.g. on NOMEM
         * inside COMMIT); only roll back a transaction still open. Use a
         * plain exec so a missing prepared statement cannot stop it. */
        if(sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
            fprintf(stderr, "queue: rollback: %s\n", sqlite3_errmsg(q->db));
    }
    return rc;
}

static hk_err_t rollover(queue_t *q, const char *day, int64_t now_ms, bool *swept)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    if(strcmp(q->swept_day, day) == 0)
        return HK_OK;
    rc = stmt(q, S_EXPIRE, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, now_ms);
    (void)sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    stmt_done(st);
    if(src != SQLITE_DONE)
        return sq_fail(q, "day rollover", src);
    *swept = true;
    return HK_OK;
}

static hk_err_t query_int(queue_t *q, sqlite3_stmt *st, const char *what, int *out)
{
    int src = sqlite3_step(st);
    int v = 0;

    if(src == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    stmt_done(st);
    if(src != SQLITE_ROW)
        return sq_fail(q, what, src);
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
    stmt_done(st);
    if(src != SQLITE_ROW && src != SQLITE_DONE)
        return sq_fail(q, "service mean", src);
    *out = m;
    return HK_OK;
}

static hk_err_t counter_open(queue_t *q, const char *counter_id, bool *out)
{
    sqlite3_stmt *st = NULL;
    bool open = true; /* a counter never switched is open */
    hk_err_t rc;
    int src;

    rc = stmt(q, S_COUNTER_GET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, counter_id, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        open = sqlite3_column_int(st, 0) != 0;
    stmt_done(st);
    if(src != SQLITE_ROW && src != SQLITE_DONE)
        return sq_fail(q, "counter state", src);
    *out = open;
    return HK_OK;
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
                bool open = true;
                rc = counter_open(q, c->id, &open);
                if(rc != HK_OK)
                    return rc;
                n_open += open ? 1 : 0;
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
    r->t.state = (state >= TICKET_WAITING && state <= TICKET_TRANSFERRED) ? (ticket_state_t)state
                                                                          : TICKET_CANCELLED;
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
}

static hk_err_t load(queue_t *q, int64_t ticket_id, row_t *r)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    rc = stmt(q, S_GET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, ticket_id);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        read_row(st, r);
    stmt_done(st);
    if(src == SQLITE_DONE)
        return HK_ERR_NOT_FOUND;
    if(src != SQLITE_ROW)
        return sq_fail(q, "load ticket", src);
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
    src = sqlite3_step(st);
    stmt_done(st);
    if(src != SQLITE_DONE)
        return sq_fail(q, "update ticket", src);
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
    stmt_done(st);
    if(src != SQLITE_DONE)
        return sq_fail(q, "service stats", src);
    return HK_OK;
}

/* One state change in one transaction; from_mask holds the allowed states. */
static hk_err_t move(queue_t *q, int64_t ticket_id, int64_t now_ms, unsigned from_mask,
                     ticket_state_t to)
{
    row_t r;
    hk_err_t rc;

    if(!q)
        return HK_ERR_INVALID;
    rc = tx_begin(q);
    if(rc != HK_OK)
        return rc;
    rc = load(q, ticket_id, &r);
    if(rc != HK_OK)
        goto out;
    if(!(from_mask & (1u << r.t.state))) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    switch(to) {
    case TICKET_CALLED: /* recall */ r.t.recalls++; break;
    case TICKET_SERVING: r.t.serving_ms = now_ms; break;
    case TICKET_DONE:
        rc = feed_mean(q, &r.t, now_ms);
        r.t.finished_ms = now_ms;
        break;
    case TICKET_WAITING:
    case TICKET_NO_SHOW:
    case TICKET_CANCELLED:
    case TICKET_TRANSFERRED: r.t.finished_ms = now_ms; break;
    }
    if(rc != HK_OK)
        goto out;
    r.t.state = to;
    rc = store_row(q, &r.t);
out:
    return tx_end(q, rc);
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
