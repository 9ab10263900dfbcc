/*
 * test_message.c - header storage and reader, SMTP session facts and the
 * initial evidence (one binary for the three small plain-data modules).
 */
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "message.h"
#include "session.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

/* Every stored field as "name=value|...", control bytes shown as \r \t \0. */
static const char *dump(const ot_message *m, char *out, size_t outsize)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < m->count && n + 8 < outsize; i++) {
        const ot_field *f = &m->fields[i];
        if (i > 0)
            out[n++] = '|';
        for (const char *p = f->name; *p && n + 8 < outsize; p++)
            out[n++] = *p;
        out[n++] = '=';
        for (size_t j = 0; j < f->value_len && n + 8 < outsize; j++) {
            char c = f->value[j];
            if (c == '\r' || c == '\t' || c == '\n') {
                out[n++] = '\\';
                out[n++] = c == '\r' ? 'r' : c == '\t' ? 't' : 'n';
            } else {
                out[n++] = c;
            }
        }
    }
    out[n] = '\0';
    return out;
}

/* ---- ot_message_add_field -------------------------------------------------------- */

typedef struct add_case {
    const char *label;
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
    int stored;
    const char *want;        /* dump() of the message afterwards */
    size_t nuls;
} add_case;

static const add_case add_cases[] = {
    { "plain", S("Subject"), S("hello"), 1, "Subject=hello", 0 },
    { "empty value", S("Subject"), S(""), 1, "Subject=", 0 },
    { "only white space", S("Subject"), S(" \t \r\n "), 1, "Subject=", 0 },
    { "leading white space", S("Subject"), S("   hello"), 1, "Subject=hello", 0 },
    { "trailing CRLF and blanks", S("Subject"), S("hello \t\r\n"), 1, "Subject=hello", 0 },
    { "fold CRLF SP", S("Subject"), S("a\r\n b"), 1, "Subject=a b", 0 },
    { "fold LF TAB", S("Subject"), S("a\n\tb"), 1, "Subject=a\\tb", 0 },
    { "fold keeps all white space", S("Subject"), S("a\r\n  \tb"), 1, "Subject=a  \\tb", 0 },
    { "many folds", S("Received"), S("from a\r\n\tby b\r\n\twith SMTP; Thu, 22 Aug 2002 13:17:22 +0000"), 1,
      "Received=from a\\tby b\\twith SMTP; Thu, 22 Aug 2002 13:17:22 +0000", 0 },
    { "leading fold", S("Subject"), S("\r\n hello"), 1, "Subject=hello", 0 },
    { "bare LF inside becomes space", S("Subject"), S("a\nb"), 1, "Subject=a b", 0 },
    { "bare CRLF inside becomes space", S("Subject"), S("a\r\nb"), 1, "Subject=a b", 0 },
    { "lone CR kept", S("Subject"), S("a\rb"), 1, "Subject=a\\rb", 0 },
    { "NUL to space", S("Subject"), S("a\0b"), 1, "Subject=a b", 1 },
    { "many NULs", S("Subject"), S("\0a\0\0b"), 1, "Subject=a  b", 3 },
    { "NUL then blanks at the start", S("Subject"), S("\0 \0 a"), 1, "Subject=a", 2 },
    { "only NULs", S("Subject"), S("\0\0"), 1, "Subject=", 2 },
    { "trailing NUL trimmed, counted", S("Subject"), S("a\0"), 1, "Subject=a", 1 },
    { "8-bit kept as is", S("Subject"), S("caf\xc3\xa9"), 1, "Subject=caf\xc3\xa9", 0 },
    { "name trailing blank (obsolete)", S("Subject \t"), S("x"), 1, "Subject=x", 0 },
    { "empty name", S(""), S("x"), 0, "", 0 },
    { "blank name", S("  "), S("x"), 0, "", 0 },
    { "space inside name", S("Sub ject"), S("x"), 0, "", 0 },
    { "colon in name", S("Sub:ject"), S("x"), 0, "", 0 },
    { "NUL in name", S("Sub\0ject"), S("x"), 0, "", 0 },
    { "8-bit in name", S("Subj\xe9"), S("x"), 0, "", 0 },
    { "CR in name", S("Subject\rX"), S("x"), 0, "", 0 },
    { "NULL name", NULL, 4, S("x"), 0, "", 0 },
    { "NULL value", S("Subject"), NULL, 4, 1, "Subject=", 0 },
};

static void test_add_cases(void)
{
    char got[512];
    for (size_t i = 0; i < sizeof add_cases / sizeof add_cases[0]; i++) {
        const add_case *c = &add_cases[i];
        ot_message m;
        ot_message_init(&m);
        bool stored = ot_message_add_field(&m, c->name, c->name_len, c->value, c->value_len);
        is_int(stored, c->stored, "add %s: stored", c->label);
        is_str(dump(&m, got, sizeof got), c->want, "add %s: content", c->label);
        is_int(m.dropped, c->stored ? 0 : 1, "add %s: dropped", c->label);
        is_int(m.nul_bytes, c->nuls, "add %s: NULs counted", c->label);
        if (stored)
            is_int(m.fields[0].value_len, strlen(m.fields[0].value), "add %s: value_len", c->label);
        ot_message_free(&m);
    }
}

static void test_add_limits(void)
{
    ot_message m;
    char name[OT_MAX_FIELD_NAME + 2];
    char *value = malloc(OT_MAX_FIELD_VALUE + 2);

    ot_message_init(&m);
    memset(name, 'N', sizeof name);
    ok(ot_message_add_field(&m, name, OT_MAX_FIELD_NAME, S("x")), "name of OT_MAX_FIELD_NAME kept");
    ok(!ot_message_add_field(&m, name, OT_MAX_FIELD_NAME + 1, S("x")), "name one longer dropped");
    is_int(m.dropped, 1, "long name counted as dropped");

    memset(value, 'v', OT_MAX_FIELD_VALUE + 2);
    ok(ot_message_add_field(&m, S("X-Exact"), value, OT_MAX_FIELD_VALUE), "value of the bound kept");
    ok(!m.value_truncated, "value of the bound not truncated");
    is_int(ot_message_find(&m, "X-Exact", 0)->value_len, OT_MAX_FIELD_VALUE, "value of the bound whole");
    ok(ot_message_add_field(&m, S("X-Over"), value, OT_MAX_FIELD_VALUE + 1), "value one longer kept");
    ok(m.value_truncated, "value one longer truncated");
    is_int(ot_message_find(&m, "X-Over", 0)->value_len, OT_MAX_FIELD_VALUE, "value cut at the bound");

    /* folding does not count toward the bound: it is removed first */
    ot_message_reset(&m);
    for (size_t i = 0; i < OT_MAX_FIELD_VALUE + 2; i += 4)
        memcpy(value + i, "a\n b", (OT_MAX_FIELD_VALUE + 2 - i) < 4 ? OT_MAX_FIELD_VALUE + 2 - i : 4);
    ok(ot_message_add_field(&m, S("X-Folded"), value, OT_MAX_FIELD_VALUE), "folded 64 KB value kept");
    is_int(ot_message_find(&m, "X-Folded", 0)->value_len, OT_MAX_FIELD_VALUE / 4 * 3,
           "folded value: the line breaks are gone");
    ok(!m.value_truncated, "folded value within the bound");
    free(value);
    ot_message_free(&m);
}

static void test_field_count_limit(void)
{
    ot_message m;
    ot_message_init(&m);
    size_t stored = 0;
    for (size_t i = 0; i < OT_MAX_FIELDS + 10; i++)
        stored += ot_message_add_field(&m, S("Received"), S("from x by y")) ? 1 : 0;
    is_int(stored, OT_MAX_FIELDS, "OT_MAX_FIELDS fields stored");
    is_int(m.count, OT_MAX_FIELDS, "count stops at the bound");
    is_int(m.dropped, 10, "fields past the bound dropped");
    is_int(m.received_total, OT_MAX_FIELDS + 10, "every Received counted");
    ok(!ot_message_add_field(&m, S("received"), S("x")), "lower-case Received dropped too");
    ok(!ot_message_add_field(&m, S("RECEIVED "), S("x")), "upper-case Received with blank dropped");
    ok(!ot_message_add_field(&m, S("Rec eived"), S("x")), "broken name dropped");
    is_int(m.received_total, OT_MAX_FIELDS + 12, "Received counted whatever the case");
    ot_message_free(&m);
}

static void test_byte_limit_and_growth(void)
{
    ot_message m;
    char *value = malloc(OT_MAX_FIELD_VALUE);
    memset(value, 'p', OT_MAX_FIELD_VALUE);
    ot_message_init(&m);

    ok(ot_message_add_field(&m, S("Date"), S("Thu, 22 Aug 2002 13:17:22 +0000")), "first field");
    const ot_field *first = &m.fields[0];
    const char *first_buf = m.buf;
    size_t kept = 0;
    for (int i = 0; i < 40; i++)
        kept += ot_message_add_field(&m, S("X-Pad"), value, OT_MAX_FIELD_VALUE) ? 1 : 0;
    ok(m.buf != first_buf, "the buffer moved while growing");
    is_str(first->name, "Date", "first name still valid after growth");
    is_str(first->value, "Thu, 22 Aug 2002 13:17:22 +0000", "first value still valid after growth");
    ok(first->name >= m.buf && first->name < m.buf + m.len, "name points into the current buffer");
    ok(m.len <= OT_MAX_HEADER_BYTES, "stored bytes within OT_MAX_HEADER_BYTES");
    ok(m.cap <= OT_MAX_HEADER_BYTES, "capacity within OT_MAX_HEADER_BYTES");
    ok(kept < 40 && kept >= 14, "padding stored until full (%zu kept)", kept);
    is_int(m.dropped, 40 - kept, "padding past the bound dropped");
    ok(ot_message_add_field(&m, S("Message-ID"), S("<a@b>")), "a small field after the padding still fits");
    is_str(ot_message_find(&m, "message-id", 0)->value, "<a@b>", "and is found");

    /* every stored field intact */
    int bad = 0;
    for (size_t i = 1; i + 1 < m.count; i++)
        if (m.fields[i].value_len != OT_MAX_FIELD_VALUE || m.fields[i].value[0] != 'p' ||
            m.fields[i].value[OT_MAX_FIELD_VALUE - 1] != 'p' || m.fields[i].value[OT_MAX_FIELD_VALUE] != '\0')
            bad++;
    is_int(bad, 0, "every padding field intact");

    /* reset keeps the buffers */
    char *buf = m.buf;
    size_t cap = m.cap;
    ot_message_reset(&m);
    is_int(m.count, 0, "reset: no fields");
    is_int(m.len, 0, "reset: no bytes");
    is_int(m.dropped + m.received_total + m.nul_bytes, 0, "reset: counters cleared");
    ok(m.buf == buf && m.cap == cap, "reset keeps the buffer");
    ok(ot_message_add_field(&m, S("Subject"), S("again")), "usable after reset");
    is_str(ot_message_find(&m, "Subject", 0)->value, "again", "value after reset");
    ot_message_free(&m);
    ok(m.buf == NULL && m.fields == NULL && m.count == 0, "free leaves an empty message");
    ot_message_free(&m);
    ok(1, "free twice is harmless");
    free(value);
}

/* ---- ot_message_read_header ------------------------------------------------------ */

typedef struct read_case {
    const char *label;
    const char *data;
    size_t len;
    size_t body;
    const char *want;
    size_t dropped;
} read_case;

static const read_case read_cases[] = {
    { "LF", S("Subject: hi\nFrom: a@b\n\nbody\n"), 23, "Subject=hi|From=a@b", 0 },
    { "CRLF", S("Subject: hi\r\nFrom: a@b\r\n\r\nbody\r\n"), 26, "Subject=hi|From=a@b", 0 },
    { "mixed line ends", S("Subject: hi\r\nFrom: a@b\n\r\nbody"), 25, "Subject=hi|From=a@b", 0 },
    { "mbox From line", S("From a@b Thu Aug 22 13:17:22 2002\nSubject: hi\n\nx"), 47, "Subject=hi", 0 },
    { "From line not first is no field", S("Subject: hi\nFrom a@b Thu\n\nx"), 26, "Subject=hi", 0 },
    { "no final newline", S("Subject: hi\nX: y"), 16, "Subject=hi|X=y", 0 },
    { "no body", S("Subject: hi\n"), 12, "Subject=hi", 0 },
    { "empty data", S(""), 0, "", 0 },
    { "only a blank line", S("\nbody"), 1, "", 0 },
    { "only CRLF", S("\r\nbody"), 2, "", 0 },
    { "no space after colon", S("Subject:hi\n\n"), 12, "Subject=hi", 0 },
    { "empty value", S("Subject:\n\n"), 10, "Subject=", 0 },
    { "blank before colon", S("Subject : hi\n\n"), 14, "Subject=hi", 0 },
    { "folded Received", S("Received: from a (a [192.0.2.1])\n\tby b with SMTP id 1;\n\tThu, 22 Aug 2002 13:17:22 +0000\n\n"),
      89, "Received=from a (a [192.0.2.1])\\tby b with SMTP id 1;\\tThu, 22 Aug 2002 13:17:22 +0000", 0 },
    { "folded with CRLF", S("Subject: a\r\n b\r\n\r\n"), 18, "Subject=a b", 0 },
    { "blank continuation line", S("A: 1\n \nB: 2\n\n"), 13, "A=1|B=2", 0 },
    { "line without colon skipped", S("garbage line\nSubject: hi\n\n"), 26, "Subject=hi", 0 },
    { "continuation after skipped line ignored", S("garbage\n more\nSubject: hi\n\n"), 27, "Subject=hi", 0 },
    { "leading continuation ignored", S(" stray\nSubject: hi\n\n"), 20, "Subject=hi", 0 },
    { "first line body-like", S("Hello there, this is body\nand more\n"), 35, "", 0 },
    { "invalid name dropped", S("Sub ject: x\nA: 1\n\n"), 18, "A=1", 1 },
    { "CR only: one long line", S("Subject: a\rFrom: b\r\rbody"), 24, "Subject=a\\rFrom: b\\r\\rbody", 0 },
    { "NUL in value", S("Subject: a\0b\n\n"), 14, "Subject=a b", 0 },
    { "NUL in name", S("Sub\0ject: a\nA: 1\n\n"), 18, "A=1", 1 },
    { "NUL on a line of its own", S("A: 1\n\0\nB: 2\n\n"), 13, "A=1|B=2", 0 },
    { "colon in value", S("Date: Thu, 22 Aug 2002 13:17:22 +0000\n\n"), 39, "Date=Thu, 22 Aug 2002 13:17:22 +0000", 0 },
    { "body starts at the first blank line", S("A: 1\n\nB: 2\n\n"), 6, "A=1", 0 },
    { "8-bit value", S("Subject: \xff\xfe\n\n"), 13, "Subject=\xff\xfe", 0 },
    { "mbox line only", S("From a@b Thu Aug 22 13:17:22 2002"), 33, "", 0 },
    { "mbox line then blank", S("From x\n\nbody"), 8, "", 0 },
};

static void test_read_cases(void)
{
    char got[512];
    for (size_t i = 0; i < sizeof read_cases / sizeof read_cases[0]; i++) {
        const read_case *c = &read_cases[i];
        ot_message m;
        ot_message_init(&m);
        size_t body = ot_message_read_header(&m, c->data, c->len);
        is_int(body, c->body, "read %s: body offset", c->label);
        is_str(dump(&m, got, sizeof got), c->want, "read %s: fields", c->label);
        is_int(m.dropped, c->dropped, "read %s: dropped", c->label);
        ot_message_free(&m);
    }
}

/* The reader never looks past len: cut a message at every length. */
static void test_read_every_cut(void)
{
    static const char msg[] = "From x\nReceived: from a\n\tby b; Thu, 22 Aug 2002 13:17:22 +0000\r\n"
                              "Subject: s\n\nbody";
    int bad = 0;
    for (size_t len = 0; len <= sizeof msg - 1; len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, msg, len);
        ot_message m;
        ot_message_init(&m);
        size_t body = ot_message_read_header(&m, copy, len);
        if (body > len)
            bad++;
        for (size_t f = 0; f < m.count; f++)
            if (m.fields[f].value_len != strlen(m.fields[f].value))
                bad++;
        ot_message_free(&m);
        free(copy);
    }
    is_int(bad, 0, "every cut of a message reads within its length");
}

static void test_read_hostile(void)
{
    ot_message m;
    ot_message_init(&m);

    /* 100,000 Received lines */
    const char line[] = "Received: from h by mx; Thu, 22 Aug 2002 13:17:22 +0000\n";
    size_t line_len = sizeof line - 1, lines = 100000;
    size_t len = line_len * lines + 6;
    char *data = malloc(len);
    for (size_t i = 0; i < lines; i++)
        memcpy(data + i * line_len, line, line_len);
    memcpy(data + line_len * lines, "\nbody", 5);
    size_t body = ot_message_read_header(&m, data, len - 1);
    is_int(body, line_len * lines + 1, "100,000 lines: body found");
    is_int(m.received_total, lines, "100,000 lines: all Received counted");
    is_int(m.count, OT_MAX_FIELDS, "100,000 lines: OT_MAX_FIELDS kept");
    is_int(m.dropped, lines - OT_MAX_FIELDS, "100,000 lines: the rest dropped");
    is_int(ot_message_count(&m, "received"), OT_MAX_FIELDS, "count() sees the kept ones");
    free(data);

    /* a 10 MB header of long lines stays within the bound */
    ot_message_reset(&m);
    size_t big = 10u * 1024u * 1024u;
    data = malloc(big + 8);
    size_t at = 0;
    while (at + 1000 < big) {
        memcpy(data + at, "X-Pad: ", 7);
        memset(data + at + 7, 'x', 992);
        data[at + 999] = '\n';
        at += 1000;
    }
    memcpy(data + at, "\nbody", 5);
    body = ot_message_read_header(&m, data, at + 5);
    is_int(body, at + 1, "10 MB header: body found");
    ok(m.len <= OT_MAX_HEADER_BYTES && m.cap <= OT_MAX_HEADER_BYTES, "10 MB header: within OT_MAX_HEADER_BYTES");
    ok(m.dropped > 0, "10 MB header: fields past the bound dropped");
    is_int(m.count + m.dropped, at / 1000, "10 MB header: every field stored or dropped");

    /* one 10 MB field folded over and over: cut at the value bound */
    ot_message_reset(&m);
    memcpy(data, "Subject: ", 9);
    for (at = 9; at + 4 < big; at += 4)
        memcpy(data + at, "a\r\n ", 4);
    memcpy(data + at, "\n\n", 2);
    body = ot_message_read_header(&m, data, at + 2);
    is_int(body, at + 2, "10 MB folded field: body found");
    is_int(m.count, 1, "10 MB folded field: one field");
    ok(m.value_truncated, "10 MB folded field: truncated");
    /* the cut lands on a folding blank, which is then trimmed */
    is_int(m.fields[0].value_len, OT_MAX_FIELD_VALUE - 1, "10 MB folded field: cut at OT_MAX_FIELD_VALUE");

    /* 10 MB of NULs: no field, no crash */
    ot_message_reset(&m);
    memset(data, 0, big);
    body = ot_message_read_header(&m, data, big);
    is_int(body, big, "10 MB of NULs: no body start");
    is_int(m.count, 0, "10 MB of NULs: no field");

    /* 10 MB of bare CRs: one line, no colon */
    ot_message_reset(&m);
    memset(data, '\r', big);
    body = ot_message_read_header(&m, data, big);
    is_int(m.count, 0, "10 MB of CRs: no field");
    free(data);
    ot_message_free(&m);
}

static void test_find(void)
{
    ot_message m;
    ot_message_init(&m);
    ot_message_read_header(&m, S("Received: one\nSubject: s\nreceived: two\nRECEIVED: three\n\n"));
    is_int(ot_message_count(&m, "Received"), 3, "count is case-insensitive");
    is_int(ot_message_count(&m, "subject"), 1, "count of one");
    is_int(ot_message_count(&m, "Date"), 0, "count of none");
    is_int(ot_message_count(&m, "Receive"), 0, "prefix is not a match");
    is_str(ot_message_find(&m, "received", 0)->value, "one", "find index 0 is the topmost");
    is_str(ot_message_find(&m, "Received", 1)->value, "two", "find index 1");
    is_str(ot_message_find(&m, "ReCeIvEd", 2)->value, "three", "find index 2");
    ok(ot_message_find(&m, "Received", 3) == NULL, "find past the last");
    ok(ot_message_find(&m, "Receivedx", 0) == NULL, "longer name no match");
    ok(ot_message_find(&m, "", 0) == NULL, "empty name no match");
    ok(ot_message_find(NULL, "Received", 0) == NULL, "NULL message");
    ok(ot_message_find(&m, NULL, 0) == NULL, "NULL name");
    is_int(ot_message_count(NULL, "x"), 0, "count NULL message");
    is_int(m.received_total, 3, "received_total");
    ot_message_free(&m);
}

/* ---- session ---------------------------------------------------------------------- */

typedef struct path_case {
    const char *src;
    size_t len;
    const char *want;
} path_case;

static const path_case path_cases[] = {
    { S("<a@b.example>"), "a@b.example" },
    { S("<a@b.example> SIZE=123 BODY=8BITMIME"), "a@b.example" },
    { S("  <a@b.example>  "), "a@b.example" },
    { S("<>"), "" },
    { S("<> SIZE=10"), "" },
    { S("a@b.example"), "a@b.example" },
    { S("a@b.example SIZE=1"), "a@b.example" },
    { S("< a@b.example >"), "a@b.example" },
    { S("<a@b.example"), "a@b.example" },
    { S("<a@b.example SIZE=1"), "a@b.example" },
    { S("<@relay.example,@r2.example:a@b.example>"), "a@b.example" },
    { S("<\"odd>name\"@b.example>"), "\"odd>name\"@b.example" },
    { S("<\"a\\\"b\"@b.example>"), "\"a\\\"b\"@b.example" },
    { S("<a@b\0c>"), "a@b" },
    { S(""), "" },
    { S("   "), "" },
    { S("<"), "" },
    { S(">"), ">" },
};

static void test_path_strip(void)
{
    char dst[OT_ADDR_SIZE];
    for (size_t i = 0; i < sizeof path_cases / sizeof path_cases[0]; i++) {
        const path_case *c = &path_cases[i];
        size_t n = ot_smtp_path_strip(dst, sizeof dst, c->src, c->len);
        is_str(dst, c->want, "path case %zu: stripped", i);
        is_int(n, strlen(c->want), "path case %zu: length", i);
    }
    char small[4];
    is_int(ot_smtp_path_strip(small, sizeof small, S("<abcdef>")), 3, "path cut at dstsize");
    is_str(small, "abc", "path cut text");
    is_int(ot_smtp_path_strip(small, 0, S("<a>")), 0, "path dstsize 0");
    is_int(ot_smtp_path_strip(small, sizeof small, NULL, 5), 0, "path NULL source");
}

static void test_session(void)
{
    ot_session *s = malloc(sizeof *s);
    memset(s, 0xAA, sizeof *s);
    ot_session_init(s);
    ok(!s->present && !s->helo_seen && !s->mail_from_seen && !s->client_rdns_known, "init: nothing seen");
    is_int(s->client_resolve, OT_RESOLVE_UNKNOWN, "init: resolve unknown");
    is_int(s->client_addr.family, 0, "init: no address");
    is_int(s->nrcpt + s->rcpt_total, 0, "init: no recipients");
    is_str(s->helo, "", "init: empty HELO");

    ot_session_set_helo(s, S("mx.example.org"));
    ok(s->helo_seen, "HELO seen");
    is_str(s->helo, "mx.example.org", "HELO copied");
    is_int(s->helo_len, 14, "HELO length");
    ok(!s->helo_overlong, "HELO not overlong");

    ot_session_set_helo(s, S("a\0b"));
    is_int(s->helo_len, 3, "HELO with NUL keeps its length");
    ok(memcmp(s->helo, "a\0b", 4) == 0, "HELO with NUL keeps raw bytes");

    char long_helo[OT_HOST_SIZE + 1];
    memset(long_helo, 'h', sizeof long_helo);
    ot_session_set_helo(s, long_helo, OT_HOST_SIZE - 1);
    is_int(s->helo_len, OT_HOST_SIZE - 1, "HELO at the bound kept whole");
    ok(!s->helo_overlong, "HELO at the bound not overlong");
    ot_session_set_helo(s, long_helo, OT_HOST_SIZE);
    is_int(s->helo_len, OT_HOST_SIZE - 1, "HELO one past the bound cut");
    ok(s->helo_overlong, "HELO one past the bound overlong");
    is_int(s->helo[OT_HOST_SIZE - 1], '\0', "cut HELO terminated");
    ot_session_set_helo(s, long_helo, 100000);
    ok(s->helo_overlong && s->helo_len == OT_HOST_SIZE - 1, "huge HELO cut");
    ot_session_set_helo(s, NULL, 10);
    ok(s->helo_seen && s->helo_len == 0, "NULL HELO is an empty HELO");

    ot_session_set_rdns(s, S("mail.example.org"));
    ok(s->client_rdns_known, "rdns known");
    is_str(s->client_rdns, "mail.example.org", "rdns copied");
    ot_session_set_rdns(s, S("[192.0.2.1]"));
    ok(s->client_rdns_known, "bracketed rdns known");
    is_str(s->client_rdns, "", "bracketed rdns means no name");
    ot_session_set_rdns(s, S(""));
    is_str(s->client_rdns, "", "empty rdns");
    ot_session_set_rdns(s, long_helo, sizeof long_helo);
    is_int(strlen(s->client_rdns), OT_HOST_SIZE - 1, "long rdns cut at the field");

    ot_session_set_mail_from(s, S("<bounce@example.org> SIZE=100"));
    ok(s->mail_from_seen, "MAIL FROM seen");
    is_str(s->mail_from, "bounce@example.org", "MAIL FROM stripped");
    ot_session_set_mail_from(s, S("<>"));
    is_str(s->mail_from, "", "null sender");
    ok(s->mail_from_seen, "null sender still seen");

    for (size_t i = 0; i < OT_MAX_RCPT; i++)
        ot_session_add_rcpt(s, S("<rcpt@example.org>"));
    is_int(s->nrcpt, OT_MAX_RCPT, "recipients up to the bound kept");
    is_int(s->rcpt_total, OT_MAX_RCPT, "recipients counted");
    ot_session_add_rcpt(s, S("<one.more@example.org>"));
    is_int(s->nrcpt, OT_MAX_RCPT, "recipient past the bound not kept");
    is_int(s->rcpt_total, OT_MAX_RCPT + 1, "recipient past the bound counted");
    for (int i = 0; i < 1000; i++)
        ot_session_add_rcpt(s, S("<x@y>"));
    is_int(s->rcpt_total, OT_MAX_RCPT + 1001, "many recipients counted");
    is_str(s->rcpt[OT_MAX_RCPT - 1], "rcpt@example.org", "last kept recipient intact");
    ok(!s->present, "setters leave present alone");
    free(s);
}

static void test_evidence(void)
{
    ot_evidence e;
    memset(&e, 0x5A, sizeof e);
    ot_evidence_init(&e);
    ok(e.ptr_exists == OT_EV_UNKNOWN && e.fcrdns == OT_EV_UNKNOWN &&
       e.helo_resolves == OT_EV_UNKNOWN && e.helo_matches == OT_EV_UNKNOWN, "evidence: every fact unknown");
    is_int(e.spf, OT_SPF_NONE_CHECKED, "evidence: SPF not checked");
    is_int(e.ndnsbl, 0, "evidence: no DNSBL hits");
    is_int(e.ndkim, 0, "evidence: no DKIM results");
    is_str(e.incomplete, "", "evidence: nothing incomplete");
    is_str(e.ptr_name, "", "evidence: no PTR name");
    is_str(e.spf_domain, "", "evidence: no SPF domain");
}

int main(void)
{
    test_add_cases();
    test_add_limits();
    test_field_count_limit();
    test_byte_limit_and_growth();
    test_read_cases();
    test_read_every_cut();
    test_read_hostile();
    test_find();
    test_path_strip();
    test_session();
    test_evidence();
    return tap_done();
}
