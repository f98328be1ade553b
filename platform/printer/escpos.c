/*
 * escpos: builds the ESC/POS byte stream for one ticket and decodes the
 * one-byte replies to DLE EOT status requests. Pure functions, no I/O: the
 * backends (printer_file.c, printer_device.c, printer_tcp.c) move the bytes.
 *
 * A ticket is
 *   ESC @                         initialise (clears any half-received job)
 *   GS v 0 0 xL xH yL yH d...     raster, one block per ESCPOS_BAND_ROWS rows
 *   ESC d n                       feed n lines: bottom margin under the image
 *   GS V 66 0                     feed to the cutter and partial-cut
 * GS v 0 is the "obsolete" raster command in Epson's book but the one every
 * clone understands; xL/xH count BYTES per row, yL/yH rows. Consecutive
 * blocks print edge to edge, so banding is invisible on paper; it only keeps
 * each block within small receive buffers. GS V 66 (function B) feeds from
 * the print head to the cutter itself, so no text is cut through.
 *
 * Status bytes follow the Epson TM tables for DLE EOT 1/2/4; bits 1 and 4
 * are fixed on and bits 0 and 7 fixed off, which is how a host tells a
 * status byte from noise, so bytes breaking that pattern decode as UNKNOWN.
 */
#include "escpos.h"

#include <string.h>

#include "hk_mem.h"

#define ESC 0x1B
#define GS  0x1D
#define DLE 0x10
#define EOT 0x04

#define WIDTH_MIN  8
#define WIDTH_MAX  2040 /* 255 bytes per row: xH stays 0 */
#define HEIGHT_MAX 65535
#define FEED_LINES 3 /* ESC d n: about 12 mm of margin under the ticket */

#define STATUS_FIXED_MASK 0x93 /* bits 0, 1, 4, 7 */
#define STATUS_FIXED_BITS 0x12 /* bit 1 and bit 4 on, bit 0 and bit 7 off */

static int status_byte_valid(uint8_t reply);

hk_err_t escpos_encode_ticket(const uint8_t *bits, int width, int height, uint8_t **out,
                              size_t *out_len)
{
    size_t row_bytes, bands, len, pos = 0;
    uint8_t *buf;
    uint8_t tail_mask;
    int y;

    if(out)
        *out = NULL;
    if(!bits || !out || !out_len || width < WIDTH_MIN || width > WIDTH_MAX || height < 1 ||
       height > HEIGHT_MAX)
        return HK_ERR_INVALID;

    row_bytes = ((size_t)width + 7) / 8;
    bands = ((size_t)height + ESCPOS_BAND_ROWS - 1) / ESCPOS_BAND_ROWS;
    len = 2 + bands * 8 + row_bytes * (size_t)height + 3 + 4;
    buf = hk_malloc(len);
    if(!buf)
        return HK_ERR_NOMEM;

    /* The printer prints whole bytes: dots past `width` in the last byte of a
     * row would print, so they are cleared whatever the caller left there. */
    tail_mask = (uint8_t)(0xFFu << ((8 - width % 8) % 8));

    buf[pos++] = ESC;
    buf[pos++] = '@';
    for(y = 0; y < height; y += ESCPOS_BAND_ROWS) {
        int rows = height - y < ESCPOS_BAND_ROWS ? height - y : ESCPOS_BAND_ROWS;
        int r;

        buf[pos++] = GS;
        buf[pos++] = 'v';
        buf[pos++] = '0';
        buf[pos++] = 0; /* m: normal density */
        buf[pos++] = (uint8_t)(row_bytes & 0xFF);
        buf[pos++] = (uint8_t)(row_bytes >> 8);
        buf[pos++] = (uint8_t)(rows & 0xFF);
        buf[pos++] = (uint8_t)(rows >> 8);
        for(r = 0; r < rows; r++) {
            memcpy(buf + pos, bits + (size_t)(y + r) * row_bytes, row_bytes);
            buf[pos + row_bytes - 1] &= tail_mask;
            pos += row_bytes;
        }
    }
    buf[pos++] = ESC;
    buf[pos++] = 'd';
    buf[pos++] = FEED_LINES;
    buf[pos++] = GS;
    buf[pos++] = 'V';
    buf[pos++] = 66; /* feed to cutter, partial cut */
    buf[pos++] = 0;

    if(HK_NEVER(pos != len)) {
        hk_free(buf);
        return HK_ERR_INVALID;
    }
    *out = buf;
    *out_len = len;
    return HK_OK;
}

void escpos_status_request(uint8_t n, uint8_t out[3])
{
    out[0] = DLE;
    out[1] = EOT;
    out[2] = n;
}

printer_status_t escpos_decode_paper_status(uint8_t reply)
{
    if(!status_byte_valid(reply))
        return PRINTER_STATUS_UNKNOWN;
    /* Bits 5-6 (0x60) are the paper end sensor, bits 2-3 (0x0C) the near-end
     * sensor. Printers set both bits of a pair together; either one counts
     * so a half-set pair errs towards not printing into nothing. */
    if(reply & 0x60)
        return PRINTER_STATUS_PAPER_OUT;
    if(reply & 0x0C)
        return PRINTER_STATUS_PAPER_LOW;
    return PRINTER_STATUS_OK;
}

printer_status_t escpos_decode_printer_status(uint8_t reply)
{
    if(!status_byte_valid(reply))
        return PRINTER_STATUS_UNKNOWN;
    /* Bit 2 is the cash drawer pin: irrelevant here. */
    return (reply & 0x08) ? PRINTER_STATUS_OFFLINE : PRINTER_STATUS_OK;
}

printer_status_t escpos_decode_offline_status(uint8_t reply)
{
    if(!status_byte_valid(reply))
        return PRINTER_STATUS_UNKNOWN;
    if(reply & 0x04)
        return PRINTER_STATUS_COVER_OPEN;
    if(reply & 0x20)
        return PRINTER_STATUS_PAPER_OUT;
    if(reply & 0x40)
        return PRINTER_STATUS_OFFLINE;
    /* Bit 3 (feed button held) takes the printer off line only briefly. */
    return PRINTER_STATUS_OK;
}

static int status_byte_valid(uint8_t reply)
{
    return (reply & STATUS_FIXED_MASK) == STATUS_FIXED_BITS;
}
