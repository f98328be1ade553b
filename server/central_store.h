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

#include "alerts.h"
#include "cases.h"
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

/* ---- enrolment codes (PROVISION, issue 9.4) --------------------------------------
 * One-time codes an engineer types into `hallctl provision`: only their
 * SHA-256 is stored, with the device they enrol, when they expire and when
 * they were used. Taking one is a single conditional UPDATE, so two
 * instances (or threads) racing on one code let exactly one win. */
typedef enum central_code_state {
    CENTRAL_CODE_TAKEN = 0, /* it was valid: now used */
    CENTRAL_CODE_UNKNOWN,   /* no such code for this device */
    CENTRAL_CODE_EXPIRED,
    CENTRAL_CODE_USED /* taken before */
} central_code_state_t;

/**
 * Store a new code's hash for device, valid until expires_ms.
 * @param code_hash  64 lower-case hex digits (SHA-256 of the canonical code).
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_IO/BUSY.
 */
hk_err_t central_store_enrol_code_put(central_store_t *s, const char *code_hash, const char *device,
                                      int64_t now_ms, int64_t expires_ms);

/**
 * Use a code once: if code_hash names an unused, unexpired code of device,
 * mark it used at now_ms (*state_out = CENTRAL_CODE_TAKEN); otherwise say why.
 * @return HK_OK (state set); HK_ERR_INVALID; HK_ERR_IO/BUSY.
 */
hk_err_t central_store_enrol_code_take(central_store_t *s, const char *code_hash,
                                       const char *device, int64_t now_ms,
                                       central_code_state_t *state_out);

/* ---- what reports, cases, alerts and the status page read ---------------------------
 * Ingest also records, in the same transaction (so exactly once however
 * retries interleave): each event's branch (its device's) and business
 * day (the body's "day"; NULL when it has none), the follow-up case an
 * event opens (cases_from_event, keyed by the event's uuid) and the alert
 * it raises (alerts_from_event with the store's limits, keyed by uuid).
 * Ingest reports the alerts it raised in this batch so the HTTP layer can
 * push them to the webhook after the commit. */

/* One stored event with its device (rows of central_store_day_events). */
typedef struct central_event_row {
    char device[CENTRAL_ID_LEN];
    central_event_t ev; /* ev.body owned by the array */
} central_event_row_t;

/**
 * Every event of one branch and business day, all its devices, ordered by
 * (device, seq).
 * @param out  array of *n_out rows (NULL when none); free with
 *             central_event_rows_free().
 */
hk_err_t central_store_day_events(central_store_t *s, const char *branch, const char *day,
                                  central_event_row_t **out, int *n_out);
void central_event_rows_free(central_event_row_t *rows, int n);

/**
 * The local time zone of the business days, as minutes east of UTC (China:
 * 480, the default): the deadline of the cases ingest opens counts working
 * days (Monday..Friday) from the local day the event happened on.
 */
void central_store_set_zone(central_store_t *s, int utc_offset_min);

/** The alert thresholds ingest applies (0 = off); default off. */
void central_store_set_alert_limits(central_store_t *s, const alerts_limits_t *lim);

/**
 * Alerts raised by the last successful central_store_ingest() on this
 * store handle (0..n; valid until the next ingest).
 */
int central_store_last_alerts(central_store_t *s, const alert_t **out);

/** One case by id (its source event's uuid); HK_ERR_NOT_FOUND. */
hk_err_t central_store_case_get(central_store_t *s, const char *id, cases_case_t *out);

/**
 * Save a case changed by cases_apply(), if its stored version is still
 * expected_version (optimistic: two managers acting at once cannot lose
 * each other's change): HK_ERR_CONFLICT otherwise. The version rises by
 * one per save.
 */
hk_err_t central_store_case_update(central_store_t *s, const cases_case_t *c,
                                   int64_t expected_version);

/**
 * Cases of a set of branches (NULL/0 = all), open ones only or all,
 * ordered by deadline. out: hk_malloc'd array of *n_out (hk_free it).
 */
hk_err_t central_store_cases_list(central_store_t *s, const char *const *branches, int n_branches,
                                  bool open_only, cases_case_t **out, int *n_out);

/** Alerts of a set of branches (NULL/0 = all) since since_ms, newest first, at most max. */
hk_err_t central_store_alerts_list(central_store_t *s, const char *const *branches, int n_branches,
                                   int64_t since_ms, int max, alert_t **out, int *n_out);

#endif
