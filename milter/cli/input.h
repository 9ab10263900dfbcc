/*
 * input.h - finding the messages origin-trace-check is asked to read.
 *
 * Owns the file side of the analyzer: a PATH is a message file, an mbox
 * file, a Maildir, any directory (walked recursively in sorted order) or
 * "-" for standard input. Each message found is handed to a callback with
 * the bytes of its header section (the body is never kept). Limits: at most
 * CHECK_INPUT_MAX_HEADER bytes of header are kept per message, a single
 * message file is read no further than CHECK_INPUT_MAX_MESSAGE bytes,
 * directories are walked at most CHECK_INPUT_MAX_DEPTH levels deep.
 */
#ifndef OT_CHECK_INPUT_H
#define OT_CHECK_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#define CHECK_INPUT_MAX_HEADER   (8u * 1024u * 1024u)
#define CHECK_INPUT_MAX_MESSAGE  (64u * 1024u * 1024u)
#define CHECK_INPUT_MAX_DEPTH    64u
#define CHECK_INPUT_MAX_ENTRIES  (1024u * 1024u) /* names read from one directory */

/*
 * Called once per message found. name is the path as given or found, or
 * "PATH:N" for the N-th message (1-based) of an mbox holding more than one.
 * header/len are the raw header bytes (possibly empty), followed by the
 * body when check_input.with_body asked for it. error is NULL, or a
 * one-line reason when the message was only partly read; the callback
 * reports it, the walk goes on.
 */
typedef void (*check_message_fn)(void *arg, const char *name,
                                 const char *header, size_t len, const char *error);

/*
 * Reads everything under path. Problems (a file that cannot be opened, a
 * directory that cannot be listed, a read error) are reported on standard
 * error prefixed with prog. Returns false when some input could not be
 * read; the messages that could be read have been passed to fn.
 */
typedef struct check_input {
    const char *prog;         /* prefix of messages on standard error */
    check_message_fn fn;
    void *arg;
    bool with_body;           /* hand over the body after the header (DKIM), the
                               * whole message bounded by CHECK_INPUT_MAX_MESSAGE */
} check_input;

bool check_input_each(const check_input *in, const char *path);

/* Does this line (without its line end) look like an mbox separator:
 * "From SENDER Www Mmm DD HH:MM[:SS] ... YYYY"? */
bool check_input_is_mbox_separator(const char *line, size_t len);

#endif
