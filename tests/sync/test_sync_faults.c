/*
 * The sync worker against a misbehaving head office, over real TLS on
 * loopback. The fault server is this test's own (libmicrohttpd + GnuTLS):
 * it decodes batches with central_batch_decode, holds each event once by
 * seq and uuid, and acks correctly unless told to misbehave: 500, 503 with
 * Retry-After, 429, a hang (timeout), a reset mid-body, an endless body,
 * malformed and truncated JSON, HTML with 200, an ack naming other ids.
 * For each: the cursor does not move, and once the server behaves every
 * event arrives exactly once. Bad certificates (unknown CA, wrong host,
 * expired, self-signed, pin mismatch, no client certificate) are refused
 * before any event data reaches the server. A 4xx parks the upload; a
 * restart resumes from the cursor; stop returns promptly during a hang;
 * pushed configuration is validated whole and a bad one is refused.
 */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "central_proto.h"
#include "config_live.h"
#include "clock.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "hub.h"
#include "journal.h"
#include "pki.h"
#include "store.h"
#include "submission.h"
#include "sync.h"

#define DEVICE  "kiosk-1"
#define TOKEN   "kiosk-1-central-token-0123456789"
#define MAX_SEQ 256

typedef enum fault {
    FAULT_OK = 0,
    FAULT_500,
    FAULT_503,
    FAULT_429,
    FAULT_HANG,
    FAULT_RESET,
    FAULT_ENDLESS,
    FAULT_MALFORMED,
    FAULT_TRUNCATED,
    FAULT_HTML,
    FAULT_OTHER_IDS,
    FAULT_400
} fault_t;

static const char *const fault_names[] = { "ok",        "500",   "503",       "429",
                                           "hang",      "reset", "endless",   "malformed",
                                           "truncated", "html",  "other ids", "400" };

/* ---- the fault server -------------------------------------------------------- */

typedef struct fsrv {
    struct MHD_Daemon *d;
    uint16_t port;
    char *cert, *key, *trust; /* PEM text */
    bool need_client_cert;    /* 401 on the headers without a verified one */
    pthread_mutex_t mu;
    fault_t fault;
    int requests;    /* /v1/events requests that reached the handler */
    long body_bytes; /* their body bytes received */
    int held[MAX_SEQ + 1];
    char uuid[MAX_SEQ + 1][37];
    int duplicates;
    int64_t req_ms[256];
    int n_req_ms;
    char *config_doc; /* GET /v1/config answer; NULL = 304 */
    char etag[32];
    int heartbeats;
    atomic_bool release;  /* ends a hang */
    char submitted[2048]; /* submission (issue 8.5): the last issue.submitted body held */
} fsrv_t;

typedef struct conn_ctx {
    char *body;
    size_t len;
    bool answered;
    bool events;
} conn_ctx_t;

static hk_pki_t pki;
static char pki_dir[1024];

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *body, size_t len, const char *retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    MHD_add_response_header(r, "Content-Type", type);
    if(retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *code,
                                   const char *retry_after)
{
    char *text = NULL;
    size_t len = 0;
    enum MHD_Result ret;

    HK_ASSERT_OK(central_error_encode(code, "fault server", &text, &len));
    ret = reply(c, status, "application/json", text, len, retry_after);
    hk_free(text);
    return ret;
}

/* A body that ends before its declared length: the connection is cut. */
static ssize_t cut_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    if(pos > 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    memcpy(buf, "{\"device\":", max < 10 ? max : 10);
    return max < 10 ? (ssize_t)max : 10;
}

/* A body that never ends. */
static ssize_t endless_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    fsrv_t *s = cls;

    (void)pos;
    if(atomic_load(&s->release))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    memset(buf, ' ', max);
    return (ssize_t)max;
}

static enum MHD_Result reply_callback(struct MHD_Connection *c, uint64_t size,
                                      MHD_ContentReaderCallback fn, void *cls)
{
    struct MHD_Response *r = MHD_create_response_from_callback(size, 4096, fn, cls, NULL);
    enum MHD_Result ret = MHD_queue_response(c, 200, r);

    MHD_destroy_response(r);
    return ret;
}

/* Hold the batch's events (once each) and build the true ack. */
static enum MHD_Result handle_events(fsrv_t *s, struct MHD_Connection *c, conn_ctx_t *x,
                                     fault_t fault)
{
    central_batch_t b;
    central_ack_t ack;
    hk_diag_t diag;
    char *text = NULL;
    size_t len = 0;
    enum MHD_Result ret;
    int i;

    if(central_batch_decode(x->body ? x->body : "", x->len, &b, &diag) != HK_OK)
        return reply_error(c, 400, "bad_batch", NULL);
    memset(&ack, 0, sizeof(ack));
    snprintf(ack.device, sizeof(ack.device), "%s", b.device);
    ack.n_results = b.n_events;
    ack.results = hk_calloc((size_t)b.n_events, sizeof(*ack.results));
    HK_ASSERT(ack.results);
    pthread_mutex_lock(&s->mu);
    for(i = 0; i < b.n_events; i++) {
        const central_event_t *e = &b.events[i];
        HK_ASSERT(e->seq >= 1 && e->seq <= MAX_SEQ);
        ack.results[i].seq = e->seq;
        memcpy(ack.results[i].uuid, e->uuid, sizeof(e->uuid));
        if(s->held[e->seq]) {
            HK_ASSERT_STR(s->uuid[e->seq], e->uuid);
            ack.results[i].status = CENTRAL_DUPLICATE;
            s->duplicates++;
        } else {
            s->held[e->seq] = 1;
            memcpy(s->uuid[e->seq], e->uuid, sizeof(e->uuid));
            ack.results[i].status = CENTRAL_STORED;
            if(!strcmp(e->type, "issue.submitted")) /* submission (issue 8.5) */
                snprintf(s->submitted, sizeof(s->submitted), "%s", e->body);
        }
    }
    while(ack.acked_seq < MAX_SEQ && s->held[ack.acked_seq + 1])
        ack.acked_seq++;
    pthread_mutex_unlock(&s->mu);
    if(fault == FAULT_OTHER_IDS)
        for(i = 0; i < ack.n_results; i++)
            ack.results[i].uuid[0] = ack.results[i].uuid[0] == 'a' ? 'b' : 'a';
    HK_ASSERT_OK(central_ack_encode(&ack, &text, &len));
    if(fault == FAULT_TRUNCATED)
        len /= 2;
    if(fault == FAULT_RESET)
        ret = reply_callback(c, len, cut_body, s);
    else
        ret = reply(c, 200, "application/json", text, len, NULL);
    hk_free(text);
    hk_free(ack.results);
    central_batch_free(&b);
    return ret;
}

static bool client_cert_ok(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t tls;
    unsigned int status = 0, n = 0;

    if(!ci || !ci->tls_session)
        return false;
    tls = (gnutls_session_t)ci->tls_session;
    if(!gnutls_certificate_get_peers(tls, &n) || n == 0)
        return false;
    return gnutls_certificate_verify_peers2(tls, &status) == 0 && status == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    fsrv_t *s = cls;
    conn_ctx_t *x = *con_cls;
    fault_t fault;

    (void)version;
    if(!x) {
        x = calloc(1, sizeof(*x));
        HK_ASSERT(x);
        *con_cls = x;
        x->events = !strcmp(url, "/v1/events");
        if(x->events) {
            pthread_mutex_lock(&s->mu);
            s->requests++;
            if(s->n_req_ms < 256)
                s->req_ms[s->n_req_ms++] = now_ms();
            pthread_mutex_unlock(&s->mu);
        }
        /* the device is refused on its headers: no body is read */
        if(s->need_client_cert && !client_cert_ok(c)) {
            x->answered = true;
            return reply_error(c, 401, "unauthenticated", NULL);
        }
        if(!s->need_client_cert) {
            const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
            if(!auth || strcmp(auth, "Bearer " TOKEN) != 0) {
                x->answered = true;
                return reply_error(c, 401, "unauthenticated", NULL);
            }
        }
        return MHD_YES;
    }
    if(*upload_size) {
        if(!x->answered) {
            char *nb = realloc(x->body, x->len + *upload_size + 1);
            HK_ASSERT(nb);
            x->body = nb;
            memcpy(x->body + x->len, upload_data, *upload_size);
            x->len += *upload_size;
        }
        if(x->events) {
            pthread_mutex_lock(&s->mu);
            s->body_bytes += (long)*upload_size;
            pthread_mutex_unlock(&s->mu);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if(x->answered)
        return MHD_YES;
    x->answered = true;
    pthread_mutex_lock(&s->mu);
    fault = s->fault;
    pthread_mutex_unlock(&s->mu);
    if(!strcmp(url, "/v1/heartbeat") && !strcmp(method, "POST")) {
        char *text = NULL;
        size_t len = 0;
        enum MHD_Result ret;
        pthread_mutex_lock(&s->mu);
        s->heartbeats++;
        pthread_mutex_unlock(&s->mu);
        HK_ASSERT_OK(central_heartbeat_reply_encode(1764000000000, &text, &len));
        ret = reply(c, 200, "application/json", text, len, NULL);
        hk_free(text);
        return ret;
    }
    if(!strcmp(url, "/v1/config") && !strcmp(method, "GET")) {
        const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
        struct MHD_Response *r;
        enum MHD_Result ret;
        pthread_mutex_lock(&s->mu);
        if(!s->config_doc || (inm && !strcmp(inm, s->etag))) {
            pthread_mutex_unlock(&s->mu);
            return reply(c, 304, "application/json", "", 0, NULL);
        }
        r = MHD_create_response_from_buffer(strlen(s->config_doc), s->config_doc,
                                            MHD_RESPMEM_MUST_COPY);
        MHD_add_response_header(r, "ETag", s->etag);
        pthread_mutex_unlock(&s->mu);
        ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    if(!x->events || strcmp(method, "POST"))
        return reply_error(c, 404, "not_found", NULL);
    switch(fault) {
    case FAULT_500: return reply_error(c, 500, "internal", NULL);
    case FAULT_503: return reply_error(c, 503, "unavailable", "1");
    case FAULT_429: return reply_error(c, 429, "overloaded", "0");
    case FAULT_400: return reply_error(c, 400, "bad_batch", NULL);
    case FAULT_HANG: {
        int64_t end = now_ms() + 10000;
        while(!atomic_load(&s->release) && now_ms() < end)
            sleep_ms(10);
        return reply_error(c, 500, "hung", NULL);
    }
    case FAULT_ENDLESS: return reply_callback(c, MHD_SIZE_UNKNOWN, endless_body, s);
    case FAULT_MALFORMED:
        return reply(c, 200, "application/json", "{\"device\":\"kiosk-1\",\"acked_seq\":", 31,
                     NULL);
    case FAULT_HTML: {
        static const char html[] = "<html><body>Please log in to the hotel Wi-Fi</body></html>";
        return reply(c, 200, "text/html", html, sizeof(html) - 1, NULL);
    }
    default: return handle_events(s, c, x, fault);
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn_ctx_t *x = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if(x) {
        free(x->body);
        free(x);
        *con_cls = NULL;
    }
}

static void fsrv_start(fsrv_t *s, const hk_pki_pair_t *pair, bool need_client_cert)
{
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_TLS |
                     MHD_USE_INTERNAL_POLLING_THREAD;

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->release, false);
    s->need_client_cert = need_client_cert;
    s->cert = hk_pki_read(pair->cert);
    s->key = hk_pki_read(pair->key);
    s->trust = hk_pki_read(pki.ca);
    HK_ASSERT(s->cert && s->key && s->trust);
    snprintf(s->etag, sizeof(s->etag), "\"v0\"");
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(need_client_cert)
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                s, MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_HTTPS_MEM_CERT,
                                s->cert, MHD_OPTION_HTTPS_MEM_TRUST, s->trust, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                                s, MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_HTTPS_MEM_CERT,
                                s->cert, MHD_OPTION_END);
    HK_ASSERT(s->d);
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    HK_ASSERT(info && info->port);
    s->port = info->port;
}

static void fsrv_stop(fsrv_t *s)
{
    atomic_store(&s->release, true);
    if(s->d)
        MHD_stop_daemon(s->d);
    s->d = NULL;
    free(s->cert);
    free(s->key);
    free(s->trust);
    free(s->config_doc);
    pthread_mutex_destroy(&s->mu);
}

static void fsrv_set(fsrv_t *s, fault_t f)
{
    pthread_mutex_lock(&s->mu);
    s->fault = f;
    pthread_mutex_unlock(&s->mu);
}

static int fsrv_requests(fsrv_t *s)
{
    int n;

    pthread_mutex_lock(&s->mu);
    n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Every seq 1..n held exactly once, nothing beyond. */
static void assert_held_once(fsrv_t *s, int n)
{
    int i;

    pthread_mutex_lock(&s->mu);
    for(i = 1; i <= MAX_SEQ; i++)
        HK_ASSERT_MSG(s->held[i] == (i <= n ? 1 : 0), "seq %d held %d times", i, s->held[i]);
    pthread_mutex_unlock(&s->mu);
}

/* ---- the device side ------------------------------------------------------------ */

static config_t cfg;
static char data_dir[1100];

static const char base_json[] =
    "{\"branch\":{\"id\":\"b001\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}],"
    "\"device\":{\"id\":\"" DEVICE "\"},";

/* The device config: central at the server, with extra central keys. */
static void make_cfg(const fsrv_t *s, const char *central_extra)
{
    char json[8192];
    hk_diag_t diag;

    snprintf(json, sizeof(json),
             "%s\"central\":{\"url\":\"https://127.0.0.1:%u\",\"ca_file\":\"%s\"%s%s}}", base_json,
             (unsigned)s->port, pki.ca, central_extra[0] ? "," : "", central_extra);
    HK_ASSERT_MSG(config_parse(json, strlen(json), &cfg, &diag) == HK_OK, "%s", diag.msg);
}

static void make_cfg_token(const fsrv_t *s)
{
    make_cfg(s, "\"token\":\"" TOKEN "\"");
}

static void new_data_dir(const char *name)
{
    snprintf(data_dir, sizeof(data_dir), "%s/%s", hk_test_tmpdir(), name);
    HK_ASSERT_INT(0, mkdir(data_dir, 0700));
}

static void record_events(int n)
{
    char path[1200], body[64];
    store_t *st = NULL;
    int i;

    snprintf(path, sizeof(path), "%s/hallkiosk.db", data_dir);
    HK_ASSERT_OK(store_open(path, &st, NULL));
    HK_ASSERT_OK(store_begin(st));
    for(i = 0; i < n; i++) {
        snprintf(body, sizeof(body), "{\"number\":\"A%03d\"}", i + 1);
        HK_ASSERT_OK(journal_append(st, JOURNAL_TICKET_ISSUED, body, 1764000000000 + i, NULL));
    }
    HK_ASSERT_OK(store_commit(st));
    store_close(st);
}

static int64_t cursor(void)
{
    char path[1200];
    store_t *st = NULL;
    int64_t c = -1;

    snprintf(path, sizeof(path), "%s/hallkiosk.db", data_dir);
    HK_ASSERT_OK(store_open(path, &st, NULL));
    HK_ASSERT_OK(journal_cursor_get(st, SYNC_CURSOR, &c));
    store_close(st);
    return c;
}

static sync_t *start_sync(config_live_t *live, int total_ms)
{
    sync_opts_t o;
    sync_t *s = NULL;
    hk_diag_t diag;

    memset(&o, 0, sizeof(o));
    o.cfg = &cfg;
    o.data_dir = data_dir;
    o.live = live;
    o.backoff_base_ms = 50;
    o.backoff_cap_ms = 400;
    o.connect_ms = 8000; /* TLS handshakes under TSan on a busy machine */
    o.total_ms = total_ms ? total_ms : 10000;
    o.low_speed_s = 3;
    o.config_poll_ms = 300;
    o.heartbeat_ms = 300;
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(sync_start(&o, &s, &diag) == HK_OK, "%s", diag.msg);
    return s;
}

static bool wait_cursor(int64_t want, int ms)
{
    int64_t end = now_ms() + ms;

    while(now_ms() < end) {
        if(cursor() == want)
            return true;
        sleep_ms(50);
    }
    return cursor() == want;
}

static bool wait_requests(fsrv_t *s, int n, int ms)
{
    int64_t end = now_ms() + ms;

    while(now_ms() < end && fsrv_requests(s) < n)
        sleep_ms(20);
    return fsrv_requests(s) >= n;
}

void setUp(void)
{
}

void tearDown(void)
{
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_sync_uploads_each_event_once_and_moves_the_cursor(void)
{
    sync_status_t st;
    fsrv_t srv;
    sync_t *s;
    int64_t t0;

    fsrv_start(&srv, &pki.server, false);
    make_cfg_token(&srv);
    new_data_dir("d");
    record_events(40);
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(40, 10000));
    /* a poke sends new events at once, long before interval_s (5 s) */
    sleep_ms(200);
    record_events(3);
    t0 = now_ms();
    sync_poke(s);
    HK_ASSERT(wait_cursor(43, 3000));
    HK_ASSERT_MSG(now_ms() - t0 < 2500, "poke took %lld ms", (long long)(now_ms() - t0));
    sync_status_get(s, &st);
    HK_ASSERT(st.online);
    HK_ASSERT_INT(0, st.backlog);
    HK_ASSERT(st.last_success_ms > 0);
    HK_ASSERT_STR("", st.last_error);
    sync_stop(s);
    assert_held_once(&srv, 43);
    HK_ASSERT_INT(0, srv.duplicates);
    HK_ASSERT(srv.heartbeats >= 1);
    /* hallctl's view, from the file and the database */
    HK_ASSERT_OK(sync_status_read(data_dir, &st, NULL));
    HK_ASSERT_INT(0, st.backlog);
    HK_ASSERT_INT(43, st.acked_seq);
    HK_ASSERT(st.last_success_ms > 0);
    record_events(2);
    HK_ASSERT_OK(sync_status_read(data_dir, &st, NULL));
    HK_ASSERT_INT(2, st.backlog);
    fsrv_stop(&srv);
}

/* Each fault: nothing acknowledged, then everything once. */
static void test_sync_faults_never_move_the_cursor_and_all_arrives_once(void)
{
    static const fault_t faults[] = { FAULT_500,       FAULT_503,     FAULT_429,
                                      FAULT_RESET,     FAULT_ENDLESS, FAULT_MALFORMED,
                                      FAULT_TRUNCATED, FAULT_HTML,    FAULT_OTHER_IDS };
    size_t k;

    for(k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
        char name[32];
        sync_status_t st;
        fsrv_t srv;
        sync_t *s;

        printf("# fault: %s\n", fault_names[faults[k]]);
        fsrv_start(&srv, &pki.server, false);
        fsrv_set(&srv, faults[k]);
        make_cfg_token(&srv);
        snprintf(name, sizeof(name), "f%zu", k);
        new_data_dir(name);
        record_events(25);
        s = start_sync(NULL, 0);
        HK_ASSERT_MSG(wait_requests(&srv, 2, 8000), "%s: no retry", fault_names[faults[k]]);
        HK_ASSERT_INT(0, cursor());
        sync_status_get(s, &st);
        HK_ASSERT_MSG(!st.online, "%s: online", fault_names[faults[k]]);
        HK_ASSERT_MSG(st.last_error[0], "%s: no error", fault_names[faults[k]]);
        HK_ASSERT(!st.parked);
        HK_ASSERT_INT(25, st.backlog);
        if(faults[k] == FAULT_503) {
            /* Retry-After: 1 was honoured */
            pthread_mutex_lock(&srv.mu);
            HK_ASSERT_MSG(srv.req_ms[1] - srv.req_ms[0] >= 950, "503 retried after %lld ms",
                          (long long)(srv.req_ms[1] - srv.req_ms[0]));
            pthread_mutex_unlock(&srv.mu);
        }
        fsrv_set(&srv, FAULT_OK);
        HK_ASSERT_MSG(wait_cursor(25, 10000), "%s: not all arrived", fault_names[faults[k]]);
        sync_status_get(s, &st);
        sync_stop(s);
        atomic_store(&srv.release, true);
        assert_held_once(&srv, 25);
        fsrv_stop(&srv);
    }
}

/* A hanging server: the total timeout ends each try, and stop does not
 * wait for the request in flight. */
static void test_sync_times_out_a_hang_and_stops_promptly(void)
{
    fsrv_t srv;
    sync_t *s;
    int64_t t0;

    fsrv_start(&srv, &pki.server, false);
    fsrv_set(&srv, FAULT_HANG);
    make_cfg_token(&srv);
    new_data_dir("d");
    record_events(5);
    s = start_sync(NULL, 3000); /* a TLS handshake under TSan takes its time */
    HK_ASSERT(wait_requests(&srv, 2, 20000));
    HK_ASSERT_INT(0, cursor());
    sync_stop(s);
    /* a long total timeout, stopped in the middle of a hung request */
    s = start_sync(NULL, 30000);
    HK_ASSERT(wait_requests(&srv, 3, 20000));
    sleep_ms(200);
    t0 = now_ms();
    sync_stop(s);
    HK_ASSERT_MSG(now_ms() - t0 < 1500, "stop took %lld ms", (long long)(now_ms() - t0));
    HK_ASSERT_INT(0, cursor());
    atomic_store(&srv.release, true);
    fsrv_set(&srv, FAULT_OK);
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(5, 10000));
    sync_stop(s);
    assert_held_once(&srv, 5);
    fsrv_stop(&srv);
}

/* A certificate the device must not trust: no request, no event data. */
static void refused(const hk_pki_pair_t *server_pair, const char *central_extra, bool mtls,
                    const char *want_error)
{
    sync_status_t st;
    fsrv_t srv;
    sync_t *s;
    char name[32];
    int64_t end;
    static int n;

    fsrv_start(&srv, server_pair, mtls);
    make_cfg(&srv, central_extra);
    snprintf(name, sizeof(name), "r%d", n++);
    new_data_dir(name);
    record_events(3);
    s = start_sync(NULL, 0);
    end = now_ms() + 20000; /* the first refusal (slow under TSan) */
    do {
        sleep_ms(50);
        sync_status_get(s, &st);
    } while(!st.last_error[0] && now_ms() < end);
    sleep_ms(500); /* and a retry or two */
    sync_status_get(s, &st);
    sync_stop(s);
    HK_ASSERT_INT(0, cursor());
    HK_ASSERT(!st.online);
    HK_ASSERT_CONTAINS(st.last_error, want_error);
    pthread_mutex_lock(&srv.mu);
    if(!mtls)
        HK_ASSERT_INT(0, srv.requests);
    HK_ASSERT_INT(0, srv.body_bytes);
    pthread_mutex_unlock(&srv.mu);
    assert_held_once(&srv, 0);
    fsrv_stop(&srv);
}

static void test_sync_refuses_bad_certificates_before_sending(void)
{
    char pin[128], extra[512];

    refused(&pki.unknown_ca, "\"token\":\"" TOKEN "\"", false, "tls error");
    refused(&pki.wrong_host, "\"token\":\"" TOKEN "\"", false, "tls error");
    refused(&pki.expired, "\"token\":\"" TOKEN "\"", false, "tls error");
    refused(&pki.self_signed, "\"token\":\"" TOKEN "\"", false, "tls error");
    /* the right CA and host, but not the pinned key */
    HK_ASSERT_INT(0, hk_pki_pin(pki.unknown_ca.cert, pin, sizeof(pin)));
    snprintf(extra, sizeof(extra), "\"token\":\"" TOKEN "\",\"pins\":[\"%s\"]", pin);
    refused(&pki.server, extra, false, "tls error");
    /* a server that wants a client certificate, and none given: refused on
     * the headers, before the body (Expect: 100-continue) */
    refused(&pki.server, "\"token\":\"" TOKEN "\"", true, "401");
}

static void test_sync_pins_and_client_certificates_are_accepted(void)
{
    char pin[128], pin2[128], extra[2400];
    fsrv_t srv;
    sync_t *s;

    /* a pin list with the server's key as the backup */
    fsrv_start(&srv, &pki.server, false);
    HK_ASSERT_INT(0, hk_pki_pin(pki.unknown_ca.cert, pin, sizeof(pin)));
    HK_ASSERT_INT(0, hk_pki_pin(pki.server.cert, pin2, sizeof(pin2)));
    snprintf(extra, sizeof(extra), "\"token\":\"" TOKEN "\",\"pins\":[\"%s\",\"%s\"]", pin, pin2);
    make_cfg(&srv, extra);
    new_data_dir("pin");
    record_events(4);
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(4, 8000));
    sync_stop(s);
    fsrv_stop(&srv);
    /* mTLS: the device's certificate, no token */
    fsrv_start(&srv, &pki.server, true);
    snprintf(extra, sizeof(extra), "\"client_cert\":\"%s\",\"client_key\":\"%s\"", pki.client.cert,
             pki.client.key);
    make_cfg(&srv, extra);
    new_data_dir("mtls");
    record_events(4);
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(4, 8000));
    sync_stop(s);
    assert_held_once(&srv, 4);
    fsrv_stop(&srv);
}

/* A 4xx other than 408/429 parks the upload until the config changes. */
static void test_sync_parks_on_a_refusal_until_the_config_changes(void)
{
    config_live_t *live = NULL;
    sync_status_t st;
    fsrv_t srv;
    sync_t *s;
    int n;

    fsrv_start(&srv, &pki.server, false);
    fsrv_set(&srv, FAULT_400);
    make_cfg_token(&srv);
    new_data_dir("d");
    record_events(6);
    HK_ASSERT_OK(config_live_create(&cfg, &live));
    s = start_sync(live, 0);
    HK_ASSERT(wait_requests(&srv, 1, 5000));
    sleep_ms(800);
    n = fsrv_requests(&srv);
    HK_ASSERT_INT(1, n); /* not sent again */
    sync_status_get(s, &st);
    HK_ASSERT(st.parked);
    HK_ASSERT(!sync_online(s));
    HK_ASSERT_CONTAINS(st.last_error, "400");
    HK_ASSERT_INT(0, cursor());
    /* the operator fixes something: a new config */
    fsrv_set(&srv, FAULT_OK);
    HK_ASSERT_OK(config_live_replace(live, &cfg));
    HK_ASSERT(wait_cursor(6, 8000));
    sync_status_get(s, &st);
    HK_ASSERT(!st.parked);
    sync_stop(s);
    config_live_destroy(live);
    assert_held_once(&srv, 6);
    fsrv_stop(&srv);
}

/* A restarted worker resumes from the cursor: nothing is sent twice. */
static void test_sync_restart_resumes_from_the_cursor(void)
{
    fsrv_t srv;
    sync_t *s;

    fsrv_start(&srv, &pki.server, false);
    make_cfg_token(&srv);
    new_data_dir("d");
    record_events(7);
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(7, 8000));
    sync_stop(s);
    record_events(5);
    HK_ASSERT_INT(7, cursor());
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(12, 8000));
    sync_stop(s);
    assert_held_once(&srv, 12);
    HK_ASSERT_INT(0, srv.duplicates);
    fsrv_stop(&srv);
}

/* Pushed configuration: validated whole, local sections kept, saved; a bad
 * one refused with its reason while the last good one stays. */
static void test_sync_applies_good_config_and_refuses_a_bad_one(void)
{
    static const char good[] =
        "{\"version\":3,\"config\":{\"branch\":{\"id\":\"b001\",\"name_zh\":\"新厅\","
        "\"name_en\":\"New Hall\"},\"services\":[{\"id\":\"general\",\"prefix\":\"A\","
        "\"name_zh\":\"业务\",\"name_en\":\"G\"},{\"id\":\"vip\",\"prefix\":\"V\","
        "\"name_zh\":\"贵宾\",\"name_en\":\"VIP\"}],\"counters\":[{\"id\":\"c1\",\"number\":1,"
        "\"services\":[\"general\",\"vip\"]}]},\"announcements\":[]}";
    static const char bad[] =
        "{\"version\":4,\"config\":{\"branch\":{\"id\":\"b001\",\"name_zh\":\"坏\","
        "\"name_en\":\"Bad\"},\"services\":[{\"id\":\"general\",\"prefix\":\"a\","
        "\"name_zh\":\"业务\",\"name_en\":\"G\"}],\"counters\":[{\"id\":\"c1\",\"number\":1,"
        "\"services\":[\"general\"]}]},\"announcements\":[]}";
    config_live_t *live = NULL;
    const config_t *c;
    sync_status_t st;
    char path[1200];
    uint64_t gen;
    fsrv_t srv;
    sync_t *s;
    int64_t end;

    fsrv_start(&srv, &pki.server, false);
    srv.config_doc = strdup(good);
    snprintf(srv.etag, sizeof(srv.etag), "\"v3\"");
    make_cfg_token(&srv);
    new_data_dir("d");
    HK_ASSERT_OK(config_live_create(&cfg, &live));
    s = start_sync(live, 0);
    end = now_ms() + 8000;
    while(config_live_generation(live) < 2 && now_ms() < end)
        sleep_ms(20);
    HK_ASSERT_INT(2, config_live_generation(live));
    c = config_live_acquire(live, NULL);
    HK_ASSERT_STR("New Hall", c->branch_name_en);
    HK_ASSERT_INT(2, c->n_services);
    HK_ASSERT_STR(cfg.central.url, c->central.url); /* local: kept */
    HK_ASSERT_STR(DEVICE, c->device.id);
    config_live_release(live, c);
    snprintf(path, sizeof(path), "%s/%s", data_dir, SYNC_CONFIG_FILE);
    HK_ASSERT(access(path, R_OK) == 0);
    /* a broken document with a new ETag */
    pthread_mutex_lock(&srv.mu);
    free(srv.config_doc);
    srv.config_doc = strdup(bad);
    snprintf(srv.etag, sizeof(srv.etag), "\"v4\"");
    pthread_mutex_unlock(&srv.mu);
    end = now_ms() + 8000;
    do {
        sleep_ms(50);
        sync_status_get(s, &st);
    } while(!strstr(st.last_error, "config refused") && now_ms() < end);
    HK_ASSERT_CONTAINS(st.last_error, "config refused");
    HK_ASSERT_CONTAINS(st.last_error, "prefix");
    gen = config_live_generation(live);
    HK_ASSERT_INT(2, gen);
    HK_ASSERT_INT(3, st.config_version);
    sync_stop(s);
    config_live_destroy(live);
    fsrv_stop(&srv);
}

/* The hub starts the sync when central.url is set, and a poke after a
 * commit sends at once (interval_s is an hour here). */
static void test_sync_the_hub_starts_it_and_pokes_it(void)
{
    hk_clock_t *clock = NULL;
    hub_opts_t ho;
    hub_t *hub = NULL;
    hk_diag_t diag;
    fsrv_t srv;
    int64_t end;

    fsrv_start(&srv, &pki.server, false);
    make_cfg(&srv, "\"token\":\"" TOKEN "\",\"interval_s\":3600");
    new_data_dir("hub");
    HK_ASSERT_OK(hk_clock_system_create(&clock));
    memset(&ho, 0, sizeof(ho));
    ho.cfg = &cfg;
    ho.clock = clock;
    ho.data_dir = data_dir;
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(hub_create(&ho, &hub, &diag) == HK_OK, "%s", diag.msg);
    HK_ASSERT(hub_sync(hub));
    HK_ASSERT_OK(hub_start_thread(hub));
    /* the first look (at start) has passed: heartbeats have been answered */
    end = now_ms() + 20000;
    while(!sync_online(hub_sync(hub)) && now_ms() < end)
        sleep_ms(20);
    HK_ASSERT(sync_online(hub_sync(hub)));
    /* another connection commits (the kiosk's screen), then pokes */
    record_events(4);
    hub_poke(hub, 4);
    HK_ASSERT(wait_cursor(4, 5000));
    hub_destroy(hub); /* stops the sync */
    hk_clock_destroy(clock);
    assert_held_once(&srv, 4);
    fsrv_stop(&srv);
}

/* ---- submission (issue 8.5): head office gets the phone, then the hub forgets it ---- */

static int pending_personal(void)
{
    char path[1200];
    store_t *st = NULL;
    int n = -1;

    snprintf(path, sizeof(path), "%s/hallkiosk.db", data_dir);
    HK_ASSERT_OK(store_open(path, &st, NULL));
    HK_ASSERT_OK(submission_pending_personal(st, &n));
    store_close(st);
    return n;
}

static void record_submission(void)
{
    char path[1200];
    store_t *st = NULL;
    submission_t sub;
    submission_receipt_t r;

    memset(&sub, 0, sizeof(sub));
    snprintf(sub.category, sizeof(sub.category), "signal");
    snprintf(sub.phone, sizeof(sub.phone), "13812345678");
    snprintf(sub.description, sizeof(sub.description), "地下室没有信号");
    snprintf(sub.lang, sizeof(sub.lang), "zh-CN");
    sub.consent = true;
    snprintf(path, sizeof(path), "%s/hallkiosk.db", data_dir);
    HK_ASSERT_OK(store_open(path, &st, NULL));
    HK_ASSERT_OK(submission_record(st, &sub, "2026-11-26", (int64_t)time(NULL) * 1000, &r));
    store_close(st);
}

static void test_sync_sends_the_phone_then_the_hub_purges_it(void)
{
    char db[1200], wal[1300];
    fsrv_t srv;
    sync_t *s;
    int64_t end;

    /* kept while the retention period runs */
    fsrv_start(&srv, &pki.server, false);
    make_cfg(&srv, "\"token\":\"" TOKEN "\",\"retention_s\":3600");
    new_data_dir("sub-kept");
    record_submission();
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(1, 10000));
    sleep_ms(400);
    sync_stop(s);
    HK_ASSERT_CONTAINS(srv.submitted, "\"phone\":\"13812345678\"");
    HK_ASSERT_CONTAINS(srv.submitted, "\"description\":\"地下室没有信号\"");
    HK_ASSERT_INT(1, pending_personal());
    fsrv_stop(&srv);

    /* retention 0: deleted once acknowledged, the bytes gone from the files */
    fsrv_start(&srv, &pki.server, false);
    make_cfg(&srv, "\"token\":\"" TOKEN "\",\"retention_s\":0");
    new_data_dir("sub-purged");
    record_submission();
    s = start_sync(NULL, 0);
    HK_ASSERT(wait_cursor(1, 10000));
    end = now_ms() + 5000;
    while(pending_personal() != 0 && now_ms() < end)
        sleep_ms(50);
    sync_stop(s);
    HK_ASSERT_INT(0, pending_personal());
    HK_ASSERT_CONTAINS(srv.submitted, "\"phone\":\"13812345678\"");
    snprintf(db, sizeof(db), "%s/hallkiosk.db", data_dir);
    snprintf(wal, sizeof(wal), "%s-wal", db);
    HK_ASSERT_MSG(!hk_test_file_has_bytes(db, "13812345678"), "the phone is still in %s", db);
    HK_ASSERT_MSG(!hk_test_file_has_bytes(wal, "13812345678"), "the phone is still in %s", wal);
    HK_ASSERT(!hk_test_file_has_bytes(db, "地下室没有信号"));
    HK_ASSERT(hk_test_file_has_bytes(db, "138****5678") ||
              hk_test_file_has_bytes(wal, "138****5678"));
    fsrv_stop(&srv);
}

int main(void)
{
    int rc;

    signal(SIGPIPE, SIG_IGN);
    if(!hk_pki_available()) {
        printf("# skip: certtool not found (apt-get install gnutls-bin)\n");
        return 77;
    }
    snprintf(pki_dir, sizeof(pki_dir), "%s/sync-pki.%d",
             getenv("HK_TEST_TMP") ? getenv("HK_TEST_TMP") : "/tmp", (int)getpid());
    if(mkdir(pki_dir, 0700) != 0 || hk_pki_make_all(&pki, pki_dir, DEVICE) != 0) {
        printf("# cannot make the test certificates in %s\n", pki_dir);
        return 1;
    }
    HK_RUN(test_sync_uploads_each_event_once_and_moves_the_cursor);
    HK_RUN(test_sync_faults_never_move_the_cursor_and_all_arrives_once);
    HK_RUN(test_sync_times_out_a_hang_and_stops_promptly);
    HK_RUN(test_sync_refuses_bad_certificates_before_sending);
    HK_RUN(test_sync_pins_and_client_certificates_are_accepted);
    HK_RUN(test_sync_parks_on_a_refusal_until_the_config_changes);
    HK_RUN(test_sync_restart_resumes_from_the_cursor);
    HK_RUN(test_sync_applies_good_config_and_refuses_a_bad_one);
    HK_RUN(test_sync_the_hub_starts_it_and_pokes_it);
    HK_RUN(test_sync_sends_the_phone_then_the_hub_purges_it); /* submission (issue 8.5) */
    rc = hk_test_end();
    if(rc == 0) {
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki_dir);
        (void)system(cmd);
    }
    return rc;
}
