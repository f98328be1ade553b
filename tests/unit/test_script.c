/*
 * Script parser: the commands a tester writes parse to what the app runs,
 * and every malformed line is refused with its line number.
 */
#include <string.h>

#include "hk_mem.h"
#include "hk_test.h"
#include "script.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static script_t *parse_ok(const char *text)
{
    script_t *s = NULL;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    if(script_parse(text, strlen(text), &s, &diag) != HK_OK)
        hk_test_fail(__FILE__, __LINE__, "parse failed: %s", diag.msg);
    return s;
}

static void expect_error(const char *text, const char *msg_part)
{
    script_t *s = (script_t *)1;
    hk_diag_t diag;

    hk_diag_clear(&diag);
    HK_ASSERT_INT(HK_ERR_INVALID, script_parse(text, strlen(text), &s, &diag));
    HK_ASSERT(s == NULL);
    HK_ASSERT_CONTAINS(diag.msg, msg_part);
}

static void test_script_parses_every_command(void)
{
    script_t *s = parse_ok("# a journey\n"
                           "clock 2026-11-25T10:30\n"
                           "tap 540 1200   # touch\n"
                           "\n"
                           "down 1 2\nup 3 4\n"
                           "wait 500\nkey escape\nkey q\n"
                           "screenshot home_zh\nprint-wait\nexpect-screen ticket\n"
                           "expect-print done\nquit\n");

    HK_ASSERT_INT(12, s->n);
    HK_ASSERT_INT(SCRIPT_CLOCK, s->cmds[0].op);
    HK_ASSERT_INT(2, s->cmds[0].line);
    /* 2026-11-25 10:30 as if UTC */
    HK_ASSERT_INT(1795602600000LL, s->cmds[0].ms);
    HK_ASSERT_INT(SCRIPT_TAP, s->cmds[1].op);
    HK_ASSERT_INT(540, s->cmds[1].x);
    HK_ASSERT_INT(1200, s->cmds[1].y);
    HK_ASSERT_INT(SCRIPT_DOWN, s->cmds[2].op);
    HK_ASSERT_INT(SCRIPT_UP, s->cmds[3].op);
    HK_ASSERT_INT(500, s->cmds[4].ms);
    HK_ASSERT_INT(27, s->cmds[5].key);
    HK_ASSERT_INT('q', s->cmds[6].key);
    HK_ASSERT_STR("home_zh", s->cmds[7].arg);
    HK_ASSERT_INT(SCRIPT_PRINT_WAIT, s->cmds[8].op);
    HK_ASSERT_STR("ticket", s->cmds[9].arg);
    HK_ASSERT_INT(SCRIPT_EXPECT_PRINT, s->cmds[10].op);
    HK_ASSERT_INT(SCRIPT_QUIT, s->cmds[11].op);
    script_destroy(s);
}

static void test_script_errors_name_the_line(void)
{
    expect_error("tap 1 2\ntap 1\n", "line 2: tap");
    expect_error("wait -5\n", "line 1: wait");
    expect_error("wait 10 20\n", "too many arguments");
    expect_error("screenshot ../etc/passwd\n", "line 1: screenshot");
    expect_error("screenshot .hidden\n", "screenshot");
    expect_error("clock 2026-02-30T10:00\n", "line 1: clock");
    expect_error("clock 2026-11-25T25:00\n", "clock");
    expect_error("key ctrl-alt-del\n", "line 1: key");
    expect_error("\n\nfly 1 2\n", "line 3: unknown command");
    expect_error("quit now\n", "takes no argument");
    expect_error("tap 99999 1\n", "coordinates");
}

static void test_script_refuses_nul_bytes_and_long_lines(void)
{
    char big[400];
    script_t *s = NULL;
    hk_diag_t diag;

    HK_ASSERT_INT(HK_ERR_INVALID, script_parse("tap 1 2\0x", 9, &s, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "NUL");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    HK_ASSERT_INT(HK_ERR_INVALID, script_parse(big, strlen(big), &s, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "longer than");
}

static void test_script_survives_allocation_failures(void)
{
    const char *text = "tap 1 2\nwait 3\nquit\n";
    long n;

    for(n = 1; n < 50; n++) {
        script_t *s = NULL;
        hk_diag_t diag;
        hk_err_t rc;

        hk_mem_fail_nth(n);
        rc = script_parse(text, strlen(text), &s, &diag);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            HK_ASSERT_INT(3, s->n);
            script_destroy(s);
            return;
        }
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(s == NULL);
    }
    HK_ASSERT_MSG(0, "never succeeded");
}

int main(void)
{
    HK_RUN(test_script_parses_every_command);
    HK_RUN(test_script_errors_name_the_line);
    HK_RUN(test_script_refuses_nul_bytes_and_long_lines);
    HK_RUN(test_script_survives_allocation_failures);
    return hk_test_end();
}
