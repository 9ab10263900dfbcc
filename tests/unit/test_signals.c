/*
 * test_signals.c - pins every signal of the table (core/signals.c and the
 * checks_*.c files) through the whole analysis.
 *
 * Each row is a small synthetic message (raw header text), an optional
 * live session and optional lookup evidence, analysed with a fixed clock;
 * the row says whether one signal fires. Every signal needs at least one
 * row where it fires and one where it does not, or the coverage check
 * fails. For every row the score must be the sum of the fired weights,
 * each detail one printable line, each hop index inside the chain; for
 * every firing row, `Weight NAME 0` must switch the signal off.
 *
 * Addresses: our MX is mx.example.org at 192.0.2.25 (trusted). The other
 * hosts use public-looking addresses outside the documentation ranges
 * (81.51.100.0/24, 62.0.113.0/24) so that these rows pin each check's own
 * logic; test_analysis.c runs whole scenarios with documentation
 * addresses. 81.51.100.25 is a second trusted relay with a public address.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "config.h"
#include "evidence.h"
#include "message.h"
#include "session.h"
#include "tap.h"

#define NOW 1030019700   /* 2002-08-22T12:35:00Z */
#define HOP_ANY 99

/* ---- message pieces --------------------------------------------------------- */

#define DATE_HDR "Date: Thu, 22 Aug 2002 12:30:00 +0000\n"
#define MSGID_HDR "Message-ID: <20020822123000.4F2A@mail.sender.example>\n"
#define REST "From: Sender <a@sender.example>\nTo: alice@example.org\nSubject: test\n\nbody\n"
#define STD DATE_HDR MSGID_HDR REST

/* the line our MX wrote; from is the peer as the MX recorded it */
#define MX(from, with) \
    "Received: from " from "\n\tby mx.example.org (Postfix) with " with \
    " id 4F2A11C0\n\tfor <alice@example.org>; Thu, 22 Aug 2002 12:34:56 +0000\n"
/* a claim below it */
#define CLAIM(from, by, with, date) \
    "Received: from " from "\n\tby " by " with " with " id 1B2C; " date "\n"
#define LOCAL_CLAIM(by, how, date) "Received: by " by " " how " id 3D4E; " date "\n"

#define SENDER "mail.sender.example (mail.sender.example [81.51.100.7])"
#define ZOMBIE "dsl-62-0-113-45.dyn.example.net (dsl-62-0-113-45.dyn.example.net [62.0.113.45])"
#define RELAY "mail.relay.example (mail.relay.example [81.51.100.60])"
#define DYN88 "PC (dsl-62-0-113-88.dyn.example.net [62.0.113.88])"

#define D_1233 "Thu, 22 Aug 2002 12:33:10 +0000"
#define D_1232 "Thu, 22 Aug 2002 12:32:00 +0000"
#define D_1320 "Thu, 22 Aug 2002 13:20:00 +0000"
#define D_NEXTDAY "Fri, 23 Aug 2002 06:00:00 +0000"

#define CLEAN MX(SENDER, "ESMTP") STD

/* ---- sessions and evidence ---------------------------------------------------- */

typedef struct sess_spec {
    const char *ip;          /* NULL: no live session */
    const char *rdns;        /* NULL: the MTA did not say */
    const char *helo;        /* NULL: no HELO seen */
    size_t helo_len;         /* 0: strlen(helo) */
    enum ot_resolve resolve;
    const char *auth;
} sess_spec;

#define NO_SESSION { NULL, NULL, NULL, 0, OT_RESOLVE_UNKNOWN, NULL }
#define SESS(ip, rdns, helo) { ip, rdns, helo, 0, OT_RESOLVE_UNKNOWN, NULL }
#define SESS_R(ip, rdns, helo, r) { ip, rdns, helo, 0, r, NULL }
#define SESS_LEN(ip, helo, len) { ip, "", helo, len, OT_RESOLVE_UNKNOWN, NULL }
#define GOOD_SESSION SESS_R("81.51.100.7", "mail.sender.example", "mail.sender.example", OT_RESOLVE_OK)

static void ev_helo_nx(ot_evidence *e) { e->helo_resolves = OT_EV_NO; }
static void ev_helo_yes(ot_evidence *e) { e->helo_resolves = OT_EV_YES; }
static void ev_helo_match(ot_evidence *e) { e->helo_resolves = OT_EV_YES; e->helo_matches = OT_EV_YES; }
static void ev_helo_nomatch(ot_evidence *e) { e->helo_resolves = OT_EV_YES; e->helo_matches = OT_EV_NO; }
static void ev_ptr_none(ot_evidence *e) { e->ptr_exists = OT_EV_NO; }
static void ev_ptr_timeout(ot_evidence *e) { snprintf(e->incomplete, sizeof e->incomplete, "spf,ptr"); }
static void ev_ptr_dynamic(ot_evidence *e)
{
    e->ptr_exists = OT_EV_YES;
    snprintf(e->ptr_name, sizeof e->ptr_name, "pool-62-0-113-45.example.com");
}
static void ev_ptr_good(ot_evidence *e)
{
    e->ptr_exists = OT_EV_YES;
    snprintf(e->ptr_name, sizeof e->ptr_name, "mail.sender.example");
}
static void ev_fcrdns_no(ot_evidence *e) { e->fcrdns = OT_EV_NO; }
static void ev_fcrdns_yes(ot_evidence *e) { e->fcrdns = OT_EV_YES; }
/* our lookup's PTR name, confirmed by its forward lookup or not */
static void ev_ptr_dynamic_confirmed(ot_evidence *e) { ev_ptr_dynamic(e); e->fcrdns = OT_EV_YES; }
static void ev_ptr_yahoo(ot_evidence *e, enum ot_tristate confirmed)
{
    e->ptr_exists = OT_EV_YES;
    e->fcrdns = confirmed;
    snprintf(e->ptr_name, sizeof e->ptr_name, "mta5.am0.yahoodns.net");
}
static void ev_ptr_yahoo_confirmed(ot_evidence *e) { ev_ptr_yahoo(e, OT_EV_YES); }
static void ev_ptr_yahoo_unconfirmed(ot_evidence *e) { ev_ptr_yahoo(e, OT_EV_NO); }
static void ev_dnsbl(ot_evidence *e)
{
    e->ndnsbl = 1;
    snprintf(e->dnsbl[0].zone, sizeof e->dnsbl[0].zone, "bl.example.org");
    snprintf(e->dnsbl[0].code, sizeof e->dnsbl[0].code, "127.0.0.2");
}
static void ev_spf_fail(ot_evidence *e)
{
    e->spf = OT_SPF_FAIL;
    snprintf(e->spf_domain, sizeof e->spf_domain, "sender.example");
}
static void ev_spf_softfail(ot_evidence *e) { e->spf = OT_SPF_SOFTFAIL; }
static void ev_spf_pass(ot_evidence *e)
{
    e->spf = OT_SPF_PASS;
    snprintf(e->spf_domain, sizeof e->spf_domain, "sender.example");
}
static void ev_spf_neutral(ot_evidence *e) { e->spf = OT_SPF_NEUTRAL; }
static void ev_spf_temperror(ot_evidence *e) { e->spf = OT_SPF_TEMPERROR; }
static void add_dkim(ot_evidence *e, const char *domain, bool pass, const char *reason)
{
    ot_dkim_result *d = &e->dkim[e->ndkim++];

    e->dkim_checked = true;
    snprintf(d->domain, sizeof d->domain, "%s", domain);
    d->pass = pass;
    snprintf(d->reason, sizeof d->reason, "%s", reason);
}
static void ev_dkim_fail(ot_evidence *e) { add_dkim(e, "sender.example", false, "body hash mismatch"); }
static void ev_dkim_pass(ot_evidence *e) { add_dkim(e, "sender.example", true, ""); }
static void ev_dkim_none(ot_evidence *e) { e->dkim_checked = true; }
static void ev_dkim_yahoo(ot_evidence *e) { add_dkim(e, "yahoo.com", true, ""); }
static void ev_dkim_other(ot_evidence *e) { add_dkim(e, "sender.example", true, ""); }

/* ---- the rows ----------------------------------------------------------------- */

typedef struct sig_case {
    enum ot_signal_id id;
    bool fires;
    const char *what;
    const char *msg;
    sess_spec s;
    void (*ev)(ot_evidence *);
    const char *conf;        /* one extra "Key value" line, or NULL */
    int hop;                 /* expected hit hop when it fires; HOP_ANY: any sensible */
} sig_case;

#define F(sig, what, msg, s, ev, conf, hop) { OT_SIG_##sig, true, what, msg, s, ev, conf, hop }
#define N(sig, what, msg, s, ev, conf) { OT_SIG_##sig, false, what, msg, s, ev, conf, HOP_ANY }

static char overlong_helo[400];

static const sig_case cases[] = {
    /* HELO_MISSING: only a live session can show a missing HELO */
    F(HELO_MISSING, "session without HELO", STD, SESS("62.0.113.45", "", NULL), NULL, NULL, -1),
    F(HELO_MISSING, "session with an empty HELO", STD, SESS("62.0.113.45", "", ""), NULL, NULL, -1),
    N(HELO_MISSING, "session with a HELO", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_MISSING, "offline: a line without HELO proves nothing",
      MX("[81.51.100.7]", "ESMTP") STD, NO_SESSION, NULL, NULL),

    /* HELO_BARE_IP */
    F(HELO_BARE_IP, "session HELO 62.0.113.45", STD, SESS("62.0.113.45", "", "62.0.113.45"), NULL, NULL, -1),
    F(HELO_BARE_IP, "offline HELO is a bare address",
      MX("62.0.113.45 (dsl-62-0-113-45.dyn.example.net [62.0.113.45])", "SMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_BARE_IP, "HELO is a [literal]", STD, SESS("62.0.113.45", "", "[62.0.113.45]"), NULL, NULL),
    N(HELO_BARE_IP, "HELO 127.0.0.1 is localhost instead", STD, SESS("62.0.113.45", "", "127.0.0.1"), NULL, NULL),
    N(HELO_BARE_IP, "HELO is a name", STD, GOOD_SESSION, NULL, NULL),

    /* HELO_LITERAL_MISMATCH */
    F(HELO_LITERAL_MISMATCH, "literal of another address", STD,
      SESS("62.0.113.45", "", "[81.51.100.99]"), NULL, NULL, -1),
    F(HELO_LITERAL_MISMATCH, "offline literal of another address",
      MX("[81.51.100.99] (unknown [62.0.113.45])", "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_LITERAL_MISMATCH, "literal of the client's own address", STD,
      SESS("62.0.113.45", "", "[62.0.113.45]"), NULL, NULL),
    N(HELO_LITERAL_MISMATCH, "IPv4-mapped client, IPv4 literal", STD,
      SESS("::ffff:62.0.113.45", "", "[62.0.113.45]"), NULL, NULL),
    N(HELO_LITERAL_MISMATCH, "IPv6 literal of the IPv6 client", STD,
      SESS("2001:db8:7::9", "", "[IPv6:2001:db8:7::9]"), NULL, NULL),

    /* HELO_NOT_FQDN */
    F(HELO_NOT_FQDN, "HELO WINPC", STD, SESS("62.0.113.45", "", "WINPC"), NULL, NULL, -1),
    F(HELO_NOT_FQDN, "offline HELO WINPC", MX("WINPC (unknown [62.0.113.45])", "ESMTP") STD, NO_SESSION, NULL,
      NULL, 0),
    F(HELO_NOT_FQDN, "HELO with a numeric last label", STD, SESS("62.0.113.45", "", "host.123"), NULL, NULL, -1),
    N(HELO_NOT_FQDN, "HELO is a FQDN", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_NOT_FQDN, "HELO localhost is judged as localhost", STD, SESS("62.0.113.45", "", "localhost"), NULL,
      NULL),
    N(HELO_NOT_FQDN, "HELO is a literal", STD, SESS("62.0.113.45", "", "[62.0.113.45]"), NULL, NULL),

    /* HELO_INVALID */
    F(HELO_INVALID, "HELO with a space", STD, SESS("62.0.113.45", "", "mail sender"), NULL, NULL, -1),
    F(HELO_INVALID, "HELO with an empty label", STD, SESS("62.0.113.45", "", "a..b.example"), NULL, NULL, -1),
    F(HELO_INVALID, "HELO [garbage]", STD, SESS("62.0.113.45", "", "[garbage]"), NULL, NULL, -1),
    F(HELO_INVALID, "HELO with a NUL", STD, SESS_LEN("62.0.113.45", "mail\0x.example", 14),
      NULL, NULL, -1),
    F(HELO_INVALID, "HELO with 8-bit bytes", STD, SESS("62.0.113.45", "", "caf\xc3\xa9.example"), NULL, NULL, -1),
    F(HELO_INVALID, "HELO longer than a host name", STD, SESS("62.0.113.45", "", overlong_helo), NULL, NULL, -1),
    N(HELO_INVALID, "HELO is a FQDN", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_INVALID, "underscore tolerated (Windows hosts)", STD,
      SESS("62.0.113.45", "", "win_pc.sender.example"), NULL, NULL),

    /* HELO_LOCALHOST */
    F(HELO_LOCALHOST, "HELO localhost", STD, SESS("62.0.113.45", "", "localhost"), NULL, NULL, -1),
    F(HELO_LOCALHOST, "HELO localhost.localdomain", STD, SESS("62.0.113.45", "", "localhost.localdomain"), NULL,
      NULL, -1),
    F(HELO_LOCALHOST, "HELO [127.0.0.1]", STD, SESS("62.0.113.45", "", "[127.0.0.1]"), NULL, NULL, -1),
    F(HELO_LOCALHOST, "HELO 127.0.0.1", STD, SESS("62.0.113.45", "", "127.0.0.1"), NULL, NULL, -1),
    F(HELO_LOCALHOST, "HELO ::1", STD, SESS("62.0.113.45", "", "::1"), NULL, NULL, -1),
    F(HELO_LOCALHOST, "offline HELO localhost", MX("localhost (dsl-62-0-113-45.dyn.example.net [62.0.113.45])",
      "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_LOCALHOST, "HELO is a FQDN", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_LOCALHOST, "HELO mylocalhost.example", STD, SESS("62.0.113.45", "", "mylocalhost.example"), NULL, NULL),

    /* HELO_OURS */
    F(HELO_OURS, "HELO mx.example.org", STD, SESS("62.0.113.45", "", "mx.example.org"), NULL, NULL, -1),
    F(HELO_OURS, "HELO MX.EXAMPLE.ORG.", STD, SESS("62.0.113.45", "", "MX.EXAMPLE.ORG."), NULL, NULL, -1),
    F(HELO_OURS, "HELO [192.0.2.25]", STD, SESS("62.0.113.45", "", "[192.0.2.25]"), NULL, NULL, -1),
    F(HELO_OURS, "offline HELO mx.example.org",
      MX("mx.example.org (dsl-62-0-113-45.dyn.example.net [62.0.113.45])", "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_OURS, "HELO of the sender", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_OURS, "HELO example.org.evil.example", STD, SESS("62.0.113.45", "", "mx.example.org.evil.example"),
      NULL, NULL),
    N(HELO_OURS, "our own relay says its own name", CLEAN, SESS("192.0.2.25", "mx.example.org", "mx.example.org"),
      NULL, NULL),

    /* HELO_PROVIDER_FORGED */
    F(HELO_PROVIDER_FORGED, "HELO yahoo from a dynamic address", STD,
      SESS("62.0.113.45", "dsl-62-0-113-45.dyn.example.net", "mail.yahoo.com"), NULL, NULL, -1),
    F(HELO_PROVIDER_FORGED, "HELO hotmail.com without reverse DNS", STD, SESS("62.0.113.45", "", "hotmail.com"),
      NULL, NULL, -1),
    F(HELO_PROVIDER_FORGED, "offline HELO aol.com",
      MX("aol.com (dsl-62-0-113-45.dyn.example.net [62.0.113.45])", "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_PROVIDER_FORGED, "yahoo HELO from yahoo's reverse name", STD,
      SESS("62.0.113.45", "mta5.am0.yahoodns.net", "mta5.am0.yahoodns.net"), NULL, NULL),
    N(HELO_PROVIDER_FORGED, "hotmail HELO from an outlook.com name", STD,
      SESS("62.0.113.45", "mail-oln040092.outbound.outlook.com", "mail.hotmail.com"), NULL, NULL),
    N(HELO_PROVIDER_FORGED, "not a provider", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_PROVIDER_FORGED, "yahoo HELO, our lookup confirmed yahoo's name (the MTA gave none)", STD,
      SESS("62.0.113.45", NULL, "mail.yahoo.com"), ev_ptr_yahoo_confirmed, NULL),
    F(HELO_PROVIDER_FORGED, "yahoo HELO, a yahoo PTR that does not resolve back is the sender's claim", STD,
      SESS("62.0.113.45", NULL, "mail.yahoo.com"), ev_ptr_yahoo_unconfirmed, NULL, -1),

    /* HELO_NXDOMAIN */
    F(HELO_NXDOMAIN, "HELO name does not exist", STD, GOOD_SESSION, ev_helo_nx, NULL, -1),
    N(HELO_NXDOMAIN, "HELO name exists", STD, GOOD_SESSION, ev_helo_yes, NULL),
    N(HELO_NXDOMAIN, "no lookup made", STD, GOOD_SESSION, NULL, NULL),
    N(HELO_NXDOMAIN, "not a FQDN: no verdict from DNS", STD, SESS("62.0.113.45", "", "WINPC"), ev_helo_nx, NULL),

    /* HELO_MISMATCH */
    F(HELO_MISMATCH, "HELO resolves elsewhere", STD, GOOD_SESSION, ev_helo_nomatch, NULL, -1),
    N(HELO_MISMATCH, "HELO resolves to the client", STD, GOOD_SESSION, ev_helo_match, NULL),
    N(HELO_MISMATCH, "match unknown", STD, GOOD_SESSION, ev_helo_yes, NULL),
    N(HELO_MISMATCH, "no lookup made", STD, GOOD_SESSION, NULL, NULL),

    /* HELO_RDNS_MISMATCH */
    F(HELO_RDNS_MISMATCH, "HELO of one org, rDNS of another", STD,
      SESS("81.51.100.7", "host.other.example", "mail.sender.example"), NULL, NULL, -1),
    F(HELO_RDNS_MISMATCH, "offline: HELO of one org, rDNS of another",
      MX("mail.sender.example (host.other.example [81.51.100.7])", "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_RDNS_MISMATCH, "same organisation", STD, SESS("81.51.100.7", "smtp.sender.example", "mail.sender.example"),
      NULL, NULL),
    N(HELO_RDNS_MISMATCH, "no reverse name", STD, SESS("81.51.100.7", "", "mail.sender.example"), NULL, NULL),
    N(HELO_RDNS_MISMATCH, "same org under co.uk", STD,
      SESS("81.51.100.7", "out.sender.co.uk", "mail.sender.co.uk"), NULL, NULL),

    /* HELO_LEGACY */
    F(HELO_LEGACY, "offline: our MX recorded with SMTP", MX(SENDER, "SMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(HELO_LEGACY, "offline: with ESMTP", CLEAN, NO_SESSION, NULL, NULL),
    N(HELO_LEGACY, "live session: the greeting is not visible", MX(SENDER, "SMTP") STD, GOOD_SESSION, NULL, NULL),
    N(HELO_LEGACY, "a list server (List-Id) greeting with HELO", MX(SENDER, "SMTP")
      "List-Id: Users <users.lists.sender.example>\n" STD, NO_SESSION, NULL, NULL),
    N(HELO_LEGACY, "a list server (RFC 2369 List-Unsubscribe) greeting with HELO", MX(SENDER, "SMTP")
      "list-unsubscribe: <mailto:leave@lists.sender.example>\n" STD, NO_SESSION, NULL, NULL),
    N(HELO_LEGACY, "an ezmlm list (Mailing-List) greeting with HELO", MX(SENDER, "SMTP")
      "Mailing-List: contact users-help@sender.example; run by ezmlm\n" STD, NO_SESSION, NULL, NULL),
    F(HELO_LEGACY, "list fields, but the chain below them breaks", MX(SENDER, "SMTP")
      CLAIM(DYN88, "mail.unrelated.example", "SMTP", D_1233)
      "List-Id: Users <users.lists.sender.example>\n" STD, NO_SESSION, NULL, NULL, 0),
    F(HELO_LEGACY, "a field that only starts like a list field", MX(SENDER, "SMTP")
      "List-Identity: users\n" STD, NO_SESSION, NULL, NULL, 0),

    /* RDNS_NONE */
    F(RDNS_NONE, "MTA found no name", STD, SESS("62.0.113.45", "", "mail.sender.example"), NULL, NULL, -1),
    F(RDNS_NONE, "MTA gave [address] as the name", STD, SESS("62.0.113.45", "[62.0.113.45]", "mail.sender.example"),
      NULL, NULL, -1),
    F(RDNS_NONE, "lookup found no PTR", STD, SESS("62.0.113.45", NULL, "mail.sender.example"), ev_ptr_none, NULL, -1),
    F(RDNS_NONE, "offline: our MX wrote unknown", MX("mail.sender.example (unknown [81.51.100.7])", "ESMTP") STD,
      NO_SESSION, NULL, NULL, 0),
    N(RDNS_NONE, "client has a name", STD, GOOD_SESSION, NULL, NULL),
    N(RDNS_NONE, "MTA did not say", STD, SESS("62.0.113.45", NULL, "mail.sender.example"), NULL, NULL),
    N(RDNS_NONE, "name exists but does not confirm", STD,
      SESS_R("62.0.113.45", "", "mail.sender.example", OT_RESOLVE_FORGED), NULL, NULL),
    N(RDNS_NONE, "lookup found a PTR", STD, SESS("62.0.113.45", "", "mail.sender.example"), ev_ptr_good, NULL),
    N(RDNS_NONE, "MTA said TEMP: its lookup failed, nothing is known", STD,
      SESS_R("62.0.113.45", "", "mail.sender.example", OT_RESOLVE_TEMP), NULL, NULL),
    N(RDNS_NONE, "our PTR lookup did not answer", STD, SESS("62.0.113.45", "", "mail.sender.example"),
      ev_ptr_timeout, NULL),
    N(RDNS_NONE, "offline: our MX wrote unknown, our lookup did not answer",
      MX("mail.sender.example (unknown [81.51.100.7])", "ESMTP") STD, NO_SESSION, ev_ptr_timeout, NULL),
    N(RDNS_NONE, "private client (judged elsewhere)", STD, SESS("10.1.2.3", "", "mail.sender.example"), NULL, NULL),

    /* RDNS_DYNAMIC */
    F(RDNS_DYNAMIC, "dynamic reverse name", STD,
      SESS("62.0.113.45", "dsl-62-0-113-45.dyn.example.net", "mail.sender.example"), NULL, NULL, -1),
    F(RDNS_DYNAMIC, "dynamic PTR found by lookup", STD, SESS("62.0.113.45", NULL, "mail.sender.example"),
      ev_ptr_dynamic, NULL, -1),
    F(RDNS_DYNAMIC, "offline: dynamic name on the handoff line", MX(ZOMBIE, "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    N(RDNS_DYNAMIC, "server name", STD, GOOD_SESSION, NULL, NULL),
    N(RDNS_DYNAMIC, "no name", STD, SESS("62.0.113.45", "", "mail.sender.example"), NULL, NULL),

    /* FCRDNS_FAIL */
    F(FCRDNS_FAIL, "lookup: PTR does not resolve back", STD, GOOD_SESSION, ev_fcrdns_no, NULL, -1),
    F(FCRDNS_FAIL, "MTA: forged", STD, SESS_R("81.51.100.7", "mail.sender.example", "mail.sender.example",
      OT_RESOLVE_FORGED), NULL, NULL, -1),
    F(FCRDNS_FAIL, "offline: (may be forged)",
      "Received: from mail.sender.example (host.other.example [81.51.100.7] (may be forged))\n"
      "\tby mx.example.org (8.12.5/8.12.5) with ESMTP id g7MCYu; Thu, 22 Aug 2002 12:34:56 +0000\n" STD,
      NO_SESSION, NULL, NULL, 0),
    N(FCRDNS_FAIL, "lookup: confirmed", STD, GOOD_SESSION, ev_fcrdns_yes, NULL),
    N(FCRDNS_FAIL, "MTA: confirmed", STD, GOOD_SESSION, NULL, NULL),
    N(FCRDNS_FAIL, "offline: no remark", CLEAN, NO_SESSION, NULL, NULL),

    /* DNSBL_LISTED */
    F(DNSBL_LISTED, "listed", STD, GOOD_SESSION, ev_dnsbl, NULL, -1),
    N(DNSBL_LISTED, "not listed", STD, GOOD_SESSION, NULL, NULL),

    /* CHAIN_BREAK */
    F(CHAIN_BREAK, "claim written by a host the relay line does not name",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.unrelated.example", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    F(CHAIN_BREAK, "live session: top claim by another host", CLAIM(SENDER, "mail.unrelated.example", "ESMTP",
      D_1233) STD, SESS_R("81.51.100.60", "mail.relay.example", "mail.relay.example", OT_RESOLVE_OK), NULL, NULL, 0),
    F(CHAIN_BREAK, "same label under another TLD is another organisation",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.test", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    F(CHAIN_BREAK, "bare-address HELO: the reverse name our MX saw disagrees",
      MX("62.0.113.45 (dsl-62-0-113-45.dyn.example.net [62.0.113.45])", "SMTP")
      "Received: from [81.51.100.213] by bay12.hotmail.com with HTTP; " D_1233 "\n" STD, NO_SESSION, NULL, NULL, 1),
    F(CHAIN_BREAK, "live: a claim written by one of our own hosts",
      CLAIM(SENDER, "mx.example.org", "ESMTP", D_1233) STD,
      SESS_R("81.51.100.7", "mail.sender.example", "mail.sender.example", OT_RESOLVE_OK), NULL, NULL, 0),
    N(CHAIN_BREAK, "bare-address HELO without reverse name: nothing to contradict",
      MX("62.0.113.45 ([62.0.113.45])", "SMTP")
      "Received: from [81.51.100.213] by bay12.hotmail.com with HTTP; " D_1233 "\n" STD, NO_SESSION, NULL, NULL),
    N(CHAIN_BREAK, "claim written by the relay",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL),
    N(CHAIN_BREAK, "claim written by another host of the relay's organisation",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "smtp2.relay.example", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL),
    N(CHAIN_BREAK, "claim by a host of the relay's organisation, written with a root dot",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "smtp2.relay.example.", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL),
    N(CHAIN_BREAK, "claim written by an internal name",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "hub.relay.local", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL),
    N(CHAIN_BREAK, "claim written by the relay's address",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "81.51.100.60", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL),

    /* RCVD_FORGED_OURS */
    F(RCVD_FORGED_OURS, "live: a claim written by our MX", CLAIM(SENDER, "mx.example.org", "ESMTP", D_1233) STD,
      SESS("62.0.113.45", "", "mail.sender.example"), NULL, NULL, 0),
    F(RCVD_FORGED_OURS, "offline: below the boundary, by mx.example.org",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "mx.example.org", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    F(RCVD_FORGED_OURS, "a claim that our public relay handed it on",
      MX(RELAY, "ESMTP") CLAIM("backup.example.org (backup.example.org [81.51.100.25])", "mail.relay.example", "ESMTP",
      D_1233) STD, NO_SESSION, NULL, NULL, 1),
    N(RCVD_FORGED_OURS, "claims of other hosts", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
      D_1233) STD, NO_SESSION, NULL, NULL),
    N(RCVD_FORGED_OURS, "our lines above the boundary are ours",
      "Received: from mx.example.org (mx.example.org [192.0.2.25]) by mda.example.org with LMTP id 9;"
      " Thu, 22 Aug 2002 12:34:58 +0000\n" CLEAN, NO_SESSION, NULL, NULL),

    /* RCVD_DATE_REVERSED */
    F(RCVD_DATE_REVERSED, "claim dated the next day", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
      D_NEXTDAY) STD, NO_SESSION, NULL, NULL, 1),
    F(RCVD_DATE_REVERSED, "beyond ClockSkewMinutes 10", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example",
      "ESMTP", D_1320) STD, NO_SESSION, NULL, "ClockSkewMinutes 10", 1),
    N(RCVD_DATE_REVERSED, "claim dated before", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
      D_1233) STD, NO_SESSION, NULL, NULL),
    N(RCVD_DATE_REVERSED, "45 minutes later is within the default tolerance",
      MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1320) STD, NO_SESSION, NULL, NULL),

    /* RCVD_DATE_FUTURE */
    F(RCVD_DATE_FUTURE, "live: a claim dated tomorrow", CLAIM(SENDER, "mail.sender.example", "ESMTP", D_NEXTDAY) STD,
      GOOD_SESSION, NULL, NULL, 0),
    F(RCVD_DATE_FUTURE, "offline: a claim after our own line", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example",
      "ESMTP", D_NEXTDAY) STD, NO_SESSION, NULL, NULL, 1),
    N(RCVD_DATE_FUTURE, "live: a claim dated before", CLAIM(SENDER, "mail.sender.example", "ESMTP", D_1233) STD,
      GOOD_SESSION, NULL, NULL),
    N(RCVD_DATE_FUTURE, "offline: dates in order", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
      D_1233) STD, NO_SESSION, NULL, NULL),

    /* RCVD_PRIVATE_IP */
    F(RCVD_PRIVATE_IP, "offline handoff from 10.1.2.3", MX("mail.sender.example (mail.sender.example [10.1.2.3])",
      "ESMTP") STD, NO_SESSION, NULL, NULL, 0),
    F(RCVD_PRIVATE_IP, "live client 192.168.7.7", STD, SESS("192.168.7.7", "", "mail.sender.example"), NULL, NULL, -1),
    F(RCVD_PRIVATE_IP, "a claim from link-local 169.254.7.7", MX(RELAY, "ESMTP") CLAIM("x (x [169.254.7.7])",
      "mail.relay.example", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    F(RCVD_PRIVATE_IP, "a claim from 0.1.2.3", MX(RELAY, "ESMTP") CLAIM("x (x [0.1.2.3])", "mail.relay.example",
      "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    N(RCVD_PRIVATE_IP, "public handoff", CLEAN, NO_SESSION, NULL, NULL),
    N(RCVD_PRIVATE_IP, "the sender's own LAN behind a public relay", MX(RELAY, "ESMTP") CLAIM("pc (pc [192.168.1.23])",
      "mail.relay.example", "ESMTP", D_1233) STD, NO_SESSION, NULL, NULL),
    N(RCVD_PRIVATE_IP, "a private relay we trust", MX("hub.example.org (hub.example.org [10.9.9.9])", "ESMTP")
      "Received: from " SENDER " by hub.example.org with ESMTP id 7; " D_1233 "\n" STD, NO_SESSION, NULL,
      "TrustedRelays 10.9.9.0/24"),
    N(RCVD_PRIVATE_IP, "a handoff in a documentation range is an Internet host in tests",
      MX("mail.sender.example (mail.sender.example [203.0.113.7])", "ESMTP") STD, NO_SESSION, NULL, NULL),

    /* RCVD_UNPARSEABLE */
    F(RCVD_UNPARSEABLE, "a claim no MTA writes", MX(RELAY, "ESMTP") "Received: this is not a received line at all\n"
      STD, NO_SESSION, NULL, NULL, 1),
    F(RCVD_UNPARSEABLE, "unbalanced parentheses", MX(RELAY, "ESMTP")
      "Received: from x ((y [81.51.100.9]) by mail.relay.example with SMTP; " D_1233 "\n" STD,
      NO_SESSION, NULL, NULL, 1),
    N(RCVD_UNPARSEABLE, "every line readable", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
      D_1233) STD, NO_SESSION, NULL, NULL),

    /* RCVD_TOO_MANY */
    F(RCVD_TOO_MANY, "four lines, MaxReceived 3", MX(RELAY, "ESMTP")
      CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233)
      LOCAL_CLAIM("mail.sender.example", "(Postfix, from userid 1000)", D_1232)
      LOCAL_CLAIM("mail.sender.example", "(Postfix, from userid 1000)", D_1232) STD, NO_SESSION, NULL,
      "MaxReceived 3", -2),
    N(RCVD_TOO_MANY, "three lines, MaxReceived 3", MX(RELAY, "ESMTP")
      CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233)
      LOCAL_CLAIM("mail.sender.example", "(Postfix, from userid 1000)", D_1232) STD, NO_SESSION, NULL,
      "MaxReceived 3"),

    /* RCVD_HELO_FORGED */
    F(RCVD_HELO_FORGED, "a claim where a dynamic host said HELO hotmail.com", MX(RELAY, "ESMTP")
      CLAIM("hotmail.com (dsl-62-0-113-88.dyn.example.net [62.0.113.88])", "mail.relay.example", "SMTP", D_1233)
      STD, NO_SESSION, NULL, NULL, 1),
    F(RCVD_HELO_FORGED, "a claim with a literal of another public address", MX(RELAY, "ESMTP")
      CLAIM("[81.51.100.99] (host.sender.example [81.51.100.7])", "mail.relay.example", "SMTP", D_1233)
      STD, NO_SESSION, NULL, NULL, 1),
    N(RCVD_HELO_FORGED, "an honest claim", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233)
      STD, NO_SESSION, NULL, NULL),
    N(RCVD_HELO_FORGED, "a provider HELO from the provider's name", MX(RELAY, "ESMTP")
      CLAIM("mta1.mail.yahoo.com (mta1.mail.yahoo.com [62.0.113.88])", "mail.relay.example", "ESMTP", D_1233)
      STD, NO_SESSION, NULL, NULL),
    N(RCVD_HELO_FORGED, "a NATed client's private literal", MX(RELAY, "ESMTP")
      CLAIM("[192.168.1.23] (cpe-62-0-113-77.isp.example [62.0.113.77])", "mail.relay.example", "ESMTP", D_1233)
      STD, NO_SESSION, NULL, NULL),

    /* CHAIN_CONSISTENT */
    F(CHAIN_CONSISTENT, "two claims that connect and run forward", MX(RELAY, "ESMTP")
      CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233)
      LOCAL_CLAIM("mail.sender.example", "(Postfix, from userid 1000)", D_1232) STD, NO_SESSION, NULL, NULL, 1),
    N(CHAIN_CONSISTENT, "one claim only", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233)
      STD, NO_SESSION, NULL, NULL),
    N(CHAIN_CONSISTENT, "two claims, time running backwards", MX(RELAY, "ESMTP")
      CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233)
      LOCAL_CLAIM("mail.sender.example", "(Postfix, from userid 1000)", D_NEXTDAY) STD, NO_SESSION, NULL, NULL),
    N(CHAIN_CONSISTENT, "two claims with a break", MX(RELAY, "ESMTP")
      CLAIM(SENDER, "mail.unrelated.example", "ESMTP", D_1233)
      LOCAL_CLAIM("mail.sender.example", "(Postfix, from userid 1000)", D_1232) STD, NO_SESSION, NULL, NULL),

    /* PATH_OPEN_RELAY */
    F(PATH_OPEN_RELAY, "relay took it from an unrelated dynamic address", MX(RELAY, "ESMTP")
      CLAIM(DYN88, "mail.relay.example", "SMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    F(PATH_OPEN_RELAY, "relay took it from an address without a name", MX(RELAY, "ESMTP")
      CLAIM("PC ([62.0.113.88])", "mail.relay.example", "SMTP", D_1233) STD, NO_SESSION, NULL, NULL, 1),
    N(PATH_OPEN_RELAY, "relay took it from a server", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
      D_1233) STD, NO_SESSION, NULL, NULL),
    N(PATH_OPEN_RELAY, "the dynamic client authenticated", MX(RELAY, "ESMTP")
      CLAIM(DYN88, "mail.relay.example", "ESMTPSA", D_1233) STD, NO_SESSION, NULL, NULL),
    N(PATH_OPEN_RELAY, "the dynamic client is the relay's own customer", MX(RELAY, "ESMTP")
      CLAIM("PC (dsl-81-51-100-88.dyn.relay.example [81.51.100.88])", "mail.relay.example", "SMTP", D_1233) STD,
      NO_SESSION, NULL, NULL),
    N(PATH_OPEN_RELAY, "the relay's customer, named under another suffix of the same name", MX(RELAY, "ESMTP")
      CLAIM("PC (dsl-62-0-113-88.dyn.relay.net [62.0.113.88])", "mail.relay.example", "SMTP", D_1233) STD,
      NO_SESSION, NULL, NULL),
    F(PATH_OPEN_RELAY, "a name too short to match across suffixes",
      MX("mx.abc.example (mx.abc.example [81.51.100.60])", "ESMTP")
      CLAIM("PC (dsl-62-0-113-88.dyn.abc.net [62.0.113.88])", "mx.abc.example", "SMTP", D_1233) STD,
      NO_SESSION, NULL, NULL, 1),
    F(PATH_OPEN_RELAY, "another name under another suffix", MX(RELAY, "ESMTP")
      CLAIM("PC (dsl-62-0-113-88.dyn.relays.net [62.0.113.88])", "mail.relay.example", "SMTP", D_1233) STD,
      NO_SESSION, NULL, NULL, 1),

    /* PATH_DIRECT_DYNAMIC */
    F(PATH_DIRECT_DYNAMIC, "offline: dynamic host straight to our MX", MX(ZOMBIE, "ESMTP") STD, NO_SESSION, NULL,
      NULL, 0),
    F(PATH_DIRECT_DYNAMIC, "live: dynamic client, no relay", STD,
      SESS("62.0.113.45", "dsl-62-0-113-45.dyn.example.net", "mail.sender.example"), NULL, NULL, -1),
    F(PATH_DIRECT_DYNAMIC, "live: our lookup confirmed a dynamic name the MTA did not give", STD,
      SESS("62.0.113.45", NULL, "mail.sender.example"), ev_ptr_dynamic_confirmed, NULL, -1),
    N(PATH_DIRECT_DYNAMIC, "live: a dynamic PTR that did not confirm is not the client's name", STD,
      SESS("62.0.113.45", NULL, "mail.sender.example"), ev_ptr_dynamic, NULL),
    N(PATH_DIRECT_DYNAMIC, "a server straight to our MX", CLEAN, NO_SESSION, NULL, NULL),
    N(PATH_DIRECT_DYNAMIC, "a dynamic host behind a relay", MX(RELAY, "ESMTP") CLAIM(DYN88, "mail.relay.example",
      "SMTP", D_1233) STD, NO_SESSION, NULL, NULL),

    /* PATH_WEBFORM */
    F(PATH_WEBFORM, "Postfix from userid 33 + X-PHP-Originating-Script",
      MX("www.webhost.example (www.webhost.example [81.51.100.80])", "ESMTP")
      LOCAL_CLAIM("www.webhost.example", "(Postfix, from userid 33)", D_1233)
      "X-PHP-Originating-Script: 1000:contact.php\n" STD, NO_SESSION, NULL, NULL, HOP_ANY),
    F(PATH_WEBFORM, "qmail invoked by uid 48 + X-PHP-Script",
      MX("www.webhost.example (www.webhost.example [81.51.100.80])", "ESMTP")
      "Received: (qmail 4242 invoked by uid 48); 22 Aug 2002 12:33:10 -0000\n"
      "X-PHP-Script: www.webhost.example/form.php for 62.0.113.45\n" STD, NO_SESSION, NULL, NULL, HOP_ANY),
    N(PATH_WEBFORM, "local submission without script marks",
      MX("www.webhost.example (www.webhost.example [81.51.100.80])", "ESMTP")
      LOCAL_CLAIM("www.webhost.example", "(Postfix, from userid 33)", D_1233) STD, NO_SESSION, NULL, NULL),
    N(PATH_WEBFORM, "a relayed message", MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP", D_1233) STD,
      NO_SESSION, NULL, NULL),

    /* DATE_MISSING */
    F(DATE_MISSING, "no Date", MX(SENDER, "ESMTP") MSGID_HDR REST, NO_SESSION, NULL, NULL, -2),
    N(DATE_MISSING, "Date present", CLEAN, NO_SESSION, NULL, NULL),

    /* DATE_INVALID */
    F(DATE_INVALID, "Date: yesterday", MX(SENDER, "ESMTP") "Date: yesterday\n" MSGID_HDR REST, NO_SESSION, NULL,
      NULL, -2),
    F(DATE_INVALID, "Date out of range", MX(SENDER, "ESMTP") "Date: Thu, 42 Aug 2002 12:30:00 +0000\n" MSGID_HDR
      REST, NO_SESSION, NULL, NULL, -2),
    N(DATE_INVALID, "RFC 5322 date", CLEAN, NO_SESSION, NULL, NULL),
    N(DATE_INVALID, "obsolete but readable date", MX(SENDER, "ESMTP") "Date: 22 Aug 02 12:30 EDT\n" MSGID_HDR REST,
      NO_SESSION, NULL, NULL),
    N(DATE_INVALID, "no Date at all (DATE_MISSING's case)", MX(SENDER, "ESMTP") MSGID_HDR REST, NO_SESSION, NULL,
      NULL),

    /* DATE_SKEW */
    F(DATE_SKEW, "Date five days before arrival", MX(SENDER, "ESMTP") "Date: Sat, 17 Aug 2002 12:30:00 +0000\n"
      MSGID_HDR REST, NO_SESSION, NULL, NULL, -2),
    F(DATE_SKEW, "live: Date a week after now", "Date: Thu, 29 Aug 2002 12:30:00 +0000\n" MSGID_HDR REST,
      GOOD_SESSION, NULL, NULL, -2),
    F(DATE_SKEW, "DateSkewHours 1, two hours off", MX(SENDER, "ESMTP") "Date: Thu, 22 Aug 2002 10:30:00 +0000\n"
      MSGID_HDR REST, NO_SESSION, NULL, "DateSkewHours 1", -2),
    N(DATE_SKEW, "Date minutes before arrival", CLEAN, NO_SESSION, NULL, NULL),
    N(DATE_SKEW, "offline, no line of ours: the analyzer's clock is no reference",
      "Date: Sat, 17 Aug 2002 12:30:00 +0000\n" MSGID_HDR REST, NO_SESSION, NULL, NULL),
    N(DATE_SKEW, "two hours off, default tolerance", MX(SENDER, "ESMTP") "Date: Thu, 22 Aug 2002 10:30:00 +0000\n"
      MSGID_HDR REST, NO_SESSION, NULL, NULL),

    /* MSGID_MISSING */
    F(MSGID_MISSING, "no Message-ID", MX(SENDER, "ESMTP") DATE_HDR REST, NO_SESSION, NULL, NULL, -2),
    N(MSGID_MISSING, "Message-ID present", CLEAN, NO_SESSION, NULL, NULL),

    /* MSGID_INVALID */
    F(MSGID_INVALID, "no brackets", MX(SENDER, "ESMTP") DATE_HDR "Message-ID: 1234.5678@sender.example\n" REST,
      NO_SESSION, NULL, NULL, -2),
    F(MSGID_INVALID, "no @", MX(SENDER, "ESMTP") DATE_HDR "Message-ID: <12345678>\n" REST, NO_SESSION, NULL, NULL, -2),
    F(MSGID_INVALID, "a space inside", MX(SENDER, "ESMTP") DATE_HDR "Message-ID: <a b@sender.example>\n" REST,
      NO_SESSION, NULL, NULL, -2),
    F(MSGID_INVALID, "empty right side", MX(SENDER, "ESMTP") DATE_HDR "Message-ID: <abc@>\n" REST, NO_SESSION, NULL,
      NULL, -2),
    N(MSGID_INVALID, "well formed", CLEAN, NO_SESSION, NULL, NULL),
    N(MSGID_INVALID, "address literal on the right", MX(SENDER, "ESMTP") DATE_HDR
      "Message-ID: <x.1@[81.51.100.7]>\n" REST, NO_SESSION, NULL, NULL),
    N(MSGID_INVALID, "trailing white space", MX(SENDER, "ESMTP") DATE_HDR "Message-ID: <x.1@sender.example>  \n"
      REST, NO_SESSION, NULL, NULL),

    /* SPF */
    F(SPF_FAIL, "SPF fail", STD, GOOD_SESSION, ev_spf_fail, NULL, HOP_ANY),
    N(SPF_FAIL, "SPF pass", STD, GOOD_SESSION, ev_spf_pass, NULL),
    N(SPF_FAIL, "SPF not checked", STD, GOOD_SESSION, NULL, NULL),
    F(SPF_SOFTFAIL, "SPF softfail", STD, GOOD_SESSION, ev_spf_softfail, NULL, HOP_ANY),
    N(SPF_SOFTFAIL, "SPF neutral", STD, GOOD_SESSION, ev_spf_neutral, NULL),
    N(SPF_SOFTFAIL, "SPF fail is not softfail", STD, GOOD_SESSION, ev_spf_fail, NULL),
    F(SPF_PASS, "SPF pass", STD, GOOD_SESSION, ev_spf_pass, NULL, HOP_ANY),
    N(SPF_PASS, "SPF temperror", STD, GOOD_SESSION, ev_spf_temperror, NULL),
    N(SPF_PASS, "SPF not checked", STD, GOOD_SESSION, NULL, NULL),

    /* DKIM */
    F(DKIM_FAIL, "a failing signature", STD, GOOD_SESSION, ev_dkim_fail, NULL, HOP_ANY),
    N(DKIM_FAIL, "a passing signature", STD, GOOD_SESSION, ev_dkim_pass, NULL),
    N(DKIM_FAIL, "no signatures", STD, GOOD_SESSION, ev_dkim_none, NULL),
    F(DKIM_PASS, "a passing signature", STD, GOOD_SESSION, ev_dkim_pass, NULL, HOP_ANY),
    N(DKIM_PASS, "a failing signature", STD, GOOD_SESSION, ev_dkim_fail, NULL),
    N(DKIM_PASS, "DKIM not checked", STD, GOOD_SESSION, NULL, NULL),

    /* PROVIDER_CLAIM_UNSIGNED */
    F(PROVIDER_CLAIM_UNSIGNED, "live: a claim by yahoo, no signature",
      CLAIM("PC (dsl-62-0-113-88.dyn.example.net [62.0.113.88])", "web12.mail.yahoo.com", "HTTP", D_1233) STD,
      SESS("62.0.113.45", "dsl-62-0-113-45.dyn.example.net", "yahoo.com"), ev_dkim_none, NULL, 0),
    F(PROVIDER_CLAIM_UNSIGNED, "offline: a claim by hotmail, only another domain signed", MX(RELAY, "ESMTP")
      CLAIM("PC ([62.0.113.88])", "bay12.hotmail.com", "HTTP", D_1233) STD, NO_SESSION, ev_dkim_other, NULL, 1),
    N(PROVIDER_CLAIM_UNSIGNED, "a claim by yahoo with yahoo's valid signature",
      CLAIM("PC (dsl-62-0-113-88.dyn.example.net [62.0.113.88])", "web12.mail.yahoo.com", "HTTP", D_1233) STD,
      SESS("62.0.113.45", "", "yahoo.com"), ev_dkim_yahoo, NULL),
    N(PROVIDER_CLAIM_UNSIGNED, "DKIM not checked",
      CLAIM("PC (dsl-62-0-113-88.dyn.example.net [62.0.113.88])", "web12.mail.yahoo.com", "HTTP", D_1233) STD,
      SESS("62.0.113.45", "", "yahoo.com"), NULL, NULL),
    N(PROVIDER_CLAIM_UNSIGNED, "no provider claimed", CLEAN, NO_SESSION, ev_dkim_none, NULL),
};

#define NCASES (sizeof cases / sizeof cases[0])

/* ---- running one row ------------------------------------------------------------ */

/* weights differ per signal so that a score can only add up one way */
static double test_weight(int id)
{
    return 0.5 * (double)(1 + id % 5);
}

static void base_config(ot_config *cfg)
{
    char err[256];

    ot_config_init(cfg);
    ot_config_apply(cfg, "TrustedRelays", "192.0.2.25, 81.51.100.25", err, sizeof err);
    ot_config_apply(cfg, "LocalHostnames", "mx.example.org", err, sizeof err);
    ot_config_apply(cfg, "RejectScore", "100", err, sizeof err);
    ot_config_apply(cfg, "QuarantineScore", "50", err, sizeof err);
    for (int i = 0; i < OT_SIG_COUNT; i++) {
        char v[96];
        snprintf(v, sizeof v, "%s %.1f", ot_signal_table[i].name, test_weight(i));
        if (ot_config_apply(cfg, "Weight", v, err, sizeof err) != OT_CONF_OK)
            printf("# Weight %s: %s\n", v, err);
    }
}

static void apply_extra(ot_config *cfg, const char *line)
{
    char buf[256], err[256];
    char *key, *value;

    if (line == NULL)
        return;
    snprintf(buf, sizeof buf, "%s", line);
    if (!ot_config_split_line(buf, &key, &value) ||
        ot_config_apply(cfg, key, value, err, sizeof err) != OT_CONF_OK)
        printf("# bad extra config \"%s\"\n", line);
}

static void build_session(ot_session *s, const sess_spec *spec)
{
    ot_session_init(s);
    if (spec->ip == NULL)
        return;
    s->present = true;
    if (!ot_addr_parse(spec->ip, strlen(spec->ip), &s->client_addr))
        printf("# bad session address %s\n", spec->ip);
    if (spec->rdns != NULL)
        ot_session_set_rdns(s, spec->rdns, strlen(spec->rdns));
    if (spec->helo != NULL)
        ot_session_set_helo(s, spec->helo, spec->helo_len ? spec->helo_len : strlen(spec->helo));
    s->client_resolve = spec->resolve;
    if (spec->auth != NULL)
        snprintf(s->auth_user, sizeof s->auth_user, "%s", spec->auth);
    ot_session_set_mail_from(s, "<a@sender.example>", 18);
    ot_session_add_rcpt(s, "<alice@example.org>", 19);
}

static const ot_fired *find_fired(const ot_result *res, enum ot_signal_id id)
{
    for (size_t i = 0; i < res->nfired; i++)
        if (res->fired[i].id == id)
            return &res->fired[i];
    return NULL;
}

static bool printable_line(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

/* Analyses one row with cfg; res is caller-owned. */
static void run_case(const sig_case *c, const ot_config *cfg, ot_result *res)
{
    ot_message msg;
    ot_session s;
    ot_evidence ev;

    ot_message_init(&msg);
    ot_message_read_header(&msg, c->msg, strlen(c->msg));
    build_session(&s, &c->s);
    ot_evidence_init(&ev);
    if (c->ev != NULL)
        c->ev(&ev);
    ot_analyze(cfg, &s, &msg, &ev, NOW, res);
    ot_message_free(&msg);
}

static void fired_names(const ot_result *res, char *out, size_t outsize)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < res->nfired && used + 1 < outsize; i++) {
        int n = snprintf(out + used, outsize - used, "%s%s", i ? "," : "", ot_signal_table[res->fired[i].id].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* What holds for every result, whatever fired. */
static void check_result_invariants(const char *label, const ot_result *res)
{
    double sum = 0.0;
    bool details_ok = true, hops_ok = true, once = true, ordered = true;

    for (size_t i = 0; i < res->nfired; i++) {
        const ot_fired *f = &res->fired[i];
        sum += f->weight;
        if (f->hit.detail[0] == '\0' || !printable_line(f->hit.detail) ||
            strnlen(f->hit.detail, sizeof f->hit.detail) >= sizeof f->hit.detail)
            details_ok = false;
        if (f->hit.hop < -2 || f->hit.hop >= (int)res->nhops)
            hops_ok = false;
        for (size_t k = 0; k < i; k++)
            if (res->fired[k].id == f->id)
                once = false;
        if (i > 0 && res->fired[i - 1].id >= f->id)
            ordered = false;
    }
    is_double(res->score, (double)(long long)(sum * 10.0 + (sum >= 0 ? 0.5 : -0.5)) / 10.0,
              "%s: score is the sum of the fired weights", label);
    ok(details_ok, "%s: every detail is one printable line", label);
    ok(hops_ok, "%s: every hop index is -2..nhops-1", label);
    ok(once && ordered, "%s: each signal at most once, in table order", label);
    ok(res->header[0] != '\0' && printable_line(res->header), "%s: header is one printable line", label);
}

static void test_rows(void)
{
    static ot_result res;

    for (size_t i = 0; i < NCASES; i++) {
        const sig_case *c = &cases[i];
        const char *name = ot_signal_table[c->id].name;
        char label[200], got[1024];
        const ot_fired *f;
        ot_config cfg;

        snprintf(label, sizeof label, "%s %s: %s", name, c->fires ? "fires" : "quiet", c->what);
        base_config(&cfg);
        apply_extra(&cfg, c->conf);
        run_case(c, &cfg, &res);
        f = find_fired(&res, c->id);
        fired_names(&res, got, sizeof got);
        if (!ok((f != NULL) == c->fires, "%s", label))
            printf("#   fired: %s\n#   path %s, handoff hop %d %s\n", got[0] ? got : "none",
                   ot_path_name(res.path), res.handoff.hop, res.handoff.ip);
        check_result_invariants(label, &res);
        if (f != NULL && c->fires) {
            is_double(f->weight, test_weight(c->id), "%s: fired with its configured weight", label);
            if (c->hop != HOP_ANY)
                is_int(f->hit.hop, c->hop, "%s: detail concerns hop %d", label, c->hop);
            ok(strstr(res.header, name) != NULL, "%s: named in the header", label);
        }
        ot_config_free(&cfg);

        /* Weight NAME 0 switches it off, and nothing else changes */
        if (c->fires) {
            double before = res.score;
            size_t nbefore = res.nfired;
            char v[96];

            base_config(&cfg);
            apply_extra(&cfg, c->conf);
            snprintf(v, sizeof v, "%s 0", name);
            ot_config_apply(&cfg, "Weight", v, NULL, 0);
            run_case(c, &cfg, &res);
            ok(find_fired(&res, c->id) == NULL, "%s: Weight %s 0 switches it off", label, name);
            if (f != NULL) {
                is_int(res.nfired, nbefore - 1, "%s: only that signal is gone", label);
                is_double(res.score, before - test_weight(c->id), "%s: score drops by its weight", label);
            }
            ot_config_free(&cfg);
        }
    }
}

/* ---- coverage and the table itself ------------------------------------------------ */

static void test_coverage(void)
{
    for (int id = 0; id < OT_SIG_COUNT; id++) {
        bool fires = false, quiet = false;

        for (size_t i = 0; i < NCASES; i++) {
            if ((int)cases[i].id != id)
                continue;
            if (cases[i].fires)
                fires = true;
            else
                quiet = true;
        }
        ok(fires && quiet, "%s has a firing and a quiet row", ot_signal_table[id].name);
    }
}

static bool upper_snake(const char *s)
{
    if (s == NULL || !isupper((unsigned char)s[0]))
        return false;
    for (size_t i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (!(isupper((unsigned char)c) || isdigit((unsigned char)c) || c == '_'))
            return false;
        if (c == '_' && (s[i + 1] == '_' || s[i + 1] == '\0'))
            return false;
    }
    return true;
}

static void test_table(void)
{
    /* the signal names of the interface, which users and scripts rely on */
    static const char *const interface_names[] = {
        "HELO_MISSING", "HELO_BARE_IP", "HELO_LITERAL_MISMATCH", "HELO_NOT_FQDN", "HELO_INVALID",
        "HELO_LOCALHOST", "HELO_OURS", "HELO_PROVIDER_FORGED", "HELO_NXDOMAIN", "HELO_MISMATCH",
        "RDNS_NONE", "RDNS_DYNAMIC", "FCRDNS_FAIL", "DNSBL_LISTED",
        "CHAIN_BREAK", "RCVD_FORGED_OURS", "RCVD_DATE_REVERSED", "RCVD_DATE_FUTURE", "RCVD_PRIVATE_IP",
        "RCVD_UNPARSEABLE", "RCVD_TOO_MANY",
        "PATH_OPEN_RELAY", "PATH_DIRECT_DYNAMIC", "PATH_WEBFORM",
        "DATE_MISSING", "DATE_INVALID", "DATE_SKEW", "MSGID_MISSING", "MSGID_INVALID",
        "SPF_FAIL", "SPF_SOFTFAIL", "SPF_PASS", "DKIM_FAIL", "DKIM_PASS", "PROVIDER_CLAIM_UNSIGNED",
    };
    static const char *const groups[] = { "helo", "client", "chain", "path", "message", "auth" };

    for (int i = 0; i < OT_SIG_COUNT; i++) {
        const ot_signal_def *d = &ot_signal_table[i];
        bool unique = true, group_ok = false;

        ok(upper_snake(d->name), "%s is UPPER_SNAKE", d->name ? d->name : "(null)");
        for (int k = 0; k < i; k++)
            if (d->name != NULL && ot_signal_table[k].name != NULL && strcmp(d->name, ot_signal_table[k].name) == 0)
                unique = false;
        ok(unique, "%s is unique", d->name);
        ok(d->check != NULL, "%s has a check", d->name);
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
            if (d->group != NULL && strcmp(d->group, groups[g]) == 0)
                group_ok = true;
        ok(group_ok, "%s is in a known group (%s)", d->name, d->group ? d->group : "(null)");
        ok(d->weight >= -1000.0 && d->weight <= 1000.0, "%s default weight within what Weight accepts", d->name);
        is_int(ot_config_signal_index(d->name), i, "%s found by name", d->name);
    }
    for (size_t i = 0; i < sizeof interface_names / sizeof interface_names[0]; i++)
        ok(ot_config_signal_index(interface_names[i]) >= 0, "interface signal %s is in the table",
           interface_names[i]);
    /* evidence of authenticity lowers the score */
    ok(ot_signal_table[OT_SIG_SPF_PASS].weight < 0 && ot_signal_table[OT_SIG_DKIM_PASS].weight < 0,
       "SPF_PASS and DKIM_PASS weigh negative by default");
    ok(ot_signal_table[OT_SIG_SPF_FAIL].weight > 0 && ot_signal_table[OT_SIG_PATH_OPEN_RELAY].weight > 0,
       "signs of forgery weigh positive by default");
}

/* ---- score, action, special weights ------------------------------------------------- */

static void test_score_and_action(void)
{
    static ot_result res;
    /* three signals: MSGID_MISSING, DATE_MISSING and HELO_LEGACY */
    static const char msg[] = MX(SENDER, "SMTP") REST;
    static const struct {
        const char *reject, *quarantine;
        enum ot_action want;
    } rows[] = {
        { "10", "5", OT_ACTION_ACCEPT },
        { "10", "4.5", OT_ACTION_QUARANTINE },
        { "10", "4", OT_ACTION_QUARANTINE },
        { "4.5", "3", OT_ACTION_REJECT },
        { "4", "3", OT_ACTION_REJECT },
    };
    ot_config cfg;
    ot_message m;
    char err[256];

    ot_message_init(&m);
    ot_message_read_header(&m, msg, sizeof msg - 1);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        base_config(&cfg);
        for (int k = 0; k < OT_SIG_COUNT; k++) {
            char v[96];
            snprintf(v, sizeof v, "%s 0", ot_signal_table[k].name);
            ot_config_apply(&cfg, "Weight", v, err, sizeof err);
        }
        ot_config_apply(&cfg, "Weight", "MSGID_MISSING 1.5", err, sizeof err);
        ot_config_apply(&cfg, "Weight", "DATE_MISSING 2", err, sizeof err);
        ot_config_apply(&cfg, "Weight", "HELO_LEGACY 1", err, sizeof err);
        ot_config_apply(&cfg, "RejectScore", rows[i].reject, err, sizeof err);
        ot_config_apply(&cfg, "QuarantineScore", rows[i].quarantine, err, sizeof err);
        ot_analyze(&cfg, NULL, &m, NULL, NOW, &res);
        is_double(res.score, 4.5, "score 1.5 + 2 + 1 (row %zu)", i);
        is_str(ot_action_name(res.action), ot_action_name(rows[i].want), "reject %s quarantine %s: %s",
               rows[i].reject, rows[i].quarantine, ot_action_name(rows[i].want));
        ot_config_free(&cfg);
    }

    /* negative weights lower the score; it can go below zero */
    base_config(&cfg);
    for (int k = 0; k < OT_SIG_COUNT; k++) {
        char v[96];
        snprintf(v, sizeof v, "%s 0", ot_signal_table[k].name);
        ot_config_apply(&cfg, "Weight", v, err, sizeof err);
    }
    ot_config_apply(&cfg, "Weight", "MSGID_MISSING 1", err, sizeof err);
    ot_config_apply(&cfg, "Weight", "SPF_PASS -2.5", err, sizeof err);
    {
        ot_evidence ev;
        ot_evidence_init(&ev);
        ev.spf = OT_SPF_PASS;
        ot_analyze(&cfg, NULL, &m, &ev, NOW, &res);
        is_double(res.score, -1.5, "1 - 2.5 = -1.5");

        ok(strncmp(res.header, "score=-1.5 ", 11) == 0, "header shows the negative score (%s)", res.header);
        is_str(ot_action_name(res.action), "accept", "a negative score is accepted");
    }
    ot_config_free(&cfg);

    /* every weight 0: nothing fires, score 0, header says none */
    base_config(&cfg);
    for (int k = 0; k < OT_SIG_COUNT; k++) {
        char v[96];
        snprintf(v, sizeof v, "%s 0", ot_signal_table[k].name);
        ot_config_apply(&cfg, "Weight", v, err, sizeof err);
    }
    ot_analyze(&cfg, NULL, &m, NULL, NOW, &res);
    is_int(res.nfired, 0, "all weights 0: nothing fires");
    is_double(res.score, 0.0, "all weights 0: score 0");
    ok(strstr(res.header, "signals=none") != NULL, "all weights 0: signals=none (%s)", res.header);
    ot_config_free(&cfg);

    /* a DNSBL zone's own weight replaces DNSBL_LISTED's */
    base_config(&cfg);
    {
        ot_evidence ev;
        const ot_fired *f;
        ot_session s;

        ot_evidence_init(&ev);
        ev_dnsbl(&ev);
        ev.dnsbl[0].weight = 7.5;
        build_session(&s, &(sess_spec)GOOD_SESSION);
        ot_analyze(&cfg, &s, &m, &ev, NOW, &res);
        f = find_fired(&res, OT_SIG_DNSBL_LISTED);
        ok(f != NULL && f->weight == 7.5, "DNSBL zone weight 7.5 used");
        check_result_invariants("DNSBL zone weight", &res);
        ok(f != NULL && strstr(f->hit.detail, "bl.example.org") != NULL, "DNSBL detail names the zone (%s)",
           f ? f->hit.detail : "");
    }
    ot_config_free(&cfg);
    ot_message_free(&m);
}

/* ---- a clean message fires nothing ---------------------------------------------------- */

static void test_clean(void)
{
    static ot_result res;
    static const char *const clean_msgs[] = { CLEAN, MX(RELAY, "ESMTP") CLAIM(SENDER, "mail.relay.example", "ESMTP",
                                                                              D_1233) STD };
    ot_config cfg;

    base_config(&cfg);
    /* CHAIN_CONSISTENT is evidence for; leave it out of "nothing" */
    ot_config_apply(&cfg, "Weight", "CHAIN_CONSISTENT 0", NULL, 0);
    for (size_t i = 0; i < sizeof clean_msgs / sizeof clean_msgs[0]; i++) {
        ot_message m;
        char got[1024];

        ot_message_init(&m);
        ot_message_read_header(&m, clean_msgs[i], strlen(clean_msgs[i]));
        ot_analyze(&cfg, NULL, &m, NULL, NOW, &res);
        fired_names(&res, got, sizeof got);
        is_str(got, "", "clean message %zu fires nothing", i);
        ot_message_free(&m);
    }
    {
        ot_message m;
        ot_session s;
        char got[1024];

        ot_message_init(&m);
        ot_message_read_header(&m, STD, strlen(STD));
        build_session(&s, &(sess_spec)GOOD_SESSION);
        ot_analyze(&cfg, &s, &m, NULL, NOW, &res);
        fired_names(&res, got, sizeof got);
        is_str(got, "", "clean live session fires nothing");
        ot_message_free(&m);
    }
    ot_config_free(&cfg);
}

int main(void)
{
    memset(overlong_helo, 'a', sizeof overlong_helo - 1);
    for (size_t i = 50; i < sizeof overlong_helo - 1; i += 50)
        overlong_helo[i] = '.';
    overlong_helo[sizeof overlong_helo - 1] = '\0';

    test_table();
    test_coverage();
    test_clean();
    test_rows();
    test_score_and_action();
    return tap_done();
}
