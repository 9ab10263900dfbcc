/*
 * test_resolver.c - the parts of milter/dns/resolver.c and gather.c that
 * need no DNS server: the rdata decoders (fed hand-made wire format,
 * well-formed and hostile), reverse names, the batch's refusals and
 * deadline, resolver creation from Nameservers, and the incomplete list.
 * Nothing here sends a packet: every batch that is given a name has a
 * deadline already passed. Lookups against a server are tests/dns.sh.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "config.h"
#include "gather.h"
#include "resolver.h"
#include "tap.h"

#define RD(lit) (const unsigned char *)(lit), sizeof(lit) - 1

/* An answer of one rrtype holding the given records. */
static ot_dns_answer make_answer(int rrtype, size_t n, const unsigned char *const *rd,
                                 const size_t *len)
{
    ot_dns_answer a;

    memset(&a, 0, sizeof a);
    a.status = OT_DNS_OK;
    a.rrtype = rrtype;
    a.count = n;
    for (size_t i = 0; i < n; i++) {
        a.rdata[i] = rd[i];
        a.rdlen[i] = len[i];
    }
    return a;
}

static ot_dns_answer one_record(int rrtype, const unsigned char *rd, size_t len)
{
    return make_answer(rrtype, 1, &rd, &len);
}

static ot_addr addr_of(const char *text)
{
    ot_addr a;
    memset(&a, 0, sizeof a);
    (void)ot_addr_parse(text, strlen(text), &a);
    return a;
}

static const char *addr_text(const ot_addr *a)
{
    static char buf[4][OT_IPTEXT_SIZE];
    static unsigned slot;
    return ot_addr_format(a, buf[slot++ % 4], sizeof buf[0]);
}

static void test_reverse_names(void)
{
    char out[OT_DNS_NAME_MAX + 1], tiny[10];
    ot_addr v4 = addr_of("192.0.2.10"), v6 = addr_of("2001:db8::10"), none;
    char long_zone[300];

    memset(&none, 0, sizeof none);
    ok(ot_dns_reverse_name(&v4, NULL, out, sizeof out), "IPv4 reverse name built");
    is_str(out, "10.2.0.192.in-addr.arpa", "IPv4 under in-addr.arpa");
    ok(ot_dns_reverse_name(&v4, "", out, sizeof out), "empty zone means the arpa tree");
    is_str(out, "10.2.0.192.in-addr.arpa", "IPv4 with empty zone");
    ok(ot_dns_reverse_name(&v4, "bl.test", out, sizeof out), "IPv4 under a DNSBL zone");
    is_str(out, "10.2.0.192.bl.test", "IPv4 DNSBL name");
    ok(ot_dns_reverse_name(&v4, "bl.test.", out, sizeof out), "zone with a trailing dot");
    is_str(out, "10.2.0.192.bl.test", "the zone's trailing dot is dropped");
    ok(ot_dns_reverse_name(&v6, NULL, out, sizeof out), "IPv6 reverse name built");
    is_str(out, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
           "IPv6 nibbles under ip6.arpa");
    ok(ot_dns_reverse_name(&v6, "bl.test", out, sizeof out), "IPv6 under a DNSBL zone");
    is_str(out, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.test",
           "IPv6 DNSBL name");
    ot_addr mapped = addr_of("::ffff:203.0.113.45");
    ok(ot_dns_reverse_name(&mapped, NULL, out, sizeof out), "mapped IPv6 reverse name built");
    is_str(out, "45.113.0.203.in-addr.arpa", "an IPv4-mapped address is asked as IPv4");

    ok(!ot_dns_reverse_name(&v4, NULL, tiny, sizeof tiny), "refused when the buffer is small");
    is_str(tiny, "", "nothing half-written into a small buffer");
    ok(!ot_dns_reverse_name(&none, NULL, out, sizeof out), "refused without an address");
    memset(long_zone, 'a', sizeof long_zone - 1);
    long_zone[sizeof long_zone - 1] = '\0';
    for (size_t i = 60; i < sizeof long_zone - 1; i += 61)
        long_zone[i] = '.';
    ok(!ot_dns_reverse_name(&v4, long_zone, out, sizeof out), "refused past 253 bytes");
    long_zone[240] = '\0';
    ok(!ot_dns_reverse_name(&v6, long_zone, out, sizeof out), "IPv6 under a long zone refused");
    ok(!ot_dns_reverse_name(&v4, ".bl.test", out, sizeof out), "a zone with an empty label refused");
}

static void test_addrs(void)
{
    const unsigned char *rd[4];
    size_t len[4];
    ot_addr out[4];
    ot_dns_answer a;

    rd[0] = (const unsigned char *)"\xc0\x00\x02\x0a";
    len[0] = 4;
    rd[1] = (const unsigned char *)"\x7f\x00\x00\x02\x00";   /* five bytes: not an A */
    len[1] = 5;
    rd[2] = (const unsigned char *)"\xc6\x33\x64\x07";
    len[2] = 4;
    a = make_answer(OT_RR_A, 3, rd, len);
    is_int(ot_dns_answer_addrs(&a, out, 4), 2, "A: two good records, the bad one skipped");
    is_str(addr_text(&out[0]), "192.0.2.10", "first A address");
    is_str(addr_text(&out[1]), "198.51.100.7", "second A address");
    is_int(ot_dns_answer_addrs(&a, out, 1), 1, "A: never more than max");

    rd[0] = (const unsigned char *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10";
    len[0] = 16;
    rd[1] = (const unsigned char *)"\0\0\0\0\0\0\0\0\0\0\xff\xff\xcb\x00\x71\x2d";
    len[1] = 16;
    rd[2] = (const unsigned char *)"\xc0\x00\x02\x0a";      /* four bytes in an AAAA answer */
    len[2] = 4;
    a = make_answer(OT_RR_AAAA, 3, rd, len);
    is_int(ot_dns_answer_addrs(&a, out, 4), 2, "AAAA: two good records");
    is_str(addr_text(&out[0]), "2001:db8::10", "AAAA address");
    is_int(out[1].family, 4, "an IPv4-mapped AAAA is an IPv4 address");
    is_str(addr_text(&out[1]), "203.0.113.45", "mapped address as IPv4");

    a.status = OT_DNS_NXDOMAIN;
    is_int(ot_dns_answer_addrs(&a, out, 4), 0, "no addresses from an answer that is not OK");
    a = one_record(OT_RR_PTR, RD("\4mail\4good\4test\0"));
    is_int(ot_dns_answer_addrs(&a, out, 4), 0, "no addresses from a PTR answer");
    is_int(ot_dns_answer_addrs(NULL, out, 4), 0, "NULL answer");
}

typedef struct name_case {
    int rrtype;
    const char *rdata;
    size_t len;
    const char *want;      /* "" = refused */
    unsigned pref;
    const char *what;
} name_case;

#define NC(type, lit, want, pref, what) { type, lit, sizeof(lit) - 1, want, pref, what }

static const name_case name_cases[] = {
    NC(OT_RR_PTR, "\4mail\4good\4test\0", "mail.good.test", 0, "plain PTR"),
    NC(OT_RR_PTR, "\4MAIL\4Good\4TEST\0", "mail.good.test", 0, "lower-cased"),
    NC(OT_RR_PTR, "\x0c" "203-0-113-45\3dyn\3isp\4test\0", "203-0-113-45.dyn.isp.test", 0,
       "digits and hyphens"),
    NC(OT_RR_CNAME, "\3www\4good\4test\0", "www.good.test", 0, "CNAME target"),
    NC(OT_RR_NS, "\2ns\4good\4test\0", "ns.good.test", 0, "NS target"),
    NC(OT_RR_MX, "\0\x0a\2mx\4good\4test\0", "mx.good.test", 10, "MX exchange and preference"),
    NC(OT_RR_MX, "\x01\x00\2mx\4good\4test\0", "mx.good.test", 256, "MX preference, high byte"),
    NC(OT_RR_PTR, "\0", "", 0, "the root is no host name"),
    NC(OT_RR_PTR, "", "", 0, "empty rdata"),
    NC(OT_RR_PTR, "\4mail\xc0\x0c", "", 0, "a compression pointer is refused"),
    NC(OT_RR_PTR, "\x40" "aaaa", "", 0, "a label of 64 bytes is refused"),
    NC(OT_RR_PTR, "\x09mail\4good", "", 0, "a label running past the record"),
    NC(OT_RR_PTR, "\4mail\4good\4test", "", 0, "no terminating root label"),
    NC(OT_RR_PTR, "\4mail\4good\4test\0junk", "", 0, "bytes after the name"),
    NC(OT_RR_PTR, "\4ma.l\4good\4test\0", "", 0, "a dot inside a label"),
    NC(OT_RR_PTR, "\4ma l\4good\4test\0", "", 0, "a space inside a label"),
    NC(OT_RR_PTR, "\4ma\0l\4good\4test\0", "", 0, "a NUL inside a label"),
    NC(OT_RR_PTR, "\4ma\\l\4good\4test\0", "", 0, "a backslash inside a label"),
    NC(OT_RR_PTR, "\4m\xc3\xa9l\4good\4test\0", "", 0, "8-bit bytes inside a label"),
    NC(OT_RR_MX, "\0\x0a", "", 0, "MX without an exchange"),
    NC(OT_RR_A, "\xc0\x00\x02\x0a", "", 0, "an A record is no name"),
};

static void test_names(void)
{
    char out[OT_HOST_SIZE], small[8];
    unsigned char longname[300];
    size_t used = 0;
    unsigned pref;
    ot_dns_answer a;

    for (size_t i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
        const name_case *c = &name_cases[i];
        size_t n;

        a = one_record(c->rrtype, (const unsigned char *)c->rdata, c->len);
        pref = 99;
        n = ot_dns_answer_name(&a, 0, out, sizeof out, &pref);
        is_str(out, c->want, "name: %s", c->what);
        is_int(n, strlen(c->want), "name length: %s", c->what);
        if (c->rrtype == OT_RR_MX && c->want[0] != '\0')
            is_int(pref, c->pref, "preference: %s", c->what);
    }

    a = one_record(OT_RR_PTR, RD("\4mail\4good\4test\0"));
    is_int(ot_dns_answer_name(&a, 0, small, sizeof small, NULL), 0, "refused when out is small");
    is_str(small, "", "small out left empty");
    is_int(ot_dns_answer_name(&a, 1, out, sizeof out, NULL), 0, "index past count");
    a.status = OT_DNS_TIMEOUT;
    is_int(ot_dns_answer_name(&a, 0, out, sizeof out, NULL), 0, "answer that is not OK");

    /* four labels of 63 bytes: 255 bytes of text, past 253 */
    for (int l = 0; l < 4; l++) {
        longname[used++] = 63;
        memset(longname + used, 'a', 63);
        used += 63;
    }
    longname[used++] = 0;
    a = one_record(OT_RR_PTR, longname, used);
    is_int(ot_dns_answer_name(&a, 0, out, sizeof out, NULL), 0, "a 255-byte name is refused");
    used -= 1 + 63 + 1;       /* drop the last label: 191 bytes */
    longname[used++] = 0;
    a = one_record(OT_RR_PTR, longname, used);
    is_int(ot_dns_answer_name(&a, 0, out, sizeof out, NULL), 191, "a 191-byte name is read");
}

static void test_txt(void)
{
    char out[64], small[6];
    ot_dns_answer a;

    a = one_record(OT_RR_TXT, RD("\x05v=spf\x0b" "1 -all rest"));
    is_int(ot_dns_answer_txt(&a, 0, out, sizeof out), 16, "TXT strings joined");
    is_str(out, "v=spf1 -all rest", "TXT text");
    is_int(ot_dns_answer_txt(&a, 0, small, sizeof small), 5, "TXT truncated to the buffer");
    is_str(small, "v=spf", "TXT truncated text");
    a = one_record(OT_RR_TXT, RD("\x05v=spf\x20" "short"));
    is_int(ot_dns_answer_txt(&a, 0, out, sizeof out), 0, "a string running past the record");
    is_str(out, "", "nothing from a malformed TXT");
    a = one_record(OT_RR_TXT, RD("\0\3abc"));
    is_int(ot_dns_answer_txt(&a, 0, out, sizeof out), 3, "an empty string among others");
    a = one_record(OT_RR_PTR, RD("\3abc\0"));
    is_int(ot_dns_answer_txt(&a, 0, out, sizeof out), 0, "no TXT from a PTR answer");
}

static void test_incomplete(void)
{
    ot_evidence ev;

    ot_evidence_init(&ev);
    ot_evidence_mark_incomplete(&ev, "ptr");
    is_str(ev.incomplete, "ptr", "first check named");
    ot_evidence_mark_incomplete(&ev, "dnsbl");
    ot_evidence_mark_incomplete(&ev, "ptr");
    is_str(ev.incomplete, "ptr,dnsbl", "second appended, a repeat ignored");
    ot_evidence_mark_incomplete(&ev, "pt");
    is_str(ev.incomplete, "ptr,dnsbl,pt", "a prefix of a listed name is its own name");
    ot_evidence_mark_incomplete(&ev, "a,b");
    ot_evidence_mark_incomplete(&ev, "");
    is_str(ev.incomplete, "ptr,dnsbl,pt", "empty names and names with commas refused");
    for (int i = 0; i < 40; i++) {
        char name[8];
        snprintf(name, sizeof name, "chk%d", i);
        ot_evidence_mark_incomplete(&ev, name);
    }
    ok(strlen(ev.incomplete) < sizeof ev.incomplete, "the list stays within its buffer");
    ok(strstr(ev.incomplete, "chk0,") != NULL, "early names kept when the list fills");
}

static ot_resolver *resolver_with(const char *servers, char *err, size_t errsize)
{
    ot_config cfg;
    char cerr[256];
    ot_resolver *r;

    ot_config_init(&cfg);
    if (ot_config_apply(&cfg, "Nameservers", servers, cerr, sizeof cerr) != OT_CONF_OK) {
        snprintf(err, errsize, "config: %.200s", cerr);
        ot_config_free(&cfg);
        return NULL;
    }
    r = ot_resolver_new(&cfg, err, errsize);
    ot_config_free(&cfg);
    return r;
}

static void test_resolver_and_batch(void)
{
    char err[256] = "";
    char longname[300];
    ot_resolver *r;
    ot_dns_batch *b;
    int idx;

    r = resolver_with("127.0.0.1@5353, ::1, 192.0.2.1@53", err, sizeof err);
    ok(r != NULL, "resolver from three Nameservers forms (%s)", err);
    err[0] = '\0';
    ok(resolver_with("mail.good.test", err, sizeof err) == NULL, "a name as Nameservers refused");
    /* the reason names the key, so a mail administrator finds the line */
    ok(strstr(err, "Nameservers") != NULL, "the reason names the key: %s", err);
    ok(ot_dns_batch_new(NULL, 1000) == NULL, "no batch without a resolver");
    if (r == NULL)
        return;

    b = ot_dns_batch_new(r, 5000);
    ok(b != NULL, "batch made");
    ok(ot_dns_batch_remaining_ms(b) > 4000 && ot_dns_batch_remaining_ms(b) <= 5000,
       "remaining time counts from the timeout (%u ms)", ot_dns_batch_remaining_ms(b));
    is_int(ot_dns_batch_add(b, "", OT_RR_A), -1, "empty name refused");
    is_int(ot_dns_batch_add(b, ".", OT_RR_A), -1, "the root refused");
    is_int(ot_dns_batch_add(b, "a..test", OT_RR_A), -1, "empty label refused");
    is_int(ot_dns_batch_add(b, ".a.test", OT_RR_A), -1, "leading dot refused");
    is_int(ot_dns_batch_add(b, "a b.test", OT_RR_A), -1, "space refused");
    is_int(ot_dns_batch_add(b, "a\\046b.test", OT_RR_A), -1, "backslash escape refused");
    is_int(ot_dns_batch_add(b, "a\"b.test", OT_RR_A), -1, "quote refused");
    is_int(ot_dns_batch_add(b, "caf\xc3\xa9.test", OT_RR_A), -1, "8-bit bytes refused");
    is_int(ot_dns_batch_add(b, NULL, OT_RR_A), -1, "NULL name refused");
    is_int(ot_dns_batch_add(b, "mail.good.test", 0), -1, "type 0 refused");
    is_int(ot_dns_batch_add(b, "mail.good.test", 70000), -1, "type past 65535 refused");
    /* labels of 63 bytes and dots: "aaa...a.aaa...a...." */
    memset(longname, 'a', sizeof longname);
    for (size_t i = 63; i < sizeof longname; i += 64)
        longname[i] = '.';
    longname[254] = '\0';
    is_int(ot_dns_batch_add(b, longname, OT_RR_A), -1, "254-byte name refused");
    memset(longname, 'a', 70);
    longname[70] = '.';
    memcpy(longname + 71, "test", 5);
    is_int(ot_dns_batch_add(b, longname, OT_RR_A), -1, "70-byte label refused");
    is_int(ot_dns_batch_get(b, -1)->status, OT_DNS_LIMIT, "a refused index reads as LIMIT");
    is_int(ot_dns_batch_wait_one(b, -1)->status, OT_DNS_LIMIT, "waiting on it too");
    is_int(ot_dns_batch_get(b, 0)->status, OT_DNS_LIMIT, "an index never given reads as LIMIT");
    ot_dns_batch_wait(b);   /* nothing asked: returns at once */
    ok(ot_dns_batch_remaining_ms(b) > 4000, "waiting on nothing takes no time");
    ot_dns_batch_free(b);

    /* a deadline already passed: nothing is sent, everything is a timeout */
    b = ot_dns_batch_new(r, 0);
    is_int(ot_dns_batch_remaining_ms(b), 0, "no time left");
    idx = ot_dns_batch_add(b, "mail.good.test", OT_RR_A);
    is_int(idx, 0, "a good name gets index 0");
    is_int(ot_dns_batch_get(b, idx)->status, OT_DNS_TIMEOUT, "past its deadline: TIMEOUT");
    is_int(ot_dns_batch_wait_one(b, idx)->status, OT_DNS_TIMEOUT, "waiting returns at once");
    is_int(ot_dns_batch_get(b, idx)->rrtype, OT_RR_A, "the answer keeps its type");
    memset(longname, 'a', sizeof longname);
    for (size_t i = 63; i < 253; i += 64)
        longname[i] = '.';
    longname[253] = '\0';
    is_int(ot_dns_batch_add(b, longname, OT_RR_A), 1, "a 253-byte name is accepted");
    longname[253] = '.';
    longname[254] = '\0';
    is_int(ot_dns_batch_add(b, longname, OT_RR_A), 1, "... and with its trailing dot (the same lookup)");
    for (unsigned i = 2; i < OT_DNS_MAX_QUERIES; i++) {
        char name[32];
        snprintf(name, sizeof name, "h%u.good.test", i);
        (void)ot_dns_batch_add(b, name, OT_RR_AAAA);
    }
    is_int(ot_dns_batch_add(b, "mail.good.test", OT_RR_A), 0, "a lookup already made is reused at the bound");
    is_int(ot_dns_batch_add(b, "mail.good.test", OT_RR_TXT), -1,
           "query %u of a batch refused", OT_DNS_MAX_QUERIES + 1);
    ot_dns_batch_free(b);
    ot_dns_batch_free(NULL);
    ot_resolver_free(r);
    ot_resolver_free(NULL);
}

int main(void)
{
    test_reverse_names();
    test_addrs();
    test_names();
    test_txt();
    test_incomplete();
    test_resolver_and_batch();
    return tap_done();
}
