/*
 * fuzz_analyze.c - libFuzzer harness for the whole analysis: a message
 * read with ot_message_read_header() and judged by ot_analyze(), offline
 * or under a fake live session.
 *
 * Input layout (so that a plain message with two bytes in front is a
 * seed):
 *   byte 0   session: bit 0 a live session is present, bit 1 the client is
 *            local, bits 2-4 the MTA's resolve verdict, bit 5 the MTA told
 *            its reverse name, bit 6 the fixture configuration (trusted
 *            relay 192.0.2.25, LocalHostnames) instead of the defaults,
 *            bit 7 the clock is taken from the session line
 *   byte 1   evidence: bits 0-1 PTR exists, 2-3 FCrDNS, 4-5 HELO
 *            resolves, bit 6 SPF checked (result from the session line's
 *            length), bit 7 DKIM checked with one result
 *   then, with a session, one line of TAB-separated fields: client
 *   address, reverse name, HELO (any byte but TAB and LF), MAIL FROM,
 *   recipients..., each bounded by the session setters;
 *   the rest is the raw message.
 * Besides memory and undefined-behaviour errors, the harness checks what
 * analysis.h and the interface promise: bounded hops and signals, each
 * signal at most once with a printable one-line detail, a score that is
 * the rounded sum of the fired weights, the action its thresholds give, a
 * printable header, and hop indexes inside the chain. A result reused
 * across messages (as the analyzer reuses it) must equal a fresh one.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "config.h"
#include "evidence.h"
#include "fuzz_check.h"
#include "message.h"
#include "sanitize.h"
#include "session.h"

#define FUZZ_NOW 1715702400   /* 2024-05-14T16:00:00Z */
#define SESSION_LINE_MAX 2048u

typedef struct fuzz_world {
    ot_config defaults, fixture;
    ot_result *reused, *fresh;
} fuzz_world;

static fuzz_world *world_get(void)
{
    static fuzz_world w;
    static bool ready;
    char err[256];

    if (ready)
        return &w;
    ot_config_init(&w.defaults);
    ot_config_init(&w.fixture);
    FUZZ_CHECK(ot_config_apply(&w.fixture, "TrustedRelays", "192.0.2.25", err, sizeof err) == OT_CONF_OK,
               "fixture TrustedRelays");
    FUZZ_CHECK(ot_config_apply(&w.fixture, "LocalHostnames", "mx.example.org, example.org", err,
                               sizeof err) == OT_CONF_OK, "fixture LocalHostnames");
    w.reused = calloc(1, sizeof *w.reused);
    w.fresh = malloc(sizeof *w.fresh);
    FUZZ_CHECK(w.reused != NULL && w.fresh != NULL, "out of memory");
    ready = true;
    return &w;
}

/* The next TAB-separated field of [*pos, end). */
static const char *next_field(const char *line, size_t end, size_t *pos, size_t *len)
{
    size_t start = *pos;
    const char *tab;

    if (start >= end) {
        *len = 0;
        return line + end;
    }
    tab = memchr(line + start, '\t', end - start);
    *len = tab != NULL ? (size_t)(tab - line) - start : end - start;
    *pos = start + *len + 1;
    return line + start;
}

static enum ot_tristate tristate(unsigned bits)
{
    return (enum ot_tristate)(bits % 3u);
}

/* Fills the session from the session line; returns where the message
 * starts. */
static size_t read_session(const uint8_t *data, size_t size, uint8_t flags, ot_session *s,
                           int64_t *now)
{
    const char *text = (const char *)data;
    const uint8_t *lf = memchr(data, '\n', size < SESSION_LINE_MAX ? size : SESSION_LINE_MAX);
    size_t end = lf != NULL ? (size_t)(lf - data) : (size < SESSION_LINE_MAX ? size : SESSION_LINE_MAX);
    size_t pos = 0, len;
    const char *f;

    s->present = true;
    s->client_is_local = (flags & 2u) != 0;
    s->client_resolve = (enum ot_resolve)((flags >> 2) % 5u);
    f = next_field(text, end, &pos, &len);
    if (!ot_addr_parse(f, len, &s->client_addr))
        memset(&s->client_addr, 0, sizeof s->client_addr);
    f = next_field(text, end, &pos, &len);
    if (flags & 0x20u)
        ot_session_set_rdns(s, f, len);
    f = next_field(text, end, &pos, &len);
    if (len > 0)
        ot_session_set_helo(s, f, len);
    f = next_field(text, end, &pos, &len);
    if (len > 0)
        ot_session_set_mail_from(s, f, len);
    while (pos < end) {
        f = next_field(text, end, &pos, &len);
        ot_session_add_rcpt(s, f, len);
    }
    if (flags & 0x80u) {
        /* any clock the analyzer accepts (--now: 0 .. year 9999) */
        *now = 0;
        for (size_t i = 0; i < end && i < 8; i++)
            *now = *now * 131 + (unsigned char)text[i];
        *now %= FUZZ_LAST_SECOND + 1;
    }
    return lf != NULL ? end + 1 : end;
}

static void fill_evidence(uint8_t bits, size_t salt, ot_evidence *ev)
{
    ot_evidence_init(ev);
    ev->ptr_exists = tristate(bits & 3u);
    ev->fcrdns = tristate((bits >> 2) & 3u);
    ev->helo_resolves = tristate((bits >> 4) & 3u);
    ev->helo_matches = tristate(salt);
    if (ev->ptr_exists == OT_EV_YES)
        ot_strlcpy_n(ev->ptr_name, sizeof ev->ptr_name, "dsl-1-2.dyn.example.net", 23);
    if (bits & 0x40u)
        ev->spf = (enum ot_spf_result)(1 + salt % 7u);
    if (bits & 0x80u) {
        ev->dkim_checked = true;
        ev->ndkim = 1;
        ot_strlcpy_n(ev->dkim[0].domain, sizeof ev->dkim[0].domain, "gmail.com", 9);
        ev->dkim[0].pass = (salt & 1u) != 0;
    }
}

static bool results_equal(const ot_result *a, const ot_result *b)
{
    if (a->nhops != b->nhops || a->received_total != b->received_total ||
        a->boundary != b->boundary || a->path != b->path || a->origin_hop != b->origin_hop ||
        a->nfired != b->nfired || a->score != b->score || a->action != b->action ||
        a->received_at != b->received_at || strcmp(a->header, b->header) != 0 ||
        a->handoff.present != b->handoff.present || a->handoff.hop != b->handoff.hop ||
        strcmp(a->handoff.ip, b->handoff.ip) != 0 || a->origin.present != b->origin.present ||
        strcmp(a->origin.ip, b->origin.ip) != 0)
        return false;
    for (size_t i = 0; i < a->nhops; i++)
        if (a->trust[i] != b->trust[i] || a->breaks[i] != b->breaks[i])
            return false;
    for (size_t i = 0; i < a->nfired; i++)
        if (a->fired[i].id != b->fired[i].id || strcmp(a->fired[i].hit.detail, b->fired[i].hit.detail) != 0)
            return false;
    return true;
}

static void check_result(const ot_config *cfg, const ot_result *res)
{
    double sum = 0.0;
    bool seen[OT_SIG_COUNT] = { false };

    FUZZ_CHECK(res->nhops <= OT_MAX_RECEIVED, "more than OT_MAX_RECEIVED hops");
    FUZZ_CHECK(res->received_total >= res->nhops, "received_total below the hops kept");
    FUZZ_CHECK(res->boundary >= 0 && (size_t)res->boundary <= res->nhops, "boundary out of the chain");
    FUZZ_CHECK(res->origin_hop >= -1 && res->origin_hop < (int)res->nhops, "origin_hop out of the chain");
    if (res->handoff.present)
        FUZZ_CHECK(res->handoff.hop >= -1 && res->handoff.hop < (int)res->nhops,
                   "handoff.hop out of the chain");
    FUZZ_CHECK(res->nfired <= OT_MAX_SIGNALS && res->nfired <= OT_SIG_COUNT, "too many signals");
    for (size_t i = 0; i < res->nfired; i++) {
        const ot_fired *f = &res->fired[i];

        FUZZ_CHECK((unsigned)f->id < OT_SIG_COUNT, "unknown signal id");
        FUZZ_CHECK(!seen[f->id], "a signal fired twice");
        seen[f->id] = true;
        FUZZ_CHECK(f->weight != 0.0, "a switched-off signal fired");
        FUZZ_CHECK(fuzz_terminated(f->hit.detail, sizeof f->hit.detail) &&
                   fuzz_printable(f->hit.detail), "detail not one printable line");
        sum += f->weight;
    }
    double rounded = (double)(long long)(sum * 10.0 + (sum >= 0 ? 0.5 : -0.5)) / 10.0;
    FUZZ_CHECK(res->score == rounded, "score is not the rounded sum of the weights");
    if (res->score >= cfg->reject_score)
        FUZZ_CHECK(res->action == OT_ACTION_REJECT, "score at RejectScore but not rejected");
    else if (res->score >= cfg->quarantine_score)
        FUZZ_CHECK(res->action == OT_ACTION_QUARANTINE, "score at QuarantineScore not quarantined");
    else
        FUZZ_CHECK(res->action == OT_ACTION_ACCEPT, "score under the thresholds not accepted");
    FUZZ_CHECK(fuzz_terminated(res->header, sizeof res->header) && fuzz_printable(res->header),
               "header not printable");
    FUZZ_CHECK(strncmp(res->header, "score=", 6) == 0 && strstr(res->header, " action=") != NULL &&
               strstr(res->header, " signals=") != NULL, "header lacks score, action or signals");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_world *w = world_get();
    ot_session session;
    ot_evidence ev;
    ot_message msg;
    int64_t now = FUZZ_NOW;
    size_t start;

    if (size < 2)
        return 0;
    uint8_t session_bits = data[0], evidence_bits = data[1];
    data += 2;
    size -= 2;

    ot_session_init(&session);
    start = (session_bits & 1u) ? read_session(data, size, session_bits, &session, &now) : 0;
    fill_evidence(evidence_bits, start, &ev);
    const ot_config *cfg = (session_bits & 0x40u) ? &w->fixture : &w->defaults;

    ot_message_init(&msg);
    ot_message_read_header(&msg, (const char *)data + start, size - start);

    /* no session and no evidence: the offline analyzer's call */
    ot_analyze(cfg, NULL, &msg, NULL, now, w->reused);
    check_result(cfg, w->reused);

    ot_analyze(cfg, session.present ? &session : NULL, &msg, &ev, now, w->reused);
    check_result(cfg, w->reused);
    /* a result full of another message's leftovers must not matter */
    memset(w->fresh, 0xa5, sizeof *w->fresh);
    ot_analyze(cfg, session.present ? &session : NULL, &msg, &ev, now, w->fresh);
    FUZZ_CHECK(results_equal(w->reused, w->fresh), "a reused result differs from a fresh one");

    ot_message_free(&msg);
    return 0;
}
