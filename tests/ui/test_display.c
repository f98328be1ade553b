/*
 * display: touch and mouse reach the UI as one press each, in layout
 * coordinates; synthetic mouse events made from touch are dropped; a
 * second finger is ignored; another thread can wake the loop; frames can
 * be read back. Runs the real SDL offscreen driver.
 */
#include <pthread.h>
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
    cfg.logical_w = 1080;
    cfg.logical_h = 1920;
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

static void push_finger(Uint32 type, SDL_FingerID id, float x, float y)
{
    SDL_Event e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = id;
    e.tfinger.x = x;
    e.tfinger.y = y;
    SDL_PushEvent(&e);
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

static display_event_t next(void)
{
    display_event_t ev;

    memset(&ev, 0, sizeof(ev));
    if(!display_wait(disp, 200, &ev))
        ev.type = DISPLAY_EV_NONE;
    return ev;
}

static void drain(void)
{
    display_event_t ev;

    while(display_wait(disp, 0, &ev))
        ;
}

static void test_touch_maps_to_layout_coordinates(void)
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

static void test_frame_reads_back_at_layout_size(void)
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
    HK_RUN(test_touch_maps_to_layout_coordinates);
    HK_RUN(test_touch_is_not_also_a_mouse_press);
    HK_RUN(test_second_finger_is_ignored);
    HK_RUN(test_mouse_clicks_work);
    HK_RUN(test_wake_from_another_thread);
    HK_RUN(test_frame_reads_back_at_layout_size);
    HK_RUN(test_missing_font_is_a_clear_error);
    return hk_test_end();
}
