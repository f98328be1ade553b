/* placeholder until the printer work lands: decodes nothing */
#include "escpos_decode.h"

#include <string.h>

hk_err_t escpos_decode(const uint8_t *buf, size_t len, escpos_image_t *out,
                       hk_diag_t *diag)
{
    (void)buf;
    (void)len;
    memset(out, 0, sizeof(*out));
    hk_diag_set(diag, "escpos_decode: not implemented yet");
    return HK_ERR_INVALID;
}

void escpos_image_fini(escpos_image_t *img)
{
    (void)img;
}
