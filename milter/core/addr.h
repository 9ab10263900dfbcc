/*
 * addr.h - IP addresses and CIDR blocks as plain values.
 *
 * Owns: parsing IPv4, IPv6 and IPv4-mapped IPv6 text into one form,
 * printing it back (mapped addresses print as IPv4), prefix matching and
 * the address classes the analysis cares about (loopback, private,
 * link-local, reserved/documentation). No name resolution, no I/O.
 * Limits: text longer than OT_IPTEXT_SIZE-1 is refused.
 */
#ifndef OT_ADDR_H
#define OT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

typedef struct ot_addr {
    int family;          /* 0: none, 4: IPv4 (bytes[0..3]), 6: IPv6 */
    uint8_t bytes[16];
} ot_addr;

typedef struct ot_cidr {
    ot_addr addr;        /* network, host bits cleared */
    unsigned prefix;     /* 0..32 or 0..128 */
} ot_cidr;

/* An IPv4 range [lo, hi] of the list's index. */
typedef struct ot_v4_range {
    uint32_t lo, hi;
} ot_v4_range;

typedef struct ot_cidr_list {
    ot_cidr *items;
    size_t count, cap;   /* cap grows, never past OT_MAX_TRUSTED */
    /* the IPv4 blocks as sorted disjoint ranges, kept by ot_cidr_list_add
     * so that a lookup is a binary search, not a walk of the list */
    ot_v4_range *v4;
    size_t nv4, v4_cap;
    bool v4_lost;        /* an index allocation failed: walk the items */
} ot_cidr_list;

/* Parses exactly len bytes (no surrounding text). An IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) becomes family 4. Accepts an optional
 * "IPv6:" prefix (address literals) and surrounding [brackets]. */
bool ot_addr_parse(const char *text, size_t len, ot_addr *out);

/* Writes the canonical text (IPv4 dotted, IPv6 RFC 5952); returns out. */
char *ot_addr_format(const ot_addr *a, char *out, size_t outsize);

bool ot_addr_equal(const ot_addr *a, const ot_addr *b);
bool ot_addr_is_loopback(const ot_addr *a);
/* RFC 1918, RFC 4193 (fc00::/7), 100.64/10 shared space */
bool ot_addr_is_private(const ot_addr *a);
/* link-local, 0/8, multicast, 240/4, documentation ranges, unspecified */
bool ot_addr_is_reserved(const ot_addr *a);
/* private or reserved or loopback: never a public Internet hop */
bool ot_addr_is_nonpublic(const ot_addr *a);
/* RFC 5737 and RFC 3849/9637 example ranges */
bool ot_addr_is_documentation(const ot_addr *a);
/* What the analysis treats as "not a public hop": nonpublic, except the
 * documentation ranges. Real mail never comes from those, but every
 * example, test and man page uses them, and a signal must not punish the
 * example for being one. */
bool ot_addr_is_unroutable(const ot_addr *a);

/* "a.b.c.d", "a.b.c.d/n", "v6", "v6/n"; whitespace not allowed. */
bool ot_cidr_parse(const char *text, size_t len, ot_cidr *out);
bool ot_cidr_contains(const ot_cidr *c, const ot_addr *a);

void ot_cidr_list_init(ot_cidr_list *l);
void ot_cidr_list_free(ot_cidr_list *l);
/* false when full (OT_MAX_TRUSTED) or out of memory; an IPv4 block also
 * goes into the range index (merged with the ranges it overlaps or
 * touches) */
bool ot_cidr_list_add(ot_cidr_list *l, const ot_cidr *c);
/* Whether a block of the list holds a: an IPv4 address by binary search
 * of the ranges, an IPv6 one by walking the blocks. */
bool ot_cidr_list_contains(const ot_cidr_list *l, const ot_addr *a);

#endif
