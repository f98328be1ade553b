/*
 * lockdown: see lockdown.h. Linux VT ioctls on standard input; nothing
 * else. Why each step (drivers/tty/vt/vt.c, set_console()): a keyboard VT
 * switch (Ctrl+Alt+Fn) is refused while vt_dont_switch is set
 * (VT_LOCKSWITCH) or while the current VT is VT_AUTO in KD_GRAPHICS. The
 * first also stops chvt and logind; it needs CAP_SYS_TTY_CONFIG. The second
 * only needs the VT to be our controlling terminal, so it holds even when the
 * capability is missing.
 */
#include "lockdown.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kd.h>
#include <linux/vt.h>

#include "hk_log.h"
#include "hk_mem.h"

struct lockdown {
    int fd;             /* the VT (standard input), or -1 */
    bool graphics_set;  /* KD_GRAPHICS set by us: restore old_mode */
    int old_mode;       /* KD_TEXT as a rule */
    bool switch_locked; /* VT_LOCKSWITCH succeeded */
};

hk_err_t lockdown_enter(lockdown_t **out)
{
    static const int ignored[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP };
    lockdown_t *l;
    struct vt_stat vs;
    size_t i;
    int mode = 0;

    *out = NULL;
    l = hk_calloc(1, sizeof(*l));
    if(!l)
        return HK_ERR_NOMEM;
    l->fd = -1;
    for(i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        (void)signal(ignored[i], SIG_IGN); /* cannot fail for these signals */
    if(ioctl(STDIN_FILENO, VT_GETSTATE, &vs) != 0 || ioctl(STDIN_FILENO, KDGETMODE, &mode) != 0) {
        hk_log_info("lockdown", "standard input is not a virtual terminal: signals ignored, VT "
                                "switching left to the image");
        *out = l;
        return HK_OK;
    }
    l->fd = STDIN_FILENO;
    l->old_mode = mode;
    if(mode != KD_GRAPHICS) {
        if(ioctl(l->fd, KDSETMODE, KD_GRAPHICS) == 0)
            l->graphics_set = true;
        else
            hk_log_warn("lockdown", "KDSETMODE graphics: %s", strerror(errno));
    }
    if(ioctl(l->fd, VT_LOCKSWITCH, 0) == 0)
        l->switch_locked = true;
    else
        hk_log_warn("lockdown",
                    "VT_LOCKSWITCH: %s (the unit grants CAP_SYS_TTY_CONFIG); keyboard VT "
                    "switches are still refused in graphics mode",
                    strerror(errno));
    hk_log_info("lockdown", "VT %d: graphics mode %s, switching %s", (int)vs.v_active,
                l->graphics_set || mode == KD_GRAPHICS ? "on" : "off",
                l->switch_locked ? "locked" : "not locked");
    *out = l;
    return HK_OK;
}

bool lockdown_vt_locked(const lockdown_t *l)
{
    return l && l->switch_locked;
}

void lockdown_leave(lockdown_t *l)
{
    if(!l)
        return;
    if(l->switch_locked)
        (void)ioctl(l->fd, VT_UNLOCKSWITCH, 0); /* best effort: we are leaving */
    if(l->graphics_set)
        (void)ioctl(l->fd, KDSETMODE, l->old_mode);
    hk_free(l);
}
