/*
 * lockdown: a screen role running as a service on a device (hallkiosk
 * --kiosk-lockdown, passed by the systemd units) leaves a customer nothing to
 * press that ends it or reaches a shell. It ignores the terminal's signals
 * (Ctrl+C, Ctrl+\, Ctrl+Z, a hangup), and when standard input is a virtual
 * terminal (the unit's TTYPath=/dev/tty1) it puts that VT in graphics mode
 * (the console stops drawing over the picture, and the kernel refuses
 * keyboard VT switches from a VT_AUTO terminal in graphics mode) and locks
 * VT switching for everyone (VT_LOCKSWITCH; needs CAP_SYS_TTY_CONFIG, which
 * the unit grants). SIGTERM still stops the program: that is how the service
 * manager stops it. Closing the window (Alt+F4 under a window manager) is
 * ignored by the UI loop in lockdown (ui_loop_opts_t.lockdown).
 *
 * What it does not do: Ctrl+Alt+Del and SysRq are the kernel's and
 * systemd's; the image masks ctrl-alt-del.target and getty@tty1.service and
 * sets kernel.sysrq=0 (docs/operations.md, "The package and its services").
 * SDL's KMSDRM input (evdev) already mutes the console keyboard (K_OFF), so
 * keys never reach the terminal as text.
 */
#ifndef HK_PLATFORM_LOCKDOWN_LOCKDOWN_H
#define HK_PLATFORM_LOCKDOWN_LOCKDOWN_H

#include <stdbool.h>

#include "hk_err.h"

typedef struct lockdown lockdown_t;

/**
 * Lock down. Call before the display is created: SDL installs its own
 * SIGINT handler only where the handler is still the default, so an ignored
 * SIGINT stays ignored. Parts that cannot be done (no VT on stdin, no
 * capability) are logged and skipped; the rest still holds.
 * @param out  undo with lockdown_leave().
 * @return HK_OK; HK_ERR_NOMEM.
 */
hk_err_t lockdown_enter(lockdown_t **out);

/** Whether VT switching is locked (VT_LOCKSWITCH succeeded). */
bool lockdown_vt_locked(const lockdown_t *l);

/** Undo what lockdown_enter did to the VT (text mode, switching unlocked)
 *  and free. Signals stay ignored: the process is ending. NULL ok. */
void lockdown_leave(lockdown_t *l);

#endif
