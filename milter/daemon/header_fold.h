/*
 * header_fold.h - preparing text we hand to the MTA.
 *
 * Owns the last step before text reaches the MTA. The header value: every
 * byte printable ASCII (the core already sanitized it; this is the guard
 * at the door), folded with "\n\t" at spaces so that no line of the
 * field passes 78 characters where a space allows it (RFC 5322 2.1.1).
 * The reply text: printable ASCII on one line, without '%' (sendmail
 * ignores a reply text holding a lone '%', Postfix would show a doubled
 * one), never empty.
 */
#ifndef OT_HEADER_FOLD_H
#define OT_HEADER_FOLD_H

#include <stddef.h>

/* name_len counts the field name; ": " is assumed after it. Returns the
 * length written; out is always NUL-terminated. */
size_t ot_header_fold(char *out, size_t outsize, const char *value, size_t name_len);

/* The text of a 550 reply from RejectText; fallback when nothing is left. */
size_t ot_reply_text(char *out, size_t outsize, const char *text, const char *fallback);

#endif
