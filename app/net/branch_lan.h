/*
 * branch_lan: branch.h's ops over the hub's LAN API, for a kiosk, counter
 * or display that is not the hub.
 *
 * Threads: the caller's (a role's loop) only queues a request and returns;
 * a worker thread runs the requests in submit order over lan_client and
 * posts each outcome as MAILBOX_BRANCH_DONE; a stream thread reads
 * GET /api/v1/events, keeps the events in a ring (BRANCH_OP_EVENTS answers
 * from it at once) and the latest snapshot event, and posts a
 * MAILBOX_JOURNAL_ADVANCED per event once it is in the ring, so a screen
 * that asks for the events after a notice finds them. The ring holds what
 * the stream delivered since this branch was created (the last
 * BRANCH_LAN_RING events); a screen that needs more resynchronises from a
 * snapshot (every stream (re)connect starts with one). (With the stream
 * down, a committed result posts the notice itself.)
 *
 * Credentials: the config's device.token; after BRANCH_OP_LOGIN the staff
 * session is sent instead, and on a 401 (the hub restarted and forgot its
 * sessions) the backend logs in again with the PIN it keeps in memory
 * until logout.
 *
 * Offline (issue 6 section 3): a kiosk with a block in devices[] issues
 * take_number from its block (offline_block, data_dir/offline.db) when the
 * hub is known to be down (a request could not reach it within the last
 * few seconds) or does not answer within BRANCH_LAN_OFFLINE_AFTER_MS (such
 * a kiosk sends every request with that total timeout, so a hub that
 * accepts and never answers cannot hold its screen longer); the result is
 * a normal ticket with device_id set. While the hub is known down, the
 * other operations fail at once with HK_ERR_NET instead of waiting for a
 * timeout. An importer thread hands the pending block tickets to
 * POST /tickets/import in issue-time order when the hub answers again
 * (idempotent on the hub's side) and marks them imported; a refusal
 * (number_conflict, outside_block) is logged and not retried.
 * A request the hub received but did not answer in time may still
 * complete there: a kiosk that then issued from its block leaves an
 * unclaimed hub ticket behind (it is called, nobody comes, no-show). Numbers
 * stay unique either way.
 *
 * Results: rc as branch.h documents, mapped back from the HTTP status and
 * error code (lan_decode_status); HK_ERR_NET when the hub was unreachable.
 * BRANCH_OP_SNAPSHOT while the hub is down answers the last snapshot the
 * stream delivered with rc HK_ERR_NET. BRANCH_OP_EXPIRE_RATINGS is the
 * hub's own sweep: over the LAN it is HK_OK with expired 0.
 */
#ifndef HK_APP_NET_BRANCH_LAN_H
#define HK_APP_NET_BRANCH_LAN_H

#include <stdbool.h>
#include <stdint.h>

#include "branch.h"
#include "config.h"
#include "config_live.h"
#include "hk_err.h"
#include "mailbox.h"

#define BRANCH_LAN_OFFLINE_AFTER_MS 1500 /* kiosk with a block: request timeout, then the block */
#define BRANCH_LAN_RING             1024 /* stream events kept for BRANCH_OP_EVENTS */
#define BRANCH_LAN_IMPORT_RETRY_MS  2000 /* pending block tickets: next try */
#define BRANCH_LAN_DOC_FILE         "branch-lan.json" /* the last good branch document */

/**
 * @param cfg       copied: device.id/token, hub.url/ca_file, devices[]
 *                  (this device's block), services (prefixes, hours).
 * @param hub_url   the hub's base URL ("http://127.0.0.1:8080"); NULL or
 *                  "" = cfg->hub.url.
 * @param data_dir  where offline.db lives; NULL = no offline block.
 * @param mb        borrowed; results and notices are posted to it.
 * @param out       the branch; free with branch_destroy().
 * @return HK_OK; HK_ERR_INVALID no usable hub URL; HK_ERR_IO the block
 *         file could not be opened; HK_ERR_NOMEM.
 */
hk_err_t branch_lan_create(const config_t *cfg, const char *hub_url, const char *data_dir,
                           mailbox_t *mb, branch_t *out);

/**
 * A new config (config_live): services, hours and the device's token take
 * effect with the next request. The hub URL, the CA file and the block's
 * range stay as created (destroy and create the branch to change them).
 * Only for a branch made by branch_lan_create.
 */
void branch_lan_set_config(branch_t *b, const config_t *cfg);

/*
 * The branch document. The hub's event stream carries a "branch" event on
 * every (re)connect and whenever the hub's config generation changes
 * (docs/api/lan.yaml): services, counters, staff, hours and the other
 * branch-wide settings head office pushed to the hub. Each one is decoded
 * and validated whole (lan_decode_branch); a bad one is refused with the
 * reason logged, and the config in force stays.
 */

/**
 * Follow the hub's branch document: from now on each valid document is
 * merged into this device's config (lan_decode_branch_merge: the device's
 * role, device, hub, central, printer, display and data_dir stay its own)
 * and put in force through live, and MAILBOX_CONFIG_CHANGED (the device's
 * new generation) is posted to the branch's mailbox, so the role's screens
 * re-lay out; a document equal to the config in force changes nothing.
 * Each applied document is saved as data_dir/BRANCH_LAN_DOC_FILE, and this
 * call applies that file at once (a restart with the hub down shows the
 * last good branch), unless the stream already brought a newer one.
 * Call it once, from the thread that created the branch, before its
 * screens need the config.
 * @param live      borrowed; must outlive the branch.
 * @param data_dir  where the document is kept; NULL or "" = not kept.
 * @return HK_OK (also when there is nothing to apply yet); HK_ERR_INVALID
 *         (no live, or the document it applied, saved or already streamed,
 *         was refused: logged, the config in force stays); HK_ERR_NOMEM.
 */
hk_err_t branch_lan_follow_config(branch_t *b, config_live_t *live, const char *data_dir);

/** The hub's config generation of the last valid branch document
 *  (0 = none yet): what the hub had in force when it sent it. */
uint64_t branch_lan_config_generation(const branch_t *b);

/** Branch documents refused since the branch was created (tests). */
int branch_lan_config_refused(const branch_t *b);

/** Is the event stream connected now (diagnostics, tests)? */
bool branch_lan_connected(const branch_t *b);

/** Block tickets not yet handed to the hub (-1 when there is no block). */
int branch_lan_pending_imports(const branch_t *b);

#endif
