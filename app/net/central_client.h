/*
 * central_client: the HTTPS transport to head office (hall-central) over
 * libcurl (Debian's GnuTLS flavour). One client is one curl easy handle
 * with its connection cache: not thread-safe, the sync worker owns it.
 *
 * Every request verifies the server: CURLOPT_SSL_VERIFYPEER and
 * VERIFYHOST are always on (there is no switch), against central.ca_file
 * when set, and against the public-key pins when there are any. The device
 * authenticates with its client certificate (mTLS) or a bearer token.
 * https only; http only when allow_http_loopback and the host is loopback
 * (config.c checked that). No redirects are followed. Connect timeout,
 * total timeout and a low-speed abort bound every request; the response
 * body is capped by counting its bytes as they arrive. Credentials (the
 * token, key paths' contents) are never logged: a failure is logged with
 * the request path only.
 */
#ifndef HK_APP_NET_CENTRAL_CLIENT_H
#define HK_APP_NET_CENTRAL_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "central_proto.h"
#include "config.h"
#include "hk_err.h"

#define CENTRAL_CLIENT_CONNECT_MS  10000
#define CENTRAL_CLIENT_TOTAL_MS    60000
#define CENTRAL_CLIENT_LOW_SPEED_S 20 /* under 1 byte/s this long: abort */

typedef struct central_client central_client_t;

typedef struct central_client_opts {
    const config_t *cfg;      /* central.* is copied from it */
    int connect_ms;           /* 0 = CENTRAL_CLIENT_CONNECT_MS */
    int total_ms;             /* 0 = CENTRAL_CLIENT_TOTAL_MS */
    int low_speed_s;          /* 0 = CENTRAL_CLIENT_LOW_SPEED_S */
    const atomic_bool *abort; /* set (any thread): a request in flight ends
                                 at once with HK_ERR_NET; NULL = none */
} central_client_opts_t;

/* One HTTP answer. */
typedef struct central_resp {
    int status;                  /* HTTP status */
    char *body;                  /* NUL-terminated, hk_malloc'd */
    size_t len;                  /* body bytes */
    int retry_after_s;           /* Retry-After; -1 = none */
    char etag[CENTRAL_ETAG_LEN]; /* ETag header ("" = none; quotes kept) */
} central_resp_t;

/**
 * @param opts  copied.
 * @return HK_OK; HK_ERR_INVALID no url, or http:// without
 *         allow_http_loopback; HK_ERR_NOMEM.
 */
hk_err_t central_client_create(const central_client_opts_t *opts, central_client_t **out);
void central_client_destroy(central_client_t *c); /* NULL ok */

/**
 * One request to url + path.
 * @param body      request body (application/json) or NULL for none.
 * @param if_none_match  an ETag to send as If-None-Match, or NULL/"".
 * @param max_body  the response cap in bytes: past it the transfer ends
 *                  and the answer is refused.
 * @param out       filled on HK_OK (any HTTP status); central_resp_free().
 * @return HK_OK an answer arrived; HK_ERR_TLS the server failed
 *         verification (CA, host name, expiry, pin) or refused our
 *         certificate; HK_ERR_NET unreachable, reset, timed out, aborted;
 *         HK_ERR_SERVER the answer passed max_body or was not HTTP;
 *         HK_ERR_NOMEM.
 */
hk_err_t central_client_request(central_client_t *c, const char *method, const char *path,
                                const char *body, size_t body_len, const char *if_none_match,
                                size_t max_body, central_resp_t *out);
void central_resp_free(central_resp_t *r); /* NULL ok */

/** curl's words for the last failed request ("" none): host names and
 *  certificate subjects, never a credential. Valid until the next request. */
const char *central_client_last_error(const central_client_t *c);

#endif
