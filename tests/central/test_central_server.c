/*
 * hall-central over real TLS on loopback: `hall-central init-dev` makes the
 * CA, the server's and kiosk-1's certificates, kiosk-1's token and the
 * branch document in the test's directory; certtool adds an unregistered
 * device (kiosk-9, same CA) and a stranger's CA with its own "kiosk-1".
 * A real hall-central process serves a config with kiosk-1 (certificate or
 * token) and kiosk-2 (token) on 127.0.0.1, port chosen by the kernel, and
 * libcurl is the device: token and certificate auth, 401 for no, unknown
 * or untrusted credentials, 403 for a batch or heartbeat naming another
 * device, 413 over the body cap, 409 for a uuid held with other content,
 * 400 for a bad batch, ETag/304, HSTS on every answer, 429 with
 * Retry-After over max_inflight, TLS 1.1 refused, plain HTTP unanswered,
 * two instances on one database agreeing, 503 with Retry-After when the
 * database is gone, and a bad config refused at start with its field path.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hc_test.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "pki.h"

#define BRANCH "sh-xuhui-01"
#define TOKEN2 "kiosk-2-token-0123456789abcdef"
/* a device certificate's certtool template */
#define DEVICE_TMPL(cn) "cn = \"" cn "\"\ntls_www_client\nsigning_key\nexpiration_days = 2\n"

static char dir[600], bin[1100], token1[128], ca_path[700];
static pid_t server = -1, spare = -1; /* spare: another instance a case started */
static unsigned port, main_port;

typedef struct resp {
    long status;
    hc_test_text_t b; /* the body */
    hc_test_text_t h;
    CURLcode rc;
} resp_t;

typedef struct creds {
    const char *cert; /* file name in dir, or NULL */
    const char *key;
    const char *token; /* bearer token, or NULL */
} creds_t;

static const char *in_dir(const char *name)
{
    return hc_test_path(dir, name);
}

/* One HTTPS request to the server. post NULL = GET. extra: one header or NULL. */
static void fetch(const char *path, const creds_t *cr, const char *post, size_t post_len,
                  const char *extra, long tls_max, resp_t *r)
{
    struct curl_slist *hdrs = NULL;
    char url[256], auth[200];
    CURL *c;

    memset(r, 0, sizeof(*r));
    snprintf(url, sizeof(url), "https://127.0.0.1:%u%s", port, path);
    c = hc_test_easy(url, dir, cr ? cr->cert : NULL, cr ? cr->key : NULL, 10000L, hc_test_on_text,
                     &r->b, &r->h);
    if(tls_max)
        curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_0 | tls_max);
    if(cr && cr->token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cr->token);
        hdrs = curl_slist_append(hdrs, auth);
    }
    if(extra)
        hdrs = curl_slist_append(hdrs, extra);
    if(post) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        /* as the sync client does (central_client.c): the body follows the
         * server's 100 Continue, so a refusal on the headers alone (401,
         * 413 by Content-Length) arrives before any of it is sent; without
         * it, the server closing after its answer races the client still
         * sending, which curl reports as a send error with no status */
        if(!extra || strncmp(extra, "Expect:", 7))
            hdrs = curl_slist_append(hdrs, "Expect: 100-continue");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)post_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
}

static bool has_header(const resp_t *r, const char *line)
{
    return hc_test_find_ci(r->h.text, line) != NULL;
}

static int sh(const char *cmd)
{
    char full[4096];

    snprintf(full, sizeof(full), "cd '%s' && %s >>'%s/test-sh.log' 2>&1", dir, cmd, dir);
    return system(full);
}

static void sha256_hex(const char *text, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(out, 65, d, sizeof(d));
}

static void write_file(const char *name, const char *text)
{
    hc_test_write_file(dir, name, text);
}

/* Start hall-central on cfg_name; returns its pid, sets port. -1 when it
 * exited (its stderr is in dir/<cfg_name>.err). */
static pid_t start_server(const char *cfg_name, int *exit_code)
{
    return hc_test_start(bin, dir, cfg_name, &port, exit_code);
}

static void stop_server(pid_t pid)
{
    hc_test_stop(pid);
}

/* A batch of seqs from..to of device, bodies tagged with tag. */
static char *batch(const char *device, int from, int to, const char *tag)
{
    size_t cap = 256 + (size_t)(to - from + 1) * 200;
    char *b = hk_malloc(cap);
    size_t n;
    int s;

    HK_ASSERT(b);
    n = (size_t)snprintf(b, cap, "{\"device\":\"%s\",\"branch\":\"%s\",\"events\":[", device,
                         BRANCH);
    for(s = from; s <= to; s++) {
        /* one uuid per (device, seq): kiosk-1 is 1..., kiosk-2 is 2... */
        n += (size_t)snprintf(b + n, cap - n,
                              "%s{\"seq\":%d,\"uuid\":\"%c0000000-0000-4000-8000-%012d\","
                              "\"type\":\"ticket.issued\",\"time_ms\":1764000000000,"
                              "\"body\":{\"n\":%d,\"tag\":\"%s\"}}",
                              s > from ? "," : "", s, device[6], s, s, tag);
    }
    snprintf(b + n, cap - n, "]}");
    return b;
}

/* ---- fixture ---------------------------------------------------------------------- */

/* init-dev's kiosk.json is a whole kiosk config (config_parse takes it)
 * pointing at the development server with its CA and kiosk-1's certificate,
 * and init-dev printed the command that starts a kiosk on it. */
static void check_kiosk_json(void)
{
    static config_t k;
    static char text[256 * 1024], want[1400], real[1024], path[1100];
    hk_diag_t diag;
    FILE *f = fopen(in_dir("kiosk.json"), "r");
    size_t n;

    HK_ASSERT(f);
    HK_ASSERT(realpath(dir, real)); /* init-dev writes its real path */
    n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(config_parse(text, n, &k, &diag) == HK_OK, "kiosk.json: %s", diag.msg);
    HK_ASSERT_STR("https://localhost:8443", k.central.url);
#define REAL(name) (snprintf(path, sizeof(path), "%s/%s", real, name), path)
    HK_ASSERT_STR(REAL("ca.crt"), k.central.ca_file);
    HK_ASSERT_STR(REAL("kiosk-1.crt"), k.central.client_cert);
    HK_ASSERT_STR(REAL("kiosk-1.key"), k.central.client_key);
    HK_ASSERT_STR("kiosk-1", k.device.id);
    HK_ASSERT_STR(REAL("kiosk-data"), k.data_dir);
    HK_ASSERT_CONTAINS(k.ticket_url_template, "https://localhost:8443/t/");
    /* the server serves the same branch */
    snprintf(want, sizeof(want), "branch-%s.json", k.branch_id);
    HK_ASSERT_MSG(access(in_dir(want), R_OK) == 0, "no %s", want);
    snprintf(want, sizeof(want), "--config %s --window", REAL("kiosk.json"));
    HK_ASSERT(hk_test_file_has(in_dir("init-dev.out"), want));
    snprintf(want, sizeof(want), "hall-central --config %s", REAL("hall-central.json"));
    HK_ASSERT(hk_test_file_has(in_dir("init-dev.out"), want));
#undef REAL
}

static void test_central_init_dev_and_start(void)
{
    char cmd[3000], hash1[65], hash2[65], cfg[4096];
    hk_pki_pair_t pair;
    const char *base = getenv("HK_TEST_TMP");
    FILE *f;
    size_t n;
    int code = 0;

    snprintf(dir, sizeof(dir), "%s/central-server.XXXXXX", base && base[0] ? base : "/tmp");
    HK_ASSERT(mkdtemp(dir));
    snprintf(ca_path, sizeof(ca_path), "%s/ca.crt", dir); /* for the second thread */
    snprintf(cmd, sizeof(cmd), "'%s' init-dev '%s' > '%s/init-dev.out' 2>&1", bin, dir, dir);
    HK_ASSERT_INT(0, system(cmd));
    HK_ASSERT(hk_test_file_has(in_dir("init-dev.out"), "hall-central --config"));
    check_kiosk_json();
    f = fopen(in_dir("kiosk-1.token"), "r");
    HK_ASSERT(f);
    n = fread(token1, 1, sizeof(token1) - 1, f);
    fclose(f);
    token1[n] = '\0';
    token1[strcspn(token1, "\n")] = '\0';
    HK_ASSERT_INT(64, strlen(token1));
    /* kiosk-9: the operator CA's, but not in the registry; rogue: another
     * CA's certificate claiming to be kiosk-1 */
    HK_ASSERT_INT(0,
                  hk_pki_issue(dir, "kiosk-9", DEVICE_TMPL("kiosk-9"), "ca.crt", "ca.key", &pair));
    HK_ASSERT_INT(0, hk_pki_issue(dir, "rogue-ca",
                                  "cn = \"Rogue CA\"\nca\ncert_signing_key\nexpiration_days = 2\n",
                                  NULL, NULL, &pair));
    HK_ASSERT_INT(0, hk_pki_issue(dir, "rogue", DEVICE_TMPL("kiosk-1"), "rogue-ca.pem",
                                  "rogue-ca.key", &pair));
    sha256_hex(token1, hash1);
    sha256_hex(TOKEN2, hash2);
    snprintf(cfg, sizeof(cfg),
             "{\"listen\":\"127.0.0.1:8443\",\"tls_cert\":\"server.crt\","
             "\"tls_key\":\"server.key\",\"client_ca\":\"ca.crt\",\"store\":\"sqlite:central.db\","
             "\"devices\":[{\"id\":\"kiosk-1\",\"branch\":\"%s\",\"token_sha256\":\"%s\"},"
             "{\"id\":\"kiosk-2\",\"branch\":\"%s\",\"token_sha256\":\"%s\"},"
             "{\"id\":\"kiosk-3\",\"branch\":\"%s\",\"enabled\":false}],"
             "\"branches\":[{\"id\":\"%s\",\"name_zh\":\"徐汇\",\"name_en\":\"Xuhui\","
             "\"city\":\"上海\",\"province\":\"上海\",\"config_file\":\"branch-%s.json\"}],"
             "\"retry_after_s\":7,\"max_inflight\":64}",
             BRANCH, hash1, BRANCH, hash2, BRANCH, BRANCH, BRANCH);
    write_file("test.json", cfg);
    /* the same with one request at a time, for the overload case */
    {
        char *at = strstr(cfg, "\"max_inflight\":64");
        HK_ASSERT(at);
        memcpy(at, "\"max_inflight\":1 ", 17);
        write_file("busy.json", cfg);
    }
    server = start_server("test.json", &code);
    HK_ASSERT_MSG(server > 0, "hall-central exited with %d (see %s/test.json.err)", code, dir);
    main_port = port;
}

void setUp(void)
{
}

void tearDown(void)
{
    /* a case that failed half-way leaves no process behind (ctest would
     * wait for it) and the next case talks to the main instance again */
    if(spare > 0) {
        kill(spare, SIGKILL);
        waitpid(spare, NULL, 0);
        spare = -1;
    }
    if(main_port)
        port = main_port;
}

/* ---- cases -------------------------------------------------------------------------- */

static void test_central_token_auth_uploads_and_acks_once(void)
{
    creds_t t = { NULL, NULL, token1 };
    char *b = batch("kiosk-1", 1, 3, "a");
    resp_t r;

    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(CURLE_OK, r.rc);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":3");
    HK_ASSERT_CONTAINS(r.b.text, "\"status\":\"stored\"");
    HK_ASSERT(has_header(&r, "Strict-Transport-Security: max-age="));
    /* the retry of a lost ack: the same answer, all duplicates */
    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":3");
    HK_ASSERT(strstr(r.b.text, "\"stored\"") == NULL);
    HK_ASSERT_CONTAINS(r.b.text, "\"status\":\"duplicate\"");
    hk_free(b);
    /* a gap holds the ack back */
    b = batch("kiosk-1", 5, 6, "a");
    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":3");
    hk_free(b);
}

/* engineer mode (issue 9.5): a type this server derives nothing from (a
 * wrong engineer PIN) is stored as it came, and acknowledged. */
static void test_central_stores_engineer_pin_failed(void)
{
    creds_t t = { NULL, NULL, token1 };
    static const char b[] =
        "{\"device\":\"kiosk-1\",\"branch\":\"" BRANCH "\",\"events\":[{\"seq\":900,"
        "\"uuid\":\"10000000-0000-4000-8000-000000000900\",\"type\":\"engineer.pin_failed\","
        "\"time_ms\":1764000000000,\"body\":{\"device\":\"kiosk-1\",\"fails\":5,\"locks\":1,"
        "\"locked_until_ms\":1764000300000,\"lock_s\":300}}]}";
    resp_t r;

    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(CURLE_OK, r.rc);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"status\":\"stored\"");
    /* sent again: recognised, so it was kept */
    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"status\":\"duplicate\"");
}

static void test_central_client_cert_auth_and_config_etag(void)
{
    creds_t cert = { "kiosk-1.crt", "kiosk-1.key", NULL };
    char etag[128], inm[160];
    const char *at;
    resp_t r;

    fetch("/v1/config", &cert, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(CURLE_OK, r.rc);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"version\"");
    HK_ASSERT_CONTAINS(r.b.text, BRANCH);
    HK_ASSERT(has_header(&r, "Strict-Transport-Security: max-age="));
    at = hc_test_find_ci(r.h.text, "ETag: ");
    HK_ASSERT(at);
    HK_ASSERT_INT(1, sscanf(at + 6, "%127[^\r\n]", etag));
    HK_ASSERT(etag[0] == '"');
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    fetch("/v1/config", &cert, NULL, 0, inm, 0, &r);
    HK_ASSERT_INT(304, r.status);
    HK_ASSERT_INT(0, r.b.len);
    HK_ASSERT(has_header(&r, "Strict-Transport-Security: max-age="));
    /* another tag: the whole document again */
    fetch("/v1/config", &cert, NULL, 0, "If-None-Match: \"0000\"", 0, &r);
    HK_ASSERT_INT(200, r.status);
    /* a certificate-authenticated upload */
    {
        char *b = batch("kiosk-1", 4, 4, "a");
        fetch("/v1/events", &cert, b, strlen(b), NULL, 0, &r);
        HK_ASSERT_INT(200, r.status);
        HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":6"); /* 1..3, 5..6 were held */
        hk_free(b);
    }
}

static void test_central_refuses_unknown_and_missing_credentials(void)
{
    creds_t none = { NULL, NULL, NULL };
    creds_t unknown_cert = { "kiosk-9.pem", "kiosk-9.key", NULL };
    creds_t rogue = { "rogue.pem", "rogue.key", NULL };
    creds_t bad_token = { NULL, NULL, "not-a-registered-token" };
    char *b = batch("kiosk-1", 10, 10, "x");
    resp_t r;

    fetch("/v1/events", &none, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(401, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"unauthorized\"");
    HK_ASSERT(has_header(&r, "Strict-Transport-Security: max-age="));
    fetch("/v1/config", &unknown_cert, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(401, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "unknown device");
    fetch("/v1/config", &rogue, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(401, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "not trusted");
    fetch("/v1/events", &bad_token, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(401, r.status);
    /* kiosk-1's certificate with kiosk-2's token: two devices at once */
    {
        creds_t both = { "kiosk-1.crt", "kiosk-1.key", TOKEN2 };
        fetch("/v1/config", &both, NULL, 0, NULL, 0, &r);
        HK_ASSERT_INT(401, r.status);
        HK_ASSERT_CONTAINS(r.b.text, "different devices");
        both.token = token1; /* its own: fine */
        fetch("/v1/config", &both, NULL, 0, NULL, 0, &r);
        HK_ASSERT_INT(200, r.status);
    }
    /* a 100 KB upload from a stranger is answered before its body is read */
    {
        size_t big = 100 * 1024;
        char *body = hk_malloc(big + 1);
        HK_ASSERT(body);
        memset(body, ' ', big);
        body[big] = '\0';
        fetch("/v1/events", &bad_token, body, big, NULL, 0, &r);
        HK_ASSERT_MSG(r.status == 401, "status %ld, curl %d (%s)", r.status, r.rc,
                      curl_easy_strerror(r.rc));
        hk_free(body);
    }
    hk_free(b);
    /* nothing of it was stored: kiosk-1's seq 10 is not there (acked stays 6) */
    {
        creds_t t = { NULL, NULL, token1 };
        char *again = batch("kiosk-1", 7, 7, "a");
        fetch("/v1/events", &t, again, strlen(again), NULL, 0, &r);
        HK_ASSERT_INT(200, r.status);
        HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":7");
        hk_free(again);
    }
}

static void test_central_refuses_another_devices_batch_403(void)
{
    creds_t k2 = { NULL, NULL, TOKEN2 };
    char *b = batch("kiosk-1", 8, 8, "from-k2");
    char hb[512];
    resp_t r;

    fetch("/v1/events", &k2, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(403, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"forbidden\"");
    hk_free(b);
    /* its own batch is fine */
    b = batch("kiosk-2", 1, 2, "k2");
    fetch("/v1/events", &k2, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"device\":\"kiosk-2\",\"acked_seq\":2");
    hk_free(b);
    /* heartbeats: its own, then one naming kiosk-1 */
    snprintf(hb, sizeof(hb),
             "{\"device\":\"%s\",\"branch\":\"%s\",\"version\":\"0.1.0\",\"uptime_s\":60,"
             "\"backlog\":0,\"printer\":\"ok\",\"disk_free_mb\":5120,\"last_error\":\"\"}",
             "kiosk-2", BRANCH);
    fetch("/v1/heartbeat", &k2, hb, strlen(hb), NULL, 0, &r);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"server_time_ms\":");
    snprintf(hb, sizeof(hb),
             "{\"device\":\"%s\",\"branch\":\"%s\",\"version\":\"0.1.0\",\"uptime_s\":60,"
             "\"backlog\":0,\"printer\":\"ok\",\"disk_free_mb\":5120,\"last_error\":\"\"}",
             "kiosk-1", BRANCH);
    fetch("/v1/heartbeat", &k2, hb, strlen(hb), NULL, 0, &r);
    HK_ASSERT_INT(403, r.status);
}

static void test_central_body_cap_413_and_bad_batch_400(void)
{
    creds_t t = { NULL, NULL, token1 };
    size_t big = 129 * 1024;
    char *body = hk_malloc(big + 1);
    resp_t r;

    HK_ASSERT(body);
    memset(body, ' ', big);
    body[big] = '\0';
    fetch("/v1/events", &t, body, big, NULL, 0, &r);
    HK_ASSERT_MSG(r.status == 413, "status %ld, curl %d (%s)", r.status, r.rc,
                  curl_easy_strerror(r.rc));
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"body_too_large\"");
    hk_free(body);
    fetch("/v1/events", &t, "{\"device\":\"kiosk-1\"", 19, NULL, 0, &r);
    HK_ASSERT_INT(400, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"invalid_request\"");
    fetch("/v1/events", &t, "<html>hi</html>", 15, NULL, 0, &r);
    HK_ASSERT_INT(400, r.status);
    /* a heartbeat's cap is 16 KiB */
    body = hk_malloc(17 * 1024 + 1);
    HK_ASSERT(body);
    memset(body, ' ', 17 * 1024);
    body[17 * 1024] = '\0';
    fetch("/v1/heartbeat", &t, body, 17 * 1024, NULL, 0, &r);
    HK_ASSERT_INT(413, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "over 16384 bytes");
    hk_free(body);
    fetch("/v1/nothing", &t, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(404, r.status);
    fetch("/v1/events", &t, NULL, 0, NULL, 0, &r); /* GET on a POST route */
    HK_ASSERT_INT(405, r.status);
}

/* A chunked upload (no Content-Length) over the cap: read, dropped, 413. */
typedef struct chunks {
    size_t left;
} chunks_t;

static size_t chunk_read(char *buf, size_t size, size_t n, void *user)
{
    chunks_t *k = user;
    size_t len = size * n < k->left ? size * n : k->left;

    memset(buf, ' ', len);
    k->left -= len;
    return len;
}

static void test_central_chunked_upload_over_the_cap_413(void)
{
    struct curl_slist *hdrs = NULL;
    char url[256], auth[200];
    chunks_t k = { 140 * 1024 };
    resp_t r;
    CURL *c = curl_easy_init();

    HK_ASSERT(c);
    memset(&r, 0, sizeof(r));
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/v1/events", port);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token1);
    hdrs = curl_slist_append(hdrs, auth);
    hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca_path);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, chunk_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &k);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hc_test_on_text);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.b);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    r.rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    HK_ASSERT_MSG(r.status == 413, "status %ld, curl %d (%s)", r.status, r.rc,
                  curl_easy_strerror(r.rc));
    HK_ASSERT_CONTAINS(r.b.text, "over 131072 bytes");
}

static void test_central_uuid_conflict_409_stores_nothing(void)
{
    creds_t t = { NULL, NULL, token1 };
    char *b = batch("kiosk-1", 7, 8, "changed"); /* 7 is held with tag "a"; 8 new */
    resp_t r;

    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(409, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"uuid_conflict\"");
    hk_free(b);
    b = batch("kiosk-1", 8, 8, "a"); /* 8 was not stored by the refused batch */
    fetch("/v1/events", &t, b, strlen(b), NULL, 0, &r);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"status\":\"stored\"");
    HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":8");
    hk_free(b);
}

/* A POST whose body trickles in holds the one in-flight slot. */
typedef struct slow {
    atomic_int started; /* the headers are sent: the body is being asked for */
    atomic_int release; /* the main thread has its answer: send the rest */
    int sent;
    resp_t r;
} slow_t;

static size_t slow_read(char *buf, size_t size, size_t n, void *user)
{
    slow_t *s = user;

    (void)size;
    (void)n;
    if(s->sent >= 2)
        return 0;
    /* the first byte goes at once (libcurl may send it with the headers:
     * the TLS handshake is done by now); the second waits, holding the slot */
    if(s->sent == 0) {
        atomic_store(&s->started, 1);
    } else {
        int i;
        for(i = 0; i < 400 && !atomic_load(&s->release); i++)
            usleep(50000); /* 20 s at most */
    }
    buf[0] = ' ';
    s->sent++;
    return 1;
}

static void *slow_upload(void *arg)
{
    slow_t *s = arg;
    struct curl_slist *hdrs = NULL;
    char url[256], auth[200];
    CURL *c = curl_easy_init();

    snprintf(url, sizeof(url), "https://127.0.0.1:%u/v1/heartbeat", port);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", TOKEN2);
    hdrs = curl_slist_append(hdrs, auth);
    hdrs = curl_slist_append(hdrs, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca_path);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 2L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, slow_read);
    curl_easy_setopt(c, CURLOPT_READDATA, s);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hc_test_on_text);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->r.b);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    s->r.rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s->r.status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    return NULL;
}

static void test_central_overload_429_with_retry_after(void)
{
    creds_t t = { NULL, NULL, token1 };
    unsigned keep = port;
    int i, code = 0;
    pid_t busy;
    slow_t s;
    pthread_t th;
    resp_t r;

    busy = spare = start_server("busy.json", &code); /* max_inflight 1, same database */
    HK_ASSERT_MSG(busy > 0, "exited with %d", code);
    memset(&s, 0, sizeof(s));
    atomic_init(&s.started, 0);
    atomic_init(&s.release, 0);
    HK_ASSERT_INT(0, pthread_create(&th, NULL, slow_upload, &s));
    for(i = 0; i < 2000 && !atomic_load(&s.started); i++)
        usleep(10000);
    usleep(300000); /* its headers are in and seen: it holds the one slot */
    fetch("/v1/config", &t, NULL, 0, NULL, 0, &r);
    atomic_store(&s.release, 1);
    pthread_join(th, NULL);
    HK_ASSERT_INT(429, r.status);
    HK_ASSERT(has_header(&r, "Retry-After: 7"));
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"too_many_requests\"");
    HK_ASSERT_INT(400, s.r.status); /* "  " is no heartbeat, but it was served */
    /* the slot is free again (once the server has seen the request end) */
    for(i = 0; i < 50; i++) {
        fetch("/v1/config", &t, NULL, 0, NULL, 0, &r);
        if(r.status != 429)
            break;
        usleep(20000);
    }
    HK_ASSERT_INT(200, r.status);
    spare = -1;
    stop_server(busy);
    port = keep;
}

static void test_central_tls_1_1_and_plain_http_refused(void)
{
    creds_t t = { NULL, NULL, token1 };
    resp_t r;

    fetch("/healthz", &t, NULL, 0, NULL, CURL_SSLVERSION_MAX_TLSv1_1, &r);
    HK_ASSERT(r.rc != CURLE_OK);
    HK_ASSERT_INT(0, r.status);
    fetch("/healthz", NULL, NULL, 0, NULL, CURL_SSLVERSION_MAX_TLSv1_2, &r);
    HK_ASSERT_INT(CURLE_OK, r.rc);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"store\":\"sqlite\"");
    /* plain HTTP on the TLS port: no HTTP answer */
    {
        char url[128];
        CURL *c = curl_easy_init();
        long status = 0;
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/healthz", port);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hc_test_on_text);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.b);
        memset(&r, 0, sizeof(r));
        (void)curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(c);
        HK_ASSERT(status != 200);
    }
}

static void test_central_disabled_device_401(void)
{
    /* kiosk-3 has no token: only a certificate could name it; make one */
    creds_t k3 = { "kiosk-3.pem", "kiosk-3.key", NULL };
    hk_pki_pair_t pair;
    resp_t r;

    HK_ASSERT_INT(0,
                  hk_pki_issue(dir, "kiosk-3", DEVICE_TMPL("kiosk-3"), "ca.crt", "ca.key", &pair));
    fetch("/v1/config", &k3, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(401, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "disabled");
}

static void test_central_two_instances_share_one_database(void)
{
    creds_t k2 = { NULL, NULL, TOKEN2 };
    unsigned first = port, second;
    int code = 0;
    pid_t other;
    char *b;
    resp_t r;

    other = spare = start_server("test.json", &code); /* the same config, the same database */
    HK_ASSERT_MSG(other > 0, "second instance exited with %d", code);
    second = port;
    HK_ASSERT(second != first);
    /* kiosk-2 holds 1..2; 3..4 to the first, 3..6 (a retry racing it) to the second */
    port = first;
    b = batch("kiosk-2", 3, 4, "k2");
    fetch("/v1/events", &k2, b, strlen(b), NULL, 0, &r);
    hk_free(b);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":4");
    port = second;
    b = batch("kiosk-2", 3, 6, "k2");
    fetch("/v1/events", &k2, b, strlen(b), NULL, 0, &r);
    hk_free(b);
    HK_ASSERT_INT(200, r.status);
    HK_ASSERT_CONTAINS(r.b.text, "\"acked_seq\":6");
    HK_ASSERT_CONTAINS(r.b.text, "{\"seq\":4,\"uuid\":\"20000000-0000-4000-8000-000000000004\","
                                 "\"status\":\"duplicate\"}");
    HK_ASSERT_CONTAINS(r.b.text, "{\"seq\":5,\"uuid\":\"20000000-0000-4000-8000-000000000005\","
                                 "\"status\":\"stored\"}");
    /* a conflict seen by the second is a conflict for the first too */
    port = first;
    b = batch("kiosk-2", 6, 6, "other");
    fetch("/v1/events", &k2, b, strlen(b), NULL, 0, &r);
    hk_free(b);
    HK_ASSERT_INT(409, r.status);
    port = first;
    spare = -1;
    stop_server(other);
}

static void test_central_database_down_503_with_retry_after(void)
{
    creds_t t = { NULL, NULL, token1 };
    unsigned keep = port;
    int code = 0;
    pid_t pid;
    char cfg[1024];
    resp_t r;

    HK_ASSERT_INT(0, sh("mkdir -p gone"));
    snprintf(cfg, sizeof(cfg),
             "{\"tls_cert\":\"server.crt\",\"tls_key\":\"server.key\",\"client_ca\":\"ca.crt\","
             "\"store\":\"sqlite:gone/central.db\",\"retry_after_s\":9,"
             "\"branches\":[{\"id\":\"%s\"}],"
             "\"devices\":[{\"id\":\"kiosk-1\",\"branch\":\"%s\"}]}",
             BRANCH, BRANCH);
    write_file("down.json", cfg);
    pid = spare = start_server("down.json", &code);
    HK_ASSERT_MSG(pid > 0, "exited with %d", code);
    /* the database goes away under the running server (its workers open
     * their connections on first use) */
    HK_ASSERT_INT(0, sh("rm -rf gone"));
    fetch("/v1/config", &t, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(503, r.status);
    HK_ASSERT(has_header(&r, "Retry-After: 9"));
    HK_ASSERT_CONTAINS(r.b.text, "\"code\":\"unavailable\"");
    fetch("/healthz", NULL, NULL, 0, NULL, 0, &r);
    HK_ASSERT_INT(503, r.status);
    spare = -1;
    stop_server(pid);
    port = keep;
}

static void test_central_bad_config_is_refused_with_its_field_path(void)
{
    int code = 0;
    pid_t pid;

    write_file("bad.json", "{\"tls_cert\":\"server.crt\",\"tls_key\":\"server.key\","
                           "\"client_ca\":\"ca.crt\",\"store\":\"sqlite:bad.db\","
                           "\"branches\":[{\"id\":\"b001\"}],"
                           "\"devices\":[{\"id\":\"kiosk-1\",\"branch\":\"b009\"}]}");
    pid = start_server("bad.json", &code);
    HK_ASSERT_INT(-1, pid);
    HK_ASSERT_INT(1, code);
    HK_ASSERT(hk_test_file_has(in_dir("bad.json.err"), "devices[0].branch: no branch \"b009\""));
    write_file("bad2.json", "{\"tls_cert\":\"server.crt\",\"tls_key\":\"server.key\","
                            "\"client_ca\":\"ca.crt\",\"store\":\"mysql://x\"}");
    pid = start_server("bad2.json", &code);
    HK_ASSERT_INT(-1, pid);
    HK_ASSERT(hk_test_file_has(in_dir("bad2.json.err"), "store: expected sqlite:PATH"));
}

static void test_central_stops_cleanly_on_sigterm(void)
{
    pid_t pid = server;

    server = -1;
    stop_server(pid); /* exit status 0 (and no sanitizer report) */
    HK_ASSERT(hk_test_file_has(in_dir("test.json.err"), "stopping (signal 15)"));
}

int main(void)
{
    int rc;

    if(sodium_init() < 0)
        return 1;
    snprintf(bin, sizeof(bin), "%s/server/hall-central", HK_BINARY_DIR);
    if(system("command -v certtool >/dev/null 2>&1") != 0) {
        printf("# skipped: certtool (gnutls-bin) not installed\n");
        return 77;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    HK_RUN(test_central_init_dev_and_start);
    if(server <= 0) {
        curl_global_cleanup();
        return hk_test_end();
    }
    HK_RUN(test_central_token_auth_uploads_and_acks_once);
    HK_RUN(test_central_stores_engineer_pin_failed); /* engineer mode (issue 9.5) */
    HK_RUN(test_central_client_cert_auth_and_config_etag);
    HK_RUN(test_central_refuses_unknown_and_missing_credentials);
    HK_RUN(test_central_refuses_another_devices_batch_403);
    HK_RUN(test_central_body_cap_413_and_bad_batch_400);
    HK_RUN(test_central_chunked_upload_over_the_cap_413);
    HK_RUN(test_central_uuid_conflict_409_stores_nothing);
    HK_RUN(test_central_overload_429_with_retry_after);
    HK_RUN(test_central_tls_1_1_and_plain_http_refused);
    HK_RUN(test_central_disabled_device_401);
    HK_RUN(test_central_two_instances_share_one_database);
    HK_RUN(test_central_database_down_503_with_retry_after);
    HK_RUN(test_central_bad_config_is_refused_with_its_field_path);
    HK_RUN(test_central_stops_cleanly_on_sigterm);
    rc = hk_test_end();
    curl_global_cleanup();
    if(rc == 0) {
        char cmd[700];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void)system(cmd);
    } else {
        fprintf(stderr, "# kept %s\n", dir);
    }
    return rc;
}
