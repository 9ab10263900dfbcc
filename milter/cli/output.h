/*
 * output.h - the four ways origin-trace-check reports a result.
 *
 * output.c: the default line (FILE TAB SCORE TAB ACTION TAB HEADER) and
 * JSON Lines (built with json-c, never by hand); explain.c: the path drawn
 * for a person; summary.c: counts over a batch. Every string that came
 * from a message or a file name passes ot_sanitize before it is printed.
 */
#ifndef OT_CHECK_OUTPUT_H
#define OT_CHECK_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis.h"

/* error: NULL for an analysed message; else res is ignored and the one-line
 * reason is reported instead of a verdict. */
void check_output_line(FILE *out, const char *file, const ot_result *res, const char *error);
/* Returns false when json-c failed (out of memory). */
bool check_output_json(FILE *out, const char *file, const ot_result *res, const char *error);
/* msg (may be NULL) lets the drawing quote a Received line the core could
 * not parse. */
void check_output_explain(FILE *out, const char *file, const ot_message *msg,
                          const ot_result *res, const char *error);

/* Score with one decimal, as the header renders it ("7.5", "-1.0"). */
void check_format_score(double score, char *out, size_t outsize);
/* A weight as its shortest decimal with at least one digit after the point
 * (2.5, 0.25, -1.0), at most three. */
void check_format_weight(double weight, char *out, size_t outsize);

/* ---- summary.c ---------------------------------------------------------------- */

typedef struct check_summary {
    size_t messages;
    size_t errors;                       /* messages that could not be analysed */
    size_t per_path[OT_PATH_INTERNAL + 1];
    size_t per_action[OT_ACTION_REJECT + 1];
    size_t per_signal[OT_SIG_COUNT];
    double *scores;                      /* one per analysed message */
    size_t nscores, scores_cap;
    bool out_of_memory;
} check_summary;

void check_summary_init(check_summary *s);
void check_summary_add(check_summary *s, const ot_result *res, const char *error);
void check_summary_print(FILE *out, check_summary *s);
void check_summary_free(check_summary *s);

#endif
