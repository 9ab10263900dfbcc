/*
 * hostname.h - judging names: HELO arguments, reverse names, by-hosts.
 *
 * Owns the pure tests on a name's shape: syntactically valid host name,
 * fully qualified, address literal, localhost, one of our names, a big
 * provider's name, a dynamic-looking reverse name, and whether two names
 * belong to the same organisation (same registered-looking domain).
 */
#ifndef OT_HOSTNAME_H
#define OT_HOSTNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "config.h"

/* LDH labels, 1..63 bytes each, total <= 253, optional trailing dot. */
bool ot_host_is_valid(const char *name, size_t len);
/* valid and has at least two labels and a non-numeric last label */
bool ot_host_is_fqdn(const char *name, size_t len);
/* "[1.2.3.4]", "[IPv6:...]"; fills addr when it parses */
bool ot_host_is_literal(const char *name, size_t len, ot_addr *addr);
/* a bare address with no brackets */
bool ot_host_is_bare_ip(const char *name, size_t len, ot_addr *addr);
bool ot_host_is_localhost(const char *name, size_t len);
/* equal to or under (as a subdomain) one of the names in list */
bool ot_host_in_list(const char *name, const ot_name_list *list);
/* index of the provider whose domain the name is or is under; -1 if none
 * (one hash probe per label through cfg->provider_index) */
int ot_host_provider(const ot_config *cfg, const char *name);
/* ot_host_in_list(name, &cfg->providers[provider].domains), through the index */
bool ot_host_in_provider(const ot_config *cfg, const char *name, int provider);
/* ot_host_in_list(name, &cfg->local_hostnames), through the index */
bool ot_host_is_local(const ot_config *cfg, const char *name);
/* reverse name shaped like a dynamic/end-user address */
bool ot_host_looks_dynamic(const ot_config *cfg, const char *name, const ot_addr *addr);
/* the last two labels (three under a two-letter ccTLD second level like co.uk) */
const char *ot_host_org_domain(const char *name);
/* case-insensitive equality ignoring one trailing dot */
bool ot_host_equal(const char *a, const char *b);

#endif
