/*
 * test_name_index.c - pins core/name_index.c: the hashed name lists give
 * exactly the answers of asking ot_host_in_list() of each list.
 *
 * One table of names against one set of lists; every row states the
 * expected bits and is also checked against ot_host_in_list() list by
 * list, so the index and the list scan cannot drift apart. Then the limit
 * cases: trailing dots, case, empty labels, a name of more labels than
 * the list scan prepares, names longer than any entry, the same entry in
 * several lists, 32 lists and one too many, an empty index, and the
 * configuration keeping its indexes in step with its keys. Last, the
 * DynamicPatterns chains against the pattern list.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hostname.h"
#include "name_index.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

typedef struct lookup_case {
    const char *name;
    unsigned bits;           /* list 0: example.org, MX.EXAMPLE.NET; list 1: net, example.org;
                              * list 2: "a.b.", x_y.example, "." */
} lookup_case;

static const lookup_case lookup_cases[] = {
    { "example.org", 3 },
    { "EXAMPLE.ORG", 3 },
    { "mail.example.org", 3 },
    { "mail.example.org.", 3 },
    { "a.b.c.example.org", 3 },
    { "xexample.org", 0 },
    { "example.org.evil.example", 0 },
    { "org", 0 },
    { "mx.example.net", 3 },
    { "a.mx.example.net", 3 },
    { "mx2.example.net", 2 },
    { "example.net", 2 },
    { "net", 2 },
    { "net.", 2 },
    { "net..", 0 },
    { "a..net", 2 },
    { ".net", 2 },
    { "inet", 0 },
    { "a.b", 4 },
    { "x.a.b", 4 },
    { "a.b.", 4 },
    { "x_y.example", 4 },
    { "X_Y.Example.", 4 },
    { "y.example", 0 },
    { "..", 4 },
    { ".", 0 },
    { "", 0 },
    { "example.org\x80", 0 },
};

static void build_lists(ot_name_list *l)
{
    ok(ot_name_list_add(&l[0], S("example.org")) && ot_name_list_add(&l[0], S("MX.EXAMPLE.NET")),
       "list 0 built");
    ok(ot_name_list_add(&l[1], S("net")) && ot_name_list_add(&l[1], S("example.org")), "list 1 built");
    ok(ot_name_list_add(&l[2], S("a.b.")) && ot_name_list_add(&l[2], S("x_y.example")) &&
       ot_name_list_add(&l[2], S(".")), "list 2 built");
}

static unsigned scan_bits(const char *name, const ot_name_list *l, size_t n)
{
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++)
        if (ot_host_in_list(name, &l[i]))
            bits |= 1u << i;
    return bits;
}

static void test_lookup(void)
{
    ot_name_list l[3] = { { NULL, 0, false }, { NULL, 0, false }, { NULL, 0, false } };
    const ot_name_list *lists[3] = { &l[0], &l[1], &l[2] };
    ot_name_index ix;

    memset(&ix, 0, sizeof ix);
    build_lists(l);
    ok(ot_name_index_build(&ix, lists, 3) && ix.ready, "index of three lists built");
    for (size_t i = 0; i < sizeof lookup_cases / sizeof lookup_cases[0]; i++) {
        const lookup_case *c = &lookup_cases[i];
        unsigned got = ot_name_index_lookup(&ix, c->name, strlen(c->name));
        is_int(got, c->bits, "lookup(\"%s\") = %u", c->name, c->bits);
        is_int(got, scan_bits(c->name, l, 3), "lookup(\"%s\") agrees with the list scan", c->name);
    }
    /* the length rules, not a NUL: bytes past len are not part of the name */
    is_int(ot_name_index_lookup(&ix, "example.orgXYZ", 11), 3, "only len bytes are read");
    is_int(ot_name_index_lookup(&ix, "example.org", 0), 0, "an empty name is under nothing");
    is_int(ot_name_index_lookup(&ix, NULL, 0), 0, "NULL is under nothing");
    ot_name_index_free(&ix);
    ok(!ix.ready && ix.slots == NULL, "freed index is empty");
    is_int(ot_name_index_lookup(&ix, S("example.org")), 0, "a freed index answers 0");
    ot_name_index_free(&ix);
    ok(1, "freeing twice is harmless");
    for (size_t i = 0; i < 3; i++)
        ot_name_list_free(&l[i]);
}

/* Names past what the list scan prepares (64 labels) and past what any
 * entry can be (255 bytes). */
static void test_long_names(void)
{
    ot_name_list l = { NULL, 0, false };
    const ot_name_list *lists[1] = { &l };
    ot_name_index ix;
    char many[400], longest[300];
    size_t n = 0;

    memset(&ix, 0, sizeof ix);
    ok(ot_name_list_add(&l, S("deep.example")), "list built");
    ok(ot_name_index_build(&ix, lists, 1), "index built");
    for (int i = 0; i < 100; i++) {
        many[n++] = 'a';
        many[n++] = '.';
    }
    memcpy(many + n, "deep.example", 13);
    is_int(ot_name_index_lookup(&ix, many, strlen(many)), 1, "112 labels: still found");
    is_int(ot_name_index_lookup(&ix, many, strlen(many)), ot_host_in_list(many, &l),
           "112 labels: agrees with the list scan");
    many[n - 1] = 'x';
    is_int(ot_name_index_lookup(&ix, many, strlen(many)), 0, "112 labels, no dot before: not found");

    memset(longest, 'b', 280);
    memcpy(longest + 280, ".deep.example", 14);
    is_int(ot_name_index_lookup(&ix, longest, strlen(longest)), 1, "a 293-byte name under an entry");

    /* an entry of 255 bytes (the most a list keeps) */
    {
        ot_name_list big = { NULL, 0, false };
        const ot_name_list *bl[1] = { &big };
        ot_name_index bix;
        char entry[OT_HOST_SIZE];

        memset(&bix, 0, sizeof bix);
        memset(entry, 'c', OT_HOST_SIZE - 1);
        entry[OT_HOST_SIZE - 1] = '\0';
        ok(ot_name_list_add(&big, entry, OT_HOST_SIZE - 1), "a %u-byte entry is kept", OT_HOST_SIZE - 1);
        ok(ot_name_index_build(&bix, bl, 1), "index built");
        is_int(ot_name_index_lookup(&bix, entry, OT_HOST_SIZE - 1), 1, "the %u-byte name found",
               OT_HOST_SIZE - 1);
        {
            char under[OT_HOST_SIZE + 8];
            memcpy(under, "x.", 2);
            memcpy(under + 2, entry, OT_HOST_SIZE);
            is_int(ot_name_index_lookup(&bix, under, strlen(under)), 1, "a name under it found");
        }
        ot_name_index_free(&bix);
        ot_name_list_free(&big);
    }
    ot_name_index_free(&ix);
    ot_name_list_free(&l);
}

/* 32 lists, each bit its own; one more is refused. */
static void test_many_lists(void)
{
    ot_name_list l[OT_NAME_INDEX_LISTS + 1];
    const ot_name_list *lists[OT_NAME_INDEX_LISTS + 1];
    ot_name_index ix;
    char name[32];
    bool all = true;

    memset(&ix, 0, sizeof ix);
    memset(l, 0, sizeof l);
    for (size_t i = 0; i <= OT_NAME_INDEX_LISTS; i++) {
        snprintf(name, sizeof name, "p%zu.example", i);
        ot_name_list_add(&l[i], name, strlen(name));
        ot_name_list_add(&l[i], S("shared.example"));
        lists[i] = &l[i];
    }
    ok(ot_name_index_build(&ix, lists, OT_NAME_INDEX_LISTS), "%u lists indexed", OT_NAME_INDEX_LISTS);
    for (size_t i = 0; i < OT_NAME_INDEX_LISTS; i++) {
        snprintf(name, sizeof name, "mx.p%zu.example", i);
        all &= ot_name_index_lookup(&ix, name, strlen(name)) == (uint32_t)1 << i;
    }
    ok(all, "each list answers with its own bit");
    is_int(ot_name_index_lookup(&ix, S("a.shared.example")), 0xffffffffu, "an entry of every list: every bit");
    ok(!ot_name_index_build(&ix, lists, OT_NAME_INDEX_LISTS + 1) && !ix.ready, "%u lists refused",
       OT_NAME_INDEX_LISTS + 1);
    is_int(ot_name_index_lookup(&ix, S("a.shared.example")), 0, "a refused index answers 0");
    ok(ot_name_index_build(&ix, lists, 0) && ix.ready, "no lists: an empty index");
    is_int(ot_name_index_lookup(&ix, S("p0.example")), 0, "the empty index holds nothing");
    ot_name_index_free(&ix);
    for (size_t i = 0; i <= OT_NAME_INDEX_LISTS; i++)
        ot_name_list_free(&l[i]);
}

/* The configuration keeps its indexes in step with its keys. */
static void test_config_indexes(void)
{
    ot_config cfg;
    char err[128];

    ot_config_init(&cfg);
    ok(cfg.provider_index.ready && cfg.local_index.ready && cfg.dynamic_index.ready,
       "indexes ready after ot_config_init");
    is_int(ot_host_provider(&cfg, "mx.gmail.com"), 0, "a default provider found through the index");
    ok(!ot_host_is_local(&cfg, "mx.example.org"), "no LocalHostnames by default");
    ok(ot_config_apply(&cfg, "LocalHostnames", "mx.example.org", err, sizeof err) == OT_CONF_OK,
       "LocalHostnames set");
    ok(ot_host_is_local(&cfg, "MX.example.org."), "the new local name is found");
    ok(!ot_host_is_local(&cfg, "example.org"), "its parent is not ours");
    ok(ot_config_apply(&cfg, "Provider", "bigmail bigmail.example", err, sizeof err) == OT_CONF_OK,
       "Provider added");
    {
        int p = ot_host_provider(&cfg, "out.bigmail.example");
        ok(p >= 0 && strcmp(cfg.providers[p].name, "bigmail") == 0, "the new provider is found");
        ok(ot_host_in_provider(&cfg, "a.bigmail.example", p), "in_provider agrees");
        ok(!ot_host_in_provider(&cfg, "gmail.com", p), "another provider's domain is not in it");
        ok(!ot_host_in_provider(&cfg, "a.bigmail.example", -1), "provider -1 holds nothing");
        ok(!ot_host_in_provider(&cfg, "a.bigmail.example", OT_MAX_PROVIDERS), "a provider past the list holds nothing");
    }
    ok(ot_config_apply(&cfg, "Provider", "google google.example", err, sizeof err) == OT_CONF_OK,
       "Provider replaced");
    is_int(ot_host_provider(&cfg, "gmail.com"), -1, "replaced domains are forgotten by the index");
    is_int(ot_host_provider(&cfg, "mx.google.example"), 0, "the new domain counts");
    /* a bad entry after good ones: the good ones are kept, and indexed */
    ok(ot_config_apply(&cfg, "LocalHostnames", "ok.example,,", err, sizeof err) == OT_CONF_OK,
       "more LocalHostnames");
    ok(ot_host_is_local(&cfg, "ok.example"), "and indexed");

    /* the index built at load time and a configuration without one agree */
    {
        static const char *const names[] = {
            "mail.aol.com", "bigmail.example", "mx.example.org", "ok.example.", "google.example",
            "hotmail.co.uk", "co.uk", "", ".", "x.ME.COM",
        };
        bool same = true;
        ot_name_index saved_p = cfg.provider_index, saved_l = cfg.local_index;
        int pi[sizeof names / sizeof names[0]];
        bool li[sizeof names / sizeof names[0]];

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            pi[i] = ot_host_provider(&cfg, names[i]);
            li[i] = ot_host_is_local(&cfg, names[i]);
        }
        cfg.provider_index.ready = false;
        cfg.local_index.ready = false;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            same &= pi[i] == ot_host_provider(&cfg, names[i]) && li[i] == ot_host_is_local(&cfg, names[i]);
        ok(same, "with and without the indexes the answers are the same");
        cfg.provider_index = saved_p;
        cfg.local_index = saved_l;
    }
    ot_config_free(&cfg);
    ok(!cfg.provider_index.ready && !cfg.local_index.ready && !cfg.dynamic_index.ready,
       "ot_config_free drops the indexes");
}

/* The pattern chains: every pattern in exactly one chain, chains in list
 * order, the empty pattern noted. */
static void test_patterns(void)
{
    ot_name_list pats = { NULL, 0, false };
    ot_pattern_index px;
    size_t seen = 0;
    bool in_order = true, right_chain = true;

    ot_name_list_add(&pats, S("dsl"));
    ot_name_list_add(&pats, S("Dyn"));
    ot_name_list_add(&pats, S("pool"));
    ot_name_list_add(&pats, S("d"));
    ot_name_list_add(&pats, S("ip-"));
    ot_pattern_index_build(&px, &pats);
    ok(px.ready && !px.has_empty, "chains built, no empty pattern");
    for (unsigned b = 0; b < 32; b++) {
        unsigned last = 0;
        for (unsigned k = px.first[b]; k != 0; k = px.next[k - 1]) {
            seen++;
            in_order &= k > last;
            last = k;
            right_chain &= ((unsigned char)(pats.items[k - 1][0] | 0x20) & 31u) == b;
        }
    }
    is_int(seen, 5, "every pattern in one chain");
    ok(in_order, "chains run in list order");
    ok(right_chain, "each pattern in the chain of its first byte");
    ot_name_list_free(&pats);

    /* the most a list holds, and a list with nothing */
    {
        ot_name_list full = { NULL, 0, false };
        char p[16];
        for (unsigned i = 0; i < OT_MAX_NAMES; i++) {
            snprintf(p, sizeof p, "%c%u", 'a' + (int)(i % 26), i);
            ot_name_list_add(&full, p, strlen(p));
        }
        ot_pattern_index_build(&px, &full);
        seen = 0;
        for (unsigned b = 0; b < 32; b++)
            for (unsigned k = px.first[b]; k != 0; k = px.next[k - 1])
                seen++;
        is_int(seen, OT_MAX_NAMES, "%u patterns chained", OT_MAX_NAMES);
        ot_name_list_free(&full);
        ot_pattern_index_build(&px, &full);
        seen = 0;
        for (unsigned b = 0; b < 32; b++)
            seen += px.first[b] != 0;
        ok(px.ready && seen == 0, "an empty list: no chains");
    }
}

int main(void)
{
    test_lookup();
    test_long_names();
    test_many_lists();
    test_config_indexes();
    test_patterns();
    return tap_done();
}
