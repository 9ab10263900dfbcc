/*
 * fuzz_header.c - libFuzzer harness for ot_message_read_header().
 *
 * The input is raw message text. Besides memory and undefined-behaviour
 * errors, the harness checks what message.h promises of every stored
 * field: a printable name of 1..OT_MAX_FIELD_NAME bytes, a value that is
 * NUL-terminated at value_len with no NUL, no line feed and no white space
 * at either end, at most OT_MAX_FIELD_VALUE bytes; at most OT_MAX_FIELDS
 * fields in at most OT_MAX_HEADER_BYTES. It also checks that a message
 * reused after ot_message_reset() (as both programs do) stores exactly
 * what a fresh one stores, and that handing each stored field back to
 * ot_message_add_field() (the milter's way in) keeps it unchanged (but
 * for a CR left at an edge by a neighbouring NUL, which is then trimmed).
 */
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"
#include "message.h"

/* CR is not here: a lone CR is an ordinary byte of a value (message.h),
 * and one next to a NUL (which becomes a space) can end up at an edge. */
static bool byte_is_edge_space(char c)
{
    return c == ' ' || c == '\t';
}

static void check_field(const ot_message *m, size_t index)
{
    const ot_field *f = &m->fields[index];
    size_t name_len = strlen(f->name);

    FUZZ_CHECK(f->name >= m->buf && f->value + f->value_len < m->buf + m->len,
               "field outside the message buffer");
    FUZZ_CHECK(name_len >= 1 && name_len <= OT_MAX_FIELD_NAME, "name length out of bounds");
    for (size_t i = 0; i < name_len; i++)
        FUZZ_CHECK(f->name[i] > 0x20 && f->name[i] < 0x7f && f->name[i] != ':',
                   "name byte not printable or a colon");
    FUZZ_CHECK(f->value_len <= OT_MAX_FIELD_VALUE, "value longer than OT_MAX_FIELD_VALUE");
    FUZZ_CHECK(strlen(f->value) == f->value_len, "value has a NUL or lacks one at value_len");
    FUZZ_CHECK(memchr(f->value, '\n', f->value_len) == NULL, "value not unfolded");
    if (f->value_len > 0) {
        FUZZ_CHECK(!byte_is_edge_space(f->value[0]), "value starts with white space");
        FUZZ_CHECK(!byte_is_edge_space(f->value[f->value_len - 1]), "value ends with white space");
    }
    FUZZ_CHECK(ot_message_find(m, f->name, 0) != NULL, "a stored name is not found");
}

static void check_message(const ot_message *m, size_t size, size_t body)
{
    size_t received = 0;

    FUZZ_CHECK(body <= size, "body offset past the input");
    FUZZ_CHECK(m->count <= OT_MAX_FIELDS, "more than OT_MAX_FIELDS fields");
    FUZZ_CHECK(m->len <= m->cap && m->cap <= OT_MAX_HEADER_BYTES, "buffer past OT_MAX_HEADER_BYTES");
    for (size_t i = 0; i < m->count; i++) {
        check_field(m, i);
        if (strcasecmp(m->fields[i].name, "Received") == 0)
            received++;
    }
    FUZZ_CHECK(m->received_total >= received, "received_total misses stored Received fields");
    FUZZ_CHECK(ot_message_count(m, "Received") == received, "ot_message_count disagrees");
}

static void check_same_fields(const ot_message *a, const ot_message *b, const char *what)
{
    FUZZ_CHECK(a->count == b->count && a->dropped == b->dropped &&
               a->received_total == b->received_total && a->nul_bytes == b->nul_bytes &&
               a->value_truncated == b->value_truncated, what);
    for (size_t i = 0; i < a->count; i++) {
        FUZZ_CHECK(strcmp(a->fields[i].name, b->fields[i].name) == 0, what);
        FUZZ_CHECK(a->fields[i].value_len == b->fields[i].value_len &&
                   memcmp(a->fields[i].value, b->fields[i].value, a->fields[i].value_len) == 0,
                   what);
    }
}

/* A stored value is already unfolded and trimmed: adding it again must
 * store the same bytes. */
static void check_add_field_keeps(const ot_message *m)
{
    ot_message again;

    ot_message_init(&again);
    for (size_t i = 0; i < m->count; i++) {
        const ot_field *f = &m->fields[i];
        bool stored = ot_message_add_field(&again, f->name, strlen(f->name), f->value, f->value_len);

        FUZZ_CHECK(stored || again.out_of_memory, "a stored field is refused the second time");
        if (!stored)
            break;
        const ot_field *g = &again.fields[again.count - 1];
        /* a CR at an edge (it stood next to a NUL) is trimmed as a line
         * end the second time: a known, harmless difference */
        if (f->value_len > 0 && (f->value[0] == '\r' || f->value[f->value_len - 1] == '\r'))
            continue;
        FUZZ_CHECK(g->value_len == f->value_len && memcmp(g->value, f->value, f->value_len) == 0,
                   "re-adding a stored value changed it");
    }
    ot_message_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* kept across inputs, as the analyzer keeps one per run */
    static ot_message reused;
    static bool reused_ready;
    ot_message fresh;
    size_t body;

    if (!reused_ready) {
        ot_message_init(&reused);
        reused_ready = true;
    }
    ot_message_init(&fresh);
    body = ot_message_read_header(&fresh, (const char *)data, size);
    check_message(&fresh, size, body);

    ot_message_reset(&reused);
    FUZZ_CHECK(ot_message_read_header(&reused, (const char *)data, size) == body,
               "a reused message found another body offset");
    if (!fresh.out_of_memory && !reused.out_of_memory)
        check_same_fields(&fresh, &reused, "a reused message stored other fields");

    check_add_field_keeps(&fresh);
    ot_message_free(&fresh);
    return 0;
}
