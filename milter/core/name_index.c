/*
 * name_index.c - name lists hashed once, asked per hop.
 *
 * Owns: building the hash table of ot_name_index from name lists, and the
 * suffix lookup. An entry matches a name when it equals, ASCII case
 * ignored, the part of the name from one of its label starts (the start,
 * or just after a '.') to its end, one trailing dot of the name left out:
 * exactly what ot_host_in_list() tests entry by entry.
 *
 * The hash is taken from the last byte backwards, so one pass over the
 * name from its end yields the hash of every such suffix on the way: the
 * lookup costs one multiply per byte and one probe per label, whatever
 * the number of entries. Entries are copied (the index does not depend
 * on the lists staying as they were); the same name in several lists is
 * one slot with several bits. Open addressing, linear probing, the table
 * at most half full.
 * The DynamicPatterns' chains are built here too: by the low five bits
 * of each pattern's lower-cased first byte, in list order.
 * Limits: entries longer than OT_HOST_SIZE - 1 are never stored by the
 * lists, so longer suffixes are not probed; at most OT_NAME_INDEX_MAX
 * entries; no I/O, no globals.
 */
#include "name_index.h"

#include <stdlib.h>
#include <string.h>

static unsigned char lower_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* one byte more of a hash taken from the end backwards (FNV-1a step) */
static inline uint32_t hash_step(uint32_t h, unsigned char c)
{
    return (h ^ lower_byte(c)) * 16777619u;
}

#define HASH_SEED 2166136261u

static uint32_t hash_backwards(const char *s, size_t len)
{
    uint32_t h = HASH_SEED;
    for (size_t i = len; i > 0; i--)
        h = hash_step(h, (unsigned char)s[i - 1]);
    return h;
}

static bool equal_ci(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower_byte((unsigned char)a[i]) != lower_byte((unsigned char)b[i]))
            return false;
    return true;
}

void ot_name_index_free(ot_name_index *ix)
{
    free(ix->slots);
    free(ix->text);
    ix->slots = NULL;
    ix->text = NULL;
    ix->mask = 0;
    ix->ready = false;
}

static void index_put(ot_name_index *ix, const char *name, size_t len, uint32_t bit)
{
    uint32_t h = hash_backwards(name, len);

    for (size_t k = h & ix->mask;; k = (k + 1) & ix->mask) {
        ot_name_slot *s = &ix->slots[k];
        if (s->name == NULL) {
            s->name = name;
            s->len = (uint32_t)len;
            s->hash = h;
            s->bits = bit;
            return;
        }
        if (s->hash == h && s->len == len && equal_ci(s->name, name, len)) {
            s->bits |= bit;
            return;
        }
    }
}

bool ot_name_index_build(ot_name_index *ix, const ot_name_list *const *lists, size_t nlists)
{
    size_t count = 0, bytes = 0, cap = 16;
    char *at;

    ot_name_index_free(ix);
    if (nlists > OT_NAME_INDEX_LISTS)
        return false;
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->count; i++) {
            count++;
            bytes += strlen(lists[l]->items[i]) + 1;
        }
    if (count > OT_NAME_INDEX_MAX)
        return false;
    while (cap < 2 * count)
        cap *= 2;
    ix->slots = calloc(cap, sizeof *ix->slots);
    ix->text = malloc(bytes > 0 ? bytes : 1);
    if (ix->slots == NULL || ix->text == NULL) {
        ot_name_index_free(ix);
        return false;
    }
    ix->mask = cap - 1;
    at = ix->text;
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->count; i++) {
            size_t len = strlen(lists[l]->items[i]);
            memcpy(at, lists[l]->items[i], len + 1);
            /* an empty entry matches nothing (ot_host_in_list agrees) */
            if (len > 0)
                index_put(ix, at, len, (uint32_t)1 << l);
            at += len + 1;
        }
    ix->ready = true;
    return true;
}

static uint32_t probe(const ot_name_index *ix, uint32_t h, const char *s, size_t len)
{
    for (size_t k = h & ix->mask;; k = (k + 1) & ix->mask) {
        const ot_name_slot *slot = &ix->slots[k];
        if (slot->name == NULL)
            return 0;
        if (slot->hash == h && slot->len == len && equal_ci(slot->name, s, len))
            return slot->bits;
    }
}

uint32_t ot_name_index_lookup(const ot_name_index *ix, const char *name, size_t len)
{
    uint32_t h = HASH_SEED, bits = 0;

    if (ix == NULL || !ix->ready || name == NULL)
        return 0;
    if (len > 0 && name[len - 1] == '.')
        len--;
    /* from the end backwards: at each label start the hash of the suffix
     * from there is complete */
    for (size_t p = len; p > 0; p--) {
        h = hash_step(h, (unsigned char)name[p - 1]);
        if (p - 1 == 0 || name[p - 2] == '.') {
            size_t n = len - (p - 1);
            if (n < OT_HOST_SIZE)
                bits |= probe(ix, h, name + p - 1, n);
        }
    }
    return bits;
}

void ot_pattern_index_build(ot_pattern_index *px, const ot_name_list *patterns)
{
    size_t n = patterns->count < OT_MAX_NAMES ? patterns->count : OT_MAX_NAMES;

    memset(px->first, 0, sizeof px->first);
    px->has_empty = false;
    /* backwards, so that each chain runs in list order */
    for (size_t i = n; i > 0; i--) {
        unsigned char c = lower_byte((unsigned char)patterns->items[i - 1][0]);
        if (c == '\0')
            px->has_empty = true;
        px->next[i - 1] = px->first[c & 31u];
        px->first[c & 31u] = (uint16_t)i;
    }
    px->ready = true;
}
