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
    ROW(RCVD_HELO_FORGED,         4.0, "chain"),
    ROW(CHAIN_CONSISTENT,        -4.0, "chain"),
    ROW(PATH_OPEN_RELAY,          5.0, "path"),
    ROW(PATH_DIRECT_DYNAMIC,      1.5, "path"),
    ROW(PATH_WEBFORM,             2.0, "path"),
    ROW(DATE_MISSING,             1.5, "message"),
    ROW(DATE_INVALID,             6.0, "message"),
    ROW(DATE_SKEW,                0.5, "message"),
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
#include <stdio.h>
#include <string.h>

#include "sanitize.h"

void ot_hit_set(ot_hit *hit, int hop, const char *fmt, ...)
{
    char raw[OT_DETAIL_SIZE];
    va_list ap;

    hit->hop = hop;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ot_sanitize(hit->detail, sizeof hit->detail, raw, strlen(raw));
}
