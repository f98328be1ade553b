/*
 * central_auth: scopes and self-proving session cookies (central_auth.h).
 */
#include "central_auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define MAC_LEN 16 /* bytes; 32 hex digits in the cookie */

/* Static prototypes -------------------------------------------------------*/
static bool user_ok(const char *user, size_t len);
static bool key_bytes(const char *key_hex, unsigned char key[32]);
static void mac_hex(const unsigned char key[32], const char *msg, size_t len,
                    char out[MAC_LEN * 2 + 1]);

/* Public functions --------------------------------------------------------*/

hk_err_t central_scope_parse(const char *text, const char *path, central_scope_t *out,
                             hk_diag_t *diag)
{
    static const struct {
        const char *prefix;
        central_scope_level_t level;
    } kinds[] = { { "province:", CENTRAL_SCOPE_PROVINCE },
                  { "city:", CENTRAL_SCOPE_CITY },
                  { "branch:", CENTRAL_SCOPE_BRANCH } };
    size_t i;

    memset(out, 0, sizeof(*out));
    if(text && strcmp(text, "hq") == 0) {
        out->level = CENTRAL_SCOPE_HQ;
        return HK_OK;
    }
    for(i = 0; text && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t n = strlen(kinds[i].prefix);
        if(strncmp(text, kinds[i].prefix, n) == 0 && text[n] &&
           strlen(text + n) < sizeof(out->name)) {
            out->level = kinds[i].level;
            (void)snprintf(out->name, sizeof(out->name), "%s", text + n);
            return HK_OK;
        }
    }
    hk_diag_set(diag, "%s: must be hq, province:NAME, city:NAME or branch:ID", path);
    return HK_ERR_INVALID;
}

bool central_scope_covers(const central_scope_t *scope, const char *branch_id, const char *city,
                          const char *province)
{
    const char *have;

    if(!scope)
        return false;
    switch(scope->level) {
    case CENTRAL_SCOPE_HQ: return true;
    case CENTRAL_SCOPE_PROVINCE: have = province; break;
    case CENTRAL_SCOPE_CITY: have = city; break;
    case CENTRAL_SCOPE_BRANCH: have = branch_id; break;
    default: return false;
    }
    return have && have[0] && strcmp(have, scope->name) == 0;
}

hk_err_t central_session_issue(const char *key_hex, const char *user, int64_t expires_ms,
                               char out[CENTRAL_AUTH_COOKIE_LEN])
{
    unsigned char key[32];
    char msg[96], mac[MAC_LEN * 2 + 1];
    int n;

    out[0] = '\0';
    if(!user || !user_ok(user, strlen(user)) || expires_ms < 0 || !key_bytes(key_hex, key))
        return HK_ERR_INVALID;
    n = snprintf(msg, sizeof(msg), "%s.%" PRId64, user, expires_ms);
    mac_hex(key, msg, (size_t)n, mac);
    sodium_memzero(key, sizeof(key));
    (void)snprintf(out, CENTRAL_AUTH_COOKIE_LEN, "%s.%s", msg, mac);
    return HK_OK;
}

bool central_session_check(const char *key_hex, const char *cookie, int64_t now_ms,
                           char user_out[CENTRAL_ID_LEN])
{
    unsigned char key[32];
    char want[MAC_LEN * 2 + 1];
    const char *dot1, *dot2;
    char *end = NULL;
    long long expires;
    bool ok;

    user_out[0] = '\0';
    if(!cookie || strlen(cookie) >= CENTRAL_AUTH_COOKIE_LEN)
        return false;
    dot1 = strchr(cookie, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if(!dot1 || !dot2 || !user_ok(cookie, (size_t)(dot1 - cookie)) ||
       (size_t)(dot1 - cookie) >= CENTRAL_ID_LEN || strlen(dot2 + 1) != MAC_LEN * 2 ||
       dot2 == dot1 + 1 || strspn(dot1 + 1, "0123456789") != (size_t)(dot2 - dot1 - 1))
        return false;
    expires = strtoll(dot1 + 1, &end, 10);
    if(end != dot2 || expires <= now_ms || !key_bytes(key_hex, key))
        return false;
    mac_hex(key, cookie, (size_t)(dot2 - cookie), want);
    sodium_memzero(key, sizeof(key));
    ok = sodium_memcmp(want, dot2 + 1, MAC_LEN * 2) == 0;
    if(ok) {
        memcpy(user_out, cookie, (size_t)(dot1 - cookie));
        user_out[dot1 - cookie] = '\0';
    }
    return ok;
}

bool central_password_ok(const char *hash, const char *password)
{
    if(!hash || !password || !hash[0] || strlen(password) > 256 || sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* Static functions --------------------------------------------------------*/

static bool user_ok(const char *user, size_t len)
{
    size_t i;

    if(len == 0 || len > 40)
        return false;
    for(i = 0; i < len; i++) {
        char c = user[i];
        if(!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool key_bytes(const char *key_hex, unsigned char key[32])
{
    return key_hex && strlen(key_hex) == CENTRAL_AUTH_KEY_HEX_LEN &&
           sodium_hex2bin(key, 32, key_hex, CENTRAL_AUTH_KEY_HEX_LEN, NULL, NULL, NULL) == 0;
}

static void mac_hex(const unsigned char key[32], const char *msg, size_t len,
                    char out[MAC_LEN * 2 + 1])
{
    unsigned char mac[MAC_LEN];

    crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg, len, key, 32);
    sodium_bin2hex(out, MAC_LEN * 2 + 1, mac, sizeof(mac));
}
