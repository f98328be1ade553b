/*
 * ui: metric helpers shared by every screen.
 */
#include "ui.h"

#include <stdio.h>

static float scale(const ui_model_t *m)
{
    int short_side = m->w < m->h ? m->w : m->h;
    return (float)short_side / 1080.0f;
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
