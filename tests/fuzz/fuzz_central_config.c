/*
 * fuzz_central_config: libFuzzer target for central_config_decode(), the
 * device's reader of configuration and content pushed by head office. Any
 * input must decode or be refused with a diag, never a crash, a sanitizer
 * report or a leak; a refusal gives no document. What decodes is a whole,
 * valid config (the invariants fuzz_config checks) with its announcements
 * within bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central_proto.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static central_config_doc_t sentinel;
    central_config_doc_t *doc = &sentinel; /* must become NULL or a doc */
    long live = hk_mem_live();
    hk_diag_t diag;
    int i;

    if(central_config_decode((const char *)data, size, &doc, &diag) != HK_OK) {
        if(doc != NULL || diag.msg[0] == '\0')
            abort();
    } else {
        const config_t *cfg = &doc->config;

        if(doc->version < 1 || cfg->n_services < 1 || cfg->n_services > CONFIG_MAX_SERVICES ||
           cfg->n_counters < 1 || cfg->n_counters > CONFIG_MAX_COUNTERS ||
           doc->n_announcements < 0 || doc->n_announcements > CENTRAL_MAX_ANNOUNCEMENTS)
            abort();
        for(i = 0; i < doc->n_announcements; i++) {
            const central_announcement_t *a = &doc->announcements[i];

            if(!a->id[0] || a->from_ms < 0 || a->to_ms < 0 ||
               (a->to_ms != 0 && a->to_ms <= a->from_ms))
                abort();
        }
        hk_free(doc);
    }
    if(hk_mem_live() != live)
        abort(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
