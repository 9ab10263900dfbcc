/*
 * dkim.c - DKIM verification (RFC 6376) with libopendkim, keys fetched
 * through the message's batch.
 *
 * Owns: the DKIM_LIB handle and its settings, the key lookup callback,
 * and the reading of libopendkim's per-signature outcome into
 * ot_evidence.
 *
 * How it runs: header fields are given to libopendkim as "Name:value"
 * with the value as the MTA delivered it (folding CRLFs kept, so that
 * "simple" canonicalization sees the original bytes); signatures are
 * processed at end of message (DKIM_LIBFLAGS_DELAYSIGPROC), so keys are
 * fetched in ot_dkim_check_end, where the lookups started at end of
 * headers (lookups.c prefetches them) are found again in the batch. The
 * callback finds the check, and so the batch, through the DKIM handle's
 * user context; the batch may be handed over late (ot_dkim_check_set_batch)
 * since nothing is looked up before end of message.
 *
 * What counts as what: a signature that verifies with a matching body
 * hash is a pass; a key that does not exist, a bad signature, a changed
 * body or header, an expired signature are fails with libopendkim's short
 * reason; a key that could not be fetched (timeout, SERVFAIL, no budget
 * left) is neither: "dkim" is named incomplete. A message without a
 * usable DKIM-Signature is "checked" with no results.
 *
 * Limits: the first OT_MAX_DKIM_RESULTS signatures are verified, the
 * rest ignored (each costs a key lookup and an RSA operation); header
 * fields and bytes fed are bounded as in the core (OT_MAX_FIELDS,
 * OT_MAX_HEADER_BYTES), past which the check is left incomplete; key
 * records longer than libopendkim's buffer, or more than one record at a
 * key name, fail the signature. Thread safety: one DKIM_LIB for all
 * threads (libopendkim's intended use); one check per message.
 */
#include <sys/types.h>
#include <opendkim/dkim.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dkim.h"
#include "evidence.h"
#include "limits.h"
#include "lookup_plan.h"
#include "sanitize.h"

/* What became of one key fetch, remembered so that a key that could not
 * be fetched makes the check incomplete instead of failing the signature. */
enum key_outcome { KEY_FETCHED, KEY_TEMPFAIL, KEY_REFUSED };

typedef struct key_fetch {
    char name[OT_HOST_SIZE];        /* selector._domainkey.domain */
    enum key_outcome outcome;
    const char *reason;             /* for KEY_REFUSED: a static string */
} key_fetch;

struct ot_dkim {
    DKIM_LIB *lib;
};

struct ot_dkim_check {
    DKIM *dkim;
    ot_dns_batch *batch;
    bool usable;          /* libopendkim still accepts input */
    bool eoh_done;
    bool unsigned_msg;    /* no DKIM-Signature it could use */
    bool broken;          /* past a bound, out of memory, misuse: no verdict */
    size_t nfields, nbytes;
    char *line;           /* "Name:value" being handed over */
    size_t line_cap;
    key_fetch keys[OT_MAX_DKIM_RESULTS];
    size_t nkeys;
};

/* The id libopendkim keeps a pointer to for its messages; never logged. */
static const unsigned char check_id[] = "origin-trace";

static void set_err(char *err, size_t errsize, const char *msg)
{
    if (errsize > 0)
        ot_strlcpy_n(err, errsize, msg, (size_t)-1);
}

/* ---- callbacks ------------------------------------------------------------ */

/* Only the first OT_MAX_DKIM_RESULTS signatures are worth their cost. */
static DKIM_CBSTAT prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
    (void)dkim;
    for (int i = (int)OT_MAX_DKIM_RESULTS; i < nsigs; i++)
        dkim_sig_ignore(sigs[i]);
    return DKIM_CBSTAT_CONTINUE;
}

static bool key_name(DKIM_SIGINFO *sig, char *out, size_t outsize)
{
    const char *sel = (const char *)dkim_sig_getselector(sig);
    const char *dom = (const char *)dkim_sig_getdomain(sig);
    size_t sl, dl, n;

    if (sel == NULL || dom == NULL)
        return false;
    sl = strnlen(sel, OT_HOST_SIZE);
    dl = strnlen(dom, OT_HOST_SIZE);
    n = sl + sizeof "._domainkey." - 1 + dl;
    if (sl == 0 || dl == 0 || n >= outsize)
        return false;
    memcpy(out, sel, sl);
    memcpy(out + sl, "._domainkey.", sizeof "._domainkey." - 1);
    memcpy(out + sl + sizeof "._domainkey." - 1, dom, dl);
    out[n] = '\0';
    return true;
}

static key_fetch *remember_key(ot_dkim_check *c, const char *name, enum key_outcome outcome,
                               const char *reason)
{
    key_fetch *k;

    if (c->nkeys >= OT_MAX_DKIM_RESULTS)
        return NULL;
    k = &c->keys[c->nkeys++];
    ot_strlcpy_n(k->name, sizeof k->name, name, (size_t)-1);
    k->outcome = outcome;
    k->reason = reason;
    return k;
}

static const key_fetch *find_key(const ot_dkim_check *c, const char *name)
{
    for (size_t i = 0; i < c->nkeys; i++)
        if (strcasecmp(c->keys[i].name, name) == 0)
            return &c->keys[i];
    return NULL;
}

/* libopendkim's key lookup: the TXT record at selector._domainkey.domain,
 * joined, into buf. */
static DKIM_CBSTAT key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
    ot_dkim_check *c = dkim_get_user_context(dkim);
    char name[OT_HOST_SIZE];
    const ot_dns_answer *a;
    size_t n;
    int idx;

    if (c == NULL || buflen < 2)
        return DKIM_CBSTAT_ERROR;
    name[0] = '\0';
    if (!key_name(sig, name, sizeof name) || !ot_lookup_name_ok(name, strlen(name))) {
        (void)remember_key(c, name, KEY_REFUSED, "key name invalid");
        return DKIM_CBSTAT_NOTFOUND;
    }
    idx = c->batch != NULL ? ot_dns_batch_add(c->batch, name, OT_RR_TXT) : -1;
    a = idx >= 0 ? ot_dns_batch_wait_one(c->batch, idx) : NULL;
    if (a == NULL || (a->status != OT_DNS_OK && a->status != OT_DNS_NXDOMAIN &&
                      a->status != OT_DNS_NODATA)) {
        (void)remember_key(c, name, KEY_TEMPFAIL, NULL);
        return DKIM_CBSTAT_TRYAGAIN;
    }
    if (a->status != OT_DNS_OK || a->count == 0) {
        (void)remember_key(c, name, KEY_REFUSED, "no key for signature");
        return DKIM_CBSTAT_NOTFOUND;
    }
    if (a->count > 1) {   /* RFC 6376 3.6.2.2: ambiguous, treat as absent */
        (void)remember_key(c, name, KEY_REFUSED, "multiple key records");
        return DKIM_CBSTAT_NOTFOUND;
    }
    n = ot_dns_answer_txt(a, 0, (char *)buf, buflen);
    if (n == 0 || n >= buflen - 1 || memchr(buf, '\0', n) != NULL) {
        (void)remember_key(c, name, KEY_REFUSED, "key record unusable");
        return DKIM_CBSTAT_NOTFOUND;
    }
    buf[n] = '\0';
    (void)remember_key(c, name, KEY_FETCHED, NULL);
    return DKIM_CBSTAT_CONTINUE;
}

/* ---- library handle ------------------------------------------------------- */

ot_dkim *ot_dkim_new(char *err, size_t errsize)
{
    ot_dkim *d = calloc(1, sizeof *d);
    uint32_t flags;

    if (d == NULL) {
        set_err(err, errsize, "DKIM: out of memory");
        return NULL;
    }
    d->lib = dkim_init(NULL, NULL);
    if (d->lib == NULL) {
        set_err(err, errsize, "DKIM: dkim_init failed");
        free(d);
        return NULL;
    }
    /* keys at end of message (where the batch has the prefetched answers);
     * bare LFs (a message read from a file) made CRLF as on the wire */
    flags = DKIM_LIBFLAGS_DELAYSIGPROC | DKIM_LIBFLAGS_FIXCRLF;
    if (dkim_options(d->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) !=
            DKIM_STAT_OK ||
        dkim_set_key_lookup(d->lib, key_lookup) != DKIM_STAT_OK ||
        dkim_set_prescreen(d->lib, prescreen) != DKIM_STAT_OK) {
        set_err(err, errsize, "DKIM: cannot configure libopendkim");
        ot_dkim_free(d);
        return NULL;
    }
    return d;
}

void ot_dkim_free(ot_dkim *d)
{
    if (d == NULL)
        return;
    if (d->lib != NULL)
        dkim_close(d->lib);
    free(d);
}

/* ---- one message ---------------------------------------------------------- */

ot_dkim_check *ot_dkim_check_begin(ot_dkim *d, ot_dns_batch *b)
{
    ot_dkim_check *c;
    DKIM_STAT st = DKIM_STAT_OK;

    if (d == NULL || d->lib == NULL)
        return NULL;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->dkim = dkim_verify(d->lib, check_id, NULL, &st);
    if (c->dkim == NULL) {
        free(c);
        return NULL;
    }
    (void)dkim_set_user_context(c->dkim, c);
    c->batch = b;
    c->usable = true;
    return c;
}

void ot_dkim_check_set_batch(ot_dkim_check *c, ot_dns_batch *b)
{
    if (c != NULL)
        c->batch = b;
}

static bool line_reserve(ot_dkim_check *c, size_t need)
{
    char *p;

    if (need <= c->line_cap)
        return true;
    p = realloc(c->line, need);
    if (p == NULL)
        return false;
    c->line = p;
    c->line_cap = need;
    return true;
}

bool ot_dkim_check_header(ot_dkim_check *c, const char *name, const char *value)
{
    size_t nl, vl, len;
    DKIM_STAT st;

    if (c == NULL || !c->usable || name == NULL || value == NULL)
        return false;
    nl = strnlen(name, OT_MAX_FIELD_NAME + 1);
    vl = strnlen(value, OT_MAX_HEADER_BYTES + 1);
    /* libopendkim wants the field without its final line break */
    while (vl > 0 && (value[vl - 1] == '\n' || value[vl - 1] == '\r'))
        vl--;
    len = nl + 1 + vl;
    if (nl == 0 || nl > OT_MAX_FIELD_NAME || ++c->nfields > OT_MAX_FIELDS ||
        len > OT_MAX_HEADER_BYTES - c->nbytes) {
        c->broken = true;
        c->usable = false;
        return false;
    }
    c->nbytes += len;
    if (!line_reserve(c, len + 1)) {
        c->broken = true;
        c->usable = false;
        return false;
    }
    memcpy(c->line, name, nl);
    c->line[nl] = ':';
    memcpy(c->line + nl + 1, value, vl);
    c->line[len] = '\0';
    st = dkim_header(c->dkim, (u_char *)c->line, len);
    /* a malformed field (or DKIM-Signature) is left out; the rest goes on */
    if (st != DKIM_STAT_OK && st != DKIM_STAT_SYNTAX) {
        c->broken = true;
        c->usable = false;
    }
    return c->usable;
}

bool ot_dkim_check_eoh(ot_dkim_check *c)
{
    DKIM_STAT st;

    if (c == NULL || !c->usable)
        return false;
    st = dkim_eoh(c->dkim);
    c->eoh_done = true;
    if (st == DKIM_STAT_OK)
        return true;
    /* no usable signature, or nothing libopendkim can verify (no From:):
     * the body is not needed */
    if (st == DKIM_STAT_NOSIG || st == DKIM_STAT_SYNTAX || st == DKIM_STAT_CANTVRFY)
        c->unsigned_msg = true;
    else
        c->broken = true;   /* out of memory or internal: no verdict */
    c->usable = false;
    return false;
}

bool ot_dkim_check_body(ot_dkim_check *c, const unsigned char *data, size_t len)
{
    if (c == NULL || !c->usable)
        return false;
    if (len == 0)
        return true;
    /* dkim_body only reads the chunk; its prototype predates const */
    if (dkim_body(c->dkim, (u_char *)(uintptr_t)data, len) != DKIM_STAT_OK) {
        c->broken = true;
        c->usable = false;
    }
    return c->usable;
}

static void free_check(ot_dkim_check *c)
{
    if (c->dkim != NULL)
        (void)dkim_free(c->dkim);
    free(c->line);
    free(c);
}

void ot_dkim_check_abort(ot_dkim_check *c)
{
    if (c != NULL)
        free_check(c);
}

static void copy_domain(char *out, size_t outsize, const unsigned char *domain)
{
    const char *d = domain != NULL ? (const char *)domain : "";

    ot_sanitize_token(out, outsize, d, strnlen(d, OT_HOST_SIZE));
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

/* Why a signature failed, in a few words. */
static const char *fail_reason(DKIM_SIGINFO *sig, const key_fetch *key)
{
    int err = dkim_sig_geterror(sig);
    const char *s;

    if (key != NULL && key->outcome == KEY_REFUSED)
        return key->reason;
    /* before the error code: a changed body is the more useful news */
    if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH)
        return "body hash mismatch";
    if (err != DKIM_SIGERROR_OK && err != DKIM_SIGERROR_UNKNOWN &&
        (s = dkim_sig_geterrorstr(err)) != NULL)
        return s;
    return "signature did not verify";
}

/* One signature into ev; false when it could not be judged (key fetch
 * failed, or libopendkim never got to it). */
static bool record_signature(const ot_dkim_check *c, DKIM_SIGINFO *sig, ot_evidence *ev)
{
    unsigned flags = dkim_sig_getflags(sig);
    char name[OT_HOST_SIZE];
    const key_fetch *key = key_name(sig, name, sizeof name) ? find_key(c, name) : NULL;
    bool pass = (flags & DKIM_SIGFLAG_PASSED) != 0 && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH;
    int err = dkim_sig_geterror(sig);
    ot_dkim_result *r;

    if (key != NULL && key->outcome == KEY_TEMPFAIL)
        return false;
    if (!pass && (key == NULL || key->outcome != KEY_REFUSED) &&
        (flags & DKIM_SIGFLAG_PROCESSED) == 0 &&
        (err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN))
        return false;
    if (ev->ndkim >= OT_MAX_DKIM_RESULTS)
        return true;
    r = &ev->dkim[ev->ndkim++];
    copy_domain(r->domain, sizeof r->domain, dkim_sig_getdomain(sig));
    r->pass = pass;
    r->reason[0] = '\0';
    if (!pass) {
        const char *why = fail_reason(sig, key);
        ot_sanitize(r->reason, sizeof r->reason, why, strlen(why));
    }
    return true;
}

void ot_dkim_check_end(ot_dkim_check *c, ot_evidence *ev)
{
    DKIM_SIGINFO **sigs = NULL;
    int nsigs = 0;
    bool undecided = false;

    if (c == NULL)
        return;
    if (ev == NULL) {
        free_check(c);
        return;
    }
    if (c->broken || !c->eoh_done) {
        ot_evidence_mark_incomplete(ev, "dkim");
        free_check(c);
        return;
    }
    if (c->usable)
        (void)dkim_eom(c->dkim, NULL);
    if (c->unsigned_msg || dkim_getsiglist(c->dkim, &sigs, &nsigs) != DKIM_STAT_OK ||
        sigs == NULL || nsigs <= 0) {
        ev->dkim_checked = true;
        ev->ndkim = 0;
        free_check(c);
        return;
    }
    ev->ndkim = 0;
    for (int i = 0; i < nsigs && i < (int)OT_MAX_DKIM_RESULTS; i++) {
        if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0)
            continue;
        if (!record_signature(c, sigs[i], ev))
            undecided = true;
    }
    if (undecided)
        ot_evidence_mark_incomplete(ev, "dkim");
    /* with nothing judged, "dkim=none" would be a claim: leave it unknown */
    ev->dkim_checked = ev->ndkim > 0 || !undecided;
    free_check(c);
}
