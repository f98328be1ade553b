/*
 * pg_proc: a real, private PostgreSQL server for one test run (or one
 * benchmark run), from Debian's postgresql package: initdb into a fresh
 * directory under /tmp, postgres listening on a free loopback port and on a
 * unix socket in that directory, stopped and removed at the end. No libpq:
 * it only runs processes, so it lives in hk_test_support.
 *
 * PostgreSQL refuses to run as root: when the test runs as root, initdb and
 * postgres run as the user "nobody" (the directory is handed to it). The
 * server gets a parent-death signal, so a crashed test does not leave it
 * running. Password authentication (scram-sha-256) on TCP, trust on the
 * socket.
 *
 * The binaries are found in $HK_PG_BINDIR, else the newest
 * /usr/lib/postgresql/<version>/bin.
 */
#ifndef HK_TESTS_SUPPORT_PG_PROC_H
#define HK_TESTS_SUPPORT_PG_PROC_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_proc pg_proc_t; /* opaque */

#define PG_PROC_USER "hk"

/**
 * Is a PostgreSQL server installation there to run?
 * @param why  receives the reason when not (for the skip message).
 */
bool pg_proc_available(char *why, size_t why_size);

/**
 * initdb + start a server and wait until it accepts connections.
 * @param durable  false: fsync off (tests); true: PostgreSQL's defaults
 *                 (fsync, synchronous_commit on: the benchmark).
 * @param out      the running server; pg_proc_stop() it.
 * @param why      the reason on failure (the log's last lines included).
 * @return 0, or -1.
 */
int pg_proc_start(bool durable, pg_proc_t **out, char *why, size_t why_size);

/** "postgresql://hk:PASSWORD@127.0.0.1:PORT/postgres" (valid until stop). */
const char *pg_proc_url(const pg_proc_t *p);
/** The superuser's password (to check a diag never contains it). */
const char *pg_proc_password(const pg_proc_t *p);
int pg_proc_port(const pg_proc_t *p);

/**
 * Create database name (createdb) and write its URL into url.
 * @return 0, or -1 (reason on stderr).
 */
int pg_proc_createdb(pg_proc_t *p, const char *name, char *url, size_t url_size);

/**
 * Run one SQL statement with psql in database db; out receives its
 * unaligned, tuples-only output (rows on lines, columns split by '|'),
 * trailing newline removed.
 * @return 0, or -1 (psql failed; out holds its message).
 */
int pg_proc_query(pg_proc_t *p, const char *db, const char *sql, char *out, size_t out_size);

/**
 * Stop the server now (fast shutdown: sessions are ended) but keep its
 * directory: pg_proc_restart() brings it back on the same port.
 * @return 0, or -1.
 */
int pg_proc_halt(pg_proc_t *p);
int pg_proc_restart(pg_proc_t *p);

/** Stop the server, remove its directory, free p. NULL is a no-op. */
void pg_proc_stop(pg_proc_t *p);

#endif
