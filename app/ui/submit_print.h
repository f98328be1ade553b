/*
 * submit_print: the printed receipt of a submitted problem (issue 8.5):
 * the branch, the reference the customer keeps, the call-back number
 * masked (138****5678: never the number itself), the time, a QR code to
 * its status page and what happens next. Laid out like the ticket
 * (ticket_print.c): the screen's font on a canvas, thresholded to 1 bit.
 */
#ifndef HK_APP_UI_SUBMIT_PRINT_H
#define HK_APP_UI_SUBMIT_PRINT_H

#include <stdint.h>

#include "config.h"
#include "display.h"
#include "i18n.h"

/**
 * Render a receipt cfg->printer.width_dots wide.
 * @param ref, phone_masked  from the hub's receipt; url may be "" (no QR).
 * @param bits_out  hk_malloc'd raster (rows of (w+7)/8 bytes).
 * @param png_path  when not NULL, also save the greyscale as PNG.
 */
hk_err_t submit_print_render(font_set_t *fonts, const config_t *cfg, const char *ref,
                             const char *phone_masked, const char *url, i18n_lang_t lang,
                             int64_t wall_ms, uint8_t **bits_out, int *w_out, int *h_out,
                             const char *png_path);

#endif
