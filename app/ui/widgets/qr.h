/*
 * qr: a QR code (libqrencode, error correction M) as a module bitmap,
 * drawn black on white with the 4-module quiet zone scanners need.
 */
#ifndef HK_APP_UI_WIDGETS_QR_H
#define HK_APP_UI_WIDGETS_QR_H

#include <stdbool.h>
#include <stdint.h>

#include "gfx.h"
#include "hk_err.h"

#define UI_QR_MAX_MODULES 97 /* version 20: far more than a ticket URL */

typedef struct ui_qr {
    char text[256];
    int modules; /* side length; 0 = empty */
    uint8_t dark[UI_QR_MAX_MODULES * UI_QR_MAX_MODULES];
} ui_qr_t;

/**
 * Encode text (re-encodes only when it changed).
 * @return HK_ERR_INVALID when the text is empty or too long for the cap.
 */
hk_err_t ui_qr_set(ui_qr_t *q, const char *text);

/**
 * Draw inside a square of side size at (x, y), quiet zone included; the
 * module size is a whole number of pixels so every module is sharp.
 */
void ui_qr_draw(const ui_qr_t *q, gfx_t *g, int x, int y, int size);

#endif
