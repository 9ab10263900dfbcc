/*
 * session.h - what the SMTP session told us, as plain data.
 *
 * The milter fills it from libmilter callbacks and macros; the offline
 * analyzer from its --client-* --helo --mail-from --rcpt options, or leaves
 * it absent so that the chain stands in for it. Nothing here is trusted
 * except client_addr, which our own MTA saw on its socket.
 */
#ifndef OT_SESSION_H
#define OT_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "limits.h"

enum ot_resolve {
    OT_RESOLVE_UNKNOWN = 0,  /* the MTA did not say */
    OT_RESOLVE_OK,           /* forward-confirmed */
    OT_RESOLVE_FAIL,         /* no PTR */
    OT_RESOLVE_FORGED,       /* PTR does not resolve back */
    OT_RESOLVE_TEMP,         /* lookup failed temporarily */
};

typedef struct ot_session {
    bool present;                    /* false: no live session, use the chain */
    bool client_is_local;            /* unix socket or no network peer */
    ot_addr client_addr;             /* family 0 when unknown */
    char client_rdns[OT_HOST_SIZE];  /* MTA's resolved name; "" when none/unknown
                                      * (a bracketed "[ip]" from the MTA is stored as "") */
    bool client_rdns_known;          /* the MTA told us (even if "" = no name) */
    enum ot_resolve client_resolve;
    bool helo_seen;
    char helo[OT_HOST_SIZE];         /* raw bytes, may hold anything, NUL-terminated copy */
    size_t helo_len;                 /* bytes in helo (may include NULs) */
    bool helo_overlong;              /* the HELO was longer than OT_HOST_SIZE-1 */
    char mail_from[OT_ADDR_SIZE];    /* without brackets; "" for the null sender */
    bool mail_from_seen;
    char rcpt[OT_MAX_RCPT][OT_ADDR_SIZE];
    size_t nrcpt;
    size_t rcpt_total;               /* including those past OT_MAX_RCPT */
    char auth_user[OT_USER_SIZE];    /* "" when not authenticated */
    char queue_id[OT_QUEUEID_SIZE];
} ot_session;

void ot_session_init(ot_session *s);
/* Setters copy bounded bytes and keep the raw length where it matters. */
void ot_session_set_helo(ot_session *s, const char *helo, size_t len);
void ot_session_set_rdns(ot_session *s, const char *name, size_t len);
void ot_session_set_mail_from(ot_session *s, const char *addr, size_t len);
void ot_session_add_rcpt(ot_session *s, const char *addr, size_t len);
/* Strips <>, surrounding spaces and ESMTP parameters from an SMTP path. */
size_t ot_smtp_path_strip(char *dst, size_t dstsize, const char *src, size_t len);

#endif
