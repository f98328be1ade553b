/*
 * alerts: threshold alerts at head office. Each stored event is looked at
 * once (alerts_from_event, pure); what crosses a threshold (a customer
 * waited longer than the limit before being called; a visit was rated
 * 不满意 or 非常不满意) becomes an alert that the report page lists and
 * that is POSTed as JSON to the configured webhook.
 *
 * Delivery (alerts_t): a worker thread with a bounded queue, so ingest
 * never waits on a slow webhook. Each alert is tried up to 4 times with a
 * growing pause (1, 2, 4 s); https webhooks are verified (there is no
 * switch to turn that off). When the queue is full the oldest alert is
 * dropped and counted (alerts_stats): the alert itself stays in the store
 * and on the report page; only its push is lost.
 */
#ifndef HK_SERVER_ALERTS_H
#define HK_SERVER_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "central_proto.h"
#include "hk_err.h"

#define ALERTS_QUEUE_CAP 1024

typedef struct alerts_limits {
    int wait_limit_s; /* a call after more than this is a long wait; 0 = off */
    int rating_max;   /* levels 1..rating_max alert (2: 不满意 and below); 0 = off */
} alerts_limits_t;

typedef struct alert {
    char kind[24]; /* "long_wait", "dissatisfied" */
    char branch[CENTRAL_ID_LEN];
    char device[CENTRAL_ID_LEN];
    int64_t seq;
    char number[8];
    char counter[CENTRAL_ID_LEN];
    char staff[CENTRAL_ID_LEN];
    int level;  /* dissatisfied: 1..5 */
    int wait_s; /* long_wait */
    int64_t time_ms;
} alert_t;

/**
 * Does this event raise an alert? Pure; bodies that do not parse raise
 * none.
 * @return true and *out filled, or false.
 */
bool alerts_from_event(const char *branch, const char *device, const central_event_t *e,
                       const alerts_limits_t *lim, alert_t *out);

/** The webhook's JSON body for an alert. out: hk_malloc'd, NUL-terminated. */
hk_err_t alerts_json(const alert_t *a, char **out);

typedef struct alerts alerts_t;

typedef struct alerts_stats {
    int64_t sent;    /* answered 2xx */
    int64_t failed;  /* given up after the retries */
    int64_t dropped; /* pushed out of a full queue */
} alerts_stats_t;

/**
 * Start the delivery worker.
 * @param webhook_url  "" = no webhook (alerts_push then does nothing).
 * @param ca_file      to verify an https webhook; NULL/"" = system CAs.
 */
hk_err_t alerts_start(const char *webhook_url, const char *ca_file, alerts_t **out);
/** Queue one alert for the webhook; never blocks on the network. */
void alerts_push(alerts_t *al, const alert_t *a);
/** Wait until the queue is empty and nothing is in flight, up to timeout_ms. */
bool alerts_drain(alerts_t *al, int timeout_ms);
void alerts_stats(alerts_t *al, alerts_stats_t *out);
/** Stop the worker (an alert in flight is abandoned) and free. NULL is a no-op. */
void alerts_stop(alerts_t *al);

#endif
