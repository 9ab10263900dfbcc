/*
 * gather.c - the client's and the HELO's lookups, turned into evidence
 * (see gather.h for what each fact means).
 *
 * Owns: which queries a plan causes (PTR of the client, A and AAAA of the
 * HELO, one A per blocklist zone, then A or AAAA of up to
 * OT_MAX_PTR_CHECKED PTR names), reading their answers, and the
 * ev->incomplete list. The second round starts as soon as the PTR answer
 * is in, while the first round's other answers are still out, so the
 * forward confirmation costs one round trip more, not two.
 *
 * Every answer is the sender's to choose (their reverse zone, their HELO
 * domain): names are decoded bounded and used only when they are valid
 * host names, addresses are compared, never printed unchecked, and a
 * blocklist answer counts only inside 127.0.0.0/8.
 */
#include "gather.h"

#include <stdlib.h>
#include <string.h>

#include "hostname.h"

#define NOT_ASKED (-2)   /* -1 is a refused lookup (OT_DNS_LIMIT) */

struct ot_gather {
    ot_dns_batch *batch;
    const ot_config *cfg;
    bool have_client;
    ot_addr client;
    int ptr;                              /* PTR of the client */
    int helo_a, helo_aaaa;
    size_t nzones;
    struct {
        char zone[OT_HOST_SIZE];
        int query;
    } dnsbl[OT_MAX_DNSBL_ZONES];
};

/* ---- ev->incomplete ---------------------------------------------------------- */

/* ---- starting ------------------------------------------------------------------ */

static bool answered(enum ot_dns_status s)
{
    return s == OT_DNS_OK || s == OT_DNS_NODATA || s == OT_DNS_NXDOMAIN;
}

static void copy_zone(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    if (n > 0 && src[n - 1] == '.')
        n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

ot_gather *ot_gather_start(ot_dns_batch *b, const ot_config *cfg, const ot_lookup_plan *plan)
{
    ot_gather *g;
    char name[OT_DNS_NAME_MAX + 1];

    if (cfg == NULL || plan == NULL)
        return NULL;
    g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->batch = b;
    g->cfg = cfg;
    g->ptr = g->helo_a = g->helo_aaaa = NOT_ASKED;
    g->have_client = plan->client && (plan->client_addr.family == 4 || plan->client_addr.family == 6);
    g->client = plan->client_addr;

    if (g->have_client && plan->ptr)
        g->ptr = ot_dns_reverse_name(&g->client, NULL, name, sizeof name)
                     ? ot_dns_batch_add(b, name, OT_RR_PTR) : -1;
    if (plan->helo[0] != '\0') {
        size_t len = strnlen(plan->helo, sizeof plan->helo);
        bool ok = len < sizeof plan->helo && ot_lookup_name_ok(plan->helo, len);
        g->helo_a = ok ? ot_dns_batch_add(b, plan->helo, OT_RR_A) : -1;
        g->helo_aaaa = ok ? ot_dns_batch_add(b, plan->helo, OT_RR_AAAA) : -1;
    }
    if (g->have_client && plan->dnsbl) {
        for (size_t i = 0; i < cfg->dnsbl_zones.count && g->nzones < OT_MAX_DNSBL_ZONES; i++) {
            const char *zone = cfg->dnsbl_zones.items[i];
            size_t z = g->nzones++;

            copy_zone(g->dnsbl[z].zone, sizeof g->dnsbl[z].zone, zone);
            g->dnsbl[z].query = ot_dns_reverse_name(&g->client, g->dnsbl[z].zone, name, sizeof name)
                                    ? ot_dns_batch_add(b, name, OT_RR_A) : -1;
        }
    }
    return g;
}

/* ---- the client's reverse name ------------------------------------------------- */

/* Does any address of this answer equal the client? */
static bool answer_has(const ot_dns_answer *a, const ot_addr *client)
{
    ot_addr addrs[OT_DNS_MAX_RR];
    size_t n = ot_dns_answer_addrs(a, addrs, OT_DNS_MAX_RR);

    for (size_t i = 0; i < n; i++)
        if (ot_addr_equal(&addrs[i], client))
            return true;
    return false;
}

static void finish_ptr(ot_gather *g, ot_evidence *ev)
{
    const ot_dns_answer *a = ot_dns_batch_wait_one(g->batch, g->ptr);
    char names[OT_MAX_PTR_CHECKED][OT_HOST_SIZE];
    int forward[OT_MAX_PTR_CHECKED];
    size_t nnames = 0;
    bool matched = false, undecided = false;
    int family_type = g->client.family == 4 ? OT_RR_A : OT_RR_AAAA;

    if (a->status == OT_DNS_NXDOMAIN || a->status == OT_DNS_NODATA) {
        ev->ptr_exists = OT_EV_NO;
        return;
    }
    if (a->status != OT_DNS_OK || a->count == 0) {
        ot_evidence_mark_incomplete(ev, "ptr");
        return;
    }
    ev->ptr_exists = OT_EV_YES;
    for (size_t i = 0; i < a->count && nnames < OT_MAX_PTR_CHECKED; i++) {
        size_t len = ot_dns_answer_name(a, i, names[nnames], sizeof names[nnames], NULL);
        if (len > 0 && ot_host_is_valid(names[nnames], len))
            nnames++;
    }
    if (nnames == 0) {
        /* a PTR that is no host name cannot confirm anything */
        ev->fcrdns = OT_EV_NO;
        return;
    }
    memcpy(ev->ptr_name, names[0], strlen(names[0]) + 1);

    /* the second round: start every name's lookup before waiting on any */
    for (size_t i = 0; i < nnames; i++)
        forward[i] = ot_dns_batch_add(g->batch, names[i], family_type);
    for (size_t i = 0; i < nnames && !matched; i++) {
        const ot_dns_answer *f = ot_dns_batch_wait_one(g->batch, forward[i]);
        if (answer_has(f, &g->client)) {
            matched = true;   /* the confirmed name is the one to report */
            memcpy(ev->ptr_name, names[i], strlen(names[i]) + 1);
        } else if (!answered(f->status))
            undecided = true;
    }
    if (matched)
        ev->fcrdns = OT_EV_YES;
    else if (!undecided)
        ev->fcrdns = OT_EV_NO;
    else
        ot_evidence_mark_incomplete(ev, "ptr");
}

/* ---- the HELO ----------------------------------------------------------------- */

static bool has_address(const ot_dns_answer *a)
{
    ot_addr first;
    return ot_dns_answer_addrs(a, &first, 1) > 0;
}

static void finish_helo(ot_gather *g, ot_evidence *ev)
{
    const ot_dns_answer *a4 = ot_dns_batch_wait_one(g->batch, g->helo_a);
    const ot_dns_answer *a6 = ot_dns_batch_wait_one(g->batch, g->helo_aaaa);
    const ot_dns_answer *same_family;

    if (!has_address(a4) && !has_address(a6)) {
        if (a4->status == OT_DNS_NXDOMAIN || a6->status == OT_DNS_NXDOMAIN)
            ev->helo_resolves = OT_EV_NO;   /* one NXDOMAIN speaks for the name */
        else if (!(answered(a4->status) && answered(a6->status)))
            ot_evidence_mark_incomplete(ev, "helo");
        /* NODATA for both: the name exists without an address; left unknown */
        return;
    }
    ev->helo_resolves = OT_EV_YES;
    if (!g->have_client)
        return;
    same_family = g->client.family == 4 ? a4 : a6;
    if (answer_has(same_family, &g->client))
        ev->helo_matches = OT_EV_YES;
    else if (answered(same_family->status))
        ev->helo_matches = OT_EV_NO;
    else
        ot_evidence_mark_incomplete(ev, "helo");
}

/* ---- blocklists ---------------------------------------------------------------- */

static bool in_127_8(const ot_addr *a)
{
    return a->family == 4 && a->bytes[0] == 127;
}

static bool is_refusal_code(const ot_addr *a)
{
    return in_127_8(a) && a->bytes[1] == 255 && a->bytes[2] == 255;
}

/* Inserts a zone's hit keeping ev->dnsbl sorted heaviest first (stable). */
static void add_hit(ot_evidence *ev, const char *zone, const ot_addr *code, double weight)
{
    size_t at;

    if (ev->ndnsbl >= OT_MAX_DNSBL_HITS)
        return;
    at = ev->ndnsbl;
    while (at > 0 && ev->dnsbl[at - 1].weight < weight)
        at--;
    memmove(&ev->dnsbl[at + 1], &ev->dnsbl[at], (ev->ndnsbl - at) * sizeof ev->dnsbl[0]);
    memset(&ev->dnsbl[at], 0, sizeof ev->dnsbl[at]);
    copy_zone(ev->dnsbl[at].zone, sizeof ev->dnsbl[at].zone, zone);
    ot_addr_format(code, ev->dnsbl[at].code, sizeof ev->dnsbl[at].code);
    ev->dnsbl[at].weight = weight;
    ev->ndnsbl++;
}

static void finish_dnsbl_zone(ot_gather *g, size_t z, ot_evidence *ev)
{
    const ot_dns_answer *a = ot_dns_batch_wait_one(g->batch, g->dnsbl[z].query);
    const char *zone = g->dnsbl[z].zone;
    ot_addr codes[OT_DNS_MAX_RR], best_code = { 0 };
    size_t n;
    bool listed = false, odd = false;
    double best = 0.0;

    if (a->status == OT_DNS_NXDOMAIN || a->status == OT_DNS_NODATA)
        return;
    if (a->status != OT_DNS_OK) {
        ot_evidence_mark_incomplete(ev, "dnsbl");
        return;
    }
    n = ot_dns_answer_addrs(a, codes, OT_DNS_MAX_RR);
    for (size_t i = 0; i < n; i++) {
        const ot_dnsbl_code *dc;
        double w;

        if (!in_127_8(&codes[i]) || is_refusal_code(&codes[i])) {
            odd = true;   /* refused, over a limit, or a broken/hijacked zone */
            continue;
        }
        dc = ot_config_dnsbl_code(g->cfg, zone, &codes[i]);
        if (dc != NULL && dc->weight == 0.0)
            continue;     /* the site says this code lists nothing */
        w = dc != NULL ? dc->weight : g->cfg->weight[OT_SIG_DNSBL_LISTED];
        if (!listed || w > best) {
            best = w;
            best_code = codes[i];
        }
        listed = true;
    }
    if (listed)
        add_hit(ev, zone, &best_code, best);
    else if (odd || n == 0)
        ot_evidence_mark_incomplete(ev, "dnsbl");
}

/* ---- finishing ---------------------------------------------------------------- */

void ot_gather_finish(ot_gather *g, ot_evidence *ev)
{
    if (g == NULL)
        return;
    if (ev != NULL) {
        if (g->ptr != NOT_ASKED)
            finish_ptr(g, ev);
        if (g->helo_a != NOT_ASKED)
            finish_helo(g, ev);
        for (size_t z = 0; z < g->nzones; z++)
            finish_dnsbl_zone(g, z, ev);
    }
    free(g);
}
