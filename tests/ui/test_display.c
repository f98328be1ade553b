/*
 * display: touch and mouse reach the UI as one press each, in the output's
 * pixels; synthetic mouse events made from touch are dropped; a second
 * finger is ignored; another thread can wake the loop; frames can be read
 * back at the native size; typed text (keyboards, barcode scanners)
 * arrives as DISPLAY_EV_TEXT; a resize reaches the UI with the new size;
 * two displays in one process draw their own frames and get their own
 * events. Runs the real SDL offscreen driver; SDL events are pushed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "display.h"
#include "hk_test.h"

static font_set_t *fonts;
static display_t *disp;

void setUp(void)
{
    display_cfg_t cfg;
    hk_diag_t diag;

    memset(&cfg, 0, sizeof(cfg));
    cfg.mode = DISPLAY_MODE_OFFSCREEN;
    cfg.width = 1080;
    cfg.height = 1920;
    HK_ASSERT_OK(font_set_open(NULL, &fonts, &diag));
    HK_ASSERT_OK(display_create(&cfg, fonts, &disp, &diag));
}

void tearDown(void)
{
    display_destroy(disp);
    disp = NULL;
    font_set_destroy(fonts);
    fonts = NULL;
}

static void push_finger_to(Uint32 win, Uint32 type, SDL_FingerID id, float x, float y)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.tfinger.windowID = win;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = id;
    e.tfinger.x = x;
    e.tfinger.y = y;
    SDL_PushEvent(&e);
}

static void push_finger(Uint32 type, SDL_FingerID id, float x, float y)
{
    push_finger_to(0, type, id, x, y);
}

static void push_mouse(Uint32 type, Uint32 which, int x, int y)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.button.which = which;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    SDL_PushEvent(&e);
}

/* The next event of d that is not a repaint request (a new or resized
 * window asks for one; the tests here are about input). */
static display_event_t next_of(display_t *d)
{
    display_event_t ev;

    memset(&ev, 0, sizeof(ev));
    do {
        if(!display_wait(d, 200, &ev))
            ev.type = DISPLAY_EV_NONE;
    } while(ev.type == DISPLAY_EV_EXPOSE);
    return ev;
}

static display_event_t next(void)
{
    return next_of(disp);
}

static void drain_display(display_t *d)
{
    display_event_t ev;

    while(display_wait(d, 0, &ev))
        ;
}

static void drain(void)
{
    drain_display(disp);
}

static void test_touch_maps_to_output_pixels(void)
{
    display_event_t ev;

    drain();
    push_finger(SDL_FINGERDOWN, 7, 0.5f, 0.25f);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
    HK_ASSERT_INT(540, ev.x);
    HK_ASSERT_INT(480, ev.y);
    push_finger(SDL_FINGERUP, 7, 0.5f, 0.25f);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_UP, ev.type);
}

static void test_touch_is_not_also_a_mouse_press(void)
{
    display_event_t ev;

    drain();
    push_finger(SDL_FINGERDOWN, 1, 0.1f, 0.1f);
    push_mouse(SDL_MOUSEBUTTONDOWN, SDL_TOUCH_MOUSEID, 108, 192); /* SDL's echo */
    push_mouse(SDL_MOUSEBUTTONUP, SDL_TOUCH_MOUSEID, 108, 192);
    push_finger(SDL_FINGERUP, 1, 0.1f, 0.1f);
    HK_ASSERT_INT(DISPLAY_EV_DOWN, next().type);
    HK_ASSERT_INT(DISPLAY_EV_UP, next().type);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_NONE, ev.type);
}

static void test_second_finger_is_ignored(void)
{
    drain();
    push_finger(SDL_FINGERDOWN, 1, 0.2f, 0.2f);
    push_finger(SDL_FINGERDOWN, 2, 0.8f, 0.8f); /* a palm or second hand */
    push_finger(SDL_FINGERUP, 1, 0.2f, 0.2f);
    HK_ASSERT_INT(DISPLAY_EV_DOWN, next().type);
    HK_ASSERT_INT(DISPLAY_EV_UP, next().type);
    push_finger(SDL_FINGERUP, 2, 0.8f, 0.8f); /* nothing is down any more */
    HK_ASSERT_INT(DISPLAY_EV_NONE, next().type);
}

static void test_mouse_clicks_work(void)
{
    display_event_t ev;

    drain();
    push_mouse(SDL_MOUSEBUTTONDOWN, 0, 300, 400);
    push_mouse(SDL_MOUSEBUTTONUP, 0, 300, 400);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
    HK_ASSERT_INT(300, ev.x);
    HK_ASSERT_INT(400, ev.y);
    HK_ASSERT_INT(DISPLAY_EV_UP, next().type);
}

static void *waker(void *arg)
{
    SDL_Delay(50);
    display_wake(arg);
    return NULL;
}

static void test_wake_from_another_thread(void)
{
    pthread_t th;
    display_event_t ev;

    drain();
    HK_ASSERT_OK(pthread_create(&th, NULL, waker, disp));
    HK_ASSERT(display_wait(disp, 2000, &ev));
    HK_ASSERT_INT(DISPLAY_EV_WAKE, ev.type);
    pthread_join(th, NULL);
}

static void test_frame_reads_back_at_native_size(void)
{
    gfx_t *g = display_gfx(disp);
    const char *png = hk_test_path("frame.png");
    SDL_Surface *loaded, *s;
    uint8_t *px;

    gfx_fill_rect(g, gfx_rect(0, 0, 1080, 1920), gfx_rgb(0x0B5CAD));
    gfx_fill_rect(g, gfx_rect(100, 100, 10, 10), gfx_rgb(0xFF0000));
    gfx_draw_text(g, GFX_BOLD, 64, gfx_rgb(0xFFFFFF), 200, 200, "取号 A001", strlen("取号 A001"));
    HK_ASSERT_OK(display_save_png(disp, png));
    display_present(disp);
    loaded = IMG_Load(png);
    HK_ASSERT(loaded != NULL);
    HK_ASSERT_INT(1080, loaded->w);
    HK_ASSERT_INT(1920, loaded->h);
    s = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGB24, 0);
    SDL_FreeSurface(loaded);
    HK_ASSERT(s != NULL);
    px = (uint8_t *)s->pixels + 105 * s->pitch + 105 * 3;
    HK_ASSERT_INT(0xFF, px[0]);
    HK_ASSERT_INT(0x00, px[1]);
    SDL_FreeSurface(s);
}

static void test_offscreen_display_is_headless(void)
{
    HK_ASSERT(display_is_headless(disp));
    HK_ASSERT_INT(1080, display_gfx(disp)->width);
    HK_ASSERT_INT(1920, display_gfx(disp)->height);
}

static void push_text(Uint32 win, const char *utf8)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = SDL_TEXTINPUT;
    e.text.windowID = win;
    snprintf(e.text.text, sizeof(e.text.text), "%s", utf8);
    SDL_PushEvent(&e);
}

static void push_key(Uint32 win, SDL_Keycode k)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = SDL_KEYDOWN;
    e.key.windowID = win;
    e.key.keysym.sym = k;
    SDL_PushEvent(&e);
}

static void test_typed_text_and_editing_keys_arrive(void)
{
    display_event_t ev;

    drain();
    /* a keyboard-wedge scanner "types" a code and ends it with Enter */
    push_text(0, "A023");
    push_text(0, "二维码");
    push_key(0, SDLK_BACKSPACE);
    push_key(0, SDLK_KP_ENTER);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_TEXT, ev.type);
    HK_ASSERT_STR("A023", ev.text);
    HK_ASSERT(ev.display == disp);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_TEXT, ev.type);
    HK_ASSERT_STR("二维码", ev.text);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_KEY, ev.type);
    HK_ASSERT_INT(DISPLAY_KEY_BACKSPACE, ev.key);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_KEY, ev.type);
    HK_ASSERT_INT(DISPLAY_KEY_ENTER, ev.key);
}

static void test_resize_reaches_the_ui_with_the_new_size(void)
{
    display_event_t ev;
    int i;

    drain();
    display_request_size(disp, 1280, 1024);
    /* the driver may add an expose first; the resize must come */
    for(i = 0; i < 4; i++) {
        ev = next();
        if(ev.type == DISPLAY_EV_RESIZE)
            break;
    }
    HK_ASSERT_INT(DISPLAY_EV_RESIZE, ev.type);
    HK_ASSERT_INT(1280, ev.w);
    HK_ASSERT_INT(1024, ev.h);
    HK_ASSERT_INT(1280, display_gfx(disp)->width);
    HK_ASSERT_INT(1024, display_gfx(disp)->height);
    /* and touch now maps to the new size */
    push_finger(SDL_FINGERDOWN, 3, 0.5f, 0.5f);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
    HK_ASSERT_INT(640, ev.x);
    HK_ASSERT_INT(512, ev.y);
    push_finger(SDL_FINGERUP, 3, 0.5f, 0.5f);
    drain();
}

/* A second offscreen display of w x h on the same fonts. */
static display_t *open_second(int w, int h)
{
    display_cfg_t cfg;
    display_t *d = NULL;
    hk_diag_t diag;

    memset(&cfg, 0, sizeof(cfg));
    cfg.mode = DISPLAY_MODE_OFFSCREEN;
    cfg.width = w;
    cfg.height = h;
    cfg.title = "customer screen";
    HK_ASSERT_OK(display_create(&cfg, fonts, &d, &diag));
    drain_display(d); /* its window's shown/exposed events */
    return d;
}

/* SDL's id of the window of size w x h (tests only: the API has none). */
static Uint32 window_of_size(int w, int h)
{
    Uint32 id;

    for(id = 1; id < 64; id++) {
        SDL_Window *win = SDL_GetWindowFromID(id);
        int ww = 0, wh = 0;
        if(!win)
            continue;
        SDL_GetWindowSize(win, &ww, &wh);
        if(ww == w && wh == h)
            return id;
    }
    return 0;
}

static Uint32 pixel_at(const char *png, int x, int y, int *w, int *h)
{
    SDL_Surface *loaded = IMG_Load(png), *s;
    uint8_t *px;
    Uint32 rgb;

    HK_ASSERT(loaded != NULL);
    *w = loaded->w;
    *h = loaded->h;
    s = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGB24, 0);
    SDL_FreeSurface(loaded);
    HK_ASSERT(s != NULL);
    px = (uint8_t *)s->pixels + y * s->pitch + x * 3;
    rgb = ((Uint32)px[0] << 16) | ((Uint32)px[1] << 8) | px[2];
    SDL_FreeSurface(s);
    return rgb;
}

static void test_two_displays_draw_their_own_frames(void)
{
    display_t *d2 = open_second(800, 600);
    gfx_t *g1 = display_gfx(disp), *g2 = display_gfx(d2);
    int w, h;

    HK_ASSERT_INT(800, g2->width);
    HK_ASSERT_INT(600, g2->height);
    gfx_fill_rect(g1, gfx_rect(0, 0, g1->width, g1->height), gfx_rgb(0x0B5CAD));
    gfx_fill_rect(g2, gfx_rect(0, 0, g2->width, g2->height), gfx_rgb(0xE07A00));
    gfx_fill_round_rect(g2, gfx_rect(100, 100, 300, 200), 40, gfx_rgb(0xFFFFFF));
    gfx_draw_text(g2, GFX_BOLD, 48, gfx_rgb(0x000000), 120, 150, "A023", 4);
    display_present(disp);
    display_present(d2);
    HK_ASSERT_OK(display_save_png(disp, hk_test_path("one.png")));
    HK_ASSERT_INT(0x0B5CAD, pixel_at(hk_test_path("one.png"), 700, 500, &w, &h));
    HK_ASSERT_INT(1080, w);
    HK_ASSERT_INT(1920, h);
    HK_ASSERT_OK(display_save_png(d2, hk_test_path("two.png")));
    HK_ASSERT_INT(0xE07A00, pixel_at(hk_test_path("two.png"), 700, 500, &w, &h));
    HK_ASSERT_INT(800, w);
    HK_ASSERT_INT(600, h);
    HK_ASSERT_INT(0xFFFFFF, pixel_at(hk_test_path("two.png"), 250, 280, &w, &h));
    display_destroy(d2);
}

static void push_click(Uint32 win, int x, int y)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.windowID = win;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = x;
    e.button.y = y;
    SDL_PushEvent(&e);
}

static void test_events_are_routed_to_their_window(void)
{
    display_t *d2 = open_second(640, 480);
    Uint32 w1 = window_of_size(1080, 1920), w2 = window_of_size(640, 480);
    display_event_t ev;

    HK_ASSERT(w1 != 0 && w2 != 0 && w1 != w2);
    drain();
    push_click(w1, 11, 12);
    push_text(w2, "Q7");
    push_click(w2, 21, 22);
    /* waiting on the second display skips (and parks) the first's click */
    ev = next_of(d2);
    HK_ASSERT_INT(DISPLAY_EV_TEXT, ev.type);
    HK_ASSERT(ev.display == d2);
    HK_ASSERT_STR("Q7", ev.text);
    ev = next_of(d2);
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
    HK_ASSERT(ev.display == d2);
    HK_ASSERT_INT(21, ev.x);
    HK_ASSERT_INT(DISPLAY_EV_NONE, next_of(d2).type);
    /* the first display still gets its click, nothing was lost */
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
    HK_ASSERT(ev.display == disp);
    HK_ASSERT_INT(11, ev.x);
    HK_ASSERT_INT(12, ev.y);
    display_destroy(d2);
}

static void test_wait_any_serves_both_displays(void)
{
    display_t *d2 = open_second(640, 480);
    display_t *both[2];
    Uint32 w1 = window_of_size(1080, 1920), w2 = window_of_size(640, 480);
    display_event_t ev;
    int got1 = 0, got2 = 0, i;

    both[0] = disp;
    both[1] = d2;
    drain();
    push_click(w2, 5, 6);
    push_click(w1, 7, 8);
    for(i = 0; i < 2; i++) {
        HK_ASSERT(display_wait_any(both, 2, 200, &ev));
        HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
        if(ev.display == d2) {
            HK_ASSERT_INT(5, ev.x);
            got2++;
        } else {
            HK_ASSERT(ev.display == disp);
            HK_ASSERT_INT(7, ev.x);
            got1++;
        }
    }
    HK_ASSERT_INT(1, got1);
    HK_ASSERT_INT(1, got2);
    HK_ASSERT(!display_wait_any(both, 2, 30, &ev));
    display_destroy(d2);
}

static void test_wake_reaches_its_own_display(void)
{
    display_t *d2 = open_second(640, 480);
    display_event_t ev;
    pthread_t th;

    drain();
    HK_ASSERT_OK(pthread_create(&th, NULL, waker, d2));
    HK_ASSERT(display_wait(d2, 2000, &ev));
    HK_ASSERT_INT(DISPLAY_EV_WAKE, ev.type);
    HK_ASSERT(ev.display == d2);
    pthread_join(th, NULL);
    HK_ASSERT(!display_wait(disp, 30, &ev));
    display_destroy(d2);
}

static void test_closing_one_display_keeps_the_other(void)
{
    display_t *d2 = open_second(640, 480);
    gfx_t *g = display_gfx(disp);
    display_event_t ev;
    int w, h;

    display_destroy(d2); /* SDL must stay up for the first */
    gfx_fill_rect(g, gfx_rect(0, 0, g->width, g->height), gfx_rgb(0x16803C));
    display_present(disp);
    HK_ASSERT_OK(display_save_png(disp, hk_test_path("after.png")));
    HK_ASSERT_INT(0x16803C, pixel_at(hk_test_path("after.png"), 10, 10, &w, &h));
    drain();
    push_click(0, 3, 4);
    ev = next();
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
}

/* 0xRRGGBB of the window's own surface (what the panel shows) at (x, y). */
static Uint32 window_pixel(Uint32 win, int x, int y)
{
    SDL_Surface *ws = SDL_GetWindowSurface(SDL_GetWindowFromID(win));
    Uint8 r, g, b;
    Uint32 px;

    HK_ASSERT(ws != NULL);
    px = *(const Uint32 *)(const void *)((const Uint8 *)ws->pixels + y * ws->pitch +
                                         x * ws->format->BytesPerPixel);
    SDL_GetRGB(px, ws->format, &r, &g, &b);
    return ((Uint32)r << 16) | ((Uint32)g << 8) | b;
}

static void test_rotated_panel_turns_the_frame_and_the_touches(void)
{
    display_cfg_t cfg;
    display_t *d = NULL;
    hk_diag_t diag;
    display_event_t ev;
    gfx_t *g;
    Uint32 win;
    int w, h;

    /* a 1920x1080 panel mounted portrait, turned 90 degrees clockwise */
    memset(&cfg, 0, sizeof(cfg));
    cfg.mode = DISPLAY_MODE_OFFSCREEN;
    cfg.width = 1920;
    cfg.height = 1080;
    cfg.rotation = 90;
    HK_ASSERT_OK(display_create(&cfg, fonts, &d, &diag));
    drain_display(d);
    g = display_gfx(d);
    HK_ASSERT_INT(1080, g->width);
    HK_ASSERT_INT(1920, g->height);
    gfx_fill_rect(g, gfx_rect(0, 0, g->width, g->height), gfx_rgb(0x0B5CAD));
    gfx_fill_rect(g, gfx_rect(0, 0, 20, 20), gfx_rgb(0xFF0000));    /* UI top-left */
    gfx_fill_rect(g, gfx_rect(0, 1900, 20, 20), gfx_rgb(0x00FF00)); /* UI bottom-left */
    display_present(d);
    win = window_of_size(1920, 1080);
    HK_ASSERT(win != 0);
    /* turned clockwise: the UI's top-left is the panel's top-right, its
     * bottom-left the panel's top-left */
    HK_ASSERT_INT(0xFF0000, window_pixel(win, 1910, 10));
    HK_ASSERT_INT(0x00FF00, window_pixel(win, 10, 10));
    HK_ASSERT_INT(0x0B5CAD, window_pixel(win, 960, 540));
    /* a screenshot is the UI's frame, upright */
    HK_ASSERT_OK(display_save_png(d, hk_test_path("turned.png")));
    HK_ASSERT_INT(0xFF0000, pixel_at(hk_test_path("turned.png"), 5, 5, &w, &h));
    HK_ASSERT_INT(1080, w);
    HK_ASSERT_INT(1920, h);
    /* a touch at the panel's top-right lands at the UI's top-left */
    push_finger_to(win, SDL_FINGERDOWN, 9, 1915.5f / 1920.0f, 5.5f / 1080.0f);
    ev = next_of(d);
    HK_ASSERT_INT(DISPLAY_EV_DOWN, ev.type);
    HK_ASSERT(ev.display == d);
    HK_ASSERT_INT(5, ev.x);
    HK_ASSERT_INT(4, ev.y);
    push_finger_to(win, SDL_FINGERUP, 9, 1915.5f / 1920.0f, 5.5f / 1080.0f);
    drain_display(d);
    display_destroy(d);
}

static void test_missing_font_is_a_clear_error(void)
{
    font_set_t *f = NULL;
    hk_diag_t diag;

    HK_ASSERT(font_set_open("/nonexistent/font.ttc", &f, &diag) != HK_OK);
    HK_ASSERT(f == NULL);
    HK_ASSERT_CONTAINS(diag.msg, "/nonexistent/font.ttc");
}

int main(void)
{
    HK_RUN(test_touch_maps_to_output_pixels);
    HK_RUN(test_touch_is_not_also_a_mouse_press);
    HK_RUN(test_second_finger_is_ignored);
    HK_RUN(test_mouse_clicks_work);
    HK_RUN(test_wake_from_another_thread);
    HK_RUN(test_frame_reads_back_at_native_size);
    HK_RUN(test_offscreen_display_is_headless);
    HK_RUN(test_typed_text_and_editing_keys_arrive);
    HK_RUN(test_resize_reaches_the_ui_with_the_new_size);
    HK_RUN(test_two_displays_draw_their_own_frames);
    HK_RUN(test_events_are_routed_to_their_window);
    HK_RUN(test_wait_any_serves_both_displays);
    HK_RUN(test_wake_reaches_its_own_display);
    HK_RUN(test_closing_one_display_keeps_the_other);
    HK_RUN(test_rotated_panel_turns_the_frame_and_the_touches);
    HK_RUN(test_missing_font_is_a_clear_error);
    return hk_test_end();
}
