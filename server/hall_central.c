/*
 * hall-central: the reference central server's main. It wires modules and
 * holds no logic of its own beyond the command line:
 *
 *   hall-central --config FILE [--listen HOST:PORT]
 *       load the config (central_config), seed its devices and branch
 *       config documents into the store, serve HTTPS (central_http) until
 *       SIGTERM or SIGINT.
 *   hall-central enrol-code --config FILE --device ID [--ttl SECONDS]
 *       a one-time enrolment code for a device of the config's registry
 *       (PROVISION, central_enrol.h): printed once, only its hash stored.
 *   hall-central init-dev DIR
 *       a development setup in DIR: a CA, a server certificate for
 *       localhost and 127.0.0.1, a device certificate (CN kiosk-1) and
 *       key, a device token, a hall-central config and a branch config
 *       document (from the embedded sample branch config), and a whole
 *       kiosk config (kiosk.json: that sample with its "central" section
 *       pointing here); then prints the two commands that start the
 *       server and a kiosk syncing with it.
 *       Certificates are made by Debian's certtool (gnutls-bin) from
 *       templates written into DIR, run without a shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "central_config.h"
#include "central_enrol.h"
#include "central_http.h"
#include "central_pages.h"
#include "central_store.h"
#include "ticket_url.h"
#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "watchdog.h"

#ifndef HK_VERSION
#define HK_VERSION "0.0.0"
#endif
#define LOG_MOD        "central"
#define DEV_DEVICE     "kiosk-1"
#define DEV_LISTEN     "127.0.0.1:8443"
#define DEV_USER       "hq"
#define DEV_STATUS_URL "https://localhost:8443/t/{branch}/{day}/{number}?s={sig}"

extern const unsigned char hk_sample_config[];
extern const size_t hk_sample_config_len;

static int serve(const char *config_path, const char *listen);
static int init_dev(const char *dir);
static int enrol_code(int argc, char **argv);

static void usage(FILE *f)
{
    fprintf(f, "usage: hall-central --config FILE [--listen HOST:PORT]\n"
               "       hall-central enrol-code --config FILE --device ID [--ttl SECONDS]\n"
               "       hall-central init-dev DIR\n"
               "       hall-central --version\n");
}

int main(int argc, char **argv)
{
    const char *config = NULL, *listen = NULL;
    int i;

    if(sodium_init() < 0) {
        fprintf(stderr, "hall-central: libsodium cannot start\n");
        return 1;
    }
    hk_json_init();
    if(argc == 3 && !strcmp(argv[1], "init-dev"))
        return init_dev(argv[2]);
    if(argc >= 2 && !strcmp(argv[1], "enrol-code"))
        return enrol_code(argc - 2, argv + 2);
    for(i = 1; i < argc; i++) {
        if(!strcmp(argv[i], "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if(!strcmp(argv[i], "--listen") && i + 1 < argc) {
            listen = argv[++i];
        } else if(!strcmp(argv[i], "--version")) {
            printf("hall-central %s\n", HK_VERSION);
            return 0;
        } else if(!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "hall-central: unknown argument \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if(!config) {
        usage(stderr);
        return 2;
    }
    return serve(config, listen);
}

/* ---- serve ------------------------------------------------------------------------ */

/* A connection is a descriptor: 1024 open devices need more than the usual
 * soft limit of 1024. Raise it to the hard limit (best effort). */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl); /* the old limit still serves fewer devices */
    }
}

static int serve(const char *config_path, const char *listen)
{
    central_config_t cfg;
    central_http_opts_t o;
    central_http_t *http = NULL;
    central_store_t *store = NULL;
    central_token_t *tokens = NULL;
    central_pages_t *pages = NULL;
    alerts_t *alerts = NULL;
    central_enrol_t *enrol = NULL;
    sigset_t set;
    hk_diag_t diag;
    char host[64];
    uint16_t port;
    hk_err_t rc;
    int n_tokens = 0, sig = 0, code = 1, i;

    hk_diag_clear(&diag);
    rc = central_config_load(config_path, &cfg, &diag);
    if(rc != HK_OK) {
        fprintf(stderr, "hall-central: %s: %s\n", config_path, diag.msg);
        return 1;
    }
    if(listen) {
        rc = central_http_parse_listen(listen, host, &port, &diag);
        if(rc != HK_OK) {
            fprintf(stderr, "hall-central: --%s\n", diag.msg);
            central_config_fini(&cfg);
            return 2;
        }
        snprintf(cfg.listen, sizeof(cfg.listen), "%s", listen);
    }
    /* open once here: creates or migrates the schema before any worker
     * opens its own, and seeds the registry and the branch documents */
    rc = central_store_open(cfg.store, &store, &diag);
    if(rc == HK_OK)
        rc = central_config_seed(&cfg, store, &diag);
    if(rc != HK_OK) {
        fprintf(stderr, "hall-central: store: %s\n", diag.msg);
        goto out;
    }
    rc = central_config_tokens(&cfg, &tokens, &n_tokens);
    if(rc == HK_OK)
        rc = central_pages_new(&cfg, &pages);
    if(rc == HK_OK) {
        rc = alerts_start(cfg.alert_webhook_url, cfg.alert_ca_file, &alerts);
        if(rc != HK_OK)
            fprintf(stderr, "hall-central: alerts: cannot start the webhook worker (%s)\n",
                    hk_err_str(rc));
    }
    if(rc == HK_OK && cfg.enrol_ca_cert[0]) {
        rc = central_enrol_create(cfg.enrol_ca_cert, cfg.enrol_ca_key, cfg.enrol_validity_days,
                                  &enrol, &diag);
        if(rc != HK_OK)
            fprintf(stderr, "hall-central: %s: %s\n", config_path, diag.msg);
    }
    if(rc != HK_OK)
        goto out;
    /* the workers inherit this mask: only the main thread takes the signals */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    memset(&o, 0, sizeof(o));
    o.listen = cfg.listen;
    o.store_url = cfg.store;
    o.tls_cert = cfg.tls_cert;
    o.tls_key = cfg.tls_key;
    o.client_ca = cfg.client_ca;
    o.tokens = tokens;
    o.n_tokens = n_tokens;
    o.retry_after_s = cfg.retry_after_s;
    o.retry_after_max_s = cfg.retry_after_max_s;
    o.max_inflight = cfg.max_inflight;
    o.threads = cfg.threads;
    o.pages = pages;
    o.alerts = alerts;
    o.alert_limits = cfg.alert_limits;
    o.content = &cfg; /* GET /v1/content (issue 8): the branches' self-help content */
    o.enrol = enrol;  /* PROVISION: POST /v1/enrol; NULL = not configured */
    /* case deadlines count working days in the branches' zone (the first
     * branch document's; China 480 without one) */
    for(i = 0; i < cfg.n_branches && !o.utc_offset_min; i++)
        if(cfg.branches[i].parsed)
            o.utc_offset_min = cfg.branches[i].parsed->config.utc_offset_min;
    rc = central_http_start(&o, &http, &diag);
    if(rc != HK_OK) {
        fprintf(stderr, "hall-central: %s\n", diag.msg);
        goto out;
    }
    (void)central_http_parse_listen(cfg.listen, host, &port, NULL);
    hk_log_info(LOG_MOD,
                "hall-central %s listening on https://%s:%u (store %s, %d devices, %d "
                "branches)",
                HK_VERSION, host, central_http_port(http), central_store_kind(store), cfg.n_devices,
                cfg.n_branches);
    central_store_close(store); /* the workers open their own */
    store = NULL;
    /* hall-central.service (Type=notify) is up once it listens */
    watchdog_notify("READY=1\nSTATUS=hall-central: serving");
    while(sigwait(&set, &sig) != 0)
        ;
    hk_log_info(LOG_MOD, "stopping (signal %d)", sig);
    watchdog_notify("STOPPING=1");
    code = 0;
out:
    central_http_stop(http);
    alerts_stop(alerts); /* after the workers: none pushes any more */
    central_pages_free(pages);
    central_enrol_destroy(enrol);
    central_store_close(store);
    hk_free(tokens);
    central_config_fini(&cfg);
    return code;
}

/* ---- enrol-code (PROVISION) --------------------------------------------------------- */

static int enrol_code(int argc, char **argv)
{
    const char *config = NULL, *device = NULL;
    central_config_t cfg;
    central_store_t *store = NULL;
    char code[ENROL_CODE_LEN], until[64];
    struct timespec ts;
    hk_diag_t diag;
    time_t t;
    struct tm tm;
    int ttl = ENROL_CODE_TTL_S, i, found = -1;
    int64_t now;
    hk_err_t rc;

    for(i = 0; i < argc; i++) {
        if(!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if(!strcmp(argv[i], "--device") && i + 1 < argc)
            device = argv[++i];
        else if(!strcmp(argv[i], "--ttl") && i + 1 < argc)
            ttl = atoi(argv[++i]);
        else {
            fprintf(stderr, "hall-central: enrol-code: unknown argument \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if(!config || !device) {
        usage(stderr);
        return 2;
    }
    if(ttl < 60 || ttl > ENROL_CODE_TTL_MAX_S) {
        fprintf(stderr, "hall-central: enrol-code: --ttl: 60..%d seconds\n", ENROL_CODE_TTL_MAX_S);
        return 2;
    }
    hk_diag_clear(&diag);
    if(central_config_load(config, &cfg, &diag) != HK_OK) {
        fprintf(stderr, "hall-central: %s: %s\n", config, diag.msg);
        return 1;
    }
    for(i = 0; i < cfg.n_devices && found < 0; i++)
        if(!strcmp(cfg.devices[i].id, device))
            found = i;
    if(found < 0 || !cfg.devices[found].enabled) {
        fprintf(stderr, "hall-central: enrol-code: %s is not an enabled device of %s (devices[])\n",
                device, config);
        central_config_fini(&cfg);
        return 1;
    }
    if(!cfg.enrol_ca_cert[0])
        fprintf(stderr,
                "hall-central: warning: %s has no \"enrol\" section: the server will "
                "refuse enrolments until it has one\n",
                config);
    /* the registry as configured: the code's device must be in the store */
    rc = central_store_open(cfg.store, &store, &diag);
    if(rc == HK_OK)
        rc = central_config_seed(&cfg, store, &diag);
    clock_gettime(CLOCK_REALTIME, &ts);
    now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if(rc == HK_OK)
        rc = central_enrol_new_code(store, device, ttl, now, code);
    central_store_close(store);
    central_config_fini(&cfg);
    if(rc != HK_OK) {
        fprintf(stderr, "hall-central: enrol-code: %s\n", diag.msg[0] ? diag.msg : hk_err_str(rc));
        return 1;
    }
    t = (time_t)(now / 1000 + ttl);
    gmtime_r(&t, &tm);
    strftime(until, sizeof(until), "%Y-%m-%d %H:%M UTC", &tm);
    printf("%s\n", code);
    fprintf(stderr, "enrolment code for %s, single use, valid until %s\n", device, until);
    sodium_memzero(code, sizeof(code));
    return 0;
}

/* ---- init-dev --------------------------------------------------------------------- */

/* Run argv in dir without a shell; its output goes to dir/certtool.log. */
static int run_in(const char *dir, const char *const argv[])
{
    char log[CENTRAL_CONFIG_PATH_LEN + 16];
    pid_t pid;
    int status = 0;

    snprintf(log, sizeof(log), "%s/certtool.log", dir);
    pid = fork();
    if(pid < 0)
        return -1;
    if(pid == 0) {
        FILE *f;
        if(chdir(dir) != 0)
            _exit(126);
        f = freopen(log, "a", stdout);
        if(f)
            (void)dup2(fileno(stdout), 2);
        f = freopen("/dev/null", "r", stdin);
        (void)f;
        execvp(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    while(waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[CENTRAL_CONFIG_PATH_LEN + 64];
    FILE *f;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if(fd < 0) {
        fprintf(stderr, "hall-central: %s: %s\n", path, strerror(errno));
        return -1;
    }
    f = fdopen(fd, "w");
    if(!f) {
        close(fd);
        return -1;
    }
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

static int chmod_in(const char *dir, const char *name, mode_t mode)
{
    char path[CENTRAL_CONFIG_PATH_LEN + 64];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return chmod(path, mode);
}

/* certtool: a key, then a certificate from a template (self-signed when
 * ca is NULL, else signed by ca.crt/ca.key). */
static int make_cert(const char *dir, const char *name, const char *tmpl_text, bool self_signed)
{
    char key[64], crt[64], tmpl[64];
    const char *gen_key[] = { "certtool", "--generate-privkey", "--key-type",
                              "ecdsa",    "--outfile",          key,
                              NULL };
    const char *self[] = { "certtool",
                           "--generate-self-signed",
                           "--load-privkey",
                           key,
                           "--template",
                           tmpl,
                           "--outfile",
                           crt,
                           NULL };
    const char *signed_by_ca[] = { "certtool",
                                   "--generate-certificate",
                                   "--load-privkey",
                                   key,
                                   "--load-ca-certificate",
                                   "ca.crt",
                                   "--load-ca-privkey",
                                   "ca.key",
                                   "--template",
                                   tmpl,
                                   "--outfile",
                                   crt,
                                   NULL };

    snprintf(key, sizeof(key), "%s.key", name);
    snprintf(crt, sizeof(crt), "%s.crt", name);
    snprintf(tmpl, sizeof(tmpl), "%s.tmpl", name);
    if(write_text(dir, tmpl, tmpl_text, 0644) != 0)
        return -1;
    if(run_in(dir, gen_key) != 0 || chmod_in(dir, key, 0600) != 0 ||
       run_in(dir, self_signed ? self : signed_by_ca) != 0) {
        fprintf(stderr,
                "hall-central: certtool failed making %s (is gnutls-bin installed? see "
                "%s/certtool.log)\n",
                crt, dir);
        return -1;
    }
    return 0;
}

/* The embedded sample branch config with its ticket QR code pointing at this
 * server's status page, signed with url_key; its branch id in branch_id.
 * NULL: out of memory (the sample is known good). */
static cJSON *sample_config(char *branch_id, size_t cap, const char *url_key)
{
    const cJSON *br, *id;
    cJSON *cfg = NULL, *ticket;

    if(hk_json_parse((const char *)hk_sample_config, hk_sample_config_len, NULL, &cfg, NULL) !=
       HK_OK)
        return NULL;
    br = cJSON_GetObjectItemCaseSensitive(cfg, "branch");
    id = br ? cJSON_GetObjectItemCaseSensitive(br, "id") : NULL;
    if(!cJSON_IsString(id)) {
        cJSON_Delete(cfg);
        return NULL;
    }
    snprintf(branch_id, cap, "%s", id->valuestring);
    ticket = cJSON_GetObjectItemCaseSensitive(cfg, "ticket");
    if(!cJSON_IsObject(ticket)) {
        cJSON_DeleteItemFromObjectCaseSensitive(cfg, "ticket");
        ticket = cJSON_AddObjectToObject(cfg, "ticket");
    }
    if(!ticket) {
        cJSON_Delete(cfg);
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(ticket, "url_template");
    cJSON_DeleteItemFromObjectCaseSensitive(ticket, "url_key");
    if(!cJSON_AddStringToObject(ticket, "url_template", DEV_STATUS_URL) ||
       !cJSON_AddStringToObject(ticket, "url_key", url_key)) {
        cJSON_Delete(cfg);
        return NULL;
    }
    return cfg;
}

/* The branch config document: {"version":1,"config":<cfg>,"announcements":[]}. */
static char *sample_document(const cJSON *cfg)
{
    cJSON *doc = cJSON_CreateObject(), *copy = cJSON_Duplicate(cfg, 1);
    char *text = NULL;

    if(doc && copy && cJSON_AddNumberToObject(doc, "version", 1) &&
       cJSON_AddItemToObject(doc, "config", copy)) {
        copy = NULL;
        if(cJSON_AddArrayToObject(doc, "announcements"))
            text = cJSON_Print(doc);
    }
    cJSON_Delete(copy);
    cJSON_Delete(doc);
    return text;
}

/* The kiosk's whole config: cfg (the same branch) with its "central" section
 * pointing at this server (the development CA, kiosk-1's certificate) and
 * its data in DIR/kiosk-data, so `hallkiosk --config DIR/kiosk.json` syncs. */
static char *kiosk_config(const cJSON *cfg, const char *dir)
{
    cJSON *k = cJSON_Duplicate(cfg, 1), *central, *dev;
    char path[CENTRAL_CONFIG_PATH_LEN + 32];
    char *text = NULL;
    bool ok;

    if(!k)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(k, "central");
    cJSON_DeleteItemFromObjectCaseSensitive(k, "data_dir");
    central = cJSON_AddObjectToObject(k, "central");
    ok = central != NULL;
    ok = ok && cJSON_AddStringToObject(central, "_comment",
                                       "made by hall-central init-dev: the development server "
                                       "and kiosk-1's client certificate (or \"token\": the "
                                       "contents of kiosk-1.token instead of the certificate)");
    ok = ok && cJSON_AddStringToObject(central, "url", "https://localhost:8443");
    snprintf(path, sizeof(path), "%s/ca.crt", dir);
    ok = ok && cJSON_AddStringToObject(central, "ca_file", path);
    snprintf(path, sizeof(path), "%s/" DEV_DEVICE ".crt", dir);
    ok = ok && cJSON_AddStringToObject(central, "client_cert", path);
    snprintf(path, sizeof(path), "%s/" DEV_DEVICE ".key", dir);
    ok = ok && cJSON_AddStringToObject(central, "client_key", path);
    snprintf(path, sizeof(path), "%s/kiosk-data", dir);
    ok = ok && cJSON_AddStringToObject(k, "data_dir", path);
    /* the device the server knows: kiosk-1 (the sample's own id) */
    dev = cJSON_GetObjectItemCaseSensitive(k, "device");
    if(ok && cJSON_IsObject(dev)) {
        cJSON_DeleteItemFromObjectCaseSensitive(dev, "id");
        ok = cJSON_AddStringToObject(dev, "id", DEV_DEVICE) != NULL;
    }
    if(ok)
        text = cJSON_Print(k);
    cJSON_Delete(k);
    return text;
}

/* The hallkiosk beside this hall-central (build/server/.. or the same bin
 * directory), else "hallkiosk" from PATH. */
static void kiosk_binary(char *out, size_t cap)
{
    char self[CENTRAL_CONFIG_PATH_LEN], cand[CENTRAL_CONFIG_PATH_LEN + 32], *slash;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    snprintf(out, cap, "hallkiosk");
    if(n <= 0)
        return;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if(!slash)
        return;
    *slash = '\0';
    snprintf(cand, sizeof(cand), "%s/hallkiosk", self);
    if(access(cand, X_OK) == 0) {
        snprintf(out, cap, "%s", cand);
        return;
    }
    slash = strrchr(self, '/');
    if(slash) {
        *slash = '\0';
        snprintf(cand, sizeof(cand), "%s/hallkiosk", self[0] ? self : "/");
        if(access(cand, X_OK) == 0)
            snprintf(out, cap, "%s", cand);
    }
}

/* This program's path, for the printed command ("hall-central" if unknown). */
static void self_binary(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);

    if(n <= 0) {
        snprintf(out, cap, "hall-central");
        return;
    }
    out[n] = '\0';
}

static int init_dev(const char *dir_arg)
{
    char dir[CENTRAL_CONFIG_PATH_LEN], branch[CENTRAL_ID_LEN], text[8192], docname[64];
    unsigned char raw[32], digest[crypto_hash_sha256_BYTES];
    char token[65], token_hash[65], url_key[65], session_key[65], password[25];
    char pw_hash[crypto_pwhash_STRBYTES], self[CENTRAL_CONFIG_PATH_LEN],
        kiosk_bin[CENTRAL_CONFIG_PATH_LEN + 32];
    char *doc, *kiosk;
    cJSON *cfg;
    int rc;

    umask(022); /* keys and the token are made 0600 one by one */
    if(mkdir(dir_arg, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "hall-central: init-dev: %s: %s\n", dir_arg, strerror(errno));
        return 1;
    }
    if(!realpath(dir_arg, dir)) {
        fprintf(stderr, "hall-central: init-dev: %s: %s\n", dir_arg, strerror(errno));
        return 1;
    }
    snprintf(text, sizeof(text), "%s/ca.key", dir);
    if(access(text, F_OK) == 0) {
        fprintf(stderr,
                "hall-central: init-dev: %s already holds a setup (ca.key); not "
                "overwriting it\n",
                dir);
        return 1;
    }
    if(make_cert(dir, "ca",
                 "cn = \"HallKiosk development CA\"\n"
                 "organization = \"HallKiosk development\"\n"
                 "ca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 3650\n",
                 true) != 0)
        return 1;
    if(make_cert(dir, "server",
                 "cn = \"localhost\"\n"
                 "dns_name = \"localhost\"\nip_address = \"127.0.0.1\"\n"
                 "tls_www_server\nsigning_key\nexpiration_days = 825\n",
                 false) != 0)
        return 1;
    if(make_cert(dir, DEV_DEVICE,
                 "cn = \"" DEV_DEVICE "\"\n"
                 "tls_www_client\nsigning_key\nexpiration_days = 825\n",
                 false) != 0)
        return 1;
    /* the token: 256 random bits in hex; only its SHA-256 goes in the config */
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(token_hash, sizeof(token_hash), digest, sizeof(digest));
    snprintf(text, sizeof(text), "%s\n", token);
    if(write_text(dir, DEV_DEVICE ".token", text, 0600) != 0)
        return 1;
    /* the status page's key, the session key, and the hq user's password
     * (printed once below; only its Argon2id hash is kept) */
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(url_key, sizeof(url_key), raw, sizeof(raw));
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(session_key, sizeof(session_key), raw, sizeof(raw));
    randombytes_buf(raw, 12);
    sodium_bin2base64(password, sizeof(password), raw, 12,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if(crypto_pwhash_str(pw_hash, password, strlen(password), 2, 19u * 1024u * 1024u) != 0) {
        fprintf(stderr, "hall-central: init-dev: out of memory hashing the password\n");
        return 1;
    }
    sodium_memzero(raw, sizeof(raw));
    cfg = sample_config(branch, sizeof(branch), url_key);
    doc = cfg ? sample_document(cfg) : NULL;
    kiosk = cfg ? kiosk_config(cfg, dir) : NULL;
    cJSON_Delete(cfg);
    if(!doc || !kiosk) {
        fprintf(stderr, "hall-central: init-dev: out of memory building the configs\n");
        hk_free(doc);
        hk_free(kiosk);
        return 1;
    }
    snprintf(docname, sizeof(docname), "branch-%s.json", branch);
    rc = write_text(dir, docname, doc, 0644);
    if(rc == 0)
        rc = write_text(dir, "kiosk.json", kiosk, 0644);
    hk_free(doc);
    hk_free(kiosk);
    if(rc != 0)
        return 1;
    snprintf(text, sizeof(text),
             "{\n"
             "  \"listen\": \"" DEV_LISTEN "\",\n"
             "  \"tls_cert\": \"server.crt\", \"tls_key\": \"server.key\",\n"
             "  \"client_ca\": \"ca.crt\",\n"
             "  \"store\": \"sqlite:central.db\",\n"
             "  \"devices\": [{\"id\": \"" DEV_DEVICE "\", \"branch\": \"%s\",\n"
             "               \"token_sha256\": \"%s\"}],\n"
             "  \"branches\": [{\"id\": \"%s\", \"name_zh\": \"开发营业厅\", "
             "\"name_en\": \"Development branch\",\n"
             "                 \"city\": \"上海\", \"province\": \"上海\", "
             "\"config_file\": \"%s\"}],\n"
             "  \"retry_after_s\": 5,\n"
             "  \"max_inflight\": 64,\n"
             "  \"session_key\": \"%s\",\n"
             "  \"users\": [{\"id\": \"" DEV_USER "\", \"scope\": \"hq\",\n"
             "             \"password_hash\": \"%s\"}],\n"
             "  \"alerts\": {\"webhook_url\": \"\", \"wait_limit_s\": 1800, \"rating_max\": 2},\n"
             "  \"enrol\": {\"ca_cert\": \"ca.crt\", \"ca_key\": \"ca.key\", "
             "\"validity_days\": 825}\n"
             "}\n",
             branch, token_hash, branch, docname, session_key, pw_hash);
    if(write_text(dir, "hall-central.json", text, 0644) != 0)
        return 1;
    snprintf(text, sizeof(text),
             "{\n"
             "  \"_comment\": \"merge into the kiosk's branch config (top level)\",\n"
             "  \"central\": {\n"
             "    \"url\": \"https://localhost:8443\",\n"
             "    \"ca_file\": \"%s/ca.crt\",\n"
             "    \"client_cert\": \"%s/" DEV_DEVICE ".crt\",\n"
             "    \"client_key\": \"%s/" DEV_DEVICE ".key\"\n"
             "  }\n"
             "}\n",
             dir, dir, dir);
    if(write_text(dir, "kiosk-central.json", text, 0644) != 0)
        return 1;
    self_binary(self, sizeof(self));
    kiosk_binary(kiosk_bin, sizeof(kiosk_bin));
    printf("Development setup in %s:\n"
           "  ca.crt ca.key                 the development CA (devices and the server)\n"
           "  server.crt server.key         the server, for localhost and 127.0.0.1\n"
           "  %s.crt %s.key       the device certificate (CN %s)\n"
           "  %s.token                 the device's bearer token (instead of the certificate)\n"
           "  %s   the branch config document served at GET /v1/config\n"
           "  hall-central.json             the server's config (store sqlite:central.db)\n"
           "  kiosk.json                    a whole kiosk config: the sample branch, device %s,\n"
           "                                syncing with this server, data in kiosk-data/\n"
           "  kiosk-central.json            its \"central\" section alone, for another config\n"
           "\n"
           "Start the server (one terminal):\n"
           "  %s --config %s/hall-central.json\n"
           "\n"
           "Start a kiosk that syncs with it (another terminal):\n"
           "  %s --config %s/kiosk.json --window\n"
           "\n"
           "Reports: https://localhost:8443/reports (trust %s/ca.crt in the browser)\n"
           "  user: " DEV_USER "\n"
           "  password: %s\n"
           "  (shown this once; only its hash is in hall-central.json)\n"
           "\n"
           "Try the device API:\n"
           "  curl --cacert %s/ca.crt --cert %s/%s.crt --key %s/%s.key "
           "https://localhost:8443/v1/config\n"
           "Ticket QR codes (branch document and kiosk.json) point at\n"
           "  " DEV_STATUS_URL "\n",
           dir, DEV_DEVICE, DEV_DEVICE, DEV_DEVICE, DEV_DEVICE, docname, DEV_DEVICE, self, dir,
           kiosk_bin, dir, dir, password, dir, dir, DEV_DEVICE, dir, DEV_DEVICE);
    sodium_memzero(password, sizeof(password));
    return 0;
}
