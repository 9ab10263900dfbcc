/*
 * smtp-load.c - many concurrent SMTP sessions against one server, each
 * sending messages one after another, recording what the server said to
 * every one of them.
 *
 * Owns: the load side of tools/load-postfix.sh, tests/integration/load.sh
 * and tests/integration/faults.sh. SESSIONS connections are kept open at
 * once (one thread, poll(2), non-blocking sockets); each sends messages
 * until SECONDS have passed, reconnecting after every MSGS messages so
 * that connection set-up and tear-down are part of the load. A message is
 * built from one of two templates (tests/integration/msg placeholders
 * @DATE@ @OLDDATE@ @MSGID@ @MARK@ @HELO@): "clean" or, with probability
 * FORGED%, "forged". @MARK@ and @MSGID@ carry a token unique to the
 * message, so a script can count deliveries by token.
 *
 * Every end of an attempt is one line of the results file:
 *     TOKEN KIND EVENT CODE MILLISECONDS
 * KIND clean|forged; EVENT accepted (2xx after the dot), rejected (5xx),
 * tempfail (4xx at any step), abort-quit-mail, abort-rset, abort-drop-rcpt,
 * abort-drop-data (the aborts asked for with -a), drop (the server closed
 * the connection before the dot), lost-reply (closed after the dot: the
 * outcome is unknown, never retried), incomplete (still pending at the
 * hard end); CODE the reply code or 0. With -r, a 4xx (or a drop before
 * the dot) re-sends the same token on a new connection after -w
 * milliseconds, so the last line of a token is its outcome.
 *
 * Aborts (-a PERCENT of the messages, one of four kinds chosen evenly):
 * QUIT after MAIL; RSET after RCPT (the connection goes on); closing the
 * connection after RCPT; closing it in the middle of DATA, after the
 * header and the first body line. An aborted token must never be
 * delivered.
 *
 * With -W the load begins with a ramp-up: every session connects and
 * waits for its greeting (an MTA that runs a process per session, like
 * Postfix, starts them one at a time), then all begin together and the
 * SECONDS start; the ramp-up gives up after 50 s and begins with the
 * sessions it has.
 *
 * Prints one progress line a second on standard error (unless -q) and a
 * summary of key=value pairs on standard output (ramp: seconds of
 * ramp-up; greeted: sessions open when the load began).
 *
 * Limits: IPv4 literal address only; no TLS, AUTH or pipelining; one
 * recipient per message; at most 1000 sessions and 3600 seconds; after
 * SECONDS, new messages stop and only retries and messages in flight go
 * on, for at most GRACE more seconds (-g, default 30); a reply slower
 * than 120 s closes the connection. One poll loop and no process per
 * message: its CPU is small beside the server's, but it shares the
 * machine with the server, which the figures of a run include.
 *
 * Usage: smtp-load -s HOST:PORT -C CLEAN.eml -F FORGED.eml -o RESULTS
 *                  [-c SESSIONS] [-t SECONDS] [-g GRACE] [-n MSGS]
 *                  [-p FORGED%] [-a ABORT%] [-r RETRIES] [-w MS]
 *                  [-k PREFIX] [-S SEED] [-f FROM] [-R RCPT] [-e EHLO] [-q] [-W]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* SOCK_NONBLOCK, SOCK_CLOEXEC, MSG_NOSIGNAL */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SESSIONS 1000
#define MAX_SECONDS 3600
#define REPLY_TIMEOUT_MS 120000
#define INBUF 8192
#define TOKEN_SIZE 64
#define RAMP_LIMIT_MS 50000   /* below Postfix's smtpd_timeout of the tests */

enum kind { KIND_CLEAN, KIND_FORGED };
enum abort_mode { AB_NONE, AB_QUIT_MAIL, AB_RSET, AB_DROP_RCPT, AB_DROP_DATA };
enum state {
    ST_WAIT,       /* not connected; (re)connect at wake_ms */
    ST_CONNECTING,
    ST_GREETING,
    ST_READY,      /* greeted, waiting for the ramp-up to end (-W) */
    ST_EHLO,
    ST_MAIL,
    ST_RCPT,
    ST_DATA,       /* DATA sent, waiting for 354 */
    ST_DOT,        /* message sent (or being sent), waiting for the reply to the dot */
    ST_RSET,
    ST_DROP,       /* partial DATA being written; close when written */
    ST_QUIT,       /* QUIT sent; close on reply or EOF */
    ST_DONE
};

static const char *abort_name[] = { "", "abort-quit-mail", "abort-rset", "abort-drop-rcpt",
                                    "abort-drop-data" };

typedef struct msg {
    bool active;
    char token[TOKEN_SIZE];
    enum kind kind;
    enum abort_mode abort;
    unsigned attempts;
} msg;

typedef struct session {
    int fd;
    enum state st;
    unsigned id;
    unsigned long seq;         /* messages begun by this session */
    unsigned conn_msgs;        /* messages begun on this connection */
    int64_t wake_ms;           /* ST_WAIT: when to connect */
    int64_t last_io_ms;        /* for the reply timeout */
    char in[INBUF];
    size_t inlen;
    char *out;                 /* pending output */
    size_t outlen, outoff, outcap;
    msg m;
} session;

typedef struct opts {
    struct sockaddr_in addr;
    const char *clean_path, *forged_path, *results_path;
    unsigned sessions, seconds, grace, per_conn, forged_pct, abort_pct, retries, retry_ms;
    const char *prefix, *from, *rcpt, *ehlo;
    uint64_t seed;
    bool quiet, ramp;
} opts;

typedef struct counters {
    unsigned long started, accepted, rejected, tempfail, aborted, dropped, lost, incomplete,
        connects, connect_fail, in_window;
} counters;

typedef struct run {
    opts o;
    char *tmpl[2];
    FILE *results;
    int64_t t0, stop_new_ms, hard_end_ms, ramp_start;
    bool ramping;
    unsigned greeted;   /* sessions greeted when the ramp-up ended */
    uint64_t rng;
    counters c;
    session *s;
} run;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("smtp-load: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static uint64_t rnd(run *r)
{
    /* xorshift64*: reproducible from -S, good enough to pick mixes */
    r->rng ^= r->rng >> 12;
    r->rng ^= r->rng << 25;
    r->rng ^= r->rng >> 27;
    return r->rng * 2685821657736338717ull;
}

static bool chance(run *r, unsigned pct)
{
    return pct > 0 && rnd(r) % 100 < pct;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 1000000 || fseek(f, 0, SEEK_SET) != 0)
        die("%s: unreadable or over 1 MB", path);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        die("%s: read failed", path);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static unsigned num(const char *text, unsigned lo, unsigned hi, char flag)
{
    char *end;
    unsigned long v;
    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] == '\0' || v < lo || v > hi)
        die("-%c: a number from %u to %u", flag, lo, hi);
    return (unsigned)v;
}

/* ---- output buffer ------------------------------------------------------- */

static void out_reserve(session *s, size_t more)
{
    if (s->outlen + more <= s->outcap)
        return;
    size_t cap = s->outcap ? s->outcap : 4096;
    while (cap < s->outlen + more)
        cap *= 2;
    char *p = realloc(s->out, cap);
    if (p == NULL)
        die("out of memory");
    s->out = p;
    s->outcap = cap;
}

static void out_add(session *s, const char *data, size_t len)
{
    out_reserve(s, len);
    memcpy(s->out + s->outlen, data, len);
    s->outlen += len;
}

static void out_str(session *s, const char *str)
{
    out_add(s, str, strlen(str));
}

static void out_fmt(session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(session *s, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        die("command too long");
    out_add(s, line, (size_t)n);
}

static void out_reset(session *s)
{
    s->outlen = s->outoff = 0;
}

/* ---- messages ------------------------------------------------------------ */

static void rfc5322_date(time_t t, char *buf, size_t size)
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

/* Appends the message for s->m in SMTP form: placeholders filled, CRLF
 * line ends, dot-stuffed. With header_only, stops after the first body
 * line and adds no final dot (the abort in the middle of DATA). */
static void out_message(run *r, session *s, bool header_only)
{
    const char *t = r->tmpl[s->m.kind];
    char date[64], olddate[64], msgid[TOKEN_SIZE + 32];
    const char *helo = (rnd(r) & 1) ? "203.0.113.77" : "mail.bank.example";
    time_t now = time(NULL);
    bool line_start = true, in_body = false;
    int body_lines = 0;

    rfc5322_date(now, date, sizeof date);
    rfc5322_date(now - 3600, olddate, sizeof olddate);
    snprintf(msgid, sizeof msgid, "%s@load.example.net", s->m.token);

    while (*t != '\0') {
        if (line_start && *t == '.')
            out_add(s, ".", 1);
        line_start = false;
        if (*t == '\n') {
            if (!in_body && (t[1] == '\n' || t[1] == '\0'))
                in_body = true;   /* the blank line follows */
            else if (in_body && ++body_lines >= 2 && header_only) {
                out_add(s, "\r\n", 2);
                return;
            }
            out_add(s, "\r\n", 2);
            line_start = true;
            t++;
            continue;
        }
        if (*t == '@') {
            static const struct { const char *name; int which; } ph[] = {
                { "@DATE@", 0 }, { "@OLDDATE@", 1 }, { "@MSGID@", 2 }, { "@MARK@", 3 }, { "@HELO@", 4 },
            };
            size_t i;
            for (i = 0; i < sizeof ph / sizeof ph[0]; i++)
                if (strncmp(t, ph[i].name, strlen(ph[i].name)) == 0)
                    break;
            if (i < sizeof ph / sizeof ph[0]) {
                const char *v[] = { date, olddate, msgid, s->m.token, helo };
                out_str(s, v[ph[i].which]);
                t += strlen(ph[i].name);
                continue;
            }
        }
        if (*t != '\r')
            out_add(s, t, 1);
        t++;
    }
    if (!line_start)
        out_add(s, "\r\n", 2);
    if (!header_only)
        out_add(s, ".\r\n", 3);
}

static void record(run *r, const session *s, const char *event, int code)
{
    fprintf(r->results, "%s %s %s %d %lld\n", s->m.token, s->m.kind == KIND_FORGED ? "forged" : "clean",
            event, code, (long long)(now_ms() - r->t0));
}

static void new_message(run *r, session *s)
{
    s->seq++;
    r->c.started++;
    memset(&s->m, 0, sizeof s->m);
    s->m.active = true;
    snprintf(s->m.token, sizeof s->m.token, "%s-s%03u-m%06lu", r->o.prefix, s->id, s->seq);
    s->m.kind = chance(r, r->o.forged_pct) ? KIND_FORGED : KIND_CLEAN;
    s->m.abort = chance(r, r->o.abort_pct) ? (enum abort_mode)(1 + rnd(r) % 4) : AB_NONE;
}

/* ---- connection life ----------------------------------------------------- */

static void close_conn(session *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->inlen = 0;
    out_reset(s);
    s->conn_msgs = 0;
}

/* Closed: connect again after delay_ms, or finish if nothing is left. */
static void reconnect_later(run *r, session *s, int64_t delay_ms)
{
    close_conn(s);
    int64_t t = now_ms();
    if ((t >= r->stop_new_ms && !s->m.active) || t >= r->hard_end_ms) {
        s->st = ST_DONE;
        return;
    }
    s->st = ST_WAIT;
    s->wake_ms = t + delay_ms;
}

/* A 4xx or a drop before the dot: retry the same token, or give it up. */
static void attempt_failed(run *r, session *s, const char *event, int code, bool quit)
{
    record(r, s, event, code);
    if (code >= 400 && code < 500)
        r->c.tempfail++;
    else
        r->c.dropped++;
    s->m.attempts++;
    if (s->m.attempts > r->o.retries)
        s->m.active = false;   /* the last line says what became of it */
    if (quit && s->fd >= 0) {
        /* best effort: a polite end, not waited for */
        ssize_t w = send(s->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
    }
    reconnect_later(r, s, r->o.retry_ms);
}

static void start_connect(run *r, session *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        die("socket: %s", strerror(errno));
    r->c.connects++;
    s->last_io_ms = now_ms();
    if (connect(s->fd, (struct sockaddr *)&r->o.addr, sizeof r->o.addr) == 0 || errno == EINPROGRESS) {
        s->st = ST_CONNECTING;
        return;
    }
    r->c.connect_fail++;
    reconnect_later(r, s, r->o.retry_ms);
}

/* Next step after a finished transaction (or after EHLO). */
static void next_transaction(run *r, session *s)
{
    int64_t t = now_ms();
    if (!s->m.active) {
        if (t >= r->stop_new_ms || (r->o.per_conn > 0 && s->conn_msgs >= r->o.per_conn)) {
            out_str(s, "QUIT\r\n");
            s->st = ST_QUIT;
            return;
        }
        new_message(r, s);
    }
    s->conn_msgs++;
    out_fmt(s, "MAIL FROM:<%s>\r\n", r->o.from);
    s->st = ST_MAIL;
}

/* One complete reply (code, last line) arrived in state s->st. */
static void on_reply(run *r, session *s, int code)
{
    int cls = code / 100;

    if (s->st == ST_QUIT) {
        reconnect_later(r, s, 0);
        return;
    }
    if (cls == 4 || code == 421) {
        if (s->m.active && s->st != ST_GREETING && s->st != ST_EHLO && s->st != ST_RSET) {
            attempt_failed(r, s, "tempfail", code, code != 421);
        } else {
            /* before any message: just try the connection again */
            r->c.connect_fail++;
            reconnect_later(r, s, r->o.retry_ms);
        }
        return;
    }
    switch (s->st) {
    case ST_GREETING:
        if (cls != 2)
            goto unexpected;
        if (r->ramping) {
            s->st = ST_READY;
            return;
        }
        out_fmt(s, "EHLO %s\r\n", r->o.ehlo);
        s->st = ST_EHLO;
        return;
    case ST_EHLO:
        if (cls != 2)
            goto unexpected;
        next_transaction(r, s);
        return;
    case ST_MAIL:
        if (cls != 2)
            goto rejected;
        if (s->m.abort == AB_QUIT_MAIL) {
            record(r, s, abort_name[AB_QUIT_MAIL], 0);
            r->c.aborted++;
            s->m.active = false;
            out_str(s, "QUIT\r\n");
            s->st = ST_QUIT;
            return;
        }
        out_fmt(s, "RCPT TO:<%s>\r\n", r->o.rcpt);
        s->st = ST_RCPT;
        return;
    case ST_RCPT:
        if (cls != 2)
            goto rejected;
        if (s->m.abort == AB_RSET) {
            out_str(s, "RSET\r\n");
            s->st = ST_RSET;
            return;
        }
        if (s->m.abort == AB_DROP_RCPT) {
            record(r, s, abort_name[AB_DROP_RCPT], 0);
            r->c.aborted++;
            s->m.active = false;
            reconnect_later(r, s, 0);
            return;
        }
        out_str(s, "DATA\r\n");
        s->st = ST_DATA;
        return;
    case ST_RSET:
        if (cls != 2)
            goto unexpected;
        record(r, s, abort_name[AB_RSET], 0);
        r->c.aborted++;
        s->m.active = false;
        next_transaction(r, s);
        return;
    case ST_DATA:
        if (code != 354)
            goto rejected;
        if (s->m.abort == AB_DROP_DATA) {
            out_message(r, s, true);
            s->st = ST_DROP;
            return;
        }
        out_message(r, s, false);
        s->st = ST_DOT;
        return;
    case ST_DOT:
        if (now_ms() < r->stop_new_ms)
            r->c.in_window++;
        if (cls == 2) {
            record(r, s, "accepted", code);
            r->c.accepted++;
        } else {
            record(r, s, "rejected", code);
            r->c.rejected++;
        }
        s->m.active = false;
        next_transaction(r, s);
        return;
    default:
        goto unexpected;
    }
rejected:
    /* a 5xx before the dot: the message is refused; start afresh */
    record(r, s, "rejected", code);
    r->c.rejected++;
    s->m.active = false;
    out_str(s, "QUIT\r\n");
    s->st = ST_QUIT;   /* simplest safe course: end this connection */
    return;
unexpected:
    if (s->m.active)
        attempt_failed(r, s, "drop", code, true);
    else {
        r->c.dropped++;
        reconnect_later(r, s, r->o.retry_ms);
    }
}

/* The server closed the connection (or it failed). */
static void on_closed(run *r, session *s)
{
    if (s->st == ST_QUIT) {
        reconnect_later(r, s, 0);
        return;
    }
    if (s->m.active && s->st == ST_DOT && s->outoff >= s->outlen) {
        /* the dot went out: the server may have taken it; never re-send */
        record(r, s, "lost-reply", 0);
        r->c.lost++;
        s->m.active = false;
        reconnect_later(r, s, r->o.retry_ms);
        return;
    }
    if (s->m.active && s->st != ST_GREETING && s->st != ST_EHLO && s->st != ST_CONNECTING) {
        attempt_failed(r, s, "drop", 0, false);
        return;
    }
    if (s->st == ST_CONNECTING)
        r->c.connect_fail++;
    else
        r->c.dropped++;
    reconnect_later(r, s, r->o.retry_ms);
}

/* Parses complete reply lines out of s->in; handles each full reply. */
static void on_input(run *r, session *s)
{
    for (;;) {
        char *nl = memchr(s->in, '\n', s->inlen);
        if (nl == NULL) {
            if (s->inlen == sizeof s->in)
                s->inlen = 0;   /* an over-long line: drop it, the code is what counts */
            return;
        }
        size_t linelen = (size_t)(nl - s->in) + 1;
        bool last = linelen >= 4 && s->in[3] != '-';
        int code = -1;
        if (linelen >= 4 && s->in[0] >= '1' && s->in[0] <= '5' && s->in[1] >= '0' && s->in[1] <= '9' &&
            s->in[2] >= '0' && s->in[2] <= '9')
            code = (s->in[0] - '0') * 100 + (s->in[1] - '0') * 10 + (s->in[2] - '0');
        memmove(s->in, s->in + linelen, s->inlen - linelen);
        s->inlen -= linelen;
        if (code < 0 || !last)
            continue;
        on_reply(r, s, code);
        /* a handler that closed the connection owns the rest */
        if (s->fd < 0)
            return;
    }
}

static void service(run *r, session *s, short revents)
{
    if (s->st == ST_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
            return;
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            on_closed(r, s);
            return;
        }
        s->st = ST_GREETING;
        s->last_io_ms = now_ms();
        return;
    }
    if (revents & POLLIN || revents & (POLLERR | POLLHUP)) {
        ssize_t n = recv(s->fd, s->in + s->inlen, sizeof s->in - s->inlen, 0);
        if (n > 0) {
            s->inlen += (size_t)n;
            s->last_io_ms = now_ms();
            on_input(r, s);
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            on_closed(r, s);
            return;
        }
    }
    if (s->fd >= 0 && s->outoff < s->outlen && (revents & POLLOUT)) {
        ssize_t n = send(s->fd, s->out + s->outoff, s->outlen - s->outoff, MSG_NOSIGNAL);
        if (n > 0) {
            s->outoff += (size_t)n;
            s->last_io_ms = now_ms();
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            on_closed(r, s);
            return;
        }
        if (s->outoff >= s->outlen)
            out_reset(s);
    }
    if (s->fd >= 0 && s->st == ST_DROP && s->outlen == 0) {
        /* the header and a line of body are out: vanish mid-DATA */
        record(r, s, abort_name[AB_DROP_DATA], 0);
        r->c.aborted++;
        s->m.active = false;
        reconnect_later(r, s, 0);
    }
}

/* ---- main loop ----------------------------------------------------------- */

static void progress(run *r, int64_t t)
{
    unsigned open = 0, ready = 0;
    for (unsigned i = 0; i < r->o.sessions; i++) {
        open += r->s[i].fd >= 0;
        ready += r->s[i].st == ST_READY;
    }
    if (r->ramping) {
        fprintf(stderr, "# smtp-load ramp=%llds open=%u greeted=%u\n",
                (long long)((t - r->ramp_start) / 1000), open, ready);
        return;
    }
    fprintf(stderr, "# smtp-load t=%llds open=%u accepted=%lu rejected=%lu tempfail=%lu aborted=%lu dropped=%lu\n",
            (long long)((t - r->t0) / 1000), open, r->c.accepted, r->c.rejected, r->c.tempfail,
            r->c.aborted, r->c.dropped);
}

/* Starts the clock of the load proper: SECONDS of new messages from now. */
static void start_clock(run *r)
{
    r->t0 = now_ms();
    r->stop_new_ms = r->t0 + (int64_t)r->o.seconds * 1000;
    r->hard_end_ms = r->stop_new_ms + (int64_t)r->o.grace * 1000;
}

/* -W: every session greeted (the server runs one process per session, and
 * Postfix starts them one at a time), or the ramp-up's time is up: every
 * greeted session begins at once. */
static void end_ramp_if_ready(run *r, int64_t t)
{
    unsigned ready = 0;
    for (unsigned i = 0; i < r->o.sessions; i++)
        ready += r->s[i].st == ST_READY;
    if (ready < r->o.sessions && t - r->ramp_start < RAMP_LIMIT_MS)
        return;
    r->ramping = false;
    r->greeted = ready;
    start_clock(r);
    for (unsigned i = 0; i < r->o.sessions; i++) {
        session *s = &r->s[i];
        if (s->st != ST_READY)
            continue;
        out_fmt(s, "EHLO %s\r\n", r->o.ehlo);
        s->st = ST_EHLO;
    }
}

static void loop(run *r)
{
    struct pollfd *pfd = calloc(r->o.sessions, sizeof *pfd);
    int64_t next_progress;
    if (pfd == NULL)
        die("out of memory");
    r->ramp_start = now_ms();
    r->ramping = r->o.ramp;
    start_clock(r);
    if (r->ramping) {
        /* nothing stops during the ramp-up but its own limit */
        r->stop_new_ms = r->ramp_start + RAMP_LIMIT_MS + (int64_t)r->o.seconds * 1000;
        r->hard_end_ms = r->stop_new_ms + (int64_t)r->o.grace * 1000;
    }
    next_progress = r->ramp_start + 1000;
    for (unsigned i = 0; i < r->o.sessions; i++) {
        session *s = &r->s[i];
        s->fd = -1;
        s->id = i;
        s->st = ST_WAIT;
        /* spread the first connects over 100 ms rather than one burst */
        s->wake_ms = r->ramp_start + (int64_t)(i * 100 / r->o.sessions);
    }

    for (;;) {
        int64_t t = now_ms(), timeout = 100;
        unsigned live = 0;
        if (r->ramping)
            end_ramp_if_ready(r, t);
        for (unsigned i = 0; i < r->o.sessions; i++) {
            session *s = &r->s[i];
            pfd[i].fd = -1;
            pfd[i].events = 0;
            pfd[i].revents = 0;
            if (s->st == ST_DONE)
                continue;
            if (t >= r->hard_end_ms) {
                if (s->m.active) {
                    record(r, s, "incomplete", 0);
                    r->c.incomplete++;
                    s->m.active = false;
                }
                close_conn(s);
                s->st = ST_DONE;
                continue;
            }
            live++;
            if (s->st == ST_WAIT && !s->m.active && t >= r->stop_new_ms) {
                s->st = ST_DONE;
                continue;
            }
            if (s->st == ST_WAIT) {
                if (t >= s->wake_ms)
                    start_connect(r, s);
                if (s->st != ST_CONNECTING)
                    continue;
            }
            if (s->fd >= 0 && t - s->last_io_ms > REPLY_TIMEOUT_MS) {
                on_closed(r, s);
                continue;
            }
            pfd[i].fd = s->fd;
            pfd[i].events = POLLIN;
            if (s->st == ST_CONNECTING || s->outoff < s->outlen)
                pfd[i].events |= POLLOUT;
        }
        if (t >= next_progress) {
            if (!r->o.quiet)
                progress(r, t);
            next_progress += 1000;
        }
        if (live == 0)
            break;
        int n = poll(pfd, r->o.sessions, (int)timeout);
        if (n < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        for (unsigned i = 0; n > 0 && i < r->o.sessions; i++)
            if (pfd[i].fd >= 0 && pfd[i].revents != 0 && r->s[i].fd == pfd[i].fd)
                service(r, &r->s[i], pfd[i].revents);
    }
    free(pfd);
}

static void usage(void)
{
    fprintf(stderr, "usage: smtp-load -s HOST:PORT -C CLEAN.eml -F FORGED.eml -o RESULTS\n"
                    "       [-c SESSIONS] [-t SECONDS] [-g GRACE] [-n MSGS] [-p FORGED%%] [-a ABORT%%]\n"
                    "       [-r RETRIES] [-w MS] [-k PREFIX] [-S SEED] [-f FROM] [-R RCPT] [-e EHLO] [-q] [-W]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    run r;
    int opt;
    char host[64] = "";
    unsigned port = 0;
    static char prefix[32];

    memset(&r, 0, sizeof r);
    r.o.sessions = 200;
    r.o.seconds = 60;
    r.o.grace = 30;
    r.o.per_conn = 20;
    r.o.forged_pct = 30;
    r.o.retry_ms = 500;
    snprintf(prefix, sizeof prefix, "ld%ld", (long)getpid());
    r.o.prefix = prefix;
    r.o.from = "load@sender.example";
    r.o.rcpt = "user@example.net";
    r.o.ehlo = "gw.example.net";
    r.o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

    while ((opt = getopt(argc, argv, "s:C:F:o:c:t:g:n:p:a:r:w:k:S:f:R:e:qWh")) != -1) {
        switch (opt) {
        case 's': {
            const char *colon = strrchr(optarg, ':');
            if (colon == NULL || (size_t)(colon - optarg) >= sizeof host)
                die("-s HOST:PORT");
            memcpy(host, optarg, (size_t)(colon - optarg));
            host[colon - optarg] = '\0';
            port = num(colon + 1, 1, 65535, 's');
            break;
        }
        case 'C': r.o.clean_path = optarg; break;
        case 'F': r.o.forged_path = optarg; break;
        case 'o': r.o.results_path = optarg; break;
        case 'c': r.o.sessions = num(optarg, 1, MAX_SESSIONS, 'c'); break;
        case 't': r.o.seconds = num(optarg, 1, MAX_SECONDS, 't'); break;
        case 'g': r.o.grace = num(optarg, 0, MAX_SECONDS, 'g'); break;
        case 'n': r.o.per_conn = num(optarg, 0, 1000000, 'n'); break;
        case 'p': r.o.forged_pct = num(optarg, 0, 100, 'p'); break;
        case 'a': r.o.abort_pct = num(optarg, 0, 100, 'a'); break;
        case 'r': r.o.retries = num(optarg, 0, 1000, 'r'); break;
        case 'w': r.o.retry_ms = num(optarg, 0, 60000, 'w'); break;
        case 'k':
            if (strlen(optarg) == 0 || strlen(optarg) > 24 || strspn(optarg,
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(optarg))
                die("-k: 1 to 24 letters, digits or dashes");
            r.o.prefix = optarg;
            break;
        case 'S': r.o.seed = strtoull(optarg, NULL, 10); break;
        case 'f': r.o.from = optarg; break;
        case 'R': r.o.rcpt = optarg; break;
        case 'e': r.o.ehlo = optarg; break;
        case 'q': r.o.quiet = true; break;
        case 'W': r.o.ramp = true; break;
        default: usage();
        }
    }
    if (optind != argc || port == 0 || r.o.clean_path == NULL || r.o.forged_path == NULL ||
        r.o.results_path == NULL)
        usage();
    r.o.addr.sin_family = AF_INET;
    r.o.addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &r.o.addr.sin_addr) != 1)
        die("-s: %s is not an IPv4 address", host);
    if (r.o.seed == 0)
        r.o.seed = 1;
    r.rng = r.o.seed;

    r.tmpl[KIND_CLEAN] = read_file(r.o.clean_path);
    r.tmpl[KIND_FORGED] = read_file(r.o.forged_path);
    r.results = fopen(r.o.results_path, "w");
    if (r.results == NULL)
        die("%s: %s", r.o.results_path, strerror(errno));
    r.s = calloc(r.o.sessions, sizeof *r.s);
    if (r.s == NULL)
        die("out of memory");
    signal(SIGPIPE, SIG_IGN);

    loop(&r);

    double secs = (double)(now_ms() - r.t0) / 1000.0;
    if (fclose(r.results) != 0)
        die("%s: write failed", r.o.results_path);
    /* msg_per_s: transactions the server answered after the dot while new
     * messages were being started, over that time */
    printf("seed=%llu sessions=%u seconds=%u ramp=%.1f greeted=%u elapsed=%.1f started=%lu accepted=%lu rejected=%lu "
           "tempfail=%lu aborted=%lu dropped=%lu lost_reply=%lu incomplete=%lu connects=%lu "
           "connect_fail=%lu msg_per_s=%.1f\n",
           (unsigned long long)r.o.seed, r.o.sessions, r.o.seconds,
           (double)(r.t0 - r.ramp_start) / 1000.0, r.o.ramp ? r.greeted : r.o.sessions, secs, r.c.started, r.c.accepted,
           r.c.rejected, r.c.tempfail, r.c.aborted, r.c.dropped, r.c.lost, r.c.incomplete, r.c.connects,
           r.c.connect_fail, (double)r.c.in_window / (double)r.o.seconds);
    for (unsigned i = 0; i < r.o.sessions; i++)
        free(r.s[i].out);
    free(r.s);
    free(r.tmpl[0]);
    free(r.tmpl[1]);
    return 0;
}
