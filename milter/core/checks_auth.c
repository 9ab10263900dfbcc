/*
 * checks_auth.c - signals from SPF and DKIM results found by lookups.
 *
 * The core does not verify anything here: the daemon (or the analyzer
 * with --dns) runs libspf2 and libopendkim and hands the results over in
 * ot_evidence. A check that did not run never fires.
 */
#include <string.h>

#include "checks.h"
#include "hostname.h"

static bool spf_is(const ot_ctx *ctx, enum ot_spf_result want, ot_hit *hit, const char *word)
{
    if (ctx->ev->spf != want)
        return false;
    ot_hit_set(hit, -1, "SPF %s for %s from %s", word,
               ctx->ev->spf_domain[0] ? ctx->ev->spf_domain : "(helo)", ctx->res->handoff.ip);
    return true;
}

bool ot_check_SPF_FAIL(const ot_ctx *ctx, ot_hit *hit)
{
    return spf_is(ctx, OT_SPF_FAIL, hit, "fail");
}

bool ot_check_SPF_SOFTFAIL(const ot_ctx *ctx, ot_hit *hit)
{
    return spf_is(ctx, OT_SPF_SOFTFAIL, hit, "softfail");
}

bool ot_check_SPF_PASS(const ot_ctx *ctx, ot_hit *hit)
{
    return spf_is(ctx, OT_SPF_PASS, hit, "pass");
}

static bool dkim_any(const ot_ctx *ctx, bool pass, ot_hit *hit)
{
    for (size_t i = 0; i < ctx->ev->ndkim; i++)
        if (ctx->ev->dkim[i].pass == pass) {
            ot_hit_set(hit, -2, "DKIM %s for d=%s%s%s", pass ? "pass" : "fail", ctx->ev->dkim[i].domain,
                       ctx->ev->dkim[i].reason[0] ? ": " : "", ctx->ev->dkim[i].reason);
            return true;
        }
    return false;
}

bool ot_check_DKIM_FAIL(const ot_ctx *ctx, ot_hit *hit)
{
    return dkim_any(ctx, false, hit);
}

bool ot_check_DKIM_PASS(const ot_ctx *ctx, ot_hit *hit)
{
    return dkim_any(ctx, true, hit);
}

bool ot_check_PROVIDER_CLAIM_UNSIGNED(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    if (!ctx->ev->dkim_checked)
        return false;
    for (size_t i = (size_t)r->boundary; i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];
        int p = h->by[0] ? ot_host_provider(ctx->cfg, h->by) : -1;

        if (p < 0)
            continue;
        for (size_t k = 0; k < ctx->ev->ndkim; k++)
            if (ctx->ev->dkim[k].pass &&
                ot_host_in_provider(ctx->cfg, ctx->ev->dkim[k].domain, p))
                return false;
        ot_hit_set(hit, (int)i, "hop %zu claims %s (%s), but no valid %s signature", i,
                   ctx->cfg->providers[p].name, h->by, ctx->cfg->providers[p].name);
        return true;
    }
    return false;
}
