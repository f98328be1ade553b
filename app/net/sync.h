/*
 * sync: the device's sync with head office (hall-central), on a worker
 * thread of its own that never blocks its caller.
 *
 * The outbox is the journal: the worker reads the events after the journal
 * cursor "central" through its own store_t on the device's database,
 * uploads them in batches (central_batch_encode, POST /v1/events) and moves
 * the cursor only to what an acknowledgement that decodes strictly AND
 * covers the batch sent says head office holds (central_ack_covers). So an
 * event leaves the backlog only when the server has it, through restarts
 * and power loss; an HTML page with 200, a truncated or malformed body or
 * an ack for other ids is never an ack.
 *
 * Failures: capped exponential backoff with full jitter (base 1 s, cap
 * 5 min); Retry-After is honoured; a 4xx other than 408/429 parks the
 * upload (that batch is not sent again) with the error reported, until the
 * configuration changes (config_live's generation) or the process restarts.
 *
 * Pull: GET /v1/config every central.config_poll_s with If-None-Match;
 * the document is validated whole (central_config_decode), its device-local
 * sections (device, hub, central, printer, data_dir, display) replaced by
 * the ones in force, saved atomically as DATA_DIR/central-config.json (the
 * last good one) and applied with config_live_replace(). A bad one is
 * refused, logged and reported as last_error; the last good one stays.
 * Self-help content (issue 8): GET /v1/content right after the config,
 * on the same poll, with its own If-None-Match; the bundle is validated
 * whole (central_content_decode) and its triage's queue routes checked
 * against the services in force, saved atomically as
 * DATA_DIR/FAQ_PUSHED_FILE (faq_content_load_current() prefers it), and
 * content_cb is called / content_generation rises so the kiosk reloads. A
 * bad one is refused, logged and reported (last_error, content_refused);
 * the last good copy stays. 404 (no content at head office) is not an error.
 * Heartbeats: POST /v1/heartbeat every central.heartbeat_s.
 *
 * The status (backlog, last success, last error, online, parked) is
 * readable from any thread and persisted as DATA_DIR/sync-status.json, so
 * `hallctl sync-status --data-dir DIR` reads it without the process.
 */
#ifndef HK_APP_NET_SYNC_H
#define HK_APP_NET_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "central_proto.h"
#include "config.h"
#include "config_live.h"
#include "hk_err.h"

#define SYNC_CURSOR          "central"
#define SYNC_BACKOFF_BASE_MS 1000
#define SYNC_BACKOFF_CAP_MS  (5 * 60 * 1000)
#define SYNC_STATUS_FILE     "sync-status.json"
#define SYNC_CONFIG_FILE     "central-config.json"
#define SYNC_CONTENT_FILE    FAQ_PUSHED_FILE

typedef struct sync sync_t;

typedef struct sync_opts {
    const config_t *cfg;  /* copied: central.*, device.id, branch id, printer */
    const char *data_dir; /* resolved, exists: hallkiosk.db and the sync files */
    config_live_t *live;  /* where pushed configs go; NULL = saved, not applied */
    const char *version;  /* for heartbeats; NULL = the build's */
    /* 0 = the defaults; tests make them short */
    int backoff_base_ms, backoff_cap_ms;
    int connect_ms, total_ms, low_speed_s;
    int config_poll_ms, heartbeat_ms; /* 0 = central.config_poll_s, heartbeat_s */
    /* new self-help content was saved (on the worker thread: post, do not
     * work here); NULL = none. sync_content_generation() is the same news. */
    void (*content_cb)(void *ctx);
    void *content_ctx;
} sync_opts_t;

typedef struct sync_status {
    int64_t backlog;                   /* journal events not yet acknowledged */
    int64_t acked_seq;                 /* the cursor */
    int64_t last_success_ms;           /* wall ms of the last answered exchange; 0 = never */
    int64_t config_version;            /* of the last applied document; 0 = none */
    int64_t updated_ms;                /* wall ms this status was written */
    char last_error[CENTRAL_TEXT_LEN]; /* "" = none since the last success */
    char etag[CENTRAL_ETAG_LEN];       /* of the last applied document */
    bool online;                       /* the last exchange succeeded */
    bool parked;                       /* uploads stopped on a 4xx */
    bool config_refused;               /* the last document head office sent was refused (last_error
                            says why, until a good one is applied) */
    /* self-help content (GET /v1/content) */
    char content_version[FAQ_VERSION_LEN]; /* of the last saved bundle; "" = none */
    char content_etag[CENTRAL_ETAG_LEN];
    bool content_refused; /* the last bundle was refused (last_error says why) */
    /* PROVISION: the update head office announced in its last heartbeat
     * answer ("" = none); the updater (app/net/updater.h) acts on it */
    char update_version[32];
    char update_url[CONFIG_PATH_LEN];
    char update_sha256[65];
} sync_status_t;

/**
 * Open the worker's store and start its thread.
 * @param out   free with sync_stop().
 * @return HK_OK; HK_ERR_INVALID no central.url; HK_ERR_NOMEM; a store
 *         error (with diag).
 */
hk_err_t sync_start(const sync_opts_t *o, sync_t **out, hk_diag_t *diag);

/** Stop the worker (a request in flight is aborted) and free. NULL ok. */
void sync_stop(sync_t *s);

/** The journal moved: look for events to upload now. Any thread; never blocks. */
void sync_poke(sync_t *s);

/** A copy of the current status. Any thread; NULL s gives a zeroed status. */
void sync_status_get(sync_t *s, sync_status_t *out);

/** Rises each time new self-help content is saved (0 at start). Any thread. */
uint64_t sync_content_generation(sync_t *s);

/** Is sync on and the last exchange good? false for NULL. Any thread. */
bool sync_online(sync_t *s);

/** Did the last exchange fail, or are uploads parked? false before the
 *  first try and for NULL: what the UI's offline indicator shows. Any
 *  thread; one atomic load. */
bool sync_offline(sync_t *s);

/**
 * Read the persisted status from DATA_DIR/sync-status.json, with the
 * backlog recomputed from the database when it can be opened.
 * @return HK_OK; HK_ERR_NOT_FOUND no sync has run there; HK_ERR_CORRUPT.
 */
hk_err_t sync_status_read(const char *data_dir, sync_status_t *out, hk_diag_t *diag);

#endif
