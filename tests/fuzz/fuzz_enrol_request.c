/*
 * fuzz_enrol_request: libFuzzer target for hall-central's reader of
 * POST /v1/enrol bodies (enrol_proto_req_decode, outside input before any
 * credential) and hallctl's reader of the answer (enrol_proto_reply_decode).
 * Any input decodes or is refused with a diag, never a crash, a sanitizer
 * report or a leak; what decodes encodes again to bytes that decode the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrol_proto.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static enrol_req_t req, back;
    static enrol_reply_t rep, rback;
    long live = hk_mem_live();
    hk_diag_t diag;
    char *out = NULL;
    size_t len = 0;

    if(enrol_proto_req_decode((const char *)data, size, &req, &diag) != HK_OK) {
        if(diag.msg[0] == '\0')
            abort();
    } else {
        if(enrol_proto_req_encode(&req, &out, &len) != HK_OK ||
           enrol_proto_req_decode(out, len, &back, &diag) != HK_OK ||
           strcmp(req.device, back.device) != 0 || strcmp(req.code, back.code) != 0 ||
           strcmp(req.csr, back.csr) != 0)
            abort();
        hk_free(out);
        out = NULL;
    }
    if(enrol_proto_reply_decode((const char *)data, size, &rep, &diag) != HK_OK) {
        if(diag.msg[0] == '\0')
            abort();
    } else {
        if(enrol_proto_reply_encode(&rep, &out, &len) != HK_OK ||
           enrol_proto_reply_decode(out, len, &rback, &diag) != HK_OK ||
           strcmp(rep.certificate, rback.certificate) != 0 ||
           rep.not_after_ms != rback.not_after_ms)
            abort();
        hk_free(out);
    }
    if(hk_mem_live() != live)
        abort(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
