/*
 * hk_buf: a growing text buffer for building output (protocol bodies,
 * HTML pages). Appends never fail visibly: the first allocation failure,
 * or going past the buffer's byte cap, sticks in `failed`, later appends
 * do nothing, and hk_buf_finish() reports HK_ERR_NOMEM. So a builder
 * writes straight-line code and checks once at the end (curl's dynbuf
 * does the same, lib/dynbuf.c).
 *
 * Not thread-safe per buffer; no global state.
 */
#ifndef HK_APP_CORE_HK_BUF_H
#define HK_APP_CORE_HK_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "hk_err.h"

typedef struct hk_buf {
    char *p;    /* NUL-terminated whenever len > 0 and !failed */
    size_t len; /* bytes written, NUL excluded */
    size_t cap; /* bytes allocated */
    size_t max; /* cap on len + 1; 0 = none */
    bool failed;
} hk_buf_t;

/** Start empty; max_bytes caps the result (NUL included), 0 = no cap. */
void hk_buf_init(hk_buf_t *b, size_t max_bytes);

/** Make room for more bytes now (fewer reallocations later). */
void hk_buf_reserve(hk_buf_t *b, size_t more);

/** Append n bytes of s (which need not be NUL-terminated). */
void hk_buf_put(hk_buf_t *b, const char *s, size_t n);

/** Append a NUL-terminated string. */
void hk_buf_puts(hk_buf_t *b, const char *s);

/** Append printf-style output of any length. */
void hk_buf_printf(hk_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * Append s as HTML text: & < > " ' as entities, tabs and newlines as
 * spaces, other control characters (C0, DEL, C1) dropped, invalid UTF-8
 * as U+FFFD. Safe inside element content and quoted attributes. NULL
 * appends nothing.
 */
void hk_buf_html(hk_buf_t *b, const char *s);

/**
 * Hand the text over: *out (hk_free it) NUL-terminated, "" when nothing
 * was written. On failure the buffer is freed and *out is NULL.
 * @return HK_OK or HK_ERR_NOMEM (an allocation failed or max was passed).
 */
hk_err_t hk_buf_finish(hk_buf_t *b, char **out, size_t *len_out);

/** Drop the text (after an error elsewhere). */
void hk_buf_free(hk_buf_t *b);

#endif
