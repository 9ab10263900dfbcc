/*
 * test_sanitize.c - the output rule for sender-chosen bytes.
 */
#include <string.h>

#include "sanitize.h"
#include "tap.h"

typedef size_t (*sanitize_fn)(char *, size_t, const char *, size_t);

typedef struct sanitize_case {
    const char *label;
    const char *src;
    size_t srclen;        /* explicit: sources may hold NULs */
    size_t dstsize;
    const char *want;
    size_t want_len;
} sanitize_case;

#define S(lit) lit, sizeof(lit) - 1

static const sanitize_case plain_cases[] = {
    { "empty", S(""), 16, "", 0 },
    { "printable kept", S("mx.example.org [192.0.2.1]"), 64, "mx.example.org [192.0.2.1]", 26 },
    { "runs of spaces kept", S("a   b"), 16, "a   b", 5 },
    { "CR LF replaced", S("a\r\nb"), 16, "a??b", 4 },
    { "TAB replaced", S("a\tb"), 16, "a?b", 3 },
    { "NUL replaced, not an end", S("a\0b"), 16, "a?b", 3 },
    { "8-bit replaced", S("caf\xc3\xa9"), 16, "caf??", 5 },
    { "DEL replaced", S("x\x7fy"), 16, "x?y", 3 },
    { "0x01 replaced", S("\x01"), 16, "?", 1 },
    { "token specials kept by plain form", S("a=b;c,\"d\"\\"), 32, "a=b;c,\"d\"\\", 10 },
    { "cut at dstsize", S("abcdef"), 4, "abc", 3 },
    { "exact fit", S("abc"), 4, "abc", 3 },
    { "one past fit", S("abcd"), 4, "abc", 3 },
    { "dstsize 1 gives empty", S("abc"), 1, "", 0 },
    { "header injection defused", S("x\r\nBcc: victim@example.org"), 64,
      "x??Bcc: victim@example.org", 26 },
};

static const sanitize_case token_cases[] = {
    { "token: plain kept", S("HELO_BARE_IP"), 32, "HELO_BARE_IP", 12 },
    { "token: space", S("a b"), 16, "a?b", 3 },
    { "token: quote", S("a\"b"), 16, "a?b", 3 },
    { "token: semicolon", S("a;b"), 16, "a?b", 3 },
    { "token: comma", S("a,b"), 16, "a?b", 3 },
    { "token: equals", S("a=b"), 16, "a?b", 3 },
    { "token: backslash", S("a\\b"), 16, "a?b", 3 },
    { "token: CR LF NUL", S("\r\n\0"), 16, "???", 3 },
    { "token: brackets and dots kept", S("[192.0.2.1]"), 16, "[192.0.2.1]", 11 },
    { "token: cut", S("abcdef"), 3, "ab", 2 },
    { "token: injection", S("1.2.3.4 score=-100"), 64, "1.2.3.4?score?-100", 18 },
};

typedef struct copy_case {
    const char *label;
    const char *src;
    size_t srclen;
    size_t dstsize;
    const char *want;
    size_t want_len;
} copy_case;

static const copy_case copy_cases[] = {
    { "copy: whole", "abc", 3, 16, "abc", 3 },
    { "copy: stops at srclen", "abcdef", 2, 16, "ab", 2 },
    { "copy: stops at NUL", "ab\0cd", 5, 16, "ab", 2 },
    { "copy: stops at dstsize-1", "abcdef", 6, 4, "abc", 3 },
    { "copy: exact fit", "abc", 3, 4, "abc", 3 },
    { "copy: empty source", "", 0, 4, "", 0 },
    { "copy: NULL source", NULL, 5, 4, "", 0 },
    { "copy: 8-bit bytes copied as is", "\xff\xfe", 2, 4, "\xff\xfe", 2 },
};

static void run_sanitize(const sanitize_case *cases, size_t n, sanitize_fn fn)
{
    for (size_t i = 0; i < n; i++) {
        const sanitize_case *c = &cases[i];
        char dst[128];
        memset(dst, 'Z', sizeof dst);
        size_t got = fn(dst, c->dstsize, c->src, c->srclen);
        is_int(got, c->want_len, "%s: length", c->label);
        is_str(dst, c->want, "%s: text", c->label);
        ok(dst[c->dstsize] == 'Z', "%s: nothing written past dstsize", c->label);
    }
}

static void test_degenerate(void)
{
    char dst[4] = "ZZZ";
    is_int(ot_sanitize(dst, 0, "abc", 3), 0, "dstsize 0 writes nothing");
    is_int(dst[0], 'Z', "dstsize 0 leaves dst alone");
    is_int(ot_sanitize(NULL, 8, "abc", 3), 0, "NULL dst");
    is_int(ot_sanitize(dst, sizeof dst, NULL, 3), 0, "NULL src gives empty");
    is_str(dst, "", "NULL src gives empty string");
    is_int(ot_sanitize_token(dst, 0, "abc", 3), 0, "token dstsize 0");
    is_int(ot_strlcpy_n(dst, 0, "abc", 3), 0, "copy dstsize 0");
    is_int(ot_strlcpy_n(NULL, 4, "abc", 3), 0, "copy NULL dst");
}

/* Every byte value once: only 0x20..0x7e survive. */
static void test_all_bytes(void)
{
    char src[256], dst[257], tok[257];
    int plain_bad = 0, token_bad = 0;

    for (int i = 0; i < 256; i++)
        src[i] = (char)i;
    is_int(ot_sanitize(dst, sizeof dst, src, sizeof src), 256, "all bytes: length kept");
    is_int(ot_sanitize_token(tok, sizeof tok, src, sizeof src), 256, "all bytes: token length kept");
    for (int i = 0; i < 256; i++) {
        unsigned char p = (unsigned char)dst[i], t = (unsigned char)tok[i];
        int printable = i >= 0x20 && i <= 0x7e;
        int special = i == ' ' || i == '"' || i == ';' || i == ',' || i == '=' || i == '\\';
        if (p != (printable ? (unsigned char)i : '?'))
            plain_bad++;
        if (t != ((printable && !special) ? (unsigned char)i : '?'))
            token_bad++;
    }
    is_int(plain_bad, 0, "all bytes: plain rule holds for every byte value");
    is_int(token_bad, 0, "all bytes: token rule holds for every byte value");
}

int main(void)
{
    run_sanitize(plain_cases, sizeof plain_cases / sizeof plain_cases[0], ot_sanitize);
    run_sanitize(token_cases, sizeof token_cases / sizeof token_cases[0], ot_sanitize_token);
    for (size_t i = 0; i < sizeof copy_cases / sizeof copy_cases[0]; i++) {
        const copy_case *c = &copy_cases[i];
        char dst[64];
        memset(dst, 'Z', sizeof dst);
        is_int(ot_strlcpy_n(dst, c->dstsize, c->src, c->srclen), c->want_len, "%s: length", c->label);
        is_str(dst, c->want, "%s: text", c->label);
        ok(dst[c->dstsize] == 'Z', "%s: nothing written past dstsize", c->label);
    }
    test_degenerate();
    test_all_bytes();
    return tap_done();
}
