/*
 * lan_static: see lan_static.h. The byte arrays come from files generated
 * by cmake/Embed.cmake out of assets/staff/ (CMakeLists.txt, hk_staff_assets).
 */
#include "lan_static.h"

#include <string.h>

/* generated (build/generated/staff_*.c) */
extern const unsigned char hk_staff_index_html[];
extern const size_t hk_staff_index_html_len;
extern const unsigned char hk_staff_staff_css[];
extern const size_t hk_staff_staff_css_len;
extern const unsigned char hk_staff_staff_js[];
extern const size_t hk_staff_staff_js_len;
extern const unsigned char hk_staff_icon_svg[];
extern const size_t hk_staff_icon_svg_len;

typedef struct static_file {
    const char *path;
    const unsigned char *body;
    const size_t *len;
    const char *content_type;
} static_file_t;

#define TYPE_HTML "text/html; charset=utf-8"
#define TYPE_CSS  "text/css; charset=utf-8"
#define TYPE_JS   "text/javascript; charset=utf-8"
#define TYPE_SVG  "image/svg+xml"

static const static_file_t files[] = {
    { LAN_STATIC_PREFIX, hk_staff_index_html, &hk_staff_index_html_len, TYPE_HTML },
    { LAN_STATIC_PREFIX "/", hk_staff_index_html, &hk_staff_index_html_len, TYPE_HTML },
    { LAN_STATIC_PREFIX "/index.html", hk_staff_index_html, &hk_staff_index_html_len, TYPE_HTML },
    { LAN_STATIC_PREFIX "/staff.css", hk_staff_staff_css, &hk_staff_staff_css_len, TYPE_CSS },
    { LAN_STATIC_PREFIX "/staff.js", hk_staff_staff_js, &hk_staff_staff_js_len, TYPE_JS },
    { LAN_STATIC_PREFIX "/icon.svg", hk_staff_icon_svg, &hk_staff_icon_svg_len, TYPE_SVG },
};

bool lan_static_find(const char *path, const unsigned char **body, size_t *len,
                     const char **content_type)
{
    size_t i;

    if(!path)
        return false;
    for(i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if(!strcmp(path, files[i].path)) {
            *body = files[i].body;
            *len = *files[i].len;
            *content_type = files[i].content_type;
            return true;
        }
    }
    return false;
}

bool lan_static_owns(const char *path)
{
    size_t n = strlen(LAN_STATIC_PREFIX);

    return path && !strncmp(path, LAN_STATIC_PREFIX, n) && (path[n] == '\0' || path[n] == '/');
}
