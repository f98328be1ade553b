/*
 * fuzz_escpos_decode: libFuzzer target for the test-side ESC/POS decoder
 * (tests/support/escpos_decode.c), which parses byte streams a printer
 * backend produced and, in the run journey, files from disk. Checks: no
 * crash or sanitizer report, no leak through hk_malloc, and a decoded image
 * is consistent with its own dimensions. Links hk_test_support + hk_core.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "escpos_decode.h"
#include "hk_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    escpos_image_t img;
    hk_diag_t diag;
    long live = hk_mem_live();

    if(escpos_decode(data, size, &img, &diag) == HK_OK) {
        if(img.width < 0 || img.height < 0 || img.width % 8 != 0 ||
           (img.bits == NULL) != (img.width == 0 || img.height == 0))
            abort();
        if(img.bits) {
            /* Touch the last byte: ASan flags a short buffer. */
            volatile uint8_t last = img.bits[(size_t)img.width / 8 * (size_t)img.height - 1];
            (void)last;
        }
        escpos_image_fini(&img);
    } else if(diag.msg[0] == '\0') {
        abort(); /* every refusal says why */
    }
    if(hk_mem_live() != live)
        abort();
    return 0;
}
