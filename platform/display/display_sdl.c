/*
 * display_sdl: the screen and its input on SDL2 with the software renderer.
 * One file for all three backends, because SDL already separates them by
 * video driver: a desktop window (x11/wayland), fullscreen (SDL's KMSDRM
 * when there is no window system) and "offscreen" for tests and headless
 * runs. It does no layout and knows nothing of screens.
 *
 * Why the hints: with the software renderer SDL 2.26 still routes the
 * window surface through Mesa's GL (+~100 MB, 7x slower frames) unless
 * SDL_FRAMEBUFFER_ACCELERATION is "0" (MEASURED.md). Touch must not also
 * arrive as synthetic mouse events, or one tap would be two presses.
 */
#include "display.h"

#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "gfx_sdl_private.h"
#include "hk_mem.h"

struct display {
    SDL_Window *win;
    SDL_Renderer *ren;
    gfx_t gfx;
    gfx_sdl_t *gs;
    Uint32 wake_event;
    int logical_w, logical_h;
    int finger_down;
    char backend[32];
};

static int have_window_system(void)
{
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

    return (x && *x) || (w && *w);
}

hk_err_t display_create(const display_cfg_t *cfg, font_set_t *fonts, display_t **out,
                        hk_diag_t *diag)
{
    display_t *d = NULL;
    display_mode_t mode = cfg->mode;
    Uint32 flags = 0;
    int w = cfg->logical_w, h = cfg->logical_h;
    hk_err_t rc = HK_OK;

    *out = NULL;
    if(mode == DISPLAY_MODE_AUTO) {
        const char *drv = getenv("SDL_VIDEODRIVER");
        if(drv && !strcmp(drv, "offscreen"))
            mode = DISPLAY_MODE_OFFSCREEN;
        else
            mode = have_window_system() ? DISPLAY_MODE_WINDOW : DISPLAY_MODE_OFFSCREEN;
    }
    if(mode == DISPLAY_MODE_OFFSCREEN)
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if(SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        hk_diag_set(diag, "display: SDL_Init: %s", SDL_GetError());
        return HK_ERR_HW;
    }
    d = hk_calloc(1, sizeof(*d));
    if(!d) {
        rc = HK_ERR_NOMEM;
        goto out;
    }
    d->logical_w = cfg->logical_w;
    d->logical_h = cfg->logical_h;
    if(mode == DISPLAY_MODE_FULLSCREEN) {
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    } else if(mode == DISPLAY_MODE_WINDOW) {
        SDL_Rect usable;
        /* Fit the layout into the desktop, keeping its aspect ratio. */
        if(SDL_GetDisplayUsableBounds(0, &usable) == 0 && usable.w > 0 && usable.h > 0) {
            double sx = usable.w * 0.92 / w, sy = usable.h * 0.92 / h;
            double sc = sx < sy ? sx : sy;
            if(sc < 1.0) {
                w = (int)(w * sc);
                h = (int)(h * sc);
            }
        }
        flags |= SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    }
    d->win = SDL_CreateWindow(cfg->title ? cfg->title : "HallKiosk", SDL_WINDOWPOS_CENTERED,
                              SDL_WINDOWPOS_CENTERED, w, h, flags);
    if(!d->win) {
        hk_diag_set(diag, "display: SDL_CreateWindow: %s", SDL_GetError());
        rc = HK_ERR_HW;
        goto out;
    }
    d->ren = SDL_CreateRenderer(d->win, -1, SDL_RENDERER_SOFTWARE);
    if(!d->ren) {
        hk_diag_set(diag, "display: SDL_CreateRenderer: %s", SDL_GetError());
        rc = HK_ERR_HW;
        goto out;
    }
    SDL_RenderSetLogicalSize(d->ren, cfg->logical_w, cfg->logical_h);
    d->gfx.width = cfg->logical_w;
    d->gfx.height = cfg->logical_h;
    rc = gfx_sdl_create(d->ren, fonts, &d->gfx, &d->gs);
    if(rc != HK_OK)
        goto out;
    d->wake_event = SDL_RegisterEvents(1);
    snprintf(d->backend, sizeof(d->backend), "%s", SDL_GetCurrentVideoDriver());
    if(mode == DISPLAY_MODE_FULLSCREEN)
        SDL_ShowCursor(SDL_DISABLE);
out:
    if(rc != HK_OK) {
        display_destroy(d);
        if(!d)
            SDL_Quit();
        return rc;
    }
    *out = d;
    return HK_OK;
}

void display_destroy(display_t *d)
{
    if(!d)
        return;
    gfx_sdl_destroy(d->gs);
    if(d->ren)
        SDL_DestroyRenderer(d->ren);
    if(d->win)
        SDL_DestroyWindow(d->win);
    hk_free(d);
    SDL_Quit();
}

gfx_t *display_gfx(display_t *d)
{
    return &d->gfx;
}

void display_set_logical_size(display_t *d, int w, int h)
{
    d->logical_w = w;
    d->logical_h = h;
    d->gfx.width = w;
    d->gfx.height = h;
    if(!strcmp(d->backend, "offscreen"))
        SDL_SetWindowSize(d->win, w, h);
    SDL_RenderSetLogicalSize(d->ren, w, h);
}

void display_present(display_t *d)
{
    SDL_RenderPresent(d->ren);
}

static int map_key(SDL_Keycode k)
{
    switch(k) {
    case SDLK_ESCAPE: return DISPLAY_KEY_ESCAPE;
    case SDLK_RETURN: return DISPLAY_KEY_ENTER;
    case SDLK_F1: return DISPLAY_KEY_F1;
    case SDLK_F2: return DISPLAY_KEY_F2;
    case SDLK_F11: return DISPLAY_KEY_F11;
    default: break;
    }
    return (k > 0 && k < 128) ? (int)k : 0;
}

/* Finger positions are normalised to the window; map them through the
 * renderer's letterboxing to layout coordinates. */
static void finger_to_logical(display_t *d, float fx, float fy, int *x, int *y)
{
    int ww, wh;
    float lx, ly;

    SDL_GetWindowSize(d->win, &ww, &wh);
    SDL_RenderWindowToLogical(d->ren, (int)(fx * (float)ww), (int)(fy * (float)wh), &lx, &ly);
    *x = (int)lx;
    *y = (int)ly;
}

static bool translate(display_t *d, const SDL_Event *e, display_event_t *ev)
{
    memset(ev, 0, sizeof(*ev));
    if(e->type == d->wake_event) {
        ev->type = DISPLAY_EV_WAKE;
        return true;
    }
    switch(e->type) {
    case SDL_QUIT: ev->type = DISPLAY_EV_QUIT; return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if(e->button.which == SDL_TOUCH_MOUSEID || e->button.button != SDL_BUTTON_LEFT)
            return false;
        ev->type = e->type == SDL_MOUSEBUTTONDOWN ? DISPLAY_EV_DOWN : DISPLAY_EV_UP;
        ev->x = e->button.x;
        ev->y = e->button.y;
        return true;
    case SDL_MOUSEMOTION:
        if(e->motion.which == SDL_TOUCH_MOUSEID || !(e->motion.state & SDL_BUTTON_LMASK))
            return false;
        ev->type = DISPLAY_EV_MOVE;
        ev->x = e->motion.x;
        ev->y = e->motion.y;
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
        finger_to_logical(d, e->tfinger.x, e->tfinger.y, &ev->x, &ev->y);
        return true;
    case SDL_KEYDOWN:
        ev->type = DISPLAY_EV_KEY;
        ev->key = map_key(e->key.keysym.sym);
        return ev->key != 0;
    case SDL_WINDOWEVENT:
        if(e->window.event == SDL_WINDOWEVENT_EXPOSED ||
           e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
           e->window.event == SDL_WINDOWEVENT_RESTORED) {
            ev->type = DISPLAY_EV_EXPOSE;
            return true;
        }
        return false;
    default: return false;
    }
}

bool display_wait(display_t *d, int timeout_ms, display_event_t *ev)
{
    SDL_Event e;
    Uint32 start = SDL_GetTicks();

    for(;;) {
        int left = timeout_ms;
        if(timeout_ms >= 0) {
            Uint32 spent = SDL_GetTicks() - start;
            if(spent >= (Uint32)timeout_ms)
                left = 0;
            else
                left = timeout_ms - (int)spent;
        }
        if(left == 0) {
            if(!SDL_PollEvent(&e))
                return false;
        } else if(!SDL_WaitEventTimeout(&e, left)) {
            return false;
        }
        if(translate(d, &e, ev))
            return true;
    }
}

void display_wake(display_t *d)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = d->wake_event;
    (void)SDL_PushEvent(&e); /* a full queue already wakes the loop */
}

hk_err_t display_save_png(display_t *d, const char *path)
{
    SDL_Surface *s;
    int w, h;
    hk_err_t rc = HK_OK;

    if(SDL_GetRendererOutputSize(d->ren, &w, &h) != 0)
        return HK_ERR_HW;
    s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 24, SDL_PIXELFORMAT_RGB24);
    if(!s)
        return HK_ERR_NOMEM;
    /* Read the whole output, not the logical viewport. */
    SDL_RenderSetViewport(d->ren, NULL);
    if(SDL_RenderReadPixels(d->ren, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0)
        rc = HK_ERR_HW;
    else if(IMG_SavePNG(s, path) != 0)
        rc = HK_ERR_IO;
    SDL_RenderSetLogicalSize(d->ren, d->logical_w, d->logical_h);
    SDL_FreeSurface(s);
    return rc;
}

const char *display_backend_name(const display_t *d)
{
    return d->backend;
}
