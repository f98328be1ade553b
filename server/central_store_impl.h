/*
 * central_store_impl: what a storage backend provides (private to server/).
 * A backend's store struct starts with a central_store_t whose ops point at
 * its functions; central_store.c dispatches through them and does the
 * checks both backends share (arguments, url scheme).
 */
#ifndef HK_SERVER_CENTRAL_STORE_IMPL_H
#define HK_SERVER_CENTRAL_STORE_IMPL_H

#include "central_store.h"

typedef struct central_store_ops {
    const char *kind; /* "sqlite", "postgres" */
    void (*close)(central_store_t *s);
    hk_err_t (*device_put)(central_store_t *s, const central_device_t *d);
    hk_err_t (*device_get)(central_store_t *s, const char *id, central_device_t *out);
    hk_err_t (*ingest)(central_store_t *s, const central_batch_t *b, central_ack_t *ack,
                       hk_diag_t *diag);
    hk_err_t (*acked_seq)(central_store_t *s, const char *device, int64_t *out);
    hk_err_t (*count_events)(central_store_t *s, const char *device, int64_t *out);
    hk_err_t (*config_put)(central_store_t *s, const char *branch, const char *json);
    hk_err_t (*config_get)(central_store_t *s, const char *branch, char **json_out,
                           char etag_out[CENTRAL_ETAG_LEN]);
    hk_err_t (*heartbeat)(central_store_t *s, const central_heartbeat_t *hb, int64_t now_ms);
    /* enrolment codes (PROVISION) */
    hk_err_t (*enrol_code_put)(central_store_t *s, const char *code_hash, const char *device,
                               int64_t now_ms, int64_t expires_ms);
    hk_err_t (*enrol_code_take)(central_store_t *s, const char *code_hash, const char *device,
                                int64_t now_ms, central_code_state_t *state_out);
    hk_err_t (*day_events)(central_store_t *s, const char *branch, const char *day,
                           central_event_row_t **out, int *n_out);
    hk_err_t (*case_get)(central_store_t *s, const char *id, cases_case_t *out);
    hk_err_t (*case_update)(central_store_t *s, const cases_case_t *c, int64_t expected_version);
    hk_err_t (*cases_list)(central_store_t *s, const char *const *branches, int n_branches,
                           bool open_only, cases_case_t **out, int *n_out);
    hk_err_t (*alerts_list)(central_store_t *s, const char *const *branches, int n_branches,
                            int64_t since_ms, int max, alert_t **out, int *n_out);
} central_store_ops_t;

/* The part every backend shares; central_store.c sets the settings after
 * the backend's open (a backend callocs its struct: all zero until then). */
struct central_store {
    const central_store_ops_t *ops;
    int utc_offset_min;     /* central_store_set_zone; 480 */
    alerts_limits_t limits; /* central_store_set_alert_limits; off */
    alert_t *alerts;        /* raised by the last ingest (hk_malloc'd; freed at close) */
    int n_alerts, cap_alerts;
};

/** Does an event of this type open a case or raise an alert (visit.rated,
 *  ticket.called, issue.submitted)? Backends look closer only at those. */
bool central_store_type_derives(const char *type);

/**
 * The business day of an event body (its "day" string, "YYYY-MM-DD"), or ""
 * when it has none (or the body does not parse). Cheap for bodies without
 * one (no parse).
 * @return HK_OK; HK_ERR_NOMEM (the parse ran out of memory: not stored
 *         without its day).
 */
hk_err_t central_store_body_day(const char *body, char day_out[11]);

/**
 * What a newly stored event derives under s's zone and limits: *has_case
 * and *c, *has_alert and *a (pure).
 */
void central_store_derive(const central_store_t *s, const char *branch, const char *device,
                          const central_event_t *e, bool *has_case, cases_case_t *c,
                          bool *has_alert, alert_t *a);

/**
 * The ack a backend's ingest fills for b (the bookkeeping both share):
 * device and n_results set, results[i] = b's seq and uuid with the status
 * CENTRAL_STORED (the backend marks the duplicates), acked_seq 0. Frees
 * what ack held before (a retry starts afresh).
 * @return HK_OK; HK_ERR_NOMEM (ack left empty).
 */
hk_err_t central_store_ack_open(const central_batch_t *b, central_ack_t *ack);

/** An ingest failed: free what ack holds and leave it all zero. */
void central_store_ack_drop(central_ack_t *ack);

/** Append an alert to s's last-ingest list. HK_ERR_NOMEM. */
hk_err_t central_store_alert_add(central_store_t *s, const alert_t *a);

/* The backends' open functions; url is the whole URL as configured. */
hk_err_t central_sqlite_open(const char *url, central_store_t **out, hk_diag_t *diag);
/* Built only when libpq was found (HK_HAVE_LIBPQ); otherwise central_store_open
 * refuses postgres:// URLs with "this build has no PostgreSQL support". */
hk_err_t central_pg_open(const char *url, central_store_t **out, hk_diag_t *diag);

/**
 * The ETag of a configuration document: a hash of the exact text
 * (BLAKE2b-128, lower-case hex) in double quotes, the same in every backend
 * and instance. Backends call it in config_put.
 * @param etag_out  receives the quoted tag (34 bytes with the NUL).
 */
void central_store_etag(const char *json, char etag_out[CENTRAL_ETAG_LEN]);

#endif
