/*
 * central_config: hall-central's own config file (JSON), loaded and
 * validated whole with errors naming the field path ("devices[1].branch:
 * no branch \"b009\" in branches"), and seeded into the store (devices and
 * branch config documents) so every instance on one database agrees.
 * Relative paths in the file are relative to the file's directory.
 *
 * {"listen":"127.0.0.1:8443","tls_cert":"server.crt","tls_key":"server.key",
 *  "client_ca":"ca.crt","store":"sqlite:central.db",
 *  "devices":[{"id":"kiosk-1","branch":"b001","token_sha256":"<hex>"}],
 *  "branches":[{"id":"b001","name_zh":"…","name_en":"…","city":"…",
 *               "province":"…","config_file":"branch-b001.json"}],
 *  "retry_after_s":5,"retry_after_max_s":300,"max_inflight":64,"threads":0,
 *  "users":[{"id":"hq","password_hash":"$argon2id$…","scope":"hq"}],
 *  "session_key":"<64 hex>",
 *  "alerts":{"webhook_url":"https://…","ca_file":"ca.crt","wait_limit_s":1800,
 *            "rating_max":2},
 *  "content":{"faq_file":"faq.json","triage_file":"triage.json"},
 *  "enrol":{"ca_cert":"ca.crt","ca_key":"ca.key","validity_days":825},
 *  "updates":[{"compatible":"hallkiosk-aarch64","version":"0.9.0.42",
 *              "url":"https://…/hallkiosk-0.9.0.42.raucb","sha256":"<hex>"}]}
 *
 * Enrolment (PROVISION): "enrol" names the operator CA's certificate and
 * key that POST /v1/enrol signs device certificates with (central_enrol.h);
 * without it the endpoint answers 404. "updates" names the current bundle
 * per RAUC compatible string; a heartbeat from a device of that compatible
 * reporting an older version is answered with it.
 *
 * A branch's config_file holds its config document as GET /v1/config
 * serves it: {"version":N,"config":{…},"announcements":[…]}, validated with
 * central_config_decode() at load.
 *
 * Self-help content (GET /v1/content): "content" at the top level is the
 * fleet's; a branch's own "content" (same shape) replaces it for that
 * branch. Both files are read at load and checked whole
 * (central_content_encode), and the triage's queue routes against every
 * branch's services that serves them, so a device never receives content
 * it would refuse. The bundle's version and ETag are a hash of the two
 * files: the same on every instance.
 */
#ifndef HK_SERVER_CENTRAL_CONFIG_H
#define HK_SERVER_CENTRAL_CONFIG_H

#include <stdbool.h>

#include "alerts.h"
#include "central_auth.h"
#include "central_http.h"
#include "central_store.h"
#include "hk_err.h"

#define CENTRAL_CONFIG_PATH_LEN 1024

/* A content source: the two files and the bundle built from them. */
typedef struct central_content_src {
    char faq_file[CENTRAL_CONFIG_PATH_LEN]; /* resolved; "" = none */
    char triage_file[CENTRAL_CONFIG_PATH_LEN];
    char *doc; /* the bundle GET /v1/content serves (hk_malloc), or NULL */
    size_t len;
    char etag[CENTRAL_ETAG_LEN]; /* "\"c-<hash>\"" */
} central_content_src_t;

typedef struct central_branch_cfg {
    char id[CENTRAL_ID_LEN];
    char name_zh[CENTRAL_TEXT_LEN];
    char name_en[CENTRAL_TEXT_LEN];
    char city[CENTRAL_TEXT_LEN];
    char province[CENTRAL_TEXT_LEN];
    char config_file[CENTRAL_CONFIG_PATH_LEN]; /* resolved; "" = none */
    char *doc;                                 /* the document's text (hk_malloc), or NULL */
    central_config_doc_t *parsed;              /* the document decoded (hk_malloc), or NULL */
    central_content_src_t content;             /* its own content; doc NULL = the fleet's */
} central_branch_cfg_t;

/* A report user (GET /reports, /v1/cases): sees its scope and below. */
typedef struct central_user {
    char id[CENTRAL_AUTH_NAME_LEN]; /* [A-Za-z0-9_-]{1,40} */
    char password_hash[160];        /* "$argon2id$…" (`hallctl hash-pin`) */
    central_scope_t scope;
} central_user_t;

/* The current update bundle of one compatible string (PROVISION). */
typedef struct central_update {
    char compatible[64];       /* RAUC's compatible, "hallkiosk-aarch64" */
    char version[32];          /* the bundle's version, "0.9.0.42" */
    char url[CONFIG_PATH_LEN]; /* https://, what the device takes */
    char sha256[65];           /* of the bundle file, lower-case hex */
} central_update_t;

#define CENTRAL_MAX_UPDATES        16
#define CENTRAL_ENROL_DEFAULT_DAYS 825

typedef struct central_config {
    char listen[64];
    char tls_cert[CENTRAL_CONFIG_PATH_LEN]; /* resolved paths */
    char tls_key[CENTRAL_CONFIG_PATH_LEN];
    char client_ca[CENTRAL_CONFIG_PATH_LEN];
    char store[CENTRAL_CONFIG_PATH_LEN]; /* sqlite: paths resolved */
    central_device_t *devices;           /* owned */
    int n_devices;
    central_branch_cfg_t *branches; /* owned */
    int n_branches;
    int retry_after_s;     /* 1..3600, default 5: the smallest Retry-After */
    int retry_after_max_s; /* retry_after_s..3600, default 300: the largest (central_pacer.h) */
    int max_inflight;      /* 1..100000, default 64 */
    int threads;           /* 0 = automatic, else 1..64 */
    central_user_t *users; /* owned */
    int n_users;
    char session_key[CENTRAL_AUTH_KEY_HEX_LEN + 1];  /* "" = no logins (pages refuse them) */
    char alert_webhook_url[CENTRAL_CONFIG_PATH_LEN]; /* "" = no webhook */
    char alert_ca_file[CENTRAL_CONFIG_PATH_LEN];     /* resolved; "" = system CAs */
    alerts_limits_t alert_limits;                    /* 0 = off */
    central_content_src_t content;                   /* the fleet's; doc NULL = none */
    /* PROVISION: enrolment ("" = off) and the announced bundles */
    char enrol_ca_cert[CENTRAL_CONFIG_PATH_LEN]; /* resolved */
    char enrol_ca_key[CENTRAL_CONFIG_PATH_LEN];
    int enrol_validity_days; /* 1..3650, default 825 */
    central_update_t updates[CENTRAL_MAX_UPDATES];
    int n_updates;
} central_config_t;

/** The bundle announced for a compatible string, or NULL. */
const central_update_t *central_config_update(const central_config_t *c, const char *compatible);

/** The branch with this id, or NULL. */
const central_branch_cfg_t *central_config_branch(const central_config_t *c, const char *id);

/** The content bundle a branch is served (its own, else the fleet's), or NULL. */
const central_content_src_t *central_config_content(const central_config_t *c,
                                                    const char *branch_id);

/** The user with this id, or NULL. */
const central_user_t *central_config_user(const central_config_t *c, const char *id);

/**
 * Load and validate a config file (and every branch's config document).
 * @param out   written only on HK_OK; release with central_config_fini().
 * @param diag  "<field path>: reason", or the file's path and why.
 * @return HK_OK; HK_ERR_INVALID; HK_ERR_IO (a file cannot be read);
 *         HK_ERR_NOMEM.
 */
hk_err_t central_config_load(const char *path, central_config_t *out, hk_diag_t *diag);

/** Parse from text; base_dir resolves relative paths ("" = the current directory). */
hk_err_t central_config_parse(const char *text, size_t len, const char *base_dir,
                              central_config_t *out, hk_diag_t *diag);

void central_config_fini(central_config_t *c);

/**
 * Read a whole file of at most cap bytes into a NUL-terminated heap text.
 * @param what  the field path or name the diag starts with.
 * @param out   hk_free it; written only on HK_OK.
 * @return HK_OK; HK_ERR_IO cannot open; HK_ERR_INVALID over cap; HK_ERR_NOMEM.
 */
hk_err_t central_config_read_file(const char *path, size_t cap, const char *what, char **out,
                                  size_t *len_out, hk_diag_t *diag);

/**
 * Write the devices and the branch config documents into the store
 * (idempotent: an unchanged document keeps its ETag).
 */
hk_err_t central_config_seed(const central_config_t *c, central_store_t *s, hk_diag_t *diag);

/**
 * The token index central_http needs (devices with a token_sha256).
 * @param out  hk_malloc'd array (hk_free it), NULL when none; *n_out its length.
 */
hk_err_t central_config_tokens(const central_config_t *c, central_token_t **out, int *n_out);

#endif
