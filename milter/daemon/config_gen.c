/*
 * config_gen.c - the current configuration and its generations.
 *
 * libmilter hands callbacks nothing but their SMFICTX, so the one place a
 * new session can find the configuration is this registry: a single
 * file-scope pointer guarded by a mutex. It is the daemon's only mutable
 * process-wide state. Sessions take a reference at connect and keep that
 * generation to the end, so a reload never changes the rules under a
 * message in flight; the old generation is freed by whoever drops its
 * last reference. Loading happens outside the lock: a slow or bad file
 * never stalls new sessions.
 */
#include "config_gen.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_load.h"

static struct {
    pthread_mutex_t lock;
    ot_gen *current;
    unsigned long last_number;
    size_t session_refs;
} registry = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };

static void gen_free(ot_gen *g)
{
    if (g->dns_ok)
        ot_dns_services_close(&g->dns);
    pthread_mutex_destroy(&g->dns_lock);
    ot_config_free(&g->cfg);
    free(g);
}

const ot_dns_services *ot_gen_dns(ot_gen *g)
{
    char err[256];

    if (!g->cfg.dns)
        return NULL;
    pthread_mutex_lock(&g->dns_lock);
    if (!g->dns_tried) {
        g->dns_tried = true;
        err[0] = '\0';
        g->dns_ok = ot_dns_services_open(&g->dns, &g->cfg, err, sizeof err);
        if (!g->dns_ok)
            ot_log(&g->log, OT_LOG_ERR, "DNS lookups unavailable, messages are checked without them: %s",
                   err);
    }
    pthread_mutex_unlock(&g->dns_lock);
    return g->dns_ok ? &g->dns : NULL;
}

ot_gen *ot_gen_load(const ot_gen_opts *opts, char *err, size_t errsize)
{
    ot_gen *g = calloc(1, sizeof *g);
    if (g == NULL) {
        snprintf(err, errsize, "%s: out of memory", opts->config_path);
        return NULL;
    }
    pthread_mutex_init(&g->dns_lock, NULL);
    ot_config_init(&g->cfg);
    if (!ot_config_load(&g->cfg, opts->config_path, err, errsize)) {
        gen_free(g);
        return NULL;
    }
    /* the core stores the name as written; only the daemon knows syslog's names */
    if (ot_log_facility_code(g->cfg.syslog_facility) < 0) {
        snprintf(err, errsize, "%s: SyslogFacility %s: unknown (mail, daemon, user, local0-local7)",
                 opts->config_path, g->cfg.syslog_facility);
        gen_free(g);
        return NULL;
    }
    g->log.to_stderr = opts->foreground;
    /* systemd sets JOURNAL_STREAM when standard error is the journal */
    g->log.stderr_priority = opts->foreground && getenv("JOURNAL_STREAM") != NULL;
    g->log.to_syslog = !opts->foreground && g->cfg.syslog;
    g->log.level = g->cfg.log_level;
    return g;
}

void ot_gen_discard(ot_gen *g)
{
    if (g != NULL)
        gen_free(g);
}

void ot_gen_install(ot_gen *g)
{
    ot_gen *old;

    pthread_mutex_lock(&registry.lock);
    g->number = ++registry.last_number;
    g->refs = 1;                       /* the registry's own reference */
    old = registry.current;
    registry.current = g;
    if (old != NULL && --old->refs == 0) {
        pthread_mutex_unlock(&registry.lock);
        gen_free(old);
        return;
    }
    pthread_mutex_unlock(&registry.lock);
}

static ot_gen *acquire(bool by_session)
{
    ot_gen *g;

    pthread_mutex_lock(&registry.lock);
    g = registry.current;
    if (g != NULL) {
        g->refs++;
        if (by_session)
            registry.session_refs++;
    }
    pthread_mutex_unlock(&registry.lock);
    return g;
}

static void release(ot_gen *g, bool by_session)
{
    bool last;

    if (g == NULL)
        return;
    pthread_mutex_lock(&registry.lock);
    if (by_session)
        registry.session_refs--;
    last = --g->refs == 0;
    pthread_mutex_unlock(&registry.lock);
    if (last)
        gen_free(g);
}

ot_gen *ot_gen_acquire(void)
{
    return acquire(true);
}

void ot_gen_release(ot_gen *g)
{
    release(g, true);
}

size_t ot_gen_sessions(void)
{
    size_t n;
    pthread_mutex_lock(&registry.lock);
    n = registry.session_refs;
    pthread_mutex_unlock(&registry.lock);
    return n;
}

static void note_start_only(const ot_log_target *log, const char *key, bool changed)
{
    if (changed)
        ot_log(log, OT_LOG_WARN, "reload: %s changed; it takes effect only at restart", key);
}

bool ot_gen_reload(const ot_gen_opts *opts)
{
    char err[OT_MAX_CONF_LINE];
    ot_gen *now = acquire(false);
    ot_gen *next;
    ot_log_target log;

    if (now == NULL)
        return false;
    log = now->log;
    next = ot_gen_load(opts, err, sizeof err);
    if (next == NULL) {
        ot_log(&log, OT_LOG_ERR, "reload refused, keeping configuration generation %lu: %s",
               now->number, err);
        release(now, false);
        return false;
    }

    note_start_only(&log, "Socket", strcmp(now->cfg.socket, next->cfg.socket) != 0);
    note_start_only(&log, "UserID", strcmp(now->cfg.user_id, next->cfg.user_id) != 0);
    note_start_only(&log, "PidFile", strcmp(now->cfg.pid_file, next->cfg.pid_file) != 0);
    note_start_only(&log, "Umask", now->cfg.umask_value != next->cfg.umask_value);
    note_start_only(&log, "Syslog", now->cfg.syslog != next->cfg.syslog);
    /* the sink stays what it was at start; only the level follows the file */
    next->log.to_syslog = log.to_syslog;
    next->log.to_stderr = log.to_stderr;
    next->log.stderr_priority = log.stderr_priority;
    if (log.to_syslog && strcmp(now->cfg.syslog_facility, next->cfg.syslog_facility) != 0)
        ot_log_open_syslog("origin-trace-milter", next->cfg.syslog_facility);
    release(now, false);

    ot_gen_install(next);
    ot_log(&next->log, OT_LOG_INFO, "configuration %s reloaded: generation %lu",
           opts->config_path, next->number);
    return true;
}

void ot_gen_shutdown(void)
{
    ot_gen *old;
    bool last;

    pthread_mutex_lock(&registry.lock);
    old = registry.current;
    registry.current = NULL;
    last = old != NULL && --old->refs == 0;
    pthread_mutex_unlock(&registry.lock);
    if (last)
        gen_free(old);
}
