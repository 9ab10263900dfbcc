/*
 * socket_spec.c - checking the Socket value before libmilter sees it.
 *
 * libmilter accepts a spec silently and fails late, with a log line an
 * administrator may never read; checking here lets `-n` and start-up name
 * the problem. The grammar is libmilter's: an optional "unix:"/"local:",
 * "inet:" or "inet6:" prefix; inet takes PORT[@HOST] with PORT 1..65535.
 * The host part is left to libmilter (it resolves names), only its length
 * and characters are checked here.
 */
#include "socket_spec.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool set_err(char *err, size_t errsize, const char *reason)
{
    if (err != NULL && errsize > 0)
        snprintf(err, errsize, "%s", reason);
    return false;
}

/* Host names and address literals only: no spaces, no control bytes. */
static bool host_chars_ok(const char *host, size_t len)
{
    if (len == 0 || len > 255)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)host[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' ||
                  ch == '[' || ch == ']' || ch == '_' || ch == '%';
        if (!ok)
            return false;
    }
    return true;
}

static bool parse_port(const char *text, size_t len, unsigned *port)
{
    unsigned value = 0;
    if (len == 0 || len > 5)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10u + (unsigned)(text[i] - '0');
    }
    if (value == 0 || value > 65535u)
        return false;
    *port = value;
    return true;
}

static bool parse_inet(const char *rest, ot_socket_spec *out, char *err, size_t errsize)
{
    const char *at = strchr(rest, '@');
    size_t port_len = at != NULL ? (size_t)(at - rest) : strlen(rest);

    if (!parse_port(rest, port_len, &out->port))
        return set_err(err, errsize, "bad port in socket (want inet:PORT@HOST, PORT 1-65535)");
    if (at != NULL && !host_chars_ok(at + 1, strlen(at + 1)))
        return set_err(err, errsize, "bad host in socket (want inet:PORT@HOST)");
    return true;
}

bool ot_socket_spec_parse(const char *text, ot_socket_spec *out, char *err, size_t errsize)
{
    const char *path;
    size_t len;

    memset(out, 0, sizeof *out);
    if (text == NULL || text[0] == '\0')
        return set_err(err, errsize, "no socket given (Socket or -p)");
    len = strnlen(text, OT_SOCKET_SPEC_SIZE);
    if (len >= OT_SOCKET_SPEC_SIZE)
        return set_err(err, errsize, "socket spec too long");
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch <= 0x20 || ch >= 0x7f)
            return set_err(err, errsize, "socket spec holds a space or a control byte");
    }

    if (strncasecmp(text, "inet6:", 6) == 0) {
        out->kind = OT_SOCKET_INET6;
        return parse_inet(text + 6, out, err, errsize);
    }
    if (strncasecmp(text, "inet:", 5) == 0) {
        out->kind = OT_SOCKET_INET;
        return parse_inet(text + 5, out, err, errsize);
    }
    if (strncasecmp(text, "unix:", 5) == 0)
        path = text + 5;
    else if (strncasecmp(text, "local:", 6) == 0)
        path = text + 6;
    else if (text[0] == '/')
        path = text;
    else
        return set_err(err, errsize, "unknown socket type (want unix:/path, inet:PORT@HOST or inet6:PORT@HOST)");

    out->kind = OT_SOCKET_UNIX;
    if (path[0] != '/')
        return set_err(err, errsize, "unix socket path must be absolute");
    if (strlen(path) >= sizeof out->unix_path)
        return set_err(err, errsize, "unix socket path too long");
    if (path[strlen(path) - 1] == '/')
        return set_err(err, errsize, "unix socket path names a directory");
    snprintf(out->unix_path, sizeof out->unix_path, "%s", path);
    return true;
}
