/*
 * verdict.h - deciding what happens to a message, given its score.
 *
 * Owns the policy between the core's score and the MTA: thresholds,
 * Mode, exemptions (recipients, clients, authenticated senders) and the
 * rule that nothing is rejected before a recipient is known. Pure: no
 * libmilter, no I/O; actions.c carries the decision out.
 */
#ifndef OT_VERDICT_H
#define OT_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "config.h"
#include "session.h"

/* What the session showed that can exempt a message. */
typedef struct ot_verdict_facts {
    bool recipient_exempt;   /* some RCPT matched ExemptRecipients */
    bool client_exempt;      /* the client address is in ExemptClients */
    bool authenticated;      /* the MTA reported an authenticated sender */
    bool recipient_known;    /* at least one RCPT was seen */
} ot_verdict_facts;

typedef struct ot_verdict {
    double score;
    enum ot_action scored;   /* what the score alone calls for */
    enum ot_action action;   /* what is done */
    const char *why;         /* NULL, or a static word saying why action != scored */
} ot_verdict;

/* Does one recipient (as stripped by ot_smtp_path_strip) match the list?
 * Entries: "local@" (that local part at any domain, and the bare local
 * part), "@domain" (any local part there), or a full address. Case is
 * ignored. */
bool ot_recipient_is_exempt(const ot_name_list *list, const char *rcpt);

/* Fills the client and authentication facts from the session. */
void ot_verdict_client_facts(const ot_config *cfg, const ot_session *s, ot_verdict_facts *f);

void ot_verdict_decide(const ot_config *cfg, const ot_verdict_facts *f, double score,
                       ot_verdict *out);

#endif
