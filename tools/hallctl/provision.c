/*
 * provision: `hallctl provision`, an engineer giving a flashed device its
 * identity (PROVISION, issue 9.4; docs/operations.md "Provisioning").
 *
 *   1. the arguments are checked whole (nothing is written on a usage error);
 *   2. with --enrol-code: the device's key is made here, on the device
 *      (ECDSA P-256, GnuTLS), with a certificate request (CN = the device
 *      id), sent to hall-central's POST /v1/enrol over TLS verified against
 *      the operator CA given with --ca (central_client: no switch to turn
 *      verification off); the answer's certificate must be for this device
 *      and key, and its branch the one given (the registry's word wins);
 *      with --token: no enrolment, the token is the credential;
 *   3. the identity is staged whole in DIR/pki.new (ca.pem, device.key
 *      0600, device.crt), fsync'd, then swapped with DIR/pki in one
 *      renameat2(RENAME_EXCHANGE) and DIR/provision.json replaced by an
 *      atomic rename: a re-provisioning that fails before the swap leaves
 *      the old identity whole, and after it only the new one (the old pki
 *      and its key are removed);
 *   4. checks: a heartbeat to hall-central with the new credential, and
 *      GET /api/v1/branch from the hub when --hub is given;
 *   5. a one-page report (printed, and saved as DIR/provision-report.txt).
 * The engineer PIN is hashed (Argon2id, as `hash-pin`) before anything is
 * written; the plain PIN is wiped from memory after.
 */
#define _GNU_SOURCE /* renameat2 */
#include "cmd_provision.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "central_client.h"
#include "central_proto.h"
#include "config.h"
#include "enrol_proto.h"
#include "hk_buf.h"
#include "hk_file.h"
#include "hk_json.h"
#include "hk_mem.h"
#include "lan_client.h"
#include "paths.h"
#include "provision.h"
#include "updater.h"

#define EXIT_OK          0
#define EXIT_FAIL        1
#define EXIT_USAGE       2
#define EXIT_REFUSED     3
#define EXIT_UNREACHABLE 4
#define PATH_CAP         (CONFIG_PATH_LEN + 64)
#define REPORT_FILE      "provision-report.txt"
#define CA_MAX           (64 * 1024)

typedef struct args {
    const char *data_dir, *device, *role, *branch, *central, *ca, *hub, *hub_ca, *hub_token;
    const char *code, *token, *pin_file, *printer, *counter;
    int printer_width;
} args_t;

/* What the run found, for the report. */
#define DIR_CAP 200 /* the data dir: its pki paths fit the config's CONFIG_PATH_LEN */

typedef struct outcome {
    char dir[DIR_CAP];
    char fingerprint[100]; /* "SHA256:ab:cd:…" or "" */
    int64_t not_after_ms;
    char registry_branch[CONFIG_ID_LEN];
    bool pin_set;
    bool central_ok, hub_checked, hub_ok;
    char central_why[200], hub_why[200];
} outcome_t;

static int usage_err(const char *why);
static int read_pin(const args_t *a, char *hash, bool *set);
static int make_key_csr(const char *device, char **key_pem, char **csr_pem);
static int enrol(const args_t *a, const char *csr, enrol_reply_t *rep);
static int stage_and_commit(const args_t *a, const char *ca_pem, const char *key_pem,
                            const char *crt_pem, const char *pin_hash, outcome_t *o);
static void check_central(const args_t *a, const char *dir, bool by_cert, outcome_t *o);
static void check_hub(const args_t *a, outcome_t *o);
static void report(const args_t *a, const outcome_t *o);
static int cert_info(const char *pem, char *fp, size_t cap, int64_t *not_after_ms);
static bool id_ok(const char *s);

/* ---- entry ------------------------------------------------------------------- */

int hallctl_pin_hash(const char *pin, size_t len, char out[HALLCTL_PIN_HASH_LEN])
{
    if(sodium_init() < 0)
        return -1;
    /* OWASP's Argon2id minimum: t=2, m=19 MiB, p=1 */
    return crypto_pwhash_str(out, pin, len, 2, 19u * 1024u * 1024u) == 0 ? 0 : -1;
}

int hallctl_provision(int argc, char **argv)
{
    args_t a;
    outcome_t o;
    enrol_reply_t *rep = NULL;
    char pin_hash[HALLCTL_PIN_HASH_LEN] = "";
    char *key_pem = NULL, *csr_pem = NULL, *ca_pem = NULL;
    size_t ca_len = 0;
    hk_diag_t diag;
    int i, ex;

    memset(&a, 0, sizeof(a));
    memset(&o, 0, sizeof(o));
    a.printer_width = 576;
    for(i = 0; i < argc; i++) {
        const char **dst = NULL;
        const char *opt = argv[i];
        if(!strcmp(opt, "--data-dir"))
            dst = &a.data_dir;
        else if(!strcmp(opt, "--device"))
            dst = &a.device;
        else if(!strcmp(opt, "--role"))
            dst = &a.role;
        else if(!strcmp(opt, "--branch"))
            dst = &a.branch;
        else if(!strcmp(opt, "--central"))
            dst = &a.central;
        else if(!strcmp(opt, "--ca"))
            dst = &a.ca;
        else if(!strcmp(opt, "--hub"))
            dst = &a.hub;
        else if(!strcmp(opt, "--hub-ca"))
            dst = &a.hub_ca;
        else if(!strcmp(opt, "--hub-token"))
            dst = &a.hub_token;
        else if(!strcmp(opt, "--enrol-code"))
            dst = &a.code;
        else if(!strcmp(opt, "--token"))
            dst = &a.token;
        else if(!strcmp(opt, "--engineer-pin-file"))
            dst = &a.pin_file;
        else if(!strcmp(opt, "--printer"))
            dst = &a.printer;
        else if(!strcmp(opt, "--counter"))
            dst = &a.counter;
        else if(!strcmp(opt, "--printer-width") && i + 1 < argc) {
            a.printer_width = atoi(argv[++i]);
            continue;
        } else
            return usage_err("provision: unknown option");
        if(i + 1 >= argc)
            return usage_err("provision: an option needs a value");
        *dst = argv[++i];
    }
    if(!a.data_dir || !a.device || !a.role || !a.branch || !a.central || !a.ca)
        return usage_err("provision needs --data-dir, --device, --role, --branch, --central "
                         "and --ca");
    if(!id_ok(a.device) || !id_ok(a.branch))
        return usage_err("provision: --device and --branch are ids of [a-z0-9_-]");
    if(strcmp(a.role, "kiosk") && strcmp(a.role, "counter") && strcmp(a.role, "display") &&
       strcmp(a.role, "hub"))
        return usage_err("provision: --role kiosk, counter, display or hub");
    if(!strcmp(a.role, "counter") != !!a.counter)
        return usage_err("provision: --counter ID is for (and needed by) --role counter");
    if(!a.code == !a.token)
        return usage_err("provision: one of --enrol-code CODE or --token TOKEN");
    if(strncmp(a.central, "https://", 8) != 0)
        return usage_err("provision: --central must be an https:// URL");
    if(a.hub && strncmp(a.hub, "https://", 8) && strncmp(a.hub, "http://", 7))
        return usage_err("provision: --hub must be an http(s):// URL");
    if(a.printer_width != 576 && a.printer_width != 384)
        return usage_err("provision: --printer-width 576 or 384");
    if(a.code) {
        char canon[ENROL_CODE_LEN];
        if(enrol_proto_code_normalise(a.code, canon) != HK_OK)
            return usage_err("provision: --enrol-code: 16 characters such as K7QD-3MZP-X2RA-9FHT");
    }
    if(a.token && (strlen(a.token) < 16 || strlen(a.token) >= CONFIG_TOKEN_LEN))
        return usage_err("provision: --token: 16..79 characters");
    hk_json_init();
    {
        char real[PATH_MAX];
        if(paths_mkdir_p(a.data_dir) != HK_OK || !realpath(a.data_dir, real)) {
            fprintf(stderr, "hallctl: provision: cannot create %s: %s\n", a.data_dir,
                    strerror(errno));
            return EXIT_FAIL;
        }
        if(strlen(real) >= sizeof(o.dir)) {
            fprintf(stderr, "hallctl: provision: %s: a path of at most %d bytes\n", real,
                    DIR_CAP - 1);
            return EXIT_USAGE;
        }
        memcpy(o.dir, real, strlen(real) + 1);
    }
    hk_diag_clear(&diag);
    if(paths_read_file(a.ca, CA_MAX, "--ca", &ca_pem, &ca_len, &diag) != HK_OK) {
        fprintf(stderr, "hallctl: provision: %s\n", diag.msg);
        return EXIT_USAGE;
    }
    ex = read_pin(&a, pin_hash, &o.pin_set);
    if(ex != EXIT_OK)
        goto out;
    rep = hk_calloc(1, sizeof(*rep));
    if(!rep) {
        ex = EXIT_FAIL;
        goto out;
    }
    if(a.code) {
        ex = make_key_csr(a.device, &key_pem, &csr_pem);
        if(ex == EXIT_OK)
            ex = enrol(&a, csr_pem, rep);
        if(ex != EXIT_OK)
            goto out;
        snprintf(o.registry_branch, sizeof(o.registry_branch), "%s", rep->branch);
        if(cert_info(rep->certificate, o.fingerprint, sizeof(o.fingerprint), &o.not_after_ms) !=
           0) {
            fprintf(stderr, "hallctl: provision: hall-central's certificate does not read\n");
            ex = EXIT_FAIL;
            goto out;
        }
    }
    ex = stage_and_commit(&a, ca_pem, key_pem, a.code ? rep->certificate : NULL, pin_hash, &o);
    if(ex != EXIT_OK)
        goto out;
    check_central(&a, o.dir, a.code != NULL, &o);
    check_hub(&a, &o);
    report(&a, &o);
    ex = o.central_ok && (!o.hub_checked || o.hub_ok) ? EXIT_OK : EXIT_FAIL;
out:
    if(key_pem) {
        sodium_memzero(key_pem, strlen(key_pem));
        gnutls_free(key_pem);
    }
    gnutls_free(csr_pem);
    hk_free(ca_pem);
    hk_free(rep);
    return ex;
}

/* ---- steps ------------------------------------------------------------------------- */

static int usage_err(const char *why)
{
    fprintf(stderr, "hallctl: %s (hallctl --help lists the commands)\n", why);
    return EXIT_USAGE;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < CONFIG_ID_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* The engineer PIN: from --engineer-pin-file (its first line), else asked
 * twice at a terminal; none (engineer mode off) when neither. */
static int read_pin(const args_t *a, char *hash, bool *set)
{
    char pin[128], again[128];
    struct termios tio, quiet;
    bool restore = false, ok = true;
    size_t n;
    FILE *f;

    *set = false;
    pin[0] = again[0] = '\0';
    if(a->pin_file) {
        f = fopen(a->pin_file, "r");
        if(!f || !fgets(pin, sizeof(pin), f)) {
            fprintf(stderr, "hallctl: provision: --engineer-pin-file %s: cannot read a line\n",
                    a->pin_file);
            if(f)
                fclose(f);
            return EXIT_USAGE;
        }
        fclose(f);
    } else if(isatty(0) && tcgetattr(0, &tio) == 0) {
        quiet = tio;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(0, TCSAFLUSH, &quiet) == 0;
        fputs("engineer PIN (4..64 characters; empty: no engineer mode): ", stderr);
        ok = fgets(pin, sizeof(pin), stdin) != NULL;
        pin[strcspn(pin, "\r\n")] = '\0';
        if(ok && pin[0]) {
            fputs("\nthe same again: ", stderr);
            ok = fgets(again, sizeof(again), stdin) != NULL;
            again[strcspn(again, "\r\n")] = '\0';
            ok = ok && !strcmp(pin, again);
        }
        if(restore)
            (void)tcsetattr(0, TCSAFLUSH, &tio);
        fputc('\n', stderr);
        sodium_memzero(again, sizeof(again));
        if(!ok) {
            sodium_memzero(pin, sizeof(pin));
            fprintf(stderr, "hallctl: provision: the two PINs differ\n");
            return EXIT_USAGE;
        }
    } else {
        return EXIT_OK; /* no terminal, no file: no engineer PIN */
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    n = strlen(pin);
    if(n == 0) {
        return EXIT_OK;
    }
    if(n < 4 || n > 64) {
        sodium_memzero(pin, sizeof(pin));
        fprintf(stderr, "hallctl: provision: an engineer PIN has 4 to 64 characters\n");
        return EXIT_USAGE;
    }
    if(hallctl_pin_hash(pin, n, hash) != 0) {
        sodium_memzero(pin, sizeof(pin));
        fprintf(stderr, "hallctl: provision: out of memory hashing the PIN\n");
        return EXIT_FAIL;
    }
    sodium_memzero(pin, sizeof(pin));
    *set = true;
    return EXIT_OK;
}

/* The device's key (ECDSA P-256) and a request for CN = device, both PEM
 * (gnutls_free them). */
static int make_key_csr(const char *device, char **key_pem, char **csr_pem)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crq_t crq = NULL;
    gnutls_datum_t k = { NULL, 0 }, r = { NULL, 0 };
    int grc;

    *key_pem = *csr_pem = NULL;
    grc = gnutls_x509_privkey_init(&key);
    if(grc >= 0)
        grc = gnutls_x509_privkey_generate2(
            key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0);
    if(grc >= 0)
        grc = gnutls_x509_crq_init(&crq);
    if(grc >= 0)
        grc = gnutls_x509_crq_set_version(crq, 1);
    if(grc >= 0)
        grc = gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, device,
                                            (unsigned)strlen(device));
    if(grc >= 0)
        grc = gnutls_x509_crq_set_key(crq, key);
    if(grc >= 0)
        grc = gnutls_x509_crq_sign2(crq, key, GNUTLS_DIG_SHA256, 0);
    if(grc >= 0)
        grc = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, &r);
    if(grc >= 0)
        grc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                &k);
    if(crq)
        gnutls_x509_crq_deinit(crq);
    if(key)
        gnutls_x509_privkey_deinit(key);
    if(grc < 0) {
        fprintf(stderr, "hallctl: provision: cannot make the device key: %s\n",
                gnutls_strerror(grc));
        gnutls_free(k.data);
        gnutls_free(r.data);
        return EXIT_FAIL;
    }
    /* GnuTLS's exports are NUL-terminated PEM */
    *key_pem = (char *)k.data;
    *csr_pem = (char *)r.data;
    return EXIT_OK;
}

/* POST /v1/enrol; the answer must be for this device and branch. */
static int enrol(const args_t *a, const char *csr, enrol_reply_t *rep)
{
    static config_t cfg; /* large: not on the stack */
    central_client_opts_t co;
    central_client_t *c = NULL;
    central_resp_t r;
    enrol_req_t *req;
    char *body = NULL;
    size_t len = 0;
    hk_diag_t diag;
    hk_err_t rc;
    int ex = EXIT_FAIL;

    req = hk_calloc(1, sizeof(*req));
    if(!req)
        return EXIT_FAIL;
    snprintf(req->device, sizeof(req->device), "%s", a->device);
    snprintf(req->code, sizeof(req->code), "%s", a->code);
    snprintf(req->csr, sizeof(req->csr), "%s", csr);
    rc = enrol_proto_req_encode(req, &body, &len);
    sodium_memzero(req->code, sizeof(req->code));
    hk_free(req);
    if(rc != HK_OK) {
        fprintf(stderr, "hallctl: provision: cannot encode the enrolment (%s)\n", hk_err_str(rc));
        return EXIT_FAIL;
    }
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.central.url, sizeof(cfg.central.url), "%s", a->central);
    snprintf(cfg.central.ca_file, sizeof(cfg.central.ca_file), "%s", a->ca);
    memset(&co, 0, sizeof(co));
    co.cfg = &cfg;
    co.total_ms = 30000;
    rc = central_client_create(&co, &c);
    if(rc == HK_OK)
        rc = central_client_request(c, "POST", "/v1/enrol", body, len, NULL, ENROL_REPLY_MAX, &r);
    sodium_memzero(body, len);
    hk_free(body);
    if(rc != HK_OK) {
        fprintf(stderr, "hallctl: provision: hall-central %s: %s%s%s\n",
                rc == HK_ERR_TLS ? "is not trusted (its certificate failed verification against "
                                   "--ca)"
                                 : "unreachable",
                hk_err_str(rc), c && central_client_last_error(c)[0] ? ": " : "",
                c ? central_client_last_error(c) : "");
        central_client_destroy(c);
        return rc == HK_ERR_TLS || rc == HK_ERR_NET ? EXIT_UNREACHABLE : EXIT_FAIL;
    }
    central_client_destroy(c);
    if(r.status != 200) {
        central_error_t err;
        hk_diag_clear(&diag);
        if(central_error_decode(r.body ? r.body : "", r.len, &err, &diag) == HK_OK)
            fprintf(stderr, "hallctl: provision: refused by hall-central (%d %s): %s\n", r.status,
                    err.code, err.message);
        else
            fprintf(stderr, "hallctl: provision: refused by hall-central (HTTP %d)\n", r.status);
        central_resp_free(&r);
        return EXIT_REFUSED;
    }
    hk_diag_clear(&diag);
    rc = enrol_proto_reply_decode(r.body, r.len, rep, &diag);
    central_resp_free(&r);
    if(rc != HK_OK) {
        fprintf(stderr, "hallctl: provision: hall-central's answer does not read: %s\n", diag.msg);
    } else if(strcmp(rep->device, a->device) != 0) {
        fprintf(stderr, "hallctl: provision: hall-central answered for %s, not %s\n", rep->device,
                a->device);
    } else if(strcmp(rep->branch, a->branch) != 0) {
        fprintf(stderr,
                "hallctl: provision: head office's registry puts %s in branch %s, not %s: check "
                "the branch (nothing written; ask head office for a new code)\n",
                a->device, rep->branch, a->branch);
        ex = EXIT_REFUSED;
    } else {
        ex = EXIT_OK;
    }
    return ex;
}

/* A file of dir, whole, with mode, fsync'd. */
static int write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[PATH_CAP + 32];
    size_t len = strlen(text), off = 0;
    ssize_t w;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if(fd < 0)
        return -1;
    while(off < len) {
        w = write(fd, text + off, len - off);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if(fchmod(fd, mode) != 0 || fsync(fd) != 0) {
        close(fd);
        return -1;
    }
    return close(fd);
}

/* rm -r of a directory of plain files (the pki directories). */
static void remove_dir(const char *dir)
{
    char path[PATH_CAP + 300];
    struct dirent *e;
    DIR *d = opendir(dir);

    if(!d)
        return;
    while((e = readdir(d)) != NULL) {
        if(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        (void)unlink(path); /* best effort: what stays is reported by the next run */
    }
    closedir(d);
    (void)rmdir(dir);
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if(fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* The overlay (provision.h): only the allowed keys. */
static char *overlay_text(const args_t *a, const char *pki, bool by_cert, const char *pin_hash)
{
    cJSON *o = cJSON_CreateObject(), *dev, *cen, *hub, *eng, *pr;
    char path[PATH_CAP + 32];
    char *text = NULL;
    bool ok = o != NULL;

    ok = ok && cJSON_AddStringToObject(o, "_comment",
                                       "written by hallctl provision: replaced whole by the next "
                                       "provisioning; do not edit");
    ok = ok && cJSON_AddStringToObject(o, "role", a->role);
    dev = ok ? cJSON_AddObjectToObject(o, "device") : NULL;
    ok = dev && cJSON_AddStringToObject(dev, "id", a->device);
    if(ok && a->hub_token)
        ok = cJSON_AddStringToObject(dev, "token", a->hub_token) != NULL;
    if(ok && a->counter)
        ok = cJSON_AddStringToObject(dev, "counter", a->counter) != NULL;
    if(ok && a->hub) {
        hub = cJSON_AddObjectToObject(o, "hub");
        ok = hub && cJSON_AddStringToObject(hub, "url", a->hub) &&
             cJSON_AddBoolToObject(hub, "hosted", false);
        if(ok && a->hub_ca)
            ok = cJSON_AddStringToObject(hub, "ca_file", a->hub_ca) != NULL;
    }
    cen = ok ? cJSON_AddObjectToObject(o, "central") : NULL;
    ok = cen && cJSON_AddStringToObject(cen, "url", a->central);
    snprintf(path, sizeof(path), "%s/ca.pem", pki);
    ok = ok && cJSON_AddStringToObject(cen, "ca_file", path);
    if(ok && by_cert) {
        snprintf(path, sizeof(path), "%s/device.crt", pki);
        ok = cJSON_AddStringToObject(cen, "client_cert", path) != NULL;
        snprintf(path, sizeof(path), "%s/device.key", pki);
        ok = ok && cJSON_AddStringToObject(cen, "client_key", path);
    } else if(ok) {
        ok = cJSON_AddStringToObject(cen, "token", a->token) != NULL;
    }
    if(ok && a->printer) {
        const char *colon = strchr(a->printer, ':');
        char kind[16];
        pr = cJSON_AddObjectToObject(o, "printer");
        snprintf(kind, sizeof(kind), "%.*s", colon ? (int)(colon - a->printer) : 15, a->printer);
        ok = pr && cJSON_AddStringToObject(pr, "kind", kind) &&
             cJSON_AddNumberToObject(pr, "width_dots", a->printer_width);
        if(ok && colon)
            ok = cJSON_AddStringToObject(pr, "target", colon + 1) != NULL;
    }
    if(ok && pin_hash[0]) { /* ENGINEER's config object */
        eng = cJSON_AddObjectToObject(o, "engineer");
        ok = eng && cJSON_AddStringToObject(eng, "pin_hash", pin_hash);
    }
    if(ok)
        text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

static int stage_and_commit(const args_t *a, const char *ca_pem, const char *key_pem,
                            const char *crt_pem, const char *pin_hash, outcome_t *o)
{
    char pki[PATH_CAP], staged[PATH_CAP + 8], path[PATH_CAP + 32];
    char *json = NULL;
    hk_diag_t diag;
    struct stat st;
    bool had_old;
    int ex = EXIT_FAIL;

    snprintf(pki, sizeof(pki), "%s/pki", o->dir);
    snprintf(staged, sizeof(staged), "%s/pki.new", o->dir);
    remove_dir(staged); /* a run that died before its swap */
    if(mkdir(staged, 0700) != 0) {
        fprintf(stderr, "hallctl: provision: %s: %s\n", staged, strerror(errno));
        return EXIT_FAIL;
    }
    if(write_file(staged, "ca.pem", ca_pem, 0644) != 0 ||
       (key_pem && write_file(staged, "device.key", key_pem, 0600) != 0) ||
       (crt_pem && write_file(staged, "device.crt", crt_pem, 0644) != 0)) {
        fprintf(stderr, "hallctl: provision: cannot write in %s: %s\n", staged, strerror(errno));
        goto fail;
    }
    fsync_dir(staged);
    /* the overlay names the final paths; checked before anything moves */
    json = overlay_text(a, pki, crt_pem != NULL, pin_hash);
    if(!json) {
        fprintf(stderr, "hallctl: provision: out of memory\n");
        goto fail;
    }
    hk_diag_clear(&diag);
    if(provision_check(json, strlen(json), &diag) != HK_OK) {
        fprintf(stderr, "hallctl: provision: the overlay does not check: %s\n", diag.msg);
        goto fail;
    }
    had_old = stat(pki, &st) == 0;
    if(had_old ? renameat2(AT_FDCWD, staged, AT_FDCWD, pki, RENAME_EXCHANGE) != 0
               : rename(staged, pki) != 0) {
        fprintf(stderr, "hallctl: provision: cannot put %s in place: %s\n", pki, strerror(errno));
        goto fail;
    }
    fsync_dir(o->dir);
    snprintf(path, sizeof(path), "%s/" PROVISION_FILE, o->dir);
    if(hk_file_write_atomic(o->dir, path, json, strlen(json)) != HK_OK) {
        fprintf(stderr, "hallctl: provision: cannot write %s: %s\n", path, strerror(errno));
        goto fail;
    }
    /* the old identity (in pki.new after the exchange) goes, key and all */
    remove_dir(staged);
    ex = EXIT_OK;
    hk_free(json);
    return ex;
fail:
    remove_dir(staged);
    hk_free(json);
    return ex;
}

/* A heartbeat with the new credential, as the device's sync will send. */
static void check_central(const args_t *a, const char *dir, bool by_cert, outcome_t *o)
{
    static config_t cfg;
    central_client_opts_t co;
    central_client_t *c = NULL;
    central_heartbeat_t hb;
    central_resp_t r;
    char *body = NULL;
    size_t len = 0;
    int64_t server_ms = 0;
    hk_diag_t diag;
    hk_err_t rc;

    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.central.url, sizeof(cfg.central.url), "%s", a->central);
    snprintf(cfg.central.ca_file, sizeof(cfg.central.ca_file), "%s/pki/ca.pem", dir);
    if(by_cert) {
        snprintf(cfg.central.client_cert, sizeof(cfg.central.client_cert), "%s/pki/device.crt",
                 dir);
        snprintf(cfg.central.client_key, sizeof(cfg.central.client_key), "%s/pki/device.key", dir);
    } else {
        snprintf(cfg.central.token, sizeof(cfg.central.token), "%s", a->token);
    }
    memset(&hb, 0, sizeof(hb));
    snprintf(hb.device, sizeof(hb.device), "%s", a->device);
    snprintf(hb.branch, sizeof(hb.branch), "%s", a->branch);
    snprintf(hb.version, sizeof(hb.version), "provision");
    snprintf(hb.printer, sizeof(hb.printer), "%s", a->printer ? "unknown" : "none");
    hb.disk_free_mb = -1;
    memset(&co, 0, sizeof(co));
    co.cfg = &cfg;
    co.total_ms = 15000;
    rc = central_heartbeat_encode(&hb, &body, &len);
    if(rc == HK_OK)
        rc = central_client_create(&co, &c);
    if(rc == HK_OK)
        rc = central_client_request(c, "POST", "/v1/heartbeat", body, len, NULL, 4096, &r);
    hk_free(body);
    if(rc != HK_OK) {
        snprintf(o->central_why, sizeof(o->central_why), "%s%s%s", hk_err_str(rc),
                 c && central_client_last_error(c)[0] ? ": " : "",
                 c ? central_client_last_error(c) : "");
    } else {
        hk_diag_clear(&diag);
        if(r.status != 200)
            snprintf(o->central_why, sizeof(o->central_why), "HTTP %d: %.150s", r.status,
                     r.body ? r.body : "");
        else if(central_heartbeat_reply_decode(r.body, r.len, &server_ms, &diag) != HK_OK)
            snprintf(o->central_why, sizeof(o->central_why), "not a heartbeat answer: %.150s",
                     diag.msg);
        else
            o->central_ok = true;
        central_resp_free(&r);
    }
    central_client_destroy(c);
}

/* The hub's branch document with the device token (when given). */
static void check_hub(const args_t *a, outcome_t *o)
{
    lan_client_opts_t lo;
    lan_client_t *c = NULL;
    lan_resp_t r;
    hk_err_t rc;

    if(!a->hub)
        return;
    o->hub_checked = true;
    memset(&lo, 0, sizeof(lo));
    lo.base_url = a->hub;
    lo.ca_file = a->hub_ca;
    rc = lan_client_create(&lo, &c);
    if(rc == HK_OK)
        rc = lan_client_request(c, "GET", "/api/v1/branch", a->hub_token, NULL, &r);
    if(rc != HK_OK) {
        snprintf(o->hub_why, sizeof(o->hub_why), "%s", hk_err_str(rc));
    } else {
        if(r.status == 200)
            o->hub_ok = true;
        else
            snprintf(o->hub_why, sizeof(o->hub_why), "HTTP %d %s: %.120s", r.status, r.code,
                     r.message);
        lan_resp_free(&r);
    }
    lan_client_destroy(c);
}

/* SHA-256 fingerprint ("AB:CD:…") and expiry of a PEM certificate. */
static int cert_info(const char *pem, char *fp, size_t cap, int64_t *not_after_ms)
{
    gnutls_x509_crt_t crt;
    gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem) };
    unsigned char md[32];
    size_t n = sizeof(md), i, k = 0;
    int grc;

    if(gnutls_x509_crt_init(&crt) < 0)
        return -1;
    grc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
    if(grc >= 0)
        grc = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md, &n);
    if(grc >= 0)
        *not_after_ms = (int64_t)gnutls_x509_crt_get_expiration_time(crt) * 1000;
    gnutls_x509_crt_deinit(crt);
    if(grc < 0)
        return -1;
    for(i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(fp + k, cap - k, "%s%02X", i ? ":" : "", md[i]);
    return 0;
}

static void utc(int64_t ms, char *dst, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if(!gmtime_r(&t, &tm) || !strftime(dst, cap, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(dst, cap, "?");
}

/* The device's addresses (not loopback), one line. */
static void addresses(hk_buf_t *b)
{
    struct ifaddrs *ifs = NULL, *i;
    char ip[INET6_ADDRSTRLEN];
    bool any = false;

    if(getifaddrs(&ifs) == 0) {
        for(i = ifs; i; i = i->ifa_next) {
            const void *sa_addr;
            struct sockaddr_storage ss;
            if(!i->ifa_addr || !strcmp(i->ifa_name, "lo"))
                continue;
            memcpy(&ss, i->ifa_addr,
                   i->ifa_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in));
            if(ss.ss_family == AF_INET)
                sa_addr = &((struct sockaddr_in *)(void *)&ss)->sin_addr;
            else if(ss.ss_family == AF_INET6)
                sa_addr = &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr;
            else
                continue;
            if(!inet_ntop(ss.ss_family, sa_addr, ip, sizeof(ip)))
                continue;
            hk_buf_printf(b, "%s%s %s", any ? ", " : "", i->ifa_name, ip);
            any = true;
        }
        freeifaddrs(ifs);
    }
    if(!any)
        hk_buf_puts(b, "(none)");
}

static void report(const args_t *a, const outcome_t *o)
{
    hk_buf_t b = { 0 };
    char when[40], path[PATH_CAP + 32], host[64] = "?";
    struct timespec ts;
    char *text = NULL;
    size_t len = 0;

    clock_gettime(CLOCK_REALTIME, &ts);
    utc((int64_t)ts.tv_sec * 1000, when, sizeof(when));
    (void)gethostname(host, sizeof(host) - 1);
    hk_buf_puts(&b, "================ HallKiosk provisioning report ================\n");
    hk_buf_printf(&b, "date           %s\n", when);
    hk_buf_printf(&b, "device         %s\n", a->device);
    hk_buf_printf(&b, "role           %s%s%s\n", a->role, a->counter ? ", counter " : "",
                  a->counter ? a->counter : "");
    hk_buf_printf(&b, "branch         %s%s\n", a->branch,
                  o->registry_branch[0] ? " (head office's registry agrees)" : "");
    hk_buf_printf(&b, "host           %s\n", host);
    hk_buf_puts(&b, "addresses      ");
    addresses(&b);
    hk_buf_puts(&b, "\n");
    hk_buf_printf(&b, "head office    %s\n", a->central);
    hk_buf_printf(&b, "hub            %s\n", a->hub ? a->hub : "hosted on this device");
    if(a->code) {
        char exp[40];
        utc(o->not_after_ms, exp, sizeof(exp));
        hk_buf_printf(&b, "credential     client certificate, CN %s\n", a->device);
        hk_buf_printf(&b, "  fingerprint  SHA256 %s\n", o->fingerprint);
        hk_buf_printf(&b, "  expires      %s\n", exp);
    } else {
        hk_buf_puts(&b, "credential     bearer token (provisioned by head office)\n");
    }
    hk_buf_printf(&b, "engineer PIN   %s\n",
                  o->pin_set ? "set (stored as an Argon2id hash)"
                             : "not set: engineer mode is off");
    hk_buf_printf(&b, "printer        %s\n", a->printer ? a->printer : "as in the config file");
    hk_buf_puts(&b, "---------------------------------------------------------------\n");
    hk_buf_printf(&b, "check head office  %s%s%s\n", o->central_ok ? "OK" : "FAILED",
                  o->central_ok ? "" : ": ", o->central_ok ? "" : o->central_why);
    if(o->hub_checked)
        hk_buf_printf(&b, "check hub          %s%s%s\n", o->hub_ok ? "OK" : "FAILED",
                      o->hub_ok ? "" : ": ", o->hub_ok ? "" : o->hub_why);
    else
        hk_buf_puts(&b, "check hub          (this device hosts the hub)\n");
    hk_buf_printf(&b, "files          %s/" PROVISION_FILE ", %s/pki/\n", o->dir, o->dir);
    hk_buf_puts(&b, "===============================================================\n");
    if(hk_buf_finish(&b, &text, &len) != HK_OK)
        return;
    fputs(text, stdout);
    snprintf(path, sizeof(path), "%s/" REPORT_FILE, o->dir);
    if(hk_file_write_atomic(o->dir, path, text, len) != HK_OK)
        fprintf(stderr, "hallctl: provision: cannot save %s\n", path);
    hk_free(text);
}

/* ---- hallctl update (PROVISION: the announced bundle to RAUC) ---------------------------- */

int hallctl_update(int argc, char **argv)
{
    static config_t cfg;
    const char *config = NULL, *data_dir = NULL;
    char dir[CONFIG_PATH_LEN * 2], version[32];
    updater_outcome_t what = UPDATER_NOTHING;
    hk_diag_t diag;
    int i;

    for(i = 0; i < argc; i++) {
        if(!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if(!strcmp(argv[i], "--data-dir") && i + 1 < argc)
            data_dir = argv[++i];
        else
            return usage_err("update --config FILE --data-dir DIR");
    }
    if(!config || !data_dir)
        return usage_err("update --config FILE --data-dir DIR");
    hk_json_init();
    hk_diag_clear(&diag);
    /* the device's config as hallkiosk reads it: with its provision.json */
    if(provision_config_load(config, NULL, 0, data_dir, &cfg, dir, sizeof(dir), NULL, &diag) !=
       HK_OK) {
        fprintf(stderr, "hallctl: update: %s\n", diag.msg);
        return EXIT_FAIL;
    }
    if(updater_run(&cfg, dir, &what, version, &diag) != HK_OK) {
        fprintf(stderr, "hallctl: update %s: %s\n", version, diag.msg);
        return EXIT_FAIL;
    }
    if(what == UPDATER_NOTHING)
        printf("no update announced by head office\n");
    else if(what == UPDATER_ALREADY)
        printf("update %s installed already: it runs after the next reboot\n", version);
    else
        printf("update %s installed: it runs after the next reboot\n", version);
    return EXIT_OK;
}
