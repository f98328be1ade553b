/*
 * central_http: hall-central's HTTPS front (libmicrohttpd + GnuTLS): device
 * authentication (client certificate or bearer token), the /v1 endpoints
 * of central_proto.h, overload answers, and nothing of storage beyond
 * calling central_store. Each of its worker threads opens its own
 * central_store_t on the configured URL (a connection per thread).
 *
 *   POST /v1/events     batch -> ack          (400 401 403 409 413 429 503)
 *   GET  /v1/config     the device's branch config document (ETag, 304)
 *   POST /v1/heartbeat  device health -> {"server_time_ms":N}
 *   GET  /healthz       {"status":"ok","store":"sqlite"}; no authentication
 *   POST /v1/enrol      a device's first certificate for a one-time code
 *                       (central_enrol.h, opts.enrol); no authentication
 *   /t/… /login /logout /reports /v1/cases /cases/…   central_pages.h (opts.pages)
 */
#ifndef HK_SERVER_CENTRAL_HTTP_H
#define HK_SERVER_CENTRAL_HTTP_H

#include <stdint.h>

#include "central_store.h"
#include "hk_err.h"

#define CENTRAL_HTTP_MAX_CONN            1024 /* open connections at once */
#define CENTRAL_HTTP_DEFAULT_INFLIGHT    64
#define CENTRAL_HTTP_DEFAULT_RETRY_S     5
#define CENTRAL_HTTP_DEFAULT_RETRY_MAX_S 300 /* the sync client's backoff cap */
#define CENTRAL_HTTP_MAX_THREADS         64
#define CENTRAL_HTTP_SMALL_BODY_MAX      CENTRAL_SMALL_MAX_BYTES /* a heartbeat (any body but a batch) */
/* TLS 1.2 and 1.3 only, AEAD ciphers with ECDHE, the server's order. */
#define CENTRAL_HTTP_TLS_PRIORITIES                                                      \
    "SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:" \
    "+CHACHA20-POLY1305:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:"    \
    "%SERVER_PRECEDENCE"

typedef struct central_http central_http_t;

/* A bearer token's hash and the device it names (the token index). */
typedef struct central_token {
    char token_hash[65]; /* hex SHA-256 of the token */
    char device[CENTRAL_ID_LEN];
} central_token_t;

typedef struct central_http_opts {
    const char *listen;    /* "HOST:PORT" (IPv4 or localhost); port 0 = any free port */
    const char *store_url; /* every worker thread opens its own store on it */
    const char *tls_cert;  /* PEM file paths, all three required */
    const char *tls_key;
    const char *client_ca;         /* the operator CA device certificates are issued by */
    const central_token_t *tokens; /* copied; which device a bearer token names */
    int n_tokens;
    int retry_after_s;            /* the smallest Retry-After on 429/503; 0 = default */
    int retry_after_max_s;        /* the largest (it grows with the load); 0 = default */
    int max_inflight;             /* requests being served at once; 0 = default */
    int threads;                  /* worker threads; 0 = 2 per core, at least 4 */
    struct central_pages *pages;  /* people's pages (central_pages.h); NULL = none */
    alerts_t *alerts;             /* alerts raised by ingest are pushed here; NULL = none */
    alerts_limits_t alert_limits; /* set on every worker's store */
    int utc_offset_min;           /* the business days' zone for case deadlines; 0 = 480 */
    /* GET /v1/content: the branches' self-help content (central_config_content);
     * borrowed for the server's life; NULL = none (404) */
    const struct central_config *content;
    /* PROVISION: POST /v1/enrol (borrowed; NULL = 404), and the update
     * bundles the heartbeat announces (content's updates[]) */
    struct central_enrol *enrol;
} central_http_opts_t;

/**
 * Start serving HTTPS (worker threads run from here on).
 * @param o     borrowed; only for the call.
 * @param out   free with central_http_stop().
 * @param diag  why not: a bad listen address, an unreadable certificate or
 *              key, GnuTLS refusing them, the port in use.
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_IO (files); HK_ERR_TLS; HK_ERR_NET
 *         (bind); HK_ERR_NOMEM.
 */
hk_err_t central_http_start(const central_http_opts_t *o, central_http_t **out, hk_diag_t *diag);

/** The bound port (the one chosen when the listen address said 0). */
uint16_t central_http_port(const central_http_t *h);

/** Stop accepting, wait for the worker threads (closing their stores), free. NULL ok. */
void central_http_stop(central_http_t *h);

/** Parse "HOST:PORT" (an IPv4 address or localhost). diag names the value. */
hk_err_t central_http_parse_listen(const char *listen, char host[64], uint16_t *port,
                                   hk_diag_t *diag);

#endif
