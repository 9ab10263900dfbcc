/*
 * message_dns.h - the DNS side of one message in the milter.
 *
 * Owns when lookups happen and what they need from the SMTP dialogue:
 * the header fields kept raw for DKIM (only when DKIM is on), the plan
 * made at end of headers from the offline pass, the lookups started and
 * collected there, and - for a message carrying DKIM-Signature - the
 * verification fed with the body, which moves the verdict to end of
 * message. Unsigned messages are decided at end of headers and their body
 * is skipped.
 *
 * Limits: raw header bytes kept for DKIM are bounded by
 * OT_MAX_HEADER_BYTES (past it DKIM is not attempted and marked
 * incomplete); lookups are bounded by the resolver's per-batch limit and
 * DNSTimeout.
 */
#ifndef OT_MESSAGE_DNS_H
#define OT_MESSAGE_DNS_H

#include <stdbool.h>
#include <stddef.h>

#include "session_state.h"

/* A header field as the MTA sent it (value with leading space when the
 * MTA was asked to keep it). */
void ot_mdns_header(ot_sess *s, const char *name, size_t name_len, const char *value,
                    size_t value_len);

/* End of headers, after the offline pass left its result in s->result:
 * plans, starts and collects the lookups into s->ev. Returns true when a
 * DKIM signature needs the body: the caller defers its verdict. */
bool ot_mdns_eoh(ot_sess *s);

/* A body chunk; ignored unless a verification is running. */
void ot_mdns_body(ot_sess *s, const unsigned char *data, size_t len);

/* Is a DKIM verification waiting for the body? */
bool ot_mdns_wants_body(const ot_sess *s);

/* End of message: finishes DKIM into s->ev. */
void ot_mdns_eom(ot_sess *s);

/* Frees the message's DNS state (end, abort, reject). */
void ot_mdns_end(ot_sess *s);

#endif
