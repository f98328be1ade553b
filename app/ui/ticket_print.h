/*
 * ticket_print: the printed ticket. Lays the ticket out on a gfx canvas
 * with the screen's own font (so Chinese prints on any ESC/POS printer,
 * whatever its code page), then thresholds it to the 1-bit raster the
 * printer layer sends as GS v 0. Also builds the ticket's status URL.
 */
#ifndef HK_APP_UI_TICKET_PRINT_H
#define HK_APP_UI_TICKET_PRINT_H

#include <stdint.h>

#include "config.h"
#include "display.h"
#include "i18n.h"
#include "queue.h"

/**
 * The ticket status URL from cfg->ticket_url_template (ticket_url_build()
 * in core, shared with the hub and the central server). Always
 * NUL-terminated; "" (no QR code) when the URL does not fit, never cut.
 */
void ticket_print_url(const config_t *cfg, const ticket_t *t, char *buf, unsigned size);

/** "YYYY-MM-DD HH:MM", the local issue time shown on screen and paper. */
void ticket_print_issued_text(const config_t *cfg, const ticket_t *t, char *buf, unsigned size);

/**
 * Render a ticket to a 1-bit raster cfg->printer.width_dots wide.
 * @param bits_out   hk_malloc'd raster (free with hk_free); rows of (w+7)/8.
 * @param png_path   when not NULL, also save the rendered greyscale as PNG.
 */
hk_err_t ticket_print_render(font_set_t *fonts, const config_t *cfg, const ticket_t *t,
                             i18n_lang_t lang, uint8_t **bits_out, int *w_out, int *h_out,
                             const char *png_path);

#endif
