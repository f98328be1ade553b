/*
 * escpos_decode (tests only): a small ESC/POS interpreter that turns the
 * byte stream a backend sent back into the image a printer would have put
 * on paper. It knows the commands escpos.c emits plus their close
 * relatives, and rejects everything else by offset, so a stray byte in the
 * encoder shows up as a test failure instead of as garbage on paper:
 *
 *   LF            one line feed: 30 blank rows (1/6 inch at 180 dpi units)
 *   ESC @         initialise: counts a ticket
 *   ESC d n       feed n lines: n * 30 blank rows
 *   ESC J n       feed n motion units: n blank rows
 *   GS v 0 m xL xH yL yH d...   raster, any m (density is not modelled)
 *   GS V m        m = 0, 1, 48, 49: cut
 *   GS V m n      m = 65, 66, 97, 98, 103, 104: n blank rows, then cut
 *   DLE EOT n     real-time status request: ignored (no paper effect)
 *
 * The input is untrusted (it is fuzzed): every read is bounds-checked and
 * the image is capped at DECODE_MAX_ROWS rows and DECODE_MAX_BYTES bytes.
 * Rows are left-aligned; when a wider raster arrives the rows so far are
 * re-laid at the new stride, so width is the widest raster seen (in whole
 * bytes, i.e. a multiple of 8 dots). A stream with no raster has width 0
 * and bits NULL.
 */
#include "escpos_decode.h"

#include <string.h>

#include "hk_mem.h"

#define ESC 0x1B
#define GS  0x1D
#define DLE 0x10
#define EOT 0x04
#define LF  0x0A

#define LINE_ROWS        30
#define DECODE_MAX_ROWS  1000000
#define DECODE_MAX_BYTES ((size_t)16 * 1024 * 1024)

typedef struct decoder {
    const uint8_t *buf;
    size_t len;
    size_t pos;    /* start of the command being decoded */
    uint8_t *bits; /* height * stride bytes in use; rest zeroed */
    size_t cap;
    size_t stride; /* bytes per row */
    long height;
    int cuts;
    int tickets;
    hk_diag_t *diag;
} decoder_t;

static hk_err_t need(decoder_t *d, size_t n);
static hk_err_t unknown(decoder_t *d, size_t n);
static hk_err_t reserve(decoder_t *d, long height, size_t stride);
static hk_err_t add_blank(decoder_t *d, long rows);
static hk_err_t add_raster(decoder_t *d);
static hk_err_t decode_esc(decoder_t *d);
static hk_err_t decode_gs(decoder_t *d);
static hk_err_t decode_cut(decoder_t *d);

hk_err_t escpos_decode(const uint8_t *buf, size_t len, escpos_image_t *out, hk_diag_t *diag)
{
    decoder_t d;
    hk_err_t rc = HK_OK;

    if(out)
        memset(out, 0, sizeof(*out));
    hk_diag_clear(diag);
    if(!out || (!buf && len)) {
        hk_diag_set(diag, "escpos_decode: NULL argument");
        return HK_ERR_INVALID;
    }
    memset(&d, 0, sizeof(d));
    d.buf = buf;
    d.len = len;
    d.diag = diag;

    while(d.pos < d.len && rc == HK_OK) {
        switch(d.buf[d.pos]) {
        case LF:
            rc = add_blank(&d, LINE_ROWS);
            d.pos += 1;
            break;
        case ESC: rc = decode_esc(&d); break;
        case GS: rc = decode_gs(&d); break;
        case DLE:
            rc = need(&d, 2);
            if(rc == HK_OK && d.buf[d.pos + 1] != EOT)
                rc = unknown(&d, 2);
            if(rc == HK_OK)
                rc = need(&d, 3);
            d.pos += 3;
            break;
        default: rc = unknown(&d, 1); break;
        }
    }
    if(rc != HK_OK) {
        hk_free(d.bits);
        return rc;
    }
    if(d.stride == 0 || d.height == 0)
        HK_SAFEFREE(d.bits);
    out->width = (int)(d.stride * 8);
    out->height = (int)d.height;
    out->bits = d.bits;
    out->cuts = d.cuts;
    out->tickets = d.tickets;
    return HK_OK;
}

void escpos_image_fini(escpos_image_t *img)
{
    if(!img)
        return;
    HK_SAFEFREE(img->bits);
    memset(img, 0, sizeof(*img));
}

/* Are n bytes available from the command start? */
static hk_err_t need(decoder_t *d, size_t n)
{
    if(d->len - d->pos >= n)
        return HK_OK;
    hk_diag_set(d->diag, "offset %zu: truncated command 0x%02x (%zu of %zu bytes)", d->pos,
                d->buf[d->pos], d->len - d->pos, n);
    return HK_ERR_INVALID;
}

/* n = how many bytes name the command (1 or 2), all known to be present. */
static hk_err_t unknown(decoder_t *d, size_t n)
{
    if(n >= 2)
        hk_diag_set(d->diag, "offset %zu: unknown command 0x%02x 0x%02x", d->pos, d->buf[d->pos],
                    d->buf[d->pos + 1]);
    else
        hk_diag_set(d->diag, "offset %zu: unknown command 0x%02x", d->pos, d->buf[d->pos]);
    return HK_ERR_INVALID;
}

/*
 * Make room for `height` rows of `stride` bytes, re-laying existing rows if
 * the stride grows. New bytes are zero (white).
 */
static hk_err_t reserve(decoder_t *d, long height, size_t stride)
{
    size_t bytes;

    if(height > DECODE_MAX_ROWS) {
        hk_diag_set(d->diag, "offset %zu: image taller than %d rows", d->pos, DECODE_MAX_ROWS);
        return HK_ERR_INVALID;
    }
    if(stride && (size_t)height > DECODE_MAX_BYTES / stride) {
        hk_diag_set(d->diag, "offset %zu: image larger than %zu bytes", d->pos, DECODE_MAX_BYTES);
        return HK_ERR_INVALID;
    }
    bytes = (size_t)height * stride;
    if(bytes > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        uint8_t *p;

        while(cap < bytes)
            cap = cap > DECODE_MAX_BYTES / 2 ? DECODE_MAX_BYTES : cap * 2;
        p = hk_realloc(d->bits, cap);
        if(!p) {
            hk_diag_set(d->diag, "offset %zu: out of memory", d->pos);
            return HK_ERR_NOMEM;
        }
        memset(p + d->cap, 0, cap - d->cap);
        d->bits = p;
        d->cap = cap;
    }
    if(stride > d->stride) {
        long r;

        /* Backwards: each row moves to a higher offset than any row below
         * it still occupies. */
        for(r = d->height - 1; r >= 0 && d->stride; r--) {
            memmove(d->bits + (size_t)r * stride, d->bits + (size_t)r * d->stride, d->stride);
            memset(d->bits + (size_t)r * stride + d->stride, 0, stride - d->stride);
        }
        d->stride = stride;
    }
    return HK_OK;
}

static hk_err_t add_blank(decoder_t *d, long rows)
{
    hk_err_t rc = reserve(d, d->height + rows, d->stride);

    if(rc == HK_OK)
        d->height += rows; /* rows past d->height were kept zeroed */
    return rc;
}

static hk_err_t decode_esc(decoder_t *d)
{
    hk_err_t rc = need(d, 2);

    if(rc != HK_OK)
        return rc;
    switch(d->buf[d->pos + 1]) {
    case '@':
        d->tickets++;
        d->pos += 2;
        return HK_OK;
    case 'd':
    case 'J':
        rc = need(d, 3);
        if(rc != HK_OK)
            return rc;
        rc = add_blank(d, d->buf[d->pos + 1] == 'd' ? (long)d->buf[d->pos + 2] * LINE_ROWS
                                                    : (long)d->buf[d->pos + 2]);
        d->pos += 3;
        return rc;
    default: return unknown(d, 2);
    }
}

static hk_err_t decode_gs(decoder_t *d)
{
    hk_err_t rc = need(d, 2);

    if(rc != HK_OK)
        return rc;
    switch(d->buf[d->pos + 1]) {
    case 'v':
        rc = need(d, 3);
        if(rc != HK_OK)
            return rc;
        if(d->buf[d->pos + 2] != '0')
            return unknown(d, 2);
        return add_raster(d);
    case 'V': return decode_cut(d);
    default: return unknown(d, 2);
    }
}

/* GS v 0 m xL xH yL yH d1..dk, k = (xL + xH*256) * (yL + yH*256). */
static hk_err_t add_raster(decoder_t *d)
{
    const uint8_t *h;
    size_t xbytes, rows, data, r;
    long top;
    hk_err_t rc = need(d, 8);

    if(rc != HK_OK)
        return rc;
    h = d->buf + d->pos;
    xbytes = (size_t)h[4] | (size_t)h[5] << 8;
    rows = (size_t)h[6] | (size_t)h[7] << 8;
    if(xbytes == 0 || rows == 0) {
        hk_diag_set(d->diag, "offset %zu: GS v 0 with empty raster (%zu x %zu)", d->pos, xbytes,
                    rows);
        return HK_ERR_INVALID;
    }
    data = xbytes * rows; /* <= 65535^2: fits size_t on our targets */
    if(d->len - d->pos - 8 < data) {
        hk_diag_set(d->diag, "offset %zu: GS v 0 needs %zu data bytes, %zu left", d->pos, data,
                    d->len - d->pos - 8);
        return HK_ERR_INVALID;
    }
    top = d->height;
    rc = reserve(d, top + (long)rows, xbytes > d->stride ? xbytes : d->stride);
    if(rc != HK_OK)
        return rc;
    for(r = 0; r < rows; r++)
        memcpy(d->bits + ((size_t)top + r) * d->stride, h + 8 + r * xbytes, xbytes);
    d->height = top + (long)rows;
    d->pos += 8 + data;
    return HK_OK;
}

static hk_err_t decode_cut(decoder_t *d)
{
    hk_err_t rc = need(d, 3);
    uint8_t m;

    if(rc != HK_OK)
        return rc;
    m = d->buf[d->pos + 2];
    switch(m) {
    case 0:
    case 1:
    case 48:
    case 49:
        d->cuts++;
        d->pos += 3;
        return HK_OK;
    case 65:
    case 66:
    case 97:
    case 98:
    case 103:
    case 104:
        rc = need(d, 4);
        if(rc != HK_OK)
            return rc;
        rc = add_blank(d, d->buf[d->pos + 3]);
        d->cuts++;
        d->pos += 4;
        return rc;
    default:
        hk_diag_set(d->diag, "offset %zu: unknown command 0x1d 0x56 %u", d->pos, (unsigned)m);
        return HK_ERR_INVALID;
    }
}
