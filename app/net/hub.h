/*
 * hub: the branch's queue authority as a role without a screen. It owns
 * the branch store and the local branch (queue + journal), and runs the
 * same runloop (mailbox and timers) the screen roles run, waiting on the
 * mailbox instead of a display. With a listen address it serves the LAN
 * API (lan_server.c) that counters, displays, other kiosks and the staff
 * page use: the server's threads post requests to the hub's mailbox and
 * the hub thread answers them through the branch.
 */
#ifndef HK_APP_NET_HUB_H
#define HK_APP_NET_HUB_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "config_live.h"
#include "hk_err.h"
#include "sync.h"

typedef struct hub hub_t;

typedef struct hub_opts {
    const config_t *cfg;  /* borrowed; outlives the hub */
    hk_clock_t *clock;    /* borrowed */
    const char *data_dir; /* resolved, exists */
    const char *listen;   /* "HOST:PORT" for the LAN API, overriding the
                             config's hub.listen; NULL = hub.listen ("" there:
                             no LAN API). Off loopback the config's
                             hub.tls_cert/tls_key are required (HTTPS). */
    config_live_t *live;  /* where configuration pushed by head office is put in
                             force (the kiosk's); NULL = the hub makes its own
                             (a standalone hub). Borrowed. The hub watches its
                             generation on its loop and puts each new one in
                             force in the branch and the LAN API; hub.listen,
                             hub.tls_* and data_dir need a restart (logged). */
} hub_opts_t;

/**
 * Open the store and the local branch; with central.url, start the sync
 * with head office (sync.h) on its own thread and store connection (a
 * failure to start it is logged: the branch runs on). Each commit pokes it.
 * @param out free with hub_destroy().
 */
hk_err_t hub_create(const hub_opts_t *o, hub_t **out, hk_diag_t *diag);
void hub_destroy(hub_t *h); /* NULL ok */

/**
 * Run until SIGTERM or SIGINT (a signal thread turns them into a
 * MAILBOX_QUIT; the caller must have blocked both signals in every thread,
 * see hub_block_signals()).
 * @return 0 on a clean stop.
 */
int hub_run(hub_t *h);

/*
 * A hub inside a kiosk (config hub.hosted, the default): the same hub on a
 * thread of the kiosk's process, serving the LAN API to the branch's other
 * devices, with its own connection to the kiosk's store. The kiosk's own
 * screen keeps its in-process branch; hub_poke() after each of its commits
 * feeds them to the event stream at once.
 */
/** Run the hub's loop on a thread of its own (no signal handling). */
hk_err_t hub_start_thread(hub_t *h);
/** The journal moved (another connection committed): feed the stream.
 *  Any thread. */
void hub_poke(hub_t *h, int64_t seq);
/** The LAN API's bound port (0 without one). */
uint16_t hub_port(const hub_t *h);
/** Stop the thread started by hub_start_thread() and wait for it. */
void hub_stop_thread(hub_t *h);

/** The sync with head office, or NULL (no central.url, or it did not
 *  start). Valid until hub_destroy(); sync_online()/sync_status_get() are
 *  safe from any thread. */
sync_t *hub_sync(hub_t *h);

/** The config_live the hub watches: the one in its opts, or its own (a
 *  standalone hub's, which the sync fills). Valid until hub_destroy(). */
config_live_t *hub_live(hub_t *h);

/** Block SIGTERM/SIGINT in the calling thread (call before creating threads). */
void hub_block_signals(void);

#endif
