/*
 * config: parses and validates the branch configuration JSON into the
 * fixed-size config_t. Validation is whole-or-nothing: the result is built in
 * a heap scratch copy and copied to the caller only when every field passed,
 * so a bad file never disturbs the config in force. The first problem found
 * is reported as "full.field.path: reason" in the caller's hk_diag_t.
 *
 * Design notes
 * ------------
 * The file's schema is data: one descriptor table per JSON object (top
 * level, branch, printer, ..., and one per element of services[] and
 * counters[]). A descriptor names the key, its kind, where it lands in the
 * struct (offsetof), its range or its names, whether it is required, its
 * default and a one-line doc. From those tables come
 *   - the allow-list of keys of each object (unknown keys are refused: they
 *     are nearly always typos; keys starting with '_' are comments);
 *   - the defaults (apply_defaults() before parsing, per element for arrays);
 *   - the messages of every single-field rule ("must be 0..9", "expected
 *     \"kiosk\", \"counter\", \"display\" or \"hub\"", "required");
 *   - config_keys_visit(), which the docs test uses to prove every key is
 *     in docs/config.md.
 * Rules that tie fields together (unique ids and prefixes, service hours
 * inside the branch hours, a printer target unless there is no printer,
 * every service served by a counter) are a table's `finish` hook, run after
 * its fields. Fields are read in table order, so the first error reported
 * is stable: parents before children, services before the counters that
 * name them.
 *
 * Strings that do not fit their buffer are refused, never truncated, and
 * must be valid UTF-8 without control characters. This module does not
 * read the clock, touch the store or resolve paths (a relative printer
 * target is resolved by the app against data_dir). JSON comes through
 * hk_json (byte and depth caps; cJSON allocates through hk_malloc).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hk_json.h"
#include "hk_mem.h"
#include "hk_time.h"
#include "ticket_url.h"

#define PATH_CAP         HK_JSON_PATH_CAP
#define MAX_TABLE_FIELDS 24
#define CONFIG_MAX_DEPTH 16 /* the schema needs 4; comments may nest a little */

/* Types -------------------------------------------------------------------*/

typedef enum field_kind {
    FK_TEXT,   /* char[size], UTF-8 text; optional check */
    FK_CHOICE, /* a string from names[], stored as text in char[size] */
    FK_ENUM,   /* a string from names[], stored as its index in an int-sized enum */
    FK_INT,    /* int in lo..hi; optional check */
    FK_BOOL,   /* bool */
    FK_LETTER, /* char 'A'..'Z' */
    FK_HOURS,  /* config_hours_t from {"mon": "HH:MM-HH:MM" | "closed", ...} */
    FK_OBJECT, /* nested object; sub's offsets are relative to the same base */
    FK_ARRAY,  /* array of objects; sub describes one element of `size` bytes */
    FK_REFS,   /* array of service ids -> int indexes into config_t.services */
    FK_TEXTS   /* array of strings -> char[hi][size] and an int count; optional check */
} field_kind_t;

#define F_REQUIRED 1u /* missing is an error; for text, "" is too */

typedef struct table table_t;

typedef hk_err_t (*field_check_fn)(const void *val, const char *path, hk_diag_t *diag);

typedef struct field {
    const char *key;
    field_kind_t kind;
    unsigned flags;
    size_t offset;            /* into the base struct */
    size_t size;              /* FK_TEXT/FK_CHOICE/FK_TEXTS: buffer; FK_ARRAY: element */
    size_t count_offset;      /* FK_ARRAY/FK_REFS/FK_TEXTS: the int item count */
    int lo, hi;               /* FK_INT: range; FK_ARRAY/FK_REFS/FK_TEXTS: hi = max items */
    const char *const *names; /* FK_ENUM/FK_CHOICE, NULL-terminated */
    int def;                  /* FK_INT/FK_BOOL/FK_ENUM default */
    const char *def_text;     /* FK_TEXT/FK_CHOICE default (NULL = "") */
    const table_t *sub;       /* FK_OBJECT/FK_ARRAY */
    field_check_fn check;     /* FK_TEXT/FK_INT extra rule, after type and range */
    const char *type_doc;     /* for config_keys_visit() */
    const char *doc;          /* one line */
} field_t;

struct table {
    const char *section; /* docs section: "" = top level, "printer", "services[]" */
    const char *item;    /* arrays: one element, for "at least one service" */
    const field_t *fields;
    size_t n_fields;
    /* Element defaults beyond the table (arrays only), e.g. a service
     * inherits the branch hours. */
    void (*init)(void *elem, const config_t *cfg);
    /* Cross-field rules, after all fields of this object; idx = element. */
    hk_err_t (*finish)(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                       hk_diag_t *diag);
};

/* Static prototypes -------------------------------------------------------*/
static void apply_defaults(const table_t *t, char *base);
static hk_err_t parse_object(const cJSON *obj, const table_t *t, char *base, config_t *cfg, int idx,
                             const char *path, hk_diag_t *diag);
static hk_err_t parse_field(const field_t *f, const cJSON *it, char *base, config_t *cfg,
                            const char *path, hk_diag_t *diag);
static hk_err_t parse_array(const field_t *f, const cJSON *arr, char *base, config_t *cfg,
                            const char *path, hk_diag_t *diag);
static hk_err_t parse_refs(const field_t *f, const cJSON *arr, char *base, config_t *cfg,
                           const char *path, hk_diag_t *diag);
static hk_err_t parse_texts(const field_t *f, const cJSON *arr, char *base, const char *path,
                            hk_diag_t *diag);
static int name_index(const char *const *names, const cJSON *it);
static void names_diag(const char *const *names, const char *path, hk_diag_t *diag);
static hk_err_t parse_span(const char *s, config_span_t *span);
static hk_err_t parse_hours(const cJSON *obj, const char *path, config_hours_t *hours,
                            hk_diag_t *diag);
static void visit_table(const table_t *t, config_key_fn fn, void *ctx);
static hk_err_t check_id(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_width_dots(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_url(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_url_key(const void *val, const char *path, hk_diag_t *diag);
static void service_init(void *elem, const config_t *cfg);
static hk_err_t service_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag);
static hk_err_t counter_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag);
static hk_err_t printer_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag);
static hk_err_t display_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag);
static hk_err_t top_finish(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                           hk_diag_t *diag);
static hk_err_t check_addr(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_hub_url(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_token(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_pin_hash(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_pin_hash_opt(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t staff_finish(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                             hk_diag_t *diag);
static hk_err_t device_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                              const char *path, hk_diag_t *diag);
static hk_err_t hub_finish(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                           hk_diag_t *diag);
static hk_err_t check_central_url(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t check_pin(const void *val, const char *path, hk_diag_t *diag);
static hk_err_t central_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag);

/* Static data -------------------------------------------------------------*/

/* Enum tables store the index: the names' order is the enum's order. */
_Static_assert(sizeof(config_role_t) == sizeof(int), "FK_ENUM stores an int");
_Static_assert(sizeof(config_printer_kind_t) == sizeof(int), "FK_ENUM stores an int");
_Static_assert(sizeof(config_orientation_t) == sizeof(int), "FK_ENUM stores an int");
_Static_assert(CONFIG_ROLE_HUB == 3, "role_names follows config_role_t");
_Static_assert(CONFIG_PRINTER_TCP == 3, "printer_names follows config_printer_kind_t");
_Static_assert(CONFIG_ORIENT_LANDSCAPE == 1, "orient_names follows config_orientation_t");
static const char *const role_names[] = { "kiosk", "counter", "display", "hub", NULL };
static const char *const printer_names[] = { "none", "file", "device", "tcp", NULL };
static const char *const orient_names[] = { "portrait", "landscape", NULL };
static const char *const language_names[] = { "zh-CN", "en", NULL };

static const char *const day_keys[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
/* Order for diagnostics and key checks: as people write a week. */
static const int day_order[7] = { 1, 2, 3, 4, 5, 6, 0 };
static const char *const hours_keys[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

#define OFF(st, m) offsetof(st, m)
#define SZ(st, m)  sizeof(((st *)0)->m)
#define N_OF(a)    (sizeof(a) / sizeof((a)[0]))

#define TABLE(sec, arr)                                      \
    {                                                        \
        .section = sec, .fields = arr, .n_fields = N_OF(arr) \
    }
#define F_TEXT(k, st, m, fl, chk, dflt, d)                                               \
    {                                                                                    \
        .key = k, .kind = FK_TEXT, .flags = fl, .offset = OFF(st, m), .size = SZ(st, m), \
        .check = chk, .def_text = dflt, .type_doc = "string", .doc = d                   \
    }
#define F_INT(k, st, m, fl, l, h, dflt, chk, d)                                        \
    {                                                                                  \
        .key = k, .kind = FK_INT, .flags = fl, .offset = OFF(st, m), .lo = l, .hi = h, \
        .def = dflt, .check = chk, .type_doc = "int", .doc = d                         \
    }
#define F_BOOL(k, st, m, dflt, d)                                                                  \
    {                                                                                              \
        .key = k, .kind = FK_BOOL, .offset = OFF(st, m), .def = dflt, .type_doc = "bool", .doc = d \
    }
#define F_ENUM(k, st, m, nm, dflt, d)                                              \
    {                                                                              \
        .key = k, .kind = FK_ENUM, .offset = OFF(st, m), .names = nm, .def = dflt, \
        .type_doc = "string", .doc = d                                             \
    }
#define F_OBJ(k, fl, tbl, d)                                                                  \
    {                                                                                         \
        .key = k, .kind = FK_OBJECT, .flags = fl, .sub = &tbl, .type_doc = "object", .doc = d \
    }

static const field_t branch_fields[] = {
    F_TEXT("id", config_t, branch_id, F_REQUIRED, check_id, NULL,
           "branch id, 1..23 of a-z 0-9 _ -; goes into ticket URLs and sync"),
    F_TEXT("name_zh", config_t, branch_name_zh, F_REQUIRED, NULL, NULL, "Chinese branch name"),
    F_TEXT("name_en", config_t, branch_name_en, F_REQUIRED, NULL, NULL, "English branch name"),
};
static const table_t branch_table = TABLE("branch", branch_fields);

static const field_t service_fields[] = {
    F_TEXT("id", config_service_t, id, F_REQUIRED, check_id, NULL,
           "1..23 of a-z 0-9 _ -, unique in the branch"),
    { .key = "prefix",
      .kind = FK_LETTER,
      .flags = F_REQUIRED,
      .offset = OFF(config_service_t, prefix),
      .type_doc = "string",
      .doc = "one letter A-Z, unique in the branch; numbers read A001..A999" },
    F_TEXT("name_zh", config_service_t, name_zh, F_REQUIRED, NULL, NULL, "Chinese button text"),
    F_TEXT("name_en", config_service_t, name_en, F_REQUIRED, NULL, NULL, "English button text"),
    F_TEXT("desc_zh", config_service_t, desc_zh, 0, NULL, NULL, "Chinese line under the name"),
    F_TEXT("desc_en", config_service_t, desc_en, 0, NULL, NULL, "English line under the name"),
    F_INT("priority", config_service_t, priority, 0, 0, 9, 0, NULL,
          "higher is called first at a counter serving several services"),
    F_BOOL("vip", config_service_t, vip, false, "a VIP service"),
    F_INT("avg_service_s", config_service_t, avg_service_s, 0, 30, 7200, 300, NULL,
          "starting average service time for wait estimates"),
    { .key = "hours",
      .kind = FK_HOURS,
      .offset = OFF(config_service_t, hours),
      .type_doc = "object",
      .doc = "the service's own hours, inside the branch hours; default: the branch's" },
};
static const table_t service_table = { .section = "services[]",
                                       .item = "service",
                                       .fields = service_fields,
                                       .n_fields = N_OF(service_fields),
                                       .init = service_init,
                                       .finish = service_finish };

static const field_t counter_fields[] = {
    F_TEXT("id", config_counter_t, id, F_REQUIRED, check_id, NULL,
           "1..23 of a-z 0-9 _ -, unique in the branch"),
    F_INT("number", config_counter_t, number, F_REQUIRED, 1, 99, 0, NULL,
          "unique; shown and announced as \"3号窗口\""),
    F_TEXT("name_zh", config_counter_t, name_zh, 0, NULL, NULL,
           "Chinese display name; default \"<n>号窗口\""),
    F_TEXT("name_en", config_counter_t, name_en, 0, NULL, NULL,
           "English display name; default \"Counter <n>\""),
    { .key = "services",
      .kind = FK_REFS,
      .flags = F_REQUIRED,
      .offset = OFF(config_counter_t, services),
      .count_offset = OFF(config_counter_t, n_services),
      .hi = CONFIG_MAX_SERVICES,
      .type_doc = "array",
      .doc = "the service ids the counter calls, in its order of preference" },
};
static const table_t counter_table = { .section = "counters[]",
                                       .item = "counter",
                                       .fields = counter_fields,
                                       .n_fields = N_OF(counter_fields),
                                       .finish = counter_finish };

static const field_t printer_fields[] = {
    F_ENUM("kind", config_t, printer.kind, printer_names, CONFIG_PRINTER_NONE,
           "none, file, device or tcp"),
    F_TEXT("target", config_t, printer.target, 0, NULL, NULL,
           "file path, device path or host:port; required unless kind is none"),
    F_INT("width_dots", config_t, printer.width_dots, 0, 384, 576, 576, check_width_dots,
          "576 (80 mm paper) or 384 (58 mm)"),
};
static const table_t printer_table = { .section = "printer",
                                       .fields = printer_fields,
                                       .n_fields = N_OF(printer_fields),
                                       .finish = printer_finish };

static const field_t display_fields[] = {
    F_ENUM("orientation", config_t, display.orientation, orient_names, CONFIG_ORIENT_PORTRAIT,
           "portrait or landscape"),
    F_INT("width", config_t, display.width, 0, 240, 7680, 1080, NULL,
          "logical layout width in px; 1920 when landscape"),
    F_INT("height", config_t, display.height, 0, 240, 7680, 1920, NULL,
          "logical layout height in px; 1080 when landscape"),
    F_BOOL("large_text", config_t, display.large_text, false, "start in large-text mode"),
};
static const table_t display_table = { .section = "display",
                                       .fields = display_fields,
                                       .n_fields = N_OF(display_fields),
                                       .finish = display_finish };

static const field_t ticket_fields[] = {
    F_TEXT("url_template", config_t, ticket_url_template, 0, check_url, NULL,
           "QR code URL with {branch} {day} {number} {sig}; \"\" = no QR code"),
    F_TEXT("url_key", config_t, ticket_url_key, 0, check_url_key, NULL,
           "the key of {sig}, the status page's keyed checksum: 64 hex digits (from head office)"),
    /* submission (issue 8.5) */
    F_TEXT("submit_url_template", config_t, ticket_submit_url_template, 0, check_url, NULL,
           "a submitted problem's status page (QR code on its receipt): {branch} {day} {number} "
           "(the reference) {sig}; \"\" = no QR code"),
    F_TEXT("footer_zh", config_t, ticket_footer_zh, 0, NULL, NULL, "Chinese last line"),
    F_TEXT("footer_en", config_t, ticket_footer_en, 0, NULL, NULL, "English last line"),
};
static const table_t ticket_table = TABLE("ticket", ticket_fields);

static const field_t timeout_fields[] = {
    F_INT("idle_s", config_t, idle_timeout_s, 0, 10, 3600, 60, NULL,
          "seconds without a touch before the start screen returns"),
    F_INT("confirm_s", config_t, confirm_timeout_s, 0, 3, 120, 20, NULL,
          "seconds the confirmation screen stays"),
};
static const table_t timeout_table = TABLE("timeouts", timeout_fields);

static const field_t queue_fields[] = {
    F_INT("max_pass_over_s", config_t, max_pass_over_s, 0, 0, 86400, 900, NULL,
          "waiting longer than this beats priority; 0 = strict priority"),
};
static const table_t queue_table = TABLE("queue", queue_fields);

static const field_t hub_fields[] = {
    F_TEXT("url", config_t, hub.url, 0, check_hub_url, NULL,
           "where counters, displays and other kiosks reach the hub: http(s)://HOST:PORT"),
    F_BOOL("hosted", config_t, hub.hosted, true,
           "a kiosk hosts the hub in-process (false: it uses the hub at url)"),
    F_TEXT("listen", config_t, hub.listen, 0, check_addr, NULL,
           "HOST:PORT the hub serves the LAN API on; \"\" = no LAN API"),
    F_TEXT("tls_cert", config_t, hub.tls_cert, 0, NULL, NULL,
           "the branch certificate (PEM); required to listen beyond loopback"),
    F_TEXT("tls_key", config_t, hub.tls_key, 0, NULL, NULL, "its private key (PEM)"),
    F_TEXT("ca_file", config_t, hub.ca_file, 0, NULL, NULL,
           "CA (PEM) clients verify an https hub with; \"\" = the system's"),
};
static const table_t hub_table = {
    .section = "hub", .fields = hub_fields, .n_fields = N_OF(hub_fields), .finish = hub_finish
};

static const field_t device_fields[] = {
    F_TEXT("id", config_t, device.id, 0, check_id, "kiosk-1",
           "this device's id, as devices[] lists it"),
    F_TEXT("token", config_t, device.token, 0, check_token, NULL,
           "this device's bearer token for the hub"),
    F_TEXT("counter", config_t, device.counter, 0, check_id, NULL,
           "counter role: the id of the counter it serves"),
    F_BOOL("second_screen", config_t, device.second_screen, false,
           "counter role: the customer side has its own screen"),
};
static const table_t device_table = TABLE("device", device_fields);

static const field_t staff_fields[] = {
    F_TEXT("id", config_staff_t, id, F_REQUIRED, check_id, NULL,
           "what they type to log in; unique in the branch"),
    F_TEXT("name_zh", config_staff_t, name_zh, F_REQUIRED, NULL, NULL,
           "Chinese name shown to customers"),
    F_TEXT("name_en", config_staff_t, name_en, F_REQUIRED, NULL, NULL,
           "English name shown to customers"),
    F_TEXT("pin_hash", config_staff_t, pin_hash, F_REQUIRED, check_pin_hash, NULL,
           "the PIN as `hallctl hash-pin` prints it ($argon2id$...), never the PIN"),
};
static const table_t staff_table = { .section = "staff[]",
                                     .item = "member of staff",
                                     .fields = staff_fields,
                                     .n_fields = N_OF(staff_fields),
                                     .finish = staff_finish };

static const field_t devices_fields[] = {
    F_TEXT("id", config_device_t, id, F_REQUIRED, check_id, NULL, "unique in the branch"),
    F_TEXT("token", config_device_t, token, F_REQUIRED, check_token, NULL,
           "its bearer token: 16..79 printable characters, unique"),
    F_INT("block_from", config_device_t, block_from, 0, 0, 999, 0, NULL,
          "a kiosk's offline block: first number; 0 = none"),
    F_INT("block_to", config_device_t, block_to, 0, 0, 999, 0, NULL, "last number of the block"),
};
static const table_t devices_table = { .section = "devices[]",
                                       .item = "device",
                                       .fields = devices_fields,
                                       .n_fields = N_OF(devices_fields),
                                       .finish = device_finish };

static const field_t central_fields[] = {
    F_TEXT("url", config_t, central.url, 0, check_central_url, NULL,
           "head office base URL, https://HOST[:PORT][/PATH]; \"\" = no sync"),
    F_TEXT("ca_file", config_t, central.ca_file, 0, NULL, NULL,
           "the operator CA (PEM) head office is verified with; \"\" = the system's"),
    { .key = "pins",
      .kind = FK_TEXTS,
      .offset = OFF(config_t, central.pins),
      .size = CONFIG_PIN_LEN,
      .count_offset = OFF(config_t, central.n_pins),
      .hi = CONFIG_MAX_PINS,
      .check = check_pin,
      .type_doc = "array",
      .doc = "up to 2 public-key pins \"sha256//BASE64\" (current and backup); [] = none" },
    F_TEXT("client_cert", config_t, central.client_cert, 0, NULL, NULL,
           "this device's client certificate (PEM) for mTLS"),
    F_TEXT("client_key", config_t, central.client_key, 0, NULL, NULL,
           "its private key (PEM); goes with client_cert"),
    F_TEXT("token", config_t, central.token, 0, check_token, NULL,
           "a provisioned bearer token, when there is no client certificate"),
    F_BOOL("allow_http_loopback", config_t, central.allow_http_loopback, false,
           "development only: allow an http:// url to 127.0.0.1, ::1 or localhost"),
    F_INT("interval_s", config_t, central.interval_s, 0, 1, 3600, 5, NULL,
          "seconds between looks at the journal for events to upload"),
    F_INT("config_poll_s", config_t, central.config_poll_s, 0, 5, 86400, 300, NULL,
          "seconds between configuration downloads"),
    F_INT("heartbeat_s", config_t, central.heartbeat_s, 0, 10, 86400, 60, NULL,
          "seconds between heartbeats"),
    /* submission (issue 8): the privacy purge (submission.h) */
    F_INT("retention_s", config_t, central.retention_s, 0, 0, 31536000, 604800, NULL,
          "seconds a submission's phone and description stay on the hub once head office "
          "has acknowledged it (then they are deleted)"),
};
static const table_t central_table = { .section = "central",
                                       .fields = central_fields,
                                       .n_fields = N_OF(central_fields),
                                       .finish = central_finish };

/* engineer mode (issue 9.5) */
static const field_t engineer_fields[] = {
    F_TEXT("pin_hash", config_t, engineer.pin_hash, 0, check_pin_hash_opt, NULL,
           "the engineer PIN as `hallctl hash-pin` prints it; \"\" = engineer mode off"),
    F_TEXT("usb_dir", config_t, engineer.usb_dir, 0, NULL, "/media/usb",
           "where a mounted USB stick is looked for (log export)"),
};
static const table_t engineer_table = TABLE("engineer", engineer_fields);

static const field_t top_fields[] = {
    F_ENUM("role", config_t, role, role_names, CONFIG_ROLE_KIOSK,
           "what this device runs as: kiosk, counter, display or hub"),
    F_OBJ("branch", F_REQUIRED, branch_table, "who the branch is"),
    { .key = "language",
      .kind = FK_CHOICE,
      .offset = OFF(config_t, language),
      .size = SZ(config_t, language),
      .names = language_names,
      .def_text = "zh-CN",
      .type_doc = "string",
      .doc = "start-up language" },
    F_INT("utc_offset_min", config_t, utc_offset_min, 0, -720, 840, 480, NULL,
          "offset from UTC in minutes; the business day starts at local midnight"),
    { .key = "hours",
      .kind = FK_HOURS,
      .offset = OFF(config_t, hours),
      .type_doc = "object",
      .doc = "branch opening hours; default open all day" },
    { .key = "services",
      .kind = FK_ARRAY,
      .flags = F_REQUIRED,
      .offset = OFF(config_t, services),
      .size = sizeof(config_service_t),
      .count_offset = OFF(config_t, n_services),
      .hi = CONFIG_MAX_SERVICES,
      .sub = &service_table,
      .type_doc = "array",
      .doc = "the services customers take numbers for" },
    { .key = "counters",
      .kind = FK_ARRAY,
      .flags = F_REQUIRED,
      .offset = OFF(config_t, counters),
      .size = sizeof(config_counter_t),
      .count_offset = OFF(config_t, n_counters),
      .hi = CONFIG_MAX_COUNTERS,
      .sub = &counter_table,
      .type_doc = "array",
      .doc = "the counters that call them" },
    F_OBJ("printer", 0, printer_table, "the ticket printer; default none"),
    F_OBJ("display", 0, display_table, "the panel layout"),
    F_OBJ("ticket", 0, ticket_table, "what the paper ticket carries"),
    F_TEXT("data_dir", config_t, data_dir, 0, NULL, NULL,
           "database and output directory; \"\" = $XDG_DATA_HOME/hallkiosk"),
    F_OBJ("timeouts", 0, timeout_table, "screen timeouts"),
    F_OBJ("queue", 0, queue_table, "calling rules"),
    F_OBJ("hub", 0, hub_table, "the branch hub and its LAN API"),
    F_OBJ("device", 0, device_table, "who this device is to the hub"),
    { .key = "staff",
      .kind = FK_ARRAY,
      .offset = OFF(config_t, staff),
      .size = sizeof(config_staff_t),
      .count_offset = OFF(config_t, n_staff),
      .hi = CONFIG_MAX_STAFF,
      .sub = &staff_table,
      .type_doc = "array",
      .doc = "staff who log in at the counters; default none" },
    { .key = "devices",
      .kind = FK_ARRAY,
      .offset = OFF(config_t, devices),
      .size = sizeof(config_device_t),
      .count_offset = OFF(config_t, n_devices),
      .hi = CONFIG_MAX_DEVICES,
      .sub = &devices_table,
      .type_doc = "array",
      .doc = "the devices the hub accepts; default none" },
    F_BOOL("voice_en", config_t, voice_en, false, "the hall board repeats each call in English"),
    F_OBJ("central", 0, central_table, "sync with head office (hall-central); default none"),
    F_OBJ("engineer", 0, engineer_table, "the engineer mode; default off"), /* issue 9.5 */
};
static const table_t top_table = {
    .section = "", .fields = top_fields, .n_fields = N_OF(top_fields), .finish = top_finish
};

/* Public functions --------------------------------------------------------*/

hk_err_t config_parse(const char *json, size_t len, config_t *out, hk_diag_t *diag)
{
    const hk_json_limits_t lim = { CONFIG_MAX_FILE_BYTES, CONFIG_MAX_DEPTH };
    hk_err_t rc = HK_OK;
    config_t *cfg = NULL;
    cJSON *root = NULL;
    hk_diag_t jd;

    hk_diag_clear(diag);
    if(!json || !out) {
        hk_diag_set(diag, "config: no input");
        return HK_ERR_INVALID;
    }
    rc = hk_json_parse(json, len, &lim, &root, &jd);
    if(rc != HK_OK) {
        hk_diag_set(diag, "config: %s", jd.msg);
        return rc;
    }
    if(!cJSON_IsObject(root)) {
        hk_diag_set(diag, "config: top level must be an object");
        rc = HK_ERR_INVALID;
        goto out;
    }
    cfg = hk_calloc(1, sizeof(*cfg));
    if(!cfg) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    apply_defaults(&top_table, (char *)cfg);
    rc = parse_object(root, &top_table, (char *)cfg, cfg, -1, "", diag);
    if(rc != HK_OK)
        goto out;
    *out = *cfg;
    hk_diag_clear(diag);
out:
    if(rc == HK_ERR_NOMEM)
        hk_diag_set(diag, "config: out of memory");
    cJSON_Delete(root);
    hk_free(cfg);
    return rc;
}

hk_err_t config_load_file(const char *path, config_t *out, hk_diag_t *diag)
{
    hk_err_t rc = HK_OK;
    FILE *f = NULL;
    char *buf = NULL;
    size_t n = 0;

    hk_diag_clear(diag);
    if(!path) {
        hk_diag_set(diag, "config: no path");
        return HK_ERR_INVALID;
    }
    f = fopen(path, "rb");
    if(!f) {
        hk_diag_set(diag, "%s: %s", path, strerror(errno));
        return HK_ERR_IO;
    }
    /* Hard cap when the buffer is made: one byte more than allowed tells
     * us the file is too big without trusting its reported size. */
    buf = hk_malloc(CONFIG_MAX_FILE_BYTES + 1);
    if(!buf) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    n = fread(buf, 1, CONFIG_MAX_FILE_BYTES + 1, f);
    if(ferror(f)) {
        hk_diag_set(diag, "%s: read error", path);
        rc = HK_ERR_IO;
        goto out;
    }
    if(n > CONFIG_MAX_FILE_BYTES) {
        hk_diag_set(diag, "%s: larger than %d bytes", path, CONFIG_MAX_FILE_BYTES);
        rc = HK_ERR_INVALID;
        goto out;
    }
    rc = config_parse(buf, n, out, diag);
out:
    hk_free(buf);
    (void)fclose(f); /* read-only stream: nothing to lose on close */
    return rc;
}

int config_service_index(const config_t *cfg, const char *service_id)
{
    int i;

    if(!cfg || !service_id)
        return -1;
    for(i = 0; i < cfg->n_services; i++)
        if(strcmp(cfg->services[i].id, service_id) == 0)
            return i;
    return -1;
}

int config_staff_index(const config_t *cfg, const char *staff_id)
{
    int i;

    for(i = 0; staff_id && i < cfg->n_staff; i++)
        if(strcmp(cfg->staff[i].id, staff_id) == 0)
            return i;
    return -1;
}

int config_device_index(const config_t *cfg, const char *device_id)
{
    int i;

    for(i = 0; device_id && i < cfg->n_devices; i++)
        if(strcmp(cfg->devices[i].id, device_id) == 0)
            return i;
    return -1;
}

int config_counter_index(const config_t *cfg, const char *counter_id)
{
    int i;

    if(!cfg || !counter_id)
        return -1;
    for(i = 0; i < cfg->n_counters; i++)
        if(strcmp(cfg->counters[i].id, counter_id) == 0)
            return i;
    return -1;
}

void config_local_time(const config_t *cfg, int64_t wall_ms, char day_out[11], int *wday_out,
                       int *min_out)
{
    hk_time_local_t lt;

    hk_time_local(wall_ms, cfg->utc_offset_min, &lt);
    if(day_out)
        hk_time_format_day(&lt.date, day_out);
    if(wday_out)
        *wday_out = lt.wday;
    if(min_out)
        *min_out = lt.min_of_day;
}

bool config_service_open_at(const config_t *cfg, int svc_idx, int64_t wall_ms,
                            config_span_t *span_out)
{
    config_span_t span;
    int wday, min;

    if(!cfg || svc_idx < 0 || svc_idx >= cfg->n_services) {
        if(span_out) {
            span_out->open_min = -1;
            span_out->close_min = -1;
        }
        return false;
    }
    config_local_time(cfg, wall_ms, NULL, &wday, &min);
    span = cfg->services[svc_idx].hours.day[wday];
    if(span_out)
        *span_out = span;
    return span.open_min >= 0 && min >= span.open_min && min < span.close_min;
}

void config_keys_visit(config_key_fn fn, void *ctx)
{
    if(fn)
        visit_table(&top_table, fn, ctx);
}

/* Static functions --------------------------------------------------------*/

static void apply_defaults(const table_t *t, char *base)
{
    size_t i;
    int d;

    for(i = 0; i < t->n_fields; i++) {
        const field_t *f = &t->fields[i];
        void *at = base + f->offset;

        switch(f->kind) {
        case FK_TEXT:
        case FK_CHOICE: (void)snprintf(at, f->size, "%s", f->def_text ? f->def_text : ""); break;
        case FK_INT:
        case FK_ENUM: memcpy(at, &f->def, sizeof(int)); break;
        case FK_BOOL: *(bool *)at = f->def != 0; break;
        case FK_HOURS:
            for(d = 0; d < 7; d++) {
                ((config_hours_t *)at)->day[d].open_min = 0;
                ((config_hours_t *)at)->day[d].close_min = 24 * 60;
            }
            break;
        case FK_OBJECT: apply_defaults(f->sub, base); break;
        case FK_LETTER:
        case FK_ARRAY:
        case FK_TEXTS:
        case FK_REFS: break; /* required, or empty (calloc'd) */
        }
    }
}

static hk_err_t parse_object(const cJSON *obj, const table_t *t, char *base, config_t *cfg, int idx,
                             const char *path, hk_diag_t *diag)
{
    const char *keys[MAX_TABLE_FIELDS + 1];
    char sub[PATH_CAP];
    hk_err_t rc;
    size_t i;

    if(HK_NEVER(t->n_fields > MAX_TABLE_FIELDS))
        return HK_ERR_INVALID;
    for(i = 0; i < t->n_fields; i++)
        keys[i] = t->fields[i].key;
    keys[i] = NULL;
    rc = hk_json_check_keys(obj, path, keys, diag);
    for(i = 0; rc == HK_OK && i < t->n_fields; i++) {
        const field_t *f = &t->fields[i];
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, f->key);

        hk_json_path(sub, sizeof(sub), path, f->key);
        if(!it) {
            if(f->flags & F_REQUIRED) {
                hk_diag_set(diag, "%s: required", sub);
                rc = HK_ERR_INVALID;
            }
            continue;
        }
        rc = parse_field(f, it, base, cfg, sub, diag);
    }
    if(rc == HK_OK && t->finish)
        rc = t->finish(obj, base, cfg, idx, path, diag);
    return rc;
}

static hk_err_t parse_field(const field_t *f, const cJSON *it, char *base, config_t *cfg,
                            const char *path, hk_diag_t *diag)
{
    void *at = base + f->offset;
    hk_err_t rc = HK_OK;
    int k;

    switch(f->kind) {
    case FK_TEXT:
        rc = hk_json_get_text(it, path, at, f->size, diag);
        if(rc == HK_OK && (f->flags & F_REQUIRED) && *(char *)at == '\0') {
            hk_diag_set(diag, "%s: must not be empty", path);
            rc = HK_ERR_INVALID;
        }
        if(rc == HK_OK && f->check)
            rc = f->check(at, path, diag);
        return rc;
    case FK_CHOICE:
    case FK_ENUM:
        k = name_index(f->names, it);
        if(k < 0) {
            names_diag(f->names, path, diag);
            return HK_ERR_INVALID;
        }
        if(f->kind == FK_ENUM)
            memcpy(at, &k, sizeof(int));
        else
            (void)snprintf(at, f->size, "%s", f->names[k]);
        return HK_OK;
    case FK_INT:
        rc = hk_json_get_int(it, path, f->lo, f->hi, at, diag);
        if(rc == HK_OK && f->check)
            rc = f->check(at, path, diag);
        return rc;
    case FK_BOOL: return hk_json_get_bool(it, path, at, diag);
    case FK_LETTER:
        if(!cJSON_IsString(it) || !it->valuestring || it->valuestring[0] < 'A' ||
           it->valuestring[0] > 'Z' || it->valuestring[1] != '\0') {
            hk_diag_set(diag, "%s: must be one letter A-Z", path);
            return HK_ERR_INVALID;
        }
        *(char *)at = it->valuestring[0];
        return HK_OK;
    case FK_HOURS: return parse_hours(it, path, at, diag);
    case FK_OBJECT:
        if(!cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected an object", path);
            return HK_ERR_INVALID;
        }
        return parse_object(it, f->sub, base, cfg, -1, path, diag);
    case FK_ARRAY: return parse_array(f, it, base, cfg, path, diag);
    case FK_REFS: return parse_refs(f, it, base, cfg, path, diag);
    case FK_TEXTS: return parse_texts(f, it, base, path, diag);
    }
    return HK_ERR_INVALID;
}

static hk_err_t parse_array(const field_t *f, const cJSON *arr, char *base, config_t *cfg,
                            const char *path, hk_diag_t *diag)
{
    char pfx[PATH_CAP];
    const cJSON *it;
    hk_err_t rc;
    int n = 0;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "%s: expected an array", path);
        return HK_ERR_INVALID;
    }
    for(it = arr->child; it; it = it->next, n++) {
        char *elem = base + f->offset + (size_t)n * f->size;

        /* a path too long for pfx is cut short in a message, nothing else:
         * paths come from our own key table, never from the file */
        if(snprintf(pfx, sizeof(pfx), "%s[%d]", path, n) >= (int)sizeof(pfx))
            pfx[sizeof(pfx) - 1] = '\0';
        if(n >= f->hi) {
            hk_diag_set(diag, "%s: at most %d %s", path, f->hi, f->key);
            return HK_ERR_INVALID;
        }
        if(!cJSON_IsObject(it)) {
            hk_diag_set(diag, "%s: expected an object", pfx);
            return HK_ERR_INVALID;
        }
        apply_defaults(f->sub, elem);
        if(f->sub->init)
            f->sub->init(elem, cfg);
        /* The count grows first so a finish hook sees its own element. */
        memcpy(base + f->count_offset, &(int){ n + 1 }, sizeof(int));
        rc = parse_object(it, f->sub, elem, cfg, n, pfx, diag);
        if(rc != HK_OK)
            return rc;
    }
    if(n == 0) {
        hk_diag_set(diag, "%s: at least one %s is required", path, f->sub->item);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* A list of service ids, resolved to indexes: services are parsed first
 * (they come before counters in the top table). */
static hk_err_t parse_refs(const field_t *f, const cJSON *arr, char *base, config_t *cfg,
                           const char *path, hk_diag_t *diag)
{
    int *idxs = (int *)(void *)(base + f->offset);
    const cJSON *sv;
    int k = 0, d;

    if(!cJSON_IsArray(arr) || !arr->child) {
        hk_diag_set(diag, "%s: expected a non-empty array of service ids", path);
        return HK_ERR_INVALID;
    }
    for(sv = arr->child; sv; sv = sv->next, k++) {
        int idx;

        if(k >= f->hi) {
            hk_diag_set(diag, "%s: at most %d entries", path, f->hi);
            return HK_ERR_INVALID;
        }
        if(!cJSON_IsString(sv) || !sv->valuestring) {
            hk_diag_set(diag, "%s[%d]: expected a service id string", path, k);
            return HK_ERR_INVALID;
        }
        idx = config_service_index(cfg, sv->valuestring);
        if(idx < 0) {
            /* The id may be any bytes: show it only if it is sane. */
            if(strlen(sv->valuestring) < CONFIG_ID_LEN && hk_json_text_ok(sv->valuestring))
                hk_diag_set(diag, "%s[%d]: unknown service \"%s\"", path, k, sv->valuestring);
            else
                hk_diag_set(diag, "%s[%d]: unknown service", path, k);
            return HK_ERR_INVALID;
        }
        for(d = 0; d < k; d++) {
            if(idxs[d] == idx) {
                hk_diag_set(diag, "%s[%d]: \"%s\" listed twice", path, k, sv->valuestring);
                return HK_ERR_INVALID;
            }
        }
        idxs[k] = idx;
    }
    memcpy(base + f->count_offset, &k, sizeof(int));
    return HK_OK;
}

/* A list of up to f->hi strings, each into its own char[f->size]. */
static hk_err_t parse_texts(const field_t *f, const cJSON *arr, char *base, const char *path,
                            hk_diag_t *diag)
{
    char sub[PATH_CAP];
    const cJSON *it;
    hk_err_t rc;
    int k = 0;

    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "%s: expected an array of strings", path);
        return HK_ERR_INVALID;
    }
    for(it = arr->child; it; it = it->next, k++) {
        char *at = base + f->offset + (size_t)k * f->size;

        if(k >= f->hi) {
            hk_diag_set(diag, "%s: at most %d entries", path, f->hi);
            return HK_ERR_INVALID;
        }
        if(snprintf(sub, sizeof(sub), "%s[%d]", path, k) >= (int)sizeof(sub))
            sub[sizeof(sub) - 1] = '\0';
        rc = hk_json_get_text(it, sub, at, f->size, diag);
        if(rc == HK_OK && f->check)
            rc = f->check(at, sub, diag);
        if(rc != HK_OK)
            return rc;
    }
    memcpy(base + f->count_offset, &k, sizeof(int));
    return HK_OK;
}

static int name_index(const char *const *names, const cJSON *it)
{
    int i;

    if(!cJSON_IsString(it) || !it->valuestring)
        return -1;
    for(i = 0; names[i]; i++)
        if(strcmp(names[i], it->valuestring) == 0)
            return i;
    return -1;
}

/* "path: expected \"a\", \"b\" or \"c\"", from the names table. */
static void names_diag(const char *const *names, const char *path, hk_diag_t *diag)
{
    char list[160];
    size_t n = 0;
    int i;

    list[0] = '\0';
    for(i = 0; names[i] && n < sizeof(list); i++) {
        const char *sep = i == 0 ? "" : names[i + 1] ? ", " : " or ";
        int w = snprintf(list + n, sizeof(list) - n, "%s\"%s\"", sep, names[i]);
        if(w < 0)
            break;
        n += (size_t)w;
    }
    hk_diag_set(diag, "%s: expected %s", path, list);
}

/* "HH:MM-HH:MM" (24:00 allowed as a close) or "closed". */
static hk_err_t parse_span(const char *s, config_span_t *span)
{
    int v[4];
    int i;

    if(strcmp(s, "closed") == 0) {
        span->open_min = -1;
        span->close_min = -1;
        return HK_OK;
    }
    if(strlen(s) != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':')
        return HK_ERR_INVALID;
    for(i = 0; i < 4; i++) {
        const char *d = s + i * 3;
        if(d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9')
            return HK_ERR_INVALID;
        v[i] = (d[0] - '0') * 10 + (d[1] - '0');
    }
    if(v[0] > 23 || v[1] > 59 || v[2] > 24 || v[3] > 59 || (v[2] == 24 && v[3] != 0))
        return HK_ERR_INVALID;
    span->open_min = v[0] * 60 + v[1];
    span->close_min = v[2] * 60 + v[3];
    if(span->close_min <= span->open_min)
        return HK_ERR_INVALID;
    return HK_OK;
}

static hk_err_t parse_hours(const cJSON *obj, const char *path, config_hours_t *hours,
                            hk_diag_t *diag)
{
    char sub[PATH_CAP];
    hk_err_t rc;
    int i;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected an object of mon..sun", path);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, path, hours_keys, diag);
    if(rc != HK_OK)
        return rc;
    for(i = 0; i < 7; i++) {
        int wd = day_order[i];
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, day_keys[wd]);

        hk_json_path(sub, sizeof(sub), path, day_keys[wd]);
        if(!it) {
            hk_diag_set(diag, "%s: required (\"HH:MM-HH:MM\" or \"closed\")", sub);
            return HK_ERR_INVALID;
        }
        if(!cJSON_IsString(it) || !it->valuestring ||
           parse_span(it->valuestring, &hours->day[wd]) != HK_OK) {
            hk_diag_set(diag, "%s: expected \"HH:MM-HH:MM\" or \"closed\"", sub);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static void visit_table(const table_t *t, config_key_fn fn, void *ctx)
{
    size_t i;

    for(i = 0; i < t->n_fields; i++) {
        const field_t *f = &t->fields[i];
        config_key_t k;

        k.section = t->section;
        k.key = f->key;
        k.type = f->type_doc;
        k.required = (f->flags & F_REQUIRED) != 0;
        k.doc = f->doc;
        fn(&k, ctx);
        if(f->kind == FK_OBJECT || f->kind == FK_ARRAY)
            visit_table(f->sub, fn, ctx);
    }
}

/* Field rules -------------------------------------------------------------*/

static hk_err_t check_id(const void *val, const char *path, hk_diag_t *diag)
{
    const char *id = val;
    const char *p;

    for(p = id; *p; p++) {
        if(!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            hk_diag_set(diag, "%s: \"%s\" may use only a-z 0-9 _ -", path, id);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t check_width_dots(const void *val, const char *path, hk_diag_t *diag)
{
    int w = *(const int *)val;

    if(w != 384 && w != 576) {
        hk_diag_set(diag, "%s: must be 384 (58 mm) or 576 (80 mm)", path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t check_url(const void *val, const char *path, hk_diag_t *diag)
{
    return ticket_url_check_template(val, path, diag);
}

static hk_err_t check_url_key(const void *val, const char *path, hk_diag_t *diag)
{
    const char *key = val;

    if(!key[0] || ticket_url_key_ok(key))
        return HK_OK;
    hk_diag_set(diag, "%s: must be 64 hex digits (32 bytes)", path);
    return HK_ERR_INVALID;
}

/* "HOST:PORT" with a port 0..65535 (0 = any free port, for tests). */
static hk_err_t check_addr(const void *val, const char *path, hk_diag_t *diag)
{
    const char *a = val;
    const char *colon = strrchr(a, ':');
    const char *p;
    long port = 0;

    if(!*a)
        return HK_OK;
    for(p = colon ? colon + 1 : ""; *p >= '0' && *p <= '9' && port <= 65535; p++)
        port = port * 10 + (*p - '0');
    if(!colon || colon == a || *p || p == colon + 1 || port > 65535) {
        hk_diag_set(diag, "%s: expected \"HOST:PORT\"", path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t check_hub_url(const void *val, const char *path, hk_diag_t *diag)
{
    const char *u = val;
    const char *rest;

    if(!*u)
        return HK_OK;
    if(!strncmp(u, "http://", 7))
        rest = u + 7;
    else if(!strncmp(u, "https://", 8))
        rest = u + 8;
    else {
        hk_diag_set(diag, "%s: expected http://HOST:PORT or https://HOST:PORT", path);
        return HK_ERR_INVALID;
    }
    if(strchr(rest, '/') || check_addr(rest, path, NULL) != HK_OK) {
        hk_diag_set(diag, "%s: expected http(s)://HOST:PORT with no path", path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* The host of an http(s) URL: after "scheme://", up to the port or path. */
static bool url_host_is_loopback(const char *rest)
{
    static const char *const loop[] = { "127.0.0.1", "localhost", "[::1]", NULL };
    size_t n = strcspn(rest, ":/");
    int i;

    if(rest[0] == '[')
        n = strcspn(rest, "]") + 1;
    for(i = 0; loop[i]; i++)
        if(strlen(loop[i]) == n && !strncmp(rest, loop[i], n))
            return true;
    return false;
}

/* "https://HOST[:PORT][/PATH]" (or http://, which central_finish allows only
 * to loopback with allow_http_loopback): no user info, query or fragment. */
static hk_err_t check_central_url(const void *val, const char *path, hk_diag_t *diag)
{
    const char *u = val;
    const char *rest, *p;
    size_t host_len;

    if(!*u)
        return HK_OK;
    if(!strncmp(u, "https://", 8))
        rest = u + 8;
    else if(!strncmp(u, "http://", 7))
        rest = u + 7;
    else {
        hk_diag_set(diag, "%s: expected https://HOST[:PORT][/PATH]", path);
        return HK_ERR_INVALID;
    }
    host_len = strcspn(rest, ":/");
    if(rest[0] == '[')
        host_len = strcspn(rest, "]") + 1;
    for(p = rest; *p; p++) {
        if(*p == '@' || *p == '?' || *p == '#' || *p <= ' ' || *p > '~') {
            hk_diag_set(diag, "%s: no user info, query, fragment or spaces in the URL", path);
            return HK_ERR_INVALID;
        }
    }
    p = rest + host_len;
    if(host_len == 0 || (rest[0] == '[' && !strchr(rest, ']'))) {
        hk_diag_set(diag, "%s: no host", path);
        return HK_ERR_INVALID;
    }
    if(*p == ':') {
        long port = 0;
        const char *d = p + 1;
        for(; *d >= '0' && *d <= '9' && port <= 65535; d++)
            port = port * 10 + (*d - '0');
        if(d == p + 1 || port < 1 || port > 65535 || (*d && *d != '/')) {
            hk_diag_set(diag, "%s: the port must be 1..65535", path);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

/* "sha256//" and the base64 of 32 bytes (43 characters and one '='). */
static hk_err_t check_pin(const void *val, const char *path, hk_diag_t *diag)
{
    const char *s = val;
    size_t i;

    if(strncmp(s, "sha256//", 8) == 0 && strlen(s) == 8 + 44 && s[8 + 43] == '=') {
        for(i = 8; i < 8 + 43; i++) {
            char c = s[i];
            if(!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/'))
                break;
        }
        if(i == 8 + 43)
            return HK_OK;
    }
    hk_diag_set(diag,
                "%s: expected \"sha256//\" and 44 base64 characters (a SHA-256 of the "
                "public key)",
                path);
    return HK_ERR_INVALID;
}

static hk_err_t check_token(const void *val, const char *path, hk_diag_t *diag)
{
    const char *t = val;
    size_t n = strlen(t);
    const char *p;

    if(n == 0)
        return HK_OK; /* required-ness is the field's flag */
    for(p = t; *p; p++) {
        if(*p <= ' ' || *p > '~') {
            hk_diag_set(diag, "%s: printable ASCII only, no spaces", path);
            return HK_ERR_INVALID;
        }
    }
    if(n < 16) {
        hk_diag_set(diag, "%s: too short (%zu characters, at least 16)", path, n);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t check_pin_hash(const void *val, const char *path, hk_diag_t *diag)
{
    if(strncmp(val, "$argon2id$", 10) != 0) {
        hk_diag_set(diag, "%s: expected a hash from `hallctl hash-pin` ($argon2id$...)", path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* engineer mode (issue 9.5): "" switches it off */
static hk_err_t check_pin_hash_opt(const void *val, const char *path, hk_diag_t *diag)
{
    return ((const char *)val)[0] ? check_pin_hash(val, path, diag) : HK_OK;
}

/* Cross-field rules -------------------------------------------------------*/

static hk_err_t staff_finish(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                             hk_diag_t *diag)
{
    const config_staff_t *st = base;
    int d;

    (void)obj;
    for(d = 0; d < idx; d++) {
        if(strcmp(cfg->staff[d].id, st->id) == 0) {
            hk_diag_set(diag, "%s.id: duplicate id \"%s\" (also staff[%d])", path, st->id, d);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t device_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                              const char *path, hk_diag_t *diag)
{
    const config_device_t *dv = base;
    int d;

    (void)obj;
    if((dv->block_from == 0) != (dv->block_to == 0) || dv->block_to < dv->block_from) {
        hk_diag_set(diag, "%s.block_to: the block must be block_from..block_to, both 1..999", path);
        return HK_ERR_INVALID;
    }
    for(d = 0; d < idx; d++) {
        const config_device_t *o = &cfg->devices[d];
        if(strcmp(o->id, dv->id) == 0) {
            hk_diag_set(diag, "%s.id: duplicate id \"%s\" (also devices[%d])", path, dv->id, d);
            return HK_ERR_INVALID;
        }
        if(strcmp(o->token, dv->token) == 0) {
            hk_diag_set(diag, "%s.token: the same token as devices[%d]", path, d);
            return HK_ERR_INVALID;
        }
        if(dv->block_from && o->block_from && dv->block_from <= o->block_to &&
           o->block_from <= dv->block_to) {
            hk_diag_set(diag, "%s.block_from: the block overlaps devices[%d]'s", path, d);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t hub_finish(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                           hk_diag_t *diag)
{
    (void)obj;
    (void)base;
    (void)idx;
    if(!cfg->hub.tls_cert[0] != !cfg->hub.tls_key[0]) {
        hk_diag_set(diag, "%s.%s: tls_cert and tls_key go together", path,
                    cfg->hub.tls_cert[0] ? "tls_key" : "tls_cert");
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t central_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag)
{
    const char *u = cfg->central.url;

    (void)obj;
    (void)base;
    (void)idx;
    if(!strncmp(u, "http://", 7)) {
        if(!cfg->central.allow_http_loopback) {
            hk_diag_set(diag, "%s.url: https only (http:// needs allow_http_loopback)", path);
            return HK_ERR_INVALID;
        }
        if(!url_host_is_loopback(u + 7)) {
            hk_diag_set(diag, "%s.url: http:// only to 127.0.0.1, ::1 or localhost", path);
            return HK_ERR_INVALID;
        }
    }
    if(!cfg->central.client_cert[0] != !cfg->central.client_key[0]) {
        hk_diag_set(diag, "%s.%s: client_cert and client_key go together", path,
                    cfg->central.client_cert[0] ? "client_key" : "client_cert");
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static void service_init(void *elem, const config_t *cfg)
{
    config_service_t *s = elem;

    s->hours = cfg->hours; /* the branch hours unless it has its own */
}

static hk_err_t service_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag)
{
    const config_service_t *s = base;
    int i, d;

    (void)obj; /* inherited hours pass the check below trivially */
    /* A service cannot take numbers while the hall is shut. */
    for(i = 0; i < 7; i++) {
        int wd = day_order[i];
        config_span_t sv = s->hours.day[wd], br = cfg->hours.day[wd];
        if(sv.open_min < 0)
            continue;
        if(br.open_min < 0 || sv.open_min < br.open_min || sv.close_min > br.close_min) {
            hk_diag_set(diag, "%s.hours.%s: outside the branch hours", path, day_keys[wd]);
            return HK_ERR_INVALID;
        }
    }
    for(d = 0; d < idx; d++) {
        if(strcmp(cfg->services[d].id, s->id) == 0) {
            hk_diag_set(diag, "%s.id: duplicate id \"%s\" (also services[%d])", path, s->id, d);
            return HK_ERR_INVALID;
        }
        if(cfg->services[d].prefix == s->prefix) {
            hk_diag_set(diag, "%s.prefix: duplicate prefix \"%c\" (also services[%d])", path,
                        s->prefix, d);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t counter_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag)
{
    config_counter_t *c = base;
    int d;

    /* Names default to the number, as staff say them. */
    if(!cJSON_GetObjectItemCaseSensitive(obj, "name_zh"))
        (void)snprintf(c->name_zh, sizeof(c->name_zh), "%d号窗口", c->number);
    if(!cJSON_GetObjectItemCaseSensitive(obj, "name_en"))
        (void)snprintf(c->name_en, sizeof(c->name_en), "Counter %d", c->number);
    for(d = 0; d < idx; d++) {
        if(strcmp(cfg->counters[d].id, c->id) == 0) {
            hk_diag_set(diag, "%s.id: duplicate id \"%s\" (also counters[%d])", path, c->id, d);
            return HK_ERR_INVALID;
        }
        if(cfg->counters[d].number == c->number) {
            hk_diag_set(diag, "%s.number: duplicate number %d (also counters[%d])", path, c->number,
                        d);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

static hk_err_t printer_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag)
{
    (void)base;
    (void)idx;
    if(cfg->printer.kind == CONFIG_PRINTER_NONE)
        return HK_OK;
    if(!cfg->printer.target[0]) {
        hk_diag_set(diag, "%s.target: %s", path,
                    cJSON_GetObjectItemCaseSensitive(obj, "target") ? "must not be empty"
                                                                    : "required");
        return HK_ERR_INVALID;
    }
    if(cfg->printer.kind == CONFIG_PRINTER_TCP) {
        const char *colon = strrchr(cfg->printer.target, ':');
        int port = 0;
        const char *p;

        for(p = colon ? colon + 1 : ""; *p >= '0' && *p <= '9' && port <= 65535; p++)
            port = port * 10 + (*p - '0');
        if(!colon || colon == cfg->printer.target || *p || p == colon + 1 || port < 1 ||
           port > 65535) {
            hk_diag_set(diag, "%s.target: expected \"host:port\"", path);
            return HK_ERR_INVALID;
        }
    }
    if(cfg->printer.kind == CONFIG_PRINTER_DEVICE && cfg->printer.target[0] != '/') {
        hk_diag_set(diag, "%s.target: a device must be an absolute path such as /dev/usb/lp0",
                    path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t display_finish(const cJSON *obj, void *base, config_t *cfg, int idx,
                               const char *path, hk_diag_t *diag)
{
    (void)base;
    (void)idx;
    (void)path;
    (void)diag;
    /* The size defaults follow the orientation. */
    if(cfg->display.orientation == CONFIG_ORIENT_LANDSCAPE) {
        if(!cJSON_GetObjectItemCaseSensitive(obj, "width"))
            cfg->display.width = 1920;
        if(!cJSON_GetObjectItemCaseSensitive(obj, "height"))
            cfg->display.height = 1080;
    }
    return HK_OK;
}

static hk_err_t top_finish(const cJSON *obj, void *base, config_t *cfg, int idx, const char *path,
                           hk_diag_t *diag)
{
    bool served[CONFIG_MAX_SERVICES] = { false };
    int i, k;

    (void)obj;
    (void)base;
    (void)idx;
    (void)path;
    for(i = 0; i < cfg->n_counters; i++)
        for(k = 0; k < cfg->counters[i].n_services; k++)
            served[cfg->counters[i].services[k]] = true;
    if(cfg->device.counter[0] && config_counter_index(cfg, cfg->device.counter) < 0) {
        hk_diag_set(diag, "device.counter: unknown counter \"%s\"", cfg->device.counter);
        return HK_ERR_INVALID;
    }
    if((ticket_url_has_sig(cfg->ticket_url_template) ||
        ticket_url_has_sig(cfg->ticket_submit_url_template)) &&
       !cfg->ticket_url_key[0]) {
        /* else every ticket would print without its QR code */
        hk_diag_set(diag, "ticket.url_key: required when ticket.url_template has {sig}");
        return HK_ERR_INVALID;
    }
    for(i = 0; i < cfg->n_services; i++) {
        if(!served[i]) {
            /* Its tickets would wait forever. */
            hk_diag_set(diag, "services[%d]: no counter serves \"%s\"", i, cfg->services[i].id);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}
