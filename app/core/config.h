/*
 * config: the branch configuration, one JSON file validated whole. A parse
 * either fills the whole config_t or leaves the caller's copy untouched and
 * names the first bad field in the diag ("services[2].prefix: must be one
 * letter A-Z"), so the last good config stays in force.
 *
 * config_t is a plain fixed-size value (no heap pointers): copying it is
 * how a new config replaces the old one. config_live owns the one in force
 * at run time. The accepted keys, their defaults and their single-field
 * rules come from descriptor tables in config.c (config_keys_visit() lists
 * them); docs/config.md documents every one of them.
 */
#ifndef HK_APP_CORE_CONFIG_H
#define HK_APP_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk_err.h"

#define CONFIG_MAX_SERVICES   16
#define CONFIG_MAX_COUNTERS   32
#define CONFIG_ID_LEN         24 /* ids: [a-z0-9_-], 1..23 chars */
#define CONFIG_NAME_LEN       96 /* UTF-8 bytes incl. NUL */
#define CONFIG_TEXT_LEN       192
#define CONFIG_PATH_LEN       256
#define CONFIG_MAX_FILE_BYTES (256 * 1024)
#define CONFIG_MAX_STAFF      48
#define CONFIG_MAX_DEVICES    32
#define CONFIG_TOKEN_LEN      80  /* device tokens: 16..79 printable ASCII */
#define CONFIG_HASH_LEN       128 /* a libsodium crypto_pwhash_str() string */
#define CONFIG_ADDR_LEN       64  /* "HOST:PORT" */
#define CONFIG_MAX_PINS       2   /* central.pins: the current key and a backup */
#define CONFIG_PIN_LEN        56  /* "sha256//" + 44 base64 characters */

typedef enum config_role {
    CONFIG_ROLE_KIOSK = 0,
    CONFIG_ROLE_COUNTER,
    CONFIG_ROLE_DISPLAY,
    CONFIG_ROLE_HUB
} config_role_t;

typedef enum config_printer_kind {
    CONFIG_PRINTER_NONE = 0,
    CONFIG_PRINTER_FILE,   /* target: file path, ESC/POS bytes appended */
    CONFIG_PRINTER_DEVICE, /* target: device path, e.g. /dev/usb/lp0 */
    CONFIG_PRINTER_TCP     /* target: "host:port", port usually 9100 */
} config_printer_kind_t;

typedef enum config_orientation {
    CONFIG_ORIENT_PORTRAIT = 0,
    CONFIG_ORIENT_LANDSCAPE
} config_orientation_t;

/* Opening hours of one weekday, minutes since local midnight.
 * open_min < 0 means closed all day. close_min > open_min. */
typedef struct config_span {
    int open_min;
    int close_min;
} config_span_t;

/* Index 0 = Sunday ... 6 = Saturday (struct tm's tm_wday). */
typedef struct config_hours {
    config_span_t day[7];
} config_hours_t;

typedef struct config_service {
    char id[CONFIG_ID_LEN]; /* "general" */
    char prefix;            /* 'A'..'Z', unique per branch */
    char name_zh[CONFIG_NAME_LEN];
    char name_en[CONFIG_NAME_LEN];
    char desc_zh[CONFIG_TEXT_LEN]; /* one line under the name; may be "" */
    char desc_en[CONFIG_TEXT_LEN];
    int priority;         /* 0..9, higher is called first */
    bool vip;             /* VIP/贵宾 service */
    int avg_service_s;    /* seed for the wait estimate, 30..7200 */
    config_hours_t hours; /* own hours, or a copy of the branch's */
} config_service_t;

typedef struct config_counter {
    char id[CONFIG_ID_LEN]; /* "c1" */
    int number;             /* 1..99, shown as "3号窗口" */
    char name_zh[CONFIG_NAME_LEN];
    char name_en[CONFIG_NAME_LEN];
    int n_services;
    int services[CONFIG_MAX_SERVICES]; /* indexes into config_t.services,
                                          in the counter's priority order */
} config_counter_t;

/* A member of staff who logs in at a counter or on the staff page. */
typedef struct config_staff {
    char id[CONFIG_ID_LEN]; /* "s3": what they type to log in */
    char name_zh[CONFIG_NAME_LEN];
    char name_en[CONFIG_NAME_LEN];
    char pin_hash[CONFIG_HASH_LEN]; /* "$argon2id$..." (crypto_pwhash_str) */
} config_staff_t;

/* A device the hub accepts: its bearer token, and for a kiosk the block of
 * numbers it issues from while the hub is unreachable. */
typedef struct config_device {
    char id[CONFIG_ID_LEN]; /* "kiosk-2" */
    char token[CONFIG_TOKEN_LEN];
    int block_from; /* 1..999; 0 = no block */
    int block_to;   /* >= block_from */
} config_device_t;

typedef struct config {
    config_role_t role;
    char branch_id[CONFIG_ID_LEN];
    char branch_name_zh[CONFIG_NAME_LEN];
    char branch_name_en[CONFIG_NAME_LEN];
    char language[8];     /* "zh-CN" or "en" (start-up language) */
    int utc_offset_min;   /* business day zone, -720..840 */
    config_hours_t hours; /* branch opening hours */
    int n_services;
    config_service_t services[CONFIG_MAX_SERVICES];
    int n_counters;
    config_counter_t counters[CONFIG_MAX_COUNTERS];
    struct {
        config_printer_kind_t kind;
        char target[CONFIG_PATH_LEN];
        int width_dots; /* 384 (58 mm) or 576 (80 mm) */
    } printer;
    struct {
        config_orientation_t orientation;
        int width; /* logical layout size in px */
        int height;
        bool large_text; /* start in large-text mode */
    } display;
    char ticket_url_template[CONFIG_PATH_LEN]; /* {branch} {day} {number} {sig} */
    char ticket_url_key[65]; /* {sig}'s key: 64 hex digits, "" = none (ticket_url.h) */
    /* submission (issue 8.5): the status page of a submitted problem, {number} = its ref */
    char ticket_submit_url_template[CONFIG_PATH_LEN];
    char ticket_footer_zh[CONFIG_TEXT_LEN];
    char ticket_footer_en[CONFIG_TEXT_LEN];
    char data_dir[CONFIG_PATH_LEN]; /* "" = $XDG_DATA_HOME/hallkiosk */
    int idle_timeout_s;             /* back to attract screen, 10..3600 */
    int confirm_timeout_s;          /* confirmation screen stays, 3..120 */
    int max_pass_over_s;            /* priority bound for call-next */
    struct {
        char url[CONFIG_PATH_LEN];    /* where other devices reach the hub */
        bool hosted;                  /* a kiosk hosts the hub in-process */
        char listen[CONFIG_ADDR_LEN]; /* the hub's LAN API address; "" = none */
        char tls_cert[CONFIG_PATH_LEN];
        char tls_key[CONFIG_PATH_LEN];
        char ca_file[CONFIG_PATH_LEN]; /* clients verify the hub's cert with it */
    } hub;
    struct {
        char id[CONFIG_ID_LEN];       /* this device, as devices[] names it */
        char token[CONFIG_TOKEN_LEN]; /* its bearer token for the hub */
        char counter[CONFIG_ID_LEN];  /* counter role: the counter it serves */
        bool second_screen;           /* counter role: customer side on a 2nd window */
    } device;
    int n_staff;
    config_staff_t staff[CONFIG_MAX_STAFF];
    int n_devices;
    config_device_t devices[CONFIG_MAX_DEVICES];
    bool voice_en; /* the hall board announces in English too */
    struct {
        char url[CONFIG_PATH_LEN];     /* head office base URL; "" = no sync */
        char ca_file[CONFIG_PATH_LEN]; /* the operator CA (PEM); "" = the system's */
        int n_pins;
        char pins[CONFIG_MAX_PINS][CONFIG_PIN_LEN]; /* "sha256//<base64>" */
        char client_cert[CONFIG_PATH_LEN];          /* mTLS: this device's certificate */
        char client_key[CONFIG_PATH_LEN];           /* and its key */
        char token[CONFIG_TOKEN_LEN];               /* or a provisioned bearer token */
        bool allow_http_loopback;                   /* development: http:// to loopback */
        int interval_s;                             /* upload poll, 1..3600 */
        int config_poll_s;                          /* config pull, 30..86400 */
        int heartbeat_s;                            /* heartbeat, 10..86400 */
        int retention_s; /* submission: personal data kept after head office has it */
    } central;
    /* engineer mode (issue 9.5): "" pin_hash = off */
    struct {
        char pin_hash[CONFIG_HASH_LEN]; /* Argon2id string from `hallctl hash-pin` */
        char usb_dir[CONFIG_PATH_LEN];  /* where a mounted USB stick is looked for */
    } engineer;
} config_t;

/**
 * Parse and validate a config from JSON text.
 * @param json  borrowed, need not be NUL-terminated.
 * @param len   bytes; more than CONFIG_MAX_FILE_BYTES is refused.
 * @param out   written only on HK_OK.
 * @param diag  receives "field: reason" on failure; may be NULL.
 * @return HK_OK, HK_ERR_INVALID (bad content), HK_ERR_NOMEM.
 */
hk_err_t config_parse(const char *json, size_t len, config_t *out, hk_diag_t *diag);

/**
 * Read and parse a config file. Same contract as config_parse(); a missing or
 * unreadable file is HK_ERR_IO with the path in diag.
 */
hk_err_t config_load_file(const char *path, config_t *out, hk_diag_t *diag);

/** Index of the service with this id, or -1. */
int config_service_index(const config_t *cfg, const char *service_id);

/** Index of the member of staff with this id, or -1. */
int config_staff_index(const config_t *cfg, const char *staff_id);

/** Index of the device with this id, or -1. */
int config_device_index(const config_t *cfg, const char *device_id);

/** Index of the counter with this id, or -1. */
int config_counter_index(const config_t *cfg, const char *counter_id);

/**
 * Local business date and time for a wall time, using cfg->utc_offset_min
 * (a shorthand for hk_time_local(); see hk_time.h).
 * @param day_out  receives "YYYY-MM-DD" (11 bytes incl. NUL); may be NULL.
 * @param wday_out receives 0=Sunday..6; may be NULL.
 * @param min_out  receives minutes since local midnight; may be NULL.
 */
void config_local_time(const config_t *cfg, int64_t wall_ms, char day_out[11], int *wday_out,
                       int *min_out);

/**
 * Is service svc_idx open for new tickets at wall_ms (its hours)?
 * @param span_out receives that day's span (open_min < 0 if closed); may be NULL.
 */
bool config_service_open_at(const config_t *cfg, int svc_idx, int64_t wall_ms,
                            config_span_t *span_out);

/* One key the parser accepts, as config_keys_visit() reports it. */
typedef struct config_key {
    const char *section; /* "" = top level, "branch", "printer", "services[]", ... */
    const char *key;     /* "prefix" */
    const char *type;    /* "string", "int", "bool", "object", "array" */
    bool required;
    const char *doc; /* one line */
} config_key_t;

typedef void (*config_key_fn)(const config_key_t *key, void *ctx);

/**
 * Call fn for every key of the schema, parents before their children, in
 * the order the parser reads them. The descriptor tables behind it are the
 * ones config_parse() validates with, so this list is the allow-list (the
 * docs test checks docs/config.md against it).
 * @param fn   called synchronously; key is valid during the call only.
 * @param ctx  passed through.
 */
void config_keys_visit(config_key_fn fn, void *ctx);

#endif
