/*
 * mhd_setup: what every libmicrohttpd daemon of ours needs before it
 * starts, shared by the hub's LAN API (lan_server.c) and hall-central
 * (server/central_http.c): the listen address, the TLS certificate and key
 * as the PEM texts MHD wants, and MHD's own log lines sent through hk_log.
 */
#ifndef HK_NET_MHD_SETUP_H
#define HK_NET_MHD_SETUP_H

#include <netinet/in.h>
#include <stdarg.h>

#include "hk_err.h"

#define MHD_SETUP_PEM_MAX (64 * 1024) /* a certificate chain or key file */

/**
 * Parse "HOST:PORT" (an IPv4 address or localhost; port 0..65535, 0 = any).
 * @param what  names the value in diag ("--listen", "listen").
 * @param sa    filled (AF_INET, network byte order).
 * @param diag  "WHAT VALUE: expected HOST:PORT" and the like; may be NULL.
 * @return HK_OK or HK_ERR_INVALID.
 */
hk_err_t mhd_setup_parse_listen(const char *listen, const char *what, struct sockaddr_in *sa,
                                hk_diag_t *diag);

/**
 * Read a PEM file (≤ MHD_SETUP_PEM_MAX) into a NUL-terminated heap text.
 * @param what  names the setting in diag ("hub.tls_cert", "client_ca").
 * @param out   free with hk_free (a key: sodium_memzero it first).
 * @return HK_OK; HK_ERR_IO (cannot open); HK_ERR_INVALID (empty, too
 *         large, no "-----BEGIN"); HK_ERR_NOMEM.
 */
hk_err_t mhd_setup_read_pem(const char *path, const char *what, char **out, hk_diag_t *diag);

/**
 * MHD_OPTION_EXTERNAL_LOGGER: one warning line in hk_log per MHD message
 * (its trailing newlines dropped). cls is the hk_log module name ("lan").
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
void mhd_setup_log(void *cls, const char *fmt, va_list ap);

#endif
