/*
 * analysis.h - the core's entry point: facts in, verdict out.
 *
 * ot_analyze() takes exactly what a milter knows (configuration, session,
 * header fields, lookups' evidence, the current time) and returns where the
 * message came from, the signals that fired, the score, the action and the
 * header value. It does no I/O: no files, sockets, DNS, clock or logging;
 * `make check` fails if such a call appears in the core library.
 *
 * The trust walk: Received lines are read from the top (newest). A line
 * whose writer is trusted records who handed the message to that writer;
 * the first such peer that is not itself trusted is the handoff. With a
 * live session the handoff is the session's client (hop -1) and every
 * Received line in the message is a claim beneath it.
 */
#ifndef OT_ANALYSIS_H
#define OT_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "evidence.h"
#include "message.h"
#include "received.h"
#include "session.h"
#include "signals.h"

enum ot_trust { OT_TRUST_TRUSTED = 0, OT_TRUST_UNTRUSTED, OT_TRUST_UNPARSED };

enum ot_path {
    OT_PATH_UNKNOWN = 0, OT_PATH_DIRECT_TO_MX, OT_PATH_RELAY, OT_PATH_OPEN_RELAY,
    OT_PATH_WEBFORM, OT_PATH_SUBMISSION, OT_PATH_INTERNAL,
};

enum ot_action { OT_ACTION_ACCEPT = 0, OT_ACTION_QUARANTINE, OT_ACTION_REJECT };

/* What shape the judged HELO has; the HELO_* checks are exclusive on it. */
enum ot_helo_shape {
    OT_HELO_ABSENT = 0, OT_HELO_BARE_IP, OT_HELO_LITERAL, OT_HELO_LOCALHOST,
    OT_HELO_INVALID, OT_HELO_SHORT, OT_HELO_FQDN,
};

#define OT_HELO_QUOTE 48u   /* bytes of a HELO quoted in a detail */

/* The HELO the checks judge (the live session's, else the handoff
 * line's), classified once per message. */
typedef struct ot_helo_view {
    const char *text;                /* may hold any byte: use len */
    size_t len;
    enum ot_helo_shape shape;
    ot_addr literal;                 /* the address of an address-shaped HELO */
    int provider;                    /* OT_HELO_FQDN: ot_host_provider() of it, else -1 */
    char token[OT_HELO_QUOTE + 4];   /* sanitized single token, "..." when cut */
} ot_helo_view;

/* A host on the path: where the handoff or the origin stands. */
typedef struct ot_endpoint {
    bool present;
    int hop;                         /* Received index, -1 = live session */
    ot_addr addr;
    char ip[OT_IPTEXT_SIZE];         /* "" if unknown */
    char rdns[OT_HOST_SIZE];         /* "" if unknown */
    char helo[OT_HOST_SIZE];         /* "" if unknown; raw, sanitize on output */
} ot_endpoint;

typedef struct ot_fired {
    enum ot_signal_id id;
    double weight;
    ot_hit hit;
} ot_fired;

typedef struct ot_result {
    ot_hop hops[OT_MAX_RECEIVED];
    enum ot_trust trust[OT_MAX_RECEIVED];
    size_t nhops;                    /* parsed-or-not lines kept */
    size_t received_total;           /* all Received fields, kept or not */
    int boundary;                    /* index of the first line below the trusted top; nhops if none */
    ot_endpoint handoff;
    ot_endpoint origin;
    enum ot_path path;
    bool breaks[OT_MAX_RECEIVED];    /* hop i does not connect to the hop above it */
    int origin_hop;                  /* deepest connected hop; -1 = the handoff is the origin */
    ot_helo_view helo;
    int64_t received_at;             /* when our side got it: session clock or the
                                        date of the handoff line; 0 if unknown */
    bool date_present;               /* the message has a Date field */
    bool date_valid;                 /* ... and it reads as a date (in date) */
    ot_date date;                    /* read once here for every DATE_* check */
    size_t msgid_field;              /* index in the message's fields of the first
                                        Message-ID, SIZE_MAX if none */
    signed char handoff_dynamic;     /* ot_host_looks_dynamic() of the handoff's rdns and
                                        address, read once for two checks; -1 not read */
    ot_fired fired[OT_MAX_SIGNALS];
    size_t nfired;
    double score;
    enum ot_action action;
    char header[OT_HEADER_SIZE];     /* X-Origin-Trace value, unfolded */
} ot_result;

/* Everything a check may look at. */
typedef struct ot_ctx {
    const ot_config *cfg;
    const ot_session *session;       /* never NULL; present == false offline */
    const ot_message *msg;
    const ot_evidence *ev;           /* never NULL; all unknown when no lookups */
    int64_t now;                     /* seconds since the epoch, from the caller */
    const ot_result *res;            /* hops, trust, handoff, origin, path */
} ot_ctx;

/* Runs the whole analysis into res (caller-owned; large: allocate it).
 * session and ev may be NULL. */
void ot_analyze(const ot_config *cfg, const ot_session *session, const ot_message *msg,
                const ot_evidence *ev, int64_t now, ot_result *res);

const char *ot_path_name(enum ot_path p);
const char *ot_action_name(enum ot_action a);
const char *ot_trust_name(enum ot_trust t);

#endif
