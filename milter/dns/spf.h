/*
 * spf.h - SPF for the envelope sender (or the HELO when MAIL FROM is
 * empty) with libspf2, resolving through our own batch.
 *
 * libspf2 lets a program supply its DNS layer; ours sends each query of
 * the SPF evaluation through the message's ot_dns_batch so it shares the
 * deadline, the cache and the query bound. libspf2's own limits (10
 * DNS-causing mechanisms per record, 10 MX and PTR names) stay on; spf.c
 * adds what it lacks: at most 24 queries per evaluation across include:
 * and redirect=, RFC 7208's two void lookups, and a screening of records
 * before libspf2 compiles them (see spf.c for why). Any of those, as a
 * record libspf2 cannot compile, is permerror.
 *
 * Results: pass, fail, softfail, neutral, none (no policy, or a sender
 * domain that is not a DNS name), permerror; temperror (a timeout,
 * SERVFAIL or an exhausted batch) also names "spf" in ev->incomplete.
 *
 * Threads: an ot_spf holds no per-message state; each evaluation builds
 * its own libspf2 server (about half a microsecond), so evaluations may
 * run on many threads at once with one ot_spf.
 */
#ifndef OT_DNS_SPF_H
#define OT_DNS_SPF_H

#include "evidence.h"
#include "lookup_plan.h"
#include "resolver.h"

typedef struct ot_spf ot_spf;

ot_spf *ot_spf_new(char *err, size_t errsize);
void ot_spf_free(ot_spf *s);

/* Evaluates plan->spf_sender (with plan->spf_helo) against
 * plan->client_addr, waiting on b within its deadline; fills ev->spf and
 * ev->spf_domain (the sender's domain, lower case), and marks "spf"
 * incomplete on temperror. Does nothing unless plan->spf is set with a
 * client address and a sender, or for a loopback client (libspf2 would
 * pass it unasked). b NULL: "spf" incomplete. */
void ot_spf_check(ot_spf *s, ot_dns_batch *b, const ot_lookup_plan *plan, ot_evidence *ev);

#endif
