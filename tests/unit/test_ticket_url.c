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
        ticket_url_build(TMPL, "sh-xuhui-01", "2026-11-25", "A012", buf, sizeof(buf), &need));
    HK_ASSERT_STR("https://q.example/t/sh-xuhui-01/2026-11-25/A012", buf);
    HK_ASSERT_INT(strlen(buf) + 1, need);
    HK_ASSERT_OK(ticket_url_build("https://q.example/?n={number}&n2={number}", "b", "d", "C7", buf,
                                  sizeof(buf), NULL));
    HK_ASSERT_STR("https://q.example/?n=C7&n2=C7", buf);
    /* no template: no URL, no QR code */
    HK_ASSERT_OK(ticket_url_build("", "b", "d", "A1", buf, sizeof(buf), &need));
    HK_ASSERT_STR("", buf);
    HK_ASSERT_INT(1, need);
}

static void test_ticket_url_percent_encodes_values_not_the_template(void)
{
    char buf[128];

    HK_ASSERT_OK(ticket_url_build("https://q.example/{branch}?x=a/b%20", "a b/c?d&e#f~_.-",
                                  "2026-11-25", "A1", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("https://q.example/a%20b%2Fc%3Fd%26e%23f~_.-?x=a/b%20", buf);
    HK_ASSERT_OK(ticket_url_build(TMPL, "b", "d", "营", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("https://q.example/t/b/d/%E8%90%A5", buf);
}

static void test_ticket_url_too_small_buffer_is_an_error_not_a_cut(void)
{
    char buf[64];
    size_t need = 0;
    const char *want = "https://q.example/t/b1/2026-11-25/A012";
    size_t n = strlen(want);

    memset(buf, 'x', sizeof(buf));
    HK_ASSERT_INT(HK_ERR_NOMEM, ticket_url_build(TMPL, "b1", "2026-11-25", "A012", buf, n, &need));
    HK_ASSERT_STR("", buf);
    HK_ASSERT_INT(n + 1, need);
    HK_ASSERT_OK(ticket_url_build(TMPL, "b1", "2026-11-25", "A012", buf, n + 1, &need));
    HK_ASSERT_STR(want, buf);
    HK_ASSERT_INT(HK_ERR_NOMEM, ticket_url_build(TMPL, "b1", "2026-11-25", "A012", NULL, 0, &need));
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
    HK_ASSERT_STR("t.u: unknown placeholder at offset 15 (use {branch} {day} {number})", diag.msg);
    HK_ASSERT_INT(HK_ERR_INVALID,
                  ticket_url_build("http://x/{nr}", "b", "d", "A1", buf, sizeof(buf), NULL));
    HK_ASSERT_STR("", buf);
}

int main(void)
{
    HK_RUN(test_ticket_url_expands_the_placeholders);
    HK_RUN(test_ticket_url_percent_encodes_values_not_the_template);
    HK_RUN(test_ticket_url_too_small_buffer_is_an_error_not_a_cut);
    HK_RUN(test_ticket_url_template_check_names_the_problem);
    return hk_test_end();
}
