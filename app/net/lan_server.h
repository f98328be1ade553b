/*
 * lan_server: the hub's LAN API over HTTP (libmicrohttpd). It owns the
 * daemon and its connection threads, and the event feed the stream's
 * subscribers read. It never touches the store or the branch: a request
 * travels to the hub thread as a MAILBOX_REQUEST carrying a lan_req_t, and
 * its connection thread waits for the hub to complete it. The wire format
 * (routes, bodies, JSON) is lan_api's.
 *
 * Who calls is lan_auth's: every /api/v1 request but GET /branch and POST
 * /sessions carries a bearer token (a device's, or a staff session that
 * POST /sessions hands out after checking the PIN here, on the connection
 * thread, never on the hub's).
 *
 * Plain HTTP on loopback; HTTPS (GnuTLS through libmicrohttpd, TLS 1.2
 * and 1.3) wherever a certificate and key are given, which every address
 * off loopback needs: lan_server_start() refuses one without them.
 */
#ifndef HK_APP_NET_LAN_SERVER_H
#define HK_APP_NET_LAN_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "branch.h"
#include "config.h"
#include "hk_err.h"
#include "journal.h"
#include "lan_api.h"
#include "mailbox.h"

#define LAN_SERVER_MAX_INFLIGHT 64   /* requests waiting on the hub at once */
#define LAN_SERVER_MAX_CONN     256  /* open connections (stream subscribers included) */
#define LAN_SERVER_FEED_CAP     1024 /* journal events kept for subscribers */
#define LAN_SERVER_BACKFILL_MAX 256  /* events per catch-up request to the hub */
#define LAN_SERVER_KEEPALIVE_MS 15000

typedef struct lan_server lan_server_t;
typedef struct lan_req lan_req_t;

typedef struct lan_server_opts {
    const config_t *cfg;  /* borrowed; outlives the server */
    mailbox_t *mb;        /* the hub's mailbox; borrowed */
    const char *listen;   /* "HOST:PORT", an IPv4 host; port 0 = any free port */
    const char *tls_cert; /* PEM file paths; both or neither; required off loopback */
    const char *tls_key;
    int64_t journal_seq; /* the journal's last seq now: the feed starts after it */
    int keepalive_ms;    /* stream keep-alive comment interval; 0 = default */
    uint64_t config_gen; /* cfg's config_live generation (GET /branch's); 0 = 1 */
} lan_server_opts_t;

/* What the hub is asked to do for a request. */
typedef enum lan_req_kind {
    LAN_REQ_BRANCH_OP = 0, /* run lan_req_call() through the branch */
    LAN_REQ_JOURNAL        /* read journal events after lan_req_after_seq() */
} lan_req_kind_t;

/**
 * Start listening (connection threads run from here on).
 * @param out   free with lan_server_destroy().
 * @param diag  why not: a bad "HOST:PORT", no certificate off loopback, an
 *              unreadable certificate or key, a port in use.
 * @return HK_OK, HK_ERR_INVALID (bad listen address, TLS files missing),
 *         HK_ERR_IO (cannot read them), HK_ERR_TLS (refused by GnuTLS),
 *         HK_ERR_NET (bind).
 */
hk_err_t lan_server_start(const lan_server_opts_t *o, lan_server_t **out, hk_diag_t *diag);

/**
 * Put a new configuration in force (head office pushed one): GET /branch,
 * the services, counters and names in answers and snapshots, the devices'
 * tokens and the staff (open sessions follow their member of staff, and end
 * when that member is gone). The cached snapshot is dropped. The listen
 * address and TLS files stay as started (a restart changes those).
 * Every open event stream then gets a "branch" event with the new
 * document (before any journal event that follows), so the branch's
 * other devices apply it without polling.
 * @param cfg  copied; the old ones are kept until lan_server_destroy().
 * @param generation  cfg's config_live generation, carried by the branch
 *                    document; a generation already in force changes the
 *                    config but sends no event.
 * @return HK_OK; HK_ERR_NOMEM (the old one stays in force).
 * \threadsafety any thread.
 */
hk_err_t lan_server_set_config(lan_server_t *s, const config_t *cfg, uint64_t generation);

/** The bound port (the one chosen when the opts said 0). */
uint16_t lan_server_port(const lan_server_t *s);

/** True when it serves HTTPS. */
bool lan_server_tls(const lan_server_t *s);

/** True when "HOST:PORT" names a loopback host (127.0.0.0/8, localhost). */
bool lan_server_listen_is_loopback(const char *listen);

/**
 * Refuse new requests (503) and end every event stream. After it, nothing
 * is posted to the mailbox any more: the caller then frees what is still
 * queued there (which completes those requests as refused) and destroys.
 * Any thread; idempotent.
 */
void lan_server_stop(lan_server_t *s);

/** Stop (if not yet), wait for the connection threads, free. NULL ok.
 *  Every request posted must have been completed first. */
void lan_server_destroy(lan_server_t *s);

/**
 * New journal events (oldest first, consecutive seqs after the feed's
 * last) for the stream's subscribers; wakes them. Copied. Any thread, one
 * at a time (the hub feeds from its flush thread, once they are durable).
 */
void lan_server_feed(lan_server_t *s, const journal_event_t *ev, int n);

/** The feed's last seq (read journal events after it to feed). */
int64_t lan_server_feed_seq(lan_server_t *s);

/* ---- requests, as the hub thread sees them (from a MAILBOX_REQUEST) -------- */

lan_req_kind_t lan_req_kind(const lan_req_t *r);
const lan_call_t *lan_req_call(const lan_req_t *r);
int64_t lan_req_after_seq(const lan_req_t *r);

/** Hub thread, before submitting: the journal's last seq now (an import
 *  that added nothing leaves it unchanged: 200, not 201). */
void lan_req_set_seq_before(lan_req_t *r, int64_t seq);

/**
 * Complete a branch-op request with its result. Takes ownership of res
 * (a MAILBOX_BRANCH_DONE payload; NULL with rc when no result exists).
 * After this call r belongs to its connection thread again: do not touch it.
 * Any thread (the hub completes from its flush thread).
 */
void lan_req_complete(lan_req_t *r, branch_result_t *res, hk_err_t rc);

/**
 * Complete a journal request. Takes ownership of ev (journal_read_after's
 * array of n, NULL when none); rc is the read's result.
 */
void lan_req_complete_journal(lan_req_t *r, journal_event_t *ev, int n, hk_err_t rc);

/** mailbox payload_free for a lan_req_t freed unhandled: completes it as
 *  refused (503). */
void lan_req_refuse(void *r);

#endif
