/*
 * escpos_decode (tests only): turns an ESC/POS byte stream back into a
 * 1-bit image, so tests can compare what a printer would print with what we
 * rendered, and the run journey can write it as a PNG for a person.
 * Understands what escpos.c emits (ESC @, GS v 0, LF, ESC d, GS V) and
 * refuses anything else with a message naming the offset.
 */
#ifndef HK_TESTS_SUPPORT_ESCPOS_DECODE_H
#define HK_TESTS_SUPPORT_ESCPOS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"

typedef struct escpos_image {
    int width;     /* dots */
    int height;    /* rows, including fed blank rows */
    uint8_t *bits; /* rows of (width+7)/8 bytes, MSB left, 1 = black; hk_malloc */
    int cuts;      /* number of cut commands seen */
    int tickets;   /* number of ESC @ seen */
} escpos_image_t;

hk_err_t escpos_decode(const uint8_t *buf, size_t len, escpos_image_t *out, hk_diag_t *diag);
void escpos_image_fini(escpos_image_t *img);

#endif
