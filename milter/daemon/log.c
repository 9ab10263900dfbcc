/*
 * log.c - writing one line to syslog or standard error.
 *
 * Owns the sink and the level filter only; what goes into a line is the
 * caller's (logline.c for messages). A line is cut at OT_LOG_LINE_SIZE
 * and written with one write(2), so concurrent sessions never interleave
 * and a short write to a full pipe cannot split one line into two. Control
 * bytes are replaced here as a last guard, although callers already
 * sanitize what the sender chose.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

static const struct {
    const char *name;
    int code;
} facility_table[] = {
    {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

int ot_log_facility_code(const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < sizeof facility_table / sizeof facility_table[0]; i++)
        if (strcasecmp(name, facility_table[i].name) == 0)
            return facility_table[i].code;
    return -1;
}

void ot_log_open_syslog(const char *ident, const char *facility)
{
    int code = ot_log_facility_code(facility);
    openlog(ident, LOG_PID | LOG_NDELAY, code >= 0 ? code : LOG_MAIL);
}

void ot_log_close(void)
{
    closelog();
}

static int syslog_priority(enum ot_log_level level)
{
    switch (level) {
    case OT_LOG_ERR: return LOG_ERR;
    case OT_LOG_WARN: return LOG_NOTICE;
    case OT_LOG_INFO: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

/* sd-daemon(3) priority prefixes, read by journald on standard error */
static const char *journal_prefix(enum ot_log_level level)
{
    switch (level) {
    case OT_LOG_ERR: return "<3>";
    case OT_LOG_WARN: return "<5>";
    case OT_LOG_INFO: return "<6>";
    default: return "<7>";
    }
}

static const char *level_word(enum ot_log_level level)
{
    switch (level) {
    case OT_LOG_ERR: return "error: ";
    case OT_LOG_DEBUG: return "debug: ";
    default: return "";
    }
}

void ot_log(const ot_log_target *t, enum ot_log_level level, const char *fmt, ...)
{
    char line[OT_LOG_LINE_SIZE];
    size_t len;
    va_list ap;
    int n;

    if (t == NULL || (int)level > t->level || (!t->to_stderr && !t->to_syslog))
        return;

    n = snprintf(line, sizeof line, "%s", level_word(level));
    len = n > 0 ? (size_t)n : 0;
    va_start(ap, fmt);
    n = vsnprintf(line + len, sizeof line - len, fmt, ap);
    va_end(ap);
    if (n > 0)
        len += (size_t)n;
    if (len > sizeof line - 2)
        len = sizeof line - 2;   /* room for the newline and the NUL */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch == 0x7f)
            line[i] = '?';
    }
    line[len] = '\0';

    if (t->to_syslog)
        syslog(syslog_priority(level), "%s", line);
    if (t->to_stderr) {
        char out[OT_LOG_LINE_SIZE + 8];
        int n2 = snprintf(out, sizeof out, "%s%s\n",
                          t->stderr_priority ? journal_prefix(level) : "", line);
        if (n2 > 0) {
            size_t outlen = (size_t)n2 < sizeof out ? (size_t)n2 : sizeof out - 1;
            ssize_t w = write(STDERR_FILENO, out, outlen);
            (void)w;   /* nowhere left to report a failing standard error */
        }
    }
}
