/*
 * The hub's branch document reaches the branch's other devices (issue 7):
 * a counter, display or second kiosk that reaches the hub over the LAN
 * (branch_lan) follows the services, counters, staff and hours head office
 * pushed to the hub, through its own config_live, without a restart.
 *
 *   - a hub on 127.0.0.1 (its LAN server, in this process) puts a new
 *     config generation in force, as its sync does with head office's
 *     document: a connected device sees the new service and counter names
 *     and the hub's generation within WAIT_MS, its screens are told
 *     (MAILBOX_CONFIG_CHANGED), and its own settings (role, display,
 *     printer, hub address, central, device id) stay its own;
 *   - a real hub process restarted with a changed config: the device
 *     reconnects and gets the new document on connect, keeps it on disk,
 *     and a device restarted while the hub is down shows it at once;
 *   - bad documents (a stream server that sends broken, invalid and
 *     incomplete ones; a hub whose new config drops the counter this
 *     device serves) are refused, and the last good config stays.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "branch.h"
#include "branch_lan.h"
#include "clock.h"
#include "config.h"
#include "config_live.h"
#include "hk_test.h"
#include "hub.h"
#include "hub_proc.h"
#include "mailbox.h"
#include "paths.h"

#define WAIT_MS 5000

static config_t hub_cfg, dev_cfg;
static config_live_t *dev_live;
static mailbox_t *mb;
static branch_t br;
static hub_t *hub;
static hk_clock_t *clock_;
static hub_proc_t proc;
static int config_changed; /* MAILBOX_CONFIG_CHANGED seen */

void setUp(void)
{
    hk_diag_t diag;

    memset(&br, 0, sizeof(br));
    memset(&proc, 0, sizeof(proc));
    config_changed = 0;
    HK_ASSERT_OK(config_parse(hub_proc_config, strlen(hub_proc_config), &hub_cfg, &diag));
    /* the device: a hall display with settings of its own */
    dev_cfg = hub_cfg;
    dev_cfg.role = CONFIG_ROLE_DISPLAY;
    dev_cfg.display.width = 1920;
    dev_cfg.display.height = 1080;
    dev_cfg.display.orientation = CONFIG_ORIENT_LANDSCAPE;
    dev_cfg.printer.kind = CONFIG_PRINTER_FILE;
    snprintf(dev_cfg.printer.target, sizeof(dev_cfg.printer.target), "tickets.bin");
    snprintf(dev_cfg.central.url, sizeof(dev_cfg.central.url), "https://head.example/");
    HK_ASSERT_OK(config_live_create(&dev_cfg, &dev_live));
    HK_ASSERT_OK(mailbox_create(256, NULL, NULL, &mb));
    HK_ASSERT_OK(hk_clock_system_create(&clock_));
}

void tearDown(void)
{
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    hub_destroy(hub);
    hub = NULL;
    hub_proc_stop(&proc);
    mailbox_destroy(mb);
    mb = NULL;
    config_live_destroy(dev_live);
    dev_live = NULL;
    hk_clock_destroy(clock_);
}

static const char *dir(const char *name)
{
    static char path[1024];

    snprintf(path, sizeof(path), "%s/%s", hk_test_tmpdir(), name);
    HK_ASSERT_OK(paths_mkdir_p(path));
    return path;
}

static void start_hub(void)
{
    hub_opts_t ho;
    hk_diag_t diag;

    memset(&ho, 0, sizeof(ho));
    ho.cfg = &hub_cfg;
    ho.clock = clock_;
    ho.data_dir = dir("hubdata");
    ho.listen = "127.0.0.1:0";
    HK_ASSERT_OK(hub_create(&ho, &hub, &diag));
    HK_ASSERT_OK(hub_start_thread(hub));
}

static void client_start(const char *url, const char *data_dir)
{
    HK_ASSERT_OK(branch_lan_create(&dev_cfg, url, NULL, mb, &br));
    HK_ASSERT_OK(branch_lan_follow_config(&br, dev_live, data_dir));
}

static void drain(void)
{
    mailbox_msg_t m;

    while(mailbox_wait(mb, 0, &m)) {
        if(m.kind == MAILBOX_CONFIG_CHANGED)
            config_changed++;
        mailbox_msg_free(&m);
    }
}

/* The device's config in force has service svc named zh from a branch
 * document of the hub's generation gen (0: any), within WAIT_MS. */
static void wait_service_name(const char *svc, const char *zh, uint64_t gen)
{
    int64_t end = hub_proc_now_ms() + WAIT_MS;
    char seen[CONFIG_NAME_LEN] = "";

    while(hub_proc_now_ms() < end) {
        const config_t *c = config_live_acquire(dev_live, NULL);
        int i = config_service_index(c, svc);
        snprintf(seen, sizeof(seen), "%s", i >= 0 ? c->services[i].name_zh : "(none)");
        config_live_release(dev_live, c);
        drain();
        uint64_t got = branch_lan_config_generation(&br);
        if(!strcmp(seen, zh) && (gen ? got == gen : got >= 1))
            return;
        hub_proc_sleep_ms(20);
    }
    HK_ASSERT_MSG(0, "service %s: \"%s\", not \"%s\" (hub generation %llu, want %llu)", svc, seen,
                  zh, (unsigned long long)branch_lan_config_generation(&br),
                  (unsigned long long)gen);
}

/* The device's own settings survived every document. */
static void assert_device_local(const config_t *c)
{
    HK_ASSERT_INT(CONFIG_ROLE_DISPLAY, c->role);
    HK_ASSERT_INT(1920, c->display.width);
    HK_ASSERT_INT(CONFIG_ORIENT_LANDSCAPE, c->display.orientation);
    HK_ASSERT_INT(CONFIG_PRINTER_FILE, c->printer.kind);
    HK_ASSERT_STR("tickets.bin", c->printer.target);
    HK_ASSERT_STR("https://head.example/", c->central.url);
    HK_ASSERT_STR("kiosk-2", c->device.id);
    HK_ASSERT_STR("demo-token-kiosk-2", c->device.token);
    HK_ASSERT_INT(dev_cfg.n_devices, c->n_devices);
}

static void test_a_new_hub_generation_reaches_a_connected_device(void)
{
    config_t *next = malloc(sizeof(*next));
    uint64_t gen0, gen1, dev_gen0;
    const config_t *c;
    char url[64];
    int i;

    HK_ASSERT(next != NULL);
    start_hub();
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", hub_port(hub));
    client_start(url, dir("display1"));
    gen0 = config_live_generation(hub_live(hub));
    wait_service_name("general", "业务", gen0);
    dev_gen0 = config_live_generation(dev_live);

    /* head office renames a service, adds a counter and a member of staff,
     * shortens the Sunday hours */
    *next = hub_cfg;
    i = config_service_index(next, "general");
    snprintf(next->services[i].name_zh, CONFIG_NAME_LEN, "综合业务");
    snprintf(next->services[i].name_en, CONFIG_NAME_LEN, "All business");
    i = next->n_counters++;
    next->counters[i] = next->counters[1];
    snprintf(next->counters[i].id, CONFIG_ID_LEN, "c3");
    next->counters[i].number = 3;
    snprintf(next->counters[i].name_zh, CONFIG_NAME_LEN, "3号窗口（新）");
    i = next->n_staff++;
    next->staff[i] = next->staff[0];
    snprintf(next->staff[i].id, CONFIG_ID_LEN, "s2");
    snprintf(next->staff[i].name_zh, CONFIG_NAME_LEN, "李强");
    next->hours.day[0].open_min = 600;
    next->hours.day[0].close_min = 960;
    for(i = 0; i < next->n_services; i++)
        next->services[i].hours = next->hours;
    HK_ASSERT_OK(config_live_replace(hub_live(hub), next));
    gen1 = config_live_generation(hub_live(hub));
    HK_ASSERT(gen1 > gen0);
    wait_service_name("general", "综合业务", gen1);
    HK_ASSERT(config_live_generation(dev_live) > dev_gen0);
    HK_ASSERT(config_changed >= 1);

    c = config_live_acquire(dev_live, NULL);
    HK_ASSERT_INT(3, c->n_counters);
    i = config_counter_index(c, "c3");
    HK_ASSERT(i >= 0);
    HK_ASSERT_STR("3号窗口（新）", c->counters[i].name_zh);
    HK_ASSERT_INT(2, c->n_staff);
    HK_ASSERT_STR("李强", c->staff[1].name_zh);
    HK_ASSERT_STR("", c->staff[1].pin_hash);      /* no PIN hash crosses the LAN */
    HK_ASSERT(c->staff[0].pin_hash[0] != '\0');   /* s1's stays as the device had it */
    HK_ASSERT_INT(600, c->hours.day[0].open_min); /* Sunday */
    HK_ASSERT_STR("All business", c->services[config_service_index(c, "general")].name_en);
    assert_device_local(c);
    config_live_release(dev_live, c);
    HK_ASSERT_INT(0, branch_lan_config_refused(&br));
    free(next);
}

/* Rewrite the hub process's config file with one name changed. */
static void hub_proc_rename(const char *from, const char *to)
{
    char *text = malloc(sizeof(hub_proc_config) + 64), *p;
    FILE *f;

    HK_ASSERT(text != NULL);
    p = strstr(hub_proc_config, from);
    HK_ASSERT(p != NULL);
    snprintf(text, sizeof(hub_proc_config) + 64, "%.*s%s%s", (int)(p - hub_proc_config),
             hub_proc_config, to, p + strlen(from));
    f = fopen(proc.cfg, "w");
    HK_ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
    free(text);
}

static void test_a_reconnecting_device_gets_it_on_connect_and_keeps_it(void)
{
    const char *data = dir("display2");
    char saved[1200];
    const config_t *c;

    hub_proc_start(&proc);
    client_start(proc.url, data);
    wait_service_name("payment", "缴费", 0);
    HK_ASSERT(branch_lan_config_generation(&br) >= 1);

    /* the hub goes down and comes back with a changed config */
    hub_proc_stop(&proc);
    hub_proc_rename("\"缴费\"", "\"充值缴费\"");
    hub_proc_start(&proc);
    wait_service_name("payment", "充值缴费", 0);
    snprintf(saved, sizeof(saved), "%s/%s", data, BRANCH_LAN_DOC_FILE);
    HK_ASSERT(hk_test_file_has(saved, "充值缴费"));

    /* the device restarts while the hub is down: the last good document */
    hub_proc_stop(&proc);
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    config_live_destroy(dev_live);
    HK_ASSERT_OK(config_live_create(&dev_cfg, &dev_live));
    client_start(proc.url, data);
    c = config_live_acquire(dev_live, NULL);
    HK_ASSERT_STR("充值缴费", c->services[config_service_index(c, "payment")].name_zh);
    assert_device_local(c);
    config_live_release(dev_live, c);
    HK_ASSERT(branch_lan_config_generation(&br) >= 1);
}

/* A real hall display (hallkiosk --role display, headless) on the hub
 * process: a hub restarted with a renamed service reaches it without a
 * restart of its own (its log, and its saved document). */
static void test_a_display_process_follows_the_hub(void)
{
    char bin[1024], data[1024], log[1024], saved[1200];
    int64_t end;
    pid_t pid;
    int st;

    hub_proc_start(&proc);
    snprintf(bin, sizeof(bin), "%s/hallkiosk", HK_BINARY_DIR);
    snprintf(data, sizeof(data), "%s", dir("display4"));
    snprintf(log, sizeof(log), "%s/display4.err", hk_test_tmpdir());
    snprintf(saved, sizeof(saved), "%s/%s", data, BRANCH_LAN_DOC_FILE);
    pid = fork();
    HK_ASSERT(pid >= 0);
    if(pid == 0) {
        FILE *e = freopen(log, "w", stderr);
        (void)e;
        setenv("SDL_VIDEODRIVER", "offscreen", 1);
        execl(bin, bin, "--role", "display", "--headless", "--no-voice", "--config", proc.cfg,
              "--hub", proc.url, "--data-dir", data, (char *)NULL);
        _exit(127);
    }
    /* the first document equals its own config: kept on disk, nothing to change */
    end = hub_proc_now_ms() + 20000;
    while(hub_proc_now_ms() < end && !hk_test_file_has(saved, "\"缴费\""))
        hub_proc_sleep_ms(50);
    HK_ASSERT_MSG(hk_test_file_has(saved, "\"缴费\""), "the display kept no branch document");
    hub_proc_stop(&proc);
    hub_proc_rename("\"缴费\"", "\"充值缴费\"");
    hub_proc_start(&proc);
    end =
        hub_proc_now_ms() + WAIT_MS + 5000; /* its stream's reconnect backoff, then the document */
    while(hub_proc_now_ms() < end && !hk_test_file_has(log, "branch document generation"))
        hub_proc_sleep_ms(50);
    HK_ASSERT_MSG(hk_test_file_has(log, "branch document generation"),
                  "the display did not put the hub's new document in force");
    HK_ASSERT(hk_test_file_has(saved, "充值缴费"));
    kill(pid, SIGTERM);
    HK_ASSERT(waitpid(pid, &st, 0) == pid);
}

/* ---- a stream server that sends the documents it is given ---------------- */

typedef struct fake {
    int lfd;
    uint16_t port;
    const char *const *docs;
    atomic_bool stop;
    pthread_t th;
} fake_t;

static void *fake_main(void *arg)
{
    fake_t *f = arg;
    char req[4096];
    int fd, i;

    fd = accept(f->lfd, NULL, NULL);
    if(fd < 0)
        return NULL;
    (void)!read(fd, req, sizeof(req)); /* GET /api/v1/events ... */
    dprintf(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                "Cache-Control: no-store\r\n\r\n");
    for(i = 0; f->docs[i]; i++) {
        dprintf(fd, "event: branch\ndata: %s\n\n", f->docs[i]);
        hub_proc_sleep_ms(30);
    }
    while(!atomic_load(&f->stop))
        hub_proc_sleep_ms(20);
    close(fd);
    return NULL;
}

static void fake_start(fake_t *f, const char *const *docs)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(f, 0, sizeof(*f));
    f->docs = docs;
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    HK_ASSERT(f->lfd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HK_ASSERT(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
    HK_ASSERT(listen(f->lfd, 4) == 0);
    HK_ASSERT(getsockname(f->lfd, (struct sockaddr *)&a, &len) == 0);
    f->port = ntohs(a.sin_port);
    atomic_init(&f->stop, false);
    HK_ASSERT(pthread_create(&f->th, NULL, fake_main, f) == 0);
}

static void fake_stop(fake_t *f)
{
    atomic_store(&f->stop, true);
    shutdown(f->lfd, SHUT_RDWR);
    pthread_join(f->th, NULL);
    close(f->lfd);
}

#define DOC_HEAD                                                                                   \
    "{\"generation\":%s,\"id\":\"t1\",\"name_zh\":\"测试厅\",\"name_en\":\"Test hall\","        \
    "\"language\":\"zh-CN\",\"utc_offset_min\":480,\"hours\":{\"mon\":\"09:00-18:00\","            \
    "\"tue\":\"09:00-18:00\",\"wed\":\"09:00-18:00\",\"thu\":\"09:00-18:00\",\"fri\":"             \
    "\"09:00-18:00\",\"sat\":\"closed\",\"sun\":\"closed\"},\"services\":[{\"id\":\"general\","    \
    "\"prefix\":\"%s\",\"name_zh\":\"%s\",\"name_en\":\"General\"}],\"counters\":[{\"id\":"        \
    "\"c1\",\"number\":1,\"services\":[\"general\"]}],\"staff\":[],\"ticket\":{},\"timeouts\":{}," \
    "\"queue\":{},\"voice_en\":false}"

static void test_bad_documents_are_refused_and_the_last_good_stays(void)
{
    static char good[2048], bad_prefix[2048], bad_gen[2048];
    static const char *docs[8], *docs2[2];
    hk_err_t rc;
    fake_t f;
    char url[64];
    const config_t *c;
    int64_t end;

    snprintf(good, sizeof(good), DOC_HEAD, "7", "A", "好业务");
    snprintf(bad_prefix, sizeof(bad_prefix), DOC_HEAD, "8", "a1", "坏前缀");
    snprintf(bad_gen, sizeof(bad_gen), DOC_HEAD, "0", "A", "坏代");
    docs[0] = good;
    docs[1] = "{\"generation\":10,\"id\":\"t1\""; /* cut short */
    docs[2] = bad_prefix;
    docs[3] = bad_gen;
    docs[4] =
        "{\"generation\":11,\"id\":\"t1\",\"name_zh\":\"x\",\"name_en\":\"x\"}"; /* no services */
    docs[5] = "[1,2,3]";
    docs[6] = NULL;
    fake_start(&f, docs);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", f.port);
    client_start(url, dir("display3"));
    end = hub_proc_now_ms() + WAIT_MS;
    while(branch_lan_config_refused(&br) < 5 && hub_proc_now_ms() < end)
        hub_proc_sleep_ms(20);
    drain();
    HK_ASSERT_INT(5, branch_lan_config_refused(&br));
    HK_ASSERT(branch_lan_config_generation(&br) == 7); /* the good one's */
    c = config_live_acquire(dev_live, NULL);
    HK_ASSERT_INT(1, c->n_services);
    HK_ASSERT_STR("好业务", c->services[0].name_zh);
    HK_ASSERT_INT(-1, c->hours.day[0].open_min); /* Sunday closed, as the good one said */
    assert_device_local(c);
    config_live_release(dev_live, c);
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    fake_stop(&f);

    /* a device serving counter c2: a document without c2 is refused */
    snprintf(dev_cfg.device.counter, sizeof(dev_cfg.device.counter), "c2");
    config_live_destroy(dev_live);
    HK_ASSERT_OK(config_live_create(&dev_cfg, &dev_live));
    docs2[0] = good; /* counters: c1 only */
    docs2[1] = NULL;
    fake_start(&f, docs2);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", f.port);
    HK_ASSERT_OK(branch_lan_create(&dev_cfg, url, NULL, mb, &br));
    /* refused here when the stream was quicker than this call */
    rc = branch_lan_follow_config(&br, dev_live, NULL);
    HK_ASSERT(rc == HK_OK || rc == HK_ERR_INVALID);
    end = hub_proc_now_ms() + WAIT_MS;
    while(branch_lan_config_refused(&br) < 1 && hub_proc_now_ms() < end)
        hub_proc_sleep_ms(20);
    HK_ASSERT_INT(1, branch_lan_config_refused(&br));
    c = config_live_acquire(dev_live, NULL);
    HK_ASSERT_INT(2, c->n_services); /* the device's own config stays */
    HK_ASSERT_STR("业务", c->services[0].name_zh);
    config_live_release(dev_live, c);
    HK_ASSERT_INT(1, (int)config_live_generation(dev_live));
    branch_destroy(&br);
    memset(&br, 0, sizeof(br));
    fake_stop(&f);
}

int main(void)
{
    HK_RUN(test_a_new_hub_generation_reaches_a_connected_device);
    HK_RUN(test_a_reconnecting_device_gets_it_on_connect_and_keeps_it);
    HK_RUN(test_a_display_process_follows_the_hub);
    HK_RUN(test_bad_documents_are_refused_and_the_last_good_stays);
    return hk_test_end();
}
