/*
 * test_hk_json: the capped parse refuses oversized input and deep nesting
 * (counted outside strings) with a diag naming line and column, tells an
 * allocation failure from bad syntax, never reads past len; the typed
 * readers give field-path diags; cJSON allocates through hk_malloc.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"
#include "hk_test.h"

static hk_diag_t diag;

void setUp(void)
{
    hk_diag_clear(&diag);
}

void tearDown(void)
{
}

static hk_err_t parse_str(const char *text, const hk_json_limits_t *lim, cJSON **out)
{
    return hk_json_parse(text, strlen(text), lim, out, &diag);
}

static void test_hk_json_parses_a_document_through_hk_malloc(void)
{
    cJSON *root = NULL;
    long live = hk_mem_live();

    HK_ASSERT_OK(parse_str("{\"a\": [1, 2, {\"b\": \"x\"}]}  \n", NULL, &root));
    HK_ASSERT(root != NULL);
    HK_ASSERT(hk_mem_live() > live); /* the tree is counted: hooks installed */
    HK_ASSERT_INT(3, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "a")));
    cJSON_Delete(root);
    HK_ASSERT_INT(live, hk_mem_live());
}

static void test_hk_json_refuses_input_over_the_byte_cap(void)
{
    hk_json_limits_t lim = { 8, 0 };
    cJSON *root = (cJSON *)&lim; /* must be set to NULL on failure */

    HK_ASSERT_INT(HK_ERR_INVALID, parse_str("[1,2,3,4,5]", &lim, &root));
    HK_ASSERT(root == NULL);
    HK_ASSERT_STR("11 bytes is over the 8 byte limit", diag.msg);
    HK_ASSERT_OK(parse_str("[1,2,3]", &lim, &root));
    cJSON_Delete(root);
}

static void test_hk_json_refuses_nesting_deeper_than_the_limit(void)
{
    hk_json_limits_t lim = { 0, 3 };
    cJSON *root = NULL;
    char deep[4096];
    int i;

    HK_ASSERT_OK(parse_str("[[[1]]]", &lim, &root));
    cJSON_Delete(root);
    HK_ASSERT_INT(HK_ERR_INVALID, parse_str("{\"a\":\n  [{\"b\": [1]}]}", &lim, &root));
    HK_ASSERT_STR("nested deeper than 3 levels (line 2, column 10)", diag.msg);
    /* Brackets inside strings (with escaped quotes) are text. */
    HK_ASSERT_OK(parse_str("[\"[[[[\\\"{{{{\", [\"]]]]\"]]", &lim, &root));
    cJSON_Delete(root);
    /* Default limit: 32 opens pass, 33 do not, long before cJSON's 1000. */
    for(i = 0; i < 33; i++) {
        deep[i] = '[';
        deep[66 - i - 1] = ']';
    }
    deep[66] = '\0';
    HK_ASSERT_INT(HK_ERR_INVALID, parse_str(deep, NULL, &root));
    HK_ASSERT_CONTAINS(diag.msg, "nested deeper than 32 levels (line 1, column 33)");
    HK_ASSERT_INT(HK_ERR_INVALID, parse_str(deep + 1, NULL, &root)); /* one ] too many */
    deep[65] = '\0';
    HK_ASSERT_OK(parse_str(deep + 1, NULL, &root));
    cJSON_Delete(root);
    /* 3000 levels: refused by our scan without cJSON recursing. */
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    HK_ASSERT_INT(HK_ERR_INVALID, parse_str(deep, NULL, &root));
    HK_ASSERT_CONTAINS(diag.msg, "nested deeper");
}

static void test_hk_json_syntax_errors_name_line_and_column(void)
{
    cJSON *root = NULL;

    HK_ASSERT_INT(HK_ERR_INVALID, parse_str("{\n  \"a\": 1,\n  \"b\" 2\n}", NULL, &root));
    HK_ASSERT_STR("not valid JSON (line 3, column 7)", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID, parse_str("{\"a\":1} x", NULL, &root));
    HK_ASSERT_STR("not valid JSON (line 1, column 9)", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID, parse_str("", NULL, &root));
    HK_ASSERT_CONTAINS(diag.msg, "not valid JSON");
    HK_ASSERT_INT(HK_ERR_INVALID, hk_json_parse(NULL, 0, NULL, &root, &diag));
    HK_ASSERT(root == NULL);
}

static void test_hk_json_reads_only_len_bytes(void)
{
    char *buf = hk_malloc(16);
    cJSON *root = NULL;

    HK_ASSERT(buf != NULL);
    memcpy(buf, "[1,2]]]]]]]]]]]]", 16); /* no NUL anywhere */
    HK_ASSERT_OK(hk_json_parse(buf, 5, NULL, &root, &diag));
    cJSON_Delete(root);
    /* trailing NULs and whitespace are fine */
    HK_ASSERT_OK(hk_json_parse("[1]\n\0\0", 6, NULL, &root, &diag));
    cJSON_Delete(root);
    hk_free(buf);
}

static void test_hk_json_allocation_failure_is_nomem_not_bad_input(void)
{
    const char *text = "{\"a\": [1, 2, {\"b\": \"xyz\"}], \"c\": \"d\"}";
    long n;
    int failures = 0;

    for(n = 1; n < 1000; n++) {
        cJSON *root = NULL;
        hk_err_t rc;

        hk_mem_fail_nth(n);
        rc = parse_str(text, NULL, &root);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            cJSON_Delete(root);
            break;
        }
        failures++;
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(root == NULL);
    }
    HK_ASSERT_MSG(failures >= 5, "only %d allocations were exercised", failures);
}

static void test_hk_json_readers_name_the_field_path(void)
{
    cJSON *root = NULL;
    char path[HK_JSON_PATH_CAP], text[4] = "old";
    int v = -1;
    bool b = false;
    static const char *const allowed[] = { "n", "s", "t", "f", "long", NULL };

    HK_ASSERT_OK(parse_str("{\"n\": 7, \"f\": 1.5, \"s\": \"ab\", \"long\": \"abcd\","
                           "\"t\": true, \"_c\": 0}",
                           NULL, &root));
    HK_ASSERT_OK(hk_json_check_keys(root, "x[1]", allowed, &diag));
    hk_json_path(path, sizeof(path), "x[1]", "n");
    HK_ASSERT_STR("x[1].n", path);
    hk_json_path(path, sizeof(path), "", "n");
    HK_ASSERT_STR("n", path);
    hk_json_path(path, 4, "abc", "def");
    HK_ASSERT_STR("abc", path);
    HK_ASSERT_OK(hk_json_get_int(cJSON_GetObjectItem(root, "n"), "x.n", 0, 9, &v, &diag));
    HK_ASSERT_INT(7, v);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  hk_json_get_int(cJSON_GetObjectItem(root, "n"), "x.n", 0, 6, &v, &diag));
    HK_ASSERT_STR("x.n: must be 0..6", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  hk_json_get_int(cJSON_GetObjectItem(root, "f"), "x.f", 0, 6, &v, &diag));
    HK_ASSERT_STR("x.f: must be a whole number", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  hk_json_get_int(cJSON_GetObjectItem(root, "s"), "x.s", 0, 6, &v, &diag));
    HK_ASSERT_STR("x.s: expected a number", diag.msg);
    HK_ASSERT_INT(7, v);
    HK_ASSERT_OK(hk_json_get_bool(cJSON_GetObjectItem(root, "t"), "x.t", &b, &diag));
    HK_ASSERT(b);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  hk_json_get_bool(cJSON_GetObjectItem(root, "n"), "x.n", &b, &diag));
    HK_ASSERT_STR("x.n: expected true or false", diag.msg);
    HK_ASSERT_OK(
        hk_json_get_text(cJSON_GetObjectItem(root, "s"), "x.s", text, sizeof(text), &diag));
    HK_ASSERT_STR("ab", text);
    HK_ASSERT_INT(HK_ERR_INVALID, hk_json_get_text(cJSON_GetObjectItem(root, "long"), "x.long",
                                                   text, sizeof(text), &diag));
    HK_ASSERT_STR("x.long: too long (4 bytes, at most 3)", diag.msg);
    HK_ASSERT_STR("ab", text);
    HK_ASSERT_INT(HK_ERR_INVALID, hk_json_check_keys(root, "x[1]", allowed + 1, &diag));
    HK_ASSERT_STR("x[1].n: unknown key", diag.msg);
    cJSON_Delete(root);
    HK_ASSERT_OK(parse_str("{\"a\": 1, \"a\": 2}", NULL, &root));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_json_check_keys(root, "", allowed, &diag));
    HK_ASSERT_STR("a: unknown key", diag.msg);
    cJSON_Delete(root);
    HK_ASSERT_OK(parse_str("{\"n\": 1, \"n\": 2}", NULL, &root));
    HK_ASSERT_INT(HK_ERR_INVALID, hk_json_check_keys(root, "", allowed, &diag));
    HK_ASSERT_STR("n: duplicate key", diag.msg);
    cJSON_Delete(root);
}

static void test_hk_json_text_must_be_one_line_of_utf8(void)
{
    HK_ASSERT(hk_json_text_ok("营业厅 Hall"));
    HK_ASSERT(hk_json_text_ok(""));
    HK_ASSERT(!hk_json_text_ok("a\nb"));
    HK_ASSERT(!hk_json_text_ok("\xe6\xb5"));         /* cut short */
    HK_ASSERT(!hk_json_text_ok("\xc0\xaf"));         /* overlong */
    HK_ASSERT(!hk_json_text_ok("\xed\xa0\x80"));     /* surrogate */
    HK_ASSERT(!hk_json_text_ok("\xf4\x90\x80\x80")); /* > U+10FFFF */
    HK_ASSERT(!hk_json_text_ok("\xc2\x85"));         /* C1 NEL */
}

/* Two threads parsing at once (good and bad input): each gets its own
 * answer; under ThreadSanitizer, no race inside cJSON's static error. */
static void *parse_loop(void *arg)
{
    const char *text = arg;
    long bad = 0;
    int i;

    for(i = 0; i < 300; i++) {
        cJSON *root = NULL;
        hk_diag_t d;

        if(hk_json_parse(text, strlen(text), NULL, &root, &d) != HK_OK)
            bad++;
        cJSON_Delete(root);
    }
    return (void *)bad;
}

static void test_hk_json_parses_on_two_threads_at_once(void)
{
    static char good[] = "{\"a\": [1, 2, 3]}", broken[] = "{\"a\": [1, 2, 3}";
    pthread_t a, b;
    void *bad_a = NULL, *bad_b = NULL;

    HK_ASSERT_OK(pthread_create(&a, NULL, parse_loop, good));
    HK_ASSERT_OK(pthread_create(&b, NULL, parse_loop, broken));
    HK_ASSERT_OK(pthread_join(a, &bad_a));
    HK_ASSERT_OK(pthread_join(b, &bad_b));
    HK_ASSERT_INT(0, (long)bad_a);
    HK_ASSERT_INT(300, (long)bad_b);
}

int main(void)
{
    HK_RUN(test_hk_json_parses_a_document_through_hk_malloc);
    HK_RUN(test_hk_json_refuses_input_over_the_byte_cap);
    HK_RUN(test_hk_json_refuses_nesting_deeper_than_the_limit);
    HK_RUN(test_hk_json_syntax_errors_name_line_and_column);
    HK_RUN(test_hk_json_reads_only_len_bytes);
    HK_RUN(test_hk_json_allocation_failure_is_nomem_not_bad_input);
    HK_RUN(test_hk_json_readers_name_the_field_path);
    HK_RUN(test_hk_json_text_must_be_one_line_of_utf8);
    HK_RUN(test_hk_json_parses_on_two_threads_at_once);
    return hk_test_end();
}
