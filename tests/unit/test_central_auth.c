/*
 * test_central_auth: a report user sees their own scope (a city manager
 * their city's branches, not the next city's); a session cookie proves
 * itself to any instance with the key, and a changed user, expiry or MAC,
 * an expired cookie or another key is refused; passwords check against
 * Argon2id hashes.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "central_auth.h"
#include "hk_test.h"

#define KEY  "8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"
#define KEY2 "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"

void setUp(void)
{
}

void tearDown(void)
{
}

static void test_scopes_cover_what_rolls_up_into_them(void)
{
    central_scope_t s;
    hk_diag_t diag;

    HK_ASSERT_OK(central_scope_parse("hq", "users[0].scope", &s, &diag));
    HK_ASSERT(central_scope_covers(&s, "b1", "上海", "上海"));
    HK_ASSERT_OK(central_scope_parse("province:广东", "users[0].scope", &s, &diag));
    HK_ASSERT(central_scope_covers(&s, "gz-01", "广州", "广东"));
    HK_ASSERT(central_scope_covers(&s, "sz-01", "深圳", "广东"));
    HK_ASSERT(!central_scope_covers(&s, "b1", "上海", "上海"));
    HK_ASSERT_OK(central_scope_parse("city:深圳", "users[0].scope", &s, &diag));
    HK_ASSERT(central_scope_covers(&s, "sz-01", "深圳", "广东"));
    HK_ASSERT(!central_scope_covers(&s, "gz-01", "广州", "广东"));
    HK_ASSERT_OK(central_scope_parse("branch:sz-01", "users[0].scope", &s, &diag));
    HK_ASSERT(central_scope_covers(&s, "sz-01", "深圳", "广东"));
    HK_ASSERT(!central_scope_covers(&s, "sz-02", "深圳", "广东"));
    /* a branch with no city configured is not in every city */
    HK_ASSERT_OK(central_scope_parse("city:深圳", "u", &s, &diag));
    HK_ASSERT(!central_scope_covers(&s, "x", "", ""));

    HK_ASSERT_INT(HK_ERR_INVALID, central_scope_parse("city:", "users[3].scope", &s, &diag));
    HK_ASSERT_STR("users[3].scope: must be hq, province:NAME, city:NAME or branch:ID", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID, central_scope_parse("country:cn", "u", &s, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, central_scope_parse(NULL, "u", &s, &diag));
}

static void test_session_cookie_proves_itself_until_it_expires(void)
{
    char c[CENTRAL_AUTH_COOKIE_LEN], forged[CENTRAL_AUTH_COOKIE_LEN + 16], user[CENTRAL_ID_LEN];
    char *dot;

    HK_ASSERT_OK(central_session_issue(KEY, "li-manager", 5000, c));
    HK_ASSERT(central_session_check(KEY, c, 4999, user));
    HK_ASSERT_STR("li-manager", user);
    HK_ASSERT(!central_session_check(KEY, c, 5000, user)); /* expired */
    HK_ASSERT_STR("", user);
    HK_ASSERT(!central_session_check(KEY2, c, 1, user)); /* another key */

    /* another user with the same MAC */
    (void)snprintf(forged, sizeof(forged), "li-managex%s", c + strlen("li-manager"));
    HK_ASSERT(!central_session_check(KEY, forged, 1, user));
    /* a later expiry with the same MAC */
    (void)snprintf(forged, sizeof(forged), "li-manager.9%s", c + strlen("li-manager."));
    HK_ASSERT(!central_session_check(KEY, forged, 1, user));
    /* a flipped MAC digit */
    (void)snprintf(forged, sizeof(forged), "%s", c);
    dot = strrchr(forged, '.');
    dot[1] = dot[1] == '0' ? '1' : '0';
    HK_ASSERT(!central_session_check(KEY, forged, 1, user));
    /* malformed */
    HK_ASSERT(!central_session_check(KEY, "", 1, user));
    HK_ASSERT(!central_session_check(KEY, "a.b.c", 1, user));
    HK_ASSERT(!central_session_check(KEY, "li.+5000.00000000000000000000000000000000", 1, user));
    HK_ASSERT(!central_session_check(KEY, NULL, 1, user));
    HK_ASSERT_INT(HK_ERR_INVALID, central_session_issue(KEY, "li manager", 5000, c));
    HK_ASSERT_INT(HK_ERR_INVALID, central_session_issue("short", "li", 5000, c));
}

static void test_passwords_check_against_argon2id(void)
{
    char hash[crypto_pwhash_STRBYTES];

    HK_ASSERT(sodium_init() >= 0);
    HK_ASSERT(crypto_pwhash_str(hash, "morning-figures", 15, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0);
    HK_ASSERT(central_password_ok(hash, "morning-figures"));
    HK_ASSERT(!central_password_ok(hash, "morning-figure"));
    HK_ASSERT(!central_password_ok("", "x"));
    HK_ASSERT(!central_password_ok("$argon2id$garbage", "x"));
}

int main(void)
{
    HK_RUN(test_scopes_cover_what_rolls_up_into_them);
    HK_RUN(test_session_cookie_proves_itself_until_it_expires);
    HK_RUN(test_passwords_check_against_argon2id);
    return hk_test_end();
}
