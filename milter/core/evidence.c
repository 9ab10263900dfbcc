/*
 * evidence.c - the starting state of what lookups found out.
 *
 * Owns: ot_evidence_init, which makes every fact unknown (tristates
 * OT_EV_UNKNOWN, SPF not checked, no DNSBL hits, no DKIM results, nothing
 * incomplete), so that a check that was never made cannot fire a signal.
 * Limits: none; the struct is fixed-size.
 */
#include "evidence.h"

#include <string.h>

void ot_evidence_init(ot_evidence *e)
{
    if (e == NULL)
        return;
    memset(e, 0, sizeof *e);
    e->ptr_exists = OT_EV_UNKNOWN;
    e->fcrdns = OT_EV_UNKNOWN;
    e->helo_resolves = OT_EV_UNKNOWN;
    e->helo_matches = OT_EV_UNKNOWN;
    e->spf = OT_SPF_NONE_CHECKED;
}
