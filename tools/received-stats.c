/*
 * received-stats.c - how many Received lines of a corpus the parser reads.
 *
 * A developer's tool, not installed and not in the build: it reads every
 * message file given (or every regular file below a directory given),
 * takes each Received field through the core's own header reader (so the
 * unfolding is the production one) and ot_received_parse, and prints the
 * share parsed. With -u it also prints each unparsed value, with -f every
 * parsed line and its fields (tab separated), for eyeballing.
 *
 * Build by hand from a configured build directory, e.g.
 *   cc -std=c11 -D_GNU_SOURCE -I SRC/milter/core -o received-stats \
 *      SRC/tools/received-stats.c BUILD/milter/core/libotcore.a
 * Run:
 *   ./received-stats [-u] [-f] PATH...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "message.h"
#include "received.h"

#define STATS_MAX_FILE (8u * 1024u * 1024u)

typedef struct stats {
    unsigned long files, lines, parsed, with_date, with_ip, unreadable_files;
    int show_unparsed, show_fields;
} stats;

static void print_visible(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        putchar(c >= 0x20 && c < 0x7f ? c : '?');
    }
}

static void scan_message(stats *st, const char *path, const char *data, size_t len)
{
    ot_message m;
    ot_message_init(&m);
    ot_message_read_header(&m, data, len);
    st->files++;
    for (size_t i = 0;; i++) {
        const ot_field *f = ot_message_find(&m, "Received", i);
        if (f == NULL)
            break;
        ot_hop hop;
        st->lines++;
        if (ot_received_parse(f->value, f->value_len, &hop)) {
            st->parsed++;
            st->with_date += hop.has_date;
            st->with_ip += hop.from_ip[0] != '\0';
            if (st->show_fields) {
                char iso[32] = "";
                if (hop.has_date)
                    ot_date_format_iso(hop.date.epoch, iso, sizeof iso);
                printf("helo=%s\trdns=%s\tip=%s\tby=%s\twith=%s\tid=%s\tfor=%s\tdate=%s\tflags=%#x\t| ",
                       hop.from_helo, hop.from_rdns, hop.from_ip, hop.by, hop.with, hop.id,
                       hop.for_, iso, hop.flags);
                print_visible(f->value, f->value_len);
                putchar('\n');
            }
        } else if (st->show_unparsed) {
            printf("UNPARSED %s: ", path);
            print_visible(f->value, f->value_len);
            putchar('\n');
        }
    }
    ot_message_free(&m);
}

static void scan_path(stats *st, const char *path);

static void scan_file(stats *st, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        st->unreadable_files++;
        return;
    }
    char *buf = malloc(STATS_MAX_FILE);
    size_t n = buf != NULL ? fread(buf, 1, STATS_MAX_FILE, fp) : 0;
    fclose(fp);
    if (buf == NULL) {
        st->unreadable_files++;
        return;
    }
    scan_message(st, path, buf, n);
    free(buf);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(stats *st, const char *path)
{
    DIR *dir = opendir(path);
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;

    if (dir == NULL) {
        st->unreadable_files++;
        return;
    }
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 256;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL)
                break;
            names = grown;
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        names[count] = malloc(need);
        if (names[count] == NULL)
            break;
        snprintf(names[count], need, "%s/%s", path, e->d_name);
        count++;
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        scan_path(st, names[i]);
        free(names[i]);
    }
    free(names);
}

static void scan_path(stats *st, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        st->unreadable_files++;
    else if (S_ISDIR(sb.st_mode))
        scan_dir(st, path);
    else if (S_ISREG(sb.st_mode))
        scan_file(st, path);
}

int main(int argc, char **argv)
{
    stats st;
    int first = 1;

    memset(&st, 0, sizeof st);
    for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
        if (strcmp(argv[first], "-u") == 0)
            st.show_unparsed = 1;
        else if (strcmp(argv[first], "-f") == 0)
            st.show_fields = 1;
        else {
            fprintf(stderr, "usage: received-stats [-u] [-f] PATH...\n");
            return 2;
        }
    }
    if (first == argc) {
        fprintf(stderr, "usage: received-stats [-u] [-f] PATH...\n");
        return 2;
    }
    for (int i = first; i < argc; i++)
        scan_path(&st, argv[i]);
    printf("files %lu, Received lines %lu, parsed %lu (%.2f%%), with date %lu (%.2f%%), "
           "with from_ip %lu\n",
           st.files, st.lines, st.parsed, st.lines ? 100.0 * (double)st.parsed / (double)st.lines : 0.0,
           st.with_date, st.lines ? 100.0 * (double)st.with_date / (double)st.lines : 0.0,
           st.with_ip);
    return st.unreadable_files ? 1 : 0;
}
