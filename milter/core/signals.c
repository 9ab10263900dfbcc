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
    ROW(HELO_MISSING,           2.0, "helo"),
    ROW(HELO_BARE_IP,           3.0, "helo"),
    ROW(HELO_LITERAL_MISMATCH,  2.5, "helo"),
    ROW(HELO_NOT_FQDN,          1.5, "helo"),
    ROW(HELO_INVALID,           2.5, "helo"),
    ROW(HELO_LOCALHOST,         3.0, "helo"),
    ROW(HELO_OURS,              5.0, "helo"),
    ROW(HELO_PROVIDER_FORGED,   4.0, "helo"),
    ROW(HELO_NXDOMAIN,          2.0, "helo"),
    ROW(HELO_MISMATCH,          1.0, "helo"),
    ROW(RDNS_NONE,              2.0, "client"),
    ROW(RDNS_DYNAMIC,           2.0, "client"),
    ROW(FCRDNS_FAIL,            1.5, "client"),
    ROW(DNSBL_LISTED,           3.0, "client"),
    ROW(CHAIN_BREAK,            2.5, "chain"),
    ROW(RCVD_FORGED_OURS,       5.0, "chain"),
    ROW(RCVD_DATE_REVERSED,     1.5, "chain"),
    ROW(RCVD_DATE_FUTURE,       2.0, "chain"),
    ROW(RCVD_PRIVATE_IP,        2.0, "chain"),
    ROW(RCVD_UNPARSEABLE,       1.0, "chain"),
    ROW(RCVD_TOO_MANY,          2.0, "chain"),
    ROW(PATH_OPEN_RELAY,        3.0, "path"),
    ROW(PATH_DIRECT_DYNAMIC,    2.0, "path"),
    ROW(PATH_WEBFORM,           2.0, "path"),
    ROW(DATE_MISSING,           1.5, "message"),
    ROW(DATE_INVALID,           2.0, "message"),
    ROW(DATE_SKEW,              1.5, "message"),
    ROW(MSGID_MISSING,          1.5, "message"),
    ROW(MSGID_INVALID,          1.5, "message"),
    ROW(SPF_FAIL,               3.5, "auth"),
    ROW(SPF_SOFTFAIL,           1.5, "auth"),
    ROW(SPF_PASS,              -1.0, "auth"),
    ROW(DKIM_FAIL,              2.0, "auth"),
    ROW(DKIM_PASS,             -1.5, "auth"),
    ROW(PROVIDER_CLAIM_UNSIGNED, 3.0, "auth"),
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
