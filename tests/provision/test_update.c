/*
 * Update announcements end to end (PROVISION, issue 9.4): hall-central's
 * config names the current bundle for a compatible string; the device's
 * real sync worker sends its heartbeat (version, compatible) and records the
 * announcement; `hallctl update` downloads the bundle over TLS from a file
 * server the test runs (libmicrohttpd + GnuTLS, the init-dev CA), checks
 * its SHA-256 and hands it to RAUC.
 *
 * RAUC is a stand-in here (HK_RAUC points at a script that records its
 * arguments): RAUC cannot install into A/B slots on a development machine.
 * IMAGE's tests run the real rauc's signature, compatible and version
 * refusals. What is real: hall-central, the sync worker, the TLS download,
 * the hash check, the process hand-off and the state that keeps one
 * announcement from being installed twice.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hc_test.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "sync.h"

#define DEVICE     "kiosk-1"
#define COMPATIBLE "hallkiosk-test"
#define NEW        "9.9.9.1"
#define BUNDLE_LEN (300 * 1024)

static char dir[600], hc_bin[1100], ctl_bin[1100], dd[700], sha_hex[65];
static unsigned char *bundle_bytes;
static struct MHD_Daemon *files;
static unsigned files_port, hc_port;
static pid_t server = -1;
static config_t cfg;

void setUp(void)
{
}
void tearDown(void)
{
}

static enum MHD_Result on_file(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **req_cls)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    bool ok = !strcmp(url, "/bundle.raucb");

    (void)cls;
    (void)method;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)req_cls;
    r = MHD_create_response_from_buffer(ok ? BUNDLE_LEN : 0, ok ? bundle_bytes : (void *)"",
                                        MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(c, ok ? 200 : 404, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- cases ----------------------------------------------------------------------- */

static void test_update_fixture(void)
{
    char cmd[2400], out[256], *conf, *end, *key, *crt, *withup;
    unsigned char md[crypto_hash_sha256_BYTES];
    struct sockaddr_in sa;
    const union MHD_DaemonInfo *info;
    size_t n;
    int ex = -1;

    snprintf(cmd, sizeof(cmd), "%s init-dev %s 2>&1", hc_bin, dir);
    HK_ASSERT_INT(0, hc_test_run(cmd, out, sizeof(out)));
    bundle_bytes = malloc(BUNDLE_LEN);
    HK_ASSERT(bundle_bytes);
    randombytes_buf(bundle_bytes, BUNDLE_LEN);
    crypto_hash_sha256(md, bundle_bytes, BUNDLE_LEN);
    sodium_bin2hex(sha_hex, sizeof(sha_hex), md, sizeof(md));
    /* the file server: https, the init-dev server certificate */
    key = hc_test_slurp(hc_test_path(dir, "server.key"));
    crt = hc_test_slurp(hc_test_path(dir, "server.crt"));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    files = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, on_file,
                             NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                             MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, crt,
                             MHD_OPTION_END);
    HK_ASSERT(files);
    info = MHD_get_daemon_info(files, MHD_DAEMON_INFO_BIND_PORT);
    files_port = info->port;
    /* hall-central names the bundle for COMPATIBLE */
    conf = hc_test_slurp(hc_test_path(dir, "hall-central.json"));
    end = strrchr(conf, '}');
    HK_ASSERT(end);
    *end = '\0';
    n = strlen(conf) + 600;
    withup = malloc(n);
    snprintf(withup, n,
             "%s, \"updates\": [{\"compatible\": \"" COMPATIBLE "\", \"version\": \"" NEW "\", "
             "\"url\": \"https://localhost:%u/bundle.raucb\", \"sha256\": \"%s\"}]}\n",
             conf, files_port, sha_hex);
    hc_test_write_file(dir, "hall-central.json", withup);
    free(withup);
    free(conf);
    server = hc_test_start(hc_bin, dir, "hall-central.json", &hc_port, &ex);
    HK_ASSERT_MSG(server > 0, "hall-central exited %d", ex);
    /* the stand-in RAUC: records its arguments */
    snprintf(cmd, sizeof(cmd), "#!/bin/sh\necho \"$@\" >> %s/rauc.log\n[ -f \"$2\" ] || exit 9\n",
             dir);
    hc_test_write_file(dir, "rauc", cmd);
    HK_ASSERT_INT(0, chmod(hc_test_path(dir, "rauc"), 0755));
    snprintf(dd, sizeof(dd), "%s/kiosk-data", dir);
    free(key);
    free(crt);
}

static void test_heartbeat_announces_to_older_devices_only(void)
{
    char token[80], auth[128], url[128];
    hc_test_text_t b, h;
    const char *older =
        "{\"device\":\"" DEVICE "\",\"branch\":\"sh-xuhui-01\",\"version\":\"0.9.0\","
        "\"uptime_s\":1,\"backlog\":0,\"printer\":\"none\",\"disk_free_mb\":-1,"
        "\"last_error\":\"\",\"compatible\":\"" COMPATIBLE "\"}";
    const char *same = "{\"device\":\"" DEVICE "\",\"branch\":\"sh-xuhui-01\",\"version\":\"" NEW
                       "\",\"uptime_s\":1,\"backlog\":0,\"printer\":\"none\",\"disk_free_mb\":-1,"
                       "\"last_error\":\"\",\"compatible\":\"" COMPATIBLE "\"}";
    const char *bodies[2] = { older, same };
    struct curl_slist *hd;
    FILE *f = fopen(hc_test_path(dir, DEVICE ".token"), "r");
    int i;

    HK_ASSERT(f && fgets(token, sizeof(token), f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/v1/heartbeat", hc_port);
    for(i = 0; i < 2; i++) {
        CURL *c;
        long st = 0;
        memset(&b, 0, sizeof(b));
        memset(&h, 0, sizeof(h));
        c = hc_test_easy(url, dir, NULL, NULL, 10000, hc_test_on_text, &b, &h);
        hd = curl_slist_append(NULL, auth);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, bodies[i]);
        HK_ASSERT_INT(CURLE_OK, curl_easy_perform(c));
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
        curl_easy_cleanup(c);
        curl_slist_free_all(hd);
        HK_ASSERT_INT(200, st);
        if(i == 0) {
            HK_ASSERT_CONTAINS(b.text, "\"update\":{\"version\":\"" NEW "\"");
            HK_ASSERT_CONTAINS(b.text, sha_hex);
        } else {
            HK_ASSERT(!strstr(b.text, "update"));
        }
    }
}

static void test_sync_records_the_announcement(void)
{
    char json[4096], token[80];
    sync_opts_t o;
    sync_t *s = NULL;
    sync_status_t st;
    hk_diag_t diag;
    FILE *f = fopen(hc_test_path(dir, DEVICE ".token"), "r");
    int i;

    HK_ASSERT(f && fgets(token, sizeof(token), f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(json, sizeof(json),
             "{\"branch\":{\"id\":\"sh-xuhui-01\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
             "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\","
             "\"name_en\":\"G\"}],\"counters\":[{\"id\":\"c1\",\"number\":1,"
             "\"services\":[\"general\"]}],\"device\":{\"id\":\"" DEVICE "\"},"
             "\"central\":{\"url\":\"https://localhost:%u\",\"ca_file\":\"%s\",\"token\":\"%s\"}}",
             hc_port, hc_test_path(dir, "ca.crt"), token);
    HK_ASSERT_MSG(config_parse(json, strlen(json), &cfg, &diag) == HK_OK, "%s", diag.msg);
    mkdir(dd, 0700);
    setenv("HK_RAUC_COMPATIBLE", COMPATIBLE, 1);
    memset(&o, 0, sizeof(o));
    o.cfg = &cfg;
    o.data_dir = dd;
    o.version = "0.9.0";
    o.backoff_base_ms = 50;
    o.backoff_cap_ms = 400;
    o.config_poll_ms = 60000;
    o.heartbeat_ms = 100;
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(sync_start(&o, &s, &diag) == HK_OK, "%s", diag.msg);
    for(i = 0; i < 200; i++) {
        sync_status_get(s, &st);
        if(st.update_version[0])
            break;
        usleep(50000);
    }
    sync_stop(s);
    HK_ASSERT_STR(NEW, st.update_version);
    HK_ASSERT_STR(sha_hex, st.update_sha256);
    /* persisted for hallctl update */
    HK_ASSERT(hk_test_file_has(hc_test_path(dd, "sync-status.json"), sha_hex));
}

static void test_hallctl_update_downloads_checks_and_installs_once(void)
{
    char cmd[3000], out[1024], *log;

    setenv("HK_RAUC", hc_test_path(dir, "rauc"), 1);
    snprintf(cmd, sizeof(cmd), "%s update --config %s/kiosk.json --data-dir %s 2>&1", ctl_bin, dir,
             dd);
    HK_ASSERT_MSG(hc_test_run(cmd, out, sizeof(out)) == 0, "%s", out);
    HK_ASSERT_CONTAINS(out, "update " NEW " installed");
    log = hc_test_slurp(hc_test_path(dir, "rauc.log"));
    HK_ASSERT_CONTAINS(log, "install ");
    HK_ASSERT_CONTAINS(log, "hallkiosk-" NEW ".raucb");
    free(log);
    HK_ASSERT(hk_test_file_has(hc_test_path(dd, "update-state.json"), sha_hex));
    /* the downloaded bundle does not stay on the data partition */
    HK_ASSERT(access(hc_test_path(dd, "update/hallkiosk-" NEW ".raucb"), F_OK) != 0);
    /* the same announcement again: not installed twice */
    HK_ASSERT_MSG(hc_test_run(cmd, out, sizeof(out)) == 0, "%s", out);
    HK_ASSERT_CONTAINS(out, "installed already");
    log = hc_test_slurp(hc_test_path(dir, "rauc.log"));
    HK_ASSERT(strstr(strstr(log, "install ") + 1, "install ") == NULL); /* one install */
    free(log);
}

static void test_hallctl_update_refuses_a_bad_hash_and_a_rauc_refusal(void)
{
    char cmd[3000], out[1024], *status, *p;

    /* head office announced another hash than the file has */
    unlink(hc_test_path(dd, "update-state.json"));
    status = hc_test_slurp(hc_test_path(dd, "sync-status.json"));
    p = strstr(status, sha_hex);
    HK_ASSERT(p);
    memset(p, 'a', 8);
    hc_test_write_file(dd, "sync-status.json", status);
    free(status);
    snprintf(cmd, sizeof(cmd), "%s update --config %s/kiosk.json --data-dir %s 2>&1", ctl_bin, dir,
             dd);
    HK_ASSERT_INT(1, hc_test_run(cmd, out, sizeof(out)));
    HK_ASSERT_CONTAINS(out, "sha256 mismatch");
    HK_ASSERT(access(hc_test_path(dd, "update-state.json"), F_OK) != 0);
    /* the right hash, but RAUC refuses (a bad signature, say) */
    status = hc_test_slurp(hc_test_path(dd, "sync-status.json"));
    p = strstr(status, "aaaaaaaa");
    HK_ASSERT(p);
    memcpy(p, sha_hex, 8);
    hc_test_write_file(dd, "sync-status.json", status);
    free(status);
    setenv("HK_RAUC", "false", 1);
    HK_ASSERT_INT(1, hc_test_run(cmd, out, sizeof(out)));
    HK_ASSERT_CONTAINS(out, "exited 1");
    HK_ASSERT(access(hc_test_path(dd, "update-state.json"), F_OK) != 0);
}

static void test_update_stop(void)
{
    hc_test_stop(server);
    server = -1;
    MHD_stop_daemon(files);
    free(bundle_bytes);
}

int main(void)
{
    const char *base = getenv("HK_TEST_TMP");

    if(sodium_init() < 0)
        return 1;
    if(system("command -v certtool >/dev/null 2>&1") != 0) {
        printf("# skipped: certtool (gnutls-bin) not installed\n");
        return 77;
    }
    snprintf(hc_bin, sizeof(hc_bin), "%s/server/hall-central", HK_BINARY_DIR);
    snprintf(ctl_bin, sizeof(ctl_bin), "%s/tools/hallctl/hallctl", HK_BINARY_DIR);
    snprintf(dir, sizeof(dir), "%s/update.XXXXXX", base && *base ? base : "/tmp");
    if(!mkdtemp(dir))
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    HK_RUN(test_update_fixture);
    if(server > 0) {
        HK_RUN(test_heartbeat_announces_to_older_devices_only);
        HK_RUN(test_sync_records_the_announcement);
        HK_RUN(test_hallctl_update_downloads_checks_and_installs_once);
        HK_RUN(test_hallctl_update_refuses_a_bad_hash_and_a_rauc_refusal);
        HK_RUN(test_update_stop);
    }
    curl_global_cleanup();
    return hk_test_end();
}
