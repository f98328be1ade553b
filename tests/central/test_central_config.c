/*
 * central_config: hall-central's config file. A good file loads with its
 * relative paths resolved against the file's directory and its branch
 * document read; each kind of mistake is refused with the field path a
 * person needs; every allocation failing in turn gives HK_ERR_NOMEM and
 * leaks nothing; seeding writes devices and documents into a real SQLite
 * store and leaves an unchanged document's ETag alone.
 */
#include <stdio.h>
#include <string.h>

#include "central_config.h"
#include "hk_mem.h"
#include "hk_test.h"

/* A branch config document central_config_decode() accepts. */
static const char doc_json[] =
    "{\"version\":3,\"config\":{\"branch\":{\"id\":\"b001\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}]},"
    "\"announcements\":[]}";

static char dir[600];

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(hk_test_path(name), "w");

    HK_ASSERT(f);
    fputs(text, f);
    fclose(f);
}

void setUp(void)
{
    snprintf(dir, sizeof(dir), "%s", hk_test_tmpdir());
    write_file("branch-b001.json", doc_json);
}

void tearDown(void)
{
}

static const char good[] =
    "{\"listen\":\"127.0.0.1:9443\",\"tls_cert\":\"server.crt\",\"tls_key\":\"/etc/k.key\","
    "\"client_ca\":\"ca.crt\",\"store\":\"sqlite:central.db\","
    "\"devices\":[{\"id\":\"kiosk-1\",\"branch\":\"b001\",\"token_sha256\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "{\"id\":\"kiosk-2\",\"branch\":\"b001\",\"enabled\":false}],"
    "\"branches\":[{\"id\":\"b001\",\"name_zh\":\"徐汇\",\"name_en\":\"Xuhui\",\"city\":\"上海\","
    "\"province\":\"上海\",\"config_file\":\"branch-b001.json\"}],"
    "\"retry_after_s\":9,\"max_inflight\":32,\"threads\":3}";

static void test_central_config_loads_and_resolves_paths(void)
{
    central_config_t c;
    central_token_t *tokens = NULL;
    char want[1200];
    hk_diag_t diag;
    int n = 0;

    write_file("hall-central.json", good);
    hk_diag_clear(&diag);
    HK_ASSERT_MSG(central_config_load(hk_test_path("hall-central.json"), &c, &diag) == HK_OK, "%s",
                  diag.msg);
    HK_ASSERT_STR("127.0.0.1:9443", c.listen);
    snprintf(want, sizeof(want), "%s/server.crt", dir);
    HK_ASSERT_STR(want, c.tls_cert);
    HK_ASSERT_STR("/etc/k.key", c.tls_key); /* absolute: kept */
    snprintf(want, sizeof(want), "sqlite:%s/central.db", dir);
    HK_ASSERT_STR(want, c.store);
    HK_ASSERT_INT(2, c.n_devices);
    HK_ASSERT(c.devices[0].enabled);
    HK_ASSERT(!c.devices[1].enabled);
    HK_ASSERT_STR("", c.devices[1].token_hash);
    HK_ASSERT_INT(1, c.n_branches);
    HK_ASSERT_STR("上海", c.branches[0].city);
    HK_ASSERT_STR(doc_json, c.branches[0].doc);
    HK_ASSERT_INT(9, c.retry_after_s);
    HK_ASSERT_INT(32, c.max_inflight);
    HK_ASSERT_INT(3, c.threads);
    HK_ASSERT_OK(central_config_tokens(&c, &tokens, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_STR("kiosk-1", tokens[0].device);
    hk_free(tokens);
    central_config_fini(&c);
}

/* text must be refused with a diag containing want. */
static void refused(const char *text, const char *want)
{
    central_config_t c;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    HK_ASSERT_MSG(central_config_parse(text, strlen(text), dir, &c, &diag) != HK_OK, "accepted: %s",
                  text);
    HK_ASSERT_CONTAINS(diag.msg, want);
}

#define BASE "\"tls_cert\":\"s.crt\",\"tls_key\":\"s.key\",\"client_ca\":\"ca.crt\""

static void test_central_config_refuses_mistakes_with_their_field_path(void)
{
    refused("[]", "must be a JSON object");
    refused("{" BASE "}", "store: missing");
    refused("{" BASE ",\"store\":\"mysql://x\"}", "store: expected sqlite:PATH");
    refused("{" BASE ",\"store\":\"sqlite:\"}", "store: sqlite: needs a file path");
    refused("{\"tls_key\":\"s.key\",\"client_ca\":\"ca.crt\",\"store\":\"sqlite:x\"}",
            "tls_cert: missing");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"listen\":\"0.0.0.0\"}",
            "listen 0.0.0.0: expected HOST:PORT");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"colour\":1}", "colour: unknown key");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"retry_after_s\":0}",
            "retry_after_s: must be 1..3600");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"devices\":[{\"id\":\"k1\",\"branch\":\"b9\"}]}",
            "devices[0].branch: no branch \"b9\" in branches");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"branches\":[{\"id\":\"b1\"}],"
            "\"devices\":[{\"id\":\"k1\",\"branch\":\"b1\"},{\"id\":\"k1\",\"branch\":\"b1\"}]}",
            "devices[1].id: \"k1\" is also devices[0]");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"branches\":[{\"id\":\"b1\"}],"
            "\"devices\":[{\"id\":\"K 1\",\"branch\":\"b1\"}]}",
            "devices[0].id: must be");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"branches\":[{\"id\":\"b1\"}],"
            "\"devices\":[{\"id\":\"k1\",\"branch\":\"b1\",\"token_sha256\":\"abc\"}]}",
            "devices[0].token_sha256: must be 64 lower-case hex digits");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"branches\":[{\"id\":\"b1\",\"config_file\":"
            "\"missing.json\"}]}",
            "branches[0].config_file: cannot open");
    /* a document for another branch, and a broken one */
    write_file("other.json", doc_json);
    refused("{" BASE ",\"store\":\"sqlite:x\",\"branches\":[{\"id\":\"b2\",\"config_file\":"
            "\"other.json\"}]}",
            "config.branch.id: \"b001\" is not the branch's id \"b2\"");
    write_file("broken.json", "{\"version\":0,\"config\":{},\"announcements\":[]}");
    refused("{" BASE ",\"store\":\"sqlite:x\",\"branches\":[{\"id\":\"b001\",\"config_file\":"
            "\"broken.json\"}]}",
            "branches[0].config_file: ");
}

static void test_central_config_allocation_failures_leak_nothing(void)
{
    central_config_t c;
    hk_diag_t diag;
    hk_err_t rc = HK_ERR_NOMEM;
    long n;
    int failures = 0;

    for(n = 1; n < 5000 && rc != HK_OK; n++) {
        hk_mem_fail_nth(n);
        rc = central_config_parse(good, sizeof(good) - 1, dir, &c, &diag);
        hk_mem_fail_nth(0);
        if(rc != HK_OK) {
            HK_ASSERT_INT(HK_ERR_NOMEM, rc);
            failures++;
        }
    }
    HK_ASSERT_INT(HK_OK, rc);
    HK_ASSERT(failures > 3); /* not a vacuous loop */
    central_config_fini(&c);
}

static void test_central_config_seeds_the_store(void)
{
    central_config_t c;
    central_store_t *s = NULL;
    central_device_t d;
    char url[1200], etag1[CENTRAL_ETAG_LEN], etag2[CENTRAL_ETAG_LEN];
    char *json = NULL;
    hk_diag_t diag;

    HK_ASSERT_OK(central_config_parse(good, sizeof(good) - 1, dir, &c, &diag));
    snprintf(url, sizeof(url), "sqlite:%s/seed.db", dir);
    HK_ASSERT_OK(central_store_open(url, &s, &diag));
    HK_ASSERT_OK(central_config_seed(&c, s, &diag));
    HK_ASSERT_OK(central_store_device_get(s, "kiosk-2", &d));
    HK_ASSERT(!d.enabled);
    HK_ASSERT_OK(central_store_config_get(s, "b001", &json, etag1));
    HK_ASSERT_STR(doc_json, json);
    HK_SAFEFREE(json);
    /* a second start with the same file: the same tag */
    HK_ASSERT_OK(central_config_seed(&c, s, &diag));
    HK_ASSERT_OK(central_store_config_get(s, "b001", &json, etag2));
    HK_SAFEFREE(json);
    HK_ASSERT_STR(etag1, etag2);
    central_store_close(s);
    central_config_fini(&c);
}

int main(void)
{
    HK_RUN(test_central_config_loads_and_resolves_paths);
    HK_RUN(test_central_config_refuses_mistakes_with_their_field_path);
    HK_RUN(test_central_config_allocation_failures_leak_nothing);
    HK_RUN(test_central_config_seeds_the_store);
    return hk_test_end();
}
