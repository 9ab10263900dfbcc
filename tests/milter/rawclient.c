/*
 * rawclient.c - a minimal MTA side of the milter protocol, for the cases
 * miltertest cannot send: a 10 KB HELO, header values near libmilter's
 * packet limit, bytes after a NUL inside a field, a client on a unix
 * socket (family 'L'), and malformed packets.
 *
 * usage: rawclient SOCKET-PATH SCENARIO
 * Prints "ok - what" per check and exits 0 when all passed, 1 otherwise.
 * It negotiates like Postfix (every action and step offered) and honours
 * the no-reply steps the filter asks for. Every read is bounded in size
 * and time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NR_CONN 0x1000u
#define NR_HELO 0x2000u
#define NR_MAIL 0x4000u
#define NR_RCPT 0x8000u
#define NR_HDR 0x80u
#define NR_EOH 0x40000u
#define REPLY_MAX (1024u * 1024u)
#define TIMEOUT_MS 15000

typedef struct client {
    int fd;
    uint32_t steps;
    char added[4096];        /* our header's value as added or inserted */
    bool header_added, header_deleted, quarantined;
    char final;              /* last reply command */
    char reply[1024];        /* its data, for 'y' (reply code) */
} client;

static int failures;

static void check(bool cond, const char *what)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", what);
    if (!cond)
        failures++;
}

static bool write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        ssize_t n;
        if (poll(&pfd, 1, TIMEOUT_MS) <= 0)
            return false;
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool send_packet(client *c, char cmd, const void *data, size_t len)
{
    uint32_t netlen = htonl((uint32_t)(len + 1));
    return write_all(c->fd, &netlen, 4) && write_all(c->fd, &cmd, 1) &&
           (len == 0 || write_all(c->fd, data, len));
}

/* One reply packet into buf (NUL-terminated); false on EOF, timeout or size. */
static bool read_packet(client *c, char *cmd, char *buf, size_t bufsize, size_t *len)
{
    uint32_t netlen, n;
    if (!read_all(c->fd, &netlen, 4))
        return false;
    n = ntohl(netlen);
    if (n == 0 || n > REPLY_MAX || n > bufsize)
        return false;
    if (!read_all(c->fd, cmd, 1) || (n > 1 && !read_all(c->fd, buf, n - 1)))
        return false;
    *len = n - 1;
    buf[*len] = '\0';
    return true;
}

static client *connect_to(const char *path)
{
    struct sockaddr_un sun;
    client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
        if (c->fd >= 0)
            close(c->fd);
        free(c);
        return NULL;
    }
    return c;
}

static void close_client(client *c)
{
    if (c == NULL)
        return;
    (void)send_packet(c, 'Q', NULL, 0);
    close(c->fd);
    free(c);
}

static bool negotiate(client *c)
{
    uint32_t offer[3] = { htonl(6), htonl(0x1ff), htonl(0x1fffff) };
    char buf[4096], cmd;
    size_t len;
    uint32_t steps;

    if (!send_packet(c, 'O', offer, sizeof offer) || !read_packet(c, &cmd, buf, sizeof buf, &len) ||
        cmd != 'O' || len < 12)
        return false;
    memcpy(&steps, buf + 8, 4);
    c->steps = ntohl(steps);
    return true;
}

/* Sends a command and, unless the filter asked for no reply, reads one. */
static bool step(client *c, char cmd, const void *data, size_t len, uint32_t no_reply)
{
    char buf[4096];
    size_t rlen;
    if (!send_packet(c, cmd, data, len))
        return false;
    if (c->steps & no_reply)
        return true;
    if (!read_packet(c, &c->final, buf, sizeof buf, &rlen))
        return false;
    rlen = strnlen(buf, rlen < sizeof c->reply - 1 ? rlen : sizeof c->reply - 1);
    memcpy(c->reply, buf, rlen);
    c->reply[rlen] = '\0';
    return true;
}

/* "a\0b\0" style payloads from pieces with explicit lengths */
typedef struct payload {
    char *buf;
    size_t len, cap;
} payload;

static void put(payload *p, const void *data, size_t len)
{
    if (p->len + len > p->cap) {
        size_t cap = (p->len + len) * 2;
        char *nb = realloc(p->buf, cap);
        if (nb == NULL) {
            perror("realloc");
            exit(2);
        }
        p->buf = nb;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, data, len);
    p->len += len;
}

static void put_str(payload *p, const char *s)
{
    put(p, s, strlen(s) + 1);
}

static bool send_connect(client *c, const char *host, char family, const char *addr)
{
    payload p = { 0 };
    uint16_t port = htons(25);
    bool r;
    put_str(&p, host);
    put(&p, &family, 1);
    if (family != 'U') {
        put(&p, &port, 2);
        put_str(&p, addr);
    }
    r = step(c, 'C', p.buf, p.len, NR_CONN);
    free(p.buf);
    return r;
}

static bool send_fields(client *c, char cmd, const char *a, uint32_t nr)
{
    payload p = { 0 };
    bool r;
    put_str(&p, a);
    r = step(c, cmd, p.buf, p.len, nr);
    free(p.buf);
    return r;
}

static bool send_header(client *c, const char *name, const char *value, size_t value_len)
{
    payload p = { 0 };
    bool r;
    put_str(&p, name);
    put(&p, value, value_len);
    put(&p, "", 1);
    r = step(c, 'L', p.buf, p.len, NR_HDR);
    free(p.buf);
    return r;
}

/* End of message: collect modifications until the final reply. */
static bool end_of_message(client *c)
{
    static char buf[REPLY_MAX];
    char cmd;
    size_t len;

    if (!send_packet(c, 'E', NULL, 0))
        return false;
    for (;;) {
        if (!read_packet(c, &cmd, buf, sizeof buf, &len))
            return false;
        switch (cmd) {
        case 'h': case 'i': {
            const char *name = cmd == 'i' ? buf + 4 : buf;
            size_t nlen = strnlen(name, len);
            if (strcasecmp(name, "X-Origin-Trace") == 0 && name + nlen + 1 < buf + len) {
                c->header_added = true;
                snprintf(c->added, sizeof c->added, "%s", name + nlen + 1);
            }
            break;
        }
        case 'm':
            if (len > 4 && strcasecmp(buf + 4, "X-Origin-Trace") == 0)
                c->header_deleted = true;
            break;
        case 'q':
            c->quarantined = true;
            break;
        case 'p':
            break;
        default:
            c->final = cmd;
            return true;
        }
    }
}

static bool sane_final(char cmd)
{
    return cmd == 'c' || cmd == 'a' || cmd == 'y' || cmd == 't' || cmd == 'r';
}

/* The queue id macro {i}, as an MTA sends it before MAIL FROM. */
static bool send_queue_id(client *c, const char *qid)
{
    payload p = { 0 };
    bool r;
    put(&p, "M", 1);
    put_str(&p, "i");
    put_str(&p, qid);
    r = send_packet(c, 'D', p.buf, p.len);   /* macros are never answered */
    free(p.buf);
    return r;
}

/* A clean message after connect and HELO; true when a header came back. */
static bool clean_message(client *c, const char *by, const char *qid)
{
    char received[512];
    snprintf(received, sizeof received,
             "from sender.example.org (sender.example.org [203.0.113.5]) by %s with ESMTP id RAW1; "
             "Mon, 1 Jan 2024 00:00:00 +0000", by);
    return send_queue_id(c, qid) && send_fields(c, 'M', "<a@example.org>", NR_MAIL) &&
           send_fields(c, 'R', "<b@example.net>", NR_RCPT) &&
           send_header(c, "Received", received, strlen(received)) &&
           send_header(c, "Subject", "raw", 3) &&
           step(c, 'N', NULL, 0, NR_EOH) && c->final == 'c' && end_of_message(c);
}

static void scenario_long_helo(const char *path)
{
    client *c = connect_to(path);
    char *helo = malloc(10241);
    check(c != NULL && negotiate(c), "long-helo: connected and negotiated");
    if (c == NULL || helo == NULL)
        return;
    memset(helo, 'h', 10240);
    helo[10240] = '\0';
    check(send_connect(c, "unknown", '4', "203.0.113.90"), "long-helo: connect");
    check(send_fields(c, 'H', helo, NR_HELO), "long-helo: 10 KB HELO sent");
    check(clean_message(c, "x.example", "RAWLONGHELO") && sane_final(c->final), "long-helo: message finished with a sane reply");
    check(c->header_added && strstr(c->added, "hhhhhhhhhhhhhhhh") == NULL && strlen(c->added) < 1100,
          "long-helo: header added, bounded, without the HELO");
    free(helo);
    close_client(c);
}

static void scenario_nul_bytes(const char *path)
{
    client *c = connect_to(path);
    static const char helo[] = "mx.example.org\0\r\nX-Evil: 1";
    static const char value[] = "before\0after\r\nX-Evil: 2\0";
    payload p = { 0 };

    check(c != NULL && negotiate(c), "nul-bytes: connected and negotiated");
    if (c == NULL)
        return;
    check(send_connect(c, "unknown", '4', "203.0.113.91"), "nul-bytes: connect");
    put(&p, helo, sizeof helo);
    check(step(c, 'H', p.buf, p.len, NR_HELO), "nul-bytes: HELO with bytes after a NUL");
    free(p.buf);
    check(send_fields(c, 'M', "<a@example.org>", NR_MAIL) && send_fields(c, 'R', "<b@example.net>", NR_RCPT),
          "nul-bytes: envelope");
    check(send_header(c, "Subject", value, sizeof value - 1), "nul-bytes: header value with an inner NUL");
    check(send_header(c, "X-Origin-Trace", "forged\0score=-9", 15), "nul-bytes: forged field with an inner NUL");
    check(step(c, 'N', NULL, 0, NR_EOH) && sane_final(c->final), "nul-bytes: end of headers answered");
    if (c->final == 'c') {
        check(end_of_message(c) && sane_final(c->final), "nul-bytes: end of message answered");
        check(c->header_deleted, "nul-bytes: the forged field is removed");
        check(c->header_added && strstr(c->added, "Evil") == NULL, "nul-bytes: our header carries none of it");
    }
    close_client(c);
}

static void scenario_unix_client(const char *path)
{
    client *c = connect_to(path);
    check(c != NULL && negotiate(c), "unix-client: connected and negotiated");
    if (c == NULL)
        return;
    check(send_connect(c, "localhost", 'L', "/var/spool/postfix/public/pickup"), "unix-client: family L connect");
    check(send_fields(c, 'H', "localhost", NR_HELO), "unix-client: HELO");
    check(clean_message(c, "localhost", "RAWUNIX") && sane_final(c->final), "unix-client: message answered");
    check(c->header_added, "unix-client: header added");
    close_client(c);

    c = connect_to(path);
    check(c != NULL && negotiate(c), "unknown-family: connected");
    if (c == NULL)
        return;
    check(send_connect(c, "mystery", 'U', NULL), "unknown-family: family U connect");
    check(clean_message(c, "mystery", "RAWUNKNOWN") && sane_final(c->final), "unknown-family: message answered");
    close_client(c);
}

static void scenario_big_header(const char *path)
{
    client *c = connect_to(path);
    size_t size = 60 * 1024;
    char *value = malloc(size);
    check(c != NULL && negotiate(c), "big-header: connected");
    if (c == NULL || value == NULL)
        return;
    memset(value, 'v', size);
    check(send_connect(c, "relay.example.org", '4', "198.51.100.7") &&
          send_fields(c, 'H', "relay.example.org", NR_HELO) &&
          send_fields(c, 'M', "<a@example.org>", NR_MAIL) && send_fields(c, 'R', "<b@example.net>", NR_RCPT),
          "big-header: session");
    for (int i = 0; i < 20; i++)
        if (!send_header(c, "X-Big", value, size))
            break;
    check(step(c, 'N', NULL, 0, NR_EOH) && sane_final(c->final), "big-header: 20 fields of 60 KB answered");
    if (c->final == 'c')
        check(end_of_message(c) && sane_final(c->final) && c->header_added, "big-header: header added");
    free(value);
    close_client(c);
}

/* Enforce mode on a forgery: the reply at end of headers is 550 5.7.1
 * with the configured text (argv[3]). */
static void scenario_reject_text(const char *path, const char *want)
{
    client *c = connect_to(path);
    static const char rcvd1[] =
        "from mx1.bigbank.example (mx1.bigbank.example [198.51.100.20]) by relay.unrelated.example "
        "with SMTP id A1; Mon, 1 Jan 2024 00:00:00 +0000";
    static const char rcvd2[] =
        "from pc7.home.example ([203.0.113.50]) by gw.elsewhere.example with SMTP id B2; "
        "Sun, 31 Dec 2023 23:00:00 +0000";
    char expect[600];

    check(c != NULL && negotiate(c), "reject-text: connected");
    if (c == NULL)
        return;
    check(send_connect(c, "unknown", '4', "192.0.2.9") && send_fields(c, 'H', "192.0.2.9", NR_HELO) &&
          send_queue_id(c, "RAWREJECT") &&
          send_fields(c, 'M', "<security@bigbank.example>", NR_MAIL) &&
          send_fields(c, 'R', "<victim@example.net>", NR_RCPT) &&
          send_header(c, "Received", rcvd1, sizeof rcvd1 - 1) &&
          send_header(c, "Received", rcvd2, sizeof rcvd2 - 1) &&
          send_header(c, "Subject", "verify", 6), "reject-text: forged session sent");
    check(step(c, 'N', NULL, 0, NR_EOH) && c->final == 'y', "reject-text: end of headers answered with a reply code");
    snprintf(expect, sizeof expect, "550 5.7.1 %s", want);
    check(strcmp(c->reply, expect) == 0, "reject-text: reply is 550 5.7.1 and the configured text");
    if (strcmp(c->reply, expect) != 0)
        printf("#   got: '%s'\n#   want: '%s'\n", c->reply, expect);
    close_client(c);
}

static void scenario_bad_packets(const char *path)
{
    client *c = connect_to(path);
    uint32_t huge = htonl(0xffffffffu);
    char junk[64];
    check(c != NULL && negotiate(c), "bad-packets: connected");
    if (c != NULL) {
        /* a length no filter may accept: libmilter drops the connection */
        check(write_all(c->fd, &huge, 4) && write_all(c->fd, "L", 1), "bad-packets: absurd length sent");
        close(c->fd);
        free(c);
    }
    c = connect_to(path);
    if (c != NULL) {
        memset(junk, 0x5a, sizeof junk);
        check(write_all(c->fd, junk, sizeof junk), "bad-packets: garbage before negotiation sent");
        close(c->fd);
        free(c);
    }
    c = connect_to(path);
    if (c != NULL && negotiate(c)) {
        /* a command out of order: end of headers before any client */
        (void)step(c, 'N', NULL, 0, NR_EOH);
        check(sane_final(c->final) || c->final == 0, "bad-packets: out-of-order command survived");
        close(c->fd);
        free(c);
    }
    c = connect_to(path);
    check(c != NULL && negotiate(c) && send_connect(c, "relay.example.org", '4', "198.51.100.7") &&
          send_fields(c, 'H', "relay.example.org", NR_HELO) && clean_message(c, "relay.example.org", "RAWAFTERBAD") &&
          c->header_added, "bad-packets: a normal session works afterwards");
    close_client(c);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rawclient SOCKET-PATH long-helo|nul-bytes|unix-client|big-header|bad-packets\n"
                        "       rawclient SOCKET-PATH reject-text TEXT\n");
        return 2;
    }
    if (strcmp(argv[2], "long-helo") == 0)
        scenario_long_helo(argv[1]);
    else if (strcmp(argv[2], "nul-bytes") == 0)
        scenario_nul_bytes(argv[1]);
    else if (strcmp(argv[2], "unix-client") == 0)
        scenario_unix_client(argv[1]);
    else if (strcmp(argv[2], "big-header") == 0)
        scenario_big_header(argv[1]);
    else if (strcmp(argv[2], "bad-packets") == 0)
        scenario_bad_packets(argv[1]);
    else if (strcmp(argv[2], "reject-text") == 0 && argc == 4)
        scenario_reject_text(argv[1], argv[3]);
    else {
        fprintf(stderr, "unknown scenario %s\n", argv[2]);
        return 2;
    }
    return failures == 0 ? 0 : 1;
}
