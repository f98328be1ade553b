/*
 * central_pacer: see central_pacer.h.
 *
 * Design notes
 *   The rate: per CENTRAL_PACER_WINDOW_MS window, the larger of the
 *   requests served in it and Little's law's figure: the requests in flight
 *   over their mean time in the server (a server that has just started, or
 *   has just been flooded, has its pipeline full of work not yet finished:
 *   the count alone measured 7 requests/s for a server that serves 60).
 *   Only a window in which the server refused someone (a busy one) says
 *   what the server can do; an idle one only says what was asked of it, so
 *   it may raise the estimate (the server did at least that) but never
 *   lower it. Busy windows enter an EWMA (half old, half new) so one slow
 *   second (a checkpoint, a burst of TLS handshakes) does not halve the
 *   estimate; the first one is averaged with the caller's guess.
 *   A refusal: the in-flight requests drain in inflight / rate seconds; the
 *   returns promised so far are queued after that, one every
 *   1 / (rate * SHARE) s. The new client's return time is the next free
 *   place: max(promised, now + drain) + spacing. Promises in the past have
 *   been kept (or not: a client that never came back costs one spacing) and
 *   count for nothing. Retry-After is that wait plus a spread of up to a
 *   quarter of it, rounded up to whole seconds (HTTP's unit), clamped to
 *   floor..cap. At the floor every client gets the same value; the clients
 *   add a jitter of their own (sync.c back_off(): up to its base).
 */
#include "central_pacer.h"

#include <string.h>

void central_pacer_init(central_pacer_t *p, int floor_s, int cap_s, int guess_rate, int64_t now_ms)
{
    memset(p, 0, sizeof(*p));
    (void)pthread_mutex_init(&p->mu, NULL);
    p->floor_s = floor_s > 0 ? floor_s : 1;
    p->cap_s = cap_s >= p->floor_s ? cap_s : p->floor_s;
    p->rate = guess_rate > 0 ? guess_rate : 1;
    p->win_start_ms = now_ms;
    p->promised_ms = now_ms;
}

void central_pacer_destroy(central_pacer_t *p)
{
    (void)pthread_mutex_destroy(&p->mu);
}

/* Close the window if it is over (mu held). */
static void roll(central_pacer_t *p, int64_t now_ms)
{
    int64_t len = now_ms - p->win_start_ms;
    double r;

    if(len < CENTRAL_PACER_WINDOW_MS)
        return;
    r = (double)p->win_served * 1000.0 / (double)len;
    if(p->win_served > 0 && p->win_latency_ms > 0) {
        /* Little: in flight = rate * time in the server */
        double little = (double)p->win_inflight * 1000.0 / (double)p->win_latency_ms;
        if(little > r)
            r = little;
    }
    if(p->win_busy) {
        p->rate = 0.5 * p->rate + 0.5 * r; /* the first: with the guess */
        p->measured = true;
    } else if(r > p->rate) {
        p->rate = r;
    }
    if(p->rate < 1.0)
        p->rate = 1.0;
    p->win_start_ms = now_ms;
    p->win_served = 0;
    p->win_latency_ms = 0;
    p->win_inflight = 0;
    p->win_busy = false;
}

void central_pacer_served(central_pacer_t *p, int64_t now_ms, int64_t latency_ms, int inflight)
{
    pthread_mutex_lock(&p->mu);
    roll(p, now_ms);
    p->win_served++;
    p->win_latency_ms += latency_ms > 0 ? latency_ms : 0;
    p->win_inflight += inflight > 0 ? inflight : 0;
    pthread_mutex_unlock(&p->mu);
}

int central_pacer_refuse(central_pacer_t *p, int inflight, int64_t now_ms, uint32_t rnd)
{
    int64_t drained, spacing, wait;
    int secs;

    pthread_mutex_lock(&p->mu);
    roll(p, now_ms);
    p->win_busy = true;
    drained = now_ms + (int64_t)((double)(inflight > 0 ? inflight : 0) * 1000.0 / p->rate);
    spacing = (int64_t)(1000.0 / (p->rate * CENTRAL_PACER_SHARE));
    if(spacing < 1)
        spacing = 1;
    if(p->promised_ms < drained)
        p->promised_ms = drained;
    p->promised_ms += spacing;
    if(p->promised_ms > now_ms + (int64_t)p->cap_s * 1000)
        p->promised_ms = now_ms + (int64_t)p->cap_s * 1000; /* a full queue does not grow */
    wait = p->promised_ms - now_ms;
    pthread_mutex_unlock(&p->mu);
    wait += (int64_t)(rnd % (uint32_t)(wait / 4 + 1)); /* the spread */
    secs = (int)((wait + 999) / 1000);
    if(secs < p->floor_s)
        secs = p->floor_s;
    if(secs > p->cap_s)
        secs = p->cap_s;
    return secs;
}

double central_pacer_rate(central_pacer_t *p)
{
    double r;

    pthread_mutex_lock(&p->mu);
    r = p->rate;
    pthread_mutex_unlock(&p->mu);
    return r;
}
