/*
 * test_daemon.c - the daemon's pure parts: socket specs, exemptions,
 * verdicts, session facts from connect data and macros, header folding
 * and the per-message log line. libmilter itself is exercised by
 * tests/milter.sh through miltertest.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config.h"
#include "facts.h"
#include "header_fold.h"
#include "evidence.h"
#include "logline.h"
#include "sanitize.h"
#include "socket_spec.h"
#include "tap.h"
#include "verdict.h"

/* ---- socket specs ---------------------------------------------------------- */
struct spec_case {
    const char *text;
    bool valid;
    enum ot_socket_kind kind;
    const char *path;
    unsigned port;
};

static const struct spec_case spec_cases[] = {
    { "unix:/run/origin-trace/milter.sock", true, OT_SOCKET_UNIX, "/run/origin-trace/milter.sock", 0 },
    { "local:/tmp/x.sock", true, OT_SOCKET_UNIX, "/tmp/x.sock", 0 },
    { "/var/run/m.sock", true, OT_SOCKET_UNIX, "/var/run/m.sock", 0 },
    { "UNIX:/a", true, OT_SOCKET_UNIX, "/a", 0 },
    { "inet:8891@127.0.0.1", true, OT_SOCKET_INET, "", 8891 },
    { "inet:8891@localhost", true, OT_SOCKET_INET, "", 8891 },
    { "inet:8891", true, OT_SOCKET_INET, "", 8891 },
    { "inet6:8891@[::1]", true, OT_SOCKET_INET6, "", 8891 },
    { "inet6:8891@::1", true, OT_SOCKET_INET6, "", 8891 },
    { "inet:65535@127.0.0.1", true, OT_SOCKET_INET, "", 65535 },
    { "inet:0@127.0.0.1", false, 0, NULL, 0 },
    { "inet:65536@127.0.0.1", false, 0, NULL, 0 },
    { "inet:port@127.0.0.1", false, 0, NULL, 0 },
    { "inet:@127.0.0.1", false, 0, NULL, 0 },
    { "inet:25@", false, 0, NULL, 0 },
    { "inet:25@host name", false, 0, NULL, 0 },
    { "unix:relative/path", false, 0, NULL, 0 },
    { "unix:", false, 0, NULL, 0 },
    { "unix:/dir/", false, 0, NULL, 0 },
    { "tcp:25", false, 0, NULL, 0 },
    { "", false, 0, NULL, 0 },
    { "unix:/tmp/a\nb", false, 0, NULL, 0 },
    { "unix:/tmp/a b", false, 0, NULL, 0 },
};

static void test_socket_specs(void)
{
    char longpath[200];
    ot_socket_spec spec;
    char err[128];

    for (size_t i = 0; i < sizeof spec_cases / sizeof spec_cases[0]; i++) {
        const struct spec_case *c = &spec_cases[i];
        bool got = ot_socket_spec_parse(c->text, &spec, err, sizeof err);
        char shown[64];
        /* a TAP line must stay one line */
        ot_sanitize(shown, sizeof shown, c->text, strlen(c->text));
        is_int(got, c->valid, "socket spec '%s' %s", shown, c->valid ? "accepted" : "refused");
        if (!c->valid) {
            ok(err[0] != '\0', "socket spec '%s' refusal has a reason", shown);
            continue;
        }
        is_int(spec.kind, c->kind, "socket spec '%s' kind", shown);
        is_str(spec.unix_path, c->path, "socket spec '%s' path", shown);
        is_int(spec.port, c->port, "socket spec '%s' port", shown);
    }
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    ok(!ot_socket_spec_parse(longpath, &spec, err, sizeof err), "unix path longer than sun_path refused");
    ok(!ot_socket_spec_parse(NULL, &spec, err, sizeof err), "NULL spec refused");
}

/* ---- exempt recipients ------------------------------------------------------ */
struct rcpt_case {
    const char *rcpt;
    bool exempt;
};

static const struct rcpt_case rcpt_cases[] = {
    { "postmaster@example.org", true },
    { "PostMaster@Example.ORG", true },
    { "postmaster", true },                  /* RFC 5321 allows the bare form */
    { "abuse@example.net", true },
    { "abuse", true },
    { "postmasters@example.org", false },
    { "xpostmaster@example.org", false },
    { "abuse.team@example.net", false },
    { "ceo@corp.example", true },            /* full address entry */
    { "CEO@CORP.EXAMPLE", true },
    { "ceo@corp.example.evil", false },
    { "anyone@helpdesk.example", true },     /* "@domain" entry */
    { "anyone@sub.helpdesk.example", false },
    { "helpdesk.example", false },
    { "", false },
    { "user@example.org", false },
};

static void test_exempt_recipients(void)
{
    char *items[] = { "postmaster@", "abuse@", "ceo@corp.example", "@helpdesk.example" };
    ot_name_list list = { items, 4, false };
    ot_name_list empty = { NULL, 0, false };

    for (size_t i = 0; i < sizeof rcpt_cases / sizeof rcpt_cases[0]; i++)
        is_int(ot_recipient_is_exempt(&list, rcpt_cases[i].rcpt), rcpt_cases[i].exempt,
               "recipient '%s' %s", rcpt_cases[i].rcpt, rcpt_cases[i].exempt ? "exempt" : "not exempt");
    ok(!ot_recipient_is_exempt(&empty, "postmaster@example.org"), "empty list exempts nobody");
    ok(!ot_recipient_is_exempt(&list, NULL), "NULL recipient is not exempt");
}

/* ---- verdicts ------------------------------------------------------------------ */
struct verdict_case {
    const char *name;
    enum ot_mode mode;
    bool rcpt_exempt, client_exempt, authenticated, exempt_auth, rcpt_known;
    double score;
    enum ot_action scored, action;
    const char *why;
};

static const struct verdict_case verdict_cases[] = {
    { "clean", OT_MODE_ENFORCE, false, false, false, true, true, 1.0, OT_ACTION_ACCEPT, OT_ACTION_ACCEPT, NULL },
    { "at quarantine", OT_MODE_ENFORCE, false, false, false, true, true, 6.0, OT_ACTION_QUARANTINE, OT_ACTION_QUARANTINE, NULL },
    { "just below quarantine", OT_MODE_ENFORCE, false, false, false, true, true, 5.9, OT_ACTION_ACCEPT, OT_ACTION_ACCEPT, NULL },
    { "at reject", OT_MODE_ENFORCE, false, false, false, true, true, 10.0, OT_ACTION_REJECT, OT_ACTION_REJECT, NULL },
    { "far above reject", OT_MODE_ENFORCE, false, false, false, true, true, 99.0, OT_ACTION_REJECT, OT_ACTION_REJECT, NULL },
    { "monitor reject", OT_MODE_MONITOR, false, false, false, true, true, 12.0, OT_ACTION_REJECT, OT_ACTION_ACCEPT, "monitor" },
    { "monitor quarantine", OT_MODE_MONITOR, false, false, false, true, true, 7.0, OT_ACTION_QUARANTINE, OT_ACTION_ACCEPT, "monitor" },
    { "postmaster", OT_MODE_ENFORCE, true, false, false, true, true, 12.0, OT_ACTION_REJECT, OT_ACTION_ACCEPT, "exempt-recipient" },
    { "exempt client", OT_MODE_ENFORCE, false, true, false, true, true, 12.0, OT_ACTION_REJECT, OT_ACTION_ACCEPT, "exempt-client" },
    { "authenticated", OT_MODE_ENFORCE, false, false, true, true, true, 12.0, OT_ACTION_REJECT, OT_ACTION_ACCEPT, "exempt-authenticated" },
    { "authenticated, not exempted", OT_MODE_ENFORCE, false, false, true, false, true, 12.0, OT_ACTION_REJECT, OT_ACTION_REJECT, NULL },
    { "no recipient known", OT_MODE_ENFORCE, false, false, false, true, false, 12.0, OT_ACTION_REJECT, OT_ACTION_ACCEPT, "no-recipient" },
    { "no recipient, quarantine", OT_MODE_ENFORCE, false, false, false, true, false, 7.0, OT_ACTION_QUARANTINE, OT_ACTION_QUARANTINE, NULL },
    { "negative score", OT_MODE_ENFORCE, false, false, false, true, true, -3.0, OT_ACTION_ACCEPT, OT_ACTION_ACCEPT, NULL },
};

static void test_verdicts(void)
{
    ot_config cfg;
    ot_config_init(&cfg);
    cfg.reject_score = 10.0;
    cfg.quarantine_score = 6.0;

    for (size_t i = 0; i < sizeof verdict_cases / sizeof verdict_cases[0]; i++) {
        const struct verdict_case *c = &verdict_cases[i];
        ot_verdict_facts f = { c->rcpt_exempt, c->client_exempt, c->authenticated, c->rcpt_known };
        ot_verdict v;
        cfg.mode = c->mode;
        cfg.exempt_authenticated = c->exempt_auth;
        ot_verdict_decide(&cfg, &f, c->score, &v);
        is_int(v.scored, c->scored, "verdict %s: scored", c->name);
        is_int(v.action, c->action, "verdict %s: action", c->name);
        is_str(v.why, c->why, "verdict %s: why", c->name);
        is_double(v.score, c->score, "verdict %s: score kept", c->name);
    }
    ot_config_free(&cfg);
}

static void test_client_facts(void)
{
    ot_config cfg;
    ot_session s;
    ot_cidr cidr;
    ot_verdict_facts f;

    ot_config_init(&cfg);
    ok(ot_cidr_parse("192.0.2.0/24", strlen("192.0.2.0/24"), &cidr), "CIDR for ExemptClients parses");
    ot_cidr_list_add(&cfg.exempt_clients, &cidr);
    ot_session_init(&s);
    ot_addr_parse("192.0.2.77", strlen("192.0.2.77"), &s.client_addr);
    memset(&f, 0, sizeof f);
    ot_verdict_client_facts(&cfg, &s, &f);
    ok(f.client_exempt, "client inside ExemptClients is exempt");
    ok(!f.authenticated, "no auth user: not authenticated");
    ot_addr_parse("198.51.100.1", strlen("198.51.100.1"), &s.client_addr);
    strcpy(s.auth_user, "alice");
    ot_verdict_client_facts(&cfg, &s, &f);
    ok(!f.client_exempt, "client outside ExemptClients is not exempt");
    ok(f.authenticated, "auth user: authenticated");
    memset(&s.client_addr, 0, sizeof s.client_addr);
    ot_verdict_client_facts(&cfg, &s, &f);
    ok(!f.client_exempt, "unknown client address is never exempt");
    ot_config_free(&cfg);
}

/* ---- facts from connect data and macros ------------------------------------ */
typedef struct macro_table {
    const char *pairs[12];   /* name, value, ..., NULL */
} macro_table;

static const char *table_macro(void *arg, const char *name)
{
    const macro_table *t = arg;
    for (size_t i = 0; t != NULL && t->pairs[i] != NULL; i += 2)
        if (strcmp(t->pairs[i], name) == 0)
            return t->pairs[i + 1];
    return NULL;
}

struct resolve_case {
    const char *name;
    const char *hostname;
    macro_table macros;
    bool rdns_known;
    const char *rdns;
    enum ot_resolve resolve;
};

static const struct resolve_case resolve_cases[] = {
    { "postfix verified", "mx.example.net",
      { { "{client_name}", "mx.example.net", "{client_ptr}", "mx.example.net", NULL } },
      true, "mx.example.net", OT_RESOLVE_OK },
    { "postfix ptr not confirmed", "unknown",
      { { "{client_name}", "unknown", "{client_ptr}", "dsl-1-2.isp.example", NULL } },
      true, "dsl-1-2.isp.example", OT_RESOLVE_FORGED },
    { "postfix no ptr (or no lookup): no verdict", "unknown",
      { { "{client_name}", "unknown", "{client_ptr}", "unknown", NULL } },
      true, "", OT_RESOLVE_UNKNOWN },
    { "postfix name only", "unknown", { { "{client_name}", "unknown", NULL } },
      true, "", OT_RESOLVE_UNKNOWN },
    { "sendmail OK", "relay.example.com",
      { { "{client_resolve}", "OK", "{client_name}", "relay.example.com", "{client_ptr}", "relay.example.com", NULL } },
      true, "relay.example.com", OT_RESOLVE_OK },
    { "sendmail FORGED", "[192.0.2.9]",
      { { "{client_resolve}", "FORGED", "{client_name}", "[192.0.2.9]", "{client_ptr}", "fake.example", NULL } },
      true, "fake.example", OT_RESOLVE_FORGED },
    { "sendmail FAIL", "[192.0.2.9]",
      { { "{client_resolve}", "FAIL", "{client_name}", "[192.0.2.9]", NULL } },
      true, "", OT_RESOLVE_FAIL },
    { "sendmail TEMP", "[192.0.2.9]",
      { { "{client_resolve}", "TEMP", "{client_name}", "[192.0.2.9]", NULL } },
      true, "", OT_RESOLVE_TEMP },
    { "no macros, named host", "host.example.org", { { NULL } }, true, "host.example.org", OT_RESOLVE_UNKNOWN },
    { "no macros, postfix unknown", "unknown", { { NULL } }, true, "", OT_RESOLVE_UNKNOWN },
    { "no macros, sendmail literal", "[192.0.2.9]", { { NULL } }, true, "", OT_RESOLVE_UNKNOWN },
    { "no macros, no hostname", NULL, { { NULL } }, false, "", OT_RESOLVE_UNKNOWN },
    { "empty macro values", "x", { { "{client_name}", "", "{client_ptr}", "", NULL } },
      true, "x", OT_RESOLVE_UNKNOWN },
};

static void test_resolution(void)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, "192.0.2.9", &sin.sin_addr);

    for (size_t i = 0; i < sizeof resolve_cases / sizeof resolve_cases[0]; i++) {
        const struct resolve_case *c = &resolve_cases[i];
        ot_session s;
        ot_session_init(&s);
        ot_facts_connect(&s, c->hostname, (const struct sockaddr *)&sin, sizeof sin, table_macro,
                         (void *)&c->macros);
        is_int(s.client_rdns_known, c->rdns_known, "resolution %s: known", c->name);
        is_str(s.client_rdns, c->rdns, "resolution %s: name", c->name);
        is_int(s.client_resolve, c->resolve, "resolution %s: status", c->name);
    }
}

static void test_addresses(void)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr_un sun;
    ot_session s;
    char text[OT_IPTEXT_SIZE];

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, "203.0.113.9", &sin.sin_addr);
    ot_session_init(&s);
    ot_facts_connect(&s, "x", (const struct sockaddr *)&sin, sizeof sin, NULL, NULL);
    is_int(s.client_addr.family, 4, "IPv4 client: family 4");
    is_str(ot_addr_format(&s.client_addr, text, sizeof text), "203.0.113.9", "IPv4 client: address");
    ok(!s.client_is_local, "IPv4 client: not local");
    ok(s.present, "session marked present");

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "2001:db8::25", &sin6.sin6_addr);
    ot_session_init(&s);
    ot_facts_connect(&s, "x", (const struct sockaddr *)&sin6, sizeof sin6, NULL, NULL);
    is_int(s.client_addr.family, 6, "IPv6 client: family 6");
    is_str(ot_addr_format(&s.client_addr, text, sizeof text), "2001:db8::25", "IPv6 client: address");

    inet_pton(AF_INET6, "::ffff:198.51.100.7", &sin6.sin6_addr);
    ot_session_init(&s);
    ot_facts_connect(&s, "x", (const struct sockaddr *)&sin6, sizeof sin6, NULL, NULL);
    is_int(s.client_addr.family, 4, "IPv4-mapped client: family 4");
    is_str(ot_addr_format(&s.client_addr, text, sizeof text), "198.51.100.7", "IPv4-mapped client: printed as IPv4");

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    ot_session_init(&s);
    ot_facts_connect(&s, "localhost", (const struct sockaddr *)&sun, sizeof sun, NULL, NULL);
    ok(s.client_is_local, "unix-socket client: local");
    is_int(s.client_addr.family, 0, "unix-socket client: no address");
    ok(!s.client_rdns_known, "unix-socket client: no name judged");

    ot_session_init(&s);
    ot_facts_connect(&s, "localhost", NULL, 0, NULL, NULL);
    ok(s.client_is_local, "no peer address: local");

    sin.sin_family = AF_APPLETALK;
    ot_session_init(&s);
    ot_facts_connect(&s, "x", (const struct sockaddr *)&sin, sizeof sin, NULL, NULL);
    ok(!s.client_is_local && s.client_addr.family == 0, "unknown family: neither local nor an address");
}

static void test_envelope(void)
{
    ot_session s;
    char rcpt[OT_ADDR_SIZE];
    const char *from[] = { "<alice@example.org>", "SIZE=100", NULL };
    const char *to[] = { "<Postmaster@example.net>", "NOTIFY=NEVER", NULL };
    const char *bare[] = { NULL };
    macro_table m = { { "{auth_authen}", "alice", "i", "4XyZ12", NULL } };
    macro_table hostile = { { "i", "Q1 D\nX-Evil: 1", NULL } };
    char big[20000];

    ot_session_init(&s);
    ot_facts_mail(&s, from, table_macro, &m);
    ok(s.mail_from_seen, "MAIL FROM seen");
    is_str(s.mail_from, "alice@example.org", "MAIL FROM stripped of <> and parameters");
    is_str(s.auth_user, "alice", "{auth_authen} becomes the authenticated user");
    is_str(s.queue_id, "4XyZ12", "{i} read at MAIL");
    ot_facts_rcpt(&s, to, rcpt, sizeof rcpt);
    is_str(rcpt, "Postmaster@example.net", "RCPT stripped for exemption checks");
    is_int(s.nrcpt, 1, "one recipient stored");
    ot_facts_rcpt(&s, bare, rcpt, sizeof rcpt);
    is_int(s.rcpt_total, 2, "a recipient with no argument still counts");

    ot_session_init(&s);
    ot_facts_queue_id(&s, table_macro, &hostile);
    ok(strchr(s.queue_id, '\n') == NULL && strchr(s.queue_id, ' ') == NULL,
       "hostile queue id sanitized to one token (%s)", s.queue_id);
    ot_facts_queue_id(&s, table_macro, &m);
    ok(strcmp(s.queue_id, "4XyZ12") != 0, "queue id, once known, is kept");

    memset(big, 'h', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ot_session_init(&s);
    ot_facts_helo(&s, big);
    ok(s.helo_seen, "10 KB HELO seen");
    ok(s.helo_overlong, "10 KB HELO marked overlong");
    ok(strlen(s.helo) < OT_HOST_SIZE, "10 KB HELO stored bounded");
    ot_facts_helo(&s, NULL);
    ok(s.helo_seen, "NULL HELO ignored");
}

/* ---- header folding ---------------------------------------------------------- */
static void test_fold(void)
{
    char out[2048];
    char unfolded[2048];
    const char *value = "score=7.5 action=reject path=open-relay origin=203.0.113.9 "
                        "handoff=198.51.100.7 signals=HELO_BARE_IP,CHAIN_BREAK,RCVD_PRIVATE_IP,"
                        "DATE_MISSING,MSGID_MISSING spf=none dkim=none";
    size_t len = ot_header_fold(out, sizeof out, value, strlen("X-Origin-Trace"));
    size_t col = strlen("X-Origin-Trace") + 2, max_col = 0, u = 0;

    is_int(len, strlen(out), "fold returns the length written");
    for (size_t i = 0; i < len; i++) {
        if (out[i] == '\n') {
            ok(out[i + 1] == '\t', "every fold continues with a tab");
            if (col > max_col)
                max_col = col;
            col = 0;
            continue;
        }
        col++;
        unfolded[u++] = out[i] == '\t' ? ' ' : out[i];
    }
    if (col > max_col)
        max_col = col;
    unfolded[u] = '\0';
    ok(max_col <= 78, "no folded line longer than 78 (%zu)", max_col);
    is_str(unfolded, value, "unfolding gives the value back");

    ot_header_fold(out, sizeof out, "score=1\r\nX-Injected: yes\x01\xff", 14);
    ok(strchr(out, '\r') == NULL && strstr(out, "\nX-") == NULL, "CR/LF in a value cannot start a field");
    ok(strchr(out, '\x01') == NULL && strchr(out, '\xff') == NULL, "control and 8-bit bytes replaced");

    ot_header_fold(out, sizeof out, "   ", 14);
    is_str(out, "", "blank value folds to nothing");
    ot_header_fold(out, 8, "score=1.0 action=accept", 14);
    ok(strlen(out) < 8, "small output buffer never overrun");
    ot_header_fold(out, sizeof out, "a  b", 14);
    is_str(out, "a b", "runs of spaces collapse at token boundaries");
}

struct reply_case {
    const char *text;
    const char *want;
};

static const struct reply_case reply_cases[] = {
    { "Message rejected: forged origin", "Message rejected: forged origin" },
    { "100% sure", "100 sure" },                        /* no '%' reaches libmilter */
    { "%s%n%%", "sn" },
    { "two\r\nlines", "two??lines" },                   /* never a second reply line */
    { "  padded   text  ", "padded text" },
    { "tab\there", "tab?here" },
    { "", "fallback text" },
    { "%%%", "fallback text" },
    { "   ", "fallback text" },
};

static void test_reply_text(void)
{
    char out[300];
    for (size_t i = 0; i < sizeof reply_cases / sizeof reply_cases[0]; i++) {
        ot_reply_text(out, sizeof out, reply_cases[i].text, "fallback text");
        is_str(out, reply_cases[i].want, "reply text case %zu", i);
    }
    ot_reply_text(out, 6, "a long reply text", NULL);
    is_str(out, "a lon", "reply text cut at the buffer");
    ot_reply_text(out, sizeof out, NULL, NULL);
    is_str(out, "", "no text and no fallback: empty");
}

/* ---- the log line ---------------------------------------------------------- */
static void test_logline(void)
{
    char line[2048];
    ot_session s;
    ot_result *res = calloc(1, sizeof *res);
    ot_verdict v;

    ot_session_init(&s);
    strcpy(s.queue_id, "4XyZ12");
    ot_session_set_helo(&s, "evil host\r\nX-Fake: 1 action=accept", 34);
    s.helo_seen = true;
    ot_addr_parse("192.0.2.9", 9, &s.client_addr);

    memset(&v, 0, sizeof v);
    v.score = 12.5;
    v.scored = OT_ACTION_REJECT;
    v.action = OT_ACTION_ACCEPT;
    v.why = "monitor";
    res->path = OT_PATH_DIRECT_TO_MX;
    res->origin.present = true;
    strcpy(res->origin.ip, "203.0.113.9");
    res->handoff.present = true;
    strcpy(res->handoff.ip, "192.0.2.9");
    res->nfired = 2;
    res->fired[0].id = OT_SIG_HELO_BARE_IP;
    res->fired[1].id = OT_SIG_CHAIN_BREAK;

    ot_logline_format(line, sizeof line, &s, res, NULL, &v, NULL);
    ok(strstr(line, "spf=") == NULL && strstr(line, "dkim=") == NULL, "no lookups: no spf= or dkim=");
    ok(strncmp(line, "queue=4XyZ12 score=12.5 action=accept ", 38) == 0, "line starts with queue, score, action: %s", line);
    ok(strstr(line, " path=") != NULL, "line has the path");
    ok(strstr(line, " origin=203.0.113.9") != NULL, "line has the origin");
    ok(strstr(line, " handoff=192.0.2.9") != NULL, "line has the handoff");
    ok(strstr(line, " signals=HELO_BARE_IP,CHAIN_BREAK") != NULL, "line has the signals");
    ok(strstr(line, " client=192.0.2.9") != NULL, "line has the client");
    ok(strstr(line, " why=monitor scored=reject") != NULL, "line says why the action differs");
    ok(strchr(line, '\n') == NULL && strchr(line, '\r') == NULL, "hostile HELO adds no line break");
    ok(strstr(strstr(line, "action=") + 1, "action=") == NULL, "hostile HELO cannot add an action token");

    s.queue_id[0] = '\0';
    v.why = NULL;
    v.action = OT_ACTION_ACCEPT;
    {
        ot_evidence ev;
        ot_evidence_init(&ev);
        ev.spf = OT_SPF_SOFTFAIL;
        ev.dkim_checked = true;
        ev.ndkim = 2;
        ev.dkim[0].pass = false;
        ev.dkim[1].pass = true;
        strcpy(ev.incomplete, "ptr,dnsbl");
        ot_logline_format(line, sizeof line, &s, res, &ev, &v, NULL);
        ok(strstr(line, " spf=softfail dkim=pass incomplete=ptr,dnsbl ") != NULL,
           "lookups: spf=, dkim= (any pass) and incomplete= as in the header: %s", line);
        ev.dkim[1].pass = false;
        ev.spf = OT_SPF_NONE_CHECKED;
        ev.incomplete[0] = '\0';
        ot_logline_format(line, sizeof line, &s, res, &ev, &v, NULL);
        ok(strstr(line, " dkim=fail ") != NULL && strstr(line, "spf=") == NULL,
           "every signature failed: dkim=fail; SPF not run: no spf=");
        ev.ndkim = 0;
        ot_logline_format(line, sizeof line, &s, res, &ev, &v, NULL);
        ok(strstr(line, " dkim=none ") != NULL, "checked, no signature: dkim=none");
    }
    ot_logline_format(line, sizeof line, &s, NULL, NULL, &v, "out-of-memory-for-analysis");
    ok(strncmp(line, "queue=- score=- action=accept", 29) == 0, "failed analysis line: %s", line);
    ok(strstr(line, "error=out-of-memory-for-analysis") != NULL, "failed analysis names the error");

    ot_logline_format(line, 16, &s, res, NULL, &v, NULL);
    ok(strlen(line) < 16, "small buffer never overrun");
    free(res);
}

int main(void)
{
    test_socket_specs();
    test_exempt_recipients();
    test_verdicts();
    test_client_facts();
    test_resolution();
    test_addresses();
    test_envelope();
    test_fold();
    test_reply_text();
    test_logline();
    return tap_done();
}
