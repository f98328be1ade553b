/*
 * test_printer_device: the device backend against a pseudo-terminal. The
 * printer opens the slave path as it would /dev/usb/lp0 or /dev/ttyUSB0;
 * a thread plays the printer on the master side, recording bytes and
 * answering DLE EOT n. The test keeps its own slave fd open in raw mode so
 * bytes pass unmodified and the pty survives the backend's open/close per
 * job.
 */
/* posix_openpt()/grantpt()/unlockpt()/ptsname() are XSI, not in the
 * _POSIX_C_SOURCE / _DEFAULT_SOURCE set the build defines. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "escpos_decode.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "print_spool.h"
#include "printer.h"

#define NO_REPLY (-1)

typedef struct fake_lp {
    int master;
    int slave; /* held by the test: keeps the pty and its termios */
    char path[128];
    pthread_t thread;
    int running;
    atomic_int stop;
    int replies[5];

    pthread_mutex_t lock;
    uint8_t *rx; /* malloc */
    size_t rx_len;
} fake_lp_t;

typedef struct done_log {
    int calls;
    uint64_t ids[4];
    hk_err_t rcs[4];
} done_log_t;

static fake_lp_t lp;

void setUp(void)
{
    memset(&lp, 0, sizeof(lp));
    lp.master = -1;
    lp.slave = -1;
}

void tearDown(void)
{
    if(lp.running) {
        atomic_store(&lp.stop, 1);
        pthread_join(lp.thread, NULL);
        pthread_mutex_destroy(&lp.lock);
        lp.running = 0;
    }
    if(lp.slave >= 0)
        close(lp.slave);
    if(lp.master >= 0)
        close(lp.master);
    free(lp.rx);
    lp.rx = NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *lp_main(void *arg)
{
    int state = 0;

    (void)arg;
    while(!atomic_load(&lp.stop)) {
        struct pollfd pfd = { lp.master, POLLIN, 0 };
        uint8_t buf[4096];
        ssize_t n, i;

        if(poll(&pfd, 1, 20) <= 0)
            continue;
        n = read(lp.master, buf, sizeof(buf));
        if(n <= 0)
            continue; /* EIO while no slave is open: cannot happen, we hold one */
        pthread_mutex_lock(&lp.lock);
        lp.rx = realloc(lp.rx, lp.rx_len + (size_t)n);
        memcpy(lp.rx + lp.rx_len, buf, (size_t)n);
        lp.rx_len += (size_t)n;
        pthread_mutex_unlock(&lp.lock);
        for(i = 0; i < n; i++) {
            if(state == 0) {
                state = buf[i] == 0x10 ? 1 : 0;
            } else if(state == 1) {
                state = buf[i] == 0x04 ? 2 : (buf[i] == 0x10 ? 1 : 0);
            } else {
                int q = buf[i];
                state = 0;
                if(q >= 1 && q <= 4 && lp.replies[q] != NO_REPLY) {
                    uint8_t r = (uint8_t)lp.replies[q];
                    (void)write(lp.master, &r, 1);
                }
            }
        }
    }
    return NULL;
}

static void lp_start(int printer_reply, int paper_reply)
{
    struct termios tio;
    const char *name;

    lp.replies[1] = printer_reply;
    lp.replies[2] = 0x12;
    lp.replies[3] = NO_REPLY;
    lp.replies[4] = paper_reply;
    lp.master = posix_openpt(O_RDWR | O_NOCTTY);
    HK_ASSERT(lp.master >= 0);
    HK_ASSERT_OK(grantpt(lp.master));
    HK_ASSERT_OK(unlockpt(lp.master));
    name = ptsname(lp.master);
    HK_ASSERT(name != NULL);
    snprintf(lp.path, sizeof(lp.path), "%s", name);
    lp.slave = open(lp.path, O_RDWR | O_NOCTTY);
    HK_ASSERT(lp.slave >= 0);
    /* Raw: no echo of replies back to the "printer", no LF -> CR LF in
     * raster data, no signals on 0x03. */
    HK_ASSERT_OK(tcgetattr(lp.slave, &tio));
    cfmakeraw(&tio);
    HK_ASSERT_OK(tcsetattr(lp.slave, TCSANOW, &tio));
    pthread_mutex_init(&lp.lock, NULL);
    HK_ASSERT_OK(pthread_create(&lp.thread, NULL, lp_main, NULL));
    lp.running = 1;
}

/* Wait (bounded) until what the printer received decodes to `tickets`
 * complete tickets; returns the decoded image. */
static void lp_wait_tickets(int tickets, escpos_image_t *img)
{
    int64_t deadline = now_ms() + 5000;
    hk_diag_t diag;

    for(;;) {
        hk_err_t rc;

        pthread_mutex_lock(&lp.lock);
        rc = escpos_decode(lp.rx, lp.rx_len, img, &diag);
        pthread_mutex_unlock(&lp.lock);
        if(rc == HK_OK && img->cuts >= tickets)
            return;
        if(rc == HK_OK)
            escpos_image_fini(img);
        HK_ASSERT_MSG(now_ms() < deadline, "printer got no %d complete tickets: %s", tickets,
                      rc == HK_OK ? "too few cuts" : diag.msg);
        usleep(10000);
    }
}

/* Rows of (width/8) bytes with no 0x10 byte, so raster data never looks
 * like DLE EOT to the fake printer. */
static uint8_t *make_bits(int width, int height, unsigned seed)
{
    size_t n = (size_t)(width / 8) * (size_t)height, i;
    uint8_t *bits = hk_malloc(n);

    HK_ASSERT(bits != NULL);
    for(i = 0; i < n; i++) {
        bits[i] = (uint8_t)(i * 13u + seed + i / 48u);
        if(bits[i] == 0x10)
            bits[i] = 0x11;
    }
    return bits;
}

static void log_done(void *user, uint64_t job_id, hk_err_t rc, printer_status_t status)
{
    done_log_t *log = user;

    (void)status;
    if(log->calls < 4) {
        log->ids[log->calls] = job_id;
        log->rcs[log->calls] = rc;
    }
    log->calls++;
}

static void test_paper_out_reply_reads_paper_out(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;

    lp_start(0x12, 0x72);
    HK_ASSERT_OK(printer_open("device", lp.path, &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("paper_out", printer_status_str(st));
    printer_destroy(p);
}

static void test_ticket_through_device_decodes_to_the_same_raster(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_UNKNOWN;
    uint8_t *bits = make_bits(384, 260, 3);
    escpos_image_t img;
    int y;

    lp_start(0x12, 0x12);
    HK_ASSERT_OK(printer_open("device", lp.path, &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("ok", printer_status_str(st));
    HK_ASSERT_OK(printer_print_raster(p, bits, 384, 260));
    lp_wait_tickets(1, &img);
    HK_ASSERT_INT(1, img.tickets);
    HK_ASSERT_INT(384, img.width);
    for(y = 0; y < 260; y++)
        HK_ASSERT_MSG(memcmp(img.bits + (size_t)y * 48, bits + (size_t)y * 48, 48) == 0,
                      "row %d differs", y);
    escpos_image_fini(&img);
    printer_destroy(p);
    hk_free(bits);
}

static void test_stale_bytes_from_the_printer_do_not_fake_a_status(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_UNKNOWN;
    uint8_t stale = 0x72; /* an old "paper out" nobody read */

    lp_start(0x12, 0x12);
    HK_ASSERT_INT(1, write(lp.master, &stale, 1));
    usleep(20000);
    HK_ASSERT_OK(printer_open("device", lp.path, &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("ok", printer_status_str(st));
    printer_destroy(p);
}

static void test_device_without_back_channel_reads_unknown_in_time(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    int64_t t0, took;

    lp_start(NO_REPLY, NO_REPLY);
    HK_ASSERT_OK(printer_open("device", lp.path, &p));
    t0 = now_ms();
    HK_ASSERT_OK(printer_status(p, 200, &st));
    took = now_ms() - t0;
    HK_ASSERT_STR("unknown", printer_status_str(st));
    HK_ASSERT_MSG(took >= 150 && took < 1500, "took %lld ms", (long long)took);
    printer_destroy(p);
}

static void test_missing_device_path_is_offline(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    uint8_t *bits = make_bits(64, 4, 1);

    HK_ASSERT_OK(printer_open("device", "/nonexistent/usb/lp0", &p));
    HK_ASSERT_OK(printer_status(p, 200, &st));
    HK_ASSERT_STR("offline", printer_status_str(st));
    HK_ASSERT_INT(HK_ERR_HW, printer_print_raster(p, bits, 64, 4));
    printer_destroy(p);
    hk_free(bits);
}

static void test_spool_prints_two_tickets_through_device_in_order(void)
{
    printer_t *p = NULL;
    print_spool_t *s = NULL;
    done_log_t log;
    uint64_t id1 = 0, id2 = 0;
    escpos_image_t img;
    hk_err_t rc;

    memset(&log, 0, sizeof(log));
    lp_start(0x12, 0x1E); /* paper low: still prints */
    HK_ASSERT_OK(printer_open("device", lp.path, &p));
    HK_ASSERT_OK(print_spool_create(p, log_done, &log, &s));
    HK_ASSERT_OK(print_spool_submit(s, make_bits(256, 30, 1), 256, 30, &id1));
    HK_ASSERT_OK(print_spool_submit(s, make_bits(256, 40, 2), 256, 40, &id2));
    print_spool_wait_idle(s);
    print_spool_destroy(s);
    HK_ASSERT_INT(2, log.calls);
    HK_ASSERT_INT(id1, log.ids[0]);
    HK_ASSERT_INT(id2, log.ids[1]);
    rc = log.rcs[0];
    HK_ASSERT_OK(rc);
    rc = log.rcs[1];
    HK_ASSERT_OK(rc);
    lp_wait_tickets(2, &img);
    HK_ASSERT_INT(2, img.tickets);
    HK_ASSERT_INT(2, img.cuts);
    escpos_image_fini(&img);
}

int main(void)
{
    HK_RUN(test_paper_out_reply_reads_paper_out);
    HK_RUN(test_ticket_through_device_decodes_to_the_same_raster);
    HK_RUN(test_stale_bytes_from_the_printer_do_not_fake_a_status);
    HK_RUN(test_device_without_back_channel_reads_unknown_in_time);
    HK_RUN(test_missing_device_path_is_offline);
    HK_RUN(test_spool_prints_two_tickets_through_device_in_order);
    return hk_test_end();
}
