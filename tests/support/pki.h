/*
 * pki: test certificates made with certtool (Debian's gnutls-bin) in a
 * directory: a test CA, a server certificate for 127.0.0.1 and localhost,
 * a device client certificate, and the bad ones a client must refuse: one
 * from an unknown CA, one for the wrong host name, an expired one and a
 * self-signed one. ECDSA keys, so making them all takes well under a second.
 */
#ifndef HK_TESTS_SUPPORT_PKI_H
#define HK_TESTS_SUPPORT_PKI_H

#include <stdbool.h>
#include <stddef.h>

#define HK_PKI_PATH 1100

/* A certificate and its key (PEM files). */
typedef struct hk_pki_pair {
    char cert[HK_PKI_PATH];
    char key[HK_PKI_PATH];
} hk_pki_pair_t;

typedef struct hk_pki {
    char dir[1024];
    char ca[HK_PKI_PATH];      /* the test CA's certificate (trust it) */
    hk_pki_pair_t server;      /* 127.0.0.1 and localhost, by the CA */
    hk_pki_pair_t client;      /* CN = the device id, by the CA (tls_www_client) */
    hk_pki_pair_t unknown_ca;  /* 127.0.0.1, by a CA nobody trusts */
    hk_pki_pair_t wrong_host;  /* by the CA, for wrong.example only */
    hk_pki_pair_t expired;     /* by the CA, for 127.0.0.1, expired in 2020 */
    hk_pki_pair_t self_signed; /* 127.0.0.1, signed by its own key */
} hk_pki_t;

/**
 * Make NAME.key and the certificate NAME.pem in dir from a certtool
 * template text (written to NAME.tmpl), signed by the CA files ca_cert and
 * ca_key (relative to dir, or absolute), or self-signed when ca_cert is NULL.
 * @param out  the two paths.
 * @return 0 on success.
 */
int hk_pki_issue(const char *dir, const char *name, const char *tmpl, const char *ca_cert,
                 const char *ca_key, hk_pki_pair_t *out);

/** Is certtool there? (Tests without it skip: exit 77.) */
bool hk_pki_available(void);

/**
 * Make the CA and the server certificate only (quick) in dir.
 * @return 0 on success.
 */
int hk_pki_make_server(hk_pki_t *p, const char *dir);

/**
 * Make everything in dir: the CA, the server, a client certificate whose
 * CN is device_id, and the bad certificates.
 * @return 0 on success.
 */
int hk_pki_make_all(hk_pki_t *p, const char *dir, const char *device_id);

/**
 * The public-key pin of a certificate, "sha256//BASE64" (curl's
 * CURLOPT_PINNEDPUBLICKEY form).
 * @return 0 on success.
 */
int hk_pki_pin(const char *cert, char *out, size_t cap);

/** Read a whole PEM file into a static-free heap string (free() it); NULL on error. */
char *hk_pki_read(const char *path);

#endif
