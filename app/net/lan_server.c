/*
 * lan_server: see lan_server.h.
 *
 * Design notes
 *   Threads: libmicrohttpd runs one listening thread and one thread per
 *   connection (MHD_USE_THREAD_PER_CONNECTION). A connection thread may
 *   block: it parses the request (lan_api), posts a lan_req_t to the hub's
 *   mailbox (MAILBOX_REQUEST) and waits on the request's own condition
 *   variable; the hub thread runs the branch operation, and the request is
 *   completed (lan_req_complete) once its result is durable (the hub's
 *   flush thread, see hub.c). The hub never waits for a connection.
 *   Requests: the connection thread owns the lan_req_t's memory; whoever
 *   holds the message (the mailbox, then the hub) owns the duty to complete
 *   it exactly once, and does not touch it after completing. A message
 *   freed unhandled (mailbox_destroy, the hub draining at stop) completes
 *   through lan_req_refuse(): 503. So no waiter waits forever.
 *   Bounds: at most LAN_SERVER_MAX_INFLIGHT requests wait on the hub;
 *   the next one, or one the mailbox refuses as full, gets 503 with
 *   Retry-After. Bodies are capped at LAN_API_BODY_MAX (413), headers by
 *   the connection memory limit, connections by LAN_SERVER_MAX_CONN.
 *   Event feed: the hub reads each new journal event once and, once it
 *   is durable, lan_server_feed() keeps its SSE frame in a ring of the last
 *   LAN_SERVER_FEED_CAP events (feed_first..feed_last), then broadcasts
 *   feed_cv. A subscriber (one per stream connection) has a cursor, the
 *   last seq it has been sent: it copies frames after its cursor from the
 *   ring; if its cursor fell behind the ring (a resume from long ago, a
 *   slow reader) it asks the hub for the missing events (a LAN_REQ_JOURNAL
 *   request, LAN_SERVER_BACKFILL_MAX at a time); with nothing new it
 *   sleeps on feed_cv, waking for a keep-alive comment every keepalive_ms.
 *   Nobody polls the database.
 *   Stream start: every (re)connect first gets a "snapshot" event (no id:
 *   it is not a journal event; its data carries journal_seq S). The cursor
 *   then starts at Last-Event-ID when the client sent one (<= S), else at
 *   S, so a resuming client receives exactly the events it missed.
 *   Branch document: right after the snapshot comes a "branch" event (no
 *   id either) with GET /branch's JSON and the config generation
 *   (branch_gen). lan_server_set_config() with a new generation swaps the
 *   document and wakes the streams; a subscriber whose sent generation is
 *   older queues the new "branch" event before any further journal event.
 *   Stop: lan_server_stop() sets `stopping` under mu (no post after it)
 *   and wakes the streams, which end; lan_server_destroy() stops the
 *   daemon, which joins the connection threads.
 *   Access: each request is parsed first (lan_api: which call, and who
 *   may make it), then its bearer token (Authorization, or ?access_token=
 *   for the stream) is resolved by lan_auth and checked against the call
 *   (401/403) before anything is posted to the hub. A login's PIN check
 *   (Argon2id) runs here on the connection thread; sessions never reach
 *   the hub, which only sees the staff id (set_counter) a session names.
 *   TLS: with a certificate and key (required off loopback), MHD runs
 *   GnuTLS with TLS 1.2/1.3; the PEM texts live as long as the daemon.
 *   Invariant: feed_last only grows; seqs in the ring are consecutive.
 */
#include "lan_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"
#include "lan_auth.h"
#include "lan_static.h"
#include "mhd_setup.h"

#define CONN_MEMORY_LIMIT (32 * 1024) /* per connection: headers + MHD's buffers */
#define THREAD_STACK      (256 * 1024)
#define PEND_CAP          16384 /* a subscriber's outgoing buffer */
/* TLS 1.2 and 1.3 only (GnuTLS priority string) */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct lan_req {
    lan_req_kind_t kind;
    lan_call_t call;
    int64_t after_seq;
    int64_t seq_before; /* the journal's seq when the hub submitted it */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    hk_err_t rc;
    branch_result_t *res;
    journal_event_t *ev;
    int n_ev;
};

/* A configuration put in force by lan_server_set_config(): kept (with its
 * GET /branch text) until the server is destroyed, as a connection thread
 * may still read one it took before the swap. Replacements are rare (head
 * office pushes a new document now and then). */
typedef struct retired {
    struct retired *next;
    config_t cfg;
    char *branch_json;
} retired_t;

struct lan_server {
    const config_t *cfg; /* guarded by mu (swapped by lan_server_set_config) */
    retired_t *owned;    /* the configs set since the start, newest first */
    mailbox_t *mb;
    struct MHD_Daemon *d;
    uint16_t port;
    int keepalive_ms;
    char *branch_json;   /* GET /branch, encoded once per config; guarded by mu */
    uint64_t branch_gen; /* the generation branch_json carries; guarded by mu */
    lan_auth_t *auth;
    bool tls;
    char *tls_cert, *tls_key; /* PEM texts MHD reads (kept for its lifetime) */
    pthread_mutex_t mu;       /* guards everything below */
    pthread_cond_t feed_cv;
    bool stopping;
    int inflight;
    int64_t feed_first, feed_last; /* ring holds feed_first..feed_last */
    /* GET /snapshot answered from here while the feed stands still (and
     * for at most LAN_SNAPSHOT_MAX_AGE_MS, as estimates move with time):
     * the reads of a hall board or a staff page do not queue on the hub
     * thread behind the commits. Dropped by every feed. */
    char *snap_json;
    int64_t snap_seq, snap_mono_ms;
    char *frames[LAN_SERVER_FEED_CAP];
    size_t frame_len[LAN_SERVER_FEED_CAP];
};

#define LAN_SNAPSHOT_MAX_AGE_MS 1000

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Per HTTP request (MHD's *req_cls). */
typedef struct conn {
    char *body;
    size_t len;
    bool too_large;
} conn_t;

/* Per event stream. */
typedef struct sub {
    lan_server_t *s;
    int64_t cursor;      /* last seq sent (or queued in pend) */
    uint64_t branch_gen; /* the branch document's generation sent (or queued) */
    char *pend;
    size_t pend_cap, pend_len, pend_off;
} sub_t;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls);
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe);
static void feed_clear(lan_server_t *s);

/* ---- lifecycle ---------------------------------------------------------------- */

hk_err_t lan_server_start(const lan_server_opts_t *o, lan_server_t **out, hk_diag_t *diag)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    char host[INET_ADDRSTRLEN];
    unsigned int flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    bool loopback, have_cert = o->tls_cert && o->tls_cert[0],
                   have_key = o->tls_key && o->tls_key[0];
    lan_server_t *s;
    hk_err_t rc;

    *out = NULL;
    rc = mhd_setup_parse_listen(o->listen, "--listen", &sa, diag);
    if(rc != HK_OK)
        return rc;
    loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
    if(have_cert != have_key) {
        hk_diag_set(diag, "hub.%s: missing (TLS needs both tls_cert and tls_key)",
                    have_cert ? "tls_key" : "tls_cert");
        return HK_ERR_INVALID;
    }
    if(!loopback && !have_cert) {
        /* staff PINs and device tokens cross the branch LAN: never in clear */
        hk_diag_set(diag,
                    "--listen %s: off loopback the hub serves HTTPS only; set hub.tls_cert and "
                    "hub.tls_key in the config",
                    o->listen);
        return HK_ERR_INVALID;
    }
    s = hk_calloc(1, sizeof(*s));
    if(!s)
        return HK_ERR_NOMEM;
    s->cfg = o->cfg;
    s->mb = o->mb;
    s->keepalive_ms = o->keepalive_ms > 0 ? o->keepalive_ms : LAN_SERVER_KEEPALIVE_MS;
    s->feed_last = o->journal_seq;
    s->feed_first = o->journal_seq + 1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->feed_cv, NULL);
    s->branch_gen = o->config_gen ? o->config_gen : 1;
    s->branch_json = lan_api_encode_branch(o->cfg, s->branch_gen);
    rc = s->branch_json ? lan_auth_create(o->cfg, 0, &s->auth) : HK_ERR_NOMEM;
    if(rc == HK_OK && have_cert) {
        rc = mhd_setup_read_pem(o->tls_cert, "hub.tls_cert", &s->tls_cert, diag);
        if(rc == HK_OK)
            rc = mhd_setup_read_pem(o->tls_key, "hub.tls_key", &s->tls_key, diag);
        s->tls = true;
        flags |= MHD_USE_TLS;
    }
    if(rc == HK_OK && s->tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        hk_diag_set(diag, "this libmicrohttpd was built without TLS");
        rc = HK_ERR_TLS;
    }
    if(rc != HK_OK) {
        lan_server_destroy(s);
        return rc;
    }
    if(s->tls)
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_setup_log,
            (void *)"lan", MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned int)LAN_SERVER_MAX_CONN,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)CONN_MEMORY_LIMIT, MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_HTTPS_MEM_KEY, s->tls_key,
            MHD_OPTION_HTTPS_MEM_CERT, s->tls_cert, MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
            MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s,
            /* the logger first, so every message of MHD's goes through hk_log */
            MHD_OPTION_EXTERNAL_LOGGER, mhd_setup_log, (void *)"lan", MHD_OPTION_SOCK_ADDR,
            (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)LAN_SERVER_MAX_CONN,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
            (size_t)CONN_MEMORY_LIMIT, MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if(!s->d) {
        bool tls = s->tls;
        if(tls)
            hk_diag_set(diag,
                        "--listen %s: cannot listen with TLS (the port is taken, or GnuTLS "
                        "refused hub.tls_cert / hub.tls_key: see the log)",
                        o->listen);
        else
            hk_diag_set(diag, "--listen %s: cannot listen (%s)", o->listen, strerror(errno));
        lan_server_destroy(s);
        return tls ? HK_ERR_TLS : HK_ERR_NET;
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    hk_log_info("lan", "LAN API on %s://%s:%u%s/ (%s)", s->tls ? "https" : "http",
                inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host)) ? host : "?",
                (unsigned)s->port, LAN_API_PREFIX, s->tls ? "TLS 1.2+" : "plain HTTP, loopback");
    *out = s;
    return HK_OK;
}

bool lan_server_tls(const lan_server_t *s)
{
    return s->tls;
}

bool lan_server_listen_is_loopback(const char *listen)
{
    struct sockaddr_in sa;

    return mhd_setup_parse_listen(listen, "--listen", &sa, NULL) == HK_OK &&
           (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
}

uint16_t lan_server_port(const lan_server_t *s)
{
    return s->port;
}

void lan_server_stop(lan_server_t *s)
{
    if(!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->feed_cv);
    pthread_mutex_unlock(&s->mu);
}

void lan_server_destroy(lan_server_t *s)
{
    if(!s)
        return;
    lan_server_stop(s);
    if(s->d)
        MHD_stop_daemon(s->d); /* joins the connection threads */
    feed_clear(s);
    if(!s->owned)
        HK_SAFEFREE(s->branch_json); /* else owned by s->owned's first */
    HK_SAFEFREE(s->snap_json);
    lan_auth_destroy(s->auth);
    while(s->owned) {
        retired_t *r = s->owned;
        s->owned = r->next;
        hk_free(r->branch_json);
        hk_free(r);
    }
    if(s->tls_key)
        sodium_memzero(s->tls_key, strlen(s->tls_key));
    HK_SAFEFREE(s->tls_key);
    HK_SAFEFREE(s->tls_cert);
    pthread_cond_destroy(&s->feed_cv);
    pthread_mutex_destroy(&s->mu);
    hk_free(s);
}

/* The configuration in force now (valid until the server is destroyed). */
static const config_t *cfg_now(lan_server_t *s)
{
    const config_t *cfg;

    pthread_mutex_lock(&s->mu);
    cfg = s->cfg;
    pthread_mutex_unlock(&s->mu);
    return cfg;
}

/* A staff session's JSON, the member of staff looked up by id in the
 * config in force (a swap may have moved their index); NULL if gone. */
static char *encode_session(lan_server_t *s, const char *session, const lan_principal_t *who)
{
    const config_t *cfg = cfg_now(s);
    int idx = config_staff_index(cfg, who->staff_id);

    return idx < 0 ? NULL : lan_api_encode_session(cfg, session, idx, who->expires_ms);
}

hk_err_t lan_server_set_config(lan_server_t *s, const config_t *cfg, uint64_t generation)
{
    retired_t *r = hk_calloc(1, sizeof(*r));
    char *old_json;

    if(!r)
        return HK_ERR_NOMEM;
    r->cfg = *cfg;
    r->branch_json = lan_api_encode_branch(&r->cfg, generation);
    if(!r->branch_json) {
        hk_free(r);
        return HK_ERR_NOMEM;
    }
    pthread_mutex_lock(&s->mu);
    old_json = s->owned ? NULL : s->branch_json; /* the start's: ours to free */
    r->next = s->owned;
    s->owned = r;
    s->cfg = &r->cfg;
    s->branch_json = r->branch_json;
    s->branch_gen = generation;
    HK_SAFEFREE(s->snap_json);           /* its names and estimates came from the old one */
    pthread_cond_broadcast(&s->feed_cv); /* the streams send the new document */
    pthread_mutex_unlock(&s->mu);
    lan_auth_set_config(s->auth, &r->cfg);
    hk_free(old_json);
    return HK_OK;
}

/* ---- the feed (the hub's flush thread) ----------------------------------------- */

void lan_server_feed(lan_server_t *s, const journal_event_t *ev, int n)
{
    char frame[LAN_API_EVENT_MAX];
    int i;

    for(i = 0; i < n; i++) {
        size_t len = lan_api_event_frame(&ev[i], frame, sizeof(frame));
        char *copy = len ? hk_malloc(len) : NULL;
        int slot = (int)(ev[i].seq % LAN_SERVER_FEED_CAP);
        if(copy)
            memcpy(copy, frame, len);
        pthread_mutex_lock(&s->mu);
        if(!copy || ev[i].seq != s->feed_last + 1) {
            /* cannot hold it (or a gap, which committed seqs never have):
             * empty the ring; subscribers catch up from the journal */
            if(ev[i].seq != s->feed_last + 1)
                hk_log_warn("lan", "event feed: seq %" PRId64 " after %" PRId64, ev[i].seq,
                            s->feed_last);
            feed_clear(s);
            s->feed_first = ev[i].seq + 1;
            hk_free(copy);
        } else {
            if(s->feed_last - s->feed_first + 1 >= LAN_SERVER_FEED_CAP) {
                int old = (int)(s->feed_first % LAN_SERVER_FEED_CAP);
                HK_SAFEFREE(s->frames[old]);
                s->feed_first++;
            }
            s->frames[slot] = copy;
            s->frame_len[slot] = len;
        }
        s->feed_last = ev[i].seq;
        pthread_mutex_unlock(&s->mu);
    }
    if(n > 0) {
        pthread_mutex_lock(&s->mu);
        HK_SAFEFREE(s->snap_json);
        pthread_cond_broadcast(&s->feed_cv);
        pthread_mutex_unlock(&s->mu);
    }
}

int64_t lan_server_feed_seq(lan_server_t *s)
{
    int64_t v;

    pthread_mutex_lock(&s->mu);
    v = s->feed_last;
    pthread_mutex_unlock(&s->mu);
    return v;
}

/* ---- requests ------------------------------------------------------------------- */

lan_req_kind_t lan_req_kind(const lan_req_t *r)
{
    return r->kind;
}

const lan_call_t *lan_req_call(const lan_req_t *r)
{
    return &r->call;
}

int64_t lan_req_after_seq(const lan_req_t *r)
{
    return r->after_seq;
}

void lan_req_set_seq_before(lan_req_t *r, int64_t seq)
{
    r->seq_before = seq;
}

void lan_req_complete(lan_req_t *r, branch_result_t *res, hk_err_t rc)
{
    pthread_mutex_lock(&r->mu);
    r->res = res;
    r->rc = rc;
    r->done = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void lan_req_complete_journal(lan_req_t *r, journal_event_t *ev, int n, hk_err_t rc)
{
    pthread_mutex_lock(&r->mu);
    r->ev = ev;
    r->n_ev = n;
    r->rc = rc;
    r->done = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void lan_req_refuse(void *r)
{
    lan_req_complete(r, NULL, HK_ERR_BUSY);
}

static lan_req_t *req_new(lan_req_kind_t kind)
{
    lan_req_t *r = hk_calloc(1, sizeof(*r));

    if(!r)
        return NULL;
    r->kind = kind;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return r;
}

static void req_free(lan_req_t *r)
{
    if(!r)
        return;
    if(r->res)
        branch_result_free(r->res);
    journal_events_free(r->ev, r->n_ev);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    hk_free(r);
}

/*
 * Hand r to the hub thread and wait until it is completed.
 * @return HK_OK completed (see r->rc); HK_ERR_BUSY not posted (stopping,
 *         too many in flight, mailbox full): r is still the caller's.
 */
static hk_err_t submit_and_wait(lan_server_t *s, lan_req_t *r)
{
    mailbox_msg_t m;
    hk_err_t rc = HK_ERR_BUSY;

    memset(&m, 0, sizeof(m));
    m.kind = MAILBOX_REQUEST;
    m.payload = r;
    m.payload_free = lan_req_refuse;
    pthread_mutex_lock(&s->mu);
    if(!s->stopping && s->inflight < LAN_SERVER_MAX_INFLIGHT) {
        rc = mailbox_post(s->mb, &m);
        if(rc == HK_OK)
            s->inflight++;
    }
    pthread_mutex_unlock(&s->mu);
    if(rc != HK_OK)
        return HK_ERR_BUSY;
    pthread_mutex_lock(&r->mu);
    while(!r->done)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
    pthread_mutex_lock(&s->mu);
    s->inflight--;
    pthread_mutex_unlock(&s->mu);
    return HK_OK;
}

/* ---- responses -------------------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned int status, const char *text,
                                 const char *allow, int retry_after_s)
{
    char retry[16];
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text,
                                           MHD_RESPMEM_MUST_COPY);
    if(!resp)
        return MHD_NO;
    (void)MHD_add_response_header(resp, "Content-Type", "application/json");
    (void)MHD_add_response_header(resp, "Cache-Control", "no-store");
    if(allow)
        (void)MHD_add_response_header(resp, "Allow", allow);
    if(status == 503 && retry_after_s <= 0)
        retry_after_s = 1;
    if(retry_after_s > 0) {
        snprintf(retry, sizeof(retry), "%d", retry_after_s);
        (void)MHD_add_response_header(resp, "Retry-After", retry);
    }
    if(status == 401)
        (void)MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"hallkiosk\"");
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error_retry(struct MHD_Connection *c, const lan_error_t *err,
                                        int retry_after_s)
{
    char *json = lan_api_encode_error(err);
    enum MHD_Result ret;

    if(!json)
        return MHD_NO;
    ret = send_text(c, (unsigned int)err->status, json, err->allow, retry_after_s);
    hk_free(json);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, const lan_error_t *err)
{
    return send_error_retry(c, err, 0);
}

static enum MHD_Result send_empty(struct MHD_Connection *c, unsigned int status)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if(!resp)
        return MHD_NO;
    (void)MHD_add_response_header(resp, "Cache-Control", "no-store");
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json_free(struct MHD_Connection *c, unsigned int status, char *json)
{
    enum MHD_Result ret;

    if(!json)
        return MHD_NO;
    ret = send_text(c, status, json, NULL, 0);
    hk_free(json);
    return ret;
}

/* The session's member of staff, or a 401 when a new configuration has just
 * removed them (the auth layer ends their sessions a moment later). */
static enum MHD_Result send_session(lan_server_t *s, struct MHD_Connection *c, unsigned int status,
                                    const char *session, const lan_principal_t *who)
{
    lan_error_t err;

    if(config_staff_index(cfg_now(s), who->staff_id) < 0) {
        lan_api_error(&err, 401, "unauthorized", "staff %s is no longer in the configuration",
                      who->staff_id);
        return send_error(c, &err);
    }
    return send_json_free(c, status, encode_session(s, session, who));
}

static enum MHD_Result send_busy(struct MHD_Connection *c)
{
    lan_error_t err;

    lan_api_error(&err, 503, "busy", "the hub is busy or stopping; retry");
    return send_error(c, &err);
}

/* ---- event streams ------------------------------------------------------------------ */

static bool pend_add(sub_t *u, const char *text, size_t len)
{
    if(u->pend_len + len > u->pend_cap)
        return false;
    memcpy(u->pend + u->pend_len, text, len);
    u->pend_len += len;
    return true;
}

/* Queue the branch document (under s->mu): "event: branch\ndata: JSON\n\n",
 * growing pend for it when a large branch needs more than PEND_CAP. */
static bool pend_branch(sub_t *u, const lan_server_t *s)
{
    static const char head[] = "event: branch\ndata: ";
    size_t len = strlen(s->branch_json), need = u->pend_len + sizeof(head) - 1 + len + 2;

    if(need > u->pend_cap) {
        char *p = hk_realloc(u->pend, need);
        if(!p)
            return false;
        u->pend = p;
        u->pend_cap = need;
    }
    (void)pend_add(u, head, sizeof(head) - 1);
    (void)pend_add(u, s->branch_json, len);
    (void)pend_add(u, "\n\n", 2);
    u->branch_gen = s->branch_gen;
    return true;
}

/* Ask the hub for events after the cursor the ring no longer has. */
static bool backfill(sub_t *u)
{
    char frame[LAN_API_EVENT_MAX];
    lan_req_t *r = req_new(LAN_REQ_JOURNAL);
    bool ok;
    int i;

    if(!r)
        return false;
    r->after_seq = u->cursor;
    ok = submit_and_wait(u->s, r) == HK_OK && r->rc == HK_OK && r->n_ev > 0;
    for(i = 0; ok && i < r->n_ev; i++) {
        size_t len = lan_api_event_frame(&r->ev[i], frame, sizeof(frame));
        if(!len || !pend_add(u, frame, len))
            break; /* the rest comes with the next request */
        u->cursor = r->ev[i].seq;
    }
    req_free(r);
    return ok;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    sub_t *u = cls;
    lan_server_t *s = u->s;

    (void)pos;
    for(;;) {
        struct timespec until;
        bool behind = false;
        if(u->pend_off < u->pend_len) {
            size_t n = u->pend_len - u->pend_off;
            if(n > max)
                n = max;
            memcpy(buf, u->pend + u->pend_off, n);
            u->pend_off += n;
            return (ssize_t)n;
        }
        u->pend_len = u->pend_off = 0;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->keepalive_ms / 1000;
        until.tv_nsec += (long)(s->keepalive_ms % 1000) * 1000000L;
        if(until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&s->mu);
        while(!s->stopping && u->cursor >= s->feed_last && u->branch_gen == s->branch_gen) {
            if(pthread_cond_timedwait(&s->feed_cv, &s->mu, &until) != 0)
                break;
        }
        if(s->stopping) {
            pthread_mutex_unlock(&s->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if(u->branch_gen != s->branch_gen) {
            /* a new config: its document goes before the events after it */
            bool ok = pend_branch(u, s);
            pthread_mutex_unlock(&s->mu);
            if(!ok)
                return MHD_CONTENT_READER_END_WITH_ERROR;
            continue;
        }
        if(u->cursor >= s->feed_last) {
            pthread_mutex_unlock(&s->mu);
            (void)pend_add(u, ": keep-alive\n\n", 14); /* pend is empty here */
            continue;
        }
        if(u->cursor + 1 >= s->feed_first) {
            while(u->cursor < s->feed_last) {
                int slot = (int)((u->cursor + 1) % LAN_SERVER_FEED_CAP);
                if(!pend_add(u, s->frames[slot], s->frame_len[slot]))
                    break;
                u->cursor++;
            }
        } else {
            behind = true;
        }
        pthread_mutex_unlock(&s->mu);
        if(behind && !backfill(u))
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}

static void sse_free(void *cls)
{
    sub_t *u = cls;

    hk_free(u->pend);
    hk_free(u);
}

static enum MHD_Result start_stream(lan_server_t *s, struct MHD_Connection *c, lan_req_t *r)
{
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    const branch_snapshot_t *snap = &r->res->snapshot;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int64_t from = snap->journal_seq;
    char *json = NULL;
    size_t need;
    bool ok;
    sub_t *u;

    if(last && lan_api_parse_event_id(last, &from) && from > snap->journal_seq)
        from = snap->journal_seq; /* an id from the future (another store): from now */
    json = lan_api_encode_snapshot(cfg_now(s), snap);
    u = json ? hk_calloc(1, sizeof(*u)) : NULL;
    need = json ? strlen(json) + 64 : 0;
    if(u) {
        u->s = s;
        u->cursor = from;
        u->pend_cap = need > PEND_CAP ? need : PEND_CAP;
        u->pend = hk_malloc(u->pend_cap);
    }
    if(!u || !u->pend) {
        hk_free(json);
        if(u)
            sse_free(u);
        return MHD_NO;
    }
    /* retry: how long an EventSource waits before it reconnects */
    (void)pend_add(u, "retry: 2000\nevent: snapshot\ndata: ", 34);
    (void)pend_add(u, json, strlen(json));
    (void)pend_add(u, "\n\n", 2);
    hk_free(json);
    /* then the branch document in force, on every (re)connect */
    pthread_mutex_lock(&s->mu);
    ok = pend_branch(u, s);
    pthread_mutex_unlock(&s->mu);
    if(!ok) {
        sse_free(u);
        return MHD_NO;
    }
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, u, sse_free);
    if(!resp) {
        sse_free(u);
        return MHD_NO;
    }
    (void)MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    (void)MHD_add_response_header(resp, "Cache-Control", "no-store");
    ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- the staff web page (lan_static) ------------------------------------------- */

/* GET/HEAD /staff and /staff/...: the embedded page's files, no auth (the
 * page logs in through the API). no-cache: a hub update is seen at once. */
static enum MHD_Result send_static(struct MHD_Connection *c, const char *url, const char *method)
{
    const unsigned char *body;
    const char *ctype;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    lan_error_t err;
    size_t len;

    if(strcmp(method, "GET") && strcmp(method, "HEAD")) {
        lan_api_error(&err, 405, "method_not_allowed", "%s takes GET", url);
        err.allow = "GET, HEAD";
        return send_error(c, &err);
    }
    if(!lan_static_find(url, &body, &len, &ctype)) {
        lan_api_error(&err, 404, "not_found", "no such page");
        return send_error(c, &err);
    }
    resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
    if(!resp)
        return MHD_NO;
    (void)MHD_add_response_header(resp, "Content-Type", ctype);
    (void)MHD_add_response_header(resp, "Cache-Control", LAN_STATIC_CACHE);
    (void)MHD_add_response_header(resp, "Content-Security-Policy", LAN_STATIC_CSP);
    (void)MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    (void)MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- the request handler ----------------------------------------------------------- */

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bearer token: the Authorization header, or (GET /events only: an
 * EventSource cannot set headers) ?access_token=. A header that is there
 * but not "Bearer T" counts as no token (401). */
static void read_token(struct MHD_Connection *c, const lan_call_t *call, char *dst, size_t cap)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    const char *q;

    dst[0] = '\0';
    if(h) {
        (void)lan_auth_parse_bearer(h, dst, cap);
        return;
    }
    q = call->route == LAN_ROUTE_EVENTS
            ? MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "access_token")
            : NULL;
    if(q && strlen(q) < cap)
        memcpy(dst, q, strlen(q) + 1);
}

static void client_addr(struct MHD_Connection *c, char *dst, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    snprintf(dst, cap, "?");
    if(ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        struct sockaddr_in in; /* copied: MHD's pointer is only sockaddr-aligned */
        memcpy(&in, ci->client_addr, sizeof(in));
        (void)inet_ntop(AF_INET, &in.sin_addr, dst, (socklen_t)cap);
    }
}

/* POST /sessions: the PIN is checked here, on the connection thread. */
static enum MHD_Result do_login(lan_server_t *s, struct MHD_Connection *c, lan_call_t *call)
{
    char session[LAN_AUTH_SESSION_LEN], source[INET_ADDRSTRLEN];
    lan_principal_t who;
    lan_error_t err;
    int retry = 0;
    enum MHD_Result ret;
    hk_err_t rc;

    client_addr(c, source, sizeof(source));
    rc = lan_auth_login(s->auth, call->staff_id, call->pin, source, wall_ms(), session, &who,
                        &retry);
    sodium_memzero(call->pin, sizeof(call->pin));
    if(rc == HK_ERR_BUSY) {
        hk_log_warn("lan", "login for %s from %s refused: too many failures", call->staff_id,
                    source);
        lan_api_error(&err, 429, "too_many_attempts", "too many wrong logins; try again in %d s",
                      retry > 0 ? retry : 1);
        return send_error_retry(c, &err, retry > 0 ? retry : 1);
    }
    if(rc == HK_ERR_INVALID) {
        lan_api_error(&err, 401, "bad_credentials", "wrong staff id or PIN");
        return send_error(c, &err);
    }
    if(rc != HK_OK)
        return MHD_NO;
    hk_log_info("lan", "staff %s logged in from %s", who.staff_id, source);
    ret = send_session(s, c, 201, session, &who);
    sodium_memzero(session, sizeof(session));
    return ret;
}

/* Run a call through the hub and answer with its result. */
static enum MHD_Result do_op(lan_server_t *s, struct MHD_Connection *c, const lan_call_t *call)
{
    char *json;
    lan_error_t err;
    lan_req_t *r;
    enum MHD_Result ret;
    char today[HK_TIME_DAY_LEN];
    const config_t *cfg;
    int status = 500;

    if(call->route == LAN_ROUTE_OP && call->op == BRANCH_OP_SNAPSHOT) {
        char *cached = NULL;
        pthread_mutex_lock(&s->mu);
        if(s->snap_json && s->snap_seq == s->feed_last &&
           mono_ms() - s->snap_mono_ms < LAN_SNAPSHOT_MAX_AGE_MS)
            cached = hk_strdup(s->snap_json);
        pthread_mutex_unlock(&s->mu);
        if(cached)
            return send_json_free(c, 200, cached);
    }
    r = req_new(LAN_REQ_BRANCH_OP);
    if(!r)
        return MHD_NO;
    r->call = *call;
    if(submit_and_wait(s, r) != HK_OK || !r->res) {
        /* not run: refused (stopping, full) or the branch did not take it */
        bool busy = !r->done || r->rc == HK_ERR_BUSY;
        req_free(r);
        if(busy)
            return send_busy(c);
        lan_api_error(&err, 500, "internal", "the operation was not run");
        return send_error(c, &err);
    }
    if(call->route == LAN_ROUTE_EVENTS && r->res->rc == HK_OK) {
        ret = start_stream(s, c, r);
        req_free(r);
        return ret;
    }
    if(!lan_api_result_status(r->res, &status, &err)) {
        req_free(r);
        return send_error(c, &err);
    }
    if(call->op == BRANCH_OP_IMPORT_TICKET && r->res->journal_seq <= r->seq_before)
        status = 200; /* the hub had it already: nothing was written */
    cfg = cfg_now(s);
    hk_time_business_day(wall_ms(), cfg->utc_offset_min, today);
    json = lan_api_encode_result(cfg, call, r->res, today);
    if(json && call->route == LAN_ROUTE_OP && call->op == BRANCH_OP_SNAPSHOT && status == 200) {
        char *copy = hk_strdup(json);
        pthread_mutex_lock(&s->mu);
        if(copy && r->res->snapshot.journal_seq == s->feed_last) {
            HK_SAFEFREE(s->snap_json);
            s->snap_json = copy;
            s->snap_seq = r->res->snapshot.journal_seq;
            s->snap_mono_ms = mono_ms();
            copy = NULL;
        }
        pthread_mutex_unlock(&s->mu);
        hk_free(copy);
    }
    ret = send_json_free(c, (unsigned int)status, json);
    req_free(r);
    return ret;
}

static enum MHD_Result handle(lan_server_t *s, struct MHD_Connection *c, const char *url,
                              const char *method, conn_t *cn)
{
    char token[LAN_AUTH_TOKEN_MAX + 1];
    lan_principal_t who;
    lan_query_t q;
    lan_error_t err;
    lan_call_t call;
    hk_err_t rc;

    if(lan_static_owns(url))
        return send_static(c, url, method); /* the staff page: no auth, no body */
    if(cn->too_large) {
        lan_api_error(&err, 413, "body_too_large", "the body is over %d bytes", LAN_API_BODY_MAX);
        return send_error(c, &err);
    }
    q.day = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "day");
    q.number = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "number");
    rc = lan_api_parse(cfg_now(s), method, url, &q, cn->body, cn->len, &call, &err);
    if(rc == HK_ERR_NOMEM)
        return MHD_NO;
    if(rc != HK_OK)
        return send_error(c, &err);
    read_token(c, &call, token, sizeof(token));
    lan_auth_resolve(s->auth, token, wall_ms(), &who);
    if(!lan_auth_permit(&who, call.access, &err)) {
        sodium_memzero(&call.pin, sizeof(call.pin));
        return send_error(c, &err);
    }
    switch(call.route) {
    case LAN_ROUTE_BRANCH: {
        char *json;
        pthread_mutex_lock(&s->mu);
        json = hk_strdup(s->branch_json);
        pthread_mutex_unlock(&s->mu);
        return json ? send_json_free(c, 200, json) : MHD_NO;
    }
    case LAN_ROUTE_LOGIN: return do_login(s, c, &call);
    case LAN_ROUTE_SESSION: return send_session(s, c, 200, NULL, &who);
    case LAN_ROUTE_LOGOUT:
        (void)lan_auth_logout(s->auth, token);
        hk_log_info("lan", "staff %s logged out", who.staff_id);
        return send_empty(c, 204);
    case LAN_ROUTE_EVENTS:
    case LAN_ROUTE_OP: break;
    }
    if(call.op == BRANCH_OP_IMPORT_TICKET && strcmp(who.device_id, call.device_id) != 0) {
        lan_api_error(&err, 403, "forbidden",
                      "a device imports only its own tickets (%s is not %s)", who.device_id,
                      call.device_id);
        return send_error(c, &err);
    }
    if(call.op == BRANCH_OP_ENGINEER_PIN_FAILED) /* whose: the token's, never the body's */
        memcpy(call.device_id, who.device_id, sizeof(call.device_id));
    if(call.op == BRANCH_OP_SET_COUNTER && call.counter_state != BRANCH_COUNTER_CLOSED)
        memcpy(call.staff_id, who.staff_id, sizeof(call.staff_id)); /* open or pause: whose */
    return do_op(s, c, &call);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    lan_server_t *s = cls;
    conn_t *cn = *req_cls;

    (void)version;
    if(!cn) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        cn = hk_calloc(1, sizeof(*cn));
        if(!cn)
            return MHD_NO;
        *req_cls = cn;
        if(cl && strtoull(cl, NULL, 10) > LAN_API_BODY_MAX) {
            /* refused before reading it: MHD closes the connection after */
            cn->too_large = true;
            return handle(s, c, url, method, cn);
        }
        return MHD_YES;
    }
    if(*upload_size) {
        if(!cn->too_large && cn->len + *upload_size > LAN_API_BODY_MAX) {
            cn->too_large = true; /* keep reading, drop it: answered at the end */
            HK_SAFEFREE(cn->body);
        } else if(!cn->too_large) {
            if(!cn->body)
                cn->body = hk_malloc(LAN_API_BODY_MAX);
            if(!cn->body)
                return MHD_NO;
            memcpy(cn->body + cn->len, upload, *upload_size);
            cn->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return handle(s, c, url, method, cn);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_t *cn = *req_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if(cn) {
        hk_free(cn->body);
        hk_free(cn);
        *req_cls = NULL;
    }
}

/* ---- static ---------------------------------------------------------------------- */

/* Free every frame in the ring (caller holds mu, or is the only user). */
static void feed_clear(lan_server_t *s)
{
    int i;

    for(i = 0; i < LAN_SERVER_FEED_CAP; i++)
        HK_SAFEFREE(s->frames[i]);
}
