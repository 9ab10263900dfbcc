/*
 * run.h - the running daemon: libmilter's thread, signals, shutdown.
 *
 * Owns the part of the process life after start-up: smfi_main on a
 * thread of its own, the main thread waiting for SIGHUP (reload) and
 * SIGTERM/SIGINT (stop), and a clean stop: smfi_stop, a bounded wait for
 * sessions in flight, removal of the unix socket.
 */
#ifndef OT_RUN_H
#define OT_RUN_H

#include "config_gen.h"
#include "log.h"

typedef struct ot_run_opts {
    ot_gen_opts gen;
    const char *unix_path;        /* socket file to remove at exit; NULL for inet */
    const ot_log_target *log;     /* for start and stop messages */
    unsigned drain_seconds;       /* wait at most this long for sessions in flight */
} ot_run_opts;

/* Blocks SIGHUP, SIGTERM and SIGINT until ot_run handles them. Called
 * before the daemon says it is ready: a stop asked for between that and
 * ot_run then waits for ot_run's clean stop, instead of killing the
 * process by the default action and leaving its PidFile and socket. */
void ot_run_hold_signals(void);

/* Returns the process exit status. Requires a generation installed.
 * Unblocks the signals ot_run_hold_signals held; one that came meanwhile
 * is handled then. */
int ot_run(const ot_run_opts *opts);

#endif
