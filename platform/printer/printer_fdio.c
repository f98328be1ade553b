/*
 * printer_fdio: poll()-bounded reads and writes for the printer backends
 * and the DLE EOT status dialogue. Does not open or close descriptors; the
 * backends own them. errno is translated to hk_err_t / printer_status_t
 * here, once.
 */
#include "printer_fdio.h"

#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "escpos.h"

#define DRAIN_MAX_READS 64 /* bound the stale-input discard loop */
#define FINISH_POLL_MS  20 /* how often the output queue is looked at */

typedef enum read_result { READ_GOT, READ_TIMEOUT, READ_EOF, READ_ERROR } read_result_t;

static int wait_fd(int fd, short events, int64_t deadline_ms);
static read_result_t read_byte(int fd, int is_socket, int64_t deadline_ms, uint8_t *out);
static void drain_input(int fd, int is_socket);
static int ask(int fd, int is_socket, uint8_t n, int64_t deadline_ms, uint8_t *reply,
               printer_status_t *fault);
static int output_queued(int fd, int *queued);

int64_t printer_fdio_now_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for MONOTONIC */
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

hk_err_t printer_fdio_write_all(int fd, const uint8_t *buf, size_t len, int stall_ms, int is_socket)
{
    size_t done = 0;

    while(done < len) {
        ssize_t n;

        if(is_socket)
            n = send(fd, buf + done, len - done, MSG_NOSIGNAL);
        else
            n = write(fd, buf + done, len - done);
        if(n > 0) {
            done += (size_t)n;
            continue;
        }
        if(n < 0 && errno == EINTR)
            continue;
        if(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_fd(fd, POLLOUT, printer_fdio_now_ms() + stall_ms);
            if(w <= 0)
                return HK_ERR_HW; /* stalled or poll error */
            continue;
        }
        return HK_ERR_HW; /* EPIPE, EIO, ENODEV (unplugged), 0 */
    }
    return HK_OK;
}

hk_err_t printer_fdio_finish_write(int fd, int is_socket, int stall_ms)
{
    int64_t deadline_ms = printer_fdio_now_ms() + stall_ms;
    int queued = 0, last = -1, peer_closed = 0;

    if(!is_socket && !isatty(fd))
        return wait_fd(fd, POLLOUT, deadline_ms) > 0 ? HK_OK : HK_ERR_HW;
    if(is_socket)
        (void)shutdown(fd, SHUT_WR); /* FIN after the data; failure: already reset */
    for(;;) {
        struct pollfd pfd;

        if(!output_queued(fd, &queued))
            return HK_OK; /* cannot tell: nothing more to wait for */
        if(queued == 0)
            return HK_OK;
        if(queued != last) {
            last = queued; /* progress: restart the stall clock */
            deadline_ms = printer_fdio_now_ms() + stall_ms;
        }
        if(printer_fdio_now_ms() >= deadline_ms)
            return HK_ERR_HW;
        pfd.fd = fd;
        pfd.events = (is_socket && !peer_closed) ? POLLIN : 0;
        pfd.revents = 0;
        if(poll(&pfd, 1, FINISH_POLL_MS) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
            uint8_t junk[256];
            ssize_t n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
            if(n == 0)
                peer_closed = 1; /* keep waiting for the acks */
            else if(n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return HK_ERR_HW; /* reset: the tail never arrived */
        }
    }
}

printer_status_t printer_fdio_query_status(int fd, int is_socket, int64_t deadline_ms)
{
    printer_status_t paper, st, fault = PRINTER_STATUS_UNKNOWN;
    uint8_t reply;

    drain_input(fd, is_socket);

    if(!ask(fd, is_socket, ESCPOS_STATUS_PAPER, deadline_ms, &reply, &fault))
        return fault;
    paper = escpos_decode_paper_status(reply);
    if(paper == PRINTER_STATUS_PAPER_OUT || paper == PRINTER_STATUS_UNKNOWN)
        return paper;

    /* Paper is there; is the printer on line? A printer that answered the
     * paper query but not this one still told us the paper is fine. */
    if(!ask(fd, is_socket, ESCPOS_STATUS_PRINTER, deadline_ms, &reply, &fault))
        return fault == PRINTER_STATUS_UNKNOWN ? paper : fault;
    st = escpos_decode_printer_status(reply);
    if(st != PRINTER_STATUS_OFFLINE)
        return paper;

    /* Off line: the cause (cover open, paper-end stop) is worth a fault
     * code of its own, because staff fix each differently. */
    if(!ask(fd, is_socket, ESCPOS_STATUS_OFFLINE, deadline_ms, &reply, &fault))
        return PRINTER_STATUS_OFFLINE;
    st = escpos_decode_offline_status(reply);
    if(st == PRINTER_STATUS_COVER_OPEN || st == PRINTER_STATUS_PAPER_OUT)
        return st;
    return PRINTER_STATUS_OFFLINE;
}

/* 1 = ready, 0 = timed out, -1 = error or hang-up without data. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
    for(;;) {
        struct pollfd pfd;
        int64_t left = deadline_ms - printer_fdio_now_ms();
        int n;

        if(left <= 0)
            return 0;
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if(n < 0 && errno == EINTR)
            continue;
        if(n < 0)
            return -1;
        if(n == 0)
            continue; /* loop re-checks the deadline */
        /* Ready, or POLLERR/POLLHUP: either way the caller's read/write
         * now returns at once and reports what happened (data, EOF, errno). */
        return 1;
    }
}

static read_result_t read_byte(int fd, int is_socket, int64_t deadline_ms, uint8_t *out)
{
    for(;;) {
        ssize_t n;
        int w = wait_fd(fd, POLLIN, deadline_ms);

        if(w == 0)
            return READ_TIMEOUT;
        if(w < 0)
            return READ_ERROR;
        if(is_socket)
            n = recv(fd, out, 1, 0);
        else
            n = read(fd, out, 1);
        if(n == 1)
            return READ_GOT;
        if(n == 0)
            return READ_EOF;
        if(errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            continue;
        return READ_ERROR;
    }
}

static void drain_input(int fd, int is_socket)
{
    uint8_t junk[256];
    int i;

    for(i = 0; i < DRAIN_MAX_READS; i++) {
        ssize_t n =
            is_socket ? recv(fd, junk, sizeof(junk), MSG_DONTWAIT) : read(fd, junk, sizeof(junk));
        if(n <= 0)
            break; /* EAGAIN (fd is non-blocking), EOF or error */
    }
}

/*
 * Send DLE EOT n and read the one-byte answer. Returns 1 with *reply set,
 * or 0 with *fault = UNKNOWN (no answer in time, peer closed) or OFFLINE
 * (could not send, read error).
 */
static int ask(int fd, int is_socket, uint8_t n, int64_t deadline_ms, uint8_t *reply,
               printer_status_t *fault)
{
    uint8_t req[3];
    int64_t left = deadline_ms - printer_fdio_now_ms();

    if(left <= 0) {
        *fault = PRINTER_STATUS_UNKNOWN;
        return 0;
    }
    escpos_status_request(n, req);
    if(printer_fdio_write_all(fd, req, sizeof(req), (int)left, is_socket) != HK_OK) {
        *fault = PRINTER_STATUS_OFFLINE;
        return 0;
    }
    switch(read_byte(fd, is_socket, deadline_ms, reply)) {
    case READ_GOT: return 1;
    case READ_TIMEOUT:
    case READ_EOF: *fault = PRINTER_STATUS_UNKNOWN; return 0;
    case READ_ERROR: break;
    }
    *fault = PRINTER_STATUS_OFFLINE;
    return 0;
}

/*
 * Bytes written but not yet gone: for a TCP socket unsent + unacknowledged
 * (SIOCOUTQ, same request as TIOCOUTQ on Linux), for a tty not yet
 * transmitted. Returns 0 when the platform cannot say.
 */
static int output_queued(int fd, int *queued)
{
#ifdef TIOCOUTQ
    return ioctl(fd, TIOCOUTQ, queued) == 0;
#else
    (void)fd;
    (void)queued;
    return 0;
#endif
}
