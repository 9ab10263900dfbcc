/*
 * test_addr.c - address parsing, printing, classes and CIDR blocks.
 *
 * Table-driven: each row is text in and the canonical text (or refusal)
 * out, so that a new shape seen in mail is one more row.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "tap.h"

struct parse_case {
    const char *text;
    int family;              /* 0: must be refused */
    const char *canonical;
};

static const struct parse_case parse_cases[] = {
    /* IPv4, strict dotted quad */
    { "192.0.2.1", 4, "192.0.2.1" },
    { "0.0.0.0", 4, "0.0.0.0" },
    { "255.255.255.255", 4, "255.255.255.255" },
    { "201.151.171.08", 4, "201.151.171.8" },     /* leading zero is decimal */
    { "010.001.002.003", 4, "10.1.2.3" },
    { "[210.97.77.167]", 4, "210.97.77.167" },
    { "256.1.1.1", 0, NULL },
    { "1.2.3", 0, NULL },
    { "1.2.3.4.5", 0, NULL },
    { "1.2.3.", 0, NULL },
    { ".1.2.3", 0, NULL },
    { "1..2.3", 0, NULL },
    { "1.2.3.0004", 0, NULL },
    { "1.2.3.4 ", 0, NULL },
    { " 1.2.3.4", 0, NULL },
    { "1.2.3.-4", 0, NULL },
    { "+1.2.3.4", 0, NULL },
    { "0x7f.0.0.1", 0, NULL },
    { "127.1", 0, NULL },
    { "2130706433", 0, NULL },
    { "[1.2.3.4", 0, NULL },
    { "1.2.3.4]", 0, NULL },
    { "[]", 0, NULL },
    { "", 0, NULL },
    { "IPv6:1.2.3.4", 0, NULL },                   /* the prefix promises IPv6 */
    /* IPv6 text forms, RFC 4291 2.2, printed per RFC 5952 */
    { "2001:db8::1", 6, "2001:db8::1" },
    { "2001:DB8:0:0:0:0:0:1", 6, "2001:db8::1" },
    { "2001:0db8:0000:0000:0000:0000:0000:0001", 6, "2001:db8::1" },
    { "::", 6, "::" },
    { "::1", 6, "::1" },
    { "1::", 6, "1::" },
    { "2001:db8:0:1:1:1:1:1", 6, "2001:db8:0:1:1:1:1:1" },   /* one zero group stays */
    { "2001:0:0:1:0:0:0:1", 6, "2001:0:0:1::1" },            /* longest run wins */
    { "2001:db8:0:0:1:0:0:1", 6, "2001:db8::1:0:0:1" },      /* first of equal runs */
    { "fe80::1:2:3:4", 6, "fe80::1:2:3:4" },
    { "1:2:3:4:5:6:7::", 6, "1:2:3:4:5:6:7:0" },
    { "::2:3:4:5:6:7:8", 6, "0:2:3:4:5:6:7:8" },
    { "[IPv6:2001:db8::25]", 6, "2001:db8::25" },
    { "IPv6:2001:db8::25", 6, "2001:db8::25" },
    { "ipv6:2001:db8::25", 6, "2001:db8::25" },
    { "[2603:10b6:404:1a::12]", 6, "2603:10b6:404:1a::12" },
    { "::1.2.3.4", 6, "::102:304" },                 /* IPv4-compatible stays IPv6 */
    { "64:ff9b::192.0.2.33", 6, "64:ff9b::c000:221" },
    { "1:2:3:4:5:6:1.2.3.4", 6, "1:2:3:4:5:6:102:304" },
    /* IPv4-mapped becomes IPv4 */
    { "::ffff:12.231.69.107", 4, "12.231.69.107" },
    { "[::ffff:12.231.69.107]", 4, "12.231.69.107" },
    { "::FFFF:c000:0201", 4, "192.0.2.1" },
    { "[IPv6:::ffff:192.0.2.7]", 4, "192.0.2.7" },
    { "0:0:0:0:0:ffff:192.0.2.9", 4, "192.0.2.9" },
    /* refused IPv6 */
    { ":", 0, NULL },
    { ":::", 0, NULL },
    { ":1", 0, NULL },
    { "1:", 0, NULL },
    { "1::2::3", 0, NULL },
    { "1:2:3:4:5:6:7:8:9", 0, NULL },
    { "1:2:3:4:5:6:7", 0, NULL },
    { "1:2:3:4:5:6:7:8::", 0, NULL },
    { "::1:2:3:4:5:6:7:8", 0, NULL },
    { "12345::", 0, NULL },
    { "g::1", 0, NULL },
    { "::ffff:1.2.3", 0, NULL },
    { "::ffff:1.2.3.256", 0, NULL },
    { "1:2:3:4:5:6:7:1.2.3.4", 0, NULL },
    { "::1.2.3.4:5", 0, NULL },
    { "fe80::1%eth0", 0, NULL },
    { "2001:db8::1/64", 0, NULL },
    { "[IPv6:]", 0, NULL },
};

struct class_case {
    const char *text;
    bool loopback, private_, reserved, nonpublic;
};

static const struct class_case class_cases[] = {
    { "127.0.0.1", true, false, false, true },
    { "127.255.0.9", true, false, false, true },
    { "::1", true, false, false, true },
    { "::ffff:127.0.0.1", true, false, false, true },
    { "10.1.2.3", false, true, false, true },
    { "172.16.0.1", false, true, false, true },
    { "172.31.255.255", false, true, false, true },
    { "172.32.0.1", false, false, false, false },
    { "172.15.255.255", false, false, false, false },
    { "192.168.25.1", false, true, false, true },
    { "100.64.0.1", false, true, false, true },
    { "100.127.255.254", false, true, false, true },
    { "100.128.0.1", false, false, false, false },
    { "fd00::1", false, true, false, true },
    { "fc00::1", false, true, false, true },
    { "fe00::1", false, false, false, false },
    { "0.0.0.0", false, false, true, true },
    { "0.1.2.3", false, false, true, true },
    { "169.254.1.1", false, false, true, true },
    { "192.0.2.55", false, false, true, true },
    { "198.51.100.7", false, false, true, true },
    { "203.0.113.9", false, false, true, true },
    { "198.18.0.1", false, false, true, true },
    { "224.0.0.1", false, false, true, true },
    { "239.255.255.255", false, false, true, true },
    { "240.0.0.1", false, false, true, true },
    { "255.255.255.255", false, false, true, true },
    { "::", false, false, true, true },
    { "fe80::1", false, false, true, true },
    { "febf::1", false, false, true, true },
    { "ff02::1", false, false, true, true },
    { "2001:db8::1", false, false, true, true },
    { "3fff::1", false, false, true, true },
    { "193.120.211.219", false, false, false, false },
    { "66.187.233.211", false, false, false, false },
    { "8.8.8.8", false, false, false, false },
    { "2a00:1450:4001::1", false, false, false, false },
    { "2603:10b6:404::12", false, false, false, false },
};

struct cidr_case {
    const char *cidr;
    bool valid;
    const char *network;     /* canonical network text */
    unsigned prefix;
    const char *inside, *outside;
};

static const struct cidr_case cidr_cases[] = {
    { "192.0.2.0/24", true, "192.0.2.0", 24, "192.0.2.200", "192.0.3.1" },
    { "10.1.2.3/8", true, "10.0.0.0", 8, "10.200.0.1", "11.0.0.1" },
    { "212.17.35.15", true, "212.17.35.15", 32, "212.17.35.15", "212.17.35.16" },
    { "0.0.0.0/0", true, "0.0.0.0", 0, "8.8.8.8", "::1" },
    { "172.16.0.0/12", true, "172.16.0.0", 12, "172.31.1.1", "172.32.0.0" },
    { "100.64.0.0/10", true, "100.64.0.0", 10, "100.100.0.1", "100.128.0.1" },
    { "192.168.1.77/31", true, "192.168.1.76", 31, "192.168.1.77", "192.168.1.78" },
    { "2001:db8::/32", true, "2001:db8::", 32, "2001:db8:ffff::1", "2001:db9::1" },
    { "2001:db8:1:2::99/64", true, "2001:db8:1:2::", 64, "2001:db8:1:2:ffff::", "2001:db8:1:3::" },
    { "::1", true, "::1", 128, "::1", "::2" },
    { "::ffff:192.0.2.0/120", true, "192.0.2.0", 24, "192.0.2.1", "192.0.3.1" },
    { "[192.0.2.1]", true, "192.0.2.1", 32, "192.0.2.1", "192.0.2.2" },
    { "192.0.2.0/33", false, NULL, 0, NULL, NULL },
    { "2001:db8::/129", false, NULL, 0, NULL, NULL },
    { "::ffff:192.0.2.0/64", false, NULL, 0, NULL, NULL },
    { "192.0.2.0/", false, NULL, 0, NULL, NULL },
    { "192.0.2.0/-1", false, NULL, 0, NULL, NULL },
    { "192.0.2.0/24 ", false, NULL, 0, NULL, NULL },
    { "192.0.2.0/0024", false, NULL, 0, NULL, NULL },
    { "192.0.2.0/2a", false, NULL, 0, NULL, NULL },
    { "/24", false, NULL, 0, NULL, NULL },
    { "host.example/24", false, NULL, 0, NULL, NULL },
    { "", false, NULL, 0, NULL, NULL },
};

static void test_parse(void)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
        const struct parse_case *c = &parse_cases[i];
        ot_addr a;
        char text[OT_IPTEXT_SIZE];
        bool got = ot_addr_parse(c->text, strlen(c->text), &a);

        if (c->family == 0) {
            ok(!got && a.family == 0, "refuses '%s'", c->text);
            continue;
        }
        ok(got, "parses '%s'", c->text);
        is_int(a.family, c->family, "family of '%s'", c->text);
        is_str(ot_addr_format(&a, text, sizeof text), c->canonical, "canonical '%s'", c->text);
    }
}

static void test_parse_bounds(void)
{
    char longtext[200];
    ot_addr a;

    /* exactly len bytes: the rest of the buffer is not looked at */
    ok(ot_addr_parse("192.0.2.1garbage", 9, &a) && a.family == 4, "reads only len bytes");
    ok(!ot_addr_parse("192.0.2.1", 8, &a), "shorter len is a different (bad) text");
    ok(!ot_addr_parse("1.2.3.4\0", 8, &a), "embedded NUL refused");
    ok(!ot_addr_parse(NULL, 5, &a), "NULL text refused");
    ok(ot_addr_parse("::1", 3, NULL), "NULL out allowed");

    memset(longtext, '0', sizeof longtext);
    memcpy(longtext, "0000:", 5);
    ok(!ot_addr_parse(longtext, sizeof longtext, &a), "over-long text refused");
    ok(!ot_addr_parse("0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1", 62, &a),
       "long but too many groups refused");

    /* formatting into small buffers never overflows and never cuts */
    char small[8];
    ot_addr_parse("2001:db8::1", 11, &a);
    memset(small, 'x', sizeof small);
    ot_addr_format(&a, small, sizeof small);
    is_str(small, "", "too small buffer gives empty text");
    char exact[12];
    is_str(ot_addr_format(&a, exact, sizeof exact), "2001:db8::1", "exact-size buffer");
    ot_addr none;
    memset(&none, 0, sizeof none);
    is_str(ot_addr_format(&none, exact, sizeof exact), "", "family 0 prints empty");
    is_str(ot_addr_format(NULL, exact, sizeof exact), "", "NULL prints empty");

    /* the longest canonical form fits OT_IPTEXT_SIZE */
    char buf[OT_IPTEXT_SIZE];
    ot_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 39, &a);
    is_str(ot_addr_format(&a, buf, sizeof buf), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
           "39-byte form");
}

static void test_equal(void)
{
    ot_addr a, b, c, d;
    ot_addr_parse("::ffff:192.0.2.1", 16, &a);
    ot_addr_parse("192.0.2.1", 9, &b);
    ot_addr_parse("2001:db8::1", 11, &c);
    ot_addr_parse("2001:DB8:0::0:1", 15, &d);
    ok(ot_addr_equal(&a, &b), "mapped equals plain IPv4");
    ok(ot_addr_equal(&c, &d), "two spellings of one IPv6 address");
    ok(!ot_addr_equal(&b, &c), "IPv4 differs from IPv6");
    ot_addr zero1, zero2;
    memset(&zero1, 0, sizeof zero1);
    memset(&zero2, 0, sizeof zero2);
    ok(!ot_addr_equal(&zero1, &zero2), "no address equals nothing");
}

static void test_classes(void)
{
    for (size_t i = 0; i < sizeof class_cases / sizeof class_cases[0]; i++) {
        const struct class_case *c = &class_cases[i];
        ot_addr a;
        ok(ot_addr_parse(c->text, strlen(c->text), &a), "class input '%s' parses", c->text);
        ok(ot_addr_is_loopback(&a) == c->loopback && ot_addr_is_private(&a) == c->private_ &&
               ot_addr_is_reserved(&a) == c->reserved && ot_addr_is_nonpublic(&a) == c->nonpublic,
           "classes of '%s' (loop=%d priv=%d resv=%d nonpub=%d)", c->text,
           ot_addr_is_loopback(&a), ot_addr_is_private(&a), ot_addr_is_reserved(&a),
           ot_addr_is_nonpublic(&a));
    }
    ot_addr none;
    memset(&none, 0, sizeof none);
    ok(!ot_addr_is_nonpublic(&none) && !ot_addr_is_loopback(NULL), "no address has no class");
}

static void test_cidr(void)
{
    for (size_t i = 0; i < sizeof cidr_cases / sizeof cidr_cases[0]; i++) {
        const struct cidr_case *c = &cidr_cases[i];
        ot_cidr cidr;
        bool got = ot_cidr_parse(c->cidr, strlen(c->cidr), &cidr);
        if (!c->valid) {
            ok(!got, "refuses CIDR '%s'", c->cidr);
            continue;
        }
        char text[OT_IPTEXT_SIZE];
        ok(got, "parses CIDR '%s'", c->cidr);
        is_str(ot_addr_format(&cidr.addr, text, sizeof text), c->network, "network of '%s'", c->cidr);
        is_int(cidr.prefix, c->prefix, "prefix of '%s'", c->cidr);
        ot_addr in, out;
        ot_addr_parse(c->inside, strlen(c->inside), &in);
        ot_addr_parse(c->outside, strlen(c->outside), &out);
        ok(ot_cidr_contains(&cidr, &in), "'%s' contains %s", c->cidr, c->inside);
        ok(!ot_cidr_contains(&cidr, &out), "'%s' does not contain %s", c->cidr, c->outside);
    }
}

static void test_cidr_list(void)
{
    ot_cidr_list l;
    ot_cidr c;
    ot_addr a;
    bool all_added = true;

    ot_cidr_list_init(&l);
    ot_addr_parse("192.0.2.1", 9, &a);
    ok(!ot_cidr_list_contains(&l, &a), "empty list contains nothing");

    /* fill to the cap with distinct /32s in 10/8, then one more */
    for (unsigned i = 0; i < OT_MAX_TRUSTED; i++) {
        memset(&c, 0, sizeof c);
        c.addr.family = 4;
        c.addr.bytes[0] = 10;
        c.addr.bytes[1] = (uint8_t)(i >> 16);
        c.addr.bytes[2] = (uint8_t)(i >> 8);
        c.addr.bytes[3] = (uint8_t)i;
        c.prefix = 32;
        if (!ot_cidr_list_add(&l, &c))
            all_added = false;
    }
    ok(all_added, "adds up to OT_MAX_TRUSTED entries");
    is_int(l.count, OT_MAX_TRUSTED, "count at the cap");
    ok(l.cap <= OT_MAX_TRUSTED, "capacity never past the cap");
    ot_cidr_parse("192.0.2.0/24", 12, &c);
    ok(!ot_cidr_list_add(&l, &c), "refuses past the cap");
    ok(!ot_cidr_list_contains(&l, &a), "refused block is not in the list");
    ot_addr_parse("10.0.15.160", 11, &a);
    ok(ot_cidr_list_contains(&l, &a), "entry 4000 is found");
    ot_addr_parse("10.0.16.0", 9, &a);
    ok(!ot_cidr_list_contains(&l, &a), "entry past the cap is not");
    ot_cidr_list_free(&l);
    is_int(l.count, 0, "free empties the list");

    ot_cidr_list_init(&l);
    ot_cidr_parse("2001:db8::/32", 13, &c);
    ot_cidr_list_add(&l, &c);
    ot_cidr_parse("127.0.0.0/8", 11, &c);
    ot_cidr_list_add(&l, &c);
    ot_addr_parse("[IPv6:2001:db8:5::1]", 20, &a);
    ok(ot_cidr_list_contains(&l, &a), "IPv6 literal in a mixed list");
    ot_addr_parse("::ffff:127.0.0.2", 16, &a);
    ok(ot_cidr_list_contains(&l, &a), "mapped loopback matches 127/8");
    memset(&c, 0, sizeof c);
    ok(!ot_cidr_list_add(&l, &c), "refuses a block with no address");
    ot_cidr_list_free(&l);
}

/* The IPv4 range index of a list answers as walking its blocks would:
 * each row is a list of blocks in the order added (overlapping, nested,
 * touching, at both ends of the space, past /32, mixed with IPv6), probed
 * at every block's edges and one beyond, and at fixed addresses. */
typedef struct range_case {
    const char *blocks[8];      /* NULL-terminated */
    size_t want_ranges;         /* ranges the index holds after merging */
} range_case;

static bool walk_contains(const ot_cidr_list *l, uint32_t x)
{
    ot_addr a = { 4, { (uint8_t)(x >> 24), (uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x } };
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].addr.family == 4 && ot_cidr_contains(&l->items[i], &a))
            return true;
    return false;
}

static void test_cidr_ranges(void)
{
    static const range_case cases[] = {
        { { "192.0.2.0/24", NULL }, 1 },
        { { "192.0.2.0/24", "192.0.2.128/25", NULL }, 1 },
        { { "192.0.2.128/25", "192.0.2.0/24", NULL }, 1 },
        { { "192.0.2.0/25", "192.0.2.128/25", NULL }, 1 },
        { { "192.0.2.0/25", "192.0.2.129/32", NULL }, 2 },
        { { "10.0.0.1", "10.0.0.3", "10.0.0.2", NULL }, 1 },
        { { "10.0.0.5", "10.0.0.1", "10.0.0.9", "10.0.0.0/28", NULL }, 1 },
        { { "0.0.0.0/32", "255.255.255.255/32", NULL }, 2 },
        { { "255.255.255.0/24", "255.255.255.255", NULL }, 1 },
        { { "0.0.0.0/0", "10.0.0.0/8", NULL }, 1 },
        { { "2001:db8::/32", "198.51.100.7", "::1", NULL }, 1 },
        { { "203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "198.51.101.0/24", NULL }, 3 },
        { { NULL }, 0 },
    };
    static const uint32_t fixed[] = { 0u, 1u, 0x0a000000u, 0x0a000004u, 0xc0000280u, 0xc00002ffu,
                                      0xfffffffeu, 0xffffffffu, 0x7f000001u };

    for (size_t r = 0; r < sizeof cases / sizeof cases[0]; r++) {
        ot_cidr_list l;
        ot_cidr c;
        bool same = true;

        ot_cidr_list_init(&l);
        for (size_t b = 0; cases[r].blocks[b] != NULL; b++) {
            const char *t = cases[r].blocks[b];
            ok(ot_cidr_parse(t, strlen(t), &c) && ot_cidr_list_add(&l, &c), "row %zu: %s added", r, t);
        }
        is_int(l.nv4, cases[r].want_ranges, "row %zu: %zu ranges", r, cases[r].want_ranges);
        for (size_t i = 0; i + 1 < l.nv4; i++)
            same &= l.v4[i].hi < l.v4[i + 1].lo;
        ok(same, "row %zu: ranges sorted and disjoint", r);
        for (size_t i = 0; i < l.count; i++) {
            if (l.items[i].addr.family != 4)
                continue;
            uint32_t net = (uint32_t)l.items[i].addr.bytes[0] << 24 | (uint32_t)l.items[i].addr.bytes[1] << 16 |
                           (uint32_t)l.items[i].addr.bytes[2] << 8 | l.items[i].addr.bytes[3];
            unsigned p = l.items[i].prefix;
            uint32_t last = net | (p >= 32 ? 0u : p == 0 ? 0xffffffffu : 0xffffffffu >> p);
            const uint32_t probes[] = { net - 1, net, net + 1, last - 1, last, last + 1 };
            for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
                ot_addr a = { 4, { (uint8_t)(probes[k] >> 24), (uint8_t)(probes[k] >> 16),
                                   (uint8_t)(probes[k] >> 8), (uint8_t)probes[k] } };
                same &= ot_cidr_list_contains(&l, &a) == walk_contains(&l, probes[k]);
            }
        }
        for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
            ot_addr a = { 4, { (uint8_t)(fixed[k] >> 24), (uint8_t)(fixed[k] >> 16), (uint8_t)(fixed[k] >> 8),
                               (uint8_t)fixed[k] } };
            same &= ot_cidr_list_contains(&l, &a) == walk_contains(&l, fixed[k]);
        }
        ok(same, "row %zu: the index answers as the blocks do", r);
        /* the walk, as after a failed index allocation, answers the same */
        l.v4_lost = true;
        for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
            ot_addr a = { 4, { (uint8_t)(fixed[k] >> 24), (uint8_t)(fixed[k] >> 16), (uint8_t)(fixed[k] >> 8),
                               (uint8_t)fixed[k] } };
            same &= ot_cidr_list_contains(&l, &a) == walk_contains(&l, fixed[k]);
        }
        ok(same, "row %zu: the walk without the index agrees", r);
        ot_cidr_list_free(&l);
    }

    /* a prefix past 32 on an IPv4 block counts as 32 */
    {
        ot_cidr_list l;
        ot_cidr c;
        ot_addr a;
        ot_cidr_list_init(&l);
        memset(&c, 0, sizeof c);
        c.addr.family = 4;
        c.addr.bytes[0] = 192;
        c.addr.bytes[2] = 2;
        c.addr.bytes[3] = 9;
        c.prefix = 40;
        ok(ot_cidr_list_add(&l, &c), "a /40 IPv4 block added");
        ot_addr_parse("192.0.2.9", 9, &a);
        ok(ot_cidr_list_contains(&l, &a), "/40 holds its own address");
        ot_addr_parse("192.0.2.8", 9, &a);
        ok(!ot_cidr_list_contains(&l, &a), "and no other");
        ot_cidr_list_free(&l);
    }
}

int main(void)
{
    test_parse();
    test_parse_bounds();
    test_equal();
    test_classes();
    test_cidr();
    test_cidr_list();
    test_cidr_ranges();
    return tap_done();
}
