/*
 * store: the one place that opens and closes the SQLite database. WAL mode,
 * synchronous=FULL (customer actions must survive power loss), foreign keys
 * on, busy timeout set, schema versioned with PRAGMA user_version and
 * migrated forward on open. It owns transactions (nested: the outermost is
 * BEGIN IMMEDIATE, inner levels are savepoints) and the prepared-statement
 * cache the other core modules share. SQLite types stay inside core: core
 * modules reach the handle through store_private.h, nobody else does.
 *
 * Not thread-safe: one store_t per thread (several may open one file),
 * except store_sync().
 */
#ifndef HK_APP_CORE_STORE_H
#define HK_APP_CORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

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

/** Close; NULL is a no-op. An open transaction is rolled back. */
void store_close(store_t *s);

/** Current schema version of the open file. */
int store_schema_version(store_t *s);

/** Run PRAGMA integrity_check; HK_OK when it says "ok", else HK_ERR_CORRUPT
 *  with the first message in diag. */
hk_err_t store_integrity_check(store_t *s, hk_diag_t *diag);

/**
 * Open a transaction level. At depth 0 this is BEGIN IMMEDIATE (the write
 * lock is taken now, so the commit cannot fail for a lock another writer
 * took meanwhile); deeper levels are savepoints. Every successful begin is
 * closed by exactly one store_commit() or store_rollback().
 * @return HK_ERR_BUSY another connection held the write lock past the busy
 *         timeout; the depth is unchanged on any error.
 */
hk_err_t store_begin(store_t *s);

/**
 * Close the innermost level keeping its changes: COMMIT at depth 1 (durable
 * on HK_OK), RELEASE of the savepoint deeper down (durable only when the
 * outermost level commits). The level is closed whatever the result; on an
 * error its changes are undone (the whole transaction when SQLite had
 * already rolled it back by itself, e.g. after an I/O error).
 */
hk_err_t store_commit(store_t *s);

/**
 * Close the innermost level undoing its changes: ROLLBACK at depth 1,
 * ROLLBACK TO + RELEASE of its savepoint deeper down (outer levels keep
 * theirs). Cannot fail from the caller's view: if the savepoint cannot be
 * restored, the whole transaction is marked failed and its outermost
 * store_commit() rolls everything back and returns HK_ERR_IO.
 */
void store_rollback(store_t *s);

/** store_commit() when rc is HK_OK, else store_rollback(); returns the
 *  final result (rc, or the commit's error). For `out:` cleanup blocks. */
hk_err_t store_end(store_t *s, hk_err_t rc);

/** Open transaction levels: 0 = none (autocommit). */
int store_tx_depth(const store_t *s);

/**
 * Deferred flush, for a writer that answers after the disk and wants to
 * go on working while it waits (the hub: docs/architecture.md, group
 * commit). From now on an outermost COMMIT writes its WAL frames but does
 * not flush them (synchronous=NORMAL: SQLite still flushes around
 * checkpoints and a restarted WAL's header); store_sync() flushes the WAL,
 * from any thread. A change committed here is durable once a
 * store_sync() begun after its commit has returned HK_OK, and until then
 * nothing that shows it may leave the process: the caller's duty. Only in
 * WAL mode; otherwise (and if the WAL file cannot be opened) the store
 * stays synchronous=FULL, store_sync() does nothing and this returns
 * HK_ERR_INVALID. Call before the thread that will sync is started, with
 * no transaction open.
 * @param wal_frames  grow the WAL file to hold this many frames now (0:
 *                    leave it), so flushes overwrite blocks in place
 *                    rather than extend the file: cheaper on ext4.
 */
hk_err_t store_defer_sync(store_t *s, int wal_frames);

/**
 * Flush the WAL (fdatasync) when store_defer_sync() is on, else nothing.
 * Thread-safe: it touches only a file descriptor store_defer_sync() opened,
 * not the connection, so it may run while the owning thread writes.
 * @return HK_ERR_IO if the flush failed: nothing committed since the last
 *         good flush may be taken as durable, then or later (the kernel may
 *         have dropped the pages): the caller stops.
 */
hk_err_t store_sync(store_t *s);

/**
 * Make every commit this connection can see durable, whoever made it: a
 * reader that hands what it read to the outside world (the sync with head
 * office) calls it first, since another connection may be deferring its
 * flushes (store_defer_sync). fdatasync() of the WAL; nothing to do for a
 * rollback journal (its commits are flushed). Same thread as the store.
 */
hk_err_t store_flush(store_t *s);

/** Outermost commits that changed rows since the open: a store_sync()
 *  after this value was read covers them. Same thread as the store. */
uint64_t store_commits(const store_t *s);

/**
 * With store_defer_sync() on, SQLite does not checkpoint by itself (its
 * automatic checkpoint would run inside a COMMIT, flushing the WAL and the
 * database file there); the owner checkpoints when it suits it, e.g. when
 * idle, with store_checkpoint(). This is the WAL's length in frames
 * (pages) after the last commit, 0 once a checkpoint copied them all.
 */
int store_wal_frames(const store_t *s);

/** Copy the WAL into the database file (a passive checkpoint: it flushes
 *  the WAL first and the database file after). Same thread as the store. */
hk_err_t store_checkpoint(store_t *s);

/**
 * Record a device fault for the engineer (and later the server): printer
 * paper out, printer offline, ... The fault row and its device.fault
 * journal event are written in one transaction (nested in the caller's if
 * one is open; durable on return otherwise).
 * @param device  "printer"; @param code  "paper_out"; @param detail may be
 *        NULL or "".
 */
hk_err_t store_record_fault(store_t *s, int64_t wall_ms, const char *device, const char *code,
                            const char *detail);

/** Number of faults recorded with this device+code (tests, diagnostics). */
hk_err_t store_count_faults(store_t *s, const char *device, const char *code, int *out);

/**
 * Whether SQLite allocates through hk_malloc/hk_free in this process (so
 * hk_mem_fail_nth() reaches inside SQLite). store_open() installs the hook
 * before SQLite's first use; false if other code initialised SQLite first.
 */
bool store_mem_hooked(void);

#endif
