/*
 * offline_block: the numbers a kiosk issues from its own block while the
 * hub is unreachable. Each number of the block once per day and prefix,
 * also after the file is closed and opened again (a kiosk restart); the
 * block's end is refused, never wrapped; a new day starts the block again;
 * pending tickets come back oldest first and leave the list once the hub
 * took or refused them.
 */
#include <stdio.h>
#include <string.h>

#include "hk_test.h"
#include "offline_block.h"

static offline_block_t *ob;

void setUp(void)
{
    ob = NULL;
}

void tearDown(void)
{
    offline_block_close(ob);
}

static void open_block(int from, int to)
{
    offline_block_close(ob);
    ob = NULL;
    HK_ASSERT_OK(offline_block_open(hk_test_path("offline.db"), "kiosk-2", from, to, &ob));
}

static void test_offline_block_issues_each_number_once_and_refuses_past_its_end(void)
{
    ticket_t t;

    open_block(900, 902);
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'A', "general", 1000, &t));
    HK_ASSERT_STR("A900", t.number);
    HK_ASSERT_STR("kiosk-2", t.device_id);
    HK_ASSERT_STR("2026-11-26", t.day);
    HK_ASSERT_STR("general", t.service_id);
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    HK_ASSERT_INT(0, t.id); /* no hub row yet */
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'B', "payment", 1001, &t));
    HK_ASSERT_STR("B900", t.number); /* each prefix has the whole block */

    /* a restart keeps the count */
    open_block(900, 902);
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'A', "general", 1002, &t));
    HK_ASSERT_STR("A901", t.number);
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'A', "general", 1003, &t));
    HK_ASSERT_STR("A902", t.number);
    HK_ASSERT_INT(HK_ERR_INVALID, offline_block_issue(ob, "2026-11-26", 'A', "general", 1004, &t));

    /* a new business day starts the block again */
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-27", 'A', "general", 90000, &t));
    HK_ASSERT_STR("A900", t.number);

    offline_block_close(ob);
    HK_ASSERT_INT(HK_ERR_INVALID, offline_block_open(hk_test_path("x.db"), "k", 0, 5, &ob));
    HK_ASSERT(ob == NULL);
    HK_ASSERT_INT(HK_ERR_INVALID, offline_block_open(hk_test_path("x.db"), "k", 950, 1000, &ob));
}

static void test_offline_block_pending_comes_back_in_issue_order_until_marked(void)
{
    ticket_t t, list[8];
    int n = -1;

    open_block(950, 999);
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'B', "payment", 3000, &t));
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'A', "general", 1000, &t));
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'A', "general", 2000, &t));
    HK_ASSERT_OK(offline_block_pending_count(ob, &n));
    HK_ASSERT_INT(3, n);
    HK_ASSERT_OK(offline_block_pending(ob, list, 8, &n));
    HK_ASSERT_INT(3, n);
    HK_ASSERT_STR("A950", list[0].number);
    HK_ASSERT_STR("A951", list[1].number);
    HK_ASSERT_STR("B950", list[2].number);
    HK_ASSERT_INT(1000, list[0].issued_ms);
    HK_ASSERT_STR("kiosk-2", list[2].device_id);
    HK_ASSERT_OK(offline_block_pending(ob, list, 1, &n));
    HK_ASSERT_INT(1, n);

    HK_ASSERT_OK(offline_block_mark(ob, "2026-11-26", "A950", true));
    HK_ASSERT_OK(offline_block_mark(ob, "2026-11-26", "B950", false)); /* refused for good */
    open_block(950, 999);
    HK_ASSERT_OK(offline_block_pending(ob, list, 8, &n));
    HK_ASSERT_INT(1, n);
    HK_ASSERT_STR("A951", list[0].number);
    /* an imported number is still used: the next one moves on */
    HK_ASSERT_OK(offline_block_issue(ob, "2026-11-26", 'A', "general", 4000, &t));
    HK_ASSERT_STR("A952", t.number);
}

int main(void)
{
    HK_RUN(test_offline_block_issues_each_number_once_and_refuses_past_its_end);
    HK_RUN(test_offline_block_pending_comes_back_in_issue_order_until_marked);
    return hk_test_end();
}
