/*
 * print_job: printing the ticket on screen. Renders it (ticket_print.c),
 * hands the raster to the print spool (its own thread), and, when the
 * spool's result comes back through the role's mailbox, records printer
 * faults durably for the engineer and the server. An unplugged or empty
 * printer never stops the kiosk: opening it can fail and the kiosk still
 * issues numbers (shown on screen with a QR code).
 */
#ifndef HK_APP_UI_PRINT_JOB_H
#define HK_APP_UI_PRINT_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "display.h"
#include "i18n.h"
#include "mailbox.h"
#include "queue.h"
#include "store.h"
#include "ui.h"

typedef struct print_job print_job_t;

/**
 * Open the configured printer and its spool. A printer that cannot be
 * opened is logged and recorded as a fault; the job then has no printer
 * (print_job_has_printer() is false) and HK_OK is still returned.
 * @param store  borrowed; where faults are recorded (this device's store).
 * @param mb     borrowed; the spool posts MAILBOX_PRINT_DONE here.
 * @param out    free with print_job_destroy().
 */
hk_err_t print_job_create(const config_t *cfg, const char *data_dir, font_set_t *fonts,
                          store_t *store, mailbox_t *mb, int64_t wall_ms, print_job_t **out);
void print_job_destroy(print_job_t *pj); /* NULL ok; waits for the spool */

bool print_job_has_printer(const print_job_t *pj);

/**
 * Lay tickets out with cfg from now on (paper width, QR URL, footer).
 * The printer itself (kind, target) is opened once: a change to it takes
 * effect at the next start, and is logged as such.
 * @param cfg  borrowed; must stay valid until the next call or destroy.
 */
void print_job_set_config(print_job_t *pj, const config_t *cfg);

/**
 * Render and queue ticket t. A render or queue failure is logged and
 * recorded as a fault.
 * @param png_path  also save the rendered ticket there (NULL = no).
 * @return UI_PRINT_PENDING when queued (its result comes as a
 *         MAILBOX_PRINT_DONE with tag = *job_out), UI_PRINT_FAULT when it
 *         could not be, UI_PRINT_NONE without a printer.
 */
ui_print_state_t print_job_submit(print_job_t *pj, const ticket_t *t, i18n_lang_t lang,
                                  const char *png_path, int64_t wall_ms, uint64_t *job_out);

/**
 * Act on a MAILBOX_PRINT_DONE: record a fault (or paper-low advice).
 * @param ticket_number  for the fault record ("" when unknown).
 * @return UI_PRINT_DONE or UI_PRINT_FAULT for that job.
 */
ui_print_state_t print_job_done(print_job_t *pj, const mailbox_msg_t *msg,
                                const char *ticket_number, int64_t wall_ms);

/**
 * submission (issue 8.5): render and queue a submitted problem's receipt
 * (submit_print.c); results as for print_job_submit().
 * @param png_path  also save the rendered receipt there (NULL = no).
 */
ui_print_state_t print_job_submit_receipt(print_job_t *pj, const char *ref,
                                          const char *phone_masked, const char *url,
                                          i18n_lang_t lang, const char *png_path, int64_t wall_ms,
                                          uint64_t *job_out);

/** Block until the spool has no job (scripts, shutdown). */
void print_job_wait_idle(print_job_t *pj);

#endif
