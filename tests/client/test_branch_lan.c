/*
 * branch_lan against a real hub process on 127.0.0.1: a kiosk takes a
 * number through the hub, staff log in and call it, the event stream
 * delivers what changed, a snapshot after the hub restarted is current;
 * and with the hub killed (SIGKILL) the kiosk keeps issuing from its own
 * block at once, across its own restart without reusing a number, and
 * hands those tickets to the hub when it is back, in issue-time order.
 *
 * Uses lan-server's endpoints (merged into this branch): POST /sessions,
 * staff sessions on counter actions, POST /tickets/import; and the lead's
 * core (staff on calls, import in issue-time order).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "branch.h"
#include "branch_lan.h"
#include "config.h"
#include "hk_http.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "hub_proc.h"
#include "mailbox.h"

static hub_proc_t hub;
static config_t cfg;
static mailbox_t *mb;
static branch_t br;
static int64_t advanced; /* the highest MAILBOX_JOURNAL_ADVANCED seen */
static char links[64];   /* MAILBOX_LINK_CHANGED in order: "1" up, "0" down */
static uint64_t next_tag = 1;

void setUp(void)
{
    hk_diag_t diag;

    memset(&hub, 0, sizeof(hub));
    memset(&br, 0, sizeof(br));
    advanced = 0;
    links[0] = '\0';
    HK_ASSERT_OK(config_parse(hub_proc_config, strlen(hub_proc_config), &cfg, &diag));
    HK_ASSERT_OK(mailbox_create(256, NULL, NULL, &mb));
    hub_proc_start(&hub);
}

void tearDown(void)
{
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    mailbox_destroy(mb);
    mb = NULL;
    hub_proc_stop(&hub);
}

static void client_start(void)
{
    char data[1024];

    snprintf(data, sizeof(data), "%s/kioskdata", hk_test_tmpdir());
    HK_ASSERT_OK(branch_lan_create(&cfg, hub.url, data, mb, &br));
}

static void client_restart(void)
{
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    client_start();
}

/* Count a notice: the journal's progress, the link's changes. */
static void notice(const mailbox_msg_t *m)
{
    size_t n = strlen(links);

    if(m->kind == MAILBOX_JOURNAL_ADVANCED && m->i64 > advanced)
        advanced = m->i64;
    if(m->kind == MAILBOX_LINK_CHANGED && n + 1 < sizeof(links)) {
        links[n] = m->i64 ? '1' : '0';
        links[n + 1] = '\0';
    }
}

/* Drain notices until the link changes have been `want` (e.g. "10"). */
static void wait_links(const char *want, int timeout_ms)
{
    int64_t end = hub_proc_now_ms() + timeout_ms;
    mailbox_msg_t m;

    while(strcmp(links, want) != 0 && hub_proc_now_ms() < end) {
        if(!mailbox_wait(mb, 50, &m))
            continue;
        notice(&m);
        mailbox_msg_free(&m);
    }
    HK_ASSERT_STR(want, links);
}

/* Wait for the result with this tag (notices on the way are counted). */
static branch_result_t *wait_result(uint64_t tag, int timeout_ms)
{
    int64_t end = hub_proc_now_ms() + timeout_ms;
    mailbox_msg_t m;

    while(hub_proc_now_ms() < end) {
        if(!mailbox_wait(mb, 50, &m))
            continue;
        notice(&m);
        if(m.kind == MAILBOX_BRANCH_DONE && m.tag == tag) {
            branch_result_t *r = m.payload;
            m.payload = NULL;
            mailbox_msg_free(&m);
            return r;
        }
        mailbox_msg_free(&m);
    }
    hk_test_fail(__FILE__, __LINE__, "no result for tag %llu in %d ms", (unsigned long long)tag,
                 timeout_ms);
}

/* Drain notices until one reaches seq. */
static void wait_advanced(int64_t seq, int timeout_ms)
{
    int64_t end = hub_proc_now_ms() + timeout_ms;
    mailbox_msg_t m;

    while(advanced < seq && hub_proc_now_ms() < end) {
        if(!mailbox_wait(mb, 50, &m))
            continue;
        notice(&m);
        mailbox_msg_free(&m);
    }
    HK_ASSERT_MSG(advanced >= seq, "journal notice %lld never came (at %lld)", (long long)seq,
                  (long long)advanced);
}

static void wait_connected(bool up, int timeout_ms)
{
    int64_t end = hub_proc_now_ms() + timeout_ms;

    while(branch_lan_connected(&br) != up && hub_proc_now_ms() < end)
        hub_proc_sleep_ms(20);
    HK_ASSERT_MSG(branch_lan_connected(&br) == up, "stream never became %s",
                  up ? "connected" : "disconnected");
}

static branch_result_t *take_at(branch_t *b, const char *service, int timeout_ms)
{
    uint64_t tag = next_tag++;

    HK_ASSERT_OK(branch_take_number(b, tag, service));
    return wait_result(tag, timeout_ms);
}

static branch_result_t *take(const char *service, int timeout_ms)
{
    return take_at(&br, service, timeout_ms);
}

static int waiting_for(const branch_snapshot_t *s, const char *service)
{
    int i;

    for(i = 0; i < s->n_services; i++)
        if(!strcmp(s->services[i].service_id, service))
            return s->services[i].waiting;
    return -1;
}

/* Staff s1 at c1 calls and finishes n tickets: they come in this order. */
static void serve_in_order(const char *const *numbers, int n)
{
    branch_result_t *r;
    uint64_t tag = next_tag++;
    int64_t id;
    int i;

    HK_ASSERT_OK(branch_login(&br, tag, "s1", "246810"));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    branch_result_free(r);
    for(i = 0; i < n; i++) {
        tag = next_tag++;
        HK_ASSERT_OK(branch_call_next(&br, tag, "c1"));
        r = wait_result(tag, 5000);
        HK_ASSERT_INT(HK_OK, r->rc);
        HK_ASSERT_STR(numbers[i], r->ticket.number);
        id = r->ticket.id;
        branch_result_free(r);
        tag = next_tag++;
        HK_ASSERT_OK(branch_finish(&br, tag, id));
        branch_result_free(wait_result(tag, 5000));
    }
}

static void test_branch_lan_takes_a_number_through_the_hub_and_hears_the_event(void)
{
    branch_result_t *r;
    uint64_t tag;
    int i;
    bool seen = false;

    client_start();
    wait_connected(true, 5000);
    r = take("general", 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT(r->has_ticket);
    HK_ASSERT_STR("A001", r->ticket.number);
    HK_ASSERT_STR("", r->ticket.device_id); /* the hub numbered it */
    HK_ASSERT(r->ticket.id > 0);
    HK_ASSERT(r->journal_seq > 0);
    wait_advanced(r->journal_seq, 5000);
    branch_result_free(r);

    /* the stream brought the ticket.issued event: EVENTS answers from it */
    tag = next_tag++;
    HK_ASSERT_OK(branch_events(&br, tag, 0));
    r = wait_result(tag, 1000);
    HK_ASSERT_INT(HK_OK, r->rc);
    for(i = 0; i < r->n_events; i++)
        if(r->events[i].type == JOURNAL_TICKET_ISSUED && strstr(r->events[i].body, "\"A001\""))
            seen = true;
    HK_ASSERT_MSG(seen, "ticket.issued for A001 not among %d events", r->n_events);
    branch_result_free(r);

    /* an unknown service is the queue's NOT_FOUND, mapped back from the 404 */
    r = take("nosuch", 5000);
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, r->rc);
    branch_result_free(r);
}

static void test_branch_lan_staff_login_then_call_next_carries_the_staff(void)
{
    branch_result_t *r;
    uint64_t tag;
    int64_t called;

    client_start();
    wait_connected(true, 5000);
    branch_result_free(take("general", 5000));

    tag = next_tag++;
    HK_ASSERT_OK(branch_login(&br, tag, "s1", "000000"));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_ERR_INVALID, r->rc); /* wrong PIN */
    branch_result_free(r);

    tag = next_tag++;
    HK_ASSERT_OK(branch_login(&br, tag, "s1", "246810"));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT(r->has_staff);
    HK_ASSERT_STR("Wang Li", r->staff.name_en);
    branch_result_free(r);

    tag = next_tag++;
    HK_ASSERT_OK(branch_set_counter(&br, tag, "c1", BRANCH_COUNTER_OPEN, "s1"));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    branch_result_free(r);

    tag = next_tag++;
    HK_ASSERT_OK(branch_call_next(&br, tag, "c1"));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT_STR("A001", r->ticket.number);
    HK_ASSERT_INT(TICKET_CALLED, r->ticket.state);
    HK_ASSERT_STR("c1", r->ticket.counter_id);
    HK_ASSERT_STR("s1", r->ticket.staff_id);
    called = r->ticket.id;
    branch_result_free(r);

    /* one visit at a time: the queue's CONFLICT from the 409 counter_busy */
    tag = next_tag++;
    HK_ASSERT_OK(branch_call_next(&br, tag, "c1"));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_ERR_CONFLICT, r->rc);
    branch_result_free(r);

    /* the hub restarts and forgets sessions: the backend logs in again */
    hub_proc_stop(&hub);
    hub_proc_start(&hub);
    wait_connected(true, 8000);
    tag = next_tag++;
    HK_ASSERT_OK(branch_finish(&br, tag, called));
    r = wait_result(tag, 8000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT_INT(TICKET_DONE, r->ticket.state);
    branch_result_free(r);

    tag = next_tag++;
    HK_ASSERT_OK(branch_logout(&br, tag));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    branch_result_free(r);
}

/* The screens hear when the hub goes away and comes back (the board's and
 * the counter's "offline, reconnecting"), once per change; a client
 * started while its hub is away hears "down" at its first failed try. */
static void test_branch_lan_tells_the_screens_when_the_hub_goes_and_comes_back(void)
{
    client_start();
    wait_links("1", 5000);
    hub_proc_stop(&hub);
    wait_links("10", 5000);
    hub_proc_sleep_ms(1500); /* failed reconnects meanwhile: no more notices */
    wait_links("10", 10);
    hub_proc_start(&hub);
    wait_links("101", 8000);

    hub_proc_stop(&hub);
    wait_links("1010", 5000);
    client_restart();
    links[0] = '\0';
    wait_links("0", 5000);
    hub_proc_start(&hub);
    wait_links("01", 8000);
}

static void test_branch_lan_snapshot_after_the_hub_restarted_is_current(void)
{
    hk_http_resp_t hr;
    branch_result_t *r;
    uint64_t tag;
    int64_t seq;

    client_start();
    wait_connected(true, 5000);
    branch_result_free(take("general", 5000));
    hub_proc_stop(&hub);
    wait_connected(false, 5000);

    hub_proc_start(&hub);
    wait_connected(true, 8000);
    /* a ticket issued by someone else after the restart reaches us by the
     * stream, resumed from the last id */
    HK_ASSERT_OK(hk_http_request(hub.port, "POST", "/api/v1/tickets", "{\"service\":\"payment\"}",
                                 "Authorization: Bearer demo-token-kiosk-1\r\n", &hr));
    HK_ASSERT_INT(201, hr.status);
    seq = atoll(strstr(hr.body, "\"journal_seq\":") + 14);
    hk_http_resp_free(&hr);
    wait_advanced(seq, 5000);

    tag = next_tag++;
    HK_ASSERT_OK(branch_snapshot(&br, tag));
    r = wait_result(tag, 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT_INT(1, waiting_for(&r->snapshot, "general"));
    HK_ASSERT_INT(1, waiting_for(&r->snapshot, "payment"));
    HK_ASSERT(r->snapshot.journal_seq >= seq);
    branch_result_free(r);

    tag = next_tag++;
    HK_ASSERT_OK(branch_events(&br, tag, seq - 1));
    r = wait_result(tag, 1000);
    HK_ASSERT_INT(1, r->n_events);
    HK_ASSERT_INT(seq, r->events[0].seq);
    HK_ASSERT_CONTAINS(r->events[0].body, "B001");
    branch_result_free(r);
}

static void test_branch_lan_offline_block_never_blocks_and_merges_back(void)
{
    static const char *const expect[] = { "A900", "A901", "A902", "A903" };
    char numbers[8][8];
    hk_http_resp_t hr;
    branch_result_t *r;
    int64_t t0, end;
    uint64_t tag;
    int i, j;

    client_start();
    wait_connected(true, 5000);
    r = take("general", 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    snprintf(numbers[0], sizeof(numbers[0]), "%s", r->ticket.number);
    branch_result_free(r);

    hub_proc_kill(&hub);
    for(i = 0; i < 3; i++) {
        t0 = hub_proc_now_ms();
        r = take("general", 2000); /* fails the test if over 2 s */
        HK_ASSERT_MSG(hub_proc_now_ms() - t0 < 2000, "take_number waited %lld ms",
                      (long long)(hub_proc_now_ms() - t0));
        HK_ASSERT_INT(HK_OK, r->rc);
        HK_ASSERT_STR(expect[i], r->ticket.number);
        HK_ASSERT_STR("kiosk-2", r->ticket.device_id);
        HK_ASSERT_INT(TICKET_WAITING, r->ticket.state);
        snprintf(numbers[i + 1], sizeof(numbers[0]), "%s", r->ticket.number);
        branch_result_free(r);
    }
    /* the kiosk restarts while the hub is still down: no number reused */
    client_restart();
    HK_ASSERT_INT(3, branch_lan_pending_imports(&br));
    t0 = hub_proc_now_ms();
    r = take("general", 2000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT_STR(expect[3], r->ticket.number);
    snprintf(numbers[4], sizeof(numbers[0]), "%s", r->ticket.number);
    branch_result_free(r);
    /* other operations fail at once while the hub is known down */
    tag = next_tag++;
    t0 = hub_proc_now_ms();
    HK_ASSERT_OK(branch_call_next(&br, tag, "c1"));
    r = wait_result(tag, 3000);
    HK_ASSERT_INT(HK_ERR_NET, r->rc);
    branch_result_free(r);

    /* the hub returns: the block tickets are handed over */
    hub_proc_start(&hub);
    end = hub_proc_now_ms() + 15000;
    while(branch_lan_pending_imports(&br) != 0 && hub_proc_now_ms() < end)
        hub_proc_sleep_ms(50);
    HK_ASSERT_INT(0, branch_lan_pending_imports(&br));

    /* all five wait at the hub, each number once */
    HK_ASSERT_OK(hk_http_request(hub.port, "GET", "/api/v1/snapshot", NULL,
                                 "Authorization: Bearer demo-token-engineer\r\n", &hr));
    HK_ASSERT_INT(200, hr.status);
    HK_ASSERT_CONTAINS(hr.body, "\"waiting\":5");
    hk_http_resp_free(&hr);
    for(i = 0; i < 5; i++)
        for(j = i + 1; j < 5; j++)
            HK_ASSERT_MSG(strcmp(numbers[i], numbers[j]) != 0, "%s issued twice", numbers[i]);

    /* back online: numbers come from the hub again, outside the block */
    wait_connected(true, 8000);
    r = take("general", 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT_STR("", r->ticket.device_id);
    HK_ASSERT_STR("A002", r->ticket.number);
    branch_result_free(r);

    /* the block tickets joined the queue in issue-time order */
    {
        static const char *const order[] = { "A001", "A900", "A901", "A902", "A903", "A002" };
        serve_in_order(order, 6);
    }
}

/* Two kiosks cut off at once: disjoint blocks, both merge back in
 * issue-time order. The second kiosk posts to the same mailbox (tags are
 * unique across both). */
static void test_branch_lan_two_kiosks_offline_merge_back_in_issue_order(void)
{
    static const char *const want[] = { "A001", "A002", "A900", "A950", "A901", "A951" };
    config_t cfg3 = cfg;
    char data3[1024];
    branch_t br3;
    branch_result_t *r;
    int64_t end;
    int i;

    snprintf(cfg3.device.id, sizeof(cfg3.device.id), "kiosk-3");
    snprintf(cfg3.device.token, sizeof(cfg3.device.token), "demo-token-kiosk-3");
    snprintf(data3, sizeof(data3), "%s/kiosk3data", hk_test_tmpdir());
    client_start();
    HK_ASSERT_OK(branch_lan_create(&cfg3, hub.url, data3, mb, &br3));
    wait_connected(true, 5000);
    for(i = 0; i < 6; i++) {
        branch_t *b = i % 2 ? &br3 : &br;
        if(i == 2)
            hub_proc_kill(&hub);
        r = take_at(b, "general", 2000);
        HK_ASSERT_INT(HK_OK, r->rc);
        HK_ASSERT_STR(want[i], r->ticket.number);
        HK_ASSERT_STR(i < 2 ? "" : i % 2 ? "kiosk-3" : "kiosk-2", r->ticket.device_id);
        branch_result_free(r);
        hub_proc_sleep_ms(5); /* distinct issue times */
    }
    hub_proc_start(&hub);
    end = hub_proc_now_ms() + 15000;
    while((branch_lan_pending_imports(&br) || branch_lan_pending_imports(&br3)) &&
          hub_proc_now_ms() < end)
        hub_proc_sleep_ms(50);
    HK_ASSERT_INT(0, branch_lan_pending_imports(&br));
    HK_ASSERT_INT(0, branch_lan_pending_imports(&br3));
    branch_destroy(&br3);

    serve_in_order(want, 6);
}

/* A hub that accepts and never answers (SIGSTOP: hung, not dead). */
static void test_branch_lan_a_frozen_hub_holds_a_take_number_at_most_the_offline_wait(void)
{
    static const char *const expect[] = { "A900", "A901", "A902" };
    hk_http_resp_t hr;
    branch_result_t *r;
    int64_t t0, end;
    int i;

    client_start();
    wait_connected(true, 5000);
    branch_result_free(take("general", 5000));
    kill(hub.pid, SIGSTOP);
    for(i = 0; i < 3; i++) {
        t0 = hub_proc_now_ms();
        r = take("general", 2000);
        HK_ASSERT_MSG(hub_proc_now_ms() - t0 < 2000, "take_number waited %lld ms",
                      (long long)(hub_proc_now_ms() - t0));
        HK_ASSERT_INT(HK_OK, r->rc);
        HK_ASSERT_STR(expect[i], r->ticket.number);
        branch_result_free(r);
    }
    kill(hub.pid, SIGCONT);
    end = hub_proc_now_ms() + 15000;
    while(branch_lan_pending_imports(&br) != 0 && hub_proc_now_ms() < end)
        hub_proc_sleep_ms(50);
    HK_ASSERT_INT(0, branch_lan_pending_imports(&br));
    HK_ASSERT_OK(hk_http_request(hub.port, "GET", "/api/v1/visits", NULL,
                                 "Authorization: Bearer demo-token-engineer\r\n", &hr));
    HK_ASSERT_INT(200, hr.status);
    for(i = 0; i < 3; i++)
        HK_ASSERT_CONTAINS(hr.body, expect[i]);
    hk_http_resp_free(&hr);
}

static void test_branch_lan_over_https_with_the_branch_ca(void)
{
    branch_result_t *r;

    hub_proc_stop(&hub);
    if(!hub_proc_start_tls(&hub))
        return;
    memcpy(cfg.hub.ca_file, hub.cert_path, sizeof(hub.cert_path));
    client_start();
    wait_connected(true, 5000);
    r = take("general", 5000);
    HK_ASSERT_INT(HK_OK, r->rc);
    HK_ASSERT_STR("A001", r->ticket.number);
    HK_ASSERT_STR("", r->ticket.device_id);
    branch_result_free(r);
}

int main(void)
{
    HK_RUN(test_branch_lan_takes_a_number_through_the_hub_and_hears_the_event);
    HK_RUN(test_branch_lan_snapshot_after_the_hub_restarted_is_current);
    HK_RUN(test_branch_lan_tells_the_screens_when_the_hub_goes_and_comes_back);
    HK_RUN(test_branch_lan_offline_block_never_blocks_and_merges_back);
    HK_RUN(test_branch_lan_staff_login_then_call_next_carries_the_staff);
    HK_RUN(test_branch_lan_two_kiosks_offline_merge_back_in_issue_order);
    HK_RUN(test_branch_lan_a_frozen_hub_holds_a_take_number_at_most_the_offline_wait);
    HK_RUN(test_branch_lan_over_https_with_the_branch_ca);
    return hk_test_end();
}
