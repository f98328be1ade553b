/*
 * print_spool: a worker thread that owns a printer_t and a bounded FIFO of
 * raster jobs. The UI thread submits and returns at once; the worker checks
 * status, prints, and reports each job through the done callback. It does
 * not retry, reorder or persist jobs: a ticket the printer could not take is
 * reported, and the caller (the UI / fault log) decides what the customer
 * is told. It does not render tickets either; it receives finished rasters.
 *
 * Design notes
 * ------------
 * Spool states (under s->lock):
 *   RUNNING   worker waits for or runs jobs; submit accepts jobs.
 *   STOPPING  set by print_spool_destroy(); submit refuses (HK_ERR_BUSY);
 *             the worker finishes the job in hand, then drops the queue.
 *   JOINED    worker exited and was joined; the spool memory is freed.
 * Job states:
 *   QUEUED    in s->head..s->tail            (print_spool_submit)
 *   RUNNING   popped, s->busy = 1            (worker_main)
 *   DONE      callback returned, job freed, s->busy = 0 (worker_main)
 *   DROPPED   popped while STOPPING: done(HK_ERR_BUSY, UNKNOWN), freed
 * Per job, in run_job():
 *   status within PRINT_SPOOL_STATUS_TIMEOUT_MS ->
 *     PAPER_OUT / COVER_OPEN / OFFLINE -> not printed, done(HK_ERR_HW, status)
 *     OK / PAPER_LOW / UNKNOWN         -> print:
 *        write ok     -> done(HK_OK, status)
 *        write failed -> done(HK_ERR_HW, OFFLINE)
 * Invariants:
 *   - s->queued == length of the list, and <= PRINT_SPOOL_MAX_QUEUED.
 *   - Every accepted job gets exactly one done call, in submit order, on the
 *     worker thread, with no lock held; bits are freed after it returns.
 *   - Only the worker touches s->printer after create (no printer locking).
 *   - "Idle" (what wait_idle waits for) = list empty && !busy; cond_idle is
 *     broadcast whenever that becomes true.
 *   - Every printer operation is time-bounded (backends), so destroy's join
 *     is bounded too.
 * The worker blocks SIGPIPE for itself: a backend writing to a FIFO or a
 * closed pipe then gets EPIPE instead of killing the kiosk.
 */
#include "print_spool.h"

#include <pthread.h>
#include <signal.h>

#include "hk_mem.h"

#define WIDTH_MIN  8
#define WIDTH_MAX  2040
#define HEIGHT_MAX 65535

typedef struct spool_job {
    struct spool_job *next;
    uint64_t id;
    uint8_t *bits; /* owned */
    int width;
    int height;
} spool_job_t;

struct print_spool {
    printer_t *printer; /* owned; worker thread only after create */
    print_spool_done_fn done;
    void *user;

    pthread_mutex_t lock;
    pthread_cond_t cond_work; /* job queued or stopping */
    pthread_cond_t cond_idle; /* queue empty and nothing running */
    pthread_t worker;

    /* under lock */
    spool_job_t *head, *tail;
    int queued;
    int busy;
    int stopping;
    uint64_t next_id;
};

static void *worker_main(void *arg);
static void run_job(print_spool_t *s, const spool_job_t *job);
static spool_job_t *pop_job(print_spool_t *s);

hk_err_t print_spool_create(printer_t *printer, print_spool_done_fn done, void *user,
                            print_spool_t **out)
{
    print_spool_t *s = NULL;
    int have_lock = 0, have_work = 0, have_idle = 0;
    hk_err_t rc = HK_OK;

    if(out)
        *out = NULL;
    if(!printer || !out) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    s = hk_calloc(1, sizeof(*s));
    if(!s) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    s->printer = printer;
    s->done = done;
    s->user = user;
    s->next_id = 1;
    if(pthread_mutex_init(&s->lock, NULL) != 0) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    have_lock = 1;
    if(pthread_cond_init(&s->cond_work, NULL) != 0) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    have_work = 1;
    if(pthread_cond_init(&s->cond_idle, NULL) != 0) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    have_idle = 1;
    if(pthread_create(&s->worker, NULL, worker_main, s) != 0) {
        rc = HK_ERR_IO;
        goto out;
    }
    *out = s;
out:
    if(rc != HK_OK) {
        if(have_idle)
            pthread_cond_destroy(&s->cond_idle);
        if(have_work)
            pthread_cond_destroy(&s->cond_work);
        if(have_lock)
            pthread_mutex_destroy(&s->lock);
        hk_free(s);
        printer_destroy(printer); /* owned even on failure */
    }
    return rc;
}

hk_err_t print_spool_submit(print_spool_t *s, uint8_t *bits, int width, int height,
                            uint64_t *job_id_out)
{
    spool_job_t *job = NULL;
    hk_err_t rc = HK_OK;

    if(!s || !bits || width < WIDTH_MIN || width > WIDTH_MAX || height < 1 || height > HEIGHT_MAX) {
        rc = HK_ERR_INVALID;
        goto out;
    }
    job = hk_calloc(1, sizeof(*job));
    if(!job) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    job->bits = bits;
    job->width = width;
    job->height = height;

    pthread_mutex_lock(&s->lock);
    if(s->stopping || s->queued >= PRINT_SPOOL_MAX_QUEUED) {
        pthread_mutex_unlock(&s->lock);
        rc = HK_ERR_BUSY;
        goto out;
    }
    job->id = s->next_id++;
    if(s->tail)
        s->tail->next = job;
    else
        s->head = job;
    s->tail = job;
    s->queued++;
    if(job_id_out)
        *job_id_out = job->id;
    pthread_cond_signal(&s->cond_work);
    pthread_mutex_unlock(&s->lock);
out:
    if(rc != HK_OK) {
        hk_free(bits); /* ownership passed even on failure */
        hk_free(job);
    }
    return rc;
}

void print_spool_wait_idle(print_spool_t *s)
{
    if(!s)
        return;
    pthread_mutex_lock(&s->lock);
    while(s->head || s->busy)
        pthread_cond_wait(&s->cond_idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

void print_spool_destroy(print_spool_t *s)
{
    if(!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_signal(&s->cond_work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->worker, NULL);

    /* The worker drained the list before exiting. */
    if(HK_NEVER(s->head != NULL)) {
        spool_job_t *job;
        while((job = pop_job(s)) != NULL) {
            hk_free(job->bits);
            hk_free(job);
        }
    }
    pthread_cond_destroy(&s->cond_idle);
    pthread_cond_destroy(&s->cond_work);
    pthread_mutex_destroy(&s->lock);
    printer_destroy(s->printer);
    hk_free(s);
}

static void *worker_main(void *arg)
{
    print_spool_t *s = arg;
    sigset_t pipe_set;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    (void)pthread_sigmask(SIG_BLOCK, &pipe_set, NULL); /* cannot fail for a valid set */

    pthread_mutex_lock(&s->lock);
    for(;;) {
        spool_job_t *job;
        int dropping;

        while(!s->head && !s->stopping)
            pthread_cond_wait(&s->cond_work, &s->lock);
        job = pop_job(s);
        if(!job)
            break; /* stopping and drained */
        dropping = s->stopping;
        s->busy = 1;
        pthread_mutex_unlock(&s->lock);

        if(dropping) {
            if(s->done)
                s->done(s->user, job->id, HK_ERR_BUSY, PRINTER_STATUS_UNKNOWN);
        } else {
            run_job(s, job);
        }
        hk_free(job->bits);
        hk_free(job);

        pthread_mutex_lock(&s->lock);
        s->busy = 0;
        if(!s->head)
            pthread_cond_broadcast(&s->cond_idle);
    }
    pthread_cond_broadcast(&s->cond_idle);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void run_job(print_spool_t *s, const spool_job_t *job)
{
    printer_status_t st = PRINTER_STATUS_UNKNOWN;
    hk_err_t rc;

    if(printer_status(s->printer, PRINT_SPOOL_STATUS_TIMEOUT_MS, &st) != HK_OK)
        st = PRINTER_STATUS_UNKNOWN; /* cannot tell: try to print */
    if(st == PRINTER_STATUS_PAPER_OUT || st == PRINTER_STATUS_COVER_OPEN ||
       st == PRINTER_STATUS_OFFLINE) {
        rc = HK_ERR_HW;
        goto out;
    }
    rc = printer_print_raster(s->printer, job->bits, job->width, job->height);
    if(rc == HK_ERR_HW)
        st = PRINTER_STATUS_OFFLINE;
out:
    if(s->done)
        s->done(s->user, job->id, rc, st);
}

/* Under lock. */
static spool_job_t *pop_job(print_spool_t *s)
{
    spool_job_t *job = s->head;

    if(!job)
        return NULL;
    s->head = job->next;
    if(!s->head)
        s->tail = NULL;
    s->queued--;
    job->next = NULL;
    return job;
}
