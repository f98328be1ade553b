/*
 * ime: the pinyin input method of the on-screen keyboard, a small wrapper
 * over librime with Debian's rime-data-pinyin-simp.
 *
 * - Schema `pinyin_simp` only (simplified characters without OpenCC data;
 *   `luna_pinyin_simp` silently gives traditional ones when OpenCC's files
 *   are missing).
 * - Shared data /usr/share/rime-data and its prebuilt tables in
 *   /usr/share/rime-data/build: the first load deploys only our patched
 *   schema and default config into user_dir/build (YAML and a ~30 KB
 *   spelling prism); dictionary tables are never compiled on the device.
 * - Nothing is learned: the shipped pinyin_simp.custom.yaml sets
 *   translator/enable_user_dict: false (no user dictionary file at all),
 *   so one customer's words never show up for the next; the stroke
 *   reverse lookup is dropped (no dependency to deploy, nothing mapped).
 * - A small read-only table of a telecom hall's words (hall_phrase.txt,
 *   stabledb: librime never writes it) ranks 手机号, 携号转网 ... first.
 * - glog writes to log_dir (never /tmp) and not to stderr.
 * - Lazy: ime_create() only records the directories; librime is set up and
 *   the schema loaded by ime_load(), or by the first ime_key().
 *
 * One thread (the UI thread). librime is a process-wide engine: one ime_t
 * at a time; ime_destroy() finalises it, and a later ime_t loads it again.
 */
#ifndef HK_PLATFORM_IME_IME_H
#define HK_PLATFORM_IME_IME_H

#include <stdbool.h>
#include <stddef.h>

#include "hk_err.h"

#define IME_TEXT_MAX 128 /* bytes of a commit, a preedit or a candidate, NUL included */

/* Keys ime_key() takes besides 'a'..'z', ' ' (first candidate) and
 * '1'..'9' (candidate of the current composition, 1 = first). */
enum {
    IME_KEY_BACKSPACE = 8,
    IME_KEY_ENTER = 13 /* commit the letters typed, as typed */
};

typedef struct ime_opts {
    const char *shared_dir; /* NULL = /usr/share/rime-data */
    const char *user_dir;   /* created if missing: our custom YAML, the deployed schema */
    const char *log_dir;    /* created if missing: glog's files */
} ime_opts_t;

typedef struct ime ime_t;

/**
 * Record where the engine keeps its files; loads nothing.
 * @param o    borrowed for the call (strings copied).
 * @param out  free with ime_destroy().
 */
hk_err_t ime_create(const ime_opts_t *o, ime_t **out);

/** Finalise librime if this ime loaded it. NULL ok. */
void ime_destroy(ime_t *e);

/**
 * Load the engine now (the first ime_key() does it otherwise): write the
 * custom YAML if it differs, set up librime, deploy what changed, open a
 * session on pinyin_simp. A failure is remembered: later calls fail fast.
 * @param diag  receives the reason on failure; may be NULL.
 */
hk_err_t ime_load(ime_t *e, hk_diag_t *diag);

/** True once ime_load() succeeded. */
bool ime_loaded(const ime_t *e);

/** Milliseconds the last ime_load() took (0 = not loaded). */
double ime_load_ms(const ime_t *e);

/**
 * Feed one key. Letters compose; while composing, backspace edits, space
 * and digits select, enter commits the letters as typed.
 * @param commit  receives committed UTF-8 ("" when nothing was committed);
 *                cap >= IME_TEXT_MAX.
 * @return true when the engine took the key (the caller redraws the
 *         preedit and candidates); false when it did not (not composing:
 *         the caller types the key itself), or the engine cannot load.
 */
bool ime_key(ime_t *e, int key, char *commit, size_t cap);

/** True while letters are being composed. */
bool ime_composing(const ime_t *e);

/** The composition as shown ("kuan dai"); "" when not composing. */
const char *ime_preedit(const ime_t *e);

/**
 * Candidates first .. first+max-1 of the current composition.
 * @param out   out[i] receives candidate first+i (cut at IME_TEXT_MAX).
 * @param more  set true when candidates follow the last one returned.
 * @return the number returned (0 when not composing).
 */
int ime_candidates(ime_t *e, int first, int max, char (*out)[IME_TEXT_MAX], bool *more);

/**
 * Choose candidate index (0 = the first of the whole list). It may cover
 * only the first syllables: composition then goes on with the rest.
 * @param commit  as for ime_key().
 * @return false when index is out of range or nothing is composing.
 */
bool ime_select(ime_t *e, int index, char *commit, size_t cap);

/** Drop the composition (the keyboard closed, clear, mode switch). */
void ime_clear(ime_t *e);

#endif
