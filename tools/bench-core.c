/*
 * bench-core.c - how fast the analysis core alone runs, in one process.
 *
 * A development tool, not part of the build or of make check. It reads
 * every message file given (directories: every regular file below them)
 * into memory first, then times ROUNDS passes of exactly what the milter
 * does per message: header fields into an ot_message, ot_analyze(), the
 * header value built. No file reading, directory walking or output is
 * timed, so the figure is the engine's own, comparable with
 * tools/sa-compare.pl's SpamAssassin figure (parse + Received metadata on
 * messages already in memory). A second line gives the fastest single
 * round, which other load on a shared machine disturbs least.
 *
 * Limits: messages are read whole, at most 64 MiB in all; the mbox "From "
 * line, if any, is left to ot_message_read_header like the CLI does.
 *
 * build (from a build directory made with /work/main/configure):
 *   cc -O2 -I$SRC/milter/core -I$SRC/milter/common $SRC/tools/bench-core.c \
 *      milter/core/libotcore.a milter/common/libotcommon.a -o bench-core
 * usage: bench-core [-r ROUNDS] [-t TRUSTED-LIST-OR-FILE] PATH...
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis.h"
#include "config.h"
#include "config_load.h"
#include "message.h"

#define BENCH_MAX_TOTAL (64u * 1024u * 1024u)

typedef struct corpus {
    char **text;
    size_t *len;
    size_t count, cap, bytes;
} corpus;

static int name_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int corpus_add_file(corpus *c, const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    char *buf;

    if (fp == NULL || fstat(fileno(fp), &st) != 0 || st.st_size < 0 ||
        c->bytes + (size_t)st.st_size > BENCH_MAX_TOTAL) {
        if (fp != NULL)
            fclose(fp);
        fprintf(stderr, "bench-core: %s: unreadable or too much data\n", path);
        return -1;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
        free(buf);
        fclose(fp);
        fprintf(stderr, "bench-core: %s: read failed\n", path);
        return -1;
    }
    fclose(fp);
    if (c->count == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1024;
        char **nt = realloc(c->text, ncap * sizeof *nt);
        size_t *nl = nt ? realloc(c->len, ncap * sizeof *nl) : NULL;
        if (nt == NULL || nl == NULL) {
            free(buf);
            if (nt != NULL)
                c->text = nt;
            return -1;
        }
        c->text = nt;
        c->len = nl;
        c->cap = ncap;
    }
    c->text[c->count] = buf;
    c->len[c->count] = (size_t)st.st_size;
    c->count++;
    c->bytes += (size_t)st.st_size;
    return 0;
}

/* every regular file below path, in sorted order, as the CLI walks */
static int corpus_add(corpus *c, const char *path, int depth)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) ? corpus_add_file(c, path) : 0;
    if (depth > 16 || (d = opendir(path)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (nn == NULL)
                break;
            names = nn;
            cap = ncap;
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(need);
        if (names[n] == NULL)
            break;
        snprintf(names[n], need, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_compare);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && corpus_add(c, names[i], depth + 1) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    corpus c = { 0 };
    ot_config cfg;
    ot_message msg;
    ot_result *res;
    char err[512];
    long rounds = 20;
    int opt;
    double wall0, cpu0, wall, cpu, best = 0.0;
    size_t total, handoffs = 0;

    ot_config_init(&cfg);
    while ((opt = getopt(argc, argv, "r:t:")) != -1) {
        switch (opt) {
        case 'r':
            rounds = strtol(optarg, NULL, 10);
            if (rounds < 1)
                rounds = 1;
            break;
        case 't':
            if (!ot_config_add_trusted_arg(&cfg, optarg, err, sizeof err)) {
                fprintf(stderr, "bench-core: -t %s: %s\n", optarg, err);
                return 2;
            }
            break;
        default:
            fputs("usage: bench-core [-r ROUNDS] [-t TRUSTED] PATH...\n", stderr);
            return 2;
        }
    }
    for (int i = optind; i < argc; i++)
        if (corpus_add(&c, argv[i], 0) != 0)
            fprintf(stderr, "bench-core: %s: not all read\n", argv[i]);
    if (c.count == 0) {
        fputs("bench-core: no messages\n", stderr);
        return 2;
    }
    res = calloc(1, sizeof *res);
    if (res == NULL)
        return 2;
    ot_message_init(&msg);

    wall0 = seconds(CLOCK_MONOTONIC);
    cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (long r = 0; r < rounds; r++) {
        double round0 = seconds(CLOCK_PROCESS_CPUTIME_ID), round;
        for (size_t i = 0; i < c.count; i++) {
            ot_message_reset(&msg);
            ot_message_read_header(&msg, c.text[i], c.len[i]);
            ot_analyze(&cfg, NULL, &msg, NULL, 1700000000, res);
            if (res->handoff.present)
                handoffs++;
        }
        /* the fastest round: the machine may be shared, and other work
         * slows some rounds down */
        round = seconds(CLOCK_PROCESS_CPUTIME_ID) - round0;
        if (r == 0 || round < best)
            best = round;
    }
    wall = seconds(CLOCK_MONOTONIC) - wall0;
    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    total = c.count * (size_t)rounds;
    printf("core (read_header + ot_analyze, in memory): %zu messages in %.3f s wall, %.3f s CPU: "
           "%.0f msg/s wall, %.0f msg/s CPU, %.2f us CPU/msg (%zu with a handoff)\n",
           total, wall, cpu, (double)total / wall, (double)total / cpu, cpu / (double)total * 1e6,
           handoffs / (size_t)rounds);
    printf("core best round: %zu messages in %.4f s CPU: %.0f msg/s CPU, %.2f us CPU/msg\n", c.count,
           best, (double)c.count / best, best / (double)c.count * 1e6);

    ot_message_free(&msg);
    free(res);
    for (size_t i = 0; i < c.count; i++)
        free(c.text[i]);
    free(c.text);
    free(c.len);
    ot_config_free(&cfg);
    return 0;
}
