/*
 * A hub hosted inside a kiosk: the hub runs on a thread with its own
 * connection to the kiosk's store, while the kiosk's screen commits
 * through its own in-process branch. A ticket the kiosk's screen issues
 * must reach the event stream at once (hub_poke), as a counter or display
 * on the LAN would see it, without any request to the hub.
 */
#include <stdio.h>
#include <string.h>

#include "branch_local.h"
#include "clock.h"
#include "hk_http.h"
#include "hk_test.h"
#include "hub.h"
#include "journal.h"
#include "mailbox.h"
#include "paths.h"
#include "store.h"

static config_t cfg;
static hk_clock_t *clock_;
static hub_t *hub;
static store_t *st;
static mailbox_t *mb;
static branch_t br;

static int64_t wall(void *user)
{
    (void)user;
    return hk_clock_wall_ms(clock_);
}

void setUp(void)
{
    hk_diag_t diag;
    char path[1024];

    snprintf(path, sizeof(path), "%s/assets/config/sample-branch.json", HK_SOURCE_DIR);
    HK_ASSERT_OK(config_load_file(path, &cfg, &diag));
    /* every service open, whatever the hour the test runs */
    for(int i = 0; i < cfg.n_services; i++)
        for(int d = 0; d < 7; d++) {
            cfg.services[i].hours.day[d].open_min = 0;
            cfg.services[i].hours.day[d].close_min = 24 * 60;
        }
    for(int d = 0; d < 7; d++) {
        cfg.hours.day[d].open_min = 0;
        cfg.hours.day[d].close_min = 24 * 60;
    }
    HK_ASSERT_OK(hk_clock_system_create(&clock_));
    memset(&br, 0, sizeof(br));
}

void tearDown(void)
{
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    hub_destroy(hub);
    hub = NULL;
    mailbox_destroy(mb);
    mb = NULL;
    store_close(st);
    st = NULL;
    hk_clock_destroy(clock_);
}

static void test_hosted_hub_streams_what_the_kiosk_screen_commits(void)
{
    hub_opts_t ho;
    hk_diag_t diag;
    hk_sse_t sse;
    hk_sse_event_t ev;
    mailbox_msg_t m;
    char path[1024];
    int64_t seq = -1;
    int got = 0, i;

    memset(&ho, 0, sizeof(ho));
    ho.cfg = &cfg;
    ho.clock = clock_;
    ho.data_dir = hk_test_tmpdir();
    ho.listen = "127.0.0.1:0";
    HK_ASSERT_OK(hub_create(&ho, &hub, &diag));
    HK_ASSERT_OK(hub_start_thread(hub));
    HK_ASSERT(hub_port(hub) > 0);

    /* the kiosk's own connection and branch, as kiosk.c opens them */
    HK_ASSERT_OK(paths_resolve(hk_test_tmpdir(), "hallkiosk.db", path, sizeof(path)));
    HK_ASSERT_OK(store_open(path, &st, &diag));
    HK_ASSERT_OK(mailbox_create(64, NULL, NULL, &mb));
    HK_ASSERT_OK(branch_local_create(st, &cfg, mb, wall, NULL, &br));

    HK_ASSERT_OK(
        hk_sse_open(hub_port(hub), "/api/v1/events?access_token=demo-token-display-1", NULL, &sse));
    HK_ASSERT_INT(1, hk_sse_next(&sse, 5000, &ev));
    HK_ASSERT_STR("snapshot", ev.event);

    /* a customer takes a number on the kiosk's screen */
    HK_ASSERT_OK(branch_take_number(&br, 1, "general"));
    while(mailbox_take(mb, &m)) {
        if(m.kind == MAILBOX_JOURNAL_ADVANCED) {
            seq = m.i64;
            hub_poke(hub, m.i64); /* what kiosk.c does on each notice */
        }
        mailbox_msg_free(&m);
    }
    HK_ASSERT(seq > 0);
    /* the stream carries it, with its journal seq, within a second */
    for(i = 0; i < 5 && !got; i++) {
        if(hk_sse_next(&sse, 1000, &ev) != 1)
            continue;
        if(!strcmp(ev.event, "ticket.issued")) {
            char want[32];
            snprintf(want, sizeof(want), "%lld", (long long)seq);
            HK_ASSERT_STR(want, ev.id);
            HK_ASSERT_CONTAINS(ev.data, "\"number\":\"A001\"");
            got = 1;
        }
    }
    hk_sse_close(&sse);
    HK_ASSERT_MSG(got, "the kiosk's ticket did not reach the stream");
}

int main(void)
{
    HK_RUN(test_hosted_hub_streams_what_the_kiosk_screen_commits);
    return hk_test_end();
}
