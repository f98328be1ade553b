/*
 * faq_content: faq.json and triage.json parsed and validated whole (see
 * faq_content.h and docs/faq-content.md).
 *
 * Design notes
 * ------------
 * Everything a parse produces (the arrays, every string, the block lists)
 * lives in one arena owned by the faq_content_t; triage has an arena of
 * its own so faq_triage_parse() can replace it without touching the FAQ.
 * A parse builds into a fresh arena and hands it over only when every
 * field passed: a refused document leaves nothing behind and, for
 * triage, the caller's content untouched.
 *
 * Checks run in document order and stop at the first problem, reported
 * as "articles[12].zh-CN.body[3].ul[0]: emphasis ** not closed". Unknown
 * keys and keys given twice are refused (hk_json_check_keys; keys starting
 * with '_' are comments). Ids are unique: a sorted index of the article
 * ids finds duplicates in n log n (a head-office file may hold thousands)
 * and serves faq_content_find() afterwards.
 */
#include "faq_content.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_json.h"
#include "hk_log.h"
#include "hk_mem.h"

#define PATH_CAP        HK_JSON_PATH_CAP
#define ARENA_CHUNK     (64 * 1024)
#define FAQ_MAX_DEPTH   12 /* the schema needs 6; comments may nest a little */
#define VERSION_CAP     FAQ_VERSION_LEN
#define LOG_MOD         "faq"
#define FILE_PATH_CAP   1024
#define ARTICLE_VER_MAX 1000000000

/* Types -------------------------------------------------------------------*/

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    /* data follows, max_align_t aligned */
} arena_chunk_t;

typedef struct arena {
    arena_chunk_t *head;
} arena_t;

typedef struct content_priv {
    arena_t faq;
    arena_t triage;
    const faq_article_t **sorted; /* the articles sorted by id */
} content_priv_t;

/* Static prototypes -------------------------------------------------------*/
static hk_err_t parse_root(const char *json, size_t len, const hk_json_limits_t *lim,
                           const char *const *keys, cJSON **out, hk_diag_t *diag);
static void *arena_alloc(arena_t *a, size_t n);
static char *arena_strdup(arena_t *a, const char *s);
static void arena_free(arena_t *a);
static const char *need_string(const cJSON *it, const char *path, hk_diag_t *diag);
static hk_err_t check_id(const cJSON *it, const char *path, char *dst, hk_diag_t *diag);
static hk_err_t check_text(const cJSON *it, const char *path, size_t max, bool emphasis,
                           hk_diag_t *diag);
static hk_err_t get_array(const cJSON *obj, const char *key, const char *path, int lo, int hi,
                          const cJSON **out, hk_diag_t *diag);
static hk_err_t get_version(const cJSON *root, char *dst, hk_diag_t *diag);
static hk_err_t parse_titles(arena_t *a, const cJSON *obj, const char *path, const char **titles,
                             hk_diag_t *diag);
static hk_err_t parse_category(arena_t *a, const cJSON *obj, const char *path, faq_category_t *cat,
                               hk_diag_t *diag);
static hk_err_t parse_head(arena_t *a, const cJSON *obj, const char *path, const char *const *keys,
                           char *id, char *icon, const char **titles, hk_diag_t *diag);
static hk_err_t check_object(const cJSON *obj, const char *path, const char *const *keys,
                             hk_diag_t *diag);
static hk_err_t need_object(const cJSON *obj, const char *path, const char *shape, hk_diag_t *diag);
static hk_err_t get_id(const cJSON *obj, const char *key, const char *path, char *dst,
                       hk_diag_t *diag);
static hk_err_t parse_article(arena_t *a, const faq_content_t *c, const cJSON *obj,
                              const char *path, faq_article_t *art, hk_diag_t *diag);
static hk_err_t parse_text(arena_t *a, const cJSON *obj, const char *path, faq_text_t *t,
                           hk_diag_t *diag);
static hk_err_t parse_block(arena_t *a, const cJSON *obj, const char *path, faq_block_t *b,
                            hk_diag_t *diag);
static hk_err_t parse_need(arena_t *a, const faq_content_t *c, const cJSON *obj, const char *path,
                           triage_need_t *need, hk_diag_t *diag);
static hk_err_t parse_route(const faq_content_t *c, const cJSON *obj, const char *path,
                            triage_route_t *r, hk_diag_t *diag);
static hk_err_t sort_articles(faq_content_t *c, content_priv_t *priv, hk_diag_t *diag);
static int cmp_article_ids(const void *x, const void *y);
static void item_path(char *dst, size_t cap, const char *pfx, const char *key, int i);
static hk_err_t read_file(const char *path, char **buf, size_t *len, size_t max, hk_diag_t *diag);
static hk_err_t parse_member(const cJSON *root, const char *key, faq_content_t **c,
                             hk_diag_t *diag);

/* Static data -------------------------------------------------------------*/
static const char *const submit_categories[] = { FAQ_SUBMIT_CATEGORIES, NULL };
static const char *const lang_keys[I18N_LANG_COUNT] = { "zh-CN", "en" };
static const char *const top_keys[] = { "version", "categories", "articles", NULL };
static const char *const cat_keys[] = { "id", "icon", "title", NULL };
static const char *const title_keys[] = { "zh-CN", "en", NULL };
static const char *const art_keys[] = {
    "id", "category", "service", "version", "zh-CN", "en", NULL
};
static const char *const text_keys[] = { "title", "keywords", "body", NULL };
static const char *const block_keys[] = { "p", "ul", "ol", NULL };
static const char *const triage_keys[] = { "version", "needs", NULL };
static const char *const bundle_keys[] = { "version", "faq", "triage", NULL };
static const char *const need_keys[] = { "id", "icon", "title", "route", "fallback", NULL };
static const char *const route_faq_keys[] = { "kind", "article", NULL };
static const char *const route_queue_keys[] = { "kind", "service", NULL };
static const char *const route_submit_keys[] = { "kind", "category", NULL };

/* Public functions --------------------------------------------------------*/

hk_err_t faq_content_parse(const char *json, size_t len, faq_content_t **out, hk_diag_t *diag)
{
    hk_json_limits_t lim = { FAQ_JSON_MAX_BYTES, FAQ_MAX_DEPTH };
    char path[PATH_CAP];
    cJSON *root = NULL;
    const cJSON *cats, *arts, *it;
    faq_content_t *c = NULL;
    content_priv_t *priv = NULL;
    faq_category_t *catv;
    faq_article_t *artv;
    hk_err_t rc;
    int i, k;

    if(out)
        *out = NULL;
    hk_diag_clear(diag);
    rc = parse_root(json, len, &lim, top_keys, &root, diag);
    if(rc != HK_OK)
        return rc;
    c = hk_calloc(1, sizeof(*c));
    priv = hk_calloc(1, sizeof(*priv));
    if(!c || !priv) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    c->priv = priv;
    rc = get_version(root, c->version, diag);
    if(rc != HK_OK)
        goto out;
    rc = get_array(root, "categories", "", 1, FAQ_MAX_CATEGORIES, &cats, diag);
    if(rc != HK_OK)
        goto out;
    rc = get_array(root, "articles", "", 1, FAQ_MAX_ARTICLES, &arts, diag);
    if(rc != HK_OK)
        goto out;

    catv = arena_alloc(&priv->faq, (size_t)cJSON_GetArraySize(cats) * sizeof(*catv));
    artv = arena_alloc(&priv->faq, (size_t)cJSON_GetArraySize(arts) * sizeof(*artv));
    if(!catv || !artv) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    c->categories = catv;
    c->articles = artv;
    i = 0;
    cJSON_ArrayForEach(it, cats)
    {
        item_path(path, sizeof(path), "categories", NULL, i);
        rc = parse_category(&priv->faq, it, path, &catv[i], diag);
        if(rc != HK_OK)
            goto out;
        for(k = 0; k < i; k++) {
            if(strcmp(catv[k].id, catv[i].id) == 0) {
                hk_diag_set(diag, "%s.id: \"%s\" is also categories[%d]", path, catv[i].id, k);
                rc = HK_ERR_INVALID;
                goto out;
            }
        }
        c->n_categories = ++i;
    }
    i = 0;
    cJSON_ArrayForEach(it, arts)
    {
        item_path(path, sizeof(path), "articles", NULL, i);
        rc = parse_article(&priv->faq, c, it, path, &artv[i], diag);
        if(rc != HK_OK)
            goto out;
        c->n_articles = ++i;
    }
    rc = sort_articles(c, priv, diag);
out:
    cJSON_Delete(root);
    if(rc != HK_OK) {
        faq_content_free(c);
        if(!c)
            hk_free(priv);
        if(rc == HK_ERR_NOMEM && diag && !diag->msg[0])
            hk_diag_set(diag, "out of memory");
        return rc;
    }
    *out = c;
    return HK_OK;
}

hk_err_t faq_triage_parse(faq_content_t *c, const char *json, size_t len, hk_diag_t *diag)
{
    hk_json_limits_t lim = { TRIAGE_JSON_MAX_BYTES, FAQ_MAX_DEPTH };
    char path[PATH_CAP], version[VERSION_CAP];
    content_priv_t *priv;
    arena_t fresh = { NULL };
    cJSON *root = NULL;
    const cJSON *needs, *it;
    triage_need_t *nv;
    hk_err_t rc;
    int i = 0, k;

    hk_diag_clear(diag);
    if(!c || !c->priv) {
        hk_diag_set(diag, "no FAQ content to route to");
        return HK_ERR_INVALID;
    }
    priv = c->priv;
    rc = parse_root(json, len, &lim, triage_keys, &root, diag);
    if(rc != HK_OK)
        return rc;
    rc = get_version(root, version, diag);
    if(rc == HK_OK)
        rc = get_array(root, "needs", "", 1, TRIAGE_MAX_NEEDS, &needs, diag);
    if(rc != HK_OK)
        goto out;
    nv = arena_alloc(&fresh, (size_t)cJSON_GetArraySize(needs) * sizeof(*nv));
    if(!nv) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    cJSON_ArrayForEach(it, needs)
    {
        item_path(path, sizeof(path), "needs", NULL, i);
        rc = parse_need(&fresh, c, it, path, &nv[i], diag);
        if(rc != HK_OK)
            goto out;
        for(k = 0; k < i; k++) {
            if(strcmp(nv[k].id, nv[i].id) == 0) {
                hk_diag_set(diag, "%s.id: \"%s\" is also needs[%d]", path, nv[i].id, k);
                rc = HK_ERR_INVALID;
                goto out;
            }
        }
        i++;
    }
    arena_free(&priv->triage);
    priv->triage = fresh;
    fresh.head = NULL;
    memcpy(c->triage_version, version, sizeof(version));
    c->n_needs = i;
    c->needs = nv;
out:
    cJSON_Delete(root);
    arena_free(&fresh);
    if(rc == HK_ERR_NOMEM && diag && !diag->msg[0])
        hk_diag_set(diag, "out of memory");
    return rc;
}

hk_err_t faq_triage_check_services(const faq_content_t *c, const char *const *service_ids, int n,
                                   hk_diag_t *diag)
{
    int i, r, k;

    if(!c)
        return HK_OK;
    for(i = 0; i < c->n_needs; i++) {
        for(r = 0; r < 2; r++) {
            const triage_route_t *rt = r == 0 ? &c->needs[i].route : &c->needs[i].fallback;
            bool found = false;

            if(rt->kind != TRIAGE_QUEUE)
                continue;
            for(k = 0; k < n && !found; k++)
                found = service_ids[k] && strcmp(service_ids[k], rt->target) == 0;
            if(!found) {
                hk_diag_set(diag, "needs[%d].%s.service: \"%s\" is not a service of this branch", i,
                            r == 0 ? "route" : "fallback", rt->target);
                return HK_ERR_INVALID;
            }
        }
    }
    return HK_OK;
}

hk_err_t faq_content_load(const char *faq_path, const char *triage_path, faq_content_t **out,
                          hk_diag_t *diag)
{
    char *buf = NULL;
    size_t len = 0;
    faq_content_t *c = NULL;
    hk_diag_t sub;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(!faq_path || !out) {
        hk_diag_set(diag, "no FAQ file");
        return HK_ERR_INVALID;
    }
    rc = read_file(faq_path, &buf, &len, FAQ_JSON_MAX_BYTES, diag);
    if(rc != HK_OK)
        return rc;
    rc = faq_content_parse(buf, len, &c, &sub);
    HK_SAFEFREE(buf);
    if(rc != HK_OK) {
        hk_diag_set(diag, "%s: %s", faq_path, sub.msg);
        return rc;
    }
    if(triage_path) {
        rc = read_file(triage_path, &buf, &len, TRIAGE_JSON_MAX_BYTES, diag);
        if(rc == HK_OK) {
            rc = faq_triage_parse(c, buf, len, &sub);
            HK_SAFEFREE(buf);
            if(rc != HK_OK)
                hk_diag_set(diag, "%s: %s", triage_path, sub.msg);
        }
        if(rc != HK_OK) {
            faq_content_free(c);
            return rc;
        }
    }
    *out = c;
    return HK_OK;
}

hk_err_t faq_content_parse_bundle(const char *json, size_t len, char *version, faq_content_t **out,
                                  hk_diag_t *diag)
{
    hk_json_limits_t lim = { FAQ_BUNDLE_MAX_BYTES, FAQ_MAX_DEPTH + 1 };
    char ver[VERSION_CAP];
    faq_content_t *c = NULL;
    cJSON *root = NULL;
    hk_err_t rc;

    if(out)
        *out = NULL;
    hk_diag_clear(diag);
    if(!out) {
        hk_diag_set(diag, "no output");
        return HK_ERR_INVALID;
    }
    rc = parse_root(json, len, &lim, bundle_keys, &root, diag);
    if(rc != HK_OK)
        return rc;
    rc = get_version(root, ver, diag);
    if(rc == HK_OK)
        rc = parse_member(root, "faq", &c, diag);
    if(rc == HK_OK)
        rc = parse_member(root, "triage", &c, diag);
    cJSON_Delete(root);
    if(rc != HK_OK) {
        faq_content_free(c);
        return rc;
    }
    if(version)
        memcpy(version, ver, sizeof(ver));
    *out = c;
    return HK_OK;
}

hk_err_t faq_content_load_current(const char *data_dir, const char *assets_dir,
                                  const char *const *service_ids, int n, faq_content_t **out,
                                  bool *pushed_out, hk_diag_t *diag)
{
    char path[FILE_PATH_CAP], triage[FILE_PATH_CAP];
    faq_content_t *c = NULL;
    char *buf = NULL;
    size_t len = 0;
    hk_diag_t d;
    hk_err_t rc;

    if(out)
        *out = NULL;
    if(pushed_out)
        *pushed_out = false;
    if(!out || !assets_dir) {
        hk_diag_set(diag, "no output or no assets dir");
        return HK_ERR_INVALID;
    }
    if(data_dir &&
       (size_t)snprintf(path, sizeof(path), "%s/%s", data_dir, FAQ_PUSHED_FILE) < sizeof(path)) {
        rc = read_file(path, &buf, &len, FAQ_BUNDLE_MAX_BYTES, &d);
        if(rc == HK_OK) {
            rc = faq_content_parse_bundle(buf, len, NULL, &c, &d);
            HK_SAFEFREE(buf);
            if(rc == HK_OK)
                rc = faq_triage_check_services(c, service_ids, n, &d);
            if(rc == HK_OK) {
                if(pushed_out)
                    *pushed_out = true;
                *out = c;
                return HK_OK;
            }
            faq_content_free(c);
            c = NULL;
            hk_log_warn(LOG_MOD, "%s: not used, the shipped content is: %s", path, d.msg);
        } else if(rc != HK_ERR_NOT_FOUND) {
            hk_log_warn(LOG_MOD, "%s", d.msg);
        }
    }
    if((size_t)snprintf(path, sizeof(path), "%s/faq.json", assets_dir) >= sizeof(path) ||
       (size_t)snprintf(triage, sizeof(triage), "%s/triage.json", assets_dir) >= sizeof(triage)) {
        hk_diag_set(diag, "assets dir path too long");
        return HK_ERR_INVALID;
    }
    rc = faq_content_load(path, triage, &c, diag);
    if(rc == HK_OK)
        rc = faq_triage_check_services(c, service_ids, n, diag);
    if(rc != HK_OK) {
        faq_content_free(c);
        return rc;
    }
    *out = c;
    return HK_OK;
}

void faq_content_free(faq_content_t *c)
{
    content_priv_t *priv;

    if(!c)
        return;
    priv = c->priv;
    if(priv) {
        arena_free(&priv->faq);
        arena_free(&priv->triage);
        hk_free(priv->sorted);
        hk_free(priv);
    }
    hk_free(c);
}

int faq_content_find(const faq_content_t *c, const char *id)
{
    const content_priv_t *priv;
    int lo = 0, hi;

    if(!c || !id || !c->priv)
        return -1;
    priv = c->priv;
    hi = c->n_articles - 1;
    while(lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int d = strcmp(priv->sorted[mid]->id, id);

        if(d == 0)
            return (int)(priv->sorted[mid] - c->articles);
        if(d < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

const faq_text_t *faq_article_text(const faq_article_t *a, i18n_lang_t lang)
{
    int l;

    if(!a)
        return NULL;
    if(lang >= 0 && lang < I18N_LANG_COUNT && a->text[lang].present)
        return &a->text[lang];
    for(l = 0; l < I18N_LANG_COUNT; l++)
        if(a->text[l].present)
            return &a->text[l];
    return &a->text[0]; /* never: a parsed article has one */
}

/* Static functions --------------------------------------------------------*/

/* The document, an object with only keys from keys; *out NULL on error. */
static hk_err_t parse_root(const char *json, size_t len, const hk_json_limits_t *lim,
                           const char *const *keys, cJSON **out, hk_diag_t *diag)
{
    hk_err_t rc = hk_json_parse(json, len, lim, out, diag);

    if(rc != HK_OK)
        return rc;
    if(!cJSON_IsObject(*out)) {
        hk_diag_set(diag, "expected an object at the top level");
        rc = HK_ERR_INVALID;
    } else {
        rc = hk_json_check_keys(*out, "", keys, diag);
    }
    if(rc != HK_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

static void *arena_alloc(arena_t *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    const size_t hdr = (sizeof(arena_chunk_t) + align - 1) / align * align;
    arena_chunk_t *ch = a->head;
    void *p;

    n = (n + align - 1) / align * align;
    if(n == 0)
        n = align;
    if(!ch || ch->cap - ch->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

        ch = hk_malloc(hdr + cap);
        if(!ch)
            return NULL;
        ch->used = 0;
        ch->cap = cap;
        ch->next = a->head;
        a->head = ch;
    }
    p = (char *)ch + hdr + ch->used;
    ch->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_strdup(arena_t *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(a, n);

    if(d)
        memcpy(d, s, n);
    return d;
}

static void arena_free(arena_t *a)
{
    while(a->head) {
        arena_chunk_t *next = a->head->next;

        hk_free(a->head);
        a->head = next;
    }
}

/* it's string, or NULL with "required" / "expected a string" */
static const char *need_string(const cJSON *it, const char *path, hk_diag_t *diag)
{
    if(!it) {
        hk_diag_set(diag, "%s: required", path);
        return NULL;
    }
    if(!cJSON_IsString(it) || !it->valuestring) {
        hk_diag_set(diag, "%s: expected a string", path);
        return NULL;
    }
    return it->valuestring;
}

/* [a-z0-9-]{1,40} */
static hk_err_t check_id(const cJSON *it, const char *path, char *dst, hk_diag_t *diag)
{
    const char *s;
    size_t i;

    s = need_string(it, path, diag);
    if(!s)
        return HK_ERR_INVALID;
    if(!s[0] || strlen(s) >= FAQ_ID_MAX) {
        hk_diag_set(diag, "%s: must be 1..%d characters", path, FAQ_ID_MAX - 1);
        return HK_ERR_INVALID;
    }
    for(i = 0; s[i]; i++) {
        char ch = s[i];

        if(!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
            hk_diag_set(diag, "%s: only a-z, 0-9 and '-' (\"%.40s\")", path,
                        hk_json_text_ok(s) ? s : "?");
            return HK_ERR_INVALID;
        }
    }
    memcpy(dst, s, i + 1);
    return HK_OK;
}

/* A non-empty one-line string of at most max bytes; with emphasis, its
 * ** markers must pair up and enclose something. */
static hk_err_t check_text(const cJSON *it, const char *path, size_t max, bool emphasis,
                           hk_diag_t *diag)
{
    const char *s, *p;
    size_t len;
    bool open = false;

    s = need_string(it, path, diag);
    if(!s)
        return HK_ERR_INVALID;
    len = strlen(s);
    if(len == 0) {
        hk_diag_set(diag, "%s: must not be empty", path);
        return HK_ERR_INVALID;
    }
    if(len > max) {
        hk_diag_set(diag, "%s: too long (%zu bytes, at most %zu)", path, len, max);
        return HK_ERR_INVALID;
    }
    if(!hk_json_text_ok(s)) {
        hk_diag_set(diag, "%s: not valid UTF-8 text (or has control characters)", path);
        return HK_ERR_INVALID;
    }
    if(!emphasis)
        return HK_OK;
    for(p = strstr(s, "**"); p; p = strstr(p + 2, "**")) {
        /* "***" or an empty "****": the reader could not tell what is meant */
        if(!open && p[2] == '*') {
            hk_diag_set(diag, "%s: \"***\" or empty emphasis: write **word**", path);
            return HK_ERR_INVALID;
        }
        open = !open;
    }
    if(open) {
        hk_diag_set(diag, "%s: emphasis ** not closed", path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t get_array(const cJSON *obj, const char *key, const char *path, int lo, int hi,
                          const cJSON **out, hk_diag_t *diag)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    char sub[PATH_CAP];
    int n;

    hk_json_path(sub, sizeof(sub), path, key);
    if(!arr) {
        hk_diag_set(diag, "%s: required", sub);
        return HK_ERR_INVALID;
    }
    if(!cJSON_IsArray(arr)) {
        hk_diag_set(diag, "%s: expected an array", sub);
        return HK_ERR_INVALID;
    }
    n = cJSON_GetArraySize(arr);
    if(n < lo || n > hi) {
        hk_diag_set(diag, "%s: %d items, must be %d..%d", sub, n, lo, hi);
        return HK_ERR_INVALID;
    }
    *out = arr;
    return HK_OK;
}

static hk_err_t get_version(const cJSON *root, char *dst, hk_diag_t *diag)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");

    if(!v) {
        hk_diag_set(diag, "version: required");
        return HK_ERR_INVALID;
    }
    if(cJSON_IsString(v) && v->valuestring && !v->valuestring[0]) {
        hk_diag_set(diag, "version: must not be empty");
        return HK_ERR_INVALID;
    }
    return hk_json_get_text(v, "version", dst, VERSION_CAP, diag);
}

/* {"zh-CN": "...", "en": "..."}, both required */
static hk_err_t parse_titles(arena_t *a, const cJSON *obj, const char *path, const char **titles,
                             hk_diag_t *diag)
{
    char sub[PATH_CAP];
    hk_err_t rc;
    int l;

    rc = need_object(obj, path, "{\"zh-CN\": ..., \"en\": ...}", diag);
    if(rc != HK_OK)
        return rc;
    rc = hk_json_check_keys(obj, path, title_keys, diag);
    if(rc != HK_OK)
        return rc;
    for(l = 0; l < I18N_LANG_COUNT; l++) {
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, lang_keys[l]);

        hk_json_path(sub, sizeof(sub), path, lang_keys[l]);
        rc = check_text(it, sub, FAQ_TITLE_MAX, false, diag);
        if(rc != HK_OK)
            return rc;
        titles[l] = arena_strdup(a, it->valuestring);
        if(!titles[l])
            return HK_ERR_NOMEM;
    }
    return HK_OK;
}

static hk_err_t parse_category(arena_t *a, const cJSON *obj, const char *path, faq_category_t *cat,
                               hk_diag_t *diag)
{
    return parse_head(a, obj, path, cat_keys, cat->id, cat->icon, cat->title, diag);
}

/* The object's keys, then its "id", "icon" and "title" (a category, a need). */
static hk_err_t parse_head(arena_t *a, const cJSON *obj, const char *path, const char *const *keys,
                           char *id, char *icon, const char **titles, hk_diag_t *diag)
{
    char sub[PATH_CAP];
    hk_err_t rc;

    rc = check_object(obj, path, keys, diag);
    if(rc == HK_OK)
        rc = get_id(obj, "id", path, id, diag);
    if(rc == HK_OK)
        rc = get_id(obj, "icon", path, icon, diag);
    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, "title");
    return parse_titles(a, cJSON_GetObjectItemCaseSensitive(obj, "title"), sub, titles, diag);
}

/* obj is present and an object (shape: how it looks, for the diag) */
static hk_err_t need_object(const cJSON *obj, const char *path, const char *shape, hk_diag_t *diag)
{
    if(!obj) {
        hk_diag_set(diag, "%s: required", path);
        return HK_ERR_INVALID;
    }
    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected an object%s%s", path, shape[0] ? " " : "", shape);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

/* obj is an object with only keys from keys */
static hk_err_t check_object(const cJSON *obj, const char *path, const char *const *keys,
                             hk_diag_t *diag)
{
    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected an object", path);
        return HK_ERR_INVALID;
    }
    return hk_json_check_keys(obj, path, keys, diag);
}

/* obj's key as an id into dst (FAQ_ID_MAX) */
static hk_err_t get_id(const cJSON *obj, const char *key, const char *path, char *dst,
                       hk_diag_t *diag)
{
    char sub[PATH_CAP];

    hk_json_path(sub, sizeof(sub), path, key);
    return check_id(cJSON_GetObjectItemCaseSensitive(obj, key), sub, dst, diag);
}

static hk_err_t parse_article(arena_t *a, const faq_content_t *c, const cJSON *obj,
                              const char *path, faq_article_t *art, hk_diag_t *diag)
{
    char sub[PATH_CAP], cat_id[FAQ_ID_MAX];
    const cJSON *it;
    hk_err_t rc;
    bool any = false;
    int l, k;

    rc = check_object(obj, path, art_keys, diag);
    if(rc == HK_OK)
        rc = get_id(obj, "id", path, art->id, diag);
    if(rc == HK_OK)
        rc = get_id(obj, "category", path, cat_id, diag);
    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, "category");
    art->category = -1;
    for(k = 0; k < c->n_categories; k++)
        if(strcmp(c->categories[k].id, cat_id) == 0)
            art->category = k;
    if(art->category < 0) {
        hk_diag_set(diag, "%s: no category \"%s\" in categories", sub, cat_id);
        return HK_ERR_INVALID;
    }
    it = cJSON_GetObjectItemCaseSensitive(obj, "service");
    if(it) {
        rc = get_id(obj, "service", path, art->service, diag);
        if(rc != HK_OK)
            return rc;
    }
    hk_json_path(sub, sizeof(sub), path, "version");
    it = cJSON_GetObjectItemCaseSensitive(obj, "version");
    if(!it) {
        hk_diag_set(diag, "%s: required", sub);
        return HK_ERR_INVALID;
    }
    rc = hk_json_get_int(it, sub, 1, ARTICLE_VER_MAX, &art->version, diag);
    if(rc != HK_OK)
        return rc;
    for(l = 0; l < I18N_LANG_COUNT; l++) {
        it = cJSON_GetObjectItemCaseSensitive(obj, lang_keys[l]);
        if(!it)
            continue;
        hk_json_path(sub, sizeof(sub), path, lang_keys[l]);
        rc = parse_text(a, it, sub, &art->text[l], diag);
        if(rc != HK_OK)
            return rc;
        any = true;
    }
    if(!any) {
        hk_diag_set(diag, "%s: needs its text in \"zh-CN\", \"en\" or both", path);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t parse_text(arena_t *a, const cJSON *obj, const char *path, faq_text_t *t,
                           hk_diag_t *diag)
{
    char sub[PATH_CAP], item[PATH_CAP];
    const cJSON *it, *kw, *body;
    const char **kws = NULL;
    faq_block_t *blocks;
    hk_err_t rc;
    int i, k;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected an object {\"title\", \"keywords\", \"body\"}", path);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, path, text_keys, diag);
    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, "title");
    it = cJSON_GetObjectItemCaseSensitive(obj, "title");
    rc = check_text(it, sub, FAQ_TITLE_MAX, false, diag);
    if(rc != HK_OK)
        return rc;
    t->title = arena_strdup(a, it->valuestring);
    if(!t->title)
        return HK_ERR_NOMEM;

    kw = cJSON_GetObjectItemCaseSensitive(obj, "keywords");
    if(kw) {
        rc = get_array(obj, "keywords", path, 0, FAQ_MAX_KEYWORDS, &kw, diag);
        if(rc != HK_OK)
            return rc;
        kws = arena_alloc(a, (size_t)cJSON_GetArraySize(kw) * sizeof(*kws));
        if(!kws)
            return HK_ERR_NOMEM;
        i = 0;
        cJSON_ArrayForEach(it, kw)
        {
            item_path(item, sizeof(item), path, "keywords", i);
            rc = check_text(it, item, FAQ_KEYWORD_MAX, false, diag);
            if(rc != HK_OK)
                return rc;
            for(k = 0; k < i; k++) {
                if(strcmp(kws[k], it->valuestring) == 0) {
                    hk_diag_set(diag, "%s: \"%s\" is also keywords[%d]", item, kws[k], k);
                    return HK_ERR_INVALID;
                }
            }
            kws[i] = arena_strdup(a, it->valuestring);
            if(!kws[i])
                return HK_ERR_NOMEM;
            t->n_keywords = ++i;
        }
    }
    t->keywords = kws;

    rc = get_array(obj, "body", path, 1, FAQ_MAX_BLOCKS, &body, diag);
    if(rc != HK_OK)
        return rc;
    blocks = arena_alloc(a, (size_t)cJSON_GetArraySize(body) * sizeof(*blocks));
    if(!blocks)
        return HK_ERR_NOMEM;
    t->blocks = blocks;
    i = 0;
    cJSON_ArrayForEach(it, body)
    {
        item_path(item, sizeof(item), path, "body", i);
        rc = parse_block(a, it, item, &blocks[i], diag);
        if(rc != HK_OK)
            return rc;
        t->n_blocks = ++i;
    }
    t->present = true;
    return HK_OK;
}

/* {"p": "text"} | {"ul": ["item", ...]} | {"ol": ["step", ...]} */
static hk_err_t parse_block(arena_t *a, const cJSON *obj, const char *path, faq_block_t *b,
                            hk_diag_t *diag)
{
    char sub[PATH_CAP], item[PATH_CAP];
    const cJSON *list, *it;
    const char **items;
    hk_err_t rc;
    int i;

    if(!cJSON_IsObject(obj)) {
        hk_diag_set(diag, "%s: expected {\"p\": ...}, {\"ul\": [...]} or {\"ol\": [...]}", path);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, path, block_keys, diag);
    if(rc != HK_OK)
        return rc;
    if(cJSON_GetArraySize(obj) != 1 || !obj->child->string || obj->child->string[0] == '_') {
        hk_diag_set(diag, "%s: one block holds exactly one of \"p\", \"ul\" or \"ol\"", path);
        return HK_ERR_INVALID;
    }
    it = obj->child;
    hk_json_path(sub, sizeof(sub), path, it->string);
    if(strcmp(it->string, "p") == 0) {
        rc = check_text(it, sub, FAQ_TEXT_MAX, true, diag);
        if(rc != HK_OK)
            return rc;
        items = arena_alloc(a, sizeof(*items));
        if(!items || !(items[0] = arena_strdup(a, it->valuestring)))
            return HK_ERR_NOMEM;
        b->kind = FAQ_BLOCK_P;
        b->n = 1;
        b->items = items;
        return HK_OK;
    }
    b->kind = strcmp(it->string, "ul") == 0 ? FAQ_BLOCK_UL : FAQ_BLOCK_OL;
    rc = get_array(obj, it->string, path, 1, FAQ_MAX_ITEMS, &list, diag);
    if(rc != HK_OK)
        return rc;
    items = arena_alloc(a, (size_t)cJSON_GetArraySize(list) * sizeof(*items));
    if(!items)
        return HK_ERR_NOMEM;
    b->items = items;
    i = 0;
    cJSON_ArrayForEach(it, list)
    {
        item_path(item, sizeof(item), sub, NULL, i);
        rc = check_text(it, item, FAQ_TEXT_MAX, true, diag);
        if(rc != HK_OK)
            return rc;
        items[i] = arena_strdup(a, it->valuestring);
        if(!items[i])
            return HK_ERR_NOMEM;
        b->n = ++i;
    }
    return HK_OK;
}

static hk_err_t parse_need(arena_t *a, const faq_content_t *c, const cJSON *obj, const char *path,
                           triage_need_t *need, hk_diag_t *diag)
{
    char sub[PATH_CAP];
    const cJSON *fb;
    hk_err_t rc;

    rc = parse_head(a, obj, path, need_keys, need->id, need->icon, need->title, diag);
    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, "route");
    rc = parse_route(c, cJSON_GetObjectItemCaseSensitive(obj, "route"), sub, &need->route, diag);
    if(rc != HK_OK)
        return rc;
    fb = cJSON_GetObjectItemCaseSensitive(obj, "fallback");
    need->fallback.kind = TRIAGE_NONE;
    if(!fb)
        return HK_OK;
    hk_json_path(sub, sizeof(sub), path, "fallback");
    rc = parse_route(c, fb, sub, &need->fallback, diag);
    if(rc != HK_OK)
        return rc;
    if(need->fallback.kind == need->route.kind &&
       strcmp(need->fallback.target, need->route.target) == 0) {
        hk_diag_set(diag, "%s: same as the route", sub);
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t parse_route(const faq_content_t *c, const cJSON *obj, const char *path,
                            triage_route_t *r, hk_diag_t *diag)
{
    char sub[PATH_CAP];
    const char *kind, *key;
    const char *const *keys;
    hk_err_t rc;
    int i;

    rc = need_object(obj, path, "{\"kind\": ..., ...}", diag);
    if(rc != HK_OK)
        return rc;
    kind = hk_json_str_of(obj, "kind");
    hk_json_path(sub, sizeof(sub), path, "kind");
    if(!kind) {
        hk_diag_set(diag, "%s: required, \"faq\", \"queue\" or \"submit\"", sub);
        return HK_ERR_INVALID;
    }
    if(strcmp(kind, "faq") == 0) {
        r->kind = TRIAGE_FAQ;
        keys = route_faq_keys;
        key = "article";
    } else if(strcmp(kind, "queue") == 0) {
        r->kind = TRIAGE_QUEUE;
        keys = route_queue_keys;
        key = "service";
    } else if(strcmp(kind, "submit") == 0) {
        r->kind = TRIAGE_SUBMIT;
        keys = route_submit_keys;
        key = "category";
    } else {
        hk_diag_set(diag, "%s: expected \"faq\", \"queue\" or \"submit\"", sub);
        return HK_ERR_INVALID;
    }
    rc = hk_json_check_keys(obj, path, keys, diag);
    if(rc != HK_OK)
        return rc;
    hk_json_path(sub, sizeof(sub), path, key);
    rc = get_id(obj, key, path, r->target, diag);
    if(rc != HK_OK)
        return rc;
    if(r->kind == TRIAGE_FAQ && faq_content_find(c, r->target) < 0) {
        hk_diag_set(diag, "%s: no article \"%s\" in the FAQ", sub, r->target);
        return HK_ERR_INVALID;
    }
    if(r->kind == TRIAGE_SUBMIT) {
        for(i = 0; submit_categories[i]; i++)
            if(strcmp(submit_categories[i], r->target) == 0)
                return HK_OK;
        hk_diag_set(diag, "%s: not a submission category (%s)", sub,
                    "signal, broadband, billing, complaint, suggestion, other");
        return HK_ERR_INVALID;
    }
    return HK_OK;
}

static hk_err_t sort_articles(faq_content_t *c, content_priv_t *priv, hk_diag_t *diag)
{
    int i;

    priv->sorted = hk_malloc((size_t)c->n_articles * sizeof(*priv->sorted));
    if(!priv->sorted)
        return HK_ERR_NOMEM;
    for(i = 0; i < c->n_articles; i++)
        priv->sorted[i] = &c->articles[i];
    qsort(priv->sorted, (size_t)c->n_articles, sizeof(*priv->sorted), cmp_article_ids);
    for(i = 1; i < c->n_articles; i++) {
        if(strcmp(priv->sorted[i - 1]->id, priv->sorted[i]->id) == 0) {
            int lo = (int)(priv->sorted[i - 1] - c->articles);
            int hi = (int)(priv->sorted[i] - c->articles);

            hk_diag_set(diag, "articles[%d].id: \"%s\" is also articles[%d]", hi,
                        c->articles[hi].id, lo);
            return HK_ERR_INVALID;
        }
    }
    return HK_OK;
}

/* Ties broken by position (one array), so a duplicate's report names the
 * first two of its kind. */
static int cmp_article_ids(const void *x, const void *y)
{
    const faq_article_t *a = *(const faq_article_t *const *)x;
    const faq_article_t *b = *(const faq_article_t *const *)y;
    int d = strcmp(a->id, b->id);

    return d ? d : (a > b) - (a < b);
}

/* "pfx.key[i]" (key may be NULL: "pfx[i]"), truncated quietly at cap. */
static void item_path(char *dst, size_t cap, const char *pfx, const char *key, int i)
{
    size_t n;

    if(key)
        hk_json_path(dst, cap, pfx, key);
    else
        hk_json_path(dst, cap, "", pfx);
    n = strlen(dst);
    if(n < cap)
        (void)snprintf(dst + n, cap - n, "[%d]", i); /* truncation is fine in a diag */
}

/* root's key (an object) parsed as faq.json ("faq": *c created) or as
 * triage.json ("triage": into *c); diags get the key as prefix. */
static hk_err_t parse_member(const cJSON *root, const char *key, faq_content_t **c, hk_diag_t *diag)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
    char *text;
    hk_diag_t sub;
    hk_err_t rc;

    rc = need_object(it, key, "", diag);
    if(rc != HK_OK)
        return rc;
    /* the member was parsed under caps already; the parsers take text */
    text = cJSON_PrintUnformatted(it);
    if(!text) {
        hk_diag_set(diag, "out of memory");
        return HK_ERR_NOMEM;
    }
    hk_diag_clear(&sub);
    if(*c)
        rc = faq_triage_parse(*c, text, strlen(text), &sub);
    else
        rc = faq_content_parse(text, strlen(text), c, &sub);
    cJSON_free(text);
    if(rc != HK_OK)
        hk_diag_set(diag, "%s.%s", key, sub.msg);
    return rc;
}

static hk_err_t read_file(const char *path, char **buf, size_t *len, size_t max, hk_diag_t *diag)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t cap = 0, n = 0;

    *buf = NULL;
    if(!f) {
        hk_diag_set(diag, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? HK_ERR_NOT_FOUND : HK_ERR_IO;
    }
    for(;;) {
        size_t got;

        if(cap - n < 4096) {
            size_t ncap = cap ? cap * 2 : 64 * 1024;
            char *nb;

            if(ncap > max + 4096)
                ncap = max + 4096;
            if(ncap <= cap) {
                hk_diag_set(diag, "%s: over the %zu byte limit", path, max);
                hk_free(b);
                (void)fclose(f);
                return HK_ERR_INVALID;
            }
            nb = hk_realloc(b, ncap);
            if(!nb) {
                hk_free(b);
                (void)fclose(f);
                return HK_ERR_NOMEM;
            }
            b = nb;
            cap = ncap;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if(got == 0)
            break;
    }
    if(ferror(f)) {
        hk_diag_set(diag, "%s: read error", path);
        hk_free(b);
        (void)fclose(f);
        return HK_ERR_IO;
    }
    (void)fclose(f);
    if(n > max) {
        hk_diag_set(diag, "%s: over the %zu byte limit", path, max);
        hk_free(b);
        return HK_ERR_INVALID;
    }
    *buf = b;
    *len = n;
    return HK_OK;
}
