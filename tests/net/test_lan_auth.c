/*
 * lan_auth on its own: the Authorization header's parser, device tokens,
 * staff sessions (opaque, 43 characters, only a hash kept), their idle
 * expiry and logout, the table giving way to the least recently used
 * session when full, and the access rules (401 / 403) per kind of call.
 * Times are passed in, so 12 hours pass in a line.
 */
#include <string.h>

#include "hk_test.h"
#include "lan_auth.h"

#define PIN_HASH                                             \
    "$argon2id$v=19$m=19456,t=2,p=1$9TAmAzTazftkRfPEX45gMw$" \
    "5knWFbDoUeD96CmGfXVTf2D1rjGgB3/f7D2lAUd44mQ" /* of 246810 */
#define T0      1795660000000LL
#define N_SLOTS 8 /* a small table: each login costs an Argon2id check */

static const char config_json[] =
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}],"
    "\"staff\":[{\"id\":\"s1\",\"name_zh\":\"王\",\"name_en\":\"Wang\",\"pin_hash\":\"" PIN_HASH
    "\"}],"
    "\"devices\":[{\"id\":\"kiosk-1\",\"token\":\"kiosk-1-token-0123456789\"},"
    "{\"id\":\"display-1\",\"token\":\"display-1-token-0123456789\"}]}";

static config_t cfg;
static lan_auth_t *auth;

void setUp(void)
{
    HK_ASSERT_OK(config_parse(config_json, sizeof(config_json) - 1, &cfg, NULL));
    HK_ASSERT_OK(lan_auth_create(&cfg, N_SLOTS, &auth));
}

void tearDown(void)
{
    lan_auth_destroy(auth);
    auth = NULL;
}

static void test_lan_auth_bearer_header_is_parsed_strictly(void)
{
    char tok[LAN_AUTH_TOKEN_MAX + 1], long_hdr[300];

    HK_ASSERT(lan_auth_parse_bearer("Bearer abc-DEF_1.2~3+/=", tok, sizeof(tok)));
    HK_ASSERT_STR("abc-DEF_1.2~3+/=", tok);
    HK_ASSERT(lan_auth_parse_bearer("  bEaReR \t xyz  ", tok, sizeof(tok)));
    HK_ASSERT_STR("xyz", tok);
    HK_ASSERT(!lan_auth_parse_bearer("Bearer", tok, sizeof(tok)));
    HK_ASSERT_STR("", tok);
    HK_ASSERT(!lan_auth_parse_bearer("Bearer ", tok, sizeof(tok)));
    HK_ASSERT(!lan_auth_parse_bearer("Bearerxyz", tok, sizeof(tok)));
    HK_ASSERT(!lan_auth_parse_bearer("Basic eHl6", tok, sizeof(tok)));
    HK_ASSERT(!lan_auth_parse_bearer("Bearer a b", tok, sizeof(tok)));
    HK_ASSERT(!lan_auth_parse_bearer("Bearer a\"b", tok, sizeof(tok)));
    HK_ASSERT(!lan_auth_parse_bearer("Bearer =abc", tok, sizeof(tok)));
    HK_ASSERT(!lan_auth_parse_bearer(NULL, tok, sizeof(tok)));
    memcpy(long_hdr, "Bearer ", 7);
    memset(long_hdr + 7, 'a', LAN_AUTH_TOKEN_MAX + 1);
    long_hdr[7 + LAN_AUTH_TOKEN_MAX + 1] = '\0';
    HK_ASSERT(!lan_auth_parse_bearer(long_hdr, tok, sizeof(tok)));
    long_hdr[7 + LAN_AUTH_TOKEN_MAX] = '\0';
    HK_ASSERT(lan_auth_parse_bearer(long_hdr, tok, sizeof(tok)));
}

static void test_lan_auth_device_tokens_name_their_device(void)
{
    lan_principal_t who;

    lan_auth_resolve(auth, "display-1-token-0123456789", T0, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_DEVICE, who.kind);
    HK_ASSERT_STR("display-1", who.device_id);
    lan_auth_resolve(auth, "display-1-token-012345678", T0, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_NONE, who.kind);
    lan_auth_resolve(auth, "", T0, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_NONE, who.kind);
    lan_auth_resolve(auth, NULL, T0, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_NONE, who.kind);
}

static void test_lan_auth_sessions_expire_when_idle_and_end_at_logout(void)
{
    char sess[LAN_AUTH_SESSION_LEN], other[LAN_AUTH_SESSION_LEN];
    lan_principal_t who;
    int retry = 0;

    HK_ASSERT_INT(HK_ERR_INVALID,
                  lan_auth_login(auth, "s1", "000000", "127.0.0.1", T0, sess, &who, &retry));
    HK_ASSERT_OK(lan_auth_login(auth, "s1", "246810", "127.0.0.1", T0, sess, &who, &retry));
    HK_ASSERT_INT(43, (long long)strlen(sess));
    HK_ASSERT(strspn(sess, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
              43);
    HK_ASSERT_INT(LAN_PRINCIPAL_STAFF, who.kind);
    HK_ASSERT_STR("s1", who.staff_id);
    HK_ASSERT_INT(T0 + LAN_AUTH_IDLE_MS, who.expires_ms);
    HK_ASSERT_OK(lan_auth_login(auth, "s1", "246810", "127.0.0.1", T0, other, &who, &retry));
    HK_ASSERT(strcmp(sess, other) != 0); /* random each time */

    /* used 11 h later: kept alive, another 12 h from then */
    lan_auth_resolve(auth, sess, T0 + 11 * 3600000LL, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_STAFF, who.kind);
    HK_ASSERT_INT(T0 + 23 * 3600000LL, who.expires_ms);
    lan_auth_resolve(auth, sess, T0 + 23 * 3600000LL, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_STAFF, who.kind);
    /* the other one idled past 12 h: gone */
    lan_auth_resolve(auth, other, T0 + 12 * 3600000LL + 1, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_NONE, who.kind);
    HK_ASSERT_INT(1, lan_auth_session_count(auth));
    /* logout */
    HK_ASSERT(lan_auth_logout(auth, sess));
    HK_ASSERT(!lan_auth_logout(auth, sess));
    lan_auth_resolve(auth, sess, T0 + 23 * 3600000LL, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_NONE, who.kind);
    HK_ASSERT_INT(0, lan_auth_session_count(auth));
}

static void test_lan_auth_a_full_table_drops_the_least_recently_used(void)
{
    char first[LAN_AUTH_SESSION_LEN], s[LAN_AUTH_SESSION_LEN], second[LAN_AUTH_SESSION_LEN];
    lan_principal_t who;
    int i, retry = 0;

    HK_ASSERT_OK(lan_auth_login(auth, "s1", "246810", "127.0.0.1", T0, first, &who, &retry));
    HK_ASSERT_OK(lan_auth_login(auth, "s1", "246810", "127.0.0.1", T0 + 1, second, &who, &retry));
    lan_auth_resolve(auth, first, T0 + 2, &who); /* first is used again: second is the oldest */
    for(i = 2; i < N_SLOTS + 1; i++)
        HK_ASSERT_OK(
            lan_auth_login(auth, "s1", "246810", "127.0.0.1", T0 + 2 + i, s, &who, &retry));
    HK_ASSERT_INT(N_SLOTS, lan_auth_session_count(auth));
    lan_auth_resolve(auth, second, T0 + 1000, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_NONE, who.kind);
    lan_auth_resolve(auth, first, T0 + 1000, &who);
    HK_ASSERT_INT(LAN_PRINCIPAL_STAFF, who.kind);
}

static void test_lan_auth_permits_by_kind_of_call(void)
{
    lan_principal_t none, dev, staff;
    lan_error_t err;

    memset(&none, 0, sizeof(none));
    memset(&dev, 0, sizeof(dev));
    memset(&staff, 0, sizeof(staff));
    dev.kind = LAN_PRINCIPAL_DEVICE;
    staff.kind = LAN_PRINCIPAL_STAFF;
    HK_ASSERT(lan_auth_permit(&none, LAN_ACCESS_PUBLIC, &err));
    HK_ASSERT(!lan_auth_permit(&none, LAN_ACCESS_DEVICE, &err));
    HK_ASSERT_INT(401, err.status);
    HK_ASSERT_STR("unauthorized", err.code);
    HK_ASSERT(lan_auth_permit(&dev, LAN_ACCESS_DEVICE, &err));
    HK_ASSERT(!lan_auth_permit(&dev, LAN_ACCESS_STAFF, &err));
    HK_ASSERT_INT(403, err.status);
    HK_ASSERT_STR("staff_session_required", err.code);
    HK_ASSERT(lan_auth_permit(&staff, LAN_ACCESS_STAFF, &err));
    HK_ASSERT(lan_auth_permit(&staff, LAN_ACCESS_DEVICE, &err));
    HK_ASSERT(lan_auth_permit(&dev, LAN_ACCESS_DEVICE_ONLY, &err));
    HK_ASSERT(!lan_auth_permit(&staff, LAN_ACCESS_DEVICE_ONLY, &err));
    HK_ASSERT_INT(403, err.status);
}

int main(void)
{
    HK_RUN(test_lan_auth_bearer_header_is_parsed_strictly);
    HK_RUN(test_lan_auth_device_tokens_name_their_device);
    HK_RUN(test_lan_auth_sessions_expire_when_idle_and_end_at_logout);
    HK_RUN(test_lan_auth_a_full_table_drops_the_least_recently_used);
    HK_RUN(test_lan_auth_permits_by_kind_of_call);
    return hk_test_end();
}
