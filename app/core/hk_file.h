/*
 * hk_file: whole-file reads and all-or-nothing writes, for the small state
 * files a device keeps beside its database (the last good config documents,
 * the sync status). Reentrant; no global state.
 */
#ifndef HK_APP_CORE_HK_FILE_H
#define HK_APP_CORE_HK_FILE_H

#include <stddef.h>

#include "hk_err.h"

/**
 * Write path whole or not at all: a temporary file beside it, fsync,
 * rename over path, fsync the directory.
 * @param dir   path's directory (for the rename's durability).
 * @param data  len bytes, borrowed.
 * @return HK_OK; HK_ERR_IO (path is as it was).
 */
hk_err_t hk_file_write_atomic(const char *dir, const char *path, const char *data, size_t len);

/**
 * Read a whole file of at most max bytes.
 * @param out      receives a NUL-terminated copy (free with hk_free()); NULL
 *                 on failure.
 * @param len_out  receives its length without the NUL.
 * @return HK_OK; HK_ERR_NOT_FOUND (no such file); HK_ERR_IO; HK_ERR_CORRUPT
 *         (longer than max); HK_ERR_NOMEM.
 */
hk_err_t hk_file_read(const char *path, size_t max, char **out, size_t *len_out);

#endif
