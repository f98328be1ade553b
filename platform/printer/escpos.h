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

#define ESCPOS_BAND_ROWS 128 /* rows per GS v 0 block; small printer buffers */

/**
 * Encode ESC @, the raster as GS v 0 bands, feed and a partial cut.
 * @param out  receives a buffer from hk_malloc (free with hk_free).
 */
hk_err_t escpos_encode_ticket(const uint8_t *bits, int width, int height, uint8_t **out,
                              size_t *out_len);

/** Decode a DLE EOT n=4 (paper sensor) reply byte. */
printer_status_t escpos_decode_paper_status(uint8_t reply);
/** Decode a DLE EOT n=1 (printer status) reply byte: OFFLINE when bit 3 set. */
printer_status_t escpos_decode_printer_status(uint8_t reply);

/*
 * Added with the implementation (the functions above are unchanged).
 * Status requests are DLE EOT n (10 04 n); each is answered with one byte
 * whose fixed bits are bit 1 and bit 4 on, bit 0 and bit 7 off. A byte that
 * breaks that pattern is not a status reply: the decoders return UNKNOWN.
 */
#define ESCPOS_STATUS_PRINTER 1 /* DLE EOT 1: printer status */
#define ESCPOS_STATUS_OFFLINE 2 /* DLE EOT 2: off-line cause */
#define ESCPOS_STATUS_PAPER   4 /* DLE EOT 4: roll paper sensor */

/**
 * Write the three-byte request DLE EOT n.
 * @param n    ESCPOS_STATUS_PRINTER, _OFFLINE or _PAPER.
 * @param out  receives 10 04 n.
 */
void escpos_status_request(uint8_t n, uint8_t out[3]);

/**
 * Decode a DLE EOT n=2 (off-line cause) reply byte: COVER_OPEN when bit 2
 * is set, PAPER_OUT when bit 5 (paper-end stop) is set, OFFLINE when bit 6
 * (error) is set, else OK.
 */
printer_status_t escpos_decode_offline_status(uint8_t reply);

#endif
