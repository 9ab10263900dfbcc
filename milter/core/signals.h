/*
 * signals.h - the signs of forgery, in one table.
 *
 * Owns: every signal's stable name, default weight, group and check. A
 * check is a plain function over the analysis context: it looks at facts
 * already gathered (hops, trust boundary, session, evidence) and, when it
 * fires, writes a one-line detail naming the evidence and the hop it
 * concerns. Each signal fires at most once per message. Weights can be
 * overridden by `Weight NAME VALUE`; 0 switches a signal off.
 */
#ifndef OT_SIGNALS_H
#define OT_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"

#define OT_SIGNAL_LIST(X) \
    X(HELO_MISSING)           X(HELO_BARE_IP)        X(HELO_LITERAL_MISMATCH) \
    X(HELO_NOT_FQDN)          X(HELO_INVALID)        X(HELO_LOCALHOST) \
    X(HELO_OURS)              X(HELO_PROVIDER_FORGED) X(HELO_NXDOMAIN) \
    X(HELO_MISMATCH)          X(HELO_RDNS_MISMATCH)  X(HELO_LEGACY) \
    X(RDNS_NONE)              X(RDNS_DYNAMIC)        X(FCRDNS_FAIL) \
    X(DNSBL_LISTED) \
    X(CHAIN_BREAK)            X(RCVD_FORGED_OURS)    X(RCVD_DATE_REVERSED) \
    X(RCVD_DATE_FUTURE)       X(RCVD_PRIVATE_IP)     X(RCVD_UNPARSEABLE) \
    X(RCVD_TOO_MANY)          X(RCVD_HELO_FORGED)    X(CHAIN_CONSISTENT) \
    X(PATH_OPEN_RELAY)        X(PATH_DIRECT_DYNAMIC) X(PATH_WEBFORM) \
    X(DATE_MISSING)           X(DATE_INVALID)        X(DATE_SKEW) \
    X(MSGID_MISSING)          X(MSGID_INVALID) \
    X(SPF_FAIL)               X(SPF_SOFTFAIL)        X(SPF_PASS) \
    X(DKIM_FAIL)              X(DKIM_PASS)           X(PROVIDER_CLAIM_UNSIGNED)

#define OT_SIG_ENUM(n) OT_SIG_##n,
enum ot_signal_id { OT_SIGNAL_LIST(OT_SIG_ENUM) OT_SIG_COUNT };
#undef OT_SIG_ENUM

struct ot_ctx;

/* What a check writes when it fires. */
typedef struct ot_hit {
    int hop;                         /* Received index it concerns, -1 session, -2 message */
    char detail[OT_DETAIL_SIZE];     /* sanitized, one line */
} ot_hit;

typedef bool (*ot_check_fn)(const struct ot_ctx *ctx, ot_hit *hit);

typedef struct ot_signal_def {
    const char *name;
    double weight;                   /* default */
    const char *group;               /* helo, client, chain, path, message, auth */
    ot_check_fn check;
} ot_signal_def;

extern const ot_signal_def ot_signal_table[OT_SIG_COUNT];

#endif
