/*
 * test_printer_file: the file backend that CI and scripted runs print to.
 * Tickets append (two tickets decode as two ESC @ and two cuts), status is
 * UNKNOWN for a writable path and OFFLINE for one that cannot be opened,
 * a FIFO without a reader does not block, and open survives OOM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escpos_decode.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "printer.h"

void setUp(void)
{
}

void tearDown(void)
{
    hk_mem_fail_nth(0);
}

/* width: a multiple of 8 here, so there are no padding bits to clear. */
static uint8_t *make_bits(int width, int height, uint8_t first)
{
    size_t n = (size_t)(width / 8) * (size_t)height, i;
    uint8_t *bits = hk_malloc(n);

    HK_ASSERT(bits != NULL);
    for(i = 0; i < n; i++)
        bits[i] = (uint8_t)(i * 29u + 7u);
    bits[0] = first;
    return bits;
}

/* Read a whole file into malloc'd memory. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    HK_ASSERT_MSG(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    HK_ASSERT(buf != NULL);
    HK_ASSERT_INT(n, fread(buf, 1, (size_t)n, f));
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void test_two_tickets_append_as_two_inits_and_two_cuts(void)
{
    char path[1024];
    printer_t *p = NULL;
    uint8_t *a = make_bits(384, 100, 0xA5);
    uint8_t *b = make_bits(384, 200, 0x5A);
    uint8_t *buf;
    size_t len = 0;
    escpos_image_t img;
    hk_diag_t diag;
    int second_top = -1, y;

    snprintf(path, sizeof(path), "%s", hk_test_path("tickets.escpos"));
    HK_ASSERT_OK(printer_open("file", path, &p));
    HK_ASSERT_OK(printer_print_raster(p, a, 384, 100));
    HK_ASSERT_OK(printer_print_raster(p, b, 384, 200));
    printer_destroy(p);

    buf = slurp(path, &len);
    HK_ASSERT_MSG(escpos_decode(buf, len, &img, &diag) == HK_OK, "%s", diag.msg);
    free(buf);
    HK_ASSERT_INT(2, img.tickets);
    HK_ASSERT_INT(2, img.cuts);
    HK_ASSERT_INT(384, img.width);
    HK_ASSERT_INT(0, memcmp(img.bits, a, 48 * 100));
    /* The second ticket follows the first one's blank feed. */
    for(y = 100; y < img.height; y++) {
        if(img.bits[(size_t)y * 48] == 0x5A) {
            second_top = y;
            break;
        }
    }
    HK_ASSERT(second_top > 100);
    HK_ASSERT_INT(0, memcmp(img.bits + (size_t)second_top * 48, b, 48 * 200));
    escpos_image_fini(&img);
    hk_free(a);
    hk_free(b);
}

static void test_reopened_printer_appends_not_truncates(void)
{
    char path[1024];
    printer_t *p = NULL;
    uint8_t *bits = make_bits(64, 10, 1);
    uint8_t *buf;
    size_t len = 0;
    escpos_image_t img;
    int i;

    snprintf(path, sizeof(path), "%s", hk_test_path("append.escpos"));
    for(i = 0; i < 3; i++) {
        HK_ASSERT_OK(printer_open("file", path, &p));
        HK_ASSERT_OK(printer_print_raster(p, bits, 64, 10));
        printer_destroy(p);
    }
    buf = slurp(path, &len);
    HK_ASSERT_OK(escpos_decode(buf, len, &img, NULL));
    free(buf);
    HK_ASSERT_INT(3, img.tickets);
    HK_ASSERT_INT(3, img.cuts);
    escpos_image_fini(&img);
    hk_free(bits);
}

static void test_writable_path_reads_unknown(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;

    HK_ASSERT_OK(printer_open("file", hk_test_path("status.escpos"), &p));
    HK_ASSERT_OK(printer_status(p, 100, &st));
    HK_ASSERT_STR("unknown", printer_status_str(st));
    printer_destroy(p);
}

static void test_unwritable_path_reads_offline_and_print_fails_hw(void)
{
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    uint8_t *bits = make_bits(64, 4, 1);
    const char *bad[2];
    int i;

    /* (Tests may run as root, so a missing directory, not a mode bit.) */
    bad[0] = "/nonexistent-hallkiosk-dir/ticket.escpos";
    bad[1] = hk_test_tmpdir(); /* a directory: EISDIR */
    for(i = 0; i < 2; i++) {
        HK_ASSERT_OK(printer_open("file", bad[i], &p));
        HK_ASSERT_OK(printer_status(p, 100, &st));
        HK_ASSERT_STR("offline", printer_status_str(st));
        HK_ASSERT_INT(HK_ERR_HW, printer_print_raster(p, bits, 64, 4));
        printer_destroy(p);
    }
    hk_free(bits);
}

static void test_fifo_without_reader_is_offline_not_a_hang(void)
{
    char path[1024];
    printer_t *p = NULL;
    printer_status_t st = PRINTER_STATUS_OK;
    uint8_t *bits = make_bits(64, 4, 1);
    time_t t0 = time(NULL);

    snprintf(path, sizeof(path), "%s", hk_test_path("fifo"));
    HK_ASSERT_OK(mkfifo(path, 0600));
    HK_ASSERT_OK(printer_open("file", path, &p));
    HK_ASSERT_OK(printer_status(p, 100, &st));
    HK_ASSERT_STR("offline", printer_status_str(st));
    HK_ASSERT_INT(HK_ERR_HW, printer_print_raster(p, bits, 64, 4));
    HK_ASSERT(time(NULL) - t0 < 3);
    printer_destroy(p);
    hk_free(bits);
}

static void test_open_reports_nomem_at_every_allocation_without_leaking(void)
{
    long n;

    for(n = 1; n < 20; n++) {
        printer_t *p = (printer_t *)&n;
        hk_err_t rc;

        hk_mem_fail_nth(n);
        rc = printer_open("file", hk_test_path("oom.escpos"), &p);
        hk_mem_fail_nth(0);
        if(rc == HK_OK) {
            printer_destroy(p);
            HK_ASSERT(n > 1);
            return;
        }
        HK_ASSERT_INT(HK_ERR_NOMEM, rc);
        HK_ASSERT(p == NULL);
    }
    HK_ASSERT_MSG(0, "printer_open never succeeded");
}

int main(void)
{
    HK_RUN(test_two_tickets_append_as_two_inits_and_two_cuts);
    HK_RUN(test_reopened_printer_appends_not_truncates);
    HK_RUN(test_writable_path_reads_unknown);
    HK_RUN(test_unwritable_path_reads_offline_and_print_fails_hw);
    HK_RUN(test_fifo_without_reader_is_offline_not_a_hang);
    HK_RUN(test_open_reports_nomem_at_every_allocation_without_leaking);
    return hk_test_end();
}
