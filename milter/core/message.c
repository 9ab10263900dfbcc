/*
 * message.c - storing header fields and reading them from raw text.
 *
 * Owns: the message's one buffer of names and values, unfolding a value,
 * the bounds on what is kept, and the line reader for raw message text.
 *
 * Storage: names and values are copied, NUL-terminated, into one buffer
 * that grows geometrically up to OT_MAX_HEADER_BYTES. The ot_field
 * pointers point into it; when it grows, the new buffer is filled and the
 * pointers rebased before the old one is freed, so they stay valid.
 * A field that does not fit (bytes or OT_MAX_FIELDS) is counted in
 * `dropped`; later, smaller fields may still fit and are kept, so that a
 * padded header cannot hide the Date or Message-ID that follow it.
 *
 * Values: a line break followed by SP or HTAB is removed and the white
 * space kept (RFC 5322 unfolding); any other CRLF or LF inside a value
 * becomes one space, so words never run together; a lone CR is an
 * ordinary byte (output is sanitized later). NUL becomes a space and is
 * counted. Leading and trailing white space and line ends are removed.
 * A value is cut at OT_MAX_FIELD_VALUE bytes.
 *
 * Names: trailing white space before the colon (obsolete syntax) is
 * removed; an empty name, one longer than OT_MAX_FIELD_NAME or holding a
 * byte outside printable ASCII is dropped. Received is counted in
 * received_total before any bound is applied.
 *
 * Reader: LF or CRLF line ends, a leading mbox "From " line, continuation
 * lines, lines without a colon skipped, missing final newline; the header
 * ends at the first empty line. Everything is length-based: data may hold
 * NULs and is never read past len.
 */
#include "message.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MESSAGE_FIRST_BUF     4096u
#define MESSAGE_FIRST_FIELDS  32u

void ot_message_init(ot_message *m)
{
    memset(m, 0, sizeof *m);
}

void ot_message_reset(ot_message *m)
{
    m->len = 0;
    m->count = 0;
    m->dropped = 0;
    m->received_total = 0;
    m->nul_bytes = 0;
    m->value_truncated = false;
    m->out_of_memory = false;
}

void ot_message_free(ot_message *m)
{
    free(m->buf);
    free(m->fields);
    ot_message_init(m);
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool names_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len)
        return false;
    for (size_t i = 0; i < a_len; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return false;
    return true;
}

static bool byte_is_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool byte_is_trimmable(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- storage ------------------------------------------------------------------- */

/* Makes room for `need` more bytes; false when that would pass the bound. */
static bool reserve_bytes(ot_message *m, size_t need)
{
    if (need > OT_MAX_HEADER_BYTES || m->len > OT_MAX_HEADER_BYTES - need)
        return false;
    if (m->len + need <= m->cap)
        return true;

    size_t new_cap = m->cap ? m->cap : MESSAGE_FIRST_BUF;
    while (new_cap < m->len + need)
        new_cap = (new_cap > OT_MAX_HEADER_BYTES / 2) ? OT_MAX_HEADER_BYTES : new_cap * 2;
    if (new_cap > OT_MAX_HEADER_BYTES)
        new_cap = OT_MAX_HEADER_BYTES;

    char *grown = malloc(new_cap);
    if (grown == NULL) {
        m->out_of_memory = true;
        return false;
    }
    if (m->buf != NULL) {
        memcpy(grown, m->buf, m->len);
        for (size_t i = 0; i < m->count; i++) {
            ot_field *f = &m->fields[i];
            f->name = grown + (f->name - m->buf);
            f->value = grown + (f->value - m->buf);
        }
        free(m->buf);
    }
    m->buf = grown;
    m->cap = new_cap;
    return true;
}

static bool reserve_field(ot_message *m)
{
    if (m->count >= OT_MAX_FIELDS)
        return false;
    if (m->count < m->fields_cap)
        return true;

    size_t new_cap = m->fields_cap ? m->fields_cap * 2 : MESSAGE_FIRST_FIELDS;
    if (new_cap > OT_MAX_FIELDS)
        new_cap = OT_MAX_FIELDS;
    ot_field *grown = realloc(m->fields, new_cap * sizeof *grown);
    if (grown == NULL) {
        m->out_of_memory = true;
        return false;
    }
    m->fields = grown;
    m->fields_cap = new_cap;
    return true;
}

/* ---- values ---------------------------------------------------------------------- */

typedef struct unfold_result {
    size_t len;            /* bytes the unfolded value takes (<= limit) */
    size_t nuls;
    bool truncated;
} unfold_result;

/* Unfolds src into dst (or only measures when dst is NULL), writing at
 * most limit bytes. Runs between line breaks and NULs are copied whole:
 * only those two bytes need a decision, and they are rare. */
static unfold_result unfold_value(char *dst, size_t limit, const char *src, size_t src_len)
{
    unfold_result r = { 0, 0, false };
    size_t pos = 0;

    while (pos < src_len) {
        const char *lf = memchr(src + pos, '\n', src_len - pos);
        size_t stop = lf != NULL ? (size_t)(lf - src) : src_len;
        size_t run_end = stop;

        if (lf != NULL && run_end > pos && src[run_end - 1] == '\r')
            run_end--;             /* CRLF: the CR belongs to the break */
        while (pos < run_end) {
            const char *nul = memchr(src + pos, '\0', run_end - pos);
            size_t piece_end = nul != NULL ? (size_t)(nul - src) : run_end;

            if (r.len == 0)        /* white space must not lead the value */
                while (pos < piece_end && byte_is_wsp((unsigned char)src[pos]))
                    pos++;
            size_t n = piece_end - pos;
            if (n > limit - r.len) {
                if (dst != NULL)
                    memcpy(dst + r.len, src + pos, limit - r.len);
                r.len = limit;
                r.truncated = true;
                return r;
            }
            if (dst != NULL && n > 0)
                memcpy(dst + r.len, src + pos, n);
            r.len += n;
            pos = piece_end;
            if (nul != NULL) {
                pos++;
                r.nuls++;
                if (r.len > 0) {   /* a NUL turned space, never leading */
                    if (r.len >= limit) {
                        r.truncated = true;
                        return r;
                    }
                    if (dst != NULL)
                        dst[r.len] = ' ';
                    r.len++;
                }
            }
        }
        if (lf == NULL)
            break;
        pos = stop + 1;
        if (pos < src_len && byte_is_wsp((unsigned char)src[pos]))
            continue;              /* folding: the white space that follows stays */
        if (r.len > 0) {           /* a bare line break: keep the words apart */
            if (r.len >= limit) {
                r.truncated = true;
                return r;
            }
            if (dst != NULL)
                dst[r.len] = ' ';
            r.len++;
        }
    }
    return r;
}

static bool name_is_valid(const char *name, size_t len)
{
    if (len == 0 || len > OT_MAX_FIELD_NAME)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x21 || c > 0x7e || c == ':')
            return false;
    }
    return true;
}

bool ot_message_add_field(ot_message *m, const char *name, size_t name_len,
                          const char *value, size_t value_len)
{
    if (m == NULL)
        return false;
    if (name == NULL)
        name_len = 0;
    if (value == NULL)
        value_len = 0;

    while (name_len > 0 && byte_is_trimmable((unsigned char)name[name_len - 1]))
        name_len--;
    if (names_equal(name, name_len, "Received", 8))
        m->received_total++;
    if (!name_is_valid(name, name_len)) {
        m->dropped++;
        return false;
    }

    while (value_len > 0 && byte_is_trimmable((unsigned char)*value)) {
        value++;
        value_len--;
    }
    while (value_len > 0 && byte_is_trimmable((unsigned char)value[value_len - 1]))
        value_len--;

    /* unfolding never lengthens a value: reserve its raw length, and only
     * measure when that does not fit (near OT_MAX_HEADER_BYTES) */
    size_t bound = value_len < OT_MAX_FIELD_VALUE ? value_len : OT_MAX_FIELD_VALUE;
    if (!reserve_field(m)) {
        m->dropped++;
        return false;
    }
    if (!reserve_bytes(m, name_len + 1 + bound + 1)) {
        unfold_result measured = unfold_value(NULL, OT_MAX_FIELD_VALUE, value, value_len);
        if (!reserve_bytes(m, name_len + 1 + measured.len + 1)) {
            m->dropped++;
            return false;
        }
    }

    char *name_copy = m->buf + m->len;
    memcpy(name_copy, name, name_len);
    name_copy[name_len] = '\0';
    char *value_copy = name_copy + name_len + 1;
    unfold_result written = unfold_value(value_copy, OT_MAX_FIELD_VALUE, value, value_len);
    /* a NUL turned space or a cut may leave white space at the end */
    while (written.len > 0 && byte_is_wsp((unsigned char)value_copy[written.len - 1]))
        written.len--;
    value_copy[written.len] = '\0';
    m->len += name_len + 1 + written.len + 1;

    ot_field *f = &m->fields[m->count++];
    f->name = name_copy;
    f->value = value_copy;
    f->value_len = written.len;
    m->nul_bytes += written.nuls;
    if (written.truncated)
        m->value_truncated = true;
    return true;
}

/* ---- reader ---------------------------------------------------------------------- */

typedef struct header_line {
    size_t start;          /* first byte of the line */
    size_t end;            /* end of its content: before CRLF or LF */
    size_t next;           /* first byte of the next line */
} header_line;

static header_line next_line(const char *data, size_t len, size_t pos)
{
    header_line line = { pos, len, len };
    const char *lf = memchr(data + pos, '\n', len - pos);

    if (lf != NULL) {
        line.end = (size_t)(lf - data);
        line.next = line.end + 1;
        if (line.end > pos && data[line.end - 1] == '\r')
            line.end--;
    }
    return line;
}

/* A field being gathered over its continuation lines. */
typedef struct pending_field {
    bool open;
    size_t name_start, name_end;
    size_t value_start, value_end;
} pending_field;

static void flush_field(ot_message *m, const char *data, pending_field *pending)
{
    if (!pending->open)
        return;
    ot_message_add_field(m, data + pending->name_start, pending->name_end - pending->name_start,
                         data + pending->value_start, pending->value_end - pending->value_start);
    pending->open = false;
}

size_t ot_message_read_header(ot_message *m, const char *data, size_t len)
{
    pending_field pending = { false, 0, 0, 0, 0 };
    size_t pos = 0;

    if (m == NULL || data == NULL)
        return 0;
    if (len >= 5 && memcmp(data, "From ", 5) == 0)
        pos = next_line(data, len, 0).next;

    while (pos < len) {
        header_line line = next_line(data, len, pos);

        if (line.end == line.start) {
            flush_field(m, data, &pending);
            return line.next;
        }
        if (byte_is_wsp((unsigned char)data[line.start])) {
            /* continuation: the line break stays in the value for unfolding */
            if (pending.open)
                pending.value_end = line.end;
        } else {
            flush_field(m, data, &pending);
            const char *colon = memchr(data + line.start, ':', line.end - line.start);
            if (colon != NULL) {
                pending.open = true;
                pending.name_start = line.start;
                pending.name_end = (size_t)(colon - data);
                pending.value_start = pending.name_end + 1;
                pending.value_end = line.end;
            }
        }
        pos = line.next;
    }
    flush_field(m, data, &pending);
    return len;
}

/* ---- lookup ---------------------------------------------------------------------- */

const ot_field *ot_message_find(const ot_message *m, const char *name, size_t index)
{
    if (m == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < m->count; i++) {
        const ot_field *f = &m->fields[i];
        /* stored names are NUL-terminated and free of NULs: no lengths needed */
        if (strcasecmp(f->name, name) == 0) {
            if (index == 0)
                return f;
            index--;
        }
    }
    return NULL;
}

size_t ot_message_count(const ot_message *m, const char *name)
{
    size_t found = 0;

    if (m == NULL || name == NULL)
        return 0;
    size_t name_len = strlen(name);
    for (size_t i = 0; i < m->count; i++)
        if (names_equal(m->fields[i].name, strlen(m->fields[i].name), name, name_len))
            found++;
    return found;
}
