/*
 * updater: see updater.h. One download at a time (the caller's process);
 * the bundle streams into DATA_DIR/update/bundle.part through a running
 * SHA-256 and is renamed only when the hash matches, so a half-downloaded
 * or tampered file is never handed to RAUC.
 */
#include "updater.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "hk_file.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "net_curl.h"
#include "paths.h"
#include "sync.h"

#define LOG_MOD   "update"
#define STATE_MAX 1024
#define PATH_CAP  (CONFIG_PATH_LEN * 2 + 64)

typedef struct sink {
    FILE *f;
    crypto_hash_sha256_state h;
    long long bytes;
    bool failed;
} sink_t;

static size_t on_data(char *ptr, size_t size, size_t n, void *user);
static hk_err_t download(const config_t *cfg, const char *url, const char *path, char hex_out[65],
                         hk_diag_t *diag);
static hk_err_t run_rauc(const char *bundle, hk_diag_t *diag);

void updater_compatible(char *dst, size_t cap)
{
    const char *env = getenv("HK_RAUC_COMPATIBLE");
    char line[256];
    FILE *f;

    dst[0] = '\0';
    if(env) {
        snprintf(dst, cap, "%s", env);
        return;
    }
    f = fopen("/etc/rauc/system.conf", "r");
    if(!f)
        return;
    while(fgets(line, sizeof(line), f)) {
        char *p = line;
        while(*p == ' ' || *p == '\t')
            p++;
        if(!strncmp(p, "compatible", 10)) {
            p += 10;
            while(*p == ' ' || *p == '\t' || *p == '=')
                p++;
            p[strcspn(p, " \t\r\n")] = '\0';
            snprintf(dst, cap, "%s", p);
            break;
        }
    }
    fclose(f);
}

hk_err_t updater_run(const config_t *cfg, const char *data_dir, updater_outcome_t *out,
                     char version_out[32], hk_diag_t *diag)
{
    sync_status_t st;
    char state_path[PATH_CAP], dir[PATH_CAP], part[PATH_CAP + 16], bundle[PATH_CAP + 64];
    char hex[65], *state = NULL, *text = NULL;
    size_t len = 0;
    hk_diag_t d;
    hk_err_t rc;

    *out = UPDATER_NOTHING;
    version_out[0] = '\0';
    hk_diag_clear(diag);
    hk_diag_clear(&d);
    rc = sync_status_read(data_dir, &st, &d);
    if(rc == HK_ERR_NOT_FOUND || (rc == HK_OK && !st.update_sha256[0]))
        return HK_OK; /* no sync yet, or nothing announced */
    if(rc != HK_OK) {
        hk_diag_set(diag, "sync status: %s", d.msg);
        return rc;
    }
    snprintf(version_out, 32, "%s", st.update_version);
    if(paths_resolve(data_dir, UPDATER_STATE_FILE, state_path, sizeof(state_path)) != HK_OK ||
       paths_resolve(data_dir, "update", dir, sizeof(dir)) != HK_OK) {
        hk_diag_set(diag, "data dir path too long");
        return HK_ERR_INVALID;
    }
    if(hk_file_read(state_path, STATE_MAX, &state, &len) == HK_OK) {
        bool same = strstr(state, st.update_sha256) != NULL;
        hk_free(state);
        if(same) {
            *out = UPDATER_ALREADY;
            return HK_OK;
        }
    }
    if(strncmp(st.update_url, "https://", 8) != 0) {
        hk_diag_set(diag, "update url: https only");
        return HK_ERR_INVALID;
    }
    if(paths_mkdir_p(dir) != HK_OK) {
        hk_diag_set(diag, "%s: %s", dir, strerror(errno));
        return HK_ERR_IO;
    }
    snprintf(part, sizeof(part), "%s/bundle.part", dir);
    snprintf(bundle, sizeof(bundle), "%s/hallkiosk-%s.raucb", dir, st.update_version);
    hk_log_info(LOG_MOD, "downloading update %s", st.update_version);
    rc = download(cfg, st.update_url, part, hex, diag);
    if(rc == HK_OK && sodium_memcmp(hex, st.update_sha256, 64) != 0) {
        hk_diag_set(diag, "sha256 mismatch: head office announced %.16s…, the download is %.16s…",
                    st.update_sha256, hex);
        rc = HK_ERR_CORRUPT;
    }
    if(rc == HK_OK && rename(part, bundle) != 0) {
        hk_diag_set(diag, "%s: %s", bundle, strerror(errno));
        rc = HK_ERR_IO;
    }
    (void)unlink(part); /* gone either way */
    if(rc == HK_OK)
        rc = run_rauc(bundle, diag);
    (void)unlink(bundle); /* RAUC copied it into the other slot, or refused it */
    if(rc != HK_OK) {
        hk_log_error(LOG_MOD, "update %s not installed: %s", st.update_version, diag->msg);
        return rc;
    }
    len =
        (size_t)snprintf(NULL, 0, "{\"version\":\"%s\",\"sha256\":\"%s\",\"installed_ms\":%lld}\n",
                         st.update_version, st.update_sha256, (long long)time(NULL) * 1000);
    text = hk_malloc(len + 1);
    if(!text)
        return HK_ERR_NOMEM;
    snprintf(text, len + 1, "{\"version\":\"%s\",\"sha256\":\"%s\",\"installed_ms\":%lld}\n",
             st.update_version, st.update_sha256, (long long)time(NULL) * 1000);
    rc = hk_file_write_atomic(data_dir, state_path, text, len);
    hk_free(text);
    if(rc != HK_OK)
        hk_log_warn(LOG_MOD, "cannot write %s (the install itself succeeded)", state_path);
    hk_log_info(LOG_MOD, "update %s installed by RAUC; it runs after the next reboot",
                st.update_version);
    *out = UPDATER_INSTALLED;
    return HK_OK;
}

/* ---- static ------------------------------------------------------------------------- */

static size_t on_data(char *ptr, size_t size, size_t n, void *user)
{
    sink_t *s = user;
    size_t len = size * n;

    s->bytes += (long long)len;
    if(s->bytes > UPDATER_BUNDLE_MAX || fwrite(ptr, 1, len, s->f) != len) {
        s->failed = true;
        return 0; /* curl stops: CURLE_WRITE_ERROR */
    }
    crypto_hash_sha256_update(&s->h, (const unsigned char *)ptr, len);
    return len;
}

static hk_err_t download(const config_t *cfg, const char *url, const char *path, char hex_out[65],
                         hk_diag_t *diag)
{
    const net_tls_t tls = { cfg->central.ca_file, "", cfg->central.client_cert,
                            cfg->central.client_key };
    char errbuf[CURL_ERROR_SIZE], auth[CONFIG_TOKEN_LEN + 32],
        pins[CONFIG_MAX_PINS * CONFIG_PIN_LEN + 8];
    unsigned char md[crypto_hash_sha256_BYTES];
    struct curl_slist *hdrs = NULL;
    net_tls_t t = tls;
    long status = 0;
    sink_t s;
    CURLcode cc;
    CURL *curl;
    hk_err_t rc;
    int i;

    if(!net_curl_global() || !(curl = curl_easy_init()))
        return HK_ERR_NOMEM;
    memset(&s, 0, sizeof(s));
    crypto_hash_sha256_init(&s.h);
    s.f = fopen(path, "wb");
    if(!s.f) {
        curl_easy_cleanup(curl);
        hk_diag_set(diag, "%s: %s", path, strerror(errno));
        return HK_ERR_IO;
    }
    pins[0] = '\0';
    for(i = 0; i < cfg->central.n_pins && i < CONFIG_MAX_PINS; i++) {
        size_t n = strlen(pins);
        snprintf(pins + n, sizeof(pins) - n, "%s%s", i ? ";" : "", cfg->central.pins[i]);
    }
    t.pins = pins;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    net_curl_tls(curl, &t);
    net_curl_common(curl, 10000L, errbuf, "hallkiosk-update/1", NULL);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
    if(cfg->central.token[0]) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cfg->central.token);
        hdrs = curl_slist_append(NULL, auth);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    }
    cc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(hdrs);
    sodium_memzero(auth, sizeof(auth));
    if(fflush(s.f) != 0 || fsync(fileno(s.f)) != 0)
        s.failed = true;
    if(fclose(s.f) != 0)
        s.failed = true;
    if(s.failed) {
        hk_diag_set(diag, "cannot write the bundle to %s (disk full?)", path);
        return HK_ERR_IO;
    }
    rc = net_curl_map(cc, errbuf, LOG_MOD, "bundle");
    if(rc != HK_OK) {
        hk_diag_set(diag, "download: %s%s%s", hk_err_str(rc), errbuf[0] ? ": " : "", errbuf);
        return rc;
    }
    if(status != 200) {
        hk_diag_set(diag, "download: HTTP %ld", status);
        return HK_ERR_SERVER;
    }
    crypto_hash_sha256_final(&s.h, md);
    sodium_bin2hex(hex_out, 65, md, sizeof(md));
    return HK_OK;
}

/* $HK_RAUC (or rauc) install BUNDLE, without a shell. */
static hk_err_t run_rauc(const char *bundle, hk_diag_t *diag)
{
    const char *rauc = getenv("HK_RAUC");
    int status = 0;
    pid_t pid;

    if(!rauc || !rauc[0])
        rauc = "rauc";
    pid = fork();
    if(pid < 0) {
        hk_diag_set(diag, "cannot start %s: %s", rauc, strerror(errno));
        return HK_ERR_IO;
    }
    if(pid == 0) {
        execlp(rauc, rauc, "install", bundle, (char *)NULL);
        _exit(127);
    }
    while(waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if(!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        hk_diag_set(diag, "%s install %s: exited %d (RAUC refused the bundle: see the journal)",
                    rauc, bundle, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return HK_ERR_IO;
    }
    return HK_OK;
}
