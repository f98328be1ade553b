/*
 * print_job: see print_job.h. The spool's callback runs on the spool's
 * thread: it only posts a MAILBOX_PRINT_DONE (job id, result, printer
 * status) to the loop's mailbox; the loop thread, which owns the store,
 * records the fault. If the mailbox is full the post is refused and
 * counted there, and the fault is logged here so it is never silent.
 */
#include "print_job.h"

#include <stdio.h>
#include <string.h>

#include "hk_log.h"
#include "hk_mem.h"
#include "paths.h"
#include "print_spool.h"
#include "printer.h"
#include "submit_print.h"
#include "ticket_print.h"

struct print_job {
    const config_t *cfg;
    font_set_t *fonts;
    store_t *store;
    mailbox_t *mb;
    print_spool_t *spool;
};

static void record_fault(print_job_t *pj, int64_t wall_ms, const char *code, const char *detail)
{
    if(pj->store && store_record_fault(pj->store, wall_ms, "printer", code, detail) != HK_OK)
        hk_log_error("printer", "could not record fault %s (%s)", code, detail);
}

static void spool_done(void *user, uint64_t job_id, hk_err_t rc, printer_status_t status)
{
    print_job_t *pj = user;

    /* spool thread: hand over and nothing else */
    if(mailbox_post_simple(pj->mb, MAILBOX_PRINT_DONE, job_id, rc, (int64_t)status) != HK_OK)
        hk_log_error("printer", "job %llu result (%s, %s) lost: mailbox full",
                     (unsigned long long)job_id, hk_err_str(rc), printer_status_str(status));
}

hk_err_t print_job_create(const config_t *cfg, const char *data_dir, font_set_t *fonts,
                          store_t *store, mailbox_t *mb, int64_t wall_ms, print_job_t **out)
{
    static const char *const kinds[] = { "none", "file", "device", "tcp" };
    char target[CONFIG_PATH_LEN * 2];
    printer_t *p = NULL;
    print_job_t *pj;
    hk_err_t rc = HK_OK;

    *out = NULL;
    pj = hk_calloc(1, sizeof(*pj));
    if(!pj)
        return HK_ERR_NOMEM;
    pj->cfg = cfg;
    pj->fonts = fonts;
    pj->store = store;
    pj->mb = mb;
    *out = pj;
    if(cfg->printer.kind == CONFIG_PRINTER_NONE)
        return HK_OK;
    if(cfg->printer.kind == CONFIG_PRINTER_FILE)
        rc = paths_resolve(data_dir, cfg->printer.target, target, sizeof(target));
    else
        snprintf(target, sizeof(target), "%s", cfg->printer.target);
    if(rc == HK_OK)
        rc = printer_open(kinds[cfg->printer.kind], target, &p);
    if(rc == HK_OK)
        rc = print_spool_create(p, spool_done, pj, &pj->spool); /* owns p, also on failure */
    if(rc != HK_OK) {
        /* the kiosk still issues numbers without paper */
        hk_log_warn("printer", "unavailable: %s (%s)", hk_err_str(rc), target);
        record_fault(pj, wall_ms, "open_failed", target);
    }
    return HK_OK;
}

void print_job_destroy(print_job_t *pj)
{
    if(!pj)
        return;
    print_spool_destroy(pj->spool);
    hk_free(pj);
}

void print_job_set_config(print_job_t *pj, const config_t *cfg)
{
    if(!pj)
        return;
    if(cfg->printer.kind != pj->cfg->printer.kind ||
       strcmp(cfg->printer.target, pj->cfg->printer.target) != 0)
        hk_log_warn("printer", "printer changed in the config: takes effect at the next start");
    pj->cfg = cfg;
}

bool print_job_has_printer(const print_job_t *pj)
{
    return pj && pj->spool;
}

ui_print_state_t print_job_submit(print_job_t *pj, const ticket_t *t, i18n_lang_t lang,
                                  const char *png_path, int64_t wall_ms, uint64_t *job_out)
{
    uint8_t *bits = NULL;
    int w = 0, h = 0;
    hk_err_t rc;

    *job_out = 0;
    if(!print_job_has_printer(pj))
        return UI_PRINT_NONE;
    rc = ticket_print_render(pj->fonts, pj->cfg, t, lang, &bits, &w, &h, png_path);
    if(rc == HK_OK)
        rc = print_spool_submit(pj->spool, bits, w, h, job_out); /* owns bits now */
    if(rc != HK_OK) {
        hk_log_error("printer", "cannot print ticket %s: %s", t->number, hk_err_str(rc));
        record_fault(pj, wall_ms, "render_failed", t->number);
        return UI_PRINT_FAULT;
    }
    return UI_PRINT_PENDING;
}

/* submission (issue 8.5): the receipt of a submitted problem */
ui_print_state_t print_job_submit_receipt(print_job_t *pj, const char *ref,
                                          const char *phone_masked, const char *url,
                                          i18n_lang_t lang, const char *png_path, int64_t wall_ms,
                                          uint64_t *job_out)
{
    uint8_t *bits = NULL;
    int w = 0, h = 0;
    hk_err_t rc;

    *job_out = 0;
    if(!print_job_has_printer(pj))
        return UI_PRINT_NONE;
    rc = submit_print_render(pj->fonts, pj->cfg, ref, phone_masked, url, lang, wall_ms, &bits, &w,
                             &h, png_path);
    if(rc == HK_OK)
        rc = print_spool_submit(pj->spool, bits, w, h, job_out); /* owns bits now */
    if(rc != HK_OK) {
        hk_log_error("printer", "cannot print receipt %s: %s", ref, hk_err_str(rc));
        record_fault(pj, wall_ms, "render_failed", ref);
        return UI_PRINT_FAULT;
    }
    return UI_PRINT_PENDING;
}

ui_print_state_t print_job_done(print_job_t *pj, const mailbox_msg_t *msg,
                                const char *ticket_number, int64_t wall_ms)
{
    printer_status_t status = (printer_status_t)msg->i64;

    if(msg->rc != HK_OK) {
        const char *code = printer_status_str(status);
        hk_log_warn("printer", "fault: %s (%s)", code, hk_err_str(msg->rc));
        record_fault(pj, wall_ms, code, ticket_number);
        return UI_PRINT_FAULT;
    }
    if(status == PRINTER_STATUS_PAPER_LOW)
        record_fault(pj, wall_ms, "paper_low", ""); /* advice: the ticket printed */
    return UI_PRINT_DONE;
}

void print_job_wait_idle(print_job_t *pj)
{
    if(print_job_has_printer(pj))
        print_spool_wait_idle(pj->spool);
}
