/*
 * hk_escpos2png: decode a file of ESC/POS bytes (what a printer backend
 * sent) into the image the printer would have put on paper, and write it
 * as a PNG a person can look at. `toolchain/dev run` uses it to show the
 * printer output next to the ticket image the app rendered.
 *
 * It does no printing and no layout: decoding is tests/support's
 * escpos_decode(), PNG writing is platform/display's gfx_bits_save_png().
 * A stream the decoder refuses is reported with the byte offset it names.
 *
 * usage: hk_escpos2png IN.escpos OUT.png
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "display.h"
#include "escpos_decode.h"
#include "hk_err.h"
#include "hk_mem.h"

/* A day of tickets is a few MB; refuse anything absurd before reading it. */
#define MAX_INPUT_BYTES ((long)64 * 1024 * 1024)

static hk_err_t read_file(const char *path, uint8_t **out, size_t *len_out);

int main(int argc, char **argv)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    escpos_image_t img;
    hk_diag_t diag;
    hk_err_t rc;
    int status = 1;

    memset(&img, 0, sizeof(img));
    if(argc != 3) {
        fprintf(stderr, "usage: hk_escpos2png IN.escpos OUT.png\n");
        return 2;
    }
    rc = read_file(argv[1], &buf, &len);
    if(rc != HK_OK)
        goto out; /* read_file said why */
    rc = escpos_decode(buf, len, &img, &diag);
    if(rc != HK_OK) {
        /* the decoder's message starts with "offset N: ..." */
        fprintf(stderr, "hk_escpos2png: %s: not valid ESC/POS output: %s\n", argv[1], diag.msg);
        goto out;
    }
    if(!img.bits || img.width <= 0 || img.height <= 0) {
        fprintf(stderr, "hk_escpos2png: %s: %zu bytes but no raster image in them\n", argv[1], len);
        goto out;
    }
    rc = gfx_bits_save_png(img.bits, img.width, img.height, argv[2]);
    if(rc != HK_OK) {
        fprintf(stderr, "hk_escpos2png: cannot write %s: %s\n", argv[2], hk_err_str(rc));
        goto out;
    }
    printf("hk_escpos2png: %s: %d ticket(s), %d cut(s), %d x %d dots -> %s\n", argv[1], img.tickets,
           img.cuts, img.width, img.height, argv[2]);
    status = 0;
out:
    escpos_image_fini(&img);
    hk_free(buf);
    return status;
}

static hk_err_t read_file(const char *path, uint8_t **out, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long size;
    hk_err_t rc = HK_OK;

    *out = NULL;
    *len_out = 0;
    if(!f) {
        fprintf(stderr, "hk_escpos2png: cannot open %s: %s\n", path, strerror(errno));
        return HK_ERR_IO;
    }
    if(fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "hk_escpos2png: cannot size %s: %s\n", path, strerror(errno));
        rc = HK_ERR_IO;
        goto out;
    }
    if(size > MAX_INPUT_BYTES) {
        fprintf(stderr, "hk_escpos2png: %s: %ld bytes is more than the %ld-byte limit\n", path,
                size, MAX_INPUT_BYTES);
        rc = HK_ERR_INVALID;
        goto out;
    }
    buf = hk_malloc(size > 0 ? (size_t)size : 1);
    if(!buf) {
        fprintf(stderr, "hk_escpos2png: out of memory reading %s\n", path);
        rc = HK_ERR_NOMEM;
        goto out;
    }
    if(size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "hk_escpos2png: short read on %s\n", path);
        rc = HK_ERR_IO;
        goto out;
    }
    *out = buf;
    *len_out = (size_t)size;
    buf = NULL;
out:
    hk_free(buf);
    fclose(f);
    return rc;
}
