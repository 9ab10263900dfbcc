/*
 * facts.c - the SMTP session as the MTA reported it, into plain data.
 *
 * The MTA's resolution is trusted more than anything the client says:
 * Postfix puts the forward-confirmed name in {client_name} ("unknown"
 * otherwise) and the bare PTR answer in {client_ptr}; sendmail says how
 * the lookup went in {client_resolve} (OK, FAIL, FORGED, TEMP). Without
 * those macros only the connect callback's host name is left, whose
 * "unknown" (Postfix) or "[address]" (sendmail) means the MTA found no
 * name it believes.
 */
#include "facts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "sanitize.h"

static const char *lookup(ot_macro_fn macro, void *arg, const char *name)
{
    const char *v = macro != NULL ? macro(arg, name) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static size_t bounded_len(const char *s)
{
    return s != NULL ? strnlen(s, OT_FACTS_ARG_MAX) : 0;
}

static void set_client_addr(ot_session *s, const struct sockaddr *addr, socklen_t addrlen)
{
    char text[INET6_ADDRSTRLEN];

    s->client_is_local = false;
    memset(&s->client_addr, 0, sizeof s->client_addr);
    if (addr == NULL) {
        /* no network peer: a local submission or an "unspec" family */
        s->client_is_local = true;
        return;
    }
    switch (addr->sa_family) {
    case AF_INET:
        if (addrlen != 0 && addrlen < (socklen_t)sizeof(struct sockaddr_in))
            return;
        if (inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)addr)->sin_addr,
                      text, sizeof text) != NULL)
            (void)ot_addr_parse(text, strlen(text), &s->client_addr);
        break;
    case AF_INET6:
        if (addrlen != 0 && addrlen < (socklen_t)sizeof(struct sockaddr_in6))
            return;
        /* the core's parser turns ::ffff:a.b.c.d into plain IPv4 */
        if (inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr,
                      text, sizeof text) != NULL)
            (void)ot_addr_parse(text, strlen(text), &s->client_addr);
        break;
    case AF_UNIX:
        s->client_is_local = true;
        break;
    default:
        break;
    }
}

static bool is_unknown_word(const char *v)
{
    return v == NULL || strcasecmp(v, "unknown") == 0;
}

static void set_resolution(ot_session *s, const char *hostname, ot_macro_fn macro, void *arg)
{
    const char *name = lookup(macro, arg, "{client_name}");
    const char *ptr = lookup(macro, arg, "{client_ptr}");
    const char *resolve = lookup(macro, arg, "{client_resolve}");

    s->client_resolve = OT_RESOLVE_UNKNOWN;
    if (resolve != NULL) {
        /* sendmail says how its lookup went */
        if (strcasecmp(resolve, "OK") == 0)
            s->client_resolve = OT_RESOLVE_OK;
        else if (strcasecmp(resolve, "FAIL") == 0)
            s->client_resolve = OT_RESOLVE_FAIL;
        else if (strcasecmp(resolve, "FORGED") == 0)
            s->client_resolve = OT_RESOLVE_FORGED;
        else if (strcasecmp(resolve, "TEMP") == 0)
            s->client_resolve = OT_RESOLVE_TEMP;
    }

    if (name != NULL && !is_unknown_word(name) && name[0] != '[') {
        ot_session_set_rdns(s, name, bounded_len(name));
        if (resolve == NULL)
            s->client_resolve = OT_RESOLVE_OK;   /* Postfix: verified name */
        if (s->client_resolve == OT_RESOLVE_FORGED && ptr != NULL && !is_unknown_word(ptr))
            ot_session_set_rdns(s, ptr, bounded_len(ptr));
        return;
    }
    if (ptr != NULL && !is_unknown_word(ptr) && ptr[0] != '[') {
        /* a PTR answer the MTA could not confirm forward */
        ot_session_set_rdns(s, ptr, bounded_len(ptr));
        if (resolve == NULL)
            s->client_resolve = OT_RESOLVE_FORGED;
        return;
    }
    if (name != NULL || ptr != NULL) {
        /* the MTA has no name. Postfix's "unknown" is no verdict: it says
         * so when the PTR does not exist, when the lookup failed for now,
         * and when peer name lookups are off (smtpd_peername_lookup = no),
         * so the lookups ask again; sendmail's {client_resolve} FAIL, set
         * above, is one. */
        ot_session_set_rdns(s, "", 0);
        return;
    }
    /* no macros: only the connect host name */
    if (hostname == NULL || s->client_is_local)
        return;
    if (is_unknown_word(hostname) || hostname[0] == '[')
        ot_session_set_rdns(s, "", 0);
    else
        ot_session_set_rdns(s, hostname, bounded_len(hostname));
}

void ot_facts_connect(ot_session *s, const char *hostname, const struct sockaddr *addr,
                      socklen_t addrlen, ot_macro_fn macro, void *arg)
{
    s->present = true;
    set_client_addr(s, addr, addrlen);
    set_resolution(s, hostname, macro, arg);
}

void ot_facts_helo(ot_session *s, const char *helo)
{
    if (helo == NULL)
        return;
    ot_session_set_helo(s, helo, bounded_len(helo));
}

void ot_facts_mail(ot_session *s, const char *const *argv, ot_macro_fn macro, void *arg)
{
    const char *user = lookup(macro, arg, "{auth_authen}");

    if (argv != NULL && argv[0] != NULL)
        ot_session_set_mail_from(s, argv[0], bounded_len(argv[0]));
    else
        ot_session_set_mail_from(s, "", 0);
    if (user != NULL)
        ot_strlcpy_n(s->auth_user, sizeof s->auth_user, user, bounded_len(user));
    ot_facts_queue_id(s, macro, arg);
}

void ot_facts_rcpt(ot_session *s, const char *const *argv, char *rcpt_out, size_t rcpt_size)
{
    const char *raw = argv != NULL && argv[0] != NULL ? argv[0] : "";
    size_t len = bounded_len(raw);

    ot_session_add_rcpt(s, raw, len);
    if (rcpt_out != NULL && rcpt_size > 0)
        ot_smtp_path_strip(rcpt_out, rcpt_size, raw, len);
}

void ot_facts_queue_id(ot_session *s, ot_macro_fn macro, void *arg)
{
    const char *qid;

    if (s->queue_id[0] != '\0')
        return;
    qid = lookup(macro, arg, "i");
    if (qid == NULL)
        qid = lookup(macro, arg, "{i}");
    if (qid != NULL)
        ot_sanitize_token(s->queue_id, sizeof s->queue_id, qid, bounded_len(qid));
}
