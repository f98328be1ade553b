/*
 * staff_auth: checks a member of staff's id and PIN against the config's
 * Argon2id hashes (libsodium crypto_pwhash_str_verify), and limits
 * guessing: 5 failures within 5 minutes lock out that staff id, and,
 * separately, that source address, until the oldest of those failures is
 * 5 minutes old. The PIN is checked once per login (a LAN session or a
 * counter screen's login), never per call, because a check costs tens of
 * milliseconds and ~19 MiB by design.
 *
 * Thread-safe: the LAN server checks on its connection threads, the local
 * branch on its loop thread. The failure table lives in memory: a restart
 * clears it (the hub's restart takes longer than a handful of guesses).
 * The PIN is never logged or kept.
 */
#ifndef HK_APP_CORE_STAFF_AUTH_H
#define HK_APP_CORE_STAFF_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"

#define STAFF_AUTH_MAX_FAILS 5      /* failures per window before a lockout */
#define STAFF_AUTH_WINDOW_MS 300000 /* 5 minutes */
#define STAFF_AUTH_PIN_MAX   64     /* longer PINs are refused without hashing */

typedef struct staff_auth staff_auth_t;

/** @return HK_OK, HK_ERR_NOMEM, HK_ERR_INVALID (libsodium refused to start). */
hk_err_t staff_auth_create(staff_auth_t **out);
void staff_auth_destroy(staff_auth_t *a); /* NULL ok */

/**
 * Check an id and PIN.
 * @param cfg            staff[] with pin_hash; borrowed for the call.
 * @param source         the caller's address ("127.0.0.1"), or "" (or NULL)
 *                       for a screen of this process.
 * @param now_ms         monotonic or wall ms; the same clock every call.
 * @param idx            on HK_OK, the staff member's index in cfg->staff.
 * @param retry_after_s  on HK_ERR_BUSY, seconds until a try is counted
 *                       again (>= 1). May be NULL.
 * @return HK_OK; HK_ERR_INVALID wrong id or PIN (the two are not told
 *         apart, and take the same time); HK_ERR_BUSY locked out (the PIN
 *         was not checked).
 */
hk_err_t staff_auth_check(staff_auth_t *a, const config_t *cfg, const char *staff_id,
                          const char *pin, const char *source, int64_t now_ms, int *idx,
                          int *retry_after_s);

/**
 * Check a PIN against one Argon2id hash string (`hallctl hash-pin`), the
 * same verification staff_auth_check() does; no lockout (the caller keeps
 * its own: the engineer mode's engineer_lock). Tens of milliseconds by
 * design. The PIN is not logged or kept.
 * @param hash  "$argon2id$..."; "" or NULL never matches.
 * @return true when pin matches.
 */
bool staff_auth_verify_pin(const char *hash, const char *pin);

#endif
