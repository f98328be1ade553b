/*
 * central_store: hall-central's storage, behind one interface with two
 * backends: SQLite (embedded, the default: "sqlite:/var/lib/hall-central/central.db")
 * and PostgreSQL through libpq for fleets ("postgres://user@host/db" or
 * "postgresql://..."). Both pass the same test suite (tests/central/).
 *
 * hall-central keeps no state that matters in memory: everything a second
 * instance needs is in the database, so several instances may serve one
 * PostgreSQL database. Idempotence is enforced by the database (unique
 * (device, seq) and unique uuid), not by the process, so retries that
 * interleave across instances still store each event once.
 *
 * Threading: one central_store_t per thread (a connection each); open
 * several on the same URL for several threads.
 */
#ifndef HK_SERVER_CENTRAL_STORE_H
#define HK_SERVER_CENTRAL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "central_proto.h"
#include "hk_err.h"

typedef struct central_store central_store_t; /* opaque */

/**
 * Open (and create or migrate the schema of) the store named by url.
 * @return HK_OK; HK_ERR_INVALID unknown scheme (diag names it); HK_ERR_IO
 *         cannot open or connect (diag says why, never a password).
 */
hk_err_t central_store_open(const char *url, central_store_t **out, hk_diag_t *diag);
void central_store_close(central_store_t *s);

/** "sqlite" or "postgres". */
const char *central_store_kind(const central_store_t *s);

/* ---- devices ---------------------------------------------------------------
 * The registry of devices allowed to talk: id, branch, and how they
 * authenticate (a token hash, and/or a client certificate whose CN is the
 * device id, issued by the operator CA). Unknown devices are refused. */
typedef struct central_device {
    char id[CENTRAL_ID_LEN];
    char branch[CENTRAL_ID_LEN];
    char token_hash[65]; /* hex SHA-256 of the bearer token; "" = cert only */
    bool enabled;
} central_device_t;

hk_err_t central_store_device_put(central_store_t *s, const central_device_t *d);
/** HK_ERR_NOT_FOUND when unknown. */
hk_err_t central_store_device_get(central_store_t *s, const char *id, central_device_t *out);

/* ---- events ------------------------------------------------------------------ */

/**
 * Store a decoded batch idempotently, in one transaction, for the device
 * the request was authenticated as (the caller checked b->device matches).
 * Per event: new -> CENTRAL_STORED; the same (device, seq, uuid, type,
 * time_ms, body) already held -> CENTRAL_DUPLICATE; a uuid or (device,
 * seq) already held with other content -> HK_ERR_CONFLICT, nothing of the
 * batch stored, diag names the event ("events[3]: uuid … already held with
 * other content").
 * @param ack  filled (device, acked_seq = highest contiguous seq held from
 *             1, one result per event); free with central_ack_free().
 * @return HK_OK; HK_ERR_CONFLICT; HK_ERR_IO (database down: the caller
 *         answers 503 with Retry-After); HK_ERR_BUSY (serialisation
 *         failure that survived the retries; also 503).
 */
hk_err_t central_store_ingest(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                              hk_diag_t *diag);

/** Highest contiguous seq held for device (0 = none). */
hk_err_t central_store_acked_seq(central_store_t *s, const char *device, int64_t *out);

/** Events held for device (a test and report helper). */
hk_err_t central_store_count_events(central_store_t *s, const char *device, int64_t *out);

/* ---- configuration documents ---------------------------------------------------
 * One per branch: the JSON text served at GET /v1/config and its ETag
 * (a hash of the text, quoted), stored so every instance serves the same. */
hk_err_t central_store_config_put(central_store_t *s, const char *branch, const char *json);
/** @param json_out  hk_malloc'd text (hk_free it). HK_ERR_NOT_FOUND when none. */
hk_err_t central_store_config_get(central_store_t *s, const char *branch, char **json_out,
                                  char etag_out[CENTRAL_ETAG_LEN]);

/* ---- heartbeats ------------------------------------------------------------------ */
hk_err_t central_store_heartbeat(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms);

#endif
