/*
 * test_config.c - pins the configuration keys (core/config.c) and the
 * file side of configuration (common/config_load.c).
 *
 * Every key of the key table has rows below: good values and what they
 * store, bad values and that they are refused with a reason. A key added
 * to the table without rows here makes the coverage check fail. The file
 * tests write small configurations into a mkdtemp directory and remove
 * them afterwards; nothing outside that directory is touched.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_load.h"
#include "tap.h"

/* ---- rendering a key's current value as text, so rows can compare ---- */

static void join_names(const ot_name_list *l, char *out, size_t outsize)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->count && used + 1 < outsize; i++) {
        int n = snprintf(out + used, outsize - used, "%s%s", i > 0 ? "," : "", l->items[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void join_cidrs(const ot_cidr_list *l, char *out, size_t outsize)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->count && used + 1 < outsize; i++) {
        char ip[OT_IPTEXT_SIZE];
        int n = snprintf(out + used, outsize - used, "%s%s/%u", i > 0 ? "," : "",
                         ot_addr_format(&l->items[i].addr, ip, sizeof ip), l->items[i].prefix);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

/* The value a key holds now, as text; "?" for keys without a single value. */
static void render_key(const ot_config *c, const char *key, char *out, size_t outsize)
{
    snprintf(out, outsize, "?");
    if (strcasecmp(key, "TrustedRelays") == 0)
        join_cidrs(&c->trusted, out, outsize);
    else if (strcasecmp(key, "LocalHostnames") == 0)
        join_names(&c->local_hostnames, out, outsize);
    else if (strcasecmp(key, "Mode") == 0)
        snprintf(out, outsize, "%s", c->mode == OT_MODE_MONITOR ? "monitor" : "enforce");
    else if (strcasecmp(key, "RejectScore") == 0)
        snprintf(out, outsize, "%g", c->reject_score);
    else if (strcasecmp(key, "QuarantineScore") == 0)
        snprintf(out, outsize, "%g", c->quarantine_score);
    else if (strcasecmp(key, "HeaderName") == 0)
        snprintf(out, outsize, "%s", c->header_name);
    else if (strcasecmp(key, "HeaderPosition") == 0)
        snprintf(out, outsize, "%s", c->header_position == OT_HEADER_BOTTOM ? "bottom" : "top");
    else if (strcasecmp(key, "DynamicPatterns") == 0)
        join_names(&c->dynamic_patterns, out, outsize);
    else if (strcasecmp(key, "MaxReceived") == 0)
        snprintf(out, outsize, "%u", c->max_received);
    else if (strcasecmp(key, "DateSkewHours") == 0)
        snprintf(out, outsize, "%u", c->date_skew_hours);
    else if (strcasecmp(key, "ClockSkewMinutes") == 0)
        snprintf(out, outsize, "%u", c->future_minutes);
    else if (strcasecmp(key, "DNS") == 0)
        snprintf(out, outsize, "%s", yes_no(c->dns));
    else if (strcasecmp(key, "Nameservers") == 0)
        join_names(&c->nameservers, out, outsize);
    else if (strcasecmp(key, "DNSTimeout") == 0)
        snprintf(out, outsize, "%u", c->dns_timeout);
    else if (strcasecmp(key, "DNSBLZones") == 0)
        join_names(&c->dnsbl_zones, out, outsize);
    else if (strcasecmp(key, "SPF") == 0)
        snprintf(out, outsize, "%s", yes_no(c->spf));
    else if (strcasecmp(key, "DKIM") == 0)
        snprintf(out, outsize, "%s", yes_no(c->dkim));
    else if (strcasecmp(key, "OnDNSError") == 0)
        snprintf(out, outsize, "%s", c->on_dns_error == OT_ON_ERROR_TEMPFAIL ? "tempfail" : "accept");
    else if (strcasecmp(key, "Socket") == 0)
        snprintf(out, outsize, "%s", c->socket);
    else if (strcasecmp(key, "UserID") == 0)
        snprintf(out, outsize, "%s", c->user_id);
    else if (strcasecmp(key, "PidFile") == 0)
        snprintf(out, outsize, "%s", c->pid_file);
    else if (strcasecmp(key, "Umask") == 0)
        snprintf(out, outsize, "%03o", c->umask_value);
    else if (strcasecmp(key, "Syslog") == 0)
        snprintf(out, outsize, "%s", yes_no(c->syslog));
    else if (strcasecmp(key, "SyslogFacility") == 0)
        snprintf(out, outsize, "%s", c->syslog_facility);
    else if (strcasecmp(key, "LogLevel") == 0)
        snprintf(out, outsize, "%d", c->log_level);
    else if (strcasecmp(key, "OnError") == 0)
        snprintf(out, outsize, "%s", c->on_error == OT_ON_ERROR_TEMPFAIL ? "tempfail" : "accept");
    else if (strcasecmp(key, "ExemptRecipients") == 0)
        join_names(&c->exempt_recipients, out, outsize);
    else if (strcasecmp(key, "ExemptClients") == 0)
        join_cidrs(&c->exempt_clients, out, outsize);
    else if (strcasecmp(key, "ExemptAuthenticated") == 0)
        snprintf(out, outsize, "%s", yes_no(c->exempt_authenticated));
    else if (strcasecmp(key, "RejectText") == 0)
        snprintf(out, outsize, "%s", c->reject_text);
}

static bool printable_one_line(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

/* ---- one key, one value --------------------------------------------------- */

typedef struct key_case {
    const char *key;
    const char *value;
    enum ot_conf_status status;
    const char *want;        /* rendered value after a good row; NULL: not compared */
} key_case;

#define LONG_300 \
    "unix:/run/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
    "xxxxxxxxxxxxxxxxxxxxxxxx.sock"
#define NAME_64 "X-Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define NAME_63 "X-Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* Each row runs on a fresh default configuration. */
static const key_case key_cases[] = {
    /* Include: always handed back to the caller */
    { "Include", "/etc/origin-trace.d/extra.conf", OT_CONF_INCLUDE, NULL },
    { "Include", "extra.conf", OT_CONF_INCLUDE, NULL },
    { "Include", "", OT_CONF_BAD_VALUE, NULL },

    /* TrustedRelays: a list, or a file for the caller */
    { "TrustedRelays", "192.0.2.25", OT_CONF_OK, "192.0.2.25/32" },
    { "TrustedRelays", "192.0.2.0/24, 198.51.100.7", OT_CONF_OK, "192.0.2.0/24,198.51.100.7/32" },
    { "TrustedRelays", "192.0.2.0/24 2001:db8::/32", OT_CONF_OK, "192.0.2.0/24,2001:db8::/32" },
    { "TrustedRelays", "2001:db8::25,,192.0.2.1", OT_CONF_OK, "2001:db8::25/128,192.0.2.1/32" },
    { "TrustedRelays", "::ffff:192.0.2.9", OT_CONF_OK, "192.0.2.9/32" },
    { "TrustedRelays", "/etc/origin-trace/relays.txt", OT_CONF_TRUSTED_FILE, NULL },
    { "TrustedRelays", "./relays.txt", OT_CONF_TRUSTED_FILE, NULL },
    { "TrustedRelays", "192.0.2.0/33", OT_CONF_BAD_VALUE, NULL },
    { "TrustedRelays", "192.0.2.256", OT_CONF_BAD_VALUE, NULL },
    { "TrustedRelays", "mx.example.org", OT_CONF_BAD_VALUE, NULL },
    { "TrustedRelays", "192.0.2.1, bogus", OT_CONF_BAD_VALUE, NULL },
    { "TrustedRelays", "", OT_CONF_BAD_VALUE, NULL },

    /* LocalHostnames: lower-cased names */
    { "LocalHostnames", "mx.example.org", OT_CONF_OK, "mx.example.org" },
    { "LocalHostnames", "MX1.Example.ORG, mx2.example.org", OT_CONF_OK, "mx1.example.org,mx2.example.org" },
    { "LocalHostnames", "a.example b.example\tc.example", OT_CONF_OK, "a.example,b.example,c.example" },
    { "LocalHostnames", "", OT_CONF_BAD_VALUE, NULL },

    /* Mode */
    { "Mode", "enforce", OT_CONF_OK, "enforce" },
    { "Mode", "monitor", OT_CONF_OK, "monitor" },
    { "Mode", "MONITOR", OT_CONF_OK, "monitor" },
    { "Mode", "reject", OT_CONF_BAD_VALUE, NULL },
    { "Mode", "monitoring", OT_CONF_BAD_VALUE, NULL },
    { "Mode", "", OT_CONF_BAD_VALUE, NULL },

    /* scores */
    { "RejectScore", "12", OT_CONF_OK, "12" },
    { "RejectScore", "7.5", OT_CONF_OK, "7.5" },
    { "RejectScore", "-3", OT_CONF_OK, "-3" },
    { "RejectScore", "10000", OT_CONF_OK, "10000" },
    { "RejectScore", "10001", OT_CONF_BAD_VALUE, NULL },
    { "RejectScore", "high", OT_CONF_BAD_VALUE, NULL },
    { "RejectScore", "5x", OT_CONF_BAD_VALUE, NULL },
    { "RejectScore", "nan", OT_CONF_BAD_VALUE, NULL },
    { "RejectScore", "inf", OT_CONF_BAD_VALUE, NULL },
    { "QuarantineScore", "4.5", OT_CONF_OK, "4.5" },
    { "QuarantineScore", "0", OT_CONF_OK, "0" },
    { "QuarantineScore", "1e9", OT_CONF_BAD_VALUE, NULL },
    { "QuarantineScore", "4,5", OT_CONF_BAD_VALUE, NULL },

    /* HeaderName */
    { "HeaderName", "X-Origin-Trace", OT_CONF_OK, "X-Origin-Trace" },
    { "HeaderName", "X-Trace_2", OT_CONF_OK, "X-Trace_2" },
    { "HeaderName", NAME_63, OT_CONF_OK, NAME_63 },
    { "HeaderName", NAME_64, OT_CONF_BAD_VALUE, NULL },
    { "HeaderName", "X Origin", OT_CONF_BAD_VALUE, NULL },
    { "HeaderName", "X-Origin:", OT_CONF_BAD_VALUE, NULL },
    { "HeaderName", "X-\xc3\xa9", OT_CONF_BAD_VALUE, NULL },

    /* HeaderPosition */
    { "HeaderPosition", "top", OT_CONF_OK, "top" },
    { "HeaderPosition", "Bottom", OT_CONF_OK, "bottom" },
    { "HeaderPosition", "middle", OT_CONF_BAD_VALUE, NULL },

    /* DynamicPatterns: the first setting replaces the defaults */
    { "DynamicPatterns", "dsl, cable", OT_CONF_OK, "dsl,cable" },
    { "DynamicPatterns", "DHCP", OT_CONF_OK, "dhcp" },
    { "DynamicPatterns", "", OT_CONF_BAD_VALUE, NULL },

    /* unsigned numbers with bounds */
    { "MaxReceived", "1", OT_CONF_OK, "1" },
    { "MaxReceived", "100", OT_CONF_OK, "100" },
    { "MaxReceived", "1000", OT_CONF_OK, "1000" },
    { "MaxReceived", "0", OT_CONF_BAD_VALUE, NULL },
    { "MaxReceived", "1001", OT_CONF_BAD_VALUE, NULL },
    { "MaxReceived", "2.5", OT_CONF_BAD_VALUE, NULL },
    { "MaxReceived", "-1", OT_CONF_BAD_VALUE, NULL },
    { "MaxReceived", "many", OT_CONF_BAD_VALUE, NULL },
    { "DateSkewHours", "24", OT_CONF_OK, "24" },
    { "DateSkewHours", "8760", OT_CONF_OK, "8760" },
    { "DateSkewHours", "0", OT_CONF_BAD_VALUE, NULL },
    { "DateSkewHours", "8761", OT_CONF_BAD_VALUE, NULL },
    { "ClockSkewMinutes", "0", OT_CONF_OK, "0" },
    { "ClockSkewMinutes", "15", OT_CONF_OK, "15" },
    { "ClockSkewMinutes", "1440", OT_CONF_OK, "1440" },
    { "ClockSkewMinutes", "1441", OT_CONF_BAD_VALUE, NULL },
    { "DNSTimeout", "1", OT_CONF_OK, "1" },
    { "DNSTimeout", "60", OT_CONF_OK, "60" },
    { "DNSTimeout", "0", OT_CONF_BAD_VALUE, NULL },
    { "DNSTimeout", "61", OT_CONF_BAD_VALUE, NULL },
    { "DNSTimeout", "5s", OT_CONF_BAD_VALUE, NULL },

    /* booleans: every spelling the interface names, in any case */
    { "DNS", "yes", OT_CONF_OK, "yes" },
    { "DNS", "no", OT_CONF_OK, "no" },
    { "DNS", "true", OT_CONF_OK, "yes" },
    { "DNS", "false", OT_CONF_OK, "no" },
    { "DNS", "1", OT_CONF_OK, "yes" },
    { "DNS", "0", OT_CONF_OK, "no" },
    { "DNS", "YES", OT_CONF_OK, "yes" },
    { "DNS", "False", OT_CONF_OK, "no" },
    { "DNS", "maybe", OT_CONF_BAD_VALUE, NULL },
    { "DNS", "2", OT_CONF_BAD_VALUE, NULL },
    { "DNS", "yess", OT_CONF_BAD_VALUE, NULL },
    { "Syslog", "no", OT_CONF_OK, "no" },
    { "Syslog", "true", OT_CONF_OK, "yes" },
    { "Syslog", "0", OT_CONF_OK, "no" },
    { "Syslog", "y", OT_CONF_BAD_VALUE, NULL },
    { "ExemptAuthenticated", "no", OT_CONF_OK, "no" },
    { "ExemptAuthenticated", "1", OT_CONF_OK, "yes" },
    { "ExemptAuthenticated", "false", OT_CONF_OK, "no" },
    { "ExemptAuthenticated", "nope", OT_CONF_BAD_VALUE, NULL },

    /* name lists of DNS */
    { "Nameservers", "127.0.0.1@5353", OT_CONF_OK, "127.0.0.1@5353" },
    { "Nameservers", "192.0.2.53, 2001:db8::53", OT_CONF_OK, "192.0.2.53,2001:db8::53" },
    { "Nameservers", "", OT_CONF_BAD_VALUE, NULL },
    { "DNSBLZones", "zen.example.org", OT_CONF_OK, "zen.example.org" },
    { "DNSBLZones", "bl.example.org,dnsbl.example.net", OT_CONF_OK, "bl.example.org,dnsbl.example.net" },
    { "DNSBLZones", "", OT_CONF_BAD_VALUE, NULL },

    /* accept / tempfail */
    { "OnDNSError", "accept", OT_CONF_OK, "accept" },
    { "OnDNSError", "TempFail", OT_CONF_OK, "tempfail" },
    { "OnDNSError", "reject", OT_CONF_BAD_VALUE, NULL },
    { "OnError", "tempfail", OT_CONF_OK, "tempfail" },
    { "OnError", "accept", OT_CONF_OK, "accept" },
    { "OnError", "discard", OT_CONF_BAD_VALUE, NULL },

    /* strings of the daemon, bounded by their buffers */
    { "Socket", "unix:/run/origin-trace/milter.sock", OT_CONF_OK, "unix:/run/origin-trace/milter.sock" },
    { "Socket", "inet:8891@127.0.0.1", OT_CONF_OK, "inet:8891@127.0.0.1" },
    { "Socket", LONG_300, OT_CONF_BAD_VALUE, NULL },
    { "Socket", "", OT_CONF_BAD_VALUE, NULL },
    { "UserID", "origin-trace:mail", OT_CONF_OK, "origin-trace:mail" },
    { "UserID", LONG_300, OT_CONF_BAD_VALUE, NULL },
    { "PidFile", "/run/origin-trace/milter.pid", OT_CONF_OK, "/run/origin-trace/milter.pid" },
    { "PidFile", LONG_300, OT_CONF_BAD_VALUE, NULL },
    { "SyslogFacility", "local3", OT_CONF_OK, "local3" },
    { "SyslogFacility", "a-facility-name-longer-than-31-bytes", OT_CONF_BAD_VALUE, NULL },
    { "RejectText", "Go away", OT_CONF_OK, "Go away" },
    { "RejectText", LONG_300, OT_CONF_BAD_VALUE, NULL },

    /* Umask: octal */
    { "Umask", "007", OT_CONF_OK, "007" },
    { "Umask", "0022", OT_CONF_OK, "022" },
    { "Umask", "777", OT_CONF_OK, "777" },
    { "Umask", "0", OT_CONF_OK, "000" },
    { "Umask", "1000", OT_CONF_BAD_VALUE, NULL },
    { "Umask", "089", OT_CONF_BAD_VALUE, NULL },
    { "Umask", "rwx", OT_CONF_BAD_VALUE, NULL },

    /* LogLevel: a name or 0..3 */
    { "LogLevel", "error", OT_CONF_OK, "0" },
    { "LogLevel", "warning", OT_CONF_OK, "1" },
    { "LogLevel", "info", OT_CONF_OK, "2" },
    { "LogLevel", "DEBUG", OT_CONF_OK, "3" },
    { "LogLevel", "0", OT_CONF_OK, "0" },
    { "LogLevel", "3", OT_CONF_OK, "3" },
    { "LogLevel", "4", OT_CONF_BAD_VALUE, NULL },
    { "LogLevel", "1.5", OT_CONF_BAD_VALUE, NULL },
    { "LogLevel", "verbose", OT_CONF_BAD_VALUE, NULL },

    /* exemptions */
    { "ExemptRecipients", "postmaster@example.org", OT_CONF_OK, "postmaster@example.org" },
    { "ExemptRecipients", "Abuse@Example.ORG, hostmaster@", OT_CONF_OK, "abuse@example.org,hostmaster@" },
    { "ExemptRecipients", "", OT_CONF_BAD_VALUE, NULL },
    { "ExemptClients", "192.0.2.0/24", OT_CONF_OK, "192.0.2.0/24" },
    { "ExemptClients", "192.0.2.7 2001:db8::/48", OT_CONF_OK, "192.0.2.7/32,2001:db8::/48" },
    { "ExemptClients", "10.0.0.0/8/8", OT_CONF_BAD_VALUE, NULL },
    { "ExemptClients", "/etc/clients.txt", OT_CONF_BAD_VALUE, NULL },

    /* Weight and Provider are covered below; a basic row each keeps the
     * coverage check honest */
    { "Weight", "HELO_BARE_IP 3", OT_CONF_OK, NULL },
    { "DNSBLZones", "a.example,b.example,c.example,d.example,e.example,f.example,g.example,h.example",
      OT_CONF_OK, NULL },
    { "DNSBLZones", "a.example,b.example,c.example,d.example,e.example,f.example,g.example,h.example,i.example",
      OT_CONF_BAD_VALUE, NULL },
    { "DNSBLCode", "bl.example 127.0.0.2 4", OT_CONF_OK, NULL },
    { "DNSBLCode", "bl.example. 127.0.0.10 0.5", OT_CONF_OK, NULL },
    { "DNSBLCode", "bl.example 10.0.0.2 4", OT_CONF_BAD_VALUE, NULL },
    { "DNSBLCode", "bl.example 127.0.0.2", OT_CONF_BAD_VALUE, NULL },
    { "DNSBLCode", "bl.example 127.0.0.2 lots", OT_CONF_BAD_VALUE, NULL },
    { "DNSBLCode", "bl.example", OT_CONF_BAD_VALUE, NULL },
    { "SPF", "no", OT_CONF_OK, "no" },
    { "SPF", "yes", OT_CONF_OK, "yes" },
    { "SPF", "soft", OT_CONF_BAD_VALUE, NULL },
    { "DKIM", "no", OT_CONF_OK, "no" },
    { "DKIM", "YES", OT_CONF_OK, "yes" },
    { "DKIM", "sometimes", OT_CONF_BAD_VALUE, NULL },
    { "Weight", "NO_SUCH_SIGNAL 3", OT_CONF_BAD_VALUE, NULL },
    { "Provider", "example example.com", OT_CONF_OK, NULL },
    { "Provider", "example", OT_CONF_BAD_VALUE, NULL },

    /* keys are case-insensitive */
    { "mode", "monitor", OT_CONF_OK, "monitor" },
    { "MODE", "monitor", OT_CONF_OK, "monitor" },
    { "rejectscore", "11", OT_CONF_OK, "11" },
    { "REJECTSCORE", "11", OT_CONF_OK, "11" },
    { "rEjEcTsCoRe", "11", OT_CONF_OK, "11" },
    { "trustedrelays", "192.0.2.25", OT_CONF_OK, "192.0.2.25/32" },
    { "dnsblzones", "bl.example.org", OT_CONF_OK, "bl.example.org" },

    /* unknown keys */
    { "Frobnicate", "yes", OT_CONF_UNKNOWN_KEY, NULL },
    { "Trusted", "192.0.2.25", OT_CONF_UNKNOWN_KEY, NULL },
    { "ModeX", "enforce", OT_CONF_UNKNOWN_KEY, NULL },
    { "Mode:", "enforce", OT_CONF_UNKNOWN_KEY, NULL },
    { "", "x", OT_CONF_UNKNOWN_KEY, NULL },
    { "X-Origin-Trace", "", OT_CONF_UNKNOWN_KEY, NULL },
};

static const char *status_name(enum ot_conf_status s)
{
    switch (s) {
    case OT_CONF_OK: return "OK";
    case OT_CONF_UNKNOWN_KEY: return "UNKNOWN_KEY";
    case OT_CONF_BAD_VALUE: return "BAD_VALUE";
    case OT_CONF_INCLUDE: return "INCLUDE";
    case OT_CONF_TRUSTED_FILE: return "TRUSTED_FILE";
    }
    return "?";
}

static void test_key_rows(void)
{
    for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
        const key_case *kc = &key_cases[i];
        ot_config cfg;
        char err[256] = "";
        char got[1024];
        enum ot_conf_status st;

        ot_config_init(&cfg);
        st = ot_config_apply(&cfg, kc->key, kc->value, err, sizeof err);
        is_str(status_name(st), status_name(kc->status), "%s \"%.40s\": %s", kc->key, kc->value,
               status_name(kc->status));
        if (kc->status == OT_CONF_BAD_VALUE || kc->status == OT_CONF_UNKNOWN_KEY)
            ok(err[0] != '\0' && printable_one_line(err), "%s \"%.40s\": a printable reason (%s)",
               kc->key, kc->value, err);
        if (kc->want != NULL && st == OT_CONF_OK) {
            render_key(&cfg, kc->key, got, sizeof got);
            is_str(got, kc->want, "%s \"%.40s\" stores %s", kc->key, kc->value, kc->want);
        }
        ot_config_free(&cfg);
    }
}

/* DNSBLCode rows are found again by zone (any case, trailing dot) and code. */
static void test_dnsbl_codes(void)
{
    ot_config cfg;
    char err[256];
    ot_addr two, ten, three;
    const ot_dnsbl_code *dc;

    ot_config_init(&cfg);
    ot_addr_parse("127.0.0.2", 9, &two);
    ot_addr_parse("127.0.0.10", 10, &ten);
    ot_addr_parse("127.0.0.3", 9, &three);
    is_int(ot_config_apply(&cfg, "DNSBLCode", "bl.example. 127.0.0.2 4.5", err, sizeof err), OT_CONF_OK,
           "DNSBLCode accepted");
    is_int(ot_config_apply(&cfg, "DNSBLCode", "BL.example 127.0.0.10 0", err, sizeof err), OT_CONF_OK,
           "DNSBLCode with weight 0 accepted");
    dc = ot_config_dnsbl_code(&cfg, "bl.example", &two);
    ok(dc != NULL && dc->weight == 4.5, "zone and code found, weight kept");
    dc = ot_config_dnsbl_code(&cfg, "bl.EXAMPLE", &ten);
    ok(dc != NULL && dc->weight == 0.0, "zone matched without regard to case");
    ok(ot_config_dnsbl_code(&cfg, "bl.example", &three) == NULL, "another code is not found");
    ok(ot_config_dnsbl_code(&cfg, "other.example", &two) == NULL, "another zone is not found");
    for (unsigned i = 2; i < OT_MAX_DNSBL_CODES; i++)
        (void)ot_config_apply(&cfg, "DNSBLCode", "z.example 127.0.0.5 1", err, sizeof err);
    is_int(ot_config_apply(&cfg, "DNSBLCode", "z.example 127.0.0.6 1", err, sizeof err),
           OT_CONF_BAD_VALUE, "DNSBLCode entries are bounded");
    ot_config_free(&cfg);
}

/* Every key of the table has a good row and a bad row above, and the
 * interface's keys are all in the table. */
static void test_key_coverage(void)
{
    static const char *const interface_keys[] = {
        "Socket", "TrustedRelays", "LocalHostnames", "Mode", "RejectScore", "QuarantineScore",
        "Weight", "HeaderName", "DNS", "Nameservers", "DNSTimeout", "DNSBLZones", "Include", NULL,
    };
    const char *name;
    size_t nkeys = 0;

    ok(ot_config_key_name(0) != NULL, "key names listed");
    for (size_t k = 0; (name = ot_config_key_name(k)) != NULL; k++) {
        bool good = false, bad = false;

        nkeys++;
        for (size_t i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
            if (strcmp(key_cases[i].key, name) != 0)
                continue;
            if (key_cases[i].status == OT_CONF_BAD_VALUE)
                bad = true;
            else
                good = true;
        }
        ok(good && bad, "key %s has good and bad rows", name);
        {
            bool once = true;
            for (size_t j = 0; j < k; j++)
                if (strcasecmp(ot_config_key_name(j), name) == 0)
                    once = false;
            ok(once, "key %s listed once", name);
        }
    }
    ok(nkeys >= 31, "at least 31 keys (%zu)", nkeys);
    for (size_t i = 0; interface_keys[i] != NULL; i++) {
        bool found = false;
        for (size_t k = 0; (name = ot_config_key_name(k)) != NULL; k++)
            if (strcmp(name, interface_keys[i]) == 0)
                found = true;
        ok(found, "interface key %s is in the table", interface_keys[i]);
    }
}

/* ---- defaults -------------------------------------------------------------- */

static void test_defaults(void)
{
    ot_config cfg;
    char got[1024];

    ot_config_init(&cfg);
    is_str(cfg.header_name, "X-Origin-Trace", "default HeaderName");
    is_int(cfg.mode, OT_MODE_ENFORCE, "default Mode enforce");
    ok(cfg.quarantine_score < cfg.reject_score, "default QuarantineScore below RejectScore");
    is_int(cfg.trusted.count, 0, "no TrustedRelays by default");
    is_int(cfg.local_hostnames.count, 0, "no LocalHostnames by default");
    ok(!cfg.dns, "DNS off by default");
    ok(cfg.dynamic_patterns.count > 0 && cfg.dynamic_patterns.is_default, "default DynamicPatterns");
    ok(cfg.exempt_recipients.is_default, "ExemptRecipients start as defaults");
    ok(cfg.nproviders >= 4, "default providers (%zu)", cfg.nproviders);
    for (int i = 0; i < OT_SIG_COUNT; i++)
        is_double(cfg.weight[i], ot_signal_table[i].weight, "weight of %s defaults to the table",
                  ot_signal_table[i].name);
    render_key(&cfg, "Umask", got, sizeof got);
    is_str(got, "007", "default Umask 007");
    ot_config_free(&cfg);
    ot_config_free(&cfg);
    ok(1, "ot_config_free twice does not crash");
}

/* ---- lists: append, replace defaults, bounds ----------------------------------- */

static void test_lists(void)
{
    ot_config cfg;
    char err[256], got[2048];
    char many[OT_MAX_NAMES * 8 + 16];
    size_t used = 0;

    ot_config_init(&cfg);
    ok(ot_config_apply(&cfg, "LocalHostnames", "mx1.example.org", err, sizeof err) == OT_CONF_OK,
       "LocalHostnames first");
    ok(ot_config_apply(&cfg, "LocalHostnames", "mx2.example.org", err, sizeof err) == OT_CONF_OK,
       "LocalHostnames again");
    render_key(&cfg, "LocalHostnames", got, sizeof got);
    is_str(got, "mx1.example.org,mx2.example.org", "LocalHostnames appends when repeated");

    ok(ot_config_apply(&cfg, "DynamicPatterns", "zzdyn", err, sizeof err) == OT_CONF_OK,
       "DynamicPatterns set");
    render_key(&cfg, "DynamicPatterns", got, sizeof got);
    is_str(got, "zzdyn", "first DynamicPatterns replaces the defaults");
    ok(!cfg.dynamic_patterns.is_default, "DynamicPatterns no longer defaults");
    ok(ot_config_apply(&cfg, "DynamicPatterns", "yydyn", err, sizeof err) == OT_CONF_OK,
       "DynamicPatterns again");
    render_key(&cfg, "DynamicPatterns", got, sizeof got);
    is_str(got, "zzdyn,yydyn", "second DynamicPatterns appends");

    ok(ot_config_apply(&cfg, "ExemptRecipients", "ops@example.org", err, sizeof err) == OT_CONF_OK,
       "ExemptRecipients set");
    render_key(&cfg, "ExemptRecipients", got, sizeof got);
    is_str(got, "ops@example.org", "first ExemptRecipients replaces postmaster@/abuse@");

    ok(ot_config_apply(&cfg, "TrustedRelays", "192.0.2.25", err, sizeof err) == OT_CONF_OK &&
       ot_config_apply(&cfg, "TrustedRelays", "198.51.100.0/24", err, sizeof err) == OT_CONF_OK,
       "TrustedRelays twice");
    render_key(&cfg, "TrustedRelays", got, sizeof got);
    is_str(got, "192.0.2.25/32,198.51.100.0/24", "TrustedRelays appends");
    ok(ot_config_add_trusted(&cfg, "2001:db8::/32", err, sizeof err), "ot_config_add_trusted");
    is_int(cfg.trusted.count, 3, "three trusted entries");
    ot_config_free(&cfg);

    /* OT_MAX_NAMES entries fit, one more is refused */
    ot_config_init(&cfg);
    for (unsigned i = 0; i < OT_MAX_NAMES; i++)
        used += (size_t)snprintf(many + used, sizeof many - used, "h%u,", i);
    ok(ot_config_apply(&cfg, "LocalHostnames", many, err, sizeof err) == OT_CONF_OK,
       "%u LocalHostnames fit", OT_MAX_NAMES);
    is_int(cfg.local_hostnames.count, OT_MAX_NAMES, "all %u kept", OT_MAX_NAMES);
    err[0] = '\0';
    ok(ot_config_apply(&cfg, "LocalHostnames", "one.too.many", err, sizeof err) == OT_CONF_BAD_VALUE,
       "entry %u is refused", OT_MAX_NAMES + 1);
    ok(err[0] != '\0', "with a reason (%s)", err);
    is_int(cfg.local_hostnames.count, OT_MAX_NAMES, "the list stays at its bound");
    ot_config_free(&cfg);

    /* a name of OT_HOST_SIZE bytes does not fit a list entry */
    {
        char longname[OT_HOST_SIZE + 1];
        memset(longname, 'a', OT_HOST_SIZE);
        longname[OT_HOST_SIZE] = '\0';
        ot_config_init(&cfg);
        ok(ot_config_apply(&cfg, "LocalHostnames", longname, err, sizeof err) == OT_CONF_BAD_VALUE,
           "a %u-byte name is refused", OT_HOST_SIZE);
        longname[OT_HOST_SIZE - 1] = '\0';
        ok(ot_config_apply(&cfg, "LocalHostnames", longname, err, sizeof err) == OT_CONF_OK,
           "a %u-byte name is kept", OT_HOST_SIZE - 1);
        ot_config_free(&cfg);
    }

    /* ot_name_list_add on its own */
    {
        ot_name_list l = { NULL, 0, false };
        ok(ot_name_list_add(&l, "MiXeD.Example", 13), "name list add");
        ok(!ot_name_list_add(&l, "", 0), "empty name refused");
        ok(ot_name_list_add(&l, "abcdef", 3), "a length-bounded add");
        is_int(l.count, 2, "two names");
        is_str(l.items[0], "mixed.example", "lower-cased");
        is_str(l.items[1], "abc", "only len bytes taken");
        ot_name_list_free(&l);
        is_int(l.count, 0, "freed list is empty");
    }
}

/* ---- Weight NAME VALUE ---------------------------------------------------------- */

typedef struct weight_case {
    const char *value;
    enum ot_conf_status status;
    const char *signal;      /* signal whose weight is checked */
    double want;
    const char *reason_has;  /* substring of the reason on error */
} weight_case;

static const weight_case weight_cases[] = {
    { "HELO_BARE_IP 3.5", OT_CONF_OK, "HELO_BARE_IP", 3.5, NULL },
    { "HELO_BARE_IP 0", OT_CONF_OK, "HELO_BARE_IP", 0.0, NULL },
    { "SPF_PASS -2", OT_CONF_OK, "SPF_PASS", -2.0, NULL },
    { "helo_bare_ip 1.25", OT_CONF_OK, "HELO_BARE_IP", 1.25, NULL },
    { "DNSBL_LISTED\t7", OT_CONF_OK, "DNSBL_LISTED", 7.0, NULL },
    { "CHAIN_BREAK    2", OT_CONF_OK, "CHAIN_BREAK", 2.0, NULL },
    { "PROVIDER_CLAIM_UNSIGNED 1000", OT_CONF_OK, "PROVIDER_CLAIM_UNSIGNED", 1000.0, NULL },
    { "PROVIDER_CLAIM_UNSIGNED -1000", OT_CONF_OK, "PROVIDER_CLAIM_UNSIGNED", -1000.0, NULL },
    { "NO_SUCH_SIGNAL 3", OT_CONF_BAD_VALUE, NULL, 0, "NO_SUCH_SIGNAL" },
    { "HELO_BARE 3", OT_CONF_BAD_VALUE, NULL, 0, "unknown signal" },
    { "HELO_BARE_IP", OT_CONF_BAD_VALUE, NULL, 0, "Weight" },
    { "HELO_BARE_IP lots", OT_CONF_BAD_VALUE, NULL, 0, "HELO_BARE_IP" },
    { "HELO_BARE_IP 3 4", OT_CONF_BAD_VALUE, NULL, 0, "HELO_BARE_IP" },
    { "HELO_BARE_IP 1001", OT_CONF_BAD_VALUE, NULL, 0, "HELO_BARE_IP" },
    { "HELO_BARE_IP nan", OT_CONF_BAD_VALUE, NULL, 0, "HELO_BARE_IP" },
    { "HELO_BARE_IP 2x", OT_CONF_BAD_VALUE, NULL, 0, "HELO_BARE_IP" },
    { "3.5", OT_CONF_BAD_VALUE, NULL, 0, NULL },
    { "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 1",
      OT_CONF_BAD_VALUE, NULL, 0, NULL },
};

static void test_weights(void)
{
    for (size_t i = 0; i < sizeof weight_cases / sizeof weight_cases[0]; i++) {
        const weight_case *wc = &weight_cases[i];
        ot_config cfg;
        char err[256] = "";
        enum ot_conf_status st;

        ot_config_init(&cfg);
        st = ot_config_apply(&cfg, "Weight", wc->value, err, sizeof err);
        is_str(status_name(st), status_name(wc->status), "Weight %.40s: %s", wc->value,
               status_name(wc->status));
        if (wc->signal != NULL) {
            int idx = ot_config_signal_index(wc->signal);
            ok(idx >= 0, "%s is a signal", wc->signal);
            if (idx >= 0)
                is_double(cfg.weight[idx], wc->want, "Weight %s sets %s to %g", wc->value, wc->signal,
                          wc->want);
        }
        if (st != OT_CONF_OK)
            ok(err[0] != '\0' && printable_one_line(err), "Weight %.40s: reason given (%s)", wc->value, err);
        if (wc->reason_has != NULL)
            ok(strstr(err, wc->reason_has) != NULL, "Weight %.40s: reason names %s", wc->value,
               wc->reason_has);
        ot_config_free(&cfg);
    }

    /* a refused Weight leaves every weight as it was */
    {
        ot_config cfg;
        char err[256];
        bool same = true;

        ot_config_init(&cfg);
        ot_config_apply(&cfg, "Weight", "HELO_BARE_IP 1001", err, sizeof err);
        for (int i = 0; i < OT_SIG_COUNT; i++)
            if (cfg.weight[i] != ot_signal_table[i].weight)
                same = false;
        ok(same, "a refused Weight changes nothing");
        ot_config_free(&cfg);
    }

    /* signal lookup */
    for (int i = 0; i < OT_SIG_COUNT; i++)
        is_int(ot_config_signal_index(ot_signal_table[i].name), i, "signal index of %s",
               ot_signal_table[i].name);
    is_int(ot_config_signal_index("NOPE"), -1, "unknown signal index -1");
    is_int(ot_config_signal_index(""), -1, "empty signal name -1");
    is_int(ot_config_signal_index("chain_break"), OT_SIG_CHAIN_BREAK, "signal lookup ignores case");
}

/* ---- Provider NAME domain,domain ------------------------------------------------- */

static int provider_index(const ot_config *c, const char *name)
{
    for (size_t i = 0; i < c->nproviders; i++)
        if (strcasecmp(c->providers[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void test_providers(void)
{
    ot_config cfg;
    char err[256], got[1024];
    size_t before;
    int idx;

    ot_config_init(&cfg);
    before = cfg.nproviders;
    ok(provider_index(&cfg, "google") >= 0 && provider_index(&cfg, "yahoo") >= 0 &&
       provider_index(&cfg, "microsoft") >= 0 && provider_index(&cfg, "aol") >= 0,
       "default providers google, yahoo, microsoft, aol");

    ok(ot_config_apply(&cfg, "Provider", "examplemail mail.example.com, Example.NET", err, sizeof err) ==
       OT_CONF_OK, "Provider adds a new provider");
    is_int(cfg.nproviders, before + 1, "one more provider");
    idx = provider_index(&cfg, "examplemail");
    ok(idx >= 0, "new provider found by name");
    if (idx >= 0) {
        join_names(&cfg.providers[idx].domains, got, sizeof got);
        is_str(got, "mail.example.com,example.net", "its domains, lower-cased");
    }

    ok(ot_config_apply(&cfg, "Provider", "google google.example", err, sizeof err) == OT_CONF_OK,
       "Provider of an existing name");
    is_int(cfg.nproviders, before + 1, "no new provider for an existing name");
    idx = provider_index(&cfg, "google");
    if (idx >= 0) {
        join_names(&cfg.providers[idx].domains, got, sizeof got);
        is_str(got, "google.example", "an existing provider's domains are replaced");
    }
    ok(ot_config_apply(&cfg, "Provider", "GOOGLE google.example,gmail.example", err, sizeof err) ==
       OT_CONF_OK, "Provider name matched case-insensitively");
    is_int(cfg.nproviders, before + 1, "still no new provider");

    err[0] = '\0';
    ok(ot_config_apply(&cfg, "Provider", "lonely", err, sizeof err) == OT_CONF_BAD_VALUE,
       "Provider without domains refused");
    ok(err[0] != '\0', "with a reason (%s)", err);
    ok(ot_config_apply(&cfg, "Provider", "", err, sizeof err) == OT_CONF_BAD_VALUE,
       "empty Provider refused");

    /* fill up to OT_MAX_PROVIDERS; the next new one is refused */
    while (cfg.nproviders < OT_MAX_PROVIDERS) {
        char v[64];
        snprintf(v, sizeof v, "p%zu p%zu.example", cfg.nproviders, cfg.nproviders);
        if (ot_config_apply(&cfg, "Provider", v, err, sizeof err) != OT_CONF_OK)
            break;
    }
    is_int(cfg.nproviders, OT_MAX_PROVIDERS, "providers fill up to %u", OT_MAX_PROVIDERS);
    err[0] = '\0';
    ok(ot_config_apply(&cfg, "Provider", "onemore onemore.example", err, sizeof err) ==
       OT_CONF_BAD_VALUE, "provider %u refused", OT_MAX_PROVIDERS + 1);
    ok(strstr(err, "providers") != NULL, "reason says too many providers (%s)", err);
    ok(ot_config_apply(&cfg, "Provider", "google google.com", err, sizeof err) == OT_CONF_OK,
       "an existing provider can still be changed when full");
    ot_config_free(&cfg);
}

/* ---- errors never echo control bytes ------------------------------------------- */

static void test_error_sanitized(void)
{
    static const struct { const char *key, *value; } rows[] = {
        { "Mode", "evil\r\nInjected: yes" },
        { "Weight", "HELO_BARE_IP \x1b[31mred" },
        { "Frob\nnicate", "x" },
        { "RejectScore", "\xff\xfe" },
        { "TrustedRelays", "192.0.2.1,\x01\x02" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ot_config cfg;
        char err[256] = "";

        ot_config_init(&cfg);
        ok(ot_config_apply(&cfg, rows[i].key, rows[i].value, err, sizeof err) != OT_CONF_OK,
           "hostile row %zu refused", i);
        ok(err[0] != '\0' && printable_one_line(err), "hostile row %zu: reason is printable (%s)", i, err);
        ot_config_free(&cfg);
    }
    /* a tiny error buffer is cut, not overrun */
    {
        ot_config cfg;
        char small[8];
        memset(small, 'Z', sizeof small);
        ot_config_init(&cfg);
        ot_config_apply(&cfg, "Mode", "a-long-bad-value-here", small, 6);
        ok(memchr(small, '\0', 6) != NULL && small[6] == 'Z' && small[7] == 'Z',
           "reason cut at the buffer size");
        ot_config_apply(&cfg, "Mode", "bad", NULL, 0);
        ok(1, "NULL error buffer accepted");
        ot_config_free(&cfg);
    }
}

/* ---- splitting lines -------------------------------------------------------------- */

typedef struct split_case {
    const char *line;
    bool has_key;
    const char *key, *value;
} split_case;

static const split_case split_cases[] = {
    { "", false, NULL, NULL },
    { "   \t ", false, NULL, NULL },
    { "# a comment", false, NULL, NULL },
    { "   # indented comment", false, NULL, NULL },
    { "#Mode enforce", false, NULL, NULL },
    { "Mode enforce", true, "Mode", "enforce" },
    { "  Mode   enforce   ", true, "Mode", "enforce" },
    { "Mode\tmonitor", true, "Mode", "monitor" },
    { "Mode enforce # the default", true, "Mode", "enforce" },
    { "Mode enforce\t# tab before the comment", true, "Mode", "enforce" },
    { "TrustedRelays 192.0.2.25, 198.51.100.0/24", true, "TrustedRelays", "192.0.2.25, 198.51.100.0/24" },
    { "RejectText Sorry, not here", true, "RejectText", "Sorry, not here" },
    { "RejectText ticket#42 open", true, "RejectText", "ticket#42 open" },
    { "RejectText #1 reason", true, "RejectText", "" },
    { "Socket", true, "Socket", "" },
    { "Socket   ", true, "Socket", "" },
    { "Mode enforce\r", true, "Mode", "enforce" },
    { "Weight HELO_BARE_IP 2.5", true, "Weight", "HELO_BARE_IP 2.5" },
};

static void test_split(void)
{
    for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0]; i++) {
        const split_case *sc = &split_cases[i];
        char line[256];
        char *key = NULL, *value = NULL;
        bool got;

        snprintf(line, sizeof line, "%s", sc->line);
        got = ot_config_split_line(line, &key, &value);
        is_int(got, sc->has_key, "split \"%s\": %s", sc->line, sc->has_key ? "a key" : "nothing");
        if (got && sc->has_key) {
            is_str(key, sc->key, "split \"%s\": key", sc->line);
            is_str(value, sc->value, "split \"%s\": value", sc->line);
        }
    }
}

/* ---- reading files: ot_config_load -------------------------------------------------- */

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    if (f == NULL) {
        printf("# cannot write %s\n", path);
        return;
    }
    fputs(text, f);
    fclose(f);
}

static void path_of(char *out, size_t outsize, const char *name)
{
    snprintf(out, outsize, "%s/%s", tmpdir, name);
}

/* Loads name from the temporary directory into a fresh configuration. */
static bool load(ot_config *cfg, const char *name, char *err, size_t errsize)
{
    char path[512];

    path_of(path, sizeof path, name);
    ot_config_init(cfg);
    err[0] = '\0';
    return ot_config_load(cfg, path, err, errsize);
}

static bool trusted_has(const ot_config *cfg, const char *ip)
{
    ot_addr a;

    return ot_addr_parse(ip, strlen(ip), &a) && ot_cidr_list_contains(&cfg->trusted, &a);
}

/* a subdirectory of the temporary directory */
static bool mkdir_sub(const char *name)
{
    char path[512];

    path_of(path, sizeof path, name);
    return mkdir(path, 0700) == 0;
}

/* err starts with a path into the temporary directory that ends in
 * "/<file>", then ":<line>:" */
static bool names_file_line(const char *err, const char *file, unsigned line)
{
    char want[600];

    snprintf(want, sizeof want, "/%s:%u:", file, line);
    return strncmp(err, tmpdir, strlen(tmpdir)) == 0 && strstr(err, want) != NULL;
}

static void test_load_basic(void)
{
    ot_config cfg;
    char err[1024];

    write_file("basic.conf",
               "# origin-trace test configuration\n"
               "\n"
               "TrustedRelays 192.0.2.25\n"
               "LocalHostnames mx.example.org   # our MX\n"
               "mode MONITOR\n"
               "RejectScore 12\n"
               "QuarantineScore 7.5\n"
               "Weight HELO_BARE_IP 0\n"
               "HeaderName X-Test-Trace\n"
               "DNS yes\n"
               "Nameservers 127.0.0.1@5353\n"
               "DNSTimeout 3\n"
               "DNSBLZones bl.example.org, dnsbl.example.net\n"
               "Socket inet:8891@127.0.0.1\n");
    ok(load(&cfg, "basic.conf", err, sizeof err), "basic.conf loads (%s)", err);
    ok(trusted_has(&cfg, "192.0.2.25"), "TrustedRelays applied");
    ok(!trusted_has(&cfg, "192.0.2.26"), "only that address");
    is_int(cfg.local_hostnames.count, 1, "one LocalHostname (comment stripped)");
    if (cfg.local_hostnames.count == 1)
        is_str(cfg.local_hostnames.items[0], "mx.example.org", "LocalHostnames value");
    is_int(cfg.mode, OT_MODE_MONITOR, "Mode monitor (key and value case-insensitive)");
    is_double(cfg.reject_score, 12.0, "RejectScore");
    is_double(cfg.quarantine_score, 7.5, "QuarantineScore");
    is_double(cfg.weight[OT_SIG_HELO_BARE_IP], 0.0, "Weight");
    is_str(cfg.header_name, "X-Test-Trace", "HeaderName");
    ok(cfg.dns, "DNS");
    is_int(cfg.nameservers.count, 1, "Nameservers");
    is_int(cfg.dns_timeout, 3, "DNSTimeout");
    is_int(cfg.dnsbl_zones.count, 2, "DNSBLZones");
    is_str(cfg.socket, "inet:8891@127.0.0.1", "Socket");
    ot_config_free(&cfg);

    /* CRLF line ends are read like LF */
    write_file("crlf.conf", "Mode monitor\r\nRejectScore 11\r\n# done\r\n");
    ok(load(&cfg, "crlf.conf", err, sizeof err), "CRLF file loads (%s)", err);
    is_int(cfg.mode, OT_MODE_MONITOR, "CRLF: Mode");
    is_double(cfg.reject_score, 11.0, "CRLF: RejectScore");
    ot_config_free(&cfg);

    /* no final newline */
    write_file("nonl.conf", "Mode monitor");
    ok(load(&cfg, "nonl.conf", err, sizeof err), "file without final newline loads (%s)", err);
    is_int(cfg.mode, OT_MODE_MONITOR, "last line without newline applied");
    ot_config_free(&cfg);

    /* empty file */
    write_file("empty.conf", "");
    ok(load(&cfg, "empty.conf", err, sizeof err), "empty file loads");
    ot_config_free(&cfg);
}

typedef struct load_error_case {
    const char *name;        /* file written and loaded */
    const char *text;
    const char *err_file;    /* file the error names */
    unsigned err_line;
    const char *reason_has;
} load_error_case;

static const load_error_case load_error_cases[] = {
    { "unknown.conf", "# line 1\nMode enforce\n\nFrobnicate yes\n", "unknown.conf", 4, "Frobnicate" },
    { "badvalue.conf", "Mode enforce\nRejectScore lots\n", "badvalue.conf", 2, "RejectScore" },
    { "badbool.conf", "DNS maybe\n", "badbool.conf", 1, "DNS" },
    { "badweight.conf", "\n\n\nWeight NO_SUCH_SIGNAL 2\n", "badweight.conf", 4, "NO_SUCH_SIGNAL" },
    { "novalue.conf", "Mode\n", "novalue.conf", 1, "Mode" },
    { "badtrust.conf", "TrustedRelays 192.0.2.300\n", "badtrust.conf", 1, NULL },
    { "noinclude.conf", "Mode enforce\nInclude does-not-exist.conf\n", "noinclude.conf", 2, "does-not-exist.conf" },
    { "notrusted.conf", "TrustedRelays ./no-such-relays.txt\n", "notrusted.conf", 1, "no-such-relays.txt" },
    /* an error inside an included file names that file and its line */
    { "inc-bad-top.conf", "Mode enforce\nInclude inc-bad-sub.conf\n", "inc-bad-sub.conf", 3, "Bogus" },
    /* an error inside a TrustedRelays file names that file and its line */
    { "trust-bad-top.conf", "TrustedRelays ./trust-bad.txt\n", "trust-bad.txt", 3, NULL },
};

static void test_load_errors(void)
{
    char longline[OT_MAX_CONF_LINE + 64];

    write_file("inc-bad-sub.conf", "# sub\nMode monitor\nBogus 1\n");
    write_file("trust-bad.txt", "192.0.2.25\n# fine\nnot-an-address\n");
    for (size_t i = 0; i < sizeof load_error_cases / sizeof load_error_cases[0]; i++) {
        const load_error_case *lc = &load_error_cases[i];
        ot_config cfg;
        char err[1024];

        write_file(lc->name, lc->text);
        ok(!load(&cfg, lc->name, err, sizeof err), "%s is refused", lc->name);
        ok(names_file_line(err, lc->err_file, lc->err_line), "%s: error names %s:%u (%s)", lc->name,
           lc->err_file, lc->err_line, err);
        if (lc->reason_has != NULL)
            ok(strstr(err, lc->reason_has) != NULL, "%s: error mentions %s", lc->name, lc->reason_has);
        ok(printable_one_line(err), "%s: error is one printable line", lc->name);
        ot_config_free(&cfg);
    }

    /* the main file itself missing */
    {
        ot_config cfg;
        char err[1024];
        ok(!load(&cfg, "missing.conf", err, sizeof err), "a missing file is refused");
        ok(strstr(err, "missing.conf:") != NULL, "error names the file (%s)", err);
        ot_config_free(&cfg);
    }

    /* a line longer than OT_MAX_CONF_LINE is an error, not truncated */
    {
        ot_config cfg;
        char err[1024];
        size_t n = snprintf(longline, sizeof longline, "Mode enforce\nRejectText ");
        memset(longline + n, 'x', OT_MAX_CONF_LINE + 10);
        longline[n + OT_MAX_CONF_LINE + 10] = '\0';
        write_file("long.conf", longline);
        ok(!load(&cfg, "long.conf", err, sizeof err), "an overlong line is refused");
        ok(names_file_line(err, "long.conf", 2), "overlong line: error names long.conf:2 (%s)", err);
        ot_config_free(&cfg);
    }
}

static void test_load_include(void)
{
    ot_config cfg;
    char err[1024];
    char path[512], text[700];

    /* relative Include is taken from the including file's directory */
    ok(mkdir_sub("conf.d"), "a subdirectory for included files");
    write_file("conf.d/extra.conf", "RejectScore 13\nInclude more.conf\n");
    write_file("conf.d/more.conf", "LocalHostnames mx2.example.org\n");
    write_file("inc-main.conf", "Mode monitor\nInclude conf.d/extra.conf\nQuarantineScore 5\n");
    ok(load(&cfg, "inc-main.conf", err, sizeof err), "relative Include loads (%s)", err);
    is_double(cfg.reject_score, 13.0, "included file applied");
    ok(cfg.local_hostnames.count == 1, "nested relative Include resolved from conf.d/");
    is_int(cfg.mode, OT_MODE_MONITOR, "lines before Include applied");
    is_double(cfg.quarantine_score, 5.0, "lines after Include applied");
    ot_config_free(&cfg);

    /* absolute Include */
    path_of(path, sizeof path, "conf.d/extra.conf");
    snprintf(text, sizeof text, "Include %s\n", path);
    write_file("inc-abs.conf", text);
    ok(load(&cfg, "inc-abs.conf", err, sizeof err), "absolute Include loads (%s)", err);
    is_double(cfg.reject_score, 13.0, "absolute Include applied");
    ot_config_free(&cfg);

    /* depth: main + OT_MAX_INCLUDE_DEPTH nested files load, one more does not */
    for (unsigned d = 0; d <= OT_MAX_INCLUDE_DEPTH + 1; d++) {
        char name[64];
        snprintf(name, sizeof name, "depth%u.conf", d);
        snprintf(text, sizeof text, "# level %u\nInclude depth%u.conf\n", d, d + 1);
        write_file(name, text);
    }
    {
        char name[64];
        /* the chain ends at depth OT_MAX_INCLUDE_DEPTH: allowed */
        snprintf(name, sizeof name, "depth%u.conf", OT_MAX_INCLUDE_DEPTH);
        write_file(name, "RejectScore 21\n");
        ok(load(&cfg, "depth0.conf", err, sizeof err), "Include nested %u deep loads (%s)",
           OT_MAX_INCLUDE_DEPTH, err);
        is_double(cfg.reject_score, 21.0, "deepest file applied");
        ot_config_free(&cfg);

        /* one level more is refused, naming the line of the Include */
        snprintf(name, sizeof name, "depth%u.conf", OT_MAX_INCLUDE_DEPTH);
        snprintf(text, sizeof text, "# level %u\nInclude depth%u.conf\n", OT_MAX_INCLUDE_DEPTH,
                 OT_MAX_INCLUDE_DEPTH + 1);
        write_file(name, text);
        snprintf(name, sizeof name, "depth%u.conf", OT_MAX_INCLUDE_DEPTH + 1);
        write_file(name, "RejectScore 22\n");
        ok(!load(&cfg, "depth0.conf", err, sizeof err), "Include nested %u deep is refused",
           OT_MAX_INCLUDE_DEPTH + 1);
        snprintf(name, sizeof name, "depth%u.conf", OT_MAX_INCLUDE_DEPTH);
        ok(names_file_line(err, name, 2), "depth error names %s:2 (%s)", name, err);
        ok(strstr(err, "deep") != NULL, "depth error says why");
        ot_config_free(&cfg);
    }

    /* a file including itself stops at the depth limit */
    write_file("loop.conf", "Mode monitor\nInclude loop.conf\n");
    ok(!load(&cfg, "loop.conf", err, sizeof err), "an Include loop is refused");
    ok(names_file_line(err, "loop.conf", 2), "loop error names loop.conf:2 (%s)", err);
    ot_config_free(&cfg);
}

static void test_load_trusted_file(void)
{
    ot_config cfg;
    char err[1024];
    char path[512];

    write_file("relays.txt",
               "# our relays\n"
               "192.0.2.25\n"
               "\n"
               "  198.51.100.0/28   # backup MX pool\n"
               "2001:db8:25::/48\n"
               "192.0.2.40, 192.0.2.41\n"
               "# 203.0.113.9 commented out\n");
    write_file("trust.conf", "LocalHostnames mx.example.org\nTrustedRelays ./relays.txt\nMode monitor\n");
    ok(load(&cfg, "trust.conf", err, sizeof err), "TrustedRelays file loads (%s)", err);
    ok(trusted_has(&cfg, "192.0.2.25"), "file: plain address");
    ok(trusted_has(&cfg, "198.51.100.9"), "file: CIDR with a trailing comment");
    ok(!trusted_has(&cfg, "198.51.100.16"), "file: outside the CIDR");
    ok(trusted_has(&cfg, "2001:db8:25:1::7"), "file: IPv6 CIDR");
    ok(trusted_has(&cfg, "192.0.2.41"), "file: two on a line");
    ok(!trusted_has(&cfg, "203.0.113.9"), "file: commented-out entry ignored");
    is_int(cfg.trusted.count, 5, "five entries");
    is_int(cfg.mode, OT_MODE_MONITOR, "lines after TrustedRelays applied");
    ot_config_free(&cfg);

    /* an absolute path */
    path_of(path, sizeof path, "relays.txt");
    {
        char text[700];
        snprintf(text, sizeof text, "TrustedRelays %s\nTrustedRelays 203.0.113.200\n", path);
        write_file("trust-abs.conf", text);
    }
    ok(load(&cfg, "trust-abs.conf", err, sizeof err), "absolute TrustedRelays file loads (%s)", err);
    ok(trusted_has(&cfg, "192.0.2.25") && trusted_has(&cfg, "203.0.113.200"),
       "file and list both added");
    ot_config_free(&cfg);

    /* the command-line form */
    ot_config_init(&cfg);
    ok(ot_config_add_trusted_arg(&cfg, "192.0.2.7,198.51.100.0/24", err, sizeof err),
       "--trusted list");
    ok(trusted_has(&cfg, "198.51.100.200"), "--trusted list applied");
    ok(ot_config_add_trusted_arg(&cfg, path, err, sizeof err), "--trusted FILE");
    ok(trusted_has(&cfg, "2001:db8:25::1"), "--trusted FILE applied");
    err[0] = '\0';
    ok(!ot_config_add_trusted_arg(&cfg, "not,addresses", err, sizeof err), "--trusted garbage refused");
    ok(err[0] != '\0', "with a reason (%s)", err);
    ot_config_free(&cfg);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* only our own mkdtemp directory, never following links out of it */
static void remove_tree(void)
{
    if (nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        printf("# could not remove %s\n", tmpdir);
}

int main(void)
{
    test_key_rows();
    test_key_coverage();
    test_dnsbl_codes();
    test_defaults();
    test_lists();
    test_weights();
    test_providers();
    test_error_sanitized();
    test_split();

    {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/ot-test-config.XXXXXX", base != NULL && base[0] == '/' ? base : "/tmp");
    }
    if (mkdtemp(tmpdir) == NULL) {
        ok(0, "mkdtemp");
        return tap_done();
    }
    test_load_basic();
    test_load_errors();
    test_load_include();
    test_load_trusted_file();
    remove_tree();
    return tap_done();
}
