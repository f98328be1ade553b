/*
 * provision: the device's provisioned identity as an overlay on its config
 * (PROVISION, issue 9.4). `hallctl provision` writes DATA_DIR/provision.json;
 * its top-level keys (only role, device, hub, central, printer, engineer)
 * replace the same keys of the config file, whole, when hallkiosk starts
 * (and wherever the config is read for this device), so the packaged config
 * (/etc/hallkiosk/hallkiosk.json, a conffile) stays as shipped and the
 * identity lives on the data partition.
 *
 * Strict: an unknown top-level key, a key of the wrong type, or a value the
 * config would refuse is an error naming the field and the file
 * ("/var/lib/hallkiosk/provision.json: central.client_cert: …"). A bad
 * overlay is NOT ignored: starting with the config alone would run the
 * device under the wrong identity (or none) and upload nothing, quietly.
 * The caller refuses to start and logs the line; the engineer re-runs
 * `hallctl provision`, which replaces the file whole (atomic rename), so a
 * half-written file cannot happen.
 *
 * It does not talk to anyone, make keys or write files (hallctl does).
 */
#ifndef HK_APP_CORE_PROVISION_H
#define HK_APP_CORE_PROVISION_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "hk_err.h"

#define PROVISION_FILE      "provision.json"
#define PROVISION_MAX_BYTES (64 * 1024)

/**
 * Check an overlay's shape: a JSON object with only the allowed top-level
 * keys, "role" a string and the others objects. (What is inside them is
 * the config's business: provision_merge() checks it by parsing.)
 * @param diag  "zzz: unknown key (provision.json holds only role, device, …)".
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_NOMEM.
 */
hk_err_t provision_check(const char *overlay, size_t len, hk_diag_t *diag);

/**
 * The config text with the overlay's top-level keys put in place of its own.
 * @param merged_out  NUL-terminated JSON (hk_free it); written only on HK_OK.
 * @return HK_OK; HK_ERR_INVALID (either text; diag says which field);
 *         HK_ERR_NOMEM.
 */
hk_err_t provision_merge(const char *config, size_t config_len, const char *overlay,
                         size_t overlay_len, char **merged_out, size_t *len_out, hk_diag_t *diag);

/**
 * Load the config for this device: the config file (or the given text),
 * then, when DATA_DIR/provision.json exists, the same with the overlay in
 * place, validated whole by config_parse().
 * The data dir is the one hallkiosk uses (paths_data_dir(): $HK_DATA_DIR,
 * then data_dir_override, then the config's data_dir, …); it is created.
 * @param config_path        the config file, or NULL to use text/len.
 * @param data_dir_override  --data-dir, or NULL.
 * @param out                written only on HK_OK (its data_dir = the override
 *                           when one was given).
 * @param data_dir_out       receives the resolved data dir (cap bytes).
 * @param overlaid_out       set true when a provision.json was applied; may be NULL.
 * @param diag               names the file and the field.
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_IO; HK_ERR_NOMEM.
 */
hk_err_t provision_config_load(const char *config_path, const char *text, size_t len,
                               const char *data_dir_override, config_t *out, char *data_dir_out,
                               size_t cap, bool *overlaid_out, hk_diag_t *diag);

#endif
