/*
 * test_faq_content: the FAQ and triage content parser. A good document
 * parses into the model (blocks, keywords, fallbacks between languages,
 * lookups by id); every class of bad field is refused with a diag that
 * names its full path; a refused triage leaves the content's triage as it
 * was; the shipped assets parse and route only to services of the sample
 * branch; allocation failures give an error, never a crash or a leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "faq_content.h"
#include "hk_mem.h"
#include "hk_test.h"

#define FAQ_JSON                                                                                       \
    "{\"version\":\"t.1\",\"_note\":\"comments pass\","                                                \
    "\"categories\":["                                                                                 \
    "{\"id\":\"billing\",\"icon\":\"bill\","                                                           \
    "\"title\":{\"zh-CN\":\"话费与账单\",\"en\":\"Bills and payments\"}},"                        \
    "{\"id\":\"sim\",\"icon\":\"sim\",\"title\":{\"zh-CN\":\"补卡\",\"en\":\"SIM\"}}],"              \
    "\"articles\":["                                                                                   \
    "{\"id\":\"bill-pay\",\"category\":\"billing\",\"service\":\"payment\",\"version\":3,"             \
    "\"zh-CN\":{\"title\":\"怎样交话费\",\"keywords\":[\"话费\",\"缴费\"],"                   \
    "\"body\":[{\"p\":\"可以在**营业厅App**里交。\"},{\"ol\":[\"打开App\",\"点交费\"]}," \
    "{\"ul\":[\"现金\",\"银行卡\"]}]},"                                                           \
    "\"en\":{\"title\":\"How to pay\",\"keywords\":[\"pay\"],"                                         \
    "\"body\":[{\"p\":\"Pay in the **app**.\"}]}},"                                                    \
    "{\"id\":\"sim-lost\",\"category\":\"sim\",\"version\":1,"                                         \
    "\"zh-CN\":{\"title\":\"手机丢了\",\"body\":[{\"p\":\"先挂失。\"}]}}]}"

#define TRIAGE_JSON                                                 \
    "{\"version\":\"tr.1\",\"needs\":["                             \
    "{\"id\":\"pay-bill\",\"icon\":\"bill\","                       \
    "\"title\":{\"zh-CN\":\"交话费\",\"en\":\"Pay a bill\"},"    \
    "\"route\":{\"kind\":\"faq\",\"article\":\"bill-pay\"},"        \
    "\"fallback\":{\"kind\":\"queue\",\"service\":\"payment\"}},"   \
    "{\"id\":\"complain\",\"icon\":\"complaint\","                  \
    "\"title\":{\"zh-CN\":\"投诉\",\"en\":\"Make a complaint\"}," \
    "\"route\":{\"kind\":\"submit\",\"category\":\"complaint\"}}]}"

static hk_diag_t diag;
static faq_content_t *content;

void setUp(void)
{
    hk_diag_clear(&diag);
    content = NULL;
}

void tearDown(void)
{
    faq_content_free(content);
    content = NULL;
}

/* base with the first occurrence of `from` replaced by `to`. */
static const char *mutate(const char *base, const char *from, const char *to)
{
    static char buf[8192];
    const char *at = strstr(base, from);

    if(!at)
        hk_test_fail(__FILE__, __LINE__, "mutation anchor not found: %s", from);
    (void)snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    return buf;
}

static void faq_refused(const char *json, const char *diag_is)
{
    faq_content_t *c = (faq_content_t *)1;
    hk_err_t rc = faq_content_parse(json, strlen(json), &c, &diag);

    HK_ASSERT_INT(HK_ERR_INVALID, rc);
    HK_ASSERT(c == NULL);
    HK_ASSERT_STR(diag_is, diag.msg);
}

static void triage_refused(const char *json, const char *diag_is)
{
    HK_ASSERT_OK(faq_content_parse(FAQ_JSON, strlen(FAQ_JSON), &content, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, faq_triage_parse(content, json, strlen(json), &diag));
    HK_ASSERT_STR(diag_is, diag.msg);
    HK_ASSERT_INT(0, content->n_needs);
    faq_content_free(content);
    content = NULL;
}

static void test_good_document(void)
{
    const faq_article_t *a;
    const faq_text_t *t;

    HK_ASSERT_OK(faq_content_parse(FAQ_JSON, strlen(FAQ_JSON), &content, &diag));
    HK_ASSERT_STR("t.1", content->version);
    HK_ASSERT_INT(2, content->n_categories);
    HK_ASSERT_STR("billing", content->categories[0].id);
    HK_ASSERT_STR("bill", content->categories[0].icon);
    HK_ASSERT_STR("Bills and payments", content->categories[0].title[I18N_EN]);
    HK_ASSERT_INT(2, content->n_articles);
    a = &content->articles[0];
    HK_ASSERT_STR("bill-pay", a->id);
    HK_ASSERT_INT(0, a->category);
    HK_ASSERT_STR("payment", a->service);
    HK_ASSERT_INT(3, a->version);
    t = &a->text[I18N_ZH];
    HK_ASSERT(t->present);
    HK_ASSERT_STR("怎样交话费", t->title);
    HK_ASSERT_INT(2, t->n_keywords);
    HK_ASSERT_STR("缴费", t->keywords[1]);
    HK_ASSERT_INT(3, t->n_blocks);
    HK_ASSERT_INT(FAQ_BLOCK_P, t->blocks[0].kind);
    HK_ASSERT_INT(1, t->blocks[0].n);
    HK_ASSERT_STR("可以在**营业厅App**里交。", t->blocks[0].items[0]);
    HK_ASSERT_INT(FAQ_BLOCK_OL, t->blocks[1].kind);
    HK_ASSERT_STR("点交费", t->blocks[1].items[1]);
    HK_ASSERT_INT(FAQ_BLOCK_UL, t->blocks[2].kind);
    HK_ASSERT_INT(2, t->blocks[2].n);
    /* the second article has no English and no service: falls back */
    a = &content->articles[1];
    HK_ASSERT_STR("", a->service);
    HK_ASSERT(!a->text[I18N_EN].present);
    HK_ASSERT_INT(0, a->text[I18N_EN].n_blocks);
    HK_ASSERT_STR("手机丢了", faq_article_text(a, I18N_EN)->title);
    HK_ASSERT_STR("How to pay", faq_article_text(&content->articles[0], I18N_EN)->title);
    HK_ASSERT_INT(1, faq_content_find(content, "sim-lost"));
    HK_ASSERT_INT(0, faq_content_find(content, "bill-pay"));
    HK_ASSERT_INT(-1, faq_content_find(content, "nope"));
    HK_ASSERT_INT(-1, faq_content_find(NULL, "nope"));
    HK_ASSERT_INT(0, content->n_needs);
}

static void test_triage(void)
{
    const char *branch[] = { "general", "payment" };
    const char *no_payment[] = { "general" };

    HK_ASSERT_OK(faq_content_parse(FAQ_JSON, strlen(FAQ_JSON), &content, &diag));
    HK_ASSERT_OK(faq_triage_parse(content, TRIAGE_JSON, strlen(TRIAGE_JSON), &diag));
    HK_ASSERT_STR("tr.1", content->triage_version);
    HK_ASSERT_INT(2, content->n_needs);
    HK_ASSERT_STR("pay-bill", content->needs[0].id);
    HK_ASSERT_STR("Pay a bill", content->needs[0].title[I18N_EN]);
    HK_ASSERT_INT(TRIAGE_FAQ, content->needs[0].route.kind);
    HK_ASSERT_STR("bill-pay", content->needs[0].route.target);
    HK_ASSERT_INT(TRIAGE_QUEUE, content->needs[0].fallback.kind);
    HK_ASSERT_STR("payment", content->needs[0].fallback.target);
    HK_ASSERT_INT(TRIAGE_SUBMIT, content->needs[1].route.kind);
    HK_ASSERT_INT(TRIAGE_NONE, content->needs[1].fallback.kind);
    HK_ASSERT_OK(faq_triage_check_services(content, branch, 2, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, faq_triage_check_services(content, no_payment, 1, &diag));
    HK_ASSERT_STR("needs[0].fallback.service: \"payment\" is not a service of this branch",
                  diag.msg);

    /* a refused replacement keeps the triage in force; a good one replaces it */
    HK_ASSERT_INT(HK_ERR_INVALID, faq_triage_parse(content, "{}", 2, &diag));
    HK_ASSERT_STR("version: required", diag.msg);
    HK_ASSERT_INT(2, content->n_needs);
    HK_ASSERT_STR("tr.1", content->triage_version);
    {
        const char *one = mutate(TRIAGE_JSON, "tr.1", "tr.2");
        HK_ASSERT_OK(faq_triage_parse(content, one, strlen(one), &diag));
        HK_ASSERT_STR("tr.2", content->triage_version);
    }
}

static void test_errors_name_their_field(void)
{
    const char *f = FAQ_JSON;

    faq_refused("[1]", "expected an object at the top level");
    faq_refused("{\"version\":\"x\",", "not valid JSON (line 1, column 15)");
    faq_refused(mutate(f, "\"_note\"", "\"note\""), "note: unknown key");
    faq_refused(mutate(f, "\"version\":\"t.1\"", "\"version\":\"\""), "version: must not be empty");
    faq_refused(mutate(f, "\"version\":\"t.1\",", ""), "version: required");
    faq_refused(mutate(f, "\"icon\":\"bill\",", "\"icon\":\"bill\",\"icon\":\"x\","),
                "categories[0].icon: duplicate key");
    faq_refused(mutate(f, "\"id\":\"sim\"", "\"id\":\"billing\""),
                "categories[1].id: \"billing\" is also categories[0]");
    faq_refused(mutate(f, "\"id\":\"sim\"", "\"id\":\"Sim\""),
                "categories[1].id: only a-z, 0-9 and '-' (\"Sim\")");
    faq_refused(mutate(f, "\"en\":\"SIM\"", "\"en\":\"\""),
                "categories[1].title.en: must not be empty");
    faq_refused(mutate(f, ",\"en\":\"SIM\"", ""), "categories[1].title.en: required");
    faq_refused(mutate(f, "\"category\":\"sim\"", "\"category\":\"roaming\""),
                "articles[1].category: no category \"roaming\" in categories");
    faq_refused(mutate(f, "\"id\":\"sim-lost\"", "\"id\":\"bill-pay\""),
                "articles[1].id: \"bill-pay\" is also articles[0]");
    faq_refused(mutate(f, "\"version\":3", "\"version\":0"),
                "articles[0].version: must be 1..1000000000");
    faq_refused(mutate(f, "\"version\":3", "\"version\":\"3\""),
                "articles[0].version: expected a number");
    faq_refused(mutate(f, "\"service\":\"payment\"", "\"service\":\"pay ment\""),
                "articles[0].service: only a-z, 0-9 and '-' (\"pay ment\")");
    faq_refused(mutate(f, "\"version\":1,", "\"version\":1,\"zh\":{},"),
                "articles[1].zh: unknown key");
    faq_refused(mutate(f, "\"zh-CN\":{\"title\":\"手机丢了\",\"body\":[{\"p\":\"先挂失。\"}]}",
                       "\"_draft\":true"),
                "articles[1]: needs its text in \"zh-CN\", \"en\" or both");
    faq_refused(mutate(f, "\"点交费\"", "\"点**交费\""),
                "articles[0].zh-CN.body[1].ol[1]: emphasis ** not closed");
    faq_refused(mutate(f, "\"银行卡\"", "\"****\""),
                "articles[0].zh-CN.body[2].ul[1]: \"***\" or empty emphasis: write **word**");
    faq_refused(mutate(f, "Pay in the **app**.", "Pay in the **app."),
                "articles[0].en.body[0].p: emphasis ** not closed");
    faq_refused(mutate(f, "{\"p\":\"先挂失。\"}", "{\"p\":\"先挂失。\",\"ul\":[\"x\"]}"),
                "articles[1].zh-CN.body[0]: one block holds exactly one of \"p\", \"ul\" or "
                "\"ol\"");
    faq_refused(mutate(f, "{\"p\":\"先挂失。\"}", "{\"quote\":\"x\"}"),
                "articles[1].zh-CN.body[0].quote: unknown key");
    faq_refused(mutate(f, "{\"ul\":[\"现金\",\"银行卡\"]}", "{\"ul\":[]}"),
                "articles[0].zh-CN.body[2].ul: 0 items, must be 1..24");
    faq_refused(mutate(f, "\"body\":[{\"p\":\"先挂失。\"}]", "\"body\":[]"),
                "articles[1].zh-CN.body: 0 items, must be 1..64");
    faq_refused(mutate(f, ",\"body\":[{\"p\":\"先挂失。\"}]", ""),
                "articles[1].zh-CN.body: required");
    faq_refused(mutate(f, "\"缴费\"", "\"话费\""),
                "articles[0].zh-CN.keywords[1]: \"话费\" is also keywords[0]");
    faq_refused(mutate(f, "\"缴费\"", "7"), "articles[0].zh-CN.keywords[1]: expected a string");
    faq_refused(mutate(f, "\"现金\"", "\"a\\u0001b\""),
                "articles[0].zh-CN.body[2].ul[0]: not valid UTF-8 text (or has control "
                "characters)");
    faq_refused(mutate(f, "\"先挂失。\"", "\"\xc3(\""), /* bad UTF-8 */
                "articles[1].zh-CN.body[0].p: not valid UTF-8 text (or has control characters)");
    faq_refused(mutate(f, "\"categories\":[", "\"categories\":[],\"_x\":["),
                "categories: 0 items, must be 1..32");
}

static void test_limits(void)
{
    static char big[FAQ_TEXT_MAX + 64], json[16384];
    char kws[2048] = "";
    int i;

    /* a paragraph one byte over */
    memset(big, 'a', FAQ_TEXT_MAX + 1);
    big[FAQ_TEXT_MAX + 1] = '\0';
    (void)snprintf(json, sizeof(json), "%s", mutate(FAQ_JSON, "先挂失。", big));
    faq_refused(json, "articles[1].zh-CN.body[0].p: too long (2001 bytes, at most 2000)");
    /* exactly at the limit passes */
    big[FAQ_TEXT_MAX] = '\0';
    (void)snprintf(json, sizeof(json), "%s", mutate(FAQ_JSON, "先挂失。", big));
    HK_ASSERT_OK(faq_content_parse(json, strlen(json), &content, &diag));
    faq_content_free(content);
    content = NULL;
    /* a title over FAQ_TITLE_MAX */
    big[FAQ_TITLE_MAX + 1] = '\0';
    (void)snprintf(json, sizeof(json), "%s", mutate(FAQ_JSON, "手机丢了", big));
    faq_refused(json, "articles[1].zh-CN.title: too long (161 bytes, at most 160)");
    /* too many keywords */
    for(i = 0; i <= FAQ_MAX_KEYWORDS; i++) {
        size_t n = strlen(kws);
        (void)snprintf(kws + n, sizeof(kws) - n, "%s\"k%d\"", i ? "," : "", i);
    }
    (void)snprintf(json, sizeof(json), "%s", mutate(FAQ_JSON, "\"pay\"", kws));
    faq_refused(json, "articles[0].en.keywords: 25 items, must be 0..24");
}

static void test_triage_errors(void)
{
    const char *t = TRIAGE_JSON;

    triage_refused(mutate(t, "\"article\":\"bill-pay\"", "\"article\":\"bill-paid\""),
                   "needs[0].route.article: no article \"bill-paid\" in the FAQ");
    triage_refused(mutate(t, "\"category\":\"complaint\"", "\"category\":\"praise\""),
                   "needs[1].route.category: not a submission category (signal, broadband, "
                   "billing, complaint, suggestion, other)");
    triage_refused(mutate(t, "\"kind\":\"queue\"", "\"kind\":\"ticket\""),
                   "needs[0].fallback.kind: expected \"faq\", \"queue\" or \"submit\"");
    triage_refused(mutate(t, "\"kind\":\"queue\",\"service\"", "\"kind\":\"queue\",\"article\""),
                   "needs[0].fallback.article: unknown key");
    triage_refused(mutate(t, "\"service\":\"payment\"", "\"service\":\"Payment\""),
                   "needs[0].fallback.service: only a-z, 0-9 and '-' (\"Payment\")");
    triage_refused(mutate(t, "\"id\":\"complain\"", "\"id\":\"pay-bill\""),
                   "needs[1].id: \"pay-bill\" is also needs[0]");
    triage_refused(mutate(t, ",\"route\":{\"kind\":\"submit\",\"category\":\"complaint\"}", ""),
                   "needs[1].route: required");
    triage_refused(mutate(t, "\"icon\":\"complaint\",", ""), "needs[1].icon: required");
    triage_refused(mutate(t, "\"en\":\"Pay a bill\"", "\"fr\":\"Payer\""),
                   "needs[0].title.fr: unknown key");
    triage_refused(mutate(t, "{\"kind\":\"queue\",\"service\":\"payment\"}",
                          "{\"kind\":\"faq\",\"article\":\"bill-pay\"}"),
                   "needs[0].fallback: same as the route");
    triage_refused("{\"version\":\"x\",\"needs\":[]}", "needs: 0 items, must be 1..16");
}

/* The shipped content parses, every triage queue route is a service of the
 * sample branch, and every article's service is one too. */
static void test_shipped_assets(void)
{
    const char *src = getenv("HK_SOURCE_DIR") ? getenv("HK_SOURCE_DIR") : HK_SOURCE_DIR;
    char faq[1024], triage[1024], cfgp[1024];
    const char *ids[CONFIG_MAX_SERVICES];
    static config_t cfg;
    int i, k;

    (void)snprintf(faq, sizeof(faq), "%s/assets/faq/faq.json", src);
    (void)snprintf(triage, sizeof(triage), "%s/assets/faq/triage.json", src);
    (void)snprintf(cfgp, sizeof(cfgp), "%s/assets/config/sample-branch.json", src);
    HK_ASSERT_MSG(faq_content_load(faq, triage, &content, &diag) == HK_OK, "%s", diag.msg);
    HK_ASSERT_MSG(config_load_file(cfgp, &cfg, &diag) == HK_OK, "%s", diag.msg);
    for(i = 0; i < cfg.n_services; i++)
        ids[i] = cfg.services[i].id;
    HK_ASSERT_MSG(faq_triage_check_services(content, ids, cfg.n_services, &diag) == HK_OK, "%s",
                  diag.msg);
    for(i = 0; i < content->n_articles; i++) {
        const faq_article_t *a = &content->articles[i];
        bool found = a->service[0] == '\0';

        for(k = 0; k < cfg.n_services && !found; k++)
            found = strcmp(cfg.services[k].id, a->service) == 0;
        HK_ASSERT_MSG(found, "articles[%d].service \"%s\" is not in the sample branch", i,
                      a->service);
        HK_ASSERT_MSG(a->text[I18N_ZH].present && a->text[I18N_EN].present,
                      "%s: the shipped content has both languages", a->id);
    }
    HK_ASSERT(content->n_needs >= 1);
    printf("  shipped: %d categories, %d articles, %d needs\n", content->n_categories,
           content->n_articles, content->n_needs);
}

static void test_load_missing_file(void)
{
    faq_content_t *c = (faq_content_t *)1;

    HK_ASSERT_INT(HK_ERR_NOT_FOUND, faq_content_load(hk_test_path("none.json"), NULL, &c, &diag));
    HK_ASSERT(c == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "none.json");
}

/* Every allocation, cJSON's included, may fail: an error, never a crash or
 * a leak (hk_test checks the live count after each test). */
static void test_alloc_failures(void)
{
    faq_content_t *c = NULL;
    long n;
    hk_err_t rc;

    for(n = 1;; n++) {
        hk_mem_fail_nth(n);
        rc = faq_content_parse(FAQ_JSON, strlen(FAQ_JSON), &c, &diag);
        hk_mem_fail_nth(0);
        if(rc == HK_OK)
            break;
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(c == NULL);
    }
    HK_ASSERT(n > 5);
    for(n = 1;; n++) {
        hk_mem_fail_nth(n);
        rc = faq_triage_parse(c, TRIAGE_JSON, strlen(TRIAGE_JSON), &diag);
        hk_mem_fail_nth(0);
        if(rc == HK_OK)
            break;
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT_INT(0, c->n_needs);
    }
    HK_ASSERT(n > 2);
    HK_ASSERT_INT(2, c->n_needs);
    faq_content_free(c);
}

/* {"version":…,"faq":…,"triage":…}: GET /v1/content's answer and the saved copy */
static void test_bundle(void)
{
    static char json[8192];
    char version[FAQ_VERSION_LEN] = "";
    faq_content_t *c = (faq_content_t *)1;

    (void)snprintf(json, sizeof(json), "{\"version\":\"b7\",\"faq\":%s,\"triage\":%s}", FAQ_JSON,
                   TRIAGE_JSON);
    HK_ASSERT_OK(faq_content_parse_bundle(json, strlen(json), version, &content, &diag));
    HK_ASSERT_STR("b7", version);
    HK_ASSERT_INT(2, content->n_articles);
    HK_ASSERT_INT(2, content->n_needs);
    HK_ASSERT_STR("tr.1", content->triage_version);

    (void)snprintf(json, sizeof(json), "{\"version\":\"b7\",\"faq\":%s,\"triage\":%s}",
                   mutate(FAQ_JSON, "\"点交费\"", "\"点**交费\""), TRIAGE_JSON);
    HK_ASSERT_INT(HK_ERR_INVALID, faq_content_parse_bundle(json, strlen(json), version, &c, &diag));
    HK_ASSERT(c == NULL);
    HK_ASSERT_STR("faq.articles[0].zh-CN.body[1].ol[1]: emphasis ** not closed", diag.msg);
    (void)snprintf(json, sizeof(json), "{\"version\":\"b7\",\"faq\":%s,\"triage\":%s}", FAQ_JSON,
                   mutate(TRIAGE_JSON, "\"bill-pay\"", "\"bill-x\""));
    HK_ASSERT_INT(HK_ERR_INVALID, faq_content_parse_bundle(json, strlen(json), version, &c, &diag));
    HK_ASSERT_STR("triage.needs[0].route.article: no article \"bill-x\" in the FAQ", diag.msg);
    (void)snprintf(json, sizeof(json), "{\"version\":\"b7\",\"faq\":%s}", FAQ_JSON);
    HK_ASSERT_INT(HK_ERR_INVALID, faq_content_parse_bundle(json, strlen(json), version, &c, &diag));
    HK_ASSERT_STR("triage: required", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  faq_content_parse_bundle("{\"version\":\"b\",\"faq\":[]}", 26, NULL, &c, &diag));
    HK_ASSERT_STR("faq: expected an object", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID, faq_content_parse_bundle("{\"v\":1}", 7, NULL, &c, &diag));
    HK_ASSERT_STR("v: unknown key", diag.msg);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    HK_ASSERT(f != NULL);
    HK_ASSERT(fwrite(text, 1, strlen(text), f) == strlen(text));
    HK_ASSERT(fclose(f) == 0);
}

/* The pushed copy wins when it is good for this branch; else the shipped. */
static void test_load_current(void)
{
    static char json[8192];
    const char *branch[] = { "general", "payment" };
    const char *no_payment[] = { "general" };
    char assets[512], data[512], path[600];
    bool pushed = true;

    (void)snprintf(assets, sizeof(assets), "%s", hk_test_path("assets"));
    (void)snprintf(data, sizeof(data), "%s", hk_test_path("data"));
    HK_ASSERT_OK(mkdir(assets, 0700));
    HK_ASSERT_OK(mkdir(data, 0700));
    (void)snprintf(path, sizeof(path), "%s/faq.json", assets);
    write_text(path, FAQ_JSON);
    (void)snprintf(path, sizeof(path), "%s/triage.json", assets);
    write_text(path, TRIAGE_JSON);

    /* nothing pushed: the shipped copy */
    HK_ASSERT_OK(faq_content_load_current(data, assets, branch, 2, &content, &pushed, &diag));
    HK_ASSERT(!pushed);
    HK_ASSERT_STR("t.1", content->version);
    faq_content_free(content);
    content = NULL;

    /* a good push */
    (void)snprintf(json, sizeof(json), "{\"version\":\"p1\",\"faq\":%s,\"triage\":%s}",
                   mutate(FAQ_JSON, "t.1", "pushed.1"), TRIAGE_JSON);
    (void)snprintf(path, sizeof(path), "%s/%s", data, FAQ_PUSHED_FILE);
    write_text(path, json);
    HK_ASSERT_OK(faq_content_load_current(data, assets, branch, 2, &content, &pushed, &diag));
    HK_ASSERT(pushed);
    HK_ASSERT_STR("pushed.1", content->version);
    faq_content_free(content);
    content = NULL;

    /* the push routes to a service this branch does not have: shipped, which
     * does too, so that is an error with the field */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  faq_content_load_current(data, assets, no_payment, 1, &content, &pushed, &diag));
    HK_ASSERT(content == NULL);
    HK_ASSERT_STR("needs[0].fallback.service: \"payment\" is not a service of this branch",
                  diag.msg);

    /* a corrupt saved copy: the shipped one */
    write_text(path, "{\"version\":");
    HK_ASSERT_OK(faq_content_load_current(data, assets, branch, 2, &content, &pushed, &diag));
    HK_ASSERT(!pushed);
    HK_ASSERT_STR("t.1", content->version);
}

int main(void)
{
    HK_RUN(test_good_document);
    HK_RUN(test_triage);
    HK_RUN(test_errors_name_their_field);
    HK_RUN(test_limits);
    HK_RUN(test_triage_errors);
    HK_RUN(test_shipped_assets);
    HK_RUN(test_load_missing_file);
    HK_RUN(test_alloc_failures);
    HK_RUN(test_bundle);
    HK_RUN(test_load_current);
    return hk_test_end();
}
