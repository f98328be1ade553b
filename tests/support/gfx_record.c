/*
 * gfx_record: the recording gfx_t for in-process screen tests. It keeps a
 * fixed-capacity list of ops (allocated once, so a draw never allocates)
 * and answers the questions tests ask of it. It does not rasterise and
 * does not apply the clip: a test sees what a screen asked to draw.
 */
#include "gfx_record.h"

#include <stdio.h>
#include <string.h>

#include "hk_mem.h"

#define CAPACITY 8192 /* a QR code alone is several hundred rects */

struct gfx_rec {
    gfx_t g;
    size_t n, dropped;
    gfx_rec_op_t *ops;
};

/* Static prototypes -------------------------------------------------------*/

static size_t strip(const char *s, char *out, size_t size);
static gfx_rec_op_t *add(gfx_rec_t *r, gfx_rec_kind_t kind);
static void measure(int size_px, const char *s, size_t len, int *w, int *h);
static void op_fill_rect(void *impl, gfx_rect_t rect, gfx_color_t c);
static void op_fill_round_rect(void *impl, gfx_rect_t rect, int radius, gfx_color_t c);
static void op_text_size(void *impl, gfx_weight_t wt, int size_px, const char *utf8, size_t len,
                         int *w_out, int *h_out);
static void op_draw_text(void *impl, gfx_weight_t wt, int size_px, gfx_color_t c, int x, int y,
                         const char *utf8, size_t len);
static void op_set_clip(void *impl, const gfx_rect_t *rect);

/* Static data -------------------------------------------------------------*/

static const gfx_ops_t rec_ops = {
    op_fill_rect, op_fill_round_rect, op_text_size, op_draw_text, op_set_clip,
};

/* Public functions --------------------------------------------------------*/

hk_err_t gfx_rec_create(int w, int h, gfx_rec_t **out)
{
    gfx_rec_t *r;

    *out = NULL;
    r = hk_calloc(1, sizeof(*r));
    if(!r)
        return HK_ERR_NOMEM;
    r->ops = hk_calloc(CAPACITY, sizeof(*r->ops));
    if(!r->ops) {
        hk_free(r);
        return HK_ERR_NOMEM;
    }
    r->g.ops = &rec_ops;
    r->g.impl = r;
    r->g.width = w;
    r->g.height = h;
    *out = r;
    return HK_OK;
}

void gfx_rec_destroy(gfx_rec_t *r)
{
    if(!r)
        return;
    hk_free(r->ops);
    hk_free(r);
}

gfx_t *gfx_rec_gfx(gfx_rec_t *r)
{
    return &r->g;
}

void gfx_rec_clear(gfx_rec_t *r)
{
    r->n = 0;
    r->dropped = 0;
}

size_t gfx_rec_count(const gfx_rec_t *r)
{
    return r->n;
}

size_t gfx_rec_dropped(const gfx_rec_t *r)
{
    return r->dropped;
}

const gfx_rec_op_t *gfx_rec_op(const gfx_rec_t *r, size_t i)
{
    return i < r->n ? &r->ops[i] : NULL;
}

bool gfx_rec_shows(const gfx_rec_t *r, const char *text)
{
    char want[GFX_REC_TEXT_MAX * 2];
    char *all;
    size_t i, n = 0, cap = r->n * GFX_REC_TEXT_MAX + 1;
    bool found;

    if(!strip(text, want, sizeof(want)))
        return true;
    all = hk_malloc(cap);
    if(!all)
        return false;
    all[0] = '\0';
    for(i = 0; i < r->n; i++)
        if(r->ops[i].kind == GFX_REC_TEXT)
            n += strip(r->ops[i].text, all + n, cap - n);
    found = strstr(all, want) != NULL;
    hk_free(all);
    return found;
}

const gfx_rec_op_t *gfx_rec_find_text(const gfx_rec_t *r, const char *text)
{
    char want[GFX_REC_TEXT_MAX * 2], have[GFX_REC_TEXT_MAX];
    const gfx_rec_op_t *best = NULL;
    size_t i, best_len = 0;

    strip(text, want, sizeof(want));
    for(i = 0; i < r->n; i++) {
        size_t len;
        if(r->ops[i].kind != GFX_REC_TEXT)
            continue;
        len = strip(r->ops[i].text, have, sizeof(have));
        if(!len || strncmp(want, have, len) != 0)
            continue;
        if(!want[len])
            return &r->ops[i]; /* the whole text in one op */
        if(len > best_len) {
            best = &r->ops[i];
            best_len = len;
        }
    }
    return best;
}

int gfx_rec_max_text_px(const gfx_rec_t *r)
{
    int px = 0;
    size_t i;

    for(i = 0; i < r->n; i++)
        if(r->ops[i].kind == GFX_REC_TEXT && r->ops[i].size_px > px)
            px = r->ops[i].size_px;
    return px;
}

/* Static functions --------------------------------------------------------*/

/* Copy s without ASCII spaces and newlines into out (size bytes). */
static size_t strip(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for(; *s && n + 1 < size; s++)
        if(*s != ' ' && *s != '\n')
            out[n++] = *s;
    out[n] = '\0';
    return n;
}

static gfx_rec_op_t *add(gfx_rec_t *r, gfx_rec_kind_t kind)
{
    gfx_rec_op_t *op;

    if(r->n >= CAPACITY) {
        r->dropped++;
        return NULL;
    }
    op = &r->ops[r->n++];
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    return op;
}

/* The fake metrics: ASCII 0.55 em, anything else 1 em; 1.3 em lines. */
static void measure(int size_px, const char *s, size_t len, int *w, int *h)
{
    size_t i;
    int narrow = 0, wide = 0;

    for(i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if(c < 0x80)
            narrow++;
        else if((c & 0xC0) != 0x80)
            wide++; /* a lead byte: one character */
    }
    if(w)
        *w = (narrow * size_px * 55 + 50) / 100 + wide * size_px;
    if(h)
        *h = size_px * 13 / 10;
}

static void op_fill_rect(void *impl, gfx_rect_t rect, gfx_color_t c)
{
    gfx_rec_op_t *op = add(impl, GFX_REC_RECT);

    if(op) {
        op->rect = rect;
        op->color = c;
    }
}

static void op_fill_round_rect(void *impl, gfx_rect_t rect, int radius, gfx_color_t c)
{
    gfx_rec_op_t *op = add(impl, GFX_REC_ROUND_RECT);

    if(op) {
        op->rect = rect;
        op->radius = radius;
        op->color = c;
    }
}

static void op_text_size(void *impl, gfx_weight_t wt, int size_px, const char *utf8, size_t len,
                         int *w_out, int *h_out)
{
    (void)impl; /* metrics depend on nothing the recorder holds */
    (void)wt;
    measure(size_px, utf8, len, w_out, h_out);
}

static void op_draw_text(void *impl, gfx_weight_t wt, int size_px, gfx_color_t c, int x, int y,
                         const char *utf8, size_t len)
{
    gfx_rec_op_t *op = add(impl, GFX_REC_TEXT);

    if(!op)
        return;
    op->weight = wt;
    op->size_px = size_px;
    op->color = c;
    op->rect.x = x;
    op->rect.y = y;
    measure(size_px, utf8, len, &op->rect.w, &op->rect.h);
    snprintf(op->text, sizeof(op->text), "%.*s", (int)len, utf8);
}

static void op_set_clip(void *impl, const gfx_rect_t *rect)
{
    gfx_rec_op_t *op = add(impl, GFX_REC_CLIP);

    if(!op)
        return;
    if(rect)
        op->rect = *rect;
    else
        op->clip_off = true;
}
