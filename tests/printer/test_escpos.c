/*
 * test_escpos: the ESC/POS encoder against the test decoder (round trips at
 * awkward sizes, banding, margins, cut), status byte decoding, argument
 * checks, the generic printer_print_raster() path through custom ops, and
 * the decoder's own refusals.
 */
#include <stdio.h>
#include <stdlib.h>

#include "escpos.h"
#include "escpos_decode.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "printer.h"

typedef struct capture {
    uint8_t *buf;
    size_t len;
    int writes;
    hk_err_t fail_with; /* HK_OK = accept writes */
} capture_t;

void setUp(void)
{
}

void tearDown(void)
{
    hk_mem_fail_nth(0);
}

static size_t row_bytes(int width)
{
    return ((size_t)width + 7) / 8;
}

/* Deterministic pattern; dots past width stay clear, as a renderer leaves them. */
static uint8_t *make_bits(int width, int height, uint32_t seed)
{
    size_t rb = row_bytes(width), i;
    uint8_t *bits = hk_malloc(rb * (size_t)height);
    uint8_t tail = (uint8_t)(0xFFu << ((8 - width % 8) % 8));
    int y;

    HK_ASSERT(bits != NULL);
    for(i = 0; i < rb * (size_t)height; i++) {
        seed = seed * 1103515245u + 12345u;
        bits[i] = (uint8_t)(seed >> 16);
    }
    for(y = 0; y < height; y++)
        bits[(size_t)y * rb + rb - 1] &= tail;
    return bits;
}

static void assert_round_trip(int width, int height)
{
    uint8_t *bits = make_bits(width, height, (uint32_t)(width * 7919 + height));
    uint8_t *enc = NULL;
    size_t enc_len = 0, rb = row_bytes(width), dec_rb;
    escpos_image_t img;
    hk_diag_t diag;
    int y;

    HK_ASSERT_OK(escpos_encode_ticket(bits, width, height, &enc, &enc_len));
    HK_ASSERT_MSG(escpos_decode(enc, enc_len, &img, &diag) == HK_OK, "%dx%d: %s", width, height,
                  diag.msg);
    HK_ASSERT_INT((width + 7) / 8 * 8, img.width);
    HK_ASSERT_INT(1, img.tickets);
    HK_ASSERT_INT(1, img.cuts);
    HK_ASSERT_MSG(img.height > height, "%dx%d: no feed before the cut", width, height);
    dec_rb = (size_t)img.width / 8;
    HK_ASSERT_INT(rb, dec_rb);
    for(y = 0; y < height; y++)
        HK_ASSERT_MSG(memcmp(img.bits + (size_t)y * dec_rb, bits + (size_t)y * rb, rb) == 0,
                      "%dx%d: row %d differs", width, height, y);
    for(y = height; y < img.height; y++) {
        size_t i;
        for(i = 0; i < dec_rb; i++)
            HK_ASSERT_MSG(img.bits[(size_t)y * dec_rb + i] == 0, "%dx%d: feed row %d not blank",
                          width, height, y);
    }
    escpos_image_fini(&img);
    hk_free(enc);
    hk_free(bits);
}

static hk_err_t capture_write(void *impl, const uint8_t *buf, size_t len)
{
    capture_t *c = impl;
    uint8_t *p;

    c->writes++;
    if(c->fail_with != HK_OK)
        return c->fail_with;
    p = realloc(c->buf, c->len + len);
    HK_ASSERT(p != NULL);
    memcpy(p + c->len, buf, len);
    c->buf = p;
    c->len += len;
    return HK_OK;
}

static hk_err_t capture_status(void *impl, int timeout_ms, printer_status_t *out)
{
    (void)impl;
    (void)timeout_ms;
    *out = PRINTER_STATUS_PAPER_LOW;
    return HK_OK;
}

static const printer_ops_t capture_ops = { capture_write, capture_status, NULL };

static void test_round_trip_equals_input_at_many_sizes(void)
{
    static const int sizes[][2] = {
        { 8, 1 },     { 384, 50 }, { 576, 128 }, { 576, 129 },  { 13, 300 },
        { 100, 257 }, { 2040, 3 }, { 9, 1 },     { 575, 1000 },
    };
    size_t i;

    for(i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        assert_round_trip(sizes[i][0], sizes[i][1]);
}

static void test_ticket_is_init_bands_feed_then_partial_cut(void)
{
    int width = 576, height = 300, bands = 0, rows_total = 0;
    uint8_t *bits = make_bits(width, height, 1);
    uint8_t *enc = NULL;
    size_t len = 0, pos = 2;

    HK_ASSERT_OK(escpos_encode_ticket(bits, width, height, &enc, &len));
    HK_ASSERT(len > 9);
    HK_ASSERT_INT(0x1B, enc[0]);
    HK_ASSERT_INT('@', enc[1]);
    /* GS v 0 blocks of at most ESCPOS_BAND_ROWS rows, xL/xH in bytes. */
    while(pos + 8 <= len && enc[pos] == 0x1D && enc[pos + 1] == 'v') {
        int xb = enc[pos + 4] | enc[pos + 5] << 8, rows = enc[pos + 6] | enc[pos + 7] << 8;
        HK_ASSERT_INT('0', enc[pos + 2]);
        HK_ASSERT_INT(0, enc[pos + 3]);
        HK_ASSERT_INT(72, xb);
        HK_ASSERT(rows >= 1 && rows <= ESCPOS_BAND_ROWS);
        rows_total += rows;
        bands++;
        pos += 8 + (size_t)xb * (size_t)rows;
    }
    HK_ASSERT_INT(3, bands);
    HK_ASSERT_INT(height, rows_total);
    /* ESC d n (n >= 1) so the image clears the head, then GS V 66 0. */
    HK_ASSERT_INT(pos + 7, len);
    HK_ASSERT_INT(0x1B, enc[pos]);
    HK_ASSERT_INT('d', enc[pos + 1]);
    HK_ASSERT(enc[pos + 2] >= 1);
    HK_ASSERT_INT(0x1D, enc[pos + 3]);
    HK_ASSERT_INT('V', enc[pos + 4]);
    HK_ASSERT_INT(66, enc[pos + 5]);
    HK_ASSERT_INT(0, enc[pos + 6]);
    hk_free(enc);
    hk_free(bits);
}

static void test_dots_past_width_are_never_printed(void)
{
    int width = 13, height = 4, y;
    uint8_t *bits = hk_malloc(2 * (size_t)height);
    uint8_t *enc = NULL;
    size_t len = 0;
    escpos_image_t img;

    HK_ASSERT(bits != NULL);
    memset(bits, 0xFF, 2 * (size_t)height); /* padding bits set on purpose */
    HK_ASSERT_OK(escpos_encode_ticket(bits, width, height, &enc, &len));
    HK_ASSERT_OK(escpos_decode(enc, len, &img, NULL));
    for(y = 0; y < height; y++) {
        HK_ASSERT_INT(0xFF, img.bits[y * 2]);
        HK_ASSERT_INT(0xF8, img.bits[y * 2 + 1]); /* 5 dots, 3 cleared */
    }
    escpos_image_fini(&img);
    hk_free(enc);
    hk_free(bits);
}

static void test_encode_refuses_invalid_arguments(void)
{
    uint8_t *bits = make_bits(2048, 2, 3);
    uint8_t *enc = (uint8_t *)bits; /* must be reset to NULL on failure */
    size_t len = 0;

    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(NULL, 8, 1, &enc, &len));
    HK_ASSERT(enc == NULL);
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 7, 1, &enc, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 2041, 1, &enc, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 8, 0, &enc, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 8, 65536, &enc, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 8, -1, &enc, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 8, 1, NULL, &len));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_encode_ticket(bits, 8, 1, &enc, NULL));
    HK_ASSERT(enc == NULL);
    hk_free(bits);
}

static void test_encode_reports_out_of_memory(void)
{
    uint8_t *bits = make_bits(64, 8, 4);
    uint8_t *enc = NULL;
    size_t len = 0;

    hk_mem_fail_nth(1);
    HK_ASSERT_INT(HK_ERR_NOMEM, escpos_encode_ticket(bits, 64, 8, &enc, &len));
    hk_mem_fail_nth(0);
    HK_ASSERT(enc == NULL);
    hk_free(bits);
}

static void test_paper_sensor_reply_decodes_per_epson_table(void)
{
    HK_ASSERT_INT(PRINTER_STATUS_OK, escpos_decode_paper_status(0x12));
    HK_ASSERT_INT(PRINTER_STATUS_PAPER_LOW, escpos_decode_paper_status(0x1E));
    HK_ASSERT_INT(PRINTER_STATUS_PAPER_OUT, escpos_decode_paper_status(0x72));
    HK_ASSERT_INT(PRINTER_STATUS_PAPER_OUT, escpos_decode_paper_status(0x7E));
    /* not a status byte: fixed bits wrong */
    HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, escpos_decode_paper_status(0x00));
    HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, escpos_decode_paper_status(0xFF));
    HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, escpos_decode_paper_status(0x60));
}

static void test_printer_status_reply_offline_on_bit_3(void)
{
    HK_ASSERT_INT(PRINTER_STATUS_OK, escpos_decode_printer_status(0x12));
    HK_ASSERT_INT(PRINTER_STATUS_OK, escpos_decode_printer_status(0x16)); /* drawer pin */
    HK_ASSERT_INT(PRINTER_STATUS_OFFLINE, escpos_decode_printer_status(0x1A));
    HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, escpos_decode_printer_status(0x08));
}

static void test_offline_cause_reply_names_cover_and_paper(void)
{
    HK_ASSERT_INT(PRINTER_STATUS_OK, escpos_decode_offline_status(0x12));
    HK_ASSERT_INT(PRINTER_STATUS_COVER_OPEN, escpos_decode_offline_status(0x16));
    HK_ASSERT_INT(PRINTER_STATUS_PAPER_OUT, escpos_decode_offline_status(0x32));
    HK_ASSERT_INT(PRINTER_STATUS_OFFLINE, escpos_decode_offline_status(0x52));
    HK_ASSERT_INT(PRINTER_STATUS_OK, escpos_decode_offline_status(0x1A)); /* feed button */
    HK_ASSERT_INT(PRINTER_STATUS_UNKNOWN, escpos_decode_offline_status(0x80));
}

static void test_status_request_is_dle_eot_n(void)
{
    uint8_t req[3];

    escpos_status_request(ESCPOS_STATUS_PAPER, req);
    HK_ASSERT_INT(0x10, req[0]);
    HK_ASSERT_INT(0x04, req[1]);
    HK_ASSERT_INT(4, req[2]);
}

static void test_status_codes_are_stable_strings(void)
{
    HK_ASSERT_STR("ok", printer_status_str(PRINTER_STATUS_OK));
    HK_ASSERT_STR("paper_low", printer_status_str(PRINTER_STATUS_PAPER_LOW));
    HK_ASSERT_STR("paper_out", printer_status_str(PRINTER_STATUS_PAPER_OUT));
    HK_ASSERT_STR("cover_open", printer_status_str(PRINTER_STATUS_COVER_OPEN));
    HK_ASSERT_STR("offline", printer_status_str(PRINTER_STATUS_OFFLINE));
    HK_ASSERT_STR("unknown", printer_status_str(PRINTER_STATUS_UNKNOWN));
    HK_ASSERT_STR("unknown", printer_status_str((printer_status_t)42));
}

static void test_print_raster_sends_one_encoded_ticket_through_ops(void)
{
    capture_t cap = { NULL, 0, 0, HK_OK };
    printer_t *p = NULL;
    uint8_t *bits = make_bits(200, 140, 5);
    escpos_image_t img;
    printer_status_t st = PRINTER_STATUS_OK;

    HK_ASSERT_OK(printer_create(&capture_ops, &cap, &p));
    HK_ASSERT_OK(printer_print_raster(p, bits, 200, 140));
    HK_ASSERT_INT(1, cap.writes);
    HK_ASSERT_OK(escpos_decode(cap.buf, cap.len, &img, NULL));
    HK_ASSERT_INT(1, img.tickets);
    HK_ASSERT_INT(0, memcmp(img.bits, bits, 25 * 140));
    HK_ASSERT_OK(printer_status(p, 10, &st));
    HK_ASSERT_INT(PRINTER_STATUS_PAPER_LOW, st);
    escpos_image_fini(&img);
    printer_destroy(p);
    free(cap.buf);
    hk_free(bits);
}

static void test_print_raster_maps_write_failure_to_hw_and_refuses_bad_size(void)
{
    capture_t cap = { NULL, 0, 0, HK_ERR_IO };
    printer_t *p = NULL;
    uint8_t *bits = make_bits(64, 2, 6);

    HK_ASSERT_OK(printer_create(&capture_ops, &cap, &p));
    HK_ASSERT_INT(HK_ERR_HW, printer_print_raster(p, bits, 64, 2));
    HK_ASSERT_INT(1, cap.writes);
    HK_ASSERT_INT(HK_ERR_INVALID, printer_print_raster(p, bits, 4, 2));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_print_raster(p, NULL, 64, 2));
    HK_ASSERT_INT(1, cap.writes); /* refused before any write */
    printer_destroy(p);
    printer_destroy(NULL);
    hk_free(bits);
}

static void test_open_refuses_unknown_kind_and_bad_targets(void)
{
    printer_t *p = (printer_t *)&p;

    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("serial", "/dev/ttyS0", &p));
    HK_ASSERT(p == NULL);
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("file", "", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open(NULL, "x", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("tcp", "host:0", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("tcp", "host:99999", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("tcp", ":9100", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("tcp", "::1", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("tcp", "[::1", &p));
    HK_ASSERT_INT(HK_ERR_INVALID, printer_open("tcp", "host:91x", &p));
    HK_ASSERT_OK(printer_open("tcp", "[::1]:9100", &p));
    printer_destroy(p);
    HK_ASSERT_OK(printer_open("tcp", "printer.local", &p));
    printer_destroy(p);
    HK_ASSERT_INT(HK_ERR_INVALID, printer_create(NULL, NULL, &p));
    HK_ASSERT(p == NULL);
}

static void test_decoder_names_offset_of_unknown_command(void)
{
    static const uint8_t stream[] = { 0x1B, '@', 'A' };
    static const uint8_t esc_t[] = { 0x1B, '@', 0x0A, 0x1B, 't', 0 };
    escpos_image_t img;
    hk_diag_t diag;

    HK_ASSERT_INT(HK_ERR_INVALID, escpos_decode(stream, sizeof(stream), &img, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "offset 2: unknown command 0x41");
    HK_ASSERT(img.bits == NULL);
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_decode(esc_t, sizeof(esc_t), &img, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "offset 3: unknown command 0x1b 0x74");
}

static void test_decoder_refuses_truncated_streams_without_leaking(void)
{
    uint8_t *bits = make_bits(40, 20, 7);
    uint8_t *enc = NULL;
    size_t len = 0, cut;
    escpos_image_t img;
    hk_diag_t diag;

    HK_ASSERT_OK(escpos_encode_ticket(bits, 40, 20, &enc, &len));
    /* Every proper prefix ending inside a command must fail cleanly. */
    for(cut = 0; cut < len; cut++) {
        hk_err_t rc = escpos_decode(enc, cut, &img, &diag);
        if(rc == HK_OK)
            escpos_image_fini(&img);
        else
            HK_ASSERT_CONTAINS(diag.msg, "offset");
    }
    hk_free(enc);
    hk_free(bits);
}

static void test_decoder_feeds_cuts_and_ignores_status_requests(void)
{
    static const uint8_t stream[] = {
        0x1B, '@',  0x10, 0x04, 0x04, 0x1D, 'v',  '0', 48, 1, 0,    2,
        0,    0x80, 0x01,                                                 /* 8 dots x 2 rows */
        0x0A,                                                             /* 30 rows */
        0x1B, 'd',  2,                                                    /* 60 rows */
        0x1B, 'J',  5,                                                    /* 5 rows */
        0x1D, 'V',  0,    0x1D, 'V',  49,   0x1D, 'V', 65, 3,             /* 3 rows */
        0x1B, '@',  0x1D, 'v',  '0',  0,    2,    0,   1,  0, 0xAA, 0x55, /* 16 dots x 1 row */
    };
    escpos_image_t img;
    hk_diag_t diag;

    HK_ASSERT_MSG(escpos_decode(stream, sizeof(stream), &img, &diag) == HK_OK, "%s", diag.msg);
    HK_ASSERT_INT(2, img.tickets);
    HK_ASSERT_INT(3, img.cuts);
    HK_ASSERT_INT(16, img.width); /* widest raster */
    HK_ASSERT_INT(2 + 30 + 60 + 5 + 3 + 1, img.height);
    /* earlier rows re-laid at the wider stride, left-aligned */
    HK_ASSERT_INT(0x80, img.bits[0]);
    HK_ASSERT_INT(0x00, img.bits[1]);
    HK_ASSERT_INT(0x01, img.bits[2]);
    HK_ASSERT_INT(0x00, img.bits[3]);
    HK_ASSERT_INT(0xAA, img.bits[(size_t)(img.height - 1) * 2]);
    HK_ASSERT_INT(0x55, img.bits[(size_t)(img.height - 1) * 2 + 1]);
    escpos_image_fini(&img);
}

static void test_decoder_refuses_oversized_and_empty_rasters(void)
{
    static const uint8_t empty[] = { 0x1D, 'v', '0', 0, 0, 0, 5, 0 };
    static const uint8_t huge[] = { 0x1D, 'v', '0', 0, 0xFF, 0xFF, 0xFF, 0xFF, 0 };
    uint8_t *tall = hk_malloc(3 * 40000);
    size_t i;
    escpos_image_t img;
    hk_diag_t diag;

    HK_ASSERT_INT(HK_ERR_INVALID, escpos_decode(empty, sizeof(empty), &img, &diag));
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_decode(huge, sizeof(huge), &img, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "data bytes");
    /* 40000 x ESC d 255 = 306M rows: refused by the row cap, not allocated */
    HK_ASSERT(tall != NULL);
    for(i = 0; i < 40000; i++) {
        tall[i * 3] = 0x1B;
        tall[i * 3 + 1] = 'd';
        tall[i * 3 + 2] = 255;
    }
    HK_ASSERT_INT(HK_ERR_INVALID, escpos_decode(tall, 3 * 40000, &img, &diag));
    HK_ASSERT_CONTAINS(diag.msg, "taller");
    HK_ASSERT_OK(escpos_decode(tall, 0, &img, &diag));
    HK_ASSERT_INT(0, img.height);
    HK_ASSERT(img.bits == NULL);
    hk_free(tall);
}

int main(void)
{
    HK_RUN(test_round_trip_equals_input_at_many_sizes);
    HK_RUN(test_ticket_is_init_bands_feed_then_partial_cut);
    HK_RUN(test_dots_past_width_are_never_printed);
    HK_RUN(test_encode_refuses_invalid_arguments);
    HK_RUN(test_encode_reports_out_of_memory);
    HK_RUN(test_paper_sensor_reply_decodes_per_epson_table);
    HK_RUN(test_printer_status_reply_offline_on_bit_3);
    HK_RUN(test_offline_cause_reply_names_cover_and_paper);
    HK_RUN(test_status_request_is_dle_eot_n);
    HK_RUN(test_status_codes_are_stable_strings);
    HK_RUN(test_print_raster_sends_one_encoded_ticket_through_ops);
    HK_RUN(test_print_raster_maps_write_failure_to_hw_and_refuses_bad_size);
    HK_RUN(test_open_refuses_unknown_kind_and_bad_targets);
    HK_RUN(test_decoder_names_offset_of_unknown_command);
    HK_RUN(test_decoder_refuses_truncated_streams_without_leaking);
    HK_RUN(test_decoder_feeds_cuts_and_ignores_status_requests);
    HK_RUN(test_decoder_refuses_oversized_and_empty_rasters);
    return hk_test_end();
}
