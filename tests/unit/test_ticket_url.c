/*
 * test_ticket_url: the status URL expands the three placeholders with
 * percent-encoded values, refuses unknown placeholders, and reports a
 * buffer that is too small (with the size needed) instead of truncating.
 */
#include <string.h>

#include "hk_test.h"
#include "ticket_url.h"

#define TMPL "https://q.example/t/{branch}/{day}/{number}"

void setUp(void)
{
}

void tearDown(void)
{
}

static void test_ticket_url_expands_the_placeholders(void)
{
    char buf[128];
    size_t need = 0;

    HK_ASSERT_OK(
        ticket_url_build(TMPL, NULL, "sh-xuhui-01", "2026-11-25", "A012", buf, sizeof(buf), &need));
    HK_ASSERT_STR("https://q.example/t/sh-xuhui-01/2026-11-25/A012", buf);
    HK_ASSERT_INT(strlen(buf) + 1, need);
    HK_ASSERT_OK(ticket_url_build("https://q.example/?n={number}&n2={number}", NULL, "b", "d", "C7",
                                  buf, sizeof(buf), NULL));
    HK_ASSERT_STR("https://q.example/?n=C7&n2=C7", buf);
    /* no template: no URL, no QR code */
    HK_ASSERT_OK(ticket_url_build("", NULL, "b", "d", "A1", buf, sizeof(buf), &need));
    HK_ASSERT_STR("", buf);
    HK_ASSERT_INT(1, need);
}

static void test_ticket_url_percent_encodes_values_not_the_template(void)
{
    char buf[128];

    HK_ASSERT_OK(ticket_url_build("https://q.example/{branch}?x=a/b%20", NULL, "a b/c?d&e#f~_.-",
                                  "2026-11-25", "A1", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("https://q.example/a%20b%2Fc%3Fd%26e%23f~_.-?x=a/b%20", buf);
    HK_ASSERT_OK(ticket_url_build(TMPL, NULL, "b", "d", "营", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("https://q.example/t/b/d/%E8%90%A5", buf);
}

static void test_ticket_url_too_small_buffer_is_an_error_not_a_cut(void)
{
    char buf[64];
    size_t need = 0;
    const char *want = "https://q.example/t/b1/2026-11-25/A012";
    size_t n = strlen(want);

    memset(buf, 'x', sizeof(buf));
    HK_ASSERT_INT(HK_ERR_NOMEM,
                  ticket_url_build(TMPL, NULL, "b1", "2026-11-25", "A012", buf, n, &need));
    HK_ASSERT_STR("", buf);
    HK_ASSERT_INT(n + 1, need);
    HK_ASSERT_OK(ticket_url_build(TMPL, NULL, "b1", "2026-11-25", "A012", buf, n + 1, &need));
    HK_ASSERT_STR(want, buf);
    HK_ASSERT_INT(HK_ERR_NOMEM,
                  ticket_url_build(TMPL, NULL, "b1", "2026-11-25", "A012", NULL, 0, &need));
    HK_ASSERT_INT(n + 1, need);
}

static void test_ticket_url_template_check_names_the_problem(void)
{
    hk_diag_t diag;
    char buf[64] = "old";

    HK_ASSERT_OK(ticket_url_check_template(TMPL, "ticket.url_template", &diag));
    HK_ASSERT_OK(ticket_url_check_template("", "ticket.url_template", &diag));
    HK_ASSERT_INT(HK_ERR_INVALID,
                  ticket_url_check_template("ftp://x/{day}", "ticket.url_template", &diag));
    HK_ASSERT_STR("ticket.url_template: must start with https:// or http://", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID, ticket_url_check_template("http://x/{day}/{num}", "t.u", &diag));
    HK_ASSERT_STR("t.u: unknown placeholder at offset 15 (use {branch} {day} {number} {sig})",
                  diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  ticket_url_build("http://x/{nr}", NULL, "b", "d", "A1", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("", buf);
}

#define KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void test_ticket_url_sig_is_keyed_and_checked(void)
{
    char buf[128], sig[TICKET_URL_SIG_LEN + 1], other[TICKET_URL_SIG_LEN + 1];
    const char *tmpl = "https://q.example/t/{branch}/{day}/{number}?s={sig}";

    HK_ASSERT_OK(ticket_url_sig(KEY, "b1", "2026-11-25", "A012", sig));
    HK_ASSERT_INT(TICKET_URL_SIG_LEN, strlen(sig));
    HK_ASSERT(strspn(sig, "0123456789abcdefghjkmnpqrstvwxyz") == TICKET_URL_SIG_LEN);
    HK_ASSERT(ticket_url_sig_ok(KEY, "b1", "2026-11-25", "A012", sig));
    /* the next number, another day, another branch, another key: another sig */
    HK_ASSERT_OK(ticket_url_sig(KEY, "b1", "2026-11-25", "A013", other));
    HK_ASSERT(strcmp(sig, other) != 0);
    HK_ASSERT(!ticket_url_sig_ok(KEY, "b1", "2026-11-25", "A013", sig));
    HK_ASSERT(!ticket_url_sig_ok(KEY, "b1", "2026-11-26", "A012", sig));
    HK_ASSERT(!ticket_url_sig_ok(KEY, "b2", "2026-11-25", "A012", sig));
    HK_ASSERT(!ticket_url_sig_ok("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                                 "b1", "2026-11-25", "A012", sig));
    /* no field-boundary ambiguity: "b1\n2026" + "A" is not "b" + "1\n2026A" */
    HK_ASSERT(!ticket_url_sig_ok(KEY, "b", "12026-11-25", "A012", sig));
    HK_ASSERT(!ticket_url_sig_ok(KEY, "b1", "2026-11-25", "A012", "0000000000"));
    HK_ASSERT(!ticket_url_sig_ok(KEY, "b1", "2026-11-25", "A012", ""));
    HK_ASSERT(!ticket_url_sig_ok("abc", "b1", "2026-11-25", "A012", sig));

    HK_ASSERT_OK(ticket_url_build(tmpl, KEY, "b1", "2026-11-25", "A012", buf, sizeof(buf), NULL));
    HK_ASSERT(strncmp(buf, "https://q.example/t/b1/2026-11-25/A012?s=", 41) == 0);
    HK_ASSERT_STR(sig, buf + 41);
    /* {sig} with no key or a bad key: no URL rather than a wrong one */
    HK_ASSERT_INT(HK_ERR_INVALID,
                  ticket_url_build(tmpl, NULL, "b1", "2026-11-25", "A012", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("", buf);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  ticket_url_build(tmpl, "zz", "b1", "2026-11-25", "A012", buf, sizeof(buf), NULL));
    HK_ASSERT(ticket_url_key_ok(KEY));
    HK_ASSERT(!ticket_url_key_ok(KEY "0"));
    HK_ASSERT(!ticket_url_key_ok(""));
}

int main(void)
{
    HK_RUN(test_ticket_url_expands_the_placeholders);
    HK_RUN(test_ticket_url_percent_encodes_values_not_the_template);
    HK_RUN(test_ticket_url_too_small_buffer_is_an_error_not_a_cut);
    HK_RUN(test_ticket_url_template_check_names_the_problem);
    HK_RUN(test_ticket_url_sig_is_keyed_and_checked);
    return hk_test_end();
}
