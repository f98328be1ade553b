/*
 * kinetic: touch scrolling that follows the finger and then coasts
 * (FAQ/triage, issue 8). The finger's recent positions give the release
 * velocity; after release the velocity decays exponentially (time constant
 * UI_KINETIC_TAU_MS) and the offset stops at either end. Time is passed
 * in (the loop's clock): no timers here, the controller drives
 * ui_kinetic_step() from its frame timer while it returns true.
 * Offsets are panel pixels, 0 = the top.
 */
#ifndef HK_APP_UI_WIDGETS_KINETIC_H
#define HK_APP_UI_WIDGETS_KINETIC_H

#include <stdbool.h>
#include <stdint.h>

#define UI_KINETIC_TAU_MS    325 /* velocity falls to 1/e in this time */
#define UI_KINETIC_WINDOW_MS 100 /* moves older than this give no velocity */
#define UI_KINETIC_SAMPLES   8
#define UI_KINETIC_FRAME_MS  16 /* the controller's step interval while coasting */

typedef struct ui_kinetic {
    double pos; /* offset, px */
    double max; /* largest offset, px */
    double v;   /* px per ms while coasting; 0 = at rest */
    int64_t last_ms;
    int n; /* samples held (newest last) */
    struct {
        int64_t ms;
        double pos;
    } s[UI_KINETIC_SAMPLES];
} ui_kinetic_t;

/** At rest at offset 0. */
void ui_kinetic_init(ui_kinetic_t *k);

/**
 * The finger is down (or moved) and asks for offset pos: follow it
 * exactly; a coast in progress stops.
 */
void ui_kinetic_touch(ui_kinetic_t *k, int pos, int64_t now_ms);

/**
 * The finger lifted: coast with the velocity of the last
 * UI_KINETIC_WINDOW_MS of moves (none when the finger rested longer).
 * @param max  the largest offset (content height - view height, >= 0).
 * @return true when it coasts (call ui_kinetic_step() every frame).
 */
bool ui_kinetic_release(ui_kinetic_t *k, int max, int64_t now_ms);

/**
 * Advance the coast to now_ms (exact exponential decay, so the path does
 * not depend on the frame rate).
 * @return true while still moving; false once at rest (slow, or at an end).
 */
bool ui_kinetic_step(ui_kinetic_t *k, int64_t now_ms);

/** The offset, rounded to a pixel. */
int ui_kinetic_pos(const ui_kinetic_t *k);

/** Stop at once (a new article, a tap). */
void ui_kinetic_stop(ui_kinetic_t *k, int pos);

#endif
