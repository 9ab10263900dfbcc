/*
 * fuzz_check.h - the one way a harness says "this result is wrong".
 *
 * Owns: FUZZ_CHECK(cond, what), which prints the broken property and
 * aborts, and small predicates over NUL-terminated buffers that several
 * harnesses share. An abort is what libFuzzer and the replay driver both
 * treat as a crash, so a broken documented guarantee is found and kept
 * like a memory error. Header-only: each harness is one translation unit
 * plus the driver.
 */
#ifndef OT_FUZZ_CHECK_H
#define OT_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, what) do { \
    if (!(cond)) { \
        fprintf(stderr, "fuzz check failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, #cond); \
        abort(); \
    } \
} while (0)

/* What the date parser can return: years 1970..9999 (the last second
 * 9999-12-31T23:59:59Z, one more for a leap second) moved by a written
 * zone of at most 99:59. */
#define FUZZ_LAST_SECOND        253402300799LL
#define FUZZ_ZONE_MAX_MINUTES   (99 * 60 + 59)
#define FUZZ_ZONE_MAX_SECONDS   ((int64_t)FUZZ_ZONE_MAX_MINUTES * 60)

/* The libFuzzer entry point every harness defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* buf holds a NUL within size bytes. */
static inline bool fuzz_terminated(const char *buf, size_t size)
{
    return memchr(buf, '\0', size) != NULL;
}

/* Every byte before the NUL is printable ASCII or space (what
 * ot_sanitize guarantees). */
static inline bool fuzz_printable(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* No control byte before the NUL (8-bit bytes allowed: strings the
 * parser copies "as written except that control bytes become '?'"). */
static inline bool fuzz_no_controls(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return false;
    return true;
}

#endif
