/*
 * session.c - filling the SMTP session facts from hostile strings.
 *
 * Owns: the session's initial state, the setters that copy what the MTA
 * or the command line handed over, and stripping an SMTP path
 * ("<user@host> SIZE=123") down to the address.
 * Limits: every copy is bounded by its field's size. The HELO keeps its
 * raw bytes, NULs included, up to OT_HOST_SIZE-1 (helo_len says how many;
 * helo_overlong says more were sent); other strings stop at a NUL. An MTA
 * name in brackets ("[192.0.2.1]", what sendmail shows when there is no
 * reverse name) is recorded as no name. Recipients past OT_MAX_RCPT are
 * counted, not kept. The setters do not set `present`: the caller decides
 * whether a live session exists.
 */
#include "session.h"

#include <string.h>

#include "sanitize.h"

void ot_session_init(ot_session *s)
{
    if (s == NULL)
        return;
    memset(s, 0, sizeof *s);
    s->client_resolve = OT_RESOLVE_UNKNOWN;
}

void ot_session_set_helo(ot_session *s, const char *helo, size_t len)
{
    if (s == NULL)
        return;
    if (helo == NULL)
        len = 0;
    s->helo_seen = true;
    s->helo_overlong = len > OT_HOST_SIZE - 1;
    s->helo_len = s->helo_overlong ? OT_HOST_SIZE - 1 : len;
    if (s->helo_len > 0)
        memcpy(s->helo, helo, s->helo_len);
    s->helo[s->helo_len] = '\0';
}

void ot_session_set_rdns(ot_session *s, const char *name, size_t len)
{
    if (s == NULL)
        return;
    if (name == NULL)
        len = 0;
    s->client_rdns_known = true;
    if (len > 0 && name[0] == '[') {
        s->client_rdns[0] = '\0';
        return;
    }
    ot_strlcpy_n(s->client_rdns, sizeof s->client_rdns, name, len);
}

void ot_session_set_mail_from(ot_session *s, const char *addr, size_t len)
{
    if (s == NULL)
        return;
    s->mail_from_seen = true;
    ot_smtp_path_strip(s->mail_from, sizeof s->mail_from, addr, len);
}

void ot_session_add_rcpt(ot_session *s, const char *addr, size_t len)
{
    if (s == NULL)
        return;
    s->rcpt_total++;
    if (s->nrcpt >= OT_MAX_RCPT)
        return;
    ot_smtp_path_strip(s->rcpt[s->nrcpt], sizeof s->rcpt[s->nrcpt], addr, len);
    s->nrcpt++;
}

static bool byte_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where the bracketed path ends: the first '>' outside a quoted local
 * part, or len when there is none. */
static size_t path_close(const char *src, size_t start, size_t len)
{
    bool quoted = false;

    for (size_t i = start; i < len; i++) {
        if (src[i] == '\\' && quoted) {
            i++;
            continue;
        }
        if (src[i] == '"')
            quoted = !quoted;
        else if (src[i] == '>' && !quoted)
            return i;
        else if (src[i] == '\0')
            return i;
    }
    return len;
}

size_t ot_smtp_path_strip(char *dst, size_t dstsize, const char *src, size_t len)
{
    size_t start = 0, end;

    if (dst == NULL || dstsize == 0)
        return 0;
    if (src == NULL)
        len = 0;
    while (start < len && byte_is_space(src[start]))
        start++;
    if (start < len && src[start] == '<') {
        start++;
        end = path_close(src, start, len);
        if (end == len) {
            /* no closing bracket: the path ends at the first space */
            end = start;
            while (end < len && !byte_is_space(src[end]) && src[end] != '\0')
                end++;
        }
    } else {
        end = start;
        while (end < len && !byte_is_space(src[end]) && src[end] != '\0')
            end++;
    }
    /* an obsolete source route "@a,@b:user@c" names hops, not the mailbox */
    if (start < end && src[start] == '@') {
        const char *colon = memchr(src + start, ':', end - start);
        if (colon != NULL)
            start = (size_t)(colon - src) + 1;
    }
    while (start < end && byte_is_space(src[start]))
        start++;
    while (end > start && byte_is_space(src[end - 1]))
        end--;
    return ot_strlcpy_n(dst, dstsize, src + start, end - start);
}
