/*
 * dkim.h - DKIM verification with libopendkim, keys fetched through our
 * own batch.
 *
 * Owns the DKIM_LIB handle (one per configuration generation, shared by
 * threads) and one verification per message: header fields are fed as
 * they arrive, then the body in chunks, then the result per signature
 * lands in ot_evidence (dkim[], ndkim, dkim_checked). Only messages that
 * carry a DKIM-Signature need verifying; the caller skips the body
 * otherwise.
 *
 * Results: a signature that verifies with a matching body hash is a
 * pass; a bad signature, a changed header or body, a missing or revoked
 * key, an expired signature are fails with a short reason. A key that
 * could not be fetched (timeout, SERVFAIL, batch exhausted) is no verdict:
 * "dkim" is named in ev->incomplete, and dkim_checked stays false when no
 * signature could be judged. No usable DKIM-Signature (or no From: to
 * verify against): dkim_checked with no results.
 *
 * Limits: the first OT_MAX_DKIM_RESULTS signatures are verified, the rest
 * ignored; header fields as the core bounds them (OT_MAX_FIELDS,
 * OT_MAX_HEADER_BYTES; past them the check is left incomplete); key
 * lookups go through the message's batch (deadline, query bound).
 */
#ifndef OT_DNS_DKIM_H
#define OT_DNS_DKIM_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence.h"
#include "resolver.h"

typedef struct ot_dkim ot_dkim;             /* library handle, shared by threads */
typedef struct ot_dkim_check ot_dkim_check; /* one message */

ot_dkim *ot_dkim_new(char *err, size_t errsize);
void ot_dkim_free(ot_dkim *d);

/* b must outlive the check (keys are fetched during ot_dkim_check_end).
 * b may be NULL at begin: the milter feeds header fields as they arrive,
 * before the message's batch exists (it starts at end of headers, so that
 * a client trickling its header does not eat the DNS deadline); it then
 * hands the batch over with ot_dkim_check_set_batch before _end. */
ot_dkim_check *ot_dkim_check_begin(ot_dkim *d, ot_dns_batch *b);
void ot_dkim_check_set_batch(ot_dkim_check *c, ot_dns_batch *b);
/* Each returns false once no more input is needed: the verification
 * failed for good, or (eoh) the message has no usable signature. The
 * caller may keep feeding (it is ignored) and still call _end.
 * A header field is its name and everything after the colon exactly as
 * sent: leading white space included (a milter must negotiate
 * SMFIP_HDR_LEADSPC for that) and folding as CRLF followed by the white
 * space; "simple" header canonicalization fails otherwise. A final line
 * break is allowed and dropped. */
bool ot_dkim_check_header(ot_dkim_check *c, const char *name, const char *value);
bool ot_dkim_check_eoh(ot_dkim_check *c);
bool ot_dkim_check_body(ot_dkim_check *c, const unsigned char *data, size_t len);
/* Finishes, fills ev (dkim_checked, dkim[] per signing domain, or marks
 * "dkim" incomplete when keys could not be fetched) and frees c. */
void ot_dkim_check_end(ot_dkim_check *c, ot_evidence *ev);
/* Frees without a result (aborted message). */
void ot_dkim_check_abort(ot_dkim_check *c);

#endif
