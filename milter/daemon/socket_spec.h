/*
 * socket_spec.h - the milter socket as an administrator writes it.
 *
 * Owns checking a Socket value ("unix:/path", "local:/path", "/path",
 * "inet:PORT", "inet:PORT@HOST", "inet6:PORT@HOST") before libmilter sees
 * it, so that `-n` can refuse a bad one and shutdown knows which file to
 * remove. It does not open anything. Limits: the whole spec must fit in
 * OT_SOCKET_SPEC_SIZE, a unix path in sun_path.
 */
#ifndef OT_SOCKET_SPEC_H
#define OT_SOCKET_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define OT_SOCKET_SPEC_SIZE 256u

enum ot_socket_kind { OT_SOCKET_UNIX = 0, OT_SOCKET_INET, OT_SOCKET_INET6 };

typedef struct ot_socket_spec {
    enum ot_socket_kind kind;
    char unix_path[108];     /* the file to create and remove; "" for inet */
    unsigned port;           /* inet and inet6 only */
} ot_socket_spec;

/* Parses text; on failure writes a one-line reason into err. */
bool ot_socket_spec_parse(const char *text, ot_socket_spec *out, char *err, size_t errsize);

#endif
