/*
 * faq_index: search over faq_content_t with SQLite FTS5 and its bm25
 * ranking. At index time every article's title, keywords and body are fed
 * to FTS5 with extra tokens so one query box serves every customer:
 * Chinese character bigrams (and single characters), the full pinyin of
 * each Chinese word and its initials ("携号转网" -> xie hao zhuan wang,
 * xiehaozhuanwang, xhzw), and Latin words. Hanzi readings come from the
 * input method's data (rime-data-pinyin-simp's pinyin_simp.dict.yaml),
 * never from a table of our own. A query is tokenised the same way;
 * prefix matching serves search-as-you-type and a bounded edit-distance
 * pass over the index's vocabulary forgives small typos.
 *
 * The index lives in an in-memory SQLite database built at open (content
 * changes rebuild it). Not thread-safe: one owner thread.
 */
#ifndef HK_APP_CORE_FAQ_INDEX_H
#define HK_APP_CORE_FAQ_INDEX_H

#include "faq_content.h"
#include "hk_err.h"
#include "i18n.h"

typedef struct faq_index faq_index_t;

typedef struct faq_hit {
    int article;  /* index into the content's articles */
    double score; /* higher is better */
} faq_hit_t;

/**
 * Build the index over c (which must outlive it).
 * @param readings_path  the rime dict to take readings from; NULL = the
 *                       installed /usr/share/rime-data/pinyin_simp.dict.yaml.
 * @return HK_ERR_IO readings not found (diag says where it looked).
 */
hk_err_t faq_index_open(const faq_content_t *c, const char *readings_path, faq_index_t **out,
                        hk_diag_t *diag);
void faq_index_close(faq_index_t *ix); /* NULL ok */

/**
 * Ranked articles for query (as typed so far), best first, preferring
 * articles with text in lang.
 * @return the number of hits written (0..max), or -1 on an SQLite error.
 */
int faq_index_search(faq_index_t *ix, const char *query, i18n_lang_t lang, faq_hit_t *hits,
                     int max);

#endif
