/*
 * pki: see pki.h. Every certificate comes from a certtool template written
 * next to it; the commands run in the directory with their output hidden.
 */
#include "pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sh(const char *dir, const char *cmd)
{
    char full[4096];

    snprintf(full, sizeof(full), "cd '%s' && %s >/dev/null 2>&1", dir, cmd);
    return system(full);
}

static int write_text(const char *dir, const char *name, const char *text)
{
    char path[HK_PKI_PATH];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if(!f)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}

int hk_pki_issue(const char *dir, const char *name, const char *tmpl, const char *ca_cert,
                 const char *ca_key, hk_pki_pair_t *out)
{
    char cmd[3400], tname[64];

    snprintf(out->cert, sizeof(out->cert), "%s/%s.pem", dir, name);
    snprintf(out->key, sizeof(out->key), "%s/%s.key", dir, name);
    snprintf(tname, sizeof(tname), "%s.tmpl", name);
    if(write_text(dir, tname, tmpl) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "certtool --generate-privkey --key-type ecdsa --outfile %s.key",
             name);
    if(sh(dir, cmd) != 0)
        return -1;
    if(ca_cert)
        snprintf(cmd, sizeof(cmd),
                 "certtool --generate-certificate --load-privkey %s.key --load-ca-certificate "
                 "'%s' --load-ca-privkey '%s' --template %s --outfile %s.pem",
                 name, ca_cert, ca_key, tname, name);
    else
        snprintf(cmd, sizeof(cmd),
                 "certtool --generate-self-signed --load-privkey %s.key --template %s "
                 "--outfile %s.pem",
                 name, tname, name);
    return sh(dir, cmd);
}

/* NAME.pem/NAME.key in p->dir, signed by ca_name.pem/ca_name.key there, or
 * self-signed when ca_name is NULL. */
static int make_pair(hk_pki_t *p, hk_pki_pair_t *pair, const char *name, const char *tmpl,
                     const char *ca_name)
{
    char ca_cert[80], ca_key[80];

    if(!ca_name)
        return hk_pki_issue(p->dir, name, tmpl, NULL, NULL, pair);
    snprintf(ca_cert, sizeof(ca_cert), "%s.pem", ca_name);
    snprintf(ca_key, sizeof(ca_key), "%s.key", ca_name);
    return hk_pki_issue(p->dir, name, tmpl, ca_cert, ca_key, pair);
}

#define SERVER_TMPL                                                                              \
    "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\ndns_name = \"localhost\"\ntls_www_server\n" \
    "signing_key\nencryption_key\nexpiration_days = 2\n"

bool hk_pki_available(void)
{
    return system("command -v certtool >/dev/null 2>&1") == 0;
}

int hk_pki_make_server(hk_pki_t *p, const char *dir)
{
    hk_pki_pair_t ca;

    memset(p, 0, sizeof(*p));
    snprintf(p->dir, sizeof(p->dir), "%s", dir);
    if(make_pair(p, &ca, "ca",
                 "cn = \"HallKiosk test CA\"\nca\ncert_signing_key\nexpiration_days = 2\n",
                 NULL) != 0)
        return -1;
    snprintf(p->ca, sizeof(p->ca), "%s", ca.cert);
    return make_pair(p, &p->server, "server", SERVER_TMPL, "ca");
}

int hk_pki_make_all(hk_pki_t *p, const char *dir, const char *device_id)
{
    hk_pki_pair_t other;
    char tmpl[512];

    if(hk_pki_make_server(p, dir) != 0)
        return -1;
    snprintf(tmpl, sizeof(tmpl), "cn = \"%s\"\ntls_www_client\nsigning_key\nexpiration_days = 2\n",
             device_id);
    if(make_pair(p, &p->client, "client", tmpl, "ca") != 0)
        return -1;
    if(make_pair(p, &other, "other-ca",
                 "cn = \"Some other CA\"\nca\ncert_signing_key\nexpiration_days = 2\n",
                 NULL) != 0 ||
       make_pair(p, &p->unknown_ca, "unknown-ca", SERVER_TMPL, "other-ca") != 0)
        return -1;
    if(make_pair(p, &p->wrong_host, "wrong-host",
                 "cn = \"wrong.example\"\ndns_name = \"wrong.example\"\ntls_www_server\n"
                 "signing_key\nexpiration_days = 2\n",
                 "ca") != 0)
        return -1;
    if(make_pair(p, &p->expired, "expired",
                 "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\ntls_www_server\nsigning_key\n"
                 "activation_date = \"2020-01-01 00:00:00\"\n"
                 "expiration_date = \"2020-01-02 00:00:00\"\n",
                 "ca") != 0)
        return -1;
    return make_pair(p, &p->self_signed, "self-signed", SERVER_TMPL, NULL);
}

int hk_pki_pin(const char *cert, char *out, size_t cap)
{
    char cmd[2048], line[512];
    FILE *f;
    int rc = -1;

    snprintf(cmd, sizeof(cmd), "certtool --certificate-info --infile '%s' 2>/dev/null", cert);
    f = popen(cmd, "r");
    if(!f)
        return -1;
    while(fgets(line, sizeof(line), f)) {
        const char *at = strstr(line, "pin-sha256:");
        if(at && rc != 0) {
            char b64[128];
            if(sscanf(at + 11, "%127s", b64) == 1 &&
               snprintf(out, cap, "sha256//%s", b64) < (int)cap)
                rc = 0;
        }
    }
    pclose(f);
    return rc;
}

char *hk_pki_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if(!f)
        return NULL;
    if(fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if(buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if(buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}
