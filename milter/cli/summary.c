/*
 * summary.c - counts over a batch of messages (--summary).
 *
 * Owns the tables printed after a batch: messages per path, per action and
 * per signal (count and share of the analysed messages), and the score
 * distribution in fixed buckets with minimum, median and maximum. Memory:
 * fixed counters plus one double per analysed message for the median;
 * past an allocation failure the median is reported as unavailable.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>

/* Bucket edges: <0, [0,2), [2,4), ..., [8,10), >=10. */
#define BUCKET_STEP  2.0
#define BUCKET_TOP   10.0
#define NBUCKETS     7u

void check_summary_init(check_summary *s)
{
    memset(s, 0, sizeof *s);
}

void check_summary_free(check_summary *s)
{
    free(s->scores);
    memset(s, 0, sizeof *s);
}

void check_summary_add(check_summary *s, const ot_result *res, const char *error)
{
    s->messages++;
    if (error != NULL || res == NULL) {
        s->errors++;
        return;
    }
    if ((unsigned)res->path <= OT_PATH_INTERNAL)
        s->per_path[res->path]++;
    if ((unsigned)res->action <= OT_ACTION_REJECT)
        s->per_action[res->action]++;
    for (size_t i = 0; i < res->nfired && i < OT_MAX_SIGNALS; i++) {
        if ((unsigned)res->fired[i].id < OT_SIG_COUNT)
            s->per_signal[res->fired[i].id]++;
    }
    if (s->out_of_memory)
        return;
    if (s->nscores == s->scores_cap) {
        size_t want = s->scores_cap ? s->scores_cap * 2 : 256;
        double *grown = realloc(s->scores, want * sizeof *grown);
        if (grown == NULL) {
            s->out_of_memory = true;
            return;
        }
        s->scores = grown;
        s->scores_cap = want;
    }
    s->scores[s->nscores++] = res->score;
}

static double share(size_t count, size_t total)
{
    return total ? 100.0 * (double)count / (double)total : 0.0;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t bucket_of(double score)
{
    if (score < 0.0)
        return 0;
    if (score >= BUCKET_TOP)
        return NBUCKETS - 1;
    return 1 + (size_t)(score / BUCKET_STEP);
}

static void print_row(FILE *out, const char *name, size_t count, size_t total)
{
    fprintf(out, "  %-26s %8zu %6.1f%%\n", name, count, share(count, total));
}

/* signals sorted by count (most first), then by table order */
static int compare_signal_rows(const void *a, const void *b, const size_t *counts)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (counts[x] != counts[y])
        return counts[x] < counts[y] ? 1 : -1;
    return (x > y) - (x < y);
}

void check_summary_print(FILE *out, check_summary *s)
{
    size_t analysed = s->messages - s->errors;
    size_t order[OT_SIG_COUNT];
    size_t nsig = 0;
    char a[32], b[32], c[32];

    fprintf(out, "messages: %zu analysed", analysed);
    if (s->errors)
        fprintf(out, ", %zu not analysable", s->errors);
    fputs("\n\n", out);

    fprintf(out, "  %-26s %8s %7s\n", "path", "messages", "share");
    for (unsigned p = 0; p <= OT_PATH_INTERNAL; p++)
        print_row(out, ot_path_name((enum ot_path)p), s->per_path[p], analysed);

    fprintf(out, "\n  %-26s %8s %7s\n", "action", "messages", "share");
    for (unsigned x = 0; x <= OT_ACTION_REJECT; x++)
        print_row(out, ot_action_name((enum ot_action)x), s->per_action[x], analysed);

    for (size_t i = 0; i < OT_SIG_COUNT; i++) {
        if (s->per_signal[i] > 0)
            order[nsig++] = i;
    }
    /* insertion sort: at most OT_SIG_COUNT rows, and no qsort_r in C11 */
    for (size_t i = 1; i < nsig; i++) {
        size_t key = order[i], j = i;
        while (j > 0 && compare_signal_rows(&order[j - 1], &key, s->per_signal) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = key;
    }
    fprintf(out, "\n  %-26s %8s %7s\n", "signal", "messages", "share");
    if (nsig == 0)
        fputs("  (none fired)\n", out);
    for (size_t i = 0; i < nsig; i++)
        print_row(out, ot_signal_table[order[i]].name, s->per_signal[order[i]], analysed);

    fprintf(out, "\n  %-26s %8s %7s\n", "score", "messages", "share");
    if (s->out_of_memory) {
        fputs("  (out of memory: score distribution not available)\n", out);
        return;
    }
    size_t buckets[NBUCKETS] = { 0 };
    for (size_t i = 0; i < s->nscores; i++)
        buckets[bucket_of(s->scores[i])]++;
    for (size_t k = 0; k < NBUCKETS; k++) {
        char label[32];
        if (k == 0)
            snprintf(label, sizeof label, "< 0");
        else if (k == NBUCKETS - 1)
            snprintf(label, sizeof label, ">= %.0f", BUCKET_TOP);
        else
            snprintf(label, sizeof label, "%.0f to < %.0f", (double)(k - 1) * BUCKET_STEP,
                     (double)k * BUCKET_STEP);
        print_row(out, label, buckets[k], s->nscores);
    }
    if (s->nscores == 0) {
        fputs("  min -   median -   max -\n", out);
        return;
    }
    qsort(s->scores, s->nscores, sizeof *s->scores, compare_doubles);
    double median = s->nscores % 2
        ? s->scores[s->nscores / 2]
        : (s->scores[s->nscores / 2 - 1] + s->scores[s->nscores / 2]) / 2.0;
    check_format_score(s->scores[0], a, sizeof a);
    check_format_score(median, b, sizeof b);
    check_format_score(s->scores[s->nscores - 1], c, sizeof c);
    fprintf(out, "  min %s   median %s   max %s\n", a, b, c);
}
