/*
 * submission: see submission.h.
 *
 * Design notes
 *   The reference is S + the business day as YYMMDD + "-" + the day's
 *   sequence (001..999, the next after the day's highest), so it is short
 *   enough to read over the phone, sorts by day, and is unique for the
 *   hub's database (the UNIQUE(day, seq) constraint keeps
 *   it so for every writer).
 *   The purge clears the personal columns with PRAGMA secure_delete on
 *   (SQLite then zeroes the bytes it frees, in the page and in free
 *   pages), commits, and runs a TRUNCATE checkpoint: the WAL frames that
 *   still held the old page images are copied over and the -wal file is cut
 *   to 0 bytes. secure_delete is switched back off afterwards (it costs
 *   every later delete a write).
 */
#include "submission.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "faq_content.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "store_private.h"

#define LOG_MOD        "submission"
#define CENTRAL_CURSOR "central" /* sync.h's SYNC_CURSOR (core cannot include net) */

static const char *const categories[] = { FAQ_SUBMIT_CATEGORIES };
#define N_CATEGORIES ((int)(sizeof(categories) / sizeof(categories[0])))

static const char SQL_NEXT_SEQ[] =
    "SELECT COALESCE(MAX(seq), 0) + 1 FROM submissions WHERE day = ?1";
static const char SQL_INSERT[] =
    "INSERT INTO submissions(journal_seq, ref, day, seq, category, phone_masked, phone,"
    " description, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_PERSONAL[] = "SELECT phone, description FROM submissions"
                                   " WHERE journal_seq = ?1 AND phone IS NOT NULL";
static const char SQL_PURGE[] =
    "UPDATE submissions SET phone = NULL, description = NULL, purged_ms = ?1"
    " WHERE phone IS NOT NULL AND journal_seq <= ?2 AND created_ms <= ?3";
static const char SQL_DUE[] = "SELECT COUNT(*) FROM submissions"
                              " WHERE phone IS NOT NULL AND journal_seq <= ?1 AND created_ms <= ?2";
static const char SQL_PENDING[] = "SELECT COUNT(*) FROM submissions WHERE phone IS NOT NULL";
static const char SQL_SECURE_ON[] = "PRAGMA secure_delete = 1";
static const char SQL_SECURE_OFF[] = "PRAGMA secure_delete = 0";

/* ---- pure ----------------------------------------------------------------- */

const char *const *submission_categories(int *n_out)
{
    if(n_out)
        *n_out = N_CATEGORIES;
    return categories;
}

bool submission_category_valid(const char *name)
{
    int i;

    for(i = 0; name && i < N_CATEGORIES; i++)
        if(!strcmp(name, categories[i]))
            return true;
    return false;
}

bool submission_phone_valid(const char *p)
{
    int i;

    if(!p || strlen(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9')
        return false;
    for(i = 2; i < 11; i++)
        if(p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

void submission_phone_mask(const char *phone, char dst[SUBMISSION_PHONE_LEN])
{
    size_t n = phone ? strlen(phone) : 0;

    if(submission_phone_valid(phone)) {
        memcpy(dst, phone, 3);
        memset(dst + 3, '*', 4);
        memcpy(dst + 7, phone + 7, 4);
        dst[11] = '\0';
        return;
    }
    n = n > 11 ? 11 : n;
    memset(dst, '*', n);
    dst[n] = '\0';
}

int submission_text_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int n = 0;

    if(!s)
        return 0;
    while(*p) {
        unsigned c = *p, cp;
        int len, i;
        if(c < 0x80) {
            p++;
            n++;
            continue;
        }
        if(c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if(c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if(c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return -1;
        for(i = 1; i < len; i++) {
            if((p[i] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
           (cp >= 0xD800 && cp <= 0xDFFF))
            return -1; /* overlong, out of range, surrogate */
        p += len;
        n++;
    }
    return n;
}

bool submission_id_valid(const char *id, bool allow_empty)
{
    size_t i, n = id ? strlen(id) : 0;

    if(!id || n >= FAQ_ID_MAX || (n == 0 && !allow_empty))
        return false;
    for(i = 0; i < n; i++) {
        char c = id[i];
        if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool submission_route_kind_valid(const char *kind)
{
    return kind && (!strcmp(kind, "faq") || !strcmp(kind, "queue") || !strcmp(kind, "submit"));
}

bool submission_lang_valid(const char *lang)
{
    return lang && (!strcmp(lang, "zh-CN") || !strcmp(lang, "en"));
}

static hk_err_t bad_field(submission_field_t f, submission_field_t *bad, hk_diag_t *diag,
                          const char *msg)
{
    if(bad)
        *bad = f;
    hk_diag_set(diag, "%s", msg);
    return HK_ERR_INVALID;
}

hk_err_t submission_check(const submission_t *s, submission_field_t *bad, hk_diag_t *diag)
{
    int chars;
    size_t i;

    if(bad)
        *bad = SUBMISSION_FIELD_NONE;
    if(!s)
        return bad_field(SUBMISSION_FIELD_NONE, bad, diag, "submission: missing");
    if(!memchr(s->category, '\0', sizeof(s->category)) || !submission_category_valid(s->category))
        return bad_field(SUBMISSION_FIELD_CATEGORY, bad, diag,
                         "category: expected signal, broadband, billing, complaint, suggestion "
                         "or other");
    if(!memchr(s->phone, '\0', sizeof(s->phone)) || !submission_phone_valid(s->phone))
        return bad_field(SUBMISSION_FIELD_PHONE, bad, diag,
                         "phone: expected an 11-digit mobile number (1, then 3 to 9, then 9 "
                         "digits)");
    if(!memchr(s->description, '\0', sizeof(s->description)))
        return bad_field(SUBMISSION_FIELD_DESCRIPTION, bad, diag,
                         "description: at most 300 characters");
    chars = submission_text_chars(s->description);
    if(chars < 0)
        return bad_field(SUBMISSION_FIELD_DESCRIPTION, bad, diag,
                         "description: not valid UTF-8 text");
    if(chars > SUBMISSION_DESC_MAX_CHARS)
        return bad_field(SUBMISSION_FIELD_DESCRIPTION, bad, diag,
                         "description: at most 300 characters");
    if(!hk_json_text_ok(s->description))
        return bad_field(SUBMISSION_FIELD_DESCRIPTION, bad, diag,
                         "description: control characters are not allowed");
    if(!s->consent)
        return bad_field(SUBMISSION_FIELD_CONSENT, bad, diag,
                         "consent: the customer must agree to the use of the phone number");
    if(!memchr(s->lang, '\0', sizeof(s->lang)) || !submission_lang_valid(s->lang))
        return bad_field(SUBMISSION_FIELD_LANG, bad, diag, "lang: expected zh-CN or en");
    if(!memchr(s->origin, '\0', sizeof(s->origin)))
        return bad_field(SUBMISSION_FIELD_ORIGIN, bad, diag, "origin: too long");
    for(i = 0; s->origin[i]; i++) {
        char c = s->origin[i];
        if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == ':' || c == '.'))
            return bad_field(SUBMISSION_FIELD_ORIGIN, bad, diag,
                             "origin: expected letters, digits and - _ : . only");
    }
    return HK_OK;
}

void submission_wipe(submission_t *s)
{
    volatile unsigned char *p = (volatile unsigned char *)s;
    size_t i;

    if(!s)
        return;
    for(i = 0; i < sizeof(*s); i++)
        p[i] = 0;
}

/* ---- store ---------------------------------------------------------------- */

static hk_err_t next_seq(store_t *st, const char *day, int *out)
{
    sqlite3_stmt *q = NULL;
    hk_err_t rc = store_stmt(st, SQL_NEXT_SEQ, &q);
    int src;

    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
    src = sqlite3_step(q);
    if(src == SQLITE_ROW)
        *out = sqlite3_column_int(q, 0);
    else
        rc = store_fail(st, LOG_MOD, "next reference", src);
    store_stmt_done(q);
    return rc;
}

static hk_err_t insert_row(store_t *st, const submission_t *s, const submission_receipt_t *r,
                           int seq)
{
    sqlite3_stmt *q = NULL;
    hk_err_t rc = store_stmt(st, SQL_INSERT, &q);
    int src;

    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(q, 1, r->journal_seq);
    (void)sqlite3_bind_text(q, 2, r->ref, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(q, 3, r->day, -1, SQLITE_STATIC);
    (void)sqlite3_bind_int(q, 4, seq);
    (void)sqlite3_bind_text(q, 5, s->category, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(q, 6, r->phone_masked, -1, SQLITE_STATIC);
    (void)sqlite3_bind_text(q, 7, s->phone, -1, SQLITE_STATIC);
    if(s->description[0])
        (void)sqlite3_bind_text(q, 8, s->description, -1, SQLITE_STATIC);
    else
        (void)sqlite3_bind_null(q, 8);
    (void)sqlite3_bind_int64(q, 9, r->created_ms);
    src = sqlite3_step(q);
    if(src != SQLITE_DONE)
        rc = store_fail(st, LOG_MOD, "insert", src);
    store_stmt_done(q); /* clears the bindings: nothing keeps the phone */
    return rc;
}

hk_err_t submission_record(store_t *st, const submission_t *s, const char *day, int64_t now_ms,
                           submission_receipt_t *out)
{
    submission_receipt_t r;
    journal_body_t b;
    hk_diag_t diag;
    hk_err_t rc;
    int seq = 0;

    memset(out, 0, sizeof(*out));
    hk_diag_clear(&diag);
    rc = submission_check(s, NULL, &diag);
    if(rc != HK_OK)
        return rc;
    if(!day || strlen(day) != 10)
        return HK_ERR_INVALID;
    memset(&r, 0, sizeof(r));
    memcpy(r.day, day, 11);
    snprintf(r.category, sizeof(r.category), "%s", s->category);
    submission_phone_mask(s->phone, r.phone_masked);
    r.created_ms = now_ms;
    rc = store_begin(st);
    if(rc != HK_OK)
        return rc;
    rc = next_seq(st, day, &seq);
    if(rc == HK_OK && seq > 999)
        rc = HK_ERR_BUSY;
    if(rc == HK_OK) {
        /* "S" YYMMDD "-" NNN from "YYYY-MM-DD" */
        (void)snprintf(r.ref, sizeof(r.ref), "S%.2s%.2s%.2s-%03u", day + 2, day + 5, day + 8,
                       (unsigned)seq % 1000u); /* seq is 1..999 here: 3 digits */
        journal_body_init(&b);
        journal_body_str(&b, "ref", r.ref);
        journal_body_str(&b, "day", r.day);
        journal_body_str(&b, "category", r.category);
        journal_body_str(&b, "phone_masked", r.phone_masked);
        journal_body_bool(&b, "has_description", s->description[0] != '\0');
        journal_body_str(&b, "lang", s->lang);
        journal_body_str(&b, "origin", s->origin);
        journal_body_int(&b, "created_ms", now_ms);
        rc = journal_append(st, JOURNAL_ISSUE_SUBMITTED, journal_body_finish(&b), now_ms,
                            &r.journal_seq);
    }
    if(rc == HK_OK)
        rc = insert_row(st, s, &r, seq);
    rc = store_end(st, rc);
    if(rc == HK_OK) {
        *out = r;
        hk_log_info(LOG_MOD, "%s recorded (%s, %s, journal seq %lld)", r.ref, r.category,
                    r.phone_masked, (long long)r.journal_seq);
    }
    return rc;
}

/* ev's body with "phone" and "description" added; replaces ev->body. */
static hk_err_t attach_one(journal_event_t *ev, const char *phone, const char *desc)
{
    hk_json_limits_t lim = { JOURNAL_BODY_MAX + 1, 4 };
    hk_diag_t diag;
    cJSON *root = NULL;
    char *text;
    hk_err_t rc = hk_json_parse(ev->body, strlen(ev->body), &lim, &root, &diag);

    if(rc != HK_OK)
        return rc == HK_ERR_NOMEM ? rc : HK_ERR_CORRUPT;
    if(!cJSON_IsObject(root) || !cJSON_AddStringToObject(root, "phone", phone) ||
       (desc && !cJSON_AddStringToObject(root, "description", desc))) {
        rc = cJSON_IsObject(root) ? HK_ERR_NOMEM : HK_ERR_CORRUPT;
        cJSON_Delete(root);
        return rc;
    }
    text = cJSON_PrintUnformatted(root); /* hk_malloc (hk_json_init) */
    cJSON_Delete(root);
    if(!text)
        return HK_ERR_NOMEM;
    hk_free(ev->body);
    ev->body = text;
    return HK_OK;
}

hk_err_t submission_sync_attach(store_t *st, journal_event_t *ev, int n)
{
    hk_err_t rc = HK_OK;
    int i;

    for(i = 0; i < n && rc == HK_OK; i++) {
        sqlite3_stmt *q = NULL;
        int src;
        if(ev[i].type != JOURNAL_ISSUE_SUBMITTED)
            continue;
        rc = store_stmt(st, SQL_PERSONAL, &q);
        if(rc != HK_OK)
            break;
        (void)sqlite3_bind_int64(q, 1, ev[i].seq);
        src = sqlite3_step(q);
        if(src == SQLITE_ROW)
            rc = attach_one(&ev[i], (const char *)sqlite3_column_text(q, 0),
                            (const char *)sqlite3_column_text(q, 1));
        else if(src != SQLITE_DONE)
            rc = store_fail(st, LOG_MOD, "read for the sync", src);
        store_stmt_done(q);
    }
    return rc;
}

hk_err_t submission_purge(store_t *st, int64_t retention_s, int64_t now_ms, int *purged)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q = NULL;
    int64_t acked = 0;
    int n = 0, src;
    hk_err_t rc;

    if(purged)
        *purged = 0;
    if(store_tx_depth(st) != 0 || retention_s < 0)
        return HK_ERR_INVALID; /* the checkpoint needs no transaction open */
    rc = journal_cursor_get(st, CENTRAL_CURSOR, &acked);
    if(rc != HK_OK || acked <= 0)
        return rc;
    /* a read first: the sync calls this every few seconds, and most calls
     * find nothing due (no write transaction for nothing) */
    rc = store_stmt(st, SQL_DUE, &q);
    if(rc != HK_OK)
        return rc;
    (void)sqlite3_bind_int64(q, 1, acked);
    (void)sqlite3_bind_int64(q, 2, now_ms - retention_s * 1000);
    src = sqlite3_step(q);
    if(src == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    else
        rc = store_fail(st, LOG_MOD, "purge due", src);
    store_stmt_done(q);
    if(rc != HK_OK || n == 0)
        return rc;
    n = 0;
    src = sqlite3_exec(db, SQL_SECURE_ON, NULL, NULL, NULL);
    if(src != SQLITE_OK)
        return store_fail(st, LOG_MOD, "secure_delete", src);
    rc = store_begin(st);
    if(rc == HK_OK)
        rc = store_stmt(st, SQL_PURGE, &q);
    if(rc == HK_OK) {
        (void)sqlite3_bind_int64(q, 1, now_ms);
        (void)sqlite3_bind_int64(q, 2, acked);
        (void)sqlite3_bind_int64(q, 3, now_ms - retention_s * 1000);
        src = sqlite3_step(q);
        if(src != SQLITE_DONE)
            rc = store_fail(st, LOG_MOD, "purge", src);
        else
            n = sqlite3_changes(db);
        store_stmt_done(q);
        rc = store_end(st, rc);
    }
    if(rc == HK_OK && n > 0)
        rc = submission_checkpoint(st);
    (void)sqlite3_exec(db, SQL_SECURE_OFF, NULL, NULL, NULL);
    if(n > 0)
        hk_log_info(LOG_MOD, "personal data of %d submission(s) deleted", n);
    if(purged)
        *purged = n;
    return rc;
}

hk_err_t submission_checkpoint(store_t *st)
{
    int log_frames = -1, ckpt = -1;
    int src = sqlite3_wal_checkpoint_v2(store_db(st), NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                        &ckpt);

    if(src != SQLITE_OK) {
        hk_log_warn(LOG_MOD, "the WAL could not be truncated yet (%s)", sqlite3_errstr(src));
        return src == SQLITE_BUSY || src == SQLITE_LOCKED ? HK_ERR_BUSY : store_err(src);
    }
    return HK_OK;
}

hk_err_t submission_pending_personal(store_t *st, int *out)
{
    sqlite3_stmt *q = NULL;
    hk_err_t rc = store_stmt(st, SQL_PENDING, &q);
    int src;

    if(rc != HK_OK)
        return rc;
    src = sqlite3_step(q);
    if(src == SQLITE_ROW)
        *out = sqlite3_column_int(q, 0);
    else
        rc = store_fail(st, LOG_MOD, "count", src);
    store_stmt_done(q);
    return rc;
}
