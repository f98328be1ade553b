/*
 * fuzz_central_ack: libFuzzer target for what a device reads back from
 * head office: central_ack_decode() (then central_ack_covers() against a
 * fixed upload), central_error_decode(), central_heartbeat_reply_decode()
 * and central_parse_retry_after(). The first byte picks the reader; the
 * rest is the body (or header value). Nothing may crash, trip a sanitizer
 * or leak; a refused ack leaves the output empty; an ack that decodes
 * encodes to bytes that decode to the same ack; a Retry-After is 0..3600.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central_proto.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ack(const central_ack_t *a)
{
    static const journal_event_t sent[2] = {
        { 1, "00000000-0000-4000-8000-000000000001", JOURNAL_TICKET_ISSUED, 0, (char *)"{}" },
        { 2, "00000000-0000-4000-8000-000000000002", JOURNAL_TICKET_CALLED, 0, (char *)"{}" }
    };
    central_ack_t back;
    hk_diag_t diag;
    char *out = NULL;
    size_t len = 0;
    int64_t cursor = -1;
    int i;

    if(a->acked_seq < 0 || a->n_results < 0 || a->n_results > CENTRAL_BATCH_MAX_EVENTS ||
       (a->n_results > 0) != (a->results != NULL))
        abort();
    if(central_ack_covers(a, "kiosk-1", sent, 2, 2, &cursor, &diag)) {
        if(cursor < 0 || cursor > 2 || a->n_results != 2 || strcmp(a->device, "kiosk-1") != 0)
            abort(); /* a lie taken for an ack */
    } else if(diag.msg[0] == '\0' || cursor != -1) {
        abort();
    }
    if(central_ack_encode(a, &out, &len) != HK_OK ||
       central_ack_decode(out, len, &back, &diag) != HK_OK)
        abort();
    if(back.acked_seq != a->acked_seq || back.n_results != a->n_results ||
       strcmp(back.device, a->device) != 0)
        abort();
    for(i = 0; i < a->n_results; i++)
        if(back.results[i].seq != a->results[i].seq ||
           back.results[i].status != a->results[i].status ||
           strcmp(back.results[i].uuid, a->results[i].uuid) != 0)
            abort();
    central_ack_free(&back);
    hk_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data + 1;
    size_t len = size ? size - 1 : 0;
    long live = hk_mem_live();
    hk_diag_t diag;

    if(size < 1)
        return 0;
    switch(data[0] % 4) {
    case 0: {
        central_ack_t a;

        memset(&a, 0x5a, sizeof(a));
        if(central_ack_decode(body, len, &a, &diag) == HK_OK) {
            check_ack(&a);
        } else if(a.results != NULL || a.n_results != 0 || diag.msg[0] == '\0') {
            abort();
        }
        central_ack_free(&a);
        break;
    }
    case 1: {
        central_error_t e;

        if(central_error_decode(body, len, &e, &diag) == HK_OK &&
           (!e.code[0] || strlen(e.code) >= sizeof(e.code) ||
            strlen(e.message) >= sizeof(e.message)))
            abort();
        break;
    }
    case 2: {
        int64_t t = -1;

        if(central_heartbeat_reply_decode(body, len, &t, &diag) == HK_OK && t < 0)
            abort();
        break;
    }
    default: {
        char *value = malloc(len + 1);
        int secs = -1;

        if(!value)
            abort();
        memcpy(value, body, len);
        value[len] = '\0';
        if(central_parse_retry_after(value, 784111777, &secs) && (secs < 0 || secs > 3600))
            abort();
        free(value);
        break;
    }
    }
    if(hk_mem_live() != live)
        abort(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
