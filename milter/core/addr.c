/*
 * addr.c - IP addresses as text in and out, their classes, CIDR blocks.
 *
 * Owns the one address parser of the core. IPv4 is a strict dotted quad
 * (four parts of one to three decimal digits, each at most 255); leading
 * zeros are read as decimal, never octal, because old mail writes
 * "201.151.171.08" and means 8. IPv6 is every text form of RFC 4291
 * section 2.2 ("::" once, an embedded dotted quad in the last 32 bits).
 * The forms address literals take in mail ("[...]", "IPv6:") are
 * accepted around either. An IPv4-mapped address (::ffff:0:0/96) is the
 * IPv4 address it carries, so that one peer has one form.
 * Printing follows RFC 5952: lower case, no leading zeros, the longest run
 * of two or more zero groups (the first on a tie) shortened to "::".
 * Limits: at most OT_IPTEXT_SIZE-1 bytes of text; a CIDR list never
 * holds more than OT_MAX_TRUSTED blocks. No libc parser is used, so the
 * same text means the same address on every platform.
 */
#include "addr.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static unsigned digit_value(const char *s, size_t len, size_t i)
{
    return i < len ? (unsigned)(unsigned char)s[i] - '0' : 10u;   /* >= 10: not a digit */
}

static bool parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned value, d;

        if (part > 0) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
        /* one to three digits, spelled out: every peer address comes here */
        if ((value = digit_value(s, len, i)) > 9)
            return false;
        i++;
        if ((d = digit_value(s, len, i)) <= 9) {
            value = value * 10u + d;
            i++;
            if ((d = digit_value(s, len, i)) <= 9) {
                value = value * 10u + d;
                i++;
                if (digit_value(s, len, i) <= 9)
                    return false;      /* a fourth digit */
            }
        }
        if (value > 255u)
            return false;
        out[part] = (uint8_t)value;
    }
    return i == len;
}

static bool parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
    uint16_t groups[8];
    size_t ngroups = 0, i = 0;
    long gap = -1;              /* group index where "::" stands */

    if (len < 2)
        return false;
    if (s[0] == ':') {
        if (s[1] != ':')
            return false;
        gap = 0;
        i = 2;
    }
    while (i < len) {
        size_t start = i, digits = 0;
        unsigned value = 0;

        while (i < len && hex_value(s[i]) >= 0) {
            if (++digits > 4)
                break;
            value = (value << 4) | (unsigned)hex_value(s[i]);
            i++;
        }
        if (i < len && s[i] == '.') {
            /* the embedded dotted quad ends the text and fills two groups */
            uint8_t v4[4];
            if (ngroups > 6 || !parse_ipv4(s + start, len - start, v4))
                return false;
            groups[ngroups++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[ngroups++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = len;
            break;
        }
        if (digits == 0 || digits > 4 || ngroups == 8)
            return false;
        groups[ngroups++] = (uint16_t)value;
        if (i == len)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return false;
            gap = (long)ngroups;
            i++;
        } else if (i == len) {
            return false;       /* a single trailing colon */
        }
    }
    if (gap < 0 ? ngroups != 8 : ngroups > 7)
        return false;

    memset(out, 0, 16);
    size_t head = gap < 0 ? ngroups : (size_t)gap;
    for (size_t g = 0; g < head; g++) {
        out[2 * g] = (uint8_t)(groups[g] >> 8);
        out[2 * g + 1] = (uint8_t)groups[g];
    }
    for (size_t g = head, slot = 8 - (ngroups - head); g < ngroups; g++, slot++) {
        out[2 * slot] = (uint8_t)(groups[g] >> 8);
        out[2 * slot + 1] = (uint8_t)groups[g];
    }
    return true;
}

static bool prefix_ci(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != prefix[i])
            return false;
    }
    return true;
}

bool ot_addr_parse(const char *text, size_t len, ot_addr *out)
{
    ot_addr result;
    bool v6_only = false;

    memset(&result, 0, sizeof result);
    if (out != NULL)
        *out = result;
    if (text == NULL || len == 0 || len > OT_IPTEXT_SIZE - 1)
        return false;
    if (text[0] == '[' || text[len - 1] == ']') {
        if (len < 2 || text[0] != '[' || text[len - 1] != ']')
            return false;
        text++;
        len -= 2;
    }
    if (len > 0 && (text[0] == 'i' || text[0] == 'I') && prefix_ci(text, len, "ipv6:")) {
        text += 5;
        len -= 5;
        v6_only = true;
    }
    /* most text asked about is a host name: an address starts with a
     * digit, a hex letter or a colon, whatever its family */
    if (len == 0 || (hex_value(text[0]) < 0 && text[0] != ':'))
        return false;
    /* a dotted quad holds no colon: reading it first saves the search */
    if (!v6_only && parse_ipv4(text, len, result.bytes)) {
        result.family = 4;
        if (out != NULL)
            *out = result;
        return true;
    }
    /* otherwise only the colon form is left */
    if (memchr(text, ':', len) == NULL || !parse_ipv6(text, len, result.bytes))
        return false;
    if (memcmp(result.bytes, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
        memmove(result.bytes, result.bytes + 12, 4);
        memset(result.bytes + 4, 0, 12);
        result.family = 4;
    } else {
        result.family = 6;
    }
    if (out != NULL)
        *out = result;
    return true;
}

/* Appends decimal or hex digits of value; returns the new position. */
static size_t put_number(char *buf, size_t pos, unsigned value, unsigned base)
{
    char digits[8];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0 && n < sizeof digits);
    while (n > 0)
        buf[pos++] = digits[--n];
    return pos;
}

/* The dotted quad, without its NUL; returns its length (at most 15). Every
 * hop prints its peer: the digits of a byte, no general base conversion. */
static size_t format_v4(char *dst, const uint8_t bytes[4])
{
    size_t pos = 0;

    for (int i = 0; i < 4; i++) {
        unsigned b = bytes[i];
        if (i > 0)
            dst[pos++] = '.';
        if (b >= 100)
            dst[pos++] = (char)('0' + b / 100);
        if (b >= 10)
            dst[pos++] = (char)('0' + b / 10 % 10);
        dst[pos++] = (char)('0' + b % 10);
    }
    return pos;
}

char *ot_addr_format(const ot_addr *a, char *out, size_t outsize)
{
    char buf[OT_IPTEXT_SIZE];   /* longest form is 39 bytes */
    size_t pos = 0;

    if (out == NULL || outsize == 0)
        return out;
    out[0] = '\0';
    if (a == NULL)
        return out;
    if (a->family == 4 && outsize >= 16) {
        /* "255.255.255.255" and its NUL always fit: write in place */
        out[format_v4(out, a->bytes)] = '\0';
        return out;
    }
    if (a->family == 4) {
        pos = format_v4(buf, a->bytes);
    } else if (a->family == 6) {
        unsigned groups[8];
        int best_start = -1, best_len = 0;

        for (int g = 0; g < 8; g++)
            groups[g] = (unsigned)a->bytes[2 * g] << 8 | a->bytes[2 * g + 1];
        for (int g = 0; g < 8;) {
            int run = 0;
            while (g + run < 8 && groups[g + run] == 0)
                run++;
            if (run > best_len) {
                best_len = run;
                best_start = g;
            }
            g += run > 0 ? run : 1;
        }
        if (best_len < 2)
            best_start = -1;    /* RFC 5952 4.2.2: one zero group stays "0" */
        for (int g = 0; g < 8; g++) {
            if (g == best_start) {
                buf[pos++] = ':';
                buf[pos++] = ':';
                g += best_len - 1;
                continue;
            }
            if (g > 0 && g != best_start + best_len)
                buf[pos++] = ':';
            pos = put_number(buf, pos, groups[g], 16);
        }
    } else {
        return out;
    }
    buf[pos] = '\0';
    if (pos >= outsize)
        return out;             /* would not fit: a cut address is a wrong address */
    memcpy(out, buf, pos + 1);
    return out;
}

static size_t addr_len(const ot_addr *a)
{
    return a->family == 4 ? 4u : a->family == 6 ? 16u : 0u;
}

bool ot_addr_equal(const ot_addr *a, const ot_addr *b)
{
    if (a == NULL || b == NULL || a->family != b->family || a->family == 0)
        return false;
    return memcmp(a->bytes, b->bytes, addr_len(a)) == 0;
}

/* Does a fall in the block given as bytes + prefix length (same family)? */
static bool in_block(const ot_addr *a, int family, const uint8_t *net, unsigned prefix)
{
    if (a == NULL || a->family != family)
        return false;
    unsigned whole = prefix / 8, rest = prefix % 8;
    /* a byte loop: blocks are a few bytes long, shorter than a memcmp call */
    for (unsigned i = 0; i < whole; i++)
        if (a->bytes[i] != net[i])
            return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (a->bytes[whole] & mask) == (net[whole] & mask);
}

/* The special IPv4 blocks as a network and a mask on the address read as
 * one number: every address class test runs per hop and per check, and
 * this is one AND and one compare per block. */
typedef struct v4_block {
    uint32_t net, mask;
} v4_block;

#define V4_MASK(len) ((len) == 0 ? 0u : 0xffffffffu << (32 - (len)))
#define V4(a, b, c, d, len) \
    { ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)) & V4_MASK(len), \
      V4_MASK(len) }

typedef struct v6_block {
    uint8_t net[16];
    unsigned prefix;
} v6_block;

static uint32_t v4_number(const ot_addr *a)
{
    return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
           (uint32_t)a->bytes[2] << 8 | (uint32_t)a->bytes[3];
}

static bool in_any_v4(const ot_addr *a, const v4_block *blocks, size_t n)
{
    uint32_t x = v4_number(a);
    for (size_t i = 0; i < n; i++)
        if ((x & blocks[i].mask) == blocks[i].net)
            return true;
    return false;
}

static bool in_any_v6(const ot_addr *a, const v6_block *blocks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (in_block(a, 6, blocks[i].net, blocks[i].prefix))
            return true;
    return false;
}

/* One address class: its IPv4 and its IPv6 blocks. */
static bool in_class(const ot_addr *a, const v4_block *v4, size_t n4, const v6_block *v6, size_t n6)
{
    if (a == NULL)
        return false;
    if (a->family == 4)
        return in_any_v4(a, v4, n4);
    if (a->family == 6)
        return in_any_v6(a, v6, n6);
    return false;
}

static const v4_block loopback_v4[] = {
    V4(127, 0, 0, 0, 8),
};
static const v6_block loopback_v6[] = {
    { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128 },
};

static const v4_block private_v4[] = {
    V4(10, 0, 0, 0, 8),
    V4(172, 16, 0, 0, 12),
    V4(192, 168, 0, 0, 16),
    V4(100, 64, 0, 0, 10),
};
static const v6_block private_v6[] = {
    { { 0xfc }, 7 },
};

static const v4_block reserved_v4[] = {
    V4(0, 0, 0, 0, 8),                  /* "this network", incl. 0.0.0.0 */
    V4(169, 254, 0, 0, 16),             /* link-local */
    V4(192, 0, 0, 0, 24),               /* IETF protocol assignments */
    V4(192, 0, 2, 0, 24),               /* TEST-NET-1 */
    V4(198, 18, 0, 0, 15),              /* benchmarking */
    V4(198, 51, 100, 0, 24),            /* TEST-NET-2 */
    V4(203, 0, 113, 0, 24),             /* TEST-NET-3 */
    V4(224, 0, 0, 0, 4),                /* multicast */
    V4(240, 0, 0, 0, 4),                /* reserved, incl. broadcast */
};
static const v6_block reserved_v6[] = {
    { { 0 }, 128 },                     /* unspecified */
    { { 0x01, 0x00 }, 64 },             /* discard-only 100::/64 */
    { { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, /* documentation */
    { { 0x3f, 0xff }, 20 },             /* documentation (RFC 9637) */
    { { 0xfe, 0x80 }, 10 },             /* link-local */
    { { 0xfe, 0xc0 }, 10 },             /* site-local, deprecated */
    { { 0xff }, 8 },                    /* multicast */
};

static const v4_block documentation_v4[] = {
    V4(192, 0, 2, 0, 24),
    V4(198, 51, 100, 0, 24),
    V4(203, 0, 113, 0, 24),
};
static const v6_block documentation_v6[] = {
    { { 0x20, 0x01, 0x0d, 0xb8 }, 32 },
    { { 0x3f, 0xff }, 20 },
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define CLASS(name) name##_v4, COUNT_OF(name##_v4), name##_v6, COUNT_OF(name##_v6)

bool ot_addr_is_documentation(const ot_addr *a)
{
    return in_class(a, CLASS(documentation));
}

bool ot_addr_is_unroutable(const ot_addr *a)
{
    return ot_addr_is_nonpublic(a) && !ot_addr_is_documentation(a);
}

bool ot_addr_is_loopback(const ot_addr *a)
{
    return in_class(a, CLASS(loopback));
}

bool ot_addr_is_private(const ot_addr *a)
{
    return in_class(a, CLASS(private));
}

bool ot_addr_is_reserved(const ot_addr *a)
{
    return in_class(a, CLASS(reserved));
}

bool ot_addr_is_nonpublic(const ot_addr *a)
{
    if (a != NULL && a->family == 4) {
        /* asked for every hop, and most peers are public: the first
         * octet of every block below (loopback, private, reserved) is
         * named here, so any other octet settles it at once */
        switch (a->bytes[0]) {
        case 0: case 10: case 100: case 127: case 169: case 172: case 192: case 198: case 203:
            break;
        default:
            if (a->bytes[0] < 224)
                return false;
            break;
        }
        /* one pass over the three classes */
        uint32_t x = v4_number(a);
        const v4_block *const classes[] = { loopback_v4, private_v4, reserved_v4 };
        const size_t sizes[] = { COUNT_OF(loopback_v4), COUNT_OF(private_v4), COUNT_OF(reserved_v4) };
        for (size_t c = 0; c < 3; c++)
            for (size_t i = 0; i < sizes[c]; i++)
                if ((x & classes[c][i].mask) == classes[c][i].net)
                    return true;
        return false;
    }
    return ot_addr_is_loopback(a) || ot_addr_is_private(a) || ot_addr_is_reserved(a);
}

bool ot_cidr_parse(const char *text, size_t len, ot_cidr *out)
{
    ot_cidr result;
    size_t addr_end = len;
    unsigned prefix;

    memset(&result, 0, sizeof result);
    if (out != NULL)
        *out = result;
    if (text == NULL || len == 0)
        return false;
    const char *slash = memchr(text, '/', len);
    if (slash != NULL)
        addr_end = (size_t)(slash - text);

    bool mapped_text = false;
    if (!ot_addr_parse(text, addr_end, &result.addr))
        return false;
    mapped_text = result.addr.family == 4 && memchr(text, ':', addr_end) != NULL;
    prefix = result.addr.family == 4 ? 32u : 128u;

    if (slash != NULL) {
        size_t i = addr_end + 1, digits = 0;
        unsigned value = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            if (++digits > 3)
                return false;
            value = value * 10u + (unsigned)(text[i] - '0');
            i++;
        }
        if (digits == 0 || i != len)
            return false;
        if (mapped_text) {
            /* ::ffff:a.b.c.d/n counts bits of the IPv6 form */
            if (value < 96u || value > 128u)
                return false;
            value -= 96u;
        }
        if (value > prefix)
            return false;
        prefix = value;
    }

    /* clear host bits so that the stored block is the network */
    size_t n = addr_len(&result.addr);
    for (size_t byte = 0; byte < n; byte++) {
        unsigned first_bit = (unsigned)byte * 8u;
        if (first_bit >= prefix)
            result.addr.bytes[byte] = 0;
        else if (prefix - first_bit < 8u)
            result.addr.bytes[byte] &= (uint8_t)(0xffu << (8u - (prefix - first_bit)));
    }
    result.prefix = prefix;
    if (out != NULL)
        *out = result;
    return true;
}

bool ot_cidr_contains(const ot_cidr *c, const ot_addr *a)
{
    if (c == NULL || a == NULL || c->addr.family == 0)
        return false;
    return in_block(a, c->addr.family, c->addr.bytes, c->prefix);
}

void ot_cidr_list_init(ot_cidr_list *l)
{
    if (l == NULL)
        return;
    l->items = NULL;
    l->count = 0;
    l->cap = 0;
    l->v4 = NULL;
    l->nv4 = 0;
    l->v4_cap = 0;
    l->v4_lost = false;
}

void ot_cidr_list_free(ot_cidr_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    free(l->v4);
    ot_cidr_list_init(l);
}

/* The mask of an IPv4 prefix; past 32 counts as 32. */
static uint32_t v4_mask(unsigned prefix)
{
    return prefix == 0 ? 0u : prefix >= 32 ? 0xffffffffu : 0xffffffffu << (32 - prefix);
}

/* The first range whose hi is at or above x (nv4 if none): the ranges are
 * disjoint and sorted, so their hi ascend too. */
static size_t v4_first_reaching(const ot_cidr_list *l, uint32_t x)
{
    size_t a = 0, b = l->nv4;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (l->v4[mid].hi < x)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/* [lo, hi] into the ranges: the ranges it overlaps or touches are merged
 * with it into one. */
static bool v4_index_add(ot_cidr_list *l, uint32_t lo, uint32_t hi)
{
    /* the first range that reaches lo - 1 may touch or overlap */
    size_t i = v4_first_reaching(l, lo > 0 ? lo - 1 : 0), j = i;
    uint64_t end = (uint64_t)hi + 1;

    while (j < l->nv4 && (uint64_t)l->v4[j].lo <= end) {
        if (l->v4[j].lo < lo)
            lo = l->v4[j].lo;
        if (l->v4[j].hi > hi)
            hi = l->v4[j].hi;
        j++;
    }
    if (i == j) {
        /* nothing to merge with: one range more, at i */
        if (l->nv4 == l->v4_cap) {
            size_t cap = l->v4_cap == 0 ? 16u : l->v4_cap * 2u;
            ot_v4_range *grown = realloc(l->v4, cap * sizeof *grown);
            if (grown == NULL)
                return false;
            l->v4 = grown;
            l->v4_cap = cap;
        }
        memmove(&l->v4[i + 1], &l->v4[i], (l->nv4 - i) * sizeof *l->v4);
        l->nv4++;
    } else if (j - i > 1) {
        /* ranges i..j-1 become one */
        memmove(&l->v4[i + 1], &l->v4[j], (l->nv4 - j) * sizeof *l->v4);
        l->nv4 -= j - i - 1;
    }
    l->v4[i].lo = lo;
    l->v4[i].hi = hi;
    return true;
}

bool ot_cidr_list_add(ot_cidr_list *l, const ot_cidr *c)
{
    if (l == NULL || c == NULL || c->addr.family == 0 || l->count >= OT_MAX_TRUSTED)
        return false;
    if (l->count == l->cap) {
        size_t cap = l->cap == 0 ? 16u : l->cap * 2u;
        if (cap > OT_MAX_TRUSTED)
            cap = OT_MAX_TRUSTED;
        ot_cidr *items = realloc(l->items, cap * sizeof *items);
        if (items == NULL)
            return false;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = *c;
    if (c->addr.family == 4 && !l->v4_lost) {
        uint32_t mask = v4_mask(c->prefix), lo = v4_number(&c->addr) & mask;
        if (!v4_index_add(l, lo, lo | ~mask))
            l->v4_lost = true;   /* the items still answer, walked */
    }
    return true;
}

bool ot_cidr_list_contains(const ot_cidr_list *l, const ot_addr *a)
{
    if (l == NULL || a == NULL)
        return false;
    if (a->family == 4) {
        /* TrustedRelays is read for every hop: one binary search of the
         * ranges the IPv4 blocks make (an IPv6 block never holds an IPv4
         * address here) */
        uint32_t x = v4_number(a);
        if (!l->v4_lost) {
            size_t i = v4_first_reaching(l, x);
            return i < l->nv4 && l->v4[i].lo <= x;
        }
        for (size_t i = 0; i < l->count; i++) {
            const ot_cidr *c = &l->items[i];
            if (c->addr.family != 4)
                continue;
            uint32_t mask = v4_mask(c->prefix);
            if ((x & mask) == (v4_number(&c->addr) & mask))
                return true;
        }
        return false;
    }
    for (size_t i = 0; i < l->count; i++)
        if (ot_cidr_contains(&l->items[i], a))
            return true;
    return false;
}
