/*
 * hk_buf: a growing text buffer (see hk_buf.h).
 */
#include "hk_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"

void hk_buf_init(hk_buf_t *b, size_t max_bytes)
{
    memset(b, 0, sizeof(*b));
    b->max = max_bytes;
}

void hk_buf_reserve(hk_buf_t *b, size_t more)
{
    size_t need, cap;
    char *p;

    if(b->failed)
        return;
    need = b->len + more + 1;
    if(need < b->len || (b->max && need > b->max)) {
        b->failed = true;
        return;
    }
    if(need <= b->cap)
        return;
    cap = b->cap ? b->cap : 256;
    while(cap < need)
        cap *= 2;
    if(b->max && cap > b->max)
        cap = b->max;
    p = hk_realloc(b->p, cap);
    if(!p) {
        b->failed = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

void hk_buf_put(hk_buf_t *b, const char *s, size_t n)
{
    hk_buf_reserve(b, n);
    if(b->failed)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void hk_buf_puts(hk_buf_t *b, const char *s)
{
    hk_buf_put(b, s, strlen(s));
}

void hk_buf_printf(hk_buf_t *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if(n < 0) {
        b->failed = true;
        return;
    }
    if((size_t)n < sizeof(tmp)) {
        hk_buf_put(b, tmp, (size_t)n);
        return;
    }
    hk_buf_reserve(b, (size_t)n);
    if(b->failed)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void hk_buf_html(hk_buf_t *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t left = strlen((const char *)p);

    while(*p) {
        unsigned cp = 0;
        size_t n = hk_json_utf8_seq((const char *)p, left, &cp);

        if(n == 0) {
            hk_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
            p++;
            left--;
            continue;
        }
        switch(cp) {
        case '&': hk_buf_puts(b, "&amp;"); break;
        case '<': hk_buf_puts(b, "&lt;"); break;
        case '>': hk_buf_puts(b, "&gt;"); break;
        case '"': hk_buf_puts(b, "&quot;"); break;
        case '\'': hk_buf_puts(b, "&#39;"); break;
        case '\t':
        case '\n': hk_buf_puts(b, " "); break;
        default:
            /* C0 controls, DEL and C1 dropped */
            if(cp >= 0x20 && !(cp >= 0x7F && cp < 0xA0))
                hk_buf_put(b, (const char *)p, n);
        }
        p += n;
        left -= n;
    }
}

hk_err_t hk_buf_finish(hk_buf_t *b, char **out, size_t *len_out)
{
    *out = NULL;
    if(len_out)
        *len_out = 0;
    hk_buf_reserve(b, 0);
    if(b->failed) {
        hk_buf_free(b);
        return HK_ERR_NOMEM;
    }
    b->p[b->len] = '\0';
    *out = b->p;
    if(len_out)
        *len_out = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return HK_OK;
}

void hk_buf_free(hk_buf_t *b)
{
    hk_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
