/*
 * ui: metric helpers shared by every screen.
 *
 * Screens are designed in units of a 1080x1920 portrait (or 1920x1080
 * landscape) panel and drawn at the panel's native pixels. The scale fits
 * that reference into the panel: the smaller of short/1080 and long/1920.
 * So a layout always has at least 1080 x 1920 design units and only ever
 * gains room along one axis: 3:4, 4:3 and 5:4 panels get taller (or, in
 * portrait, wider) rather than clipping a 16:9 design; 16:9 and 9:16 panels
 * scale exactly (1366x768: 0.711, 3840x2160: 2).
 */
#include "ui.h"

#include <stdio.h>

static float scale(const ui_model_t *m)
{
    int short_side = m->w < m->h ? m->w : m->h;
    int long_side = m->w < m->h ? m->h : m->w;
    float s = (float)short_side / 1080.0f, l = (float)long_side / 1920.0f;

    if(short_side <= 0)
        return 1.0f;
    return s < l ? s : l;
}

int ui_px(const ui_model_t *m, int base)
{
    return (int)((float)base * scale(m) + 0.5f);
}

int ui_font(const ui_model_t *m, int base)
{
    float f = (float)base * scale(m) * (m->large ? 1.3f : 1.0f);
    return f < 8.0f ? 8 : (int)(f + 0.5f);
}

bool ui_landscape(const ui_model_t *m)
{
    return m->w > m->h;
}

void ui_span_text(config_span_t span, char *buf, unsigned size)
{
    if(span.open_min < 0) {
        snprintf(buf, size, "-");
        return;
    }
    snprintf(buf, size, "%02d:%02d–%02d:%02d", span.open_min / 60, span.open_min % 60,
             span.close_min / 60, span.close_min % 60);
}

/* ---- FAQ/triage (issue 8, helper UI): themes ---------------------------- */

const ui_theme_t *ui_theme(const ui_model_t *m)
{
    static const ui_theme_t normal = {
        UI_COL_BG,    UI_COL_CARD,  0xE3ECF7u,    UI_COL_TEXT, UI_COL_MUTED, UI_COL_LINE,
        UI_COL_BRAND, UI_COL_WHITE, UI_COL_BRAND, 0xE1E6ECu,   false,
    };
    static const ui_theme_t contrast = {
        0x000000u, 0x000000u, 0x333300u, 0xFFFFFFu, 0xFFFFFFu, 0xFFFFFFu,
        0xFFE14Du, 0x000000u, 0x000000u, 0x000000u, true,
    };

    return m->contrast ? &contrast : &normal;
}

/* ---- high contrast for the palette's screens (issue 8.6, SELFHELP) ------- */

#define HC_YELLOW 0xFFE14Du

uint32_t ui_fill(const ui_model_t *m, uint32_t rgb)
{
    if(!m->contrast)
        return rgb;
    switch(rgb) {
    case UI_COL_BG:
    case UI_COL_CARD:
    case 0xE6EAEFu: /* a closed service's card */
    case 0xE1E6ECu: /* soft shadows */ return 0x000000u;
    case 0xE3ECF7u: /* a card while pressed */ return 0x333300u;
    case UI_COL_DISABLED: return 0x444444u;
    case UI_COL_LINE: /* separators and field edges: the theme's line */ return 0xFFFFFFu;
    default: return HC_YELLOW;
    }
}

uint32_t ui_ink(const ui_model_t *m, uint32_t rgb)
{
    if(!m->contrast)
        return rgb;
    switch(rgb) {
    case UI_COL_WHITE: /* on an accent, which turned yellow */ return 0x000000u;
    case UI_COL_TEXT:
    case UI_COL_MUTED:
    case UI_COL_LINE: return 0xFFFFFFu;
    /* hints and what cannot be used: grey, so an empty field's example
     * ("A001") never reads as typed (8:1 on black, still legible) */
    case UI_COL_DISABLED:
    case UI_COL_DISABLED_TX: return 0xA6A6A6u;
    default: return HC_YELLOW;
    }
}

uint32_t ui_fill_press(const ui_model_t *m, uint32_t rgb)
{
    return m->contrast ? HC_YELLOW : rgb;
}

uint32_t ui_ink_press(const ui_model_t *m, uint32_t rgb)
{
    return m->contrast ? 0x000000u : rgb;
}
