/*
 * lookup_plan.h - which DNS questions a message raises, decided without I/O.
 *
 * After a first, offline pass of the analysis the core knows who handed
 * the message over and what it claimed; this turns that into the list of
 * lookups worth making, so the daemon and `origin-trace-check --dns` ask
 * the same questions and the choice can be tested without a network.
 * Nothing here is trusted: every name is the attacker's and is only
 * copied when it has the shape of a DNS name (bounded, LDH labels).
 */
#ifndef OT_LOOKUP_PLAN_H
#define OT_LOOKUP_PLAN_H

#include <stdbool.h>

#include "analysis.h"
#include "evidence.h"

typedef struct ot_lookup_plan {
    bool client;                     /* a routable handoff address to ask about */
    ot_addr client_addr;
    char client_ip[OT_IPTEXT_SIZE];
    bool ptr;                        /* look up PTR and confirm it (the MTA gave no verdict) */
    char helo[OT_HOST_SIZE];         /* an FQDN-shaped HELO to resolve, "" for none */
    bool dnsbl;                      /* ask the DNSBLZones about the client */
    bool spf;                        /* evaluate SPF */
    char spf_sender[OT_ADDR_SIZE];   /* MAIL FROM, or postmaster@HELO when it was empty */
    char spf_helo[OT_HOST_SIZE];     /* the HELO as libspf2 wants it ("" if none) */
    bool dkim;                       /* the message carries a DKIM-Signature */
    /* "s._domainkey.d" of each signature, so the keys are fetched together
     * with everything else at end of headers, before the body arrives */
    char dkim_keys[OT_MAX_DKIM_RESULTS][OT_HOST_SIZE];
    size_t ndkim_keys;
} ot_lookup_plan;

/* res is the result of ot_analyze() with empty evidence. */
void ot_lookup_plan_make(const ot_config *cfg, const ot_session *s, const ot_message *m,
                         const ot_result *res, ot_lookup_plan *plan);

/* Is this a name worth sending to DNS: 1..253 bytes, dot-separated labels
 * of letters, digits, '-' and '_', not an address literal? */
bool ot_lookup_name_ok(const char *name, size_t len);

/* The value of tag `tag` in a DKIM tag list ("v=1; d=example.org; s=sel"),
 * white space removed, into out; false when absent, empty or too long. */
bool ot_dkim_tag(const char *list, size_t len, const char *tag, char *out, size_t outsize);

#endif
