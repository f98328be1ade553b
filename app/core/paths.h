/*
 * paths: where the kiosk keeps its files. Data dir precedence:
 * $HK_DATA_DIR, then config "data_dir", then $XDG_DATA_HOME/hallkiosk,
 * then $HOME/.local/share/hallkiosk. Relative printer targets resolve
 * against the data dir.
 */
#ifndef HK_APP_CORE_PATHS_H
#define HK_APP_CORE_PATHS_H

#include "config.h"
#include "hk_err.h"

/**
 * Resolve the data dir and create it (mode 0700) if missing.
 * @param buf  receives the path; size >= CONFIG_PATH_LEN recommended.
 */
hk_err_t paths_data_dir(const config_t *cfg, char *buf, unsigned size, hk_diag_t *diag);

/**
 * The installed copy of a shipped asset (PKG, issue 9.2): PREFIX/share/
 * hallkiosk/NAME when the running program is PREFIX/bin/PROGRAM (the
 * package: /usr/bin/hallkiosk finds /usr/share/hallkiosk/NAME) and that path
 * exists. A program run from its build tree is not in a bin/ directory, so
 * it keeps the build tree's assets (the defaults CMake compiles in).
 * @param name  relative to the asset directory ("voice", "faq/faq.json").
 * @param buf   receives the path on HK_OK.
 * @return HK_OK; HK_ERR_NOT_FOUND (not installed, or no such asset);
 *         HK_ERR_INVALID (buf too small).
 */
hk_err_t paths_installed_asset(const char *name, char *buf, unsigned size);

/** Join dir and name unless name is absolute. HK_ERR_INVALID if too long. */
hk_err_t paths_resolve(const char *dir, const char *name, char *buf, unsigned size);

/** mkdir -p with mode 0700 for created levels. */
hk_err_t paths_mkdir_p(const char *path);

/**
 * Read a whole file of at most cap bytes into a NUL-terminated heap text
 * (certificates, keys, config files: small files read once).
 * @param what     names the setting in diag ("tls_cert", "branches[0].config_file").
 * @param out      hk_free it (a key: sodium_memzero it first).
 * @param len_out  its length (without the NUL); may be NULL.
 * @return HK_OK; HK_ERR_IO ("WHAT: cannot open PATH (why)"); HK_ERR_INVALID
 *         ("WHAT: PATH is over CAP bytes"); HK_ERR_NOMEM.
 */
hk_err_t paths_read_file(const char *path, size_t cap, const char *what, char **out,
                         size_t *len_out, hk_diag_t *diag);

#endif
