/*
 * central_config: see central_config.h. Parses with hk_json's caps and
 * readers, refuses unknown keys, resolves relative paths against the
 * file's directory, and reads and validates each branch's config document
 * (central_config_decode) at load, so a bad document stops the start with
 * its field path instead of reaching a kiosk. It does not open the store or
 * the network.
 */
#include "central_config.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central_proto.h"
#include "hk_json.h"
#include "hk_mem.h"
#include "paths.h"

#define CONFIG_FILE_MAX (1024 * 1024) /* hall-central's own file */
#define MAX_DEVICES     200000
#define MAX_BRANCHES    50000

static hk_err_t get_path(const cJSON *obj, const char *key, const char *pfx, const char *base,
                         bool required, char *dst, size_t cap, hk_diag_t *diag);
static hk_err_t parse_devices(const cJSON *arr, central_config_t *c, hk_diag_t *diag);
static hk_err_t parse_branches(const cJSON *arr, const char *base, central_config_t *c,
                               hk_diag_t *diag);
static bool id_chars_ok(const char *s);
static hk_err_t parse_users(const cJSON *arr, central_config_t *c, hk_diag_t *diag);
static hk_err_t parse_alerts(const cJSON *obj, const char *base, central_config_t *c,
                             hk_diag_t *diag);
static hk_err_t parse_content(const cJSON *obj, const char *path, const char *base,
                              central_content_src_t *src, hk_diag_t *diag);
static hk_err_t check_content_services(const central_config_t *c, hk_diag_t *diag);
static hk_err_t parse_enrol(const cJSON *obj, const char *base, central_config_t *c,
                            hk_diag_t *diag);
static hk_err_t parse_updates(const cJSON *arr, central_config_t *c, hk_diag_t *diag);

/* ---- load ---------------------------------------------------------------------- */

hk_err_t central_config_load(const char *path, central_config_t *out, hk_diag_t *diag)
{
    char base[CENTRAL_CONFIG_PATH_LEN];
    const char *slash = strrchr(path, '/');
    char *text = NULL;
    size_t len = 0;
    hk_err_t rc;

    hk_diag_clear(diag);
    rc = central_config_read_file(path, CONFIG_FILE_MAX, "config", &text, &len, diag);
    if(rc != HK_OK)
        return rc;
    if(slash)
        snprintf(base, sizeof(base), "%.*s", (int)(slash - path), path);
    else
        base[0] = '\0';
    if(slash == path)
        snprintf(base, sizeof(base), "/");
    rc = central_config_parse(text, len, base, out, diag);
    hk_free(text);
    return rc;
}

hk_err_t central_config_parse(const char *text, size_t len, const char *base_dir,
                              central_config_t *out, hk_diag_t *diag)
{
    static const char *const keys[] = {
        "listen",   "tls_cert",          "tls_key",      "client_ca", "store",   "devices",
        "branches", "retry_after_s",     "max_inflight", "threads",   "users",   "session_key",
        "alerts",   "retry_after_max_s", "content",      "enrol",     "updates", NULL
    };
    hk_json_limits_t lim = { CONFIG_FILE_MAX, 0 };
    central_config_t c;
    const cJSON *it;
    cJSON *root = NULL;
    char store[CENTRAL_CONFIG_PATH_LEN];
    hk_err_t rc;

    memset(&c, 0, sizeof(c));
    c.retry_after_s = CENTRAL_HTTP_DEFAULT_RETRY_S;
    c.retry_after_max_s = CENTRAL_HTTP_DEFAULT_RETRY_MAX_S;
    c.max_inflight = CENTRAL_HTTP_DEFAULT_INFLIGHT;
    rc = hk_json_parse(text, len, &lim, &root, diag);
    if(rc != HK_OK)
        return rc;
    if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "the config must be a JSON object");
        rc = HK_ERR_INVALID;
        goto out;
    }
    rc = hk_json_check_keys(root, "", keys, diag);
    if(rc != HK_OK)
        goto out;
    it = cJSON_GetObjectItemCaseSensitive(root, "listen");
    if(it)
        rc = hk_json_get_text(it, "listen", c.listen, sizeof(c.listen), diag);
    else
        snprintf(c.listen, sizeof(c.listen), "127.0.0.1:8443");
    if(rc == HK_OK) {
        char host[64];
        uint16_t port;
        rc = central_http_parse_listen(c.listen, host, &port, diag);
    }
    if(rc == HK_OK)
        rc = get_path(root, "tls_cert", "", base_dir, true, c.tls_cert, sizeof(c.tls_cert), diag);
    if(rc == HK_OK)
        rc = get_path(root, "tls_key", "", base_dir, true, c.tls_key, sizeof(c.tls_key), diag);
    if(rc == HK_OK)
        rc =
            get_path(root, "client_ca", "", base_dir, true, c.client_ca, sizeof(c.client_ca), diag);
    if(rc != HK_OK)
        goto out;
    it = cJSON_GetObjectItemCaseSensitive(root, "store");
    if(!it) {
        hk_diag_set(diag, "store: missing (sqlite:PATH or postgres://…)");
        rc = HK_ERR_INVALID;
        goto out;
    }
    rc = hk_json_get_text(it, "store", store, sizeof(store), diag);
    if(rc != HK_OK)
        goto out;
    if(!strncmp(store, "sqlite:", 7)) {
        const char *p = store + 7;
        if(!strncmp(p, "//", 2))
            p += 2;
        if(!p[0]) {
            hk_diag_set(diag, "store: sqlite: needs a file path (sqlite:central.db)");
            rc = HK_ERR_INVALID;
            goto out;
        }
        if(p[0] == '/' || !base_dir[0])
            snprintf(c.store, sizeof(c.store), "sqlite:%s", p);
        else if((size_t)snprintf(c.store, sizeof(c.store), "sqlite:%s/%s", base_dir, p) >=
                sizeof(c.store)) {
            hk_diag_set(diag, "store: the path is too long");
            rc = HK_ERR_INVALID;
            goto out;
        }
    } else if(!strncmp(store, "postgres://", 11) || !strncmp(store, "postgresql://", 13)) {
        memcpy(c.store, store, sizeof(c.store));
    } else {
        hk_diag_set(diag, "store: expected sqlite:PATH, postgres://… or postgresql://…");
        rc = HK_ERR_INVALID;
        goto out;
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "retry_after_s");
    if(it)
        rc = hk_json_get_int(it, "retry_after_s", 1, 3600, &c.retry_after_s, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "retry_after_max_s");
    if(rc == HK_OK && it)
        rc = hk_json_get_int(it, "retry_after_max_s", 1, 3600, &c.retry_after_max_s, diag);
    else if(c.retry_after_max_s < c.retry_after_s)
        c.retry_after_max_s = c.retry_after_s; /* not given: the floor is the cap */
    if(rc == HK_OK && c.retry_after_max_s < c.retry_after_s) {
        hk_diag_set(diag, "retry_after_max_s: %d is below retry_after_s (%d)", c.retry_after_max_s,
                    c.retry_after_s);
        rc = HK_ERR_INVALID;
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "max_inflight");
    if(rc == HK_OK && it)
        rc = hk_json_get_int(it, "max_inflight", 1, 100000, &c.max_inflight, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "threads");
    if(rc == HK_OK && it)
        rc = hk_json_get_int(it, "threads", 0, CENTRAL_HTTP_MAX_THREADS, &c.threads, diag);
    if(rc != HK_OK)
        goto out;
    /* branches first: devices name them */
    it = cJSON_GetObjectItemCaseSensitive(root, "branches");
    if(it)
        rc = parse_branches(it, base_dir, &c, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "devices");
    if(rc == HK_OK && it)
        rc = parse_devices(it, &c, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "users");
    if(rc == HK_OK && it)
        rc = parse_users(it, &c, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "session_key");
    if(rc == HK_OK && it) {
        rc = hk_json_get_text(it, "session_key", c.session_key, sizeof(c.session_key), diag);
        if(rc == HK_OK &&
           (strlen(c.session_key) != CENTRAL_AUTH_KEY_HEX_LEN ||
            strspn(c.session_key, "0123456789abcdefABCDEF") != CENTRAL_AUTH_KEY_HEX_LEN)) {
            hk_diag_set(diag, "session_key: must be 64 hex digits (32 random bytes)");
            rc = HK_ERR_INVALID;
        }
    }
    if(rc == HK_OK && c.n_users > 0 && !c.session_key[0]) {
        hk_diag_set(diag, "session_key: missing (users need it for their session cookies)");
        rc = HK_ERR_INVALID;
    }
    it = cJSON_GetObjectItemCaseSensitive(root, "alerts");
    if(rc == HK_OK && it)
        rc = parse_alerts(it, base_dir, &c, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "content");
    if(rc == HK_OK && it)
        rc = parse_content(it, "content", base_dir, &c.content, diag);
    if(rc == HK_OK)
        rc = check_content_services(&c, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "enrol");
    if(rc == HK_OK && it)
        rc = parse_enrol(it, base_dir, &c, diag);
    it = cJSON_GetObjectItemCaseSensitive(root, "updates");
    if(rc == HK_OK && it)
        rc = parse_updates(it, &c, diag);
out:
    cJSON_Delete(root);
    if(rc != HK_OK) {
        central_config_fini(&c);
        return rc;
    }
    *out = c;
    return HK_OK;
}

void central_config_fini(central_config_t *c)
{
    int i;

    if(!c)
        return;
    for(i = 0; i < c->n_branches; i++) {
        hk_free(c->branches[i].doc);
        hk_free(c->branches[i].parsed);
        hk_free(c->branches[i].content.doc);
    }
    HK_SAFEFREE(c->content.doc);
    HK_SAFEFREE(c->branches);
    HK_SAFEFREE(c->users);
    c->n_users = 0;
    HK_SAFEFREE(c->devices);
    c->n_branches = c->n_devices = 0;
}

/* ---- seed ------------------------------------------------------------------------ */

hk_err_t central_config_seed(const central_config_t *c, central_store_t *s, hk_diag_t *diag)
{
    char etag[CENTRAL_ETAG_LEN];
    char *old = NULL;
    hk_err_t rc;
    int i;

    for(i = 0; i < c->n_devices; i++) {
        rc = central_store_device_put(s, &c->devices[i]);
        if(rc != HK_OK) {
            hk_diag_set(diag, "devices[%d]: cannot store: %s", i, hk_err_str(rc));
            return rc;
        }
    }
    for(i = 0; i < c->n_branches; i++) {
        if(!c->branches[i].doc)
            continue;
        /* unchanged: leave it (several instances starting at once write the same) */
        rc = central_store_config_get(s, c->branches[i].id, &old, etag);
        if(rc == HK_OK && !strcmp(old, c->branches[i].doc)) {
            HK_SAFEFREE(old);
            continue;
        }
        HK_SAFEFREE(old);
        if(rc != HK_OK && rc != HK_ERR_NOT_FOUND) {
            hk_diag_set(diag, "branches[%d]: cannot read its stored config: %s", i, hk_err_str(rc));
            return rc;
        }
        rc = central_store_config_put(s, c->branches[i].id, c->branches[i].doc);
        if(rc != HK_OK) {
            hk_diag_set(diag, "branches[%d]: cannot store its config: %s", i, hk_err_str(rc));
            return rc;
        }
    }
    return HK_OK;
}

hk_err_t central_config_tokens(const central_config_t *c, central_token_t **out, int *n_out)
{
    central_token_t *t;
    int i, n = 0;

    *out = NULL;
    *n_out = 0;
    for(i = 0; i < c->n_devices; i++)
        n += c->devices[i].token_hash[0] != '\0';
    if(n == 0)
        return HK_OK;
    t = hk_calloc((size_t)n, sizeof(*t));
    if(!t)
        return HK_ERR_NOMEM;
    n = 0;
    for(i = 0; i < c->n_devices; i++) {
        if(!c->devices[i].token_hash[0])
            continue;
        memcpy(t[n].token_hash, c->devices[i].token_hash, sizeof(t[n].token_hash));
        memcpy(t[n].device, c->devices[i].id, sizeof(t[n].device));
        n++;
    }
    *out = t;
    *n_out = n;
    return HK_OK;
}

const central_branch_cfg_t *central_config_branch(const central_config_t *c, const char *id)
{
    int i;

    for(i = 0; i < c->n_branches; i++)
        if(!strcmp(c->branches[i].id, id))
            return &c->branches[i];
    return NULL;
}

const central_content_src_t *central_config_content(const central_config_t *c,
                                                    const char *branch_id)
{
    const central_branch_cfg_t *br = central_config_branch(c, branch_id);

    if(br && br->content.doc)
        return &br->content;
    return c->content.doc ? &c->content : NULL;
}

const central_update_t *central_config_update(const central_config_t *c, const char *compatible)
{
    int i;

    for(i = 0; compatible && i < c->n_updates; i++)
        if(!strcmp(c->updates[i].compatible, compatible))
            return &c->updates[i];
    return NULL;
}

const central_user_t *central_config_user(const central_config_t *c, const char *id)
{
    int i;

    for(i = 0; i < c->n_users; i++)
        if(!strcmp(c->users[i].id, id))
            return &c->users[i];
    return NULL;
}

/* ---- static ------------------------------------------------------------------------- */

static bool user_id_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 40 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* A required text member (path pfx.key). */
static hk_err_t get_req_text(const cJSON *obj, const char *pfx, const char *key, char *dst,
                             size_t cap, hk_diag_t *diag)
{
    char sub[HK_JSON_PATH_CAP];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    hk_json_path(sub, sizeof(sub), pfx, key);
    if(!it) {
        hk_diag_set(diag, "%s: missing", sub);
        return HK_ERR_INVALID;
    }
    return hk_json_get_text(it, sub, dst, cap, diag);
}

static hk_err_t parse_users(const cJSON *arr, central_config_t *c, hk_diag_t *diag)
{
    static const char *const keys[] = { "id", "password_hash", "scope", NULL };
    char path[HK_JSON_PATH_CAP], sub[HK_JSON_PATH_CAP], scope[CENTRAL_AUTH_NAME_LEN + 16];
    const cJSON *u;
    hk_err_t rc;
    int n, i = 0, j;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "users: expected an array");
        return HK_ERR_INVALID;
    }
    n = cJSON_GetArraySize(arr);
    if(n > MAX_BRANCHES) {
        hk_diag_set(diag, "users: at most %d", MAX_BRANCHES);
        return HK_ERR_INVALID;
    }
    if(n == 0)
        return HK_OK;
    c->users = hk_calloc((size_t)n, sizeof(*c->users));
    if(!c->users)
        return HK_ERR_NOMEM;
    cJSON_ArrayForEach(u, arr)
    {
        central_user_t *us = &c->users[i];
        snprintf(path, sizeof(path), "users[%d]", i);
        if(!cJSON_IsObject(u)) {
            hk_diag_set(diag, "%s: expected an object", path);
            return HK_ERR_INVALID;
        }
        rc = hk_json_check_keys(u, path, keys, diag);
        if(rc == HK_OK)
            rc = get_req_text(u, path, "id", us->id, sizeof(us->id), diag);
        if(rc != HK_OK)
            return rc;
        hk_json_path(sub, sizeof(sub), path, "id");
        if(!user_id_ok(us->id)) {
            hk_diag_set(diag, "%s: must be 1..40 of [A-Za-z0-9_-]", sub);
            return HK_ERR_INVALID;
        }
        for(j = 0; j < i; j++) {
            if(!strcmp(c->users[j].id, us->id)) {
                hk_diag_set(diag, "%s: \"%s\" is also users[%d]", sub, us->id, j);
                return HK_ERR_INVALID;
            }
        }
        rc = get_req_text(u, path, "password_hash", us->password_hash, sizeof(us->password_hash),
                          diag);
        if(rc != HK_OK)
            return rc;
        if(strncmp(us->password_hash, "$argon2id$", 10) != 0) {
            hk_json_path(sub, sizeof(sub), path, "password_hash");
            hk_diag_set(diag, "%s: expected a hash from `hallctl hash-pin` ($argon2id$...)", sub);
            return HK_ERR_INVALID;
        }
        rc = get_req_text(u, path, "scope", scope, sizeof(scope), diag);
        hk_json_path(sub, sizeof(sub), path, "scope");
        if(rc == HK_OK)
            rc = central_scope_parse(scope, sub, &us->scope, diag);
        if(rc != HK_OK)
            return rc;
        c->n_users = ++i;
    }
    return HK_OK;
}

static hk_err_t parse_alerts(const cJSON *obj, const char *base, central_config_t *c,
                             hk_diag_t *diag)
{
    static const char *const keys[] = { "webhook_url", "ca_file", "wait_limit_s", "rating_max",
                                        NULL };
    const cJSON *it;
    hk_err_t rc;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "alerts: expected an object");
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, "alerts", keys, diag);
    if(rc != HK_OK)
        return rc;
    it = cJSON_GetObjectItemCaseSensitive(obj, "webhook_url");
    if(it) {
        rc = hk_json_get_text(it, "alerts.webhook_url", c->alert_webhook_url,
                              sizeof(c->alert_webhook_url), diag);
        if(rc != HK_OK)
            return rc;
        if(c->alert_webhook_url[0] && strncmp(c->alert_webhook_url, "https://", 8) != 0 &&
           strncmp(c->alert_webhook_url, "http://", 7) != 0) {
            hk_diag_set(diag, "alerts.webhook_url: must start with https:// (or http://)");
            return HK_ERR_INVALID;
        }
    }
    rc = get_path(obj, "ca_file", "alerts", base, false, c->alert_ca_file, sizeof(c->alert_ca_file),
                  diag);
    it = cJSON_GetObjectItemCaseSensitive(obj, "wait_limit_s");
    if(rc == HK_OK && it)
        rc = hk_json_get_int(it, "alerts.wait_limit_s", 0, 86400, &c->alert_limits.wait_limit_s,
                             diag);
    it = cJSON_GetObjectItemCaseSensitive(obj, "rating_max");
    if(rc == HK_OK && it)
        rc = hk_json_get_int(it, "alerts.rating_max", 0, 5, &c->alert_limits.rating_max, diag);
    return rc;
}

/* PROVISION: "enrol": the operator CA that signs enrolled devices' certificates. */
static hk_err_t parse_enrol(const cJSON *obj, const char *base, central_config_t *c,
                            hk_diag_t *diag)
{
    static const char *const keys[] = { "ca_cert", "ca_key", "validity_days", NULL };
    const cJSON *it;
    hk_err_t rc;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "enrol: expected an object");
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, "enrol", keys, diag);
    if(rc == HK_OK)
        rc = get_path(obj, "ca_cert", "enrol", base, true, c->enrol_ca_cert,
                      sizeof(c->enrol_ca_cert), diag);
    if(rc == HK_OK)
        rc = get_path(obj, "ca_key", "enrol", base, true, c->enrol_ca_key, sizeof(c->enrol_ca_key),
                      diag);
    c->enrol_validity_days = CENTRAL_ENROL_DEFAULT_DAYS;
    it = cJSON_GetObjectItemCaseSensitive(obj, "validity_days");
    if(rc == HK_OK && it)
        rc = hk_json_get_int(it, "enrol.validity_days", 1, 3650, &c->enrol_validity_days, diag);
    return rc;
}

/* PROVISION: "updates": the current bundle per compatible string. */
static hk_err_t parse_updates(const cJSON *arr, central_config_t *c, hk_diag_t *diag)
{
    static const char *const keys[] = { "compatible", "version", "url", "sha256", NULL };
    char path[HK_JSON_PATH_CAP], sub[HK_JSON_PATH_CAP];
    const cJSON *u;
    hk_err_t rc;
    int i = 0, j;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "updates: expected an array");
        return HK_ERR_INVALID;
    }
    if(cJSON_GetArraySize(arr) > CENTRAL_MAX_UPDATES) {
        hk_diag_set(diag, "updates: at most %d", CENTRAL_MAX_UPDATES);
        return HK_ERR_INVALID;
    }
    cJSON_ArrayForEach(u, arr)
    {
        central_update_t *up = &c->updates[i];
        snprintf(path, sizeof(path), "updates[%d]", i);
        if(!cJSON_IsObject(u)) {
            hk_diag_set(diag, "%s: expected an object", path);
            return HK_ERR_INVALID;
        }
        rc = hk_json_check_keys(u, path, keys, diag);
        if(rc == HK_OK)
            rc = get_req_text(u, path, "compatible", up->compatible, sizeof(up->compatible), diag);
        if(rc == HK_OK)
            rc = get_req_text(u, path, "version", up->version, sizeof(up->version), diag);
        if(rc == HK_OK)
            rc = get_req_text(u, path, "url", up->url, sizeof(up->url), diag);
        if(rc == HK_OK)
            rc = get_req_text(u, path, "sha256", up->sha256, sizeof(up->sha256), diag);
        if(rc != HK_OK)
            return rc;
        if(!up->compatible[0] || !up->version[0] ||
           strspn(up->version, "0123456789.") != strlen(up->version)) {
            hk_json_path(sub, sizeof(sub), path, up->compatible[0] ? "version" : "compatible");
            hk_diag_set(diag, "%s: %s", sub,
                        up->compatible[0] ? "expected a version of digits and dots (0.9.0.42)"
                                          : "empty");
            return HK_ERR_INVALID;
        }
        if(strncmp(up->url, "https://", 8) != 0) {
            hk_json_path(sub, sizeof(sub), path, "url");
            hk_diag_set(diag, "%s: must start with https://", sub);
            return HK_ERR_INVALID;
        }
        if(strlen(up->sha256) != 64 || strspn(up->sha256, "0123456789abcdef") != 64) {
            hk_json_path(sub, sizeof(sub), path, "sha256");
            hk_diag_set(diag, "%s: expected 64 lower-case hex digits", sub);
            return HK_ERR_INVALID;
        }
        for(j = 0; j < i; j++) {
            if(!strcmp(c->updates[j].compatible, up->compatible)) {
                hk_json_path(sub, sizeof(sub), path, "compatible");
                hk_diag_set(diag, "%s: \"%s\" is also updates[%d]", sub, up->compatible, j);
                return HK_ERR_INVALID;
            }
        }
        c->n_updates = ++i;
    }
    return HK_OK;
}

static hk_err_t parse_devices(const cJSON *arr, central_config_t *c, hk_diag_t *diag)
{
    static const char *const keys[] = { "id", "branch", "token_sha256", "enabled", NULL };
    char path[HK_JSON_PATH_CAP], sub[HK_JSON_PATH_CAP];
    const cJSON *d, *it;
    hk_err_t rc = HK_OK;
    int n, i, j;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "devices: expected an array");
        return HK_ERR_INVALID;
    }
    n = cJSON_GetArraySize(arr);
    if(n > MAX_DEVICES) {
        hk_diag_set(diag, "devices: at most %d", MAX_DEVICES);
        return HK_ERR_INVALID;
    }
    if(n == 0)
        return HK_OK;
    c->devices = hk_calloc((size_t)n, sizeof(*c->devices));
    if(!c->devices)
        return HK_ERR_NOMEM;
    i = 0;
    cJSON_ArrayForEach(d, arr)
    {
        central_device_t *dev = &c->devices[i];
        snprintf(path, sizeof(path), "devices[%d]", i);
        if(!cJSON_IsObject(d)) {
            hk_diag_set(diag, "%s: expected an object", path);
            return HK_ERR_INVALID;
        }
        rc = hk_json_check_keys(d, path, keys, diag);
        if(rc != HK_OK)
            return rc;
        hk_json_path(sub, sizeof(sub), path, "id");
        it = cJSON_GetObjectItemCaseSensitive(d, "id");
        if(!it) {
            hk_diag_set(diag, "%s: missing", sub);
            return HK_ERR_INVALID;
        }
        rc = hk_json_get_text(it, sub, dev->id, sizeof(dev->id), diag);
        if(rc == HK_OK && !id_chars_ok(dev->id)) {
            hk_diag_set(diag, "%s: must be 1..%d of [a-z0-9_-]", sub, CENTRAL_ID_LEN - 1);
            rc = HK_ERR_INVALID;
        }
        if(rc != HK_OK)
            return rc;
        for(j = 0; j < i; j++) {
            if(!strcmp(c->devices[j].id, dev->id)) {
                hk_diag_set(diag, "%s: \"%s\" is also devices[%d]", sub, dev->id, j);
                return HK_ERR_INVALID;
            }
        }
        hk_json_path(sub, sizeof(sub), path, "branch");
        it = cJSON_GetObjectItemCaseSensitive(d, "branch");
        if(!it) {
            hk_diag_set(diag, "%s: missing", sub);
            return HK_ERR_INVALID;
        }
        rc = hk_json_get_text(it, sub, dev->branch, sizeof(dev->branch), diag);
        if(rc != HK_OK)
            return rc;
        for(j = 0; j < c->n_branches && strcmp(c->branches[j].id, dev->branch); j++)
            ;
        if(j == c->n_branches) {
            hk_diag_set(diag, "%s: no branch \"%s\" in branches", sub, dev->branch);
            return HK_ERR_INVALID;
        }
        hk_json_path(sub, sizeof(sub), path, "token_sha256");
        it = cJSON_GetObjectItemCaseSensitive(d, "token_sha256");
        if(it) {
            rc = hk_json_get_text(it, sub, dev->token_hash, sizeof(dev->token_hash), diag);
            if(rc != HK_OK)
                return rc;
            if(strlen(dev->token_hash) != 64 || strspn(dev->token_hash, "0123456789abcdef") != 64) {
                hk_diag_set(diag, "%s: must be 64 lower-case hex digits (SHA-256 of the token)",
                            sub);
                return HK_ERR_INVALID;
            }
        }
        dev->enabled = true;
        hk_json_path(sub, sizeof(sub), path, "enabled");
        it = cJSON_GetObjectItemCaseSensitive(d, "enabled");
        if(it) {
            rc = hk_json_get_bool(it, sub, &dev->enabled, diag);
            if(rc != HK_OK)
                return rc;
        }
        c->n_devices = ++i;
    }
    return HK_OK;
}

static hk_err_t parse_branches(const cJSON *arr, const char *base, central_config_t *c,
                               hk_diag_t *diag)
{
    static const char *const keys[] = { "id",       "name_zh",     "name_en", "city",
                                        "province", "config_file", "content", NULL };
    static const char *const texts[] = { "name_zh", "name_en", "city", "province" };
    char path[HK_JSON_PATH_CAP], sub[HK_JSON_PATH_CAP];
    const cJSON *b, *it;
    hk_err_t rc = HK_OK;
    int n, i, j, k;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "branches: expected an array");
        return HK_ERR_INVALID;
    }
    n = cJSON_GetArraySize(arr);
    if(n > MAX_BRANCHES) {
        hk_diag_set(diag, "branches: at most %d", MAX_BRANCHES);
        return HK_ERR_INVALID;
    }
    if(n == 0)
        return HK_OK;
    c->branches = hk_calloc((size_t)n, sizeof(*c->branches));
    if(!c->branches)
        return HK_ERR_NOMEM;
    i = 0;
    cJSON_ArrayForEach(b, arr)
    {
        central_branch_cfg_t *br = &c->branches[i];
        char *fields[4];
        snprintf(path, sizeof(path), "branches[%d]", i);
        if(!cJSON_IsObject(b)) {
            hk_diag_set(diag, "%s: expected an object", path);
            return HK_ERR_INVALID;
        }
        rc = hk_json_check_keys(b, path, keys, diag);
        if(rc != HK_OK)
            return rc;
        c->n_branches = i + 1; /* from here on br is released by fini */
        hk_json_path(sub, sizeof(sub), path, "id");
        it = cJSON_GetObjectItemCaseSensitive(b, "id");
        if(!it) {
            hk_diag_set(diag, "%s: missing", sub);
            return HK_ERR_INVALID;
        }
        rc = hk_json_get_text(it, sub, br->id, sizeof(br->id), diag);
        if(rc == HK_OK && !id_chars_ok(br->id)) {
            hk_diag_set(diag, "%s: must be 1..%d of [a-z0-9_-]", sub, CENTRAL_ID_LEN - 1);
            rc = HK_ERR_INVALID;
        }
        if(rc != HK_OK)
            return rc;
        for(j = 0; j < i; j++) {
            if(!strcmp(c->branches[j].id, br->id)) {
                hk_diag_set(diag, "%s: \"%s\" is also branches[%d]", sub, br->id, j);
                return HK_ERR_INVALID;
            }
        }
        fields[0] = br->name_zh;
        fields[1] = br->name_en;
        fields[2] = br->city;
        fields[3] = br->province;
        for(k = 0; k < 4; k++) {
            it = cJSON_GetObjectItemCaseSensitive(b, texts[k]);
            hk_json_path(sub, sizeof(sub), path, texts[k]);
            if(it) {
                rc = hk_json_get_text(it, sub, fields[k], CENTRAL_TEXT_LEN, diag);
                if(rc != HK_OK)
                    return rc;
            }
        }
        rc = get_path(b, "config_file", path, base, false, br->config_file, sizeof(br->config_file),
                      diag);
        if(rc != HK_OK)
            return rc;
        if(br->config_file[0]) {
            central_config_doc_t *doc = NULL;
            hk_diag_t why;
            size_t len = 0;
            hk_json_path(sub, sizeof(sub), path, "config_file");
            rc = central_config_read_file(br->config_file, CENTRAL_CONFIG_MAX_BYTES, sub, &br->doc,
                                          &len, diag);
            if(rc != HK_OK)
                return rc;
            hk_diag_clear(&why);
            rc = central_config_decode(br->doc, len, &doc, &why);
            if(rc == HK_OK && strcmp(doc->config.branch_id, br->id) != 0) {
                hk_diag_set(&why, "config.branch.id: \"%s\" is not the branch's id \"%s\"",
                            doc->config.branch_id, br->id);
                rc = HK_ERR_INVALID;
            }
            if(rc != HK_OK) {
                hk_free(doc);
                hk_diag_set(diag, "%s: %s: %s", sub, br->config_file, why.msg);
                return rc;
            }
            br->parsed = doc; /* the pages read names, counters, staff, the url key */
        }
        it = cJSON_GetObjectItemCaseSensitive(b, "content");
        if(it) {
            hk_json_path(sub, sizeof(sub), path, "content");
            rc = parse_content(it, sub, base, &br->content, diag);
            if(rc != HK_OK)
                return rc;
        }
        i++;
    }
    return HK_OK;
}

/* An optional/required path member, resolved against base. */
static hk_err_t get_path(const cJSON *obj, const char *key, const char *pfx, const char *base,
                         bool required, char *dst, size_t cap, hk_diag_t *diag)
{
    char sub[HK_JSON_PATH_CAP], raw[CENTRAL_CONFIG_PATH_LEN];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    hk_err_t rc;

    hk_json_path(sub, sizeof(sub), pfx, key);
    dst[0] = '\0';
    if(!it) {
        if(!required)
            return HK_OK;
        hk_diag_set(diag, "%s: missing", sub);
        return HK_ERR_INVALID;
    }
    rc = hk_json_get_text(it, sub, raw, sizeof(raw), diag);
    if(rc != HK_OK)
        return rc;
    if(!raw[0]) {
        hk_diag_set(diag, "%s: empty", sub);
        return HK_ERR_INVALID;
    }
    if(raw[0] == '/' || !base[0])
        snprintf(dst, cap, "%s", raw);
    else if((size_t)snprintf(dst, cap, "%s/%s", base, raw) >= cap) {
        hk_diag_set(diag, "%s: the path is too long", sub);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

hk_err_t central_config_read_file(const char *path, size_t cap, const char *what, char **out,
                                  size_t *len_out, hk_diag_t *diag)
{
    return paths_read_file(path, cap, what, out, len_out, diag);
}

static bool id_chars_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < CENTRAL_ID_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* ---- self-help content (GET /v1/content) ------------------------------------------ */

/* {"faq_file":"…","triage_file":"…"}: both read, the bundle built and
 * checked whole; its version is a hash of the two texts. */
static hk_err_t parse_content(const cJSON *obj, const char *path, const char *base,
                              central_content_src_t *src, hk_diag_t *diag)
{
    static const char *const keys[] = { "faq_file", "triage_file", NULL };
    unsigned char hash[8];
    char version[2 * sizeof(hash) + 3], sub[HK_JSON_PATH_CAP];
    char *faq = NULL, *triage = NULL;
    size_t faq_len = 0, triage_len = 0, k;
    crypto_generichash_state st;
    hk_diag_t why;
    hk_err_t rc;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected an object {\"faq_file\", \"triage_file\"}", path);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, path, keys, diag);
    if(rc == HK_OK)
        rc =
            get_path(obj, "faq_file", path, base, true, src->faq_file, sizeof(src->faq_file), diag);
    if(rc == HK_OK)
        rc = get_path(obj, "triage_file", path, base, true, src->triage_file,
                      sizeof(src->triage_file), diag);
    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, "faq_file");
    rc = central_config_read_file(src->faq_file, CENTRAL_CONTENT_MAX_BYTES, sub, &faq, &faq_len,
                                  diag);
    hk_json_path(sub, sizeof(sub), path, "triage_file");
    if(rc == HK_OK)
        rc = central_config_read_file(src->triage_file, TRIAGE_JSON_MAX_BYTES, sub, &triage,
                                      &triage_len, diag);
    if(rc == HK_OK) {
        crypto_generichash_init(&st, NULL, 0, sizeof(hash));
        crypto_generichash_update(&st, (const unsigned char *)faq, faq_len);
        crypto_generichash_update(&st, (const unsigned char *)"", 1);
        crypto_generichash_update(&st, (const unsigned char *)triage, triage_len);
        crypto_generichash_final(&st, hash, sizeof(hash));
        memcpy(version, "c-", 2);
        for(k = 0; k < sizeof(hash); k++)
            snprintf(version + 2 + 2 * k, 3, "%02x", hash[k]);
        hk_diag_clear(&why);
        rc = central_content_encode(version, faq, faq_len, triage, triage_len, &src->doc, &src->len,
                                    &why);
        if(rc != HK_OK)
            hk_diag_set(diag, "%s: %s", path, why.msg);
        else
            snprintf(src->etag, sizeof(src->etag), "\"%s\"", version);
    }
    hk_free(faq);
    hk_free(triage);
    return rc;
}

/* Every branch with a config document gets content whose queue routes
 * name its services: checked here, once, rather than refused by its devices. */
static hk_err_t check_content_services(const central_config_t *c, hk_diag_t *diag)
{
    const char *ids[CONFIG_MAX_SERVICES];
    hk_err_t rc = HK_OK;
    int i, k;

    for(i = 0; i < c->n_branches && rc == HK_OK; i++) {
        const central_branch_cfg_t *br = &c->branches[i];
        const central_content_src_t *src = central_config_content(c, br->id);
        faq_content_t *fc = NULL;
        hk_diag_t why;

        if(!src || !br->parsed)
            continue;
        for(k = 0; k < br->parsed->config.n_services; k++)
            ids[k] = br->parsed->config.services[k].id;
        hk_diag_clear(&why);
        rc = faq_content_parse_bundle(src->doc, src->len, NULL, &fc, &why);
        if(rc == HK_OK)
            rc = faq_triage_check_services(fc, ids, br->parsed->config.n_services, &why);
        faq_content_free(fc);
        if(rc != HK_OK)
            hk_diag_set(diag, "branches[%d] (%s): %s: %s", i, br->id, src->triage_file, why.msg);
    }
    return rc;
}
