/*
 * tap.h - a minimal TAP producer for the unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name" with the expected
 * and actual values as a diagnostic; tap_done() prints the plan and
 * returns the exit status. Automake's tap-driver counts the results.
 */
#ifndef OT_TAP_H
#define OT_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failures;

__attribute__((format(printf, 4, 5), unused))
static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    tap_count++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        tap_failures++;
        printf("# failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return pass;
}

#define ok(cond, ...) tap_ok((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

#define is_str(got, want, ...) do { \
    const char *tap_g_ = (got), *tap_w_ = (want); \
    int tap_p_ = (tap_g_ == NULL && tap_w_ == NULL) || \
                 (tap_g_ != NULL && tap_w_ != NULL && strcmp(tap_g_, tap_w_) == 0); \
    if (!tap_ok(tap_p_, __FILE__, __LINE__, __VA_ARGS__)) \
        printf("#   got:  '%s'\n#   want: '%s'\n", tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
    long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
    if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, __VA_ARGS__)) \
        printf("#   got:  %lld\n#   want: %lld\n", tap_g_, tap_w_); \
} while (0)

#define is_double(got, want, ...) do { \
    double tap_g_ = (got), tap_w_ = (want); \
    if (!tap_ok(fabs(tap_g_ - tap_w_) < 1e-9, __FILE__, __LINE__, __VA_ARGS__)) \
        printf("#   got:  %g\n#   want: %g\n", tap_g_, tap_w_); \
} while (0)

__attribute__((unused))
static int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failures ? 1 : 0;
}

#endif
