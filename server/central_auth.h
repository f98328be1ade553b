/*
 * central_auth: who may read which reports at head office. A user has a
 * scope: the whole operator ("hq"), a province, a city, or one branch;
 * they see that scope and what rolls up into it, nothing else.
 *
 * Logins are checked against Argon2id hashes (libsodium
 * crypto_pwhash_str, as `hallctl hash-pin` makes them). A login gives a
 * session cookie that carries its own proof: "user.expiry.mac", the MAC a
 * BLAKE2b keyed hash under the server's session key. Any instance holding
 * the key can check it, so several hall-central instances behind a load
 * balancer need no shared session table (DESIGN: no state that matters
 * in memory). Logging out clears the cookie; a stolen cookie is good until
 * it expires (8 h), which is why the key can be rotated in the config.
 *
 * Pure functions except the password check (tens of ms by design).
 */
#ifndef HK_SERVER_CENTRAL_AUTH_H
#define HK_SERVER_CENTRAL_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "central_proto.h"
#include "hk_err.h"

#define CENTRAL_AUTH_KEY_HEX_LEN 64
#define CENTRAL_AUTH_SESSION_MS  (8LL * 3600 * 1000)
#define CENTRAL_AUTH_COOKIE_LEN  160
#define CENTRAL_AUTH_NAME_LEN    64

typedef enum central_scope_level {
    CENTRAL_SCOPE_HQ = 0,
    CENTRAL_SCOPE_PROVINCE,
    CENTRAL_SCOPE_CITY,
    CENTRAL_SCOPE_BRANCH
} central_scope_level_t;

typedef struct central_scope {
    central_scope_level_t level;
    char name[CENTRAL_AUTH_NAME_LEN]; /* province, city or branch id; "" for hq */
} central_scope_t;

/**
 * Parse "hq", "province:上海", "city:上海", "branch:b001".
 * @param path  field path for the diag ("users[2].scope").
 */
hk_err_t central_scope_parse(const char *text, const char *path, central_scope_t *out,
                             hk_diag_t *diag);

/** Does scope cover a branch in that city and province? */
bool central_scope_covers(const central_scope_t *scope, const char *branch_id, const char *city,
                          const char *province);

/**
 * Make a session cookie value for user, valid until expires_ms.
 * @param key_hex  the server's session key, 64 hex digits.
 * @param user     [A-Za-z0-9_-]{1,40}
 * @return HK_ERR_INVALID bad key or user id.
 */
hk_err_t central_session_issue(const char *key_hex, const char *user, int64_t expires_ms,
                               char out[CENTRAL_AUTH_COOKIE_LEN]);

/**
 * Check a cookie value: well formed, MAC right (constant time), not
 * expired at now_ms.
 * @param user_out  the user id on true.
 */
bool central_session_check(const char *key_hex, const char *cookie, int64_t now_ms,
                           char user_out[CENTRAL_ID_LEN]);

/** Check a password against an Argon2id hash string. */
bool central_password_ok(const char *hash, const char *password);

#endif
