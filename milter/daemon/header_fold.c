/*
 * header_fold.c - folding the X-Origin-Trace value for the wire.
 *
 * Tokens are separated by single spaces; a fold replaces the space before
 * a token that would carry the line past 78 columns by "\n\t" (libmilter
 * and both MTAs accept a bare LF there and write CRLF). A token longer
 * than a line stays whole rather than be split inside; the core bounds
 * the whole value by OT_HEADER_SIZE, and its tokens are short.
 */
#include "header_fold.h"

#include <stdbool.h>
#include <string.h>

#include "limits.h"
#include "sanitize.h"

#define FOLD_AT 78u

size_t ot_header_fold(char *out, size_t outsize, const char *value, size_t name_len)
{
    char clean[OT_HEADER_SIZE];
    size_t len, col, o = 0, i = 0;

    if (outsize == 0)
        return 0;
    out[0] = '\0';
    if (value == NULL)
        return 0;
    len = ot_sanitize(clean, sizeof clean, value, strnlen(value, sizeof clean - 1));
    while (len > 0 && clean[len - 1] == ' ')
        len--;
    while (i < len && clean[i] == ' ')
        i++;

    col = name_len + 2;
    while (i < len) {
        size_t start = i, tok;
        while (i < len && clean[i] != ' ')
            i++;
        tok = i - start;
        if (start > 0 && o > 0) {
            bool fold = col + 1 + tok > FOLD_AT;
            size_t need = fold ? 2 : 1;
            if (o + need + tok + 1 > outsize)
                break;
            if (fold) {
                out[o++] = '\n';
                out[o++] = '\t';
                col = 1;
            } else {
                out[o++] = ' ';
                col++;
            }
        }
        if (o + tok + 1 > outsize)
            break;
        memcpy(out + o, clean + start, tok);
        o += tok;
        col += tok;
        while (i < len && clean[i] == ' ')
            i++;
    }
    out[o] = '\0';
    return o;
}

size_t ot_reply_text(char *out, size_t outsize, const char *text, const char *fallback)
{
    char clean[OT_HEADER_SIZE];
    size_t len, o = 0;

    if (outsize == 0)
        return 0;
    len = text != NULL ? ot_sanitize(clean, sizeof clean, text, strnlen(text, sizeof clean - 1)) : 0;
    for (size_t i = 0; i < len && o + 1 < outsize; i++) {
        if (clean[i] == '%')
            continue;
        if (clean[i] == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        out[o++] = clean[i];
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    if (o == 0 && fallback != NULL && fallback != text)
        return ot_reply_text(out, outsize, fallback, NULL);
    return o;
}
