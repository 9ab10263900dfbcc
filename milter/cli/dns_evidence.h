/*
 * dns_evidence.h - origin-trace-check --dns: the lookups for one stored
 * message, as the milter would have made them for its handoff.
 */
#ifndef CHECK_DNS_EVIDENCE_H
#define CHECK_DNS_EVIDENCE_H

#include <stddef.h>

#include "analysis.h"
#include "lookups.h"

/* offline: the result of a first pass without evidence (it names the
 * handoff). data/len: the whole message as read (header, blank line,
 * body), for DKIM. Fills ev; never fails (what could not be checked is
 * named in ev->incomplete). */
void check_dns_evidence(const ot_dns_services *svc, const ot_config *cfg, const ot_session *s,
                        const ot_message *m, const ot_result *offline, const char *data,
                        size_t len, ot_evidence *ev);

#endif
