/*
 * fuzz_lan_auth: libFuzzer target for the Authorization header's parser
 * and the token lookup behind it. Any input, as a header value, must give
 * either no token or a token of 1..LAN_AUTH_TOKEN_MAX token68 characters
 * that the header contains; looking that token up must name a device of
 * the config or nobody (no session exists here), never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hk_mem.h"
#include "lan_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char branch_json[] =
    "{\"branch\":{\"id\":\"b1\",\"name_zh\":\"厅\",\"name_en\":\"Hall\"},"
    "\"services\":[{\"id\":\"general\",\"prefix\":\"A\",\"name_zh\":\"业务\",\"name_en\":\"G\"}],"
    "\"counters\":[{\"id\":\"c1\",\"number\":1,\"services\":[\"general\"]}],"
    "\"devices\":[{\"id\":\"kiosk-1\",\"token\":\"demo-token-kiosk-1\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static config_t cfg;
    static lan_auth_t *auth;
    char header[512], tok[LAN_AUTH_TOKEN_MAX + 1];
    lan_principal_t who;
    long live;

    if(!auth) {
        if(config_parse(branch_json, sizeof(branch_json) - 1, &cfg, NULL) != HK_OK ||
           lan_auth_create(&cfg, 4, &auth) != HK_OK)
            abort();
    }
    if(size >= sizeof(header) || memchr(data, '\0', size))
        return 0; /* a header value has no NUL; libmicrohttpd caps its length */
    memcpy(header, data, size);
    header[size] = '\0';
    live = hk_mem_live();
    if(lan_auth_parse_bearer(header, tok, sizeof(tok))) {
        size_t n = strlen(tok);
        if(n == 0 || n > LAN_AUTH_TOKEN_MAX || !strstr(header, tok) ||
           strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=") !=
               n)
            abort();
    } else if(tok[0]) {
        abort(); /* refused: no token left behind */
    }
    lan_auth_resolve(auth, tok, 1795660000000LL, &who);
    if(who.kind == LAN_PRINCIPAL_STAFF ||
       (who.kind == LAN_PRINCIPAL_DEVICE && strcmp(tok, "demo-token-kiosk-1") != 0))
        abort();
    if(lan_auth_logout(auth, tok))
        abort();
    if(hk_mem_live() != live)
        abort(); /* a leak */
    return 0;
}
