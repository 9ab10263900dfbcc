/*
 * test_received.c - the Received parser against fixture files and hostile
 * input.
 *
 * Fixtures live in tests/fixtures/received/<writer>.txt (found through the
 * top_srcdir environment variable the harness exports). A file holds cases:
 *
 *     == title
 *     from helo (rdns [192.0.2.1])
 *      by mx.example.net ...; Thu, 22 Aug 2002 13:17:21 +0100
 *     --
 *     parsed=yes
 *     from_helo=helo
 *     from_ip=192.0.2.1
 *     flags=HAS_FROM TLS
 *
 * The lines between "==" and "--" are the field value as it stands in a
 * message: continuation lines start with white space and are unfolded the
 * RFC 5322 way (the line break goes, the white space stays). Each
 * expectation is key=value; a field that is not named must come back
 * empty (flags: none, date: no date), so every case checks every field.
 * Lines starting with '#' and blank lines between cases are ignored.
 *
 * Every case also checks the parser's promise that from_ip is literally
 * in the line: some address-shaped run of the text must parse to it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "received.h"
#include "tap.h"

#define CASE_VALUE_MAX  16384u
#define CASE_EXPECT_MAX 32u
#define MAX_FIXTURE_FILES 64u

typedef struct fixture_case {
    char title[256];
    char file[128];
    int line;
    char value[CASE_VALUE_MAX];
    size_t value_len;
    char keys[CASE_EXPECT_MAX][32];
    char values[CASE_EXPECT_MAX][512];
    size_t nexpect;
} fixture_case;

static const struct flag_name {
    const char *name;
    unsigned bit;
} flag_names[] = {
    { "HAS_FROM", OT_HOP_HAS_FROM },
    { "LOCAL", OT_HOP_LOCAL },
    { "MAY_BE_FORGED", OT_HOP_MAY_BE_FORGED },
    { "AUTH", OT_HOP_AUTH },
    { "TLS", OT_HOP_TLS },
    { "HTTP", OT_HOP_HTTP },
    { "INTERNAL", OT_HOP_INTERNAL },
    { "FETCH", OT_HOP_FETCH },
    { "IP_FROM_HELO", OT_HOP_IP_FROM_HELO },
};

/* Bounded copy of a NUL-terminated string (no truncation warnings). */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *expected(const fixture_case *c, const char *key)
{
    for (size_t i = 0; i < c->nexpect; i++)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return NULL;
}

static unsigned parse_flag_list(const char *text, bool *bad)
{
    unsigned flags = 0;
    char word[64];
    size_t n = 0;
    for (const char *p = text;; p++) {
        if (*p == '\0' || *p == ' ' || *p == ',' || *p == '|') {
            if (n > 0) {
                bool known = false;
                word[n] = '\0';
                for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
                    if (strcmp(word, flag_names[i].name) == 0) {
                        flags |= flag_names[i].bit;
                        known = true;
                    }
                if (!known)
                    *bad = true;
                n = 0;
            }
            if (*p == '\0')
                break;
        } else if (n + 1 < sizeof word) {
            word[n++] = *p;
        }
    }
    return flags;
}

static void flag_list_text(unsigned flags, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (flags & flag_names[i].bit) {
            if (out[0] != '\0')
                strncat(out, " ", size - strlen(out) - 1);
            strncat(out, flag_names[i].name, size - strlen(out) - 1);
        }
}

/* Is there a run of address characters in text that parses to addr? */
static bool address_in_text(const char *text, size_t len, const ot_addr *addr)
{
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && (strchr("0123456789abcdefABCDEF:.", text[j]) != NULL) && text[j] != '\0')
            j++;
        if (j == i) {
            i++;
            continue;
        }
        /* try every sub-run ending at j or at a '.', trimmed of edge dots */
        for (size_t s = i; s < j; s++) {
            for (size_t e = j; e > s; e--) {
                ot_addr got;
                if (e - s <= 45 && ot_addr_parse(text + s, e - s, &got) && ot_addr_equal(&got, addr))
                    return true;
            }
        }
        i = j;
    }
    return false;
}

static void check_case(const fixture_case *c)
{
    ot_hop hop;
    bool got = ot_received_parse(c->value, c->value_len, &hop);
    const char *want;
    char where[420];

    snprintf(where, sizeof where, "%s:%d %s", c->file, c->line, c->title);

    want = expected(c, "parsed");
    is_int(got, want != NULL && strcmp(want, "yes") == 0, "%s: parsed", where);
    is_int(hop.parsed, got, "%s: parsed field agrees with return", where);

    static const struct {
        const char *key;
        size_t offset;
    } fields[] = {
        { "from_helo", offsetof(ot_hop, from_helo) },
        { "from_rdns", offsetof(ot_hop, from_rdns) },
        { "from_ip", offsetof(ot_hop, from_ip) },
        { "ident", offsetof(ot_hop, from_ident) },
        { "by", offsetof(ot_hop, by) },
        { "via", offsetof(ot_hop, via) },
        { "with", offsetof(ot_hop, with) },
        { "id", offsetof(ot_hop, id) },
        { "for", offsetof(ot_hop, for_) },
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        want = expected(c, fields[i].key);
        is_str((const char *)&hop + fields[i].offset, want != NULL ? want : "", "%s: %s", where,
               fields[i].key);
    }

    char iso[32] = "";
    if (hop.has_date)
        ot_date_format_iso(hop.date.epoch, iso, sizeof iso);
    want = expected(c, "date");
    is_str(iso, want != NULL ? want : "", "%s: date", where);

    bool bad = false;
    char got_flags[200], want_flags[200];
    want = expected(c, "flags");
    unsigned want_bits = want != NULL ? parse_flag_list(want, &bad) : 0;
    ok(!bad, "%s: flag names in the fixture are known", where);
    flag_list_text(hop.flags, got_flags, sizeof got_flags);
    flag_list_text(want_bits, want_flags, sizeof want_flags);
    is_str(got_flags, want_flags, "%s: flags", where);

    /* the invariant: a reported address is literally in the line */
    if (hop.from_ip[0] != '\0')
        ok(hop.from_addr.family != 0 && address_in_text(c->value, c->value_len, &hop.from_addr),
           "%s: from_ip %s is present in the line", where, hop.from_ip);
    else
        ok(hop.from_addr.family == 0, "%s: no address without from_ip", where);

    /* nothing the parser copies may break a header or log line */
    const char *strings[] = { hop.from_helo, hop.from_rdns, hop.from_ip, hop.from_ident,
                              hop.by, hop.via, hop.with, hop.id, hop.for_ };
    bool clean = true;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        for (const char *p = strings[i]; *p != '\0'; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                clean = false;
    ok(clean, "%s: extracted strings hold no control bytes", where);
}

static size_t run_file(const char *path, const char *name)
{
    FILE *fp = fopen(path, "r");
    char line[CASE_VALUE_MAX];
    fixture_case *c = calloc(1, sizeof *c);
    enum { OUTSIDE, VALUE, EXPECT } state = OUTSIDE;
    int lineno = 0;
    size_t cases = 0;

    if (fp == NULL || c == NULL) {
        ok(0, "open fixture %s", path);
        if (fp != NULL)
            fclose(fp);
        free(c);
        return 0;
    }
    while (fgets(line, sizeof line, fp) != NULL) {
        size_t len = strlen(line);
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (strncmp(line, "== ", 3) == 0) {
            if (state == EXPECT) {
                check_case(c);
                cases++;
            }
            memset(c, 0, sizeof *c);
            copy_text(c->title, sizeof c->title, line + 3);
            copy_text(c->file, sizeof c->file, name);
            c->line = lineno;
            state = VALUE;
            continue;
        }
        if (state == VALUE) {
            if (strcmp(line, "--") == 0) {
                state = EXPECT;
                continue;
            }
            /* unfolding: the line break goes, the leading white space stays */
            if (c->value_len + len < sizeof c->value) {
                memcpy(c->value + c->value_len, line, len);
                c->value_len += len;
            }
            continue;
        }
        if (state == EXPECT && len > 0 && line[0] != '#') {
            char *eq = strchr(line, '=');
            if (eq == NULL || c->nexpect == CASE_EXPECT_MAX) {
                ok(0, "%s:%d: bad expectation line", name, lineno);
                continue;
            }
            *eq = '\0';
            copy_text(c->keys[c->nexpect], sizeof c->keys[0], line);
            copy_text(c->values[c->nexpect], sizeof c->values[0], eq + 1);
            c->nexpect++;
        }
    }
    if (state == EXPECT) {
        check_case(c);
        cases++;
    }
    fclose(fp);
    free(c);
    return cases;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_fixtures(void)
{
    const char *top = getenv("top_srcdir");
    char dirpath[1024];
    char *names[MAX_FIXTURE_FILES];
    size_t nnames = 0, total = 0;

    snprintf(dirpath, sizeof dirpath, "%s/tests/fixtures/received", top != NULL ? top : ".");
    DIR *dir = opendir(dirpath);
    ok(dir != NULL, "fixture directory %s", dirpath);
    if (dir == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && nnames < MAX_FIXTURE_FILES) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".txt") == 0)
            names[nnames++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, nnames, sizeof names[0], compare_strings);
    for (size_t i = 0; i < nnames; i++) {
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dirpath, names[i]);
        size_t n = run_file(path, names[i]);
        ok(n > 0, "%s holds cases (%zu)", names[i], n);
        total += n;
        free(names[i]);
    }
    ok(total >= 100, "at least 100 fixture cases (%zu)", total);
}

/* ---- hostile input, built in code ---------------------------------------- */

static void test_hostile(void)
{
    ot_hop hop;
    static char big[64 * 1024];
    size_t n;

    /* unbalanced parentheses */
    const char *unbalanced[] = {
        "from a.example (b.example [192.0.2.1] by c.example; Thu, 22 Aug 2002 13:17:21 +0100",
        "from a.example (b.example [192.0.2.1])) by c.example; Thu, 22 Aug 2002 13:17:21 +0100",
        "from a.example b.example [192.0.2.1]) by c.example with SMTP",
        "(((",
        ")",
    };
    for (size_t i = 0; i < sizeof unbalanced / sizeof unbalanced[0]; i++) {
        ok(!ot_received_parse(unbalanced[i], strlen(unbalanced[i]), &hop) && !hop.parsed &&
               hop.from_ip[0] == '\0' && hop.from_helo[0] == '\0' && hop.by[0] == '\0' &&
               hop.flags == 0,
           "unbalanced %zu: unparsed and empty", i);
    }

    /* deep nesting: 1,000 levels, balanced */
    n = 0;
    n += (size_t)snprintf(big + n, sizeof big - n, "from a.example ");
    for (int i = 0; i < 1000; i++)
        big[n++] = '(';
    n += (size_t)snprintf(big + n, sizeof big - n, "b.example [192.0.2.1]");
    for (int i = 0; i < 1000; i++)
        big[n++] = ')';
    n += (size_t)snprintf(big + n, sizeof big - n, " by c.example with SMTP; Thu, 22 Aug 2002 13:17:21 +0100");
    ok(!ot_received_parse(big, n, &hop) && hop.from_ip[0] == '\0', "1,000 nested comments refused");

    /* nesting up to the bound is read */
    const char *nested = "from a.example (b.example [192.0.2.1] (x (y (z (w))))) by c.example with "
                         "SMTP; Thu, 22 Aug 2002 13:17:21 +0100";
    ok(ot_received_parse(nested, strlen(nested), &hop) && strcmp(hop.from_ip, "192.0.2.1") == 0,
       "modest nesting still read");

    /* a 10 KB line: over OT_MAX_RECEIVED_SCAN, not read */
    n = (size_t)snprintf(big, sizeof big, "from a.example (b.example [192.0.2.1]) by c.example (");
    while (n < 10 * 1024)
        big[n++] = 'x';
    n += (size_t)snprintf(big + n, sizeof big - n, ") with SMTP; Thu, 22 Aug 2002 13:17:21 +0100");
    ok(!ot_received_parse(big, n, &hop) && !hop.parsed && hop.from_ip[0] == '\0',
       "10 KB line is not read");

    /* a line just inside the bound is read, and reading stops at len */
    n = (size_t)snprintf(big, sizeof big, "from a.example (b.example [192.0.2.1]) by c.example (");
    while (n < OT_MAX_RECEIVED_SCAN - 60)
        big[n++] = 'x';
    n += (size_t)snprintf(big + n, sizeof big - n, ") with SMTP; Thu, 22 Aug 2002 13:17:21 +0100");
    ok(n <= OT_MAX_RECEIVED_SCAN && ot_received_parse(big, n, &hop) &&
           strcmp(hop.from_ip, "192.0.2.1") == 0 && hop.has_date,
       "line of %zu bytes is read", n);

    /* a word as long as the bound: fields are cut, never overflow */
    n = (size_t)snprintf(big, sizeof big, "from ");
    while (n < 3000)
        big[n++] = 'h';
    n += (size_t)snprintf(big + n, sizeof big - n, " (");
    while (n < 6000)
        big[n++] = 'r';
    n += (size_t)snprintf(big + n, sizeof big - n, " [192.0.2.9]) by ");
    while (n < 8000)
        big[n++] = 'b';
    n += (size_t)snprintf(big + n, sizeof big - n, " with SMTP; Thu, 22 Aug 2002 13:17:21 +0100");
    ok(ot_received_parse(big, n, &hop), "long names parse");
    is_int(strlen(hop.from_helo), OT_HOST_SIZE - 1, "from_helo cut at its size");
    is_int(strlen(hop.from_rdns), OT_HOST_SIZE - 1, "from_rdns cut at its size");
    is_int(strlen(hop.by), OT_HOST_SIZE - 1, "by cut at its size");
    is_str(hop.from_ip, "192.0.2.9", "address still found");

    /* too many tokens */
    n = (size_t)snprintf(big, sizeof big, "from a.example (b.example [192.0.2.1]) by c.example");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, " w%d", i);
    n += (size_t)snprintf(big + n, sizeof big - n, "; Thu, 22 Aug 2002 13:17:21 +0100");
    ok(!ot_received_parse(big, n, &hop) && hop.from_ip[0] == '\0', "over 96 tokens refused");

    /* NUL bytes are white space, and len is obeyed */
    static const char with_nuls[] = "from a.example\0(b.example [192.0.2.1])\0by c.example\0with "
                                    "SMTP; Thu, 22 Aug 2002 13:17:21 +0100";
    ok(ot_received_parse(with_nuls, sizeof with_nuls - 1, &hop), "NULs as separators parse");
    is_str(hop.from_helo, "a.example", "helo beside NUL");
    is_str(hop.from_ip, "192.0.2.1", "ip beside NUL");
    is_str(hop.by, "c.example", "by beside NUL");
    static const char nul_in_word[] = "from a.ex\0ample (b.example [192.0.2.1]) by c.example with SMTP";
    ok(ot_received_parse(nul_in_word, sizeof nul_in_word - 1, &hop) &&
           strcmp(hop.from_helo, "a.ex") == 0,
       "a NUL inside a word splits it (the rest is a stray word in the from clause)");

    const char *cut = "from a.example (b.example [192.0.2.1]) by c.example with SMTP; Thu";
    ok(ot_received_parse(cut, 39, &hop) == false, "len stops before 'by': no clause to read");

    /* control bytes in a value never reach the fields */
    static const char ctl[] = "from a\001b (c\033d [192.0.2.1]) by e\177f with SM\tTP; Thu, 22 Aug 2002 "
                              "13:17:21 +0100";
    ok(ot_received_parse(ctl, sizeof ctl - 1, &hop), "control bytes parse");
    is_str(hop.from_helo, "a?b", "control byte in helo replaced");
    is_str(hop.by, "e?f", "DEL in by replaced");
    is_str(hop.with, "SM TP", "TAB separates words");

    /* empty and NULL */
    ok(!ot_received_parse("", 0, &hop) && !hop.parsed, "empty value");
    ok(!ot_received_parse(NULL, 10, &hop), "NULL value");
    ok(!ot_received_parse("x", 1, NULL), "NULL out");

    /* address-like strings in places that are not the peer */
    const struct {
        const char *line;
        const char *want_ip;
        const char *what;
    } not_peer[] = {
        { "from a.example (HELO 192.0.2.1) by c.example with SMTP", "", "HELO argument in comment" },
        { "from a.example (helo=[192.0.2.1]) by c.example with esmtp", "", "helo= literal" },
        { "from a.example by c.example ([192.0.2.1]) with SMTP", "", "by comment" },
        { "from a.example by c.example with SMTP id 192.0.2.1", "", "id" },
        { "from a.example by c.example with SMTP for <u@[192.0.2.1]>", "", "for" },
        { "from a.example (envelope-sender <u@[192.0.2.1]>) by c.example with SMTP", "",
          "envelope-sender" },
        { "from a.example (AUTH: LOGIN 192.0.2.1) by c.example with SMTP", "", "AUTH user" },
        { "from a.example (some words [192.0.2.1]) by c.example with SMTP", "",
          "literal as third word of a phrase" },
        { "from a.example (proxy 192.0.2.1 said so) by c.example with SMTP", "", "bare address in a phrase" },
        { "from a.example by c.example via smtpd (for d.example [192.0.2.1]) with SMTP", "",
          "comment after via" },
        { "from a.example (b.example [192.0.2.300]) by c.example with SMTP", "", "bad literal" },
        { "from a.example (b.example [192.0.2.1]junk) by c.example with SMTP", "", "junk after literal" },
        { "from a.example (b.example [192.0.2.1]) (c.example [198.51.100.1]) by d.example with SMTP",
          "198.51.100.1", "the last address comment is the peer (a HELO may carry one)" },
        { "from a.example (HELO b.example) (192.0.2.1) by c.example with SMTP", "192.0.2.1",
          "qmail: address after the HELO comment" },
    };
    for (size_t i = 0; i < sizeof not_peer / sizeof not_peer[0]; i++) {
        ot_received_parse(not_peer[i].line, strlen(not_peer[i].line), &hop);
        is_str(hop.from_ip, not_peer[i].want_ip, "address placement: %s", not_peer[i].what);
    }
}

/* Every prefix of a tricky line parses without reading past its length
 * (run under the sanitizers, an over-read shows up here). */
static void test_prefixes(void)
{
    const char *lines[] = {
        "from a.example (IDENT:u@b.example [IPv6:2001:db8::1]:25 (may be forged)) by c.example "
        "(8.12.5/8.12.5) with ESMTPSA id x (version=TLSv1/SSLv3) for <r@d.example>; "
        "Thu, 22 Aug 2002 13:17:21 +0100 (IST)",
        "(qmail 1 invoked by uid 0); 22 Aug 2002 08:28:38 -0000",
        "[from a (b [1.2.3.4]) by c; Thu, 22 Aug 2002 13:17:21 +0100]",
        "from [1.2.3.4] (helo=x) by y with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) "
        "(envelope-from <z>) id 1abcde-000001-AB; Thu, 22 Aug 2002 13:17:21 +0100",
    };
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        size_t len = strlen(lines[l]);
        bool all_bounded = true;
        for (size_t cut = 0; cut <= len; cut++) {
            char *copy = malloc(cut + 1);
            ot_hop hop;
            if (copy == NULL)
                continue;
            memcpy(copy, lines[l], cut);
            ot_received_parse(copy, cut, &hop);
            if (strlen(hop.from_helo) >= OT_HOST_SIZE || strlen(hop.by) >= OT_HOST_SIZE)
                all_bounded = false;
            free(copy);
        }
        ok(all_bounded, "every prefix of line %zu parses within bounds", l);
    }
}

int main(void)
{
    run_fixtures();
    test_hostile();
    test_prefixes();
    return tap_done();
}
