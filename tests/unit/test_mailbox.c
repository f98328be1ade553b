/*
 * mailbox: several producers and one consumer lose nothing and keep each
 * producer's order; a full mailbox refuses (counted) instead of dropping;
 * notices coalesce; payloads left behind are freed; waits time out. The
 * stress test also runs under ThreadSanitizer (label tsan).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "mailbox.h"

#define PRODUCERS    4
#define PER_PRODUCER 5000

static atomic_int wakes;

void setUp(void)
{
    atomic_store(&wakes, 0);
}

void tearDown(void)
{
    hk_log_set_stderr(true);
}

static void count_wake(void *user)
{
    (void)user;
    atomic_fetch_add(&wakes, 1);
}

typedef struct producer {
    mailbox_t *mb;
    int id;
    long busy; /* refusals seen (then retried) */
} producer_t;

static void *produce(void *arg)
{
    producer_t *p = arg;
    int i;

    for(i = 0; i < PER_PRODUCER; i++) {
        mailbox_msg_t m;
        int *payload = hk_malloc(sizeof(int));
        if(!payload)
            return NULL;
        *payload = i;
        memset(&m, 0, sizeof(m));
        m.kind = MAILBOX_BRANCH_DONE;
        m.tag = (uint64_t)p->id;
        m.payload = payload;
        while(mailbox_post(p->mb, &m) == HK_ERR_BUSY) {
            p->busy++; /* still ours: retry once the consumer made room */
            sched_yield();
        }
    }
    return NULL;
}

static void test_mailbox_many_producers_lose_nothing_and_keep_order(void)
{
    mailbox_t *mb = NULL;
    pthread_t th[PRODUCERS];
    producer_t prod[PRODUCERS];
    int next[PRODUCERS] = { 0 }, got = 0, i;
    long busy = 0;

    hk_log_set_stderr(false); /* refusals are expected and logged here */
    HK_ASSERT_OK(mailbox_create(64, count_wake, NULL, &mb));
    for(i = 0; i < PRODUCERS; i++) {
        prod[i].mb = mb;
        prod[i].id = i;
        prod[i].busy = 0;
        HK_ASSERT(pthread_create(&th[i], NULL, produce, &prod[i]) == 0);
    }
    while(got < PRODUCERS * PER_PRODUCER) {
        mailbox_msg_t m;
        if(!mailbox_wait(mb, 1000, &m))
            continue;
        HK_ASSERT_INT(MAILBOX_BRANCH_DONE, m.kind);
        HK_ASSERT(m.tag < PRODUCERS);
        HK_ASSERT_INT(next[m.tag], *(int *)m.payload); /* per-producer order */
        next[m.tag]++;
        got++;
        mailbox_msg_free(&m);
    }
    for(i = 0; i < PRODUCERS; i++) {
        pthread_join(th[i], NULL);
        busy += prod[i].busy;
        HK_ASSERT_INT(PER_PRODUCER, next[i]);
    }
    /* every refusal was counted, and the producers saw exactly those */
    HK_ASSERT_INT(busy, (long)mailbox_refused(mb));
    HK_ASSERT_INT(0, mailbox_count(mb));
    HK_ASSERT(atomic_load(&wakes) >= 1);
    mailbox_destroy(mb);
}

static void test_mailbox_full_refuses_counts_and_sender_keeps_payload(void)
{
    mailbox_t *mb = NULL;
    mailbox_msg_t m, out;
    char *p;

    hk_log_set_stderr(false);
    HK_ASSERT_OK(mailbox_create(2, NULL, NULL, &mb));
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_PRINT_DONE, 1, HK_OK, 0));
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_PRINT_DONE, 2, HK_OK, 0));
    memset(&m, 0, sizeof(m));
    m.kind = MAILBOX_BRANCH_DONE;
    m.payload = p = hk_strdup("result");
    HK_ASSERT_INT(HK_ERR_BUSY, mailbox_post(mb, &m));
    HK_ASSERT_INT(HK_ERR_BUSY, mailbox_post_simple(mb, MAILBOX_PRINT_DONE, 3, HK_OK, 0));
    HK_ASSERT_INT(2, (long)mailbox_refused(mb));
    HK_ASSERT_STR("result", p); /* not freed by the refusal */
    HK_ASSERT(mailbox_take(mb, &out));
    HK_ASSERT_INT(1, (long)out.tag);
    HK_ASSERT_OK(mailbox_post(mb, &m)); /* room again: now the mailbox owns it */
    mailbox_destroy(mb);                /* frees the queued payload: no leak */
}

static void test_mailbox_journal_notices_coalesce_to_the_latest(void)
{
    mailbox_t *mb = NULL;
    mailbox_msg_t out;

    HK_ASSERT_OK(mailbox_create(4, count_wake, NULL, &mb));
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, 7));
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_PRINT_DONE, 9, HK_OK, 0));
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, 12));
    HK_ASSERT_OK(mailbox_post_simple(mb, MAILBOX_JOURNAL_ADVANCED, 0, HK_OK, 10));
    HK_ASSERT_INT(2, mailbox_count(mb));
    HK_ASSERT(mailbox_take(mb, &out));
    HK_ASSERT_INT(MAILBOX_JOURNAL_ADVANCED, out.kind);
    HK_ASSERT_INT(12, out.i64); /* the newest seq, never moved backwards */
    HK_ASSERT(mailbox_take(mb, &out));
    HK_ASSERT_INT(MAILBOX_PRINT_DONE, out.kind);
    HK_ASSERT(!mailbox_take(mb, &out));
    mailbox_destroy(mb);
}

static void test_mailbox_wait_times_out_when_empty(void)
{
    mailbox_t *mb = NULL;
    mailbox_msg_t out;
    struct timespec a, b;
    long ms;

    HK_ASSERT_OK(mailbox_create(1, NULL, NULL, &mb));
    clock_gettime(CLOCK_MONOTONIC, &a);
    HK_ASSERT(!mailbox_wait(mb, 50, &out));
    clock_gettime(CLOCK_MONOTONIC, &b);
    ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    HK_ASSERT_MSG(ms >= 45, "returned after %ld ms, before the 50 ms timeout", ms);
    HK_ASSERT(!mailbox_wait(mb, 0, &out));
    HK_ASSERT_INT(HK_ERR_INVALID, mailbox_post_simple(mb, MAILBOX_NONE, 0, HK_OK, 0));
    mailbox_destroy(mb);
}

static void test_mailbox_create_fails_cleanly_without_memory(void)
{
    mailbox_t *mb = NULL;
    long n;

    for(n = 1; n <= 2; n++) {
        hk_mem_fail_nth(n);
        HK_ASSERT_INT(HK_ERR_NOMEM, mailbox_create(8, NULL, NULL, &mb));
        HK_ASSERT(mb == NULL);
    }
    hk_mem_fail_nth(0);
}

int main(void)
{
    HK_RUN(test_mailbox_many_producers_lose_nothing_and_keep_order);
    HK_RUN(test_mailbox_full_refuses_counts_and_sender_keeps_payload);
    HK_RUN(test_mailbox_journal_notices_coalesce_to_the_latest);
    HK_RUN(test_mailbox_wait_times_out_when_empty);
    HK_RUN(test_mailbox_create_fails_cleanly_without_memory);
    return hk_test_end();
}
