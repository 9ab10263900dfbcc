/*
 * replay.c - runs a libFuzzer harness without libFuzzer, as a TAP test.
 *
 * Linked with one harness (any tests/fuzz/fuzz_*.c) it calls
 * LLVMFuzzerTestOneInput() once per file named on the command line, or
 * per regular file inside a named directory (sorted, dot files skipped),
 * each in a child process, so that a crash or a failed FUZZ_CHECK marks
 * that one input "not ok" and the others still run. A missing directory
 * is skipped (a harness with no regressions yet). Each input is read whole
 * into a buffer of exactly its size, as libFuzzer hands it over, so that
 * ASan sees a read one byte past the end. Limit: REPLAY_MAX_INPUT bytes
 * per file (larger inputs are reported "not ok").
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz_check.h"

#define REPLAY_MAX_INPUT (64u * 1024u * 1024u)

static int replay_count, replay_failures;

static void tap_result(int pass, const char *path, const char *why)
{
    replay_count++;
    if (!pass)
        replay_failures++;
    printf("%sok %d - %s%s%s\n", pass ? "" : "not ", replay_count, path, why[0] ? ": " : "", why);
    fflush(stdout);
}

/* Reads the whole file into a buffer of its exact size (NULL, *size 0 for
 * an empty file). Returns false with errno set on failure. */
static bool read_whole(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;

    *data = NULL;
    *size = 0;
    if (f == NULL)
        return false;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (unsigned long long)st.st_size > REPLAY_MAX_INPUT) {
        fclose(f);
        errno = EFBIG;
        return false;
    }
    if (st.st_size > 0) {
        *data = malloc((size_t)st.st_size);
        if (*data == NULL || fread(*data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(*data);
            *data = NULL;
            fclose(f);
            errno = EIO;
            return false;
        }
        *size = (size_t)st.st_size;
    }
    fclose(f);
    return true;
}

static void replay_file(const char *path)
{
    uint8_t *data;
    size_t size;
    pid_t pid;
    int status;
    char why[128];

    if (!read_whole(path, &data, &size)) {
        snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
        tap_result(0, path, why);
        return;
    }
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        LLVMFuzzerTestOneInput(data, size);
        exit(0);   /* not _exit: LeakSanitizer checks at exit */
    }
    free(data);
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        tap_result(0, path, "fork or wait failed");
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        why[0] = '\0';
    else if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
    else
        snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
    tap_result(why[0] == '\0', path, why);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_directory(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t count = 0, cap = 0;

    if (d == NULL) {
        printf("# %s: %s (skipped)\n", dir, strerror(errno));
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL)
                break;
            names = grown;
        }
        names[count] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[count] == NULL)
            break;
        sprintf(names[count], "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            replay_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            replay_directory(argv[i]);
        else if (stat(argv[i], &st) != 0 && errno == ENOENT)
            printf("# %s: absent (skipped)\n", argv[i]);
        else
            replay_file(argv[i]);
    }
    printf("1..%d\n", replay_count);
    return replay_failures ? 1 : 0;
}
