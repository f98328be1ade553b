/*
 * rating: the outcome of each finished visit, over the store's ratings
 * table. It checks the rules a rating pad enforces (finished visits only,
 * the counter window, same-day rating at the kiosk, one vote per visit,
 * repeated presses), records votes and not-rated outcomes with their
 * journal events in one transaction, and flags low ratings for follow-up.
 * It does not draw faces or chips, does not talk to head office (the sync
 * client reads the journal), reads no clock (now_ms is an argument) and
 * changes no ticket: a rating is about a visit the queue has finished.
 *
 * Design notes
 * ------------
 * A visit is a ticket row in state DONE (queue.h); a transferred visit is
 * rated on the row it finished on, the one its number now names. Its
 * outcome is at most one ratings row (PRIMARY KEY ticket_id), so "one vote
 * per visit" is the schema's rule as well as this module's. Outcomes and
 * the calls that make them, with the journal event each writes:
 *
 *   (no row) --rating_rate(COUNTER), now <= finished + window--> RATED
 *                                                       visit.rated
 *   (no row) --rating_rate(KIOSK), a visit of today--> RATED  visit.rated
 *   (no row) --rating_expire, now > finished + window--> NOT_RATED
 *                                                   visit.not_rated
 *   NOT_RATED --rating_rate(KIOSK), a visit of today--> RATED visit.rated
 *       (the customer rates later at the kiosk: the counter window's
 *       timeout is not a vote; the row changes once, level 0 -> vote)
 *   RATED --rating_rate(same vote)--> RATED, nothing written (repeated
 *       press: returns the stored record, also after the window)
 *   RATED --rating_rate(other vote)--> refused HK_ERR_BUSY, unchanged
 * Everything else is refused with HK_ERR_INVALID and writes nothing: a
 * ticket not DONE, the counter after its window (or after the sweep marked
 * the visit), the kiosk for a visit of another day. rating_status() tells
 * a screen which of these applies before the customer taps a face.
 *
 * Timeout: a sweep, not a per-visit timer call. rating_expire() marks every
 * unrated DONE visit of today or yesterday whose counter window has passed,
 * so a pad that crashed or lost power mid-window still leaves a recorded
 * outcome; the hub runs it on a timer (branch_expire_ratings). The sweep
 * looks back one business day only, so opening an old file does not turn
 * its history into a burst of events; a visit the sweep never reached (the
 * hub was off from its finish until the next day ended) keeps no row,
 * which readers count as not rated too. The window is a parameter
 * (RATING_WINDOW_S_DEFAULT until config carries it); the counter's rule
 * (now <= finished + window) and the sweep's (finished + window < now) are
 * exact complements, so no vote races the sweep into two outcomes.
 *
 * Follow-up: levels 1..2 (不满意, 非常不满意) set ratings.follow_up and the
 * event's follow_up; head office takes them from the journal (sync issue).
 * The CHECKs make follow_up = (level IN (1, 2)) and the chip rules hold
 * for every row, whoever writes it.
 *
 * Invariants:
 *   - at most one ratings row per ticket, and only for a DONE ticket;
 *   - a row with level 1..5 has exactly one visit.rated event, a row with
 *     level 0 exactly one visit.not_rated and none visit.rated; every
 *     visit.* event names a row;
 *   - a call returning HK_OK has committed (or will with the caller's
 *     transaction); any other result has rolled back, *out untouched.
 */
#include "rating.h"

#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "queue.h"
#include "store_private.h"

#define LOG_MOD "rating"
#define DAY_MS  86400000LL

#define VISIT_COLS "id, day, number, service_id, state, finished_ms, counter_id, staff_id"
#define RATING_COLS                                                           \
    "ticket_id, day, number, service_id, counter_id, staff_id, finished_ms, " \
    "level, reasons, praise, source, rated_ms, follow_up"

typedef enum stmt_id {
    S_VISIT,
    S_FIND,
    S_GET,
    S_PUT,
    S_EXPIRE_NEXT,
    S_FOLLOW_UPS,
    S_COUNT
} stmt_id_t;

struct rating {
    store_t *store;
    config_t cfg;
};

/* A visit as rating sees it: the record (its stored row, or the ticket's
 * details) and the ticket's state. */
typedef struct visit {
    rating_record_t rec;
    ticket_state_t state;
    bool has_row;
} visit_t;

/* Static prototypes -------------------------------------------------------*/
static hk_err_t stmt(rating_t *r, stmt_id_t id, sqlite3_stmt **out);
static hk_err_t fail(rating_t *r, const char *what, int src);
static bool vote_ok(const rating_vote_t *v);
static bool same_vote(const rating_record_t *rec, const rating_vote_t *v);
static hk_err_t lookup(rating_t *r, int64_t ticket_id, visit_t *v);
static hk_err_t first_row(rating_t *r, sqlite3_stmt *st, const char *what,
                          void (*read)(sqlite3_stmt *, void *), void *out);
static void read_visit(sqlite3_stmt *st, void *out);
static void read_row(sqlite3_stmt *st, void *out);
static rating_status_t judge(rating_t *r, const visit_t *v, rating_source_t source, int window_s,
                             int64_t now_ms);
static hk_err_t put_row(rating_t *r, const rating_record_t *rec);
static hk_err_t emit(rating_t *r, journal_type_t type, const rating_record_t *rec, int64_t now_ms);
static void copy_text(char *dst, size_t cap, const unsigned char *src);

/* Static data -------------------------------------------------------------*/

static const char *const level_names[RATING_LEVEL_COUNT] = {
    [RATING_NOT_RATED] = "not_rated",       [RATING_VERY_DISSATISFIED] = "very_dissatisfied",
    [RATING_DISSATISFIED] = "dissatisfied", [RATING_BASIC] = "basic",
    [RATING_SATISFIED] = "satisfied",       [RATING_VERY_SATISFIED] = "very_satisfied",
};

static const char *const source_names[RATING_SOURCE_COUNT] = {
    [RATING_SOURCE_COUNTER] = "counter",
    [RATING_SOURCE_KIOSK] = "kiosk",
};

static const char *const status_names[] = {
    [RATING_STATUS_OPEN] = "open",
    [RATING_STATUS_RATED] = "rated",
    [RATING_STATUS_NOT_FINISHED] = "not_finished",
    [RATING_STATUS_CLOSED] = "closed",
};

/* Static strings: the store's statement cache keys on these pointers. The
 * ticket states are bound as parameters, from queue.h's enum. */
static const char *const sql[S_COUNT] = {
    [S_VISIT] = "SELECT " VISIT_COLS " FROM tickets WHERE id = ?1",
    [S_FIND] = "SELECT " VISIT_COLS " FROM tickets WHERE day = ?1 AND number = ?2"
               " AND state <> ?3 ORDER BY id DESC LIMIT 1",
    [S_GET] = "SELECT " RATING_COLS " FROM ratings WHERE ticket_id = ?1",
    /* Insert, or turn a not-rated row into a vote; a voted row is never
     * overwritten (the WHERE makes that a no-op the caller detects). */
    [S_PUT] = "INSERT INTO ratings(" RATING_COLS ")"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
              " ON CONFLICT(ticket_id) DO UPDATE SET level = excluded.level,"
              " reasons = excluded.reasons, praise = excluded.praise,"
              " source = excluded.source, rated_ms = excluded.rated_ms,"
              " follow_up = excluded.follow_up WHERE level = 0",
    [S_EXPIRE_NEXT] = "SELECT " VISIT_COLS " FROM tickets t WHERE t.state = ?3"
                      " AND t.day >= ?1 AND t.finished_ms < ?2 AND NOT EXISTS"
                      " (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id)"
                      " ORDER BY t.finished_ms, t.id LIMIT 1",
    [S_FOLLOW_UPS] = "SELECT COUNT(*) FROM ratings WHERE day = ?1 AND follow_up = 1",
};

/* Public functions --------------------------------------------------------*/

hk_err_t rating_open(store_t *store, const config_t *cfg, rating_t **out)
{
    rating_t *r;

    if(out)
        *out = NULL;
    if(!store || !cfg || !out || !store_db(store))
        return HK_ERR_INVALID;
    if(store_schema_version(store) != store_schema_latest())
        return HK_ERR_INVALID; /* no ratings table before v4 */
    r = hk_calloc(1, sizeof(*r));
    if(!r)
        return HK_ERR_NOMEM;
    r->store = store;
    r->cfg = *cfg;
    *out = r;
    return HK_OK;
}

void rating_destroy(rating_t *r)
{
    hk_free(r); /* statements belong to the store's cache */
}

void rating_set_config(rating_t *r, const config_t *cfg)
{
    if(r && cfg)
        r->cfg = *cfg;
}

const char *rating_level_str(rating_level_t level)
{
    if((int)level < 0 || (int)level >= RATING_LEVEL_COUNT)
        return "unknown";
    return level_names[level];
}

const char *rating_source_str(rating_source_t source)
{
    if((int)source < 0 || (int)source >= RATING_SOURCE_COUNT)
        return "unknown";
    return source_names[source];
}

const char *rating_status_str(rating_status_t status)
{
    if((int)status < 0 || (size_t)status >= sizeof(status_names) / sizeof(status_names[0]))
        return "unknown";
    return status_names[status];
}

bool rating_level_needs_follow_up(rating_level_t level)
{
    return level == RATING_VERY_DISSATISFIED || level == RATING_DISSATISFIED;
}

hk_err_t rating_rate(rating_t *r, int64_t ticket_id, const rating_vote_t *vote,
                     rating_source_t source, int window_s, int64_t now_ms, rating_record_t *out)
{
    bool wrote = false;
    visit_t v;
    hk_err_t rc;

    if(!r || !vote_ok(vote) || (int)source < 0 || (int)source >= RATING_SOURCE_COUNT ||
       window_s <= 0)
        return HK_ERR_INVALID;
    rc = store_begin(r->store);
    if(rc != HK_OK)
        return rc;
    rc = lookup(r, ticket_id, &v);
    if(rc != HK_OK)
        goto out;
    switch(judge(r, &v, source, window_s, now_ms)) {
    case RATING_STATUS_RATED:
        /* A repeated press returns the first result; another vote is a
         * second one, refused. Nothing is written either way. */
        rc = same_vote(&v.rec, vote) ? HK_OK : HK_ERR_BUSY;
        goto out;
    case RATING_STATUS_NOT_FINISHED:
    case RATING_STATUS_CLOSED: rc = HK_ERR_INVALID; goto out;
    case RATING_STATUS_OPEN: break;
    }
    v.rec.level = vote->level;
    v.rec.reasons = vote->reasons;
    v.rec.praise = vote->praise;
    v.rec.source = source;
    v.rec.rated_ms = now_ms;
    v.rec.follow_up = rating_level_needs_follow_up(vote->level);
    rc = put_row(r, &v.rec);
    if(rc == HK_OK)
        rc = emit(r, JOURNAL_VISIT_RATED, &v.rec, now_ms);
    wrote = true;
out:
    rc = store_end(r->store, rc);
    if(rc != HK_OK)
        return rc;
    if(wrote && v.rec.follow_up)
        hk_log_info(LOG_MOD, "%s %s at %s rated %s: flagged for follow-up", v.rec.day, v.rec.number,
                    v.rec.counter_id, level_names[v.rec.level]);
    if(out)
        *out = v.rec;
    return HK_OK;
}

hk_err_t rating_find_visit(rating_t *r, const char *day, const char *number, int64_t now_ms,
                           int64_t *ticket_id_out)
{
    sqlite3_stmt *st = NULL;
    char today[11];
    visit_t v;
    hk_err_t rc;

    if(!r || !number || !ticket_id_out)
        return HK_ERR_INVALID;
    if(!day || !day[0]) {
        config_local_time(&r->cfg, now_ms, today, NULL, NULL);
        day = today;
    }
    rc = stmt(r, S_FIND, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(st, 3, TICKET_TRANSFERRED);
    rc = first_row(r, st, "load visit", read_visit, &v);
    if(rc != HK_OK)
        return rc;
    *ticket_id_out = v.rec.ticket_id;
    return HK_OK;
}

hk_err_t rating_status(rating_t *r, int64_t ticket_id, rating_source_t source, int window_s,
                       int64_t now_ms, rating_status_t *status_out, rating_record_t *out)
{
    visit_t v;
    hk_err_t rc;

    if(!r || !status_out || (int)source < 0 || (int)source >= RATING_SOURCE_COUNT || window_s <= 0)
        return HK_ERR_INVALID;
    rc = lookup(r, ticket_id, &v);
    if(rc != HK_OK)
        return rc;
    *status_out = judge(r, &v, source, window_s, now_ms);
    if(out)
        *out = v.rec;
    return HK_OK;
}

hk_err_t rating_expire(rating_t *r, int window_s, int64_t now_ms, int *n_out)
{
    char since[11];
    int n = 0;
    hk_err_t rc;

    if(!r || window_s <= 0)
        return HK_ERR_INVALID;
    config_local_time(&r->cfg, now_ms - DAY_MS, since, NULL, NULL); /* yesterday */
    rc = store_begin(r->store);
    if(rc != HK_OK)
        return rc;
    /* One visit at a time (LIMIT 1, again until none), as queue.c's
     * rollover: no insert under an open SELECT, no list to allocate. */
    for(;;) {
        sqlite3_stmt *st = NULL;
        visit_t v;

        rc = stmt(r, S_EXPIRE_NEXT, &st);
        if(rc != HK_OK)
            break;
        (void)sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
        (void)sqlite3_bind_int64(st, 2, now_ms - (int64_t)window_s * 1000);
        (void)sqlite3_bind_int(st, 3, TICKET_DONE);
        rc = first_row(r, st, "load visit", read_visit, &v);
        if(rc != HK_OK)
            break;
        v.rec.level = RATING_NOT_RATED;
        v.rec.source = RATING_SOURCE_COUNTER; /* its window passed */
        v.rec.rated_ms = now_ms;
        rc = put_row(r, &v.rec);
        if(rc == HK_OK)
            rc = emit(r, JOURNAL_VISIT_NOT_RATED, &v.rec, now_ms);
        if(rc != HK_OK)
            break;
        n++;
    }
    if(rc == HK_ERR_NOT_FOUND)
        rc = HK_OK; /* none left */
    rc = store_end(r->store, rc);
    if(rc != HK_OK)
        return rc;
    if(n_out)
        *n_out = n;
    return HK_OK;
}

hk_err_t rating_get(rating_t *r, int64_t ticket_id, rating_record_t *out)
{
    sqlite3_stmt *st = NULL;
    rating_record_t rec;
    hk_err_t rc;

    if(!r || !out)
        return HK_ERR_INVALID;
    rc = stmt(r, S_GET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, ticket_id);
    rc = first_row(r, st, "load rating", read_row, &rec);
    if(rc != HK_OK)
        return rc;
    *out = rec;
    return HK_OK;
}

hk_err_t rating_follow_up_count(rating_t *r, const char *day, int *out)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src, n = 0;

    if(!r || !day || !out)
        return HK_ERR_INVALID;
    rc = stmt(r, S_FOLLOW_UPS, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    store_stmt_done(st);
    if(src != SQLITE_ROW)
        return fail(r, "follow-up count", src);
    *out = n;
    return HK_OK;
}

/* Static functions --------------------------------------------------------*/

static hk_err_t stmt(rating_t *r, stmt_id_t id, sqlite3_stmt **out)
{
    return store_stmt(r->store, sql[id], out);
}

static hk_err_t fail(rating_t *r, const char *what, int src)
{
    return store_fail(r->store, LOG_MOD, what, src);
}

/* A vote: a level 1..5, known chips, reasons only with 1..3 (what fell
 * short), praise only with 4..5 (what went well). */
static bool vote_ok(const rating_vote_t *v)
{
    if(!v || v->level < RATING_VERY_DISSATISFIED || v->level > RATING_VERY_SATISFIED)
        return false;
    if((v->reasons & ~RATING_REASONS_ALL) || (v->praise & ~RATING_PRAISE_ALL))
        return false;
    if(v->reasons && v->level > RATING_BASIC)
        return false;
    return !(v->praise && v->level < RATING_SATISFIED);
}

static bool same_vote(const rating_record_t *rec, const rating_vote_t *v)
{
    return rec->level == v->level && rec->reasons == v->reasons && rec->praise == v->praise;
}

/* The visit ticket_id and its stored outcome, if any. */
static hk_err_t lookup(rating_t *r, int64_t ticket_id, visit_t *v)
{
    sqlite3_stmt *st = NULL;
    rating_record_t row;
    hk_err_t rc;

    rc = stmt(r, S_VISIT, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, ticket_id);
    rc = first_row(r, st, "load visit", read_visit, v);
    if(rc != HK_OK)
        return rc;
    rc = rating_get(r, ticket_id, &row);
    if(rc == HK_ERR_NOT_FOUND)
        return HK_OK;
    if(rc != HK_OK)
        return rc;
    v->rec = row;
    v->has_row = true;
    return HK_OK;
}

/* Step a bound query once and read its row into out (read_visit for
 * VISIT_COLS, read_row for RATING_COLS): HK_ERR_NOT_FOUND when none. */
static hk_err_t first_row(rating_t *r, sqlite3_stmt *st, const char *what,
                          void (*read)(sqlite3_stmt *, void *), void *out)
{
    int src = sqlite3_step(st);

    if(src == SQLITE_ROW)
        read(st, out);
    store_stmt_done(st);
    if(src == SQLITE_DONE)
        return HK_ERR_NOT_FOUND;
    if(src != SQLITE_ROW)
        return fail(r, what, src);
    return HK_OK;
}

static void read_visit(sqlite3_stmt *st, void *out)
{
    visit_t *v = out;
    int state;

    memset(v, 0, sizeof(*v));
    v->rec.ticket_id = sqlite3_column_int64(st, 0);
    copy_text(v->rec.day, sizeof(v->rec.day), sqlite3_column_text(st, 1));
    copy_text(v->rec.number, sizeof(v->rec.number), sqlite3_column_text(st, 2));
    copy_text(v->rec.service_id, sizeof(v->rec.service_id), sqlite3_column_text(st, 3));
    state = sqlite3_column_int(st, 4);
    /* The v3 CHECK keeps the range. */
    v->state =
        (state >= 0 && state < TICKET_STATE_COUNT) ? (ticket_state_t)state : TICKET_CANCELLED;
    v->rec.finished_ms = sqlite3_column_int64(st, 5);
    copy_text(v->rec.counter_id, sizeof(v->rec.counter_id), sqlite3_column_text(st, 6));
    copy_text(v->rec.staff_id, sizeof(v->rec.staff_id), sqlite3_column_text(st, 7));
    v->rec.level = RATING_NOT_RATED;
    v->rec.source = RATING_SOURCE_COUNTER;
}

static void read_row(sqlite3_stmt *st, void *out)
{
    rating_record_t *rec = out;
    int level, source;

    memset(rec, 0, sizeof(*rec));
    rec->ticket_id = sqlite3_column_int64(st, 0);
    copy_text(rec->day, sizeof(rec->day), sqlite3_column_text(st, 1));
    copy_text(rec->number, sizeof(rec->number), sqlite3_column_text(st, 2));
    copy_text(rec->service_id, sizeof(rec->service_id), sqlite3_column_text(st, 3));
    copy_text(rec->counter_id, sizeof(rec->counter_id), sqlite3_column_text(st, 4));
    copy_text(rec->staff_id, sizeof(rec->staff_id), sqlite3_column_text(st, 5));
    rec->finished_ms = sqlite3_column_int64(st, 6);
    /* The v4 CHECKs keep these in range; never index past a names table. */
    level = sqlite3_column_int(st, 7);
    rec->level =
        (level >= 0 && level < RATING_LEVEL_COUNT) ? (rating_level_t)level : RATING_NOT_RATED;
    rec->reasons = (unsigned)sqlite3_column_int(st, 8) & RATING_REASONS_ALL;
    rec->praise = (unsigned)sqlite3_column_int(st, 9) & RATING_PRAISE_ALL;
    source = sqlite3_column_int(st, 10);
    rec->source = (source >= 0 && source < RATING_SOURCE_COUNT) ? (rating_source_t)source
                                                                : RATING_SOURCE_COUNTER;
    rec->rated_ms = sqlite3_column_int64(st, 11);
    rec->follow_up = sqlite3_column_int(st, 12) != 0;
}

/* The rules (rating.h, rating_rate) as a status. */
static rating_status_t judge(rating_t *r, const visit_t *v, rating_source_t source, int window_s,
                             int64_t now_ms)
{
    char today[11];

    if(v->has_row && v->rec.level != RATING_NOT_RATED)
        return RATING_STATUS_RATED;
    if(v->state != TICKET_DONE)
        return RATING_STATUS_NOT_FINISHED;
    if(source == RATING_SOURCE_COUNTER) {
        if(v->has_row || now_ms > v->rec.finished_ms + (int64_t)window_s * 1000)
            return RATING_STATUS_CLOSED;
        return RATING_STATUS_OPEN;
    }
    config_local_time(&r->cfg, now_ms, today, NULL, NULL);
    return strcmp(v->rec.day, today) == 0 ? RATING_STATUS_OPEN : RATING_STATUS_CLOSED;
}

static hk_err_t put_row(rating_t *r, const rating_record_t *rec)
{
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    rc = stmt(r, S_PUT, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, rec->ticket_id);
    (void)sqlite3_bind_text(st, 2, rec->day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 3, rec->number, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 4, rec->service_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 5, rec->counter_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 6, rec->staff_id, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 7, rec->finished_ms);
    (void)sqlite3_bind_int(st, 8, (int)rec->level);
    (void)sqlite3_bind_int(st, 9, (int)rec->reasons);
    (void)sqlite3_bind_int(st, 10, (int)rec->praise);
    (void)sqlite3_bind_int(st, 11, (int)rec->source);
    (void)sqlite3_bind_int64(st, 12, rec->rated_ms);
    (void)sqlite3_bind_int(st, 13, rec->follow_up ? 1 : 0);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return fail(r, "store rating", src);
    /* The caller judged the visit unrated in this transaction; a voted row
     * here means the table and the rules disagree. */
    if(HK_NEVER(sqlite3_changes(store_db(r->store)) != 1))
        return HK_ERR_CORRUPT;
    return HK_OK;
}

/* visit.rated / visit.not_rated: the visit, its outcome, follow-up. */
static hk_err_t emit(rating_t *r, journal_type_t type, const rating_record_t *rec, int64_t now_ms)
{
    journal_body_t b;

    journal_body_init(&b);
    journal_body_int(&b, "ticket", rec->ticket_id);
    journal_body_str(&b, "number", rec->number);
    journal_body_str(&b, "day", rec->day);
    journal_body_str(&b, "service", rec->service_id);
    journal_body_str(&b, "counter", rec->counter_id);
    journal_body_str(&b, "staff", rec->staff_id);
    journal_body_int(&b, "finished_ms", rec->finished_ms);
    journal_body_int(&b, "level", (int64_t)rec->level);
    journal_body_str(&b, "level_name", level_names[rec->level]);
    journal_body_int(&b, "reasons", (int64_t)rec->reasons);
    journal_body_int(&b, "praise", (int64_t)rec->praise);
    journal_body_str(&b, "source", source_names[rec->source]);
    journal_body_bool(&b, "follow_up", rec->follow_up);
    return journal_append(r->store, type, journal_body_finish(&b), now_ms, NULL);
}

/* Our own rows always fit; odd data is cut, never overrun. */
static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    (void)snprintf(dst, cap, "%s", src ? (const char *)src : "");
}
