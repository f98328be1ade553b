/*
 * Journey tests: the real hallkiosk process, headless, driven by scripts,
 * checked afterwards through the real SQLite file it wrote and the real
 * printer output it produced:
 *   - a frantic double tap issues one ticket;
 *   - what reaches the printer (ESC/POS, decoded back) is exactly the
 *     ticket raster rendered with the screen's font;
 *   - a printer that reports paper out: the customer still gets a number
 *     (on screen, with the QR code), the fault is recorded for the engineer;
 *   - a broken config is refused with a message naming the field.
 * The paper-out printer is a real TCP peer on loopback speaking DLE EOT.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "display.h"
#include "escpos_decode.h"
#include "hk_mem.h"
#include "hk_test.h"
#include "queue.h"
#include "store.h"
#include "ticket_print.h"

void setUp(void)
{
}

void tearDown(void)
{
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    HK_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* Run hallkiosk headless; stderr goes to <tmp>/stderr.txt. */
static int run_kiosk(const char *config, const char *script_text)
{
    char script[1024], data[1024], shots[1024], err[1024], bin[1024];
    pid_t pid;
    int status;

    snprintf(script, sizeof(script), "%s/script.txt", hk_test_tmpdir());
    write_text(script, script_text);
    snprintf(data, sizeof(data), "%s/data", hk_test_tmpdir());
    snprintf(shots, sizeof(shots), "%s/shots", hk_test_tmpdir());
    snprintf(err, sizeof(err), "%s/stderr.txt", hk_test_tmpdir());
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    fflush(stdout);
    pid = fork();
    if(pid == 0) {
        if(!freopen(err, "w", stderr))
            _exit(126);
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        unsetenv("HK_DATA_DIR");
        execl(bin, bin, "--headless", "--config", config, "--data-dir", data, "--script", script,
              "--screenshot-dir", shots, (char *)NULL);
        _exit(127);
    }
    if(pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *fixture(void)
{
    static char path[1024];

    snprintf(path, sizeof(path), "%s/tests/ui/fixtures/branch.json", HK_SOURCE_DIR);
    return path;
}

static void open_queue(const char *config_path, config_t *cfg, store_t **st, queue_t **q)
{
    char db[1024];
    hk_diag_t diag;

    HK_ASSERT_OK(config_load_file(config_path, cfg, &diag));
    snprintf(db, sizeof(db), "%s/data/hallkiosk.db", hk_test_tmpdir());
    HK_ASSERT_OK(store_open(db, st, &diag));
    HK_ASSERT_OK(queue_open(*st, cfg, q));
}

static const char *const to_services = "clock 2026-11-25T10:30\n"
                                       "tap 540 1200\n"
                                       "wait 500\n"
                                       "tap 540 700\n"
                                       "wait 500\n"
                                       "expect-screen services\n";

static void test_double_tap_issues_one_ticket(void)
{
    static config_t cfg;
    char script[2048];
    store_t *st = NULL;
    queue_t *q = NULL;
    ticket_t t;
    int issued = -1;

    /* A double tap on the home tile must not fall through onto the service
     * card that appears under the finger (elderly care sits there); a
     * double tap on a card issues one ticket. Each tap rests 60 ms. */
    snprintf(script, sizeof(script),
             "clock 2026-11-25T10:30\ntap 540 1200\nwait 500\n"
             "tap 540 700\ntap 540 700\ndown 540 700\nup 540 700\n"
             "expect-screen services\nwait 500\n"
             "tap 540 930\ntap 540 930\ndown 540 930\nup 540 930\n"
             "expect-screen ticket\nwait 500\nprint-wait\nexpect-print done\nquit\n");
    HK_ASSERT_INT(0, run_kiosk(fixture(), script));
    open_queue(fixture(), &cfg, &st, &q);
    HK_ASSERT_OK(queue_issued_count(q, "2026-11-25", &issued));
    HK_ASSERT_INT(1, issued);
    HK_ASSERT_OK(queue_find_ticket(q, "2026-11-25", "A001", &t));
    HK_ASSERT_STR("general", t.service_id);
    queue_destroy(q);
    store_close(st);
}

static void test_printed_escpos_equals_rendered_ticket(void)
{
    static config_t cfg;
    char script[2048], path[1024];
    store_t *st = NULL;
    queue_t *q = NULL;
    ticket_t t;
    font_set_t *fonts = NULL;
    uint8_t *bits = NULL;
    int w = 0, h = 0, y, stride;
    size_t len = 0;
    char *escpos;
    escpos_image_t img;
    hk_diag_t diag;

    snprintf(script, sizeof(script),
             "%stap 540 1160\nwait 500\nprint-wait\nexpect-print done\nquit\n", to_services);
    HK_ASSERT_INT(0, run_kiosk(fixture(), script));
    open_queue(fixture(), &cfg, &st, &q);
    HK_ASSERT_OK(queue_find_ticket(q, "2026-11-25", "B001", &t));

    snprintf(path, sizeof(path), "%s/data/ticket.escpos", hk_test_tmpdir());
    escpos = hk_test_read_file(path, &len);
    HK_ASSERT_MSG(escpos != NULL && len > 0, "no printer output in %s", path);
    HK_ASSERT_OK(escpos_decode((const uint8_t *)escpos, len, &img, &diag));
    HK_ASSERT_INT(1, img.tickets);
    HK_ASSERT_INT(1, img.cuts);

    /* render the same ticket here, with the same font, and compare dots */
    HK_ASSERT_OK(font_set_open(NULL, &fonts, &diag));
    HK_ASSERT_OK(ticket_print_render(fonts, &cfg, &t, I18N_ZH, &bits, &w, &h, NULL));
    HK_ASSERT_INT(w, img.width);
    HK_ASSERT_MSG(img.height >= h, "printed %d rows, rendered %d", img.height, h);
    stride = (w + 7) / 8;
    for(y = 0; y < h; y++)
        HK_ASSERT_MSG(!memcmp(bits + y * stride, img.bits + y * stride, (size_t)stride),
                      "row %d differs between printer output and rendering", y);
    /* and the ticket is not blank: the big number put ink on paper */
    {
        long ink = 0;
        for(y = 0; y < h * stride; y++)
            ink += __builtin_popcount(bits[y]);
        HK_ASSERT_MSG(ink > 5000, "only %ld black dots on the ticket", ink);
    }
    hk_free(bits);
    font_set_destroy(fonts);
    escpos_image_fini(&img);
    hk_free(escpos);
    queue_destroy(q);
    store_close(st);
}

/* ---- a printer on TCP 9100 that is out of paper ------------------------ */

typedef struct peer {
    int lfd;
    int port;
    int stop;
    long bytes_raster; /* bytes received that were not status queries */
    pthread_t th;
} peer_t;

static void *peer_main(void *arg)
{
    peer_t *p = arg;

    while(!p->stop) {
        int fd = accept(p->lfd, NULL, NULL);
        unsigned char buf[4096];
        ssize_t n;

        if(fd < 0)
            break;
        while((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
            ssize_t i;
            for(i = 0; i < n; i++) {
                if(buf[i] == 0x10 && i + 2 < n && buf[i + 1] == 0x04) {
                    /* DLE EOT n: 4 = paper sensor -> paper end (0x72),
                     * others -> online (0x12) */
                    unsigned char r = buf[i + 2] == 4 ? 0x72 : 0x12;
                    (void)send(fd, &r, 1, MSG_NOSIGNAL);
                    i += 2;
                } else {
                    p->bytes_raster++;
                }
            }
        }
        close(fd);
    }
    return NULL;
}

static void peer_start(peer_t *p)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int one = 1;

    memset(p, 0, sizeof(*p));
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    HK_ASSERT(p->lfd >= 0);
    setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT_OK(bind(p->lfd, (struct sockaddr *)&a, sizeof(a)));
    HK_ASSERT_OK(listen(p->lfd, 4));
    HK_ASSERT_OK(getsockname(p->lfd, (struct sockaddr *)&a, &al));
    p->port = ntohs(a.sin_port);
    HK_ASSERT_OK(pthread_create(&p->th, NULL, peer_main, p));
}

static void peer_stop(peer_t *p)
{
    p->stop = 1;
    shutdown(p->lfd, SHUT_RDWR);
    close(p->lfd);
    pthread_join(p->th, NULL);
}

static void test_paper_out_still_issues_and_records_fault(void)
{
    static config_t cfg;
    char script[2048], cfg_path[1024], target[64];
    char *text, *at, *patched;
    size_t len;
    store_t *st = NULL;
    queue_t *q = NULL;
    ticket_t t;
    peer_t peer;
    int faults = 0;

    peer_start(&peer);
    /* the fixture with its printer moved to our TCP peer */
    text = hk_test_read_file(fixture(), &len);
    HK_ASSERT(text != NULL);
    at = strstr(text, "\"kind\": \"file\",\n    \"target\": \"ticket.escpos\"");
    HK_ASSERT_MSG(at != NULL, "fixture printer block changed; update this test");
    snprintf(target, sizeof(target), "127.0.0.1:%d", peer.port);
    patched = hk_malloc(len + 128);
    HK_ASSERT(patched != NULL);
    snprintf(patched, len + 128, "%.*s\"kind\": \"tcp\",\n    \"target\": \"%s\"%s",
             (int)(at - text), text, target,
             at + strlen("\"kind\": \"file\",\n    \"target\": \"ticket.escpos\""));
    snprintf(cfg_path, sizeof(cfg_path), "%s/paper-out.json", hk_test_tmpdir());
    write_text(cfg_path, patched);
    hk_free(patched);
    hk_free(text);

    snprintf(script, sizeof(script),
             "%stap 540 930\nwait 500\nprint-wait\nexpect-screen ticket\n"
             "expect-print fault\nscreenshot paper_out\nquit\n",
             to_services);
    HK_ASSERT_INT(0, run_kiosk(cfg_path, script));
    peer_stop(&peer);
    HK_ASSERT_INT(0, peer.bytes_raster); /* nothing printed onto no paper */

    open_queue(cfg_path, &cfg, &st, &q);
    HK_ASSERT_OK(queue_find_ticket(q, "2026-11-25", "A001", &t));
    HK_ASSERT_INT(TICKET_WAITING, t.state);
    HK_ASSERT_OK(store_count_faults(st, "printer", "paper_out", &faults));
    HK_ASSERT_INT(1, faults);
    queue_destroy(q);
    store_close(st);
}

static void test_bad_config_is_refused_naming_the_field(void)
{
    char cfg_path[1024], err_path[1024];
    char *text, *at, *err;
    size_t len;

    text = hk_test_read_file(fixture(), &len);
    HK_ASSERT(text != NULL);
    at = strstr(text, "\"prefix\": \"A\"");
    HK_ASSERT(at != NULL);
    memcpy(at, "\"prefix\": \"7\"", 13); /* services[2].prefix: not a letter */
    snprintf(cfg_path, sizeof(cfg_path), "%s/bad.json", hk_test_tmpdir());
    write_text(cfg_path, text);
    hk_free(text);
    HK_ASSERT_INT(1, run_kiosk(cfg_path, "quit\n"));
    snprintf(err_path, sizeof(err_path), "%s/stderr.txt", hk_test_tmpdir());
    err = hk_test_read_file(err_path, NULL);
    HK_ASSERT(err != NULL);
    HK_ASSERT_CONTAINS(err, "services[2].prefix");
    hk_free(err);
}

/* Write the fixture with one edit (from -> to) as tmp/name. */
static void write_variant(const char *name, const char *from, const char *to)
{
    char path[1024], *text, *at, *out;
    size_t len;

    text = hk_test_read_file(fixture(), &len);
    HK_ASSERT(text != NULL);
    at = strstr(text, from);
    HK_ASSERT_MSG(at != NULL, "fixture has no %s", from);
    out = hk_malloc(len + strlen(to) + 1);
    HK_ASSERT(out != NULL);
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    snprintf(path, sizeof(path), "%s/%s", hk_test_tmpdir(), name);
    write_text(path, out);
    hk_free(out);
    hk_free(text);
}

static void test_config_replaced_at_runtime_shows_and_a_bad_one_is_refused(void)
{
    static config_t cfg;
    char script[4096], err_path[1024], *err;
    store_t *st = NULL;
    queue_t *q = NULL;
    ticket_t t;

    /* general business becomes prefix Q, renamed; then a broken file */
    write_variant(
        "renamed.json",
        "\"prefix\": \"A\",\n      \"name_zh\": \"业务办理\",\n      \"name_en\": \"General business\"",
        "\"prefix\": \"Q\",\n      \"name_zh\": \"综合业务\",\n      \"name_en\": \"All services\"");
    write_variant("bad.json", "\"prefix\": \"A\"", "\"prefix\": \"7\"");
    snprintf(script, sizeof(script),
             "%stap 540 930\nwait 500\nexpect-screen ticket\n"
             "tap 540 1760\nwait 500\nexpect-screen home\n"
             "config renamed.json\n"
             "tap 540 700\nwait 500\nexpect-screen services\nscreenshot services_reloaded\n"
             "tap 540 930\nwait 500\nexpect-screen ticket\nscreenshot ticket_reloaded\n"
             "tap 540 1760\nwait 500\n"
             "config bad.json\n"
             "tap 540 700\nwait 500\ntap 540 930\nwait 500\nexpect-screen ticket\nquit\n",
             to_services);
    HK_ASSERT_INT(0, run_kiosk(fixture(), script));

    snprintf(err_path, sizeof(err_path), "%s/stderr.txt", hk_test_tmpdir());
    err = hk_test_read_file(err_path, NULL);
    HK_ASSERT(err != NULL);
    HK_ASSERT_CONTAINS(err, "config generation 2 in force");
    HK_ASSERT_CONTAINS(err, "services[2].prefix");
    HK_ASSERT_CONTAINS(err, "the last good config stays");
    hk_free(err);

    snprintf(err_path, sizeof(err_path), "%s/renamed.json", hk_test_tmpdir());
    open_queue(err_path, &cfg, &st, &q);
    HK_ASSERT_OK(queue_find_ticket(q, "2026-11-25", "A001", &t)); /* before */
    HK_ASSERT_OK(queue_find_ticket(q, "2026-11-25", "Q001", &t)); /* the new config */
    HK_ASSERT_STR("general", t.service_id);
    HK_ASSERT_OK(queue_find_ticket(q, "2026-11-25", "Q002", &t)); /* the bad one changed nothing */
    HK_ASSERT_INT(HK_ERR_NOT_FOUND, queue_find_ticket(q, "2026-11-25", "A002", &t));
    queue_destroy(q);
    store_close(st);
}

int main(void)
{
    HK_RUN(test_double_tap_issues_one_ticket);
    HK_RUN(test_printed_escpos_equals_rendered_ticket);
    HK_RUN(test_paper_out_still_issues_and_records_fault);
    HK_RUN(test_bad_config_is_refused_naming_the_field);
    HK_RUN(test_config_replaced_at_runtime_shows_and_a_bad_one_is_refused);
    return hk_test_end();
}
