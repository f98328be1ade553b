/*
 * test_printer_tcp: the tcp backend against a real TCP peer on 127.0.0.1.
 * A thread listens on an ephemeral port and plays a port-9100 printer: it
 * records every byte and answers DLE EOT n with bytes the test chooses (or
 * stays silent). Covers printing, paper-out, cover-open, refused and
 * unroutable connections, a silent printer, and a peer that resets.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "escpos_decode.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "print_spool.h"
#include "printer.h"

#define NO_REPLY (-1)

typedef struct peer {
    int listen_fd;
    int port;
    pthread_t thread;
    int running;
    atomic_int stop;
    int reset_on_accept; /* close with SO_LINGER 0 right after accept */
    int chatty;          /* volunteer a status byte on every connection */
    int replies[5];      /* reply byte for DLE EOT n, or NO_REPLY */

    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint8_t *rx; /* everything received, all connections (malloc) */
    size_t rx_len;
    int conns_done;
    int queries;
} peer_t;

typedef struct done_log {
    int calls;
    uint64_t job_id;
    hk_err_t rc;
    printer_status_t status;
} done_log_t;

static peer_t peer;

void setUp(void)
{
    memset(&peer, 0, sizeof(peer));
    peer.listen_fd = -1;
}

static void peer_stop(void)
{
    if(peer.running) {
        atomic_store(&peer.stop, 1);
        pthread_join(peer.thread, NULL);
        pthread_mutex_destroy(&peer.lock);
        pthread_cond_destroy(&peer.cond);
        peer.running = 0;
    }
    if(peer.listen_fd >= 0)
        close(peer.listen_fd);
    peer.listen_fd = -1;
    free(peer.rx);
    peer.rx = NULL;
}

void tearDown(void)
{
    peer_stop();
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void serve_conn(int fd)
{
    int state = 0;

    for(;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        uint8_t buf[4096];
        ssize_t n, i;

        if(atomic_load(&peer.stop))
            break;
        if(poll(&pfd, 1, 20) <= 0)
            continue;
        n = recv(fd, buf, sizeof(buf), 0);
        if(n <= 0)
            break;
        pthread_mutex_lock(&peer.lock);
        peer.rx = realloc(peer.rx, peer.rx_len + (size_t)n);
        memcpy(peer.rx + peer.rx_len, buf, (size_t)n);
        peer.rx_len += (size_t)n;
        pthread_mutex_unlock(&peer.lock);
        /* A real printer watches the stream for DLE EOT n the same way. */
        for(i = 0; i < n; i++) {
            if(state == 0) {
                state = buf[i] == 0x10 ? 1 : 0;
            } else if(state == 1) {
                state = buf[i] == 0x04 ? 2 : (buf[i] == 0x10 ? 1 : 0);
            } else {
                int q = buf[i];
                state = 0;
                if(q < 1 || q > 4)
                    continue;
                pthread_mutex_lock(&peer.lock);
                peer.queries++;
                pthread_mutex_unlock(&peer.lock);
                if(peer.replies[q] != NO_REPLY) {
                    uint8_t r = (uint8_t)peer.replies[q];
                    (void)send(fd, &r, 1, MSG_NOSIGNAL);
                }
            }
        }
    }
    close(fd);
    pthread_mutex_lock(&peer.lock);
    peer.conns_done++;
    pthread_cond_broadcast(&peer.cond);
    pthread_mutex_unlock(&peer.lock);
}

static void *peer_main(void *arg)
{
    (void)arg;
    while(!atomic_load(&peer.stop)) {
        struct pollfd pfd = { peer.listen_fd, POLLIN, 0 };
        int fd;

        if(poll(&pfd, 1, 20) <= 0)
            continue;
        fd = accept(peer.listen_fd, NULL, NULL);
        if(fd < 0)
            continue;
        if(peer.reset_on_accept) {
            struct linger lg = { 1, 0 };
            uint8_t b;
            struct pollfd cp = { fd, POLLIN, 0 };
            (void)poll(&cp, 1, 1000); /* let the job start */
            (void)recv(fd, &b, 1, 0);
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            close(fd);
            pthread_mutex_lock(&peer.lock);
            peer.conns_done++;
            pthread_cond_broadcast(&peer.cond);
            pthread_mutex_unlock(&peer.lock);
            continue;
        }
        if(peer.chatty) {
            uint8_t asb = 0x12;
            (void)send(fd, &asb, 1, MSG_NOSIGNAL);
            usleep(20000); /* a slow reader: data queues up on the kiosk side */
        }
        serve_conn(fd);
    }
    return NULL;
}

/* Start the fake printer; replies for DLE EOT 1, 2 and 4. */
static void peer_start(int printer_reply, int offline_reply, int paper_reply)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);

    atomic_store(&peer.stop, 0);
    peer.conns_done = 0;
    peer.queries = 0;
    peer.replies[1] = printer_reply;
    peer.replies[2] = offline_reply;
    peer.replies[3] = NO_REPLY;
    peer.replies[4] = paper_reply;
    peer.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    HK_ASSERT(peer.listen_fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    HK_ASSERT_OK(bind(peer.listen_fd, (struct sockaddr *)&sa, sizeof(sa)));
    HK_ASSERT_OK(listen(peer.listen_fd, 8));
    HK_ASSERT_OK(getsockname(peer.listen_fd, (struct sockaddr *)&sa, &sl));
    peer.port = ntohs(sa.sin_port);
    pthread_mutex_init(&peer.lock, NULL);
    pthread_cond_init(&peer.cond, NULL);
    HK_ASSERT_OK(pthread_create(&peer.thread, NULL, peer_main, NULL));
    peer.running = 1;
}

/* Wait until n connections have been served to EOF (bounded). */
static void peer_wait_conns(int n)
{
    struct timespec dl;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    pthread_mutex_lock(&peer.lock);
    while(peer.conns_done < n) {
        if(pthread_cond_timedwait(&peer.cond, &peer.lock, &dl) != 0)
            break;
    }
    pthread_mutex_unlock(&peer.lock);
    HK_ASSERT_MSG(peer.conns_done >= n, "peer saw %d connections end, wanted %d", peer.conns_done,
                  n);
}

/* Decode everything the peer received (lock not held across asserts). */
static hk_err_t peer_decode(escpos_image_t *img, hk_diag_t *diag)
{
    hk_err_t rc;

    pthread_mutex_lock(&peer.lock);
    rc = escpos_decode(peer.rx, peer.rx_len, img, diag);
    pthread_mutex_unlock(&peer.lock);
    return rc;
}

static const char *peer_target(void)
{
    static char target[64];

    snprintf(target, sizeof(target), "127.0.0.1:%d", peer.port);
    return target;
}

/* Raster without 0x10 bytes, so no DLE EOT appears inside image data and the
 * fake printer answers only real queries. */
static uint8_t *make_bits(int width, int height)
{
    size_t n = (size_t)(width / 8) * (size_t)height, i;
    uint8_t *bits = hk_malloc(n);

    HK_ASSERT(bits != NULL);
    for(i = 0; i < n; i++) {
        bits[i] = (uint8_t)(i * 37u + i / 72u);
        if(bits[i] == 0x10)
            bits[i] = 0x11;
    }
    return bits;
}

static void log_done(void *user, uint64_t job_id, hk_err_t rc, printer_status_t status)
{
    done_log_t *log = user;

    log->calls++;
    log->job_id = job_id;
    log->rc = rc;
    log->status = status;
}

static void test_ticket_over_tcp_decodes_to_the_same_raster(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_UNKNOWN;
    uint8_t *bits = make_bits(576, 300);
    escpos_image_t img;
    hk_diag_t diag;
    int y;

    peer_start(0x12, 0x12, 0x12);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("ok", printer_status_str(st));
    HK_ASSERT_OK(printer_print_raster(p, bits, 576, 300));
    peer_wait_conns(2);

    HK_ASSERT_MSG(peer_decode(&img, &diag) == HK_OK, "%s", diag.msg);
    HK_ASSERT_INT(1, img.tickets);
    HK_ASSERT_INT(1, img.cuts);
    HK_ASSERT_INT(576, img.width);
    for(y = 0; y < 300; y++)
        HK_ASSERT_MSG(memcmp(img.bits + (size_t)y * 72, bits + (size_t)y * 72, 72) == 0,
                      "row %d differs", y);
    escpos_image_fini(&img);
    printer_destroy(p);
    hk_free(bits);
}

static void test_paper_low_still_prints(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_UNKNOWN;

    peer_start(0x12, 0x12, 0x1E);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("paper_low", printer_status_str(st));
    printer_destroy(p);
}

static void test_paper_out_reply_stops_the_spool_from_printing(void)
{
    printer_t *p = NULL;
    print_spool_t *s = NULL;
    printer_status_t st = PRINTER_STATUS_UNKNOWN;
    done_log_t log = { 0, 0, HK_OK, PRINTER_STATUS_OK };
    uint64_t id = 0;
    escpos_image_t img;

    peer_start(0x12, 0x32, 0x72);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("paper_out", printer_status_str(st));

    HK_ASSERT_OK(print_spool_create(p, log_done, &log, &s));
    HK_ASSERT_OK(print_spool_submit(s, make_bits(384, 40), 384, 40, &id));
    print_spool_wait_idle(s);
    HK_ASSERT_INT(1, log.calls);
    HK_ASSERT_INT(id, log.job_id);
    HK_ASSERT_INT(HK_ERR_HW, log.rc);
    HK_ASSERT_STR("paper_out", printer_status_str(log.status));
    print_spool_destroy(s);

    /* Only status queries reached the printer: no ticket, no cut. */
    peer_wait_conns(2);
    HK_ASSERT_OK(peer_decode(&img, NULL));
    HK_ASSERT_INT(0, img.tickets);
    HK_ASSERT_INT(0, img.cuts);
    HK_ASSERT_INT(0, img.height);
    escpos_image_fini(&img);
}

static void test_offline_printer_with_open_cover_reports_cover_open(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_UNKNOWN;

    peer_start(0x1A, 0x16, 0x12);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("cover_open", printer_status_str(st));
    printer_destroy(p);

    /* off line for no reason it names: plain offline */
    peer_stop();
    peer_start(0x1A, 0x52, 0x12);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    HK_ASSERT_OK(printer_status(p, 1000, &st));
    HK_ASSERT_STR("offline", printer_status_str(st));
    printer_destroy(p);
}

static void test_nothing_listening_is_offline_quickly(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char target[64];
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    uint8_t *bits = make_bits(64, 8);
    int64_t t0;

    /* A port that was just ours and has no listener: connect is refused. */
    HK_ASSERT(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT_OK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
    HK_ASSERT_OK(getsockname(fd, (struct sockaddr *)&sa, &sl));
    snprintf(target, sizeof(target), "127.0.0.1:%d", ntohs(sa.sin_port));
    close(fd);

    HK_ASSERT_OK(printer_open("tcp", target, &p));
    t0 = now_ms();
    HK_ASSERT_OK(printer_status(p, 2000, &st));
    HK_ASSERT_STR("offline", printer_status_str(st));
    HK_ASSERT_INT(HK_ERR_HW, printer_print_raster(p, bits, 64, 8));
    HK_ASSERT_MSG(now_ms() - t0 < 1000, "refused connection took %lld ms",
                  (long long)(now_ms() - t0));
    printer_destroy(p);
    hk_free(bits);
}

static void test_unroutable_printer_is_offline_within_the_timeout(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    int64_t t0;

    /* 192.0.2.0/24 is TEST-NET-1: never answers (or is unreachable at once). */
    HK_ASSERT_OK(printer_open("tcp", "192.0.2.1:9100", &p));
    t0 = now_ms();
    HK_ASSERT_OK(printer_status(p, 300, &st));
    HK_ASSERT_STR("offline", printer_status_str(st));
    HK_ASSERT_MSG(now_ms() - t0 < 1500, "took %lld ms", (long long)(now_ms() - t0));
    printer_destroy(p);
}

static void test_silent_printer_reads_unknown_within_the_timeout(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    int64_t t0, took;

    peer_start(NO_REPLY, NO_REPLY, NO_REPLY);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    t0 = now_ms();
    HK_ASSERT_OK(printer_status(p, 300, &st));
    took = now_ms() - t0;
    HK_ASSERT_STR("unknown", printer_status_str(st));
    HK_ASSERT_MSG(took >= 250 && took < 1500, "took %lld ms", (long long)took);
    printer_destroy(p);
}

static void test_peer_reset_mid_job_fails_the_job_not_the_process(void)
{
    printer_t *p = NULL;
    /* 8 MB: more than a loopback send buffer can take (tcp_wmem max is
     * 4 MB), so the reset is seen by send() and not absorbed by the kernel. */
    uint8_t *bits = make_bits(2040, 32000);
    hk_err_t rc;

    /* SIGPIPE keeps its default (kill) action here: only MSG_NOSIGNAL
     * stands between a reset printer and a dead kiosk. */
    peer.reset_on_accept = 1;
    peer_start(0x12, 0x12, 0x12);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    rc = printer_print_raster(p, bits, 2040, 32000);
    HK_ASSERT_INT(HK_ERR_HW, rc);
    printer_destroy(p);
    hk_free(bits);
}

static void test_byte_volunteered_by_printer_does_not_cut_the_ticket_short(void)
{
    printer_t *p = NULL;
    uint8_t *bits = make_bits(2040, 4000); /* 1 MB: still queued at close */
    escpos_image_t img;
    hk_diag_t diag;

    /* Closing a socket with unread input sends RST and drops unsent data;
     * the backend must drain and wait for the acks first. */
    peer.chatty = 1;
    peer_start(0x12, 0x12, 0x12);
    HK_ASSERT_OK(printer_open("tcp", peer_target(), &p));
    HK_ASSERT_OK(printer_print_raster(p, bits, 2040, 4000));
    peer_wait_conns(1);
    HK_ASSERT_MSG(peer_decode(&img, &diag) == HK_OK, "%s", diag.msg);
    HK_ASSERT_INT(1, img.cuts);
    HK_ASSERT_INT(0, memcmp(img.bits, bits, (size_t)255 * 4000));
    escpos_image_fini(&img);
    printer_destroy(p);
    hk_free(bits);
}

int main(void)
{
    HK_RUN(test_ticket_over_tcp_decodes_to_the_same_raster);
    HK_RUN(test_paper_low_still_prints);
    HK_RUN(test_paper_out_reply_stops_the_spool_from_printing);
    HK_RUN(test_offline_printer_with_open_cover_reports_cover_open);
    HK_RUN(test_nothing_listening_is_offline_quickly);
    HK_RUN(test_unroutable_printer_is_offline_within_the_timeout);
    HK_RUN(test_silent_printer_reads_unknown_within_the_timeout);
    HK_RUN(test_peer_reset_mid_job_fails_the_job_not_the_process);
    HK_RUN(test_byte_volunteered_by_printer_does_not_cut_the_ticket_short);
    return hk_test_end();
}
