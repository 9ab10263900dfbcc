/*
 * render.h - the X-Origin-Trace header value.
 *
 * Owns the one rendering of a result as header tokens:
 * "score=7.5 action=reject path=open-relay origin=IP handoff=IP
 * signals=A,B" plus spf= and dkim= when those checks ran. Every value is a
 * sanitized token; the whole is bounded by OT_HEADER_SIZE. Folding for the
 * wire is the MTA's business (or ot_render_fold for the analyzer).
 */
#ifndef OT_RENDER_H
#define OT_RENDER_H

#include "analysis.h"

void ot_render_header(const ot_ctx *ctx, ot_result *res);

#endif
