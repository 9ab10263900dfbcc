/*
 * test_auth.c - SPF (spf.c) and DKIM (dkim.c) through our own resolver,
 * against the nsd instance tests/dns-auth.sh starts (TAP).
 *
 *   OT_DNS_PORT=PORT test_auth SIGNED SIMPLE STALE REVOKED UNSIGNED
 *
 * SIGNED, STALE and REVOKED are one message signed by dkim-sign with
 * tests/dns/keys/ot-test.private under the selectors ot2024, stale and
 * revoked (relaxed/relaxed); SIMPLE is it signed simple/simple; UNSIGNED
 * is the message as written. The variants (changed body, changed
 * header, missing key, many signatures) are made here in memory. The
 * failure cases use a UDP socket of our own on 127.0.0.1 that never
 * answers, so no test needs anything beyond loopback. Last, SPF and DKIM
 * run on several threads at once with one ot_spf and one ot_dkim, as in
 * the milter (under --enable-sanitizers this is where sharing would show).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tap.h"
#include "addr.h"
#include "config.h"
#include "dkim.h"
#include "evidence.h"
#include "lookup_plan.h"
#include "resolver.h"
#include "spf.h"

#define CLIENT_IP "192.0.2.25"
#define DEADLINE_MS 3000u
#define DEAD_DEADLINE_MS 700u

/* ---- plumbing --------------------------------------------------------------- */

static ot_resolver *resolver_at(unsigned port)
{
    ot_config cfg;
    char ns[64], err[256] = "";
    ot_resolver *r;

    ot_config_init(&cfg);
    cfg.dns = true;
    snprintf(ns, sizeof ns, "127.0.0.1@%u", port);
    ot_name_list_add(&cfg.nameservers, ns, strlen(ns));
    r = ot_resolver_new(&cfg, err, sizeof err);
    if (r == NULL)
        printf("# resolver: %s\n", err);
    ot_config_free(&cfg);
    return r;
}

/* A UDP port on loopback that swallows every query. */
static int black_hole(unsigned *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static bool has_check(const ot_evidence *ev, const char *check)
{
    size_t n = strlen(check);

    for (const char *p = ev->incomplete; (p = strstr(p, check)) != NULL; p += n)
        if ((p == ev->incomplete || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

/* ---- SPF -------------------------------------------------------------------- */

static enum ot_spf_result spf_run(ot_resolver *r, ot_spf *s, const char *sender, const char *ip,
                                  unsigned deadline_ms, ot_evidence *ev)
{
    ot_lookup_plan plan;
    ot_dns_batch *b;

    memset(&plan, 0, sizeof plan);
    ot_evidence_init(ev);
    plan.spf = true;
    plan.client = true;
    if (!ot_addr_parse(ip, strlen(ip), &plan.client_addr))
        return OT_SPF_NONE_CHECKED;
    snprintf(plan.spf_sender, sizeof plan.spf_sender, "%s", sender);
    snprintf(plan.spf_helo, sizeof plan.spf_helo, "mail.auth.test");
    b = ot_dns_batch_new(r, deadline_ms);
    ot_spf_check(s, b, &plan, ev);
    ot_dns_batch_free(b);
    return ev->spf;
}

static const char *spf_name(enum ot_spf_result v)
{
    static const char *const names[] = { "not checked", "none", "neutral", "pass", "fail",
                                         "softfail", "temperror", "permerror" };
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

#define spf_is(r, s, sender, ip, want, why) do { \
    ot_evidence ev_; \
    is_str(spf_name(spf_run((r), (s), (sender), (ip), DEADLINE_MS, &ev_)), spf_name(want), \
           "SPF %s from %s: %s (%s)", (sender), (ip), spf_name(want), (why)); \
} while (0)

static void test_spf(ot_resolver *r, ot_resolver *dead)
{
    ot_spf *s;
    ot_evidence ev;
    char err[128] = "";

    s = ot_spf_new(err, sizeof err);
    ok(s != NULL, "ot_spf_new %s", err);
    if (s == NULL)
        return;

    spf_is(r, s, "user@pass.auth.test", CLIENT_IP, OT_SPF_PASS, "ip4: lists the client");
    (void)spf_run(r, s, "User@Pass.Auth.Test", CLIENT_IP, DEADLINE_MS, &ev);
    is_str(ev.spf_domain, "pass.auth.test", "spf_domain is the MAIL FROM domain, lower case");
    is_int(ev.incomplete[0], '\0', "a pass leaves nothing incomplete");
    spf_is(r, s, "user@pass.auth.test", "198.51.100.77", OT_SPF_FAIL, "another client, -all");
    spf_is(r, s, "user@pass.auth.test", "2001:db8::25", OT_SPF_FAIL, "IPv6 client, ip4 only");
    spf_is(r, s, "user@fail.auth.test", CLIENT_IP, OT_SPF_FAIL, "-all");
    spf_is(r, s, "user@softfail.auth.test", CLIENT_IP, OT_SPF_SOFTFAIL, "~all");
    spf_is(r, s, "user@neutral.auth.test", CLIENT_IP, OT_SPF_NEUTRAL, "?all");
    spf_is(r, s, "user@include.auth.test", CLIENT_IP, OT_SPF_PASS, "include: of a passing policy");
    spf_is(r, s, "user@amech.auth.test", CLIENT_IP, OT_SPF_PASS, "a: mechanism, second name");
    spf_is(r, s, "user@amech6.auth.test", "2001:db8::1:2", OT_SPF_PASS, "a://64 for an IPv6 client");
    spf_is(r, s, "user@amech6.auth.test", "2001:db8:1::25", OT_SPF_FAIL, "IPv6 outside the /64");
    spf_is(r, s, "user@ptrmech.auth.test", "192.0.2.10", OT_SPF_PASS, "ptr: confirmed name");
    spf_is(r, s, "user@ptrmech.auth.test", "192.0.2.23", OT_SPF_FAIL,
           "ptr: a reverse name with a space is never asked about");
    spf_is(r, s, "user@empty.auth.test", CLIENT_IP, OT_SPF_NEUTRAL, "no terms: neutral");
    spf_is(r, s, "user@mxmech.auth.test", CLIENT_IP, OT_SPF_PASS, "mx mechanism");
    spf_is(r, s, "user@mxmech.auth.test", "203.0.113.50", OT_SPF_FAIL, "mx mechanism, not an MX");
    spf_is(r, s, "user@split.auth.test", CLIENT_IP, OT_SPF_PASS, "record in two strings");
    spf_is(r, s, "postmaster@mail.auth.test", CLIENT_IP, OT_SPF_NONE, "HELO identity, no policy");
    spf_is(r, s, "user@nospf.auth.test", CLIENT_IP, OT_SPF_NONE, "TXT but no SPF record");
    spf_is(r, s, "user@nosuch.auth.test", CLIENT_IP, OT_SPF_NONE, "domain does not exist");
    spf_is(r, s, "user@broken.auth.test", CLIENT_IP, OT_SPF_PERMERROR, "CIDR /99");
    spf_is(r, s, "user@explained.auth.test", CLIENT_IP, OT_SPF_FAIL, "exp= dropped, -all stays");
    spf_is(r, s, "user@upper.auth.test", CLIENT_IP, OT_SPF_PERMERROR, "URL-encoding macro refused");
    spf_is(r, s, "user@voids.auth.test", CLIENT_IP, OT_SPF_PERMERROR, "three void lookups");
    spf_is(r, s, "user@budget.auth.test", CLIENT_IP, OT_SPF_PERMERROR,
           "31 lookups across includes");
    spf_is(r, s, "user@bad..auth.test", CLIENT_IP, OT_SPF_NONE, "not a DNS name: none, unasked");
    spf_is(r, s, "user@pass.auth.test", "127.0.0.1", OT_SPF_NONE_CHECKED,
           "loopback is never given libspf2's free pass");

    if (dead != NULL) {
        is_str(spf_name(spf_run(dead, s, "user@pass.auth.test", CLIENT_IP, DEAD_DEADLINE_MS, &ev)),
               "temperror", "SPF against a server that never answers: temperror");
        ok(has_check(&ev, "spf"), "... and \"spf\" is incomplete (incomplete=%s)", ev.incomplete);
    }
    ot_spf_check(s, NULL, NULL, &ev);   /* tolerated, does nothing */
    ot_spf_free(s);
}

/* ---- DKIM ------------------------------------------------------------------- */

typedef struct message {
    char *text;
    size_t len;
} message;

static bool load(const char *path, message *m)
{
    FILE *f = fopen(path, "rb");
    long n;

    m->text = NULL;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL)
            fclose(f);
        return false;
    }
    m->text = malloc((size_t)n + 1);
    if (m->text == NULL || fread(m->text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(m->text);
        m->text = NULL;
        return false;
    }
    fclose(f);
    m->text[n] = '\0';
    m->len = (size_t)n;
    return true;
}

/* A copy with the first `from` after `after` replaced by `to`. */
static char *replaced(const char *text, const char *after, const char *from, const char *to)
{
    const char *start = after != NULL ? strstr(text, after) : text;
    const char *at = start != NULL ? strstr(start, from) : NULL;
    size_t head, fl = strlen(from), tl = strlen(to), len = strlen(text);
    char *out;

    if (at == NULL)
        return NULL;
    head = (size_t)(at - text);
    out = malloc(len - fl + tl + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, text, head);
    memcpy(out + head, to, tl);
    memcpy(out + head + tl, at + fl, len - head - fl + 1);
    return out;
}

/* The message with its first field repeated `copies` times on top. */
static char *first_field_repeated(const char *text, int copies)
{
    const char *end = text;
    size_t flen, len = strlen(text);
    char *out, *o;

    /* the first field ends at a line break not followed by white space */
    while ((end = strchr(end, '\n')) != NULL && (end[1] == ' ' || end[1] == '\t'))
        end++;
    if (end == NULL)
        return NULL;
    flen = (size_t)(end - text) + 1;
    out = malloc(len + flen * (size_t)copies + 1);
    if (out == NULL)
        return NULL;
    o = out;
    for (int i = 0; i < copies; i++, o += flen)
        memcpy(o, text, flen);
    memcpy(o, text, len + 1);
    return out;
}

/* Feeds a message as the milter would: "Name" and everything after the
 * colon with CRLF line breaks, then the body in CRLF chunks. With
 * late_batch, b is handed over only after the header, as the milter does. */
static void verify_text(ot_dkim *d, ot_dns_batch *b, bool late_batch, const char *text,
                        ot_evidence *ev)
{
    ot_dkim_check *c = ot_dkim_check_begin(d, late_batch ? NULL : b);
    const char *p = text;
    char *value = NULL;
    size_t cap = 0;
    bool feeding = c != NULL;

    ot_evidence_init(ev);
    if (c == NULL)
        return;
    while (*p != '\0' && *p != '\n' && !(p[0] == '\r' && p[1] == '\n')) {
        const char *colon = strchr(p, ':');
        const char *line_end;
        char name[256];
        size_t vlen = 0;

        if (colon == NULL || (size_t)(colon - p) >= sizeof name)
            break;
        memcpy(name, p, (size_t)(colon - p));
        name[colon - p] = '\0';
        p = colon + 1;
        for (;;) {   /* the value, continuation lines included */
            size_t n;
            line_end = strchr(p, '\n');
            n = line_end != NULL ? (size_t)(line_end - p) : strlen(p);
            if (n > 0 && p[n - 1] == '\r')
                n--;
            if (vlen + n + 3 > cap) {
                cap = (vlen + n + 3) * 2;
                value = realloc(value, cap);
            }
            memcpy(value + vlen, p, n);
            vlen += n;
            p = line_end != NULL ? line_end + 1 : p + n;
            if (line_end == NULL || (*p != ' ' && *p != '\t'))
                break;
            value[vlen++] = '\r';
            value[vlen++] = '\n';
        }
        value[vlen] = '\0';
        if (feeding)
            feeding = ot_dkim_check_header(c, name, value);
    }
    free(value);
    if (feeding)
        feeding = ot_dkim_check_eoh(c);
    if (late_batch)
        ot_dkim_check_set_batch(c, b);
    p += (*p == '\r') ? 2 : (*p == '\n');
    while (feeding && *p != '\0') {   /* body, CRLF, in small uneven chunks */
        unsigned char chunk[37];
        size_t n = 0;
        while (*p != '\0' && n + 2 <= sizeof chunk) {
            if (*p == '\n' && (n == 0 || chunk[n - 1] != '\r'))
                chunk[n++] = '\r';
            chunk[n++] = (unsigned char)*p++;
        }
        feeding = ot_dkim_check_body(c, chunk, n);
    }
    ot_dkim_check_end(c, ev);
}

static void verify_with(ot_resolver *r, ot_dkim *d, const char *text, unsigned deadline_ms,
                        ot_evidence *ev)
{
    ot_dns_batch *b = ot_dns_batch_new(r, deadline_ms);
    verify_text(d, b, false, text, ev);
    ot_dns_batch_free(b);
}

static void expect_fail(ot_resolver *r, ot_dkim *d, const char *text, const char *what,
                        const char *reason_part)
{
    ot_evidence ev;

    if (text == NULL) {
        ok(0, "%s: could not build the variant", what);
        return;
    }
    verify_with(r, d, text, DEADLINE_MS, &ev);
    ok(ev.dkim_checked && ev.ndkim == 1 && !ev.dkim[0].pass,
       "%s: one failing signature (checked=%d n=%zu)", what, ev.dkim_checked, ev.ndkim);
    if (ev.ndkim == 1) {
        is_str(ev.dkim[0].domain, "auth.test", "%s: signing domain kept", what);
        ok(strstr(ev.dkim[0].reason, reason_part) != NULL, "%s: reason '%s' says '%s'", what,
           ev.dkim[0].reason, reason_part);
    }
    is_int(ev.incomplete[0], '\0', "%s: a fail is a verdict, nothing incomplete", what);
}

static void test_dkim(ot_resolver *r, ot_resolver *dead, char **files)
{
    message signed_msg, simple, stale, revoked, unsigned_msg;
    ot_evidence ev;
    ot_dkim *d;
    char err[128] = "", *v;

    d = ot_dkim_new(err, sizeof err);
    ok(d != NULL, "ot_dkim_new %s", err);
    if (d == NULL || !load(files[0], &signed_msg) || !load(files[1], &simple) ||
        !load(files[2], &stale) || !load(files[3], &revoked) || !load(files[4], &unsigned_msg)) {
        ok(0, "the signed messages could be read");
        ot_dkim_free(d);
        return;
    }

    verify_with(r, d, signed_msg.text, DEADLINE_MS, &ev);
    ok(ev.dkim_checked, "freshly signed: checked");
    is_int(ev.ndkim, 1, "freshly signed: one signature");
    ok(ev.ndkim == 1 && ev.dkim[0].pass, "freshly signed: pass (reason '%s')",
       ev.ndkim ? ev.dkim[0].reason : "");
    is_str(ev.ndkim ? ev.dkim[0].domain : "", "auth.test", "freshly signed: d=auth.test");
    is_str(ev.incomplete, "", "freshly signed: nothing incomplete");

    verify_with(r, d, simple.text, DEADLINE_MS, &ev);
    ok(ev.ndkim == 1 && ev.dkim[0].pass,
       "simple/simple: the folded header bytes reach libopendkim as sent");

    v = replaced(signed_msg.text, "\n\n", "fox", "cat");
    expect_fail(r, d, v, "body changed after signing", "body hash");
    free(v);
    v = replaced(signed_msg.text, "\nSubject:", "report", "rep0rt");
    expect_fail(r, d, v, "Subject changed after signing", "");
    free(v);
    v = replaced(signed_msg.text, NULL, "s=ot2024", "s=missing");
    expect_fail(r, d, v, "selector without a key", "no key");
    free(v);
    expect_fail(r, d, stale.text, "signed with a key the selector does not publish", "");
    expect_fail(r, d, revoked.text, "selector's key revoked", "revoked");

    v = first_field_repeated(signed_msg.text, 11);
    verify_with(r, d, v != NULL ? v : "", DEADLINE_MS, &ev);
    is_int(ev.ndkim, OT_MAX_DKIM_RESULTS, "12 signatures: only the first %u are verified",
           OT_MAX_DKIM_RESULTS);
    ok(ev.ndkim > 0 && ev.dkim[0].pass && ev.dkim[ev.ndkim - 1].pass,
       "12 signatures: those verified pass");
    free(v);

    verify_with(r, d, unsigned_msg.text, DEADLINE_MS, &ev);
    ok(ev.dkim_checked, "unsigned: checked");
    is_int(ev.ndkim, 0, "unsigned: no results");
    is_str(ev.incomplete, "", "unsigned: nothing incomplete");

    if (dead != NULL) {
        verify_with(dead, d, signed_msg.text, DEAD_DEADLINE_MS, &ev);
        ok(!ev.dkim_checked, "key lookup timed out: no verdict");
        is_int(ev.ndkim, 0, "key lookup timed out: not a fail");
        ok(has_check(&ev, "dkim"), "key lookup timed out: \"dkim\" incomplete (incomplete=%s)",
           ev.incomplete);
    }

    {
        ot_dns_batch *b = ot_dns_batch_new(r, DEADLINE_MS);
        verify_text(d, b, true, signed_msg.text, &ev);
        ot_dns_batch_free(b);
        ok(ev.ndkim == 1 && ev.dkim[0].pass, "batch handed over after the header: pass");
    }
    verify_text(d, NULL, false, signed_msg.text, &ev);
    ok(!ev.dkim_checked && has_check(&ev, "dkim"), "no batch at all: incomplete, not a fail");
    ot_dkim_check_abort(ot_dkim_check_begin(d, NULL));   /* aborted message: no leak */
    ok(ot_dkim_check_begin(NULL, NULL) == NULL, "no library handle: no check");

    free(signed_msg.text);
    free(simple.text);
    free(stale.text);
    free(revoked.text);
    free(unsigned_msg.text);
    ot_dkim_free(d);
}

/* ---- many threads, one ot_spf and one ot_dkim ------------------------------- */

#define THREADS 4
#define ROUNDS 5

typedef struct worker {
    ot_resolver *r;
    ot_spf *spf;
    ot_dkim *dkim;
    const char *signed_text;
    int passes;
} worker;

static void *work(void *arg)
{
    worker *w = arg;

    for (int i = 0; i < ROUNDS; i++) {
        ot_evidence ev;
        if (spf_run(w->r, w->spf, "user@include.auth.test", CLIENT_IP, DEADLINE_MS, &ev) ==
            OT_SPF_PASS)
            w->passes++;
        verify_with(w->r, w->dkim, w->signed_text, DEADLINE_MS, &ev);
        if (ev.ndkim == 1 && ev.dkim[0].pass)
            w->passes++;
    }
    return NULL;
}

static void test_threads(ot_resolver *r, const char *signed_path)
{
    char err[128] = "";
    ot_spf *spf = ot_spf_new(err, sizeof err);
    ot_dkim *dkim = ot_dkim_new(err, sizeof err);
    worker w[THREADS];
    pthread_t t[THREADS];
    message m;
    int started = 0, passes = 0;

    if (spf == NULL || dkim == NULL || !load(signed_path, &m)) {
        ok(0, "threads: set up (%s)", err);
        ot_spf_free(spf);
        ot_dkim_free(dkim);
        return;
    }
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){ r, spf, dkim, m.text, 0 };
        if (pthread_create(&t[i], NULL, work, &w[i]) == 0)
            started++;
        else
            break;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        passes += w[i].passes;
    }
    is_int(started, THREADS, "threads: %d started", THREADS);
    is_int(passes, THREADS * ROUNDS * 2, "threads: every SPF and DKIM evaluation passed");
    free(m.text);
    ot_dkim_free(dkim);
    ot_spf_free(spf);
}

int main(int argc, char **argv)
{
    const char *port_text = getenv("OT_DNS_PORT");
    ot_resolver *r, *dead = NULL;
    unsigned dead_port = 0;
    int hole;

    if (port_text == NULL || argc != 6) {
        printf("1..0 # SKIP needs OT_DNS_PORT and the five messages (run tests/dns-auth.sh)\n");
        return 0;
    }
    r = resolver_at((unsigned)strtoul(port_text, NULL, 10));
    ok(r != NULL, "resolver for 127.0.0.1@%s", port_text);
    if (r == NULL)
        return tap_done();
    hole = black_hole(&dead_port);
    if (hole >= 0)
        dead = resolver_at(dead_port);
    ok(dead != NULL, "resolver for a server that never answers (127.0.0.1@%u)", dead_port);

    test_spf(r, dead);
    test_dkim(r, dead, argv + 1);
    test_threads(r, argv[1]);

    ot_resolver_free(dead);
    ot_resolver_free(r);
    if (hole >= 0)
        close(hole);
    return tap_done();
}
