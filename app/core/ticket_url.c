/*
 * ticket_url: expands ticket.url_template (see ticket_url.h). One pass
 * counts and writes at once: it keeps counting past the end of buf, so a
 * caller told "too small" also learns the size it needs.
 */
#include "ticket_url.h"

#include <stdbool.h>
#include <string.h>

/* Static prototypes -------------------------------------------------------*/
static const char *placeholder(const char *p, const char *branch_id, const char *day,
                               const char *number, size_t *skip);
static bool unreserved(unsigned char c);
static void put(char *buf, size_t size, size_t *n, char c);

/* Public functions --------------------------------------------------------*/

hk_err_t ticket_url_check_template(const char *tmpl, const char *path, hk_diag_t *diag)
{
    const char *p = tmpl;
    size_t skip;

    if(!tmpl || !*tmpl)
        return HK_OK;
    if(strncmp(tmpl, "https://", 8) != 0 && strncmp(tmpl, "http://", 7) != 0) {
        hk_diag_set(diag, "%s: must start with https:// or http://", path);
        return HK_ERR_INVALID;
    }
    /* Anything else in braces is a typo that would print literally on
     * every receipt. */
    while((p = strchr(p, '{')) != NULL) {
        if(!placeholder(p, "", "", "", &skip)) {
            hk_diag_set(diag, "%s: unknown placeholder at offset %d (use {branch} {day} {number})",
                        path, (int)(p - tmpl));
            return HK_ERR_INVALID;
        }
        p += skip;
    }
    return HK_OK;
}

hk_err_t ticket_url_build(const char *tmpl, const char *branch_id, const char *day,
                          const char *number, char *buf, size_t size, size_t *need_out)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *p = tmpl;
    size_t n = 0;

    if(need_out)
        *need_out = 0;
    if(buf && size)
        buf[0] = '\0';
    if(!tmpl || !branch_id || !day || !number || ticket_url_check_template(tmpl, "", NULL) != HK_OK)
        return HK_ERR_INVALID;
    while(*p) {
        size_t skip = 0;
        const char *val = *p == '{' ? placeholder(p, branch_id, day, number, &skip) : NULL;

        if(!val) {
            put(buf, size, &n, *p++);
            continue;
        }
        for(; *val; val++) {
            unsigned char c = (unsigned char)*val;
            if(unreserved(c)) {
                put(buf, size, &n, (char)c);
            } else {
                put(buf, size, &n, '%');
                put(buf, size, &n, hex[c >> 4]);
                put(buf, size, &n, hex[c & 15]);
            }
        }
        p += skip;
    }
    if(need_out)
        *need_out = n + 1;
    if(!buf || n + 1 > size) {
        if(buf && size)
            buf[0] = '\0';
        return HK_ERR_NOMEM;
    }
    buf[n] = '\0';
    return HK_OK;
}

/* Static functions --------------------------------------------------------*/

/* The value for the placeholder at p, or NULL if p starts none. */
static const char *placeholder(const char *p, const char *branch_id, const char *day,
                               const char *number, size_t *skip)
{
    if(strncmp(p, "{branch}", 8) == 0) {
        *skip = 8;
        return branch_id;
    }
    if(strncmp(p, "{day}", 5) == 0) {
        *skip = 5;
        return day;
    }
    if(strncmp(p, "{number}", 8) == 0) {
        *skip = 8;
        return number;
    }
    return NULL;
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Append c if it fits (leaving room for the NUL); always count it. */
static void put(char *buf, size_t size, size_t *n, char c)
{
    if(buf && *n + 1 < size)
        buf[*n] = c;
    (*n)++;
}
