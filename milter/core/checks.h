/*
 * checks.h - the check functions the signal table points at.
 *
 * Grouped by the facts they read: checks_helo.c (the handoff's HELO and
 * name), checks_chain.c (the Received chain and the path), checks_message.c
 * (Date and Message-ID), checks_auth.c (lookup evidence: DNSBL, SPF, DKIM).
 */
#ifndef OT_CHECKS_H
#define OT_CHECKS_H

#include "analysis.h"

#define OT_CHECK(n) bool ot_check_##n(const ot_ctx *ctx, ot_hit *hit);
OT_SIGNAL_LIST(OT_CHECK)
#undef OT_CHECK

/* printf into hit->detail, then sanitize: every detail goes through here */
void ot_hit_set(ot_hit *hit, int hop, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* the HELO the checks judge: the live session's, else the handoff line's */
const char *ot_checked_helo(const ot_ctx *ctx, size_t *len, bool *present);

#endif
