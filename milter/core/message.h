/*
 * message.h - the header fields of one message, as the core keeps them.
 *
 * Owns: storing header fields handed over one at a time (the milter's
 * header callback) or read from raw message text (the offline analyzer):
 * unfolding, CRLF or LF line ends, a leading mbox "From " line, 8-bit bytes,
 * NULs (stored as spaces and counted). Everything is copied into one buffer
 * owned by the message, bounded by OT_MAX_HEADER_BYTES and OT_MAX_FIELDS;
 * fields past a bound are counted in `dropped`, never stored (a smaller
 * field after one that did not fit may still be stored). Received
 * fields are always counted in `received_total`, even when dropped.
 * The name and value pointers stay valid while fields are added (the
 * buffer is rebased when it grows) until reset or free.
 */
#ifndef OT_MESSAGE_H
#define OT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

typedef struct ot_field {
    const char *name;    /* NUL-terminated, inside the message buffer */
    size_t name_len;     /* strlen(name): lookups compare lengths first */
    bool is_received;    /* the name is "Received" in any case */
    const char *value;   /* unfolded, leading white space removed, NUL-terminated */
    size_t value_len;
} ot_field;

typedef struct ot_message {
    char *buf;           /* all names and values */
    size_t len, cap;     /* cap grows, never past OT_MAX_HEADER_BYTES */
    ot_field *fields;
    size_t count, fields_cap;
    size_t dropped;          /* fields not stored (a bound was reached) */
    size_t received_total;   /* Received fields seen, stored or not */
    size_t nul_bytes;        /* NUL bytes replaced by spaces */
    bool value_truncated;    /* some value was cut at OT_MAX_FIELD_VALUE */
    bool out_of_memory;      /* an allocation failed; analysis goes on with what is kept */
} ot_message;

void ot_message_init(ot_message *m);
/* Forget every field but keep the buffers for the next message. */
void ot_message_reset(ot_message *m);
void ot_message_free(ot_message *m);

/* Adds one field. value may contain folding (CR/LF followed by white
 * space), which is unfolded. Names longer than OT_MAX_FIELD_NAME or empty
 * are dropped. Returns false when the field was not stored. */
bool ot_message_add_field(ot_message *m, const char *name, size_t name_len,
                          const char *value, size_t value_len);

/* Reads the header of a raw message (up to the first empty line or the
 * end of data) and adds every field. Lines that are not fields (no colon)
 * are skipped. Returns the offset where the body starts. */
size_t ot_message_read_header(ot_message *m, const char *data, size_t len);

/* The index-th field of that name (case-insensitive), counting from the
 * top, or NULL. */
const ot_field *ot_message_find(const ot_message *m, const char *name, size_t index);
/* How many stored fields carry that name. */
size_t ot_message_count(const ot_message *m, const char *name);

#endif
