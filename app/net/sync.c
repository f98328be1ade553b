/*
 * sync: see sync.h.
 *
 * Design notes
 * ------------
 * One thread, one store_t, one central_client_t. The loop runs three
 * duties when they are due (upload: poked or every interval_s; config:
 * every config_poll_s; heartbeat: every heartbeat_s) and then sleeps on a
 * condition variable (monotonic clock) until the next one is due, a poke
 * or a stop. A failure of any of them that says "head office is not
 * there" (no connection, TLS refused, 408/429/5xx, an answer that is not
 * one) sets one backoff gate for all three: the next try is after a full-
 * jitter delay, uniform in 0..min(cap, base * 2^failures), or after the
 * server's Retry-After plus a jitter of up to base. A success resets it.
 *
 * The cursor moves inside journal_cursor_set() only, to the ack's
 * acked_seq, and only after central_ack_covers() accepted the ack for the
 * very events sent. Nothing else is trusted: an HTTP 200 alone is not an
 * acknowledgement.
 *
 * The status is kept under a mutex and written to sync-status.json
 * (write, fsync, rename) whenever it changes, so hallctl reads it from the
 * file; `online` is also an atomic for the UI's per-frame look.
 */
#include "sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sodium.h>

#include "central_client.h"
#include "hk_file.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "journal.h"
#include "paths.h"
#include "store.h"
#include "submission.h"
#include "updater.h"

#define LOG_MOD       "sync"
#define FILE_PATH_CAP (CONFIG_PATH_LEN + 32)
#define HEARTBEAT_MAX 4096 /* a heartbeat's answer, bytes */
#define STATUS_MAX    4096 /* the status file, bytes */
#define SYNC_VERSION  "0.1.0"

typedef enum outcome {
    OUT_OK = 0, /* done (or nothing to do) */
    OUT_RETRY,  /* head office not there: back off */
    OUT_PARK    /* refused (4xx): an upload parks; a pull or heartbeat waits its turn */
} outcome_t;

struct sync {
    config_t cfg; /* the device's own, at start */
    config_live_t *live;
    char version[32];
    char db_path[FILE_PATH_CAP];
    char status_path[FILE_PATH_CAP];
    char config_path[FILE_PATH_CAP];
    char content_path[FILE_PATH_CAP];
    char data_dir[CONFIG_PATH_LEN];
    int backoff_base_ms, backoff_cap_ms;
    int64_t poll_ms, beat_ms;
    store_t *store;
    central_client_t *client;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    atomic_bool online;  /* st.online && !st.parked, for any thread */
    atomic_bool offline; /* tried and failed, or parked (false before any try) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool purge_ckpt_pending; /* submission purge: the WAL still to truncate */
    bool poked;              /* under mu */
    sync_status_t st;        /* under mu */
    sync_status_t saved;     /* the worker's: what the file holds */
    /* the worker's own */
    int failures;
    int64_t next_try_ms, next_upload_ms, next_config_ms, next_hb_ms; /* monotonic */
    int64_t start_ms;
    uint64_t parked_gen;
    void (*content_cb)(void *ctx);
    void *content_ctx;
    atomic_uint_fast64_t content_gen;
    int retry_after_s; /* of the last failed answer; -1 = none */
};

static void *worker(void *arg);

/* ---- time and small helpers ------------------------------------------------ */

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Record an error (logged once per change; never a credential: the texts
 * are built from paths, statuses and diags). */
static void set_error(sync_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(sync_t *s, const char *fmt, ...)
{
    char msg[CENTRAL_TEXT_LEN];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&s->mu);
    if(strcmp(s->st.last_error, msg) != 0) {
        hk_log_warn(LOG_MOD, "%s", msg);
        snprintf(s->st.last_error, sizeof(s->st.last_error), "%s", msg);
    }
    pthread_mutex_unlock(&s->mu);
}

static void set_online(sync_t *s, bool online)
{
    pthread_mutex_lock(&s->mu);
    s->st.online = online;
    if(online) {
        s->st.last_success_ms = wall_ms();
        if(!s->st.parked && !s->st.config_refused &&
           !s->st.content_refused) /* refusals stay reported */
            s->st.last_error[0] = '\0';
    }
    atomic_store(&s->online, s->st.online && !s->st.parked);
    atomic_store(&s->offline, !(s->st.online && !s->st.parked));
    pthread_mutex_unlock(&s->mu);
}

static void set_parked(sync_t *s, bool parked)
{
    pthread_mutex_lock(&s->mu);
    s->st.parked = parked;
    atomic_store(&s->online, s->st.online && !s->st.parked);
    atomic_store(&s->offline, !(s->st.online && !s->st.parked));
    pthread_mutex_unlock(&s->mu);
}

/* curl's reason for the last transport failure. */
static const char *net_why(const sync_t *s)
{
    return central_client_last_error(s->client);
}

/* ---- the persisted status -------------------------------------------------- */

static hk_err_t status_encode(const sync_status_t *st, char **out)
{
    cJSON *o = cJSON_CreateObject();
    bool ok = o != NULL;

    ok = ok && cJSON_AddNumberToObject(o, "backlog", (double)st->backlog);
    ok = ok && cJSON_AddNumberToObject(o, "acked_seq", (double)st->acked_seq);
    ok = ok && cJSON_AddNumberToObject(o, "last_success_ms", (double)st->last_success_ms);
    ok = ok && cJSON_AddNumberToObject(o, "config_version", (double)st->config_version);
    ok = ok && cJSON_AddNumberToObject(o, "updated_ms", (double)st->updated_ms);
    ok = ok && cJSON_AddStringToObject(o, "last_error", st->last_error);
    ok = ok && cJSON_AddStringToObject(o, "etag", st->etag);
    ok = ok && cJSON_AddBoolToObject(o, "online", st->online);
    ok = ok && cJSON_AddBoolToObject(o, "parked", st->parked);
    ok = ok && cJSON_AddBoolToObject(o, "config_refused", st->config_refused);
    ok = ok && cJSON_AddStringToObject(o, "content_version", st->content_version);
    ok = ok && cJSON_AddStringToObject(o, "content_etag", st->content_etag);
    ok = ok && cJSON_AddBoolToObject(o, "content_refused", st->content_refused);
    ok = ok && cJSON_AddStringToObject(o, "update_version", st->update_version);
    ok = ok && cJSON_AddStringToObject(o, "update_url", st->update_url);
    ok = ok && cJSON_AddStringToObject(o, "update_sha256", st->update_sha256);
    *out = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return *out ? HK_OK : HK_ERR_NOMEM;
}

static int64_t get_i64(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble < 9e15
               ? (int64_t)it->valuedouble
               : 0;
}

static void get_text(const cJSON *o, const char *key, char *dst, size_t cap)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

    if(cJSON_IsString(it) && it->valuestring && strlen(it->valuestring) < cap)
        snprintf(dst, cap, "%s", it->valuestring);
}

static hk_err_t status_decode(const char *text, size_t len, sync_status_t *st, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { STATUS_MAX, 4 };
    cJSON *o = NULL;
    hk_err_t rc;

    memset(st, 0, sizeof(*st));
    rc = hk_json_parse(text, len, &lim, &o, diag);
    if(rc != HK_OK)
        return rc == HK_ERR_NOMEM ? rc : HK_ERR_CORRUPT;
    if(!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        hk_diag_set(diag, "%s: not an object", SYNC_STATUS_FILE);
        return HK_ERR_CORRUPT;
    }
    st->backlog = get_i64(o, "backlog");
    st->acked_seq = get_i64(o, "acked_seq");
    st->last_success_ms = get_i64(o, "last_success_ms");
    st->config_version = get_i64(o, "config_version");
    st->updated_ms = get_i64(o, "updated_ms");
    get_text(o, "last_error", st->last_error, sizeof(st->last_error));
    get_text(o, "etag", st->etag, sizeof(st->etag));
    st->online = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "online"));
    st->parked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "parked"));
    st->config_refused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "config_refused"));
    get_text(o, "content_version", st->content_version, sizeof(st->content_version));
    get_text(o, "content_etag", st->content_etag, sizeof(st->content_etag));
    st->content_refused = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "content_refused"));
    get_text(o, "update_version", st->update_version, sizeof(st->update_version));
    get_text(o, "update_url", st->update_url, sizeof(st->update_url));
    get_text(o, "update_sha256", st->update_sha256, sizeof(st->update_sha256));
    cJSON_Delete(o);
    return HK_OK;
}

/* The backlog from the store, into the status. */
static void refresh_backlog(sync_t *s)
{
    int64_t cursor = 0, last = 0;

    if(journal_cursor_get(s->store, SYNC_CURSOR, &cursor) != HK_OK ||
       journal_last_seq(s->store, &last) != HK_OK)
        return;
    pthread_mutex_lock(&s->mu);
    s->st.acked_seq = cursor;
    s->st.backlog = last > cursor ? last - cursor : 0;
    pthread_mutex_unlock(&s->mu);
}

/* Write the status file when anything but its time changed. */
static void persist_status(sync_t *s)
{
    sync_status_t st;
    char *text = NULL;

    pthread_mutex_lock(&s->mu);
    st = s->st;
    pthread_mutex_unlock(&s->mu);
    st.updated_ms = s->saved.updated_ms;
    if(memcmp(&st, &s->saved, sizeof(st)) == 0)
        return;
    st.updated_ms = wall_ms();
    if(status_encode(&st, &text) != HK_OK)
        return;
    if(hk_file_write_atomic(s->data_dir, s->status_path, text, strlen(text)) == HK_OK)
        s->saved = st;
    else
        hk_log_warn(LOG_MOD, "cannot write %s", s->status_path);
    cJSON_free(text);
}

/* ---- upload ---------------------------------------------------------------- */

/* A non-2xx answer as one line: "HTTP 409 uuid_conflict: ...". */
static void describe_error(const central_resp_t *r, char *dst, size_t cap)
{
    central_error_t e;
    hk_diag_t d;
    int n;

    /* the length is looked at so that -O2's -Wformat-truncation accepts a
     * cut: the text is for a status line, cut is fine */
    if(r->len && central_error_decode(r->body, r->len, &e, &d) == HK_OK)
        n = snprintf(dst, cap, "HTTP %d %s: %s", r->status, e.code, e.message);
    else
        n = snprintf(dst, cap, "HTTP %d", r->status);
    if(n < 0)
        dst[0] = '\0';
}

/* What a status means to the loop: retry for 408, 429 and 5xx (and any
 * other answer that is not a refusal), park for the other 4xx. */
static outcome_t answer_outcome(int status)
{
    if(status == 408 || status == 429 || status >= 500 || status < 400)
        return OUT_RETRY;
    return OUT_PARK;
}

/* One batch: encode, send, and move the cursor only on a true ack. */
static outcome_t upload_batch(sync_t *s, bool *more)
{
    journal_event_t *ev = NULL;
    central_resp_t r;
    central_ack_t ack;
    hk_diag_t d;
    char *body = NULL, why[CENTRAL_TEXT_LEN];
    size_t len = 0;
    int n = 0, taken = 0;
    int64_t cursor = 0, last = 0, newc = 0;
    outcome_t out = OUT_RETRY;
    hk_err_t rc;

    *more = false;
    /* the journal's end is read after the events: a commit in between
     * cannot leave a sent event past what the ack is checked against */
    rc = journal_cursor_get(s->store, SYNC_CURSOR, &cursor);
    if(rc == HK_OK)
        rc = journal_read_after(s->store, cursor, CENTRAL_BATCH_MAX_EVENTS, &ev, &n);
    if(rc == HK_OK)
        rc = journal_last_seq(s->store, &last);
    if(rc != HK_OK) {
        set_error(s, "upload: cannot read the journal: %s", hk_err_str(rc));
        journal_events_free(ev, n);
        return OUT_RETRY;
    }
    if(n == 0)
        return OUT_OK;
    /* the hub answers after its own flush (store_defer_sync): what this
     * connection read may not be on disk yet, and head office must never
     * hold an event a power cut could take back (its seq would be reused) */
    rc = store_flush(s->store);
    if(rc != HK_OK) {
        set_error(s, "upload: cannot flush the journal: %s", hk_err_str(rc));
        journal_events_free(ev, n);
        return OUT_RETRY;
    }
    /* submission (issue 8): the phone and description go to head office
     * only, joined in here from the table they are purged from later */
    rc = submission_sync_attach(s->store, ev, n);
    if(rc != HK_OK) {
        set_error(s, "upload: cannot read submissions: %s", hk_err_str(rc));
        journal_events_free(ev, n);
        return OUT_RETRY;
    }
    rc = central_batch_encode(s->cfg.device.id, s->cfg.branch_id, ev, n, 0, &body, &len, &taken);
    if(rc != HK_OK) {
        set_error(s, "upload: cannot encode events after %lld: %s", (long long)cursor,
                  hk_err_str(rc));
        journal_events_free(ev, n);
        return rc == HK_ERR_NOMEM ? OUT_RETRY : OUT_PARK;
    }
    rc = central_client_request(s->client, "POST", "/v1/events", body, len, NULL,
                                CENTRAL_ACK_MAX_BYTES, &r);
    hk_free(body);
    if(rc != HK_OK) {
        set_error(s, "upload: %s%s%s%s", hk_err_str(rc), net_why(s)[0] ? " (" : "", net_why(s),
                  net_why(s)[0] ? ")" : "");
        journal_events_free(ev, n);
        return OUT_RETRY;
    }
    s->retry_after_s = r.retry_after_s;
    if(r.status != 200) {
        describe_error(&r, why, sizeof(why));
        out = answer_outcome(r.status);
        set_error(s, "upload: %s%s", why, out == OUT_PARK ? " (parked)" : "");
    } else if(central_ack_decode(r.body, r.len, &ack, &d) != HK_OK) {
        set_error(s, "upload: not an acknowledgement: %s", d.msg);
    } else {
        if(!central_ack_covers(&ack, s->cfg.device.id, ev, taken, last, &newc, &d)) {
            set_error(s, "upload: the acknowledgement does not cover the batch: %s", d.msg);
        } else if(newc <= cursor) {
            set_error(s, "upload: head office holds nothing past %lld", (long long)cursor);
        } else if((rc = journal_cursor_set(s->store, SYNC_CURSOR, newc)) != HK_OK) {
            set_error(s, "upload: cannot move the cursor to %lld: %s", (long long)newc,
                      hk_err_str(rc));
        } else {
            out = OUT_OK;
            *more = newc < last;
        }
        central_ack_free(&ack);
    }
    central_resp_free(&r);
    journal_events_free(ev, n);
    return out;
}

static outcome_t do_upload(sync_t *s)
{
    outcome_t o;
    bool more = true;
    bool sent = false;

    do {
        o = upload_batch(s, &more);
        sent = sent || o == OUT_OK;
        refresh_backlog(s);
    } while(o == OUT_OK && more && !atomic_load(&s->stop));
    if(o == OUT_PARK) {
        set_parked(s, true);
        s->parked_gen = s->live ? config_live_generation(s->live) : 0;
    }
    return o;
}

/* ---- configuration --------------------------------------------------------- */

/* The device-local sections stay as this device has them. */
static hk_err_t merge_local(config_t *dst, const config_t *local, hk_diag_t *d)
{
    dst->role = local->role;
    dst->device = local->device;
    dst->hub = local->hub;
    dst->central = local->central;
    dst->printer = local->printer;
    memcpy(dst->data_dir, local->data_dir, sizeof(dst->data_dir));
    dst->display = local->display;
    dst->engineer = local->engineer; /* engineer mode (issue 9.5): provisioned, device-local */
    if(dst->device.counter[0] && config_counter_index(dst, dst->device.counter) < 0) {
        hk_diag_set(d, "config.counters: no counter \"%s\", which this device serves",
                    dst->device.counter);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* Validate a document whole, merge and apply it; save_path (when not NULL)
 * receives the text first, so what is in force is always on disk. */
static hk_err_t apply_doc(sync_t *s, const char *text, size_t len, const char *save_path,
                          int64_t *version_out, hk_diag_t *d)
{
    central_config_doc_t *doc = NULL;
    const config_t *cur;
    hk_err_t rc;

    rc = central_config_decode(text, len, &doc, d);
    if(rc != HK_OK)
        return rc;
    cur = s->live ? config_live_acquire(s->live, NULL) : &s->cfg;
    rc = merge_local(&doc->config, cur, d);
    if(s->live)
        config_live_release(s->live, cur);
    if(rc == HK_OK && save_path && hk_file_write_atomic(s->data_dir, save_path, text, len) != HK_OK)
        hk_log_warn(LOG_MOD, "cannot save %s: applied, but not kept", save_path);
    if(rc == HK_OK && s->live)
        rc = config_live_replace(s->live, &doc->config);
    *version_out = doc->version;
    hk_free(doc);
    return rc;
}

/* GET path with If-None-Match: the ETag in *etag_src (copied under mu).
 * true: a 200 is in *r (free it). false: *o says how it went (a 304, or
 * with none_ok a 404, is OUT_OK), the error recorded under what. */
static bool pull(sync_t *s, const char *what, const char *path, const char *etag_src, size_t max,
                 bool none_ok, central_resp_t *r, outcome_t *o)
{
    char etag[CENTRAL_ETAG_LEN], why[CENTRAL_TEXT_LEN];
    hk_err_t rc;

    pthread_mutex_lock(&s->mu);
    memcpy(etag, etag_src, sizeof(etag));
    pthread_mutex_unlock(&s->mu);
    rc = central_client_request(s->client, "GET", path, NULL, 0, etag, max, r);
    if(rc != HK_OK && atomic_load(&s->stop)) {
        *o = OUT_RETRY; /* aborted by sync_stop(): not head office's failure */
        return false;
    }
    if(rc != HK_OK) {
        set_error(s, "%s: %s%s%s%s", what, hk_err_str(rc), net_why(s)[0] ? " (" : "", net_why(s),
                  net_why(s)[0] ? ")" : "");
        *o = OUT_RETRY;
        return false;
    }
    s->retry_after_s = r->retry_after_s;
    *o = OUT_OK;
    if(r->status == 200)
        return true;
    if(r->status != 304 && !(none_ok && r->status == 404)) {
        *o = answer_outcome(r->status);
        describe_error(r, why, sizeof(why));
        set_error(s, "%s: %s", what, why);
        /* refused (OUT_PARK): not online; the pull waits for its next poll */
    }
    central_resp_free(r);
    return false;
}

static outcome_t do_config(sync_t *s)
{
    central_resp_t r;
    int64_t version = 0;
    outcome_t o;
    hk_diag_t d;
    hk_err_t rc;

    if(!pull(s, "config", "/v1/config", s->st.etag, CENTRAL_CONFIG_MAX_BYTES, false, &r, &o))
        return o;
    hk_diag_clear(&d);
    rc = apply_doc(s, r.body, r.len, s->config_path, &version, &d);
    if(rc != HK_OK) {
        /* head office answered: the payload is refused, the last good stays */
        hk_log_error(LOG_MOD, "config from head office refused: %s", d.msg);
        set_error(s, "config refused: %s", d.msg[0] ? d.msg : hk_err_str(rc));
        pthread_mutex_lock(&s->mu);
        s->st.config_refused = true;
        pthread_mutex_unlock(&s->mu);
        central_resp_free(&r);
        return OUT_OK;
    }
    hk_log_info(LOG_MOD, "config version %lld from head office applied", (long long)version);
    pthread_mutex_lock(&s->mu);
    snprintf(s->st.etag, sizeof(s->st.etag), "%s", r.etag);
    s->st.config_version = version;
    if(s->st.config_refused) {
        s->st.config_refused = false;
        s->st.last_error[0] = '\0';
    }
    pthread_mutex_unlock(&s->mu);
    central_resp_free(&r);
    return OUT_OK;
}

/* The last good document, applied again at start (head office may be far). */
static void apply_saved_config(sync_t *s)
{
    char *text = NULL;
    size_t len = 0;
    int64_t version = 0;
    hk_diag_t d;

    if(!s->live || hk_file_read(s->config_path, CENTRAL_CONFIG_MAX_BYTES, &text, &len) != HK_OK)
        return;
    hk_diag_clear(&d);
    if(apply_doc(s, text, len, NULL, &version, &d) != HK_OK) {
        hk_log_warn(LOG_MOD, "%s not applied: %s", s->config_path, d.msg);
        pthread_mutex_lock(&s->mu);
        s->st.etag[0] = '\0'; /* download it again */
        pthread_mutex_unlock(&s->mu);
    }
    hk_free(text);
}

/* ---- self-help content (issue 8) ------------------------------------------- */

/* Validate a bundle whole, its queue routes against the services in force. */
static hk_err_t check_content(sync_t *s, const char *text, size_t len, char *version, hk_diag_t *d)
{
    const char *ids[CONFIG_MAX_SERVICES];
    faq_content_t *c = NULL;
    const config_t *cur;
    hk_err_t rc;
    int i;

    rc = central_content_decode(text, len, version, &c, d);
    if(rc != HK_OK)
        return rc;
    cur = s->live ? config_live_acquire(s->live, NULL) : &s->cfg;
    for(i = 0; i < cur->n_services; i++)
        ids[i] = cur->services[i].id;
    rc = faq_triage_check_services(c, ids, cur->n_services, d);
    if(s->live)
        config_live_release(s->live, cur);
    faq_content_free(c);
    return rc;
}

static outcome_t do_content(sync_t *s)
{
    char version[FAQ_VERSION_LEN] = "";
    central_resp_t r;
    outcome_t o;
    hk_diag_t d;
    hk_err_t rc;

    /* 404: head office has no content for this branch; the device keeps its own */
    if(!pull(s, "content", "/v1/content", s->st.content_etag, CENTRAL_CONTENT_MAX_BYTES, true, &r,
             &o))
        return o;
    hk_diag_clear(&d);
    rc = check_content(s, r.body, r.len, version, &d);
    if(rc != HK_OK) {
        /* head office answered: the bundle is refused, the last good stays */
        hk_log_error(LOG_MOD, "content from head office refused: %s", d.msg);
        set_error(s, "content refused: %s", d.msg[0] ? d.msg : hk_err_str(rc));
        pthread_mutex_lock(&s->mu);
        s->st.content_refused = true;
        pthread_mutex_unlock(&s->mu);
        central_resp_free(&r);
        return OUT_OK;
    }
    if(hk_file_write_atomic(s->data_dir, s->content_path, r.body, r.len) != HK_OK) {
        set_error(s, "content: cannot save %s", s->content_path);
        central_resp_free(&r);
        return OUT_OK; /* not kept: not taken (the ETag stays, so it comes again) */
    }
    hk_log_info(LOG_MOD, "content %s from head office saved", version);
    atomic_fetch_add(&s->content_gen, 1); /* before the status shows it */
    pthread_mutex_lock(&s->mu);
    snprintf(s->st.content_etag, sizeof(s->st.content_etag), "%s", r.etag);
    memcpy(s->st.content_version, version, sizeof(version));
    if(s->st.content_refused) {
        s->st.content_refused = false;
        if(!s->st.config_refused && !s->st.parked)
            s->st.last_error[0] = '\0';
    }
    pthread_mutex_unlock(&s->mu);
    central_resp_free(&r);
    if(s->content_cb)
        s->content_cb(s->content_ctx);
    return OUT_OK;
}

/* ---- heartbeat ------------------------------------------------------------- */

/* PROVISION: keep head office's update announcement in the status (the
 * updater reads it from sync-status.json); a change is logged. */
static void record_offer(sync_t *s, const central_update_offer_t *offer)
{
    bool changed;

    pthread_mutex_lock(&s->mu);
    changed = offer ? strcmp(s->st.update_sha256, offer->sha256) != 0 : s->st.update_sha256[0];
    if(offer) {
        memcpy(s->st.update_version, offer->version, sizeof(s->st.update_version));
        memcpy(s->st.update_url, offer->url, sizeof(s->st.update_url));
        memcpy(s->st.update_sha256, offer->sha256, sizeof(s->st.update_sha256));
    } else {
        s->st.update_version[0] = s->st.update_url[0] = s->st.update_sha256[0] = '\0';
    }
    pthread_mutex_unlock(&s->mu);
    if(changed && offer)
        hk_log_info(LOG_MOD, "head office announces update %s", offer->version);
}

static outcome_t do_heartbeat(sync_t *s)
{
    central_update_offer_t offer;
    bool has_offer = false;
    central_heartbeat_t hb;
    central_resp_t r;
    struct statvfs vfs;
    char *body = NULL, why[CENTRAL_TEXT_LEN];
    size_t len = 0;
    outcome_t o = OUT_OK;
    int64_t server_ms = 0;
    hk_diag_t d;
    hk_err_t rc;

    memset(&hb, 0, sizeof(hb));
    snprintf(hb.device, sizeof(hb.device), "%s", s->cfg.device.id);
    snprintf(hb.branch, sizeof(hb.branch), "%s", s->cfg.branch_id);
    snprintf(hb.version, sizeof(hb.version), "%s", s->version);
    hb.uptime_s = (mono_ms() - s->start_ms) / 1000;
    snprintf(hb.printer, sizeof(hb.printer), "%s",
             s->cfg.printer.kind == CONFIG_PRINTER_NONE ? "none" : "unknown");
    hb.disk_free_mb = statvfs(s->data_dir, &vfs) == 0
                          ? (int64_t)((unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20)
                          : -1;
    pthread_mutex_lock(&s->mu);
    hb.backlog = s->st.backlog;
    snprintf(hb.last_error, sizeof(hb.last_error), "%s", s->st.last_error);
    pthread_mutex_unlock(&s->mu);
    updater_compatible(hb.compatible, sizeof(hb.compatible)); /* PROVISION */
    rc = central_heartbeat_encode(&hb, &body, &len);
    if(rc != HK_OK) {
        set_error(s, "heartbeat: cannot encode: %s", hk_err_str(rc));
        return OUT_OK;
    }
    rc = central_client_request(s->client, "POST", "/v1/heartbeat", body, len, NULL, HEARTBEAT_MAX,
                                &r);
    hk_free(body);
    if(rc != HK_OK) {
        set_error(s, "heartbeat: %s%s%s%s", hk_err_str(rc), net_why(s)[0] ? " (" : "", net_why(s),
                  net_why(s)[0] ? ")" : "");
        return OUT_RETRY;
    }
    s->retry_after_s = r.retry_after_s;
    if(r.status != 200) {
        o = answer_outcome(r.status);
        describe_error(&r, why, sizeof(why));
        set_error(s, "heartbeat: %s", why);
    } else if(central_heartbeat_reply_decode_offer(r.body, r.len, &server_ms, &offer, &has_offer,
                                                   &d) != HK_OK) {
        set_error(s, "heartbeat: not an answer: %s", d.msg);
        o = OUT_RETRY;
    } else {
        record_offer(s, has_offer ? &offer : NULL);
    }
    central_resp_free(&r);
    return o;
}

/* ---- the loop -------------------------------------------------------------- */

static void back_off(sync_t *s, int64_t now)
{
    int64_t cap = s->backoff_base_ms;
    int64_t delay;
    int i;

    for(i = 0; i < s->failures && cap < s->backoff_cap_ms; i++)
        cap *= 2;
    if(cap > s->backoff_cap_ms)
        cap = s->backoff_cap_ms;
    if(s->failures < 30)
        s->failures++;
    delay = (int64_t)randombytes_uniform((uint32_t)cap + 1); /* full jitter */
    if(s->retry_after_s >= 0)
        delay = (int64_t)s->retry_after_s * 1000 +
                (int64_t)randombytes_uniform((uint32_t)s->backoff_base_ms + 1);
    s->next_try_ms = now + delay;
    hk_log_debug(LOG_MOD, "next try in %lld ms", (long long)delay);
}

/* The worse of two outcomes: retry, then refused, then ok. */
static outcome_t worse(outcome_t a, outcome_t b)
{
    return a == OUT_RETRY || b == OUT_RETRY ? OUT_RETRY
           : a == OUT_PARK || b == OUT_PARK ? OUT_PARK
                                            : OUT_OK;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Sleep until the next duty, a poke (unless backing off or parked) or stop. */
static void wait_next(sync_t *s)
{
    int64_t due = min64(s->next_config_ms, s->next_hb_ms);
    struct timespec ts;

    pthread_mutex_lock(&s->mu);
    if(!s->st.parked)
        due = min64(due, s->next_upload_ms);
    if(due < s->next_try_ms)
        due = s->next_try_ms;
    while(!atomic_load(&s->stop) && mono_ms() < due &&
          !(s->poked && !s->st.parked && mono_ms() >= s->next_try_ms)) {
        int64_t until = due;
        if(s->poked && !s->st.parked)
            until = min64(until, s->next_try_ms);
        ts.tv_sec = (time_t)(until / 1000);
        ts.tv_nsec = (long)(until % 1000) * 1000000L;
        (void)pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
}

/* submission (issue 8): delete the personal data head office has had for
 * central.retention_s (submission_purge); a WAL that could not be
 * truncated is tried again on the next pass. */
static void purge_personal(sync_t *s)
{
    int n = 0;
    hk_err_t rc;

    if(s->purge_ckpt_pending) {
        rc = submission_checkpoint(s->store);
        s->purge_ckpt_pending = rc != HK_OK;
        return;
    }
    rc = submission_purge(s->store, s->cfg.central.retention_s, wall_ms(), &n);
    s->purge_ckpt_pending = rc == HK_ERR_BUSY;
    if(rc != HK_OK && rc != HK_ERR_BUSY)
        hk_log_warn(LOG_MOD, "purge of personal data: %s", hk_err_str(rc));
}

static void *worker(void *arg)
{
    sync_t *s = arg;
    const int64_t interval = (int64_t)s->cfg.central.interval_s * 1000;
    const int64_t poll = s->poll_ms;
    const int64_t beat = s->beat_ms;

    apply_saved_config(s);
    refresh_backlog(s);
    persist_status(s);
    while(!atomic_load(&s->stop)) {
        int64_t now = mono_ms();
        outcome_t o = OUT_OK;
        bool poked, parked;

        pthread_mutex_lock(&s->mu);
        poked = s->poked;
        parked = s->st.parked;
        pthread_mutex_unlock(&s->mu);
        if(parked && s->live && config_live_generation(s->live) != s->parked_gen) {
            hk_log_info(LOG_MOD, "configuration changed: uploads resume");
            set_parked(s, false);
            parked = false;
        }
        if(now >= s->next_try_ms) {
            s->retry_after_s = -1;
            if(!parked && (poked || now >= s->next_upload_ms)) {
                pthread_mutex_lock(&s->mu);
                s->poked = false;
                pthread_mutex_unlock(&s->mu);
                s->next_upload_ms = now + interval;
                o = do_upload(s);
                if(o == OUT_RETRY)
                    s->next_upload_ms = 0; /* again as soon as the backoff allows */
            }
            if(o != OUT_RETRY && now >= s->next_config_ms && !atomic_load(&s->stop)) {
                s->next_config_ms = now + poll;
                o = worse(o, do_config(s));
                if(o != OUT_RETRY && !atomic_load(&s->stop))
                    o = worse(o, do_content(s)); /* issue 8: the same poll */
            }
            if(o != OUT_RETRY && now >= s->next_hb_ms && !atomic_load(&s->stop)) {
                s->next_hb_ms = now + beat;
                o = worse(o, do_heartbeat(s));
            }
            if(atomic_load(&s->stop))
                break;
            if(o == OUT_RETRY) {
                set_online(s, false);
                back_off(s, mono_ms());
            } else {
                /* answered: no backoff; online unless it was a refusal */
                s->failures = 0;
                s->next_try_ms = 0;
                set_online(s, o == OUT_OK);
            }
        }
        purge_personal(s);
        refresh_backlog(s);
        persist_status(s);
        wait_next(s);
    }
    persist_status(s);
    return NULL;
}

/* ---- public ---------------------------------------------------------------- */

hk_err_t sync_start(const sync_opts_t *o, sync_t **out, hk_diag_t *diag)
{
    central_client_opts_t co;
    pthread_condattr_t ca;
    char *text = NULL;
    size_t len = 0;
    sync_t *s;
    hk_err_t rc;

    *out = NULL;
    if(!o || !o->cfg || !o->data_dir || !o->cfg->central.url[0]) {
        hk_diag_set(diag, "sync: no central.url");
        return HK_ERR_INVALID;
    }
    if(sodium_init() < 0)
        return HK_ERR_NOMEM;
    s = hk_calloc(1, sizeof(*s));
    if(!s)
        return HK_ERR_NOMEM;
    s->cfg = *o->cfg;
    s->live = o->live;
    snprintf(s->version, sizeof(s->version), "%s", o->version ? o->version : SYNC_VERSION);
    snprintf(s->data_dir, sizeof(s->data_dir), "%s", o->data_dir);
    s->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms : SYNC_BACKOFF_BASE_MS;
    s->backoff_cap_ms = o->backoff_cap_ms > 0 ? o->backoff_cap_ms : SYNC_BACKOFF_CAP_MS;
    s->poll_ms =
        o->config_poll_ms > 0 ? o->config_poll_ms : (int64_t)o->cfg->central.config_poll_s * 1000;
    s->beat_ms =
        o->heartbeat_ms > 0 ? o->heartbeat_ms : (int64_t)o->cfg->central.heartbeat_s * 1000;
    s->retry_after_s = -1;
    s->start_ms = mono_ms();
    s->content_cb = o->content_cb;
    s->content_ctx = o->content_ctx;
    atomic_init(&s->content_gen, 0);
    atomic_init(&s->stop, false);
    atomic_init(&s->online, false);
    atomic_init(&s->offline, false);
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    rc = paths_resolve(o->data_dir, "hallkiosk.db", s->db_path, sizeof(s->db_path));
    if(rc == HK_OK)
        rc = paths_resolve(o->data_dir, SYNC_STATUS_FILE, s->status_path, sizeof(s->status_path));
    if(rc == HK_OK)
        rc = paths_resolve(o->data_dir, SYNC_CONFIG_FILE, s->config_path, sizeof(s->config_path));
    if(rc == HK_OK)
        rc =
            paths_resolve(o->data_dir, SYNC_CONTENT_FILE, s->content_path, sizeof(s->content_path));
    if(rc != HK_OK) {
        hk_diag_set(diag, "sync: data dir path too long");
        goto fail;
    }
    /* what the last run knew: the ETag of the config in force */
    if(hk_file_read(s->status_path, STATUS_MAX, &text, &len) == HK_OK) {
        sync_status_t prev;
        if(status_decode(text, len, &prev, NULL) == HK_OK) {
            snprintf(s->st.etag, sizeof(s->st.etag), "%s", prev.etag);
            s->st.config_version = prev.config_version;
            /* the saved bundle's ETag only while the bundle is still there */
            if(access(s->content_path, R_OK) == 0) {
                snprintf(s->st.content_etag, sizeof(s->st.content_etag), "%s", prev.content_etag);
                memcpy(s->st.content_version, prev.content_version, sizeof(prev.content_version));
            }
            s->st.last_success_ms = prev.last_success_ms;
        }
        hk_free(text);
    }
    rc = store_open(s->db_path, &s->store, diag);
    if(rc != HK_OK)
        goto fail;
    memset(&co, 0, sizeof(co));
    co.cfg = &s->cfg;
    co.connect_ms = o->connect_ms;
    co.total_ms = o->total_ms;
    co.low_speed_s = o->low_speed_s;
    co.abort = &s->stop;
    rc = central_client_create(&co, &s->client);
    if(rc != HK_OK) {
        hk_diag_set(diag, "sync: cannot set up the client for central.url: %s", hk_err_str(rc));
        goto fail;
    }
    if(pthread_create(&s->thread, NULL, worker, s) != 0) {
        rc = HK_ERR_NOMEM;
        hk_diag_set(diag, "sync: cannot start the worker thread");
        goto fail;
    }
    s->started = true;
    hk_log_info(LOG_MOD, "syncing with head office at %s", s->cfg.central.url);
    *out = s;
    return HK_OK;
fail:
    sync_stop(s);
    return rc;
}

void sync_stop(sync_t *s)
{
    if(!s)
        return;
    if(s->started) {
        pthread_mutex_lock(&s->mu);
        atomic_store(&s->stop, true);
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    central_client_destroy(s->client);
    store_close(s->store);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    sodium_memzero(s->cfg.central.token, sizeof(s->cfg.central.token));
    hk_free(s);
}

void sync_poke(sync_t *s)
{
    if(!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->poked = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void sync_status_get(sync_t *s, sync_status_t *out)
{
    if(!s) {
        memset(out, 0, sizeof(*out));
        return;
    }
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

uint64_t sync_content_generation(sync_t *s)
{
    return s ? (uint64_t)atomic_load(&s->content_gen) : 0;
}

bool sync_online(sync_t *s)
{
    return s && atomic_load(&s->online);
}

bool sync_offline(sync_t *s)
{
    return s && atomic_load(&s->offline);
}

hk_err_t sync_status_read(const char *data_dir, sync_status_t *out, hk_diag_t *diag)
{
    char path[FILE_PATH_CAP];
    char *text = NULL;
    size_t len = 0;
    store_t *store = NULL;
    hk_err_t rc;

    memset(out, 0, sizeof(*out));
    if(paths_resolve(data_dir, SYNC_STATUS_FILE, path, sizeof(path)) != HK_OK)
        return HK_ERR_INVALID;
    rc = hk_file_read(path, STATUS_MAX, &text, &len);
    if(rc != HK_OK) {
        hk_diag_set(diag, "%s: %s", path,
                    rc == HK_ERR_NOT_FOUND ? "no sync has run with this data dir" : hk_err_str(rc));
        return rc;
    }
    rc = status_decode(text, len, out, diag);
    hk_free(text);
    if(rc != HK_OK)
        return rc;
    /* the journal moves without the sync: the backlog is read fresh */
    if(paths_resolve(data_dir, "hallkiosk.db", path, sizeof(path)) == HK_OK &&
       access(path, R_OK) == 0 && store_open(path, &store, NULL) == HK_OK) {
        int64_t cursor = 0, last = 0;
        if(journal_cursor_get(store, SYNC_CURSOR, &cursor) == HK_OK &&
           journal_last_seq(store, &last) == HK_OK) {
            out->acked_seq = cursor;
            out->backlog = last > cursor ? last - cursor : 0;
        }
        store_close(store);
    }
    return HK_OK;
}
