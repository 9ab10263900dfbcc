/*
 * message_dns.c - the DNS side of one message in the milter (see
 * message_dns.h).
 *
 * Why raw header fields are kept here instead of feeding libopendkim as
 * they arrive: whether a message is signed is only known once every
 * field has been seen, and most mail on an MX is verified cheaper by not
 * starting a verification at all. The unfolded copies in ot_message will
 * not do: "simple" header canonicalization needs the bytes as sent.
 */
#include "message_dns.h"

#include <stdlib.h>
#include <libmilter/mfapi.h>
#include <string.h>

#include "evidence.h"
#include "lookup_plan.h"

static bool dkim_wanted(const ot_sess *s)
{
    return s->gen->cfg.dns && s->gen->cfg.dkim;
}

static bool raw_reserve(ot_sess *s, size_t more)
{
    size_t want = s->raw_len + more, cap;
    char *p;

    if (want > OT_MAX_HEADER_BYTES) {
        s->raw_overflow = true;
        return false;
    }
    if (want <= s->raw_cap)
        return true;
    cap = s->raw_cap != 0 ? s->raw_cap : 4096;
    while (cap < want)
        cap *= 2;
    if (cap > OT_MAX_HEADER_BYTES)
        cap = OT_MAX_HEADER_BYTES;
    p = realloc(s->raw, cap);
    if (p == NULL) {
        s->raw_overflow = true;
        return false;
    }
    s->raw = p;
    s->raw_cap = cap;
    return true;
}

/* "Name:value" with every line break a CRLF, as libopendkim wants it;
 * fields are separated by NUL in the buffer. */
void ot_mdns_header(ot_sess *s, const char *name, size_t name_len, const char *value,
                    size_t value_len)
{
    size_t breaks = 0;
    /* an MTA that did not agree to keep the space after the colon took
     * one away; "simple" canonicalization needs it back */
    bool put_space = !(s->steps & SMFIP_HDR_LEADSPC);
    char *out;

    if (!dkim_wanted(s) || s->raw_overflow || name_len == 0)
        return;
    for (size_t i = 0; i < value_len; i++)
        breaks += value[i] == '\n';
    if (!raw_reserve(s, name_len + 2 + value_len + breaks + 1))
        return;
    out = s->raw + s->raw_len;
    memcpy(out, name, name_len);
    out += name_len;
    *out++ = ':';
    if (put_space)
        *out++ = ' ';
    for (size_t i = 0; i < value_len; i++) {
        if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
            *out++ = '\r';
        *out++ = value[i];
    }
    *out++ = '\0';
    s->raw_len = (size_t)(out - s->raw);
}

static void dkim_start(ot_sess *s, const ot_dns_services *svc)
{
    size_t off = 0;
    bool ok = true;

    if (svc == NULL || svc->dkim == NULL || s->raw_overflow) {
        ot_evidence_mark_incomplete(&s->ev, "dkim");
        return;
    }
    s->dkim = ot_dkim_check_begin(svc->dkim, ot_lookups_batch(s->lookups));
    if (s->dkim == NULL) {
        ot_evidence_mark_incomplete(&s->ev, "dkim");
        return;
    }
    while (ok && off < s->raw_len) {
        const char *field = s->raw + off;
        size_t len = strlen(field);
        const char *colon = strchr(field, ':');

        if (colon != NULL) {
            char name[OT_MAX_FIELD_NAME + 1];
            size_t n = (size_t)(colon - field);
            memcpy(name, field, n < sizeof name ? n : sizeof name - 1);
            name[n < sizeof name ? n : sizeof name - 1] = '\0';
            ok = ot_dkim_check_header(s->dkim, name, colon + 1);
        }
        off += len + 1;
    }
    if (ok)
        (void)ot_dkim_check_eoh(s->dkim);
}

bool ot_mdns_eoh(ot_sess *s)
{
    const ot_config *cfg = &s->gen->cfg;
    const ot_dns_services *svc;

    ot_evidence_init(&s->ev);
    if (!cfg->dns || s->result == NULL)
        return false;
    ot_lookup_plan_make(cfg, &s->facts, &s->message, s->result, &s->plan);
    ot_log(&s->gen->log, OT_LOG_DEBUG,
           "lookups: client=%s ptr=%d (mta-resolve=%d) helo=%s dnsbl=%d spf=%d dkim-keys=%zu",
           s->plan.client ? s->plan.client_ip : "-", s->plan.ptr, (int)s->facts.client_resolve,
           s->plan.helo[0] != '\0' ? "yes" : "no", s->plan.dnsbl, s->plan.spf, s->plan.ndkim_keys);
    if (!ot_lookup_plan_any(&s->plan))
        return false;
    svc = ot_gen_dns(s->gen);
    s->lookups = ot_lookups_start(svc, cfg, &s->plan);
    ot_lookups_collect(s->lookups, &s->plan, &s->ev);
    if (!s->plan.dkim)
        return false;
    dkim_start(s, svc);
    return s->dkim != NULL;
}

bool ot_mdns_wants_body(const ot_sess *s)
{
    return s->dkim != NULL;
}

void ot_mdns_body(ot_sess *s, const unsigned char *data, size_t len)
{
    if (s->dkim != NULL)
        (void)ot_dkim_check_body(s->dkim, data, len);
}

void ot_mdns_eom(ot_sess *s)
{
    if (s->dkim == NULL)
        return;
    ot_dkim_check_end(s->dkim, &s->ev);
    s->dkim = NULL;
}

void ot_mdns_end(ot_sess *s)
{
    if (s->dkim != NULL)
        ot_dkim_check_abort(s->dkim);
    s->dkim = NULL;
    ot_lookups_free(s->lookups);
    s->lookups = NULL;
    s->raw_len = 0;
    s->raw_overflow = false;
}
