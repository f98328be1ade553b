/*
 * alerts: threshold checks and webhook delivery (see alerts.h).
 */
#include "alerts.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_time.h"

#define ATTEMPTS     4
#define TIMEOUT_MS   5000
#define FIRST_WAIT_S 1

struct alerts {
    char url[512];
    char ca_file[512];
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* work arrived, or stop */
    pthread_cond_t idle_cv; /* the queue emptied */
    alert_t ring[ALERTS_QUEUE_CAP];
    int head, count;
    bool busy; /* one alert in flight */
    atomic_bool stop;
    alerts_stats_t st;
};

/* Static prototypes -------------------------------------------------------*/
static void *worker(void *arg);
static bool deliver(alerts_t *al, const alert_t *a);
static int abort_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un);
static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *ud);
static void copy_str(char *dst, size_t cap, const cJSON *obj, const char *key);
static bool sleep_unless_stopped(alerts_t *al, int seconds);

/* Public functions --------------------------------------------------------*/

bool alerts_from_event(const char *branch, const char *device, const central_event_t *e,
                       const alerts_limits_t *lim, alert_t *out)
{
    cJSON *body = NULL;
    bool hit = false;

    if(!e || !e->body || !lim || !out)
        return false;
    if(strcmp(e->type, "ticket.called") != 0 && strcmp(e->type, "visit.rated") != 0)
        return false;
    if(hk_json_parse(e->body, strlen(e->body), NULL, &body, NULL) != HK_OK)
        return false;
    memset(out, 0, sizeof(*out));
    if(strcmp(e->type, "ticket.called") == 0 && lim->wait_limit_s > 0) {
        int64_t issued = hk_json_int_of(body, "issued_ms", -1);
        int64_t waited_s = issued >= 0 ? (e->time_ms - issued) / 1000 : -1;
        /* a recall is not a new wait */
        if(waited_s > lim->wait_limit_s && hk_json_int_of(body, "recalls", 0) == 0) {
            (void)snprintf(out->kind, sizeof(out->kind), "long_wait");
            out->wait_s = (int)waited_s;
            hit = true;
        }
    } else if(strcmp(e->type, "visit.rated") == 0 && lim->rating_max > 0) {
        int64_t level = hk_json_int_of(body, "level", 0);
        if(level >= 1 && level <= lim->rating_max) {
            (void)snprintf(out->kind, sizeof(out->kind), "dissatisfied");
            out->level = (int)level;
            hit = true;
        }
    }
    if(hit) {
        (void)snprintf(out->branch, sizeof(out->branch), "%s", branch ? branch : "");
        (void)snprintf(out->device, sizeof(out->device), "%s", device ? device : "");
        out->seq = e->seq;
        out->time_ms = e->time_ms;
        copy_str(out->number, sizeof(out->number), body, "number");
        copy_str(out->counter, sizeof(out->counter), body, "counter");
        copy_str(out->staff, sizeof(out->staff), body, "staff");
    }
    cJSON_Delete(body);
    return hit;
}

hk_err_t alerts_json(const alert_t *a, char **out)
{
    cJSON *o;
    bool ok;

    if(!a || !out)
        return HK_ERR_INVALID;
    *out = NULL;
    hk_json_init();
    o = cJSON_CreateObject();
    ok = o && cJSON_AddStringToObject(o, "kind", a->kind) &&
         cJSON_AddStringToObject(o, "branch", a->branch) &&
         cJSON_AddStringToObject(o, "device", a->device) &&
         cJSON_AddNumberToObject(o, "seq", (double)a->seq) &&
         cJSON_AddStringToObject(o, "number", a->number) &&
         cJSON_AddStringToObject(o, "counter", a->counter) &&
         cJSON_AddStringToObject(o, "staff", a->staff) &&
         cJSON_AddNumberToObject(o, "time_ms", (double)a->time_ms);
    if(ok && strcmp(a->kind, "long_wait") == 0)
        ok = cJSON_AddNumberToObject(o, "wait_s", a->wait_s) != NULL;
    if(ok && strcmp(a->kind, "dissatisfied") == 0)
        ok = cJSON_AddNumberToObject(o, "level", a->level) != NULL;
    if(ok)
        *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *out ? HK_OK : HK_ERR_NOMEM;
}

hk_err_t alerts_start(const char *webhook_url, const char *ca_file, alerts_t **out)
{
    alerts_t *al;

    if(!out)
        return HK_ERR_INVALID;
    *out = NULL;
    al = hk_calloc(1, sizeof(*al));
    if(!al)
        return HK_ERR_NOMEM;
    (void)snprintf(al->url, sizeof(al->url), "%s", webhook_url ? webhook_url : "");
    (void)snprintf(al->ca_file, sizeof(al->ca_file), "%s", ca_file ? ca_file : "");
    pthread_mutex_init(&al->mu, NULL);
    pthread_cond_init(&al->cv, NULL);
    pthread_cond_init(&al->idle_cv, NULL);
    atomic_init(&al->stop, false);
    if(al->url[0]) {
        if(pthread_create(&al->thread, NULL, worker, al) != 0) {
            alerts_stop(al);
            return HK_ERR_NOMEM;
        }
        al->started = true;
    }
    *out = al;
    return HK_OK;
}

void alerts_push(alerts_t *al, const alert_t *a)
{
    if(!al || !a || !al->url[0])
        return;
    pthread_mutex_lock(&al->mu);
    if(al->count == ALERTS_QUEUE_CAP) {
        al->head = (al->head + 1) % ALERTS_QUEUE_CAP;
        al->count--;
        al->st.dropped++;
    }
    al->ring[(al->head + al->count) % ALERTS_QUEUE_CAP] = *a;
    al->count++;
    pthread_cond_signal(&al->cv);
    pthread_mutex_unlock(&al->mu);
}

bool alerts_drain(alerts_t *al, int timeout_ms)
{
    struct timespec until;
    bool empty;

    if(!al)
        return true;
    clock_gettime(CLOCK_REALTIME, &until);
    hk_time_add_ms(&until, timeout_ms);
    pthread_mutex_lock(&al->mu);
    while((al->count > 0 || al->busy) &&
          pthread_cond_timedwait(&al->idle_cv, &al->mu, &until) == 0) {
    }
    empty = al->count == 0 && !al->busy;
    pthread_mutex_unlock(&al->mu);
    return empty;
}

void alerts_stats(alerts_t *al, alerts_stats_t *out)
{
    if(!al || !out)
        return;
    pthread_mutex_lock(&al->mu);
    *out = al->st;
    pthread_mutex_unlock(&al->mu);
}

void alerts_stop(alerts_t *al)
{
    if(!al)
        return;
    pthread_mutex_lock(&al->mu);
    atomic_store(&al->stop, true);
    pthread_cond_broadcast(&al->cv);
    pthread_mutex_unlock(&al->mu);
    if(al->started)
        pthread_join(al->thread, NULL);
    pthread_cond_destroy(&al->idle_cv);
    pthread_cond_destroy(&al->cv);
    pthread_mutex_destroy(&al->mu);
    hk_free(al);
}

/* Static functions --------------------------------------------------------*/

static void *worker(void *arg)
{
    alerts_t *al = arg;

    for(;;) {
        alert_t a;
        bool ok;

        pthread_mutex_lock(&al->mu);
        while(al->count == 0 && !atomic_load(&al->stop))
            pthread_cond_wait(&al->cv, &al->mu);
        if(atomic_load(&al->stop)) {
            pthread_mutex_unlock(&al->mu);
            break;
        }
        a = al->ring[al->head];
        al->head = (al->head + 1) % ALERTS_QUEUE_CAP;
        al->count--;
        al->busy = true;
        pthread_mutex_unlock(&al->mu);

        ok = deliver(al, &a);

        pthread_mutex_lock(&al->mu);
        al->busy = false;
        if(ok)
            al->st.sent++;
        else
            al->st.failed++;
        if(al->count == 0)
            pthread_cond_broadcast(&al->idle_cv);
        pthread_mutex_unlock(&al->mu);
    }
    return NULL;
}

/* POST one alert, retrying; true when the webhook answered 2xx. */
static bool deliver(alerts_t *al, const alert_t *a)
{
    char *json = NULL;
    CURL *h;
    struct curl_slist *hdrs = NULL;
    bool ok = false;
    int attempt, wait_s = FIRST_WAIT_S;

    if(alerts_json(a, &json) != HK_OK)
        return false;
    h = curl_easy_init();
    hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if(!h || !hdrs)
        goto out;
    curl_easy_setopt(h, CURLOPT_URL, al->url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if(al->ca_file[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, al->ca_file);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_cb);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, al);
    for(attempt = 0; attempt < ATTEMPTS && !atomic_load(&al->stop); attempt++) {
        long status = 0;
        CURLcode cc = curl_easy_perform(h);

        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if(cc == CURLE_OK && status >= 200 && status < 300) {
            ok = true;
            break;
        }
        hk_log_warn("alerts", "webhook for %s %s at %s: %s %ld, attempt %d of %d", a->kind,
                    a->number, a->branch, cc == CURLE_OK ? "answered HTTP" : curl_easy_strerror(cc),
                    status, attempt + 1, ATTEMPTS);
        if(attempt + 1 < ATTEMPTS && !sleep_unless_stopped(al, wait_s))
            break;
        wait_s *= 2;
    }
out:
    curl_slist_free_all(hdrs);
    if(h)
        curl_easy_cleanup(h);
    cJSON_free(json);
    return ok;
}

static bool sleep_unless_stopped(alerts_t *al, int seconds)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    hk_time_add_ms(&until, (int64_t)seconds * 1000);
    pthread_mutex_lock(&al->mu);
    while(!atomic_load(&al->stop) && pthread_cond_timedwait(&al->cv, &al->mu, &until) == 0) {
    }
    pthread_mutex_unlock(&al->mu);
    return !atomic_load(&al->stop);
}

static int abort_cb(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    alerts_t *al = p;

    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return atomic_load(&al->stop) ? 1 : 0;
}

static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * nmemb;
}

static void copy_str(char *dst, size_t cap, const cJSON *obj, const char *key)
{
    const char *v = hk_json_str_of(obj, key);
    (void)snprintf(dst, cap, "%s", v ? v : "");
}
