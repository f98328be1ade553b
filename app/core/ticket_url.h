/*
 * ticket_url: the ticket status URL printed as a QR code on every ticket,
 * built from the branch's ticket.url_template. The kiosk prints it; the hub
 * and the central server build the same URL to answer it, so it lives in
 * core and depends on nothing but its arguments.
 *
 * Placeholders: {branch} (branch id), {day} (business day YYYY-MM-DD),
 * {number} (A012), {sig} (the keyed checksum below). Their values are
 * percent-encoded (RFC 3986: everything but A-Z a-z 0-9 - . _ ~), the
 * template's own text is copied as written.
 *
 * {sig} keeps ticket numbers from being enumerated on the public status
 * page: it is a BLAKE2b MAC (libsodium crypto_generichash, keyed) of
 * "branch\nday\nnumber" under the branch's ticket.url_key (32 bytes,
 * 64 hex digits), cut to 50 bits and written as 10 characters of
 * Crockford base32 (lower case). Guessing one takes 2^49 tries on average.
 * Pure functions: thread-safe.
 */
#ifndef HK_APP_CORE_TICKET_URL_H
#define HK_APP_CORE_TICKET_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "hk_err.h"

#define TICKET_URL_KEY_HEX_LEN 64 /* ticket.url_key: 32 bytes as hex */
#define TICKET_URL_SIG_LEN     10 /* characters of {sig} */

/**
 * Check a template: "" (no QR code) or an http(s) URL whose only {...} are
 * the three placeholders.
 * @param tmpl  NUL-terminated.
 * @param path  field path for the diag, e.g. "ticket.url_template".
 * @param diag  "<path>: must start with https:// or http://" or
 *              "<path>: unknown placeholder at offset N (use {branch} {day}
 *              {number} {sig})". May be NULL.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t ticket_url_check_template(const char *tmpl, const char *path, hk_diag_t *diag);

/** True if the template has a {sig} placeholder (it then needs a key). */
bool ticket_url_has_sig(const char *tmpl);

/** True if key_hex is exactly 64 hex digits. */
bool ticket_url_key_ok(const char *key_hex);

/**
 * The keyed checksum of one ticket.
 * @param key_hex  64 hex digits (ticket_url_key_ok()).
 * @param out      receives TICKET_URL_SIG_LEN characters and a NUL.
 * @return HK_OK; HK_ERR_INVALID bad key or NULL argument (out is "").
 */
hk_err_t ticket_url_sig(const char *key_hex, const char *branch_id, const char *day,
                        const char *number, char out[TICKET_URL_SIG_LEN + 1]);

/** Does sig match the ticket under key_hex? Constant-time compare. */
bool ticket_url_sig_ok(const char *key_hex, const char *branch_id, const char *day,
                       const char *number, const char *sig);

/**
 * Expand a template into buf. An empty template gives "" (HK_OK).
 * @param tmpl, branch_id, day, number  borrowed, NUL-terminated.
 * @param key_hex   the ticket.url_key for {sig}; NULL or "" when the
 *                  template has no {sig} (one with {sig} and no valid key
 *                  is HK_ERR_INVALID: never a URL with a wrong checksum).
 * @param buf       receives the URL, NUL-terminated; "" on failure.
 * @param size      bytes of buf.
 * @param need_out  optional: bytes the URL needs incl. NUL, also when buf
 *                  was too small (0 for a bad template).
 * @return HK_OK; HK_ERR_NOMEM when buf is too small (nothing is ever
 *         truncated: a cut URL would print a QR code that points
 *         elsewhere; like curl's dynbuf "too big"); HK_ERR_INVALID when the
 *         template fails ticket_url_check_template().
 */
hk_err_t ticket_url_build(const char *tmpl, const char *key_hex, const char *branch_id,
                          const char *day, const char *number, char *buf, size_t size,
                          size_t *need_out);

#endif
