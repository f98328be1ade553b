/*
 * fuzz_config: libFuzzer target for the branch config parser. Any input
 * must give HK_OK or an error with a diag, never a crash, a sanitizer
 * report or a leak; a refused parse must not touch the output.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static config_t cfg, before;
    hk_diag_t diag;
    long live = hk_mem_live();
    hk_err_t rc;

    memset(&cfg, 0x5a, sizeof(cfg));
    before = cfg;
    rc = config_parse((const char *)data, size, &cfg, &diag);
    if(rc != HK_OK) {
        if(memcmp(&cfg, &before, sizeof(cfg)) != 0 || diag.msg[0] == '\0')
            __builtin_trap(); /* refused parse wrote output or said nothing */
    } else {
        /* Cross-check a few invariants the rest of the app relies on. */
        int i;
        if(cfg.n_services < 1 || cfg.n_services > CONFIG_MAX_SERVICES || cfg.n_counters < 1 ||
           cfg.n_counters > CONFIG_MAX_COUNTERS)
            __builtin_trap();
        for(i = 0; i < cfg.n_counters; i++) {
            int k;
            for(k = 0; k < cfg.counters[i].n_services; k++)
                if(cfg.counters[i].services[k] < 0 || cfg.counters[i].services[k] >= cfg.n_services)
                    __builtin_trap();
        }
        (void)config_service_open_at(&cfg, 0, 1710122400000LL, NULL);
    }
    if(hk_mem_live() != live)
        __builtin_trap(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
