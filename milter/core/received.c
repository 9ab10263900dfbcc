/*
 * received.c - taking one Received: value apart.
 *
 * Owns: one tokenizer and one clause walker for every writer. The value is
 * cut at its last top-level ';' (the date, handed to ot_date_parse), the
 * rest is split into words and (nested) comments, and each word that is an
 * RFC 5321 section 4.4 keyword (from, by, via, with, id, for) opens a
 * clause. What differs between MTAs is only what they put in the from
 * clause's comments, and that is read by one small set of rules:
 *
 *   from WORD (NAME [ADDR])        sendmail, Postfix, Courier, OpenSMTPD, Gmail
 *   from WORD ([ADDR])             sendmail/Exchange/Domino without a PTR name
 *   from WORD (ADDR)               qmail, Exchange 2013+ (sole address in a comment)
 *   from WORD (HELO NAME) (ADDR)   qmail: WORD is the reverse name
 *   from WORD ([ADDR] helo=NAME)   Exim: WORD is the reverse name
 *   from [ADDR] (helo=NAME)        Exim / CommuniGate: the literal is the peer
 *   from WORD [ADDR]               fetchmail, MDaemon, SMTPD32: the peer follows
 *   (from USER@HOST [ADDR])        sendmail without HELO
 *
 * plus a table of notes recognised anywhere in a comment ("may be forged",
 * "from userid", "invoked by uid", "authenticated", TLS, "Exim", "qmail",
 * amavis, fetchmail, "/Submit") that set hop flags or say which writer
 * wrote the line. There is no per-MTA regular expression.
 *
 * Guarantees: an address is reported only when its text is in the line and
 * stands where a writer puts the peer: a bracketed literal first or second
 * in a from comment, a comment holding nothing but an address, a literal
 * right after the from name, or the from name itself (then flagged
 * OT_HOP_IP_FROM_HELO unless the writer is known to put the peer there).
 * A HELO argument, a by-host comment, an id or a recipient never yields an
 * address. A line that cannot be read (no clause we know, stray words
 * before the first clause, unbalanced parentheses, comments nested deeper
 * than RC_MAX_DEPTH, more than RC_MAX_TOKENS tokens, longer than
 * OT_MAX_RECEIVED_SCAN) comes back with parsed == false and every field
 * empty: its claims are not worth half-reading.
 * Limits: every string is copied bounded by its field size, control bytes
 * become '?'; no recursion; at most len bytes are read.
 */
#include "received.h"

#include <string.h>

#define RC_MAX_DEPTH     8u    /* real writers nest comments 2 deep, 3 at most */
#define RC_MAX_TOKENS    96u   /* top-level words and comments of one line */
#define RC_MAX_SUBTOKENS 24u   /* words and comments looked at inside one comment */
#define RC_MAX_JOIN      4u    /* words of a multi-word with/via ("Microsoft SMTP Server") */
#define RC_MAX_FROM_WORDS 4u   /* words after "from" looked at */

typedef struct rc_span {
    const char *p;
    size_t len;
} rc_span;

enum rc_kind { RC_WORD, RC_COMMENT };

typedef struct rc_token {
    enum rc_kind kind;
    rc_span text;            /* a comment's text is what is inside its parentheses */
} rc_token;

enum rc_clause { RC_NONE = 0, RC_FROM, RC_BY, RC_VIA, RC_WITH, RC_ID, RC_FOR, RC_DUP, RC_NCLAUSES };

static const char *const rc_keywords[] = { NULL, "from", "by", "via", "with", "id", "for" };

/* What a note in a comment tells about the writer, besides hop flags. */
enum {
    RC_MARK_NOT_PEER = 1u << 0,  /* the comment carries no peer name or address */
    RC_MARK_EXIM     = 1u << 1,  /* Exim wrote it: the from name is the reverse name */
    RC_MARK_QMAIL    = 1u << 2,  /* qmail wrote it: likewise */
};

enum rc_where { RC_AT_START, RC_ANYWHERE };

typedef struct rc_note {
    const char *text;            /* lower case, matched case-insensitively */
    enum rc_where where;
    unsigned flags;              /* OT_HOP_* */
    unsigned marks;              /* RC_MARK_* */
} rc_note;

static const rc_note rc_notes[] = {
    { "may be forged",        RC_ANYWHERE, OT_HOP_MAY_BE_FORGED, 0 },
    { "from userid",          RC_ANYWHERE, OT_HOP_LOCAL, RC_MARK_NOT_PEER },
    { "invoked by uid",       RC_ANYWHERE, OT_HOP_LOCAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "invoked by alias",     RC_ANYWHERE, OT_HOP_LOCAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "invoked for bounce",   RC_ANYWHERE, OT_HOP_LOCAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "invoked from network", RC_ANYWHERE, OT_HOP_INTERNAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "qmail ",               RC_AT_START, 0, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "qmail-",               RC_AT_START, 0, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "qp ",                  RC_AT_START, 0, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "authenticated",        RC_AT_START, OT_HOP_AUTH, RC_MARK_NOT_PEER },
    { "authenticated user",   RC_ANYWHERE, OT_HOP_AUTH, RC_MARK_NOT_PEER },
    { "auth:",                RC_AT_START, OT_HOP_AUTH, RC_MARK_NOT_PEER },
    { "squirrelmail",         RC_AT_START, OT_HOP_HTTP, RC_MARK_NOT_PEER },
    { "using ",               RC_AT_START, 0, RC_MARK_NOT_PEER },
    { "envelope-",            RC_AT_START, 0, RC_MARK_NOT_PEER },
    { "version=",             RC_AT_START, 0, RC_MARK_NOT_PEER },
    { "google transport security", RC_ANYWHERE, OT_HOP_TLS, RC_MARK_NOT_PEER },
    { "exim ",                RC_AT_START, 0, RC_MARK_NOT_PEER | RC_MARK_EXIM },
    { "amavis",               RC_AT_START, OT_HOP_INTERNAL, RC_MARK_NOT_PEER },
    { "fetchmail",            RC_ANYWHERE, OT_HOP_FETCH, RC_MARK_NOT_PEER },
    { "single-drop",          RC_AT_START, OT_HOP_FETCH, RC_MARK_NOT_PEER },
    { "multi-drop",           RC_AT_START, OT_HOP_FETCH, RC_MARK_NOT_PEER },
    { "/submit",              RC_ANYWHERE, OT_HOP_LOCAL, RC_MARK_NOT_PEER },
};

/* Names a writer puts where the reverse name goes when there is none. */
static const char *const rc_no_name[] = { "unknown", "unverified" };

typedef struct rc_state {
    rc_token toks[RC_MAX_TOKENS];
    unsigned char clause_of[RC_MAX_TOKENS];
    size_t ntok;
    bool seen[RC_NCLAUSES];
    size_t first[RC_NCLAUSES];   /* index of the clause's first token after its keyword */
    bool broken;                 /* structure we refuse to guess about */
    bool leading_words;          /* words before the first clause */
    unsigned flags;
    unsigned marks;

    /* what the from clause (or sendmail's "(from ...)") says about the peer */
    bool from_form;              /* sendmail's leading "(from ...)" comment */
    size_t from_comments;        /* comments in the from clause */
    bool peer_read;              /* an address comment was read: later ones are not the peer */
    rc_span helo_stated;         /* "(HELO x)", "helo=x": the HELO, named as such */
    bool has_helo_stated;
    rc_span rdns;
    bool has_rdns;               /* a name was in the rdns place (maybe "unknown") */
    ot_addr addr;
    bool has_addr;
    rc_span ident;
    bool has_ident;
} rc_state;

/* ---- bytes and spans ------------------------------------------------------ */

static bool rc_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0' || c == '\v' ||
           c == '\f';
}

static char rc_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool rc_is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static rc_span rc_make(const char *p, size_t len)
{
    rc_span s = { p, len };
    return s;
}

static bool rc_eq_ci(rc_span s, const char *lower)
{
    size_t n = strlen(lower);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (rc_lower(s.p[i]) != lower[i])
            return false;
    return true;
}

/* Does s begin with the phrase? A space in the phrase matches any run of
 * white space, since folding leaves "may be    forged". */
static bool rc_starts_ci(rc_span s, const char *lower)
{
    size_t i = 0;
    for (; *lower != '\0'; lower++) {
        if (*lower == ' ') {
            if (i >= s.len || !rc_is_space(s.p[i]))
                return false;
            while (i < s.len && rc_is_space(s.p[i]))
                i++;
            continue;
        }
        if (i >= s.len || rc_lower(s.p[i]) != *lower)
            return false;
        i++;
    }
    return true;
}

static bool rc_contains_ci(rc_span s, const char *lower)
{
    size_t need = strlen(lower);
    char first = lower[0];
    char upper_first = first >= 'a' && first <= 'z' ? (char)(first - 'a' + 'A') : first;

    /* a phrase cannot start closer to the end than its own length allows
     * (its spaces may stand for longer runs, never for shorter) */
    for (size_t i = 0; i + need <= s.len; i++)
        if ((first == ' ' || s.p[i] == first || s.p[i] == upper_first) &&
            rc_starts_ci(rc_make(s.p + i, s.len - i), lower))
            return true;
    return false;
}

static rc_span rc_trim(rc_span s)
{
    while (s.len > 0 && rc_is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && rc_is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

static rc_span rc_strip_trailing(rc_span s, const char *bytes)
{
    while (s.len > 0 && strchr(bytes, s.p[s.len - 1]) != NULL)
        s.len--;
    return s;
}

/* Host-name shaped: letters, digits, '.', '-', '_' and at least one alnum. */
static bool rc_is_hostish(rc_span s)
{
    bool alnum = false;
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (rc_is_alnum(c))
            alnum = true;
        else if (c != '.' && c != '-' && c != '_')
            return false;
    }
    return alnum;
}

/* "unknown", "unverified", or an address standing where the name goes
 * (Zoho writes "(203.0.113.4 [203.0.113.4])"): no reverse name. */
static bool rc_is_no_name(rc_span s)
{
    if (ot_addr_parse(s.p, s.len, NULL))
        return true;
    for (size_t i = 0; i < sizeof rc_no_name / sizeof rc_no_name[0]; i++)
        if (rc_eq_ci(s, rc_no_name[i]))
            return true;
    return false;
}

/* Bounded copy; bytes that could end or fold a line become '?'. */
static void rc_copy(char *dst, size_t size, rc_span s)
{
    size_t n = 0;
    if (size == 0)
        return;
    for (size_t i = 0; i < s.len && n + 1 < size; i++) {
        unsigned char c = (unsigned char)s.p[i];
        dst[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    dst[n] = '\0';
}

/* Appends " word" to a bounded string (a multi-word with/via). */
static void rc_append(char *dst, size_t size, rc_span s)
{
    size_t used = strlen(dst);
    if (used > 0 && used + 1 < size) {
        dst[used++] = ' ';
        dst[used] = '\0';
    }
    if (used < size)
        rc_copy(dst + used, size - used, s);
}

/* ---- the tokenizer -------------------------------------------------------- */

/* Splits text into words and comments. Inside a comment '"' and ',' also
 * separate words ("HELO x" in quotes, "Postfix, from userid"). A comment
 * deeper than RC_MAX_DEPTH, a missing or a stray ')' or more than max
 * tokens sets *broken; scanning still stops at len. */
static size_t rc_lex(const char *p, size_t len, bool in_comment, rc_token *out, size_t max,
                     bool *broken)
{
    size_t i = 0, n = 0;

    while (i < len) {
        char c = p[i];
        if (rc_is_space(c) || c == ';' || (in_comment && (c == '"' || c == ','))) {
            i++;
            continue;
        }
        if (c == ')') {
            *broken = true;
            i++;
            continue;
        }
        if (n == max) {
            *broken = true;
            return n;
        }
        if (c == '(') {
            size_t start = ++i, depth = 1;
            while (i < len) {
                if (p[i] == '\\' && i + 1 < len) {
                    i += 2;      /* quoted-pair: "\)" does not close */
                    continue;
                }
                if (p[i] == '(') {
                    if (++depth > RC_MAX_DEPTH)
                        *broken = true;
                } else if (p[i] == ')') {
                    if (--depth == 0)
                        break;
                }
                i++;
            }
            out[n].kind = RC_COMMENT;
            if (depth == 0) {
                out[n].text = rc_make(p + start, i - start);
                i++;
            } else {
                out[n].text = rc_make(p + start, len - start);
                *broken = true;
            }
            n++;
            continue;
        }
        size_t start = i;
        while (i < len && !rc_is_space(p[i]) && p[i] != '(' && p[i] != ')' && p[i] != ';' &&
               !(in_comment && (p[i] == '"' || p[i] == ',')))
            i++;
        out[n].kind = RC_WORD;
        out[n].text = rc_make(p + start, i - start);
        n++;
    }
    return n;
}

/* The date follows the last ';' outside comments. When parentheses do not
 * balance, the last ';' anywhere stands in (the clause part then reports
 * the imbalance). */
static bool rc_find_date(const char *p, size_t len, size_t *semi)
{
    size_t depth = 0;
    bool found = false, any = false;
    size_t last_any = 0;

    for (size_t i = 0; i < len; i++) {
        char c = p[i];
        if (c == '\\' && depth > 0 && i + 1 < len) {
            i++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (depth > 0)
                depth--;
        } else if (c == ';') {
            any = true;
            last_any = i;
            if (depth == 0) {
                found = true;
                *semi = i;
            }
        }
    }
    if (!found && any)
        *semi = last_any;
    return found || any;
}

/* ---- notes in comments ---------------------------------------------------- */

static bool rc_mentions_tls(rc_span s)
{
    for (size_t i = 0; i + 3 <= s.len; i++) {
        bool boundary = i == 0 || !(rc_is_alnum(s.p[i - 1]) || s.p[i - 1] == '.' ||
                                    s.p[i - 1] == '-');
        if (!boundary)
            continue;
        /* ZMailer notes the absence: "TLS-CIPHER: <none>" */
        if (memcmp(s.p + i, "TLS", 3) == 0 &&
            !rc_starts_ci(rc_make(s.p + i + 3, s.len - i - 3), "-cipher: <none>") &&
            !rc_starts_ci(rc_make(s.p + i + 3, s.len - i - 3), "-peer: <none>"))
            return true;
        if (i + 4 <= s.len && memcmp(s.p + i, "SSLv", 4) == 0)
            return true;
    }
    return false;
}

/* Applies the note table to one comment; returns the marks it carries. */
static unsigned rc_apply_notes(rc_state *st, rc_span comment)
{
    rc_span text = rc_trim(comment);
    unsigned marks = 0;

    for (size_t i = 0; i < sizeof rc_notes / sizeof rc_notes[0]; i++) {
        const rc_note *note = &rc_notes[i];
        bool hit = note->where == RC_AT_START ? rc_starts_ci(text, note->text)
                                              : rc_contains_ci(text, note->text);
        if (hit) {
            st->flags |= note->flags;
            marks |= note->marks;
        }
    }
    if (rc_mentions_tls(text))
        st->flags |= OT_HOP_TLS;
    st->marks |= marks & ~(unsigned)RC_MARK_NOT_PEER;
    return marks;
}

/* ---- the peer in a from comment ------------------------------------------- */

/* One word of a from comment: [IDENT:][user@][name][\[literal\][:port]] */
typedef struct rc_peer_word {
    bool valid;
    rc_span ident, name, literal;
    bool has_ident;
} rc_peer_word;

static rc_peer_word rc_split_peer_word(rc_span w)
{
    rc_peer_word r;

    memset(&r, 0, sizeof r);
    if (rc_starts_ci(w, "ident:")) {
        w.p += 6;
        w.len -= 6;
    }
    size_t bracket = w.len, at = w.len;
    for (size_t i = 0; i < w.len; i++)
        if (w.p[i] == '[') {
            bracket = i;
            break;
        }
    for (size_t i = bracket; i > 0; i--)
        if (w.p[i - 1] == '@') {
            at = i - 1;
            break;
        }
    size_t name_start = 0;
    if (at < bracket) {
        r.ident = rc_make(w.p, at);
        r.has_ident = true;
        name_start = at + 1;
    }
    r.name = rc_make(w.p + name_start, bracket - name_start);
    if (bracket < w.len) {
        size_t close = bracket;
        while (close < w.len && w.p[close] != ']')
            close++;
        if (close == w.len)
            return r;            /* "[" without "]": not an address form */
        r.literal = rc_make(w.p + bracket, close + 1 - bracket);
        size_t rest = close + 1;
        if (rest < w.len) {
            /* only ":port" may follow the literal */
            if (w.p[rest] != ':' || rest + 1 == w.len || w.len - rest - 1 > 5)
                return r;
            for (size_t i = rest + 1; i < w.len; i++)
                if (w.p[i] < '0' || w.p[i] > '9')
                    return r;
        }
    }
    r.valid = true;
    return r;
}

static void rc_set_ident(rc_state *st, rc_span ident)
{
    if (!st->has_ident && ident.len > 0) {
        st->ident = ident;
        st->has_ident = true;
    }
}

static void rc_set_rdns(rc_state *st, rc_span name)
{
    if (!st->has_rdns) {
        st->rdns = name;
        st->has_rdns = true;
    }
}

/* "(ADDR)" or "(user@ADDR)": a comment that is nothing but an address. */
static bool rc_sole_address(rc_span text, ot_addr *addr, rc_span *ident)
{
    rc_span t = rc_trim(text);
    size_t at = t.len;
    for (size_t i = 0; i < t.len; i++) {
        if (rc_is_space(t.p[i]))
            return false;
        if (t.p[i] == '@')
            at = i;
    }
    ident->p = t.p;
    ident->len = at < t.len ? at : 0;
    if (at < t.len) {
        t.p += at + 1;
        t.len -= at + 1;
    }
    return ot_addr_parse(t.p, t.len, addr);
}

/* Names that the comment states for what they are: the HELO, an ident,
 * the authenticated user. */
static void rc_read_stated(rc_state *st, const rc_token *sub, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (sub[k].kind != RC_WORD)
            continue;
        rc_span w = sub[k].text;
        bool next_word = k + 1 < n && sub[k + 1].kind == RC_WORD;
        bool after_authenticated = k > 0 && sub[k - 1].kind == RC_WORD &&
                                   rc_eq_ci(sub[k - 1].text, "authenticated");

        if ((rc_eq_ci(w, "helo") || rc_eq_ci(w, "ehlo")) && next_word) {
            if (!st->has_helo_stated) {
                st->helo_stated = sub[k + 1].text;
                st->has_helo_stated = true;
            }
            k++;
        } else if (rc_starts_ci(w, "helo=") || rc_starts_ci(w, "ehlo=")) {
            if (!st->has_helo_stated && w.len > 5) {
                st->helo_stated = rc_make(w.p + 5, w.len - 5);
                st->has_helo_stated = true;
                st->marks |= RC_MARK_EXIM;
            }
        } else if (rc_starts_ci(w, "ident=")) {
            rc_set_ident(st, rc_make(w.p + 6, w.len - 6));
        } else if (rc_eq_ci(w, "account") && next_word) {
            st->flags |= OT_HOP_AUTH;
            rc_set_ident(st, sub[k + 1].text);
            k++;
        } else if (rc_eq_ci(w, "auth:") && next_word) {
            /* "AUTH: MECHANISM user" */
            size_t user = k + 2 < n && sub[k + 2].kind == RC_WORD ? k + 2 : k + 1;
            rc_set_ident(st, sub[user].text);
            k = user;
        } else if ((rc_eq_ci(w, "sender:") || rc_eq_ci(w, "as") || rc_eq_ci(w, "user")) &&
                   after_authenticated && next_word) {
            rc_set_ident(st, sub[k + 1].text);
            k++;
        }
    }
}

/* The peer's reverse name and address in the first comment shaped for
 * them: "(name [addr])", "(user@name [addr])", "(name[addr])", "([addr])",
 * "([addr]:port ...)", "(addr)", "(name (addr))", "(name)". */
static void rc_read_peer(rc_state *st, const rc_token *sub, size_t n)
{
    size_t words = 0;
    ot_addr addr;
    rc_span ident;

    for (size_t k = 0; k < n; k++)
        if (sub[k].kind == RC_WORD)
            words++;
    if (n == 0 || sub[0].kind != RC_WORD)
        return;

    rc_peer_word first = rc_split_peer_word(sub[0].text);
    if (!first.valid)
        return;
    if (first.literal.len > 0) {
        if (!ot_addr_parse(first.literal.p, first.literal.len, &addr))
            return;
        if (first.name.len > 0 && !rc_is_hostish(first.name))
            return;
        st->peer_read = true;
        st->addr = addr;
        st->has_addr = true;
        if (first.name.len > 0)
            rc_set_rdns(st, first.name);
        if (first.has_ident)
            rc_set_ident(st, first.ident);
        return;
    }
    /* qmail's remote info "user@ADDR" may carry a note after it ("with login") */
    if (first.has_ident && ot_addr_parse(first.name.p, first.name.len, &addr)) {
        st->peer_read = true;
        st->addr = addr;
        st->has_addr = true;
        rc_set_ident(st, first.ident);
        return;
    }
    if (n == 1 && rc_sole_address(sub[0].text, &addr, &ident)) {
        st->peer_read = true;
        st->addr = addr;
        st->has_addr = true;
        rc_set_ident(st, ident);
        return;
    }
    if (!rc_is_hostish(first.name))
        return;

    bool found = false;
    if (n >= 2 && sub[1].kind == RC_WORD) {
        rc_peer_word second = rc_split_peer_word(sub[1].text);
        found = second.valid && second.literal.len > 0 && second.name.len == 0 &&
                !second.has_ident &&
                ot_addr_parse(second.literal.p, second.literal.len, &addr);
    } else if (n >= 2 && sub[1].kind == RC_COMMENT) {
        found = rc_sole_address(sub[1].text, &addr, &ident) && ident.len == 0;
    }
    if (!found && words != 1)
        return;                  /* a phrase, not a peer */
    st->peer_read = true;
    if (found) {
        st->addr = addr;
        st->has_addr = true;
    }
    rc_set_rdns(st, first.name);
    if (first.has_ident)
        rc_set_ident(st, first.ident);
}

static void rc_read_from_comment(rc_state *st, rc_span text)
{
    rc_token sub[RC_MAX_SUBTOKENS];
    bool ignored = false;        /* a long comment is only looked at in part */
    size_t n = rc_lex(text.p, text.len, true, sub, RC_MAX_SUBTOKENS, &ignored);
    unsigned marks = rc_apply_notes(st, text);

    rc_read_stated(st, sub, n);
    if (marks & RC_MARK_NOT_PEER)
        return;
    if (n > 0 && sub[0].kind == RC_WORD &&
        (rc_eq_ci(sub[0].text, "helo") || rc_eq_ci(sub[0].text, "ehlo")))
        return;
    if (!st->peer_read) {
        rc_read_peer(st, sub, n);
        return;
    }
    /* A second comment with an address: our own MTA writes the peer it
     * saw after the HELO it was given, so when a HELO itself carries a
     * "(name [addr])" the last such comment is the real peer. */
    if (!st->has_addr)
        return;
    {
        rc_state before = *st;
        st->peer_read = false;
        st->has_addr = false;
        st->has_rdns = false;
        st->has_ident = false;
        rc_read_peer(st, sub, n);
        if (!st->has_addr)
            *st = before;
    }
}

/* ---- clauses -------------------------------------------------------------- */

static enum rc_clause rc_keyword(rc_span w)
{
    for (size_t k = RC_FROM; k <= RC_FOR; k++)
        if (rc_eq_ci(w, rc_keywords[k]))
            return (enum rc_clause)k;
    return RC_NONE;
}

static void rc_assign_clauses(rc_state *st)
{
    enum rc_clause current = RC_NONE;

    for (size_t i = 0; i < st->ntok; i++) {
        const rc_token *t = &st->toks[i];
        enum rc_clause k = t->kind == RC_WORD ? rc_keyword(t->text) : RC_NONE;
        if (k != RC_NONE) {
            /* a keyword seen before ("with ESMTP with STARTTLS") opens a
             * clause nobody reads: the first of each counts */
            current = st->seen[k] ? RC_DUP : k;
            if (!st->seen[k]) {
                st->seen[k] = true;
                st->first[k] = i + 1;
            }
            st->clause_of[i] = RC_DUP;
            continue;
        }
        if (current == RC_NONE && t->kind == RC_WORD)
            st->leading_words = true;
        st->clause_of[i] = (unsigned char)current;
    }
}

/* The clause's first token, if it is a word. */
static bool rc_clause_word(const rc_state *st, enum rc_clause c, rc_span *out)
{
    size_t i = st->first[c];
    if (!st->seen[c] || i >= st->ntok || st->clause_of[i] != c || st->toks[i].kind != RC_WORD)
        return false;
    *out = st->toks[i].text;
    return true;
}

/* with/via: words up to the first comment, keyword or key=value. */
static void rc_clause_phrase(const rc_state *st, enum rc_clause c, char *dst, size_t size)
{
    dst[0] = '\0';
    if (!st->seen[c])
        return;
    for (size_t i = st->first[c], words = 0; i < st->ntok && words < RC_MAX_JOIN; i++, words++) {
        const rc_token *t = &st->toks[i];
        if (st->clause_of[i] != c || t->kind != RC_WORD || memchr(t->text.p, '=', t->text.len))
            break;
        rc_append(dst, size, t->text);
    }
}

/* for: one address, or "<a phrase>" up to its '>'. */
static void rc_clause_recipient(const rc_state *st, char *dst, size_t size)
{
    rc_span w;
    dst[0] = '\0';
    if (!rc_clause_word(st, RC_FOR, &w))
        return;
    w = rc_strip_trailing(w, ",;");
    if (w.len > 0 && w.p[0] == '<' && memchr(w.p, '>', w.len) == NULL) {
        size_t i = st->first[RC_FOR] + 1, extra = 0;
        const char *end = w.p + w.len;
        while (i < st->ntok && extra < RC_MAX_JOIN && st->clause_of[i] == RC_FOR &&
               st->toks[i].kind == RC_WORD) {
            rc_span next = st->toks[i].text;
            end = next.p + next.len;
            if (memchr(next.p, '>', next.len) != NULL)
                break;
            i++;
            extra++;
        }
        w.len = (size_t)(end - w.p);
        w = rc_strip_trailing(w, ",;");
    }
    if (w.len > 0 && w.p[0] == '<') {
        w.p++;
        w.len--;
    }
    if (w.len > 0 && w.p[w.len - 1] == '>')
        w.len--;
    rc_copy(dst, size, w);
}

static bool rc_ends_ci(rc_span s, const char *lower)
{
    size_t n = strlen(lower);
    return s.len >= n && rc_eq_ci(rc_make(s.p + s.len - n, n), lower);
}

/* Flags the protocol word says: ESMTPSA, LMTP, local, HTTP, POP3, ... */
static void rc_protocol_flags(rc_state *st, rc_span proto, bool via)
{
    if (proto.len == 0)
        return;
    if (rc_starts_ci(proto, "http") || (!via && rc_eq_ci(proto, "mapi")))
        st->flags |= OT_HOP_HTTP;
    if (rc_eq_ci(proto, "https"))
        st->flags |= OT_HOP_TLS;
    if (via)
        return;
    if (rc_starts_ci(proto, "lmtp") || rc_contains_ci(proto, "scanner"))
        st->flags |= OT_HOP_INTERNAL;   /* delivery to a store, or a content filter */
    if (rc_eq_ci(proto, "local") || rc_starts_ci(proto, "local-"))
        st->flags |= OT_HOP_LOCAL;
    if (rc_starts_ci(proto, "pop") || rc_starts_ci(proto, "imap"))
        st->flags |= OT_HOP_FETCH;
    if (rc_contains_ci(proto, "smtps") || rc_contains_ci(proto, "lmtps") ||
        rc_contains_ci(proto, "/tls"))   /* IronPort: "ESMTP/TLS/cipher" */
        st->flags |= OT_HOP_TLS;
    if (rc_ends_ci(proto, "smtpa") || rc_ends_ci(proto, "smtpsa") || rc_ends_ci(proto, "lmtpa") ||
        rc_ends_ci(proto, "lmtpsa") || rc_eq_ci(proto, "asmtp"))
        st->flags |= OT_HOP_AUTH;
    if (rc_eq_ci(proto, "qmqp"))
        st->marks |= RC_MARK_QMAIL;
}

/* Exim's queue ids: 1abCDe-000Fgh-Ij (and the longer 4.97 form). */
static bool rc_is_exim_id(rc_span id)
{
    size_t part = 0, run = 0;
    static const size_t min_run[3] = { 6, 6, 2 }, max_run[3] = { 6, 11, 4 };
    for (size_t i = 0; i <= id.len; i++) {
        if (i == id.len || id.p[i] == '-') {
            if (part > 2 || run < min_run[part] || run > max_run[part])
                return false;
            part++;
            run = 0;
        } else if (rc_is_alnum(id.p[i])) {
            run++;
        } else {
            return false;
        }
    }
    return part == 3;
}

/* Exim writes its protocol names in lower case ("esmtp"), most others do not. */
static bool rc_is_lower_word(rc_span s)
{
    bool lower = false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] >= 'A' && s.p[i] <= 'Z')
            return false;
        if (s.p[i] >= 'a' && s.p[i] <= 'z')
            lower = true;
    }
    return lower;
}

/* Words that are not a clause's value but still say something:
 * OpenSMTPD's "auth=yes user=x", Exim 4.9x's "tls CIPHER". */
static void rc_loose_words(rc_state *st)
{
    for (size_t i = 0; i < st->ntok; i++) {
        unsigned c = st->clause_of[i];
        const rc_token *t = &st->toks[i];
        if (t->kind != RC_WORD || c == RC_FROM || c == RC_NONE ||
            (c != RC_DUP && i == st->first[c]))
            continue;
        if (rc_eq_ci(t->text, "auth=yes"))
            st->flags |= OT_HOP_AUTH;
        else if (rc_starts_ci(t->text, "user=") && t->text.len > 5)
            rc_set_ident(st, rc_make(t->text.p + 5, t->text.len - 5));
        else if (rc_eq_ci(t->text, "tls") && c == RC_WITH)
            st->flags |= OT_HOP_TLS;
    }
}

/* ---- putting it together -------------------------------------------------- */

typedef struct rc_from_words {
    rc_span w[RC_MAX_FROM_WORDS];
    size_t count;
} rc_from_words;

static void rc_read_clauses_comments(rc_state *st, rc_from_words *fw, size_t *leading_comments)
{
    *leading_comments = 0;
    for (size_t i = 0; i < st->ntok; i++) {
        const rc_token *t = &st->toks[i];
        unsigned c = st->clause_of[i];
        if (c == RC_FROM) {
            if (t->kind == RC_COMMENT) {
                st->from_comments++;
                rc_read_from_comment(st, t->text);
            } else if (fw->count < RC_MAX_FROM_WORDS) {
                fw->w[fw->count++] = t->text;
            }
            continue;
        }
        if (t->kind != RC_COMMENT)
            continue;
        if (c == RC_NONE) {
            rc_span text = rc_trim(t->text);
            (*leading_comments)++;
            if (!st->seen[RC_FROM] && !st->from_form && rc_starts_ci(text, "from ")) {
                /* sendmail without HELO: "(from user@host)", "(from name [addr])" */
                st->from_form = true;
                rc_read_from_comment(st, rc_make(text.p + 5, text.len - 5));
                continue;
            }
            if (rc_starts_ci(text, "ofmipd ")) {
                /* qmail's ofmipd names its peer's address alone */
                ot_addr addr;
                rc_span rest = rc_trim(rc_make(text.p + 7, text.len - 7)), ident;
                if (!st->has_addr && rc_sole_address(rest, &addr, &ident)) {
                    st->addr = addr;
                    st->has_addr = true;
                    st->from_form = true;
                    st->marks |= RC_MARK_QMAIL;
                }
                continue;
            }
        }
        rc_apply_notes(st, t->text);
    }
}

/* Is this from word an address: "[a.b.c.d]" or a bare address? */
static bool rc_word_address(rc_span w, ot_addr *addr)
{
    return w.len > 0 && ot_addr_parse(w.p, w.len, addr);
}

static void rc_fill_from(rc_state *st, const rc_from_words *fw, ot_hop *out)
{
    rc_span w0 = fw->count > 0 ? fw->w[0] : rc_make("", 0);
    ot_addr word_addr, follow_addr;
    bool word_is_addr = rc_word_address(w0, &word_addr);
    bool has_follow = false;
    rc_span helo = w0;

    /* "name[addr]" written as one word after from */
    rc_peer_word joined = rc_split_peer_word(w0);
    if (!word_is_addr && joined.valid && joined.literal.len > 0 && joined.name.len > 0 &&
        !joined.has_ident && rc_is_hostish(joined.name) &&
        ot_addr_parse(joined.literal.p, joined.literal.len, &follow_addr)) {
        has_follow = true;
        helo = joined.name;
    }
    /* "from name [addr]" (fetchmail, MDaemon, SMTPD32), "from name - addr" (old SMTPSVC) */
    if (!has_follow && fw->count >= 2 && fw->w[1].len > 2 && fw->w[1].p[0] == '[')
        has_follow = ot_addr_parse(fw->w[1].p, fw->w[1].len, &follow_addr);
    if (!has_follow && fw->count >= 3 && fw->w[1].len == 1 && fw->w[1].p[0] == '-')
        has_follow = ot_addr_parse(fw->w[2].p, fw->w[2].len, &follow_addr);

    bool pickup = fw->count >= 3 && rc_eq_ci(fw->w[0], "mail") && rc_eq_ci(fw->w[1], "pickup") &&
                  rc_eq_ci(fw->w[2], "service");
    /* qmail and Exim write the verified name first; so does any writer that
     * states the HELO apart. Only with a comment beside it, though. */
    bool names_peer_first = st->has_helo_stated ||
                            (st->peer_read && (st->marks & (RC_MARK_EXIM | RC_MARK_QMAIL)));
    /* "from USER by host with local": the name is a login, not a host; a
     * comment beside it may only state the HELO (Exim's local-esmtp) */
    bool local_user = (st->flags & OT_HOP_LOCAL) && fw->count == 1 && !has_follow &&
                      !word_is_addr && rc_is_hostish(w0) &&
                      (st->from_comments == 0 ||
                       (st->from_comments == 1 && st->has_helo_stated && !st->peer_read));
    bool sender_address = !st->has_addr && !has_follow && !word_is_addr &&
                          memchr(w0.p, '@', w0.len) != NULL;

    if (pickup) {
        st->flags |= OT_HOP_LOCAL;
        helo = rc_make("", 0);
    } else if (local_user || sender_address) {
        /* "from john by host with local", "from user@aol.com by imo..." */
        rc_span who = w0;
        if (who.len > 1 && who.p[0] == '<' && who.p[who.len - 1] == '>') {
            who.p++;
            who.len -= 2;
        }
        rc_set_ident(st, who);
        helo = st->has_helo_stated ? st->helo_stated : rc_make("", 0);
    } else if (st->has_helo_stated) {
        helo = st->helo_stated;
    }
    rc_copy(out->from_helo, sizeof out->from_helo, helo);

    /* the reverse name: stated in the comment, or the from word of a writer
     * that puts the verified name there */
    if (st->has_rdns) {
        if (!rc_is_no_name(st->rdns))
            rc_copy(out->from_rdns, sizeof out->from_rdns, st->rdns);
    } else if (names_peer_first && !word_is_addr && !pickup && !local_user && !sender_address &&
               rc_is_hostish(w0) && !rc_is_no_name(w0)) {
        rc_copy(out->from_rdns, sizeof out->from_rdns, w0);
    }

    if (st->has_addr) {
        out->from_addr = st->addr;
    } else if (has_follow) {
        out->from_addr = follow_addr;
    } else if (word_is_addr) {
        out->from_addr = word_addr;
        /* Exim, CommuniGate (a stated HELO beside it) and web front ends
         * write the peer there; otherwise it is only what the client said */
        if (!st->has_helo_stated && !(st->marks & RC_MARK_EXIM) && !(st->flags & OT_HOP_HTTP))
            st->flags |= OT_HOP_IP_FROM_HELO;
    }
    if (out->from_addr.family != 0)
        ot_addr_format(&out->from_addr, out->from_ip, sizeof out->from_ip);
}

static void rc_fill_from_form(rc_state *st, ot_hop *out)
{
    /* sendmail's "(from ...)": no HELO was given */
    if (st->has_rdns && !rc_is_no_name(st->rdns) && st->has_addr)
        rc_copy(out->from_rdns, sizeof out->from_rdns, st->rdns);
    if (st->has_addr) {
        out->from_addr = st->addr;
        ot_addr_format(&out->from_addr, out->from_ip, sizeof out->from_ip);
    } else {
        st->flags |= OT_HOP_LOCAL;   /* "(from root@localhost)" */
    }
}

/* A line of comments and a date only, the date not after ';' either:
 * "(Scanned by X)24 Aug 2002 14:17:39 -0000". No clause may appear. */
static bool rc_read_stamp(rc_state *st, const char *value, size_t len, ot_hop *out)
{
    size_t first_word = 0;
    for (size_t k = RC_FROM; k <= RC_FOR; k++)
        if (st->seen[k])
            return false;
    while (first_word < st->ntok && st->toks[first_word].kind == RC_COMMENT)
        first_word++;
    if (first_word == 0 || first_word == st->ntok)
        return false;
    for (size_t i = 0; i < first_word; i++)
        rc_apply_notes(st, st->toks[i].text);
    size_t start = (size_t)(st->toks[first_word].text.p - value);
    if (!ot_date_parse(value + start, len - start, &out->date)) {
        memset(out, 0, sizeof *out);
        return false;
    }
    out->has_date = true;
    out->flags = st->flags & (OT_HOP_LOCAL | OT_HOP_INTERNAL) ? st->flags
                                                              : st->flags | OT_HOP_INTERNAL;
    out->parsed = true;
    return true;
}

bool ot_received_parse(const char *value, size_t len, ot_hop *out)
{
    rc_state st;
    rc_from_words fw;
    size_t semi = len, leading_comments = 0;
    bool has_semi;

    if (out == NULL)
        return false;
    memset(out, 0, sizeof *out);
    if (value == NULL || len == 0 || len > OT_MAX_RECEIVED_SCAN)
        return false;

    /* a whole line in brackets: "[from a (b [ip]) by c ...; date]" */
    if (len > 2 && value[0] == '[' && value[len - 1] == ']' &&
        (rc_starts_ci(rc_make(value + 1, len - 2), "from ") ||
         rc_starts_ci(rc_make(value + 1, len - 2), "by "))) {
        value++;
        len -= 2;
    }

    memset(&st, 0, sizeof st);
    memset(&fw, 0, sizeof fw);
    has_semi = rc_find_date(value, len, &semi);
    st.ntok = rc_lex(value, has_semi ? semi : len, false, st.toks, RC_MAX_TOKENS, &st.broken);
    if (st.broken)
        return false;
    rc_assign_clauses(&st);
    if (st.leading_words)
        return rc_read_stamp(&st, value, len, out);
    rc_read_clauses_comments(&st, &fw, &leading_comments);

    rc_span word;
    bool has_by = st.seen[RC_BY] && st.first[RC_BY] < st.ntok &&
                  st.clause_of[st.first[RC_BY]] == RC_BY;
    bool has_from = st.seen[RC_FROM] && st.first[RC_FROM] < st.ntok &&
                    st.clause_of[st.first[RC_FROM]] == RC_FROM;

    char with[OT_WITH_SIZE], via[OT_WITH_SIZE];
    rc_clause_phrase(&st, RC_WITH, with, sizeof with);
    rc_clause_phrase(&st, RC_VIA, via, sizeof via);
    if (rc_clause_word(&st, RC_WITH, &word))
        rc_protocol_flags(&st, word, false);
    if (rc_clause_word(&st, RC_VIA, &word))
        rc_protocol_flags(&st, word, true);
    rc_span id = rc_make("", 0);
    if (rc_clause_word(&st, RC_ID, &word))
        id = rc_strip_trailing(word, ",;");
    if (rc_clause_word(&st, RC_WITH, &word) && rc_is_lower_word(word) && rc_is_exim_id(id))
        st.marks |= RC_MARK_EXIM;
    rc_loose_words(&st);

    bool any_clause = false;
    for (size_t k = RC_FROM; k <= RC_FOR; k++)
        any_clause |= st.seen[k];
    bool known_stamp = !any_clause && leading_comments > 0 &&
                       ((st.marks & RC_MARK_QMAIL) || st.from_form);
    bool date_ok = has_semi && semi + 1 < len &&
                   ot_date_parse(value + semi + 1, len - semi - 1, &out->date);
    bool stamp = !any_clause && leading_comments > 0 && (known_stamp || date_ok);
    /* "via dmail for +folder; date": a delivery agent's note, nothing networked */
    bool agent_note = !has_from && !has_by && (with[0] != '\0' || via[0] != '\0');
    bool readable = has_by || stamp || agent_note || (has_from && with[0] != '\0');
    if (!readable) {
        memset(out, 0, sizeof *out);
        return false;
    }
    if (stamp && !st.from_form && !(st.flags & (OT_HOP_LOCAL | OT_HOP_INTERNAL)))
        st.flags |= OT_HOP_INTERNAL;   /* a filter's or list manager's stamp */
    if (agent_note)
        st.flags |= OT_HOP_LOCAL;

    if (has_from) {
        st.flags |= OT_HOP_HAS_FROM;
        rc_fill_from(&st, &fw, out);
    } else if (st.from_form) {
        st.flags |= OT_HOP_HAS_FROM;
        rc_fill_from_form(&st, out);
    } else if (has_by) {
        st.flags |= OT_HOP_LOCAL;    /* "by host ..." alone: written where it was made */
    }

    if (rc_clause_word(&st, RC_BY, &word))
        rc_copy(out->by, sizeof out->by, word);
    memcpy(out->with, with, sizeof out->with);
    memcpy(out->via, via, sizeof out->via);
    rc_copy(out->id, sizeof out->id, id);
    rc_clause_recipient(&st, out->for_, sizeof out->for_);
    if (st.has_ident)
        rc_copy(out->from_ident, sizeof out->from_ident, st.ident);

    out->has_date = date_ok;
    if (!date_ok)
        memset(&out->date, 0, sizeof out->date);
    out->flags = st.flags;
    out->parsed = true;
    return true;
}
