/*
 * config_load.c - reading origin-trace.conf and the files it names.
 *
 * Owns every file access of configuration: the main file, Include (nested
 * at most OT_MAX_INCLUDE_DEPTH deep, relative paths taken from the
 * including file's directory) and TrustedRelays files (one address or CIDR
 * per line, '#' comments). Lines longer than OT_MAX_CONF_LINE-1 bytes are
 * errors, never truncated silently. Every error names FILE:LINE.
 */
#include "config_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

static void path_relative_to(char *out, size_t outsize, const char *base, const char *path)
{
    const char *slash = strrchr(base, '/');

    if (path[0] == '/' || slash == NULL)
        snprintf(out, outsize, "%s", path);
    else
        snprintf(out, outsize, "%.*s/%s", (int)(slash - base), base, path);
}

/* Reads one line into buf; false at end of file. Sets *too_long when the
 * line did not fit; the rest is left unread, since a too long line ends
 * the load (reading on to a newline never ends on a file like /dev/zero). */
static bool read_line(FILE *f, char *buf, size_t size, bool *too_long)
{
    size_t n;

    *too_long = false;
    if (fgets(buf, (int)size, f) == NULL)
        return false;
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') {
        buf[n - 1] = '\0';
        return true;
    }
    if (feof(f))
        return true;
    *too_long = true;
    return true;
}

/* A line may hold OT_MAX_CONF_LINE-1 bytes; the buffer also needs room for
 * its newline and the NUL, or a line of exactly that length reads as too long. */
#define CONF_LINE_BUFFER (OT_MAX_CONF_LINE + 1u)

static bool load_trusted_file(ot_config *cfg, const char *path, const char *from_file,
                              unsigned from_line, char *err, size_t errsize)
{
    char line[CONF_LINE_BUFFER];
    char why[256];
    unsigned lineno = 0;
    bool too_long;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        snprintf(err, errsize, "%s:%u: cannot read TrustedRelays file %s: %s", from_file,
                 from_line, path, strerror(errno));
        return false;
    }
    while (read_line(f, line, sizeof line, &too_long)) {
        char *hash;

        lineno++;
        if (too_long) {
            snprintf(err, errsize, "%s:%u: line too long", path, lineno);
            fclose(f);
            return false;
        }
        if ((hash = strchr(line, '#')) != NULL)
            *hash = '\0';
        if (!ot_config_add_trusted(cfg, line, why, sizeof why)) {
            snprintf(err, errsize, "%s:%u: %s", path, lineno, why);
            fclose(f);
            return false;
        }
    }
    fclose(f);
    return true;
}

static bool load_file(ot_config *cfg, const char *path, unsigned depth, const char *from_file,
                      unsigned from_line, char *err, size_t errsize)
{
    char line[CONF_LINE_BUFFER];
    char why[512];
    char other[1024];
    unsigned lineno = 0;
    bool ok = true, too_long;
    FILE *f;

    if (depth > OT_MAX_INCLUDE_DEPTH) {
        snprintf(err, errsize, "%s:%u: Include nested deeper than %u", from_file, from_line,
                 OT_MAX_INCLUDE_DEPTH);
        return false;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        if (from_file != NULL)
            snprintf(err, errsize, "%s:%u: cannot read %s: %s", from_file, from_line, path,
                     strerror(errno));
        else
            snprintf(err, errsize, "%s:0: cannot read: %s", path, strerror(errno));
        return false;
    }
    while (ok && read_line(f, line, sizeof line, &too_long)) {
        char *key, *value;

        lineno++;
        if (too_long) {
            snprintf(err, errsize, "%s:%u: line longer than %u bytes", path, lineno,
                     OT_MAX_CONF_LINE - 1);
            ok = false;
            break;
        }
        if (!ot_config_split_line(line, &key, &value))
            continue;
        why[0] = '\0';
        switch (ot_config_apply(cfg, key, value, why, sizeof why)) {
        case OT_CONF_OK:
            break;
        case OT_CONF_INCLUDE:
            path_relative_to(other, sizeof other, path, value);
            ok = load_file(cfg, other, depth + 1, path, lineno, err, errsize);
            break;
        case OT_CONF_TRUSTED_FILE:
            path_relative_to(other, sizeof other, path, value);
            ok = load_trusted_file(cfg, other, path, lineno, err, errsize);
            break;
        case OT_CONF_UNKNOWN_KEY:
        case OT_CONF_BAD_VALUE:
            snprintf(err, errsize, "%s:%u: %s", path, lineno, why);
            ok = false;
            break;
        }
    }
    fclose(f);
    return ok;
}

bool ot_config_load(ot_config *cfg, const char *path, char *err, size_t errsize)
{
    return load_file(cfg, path, 0, NULL, 0, err, errsize);
}

bool ot_config_add_trusted_arg(ot_config *cfg, const char *arg, char *err, size_t errsize)
{
    FILE *f = (arg[0] == '/' || arg[0] == '.') ? fopen(arg, "r") : NULL;

    if (f != NULL) {
        fclose(f);
        return load_trusted_file(cfg, arg, "--trusted", 0, err, errsize);
    }
    return ot_config_add_trusted(cfg, arg, err, errsize);
}
