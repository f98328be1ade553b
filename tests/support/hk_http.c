/*
 * hk_http: see hk_http.h. Plain POSIX sockets and poll().
 */
#include "hk_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_port(uint16_t port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if(fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while(n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if(w < 0 && errno == EINTR)
            continue;
        if(w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_request(int fd, const char *method, const char *path, const char *body,
                        const char *extra, const char *version)
{
    char head[2048];
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(head, sizeof(head), "%s %s %s\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s",
                     method, path, version, extra ? extra : "",
                     body ? "Content-Type: application/json\r\n" : "");

    if(n < 0 || (size_t)n >= sizeof(head) - 64)
        return -1;
    if(body)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %zu\r\n", blen);
    n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
    if(send_all(fd, head, (size_t)n) != 0)
        return -1;
    return body ? send_all(fd, body, blen) : 0;
}

int hk_http_request(uint16_t port, const char *method, const char *path, const char *body,
                    const char *extra_headers, hk_http_resp_t *out)
{
    size_t cap = 8192, len = 0;
    char *buf, *sep;
    int fd;

    memset(out, 0, sizeof(*out));
    fd = connect_port(port);
    if(fd < 0)
        return -1;
    if(send_request(fd, method, path, body, extra_headers, "HTTP/1.1") != 0) {
        /* the server may answer (413) and close before reading it all */
    }
    buf = malloc(cap);
    for(;;) {
        ssize_t r;
        if(len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        r = recv(fd, buf + len, cap - len - 1, 0);
        if(r < 0 && errno == EINTR)
            continue;
        if(r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    sep = strstr(buf, "\r\n\r\n");
    if(!sep || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
        free(buf);
        return -1;
    }
    *sep = '\0';
    out->headers = buf;
    out->body_len = len - (size_t)(sep + 4 - buf);
    out->body = malloc(out->body_len + 1);
    memcpy(out->body, sep + 4, out->body_len);
    out->body[out->body_len] = '\0';
    return 0;
}

void hk_http_resp_free(hk_http_resp_t *r)
{
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

int hk_http_header(const hk_http_resp_t *r, const char *name, char *dst, size_t cap)
{
    const char *p = r->headers;
    size_t nlen = strlen(name);

    while(p && (p = strstr(p, "\r\n"))) {
        p += 2;
        if(!strncasecmp(p, name, nlen) && p[nlen] == ':') {
            const char *v = p + nlen + 1, *e;
            while(*v == ' ')
                v++;
            e = strstr(v, "\r\n");
            snprintf(dst, cap, "%.*s", (int)(e ? (size_t)(e - v) : strlen(v)), v);
            return 0;
        }
    }
    return -1;
}

int hk_sse_open(uint16_t port, const char *path, const char *last_event_id, hk_sse_t *s)
{
    char extra[128] = "Accept: text/event-stream\r\n";
    char *sep;
    int status = 0;

    memset(s, 0, sizeof(*s));
    if(last_event_id)
        snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "Last-Event-ID: %s\r\n",
                 last_event_id);
    s->fd = connect_port(port);
    if(s->fd < 0)
        return -1;
    if(send_request(s->fd, "GET", path, NULL, extra, "HTTP/1.0") != 0) {
        hk_sse_close(s);
        return -1;
    }
    /* read the header block */
    while(!(sep = strstr(s->buf, "\r\n\r\n"))) {
        struct pollfd p = { s->fd, POLLIN, 0 };
        ssize_t r;
        if(s->len + 1 >= sizeof(s->buf) || poll(&p, 1, 5000) <= 0)
            break;
        r = recv(s->fd, s->buf + s->len, sizeof(s->buf) - s->len - 1, 0);
        if(r <= 0)
            break;
        s->len += (size_t)r;
        s->buf[s->len] = '\0';
    }
    if(!sep || sscanf(s->buf, "HTTP/1.%*d %d", &status) != 1 || status != 200) {
        hk_sse_close(s);
        return -1;
    }
    sep += 4;
    s->len -= (size_t)(sep - s->buf);
    memmove(s->buf, sep, s->len);
    s->buf[s->len] = '\0';
    return 0;
}

/* Parse one complete block (ends with a blank line) from the buffer. */
static int take_block(hk_sse_t *s, hk_sse_event_t *ev)
{
    for(;;) {
        char *end = strstr(s->buf, "\n\n"), *line;
        size_t blk;
        int fields = 0;
        if(!end)
            return 0;
        *end = '\0';
        blk = (size_t)(end - s->buf) + 2;
        memset(ev, 0, sizeof(*ev));
        line = s->buf;
        while(line && *line) {
            char *nl = strchr(line, '\n');
            if(nl)
                *nl = '\0';
            if(!strncmp(line, "id: ", 4))
                snprintf(ev->id, sizeof(ev->id), "%s", line + 4), fields++;
            else if(!strncmp(line, "event: ", 7))
                snprintf(ev->event, sizeof(ev->event), "%s", line + 7), fields++;
            else if(!strncmp(line, "data: ", 6))
                snprintf(ev->data, sizeof(ev->data), "%s", line + 6), fields++;
            line = nl ? nl + 1 : NULL;
        }
        s->len -= blk;
        memmove(s->buf, s->buf + blk, s->len);
        s->buf[s->len] = '\0';
        if(ev->data[0] || ev->event[0])
            return 1; /* else a comment or retry: only; skip it */
        (void)fields;
    }
}

int hk_sse_next(hk_sse_t *s, int timeout_ms, hk_sse_event_t *ev)
{
    for(;;) {
        struct pollfd p = { s->fd, POLLIN, 0 };
        ssize_t r;
        if(take_block(s, ev))
            return 1;
        if(s->fd < 0)
            return -1;
        if(poll(&p, 1, timeout_ms) <= 0)
            return 0;
        r = recv(s->fd, s->buf + s->len, sizeof(s->buf) - s->len - 1, 0);
        if(r <= 0)
            return -1;
        s->len += (size_t)r;
        s->buf[s->len] = '\0';
    }
}

void hk_sse_close(hk_sse_t *s)
{
    if(s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}
