/*
 * chain.c - trust, handoff, breaks, origin and path of a Received chain.
 *
 * The only line a sender cannot forge is the one our own side writes; so
 * the walk starts at the top and moves down only while the peer recorded
 * by a trusted writer is itself trusted. The first untrusted peer is the
 * handoff. Below it every line is a claim: a claim is believed only while
 * it connects to the line above it (its writer is the host the line above
 * says handed the message over), and the origin is the deepest host
 * reached that way. Connection is judged leniently where a name tells
 * nothing (unqualified names, localhost, internal TLDs): a break is only
 * declared when two public names plainly disagree.
 */
#include "chain.h"

#include <string.h>
#include <strings.h>

#include "hostname.h"
#include "sanitize.h"

static bool addr_trusted(const ot_config *cfg, const ot_addr *a)
{
    return a->family != 0 && (ot_addr_is_loopback(a) || ot_cidr_list_contains(&cfg->trusted, a));
}

/* A hop with no network peer (local pickup, "by" only) or one we could
 * not read tells nothing about who handed the message over: the walk
 * steps over it, as the hop had not been there. */
static bool hop_has_peer(const ot_hop *h)
{
    return h->parsed && h->from_addr.family != 0 && !(h->flags & OT_HOP_IP_FROM_HELO);
}

/* A hop's string into an endpoint field of the same size, up to its NUL:
 * the strings are short and the buffers are not. */
static void copy_field(char *dst, const char *src, size_t size)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void endpoint_from_hop(ot_endpoint *e, const ot_hop *h, int index)
{
    _Static_assert(sizeof e->ip == sizeof h->from_ip && sizeof e->rdns == sizeof h->from_rdns &&
                   sizeof e->helo == sizeof h->from_helo, "endpoint and hop fields differ in size");
    /* every field is set below: no clearing of the whole */
    e->present = true;
    e->hop = index;
    e->addr = h->from_addr;
    copy_field(e->ip, h->from_ip, sizeof e->ip);
    copy_field(e->rdns, h->from_rdns, sizeof e->rdns);
    copy_field(e->helo, h->from_helo, sizeof e->helo);
}

static void endpoint_from_session(ot_endpoint *e, const ot_session *s)
{
    memset(e, 0, sizeof *e);
    e->present = true;
    e->hop = -1;
    e->addr = s->client_addr;
    if (s->client_addr.family != 0)
        ot_addr_format(&s->client_addr, e->ip, sizeof e->ip);
    memcpy(e->rdns, s->client_rdns, sizeof e->rdns);
    ot_sanitize(e->helo, sizeof e->helo, s->helo, s->helo_len);
}

void ot_chain_trust(const ot_ctx *ctx, ot_result *res)
{
    const ot_session *s = ctx->session;
    size_t i = 0;

    res->boundary = (int)res->nhops;
    res->handoff.present = false;
    for (size_t k = 0; k < res->nhops; k++)
        res->trust[k] = res->hops[k].parsed ? OT_TRUST_UNTRUSTED : OT_TRUST_UNPARSED;

    if (s->present && !s->client_is_local && !addr_trusted(ctx->cfg, &s->client_addr)) {
        /* the live client is the handoff; every line in the message is a claim */
        endpoint_from_session(&res->handoff, s);
        res->boundary = 0;
        return;
    }
    /* offline, or the live client is one of ours: the message's own top
     * lines were written by our side and are read as such */
    for (i = 0; i < res->nhops; i++) {
        const ot_hop *h = &res->hops[i];

        if (!h->parsed) {
            /* a line our side wrote but we cannot read (a HELO with a
             * stray parenthesis does that): the walk stops here rather
             * than step over it into lines a sender may have made up */
            res->boundary = (int)i;
            return;
        }
        /* a POP/IMAP retrieval line records our own fetcher taking mail
         * from our own mailbox: no handover to judge, so the walk steps
         * over it whoever the mailbox server is */
        if (!hop_has_peer(h) || (h->flags & OT_HOP_FETCH)) {
            res->trust[i] = OT_TRUST_TRUSTED;
            continue;
        }
        res->trust[i] = OT_TRUST_TRUSTED;
        if (!addr_trusted(ctx->cfg, &h->from_addr)) {
            endpoint_from_hop(&res->handoff, h, (int)i);
            res->boundary = (int)i + 1;
            return;
        }
    }
    res->boundary = (int)res->nhops;
}

/* Names that cannot be checked against anything: no verdict from them. */
static bool name_is_opaque(const char *name)
{
    static const char *const internal_tlds[] = {
        "local", "lan", "internal", "localdomain", "corp", "home", "intranet", "intra",
        "priv", "private", NULL,
    };
    size_t len = strlen(name);
    const char *dot = memrchr(name, '.', len);
    ot_addr ignored;

    if (len == 0 || dot == NULL || ot_host_is_localhost(name, len) ||
        ot_addr_parse(name, len, &ignored))
        return true;
    /* ".local" and the others end the name after something: the last label
     * is one of them and a dot stands before it, not at the very start */
    if (dot == name)
        return false;
    size_t last = len - (size_t)(dot + 1 - name);
    for (size_t i = 0; internal_tlds[i] != NULL; i++)
        if ((dot[1] >= 'A' && dot[1] <= 'Z' ? dot[1] - 'A' + 'a' : dot[1]) == internal_tlds[i][0] &&
            strlen(internal_tlds[i]) == last && strncasecmp(dot + 1, internal_tlds[i], last) == 0)
            return true;
    return false;
}

/* Same organisation: equal names or the same registered-looking domain. */
/* A name with what same_org() compares worked out once: its length and
 * its registered-looking domain, each without one trailing dot (as
 * ot_host_equal reads them). A connection test compares one name with
 * two or three others; measuring each again per comparison cost more
 * than the comparisons. */
typedef struct org_name {
    const char *name;
    size_t len;
    const char *org;
    size_t org_len;
} org_name;

static org_name org_name_of(const char *name)
{
    org_name n = { name, 0, name, 0 };

    if (name[0] == '\0')
        return n;              /* same_org() looks no further */
    n.len = strlen(name);
    size_t end = name[n.len - 1] == '.' ? n.len - 1 : n.len;
    n.org = ot_host_org_domain(name);
    /* both strings end where the name ends: strip the one dot from both */
    n.len = end;
    n.org_len = (size_t)(name + end - n.org);
    return n;
}

static bool equal_names(const char *a, size_t la, const char *b, size_t lb)
{
    return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

/* Same organisation: equal names or the same registered-looking domain. */
static bool same_org(const org_name *a, const org_name *b)
{
    if (a->name[0] == '\0' || b->name[0] == '\0')
        return false;
    return equal_names(a->name, a->len, b->name, b->len) ||
           equal_names(a->org, a->org_len, b->org, b->org_len);
}

static bool same_org_text(const char *a, const char *b)
{
    if (a[0] == '\0' || b[0] == '\0')
        return false;
    org_name x = org_name_of(a), y = org_name_of(b);
    return same_org(&x, &y);
}

/* the upper line's two names, for names_agree() */
typedef struct upper_names {
    org_name rdns, helo;
} upper_names;

static upper_names upper_names_of(const ot_hop *upper)
{
    upper_names u = { org_name_of(upper->from_rdns), org_name_of(upper->from_helo) };
    return u;
}

static bool names_agree(const org_name *name, const upper_names *upper)
{
    return same_org(name, &upper->rdns) || same_org(name, &upper->helo);
}

/* The peer gave an address instead of a name ("[192.0.2.1]", "192.0.2.1") */
static bool helo_is_address(const char *helo)
{
    ot_addr ignored;
    size_t len = strlen(helo);

    return len > 0 && ot_addr_parse(helo, len, &ignored);
}

bool ot_chain_connects(const ot_hop *upper, const ot_hop *lower)
{
    const char *by = lower->by;
    ot_addr by_addr;
    size_t by_len = strlen(by);

    if (by_len == 0)
        return true;               /* nothing claimed, nothing contradicted */
    if (ot_addr_parse(by, by_len, &by_addr)) {
        if (upper->from_addr.family == 0)
            return true;
        return ot_addr_equal(&by_addr, &upper->from_addr) || ot_addr_is_unroutable(&by_addr);
    }
    if (name_is_opaque(by))
        return true;
    org_name by_name = org_name_of(by);
    upper_names up = upper_names_of(upper);
    if (names_agree(&by_name, &up))
        return true;
    /* a host that passed the message to itself over loopback names itself
     * in the from clause too */
    if (ot_addr_is_loopback(&lower->from_addr)) {
        org_name lower_helo = org_name_of(lower->from_helo), lower_rdns = org_name_of(lower->from_rdns);
        if (names_agree(&lower_helo, &up) || names_agree(&lower_rdns, &up))
            return true;
    }
    /* a break needs a specific public name for the peer that disagrees:
     * its HELO, or, when it greeted with a bare address, its reverse name.
     * An unqualified or internal HELO proves nothing either way. */
    if (!name_is_opaque(upper->from_helo))
        return false;
    if (helo_is_address(upper->from_helo) && !name_is_opaque(upper->from_rdns))
        return false;
    return true;
}

void ot_chain_breaks(const ot_ctx *ctx, ot_result *res)
{
    int upper = -1;

    memset(res->breaks, 0, sizeof res->breaks);
    if (res->boundary <= 0 && !res->handoff.present)
        return;
    /* the line that records the handoff connects to the first claim below
     * it; with a live session the session itself is that upper line */
    upper = res->handoff.hop;
    for (size_t i = (size_t)res->boundary; i < res->nhops; i++) {
        ot_hop session_hop;
        const ot_hop *up;
        const ot_hop *h = &res->hops[i];

        if (!h->parsed)
            continue;
        if (upper < 0) {
            memset(&session_hop, 0, sizeof session_hop);
            session_hop.from_addr = res->handoff.addr;
            memcpy(session_hop.from_rdns, res->handoff.rdns, sizeof session_hop.from_rdns);
            memcpy(session_hop.from_helo, res->handoff.helo, sizeof session_hop.from_helo);
            up = &session_hop;
        } else {
            up = &res->hops[upper];
        }
        /* our own hosts write only above the boundary */
        if (!ot_chain_connects(up, h) ||
            (h->by[0] != '\0' && ot_host_is_local(ctx->cfg, h->by)))
            res->breaks[i] = true;
        /* a local line (no peer) is still a writer: it takes the upper role */
        upper = (int)i;
    }
}

/* a line with no network peer (a local program) or written by a web
 * front end: where a script's mail enters the chain */
static bool is_local_or_web_line(const ot_hop *h)
{
    return (h->flags & (OT_HOP_LOCAL | OT_HOP_HTTP)) != 0;
}

/* header fields that only scripts on web servers write */
static bool message_has_web_script_marks(const ot_message *m)
{
#define FIELD(name) { name, sizeof(name) - 1 }
    static const struct {
        const char *name;
        size_t len;
    } fields[] = {
        FIELD("X-PHP-Originating-Script"), FIELD("X-PHP-Script"), FIELD("X-PHP-Filename"),
        FIELD("X-Source-Args"), FIELD("X-Web-Form"),
    };
#undef FIELD
    const ot_field *mailer = NULL;

    /* one pass over the fields, not one per name: all of them begin "X-",
     * and the lengths settle most comparisons */
    for (size_t k = 0; k < m->count; k++) {
        const ot_field *f = &m->fields[k];
        if (f->name_len < 2 || (f->name[0] != 'X' && f->name[0] != 'x') || f->name[1] != '-')
            continue;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (f->name_len == fields[i].len && strcasecmp(f->name, fields[i].name) == 0)
                return true;
        if (mailer == NULL && f->name_len == 8 && strcasecmp(f->name, "X-Mailer") == 0)
            mailer = f;
    }
    if (mailer != NULL &&
        (strcasestr(mailer->value, "php") != NULL || strcasestr(mailer->value, "formmail") != NULL))
        return true;
    return false;
}

/* The registered name without its public suffix: "example" for both
 * "mail.example.com" and "dsl.example.net". */
static size_t brand_of(const char *name, const char **brand)
{
    org_name n = org_name_of(name);
    const char *dot = memchr(n.org, '.', n.org_len);

    *brand = n.org;
    return dot == NULL ? 0 : (size_t)(dot - n.org);
}

/* Same organisation, or one organisation under two suffixes. Providers
 * often name their mail servers under one suffix and their customers'
 * lines under another ("mail.example.net" relaying for
 * "dsl-1.example.com"); a relay serving such a customer is serving its
 * own. Names too short to be distinctive are not matched this way. */
static bool same_org_or_brand(const char *a, const char *b)
{
    enum { MIN_BRAND = 4 };
    const char *ba, *bb;
    size_t la, lb;

    if (same_org_text(a, b))
        return true;
    if (a[0] == '\0' || b[0] == '\0' || name_is_opaque(a) || name_is_opaque(b))
        return false;
    la = brand_of(a, &ba);
    lb = brand_of(b, &bb);
    return la >= MIN_BRAND && equal_names(ba, la, bb, lb);
}

/* no reverse name, or one shaped like an end-user pool */
static bool peer_is_end_user(const ot_ctx *ctx, const char *rdns, const ot_addr *addr)
{
    return rdns[0] == '\0' || ot_host_looks_dynamic(ctx->cfg, rdns, addr);
}

/* The relay's own record of who gave it the message: an unauthenticated
 * end-user address of another organisation is what an open relay accepts
 * and a closed one refuses. */
static bool relayed_for_stranger(const ot_ctx *ctx, const ot_result *res)
{
    const ot_hop *b = NULL;

    for (size_t i = (size_t)res->boundary; i < res->nhops && b == NULL; i++)
        if (hop_has_peer(&res->hops[i]))
            b = &res->hops[i];
    if (b == NULL || (b->flags & (OT_HOP_AUTH | OT_HOP_LOCAL | OT_HOP_INTERNAL | OT_HOP_FETCH)))
        return false;
    if (ot_addr_is_unroutable(&b->from_addr) || !peer_is_end_user(ctx, b->from_rdns, &b->from_addr))
        return false;
    if (same_org_or_brand(b->from_rdns, res->handoff.rdns) || same_org_or_brand(b->by, b->from_rdns) ||
        same_org_or_brand(b->by, b->from_helo) || same_org_or_brand(b->from_rdns, res->handoff.helo))
        return false;
    /* the same /16 as the relay: its own customers */
    return !(b->from_addr.family == 4 && res->handoff.addr.family == 4 &&
             memcmp(b->from_addr.bytes, res->handoff.addr.bytes, 2) == 0);
}

/* Walks the claims below the handoff while they connect; returns the
 * deepest connected line of any kind (-1 if none) and sets the origin to
 * the deepest connected public peer, else the handoff. */
static int find_origin(ot_result *res)
{
    int deepest = -1;          /* deepest connected hop with a peer address */
    int deepest_line = -1;

    for (size_t i = (size_t)res->boundary; i < res->nhops; i++) {
        const ot_hop *h = &res->hops[i];

        if (!h->parsed)
            continue;
        if (res->breaks[i])
            break;
        deepest_line = (int)i;
        if (hop_has_peer(h) && !ot_addr_is_loopback(&h->from_addr)) {
            if (ot_addr_is_unroutable(&h->from_addr) && deepest >= 0)
                continue;      /* the sender's own LAN behind a public hop */
            deepest = (int)i;
        }
    }
    res->origin = res->handoff;
    if (deepest >= 0 && !ot_addr_is_unroutable(&res->hops[deepest].from_addr)) {
        endpoint_from_hop(&res->origin, &res->hops[deepest], deepest);
        res->origin_hop = deepest;
    }
    return deepest_line;
}

static bool hop_authenticated(const ot_result *res, int hop)
{
    return hop >= 0 && (res->hops[hop].flags & OT_HOP_AUTH) != 0;
}

void ot_chain_origin_and_path(const ot_ctx *ctx, ot_result *res)
{
    int deepest_line;

    res->origin_hop = -1;
    memset(&res->origin, 0, sizeof res->origin);
    if (!res->handoff.present) {
        /* internal only when our side wrote every line; a walk stopped by
         * a line it could not read knows nothing */
        bool all_ours = (size_t)res->boundary == res->nhops && (res->nhops > 0 || ctx->session->present);
        res->path = all_ours ? OT_PATH_INTERNAL : OT_PATH_UNKNOWN;
        return;
    }
    deepest_line = find_origin(res);

    /* an authenticated start, to us or to the sender's own provider */
    if ((ctx->session->present && ctx->session->auth_user[0] != '\0') ||
        hop_authenticated(res, res->handoff.hop) || hop_authenticated(res, res->origin_hop))
        res->path = OT_PATH_SUBMISSION;
    else if ((deepest_line < 0 || is_local_or_web_line(&res->hops[deepest_line])) &&
             message_has_web_script_marks(ctx->msg))
        res->path = OT_PATH_WEBFORM;
    else if (res->origin_hop < 0)
        res->path = OT_PATH_DIRECT_TO_MX;
    else if (relayed_for_stranger(ctx, res))
        res->path = OT_PATH_OPEN_RELAY;
    else
        res->path = OT_PATH_RELAY;
}
