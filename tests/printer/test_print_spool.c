/*
 * test_print_spool: the print spool over a scripted in-memory printer
 * (custom printer_ops_t). Ordering, one done per job, status gating,
 * write failure, the queue cap, wait_idle, destroy with pending jobs,
 * refusals that still free the caller's bits, OOM, and no leaks (the
 * harness checks hk_mem_live after every test).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "escpos_decode.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "print_spool.h"
#include "printer.h"

#define MAX_LOG 64

/* A printer the test scripts. Touched by the worker; guarded by lock. */
typedef struct fake {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    printer_status_t status;
    int fail_write;
    int gate_closed; /* write waits until opened or gate_ms passes */
    int gate_ms;
    int entered;              /* writes started */
    int writes;               /* writes completed */
    int first_bytes[MAX_LOG]; /* bits[0] of each printed ticket, in order */
    int status_calls;
    int last_timeout_ms;
    int destroyed;
} fake_t;

typedef struct done_log {
    pthread_mutex_t lock;
    int calls;
    uint64_t ids[MAX_LOG];
    hk_err_t rcs[MAX_LOG];
    printer_status_t sts[MAX_LOG];
    int slow_ms;                /* callback dawdles (wait_idle must wait) */
    print_spool_t *resubmit_to; /* submit one follow-up from the callback */
    int finished;               /* set as the callback's last act */
    hk_err_t resubmit_rc;
} done_log_t;

static fake_t fake;
static done_log_t dlog;

void setUp(void)
{
    memset(&fake, 0, sizeof(fake));
    pthread_mutex_init(&fake.lock, NULL);
    pthread_cond_init(&fake.cond, NULL);
    fake.status = PRINTER_STATUS_OK;
    memset(&dlog, 0, sizeof(dlog));
    pthread_mutex_init(&dlog.lock, NULL);
}

void tearDown(void)
{
    hk_mem_fail_nth(0);
    pthread_cond_destroy(&fake.cond);
    pthread_mutex_destroy(&fake.lock);
    pthread_mutex_destroy(&dlog.lock);
}

static hk_err_t fake_write(void *impl, const uint8_t *buf, size_t len)
{
    fake_t *f = impl;
    escpos_image_t img;
    struct timespec dl;
    hk_err_t rc = HK_OK;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += (long)f->gate_ms * 1000000L;
    dl.tv_sec += dl.tv_nsec / 1000000000L;
    dl.tv_nsec %= 1000000000L;

    pthread_mutex_lock(&f->lock);
    f->entered++;
    pthread_cond_broadcast(&f->cond);
    while(f->gate_closed) {
        if(pthread_cond_timedwait(&f->cond, &f->lock, &dl) != 0)
            break;
    }
    if(f->fail_write) {
        rc = HK_ERR_IO;
    } else if(escpos_decode(buf, len, &img, NULL) == HK_OK) {
        if(f->writes < MAX_LOG)
            f->first_bytes[f->writes] = img.bits ? img.bits[0] : -1;
        f->writes++;
        escpos_image_fini(&img);
    } else {
        rc = HK_ERR_IO;
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static hk_err_t fake_status(void *impl, int timeout_ms, printer_status_t *out)
{
    fake_t *f = impl;

    /* No HK_ASSERT on the worker thread: the harness longjmps. */
    pthread_mutex_lock(&f->lock);
    f->status_calls++;
    f->last_timeout_ms = timeout_ms;
    *out = f->status;
    pthread_mutex_unlock(&f->lock);
    return HK_OK;
}

static void fake_destroy(void *impl)
{
    fake_t *f = impl;

    pthread_mutex_lock(&f->lock);
    f->destroyed = 1;
    pthread_mutex_unlock(&f->lock);
}

static const printer_ops_t fake_ops = { fake_write, fake_status, fake_destroy };

static uint8_t *make_bits(uint8_t first)
{
    uint8_t *bits = hk_calloc(8, 16); /* 64 x 16 */

    HK_ASSERT(bits != NULL);
    bits[0] = first;
    return bits;
}

static void on_done(void *user, uint64_t job_id, hk_err_t rc, printer_status_t st)
{
    done_log_t *l = user;
    print_spool_t *again;

    if(l->slow_ms)
        usleep((useconds_t)l->slow_ms * 1000);
    pthread_mutex_lock(&l->lock);
    if(l->calls < MAX_LOG) {
        l->ids[l->calls] = job_id;
        l->rcs[l->calls] = rc;
        l->sts[l->calls] = st;
    }
    l->calls++;
    again = l->resubmit_to;
    l->resubmit_to = NULL;
    pthread_mutex_unlock(&l->lock);
    if(again) {
        uint8_t *bits = hk_calloc(8, 16);
        if(bits)
            bits[0] = 0x77;
        l->resubmit_rc = print_spool_submit(again, bits, 64, 16, NULL);
    }
    l->finished = l->calls;
}

static print_spool_t *new_spool(void)
{
    printer_t *p = NULL;
    print_spool_t *s = NULL;

    HK_ASSERT_OK(printer_create(&fake_ops, &fake, &p));
    HK_ASSERT_OK(print_spool_create(p, on_done, &dlog, &s));
    return s;
}

/* Wait (bounded) until the worker is inside write n times. */
static void wait_entered(int n)
{
    struct timespec dl;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    pthread_mutex_lock(&fake.lock);
    while(fake.entered < n) {
        if(pthread_cond_timedwait(&fake.cond, &fake.lock, &dl) != 0)
            break;
    }
    pthread_mutex_unlock(&fake.lock);
    HK_ASSERT_MSG(fake.entered >= n, "worker never started job %d", n);
}

static void open_gate(void)
{
    pthread_mutex_lock(&fake.lock);
    fake.gate_closed = 0;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
}

static void test_jobs_print_in_submit_order_with_one_done_each(void)
{
    print_spool_t *s = new_spool();
    uint64_t ids[5];
    int i;

    for(i = 0; i < 5; i++)
        HK_ASSERT_OK(print_spool_submit(s, make_bits((uint8_t)(0x40 + i)), 64, 16, &ids[i]));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(5, dlog.calls);
    HK_ASSERT_INT(5, fake.writes);
    for(i = 0; i < 5; i++) {
        HK_ASSERT_INT(ids[i], dlog.ids[i]);
        HK_ASSERT_INT(HK_OK, dlog.rcs[i]);
        HK_ASSERT_INT(PRINTER_STATUS_OK, dlog.sts[i]);
        HK_ASSERT_INT(0x40 + i, fake.first_bytes[i]);
        if(i)
            HK_ASSERT(ids[i] > ids[i - 1]);
    }
    HK_ASSERT_INT(5, fake.status_calls); /* asked before every job */
    HK_ASSERT_INT(PRINT_SPOOL_STATUS_TIMEOUT_MS, fake.last_timeout_ms);
    print_spool_destroy(s);
    HK_ASSERT(fake.destroyed); /* the spool owned the printer */
}

static void test_paper_out_cover_open_and_offline_block_printing(void)
{
    static const printer_status_t faults[] = {
        PRINTER_STATUS_PAPER_OUT,
        PRINTER_STATUS_COVER_OPEN,
        PRINTER_STATUS_OFFLINE,
    };
    print_spool_t *s = new_spool();
    int i;

    for(i = 0; i < 3; i++) {
        pthread_mutex_lock(&fake.lock);
        fake.status = faults[i];
        pthread_mutex_unlock(&fake.lock);
        HK_ASSERT_OK(print_spool_submit(s, make_bits(1), 64, 16, NULL));
        print_spool_wait_idle(s);
        HK_ASSERT_INT(i + 1, dlog.calls);
        HK_ASSERT_INT(HK_ERR_HW, dlog.rcs[i]);
        HK_ASSERT_INT(faults[i], dlog.sts[i]);
    }
    HK_ASSERT_INT(0, fake.entered);
    print_spool_destroy(s);
}

static void test_paper_low_and_unknown_still_print(void)
{
    print_spool_t *s = new_spool();

    fake.status = PRINTER_STATUS_PAPER_LOW; /* worker idle: no race yet */
    HK_ASSERT_OK(print_spool_submit(s, make_bits(1), 64, 16, NULL));
    print_spool_wait_idle(s);
    pthread_mutex_lock(&fake.lock);
    fake.status = PRINTER_STATUS_UNKNOWN;
    pthread_mutex_unlock(&fake.lock);
    HK_ASSERT_OK(print_spool_submit(s, make_bits(2), 64, 16, NULL));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(2, fake.writes);
    HK_ASSERT_INT(HK_OK, dlog.rcs[0]);
    HK_ASSERT_INT(PRINTER_STATUS_PAPER_LOW, dlog.sts[0]);
    HK_ASSERT_INT(HK_OK, dlog.rcs[1]);
    HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, dlog.sts[1]);
    print_spool_destroy(s);
}

static void test_write_failure_reports_hw_offline(void)
{
    print_spool_t *s = new_spool();

    fake.fail_write = 1;
    HK_ASSERT_OK(print_spool_submit(s, make_bits(1), 64, 16, NULL));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(1, dlog.calls);
    HK_ASSERT_INT(HK_ERR_HW, dlog.rcs[0]);
    HK_ASSERT_INT(PRINTER_STATUS_OFFLINE, dlog.sts[0]);
    print_spool_destroy(s);
}

static void test_queue_cap_refuses_with_busy_and_frees_bits(void)
{
    print_spool_t *s;
    uint64_t id = 0;
    int i;

    fake.gate_closed = 1;
    fake.gate_ms = 5000;
    s = new_spool();
    HK_ASSERT_OK(print_spool_submit(s, make_bits(0), 64, 16, NULL));
    wait_entered(1); /* job 1 is running, not queued */
    for(i = 0; i < PRINT_SPOOL_MAX_QUEUED; i++)
        HK_ASSERT_OK(print_spool_submit(s, make_bits((uint8_t)(i + 1)), 64, 16, NULL));
    id = 12345;
    HK_ASSERT_INT(HK_ERR_BUSY, print_spool_submit(s, make_bits(0xEE), 64, 16, &id));
    HK_ASSERT_INT(12345, id); /* untouched on failure */
    open_gate();
    print_spool_wait_idle(s);
    HK_ASSERT_INT(PRINT_SPOOL_MAX_QUEUED + 1, dlog.calls);
    HK_ASSERT_INT(PRINT_SPOOL_MAX_QUEUED + 1, fake.writes);
    /* room again once drained */
    HK_ASSERT_OK(print_spool_submit(s, make_bits(0xEE), 64, 16, NULL));
    print_spool_destroy(s);
}

static void test_wait_idle_waits_for_the_last_callback(void)
{
    print_spool_t *s = new_spool();

    dlog.slow_ms = 60;
    HK_ASSERT_OK(print_spool_submit(s, make_bits(1), 64, 16, NULL));
    HK_ASSERT_OK(print_spool_submit(s, make_bits(2), 64, 16, NULL));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(2, dlog.finished);
    print_spool_wait_idle(s); /* idle already: returns */
    print_spool_destroy(s);
}

static void test_callback_may_submit_a_follow_up_job(void)
{
    print_spool_t *s = new_spool();

    dlog.resubmit_to = s;
    HK_ASSERT_OK(print_spool_submit(s, make_bits(1), 64, 16, NULL));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(HK_OK, dlog.resubmit_rc);
    HK_ASSERT_INT(2, dlog.calls);
    HK_ASSERT_INT(2, fake.writes);
    HK_ASSERT_INT(0x77, fake.first_bytes[1]);
    print_spool_destroy(s);
}

static void test_destroy_finishes_running_job_and_drops_queued_ones(void)
{
    print_spool_t *s;
    uint64_t ids[4];
    int i;

    /* The running job is held in write for 200 ms, long after destroy has
     * asked the worker to stop. */
    fake.gate_closed = 1;
    fake.gate_ms = 200;
    s = new_spool();
    for(i = 0; i < 4; i++)
        HK_ASSERT_OK(print_spool_submit(s, make_bits((uint8_t)i), 64, 16, &ids[i]));
    wait_entered(1);
    print_spool_destroy(s);
    HK_ASSERT(fake.destroyed);
    HK_ASSERT_INT(1, fake.writes);
    HK_ASSERT_INT(4, dlog.calls);
    HK_ASSERT_INT(ids[0], dlog.ids[0]);
    HK_ASSERT_INT(HK_OK, dlog.rcs[0]);
    for(i = 1; i < 4; i++) {
        HK_ASSERT_INT(ids[i], dlog.ids[i]);
        HK_ASSERT_INT(HK_ERR_BUSY, dlog.rcs[i]);
        HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, dlog.sts[i]);
    }
}

static void test_submit_refuses_bad_rasters_and_still_frees_them(void)
{
    print_spool_t *s = new_spool();
    uint8_t *bits;

    HK_ASSERT_INT(HK_ERR_INVALID, print_spool_submit(s, NULL, 64, 16, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, print_spool_submit(s, make_bits(1), 4, 16, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, print_spool_submit(s, make_bits(1), 64, 0, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, print_spool_submit(s, make_bits(1), 4096, 16, NULL));
    HK_ASSERT_INT(HK_ERR_INVALID, print_spool_submit(NULL, make_bits(1), 64, 16, NULL));
    bits = make_bits(1);
    hk_mem_fail_nth(1);
    HK_ASSERT_INT(HK_ERR_NOMEM, print_spool_submit(s, bits, 64, 16, NULL));
    hk_mem_fail_nth(0);
    print_spool_wait_idle(s);
    HK_ASSERT_INT(0, dlog.calls);
    print_spool_destroy(s);
}

static void test_create_failure_still_destroys_the_printer(void)
{
    printer_t *p = NULL;
    print_spool_t *s = (print_spool_t *)&p;

    HK_ASSERT_INT(HK_ERR_INVALID, print_spool_create(NULL, on_done, &dlog, &s));
    HK_ASSERT(s == NULL);
    HK_ASSERT_OK(printer_create(&fake_ops, &fake, &p));
    hk_mem_fail_nth(1);
    HK_ASSERT_INT(HK_ERR_NOMEM, print_spool_create(p, on_done, &dlog, &s));
    hk_mem_fail_nth(0);
    HK_ASSERT(s == NULL);
    HK_ASSERT(fake.destroyed);
}

static void test_destroy_accepts_null_and_an_idle_spool(void)
{
    printer_t *p = NULL;
    print_spool_t *s = NULL;

    print_spool_destroy(NULL);
    print_spool_wait_idle(NULL);
    HK_ASSERT_OK(printer_create(&fake_ops, &fake, &p));
    HK_ASSERT_OK(print_spool_create(p, NULL, NULL, &s)); /* no callback */
    HK_ASSERT_OK(print_spool_submit(s, make_bits(1), 64, 16, NULL));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(1, fake.writes);
    print_spool_destroy(s);
}

static void test_file_printer_behind_spool_writes_every_ticket(void)
{
    printer_t *p = NULL;
    print_spool_t *s = NULL;
    escpos_image_t img;
    FILE *f;
    uint8_t buf[8192];
    size_t len;
    int i;

    HK_ASSERT_OK(printer_open("file", hk_test_path("spool.escpos"), &p));
    HK_ASSERT_OK(print_spool_create(p, on_done, &dlog, &s));
    for(i = 0; i < 3; i++)
        HK_ASSERT_OK(print_spool_submit(s, make_bits((uint8_t)i), 64, 16, NULL));
    print_spool_wait_idle(s);
    print_spool_destroy(s);
    HK_ASSERT_INT(3, dlog.calls);
    for(i = 0; i < 3; i++) {
        HK_ASSERT_INT(HK_OK, dlog.rcs[i]);
        HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, dlog.sts[i]);
    }
    f = fopen(hk_test_path("spool.escpos"), "rb");
    HK_ASSERT(f != NULL);
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    HK_ASSERT_OK(escpos_decode(buf, len, &img, NULL));
    HK_ASSERT_INT(3, img.tickets);
    HK_ASSERT_INT(3, img.cuts);
    escpos_image_fini(&img);
}

int main(void)
{
    HK_RUN(test_jobs_print_in_submit_order_with_one_done_each);
    HK_RUN(test_paper_out_cover_open_and_offline_block_printing);
    HK_RUN(test_paper_low_and_unknown_still_print);
    HK_RUN(test_write_failure_reports_hw_offline);
    HK_RUN(test_queue_cap_refuses_with_busy_and_frees_bits);
    HK_RUN(test_wait_idle_waits_for_the_last_callback);
    HK_RUN(test_callback_may_submit_a_follow_up_job);
    HK_RUN(test_destroy_finishes_running_job_and_drops_queued_ones);
    HK_RUN(test_submit_refuses_bad_rasters_and_still_frees_them);
    HK_RUN(test_create_failure_still_destroys_the_printer);
    HK_RUN(test_destroy_accepts_null_and_an_idle_spool);
    HK_RUN(test_file_printer_behind_spool_writes_every_ticket);
    return hk_test_end();
}
