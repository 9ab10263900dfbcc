/*
 * sanitize.c - the one rule for sender-chosen bytes leaving the core.
 *
 * Owns: turning arbitrary bytes into printable ASCII for a header value or
 * a log line (ot_sanitize), the stricter token form that cannot break a
 * "name=value" list (ot_sanitize_token), and a bounded copy that never
 * reads past the source length (ot_strlcpy_n).
 * Limits: reads at most srclen bytes and writes at most dstsize bytes,
 * always NUL-terminated when dstsize > 0. No byte is ever passed through
 * unexamined: a byte is either in the allowed set or becomes '?'.
 */
#include "sanitize.h"

#include <stdbool.h>

static bool byte_is_printable(unsigned char byte)
{
    return byte >= 0x20 && byte <= 0x7e;
}

/* These would end a token or let it be read as several. */
static bool byte_breaks_token(unsigned char byte)
{
    switch (byte) {
    case ' ': case '"': case ';': case ',': case '=': case '\\':
        return true;
    default:
        return false;
    }
}

static size_t sanitize_with(char *dst, size_t dstsize, const char *src, size_t srclen,
                            bool as_token)
{
    size_t written = 0;

    if (dst == NULL || dstsize == 0)
        return 0;
    if (src == NULL)
        srclen = 0;
    /* the bound first, then a loop with nothing else to test */
    size_t n = srclen < dstsize - 1 ? srclen : dstsize - 1;
    for (; written < n; written++) {
        unsigned char byte = (unsigned char)src[written];
        bool keep = byte_is_printable(byte) && !(as_token && byte_breaks_token(byte));
        dst[written] = keep ? (char)byte : '?';
    }
    dst[written] = '\0';
    return written;
}

size_t ot_sanitize(char *dst, size_t dstsize, const char *src, size_t srclen)
{
    return sanitize_with(dst, dstsize, src, srclen, false);
}

size_t ot_sanitize_token(char *dst, size_t dstsize, const char *src, size_t srclen)
{
    return sanitize_with(dst, dstsize, src, srclen, true);
}

size_t ot_strlcpy_n(char *dst, size_t dstsize, const char *src, size_t srclen)
{
    size_t copied = 0;

    if (dst == NULL || dstsize == 0)
        return 0;
    if (src != NULL) {
        while (copied < srclen && copied + 1 < dstsize && src[copied] != '\0') {
            dst[copied] = src[copied];
            copied++;
        }
    }
    dst[copied] = '\0';
    return copied;
}
