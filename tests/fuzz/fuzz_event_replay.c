/*
 * fuzz_event_replay: libFuzzer target for what hall-central does with the
 * bodies of events it stored: the public status page's replay
 * (ticket_status_compute, ticket_status_html) and the alert thresholds
 * (alerts_from_event). Devices send these bodies, so any bytes must give
 * an answer or be skipped: never a crash, a sanitizer report or a leak,
 * and the page never carries a raw '<' from the input.
 *
 * Input: lines; line i is the body of event i, whose type cycles through
 * the ticket and visit types. The first line's first 4 bytes are the
 * number asked about.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alerts.h"
#include "hk_mem.h"
#include "ticket_status.h"

#define MAX_EVENTS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *types[] = { "ticket.issued",   "ticket.called",      "ticket.started",
                                   "ticket.finished", "ticket.transferred", "ticket.no_show",
                                   "visit.rated",     "ticket.recalled" };
    central_event_t ev[MAX_EVENTS];
    alerts_limits_t lim = { .wait_limit_s = 60, .rating_max = 2 };
    char *text, *p, number[5] = "A001";
    long live = hk_mem_live();
    ticket_status_t st;
    int n = 0, i;
    char *html = NULL;

    text = malloc(size + 1);
    if(!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if(size >= 4) {
        memcpy(number, text, 4);
        number[4] = '\0';
    }
    for(p = text; p && n < MAX_EVENTS; n++) {
        char *nl = strchr(p, '\n');
        if(nl)
            *nl = '\0';
        memset(&ev[n], 0, sizeof(ev[n]));
        ev[n].seq = n + 1;
        strcpy(ev[n].type, types[n % 8]);
        ev[n].time_ms = (int64_t)n * 60000;
        ev[n].body = p;
        p = nl ? nl + 1 : NULL;
    }
    if(ticket_status_compute(ev, n, "2026-11-25", number, 0, &st) == HK_OK &&
       ticket_status_html(&st, "<b>", NULL, n % 2 == 0, 480, &html, NULL) == HK_OK) {
        if(strstr(html, "<b>") || strstr(html, "<script"))
            abort();
        hk_free(html);
    }
    for(i = 0; i < n; i++) {
        alert_t a;
        char *json = NULL;
        if(alerts_from_event("b1", "hub-1", &ev[i], &lim, &a) && alerts_json(&a, &json) == HK_OK)
            cJSON_free(json); /* hk_json_init hooked cJSON to hk_malloc */
    }
    free(text);
    if(hk_mem_live() != live)
        abort();
    return 0;
}
