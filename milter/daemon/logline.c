/*
 * logline.c - formatting the per-message log line.
 *
 * A log line is read by people and by grep: one key=value per token, no
 * value ever holding a space, so a forged HELO cannot invent a token.
 * Values are cut (HELO at 64 bytes) to keep the line well under the log
 * sink's bound even with every signal firing.
 */
#include "logline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sanitize.h"
#include "signals.h"

#define HELO_LOG_MAX 64u

typedef struct line_cursor {
    char *buf;
    size_t size, len;
} line_cursor;

static void put(line_cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(line_cursor *c, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->len + 1 >= c->size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(c->buf + c->len, c->size - c->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    c->len += (size_t)n;
    if (c->len >= c->size)
        c->len = c->size - 1;
}

/* key=token (space-separated from what precedes), or key=- when empty */
static void put_token(line_cursor *c, const char *key, const char *value, size_t maxlen)
{
    char tok[OT_HOST_SIZE];
    size_t len = value != NULL ? strnlen(value, maxlen) : 0;
    const char *lead = c->len > 0 ? " " : "";

    if (len == 0) {
        put(c, "%s%s=-", lead, key);
        return;
    }
    ot_sanitize_token(tok, sizeof tok, value, len);
    put(c, "%s%s=%s", lead, key, tok);
}

size_t ot_logline_format(char *out, size_t outsize, const ot_session *facts,
                         const ot_result *res, const ot_evidence *ev, const ot_verdict *v,
                         const char *error)
{
    line_cursor c = { out, outsize, 0 };
    char client[OT_IPTEXT_SIZE];
    char auth[sizeof ev->incomplete + 64];

    if (outsize == 0)
        return 0;
    out[0] = '\0';

    put_token(&c, "queue", facts->queue_id, sizeof facts->queue_id);

    if (res == NULL) {
        put(&c, " score=- action=%s", ot_action_name(v->action));
        put_token(&c, "error", error, 95);
    } else {
        put(&c, " score=%.1f action=%s path=%s", v->score, ot_action_name(v->action),
            ot_path_name(res->path));
        put_token(&c, "origin", res->origin.present ? res->origin.ip : "", OT_IPTEXT_SIZE);
        put_token(&c, "handoff", res->handoff.present ? res->handoff.ip : "", OT_IPTEXT_SIZE);
        put(&c, " signals=");
        if (res->nfired == 0)
            put(&c, "-");
        for (size_t i = 0; i < res->nfired && i < OT_MAX_SIGNALS; i++) {
            enum ot_signal_id id = res->fired[i].id;
            if ((unsigned)id >= OT_SIG_COUNT)
                continue;
            put(&c, "%s%s", i > 0 ? "," : "", ot_signal_table[id].name);
        }
        if (ev != NULL && ot_evidence_tokens(ev, auth, sizeof auth) > 0)
            put(&c, "%s", auth);
    }

    if (facts->client_is_local)
        put(&c, " client=local");
    else if (facts->client_addr.family != 0)
        put_token(&c, "client", ot_addr_format(&facts->client_addr, client, sizeof client),
                  sizeof client);
    else
        put(&c, " client=-");
    put_token(&c, "helo", facts->helo_seen ? facts->helo : "", HELO_LOG_MAX);

    if (v->why != NULL)
        put(&c, " why=%s scored=%s", v->why, ot_action_name(v->scored));
    if (res != NULL && error != NULL && error[0] != '\0')
        put_token(&c, "error", error, 95);
    return c.len;
}
