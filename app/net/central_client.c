/*
 * central_client: see central_client.h. Options are set afresh on each
 * request (curl_easy_reset keeps the connection cache, so an upload burst
 * reuses one TLS session). The shared curl pieces are net_curl.c's.
 */
#include "central_client.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "net_curl.h"

#define LOG_MOD  "central"
#define URL_CAP  (CONFIG_PATH_LEN + 64)
#define PINS_CAP (CONFIG_MAX_PINS * CONFIG_PIN_LEN + 8)

struct central_client {
    CURL *curl;
    char url[CONFIG_PATH_LEN];
    char ca_file[CONFIG_PATH_LEN];
    char pins[PINS_CAP]; /* "sha256//a;sha256//b" */
    char client_cert[CONFIG_PATH_LEN];
    char client_key[CONFIG_PATH_LEN];
    char auth[CONFIG_TOKEN_LEN + 32]; /* "Authorization: Bearer …" or "" */
    bool plain_http;
    int connect_ms, total_ms, low_speed_s;
    const atomic_bool *abort;
    char errbuf[CURL_ERROR_SIZE];
};

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *user);

hk_err_t central_client_create(const central_client_opts_t *opts, central_client_t **out)
{
    const config_t *cfg;
    central_client_t *c;
    char url[sizeof(c->url)];
    CURL *curl;
    int i;

    *out = NULL;
    if(!opts || !opts->cfg || !opts->cfg->central.url[0])
        return HK_ERR_INVALID;
    cfg = opts->cfg;
    if(strncmp(cfg->central.url, "https://", 8) &&
       !(cfg->central.allow_http_loopback && !strncmp(cfg->central.url, "http://", 7)))
        return HK_ERR_INVALID;
    c = net_curl_client_new(sizeof(*c), &curl, url, sizeof(url), cfg->central.url);
    if(!c)
        return HK_ERR_NOMEM;
    c->curl = curl;
    memcpy(c->url, url, sizeof(c->url));
    c->plain_http = !strncmp(c->url, "http://", 7);
    snprintf(c->ca_file, sizeof(c->ca_file), "%s", cfg->central.ca_file);
    for(i = 0; i < cfg->central.n_pins && i < CONFIG_MAX_PINS; i++) {
        size_t n = strlen(c->pins);
        snprintf(c->pins + n, sizeof(c->pins) - n, "%s%s", i ? ";" : "", cfg->central.pins[i]);
    }
    snprintf(c->client_cert, sizeof(c->client_cert), "%s", cfg->central.client_cert);
    snprintf(c->client_key, sizeof(c->client_key), "%s", cfg->central.client_key);
    if(cfg->central.token[0])
        snprintf(c->auth, sizeof(c->auth), "Authorization: Bearer %s", cfg->central.token);
    c->connect_ms = opts->connect_ms > 0 ? opts->connect_ms : CENTRAL_CLIENT_CONNECT_MS;
    c->total_ms = opts->total_ms > 0 ? opts->total_ms : CENTRAL_CLIENT_TOTAL_MS;
    c->low_speed_s = opts->low_speed_s > 0 ? opts->low_speed_s : CENTRAL_CLIENT_LOW_SPEED_S;
    c->abort = opts->abort;
    *out = c;
    return HK_OK;
}

void central_client_destroy(central_client_t *c)
{
    if(!c)
        return;
    curl_easy_cleanup(c->curl);
    /* the token was in here */
    memset(c->auth, 0, sizeof(c->auth));
    hk_free(c);
}

void central_resp_free(central_resp_t *r)
{
    if(r)
        net_curl_free_body(&r->body, &r->len);
}

/* The transport's fixed rules, set on every request. */
static void set_transport(central_client_t *c)
{
    CURL *h = c->curl;
    const net_tls_t tls = { c->ca_file, c->pins, c->client_cert, c->client_key };

    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->plain_http ? "http" : "https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    net_curl_tls(h, &tls); /* the operator CA and nothing else, pins, mTLS */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->total_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)c->low_speed_s);
    net_curl_common(h, (long)c->connect_ms, c->errbuf, "hallkiosk-sync/1", c->abort);
}

static struct curl_slist *add_header(struct curl_slist *h, const char *line, bool *ok)
{
    struct curl_slist *t = curl_slist_append(h, line);

    if(!t) {
        *ok = false;
        return h;
    }
    return t;
}

hk_err_t central_client_request(central_client_t *c, const char *method, const char *path,
                                const char *body, size_t body_len, const char *if_none_match,
                                size_t max_body, central_resp_t *out)
{
    net_body_t buf = { .max = max_body };
    struct curl_slist *hdrs = NULL;
    char url[URL_CAP], inm[CENTRAL_ETAG_LEN + 32];
    bool ok = true;
    long status = 0;
    CURLcode cc;
    hk_err_t rc;

    memset(out, 0, sizeof(*out));
    out->retry_after_s = -1;
    if(snprintf(url, sizeof(url), "%s%s", c->url, path) >= (int)sizeof(url))
        return HK_ERR_INVALID;
    curl_easy_reset(c->curl);
    set_transport(c);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    hdrs = add_header(hdrs, "Accept: application/json", &ok);
    if(c->auth[0])
        hdrs = add_header(hdrs, c->auth, &ok);
    if(if_none_match && if_none_match[0]) {
        snprintf(inm, sizeof(inm), "If-None-Match: %s", if_none_match);
        hdrs = add_header(hdrs, inm, &ok);
    }
    if(body) {
        hdrs = add_header(hdrs, "Content-Type: application/json", &ok);
        /* the server may refuse an unknown or unauthenticated device on the
         * headers alone: the body is sent only after its 100 Continue */
        hdrs = add_header(hdrs, "Expect: 100-continue", &ok);
        curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(c->curl, CURLOPT_EXPECT_100_TIMEOUT_MS, (long)c->total_ms);
    } else if(!strcmp(method, "GET")) {
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    }
    if(!ok) {
        curl_slist_free_all(hdrs);
        return HK_ERR_NOMEM;
    }
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, net_curl_on_body);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &buf);
    curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, out);
    cc = curl_easy_perform(c->curl);
    curl_slist_free_all(hdrs);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    rc = net_body_finish(&buf, cc, c->errbuf, LOG_MOD, method, path);
    if(rc != HK_OK)
        return rc;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    out->status = (int)status;
    out->body = buf.data;
    out->len = buf.len;
    return HK_OK;
}

/* A header line's value: after "Name:", spaces trimmed, into dst. */
static bool header_value(const char *ptr, size_t n, const char *name, char *dst, size_t cap)
{
    size_t k = strlen(name);

    if(n <= k || strncasecmp(ptr, name, k) != 0)
        return false;
    ptr += k;
    n -= k;
    while(n && (*ptr == ' ' || *ptr == '\t')) {
        ptr++;
        n--;
    }
    while(n && (ptr[n - 1] == '\r' || ptr[n - 1] == '\n' || ptr[n - 1] == ' '))
        n--;
    if(n >= cap)
        return false; /* too long to be honest: ignored */
    memcpy(dst, ptr, n);
    dst[n] = '\0';
    return true;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *user)
{
    central_resp_t *r = user;
    size_t n = size * nmemb;
    char v[128];
    int secs;

    if(n > 5 && !strncmp(ptr, "HTTP/", 5)) {
        /* a new answer (after a 100 Continue): forget the last one's */
        r->retry_after_s = -1;
        r->etag[0] = '\0';
    } else if(header_value(ptr, n, "Retry-After:", v, sizeof(v))) {
        if(central_parse_retry_after(v, (int64_t)time(NULL), &secs))
            r->retry_after_s = secs;
    } else {
        (void)header_value(ptr, n, "ETag:", r->etag, sizeof(r->etag));
    }
    return n;
}

const char *central_client_last_error(const central_client_t *c)
{
    return c ? c->errbuf : "";
}
