/*
 * spf.c - SPF (RFC 7208) with libspf2, every query through our batch.
 *
 * Owns: the DNS layer handed to libspf2 (answers converted from
 * ot_dns_answer to SPF_dns_rr_t), the screening of SPF records before
 * libspf2 compiles them, and the mapping of libspf2's outcome onto
 * ot_evidence.
 *
 * Design: one SPF_server_t per evaluation. libspf2 calls its DNS layer
 * with the SPF_dns_server_t alone (the request is not passed down), so
 * the only per-message hook is that layer's `hook`; a shared server would
 * need a thread-local "current batch". A server costs a gethostname() and
 * the compilation of two short literals, small beside one DNS round trip,
 * and shares nothing between threads but libspf2's read-only tables.
 *
 * Known libspf2 1.2.10 weaknesses and what is done about them:
 * - its macro compiler and expander are where its memory bugs were
 *   (CVE-2021-20314, CVE-2021-33912/33913, ZDI-23-1472). Records are
 *   screened first (spf_record_screen) so that only short, plain terms
 *   with few lower-case macros reach it, and the `exp=`/`exp-text=`
 *   modifiers are dropped: the explanation is never used here, and
 *   fetching and expanding it is the riskiest path. The server's default
 *   explanation is a literal, and get_exp never fetches anything.
 * - its 10-term limit restarts in every include: (its issue #51), so a
 *   tree of records could spend the whole batch. OT_SPF_MAX_LOOKUPS caps
 *   the queries of one evaluation; past it, and past RFC 7208's two void
 *   lookups, the result is permerror.
 * - a DNS layer returning NULL makes libspf2 abort(), so the lookup
 *   never does (except when malloc itself fails inside libspf2).
 * - the obsolete SPF RR type (99) is answered "no data" without a query.
 *
 * Limits: OT_SPF_MAX_LOOKUPS queries, TXT records of at most
 * OT_SPF_TXT_MAX bytes, terms of at most OT_SPF_TERM_MAX bytes with at
 * most OT_SPF_TERM_MACROS macros; whatever is refused is permerror.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <sys/socket.h>
#include <spf2/spf.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence.h"
#include "lookup_plan.h"
#include "sanitize.h"
#include "spf.h"

#define OT_SPF_MAX_LOOKUPS  24u    /* queries one evaluation may cause */
#define OT_SPF_MAX_VOID      2u    /* RFC 7208 4.6.4 */
#define OT_SPF_TXT_MAX      2048u  /* longer TXT records are not SPF we evaluate */
#define OT_SPF_TERM_MAX      300u  /* "include:" + a 253-byte name, with room */
#define OT_SPF_TERM_MACROS     8u

/* The explanation libspf2 always builds for fail/softfail/neutral/none;
 * a literal, so no attacker data is expanded into it. */
#define OT_SPF_EXPLANATION "SPF"

struct ot_spf {
    int lib_major, lib_minor, lib_patch;
};

/* One evaluation's state, reached from libspf2 through the layer's hook. */
typedef struct spf_eval {
    ot_dns_batch *batch;
    unsigned lookups;        /* queries sent through the batch */
    unsigned voids;          /* NXDOMAIN / no-data answers */
    bool over_limit;         /* OT_SPF_MAX_LOOKUPS or the void limit passed */
    bool refused_record;     /* an SPF record failed the screening */
} spf_eval;

ot_spf *ot_spf_new(char *err, size_t errsize)
{
    ot_spf *s = calloc(1, sizeof *s);

    if (s == NULL) {
        if (errsize > 0)
            ot_strlcpy_n(err, errsize, "SPF: out of memory", (size_t)-1);
        return NULL;
    }
    SPF_get_lib_version(&s->lib_major, &s->lib_minor, &s->lib_patch);
    /* libspf2 writes its warnings about senders' records to standard
     * error, which is the milter's log with -f: a sender could fill it.
     * What matters of a record reaches us in the response instead. */
    SPF_warning_handler = NULL;
    SPF_info_handler = NULL;
    SPF_debug_handler = NULL;
    return s;
}

void ot_spf_free(ot_spf *s)
{
    free(s);
}

/* ---- record screening ----------------------------------------------------- */

static bool is_spf_record(const char *txt, size_t len)
{
    return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 && (len == 6 || txt[6] == ' ');
}

/* `exp=` and `exp-text=` only feed the explanation, which is not used. */
static bool is_explanation_modifier(const char *term, size_t len)
{
    size_t name = strcspn(term, ":/=");

    if (name >= len || term[name] != '=')
        return false;
    return (name == 3 && strncasecmp(term, "exp", 3) == 0) ||
           (name == 8 && strncasecmp(term, "exp-text", 8) == 0);
}

/* A term libspf2 may compile: bounded, and its macros lower-case
 * (upper case asks for URL encoding, the path of CVE-2021-33912/33913;
 * RFC 7208 only needs it in explanations). */
static bool term_acceptable(const char *term, size_t len)
{
    unsigned macros = 0;

    if (len > OT_SPF_TERM_MAX)
        return false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (term[i] != '%')
            continue;
        if (term[i + 1] == '%' || term[i + 1] == '_' || term[i + 1] == '-') {
            i++;
            continue;
        }
        if (term[i + 1] != '{')
            continue;
        if (++macros > OT_SPF_TERM_MACROS)
            return false;
        if (i + 2 >= len || !islower((unsigned char)term[i + 2]))
            return false;
    }
    return true;
}

/* Copies an SPF record into out as "v=spf1 term term...", without the
 * explanation modifiers. False when the record must not reach libspf2:
 * too long, bytes outside printable ASCII, or a term refused above. */
static bool spf_record_screen(const char *txt, size_t len, char *out, size_t outsize)
{
    size_t o, i;

    if (len > OT_SPF_TXT_MAX || outsize < len + 2)
        return false;
    for (i = 0; i < len; i++)
        if ((unsigned char)txt[i] < 0x20 || (unsigned char)txt[i] > 0x7e)
            return false;
    memcpy(out, "v=spf1 ", 7);
    o = 7;
    i = 6;
    while (i < len) {
        size_t start, tlen;

        while (i < len && txt[i] == ' ')
            i++;
        start = i;
        while (i < len && txt[i] != ' ')
            i++;
        tlen = i - start;
        if (tlen == 0)
            break;
        if (!term_acceptable(txt + start, tlen))
            return false;
        if (is_explanation_modifier(txt + start, tlen))
            continue;
        if (o + tlen + 2 > outsize)
            return false;
        if (o > 7)
            out[o++] = ' ';
        memcpy(out + o, txt + start, tlen);
        o += tlen;
    }
    out[o] = '\0';
    return true;
}

/* ---- the DNS layer -------------------------------------------------------- */

static int ot_rrtype_of(ns_type t)
{
    switch (t) {
    case ns_t_a:    return OT_RR_A;
    case ns_t_aaaa: return OT_RR_AAAA;
    case ns_t_ptr:  return OT_RR_PTR;
    case ns_t_mx:   return OT_RR_MX;
    case ns_t_txt:  return OT_RR_TXT;
    default:        return 0;
    }
}

/* Never NULL unless libspf2's own allocator failed (it aborts then). */
static SPF_dns_rr_t *rr_status(SPF_dns_server_t *srv, const char *domain, ns_type type,
                               unsigned ttl, SPF_dns_stat_t herrno)
{
    return SPF_dns_rr_new_init(srv, domain, type, (int)ttl, herrno);
}

/* Appends one record's data; false (record dropped) when out of memory. */
static bool rr_append(SPF_dns_rr_t *rr, const void *data, size_t len, bool is_string)
{
    int idx = rr->num_rr;

    if (SPF_dns_rr_buf_realloc(rr, idx, is_string ? len + 1 : len) != SPF_E_SUCCESS)
        return false;
    memcpy(rr->rr[idx], data, len);
    if (is_string)
        ((char *)rr->rr[idx])[len] = '\0';
    rr->num_rr = idx + 1;
    return true;
}

static void fill_addresses(SPF_dns_rr_t *rr, const ot_dns_answer *a, ns_type type)
{
    size_t want = type == ns_t_a ? 4 : 16;

    for (size_t i = 0; i < a->count; i++) {
        if (a->rdlen[i] != want)
            continue;
        if (type == ns_t_a) {
            struct in_addr v4;
            memcpy(&v4, a->rdata[i], 4);
            (void)rr_append(rr, &v4, sizeof v4, false);
        } else {
            struct in6_addr v6;
            memcpy(&v6, a->rdata[i], 16);
            (void)rr_append(rr, &v6, sizeof v6, false);
        }
    }
}

static void fill_names(SPF_dns_rr_t *rr, const ot_dns_answer *a)
{
    char name[OT_DNS_NAME_MAX + 2];

    for (size_t i = 0; i < a->count; i++) {
        size_t n = ot_dns_answer_name(a, i, name, sizeof name, NULL);
        if (n > 0 && n <= OT_DNS_NAME_MAX)
            (void)rr_append(rr, name, n, true);
    }
}

/* Only SPF records are handed on (libspf2 ignores the rest), screened. */
static void fill_spf_records(spf_eval *ev, SPF_dns_rr_t *rr, const ot_dns_answer *a)
{
    char txt[OT_SPF_TXT_MAX + 2], screened[OT_SPF_TXT_MAX + 2];

    for (size_t i = 0; i < a->count; i++) {
        size_t n = ot_dns_answer_txt(a, i, txt, sizeof txt);

        if (!is_spf_record(txt, n))
            continue;
        /* n is also the length up to the first NUL that libspf2 would see */
        if (n > OT_SPF_TXT_MAX || memchr(txt, '\0', n) != NULL ||
            !spf_record_screen(txt, n, screened, sizeof screened)) {
            ev->refused_record = true;
            continue;
        }
        (void)rr_append(rr, screened, strlen(screened), true);
    }
}

/* libspf2's SPF_dns_lookup_t: one synchronous query within the deadline. */
static SPF_dns_rr_t *ot_spf_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type,
                                   int should_cache)
{
    spf_eval *ev = srv->hook;
    int rrtype = ot_rrtype_of(type);
    const ot_dns_answer *a;
    SPF_dns_rr_t *rr;
    char name[OT_DNS_NAME_MAX + 2];
    size_t len = domain != NULL ? strnlen(domain, sizeof name) : 0;
    int idx;

    (void)should_cache;   /* the resolver caches; TTLs are its business */
    if (rrtype == 0)      /* type 99 and anything else: RFC 7208 uses TXT only */
        return rr_status(srv, domain, type, 0, NO_DATA);
    if (len == 0 || len >= sizeof name)
        return rr_status(srv, domain, type, 0, HOST_NOT_FOUND);
    memcpy(name, domain, len);
    name[len] = '\0';
    if (name[len - 1] == '.')
        name[--len] = '\0';
    /* a name that cannot exist (macro expansion of hostile text) is void */
    if (!ot_lookup_name_ok(name, len)) {
        ev->voids++;
        if (ev->voids > OT_SPF_MAX_VOID)
            ev->over_limit = true;
        return rr_status(srv, domain, type, 0, HOST_NOT_FOUND);
    }
    /* past a limit the result is already permerror: answer without asking */
    if (ev->over_limit || ev->lookups >= OT_SPF_MAX_LOOKUPS) {
        ev->over_limit = true;
        return rr_status(srv, domain, type, 0, HOST_NOT_FOUND);
    }
    ev->lookups++;
    idx = ot_dns_batch_add(ev->batch, name, rrtype);
    if (idx < 0)
        return rr_status(srv, domain, type, 0, TRY_AGAIN);
    a = ot_dns_batch_wait_one(ev->batch, idx);
    switch (a->status) {
    case OT_DNS_OK:
        break;
    case OT_DNS_NODATA:
    case OT_DNS_NXDOMAIN:
        if (++ev->voids > OT_SPF_MAX_VOID)
            ev->over_limit = true;
        return rr_status(srv, domain, type, a->ttl,
                         a->status == OT_DNS_NODATA ? NO_DATA : HOST_NOT_FOUND);
    default:   /* SERVFAIL, TIMEOUT, LIMIT, ERROR, PENDING at the deadline */
        return rr_status(srv, domain, type, 0, TRY_AGAIN);
    }
    rr = rr_status(srv, domain, type, a->ttl, NETDB_SUCCESS);
    if (rr == NULL)
        return NULL;
    switch (type) {
    case ns_t_a:
    case ns_t_aaaa:
        fill_addresses(rr, a, type);
        break;
    case ns_t_ptr:
    case ns_t_mx:
        fill_names(rr, a);
        break;
    default:
        fill_spf_records(ev, rr, a);
        break;
    }
    if (rr->num_rr == 0) {
        rr->herrno = NO_DATA;
        if (++ev->voids > OT_SPF_MAX_VOID)
            ev->over_limit = true;
    }
    return rr;
}

/* libspf2's SPF_dns_get_exp_t: the explanation is a fixed word, never a
 * TXT record of the sender's choosing. */
static SPF_errcode_t ot_spf_get_exp(SPF_server_t *server, const char *domain, char **buf,
                                    size_t *buflen)
{
    size_t need = sizeof OT_SPF_EXPLANATION;

    (void)server;
    (void)domain;
    if (*buf == NULL || *buflen < need) {
        char *p = realloc(*buf, need);
        if (p == NULL)
            return SPF_E_NO_MEMORY;
        *buf = p;
        *buflen = need;
    }
    memcpy(*buf, OT_SPF_EXPLANATION, need);
    return SPF_E_SUCCESS;
}

/* ---- one evaluation ------------------------------------------------------- */

/* libspf2 leaves the result unset when the top record could not be had;
 * its error list says why. */
static enum ot_spf_result result_without_record(SPF_response_t *resp, SPF_errcode_t err)
{
    if (err == SPF_E_DNS_ERROR || err == SPF_E_NO_MEMORY)
        return OT_SPF_TEMPERROR;
    if (err != SPF_E_NOT_SPF)
        return OT_SPF_PERMERROR;
    for (int i = 0; i < SPF_response_messages(resp); i++) {
        SPF_error_t *e = SPF_response_message(resp, i);
        SPF_errcode_t code = SPF_error_code(e);

        if (SPF_error_errorp(e) && code != SPF_E_NOT_SPF && code != SPF_E_SUCCESS)
            return OT_SPF_PERMERROR;   /* a record was there but did not compile */
    }
    return OT_SPF_NONE;
}

static enum ot_spf_result map_result(SPF_response_t *resp, SPF_errcode_t err)
{
    if (resp == NULL)
        return OT_SPF_TEMPERROR;
    switch (SPF_response_result(resp)) {
    case SPF_RESULT_PASS:      return OT_SPF_PASS;
    case SPF_RESULT_FAIL:      return OT_SPF_FAIL;
    case SPF_RESULT_SOFTFAIL:  return OT_SPF_SOFTFAIL;
    case SPF_RESULT_NEUTRAL:   return OT_SPF_NEUTRAL;
    case SPF_RESULT_NONE:      return OT_SPF_NONE;
    case SPF_RESULT_TEMPERROR: return OT_SPF_TEMPERROR;
    case SPF_RESULT_PERMERROR: return OT_SPF_PERMERROR;
    default:                   return result_without_record(resp, err);
    }
}

static bool set_client(SPF_request_t *req, const ot_addr *addr)
{
    if (addr->family == 4) {
        struct in_addr v4;
        memcpy(&v4, addr->bytes, 4);
        return SPF_request_set_ipv4(req, v4) == SPF_E_SUCCESS;
    }
    if (addr->family == 6) {
        struct in6_addr v6;
        memcpy(&v6, addr->bytes, 16);
        return SPF_request_set_ipv6(req, v6) == SPF_E_SUCCESS;
    }
    return false;
}

/* Runs libspf2; OT_SPF_NONE_CHECKED when it could not even start. */
static enum ot_spf_result evaluate(spf_eval *eval, const ot_lookup_plan *plan)
{
    SPF_dns_server_t layer;
    SPF_server_t *server;
    SPF_request_t *req = NULL;
    SPF_response_t *resp = NULL, *scratch = NULL;
    enum ot_spf_result result = OT_SPF_NONE_CHECKED;
    SPF_errcode_t err;

    memset(&layer, 0, sizeof layer);
    layer.destroy = NULL;    /* ours, on this stack: libspf2 must not free it */
    layer.lookup = ot_spf_lookup;
    layer.get_exp = ot_spf_get_exp;
    layer.name = "origin-trace";
    layer.hook = eval;
    server = SPF_server_new_dns(&layer, 0);
    if (server == NULL)
        return result;
    err = SPF_server_set_explanation(server, OT_SPF_EXPLANATION, &scratch);
    if (scratch != NULL)
        SPF_response_free(scratch);
    if (err != SPF_E_SUCCESS)
        goto out;
    req = SPF_request_new(server);
    if (req == NULL || !set_client(req, &plan->client_addr) ||
        SPF_request_set_env_from(req, plan->spf_sender) != 0 ||
        (plan->spf_helo[0] != '\0' &&
         SPF_request_set_helo_dom(req, plan->spf_helo) != SPF_E_SUCCESS))
        goto out;
    err = SPF_request_query_mailfrom(req, &resp);
    result = map_result(resp, err);
out:
    if (resp != NULL)
        SPF_response_free(resp);
    if (req != NULL)
        SPF_request_free(req);
    SPF_server_free(server);
    return result;
}

void ot_spf_check(ot_spf *s, ot_dns_batch *b, const ot_lookup_plan *plan, ot_evidence *ev)
{
    spf_eval eval = { .batch = b };
    const char *at, *domain;
    enum ot_spf_result r;

    if (s == NULL || plan == NULL || ev == NULL || !plan->spf ||
        plan->client_addr.family == 0 || plan->spf_sender[0] == '\0')
        return;
    at = strrchr(plan->spf_sender, '@');
    domain = at != NULL ? at + 1 : plan->spf_sender;
    ot_sanitize_token(ev->spf_domain, sizeof ev->spf_domain, domain, strlen(domain));
    for (char *p = ev->spf_domain; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    /* RFC 7208 4.3: a domain that is not a usable DNS name has no policy */
    if (!ot_lookup_name_ok(domain, strlen(domain))) {
        ev->spf = OT_SPF_NONE;
        return;
    }
    /* libspf2 passes loopback unasked; our plan never has it, but a caller
     * must not be able to turn that into SPF_PASS */
    if (ot_addr_is_loopback(&plan->client_addr))
        return;
    if (b == NULL) {
        ot_evidence_mark_incomplete(ev, "spf");
        return;
    }
    r = evaluate(&eval, plan);
    if (eval.over_limit || eval.refused_record)
        r = OT_SPF_PERMERROR;
    if (r == OT_SPF_NONE_CHECKED)
        r = OT_SPF_TEMPERROR;  /* out of memory: could not be made */
    ev->spf = r;
    if (r == OT_SPF_TEMPERROR)
        ot_evidence_mark_incomplete(ev, "spf");
}
