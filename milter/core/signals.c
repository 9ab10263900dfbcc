/*
 * signals.c - the table of signals: name, default weight, group, check.
 *
 * This is the only place a signal is declared. Weights are in score
 * points; a higher score means more forged. They were set by measuring the
 * offline signals over real spam and ham (tools/quality.sh) and by judging
 * how rarely each fires on honest mail; DNS-based weights follow the same
 * scale. Negative weights are evidence of authenticity.
 */
#include "signals.h"

#include "checks.h"

#define ROW(n, w, g) [OT_SIG_##n] = { #n, (w), (g), ot_check_##n }

const ot_signal_def ot_signal_table[OT_SIG_COUNT] = {
    ROW(HELO_MISSING,             2.0, "helo"),
    ROW(HELO_BARE_IP,             2.0, "helo"),
    ROW(HELO_LITERAL_MISMATCH,    2.5, "helo"),
    ROW(HELO_NOT_FQDN,            4.5, "helo"),
    ROW(HELO_INVALID,             4.5, "helo"),
    ROW(HELO_LOCALHOST,           6.0, "helo"),
    ROW(HELO_OURS,                6.0, "helo"),
    ROW(HELO_PROVIDER_FORGED,     6.0, "helo"),
    ROW(HELO_NXDOMAIN,            2.0, "helo"),
    ROW(HELO_MISMATCH,            1.5, "helo"),
    ROW(HELO_RDNS_MISMATCH,       2.0, "helo"),
    ROW(HELO_LEGACY,              3.5, "helo"),
    ROW(RDNS_NONE,                1.5, "client"),
    ROW(RDNS_DYNAMIC,             1.5, "client"),
    ROW(FCRDNS_FAIL,              2.5, "client"),
    ROW(DNSBL_LISTED,             4.0, "client"),
    ROW(CHAIN_BREAK,              0.5, "chain"),
    ROW(RCVD_FORGED_OURS,         5.0, "chain"),
    ROW(RCVD_DATE_REVERSED,       1.2, "chain"),
    ROW(RCVD_DATE_FUTURE,         0.5, "chain"),
    ROW(RCVD_PRIVATE_IP,          6.0, "chain"),
    ROW(RCVD_UNPARSEABLE,         0.5, "chain"),
    ROW(RCVD_TOO_MANY,            2.0, "chain"),
    ROW(RCVD_HELO_FORGED,         5.0, "chain"),
    ROW(CHAIN_CONSISTENT,        -4.0, "chain"),
    ROW(PATH_OPEN_RELAY,          5.0, "path"),
    ROW(PATH_DIRECT_DYNAMIC,      1.5, "path"),
    ROW(PATH_WEBFORM,             2.0, "path"),
    ROW(DATE_MISSING,             1.5, "message"),
    ROW(DATE_INVALID,             6.0, "message"),
    ROW(DATE_SKEW,                2.0, "message"),
    ROW(MSGID_MISSING,            1.5, "message"),
    ROW(MSGID_INVALID,            5.0, "message"),
    ROW(SPF_FAIL,                 4.0, "auth"),
    ROW(SPF_SOFTFAIL,             1.5, "auth"),
    ROW(SPF_PASS,                -1.0, "auth"),
    ROW(DKIM_FAIL,                2.0, "auth"),
    ROW(DKIM_PASS,               -1.5, "auth"),
    ROW(PROVIDER_CLAIM_UNSIGNED,  3.0, "auth"),
};

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sanitize.h"

/* A detail line being written: bytes past the end are dropped, as
 * vsnprintf drops them, and each byte is sanitized on the way in. */
typedef struct detail_out {
    char *buf;
    size_t size, len;
} detail_out;

/* Are all eight bytes printable (0x20..0x7e)? Exact "has a byte below /
 * above" word tricks. */
static bool word_printable(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    return (((x - ones * 0x20u) & ~x & highs) | (((x + ones * (127u - 0x7eu)) | x) & highs)) == 0;
}

static void detail_put(detail_out *o, const char *s, size_t n)
{
    size_t room = o->size - 1 - o->len;    /* len < size always */
    char *dst = o->buf + o->len;
    size_t i = 0;

    if (n > room)
        n = room;
    /* eight printable bytes at a time go as they are */
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (!word_printable(x))
            break;
        memcpy(dst + i, &x, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[i] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
    }
    o->len += n;
}

static void detail_put_unsigned(detail_out *o, unsigned long long v, bool negative)
{
    char digits[24];
    size_t n = sizeof digits;

    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (negative)
        digits[--n] = '-';
    detail_put(o, digits + n, sizeof digits - n);
}

static void detail_put_signed(detail_out *o, long long v)
{
    /* the magnitude of LLONG_MIN does not fit a long long: negate unsigned */
    if (v < 0)
        detail_put_unsigned(o, 0ull - (unsigned long long)v, true);
    else
        detail_put_unsigned(o, (unsigned long long)v, false);
}

/* The conversions the checks use (%s, %.Ns, %d, %u, %zu, %lld, %%),
 * written as vsnprintf then ot_sanitize would write them. Returns false,
 * having written nothing final, on anything else; the caller then runs
 * vsnprintf. A signal's detail is written for nearly every message, and
 * the general printf machinery cost more than the check itself. */
static bool detail_format(char *buf, size_t size, const char *fmt, va_list ap)
{
    detail_out o = { buf, size, 0 };

    if (size == 0)
        return false;
    for (const char *p = fmt; *p != '\0'; p++) {
        const char *run = p;
        p = strchr(p, '%');
        if (p == NULL)
            p = run + strlen(run);
        detail_put(&o, run, (size_t)(p - run));
        if (*p == '\0')
            break;
        p++;                               /* past '%' */
        if (*p == '%') {
            detail_put(&o, "%", 1);
        } else if (*p == 's') {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                return false;
            detail_put(&o, s, strlen(s));
        } else if (p[0] == '.' && p[1] >= '0' && p[1] <= '9') {
            size_t prec = 0;
            for (p++; *p >= '0' && *p <= '9'; p++)
                prec = prec * 10 + (size_t)(*p - '0');
            if (*p != 's')
                return false;
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                return false;
            detail_put(&o, s, strnlen(s, prec));
        } else if (*p == 'd') {
            detail_put_signed(&o, va_arg(ap, int));
        } else if (*p == 'u') {
            detail_put_unsigned(&o, va_arg(ap, unsigned), false);
        } else if (p[0] == 'z' && p[1] == 'u') {
            detail_put_unsigned(&o, va_arg(ap, size_t), false);
            p++;
        } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
            detail_put_signed(&o, va_arg(ap, long long));
            p += 2;
        } else {
            return false;
        }
    }
    buf[o.len] = '\0';
    return true;
}

void ot_hit_set(ot_hit *hit, int hop, const char *fmt, ...)
{
    char raw[OT_DETAIL_SIZE];
    va_list ap;
    bool done;

    hit->hop = hop;
    va_start(ap, fmt);
    done = detail_format(hit->detail, sizeof hit->detail, fmt, ap);
    va_end(ap);
    if (done)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ot_sanitize(hit->detail, sizeof hit->detail, raw, strlen(raw));
}
