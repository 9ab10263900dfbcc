/*
 * lookups.c - one message's lookups, from plan to evidence (see lookups.h).
 */
#include "lookups.h"

#include <stdio.h>
#include <stdlib.h>

#include "gather.h"

struct ot_lookups {
    const ot_dns_services *svc;
    ot_dns_batch *batch;
    ot_gather *gather;
    bool collected;
};

bool ot_dns_services_open(ot_dns_services *svc, const ot_config *cfg, char *err, size_t errsize)
{
    svc->resolver = NULL;
    svc->spf = NULL;
    svc->dkim = NULL;
    if (!cfg->dns)
        return true;
    svc->resolver = ot_resolver_new(cfg, err, errsize);
    if (svc->resolver == NULL)
        return false;
    if (cfg->spf && (svc->spf = ot_spf_new(err, errsize)) == NULL) {
        ot_dns_services_close(svc);
        return false;
    }
    if (cfg->dkim && (svc->dkim = ot_dkim_new(err, errsize)) == NULL) {
        ot_dns_services_close(svc);
        return false;
    }
    return true;
}

void ot_dns_services_close(ot_dns_services *svc)
{
    ot_dkim_free(svc->dkim);
    ot_spf_free(svc->spf);
    ot_resolver_free(svc->resolver);
    svc->resolver = NULL;
    svc->spf = NULL;
    svc->dkim = NULL;
}

bool ot_lookup_plan_any(const ot_lookup_plan *p)
{
    return p->ptr || p->helo[0] != '\0' || p->dnsbl || p->spf || p->dkim;
}

ot_lookups *ot_lookups_start(const ot_dns_services *svc, const ot_config *cfg,
                             const ot_lookup_plan *plan)
{
    ot_lookups *l = calloc(1, sizeof *l);

    if (l == NULL)
        return NULL;
    l->svc = svc;
    if (svc == NULL || svc->resolver == NULL)
        return l;
    l->batch = ot_dns_batch_new(svc->resolver, cfg->dns_timeout * 1000u);
    if (l->batch == NULL)
        return l;
    l->gather = ot_gather_start(l->batch, cfg, plan);
    for (size_t i = 0; i < plan->ndkim_keys; i++)
        (void)ot_dns_batch_add(l->batch, plan->dkim_keys[i], OT_RR_TXT);
    return l;
}

ot_dns_batch *ot_lookups_batch(ot_lookups *l)
{
    return l != NULL ? l->batch : NULL;
}

/* Every check the plan asked for, as not made. */
static void mark_all_incomplete(const ot_lookup_plan *p, ot_evidence *ev)
{
    if (p->ptr)
        ot_evidence_mark_incomplete(ev, "ptr");
    if (p->helo[0] != '\0')
        ot_evidence_mark_incomplete(ev, "helo");
    if (p->dnsbl)
        ot_evidence_mark_incomplete(ev, "dnsbl");
    if (p->spf)
        ot_evidence_mark_incomplete(ev, "spf");
    if (p->dkim)
        ot_evidence_mark_incomplete(ev, "dkim");
}

void ot_lookups_collect(ot_lookups *l, const ot_lookup_plan *plan, ot_evidence *ev)
{
    if (l == NULL || l->batch == NULL || l->collected) {
        if (l == NULL || !l->collected)
            mark_all_incomplete(plan, ev);
        if (l != NULL)
            l->collected = true;
        return;
    }
    l->collected = true;
    if (plan->spf && l->svc->spf != NULL)
        ot_spf_check(l->svc->spf, l->batch, plan, ev);
    if (l->gather != NULL) {
        ot_gather_finish(l->gather, ev);
        l->gather = NULL;
    } else if (plan->ptr || plan->helo[0] != '\0' || plan->dnsbl) {
        ot_evidence_mark_incomplete(ev, "dns");
    }
}

void ot_lookups_free(ot_lookups *l)
{
    if (l == NULL)
        return;
    if (l->gather != NULL) {
        /* started and never collected (a caller's mistake): the gather
         * state must not outlive the batch it points into */
        ot_evidence scratch;
        ot_evidence_init(&scratch);
        ot_gather_finish(l->gather, &scratch);
    }
    ot_dns_batch_free(l->batch);
    free(l);
}
