/*
 * logline.h - the one log line written for each message.
 *
 * Owns its shape: "queue=ID score=S action=A path=P origin=IP handoff=IP
 * signals=A,B", then spf=, dkim= and incomplete= as in the header when
 * lookups ran, followed by client, helo and, when the action is not what
 * the score alone calls for, why=REASON and scored=ACTION. Everything the
 * sender chose (queue ids come from the MTA, but HELO and addresses may
 * be anything) goes through ot_sanitize_token; the line is bounded.
 */
#ifndef OT_LOGLINE_H
#define OT_LOGLINE_H

#include <stddef.h>

#include "analysis.h"
#include "evidence.h"
#include "session.h"
#include "verdict.h"

/* res may be NULL (the analysis could not run): then error names why.
 * ev may be NULL (no lookups): no spf=, dkim= or incomplete= then. */
size_t ot_logline_format(char *out, size_t outsize, const ot_session *facts,
                         const ot_result *res, const ot_evidence *ev, const ot_verdict *v,
                         const char *error);

#endif
