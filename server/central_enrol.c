/*
 * central_enrol: see central_enrol.h. GnuTLS's X.509 API signs: the
 * request's public key is taken (never its DN or extensions, which the
 * requester chose), and the certificate is built here: subject CN = the
 * device, a random 128-bit serial, valid from a minute ago (clock skew)
 * for validity_days, not a CA, digital signature only, extended key usage
 * TLS client, subject and authority key ids, SHA-256.
 *
 * Design notes
 *   Order of checks in central_enrol_serve: the address's limit (429), the
 *   body (400), the request's CSR and its CN (400), the registry, then the
 *   code is taken (one conditional UPDATE in the store), then signing. A
 *   refused code counts against the address; nothing else does (a client
 *   that sends garbage learns nothing about codes).
 *   The limiter: per address a window start and a count; a window older
 *   than ENROL_FAIL_WINDOW_MS starts afresh; a full table gives the slot
 *   whose window started first to the new address.
 */
#include "central_enrol.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"

#define LOG_MOD      "central"
#define PEM_FILE_MAX (64 * 1024)
#define IP_LEN       48

typedef struct ip_slot {
    char ip[IP_LEN]; /* "" = free */
    int64_t start_ms;
    int fails;
} ip_slot_t;

struct central_enrol {
    pthread_mutex_t mu; /* slots, and GnuTLS's CA objects while signing */
    gnutls_x509_crt_t ca;
    gnutls_x509_privkey_t key;
    char *chain; /* the CA file's text */
    int validity_days;
    ip_slot_t slots[ENROL_IP_SLOTS];
};

static void answer(central_enrol_answer_t *a, unsigned status, const char *code, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
static int limit_wait_s(central_enrol_t *e, const char *ip, int64_t now);
static void limit_fail(central_enrol_t *e, const char *ip, int64_t now);
static bool check_csr(const char *pem, const char *device, central_enrol_answer_t *ans,
                      gnutls_x509_crq_t *out);
static hk_err_t sign(central_enrol_t *e, gnutls_x509_crq_t crq, const char *device, int64_t now_ms,
                     char *pem_out, size_t cap, int64_t *not_after_out);

/* ---- lifecycle ------------------------------------------------------------------ */

hk_err_t central_enrol_create(const char *ca_cert, const char *ca_key, int validity_days,
                              central_enrol_t **out, hk_diag_t *diag)
{
    central_enrol_t *e;
    char *keytext = NULL;
    gnutls_datum_t d;
    unsigned char id1[64], id2[64];
    size_t n1 = sizeof(id1), n2 = sizeof(id2);
    hk_err_t rc;
    int grc;

    *out = NULL;
    if(validity_days < 1 || validity_days > 3650) {
        hk_diag_set(diag, "enrol.validity_days: must be 1..3650");
        return HK_ERR_INVALID;
    }
    e = hk_calloc(1, sizeof(*e));
    if(!e)
        return HK_ERR_NOMEM;
    pthread_mutex_init(&e->mu, NULL);
    e->validity_days = validity_days;
    rc = paths_read_file(ca_cert, PEM_FILE_MAX, "enrol.ca_cert", &e->chain, NULL, diag);
    if(rc == HK_OK)
        rc = paths_read_file(ca_key, PEM_FILE_MAX, "enrol.ca_key", &keytext, NULL, diag);
    if(rc != HK_OK)
        goto out;
    rc = HK_ERR_TLS;
    if(gnutls_x509_crt_init(&e->ca) < 0 || gnutls_x509_privkey_init(&e->key) < 0) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    d.data = (unsigned char *)e->chain;
    d.size = (unsigned)strlen(e->chain);
    grc = gnutls_x509_crt_import(e->ca, &d, GNUTLS_X509_FMT_PEM);
    if(grc < 0) {
        hk_diag_set(diag, "enrol.ca_cert: %s: %s", ca_cert, gnutls_strerror(grc));
        goto out;
    }
    if(gnutls_x509_crt_get_ca_status(e->ca, NULL) <= 0) {
        hk_diag_set(diag, "enrol.ca_cert: %s is not a CA certificate", ca_cert);
        goto out;
    }
    d.data = (unsigned char *)keytext;
    d.size = (unsigned)strlen(keytext);
    grc = gnutls_x509_privkey_import(e->key, &d, GNUTLS_X509_FMT_PEM);
    if(grc < 0) {
        hk_diag_set(diag, "enrol.ca_key: %s: %s", ca_key, gnutls_strerror(grc));
        goto out;
    }
    /* the key must be the certificate's: compare their key ids */
    if(gnutls_x509_crt_get_key_id(e->ca, GNUTLS_KEYID_USE_SHA256, id1, &n1) < 0 ||
       gnutls_x509_privkey_get_key_id(e->key, GNUTLS_KEYID_USE_SHA256, id2, &n2) < 0 || n1 != n2 ||
       memcmp(id1, id2, n1) != 0) {
        hk_diag_set(diag, "enrol.ca_key: %s is not the key of %s", ca_key, ca_cert);
        goto out;
    }
    rc = HK_OK;
out:
    if(keytext) {
        sodium_memzero(keytext, strlen(keytext));
        hk_free(keytext);
    }
    if(rc != HK_OK) {
        central_enrol_destroy(e);
        return rc;
    }
    *out = e;
    return HK_OK;
}

void central_enrol_destroy(central_enrol_t *e)
{
    if(!e)
        return;
    if(e->key)
        gnutls_x509_privkey_deinit(e->key);
    if(e->ca)
        gnutls_x509_crt_deinit(e->ca);
    hk_free(e->chain);
    pthread_mutex_destroy(&e->mu);
    hk_free(e);
}

/* ---- codes ----------------------------------------------------------------------- */

hk_err_t central_enrol_code_hash(const char *code, char hex_out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char canon[ENROL_CODE_LEN];

    if(enrol_proto_code_normalise(code, canon) != HK_OK)
        return HK_ERR_INVALID;
    crypto_hash_sha256(digest, (const unsigned char *)canon, strlen(canon));
    sodium_bin2hex(hex_out, 65, digest, sizeof(digest));
    return HK_OK;
}

hk_err_t central_enrol_new_code(central_store_t *s, const char *device, int ttl_s, int64_t now_ms,
                                char code_out[ENROL_CODE_LEN])
{
    uint8_t raw[ENROL_CODE_RAW_BITS / 8];
    char code[ENROL_CODE_LEN], hash[65];
    hk_err_t rc;

    if(ttl_s < 1 || ttl_s > ENROL_CODE_TTL_MAX_S)
        return HK_ERR_INVALID;
    randombytes_buf(raw, sizeof(raw));
    enrol_proto_code_format(raw, code);
    sodium_memzero(raw, sizeof(raw));
    rc = central_enrol_code_hash(code, hash);
    if(rc == HK_OK)
        rc = central_store_enrol_code_put(s, hash, device, now_ms, now_ms + (int64_t)ttl_s * 1000);
    if(rc == HK_OK)
        memcpy(code_out, code, sizeof(code));
    sodium_memzero(code, sizeof(code));
    return rc;
}

/* ---- POST /v1/enrol ------------------------------------------------------------------ */

hk_err_t central_enrol_serve(central_enrol_t *e, central_store_t *s, const char *client_ip,
                             const char *body, size_t len, int64_t now_ms,
                             central_enrol_answer_t *ans)
{
    enrol_req_t *req = NULL;
    enrol_reply_t *rep = NULL;
    gnutls_x509_crq_t crq = NULL;
    central_device_t dev;
    central_code_state_t state = CENTRAL_CODE_UNKNOWN;
    char hash[65];
    hk_diag_t diag;
    hk_err_t rc;
    int wait;

    memset(ans, 0, sizeof(*ans));
    wait = limit_wait_s(e, client_ip, now_ms);
    if(wait > 0) {
        answer(ans, 429, "too_many_attempts",
               "too many refused enrolment codes from this address; retry later");
        ans->retry_after_s = wait;
        return HK_OK;
    }
    req = hk_calloc(1, sizeof(*req));
    rep = hk_calloc(1, sizeof(*rep));
    if(!req || !rep) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    hk_diag_clear(&diag);
    rc = enrol_proto_req_decode(body ? body : "", len, req, &diag);
    if(rc == HK_ERR_NOMEM)
        goto out;
    if(rc != HK_OK) {
        answer(ans, 400, "invalid_request", "%s", diag.msg[0] ? diag.msg : "not an enrolment");
        rc = HK_OK;
        goto out;
    }
    rc = HK_OK;
    if(!check_csr(req->csr, req->device, ans, &crq))
        goto out;
    rc = central_store_device_get(s, req->device, &dev);
    if(rc == HK_ERR_NOT_FOUND || rc == HK_ERR_INVALID || (rc == HK_OK && !dev.enabled)) {
        state = CENTRAL_CODE_UNKNOWN; /* the same answer as a wrong code */
        rc = HK_OK;
    } else if(rc == HK_OK) {
        rc = central_enrol_code_hash(req->code, hash);
        if(rc == HK_OK)
            rc = central_store_enrol_code_take(s, hash, req->device, now_ms, &state);
    }
    if(rc != HK_OK) {
        answer(ans, 503, "unavailable", "the database is unavailable; retry later");
        ans->retry_after_s = 5;
        rc = HK_OK;
        goto out;
    }
    if(state != CENTRAL_CODE_TAKEN) {
        limit_fail(e, client_ip, now_ms);
        hk_log_warn(LOG_MOD, "enrolment of \"%s\" from %s refused: code %s", req->device,
                    client_ip[0] ? client_ip : "?",
                    state == CENTRAL_CODE_EXPIRED ? "expired"
                    : state == CENTRAL_CODE_USED  ? "already used"
                                                  : "unknown");
        if(state == CENTRAL_CODE_EXPIRED)
            answer(ans, 403, "enrol_code_expired",
                   "this enrolment code has expired: ask head office for a new one");
        else if(state == CENTRAL_CODE_USED)
            answer(ans, 403, "enrol_code_used",
                   "this enrolment code was used already: ask head office for a new one");
        else
            answer(ans, 403, "enrol_code_invalid", "no such enrolment code for %s", req->device);
        goto out;
    }
    rc = sign(e, crq, req->device, now_ms, rep->certificate, sizeof(rep->certificate),
              &rep->not_after_ms);
    if(rc == HK_ERR_NOMEM)
        goto out;
    if(rc != HK_OK) {
        /* the code is used up: the engineer asks for another (and we look) */
        hk_log_error(LOG_MOD, "enrolment of \"%s\": signing failed", req->device);
        answer(ans, 500, "internal", "the certificate could not be signed");
        rc = HK_OK;
        goto out;
    }
    snprintf(rep->device, sizeof(rep->device), "%s", req->device);
    snprintf(rep->branch, sizeof(rep->branch), "%s", dev.branch);
    snprintf(rep->ca_chain, sizeof(rep->ca_chain), "%s", e->chain);
    rc = enrol_proto_reply_encode(rep, &ans->json, &ans->len);
    if(rc == HK_OK) {
        ans->status = 200;
        hk_log_info(LOG_MOD, "enrolled \"%s\" (branch %s) from %s", req->device, dev.branch,
                    client_ip[0] ? client_ip : "?");
    } else if(rc != HK_ERR_NOMEM) {
        answer(ans, 500, "internal", "the answer could not be encoded");
        rc = HK_OK;
    }
out:
    if(crq)
        gnutls_x509_crq_deinit(crq);
    if(req)
        sodium_memzero(req->code, sizeof(req->code));
    hk_free(req);
    hk_free(rep);
    return rc;
}

/* ---- static ------------------------------------------------------------------------- */

static void answer(central_enrol_answer_t *a, unsigned status, const char *code, const char *fmt,
                   ...)
{
    va_list ap;

    a->status = status;
    snprintf(a->code, sizeof(a->code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof(a->message), fmt, ap);
    va_end(ap);
}

/* ip's slot; with make, taken when it has none. NULL: none. mu held. */
static ip_slot_t *slot_of(central_enrol_t *e, const char *ip, bool make)
{
    ip_slot_t *oldest = NULL;
    int i;

    for(i = 0; i < ENROL_IP_SLOTS; i++) {
        ip_slot_t *sl = &e->slots[i];
        if(!strcmp(sl->ip, ip))
            return sl;
        if(!oldest || !sl->ip[0] || (oldest->ip[0] && sl->start_ms < oldest->start_ms))
            oldest = sl;
    }
    if(!make)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->ip, sizeof(oldest->ip), "%s", ip);
    return oldest;
}

static int limit_wait_s(central_enrol_t *e, const char *ip, int64_t now)
{
    ip_slot_t *sl;
    int wait = 0;

    if(!ip || !ip[0])
        return 0;
    pthread_mutex_lock(&e->mu);
    sl = slot_of(e, ip, false);
    if(sl && sl->fails >= ENROL_IP_FAILS && now - sl->start_ms < ENROL_FAIL_WINDOW_MS)
        wait = (int)((sl->start_ms + ENROL_FAIL_WINDOW_MS - now + 999) / 1000);
    pthread_mutex_unlock(&e->mu);
    return wait;
}

static void limit_fail(central_enrol_t *e, const char *ip, int64_t now)
{
    ip_slot_t *sl;

    if(!ip || !ip[0])
        return;
    pthread_mutex_lock(&e->mu);
    sl = slot_of(e, ip, true);
    if(now - sl->start_ms >= ENROL_FAIL_WINDOW_MS) {
        sl->start_ms = now;
        sl->fails = 0;
    }
    sl->fails++;
    pthread_mutex_unlock(&e->mu);
}

/* Read and check the request; false: ans says why (400). */
static bool check_csr(const char *pem, const char *device, central_enrol_answer_t *ans,
                      gnutls_x509_crq_t *out)
{
    gnutls_x509_crq_t crq = NULL;
    gnutls_datum_t d = { (unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem) };
    char cn[CONFIG_ID_LEN + 8];
    size_t n = sizeof(cn);
    unsigned bits = 0;
    int grc, pk;

    *out = NULL;
    if(gnutls_x509_crq_init(&crq) < 0) {
        answer(ans, 500, "internal", "out of memory");
        return false;
    }
    grc = gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM);
    if(grc < 0) {
        answer(ans, 400, "csr_invalid", "csr: not a certificate request (%s)",
               gnutls_strerror(grc));
        goto bad;
    }
    grc = gnutls_x509_crq_verify(crq, 0);
    if(grc < 0) {
        answer(ans, 400, "csr_invalid", "csr: its signature does not verify (%s)",
               gnutls_strerror(grc));
        goto bad;
    }
    pk = gnutls_x509_crq_get_pk_algorithm(crq, &bits);
    if(!((pk == GNUTLS_PK_ECDSA && bits >= 256) || pk == GNUTLS_PK_EDDSA_ED25519 ||
         (pk == GNUTLS_PK_RSA && bits >= 2048))) {
        answer(ans, 400, "csr_invalid",
               "csr: the key must be ECDSA P-256 or larger, Ed25519, or RSA of 2048 bits or more");
        goto bad;
    }
    grc = gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &n);
    if(grc < 0 || n >= sizeof(cn) || strcmp(cn, device) != 0) {
        answer(ans, 400, "csr_cn_mismatch", "csr: its common name must be the device id \"%s\"",
               device);
        goto bad;
    }
    *out = crq;
    return true;
bad:
    gnutls_x509_crq_deinit(crq);
    return false;
}

static hk_err_t sign(central_enrol_t *e, gnutls_x509_crq_t crq, const char *device, int64_t now_ms,
                     char *pem_out, size_t cap, int64_t *not_after_out)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t pem = { NULL, 0 };
    unsigned char serial[16], kid[64];
    size_t kid_len = sizeof(kid);
    time_t now = (time_t)(now_ms / 1000);
    time_t until = now + (time_t)e->validity_days * 86400;
    hk_err_t rc = HK_ERR_TLS;
    int grc;

    if(gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&pub) < 0) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    randombytes_buf(serial, sizeof(serial));
    serial[0] &= 0x7f; /* a positive INTEGER */
    serial[0] |= 0x01; /* and no leading zero byte */
    grc = gnutls_pubkey_import_x509_crq(pub, crq, 0);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_pubkey(crt, pub);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_version(crt, 3);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, device,
                                            (unsigned)strlen(device));
    if(grc >= 0)
        grc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    if(grc >= 0)
        grc = gnutls_x509_crt_set_activation_time(crt, now - 60); /* clock skew */
    if(grc >= 0)
        grc = gnutls_x509_crt_set_expiration_time(crt, until);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 1);
    if(grc >= 0)
        grc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, kid, &kid_len);
    if(grc >= 0)
        grc = gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len);
    if(grc >= 0) {
        kid_len = sizeof(kid);
        /* a CA without a subject key id: the certificate goes without the link */
        if(gnutls_x509_crt_get_subject_key_id(e->ca, kid, &kid_len, NULL) >= 0)
            grc = gnutls_x509_crt_set_authority_key_id(crt, kid, kid_len);
    }
    if(grc >= 0) {
        pthread_mutex_lock(&e->mu);
        grc = gnutls_x509_crt_sign2(crt, e->ca, e->key, GNUTLS_DIG_SHA256, 0);
        pthread_mutex_unlock(&e->mu);
    }
    if(grc >= 0)
        grc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem);
    if(grc < 0) {
        hk_log_error(LOG_MOD, "signing for \"%s\": %s", device, gnutls_strerror(grc));
        goto out;
    }
    if(pem.size >= cap)
        goto out;
    memcpy(pem_out, pem.data, pem.size);
    pem_out[pem.size] = '\0';
    *not_after_out = (int64_t)until * 1000;
    rc = HK_OK;
out:
    gnutls_free(pem.data);
    if(pub)
        gnutls_pubkey_deinit(pub);
    if(crt)
        gnutls_x509_crt_deinit(crt);
    return rc;
}
