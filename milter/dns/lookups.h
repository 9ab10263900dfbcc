/*
 * lookups.h - one message's lookups, from plan to evidence, and the
 * services they run on.
 *
 * Owns the order of things, shared by the milter and origin-trace-check
 * --dns: one batch per message (one deadline, DNSTimeout seconds from the
 * start); the client, HELO and blocklist lookups and the DKIM key
 * prefetches started together without waiting; SPF evaluated meanwhile
 * (its lookups go through the same batch); then the wait for the rest.
 * DKIM verification itself (dkim.h) needs the body and is driven by the
 * caller, handed the same batch so the prefetched keys are found there.
 *
 * Failure never loses the message: when a service could not be opened or
 * memory is short, the checks concerned are named in ev->incomplete and
 * the analysis goes on with what is known.
 */
#ifndef OT_DNS_LOOKUPS_H
#define OT_DNS_LOOKUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "dkim.h"
#include "evidence.h"
#include "lookup_plan.h"
#include "resolver.h"
#include "spf.h"

typedef struct ot_dns_services {
    ot_resolver *resolver;
    ot_spf *spf;      /* NULL when SPF is off */
    ot_dkim *dkim;    /* NULL when DKIM is off */
} ot_dns_services;

/* Opens what cfg asks for (nothing when DNS is off). On failure closes
 * what was opened and returns false with the reason in err. */
bool ot_dns_services_open(ot_dns_services *svc, const ot_config *cfg, char *err, size_t errsize);
void ot_dns_services_close(ot_dns_services *svc);

/* Does the plan ask anything of DNS? */
bool ot_lookup_plan_any(const ot_lookup_plan *plan);

typedef struct ot_lookups ot_lookups;

/* Starts the plan's lookups in a new batch. svc may be NULL (DNS could
 * not be opened): the result then only marks the checks incomplete. */
ot_lookups *ot_lookups_start(const ot_dns_services *svc, const ot_config *cfg,
                             const ot_lookup_plan *plan);
/* The message's batch (NULL if none could be made), for DKIM. */
ot_dns_batch *ot_lookups_batch(ot_lookups *l);
/* Runs SPF, waits for the rest within the deadline and fills ev with
 * everything but DKIM. Call once. l may be NULL (out of memory). */
void ot_lookups_collect(ot_lookups *l, const ot_lookup_plan *plan, ot_evidence *ev);
void ot_lookups_free(ot_lookups *l);

#endif
