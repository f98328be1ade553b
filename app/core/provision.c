/*
 * provision: see provision.h. cJSON through hk_json (caps, allocator);
 * the merged text goes through config_parse, the one validator, so the
 * overlay can hold nothing the config file could not.
 */
#include "provision.h"

#include <stdio.h>
#include <string.h>

#include "hk_file.h"
#include "hk_json.h"
#include "hk_mem.h"
#include "paths.h"

static const char *const overlay_keys[] = { "role",    "device",   "hub", "central",
                                            "printer", "engineer", NULL };

static hk_err_t parse_overlay(const char *overlay, size_t len, cJSON **out, hk_diag_t *diag);

hk_err_t provision_check(const char *overlay, size_t len, hk_diag_t *diag)
{
    cJSON *root = NULL;
    hk_err_t rc = parse_overlay(overlay, len, &root, diag);

    cJSON_Delete(root);
    return rc;
}

hk_err_t provision_merge(const char *config, size_t config_len, const char *overlay,
                         size_t overlay_len, char **merged_out, size_t *len_out, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { CONFIG_MAX_FILE_BYTES, 0 };
    cJSON *cfg = NULL, *ov = NULL, *item, *next;
    char *text;
    hk_err_t rc;

    *merged_out = NULL;
    rc = parse_overlay(overlay, overlay_len, &ov, diag);
    if(rc != HK_OK)
        return rc;
    rc = hk_json_parse(config, config_len, &lim, &cfg, diag);
    if(rc == HK_OK && !cJSON_IsObject(cfg)) {
        hk_diag_set(diag, "the config must be a JSON object");
        rc = HK_ERR_INVALID;
    }
    if(rc != HK_OK)
        goto out;
    for(item = ov->child; item; item = next) {
        next = item->next;
        if(item->string && item->string[0] == '_')
            continue; /* a comment */
        cJSON_DeleteItemFromObjectCaseSensitive(cfg, item->string);
        item = cJSON_DetachItemViaPointer(ov, item);
        if(!cJSON_AddItemToObject(cfg, item->string, item)) {
            cJSON_Delete(item);
            rc = HK_ERR_NOMEM;
            goto out;
        }
    }
    text = cJSON_PrintUnformatted(cfg);
    if(!text) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    *merged_out = text;
    if(len_out)
        *len_out = strlen(text);
out:
    cJSON_Delete(cfg);
    cJSON_Delete(ov);
    return rc;
}

hk_err_t provision_config_load(const char *config_path, const char *text, size_t len,
                               const char *data_dir_override, config_t *out, char *data_dir_out,
                               size_t cap, bool *overlaid_out, hk_diag_t *diag)
{
    config_t *cfg = NULL;
    char *file = NULL, *overlay = NULL, *merged = NULL;
    char path[CONFIG_PATH_LEN * 2 + 32];
    size_t flen = len, olen = 0, mlen = 0;
    hk_diag_t inner;
    hk_err_t rc;

    hk_diag_clear(diag);
    if(overlaid_out)
        *overlaid_out = false;
    cfg = hk_malloc(sizeof(*cfg));
    if(!cfg)
        return HK_ERR_NOMEM;
    if(config_path) {
        rc = paths_read_file(config_path, CONFIG_MAX_FILE_BYTES, config_path, &file, &flen, diag);
        if(rc != HK_OK)
            goto out;
        text = file;
    }
    /* the config alone first: it names the data dir, and must stand alone */
    rc = config_parse(text, flen, cfg, diag);
    if(rc != HK_OK)
        goto out;
    if(data_dir_override)
        snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", data_dir_override);
    rc = paths_data_dir(cfg, data_dir_out, (unsigned)cap, diag);
    if(rc == HK_OK)
        rc = paths_resolve(data_dir_out, PROVISION_FILE, path, sizeof(path));
    if(rc != HK_OK)
        goto out;
    rc = hk_file_read(path, PROVISION_MAX_BYTES, &overlay, &olen);
    if(rc == HK_ERR_NOT_FOUND) {
        rc = HK_OK; /* not provisioned: the config file alone */
        goto done;
    }
    if(rc != HK_OK) {
        /* there but unreadable: refused, not skipped (provision.h) */
        hk_diag_set(diag, "%s: %s", path,
                    rc == HK_ERR_CORRUPT ? "larger than 64 KiB" : "cannot be read");
        if(rc == HK_ERR_CORRUPT)
            rc = HK_ERR_INVALID;
        goto out;
    }
    hk_diag_clear(&inner);
    rc = provision_merge(text, flen, overlay, olen, &merged, &mlen, &inner);
    if(rc == HK_OK)
        rc = config_parse(merged, mlen, cfg, &inner);
    if(rc != HK_OK) {
        hk_diag_set(diag, "%s: %s", path, inner.msg);
        goto out;
    }
    if(data_dir_override)
        snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", data_dir_override);
    if(overlaid_out)
        *overlaid_out = true;
done:
    *out = *cfg;
out:
    hk_free(merged);
    hk_free(overlay);
    hk_free(file);
    hk_free(cfg);
    return rc;
}

/* ---- static ---------------------------------------------------------------------- */

static hk_err_t parse_overlay(const char *overlay, size_t len, cJSON **out, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { PROVISION_MAX_BYTES, 8 };
    cJSON *root = NULL;
    const cJSON *it;
    hk_err_t rc;

    *out = NULL;
    rc = hk_json_parse_object(overlay, len, &lim, overlay_keys, &root, diag);
    if(rc == HK_ERR_INVALID && diag && strstr(diag->msg, "unknown key")) {
        hk_diag_t d = *diag;
        hk_diag_set(diag,
                    "%s (provision.json holds only role, device, hub, central, printer, "
                    "engineer)",
                    d.msg);
    }
    for(it = root ? root->child : NULL; rc == HK_OK && it; it = it->next) {
        if(it->string[0] == '_')
            continue;
        if(!strcmp(it->string, "role") ? !cJSON_IsString(it) : !cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected %s", it->string,
                        !strcmp(it->string, "role") ? "a string" : "an object");
            rc = HK_ERR_INVALID;
        }
    }
    if(rc != HK_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return HK_OK;
}
