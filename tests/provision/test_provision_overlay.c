/*
 * The provision.json overlay (app/core/provision.c): its keys replace the
 * config file's whole; a device without one runs on the config alone; an
 * unknown key, a key of the wrong type and a value the config refuses are
 * errors naming the file and the field (and the start is refused: the
 * caller's rule, provision.h); allocation failures are clean.
 * (engineer.pin_hash is ENGINEER's config key: tested once both land.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "provision.h"

static char cfg_path[1200];
static config_t cfg;

void setUp(void)
{
    snprintf(cfg_path, sizeof(cfg_path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    unsetenv("HK_DATA_DIR");
}
void tearDown(void)
{
}

static void write_overlay(const char *dd, const char *text)
{
    char path[1300];
    FILE *f;

    mkdir(dd, 0700);
    HK_ASSERT(snprintf(path, sizeof(path), "%s/provision.json", dd) < (int)sizeof(path));
    f = fopen(path, "w");
    HK_ASSERT(f);
    fputs(text, f);
    fclose(f);
}

static hk_err_t load(const char *dd, bool *over, hk_diag_t *diag)
{
    char data[1200];

    return provision_config_load(cfg_path, NULL, 0, dd, &cfg, data, sizeof(data), over, diag);
}

static void test_overlay_absent_the_config_alone(void)
{
    char dd[1200];
    bool over = true;
    hk_diag_t diag;

    snprintf(dd, sizeof(dd), "%s", hk_test_path("plain"));
    HK_ASSERT_OK(load(dd, &over, &diag));
    HK_ASSERT(!over);
    HK_ASSERT_STR("", cfg.central.url);
    HK_ASSERT_STR(dd, cfg.data_dir);
}

static void test_overlay_replaces_its_keys_whole(void)
{
    char dd[1200];
    bool over = false;
    hk_diag_t diag;

    snprintf(dd, sizeof(dd), "%s", hk_test_path("prov"));
    write_overlay(dd,
                  "{\"_comment\":\"x\",\"role\":\"display\",\"device\":{\"id\":\"kiosk-7\"},"
                  "\"central\":{\"url\":\"https://hq.example:8443\",\"ca_file\":\"/d/pki/ca.pem\","
                  "\"client_cert\":\"/d/pki/device.crt\",\"client_key\":\"/d/pki/device.key\"},"
                  "\"printer\":{\"kind\":\"file\",\"target\":\"t.escpos\",\"width_dots\":384}}");
    HK_ASSERT_OK(load(dd, &over, &diag));
    HK_ASSERT(over);
    HK_ASSERT_INT(CONFIG_ROLE_DISPLAY, cfg.role);
    HK_ASSERT_STR("kiosk-7", cfg.device.id);
    HK_ASSERT_STR("https://hq.example:8443", cfg.central.url);
    HK_ASSERT_STR("/d/pki/device.key", cfg.central.client_key);
    HK_ASSERT_INT(384, cfg.printer.width_dots);
    /* what the overlay does not name stays the config file's */
    HK_ASSERT(cfg.n_services > 0);
}

static void test_overlay_errors_name_the_file_and_field(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        { "{\"branch\":{\"id\":\"b9\"}}", "branch: unknown key (provision.json holds only" },
        { "{\"role\":3}", "role: expected a string" },
        { "{\"central\":\"https://x\"}", "central: expected an object" },
        { "{\"central\":{\"url\":\"https://x\",\"zzz\":1}}", "central.zzz" },
        { "{\"role\":\"toaster\"}", "role" },
        { "{\"device\":{\"id\":\"Kiosk 7\"}}", "device.id" },
        { "[1,2]", "expected a JSON object" },
        { "{\"role\":", "not valid JSON" },
    };
    char dd[1200];
    hk_diag_t diag;
    size_t i;

    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(dd, sizeof(dd), "%s", hk_test_path("bad"));
        write_overlay(dd, cases[i].text);
        HK_ASSERT_MSG(load(dd, NULL, &diag) == HK_ERR_INVALID, "case %zu passed", i);
        HK_ASSERT_CONTAINS(diag.msg, "provision.json: ");
        HK_ASSERT_CONTAINS(diag.msg, cases[i].want);
    }
}

static void test_overlay_allocation_failures_are_clean(void)
{
    const char *ov = "{\"role\":\"hub\",\"central\":{\"url\":\"https://hq.example\"}}";
    char *merged = NULL, *text = NULL;
    size_t len = 0, tlen = 0;
    hk_diag_t diag;
    hk_err_t rc;
    long n, live;
    FILE *f = fopen(cfg_path, "rb");

    HK_ASSERT(f);
    text = malloc(CONFIG_MAX_FILE_BYTES);
    tlen = fread(text, 1, CONFIG_MAX_FILE_BYTES, f);
    fclose(f);
    live = hk_mem_live();
    for(n = 1;; n += hk_test_fail_step()) {
        hk_mem_fail_nth(n);
        rc = provision_merge(text, tlen, ov, strlen(ov), &merged, &len, &diag);
        hk_mem_fail_nth(0);
        if(rc == HK_OK)
            break;
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(merged == NULL);
        HK_ASSERT_INT(live, hk_mem_live());
    }
    HK_ASSERT(n > 1); /* not vacuous */
    HK_ASSERT_CONTAINS(merged, "\"role\":\"hub\"");
    hk_free(merged);
    free(text);
}

int main(void)
{
    HK_RUN(test_overlay_absent_the_config_alone);
    HK_RUN(test_overlay_replaces_its_keys_whole);
    HK_RUN(test_overlay_errors_name_the_file_and_field);
    HK_RUN(test_overlay_allocation_failures_are_clean);
    return hk_test_end();
}
