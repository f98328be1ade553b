/*
 * script: parser for the plain-text UI script (see script.h). Input comes
 * from files a tester or engineer writes, so every token is checked and
 * errors name the line. Knows nothing of the UI; ui_app executes it.
 */
#include "script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk_mem.h"
#include "hk_time.h"

#define LINE_MAX_LEN 256

static int parse_int(const char *tok, long lo, long hi, long *out)
{
    char *end;
    long v;

    if(!tok)
        return 0;
    errno = 0;
    v = strtol(tok, &end, 10);
    if(errno || end == tok || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* Strict "YYYY-MM-DDTHH:MM[:SS]" (hk_time), and a year a test clock can
 * sensibly use. */
static int parse_clock(const char *tok, int64_t *out_ms)
{
    hk_time_date_t d;
    int64_t ms;

    if(hk_time_parse_local(tok, &ms) != HK_OK)
        return 0;
    hk_time_civil_from_days(ms / HK_TIME_MS_PER_DAY, &d);
    if(d.year < 2000 || d.year > 2200)
        return 0;
    *out_ms = ms;
    return 1;
}

static int parse_name(const char *tok, char *out, size_t size)
{
    size_t i, n;

    if(!tok)
        return 0;
    n = strlen(tok);
    if(n == 0 || n >= size)
        return 0;
    for(i = 0; i < n; i++) {
        char c = tok[i];
        if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == '.'))
            return 0;
    }
    if(tok[0] == '.')
        return 0; /* no hidden files, no ".." */
    memcpy(out, tok, n + 1);
    return 1;
}

static int parse_key(const char *tok, int *out)
{
    static const struct {
        const char *name;
        int code;
    } names[] = {
        { "escape", 27 }, { "enter", 13 }, { "f1", 0x101 },  { "f2", 0x102 },    { "f11", 0x103 },
        { "f3", 0x104 },  { "f4", 0x105 }, { "f5", 0x106 },  { "f6", 0x107 },    { "f7", 0x108 },
        { "f8", 0x109 },  { "f9", 0x10A }, { "f10", 0x10B }, { "backspace", 8 }, { "tab", 9 },
    };
    size_t i;

    if(!tok)
        return 0;
    for(i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if(!strcmp(tok, names[i].name)) {
            *out = names[i].code;
            return 1;
        }
    if(strlen(tok) == 1 && tok[0] > 32 && tok[0] < 127) {
        *out = tok[0];
        return 1;
    }
    return 0;
}

/* Parse one line into cmd; returns 1 = command, 0 = blank, -1 = error. */
static int parse_line(char *line, int lineno, script_cmd_t *cmd, hk_diag_t *diag)
{
    char *save = NULL, *op, *a, *b, *extra;
    long v1, v2;
    char *hash = strchr(line, '#');

    if(hash)
        *hash = '\0';
    if(!strncmp(line, "text ", 5)) { /* the rest of the line, spaces included */
        size_t n;
        a = line + 5;
        n = strlen(a);
        while(n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t' || a[n - 1] == '\r'))
            a[--n] = '\0';
        memset(cmd, 0, sizeof(*cmd));
        cmd->line = lineno;
        cmd->op = SCRIPT_TEXT;
        if(n == 0 || n > 31) { /* one DISPLAY_EV_TEXT: 32 bytes with its NUL */
            hk_diag_set(diag, "line %d: text: expected 1 to 31 bytes of text", lineno);
            return -1;
        }
        memcpy(cmd->arg, a, n + 1);
        return 1;
    }
    op = strtok_r(line, " \t\r", &save);
    if(!op)
        return 0;
    a = strtok_r(NULL, " \t\r", &save);
    b = strtok_r(NULL, " \t\r", &save);
    extra = strtok_r(NULL, " \t\r", &save);
    memset(cmd, 0, sizeof(*cmd));
    cmd->line = lineno;
    if(!strcmp(op, "tap") || !strcmp(op, "down") || !strcmp(op, "up") || !strcmp(op, "move")) {
        cmd->op = op[0] == 't'   ? SCRIPT_TAP
                  : op[0] == 'd' ? SCRIPT_DOWN
                  : op[0] == 'm' ? SCRIPT_MOVE
                                 : SCRIPT_UP;
        if(!parse_int(a, 0, 16384, &v1) || !parse_int(b, 0, 16384, &v2) || extra) {
            hk_diag_set(diag, "line %d: %s: expected two coordinates 0..16384", lineno, op);
            return -1;
        }
        cmd->x = (int)v1;
        cmd->y = (int)v2;
        return 1;
    }
    if(strcmp(op, "wait") && strcmp(op, "key") && strcmp(op, "screenshot") &&
       strcmp(op, "expect-screen") && strcmp(op, "expect-print") && strcmp(op, "clock") &&
       strcmp(op, "print-wait") && strcmp(op, "quit") && strcmp(op, "config")) {
        hk_diag_set(diag, "line %d: unknown command \"%.32s\"", lineno, op);
        return -1;
    }
    if(b || extra) {
        hk_diag_set(diag, "line %d: %s: too many arguments", lineno, op);
        return -1;
    }
    if(!strcmp(op, "wait")) {
        cmd->op = SCRIPT_WAIT;
        if(!parse_int(a, 0, 86400000L, &v1)) {
            hk_diag_set(diag, "line %d: wait: expected milliseconds 0..86400000", lineno);
            return -1;
        }
        cmd->ms = v1;
    } else if(!strcmp(op, "key")) {
        cmd->op = SCRIPT_KEY;
        if(!parse_key(a, &cmd->key)) {
            hk_diag_set(
                diag,
                "line %d: key: expected escape, enter, backspace, tab, f1..f11 or one character",
                lineno);
            return -1;
        }
    } else if(!strcmp(op, "screenshot") || !strcmp(op, "expect-screen") ||
              !strcmp(op, "expect-print") || !strcmp(op, "config")) {
        cmd->op = op[0] == 's'                   ? SCRIPT_SCREENSHOT
                  : op[0] == 'c'                 ? SCRIPT_CONFIG
                  : !strcmp(op, "expect-screen") ? SCRIPT_EXPECT_SCREEN
                                                 : SCRIPT_EXPECT_PRINT;
        if(!parse_name(a, cmd->arg, sizeof(cmd->arg))) {
            hk_diag_set(diag, "line %d: %s: expected a name of letters, digits, _ - .", lineno, op);
            return -1;
        }
    } else if(!strcmp(op, "clock")) {
        cmd->op = SCRIPT_CLOCK;
        if(!parse_clock(a, &cmd->ms)) {
            hk_diag_set(diag, "line %d: clock: expected YYYY-MM-DDTHH:MM[:SS]", lineno);
            return -1;
        }
    } else if(!strcmp(op, "print-wait") || !strcmp(op, "quit")) {
        cmd->op = op[0] == 'p' ? SCRIPT_PRINT_WAIT : SCRIPT_QUIT;
        if(a) {
            hk_diag_set(diag, "line %d: %s: takes no argument", lineno, op);
            return -1;
        }
    } else {
        hk_diag_set(diag, "line %d: unknown command \"%.32s\"", lineno, op);
        return -1;
    }
    return 1;
}

hk_err_t script_parse(const char *text, size_t len, script_t **out, hk_diag_t *diag)
{
    script_t *s = NULL;
    size_t pos = 0, cap = 0;
    int lineno = 0;
    hk_err_t rc = HK_OK;

    *out = NULL;
    if(len > SCRIPT_MAX_BYTES) {
        hk_diag_set(diag, "script: larger than %d bytes", SCRIPT_MAX_BYTES);
        return HK_ERR_INVALID;
    }
    s = hk_calloc(1, sizeof(*s));
    if(!s)
        return HK_ERR_NOMEM;
    while(pos < len) {
        char line[LINE_MAX_LEN + 1];
        size_t end = pos, n;
        script_cmd_t cmd;
        int r;

        while(end < len && text[end] != '\n')
            end++;
        n = end - pos;
        lineno++;
        if(n > LINE_MAX_LEN) {
            hk_diag_set(diag, "line %d: longer than %d characters", lineno, LINE_MAX_LEN);
            rc = HK_ERR_INVALID;
            goto out;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        if(memchr(line, '\0', n)) {
            hk_diag_set(diag, "line %d: contains a NUL byte", lineno);
            rc = HK_ERR_INVALID;
            goto out;
        }
        pos = end + 1;
        r = parse_line(line, lineno, &cmd, diag);
        if(r < 0) {
            rc = HK_ERR_INVALID;
            goto out;
        }
        if(r == 0)
            continue;
        if((size_t)s->n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            script_cmd_t *nc;
            if(ncap > SCRIPT_MAX_CMDS) {
                hk_diag_set(diag, "line %d: more than %d commands", lineno, SCRIPT_MAX_CMDS);
                rc = HK_ERR_INVALID;
                goto out;
            }
            nc = hk_realloc(s->cmds, ncap * sizeof(*nc));
            if(!nc) {
                rc = HK_ERR_NOMEM;
                goto out;
            }
            s->cmds = nc;
            cap = ncap;
        }
        s->cmds[s->n++] = cmd;
    }
out:
    if(rc != HK_OK) {
        script_destroy(s);
        return rc;
    }
    *out = s;
    return HK_OK;
}

hk_err_t script_load_file(const char *path, script_t **out, hk_diag_t *diag)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    hk_err_t rc;

    *out = NULL;
    if(!f) {
        hk_diag_set(diag, "script: cannot open %s", path);
        return HK_ERR_IO;
    }
    buf = hk_malloc(SCRIPT_MAX_BYTES + 1);
    if(!buf) {
        fclose(f);
        return HK_ERR_NOMEM;
    }
    n = fread(buf, 1, SCRIPT_MAX_BYTES + 1, f);
    fclose(f);
    rc = script_parse(buf, n, out, diag);
    hk_free(buf);
    return rc;
}

void script_destroy(script_t *s)
{
    if(!s)
        return;
    hk_free(s->cmds);
    hk_free(s);
}
