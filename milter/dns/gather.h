/*
 * gather.h - turning a lookup plan into evidence.
 *
 * Owns the lookups about the client and its HELO: PTR, the forward
 * confirmation of the PTR name, the HELO name's addresses, and the DNS
 * blocklists with their per-code weights. SPF (spf.h) and DKIM (dkim.h)
 * share the same batch and so the same deadline. Results land in
 * ot_evidence; a lookup that timed out or failed leaves its fact unknown
 * and names the check in ev->incomplete ("ptr", "helo", "dnsbl", "spf",
 * "dkim"), so the signal does not fire and the header says so.
 *
 * Limits: at most two PTR names are forward-checked, at most
 * OT_MAX_DNSBL_ZONES zones are asked, and every name comes from the
 * plan's bounded fields.
 */
#ifndef OT_DNS_GATHER_H
#define OT_DNS_GATHER_H

#include "config.h"
#include "evidence.h"
#include "lookup_plan.h"
#include "resolver.h"

/* DNSBLZones entries asked per message; the rest are ignored. */
/* PTR names whose addresses are looked up to confirm the client. */
#define OT_MAX_PTR_CHECKED 2u

typedef struct ot_gather ot_gather;   /* indices of lookups in flight */

/* Starts every first-round lookup the plan asks for (PTR, HELO A/AAAA,
 * DNSBL) in b. NULL when out of memory (nothing was started). cfg (its
 * DNSBLCode table and weights) must stay alive until ot_gather_finish;
 * the plan is copied. */
ot_gather *ot_gather_start(ot_dns_batch *b, const ot_config *cfg, const ot_lookup_plan *plan);
/* Waits for them (and the second round: the PTR names' addresses) within
 * the batch's deadline and fills ev. Frees g.
 *
 * What each fact means (anything not decided stays unknown; a failed or
 * late lookup also names its check in ev->incomplete):
 * - ptr_exists: YES when a PTR record came, NO on NXDOMAIN or NODATA.
 *   ptr_name is the first PTR name that is a valid host name ("" if none).
 * - fcrdns: YES when one of the first OT_MAX_PTR_CHECKED valid PTR names
 *   has an address (of the client's family) equal to the client; NO when
 *   every checked name answered without it, or no PTR name is a valid
 *   host name; unknown when there is no PTR at all (RDNS_NONE covers it).
 * - helo_resolves: YES when the HELO has an A or AAAA record; NO when the
 *   name does not exist (NXDOMAIN); unknown when it exists without any
 *   address (NODATA for both: a bare domain with only MX is a common,
 *   harmless HELO, and HELO_NXDOMAIN is about names that do not exist).
 * - helo_matches: decided only when helo_resolves is YES and the client
 *   is known: YES when one address is the client, NO when the lookup of
 *   the client's family answered without it.
 * - dnsbl[]: one hit per zone whose answer holds a 127.0.0.0/8 code
 *   outside 127.255.255.0/24; its weight is the zone's DNSBLCode weight
 *   for that code (a code given weight 0 is not a listing), else the
 *   DNSBL_LISTED weight; the heaviest code of a zone is kept, and hits
 *   are sorted heaviest first. 127.255.255.0/24 ("query refused", "over
 *   the limit") and answers outside 127/8 are no listing and mark
 *   "dnsbl" incomplete. */
void ot_gather_finish(ot_gather *g, ot_evidence *ev);

#endif
