/*
 * store_private: the SQLite side of the store, for core modules only
 * (queue.c, rating.c, journal.c, store.c). Code outside app/core never includes it;
 * tests may, and say so where they do. Keeping sqlite3 types here is what
 * lets the UI, the net layer and the platform compile without <sqlite3.h>.
 */
#ifndef HK_APP_CORE_STORE_PRIVATE_H
#define HK_APP_CORE_STORE_PRIVATE_H

#include <sqlite3.h>

#include "hk_err.h"
#include "store.h"

/** Borrowed handle, valid until store_close(). Same thread as the store. */
sqlite3 *store_db(store_t *s);

/**
 * The one translator from a SQLite result code (extended codes too) to
 * hk_err_t. Logs nothing. SQLITE_OK/ROW/DONE give HK_OK.
 */
hk_err_t store_err(int sqlite_rc);

/**
 * A failed SQLite call as an hk_err_t: logs "what: sqlite message" at error
 * level (except for out-of-memory, which is expected under fault injection
 * and reported upward), then store_err(). A step that returned ROW where
 * DONE was expected (or the reverse) is HK_ERR_CORRUPT: the schema is not
 * what the statement assumed.
 * @param module  log module ("queue", "journal").
 */
hk_err_t store_fail(store_t *s, const char *module, const char *what, int sqlite_rc);

/**
 * The cached prepared statement for sql, preparing it on first use (with
 * SQLITE_PREPARE_PERSISTENT). The cache is keyed by the pointer sql, so
 * sql must be a string that stays valid and unchanged while the store is
 * open (a literal or a static table): one entry per distinct SQL text the
 * program uses; it never grows beyond that and is freed by store_close().
 * The statement is borrowed; hand it back with store_stmt_done() before
 * the next store_stmt() for the same text.
 * Refuses (HK_ERR_IO) when a transaction the caller opened was rolled back
 * by SQLite itself, so no statement silently runs in autocommit mode.
 */
hk_err_t store_stmt(store_t *s, const char *sql, sqlite3_stmt **out);

/** Reset a statement from store_stmt() and clear its bindings. Always call
 *  it after the last step: a SELECT left mid-way pins a WAL snapshot. */
void store_stmt_done(sqlite3_stmt *st);

/** Step a cached statement without parameters to DONE (DDL, UPDATE ...).
 *  @param module  for the log line on failure. */
hk_err_t store_run(store_t *s, const char *module, const char *sql);

#endif
