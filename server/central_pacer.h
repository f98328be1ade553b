/*
 * central_pacer: how long hall-central tells a refused client to stay away
 * (the Retry-After of its 429 and 503 answers), grown with its load.
 *
 * A fixed Retry-After sends every client refused in the same second back in
 * the same second: after an outage the whole fleet bounces off the server in
 * waves. The pacer instead measures how many requests the server serves per
 * second while it is busy (its drain rate) and hands each refused client a
 * return time of its own: after the requests in flight have drained, and
 * after the clients refused before it, spaced so that the returning clients
 * take at most half of that rate (the rest stays for the fleet's ordinary
 * traffic). So the Retry-After grows with the queue (in flight + promised
 * returns) over the drain rate, with a random spread of up to a quarter of
 * it on top (several instances behind one load balancer each have a pacer of
 * their own: the spread keeps their promises from lining up), never below
 * the configured floor nor above the cap.
 *
 * Thread-safe (one mutex; two short critical sections per request). Times
 * are the caller's monotonic milliseconds, so tests drive it with a clock
 * of their own.
 */
#ifndef HK_SERVER_CENTRAL_PACER_H
#define HK_SERVER_CENTRAL_PACER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define CENTRAL_PACER_WINDOW_MS 1000 /* the drain rate is measured per window */
#define CENTRAL_PACER_SHARE     0.5  /* the share of the rate returning clients may take */

typedef struct central_pacer {
    pthread_mutex_t mu;
    int floor_s, cap_s;
    double rate;            /* requests served per second (EWMA over busy windows) */
    bool measured;          /* rate comes from a busy window, not the first guess */
    int64_t win_start_ms;   /* the current window */
    int win_served;         /* requests served in it */
    int64_t win_latency_ms; /* their time in the server, summed */
    int64_t win_inflight;   /* the requests in flight as each ended, summed */
    bool win_busy;          /* a request was refused in it */
    int64_t promised_ms;    /* the latest return time handed out */
} central_pacer_t;

/**
 * Set up a pacer.
 * @param floor_s     the smallest Retry-After (≥ 1).
 * @param cap_s       the largest (≥ floor_s).
 * @param guess_rate  requests per second assumed until a busy window has
 *                    been measured (hall-central: max_inflight).
 * @param now_ms      the caller's monotonic clock.
 */
void central_pacer_init(central_pacer_t *p, int floor_s, int cap_s, int guess_rate, int64_t now_ms);

/** Free the mutex. */
void central_pacer_destroy(central_pacer_t *p);

/**
 * A request was served (answered by an endpoint, not refused).
 * @param latency_ms  its time in the server (headers in to answer sent).
 * @param inflight    the requests in flight as it ended (itself included).
 */
void central_pacer_served(central_pacer_t *p, int64_t now_ms, int64_t latency_ms, int inflight);

/**
 * A request is being refused for load: its Retry-After in seconds.
 * @param inflight  requests being served now.
 * @param rnd       a uniform random 32-bit value (the spread); tests pass 0.
 * @return floor_s..cap_s.
 */
int central_pacer_refuse(central_pacer_t *p, int inflight, int64_t now_ms, uint32_t rnd);

/** The measured drain rate (requests/s), for logs and tests. */
double central_pacer_rate(central_pacer_t *p);

#endif
