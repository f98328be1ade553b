/*
 * runloop: timers fire in deadline order and only when due, can be moved
 * and cancelled; messages are delivered before timers; MAILBOX_QUIT ends
 * runloop_run() with its code; a post from another thread wakes a
 * screenless loop that has no timer armed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hk_test.h"
#include "runloop.h"

typedef struct rec {
    int64_t now;
    char log[256];
    runloop_t *rl;
    int rearm;
    int quit_on; /* timer id whose firing posts MAILBOX_QUIT; 0 = none */
} rec_t;

static rec_t R;

void setUp(void)
{
    memset(&R, 0, sizeof(R));
}

void tearDown(void)
{
}

static int64_t fake_now(void *u)
{
    return ((rec_t *)u)->now;
}

static int64_t real_now(void *u)
{
    struct timespec ts;

    (void)u;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add(rec_t *r, const char *s)
{
    strncat(r->log, s, sizeof(r->log) - strlen(r->log) - 1);
}

static void on_msg(void *u, mailbox_msg_t *m)
{
    rec_t *r = u;
    char buf[32];

    snprintf(buf, sizeof(buf), "m%d ", (int)m->tag);
    add(r, buf);
    mailbox_msg_free(m);
}

static void on_timer(void *u, int id)
{
    rec_t *r = u;
    char buf[32];

    snprintf(buf, sizeof(buf), "t%d ", id);
    add(r, buf);
    if(r->quit_on && id == r->quit_on)
        (void)mailbox_post_simple(runloop_mailbox(r->rl), MAILBOX_QUIT, 0, HK_OK, 4);
    if(id == r->rearm) {
        r->rearm = -1;
        runloop_timer_at(r->rl, id, r->now); /* due again at once: fires in this dispatch */
    }
}

static runloop_t *make(int64_t (*now)(void *))
{
    runloop_hooks_t h;
    runloop_t *rl = NULL;

    memset(&h, 0, sizeof(h));
    h.user = &R;
    h.now_ms = now;
    h.on_message = on_msg;
    h.on_timer = on_timer;
    HK_ASSERT_OK(runloop_create(&h, 8, NULL, NULL, &rl));
    R.rl = rl;
    return rl;
}

static void test_runloop_timers_fire_when_due_in_deadline_order(void)
{
    runloop_t *rl = make(fake_now);

    R.rearm = -1;
    runloop_timer_at(rl, 3, 300);
    runloop_timer_at(rl, 1, 100);
    runloop_timer_at(rl, 2, 200);
    HK_ASSERT_INT(100, runloop_next_deadline(rl));
    R.now = 99;
    runloop_dispatch(rl);
    HK_ASSERT_STR("", R.log);
    R.now = 250;
    runloop_dispatch(rl);
    HK_ASSERT_STR("t1 t2 ", R.log);
    HK_ASSERT(!runloop_timer_armed(rl, 1));
    HK_ASSERT_INT(300, runloop_next_deadline(rl));
    runloop_timer_at(rl, 3, 1000); /* moved, not duplicated */
    runloop_timer_cancel(rl, 3);
    HK_ASSERT_INT(RUNLOOP_NEVER, runloop_next_deadline(rl));
    R.now = 5000;
    runloop_dispatch(rl);
    HK_ASSERT_STR("t1 t2 ", R.log);
    runloop_destroy(rl);
}

static void test_runloop_messages_before_timers_and_rearm_in_same_dispatch(void)
{
    runloop_t *rl = make(fake_now);

    R.rearm = 4;
    R.now = 10;
    runloop_timer_at(rl, 4, 5);
    HK_ASSERT_OK(mailbox_post_simple(runloop_mailbox(rl), MAILBOX_PRINT_DONE, 7, HK_OK, 0));
    runloop_dispatch(rl);
    HK_ASSERT_STR("m7 t4 t4 ", R.log);
    runloop_destroy(rl);
}

static void test_runloop_quit_message_ends_run_with_its_code(void)
{
    runloop_t *rl = make(fake_now);

    HK_ASSERT_OK(mailbox_post_simple(runloop_mailbox(rl), MAILBOX_PRINT_DONE, 1, HK_OK, 0));
    HK_ASSERT_OK(mailbox_post_simple(runloop_mailbox(rl), MAILBOX_QUIT, 0, HK_OK, 5));
    HK_ASSERT_OK(mailbox_post_simple(runloop_mailbox(rl), MAILBOX_PRINT_DONE, 2, HK_OK, 0));
    runloop_timer_at(rl, 0, 0);
    HK_ASSERT_INT(5, runloop_run(rl));
    /* results queued behind the quit are still delivered; timers are not run */
    HK_ASSERT_STR("m1 m2 ", R.log);
    runloop_destroy(rl);
}

static void *post_later(void *arg)
{
    struct timespec ts = { 0, 30 * 1000000L };

    nanosleep(&ts, NULL);
    (void)mailbox_post_simple(arg, MAILBOX_QUIT, 0, HK_OK, 9);
    return NULL;
}

static void test_runloop_idle_run_wakes_on_a_post_from_another_thread(void)
{
    runloop_t *rl = make(real_now);
    pthread_t th;

    HK_ASSERT(pthread_create(&th, NULL, post_later, runloop_mailbox(rl)) == 0);
    HK_ASSERT_INT(9, runloop_run(rl)); /* no timer: sleeps until the post */
    pthread_join(th, NULL);
    runloop_destroy(rl);
}

static void test_runloop_run_fires_a_real_timer(void)
{
    runloop_t *rl = make(real_now);
    int64_t t0 = real_now(NULL);

    R.rearm = -1;
    R.quit_on = 2;
    runloop_timer_at(rl, 2, t0 + 40);
    HK_ASSERT_OK(mailbox_post_simple(runloop_mailbox(rl), MAILBOX_PRINT_DONE, 3, HK_OK, 0));
    HK_ASSERT_INT(4, runloop_run(rl)); /* sleeps until the deadline, fires, quits */
    HK_ASSERT(real_now(NULL) - t0 >= 40);
    HK_ASSERT_STR("m3 t2 ", R.log);
    runloop_destroy(rl);
}

int main(void)
{
    HK_RUN(test_runloop_timers_fire_when_due_in_deadline_order);
    HK_RUN(test_runloop_messages_before_timers_and_rearm_in_same_dispatch);
    HK_RUN(test_runloop_quit_message_ends_run_with_its_code);
    HK_RUN(test_runloop_idle_run_wakes_on_a_post_from_another_thread);
    HK_RUN(test_runloop_run_fires_a_real_timer);
    return hk_test_end();
}
