/*
 * session_state.h - what one milter connection remembers between callbacks.
 *
 * Owns the per-connection record that libmilter carries for us through
 * smfi_setpriv: the configuration generation the connection began with,
 * what the MTA negotiated, the SMTP facts (ot_session), the header fields
 * of the message in progress (ot_message) and the verdict between end of
 * headers and end of message. libmilter may run one connection's
 * callbacks on different threads but never two at once, so the record
 * needs no lock. Bounds: the facts and fields are bounded by the core's
 * limits; the large analysis result exists only from end of headers to
 * the end of that message.
 */
#ifndef OT_SESSION_STATE_H
#define OT_SESSION_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "config_gen.h"
#include "dkim.h"
#include "evidence.h"
#include "lookup_plan.h"
#include "lookups.h"
#include "message.h"
#include "session.h"
#include "verdict.h"

typedef struct ot_sess {
    ot_gen *gen;                 /* referenced from creation to ot_sess_free */
    unsigned long steps;         /* SMFIP_* protocol steps negotiated */
    unsigned long actions;       /* SMFIF_* actions negotiated */
    bool negotiated;
    unsigned long messages;      /* messages begun on this connection */

    ot_session facts;
    ot_message message;
    bool in_message;             /* MAIL FROM seen, message not finished */
    size_t ours_incoming;        /* incoming fields named like our header */
    ot_verdict_facts exempt;     /* gathered as recipients arrive */

    bool failed;                 /* something inside the filter went wrong */
    char failure[96];            /* why, for the log; no sender text */

    /* DNS evidence of the message in progress (message_dns.c) */
    ot_evidence ev;
    ot_lookup_plan plan;
    ot_lookups *lookups;         /* end of headers .. end of message */
    ot_dkim_check *dkim;         /* a signed message's verification, fed the body */
    char *raw;                   /* header fields as sent, for DKIM; NUL-separated */
    size_t raw_len, raw_cap;
    bool raw_overflow;           /* past OT_MAX_HEADER_BYTES: DKIM not attempted */
    bool awaiting_body;          /* the verdict waits for DKIM at end of message */

    ot_result *result;           /* end of headers .. end of message */
    ot_verdict verdict;
    bool decided;                /* verdict holds this message's decision */
} ot_sess;

/* NULL when memory is short or there is no configuration yet. */
ot_sess *ot_sess_new(void);
void ot_sess_free(ot_sess *s);

/* MAIL FROM starts a message: forget the previous one's envelope, fields
 * and verdict, keep the connection's client and HELO facts. */
void ot_sess_begin_message(ot_sess *s);
/* End of message, abort, or reject: drop the result and per-message data. */
void ot_sess_end_message(ot_sess *s);

/* Notes a failure once; the first reason wins. */
void ot_sess_fail(ot_sess *s, const char *reason);

#endif
