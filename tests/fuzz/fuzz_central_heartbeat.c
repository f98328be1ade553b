/*
 * fuzz_central_heartbeat: libFuzzer target for central_heartbeat_decode(),
 * the server's reader of device health reports. Any input must decode or
 * be refused with a diag, never a crash, a sanitizer report or a leak.
 * What decodes encodes again to bytes that decode to the same heartbeat.
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
    central_heartbeat_t hb, back;
    long live = hk_mem_live();
    hk_diag_t diag;
    char *out = NULL;
    size_t len = 0;

    if(central_heartbeat_decode((const char *)data, size, &hb, &diag) != HK_OK) {
        if(diag.msg[0] == '\0')
            abort();
    } else {
        if(hb.uptime_s < 0 || hb.backlog < 0 || hb.disk_free_mb < -1 || !hb.device[0] ||
           !hb.branch[0])
            abort();
        if(central_heartbeat_encode(&hb, &out, &len) != HK_OK ||
           central_heartbeat_decode(out, len, &back, &diag) != HK_OK)
            abort();
        /* decoded text is clean, so it survives unchanged */
        if(strcmp(hb.device, back.device) != 0 || strcmp(hb.branch, back.branch) != 0 ||
           strcmp(hb.version, back.version) != 0 || strcmp(hb.printer, back.printer) != 0 ||
           strcmp(hb.last_error, back.last_error) != 0 || hb.uptime_s != back.uptime_s ||
           hb.backlog != back.backlog || hb.disk_free_mb != back.disk_free_mb)
            abort();
        hk_free(out);
    }
    if(hk_mem_live() != live)
        abort(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
