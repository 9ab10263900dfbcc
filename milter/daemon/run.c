/*
 * run.c - signals and the libmilter thread.
 *
 * libmilter starts its own signal thread inside smfi_main, which sigwaits
 * for SIGHUP, SIGTERM and SIGINT and treats SIGHUP as "stop". A reload
 * must never reach it. So smfi_main runs on a thread of its own with
 * those signals blocked (libmilter's threads inherit that mask), while
 * the main thread - the one Linux offers a process-directed signal to
 * first - keeps them unblocked with handlers that only write one byte to
 * a pipe. The main thread reads the pipe and does the work outside
 * signal context. A handler needs the pipe's descriptor and has no
 * argument to carry it, hence the one file-scope variable below: written
 * once before any handler is installed, read-only afterwards.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static int signal_pipe_write = -1;

static void on_signal(int sig)
{
    int saved = errno;
    char byte = sig == SIGHUP ? 'H' : 'T';
    ssize_t w = write(signal_pipe_write, &byte, 1);
    (void)w;   /* a full pipe already holds a wake-up */
    errno = saved;
}

typedef struct milter_thread {
    int wake_fd;
    int result;
} milter_thread;

static void *milter_main(void *arg)
{
    milter_thread *mt = arg;
    char byte = 'M';
    ssize_t w;

    mt->result = smfi_main();
    w = write(mt->wake_fd, &byte, 1);
    (void)w;
    return NULL;
}

static bool install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGHUP, &sa, NULL) == 0 && sigaction(SIGTERM, &sa, NULL) == 0 &&
           sigaction(SIGINT, &sa, NULL) == 0;
}

static void remove_unix_socket(const char *path, const ot_log_target *log)
{
    struct stat st;
    if (path == NULL || path[0] == '\0')
        return;
    if (lstat(path, &st) != 0)
        return;   /* libmilter removed it already */
    if (!S_ISSOCK(st.st_mode))
        return;
    if (unlink(path) != 0)
        ot_log(log, OT_LOG_WARN, "cannot remove socket %s: %s", path, strerror(errno));
}

static void drain_sessions(unsigned seconds, const ot_log_target *log)
{
    struct timespec tick = { 0, 100 * 1000 * 1000 };
    size_t left = ot_gen_sessions();

    for (unsigned i = 0; left > 0 && i < seconds * 10u; i++) {
        nanosleep(&tick, NULL);
        left = ot_gen_sessions();
    }
    if (left > 0)
        ot_log(log, OT_LOG_WARN, "stopping with %zu session(s) in flight; the MTA applies its milter default action",
               left);
}

static void stop_and_reload_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
}

void ot_run_hold_signals(void)
{
    sigset_t block;

    stop_and_reload_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
}

int ot_run(const ot_run_opts *opts)
{
    int fds[2];
    sigset_t block;
    pthread_t tid;
    milter_thread mt;
    bool stop_requested = false, milter_done = false;
    int status = 0;

    if (pipe2(fds, O_CLOEXEC) != 0) {
        ot_log(opts->log, OT_LOG_ERR, "pipe: %s", strerror(errno));
        return 1;
    }
    signal_pipe_write = fds[1];
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    if (!install_handlers()) {
        ot_log(opts->log, OT_LOG_ERR, "sigaction: %s", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    mt.wake_fd = fds[1];
    mt.result = MI_SUCCESS;
    /* libmilter's thread (and the threads it starts) inherit the blocked
     * mask: these signals reach only this thread, once unblocked here */
    stop_and_reload_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    if (pthread_create(&tid, NULL, milter_main, &mt) != 0) {
        pthread_sigmask(SIG_UNBLOCK, &block, NULL);
        ot_log(opts->log, OT_LOG_ERR, "cannot start the milter thread");
        return 1;
    }
    pthread_sigmask(SIG_UNBLOCK, &block, NULL);

    while (!milter_done) {
        char byte;
        ssize_t n = read(fds[0], &byte, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        switch (byte) {
        case 'H':
            if (!stop_requested)
                (void)ot_gen_reload(&opts->gen);
            break;
        case 'T':
            if (!stop_requested) {
                stop_requested = true;
                ot_log(opts->log, OT_LOG_INFO, "stopping");
                smfi_stop();
            }
            break;
        case 'M':
            milter_done = true;
            break;
        default:
            break;
        }
    }
    pthread_join(tid, NULL);
    if (mt.result != MI_SUCCESS) {
        ot_log(opts->log, OT_LOG_ERR, "libmilter stopped with an error");
        status = 1;
    } else if (!stop_requested) {
        ot_log(opts->log, OT_LOG_WARN, "libmilter stopped on its own");
    }
    drain_sessions(opts->drain_seconds, opts->log);
    remove_unix_socket(opts->unix_path, opts->log);
    close(fds[0]);
    return status;
}
