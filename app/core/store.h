/*
 * store: the one place that opens and closes the SQLite database. WAL mode,
 * synchronous=FULL (customer actions must survive power loss), foreign keys
 * on, busy timeout set, schema versioned with PRAGMA user_version and
 * migrated forward on open. Other core modules get the sqlite3 handle from
 * here and never open the file themselves.
 */
#ifndef HK_APP_CORE_STORE_H
#define HK_APP_CORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "hk_err.h"

typedef struct store store_t;

/** Latest schema version this build knows. */
int store_schema_latest(void);

/**
 * Open (creating if needed) and migrate the database at path.
 * A database from a newer build (user_version > latest) is refused with
 * HK_ERR_CORRUPT and a diag naming both versions; it is not modified.
 * @param out   receives the store; free with store_close().
 * @param diag  may be NULL.
 */
hk_err_t store_open(const char *path, store_t **out, hk_diag_t *diag);

/**
 * Open and migrate up to (not beyond) version target; tests use it to build
 * old-schema files and check that later migrations keep their rows.
 */
hk_err_t store_open_at_version(const char *path, int target, store_t **out, hk_diag_t *diag);

/** Close; NULL is a no-op. */
void store_close(store_t *s);

/** Borrowed handle, valid until store_close(). Not thread-safe. */
sqlite3 *store_db(store_t *s);

/** Current schema version of the open file. */
int store_schema_version(store_t *s);

/** Run PRAGMA integrity_check; HK_OK when it says "ok", else HK_ERR_CORRUPT
 *  with the first message in diag. */
hk_err_t store_integrity_check(store_t *s, hk_diag_t *diag);

/**
 * Record a device fault for the engineer (and later the server): printer
 * paper out, printer offline, ... Committed durably.
 * @param device  "printer"; @param code  "paper_out"; @param detail may be "".
 */
hk_err_t store_record_fault(store_t *s, int64_t wall_ms, const char *device, const char *code,
                            const char *detail);

/** Number of faults recorded with this device+code (tests, diagnostics). */
hk_err_t store_count_faults(store_t *s, const char *device, const char *code, int *out);

/** Translate a SQLite result to hk_err_t (logs nothing). */
hk_err_t store_err(int sqlite_rc);

/**
 * Whether SQLite allocates through hk_malloc/hk_free in this process (so
 * hk_mem_fail_nth() reaches inside SQLite). store_open() installs the hook
 * before SQLite's first use; false if other code initialised SQLite first.
 */
bool store_mem_hooked(void);

#endif
