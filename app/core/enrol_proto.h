/*
 * enrol_proto: the wire format of hall-central's enrolment (POST /v1/enrol),
 * for both ends: `hallctl provision` encodes the request and decodes the
 * answer, hall-central decodes the request and encodes the answer. Strict
 * decoders (unknown keys refused, every field checked, field paths in the
 * diag), like central_proto. It knows nothing of X.509: the PEM texts are
 * checked for their shape (ASCII armour, size) only; GnuTLS reads them at
 * either end.
 *
 *   request  {"device":"kiosk-7","code":"K7QD-3MZP-X2RA-9FHT",
 *             "csr":"-----BEGIN NEW CERTIFICATE REQUEST-----\n…"}
 *   answer   {"device":"kiosk-7","branch":"b001",
 *             "certificate":"-----BEGIN CERTIFICATE-----\n…",
 *             "ca_chain":"-----BEGIN CERTIFICATE-----\n…",
 *             "not_after_ms":1800000000000}
 *
 * An enrolment code is ENROL_CODE_GROUPS groups of 4 characters of
 * Crockford's base32 (no I, L, O, U) joined by '-': 80 random bits, typed by
 * an engineer. enrol_proto_code_normalise() makes what was typed (lower
 * case, spaces, no dashes, O for 0, I/L for 1) the canonical form, which is
 * what is hashed.
 */
#ifndef HK_APP_CORE_ENROL_PROTO_H
#define HK_APP_CORE_ENROL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"

#define ENROL_PEM_MAX       8192 /* one CSR or certificate, bytes */
#define ENROL_CHAIN_MAX     16384
#define ENROL_BODY_MAX      16384 /* a request body */
#define ENROL_REPLY_MAX     32768 /* an answer body */
#define ENROL_CODE_GROUPS   4
#define ENROL_CODE_LEN      (ENROL_CODE_GROUPS * 5) /* "XXXX-XXXX-XXXX-XXXX" + NUL */
#define ENROL_CODE_RAW_BITS 80

typedef struct enrol_req {
    char device[CONFIG_ID_LEN];
    char code[ENROL_CODE_LEN]; /* canonical (normalised) */
    char csr[ENROL_PEM_MAX];   /* PEM */
} enrol_req_t;

typedef struct enrol_reply {
    char device[CONFIG_ID_LEN];
    char branch[CONFIG_ID_LEN];
    char certificate[ENROL_PEM_MAX]; /* PEM */
    char ca_chain[ENROL_CHAIN_MAX];  /* PEM, one or more certificates */
    int64_t not_after_ms;
} enrol_reply_t;

/**
 * The canonical form of a typed code: upper case, Crockford's aliases
 * (O->0, I/L->1), spaces and dashes dropped, then grouped by 4 with '-'.
 * @param out  ENROL_CODE_LEN bytes; written only on HK_OK.
 * @return HK_OK; HK_ERR_INVALID not 16 base32 characters.
 */
hk_err_t enrol_proto_code_normalise(const char *typed, char out[ENROL_CODE_LEN]);

/**
 * A new code from 10 random bytes (the caller's: libsodium's randombytes
 * at the server), canonical.
 */
void enrol_proto_code_format(const uint8_t raw[ENROL_CODE_RAW_BITS / 8], char out[ENROL_CODE_LEN]);

/**
 * Encode a request (hallctl provision).
 * @param out  NUL-terminated JSON, hk_free it.
 * @return HK_OK; HK_ERR_INVALID (a bad id, code or PEM); HK_ERR_NOMEM.
 */
hk_err_t enrol_proto_req_encode(const enrol_req_t *r, char **out, size_t *len_out);

/**
 * Decode and validate a request (hall-central). The code is normalised.
 * @param out   written only on HK_OK.
 * @param diag  "csr: not a PEM certificate request", "code: …", "zzz: unknown key".
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_NOMEM.
 */
hk_err_t enrol_proto_req_decode(const char *text, size_t len, enrol_req_t *out, hk_diag_t *diag);

/** Encode an answer (hall-central). out: hk_free it. */
hk_err_t enrol_proto_reply_encode(const enrol_reply_t *r, char **out, size_t *len_out);

/** Decode and validate an answer (hallctl provision). out written only on HK_OK. */
hk_err_t enrol_proto_reply_decode(const char *text, size_t len, enrol_reply_t *out,
                                  hk_diag_t *diag);

#endif
