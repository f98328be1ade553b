/*
 * hk_http: a tiny blocking HTTP/1.1 client over loopback TCP for tests
 * that drive a real hub process: one request per connection
 * ("Connection: close"), and a server-sent-event reader (HTTP/1.0, so the
 * stream is close-delimited, not chunked). Not for production use: no
 * TLS, no redirects, no chunked decoding.
 */
#ifndef HK_TESTS_SUPPORT_HK_HTTP_H
#define HK_TESTS_SUPPORT_HK_HTTP_H

#include <stddef.h>
#include <stdint.h>

typedef struct hk_http_resp {
    int status;    /* 0 = no answer */
    char *headers; /* raw header block, NUL-terminated; free with hk_http_resp_free */
    char *body;    /* NUL-terminated */
    size_t body_len;
} hk_http_resp_t;

/**
 * One request to 127.0.0.1:port.
 * @param body          NULL for none; sent with Content-Length.
 * @param extra_headers "Name: value\r\n" lines or NULL.
 * @return 0 on an answer (see out->status), -1 on a socket error.
 */
int hk_http_request(uint16_t port, const char *method, const char *path, const char *body,
                    const char *extra_headers, hk_http_resp_t *out);
void hk_http_resp_free(hk_http_resp_t *r);

/* The value of a response header (case-insensitive name) into dst; 0 if found. */
int hk_http_header(const hk_http_resp_t *r, const char *name, char *dst, size_t cap);

typedef struct hk_sse {
    int fd;
    char buf[65536];
    size_t len;
} hk_sse_t;

typedef struct hk_sse_event {
    char id[32]; /* "" when the event had no id: line */
    char event[48];
    char data[32768];
} hk_sse_event_t;

/** Open GET path as a stream; last_event_id NULL = none. 0 on a 200. */
int hk_sse_open(uint16_t port, const char *path, const char *last_event_id, hk_sse_t *s);
/**
 * Next event (comments skipped) within timeout_ms.
 * @return 1 an event, 0 timed out, -1 the stream ended.
 */
int hk_sse_next(hk_sse_t *s, int timeout_ms, hk_sse_event_t *ev);
void hk_sse_close(hk_sse_t *s);

#endif
