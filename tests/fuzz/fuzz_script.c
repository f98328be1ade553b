/*
 * libFuzzer target: the UI script parser (files testers and engineers
 * write). Any input must parse or be refused with a message; never crash,
 * never leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    script_t *s = NULL;
    hk_diag_t diag;

    if(script_parse((const char *)data, size, &s, &diag) == HK_OK)
        script_destroy(s);
    return 0;
}
