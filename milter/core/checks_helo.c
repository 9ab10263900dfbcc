/*
 * checks_helo.c - signals about the name the handoff host gave.
 *
 * The HELO judged is the live session's, or offline the one the handoff
 * line records. The shape checks are exclusive, most specific first: a
 * bare address is not also "not a FQDN". The HELO is classified once
 * per message (ot_helo_classify); names come from the attacker, so a
 * detail quotes only the view's sanitized token.
 */
#include <string.h>
#include <strings.h>

#include "checks.h"
#include "hostname.h"
#include "sanitize.h"

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

static enum ot_helo_shape classify(const char *h, size_t len, bool overlong, ot_addr *lit)
{
    if (len == 0)
        return OT_HELO_ABSENT;
    if (overlong || helo_has_bad_bytes(h, len))
        return OT_HELO_INVALID;
    if (ot_host_is_localhost(h, len))
        return OT_HELO_LOCALHOST;
    if (ot_host_is_literal(h, len, lit)) {
        if (lit->family == 0)
            return OT_HELO_INVALID;
        return ot_addr_is_loopback(lit) ? OT_HELO_LOCALHOST : OT_HELO_LITERAL;
    }
    if (ot_host_is_bare_ip(h, len, lit))
        return ot_addr_is_loopback(lit) ? OT_HELO_LOCALHOST : OT_HELO_BARE_IP;
    /* a FQDN is valid by definition: test that first, so most HELOs are
     * validated once */
    if (ot_host_is_fqdn(h, len))
        return OT_HELO_FQDN;
    if (!ot_host_is_valid(h, len))
        return OT_HELO_INVALID;
    return OT_HELO_SHORT;
}

void ot_helo_classify(const ot_ctx *ctx, ot_helo_view *view)
{
    const ot_session *s = ctx->session;
    const ot_result *r = ctx->res;
    bool overlong = false;

    memset(view, 0, sizeof *view);
    view->text = "";
    if (r->handoff.present && r->handoff.hop < 0) {
        if (s->helo_seen) {
            view->text = s->helo;
            view->len = s->helo_len;
            overlong = s->helo_overlong;
        }
    } else if (r->handoff.present) {
        view->text = r->hops[r->handoff.hop].from_helo;
        view->len = strlen(view->text);
    }
    view->shape = classify(view->text, view->len, overlong, &view->literal);
    /* two checks ask which provider a FQDN HELO names: ask once */
    view->provider = view->shape == OT_HELO_FQDN ? ot_host_provider(ctx->cfg, view->text) : -1;
    /* one token (no spaces, ';' or controls), so a quote cannot pass for
     * more of the detail than it is */
    ot_sanitize_token(view->token, OT_HELO_QUOTE + 1, view->text,
                      view->len > OT_HELO_QUOTE ? OT_HELO_QUOTE : view->len);
    if (view->len > OT_HELO_QUOTE)
        strcat(view->token, "...");
}

static int helo_hop(const ot_ctx *ctx)
{
    return ctx->res->handoff.present ? ctx->res->handoff.hop : -1;
}

/* The shape checks: fire when the HELO has that shape. */
static bool fire_on_shape(const ot_ctx *ctx, ot_hit *hit, enum ot_helo_shape shape, const char *what)
{
    if (ctx->res->helo.shape != shape)
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s %s", ctx->res->helo.token, what);
    return true;
}

bool ot_check_HELO_MISSING(const ot_ctx *ctx, ot_hit *hit)
{
    /* offline, a line without a HELO may only mean its writer omits it */
    if (!ctx->res->handoff.present || ctx->res->handoff.hop >= 0)
        return false;
    if (ctx->res->helo.shape != OT_HELO_ABSENT)
        return false;
    ot_hit_set(hit, -1, "client %s sent no HELO/EHLO name", ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_BARE_IP(const ot_ctx *ctx, ot_hit *hit)
{
    return fire_on_shape(ctx, hit, OT_HELO_BARE_IP, "is a bare address, not a name or [literal]");
}

bool ot_check_HELO_NOT_FQDN(const ot_ctx *ctx, ot_hit *hit)
{
    return fire_on_shape(ctx, hit, OT_HELO_SHORT, "is not a fully qualified name");
}

bool ot_check_HELO_INVALID(const ot_ctx *ctx, ot_hit *hit)
{
    return fire_on_shape(ctx, hit, OT_HELO_INVALID, "is not a valid host name or address literal");
}

bool ot_check_HELO_LITERAL_MISMATCH(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_helo_view *h = &ctx->res->helo;
    char text[OT_IPTEXT_SIZE];

    if (h->shape != OT_HELO_LITERAL || ctx->res->handoff.addr.family == 0)
        return false;
    if (ot_addr_equal(&h->literal, &ctx->res->handoff.addr))
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO [%s] but the client is %s",
               ot_addr_format(&h->literal, text, sizeof text), ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_LOCALHOST(const ot_ctx *ctx, ot_hit *hit)
{
    if (ctx->res->helo.shape != OT_HELO_LOCALHOST)
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s names the loopback host from %s", ctx->res->helo.token,
               ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_OURS(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_helo_view *h = &ctx->res->helo;

    switch (h->shape) {
    case OT_HELO_FQDN:
    case OT_HELO_SHORT:
        if (!ot_host_is_local(ctx->cfg, h->text))
            return false;
        break;
    case OT_HELO_LITERAL:
    case OT_HELO_BARE_IP:
        if (!ot_cidr_list_contains(&ctx->cfg->trusted, &h->literal))
            return false;
        break;
    default:
        return false;
    }
    ot_hit_set(hit, helo_hop(ctx), "HELO %s claims to be one of our hosts, from %s", h->token,
               ctx->res->handoff.ip);
    return true;
}

bool ot_check_HELO_PROVIDER_FORGED(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_helo_view *h = &ctx->res->helo;
    const char *rdns = ctx->res->handoff.rdns;
    int provider;

    if (h->shape != OT_HELO_FQDN)
        return false;
    provider = h->provider;
    if (provider < 0)
        return false;
    if (rdns[0] != '\0' && ot_host_in_provider(ctx->cfg, rdns, provider))
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s claims %s, but %s is %s", h->token,
               ctx->cfg->providers[provider].name, ctx->res->handoff.ip,
               rdns[0] != '\0' ? rdns : "without reverse DNS");
    return true;
}

bool ot_check_HELO_NXDOMAIN(const ot_ctx *ctx, ot_hit *hit)
{
    if (ctx->ev->helo_resolves != OT_EV_NO)
        return false;
    return fire_on_shape(ctx, hit, OT_HELO_FQDN, "does not exist in DNS");
}

bool ot_check_HELO_MISMATCH(const ot_ctx *ctx, ot_hit *hit)
{
    if (ctx->ev->helo_resolves != OT_EV_YES || ctx->ev->helo_matches != OT_EV_NO ||
        ctx->res->helo.shape != OT_HELO_FQDN)
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s resolves, but not to %s", ctx->res->helo.token,
               ctx->res->handoff.ip);
    return true;
}

/* The offline cousin of HELO_MISMATCH: the name the client gave belongs
 * to another organisation than the reverse name our side recorded for
 * its address. Honest servers announce their own name. */
bool ot_check_HELO_RDNS_MISMATCH(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_helo_view *h = &ctx->res->helo;
    const char *rdns = ctx->res->handoff.rdns;

    if (rdns[0] == '\0' || h->shape != OT_HELO_FQDN)
        return false;
    if (h->provider >= 0)
        return false;   /* HELO_PROVIDER_FORGED speaks for that case */
    if (ot_host_equal(ot_host_org_domain(h->text), ot_host_org_domain(rdns)))
        return false;
    ot_hit_set(hit, helo_hop(ctx), "HELO %s but %s is %s", h->token, ctx->res->handoff.ip, rdns);
    return true;
}

/* Does the message carry the fields a list manager writes (RFC 2369's
 * List-Help .. List-Archive, RFC 2919's List-Id, and the older
 * Mailing-List of ezmlm)? One pass over the field names. */
static bool message_from_list_manager(const ot_message *m)
{
    for (size_t k = 0; k < m->count; k++) {
        const ot_field *f = &m->fields[k];

        if (f->name_len > 5 && strncasecmp(f->name, "List-", 5) == 0) {
            static const char *const list_fields[] = {
                "Id", "Help", "Unsubscribe", "Subscribe", "Post", "Owner", "Archive", NULL,
            };
            for (size_t i = 0; list_fields[i] != NULL; i++)
                if (strcasecmp(f->name + 5, list_fields[i]) == 0)
                    return true;
        } else if (f->name_len == 12 && strcasecmp(f->name, "Mailing-List") == 0) {
            return true;
        }
    }
    return false;
}

/* Is any claim below the boundary out of line with the one above it? */
static bool chain_has_break(const ot_result *r)
{
    for (size_t i = (size_t)r->boundary; i < r->nhops; i++)
        if (r->breaks[i])
            return true;
    return false;
}

/* Our writer recorded "with SMTP": the client greeted with HELO, not
 * EHLO. Every MTA and mail client of the last twenty years says EHLO;
 * bulk tools often do not. The live session does not show the greeting
 * to a milter, so this fires offline only.
 *
 * List servers are the known exception: many list managers still post
 * through an SMTP client that says HELO (ezmlm over qmail, ListSTAR,
 * the ListManager family), and the greeting of a list server tells
 * nothing about who wrote the post. A message that carries a list
 * manager's fields is taken as coming from one, but only while its
 * trace holds together: a made-up chain below the handoff says that
 * the fields, which anyone can write, are made up too. */
bool ot_check_HELO_LEGACY(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_result *r = ctx->res;

    if (!r->handoff.present || r->handoff.hop < 0)
        return false;
    if (strcasecmp(r->hops[r->handoff.hop].with, "SMTP") != 0)
        return false;
    if (message_from_list_manager(ctx->msg) && !chain_has_break(r))
        return false;
    ot_hit_set(hit, r->handoff.hop, "client %s greeted with HELO, not EHLO", r->handoff.ip);
    return true;
}
