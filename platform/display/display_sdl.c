/*
 * display_sdl: displays and their input on SDL2 with the software renderer.
 * One file for all backends, because SDL already separates them by video
 * driver: a desktop window (x11/wayland), full screen (x11, or SDL's KMSDRM
 * when there is no window system) and "offscreen" for tests and headless
 * runs. It does no layout and knows nothing of screens.
 *
 * Design notes
 *   Native pixels: no SDL_RenderSetLogicalSize. A logical size scaled to
 *   the window made seams between adjacent fills, jagged round corners and,
 *   on X11 without a window manager, a full-screen window of the layout's
 *   size hanging off the monitor's top left. The gfx is the output's size;
 *   the UI lays out in design units scaled to it (app/ui/ui.c).
 *
 *   Full screen: the window is made at the monitor's bounds and desktop
 *   size (SDL_GetDisplayBounds / SDL_GetDesktopDisplayMode), borderless,
 *   with SDL_WINDOW_FULLSCREEN_DESKTOP. With a window manager the WM's
 *   full-screen state does the rest; without one (a kiosk's bare X server)
 *   nobody would move or resize the window, so it must already be right.
 *
 *   Process state (SDL's, so ours): SDL has one video subsystem and one
 *   event queue per process. `sys` counts the open displays (first create
 *   initialises SDL, last destroy quits it), owns the one registered wake
 *   event type and the list of displays that routes events by window id.
 *   Events for a display other than the one being waited for are translated
 *   and parked in that display's ring (PARK_MAX); a full ring drops its
 *   oldest event and logs it (only a display nobody waits on fills up).
 *   Events without a window id (0: SDL_QUIT, pushed by tests, some touch
 *   drivers) go to the display created first; late events of a destroyed
 *   window are dropped.
 *
 *   Rotation (display_cfg.rotation): a panel mounted on its side under
 *   KMSDRM has nobody else to turn the picture. The UI then draws into a
 *   target texture of the turned size and display_present() copies it
 *   turned (SDL_RenderCopyEx) onto the output; input is turned back
 *   (unrotate()). It costs one extra full-frame copy per present. The
 *   target is bound only while drawing (gfx_sdl binds it at its first op,
 *   display_present() unbinds it): SDL 2.26's renderer rescales touch
 *   events by the bound target's size as they are queued, which would move
 *   every touch.
 *
 *   Sizes: the software renderer follows the window surface, so a resize is
 *   noticed from SDL_WINDOWEVENT_SIZE_CHANGED; gfx width/height are updated
 *   from SDL_GetRendererOutputSize when that event is translated, and the
 *   event reaches the UI as DISPLAY_EV_RESIZE. Mouse coordinates come in
 *   window points and are scaled to output pixels (HiDPI); finger
 *   coordinates are normalised and scaled the same way.
 *
 * Why the hints: with the software renderer SDL 2.26 still routes the
 * window surface through Mesa's GL (+~100 MB, 7x slower frames) unless
 * SDL_FRAMEBUFFER_ACCELERATION is "0" (docs/performance.md). Touch must not also
 * arrive as synthetic mouse events, or one tap would be two presses.
 *
 * KMSDRM (a device with no window system) is the exception: SDL 2.26's
 * KMSDRM driver has no window framebuffer of its own, only GBM surfaces
 * drawn with EGL, so the software renderer cannot run there ("no
 * framebuffer"; found booting the image, toolchain/dev image-boot). There
 * the renderer is SDL's GLES2 one, on the board's GPU driver or Mesa's
 * kms_swrast (the package depends on Mesa's EGL/GLES and DRI drivers).
 */
#include "display.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "gfx_sdl_private.h"
#include "hk_log.h"
#include "hk_mem.h"

#define PARK_MAX     64
#define MAX_DISPLAYS 8

struct display {
    SDL_Window *win;
    SDL_Renderer *ren;
    Uint32 win_id;
    gfx_t gfx;
    gfx_sdl_t *gs;
    bool headless;
    bool fullscreen;
    int rotation;       /* 0, 90, 180, 270 clockwise */
    SDL_Texture *frame; /* rotation != 0: the UI draws here, present turns it */
    int out_w, out_h;   /* the renderer's output (the panel) */
    int finger_down;
    char backend[32];
    /* parked events (ring) */
    display_event_t park[PARK_MAX];
    int park_head, park_n;
};

static struct {
    int users;
    Uint32 wake_event;
    bool lockdown;                 /* display_cfg_t.lockdown of the first display */
    display_t *list[MAX_DISPLAYS]; /* in creation order */
    int n;
} sys;

static bool have_window_system(void)
{
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

    return (x && *x) || (w && *w);
}

/* SDL's video driver in use is KMSDRM (after SDL_Init). */
static bool kmsdrm(void)
{
    const char *drv = SDL_GetCurrentVideoDriver();

    return drv && !strcmp(drv, "KMSDRM");
}

static hk_err_t sys_up(display_mode_t mode, hk_diag_t *diag)
{
    if(sys.users > 0) {
        sys.users++;
        return HK_OK;
    }
    if(mode == DISPLAY_MODE_OFFSCREEN)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    else
        SDL_ResetHint(SDL_HINT_VIDEODRIVER);
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    /* a kiosk that loses focus to nothing must not minimise itself */
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    /* lockdown: closing the last window is no way out (SIGTERM still is) */
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, sys.lockdown ? "0" : "1");
    if(SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        hk_diag_set(diag, "display: SDL_Init: %s", SDL_GetError());
        return HK_ERR_HW;
    }
    if(kmsdrm()) { /* see the design notes: GLES2 through EGL/GBM */
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "opengles2");
        SDL_ResetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION);
    }
    sys.wake_event = SDL_RegisterEvents(1);
    /* keyboard-wedge scanners type like keyboards: always take text */
    SDL_StartTextInput();
    sys.users = 1;
    return HK_OK;
}

static void sys_down(void)
{
    if(sys.users <= 0 || --sys.users > 0)
        return;
    SDL_StopTextInput();
    SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
    SDL_Quit();
    sys.wake_event = 0;
}

static void sys_add(display_t *d)
{
    if(sys.n < MAX_DISPLAYS)
        sys.list[sys.n++] = d;
}

static void sys_remove(display_t *d)
{
    int i;

    for(i = 0; i < sys.n; i++)
        if(sys.list[i] == d) {
            memmove(&sys.list[i], &sys.list[i + 1], sizeof(sys.list[0]) * (size_t)(sys.n - i - 1));
            sys.n--;
            return;
        }
}

/* The display of a window id; id 0 (no window: SDL_QUIT, pushed events,
 * some touch drivers) goes to the display created first; an id we do not
 * know is a window already destroyed, whose late events are dropped. */
static display_t *sys_find(Uint32 win_id)
{
    int i;

    if(win_id == 0)
        return sys.n > 0 ? sys.list[0] : NULL;
    for(i = 0; i < sys.n; i++)
        if(sys.list[i]->win_id == win_id)
            return sys.list[i];
    return NULL;
}

/* Output size into out_w/out_h and the UI's size into the gfx (turned
 * for a rotation of 90/270); with a rotation, (re)make the frame texture
 * the UI draws into. */
static void sync_size(display_t *d)
{
    int w = 0, h = 0, gw, gh;

    /* with a target bound, SDL reports the target's size as the output's */
    SDL_SetRenderTarget(d->ren, NULL);
    if(SDL_GetRendererOutputSize(d->ren, &w, &h) != 0 || w <= 0 || h <= 0)
        SDL_GetWindowSize(d->win, &w, &h);
    d->out_w = w;
    d->out_h = h;
    gw = (d->rotation == 90 || d->rotation == 270) ? h : w;
    gh = (d->rotation == 90 || d->rotation == 270) ? w : h;
    if(d->rotation && (!d->frame || gw != d->gfx.width || gh != d->gfx.height)) {
        if(d->frame)
            SDL_DestroyTexture(d->frame);
        d->frame =
            SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, gw, gh);
        /* try binding it once; gfx_sdl binds it for real when it draws */
        if(!d->frame || SDL_SetRenderTarget(d->ren, d->frame) != 0) {
            hk_log_error("display", "cannot make a %dx%d frame to rotate: %s; not rotating", gw, gh,
                         SDL_GetError());
            if(d->frame)
                SDL_DestroyTexture(d->frame);
            d->frame = NULL;
            d->rotation = 0;
            gw = w;
            gh = h;
        }
        SDL_SetRenderTarget(d->ren, NULL);
    }
    d->gfx.width = gw;
    d->gfx.height = gh;
    if(d->gs)
        gfx_sdl_set_target(d->gs, d->frame);
}

/* Output pixels to the UI's (turned) pixels. */
static void unrotate(const display_t *d, int *x, int *y)
{
    int ox = *x, oy = *y;

    switch(d->rotation) {
    case 90: /* the UI's top-left is the panel's top-right */
        *x = oy;
        *y = d->gfx.height - 1 - ox;
        break;
    case 180:
        *x = d->gfx.width - 1 - ox;
        *y = d->gfx.height - 1 - oy;
        break;
    case 270:
        *x = d->gfx.width - 1 - oy;
        *y = ox;
        break;
    default: break;
    }
}

/* Free what a display holds (NULL ok); SDL itself stays up. */
static void release(display_t *d)
{
    if(!d)
        return;
    gfx_sdl_destroy(d->gs);
    if(d->frame)
        SDL_DestroyTexture(d->frame);
    if(d->ren)
        SDL_DestroyRenderer(d->ren);
    if(d->win)
        SDL_DestroyWindow(d->win);
    hk_free(d);
}

hk_err_t display_create(const display_cfg_t *cfg, font_set_t *fonts, display_t **out,
                        hk_diag_t *diag)
{
    display_t *d = NULL;
    display_mode_t mode = cfg->mode;
    Uint32 flags = 0;
    int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
    int w = cfg->width > 0 ? cfg->width : 1080, h = cfg->height > 0 ? cfg->height : 1920;
    const char *drv;
    hk_err_t rc;

    *out = NULL;
    if(cfg->rotation != 0 && cfg->rotation != 90 && cfg->rotation != 180 && cfg->rotation != 270) {
        hk_diag_set(diag, "display: rotation %d: expected 0, 90, 180 or 270", cfg->rotation);
        return HK_ERR_INVALID;
    }
    if(mode == DISPLAY_MODE_AUTO) {
        drv = getenv("SDL_VIDEODRIVER");
        if(drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")))
            mode = DISPLAY_MODE_OFFSCREEN;
        else
            mode = have_window_system() ? DISPLAY_MODE_WINDOW : DISPLAY_MODE_OFFSCREEN;
    }
    if(sys.users == 0)
        sys.lockdown = cfg->lockdown;
    rc = sys_up(mode, diag);
    if(rc != HK_OK)
        return rc;
    d = hk_calloc(1, sizeof(*d));
    if(!d) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    drv = SDL_GetCurrentVideoDriver();
    snprintf(d->backend, sizeof(d->backend), "%s", drv ? drv : "?");
    d->headless = !strcmp(d->backend, "offscreen") || !strcmp(d->backend, "dummy");
    if((mode == DISPLAY_MODE_WINDOW || mode == DISPLAY_MODE_FULLSCREEN) && d->headless) {
        /* SDL fell back to drawing nowhere: a kiosk that was asked for a
         * screen must not silently run blind (the watchdog retries) */
        hk_diag_set(diag, "display: a %s was asked for, but SDL found no screen (driver %s)",
                    mode == DISPLAY_MODE_WINDOW ? "window" : "full screen", d->backend);
        rc = HK_ERR_HW;
        goto out;
    }
    if(!d->headless && mode == DISPLAY_MODE_FULLSCREEN) {
        SDL_DisplayMode dm;
        SDL_Rect b;
        int mon = cfg->monitor >= 0 && cfg->monitor < SDL_GetNumVideoDisplays() ? cfg->monitor : 0;

        if(SDL_GetDisplayBounds(mon, &b) == 0) {
            x = b.x;
            y = b.y;
            w = b.w;
            h = b.h;
        }
        if(SDL_GetDesktopDisplayMode(mon, &dm) == 0 && dm.w > 0 && dm.h > 0) {
            w = dm.w;
            h = dm.h;
        }
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
        d->fullscreen = true;
    } else if(!d->headless) {
        SDL_Rect usable;
        int mon = cfg->monitor >= 0 && cfg->monitor < SDL_GetNumVideoDisplays() ? cfg->monitor : 0;
        /* Fit the preferred size into the desktop, keeping its shape. */
        if(SDL_GetDisplayUsableBounds(mon, &usable) == 0 && usable.w > 0 && usable.h > 0) {
            double sx = usable.w * 0.92 / w, sy = usable.h * 0.92 / h;
            double sc = sx < sy ? sx : sy;
            if(sc < 1.0) {
                w = (int)(w * sc);
                h = (int)(h * sc);
            }
        }
        x = (int)SDL_WINDOWPOS_CENTERED_DISPLAY(mon);
        y = (int)SDL_WINDOWPOS_CENTERED_DISPLAY(mon);
        flags |= SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    }
    d->win = SDL_CreateWindow(cfg->title ? cfg->title : "HallKiosk", x, y, w, h, flags);
    if(!d->win) {
        hk_diag_set(diag, "display: SDL_CreateWindow: %s", SDL_GetError());
        rc = HK_ERR_HW;
        goto out;
    }
    d->win_id = SDL_GetWindowID(d->win);
    d->rotation = cfg->rotation;
    d->ren =
        SDL_CreateRenderer(d->win, -1, kmsdrm() ? SDL_RENDERER_ACCELERATED : SDL_RENDERER_SOFTWARE);
    if(!d->ren) {
        hk_diag_set(diag, "display: SDL_CreateRenderer: %s", SDL_GetError());
        rc = HK_ERR_HW;
        goto out;
    }
    sync_size(d);
    rc = gfx_sdl_create(d->ren, fonts, &d->gfx, &d->gs);
    if(rc != HK_OK)
        goto out;
    gfx_sdl_set_target(d->gs, d->frame);
    if(d->fullscreen)
        SDL_ShowCursor(SDL_DISABLE);
    sys_add(d);
    hk_log_info("display", "%s, %s, %dx%d px",
                d->headless     ? "headless"
                : d->fullscreen ? "full screen"
                                : "window",
                d->backend, d->gfx.width, d->gfx.height);
out:
    if(rc != HK_OK) {
        release(d);
        sys_down();
        return rc;
    }
    *out = d;
    return HK_OK;
}

void display_destroy(display_t *d)
{
    if(!d)
        return;
    sys_remove(d);
    release(d);
    sys_down();
}

gfx_t *display_gfx(display_t *d)
{
    return &d->gfx;
}

bool display_is_headless(const display_t *d)
{
    return d->headless;
}

void display_request_size(display_t *d, int w, int h)
{
    if(d->fullscreen || w <= 0 || h <= 0)
        return;
    /* SDL reports SDL_WINDOWEVENT_SIZE_CHANGED once the size took effect
     * (at once on the offscreen driver); translate() turns it into
     * DISPLAY_EV_RESIZE */
    SDL_SetWindowSize(d->win, w, h);
}

void display_present(display_t *d)
{
    if(d->frame) {
        /* turn the UI's frame about the output's centre onto the panel */
        SDL_Rect dst = { (d->out_w - d->gfx.width) / 2, (d->out_h - d->gfx.height) / 2,
                         d->gfx.width, d->gfx.height };
        SDL_SetRenderTarget(d->ren, NULL);
        SDL_RenderCopyEx(d->ren, d->frame, NULL, &dst, d->rotation, NULL, SDL_FLIP_NONE);
        SDL_RenderPresent(d->ren);
        return; /* the target is bound again by the next draw (gfx_sdl) */
    }
    SDL_RenderPresent(d->ren);
}

static int map_key(SDL_Keycode k)
{
    switch(k) {
    case SDLK_ESCAPE: return DISPLAY_KEY_ESCAPE;
    case SDLK_RETURN:
    case SDLK_RETURN2:
    case SDLK_KP_ENTER: return DISPLAY_KEY_ENTER;
    case SDLK_BACKSPACE: return DISPLAY_KEY_BACKSPACE;
    case SDLK_TAB: return DISPLAY_KEY_TAB;
    case SDLK_DELETE: return DISPLAY_KEY_DELETE;
    case SDLK_F1: return DISPLAY_KEY_F1;
    case SDLK_F2: return DISPLAY_KEY_F2;
    case SDLK_F11: return DISPLAY_KEY_F11;
    case SDLK_F3: return DISPLAY_KEY_F3;
    case SDLK_F4: return DISPLAY_KEY_F4;
    case SDLK_F5: return DISPLAY_KEY_F5;
    case SDLK_F6: return DISPLAY_KEY_F6;
    case SDLK_F7: return DISPLAY_KEY_F7;
    case SDLK_F8: return DISPLAY_KEY_F8;
    case SDLK_F9: return DISPLAY_KEY_F9;
    case SDLK_F10: return DISPLAY_KEY_F10;
    default: break;
    }
    return (k > 0 && k < 128) ? (int)k : 0;
}

/* Window points (mouse) to the UI's pixels: output pixels (equal unless
 * HiDPI), then turned back for a rotated panel. */
static void points_to_px(display_t *d, int px, int py, int *x, int *y)
{
    int ww = 0, wh = 0;

    SDL_GetWindowSize(d->win, &ww, &wh);
    if(ww <= 0 || wh <= 0 || (ww == d->out_w && wh == d->out_h)) {
        *x = px;
        *y = py;
    } else {
        *x = (int)((long)px * d->out_w / ww);
        *y = (int)((long)py * d->out_h / wh);
    }
    unrotate(d, x, y);
}

static Uint32 event_window(const SDL_Event *e)
{
    switch(e->type) {
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: return e->button.windowID;
    case SDL_MOUSEMOTION: return e->motion.windowID;
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
    case SDL_FINGERMOTION: return e->tfinger.windowID;
    case SDL_KEYDOWN: return e->key.windowID;
    case SDL_TEXTINPUT: return e->text.windowID;
    case SDL_WINDOWEVENT: return e->window.windowID;
    default: break;
    }
    if(e->type == sys.wake_event)
        return e->user.windowID;
    return 0;
}

/* Translate an SDL event of display d; false when it means nothing to us. */
static bool translate(display_t *d, const SDL_Event *e, display_event_t *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->display = d;
    if(e->type == sys.wake_event) {
        ev->type = DISPLAY_EV_WAKE;
        return true;
    }
    switch(e->type) {
    case SDL_QUIT:
        ev->type = DISPLAY_EV_QUIT;
        ev->display = NULL;
        return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if(e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
            return false;
        ev->type = e->type == SDL_MOUSEBUTTONDOWN ? DISPLAY_EV_DOWN : DISPLAY_EV_UP;
        points_to_px(d, e->button.x, e->button.y, &ev->x, &ev->y);
        return true;
    case SDL_MOUSEMOTION:
        if(e->motion.which == SDL_TOUCH_MOUSEID || !(e->motion.state & SDL_BUTTON_LMASK))
            return false;
        ev->type = DISPLAY_EV_MOVE;
        points_to_px(d, e->motion.x, e->motion.y, &ev->x, &ev->y);
        return true;
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
    case SDL_FINGERMOTION:
        /* Only the first finger drives the UI; palms and second fingers
         * on a public kiosk are noise. */
        if(e->type == SDL_FINGERDOWN) {
            if(d->finger_down)
                return false;
            d->finger_down = 1;
            ev->type = DISPLAY_EV_DOWN;
        } else if(e->type == SDL_FINGERUP) {
            if(!d->finger_down)
                return false;
            d->finger_down = 0;
            ev->type = DISPLAY_EV_UP;
        } else {
            if(!d->finger_down)
                return false;
            ev->type = DISPLAY_EV_MOVE;
        }
        /* normalised to the window: scale to output pixels, then turn */
        ev->x = (int)(e->tfinger.x * (float)d->out_w);
        ev->y = (int)(e->tfinger.y * (float)d->out_h);
        unrotate(d, &ev->x, &ev->y);
        return true;
    case SDL_KEYDOWN:
        ev->type = DISPLAY_EV_KEY;
        ev->key = map_key(e->key.keysym.sym);
        return ev->key != 0;
    case SDL_TEXTINPUT:
        ev->type = DISPLAY_EV_TEXT;
        /* SDL sends whole UTF-8 characters, NUL-terminated, in 32 bytes */
        snprintf(ev->text, sizeof(ev->text), "%s", e->text.text);
        return ev->text[0] != '\0';
    case SDL_WINDOWEVENT:
        switch(e->window.event) {
        case SDL_WINDOWEVENT_SIZE_CHANGED: {
            int ow = d->gfx.width, oh = d->gfx.height;
            sync_size(d);
            ev->type =
                (ow != d->gfx.width || oh != d->gfx.height) ? DISPLAY_EV_RESIZE : DISPLAY_EV_EXPOSE;
            break;
        }
        case SDL_WINDOWEVENT_EXPOSED:
        case SDL_WINDOWEVENT_RESTORED:
        case SDL_WINDOWEVENT_SHOWN: ev->type = DISPLAY_EV_EXPOSE; break;
        case SDL_WINDOWEVENT_CLOSE:
            if(sys.lockdown)
                return false; /* Alt+F4 on a kiosk: nothing happens */
            ev->type = DISPLAY_EV_CLOSE;
            break;
        default: return false;
        }
        ev->w = d->gfx.width;
        ev->h = d->gfx.height;
        return true;
    default: return false;
    }
}

static void park(display_t *d, const display_event_t *ev)
{
    if(d->park_n == PARK_MAX) {
        hk_log_warn("display", "event queue of window %u full: dropped a type %d event",
                    (unsigned)d->win_id, (int)d->park[d->park_head].type);
        d->park_head = (d->park_head + 1) % PARK_MAX;
        d->park_n--;
    }
    d->park[(d->park_head + d->park_n) % PARK_MAX] = *ev;
    d->park_n++;
}

static bool unpark(display_t *d, display_event_t *ev)
{
    if(d->park_n == 0)
        return false;
    *ev = d->park[d->park_head];
    d->park_head = (d->park_head + 1) % PARK_MAX;
    d->park_n--;
    return true;
}

static bool in_set(display_t *const *ds, int n, const display_t *d)
{
    int i;

    for(i = 0; i < n; i++)
        if(ds[i] == d)
            return true;
    return false;
}

bool display_wait_any(display_t *const *ds, int n, int timeout_ms, display_event_t *ev)
{
    SDL_Event e;
    Uint32 start = SDL_GetTicks();
    int i;

    for(i = 0; i < n; i++)
        if(unpark(ds[i], ev))
            return true;
    for(;;) {
        int left = timeout_ms;
        display_t *owner;
        display_event_t tmp;

        if(timeout_ms >= 0) {
            Uint32 spent = SDL_GetTicks() - start;
            left = spent >= (Uint32)timeout_ms ? 0 : timeout_ms - (int)spent;
        }
        if(left == 0) {
            if(!SDL_PollEvent(&e))
                return false;
        } else if(!SDL_WaitEventTimeout(&e, left)) {
            return false;
        }
        owner = sys_find(event_window(&e));
        if(!owner)
            continue;
        if(e.type == SDL_QUIT) {
            if(!translate(ds[0], &e, ev))
                continue;
            return true;
        }
        if(!translate(owner, &e, &tmp))
            continue;
        if(in_set(ds, n, owner)) {
            *ev = tmp;
            return true;
        }
        park(owner, &tmp);
    }
}

bool display_wait(display_t *d, int timeout_ms, display_event_t *ev)
{
    return display_wait_any(&d, 1, timeout_ms, ev);
}

void display_wake(display_t *d)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = sys.wake_event;
    e.user.windowID = d->win_id;
    (void)SDL_PushEvent(&e); /* a full queue already wakes the loop */
}

hk_err_t display_save_png(display_t *d, const char *path)
{
    SDL_Surface *s;
    int w, h;
    hk_err_t rc = HK_OK;

    /* the UI's frame: with a rotation, the target texture it draws into */
    w = d->gfx.width;
    h = d->gfx.height;
    s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_RGB24);
    if(!s)
        return HK_ERR_NOMEM;
    if(d->frame)
        SDL_SetRenderTarget(d->ren, d->frame);
    if(SDL_RenderReadPixels(d->ren, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0)
        rc = HK_ERR_HW;
    if(d->frame)
        SDL_SetRenderTarget(d->ren, NULL);
    if(rc == HK_OK && IMG_SavePNG(s, path) != 0)
        rc = HK_ERR_IO;
    SDL_FreeSurface(s);
    return rc;
}

const char *display_backend_name(const display_t *d)
{
    return d->backend;
}
