/*
 * kinetic: see kinetic.h. States: at rest (v == 0), following the finger
 * (samples are being added), coasting (v != 0 after a release).
 * Invariant while coasting: 0 <= pos <= max.
 */
#include "kinetic.h"

#include <math.h>
#include <string.h>

#define MIN_SPEED 0.02 /* px/ms: below this a coast has visibly ended */
#define MAX_SPEED 12.0 /* px/ms: a wild flick does not throw the page away */
#define REST_MS   60   /* finger held still this long before lifting: no coast */

void ui_kinetic_init(ui_kinetic_t *k)
{
    memset(k, 0, sizeof(*k));
}

void ui_kinetic_touch(ui_kinetic_t *k, int pos, int64_t now_ms)
{
    k->v = 0;
    k->pos = pos;
    if(k->n == UI_KINETIC_SAMPLES) {
        memmove(&k->s[0], &k->s[1], sizeof(k->s[0]) * (UI_KINETIC_SAMPLES - 1));
        k->n--;
    }
    k->s[k->n].ms = now_ms;
    k->s[k->n].pos = pos;
    k->n++;
    k->last_ms = now_ms;
}

bool ui_kinetic_release(ui_kinetic_t *k, int max, int64_t now_ms)
{
    int i, first = -1;
    double v = 0;

    k->max = max > 0 ? max : 0;
    if(k->pos > k->max)
        k->pos = k->max;
    if(k->pos < 0)
        k->pos = 0;
    if(k->n >= 2 && now_ms - k->s[k->n - 1].ms <= REST_MS) {
        int64_t newest = k->s[k->n - 1].ms;
        for(i = 0; i < k->n - 1; i++)
            if(newest - k->s[i].ms <= UI_KINETIC_WINDOW_MS) {
                first = i;
                break;
            }
        if(first >= 0 && newest > k->s[first].ms)
            v = (k->s[k->n - 1].pos - k->s[first].pos) / (double)(newest - k->s[first].ms);
    }
    k->n = 0;
    if(v > MAX_SPEED)
        v = MAX_SPEED;
    if(v < -MAX_SPEED)
        v = -MAX_SPEED;
    if(fabs(v) < MIN_SPEED || (v < 0 && k->pos <= 0) || (v > 0 && k->pos >= k->max)) {
        k->v = 0;
        return false;
    }
    k->v = v;
    k->last_ms = now_ms;
    return true;
}

bool ui_kinetic_step(ui_kinetic_t *k, int64_t now_ms)
{
    double dt, decay;

    if(k->v == 0)
        return false;
    dt = (double)(now_ms - k->last_ms);
    if(dt <= 0)
        return true;
    k->last_ms = now_ms;
    decay = exp(-dt / UI_KINETIC_TAU_MS);
    /* the integral of v e^(-t/tau) over dt */
    k->pos += k->v * UI_KINETIC_TAU_MS * (1.0 - decay);
    k->v *= decay;
    if(k->pos <= 0) {
        k->pos = 0;
        k->v = 0;
    } else if(k->pos >= k->max) {
        k->pos = k->max;
        k->v = 0;
    } else if(fabs(k->v) < MIN_SPEED) {
        k->v = 0;
    }
    return k->v != 0;
}

int ui_kinetic_pos(const ui_kinetic_t *k)
{
    return (int)lround(k->pos);
}

void ui_kinetic_stop(ui_kinetic_t *k, int pos)
{
    ui_kinetic_init(k);
    k->pos = pos;
}
