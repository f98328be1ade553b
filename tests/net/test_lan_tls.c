/*
 * The LAN API over HTTPS. A CA and a server certificate for 127.0.0.1 are
 * made at test time with certtool (Debian's gnutls-bin; skipped without
 * it). The server (in process, then a real hub process configured with
 * hub.tls_cert/tls_key) serves HTTPS on 127.0.0.1, and libcurl talks to
 * it: verifying against that CA succeeds, without it (the system's CAs)
 * verification fails, TLS 1.1 is refused, and plain HTTP gets no answer.
 * A hub off loopback without a certificate refuses to start, and one with
 * the sample's demo credentials there warns.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hk_http.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "lan_server.h"
#include "pki.h"

#define PIN_HASH                                             \
    "$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$" \
    "5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ" /* of 246810 */

static const char config_json[] =
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}],"
    "\"staff\":[{\"id\":\"s1\",\"name_zh\":\"王\",\"name_en\":\"Wang\",\"pin_hash\":\"" PIN_HASH
    "\"}],"
    "\"devices\":[{\"id\":\"display-1\",\"token\":\"display-1-token-0123456789\"}]}";

static char dir[1024], ca[1100], cert[1100], key[1100];
static bool have_certs;

typedef struct body {
    char buf[8192];
    size_t len;
} body_t;

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
    body_t *b = user;
    size_t len = size * n;

    if(b->len + len >= sizeof(b->buf))
        len = sizeof(b->buf) - 1 - b->len;
    memcpy(b->buf + b->len, p, len);
    b->len += len;
    b->buf[b->len] = '\0';
    return size * n;
}

/* One request with libcurl. cafile NULL = the system's CAs. */
static CURLcode fetch(const char *url, const char *cafile, const char *post, long tls_max,
                      long *status, body_t *b)
{
    CURL *c = curl_easy_init();
    CURLcode rc;

    HK_ASSERT(c);
    memset(b, 0, sizeof(*b));
    *status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if(cafile)
        curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
    if(tls_max)
        curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_0 | tls_max);
    if(post)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    return rc;
}

/* A CA and a certificate for 127.0.0.1 signed by it (tests/support/pki.c). */
static void make_certs(void)
{
    hk_pki_t pki;

    snprintf(dir, sizeof(dir), "%s", hk_test_tmpdir());
    HK_ASSERT_INT(0, hk_pki_make_server(&pki, dir));
    snprintf(ca, sizeof(ca), "%s", pki.ca);
    snprintf(cert, sizeof(cert), "%s", pki.server.cert);
    snprintf(key, sizeof(key), "%s", pki.server.key);
    have_certs = true;
}

void setUp(void)
{
    make_certs();
}

void tearDown(void)
{
}

/* Server options over the test config and a fresh mailbox. */
static void opts_init(lan_server_opts_t *o, config_t *cfg, mailbox_t **mb)
{
    HK_ASSERT_OK(config_parse(config_json, sizeof(config_json) - 1, cfg, NULL));
    HK_ASSERT_OK(mailbox_create(16, NULL, NULL, mb));
    memset(o, 0, sizeof(*o));
    o->cfg = cfg;
    o->mb = *mb;
}

static void test_lan_tls_verifies_against_the_branch_ca_only(void)
{
    lan_server_opts_t o;
    lan_server_t *srv = NULL;
    mailbox_t *mb = NULL;
    config_t cfg;
    char url[128];
    long status;
    body_t b;

    opts_init(&o, &cfg, &mb);
    o.listen = "127.0.0.1:0";
    o.tls_cert = cert;
    o.tls_key = key;
    HK_ASSERT_OK(lan_server_start(&o, &srv, NULL));
    HK_ASSERT(lan_server_tls(srv));

    snprintf(url, sizeof(url), "https://127.0.0.1:%u/api/v1/branch", lan_server_port(srv));
    HK_ASSERT_INT(CURLE_OK, fetch(url, ca, NULL, 0, &status, &b));
    HK_ASSERT_INT(200, status);
    HK_ASSERT_CONTAINS(b.buf, "\"id\":\"b1\"");
    /* a login crosses the LAN encrypted */
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/api/v1/sessions", lan_server_port(srv));
    HK_ASSERT_INT(CURLE_OK,
                  fetch(url, ca, "{\"staff_id\":\"s1\",\"pin\":\"246810\"}", 0, &status, &b));
    HK_ASSERT_INT(201, status);
    HK_ASSERT_CONTAINS(b.buf, "\"session\":\"");
    /* not the branch's CA: the certificate is not trusted */
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/api/v1/branch", lan_server_port(srv));
    HK_ASSERT_INT(CURLE_PEER_FAILED_VERIFICATION, fetch(url, NULL, NULL, 0, &status, &b));
    /* TLS 1.1 or older: no handshake */
    HK_ASSERT(fetch(url, ca, NULL, CURL_SSLVERSION_MAX_TLSv1_1, &status, &b) != CURLE_OK);
    /* plain HTTP on the TLS port: no HTTP answer */
    {
        hk_http_resp_t r;
        if(hk_http_request(lan_server_port(srv), "GET", "/api/v1/branch", NULL, NULL, &r) == 0) {
            HK_ASSERT(r.status != 200);
            hk_http_resp_free(&r);
        }
    }
    lan_server_destroy(srv);
    mailbox_destroy(mb);
}

static void test_lan_tls_refuses_a_missing_key_or_plain_http_off_loopback(void)
{
    lan_server_opts_t o;
    lan_server_t *srv = NULL;
    mailbox_t *mb = NULL;
    config_t cfg;
    hk_diag_t diag;

    opts_init(&o, &cfg, &mb);
    o.listen = "0.0.0.0:0";
    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_INVALID, lan_server_start(&o, &srv, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "HTTPS only");
    o.listen = "127.0.0.1:0";
    o.tls_cert = cert;
    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_INVALID, lan_server_start(&o, &srv, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "hub.tls_key");
    o.tls_key = hk_test_path("no-such.key");
    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_IO, lan_server_start(&o, &srv, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "hub.tls_key: cannot open");
    o.tls_key = hk_test_path("ca.tmpl"); /* not PEM */
    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_INVALID, lan_server_start(&o, &srv, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "not a PEM file");
    o.tls_key = ca; /* PEM, but a certificate: GnuTLS refuses it */
    hk_diag_clear(&diag);
    HK_ASSERT(lan_server_start(&o, &srv, &diag) != HK_OK);
    HK_ASSERT(srv == NULL);
    mailbox_destroy(mb);
}

/* A real hub process with cfg_extra appended to the config's top level;
 * waits until its log has want (or it exited). Returns its pid (running)
 * or -1 (exited; *code set). */
static pid_t hub_with(const char *cfg_extra, const char *listen, const char *want, int *code)
{
    char bin[1024], data[1200], cfgp[1200], err[1200];
    FILE *f;
    pid_t pid;
    int i, status = 0;

    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(data, sizeof(data), "%s/data", dir);
    snprintf(cfgp, sizeof(cfgp), "%s/branch.json", dir);
    snprintf(err, sizeof(err), "%s/hub.err", dir);
    f = fopen(cfgp, "w");
    HK_ASSERT(f);
    fprintf(f, "%.*s,%s}", (int)(sizeof(config_json) - 2), config_json, cfg_extra);
    fclose(f);
    remove(err);
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        FILE *e = freopen(err, "w", stderr);
        (void)e;
        if(listen)
            execl(bin, bin, "--role", "hub", "--config", cfgp, "--data-dir", data, "--listen",
                  listen, (char *)NULL);
        else
            execl(bin, bin, "--role", "hub", "--config", cfgp, "--data-dir", data, (char *)NULL);
        _exit(127);
    }
    for(i = 0; i < 1000 && !hk_test_file_has(err, want); i++) {
        if(waitpid(pid, &status, WNOHANG) == pid) {
            *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            HK_ASSERT_MSG(hk_test_file_has(err, want), "the hub exited without saying: %s", want);
            return -1;
        }
        usleep(10000);
    }
    HK_ASSERT_MSG(hk_test_file_has(err, want), "the hub's log never said: %s", want);
    return pid;
}

static void hub_end(pid_t pid)
{
    int status = 0;

    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    HK_ASSERT_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "hub exit status %d", status);
}

static void test_lan_tls_hub_serves_https_from_its_config(void)
{
    char extra[4096], url[128], errp[1200], log[8192];
    const char *p;
    long status;
    body_t b;
    FILE *f;
    size_t n;
    pid_t pid;
    int code = 0;

    /* the listen address from hub.listen (no --listen), with its cert */
    snprintf(extra, sizeof(extra),
             "\"hub\":{\"listen\":\"127.0.0.1:0\",\"tls_cert\":\"%s\",\"tls_key\":\"%s\"}", cert,
             key);
    pid = hub_with(extra, NULL, "LAN API on https://127.0.0.1:", &code);
    HK_ASSERT(pid > 0);
    snprintf(errp, sizeof(errp), "%s/hub.err", dir);
    f = fopen(errp, "r");
    HK_ASSERT(f);
    n = fread(log, 1, sizeof(log) - 1, f);
    log[n] = '\0';
    fclose(f);
    p = strstr(log, "LAN API on https://127.0.0.1:");
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/api/v1/branch",
             atoi(p + strlen("LAN API on https://127.0.0.1:")));
    HK_ASSERT_INT(CURLE_OK, fetch(url, ca, NULL, 0, &status, &b));
    HK_ASSERT_INT(200, status);
    HK_ASSERT(!hk_test_file_has(errp, "demo credentials")); /* loopback: no warning */
    hub_end(pid);
}

static void test_lan_tls_hub_warns_of_demo_credentials_off_loopback(void)
{
    char extra[4096];
    pid_t pid;
    int code = 0;

    /* off loopback without a certificate: refused, by name */
    pid = hub_with("\"hub\":{\"listen\":\"127.0.0.1:0\"}", "0.0.0.0:0", "HTTPS only", &code);
    if(pid > 0) { /* it said so and is exiting */
        int status = 0;
        waitpid(pid, &status, 0);
        code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    HK_ASSERT_INT(1, code);
    /* with one, and s1's PIN the demo 246810: it starts, and warns. It
     * binds 0.0.0.0 on a free port and is stopped at once; nothing is sent */
    snprintf(extra, sizeof(extra), "\"hub\":{\"tls_cert\":\"%s\",\"tls_key\":\"%s\"}", cert, key);
    pid = hub_with(extra, "0.0.0.0:0", "demo credentials on a non-loopback address", &code);
    HK_ASSERT(pid > 0);
    hub_end(pid);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if(!hk_pki_available()) {
        printf("# skip: certtool not found (apt-get install gnutls-bin)\n");
        return 77;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    HK_RUN(test_lan_tls_verifies_against_the_branch_ca_only);
    HK_RUN(test_lan_tls_refuses_a_missing_key_or_plain_http_off_loopback);
    HK_RUN(test_lan_tls_hub_serves_https_from_its_config);
    HK_RUN(test_lan_tls_hub_warns_of_demo_credentials_off_loopback);
    curl_global_cleanup();
    return hk_test_end();
}
