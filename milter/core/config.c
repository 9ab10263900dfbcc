/*
 * config.c - the one table of configuration keys and their meaning.
 *
 * Every key of origin-trace.conf, for the analyzer and the daemon alike,
 * is a row of config_keys[]: its name, the kind of value it takes and
 * where the value lands in ot_config. Applying a key never touches a
 * file: Include and a TrustedRelays file are handed back to the caller.
 * List keys append when repeated; the first explicit setting of a list
 * that has built-in defaults replaces those defaults.
 * The lists asked per hop (Provider domains, LocalHostnames,
 * DynamicPatterns) are indexed here, again after every key that may have
 * changed them, so that the analysis only reads ready indexes; an index
 * that could not be built (no memory) is marked so, and the analysis then
 * reads the lists themselves.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "name_index.h"
#include "sanitize.h"

enum key_kind {
    KEY_STRING, KEY_BOOL, KEY_SCORE, KEY_UINT, KEY_MODE, KEY_ON_ERROR, KEY_POSITION,
    KEY_NAMES, KEY_CIDRS, KEY_TRUSTED, KEY_WEIGHT, KEY_PROVIDER, KEY_INCLUDE,
    KEY_UMASK, KEY_LOGLEVEL, KEY_HEADER_NAME, KEY_DNSBL_CODE,
};

typedef struct config_key {
    const char *name;
    enum key_kind kind;
    size_t offset;          /* into ot_config */
    size_t size;            /* KEY_STRING: buffer size */
    unsigned min, max;      /* KEY_UINT bounds */
} config_key;

#define AT(field) offsetof(ot_config, field)
#define STR(field) AT(field), sizeof(((ot_config *)0)->field)

static const config_key config_keys[] = {
    { "Include",             KEY_INCLUDE,     0, 0, 0, 0 },
    { "TrustedRelays",       KEY_TRUSTED,     AT(trusted), 0, 0, 0 },
    { "LocalHostnames",      KEY_NAMES,       AT(local_hostnames), 0, 0, 0 },
    { "Mode",                KEY_MODE,        AT(mode), 0, 0, 0 },
    { "RejectScore",         KEY_SCORE,       AT(reject_score), 0, 0, 0 },
    { "QuarantineScore",     KEY_SCORE,       AT(quarantine_score), 0, 0, 0 },
    { "Weight",              KEY_WEIGHT,      0, 0, 0, 0 },
    { "HeaderName",          KEY_HEADER_NAME, STR(header_name), 0, 0 },
    { "HeaderPosition",      KEY_POSITION,    AT(header_position), 0, 0, 0 },
    { "Provider",            KEY_PROVIDER,    0, 0, 0, 0 },
    { "DynamicPatterns",     KEY_NAMES,       AT(dynamic_patterns), 0, 0, 0 },
    { "MaxReceived",         KEY_UINT,        AT(max_received), 0, 1, 1000 },
    { "DateSkewHours",       KEY_UINT,        AT(date_skew_hours), 0, 1, 24 * 365 },
    { "ClockSkewMinutes",    KEY_UINT,        AT(future_minutes), 0, 0, 24 * 60 },
    { "DNS",                 KEY_BOOL,        AT(dns), 0, 0, 0 },
    { "Nameservers",         KEY_NAMES,       AT(nameservers), 0, 0, 0 },
    { "DNSTimeout",          KEY_UINT,        AT(dns_timeout), 0, 1, 60 },
    { "DNSBLZones",          KEY_NAMES,       AT(dnsbl_zones), 0, 0, 0 },
    { "DNSBLCode",           KEY_DNSBL_CODE,  0, 0, 0, 0 },
    { "OnDNSError",          KEY_ON_ERROR,    AT(on_dns_error), 0, 0, 0 },
    { "SPF",                 KEY_BOOL,        AT(spf), 0, 0, 0 },
    { "DKIM",                KEY_BOOL,        AT(dkim), 0, 0, 0 },
    { "Socket",              KEY_STRING,      STR(socket), 0, 0 },
    { "UserID",              KEY_STRING,      STR(user_id), 0, 0 },
    { "PidFile",             KEY_STRING,      STR(pid_file), 0, 0 },
    { "Umask",               KEY_UMASK,       AT(umask_value), 0, 0, 0 },
    { "Syslog",              KEY_BOOL,        AT(syslog), 0, 0, 0 },
    { "SyslogFacility",      KEY_STRING,      STR(syslog_facility), 0, 0 },
    { "LogLevel",            KEY_LOGLEVEL,    AT(log_level), 0, 0, 0 },
    { "OnError",             KEY_ON_ERROR,    AT(on_error), 0, 0, 0 },
    { "ExemptRecipients",    KEY_NAMES,       AT(exempt_recipients), 0, 0, 0 },
    { "ExemptClients",       KEY_CIDRS,       AT(exempt_clients), 0, 0, 0 },
    { "ExemptAuthenticated", KEY_BOOL,        AT(exempt_authenticated), 0, 0, 0 },
    { "RejectText",          KEY_STRING,      STR(reject_text), 0, 0 },
};

#define NKEYS (sizeof config_keys / sizeof config_keys[0])

static const char *const default_dynamic_patterns[] = {
    "dsl", "dial", "dyn", "ppp", "pool", "cable", "dhcp", "client", "cpe",
    "broadband", "user", "host", "ip-", "customer", "cust", "res", "home",
    "modem", "mobile", "wireless", "static", "adsl", "catv", "node", "fibre",
    "fiber", "ftth", "wlan", "dialup", "dynamic", NULL,
};

static const struct {
    const char *name;
    const char *domains;
} default_providers[] = {
    { "google",    "google.com,gmail.com,googlemail.com,1e100.net" },
    { "microsoft", "hotmail.com,outlook.com,live.com,msn.com,microsoft.com,passport.com,hotmail.co.uk" },
    { "yahoo",     "yahoo.com,yahoo.co.uk,yahoo.co.jp,yahoo.fr,yahoo.de,yahoo.net,yahoodns.net,ymail.com" },
    { "aol",       "aol.com,aol.net,aim.com,compuserve.com,netscape.net" },
    { "apple",     "icloud.com,me.com,mac.com,apple.com" },
    { "amazon",    "amazon.com,amazonses.com" },
};

static void set_err(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errsize, const char *fmt, ...)
{
    char raw[512];
    va_list ap;

    if (err == NULL || errsize == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ot_sanitize(err, errsize, raw, strlen(raw));
}

bool ot_name_list_add(ot_name_list *l, const char *name, size_t len)
{
    char **grown;
    char *copy;

    if (len > 1 && name[len - 1] == '.')
        len--;    /* "mx.example.org." and "mx.example.org" are one name */
    if (len == 0 || len >= OT_HOST_SIZE || l->count >= OT_MAX_NAMES)
        return false;
    grown = realloc(l->items, (l->count + 1) * sizeof *l->items);
    if (grown == NULL)
        return false;
    l->items = grown;
    copy = malloc(len + 1);
    if (copy == NULL)
        return false;
    for (size_t i = 0; i < len; i++)
        copy[i] = (char)tolower((unsigned char)name[i]);
    copy[len] = '\0';
    l->items[l->count++] = copy;
    return true;
}

void ot_name_list_free(ot_name_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* Calls add(token) for each comma- or space-separated token of list. */
static bool for_each_token(const char *list, bool (*add)(void *, const char *, size_t),
                           void *arg, char *err, size_t errsize)
{
    const char *p = list;

    while (*p != '\0') {
        size_t n;

        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        n = strcspn(p, ", \t");
        if (n == 0)
            break;
        if (!add(arg, p, n)) {
            set_err(err, errsize, "bad or too many entries at \"%.*s\"", (int)(n > 80 ? 80 : n), p);
            return false;
        }
        p += n;
    }
    return true;
}

static bool add_name_token(void *arg, const char *tok, size_t len)
{
    return ot_name_list_add(arg, tok, len);
}

static bool add_cidr_token(void *arg, const char *tok, size_t len)
{
    ot_cidr c;

    return ot_cidr_parse(tok, len, &c) && ot_cidr_list_add(arg, &c);
}

bool ot_config_add_trusted(ot_config *c, const char *list, char *err, size_t errsize)
{
    return for_each_token(list, add_cidr_token, &c->trusted, err, errsize);
}

static bool set_names(ot_name_list *l, const char *value, char *err, size_t errsize)
{
    if (l->is_default) {
        ot_name_list_free(l);
        l->is_default = false;
    }
    return for_each_token(value, add_name_token, l, err, errsize);
}

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = { "yes", "true", "1", "on" };
    static const char *const no[] = { "no", "false", "0", "off" };

    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_number(const char *v, double lo, double hi, double *out)
{
    char *end;
    double d;

    errno = 0;
    d = strtod(v, &end);
    if (end == v || *end != '\0' || errno != 0 || !(d >= lo && d <= hi))
        return false;
    *out = d;
    return true;
}

int ot_config_signal_index(const char *name)
{
    for (int i = 0; i < OT_SIG_COUNT; i++)
        if (strcasecmp(ot_signal_table[i].name, name) == 0)
            return i;
    return -1;
}

static ot_provider *find_provider(ot_config *c, const char *name, size_t len)
{
    for (size_t i = 0; i < c->nproviders; i++)
        if (strlen(c->providers[i].name) == len && strncasecmp(c->providers[i].name, name, len) == 0)
            return &c->providers[i];
    if (c->nproviders >= OT_MAX_PROVIDERS || len >= sizeof c->providers[0].name)
        return NULL;
    ot_provider *p = &c->providers[c->nproviders++];
    memset(p, 0, sizeof *p);
    ot_strlcpy_n(p->name, sizeof p->name, name, len);
    return p;
}

/* "NAME domain,domain": replaces that provider's domains. */
static bool set_provider(ot_config *c, const char *value, char *err, size_t errsize)
{
    size_t n = strcspn(value, " \t");
    const char *rest = value + n;
    ot_provider *p;

    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (n == 0 || *rest == '\0') {
        set_err(err, errsize, "Provider wants a name and a list of domains");
        return false;
    }
    p = find_provider(c, value, n);
    if (p == NULL) {
        set_err(err, errsize, "too many providers (at most %u)", OT_MAX_PROVIDERS);
        return false;
    }
    ot_name_list_free(&p->domains);
    return for_each_token(rest, add_name_token, &p->domains, err, errsize);
}

static bool set_weight(ot_config *c, const char *value, char *err, size_t errsize)
{
    char name[64];
    size_t n = strcspn(value, " \t");
    const char *rest = value + n;
    double w;
    int idx;

    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (n == 0 || n >= sizeof name || *rest == '\0') {
        set_err(err, errsize, "Weight wants a signal name and a number");
        return false;
    }
    memcpy(name, value, n);
    name[n] = '\0';
    idx = ot_config_signal_index(name);
    if (idx < 0) {
        set_err(err, errsize, "unknown signal \"%s\"", name);
        return false;
    }
    if (!parse_number(rest, -1000.0, 1000.0, &w)) {
        set_err(err, errsize, "bad weight \"%s\" for %s", rest, name);
        return false;
    }
    c->weight[idx] = w;
    return true;
}

/* "DNSBLCode ZONE CODE WEIGHT": what one return code of one zone means. */
static bool set_dnsbl_code(ot_config *c, const char *value, char *err, size_t errsize)
{
    char zone[OT_HOST_SIZE], code[OT_IPTEXT_SIZE];
    size_t zn = strcspn(value, " \t"), cn;
    const char *p = value + zn;
    ot_dnsbl_code *dc;
    double w;

    while (*p == ' ' || *p == '\t')
        p++;
    cn = strcspn(p, " \t");
    if (zn == 0 || zn >= sizeof zone || cn == 0 || cn >= sizeof code) {
        set_err(err, errsize, "DNSBLCode wants a zone, a code (127.0.0.N) and a weight");
        return false;
    }
    if (c->ndnsbl_codes >= OT_MAX_DNSBL_CODES) {
        set_err(err, errsize, "more than %u DNSBLCode entries", OT_MAX_DNSBL_CODES);
        return false;
    }
    memcpy(zone, value, zn);
    zone[zn] = '\0';
    if (zone[zn - 1] == '.')
        zone[zn - 1] = '\0';
    memcpy(code, p, cn);
    code[cn] = '\0';
    dc = &c->dnsbl_codes[c->ndnsbl_codes];
    if (!ot_addr_parse(code, cn, &dc->code) || dc->code.family != 4 || dc->code.bytes[0] != 127) {
        set_err(err, errsize, "DNSBL code \"%s\" is not an address in 127.0.0.0/8", code);
        return false;
    }
    p += cn;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!parse_number(p, -1000.0, 1000.0, &w)) {
        set_err(err, errsize, "bad weight \"%s\" for DNSBLCode %s %s", p, zone, code);
        return false;
    }
    memcpy(dc->zone, zone, strlen(zone) + 1);
    dc->weight = w;
    c->ndnsbl_codes++;
    return true;
}

const ot_dnsbl_code *ot_config_dnsbl_code(const ot_config *c, const char *zone, const ot_addr *code)
{
    for (size_t i = 0; i < c->ndnsbl_codes; i++)
        if (strcasecmp(c->dnsbl_codes[i].zone, zone) == 0 &&
            ot_addr_equal(&c->dnsbl_codes[i].code, code))
            return &c->dnsbl_codes[i];
    return NULL;
}

static bool valid_header_name(const char *v)
{
    size_t n = strlen(v);

    if (n == 0 || n >= 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
            return false;
    return true;
}

static bool set_choice(const char *v, const char *a, const char *b, int *out)
{
    if (strcasecmp(v, a) == 0)
        *out = 0;
    else if (strcasecmp(v, b) == 0)
        *out = 1;
    else
        return false;
    return true;
}

static bool set_loglevel(const char *v, int *out)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    double d;

    for (int i = 0; i < 4; i++)
        if (strcasecmp(v, names[i]) == 0) {
            *out = i;
            return true;
        }
    if (!parse_number(v, 0, 3, &d) || d != (int)d)
        return false;
    *out = (int)d;
    return true;
}

static enum ot_conf_status apply_key(ot_config *c, const config_key *k, const char *value,
                                     char *err, size_t errsize)
{
    char *field = (char *)c + k->offset;
    double d;
    bool b;
    int choice;

    switch (k->kind) {
    case KEY_INCLUDE:
        return OT_CONF_INCLUDE;
    case KEY_TRUSTED:
        if (value[0] == '/' || value[0] == '.')
            return OT_CONF_TRUSTED_FILE;
        return ot_config_add_trusted(c, value, err, errsize) ? OT_CONF_OK : OT_CONF_BAD_VALUE;
    case KEY_STRING:
        if (strlen(value) >= k->size) {
            set_err(err, errsize, "%s is longer than %zu bytes", k->name, k->size - 1);
            return OT_CONF_BAD_VALUE;
        }
        ot_strlcpy_n(field, k->size, value, strlen(value));
        return OT_CONF_OK;
    case KEY_HEADER_NAME:
        if (!valid_header_name(value)) {
            set_err(err, errsize, "HeaderName must be 1-63 letters, digits, '-' or '_'");
            return OT_CONF_BAD_VALUE;
        }
        ot_strlcpy_n(field, k->size, value, strlen(value));
        return OT_CONF_OK;
    case KEY_BOOL:
        if (!parse_bool(value, &b))
            break;
        *(bool *)(void *)field = b;
        return OT_CONF_OK;
    case KEY_SCORE:
        if (!parse_number(value, -10000.0, 10000.0, &d))
            break;
        *(double *)(void *)field = d;
        return OT_CONF_OK;
    case KEY_UINT:
        if (!parse_number(value, k->min, k->max, &d) || d != (unsigned)d)
            break;
        *(unsigned *)(void *)field = (unsigned)d;
        return OT_CONF_OK;
    case KEY_UMASK: {
        char *end;
        unsigned long m = strtoul(value, &end, 8);
        if (end == value || *end != '\0' || m > 0777)
            break;
        *(unsigned *)(void *)field = (unsigned)m;
        return OT_CONF_OK;
    }
    case KEY_LOGLEVEL:
        if (!set_loglevel(value, &choice))
            break;
        *(int *)(void *)field = choice;
        return OT_CONF_OK;
    case KEY_MODE:
        if (!set_choice(value, "enforce", "monitor", &choice))
            break;
        *(enum ot_mode *)(void *)field = (enum ot_mode)choice;
        return OT_CONF_OK;
    case KEY_ON_ERROR:
        if (!set_choice(value, "accept", "tempfail", &choice))
            break;
        *(enum ot_on_error *)(void *)field = (enum ot_on_error)choice;
        return OT_CONF_OK;
    case KEY_POSITION:
        if (!set_choice(value, "top", "bottom", &choice))
            break;
        *(enum ot_header_pos *)(void *)field = (enum ot_header_pos)choice;
        return OT_CONF_OK;
    case KEY_NAMES:
        if (!set_names((ot_name_list *)(void *)field, value, err, errsize))
            return OT_CONF_BAD_VALUE;
        if (field == (void *)&c->dnsbl_zones && c->dnsbl_zones.count > OT_MAX_DNSBL_ZONES) {
            set_err(err, errsize, "more than %u DNSBLZones", OT_MAX_DNSBL_ZONES);
            return OT_CONF_BAD_VALUE;
        }
        return OT_CONF_OK;
    case KEY_CIDRS: {
        ot_cidr_list *l = (ot_cidr_list *)(void *)field;
        return for_each_token(value, add_cidr_token, l, err, errsize) ? OT_CONF_OK
                                                                       : OT_CONF_BAD_VALUE;
    }
    case KEY_WEIGHT:
        return set_weight(c, value, err, errsize) ? OT_CONF_OK : OT_CONF_BAD_VALUE;
    case KEY_PROVIDER:
        return set_provider(c, value, err, errsize) ? OT_CONF_OK : OT_CONF_BAD_VALUE;
    case KEY_DNSBL_CODE:
        return set_dnsbl_code(c, value, err, errsize) ? OT_CONF_OK : OT_CONF_BAD_VALUE;
    }
    set_err(err, errsize, "bad value \"%s\" for %s", value, k->name);
    return OT_CONF_BAD_VALUE;
}

/* The indexes of the lists the analysis asks per hop, built anew. */
static void config_reindex(ot_config *c)
{
    const ot_name_list *lists[OT_MAX_PROVIDERS];
    const ot_name_list *local = &c->local_hostnames;

    _Static_assert(OT_MAX_PROVIDERS <= OT_NAME_INDEX_LISTS, "a provider is one bit");
    for (size_t i = 0; i < c->nproviders; i++)
        lists[i] = &c->providers[i].domains;
    (void)ot_name_index_build(&c->provider_index, lists, c->nproviders);
    (void)ot_name_index_build(&c->local_index, &local, 1);
    ot_pattern_index_build(&c->dynamic_index, &c->dynamic_patterns);
}

enum ot_conf_status ot_config_apply(ot_config *c, const char *key, const char *value,
                                    char *err, size_t errsize)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcasecmp(config_keys[i].name, key) != 0)
            continue;
        if (*value == '\0') {
            set_err(err, errsize, "%s needs a value", config_keys[i].name);
            return OT_CONF_BAD_VALUE;
        }
        enum ot_conf_status st = apply_key(c, &config_keys[i], value, err, errsize);
        /* a list key changes its list even when a later entry fails */
        if (config_keys[i].kind == KEY_NAMES || config_keys[i].kind == KEY_PROVIDER)
            config_reindex(c);
        return st;
    }
    set_err(err, errsize, "unknown key \"%s\"", key);
    return OT_CONF_UNKNOWN_KEY;
}

bool ot_config_split_line(char *line, char **key, char **value)
{
    char *p = line, *end;

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0' || *p == '#')
        return false;
    *key = p;
    while (*p != '\0' && !isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        *p++ = '\0';
    while (isspace((unsigned char)*p))
        p++;
    /* a '#' preceded by white space starts a comment; inside a value it does not */
    for (end = p; *end != '\0'; end++)
        if (*end == '#' && (end == p || isspace((unsigned char)end[-1]))) {
            *end = '\0';
            break;
        }
    end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    *value = p;
    return true;
}

const char *ot_config_key_name(size_t index)
{
    return index < NKEYS ? config_keys[index].name : NULL;
}

void ot_config_init(ot_config *c)
{
    memset(c, 0, sizeof *c);
    ot_cidr_list_init(&c->trusted);
    ot_cidr_list_init(&c->exempt_clients);
    c->mode = OT_MODE_ENFORCE;
    c->reject_score = 9.0;
    c->quarantine_score = 6.0;
    for (int i = 0; i < OT_SIG_COUNT; i++)
        c->weight[i] = ot_signal_table[i].weight;
    ot_strlcpy_n(c->header_name, sizeof c->header_name, "X-Origin-Trace", 14);
    c->header_position = OT_HEADER_TOP;
    for (size_t i = 0; default_dynamic_patterns[i] != NULL; i++)
        ot_name_list_add(&c->dynamic_patterns, default_dynamic_patterns[i],
                         strlen(default_dynamic_patterns[i]));
    c->dynamic_patterns.is_default = true;
    for (size_t i = 0; i < sizeof default_providers / sizeof default_providers[0]; i++) {
        ot_provider *p = find_provider(c, default_providers[i].name, strlen(default_providers[i].name));
        if (p != NULL)
            for_each_token(default_providers[i].domains, add_name_token, &p->domains, NULL, 0);
    }
    c->max_received = 40;
    c->date_skew_hours = 72;
    c->future_minutes = 60;
    c->dns = false;
    c->spf = true;
    c->dkim = true;
    c->dns_timeout = 5;
    c->on_dns_error = OT_ON_ERROR_ACCEPT;
    ot_strlcpy_n(c->socket, sizeof c->socket, "unix:/run/origin-trace/milter.sock", 34);
    ot_strlcpy_n(c->syslog_facility, sizeof c->syslog_facility, "mail", 4);
    c->syslog = true;
    c->umask_value = 007;
    c->log_level = 2;
    c->on_error = OT_ON_ERROR_ACCEPT;
    ot_name_list_add(&c->exempt_recipients, "postmaster@", 11);
    ot_name_list_add(&c->exempt_recipients, "abuse@", 6);
    c->exempt_recipients.is_default = true;
    c->exempt_authenticated = true;
    ot_strlcpy_n(c->reject_text, sizeof c->reject_text,
                 "Message rejected: forged or untraceable origin", 46);
    config_reindex(c);
}

void ot_config_free(ot_config *c)
{
    ot_cidr_list_free(&c->trusted);
    ot_cidr_list_free(&c->exempt_clients);
    ot_name_list_free(&c->local_hostnames);
    ot_name_list_free(&c->dynamic_patterns);
    ot_name_list_free(&c->nameservers);
    ot_name_list_free(&c->dnsbl_zones);
    ot_name_list_free(&c->exempt_recipients);
    for (size_t i = 0; i < c->nproviders; i++)
        ot_name_list_free(&c->providers[i].domains);
    c->nproviders = 0;
    ot_name_index_free(&c->provider_index);
    ot_name_index_free(&c->local_index);
    c->dynamic_index.ready = false;
}
