/*
 * lan_api: the LAN API's wire format, with no sockets and no threads. It
 * turns an HTTP method, path and body into a call (which branch operation,
 * on which counter, ticket or service) or into the error to answer; it
 * maps an operation's hk_err_t to an HTTP status and a stable error code;
 * and it encodes tickets, snapshots, the branch and journal events as the
 * JSON (and server-sent-event frames) that docs/api/lan.yaml describes.
 * Ids named in a path or body are checked against the config here, so an
 * unknown counter or service is a 404 before the hub is ever asked. Each
 * call also says who may make it (lan_access_t; lan_auth checks the
 * caller against it).
 *
 * lan_server.c calls it on its connection threads; everything here is
 * reentrant (the config is read only).
 */
#ifndef HK_APP_NET_LAN_API_H
#define HK_APP_NET_LAN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "branch.h"
#include "config.h"
#include "hk_err.h"
#include "journal.h"
#include "rating.h"
#include "staff_auth.h"
#include "submission.h"

#define LAN_API_BODY_MAX  4096 /* request body cap, bytes (STYLE section 5) */
#define LAN_API_MSG_LEN   192  /* error message text, NUL included */
#define LAN_API_PREFIX    "/api/v1"
#define LAN_API_EVENT_MAX (JOURNAL_BODY_MAX + 256) /* one SSE frame, bytes */

typedef enum lan_route {
    LAN_ROUTE_BRANCH = 0, /* GET /branch: answered from the config */
    LAN_ROUTE_EVENTS,     /* GET /events: the server-sent event stream */
    LAN_ROUTE_OP,         /* a branch operation (snapshot included) */
    LAN_ROUTE_LOGIN,      /* POST /sessions: checked on the connection thread */
    LAN_ROUTE_SESSION,    /* GET /sessions/current */
    LAN_ROUTE_LOGOUT      /* DELETE /sessions/current */
} lan_route_t;

/* Who may make a call (lan_auth_permit decides for a principal). */
typedef enum lan_access {
    LAN_ACCESS_PUBLIC = 0, /* no token: GET /branch, POST /sessions, /staff/ */
    LAN_ACCESS_DEVICE,     /* any device token or staff session */
    LAN_ACCESS_STAFF,      /* a staff session (counter and ticket staff actions) */
    LAN_ACCESS_DEVICE_ONLY /* a device token (tickets/import: that device's own) */
} lan_access_t;

/* One parsed request: the branch operation and its arguments. */
typedef struct lan_call {
    lan_route_t route;
    lan_access_t access;
    branch_op_t op;
    char counter_id[CONFIG_ID_LEN];
    char service_id[CONFIG_ID_LEN];
    int64_t ticket_id;
    bool put_back;
    branch_counter_state_t counter_state;
    char staff_id[CONFIG_ID_LEN];     /* login; set_counter open: the session's */
    char pin[STAFF_AUTH_PIN_MAX + 1]; /* login only; wiped after the check */
    char day[11];                     /* visits, ratings, import: "" = today */
    char number[8];                   /* ratings, import: "A023" */
    rating_vote_t vote;               /* rate, rate_number */
    int64_t issued_ms;                /* import */
    char device_id[CONFIG_ID_LEN];    /* import: the kiosk that issued it */
    /* self-help (issue 8): faq feedback, triage choice, submission */
    char item_id[FAQ_ID_MAX];       /* faq feedback: the article; triage: the need */
    char target[FAQ_ID_MAX];        /* triage: article, service or category ("" = none) */
    char route_kind[8];             /* triage: "faq", "queue", "submit" */
    int version;                    /* faq feedback: the article's version */
    bool helpful;                   /* faq feedback */
    char lang[SUBMISSION_LANG_LEN]; /* faq feedback */
    submission_t submission;        /* POST /submissions (personal data: wiped after use) */
    /* field engineering (issue 9): POST /engineer/pin-failures (device_id:
     * the caller's token's) */
    int fails, locks, lock_s;
} lan_call_t;

/* The query arguments the API reads (values as the server decoded them;
 * NULL = absent). Others are ignored. */
typedef struct lan_query {
    const char *day;    /* GET /visits, GET /ratings/lookup */
    const char *number; /* GET /ratings/lookup */
} lan_query_t;

/* An answer that is not a success: the status and the JSON error body's
 * fields. code is a static string and never changes meaning. */
typedef struct lan_error {
    int status;
    const char *code;
    char message[LAN_API_MSG_LEN];
    const char *allow; /* 405: the Allow header's value; NULL otherwise */
} lan_error_t;

/**
 * Parse a request line and body.
 * @param cfg     the branch config ids are checked against; borrowed.
 * @param method  "GET", "POST", ...
 * @param path    the URL path without the query ("/api/v1/tickets").
 * @param query   the query's day and number (NULL: none).
 * @param body    the body (need not be NUL-terminated); NULL when none.
 * @param len     body bytes; over LAN_API_BODY_MAX is refused (413).
 * @param out     filled on HK_OK, with out->access saying who may make
 *                the call (the caller checks; nothing here knows tokens).
 * @param err     filled otherwise: 400 malformed JSON or a missing or bad
 *                field (the message names it; outside_block for an import
 *                whose number is not in its device's block), 404 unknown
 *                path, counter, ticket, service or device, 405 wrong
 *                method, 413 body too large.
 * @return HK_OK, HK_ERR_INVALID (see err), HK_ERR_NOMEM.
 */
hk_err_t lan_api_parse(const config_t *cfg, const char *method, const char *path,
                       const lan_query_t *query, const char *body, size_t len, lan_call_t *out,
                       lan_error_t *err);

/** A business day "YYYY-MM-DD" (a real date). @return false otherwise. */
bool lan_api_valid_day(const char *s);

/** A ticket number "A023": an upper-case letter and three digits. */
bool lan_api_valid_number(const char *s);

/**
 * The status for an operation's outcome: 200 (201 for a new ticket) or,
 * for a refusal, err filled (404 unknown ticket, 409 illegal transition,
 * counter not open, nobody waiting, service closed; 503 busy; 500 other).
 * @return true on success (status in *status), false with err filled.
 */
bool lan_api_result_status(const branch_result_t *res, int *status, lan_error_t *err);

/** Fill err (status, code, printf-style message). Cannot fail. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void lan_api_error(lan_error_t *err, int status, const char *code, const char *fmt, ...);

/**
 * JSON texts. Each returns a NUL-terminated string to free with hk_free(),
 * or NULL when out of memory.
 */
/** {"code","message"} */
char *lan_api_encode_error(const lan_error_t *err);
/** The branch document (GET /branch and the stream's "branch" event):
 *  the hub's config generation, id, names, language, utc_offset_min,
 *  hours, services, counters, staff (names only), ticket (no url_key),
 *  timeouts, queue, voice_en, in the config file's own forms, so a device
 *  validates it with config_parse(). No device-local section, no secret. */
char *lan_api_encode_branch(const config_t *cfg, uint64_t generation);
/** An operation's success body: journal_seq plus ticket, counter or the
 *  snapshot, visits, rating, as the operation has. @param today  the
 *  hub's business day (visits without ?day=). */
char *lan_api_encode_result(const config_t *cfg, const lan_call_t *call, const branch_result_t *res,
                            const char *today);
/** A snapshot alone (the stream's "snapshot" event data). The config
 *  names the staff member at each counter (NULL: ids only). */
char *lan_api_encode_snapshot(const config_t *cfg, const branch_snapshot_t *s);
/** A session: {"session"?, "staff":{id,name_zh,name_en}, "expires_ms"}.
 *  @param session  NULL for GET /sessions/current (not sent again). */
char *lan_api_encode_session(const config_t *cfg, const char *session, int staff_idx,
                             int64_t expires_ms);

/**
 * One server-sent event frame for a journal event:
 * "id: SEQ\nevent: TYPE\ndata: {seq,type,uuid,wall_ms,body}\n\n".
 * @param dst  cap bytes (LAN_API_EVENT_MAX always fits).
 * @return the frame's length, 0 if it did not fit.
 */
size_t lan_api_event_frame(const journal_event_t *ev, char *dst, size_t cap);

/**
 * Parse a Last-Event-ID header: a journal seq, digits only, >= 0.
 * @return false (and *out untouched) for anything else.
 */
bool lan_api_parse_event_id(const char *s, int64_t *out);

#endif
