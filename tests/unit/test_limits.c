/*
 * test_limits.c - every bound of milter/core/limits.h at the limit and one
 * past it, with the behaviour the code documents for the bound.
 *
 *   header bytes, fields, field name      past it: the field is dropped and
 *                                          counted; smaller ones still fit
 *   field value                           cut at the limit, flagged
 *   Received kept                         counted past it, not parsed
 *   Received scanned                      a longer line is unparsed
 *   host/with/id/for in a Received line   cut at the field size
 *   HELO, reverse name, envelope          cut by the session setters
 *   recipients                            counted past it, not kept
 *   address text                          longer text is refused
 *   signals, detail, header               bounded by construction
 *   config line                           a longer line is an error (and
 *                                          nothing past it is read)
 *   Include depth                         a deeper Include is an error
 *   names per list, trusted, providers    one more entry is an error
 *
 * Inputs are built here at the sizes the limits name; the configuration
 * file tests write into a mkdtemp directory and remove it afterwards.
 */
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "analysis.h"
#include "config.h"
#include "config_load.h"
#include "limits.h"
#include "message.h"
#include "received.h"
#include "session.h"
#include "tap.h"

#define NOW 1030019700   /* 2002-08-22T12:35:00Z */
#define DATE "Thu, 22 Aug 2002 12:34:56 +0000"

/* ---- building inputs ---------------------------------------------------------- */

/* A growing text buffer; the tests abort on out of memory. */
typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void text_add(text *t, const char *bytes, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = realloc(t->p, cap);
        if (grown == NULL) {
            printf("Bail out! out of memory\n");
            exit(1);
        }
        t->p = grown;
        t->cap = cap;
    }
    memcpy(t->p + t->len, bytes, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void text_str(text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

static void text_fill(text *t, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        text_add(t, &c, 1);
}

static void text_free(text *t)
{
    free(t->p);
    t->p = NULL;
    t->len = t->cap = 0;
}

/* n copies of c, NUL-terminated (caller frees). */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL) {
        printf("Bail out! out of memory\n");
        exit(1);
    }
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- header reader --------------------------------------------------------------- */

/* Storage of one field: name, NUL, value, NUL (message.c). */
#define FIELD_COST(name_len, value_len) ((name_len) + 1 + (value_len) + 1)

static void test_header_bytes(void)
{
    ot_message m;
    char *big = repeat('v', OT_MAX_FIELD_VALUE);
    size_t full_fields = OT_MAX_HEADER_BYTES / FIELD_COST(1, OT_MAX_FIELD_VALUE);
    size_t rest = OT_MAX_HEADER_BYTES - full_fields * FIELD_COST(1, OT_MAX_FIELD_VALUE);

    /* exactly OT_MAX_HEADER_BYTES: full fields, then one that takes the rest */
    ot_message_init(&m);
    for (size_t i = 0; i < full_fields; i++)
        ot_message_add_field(&m, "P", 1, big, OT_MAX_FIELD_VALUE);
    ok(ot_message_add_field(&m, "P", 1, big, rest - FIELD_COST(1, 0)),
       "header bytes: a field that ends exactly at OT_MAX_HEADER_BYTES is stored");
    is_int(m.len, OT_MAX_HEADER_BYTES, "header bytes: the buffer holds exactly the limit");
    is_int(m.dropped, 0, "header bytes: nothing dropped at the limit");
    ok(!ot_message_add_field(&m, "D", 1, "x", 1), "header bytes: one byte past is not stored");
    is_int(m.dropped, 1, "header bytes: the field past the limit is counted in dropped");
    is_int(m.count, full_fields + 1, "header bytes: the fields kept stay");
    ok(m.cap <= OT_MAX_HEADER_BYTES, "header bytes: the buffer never grows past the limit");
    ot_message_free(&m);

    /* four bytes left: a five-byte field is dropped, a four-byte one after it fits */
    ot_message_init(&m);
    for (size_t i = 0; i < full_fields; i++)
        ot_message_add_field(&m, "P", 1, big, OT_MAX_FIELD_VALUE);
    ot_message_add_field(&m, "P", 1, big, rest - FIELD_COST(1, 0) - FIELD_COST(1, 1));
    ok(!ot_message_add_field(&m, "D", 1, "xy", 2), "header bytes: a field one byte too big is dropped");
    ok(ot_message_add_field(&m, "D", 1, "x", 1), "header bytes: a smaller field after it still fits");
    is_int(m.len, OT_MAX_HEADER_BYTES, "header bytes: filled to the byte");
    ot_message_free(&m);
    free(big);

    /* raw text: a 10 MB header of padding cannot hide the Date below it */
    text raw = { 0 };
    for (int i = 0; i < 160; i++) {
        text_str(&raw, "X-Pad: ");
        text_fill(&raw, 'p', 65000);
        text_str(&raw, "\n");
    }
    text_str(&raw, "Date: " DATE "\n\nbody\n");
    ot_message_init(&m);
    ot_message_read_header(&m, raw.p, raw.len);
    ok(raw.len > 10u * 1000u * 1000u, "header bytes: the padded header is over 10 MB");
    ok(m.len <= OT_MAX_HEADER_BYTES, "header bytes: at most the limit is kept of it");
    ok(m.dropped > 0, "header bytes: the padding past the limit is counted");
    ok(ot_message_find(&m, "Date", 0) != NULL, "header bytes: the Date after the padding is kept");
    ot_message_free(&m);
    text_free(&raw);
}

static void test_fields(void)
{
    ot_message m;
    size_t stored = 0;

    ot_message_init(&m);
    for (size_t i = 0; i < OT_MAX_FIELDS; i++)
        stored += ot_message_add_field(&m, "A", 1, "b", 1);
    is_int(stored, OT_MAX_FIELDS, "fields: OT_MAX_FIELDS fields are stored");
    ok(!ot_message_add_field(&m, "Received", 8, "from a by b; " DATE, strlen("from a by b; " DATE)),
       "fields: field %u is not stored", OT_MAX_FIELDS + 1);
    is_int(m.count, OT_MAX_FIELDS, "fields: count stays at the limit");
    is_int(m.dropped, 1, "fields: the one past is counted in dropped");
    is_int(m.received_total, 1, "fields: a dropped Received is still counted in received_total");
    ot_message_free(&m);
}

static void test_field_name(void)
{
    ot_message m;
    char *name = repeat('N', OT_MAX_FIELD_NAME + 1);
    text raw = { 0 };

    ot_message_init(&m);
    ok(ot_message_add_field(&m, name, OT_MAX_FIELD_NAME, "v", 1),
       "field name: %u bytes are stored", OT_MAX_FIELD_NAME);
    ok(!ot_message_add_field(&m, name, OT_MAX_FIELD_NAME + 1, "v", 1),
       "field name: %u bytes are dropped", OT_MAX_FIELD_NAME + 1);
    is_int(m.dropped, 1, "field name: the overlong name is counted in dropped");
    ot_message_free(&m);

    /* the same through the reader, with the field after it kept */
    text_add(&raw, name, OT_MAX_FIELD_NAME + 1);
    text_str(&raw, ": v\nSubject: kept\n\n");
    ot_message_init(&m);
    ot_message_read_header(&m, raw.p, raw.len);
    is_int(m.count, 1, "field name: the reader drops the overlong name only");
    ok(ot_message_find(&m, "Subject", 0) != NULL, "field name: the next field is read");
    ot_message_free(&m);
    text_free(&raw);
    free(name);
}

static void test_field_value(void)
{
    ot_message m;
    char *value = repeat('v', OT_MAX_FIELD_VALUE + 1);

    ot_message_init(&m);
    ot_message_add_field(&m, "X", 1, value, OT_MAX_FIELD_VALUE);
    is_int(m.fields[0].value_len, OT_MAX_FIELD_VALUE, "field value: %u bytes kept whole",
           OT_MAX_FIELD_VALUE);
    ok(!m.value_truncated, "field value: at the limit nothing is flagged");
    ok(ot_message_add_field(&m, "X", 1, value, OT_MAX_FIELD_VALUE + 1),
       "field value: one byte more is still stored");
    is_int(m.fields[1].value_len, OT_MAX_FIELD_VALUE, "field value: ...cut at the limit");
    is_int(strlen(m.fields[1].value), OT_MAX_FIELD_VALUE, "field value: ...and NUL-terminated there");
    ok(m.value_truncated, "field value: the cut is flagged");
    ot_message_free(&m);
    free(value);
}

/* ---- the Received chain -------------------------------------------------------- */

static void add_received_lines(text *t, size_t n)
{
    char line[256];

    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line,
                 "Received: from h%zu.example.net (h%zu.example.net [198.51.100.%zu])\n"
                 "\tby h%zu.example.net with ESMTP id Q%zu; " DATE "\n",
                 i + 1, i + 1, (i + 1) % 250 + 1, i, i);
        text_str(t, line);
    }
}

static bool fired(const ot_result *r, enum ot_signal_id id)
{
    for (size_t i = 0; i < r->nfired; i++)
        if (r->fired[i].id == id)
            return true;
    return false;
}

static void test_received_kept(void)
{
    ot_config cfg;
    ot_result *res = calloc(1, sizeof *res);
    char err[256];
    size_t counts[] = { OT_MAX_RECEIVED, OT_MAX_RECEIVED + 1 };

    if (res == NULL)
        return;
    ot_config_init(&cfg);
    for (size_t k = 0; k < 2; k++) {
        text raw = { 0 };
        ot_message m;

        add_received_lines(&raw, counts[k]);
        text_str(&raw, "Date: " DATE "\nMessage-ID: <a@b.example>\n\nbody\n");
        ot_message_init(&m);
        ot_message_read_header(&m, raw.p, raw.len);
        ot_analyze(&cfg, NULL, &m, NULL, NOW, res);
        is_int(res->nhops, OT_MAX_RECEIVED, "Received kept: %zu lines keep %u hops", counts[k],
               OT_MAX_RECEIVED);
        is_int(res->received_total, counts[k], "Received kept: all %zu are counted", counts[k]);
        ok(res->hops[OT_MAX_RECEIVED - 1].parsed, "Received kept: the last kept line is parsed");
        ok(fired(res, OT_SIG_RCVD_TOO_MANY), "Received kept: RCVD_TOO_MANY (MaxReceived %u) fires",
           cfg.max_received);
        ot_message_free(&m);
        text_free(&raw);
    }
    /* MaxReceived, the configurable threshold, is itself bounded */
    ok(ot_config_apply(&cfg, "MaxReceived", "1000", err, sizeof err) == OT_CONF_OK,
       "MaxReceived: 1000 is accepted");
    ok(ot_config_apply(&cfg, "MaxReceived", "1001", err, sizeof err) == OT_CONF_BAD_VALUE,
       "MaxReceived: 1001 is refused");
    ot_config_free(&cfg);
    free(res);
}

/* "from a.example (a.example [192.0.2.1]) by mx.example.org (PAD) with
 * ESMTP id Q1; DATE", padded to exactly len bytes. */
static char *received_of_length(size_t len)
{
    static const char head[] = "from a.example (a.example [192.0.2.1]) by mx.example.org (";
    static const char tail[] = ") with ESMTP id Q1; " DATE;
    size_t fixed = strlen(head) + strlen(tail);
    char *s = malloc(len + 1);

    if (s == NULL || len < fixed)
        exit(1);
    memcpy(s, head, strlen(head));
    memset(s + strlen(head), 'c', len - fixed);
    memcpy(s + len - strlen(tail), tail, strlen(tail));
    s[len] = '\0';
    return s;
}

static void test_received_scan(void)
{
    ot_hop hop;
    char *at = received_of_length(OT_MAX_RECEIVED_SCAN);
    char *past = received_of_length(OT_MAX_RECEIVED_SCAN + 1);

    ok(ot_received_parse(at, OT_MAX_RECEIVED_SCAN, &hop), "Received scan: %u bytes are parsed",
       OT_MAX_RECEIVED_SCAN);
    is_str(hop.from_ip, "192.0.2.1", "Received scan: ...and read to the peer");
    ok(hop.has_date, "Received scan: ...and to the date at the end");
    ok(!ot_received_parse(past, OT_MAX_RECEIVED_SCAN + 1, &hop), "Received scan: %u bytes are not",
       OT_MAX_RECEIVED_SCAN + 1);
    ok(hop.from_ip[0] == '\0' && hop.by[0] == '\0' && hop.flags == 0,
       "Received scan: the unread line makes no claim");
    free(at);
    free(past);
}

/* Parses before + n bytes of 'w' + after. */
static void parse_with(const char *before, size_t n, const char *after, ot_hop *hop)
{
    text line = { 0 };

    text_str(&line, before);
    text_fill(&line, 'w', n);
    text_str(&line, after);
    ot_received_parse(line.p, line.len, hop);
    text_free(&line);
}

#define PEER "from a.example (a.example [192.0.2.1]) "
#define TO_DATE "; " DATE

static void test_received_strings(void)
{
    static const struct {
        const char *what;
        const char *before, *after;
        size_t size;          /* the field's size, NUL included */
        size_t offset;
        size_t extra;         /* bytes the field keeps besides the word */
    } cases[] = {
        { "from_helo (OT_HOST_SIZE)", "from ", " (a.example [192.0.2.1]) by mx.example.org with ESMTP" TO_DATE,
          OT_HOST_SIZE, offsetof(ot_hop, from_helo), 0 },
        { "by (OT_HOST_SIZE)", PEER "by ", " with ESMTP" TO_DATE,
          OT_HOST_SIZE, offsetof(ot_hop, by), 0 },
        { "with (OT_WITH_SIZE)", PEER "by mx.example.org with ", TO_DATE,
          OT_WITH_SIZE, offsetof(ot_hop, with), 0 },
        { "id (OT_ID_SIZE)", PEER "by mx.example.org with ESMTP id ", TO_DATE,
          OT_ID_SIZE, offsetof(ot_hop, id), 0 },
        { "for (OT_FOR_SIZE)", PEER "by mx.example.org with ESMTP for <", "@example.org>" TO_DATE,
          OT_FOR_SIZE, offsetof(ot_hop, for_), 12 },
    };
    ot_hop hop;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t fits = cases[i].size - 1 - cases[i].extra;
        const char *field = (const char *)&hop + cases[i].offset;

        parse_with(cases[i].before, fits, cases[i].after, &hop);
        ok(hop.parsed, "Received %s: a line with %zu bytes in it is parsed", cases[i].what, fits);
        is_int(strlen(field), cases[i].size - 1, "Received %s: kept whole at the limit", cases[i].what);
        parse_with(cases[i].before, fits + 1, cases[i].after, &hop);
        ok(hop.parsed, "Received %s: one byte more is still parsed", cases[i].what);
        is_int(strlen(field), cases[i].size - 1, "Received %s: ...and cut at the field size",
               cases[i].what);
    }
}

/* ---- session setters -------------------------------------------------------------- */

static void test_session(void)
{
    ot_session s;
    char *long_text = repeat('h', OT_ADDR_SIZE + 8);

    ot_session_init(&s);
    ot_session_set_helo(&s, long_text, OT_HOST_SIZE - 1);
    is_int(s.helo_len, OT_HOST_SIZE - 1, "HELO: %u bytes kept", OT_HOST_SIZE - 1);
    ok(!s.helo_overlong, "HELO: at the limit it is not overlong");
    ot_session_set_helo(&s, long_text, OT_HOST_SIZE);
    is_int(s.helo_len, OT_HOST_SIZE - 1, "HELO: one byte more is cut to %u", OT_HOST_SIZE - 1);
    ok(s.helo_overlong, "HELO: ...and flagged overlong");
    ot_session_set_helo(&s, "a\0b", 3);
    is_int(s.helo_len, 3, "HELO: NUL bytes are kept, with the length");

    ot_session_set_rdns(&s, long_text, OT_HOST_SIZE - 1);
    is_int(strlen(s.client_rdns), OT_HOST_SIZE - 1, "reverse name: %u bytes kept", OT_HOST_SIZE - 1);
    ot_session_set_rdns(&s, long_text, OT_HOST_SIZE);
    is_int(strlen(s.client_rdns), OT_HOST_SIZE - 1, "reverse name: one byte more is cut");

    ot_session_set_mail_from(&s, long_text, OT_ADDR_SIZE - 1);
    is_int(strlen(s.mail_from), OT_ADDR_SIZE - 1, "MAIL FROM: %u bytes kept", OT_ADDR_SIZE - 1);
    ot_session_set_mail_from(&s, long_text, OT_ADDR_SIZE);
    is_int(strlen(s.mail_from), OT_ADDR_SIZE - 1, "MAIL FROM: one byte more is cut");

    ot_session_add_rcpt(&s, long_text, OT_ADDR_SIZE);
    is_int(strlen(s.rcpt[0]), OT_ADDR_SIZE - 1, "RCPT: an overlong recipient is cut");
    for (size_t i = 1; i < OT_MAX_RCPT; i++)
        ot_session_add_rcpt(&s, "<a@example.org>", 15);
    is_int(s.nrcpt, OT_MAX_RCPT, "RCPT: %u recipients kept", OT_MAX_RCPT);
    is_int(s.rcpt_total, OT_MAX_RCPT, "RCPT: ...and counted");
    ot_session_add_rcpt(&s, "<over@example.org>", 18);
    is_int(s.nrcpt, OT_MAX_RCPT, "RCPT: recipient %u is not kept", OT_MAX_RCPT + 1);
    is_int(s.rcpt_total, OT_MAX_RCPT + 1, "RCPT: ...but counted");
    is_str(s.rcpt[OT_MAX_RCPT - 1], "a@example.org", "RCPT: the kept ones are untouched");
    free(long_text);
}

static void test_address_text(void)
{
    /* the longest address text there is: a bracketed, prefixed, mapped form */
    static const char longest[] = "[IPv6:0000:0000:0000:0000:0000:ffff:192.168.100.200]";
    char past[OT_IPTEXT_SIZE + 1];
    ot_addr a;
    char out[OT_IPTEXT_SIZE];

    ok(sizeof longest - 1 < OT_IPTEXT_SIZE, "address text: the longest valid form is under the limit");
    ok(ot_addr_parse(longest, sizeof longest - 1, &a), "address text: it parses");
    is_str(ot_addr_format(&a, out, sizeof out), "192.168.100.200", "address text: ...as the IPv4 it maps");
    /* no valid text reaches the limit; text that does is refused unread */
    memset(past, '0', sizeof past);
    memcpy(past, "[IPv6:", 6);
    memcpy(past + OT_IPTEXT_SIZE - 4, "::1]", 4);
    ok(!ot_addr_parse(past, OT_IPTEXT_SIZE, &a), "address text: %u bytes are refused", OT_IPTEXT_SIZE);
}

/* ---- analysis output --------------------------------------------------------------- */

static void test_signals_and_header(void)
{
    static const char hostile[] =
        "Received: from mx.example.org (mx.example.org [192.0.2.25]) by mail.example.org with LMTP; "
        "Thu, 22 Aug 2002 12:34:58 +0000\n"
        "Received: from 203.0.113.45 (dsl-203-0-113-45.dyn.example.net [203.0.113.45]) by mx.example.org "
        "with SMTP; Thu, 22 Aug 2002 12:34:56 +0000\n"
        "Received: from mx.example.org (10.1.1.1) by mx.example.org with SMTP; Fri, 22 Aug 2036 12:00:00 +0000\n"
        "Received: ((( unreadable\n"
        "Date: not a date at all\n"
        "Message-ID: no brackets\n\n";
    ot_config cfg;
    ot_session s;
    ot_message m;
    ot_result *res = calloc(1, sizeof *res);
    char err[256];
    char *helo = repeat('\x01', OT_HOST_SIZE + 10);
    bool seen[OT_SIG_COUNT] = { false }, twice = false, details_fit = true;

    if (res == NULL)
        return;
    ok(OT_SIG_COUNT <= OT_MAX_SIGNALS,
       "signals: all %d signals fit in OT_MAX_SIGNALS (%u): the bound never drops one",
       (int)OT_SIG_COUNT, OT_MAX_SIGNALS);
    ot_config_init(&cfg);
    ot_config_apply(&cfg, "TrustedRelays", "192.0.2.25", err, sizeof err);
    ot_config_apply(&cfg, "LocalHostnames", "mx.example.org, example.org", err, sizeof err);
    ot_session_init(&s);
    s.present = true;
    ot_addr_parse("203.0.113.45", 12, &s.client_addr);
    ot_session_set_helo(&s, helo, OT_HOST_SIZE + 10);
    ot_session_set_rdns(&s, "dsl-203-0-113-45.dyn.example.net", 32);
    ot_message_init(&m);
    ot_message_read_header(&m, hostile, sizeof hostile - 1);
    ot_analyze(&cfg, &s, &m, NULL, NOW, res);

    for (size_t i = 0; i < res->nfired; i++) {
        if (seen[res->fired[i].id])
            twice = true;
        seen[res->fired[i].id] = true;
        if (strlen(res->fired[i].hit.detail) >= OT_DETAIL_SIZE)
            details_fit = false;
    }
    ok(res->nfired >= 5, "signals: the hostile message fires many signals (%zu)", res->nfired);
    ok(!twice, "signals: none fires twice");
    ok(details_fit, "detail: every detail is shorter than OT_DETAIL_SIZE");
    ok(strlen(res->header) < OT_HEADER_SIZE, "header: shorter than OT_HEADER_SIZE (%zu bytes)",
       strlen(res->header));
    ok(strstr(res->header, "signals=") != NULL, "header: the signals list is there");
    ot_message_free(&m);
    ot_config_free(&cfg);
    free(helo);
    free(res);
}

/* ---- configuration ------------------------------------------------------------------ */

static char tmpdir[256];

static bool write_file(const char *name, const char *content)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    if (f == NULL)
        return false;
    fputs(content, f);
    return fclose(f) == 0;
}

static bool load(ot_config *cfg, const char *name, char *err, size_t errsize)
{
    char path[512];

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return ot_config_load(cfg, path, err, errsize);
}

/* A file whose line 2 is a comment of exactly len bytes (newline apart),
 * with a setting on line 3 when there is a final newline. */
static void write_line_of(const char *name, size_t len, bool final_newline)
{
    text t = { 0 };

    text_str(&t, "# short\n#");
    text_fill(&t, 'c', len - 1);
    if (final_newline)
        text_str(&t, "\nMode monitor\n");
    write_file(name, t.p);
    text_free(&t);
}

/* A TrustedRelays file: an address, then a comment line of len bytes. */
static void write_trusted_of(const char *name, size_t len)
{
    text t = { 0 };

    text_str(&t, "192.0.2.25\n#");
    text_fill(&t, 'c', len - 1);
    text_str(&t, "\n");
    write_file(name, t.p);
    text_free(&t);
}

static void test_config_line(void)
{
    ot_config cfg;
    char err[512];
    size_t longest = OT_MAX_CONF_LINE - 1;   /* "line longer than 4095 bytes" */

    write_line_of("at.conf", longest, true);
    write_line_of("at-eof.conf", longest, false);
    write_line_of("past.conf", longest + 1, true);
    write_trusted_of("trusted-at.txt", longest);
    write_trusted_of("trusted-past.txt", longest + 1);
    write_file("trusted-at.conf", "TrustedRelays ./trusted-at.txt\n");
    write_file("trusted-past.conf", "TrustedRelays ./trusted-past.txt\n");

    ot_config_init(&cfg);
    err[0] = '\0';
    ok(load(&cfg, "at.conf", err, sizeof err), "config line: %zu bytes load (%s)", longest, err);
    ok(cfg.mode == OT_MODE_MONITOR, "config line: ...and the line after it applies");
    ot_config_free(&cfg);

    ot_config_init(&cfg);
    err[0] = '\0';
    ok(load(&cfg, "at-eof.conf", err, sizeof err),
       "config line: %zu bytes without a final newline load (%s)", longest, err);
    ot_config_free(&cfg);

    ot_config_init(&cfg);
    ok(!load(&cfg, "past.conf", err, sizeof err), "config line: %zu bytes are an error", longest + 1);
    ok(strstr(err, "past.conf:2") != NULL && strstr(err, "longer than") != NULL,
       "config line: the error names FILE:LINE and the reason (%s)", err);
    ok(cfg.mode != OT_MODE_MONITOR, "config line: nothing after the overlong line applies");
    ot_config_free(&cfg);

    ot_config_init(&cfg);
    err[0] = '\0';
    ok(load(&cfg, "trusted-at.conf", err, sizeof err),
       "TrustedRelays file line: %zu bytes load (%s)", longest, err);
    is_int(cfg.trusted.count, 1, "TrustedRelays file line: the address is read");
    ot_config_free(&cfg);

    /* a file with no line end at all: refused at the first OT_MAX_CONF_LINE
     * bytes, not read on for a newline (alarm: a hang fails the test) */
    write_file("zero.conf", "Include /dev/zero\n");
    write_file("zero-trusted.conf", "TrustedRelays /dev/zero\n");
    alarm(10);
    ot_config_init(&cfg);
    ok(!load(&cfg, "zero.conf", err, sizeof err) && strstr(err, "/dev/zero:1") != NULL,
       "config line: Include /dev/zero is an error, not a hang (%s)", err);
    ot_config_free(&cfg);
    ot_config_init(&cfg);
    ok(!load(&cfg, "zero-trusted.conf", err, sizeof err) && strstr(err, "/dev/zero:1") != NULL,
       "config line: TrustedRelays /dev/zero is an error, not a hang (%s)", err);
    ot_config_free(&cfg);
    alarm(0);

    ot_config_init(&cfg);
    ok(!load(&cfg, "trusted-past.conf", err, sizeof err),
       "TrustedRelays file line: %zu bytes are an error", longest + 1);
    ok(strstr(err, "trusted-past.txt:2") != NULL, "TrustedRelays file line: ...naming FILE:LINE (%s)", err);
    ot_config_free(&cfg);
}

static void test_include_depth(void)
{
    char name[64], content[128], err[512];
    ot_config cfg;

    /* inc0 includes inc1 ... incN; incN sets Mode. inc0 loaded as the
     * main file is depth 0, so incN is at depth N. */
    for (unsigned depth = OT_MAX_INCLUDE_DEPTH; depth <= OT_MAX_INCLUDE_DEPTH + 1; depth++) {
        for (unsigned i = 0; i <= depth; i++) {
            snprintf(name, sizeof name, "d%u-inc%u.conf", depth, i);
            if (i < depth)
                snprintf(content, sizeof content, "Include d%u-inc%u.conf\n", depth, i + 1);
            else
                snprintf(content, sizeof content, "Mode monitor\n");
            write_file(name, content);
        }
        snprintf(name, sizeof name, "d%u-inc0.conf", depth);
        ot_config_init(&cfg);
        err[0] = '\0';
        bool loaded = load(&cfg, name, err, sizeof err);
        if (depth == OT_MAX_INCLUDE_DEPTH) {
            ok(loaded, "Include depth: %u nested levels load (%s)", depth, err);
            ok(cfg.mode == OT_MODE_MONITOR, "Include depth: ...down to the deepest file");
        } else {
            ok(!loaded, "Include depth: %u nested levels are an error", depth);
            ok(strstr(err, "nested deeper") != NULL, "Include depth: ...saying so (%s)", err);
        }
        ot_config_free(&cfg);
    }
    write_file("self.conf", "Include self.conf\n");
    ot_config_init(&cfg);
    ok(!load(&cfg, "self.conf", err, sizeof err), "Include depth: a file including itself stops");
    ot_config_free(&cfg);
}

static void test_config_lists(void)
{
    ot_config cfg;
    char err[512];
    text list = { 0 };
    char entry[64];

    /* names per list */
    ot_config_init(&cfg);
    for (unsigned i = 0; i < OT_MAX_NAMES; i++) {
        snprintf(entry, sizeof entry, "%sh%u.example", i ? "," : "", i);
        text_str(&list, entry);
    }
    ok(ot_config_apply(&cfg, "LocalHostnames", list.p, err, sizeof err) == OT_CONF_OK,
       "names per list: %u entries are accepted", OT_MAX_NAMES);
    is_int(cfg.local_hostnames.count, OT_MAX_NAMES, "names per list: all are kept");
    ok(ot_config_apply(&cfg, "LocalHostnames", "one-more.example", err, sizeof err) == OT_CONF_BAD_VALUE,
       "names per list: entry %u is an error", OT_MAX_NAMES + 1);
    is_int(cfg.local_hostnames.count, OT_MAX_NAMES, "names per list: the list stays at its bound");
    ot_config_free(&cfg);
    text_free(&list);

    /* blocklist zones: each costs a lookup per message, so fewer */
    ot_config_init(&cfg);
    for (unsigned i = 0; i < OT_MAX_DNSBL_ZONES; i++) {
        snprintf(entry, sizeof entry, "bl%u.example", i);
        (void)ot_config_apply(&cfg, "DNSBLZones", entry, err, sizeof err);
    }
    is_int(cfg.dnsbl_zones.count, OT_MAX_DNSBL_ZONES, "DNSBLZones: %u zones are accepted", OT_MAX_DNSBL_ZONES);
    ok(ot_config_apply(&cfg, "DNSBLZones", "one-more.example", err, sizeof err) == OT_CONF_BAD_VALUE,
       "DNSBLZones: zone %u is an error", OT_MAX_DNSBL_ZONES + 1);
    ot_config_free(&cfg);
    text_free(&list);

    /* one name's length: OT_HOST_SIZE - 1 */
    ot_config_init(&cfg);
    char *name = repeat('n', OT_HOST_SIZE);
    name[OT_HOST_SIZE - 1] = '\0';
    ok(ot_config_apply(&cfg, "LocalHostnames", name, err, sizeof err) == OT_CONF_OK,
       "list entry: %u bytes are accepted", OT_HOST_SIZE - 1);
    name[OT_HOST_SIZE - 1] = 'n';
    ok(ot_config_apply(&cfg, "LocalHostnames", name, err, sizeof err) == OT_CONF_BAD_VALUE,
       "list entry: %u bytes are an error", OT_HOST_SIZE);
    free(name);
    ot_config_free(&cfg);

    /* TrustedRelays entries */
    ot_config_init(&cfg);
    for (unsigned i = 0; i < OT_MAX_TRUSTED; i++) {
        snprintf(entry, sizeof entry, "%s10.%u.%u.1", i ? "," : "", i / 256, i % 256);
        text_str(&list, entry);
    }
    ok(ot_config_add_trusted(&cfg, list.p, err, sizeof err), "TrustedRelays: %u entries are accepted",
       OT_MAX_TRUSTED);
    is_int(cfg.trusted.count, OT_MAX_TRUSTED, "TrustedRelays: all are kept");
    ok(!ot_config_add_trusted(&cfg, "192.0.2.1", err, sizeof err), "TrustedRelays: entry %u is an error",
       OT_MAX_TRUSTED + 1);
    is_int(cfg.trusted.count, OT_MAX_TRUSTED, "TrustedRelays: the list stays at its bound");
    ot_config_free(&cfg);
    text_free(&list);

    /* providers (config.h: OT_MAX_PROVIDERS) */
    ot_config_init(&cfg);
    unsigned added = 0;
    while (cfg.nproviders < OT_MAX_PROVIDERS) {
        snprintf(entry, sizeof entry, "p%u p%u.example", added, added);
        if (ot_config_apply(&cfg, "Provider", entry, err, sizeof err) != OT_CONF_OK)
            break;
        added++;
    }
    is_int(cfg.nproviders, OT_MAX_PROVIDERS, "Provider: up to %u providers", OT_MAX_PROVIDERS);
    ok(ot_config_apply(&cfg, "Provider", "extra extra.example", err, sizeof err) == OT_CONF_BAD_VALUE,
       "Provider: provider %u is an error", OT_MAX_PROVIDERS + 1);
    ot_config_free(&cfg);
}

/* only our own mkdtemp directory, never following links out of it */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR");

    test_header_bytes();
    test_fields();
    test_field_name();
    test_field_value();
    test_received_kept();
    test_received_scan();
    test_received_strings();
    test_session();
    test_address_text();
    test_signals_and_header();
    test_config_lists();

    snprintf(tmpdir, sizeof tmpdir, "%s/ot-test-limits.XXXXXX",
             base != NULL && base[0] == '/' ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        printf("Bail out! mkdtemp failed\n");
        return 1;
    }
    test_config_line();
    test_include_depth();
    if (nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        printf("# could not remove %s\n", tmpdir);
    return tap_done();
}
