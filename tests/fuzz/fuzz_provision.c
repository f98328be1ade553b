/*
 * fuzz_provision: libFuzzer target for the provision.json overlay
 * (provision_check, provision_merge over a small valid config, then
 * config_parse of the result), the file hallkiosk reads from its data
 * partition at every start. Any input is merged or refused with a diag,
 * never a crash, a sanitizer report or a leak; a refused overlay leaves no
 * output; an overlay that merges holds only the allowed keys.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hk_mem.h"
#include "provision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_config[] =
    "{\"role\":\"kiosk\",\"branch\":{\"id\":\"b001\",\"name_zh\":\"营业厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"综合业务\","
    "\"name_en\":\"General\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static config_t cfg;
    long live = hk_mem_live();
    hk_diag_t diag;
    char *merged = (char *)1;
    size_t len = 0;
    hk_err_t checked, rc;

    checked = provision_check((const char *)data, size, &diag);
    if(checked != HK_OK && diag.msg[0] == '\0')
        abort();
    rc = provision_merge(base_config, sizeof(base_config) - 1, (const char *)data, size, &merged,
                         &len, &diag);
    if(rc != HK_OK) {
        if(merged != NULL || (rc == HK_ERR_INVALID && diag.msg[0] == '\0'))
            abort();
        if(checked == HK_OK && rc == HK_ERR_INVALID)
            abort(); /* the base is valid JSON: only the overlay can be refused */
    } else {
        if(checked != HK_OK)
            abort();
        (void)config_parse(merged, len, &cfg, &diag); /* may refuse the values */
        hk_free(merged);
    }
    if(hk_mem_live() != live)
        abort();
    return 0;
}
