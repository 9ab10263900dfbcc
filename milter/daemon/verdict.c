/*
 * verdict.c - thresholds, Mode and exemptions.
 *
 * The order matters and is the one an administrator reads in the man
 * page: the score picks reject, quarantine or accept; monitor mode then
 * turns anything into accept; an exempt recipient, client or
 * authenticated sender does the same (postmaster@ must always reach a
 * person, RFC 5321 4.5.1); and a message with no known recipient is never
 * rejected. Each downgrade records its reason for the log line.
 */
#include "verdict.h"

#include <string.h>
#include <strings.h>

bool ot_recipient_is_exempt(const ot_name_list *list, const char *rcpt)
{
    size_t rlen;
    const char *at;

    if (list == NULL || rcpt == NULL)
        return false;
    rlen = strnlen(rcpt, OT_ADDR_SIZE);
    at = memchr(rcpt, '@', rlen);

    for (size_t i = 0; i < list->count; i++) {
        const char *entry = list->items[i];
        size_t elen;
        if (entry == NULL)
            continue;
        elen = strnlen(entry, OT_ADDR_SIZE);
        if (elen == 0)
            continue;
        if (entry[elen - 1] == '@') {
            size_t local_len = at != NULL ? (size_t)(at - rcpt) : rlen;
            if (local_len == elen - 1 && strncasecmp(rcpt, entry, local_len) == 0)
                return true;
        } else if (entry[0] == '@') {
            if (at != NULL && rlen - (size_t)(at - rcpt) == elen &&
                strncasecmp(at, entry, elen) == 0)
                return true;
        } else if (elen == rlen && strncasecmp(rcpt, entry, rlen) == 0) {
            return true;
        }
    }
    return false;
}

void ot_verdict_client_facts(const ot_config *cfg, const ot_session *s, ot_verdict_facts *f)
{
    f->client_exempt = s->client_addr.family != 0 &&
                       ot_cidr_list_contains(&cfg->exempt_clients, &s->client_addr);
    f->authenticated = s->auth_user[0] != '\0';
}

void ot_verdict_decide(const ot_config *cfg, const ot_verdict_facts *f, double score,
                       ot_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->score = score;
    if (score >= cfg->reject_score)
        out->scored = OT_ACTION_REJECT;
    else if (score >= cfg->quarantine_score)
        out->scored = OT_ACTION_QUARANTINE;
    else
        out->scored = OT_ACTION_ACCEPT;
    out->action = out->scored;
    if (out->action == OT_ACTION_ACCEPT)
        return;

    if (cfg->mode == OT_MODE_MONITOR)
        out->why = "monitor";
    else if (f->recipient_exempt)
        out->why = "exempt-recipient";
    else if (f->client_exempt)
        out->why = "exempt-client";
    else if (f->authenticated && cfg->exempt_authenticated)
        out->why = "exempt-authenticated";
    else if (out->action == OT_ACTION_REJECT && !f->recipient_known)
        out->why = "no-recipient";

    if (out->why != NULL)
        out->action = OT_ACTION_ACCEPT;
}
