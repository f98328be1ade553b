/*
 * ticket_url: expands ticket.url_template (see ticket_url.h). One pass
 * counts and writes at once: it keeps counting past the end of buf, so a
 * caller told "too small" also learns the size it needs.
 */
#include "ticket_url.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

/* Static prototypes -------------------------------------------------------*/
static const char *placeholder(const char *p, const char *branch_id, const char *day,
                               const char *number, const char *sig, size_t *skip);
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
        if(!placeholder(p, "", "", "", "", &skip)) {
            hk_diag_set(diag,
                        "%s: unknown placeholder at offset %d (use {branch} {day} {number} {sig})",
                        path, (int)(p - tmpl));
            return HK_ERR_INVALID;
        }
        p += skip;
    }
    return HK_OK;
}

bool ticket_url_has_sig(const char *tmpl)
{
    return tmpl && strstr(tmpl, "{sig}") != NULL;
}

bool ticket_url_key_ok(const char *key_hex)
{
    size_t i;

    if(!key_hex || strlen(key_hex) != TICKET_URL_KEY_HEX_LEN)
        return false;
    for(i = 0; i < TICKET_URL_KEY_HEX_LEN; i++) {
        char c = key_hex[i];
        if(!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

hk_err_t ticket_url_sig(const char *key_hex, const char *branch_id, const char *day,
                        const char *number, char out[TICKET_URL_SIG_LEN + 1])
{
    /* Crockford's base32: no I L O U, so a sig read aloud is unambiguous */
    static const char b32[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char key[TICKET_URL_KEY_HEX_LEN / 2], mac[16];
    crypto_generichash_state st;
    uint64_t bits = 0;
    int i;

    out[0] = '\0';
    if(!branch_id || !day || !number || !ticket_url_key_ok(key_hex) ||
       sodium_hex2bin(key, sizeof(key), key_hex, TICKET_URL_KEY_HEX_LEN, NULL, NULL, NULL) != 0)
        return HK_ERR_INVALID;
    crypto_generichash_init(&st, key, sizeof(key), sizeof(mac));
    crypto_generichash_update(&st, (const unsigned char *)branch_id, strlen(branch_id));
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    crypto_generichash_update(&st, (const unsigned char *)day, strlen(day));
    crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
    crypto_generichash_update(&st, (const unsigned char *)number, strlen(number));
    crypto_generichash_final(&st, mac, sizeof(mac));
    sodium_memzero(key, sizeof(key));
    for(i = 0; i < 7; i++)
        bits = (bits << 8) | mac[i];
    bits >>= 6; /* the first 50 bits */
    for(i = TICKET_URL_SIG_LEN - 1; i >= 0; i--) {
        out[i] = b32[bits & 31];
        bits >>= 5;
    }
    out[TICKET_URL_SIG_LEN] = '\0';
    return HK_OK;
}

bool ticket_url_sig_ok(const char *key_hex, const char *branch_id, const char *day,
                       const char *number, const char *sig)
{
    char want[TICKET_URL_SIG_LEN + 1];

    if(!sig || strlen(sig) != TICKET_URL_SIG_LEN ||
       ticket_url_sig(key_hex, branch_id, day, number, want) != HK_OK)
        return false;
    return sodium_memcmp(want, sig, TICKET_URL_SIG_LEN) == 0;
}

hk_err_t ticket_url_build(const char *tmpl, const char *key_hex, const char *branch_id,
                          const char *day, const char *number, char *buf, size_t size,
                          size_t *need_out)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *p = tmpl;
    char sig[TICKET_URL_SIG_LEN + 1] = "";
    size_t n = 0;

    if(need_out)
        *need_out = 0;
    if(buf && size)
        buf[0] = '\0';
    if(!tmpl || !branch_id || !day || !number || ticket_url_check_template(tmpl, "", NULL) != HK_OK)
        return HK_ERR_INVALID;
    if(ticket_url_has_sig(tmpl) && ticket_url_sig(key_hex, branch_id, day, number, sig) != HK_OK)
        return HK_ERR_INVALID;
    while(*p) {
        size_t skip = 0;
        const char *val = *p == '{' ? placeholder(p, branch_id, day, number, sig, &skip) : NULL;

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
                               const char *number, const char *sig, size_t *skip)
{
    if(strncmp(p, "{sig}", 5) == 0) {
        *skip = 5;
        return sig;
    }
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
