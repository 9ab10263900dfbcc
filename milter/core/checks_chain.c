/*
 * checks_chain.c - signals about the Received lines below the boundary
 * and about the kind of path they describe.
 *
 * Only claims are judged: lines written by our trusted side are facts.
 * Dates are compared with a tolerance (ClockSkewMinutes) because honest
 * clocks drift; a reversal or a future date beyond it is a sign that a
 * line was written by someone other than the host it names.
 */
#include <string.h>

#include "checks.h"
#include "hostname.h"

/* the first index at or below which lines are claims, with the handoff
 * line included (its date and by are ours, its from is the peer's) */
static size_t claims_start(const ot_ctx *ctx)
{
    return (size_t)ctx->res->boundary;
}

bool ot_check_CHAIN_BREAK(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;
    size_t first = 0, count = 0;

    for (size_t i = claims_start(ctx); i < r->nhops; i++)
        if (r->breaks[i] && count++ == 0)
            first = i;
    if (count == 0)
        return false;
    ot_hit_set(hit, (int)first, "hop %zu says it was written by %s, which the line above does not name%s",
               first, r->hops[first].by, count > 1 ? " (and more breaks below)" : "");
    return true;
}

bool ot_check_RCVD_FORGED_OURS(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    for (size_t i = claims_start(ctx); i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];
        bool ours = h->by[0] != '\0' && ot_host_is_local(ctx->cfg, h->by);

        if (!ours && h->from_addr.family != 0 && !(h->flags & OT_HOP_IP_FROM_HELO) &&
            !ot_addr_is_loopback(&h->from_addr) && ot_addr_is_unroutable(&h->from_addr) == false &&
            ot_cidr_list_contains(&ctx->cfg->trusted, &h->from_addr))
            ours = true;  /* a claim that one of our relays handed it on */
        if (ours) {
            ot_hit_set(hit, (int)i, "hop %zu below the trust boundary claims our host %s", i,
                       h->by[0] != '\0' ? h->by : h->from_ip);
            return true;
        }
    }
    return false;
}

bool ot_check_RCVD_DATE_REVERSED(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;
    int64_t tolerance = (int64_t)ctx->cfg->future_minutes * 60;
    /* -1: the session, or no handoff (hop is then not set): compare with received_at */
    int upper = r->handoff.present ? r->handoff.hop : -1;
    int64_t upper_date = upper >= 0 && r->hops[upper].has_date ? r->hops[upper].date.epoch
                                                               : r->received_at;

    for (size_t i = claims_start(ctx); i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];

        if (!h->has_date)
            continue;
        if (upper_date != 0 && h->date.epoch > upper_date + tolerance) {
            ot_hit_set(hit, (int)i, "hop %zu is dated %lld min after the line above it", i,
                       (long long)((h->date.epoch - upper_date) / 60));
            return true;
        }
        upper_date = h->date.epoch;
    }
    return false;
}

bool ot_check_RCVD_DATE_FUTURE(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;
    int64_t ref = r->received_at != 0 ? r->received_at : ctx->now;
    int64_t tolerance = (int64_t)ctx->cfg->future_minutes * 60;

    if (ref == 0 || !r->handoff.present)
        return false;
    /* lines above the boundary are ours and later by nature */
    for (size_t i = r->handoff.hop >= 0 ? (size_t)r->handoff.hop : 0; i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];

        if (h->has_date && h->date.epoch > ref + tolerance) {
            ot_hit_set(hit, (int)i, "hop %zu is dated %lld h after the message arrived", i,
                       (long long)((h->date.epoch - ref) / 3600));
            return true;
        }
    }
    return false;
}

bool ot_check_RCVD_PRIVATE_IP(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    /* the peer our own side saw: a public MX does not hear from private space */
    if (r->handoff.present && r->handoff.addr.family != 0 && ot_addr_is_unroutable(&r->handoff.addr) &&
        !ot_addr_is_loopback(&r->handoff.addr)) {
        ot_hit_set(hit, r->handoff.hop, "handoff %s is a private or reserved address outside TrustedRelays",
                   r->handoff.ip);
        return true;
    }
    /* a claim naming an address that exists on no network at all, or a
     * line "by" one of our hosts recording a private peer: our private
     * neighbours are in TrustedRelays, so that line was made up */
    for (size_t i = claims_start(ctx); i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];

        if (h->from_addr.family == 0 || ot_addr_is_loopback(&h->from_addr) ||
            !ot_addr_is_unroutable(&h->from_addr))
            continue;
        /* a host recording its own link-local traffic (Exchange's mapi
         * hops) names itself on both sides */
        if (!ot_addr_is_private(&h->from_addr) &&
            !(h->by[0] != '\0' && ot_host_equal(h->by, h->from_helo))) {
            ot_hit_set(hit, (int)i, "hop %zu claims a peer at reserved address %s", i, h->from_ip);
            return true;
        }
        if (h->by[0] != '\0' && ot_host_is_local(ctx->cfg, h->by)) {
            ot_hit_set(hit, (int)i, "hop %zu claims our host %s took it from private address %s",
                       i, h->by, h->from_ip);
            return true;
        }
    }
    return false;
}

bool ot_check_RCVD_UNPARSEABLE(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    for (size_t i = claims_start(ctx); i < r->nhops; i++)
        if (!r->hops[i].parsed) {
            ot_hit_set(hit, (int)i, "hop %zu is not a Received line any MTA writes", i);
            return true;
        }
    return false;
}

bool ot_check_RCVD_TOO_MANY(const ot_ctx *ctx, ot_hit *hit)
{
    if (ctx->res->received_total <= ctx->cfg->max_received)
        return false;
    ot_hit_set(hit, -2, "%zu Received lines (more than %u)", ctx->res->received_total,
               ctx->cfg->max_received);
    return true;
}

bool ot_check_PATH_OPEN_RELAY(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    if (r->path != OT_PATH_OPEN_RELAY)
        return false;
    ot_hit_set(hit, r->origin_hop, "%s relayed for unrelated end-user address %s", r->handoff.ip,
               r->origin.ip);
    return true;
}

bool ot_check_PATH_DIRECT_DYNAMIC(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;
    const char *rdns = r->handoff.rdns;

    if (r->path != OT_PATH_DIRECT_TO_MX || r->handoff.addr.family == 0)
        return false;
    if (rdns[0] == '\0' || !(r->handoff_dynamic >= 0 ? r->handoff_dynamic
                                                     : ot_host_looks_dynamic(ctx->cfg, rdns, &r->handoff.addr)))
        return false;
    ot_hit_set(hit, r->handoff.hop, "end-user host %s (%s) spoke straight to our MX", r->handoff.ip, rdns);
    return true;
}

bool ot_check_PATH_WEBFORM(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    if (r->path != OT_PATH_WEBFORM)
        return false;
    ot_hit_set(hit, r->origin_hop >= 0 ? r->origin_hop : r->handoff.hop,
               "written by a script on web server %s", r->origin.rdns[0] ? r->origin.rdns : r->origin.ip);
    return true;
}

/* A claim below the boundary in which the peer named a big provider, a
 * loopback name or an address literal that its own recorded address
 * contradicts: bulk tools dress their lines up this way. */
bool ot_check_RCVD_HELO_FORGED(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    for (size_t i = claims_start(ctx); i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];
        size_t len = strlen(h->from_helo);
        ot_addr lit;
        int p;

        if (len == 0 || h->from_addr.family == 0 || (h->flags & OT_HOP_IP_FROM_HELO))
            continue;
        if (ot_addr_is_loopback(&h->from_addr))
            continue;
        p = ot_host_provider(ctx->cfg, h->from_helo);
        /* inside the provider's own network its hosts name each other */
        if (p >= 0 && h->by[0] != '\0' && ot_host_in_provider(ctx->cfg, h->by, p))
            p = -1;
        if (p >= 0 && !(h->from_rdns[0] && ot_host_in_provider(ctx->cfg, h->from_rdns, p))) {
            ot_hit_set(hit, (int)i, "hop %zu: peer %s said HELO %s (%s)", i, h->from_ip, h->from_helo,
                       ctx->cfg->providers[p].name);
            return true;
        }
        if ((ot_host_is_literal(h->from_helo, len, &lit) || ot_host_is_bare_ip(h->from_helo, len, &lit)) &&
            lit.family != 0 && !ot_addr_equal(&lit, &h->from_addr) && !ot_addr_is_unroutable(&lit) &&
            !ot_addr_is_unroutable(&h->from_addr)) {
            ot_hit_set(hit, (int)i, "hop %zu: peer %s said HELO %s", i, h->from_ip, h->from_helo);
            return true;
        }
    }
    return false;
}

/* Evidence for, not against: the path can be followed through at least
 * two claims below the handoff, every line read, every line connecting
 * to the one above it, and time running forward. Forged lines rarely
 * manage all of that; honest relays and mailing lists do it every day. */
bool ot_check_CHAIN_CONSISTENT(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;
    int64_t tolerance = (int64_t)ctx->cfg->future_minutes * 60;
    int64_t upper_date = r->received_at;
    size_t claims = 0;

    if (!r->handoff.present || r->origin_hop < 0)
        return false;
    for (size_t i = claims_start(ctx); i < r->nhops; i++) {
        const ot_hop *h = &r->hops[i];

        if (!h->parsed || r->breaks[i])
            return false;
        if (h->has_date) {
            if (upper_date != 0 && h->date.epoch > upper_date + tolerance)
                return false;
            upper_date = h->date.epoch;
        }
        if (h->from_addr.family != 0 || (h->flags & OT_HOP_LOCAL))
            claims++;
    }
    if (claims < 2)
        return false;
    ot_hit_set(hit, r->origin_hop, "%zu lines below the handoff connect and run forward in time", claims);
    return true;
}
