/*
 * fuzz_case_action: libFuzzer target for cases_action_decode(), the reader
 * of a report user's action on a follow-up case. Any input decodes or is
 * refused with a diag; a decoded action applies to a case or is refused
 * with a diag, never leaving a closed case without a cause.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long live = hk_mem_live();
    cases_action_t a;
    cases_case_t c;
    hk_diag_t diag;
    int i;

    memset(&diag, 0, sizeof(diag));
    if(cases_action_decode((const char *)data, size, &a, &diag) != HK_OK) {
        if(diag.msg[0] == '\0')
            abort();
    } else {
        memset(&c, 0, sizeof(c));
        for(i = 0; i < 5; i++) {
            memset(&diag, 0, sizeof(diag));
            if(cases_apply(&c, &a, i, &diag) != HK_OK && diag.msg[0] == '\0')
                abort();
            if(c.closed && !c.cause[0])
                abort();
        }
    }
    if(hk_mem_live() != live)
        abort();
    return 0;
}
