/*
 * name_index.h - name lists indexed once, for "is this name under one of
 * them" asked per hop.
 *
 * Owns: a hash table of domain names (the entries of up to 32 name lists,
 * each list one bit), built once when the configuration is loaded, and
 * the lookup that answers for a name which lists hold a domain it equals
 * or lies under. The same answer as asking ot_host_in_list() of each list
 * (one trailing dot of the name ignored, ASCII case ignored, an entry
 * matches from a label start of the name to its end), but one hash probe
 * per label of the name instead of a compare per entry.
 * Also the DynamicPatterns' chains by first byte (ot_pattern_index), which
 * hostname.c walks at every place a pattern may start.
 * Limits: at most OT_NAME_INDEX_MAX entries (more than every list can
 * hold); the index owns copies of the entries, so the lists may change
 * afterwards without harm, but then the index answers for the old lists
 * until it is built again. Read-only once built: threads may share it.
 */
#ifndef OT_NAME_INDEX_H
#define OT_NAME_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define OT_NAME_INDEX_LISTS 32u
#define OT_NAME_INDEX_MAX   (OT_NAME_INDEX_LISTS * OT_MAX_NAMES)

/* Builds ix from lists[0..nlists) (nlists <= OT_NAME_INDEX_LISTS; list i
 * is bit i). ix must be zeroed or freed before. False on allocation
 * failure or too many lists, leaving ix empty and not ready. */
bool ot_name_index_build(ot_name_index *ix, const ot_name_list *const *lists, size_t nlists);
void ot_name_index_free(ot_name_index *ix);

/* The bits of every list holding an entry that name[0..len) equals or
 * lies under; 0 when none (or the index is not ready). */
uint32_t ot_name_index_lookup(const ot_name_index *ix, const char *name, size_t len);

/* Builds the first-byte chains of a pattern list (DynamicPatterns) into
 * px, in list order; the list holds at most OT_MAX_NAMES entries. */
void ot_pattern_index_build(ot_pattern_index *px, const ot_name_list *patterns);

#endif
