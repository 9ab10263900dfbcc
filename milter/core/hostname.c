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

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool is_ldh(unsigned char c)
{
    return isalnum(c) || c == '-';
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
        if (!isalpha((unsigned char)*p))
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
    if (len == 9 && strncasecmp(name, "localhost", 9) == 0)
        return true;
    if (len > 10 && strncasecmp(name, "localhost.", 10) == 0)
        return true;   /* localhost.localdomain and friends */
    return false;
}

bool ot_host_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la > 0 && a[la - 1] == '.')
        la--;
    if (lb > 0 && b[lb - 1] == '.')
        lb--;
    return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

/* name equals domain or ends with "." domain */
static bool under_domain(const char *name, size_t len, const char *domain)
{
    size_t dl = strlen(domain);

    if (len > 0 && name[len - 1] == '.')
        len--;
    if (dl == 0 || len < dl)
        return false;
    if (strncasecmp(name + len - dl, domain, dl) != 0)
        return false;
    return len == dl || name[len - dl - 1] == '.';
}

bool ot_host_in_list(const char *name, const ot_name_list *list)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < list->count; i++)
        if (under_domain(name, len, list->items[i]))
            return true;
    return false;
}

int ot_host_provider(const ot_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (ot_host_in_list(name, &cfg->providers[i].domains))
            return (int)i;
    return -1;
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

        if (!isdigit((unsigned char)*p)) {
            p++;
            continue;
        }
        while (isdigit((unsigned char)*p)) {
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
 * A bare "host" in "mailhost.example.com" does not count. */
static bool has_dynamic_token(const ot_config *cfg, const char *name)
{
    for (const char *label = name; *label != '\0';) {
        size_t llen = strcspn(label, ".");
        bool label_has_digit = false;

        for (size_t i = 0; i < llen; i++)
            if (isdigit((unsigned char)label[i]))
                label_has_digit = true;
        for (size_t i = 0; i < cfg->dynamic_patterns.count; i++) {
            const char *pat = cfg->dynamic_patterns.items[i];
            size_t pl = strlen(pat);

            for (size_t at = 0; at + pl <= llen; at++) {
                if (at > 0 && isalpha((unsigned char)label[at - 1]))
                    continue;
                if (strncasecmp(label + at, pat, pl) != 0)
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
    for (size_t i = len; i > 0 && ndots < 3; i--)
        if (name[i - 1] == '.')
            dots[ndots++] = name + i - 1;
    if (ndots < 2)
        return name;
    /* "mail.example.co.uk": a two-letter TLD under a generic second level */
    if (ndots >= 2 && (size_t)(name + len - dots[0]) == 3) {
        size_t sl = (size_t)(dots[0] - dots[1] - 1);
        for (size_t i = 0; two_level_suffixes[i] != NULL; i++)
            if (strlen(two_level_suffixes[i]) == sl &&
                strncasecmp(dots[1] + 1, two_level_suffixes[i], sl) == 0)
                return ndots >= 3 ? dots[2] + 1 : name;
    }
    return dots[1] + 1;
}
