/*
 * rating_flow: the rating screens' state machine, shared by the counter's
 * customer side and the kiosk's "rate our service": faces -> reason or
 * praise chips -> one vote sent -> thanks (or why not). Plus what both
 * need around it: reading a ticket number (and day) from what a
 * keyboard-wedge scanner typed, and a staff member's initials for the
 * photo placeholder. Pure functions over ui_rate_view_t: no I/O.
 */
#ifndef HK_APP_UI_RATING_FLOW_H
#define HK_APP_UI_RATING_FLOW_H

#include <stdbool.h>

#include "branch.h"
#include "ui.h"

/** Start a rating: faces, nothing chosen; countdown_s as given (-1 none). */
void rating_flow_begin(ui_rate_view_t *r, bool kiosk, const char *number, int countdown_s);

/**
 * Apply a rating intent (RATE_LEVEL, RATE_CHIP, RATE_SUBMIT) to the view.
 * Presses that do not fit the phase (a second face, a chip after the vote
 * was sent) change nothing: one vote per visit.
 * @param vote  filled when the return is true.
 * @return true when the vote is to be sent now (phase is SENDING).
 */
bool rating_flow_intent(ui_rate_view_t *r, const ui_intent_t *in, rating_vote_t *vote);

/** A face was chosen and the window is about to close: send what was
 *  chosen. @return true (vote filled) when there is a level to send. */
bool rating_flow_send_now(ui_rate_view_t *r, rating_vote_t *vote);

/** The vote's result: THANKS on HK_OK, else FAILED with the reason in
 *  lang (already rated, window passed, not sent). */
void rating_flow_result(ui_rate_view_t *r, i18n_lang_t lang, hk_err_t rc);

/**
 * Read a ticket number from typed or scanned text: the ticket's status URL
 * (cfg->ticket_url_template: {day} and {number} are taken from it), or a
 * number alone ("a12", "A012"). The number comes back as the hub writes
 * it: upper-case letter, three digits.
 * @param day  receives "YYYY-MM-DD" from a URL, else "".
 * @return false when no number can be read.
 */
bool rating_flow_parse(const config_t *cfg, const char *text, char day[11], char number[8]);

/** Initials for the photo placeholder: the family name's character in
 *  Chinese, the initials of the English name otherwise. */
void rating_flow_initials(const config_staff_t *s, i18n_lang_t lang, char *out, unsigned size);

#endif
