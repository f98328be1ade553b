/*
 * escpos: encodes ESC/POS command streams (no I/O). Only what a ticket
 * needs: initialise, raster image in bands, feed, cut, and status-query
 * requests/replies.
 */
#ifndef HK_PLATFORM_PRINTER_ESCPOS_H
#define HK_PLATFORM_PRINTER_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"
#include "printer.h"

#define ESCPOS_BAND_ROWS 128   /* rows per GS v 0 block; small printer buffers */

/**
 * Encode ESC @, the raster as GS v 0 bands, feed and a partial cut.
 * @param out  receives a buffer from hk_malloc (free with hk_free).
 */
hk_err_t escpos_encode_ticket(const uint8_t *bits, int width, int height,
                              uint8_t **out, size_t *out_len);

/** Decode a DLE EOT n=4 (paper sensor) reply byte. */
printer_status_t escpos_decode_paper_status(uint8_t reply);
/** Decode a DLE EOT n=1 (printer status) reply byte: OFFLINE when bit 3 set. */
printer_status_t escpos_decode_printer_status(uint8_t reply);

#endif
