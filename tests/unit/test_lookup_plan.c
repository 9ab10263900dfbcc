/*
 * test_lookup_plan.c - which DNS questions a message raises.
 *
 * The plan is made from a first, offline pass of the analysis; these rows
 * pin the choices a mail administrator relies on: nothing is asked with
 * DNS off, a private client is never asked about, the MTA's own verdict
 * on the client's reverse name is reused, the HELO is resolved only when
 * it is a name, SPF takes MAIL FROM or postmaster@HELO, and the DKIM keys
 * of every signature are known before the body arrives.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "config.h"
#include "lookup_plan.h"
#include "message.h"
#include "session.h"
#include "tap.h"

#define NOW 1030019700

static const char plain_msg[] =
    "Received: from mail.sender.example (mail.sender.example [198.51.100.7])\n"
    "\tby mx.example.org (Postfix) with ESMTP id 4F2A11C0\n"
    "\tfor <alice@example.org>; Thu, 22 Aug 2002 12:34:56 +0000 (UTC)\n"
    "Return-Path: <bounce@sender.example>\n"
    "From: bob@sender.example\nTo: alice@example.org\nSubject: hi\n"
    "Date: Thu, 22 Aug 2002 12:30:00 +0000\n"
    "Message-ID: <1@sender.example>\n\nbody\n";

static const char signed_msg[] =
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.example;\n"
    "\ts=sel1; h=from:to:subject; bh=AAAA; b=BBBB\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=Sender.Example; s=sel1; b=CCCC\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d = other.example ; s = k2 ; b=DDDD\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=nos.example; b=EEEE\n"
    "DKIM-Signature: v=1; d=bad..example; s=x; b=FFFF\n"
    "From: bob@sender.example\nTo: alice@example.org\n\nbody\n";

typedef struct fixture {
    ot_config cfg;
    ot_session s;
    ot_message m;
    ot_result *res;
    ot_lookup_plan plan;
} fixture;

static void setup(fixture *f, bool dns)
{
    char err[256];
    ot_config_init(&f->cfg);
    f->cfg.dns = dns;
    (void)ot_config_add_trusted(&f->cfg, "192.0.2.25", err, sizeof err);
    ot_session_init(&f->s);
    ot_message_init(&f->m);
    f->res = calloc(1, sizeof *f->res);
}

static void live(fixture *f, const char *ip, const char *helo, const char *from)
{
    f->s.present = true;
    (void)ot_addr_parse(ip, strlen(ip), &f->s.client_addr);
    if (helo != NULL) {
        ot_session_set_helo(&f->s, helo, strlen(helo));
        f->s.helo_seen = true;
    }
    if (from != NULL) {
        ot_session_set_mail_from(&f->s, from, strlen(from));
        f->s.mail_from_seen = true;
    }
}

static const ot_lookup_plan *plan(fixture *f, const char *msg)
{
    ot_message_reset(&f->m);
    ot_message_read_header(&f->m, msg, strlen(msg));
    ot_analyze(&f->cfg, f->s.present ? &f->s : NULL, &f->m, NULL, NOW, f->res);
    ot_lookup_plan_make(&f->cfg, f->s.present ? &f->s : NULL, &f->m, f->res, &f->plan);
    return &f->plan;
}

static void teardown(fixture *f)
{
    ot_message_free(&f->m);
    ot_config_free(&f->cfg);
    free(f->res);
}

static void test_dns_off(void)
{
    fixture f;
    const ot_lookup_plan *p;

    setup(&f, false);
    live(&f, "198.51.100.7", "mail.sender.example", "bob@sender.example");
    p = plan(&f, signed_msg);
    ok(!p->client && !p->ptr && !p->dnsbl && !p->spf && !p->dkim && p->helo[0] == '\0',
       "DNS off: nothing is asked");
    teardown(&f);
}

static void test_live_client(void)
{
    fixture f;
    const ot_lookup_plan *p;
    char err[128];

    setup(&f, true);
    (void)ot_config_apply(&f.cfg, "DNSBLZones", "bl.example", err, sizeof err);
    live(&f, "198.51.100.7", "mail.sender.example", "bob@sender.example");
    p = plan(&f, plain_msg);
    ok(p->client, "routable client is asked about");
    is_str(p->client_ip, "198.51.100.7", "client address");
    ok(p->ptr, "no MTA verdict: PTR is looked up");
    ok(p->dnsbl, "DNSBLZones set: blocklists asked");
    is_str(p->helo, "mail.sender.example", "an FQDN HELO is resolved");
    ok(p->spf, "SPF evaluated");
    is_str(p->spf_sender, "bob@sender.example", "SPF checks MAIL FROM");
    is_str(p->spf_helo, "mail.sender.example", "SPF gets the HELO");
    ok(!p->dkim && p->ndkim_keys == 0, "unsigned: no DKIM");

    f.s.client_resolve = OT_RESOLVE_OK;
    ok(!plan(&f, plain_msg)->ptr, "MTA says forward-confirmed: PTR not asked again");
    f.s.client_resolve = OT_RESOLVE_FORGED;
    ok(!plan(&f, plain_msg)->ptr, "MTA says forged: PTR not asked again");
    f.s.client_resolve = OT_RESOLVE_FAIL;
    ok(!plan(&f, plain_msg)->ptr, "MTA says no PTR: not asked again");
    f.s.client_resolve = OT_RESOLVE_TEMP;
    ok(plan(&f, plain_msg)->ptr, "MTA's lookup failed temporarily: asked again");
    teardown(&f);
}

static void test_private_client(void)
{
    fixture f;
    const ot_lookup_plan *p;
    char err[128];

    setup(&f, true);
    (void)ot_config_apply(&f.cfg, "DNSBLZones", "bl.example", err, sizeof err);
    live(&f, "10.1.2.3", "[10.1.2.3]", "bob@sender.example");
    p = plan(&f, plain_msg);
    ok(!p->client && !p->ptr && !p->dnsbl, "private client: no PTR, no blocklist");
    ok(!p->spf, "private client: no SPF");
    is_str(p->helo, "", "a literal HELO is not resolved");
    teardown(&f);
}

static void test_helo_shapes(void)
{
    static const struct { const char *helo; const char *want; } rows[] = {
        { "mail.sender.example", "mail.sender.example" },
        { "198.51.100.7", "" },
        { "[198.51.100.7]", "" },
        { "localhost", "" },
        { "sender", "" },
        { "bad_name!.example", "" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fixture f;
        setup(&f, true);
        live(&f, "198.51.100.7", rows[i].helo, "bob@sender.example");
        is_str(plan(&f, plain_msg)->helo, rows[i].want, "HELO row %zu: resolved only if a name", i);
        teardown(&f);
    }
}

static void test_spf_identity(void)
{
    fixture f;
    const ot_lookup_plan *p;

    setup(&f, true);
    live(&f, "198.51.100.7", "mail.sender.example", "");
    p = plan(&f, plain_msg);
    ok(p->spf, "null sender: SPF still evaluated");
    is_str(p->spf_sender, "postmaster@mail.sender.example", "null sender: postmaster@HELO");
    teardown(&f);

    setup(&f, true);
    live(&f, "198.51.100.7", "198.51.100.7", "");
    ok(!plan(&f, plain_msg)->spf, "null sender and no HELO name: no SPF");
    teardown(&f);

    setup(&f, true);
    live(&f, "198.51.100.7", "mail.sender.example", "bob@[198.51.100.7]");
    ok(!plan(&f, plain_msg)->spf, "MAIL FROM domain is a literal: no SPF");
    teardown(&f);

    setup(&f, true);
    f.cfg.spf = false;
    live(&f, "198.51.100.7", "mail.sender.example", "bob@sender.example");
    ok(!plan(&f, plain_msg)->spf, "SPF no: not evaluated");
    teardown(&f);

    /* offline: Return-Path stands for MAIL FROM, the handoff line for the client */
    setup(&f, true);
    p = plan(&f, plain_msg);
    ok(p->client, "offline: the handoff line's address is asked about");
    is_str(p->client_ip, "198.51.100.7", "offline: handoff address");
    ok(p->ptr, "offline: PTR is looked up");
    is_str(p->spf_sender, "bounce@sender.example", "offline: Return-Path is the sender");
    is_str(p->helo, "mail.sender.example", "offline: the handoff line's HELO");
    teardown(&f);
}

static void test_dkim_keys(void)
{
    fixture f;
    const ot_lookup_plan *p;

    setup(&f, true);
    live(&f, "198.51.100.7", "mail.sender.example", "bob@sender.example");
    p = plan(&f, signed_msg);
    ok(p->dkim, "signed message: DKIM planned");
    is_int(p->ndkim_keys, 2, "two distinct keys (duplicate, selector-less, bad name skipped)");
    is_str(p->dkim_keys[0], "sel1._domainkey.sender.example", "first key name");
    is_str(p->dkim_keys[1], "k2._domainkey.other.example", "second key name, white space removed");
    f.cfg.dkim = false;
    p = plan(&f, signed_msg);
    ok(!p->dkim && p->ndkim_keys == 0, "DKIM no: nothing planned");
    teardown(&f);

    /* more signatures than are verified: bounded */
    {
        char *big = malloc(64 * 1024);
        size_t n = 0;
        setup(&f, true);
        live(&f, "198.51.100.7", "mail.sender.example", "bob@sender.example");
        for (int i = 0; i < 40; i++)
            n += (size_t)snprintf(big + n, 64 * 1024 - n,
                                  "DKIM-Signature: v=1; d=d%d.example; s=s; b=x\n", i);
        snprintf(big + n, 64 * 1024 - n, "From: a@b.example\n\nbody\n");
        is_int(plan(&f, big)->ndkim_keys, OT_MAX_DKIM_RESULTS, "keys bounded by OT_MAX_DKIM_RESULTS");
        teardown(&f);
        free(big);
    }
}

static void test_tags_and_names(void)
{
    char out[64];
    const char *l = "v=1; a=rsa-sha256; d=example.org;\r\n\ts=sel; b=abc";

    ok(ot_dkim_tag(l, strlen(l), "d", out, sizeof out), "d= found");
    is_str(out, "example.org", "d= value");
    ok(ot_dkim_tag(l, strlen(l), "s", out, sizeof out), "s= after a folded line");
    is_str(out, "sel", "s= value");
    ok(!ot_dkim_tag(l, strlen(l), "x", out, sizeof out), "absent tag");
    ok(!ot_dkim_tag("d=", 2, "d", out, sizeof out), "empty value refused");
    ok(!ot_dkim_tag("dd=x; d", 7, "d", out, sizeof out), "a longer tag name does not match; tag without =");
    ok(!ot_dkim_tag("d=0123456789", 12, "d", out, 8), "value longer than the buffer refused");

    ok(ot_lookup_name_ok("mail.example.org", 16), "name ok");
    ok(ot_lookup_name_ok("mail.example.org.", 17), "trailing dot ok");
    ok(ot_lookup_name_ok("_dmarc.example.org", 18), "underscore ok");
    ok(!ot_lookup_name_ok("192.0.2.1", 9), "dotted quad is not a name");
    ok(!ot_lookup_name_ok("a..b", 4), "empty label refused");
    ok(!ot_lookup_name_ok(".a", 2), "leading dot refused");
    ok(!ot_lookup_name_ok("a b.example", 11), "space refused");
    ok(!ot_lookup_name_ok("a\nb.example", 11), "LF refused");
    ok(!ot_lookup_name_ok("", 0), "empty refused");
    {
        char label[80], longname[300];
        memset(label, 'a', 64);
        label[64] = '\0';
        snprintf(longname, sizeof longname, "%s.example", label);
        ok(!ot_lookup_name_ok(longname, strlen(longname)), "64-byte label refused");
        label[63] = '\0';
        snprintf(longname, sizeof longname, "%s.example", label);
        ok(ot_lookup_name_ok(longname, strlen(longname)), "63-byte label ok");
        memset(longname, 'a', 254);
        for (size_t i = 50; i < 254; i += 50)
            longname[i] = '.';
        ok(!ot_lookup_name_ok(longname, 254), "254 bytes refused");
        ok(ot_lookup_name_ok(longname, 253), "253 bytes ok");
    }
}

int main(void)
{
    test_dns_off();
    test_live_client();
    test_private_client();
    test_helo_shapes();
    test_spf_identity();
    test_dkim_keys();
    test_tags_and_names();
    return tap_done();
}
