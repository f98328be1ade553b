/*
 * ui_model: builds the parts of ui_model_t that come from the config, the
 * clock and the branch: the header's time and date, today's hours, which
 * services take numbers now, and the waiting counts and estimates from a
 * branch snapshot. Shared by every screen role's controller and by the
 * benchmarks, so the model is computed one way only.
 */
#ifndef HK_APP_UI_UI_MODEL_H
#define HK_APP_UI_UI_MODEL_H

#include <stdint.h>

#include "branch.h"
#include "ui.h"

/** Reset m for the next customer: the config's language and text size,
 *  nothing waiting known yet (total_waiting -1), no ticket. */
void ui_model_init(ui_model_t *m, const config_t *cfg, uint64_t cfg_gen);

/** Back to the config's start-up language and text size, no ticket. */
void ui_model_reset_customer(ui_model_t *m);

/**
 * Time-dependent parts at wall_ms: "14:32", the date in m->lang, today's
 * branch hours and each service's open state and hours.
 * @return wall ms of the next whole minute (when the header changes next).
 */
int64_t ui_model_set_time(ui_model_t *m, int64_t wall_ms);

/** Waiting counts and estimates from a branch snapshot. */
void ui_model_apply_snapshot(ui_model_t *m, const branch_snapshot_t *s);

#endif
