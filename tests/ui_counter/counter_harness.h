/*
 * counter_harness: what the counter UI tests share (header-only: each
 * tests/ui_counter/test_*.c is its own executable). The real thing in
 * process: the SDL offscreen display at a panel size, the fonts, a
 * stepped clock, a real SQLite store in the test's temp dir with
 * branch_local over it (as the hub runs it), and the counter or the kiosk
 * driven by a script (app/core/script.h). Tickets are issued straight
 * through queue on the same store, as a kiosk would have.
 */
#ifndef HK_TESTS_UI_COUNTER_HARNESS_H
#define HK_TESTS_UI_COUNTER_HARNESS_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "branch_local.h"
#include "clock.h"
#include "config_live.h"
#include "counter.h"
#include "display.h"
#include "hk_test.h"
#include "kiosk.h"
#include "paths.h"
#include "queue.h"
#include "rating.h"
#include "store.h"

/* Wednesday 2026-11-25 10:00 in Shanghai (UTC+8), as UTC epoch ms */
#define HARNESS_WALL0 1795572000000LL

typedef struct harness {
    config_t cfg;
    config_live_t *live;
    font_set_t *fonts;
    display_t *display;
    display_t *customer; /* the counter's second screen; NULL = none */
    hk_clock_t *clock;
    store_t *store;
    queue_t *queue;
    branch_t branch;
    bool have_branch;
    counter_t *counter;
    kiosk_t *kiosk;
    char data[1024];
    char shots[1024];
} harness_t;

static inline int64_t harness_now(void *user)
{
    return hk_clock_wall_ms(user);
}

/* Config, fonts, display (w x h), clock, store; lang "zh-CN" or "en". */
static inline void harness_open(harness_t *h, int w, int hh, const char *lang, const char *shots)
{
    char path[1200];
    hk_diag_t diag;
    display_cfg_t dc;

    memset(h, 0, sizeof(*h));
    snprintf(path, sizeof(path), "%s/tests/ui_counter/fixtures/branch.json", HK_SOURCE_DIR);
    HK_ASSERT_MSG(config_load_file(path, &h->cfg, &diag) == HK_OK, "%s: %s", path, diag.msg);
    snprintf(h->cfg.language, sizeof(h->cfg.language), "%s", lang);
    HK_ASSERT_OK(config_live_create(&h->cfg, &h->live));
    HK_ASSERT_MSG(font_set_open(NULL, &h->fonts, &diag) == HK_OK, "fonts: %s", diag.msg);
    memset(&dc, 0, sizeof(dc));
    dc.mode = DISPLAY_MODE_OFFSCREEN;
    dc.width = w;
    dc.height = hh;
    dc.title = "counter test";
    HK_ASSERT_MSG(display_create(&dc, h->fonts, &h->display, &diag) == HK_OK, "display: %s",
                  diag.msg);
    HK_ASSERT_OK(hk_clock_stepped_create(HARNESS_WALL0, &h->clock));
    /* a fresh store each time, also when a test opens twice */
    for(int i = 0;; i++) {
        struct stat st;
        snprintf(h->data, sizeof(h->data), "%s/data-%d", hk_test_tmpdir(), i);
        if(stat(h->data, &st) != 0)
            break;
    }
    HK_ASSERT_OK(paths_mkdir_p(h->data));
    snprintf(h->shots, sizeof(h->shots), "%s", shots ? shots : hk_test_path("shots"));
    HK_ASSERT_OK(paths_mkdir_p(h->shots));
    snprintf(path, sizeof(path), "%s/hallkiosk.db", h->data);
    HK_ASSERT_MSG(store_open(path, &h->store, &diag) == HK_OK, "store: %s", diag.msg);
    HK_ASSERT_OK(queue_open(h->store, &h->cfg, &h->queue));
}

/* A second offscreen display, w x hh, as the counter's customer screen
 * (before harness_counter()). */
static inline void harness_customer_screen(harness_t *h, int w, int hh)
{
    display_cfg_t dc;
    hk_diag_t diag;

    memset(&dc, 0, sizeof(dc));
    dc.mode = DISPLAY_MODE_OFFSCREEN;
    dc.width = w;
    dc.height = hh;
    dc.title = "counter test: customer";
    HK_ASSERT_MSG(display_create(&dc, h->fonts, &h->customer, &diag) == HK_OK, "display: %s",
                  diag.msg);
}

/* A tap on the customer's screen. */
static inline void harness_customer_tap(harness_t *h, int x, int y)
{
    display_event_t ev;

    memset(&ev, 0, sizeof(ev));
    ev.display = h->customer;
    ev.x = x;
    ev.y = y;
    ev.type = DISPLAY_EV_DOWN;
    counter_customer_input(h->counter, &ev);
    ev.type = DISPLAY_EV_UP;
    counter_customer_input(h->counter, &ev);
}

/* The counter (counter_id NULL: the config's c6) over branch_local. */
static inline void harness_counter(harness_t *h, const char *counter_id)
{
    counter_opts_t o;
    hk_diag_t diag;

    memset(&o, 0, sizeof(o));
    o.live = h->live;
    o.display = h->display;
    o.fonts = h->fonts;
    o.clock = h->clock;
    o.data_dir = h->data;
    o.screenshot_dir = h->shots;
    o.branch = &h->branch;
    o.counter_id = counter_id;
    o.customer_display = h->customer;
    HK_ASSERT_MSG(counter_create(&o, &h->counter, &diag) == HK_OK, "counter: %s", diag.msg);
    HK_ASSERT_OK(branch_local_create(h->store, &h->cfg, counter_mailbox(h->counter), harness_now,
                                     h->clock, &h->branch));
    h->have_branch = true;
}

/* The kiosk (its own store connection on the same file, its own branch). */
static inline void harness_kiosk(harness_t *h)
{
    kiosk_opts_t o;
    hk_diag_t diag;

    memset(&o, 0, sizeof(o));
    o.live = h->live;
    o.display = h->display;
    o.fonts = h->fonts;
    o.clock = h->clock;
    o.data_dir = h->data;
    o.screenshot_dir = h->shots;
    HK_ASSERT_MSG(kiosk_create(&o, &h->kiosk, &diag) == HK_OK, "kiosk: %s", diag.msg);
}

/* Run a script (text) on the counter (any number of times) or the kiosk
 * (once: each kiosk_run opens its store); returns the exit code. */
static inline int harness_run(harness_t *h, const char *text)
{
    script_t *s = NULL;
    hk_diag_t diag;
    int rc;

    HK_ASSERT_MSG(script_parse(text, strlen(text), &s, &diag) == HK_OK, "script: %s", diag.msg);
    rc = h->counter ? counter_run(h->counter, s) : kiosk_run(h->kiosk, s);
    script_destroy(s);
    return rc;
}

/* Issue a ticket for service_id at local time "HH:MM" of the test day. */
static inline ticket_t harness_issue(harness_t *h, const char *service_id, int hh, int mm)
{
    ticket_t t;
    int64_t at = HARNESS_WALL0 + ((int64_t)(hh - 10) * 60 + mm) * 60000;

    HK_ASSERT_OK(queue_take_number(h->queue, service_id, at, &t));
    return t;
}

static inline void harness_close(harness_t *h)
{
    counter_destroy(h->counter);
    kiosk_destroy(h->kiosk);
    if(h->have_branch)
        branch_destroy(&h->branch);
    queue_destroy(h->queue);
    store_close(h->store);
    display_destroy(h->customer);
    display_destroy(h->display);
    font_set_destroy(h->fonts);
    hk_clock_destroy(h->clock);
    config_live_destroy(h->live);
    memset(h, 0, sizeof(*h));
}

#endif
