/*
 * input.c - turning the PATH arguments of origin-trace-check into messages.
 *
 * Owns: telling a message file from an mbox, a Maildir and a plain
 * directory; walking directories in sorted order; splitting an mbox at its
 * "From " separators; and reading, line by line through a fixed buffer,
 * only as much of each message as the analysis needs (the header section).
 *
 * Limits and choices, all documented in origin-trace-check(1):
 *  - A file is an mbox when its first line is a "From " separator and at
 *    least one more separator follows a blank line; its messages are named
 *    "PATH:N". A file with a single "From " line is one message named PATH.
 *  - A separator must look like "From SENDER Www Mmm ... HH:MM ..." (the
 *    asctime(3) date every mbox writer uses), so that a body line "From
 *    here on..." after a blank line does not split a message.
 *  - A Maildir is a directory holding cur, new and tmp: the files of cur
 *    and new are read, tmp (deliveries in progress) never is.
 *  - Directories: every regular file below, sorted by name (byte order);
 *    names starting with '.' are skipped (editor and Maildir++ folders),
 *    symbolic links to directories are not followed (no loops), depth is
 *    capped at CHECK_INPUT_MAX_DEPTH.
 *  - Header bytes kept per message: CHECK_INPUT_MAX_HEADER. A single
 *    message is read no further than the end of its header or
 *    CHECK_INPUT_MAX_MESSAGE bytes; an mbox is scanned to its end in
 *    constant memory.
 */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Long enough for any sane line; a longer line arrives in several pieces. */
#define LINE_BUFFER_SIZE (64u * 1024u)

/* ---- a bounded line reader ------------------------------------------------- */

typedef struct line_reader {
    FILE *fp;
    char buf[LINE_BUFFER_SIZE];
    size_t start, end;       /* unread bytes are buf[start..end) */
    bool at_line_start;      /* the next piece begins a line */
    bool eof, error;
    int saved_errno;
    unsigned long long consumed;
} line_reader;

static void reader_fill(line_reader *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    while (r->end < sizeof r->buf && !r->eof && !r->error) {
        size_t n = fread(r->buf + r->end, 1, sizeof r->buf - r->end, r->fp);
        r->end += n;
        if (n == 0) {
            if (ferror(r->fp)) {
                r->error = true;
                r->saved_errno = errno;
            } else {
                r->eof = true;
            }
        }
        /* one newline is enough to hand out a line; stdin should not wait
         * for a full buffer */
        if (memchr(r->buf + r->start, '\n', r->end - r->start) != NULL)
            break;
    }
}

/*
 * Hands out the next piece of input: a whole line including its '\n', or,
 * when a line is longer than the buffer or the data ends without a newline,
 * the part available. *line_start tells whether the piece begins a line.
 * Returns false at the end of the data (or on a read error).
 */
static bool reader_next(line_reader *r, const char **piece, size_t *len, bool *line_start)
{
    const char *nl = NULL;

    if (r->start < r->end)
        nl = memchr(r->buf + r->start, '\n', r->end - r->start);
    if (nl == NULL) {
        reader_fill(r);
        if (r->start == r->end)
            return false;
        nl = memchr(r->buf + r->start, '\n', r->end - r->start);
    }
    *piece = r->buf + r->start;
    *line_start = r->at_line_start;
    if (nl != NULL) {
        *len = (size_t)(nl - (r->buf + r->start)) + 1;
        r->at_line_start = true;
    } else {
        *len = r->end - r->start;
        r->at_line_start = false;
    }
    r->start += *len;
    r->consumed += *len;
    return true;
}

/* ---- one message being collected ------------------------------------------- */

typedef struct message_buf {
    char *data;
    size_t len, cap;
    bool truncated;          /* header longer than CHECK_INPUT_MAX_HEADER */
    bool out_of_memory;
} message_buf;

static void message_append(message_buf *m, const char *bytes, size_t n, size_t limit)
{
    if (m->truncated || m->out_of_memory)
        return;
    if (n > limit - m->len) {
        n = limit - m->len;
        m->truncated = true;
    }
    if (n > m->cap - m->len) {
        size_t want = m->cap ? m->cap : 16384u;
        while (want - m->len < n)
            want *= 2;
        if (want > limit)
            want = limit;
        char *grown = realloc(m->data, want);
        if (grown == NULL) {
            m->out_of_memory = true;
            return;
        }
        m->data = grown;
        m->cap = want;
    }
    memcpy(m->data + m->len, bytes, n);
    m->len += n;
}

static bool piece_is_blank_line(const char *p, size_t n, bool line_start)
{
    if (!line_start)
        return false;
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

static size_t without_line_end(const char *p, size_t n)
{
    if (n > 0 && p[n - 1] == '\n')
        n--;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    return n;
}

static bool word_in(const char *p, size_t avail, const char *list)
{
    if (avail < 3)
        return false;
    for (; *list != '\0'; list += 3) {
        if (strncmp(p, list, 3) == 0)
            return true;
    }
    return false;
}

bool check_input_is_mbox_separator(const char *line, size_t len)
{
    size_t i = 5;

    if (len < 5 || memcmp(line, "From ", 5) != 0)
        return false;
    /* the envelope sender: one non-empty token */
    while (i < len && line[i] == ' ')
        i++;
    if (i == len)
        return false;
    while (i < len && line[i] != ' ' && line[i] != '\t')
        i++;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    /* then an asctime(3) date, "Tue May 14 14:02:12 2024": a weekday, a
     * month and a time of day, which a body line rarely carries */
    if (!word_in(line + i, len - i, "MonTueWedThuFriSatSun"))
        return false;
    i += 3;
    while (i < len && line[i] == ' ')
        i++;
    if (!word_in(line + i, len - i, "JanFebMarAprMayJunJulAugSepOctNovDec"))
        return false;
    for (; i + 4 < len; i++) {
        if (line[i] >= '0' && line[i] <= '9' && line[i + 1] >= '0' && line[i + 1] <= '9' &&
            line[i + 2] == ':' && line[i + 3] >= '0' && line[i + 3] <= '9' &&
            line[i + 4] >= '0' && line[i + 4] <= '9')
            return true;
    }
    return false;
}

/* ---- a stream: one message or an mbox -------------------------------------- */

typedef struct stream_ctx {
    const check_input *in;
    const char *name;
} stream_ctx;

static void emit_message(const stream_ctx *s, unsigned long msgno, bool numbered,
                         message_buf *m, const char *error)
{
    char name[PATH_MAX + 32];
    const char *why = error;

    if (numbered)
        snprintf(name, sizeof name, "%s:%lu", s->name, msgno);
    else
        snprintf(name, sizeof name, "%s", s->name);
    if (why == NULL && m->out_of_memory)
        why = "out of memory while reading the header";
    /* a header cut at the cap is still analysed: the core bounds it anyway */
    s->in->fn(s->in->arg, name, m->data ? m->data : "", m->len, why);
    m->len = 0;
    m->truncated = false;
    m->out_of_memory = false;
}

static bool read_stream(const stream_ctx *s, FILE *fp)
{
    /* not calloc: the buffer needs no clearing, only the cursor fields */
    line_reader *r = malloc(sizeof *r);
    message_buf m = { 0 };
    const char *piece;
    size_t n;
    bool line_start;
    bool first = true, mbox = false, in_header = true, prev_blank = false;
    bool numbered = false;
    unsigned long msgno = 1;
    bool ok = true;

    if (r == NULL) {
        fprintf(stderr, "%s: %s: out of memory\n", s->in->prog, s->name);
        return false;
    }
    r->fp = fp;
    r->start = r->end = 0;
    r->at_line_start = true;
    r->eof = r->error = false;
    r->saved_errno = 0;
    r->consumed = 0;

    while (reader_next(r, &piece, &n, &line_start)) {
        if (first) {
            first = false;
            if (check_input_is_mbox_separator(piece, without_line_end(piece, n))) {
                mbox = true;
                prev_blank = false;
                continue;
            }
        }
        if (mbox && line_start && prev_blank &&
            check_input_is_mbox_separator(piece, without_line_end(piece, n))) {
            /* the message ends here; knowing a second one follows makes
             * the whole file an mbox, so the first is numbered too */
            numbered = true;
            emit_message(s, msgno, numbered, &m, NULL);
            msgno++;
            in_header = true;
            prev_blank = false;
            continue;
        }
        prev_blank = piece_is_blank_line(piece, n, line_start);
        if (in_header) {
            message_append(&m, piece, n, CHECK_INPUT_MAX_HEADER);
            if (piece_is_blank_line(piece, n, line_start)) {
                in_header = false;
                if (!mbox && !s->in->with_body)
                    break;  /* a single message: the body is not needed */
            }
        } else if (s->in->with_body && !m.truncated) {
            message_append(&m, piece, n, CHECK_INPUT_MAX_MESSAGE);
        }
        if (!mbox && r->consumed >= CHECK_INPUT_MAX_MESSAGE)
            break;
    }

    if (r->error) {
        char why[160];
        snprintf(why, sizeof why, "read error: %s", strerror(r->saved_errno));
        fprintf(stderr, "%s: %s: %s\n", s->in->prog, s->name, why);
        ok = false;
        if (!first)
            emit_message(s, msgno, numbered, &m, why);
    } else {
        /* the last (or only) message; an empty file is one empty message */
        emit_message(s, msgno, numbered, &m, NULL);
    }
    free(m.data);
    free(r);
    return ok;
}

static bool read_file(const check_input *in, const char *path)
{
    stream_ctx s = { in, path };
    FILE *fp = fopen(path, "rb");
    bool ok;

    if (fp == NULL) {
        fprintf(stderr, "%s: %s: %s\n", in->prog, path, strerror(errno));
        return false;
    }
    ok = read_stream(&s, fp);
    fclose(fp);
    return ok;
}

/* ---- directories ------------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool join_path(char *out, size_t outsize, const char *dir, const char *name)
{
    size_t dlen = strlen(dir);
    int n;

    /* "dir/" given by the user stays "dir/name", not "dir//name" */
    if (dlen > 0 && dir[dlen - 1] == '/')
        n = snprintf(out, outsize, "%s%s", dir, name);
    else
        n = snprintf(out, outsize, "%s/%s", dir, name);
    return n > 0 && (size_t)n < outsize;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_maildir(const char *dir)
{
    static const char *const parts[] = { "cur", "new", "tmp" };
    char sub[PATH_MAX];

    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!join_path(sub, sizeof sub, dir, parts[i]) || !is_directory(sub))
            return false;
    }
    return true;
}

/* Reads the names of dir, without "." entries, sorted. NULL on failure. */
static char **list_directory(const char *prog, const char *dir, size_t *count, bool *ok)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;

    *count = 0;
    if (d == NULL) {
        fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
        *ok = false;
        return NULL;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == CHECK_INPUT_MAX_ENTRIES) {
            fprintf(stderr, "%s: %s: more than %u entries, the rest is not read\n",
                    prog, dir, CHECK_INPUT_MAX_ENTRIES);
            *ok = false;
            break;
        }
        if (n == cap) {
            size_t want = cap ? cap * 2 : 64;
            char **grown = realloc(names, want * sizeof *names);
            if (grown == NULL)
                break;
            names = grown;
            cap = want;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL)
            break;
        n++;
    }
    if (e != NULL && n < CHECK_INPUT_MAX_ENTRIES) {
        fprintf(stderr, "%s: %s: out of memory while listing\n", prog, dir);
        *ok = false;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, compare_names);
    *count = n;
    return names;
}

static bool walk(const check_input *in, const char *dir, unsigned depth);

static bool walk_entry(const check_input *in, const char *path, unsigned depth)
{
    const char *prog = in->prog;
    struct stat st;

    if (lstat(path, &st) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return false;
    }
    if (S_ISLNK(st.st_mode)) {
        /* a link to a file is read; a link to a directory is not walked */
        if (stat(path, &st) != 0) {
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
            return false;
        }
        if (!S_ISREG(st.st_mode))
            return true;
    }
    if (S_ISDIR(st.st_mode))
        return walk(in, path, depth + 1);
    if (S_ISREG(st.st_mode))
        return read_file(in, path);
    return true;  /* devices, sockets, FIFOs found in a tree are not messages */
}

static bool walk(const check_input *in, const char *dir, unsigned depth)
{
    const char *prog = in->prog;
    static const char *const maildir_parts[] = { "cur", "new" };
    char path[PATH_MAX];
    bool ok = true;

    if (depth > CHECK_INPUT_MAX_DEPTH) {
        fprintf(stderr, "%s: %s: deeper than %u levels, not read\n",
                prog, dir, CHECK_INPUT_MAX_DEPTH);
        return false;
    }
    if (is_maildir(dir)) {
        for (size_t i = 0; i < 2; i++) {
            if (!join_path(path, sizeof path, dir, maildir_parts[i])) {
                fprintf(stderr, "%s: %s: path too long\n", prog, dir);
                return false;
            }
            if (!walk(in, path, depth + 1))
                ok = false;
        }
        return ok;
    }

    size_t count;
    char **names = list_directory(prog, dir, &count, &ok);
    for (size_t i = 0; i < count; i++) {
        if (!join_path(path, sizeof path, dir, names[i])) {
            fprintf(stderr, "%s: %s/%s: path too long\n", prog, dir, names[i]);
            ok = false;
        } else if (!walk_entry(in, path, depth)) {
            ok = false;
        }
        free(names[i]);
    }
    free(names);
    return ok;
}

/* ---- entry point ------------------------------------------------------------- */

bool check_input_each(const check_input *in, const char *path)
{
    const char *prog = in->prog;
    struct stat st;

    if (strcmp(path, "-") == 0) {
        stream_ctx s = { in, "-" };
        bool ok = read_stream(&s, stdin);
        clearerr(stdin);
        return ok;
    }
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return false;
    }
    if (S_ISDIR(st.st_mode))
        return walk(in, path, 0);
    /* named explicitly: any readable file (also a FIFO or /dev/stdin) */
    return read_file(in, path);
}
