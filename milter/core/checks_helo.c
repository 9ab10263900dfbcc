/*
 * checks_helo.c - signals about the name the handoff host gave.
 *
 * The HELO judged is the live session's, or offline the one the handoff
 * line records. The shape checks are exclusive, most specific first: a
 * bare address is not also "not a FQDN". Names come from the attacker:
 * details quote them only through ot_hit_set, which sanitizes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "hostname.h"
#include "sanitize.h"

const char *ot_checked_helo(const ot_ctx *ctx, size_t *len, bool *present)
{
    const ot_session *s = ctx->session;
    const ot_result *r = ctx->res;

    if (r->handoff.present && r->handoff.hop < 0) {
        *present = s->helo_seen && s->helo_len > 0;
        *len = s->helo_len;
        return s->helo;
    }
    if (r->handoff.present) {
        const char *h = r->hops[r->handoff.hop].from_helo;
        *len = strlen(h);
        *present = *len > 0;
        return h;
    }
    *len = 0;
    *present = false;
    return "";
}

/* A HELO quoted in a detail is one token: no spaces, ';' or controls */
static const char *helo_token(char *buf, size_t size, const char *h, size_t len)
{
    ot_sanitize_token(buf, size, h, len);
    return buf;
}

static int helo_hop(const ot_ctx *ctx)
{
    return ctx->res->handoff.present ? ctx->res->handoff.hop : -1;
}

/* bytes outside what any MTA would write in a host name or literal */
static bool helo_has_bad_bytes(const char *h, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c <= 0x20 || c >= 0x7f)
            return true;
    }
    return false;
}

enum helo_shape { SHAPE_NONE, SHAPE_BARE_IP, SHAPE_LITERAL, SHAPE_LOCALHOST, SHAPE_INVALID,
                  SHAPE_SHORT, SHAPE_FQDN };

static enum helo_shape classify(const ot_ctx *ctx, ot_addr *lit)
{
    size_t len;
    bool present;
    const char *h = ot_checked_helo(ctx, &len, &present);

    lit->family = 0;
    if (!present)
        return SHAPE_NONE;
    if (ctx->res->handoff.hop < 0 && ctx->session->helo_overlong)
        return SHAPE_INVALID;
    if (helo_has_bad_bytes(h, len))
        return SHAPE_INVALID;
    if (ot_host_is_localhost(h, len))
        return SHAPE_LOCALHOST;
    if (ot_host_is_literal(h, len, lit)) {
        if (lit->family == 0)
            return SHAPE_INVALID;
        return ot_addr_is_loopback(lit) ? SHAPE_LOCALHOST : SHAPE_LITERAL;
    }
    if (ot_host_is_bare_ip(h, len, lit))
        return ot_addr_is_loopback(lit) ? SHAPE_LOCALHOST : SHAPE_BARE_IP;
    if (!ot_host_is_valid(h, len))
        return SHAPE_INVALID;
    if (!ot_host_is_fqdn(h, len))
        return SHAPE_SHORT;
    return SHAPE_FQDN;
}

bool ot_check_HELO_MISSING(const ot_ctx *ctx, ot_hit *hit)
{
    /* offline, a line without a HELO may only mean its writer omits it */
    if (!ctx->res->handoff.present || ctx->res->handoff.hop >= 0)
        return false;
    if (ctx->session->helo_seen && ctx->session->helo_len > 0)
        return false;
    ot_hit_set(hit, -1, "client %s sent no HELO/EHLO name", ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_BARE_IP(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];

    if (classify(ctx, &lit) != SHAPE_BARE_IP)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    ot_hit_set(hit, helo_hop(ctx), "HELO %s is a bare address, not a name or [literal]",
               helo_token(tok, sizeof tok, h, len));
    return true;
}

bool ot_check_HELO_LITERAL_MISMATCH(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    char text[OT_IPTEXT_SIZE];

    if (classify(ctx, &lit) != SHAPE_LITERAL || ctx->res->handoff.addr.family == 0)
        return false;
    if (ot_addr_equal(&lit, &ctx->res->handoff.addr))
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO [%s] but the client is %s",
               ot_addr_format(&lit, text, sizeof text), ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_NOT_FQDN(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];

    if (classify(ctx, &lit) != SHAPE_SHORT)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    ot_hit_set(hit, helo_hop(ctx), "HELO %s is not a fully qualified name",
               helo_token(tok, sizeof tok, h, len));
    return true;
}

bool ot_check_HELO_INVALID(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];

    if (classify(ctx, &lit) != SHAPE_INVALID)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    ot_hit_set(hit, helo_hop(ctx), "HELO %s%s is not a valid host name or address literal",
               helo_token(tok, 52, h, len > 48 ? 48 : len), len > 48 ? "..." : "");
    return true;
}

bool ot_check_HELO_LOCALHOST(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];

    if (classify(ctx, &lit) != SHAPE_LOCALHOST)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    ot_hit_set(hit, helo_hop(ctx), "HELO %s names the loopback host from %s",
               helo_token(tok, sizeof tok, h, len), ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_OURS(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];
    enum helo_shape shape = classify(ctx, &lit);

    h = ot_checked_helo(ctx, &len, &present);
    if (shape == SHAPE_FQDN || shape == SHAPE_SHORT) {
        if (!ot_host_in_list(h, &ctx->cfg->local_hostnames))
            return false;
    } else if (shape == SHAPE_LITERAL || shape == SHAPE_BARE_IP) {
        if (!ot_cidr_list_contains(&ctx->cfg->trusted, &lit))
            return false;
    } else {
        return false;
    }
    ot_hit_set(hit, helo_hop(ctx), "HELO %s claims to be one of our hosts, from %s",
               helo_token(tok, sizeof tok, h, len), ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_PROVIDER_FORGED(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];
    const char *rdns = ctx->res->handoff.rdns;
    int provider;

    if (classify(ctx, &lit) != SHAPE_FQDN)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    provider = ot_host_provider(ctx->cfg, h);
    if (provider < 0)
        return false;
    if (rdns[0] != '\0' && ot_host_in_list(rdns, &ctx->cfg->providers[provider].domains))
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s claims %s, but %s is %s",
               helo_token(tok, sizeof tok, h, len), ctx->cfg->providers[provider].name,
               ctx->res->handoff.ip, rdns[0] != '\0' ? rdns : "without reverse DNS");
    return true;
}

bool ot_check_HELO_NXDOMAIN(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];

    if (ctx->ev->helo_resolves != OT_EV_NO || classify(ctx, &lit) != SHAPE_FQDN)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    ot_hit_set(hit, helo_hop(ctx), "HELO %s does not exist in DNS", helo_token(tok, sizeof tok, h, len));
    return true;
}

bool ot_check_HELO_MISMATCH(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];

    if (ctx->ev->helo_resolves != OT_EV_YES || ctx->ev->helo_matches != OT_EV_NO ||
        classify(ctx, &lit) != SHAPE_FQDN)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    ot_hit_set(hit, helo_hop(ctx), "HELO %s resolves, but not to %s",
               helo_token(tok, sizeof tok, h, len), ctx->res->handoff.ip);
    return true;
}

/* The offline cousin of HELO_MISMATCH: the name the client gave belongs
 * to another organisation than the reverse name our side recorded for
 * its address. Honest servers announce their own name. */
bool ot_check_HELO_RDNS_MISMATCH(const ot_ctx *ctx, ot_hit *hit)
{
    ot_addr lit;
    size_t len;
    bool present;
    const char *h;
    char tok[72];
    const char *rdns = ctx->res->handoff.rdns;
    const char *org_h, *org_r;

    if (rdns[0] == '\0' || classify(ctx, &lit) != SHAPE_FQDN)
        return false;
    h = ot_checked_helo(ctx, &len, &present);
    if (ot_host_provider(ctx->cfg, h) >= 0)
        return false;   /* HELO_PROVIDER_FORGED speaks for that case */
    org_h = ot_host_org_domain(h);
    org_r = ot_host_org_domain(rdns);
    if (ot_host_equal(org_h, org_r))
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s but %s is %s", helo_token(tok, sizeof tok, h, len),
               ctx->res->handoff.ip, rdns);
    return true;
}

/* Our writer recorded "with SMTP": the client greeted with HELO, not
 * EHLO. Every MTA and mail client of the last twenty years says EHLO;
 * bulk tools often do not. The live session does not show the greeting
 * to a milter, so this fires offline only. */
bool ot_check_HELO_LEGACY(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    if (!r->handoff.present || r->handoff.hop < 0)
        return false;
    if (strcasecmp(r->hops[r->handoff.hop].with, "SMTP") != 0)
        return false;
    ot_hit_set(hit, r->handoff.hop, "client %s greeted with HELO, not EHLO", r->handoff.ip);
    return true;
}
