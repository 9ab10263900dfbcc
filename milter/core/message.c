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

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define MESSAGE_SSE2 1
#endif

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

/* "Received" in any case: every field is asked. The eight bytes as one
 * word with the case bit set equal "received" exactly when each byte is
 * that letter in either case (only a letter and its capital differ in
 * that bit alone). */
static bool name_is_received(const char *name, size_t len)
{
    uint64_t x, want;

    if (len != 8)
        return false;
    memcpy(&x, name, 8);
    memcpy(&want, "received", 8);
    return (x | 0x2020202020202020u) == want;
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

static bool grow_bytes(ot_message *m, size_t need);

/* Makes room for `need` more bytes; false when that would pass the bound.
 * The common case, room already there, stays inline in the caller. */
static inline bool reserve_bytes(ot_message *m, size_t need)
{
    if (need > OT_MAX_HEADER_BYTES || m->len > OT_MAX_HEADER_BYTES - need)
        return false;
    if (m->len + need <= m->cap)
        return true;
    return grow_bytes(m, need);
}

/* The buffer is too small: a larger one, the fields rebased onto it. */
static bool grow_bytes(ot_message *m, size_t need)
{
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

static bool name_byte_ok(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != ':';
}

/* Eight name bytes at once: none below 0x21, above 0x7e or a colon (the
 * "has less / has more / has zero" word tricks, exact as to whether any
 * byte does). Every field of every message passes here. */
static bool name_word_ok(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t colon = x ^ (ones * ':');
    uint64_t below = (x - ones * 0x21u) & ~x & highs;
    uint64_t above = ((x + ones * (127u - 0x7eu)) | x) & highs;
    uint64_t is_colon = (colon - ones) & ~colon & highs;
    return (below | above | is_colon) == 0;
}

static bool name_is_valid(const char *name, size_t len)
{
    size_t i = 0;

    if (len == 0 || len > OT_MAX_FIELD_NAME)
        return false;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, name + i, 8);
        if (!name_word_ok(x))
            return false;
    }
    for (; i < len; i++)
        if (!name_byte_ok((unsigned char)name[i]))
            return false;
    return true;
}

/* Where the reader found the lines of one field: the content of each line
 * (its line end and the one CR before it left out). Fields of more lines
 * than this are unfolded the general way. */
#define MESSAGE_MAX_SPANS 32u

typedef struct line_span {
    const char *start, *end;
} line_span;

typedef struct field_lines {
    line_span span[MESSAGE_MAX_SPANS];
    size_t count;
    bool overflow;           /* more lines than span holds */
    bool nul_free;           /* the reader found no NUL in the value */
} field_lines;

/* The reader's unfolding: the value lies within the lines, starts and ends
 * on a byte that is not white space or a line end, holds no NUL, and every
 * line but the first is a continuation (it starts with SP or HTAB). Then
 * unfold_value's result is exactly the lines' contents within the value,
 * joined: a fold removes the line end and keeps the white space after it.
 * Writes it to dst and returns its length. */
static size_t join_lines(char *dst, const char *value, size_t value_len, const field_lines *lines)
{
    const char *from = value, *to = value + value_len;
    size_t len = 0;

    if (lines->count == 1) {
        /* one line: the value lies within it */
        memcpy(dst, value, value_len);
        return value_len;
    }

    for (size_t i = 0; i < lines->count; i++) {
        const char *a = lines->span[i].start, *b = lines->span[i].end;
        if (a < from)
            a = from;
        if (b > to)
            b = to;
        if (a >= b)
            continue;
        memcpy(dst + len, a, (size_t)(b - a));
        len += (size_t)(b - a);
    }
    return len;
}

/* memcpy() for the short strings a field name is: two overlapping loads
 * and stores instead of a call or a byte loop. */
static inline void copy_short(char *dst, const char *src, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t head, tail;
        memcpy(&head, src, 8);
        memcpy(&tail, src + n - 8, 8);
        memcpy(dst, &head, 8);
        memcpy(dst + n - 8, &tail, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t head, tail;
        memcpy(&head, src, 4);
        memcpy(&tail, src + n - 4, 4);
        memcpy(dst, &head, 4);
        memcpy(dst + n - 4, &tail, 4);
    } else {
        memcpy(dst, src, n);
    }
}

/* ot_message_add_field, with the reader's line positions when it has them
 * (lines may be NULL). */
static bool store_field(ot_message *m, const char *name, size_t name_len, const char *value,
                        size_t value_len, const field_lines *lines, bool name_printable)
{
    if (m == NULL)
        return false;
    if (name == NULL)
        name_len = 0;
    if (value == NULL)
        value_len = 0;

    /* the reader may already know every name byte is printable: then
     * nothing trails to trim and only the length is left to judge */
    if (!name_printable)
        while (name_len > 0 && byte_is_trimmable((unsigned char)name[name_len - 1]))
            name_len--;
    bool is_received = name_is_received(name, name_len);
    if (is_received)
        m->received_total++;
    if (name_printable ? name_len == 0 || name_len > OT_MAX_FIELD_NAME : !name_is_valid(name, name_len)) {
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
    copy_short(name_copy, name, name_len);
    name_copy[name_len] = '\0';
    char *value_copy = name_copy + name_len + 1;
    unfold_result written;
    if (lines != NULL && !lines->overflow && lines->nul_free && value_len <= OT_MAX_FIELD_VALUE) {
        /* the reader already found every line end: join, do not rescan */
        written.len = join_lines(value_copy, value, value_len, lines);
        written.nuls = 0;
        written.truncated = false;
    } else {
        written = unfold_value(value_copy, OT_MAX_FIELD_VALUE, value, value_len);
    }
    /* a NUL turned space or a cut may leave white space at the end */
    while (written.len > 0 && byte_is_wsp((unsigned char)value_copy[written.len - 1]))
        written.len--;
    value_copy[written.len] = '\0';
    m->len += name_len + 1 + written.len + 1;

    ot_field *f = &m->fields[m->count++];
    f->name = name_copy;
    f->name_len = name_len;
    f->is_received = is_received;
    f->value = value_copy;
    f->value_len = written.len;
    m->nul_bytes += written.nuls;
    if (written.truncated)
        m->value_truncated = true;
    return true;
}

bool ot_message_add_field(ot_message *m, const char *name, size_t name_len,
                          const char *value, size_t value_len)
{
    return store_field(m, name, name_len, value, value_len, NULL, false);
}

/* ---- reader ---------------------------------------------------------------------- */

typedef struct header_line {
    size_t start;          /* first byte of the line */
    size_t end;            /* end of its content: before CRLF or LF */
    size_t next;           /* first byte of the next line */
    size_t nul;            /* the first NUL in [start, end), SIZE_MAX if none */
} header_line;

/* The line at pos, and whether it holds a NUL, in one pass: a NUL needs
 * its own handling when the value is stored, and looking for it in a
 * second search over the same bytes cost as much as finding the line end.
 * Sixteen bytes at a time where the target has SSE2, only whole blocks
 * before len; the rest byte by byte. */
static inline header_line next_line(const char *data, size_t len, size_t pos)
{
    header_line line = { pos, len, len, SIZE_MAX };
    size_t i = pos;

#ifdef MESSAGE_SSE2
    const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
        unsigned bits = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, zero)));
        for (; bits != 0; bits &= bits - 1) {
            size_t k = i + (size_t)__builtin_ctz(bits);
            if (data[k] == '\n') {
                i = k;
                goto found;
            }
            if (line.nul == SIZE_MAX)
                line.nul = k;
        }
    }
#endif
    for (; i < len; i++) {
        if (data[i] == '\n')
            goto found;
        if (data[i] == '\0' && line.nul == SIZE_MAX)
            line.nul = i;
    }
    return line;

found:
    line.end = i;
    line.next = i + 1;
    if (line.end > pos && data[line.end - 1] == '\r')
        line.end--;
    return line;
}

/* A field being gathered over its continuation lines. */
typedef struct pending_field {
    bool open;
    bool name_printable;     /* every name byte is 0x21..0x7e (no colon) */
    size_t name_start, name_end;
    size_t value_start, value_end;
    field_lines lines;
} pending_field;

static inline void pending_add_line(pending_field *pending, const char *data, size_t start, size_t end)
{
    field_lines *l = &pending->lines;
    if (l->count == MESSAGE_MAX_SPANS) {
        l->overflow = true;
        return;
    }
    l->span[l->count].start = data + start;
    l->span[l->count].end = data + end;
    l->count++;
}

/* The first ':' of a line, or NULL; *printable tells whether every byte
 * before it lies in 0x21..0x7e (then the name is valid as it stands, but
 * for its length). Eight bytes at a time where the machine is little-
 * endian, with the exact word tricks for "has a byte equal to / below /
 * above": the lowest flagged byte is always a true hit. */
static const char *find_colon(const char *p, size_t len, bool *printable)
{
    size_t i = 0;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, colon, m;
        memcpy(&x, p + i, 8);
        colon = x ^ (ones * ':');
        m = ((colon - ones) & ~colon & highs) | ((x - ones * 0x21u) & ~x & highs) |
            (((x + ones * (127u - 0x7eu)) | x) & highs);
        if (m == 0)
            continue;
        i += (size_t)__builtin_ctzll(m) >> 3;
        break;
    }
#endif
    for (; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == ':') {
            *printable = true;
            return p + i;
        }
        if (c < 0x21 || c > 0x7e)
            break;
    }
    *printable = false;
    return i < len ? memchr(p + i, ':', len - i) : NULL;
}

static inline void flush_field(ot_message *m, const char *data, pending_field *pending)
{
    if (!pending->open)
        return;
    store_field(m, data + pending->name_start, pending->name_end - pending->name_start,
                data + pending->value_start, pending->value_end - pending->value_start,
                &pending->lines, pending->name_printable);
    pending->open = false;
}

size_t ot_message_read_header(ot_message *m, const char *data, size_t len)
{
    pending_field pending;
    size_t pos = 0;

    pending.open = false;
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
            if (pending.open) {
                pending.value_end = line.end;
                pending_add_line(&pending, data, line.start, line.end);
                if (line.nul != SIZE_MAX)
                    pending.lines.nul_free = false;
            }
        } else {
            flush_field(m, data, &pending);
            bool printable;
            const char *colon = find_colon(data + line.start, line.end - line.start, &printable);
            if (colon != NULL) {
                pending.open = true;
                pending.name_printable = printable;
                pending.name_start = line.start;
                pending.name_end = (size_t)(colon - data);
                pending.value_start = pending.name_end + 1;
                pending.value_end = line.end;
                pending.lines.count = 0;
                pending.lines.overflow = false;
                /* a NUL in the name (not printable, then) is not in the value */
                pending.lines.nul_free =
                    line.nul == SIZE_MAX ||
                    (line.nul < pending.value_start &&
                     memchr(data + pending.value_start, '\0', line.end - pending.value_start) == NULL);
                pending_add_line(&pending, data, pending.value_start, line.end);
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
    /* most fields differ from the name in length: compare bytes only when
     * the lengths agree (this runs for every check that reads a field) */
    size_t name_len = strlen(name);
    for (size_t i = 0; i < m->count; i++) {
        const ot_field *f = &m->fields[i];
        if (f->name_len == name_len && names_equal(f->name, f->name_len, name, name_len)) {
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
        if (names_equal(m->fields[i].name, m->fields[i].name_len, name, name_len))
            found++;
    return found;
}
