/*
 * log.h - where the daemon's lines go: syslog, or standard error with -f.
 *
 * Owns the sink choice and the level filter. A target is a small value
 * copied into each configuration generation, so a reload that changes
 * LogLevel takes effect for new sessions while old ones keep theirs.
 * Every line is built whole in a bounded buffer and written at once, so
 * lines of concurrent sessions never interleave. Callers sanitize what the
 * sender chose before it reaches a format (see logline.h).
 */
#ifndef OT_DAEMON_LOG_H
#define OT_DAEMON_LOG_H

#include <stdbool.h>

#define OT_LOG_LINE_SIZE 2048u

/* levels, as LogLevel counts them */
enum ot_log_level {
    OT_LOG_ERR = 0,      /* LogLevel error: always written */
    OT_LOG_WARN = 1,     /* LogLevel warning: refused reloads' side notes, odd MTAs */
    OT_LOG_INFO = 2,     /* LogLevel info (default): one line per message, start, stop, reload */
    OT_LOG_DEBUG = 3,    /* LogLevel debug: every callback */
};

typedef struct ot_log_target {
    bool to_stderr;
    bool stderr_priority;    /* prefix "<N>" so that the journal keeps the priority */
    bool to_syslog;
    int level;           /* highest enum ot_log_level written */
} ot_log_target;

/* syslog facility by name ("mail", "daemon", "local0".."local7", "user");
 * -1 when unknown. */
int ot_log_facility_code(const char *name);

/* Opens syslog with that facility (falls back to mail). Safe to call
 * again on reload: the C library serialises openlog and syslog. */
void ot_log_open_syslog(const char *ident, const char *facility);
void ot_log_close(void);

/* The one per-message line and start-up notes go through here. */
void ot_log(const ot_log_target *t, enum ot_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
