/*
 * central_enrol: hall-central's enrolment of devices (PROVISION, issue 9.4).
 *
 * An engineer at head office makes a one-time code for a registered device
 * (`hall-central enrol-code`, central_enrol_new_code): 80 random bits shown
 * once, only its SHA-256 stored (central_store's enrol_codes), single use,
 * expiring. On site, `hallctl provision` makes the device's key on the
 * device and sends a certificate request with the code to POST /v1/enrol
 * (no client certificate yet; TLS verified by the device against the
 * operator CA). This module checks the request and, when the code is good,
 * signs a client certificate with the operator CA (CN = the device id,
 * TLS client use only, not a CA, the validity configured) and answers it
 * with the CA chain (enrol_proto.h).
 *
 * What it refuses, with stable codes (docs/api/central.yaml):
 *   400 invalid_request   the body does not decode (enrol_proto)
 *   400 csr_invalid       not a certificate request GnuTLS reads, its
 *                         self-signature does not verify, or a key type
 *                         or size the server's TLS would not take
 *   400 csr_cn_mismatch   its CN is not the device named in the request
 *   403 enrol_code_invalid  no such code for that device (or the device is
 *                         not in the registry, or disabled: the same
 *                         answer, so the registry cannot be probed)
 *   403 enrol_code_expired, enrol_code_used
 *   429 too_many_attempts after ENROL_IP_FAILS refused codes from one
 *                         client address in ENROL_FAIL_WINDOW_MS (with
 *                         Retry-After), as the report login does
 * The request is checked whole before the code is taken, so a malformed or
 * wrong request never uses up a good code.
 *
 * Threading: one central_enrol_t serves every worker thread (its limiter
 * and the signing are under its own mutex).
 */
#ifndef HK_SERVER_CENTRAL_ENROL_H
#define HK_SERVER_CENTRAL_ENROL_H

#include <stddef.h>
#include <stdint.h>

#include "central_store.h"
#include "enrol_proto.h"
#include "hk_err.h"

#define ENROL_IP_FAILS       10            /* refused codes per client address ... */
#define ENROL_FAIL_WINDOW_MS (5 * 60000LL) /* ... in this window */
#define ENROL_IP_SLOTS       256           /* addresses remembered */
#define ENROL_CODE_TTL_S     3600          /* enrol-code's default */
#define ENROL_CODE_TTL_MAX_S (14 * 86400)

typedef struct central_enrol central_enrol_t;

/* One answer to POST /v1/enrol. */
typedef struct central_enrol_answer {
    unsigned status;   /* 200, 400, 403, 429, 500, 503 */
    char code[32];     /* the error code ("" on 200) */
    char message[160]; /* for people */
    int retry_after_s; /* 429/503: > 0 */
    char *json;        /* 200: the enrol_proto answer (hk_free it); else NULL */
    size_t len;
} central_enrol_answer_t;

/**
 * Load the operator CA that signs (its certificate file may hold the chain
 * above it: the whole file is sent as ca_chain).
 * @param validity_days  of the certificates it signs, 1..3650.
 * @param diag  "enrol.ca_key: …".
 * @return HK_OK; HK_ERR_IO (a file); HK_ERR_TLS (GnuTLS refused it, or the
 *         key is not the certificate's); HK_ERR_NOMEM.
 */
hk_err_t central_enrol_create(const char *ca_cert, const char *ca_key, int validity_days,
                              central_enrol_t **out, hk_diag_t *diag);

/** NULL ok. */
void central_enrol_destroy(central_enrol_t *e);

/**
 * Serve one POST /v1/enrol body.
 * @param s          this thread's store.
 * @param client_ip  for the rate limit ("" = unknown: not limited).
 * @param ans        filled; free ans->json with hk_free.
 * @return HK_OK (an answer is in ans, whatever its status); HK_ERR_NOMEM.
 */
hk_err_t central_enrol_serve(central_enrol_t *e, central_store_t *s, const char *client_ip,
                             const char *body, size_t len, int64_t now_ms,
                             central_enrol_answer_t *ans);

/**
 * Make and store a new code for device (hall-central enrol-code).
 * @param ttl_s  1..ENROL_CODE_TTL_MAX_S.
 * @param code_out  the code, shown once to the engineer.
 * @return HK_OK; HK_ERR_INVALID; the store's errors.
 */
hk_err_t central_enrol_new_code(central_store_t *s, const char *device, int ttl_s, int64_t now_ms,
                                char code_out[ENROL_CODE_LEN]);

/**
 * The stored form of a code: SHA-256 of its canonical form, hex.
 * @return HK_OK; HK_ERR_INVALID not a code.
 */
hk_err_t central_enrol_code_hash(const char *code, char hex_out[65]);

#endif
