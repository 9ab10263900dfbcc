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

/* Fills res->helo from the session or the handoff line; runs once, after
 * the trust walk and before the checks. */
void ot_helo_classify(const ot_ctx *ctx, ot_helo_view *view);

#endif
