/*
 * evidence.h - what lookups found out, handed to the analysis as data.
 *
 * The daemon (or origin-trace-check --dns) gathers these facts with DNS,
 * SPF and DKIM; the core only reads them. Every field starts unknown, and
 * an unknown fact never fires a signal: a check that could not be made is
 * listed in `incomplete` instead.
 */
#ifndef OT_EVIDENCE_H
#define OT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"

enum ot_tristate { OT_EV_UNKNOWN = 0, OT_EV_YES, OT_EV_NO };

enum ot_spf_result {
    OT_SPF_NONE_CHECKED = 0, OT_SPF_NONE, OT_SPF_NEUTRAL, OT_SPF_PASS,
    OT_SPF_FAIL, OT_SPF_SOFTFAIL, OT_SPF_TEMPERROR, OT_SPF_PERMERROR,
};

#define OT_MAX_DNSBL_HITS 8u
#define OT_MAX_DKIM_RESULTS 8u

typedef struct ot_dnsbl_hit {
    char zone[OT_HOST_SIZE];
    char code[OT_IPTEXT_SIZE];       /* e.g. 127.0.0.2 */
    double weight;                   /* from DNSBLZones, or the default */
} ot_dnsbl_hit;

typedef struct ot_dkim_result {
    char domain[OT_HOST_SIZE];
    bool pass;
    char reason[64];
} ot_dkim_result;

typedef struct ot_evidence {
    enum ot_tristate ptr_exists;     /* client has a PTR */
    char ptr_name[OT_HOST_SIZE];
    enum ot_tristate fcrdns;         /* PTR name resolves back to the client */
    enum ot_tristate helo_resolves;  /* HELO name has A/AAAA (NO = NXDOMAIN) */
    enum ot_tristate helo_matches;   /* one of them is the client address */
    ot_dnsbl_hit dnsbl[OT_MAX_DNSBL_HITS];
    size_t ndnsbl;
    enum ot_spf_result spf;
    char spf_domain[OT_HOST_SIZE];
    bool dkim_checked;               /* DKIM verification ran (signatures or not) */
    ot_dkim_result dkim[OT_MAX_DKIM_RESULTS];
    size_t ndkim;
    char incomplete[128];            /* comma list of checks that timed out */
} ot_evidence;

void ot_evidence_init(ot_evidence *e);

/* " spf=WORD dkim=WORD incomplete=a,b", each only when it applies (spf
 * when SPF ran, dkim when DKIM ran, incomplete when a check was not
 * made); "" when none does. Returns the length written. */
size_t ot_evidence_tokens(const ot_evidence *ev, char *out, size_t outsize);

/* Is this check ("ptr", "helo", "dnsbl", "spf", "dkim") named incomplete? */
bool ot_evidence_is_incomplete(const ot_evidence *ev, const char *check);
/* Appends a check's name to ev->incomplete once ("ptr,spf"). */
void ot_evidence_mark_incomplete(ot_evidence *ev, const char *check);

#endif
