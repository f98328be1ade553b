/*
 * mhd_setup: see mhd_setup.h.
 */
#include "mhd_setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"

hk_err_t mhd_setup_parse_listen(const char *listen, const char *what, struct sockaddr_in *sa,
                                hk_diag_t *diag)
{
    char host[64];
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    char *end = NULL;
    long port;

    if(!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host)) {
        hk_diag_set(diag, "%s %s: expected HOST:PORT", what, listen ? listen : "(none)");
        return HK_ERR_INVALID;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if(!colon[1] || *end || errno || port < 0 || port > 65535) {
        hk_diag_set(diag, "%s %s: the port must be 0..65535", what, listen);
        return HK_ERR_INVALID;
    }
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if(!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    if(inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        hk_diag_set(diag, "%s %s: the host must be an IPv4 address or localhost", what, listen);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

hk_err_t mhd_setup_read_pem(const char *path, const char *what, char **out, hk_diag_t *diag)
{
    hk_err_t rc = paths_read_file(path, MHD_SETUP_PEM_MAX, what, out, NULL, diag);

    if(rc == HK_OK && !strstr(*out, "-----BEGIN")) {
        hk_diag_set(diag, "%s: %s is not a PEM file", what, path);
        HK_SAFEFREE(*out);
        rc = HK_ERR_INVALID;
    }
    return rc;
}

void mhd_setup_log(void *cls, const char *fmt, va_list ap)
{
    char msg[HK_LOG_MSG_SIZE];
    size_t n;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while(n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0'; /* MHD ends its lines; hk_log adds its own */
    hk_log_warn(cls ? (const char *)cls : "mhd", "%s", msg);
}
