/*
 * qr: libqrencode to a module bitmap, and drawing it in horizontal runs
 * (one rectangle per run of dark modules, not per module).
 */
#include "qr.h"

#include <stdio.h>
#include <string.h>

#include <qrencode.h>

hk_err_t ui_qr_set(ui_qr_t *q, const char *text)
{
    QRcode *code;
    int i, n;

    if(!text || !*text || strlen(text) >= sizeof(q->text))
        return HK_ERR_INVALID;
    if(q->modules && !strcmp(q->text, text))
        return HK_OK;
    code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if(!code)
        return HK_ERR_NOMEM;
    n = code->width;
    if(n > UI_QR_MAX_MODULES) {
        QRcode_free(code);
        return HK_ERR_INVALID;
    }
    for(i = 0; i < n * n; i++)
        q->dark[i] = code->data[i] & 1;
    q->modules = n;
    snprintf(q->text, sizeof(q->text), "%s", text);
    QRcode_free(code);
    return HK_OK;
}

void ui_qr_draw(const ui_qr_t *q, gfx_t *g, int x, int y, int size)
{
    int total, mod, off, r, c;

    if(!q->modules)
        return;
    total = q->modules + 8;
    mod = size / total;
    if(mod < 1)
        mod = 1;
    off = (size - mod * total) / 2;
    gfx_fill_rect(g, gfx_rect(x, y, size, size), gfx_rgb(0xFFFFFF));
    x += off + 4 * mod;
    y += off + 4 * mod;
    for(r = 0; r < q->modules; r++) {
        c = 0;
        while(c < q->modules) {
            int start;
            if(!q->dark[r * q->modules + c]) {
                c++;
                continue;
            }
            start = c;
            while(c < q->modules && q->dark[r * q->modules + c])
                c++;
            gfx_fill_rect(g, gfx_rect(x + start * mod, y + r * mod, (c - start) * mod, mod),
                          gfx_rgb(0x000000));
        }
    }
}
