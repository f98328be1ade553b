/*
 * fuzz_hk_json: libFuzzer target for the capped JSON parse and the typed
 * readers. Any input must give HK_OK or an error with a diag, never a
 * crash, a sanitizer report or a leak. An accepted tree is never deeper
 * than the limit, and printing and re-parsing it succeeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"

#define FUZZ_DEPTH 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int depth_of(const cJSON *it)
{
    int max = 0;
    const cJSON *c;

    if(!cJSON_IsArray(it) && !cJSON_IsObject(it))
        return 0;
    for(c = it->child; c; c = c->next) {
        int d = depth_of(c);
        if(d > max)
            max = d;
    }
    return max + 1;
}

/* Run every reader over every item: they must refuse or accept, never
 * misbehave, on any type. */
static void read_all(const cJSON *it)
{
    static const char *const allowed[] = { "a", "b", "id", NULL };
    char text[16];
    hk_diag_t diag;
    const cJSON *c;
    int v;
    bool b;

    (void)hk_json_get_text(it, "x", text, sizeof(text), &diag);
    (void)hk_json_get_int(it, "x", -1000, 1000, &v, &diag);
    (void)hk_json_get_bool(it, "x", &b, &diag);
    if(cJSON_IsObject(it))
        (void)hk_json_check_keys(it, "x", allowed, &diag);
    for(c = it->child; c; c = c->next)
        read_all(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const hk_json_limits_t lim = { 64 * 1024, FUZZ_DEPTH };
    long live = hk_mem_live();
    cJSON *root = NULL, *again = NULL;
    hk_diag_t diag;
    hk_err_t rc;

    diag.msg[0] = '\0';
    rc = hk_json_parse((const char *)data, size, &lim, &root, &diag);
    if(rc != HK_OK) {
        if(root != NULL || diag.msg[0] == '\0')
            __builtin_trap(); /* refused parse gave a tree or said nothing */
    } else {
        char *printed;

        if(depth_of(root) > FUZZ_DEPTH)
            __builtin_trap();
        read_all(root);
        printed = cJSON_PrintUnformatted(root);
        if(printed) {
            /* Printing never adds nesting; only OOM may refuse the copy. */
            rc = hk_json_parse(printed, strlen(printed), &lim, &again, &diag);
            if(rc != HK_OK && rc != HK_ERR_NOMEM && strlen(printed) <= lim.max_bytes)
                __builtin_trap();
            cJSON_Delete(again);
            cJSON_free(printed);
        }
        cJSON_Delete(root);
    }
    if(hk_mem_live() != live)
        __builtin_trap(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
