/*
 * test_config_live: the owner of the config in force. Replacing bumps the
 * generation and is seen whole; an acquired snapshot survives replacement
 * until released; a bad file or an allocation failure keeps the last good
 * config and generation; and a replacing thread never shows a reading
 * thread a torn config (this test is meant to run under ThreadSanitizer).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "config_live.h"
#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"

#define MIN_JSON                                                                 \
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"      \
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\"," \
    "\"name_en\":\"General\"}],"                                                 \
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}]}"

#define REPLACEMENTS 3000

static config_t base;
static hk_diag_t diag;

void setUp(void)
{
    HK_ASSERT_OK(config_parse(MIN_JSON, strlen(MIN_JSON), &base, &diag));
}

void tearDown(void)
{
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    HK_ASSERT(f != NULL);
    HK_ASSERT_INT(strlen(text), fwrite(text, 1, strlen(text), f));
    HK_ASSERT_OK(fclose(f));
}

static void test_config_live_replace_bumps_the_generation(void)
{
    config_live_t *live = NULL;
    config_t next = base;
    const config_t *cur;
    uint64_t gen = 0;

    HK_ASSERT_OK(config_live_create(&base, &live));
    HK_ASSERT_INT(1, config_live_generation(live));
    cur = config_live_acquire(live, &gen);
    HK_ASSERT_INT(1, gen);
    HK_ASSERT_STR("b1", cur->branch_id);
    config_live_release(live, cur);
    snprintf(next.branch_id, sizeof(next.branch_id), "b2");
    HK_ASSERT_OK(config_live_replace(live, &next));
    HK_ASSERT_INT(2, config_live_generation(live));
    cur = config_live_acquire(live, &gen);
    HK_ASSERT_INT(2, gen);
    HK_ASSERT_STR("b2", cur->branch_id);
    config_live_release(live, cur);
    config_live_destroy(live);
    config_live_destroy(NULL);
}

static void test_config_live_snapshot_outlives_its_replacement(void)
{
    config_live_t *live = NULL;
    config_t next = base;
    const config_t *old, *old2, *cur;
    uint64_t gen = 0;

    HK_ASSERT_OK(config_live_create(&base, &live));
    old = config_live_acquire(live, NULL);
    old2 = config_live_acquire(live, NULL);
    HK_ASSERT(old == old2);
    next.idle_timeout_s = 99;
    HK_ASSERT_OK(config_live_replace(live, &next));
    next.idle_timeout_s = 98;
    HK_ASSERT_OK(config_live_replace(live, &next));
    /* the holder still sees what it acquired, unchanged (ASan: not freed) */
    HK_ASSERT_INT(60, old->idle_timeout_s);
    config_live_release(live, old);
    HK_ASSERT_INT(60, old2->idle_timeout_s);
    config_live_release(live, old2);
    cur = config_live_acquire(live, &gen);
    HK_ASSERT_INT(3, gen);
    HK_ASSERT_INT(98, cur->idle_timeout_s);
    config_live_release(live, cur);
    config_live_release(live, NULL);
    config_live_destroy(live);
}

static void test_config_live_bad_file_keeps_the_last_good_config(void)
{
    config_live_t *live = NULL;
    const char *good = hk_test_path("good.json");
    const config_t *cur;
    char bad_json[sizeof(MIN_JSON) + 8];

    HK_ASSERT_OK(config_live_create(&base, &live));
    write_file(good, MIN_JSON);
    HK_ASSERT_OK(config_live_load_file(live, good, &diag));
    HK_ASSERT_INT(2, config_live_generation(live));
    /* a broken file: refused whole, generation and config unchanged */
    snprintf(bad_json, sizeof(bad_json), "%s", MIN_JSON);
    memcpy(strstr(bad_json, "\"A\""), "\"a\"", 3);
    write_file(hk_test_path("bad.json"), bad_json);
    HK_ASSERT_INT(HK_ERR_INVALID, config_live_load_file(live, hk_test_path("bad.json"), &diag));
    HK_ASSERT_STR("services[0].prefix: must be one letter A-Z", diag.msg);
    HK_ASSERT_INT(2, config_live_generation(live));
    HK_ASSERT_INT(HK_ERR_IO, config_live_load_file(live, hk_test_path("none.json"), &diag));
    HK_ASSERT_INT(2, config_live_generation(live));
    cur = config_live_acquire(live, NULL);
    HK_ASSERT_INT('A', cur->services[0].prefix);
    config_live_release(live, cur);
    config_live_destroy(live);
}

/* Every allocation of a replace or a file load failing in turn: an error,
 * the old config and generation in force, nothing leaked. */
static void test_config_live_allocation_failure_keeps_the_old_config(void)
{
    config_live_t *live = NULL;
    const char *good = hk_test_path("good.json");
    int failures = 0;
    long n;

    write_file(good, MIN_JSON);
    hk_log_set_stderr(false); /* one "kept the config" warning per failure */
    for(n = 1; n < 1000; n++) {
        hk_err_t rc;

        hk_mem_fail_nth(n);
        rc = config_live_create(&base, &live);
        hk_mem_fail_nth(0);
        if(rc == HK_OK)
            break;
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(live == NULL);
    }
    for(n = 1; n < 100000; n++) {
        const config_t *cur;
        hk_err_t rc;

        hk_mem_fail_nth(n);
        rc = config_live_load_file(live, good, &diag);
        hk_mem_fail_nth(0);
        if(rc == HK_OK)
            break;
        failures++;
        HK_ASSERT_MSG(rc == HK_ERR_NOMEM, "N=%ld: %d (%s)", n, (int)rc, diag.msg);
        HK_ASSERT_INT(1, config_live_generation(live));
        cur = config_live_acquire(live, NULL);
        HK_ASSERT_STR("b1", cur->branch_id);
        config_live_release(live, cur);
    }
    hk_log_set_stderr(true);
    HK_ASSERT_MSG(failures > 20, "only %d allocations were exercised", failures);
    HK_ASSERT_INT(2, config_live_generation(live));
    config_live_destroy(live);
}

typedef struct race {
    config_live_t *live;
    atomic_int done;
    long reads;
    const char *torn;
} race_t;

/* Each replacement writes its sequence number into three fields far apart
 * in config_t; a reader that ever sees them disagree saw a torn copy. */
static void *replacer(void *arg)
{
    race_t *r = arg;
    static config_t next;
    int i;

    next = base;
    for(i = 1; i <= REPLACEMENTS; i++) {
        next.idle_timeout_s = i;
        next.counters[0].number = i;
        next.max_pass_over_s = i;
        snprintf(next.data_dir, sizeof(next.data_dir), "/data/%d", i);
        if(config_live_replace(r->live, &next) != HK_OK)
            break;
    }
    atomic_store(&r->done, 1);
    return NULL;
}

static void *reader(void *arg)
{
    race_t *r = arg;
    uint64_t last_gen = 0;

    while(!atomic_load(&r->done) || r->reads < 10) {
        uint64_t gen = 0, seen = config_live_generation(r->live);
        const config_t *cfg = config_live_acquire(r->live, &gen);
        char want[32];
        int i = cfg->idle_timeout_s;

        if(gen < last_gen || gen < seen)
            r->torn = "generation went backwards";
        if(gen > 1 &&
           (cfg->counters[0].number != i || cfg->max_pass_over_s != i || gen != (uint64_t)i + 1))
            r->torn = "fields from different generations";
        snprintf(want, sizeof(want), "/data/%d", i);
        if(gen > 1 && strcmp(cfg->data_dir, want) != 0)
            r->torn = "data_dir from another generation";
        last_gen = gen;
        config_live_release(r->live, cfg);
        r->reads++;
    }
    return NULL;
}

static void test_config_live_two_threads_never_see_a_torn_config(void)
{
    race_t r;
    pthread_t tw, tr;

    memset(&r, 0, sizeof(r));
    atomic_init(&r.done, 0);
    HK_ASSERT_OK(config_live_create(&base, &r.live));
    HK_ASSERT_OK(pthread_create(&tr, NULL, reader, &r));
    HK_ASSERT_OK(pthread_create(&tw, NULL, replacer, &r));
    HK_ASSERT_OK(pthread_join(tw, NULL));
    HK_ASSERT_OK(pthread_join(tr, NULL));
    HK_ASSERT_MSG(r.torn == NULL, "%s", r.torn);
    HK_ASSERT_INT(REPLACEMENTS + 1, config_live_generation(r.live));
    HK_ASSERT(r.reads >= 10);
    config_live_destroy(r.live);
}

int main(void)
{
    HK_RUN(test_config_live_replace_bumps_the_generation);
    HK_RUN(test_config_live_snapshot_outlives_its_replacement);
    HK_RUN(test_config_live_bad_file_keeps_the_last_good_config);
    HK_RUN(test_config_live_allocation_failure_keeps_the_old_config);
    HK_RUN(test_config_live_two_threads_never_see_a_torn_config);
    return hk_test_end();
}
