/*
 * net_curl: the libcurl pieces the LAN client and the head-office client
 * share: curl's one-time global set-up, a response body capped by counting
 * bytes as they arrive, the progress hook that ends a transfer when a stop
 * flag is raised, and one translation of CURLcode to hk_err_t (with curl's
 * error text in the log, never a header or a credential).
 */
#ifndef HK_APP_NET_NET_CURL_H
#define HK_APP_NET_NET_CURL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "hk_err.h"

/* A growing response body, refused past max bytes. */
typedef struct net_body {
    char *data; /* hk_malloc'd; NUL-terminated by net_body_finish() */
    size_t len, cap;
    size_t max; /* the cap, bytes */
    bool over;  /* the cap was passed: the transfer was ended */
    bool nomem; /* an allocation failed: the transfer was ended */
} net_body_t;

/**
 * curl_global_init() once per process (thread-safe).
 * @return false when curl could not be set up.
 */
bool net_curl_global(void);

/** A CURLOPT_WRITEFUNCTION for a net_body_t (CURLOPT_WRITEDATA). */
size_t net_curl_on_body(char *ptr, size_t size, size_t nmemb, void *user);

/**
 * After curl_easy_perform(): the transfer's result (net_curl_map(), logged
 * under mod with method and path), and on HK_OK the body terminated (an
 * empty one allocated if nothing came). On failure b->data is freed.
 * @return HK_OK; HK_ERR_SERVER the answer passed b->max; HK_ERR_NOMEM;
 *         as net_curl_map().
 */
hk_err_t net_body_finish(net_body_t *b, CURLcode cc, const char *errbuf, const char *mod,
                         const char *method, const char *path);

/** A CURLOPT_XFERINFOFUNCTION: ends the transfer once the atomic_bool
 *  passed as CURLOPT_XFERINFODATA is true. */
int net_curl_on_abort(void *user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d);

/** Install net_curl_on_abort for stop (NULL: nothing). */
void net_curl_set_abort(CURL *curl, const atomic_bool *stop);

/* The transport rules both clients set on every request. */
typedef struct net_tls {
    const char *ca_file;     /* the only CA trusted ("" = the system's) */
    const char *pins;        /* "sha256//A;sha256//B" or "" */
    const char *client_cert; /* mTLS certificate and key, or "" */
    const char *client_key;
} net_tls_t;

/**
 * Verification always on (peer and host name), TLS 1.2 or newer; with a
 * CA file that CA and nothing else (CAINFO, and CAPATH NULL: Debian's
 * libcurl would also trust /etc/ssl/certs); the pins; the client
 * certificate. No switch turns verification off.
 */
void net_curl_tls(CURL *curl, const net_tls_t *t);

/**
 * The rest both clients share: no signals, the connect timeout, curl's
 * error text into errbuf (CURL_ERROR_SIZE, cleared here), the user agent
 * and the stop flag (NULL: none).
 */
void net_curl_common(CURL *curl, long connect_ms, char *errbuf, const char *agent,
                     const atomic_bool *stop);

/**
 * A client's start: curl set up (net_curl_global), size bytes zeroed and a
 * fresh easy handle in *curl, and the base URL copied into url (cap bytes)
 * without its trailing slashes.
 * @return the block (hk_free it after curl_easy_cleanup(*curl)); NULL when
 *         out of memory (nothing allocated).
 */
void *net_curl_client_new(size_t size, CURL **curl, char *url, size_t cap, const char *base_url);

/** Free a response's body and zero its length (NULL body ok). */
void net_curl_free_body(char **body, size_t *len);

/**
 * Translate a transfer's result, logging it under mod with what (a path,
 * never a URL with credentials) and curl's error buffer.
 * @return HK_OK; HK_ERR_NOMEM; HK_ERR_TLS the peer failed verification (or
 *         a pin); HK_ERR_SERVER not HTTP, a protocol refused; HK_ERR_NET
 *         anything else (unreachable, reset, timed out, aborted).
 */
hk_err_t net_curl_map(CURLcode cc, const char *errbuf, const char *mod, const char *what);

#endif
