/*
 * hk_err: the one result type of HallKiosk, and the diagnostic buffer that
 * carries a human-readable "field: reason" for errors a person must read
 * (bad config, bad content). Modelled on CURLcode + CURLOPT_ERRORBUFFER.
 */
#ifndef HK_APP_CORE_HK_ERR_H
#define HK_APP_CORE_HK_ERR_H

#include <stddef.h>

typedef enum hk_err {
    HK_OK = 0,
    HK_ERR_NOMEM,
    HK_ERR_IO,
    HK_ERR_CORRUPT,
    HK_ERR_INVALID,
    HK_ERR_NET,
    HK_ERR_TLS,
    HK_ERR_SERVER,
    HK_ERR_BUSY,
    HK_ERR_NOT_FOUND,
    HK_ERR_HW,
    HK_ERR_CONFLICT /* the thing is taken: a counter's active visit, a ticket number */
} hk_err_t;

#define HK_DIAG_SIZE 256

/* Receives "field.path: reason" for errors a person reads. Caller-owned. */
typedef struct hk_diag {
    char msg[HK_DIAG_SIZE];
} hk_diag_t;

/**
 * Short English text for a result code.
 * @return static string, never NULL.
 */
const char *hk_err_str(hk_err_t rc);

/**
 * Write a printf-style message into diag (NULL diag is allowed: no-op).
 * Truncates to HK_DIAG_SIZE-1 bytes, always NUL-terminated.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void hk_diag_set(hk_diag_t *diag, const char *fmt, ...);

/* Clear diag to the empty string (NULL allowed). */
void hk_diag_clear(hk_diag_t *diag);

/*
 * SQLite's ALWAYS()/NEVER(): assert in debug builds, recover in release.
 */
#ifdef NDEBUG
#define HK_ALWAYS(x) (x)
#define HK_NEVER(x)  (x)
#else
#include <assert.h>
#define HK_ALWAYS(x) ((x) ? 1 : (assert(0), 0))
#define HK_NEVER(x)  ((x) ? (assert(0), 1) : 0)
#endif

#endif
