/*
 * fuzz_lan_decode: libFuzzer target for the LAN client's decoders (what a
 * kiosk, counter or hallctl reads from the hub). The first byte picks the
 * decoder (an operation's result, a stream event, a session, an error
 * status; 0xB0, which no other choice depends on, the branch document and
 * its merge into a counter's config); the rest is the body. Any input must decode or be refused with
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

#define SEL_BRANCH 0xB0 /* LANCFG: the branch document (lan_decode_branch) */

/* The branch document: decoded whole or refused; what decodes merges into
 * a counter's config (or is refused for its counter) with every count and
 * index in range. */
static hk_err_t fuzz_branch(const char *body, size_t len)
{
    static lan_branch_doc_t doc;
    static config_t local, out;
    hk_diag_t d;
    hk_err_t rc;
    int i, j;

    rc = lan_decode_branch(body, len, &doc, &d);
    if(rc != HK_OK) {
        if(!d.msg[0] && rc != HK_ERR_NOMEM)
            abort(); /* a refusal always says why */
        return rc;
    }
    if(doc.generation < 1 || doc.cfg.n_services < 1 || doc.cfg.n_services > CONFIG_MAX_SERVICES ||
       doc.cfg.n_counters > CONFIG_MAX_COUNTERS || doc.cfg.n_staff > CONFIG_MAX_STAFF)
        abort();
    memset(&local, 0, sizeof(local));
    local.role = CONFIG_ROLE_COUNTER;
    snprintf(local.device.counter, sizeof(local.device.counter), "c1");
    if(lan_decode_branch_merge(&doc, &local, &out, &d) != HK_OK)
        return HK_OK; /* no c1: refused, and said why */
    for(i = 0; i < out.n_counters; i++)
        for(j = 0; j < out.counters[i].n_services; j++)
            if(out.counters[i].services[j] < 0 || out.counters[i].services[j] >= out.n_services)
                abort();
    for(i = 0; i < out.n_staff; i++)
        if(strlen(out.staff[i].id) >= CONFIG_ID_LEN || out.staff[i].pin_hash[0])
            abort();
    if(out.role != CONFIG_ROLE_COUNTER || strcmp(out.device.counter, "c1"))
        abort();
    return HK_OK;
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
    if(data[0] == SEL_BRANCH) {
        rc = fuzz_branch(body, len);
    } else if(op == BRANCH_OP_COUNT) {
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
