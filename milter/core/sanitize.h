/*
 * sanitize.h - making attacker text safe for a header or a log line.
 *
 * Owns the single rule for everything the sender chose that leaves the
 * core: printable ASCII only (0x21-0x7e plus space), every other byte
 * (CR, LF, NUL, TAB, 8-bit) replaced by '?', runs of spaces kept, the
 * result always NUL-terminated and cut at the destination size.
 * Callers that need a token (no spaces, no ';' or ',') use the token form.
 */
#ifndef OT_SANITIZE_H
#define OT_SANITIZE_H

#include <stddef.h>

/* Returns the number of bytes written (excluding NUL). */
size_t ot_sanitize(char *dst, size_t dstsize, const char *src, size_t srclen);

/* As ot_sanitize, and also replaces space, '"', ';', ',', '=' and '\\'
 * by '?', so the value can stand as one token of a header or log line. */
size_t ot_sanitize_token(char *dst, size_t dstsize, const char *src, size_t srclen);

/* Bounded copy of a NUL-terminated or length-delimited source: copies at
 * most dstsize-1 bytes and stops at srclen or the first NUL. */
size_t ot_strlcpy_n(char *dst, size_t dstsize, const char *src, size_t srclen);

#endif
