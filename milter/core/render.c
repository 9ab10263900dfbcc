/*
 * render.c - the X-Origin-Trace header value.
 *
 * One line of key=value tokens. Values that came from the sender (none
 * today but addresses, which the parser canonicalised) still go through
 * ot_sanitize_token, so a later change cannot smuggle CR, LF or spaces
 * into the header. Signals that do not fit in OT_HEADER_SIZE are cut
 * with a trailing "+N" telling how many were left out.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sanitize.h"

typedef struct out {
    char *buf;
    size_t size, len;
    bool full;
} out;

static void put_n(out *o, const char *s, size_t n)
{
    if (o->full || o->len + n + 1 > o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put(out *o, const char *s)
{
    put_n(o, s, strlen(s));
}

static void put_token(out *o, const char *key, const char *value)
{
    /* the sanitized token is as long as the value, cut to what a
     * OT_HOST_SIZE buffer holds: sanitize it straight into place */
    size_t len = strlen(value), n = len < OT_HOST_SIZE - 1 ? len : OT_HOST_SIZE - 1;

    put_n(o, " ", 1);
    put(o, key);
    put_n(o, "=", 1);
    if (n == 0) {
        put_n(o, "unknown", 7);
    } else if (o->full || o->len + n + 1 > o->size) {
        o->full = true;
    } else {
        o->len += ot_sanitize_token(o->buf + o->len, n + 1, value, n);
    }
}

/* "score=%.1f". The analysis rounds the score to tenths, so it is k/10
 * for a whole k: then the digits of k are the answer, and printf's
 * floating-point path (a good part of rendering) is not needed. Any other
 * value takes the printf path. */
static void put_score(out *o, double score)
{
    char num[32];
    double tenths = score * 10.0;

    if (tenths > -1e15 && tenths < 1e15) {
        long long k = (long long)(tenths + (tenths >= 0 ? 0.5 : -0.5));
        if ((double)k / 10.0 == score && !(k == 0 && signbit(score))) {
            unsigned long long mag = k < 0 ? 0ull - (unsigned long long)k : (unsigned long long)k;
            char digits[24];
            size_t n = sizeof digits;

            digits[--n] = (char)('0' + mag % 10);
            digits[--n] = '.';
            mag /= 10;
            do {
                digits[--n] = (char)('0' + mag % 10);
                mag /= 10;
            } while (mag != 0);
            if (k < 0)
                digits[--n] = '-';
            memcpy(num, "score=", 6);
            memcpy(num + 6, digits + n, sizeof digits - n);
            num[6 + sizeof digits - n] = '\0';
            put(o, num);
            return;
        }
    }
    snprintf(num, sizeof num, "score=%.1f", score);
    put(o, num);
}

void ot_render_header(const ot_ctx *ctx, ot_result *res)
{
    out o = { res->header, sizeof res->header, 0, false };
    char num[32];
    size_t shown = 0;

    res->header[0] = '\0';
    put_score(&o, res->score);
    put_token(&o, "action", ot_action_name(res->action));
    put_token(&o, "path", ot_path_name(res->path));
    put_token(&o, "origin", res->origin.present ? res->origin.ip : "");
    put_token(&o, "handoff", res->handoff.present ? res->handoff.ip : "");
    {
        /* the same spf=, dkim= and incomplete= as the log line */
        char auth[sizeof ctx->ev->incomplete + 64];
        if (ot_evidence_tokens(ctx->ev, auth, sizeof auth) > 0)
            put(&o, auth);
    }
    put(&o, " signals=");
    if (res->nfired == 0)
        put(&o, "none");
    for (size_t i = 0; i < res->nfired; i++) {
        const char *name = ot_signal_table[res->fired[i].id].name;
        size_t name_len = strlen(name);

        /* a name goes in only with room left for a "+NN" tail after it */
        if (o.full || o.len + name_len + 6 >= o.size)
            break;
        if (i > 0)
            put_n(&o, ",", 1);
        put_n(&o, name, name_len);
        shown++;
    }
    if (shown < res->nfired) {
        o.full = false;
        snprintf(num, sizeof num, "+%zu", res->nfired - shown);
        put(&o, num);
    }
}
