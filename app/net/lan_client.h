/*
 * lan_client: HTTP(S) to the hub's LAN API over libcurl, for devices that
 * are not the hub (kiosks, counters, displays) and for hallctl. One client
 * is one curl easy handle with its connection cache: not thread-safe, so
 * each thread that talks to the hub holds its own client.
 *
 * Requests: JSON in, JSON out, "Authorization: Bearer TOKEN" when a token
 * is given, connect timeout 2 s and total 5 s by default, the response
 * body capped (LAN_CLIENT_BODY_MAX). https URLs always verify the hub's
 * certificate (with the config's hub.ca_file when set); there is no switch
 * to turn verification off.
 *
 * The event stream: lan_client_sse_run() reads GET /api/v1/events as
 * server-sent events (id/event/data frames) and hands each frame to a
 * callback; when the stream ends or cannot be opened it reconnects with a
 * growing backoff, sending Last-Event-ID with the last id it saw, until
 * told to stop.
 */
#ifndef HK_APP_NET_LAN_CLIENT_H
#define HK_APP_NET_LAN_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"

#define LAN_CLIENT_BODY_MAX           (1024 * 1024) /* response body cap, bytes */
#define LAN_CLIENT_CONNECT_MS         2000
#define LAN_CLIENT_TOTAL_MS           5000
#define LAN_CLIENT_URL_LEN            256
#define LAN_CLIENT_CODE_LEN           48
#define LAN_CLIENT_MSG_LEN            192
#define LAN_CLIENT_SSE_FRAME_MAX      (64 * 1024) /* one event's data, bytes */
#define LAN_CLIENT_SSE_BACKOFF_MS     250         /* first reconnect delay; doubles */
#define LAN_CLIENT_SSE_BACKOFF_MAX_MS 4000

typedef struct lan_client lan_client_t;

typedef struct lan_client_opts {
    const char *base_url;     /* "http://127.0.0.1:8080" (no trailing /api/v1) */
    const char *ca_file;      /* https: PEM file to verify the hub with; NULL/"" = system CAs */
    int connect_ms;           /* 0 = LAN_CLIENT_CONNECT_MS */
    int total_ms;             /* 0 = LAN_CLIENT_TOTAL_MS */
    const atomic_bool *abort; /* set (any thread): a request in flight ends at
                                 once with HK_ERR_NET; NULL = none; borrowed */
} lan_client_opts_t;

/* One HTTP answer. */
typedef struct lan_resp {
    int status;                       /* HTTP status */
    char *body;                       /* NUL-terminated, hk_malloc'd; free with lan_resp_free */
    size_t len;                       /* body bytes */
    char code[LAN_CLIENT_CODE_LEN];   /* a 4xx/5xx body's "code" ("" when none) */
    char message[LAN_CLIENT_MSG_LEN]; /* its "message" */
    int retry_after_s;                /* Retry-After header; 0 = none */
} lan_resp_t;

/** One server-sent event. */
typedef struct lan_sse_event {
    char id[32]; /* "" when the frame had no id: line */
    char event[48];
    const char *data; /* the data: lines joined by '\n', NUL-terminated; borrowed */
    size_t data_len;
} lan_sse_event_t;

/** Called for each event; return false to end the stream (no reconnect). */
typedef bool (*lan_sse_fn)(const lan_sse_event_t *ev, void *user);
/** Called before each (re)connect: the token to send (dst, cap bytes; "" = none). */
typedef void (*lan_token_fn)(void *user, char *dst, size_t cap);
/** Called when a stream opened (connected true) or ended / failed (false). */
typedef void (*lan_sse_state_fn)(void *user, bool connected);

/**
 * @param opts  copied.
 * @return HK_OK; HK_ERR_INVALID no or an over-long base_url or a scheme
 *         other than http/https; HK_ERR_NOMEM.
 */
hk_err_t lan_client_create(const lan_client_opts_t *opts, lan_client_t **out);
void lan_client_destroy(lan_client_t *c); /* NULL ok */

/**
 * One request to base_url + path.
 * @param path   "/api/v1/tickets" (with any query string).
 * @param token  bearer token or NULL/"" for none.
 * @param json   request body (sent as application/json) or NULL.
 * @param out    filled on HK_OK (any HTTP status); free with lan_resp_free.
 * @return HK_OK an answer arrived; HK_ERR_NET the hub was not reached or
 *         did not answer in time; HK_ERR_TLS its certificate failed
 *         verification; HK_ERR_SERVER an answer over the body cap or not
 *         HTTP; HK_ERR_NOMEM.
 */
hk_err_t lan_client_request(lan_client_t *c, const char *method, const char *path,
                            const char *token, const char *json, lan_resp_t *out);
void lan_resp_free(lan_resp_t *r); /* NULL ok */

/**
 * Read the event stream at path until *stop is set or fn returns false,
 * reconnecting (backoff LAN_CLIENT_SSE_BACKOFF_MS doubling up to
 * LAN_CLIENT_SSE_BACKOFF_MAX_MS, reset once a stream opened) and resuming
 * from the last id seen.
 * @param last_id  in: the id to resume after (NULL/"" = from a snapshot
 *                 only); out (may be NULL): the last id seen, 32 bytes.
 * @param state    may be NULL.
 * @return HK_OK when stopped; HK_ERR_NOMEM.
 */
hk_err_t lan_client_sse_run(lan_client_t *c, const char *path, lan_token_fn token, lan_sse_fn fn,
                            lan_sse_state_fn state, void *user, const atomic_bool *stop,
                            char last_id[32]);

/** Percent-encode s for a query string into dst (cap bytes). false if it did not fit. */
bool lan_client_escape(const char *s, char *dst, size_t cap);

#endif
