/*
 * lookup_plan.c - which DNS questions a message raises (see lookup_plan.h).
 *
 * The choices: the handoff address is asked about only when it is
 * routable (a private or loopback peer has no public reverse zone and no
 * blocklist entry); PTR is looked up only when the MTA did not already
 * say what its own lookup found (Postfix and sendmail both resolve the
 * client before we see it, and asking again doubles the load for the
 * same answer); the HELO is resolved only when it is shaped like a
 * domain name; SPF takes MAIL FROM, or postmaster@HELO for the null
 * sender (RFC 7208 section 2.4); offline, Return-Path stands for MAIL FROM.
 */
#include "lookup_plan.h"

#include <string.h>
#include <strings.h>

#include "hostname.h"

bool ot_lookup_name_ok(const char *name, size_t len)
{
    size_t label = 0;
    bool all_digits = true;

    if (len == 0 || len > 253)
        return false;
    if (name[len - 1] == '.')
        len--;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        if (++label > 63)
            return false;
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            all_digits = false;
        else if (c == '-' || c == '_')
            all_digits = false;
        else if (c < '0' || c > '9')
            return false;
    }
    /* a dotted quad is an address, not a name to resolve */
    return label > 0 && !all_digits;
}

static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* MAIL FROM of the live session, else the Return-Path our MTA wrote. */
static void envelope_sender(const ot_session *s, const ot_message *m, char *out, size_t size,
                            bool *known)
{
    const ot_field *rp;

    *known = false;
    out[0] = '\0';
    if (s->present && s->mail_from_seen) {
        copy_text(out, size, s->mail_from, strlen(s->mail_from));
        *known = true;
        return;
    }
    rp = m != NULL ? ot_message_find(m, "Return-Path", 0) : NULL;
    if (rp != NULL) {
        out[0] = '\0';
        (void)ot_smtp_path_strip(out, size, rp->value, rp->value_len);
        *known = true;
    }
}

static bool address_domain_ok(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at != NULL && at != addr && ot_lookup_name_ok(at + 1, strlen(at + 1));
}

static void plan_spf(const ot_config *cfg, const ot_session *s, const ot_message *m,
                     const ot_result *res, ot_lookup_plan *p)
{
    char sender[OT_ADDR_SIZE];
    bool known;

    if (!cfg->spf || !p->client)
        return;
    envelope_sender(s, m, sender, sizeof sender, &known);
    if (p->helo[0] != '\0')
        copy_text(p->spf_helo, sizeof p->spf_helo, p->helo, strlen(p->helo));
    if (known && sender[0] != '\0') {
        if (!address_domain_ok(sender))
            return;
        copy_text(p->spf_sender, sizeof p->spf_sender, sender, strlen(sender));
        p->spf = true;
    } else if (p->spf_helo[0] != '\0' && (known || res->handoff.hop < 0)) {
        /* the null sender: the HELO identity is what SPF can check */
        size_t n = strlen("postmaster@");
        memcpy(p->spf_sender, "postmaster@", n);
        copy_text(p->spf_sender + n, sizeof p->spf_sender - n, p->spf_helo, strlen(p->spf_helo));
        p->spf = true;
    }
}

bool ot_dkim_tag(const char *list, size_t len, const char *tag, char *out, size_t outsize)
{
    size_t taglen = strlen(tag), i = 0;

    while (i < len) {
        size_t start, end, n = 0;

        while (i < len && (list[i] == ' ' || list[i] == '\t' || list[i] == '\r' || list[i] == '\n'))
            i++;
        start = i;
        while (i < len && list[i] != '=' && list[i] != ';')
            i++;
        end = i;
        while (end > start && (list[end - 1] == ' ' || list[end - 1] == '\t'))
            end--;
        if (i >= len || list[i] == ';') {
            i++;
            continue;
        }
        i++;   /* '=' */
        if (end - start == taglen && strncmp(list + start, tag, taglen) == 0) {
            for (; i < len && list[i] != ';'; i++) {
                if (list[i] == ' ' || list[i] == '\t' || list[i] == '\r' || list[i] == '\n')
                    continue;
                if (n + 1 >= outsize)
                    return false;
                out[n++] = list[i];
            }
            out[n] = '\0';
            return n > 0;
        }
        while (i < len && list[i] != ';')
            i++;
        i++;
    }
    return false;
}

/* selector._domainkey.domain of every signature worth checking */
static void plan_dkim_keys(const ot_message *m, ot_lookup_plan *p)
{
    static const char infix[] = "._domainkey.";
    const ot_field *f;

    for (size_t i = 0; p->ndkim_keys < OT_MAX_DKIM_RESULTS &&
                       (f = ot_message_find(m, "DKIM-Signature", i)) != NULL; i++) {
        char d[OT_HOST_SIZE], sel[OT_HOST_SIZE], *key = p->dkim_keys[p->ndkim_keys];
        size_t dl, sl;
        bool dup = false;

        if (!ot_dkim_tag(f->value, f->value_len, "d", d, sizeof d) ||
            !ot_dkim_tag(f->value, f->value_len, "s", sel, sizeof sel))
            continue;
        dl = strlen(d);
        sl = strlen(sel);
        if (sl + sizeof infix - 1 + dl >= OT_HOST_SIZE)
            continue;
        memcpy(key, sel, sl);
        memcpy(key + sl, infix, sizeof infix - 1);
        memcpy(key + sl + sizeof infix - 1, d, dl + 1);
        if (!ot_lookup_name_ok(key, strlen(key)))
            continue;
        for (size_t k = 0; k < p->ndkim_keys; k++)
            dup = dup || strcasecmp(p->dkim_keys[k], key) == 0;
        if (!dup)
            p->ndkim_keys++;
    }
}

void ot_lookup_plan_make(const ot_config *cfg, const ot_session *s, const ot_message *m,
                         const ot_result *res, ot_lookup_plan *p)
{
    static const ot_session absent;
    const ot_endpoint *h = &res->handoff;

    memset(p, 0, sizeof *p);
    if (s == NULL)
        s = &absent;
    if (!cfg->dns)
        return;

    if (h->present && h->addr.family != 0 && !ot_addr_is_unroutable(&h->addr)) {
        p->client = true;
        p->client_addr = h->addr;
        copy_text(p->client_ip, sizeof p->client_ip, h->ip, strlen(h->ip));
        /* the MTA's verdict (OK, FAIL, FORGED) is reused; TEMP or silence is asked again */
        p->ptr = !(h->hop < 0 && (s->client_resolve == OT_RESOLVE_OK ||
                                  s->client_resolve == OT_RESOLVE_FAIL ||
                                  s->client_resolve == OT_RESOLVE_FORGED));
        p->dnsbl = cfg->dnsbl_zones.count > 0;
    }
    if (res->helo.shape == OT_HELO_FQDN && ot_lookup_name_ok(res->helo.text, res->helo.len))
        copy_text(p->helo, sizeof p->helo, res->helo.text, res->helo.len);
    plan_spf(cfg, s, m, res, p);
    p->dkim = cfg->dkim && m != NULL && ot_message_find(m, "DKIM-Signature", 0) != NULL;
    if (p->dkim)
        plan_dkim_keys(m, p);
}
