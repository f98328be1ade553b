/*
 * lan_auth: who is calling the LAN API. Two kinds of bearer token are
 * accepted: a device token from the config's devices[] (a kiosk, a
 * counter PC, a display, an engineer's laptop), and a staff session that
 * POST /api/v1/sessions hands out after the member of staff's id and PIN
 * were checked (staff_auth, Argon2id, rate-limited per staff id and per
 * source). A session is 32 random bytes (libsodium randombytes_buf) as
 * base64url without padding (43 characters); the hub keeps only a hash
 * of it (crypto_generichash), so a memory dump or a log line never holds
 * a usable session. Sessions live in memory: a hub restart logs everyone
 * out. A session ends 12 hours after its last use, or at logout.
 *
 * It also parses the Authorization header and decides, from what a call
 * needs (lan_api_call_access), whether the principal may make it.
 *
 * Thread-safe: the LAN server's connection threads call it at once; the
 * session table is guarded by one mutex, never held while a PIN is
 * hashed.
 */
#ifndef HK_APP_NET_LAN_AUTH_H
#define HK_APP_NET_LAN_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "hk_err.h"
#include "lan_api.h"

#define LAN_AUTH_SESSION_LEN  44  /* 43 base64url characters + NUL */
#define LAN_AUTH_TOKEN_MAX    128 /* a bearer token longer than this is unknown */
#define LAN_AUTH_IDLE_MS      (12LL * 3600 * 1000)
#define LAN_AUTH_MAX_SESSIONS 256 /* the least recently used one gives way */

typedef struct lan_auth lan_auth_t;

typedef enum lan_principal_kind {
    LAN_PRINCIPAL_NONE = 0, /* no token, or an unknown or expired one */
    LAN_PRINCIPAL_DEVICE,   /* a token from devices[] */
    LAN_PRINCIPAL_STAFF     /* a staff session */
} lan_principal_kind_t;

typedef struct lan_principal {
    lan_principal_kind_t kind;
    char device_id[CONFIG_ID_LEN]; /* DEVICE: devices[].id */
    int staff_idx;                 /* STAFF: index in cfg->staff */
    char staff_id[CONFIG_ID_LEN];  /* STAFF */
    int64_t expires_ms;            /* STAFF: wall ms the session ends if unused */
} lan_principal_t;

/**
 * @param cfg           devices[] and staff[]; borrowed, outlives the object.
 * @param max_sessions  staff sessions kept at once; 0 = LAN_AUTH_MAX_SESSIONS.
 * @param out           free with lan_auth_destroy().
 * @return HK_OK, HK_ERR_NOMEM, HK_ERR_INVALID (libsodium would not start).
 */
hk_err_t lan_auth_create(const config_t *cfg, int max_sessions, lan_auth_t **out);
void lan_auth_destroy(lan_auth_t *a); /* NULL ok */

/**
 * Put a new configuration in force (devices' tokens, staff and their PINs):
 * open staff sessions follow their member of staff to the new list, and end
 * when that member is no longer in it. The old cfg must stay valid until
 * lan_auth_destroy() (a request may still be reading it).
 * @param cfg  borrowed; outlives the lan_auth.
 * \threadsafety any thread.
 */
void lan_auth_set_config(lan_auth_t *a, const config_t *cfg);

/**
 * Check a staff id and PIN and open a session. Runs Argon2id (tens of
 * ms): call it on a connection thread, never on the hub's.
 * @param source         the caller's address, for the per-source limit.
 * @param now_ms         wall ms.
 * @param session        receives the session token (LAN_AUTH_SESSION_LEN).
 * @param who            receives the principal (STAFF).
 * @param retry_after_s  on HK_ERR_BUSY, seconds to wait.
 * @return HK_OK; HK_ERR_INVALID wrong id or PIN; HK_ERR_BUSY too many
 *         failures; HK_ERR_NOMEM.
 */
hk_err_t lan_auth_login(lan_auth_t *a, const char *staff_id, const char *pin, const char *source,
                        int64_t now_ms, char session[LAN_AUTH_SESSION_LEN], lan_principal_t *who,
                        int *retry_after_s);

/**
 * Who a bearer token is. A staff session that is used is kept alive
 * (its idle clock restarts); an expired one is forgotten.
 * @param token   NULL or "" = none.
 * @param who     always filled (kind NONE when unknown).
 */
void lan_auth_resolve(lan_auth_t *a, const char *token, int64_t now_ms, lan_principal_t *who);

/** End a staff session. @return true if it existed. */
bool lan_auth_logout(lan_auth_t *a, const char *token);

/** Staff sessions open now (tests, logs). */
int lan_auth_session_count(lan_auth_t *a);

/**
 * Parse an Authorization header: "Bearer TOKEN" (scheme case-insensitive,
 * spaces around), TOKEN of the token68 characters, 1..LAN_AUTH_TOKEN_MAX.
 * @param dst  cap bytes; receives TOKEN.
 * @return false for anything else (dst then "").
 */
bool lan_auth_parse_bearer(const char *header, char *dst, size_t cap);

/**
 * May who make a call that needs access? Fills err when not: 401
 * "unauthorized" (no or unknown token), 403 "staff_session_required" (a
 * device token on a staff action), 403 "forbidden" (a staff session where
 * only a device may call: tickets/import).
 */
bool lan_auth_permit(const lan_principal_t *who, lan_access_t access, lan_error_t *err);

#endif
