/*
 * test_config: the branch config parser. The sample branch file parses;
 * every kind of bad field is refused with a diag naming the full field
 * path; a refused parse leaves the caller's config untouched; business-day
 * time follows utc_offset_min; allocation failures anywhere (including
 * inside cJSON) give an error, never a crash or a leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "hk_time.h"

#define BASE_JSON                                                              \
    "{\"role\":\"kiosk\","                                                     \
    "\"branch\":{\"id\":\"sh-test-01\",\"name_zh\":\"测试营业厅\","       \
    "\"name_en\":\"Test Branch\"},"                                            \
    "\"utc_offset_min\":480,"                                                  \
    "\"hours\":{\"mon\":\"09:00-18:00\",\"tue\":\"09:00-18:00\","              \
    "\"wed\":\"09:00-18:00\",\"thu\":\"09:00-18:00\",\"fri\":\"09:00-18:00\"," \
    "\"sat\":\"09:30-17:00\",\"sun\":\"10:00-16:00\"},"                        \
    "\"services\":["                                                           \
    "{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务办理\","       \
    "\"name_en\":\"General business\",\"priority\":2,\"avg_service_s\":360},"  \
    "{\"id\":\"broadband\",\"prefix\":\"C\",\"name_zh\":\"宽带业务\","     \
    "\"name_en\":\"Broadband\",\"hours\":{\"mon\":\"09:00-17:00\","            \
    "\"tue\":\"09:00-17:00\",\"wed\":\"09:00-17:00\",\"thu\":\"09:00-17:00\"," \
    "\"fri\":\"09:00-17:00\",\"sat\":\"closed\",\"sun\":\"closed\"}},"         \
    "{\"id\":\"vip\",\"prefix\":\"V\",\"name_zh\":\"贵宾服务\","           \
    "\"name_en\":\"VIP\",\"priority\":9,\"vip\":true}],"                       \
    "\"counters\":["                                                           \
    "{\"id\":\"c1\",\"number\":1,\"services\":[\"vip\",\"general\"]},"         \
    "{\"id\":\"c2\",\"number\":2,\"services\":[\"general\",\"broadband\"]}],"  \
    "\"printer\":{\"kind\":\"file\",\"target\":\"ticket.escpos\"},"            \
    "\"ticket\":{\"url_template\":\"https://q.example/t/{branch}/{day}/{number}\"}}"

static config_t cfg;
static hk_diag_t diag;

void setUp(void)
{
    memset(&cfg, 0, sizeof(cfg));
    hk_diag_clear(&diag);
}

void tearDown(void)
{
}

/* BASE_JSON with the first occurrence of `from` replaced by `to`. */
static char *mutate(const char *from, const char *to)
{
    static char buf[8192];
    const char *base = BASE_JSON;
    const char *at = strstr(base, from);

    if(!at)
        hk_test_fail(__FILE__, __LINE__, "mutation anchor not found: %s", from);
    /* the result checked (not cast away): release builds' -Wformat-truncation */
    if(snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from)) >=
       (int)sizeof(buf))
        hk_test_fail(__FILE__, __LINE__, "mutation does not fit: %s", to);
    return buf;
}

/* Wall ms for a local (UTC+8) date and time. */
static int64_t local_ms(int y, int mo, int d, int h, int mi)
{
    hk_time_date_t date = { y, mo, d };

    return hk_time_wall_at(&date, h * 60 + mi, 480);
}

static hk_err_t config_parse_str(const char *json)
{
    return config_parse(json, strlen(json), &cfg, &diag);
}

static void expect_refused(const char *json, const char *diag_part)
{
    config_t before;
    hk_err_t rc;

    memset(&before, 0x5a, sizeof(before));
    cfg = before;
    rc = config_parse(json, strlen(json), &cfg, &diag);
    HK_ASSERT_MSG(rc == HK_ERR_INVALID, "expected INVALID for \"%s\", got %d", diag_part, (int)rc);
    HK_ASSERT_CONTAINS(diag.msg, diag_part);
    HK_ASSERT(memcmp(&before, &cfg, sizeof(cfg)) == 0);
}

/* The hub, its devices and staff: each rule names its field. */
#define DEV(id, tok, from, to) \
    "{\"id\":\"" id "\",\"token\":\"" tok "\",\"block_from\":" #from ",\"block_to\":" #to "}"
#define STAFF(id, hash) \
    "{\"id\":\"" id "\",\"name_zh\":\"王丽\",\"name_en\":\"Wang Li\",\"pin_hash\":\"" hash "\"}"
#define ANCHOR    "\"ticket\":{"
#define GOOD_HASH "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
static void test_config_hub_devices_and_staff_are_checked(void)
{
    expect_refused(
        mutate("\"ticket\":{", "\"devices\":[" DEV("k2", "tok-aaaaaaaaaaaaaaaa", 900, 949) "," DEV(
                                   "k3", "tok-bbbbbbbbbbbbbbbb", 940, 999) "]," ANCHOR),
        "devices[1].block_from: the block overlaps devices[0]'s");
    expect_refused(
        mutate("\"ticket\":{", "\"devices\":[" DEV("k2", "tok-aaaaaaaaaaaaaaaa", 900, 949) "," DEV(
                                   "k3", "tok-aaaaaaaaaaaaaaaa", 0, 0) "]," ANCHOR),
        "devices[1].token: the same token as devices[0]");
    expect_refused(mutate("\"ticket\":{", "\"devices\":[" DEV("k2", "short", 0, 0) "]," ANCHOR),
                   "devices[0].token: too short");
    expect_refused(mutate("\"ticket\":{",
                          "\"devices\":[" DEV("k2", "tok-aaaaaaaaaaaaaaaa", 950, 900) "]," ANCHOR),
                   "devices[0].block_to: the block must be");
    expect_refused(mutate("\"ticket\":{", "\"staff\":[" STAFF("s1", "123456") "]," ANCHOR),
                   "staff[0].pin_hash: expected a hash");
    expect_refused(mutate("\"ticket\":{", "\"staff\":[" STAFF("s1", GOOD_HASH) "," STAFF(
                                              "s1", GOOD_HASH) "]," ANCHOR),
                   "staff[1].id: duplicate id \"s1\"");
    expect_refused(mutate("\"ticket\":{", "\"hub\":{\"url\":\"ftp://hub:1\"}," ANCHOR),
                   "hub.url: expected http://HOST:PORT");
    expect_refused(mutate("\"ticket\":{", "\"hub\":{\"listen\":\"0.0.0.0\"}," ANCHOR),
                   "hub.listen: expected \"HOST:PORT\"");
    expect_refused(mutate("\"ticket\":{", "\"hub\":{\"tls_cert\":\"/etc/hk/hub.pem\"}," ANCHOR),
                   "hub.tls_key: tls_cert and tls_key go together");
    expect_refused(mutate("\"ticket\":{", "\"device\":{\"counter\":\"c9\"}," ANCHOR),
                   "device.counter: unknown counter \"c9\"");
    HK_ASSERT_OK(config_parse_str(
        mutate("\"ticket\":{", "\"staff\":[" STAFF("s1", GOOD_HASH) "],\"devices\":[" DEV(
                                   "k2", "tok-aaaaaaaaaaaaaaaa", 900, 949) "]," ANCHOR)));
    HK_ASSERT_INT(1, cfg.n_staff);
    HK_ASSERT_INT(949, cfg.devices[0].block_to);
}
#undef DEV
#undef STAFF
#undef ANCHOR
#undef GOOD_HASH

static void test_config_sample_branch_parses(void)
{
    char path[1024];
    int v, c1, broadband;

    (void)snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &cfg, &diag));
    HK_ASSERT_STR("", diag.msg);
    HK_ASSERT_STR("sh-xuhui-01", cfg.branch_id);
    HK_ASSERT_STR("中国移动 上海徐汇营业厅", cfg.branch_name_zh);
    HK_ASSERT_STR("China Mobile Shanghai Xuhui Branch", cfg.branch_name_en);
    HK_ASSERT_STR("zh-CN", cfg.language);
    HK_ASSERT_INT(480, cfg.utc_offset_min);
    HK_ASSERT_INT(CONFIG_ROLE_KIOSK, cfg.role);
    HK_ASSERT_INT(6, cfg.n_services);
    HK_ASSERT_INT(6, cfg.n_counters);
    v = config_service_index(&cfg, "vip");
    HK_ASSERT(v >= 0);
    HK_ASSERT_INT('V', cfg.services[v].prefix);
    HK_ASSERT(cfg.services[v].vip);
    HK_ASSERT_INT(9, cfg.services[v].priority);
    broadband = config_service_index(&cfg, "broadband");
    HK_ASSERT_INT(17 * 60, cfg.services[broadband].hours.day[1].close_min);
    HK_ASSERT_INT(-1, cfg.services[broadband].hours.day[6].open_min);
    c1 = config_counter_index(&cfg, "c1");
    HK_ASSERT_INT(1, cfg.counters[c1].number);
    HK_ASSERT_INT(2, cfg.counters[c1].n_services);
    HK_ASSERT_INT(v, cfg.counters[c1].services[0]);
    HK_ASSERT_INT(config_service_index(&cfg, "general"), cfg.counters[c1].services[1]);
    HK_ASSERT_INT(CONFIG_PRINTER_FILE, cfg.printer.kind);
    HK_ASSERT_STR("ticket.escpos", cfg.printer.target);
    HK_ASSERT_INT(576, cfg.printer.width_dots);
    HK_ASSERT_INT(CONFIG_ORIENT_PORTRAIT, cfg.display.orientation);
    HK_ASSERT_INT(1080, cfg.display.width);
    HK_ASSERT_INT(1920, cfg.display.height);
    HK_ASSERT_STR("https://q.10086.example/t/{branch}/{day}/{number}", cfg.ticket_url_template);
    HK_ASSERT_INT(60, cfg.idle_timeout_s);
    HK_ASSERT_INT(20, cfg.confirm_timeout_s);
    HK_ASSERT_INT(900, cfg.max_pass_over_s);
    HK_ASSERT_STR("http://127.0.0.1:8080", cfg.hub.url);
    HK_ASSERT(cfg.hub.hosted);
    HK_ASSERT_STR("kiosk-1", cfg.device.id);
    HK_ASSERT_INT(6, cfg.n_staff);
    HK_ASSERT_STR("s3", cfg.staff[config_staff_index(&cfg, "s3")].id);
    HK_ASSERT_INT(900, cfg.devices[config_device_index(&cfg, "kiosk-2")].block_from);
    HK_ASSERT_INT(-1, config_device_index(&cfg, "nobody"));
}

static void test_config_optional_fields_get_defaults(void)
{
    const char *json = "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
                       "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\","
                       "\"name_en\":\"General\"}],"
                       "\"counters\":[{\"id\":\"c7\",\"number\":7,\"services\":[\"general\"]}]}";

    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    HK_ASSERT_INT(CONFIG_ROLE_KIOSK, cfg.role);
    HK_ASSERT_STR("zh-CN", cfg.language);
    HK_ASSERT_INT(480, cfg.utc_offset_min);
    HK_ASSERT_INT(0, cfg.hours.day[0].open_min);
    HK_ASSERT_INT(1440, cfg.hours.day[0].close_min);
    HK_ASSERT_INT(0, cfg.services[0].priority);
    HK_ASSERT(!cfg.services[0].vip);
    HK_ASSERT_INT(300, cfg.services[0].avg_service_s);
    HK_ASSERT_STR("", cfg.services[0].desc_zh);
    HK_ASSERT_STR("7号窗口", cfg.counters[0].name_zh);
    HK_ASSERT_STR("Counter 7", cfg.counters[0].name_en);
    HK_ASSERT_INT(CONFIG_PRINTER_NONE, cfg.printer.kind);
    HK_ASSERT_INT(1080, cfg.display.width);
    HK_ASSERT_INT(60, cfg.idle_timeout_s);
    HK_ASSERT_INT(20, cfg.confirm_timeout_s);
    HK_ASSERT_INT(900, cfg.max_pass_over_s);
    HK_ASSERT_STR("", cfg.data_dir);
}

/* engineer mode (issue 9.5): off by default, a PIN hash or "", a USB dir */
#define ENG_ANCHOR "\"ticket\":{"
#define ENG_HASH   "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
static void test_config_engineer_section(void)
{
    const char *json;

    HK_ASSERT_OK(config_parse(BASE_JSON, strlen(BASE_JSON), &cfg, &diag));
    HK_ASSERT_STR("", cfg.engineer.pin_hash); /* off */
    HK_ASSERT_STR("/media/usb", cfg.engineer.usb_dir);
    json = mutate(ENG_ANCHOR, "\"engineer\":{\"pin_hash\":\"" ENG_HASH
                              "\",\"usb_dir\":\"/mnt/stick\"}," ENG_ANCHOR);
    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    HK_ASSERT_STR(ENG_HASH, cfg.engineer.pin_hash);
    HK_ASSERT_STR("/mnt/stick", cfg.engineer.usb_dir);
    json = mutate(ENG_ANCHOR, "\"engineer\":{\"pin_hash\":\"\"}," ENG_ANCHOR);
    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    HK_ASSERT_STR("", cfg.engineer.pin_hash);
    expect_refused(mutate(ENG_ANCHOR, "\"engineer\":{\"pin_hash\":\"135790\"}," ENG_ANCHOR),
                   "engineer.pin_hash: expected a hash");
    expect_refused(mutate(ENG_ANCHOR, "\"engineer\":{\"pin\":\"135790\"}," ENG_ANCHOR),
                   "engineer.pin: unknown key");
}
#undef ENG_ANCHOR
#undef ENG_HASH

static void test_config_base_fixture_parses(void)
{
    HK_ASSERT_OK(config_parse(BASE_JSON, strlen(BASE_JSON), &cfg, &diag));
    HK_ASSERT_INT(3, cfg.n_services);
    HK_ASSERT_INT(2, cfg.n_counters);
}

static void test_config_errors_name_the_field_path(void)
{
    expect_refused(mutate("\"prefix\":\"C\"", "\"prefix\":\"CC\""),
                   "services[1].prefix: must be one letter A-Z");
    expect_refused(mutate("\"prefix\":\"C\"", "\"prefix\":\"c\""),
                   "services[1].prefix: must be one letter A-Z");
    expect_refused(mutate("\"prefix\":\"C\"", "\"prefix\":3"),
                   "services[1].prefix: must be one letter A-Z");
    expect_refused(mutate("[\"general\",\"broadband\"]", "[\"xyz\",\"broadband\"]"),
                   "counters[1].services[0]: unknown service \"xyz\"");
    expect_refused(mutate("[\"general\",\"broadband\"]", "[\"general\",\"general\"]"),
                   "counters[1].services[1]: \"general\" listed twice");
    expect_refused(mutate("\"mon\":\"09:00-18:00\"", "\"mon\":\"9-18\""),
                   "hours.mon: expected \"HH:MM-HH:MM\" or \"closed\"");
    expect_refused(mutate("\"mon\":\"09:00-18:00\"", "\"mon\":\"18:00-09:00\""),
                   "hours.mon: expected \"HH:MM-HH:MM\" or \"closed\"");
    expect_refused(mutate("\"mon\":\"09:00-18:00\"", "\"mon\":\"09:00-24:30\""),
                   "hours.mon: expected");
    expect_refused(mutate("\"sun\":\"10:00-16:00\"}", "\"sun\":null}"), "hours.sun: expected");
    expect_refused(mutate(",\"sun\":\"10:00-16:00\"}", "}"), "hours.sun: required");
    expect_refused(mutate("\"mon\":\"09:00-18:00\"", "\"monday\":\"09:00-18:00\""),
                   "hours.monday: unknown key");
    expect_refused(mutate("\"prefix\":\"V\"", "\"prefix\":\"A\""),
                   "services[2].prefix: duplicate prefix \"A\"");
    expect_refused(mutate("\"id\":\"vip\"", "\"id\":\"general\""),
                   "services[2].id: duplicate id \"general\"");
    expect_refused(mutate("\"id\":\"vip\"", "\"id\":\"VIP\""),
                   "services[2].id: \"VIP\" may use only a-z 0-9 _ -");
    expect_refused(mutate("\"id\":\"vip\"", "\"id\":\"a-very-long-service-identifier\""),
                   "services[2].id: too long");
    expect_refused(mutate("\"priority\":9", "\"priorty\":9"), "services[2].priorty: unknown key");
    expect_refused(mutate("\"priority\":9", "\"priority\":10"),
                   "services[2].priority: must be 0..9");
    expect_refused(mutate("\"priority\":9", "\"priority\":1.5"),
                   "services[2].priority: must be a whole number");
    expect_refused(mutate("\"priority\":9", "\"priority\":\"9\""),
                   "services[2].priority: expected a number");
    expect_refused(mutate("\"vip\":true", "\"vip\":1"), "services[2].vip: expected true or false");
    expect_refused(mutate("\"avg_service_s\":360", "\"avg_service_s\":5"),
                   "services[0].avg_service_s: must be 30..7200");
    expect_refused(mutate("\"name_en\":\"VIP\",", ""), "services[2].name_en: required");
    expect_refused(mutate("\"name_en\":\"VIP\"", "\"name_en\":\"\""),
                   "services[2].name_en: must not be empty");
    expect_refused(mutate("\"sat\":\"closed\"", "\"sat\":\"09:00-17:00\""),
                   "services[1].hours.sat: outside the branch hours");
    expect_refused(mutate("\"counters\":", "\"counter\":"), "counter: unknown key");
    expect_refused(mutate("\"number\":2", "\"number\":1"),
                   "counters[1].number: duplicate number 1");
    expect_refused(mutate("\"id\":\"c2\"", "\"id\":\"c1\""), "counters[1].id: duplicate id \"c1\"");
    expect_refused(mutate("\"number\":2", "\"number\":100"), "counters[1].number: must be 1..99");
    expect_refused(mutate("[\"general\",\"broadband\"]", "[]"),
                   "counters[1].services: expected a non-empty array");
    expect_refused(mutate("[\"general\",\"broadband\"]", "[\"general\"]"),
                   "services[1]: no counter serves \"broadband\"");
    expect_refused(mutate("\"branch\":{", "\"branch_\":{"), "branch_: unknown key");
    expect_refused(mutate("\"id\":\"sh-test-01\",", "\"id\":\"sh-test-01\",\"id\":\"x\","),
                   "branch.id: duplicate key");
    expect_refused(mutate("\"utc_offset_min\":480", "\"utc_offset_min\":900"),
                   "utc_offset_min: must be -720..840");
    expect_refused(mutate("\"utc_offset_min\":480", "\"utc_offset_min\":1e400"),
                   "utc_offset_min: must be -720..840");
    expect_refused(mutate("\"role\":\"kiosk\"", "\"role\":\"kisok\""), "role: expected");
    expect_refused(mutate("\"kind\":\"file\",\"target\":\"ticket.escpos\"",
                          "\"kind\":\"tcp\",\"target\":\"10.0.0.5\""),
                   "printer.target: expected \"host:port\"");
    expect_refused(mutate("\"kind\":\"file\",\"target\":\"ticket.escpos\"",
                          "\"kind\":\"device\",\"target\":\"lp0\""),
                   "printer.target: a device must be an absolute path");
    expect_refused(mutate("\"kind\":\"file\"", "\"kind\":\"usb\""), "printer.kind: expected");
    expect_refused(mutate(",\"target\":\"ticket.escpos\"", ""), "printer.target: required");
    expect_refused(
        mutate("\"target\":\"ticket.escpos\"", "\"target\":\"ticket.escpos\",\"width_dots\":500"),
        "printer.width_dots: must be 384 (58 mm) or 576 (80 mm)");
    expect_refused(mutate("{number}", "{num}"), "ticket.url_template: unknown placeholder");
    expect_refused(mutate("{number}", "{number}?s={sig}"),
                   "ticket.url_key: required when ticket.url_template has {sig}");
    expect_refused(mutate("{number}\"", "{number}\",\"url_key\":\"12ab\""),
                   "ticket.url_key: must be 64 hex digits");
    expect_refused(mutate("https://q.example", "ftp://q.example"),
                   "ticket.url_template: must start with https://");
    expect_refused(mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\",\"timeouts\":{\"idle_s\":5},"),
                   "timeouts.idle_s: must be 10..3600");
    expect_refused(mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\",\"queue\":{\"max_pass\":5},"),
                   "queue.max_pass: unknown key");
    expect_refused(
        mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\",\"display\":{\"orientation\":\"up\"},"),
        "display.orientation: expected");
    expect_refused(mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\",\"language\":\"fr\","),
                   "language: expected \"zh-CN\" or \"en\"");
    expect_refused(mutate("\"services\":[", "\"services\":[],\"x_\":["), "x_: unknown key");
    expect_refused(mutate("\"services\":[", "\"services\":{\"a\":["), "config: not valid JSON");
    expect_refused(mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\""),
                   "config: not valid JSON (line 1, column");
    expect_refused("[1,2]", "config: top level must be an object");
    expect_refused("", "config: not valid JSON");
}

static void test_config_refuses_text_that_does_not_fit_or_is_not_utf8(void)
{
    char name[200];
    char *json;

    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    /* as large as mutate()'s buffer, so the copy can never truncate */
    json = hk_malloc(8192);
    HK_ASSERT(json != NULL);
    (void)snprintf(json, 8192, "%s", mutate("\"name_en\":\"Broadband\"", "\"name_en\":\"@@\""));
    {
        /* splice the long name in place of @@ */
        char tmp[8192];
        char *at = strstr(json, "@@");
        (void)snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(at - json), json, name, at + 2);
        expect_refused(tmp, "services[1].name_en: too long (199 bytes, at most 95)");
    }
    hk_free(json);
    /* 95 bytes is the limit and fits (96 with the NUL). */
    {
        char tmp[8192];
        name[95] = '\0';
        const char *m = mutate("\"name_en\":\"Broadband\"", "\"name_en\":\"@@\"");
        const char *at = strstr(m, "@@");
        (void)snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(at - m), m, name, at + 2);
        HK_ASSERT_OK(config_parse(tmp, strlen(tmp), &cfg, &diag));
        HK_ASSERT_INT(95, strlen(cfg.services[1].name_en));
    }
    expect_refused(mutate("测试营业厅", "\xe6\xb5"), "branch.name_zh: not valid UTF-8");
    expect_refused(mutate("测试营业厅", "\xc0\xaf"), /* overlong '/' */
                   "branch.name_zh: not valid UTF-8");
    expect_refused(mutate("测试营业厅", "\xed\xa0\x80"), /* surrogate */
                   "branch.name_zh: not valid UTF-8");
    expect_refused(mutate("测试营业厅", "a\\nb"), /* control char */
                   "branch.name_zh: not valid UTF-8 text (or has control");
    expect_refused(mutate("Test Branch", "Test\\u0001"), "branch.name_en: not valid UTF-8");
}

static void test_config_comment_keys_are_ignored(void)
{
    const char *json = mutate("\"role\":\"kiosk\",", "\"_comment\":\"hello\",\"role\":\"kiosk\",");

    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    json = mutate("\"prefix\":\"C\"", "\"prefix\":\"C\",\"_note\":[1,2]");
    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
}

/* The central section: https only (http only to loopback when allowed),
 * pins in their one format, cert and key together; each names its field. */
#define PIN_A "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
static void test_config_central_is_checked(void)
{
    HK_ASSERT_OK(config_parse_str(BASE_JSON));
    HK_ASSERT_STR("", cfg.central.url);
    HK_ASSERT_INT(5, cfg.central.interval_s);
    HK_ASSERT_INT(300, cfg.central.config_poll_s);
    HK_ASSERT_INT(60, cfg.central.heartbeat_s);
    HK_ASSERT_OK(
        config_parse_str(mutate("\"ticket\":{", "\"central\":{\"url\":\"https://c.example:8443/"
                                                "hq\",\"pins\":[\"" PIN_A "\"],"
                                                "\"token\":\"0123456789abcdef0\"},\"ticket\":{")));
    HK_ASSERT_STR("https://c.example:8443/hq", cfg.central.url);
    HK_ASSERT_INT(1, cfg.central.n_pins);
    HK_ASSERT_STR(PIN_A, cfg.central.pins[0]);
    HK_ASSERT_OK(
        config_parse_str(mutate("\"ticket\":{", "\"central\":{\"url\":\"http://127.0.0.1:9/\","
                                                "\"allow_http_loopback\":true},\"ticket\":{")));
    expect_refused(
        mutate("\"ticket\":{", "\"central\":{\"url\":\"http://127.0.0.1:9\"},\"ticket\":{"),
        "central.url: https only");
    expect_refused(mutate("\"ticket\":{", "\"central\":{\"url\":\"http://c.example\","
                                          "\"allow_http_loopback\":true},\"ticket\":{"),
                   "central.url: http:// only to");
    expect_refused(mutate("\"ticket\":{", "\"central\":{\"url\":\"ftp://c.example\"},\"ticket\":{"),
                   "central.url: expected https://");
    expect_refused(
        mutate("\"ticket\":{", "\"central\":{\"url\":\"https://u@c.example\"},\"ticket\":{"),
        "central.url: no user info");
    expect_refused(
        mutate("\"ticket\":{", "\"central\":{\"pins\":[\"sha256//short=\"]},\"ticket\":{"),
        "central.pins[0]: expected \"sha256//\"");
    expect_refused(mutate("\"ticket\":{", "\"central\":{\"pins\":[\"" PIN_A "\",\"" PIN_A
                                          "\",\"" PIN_A "\"]},\"ticket\":{"),
                   "central.pins: at most 2");
    expect_refused(mutate("\"ticket\":{", "\"central\":{\"client_cert\":\"d.pem\"},\"ticket\":{"),
                   "central.client_key: client_cert and client_key go together");
    expect_refused(mutate("\"ticket\":{", "\"central\":{\"interval_s\":0},\"ticket\":{"),
                   "central.interval_s");
    expect_refused(mutate("\"ticket\":{", "\"central\":{\"tokn\":\"x\"},\"ticket\":{"), "central");
}

static void test_config_last_good_config_stays_after_a_bad_one(void)
{
    config_t good;
    const char *bad = mutate("\"prefix\":\"C\"", "\"prefix\":\"CC\"");

    HK_ASSERT_OK(config_parse(BASE_JSON, strlen(BASE_JSON), &cfg, &diag));
    good = cfg;
    HK_ASSERT_INT(HK_ERR_INVALID, config_parse(bad, strlen(bad), &cfg, &diag));
    HK_ASSERT(memcmp(&good, &cfg, sizeof(cfg)) == 0);
    HK_ASSERT_STR("sh-test-01", cfg.branch_id);
    /* Also when the failure comes late (the last check of the file). */
    bad = mutate("[\"general\",\"broadband\"]", "[\"general\"]");
    HK_ASSERT_INT(HK_ERR_INVALID, config_parse(bad, strlen(bad), &cfg, &diag));
    HK_ASSERT(memcmp(&good, &cfg, sizeof(cfg)) == 0);
}

static void test_config_refuses_oversized_input(void)
{
    size_t n = CONFIG_MAX_FILE_BYTES + 1;
    char *big = hk_malloc(n);

    HK_ASSERT(big != NULL);
    memset(big, ' ', n);
    HK_ASSERT_INT(HK_ERR_INVALID, config_parse(big, n, &cfg, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "limit");
    hk_free(big);
}

static void test_config_input_need_not_be_nul_terminated(void)
{
    size_t n = strlen(BASE_JSON);
    char *buf = hk_malloc(n + 16);

    HK_ASSERT(buf != NULL);
    memcpy(buf, BASE_JSON, n);
    memset(buf + n, '}', 16); /* garbage after len must not be read */
    HK_ASSERT_OK(config_parse(buf, n, &cfg, &diag));
    hk_free(buf);
}

static void test_config_missing_file_is_io_error_naming_the_path(void)
{
    HK_ASSERT_INT(HK_ERR_IO, config_load_file("/nonexistent/branch.json", &cfg, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "/nonexistent/branch.json");
}

static void test_config_business_day_is_the_local_date(void)
{
    char day[11];
    int wday = -1, min = -1;

    HK_ASSERT_OK(config_parse(BASE_JSON, strlen(BASE_JSON), &cfg, &diag));
    /* 2024-03-11 23:59 local is 15:59 UTC the same date... */
    config_local_time(&cfg, local_ms(2024, 3, 11, 23, 59), day, &wday, &min);
    HK_ASSERT_STR("2024-03-11", day);
    HK_ASSERT_INT(1, wday);
    HK_ASSERT_INT(23 * 60 + 59, min);
    /* ...and local midnight is still 2024-03-11 in UTC, but a new day here. */
    config_local_time(&cfg, local_ms(2024, 3, 12, 0, 0), day, &wday, &min);
    HK_ASSERT_STR("2024-03-12", day);
    HK_ASSERT_INT(2, wday);
    HK_ASSERT_INT(0, min);
    /* Early morning local is the previous date in UTC. */
    config_local_time(&cfg, local_ms(2024, 3, 1, 7, 0), day, &wday, NULL);
    HK_ASSERT_STR("2024-03-01", day);
    HK_ASSERT_INT(5, wday);
    config_local_time(&cfg, local_ms(2024, 2, 29, 12, 0), day, NULL, NULL);
    HK_ASSERT_STR("2024-02-29", day);
    cfg.utc_offset_min = -300;
    config_local_time(&cfg, 0, day, &wday, &min);
    HK_ASSERT_STR("1969-12-31", day);
    HK_ASSERT_INT(3, wday);
    HK_ASSERT_INT(19 * 60, min);
}

static void test_config_service_hours_decide_open(void)
{
    int bb, gen;
    config_span_t span;

    HK_ASSERT_OK(config_parse(BASE_JSON, strlen(BASE_JSON), &cfg, &diag));
    bb = config_service_index(&cfg, "broadband");
    gen = config_service_index(&cfg, "general");
    HK_ASSERT(config_service_open_at(&cfg, bb, local_ms(2024, 3, 11, 9, 0), NULL));
    HK_ASSERT(config_service_open_at(&cfg, bb, local_ms(2024, 3, 11, 16, 59), NULL));
    HK_ASSERT(!config_service_open_at(&cfg, bb, local_ms(2024, 3, 11, 17, 0), &span));
    HK_ASSERT_INT(17 * 60, span.close_min);
    HK_ASSERT(config_service_open_at(&cfg, gen, local_ms(2024, 3, 11, 17, 30), NULL));
    HK_ASSERT(!config_service_open_at(&cfg, gen, local_ms(2024, 3, 11, 8, 59), NULL));
    /* Saturday: broadband closed all day, general 09:30-17:00. */
    HK_ASSERT(!config_service_open_at(&cfg, bb, local_ms(2024, 3, 16, 11, 0), &span));
    HK_ASSERT_INT(-1, span.open_min);
    HK_ASSERT(config_service_open_at(&cfg, gen, local_ms(2024, 3, 16, 11, 0), NULL));
    HK_ASSERT(!config_service_open_at(&cfg, 99, local_ms(2024, 3, 16, 11, 0), NULL));
    HK_ASSERT_INT(-1, config_service_index(&cfg, "nope"));
    HK_ASSERT_INT(-1, config_counter_index(&cfg, "c9"));
}

/* Fault injection: fail allocation N = 1, 2, ... (cJSON included) until the
 * parse no longer reaches the failure. Each time: an error, not garbage;
 * no crash; the harness checks no leak. */
/* Messages that come from the descriptor tables rather than hand-written
 * code: enum lists, array caps, nesting cap; defaults that follow another
 * field. */
static void test_config_table_rules_give_generated_messages(void)
{
    char deep[8192];
    char svcs[4096];
    size_t n = 0;
    int i;

    expect_refused(mutate("\"role\":\"kiosk\"", "\"role\":7"),
                   "role: expected \"kiosk\", \"counter\", \"display\" or \"hub\"");
    expect_refused(mutate("\"kind\":\"file\"", "\"kind\":\"lp\""),
                   "printer.kind: expected \"none\", \"file\", \"device\" or \"tcp\"");
    expect_refused(mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\",\"language\":5,"),
                   "language: expected \"zh-CN\" or \"en\"");
    expect_refused(mutate("\"role\":\"kiosk\",", "\"role\":\"kiosk\",\"timeouts\":[],"),
                   "timeouts: expected an object");
    expect_refused(mutate("\"services\":[", "\"services\":[7,"), "services[0]: expected an object");
    expect_refused(mutate("\"services\":[", "\"services\":{},\"_x\":["),
                   "services: expected an array");
    /* 17 services: one over the cap */
    n += (size_t)snprintf(svcs + n, sizeof(svcs) - n, "\"services\":[");
    for(i = 0; i < 17; i++)
        n += (size_t)snprintf(svcs + n, sizeof(svcs) - n,
                              "{\"id\":\"s%d\",\"prefix\":\"%c\",\"name_zh\":\"x\","
                              "\"name_en\":\"x\"},",
                              i, 'A' + i);
    (void)snprintf(svcs + n, sizeof(svcs) - n, "%s", "{\"id\":\"last\",");
    expect_refused(mutate("\"services\":[{", svcs), "services: at most 16 services");
    /* nesting is capped before cJSON sees the file, even in comments */
    n = (size_t)snprintf(deep, sizeof(deep), "\"_c\":");
    for(i = 0; i < 20; i++)
        deep[n++] = '[';
    for(i = 0; i < 20; i++)
        deep[n++] = ']';
    (void)snprintf(deep + n, sizeof(deep) - n, ",\"role\":\"kiosk\",");
    expect_refused(mutate("\"role\":\"kiosk\",", deep),
                   "config: nested deeper than 16 levels (line 1, column");
}

static void test_config_defaults_follow_other_fields(void)
{
    const char *json =
        mutate("\"role\":\"kiosk\",", "\"role\":\"counter\",\"display\":{\"orientation\":"
                                      "\"landscape\",\"height\":1200},");

    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    HK_ASSERT_INT(CONFIG_ROLE_COUNTER, cfg.role);
    HK_ASSERT_INT(CONFIG_ORIENT_LANDSCAPE, cfg.display.orientation);
    HK_ASSERT_INT(1920, cfg.display.width);
    HK_ASSERT_INT(1200, cfg.display.height);
    /* a service without hours has the branch's; one with its own keeps them */
    HK_ASSERT_INT(9 * 60 + 30, cfg.services[0].hours.day[6].open_min);
    HK_ASSERT_INT(-1, cfg.services[1].hours.day[6].open_min);
    json = mutate("{\"id\":\"c1\",\"number\":1,",
                  "{\"id\":\"c1\",\"number\":1,\"name_en\":\"VIP desk\",");
    HK_ASSERT_OK(config_parse(json, strlen(json), &cfg, &diag));
    HK_ASSERT_STR("VIP desk", cfg.counters[0].name_en);
    HK_ASSERT_STR("1号窗口", cfg.counters[0].name_zh);
    HK_ASSERT_STR("Counter 2", cfg.counters[1].name_en);
}

typedef struct docs_check {
    char *text; /* docs/config.md */
    int keys;
    char missing[512];
} docs_check_t;

/* Does [s, s+n) contain needle? (memmem is not C11.) */
static int span_has(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for(i = 0; i + k <= n; i++)
        if(memcmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* The body of the "## ..." section whose heading contains want, as
 * [*start, *end). */
static int docs_section(const char *text, const char *want, const char **start, const char **end)
{
    const char *h = text;

    while((h = strstr(h, "\n## ")) != NULL) {
        const char *eol = strchr(h + 1, '\n');
        const char *next;

        h++;
        if(!eol)
            return 0;
        if(span_has(h, (size_t)(eol - h), want)) {
            next = strstr(eol, "\n## ");
            *start = eol;
            *end = next ? next : eol + strlen(eol);
            return 1;
        }
    }
    return 0;
}

static void docs_check_key(const config_key_t *k, void *ctx)
{
    docs_check_t *dc = ctx;
    char heading[64], key[64];
    const char *start, *end;
    size_t n = strlen(dc->missing);

    dc->keys++;
    if(k->section[0])
        (void)snprintf(heading, sizeof(heading), "`%s`", k->section);
    else
        (void)snprintf(heading, sizeof(heading), "Top level");
    (void)snprintf(key, sizeof(key), "`%s`", k->key);
    if(!docs_section(dc->text, heading, &start, &end) ||
       !span_has(start, (size_t)(end - start), key))
        (void)snprintf(dc->missing + n, sizeof(dc->missing) - n, " %s%s%s", k->section,
                       k->section[0] ? "." : "", k->key);
}

/* Every key the parser accepts is documented in docs/config.md, in the
 * section of its object ("## `printer`", "## `services[]`", "## Top
 * level"), as `key`. */
static void test_config_every_key_is_in_the_docs(void)
{
    char path[1024];
    docs_check_t dc;
    FILE *f;
    size_t n;

    memset(&dc, 0, sizeof(dc));
    (void)snprintf(path, sizeof(path), "%s/docs/config.md", HK_SOURCE_DIR);
    f = fopen(path, "rb");
    HK_ASSERT(f != NULL);
    dc.text = hk_malloc(256 * 1024);
    HK_ASSERT(dc.text != NULL);
    n = fread(dc.text, 1, 256 * 1024 - 1, f);
    fclose(f);
    dc.text[n] = '\0';
    config_keys_visit(docs_check_key, &dc);
    hk_free(dc.text);
    HK_ASSERT_MSG(dc.keys > 40, "only %d keys visited", dc.keys);
    HK_ASSERT_MSG(dc.missing[0] == '\0', "docs/config.md lacks:%s", dc.missing);
}

static void test_config_parse_survives_every_allocation_failure(void)
{
    char path[1024];
    char *json = NULL;
    size_t len;
    FILE *f;
    long n;
    int failures = 0;

    (void)snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    f = fopen(path, "rb");
    HK_ASSERT(f != NULL);
    json = hk_malloc(CONFIG_MAX_FILE_BYTES);
    HK_ASSERT(json != NULL);
    len = fread(json, 1, CONFIG_MAX_FILE_BYTES, f);
    fclose(f);
    for(n = 1; n < 100000; n++) {
        config_t before;
        hk_err_t rc;

        memset(&before, 0xa5, sizeof(before));
        cfg = before;
        hk_mem_fail_nth(n);
        rc = config_parse(json, len, &cfg, &diag);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            HK_ASSERT_STR("sh-xuhui-01", cfg.branch_id);
            break;
        }
        failures++;
        HK_ASSERT_MSG(rc == HK_ERR_NOMEM, "N=%ld: got %d (%s)", n, (int)rc, diag.msg);
        HK_ASSERT(memcmp(&before, &cfg, sizeof(cfg)) == 0);
    }
    HK_ASSERT_MSG(failures > 50, "only %d allocations were exercised", failures);
    hk_free(json);
}

int main(void)
{
    HK_RUN(test_config_hub_devices_and_staff_are_checked);
    HK_RUN(test_config_sample_branch_parses);
    HK_RUN(test_config_central_is_checked);
    HK_RUN(test_config_optional_fields_get_defaults);
    HK_RUN(test_config_base_fixture_parses);
    HK_RUN(test_config_errors_name_the_field_path);
    HK_RUN(test_config_refuses_text_that_does_not_fit_or_is_not_utf8);
    HK_RUN(test_config_comment_keys_are_ignored);
    HK_RUN(test_config_last_good_config_stays_after_a_bad_one);
    HK_RUN(test_config_refuses_oversized_input);
    HK_RUN(test_config_input_need_not_be_nul_terminated);
    HK_RUN(test_config_missing_file_is_io_error_naming_the_path);
    HK_RUN(test_config_business_day_is_the_local_date);
    HK_RUN(test_config_service_hours_decide_open);
    HK_RUN(test_config_table_rules_give_generated_messages);
    HK_RUN(test_config_defaults_follow_other_fields);
    HK_RUN(test_config_every_key_is_in_the_docs);
    HK_RUN(test_config_engineer_section); /* engineer mode (issue 9.5) */
    HK_RUN(test_config_parse_survives_every_allocation_failure);
    return hk_test_end();
}
