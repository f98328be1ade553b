/*
 * journal: the append-only event log in the store's database, and the small
 * JSON body builder its writers use. It appends inside the caller's
 * transaction, reads events after a seq, and keeps per-consumer cursors.
 * It does not decide what an event means (queue.c, rating.c and store.c
 * write them), does not prune, and does not talk to the network: the hub's
 * event stream and the sync client read it.
 *
 * Design notes
 * ------------
 * Table journal(seq INTEGER PRIMARY KEY, uuid UNIQUE, type,
 * body, wall_ms) and journal_cursors(consumer PRIMARY KEY, seq); schema v3.
 *
 * An event's life (there are no other transitions: triggers refuse UPDATE
 * and DELETE on journal):
 *   (none) --journal_append, inside store_begin..--> pending (in the
 *          writer's open transaction, invisible to every other connection)
 *   pending --outermost store_commit--> committed (durable, visible)
 *   pending --store_rollback / failed commit--> gone, seq not used
 * A consumer's cursor: (none) = 0 --journal_cursor_set(n)--> n, only ever
 * forward, never past journal_last_seq().
 *
 * Who reads it:
 *   - the branch's live event stream (hub, next issue): an SSE event's id
 *     is the journal seq; a client reconnecting with Last-Event-ID: N is
 *     served journal_read_after(N, ...), so it resumes without a gap;
 *   - the central outbox (sync issue): events after the "central" cursor
 *     are not yet acknowledged by head office; after the server confirms
 *     up to N (it de-duplicates on uuid), journal_cursor_set("central", N).
 * One log for both, so the hall board and head office cannot disagree.
 *
 * Invariants:
 *   - an event exists iff the change it records committed (same
 *     transaction; journal_append refuses to run outside one);
 *   - committed seqs are 1, 2, 3 ... without gaps and never handed out
 *     twice: writers are serialised by BEGIN IMMEDIATE, a new row takes
 *     MAX(seq) + 1 (a rolled-back insert leaves no trace), and triggers
 *     refuse UPDATE and DELETE so the maximum never goes down. This is
 *     AUTOINCREMENT's guarantee without its sqlite_sequence write, which
 *     cost as much as the rest of the event (tap-to-commit budget: +20 %);
 *     a future pruner must keep the newest event or add AUTOINCREMENT;
 *   - seq order is commit order, so reading "after N" from any snapshot
 *     sees a prefix of the final sequence;
 *   - type is a name from type_names[] (on disk: never renamed), body a
 *     JSON object, uuid a random v4 UUID unique in the file.
 */
#include "journal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "store_private.h"
#include "uuid.h"

#define LOG_MOD      "journal"
#define BODY_RESERVE 2 /* the closing '}' and the NUL */
#define READ_CHUNK   16

/* Static prototypes -------------------------------------------------------*/
static hk_err_t read_event(sqlite3_stmt *st, journal_event_t *ev);
static bool body_key(journal_body_t *b, const char *key, size_t value_len);
static size_t utf8_seq_len(const unsigned char *p);

/* Static data -------------------------------------------------------------*/

/* On disk and on the wire: never rename, never reuse a name. */
static const char *const type_names[JOURNAL_TYPE_COUNT] = {
    [JOURNAL_TICKET_ISSUED] = "ticket.issued",
    [JOURNAL_TICKET_CALLED] = "ticket.called",
    [JOURNAL_TICKET_RECALLED] = "ticket.recalled",
    [JOURNAL_TICKET_NO_SHOW] = "ticket.no_show",
    [JOURNAL_TICKET_TRANSFERRED] = "ticket.transferred",
    [JOURNAL_TICKET_STARTED] = "ticket.started",
    [JOURNAL_TICKET_FINISHED] = "ticket.finished",
    [JOURNAL_TICKET_CANCELLED] = "ticket.cancelled",
    [JOURNAL_COUNTER_OPENED] = "counter.opened",
    [JOURNAL_COUNTER_PAUSED] = "counter.paused",
    [JOURNAL_COUNTER_CLOSED] = "counter.closed",
    [JOURNAL_DEVICE_FAULT] = "device.fault",
    [JOURNAL_VISIT_RATED] = "visit.rated",
    [JOURNAL_VISIT_NOT_RATED] = "visit.not_rated",
    [JOURNAL_FAQ_FEEDBACK] = "faq.feedback",
    [JOURNAL_TRIAGE_CHOSEN] = "triage.chosen",
    [JOURNAL_ISSUE_SUBMITTED] = "issue.submitted",
    [JOURNAL_ENGINEER_PIN_FAILED] = "engineer.pin_failed", /* issue 9.5 */
};

static const char SQL_APPEND[] = "INSERT INTO journal(uuid, type, body, wall_ms)"
                                 " VALUES(?1, ?2, ?3, ?4)";
static const char SQL_LAST[] = "SELECT COALESCE(MAX(seq), 0) FROM journal";
static const char SQL_READ[] = "SELECT seq, uuid, type, body, wall_ms FROM journal"
                               " WHERE seq > ?1 ORDER BY seq LIMIT ?2";
static const char SQL_CURSOR_GET[] = "SELECT seq FROM journal_cursors WHERE consumer = ?1";
static const char SQL_CURSOR_SET[] = "INSERT INTO journal_cursors(consumer, seq) VALUES(?1, ?2)"
                                     " ON CONFLICT(consumer) DO UPDATE SET seq = excluded.seq";

/* Public functions --------------------------------------------------------*/

const char *journal_type_str(journal_type_t type)
{
    if((int)type < 0 || type >= JOURNAL_TYPE_COUNT)
        return "unknown";
    return type_names[type];
}

bool journal_type_parse(const char *name, journal_type_t *out)
{
    int i;

    if(!name || !out)
        return false;
    for(i = 0; i < JOURNAL_TYPE_COUNT; i++) {
        if(strcmp(name, type_names[i]) == 0) {
            *out = (journal_type_t)i;
            return true;
        }
    }
    return false;
}

hk_err_t journal_append(store_t *s, journal_type_t type, const char *body_json, int64_t wall_ms,
                        int64_t *seq_out)
{
    char uuid[UUID_STR_LEN];
    sqlite3_stmt *st = NULL;
    hk_err_t rc;
    int src;

    if(!s || !body_json || (int)type < 0 || type >= JOURNAL_TYPE_COUNT)
        return HK_ERR_INVALID;
    if(store_tx_depth(s) == 0) {
        /* A programmer's mistake, but refusing keeps the invariant "an
         * event exists iff its change committed" even in release builds. */
        hk_log_error(LOG_MOD, "%s appended outside a transaction: refused", type_names[type]);
        return HK_ERR_INVALID;
    }
    rc = uuid_v4(uuid);
    if(rc != HK_OK)
        return rc;
    rc = store_stmt(s, SQL_APPEND, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 2, type_names[type], -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(st, 3, body_json, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 4, wall_ms);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        return store_fail(s, LOG_MOD, "append", src);
    if(seq_out)
        *seq_out = sqlite3_last_insert_rowid(store_db(s));
    return HK_OK;
}

hk_err_t journal_last_seq(store_t *s, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    hk_err_t rc;
    int src;

    if(!s || !out)
        return HK_ERR_INVALID;
    rc = store_stmt(s, SQL_LAST, &st);
    if(rc != HK_OK)
        return rc;
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    if(src != SQLITE_ROW)
        return store_fail(s, LOG_MOD, "last seq", src);
    *out = v;
    return HK_OK;
}

hk_err_t journal_read_after(store_t *s, int64_t after_seq, int max, journal_event_t **out,
                            int *n_out)
{
    sqlite3_stmt *st = NULL;
    journal_event_t *ev = NULL;
    int n = 0, cap = 0, src;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(n_out)
        *n_out = 0;
    if(!s || !out || !n_out || max < 1)
        return HK_ERR_INVALID;
    rc = store_stmt(s, SQL_READ, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(st, 1, after_seq);
    (void)sqlite3_bind_int(st, 2, max);
    /* One statement = one read snapshot of the WAL. */
    while((src = sqlite3_step(st)) == SQLITE_ROW) {
        if(n == cap) {
            int ncap = cap ? cap * 2 : (max < READ_CHUNK ? max : READ_CHUNK);
            journal_event_t *p;

            if(ncap > max)
                ncap = max;
            p = hk_realloc(ev, (size_t)ncap * sizeof(*p));
            if(!p) {
                rc = HK_ERR_NOMEM;
                break;
            }
            ev = p;
            cap = ncap;
        }
        rc = read_event(st, &ev[n]);
        if(rc != HK_OK)
            break;
        n++;
    }
    store_stmt_done(st);
    if(rc == HK_OK && src != SQLITE_DONE)
        rc = store_fail(s, LOG_MOD, "read", src);
    if(rc != HK_OK) {
        journal_events_free(ev, n);
        return rc;
    }
    if(n == 0)
        HK_SAFEFREE(ev);
    *out = ev;
    *n_out = n;
    return HK_OK;
}

void journal_events_free(journal_event_t *ev, int n)
{
    int i;

    if(!ev)
        return;
    for(i = 0; i < n; i++)
        hk_free(ev[i].body);
    hk_free(ev);
}

hk_err_t journal_cursor_get(store_t *s, const char *consumer, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0; /* never set */
    hk_err_t rc;
    int src;

    if(!s || !consumer || !out)
        return HK_ERR_INVALID;
    rc = store_stmt(s, SQL_CURSOR_GET, &st);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(st, 1, consumer, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if(src == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    if(src != SQLITE_ROW && src != SQLITE_DONE)
        return store_fail(s, LOG_MOD, "cursor get", src);
    *out = v;
    return HK_OK;
}

hk_err_t journal_cursor_set(store_t *s, const char *consumer, int64_t seq)
{
    sqlite3_stmt *st = NULL;
    int64_t cur = 0, last = 0;
    hk_err_t rc;
    int src;

    if(!s || !consumer || !consumer[0])
        return HK_ERR_INVALID;
    /* Read and write in one transaction so two setters cannot interleave
     * and move a cursor backwards. */
    rc = store_begin(s);
    if(rc != HK_OK)
        return rc;
    rc = journal_cursor_get(s, consumer, &cur);
    if(rc == HK_OK)
        rc = journal_last_seq(s, &last);
    if(rc != HK_OK)
        goto out;
    if(seq < cur || seq > last) {
        hk_log_warn(LOG_MOD, "cursor %s: %" PRId64 " refused (at %" PRId64 ", last %" PRId64 ")",
                    consumer, seq, cur, last);
        rc = HK_ERR_INVALID;
        goto out;
    }
    if(seq == cur)
        goto out; /* nothing to move */
    rc = store_stmt(s, SQL_CURSOR_SET, &st);
    if(rc != HK_OK)
        goto out;
    (void)sqlite3_bind_text(st, 1, consumer, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int64(st, 2, seq);
    src = sqlite3_step(st);
    store_stmt_done(st);
    if(src != SQLITE_DONE)
        rc = store_fail(s, LOG_MOD, "cursor set", src);
out:
    return store_end(s, rc);
}

void journal_body_init(journal_body_t *b)
{
    b->buf[0] = '{';
    b->buf[1] = '\0';
    b->len = 1;
    b->truncated = false;
}

void journal_body_str(journal_body_t *b, const char *key, const char *val)
{
    const unsigned char *p = (const unsigned char *)val;

    if(!val) {
        if(body_key(b, key, 4)) {
            memcpy(b->buf + b->len, "null", 4);
            b->len += 4;
        }
        return;
    }
    if(!body_key(b, key, 2))
        return;
    b->buf[b->len++] = '"';
    while(*p) {
        char unit[8];
        size_t ulen, adv = 1;

        if(*p == '"' || *p == '\\') {
            unit[0] = '\\';
            unit[1] = (char)*p;
            ulen = 2;
        } else if(*p == '\n' || *p == '\r' || *p == '\t') {
            unit[0] = '\\';
            unit[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
            ulen = 2;
        } else if(*p < 0x20) {
            (void)snprintf(unit, sizeof(unit), "\\u%04x", (unsigned)*p);
            ulen = 6;
        } else if(*p < 0x80) {
            unit[0] = (char)*p;
            ulen = 1;
        } else if((adv = utf8_seq_len(p)) != 0) {
            memcpy(unit, p, adv);
            ulen = adv;
        } else {
            memcpy(unit, "\\ufffd", 6); /* not UTF-8: JSON must be */
            ulen = 6;
            adv = 1;
        }
        /* Room for this unit, the closing quote, '}' and NUL. */
        if(b->len + ulen + 1 + BODY_RESERVE > JOURNAL_BODY_MAX) {
            b->truncated = true;
            break;
        }
        memcpy(b->buf + b->len, unit, ulen);
        b->len += ulen;
        p += adv;
    }
    b->buf[b->len++] = '"';
}

void journal_body_int(journal_body_t *b, const char *key, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRId64, v);

    if(n > 0 && body_key(b, key, (size_t)n)) {
        memcpy(b->buf + b->len, num, (size_t)n);
        b->len += (size_t)n;
    }
}

void journal_body_bool(journal_body_t *b, const char *key, bool v)
{
    const char *t = v ? "true" : "false";
    size_t n = strlen(t);

    if(body_key(b, key, n)) {
        memcpy(b->buf + b->len, t, n);
        b->len += n;
    }
}

const char *journal_body_finish(journal_body_t *b)
{
    b->buf[b->len++] = '}';
    b->buf[b->len] = '\0';
    return b->buf;
}

/* Static functions --------------------------------------------------------*/

static hk_err_t read_event(sqlite3_stmt *st, journal_event_t *ev)
{
    const unsigned char *uuid = sqlite3_column_text(st, 1);
    const unsigned char *type = sqlite3_column_text(st, 2);
    const unsigned char *body = sqlite3_column_text(st, 3);

    memset(ev, 0, sizeof(*ev));
    if(!uuid || strlen((const char *)uuid) != UUID_STR_LEN - 1 || !body)
        return sqlite3_errcode(sqlite3_db_handle(st)) == SQLITE_NOMEM ? HK_ERR_NOMEM
                                                                      : HK_ERR_CORRUPT;
    if(!type || !journal_type_parse((const char *)type, &ev->type)) {
        hk_log_error(LOG_MOD, "seq %lld: unknown type %s", (long long)sqlite3_column_int64(st, 0),
                     type ? (const char *)type : "(null)");
        return HK_ERR_CORRUPT;
    }
    ev->body = hk_strdup((const char *)body);
    if(!ev->body)
        return HK_ERR_NOMEM;
    ev->seq = sqlite3_column_int64(st, 0);
    memcpy(ev->uuid, uuid, UUID_STR_LEN);
    ev->wall_ms = sqlite3_column_int64(st, 4);
    return HK_OK;
}

/* Write `,"key":` if it and value_len more bytes fit; else mark truncated. */
static bool body_key(journal_body_t *b, const char *key, size_t value_len)
{
    size_t klen = strlen(key);
    size_t need = (b->len > 1 ? 1 : 0) + klen + 3 + value_len;

    if(b->len + need + BODY_RESERVE > JOURNAL_BODY_MAX) {
        b->truncated = true;
        return false;
    }
    if(b->len > 1)
        b->buf[b->len++] = ',';
    b->buf[b->len++] = '"';
    memcpy(b->buf + b->len, key, klen);
    b->len += klen;
    b->buf[b->len++] = '"';
    b->buf[b->len++] = ':';
    return true;
}

/* Length of the well-formed UTF-8 sequence at p (2..4), or 0 (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n, i;

    if(c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if(c >= 0xe0 && c <= 0xef)
        n = 3;
    else if(c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    for(i = 1; i < n; i++)
        if((p[i] & 0xc0) != 0x80)
            return 0; /* also stops at the NUL */
    if((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) || (c == 0xf0 && p[1] < 0x90) ||
       (c == 0xf4 && p[1] >= 0x90))
        return 0;
    return n;
}
