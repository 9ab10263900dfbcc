/*
 * test_analysis.c - whole-message scenarios through ot_analyze().
 *
 * Each scenario is raw message text read with ot_message_read_header, an
 * optional live session and a configuration, analysed with a fixed clock.
 * The rows pin what a mail administrator reads off the result: the path,
 * the handoff and its hop, the origin, the signals that must and must not
 * fire, and for a few scenarios the exact header value. The shapes follow
 * the seeds: a zombie straight to our MX, an open relay, web-form scripts,
 * forged lines inserted below the real ones, submission, internal mail.
 *
 * Addresses are from the documentation ranges, as in every fixture of the
 * project; our MX is mx.example.org at 192.0.2.25 (TrustedRelays), the
 * MDA above it mail.example.org. Every other party has a domain of its
 * own (relay-isp.example, sender-co.example, ...), so that whether two
 * lines connect never hangs on how organisations are matched.
 *
 * Weights are set here (1 for a sign of forgery, -1 for evidence of
 * authenticity; RejectScore 5, QuarantineScore 3) so that the golden
 * headers do not move when default weights are tuned.
 */
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
#define NO_HOP 99        /* origin_hop not compared */

/* ---- message pieces --------------------------------------------------------- */

#define MDA \
    "Received: from mx.example.org (mx.example.org [192.0.2.25])\n" \
    "\tby mail.example.org (Postfix) with LMTP id 7E1F2A3B\n" \
    "\tfor <alice@example.org>; Thu, 22 Aug 2002 12:34:58 +0000 (UTC)\n"
#define OUR_MX(from, with) \
    "Received: from " from "\n" \
    "\tby mx.example.org (Postfix) with " with " id 4F2A11C0\n" \
    "\tfor <alice@example.org>; Thu, 22 Aug 2002 12:34:56 +0000 (UTC)\n"
#define BODY "\nHello.\n"
#define HDRS(from) \
    "From: " from "\nTo: alice@example.org\nSubject: about your order\n" \
    "Date: Thu, 22 Aug 2002 12:30:00 +0000\n"
#define MSGID "Message-ID: <20020822123000.5B3C@sender-co.example>\n"

static const char zombie_msg[] =
    MDA
    OUR_MX("203.0.113.45 (dsl-203-0-113-45.dyn.example.net [203.0.113.45])", "SMTP")
    "Received: from [198.51.100.213] by bay12.hotmail.com with HTTP;\n"
    "\tThu, 22 Aug 2002 12:30:11 +0000\n"
    HDRS("\"Great Deals\" <kc4712@hotmail.com>")
    BODY;

static const char open_relay_msg[] =
    MDA
    OUR_MX("mail.relay-isp.example (mail.relay-isp.example [198.51.100.60])", "ESMTP")
    "Received: from aol.com (dsl-203-0-113-88.dyn.example.net [203.0.113.88])\n"
    "\tby mail.relay-isp.example (8.9.3/8.9.3) with SMTP id KAA01234\n"
    "\tfor <alice@example.org>; Thu, 22 Aug 2002 12:33:10 +0000\n"
    HDRS("offers@aol.com") MSGID BODY;

static const char webform_postfix_msg[] =
    MDA
    OUR_MX("www.shop-host.example (www.shop-host.example [198.51.100.80])", "ESMTP")
    "Received: by www.shop-host.example (Postfix, from userid 33)\n"
    "\tid 0A1B2C3D; Thu, 22 Aug 2002 12:33:10 +0000 (UTC)\n"
    "X-PHP-Originating-Script: 33:contact-form.php\n"
    HDRS("www-data@shop-host.example") MSGID BODY;

static const char webform_qmail_msg[] =
    MDA
    OUR_MX("web7.hosting-co.example (web7.hosting-co.example [198.51.100.81])", "ESMTP")
    "Received: (qmail 4242 invoked by uid 48); 22 Aug 2002 12:33:10 -0000\n"
    "X-PHP-Originating-Script: 48:mailer.php\n"
    HDRS("apache@hosting-co.example") MSGID BODY;

/* the handoff's own line, then two lines the sender made up */
static const char inserted_msg[] =
    MDA
    OUR_MX("mailer.bulk-sender.example (unknown [198.51.100.99])", "ESMTP")
    "Received: from smtp.origin-isp.example (smtp.origin-isp.example [203.0.113.7])\n"
    "\tby mx.example.org (Postfix) with ESMTP id 1A2B3C4D; Fri, 23 Aug 2002 09:10:00 +0000\n"
    "Received: from ws1.origin-isp.example (ws1.origin-isp.example [203.0.113.70])\n"
    "\tby smtp.origin-isp.example (Postfix) with ESMTP id 9F8E7D6C; Fri, 23 Aug 2002 09:09:00 +0000\n"
    HDRS("news@origin-isp.example") MSGID BODY;

/* one honest claim below the handoff, then a line that does not connect */
static const char inserted_deeper_msg[] =
    MDA
    OUR_MX("mail.relay-isp.example (mail.relay-isp.example [198.51.100.60])", "ESMTP")
    "Received: from smtp.sender-co.example (smtp.sender-co.example [203.0.113.7])\n"
    "\tby mail.relay-isp.example (Postfix) with ESMTP id 2B3C4D5E; Thu, 22 Aug 2002 12:33:10 +0000\n"
    "Received: from mta.forged-origin.example (mta.forged-origin.example [198.51.100.200])\n"
    "\tby mx.totally-other.example with ESMTP id 3C4D5E6F; Thu, 22 Aug 2002 12:31:00 +0000\n"
    HDRS("a@sender-co.example") MSGID BODY;

/* our own user, authenticated at our MX */
static const char submission_direct_msg[] =
    MDA
    "Received: from [192.168.1.23] (cpe-203-0-113-77.isp.example [203.0.113.77])\n"
    "\t(authenticated bits=0)\n"
    "\tby mx.example.org (8.12.5/8.12.5) with ESMTPSA id g7MCYu12345\n"
    "\tfor <alice@example.org>; Thu, 22 Aug 2002 12:34:56 +0000\n"
    HDRS("bob@example.org") MSGID BODY;

/* a provider's user, authenticated at the provider, relayed to us */
static const char submission_provider_msg[] =
    MDA
    OUR_MX("smtp.provider-mail.example (smtp.provider-mail.example [198.51.100.40])", "ESMTPS")
    "Received: from [192.168.1.23] (cpe-203-0-113-77.isp.example [203.0.113.77])\n"
    "\t(authenticated bits=0)\n"
    "\tby smtp.provider-mail.example (8.12.5/8.12.5) with ESMTPSA id g7MCXa98765;\n"
    "\tThu, 22 Aug 2002 12:33:10 +0000\n"
    HDRS("carol@provider-mail.example") MSGID BODY;

static const char internal_msg[] =
    MDA
    "Received: from localhost (localhost [127.0.0.1])\n"
    "\tby mx.example.org (Postfix) with ESMTP id 5E6F7A8B; Thu, 22 Aug 2002 12:34:50 +0000 (UTC)\n"
    "Received: by mx.example.org (Postfix, from userid 0)\n"
    "\tid 6F7A8B9C; Thu, 22 Aug 2002 12:34:40 +0000 (UTC)\n"
    HDRS("root@mx.example.org") "Message-ID: <20020822123440.6F7A8B9C@mx.example.org>\n" BODY;

/* what a milter sees: no line of ours, the sender's claims only */
static const char live_msg[] =
    "Received: from smtp.sender-co.example (mx.example.org [192.0.2.25])\n"
    "\tby mail.example.org (Postfix) with LMTP id 0BADF00D; Thu, 22 Aug 2002 12:34:00 +0000\n"
    HDRS("a@sender-co.example") MSGID BODY;

static const char clean_live_msg[] = HDRS("a@sender-co.example") MSGID BODY;

static const char ipv6_msg[] =
    MDA
    OUR_MX("mail6.sender-co.example (mail6.sender-co.example [IPv6:2001:db8:85a3::8a2e:370:7334])", "ESMTPS")
    HDRS("a@sender-co.example") MSGID BODY;

static const char mapped_msg[] =
    MDA
    OUR_MX("mail.sender-co.example (mail.sender-co.example [IPv6:::ffff:203.0.113.45])", "ESMTP")
    HDRS("a@sender-co.example") MSGID BODY;

/* ---- the scenario table -------------------------------------------------------- */

typedef struct sess_spec {
    const char *ip;          /* NULL: no live session */
    const char *rdns;
    const char *helo;
    const char *auth;
} sess_spec;

#define MAX_LISTED 8

typedef struct scenario {
    const char *name;
    const char *msg;
    sess_spec s;
    const char *trusted;     /* TrustedRelays; NULL: 192.0.2.25 */
    enum ot_path path;
    const char *handoff_ip;  /* NULL: no handoff */
    int handoff_hop;
    const char *origin_ip;   /* NULL: no origin */
    int origin_hop;          /* NO_HOP: not compared */
    const char *fire[MAX_LISTED];
    const char *quiet[MAX_LISTED];
    const char *golden;      /* exact header value, or NULL */
} scenario;

#define NOSESS { NULL, NULL, NULL, NULL }

static const scenario scenarios[] = {
    { "zombie straight to our MX", zombie_msg, NOSESS, NULL,
      OT_PATH_DIRECT_TO_MX, "203.0.113.45", 1, "203.0.113.45", -1,
      { "HELO_BARE_IP", "RDNS_DYNAMIC", "PATH_DIRECT_DYNAMIC", "MSGID_MISSING", "CHAIN_BREAK", "HELO_LEGACY" },
      { "PATH_OPEN_RELAY", "RCVD_PRIVATE_IP", "RCVD_FORGED_OURS", "DATE_MISSING", "HELO_OURS" },
      "score=6.0 action=reject path=direct-to-mx origin=203.0.113.45 handoff=203.0.113.45 "
      "signals=HELO_BARE_IP,HELO_LEGACY,RDNS_DYNAMIC,CHAIN_BREAK,PATH_DIRECT_DYNAMIC,MSGID_MISSING" },

    { "open relay for a dynamic address", open_relay_msg, NOSESS, NULL,
      OT_PATH_OPEN_RELAY, "198.51.100.60", 1, "203.0.113.88", 2,
      { "PATH_OPEN_RELAY", "RCVD_HELO_FORGED" },
      { "PATH_DIRECT_DYNAMIC", "CHAIN_BREAK", "RCVD_PRIVATE_IP", "RDNS_DYNAMIC", "HELO_PROVIDER_FORGED" },
      "score=2.0 action=accept path=open-relay origin=203.0.113.88 handoff=198.51.100.60 "
      "signals=RCVD_HELO_FORGED,PATH_OPEN_RELAY" },

    { "web form, Postfix from userid 33", webform_postfix_msg, NOSESS, NULL,
      OT_PATH_WEBFORM, "198.51.100.80", 1, "198.51.100.80", NO_HOP,
      { "PATH_WEBFORM" },
      { "PATH_OPEN_RELAY", "PATH_DIRECT_DYNAMIC", "CHAIN_BREAK", "RCVD_PRIVATE_IP" },
      "score=1.0 action=accept path=webform origin=198.51.100.80 handoff=198.51.100.80 signals=PATH_WEBFORM" },

    { "web form, qmail invoked by uid 48", webform_qmail_msg, NOSESS, NULL,
      OT_PATH_WEBFORM, "198.51.100.81", 1, "198.51.100.81", NO_HOP,
      { "PATH_WEBFORM" },
      { "PATH_OPEN_RELAY", "CHAIN_BREAK", "RCVD_UNPARSEABLE", "RCVD_PRIVATE_IP" }, NULL },

    { "false lines inserted below the handoff", inserted_msg, NOSESS, NULL,
      OT_PATH_DIRECT_TO_MX, "198.51.100.99", 1, "198.51.100.99", -1,
      { "CHAIN_BREAK", "RCVD_FORGED_OURS", "RCVD_DATE_REVERSED", "RDNS_NONE" },
      { "CHAIN_CONSISTENT", "PATH_OPEN_RELAY", "RCVD_PRIVATE_IP" }, NULL },

    { "false line below an honest relay", inserted_deeper_msg, NOSESS, NULL,
      OT_PATH_RELAY, "198.51.100.60", 1, "203.0.113.7", 2,
      { "CHAIN_BREAK" },
      { "PATH_OPEN_RELAY", "CHAIN_CONSISTENT", "RCVD_FORGED_OURS" }, NULL },

    { "submission to our MX (ESMTPSA)", submission_direct_msg, NOSESS, NULL,
      OT_PATH_SUBMISSION, "203.0.113.77", 1, "203.0.113.77", NO_HOP,
      { NULL },
      { "PATH_DIRECT_DYNAMIC", "PATH_OPEN_RELAY", "RCVD_PRIVATE_IP", "CHAIN_BREAK" },
      NULL },

    { "submission at a provider (ESMTPSA), relayed to us", submission_provider_msg, NOSESS, NULL,
      OT_PATH_SUBMISSION, "198.51.100.40", 1, "203.0.113.77", 2,
      { NULL },
      { "PATH_OPEN_RELAY", "CHAIN_BREAK", "RCVD_HELO_FORGED", "RCVD_PRIVATE_IP" },
      "score=0.0 action=accept path=submission origin=203.0.113.77 handoff=198.51.100.40 signals=none" },

    { "live authenticated session", clean_live_msg, { "203.0.113.77", "cpe-203-0-113-77.isp.example",
      "laptop.sender-co.example", "bob" }, NULL,
      OT_PATH_SUBMISSION, "203.0.113.77", -1, "203.0.113.77", -1,
      { NULL }, { "PATH_DIRECT_DYNAMIC", "HELO_MISSING" }, NULL },

    { "internal: only our own hops", internal_msg, NOSESS, NULL,
      OT_PATH_INTERNAL, NULL, 0, NULL, NO_HOP,
      { NULL },
      { "HELO_MISSING", "RDNS_NONE", "RCVD_FORGED_OURS", "HELO_LOCALHOST", "CHAIN_BREAK" },
      "score=0.0 action=accept path=internal origin=unknown handoff=unknown signals=none" },

    { "live session overrides the chain", live_msg, { "198.51.100.7", "mail.sender-co.example",
      "mail.sender-co.example", NULL }, NULL,
      OT_PATH_DIRECT_TO_MX, "198.51.100.7", -1, "198.51.100.7", NO_HOP,
      { "RCVD_FORGED_OURS" }, { "HELO_MISSING", "RDNS_NONE", "HELO_RDNS_MISMATCH" }, NULL },

    { "live IPv6 client", clean_live_msg, { "2001:db8:25::7", "mail6.sender-co.example",
      "mail6.sender-co.example", NULL }, NULL,
      OT_PATH_DIRECT_TO_MX, "2001:db8:25::7", -1, "2001:db8:25::7", -1,
      { NULL }, { "RCVD_PRIVATE_IP", "HELO_MISSING", "RDNS_NONE" },
      "score=0.0 action=accept path=direct-to-mx origin=2001:db8:25::7 handoff=2001:db8:25::7 signals=none" },

    { "live IPv4-mapped client", clean_live_msg, { "::ffff:203.0.113.45", "mail.sender-co.example",
      "[203.0.113.45]", NULL }, NULL,
      OT_PATH_DIRECT_TO_MX, "203.0.113.45", -1, "203.0.113.45", -1,
      { NULL }, { "HELO_LITERAL_MISMATCH", "RCVD_PRIVATE_IP" }, NULL },

    { "offline IPv6 handoff", ipv6_msg, NOSESS, NULL,
      OT_PATH_DIRECT_TO_MX, "2001:db8:85a3::8a2e:370:7334", 1, "2001:db8:85a3::8a2e:370:7334", -1,
      { NULL }, { "RCVD_PRIVATE_IP", "RDNS_NONE" }, NULL },

    { "offline IPv4-mapped handoff", mapped_msg, NOSESS, NULL,
      OT_PATH_DIRECT_TO_MX, "203.0.113.45", 1, "203.0.113.45", -1,
      { NULL }, { "RCVD_PRIVATE_IP" }, NULL },

    { "our trusted relay as the live client", zombie_msg, { "192.0.2.25", "mx.example.org", "mx.example.org",
      NULL }, NULL,
      OT_PATH_DIRECT_TO_MX, "203.0.113.45", 1, "203.0.113.45", NO_HOP,
      { "HELO_BARE_IP" }, { "HELO_OURS", "HELO_MISSING" }, NULL },

    /* a configuration error shows: our MX is taken for a stranger that
     * claims our name and whose own line cannot be believed */
    { "no TrustedRelays: our MX is the handoff", zombie_msg, NOSESS, "127.0.0.1",
      OT_PATH_DIRECT_TO_MX, "192.0.2.25", 0, "192.0.2.25", -1,
      { "HELO_OURS", "RCVD_FORGED_OURS", "CHAIN_BREAK" }, { "PATH_DIRECT_DYNAMIC" }, NULL },
};

/* ---- running -------------------------------------------------------------------- */

static void base_config(ot_config *cfg, const char *trusted)
{
    char err[256];

    ot_config_init(cfg);
    if (ot_config_apply(cfg, "TrustedRelays", trusted ? trusted : "192.0.2.25", err, sizeof err) != OT_CONF_OK)
        printf("# TrustedRelays: %s\n", err);
    ot_config_apply(cfg, "LocalHostnames", "mx.example.org", err, sizeof err);
    ot_config_apply(cfg, "RejectScore", "5", err, sizeof err);
    ot_config_apply(cfg, "QuarantineScore", "3", err, sizeof err);
    ot_config_apply(cfg, "MaxReceived", "40", err, sizeof err);
    for (int i = 0; i < OT_SIG_COUNT; i++) {
        char v[96];
        snprintf(v, sizeof v, "%s %d", ot_signal_table[i].name, ot_signal_table[i].weight < 0 ? -1 : 1);
        ot_config_apply(cfg, "Weight", v, err, sizeof err);
    }
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
        ot_session_set_helo(s, spec->helo, strlen(spec->helo));
    s->client_resolve = OT_RESOLVE_OK;
    if (spec->auth != NULL)
        snprintf(s->auth_user, sizeof s->auth_user, "%s", spec->auth);
    ot_session_set_mail_from(s, "<a@sender-co.example>", 21);
    ot_session_add_rcpt(s, "<alice@example.org>", 19);
}

static bool fired(const ot_result *res, const char *name)
{
    for (size_t i = 0; i < res->nfired; i++)
        if (strcmp(ot_signal_table[res->fired[i].id].name, name) == 0)
            return true;
    return false;
}

static const ot_fired *fired_entry(const ot_result *res, const char *name)
{
    for (size_t i = 0; i < res->nfired; i++)
        if (strcmp(ot_signal_table[res->fired[i].id].name, name) == 0)
            return &res->fired[i];
    return NULL;
}

static void fired_list(const ot_result *res, char *out, size_t outsize)
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

static bool printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

static void analyse_text(const ot_config *cfg, const sess_spec *spec, const char *text, size_t len,
                         const ot_evidence *ev, ot_result *res)
{
    ot_message msg;
    ot_session s;

    ot_message_init(&msg);
    ot_message_read_header(&msg, text, len);
    build_session(&s, spec);
    ot_analyze(cfg, &s, &msg, ev, NOW, res);
    ot_message_free(&msg);
}

static void test_scenarios(void)
{
    static ot_result res;

    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *sc = &scenarios[i];
        ot_config cfg;
        char got[1024];

        base_config(&cfg, sc->trusted);
        analyse_text(&cfg, &sc->s, sc->msg, strlen(sc->msg), NULL, &res);
        fired_list(&res, got, sizeof got);
        printf("# %s: %s | %s\n", sc->name, got[0] ? got : "none", res.header);

        is_str(ot_path_name(res.path), ot_path_name(sc->path), "%s: path %s", sc->name, ot_path_name(sc->path));
        if (sc->handoff_ip != NULL) {
            ok(res.handoff.present, "%s: handoff present", sc->name);
            is_str(res.handoff.ip, sc->handoff_ip, "%s: handoff %s", sc->name, sc->handoff_ip);
            is_int(res.handoff.hop, sc->handoff_hop, "%s: handoff hop %d", sc->name, sc->handoff_hop);
            if (sc->handoff_hop >= 0)
                is_int(res.boundary, sc->handoff_hop + 1, "%s: trust boundary below the handoff line", sc->name);
            else
                is_int(res.boundary, 0, "%s: live session: every line is a claim", sc->name);
        } else {
            ok(!res.handoff.present, "%s: no handoff", sc->name);
            is_int(res.boundary, (long long)res.nhops, "%s: boundary at the end", sc->name);
        }
        if (sc->origin_ip != NULL) {
            ok(res.origin.present, "%s: origin present", sc->name);
            is_str(res.origin.ip, sc->origin_ip, "%s: origin %s", sc->name, sc->origin_ip);
            if (sc->origin_hop != NO_HOP)
                is_int(res.origin_hop, sc->origin_hop, "%s: origin hop %d", sc->name, sc->origin_hop);
        } else if (sc->origin_hop != NO_HOP || sc->handoff_ip == NULL) {
            ok(!res.origin.present, "%s: no origin", sc->name);
        }
        for (size_t k = 0; k < MAX_LISTED && sc->fire[k] != NULL; k++)
            ok(fired(&res, sc->fire[k]), "%s: %s fires", sc->name, sc->fire[k]);
        for (size_t k = 0; k < MAX_LISTED && sc->quiet[k] != NULL; k++)
            ok(!fired(&res, sc->quiet[k]), "%s: %s quiet", sc->name, sc->quiet[k]);
        if (sc->golden != NULL)
            is_str(res.header, sc->golden, "%s: header", sc->name);

        /* whatever the scenario: bounded, printable, consistent */
        ok(printable(res.header) && strlen(res.header) < OT_HEADER_SIZE, "%s: header printable", sc->name);
        ok(strncmp(res.header, "score=", 6) == 0 && strstr(res.header, " action=") != NULL &&
           strstr(res.header, " path=") != NULL && strstr(res.header, " origin=") != NULL &&
           strstr(res.header, " handoff=") != NULL && strstr(res.header, " signals=") != NULL,
           "%s: header has every token", sc->name);
        {
            bool details = true;
            for (size_t k = 0; k < res.nfired; k++)
                if (res.fired[k].hit.detail[0] == '\0' || !printable(res.fired[k].hit.detail) ||
                    res.fired[k].hit.hop < -2 || res.fired[k].hit.hop >= (int)res.nhops)
                    details = false;
            ok(details, "%s: details printable, hops in range", sc->name);
        }
        ot_config_free(&cfg);
    }
}

/* ---- specific pins ------------------------------------------------------------------ */

static void test_zombie_details(void)
{
    static ot_result res;
    ot_config cfg;
    const ot_fired *f;

    base_config(&cfg, NULL);
    analyse_text(&cfg, &(sess_spec)NOSESS, zombie_msg, strlen(zombie_msg), NULL, &res);
    is_int(res.nhops, 3, "zombie: three lines");
    is_str(ot_trust_name(res.trust[0]), "trusted", "zombie: the MDA line is ours");
    is_str(ot_trust_name(res.trust[1]), "trusted", "zombie: our MX's line is ours");
    is_str(ot_trust_name(res.trust[2]), "untrusted", "zombie: the line below is a claim");
    is_str(res.handoff.rdns, "dsl-203-0-113-45.dyn.example.net", "zombie: handoff rdns as our MX recorded it");
    is_str(res.handoff.helo, "203.0.113.45", "zombie: handoff HELO");
    ok(res.breaks[2], "zombie: the made-up line does not connect");
    f = fired_entry(&res, "HELO_BARE_IP");
    ok(f != NULL && f->hit.hop == 1, "zombie: HELO_BARE_IP concerns hop 1");
    f = fired_entry(&res, "PATH_DIRECT_DYNAMIC");
    ok(f != NULL && strstr(f->hit.detail, "203.0.113.45") != NULL, "zombie: PATH_DIRECT_DYNAMIC names the address");
    f = fired_entry(&res, "CHAIN_BREAK");
    ok(f != NULL && f->hit.hop == 2, "zombie: CHAIN_BREAK concerns hop 2");
    ok(res.received_at == 1030019696, "zombie: received at our MX's date (%lld)", (long long)res.received_at);
    ot_config_free(&cfg);
}

static void test_inserted_details(void)
{
    static ot_result res;
    ot_config cfg;
    const ot_fired *f;

    base_config(&cfg, NULL);
    analyse_text(&cfg, &(sess_spec)NOSESS, inserted_msg, strlen(inserted_msg), NULL, &res);
    ok(res.breaks[2], "inserted: hop 2 breaks");
    ok(res.origin_hop < 2, "inserted: origin stays above the break (%d)", res.origin_hop);
    f = fired_entry(&res, "CHAIN_BREAK");
    ok(f != NULL && f->hit.hop == 2, "inserted: CHAIN_BREAK at hop 2");
    f = fired_entry(&res, "RCVD_FORGED_OURS");
    ok(f != NULL && f->hit.hop == 2 && strstr(f->hit.detail, "mx.example.org") != NULL,
       "inserted: RCVD_FORGED_OURS names mx.example.org at hop 2");
    ot_config_free(&cfg);

    base_config(&cfg, NULL);
    analyse_text(&cfg, &(sess_spec)NOSESS, inserted_deeper_msg, strlen(inserted_deeper_msg), NULL, &res);
    ok(!res.breaks[2] && res.breaks[3], "inserted deeper: hop 2 connects, hop 3 breaks");
    f = fired_entry(&res, "CHAIN_BREAK");
    ok(f != NULL && f->hit.hop == 3, "inserted deeper: CHAIN_BREAK at hop 3");
    ok(strcmp(res.origin.ip, "198.51.100.200") != 0, "inserted deeper: the made-up host is not the origin");
    ot_config_free(&cfg);
}

/* TrustedRelays with CIDRs, IPv6 and loopback */
static void test_trust_walk(void)
{
    static const char msg[] =
        "Received: from mda-in.example.org (mda-in.example.org [2001:db8:1::5])\n"
        "\tby mail.example.org (Postfix) with LMTP id 1; Thu, 22 Aug 2002 12:34:59 +0000\n"
        "Received: from mx2.example.org (mx2.example.org [192.0.2.7])\n"
        "\tby mda-in.example.org (Postfix) with ESMTP id 2; Thu, 22 Aug 2002 12:34:58 +0000\n"
        "Received: from localhost (localhost [127.0.0.1])\n"
        "\tby mx2.example.org (Postfix) with ESMTP id 3; Thu, 22 Aug 2002 12:34:57 +0000\n"
        "Received: from mail.sender-co.example (mail.sender-co.example [198.51.100.7])\n"
        "\tby mx2.example.org (Postfix) with ESMTP id 4; Thu, 22 Aug 2002 12:34:56 +0000\n"
        "Received: from ws.sender-co.example (ws.sender-co.example [203.0.113.70])\n"
        "\tby mail.sender-co.example (Postfix) with ESMTP id 5; Thu, 22 Aug 2002 12:34:00 +0000\n"
        HDRS("a@sender-co.example") MSGID BODY;
    static const struct {
        const char *trusted;
        int handoff_hop;
        const char *handoff_ip;
        const char *trust;   /* per hop: T trusted, U untrusted, P unparsed */
    } rows[] = {
        { "192.0.2.0/28, 2001:db8:1::/48", 3, "198.51.100.7", "TTTTU" },
        { "192.0.2.0/24 2001:db8::/32", 3, "198.51.100.7", "TTTTU" },
        { "2001:db8:1::5, 192.0.2.7", 3, "198.51.100.7", "TTTTU" },
        { "192.0.2.0/28", 0, "2001:db8:1::5", "TUUUU" },
        { "2001:db8:1::/48", 1, "192.0.2.7", "TTUUU" },
        { "192.0.2.16/28, 2001:db8:1::/48", 1, "192.0.2.7", "TTUUU" },
        { "2001:db8:1::/48, 192.0.2.7, 198.51.100.0/24", 4, "203.0.113.70", "TTTTT" },
    };
    static ot_result res;

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ot_config cfg;
        char trust[OT_MAX_RECEIVED + 1];

        base_config(&cfg, rows[i].trusted);
        analyse_text(&cfg, &(sess_spec)NOSESS, msg, sizeof msg - 1, NULL, &res);
        is_int(res.nhops, 5, "trust walk [%s]: five lines", rows[i].trusted);
        is_int(res.handoff.hop, rows[i].handoff_hop, "trust walk [%s]: handoff hop %d", rows[i].trusted,
               rows[i].handoff_hop);
        is_str(res.handoff.ip, rows[i].handoff_ip, "trust walk [%s]: handoff address", rows[i].trusted);
        is_int(res.boundary, rows[i].handoff_hop + 1, "trust walk [%s]: boundary", rows[i].trusted);
        for (size_t k = 0; k < res.nhops; k++)
            trust[k] = res.trust[k] == OT_TRUST_TRUSTED ? 'T' : res.trust[k] == OT_TRUST_UNPARSED ? 'P' : 'U';
        trust[res.nhops] = '\0';
        is_str(trust, rows[i].trust, "trust walk [%s]: trust per hop", rows[i].trusted);
        ot_config_free(&cfg);
    }
}

/* The sender chooses the HELO that our own MX writes into its line
 * (Postfix joins a HELO of several words with spaces and keeps '(' and
 * ')'). Whatever the HELO, it must not let the sender pick the handoff
 * or make our line unreadable so that a made-up line below stands in for
 * it. */
static void test_hostile_helo_in_our_line(void)
{
    static const char unbalanced[] =
        MDA
        OUR_MX("x( (dsl-203-0-113-45.dyn.example.net [203.0.113.45])", "SMTP")
        "Received: from localhost (localhost [127.0.0.1])\n"
        "\tby mx.example.org (Postfix) with ESMTP id 1111; Thu, 22 Aug 2002 12:34:00 +0000\n"
        HDRS("alerts@bank.example") MSGID BODY;
    static const char spoofed[] =
        MDA
        OUR_MX("x (mail.good-bank.example [198.51.100.5]) (dsl-203-0-113-45.dyn.example.net [203.0.113.45])",
               "SMTP")
        "Received: from localhost (localhost [127.0.0.1])\n"
        "\tby mail.good-bank.example (Postfix) with ESMTP id 2222; Thu, 22 Aug 2002 12:34:00 +0000\n"
        HDRS("alerts@good-bank.example") MSGID BODY;
    static ot_result res;
    ot_config cfg;

    base_config(&cfg, NULL);
    analyse_text(&cfg, &(sess_spec)NOSESS, unbalanced, sizeof unbalanced - 1, NULL, &res);
    ok(res.nhops == 3 && res.trust[2] != OT_TRUST_TRUSTED,
       "HELO \"x(\": the made-up localhost line below our unreadable line is not ours");
    ok(res.path != OT_PATH_INTERNAL, "HELO \"x(\": not internal mail (path %s)", ot_path_name(res.path));
    ok(fired(&res, "RCVD_UNPARSEABLE"), "HELO \"x(\": RCVD_UNPARSEABLE");
    ot_config_free(&cfg);

    /* the peer's address is the one our MX saw, not one the HELO names */
    base_config(&cfg, "192.0.2.25, 198.51.100.5");
    analyse_text(&cfg, &(sess_spec)NOSESS, spoofed, sizeof spoofed - 1, NULL, &res);
    is_str(res.handoff.ip, "203.0.113.45", "HELO naming a trusted relay: the handoff is the real peer");
    ok(res.path != OT_PATH_INTERNAL, "HELO naming a trusted relay: not internal mail (path %s)",
       ot_path_name(res.path));
    ok(fired(&res, "RDNS_DYNAMIC"), "HELO naming a trusted relay: the peer's dynamic name is judged");
    ot_config_free(&cfg);
}

/* ---- header values with evidence ---------------------------------------------------- */

static void test_header_evidence(void)
{
    static ot_result res;
    static const sess_spec good = { "198.51.100.7", "mail.sender-co.example", "mail.sender-co.example", NULL };
    ot_config cfg;
    ot_evidence ev;

    base_config(&cfg, NULL);
    ot_evidence_init(&ev);
    ev.spf = OT_SPF_PASS;
    snprintf(ev.spf_domain, sizeof ev.spf_domain, "sender-co.example");
    ev.dkim_checked = true;
    ev.ndkim = 1;
    snprintf(ev.dkim[0].domain, sizeof ev.dkim[0].domain, "sender-co.example");
    ev.dkim[0].pass = true;
    analyse_text(&cfg, &good, clean_live_msg, strlen(clean_live_msg), &ev, &res);
    is_str(res.header, "score=-2.0 action=accept path=direct-to-mx origin=198.51.100.7 handoff=198.51.100.7 "
           "spf=pass dkim=pass signals=SPF_PASS,DKIM_PASS", "header with SPF and DKIM pass");

    ot_evidence_init(&ev);
    ev.spf = OT_SPF_SOFTFAIL;
    ev.dkim_checked = true;
    snprintf(ev.incomplete, sizeof ev.incomplete, "dnsbl,helo");
    analyse_text(&cfg, &good, clean_live_msg, strlen(clean_live_msg), &ev, &res);
    is_str(res.header, "score=1.0 action=accept path=direct-to-mx origin=198.51.100.7 handoff=198.51.100.7 "
           "spf=softfail dkim=none incomplete=dnsbl,helo signals=SPF_SOFTFAIL",
           "header with softfail, no signatures, incomplete lookups");

    ot_evidence_init(&ev);
    ev.dkim_checked = true;
    ev.ndkim = 2;
    snprintf(ev.dkim[0].domain, sizeof ev.dkim[0].domain, "mailer.example");
    ev.dkim[0].pass = false;
    snprintf(ev.dkim[1].domain, sizeof ev.dkim[1].domain, "sender-co.example");
    ev.dkim[1].pass = true;
    analyse_text(&cfg, &good, clean_live_msg, strlen(clean_live_msg), &ev, &res);
    ok(strstr(res.header, " dkim=pass ") != NULL, "one valid signature among failing ones: dkim=pass (%s)",
       res.header);

    /* hostile text in the incomplete list stays one token */
    ot_evidence_init(&ev);
    snprintf(ev.incomplete, sizeof ev.incomplete, "dns bl;x=y\r\nInjected: 1");
    analyse_text(&cfg, &good, clean_live_msg, strlen(clean_live_msg), &ev, &res);
    ok(printable(res.header) && strstr(res.header, "Injected: ") == NULL && strchr(res.header, ';') == NULL,
       "incomplete= cannot break the header (%s)", res.header);
    ot_config_free(&cfg);
}

/* ---- hostile HELO -------------------------------------------------------------------- */

static void test_hostile_helo(void)
{
    static const char helo[] = "evil\r\nX-Injected: yes; a b\0\xff\xfe.example";
    static ot_result res;
    ot_config cfg;
    ot_message msg;
    ot_session s;

    base_config(&cfg, NULL);
    ot_message_init(&msg);
    ot_message_read_header(&msg, clean_live_msg, strlen(clean_live_msg));
    ot_session_init(&s);
    s.present = true;
    ot_addr_parse("203.0.113.45", 12, &s.client_addr);
    ot_session_set_rdns(&s, "dsl-203-0-113-45.dyn.example.net", 32);
    ot_session_set_helo(&s, helo, sizeof helo - 1);
    ot_analyze(&cfg, &s, &msg, NULL, NOW, &res);

    ok(fired(&res, "HELO_INVALID"), "hostile HELO: HELO_INVALID");
    ok(printable(res.header), "hostile HELO: header printable (%s)", res.header);
    ok(strchr(res.header, ';') == NULL, "hostile HELO: no ';' in the header");
    ok(strstr(res.header, "Injected") == NULL && strstr(res.header, "evil") == NULL,
       "hostile HELO: the HELO is not in the header");
    ok(printable(res.handoff.helo), "hostile HELO: handoff.helo is sanitized (%s)", res.handoff.helo);
    for (size_t i = 0; i < res.nfired; i++) {
        const char *d = res.fired[i].hit.detail;
        const char *name = ot_signal_table[res.fired[i].id].name;

        ok(printable(d), "hostile HELO: %s detail printable (%s)", name, d);
        ok(strstr(d, "yes; a b") == NULL && strstr(d, "X-Injected: yes") == NULL,
           "hostile HELO: %s detail does not carry the HELO's spaces and ';' raw", name);
    }
    ot_message_free(&msg);

    /* offline: hostile bytes in the handoff line's HELO */
    {
        static const char text[] =
            MDA
            "Received: from ev\xffil\x01.example (unknown [203.0.113.45])\n"
            "\tby mx.example.org (Postfix) with ESMTP id 1; Thu, 22 Aug 2002 12:34:56 +0000\n"
            HDRS("a@sender-co.example") MSGID BODY;
        bool all = true;

        analyse_text(&cfg, &(sess_spec)NOSESS, text, sizeof text - 1, NULL, &res);
        for (size_t i = 0; i < res.nfired; i++)
            if (!printable(res.fired[i].hit.detail))
                all = false;
        ok(all, "offline hostile HELO: every detail printable");
        ok(printable(res.header), "offline hostile HELO: header printable");
        ok(fired(&res, "HELO_INVALID"), "offline hostile HELO: HELO_INVALID");
    }
    ot_config_free(&cfg);
}

/* ---- bounds ---------------------------------------------------------------------------- */

static void test_many_received(void)
{
    static const char line[] =
        "Received: from a.hop-co.example (a.hop-co.example [198.51.100.7])\n"
        "\tby b.hop-co.example with ESMTP id X; Thu, 22 Aug 2002 12:30:00 +0000\n";
    static const char tail[] = HDRS("a@hop-co.example") MSGID BODY;
    static ot_result res;
    size_t n = 1000, len = n * (sizeof line - 1) + sizeof tail;
    char *text = malloc(len);
    ot_config cfg;
    ot_message msg;

    if (text == NULL) {
        ok(0, "malloc");
        return;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * (sizeof line - 1), line, sizeof line - 1);
    memcpy(text + n * (sizeof line - 1), tail, sizeof tail);
    base_config(&cfg, NULL);
    ot_message_init(&msg);
    ot_message_read_header(&msg, text, len - 1);
    is_int(msg.received_total, 1000, "1000 Received fields counted by the reader");
    ot_analyze(&cfg, NULL, &msg, NULL, NOW, &res);
    is_int(res.nhops, OT_MAX_RECEIVED, "1000 lines: nhops == OT_MAX_RECEIVED");
    is_int(res.received_total, 1000, "1000 lines: received_total == 1000");
    ok(fired(&res, "RCVD_TOO_MANY"), "1000 lines: RCVD_TOO_MANY");
    {
        const ot_fired *f = fired_entry(&res, "RCVD_TOO_MANY");
        ok(f != NULL && strstr(f->hit.detail, "1000") != NULL, "RCVD_TOO_MANY detail gives the count");
    }
    ok(strlen(res.header) < OT_HEADER_SIZE && printable(res.header), "1000 lines: header bounded");
    ok(res.boundary >= 0 && res.boundary <= (int)res.nhops, "1000 lines: boundary in range");
    ot_message_free(&msg);

    /* MaxReceived exactly: 40 lines do not fire, 41 do */
    for (size_t count = 40; count <= 41; count++) {
        ot_message_init(&msg);
        for (size_t i = 0; i < count; i++)
            memcpy(text + i * (sizeof line - 1), line, sizeof line - 1);
        memcpy(text + count * (sizeof line - 1), tail, sizeof tail);
        ot_message_read_header(&msg, text, count * (sizeof line - 1) + sizeof tail - 1);
        ot_analyze(&cfg, NULL, &msg, NULL, NOW, &res);
        is_int(fired(&res, "RCVD_TOO_MANY"), count > 40, "%zu lines, MaxReceived 40: RCVD_TOO_MANY %s", count,
               count > 40 ? "fires" : "quiet");
        ot_message_free(&msg);
    }
    ot_config_free(&cfg);
    free(text);
}

/* An empty message and a message of nothing but junk still give a result. */
static void test_degenerate(void)
{
    static ot_result res;
    static const char *const texts[] = {
        "",
        "\n",
        "no colon here\n\nbody",
        "Received: \n\n",
        "Received: ((((((((((((((((((((((((((((((((((\n\n",
        "Received: from\n\n",
        "Received: by\n\n",
        "Received: ;\n\n",
    };
    ot_config cfg;

    base_config(&cfg, NULL);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        analyse_text(&cfg, &(sess_spec)NOSESS, texts[i], strlen(texts[i]), NULL, &res);
        ok(printable(res.header) && strncmp(res.header, "score=", 6) == 0, "degenerate %zu: a header (%s)", i,
           res.header);
        ok(!res.handoff.present, "degenerate %zu: no handoff", i);
    }
    /* NULL session and evidence are allowed */
    {
        ot_message msg;
        ot_message_init(&msg);
        ot_analyze(&cfg, NULL, &msg, NULL, 0, &res);
        is_str(ot_path_name(res.path), "unknown", "no fields at all: path unknown");
        ok(fired(&res, "DATE_MISSING") && fired(&res, "MSGID_MISSING"), "no fields: Date and Message-ID missing");
        ot_message_free(&msg);
    }
    ot_config_free(&cfg);
}

/* Reusing one result for the next message gives what a fresh one gives. */
static void test_reuse(void)
{
    static ot_result fresh, reused;
    ot_config cfg;

    base_config(&cfg, NULL);
    analyse_text(&cfg, &(sess_spec)NOSESS, zombie_msg, strlen(zombie_msg), NULL, &reused);
    analyse_text(&cfg, &(sess_spec)NOSESS, internal_msg, strlen(internal_msg), NULL, &reused);
    memset(&fresh, 0x5a, sizeof fresh);
    analyse_text(&cfg, &(sess_spec)NOSESS, internal_msg, strlen(internal_msg), NULL, &fresh);
    is_str(reused.header, fresh.header, "reused result: same header");
    is_int(reused.nfired, fresh.nfired, "reused result: same signals");
    is_int(reused.path, fresh.path, "reused result: same path");
    is_int(reused.handoff.present, fresh.handoff.present, "reused result: same handoff");
    is_int(reused.origin.present, fresh.origin.present, "reused result: same origin");
    is_int(reused.origin_hop, fresh.origin_hop, "reused result: same origin hop");
    ok(memcmp(reused.trust, fresh.trust, sizeof fresh.trust[0] * fresh.nhops) == 0 &&
       memcmp(reused.breaks, fresh.breaks, sizeof fresh.breaks) == 0, "reused result: same trust and breaks");
    ot_config_free(&cfg);
}

/* The names the JSON and the header print. */
static void test_names(void)
{
    static const struct { enum ot_path p; const char *name; } paths[] = {
        { OT_PATH_UNKNOWN, "unknown" }, { OT_PATH_DIRECT_TO_MX, "direct-to-mx" }, { OT_PATH_RELAY, "relay" },
        { OT_PATH_OPEN_RELAY, "open-relay" }, { OT_PATH_WEBFORM, "webform" },
        { OT_PATH_SUBMISSION, "submission" }, { OT_PATH_INTERNAL, "internal" },
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        is_str(ot_path_name(paths[i].p), paths[i].name, "path name %zu", i);
    is_str(ot_path_name((enum ot_path)42), "unknown", "out-of-range path is unknown");
    is_str(ot_action_name(OT_ACTION_ACCEPT), "accept", "action accept");
    is_str(ot_action_name(OT_ACTION_QUARANTINE), "quarantine", "action quarantine");
    is_str(ot_action_name(OT_ACTION_REJECT), "reject", "action reject");
    is_str(ot_trust_name(OT_TRUST_TRUSTED), "trusted", "trust trusted");
    is_str(ot_trust_name(OT_TRUST_UNTRUSTED), "untrusted", "trust untrusted");
    is_str(ot_trust_name(OT_TRUST_UNPARSED), "unparsed", "trust unparsed");
}

/* The spf=, dkim= and incomplete= tokens: each only when it applies, in
 * that order, cut like snprintf to the buffer (the return value is what
 * was written), bytes outside a check name shown as '?'. */
static void test_evidence_tokens(void)
{
    static const struct {
        enum ot_spf_result spf;
        int dkim;            /* -1 not checked, 0 none, 1 pass, 2 fail */
        const char *incomplete;
        size_t outsize;
        const char *want;
    } rows[] = {
        { OT_SPF_NONE_CHECKED, -1, "", 64, "" },
        { OT_SPF_PASS, -1, "", 64, " spf=pass" },
        { OT_SPF_SOFTFAIL, 0, "", 64, " spf=softfail dkim=none" },
        { OT_SPF_NONE_CHECKED, 1, "", 64, " dkim=pass" },
        { OT_SPF_NONE_CHECKED, 2, "", 64, " dkim=fail" },
        { OT_SPF_TEMPERROR, 1, "ptr,dnsbl", 64, " spf=temperror dkim=pass incomplete=ptr,dnsbl" },
        { OT_SPF_NONE_CHECKED, -1, "helo", 64, " incomplete=helo" },
        { OT_SPF_NONE_CHECKED, -1, "Ptr;x", 64, " incomplete=?tr?x" },
        { OT_SPF_PERMERROR, 1, "spf", 1, "" },
        { OT_SPF_PERMERROR, 1, "spf", 2, " " },
        { OT_SPF_PERMERROR, 1, "spf", 15, " spf=permerror" },
        { OT_SPF_PERMERROR, 1, "spf", 16, " spf=permerror " },
        { OT_SPF_PERMERROR, 1, "spf", 25, " spf=permerror dkim=pass" },
        { OT_SPF_PERMERROR, 1, "spf", 26, " spf=permerror dkim=pass " },
        { OT_SPF_PERMERROR, 1, "spf", 39, " spf=permerror dkim=pass incomplete=sp" },
        { OT_SPF_PERMERROR, 1, "spf", 40, " spf=permerror dkim=pass incomplete=spf" },
    };
    char out[64];

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ot_evidence ev;
        ot_evidence_init(&ev);
        ev.spf = rows[i].spf;
        if (rows[i].dkim >= 0) {
            ev.dkim_checked = true;
            if (rows[i].dkim > 0) {
                ev.ndkim = 1;
                ev.dkim[0].pass = rows[i].dkim == 1;
            }
        }
        snprintf(ev.incomplete, sizeof ev.incomplete, "%s", rows[i].incomplete);
        memset(out, 'X', sizeof out);
        size_t n = ot_evidence_tokens(&ev, out, rows[i].outsize);
        is_str(out, rows[i].want, "evidence tokens row %zu", i);
        is_int(n, strlen(rows[i].want), "evidence tokens row %zu: length returned", i);
    }
    {
        ot_evidence ev;
        ot_evidence_init(&ev);
        ev.spf = OT_SPF_PASS;
        out[0] = 'X';
        ok(ot_evidence_tokens(&ev, out, 0) == 0 && out[0] == 'X', "no room: nothing written");
    }
}

int main(void)
{
    test_names();
    test_evidence_tokens();
    test_scenarios();
    test_zombie_details();
    test_inserted_details();
    test_trust_walk();
    test_header_evidence();
    test_hostile_helo();
    test_hostile_helo_in_our_line();
    test_many_received();
    test_degenerate();
    test_reuse();
    return tap_done();
}
