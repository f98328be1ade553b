/*
 * central_http: see central_http.h.
 *
 * Design notes
 *   Threads: MHD runs a pool of worker threads (MHD_OPTION_THREAD_POOL_SIZE)
 *   each polling its share of the connections, not a thread per
 *   connection: 500 devices uploading at once would be 500 threads and 500
 *   database connections; a pool of 2 per core keeps both small while a
 *   request's work (a decode, one transaction) is short. A worker thread
 *   opens its own central_store_t on first use and keeps it in a
 *   pthread key whose destructor closes it when MHD ends the thread (at
 *   central_http_stop). If the store cannot be opened (the database is
 *   down) the request gets 503 and the next one tries again.
 *   Request life (MHD's *req_cls is a req_t):
 *     first call (headers only): the in-flight count is taken (over
 *       max_inflight -> 429 with Retry-After); the device is authenticated
 *       (-> 401 before any body is read); the route and method are checked
 *       (404/405); a Content-Length over CENTRAL_BATCH_MAX_BYTES -> 413.
 *       Answering here, before the body, makes MHD close the connection
 *       after the answer instead of reading the upload.
 *     body calls: the body is copied into a buffer capped at
 *       CENTRAL_BATCH_MAX_BYTES; over it, the rest is read and dropped and
 *       the answer is 413.
 *     last call: the endpoint runs.
 *     on_completed: the in-flight count is given back, the req_t freed.
 *   Authentication: a client certificate counts when one was presented: it
 *   must verify against client_ca (MHD requests one when given a trust
 *   list, but does not verify it) for TLS client use, and its CN names the
 *   device. Otherwise "Authorization: Bearer T": SHA-256(T) in hex is
 *   looked up in the token index (sorted, binary search on the hash: what
 *   the search's timing shows is about a hash, not the token) and the
 *   device's stored token_hash is compared in constant time. Either way the
 *   device must be in the store's registry and enabled; a certificate and a
 *   token sent together must name the same device. A bad or missing
 *   credential and an unknown device are all 401.
 *   Answers: JSON (central_error_encode for errors), HSTS and no-store on
 *   every one; 429 (too many in flight) and 503 (the store is down or
 *   busy) carry Retry-After, which grows with the load: the requests in
 *   flight and the returns already promised over the drain rate measured
 *   while busy, with a random spread (central_pacer.h), between
 *   retry_after_s and retry_after_max_s. A fixed value sent everyone
 *   refused in one second back in one second, in waves.
 */
#include "central_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "central_config.h"
#include "central_enrol.h"
#include "central_pacer.h"
#include "central_pages.h"
#include "central_proto.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "mhd_setup.h"

#define LOG_MOD           "central"
#define CONN_MEMORY_LIMIT (64 * 1024) /* headers and MHD's read buffer per connection */
#define CONN_TIMEOUT_S    30
#define HSTS              "max-age=31536000"

typedef enum route {
    ROUTE_NONE = 0,
    ROUTE_EVENTS,
    ROUTE_CONFIG,
    ROUTE_HEARTBEAT,
    ROUTE_HEALTH,
    ROUTE_PAGE,    /* central_pages: people, not devices */
    ROUTE_CONTENT, /* GET /v1/content: the self-help content (do_content) */
    ROUTE_ENROL    /* POST /v1/enrol (PROVISION): no credentials yet */
} route_t;

struct central_http {
    struct MHD_Daemon *d;
    uint16_t port;
    char *store_url;
    char *tls_cert, *tls_key, *client_ca; /* PEM texts: MHD reads them for its lifetime */
    central_token_t *tokens;              /* sorted by token_hash */
    int n_tokens;
    central_pacer_t pacer; /* the Retry-After of 429 and 503 */
    bool pacer_made;
    int max_inflight;
    atomic_int inflight;
    pthread_key_t store_key;
    bool key_made;
    central_pages_t *pages; /* borrowed; NULL = no pages */
    alerts_t *alerts;       /* borrowed; NULL = no webhook */
    alerts_limits_t alert_limits;
    int utc_offset_min;
    const struct central_config *content; /* borrowed; NULL = no content */
    central_enrol_t *enrol;               /* borrowed; NULL = no enrolment */
};

/* Per request (MHD's *req_cls). */
typedef struct req {
    route_t route;
    bool counted;   /* holds one in-flight slot */
    bool refused;   /* answered 429/503 for load: not served work */
    int64_t t0_ms;  /* the headers came in (monotonic) */
    bool answered;  /* a response was queued at the first call */
    bool too_large; /* the body went over the cap: dropped, answered 413 */
    central_device_t dev;
    size_t cap;      /* the route's body cap */
    size_t body_cap; /* bytes expected: Content-Length, else cap */
    char *body;
    size_t len;
} req_t;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls);
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe);
static int token_cmp(const void *a, const void *b);
static void store_destroy(void *p);
static int64_t mono_ms(void);

/* ---- lifecycle ------------------------------------------------------------------ */

hk_err_t central_http_parse_listen(const char *listen, char host[64], uint16_t *port,
                                   hk_diag_t *diag)
{
    struct sockaddr_in sa;
    hk_err_t rc = mhd_setup_parse_listen(listen, "listen", &sa, diag);

    if(rc != HK_OK)
        return rc;
    (void)inet_ntop(AF_INET, &sa.sin_addr, host, 64);
    *port = ntohs(sa.sin_port);
    return HK_OK;
}

hk_err_t central_http_start(const central_http_opts_t *o, central_http_t **out, hk_diag_t *diag)
{
    const union MHD_DaemonInfo *info;
    struct sockaddr_in sa;
    central_http_t *h;
    char host[64];
    uint16_t port = 0;
    unsigned int threads;
    hk_err_t rc;
    long ncpu;

    *out = NULL;
    rc = central_http_parse_listen(o->listen, host, &port, diag);
    if(rc != HK_OK)
        return rc;
    if(!o->store_url || !o->tls_cert || !o->tls_key || !o->client_ca) {
        hk_diag_set(diag, "%s: missing",
                    !o->store_url  ? "store"
                    : !o->tls_cert ? "tls_cert"
                    : !o->tls_key  ? "tls_key"
                                   : "client_ca");
        return HK_ERR_INVALID;
    }
    if(MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        hk_diag_set(diag, "this libmicrohttpd was built without TLS");
        return HK_ERR_TLS;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    (void)inet_pton(AF_INET, host, &sa.sin_addr); /* checked by parse_listen */
    h = hk_calloc(1, sizeof(*h));
    if(!h)
        return HK_ERR_NOMEM;
    atomic_init(&h->inflight, 0);
    h->max_inflight = o->max_inflight > 0 ? o->max_inflight : CENTRAL_HTTP_DEFAULT_INFLIGHT;
    {
        int lo = o->retry_after_s > 0 ? o->retry_after_s : CENTRAL_HTTP_DEFAULT_RETRY_S;
        int hi = o->retry_after_max_s > 0 ? o->retry_after_max_s : CENTRAL_HTTP_DEFAULT_RETRY_MAX_S;
        /* until measured: every slot's request served within a second */
        central_pacer_init(&h->pacer, lo, hi > lo ? hi : lo, h->max_inflight, mono_ms());
        h->pacer_made = true;
    }
    h->pages = o->pages;
    h->alerts = o->alerts;
    h->content = o->content;
    h->enrol = o->enrol;
    h->alert_limits = o->alert_limits;
    h->utc_offset_min = o->utc_offset_min ? o->utc_offset_min : 480;
    h->store_url = hk_strdup(o->store_url);
    rc = h->store_url ? HK_OK : HK_ERR_NOMEM;
    if(rc == HK_OK && o->n_tokens > 0) {
        h->tokens = hk_calloc((size_t)o->n_tokens, sizeof(*h->tokens));
        if(h->tokens) {
            memcpy(h->tokens, o->tokens, (size_t)o->n_tokens * sizeof(*h->tokens));
            h->n_tokens = o->n_tokens;
            qsort(h->tokens, (size_t)h->n_tokens, sizeof(*h->tokens), token_cmp);
        } else {
            rc = HK_ERR_NOMEM;
        }
    }
    if(rc == HK_OK)
        rc = mhd_setup_read_pem(o->tls_cert, "tls_cert", &h->tls_cert, diag);
    if(rc == HK_OK)
        rc = mhd_setup_read_pem(o->tls_key, "tls_key", &h->tls_key, diag);
    if(rc == HK_OK)
        rc = mhd_setup_read_pem(o->client_ca, "client_ca", &h->client_ca, diag);
    if(rc == HK_OK) {
        if(pthread_key_create(&h->store_key, store_destroy) == 0)
            h->key_made = true;
        else
            rc = HK_ERR_NOMEM;
    }
    if(rc != HK_OK) {
        central_http_stop(h);
        return rc;
    }
    if(o->threads > 0) {
        threads = (unsigned int)o->threads;
    } else {
        ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        threads = ncpu > 0 ? (unsigned int)ncpu * 2 : 4;
        if(threads < 4)
            threads = 4;
    }
    if(threads > CENTRAL_HTTP_MAX_THREADS)
        threads = CENTRAL_HTTP_MAX_THREADS;
    h->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_setup_log, (void *)LOG_MOD,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CENTRAL_HTTP_MAX_CONN,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_LIMIT,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, h, MHD_OPTION_HTTPS_MEM_KEY, h->tls_key, MHD_OPTION_HTTPS_MEM_CERT,
        h->tls_cert, MHD_OPTION_HTTPS_MEM_TRUST, h->client_ca, MHD_OPTION_HTTPS_PRIORITIES,
        CENTRAL_HTTP_TLS_PRIORITIES, MHD_OPTION_END);
    if(!h->d) {
        hk_diag_set(diag,
                    "cannot serve HTTPS on %s (the port is in use, or GnuTLS refused the "
                    "certificate, key or CA: see the log)",
                    o->listen);
        central_http_stop(h);
        return HK_ERR_NET;
    }
    info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    *out = h;
    return HK_OK;
}

uint16_t central_http_port(const central_http_t *h)
{
    return h ? h->port : 0;
}

void central_http_stop(central_http_t *h)
{
    if(!h)
        return;
    if(h->d)
        MHD_stop_daemon(h->d); /* joins the workers: their stores close through the key */
    if(h->key_made)
        (void)pthread_key_delete(h->store_key);
    if(h->pacer_made)
        central_pacer_destroy(&h->pacer);
    hk_free(h->store_url);
    hk_free(h->tokens);
    if(h->tls_key)
        sodium_memzero(h->tls_key, strlen(h->tls_key));
    hk_free(h->tls_key);
    hk_free(h->tls_cert);
    hk_free(h->client_ca);
    hk_free(h);
}

/* ---- per-thread store ----------------------------------------------------------- */

static void store_destroy(void *p)
{
    central_store_close(p);
}

/* This worker thread's store, opened on first use. NULL: cannot open
 * (*rc_out says why; the caller answers 503). */
static central_store_t *thread_store(central_http_t *h, hk_err_t *rc_out)
{
    central_store_t *s = pthread_getspecific(h->store_key);
    hk_diag_t diag;

    *rc_out = HK_OK;
    if(s)
        return s;
    hk_diag_clear(&diag);
    *rc_out = central_store_open(h->store_url, &s, &diag);
    if(*rc_out != HK_OK) {
        hk_log_error(LOG_MOD, "cannot open the store: %s", diag.msg);
        return NULL;
    }
    central_store_set_alert_limits(s, &h->alert_limits);
    central_store_set_zone(s, h->utc_offset_min);
    if(pthread_setspecific(h->store_key, s) != 0) {
        central_store_close(s);
        *rc_out = HK_ERR_NOMEM;
        return NULL;
    }
    return s;
}

/* A store error on this thread's connection: drop it, so the next request
 * reconnects (a restarted PostgreSQL, a replaced file). */
static void thread_store_reset(central_http_t *h)
{
    central_store_t *s = pthread_getspecific(h->store_key);

    if(s) {
        (void)pthread_setspecific(h->store_key, NULL);
        central_store_close(s);
    }
}

/* ---- responses --------------------------------------------------------------------- */

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Refusing r for load: its Retry-After, grown with the queue (central_pacer.h). */
static int retry_after(central_http_t *h, req_t *r)
{
    if(r)
        r->refused = true;
    return central_pacer_refuse(&h->pacer, atomic_load(&h->inflight), mono_ms(),
                                randombytes_random());
}

/* Queue an answer: body (may be NULL for none, copied), and the headers
 * every answer has. etag and retry_after_s (> 0) add theirs. */
static enum MHD_Result send_resp(struct MHD_Connection *c, unsigned int status, const char *body,
                                 size_t len, const char *etag, int retry_after_s, const char *allow)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char retry[16];

    resp = MHD_create_response_from_buffer(body ? len : 0, (void *)(uintptr_t)(body ? body : ""),
                                           MHD_RESPMEM_MUST_COPY);
    if(!resp)
        return MHD_NO;
    (void)MHD_add_response_header(resp, "Strict-Transport-Security", HSTS);
    (void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if(body)
        (void)MHD_add_response_header(resp, "Content-Type", "application/json");
    /* a config document may be revalidated (ETag); nothing else is cached */
    (void)MHD_add_response_header(resp, "Cache-Control", etag ? "no-cache" : "no-store");
    if(etag)
        (void)MHD_add_response_header(resp, "ETag", etag);
    if(allow)
        (void)MHD_add_response_header(resp, "Allow", allow);
    if(retry_after_s > 0) {
        snprintf(retry, sizeof(retry), "%d", retry_after_s);
        (void)MHD_add_response_header(resp, "Retry-After", retry);
    }
    if(status == 401)
        (void)MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"hall-central\"");
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Cut s to at most cap-1 bytes on a UTF-8 character boundary. */
static void clip_utf8(char *s, size_t cap)
{
    size_t n = strlen(s);

    if(n < cap)
        return;
    n = cap - 1;
    while(n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    s[n] = '\0';
}

static enum MHD_Result send_error_full(struct MHD_Connection *c, unsigned int status,
                                       const char *code, const char *message, int retry_after_s,
                                       const char *allow)
{
    char msg[CENTRAL_TEXT_LEN];
    char *json = NULL;
    size_t len = 0;
    enum MHD_Result ret;

    snprintf(msg, sizeof(msg), "%s", message);
    clip_utf8(msg, sizeof(msg));
    if(central_error_encode(code, msg, &json, &len) != HK_OK)
        return MHD_NO;
    ret = send_resp(c, status, json, len, NULL, retry_after_s, allow);
    hk_free(json);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned int status, const char *code,
                                  const char *message)
{
    return send_error_full(c, status, code, message, 0, NULL);
}

/* The store failed: 503 (down: IO) with Retry-After; anything else 500. */
static enum MHD_Result send_store_error(central_http_t *h, struct MHD_Connection *c, req_t *r,
                                        hk_err_t rc)
{
    if(rc == HK_ERR_IO || rc == HK_ERR_BUSY || rc == HK_ERR_NET) {
        if(rc != HK_ERR_BUSY)
            thread_store_reset(h);
        return send_error_full(c, 503, "unavailable",
                               rc == HK_ERR_BUSY ? "the database is busy; retry later"
                                                 : "the database is unavailable; retry later",
                               retry_after(h, r), NULL);
    }
    return send_error(c, 500, "internal", hk_err_str(rc));
}

/* ---- authentication ----------------------------------------------------------------- */

/* The client certificate's CN, when the peer presented one.
 * @return 1 verified (cn filled), 0 none presented, -1 presented but not
 *         trusted (why filled). */
static int peer_cert_cn(struct MHD_Connection *c, char *cn, size_t cap, char *why, size_t why_cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_typed_vdata_st purpose;
    const gnutls_datum_t *chain;
    gnutls_x509_crt_t crt = NULL;
    gnutls_session_t sess;
    unsigned int n = 0, status = 0;
    size_t len = cap;
    int grc;

    if(!ci || !ci->tls_session)
        return 0;
    sess = (gnutls_session_t)ci->tls_session;
    chain = gnutls_certificate_get_peers(sess, &n);
    if(!chain || n == 0)
        return 0;
    /* verified against client_ca (the daemon's trust list), for TLS client use */
    memset(&purpose, 0, sizeof(purpose));
    purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
    purpose.data = (unsigned char *)(uintptr_t)GNUTLS_KP_TLS_WWW_CLIENT;
    grc = gnutls_certificate_verify_peers(sess, &purpose, 1, &status);
    if(grc < 0 || status != 0) {
        gnutls_datum_t out = { NULL, 0 };
        if(grc >= 0 &&
           gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) >= 0) {
            snprintf(why, why_cap, "client certificate not trusted: %s", (const char *)out.data);
            gnutls_free(out.data);
        } else {
            snprintf(why, why_cap, "client certificate not trusted: %s", gnutls_strerror(grc));
        }
        return -1;
    }
    if(gnutls_x509_crt_init(&crt) < 0)
        return -1;
    grc = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER);
    if(grc >= 0)
        grc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len);
    gnutls_x509_crt_deinit(crt);
    if(grc < 0 || len == 0 || len >= cap) {
        snprintf(why, why_cap, "client certificate has no usable CN");
        return -1;
    }
    cn[len] = '\0';
    return 1;
}

/* The device a bearer token names: index lookup, then the registry's hash
 * compared in constant time. false: no such token. */
static bool token_device(const central_http_t *h, const char *token, char hash_hex[65],
                         char *device, size_t cap)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    central_token_t key, *hit;

    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash_hex, 65, digest, sizeof(digest));
    if(h->n_tokens == 0)
        return false;
    memset(&key, 0, sizeof(key));
    memcpy(key.token_hash, hash_hex, 65);
    hit = bsearch(&key, h->tokens, (size_t)h->n_tokens, sizeof(*h->tokens), token_cmp);
    if(!hit)
        return false;
    snprintf(device, cap, "%s", hit->device);
    return true;
}

/* Who is calling. On false the answer was queued (401 or 503). */
static bool authenticate(central_http_t *h, struct MHD_Connection *c, central_store_t *s, req_t *r,
                         enum MHD_Result *ret)
{
    central_device_t *dev = &r->dev;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char id[CENTRAL_ID_LEN], why[160], hash[65];
    bool by_token = false;
    hk_err_t rc;
    int cert;

    why[0] = '\0';
    cert = peer_cert_cn(c, id, sizeof(id), why, sizeof(why));
    if(cert < 0) {
        *ret = send_error(c, 401, "unauthorized", why);
        return false;
    }
    if(cert == 0) {
        if(!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7]) {
            *ret = send_error(c, 401, "unauthorized",
                              "no credentials: a client certificate or a bearer token");
            return false;
        }
        if(!token_device(h, auth + 7, hash, id, sizeof(id))) {
            *ret = send_error(c, 401, "unauthorized", "unknown token");
            return false;
        }
        by_token = true;
    } else if(auth && !strncasecmp(auth, "Bearer ", 7) && auth[7]) {
        /* both: they must name the same device (and the token must be its) */
        char tid[CENTRAL_ID_LEN];
        if(!token_device(h, auth + 7, hash, tid, sizeof(tid)) || strcmp(tid, id) != 0) {
            *ret = send_error(c, 401, "unauthorized",
                              "the client certificate and the token name different devices");
            return false;
        }
        by_token = true;
    }
    rc = central_store_device_get(s, id, dev);
    if(rc == HK_ERR_NOT_FOUND || rc == HK_ERR_INVALID) {
        hk_log_warn(LOG_MOD, "refused unknown device \"%s\"", id);
        *ret = send_error(c, 401, "unauthorized", "unknown device");
        return false;
    }
    if(rc != HK_OK) {
        *ret = send_store_error(h, c, r, rc);
        return false;
    }
    if(by_token &&
       (strlen(dev->token_hash) != 64 || sodium_memcmp(dev->token_hash, hash, 64) != 0)) {
        *ret = send_error(c, 401, "unauthorized", "unknown token");
        return false;
    }
    if(!dev->enabled) {
        *ret = send_error(c, 401, "unauthorized", "device disabled");
        return false;
    }
    return true;
}

/* ---- endpoints -------------------------------------------------------------------------- */

static enum MHD_Result do_events(central_http_t *h, struct MHD_Connection *c, central_store_t *s,
                                 req_t *r)
{
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag;
    char msg[CENTRAL_TEXT_LEN + 64];
    char *json = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    hk_err_t rc;

    memset(&b, 0, sizeof(b));
    hk_diag_clear(&diag);
    rc = central_batch_decode(r->body ? r->body : "", r->len, &b, &diag);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_error(c, 400, "invalid_request", diag.msg[0] ? diag.msg : "not a batch");
    if(strcmp(b.device, r->dev.id) != 0 || strcmp(b.branch, r->dev.branch) != 0) {
        snprintf(msg, sizeof(msg), "the batch names %s of %s; you are %s of %s", b.device, b.branch,
                 r->dev.id, r->dev.branch);
        central_batch_free(&b);
        return send_error(c, 403, "forbidden", msg);
    }
    hk_diag_clear(&diag);
    rc = central_store_ingest(s, &b, &ack, &diag);
    central_batch_free(&b);
    if(rc == HK_ERR_CONFLICT) {
        hk_log_warn(LOG_MOD, "%s: refused a batch: %s", r->dev.id, diag.msg);
        return send_error(c, 409, "uuid_conflict", diag.msg);
    }
    if(rc == HK_ERR_INVALID)
        return send_error(c, 400, "invalid_request", diag.msg);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK) {
        hk_log_error(LOG_MOD, "%s: ingest failed: %s (%s)", r->dev.id, hk_err_str(rc), diag.msg);
        return send_store_error(h, c, r, rc);
    }
    if(h->alerts) { /* after the commit: the webhook never holds up the ack */
        const alert_t *al = NULL;
        int n = central_store_last_alerts(s, &al), i;
        for(i = 0; i < n; i++)
            alerts_push(h->alerts, &al[i]);
    }
    rc = central_ack_encode(&ack, &json, &len);
    central_ack_free(&ack);
    if(rc != HK_OK)
        return MHD_NO;
    ret = send_resp(c, 200, json, len, NULL, 0, NULL);
    hk_free(json);
    return ret;
}

/* Does an If-None-Match value name etag? ("*", a list, weak tags) */
static bool etag_matches(const char *inm, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = inm;

    while(*p) {
        while(*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if(*p == '*')
            return true;
        if(!strncmp(p, "W/", 2))
            p += 2;
        if(!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return true;
        while(*p && *p != ',')
            p++;
    }
    return false;
}

static enum MHD_Result do_config(central_http_t *h, struct MHD_Connection *c, central_store_t *s,
                                 req_t *r)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    char etag[CENTRAL_ETAG_LEN], msg[CENTRAL_TEXT_LEN];
    char *json = NULL;
    enum MHD_Result ret;
    hk_err_t rc;

    rc = central_store_config_get(s, r->dev.branch, &json, etag);
    if(rc == HK_ERR_NOT_FOUND) {
        snprintf(msg, sizeof(msg), "no configuration for branch %s", r->dev.branch);
        return send_error(c, 404, "not_found", msg);
    }
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_store_error(h, c, r, rc);
    if(inm && etag_matches(inm, etag))
        ret = send_resp(c, 304, NULL, 0, etag, 0, NULL);
    else
        ret = send_resp(c, 200, json, strlen(json), etag, 0, NULL);
    hk_free(json);
    return ret;
}

/* ---- GET /v1/content (issue 8: the self-help content) ------------------------------------
 * The branch's bundle, built and checked at load (central_config.c); its
 * ETag is a hash of the files, the same on every instance. */
static enum MHD_Result do_content(central_http_t *h, struct MHD_Connection *c, const req_t *r)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const central_content_src_t *src =
        h->content ? central_config_content(h->content, r->dev.branch) : NULL;
    char msg[CENTRAL_TEXT_LEN];

    if(!src) {
        snprintf(msg, sizeof(msg), "no self-help content for branch %s", r->dev.branch);
        return send_error(c, 404, "not_found", msg);
    }
    if(inm && etag_matches(inm, src->etag))
        return send_resp(c, 304, NULL, 0, src->etag, 0, NULL);
    return send_resp(c, 200, src->doc, src->len, src->etag, 0, NULL);
}

static enum MHD_Result do_heartbeat(central_http_t *h, struct MHD_Connection *c, central_store_t *s,
                                    req_t *r)
{
    central_heartbeat_t hb;
    hk_diag_t diag;
    char msg[CENTRAL_TEXT_LEN + 64];
    char *json = NULL;
    size_t len = 0;
    int64_t now = wall_ms();
    enum MHD_Result ret;
    hk_err_t rc;

    memset(&hb, 0, sizeof(hb));
    hk_diag_clear(&diag);
    rc = central_heartbeat_decode(r->body ? r->body : "", r->len, &hb, &diag);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_error(c, 400, "invalid_request", diag.msg[0] ? diag.msg : "not a heartbeat");
    if(strcmp(hb.device, r->dev.id) != 0) {
        snprintf(msg, sizeof(msg), "the heartbeat names %s; you are %s", hb.device, r->dev.id);
        return send_error(c, 403, "forbidden", msg);
    }
    rc = central_store_heartbeat(s, &hb, now);
    if(rc != HK_OK)
        return send_store_error(h, c, r, rc);
    {
        /* PROVISION: announce the current bundle of the device's compatible
         * when it reports an older version */
        const central_update_t *up = h->content && hb.compatible[0]
                                         ? central_config_update(h->content, hb.compatible)
                                         : NULL;
        central_update_offer_t offer;
        bool announce = up && central_version_cmp(hb.version, up->version) < 0;
        if(announce) {
            memset(&offer, 0, sizeof(offer));
            snprintf(offer.version, sizeof(offer.version), "%s", up->version);
            memcpy(offer.url, up->url, sizeof(offer.url));
            snprintf(offer.sha256, sizeof(offer.sha256), "%s", up->sha256);
        }
        if(central_heartbeat_reply_encode_offer(now, announce ? &offer : NULL, &json, &len) !=
           HK_OK)
            return MHD_NO;
    }
    ret = send_resp(c, 200, json, len, NULL, 0, NULL);
    hk_free(json);
    return ret;
}

/* ---- POST /v1/enrol (PROVISION): central_enrol decides, this sends --------------------- */

/* The calling client's address ("" when MHD does not say); copied out, not
 * cast: MHD's pointer need not be aligned for sockaddr_in. */
static void peer_ip(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    struct sockaddr_storage ss;

    out[0] = '\0';
    if(!sa)
        return;
    memcpy(&ss, sa,
           sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
    if(ss.ss_family == AF_INET)
        (void)inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, out,
                        INET6_ADDRSTRLEN);
    else if(ss.ss_family == AF_INET6)
        (void)inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, out,
                        INET6_ADDRSTRLEN);
}

static enum MHD_Result do_enrol(central_http_t *h, struct MHD_Connection *c, central_store_t *s,
                                req_t *r)
{
    central_enrol_answer_t a;
    char ip[INET6_ADDRSTRLEN];
    enum MHD_Result ret;

    peer_ip(c, ip);
    if(central_enrol_serve(h->enrol, s, ip, r->body, r->len, wall_ms(), &a) != HK_OK)
        return MHD_NO;
    if(a.status != 200) {
        if(a.status == 503)
            return send_store_error(h, c, r, HK_ERR_IO);
        return send_error_full(c, a.status, a.code, a.message, a.retry_after_s, NULL);
    }
    ret = send_resp(c, 200, a.json, a.len, NULL, 0, NULL);
    hk_free(a.json);
    return ret;
}

static enum MHD_Result do_health(central_http_t *h, struct MHD_Connection *c, req_t *r)
{
    hk_err_t rc;
    central_store_t *s = thread_store(h, &rc);
    char body[80];
    int64_t seq = 0;
    int n;

    /* a cheap read proves the database answers */
    if(s)
        rc = central_store_acked_seq(s, "healthz", &seq);
    if(rc != HK_OK)
        return send_store_error(h, c, r, rc == HK_ERR_NOMEM ? HK_ERR_NOMEM : HK_ERR_IO);
    n = snprintf(body, sizeof(body), "{\"status\":\"ok\",\"store\":\"%s\"}", central_store_kind(s));
    return send_resp(c, 200, body, (size_t)n, NULL, 0, NULL);
}

/* ---- the request handler ------------------------------------------------------------------ */

static route_t route_of(const char *url, const char **method_want)
{
    if(!strcmp(url, "/v1/events")) {
        *method_want = "POST";
        return ROUTE_EVENTS;
    }
    if(!strcmp(url, "/v1/config")) {
        *method_want = "GET";
        return ROUTE_CONFIG;
    }
    if(!strcmp(url, "/v1/heartbeat")) {
        *method_want = "POST";
        return ROUTE_HEARTBEAT;
    }
    if(!strcmp(url, "/v1/content")) {
        *method_want = "GET";
        return ROUTE_CONTENT;
    }
    if(!strcmp(url, "/healthz")) {
        *method_want = "GET";
        return ROUTE_HEALTH;
    }
    if(!strcmp(url, "/v1/enrol")) {
        *method_want = "POST";
        return ROUTE_ENROL;
    }
    *method_want = NULL;
    return ROUTE_NONE;
}

static enum MHD_Result send_too_large(struct MHD_Connection *c, const req_t *r)
{
    char msg[64];

    snprintf(msg, sizeof(msg), "the body is over %zu bytes", r->cap);
    return send_error(c, 413, "body_too_large", msg);
}

/* The first call, headers only: answer now (*answered) or go on reading. */
static enum MHD_Result first_call(central_http_t *h, struct MHD_Connection *c, const char *url,
                                  const char *method, req_t *r)
{
    const char *want = NULL, *cl;
    central_store_t *s;
    enum MHD_Result ret = MHD_YES;
    hk_err_t rc;

    r->answered = true; /* unless we fall through to the end */
    r->t0_ms = mono_ms();
    if(atomic_fetch_add(&h->inflight, 1) >= h->max_inflight) {
        atomic_fetch_sub(&h->inflight, 1);
        return send_error_full(c, 429, "too_many_requests",
                               "too many requests at once; retry later", retry_after(h, r), NULL);
    }
    r->counted = true;
    r->route = route_of(url, &want);
    if(r->route == ROUTE_NONE && h->pages && central_pages_owns(url)) {
        /* people's pages: their own authentication (a session cookie or
         * none), a small body (a form or a case action) */
        r->route = ROUTE_PAGE;
        r->cap = CENTRAL_PAGES_BODY_MAX;
        goto body;
    }
    if(r->route == ROUTE_NONE)
        return send_error(c, 404, "not_found", "no such resource");
    if(r->route == ROUTE_HEALTH) /* no authentication: for load balancers */
        return strcmp(method, want)
                   ? send_error_full(c, 405, "method_not_allowed", "/healthz takes GET", 0, want)
                   : do_health(h, c, r);
    if(r->route == ROUTE_ENROL) { /* no credentials yet: the code is the proof */
        if(!h->enrol)
            return send_error(c, 404, "not_found", "enrolment is not configured on this server");
        if(strcmp(method, want) != 0)
            return send_error_full(c, 405, "method_not_allowed", "/v1/enrol takes POST", 0, want);
        r->cap = ENROL_BODY_MAX;
        goto body;
    }
    s = thread_store(h, &rc);
    if(!s)
        return send_store_error(h, c, r, rc == HK_ERR_NOMEM ? HK_ERR_NOMEM : HK_ERR_IO);
    if(!authenticate(h, c, s, r, &ret))
        return ret; /* before any body is read */
    if(strcmp(method, want) != 0) {
        char msg[64];
        snprintf(msg, sizeof(msg), "%s takes %s", url, want);
        return send_error_full(c, 405, "method_not_allowed", msg, 0, want);
    }
    r->cap = r->route == ROUTE_EVENTS ? CENTRAL_BATCH_MAX_BYTES : CENTRAL_HTTP_SMALL_BODY_MAX;
body:
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if(cl) {
        unsigned long long n = strtoull(cl, NULL, 10);
        if(n > r->cap) {
            r->too_large = true;
            return send_too_large(c, r);
        }
        /* MHD passes exactly Content-Length bytes: a buffer of that size
         * (1024 connections need not hold 128 KiB each) */
        r->body_cap = (size_t)n;
    } else {
        r->body_cap = r->cap; /* chunked: up to the cap */
    }
    r->answered = false;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    central_http_t *h = cls;
    req_t *r = *req_cls;
    central_store_t *s;
    hk_err_t rc;

    (void)version;
    if(!r) {
        r = hk_calloc(1, sizeof(*r));
        if(!r)
            return MHD_NO;
        *req_cls = r;
        return first_call(h, c, url, method, r);
    }
    if(r->answered) {
        *upload_size = 0; /* answered already: drop whatever still comes */
        return MHD_YES;
    }
    if(*upload_size) {
        if(!r->too_large && r->len + *upload_size > r->body_cap) {
            r->too_large = true; /* read on, drop it: answered at the end */
            HK_SAFEFREE(r->body);
        } else if(!r->too_large) {
            if(!r->body)
                r->body = hk_malloc(r->body_cap + 1);
            if(!r->body)
                return MHD_NO;
            memcpy(r->body + r->len, upload, *upload_size);
            r->len += *upload_size;
            r->body[r->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    r->answered = true;
    if(r->too_large)
        return send_too_large(c, r);
    if(r->route == ROUTE_PAGE) /* the status page and the login form need no database */
        return central_pages_serve(h->pages, c, thread_store(h, &rc), method, url, r->body, r->len);
    s = thread_store(h, &rc);
    if(!s)
        return send_store_error(h, c, r, rc == HK_ERR_NOMEM ? HK_ERR_NOMEM : HK_ERR_IO);
    switch(r->route) {
    case ROUTE_EVENTS: return do_events(h, c, s, r);
    case ROUTE_CONFIG: return do_config(h, c, s, r);
    case ROUTE_HEARTBEAT: return do_heartbeat(h, c, s, r);
    case ROUTE_CONTENT: return do_content(h, c, r);
    case ROUTE_ENROL: return do_enrol(h, c, s, r);
    case ROUTE_HEALTH:
    case ROUTE_PAGE:
    case ROUTE_NONE: break;
    }
    return send_error(c, 404, "not_found", "no such resource");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    central_http_t *h = cls;
    req_t *r = *req_cls;

    (void)c;
    (void)toe;
    if(!r)
        return;
    if(r->counted) {
        int64_t now = mono_ms();
        int n = atomic_fetch_sub(&h->inflight, 1);
        if(!r->refused)
            central_pacer_served(&h->pacer, now, now - r->t0_ms, n);
    }
    hk_free(r->body);
    hk_free(r);
    *req_cls = NULL;
}

/* ---- static ----------------------------------------------------------------------------- */

static int token_cmp(const void *a, const void *b)
{
    return strcmp(((const central_token_t *)a)->token_hash,
                  ((const central_token_t *)b)->token_hash);
}
