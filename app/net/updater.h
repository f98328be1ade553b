/*
 * updater: installs the update head office announced (PROVISION, issue
 * 9.4). The sync worker keeps the announcement of the last heartbeat answer
 * in DATA_DIR/sync-status.json (version, url, sha256); `hallctl update`
 * (run by a timer, or by an engineer) calls updater_run(), which downloads
 * the bundle over the same TLS client rules as the sync (the operator CA,
 * pins, the device's client certificate or token; https only, no
 * redirects), checks its SHA-256 while it streams to the data partition,
 * and hands it to `rauc install`. RAUC itself refuses a bundle with a bad
 * signature, an untrusted key, another compatible or an older version
 * (IMAGE's tests); this module only fetches and verifies the hash.
 *
 * DATA_DIR/update-state.json remembers the bundle handed to RAUC (version,
 * sha256), so the same announcement is not installed twice while the
 * device waits for its reboot into the new slot.
 *
 * The RAUC command is $HK_RAUC when set, else "rauc" from PATH (tests put a
 * stand-in there: RAUC cannot install on a development machine).
 */
#ifndef HK_APP_NET_UPDATER_H
#define HK_APP_NET_UPDATER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "hk_err.h"

#define UPDATER_STATE_FILE "update-state.json"
#define UPDATER_BUNDLE_MAX (4LL * 1024 * 1024 * 1024) /* bytes */

typedef enum updater_outcome {
    UPDATER_NOTHING = 0, /* no update announced */
    UPDATER_ALREADY,     /* that bundle was installed already (reboot pending) */
    UPDATER_INSTALLED    /* downloaded, verified, installed by RAUC */
} updater_outcome_t;

/**
 * This device's RAUC compatible string: $HK_RAUC_COMPATIBLE, else the
 * "compatible=" line of /etc/rauc/system.conf, else "" (no updates asked).
 * @param dst  cap bytes, always terminated.
 */
void updater_compatible(char *dst, size_t cap);

/**
 * Install the announced update, if any and not installed yet.
 * @param cfg       central.* is used for the download's TLS and credentials.
 * @param data_dir  the device's data dir (sync-status.json, the bundle's
 *                  download, update-state.json).
 * @param out       what happened; version_out (32 bytes) the version.
 * @param diag      why not: the download, "sha256 mismatch", "rauc install
 *                  exited 1".
 * @return HK_OK; HK_ERR_NET/TLS (download); HK_ERR_CORRUPT (hash);
 *         HK_ERR_IO (disk, or RAUC refused); HK_ERR_NOMEM.
 */
hk_err_t updater_run(const config_t *cfg, const char *data_dir, updater_outcome_t *out,
                     char version_out[32], hk_diag_t *diag);

#endif
