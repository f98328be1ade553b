/*
 * fuzz_faq_content: libFuzzer target for the FAQ and triage content
 * parsers. The input is split at the first NUL byte: the part before is
 * faq.json, the part after triage.json (no NUL: faq.json only, then the
 * same bytes as triage for a fixed small FAQ). Any input must give HK_OK
 * or an error with a diag, never a crash, a sanitizer report or a leak; a
 * parsed document must hold the model's invariants, and a refused triage
 * must leave the content's triage untouched.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "faq_content.h"
#include "hk_mem.h"

#define SMALL_FAQ                                                                             \
    "{\"version\":\"f\",\"categories\":[{\"id\":\"billing\",\"icon\":\"bill\","               \
    "\"title\":{\"zh-CN\":\"话费\",\"en\":\"Bills\"}}],\"articles\":[{\"id\":\"bill-pay\"," \
    "\"category\":\"billing\",\"version\":1,\"en\":{\"title\":\"Pay\","                       \
    "\"body\":[{\"p\":\"Pay **now**.\"}]}}]}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_content(const faq_content_t *c)
{
    int i, l, b, k;

    if(c->n_categories < 1 || c->n_categories > FAQ_MAX_CATEGORIES || c->n_articles < 1 ||
       c->n_articles > FAQ_MAX_ARTICLES)
        __builtin_trap();
    for(i = 0; i < c->n_articles; i++) {
        const faq_article_t *a = &c->articles[i];
        bool any = false;

        if(a->category < 0 || a->category >= c->n_categories || faq_content_find(c, a->id) != i)
            __builtin_trap();
        for(l = 0; l < I18N_LANG_COUNT; l++) {
            const faq_text_t *t = &a->text[l];

            if(!t->present)
                continue;
            any = true;
            if(!t->title || t->n_blocks < 1 || t->n_blocks > FAQ_MAX_BLOCKS ||
               strlen(t->title) > FAQ_TITLE_MAX)
                __builtin_trap();
            for(k = 0; k < t->n_keywords; k++)
                if(strlen(t->keywords[k]) > FAQ_KEYWORD_MAX)
                    __builtin_trap();
            for(b = 0; b < t->n_blocks; b++) {
                if(t->blocks[b].n < 1 || t->blocks[b].n > FAQ_MAX_ITEMS)
                    __builtin_trap();
                for(k = 0; k < t->blocks[b].n; k++)
                    if(strlen(t->blocks[b].items[k]) > FAQ_TEXT_MAX)
                        __builtin_trap();
            }
        }
        if(!any || !faq_article_text(a, I18N_EN)->present)
            __builtin_trap();
    }
    for(i = 0; i < c->n_needs; i++) {
        const triage_route_t *r = &c->needs[i].route;

        if(r->kind == TRIAGE_NONE || (r->kind == TRIAGE_FAQ && faq_content_find(c, r->target) < 0))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t faq_len = nul ? (size_t)(nul - text) : size;
    long live = hk_mem_live();
    const char *tr = nul ? nul + 1 : NULL;
    size_t tr_len = nul ? size - faq_len - 1 : 0;
    faq_content_t *c = NULL;
    hk_diag_t diag;
    hk_err_t rc;

    diag.msg[0] = '\0';
    rc = faq_content_parse(text, faq_len, &c, &diag);
    if(rc != HK_OK) {
        if(c != NULL || diag.msg[0] == '\0')
            __builtin_trap(); /* refused parse gave output or said nothing */
        if(!nul) {
            /* the same bytes as a triage document over a small FAQ */
            if(faq_content_parse(SMALL_FAQ, strlen(SMALL_FAQ), &c, &diag) != HK_OK)
                __builtin_trap();
            tr = text;
            tr_len = size;
        }
    } else {
        check_content(c);
    }
    if(c && tr) {
        diag.msg[0] = '\0';
        rc = faq_triage_parse(c, tr, tr_len, &diag);
        if(rc != HK_OK && (c->n_needs != 0 || diag.msg[0] == '\0'))
            __builtin_trap();
        check_content(c);
    }
    faq_content_free(c);
    if(hk_mem_live() != live)
        __builtin_trap(); /* leaked through hk_malloc (cJSON included) */
    return 0;
}
