/*
 * chain.h - walking the Received chain: trust, handoff, breaks, origin, path.
 *
 * Owns the structural analysis of the hops that analysis.c parsed: which
 * lines our trusted hosts wrote, where the trust boundary lies, who handed
 * the message over, which lines fail to connect to the line below them,
 * how deep the evidence still supports the path (the origin), and what
 * kind of path it was.
 */
#ifndef OT_CHAIN_H
#define OT_CHAIN_H

#include "analysis.h"

void ot_chain_trust(const ot_ctx *ctx, ot_result *res);
void ot_chain_breaks(const ot_ctx *ctx, ot_result *res);
void ot_chain_origin_and_path(const ot_ctx *ctx, ot_result *res);

/* do hop `upper` (nearer the top) and `lower` describe the same host
 * handing over: upper's from matches lower's by */
bool ot_chain_connects(const ot_hop *upper, const ot_hop *lower);

#endif
