/*
 * resolver.h - every DNS lookup the filter makes, on one libunbound context.
 *
 * Owns the libunbound context (cache shared by every session, TTLs as the
 * answers give them), the thread that collects answers, and the per-message
 * batch: all lookups of one message start together and are waited for
 * against one deadline. A batch never waits past its deadline; what has
 * not arrived by then is cancelled and reported as OT_DNS_TIMEOUT.
 *
 * Configuration: `Nameservers` makes every query go to those servers
 * (forwarding), including the names libunbound would otherwise answer from
 * its built-in local zones (localhost., test., invalid., onion., home.arpa.,
 * the documentation, RFC 1918, RFC 6598 and link-local reverse zones);
 * without it, the servers of /etc/resolv.conf, and libunbound keeps its
 * local zones (nothing public lives there). /etc/hosts is never read:
 * evidence about a remote client is what public DNS says. Loopback
 * servers are allowed; no DNSSEC validation.
 *
 * Answers: OT_DNS_OK (records present), OT_DNS_NXDOMAIN, OT_DNS_NODATA
 * (NOERROR without records), OT_DNS_SERVFAIL (SERVFAIL, REFUSED, any other
 * error code, or libunbound gave up on every server), OT_DNS_TIMEOUT (the
 * batch's deadline came first), OT_DNS_LIMIT (not asked), OT_DNS_ERROR
 * (libunbound refused the query).
 *
 * Limits: OT_DNS_MAX_QUERIES per batch (the rest are refused with
 * OT_DNS_LIMIT); names of 1..253 bytes of printable ASCII without
 * backslash or quote, labels 1..63; answers keep at most OT_DNS_MAX_RR
 * records. Thread safety: a resolver is shared by all threads; one batch
 * belongs to one thread at a time. Create a resolver after any fork() (it
 * runs threads) and free every batch before its resolver.
 */
#ifndef OT_DNS_RESOLVER_H
#define OT_DNS_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "config.h"

#define OT_DNS_MAX_QUERIES 48u   /* lookups one message may cause, SPF's and DKIM's included */
#define OT_DNS_MAX_RR      32u   /* records of one answer looked at */
#define OT_DNS_NAME_MAX    253u

/* RR types used (numeric, so callers need no resolver headers) */
#define OT_RR_A     1
#define OT_RR_NS    2
#define OT_RR_CNAME 5
#define OT_RR_PTR   12
#define OT_RR_MX    15
#define OT_RR_TXT   16
#define OT_RR_AAAA  28

enum ot_dns_status {
    OT_DNS_PENDING = 0,   /* asked, no answer yet */
    OT_DNS_OK,            /* records present */
    OT_DNS_NODATA,        /* the name exists, no record of that type */
    OT_DNS_NXDOMAIN,      /* the name does not exist */
    OT_DNS_SERVFAIL,      /* the server failed or refused */
    OT_DNS_TIMEOUT,       /* the message's deadline passed first */
    OT_DNS_LIMIT,         /* not asked: over OT_DNS_MAX_QUERIES or a bad name */
    OT_DNS_ERROR,         /* not asked: resolver error (out of memory, ...) */
};

typedef struct ot_resolver ot_resolver;
typedef struct ot_dns_batch ot_dns_batch;

/* One answer, valid until its batch is freed. rdata are wire format with
 * names uncompressed (as libunbound hands them over). */
typedef struct ot_dns_answer {
    enum ot_dns_status status;
    int rrtype;
    unsigned ttl;
    size_t count;                                /* <= OT_DNS_MAX_RR */
    const unsigned char *rdata[OT_DNS_MAX_RR];
    size_t rdlen[OT_DNS_MAX_RR];
} ot_dns_answer;

/* NULL on error, with the reason in err. Reads cfg->nameservers only; the
 * caller keeps cfg alive no longer than needed (nothing is retained). */
ot_resolver *ot_resolver_new(const ot_config *cfg, char *err, size_t errsize);
void ot_resolver_free(ot_resolver *r);

/* A batch whose deadline is timeout_ms from now. NULL when out of memory. */
ot_dns_batch *ot_dns_batch_new(ot_resolver *r, unsigned timeout_ms);
/* Starts a lookup; returns its index, or -1 when refused (the answer is
 * then not available: callers treat -1 as OT_DNS_LIMIT). Never blocks.
 * Asking again for a name and type already in the batch returns the same
 * index (the daemon prefetches DKIM keys at end of headers; libopendkim
 * asks for them at end of message and must find the prefetched answer,
 * and SPF's lookups share those of the other checks). */
int ot_dns_batch_add(ot_dns_batch *b, const char *name, int rrtype);
/* Waits until every lookup started so far has an answer, or the deadline. */
void ot_dns_batch_wait(ot_dns_batch *b);
/* Waits for one lookup, or the deadline; returns its answer (never NULL). */
const ot_dns_answer *ot_dns_batch_wait_one(ot_dns_batch *b, int index);
/* The answer as it stands now (PENDING if still out); never NULL. */
const ot_dns_answer *ot_dns_batch_get(const ot_dns_batch *b, int index);
/* Milliseconds left before the deadline (0 once it passed). */
unsigned ot_dns_batch_remaining_ms(const ot_dns_batch *b);
/* Cancels what is outstanding and frees every answer. */
void ot_dns_batch_free(ot_dns_batch *b);

/* Decoding. Each is bounded by rdlen and the output size; a malformed
 * record is skipped (addrs) or yields 0 (the others). */
/* A or AAAA records of length 4 or 16 (an IPv4-mapped AAAA becomes IPv4,
 * as ot_addr_parse does); at most max. */
size_t ot_dns_answer_addrs(const ot_dns_answer *a, ot_addr *out, size_t max);
/* PTR, CNAME, NS target; MX exchange (preference in *pref when non-NULL).
 * Lower case, no trailing dot. Returns the length, 0 on a bad record: a
 * compression pointer, a label running past the record, bytes after the
 * name, the root name, a name over 253 bytes, or a label byte that is not
 * printable ASCII or is '.' or '\\' (so the text reads back as the same
 * labels). Printable is not valid: check ot_host_is_valid() before use. */
size_t ot_dns_answer_name(const ot_dns_answer *a, size_t i, char *out, size_t outsize,
                          unsigned *pref);
/* TXT: the character-strings of record i joined; returns the length
 * (truncated to outsize-1). The bytes are the sender's, as sent (NUL and
 * control bytes included): use the length, and sanitize before printing. */
size_t ot_dns_answer_txt(const ot_dns_answer *a, size_t i, char *out, size_t outsize);

/* "4.3.2.1.in-addr.arpa" / nibble ip6.arpa, optionally under a zone
 * instead of the arpa suffix (DNSBL). Returns false if it does not fit. */
bool ot_dns_reverse_name(const ot_addr *a, const char *zone, char *out, size_t outsize);

#endif
