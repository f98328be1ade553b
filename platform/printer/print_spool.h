/*
 * print_spool: prints tickets on a worker thread so the UI thread never
 * waits on a printer. It owns one printer_t and a bounded FIFO of jobs; per
 * job it checks status first and does not print into a printer that is out
 * of paper, open or off line. Results come back through one callback.
 */
#ifndef HK_PLATFORM_PRINTER_PRINT_SPOOL_H
#define HK_PLATFORM_PRINTER_PRINT_SPOOL_H

#include <stdint.h>

#include "hk_err.h"
#include "printer.h"

#define PRINT_SPOOL_MAX_QUEUED        16  /* waiting jobs; the running one not counted */
#define PRINT_SPOOL_STATUS_TIMEOUT_MS 500 /* per-job status query limit */

typedef struct print_spool print_spool_t;

/**
 * Result of one job, called exactly once per accepted job, in submit order.
 * Called on the worker thread with no spool lock held: it may call
 * print_spool_submit(), but must not call print_spool_wait_idle() or
 * print_spool_destroy() (they wait for the worker, which is running it).
 * @param job_id  the id print_spool_submit() returned.
 * @param rc      HK_OK printed; HK_ERR_HW not printed or the write failed
 *                (status says why: paper_out, cover_open, offline);
 *                HK_ERR_BUSY dropped unprinted by print_spool_destroy();
 *                HK_ERR_NOMEM could not encode.
 * @param status  printer status seen before printing (OFFLINE after a
 *                failed write; UNKNOWN for dropped jobs).
 */
typedef void (*print_spool_done_fn)(void *user, uint64_t job_id, hk_err_t rc,
                                    printer_status_t status);

/**
 * Start a spool and its worker thread.
 * @param printer  owned by the spool from this call on, even on failure
 *                 (then destroyed here); only the worker uses it afterwards.
 * @param done     may be NULL; @param user passed to it, borrowed.
 * @param out      receives the spool; free with print_spool_destroy().
 * @return HK_OK, HK_ERR_INVALID (printer NULL), HK_ERR_NOMEM, HK_ERR_IO
 *         (thread could not start).
 */
hk_err_t print_spool_create(printer_t *printer, print_spool_done_fn done, void *user,
                            print_spool_t **out);

/**
 * Queue a ticket; returns at once.
 * @param bits    hk_malloc'd raster, rows of (width+7)/8 bytes as for
 *                printer_print_raster(); ownership passes to the spool even
 *                on failure (freed here then).
 * @param job_id_out  may be NULL; receives the job id (1, 2, ...) on success.
 * @return HK_OK, HK_ERR_INVALID (NULL bits, size out of range),
 *         HK_ERR_BUSY (PRINT_SPOOL_MAX_QUEUED jobs already waiting),
 *         HK_ERR_NOMEM.
 * \threadsafety any thread.
 */
hk_err_t print_spool_submit(print_spool_t *s, uint8_t *bits, int width, int height,
                            uint64_t *job_id_out);

/**
 * Block until no job is queued or running and every done callback has
 * returned (scripts, tests, orderly shutdown). Not from the callback.
 */
void print_spool_wait_idle(print_spool_t *s);

/**
 * Stop the spool: the job being printed finishes, queued jobs are dropped
 * (done with HK_ERR_BUSY), the worker is joined, the printer destroyed.
 * Call print_spool_wait_idle() first to print everything. NULL ok.
 */
void print_spool_destroy(print_spool_t *s);

#endif
