/*
 * test_staff_auth: staff PIN checks against the sample branch's Argon2id
 * hashes, and the lockout a guessing clerk (or script) meets: 5 wrong
 * PINs within 5 minutes lock the staff id and, separately, the source;
 * the lock lifts when the oldest failure is 5 minutes old; a right PIN
 * clears the id's count.
 */
#include <stdio.h>

#include "config.h"
#include "hk_test.h"
#include "staff_auth.h"

static config_t cfg;
static hk_diag_t diag;
static staff_auth_t *auth;

void setUp(void)
{
    char path[1024];
    (void)snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &cfg, &diag));
    HK_ASSERT_OK(staff_auth_create(&auth));
}

void tearDown(void)
{
    staff_auth_destroy(auth);
    auth = NULL;
}

static void test_staff_auth_right_pin_names_the_member(void)
{
    int idx = -1;
    HK_ASSERT_OK(staff_auth_check(auth, &cfg, "s3", "246810", "10.0.0.7", 1000, &idx, NULL));
    HK_ASSERT(idx >= 0);
    HK_ASSERT_STR("s3", cfg.staff[idx].id);
    HK_ASSERT_STR("张敏", cfg.staff[idx].name_zh);
}

static void test_staff_auth_wrong_pin_and_unknown_id_are_refused_alike(void)
{
    int idx = -1;
    HK_ASSERT_INT(HK_ERR_INVALID,
                  staff_auth_check(auth, &cfg, "s1", "246811", "10.0.0.7", 1000, &idx, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  staff_auth_check(auth, &cfg, "nobody", "246810", "10.0.0.8", 1000, &idx, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  staff_auth_check(auth, &cfg, "s1", "", "10.0.0.9", 1000, &idx, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, staff_auth_check(auth, &cfg, NULL, NULL, NULL, 1000, &idx, NULL));
    HK_ASSERT_INT(-1, idx);
}

static void test_staff_auth_five_failures_lock_the_id_for_five_minutes(void)
{
    int retry = 0, i;
    char src[32];
    /* from five different sources, so only the id's count reaches 5 */
    for(i = 0; i < STAFF_AUTH_MAX_FAILS; i++) {
        (void)snprintf(src, sizeof(src), "10.0.1.%d", i);
        HK_ASSERT_INT(HK_ERR_INVALID, staff_auth_check(auth, &cfg, "s2", "000000", src,
                                                       1000 + i * 1000, NULL, NULL));
    }
    /* now even the right PIN is not checked */
    HK_ASSERT_INT(HK_ERR_BUSY,
                  staff_auth_check(auth, &cfg, "s2", "246810", "10.0.2.1", 10000, NULL, &retry));
    HK_ASSERT_INT(291, retry); /* oldest failure at 1 s + 300 s - now 10 s */
    /* other staff ids are not affected */
    HK_ASSERT_OK(staff_auth_check(auth, &cfg, "s4", "246810", "10.0.2.1", 10000, NULL, NULL));
    /* once the oldest failure is 5 minutes old, a try counts again */
    HK_ASSERT_OK(
        staff_auth_check(auth, &cfg, "s2", "246810", "10.0.2.1", 1000 + 300000, NULL, NULL));
}

static void test_staff_auth_five_failures_lock_the_source_across_ids(void)
{
    int retry = 0, i;
    const char *ids[] = { "s1", "s2", "s3", "s4", "s5" };
    for(i = 0; i < STAFF_AUTH_MAX_FAILS; i++)
        HK_ASSERT_INT(HK_ERR_INVALID, staff_auth_check(auth, &cfg, ids[i], "999999", "192.168.1.50",
                                                       5000, NULL, NULL));
    HK_ASSERT_INT(HK_ERR_BUSY,
                  staff_auth_check(auth, &cfg, "s6", "246810", "192.168.1.50", 6000, NULL, &retry));
    HK_ASSERT(retry >= 299 && retry <= 300);
    /* the same member from another terminal still gets in */
    HK_ASSERT_OK(staff_auth_check(auth, &cfg, "s6", "246810", "192.168.1.51", 6000, NULL, NULL));
}

static void test_staff_auth_right_pin_clears_the_ids_count(void)
{
    int i;
    for(i = 0; i < STAFF_AUTH_MAX_FAILS - 1; i++)
        HK_ASSERT_INT(HK_ERR_INVALID,
                      staff_auth_check(auth, &cfg, "s5", "1", "", 1000 + i, NULL, NULL));
    HK_ASSERT_OK(staff_auth_check(auth, &cfg, "s5", "246810", "", 2000, NULL, NULL));
    /* four more wrong tries do not lock: the count started again (but the
     * screen's source count does not reset on success, so use another) */
    for(i = 0; i < STAFF_AUTH_MAX_FAILS - 1; i++)
        HK_ASSERT_INT(HK_ERR_INVALID,
                      staff_auth_check(auth, &cfg, "s5", "1", "10.9.9.9", 3000 + i, NULL, NULL));
    HK_ASSERT_OK(staff_auth_check(auth, &cfg, "s5", "246810", "10.9.9.8", 4000, NULL, NULL));
}

static void test_staff_auth_overlong_pin_is_refused_without_hashing(void)
{
    char pin[STAFF_AUTH_PIN_MAX + 8];
    memset(pin, '2', sizeof(pin) - 1);
    pin[sizeof(pin) - 1] = '\0';
    HK_ASSERT_INT(HK_ERR_INVALID, staff_auth_check(auth, &cfg, "s1", pin, "", 1, NULL, NULL));
}

int main(void)
{
    HK_RUN(test_staff_auth_right_pin_names_the_member);
    HK_RUN(test_staff_auth_wrong_pin_and_unknown_id_are_refused_alike);
    HK_RUN(test_staff_auth_five_failures_lock_the_id_for_five_minutes);
    HK_RUN(test_staff_auth_five_failures_lock_the_source_across_ids);
    HK_RUN(test_staff_auth_right_pin_clears_the_ids_count);
    HK_RUN(test_staff_auth_overlong_pin_is_refused_without_hashing);
    return hk_test_end();
}
