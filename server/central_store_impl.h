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
} central_store_ops_t;

struct central_store {
    const central_store_ops_t *ops;
};

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
