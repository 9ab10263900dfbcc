/*
 * main.c - origin-trace-milter: flags, start-up checks, socket, privileges.
 *
 * Owns the order of start-up, which is the order that keeps an
 * administrator informed and the process unprivileged: read and check the
 * configuration (-n stops here), check the socket spec, open the socket
 * while still root, hand a unix socket to UserID, go to the background
 * (the parent waits until the child reports that it is running, so a
 * failure after the fork still reaches the terminal and the exit status),
 * write the PidFile, drop privileges - refusing to run on if that fails -
 * and only then start libmilter's threads (run.c).
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "config_gen.h"
#include "log.h"
#include "pidfile.h"
#include "privilege.h"
#include "run.h"
#include "socket_spec.h"

#ifndef OT_SYSCONFDIR
#define OT_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG OT_SYSCONFDIR "/origin-trace.conf"
#define DEFAULT_SOCKET "unix:/run/origin-trace/milter.sock"
#define PROGRAM "origin-trace-milter"
#define DRAIN_SECONDS 5u
#define EXIT_CONFIG 2

typedef struct cmdline {
    const char *config_path;
    const char *socket;
    const char *user;
    const char *pid_file;
    bool foreground;
    bool check_only;
} cmdline;

static void usage(FILE *to)
{
    fprintf(to, "usage: %s [-c FILE] [-p SOCKET] [-f] [-n] [-u USER[:GROUP]] [-P PIDFILE] [-V]\n",
            PROGRAM);
}

static int parse_cmdline(int argc, char **argv, cmdline *cl)
{
    int opt;

    memset(cl, 0, sizeof *cl);
    cl->config_path = DEFAULT_CONFIG;
    while ((opt = getopt(argc, argv, "c:p:fnu:P:Vh")) != -1) {
        switch (opt) {
        case 'c': cl->config_path = optarg; break;
        case 'p': cl->socket = optarg; break;
        case 'f': cl->foreground = true; break;
        case 'n': cl->check_only = true; break;
        case 'u': cl->user = optarg; break;
        case 'P': cl->pid_file = optarg; break;
        case 'V': {
            unsigned major = 0, minor = 0, patch = 0;
            (void)smfi_version(&major, &minor, &patch);
            printf("%s %s (libmilter %u.%u.%u)\n", PROGRAM, PACKAGE_VERSION, major, minor, patch);
            exit(0);
        }
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(EXIT_CONFIG);
        }
    }
    if (optind != argc) {
        usage(stderr);
        exit(EXIT_CONFIG);
    }
    return 0;
}

static const char *pick(const char *flag, const char *key, const char *fallback)
{
    if (flag != NULL && flag[0] != '\0')
        return flag;
    if (key != NULL && key[0] != '\0')
        return key;
    return fallback;
}

/* Forks; the parent exits with the child's report. The child gets back
 * the descriptor to report on (ready_fd), -1 on error. */
static int background(void)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        char msg[512];
        ssize_t n;
        size_t got = 0;
        close(fds[1]);
        while (got < sizeof msg - 1 && (n = read(fds[0], msg + got, sizeof msg - 1 - got)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break;
            got += (size_t)n;
        }
        msg[got] = '\0';
        if (got > 0 && msg[0] == '+')
            _exit(0);
        fprintf(stderr, "%s: %s\n", PROGRAM, got > 1 ? msg + 1 : "failed to start (see the log)");
        _exit(1);
    }
    close(fds[0]);
    if (setsid() < 0)
        return -1;
    if (chdir("/") != 0)
        return -1;
    return fds[1];
}

static void report(int ready_fd, bool ok, const char *msg)
{
    char line[512];
    int len;
    if (ready_fd < 0)
        return;
    len = snprintf(line, sizeof line, "%c%s", ok ? '+' : '-', msg);
    if (len > 0) {
        ssize_t w = write(ready_fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
        (void)w;
    }
    close(ready_fd);
}

static void detach_stdio(void)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)dup2(fd, STDIN_FILENO);
    (void)dup2(fd, STDOUT_FILENO);
    (void)dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
}

static int die(const ot_log_target *log, ot_gen *gen, int ready_fd, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Start-up failures: to the terminal (or the parent) and the log; the
 * loaded configuration is freed (LeakSanitizer checks every exit). */
static int die(const ot_log_target *log, ot_gen *gen, int ready_fd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ot_log(log, OT_LOG_ERR, "%s", msg);
    if (ready_fd >= 0)
        report(ready_fd, false, msg);
    else if (!log->to_stderr)
        fprintf(stderr, "%s: %s\n", PROGRAM, msg);
    ot_gen_discard(gen);
    return 1;
}

int main(int argc, char **argv)
{
    cmdline cl;
    char err[OT_MAX_CONF_LINE];
    ot_gen_opts gopts;
    ot_gen *gen;
    ot_socket_spec spec;
    ot_identity ident;
    const char *socket_text, *user, *pid_file;
    ot_log_target log;
    int ready_fd = -1;
    struct smfiDesc desc;

    parse_cmdline(argc, argv, &cl);
    gopts.config_path = cl.config_path;
    gopts.foreground = cl.foreground;

    gen = ot_gen_load(&gopts, err, sizeof err);
    if (gen == NULL) {
        fprintf(stderr, "%s\n", err);
        return EXIT_CONFIG;
    }
    socket_text = pick(cl.socket, gen->cfg.socket, DEFAULT_SOCKET);
    user = pick(cl.user, gen->cfg.user_id, NULL);
    pid_file = pick(cl.pid_file, gen->cfg.pid_file, NULL);
    if (!ot_socket_spec_parse(socket_text, &spec, err, sizeof err)) {
        fprintf(stderr, "%s: Socket %s: %s\n", cl.config_path, socket_text, err);
        ot_gen_discard(gen);
        return EXIT_CONFIG;
    }
    if (user != NULL && !ot_privilege_lookup(user, &ident, err, sizeof err)) {
        if (!cl.check_only) {
            fprintf(stderr, "%s: UserID: %s\n", cl.config_path, err);
            ot_gen_discard(gen);
            return EXIT_CONFIG;
        }
        /* a configuration prepared for another host is still a valid file */
        fprintf(stderr, "%s: warning: UserID: %s\n", cl.config_path, err);
    }
    if (cl.check_only) {
        printf("%s: configuration OK\n", cl.config_path);
        ot_gen_discard(gen);
        return 0;
    }

    /* from here on a stop waits for ot_run, which cleans up */
    ot_run_hold_signals();
    log = gen->log;
    if (log.to_syslog)
        ot_log_open_syslog(PROGRAM, gen->cfg.syslog_facility);

    umask((mode_t)(gen->cfg.umask_value & 0777u));
    desc = *ot_callbacks_desc();
    if (smfi_register(desc) != MI_SUCCESS)
        return die(&log, gen, -1, "smfi_register failed");
    {
        char conn[OT_SOCKET_SPEC_SIZE];
        snprintf(conn, sizeof conn, "%s", socket_text);
        if (smfi_setconn(conn) != MI_SUCCESS)
            return die(&log, gen, -1, "smfi_setconn %s failed", socket_text);
    }
    if (smfi_opensocket(true) != MI_SUCCESS)
        return die(&log, gen, -1, "cannot open socket %s (is the directory there and writable?)",
                   socket_text);
    if (spec.kind == OT_SOCKET_UNIX && user != NULL && geteuid() == 0 &&
        chown(spec.unix_path, ident.uid, ident.gid) != 0)
        return die(&log, gen, -1, "chown %s: %s", spec.unix_path, strerror(errno));

    if (!cl.foreground) {
        ready_fd = background();
        if (ready_fd < 0)
            return die(&log, gen, -1, "cannot go to the background: %s", strerror(errno));
    }
    if (pid_file != NULL && !ot_pidfile_write(pid_file, err, sizeof err))
        return die(&log, gen, ready_fd, "PidFile %s", err);
    if (user != NULL) {
        if (!ot_privilege_drop(&ident, err, sizeof err)) {
            ot_pidfile_remove(pid_file);
            return die(&log, gen, ready_fd, "refusing to run: %s", err);
        }
    } else if (geteuid() == 0) {
        ot_log(&log, OT_LOG_WARN, "running as root: set UserID to run unprivileged");
    }

    ot_gen_install(gen);
    ot_log(&log, OT_LOG_INFO, "started: socket %s, configuration %s, user %s", socket_text,
           cl.config_path, user != NULL ? ident.user : "(unchanged)");
    if (ready_fd >= 0) {
        report(ready_fd, true, "started");
        detach_stdio();
    }

    ot_run_opts ropts = {
        .gen = gopts,
        .unix_path = spec.kind == OT_SOCKET_UNIX ? spec.unix_path : NULL,
        .log = &log,
        .drain_seconds = DRAIN_SECONDS,
    };
    int status = ot_run(&ropts);

    ot_pidfile_remove(pid_file);
    ot_gen_shutdown();
    ot_log(&log, OT_LOG_INFO, "stopped");
    if (log.to_syslog)
        ot_log_close();
    return status;
}
