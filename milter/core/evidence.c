/*
 * evidence.c - the starting state of what lookups found out.
 *
 * Owns: ot_evidence_init, which makes every fact unknown (tristates
 * OT_EV_UNKNOWN, SPF not checked, no DNSBL hits, no DKIM results, nothing
 * incomplete), so that a check that was never made cannot fire a signal;
 * and the spf=, dkim= and incomplete= tokens, written the same way into
 * the header and the log line.
 * Limits: none; the struct is fixed-size, the tokens bounded by outsize.
 */
#include "evidence.h"

#include <string.h>

void ot_evidence_init(ot_evidence *e)
{
    if (e == NULL)
        return;
    memset(e, 0, sizeof *e);
    e->ptr_exists = OT_EV_UNKNOWN;
    e->fcrdns = OT_EV_UNKNOWN;
    e->helo_resolves = OT_EV_UNKNOWN;
    e->helo_matches = OT_EV_UNKNOWN;
    e->spf = OT_SPF_NONE_CHECKED;
}

static const char *spf_word(enum ot_spf_result r)
{
    static const char *const words[] = {
        [OT_SPF_NONE_CHECKED] = NULL, [OT_SPF_NONE] = "none", [OT_SPF_NEUTRAL] = "neutral",
        [OT_SPF_PASS] = "pass", [OT_SPF_FAIL] = "fail", [OT_SPF_SOFTFAIL] = "softfail",
        [OT_SPF_TEMPERROR] = "temperror", [OT_SPF_PERMERROR] = "permerror",
    };
    return (unsigned)r < sizeof words / sizeof words[0] ? words[r] : NULL;
}

/* dkim=: pass when any signature verified, fail when all failed, none
 * when the message carried none that could be checked */
static const char *dkim_word(const ot_evidence *ev)
{
    const char *d = "none";

    for (size_t i = 0; i < ev->ndkim; i++) {
        if (ev->dkim[i].pass)
            return "pass";
        d = "fail";
    }
    return d;
}

/* Appends s to out as snprintf would: cut to what fits, always
 * terminated; *used counts what fitted. */
static void append(char *out, size_t outsize, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (n > outsize - 1 - *used)
        n = outsize - 1 - *used;
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
}

size_t ot_evidence_tokens(const ot_evidence *ev, char *out, size_t outsize)
{
    const char *spf = spf_word(ev->spf);
    char incomplete[sizeof ev->incomplete];
    size_t n = 0, used = 0;

    if (outsize == 0)
        return 0;
    out[0] = '\0';
    /* our own check names only, but the field is copied bytes: keep it a token */
    for (n = 0; n + 1 < sizeof incomplete && ev->incomplete[n] != '\0'; n++) {
        unsigned char c = (unsigned char)ev->incomplete[n];
        incomplete[n] = (c >= 'a' && c <= 'z') || c == ',' ? (char)c : '?';
    }
    incomplete[n] = '\0';
    /* plain appends: a printf per message for what is most often nothing
     * at all was a tenth of rendering the header */
    if (spf != NULL) {
        append(out, outsize, &used, " spf=");
        append(out, outsize, &used, spf);
    }
    if (ev->dkim_checked) {
        append(out, outsize, &used, " dkim=");
        append(out, outsize, &used, dkim_word(ev));
    }
    if (incomplete[0] != '\0') {
        append(out, outsize, &used, " incomplete=");
        append(out, outsize, &used, incomplete);
    }
    return used;
}

static bool list_has(const char *list, const char *item, size_t len)
{
    const char *p = list;

    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        if (n == len && memcmp(p, item, n) == 0)
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

bool ot_evidence_is_incomplete(const ot_evidence *ev, const char *check)
{
    return list_has(ev->incomplete, check, strlen(check));
}

void ot_evidence_mark_incomplete(ot_evidence *ev, const char *check)
{
    size_t used, len;

    if (ev == NULL || check == NULL)
        return;
    len = strnlen(check, sizeof ev->incomplete);
    used = strnlen(ev->incomplete, sizeof ev->incomplete);
    if (len == 0 || memchr(check, ',', len) != NULL || used >= sizeof ev->incomplete ||
        list_has(ev->incomplete, check, len))
        return;
    /* the list is short and fixed ("ptr,helo,dnsbl,spf,dkim"); one that
     * does not fit is dropped rather than cut into a wrong name */
    if (used + (used > 0) + len >= sizeof ev->incomplete)
        return;
    if (used > 0)
        ev->incomplete[used++] = ',';
    memcpy(ev->incomplete + used, check, len);
    ev->incomplete[used + len] = '\0';
}
