/*
 * test_hk_buf: output builders append blindly and check once: text of any
 * length comes out whole, a cap or an allocation failure is reported at
 * the end and frees everything, and HTML text is escaped so what a device
 * sent can never become markup on a page.
 */
#include <string.h>

#include "hk_buf.h"
#include "hk_mem.h"
#include "hk_test.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static void test_appends_of_any_length_come_out_whole(void)
{
    hk_buf_t b;
    char *out = NULL, big[1000];
    size_t len = 0;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    hk_buf_init(&b, 0);
    hk_buf_puts(&b, "a");
    hk_buf_put(&b, "bcdef", 2);
    hk_buf_printf(&b, "[%d:%s]", 42, big);
    HK_ASSERT_OK(hk_buf_finish(&b, &out, &len));
    HK_ASSERT_INT(3 + 5 + 999, len);
    HK_ASSERT(strncmp(out, "abc[42:xxx", 10) == 0);
    HK_ASSERT_INT(len, strlen(out));
    hk_free(out);

    /* nothing written: "" rather than NULL */
    hk_buf_init(&b, 0);
    HK_ASSERT_OK(hk_buf_finish(&b, &out, &len));
    HK_ASSERT_STR("", out);
    HK_ASSERT_INT(0, len);
    hk_free(out);
}

static void test_cap_and_allocation_failure_are_reported_once_at_the_end(void)
{
    hk_buf_t b;
    char *out = (char *)"x";
    long live = hk_mem_live(), nth;

    hk_buf_init(&b, 8);
    hk_buf_puts(&b, "1234567");
    hk_buf_puts(&b, "8"); /* 8 bytes + NUL is past the cap */
    hk_buf_puts(&b, "9");
    HK_ASSERT(b.failed);
    HK_ASSERT_INT(HK_ERR_NOMEM, hk_buf_finish(&b, &out, NULL));
    HK_ASSERT(out == NULL);
    HK_ASSERT_INT(live, hk_mem_live());

    for(nth = 1;; nth++) {
        hk_err_t rc;
        hk_buf_init(&b, 0);
        hk_mem_fail_nth(nth);
        hk_buf_puts(&b, "hello ");
        hk_buf_printf(&b, "%0300d", 7);
        hk_buf_html(&b, "<b>");
        rc = hk_buf_finish(&b, &out, NULL);
        hk_mem_fail_nth(0);
        HK_ASSERT_INT(live + (rc == HK_OK ? 1 : 0), hk_mem_live());
        if(rc == HK_OK) {
            HK_ASSERT(strstr(out, "&lt;b&gt;") != NULL);
            hk_free(out);
            break;
        }
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
    }
    HK_ASSERT(nth > 1);
}

static void test_html_text_cannot_become_markup(void)
{
    hk_buf_t b;
    char *out = NULL;

    hk_buf_init(&b, 0);
    hk_buf_html(&b, "<script>\"a\"&'b'</script>\tline\nnext\x01\x7f\xc2\x85 张三 \xff end");
    hk_buf_html(&b, NULL);
    HK_ASSERT_OK(hk_buf_finish(&b, &out, NULL));
    HK_ASSERT_STR("&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt; line next 张三 "
                  "\xEF\xBF\xBD end",
                  out);
    hk_free(out);
}

int main(void)
{
    HK_RUN(test_appends_of_any_length_come_out_whole);
    HK_RUN(test_cap_and_allocation_failure_are_reported_once_at_the_end);
    HK_RUN(test_html_text_cannot_become_markup);
    return hk_test_end();
}
