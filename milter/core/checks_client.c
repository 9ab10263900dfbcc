/*
 * checks_client.c - signals about the handoff host's address and name.
 *
 * Reverse DNS is taken from the best witness available: lookups made for
 * this message (evidence), else the MTA's own resolution of the live
 * client, else what our trusted writer recorded in the handoff line.
 * Unknown never fires.
 */
#include <string.h>

#include "checks.h"
#include "hostname.h"

static int client_hop(const ot_ctx *ctx)
{
    return ctx->res->handoff.hop;
}

/* Do we know whether the handoff host has a reverse name? */
static bool rdns_known(const ot_ctx *ctx)
{
    const ot_result *r = ctx->res;

    if (!r->handoff.present || r->handoff.addr.family == 0)
        return false;
    if (ctx->ev->ptr_exists != OT_EV_UNKNOWN)
        return true;
    /* our own PTR lookup was made and did not answer: nothing is known,
     * whatever the MTA said, and a DNS outage must not fire RDNS_NONE */
    if (ot_evidence_is_incomplete(ctx->ev, "ptr"))
        return false;
    if (r->handoff.hop < 0)   /* TEMP: the MTA's own lookup failed, it knows nothing */
        return ctx->session->client_resolve != OT_RESOLVE_TEMP &&
               (ctx->session->client_rdns_known || ctx->session->client_resolve != OT_RESOLVE_UNKNOWN);
    return r->hops[r->handoff.hop].parsed;
}

static const char *client_rdns(const ot_ctx *ctx)
{
    if (ctx->ev->ptr_exists == OT_EV_YES && ctx->ev->ptr_name[0] != '\0')
        return ctx->ev->ptr_name;
    return ctx->res->handoff.rdns;
}

bool ot_check_RDNS_NONE(const ot_ctx *ctx, ot_hit *hit)
{
    if (!rdns_known(ctx) || ot_addr_is_unroutable(&ctx->res->handoff.addr))
        return false;
    if (ctx->ev->ptr_exists == OT_EV_YES)
        return false;
    if (ctx->ev->ptr_exists == OT_EV_UNKNOWN) {
        if (client_rdns(ctx)[0] != '\0')
            return false;
        if (ctx->res->handoff.hop < 0 && ctx->session->client_resolve == OT_RESOLVE_FORGED)
            return false;   /* a name exists, it just does not confirm */
    }
    ot_hit_set(hit, client_hop(ctx), "client %s has no reverse DNS name", ctx->res->handoff.ip);
    return true;
}

bool ot_check_RDNS_DYNAMIC(const ot_ctx *ctx, ot_hit *hit)
{
    const char *name = client_rdns(ctx);

    if (!ctx->res->handoff.present || name[0] == '\0')
        return false;
    if (name == ctx->res->handoff.rdns && ctx->res->handoff_dynamic >= 0 ? !ctx->res->handoff_dynamic
                                                                          : !ot_host_looks_dynamic(ctx->cfg, name, &ctx->res->handoff.addr))
        return false;
    ot_hit_set(hit, client_hop(ctx), "client %s is %s, an end-user style name",
               ctx->res->handoff.ip, name);
    return true;
}

bool ot_check_FCRDNS_FAIL(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;
    const char *why = NULL;

    if (!r->handoff.present)
        return false;
    if (ctx->ev->fcrdns == OT_EV_NO)
        why = "lookup";
    else if (ctx->ev->fcrdns == OT_EV_UNKNOWN) {
        if (r->handoff.hop < 0 && ctx->session->client_resolve == OT_RESOLVE_FORGED)
            why = "MTA";
        else if (r->handoff.hop >= 0 && (r->hops[r->handoff.hop].flags & OT_HOP_MAY_BE_FORGED))
            why = "Received line";
    }
    if (why == NULL)
        return false;
    ot_hit_set(hit, client_hop(ctx), "reverse name of %s does not resolve back to it (%s)",
               r->handoff.ip, why);
    return true;
}

bool ot_check_DNSBL_LISTED(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_evidence *ev = ctx->ev;

    if (ev->ndnsbl == 0)
        return false;
    ot_hit_set(hit, client_hop(ctx), "%s listed in %s (%s)%s", ctx->res->handoff.ip,
               ev->dnsbl[0].zone, ev->dnsbl[0].code, ev->ndnsbl > 1 ? " and more" : "");
    return true;
}
