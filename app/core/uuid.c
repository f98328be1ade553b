/*
 * uuid: RFC 4122 version-4 UUIDs. 122 random bits from getrandom() (the
 * kernel CSPRNG; no seeding, no state to fork badly), version and variant
 * bits set, formatted as lower-case hex. It does not parse UUIDs.
 */
#include "uuid.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "hk_log.h"

hk_err_t uuid_v4(char out[UUID_STR_LEN])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    size_t got = 0;
    char txt[UUID_STR_LEN];
    int i, o = 0;

    while(got < sizeof(b)) {
        ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
        if(n < 0) {
            if(errno == EINTR)
                continue;
            hk_log_error("uuid", "getrandom: %s", strerror(errno));
            return HK_ERR_IO;
        }
        got += (size_t)n;
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10xx */
    for(i = 0; i < 16; i++) {
        if(i == 4 || i == 6 || i == 8 || i == 10)
            txt[o++] = '-';
        txt[o++] = hex[b[i] >> 4];
        txt[o++] = hex[b[i] & 0x0f];
    }
    txt[o] = '\0';
    memcpy(out, txt, sizeof(txt));
    return HK_OK;
}
