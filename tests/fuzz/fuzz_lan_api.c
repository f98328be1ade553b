/*
 * fuzz_lan_api: libFuzzer target for the LAN API's request decoder. The
 * input is "METHOD PATH[?day=D&number=N]\n" followed by the body (the
 * query's day and number stand for the values the server reads with
 * libmicrohttpd). Any input must give a call or an error with a 4xx
 * status, a stable code and a message, never a crash, a sanitizer report
 * or a leak. An accepted call names only a counter, service and device the
 * config has, a valid day and number when it has them, an import inside
 * its device's block, and its error text encodes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hk_mem.h"
#include "lan_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char branch_json[] =
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"},"
    "{\"id\":\"payment\",\"prefix\":\"B\",\"name_zh\":\"缴费\",\"name_en\":\"P\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\",\"payment\"]}],"
    "\"devices\":[{\"id\":\"kiosk-2\",\"token\":\"fuzz-token-kiosk-2-0123\",\"block_from\":900,"
    "\"block_to\":949}]}";

static bool known(const config_t *cfg, const char *id, bool counter)
{
    int i, n = counter ? cfg->n_counters : cfg->n_services;

    for(i = 0; i < n; i++)
        if(!strcmp(counter ? cfg->counters[i].id : cfg->services[i].id, id))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static config_t cfg;
    static int ready;
    char line[256], method[16], path[240], *q, *day = NULL, *number = NULL;
    lan_query_t query = { NULL, NULL };
    const char *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)((const uint8_t *)nl - data) : size;
    const char *body = nl ? nl + 1 : NULL;
    size_t body_len = nl ? size - head - 1 : 0;
    long live = hk_mem_live();
    lan_call_t call;
    lan_error_t err;
    int64_t seq;
    hk_err_t rc;

    if(!ready) {
        if(config_parse(branch_json, sizeof(branch_json) - 1, &cfg, NULL) != HK_OK)
            abort();
        ready = 1;
    }
    if(head >= sizeof(line))
        return 0;
    memcpy(line, data, head);
    line[head] = '\0';
    if(sscanf(line, "%15s %239s", method, path) != 2)
        return 0;
    (void)lan_api_parse_event_id(path, &seq);
    q = strchr(path, '?');
    if(q) {
        char *arg;
        *q++ = '\0';
        for(arg = strtok(q, "&"); arg; arg = strtok(NULL, "&")) {
            if(!strncmp(arg, "day=", 4))
                day = arg + 4;
            else if(!strncmp(arg, "number=", 7))
                number = arg + 7;
        }
        query.day = day;
        query.number = number;
    }
    memset(&err, 0, sizeof(err));
    rc = lan_api_parse(&cfg, method, path, q ? &query : NULL, body, body_len, &call, &err);
    if(rc == HK_OK) {
        if(call.counter_id[0] && !known(&cfg, call.counter_id, true))
            abort();
        if(call.service_id[0] && !known(&cfg, call.service_id, false))
            abort();
        if(call.day[0] && !lan_api_valid_day(call.day))
            abort();
        if(call.number[0] && !lan_api_valid_number(call.number))
            abort();
        if(call.op == BRANCH_OP_IMPORT_TICKET &&
           (config_device_index(&cfg, call.device_id) < 0 || atoi(call.number + 1) < 900 ||
            atoi(call.number + 1) > 949 || call.issued_ms < 1))
            abort();
        if((call.op == BRANCH_OP_RATE || call.op == BRANCH_OP_RATE_NUMBER) &&
           (call.vote.level < RATING_VERY_DISSATISFIED || call.vote.level > RATING_VERY_SATISFIED ||
            (call.vote.reasons && call.vote.level > RATING_BASIC) ||
            (call.vote.praise && call.vote.level < RATING_SATISFIED)))
            abort();
        /* self-help (issue 8): an accepted submission passes the core check */
        if(call.op == BRANCH_OP_SUBMIT_ISSUE && submission_check(&call.submission, NULL, NULL))
            abort();
        if(call.op == BRANCH_OP_FAQ_FEEDBACK &&
           (!submission_id_valid(call.item_id, false) || call.version < 1 ||
            !submission_lang_valid(call.lang)))
            abort();
        if(call.op == BRANCH_OP_TRIAGE_CHOICE && (!submission_id_valid(call.item_id, false) ||
                                                  !submission_route_kind_valid(call.route_kind) ||
                                                  !submission_id_valid(call.target, true)))
            abort();
        /* issue 9: an accepted pin failure is a real count */
        if(call.op == BRANCH_OP_ENGINEER_PIN_FAILED &&
           (call.fails < 1 || call.locks < 0 || call.lock_s < 0))
            abort();
    } else if(rc == HK_ERR_INVALID) {
        char *json;
        if(err.status < 400 || err.status > 499 || !err.code || !err.message[0])
            abort();
        json = lan_api_encode_error(&err);
        hk_free(json);
    }
    if(hk_mem_live() != live)
        abort(); /* a leak */
    return 0;
}
