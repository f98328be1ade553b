/*
 * offline_block: see offline_block.h. One table; the number is chosen and
 * inserted in one IMMEDIATE transaction, so even two processes sharing the
 * file (a misconfiguration) could not issue the same number.
 */
#include "offline_block.h"

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "hk_log.h"
#include "hk_mem.h"

#define LOG_MOD "offline"

/* status: 0 pending, 1 imported, 2 rejected by the hub */
static const char schema[] = "CREATE TABLE IF NOT EXISTS offline_tickets("
                             " day TEXT NOT NULL, number TEXT NOT NULL, prefix TEXT NOT NULL,"
                             " seq INTEGER NOT NULL, service TEXT NOT NULL,"
                             " issued_ms INTEGER NOT NULL, status INTEGER NOT NULL DEFAULT 0,"
                             " PRIMARY KEY(day, number));"
                             "CREATE INDEX IF NOT EXISTS offline_pending"
                             " ON offline_tickets(status, issued_ms);";

struct offline_block {
    sqlite3 *db;
    char device_id[32];
    int from, to;
};

static hk_err_t db_err(offline_block_t *ob, int src, const char *what)
{
    hk_log_error(LOG_MOD, "%s: %s", what, sqlite3_errmsg(ob->db));
    if(src == SQLITE_NOMEM)
        return HK_ERR_NOMEM;
    if(src == SQLITE_CORRUPT || src == SQLITE_NOTADB)
        return HK_ERR_CORRUPT;
    if(src == SQLITE_BUSY)
        return HK_ERR_BUSY;
    return HK_ERR_IO;
}

hk_err_t offline_block_open(const char *path, const char *device_id, int block_from, int block_to,
                            offline_block_t **out)
{
    offline_block_t *ob;
    hk_err_t rc = HK_OK;
    int src;

    *out = NULL;
    if(block_from < 1 || block_to < block_from || block_to > 999 || !device_id || !device_id[0] ||
       strlen(device_id) >= sizeof(ob->device_id))
        return HK_ERR_INVALID;
    ob = hk_calloc(1, sizeof(*ob));
    if(!ob)
        return HK_ERR_NOMEM;
    snprintf(ob->device_id, sizeof(ob->device_id), "%s", device_id);
    ob->from = block_from;
    ob->to = block_to;
    src = sqlite3_open_v2(path, &ob->db,
                          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if(src == SQLITE_OK)
        src = sqlite3_busy_timeout(ob->db, 2000);
    if(src == SQLITE_OK)
        src = sqlite3_exec(ob->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
                           NULL);
    if(src == SQLITE_OK)
        src = sqlite3_exec(ob->db, schema, NULL, NULL, NULL);
    if(src != SQLITE_OK) {
        rc = ob->db ? db_err(ob, src, path) : HK_ERR_NOMEM;
        offline_block_close(ob);
        return rc;
    }
    *out = ob;
    return HK_OK;
}

void offline_block_close(offline_block_t *ob)
{
    if(!ob)
        return;
    sqlite3_close(ob->db);
    hk_free(ob);
}

hk_err_t offline_block_issue(offline_block_t *ob, const char *day, char prefix,
                             const char *service_id, int64_t issued_ms, ticket_t *out)
{
    sqlite3_stmt *st = NULL;
    char pfx[2] = { prefix, '\0' }, number[8];
    int seq = ob->from, src;
    hk_err_t rc = HK_OK;

    src = sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if(src != SQLITE_OK)
        return db_err(ob, src, "begin");
    src = sqlite3_prepare_v2(
        ob->db, "SELECT max(seq) FROM offline_tickets WHERE day=?1 AND prefix=?2", -1, &st, NULL);
    if(src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, pfx, -1, SQLITE_STATIC);
        src = sqlite3_step(st);
        if(src == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            seq = sqlite3_column_int(st, 0) + 1;
        src = src == SQLITE_ROW ? SQLITE_OK : src;
    }
    sqlite3_finalize(st);
    st = NULL;
    if(src != SQLITE_OK) {
        rc = db_err(ob, src, "next number");
        goto out;
    }
    if(seq < ob->from)
        seq = ob->from;
    if(seq > ob->to) {
        hk_log_warn(LOG_MOD, "block %d..%d used up for %c on %s", ob->from, ob->to, prefix, day);
        rc = HK_ERR_INVALID;
        goto out;
    }
    snprintf(number, sizeof(number), "%c%03d", prefix, seq);
    src = sqlite3_prepare_v2(ob->db,
                             "INSERT INTO offline_tickets(day,number,prefix,seq,service,issued_ms)"
                             " VALUES(?1,?2,?3,?4,?5,?6)",
                             -1, &st, NULL);
    if(src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, pfx, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, seq);
        sqlite3_bind_text(st, 5, service_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, issued_ms);
        src = sqlite3_step(st);
        src = src == SQLITE_DONE ? SQLITE_OK : src;
    }
    sqlite3_finalize(st);
    if(src != SQLITE_OK) {
        rc = db_err(ob, src, "insert");
        goto out;
    }
    src = sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL);
    if(src != SQLITE_OK) {
        rc = db_err(ob, src, "commit");
        goto out;
    }
    memset(out, 0, sizeof(*out));
    snprintf(out->day, sizeof(out->day), "%s", day);
    memcpy(out->number, number, sizeof(number));
    snprintf(out->service_id, sizeof(out->service_id), "%s", service_id);
    out->state = TICKET_WAITING;
    out->issued_ms = issued_ms;
    out->est_wait_s_quoted = -1;
    snprintf(out->device_id, sizeof(out->device_id), "%s", ob->device_id);
    hk_log_info(LOG_MOD, "issued %s (%s) from the block while the hub is unreachable", number, day);
    return HK_OK;
out:
    (void)sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL); /* nothing to keep */
    return rc;
}

hk_err_t offline_block_pending(offline_block_t *ob, ticket_t *out, int cap, int *n_out)
{
    sqlite3_stmt *st = NULL;
    int n = 0, src;

    *n_out = 0;
    src = sqlite3_prepare_v2(ob->db,
                             "SELECT day, number, service, issued_ms FROM offline_tickets"
                             " WHERE status=0 ORDER BY issued_ms, day, number LIMIT ?1",
                             -1, &st, NULL);
    if(src != SQLITE_OK)
        return db_err(ob, src, "pending");
    sqlite3_bind_int(st, 1, cap);
    while((src = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
        ticket_t *t = &out[n++];
        memset(t, 0, sizeof(*t));
        snprintf(t->day, sizeof(t->day), "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(t->number, sizeof(t->number), "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(t->service_id, sizeof(t->service_id), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        t->issued_ms = sqlite3_column_int64(st, 3);
        t->state = TICKET_WAITING;
        t->est_wait_s_quoted = -1;
        snprintf(t->device_id, sizeof(t->device_id), "%s", ob->device_id);
    }
    sqlite3_finalize(st);
    if(src != SQLITE_DONE && src != SQLITE_ROW)
        return db_err(ob, src, "pending");
    *n_out = n;
    return HK_OK;
}

hk_err_t offline_block_pending_count(offline_block_t *ob, int *n_out)
{
    sqlite3_stmt *st = NULL;
    int src;

    *n_out = 0;
    src = sqlite3_prepare_v2(ob->db, "SELECT count(*) FROM offline_tickets WHERE status=0", -1, &st,
                             NULL);
    if(src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        *n_out = sqlite3_column_int(st, 0);
        src = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return src == SQLITE_OK ? HK_OK : db_err(ob, src, "pending count");
}

hk_err_t offline_block_mark(offline_block_t *ob, const char *day, const char *number, bool imported)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(
        ob->db, "UPDATE offline_tickets SET status=?3 WHERE day=?1 AND number=?2", -1, &st, NULL);

    if(src == SQLITE_OK) {
        sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, imported ? 1 : 2);
        src = sqlite3_step(st);
        src = src == SQLITE_DONE ? SQLITE_OK : src;
    }
    sqlite3_finalize(st);
    return src == SQLITE_OK ? HK_OK : db_err(ob, src, "mark");
}
