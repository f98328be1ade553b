/*
 * fuzz_lan_decode: libFuzzer target for the LAN client's decoders (what a
 * kiosk, counter or hallctl reads from the hub). The first byte picks the
 * decoder (an operation's result, a stream event, a session, an error
 * status); the rest is the body. Any input must decode or be refused with
 * HK_ERR_SERVER / HK_ERR_NOT_FOUND / HK_ERR_INVALID, never a crash, a
 * sanitizer report or a leak; what decodes has NUL-terminated strings
 * within their fields.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "branch.h"
#include "hk_mem.h"
#include "lan_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ticket(const ticket_t *t)
{
    if(strlen(t->number) >= sizeof(t->number) || strlen(t->service_id) >= sizeof(t->service_id) ||
       strlen(t->staff_id) >= sizeof(t->staff_id) || (int)t->state >= TICKET_STATE_COUNT)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    branch_result_t res;
    journal_event_t ev;
    char session[160];
    const char *body = (const char *)data + 1;
    size_t len = size ? size - 1 : 0;
    branch_op_t op;
    long live = hk_mem_live();
    hk_err_t rc;
    int i;

    if(size < 1)
        return 0;
    op = (branch_op_t)(data[0] % (BRANCH_OP_COUNT + 2));
    memset(&res, 0, sizeof(res));
    if(op == BRANCH_OP_COUNT) {
        rc = lan_decode_event(body, len, &ev);
        if(rc == HK_OK && (!ev.body || (int)ev.type >= JOURNAL_TYPE_COUNT))
            abort();
        if(rc == HK_OK)
            hk_free(ev.body);
    } else if((int)op == BRANCH_OP_COUNT + 1) {
        rc = lan_decode_session(body, len, session, sizeof(session));
        if(rc == HK_OK && !session[0])
            abort();
    } else {
        res.op = op;
        rc = lan_decode_result(op, body, len, &res);
        if(rc == HK_OK && res.has_ticket)
            check_ticket(&res.ticket);
        for(i = 0; i < res.n_visits; i++)
            check_ticket(&res.visits[i].ticket);
        if(rc == HK_OK && op == BRANCH_OP_SNAPSHOT &&
           (res.snapshot.n_services > CONFIG_MAX_SERVICES ||
            res.snapshot.n_counters > CONFIG_MAX_COUNTERS))
            abort();
        /* self-help (issue 8): a receipt never carries a phone unmasked */
        if(rc == HK_OK && res.has_submission &&
           (!res.submission.ref[0] || !strchr(res.submission.phone_masked, '*')))
            abort();
        hk_free(res.visits);
    }
    if(rc != HK_OK && rc != HK_ERR_SERVER && rc != HK_ERR_NOT_FOUND && rc != HK_ERR_INVALID &&
       rc != HK_ERR_NOMEM)
        abort();
    (void)lan_decode_status((int)size % 600, size > 1 ? "nobody_waiting" : NULL);
    if(hk_mem_live() != live)
        abort();
    return 0;
}
