/*
 * received.h - one Received: field taken apart.
 *
 * Owns: the tokenizer for the RFC 5321 section 4.4 clauses (from, by, via,
 * with, id, for, and the date after ';') and their comments, and a small
 * table of known comment shapes ("(rdns [ip])", "([ip])", "(HELO name)",
 * "(may be forged)", "(Postfix, from userid N)", "invoked by uid",
 * "from network", "(authenticated as ...)", TLS notes), instead of one
 * regular expression per MTA. Understands the real writers: sendmail,
 * Postfix, Exim, qmail, Courier, Exchange and Exchange Online, Gmail,
 * OpenSMTPD, Lotus Domino, MDaemon, CommuniGate, Zimbra/amavis, fetchmail,
 * list servers and webmail.
 * Guarantees: an address is reported only when its text is in the line;
 * a line it cannot read comes back with parsed == false. Reads at most
 * OT_MAX_RECEIVED_SCAN bytes; every extracted string is bounded.
 */
#ifndef OT_RECEIVED_H
#define OT_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "date.h"
#include "limits.h"

/* ot_hop.flags */
enum {
    OT_HOP_HAS_FROM      = 1u << 0,  /* a from clause (a network peer or a named source) */
    OT_HOP_LOCAL         = 1u << 1,  /* local submission: no network peer ("from userid", "invoked by", pickup) */
    OT_HOP_MAY_BE_FORGED = 1u << 2,  /* the writer said the peer's names disagree */
    OT_HOP_AUTH          = 1u << 3,  /* authenticated (ESMTPA, ESMTPSA, "authenticated") */
    OT_HOP_TLS           = 1u << 4,  /* TLS (ESMTPS, "using TLS", "version=TLS") */
    OT_HOP_HTTP          = 1u << 5,  /* web/HTTP/MAPI submission (webmail, Exchange HTTPS) */
    OT_HOP_INTERNAL      = 1u << 6,  /* LMTP / local delivery / content filter hop */
    OT_HOP_FETCH         = 1u << 7,  /* POP3/IMAP retrieval (fetchmail, getmail) */
    OT_HOP_IP_FROM_HELO  = 1u << 8,  /* from_ip came only from a HELO literal, not the peer */
};

typedef struct ot_hop {
    bool parsed;                     /* the line was understood */
    unsigned flags;
    char from_helo[OT_HOST_SIZE];    /* name the peer gave (HELO/EHLO); "" if none */
    char from_rdns[OT_HOST_SIZE];    /* peer's reverse DNS as the writer saw it; "" if none/unknown */
    char from_ip[OT_IPTEXT_SIZE];    /* peer address as text, canonical; "" if none */
    ot_addr from_addr;               /* family 0 if none */
    char from_ident[OT_IDENT_SIZE];  /* "user@" ident or auth user in the from comment */
    char by[OT_HOST_SIZE];           /* host that wrote the line */
    char via[OT_WITH_SIZE];
    char with[OT_WITH_SIZE];         /* protocol: SMTP, ESMTP, ESMTPSA, LMTP, HTTP, ... */
    char id[OT_ID_SIZE];
    char for_[OT_FOR_SIZE];          /* recipient, angle brackets removed */
    bool has_date;
    ot_date date;
} ot_hop;

/* Parses one Received value (already unfolded). Always fills out; returns
 * out->parsed.
 *
 * parsed == false (unbalanced or too deeply nested parentheses, words
 * before the first clause, no by/with/via clause and no known stamp, a
 * value longer than OT_MAX_RECEIVED_SCAN) leaves every field empty and
 * flags 0: an unreadable line makes no claim the analysis could use.
 * A line with no from clause is OT_HOP_LOCAL; a line of comments and a
 * date only ("(qmail 1 invoked from network); date") is parsed, with
 * OT_HOP_LOCAL or OT_HOP_INTERNAL. has_date is false when the text after
 * the last ';' is not a date, without making the line unparsed.
 *
 * from_helo is the name after "from", unless the line states the HELO
 * apart ("(HELO x)", "helo=x"), in which case the word after "from" is the
 * writer's reverse name. For Exim and qmail, which leave the HELO out when
 * it equals the verified name, from_rdns is that word too. "unknown",
 * "unverified" and an address in the name's place give from_rdns "".
 * from_ident holds an ident/remote user, an authenticated user, or the
 * login/sender after "from" on local lines ("from john by h with local").
 * with and via keep up to four words ("Microsoft SMTP Server"); for_ has
 * its angle brackets removed; id is kept as written. Strings are copied as
 * written except that control bytes become '?'.
 *
 * Every string field is NUL-terminated; the bytes after its terminator are
 * left as they were (out is not cleared as a whole, which cost more than
 * the parse), so compare hops field by field, never with memcmp. */
bool ot_received_parse(const char *value, size_t len, ot_hop *out);

#endif
