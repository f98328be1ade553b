/*
 * test_lan_static: the hub serves the staff page's files as built from
 * assets/staff, byte for byte, with the right content types; "/staff" and
 * "/staff/" are the page; nothing else under /staff/ (no traversal, no
 * near-miss path) is a file; and every /staff/ file the page links to is
 * one the hub has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_mem.h"
#include "hk_test.h"
#include "lan_static.h"

void setUp(void)
{
}

void tearDown(void)
{
}

/* The file under assets/staff, read whole (hk_free it); NULL if missing. */
static char *read_asset(const char *name, size_t *len)
{
    char path[512];
    char *buf = NULL;
    long n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/assets/staff/%s", HK_SOURCE_DIR, name);
    f = fopen(path, "rb");
    if(!f)
        return NULL;
    if(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = hk_malloc((size_t)n + 1);
        if(buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            HK_SAFEFREE(buf);
        }
    }
    fclose(f);
    return buf;
}

static void expect_file(const char *url, const char *asset, const char *type)
{
    const unsigned char *body = NULL;
    const char *ctype = NULL;
    size_t len = 0, disk_len = 0;
    char *disk = read_asset(asset, &disk_len);

    HK_ASSERT_MSG(disk, "assets/staff/%s: cannot read", asset);
    HK_ASSERT_MSG(lan_static_find(url, &body, &len, &ctype), "%s: not served", url);
    HK_ASSERT_STR(type, ctype);
    HK_ASSERT_INT(disk_len, len);
    HK_ASSERT_MSG(!memcmp(disk, body, len), "%s: differs from assets/staff/%s", url, asset);
    HK_ASSERT_INT(0, body[len]); /* NUL-terminated for whoever reads it as text */
    HK_ASSERT(lan_static_owns(url));
    hk_free(disk);
}

static void test_lan_static_serves_each_file_with_its_type(void)
{
    expect_file("/staff", "index.html", "text/html; charset=utf-8");
    expect_file("/staff/", "index.html", "text/html; charset=utf-8");
    expect_file("/staff/index.html", "index.html", "text/html; charset=utf-8");
    expect_file("/staff/staff.css", "staff.css", "text/css; charset=utf-8");
    expect_file("/staff/staff.js", "staff.js", "text/javascript; charset=utf-8");
    expect_file("/staff/icon.svg", "icon.svg", "image/svg+xml");
}

static void test_lan_static_other_paths_are_not_files(void)
{
    static const char *const miss[] = {
        "/staff/nope.js",
        "/staff/../CMakeLists.txt",
        "/staff/./staff.js",
        "/staff//staff.js",
        "/staff/STAFF.JS",
        "/staff/staff.js/",
        "/staff/index.htm",
        "/staffx",
        "/",
        "",
        "/api/v1/staff",
        "/staff/staff.js\x01",
    };
    const unsigned char *body = (const unsigned char *)"untouched";
    const char *ctype = "untouched";
    size_t len = 42, i;

    for(i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
        HK_ASSERT_MSG(!lan_static_find(miss[i], &body, &len, &ctype), "%s: served", miss[i]);
    HK_ASSERT(!lan_static_find(NULL, &body, &len, &ctype));
    /* a miss leaves the outputs alone */
    HK_ASSERT_STR("untouched", ctype);
    HK_ASSERT_INT(42, len);

    /* the prefix is the page's: its misses are 404s, not API routes */
    HK_ASSERT(lan_static_owns("/staff/nope.js"));
    HK_ASSERT(lan_static_owns("/staff/../x"));
    HK_ASSERT(!lan_static_owns("/staffx"));
    HK_ASSERT(!lan_static_owns("/api/v1/staff"));
    HK_ASSERT(!lan_static_owns("/"));
    HK_ASSERT(!lan_static_owns(NULL));
}

static void test_lan_static_every_link_of_the_page_is_served(void)
{
    const unsigned char *body, *b2;
    const char *ctype, *t2, *p;
    size_t len, l2;
    int links = 0;

    HK_ASSERT(lan_static_find("/staff/", &body, &len, &ctype));
    /* every quoted "/staff/..." in the page (href, src) */
    for(p = strstr((const char *)body, "\"/staff/"); p; p = strstr(p + 1, "\"/staff/")) {
        char url[128];
        const char *end = strchr(p + 1, '"');
        HK_ASSERT(end && (size_t)(end - p - 1) < sizeof(url));
        memcpy(url, p + 1, (size_t)(end - p - 1));
        url[end - p - 1] = '\0';
        HK_ASSERT_MSG(lan_static_find(url, &b2, &l2, &t2), "the page links to %s", url);
        links++;
    }
    HK_ASSERT_INT(3, links); /* icon, style sheet, script */
    /* nothing from elsewhere */
    HK_ASSERT(!strstr((const char *)body, "http://"));
    HK_ASSERT(!strstr((const char *)body, "https://"));
    HK_ASSERT(!strstr((const char *)body, "//cdn"));
}

int main(void)
{
    HK_RUN(test_lan_static_serves_each_file_with_its_type);
    HK_RUN(test_lan_static_other_paths_are_not_files);
    HK_RUN(test_lan_static_every_link_of_the_page_is_served);
    return hk_test_end();
}
