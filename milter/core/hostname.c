/*
 * hostname.c - pure tests on the shape of a host name.
 *
 * Names reach us from HELO commands and Received lines, so every function
 * takes a length or relies on the bounded, NUL-terminated copies the
 * parsers made, and never allocates. "Organisation domain" is a heuristic
 * (last two labels, three under common two-level public suffixes): good
 * enough to tell "mail.example.com" and "smtp.example.com" belong together,
 * not a public suffix list.
 */
#include "hostname.h"

#include "name_index.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* ASCII classes, spelled out: <ctype.h> looks each byte up through a
 * function call, per byte of every name, and a host name is ASCII by
 * definition (these agree with <ctype.h> in the C locale the core runs in). */
static bool ascii_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool ascii_alpha(unsigned char c)
{
    return (unsigned char)((c | 0x20u) - 'a') < 26u;
}

static bool is_ldh(unsigned char c)
{
    return ascii_digit(c) || ascii_alpha(c) || c == '-';
}

bool ot_host_is_valid(const char *name, size_t len)
{
    size_t label = 0;

    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '.') {
            if (label == 0 || name[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        /* '_' is not LDH, but common in real HELOs of Windows hosts; it is
         * judged by HELO_INVALID's caller through the strict flag below */
        if (!is_ldh(c) && c != '_')
            return false;
        if (label == 0 && c == '-')
            return false;
        if (++label > 63)
            return false;
    }
    return name[len - 1] != '-' && name[len - 1] != '.';
}

bool ot_host_is_fqdn(const char *name, size_t len)
{
    const char *dot;
    size_t last_len;

    if (len > 0 && name[len - 1] == '.')
        len--;
    if (!ot_host_is_valid(name, len))
        return false;
    dot = memrchr(name, '.', len);
    if (dot == NULL)
        return false;
    last_len = len - (size_t)(dot + 1 - name);
    if (last_len < 2)
        return false;
    if (last_len > 4 && strncasecmp(dot + 1, "xn--", 4) == 0)
        return true;   /* an internationalised TLD in its ASCII form */
    for (const char *p = dot + 1; p < name + len; p++)
        if (!ascii_alpha((unsigned char)*p))
            return false;
    return true;
}

bool ot_host_is_literal(const char *name, size_t len, ot_addr *addr)
{
    ot_addr tmp;

    if (len < 3 || name[0] != '[' || name[len - 1] != ']')
        return false;
    if (addr == NULL)
        addr = &tmp;
    if (!ot_addr_parse(name, len, addr))
        addr->family = 0;
    return true;
}

bool ot_host_is_bare_ip(const char *name, size_t len, ot_addr *addr)
{
    ot_addr tmp;

    if (len == 0 || name[0] == '[')
        return false;
    return ot_addr_parse(name, len, addr != NULL ? addr : &tmp);
}

bool ot_host_is_localhost(const char *name, size_t len)
{
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len < 9 || (name[0] != 'l' && name[0] != 'L'))
        return false;          /* most names: no call to compare */
    if (len == 9 && strncasecmp(name, "localhost", 9) == 0)
        return true;
    if (len > 10 && strncasecmp(name, "localhost.", 10) == 0)
        return true;   /* localhost.localdomain and friends */
    return false;
}

static unsigned char lower_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* strncasecmp(a, b, n) == 0 for bytes known to hold no NUL in the first n
 * of a; ASCII case only, as in the C locale the core runs in. Inline: the
 * names compared are short and a library call cost more than the compare. */
static bool equal_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower_byte((unsigned char)a[i]) != lower_byte((unsigned char)b[i]))
            return false;
    return true;
}

bool ot_host_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la > 0 && a[la - 1] == '.')
        la--;
    if (lb > 0 && b[lb - 1] == '.')
        lb--;
    return la == lb && la > 0 && equal_ci(a, b, la);
}

/* name equals domain or ends with "." domain */
static bool under_domain(const char *name, size_t len, const char *domain)
{
    size_t dl = 0;

    /* list entries are short: counting inline beats a strlen call, and
     * every provider domain is asked for every name judged */
    while (domain[dl] != '\0')
        dl++;

    if (len > 0 && name[len - 1] == '.')
        len--;
    if (dl == 0 || len < dl)
        return false;
    if (!equal_ci(name + len - dl, domain, dl))
        return false;
    return len == dl || name[len - dl - 1] == '.';
}

/* A name prepared for matching against many list entries: an entry can
 * only match the part of the name from one of its label starts to its end,
 * so only entries beginning with the first letter of some label are
 * compared at all. The provider lists are asked about several names per
 * message, and measuring every entry's length for every name cost more
 * than the rest of the host checks together. */
#define NAME_MAX_STARTS 64u

typedef struct name_view {
    const char *name;
    size_t len;                      /* without one trailing dot */
    size_t starts[NAME_MAX_STARTS];  /* where its labels begin */
    size_t nstarts;
    bool too_many;                   /* more labels than starts holds */
    uint64_t first[4];               /* first bytes of the labels, in both cases */
} name_view;

static void name_view_make(name_view *v, const char *name, size_t len)
{
    if (len > 0 && name[len - 1] == '.')
        len--;
    v->name = name;
    v->len = len;
    v->nstarts = 0;
    v->too_many = false;
    memset(v->first, 0, sizeof v->first);
    for (size_t p = 0; p < len; p++) {
        if (p > 0 && name[p - 1] != '.')
            continue;
        if (v->nstarts == NAME_MAX_STARTS) {
            v->too_many = true;
            return;
        }
        /* both cases: list entries are then tested by their raw first byte */
        unsigned char c = lower_byte((unsigned char)name[p]);
        unsigned char u = c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
        v->starts[v->nstarts++] = p;
        v->first[c >> 6] |= (uint64_t)1 << (c & 63u);
        v->first[u >> 6] |= (uint64_t)1 << (u & 63u);
    }
}

/* under_domain(), for a prepared name */
static bool view_under_domain(const name_view *v, const char *domain)
{
    unsigned char c = (unsigned char)domain[0];

    if (c == '\0' || !((v->first[c >> 6] >> (c & 63u)) & 1u))
        return false;
    for (size_t i = 0; i < v->nstarts; i++) {
        size_t p = v->starts[i], j = 0;
        while (p + j < v->len && domain[j] != '\0' &&
               lower_byte((unsigned char)v->name[p + j]) == lower_byte((unsigned char)domain[j]))
            j++;
        if (p + j == v->len && domain[j] == '\0')
            return true;
    }
    return false;
}

static bool view_in_list(const name_view *v, const ot_name_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        if (v->too_many ? under_domain(v->name, v->len, list->items[i])
                        : view_under_domain(v, list->items[i]))
            return true;
    }
    return false;
}

bool ot_host_in_list(const char *name, const ot_name_list *list)
{
    name_view v;

    if (list->count == 0)
        return false;          /* LocalHostnames is often empty */
    name_view_make(&v, name, strlen(name));
    return view_in_list(&v, list);
}

int ot_host_provider(const ot_config *cfg, const char *name)
{
    name_view v;

    if (cfg->provider_index.ready) {
        /* the providers in order: the lowest bit is the first that matches */
        uint32_t bits = ot_name_index_lookup(&cfg->provider_index, name, strlen(name));
        return bits != 0 ? __builtin_ctz(bits) : -1;
    }
    name_view_make(&v, name, strlen(name));
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (view_in_list(&v, &cfg->providers[i].domains))
            return (int)i;
    return -1;
}

bool ot_host_in_provider(const ot_config *cfg, const char *name, int provider)
{
    if (provider < 0 || (size_t)provider >= cfg->nproviders)
        return false;
    if (cfg->provider_index.ready)
        return (ot_name_index_lookup(&cfg->provider_index, name, strlen(name)) >> provider) & 1u;
    return ot_host_in_list(name, &cfg->providers[provider].domains);
}

bool ot_host_is_local(const ot_config *cfg, const char *name)
{
    if (cfg->local_hostnames.count == 0)
        return false;
    if (cfg->local_index.ready)
        return ot_name_index_lookup(&cfg->local_index, name, strlen(name)) != 0;
    return ot_host_in_list(name, &cfg->local_hostnames);
}

/* Does the name spell out three consecutive octets of the address, in
 * either order, as decimal groups ("203-0-113-45", "45.113.0.203")?
 * Dynamic pools name hosts after their address. */
static bool embeds_ipv4(const char *name, const ot_addr *addr)
{
    unsigned groups[32];
    size_t ngroups = 0;
    const uint8_t *b;

    if (addr == NULL || addr->family != 4)
        return false;
    b = addr->bytes;
    for (const char *p = name; *p != '\0' && ngroups < 32;) {
        unsigned v = 0;
        size_t digits = 0;

        if (!ascii_digit((unsigned char)*p)) {
            p++;
            continue;
        }
        while (ascii_digit((unsigned char)*p)) {
            if (digits < 4)
                v = v * 10 + (unsigned)(*p - '0');
            digits++;
            p++;
        }
        groups[ngroups++] = digits <= 3 ? v : 1000;   /* 1000 matches no octet */
    }
    for (size_t i = 0; i + 3 <= ngroups; i++)
        for (size_t k = 0; k <= 1; k++) {
            const unsigned *g = groups + i;
            if (g[0] == b[k] && g[1] == b[k + 1] && g[2] == b[k + 2])
                return true;
            if (g[0] == b[3 - k] && g[1] == b[2 - k] && g[2] == b[1 - k])
                return true;
        }
    return false;
}

/* The octets joined without separators, zero-padded ("203000113045") */
static bool embeds_padded_ipv4(const char *name, const ot_addr *addr)
{
    char fwd[13], rev[13];
    const uint8_t *b;

    if (addr == NULL || addr->family != 4)
        return false;
    b = addr->bytes;
    for (int i = 0; i < 4; i++) {
        fwd[i * 3] = (char)('0' + b[i] / 100);
        fwd[i * 3 + 1] = (char)('0' + b[i] / 10 % 10);
        fwd[i * 3 + 2] = (char)('0' + b[i] % 10);
        rev[i * 3] = (char)('0' + b[3 - i] / 100);
        rev[i * 3 + 1] = (char)('0' + b[3 - i] / 10 % 10);
        rev[i * 3 + 2] = (char)('0' + b[3 - i] % 10);
    }
    fwd[12] = rev[12] = '\0';
    return strstr(name, fwd) != NULL || strstr(name, rev) != NULL;
}

/* A pattern counts when it starts a label or follows a separator, and a
 * digit sits within that label: "dsl-45", "pool-198", "ppp12", "dyn.".
 * A bare "host" in "mailhost.example.com" does not count.
 * Each label is walked once: at every place a pattern may start, only the
 * patterns beginning with that letter are compared (trying every pattern
 * at every place cost more than the rest of the analysis of a message). */
static bool has_dynamic_token(const ot_config *cfg, const char *name)
{
    const ot_name_list *pats = &cfg->dynamic_patterns;
    ot_pattern_index local;
    const ot_pattern_index *px = &cfg->dynamic_index;

    if (!px->ready) {
        /* a configuration not made by config.c: chain the patterns here */
        ot_pattern_index_build(&local, pats);
        px = &local;
    }
    const uint16_t *first = px->first, *next = px->next;
    bool empty_pattern = px->has_empty;

    for (const char *label = name; *label != '\0';) {
        size_t llen = strcspn(label, ".");
        bool label_has_digit = false;

        for (size_t i = 0; i < llen; i++)
            if (ascii_digit((unsigned char)label[i]))
                label_has_digit = true;
        /* an empty pattern matches at the start of any label */
        if (empty_pattern && (llen == 0 || label_has_digit))
            return true;
        for (size_t at = 0; at < llen; at++) {
            if (at > 0 && ascii_alpha((unsigned char)label[at - 1]))
                continue;
            for (unsigned k = first[lower_byte((unsigned char)label[at]) & 31u]; k != 0; k = next[k - 1]) {
                const char *pat = pats->items[k - 1];
                size_t pl = 0;

                if (pat[0] == '\0')
                    continue;          /* empty patterns were judged above */
                /* the pattern must lie whole within the label */
                while (pat[pl] != '\0' && at + pl < llen &&
                       lower_byte((unsigned char)label[at + pl]) == lower_byte((unsigned char)pat[pl]))
                    pl++;
                if (pat[pl] != '\0')
                    continue;
                /* a whole label like "dyn" or "dialup" is enough; inside a
                 * longer label we want digits beside it */
                if (pl == llen || label_has_digit)
                    return true;
            }
        }
        label += llen;
        if (*label == '.')
            label++;
    }
    return false;
}

bool ot_host_looks_dynamic(const ot_config *cfg, const char *name, const ot_addr *addr)
{
    if (name == NULL || name[0] == '\0')
        return false;
    if (embeds_ipv4(name, addr) || embeds_padded_ipv4(name, addr))
        return true;
    return has_dynamic_token(cfg, name);
}

static const char *const two_level_suffixes[] = {
    "co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "ltd", "plc", NULL,
};

const char *ot_host_org_domain(const char *name)
{
    size_t len = strlen(name);
    const char *dots[3];     /* the last three dots, nearest the end first */
    size_t ndots = 0;

    if (len > 0 && name[len - 1] == '.')
        len--;
    for (size_t end = len; ndots < 3;) {
        const char *dot = memrchr(name, '.', end);
        if (dot == NULL)
            break;
        dots[ndots++] = dot;
        end = (size_t)(dot - name);
    }
    if (ndots < 2)
        return name;
    /* "mail.example.co.uk": a two-letter TLD under a generic second level */
    if (ndots >= 2 && (size_t)(name + len - dots[0]) == 3) {
        size_t sl = (size_t)(dots[0] - dots[1] - 1);
        for (size_t i = 0; two_level_suffixes[i] != NULL; i++)
            if (strlen(two_level_suffixes[i]) == sl && equal_ci(dots[1] + 1, two_level_suffixes[i], sl))
                return ndots >= 3 ? dots[2] + 1 : name;
    }
    return dots[1] + 1;
}
