/*
 * central_proto: the wire format between a device and head office
 * (hall-central), in one module both ends link, so the kiosk's encoder and
 * the server's decoder can never drift apart. docs/api/central.yaml is the
 * same contract for people and linters.
 *
 *   POST /v1/events      a batch of journal events    -> an acknowledgement
 *   GET  /v1/config      configuration and content     (ETag/If-None-Match)
 *   POST /v1/heartbeat   device health                 -> server time
 *
 * Every decoder here takes bytes from outside the process: it parses with
 * hk_json caps, refuses unknown or missing keys with a diag naming the
 * field path ("events[3].uuid: must be a lower-case UUID"), and never
 * trusts a count or length it was sent. Each has a libFuzzer target
 * (tests/fuzz/fuzz_central_*.c).
 *
 * Pure functions over caller-owned memory: thread-safe.
 */
#ifndef HK_APP_CORE_CENTRAL_PROTO_H
#define HK_APP_CORE_CENTRAL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "faq_content.h"
#include "hk_err.h"
#include "journal.h"

#define CENTRAL_BATCH_MAX_BYTES  (128 * 1024) /* one upload request body */
#define CENTRAL_BATCH_MAX_EVENTS 1000
#define CENTRAL_ACK_MAX_BYTES    (256 * 1024) /* a reply the client will read */
#define CENTRAL_CONFIG_MAX_BYTES (4 * 1024 * 1024)
#define CENTRAL_SMALL_MAX_BYTES  (16 * 1024)   /* a heartbeat, its reply, an error body */
#define CENTRAL_ID_LEN           CONFIG_ID_LEN /* device and branch ids */
#define CENTRAL_TYPE_LEN         32
#define CENTRAL_ETAG_LEN         80
#define CENTRAL_TEXT_LEN         160

/* ---- upload --------------------------------------------------------------
 * {"device":"kiosk-1","branch":"b001","events":[
 *   {"seq":1,"uuid":"…","type":"ticket.issued","time_ms":1764…,"body":{…}}]}
 * Events are in ascending seq order, no seq twice, 1..CENTRAL_BATCH_MAX_EVENTS
 * of them, the whole body ≤ CENTRAL_BATCH_MAX_BYTES. Type names are carried
 * as strings: a server older than the device stores a type it does not
 * know rather than refusing the batch. body is a JSON object, stored and
 * compared as the exact text sent (the device never re-encodes an event:
 * the same event always has the same bytes, so a retry is recognised). */
typedef struct central_event {
    int64_t seq;                 /* >= 1 */
    char uuid[37];               /* lower-case 8-4-4-4-12 */
    char type[CENTRAL_TYPE_LEN]; /* "ticket.issued"; [a-z_.]+ */
    int64_t time_ms;             /* >= 0 */
    char *body;                  /* JSON object text; owned (hk_malloc) */
} central_event_t;

typedef struct central_batch {
    char device[CENTRAL_ID_LEN];
    char branch[CENTRAL_ID_LEN];
    int n_events;
    central_event_t *events; /* owned */
} central_batch_t;

/**
 * Encode up to n journal events as one batch body, stopping before the
 * event that would take the body past max_bytes (0 = CENTRAL_BATCH_MAX_BYTES)
 * or past CENTRAL_BATCH_MAX_EVENTS. At least one event is always taken
 * (a journal body is ≤ JOURNAL_BODY_MAX, so one always fits).
 * @param out        receives a NUL-terminated body (hk_free it).
 * @param taken_out  receives how many of ev were encoded (>= 1).
 * @return HK_OK; HK_ERR_INVALID n < 1, ids not valid, an event's body not
 *         a JSON object (exactly one, strict UTF-8, nothing around it),
 *         seqs not ascending, a bad uuid or type: anything the decoder
 *         would refuse; HK_ERR_NOMEM.
 */
hk_err_t central_batch_encode(const char *device, const char *branch, const journal_event_t *ev,
                              int n, size_t max_bytes, char **out, size_t *len_out, int *taken_out);

/**
 * Decode and validate a batch body (the server side).
 * @param out   filled on HK_OK; release with central_batch_free().
 * @param diag  the reason with its field path on HK_ERR_INVALID.
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_NOMEM.
 */
hk_err_t central_batch_decode(const char *text, size_t len, central_batch_t *out, hk_diag_t *diag);
void central_batch_free(central_batch_t *b);

/* ---- acknowledgement -----------------------------------------------------
 * {"device":"kiosk-1","acked_seq":41,
 *  "results":[{"seq":40,"uuid":"…","status":"stored"},
 *             {"seq":41,"uuid":"…","status":"duplicate"}]}
 * acked_seq is the highest seq S such that the server holds every event
 * 1..S of that device: what the device may drop from its backlog. results
 * has one entry per event of the request, same order. A uuid already held
 * under different content is not an ack: the whole request gets 409
 * uuid_conflict and nothing of it is stored. */
typedef enum central_status {
    CENTRAL_STORED = 0, /* "stored": new */
    CENTRAL_DUPLICATE   /* "duplicate": the same event was already held */
} central_status_t;

typedef struct central_result {
    int64_t seq;
    char uuid[37];
    central_status_t status;
} central_result_t;

typedef struct central_ack {
    char device[CENTRAL_ID_LEN];
    int64_t acked_seq; /* >= 0 */
    int n_results;
    central_result_t *results; /* owned */
} central_ack_t;

/** Encode an ack (the server side). out: NUL-terminated, hk_free it. */
hk_err_t central_ack_encode(const central_ack_t *ack, char **out, size_t *len_out);

/**
 * Decode an ack (the client side): strict, capped at CENTRAL_ACK_MAX_BYTES.
 * An HTML page, a truncated or malformed body, or a missing key is
 * HK_ERR_INVALID with a diag. It does not check the ack against the
 * request: central_ack_covers() does.
 */
hk_err_t central_ack_decode(const char *text, size_t len, central_ack_t *out, hk_diag_t *diag);
void central_ack_free(central_ack_t *a);

/**
 * Is ack a true answer to the n events sent by device? It must name the
 * device, have exactly one result per sent event with the same seq and
 * uuid in the same order, and an acked_seq no higher than last_local_seq
 * (the device's own journal end: the server cannot hold what was never
 * written). On true, *new_cursor_out = ack->acked_seq, the seq the device
 * may move its outbox cursor to (never past what the server holds).
 * @param diag  why not, on false ("results[2].uuid: not the event sent").
 */
bool central_ack_covers(const central_ack_t *ack, const char *device, const journal_event_t *sent,
                        int n, int64_t last_local_seq, int64_t *new_cursor_out, hk_diag_t *diag);

/* ---- errors ---------------------------------------------------------------
 * Any non-2xx answer: {"error":{"code":"uuid_conflict","message":"…"}}. */
typedef struct central_error {
    char code[40];
    char message[CENTRAL_TEXT_LEN];
} central_error_t;

/** Encode an error body. out: NUL-terminated, hk_free it. */
hk_err_t central_error_encode(const char *code, const char *message, char **out, size_t *len_out);
/** Decode an error body; HK_ERR_INVALID when it is not one (an HTML page). */
hk_err_t central_error_decode(const char *text, size_t len, central_error_t *out, hk_diag_t *diag);

/* ---- configuration and content -------------------------------------------
 * GET /v1/config (ETag, If-None-Match -> 304) answers
 * {"version":7,"config":{…a branch config as config_parse() takes…},
 *  "announcements":[{"id":"a1","zh":"…","en":"…","from_ms":0,"to_ms":0}]}
 * Validated whole: every field of the config by config_parse(), so a bad
 * payload is refused with a field path and the last good one stays. */
#define CENTRAL_MAX_ANNOUNCEMENTS 16

typedef struct central_announcement {
    char id[CENTRAL_ID_LEN];
    char zh[CENTRAL_TEXT_LEN];
    char en[CENTRAL_TEXT_LEN];
    int64_t from_ms; /* 0 = always */
    int64_t to_ms;   /* 0 = no end */
} central_announcement_t;

typedef struct central_config_doc {
    int64_t version; /* >= 1, rises with every change at head office */
    config_t config;
    int n_announcements;
    central_announcement_t announcements[CENTRAL_MAX_ANNOUNCEMENTS];
} central_config_doc_t;

/**
 * Decode and validate a config document whole.
 * @param out   heap-allocated on HK_OK (hk_free it); NULL otherwise.
 * @param diag  e.g. "config.services[2].prefix: must be A..Z".
 */
hk_err_t central_config_decode(const char *text, size_t len, central_config_doc_t **out,
                               hk_diag_t *diag);

/**
 * Build a config document (the server side) that central_config_decode()
 * accepts: config_json (a branch config as config_parse() takes it, such
 * as a config file's text) is carried as its exact text, the announcements
 * are encoded (their text made one line of UTF-8, as the heartbeat's).
 * The result is decoded once before it is returned, so head office never
 * serves a document its devices would refuse.
 * @param ann    n_ann announcements (0..CENTRAL_MAX_ANNOUNCEMENTS); NULL if none.
 * @param out    NUL-terminated, hk_free it.
 * @param diag   why, on HK_ERR_INVALID ("config.services[0].prefix: …").
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_NOMEM.
 */
hk_err_t central_config_encode(int64_t version, const char *config_json, size_t config_len,
                               const central_announcement_t *ann, int n_ann, char **out,
                               size_t *len_out, hk_diag_t *diag);

/* ---- self-help content (FAQ and triage) -----------------------------------
 * GET /v1/content (ETag, If-None-Match -> 304) answers a bundle
 * {"version":"…","faq":{…faq.json…},"triage":{…triage.json…}}
 * (docs/faq-content.md), validated whole by faq_content_parse_bundle(); the
 * device also checks the triage's queue routes against its services. */
#define CENTRAL_CONTENT_MAX_BYTES FAQ_BUNDLE_MAX_BYTES

/**
 * Build a content bundle (the server side) that central_content_decode()
 * accepts: faq_json and triage_json (files' texts) are carried as their
 * exact text, checked whole first, so head office never serves content
 * its devices would refuse for its form.
 * @param version  1..63 bytes of one-line text (hall-central: a hash of both).
 * @param out      NUL-terminated, hk_free it.
 * @param diag     "faq.articles[2].id: …" on HK_ERR_INVALID.
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_NOMEM.
 */
hk_err_t central_content_encode(const char *version, const char *faq_json, size_t faq_len,
                                const char *triage_json, size_t triage_len, char **out,
                                size_t *len_out, hk_diag_t *diag);

/**
 * Decode and validate a content bundle whole (the device side).
 * @param version  receives the bundle's version (FAQ_VERSION_LEN); may be NULL.
 * @param out      free with faq_content_free(); NULL on error.
 */
hk_err_t central_content_decode(const char *text, size_t len, char *version, faq_content_t **out,
                                hk_diag_t *diag);

/* ---- heartbeat -------------------------------------------------------------
 * {"device":"kiosk-1","branch":"b001","version":"0.1.0","uptime_s":3600,
 *  "backlog":0,"printer":"ok","disk_free_mb":5120,"last_error":""}
 * -> 200 {"server_time_ms":…} */
typedef struct central_heartbeat {
    char device[CENTRAL_ID_LEN];
    char branch[CENTRAL_ID_LEN];
    char version[32];
    int64_t uptime_s;
    int64_t backlog;      /* journal events not yet acknowledged */
    char printer[24];     /* "ok", "paper_out", "offline", "none", ... */
    int64_t disk_free_mb; /* -1 unknown */
    char last_error[CENTRAL_TEXT_LEN];
    /* PROVISION: the device's RAUC compatible ("hallkiosk-aarch64"); ""
     * = not sent (optional on the wire): no update is announced to it */
    char compatible[64];
} central_heartbeat_t;

/* PROVISION: an update bundle head office announces in the heartbeat's
 * answer ("update":{"version","url","sha256"}) to a device of that
 * compatible string reporting an older version. */
typedef struct central_update_offer {
    char version[32];          /* digits and dots */
    char url[CONFIG_PATH_LEN]; /* https:// */
    char sha256[65];           /* of the bundle file, lower-case hex */
} central_update_offer_t;

/**
 * Encode a heartbeat (the device side). Free text (version, printer,
 * last_error) is made one line of UTF-8 (control characters become
 * spaces, invalid bytes '?'), so the decoder takes whatever this writes.
 * @param out  NUL-terminated, hk_free it.
 * @return HK_OK; HK_ERR_INVALID bad ids or negative counts; HK_ERR_NOMEM.
 */
hk_err_t central_heartbeat_encode(const central_heartbeat_t *hb, char **out, size_t *len_out);
/** Decode and validate a heartbeat (the server side); every key required. */
hk_err_t central_heartbeat_decode(const char *text, size_t len, central_heartbeat_t *out,
                                  hk_diag_t *diag);

/**
 * The heartbeat's answer with an update announced (the server side):
 * {"server_time_ms":N,"update":{"version","url","sha256"}}.
 * @param offer  NULL = none (the plain answer).
 */
hk_err_t central_heartbeat_reply_encode_offer(int64_t server_time_ms,
                                              const central_update_offer_t *offer, char **out,
                                              size_t *len_out);
/**
 * Decode the heartbeat's answer with its optional update (the client side).
 * @param offer_out  filled when *has_offer_out; the url must be https:// and
 *                   the sha256 64 lower-case hex digits, else HK_ERR_INVALID.
 */
hk_err_t central_heartbeat_reply_decode_offer(const char *text, size_t len,
                                              int64_t *server_time_ms_out,
                                              central_update_offer_t *offer_out,
                                              bool *has_offer_out, hk_diag_t *diag);
/**
 * Compare two versions of digits and dots numerically, segment by segment
 * ("0.9.0" < "0.9.0.1" < "0.10"); anything after the digits and dots of
 * either ("0.9.0-dev") is ignored. <0, 0, >0.
 */
int central_version_cmp(const char *a, const char *b);

/** Encode the heartbeat's answer {"server_time_ms":N} (the server side). */
hk_err_t central_heartbeat_reply_encode(int64_t server_time_ms, char **out, size_t *len_out);
/** Decode the heartbeat's answer (the client side; an "update" is accepted
 *  and dropped); HK_ERR_INVALID otherwise. */
hk_err_t central_heartbeat_reply_decode(const char *text, size_t len, int64_t *server_time_ms_out,
                                        hk_diag_t *diag);

/**
 * Parse a Retry-After value: delta-seconds or an HTTP-date (RFC 9110),
 * relative to now_s (Unix seconds). Result clamped to 0..3600.
 * @return true and *secs_out; false for anything else.
 */
bool central_parse_retry_after(const char *value, int64_t now_s, int *secs_out);

#endif
