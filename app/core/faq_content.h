/*
 * faq_content: the kiosk's self-help content, parsed and validated whole.
 * Two JSON documents, each shipped in assets/faq/ as the offline default
 * and replaced by the copy head office pushes (validated whole first; a
 * bad one is refused with the path of its first bad field and the last
 * good copy stays):
 *
 *   faq.json     categories and articles (docs/faq-content.md)
 *   triage.json  "What do you need?": the common needs and where each
 *                one routes the customer
 *
 * faq.json:
 *   { "version": "2026-11-26.1",
 *     "categories": [ { "id": "billing", "icon": "bill",
 *                       "title": { "zh-CN": "话费与账单", "en": "Bills and payments" } } ],
 *     "articles": [ { "id": "bill-check", "category": "billing",
 *                     "service": "payment",          (optional: config services[].id)
 *                     "version": 3,
 *                     "zh-CN": { "title": "...", "keywords": ["...", ...],
 *                                "body": [ { "p": "text with **emphasis**" },
 *                                          { "ul": ["item", "item"] },
 *                                          { "ol": ["step", "step"] } ] },
 *                     "en": { ... same shape ... } } ] }
 *   An article has zh-CN, en or both; a screen in the other language
 *   falls back to the one it has. Emphasis is **...**, balanced within a
 *   string. Ids are [a-z0-9-]{1,40}, unique.
 *
 * triage.json:
 *   { "version": "...",
 *     "needs": [ { "id": "pay-bill", "icon": "bill",
 *                  "title": { "zh-CN": "交话费", "en": "Pay a bill" },
 *                  "route": { "kind": "faq", "article": "bill-pay" }
 *                         | { "kind": "queue", "service": "payment" }
 *                         | { "kind": "submit", "category": "billing" },
 *                  "fallback": { same shape, optional: "still need help" } } ] }
 *
 * Immutable once parsed: share one faq_content_t across threads read-only.
 */
#ifndef HK_APP_CORE_FAQ_CONTENT_H
#define HK_APP_CORE_FAQ_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "hk_err.h"
#include "i18n.h"

#define FAQ_ID_MAX            41 /* bytes incl. NUL */
#define FAQ_MAX_CATEGORIES    32
#define FAQ_MAX_ARTICLES      20000
#define FAQ_MAX_BLOCKS        64 /* per article text */
#define FAQ_MAX_ITEMS         24 /* per list block */
#define FAQ_MAX_KEYWORDS      24
#define FAQ_TITLE_MAX         160  /* bytes of a title */
#define FAQ_TEXT_MAX          2000 /* bytes of one paragraph or list item */
#define TRIAGE_MAX_NEEDS      16
#define FAQ_KEYWORD_MAX       64                 /* bytes of one keyword */
#define FAQ_JSON_MAX_BYTES    (48 * 1024 * 1024) /* faq.json; a 20000-article file fits */
#define TRIAGE_JSON_MAX_BYTES (64 * 1024)
#define FAQ_BUNDLE_MAX_BYTES  (8 * 1024 * 1024)      /* a pushed bundle (faq + triage) */
#define FAQ_VERSION_LEN       64                     /* version strings, NUL included */
#define FAQ_PUSHED_FILE       "central-content.json" /* in the data dir: the last good push */

typedef enum faq_block_kind { FAQ_BLOCK_P = 0, FAQ_BLOCK_UL, FAQ_BLOCK_OL } faq_block_kind_t;

typedef struct faq_block {
    faq_block_kind_t kind;
    int n;              /* 1 for a paragraph */
    const char **items; /* UTF-8, may hold **emphasis** markers */
} faq_block_t;

typedef struct faq_text {
    bool present; /* false: the article has no text in this language */
    const char *title;
    int n_keywords;
    const char **keywords;
    int n_blocks;
    const faq_block_t *blocks;
} faq_text_t;

typedef struct faq_category {
    char id[FAQ_ID_MAX];
    char icon[FAQ_ID_MAX];              /* a name the UI knows; unknown = generic */
    const char *title[I18N_LANG_COUNT]; /* both required */
} faq_category_t;

typedef struct faq_article {
    char id[FAQ_ID_MAX];
    int category;             /* index into categories */
    char service[FAQ_ID_MAX]; /* related service id; "" = none */
    int version;
    faq_text_t text[I18N_LANG_COUNT];
} faq_article_t;

typedef enum triage_kind { TRIAGE_NONE = 0, TRIAGE_FAQ, TRIAGE_QUEUE, TRIAGE_SUBMIT } triage_kind_t;

typedef struct triage_route {
    triage_kind_t kind;
    char target[FAQ_ID_MAX]; /* article id, service id or submission category */
} triage_route_t;

typedef struct triage_need {
    char id[FAQ_ID_MAX];
    char icon[FAQ_ID_MAX];
    const char *title[I18N_LANG_COUNT];
    triage_route_t route;
    triage_route_t fallback; /* kind TRIAGE_NONE when absent */
} triage_need_t;

typedef struct faq_content {
    char version[64];
    int n_categories;
    const faq_category_t *categories;
    int n_articles;
    const faq_article_t *articles;
    /* triage (faq_triage_parse fills these; 0 / NULL otherwise) */
    char triage_version[64];
    int n_needs;
    const triage_need_t *needs;
    void *priv; /* arena; faq_content_free() releases everything */
} faq_content_t;

/** Submission categories (fixed: the form's choices and case routing). */
#define FAQ_SUBMIT_CATEGORIES "signal", "broadband", "billing", "complaint", "suggestion", "other"

/**
 * Parse and validate faq.json whole.
 * @param diag  "articles[12].zh-CN.body[3].ul[0]: emphasis ** not closed".
 * @param out   free with faq_content_free().
 * @return HK_ERR_INVALID (diag names the field), HK_ERR_NOMEM.
 */
hk_err_t faq_content_parse(const char *json, size_t len, faq_content_t **out, hk_diag_t *diag);

/**
 * Parse triage.json into c (replacing any triage it had), checking every
 * route against c: an faq route names an article of c, a submit route one
 * of FAQ_SUBMIT_CATEGORIES. A queue route's service is checked by the
 * caller against the branch config (faq_triage_check_services).
 */
hk_err_t faq_triage_parse(faq_content_t *c, const char *json, size_t len, hk_diag_t *diag);

/**
 * Check every queue route (route and fallback) of c's triage against the
 * branch's services: "needs[2].fallback.service: \"vip\" is not a service
 * of this branch".
 * @param service_ids  the branch config's services[].id, n of them.
 * @return HK_OK (also when c has no triage), HK_ERR_INVALID.
 */
hk_err_t faq_triage_check_services(const faq_content_t *c, const char *const *service_ids, int n,
                                   hk_diag_t *diag);

/** Read and parse a file (faq.json; triage_path may be NULL). */
hk_err_t faq_content_load(const char *faq_path, const char *triage_path, faq_content_t **out,
                          hk_diag_t *diag);

/**
 * Parse a bundle, as hall-central serves it (GET /v1/content) and the
 * device saves it: {"version":"…","faq":{…faq.json…},"triage":{…triage.json…}},
 * validated whole (diag "faq.articles[3].id: …", "triage.needs[1].route…").
 * @param version  receives the bundle's version (FAQ_VERSION_LEN); may be NULL.
 * @param out      free with faq_content_free(); NULL on error.
 */
hk_err_t faq_content_parse_bundle(const char *json, size_t len, char *version, faq_content_t **out,
                                  hk_diag_t *diag);

/**
 * The content the kiosk should show: the last good copy head office pushed
 * (DATA_DIR/FAQ_PUSHED_FILE, which sync saves) when it parses and its queue
 * routes name services of this branch, else the shipped faq.json and
 * triage.json in assets_dir. A pushed copy that fails is logged and skipped.
 * @param data_dir     the device's data dir; NULL = shipped content only.
 * @param assets_dir   the directory holding the shipped faq.json and triage.json.
 * @param service_ids  the branch config's services[].id, n of them.
 * @param pushed_out   true when the pushed copy was taken; may be NULL.
 * @return HK_OK; the shipped files' error (diag names file and field).
 */
hk_err_t faq_content_load_current(const char *data_dir, const char *assets_dir,
                                  const char *const *service_ids, int n, faq_content_t **out,
                                  bool *pushed_out, hk_diag_t *diag);

void faq_content_free(faq_content_t *c); /* NULL ok */

/** Index of the article with this id, -1 when none. */
int faq_content_find(const faq_content_t *c, const char *id);

/** The article's text in lang, or in the other language when it has none. */
const faq_text_t *faq_article_text(const faq_article_t *a, i18n_lang_t lang);

#endif
