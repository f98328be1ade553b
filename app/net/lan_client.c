/*
 * lan_client: see lan_client.h. Each call resets the easy handle's options
 * (curl_easy_reset keeps its connection cache, so a burst of calls reuses
 * one TCP/TLS connection) and sets them again from the client's options.
 * CURLcode is translated to hk_err_t once, here, with curl's error buffer
 * in the log.
 */
#include "lan_client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "net_curl.h"

#define LOG_MOD "lan_client"

struct lan_client {
    CURL *curl;
    char base_url[LAN_CLIENT_URL_LEN];
    char ca_file[LAN_CLIENT_URL_LEN];
    int connect_ms;
    int total_ms;
    const atomic_bool *abort;
    char errbuf[CURL_ERROR_SIZE];
};

/* The stream parser: bytes in, events out. */
typedef struct sse_parse {
    char line[LAN_CLIENT_SSE_FRAME_MAX];
    size_t line_len;
    bool line_over;
    char *data; /* the event's data lines, hk_malloc'd, LAN_CLIENT_SSE_FRAME_MAX + 1 */
    size_t data_len;
    bool has_data;
    lan_sse_event_t ev;
    char *last_id; /* 32 bytes */
    lan_sse_fn fn;
    void *user;
    const atomic_bool *stop;
    bool ended; /* fn returned false */
    bool opened;
    lan_sse_state_fn state;
} sse_parse_t;

static size_t on_sse(char *ptr, size_t size, size_t nmemb, void *user);
static void set_common(lan_client_t *c, const char *path, struct curl_slist **hdrs,
                       const char *token, bool json);
static void sleep_ms(int ms, const atomic_bool *stop);

hk_err_t lan_client_create(const lan_client_opts_t *opts, lan_client_t **out)
{
    lan_client_t *c;
    char url[LAN_CLIENT_URL_LEN];
    CURL *curl;

    *out = NULL;
    if(!opts || !opts->base_url || strlen(opts->base_url) >= LAN_CLIENT_URL_LEN - 64 ||
       (strncmp(opts->base_url, "http://", 7) && strncmp(opts->base_url, "https://", 8)))
        return HK_ERR_INVALID;
    if(opts->ca_file && strlen(opts->ca_file) >= LAN_CLIENT_URL_LEN)
        return HK_ERR_INVALID;
    c = net_curl_client_new(sizeof(*c), &curl, url, sizeof(url), opts->base_url);
    if(!c)
        return HK_ERR_NOMEM;
    c->curl = curl;
    memcpy(c->base_url, url, sizeof(c->base_url));
    snprintf(c->ca_file, sizeof(c->ca_file), "%s", opts->ca_file ? opts->ca_file : "");
    c->connect_ms = opts->connect_ms > 0 ? opts->connect_ms : LAN_CLIENT_CONNECT_MS;
    c->total_ms = opts->total_ms > 0 ? opts->total_ms : LAN_CLIENT_TOTAL_MS;
    c->abort = opts->abort;
    *out = c;
    return HK_OK;
}

void lan_client_destroy(lan_client_t *c)
{
    if(!c)
        return;
    curl_easy_cleanup(c->curl);
    hk_free(c);
}

void lan_resp_free(lan_resp_t *r)
{
    if(r)
        net_curl_free_body(&r->body, &r->len);
}

/* The error body's code and message, when there is one. */
static void read_error(lan_resp_t *r)
{
    hk_json_limits_t lim = { 8192, 4 };
    cJSON *root = NULL;
    const cJSON *code, *msg;

    if(r->status < 400 || !r->len || hk_json_parse(r->body, r->len, &lim, &root, NULL) != HK_OK)
        return;
    code = cJSON_GetObjectItemCaseSensitive(root, "code");
    msg = cJSON_GetObjectItemCaseSensitive(root, "message");
    if(cJSON_IsString(code))
        snprintf(r->code, sizeof(r->code), "%s", code->valuestring);
    if(cJSON_IsString(msg))
        snprintf(r->message, sizeof(r->message), "%s", msg->valuestring);
    cJSON_Delete(root);
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *user)
{
    lan_resp_t *r = user;
    size_t n = size * nmemb;

    if(n > 12 && !strncasecmp(ptr, "Retry-After:", 12))
        r->retry_after_s = atoi(ptr + 12);
    return n;
}

hk_err_t lan_client_request(lan_client_t *c, const char *method, const char *path,
                            const char *token, const char *json, lan_resp_t *out)
{
    struct curl_slist *hdrs = NULL;
    net_body_t buf = { .max = LAN_CLIENT_BODY_MAX };
    long status = 0;
    CURLcode cc;
    hk_err_t rc;

    memset(out, 0, sizeof(*out));
    set_common(c, path, &hdrs, token, json != NULL);
    if(!hdrs && (json || (token && token[0])))
        return HK_ERR_NOMEM;
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)c->total_ms);
    curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    if(!strcmp(method, "GET"))
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    if(json) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
    } else if(!strcmp(method, "POST")) {
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, net_curl_on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, out);
    cc = curl_easy_perform(c->curl);
    curl_slist_free_all(hdrs);
    rc = net_body_finish(&buf, cc, c->errbuf, LOG_MOD, method, path);
    if(rc != HK_OK)
        return rc;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    out->status = (int)status;
    out->body = buf.data;
    out->len = buf.len;
    read_error(out);
    return HK_OK;
}

/* ---- the event stream ------------------------------------------------------ */

static void sse_dispatch(sse_parse_t *p)
{
    if(p->has_data) {
        p->data[p->data_len] = '\0';
        p->ev.data = p->data;
        p->ev.data_len = p->data_len;
        if(p->ev.id[0])
            snprintf(p->last_id, 32, "%s", p->ev.id);
        if(!p->ended && !p->fn(&p->ev, p->user))
            p->ended = true;
    } else if(p->ev.id[0]) {
        snprintf(p->last_id, 32, "%s", p->ev.id);
    }
    memset(&p->ev, 0, sizeof(p->ev));
    p->data_len = 0;
    p->has_data = false;
}

/* One complete line (without its end). */
static void sse_line(sse_parse_t *p, char *line, size_t len)
{
    const char *val;
    size_t vlen;
    char *colon;

    if(len == 0) {
        sse_dispatch(p);
        return;
    }
    if(line[0] == ':')
        return; /* a comment: keep-alive */
    colon = memchr(line, ':', len);
    if(colon) {
        *colon = '\0';
        val = colon + 1;
        vlen = len - (size_t)(val - line);
        if(vlen && *val == ' ') {
            val++;
            vlen--;
        }
    } else {
        line[len] = '\0';
        val = "";
        vlen = 0;
    }
    if(!strcmp(line, "id")) {
        if(vlen < sizeof(p->ev.id)) {
            memcpy(p->ev.id, val, vlen);
            p->ev.id[vlen] = '\0';
        }
    } else if(!strcmp(line, "event")) {
        if(vlen < sizeof(p->ev.event)) {
            memcpy(p->ev.event, val, vlen);
            p->ev.event[vlen] = '\0';
        }
    } else if(!strcmp(line, "data")) {
        size_t need = vlen + (p->has_data ? 1 : 0);
        if(p->data_len + need > LAN_CLIENT_SSE_FRAME_MAX) {
            hk_log_warn(LOG_MOD, "an event over %d bytes was dropped", LAN_CLIENT_SSE_FRAME_MAX);
            p->has_data = false;
            p->data_len = 0;
            return;
        }
        if(p->has_data)
            p->data[p->data_len++] = '\n';
        memcpy(p->data + p->data_len, val, vlen);
        p->data_len += vlen;
        p->has_data = true;
    }
}

static size_t on_sse(char *ptr, size_t size, size_t nmemb, void *user)
{
    sse_parse_t *p = user;
    size_t n = size * nmemb, i;

    for(i = 0; i < n; i++) {
        char ch = ptr[i];
        if(ch == '\n') {
            if(p->line_len && p->line[p->line_len - 1] == '\r')
                p->line_len--;
            if(!p->line_over)
                sse_line(p, p->line, p->line_len);
            p->line_len = 0;
            p->line_over = false;
        } else if(p->line_len + 1 < sizeof(p->line)) {
            p->line[p->line_len++] = ch;
        } else {
            p->line_over = true;
        }
    }
    if(p->ended || atomic_load(p->stop))
        return 0; /* ends the transfer */
    return n;
}

static size_t on_sse_header(char *ptr, size_t size, size_t nmemb, void *user)
{
    sse_parse_t *p = user;
    size_t n = size * nmemb;

    /* the status line of the answer: a 200 means the stream opened */
    if(n > 9 && !strncmp(ptr, "HTTP/", 5)) {
        const char *sp = memchr(ptr, ' ', n);
        if(sp && atoi(sp + 1) == 200 && !p->opened) {
            p->opened = true;
            if(p->state)
                p->state(p->user, true);
        }
    }
    return n;
}

hk_err_t lan_client_sse_run(lan_client_t *c, const char *path, lan_token_fn token, lan_sse_fn fn,
                            lan_sse_state_fn state, void *user, const atomic_bool *stop,
                            char last_id[32])
{
    sse_parse_t *p = hk_calloc(1, sizeof(*p));
    char id[32] = "";
    int backoff = LAN_CLIENT_SSE_BACKOFF_MS;

    if(!p)
        return HK_ERR_NOMEM;
    p->data = hk_malloc(LAN_CLIENT_SSE_FRAME_MAX + 1);
    if(!p->data) {
        hk_free(p);
        return HK_ERR_NOMEM;
    }
    if(last_id)
        snprintf(id, sizeof(id), "%s", last_id);
    p->last_id = id;
    p->fn = fn;
    p->user = user;
    p->stop = stop;
    p->state = state;
    while(!atomic_load(stop) && !p->ended) {
        struct curl_slist *hdrs = NULL;
        char tok[256] = "", lei[64];
        long status = 0;
        CURLcode cc;

        if(token)
            token(user, tok, sizeof(tok));
        set_common(c, path, &hdrs, tok, false);
        if(id[0]) {
            snprintf(lei, sizeof(lei), "Last-Event-ID: %s", id);
            struct curl_slist *h = curl_slist_append(hdrs, lei);
            if(h)
                hdrs = h;
        }
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, 0L);
        curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPIDLE, 10L);
        curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPINTVL, 5L);
        curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_sse);
        curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, p);
        curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_sse_header);
        curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, p);
        net_curl_set_abort(c->curl, stop);
        p->line_len = 0;
        p->line_over = false;
        p->data_len = 0;
        p->has_data = false;
        memset(&p->ev, 0, sizeof(p->ev));
        p->opened = false;
        cc = curl_easy_perform(c->curl);
        curl_slist_free_all(hdrs);
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        if(p->opened) {
            backoff = LAN_CLIENT_SSE_BACKOFF_MS;
            if(state)
                state(user, false);
        } else if(!atomic_load(stop)) {
            hk_log_debug(LOG_MOD, "events: %s (status %ld); again in %d ms",
                         cc == CURLE_OK ? "no stream" : curl_easy_strerror(cc), status, backoff);
            if(state)
                state(user, false);
        }
        if(atomic_load(stop) || p->ended)
            break;
        sleep_ms(backoff, stop);
        if(!p->opened)
            backoff = backoff * 2 > LAN_CLIENT_SSE_BACKOFF_MAX_MS ? LAN_CLIENT_SSE_BACKOFF_MAX_MS
                                                                  : backoff * 2;
    }
    if(last_id)
        snprintf(last_id, 32, "%s", id);
    hk_free(p->data);
    hk_free(p);
    return HK_OK;
}

bool lan_client_escape(const char *s, char *dst, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;

    for(; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if(isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            if(n + 1 >= cap)
                return false;
            dst[n++] = (char)ch;
        } else {
            if(n + 3 >= cap)
                return false;
            dst[n++] = '%';
            dst[n++] = hex[ch >> 4];
            dst[n++] = hex[ch & 15];
        }
    }
    if(n >= cap)
        return false;
    dst[n] = '\0';
    return true;
}

/* ---- static ------------------------------------------------------------------ */

static void set_common(lan_client_t *c, const char *path, struct curl_slist **hdrs,
                       const char *token, bool json)
{
    char url[LAN_CLIENT_URL_LEN + 512], auth[320];
    struct curl_slist *h = NULL, *t;

    curl_easy_reset(c->curl);
    snprintf(url, sizeof(url), "%s%s", c->base_url, path);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    {
        /* the branch CA only, not also the system's CA path */
        const net_tls_t tls = { c->ca_file, "", "", "" };
        net_curl_tls(c->curl, &tls);
    }
    net_curl_common(c->curl, (long)c->connect_ms, c->errbuf, "hallkiosk-lan/1", c->abort);
    if(token && token[0]) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        t = curl_slist_append(h, auth);
        if(!t)
            goto fail;
        h = t;
    }
    if(json) {
        t = curl_slist_append(h, "Content-Type: application/json");
        if(!t)
            goto fail;
        h = t;
    }
    if(h) {
        t = curl_slist_append(h, "Accept: application/json, text/event-stream");
        if(!t)
            goto fail;
        h = t;
    }
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
    *hdrs = h;
    return;
fail:
    curl_slist_free_all(h);
    *hdrs = NULL;
}

static void sleep_ms(int ms, const atomic_bool *stop)
{
    struct timespec ts = { 0, 20 * 1000000L };
    int i;

    for(i = 0; i < ms / 20 && !atomic_load(stop); i++)
        nanosleep(&ts, NULL);
}
