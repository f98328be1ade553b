/*
 * net_curl: see net_curl.h.
 */
#include "net_curl.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ready;

static void curl_init_once(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

bool net_curl_global(void)
{
    pthread_once(&curl_once, curl_init_once);
    return curl_ready;
}

size_t net_curl_on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
    net_body_t *b = user;
    size_t n = size * nmemb;

    if(n > b->max || b->len > b->max - n) {
        b->over = true;
        return 0;
    }
    if(b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *d;
        while(cap < b->len + n + 1)
            cap *= 2;
        d = hk_realloc(b->data, cap);
        if(!d) {
            b->nomem = true;
            return 0;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    return n;
}

hk_err_t net_body_finish(net_body_t *b, CURLcode cc, const char *errbuf, const char *mod,
                         const char *method, const char *path)
{
    hk_err_t rc;

    if(b->over) {
        hk_log_warn(mod, "%s %s: answer over %zu bytes refused", method, path, b->max);
        rc = HK_ERR_SERVER;
    } else {
        rc = b->nomem ? HK_ERR_NOMEM : net_curl_map(cc, errbuf, mod, path);
    }
    if(rc == HK_OK && !b->data) {
        b->data = hk_malloc(1);
        b->cap = 1;
        rc = b->data ? HK_OK : HK_ERR_NOMEM;
    }
    if(rc != HK_OK) {
        hk_free(b->data);
        b->data = NULL;
        return rc;
    }
    b->data[b->len] = '\0';
    return HK_OK;
}

int net_curl_on_abort(void *user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    const atomic_bool *stop = user;

    (void)a;
    (void)b;
    (void)c;
    (void)d;
    return atomic_load(stop) ? 1 : 0;
}

void net_curl_set_abort(CURL *curl, const atomic_bool *stop)
{
    if(!stop)
        return;
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, net_curl_on_abort);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)(uintptr_t)stop);
}

hk_err_t net_curl_map(CURLcode cc, const char *errbuf, const char *mod, const char *what)
{
    const char *why = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(cc);

    switch(cc) {
    case CURLE_OK: return HK_OK;
    case CURLE_OUT_OF_MEMORY: return HK_ERR_NOMEM;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        hk_log_error(mod, "%s: TLS: %s", what, why);
        return HK_ERR_TLS;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL: hk_log_warn(mod, "%s: %s", what, why); return HK_ERR_SERVER;
    default: hk_log_debug(mod, "%s: %s", what, why); return HK_ERR_NET;
    }
}

void net_curl_tls(CURL *curl, const net_tls_t *t)
{
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if(t->ca_file && t->ca_file[0]) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, t->ca_file);
        curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
    }
    if(t->pins && t->pins[0])
        curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, t->pins);
    if(t->client_cert && t->client_cert[0]) {
        curl_easy_setopt(curl, CURLOPT_SSLCERT, t->client_cert);
        curl_easy_setopt(curl, CURLOPT_SSLKEY, t->client_key);
    }
}

void net_curl_common(CURL *curl, long connect_ms, char *errbuf, const char *agent,
                     const atomic_bool *stop)
{
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent);
    net_curl_set_abort(curl, stop);
    errbuf[0] = '\0';
}

void net_curl_free_body(char **body, size_t *len)
{
    hk_free(*body);
    *body = NULL;
    *len = 0;
}

void *net_curl_client_new(size_t size, CURL **curl, char *url, size_t cap, const char *base_url)
{
    void *c;

    *curl = NULL;
    if(!net_curl_global())
        return NULL;
    c = hk_calloc(1, size);
    if(!c)
        return NULL;
    *curl = curl_easy_init();
    if(!*curl) {
        hk_free(c);
        return NULL;
    }
    snprintf(url, cap, "%s", base_url);
    while(url[0] && url[strlen(url) - 1] == '/')
        url[strlen(url) - 1] = '\0';
    return c;
}
