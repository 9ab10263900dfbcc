/*
 * config_gen.h - configuration generations: what SIGHUP swaps.
 *
 * Owns the current configuration and the rule that a session keeps the
 * generation it began with. A generation is an immutable ot_config plus
 * its log target, reference-counted: the registry holds one reference
 * while it is current, each session one from connect to close. A reload
 * builds a whole new generation first and installs it only when it
 * loaded cleanly, so a bad file never replaces a good one.
 */
#ifndef OT_CONFIG_GEN_H
#define OT_CONFIG_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include <pthread.h>

#include "config.h"
#include "log.h"
#include "lookups.h"

typedef struct ot_gen {
    ot_config cfg;
    ot_log_target log;
    unsigned long number;    /* 1 for the configuration read at start */
    size_t refs;             /* guarded by the registry lock */

    /* DNS services, opened on first use: after the fork and the drop of
     * privileges (their threads would not survive a fork), and never for
     * a generation no message uses. Closed with the generation. */
    pthread_mutex_t dns_lock;
    bool dns_tried;
    bool dns_ok;
    ot_dns_services dns;
} ot_gen;

/* How generations log, fixed at start: -f means standard error. */
typedef struct ot_gen_opts {
    const char *config_path;
    bool foreground;
} ot_gen_opts;

/* Reads path into a new, not yet installed generation. On failure returns
 * NULL with "FILE:LINE: reason" in err. */
ot_gen *ot_gen_load(const ot_gen_opts *opts, char *err, size_t errsize);

/* Frees a generation that was never installed. */
void ot_gen_discard(ot_gen *g);

/* Makes g current; the previous one is freed once its last session ends. */
void ot_gen_install(ot_gen *g);

/* The current generation with one more reference, or NULL before the first
 * install or after shutdown. Pair with ot_gen_release. */
ot_gen *ot_gen_acquire(void);
void ot_gen_release(ot_gen *g);

/* References held by sessions (all generations): in-flight sessions. */
size_t ot_gen_sessions(void);

/* SIGHUP: re-reads the file. A bad file is logged with FILE:LINE through
 * the current generation's target and changes nothing. Keys that only
 * take effect at start (Socket, UserID, PidFile, Umask, Syslog) are
 * reported when they differ. Returns true when a new generation is in. */
bool ot_gen_reload(const ot_gen_opts *opts);

/* The generation's DNS services, opened on the first call; NULL when DNS
 * is off or they could not be opened (logged once). */
const ot_dns_services *ot_gen_dns(ot_gen *g);

/* Drops the registry's reference at shutdown. */
void ot_gen_shutdown(void);

#endif
