/*
 * config_live: the one owner of the configuration in force. Holds an
 * immutable snapshot of config_t and a generation counter; replacing the
 * config swaps in a new snapshot atomically and bumps the generation, so a
 * reader sees either the whole old config or the whole new one, and a
 * screen learns that it must rebuild by comparing one number.
 *
 * Threading rule: every call is thread-safe. The sync thread (or the
 * engineer mode) calls config_live_replace()/config_live_load_file(); the
 * UI thread calls config_live_generation() each frame (one atomic load)
 * and, when it changed, config_live_acquire() ... config_live_release()
 * around the work that reads the config. A snapshot stays valid until it
 * is released, however many replacements happen meanwhile.
 */
#ifndef HK_APP_CORE_CONFIG_LIVE_H
#define HK_APP_CORE_CONFIG_LIVE_H

#include <stdint.h>

#include "config.h"
#include "hk_err.h"

typedef struct config_live config_live_t; /* opaque */

/**
 * Create the owner with a first config (generation 1).
 * @param initial  borrowed; copied.
 * @param out      receives the owner (free with config_live_destroy()); NULL
 *                 on failure.
 * @return HK_OK, HK_ERR_NOMEM, HK_ERR_INVALID (NULL argument).
 */
hk_err_t config_live_create(const config_t *initial, config_live_t **out);

/**
 * Destroy the owner. Every acquired snapshot must have been released.
 * NULL does nothing.
 */
void config_live_destroy(config_live_t *live);

/**
 * Put a new config in force: atomically, generation + 1.
 * @param cfg  borrowed; copied. It should come from config_parse() (this
 *             does not validate again).
 * @return HK_OK; HK_ERR_NOMEM (the old config stays in force, generation
 *         unchanged); HK_ERR_INVALID (NULL argument).
 * \threadsafety any thread.
 */
hk_err_t config_live_replace(config_live_t *live, const config_t *cfg);

/**
 * Read, validate whole and put in force a config file. On any failure the
 * last good config stays in force, the generation is unchanged and the
 * failure is logged.
 * @param diag  receives the reason on failure (as config_load_file()).
 * @return as config_load_file(), or HK_ERR_NOMEM from the replace.
 * \threadsafety any thread; does file I/O, so not the UI thread.
 */
hk_err_t config_live_load_file(config_live_t *live, const char *path, hk_diag_t *diag);

/**
 * The current generation: 1 after create, + 1 per successful replace.
 * \threadsafety any thread; one atomic load, no lock.
 */
uint64_t config_live_generation(const config_live_t *live);

/**
 * Borrow the current config. The result is read-only and stays valid and
 * unchanged until config_live_release(), even if it is replaced meanwhile.
 * Each acquire needs exactly one release, on any thread.
 * @param gen_out  optional: the generation of the snapshot returned (which
 *                 may already be older than config_live_generation()).
 * @return never NULL for a live owner.
 * \threadsafety any thread; takes a mutex for a few instructions.
 */
const config_t *config_live_acquire(config_live_t *live, uint64_t *gen_out);

/**
 * Give back a snapshot from config_live_acquire(). The snapshot is freed
 * here if it was replaced and this was its last user. NULL cfg does
 * nothing.
 */
void config_live_release(config_live_t *live, const config_t *cfg);

#endif
