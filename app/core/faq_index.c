/*
 * faq_index: the FAQ's search index, SQLite FTS5 in an in-memory database
 * built at open, ranked by bm25 with column weights (title > keywords >
 * body). It owns the token streams fed to FTS5 and the query expressions
 * built from what the customer typed; it does not parse content
 * (faq_content.c) nor draw results (app/ui).
 *
 * Design notes
 * ------------
 * Readings. The input method's dictionary (rime's pinyin_simp.dict.yaml:
 * "word<TAB>pin yin<TAB>weight" after the "..." line) gives the readings
 * of single hanzi and of phrases. Only entries whose every character
 * occurs in the content are kept (a bitmap of the content's hanzi is made
 * first), so the table holds a few thousand entries, not 65,000; for a
 * word with several readings the heaviest wins. Phrases segment a run of
 * hanzi (fewest words, then heaviest) and choose the reading of a
 * polyphone in context: 银行 is yin hang, 行李 xing li.
 *
 * Tokens. Each article text becomes one row of a contentless FTS5 table
 * (rowid = article * I18N_LANG_COUNT + language) with three columns, each
 * a space-separated token stream for FTS5's ascii tokenizer (bytes >= 0x80
 * are token characters, so a hanzi token stays whole):
 *   Latin words      lower-cased; a plural's stem too ("bills" -> bill)
 *   a hanzi run      every character, every bigram, every segmented word
 *                    of 3+ characters
 *   title, keyword   also, per segmented word, its syllables, its pinyin
 *                    in full (kuandai) and its initials (kd); the initials
 *                    of every 2..4 character window and the full pinyin and
 *                    initials of a whole run of <= 8, so "xhzw" finds
 *                    携号转网 though the dictionary has no such word
 * Pinyin stays out of the body: customers type pinyin for a topic, which
 * the title and keywords name, and pinyin in every paragraph made prefix
 * terms expand into doclists too long for a keystroke's budget.
 * Queries are cut the same way: a Latin word is one term, the last one a
 * prefix while the customer is still typing it (no trailing space); a
 * hanzi run is its bigrams (its character when alone).
 *
 * Search. Pass 1 requires every term (AND), pass 2, run only when pass 1
 * found fewer than FILL_BELOW articles, accepts any term (OR) and appends
 * what pass 1 did not find, ranked below it. Before either, a Latin term
 * of >= TYPO_MIN_LEN bytes that matches nothing in the index's vocabulary
 * (fts5vocab, read once at open into a sorted array with each term's row
 * count) is replaced by the vocabulary terms at edit distance 1 (Damerau:
 * one insertion, deletion, substitution or swap; for the prefix being
 * typed, distance to some prefix of the term) that share its first
 * letter, most frequent first. A term in more than half the rows (a
 * single letter typed after a word) is left out while rarer terms remain:
 * it filters little and bm25 gives it no weight.
 *
 * Ranking. hk_bm25 is FTS5's bm25 (same formula, k1 1.2, b 0.75, column
 * weights title 10, keywords 4, body 1) with one change: a phrase's IDF
 * comes from the vocabulary's row counts (a prefix: the sum over its
 * completions, at most every row) instead of FTS5's scan of every row the
 * phrase matches, which over 10,000 articles cost more than a keystroke.
 * A query whose estimated matches exceed WINDOW rows (the first letters
 * typed) is ranked over the first WINDOW matches in content order, the
 * title and keyword matches first, then any column's: bounded work per
 * keystroke; the content's own order breaks the tie among thousands of
 * equally vague matches. Each ranking is one statement, the first WINDOW
 * matches in rowid order with their hk_bm25, sorted here: FTS5's ORDER BY
 * rank would score every match, and a second statement to find the
 * window's end made FTS5 merge a long prefix's doclists twice. A row in
 * the preferred language scores LANG_BONUS times higher, and the best row
 * speaks for its article.
 *
 * Invariants: the vocabulary array is sorted bytewise (fts5vocab's order)
 * and holds every term (typo candidates come from its ASCII ones); ix->c
 * outlives ix; ix->idf holds one entry per phrase of the query running.
 */
#include "faq_index.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hk_log.h"
#include "hk_mem.h"

#define READINGS_DEFAULT "/usr/share/rime-data/pinyin_simp.dict.yaml"
#define READINGS_MAX     (16u * 1024u * 1024u) /* a dict bigger than this is not rime's */
#define HANZI_LIMIT      0x30000u              /* bitmap covers the BMP and planes 1-2 */
#define WORD_MAX_CHARS   8                     /* longest phrase used to segment */
#define RUN_MAX          64                    /* hanzi handled per segmentation chunk */
#define WINDOW_MAX       4                     /* title/keyword pinyin windows: 2..4 chars */
#define WHOLE_RUN_MAX    8                     /* ... and whole runs up to this */
#define TYPO_MIN_LEN     4
#define TYPO_MAX_ALTS    8
#define FILL_BELOW       5
#define LANG_BONUS       1.3
#define TERMS_MAX        32 /* query terms kept */
#define TERM_MAX_BYTES   64
#define WINDOW           128 /* rows a broad query is ranked over (design notes) */
#define PREFIX_INDEXED   4   /* FTS5's prefix='1 2 3 4' */
#define BM25_K1          1.2 /* FTS5's bm25 constants */
#define BM25_B           0.75

/* ---- types ----------------------------------------------------------------- */

typedef struct tbuf {
    char *p;
    size_t len, cap;
    bool nomem;
} tbuf_t;

typedef struct reading {
    uint32_t word;   /* offset of the word (UTF-8, NUL-terminated) in arena */
    uint32_t pinyin; /* offset of "pin yin" */
    uint32_t hash;
    int32_t weight;
    uint8_t word_len; /* bytes */
} reading_t;

typedef struct readings {
    reading_t *slots; /* open addressing; word == 0 means empty (arena[0] is unused) */
    uint32_t mask;
    uint32_t n;
    char *arena;
    size_t arena_len, arena_cap;
    int max_chars;
} readings_t;

typedef struct vocab {
    char **terms; /* sorted, ASCII */
    int *docs;
    int n;
    int first[257]; /* first[b]..first[b+1]-1: terms starting with byte b */
} vocab_t;

/* one hanzi of a run: where it is in the text and the reading chosen */
typedef struct hz {
    uint32_t cp;
    const char *s; /* UTF-8 bytes in the source text */
    int len;
    char syl[8]; /* syllable, "" when the dictionary has none */
} hz_t;

typedef struct term {
    char s[TERM_MAX_BYTES];
    bool prefix;
    bool latin;
    int n_alts; /* typo replacements; 0 = the term itself */
    char alts[TYPO_MAX_ALTS][TERM_MAX_BYTES];
} term_t;

struct faq_index {
    const faq_content_t *c;
    sqlite3 *db;
    sqlite3_stmt *q; /* the first WINDOW matches in rowid order, each with its hk_bm25 */
    readings_t rd;
    vocab_t vocab;
    tbuf_t expr;
    term_t terms[TERMS_MAX];
    int n_terms;
    long rows; /* FTS5 rows: article texts */
    /* the current query's phrases, in FTS5's order: their IDF for rank_fn */
    double idf[TERMS_MAX * TYPO_MAX_ALTS];
    int n_phrases;
    double avg_tokens; /* per row; 0 until rank_fn first needs it */
};

/* ---- static prototypes ----------------------------------------------------- */

static void tb_put(tbuf_t *b, const char *s, size_t n);
static void tb_tok(tbuf_t *b, const char *s, size_t n);
static uint32_t utf8_next(const char **p);
static bool is_hanzi(uint32_t cp);
static bool is_latin(unsigned char c);
static uint32_t fnv(const char *s, size_t n);
static hk_err_t readings_load(readings_t *rd, const char *path, const uint8_t *seen,
                              hk_diag_t *diag);
static const reading_t *readings_find(const readings_t *rd, const char *s, size_t n);
static void readings_free(readings_t *rd);
static void mark_text(uint8_t *seen, const char *s);
static void mark_content(uint8_t *seen, const faq_content_t *c);
static void segment(const readings_t *rd, hz_t *run, int n, int *word_end);
static void emit_text(const readings_t *rd, tbuf_t *b, const char *s, bool head);
static void emit_run(const readings_t *rd, tbuf_t *b, hz_t *run, int n, bool head);
static void emit_latin(tbuf_t *b, const char *w, size_t n);
static size_t plural_stem(const char *w, size_t n);
static void emit_pinyin_span(tbuf_t *b, const hz_t *run, int from, int to, bool initials);
static hk_err_t build(faq_index_t *ix, hk_diag_t *diag);
static hk_err_t rank_register(faq_index_t *ix, hk_diag_t *diag);
static hk_err_t vocab_load(faq_index_t *ix);
static void vocab_free(vocab_t *v);
static bool vocab_has(const vocab_t *v, const char *s, bool prefix);
static void typo_alts(const vocab_t *v, term_t *t);
static void prefix_alts(const vocab_t *v, term_t *t);
static int edit1(const char *a, size_t na, const char *b, size_t nb, bool prefix);
static void query_terms(faq_index_t *ix, const char *query);
static void add_term(faq_index_t *ix, const char *s, size_t n, bool prefix, bool latin);
static int run_pass(faq_index_t *ix, bool all, i18n_lang_t lang, faq_hit_t *hits, int n_have,
                    int max);

/* ---- public functions ------------------------------------------------------ */

hk_err_t faq_index_open(const faq_content_t *c, const char *readings_path, faq_index_t **out,
                        hk_diag_t *diag)
{
    faq_index_t *ix = NULL;
    uint8_t *seen = NULL;
    hk_err_t rc = HK_OK;

    *out = NULL;
    ix = hk_calloc(1, sizeof(*ix));
    seen = hk_calloc(HANZI_LIMIT / 8, 1);
    if(!ix || !seen) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    ix->c = c;
    mark_content(seen, c);
    rc = readings_load(&ix->rd, readings_path ? readings_path : READINGS_DEFAULT, seen, diag);
    if(rc != HK_OK)
        goto out;
    rc = build(ix, diag);
    if(rc != HK_OK)
        goto out;
    rc = vocab_load(ix);
    if(rc != HK_OK) {
        hk_diag_set(diag, "faq index: reading the vocabulary: %s", sqlite3_errmsg(ix->db));
        goto out;
    }
    *out = ix;
    ix = NULL;
out:
    hk_free(seen);
    faq_index_close(ix);
    return rc;
}

void faq_index_close(faq_index_t *ix)
{
    if(!ix)
        return;
    sqlite3_finalize(ix->q);
    sqlite3_close(ix->db);
    readings_free(&ix->rd);
    vocab_free(&ix->vocab);
    hk_free(ix->expr.p);
    hk_free(ix);
}

int faq_index_search(faq_index_t *ix, const char *query, i18n_lang_t lang, faq_hit_t *hits, int max)
{
    int n, i;

    if(max <= 0 || !query)
        return 0;
    query_terms(ix, query);
    if(ix->n_terms == 0)
        return 0;
    for(i = 0; i < ix->n_terms; i++) {
        term_t *t = &ix->terms[i];
        if(t->latin && strlen(t->s) >= TYPO_MIN_LEN && !vocab_has(&ix->vocab, t->s, t->prefix))
            typo_alts(&ix->vocab, t);
        else if(t->prefix && strlen(t->s) > PREFIX_INDEXED)
            prefix_alts(&ix->vocab, t);
    }
    n = run_pass(ix, true, lang, hits, 0, max);
    if(n >= 0 && n < FILL_BELOW && n < max && ix->n_terms > 1) {
        int m = run_pass(ix, false, lang, hits, n, max);
        if(m >= 0)
            n = m;
    }
    return n;
}

/* ---- static functions: buffers and UTF-8 ----------------------------------- */

static void tb_put(tbuf_t *b, const char *s, size_t n)
{
    if(b->nomem)
        return;
    if(b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while(cap < b->len + n + 1)
            cap *= 2;
        p = hk_realloc(b->p, cap);
        if(!p) {
            b->nomem = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* one token and its separator */
static void tb_tok(tbuf_t *b, const char *s, size_t n)
{
    if(n == 0)
        return;
    tb_put(b, s, n);
    tb_put(b, " ", 1);
}

/* Decode one code point and advance; malformed bytes decode as U+FFFD. */
static uint32_t utf8_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t cp;
    int n, i;

    if(s[0] < 0x80) {
        *p += 1;
        return s[0];
    }
    if((s[0] & 0xE0) == 0xC0) {
        cp = s[0] & 0x1Fu;
        n = 1;
    } else if((s[0] & 0xF0) == 0xE0) {
        cp = s[0] & 0x0Fu;
        n = 2;
    } else if((s[0] & 0xF8) == 0xF0) {
        cp = s[0] & 0x07u;
        n = 3;
    } else {
        *p += 1;
        return 0xFFFD;
    }
    for(i = 1; i <= n; i++) {
        if((s[i] & 0xC0) != 0x80) {
            *p += i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    *p += n + 1;
    return cp;
}

static bool is_hanzi(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp < HANZI_LIMIT);
}

static bool is_latin(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for(i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* ---- static functions: readings -------------------------------------------- */

static void mark_text(uint8_t *seen, const char *s)
{
    if(!s)
        return;
    while(*s) {
        uint32_t cp = utf8_next(&s);
        if(is_hanzi(cp))
            seen[cp >> 3] = (uint8_t)(seen[cp >> 3] | (1u << (cp & 7)));
    }
}

static void mark_content(uint8_t *seen, const faq_content_t *c)
{
    int a, l, k, b, i;

    for(a = 0; a < c->n_articles; a++) {
        for(l = 0; l < I18N_LANG_COUNT; l++) {
            const faq_text_t *t = &c->articles[a].text[l];
            if(!t->present)
                continue;
            mark_text(seen, t->title);
            for(k = 0; k < t->n_keywords; k++)
                mark_text(seen, t->keywords[k]);
            for(b = 0; b < t->n_blocks; b++)
                for(i = 0; i < t->blocks[b].n; i++)
                    mark_text(seen, t->blocks[b].items[i]);
        }
    }
}

static uint32_t arena_add(readings_t *rd, const char *s, size_t n)
{
    uint32_t off;

    if(rd->arena_len + n + 1 > rd->arena_cap) {
        size_t cap = rd->arena_cap ? rd->arena_cap * 2 : 65536;
        char *p;
        while(cap < rd->arena_len + n + 1)
            cap *= 2;
        p = hk_realloc(rd->arena, cap);
        if(!p)
            return 0;
        rd->arena = p;
        rd->arena_cap = cap;
    }
    off = (uint32_t)rd->arena_len;
    memcpy(rd->arena + off, s, n);
    rd->arena[off + n] = '\0';
    rd->arena_len += n + 1;
    return off;
}

static hk_err_t readings_grow(readings_t *rd)
{
    uint32_t cap = rd->mask ? (rd->mask + 1) * 2 : 4096, i;
    reading_t *slots = hk_calloc(cap, sizeof(*slots));

    if(!slots)
        return HK_ERR_NOMEM;
    for(i = 0; rd->mask && i <= rd->mask; i++) {
        uint32_t j;
        if(!rd->slots[i].word)
            continue;
        for(j = rd->slots[i].hash & (cap - 1); slots[j].word; j = (j + 1) & (cap - 1)) {
        }
        slots[j] = rd->slots[i];
    }
    hk_free(rd->slots);
    rd->slots = slots;
    rd->mask = cap - 1;
    return HK_OK;
}

static const reading_t *readings_find(const readings_t *rd, const char *s, size_t n)
{
    uint32_t h = fnv(s, n), j;

    if(!rd->mask)
        return NULL;
    for(j = h & rd->mask; rd->slots[j].word; j = (j + 1) & rd->mask) {
        const reading_t *r = &rd->slots[j];
        if(r->hash == h && r->word_len == n && !memcmp(rd->arena + r->word, s, n))
            return r;
    }
    return NULL;
}

/* Keep one dictionary line when every character is in the content. */
static hk_err_t readings_line(readings_t *rd, const uint8_t *seen, const char *w, size_t wn,
                              const char *py, size_t pn, long weight)
{
    const char *p = w, *end = w + wn;
    int chars = 0;
    uint32_t h, j;
    reading_t *r;

    while(p < end) {
        uint32_t cp = utf8_next(&p);
        if(!is_hanzi(cp) || !(seen[cp >> 3] & (1u << (cp & 7))))
            return HK_OK;
        chars++;
    }
    if(chars == 0 || chars > WORD_MAX_CHARS || pn == 0 || pn > 60)
        return HK_OK;
    h = fnv(w, wn);
    if((rd->n + 1) * 2 > (rd->mask ? rd->mask + 1 : 0) && readings_grow(rd) != HK_OK)
        return HK_ERR_NOMEM;
    for(j = h & rd->mask; rd->slots[j].word; j = (j + 1) & rd->mask) {
        r = &rd->slots[j];
        if(r->hash == h && r->word_len == wn && !memcmp(rd->arena + r->word, w, wn)) {
            if(weight > r->weight) { /* the heavier reading of a polyphone */
                uint32_t off = arena_add(rd, py, pn);
                if(!off)
                    return HK_ERR_NOMEM;
                r->pinyin = off;
                r->weight = (int32_t)weight;
            }
            return HK_OK;
        }
    }
    r = &rd->slots[j];
    r->word = arena_add(rd, w, wn);
    r->pinyin = r->word ? arena_add(rd, py, pn) : 0;
    if(!r->word || !r->pinyin) {
        memset(r, 0, sizeof(*r));
        return HK_ERR_NOMEM;
    }
    r->hash = h;
    r->word_len = (uint8_t)wn;
    r->weight = (int32_t)(weight > INT32_MAX ? INT32_MAX : weight);
    rd->n++;
    if(chars > rd->max_chars)
        rd->max_chars = chars;
    return HK_OK;
}

static hk_err_t readings_load(readings_t *rd, const char *path, const uint8_t *seen,
                              hk_diag_t *diag)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *p, *end;
    long size;
    hk_err_t rc = HK_OK;
    bool body = false;

    if(!f) {
        hk_diag_set(diag, "faq index: hanzi readings %s: %s (install rime-data-pinyin-simp)", path,
                    strerror(errno));
        return HK_ERR_IO;
    }
    if(fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > (long)READINGS_MAX ||
       fseek(f, 0, SEEK_SET) != 0) {
        hk_diag_set(diag, "faq index: hanzi readings %s: unreadable or too big", path);
        fclose(f);
        return HK_ERR_IO;
    }
    buf = hk_malloc((size_t)size + 1);
    if(!buf) {
        fclose(f);
        return HK_ERR_NOMEM;
    }
    if(fread(buf, 1, (size_t)size, f) != (size_t)size) {
        hk_diag_set(diag, "faq index: hanzi readings %s: read error", path);
        rc = HK_ERR_IO;
        goto out;
    }
    buf[size] = '\0';
    /* arena offset 0 means "empty slot": waste its first byte */
    if(!arena_add(rd, "", 0) && rd->arena_len == 0) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    for(p = buf, end = buf + size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p)), *line = p, *t1, *t2;
        size_t n;
        if(!nl)
            nl = end;
        n = (size_t)(nl - line);
        p = nl + 1;
        if(n && line[n - 1] == '\r')
            n--;
        if(!body) {
            body = n == 3 && !memcmp(line, "...", 3);
            continue;
        }
        if(n == 0 || line[0] == '#')
            continue;
        t1 = memchr(line, '\t', n);
        if(!t1)
            continue;
        t2 = memchr(t1 + 1, '\t', (size_t)(line + n - (t1 + 1)));
        rc = readings_line(rd, seen, line, (size_t)(t1 - line), t1 + 1,
                           (size_t)((t2 ? t2 : line + n) - (t1 + 1)),
                           t2 ? strtol(t2 + 1, NULL, 10) : 0);
        if(rc != HK_OK)
            goto out;
    }
    if(!body) {
        hk_diag_set(diag, "faq index: hanzi readings %s: no \"...\" line (not a rime dict)", path);
        rc = HK_ERR_IO;
    }
out:
    hk_free(buf);
    fclose(f);
    return rc;
}

static void readings_free(readings_t *rd)
{
    hk_free(rd->slots);
    hk_free(rd->arena);
    memset(rd, 0, sizeof(*rd));
}

/* ---- static functions: tokens ---------------------------------------------- */

/* "bills" -> 4 ("bill"); 0 when w is no plural we strip */
static size_t plural_stem(const char *w, size_t n)
{
    if(n < 4 || w[n - 1] != 's' || w[n - 2] == 's' || w[n - 2] == 'u' || w[n - 2] == 'i')
        return 0;
    return n - 1;
}

static void emit_latin(tbuf_t *b, const char *w, size_t n)
{
    char low[TERM_MAX_BYTES];
    size_t i, stem;

    if(n >= sizeof(low))
        n = sizeof(low) - 1;
    for(i = 0; i < n; i++)
        low[i] = (char)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] - 'A' + 'a' : w[i]);
    tb_tok(b, low, n);
    stem = plural_stem(low, n);
    if(stem)
        tb_tok(b, low, stem);
}

/* run[from..to)'s full pinyin as one token (when full), and its initials
 * as another. */
static void emit_pinyin_span(tbuf_t *b, const hz_t *run, int from, int to, bool full_too)
{
    char full[WHOLE_RUN_MAX * 8 + 1], ini[WHOLE_RUN_MAX + 1];
    size_t nf = 0, ni = 0;
    int i;

    for(i = from; i < to; i++) {
        size_t l = strlen(run[i].syl);
        if(l == 0 || nf + l >= sizeof(full) || ni + 1 >= sizeof(ini))
            return; /* a character without a reading: no pinyin for the span */
        memcpy(full + nf, run[i].syl, l);
        nf += l;
        ini[ni++] = run[i].syl[0];
    }
    if(full_too)
        tb_tok(b, full, nf);
    tb_tok(b, ini, ni);
}

/* Segment run[0..n) into dictionary words (fewest words, then heaviest),
 * set each character's syllable from its word's reading, and write
 * word_end[i] = the end of the word starting at i (0 elsewhere). */
static void segment(const readings_t *rd, hz_t *run, int n, int *word_end)
{
    int cnt[RUN_MAX + 1], from[RUN_MAX + 1];
    double wt[RUN_MAX + 1];
    const reading_t *used[RUN_MAX + 1];
    int i, j, maxc = rd->max_chars < 1 ? 1 : rd->max_chars;

    cnt[0] = 0;
    wt[0] = 0;
    for(i = 1; i <= n; i++) {
        cnt[i] = INT32_MAX;
        wt[i] = 0;
        from[i] = i - 1;
        used[i] = NULL;
        for(j = i - 1; j >= 0 && i - j <= maxc; j--) {
            size_t bytes = (size_t)(run[i - 1].s + run[i - 1].len - run[j].s);
            const reading_t *r = readings_find(rd, run[j].s, bytes);
            double w;
            if(!r && i - j > 1)
                continue;
            w = r ? log1p((double)(r->weight > 0 ? r->weight : 0)) : 0;
            if(cnt[j] + 1 < cnt[i] || (cnt[j] + 1 == cnt[i] && wt[j] + w > wt[i])) {
                cnt[i] = cnt[j] + 1;
                wt[i] = wt[j] + w;
                from[i] = j;
                used[i] = r;
            }
        }
    }
    for(i = 0; i < n; i++) {
        word_end[i] = 0;
        run[i].syl[0] = '\0';
    }
    for(i = n; i > 0; i = from[i]) {
        const reading_t *r = used[i];
        int k = from[i];
        word_end[k] = i;
        if(!r)
            continue;
        /* "yin hang": one syllable per character, else per-character readings */
        {
            const char *py = rd->arena + r->pinyin;
            int c;
            for(c = k; c < i && *py; c++) {
                size_t l = strcspn(py, " ");
                if(l >= sizeof(run[c].syl))
                    break;
                memcpy(run[c].syl, py, l);
                run[c].syl[l] = '\0';
                py += l;
                while(*py == ' ')
                    py++;
            }
            if(c < i || *py) {
                for(c = k; c < i; c++)
                    run[c].syl[0] = '\0';
            }
        }
    }
    /* characters still without a syllable: their own heaviest reading */
    for(i = 0; i < n; i++) {
        if(!run[i].syl[0]) {
            const reading_t *r = readings_find(rd, run[i].s, (size_t)run[i].len);
            const char *py = r ? rd->arena + r->pinyin : "";
            size_t l = strcspn(py, " ");
            if(l < sizeof(run[i].syl)) {
                memcpy(run[i].syl, py, l);
                run[i].syl[l] = '\0';
            }
        }
    }
}

static void emit_run(const readings_t *rd, tbuf_t *b, hz_t *run, int n, bool head)
{
    int word_end[RUN_MAX];
    int i, w;

    segment(rd, run, n, word_end);
    for(i = 0; i < n; i++) {
        tb_tok(b, run[i].s, (size_t)run[i].len);
        if(i + 1 < n)
            tb_tok(b, run[i].s, (size_t)(run[i + 1].s + run[i + 1].len - run[i].s));
        if(head && run[i].syl[0])
            tb_tok(b, run[i].syl, strlen(run[i].syl));
        if(word_end[i] > i + 1) {
            int e = word_end[i];
            if(e - i >= 3)
                tb_tok(b, run[i].s, (size_t)(run[e - 1].s + run[e - 1].len - run[i].s));
            if(head)
                emit_pinyin_span(b, run, i, e, true);
        }
    }
    if(!head)
        return;
    /* initials of every window (few distinct short terms); full pinyin of
     * the whole run only, so a prefix like "kuanda" expands to few terms */
    for(i = 0; i < n; i++)
        for(w = 2; w <= WINDOW_MAX && i + w <= n; w++)
            if(word_end[i] != i + w)
                emit_pinyin_span(b, run, i, i + w, false);
    if(n > 1 && n <= WHOLE_RUN_MAX && word_end[0] != n)
        emit_pinyin_span(b, run, 0, n, true);
}

/* Append the tokens of one string (title, keyword, paragraph, list item). */
static void emit_text(const readings_t *rd, tbuf_t *b, const char *s, bool head)
{
    hz_t run[RUN_MAX];
    int n = 0;

    if(!s)
        return;
    while(*s) {
        const char *at = s;
        uint32_t cp;
        if(is_latin((unsigned char)*s)) {
            while(is_latin((unsigned char)*s))
                s++;
            emit_latin(b, at, (size_t)(s - at));
            cp = 0;
        } else {
            cp = utf8_next(&s);
        }
        if(cp && is_hanzi(cp)) {
            run[n].cp = cp;
            run[n].s = at;
            run[n].len = (int)(s - at);
            n++;
            if(n < RUN_MAX)
                continue;
        }
        if(n) {
            emit_run(rd, b, run, n, head);
            n = 0;
        }
    }
    if(n)
        emit_run(rd, b, run, n, head);
}

/* ---- static functions: building -------------------------------------------- */

static hk_err_t exec(sqlite3 *db, const char *sql, hk_diag_t *diag)
{
    if(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return HK_OK;
    hk_diag_set(diag, "faq index: %s", sqlite3_errmsg(db));
    hk_log(HK_LOG_ERROR, "faq_index", "%s: %s", sql, sqlite3_errmsg(db));
    return HK_ERR_IO;
}

/*
 * bm25 as FTS5's bm25(faq, 10.0, 4.0, 1.0) computes it (same formula,
 * constants and column weights), except that each phrase's IDF comes from
 * the vocabulary's document counts, set per query in ix->idf, instead of
 * a scan of every row the phrase matches: FTS5's bm25 runs that scan for
 * every phrase of every query, which over 10,000 articles costs more than
 * a keystroke's whole budget (docs/performance.md).
 */
static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int n_val,
                    sqlite3_value **val)
{
    static const double weight[3] = { 10.0, 4.0, 1.0 };
    faq_index_t *ix = api->xUserData(fts);
    double freq[TERMS_MAX * TYPO_MAX_ALTS], score = 0;
    int n_inst = 0, n_phr = api->xPhraseCount(fts), tokens = 0, i;

    (void)n_val;
    (void)val;
    if(n_phr > ix->n_phrases)
        n_phr = ix->n_phrases;
    if(ix->avg_tokens <= 0) {
        sqlite3_int64 rows = 0, total = 0;
        if(api->xRowCount(fts, &rows) == SQLITE_OK &&
           api->xColumnTotalSize(fts, -1, &total) == SQLITE_OK && rows > 0)
            ix->avg_tokens = (double)total / (double)rows;
        if(ix->avg_tokens <= 0)
            ix->avg_tokens = 1;
    }
    for(i = 0; i < n_phr; i++)
        freq[i] = 0;
    if(api->xInstCount(fts, &n_inst) != SQLITE_OK ||
       api->xColumnSize(fts, -1, &tokens) != SQLITE_OK) {
        sqlite3_result_error(ctx, "hk_bm25: no instances", -1);
        return;
    }
    for(i = 0; i < n_inst; i++) {
        int phr, col, off;
        if(api->xInst(fts, i, &phr, &col, &off) == SQLITE_OK && phr < n_phr && col >= 0 && col < 3)
            freq[phr] += weight[col];
    }
    for(i = 0; i < n_phr; i++)
        score += ix->idf[i] * freq[i] * (BM25_K1 + 1.0) /
                 (freq[i] + BM25_K1 * (1.0 - BM25_B + BM25_B * (double)tokens / ix->avg_tokens));
    sqlite3_result_double(ctx, -score); /* FTS5's convention: lower is better */
}

static hk_err_t rank_register(faq_index_t *ix, hk_diag_t *diag)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;

    if(sqlite3_prepare_v2(ix->db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        (void)sqlite3_step(st); /* fills api, or leaves it NULL without FTS5 */
    }
    sqlite3_finalize(st);
    if(!api || api->iVersion < 2 ||
       api->xCreateFunction(api, "hk_bm25", ix, rank_fn, NULL) != SQLITE_OK) {
        hk_diag_set(diag, "faq index: this SQLite has no FTS5");
        return HK_ERR_IO;
    }
    return HK_OK;
}

static hk_err_t build(faq_index_t *ix, hk_diag_t *diag)
{
    sqlite3_stmt *ins = NULL;
    tbuf_t col[3];
    hk_err_t rc;
    int a, l, k, bl, i;

    memset(col, 0, sizeof(col));
    if(sqlite3_open_v2(":memory:", &ix->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) !=
       SQLITE_OK) {
        hk_diag_set(diag, "faq index: cannot open an in-memory database");
        return ix->db ? HK_ERR_IO : HK_ERR_NOMEM;
    }
    rc = rank_register(ix, diag);
    if(rc != HK_OK)
        return rc;
    rc = exec(ix->db,
              "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
              "CREATE VIRTUAL TABLE faq USING fts5(title, keywords, body, content='',"
              " tokenize='ascii', prefix='1 2 3 4');" /* PREFIX_INDEXED */
              "INSERT INTO faq(faq, rank) VALUES('rank', 'hk_bm25()');"
              "CREATE VIRTUAL TABLE faq_v USING fts5vocab(faq, 'row');"
              "BEGIN",
              diag);
    if(rc != HK_OK)
        return rc;
    if(sqlite3_prepare_v2(ix->db,
                          "INSERT INTO faq(title, keywords, body, rowid) VALUES(?1, ?2, ?3, ?4)",
                          -1, &ins, NULL) != SQLITE_OK)
        return exec(ix->db, "-", diag); /* reports the error */
    for(a = 0; a < ix->c->n_articles && rc == HK_OK; a++) {
        for(l = 0; l < I18N_LANG_COUNT && rc == HK_OK; l++) {
            const faq_text_t *t = &ix->c->articles[a].text[l];
            if(!t->present)
                continue;
            for(i = 0; i < 3; i++) {
                col[i].len = 0;
                tb_put(&col[i], "", 0);
            }
            emit_text(&ix->rd, &col[0], t->title, true);
            for(k = 0; k < t->n_keywords; k++)
                emit_text(&ix->rd, &col[1], t->keywords[k], true);
            for(bl = 0; bl < t->n_blocks; bl++)
                for(i = 0; i < t->blocks[bl].n; i++)
                    emit_text(&ix->rd, &col[2], t->blocks[bl].items[i], false);
            if(col[0].nomem || col[1].nomem || col[2].nomem) {
                rc = HK_ERR_NOMEM;
                break;
            }
            for(i = 0; i < 3; i++)
                sqlite3_bind_text(ins, i + 1, col[i].p, (int)col[i].len, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 4, (sqlite3_int64)a * I18N_LANG_COUNT + l);
            ix->rows++;
            if(sqlite3_step(ins) != SQLITE_DONE) {
                hk_diag_set(diag, "faq index: articles[%d]: %s", a, sqlite3_errmsg(ix->db));
                rc = HK_ERR_IO;
            }
            sqlite3_reset(ins);
        }
    }
    sqlite3_finalize(ins);
    for(i = 0; i < 3; i++)
        hk_free(col[i].p);
    if(rc == HK_OK)
        rc = exec(ix->db, "COMMIT; INSERT INTO faq(faq) VALUES('optimize')", diag);
    /* no ORDER BY rank: FTS5 would rank every match (and merge a long
     * prefix's doclists a second time); the window is ranked here */
    if(rc == HK_OK &&
       sqlite3_prepare_v2(ix->db, "SELECT rowid, hk_bm25(faq) FROM faq WHERE faq MATCH ?1 LIMIT ?2",
                          -1, &ix->q, NULL) != SQLITE_OK)
        rc = exec(ix->db, "-", diag);
    return rc;
}

static hk_err_t vocab_load(faq_index_t *ix)
{
    vocab_t *v = &ix->vocab;
    sqlite3_stmt *st = NULL;
    int cap = 0, b, i;
    hk_err_t rc = HK_OK;

    /* fts5vocab returns terms in the index's order: bytewise ascending */
    if(sqlite3_prepare_v2(ix->db, "SELECT term, doc FROM faq_v", -1, &st, NULL) != SQLITE_OK)
        return HK_ERR_IO;
    while(sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if(!t || strlen(t) >= TERM_MAX_BYTES)
            continue;
        if(v->n == cap) {
            int nc = cap ? cap * 2 : 1024;
            char **nt = hk_realloc(v->terms, (size_t)nc * sizeof(*nt));
            int *nd;
            if(!nt) {
                rc = HK_ERR_NOMEM;
                break;
            }
            v->terms = nt;
            nd = hk_realloc(v->docs, (size_t)nc * sizeof(*nd));
            if(!nd) {
                rc = HK_ERR_NOMEM;
                break;
            }
            v->docs = nd;
            cap = nc;
        }
        v->terms[v->n] = hk_strdup(t);
        if(!v->terms[v->n]) {
            rc = HK_ERR_NOMEM;
            break;
        }
        v->docs[v->n] = sqlite3_column_int(st, 1);
        v->n++;
    }
    sqlite3_finalize(st);
    /* first[b]: the first term whose first byte is >= b */
    for(b = 0, i = 0; b <= 256; b++) {
        while(i < v->n && (unsigned char)v->terms[i][0] < b)
            i++;
        v->first[b] = i;
    }
    return rc;
}

static void vocab_free(vocab_t *v)
{
    int i;

    for(i = 0; i < v->n; i++)
        hk_free(v->terms[i]);
    hk_free(v->terms);
    hk_free(v->docs);
    memset(v, 0, sizeof(*v));
}

/* ---- static functions: queries --------------------------------------------- */

static bool vocab_has(const vocab_t *v, const char *s, bool prefix)
{
    size_t n = strlen(s);
    int lo = 0, hi = v->n;

    while(lo < hi) { /* first term >= s */
        int mid = (lo + hi) / 2;
        if(strcmp(v->terms[mid], s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if(lo >= v->n)
        return false;
    return prefix ? !strncmp(v->terms[lo], s, n) : !strcmp(v->terms[lo], s);
}

/* Damerau distance <= 1 between a and b; with prefix, between a and some
 * prefix of b. Returns 1 when within, 0 otherwise. */
static int edit1(const char *a, size_t na, const char *b, size_t nb, bool prefix)
{
    /* rows of the DP, capped at TERM_MAX_BYTES */
    int d0[TERM_MAX_BYTES + 1], d1[TERM_MAX_BYTES + 1], d2[TERM_MAX_BYTES + 1];
    int *pp = d0, *p = d1, *c = d2, *tmp;
    size_t i, j;
    int best;

    if(na > TERM_MAX_BYTES || nb > TERM_MAX_BYTES)
        return 0;
    if(!prefix && (na > nb + 1 || nb > na + 1))
        return 0;
    for(j = 0; j <= nb; j++)
        p[j] = (int)j;
    for(i = 1; i <= na; i++) {
        int rowmin = INT32_MAX;
        c[0] = (int)i;
        for(j = 1; j <= nb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = p[j - 1] + cost;
            if(p[j] + 1 < v)
                v = p[j] + 1;
            if(c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if(i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if(v < rowmin)
                rowmin = v;
        }
        if(rowmin > 1 && c[0] > 1)
            return 0;
        tmp = pp;
        pp = p;
        p = c;
        c = tmp;
    }
    if(!prefix)
        return p[nb] <= 1;
    best = p[0];
    for(j = 1; j <= nb; j++)
        if(p[j] < best)
            best = p[j];
    return best <= 1;
}

/* The vocabulary terms within one edit of t (same first letter), most
 * frequent first. */
static void typo_alts(const vocab_t *v, term_t *t)
{
    unsigned char f = (unsigned char)t->s[0];
    size_t n = strlen(t->s);
    int docs[TYPO_MAX_ALTS];
    int i;

    t->n_alts = 0;
    for(i = v->first[f]; i < v->first[f + 1]; i++) {
        const char *cand = v->terms[i];
        size_t cn = strlen(cand);
        int k, at;
        if(cn < TYPO_MIN_LEN - 1 || (!t->prefix && (cn + 1 < n || cn > n + 1)) ||
           (t->prefix && cn + 1 < n))
            continue;
        if(!edit1(t->s, n, cand, cn, t->prefix))
            continue;
        /* insert by doc count, keeping the TYPO_MAX_ALTS most frequent */
        for(at = t->n_alts; at > 0 && docs[at - 1] < v->docs[i]; at--) {
        }
        if(at >= TYPO_MAX_ALTS)
            continue;
        k = t->n_alts < TYPO_MAX_ALTS ? t->n_alts : TYPO_MAX_ALTS - 1;
        for(; k > at; k--) {
            docs[k] = docs[k - 1];
            memcpy(t->alts[k], t->alts[k - 1], TERM_MAX_BYTES);
        }
        docs[at] = v->docs[i];
        snprintf(t->alts[at], TERM_MAX_BYTES, "%s", cand);
        if(t->n_alts < TYPO_MAX_ALTS)
            t->n_alts++;
    }
}

/* A prefix longer than FTS5's prefix indexes with at most TYPO_MAX_ALTS
 * completions becomes those terms: FTS5 reads an OR of terms lazily (a
 * window stops early) but merges a prefix's doclists whole first. */
static void prefix_alts(const vocab_t *v, term_t *t)
{
    size_t n = strlen(t->s);
    int lo = 0, hi = v->n, k;

    while(lo < hi) { /* first term >= t->s */
        int mid = (lo + hi) / 2;
        if(strcmp(v->terms[mid], t->s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for(k = 0; lo + k < v->n && !strncmp(v->terms[lo + k], t->s, n); k++)
        if(k >= TYPO_MAX_ALTS)
            return; /* too many: FTS5's prefix query it stays */
    for(t->n_alts = 0; t->n_alts < k; t->n_alts++)
        snprintf(t->alts[t->n_alts], TERM_MAX_BYTES, "%s", v->terms[lo + t->n_alts]);
}

static void add_term(faq_index_t *ix, const char *s, size_t n, bool prefix, bool latin)
{
    term_t *t;
    int i;

    if(n == 0 || n >= TERM_MAX_BYTES || ix->n_terms >= TERMS_MAX)
        return;
    for(i = 0; i < ix->n_terms; i++) /* a repeated bigram adds nothing */
        if(!strncmp(ix->terms[i].s, s, n) && ix->terms[i].s[n] == '\0' &&
           ix->terms[i].prefix == prefix)
            return;
    t = &ix->terms[ix->n_terms++];
    memcpy(t->s, s, n);
    t->s[n] = '\0';
    t->prefix = prefix;
    t->latin = latin;
    t->n_alts = 0;
}

/* Cut the query into terms: Latin words (lower-cased, plural stem; the last
 * one a prefix unless followed by a space), hanzi runs as bigrams. */
static void query_terms(faq_index_t *ix, const char *query)
{
    const char *s = query;
    const char *run[RUN_MAX + 1];
    int n = 0, i;

    ix->n_terms = 0;
    while(*s) {
        const char *at = s;
        uint32_t cp = 0;
        if(is_latin((unsigned char)*s)) {
            char low[TERM_MAX_BYTES];
            size_t l = 0, stem;
            bool last;
            while(is_latin((unsigned char)*s)) {
                if(l + 1 < sizeof(low))
                    low[l++] = (char)((*s >= 'A' && *s <= 'Z') ? *s - 'A' + 'a' : *s);
                s++;
            }
            last = *s == '\0';
            stem = last ? 0 : plural_stem(low, l);
            add_term(ix, low, stem ? stem : l, last, true);
        } else {
            cp = utf8_next(&s);
        }
        if(cp && is_hanzi(cp) && n < RUN_MAX) {
            run[n++] = at;
            run[n] = s;
            continue;
        }
        if(n == 1)
            add_term(ix, run[0], (size_t)(run[1] - run[0]), false, false);
        for(i = 0; i + 1 < n; i++)
            add_term(ix, run[i], (size_t)(run[i + 2] - run[i]), false, false);
        n = 0;
    }
    if(n == 1)
        add_term(ix, run[0], (size_t)(run[1] - run[0]), false, false);
    for(i = 0; i + 1 < n; i++)
        add_term(ix, run[i], (size_t)(run[i + 2] - run[i]), false, false);
}

static void expr_term(tbuf_t *e, const term_t *t)
{
    int k;

    if(t->n_alts == 0) {
        tb_put(e, "\"", 1);
        tb_put(e, t->s, strlen(t->s));
        tb_put(e, t->prefix ? "\"*" : "\"", t->prefix ? 2 : 1);
        return;
    }
    tb_put(e, "(", 1);
    for(k = 0; k < t->n_alts; k++) {
        if(k)
            tb_put(e, " OR ", 4);
        tb_put(e, "\"", 1);
        tb_put(e, t->alts[k], strlen(t->alts[k]));
        tb_put(e, "\"", 1);
    }
    tb_put(e, ")", 1);
}

/* Rows containing the term (an upper bound for a prefix: the sum over the
 * terms it starts), from the vocabulary; stops counting past cap. */
static long term_docs(const vocab_t *v, const term_t *t, long cap)
{
    long sum = 0;
    int k, lo, hi;

    if(t->n_alts) {
        for(k = 0; k < t->n_alts && sum <= cap; k++) {
            term_t alt = { .prefix = false };
            snprintf(alt.s, sizeof(alt.s), "%s", t->alts[k]);
            sum += term_docs(v, &alt, cap);
        }
        return sum;
    }
    lo = 0;
    hi = v->n;
    while(lo < hi) { /* first term >= t->s */
        int mid = (lo + hi) / 2;
        if(strcmp(v->terms[mid], t->s) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if(!t->prefix)
        return lo < v->n && !strcmp(v->terms[lo], t->s) ? v->docs[lo] : 0;
    for(size_t n = strlen(t->s); lo < v->n && sum <= cap && !strncmp(v->terms[lo], t->s, n); lo++)
        sum += v->docs[lo];
    return sum;
}

typedef struct scored {
    sqlite3_int64 row;
    double score; /* higher is better */
} scored_t;

/* Best first; a tie in content order. */
static int scored_cmp(const void *a, const void *b)
{
    const scored_t *x = a, *y = b;

    if(x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The first WINDOW rows matching expr (all of them for a narrow query),
 * ranked by hk_bm25 with the language bonus; appends the articles not yet
 * in hits, ranked below those already there. One statement: FTS5 merges a
 * long prefix's doclists once per statement. */
static int rank_into(faq_index_t *ix, const char *expr, size_t len, i18n_lang_t lang,
                     faq_hit_t *hits, int n_have, int max)
{
    scored_t rows[WINDOW];
    int i, n = n_have, n_rows = 0, rc = SQLITE_DONE;
    double floor_score = n_have > 0 ? hits[n_have - 1].score : (double)INFINITY;

    sqlite3_reset(ix->q);
    sqlite3_bind_text(ix->q, 1, expr, (int)len, SQLITE_STATIC);
    sqlite3_bind_int(ix->q, 2, WINDOW);
    while(n_rows < WINDOW && (rc = sqlite3_step(ix->q)) == SQLITE_ROW) {
        rows[n_rows].row = sqlite3_column_int64(ix->q, 0);
        rows[n_rows].score = -sqlite3_column_double(ix->q, 1); /* bm25: lower is better */
        if(rows[n_rows].row % I18N_LANG_COUNT == (int)lang)
            rows[n_rows].score *= LANG_BONUS;
        n_rows++;
    }
    if(n_rows < WINDOW && rc != SQLITE_DONE) {
        hk_log(HK_LOG_WARN, "faq_index", "query %s: %s", expr, sqlite3_errmsg(ix->db));
        sqlite3_reset(ix->q);
        return -1;
    }
    sqlite3_reset(ix->q);
    qsort(rows, (size_t)n_rows, sizeof(rows[0]), scored_cmp);
    /* the best row speaks for its article */
    for(i = 0; i < n_rows && n < max; i++) {
        int art = (int)(rows[i].row / I18N_LANG_COUNT), j;
        for(j = 0; j < n && hits[j].article != art; j++) {
        }
        if(j < n)
            continue;
        hits[n].article = art;
        hits[n].score = rows[i].score;
        n++;
    }
    /* a later pass ranks below every hit of the passes before it */
    if(n_have > 0 && n > n_have && hits[n_have].score >= floor_score) {
        double k = floor_score * 0.99 / hits[n_have].score;
        for(i = n_have; i < n; i++)
            hits[i].score *= k;
    }
    return n;
}

/* One pass (all terms, or any) appending to hits; see the design notes
 * for the window a broad query is ranked in. */
static int run_pass(faq_index_t *ix, bool all, i18n_lang_t lang, faq_hit_t *hits, int n_have,
                    int max)
{
    tbuf_t *e = &ix->expr;
    long est = all ? LONG_MAX : 0;
    size_t head;
    int i, n, kept = 0, common = 0;

    e->len = 0;
    e->nomem = false;
    tb_put(e, "{title keywords} : (", 20);
    head = e->len;
    ix->n_phrases = 0;
    /* a term in more than half the rows filters little and weighs nothing
     * in bm25 (its IDF is clamped): leave it out while rarer ones remain */
    for(i = 0; i < ix->n_terms; i++)
        common += term_docs(&ix->vocab, &ix->terms[i], ix->rows) * 2 > ix->rows;
    for(i = 0; i < ix->n_terms; i++) {
        const term_t *t = &ix->terms[i];
        long docs = term_docs(&ix->vocab, t, ix->rows);
        int k;
        if(common < ix->n_terms && docs * 2 > ix->rows && ix->rows > WINDOW)
            continue;
        est = all ? (docs < est ? docs : est) : est + docs;
        for(k = 0; k < (t->n_alts ? t->n_alts : 1); k++) {
            long d = docs;
            if(t->n_alts) {
                term_t alt = { .prefix = false };
                snprintf(alt.s, sizeof(alt.s), "%s", t->alts[k]);
                d = term_docs(&ix->vocab, &alt, ix->rows);
            }
            if(d > ix->rows)
                d = ix->rows;
            /* FTS5's bm25: log((N - n + 0.5) / (n + 0.5)), at least 1e-6 */
            ix->idf[ix->n_phrases] = log(((double)ix->rows - (double)d + 0.5) / ((double)d + 0.5));
            if(ix->idf[ix->n_phrases] <= 0)
                ix->idf[ix->n_phrases] = 1e-6;
            ix->n_phrases++;
        }
        if(kept++)
            tb_put(e, all ? " AND " : " OR ", all ? 5 : 4);
        expr_term(e, &ix->terms[i]);
    }
    tb_put(e, ")", 1);
    if(e->nomem)
        return -1;
    if(est <= WINDOW || ix->rows <= WINDOW) /* narrow: rank every match */
        return rank_into(ix, e->p + head, e->len - head - 1, lang, hits, n_have, max);
    /* broad: title and keyword matches first, then any column's */
    n = rank_into(ix, e->p, e->len, lang, hits, n_have, max);
    if(n >= 0 && n < max)
        n = rank_into(ix, e->p + head, e->len - head - 1, lang, hits, n, max);
    return n;
}
