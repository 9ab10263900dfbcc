/*
 * test_hostname.c - pins the name judgements of core/hostname.c.
 *
 * One table per function. Names are passed with explicit lengths where
 * the function takes one, so that embedded NULs and trailing bytes past
 * the length are exercised too. The dynamic-name rows carry the address
 * the name was seen with, as the checks call it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "hostname.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

/* A name as a test description can show it: control and 8-bit bytes
 * (and NULs within len) as \xNN, so TAP output stays one line per test. */
static const char *shown(const char *name, size_t len)
{
    static char out[4][600];
    static unsigned slot;
    char *o = out[slot++ % 4];
    size_t used = 0;

    for (size_t i = 0; i < len && used + 5 < sizeof out[0]; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c > 0x7e)
            used += (size_t)snprintf(o + used, sizeof out[0] - used, "\\x%02x", c);
        else
            o[used++] = (char)c;
    }
    o[used] = '\0';
    return o;
}

typedef struct name_case {
    const char *name;
    size_t len;
    bool want;
} name_case;

static char label63[64], label64[65], name253[254], name254[255];

static void build_long_names(void)
{
    memset(label63, 'a', 63);
    label63[63] = '\0';
    memset(label64, 'b', 64);
    label64[64] = '\0';
    /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
    snprintf(name253, sizeof name253, "%s.%s.%s.%.61s", label63, label63, label63, label63);
    snprintf(name254, sizeof name254, "%s.%s.%s.%.62s", label63, label63, label63, label63);
}

static void test_valid(void)
{
    static const name_case cases[] = {
        { S("mail.example.com"), true },
        { S("a"), true },
        { S("localhost"), true },
        { S("example.com."), true },
        { S("MX1.Example.ORG"), true },
        { S("xn--bcher-kva.example"), true },
        { S("a-b.c-d.example"), true },
        { S("123.example"), true },
        { S("1.2.3.4"), true },
        { S("WIN_PC"), true },             /* underscore tolerated, Windows hosts use it */
        { S(""), false },
        { S("."), false },
        { S(".example.com"), false },
        { S("a..b"), false },
        { S("mail.example.com.."), false },
        { S("-mail.example.com"), false },
        { S("mail-.example.com"), false },
        { S("mail.-example.com"), false },
        { S("mail.example-"), false },
        { S("mail example.com"), false },
        { S("mail@example.com"), false },
        { S("[192.0.2.1]"), false },
        { S("mail.example.com\r\n"), false },
        { S("mail\0evil.example"), false },
        { S("caf\xc3\xa9.example"), false },
        { S("a;b.example"), false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_int(ot_host_is_valid(cases[i].name, cases[i].len), cases[i].want, "valid(\"%s\") = %d",
               shown(cases[i].name, cases[i].len), cases[i].want);

    {
        char buf[300];
        snprintf(buf, sizeof buf, "%s.example", label63);
        ok(ot_host_is_valid(buf, strlen(buf)), "a 63-byte label is valid");
        snprintf(buf, sizeof buf, "%s.example", label64);
        ok(!ot_host_is_valid(buf, strlen(buf)), "a 64-byte label is not");
        ok(ot_host_is_valid(name253, strlen(name253)), "253 bytes in all is valid");
        snprintf(buf, sizeof buf, "%s.", name253);
        ok(ot_host_is_valid(buf, strlen(buf)), "253 bytes plus the root dot is valid");
        ok(!ot_host_is_valid(name254, strlen(name254)), "254 bytes is not");
    }
    /* only len bytes are read */
    ok(ot_host_is_valid("mail.example.com junk", 16), "length bounds the name (valid prefix)");
    ok(!ot_host_is_valid("mail.example.com", 0), "length 0 is not a name");
    ok(ot_host_is_valid("ab", 1), "one byte of a longer buffer");
}

static void test_fqdn(void)
{
    static const name_case cases[] = {
        { S("mail.example.com"), true },
        { S("example.com"), true },
        { S("example.com."), true },
        { S("mx.example.co.uk"), true },
        { S("MAIL.EXAMPLE.NET"), true },
        { S("mail.example.xn--p1ai"), true },    /* IDN TLD: not numeric */
        { S("localhost"), false },
        { S("mail"), false },
        { S("WINPC"), false },
        { S("mail."), false },
        { S("1.2.3.4"), false },
        { S("host.123"), false },
        { S("mail.example.c"), false },
        { S("mail..example.com"), false },
        { S("mail.example.com.."), false },
        { S("mail.exa mple.com"), false },
        { S("[192.0.2.1]"), false },
        { S(""), false },
        { S("."), false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_int(ot_host_is_fqdn(cases[i].name, cases[i].len), cases[i].want, "fqdn(\"%s\") = %d",
               cases[i].name, cases[i].want);
    ok(!ot_host_is_fqdn(name254, strlen(name254)), "a 254-byte name is not a FQDN");
}

typedef struct literal_case {
    const char *name;
    size_t len;
    bool is_literal;
    int family;              /* of the filled address; 0 when it does not parse */
    const char *ip;          /* canonical text when it parses */
} literal_case;

static void test_literal(void)
{
    static const literal_case cases[] = {
        { S("[192.0.2.1]"), true, 4, "192.0.2.1" },
        { S("[203.0.113.45]"), true, 4, "203.0.113.45" },
        { S("[IPv6:2001:db8::1]"), true, 6, "2001:db8::1" },
        { S("[IPv6:2001:DB8:0:0:0:0:0:1]"), true, 6, "2001:db8::1" },
        { S("[IPv6:::ffff:192.0.2.7]"), true, 4, "192.0.2.7" },
        { S("[127.0.0.1]"), true, 4, "127.0.0.1" },
        { S("[300.1.1.1]"), true, 0, NULL },
        { S("[mail.example.com]"), true, 0, NULL },
        { S("[x]"), true, 0, NULL },
        { S("[]"), false, 0, NULL },
        { S("["), false, 0, NULL },
        { S("192.0.2.1"), false, 0, NULL },
        { S("[192.0.2.1"), false, 0, NULL },
        { S("192.0.2.1]"), false, 0, NULL },
        { S("mail.example.com"), false, 0, NULL },
        { S(""), false, 0, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const literal_case *c = &cases[i];
        ot_addr a;
        bool got;

        memset(&a, 0xa5, sizeof a);
        got = ot_host_is_literal(c->name, c->len, &a);
        is_int(got, c->is_literal, "literal(\"%s\") = %d", c->name, c->is_literal);
        if (got) {
            is_int(a.family, c->family, "literal(\"%s\") family %d", c->name, c->family);
            if (c->ip != NULL && a.family != 0) {
                char text[OT_IPTEXT_SIZE];
                is_str(ot_addr_format(&a, text, sizeof text), c->ip, "literal(\"%s\") is %s", c->name, c->ip);
            }
        }
        ot_host_is_literal(c->name, c->len, NULL);
    }
    ok(1, "literal with a NULL address does not crash");
    ok(!ot_host_is_literal("[192.0.2.1]", 5, NULL), "only len bytes are read (\"[192.\")");
}

static void test_bare_ip(void)
{
    static const literal_case cases[] = {
        { S("192.0.2.1"), true, 4, "192.0.2.1" },
        { S("203.0.113.45"), true, 4, "203.0.113.45" },
        { S("2001:db8::25"), true, 6, "2001:db8::25" },
        { S("::ffff:203.0.113.45"), true, 4, "203.0.113.45" },
        { S("127.0.0.1"), true, 4, "127.0.0.1" },
        { S("::1"), true, 6, "::1" },
        { S("[192.0.2.1]"), false, 0, NULL },
        { S("[IPv6:2001:db8::1]"), false, 0, NULL },
        { S("192.0.2"), false, 0, NULL },
        { S("192.0.2.256"), false, 0, NULL },
        { S("192.0.2.1.example.com"), false, 0, NULL },
        { S("mail.example.com"), false, 0, NULL },
        { S("192.0.2.1 "), false, 0, NULL },
        { S(""), false, 0, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const literal_case *c = &cases[i];
        ot_addr a;
        bool got;

        memset(&a, 0, sizeof a);
        got = ot_host_is_bare_ip(c->name, c->len, &a);
        is_int(got, c->is_literal, "bare_ip(\"%s\") = %d", c->name, c->is_literal);
        if (got && c->ip != NULL) {
            char text[OT_IPTEXT_SIZE];
            is_int(a.family, c->family, "bare_ip(\"%s\") family %d", c->name, c->family);
            is_str(ot_addr_format(&a, text, sizeof text), c->ip, "bare_ip(\"%s\") is %s", c->name, c->ip);
        }
        is_int(ot_host_is_bare_ip(c->name, c->len, NULL), c->is_literal, "bare_ip(\"%s\") with NULL address",
               c->name);
    }
}

static void test_localhost(void)
{
    static const name_case cases[] = {
        { S("localhost"), true },
        { S("LOCALHOST"), true },
        { S("LocalHost"), true },
        { S("localhost."), true },
        { S("localhost.localdomain"), true },
        { S("localhost.localdomain."), true },
        { S("localhost.example.com"), true },
        { S("mylocalhost"), false },
        { S("localhostx"), false },
        { S("localhost-1"), false },
        { S("local"), false },
        { S("localhost."), true },
        { S("127.0.0.1"), false },           /* an address, judged as such elsewhere */
        { S("mail.example.com"), false },
        { S(""), false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_int(ot_host_is_localhost(cases[i].name, cases[i].len), cases[i].want, "localhost(\"%s\") = %d",
               cases[i].name, cases[i].want);
    ok(ot_host_is_localhost("localhost.evil", 9), "only len bytes are read");
}

typedef struct list_case {
    const char *name;
    bool want;
} list_case;

static void test_in_list(void)
{
    static const list_case cases[] = {
        { "example.org", true },
        { "mx.example.org", true },
        { "a.b.example.org", true },
        { "EXAMPLE.ORG", true },
        { "Mx.Example.Org.", true },
        { "mx.example.net", true },
        { "in.mx.example.net", true },
        { "example.net", false },         /* only the host mx.example.net is listed */
        { "badexample.org", false },
        { "example.org.evil.example", false },
        { "xexample.org", false },
        { "org", false },
        { "", false },
    };
    ot_name_list list = { NULL, 0, false };
    ot_name_list empty = { NULL, 0, false };

    ok(ot_name_list_add(&list, S("example.org")) && ot_name_list_add(&list, S("MX.EXAMPLE.NET")),
       "list built");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_int(ot_host_in_list(cases[i].name, &list), cases[i].want, "in_list(\"%s\") = %d", cases[i].name,
               cases[i].want);
    ok(!ot_host_in_list("example.org", &empty), "nothing is in an empty list");

    /* an administrator may write a name with its root dot */
    {
        ot_name_list dotted = { NULL, 0, false };
        ok(ot_name_list_add(&dotted, S("mx.example.org.")), "dotted list built");
        ok(ot_host_in_list("mx.example.org", &dotted), "list entry \"mx.example.org.\" matches mx.example.org");
        ok(ot_host_in_list("mx.example.org.", &dotted), "list entry \"mx.example.org.\" matches itself");
        ok(ot_host_in_list("a.mx.example.org", &dotted), "list entry \"mx.example.org.\" matches a subdomain");
        ot_name_list_free(&dotted);
    }
    ot_name_list_free(&list);
}

typedef struct provider_case {
    const char *name;
    const char *provider;    /* NULL: none */
} provider_case;

static void test_provider(void)
{
    static const provider_case cases[] = {
        { "google.com", "google" },
        { "mail-qk1-f170.google.com", "google" },
        { "gmail.com", "google" },
        { "mx.googlemail.com", "google" },
        { "hotmail.com", "microsoft" },
        { "BAY12-F34.HOTMAIL.COM", "microsoft" },
        { "mail.outlook.com", "microsoft" },
        { "yahoo.com", "yahoo" },
        { "mta1.mail.yahoo.co.jp", "yahoo" },
        { "web1.yahoo.co.uk", "yahoo" },
        { "aol.com", "aol" },
        { "imo-m01.mx.aol.com.", "aol" },
        { "example.com", NULL },
        { "notgoogle.com", NULL },
        { "google.com.evil.example", NULL },
        { "yahoo.example", NULL },
        { "hotmail", NULL },
        { "", NULL },
    };
    ot_config cfg;
    char err[128];

    ot_config_init(&cfg);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int idx = ot_host_provider(&cfg, cases[i].name);
        const char *got = idx >= 0 ? cfg.providers[idx].name : NULL;
        is_str(got, cases[i].provider, "provider(\"%s\") = %s", cases[i].name,
               cases[i].provider ? cases[i].provider : "none");
    }

    /* a configured provider */
    ok(ot_config_apply(&cfg, "Provider", "bigmail bigmail.example,bigmail-cdn.example", err, sizeof err) ==
       OT_CONF_OK, "Provider bigmail configured");
    {
        int idx = ot_host_provider(&cfg, "out3.bigmail-cdn.example");
        is_str(idx >= 0 ? cfg.providers[idx].name : NULL, "bigmail", "configured provider recognised");
    }
    /* replacing a provider's domains forgets the old ones */
    ok(ot_config_apply(&cfg, "Provider", "google google.example", err, sizeof err) == OT_CONF_OK,
       "Provider google replaced");
    ok(ot_host_provider(&cfg, "google.com") < 0, "replaced domains no longer count");
    ok(ot_host_provider(&cfg, "mx.google.example") >= 0, "the new domain counts");
    ot_config_free(&cfg);
}

typedef struct dynamic_case {
    const char *name;
    const char *ip;          /* address the name was seen with; NULL: none */
    bool want;
} dynamic_case;

static void test_dynamic(void)
{
    static const dynamic_case cases[] = {
        /* pool names after the address */
        { "dsl-203-0-113-45.dyn.example.net", "203.0.113.45", true },
        { "pool-198-51-100-7.example.com", "198.51.100.7", true },
        { "c-203-0-113-45.hsd1.example.com", "203.0.113.45", true },
        { "45.113.0.203.broadband.example.net", "203.0.113.45", true },
        { "203-0-113-45.example.net", "203.0.113.45", true },
        { "host203000113045.example.net", "203.0.113.45", true },
        { "mail-203-0-113-45.example.com", "203.0.113.45", true },
        /* pool words with numbers */
        { "ppp12.example.net", NULL, true },
        { "ppp12.example.net", "198.51.100.12", true },
        { "dsl-203-0-113-45.dyn.example.net", NULL, true },
        { "adsl123.example.net", NULL, true },
        { "cable-77.example.com", NULL, true },
        { "dhcp-12-34.example.edu", NULL, true },
        { "user1234.example.net", NULL, true },
        { "cpe001122334455.example.net", NULL, true },
        { "x.dyn.example.net", NULL, true },          /* a whole "dyn" label */
        { "a1b2.dialup.example.net", NULL, true },    /* a whole "dialup" label, as hostname.c says */
        /* servers */
        { "mail.example.com", NULL, false },
        { "mail.example.com", "203.0.113.45", false },
        { "mailhost.example.com", NULL, false },
        { "mailhost.example.com", "198.51.100.7", false },
        { "smtp1.example.org", NULL, false },
        { "smtp1.example.org", "198.51.100.1", false },
        { "mx.example.org", "192.0.2.25", false },
        { "relay.example.com", NULL, false },
        { "mx1.hosting.example.com", NULL, false },
        { "users.example.org", NULL, false },
        { "smtp.customers.example.net", NULL, false },
        { "mx2.example.net", "2001:db8::2", false },
        { "", NULL, false },
        /* the address does not match the digits in the name */
        { "mail-10-1-2-3.example.com", "203.0.113.45", false },
    };
    ot_config cfg;
    char err[128];

    ot_config_init(&cfg);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const dynamic_case *c = &cases[i];
        ot_addr a, *ap = NULL;

        if (c->ip != NULL) {
            ok(ot_addr_parse(c->ip, strlen(c->ip), &a), "address %s parses", c->ip);
            ap = &a;
        }
        is_int(ot_host_looks_dynamic(&cfg, c->name, ap), c->want, "dynamic(\"%s\", %s) = %d", c->name,
               c->ip ? c->ip : "no address", c->want);
    }
    ok(!ot_host_looks_dynamic(&cfg, NULL, NULL), "NULL name is not dynamic");

    /* configured patterns replace the built-in ones */
    ok(ot_config_apply(&cfg, "DynamicPatterns", "zz", err, sizeof err) == OT_CONF_OK, "DynamicPatterns zz");
    ok(ot_host_looks_dynamic(&cfg, "zz42.example.net", NULL), "configured pattern counts");
    ok(!ot_host_looks_dynamic(&cfg, "ppp12.example.net", NULL), "built-in patterns replaced");
    {
        ot_addr a;
        ot_addr_parse(S("203.0.113.45"), &a);
        ok(ot_host_looks_dynamic(&cfg, "x-203-0-113-45.example.net", &a),
           "an embedded address counts whatever the patterns");
    }
    ot_config_free(&cfg);
}

typedef struct org_case {
    const char *name;
    const char *org;
} org_case;

static void test_org_domain(void)
{
    static const org_case cases[] = {
        { "mail.example.com", "example.com" },
        { "a.b.c.example.com", "example.com" },
        { "example.com", "example.com" },
        { "com", "com" },
        { "", "" },
        { "mx.example.co.uk", "example.co.uk" },
        { "a.b.example.co.uk", "example.co.uk" },
        { "example.co.uk", "example.co.uk" },
        { "www.example.org.uk", "example.org.uk" },
        { "mta5.mail.yahoo.co.jp", "yahoo.co.jp" },
        { "mx.example.com.au", "example.com.au" },
        { "smtp.example.ne.jp", "example.ne.jp" },
        { "MX.EXAMPLE.CO.UK", "EXAMPLE.CO.UK" },
        { "mx.example.de", "example.de" },
        { "mx.example.io", "example.io" },
        { "mail.example.uk", "example.uk" },     /* no generic second level */
        { "mx.example.museum", "example.museum" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *name = cases[i].name, *want = cases[i].org;
        is_str(ot_host_org_domain(name), want, "org(\"%s\")", name);
    }
    ok(strncmp(ot_host_org_domain("mail.example.com."), "example.com", 11) == 0,
       "a trailing dot keeps the same organisation");
}

typedef struct equal_case {
    const char *a, *b;
    bool want;
} equal_case;

static void test_equal(void)
{
    static const equal_case cases[] = {
        { "mx.example.org", "mx.example.org", true },
        { "MX.Example.ORG", "mx.example.org", true },
        { "mx.example.org.", "mx.example.org", true },
        { "mx.example.org", "mx.example.org.", true },
        { "mx.example.org", "mx2.example.org", false },
        { "mx.example.org", "mx.example.org.uk", false },
        { "mx.example.org", "example.org", false },
        { "", "", false },
        { ".", "", false },
        { "a", "a", true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        is_int(ot_host_equal(cases[i].a, cases[i].b), cases[i].want, "equal(\"%s\", \"%s\") = %d",
               cases[i].a, cases[i].b, cases[i].want);
}

int main(void)
{
    build_long_names();
    test_valid();
    test_fqdn();
    test_literal();
    test_bare_ip();
    test_localhost();
    test_in_list();
    test_provider();
    test_dynamic();
    test_org_domain();
    test_equal();
    return tap_done();
}
