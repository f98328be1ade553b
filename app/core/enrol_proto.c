/*
 * enrol_proto: see enrol_proto.h. Parses through hk_json (caps, strict
 * keys); builds with cJSON (its allocator is hk_malloc's). No X.509 here.
 */
#include "enrol_proto.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"

#define INT53_MAX 9007199254740991LL

static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */

static hk_err_t get_member(const cJSON *root, const char *key, const cJSON **out, hk_diag_t *diag);
static hk_err_t get_id(const cJSON *root, const char *key, char *dst, size_t cap, hk_diag_t *diag);
static hk_err_t get_pem(const cJSON *root, const char *key, const char *label, char *dst,
                        size_t cap, hk_diag_t *diag);
static bool id_ok(const char *s);
static bool pem_ok(const char *s, const char *label);
static hk_err_t parse_root(const char *text, size_t len, size_t max, const char *const *keys,
                           cJSON **out, hk_diag_t *diag);
static hk_err_t print(cJSON *o, bool ok, char **out, size_t *len_out);

/* ---- codes ------------------------------------------------------------------ */

hk_err_t enrol_proto_code_normalise(const char *typed, char out[ENROL_CODE_LEN])
{
    char raw[ENROL_CODE_GROUPS * 4 + 1];
    size_t n = 0;
    const char *p;
    int i, j, k = 0;

    if(!typed)
        return HK_ERR_INVALID;
    for(p = typed; *p; p++) {
        char ch = *p;
        if(ch == '-' || ch == ' ')
            continue;
        if(ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if(ch == 'O')
            ch = '0';
        else if(ch == 'I' || ch == 'L')
            ch = '1';
        if(!strchr(B32, ch) || ch == '\0' || n >= sizeof(raw) - 1)
            return HK_ERR_INVALID;
        raw[n++] = ch;
    }
    if(n != sizeof(raw) - 1)
        return HK_ERR_INVALID;
    for(i = 0; i < ENROL_CODE_GROUPS; i++) {
        if(i)
            out[k++] = '-';
        for(j = 0; j < 4; j++)
            out[k++] = raw[i * 4 + j];
    }
    out[k] = '\0';
    return HK_OK;
}

void enrol_proto_code_format(const uint8_t raw[ENROL_CODE_RAW_BITS / 8], char out[ENROL_CODE_LEN])
{
    uint32_t acc = 0;
    int bits = 0, i, k = 0, chars = 0;

    for(i = 0; i < ENROL_CODE_RAW_BITS / 8; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while(bits >= 5) {
            if(chars && chars % 4 == 0)
                out[k++] = '-';
            out[k++] = B32[(acc >> (bits - 5)) & 31u];
            bits -= 5;
            chars++;
        }
    }
    out[k] = '\0';
}

/* ---- request ------------------------------------------------------------------ */

hk_err_t enrol_proto_req_encode(const enrol_req_t *r, char **out, size_t *len_out)
{
    char code[ENROL_CODE_LEN];
    cJSON *o;
    bool ok;

    *out = NULL;
    if(!id_ok(r->device) || enrol_proto_code_normalise(r->code, code) != HK_OK ||
       !pem_ok(r->csr, "CERTIFICATE REQUEST"))
        return HK_ERR_INVALID;
    hk_json_init();
    o = cJSON_CreateObject();
    ok = o && cJSON_AddStringToObject(o, "device", r->device) &&
         cJSON_AddStringToObject(o, "code", code) && cJSON_AddStringToObject(o, "csr", r->csr);
    return print(o, ok, out, len_out);
}

hk_err_t enrol_proto_req_decode(const char *text, size_t len, enrol_req_t *out, hk_diag_t *diag)
{
    static const char *const keys[] = { "device", "code", "csr", NULL };
    char typed[64];
    cJSON *root = NULL;
    const cJSON *it;
    enrol_req_t *r;
    hk_err_t rc;

    hk_diag_clear(diag);
    r = hk_calloc(1, sizeof(*r));
    if(!r)
        return HK_ERR_NOMEM;
    rc = parse_root(text, len, ENROL_BODY_MAX, keys, &root, diag);
    if(rc == HK_OK)
        rc = get_id(root, "device", r->device, sizeof(r->device), diag);
    if(rc == HK_OK)
        rc = get_member(root, "code", &it, diag);
    if(rc == HK_OK)
        rc = hk_json_get_text(it, "code", typed, sizeof(typed), diag);
    if(rc == HK_OK && enrol_proto_code_normalise(typed, r->code) != HK_OK) {
        hk_diag_set(diag, "code: expected 16 characters such as K7QD-3MZP-X2RA-9FHT");
        rc = HK_ERR_INVALID;
    }
    if(rc == HK_OK)
        rc = get_pem(root, "csr", "CERTIFICATE REQUEST", r->csr, sizeof(r->csr), diag);
    if(rc == HK_OK)
        *out = *r;
    cJSON_Delete(root);
    hk_free(r);
    return rc;
}

/* ---- answer -------------------------------------------------------------------- */

hk_err_t enrol_proto_reply_encode(const enrol_reply_t *r, char **out, size_t *len_out)
{
    cJSON *o;
    bool ok;

    *out = NULL;
    if(!id_ok(r->device) || !id_ok(r->branch) || !pem_ok(r->certificate, "CERTIFICATE") ||
       !pem_ok(r->ca_chain, "CERTIFICATE") || r->not_after_ms < 0 || r->not_after_ms > INT53_MAX)
        return HK_ERR_INVALID;
    hk_json_init();
    o = cJSON_CreateObject();
    ok = o && cJSON_AddStringToObject(o, "device", r->device) &&
         cJSON_AddStringToObject(o, "branch", r->branch) &&
         cJSON_AddStringToObject(o, "certificate", r->certificate) &&
         cJSON_AddStringToObject(o, "ca_chain", r->ca_chain) &&
         cJSON_AddNumberToObject(o, "not_after_ms", (double)r->not_after_ms);
    return print(o, ok, out, len_out);
}

hk_err_t enrol_proto_reply_decode(const char *text, size_t len, enrol_reply_t *out, hk_diag_t *diag)
{
    static const char *const keys[] = { "device",   "branch",       "certificate",
                                        "ca_chain", "not_after_ms", NULL };
    cJSON *root = NULL;
    const cJSON *it;
    enrol_reply_t *r;
    hk_err_t rc;

    hk_diag_clear(diag);
    r = hk_calloc(1, sizeof(*r));
    if(!r)
        return HK_ERR_NOMEM;
    rc = parse_root(text, len, ENROL_REPLY_MAX, keys, &root, diag);
    if(rc == HK_OK)
        rc = get_id(root, "device", r->device, sizeof(r->device), diag);
    if(rc == HK_OK)
        rc = get_id(root, "branch", r->branch, sizeof(r->branch), diag);
    if(rc == HK_OK)
        rc = get_pem(root, "certificate", "CERTIFICATE", r->certificate, sizeof(r->certificate),
                     diag);
    if(rc == HK_OK)
        rc = get_pem(root, "ca_chain", "CERTIFICATE", r->ca_chain, sizeof(r->ca_chain), diag);
    if(rc == HK_OK)
        rc = get_member(root, "not_after_ms", &it, diag);
    if(rc == HK_OK)
        rc = hk_json_get_i64(it, "not_after_ms", 0, INT53_MAX, &r->not_after_ms, diag);
    if(rc == HK_OK)
        *out = *r;
    cJSON_Delete(root);
    hk_free(r);
    return rc;
}

/* ---- static ---------------------------------------------------------------------- */

static hk_err_t parse_root(const char *text, size_t len, size_t max, const char *const *keys,
                           cJSON **out, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { max, 4 };

    return hk_json_parse_object(text, len, &lim, keys, out, diag);
}

static hk_err_t get_member(const cJSON *root, const char *key, const cJSON **out, hk_diag_t *diag)
{
    *out = cJSON_GetObjectItemCaseSensitive(root, key);
    if(!*out) {
        hk_diag_set(diag, "%s: missing", key);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t get_id(const cJSON *root, const char *key, char *dst, size_t cap, hk_diag_t *diag)
{
    const cJSON *it;
    hk_err_t rc = get_member(root, key, &it, diag);

    if(rc == HK_OK)
        rc = hk_json_get_text(it, key, dst, cap, diag);
    if(rc == HK_OK && !id_ok(dst)) {
        hk_diag_set(diag, "%s: expected an id of [a-z0-9_-], 1..%d characters", key,
                    CONFIG_ID_LEN - 1);
        rc = HK_ERR_INVALID;
    }
    return rc;
}

static hk_err_t get_pem(const cJSON *root, const char *key, const char *label, char *dst,
                        size_t cap, hk_diag_t *diag)
{
    const cJSON *it;
    hk_err_t rc = get_member(root, key, &it, diag);
    size_t n;

    if(rc != HK_OK)
        return rc;
    if(!cJSON_IsString(it) || !it->valuestring) {
        hk_diag_set(diag, "%s: expected a string", key);
        return HK_ERR_INVALID;
    }
    n = strlen(it->valuestring);
    if(n >= cap) {
        hk_diag_set(diag, "%s: too long (%zu bytes, at most %zu)", key, n, cap - 1);
        return HK_ERR_INVALID;
    }
    if(!pem_ok(it->valuestring, label)) {
        hk_diag_set(diag, "%s: expected a PEM %s (-----BEGIN %s-----)", key, label, label);
        return HK_ERR_INVALID;
    }
    memcpy(dst, it->valuestring, n + 1);
    return HK_OK;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < CONFIG_ID_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* ASCII armour of label (also "NEW CERTIFICATE REQUEST"; text may come
 * before it, as certtool writes): printable ASCII, tabs and line breaks,
 * with a BEGIN line naming label and an END line after it. */
static bool pem_ok(const char *s, const char *label)
{
    const char *p, *b;

    for(p = s; *p; p++)
        if(!((*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\r' || *p == '\t'))
            return false;
    b = strstr(s, "-----BEGIN ");
    if(!b)
        return false;
    p = strstr(b, label);
    return p && p < b + 32 && strstr(p, "-----END ") != NULL;
}

static hk_err_t print(cJSON *o, bool ok, char **out, size_t *len_out)
{
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;

    cJSON_Delete(o);
    if(!text)
        return HK_ERR_NOMEM;
    *out = text;
    if(len_out)
        *len_out = strlen(text);
    return HK_OK;
}
