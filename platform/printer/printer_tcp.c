/*
 * printer_tcp: an ESC/POS printer on a raw TCP socket (JetDirect-style port
 * 9100). Each job and each status query opens its own connection, because
 * printers often serve one client at a time and a held connection silently
 * dies when the printer reboots. Every step has a time limit: connect
 * (non-blocking + poll), each write and the wait for the printer to
 * acknowledge the last byte (stall limit), each status reply. Writes
 * use send(MSG_NOSIGNAL), so a printer that resets the connection cannot
 * kill the process with SIGPIPE.
 *
 * Name lookup uses getaddrinfo(), which the resolver bounds but does not let
 * us bound; configure printers by IP address on kiosks.
 */
#include "printer_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hk_mem.h"
#include "printer_fdio.h"

#define DEFAULT_PORT       "9100"
#define CONNECT_TIMEOUT_MS 3000  /* for jobs; status queries use their own limit */
#define WRITE_STALL_MS     10000 /* printer accepts nothing for 10 s: jammed, out */
#define HOST_MAX           255

typedef struct tcp_impl {
    char host[HOST_MAX + 1];
    char port[8];
} tcp_impl_t;

static hk_err_t tcp_write(void *impl, const uint8_t *buf, size_t len);
static hk_err_t tcp_status(void *impl, int timeout_ms, printer_status_t *out);
static void tcp_destroy(void *impl);
static hk_err_t parse_target(const char *target, tcp_impl_t *t);
static int connect_to(const tcp_impl_t *t, int64_t deadline_ms);
static int connect_one(const struct addrinfo *ai, int64_t deadline_ms);

static const printer_ops_t tcp_ops = {
    tcp_write,
    tcp_status,
    tcp_destroy,
};

hk_err_t printer_tcp_create(const char *target, printer_t **out)
{
    tcp_impl_t *t = NULL;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!target || !out)
        return HK_ERR_INVALID;
    t = hk_calloc(1, sizeof(*t));
    if(!t) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    rc = parse_target(target, t);
    if(rc != HK_OK)
        goto out;
    rc = printer_create(&tcp_ops, t, out);
out:
    if(rc != HK_OK)
        tcp_destroy(t);
    return rc;
}

static hk_err_t tcp_write(void *impl, const uint8_t *buf, size_t len)
{
    tcp_impl_t *t = impl;
    int fd = connect_to(t, printer_fdio_now_ms() + CONNECT_TIMEOUT_MS);
    hk_err_t rc;

    if(fd < 0)
        return HK_ERR_HW;
    rc = printer_fdio_write_all(fd, buf, len, WRITE_STALL_MS, 1);
    if(rc == HK_OK)
        rc = printer_fdio_finish_write(fd, 1, WRITE_STALL_MS);
    /* HK_OK now means the printer's TCP stack acknowledged every byte, so
     * closing (even with unread input, which turns close into RST) loses
     * nothing. */
    (void)close(fd);
    return rc;
}

static hk_err_t tcp_status(void *impl, int timeout_ms, printer_status_t *out)
{
    tcp_impl_t *t = impl;
    int64_t deadline_ms = printer_fdio_now_ms() + timeout_ms;
    int fd = connect_to(t, deadline_ms);

    if(fd < 0) {
        *out = PRINTER_STATUS_OFFLINE;
        return HK_OK;
    }
    *out = printer_fdio_query_status(fd, 1, deadline_ms);
    (void)close(fd);
    return HK_OK;
}

static void tcp_destroy(void *impl)
{
    hk_free(impl);
}

/* "host:port", "host", "[v6]:port", "[v6]"; port 1..65535. */
static hk_err_t parse_target(const char *target, tcp_impl_t *t)
{
    const char *host = target, *port = NULL;
    size_t host_len;
    long pnum;
    char *end;

    if(target[0] == '[') {
        const char *close_br = strchr(target, ']');
        if(!close_br)
            return HK_ERR_INVALID;
        host = target + 1;
        host_len = (size_t)(close_br - host);
        if(close_br[1] == ':')
            port = close_br + 2;
        else if(close_br[1] != '\0')
            return HK_ERR_INVALID;
    } else {
        const char *colon = strchr(target, ':');
        if(colon && strchr(colon + 1, ':'))
            return HK_ERR_INVALID; /* bare IPv6 needs brackets */
        host_len = colon ? (size_t)(colon - target) : strlen(target);
        if(colon)
            port = colon + 1;
    }
    if(host_len == 0 || host_len > HOST_MAX)
        return HK_ERR_INVALID;
    memcpy(t->host, host, host_len);
    t->host[host_len] = '\0';

    if(!port) {
        memcpy(t->port, DEFAULT_PORT, sizeof(DEFAULT_PORT));
        return HK_OK;
    }
    if(*port < '0' || *port > '9')
        return HK_ERR_INVALID;
    errno = 0;
    pnum = strtol(port, &end, 10);
    if(errno || *end != '\0' || pnum < 1 || pnum > 65535)
        return HK_ERR_INVALID;
    (void)snprintf(t->port, sizeof(t->port), "%ld", pnum); /* fits: <= 5 digits */
    return HK_OK;
}

/* Returns a connected non-blocking socket, or -1 (refused, timed out,
 * unresolvable): the caller reports OFFLINE / HK_ERR_HW. */
static int connect_to(const tcp_impl_t *t, int64_t deadline_ms)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if(getaddrinfo(t->host, t->port, &hints, &res) != 0)
        return -1;
    for(ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_one(ai, deadline_ms);
    freeaddrinfo(res);
    return fd;
}

static int connect_one(const struct addrinfo *ai, int64_t deadline_ms)
{
    int fd, err = 0, one = 1;
    socklen_t err_len = sizeof(err);

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if(fd < 0)
        return -1;
    /* Status requests are 3 bytes and wait for an answer: no Nagle delay. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if(connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if(errno != EINPROGRESS)
        goto fail;
    for(;;) {
        struct pollfd pfd;
        int64_t left = deadline_ms - printer_fdio_now_ms();
        int n;

        if(left <= 0)
            goto fail;
        pfd.fd = fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        n = poll(&pfd, 1, (int)left);
        if(n < 0 && errno == EINTR)
            continue;
        if(n <= 0)
            goto fail;
        break;
    }
    if(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0)
        goto fail;
    return fd;
fail:
    (void)close(fd);
    return -1;
}
