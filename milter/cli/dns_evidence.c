/*
 * dns_evidence.c - origin-trace-check --dns: the lookups for one stored
 * message (see dns_evidence.h).
 *
 * The same plan and the same lookups as the milter, in one go since the
 * whole message is at hand. DKIM needs the fields byte for byte, so they
 * are cut from the raw text here rather than taken from ot_message (which
 * unfolds them); files on disk usually end lines with LF alone, and DKIM
 * canonicalization is defined over CRLF, so every bare LF is fed as CRLF.
 * An mbox "From " line in front is not a field and is skipped.
 */
#include "dns_evidence.h"

#include <stdlib.h>
#include <string.h>

#include "evidence.h"

#define FIELD_MAX (64u * 1024u)   /* one field fed to DKIM; longer ones are cut */
#define CHUNK 8192u

static size_t line_end(const char *data, size_t len, size_t at)
{
    const char *nl = memchr(data + at, '\n', len - at);
    return nl != NULL ? (size_t)(nl - data) + 1 : len;
}

static bool is_blank(const char *p, size_t n)
{
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n') || n == 0;
}

/* Appends src to a field being built, every line break as CRLF. */
static size_t append_crlf(char *out, size_t used, size_t cap, const char *src, size_t n)
{
    for (size_t i = 0; i < n && used + 2 < cap; i++) {
        if (src[i] == '\n' && (i == 0 || src[i - 1] != '\r'))
            out[used++] = '\r';
        out[used++] = src[i];
    }
    return used;
}

/* Feeds one field "Name: value..." (lines joined, final line break dropped). */
static bool feed_field(ot_dkim_check *c, char *field, size_t used)
{
    char *colon;

    while (used > 0 && (field[used - 1] == '\n' || field[used - 1] == '\r'))
        used--;
    field[used] = '\0';
    colon = memchr(field, ':', used);
    if (colon == NULL)
        return true;   /* not a field: DKIM would not sign it either */
    *colon = '\0';
    return ot_dkim_check_header(c, field, colon + 1);
}

static void feed_body(ot_dkim_check *c, const char *data, size_t len)
{
    unsigned char chunk[CHUNK + 1];
    size_t used = 0;

    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
            chunk[used++] = '\r';
        chunk[used++] = (unsigned char)data[i];
        if (used >= CHUNK) {
            (void)ot_dkim_check_body(c, chunk, used);
            used = 0;
        }
    }
    if (used > 0)
        (void)ot_dkim_check_body(c, chunk, used);
}

static void dkim_over(const ot_dns_services *svc, ot_dns_batch *b, const char *data, size_t len,
                      ot_evidence *ev)
{
    const size_t cap = FIELD_MAX + 1;
    char *field;
    ot_dkim_check *c;
    size_t at = 0, used = 0;
    bool ok = true;

    if (svc == NULL || svc->dkim == NULL || b == NULL || (field = malloc(cap)) == NULL) {
        ot_evidence_mark_incomplete(ev, "dkim");
        return;
    }
    if ((c = ot_dkim_check_begin(svc->dkim, b)) == NULL) {
        free(field);
        ot_evidence_mark_incomplete(ev, "dkim");
        return;
    }
    if (len >= 5 && memcmp(data, "From ", 5) == 0)
        at = line_end(data, len, 0);
    while (at < len) {
        size_t end = line_end(data, len, at);
        const char *line = data + at;
        size_t n = end - at;

        if (is_blank(line, n)) {
            at = end;
            break;
        }
        if (line[0] != ' ' && line[0] != '\t' && used > 0) {
            ok = ok && feed_field(c, field, used);
            used = 0;
        }
        used = append_crlf(field, used, cap, line, n);
        at = end;
    }
    if (used > 0)
        ok = ok && feed_field(c, field, used);
    if (ok && ot_dkim_check_eoh(c))
        feed_body(c, data + at, len - at);
    ot_dkim_check_end(c, ev);
    free(field);
}

void check_dns_evidence(const ot_dns_services *svc, const ot_config *cfg, const ot_session *s,
                        const ot_message *m, const ot_result *offline, const char *data,
                        size_t len, ot_evidence *ev)
{
    ot_lookup_plan plan;
    ot_lookups *l;

    ot_evidence_init(ev);
    ot_lookup_plan_make(cfg, s, m, offline, &plan);
    if (!ot_lookup_plan_any(&plan))
        return;
    l = ot_lookups_start(svc, cfg, &plan);
    ot_lookups_collect(l, &plan, ev);
    if (plan.dkim)
        dkim_over(svc, ot_lookups_batch(l), data, len, ev);
    ot_lookups_free(l);
}
