/*
 * actions.h - end of headers and end of message: analyse, decide, act.
 *
 * Owns what the daemon does to a message through libmilter: at end of
 * headers it runs the core analysis, asks verdict.c, and rejects with
 * 550 5.7.1 when that is the decision; at end of message it removes the
 * incoming fields named like ours (highest index first, so the indexes
 * of the rest do not move), adds its own at the top or the bottom,
 * quarantines, and writes the message's log line. A failure anywhere
 * follows OnError: accept (the default) or tempfail, and is logged.
 */
#ifndef OT_ACTIONS_H
#define OT_ACTIONS_H

#include <libmilter/mfapi.h>

#include "session_state.h"

sfsistat ot_actions_eoh(SMFICTX *ctx, ot_sess *s);
sfsistat ot_actions_eom(SMFICTX *ctx, ot_sess *s);
/* A body chunk: fed to a running DKIM verification, else skipped. */
sfsistat ot_actions_body(SMFICTX *ctx, ot_sess *s, const unsigned char *data, size_t len);

/* A connection without state (no memory at connect): what OnError says,
 * judged with the current configuration. */
sfsistat ot_actions_stateless(SMFICTX *ctx, const char *stage);

/* libmilter's smfi_getsymval as an ot_macro_fn (arg is the SMFICTX). */
const char *ot_actions_macro(void *arg, const char *name);

#endif
