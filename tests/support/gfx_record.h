/*
 * gfx_record: a gfx_t that draws nothing and remembers every call (fill
 * rect, round rect, text with its string, size, weight and colour, clip),
 * so a test can say what a screen shows without pixels or a font. Text
 * metrics are fake but deterministic: an ASCII character is 0.55 x size
 * wide, any other character 1 x size, a line 1.3 x size tall (the label
 * line advance), so layouts that measure text behave like real ones.
 */
#ifndef HK_TESTS_SUPPORT_GFX_RECORD_H
#define HK_TESTS_SUPPORT_GFX_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "gfx.h"
#include "hk_err.h"

#define GFX_REC_TEXT_MAX 256 /* bytes of a recorded string, NUL included */

typedef enum gfx_rec_kind {
    GFX_REC_RECT = 0,
    GFX_REC_ROUND_RECT,
    GFX_REC_TEXT,
    GFX_REC_CLIP
} gfx_rec_kind_t;

typedef struct gfx_rec_op {
    gfx_rec_kind_t kind;
    /* RECT/ROUND_RECT: the rect; TEXT: the line box (x, y and the fake
     * metrics of the string); CLIP: the clip (see clip_off) */
    gfx_rect_t rect;
    int radius;                  /* ROUND_RECT */
    gfx_color_t color;           /* RECT, ROUND_RECT, TEXT */
    gfx_weight_t weight;         /* TEXT */
    int size_px;                 /* TEXT */
    bool clip_off;               /* CLIP: the clip was removed */
    char text[GFX_REC_TEXT_MAX]; /* TEXT: the string, truncated to fit */
} gfx_rec_op_t;

typedef struct gfx_rec gfx_rec_t;

/**
 * A recorder for a w x h surface.
 * @param out  receives it; free with gfx_rec_destroy().
 * @return HK_OK or HK_ERR_NOMEM.
 */
hk_err_t gfx_rec_create(int w, int h, gfx_rec_t **out);
void gfx_rec_destroy(gfx_rec_t *r); /* NULL ok */

/** The gfx_t to hand to a screen; valid until gfx_rec_destroy(). */
gfx_t *gfx_rec_gfx(gfx_rec_t *r);

/** Forget the recorded ops (the next draw starts a fresh list). */
void gfx_rec_clear(gfx_rec_t *r);

/** Number of ops recorded; ops past the capacity are counted in dropped. */
size_t gfx_rec_count(const gfx_rec_t *r);
/** Ops that did not fit the recorder's capacity (a test should see 0). */
size_t gfx_rec_dropped(const gfx_rec_t *r);

/** The i-th op (0 = first drawn); NULL when i is out of range. */
const gfx_rec_op_t *gfx_rec_op(const gfx_rec_t *r, size_t i);

/**
 * Is text on screen? Matches across line breaks: the strings of all TEXT
 * ops, in draw order, are joined, and spaces are ignored on both sides,
 * so "People ahead" / "of you: 4" drawn as two lines matches
 * "People ahead of you: 4".
 */
bool gfx_rec_shows(const gfx_rec_t *r, const char *text);

/**
 * The first TEXT op whose string starts the given text (the first line of
 * a wrapped label, or the whole of a one-line one), spaces ignored; NULL if
 * none.
 */
const gfx_rec_op_t *gfx_rec_find_text(const gfx_rec_t *r, const char *text);

/** Largest size_px among TEXT ops; 0 when no text was drawn. */
int gfx_rec_max_text_px(const gfx_rec_t *r);

#endif
