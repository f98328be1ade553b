/*
 * fuzz_central_batch: libFuzzer target for central_batch_decode(), the
 * server's reader of upload bodies from devices. Any input must decode or
 * be refused with a diag, never a crash, a sanitizer report or a leak; a
 * refused decode leaves the output empty. What decodes keeps its promises
 * (1..CENTRAL_BATCH_MAX_EVENTS events, seqs ascending, each body one JSON
 * object), and when every type is one this build knows, encoding the
 * events again and decoding that gives the same events, bodies byte for
 * byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "central_proto.h"
#include "hk_json.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode b's events again (types this build knows only) and compare. */
static void round_trip(const central_batch_t *b)
{
    journal_event_t *ev = calloc((size_t)b->n_events, sizeof(*ev));
    central_batch_t back;
    hk_diag_t diag;
    char *out = NULL;
    size_t len = 0;
    int i, taken = 0;

    if(!ev)
        abort();
    for(i = 0; i < b->n_events; i++) {
        if(!journal_type_parse(b->events[i].type, &ev[i].type)) {
            free(ev);
            return;
        }
        ev[i].seq = b->events[i].seq;
        memcpy(ev[i].uuid, b->events[i].uuid, sizeof(ev[i].uuid));
        ev[i].wall_ms = b->events[i].time_ms;
        ev[i].body = b->events[i].body;
    }
    if(central_batch_encode(b->device, b->branch, ev, b->n_events, 0, &out, &len, &taken) != HK_OK)
        abort(); /* what the server accepts, a device can send */
    if(central_batch_decode(out, len, &back, &diag) != HK_OK || back.n_events != taken ||
       taken < 1 || len > CENTRAL_BATCH_MAX_BYTES)
        abort();
    for(i = 0; i < taken; i++) {
        if(back.events[i].seq != b->events[i].seq ||
           strcmp(back.events[i].uuid, b->events[i].uuid) != 0 ||
           strcmp(back.events[i].type, b->events[i].type) != 0 ||
           back.events[i].time_ms != b->events[i].time_ms ||
           strcmp(back.events[i].body, b->events[i].body) != 0)
            abort();
    }
    central_batch_free(&back);
    hk_free(out);
    free(ev);
}

/* Each body's text, parsed alone, is the body in the whole request's tree
 * (the decoder found the right bytes). cJSON prints through hk_malloc. */
static void same_bodies(const central_batch_t *b, const uint8_t *data, size_t size)
{
    const hk_json_limits_t lim = { CENTRAL_BATCH_MAX_BYTES, 64 };
    const cJSON *ev;
    cJSON *root = NULL;
    int k;

    if(hk_json_parse((const char *)data, size, &lim, &root, NULL) != HK_OK)
        abort();
    ev = cJSON_GetObjectItemCaseSensitive(root, "events")->child;
    for(k = 0; k < b->n_events; k++, ev = ev->next) {
        cJSON *alone = NULL;
        char *a, *b_text;

        /* printed, not cJSON_Compare(): a body may hold a key twice */
        if(hk_json_parse(b->events[k].body, strlen(b->events[k].body), &lim, &alone, NULL) != HK_OK)
            abort();
        a = cJSON_PrintUnformatted(alone);
        b_text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(ev, "body"));
        if(!a || !b_text || strcmp(a, b_text) != 0)
            abort();
        hk_free(a);
        hk_free(b_text);
        cJSON_Delete(alone);
    }
    cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    central_batch_t b;
    hk_diag_t diag;
    long live = hk_mem_live();
    hk_err_t rc;
    int i;

    memset(&b, 0x5a, sizeof(b));
    rc = central_batch_decode((const char *)data, size, &b, &diag);
    if(rc != HK_OK) {
        if(b.events != NULL || b.n_events != 0 || diag.msg[0] == '\0')
            abort(); /* a refusal wrote output or said nothing */
    } else {
        if(b.n_events < 1 || b.n_events > CENTRAL_BATCH_MAX_EVENTS || !b.device[0] || !b.branch[0])
            abort();
        for(i = 0; i < b.n_events; i++) {
            const central_event_t *e = &b.events[i];

            if(e->seq < 1 || (i > 0 && e->seq <= b.events[i - 1].seq) || e->time_ms < 0 ||
               strlen(e->uuid) != 36 || !e->type[0] || !e->body || e->body[0] != '{' ||
               e->body[strlen(e->body) - 1] != '}')
                abort();
        }
        same_bodies(&b, data, size);
        round_trip(&b);
        central_batch_free(&b);
    }
    if(hk_mem_live() != live)
        abort(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
