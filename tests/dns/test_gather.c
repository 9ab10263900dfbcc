/*
 * test_gather.c - resolver.c and gather.c against servers on 127.0.0.1
 * (TAP), run by tests/dns.sh, which starts them and passes their ports:
 *
 *   OT_DNS_PORT        nsd serving tests/dns/zones (the fixtures are in
 *                      tests/dns/README.md and each zone file's comment)
 *   OT_DNS_PID         that nsd; stopped here at the end, for the cache test
 *   OT_BLACKHOLE_PORT  a server that never answers
 *   OT_DEAD_PORT       a port nobody listens on
 *
 * Covers every evidence field for each fixture case, the DNSBL codes and
 * weights, that libunbound's built-in local zones are all handed to the
 * configured server, deadlines against silent and dead servers (times are
 * printed; only a generous bound is asserted), many threads sharing one
 * resolver while batches are freed with queries in flight, and the cache:
 * after nsd is stopped, what was asked before is still answered, a record
 * whose TTL ran out is not, and neither is anything new.
 *
 * With these too (tests/dns/blackhole.py, ot_blackhole_start MODE), the
 * misbehaving servers' cases run; each is left out without its port:
 *
 *   OT_GARBAGE_PORT    hostile bytes: no answer gets through, all incomplete
 *   OT_SERVFAIL_PORT   SERVFAIL to everything: likewise
 *   OT_REFUSED_PORT    REFUSED to everything: likewise
 *   OT_SLOW_PORT       correct answers after a delay well inside 2 s: used
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "evidence.h"
#include "gather.h"
#include "hostname.h"
#include "lookup_plan.h"
#include "resolver.h"
#include "tap.h"

#define U OT_EV_UNKNOWN
#define Y OT_EV_YES
#define N OT_EV_NO

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void sleep_ms(unsigned ms)
{
    struct timespec t = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
    nanosleep(&t, NULL);
}

static const char *tristate(enum ot_tristate t)
{
    return t == OT_EV_YES ? "yes" : t == OT_EV_NO ? "no" : "unknown";
}

/* A configuration asking servers on 127.0.0.1:port, with the fixture
 * blocklists: bl.test's 127.0.0.10 weighs 5.5, bl2.test's 127.0.0.3 6.0,
 * and bl2.test's 127.0.0.2 means nothing (weight 0). */
static bool make_config(ot_config *cfg, const char *port)
{
    char servers[64], err[256];
    static const char *const pairs[][2] = {
        { "DNSBLZones", "bl.test, bl2.test" },
        { "DNSBLCode", "bl.test 127.0.0.10 5.5" },
        { "DNSBLCode", "bl2.test 127.0.0.3 6.0" },
        { "DNSBLCode", "bl2.test 127.0.0.2 0" },
    };

    ot_config_init(cfg);
    cfg->dns = true;
    snprintf(servers, sizeof servers, "127.0.0.1@%s", port);
    if (ot_config_apply(cfg, "Nameservers", servers, err, sizeof err) != OT_CONF_OK) {
        printf("# Nameservers %s: %s\n", servers, err);
        return false;
    }
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (ot_config_apply(cfg, pairs[i][0], pairs[i][1], err, sizeof err) != OT_CONF_OK) {
            printf("# %s %s: %s\n", pairs[i][0], pairs[i][1], err);
            return false;
        }
    return true;
}

static ot_resolver *resolver_for(ot_config *cfg, const char *port)
{
    char err[256] = "";
    ot_resolver *r;

    if (!make_config(cfg, port))
        return NULL;
    r = ot_resolver_new(cfg, err, sizeof err);
    if (r == NULL)
        printf("# resolver for port %s: %s\n", port, err);
    return r;
}

/* The plan the core would make for this client and HELO, by hand. */
static void make_plan(ot_lookup_plan *p, const char *ip, bool ptr, const char *helo, bool dnsbl)
{
    memset(p, 0, sizeof *p);
    if (ip != NULL && ot_addr_parse(ip, strlen(ip), &p->client_addr)) {
        p->client = true;
        snprintf(p->client_ip, sizeof p->client_ip, "%s", ip);
        p->ptr = ptr;
        p->dnsbl = dnsbl;
    }
    if (helo != NULL)
        snprintf(p->helo, sizeof p->helo, "%s", helo);
}

static double gather(ot_resolver *r, const ot_config *cfg, const ot_lookup_plan *plan,
                     unsigned timeout_ms, ot_evidence *ev)
{
    double start = now_ms();
    ot_dns_batch *b = ot_dns_batch_new(r, timeout_ms);

    ot_evidence_init(ev);
    ot_gather_finish(ot_gather_start(b, cfg, plan), ev);
    ot_dns_batch_free(b);
    return now_ms() - start;
}

/* ---- the fixtures --------------------------------------------------------------- */

typedef struct gather_case {
    const char *what;
    const char *ip;                /* NULL: no client */
    bool ptr;
    const char *helo;              /* NULL: none */
    bool dnsbl;
    enum ot_tristate ptr_exists;
    const char *ptr_name;          /* NULL: not checked here */
    enum ot_tristate fcrdns, helo_resolves, helo_matches;
    size_t ndnsbl;
    const char *zone0, *code0;     /* the first (heaviest) hit */
    double weight0;
    const char *incomplete;
} gather_case;

static const gather_case cases[] = {
    { "FCrDNS passes, HELO is the client", "192.0.2.10", true, "mail.good.test", true,
      Y, "mail.good.test", Y, Y, Y, 0, NULL, NULL, 0, "" },
    { "IPv6: FCrDNS passes, the HELO's AAAA is the client", "2001:db8::10", true,
      "mail.good.test", true, Y, "mail.good.test", Y, Y, Y, 0, NULL, NULL, 0, "" },
    { "PTR name resolves elsewhere, HELO resolves elsewhere", "192.0.2.20", true,
      "elsewhere.forged.test", true, Y, "mail.forged.test", N, Y, N, 0, NULL, NULL, 0, "" },
    { "PTR name does not exist", "192.0.2.21", true, NULL, false,
      Y, "gone.forged.test", N, U, U, 0, NULL, NULL, 0, "" },
    { "two PTR names, the second confirms", "192.0.2.22", true, NULL, false,
      Y, NULL, Y, U, U, 0, NULL, NULL, 0, "" },
    { "PTR is not a host name", "192.0.2.23", true, NULL, false,
      Y, "", N, U, U, 0, NULL, NULL, 0, "" },
    { "no PTR (NXDOMAIN)", "192.0.2.30", true, NULL, false,
      N, "", U, U, U, 0, NULL, NULL, 0, "" },
    { "no PTR (NODATA)", "192.0.2.31", true, NULL, false,
      N, "", U, U, U, 0, NULL, NULL, 0, "" },
    { "dynamic-looking PTR that confirms, HELO the same", "203.0.113.45", true,
      "203-0-113-45.dyn.isp.test", true, Y, "203-0-113-45.dyn.isp.test", Y, Y, Y, 0, NULL,
      NULL, 0, "" },
    { "relay with its own name", "198.51.100.7", true, "relay.good.test", false,
      Y, "relay.good.test", Y, Y, Y, 0, NULL, NULL, 0, "" },
    { "HELO does not exist", "192.0.2.10", false, "nxdomain.good.test", false,
      U, "", U, N, U, 0, NULL, NULL, 0, "" },
    { "HELO exists without an address", "192.0.2.10", false, "nodata.good.test", false,
      U, "", U, U, U, 0, NULL, NULL, 0, "" },
    { "IPv6 client, HELO resolves elsewhere", "2001:db8::10", false, "elsewhere.forged.test",
      false, U, "", U, Y, N, 0, NULL, NULL, 0, "" },
    { "HELO without a known client", NULL, false, "mail.good.test", false,
      U, "", U, Y, U, 0, NULL, NULL, 0, "" },
    { "listed in two zones, the heavier first", "192.0.2.99", false, NULL, true,
      U, "", U, U, U, 2, "bl2.test", "127.0.0.3", 6.0, "" },
    { "listed with a weighted code", "198.51.100.10", false, NULL, true,
      U, "", U, U, U, 1, "bl.test", "127.0.0.10", 5.5, "" },
    { "two codes in one zone: the heavier counts", "198.51.100.11", false, NULL, true,
      U, "", U, U, U, 1, "bl.test", "127.0.0.10", 5.5, "" },
    { "an answer outside 127/8 is no listing", "198.51.100.12", false, NULL, true,
      U, "", U, U, U, 0, NULL, NULL, 0, "dnsbl" },
    { "127.255.255.254 (query refused) is no listing", "198.51.100.254", false, NULL, true,
      U, "", U, U, U, 0, NULL, NULL, 0, "dnsbl" },
    { "a code of weight 0 is no listing", "127.0.0.2", false, NULL, true,
      U, "", U, U, U, 1, "bl.test", "127.0.0.2", 4.0, "" },
    { "nothing planned, nothing known", "192.0.2.10", false, NULL, false,
      U, "", U, U, U, 0, NULL, NULL, 0, "" },
};

static bool evidence_is(const ot_evidence *ev, const gather_case *c)
{
    if (ev->ptr_exists != c->ptr_exists || ev->fcrdns != c->fcrdns ||
        ev->helo_resolves != c->helo_resolves || ev->helo_matches != c->helo_matches ||
        ev->ndnsbl != c->ndnsbl || strcmp(ev->incomplete, c->incomplete) != 0)
        return false;
    if (c->ptr_name != NULL && strcmp(ev->ptr_name, c->ptr_name) != 0)
        return false;
    if (c->ndnsbl > 0 && (strcmp(ev->dnsbl[0].zone, c->zone0) != 0 ||
                          strcmp(ev->dnsbl[0].code, c->code0) != 0 || ev->dnsbl[0].weight != c->weight0))
        return false;
    return true;
}

static void check_case(ot_resolver *r, const ot_config *cfg, const gather_case *c,
                       ot_evidence *ev)
{
    ot_lookup_plan plan;

    make_plan(&plan, c->ip, c->ptr, c->helo, c->dnsbl);
    (void)gather(r, cfg, &plan, 5000, ev);
    is_int(ev->ptr_exists, c->ptr_exists, "%s: ptr_exists %s", c->what, tristate(c->ptr_exists));
    if (c->ptr_name != NULL)
        is_str(ev->ptr_name, c->ptr_name, "%s: ptr_name", c->what);
    is_int(ev->fcrdns, c->fcrdns, "%s: fcrdns %s", c->what, tristate(c->fcrdns));
    is_int(ev->helo_resolves, c->helo_resolves, "%s: helo_resolves %s", c->what,
           tristate(c->helo_resolves));
    is_int(ev->helo_matches, c->helo_matches, "%s: helo_matches %s", c->what,
           tristate(c->helo_matches));
    is_int(ev->ndnsbl, c->ndnsbl, "%s: %zu DNSBL hits", c->what, c->ndnsbl);
    if (c->ndnsbl > 0) {
        is_str(ev->dnsbl[0].zone, c->zone0, "%s: first hit's zone", c->what);
        is_str(ev->dnsbl[0].code, c->code0, "%s: first hit's code", c->what);
        is_double(ev->dnsbl[0].weight, c->weight0, "%s: first hit's weight", c->what);
    }
    is_str(ev->incomplete, c->incomplete, "%s: the incomplete list", c->what);
}

static void test_fixtures(ot_resolver *r, const ot_config *cfg)
{
    ot_evidence ev;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const gather_case *c = &cases[i];

        check_case(r, cfg, c, &ev);
        if (strcmp(c->ip != NULL ? c->ip : "", "192.0.2.22") == 0)
            ok(strcmp(ev.ptr_name, "other.forged.test") == 0 ||
               strcmp(ev.ptr_name, "mail2.good.test") == 0,
               "%s: ptr_name is one of the two (%s)", c->what, ev.ptr_name);
        if (strcmp(c->ip != NULL ? c->ip : "", "203.0.113.45") == 0) {
            ot_addr a = { 0 };
            (void)ot_addr_parse(c->ip, strlen(c->ip), &a);
            ok(ot_host_looks_dynamic(cfg, ev.ptr_name, &a), "%s: the name looks dynamic", c->what);
        }
        if (c->ndnsbl == 2) {
            is_str(ev.dnsbl[1].zone, "bl.test", "%s: second hit's zone", c->what);
            is_str(ev.dnsbl[1].code, "127.0.0.2", "%s: second hit's code", c->what);
            is_double(ev.dnsbl[1].weight, cfg->weight[OT_SIG_DNSBL_LISTED],
                      "%s: second hit has the DNSBL_LISTED weight", c->what);
        }
    }
}

/* ---- answers and decoders, end to end ------------------------------------------ */

static void test_answers(ot_resolver *r)
{
    ot_dns_batch *b = ot_dns_batch_new(r, 5000);
    int a = ot_dns_batch_add(b, "mail.good.test", OT_RR_A);
    int txt = ot_dns_batch_add(b, "nodata.good.test", OT_RR_TXT);
    int nx = ot_dns_batch_add(b, "nxdomain.good.test", OT_RR_A);
    int nodata = ot_dns_batch_add(b, "nodata.good.test", OT_RR_A);
    int ns = ot_dns_batch_add(b, "good.test", OT_RR_NS);
    int upper = ot_dns_batch_add(b, "MAIL.Good.TEST.", OT_RR_AAAA);
    const ot_dns_answer *ans;
    ot_addr addr[4];
    char text[128];

    /* asking again is answered from the same slot: DKIM finds the keys
     * prefetched at end of headers, SPF shares the other checks' lookups */
    is_int(ot_dns_batch_add(b, "mail.good.test", OT_RR_A), a, "same name and type: same index");
    is_int(ot_dns_batch_add(b, "Mail.Good.Test.", OT_RR_A), a, "case and final dot ignored: same index");
    ok(ot_dns_batch_add(b, "mail.good.test", OT_RR_MX) > upper, "another type: a new lookup");

    ot_dns_batch_wait(b);
    ans = ot_dns_batch_get(b, a);
    is_int(ans->status, OT_DNS_OK, "A of mail.good.test: OK");
    is_int(ot_dns_answer_addrs(ans, addr, 4), 1, "one address");
    is_str(ot_addr_format(&addr[0], text, sizeof text), "192.0.2.10", "the address");
    ok(ans->ttl > 0 && ans->ttl <= 3600, "TTL from the zone (%u)", ans->ttl);
    ans = ot_dns_batch_get(b, txt);
    is_int(ans->status, OT_DNS_OK, "TXT: OK");
    ot_dns_answer_txt(ans, 0, text, sizeof text);
    is_str(text, "a name without an address", "TXT text");
    is_int(ot_dns_batch_get(b, nx)->status, OT_DNS_NXDOMAIN, "a missing name: NXDOMAIN");
    is_int(ot_dns_batch_get(b, nodata)->status, OT_DNS_NODATA, "a name without A: NODATA");
    ans = ot_dns_batch_get(b, ns);
    is_int(ans->status, OT_DNS_OK, "NS: OK");
    ot_dns_answer_name(ans, 0, text, sizeof text, NULL);
    is_str(text, "ns.good.test", "NS target decoded");
    ans = ot_dns_batch_get(b, upper);
    is_int(ans->status, OT_DNS_OK, "upper case and a trailing dot are asked as given");
    is_int(ot_dns_answer_addrs(ans, addr, 4), 1, "AAAA address");
    is_str(ot_addr_format(&addr[0], text, sizeof text), "2001:db8::10", "the IPv6 address");
    ot_dns_batch_free(b);
}

/* ---- libunbound's built-in zones ---------------------------------------------- */

/* One name in each of libunbound's default local zones (1.17). Without
 * our settings libunbound answers all of them itself: NXDOMAIN, or for
 * localhost and its reverse names a canned address or name. nsd refuses
 * the zones it does not serve (SERVFAIL here) and answers real records
 * from the documentation reverse zones it does serve (OK here), so the
 * status tells where the answer came from. */
typedef struct zone_probe {
    char name[96];
    enum ot_dns_status want;
} zone_probe;

static size_t local_zone_probes(zone_probe *p, size_t max)
{
    static const char *const refused[] = {
        "localhost", "x.localhost", "1.0.0.127.in-addr.arpa",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
        "x.home.arpa", "x.onion", "x.test", "x.invalid",
        "1.0.0.0.in-addr.arpa", "1.0.0.10.in-addr.arpa", "1.0.168.192.in-addr.arpa",
        "1.0.254.169.in-addr.arpa", "255.255.255.255.in-addr.arpa",
        "1.d.f.ip6.arpa", "1.8.e.f.ip6.arpa", "1.9.e.f.ip6.arpa",
        "1.a.e.f.ip6.arpa", "1.b.e.f.ip6.arpa",
    };
    static const char *const served[] = {   /* records in tests/dns/zones */
        "10.2.0.192.in-addr.arpa", "7.100.51.198.in-addr.arpa", "45.113.0.203.in-addr.arpa",
        "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
    };
    size_t n = 0;

    for (size_t i = 0; i < sizeof refused / sizeof refused[0] && n < max; i++, n++) {
        snprintf(p[n].name, sizeof p[n].name, "%s", refused[i]);
        p[n].want = OT_DNS_SERVFAIL;
    }
    for (size_t i = 0; i < sizeof served / sizeof served[0] && n < max; i++, n++) {
        snprintf(p[n].name, sizeof p[n].name, "%s", served[i]);
        p[n].want = OT_DNS_OK;
    }
    for (unsigned b = 16; b <= 31 && n < max; b++, n++) {
        snprintf(p[n].name, sizeof p[n].name, "1.0.%u.172.in-addr.arpa", b);
        p[n].want = OT_DNS_SERVFAIL;
    }
    for (unsigned b = 64; b <= 127 && n < max; b++, n++) {
        snprintf(p[n].name, sizeof p[n].name, "1.0.%u.100.in-addr.arpa", b);
        p[n].want = OT_DNS_SERVFAIL;
    }
    return n;
}

static void test_local_zones(const char *port)
{
    ot_config cfg;
    ot_resolver *r = resolver_for(&cfg, port);
    zone_probe probes[128];
    size_t n = local_zone_probes(probes, 128), sent = 0, from_server = 0;
    char first_local[160] = "";

    ok(r != NULL, "a resolver for the built-in zone check");
    if (r == NULL) {
        ot_config_free(&cfg);
        return;
    }
    while (sent < n) {
        ot_dns_batch *b = ot_dns_batch_new(r, 3000);
        int idx[OT_DNS_MAX_QUERIES];
        size_t first = sent, k = 0;

        for (; sent < n && k < OT_DNS_MAX_QUERIES; sent++, k++)
            idx[k] = ot_dns_batch_add(b, probes[sent].name,
                                      strstr(probes[sent].name, ".arpa") ? OT_RR_PTR : OT_RR_A);
        ot_dns_batch_wait(b);
        for (size_t j = 0; j < k; j++) {
            enum ot_dns_status s = ot_dns_batch_get(b, idx[j])->status;
            if (s == probes[first + j].want)
                from_server++;
            else if (first_local[0] == '\0')
                snprintf(first_local, sizeof first_local, "%s (status %d, want %d)",
                         probes[first + j].name, (int)s, (int)probes[first + j].want);
        }
        ot_dns_batch_free(b);
    }
    is_int(from_server, n, "all %zu names in libunbound's local zones answered by the server%s%s",
           n, first_local[0] ? "; not: " : "", first_local);
    ot_resolver_free(r);
    ot_config_free(&cfg);
}

/* ---- silent and dead servers -------------------------------------------------- */

static void test_unreachable(const char *label, const char *port)
{
    ot_config cfg;
    ot_resolver *r = resolver_for(&cfg, port);
    ot_lookup_plan plan;
    ot_evidence ev;
    double ms;

    ok(r != NULL, "%s: resolver made", label);
    if (r == NULL) {
        ot_config_free(&cfg);
        return;
    }
    make_plan(&plan, "192.0.2.10", true, "mail.good.test", true);
    ms = gather(r, &cfg, &plan, 2000, &ev);
    printf("# %s server, 2000 ms deadline: gather took %.0f ms\n", label, ms);
    ok(ms < 4000.0, "%s: returns within the deadline's bound (%.0f ms < 4000)", label, ms);
    is_int(ev.ptr_exists, U, "%s: ptr_exists unknown", label);
    is_int(ev.fcrdns, U, "%s: fcrdns unknown", label);
    is_int(ev.helo_resolves, U, "%s: helo_resolves unknown", label);
    is_int(ev.helo_matches, U, "%s: helo_matches unknown", label);
    is_int(ev.ndnsbl, 0, "%s: no DNSBL hit", label);
    is_str(ev.incomplete, "ptr,helo,dnsbl", "%s: every check named incomplete", label);

    /* a batch freed with its queries still out, then the resolver */
    {
        ot_dns_batch *b = ot_dns_batch_new(r, 10000);
        for (int i = 0; i < 8; i++)
            (void)ot_dns_batch_add(b, i % 2 ? "mail.good.test" : "relay.good.test", OT_RR_A);
        ms = now_ms();
        ot_dns_batch_free(b);
        ms = now_ms() - ms;
        ok(ms < 1000.0, "%s: freeing a batch with queries out does not wait (%.1f ms)", label, ms);
    }
    ms = now_ms();
    ot_resolver_free(r);
    ms = now_ms() - ms;
    printf("# %s: resolver freed in %.0f ms\n", label, ms);
    ot_config_free(&cfg);
}

/* ---- many threads on one resolver ------------------------------------------- */

typedef struct worker {
    ot_resolver *r;
    const ot_config *cfg;
    int id;
    int wrong;        /* evidence different from the single-threaded run */
    int odd_status;   /* an answer status no lookup can have */
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    ot_evidence ev;

    for (int i = 0; i < 30; i++) {
        const gather_case *c = &cases[(size_t)(w->id + i) % (sizeof cases / sizeof cases[0])];
        ot_lookup_plan plan;
        ot_dns_batch *b;
        int idx[6];

        /* a whole message's gathering: must agree with the fixtures */
        make_plan(&plan, c->ip, c->ptr, c->helo, c->dnsbl);
        (void)gather(w->r, w->cfg, &plan, 5000, &ev);
        if (!evidence_is(&ev, c))
            w->wrong++;

        /* deadlines that pass while answers arrive, and batches freed
         * unwaited: the callbacks race the cancels and the frees */
        b = ot_dns_batch_new(w->r, (unsigned)(i % 3));
        for (int k = 0; k < 6; k++)
            idx[k] = ot_dns_batch_add(b, k % 2 ? "mail.good.test" : "elsewhere.forged.test",
                                      k < 3 ? OT_RR_A : OT_RR_AAAA);
        if (i % 2 == 0)
            for (int k = 0; k < 6; k++) {
                enum ot_dns_status s = ot_dns_batch_wait_one(b, idx[k])->status;
                if (s != OT_DNS_OK && s != OT_DNS_TIMEOUT)
                    w->odd_status++;
            }
        ot_dns_batch_free(b);
    }
    return NULL;
}

static void test_threads(ot_resolver *r, const ot_config *cfg)
{
    enum { NTHREADS = 4 };
    pthread_t t[NTHREADS];
    worker w[NTHREADS];
    int wrong = 0, odd = 0, started = 0;
    double ms = now_ms();

    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (worker){ r, cfg, i * 5, 0, 0 };
        if (pthread_create(&t[i], NULL, worker_main, &w[i]) == 0)
            started++;
        else
            break;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        wrong += w[i].wrong;
        odd += w[i].odd_status;
    }
    printf("# %d threads x 30 messages + 30 racing batches: %.0f ms\n", started, now_ms() - ms);
    is_int(started, NTHREADS, "worker threads started");
    is_int(wrong, 0, "every thread's evidence agrees with the fixtures");
    is_int(odd, 0, "racing batches only ever see OK or TIMEOUT");
}

/* ---- the cache ---------------------------------------------------------------- */

static bool port_free(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    bool free_now;

    if (fd < 0)
        return false;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    free_now = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return free_now;
}

static void test_cache(ot_resolver *r, const char *port, const char *pid_text)
{
    ot_dns_batch *b;
    int mail, shortlived, fresh;
    double t0, ms;
    long pid = pid_text != NULL ? strtol(pid_text, NULL, 10) : 0;
    int waited = 0;

    b = ot_dns_batch_new(r, 5000);
    mail = ot_dns_batch_add(b, "mail.good.test", OT_RR_A);
    shortlived = ot_dns_batch_add(b, "short.good.test", OT_RR_A);
    ot_dns_batch_wait(b);
    t0 = now_ms();
    is_int(ot_dns_batch_get(b, mail)->status, OT_DNS_OK, "cache: first lookup answered");
    is_int(ot_dns_batch_get(b, shortlived)->status, OT_DNS_OK, "cache: 1-second record answered");
    is_int(ot_dns_batch_get(b, shortlived)->ttl, 1, "cache: its TTL is 1");
    ot_dns_batch_free(b);

    if (pid <= 1 || kill((pid_t)pid, SIGTERM) != 0) {
        ok(0, "cache: stop nsd (pid %s)", pid_text != NULL ? pid_text : "unset");
        return;
    }
    while (!port_free(atoi(port)) && waited < 100) {
        sleep_ms(50);
        waited++;
    }
    ok(port_free(atoi(port)), "cache: nsd stopped (port %s free after %d ms)", port, waited * 50);
    ms = now_ms() - t0;
    /* past the 1-second TTL: libunbound keeps time in whole seconds, so a
     * record cached at second T (however late in it) is stale from T+2 */
    if (ms < 2600.0)
        sleep_ms((unsigned)(2600.0 - ms));

    b = ot_dns_batch_new(r, 1500);
    ms = now_ms();
    mail = ot_dns_batch_add(b, "mail.good.test", OT_RR_A);
    is_int(ot_dns_batch_wait_one(b, mail)->status, OT_DNS_OK,
           "cache: the same lookup in a new batch is answered with the server gone");
    printf("# cached answer in %.2f ms\n", now_ms() - ms);
    shortlived = ot_dns_batch_add(b, "short.good.test", OT_RR_A);
    fresh = ot_dns_batch_add(b, "relay.good.test", OT_RR_AAAA);
    ot_dns_batch_wait(b);
    ok(ot_dns_batch_get(b, shortlived)->status != OT_DNS_OK,
       "cache: a record past its TTL is not served (status %d)", ot_dns_batch_get(b, shortlived)->status);
    ok(ot_dns_batch_get(b, fresh)->status != OT_DNS_OK,
       "cache: a name never asked is not answered (status %d)", ot_dns_batch_get(b, fresh)->status);
    ot_dns_batch_free(b);
}

/* ---- misbehaving servers (tests/dns/blackhole.py --mode) ----------------------- */

/* What one message asks, of every type the lookups use. */
static const struct {
    const char *name;
    int type;
} hostile_queries[] = {
    { "10.2.0.192.in-addr.arpa", OT_RR_PTR },
    { "mail.good.test", OT_RR_A },
    { "mail.good.test", OT_RR_AAAA },
    { "10.2.0.192.bl.test", OT_RR_A },
    { "pass.auth.test", OT_RR_TXT },
    { "ot2024._domainkey.auth.test", OT_RR_TXT },
};
#define N_HOSTILE (sizeof hostile_queries / sizeof hostile_queries[0])

/* A server that answers only garbage or an error code (MODE garbage,
 * servfail, refused): no answer may come out as an answer (each garbage
 * variant carries a bait record: A 127.0.0.2, a PTR name, an SPF "+all"),
 * every check is unknown and named incomplete, within the deadline's
 * bound, over several rounds (the server cycles through its variants; the
 * resolver may also give the server up and fail at once). */
static void test_hostile(const char *label, const char *port)
{
    ot_config cfg;
    ot_resolver *r = resolver_for(&cfg, port);
    ot_lookup_plan plan;
    ot_evidence ev;
    int index[N_HOSTILE], answered = 0, odd = 0;
    double ms, worst = 0.0;

    ok(r != NULL, "%s: resolver made", label);
    if (r == NULL) {
        ot_config_free(&cfg);
        return;
    }
    for (int round = 0; round < 3; round++) {
        ot_dns_batch *b = ot_dns_batch_new(r, 2000);

        ms = now_ms();
        for (size_t i = 0; i < N_HOSTILE; i++)
            index[i] = ot_dns_batch_add(b, hostile_queries[i].name, hostile_queries[i].type);
        ot_dns_batch_wait(b);
        ms = now_ms() - ms;
        worst = ms > worst ? ms : worst;
        for (size_t i = 0; i < N_HOSTILE; i++) {
            enum ot_dns_status st = ot_dns_batch_get(b, index[i])->status;
            if (st == OT_DNS_OK || st == OT_DNS_NODATA || st == OT_DNS_NXDOMAIN) {
                answered++;
                printf("# %s: round %d, %s type %d answered (status %d)\n", label, round,
                       hostile_queries[i].name, hostile_queries[i].type, (int)st);
            } else if (st != OT_DNS_SERVFAIL && st != OT_DNS_TIMEOUT) {
                odd++;
            }
        }
        ot_dns_batch_free(b);
    }
    printf("# %s server, 2000 ms deadline: the slowest of 3 batches took %.0f ms\n", label, worst);
    is_int(answered, 0, "%s: no query of 3 x %zu came back as an answer", label, N_HOSTILE);
    is_int(odd, 0, "%s: every query failed as SERVFAIL or TIMEOUT", label);
    ok(worst < 4000.0, "%s: each batch returns within the deadline's bound (%.0f ms < 4000)", label,
       worst);

    make_plan(&plan, "192.0.2.10", true, "mail.good.test", true);
    ms = gather(r, &cfg, &plan, 2000, &ev);
    printf("# %s server: gather took %.0f ms\n", label, ms);
    ok(ms < 4000.0, "%s: gather returns within the deadline's bound (%.0f ms < 4000)", label, ms);
    is_int(ev.ptr_exists, U, "%s: ptr_exists unknown", label);
    is_int(ev.fcrdns, U, "%s: fcrdns unknown", label);
    is_int(ev.helo_resolves, U, "%s: helo_resolves unknown", label);
    is_int(ev.helo_matches, U, "%s: helo_matches unknown", label);
    is_int(ev.ndnsbl, 0, "%s: no DNSBL hit", label);
    is_str(ev.incomplete, "ptr,helo,dnsbl", "%s: every check named incomplete", label);
    ot_resolver_free(r);
    ot_config_free(&cfg);
}

/* A server that answers correctly but late (blackhole.py --mode slow, a
 * delay well inside 2 s): A 127.0.0.2 for every name, NXDOMAIN for every
 * other type, TTL 0 (so the second round asks the server again rather
 * than a cache). The answers must arrive in time and be used. */
static void test_slow(const char *port)
{
    ot_config cfg;
    ot_resolver *r = resolver_for(&cfg, port);
    ot_lookup_plan plan;
    ot_evidence ev;
    double ms;

    ok(r != NULL, "slow: resolver made");
    if (r == NULL) {
        ot_config_free(&cfg);
        return;
    }
    for (int round = 0; round < 2; round++) {
        ot_dns_batch *b = ot_dns_batch_new(r, 2000);
        int a = ot_dns_batch_add(b, "10.2.0.192.bl.test", OT_RR_A);
        int ptr = ot_dns_batch_add(b, "10.2.0.192.in-addr.arpa", OT_RR_PTR);
        int txt = ot_dns_batch_add(b, "pass.auth.test", OT_RR_TXT);
        ot_addr got[2];
        char text[64] = "";

        ot_dns_batch_wait(b);
        if (ot_dns_answer_addrs(ot_dns_batch_get(b, a), got, 2) == 1)
            ot_addr_format(&got[0], text, sizeof text);
        is_str(text, "127.0.0.2", "slow, round %d: the late A answer arrived", round + 1);
        is_int(ot_dns_batch_get(b, ptr)->status, OT_DNS_NXDOMAIN,
               "slow, round %d: the late PTR answer (NXDOMAIN) arrived", round + 1);
        is_int(ot_dns_batch_get(b, txt)->status, OT_DNS_NXDOMAIN,
               "slow, round %d: the late TXT answer (NXDOMAIN) arrived", round + 1);
        ot_dns_batch_free(b);
    }
    make_plan(&plan, "192.0.2.10", true, "mail.good.test", true);
    ms = gather(r, &cfg, &plan, 2000, &ev);
    printf("# slow server: gather took %.0f ms\n", ms);
    ok(ms < 4000.0, "slow: gather returns within the deadline's bound (%.0f ms < 4000)", ms);
    is_int(ev.ptr_exists, N, "slow: ptr_exists no (NXDOMAIN)");
    is_int(ev.helo_resolves, Y, "slow: helo_resolves yes (127.0.0.2)");
    is_int(ev.helo_matches, N, "slow: helo_matches no");
    is_int(ev.ndnsbl, 1, "slow: listed in bl.test (127.0.0.2)");
    is_str(ev.incomplete, "", "slow: nothing incomplete");
    ot_resolver_free(r);
    ot_config_free(&cfg);
}

/* The misbehaving servers tests/dns.sh starts when it can: each port by
 * environment; a case without its port is left out (and says so). */
static void test_misbehaving(void)
{
    static const char *const modes[][2] = {
        { "OT_GARBAGE_PORT", "garbage" },
        { "OT_SERVFAIL_PORT", "servfail" },
        { "OT_REFUSED_PORT", "refused" },
    };
    const char *slow = getenv("OT_SLOW_PORT");

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *port = getenv(modes[i][0]);
        if (port != NULL && port[0] != '\0')
            test_hostile(modes[i][1], port);
        else
            printf("# %s not set: the %s server's cases are left out\n", modes[i][0], modes[i][1]);
    }
    if (slow != NULL && slow[0] != '\0')
        test_slow(slow);
    else
        printf("# OT_SLOW_PORT not set: the slow server's cases are left out\n");
}

int main(void)
{
    const char *port = getenv("OT_DNS_PORT");
    const char *blackhole = getenv("OT_BLACKHOLE_PORT");
    const char *dead = getenv("OT_DEAD_PORT");
    const char *pid = getenv("OT_DNS_PID");
    ot_config cfg;
    ot_resolver *r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (port == NULL || blackhole == NULL || dead == NULL) {
        printf("1..0 # SKIP needs OT_DNS_PORT, OT_BLACKHOLE_PORT and OT_DEAD_PORT (run tests/dns.sh)\n");
        return 0;
    }
    r = resolver_for(&cfg, port);
    ok(r != NULL, "resolver forwarding to nsd on port %s", port);
    if (r == NULL) {
        ot_config_free(&cfg);
        return tap_done();
    }
    test_answers(r);
    test_fixtures(r, &cfg);
    test_local_zones(port);
    test_unreachable("black-hole", blackhole);
    test_unreachable("dead", dead);
    test_misbehaving();
    test_threads(r, &cfg);
    test_cache(r, port, pid);   /* last: stops nsd */
    ot_resolver_free(r);
    ot_config_free(&cfg);
    return tap_done();
}
