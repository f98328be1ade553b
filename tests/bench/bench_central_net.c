/*
 * bench_central_net: hall-central as a process over real TLS on loopback,
 * set up by its own `init-dev` (a development CA, a server certificate for
 * 127.0.0.1, kiosk-1's client certificate), the config extended with token
 * devices and pointed at SQLite or a private PostgreSQL.
 *
 *  central-drain        10,000 events in a real device journal (hallkiosk.db,
 *                       ~300-byte bodies) drained by the real sync worker
 *                       (app/net/sync.c, client certificate): wall time from
 *                       sync_start() to the cursor at the last event, and the
 *                       number of upload requests.
 *  central-http-ingest  UPLOADERS threads, each its own token device, POST
 *                       128 KB batches (central_batch_encode) back to back;
 *                       events stored per second, beside the floor (bench_
 *                       central.c: a bare batched INSERT of the same rows,
 *                       decoded from the same bodies, into the same database),
 *                       in alternating rounds.
 *  central-fleet        FLEET_DEVICES token devices on one libcurl multi
 *                       loop: each records an event every EVENT_EVERY_MS and
 *                       uploads it at once (the kiosk pokes its sync worker
 *                       on every journal append). Then an outage compressed
 *                       `compress` times (60; central-fleet-5x: 5): each
 *                       device's backlog grows by 15 minutes of events at
 *                       once, the server is stopped for 15 min / compress,
 *                       and the devices retry with the sync worker's backoff
 *                       (sync.c back_off(): full jitter, uniform in
 *                       0..min(cap, base * 2^failures); Retry-After + up to
 *                       base) with base and cap divided by compress, so the
 *                       reconnections are spread over 5 min / compress:
 *                       compress times denser than in reality (a pessimistic
 *                       peak). Retry-After is honoured as sent: the server
 *                       computes it from its own drain rate, in real time
 *                       (central_pacer.h), so dividing it would make the
 *                       clients break the schedule the server handed out.
 *                       hall-central's PSS at rest and under load.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "central_proto.h"
#include "cJSON.h"
#include "hk_mem.h"
#include "journal.h"
#include "pg_proc.h"
#include "store.h"
#include "sync.h"

#define BODY_BYTES     300
#define DRAIN_EVENTS   10000
#define DRAIN_TARGET_S 2.0
#define UPLOADERS      4
#define HTTP_ROUNDS    3
#ifndef FLEET_DEVICES
#define FLEET_DEVICES 500
#endif
#define EVENT_EVERY_MS 5000 /* 0.2 events/s per device */
#define NORMAL_S       20
#define OUTAGE_MIN     15
#define P99_TARGET_MS  100.0
#define MAX_BINS       600

typedef struct hc {
    char dir[1024], cfg[1100], log[1100], bin[1024], branch[CENTRAL_ID_LEN], url[64];
    pid_t pid;
    int port;
} hc_t;

/* ---- a hall-central process ----------------------------------------------------- */

static void token_of(int i, char *out, size_t size)
{
    snprintf(out, size, "bench-token-%04d", i);
}

static void device_of(int i, char *out, size_t size)
{
    snprintf(out, size, "fleet-%04d", i);
}

/* init-dev into a fresh dir, then store = store_url and n_tokens token devices. */
static int hc_setup(const bench_opts_t *o, const char *store_url, int n_tokens, hc_t *h, char *why,
                    size_t why_size)
{
    char cmd[3300], *text = NULL;
    cJSON *root = NULL, *devs;
    FILE *f;
    int i, rc = -1;
    static char buf[1 << 20];

    memset(h, 0, sizeof(*h));
    h->pid = -1;
    {
        /* o->hallkiosk is BUILD/hallkiosk: hall-central is BUILD/server/hall-central */
        char *slash;
        snprintf(h->bin, sizeof(h->bin), "%s", o->hallkiosk);
        slash = strrchr(h->bin, '/');
        if(slash)
            slash[1] = '\0';
        else
            h->bin[0] = '\0';
        strncat(h->bin, "server/hall-central", sizeof(h->bin) - strlen(h->bin) - 1);
    }
    if(access(h->bin, X_OK) != 0) {
        snprintf(why, why_size, "no %s", h->bin);
        return -1;
    }
    if(bench_mkdtemp(o, "hc", h->dir, sizeof(h->dir)) != 0) {
        snprintf(why, why_size, "no work dir");
        return -1;
    }
    snprintf(cmd, sizeof(cmd), "'%s' init-dev '%s/hc' > '%s/init-dev.log' 2>&1", h->bin, h->dir,
             h->dir);
    if(system(cmd) != 0) {
        snprintf(why, why_size, "init-dev failed (%.200s/init-dev.log)", h->dir);
        return -1;
    }
    snprintf(h->cfg, sizeof(h->cfg), "%s/hc/hall-central.json", h->dir);
    snprintf(h->log, sizeof(h->log), "%s/hall-central.log", h->dir);
    if(bench_read_file(h->cfg, buf, sizeof(buf)) < 0 || !(root = cJSON_Parse(buf))) {
        snprintf(why, why_size, "cannot read %.200s", h->cfg);
        return -1;
    }
    devs = cJSON_GetObjectItemCaseSensitive(root, "devices");
    {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(devs, 0), "branch");
        if(!cJSON_IsString(b)) {
            snprintf(why, why_size, "%.200s: no devices[0].branch", h->cfg);
            goto out;
        }
        snprintf(h->branch, sizeof(h->branch), "%s", b->valuestring);
    }
    for(i = 0; i < n_tokens; i++) {
        char id[32], tok[32], hex[65];
        unsigned char dig[crypto_hash_sha256_BYTES];
        cJSON *d = cJSON_CreateObject();
        device_of(i, id, sizeof(id));
        token_of(i, tok, sizeof(tok));
        crypto_hash_sha256(dig, (const unsigned char *)tok, strlen(tok));
        sodium_bin2hex(hex, sizeof(hex), dig, sizeof(dig));
        cJSON_AddStringToObject(d, "id", id);
        cJSON_AddStringToObject(d, "branch", h->branch);
        cJSON_AddStringToObject(d, "token_sha256", hex);
        cJSON_AddItemToArray(devs, d);
    }
    cJSON_ReplaceItemInObjectCaseSensitive(root, "store", cJSON_CreateString(store_url));
    if(getenv("HK_BENCH_FIXED_RETRY_AFTER")) {
        /* the old behaviour for a comparison: Retry-After always the floor (5 s) */
        cJSON_DeleteItemFromObjectCaseSensitive(root, "retry_after_max_s");
        cJSON_AddNumberToObject(root, "retry_after_max_s", 5);
    }
    text = cJSON_Print(root);
    f = fopen(h->cfg, "w");
    if(!text || !f || fputs(text, f) < 0) {
        snprintf(why, why_size, "cannot write %.200s", h->cfg);
        if(f)
            fclose(f);
        goto out;
    }
    fclose(f);
    rc = 0;
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

/* Start it (port 0 = any; the log names it); waits for "listening on". */
static int hc_start(hc_t *h, char *why, size_t why_size)
{
    char listen[32], log[8192];
    int64_t end = bench_now_ns() + 20000000000LL;
    pid_t pid;

    snprintf(listen, sizeof(listen), "127.0.0.1:%d", h->port);
    pid = fork();
    if(pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        return -1;
    }
    if(pid == 0) {
        int fd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if(fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(h->bin, h->bin, "--config", h->cfg, "--listen", listen, (char *)NULL);
        _exit(127);
    }
    h->pid = pid;
    while(bench_now_ns() < end) {
        const char *p;
        if(bench_read_file(h->log, log, sizeof(log)) >= 0 &&
           (p = strstr(log, "listening on https://")) != NULL) {
            const char *colon = strchr(p + 21, ':');
            if(colon) {
                h->port = atoi(colon + 1);
                snprintf(h->url, sizeof(h->url), "https://127.0.0.1:%d", h->port);
                return 0;
            }
        }
        if(bench_wait_exit(pid, 0, NULL) == 0) {
            h->pid = -1;
            snprintf(why, why_size, "hall-central exited at start (%.200s)", h->log);
            return -1;
        }
        bench_sleep_ms(20);
    }
    snprintf(why, why_size, "hall-central did not start in 20 s (%.200s)", h->log);
    return -1;
}

static void hc_stop(hc_t *h)
{
    if(h->pid > 0)
        bench_stop_child(h->pid);
    h->pid = -1;
}

static void note_load(bench_table_t *t, const char *part)
{
    char load[128];

    if(bench_read_file("/proc/loadavg", load, sizeof(load)) >= 0) {
        char *p = load;
        int fields = 0;
        while(*p && fields < 3)
            fields += *p++ == ' ';
        p[fields == 3 ? -1 : 0] = '\0';
        bench_note(t, "%s: load average %s (1/5/15 min; %ld CPUs shared with other work)", part,
                   load, sysconf(_SC_NPROCESSORS_ONLN));
    }
}

/* A journal-like body of ~BODY_BYTES for (device index, seq). */
static void make_body(char *body, size_t size, int dev, int64_t seq)
{
    int n = snprintf(body, size,
                     "{\"ticket_id\":%" PRId64 ",\"number\":\"A%03d\",\"service\":\"svc-%02d\","
                     "\"day\":\"2026-11-26\",\"lang\":\"zh-CN\",\"counter\":\"c%02d\","
                     "\"staff\":\"s%03d\",\"waiting\":%d,\"eta_s\":%d,\"note\":\"",
                     seq, (int)(seq % 1000), (int)(seq % 12), dev % 9, (int)(seq % 40),
                     (int)(seq % 30), (int)(60 * (seq % 25)));
    for(; n < BODY_BYTES - 2 && (size_t)n < size - 3; n++)
        body[n] = (char)('a' + n % 26);
    body[n++] = '"';
    body[n++] = '}';
    body[n] = '\0';
}

/* Fill ev[0..n) for device dev, seqs from..from+n-1; bodies in bodies[]. */
static void make_events(journal_event_t *ev, char (*bodies)[BODY_BYTES + 80], int dev, int64_t from,
                        int n)
{
    int i;

    for(i = 0; i < n; i++) {
        int64_t seq = from + i;
        ev[i].seq = seq;
        snprintf(ev[i].uuid, sizeof(ev[i].uuid), "%08x-%04x-4%03x-8000-%012" PRIx64,
                 0xf1ee0000u + (unsigned)dev, (unsigned)(seq >> 12) & 0xffffu,
                 (unsigned)(seq & 0xfff), (uint64_t)seq);
        ev[i].type = (seq % 3) ? JOURNAL_TICKET_ISSUED : JOURNAL_TICKET_CALLED;
        ev[i].wall_ms = 1764130000000 + seq * 750;
        make_body(bodies[i], sizeof(bodies[i]), dev, seq);
        ev[i].body = bodies[i];
    }
}

/* ---- central-drain ------------------------------------------------------------------ */

static int fill_journal(const char *db, int n, char *why, size_t why_size)
{
    store_t *s = NULL;
    hk_diag_t d = { { 0 } };
    char body[BODY_BYTES + 80];
    int i;

    if(store_open(db, &s, &d) != HK_OK) {
        snprintf(why, why_size, "store_open: %s", d.msg);
        return -1;
    }
    for(i = 0; i < n; i++) {
        if(i % 500 == 0 && (i ? store_commit(s) : HK_OK) != HK_OK)
            break;
        if(i % 500 == 0 && store_begin(s) != HK_OK)
            break;
        make_body(body, sizeof(body), 0, i + 1);
        if(journal_append(s, (i % 3) ? JOURNAL_TICKET_ISSUED : JOURNAL_TICKET_CALLED, body,
                          1764130000000 + (int64_t)i * 750, NULL) != HK_OK)
            break;
    }
    if(i < n || store_commit(s) != HK_OK) {
        snprintf(why, why_size, "cannot fill the journal (event %d)", i);
        store_close(s);
        return -1;
    }
    store_close(s);
    return 0;
}

/* The requests the sync worker's upload_batch() makes for the journal:
 * it reads up to CENTRAL_BATCH_MAX_EVENTS after the cursor and sends what
 * central_batch_encode() takes into one body. */
static int count_requests(const char *db, const char *device, const char *branch)
{
    store_t *s = NULL;
    hk_diag_t d = { { 0 } };
    int64_t cursor = 0;
    int requests = 0;

    if(store_open(db, &s, &d) != HK_OK)
        return -1;
    for(;;) {
        journal_event_t *ev = NULL;
        char *body = NULL;
        size_t len;
        int n = 0, taken = 0;
        if(journal_read_after(s, cursor, CENTRAL_BATCH_MAX_EVENTS, &ev, &n) != HK_OK || n == 0 ||
           central_batch_encode(device, branch, ev, n, 0, &body, &len, &taken) != HK_OK) {
            journal_events_free(ev, n);
            break;
        }
        hk_free(body);
        cursor = ev[taken - 1].seq;
        journal_events_free(ev, n);
        requests++;
    }
    store_close(s);
    return requests;
}

void bench_central_drain(const bench_opts_t *o, bench_table_t *t)
{
    hc_t h;
    char why[600], db[1200], data[1100];
    config_t cfg;
    sync_opts_t so;
    sync_t *sy = NULL;
    sync_status_t st;
    hk_diag_t d = { { 0 } };
    int64_t t0, t1 = 0, deadline;
    int requests;
    const char *M = "central drain, 10000 events, TLS + cert";

    if(hc_setup(o, "sqlite:central.db", 0, &h, why, sizeof(why)) != 0 ||
       bench_load_sample_config(o, &cfg) != HK_OK) {
        bench_row(t, M, BENCH_NOT_MEASURED, "<= 2 s", "%.90s", why);
        return;
    }
    snprintf(data, sizeof(data), "%s/kiosk", h.dir);
    snprintf(db, sizeof(db), "%s/hallkiosk.db", data);
    if(mkdir(data, 0755) != 0 || fill_journal(db, DRAIN_EVENTS, why, sizeof(why)) != 0 ||
       hc_start(&h, why, sizeof(why)) != 0) {
        bench_row(t, M, BENCH_NOT_MEASURED, "<= 2 s", "%.90s", why);
        hc_stop(&h);
        bench_rm_rf(h.dir);
        return;
    }
    snprintf(cfg.device.id, sizeof(cfg.device.id), "kiosk-1");
    snprintf(cfg.central.url, sizeof(cfg.central.url), "%s", h.url);
    snprintf(cfg.central.ca_file, sizeof(cfg.central.ca_file), "%.200s/hc/ca.crt", h.dir);
    snprintf(cfg.central.client_cert, sizeof(cfg.central.client_cert), "%.200s/hc/kiosk-1.crt",
             h.dir);
    snprintf(cfg.central.client_key, sizeof(cfg.central.client_key), "%.200s/hc/kiosk-1.key",
             h.dir);
    cfg.central.token[0] = '\0';
    cfg.central.interval_s = 5;
    cfg.central.config_poll_s = 300;
    cfg.central.heartbeat_s = 60;
    memset(&so, 0, sizeof(so));
    so.cfg = &cfg;
    so.data_dir = data;
    requests = count_requests(db, cfg.device.id, cfg.branch_id);

    t0 = bench_now_ns();
    if(sync_start(&so, &sy, &d) != HK_OK) {
        bench_row(t, M, BENCH_NOT_MEASURED, "<= 2 s", "sync_start: %.80s", d.msg);
        hc_stop(&h);
        bench_rm_rf(h.dir);
        return;
    }
    deadline = t0 + 60000000000LL;
    memset(&st, 0, sizeof(st));
    while(bench_now_ns() < deadline) {
        sync_status_get(sy, &st);
        if(st.acked_seq >= DRAIN_EVENTS) {
            t1 = bench_now_ns();
            break;
        }
        bench_sleep_ms(1);
    }
    sync_stop(sy);
    if(!t1) {
        bench_row(t, M, BENCH_MISSED, "<= 2 s", "not drained in 60 s (acked %lld; %.40s)",
                  (long long)st.acked_seq, st.last_error);
    } else {
        double s = (double)(t1 - t0) / 1e9;
        bench_row(t, M, s <= DRAIN_TARGET_S ? BENCH_OK : BENCH_MISSED, "<= 2 s", "%.2f s", s);
        bench_row(t, "  upload requests used", BENCH_INFO, "-", "%d (%.0f events each)", requests,
                  requests > 0 ? (double)DRAIN_EVENTS / requests : 0.0);
        bench_row(t, "  drain rate", BENCH_INFO, "-", "%.0f events/s", DRAIN_EVENTS / s);
    }
    bench_note(t,
               "central drain: a real journal (hallkiosk.db, ~%d-byte bodies), the real sync "
               "worker (client certificate, TLS to 127.0.0.1), SQLite store",
               BODY_BYTES);
    bench_note(t, "central drain: time from sync_start() (TLS handshake, config fetch, heartbeat "
                  "included) to the cursor at the last event; requests = upload_batch()'s chunks");
    note_load(t, "central drain");
    hc_stop(&h);
    bench_rm_rf(h.dir);
}

/* ---- libcurl bits ------------------------------------------------------------------- */

typedef struct buf {
    char data[CENTRAL_ACK_MAX_BYTES];
    size_t len;
} buf_t;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    buf_t *b = ud;
    size_t len = sz * n;

    if(b->len + len >= sizeof(b->data))
        return 0;
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return len;
}

static CURL *easy_for(const hc_t *h, int dev, struct curl_slist **hdrs, buf_t *resp)
{
    CURL *c = curl_easy_init();
    char url[128], auth[96], tok[32], ca[1100];

    if(!c)
        return NULL;
    snprintf(url, sizeof(url), "%s/v1/events", h->url);
    snprintf(ca, sizeof(ca), "%s/hc/ca.crt", h->dir);
    token_of(dev, tok, sizeof(tok));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
    *hdrs = curl_slist_append(NULL, auth);
    *hdrs = curl_slist_append(*hdrs, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    /* only the operator CA: Debian's libcurl would also read /etc/ssl/certs
     * (its default CA path) at every handshake, ~10 ms each */
    curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    return c;
}

/* ---- central-http-ingest ------------------------------------------------------------ */

typedef struct upl_body {
    char *text;
    size_t len;
    int64_t last_seq;
    central_batch_t decoded; /* the same rows, for the floor */
} upl_body_t;

typedef struct uploader {
    const hc_t *h;
    int dev;
    upl_body_t *bodies;
    int n_bodies, from, to;
    long long events;
    char error[160];
} uploader_t;

static void *uploader_run(void *arg)
{
    uploader_t *u = arg;
    struct curl_slist *hdrs = NULL;
    buf_t *resp = hk_malloc(sizeof(buf_t));
    CURL *c = resp ? easy_for(u->h, u->dev, &hdrs, resp) : NULL;
    int i;

    for(i = u->from; c && i < u->to && !u->error[0]; i++) {
        long status = 0;
        central_ack_t ack;
        hk_diag_t d;
        CURLcode rc;
        resp->len = 0;
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)u->bodies[i].len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, u->bodies[i].text);
        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if(rc != CURLE_OK || status != 200) {
            snprintf(u->error, sizeof(u->error), "upload: %s HTTP %ld %.60s",
                     curl_easy_strerror(rc), status, resp->len ? resp->data : "");
        } else if(central_ack_decode(resp->data, resp->len, &ack, &d) != HK_OK) {
            snprintf(u->error, sizeof(u->error), "not an ack: %.100s", d.msg);
        } else {
            if(ack.acked_seq != u->bodies[i].last_seq)
                snprintf(u->error, sizeof(u->error), "acked %lld, sent up to %lld",
                         (long long)ack.acked_seq, (long long)u->bodies[i].last_seq);
            u->events += u->bodies[i].decoded.n_events;
            central_ack_free(&ack);
        }
    }
    if(!c)
        snprintf(u->error, sizeof(u->error), "no curl handle");
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    hk_free(resp);
    return NULL;
}

/* Each uploader's device's events as 128 KB bodies, and the same rows decoded. */
static int make_bodies(uploader_t *u, int n_events, const char *branch)
{
    static journal_event_t ev[CENTRAL_BATCH_MAX_EVENTS];
    static char bodies[CENTRAL_BATCH_MAX_EVENTS][BODY_BYTES + 80];
    char dev[32];
    int64_t seq = 1;
    int cap = n_events / 100 + 8;

    device_of(u->dev, dev, sizeof(dev));
    u->bodies = hk_calloc((size_t)cap, sizeof(upl_body_t));
    if(!u->bodies)
        return -1;
    while(seq <= n_events && u->n_bodies < cap) {
        upl_body_t *b = &u->bodies[u->n_bodies];
        int n = (int)(n_events - seq + 1), taken = 0;
        hk_diag_t d;
        if(n > CENTRAL_BATCH_MAX_EVENTS)
            n = CENTRAL_BATCH_MAX_EVENTS;
        make_events(ev, bodies, u->dev, seq, n);
        if(central_batch_encode(dev, branch, ev, n, 0, &b->text, &b->len, &taken) != HK_OK ||
           central_batch_decode(b->text, b->len, &b->decoded, &d) != HK_OK)
            return -1;
        seq += taken;
        b->last_seq = seq - 1;
        u->n_bodies++;
    }
    return 0;
}

static void free_bodies(uploader_t *u)
{
    int i;

    for(i = 0; u->bodies && i < u->n_bodies; i++) {
        hk_free(u->bodies[i].text);
        central_batch_free(&u->bodies[i].decoded);
    }
    HK_SAFEFREE(u->bodies);
}

static void http_side(const bench_opts_t *o, bench_table_t *t, const char *name,
                      const char *store_url)
{
    hc_t h;
    uploader_t up[UPLOADERS];
    bench_floor_t *fl = NULL;
    char why[600], measure[64];
    double http_s = 0, floor_s = 0;
    long long events = 0, floor_events = 0;
    int i, r, per = o->central_events / UPLOADERS;

    memset(up, 0, sizeof(up));
    snprintf(measure, sizeof(measure), "central HTTP ingest, %s, events/s", name);
    if(hc_setup(o, store_url, UPLOADERS, &h, why, sizeof(why)) != 0 ||
       hc_start(&h, why, sizeof(why)) != 0) {
        bench_row(t, measure, BENCH_NOT_MEASURED, ">= 10000", "%.90s", why);
        hc_stop(&h);
        return;
    }
    why[0] = '\0';
    for(i = 0; i < UPLOADERS; i++) {
        up[i].h = &h;
        up[i].dev = i;
        if(make_bodies(&up[i], per, h.branch) != 0)
            snprintf(why, sizeof(why), "cannot encode the batches");
    }
    {
        /* the floor goes into the server's own database */
        char url[1200];
        if(!strncmp(store_url, "sqlite:", 7))
            snprintf(url, sizeof(url), "sqlite:%s/hc/%s", h.dir, store_url + 7);
        else
            snprintf(url, sizeof(url), "%s", store_url);
        fl = bench_floor_open(url, why, sizeof(why));
    }
    for(r = 0; fl && r < HTTP_ROUNDS && !why[0]; r++) {
        pthread_t th[UPLOADERS];
        int64_t t0 = bench_now_ns();
        for(i = 0; i < UPLOADERS; i++) {
            up[i].from = up[i].n_bodies * r / HTTP_ROUNDS;
            up[i].to = up[i].n_bodies * (r + 1) / HTTP_ROUNDS;
            pthread_create(&th[i], NULL, uploader_run, &up[i]);
        }
        for(i = 0; i < UPLOADERS; i++)
            pthread_join(th[i], NULL);
        http_s += (double)(bench_now_ns() - t0) / 1e9;
        for(i = 0; i < UPLOADERS; i++)
            if(up[i].error[0])
                snprintf(why, sizeof(why), "uploader %d: %.100s", i, up[i].error);
        t0 = bench_now_ns();
        for(i = 0; i < UPLOADERS && !why[0]; i++) {
            int k;
            for(k = up[i].from; k < up[i].to && !why[0]; k++) {
                if(bench_floor_insert(fl, &up[i].bodies[k].decoded) != 0)
                    snprintf(why, sizeof(why), "floor insert failed");
                floor_events += up[i].bodies[k].decoded.n_events;
            }
        }
        floor_s += (double)(bench_now_ns() - t0) / 1e9;
    }
    for(i = 0; i < UPLOADERS; i++)
        events += up[i].events;
    if(!fl || why[0] || http_s <= 0 || floor_s <= 0) {
        bench_row(t, measure, BENCH_NOT_MEASURED, ">= 10000", "%.90s",
                  why[0] ? why : "nothing measured");
    } else {
        double evs = (double)events / http_s, fevs = (double)floor_events / floor_s;
        double pct = 100.0 * evs / fevs;
        bench_row(t, measure, evs >= 10000 ? BENCH_OK : BENCH_MISSED, ">= 10000", "%.0f", evs);
        snprintf(measure, sizeof(measure), "  floor: bare batched INSERT, %s", name);
        bench_row(t, measure, BENCH_INFO, "-", "%.0f events/s", fevs);
        snprintf(measure, sizeof(measure), "  %s HTTP ingest, %% of floor", name);
        bench_row(t, measure, pct >= 25 ? BENCH_OK : BENCH_MISSED, ">= 25 %", "%.1f %%", pct);
        bench_note(
            t,
            "central HTTP ingest, %s: %lld events, %d bodies <= 128 KB (~%.0f events), %d "
            "uploader threads (tokens, keep-alive TLS), %d rounds alternating with the floor",
            name, events, up[0].n_bodies * UPLOADERS,
            up[0].n_bodies ? (double)per / up[0].n_bodies : 0.0, UPLOADERS, HTTP_ROUNDS);
    }
    bench_floor_close(fl);
    for(i = 0; i < UPLOADERS; i++)
        free_bodies(&up[i]);
    hc_stop(&h);
    bench_rm_rf(h.dir);
}

void bench_central_http(const bench_opts_t *o, bench_table_t *t)
{
    char why[512];
    pg_proc_t *pg = NULL;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    http_side(o, t, "SQLite", "sqlite:central.db");
#ifdef HK_BENCH_LIBPQ
    if(pg_proc_start(true, &pg, why, sizeof(why)) == 0) {
        http_side(o, t, "PostgreSQL", pg_proc_url(pg));
        pg_proc_stop(pg);
    } else {
        bench_row(t, "central HTTP ingest, PostgreSQL, events/s", BENCH_NOT_MEASURED, ">= 10000",
                  "%.90s", why);
    }
#else
    (void)pg;
    snprintf(why, sizeof(why), "built without libpq");
    bench_row(t, "central HTTP ingest, PostgreSQL, events/s", BENCH_NOT_MEASURED, ">= 10000", "%s",
              why);
#endif
    bench_note(t,
               "central HTTP ingest: the floor is one connection, one batch at a time; the "
               "server has %d connections at once (PostgreSQL commits them in groups)",
               UPLOADERS);
    note_load(t, "central HTTP ingest");
}

/* ---- central-fleet ------------------------------------------------------------------- */

#define OUTAGE_EVENTS (OUTAGE_MIN * 60 * 1000 / EVENT_EVERY_MS)

/* devices actually simulated: FLEET_DEVICES, or fewer for a look at the
 * loop (HK_BENCH_FLEET_N) */
static int fleet_n = FLEET_DEVICES;

typedef struct fdev {
    int idx;
    CURL *c;
    struct curl_slist *hdrs;
    buf_t *resp;
    char *body;
    int64_t generated, acked, sending_to;
    int64_t next_event_ms, next_try_ms, start_ns;
    int failures, retry_after_s;
    bool inflight;
} fdev_t;

typedef struct fleet {
    int compress;                        /* the outage's time compression */
    int backoff_base_ms, backoff_cap_ms; /* sync.c's, divided by compress */
    fdev_t *dev;
    CURLM *m;
    const hc_t *h;
    int64_t t0_ns;
    int answered[MAX_BINS], events[MAX_BINS], failed[MAX_BINS], stored[MAX_BINS];
    double *lat;
    size_t n_lat, cap_lat;
    bool keep_lat;
    long refused_status;      /* non-200 answers (429, 503, …) */
    int ra_n, ra_min, ra_max; /* the Retry-After values received */
    long ra_sum;
} fleet_t;

static int64_t fleet_ms(const fleet_t *f)
{
    return (bench_now_ns() - f->t0_ns) / 1000000;
}

/* sync.c back_off() with base and cap divided by f->compress; Retry-After
 * as the server sent it (its own real-time schedule). */
static void fleet_back_off(const fleet_t *f, fdev_t *d, int64_t now)
{
    int64_t cap = f->backoff_base_ms, delay;
    int i;

    for(i = 0; i < d->failures && cap < f->backoff_cap_ms; i++)
        cap *= 2;
    if(cap > f->backoff_cap_ms)
        cap = f->backoff_cap_ms;
    if(d->failures < 30)
        d->failures++;
    delay = (int64_t)randombytes_uniform((uint32_t)cap + 1); /* full jitter */
    if(d->retry_after_s >= 0)
        delay = (int64_t)d->retry_after_s * 1000 +
                (int64_t)randombytes_uniform((uint32_t)f->backoff_base_ms + 1);
    d->next_try_ms = now + delay;
}

static void fleet_send(fleet_t *f, fdev_t *d)
{
    static journal_event_t ev[CENTRAL_BATCH_MAX_EVENTS];
    static char bodies[CENTRAL_BATCH_MAX_EVENTS][BODY_BYTES + 80];
    char id[32];
    size_t len = 0;
    int n = (int)(d->generated - d->acked), taken = 0;

    if(n > CENTRAL_BATCH_MAX_EVENTS)
        n = CENTRAL_BATCH_MAX_EVENTS;
    make_events(ev, bodies, d->idx, d->acked + 1, n);
    device_of(d->idx, id, sizeof(id));
    HK_SAFEFREE(d->body);
    if(central_batch_encode(id, f->h->branch, ev, n, 0, &d->body, &len, &taken) != HK_OK)
        return;
    d->sending_to = d->acked + taken;
    d->resp->len = 0;
    curl_easy_setopt(d->c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(d->c, CURLOPT_POSTFIELDS, d->body);
    d->start_ns = bench_now_ns();
    d->inflight = true;
    curl_multi_add_handle(f->m, d->c);
}

static void fleet_done(fleet_t *f, CURLMsg *msg)
{
    fdev_t *d = NULL;
    long status = 0;
    int64_t now = fleet_ms(f), bin = now / 1000;
    double ms;

    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(f->m, msg->easy_handle);
    d->inflight = false;
    if(bin >= MAX_BINS)
        bin = MAX_BINS - 1;
    ms = (double)(bench_now_ns() - d->start_ns) / 1e6;
    if(msg->data.result != CURLE_OK || status == 0) {
        if(getenv("HK_BENCH_DEBUG"))
            fprintf(stderr, "fleet %d: %s after %.0f ms\n", d->idx,
                    curl_easy_strerror(msg->data.result), ms);
        f->failed[bin]++;
        d->retry_after_s = -1;
        fleet_back_off(f, d, now);
        return;
    }
    f->answered[bin]++;
    if(f->keep_lat && f->n_lat < f->cap_lat)
        f->lat[f->n_lat++] = ms;
    if(status == 200) {
        central_ack_t ack;
        hk_diag_t dg;
        if(central_ack_decode(d->resp->data, d->resp->len, &ack, &dg) == HK_OK) {
            if(ack.acked_seq > d->acked) {
                f->events[bin] += (int)(ack.acked_seq - d->acked);
                d->acked = ack.acked_seq;
            }
            central_ack_free(&ack);
        }
        f->stored[bin]++;
        d->failures = 0;
        d->next_try_ms = now;
    } else {
        curl_off_t ra = -1;
        f->refused_status++;
        d->retry_after_s =
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra >= 0
                ? (int)ra
                : -1;
        if(d->retry_after_s >= 0) {
            if(!f->ra_n || d->retry_after_s < f->ra_min)
                f->ra_min = d->retry_after_s;
            if(d->retry_after_s > f->ra_max)
                f->ra_max = d->retry_after_s;
            f->ra_sum += d->retry_after_s;
            f->ra_n++;
        }
        fleet_back_off(f, d, now);
    }
}

/* Run the loop until until_ms (fleet time) or, with drain_to, until every
 * device acked its drain_to[i]; pss_max gets the server's largest PSS. */
static int64_t fleet_run(fleet_t *f, int64_t until_ms, const int64_t *drain_to, bool generate,
                         long *pss_max)
{
    int64_t next_pss = 0;
    int i, running = 0;

    for(;;) {
        int64_t now = fleet_ms(f);
        bool drained = drain_to != NULL;
        CURLMsg *msg;
        int left;
        if(now >= until_ms)
            return -1;
        for(i = 0; i < fleet_n; i++) {
            fdev_t *d = &f->dev[i];
            while(generate && now >= d->next_event_ms) {
                d->generated++;
                d->next_event_ms += EVENT_EVERY_MS;
            }
            if(drain_to && d->acked < drain_to[i])
                drained = false;
            if(!d->inflight && d->generated > d->acked && now >= d->next_try_ms)
                fleet_send(f, d);
        }
        if(drained)
            return now;
        if(pss_max && now >= next_pss && f->h->pid > 0) {
            long pss = 0, rss = 0;
            if(bench_read_pss_kb(f->h->pid, &pss, &rss) == 0 && pss > *pss_max)
                *pss_max = pss;
            next_pss = now + 250;
        }
        curl_multi_perform(f->m, &running);
        while((msg = curl_multi_info_read(f->m, &left)) != NULL)
            if(msg->msg == CURLMSG_DONE)
                fleet_done(f, msg);
        curl_multi_poll(f->m, NULL, 0, 5, NULL);
    }
}

static void rates(const fleet_t *f, int from_s, int to_s, double *req_mean, double *ev_mean,
                  double *req_peak, double *ev_peak)
{
    long req = 0, ev = 0;
    int s;

    *req_peak = *ev_peak = 0;
    for(s = from_s; s < to_s && s < MAX_BINS; s++) {
        req += f->answered[s];
        ev += f->events[s];
        if(f->answered[s] > *req_peak)
            *req_peak = f->answered[s];
        if(f->events[s] > *ev_peak)
            *ev_peak = f->events[s];
    }
    *req_mean = to_s > from_s ? (double)req / (to_s - from_s) : 0;
    *ev_mean = to_s > from_s ? (double)ev / (to_s - from_s) : 0;
}

void bench_central_fleet(const bench_opts_t *o, bench_table_t *t, int compress)
{
    static fleet_t f;
    static int64_t drain_to[FLEET_DEVICES];
    hc_t h;
    char why[600], m[96], tag[24];
    long pss_rest = 0, rss = 0, pss_load = 0, pss_recovery = 0;
    int i, restart_s = 0;
    int64_t outage_ms, restart_ms = 0, drained_ms = -1, drain_limit_ms;
    double p50 = 0, p99 = 0, rp99 = 0, nreq, nev, nreq_pk, nev_pk, rreq, rev, rreq_pk, rev_pk;

    memset(&f, 0, sizeof(f));
    f.compress = compress > 0 ? compress : 60;
    f.backoff_base_ms = SYNC_BACKOFF_BASE_MS / f.compress;
    f.backoff_cap_ms = SYNC_BACKOFF_CAP_MS / f.compress;
    /* the drain: every device back (the backoff cap) and its backlog sent */
    drain_limit_ms = 90000 + f.backoff_cap_ms;
    snprintf(tag, sizeof(tag), "outage %dx", f.compress);
    if(getenv("HK_BENCH_FLEET_N") && atoi(getenv("HK_BENCH_FLEET_N")) > 0 &&
       atoi(getenv("HK_BENCH_FLEET_N")) < FLEET_DEVICES)
        fleet_n = atoi(getenv("HK_BENCH_FLEET_N"));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(m, sizeof(m), "central fleet, %s", tag);
    if(hc_setup(o, "sqlite:central.db", FLEET_DEVICES, &h, why, sizeof(why)) != 0 ||
       hc_start(&h, why, sizeof(why)) != 0) {
        bench_row(t, m, BENCH_NOT_MEASURED, "-", "%.90s", why);
        hc_stop(&h);
        return;
    }
    bench_sleep_ms(1000);
    (void)bench_read_pss_kb(h.pid, &pss_rest, &rss);
    f.h = &h;
    f.m = curl_multi_init();
    curl_multi_setopt(f.m, CURLMOPT_MAXCONNECTS, (long)FLEET_DEVICES + 16);
    f.dev = hk_calloc(FLEET_DEVICES, sizeof(fdev_t));
    f.cap_lat = 400000;
    f.lat = hk_malloc(f.cap_lat * sizeof(double));
    for(i = 0; f.dev && f.lat && i < fleet_n; i++) {
        fdev_t *d = &f.dev[i];
        d->idx = i;
        d->resp = hk_malloc(sizeof(buf_t));
        d->c = d->resp ? easy_for(&h, i, &d->hdrs, d->resp) : NULL;
        if(!d->c)
            break;
        curl_easy_setopt(d->c, CURLOPT_PRIVATE, (char *)d);
        d->next_event_ms = (int64_t)randombytes_uniform(EVENT_EVERY_MS); /* random phase */
    }
    if(i < fleet_n) {
        bench_row(t, m, BENCH_NOT_MEASURED, "-", "out of memory");
        goto out;
    }

    /* normal: NORMAL_S seconds; latencies after the first 5 s (connections made) */
    f.t0_ns = bench_now_ns();
    (void)fleet_run(&f, 5000, NULL, true, &pss_load);
    f.keep_lat = true;
    (void)fleet_run(&f, NORMAL_S * 1000, NULL, true, &pss_load);
    f.keep_lat = false;
    if(f.n_lat) {
        bench_sort(f.lat, f.n_lat);
        p50 = bench_pct(f.lat, f.n_lat, 50);
        p99 = bench_pct(f.lat, f.n_lat, 99);
    }
    rates(&f, 5, NORMAL_S, &nreq, &nev, &nreq_pk, &nev_pk);

    /* the outage: 15 minutes of events at once, the server down 15 min / compress */
    hc_stop(&h);
    outage_ms = fleet_ms(&f);
    for(i = 0; i < fleet_n; i++)
        f.dev[i].generated += OUTAGE_EVENTS;
    (void)fleet_run(&f, outage_ms + (int64_t)OUTAGE_MIN * 60 * 1000 / f.compress, NULL, true, NULL);
    if(hc_start(&h, why, sizeof(why)) != 0) {
        snprintf(m, sizeof(m), "central fleet, %s, recovery", tag);
        bench_row(t, m, BENCH_NOT_MEASURED, "-", "restart: %.80s", why);
        goto out;
    }
    restart_ms = fleet_ms(&f);
    restart_s = (int)(restart_ms / 1000);
    for(i = 0; i < fleet_n; i++)
        drain_to[i] = f.dev[i].generated;
    f.n_lat = 0;
    f.keep_lat = true;
    drained_ms = fleet_run(&f, restart_ms + drain_limit_ms, drain_to, true, &pss_recovery);
    f.keep_lat = false;
    if(f.n_lat) {
        bench_sort(f.lat, f.n_lat);
        rp99 = bench_pct(f.lat, f.n_lat, 99);
    }
    rates(&f, restart_s, (int)((drained_ms > 0 ? drained_ms : fleet_ms(&f)) / 1000) + 1, &rreq,
          &rev, &rreq_pk, &rev_pk);

    snprintf(m, sizeof(m), "central fleet, 500 devices, events/s (%s run)", tag);
    bench_row(t, m, BENCH_INFO, "-", "%.0f (%.0f requests/s)", nev, nreq);
    bench_row(t, "  request latency p99", p99 <= P99_TARGET_MS ? BENCH_OK : BENCH_MISSED,
              "<= 100 ms", "%.1f ms (p50 %.1f ms, %zu requests)", p99, p50,
              (size_t)(nreq * (NORMAL_S - 5)));
    snprintf(m, sizeof(m), "  %s: recovery peak requests/s vs normal", tag);
    bench_row(t, m, nreq > 0 && rreq_pk <= 2 * nreq ? BENCH_OK : BENCH_MISSED, "<= 2x",
              "%.0f/s = %.2fx (normal %.0f/s)", rreq_pk, nreq > 0 ? rreq_pk / nreq : 0, nreq);
    {
        int s, pk = 0;
        for(s = restart_s; s < MAX_BINS && s <= restart_s + (int)(drain_limit_ms / 1000); s++)
            if(f.stored[s] > pk)
                pk = f.stored[s];
        bench_row(t, "  of which 200 (stored), peak/s", BENCH_INFO, "-", "%d/s = %.2fx", pk,
                  nreq > 0 ? pk / nreq : 0);
    }
    bench_row(t, "  recovery mean requests/s", BENCH_INFO, "-", "%.0f/s = %.2fx", rreq,
              nreq > 0 ? rreq / nreq : 0);
    bench_row(t, "  recovery peak events/s vs normal", BENCH_INFO, "-",
              "%.0f/s = %.0fx (backlog %d/device)", rev_pk, nev > 0 ? rev_pk / nev : 0,
              OUTAGE_EVENTS);
    if(drained_ms > 0)
        bench_row(t, "  time to drain after the outage", BENCH_INFO, "-",
                  "%.1f s (%d events; p99 %.0f ms)", (double)(drained_ms - restart_ms) / 1000,
                  FLEET_DEVICES * OUTAGE_EVENTS, rp99);
    else
        bench_row(t, "  time to drain after the outage", BENCH_MISSED, "-", "not drained in %d s",
                  (int)(drain_limit_ms / 1000));
    bench_row(t, "  non-200 answers (429/503), whole run", BENCH_INFO, "-", "%ld",
              f.refused_status);
    if(f.ra_n > 0)
        bench_row(t, "  Retry-After sent (429/503)", BENCH_INFO, "-", "%d..%d s (mean %.1f s)",
                  f.ra_min, f.ra_max, (double)f.ra_sum / f.ra_n);
    snprintf(m, sizeof(m), "hall-central PSS at rest (%s run)", tag);
    bench_row(t, m, BENCH_INFO, "-", "%.1f MiB", (double)pss_rest / 1024.0);
    bench_row(t, "hall-central PSS, 500 devices", BENCH_INFO, "-", "%.1f MiB (max)",
              (double)pss_load / 1024.0);
    bench_row(t, "hall-central PSS, recovery", BENCH_INFO, "-", "%.1f MiB (max)",
              (double)pss_recovery / 1024.0);
    bench_note(t,
               "central fleet: %d token devices, one libcurl multi loop (keep-alive TLS), an "
               "event every %d ms each, sent at once (the kiosk pokes sync); SQLite store",
               fleet_n, EVENT_EVERY_MS);
    bench_note(t,
               "central fleet: normal rate = s 5..%d; latency includes the client loop's own "
               "delay; rates per 1 s bin, requests = answered ones (429s included)",
               NORMAL_S);
    bench_note(t,
               "central fleet outage, compressed %dx: +%d events/device (15 min) at once, server "
               "stopped %d s, then restarted on the same database",
               f.compress, OUTAGE_EVENTS, OUTAGE_MIN * 60 / f.compress);
    bench_note(t,
               "central fleet %s: retries = sync.c back_off() (full jitter) with base %d ms, cap "
               "%d ms (/%d): reconnections %dx denser than real; Retry-After as sent (the "
               "server's real-time schedule)",
               tag, f.backoff_base_ms, f.backoff_cap_ms, f.compress, f.compress);
    note_load(t, "central fleet");
out:
    for(i = 0; f.dev && i < fleet_n; i++) {
        if(f.dev[i].inflight)
            curl_multi_remove_handle(f.m, f.dev[i].c);
        curl_easy_cleanup(f.dev[i].c);
        curl_slist_free_all(f.dev[i].hdrs);
        hk_free(f.dev[i].resp);
        hk_free(f.dev[i].body);
    }
    HK_SAFEFREE(f.dev);
    HK_SAFEFREE(f.lat);
    curl_multi_cleanup(f.m);
    hc_stop(&h);
    bench_rm_rf(h.dir);
}
