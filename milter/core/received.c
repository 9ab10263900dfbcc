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

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define RC_SSE2 1
#endif

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

/* What a note in a comment tells about the writer, besides hop flags. */
enum {
    RC_MARK_NOT_PEER = 1u << 0,  /* the comment carries no peer name or address */
    RC_MARK_EXIM     = 1u << 1,  /* Exim wrote it: the from name is the reverse name */
    RC_MARK_QMAIL    = 1u << 2,  /* qmail wrote it: likewise */
};

typedef struct rc_note {
    const char *text;            /* lower case, matched case-insensitively; starts
                                  * with a letter or '/', never a space */
    unsigned flags;              /* OT_HOP_* */
    unsigned marks;              /* RC_MARK_* */
} rc_note;

/* Notes that open the comment. */
static const rc_note rc_start_notes[] = {
    { "qmail ",               0, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "qmail-",               0, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "qp ",                  0, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "authenticated",        OT_HOP_AUTH, RC_MARK_NOT_PEER },
    { "auth:",                OT_HOP_AUTH, RC_MARK_NOT_PEER },
    { "squirrelmail",         OT_HOP_HTTP, RC_MARK_NOT_PEER },
    { "using ",               0, RC_MARK_NOT_PEER },
    { "envelope-",            0, RC_MARK_NOT_PEER },
    { "version=",             0, RC_MARK_NOT_PEER },
    { "exim ",                0, RC_MARK_NOT_PEER | RC_MARK_EXIM },
    { "amavis",               OT_HOP_INTERNAL, RC_MARK_NOT_PEER },
    { "single-drop",          OT_HOP_FETCH, RC_MARK_NOT_PEER },
    { "multi-drop",           OT_HOP_FETCH, RC_MARK_NOT_PEER },
};

/* Notes found anywhere in the comment. */
static const rc_note rc_anywhere_notes[] = {
    { "may be forged",        OT_HOP_MAY_BE_FORGED, 0 },
    { "from userid",          OT_HOP_LOCAL, RC_MARK_NOT_PEER },
    { "invoked by uid",       OT_HOP_LOCAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "invoked by alias",     OT_HOP_LOCAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "invoked for bounce",   OT_HOP_LOCAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "invoked from network", OT_HOP_INTERNAL, RC_MARK_NOT_PEER | RC_MARK_QMAIL },
    { "authenticated user",   OT_HOP_AUTH, RC_MARK_NOT_PEER },
    { "google transport security", OT_HOP_TLS, RC_MARK_NOT_PEER },
    { "fetchmail",            OT_HOP_FETCH, RC_MARK_NOT_PEER },
    { "/submit",              OT_HOP_LOCAL, RC_MARK_NOT_PEER },
};

#define RC_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define RC_NOTE_TLS 0x80u   /* in rc_notes_index.first: a TLS mention may start here */
_Static_assert(RC_COUNT(rc_anywhere_notes) < RC_NOTE_TLS, "note indexes must fit below RC_NOTE_TLS");
_Static_assert(RC_COUNT(rc_start_notes) < 256, "note indexes must fit in a byte");

/* Names a writer puts where the reverse name goes when there is none. */
static const char *const rc_no_name[] = { "unknown", "unverified" };

typedef struct rc_state {
    size_t ntok;
    bool seen[RC_NCLAUSES];
    size_t first[RC_NCLAUSES];   /* index of the clause's first token after its keyword */
    bool broken;                 /* structure we refuse to guess about */
    bool leading_words;          /* words before the first clause */
    bool loose_candidates;       /* some word may be one rc_loose_words() reads */
    bool ctrl;                   /* the tokens may hold control bytes (rc_line.ctrl) */
    unsigned flags;
    unsigned marks;

    /* what the from clause (or sendmail's "(from ...)") says about the peer */
    bool from_form;              /* sendmail's leading "(from ...)" comment */
    size_t from_comments;        /* comments in the from clause */
    bool peer_read;              /* an address comment was read: later ones are not the peer */
    bool has_helo_stated;
    bool has_rdns;               /* a name was in the rdns place (maybe "unknown") */
    bool has_addr;
    bool has_ident;

    /* from here on: each value is read only when its has_ flag above is
     * set (or, for the tokens, below ntok), so a new line clears the
     * state up to here and leaves these alone */
    rc_span helo_stated;         /* "(HELO x)", "helo=x": the HELO, named as such */
    rc_span rdns;
    ot_addr addr;
    rc_span ident;
    rc_token toks[RC_MAX_TOKENS];
    unsigned char clause_of[RC_MAX_TOKENS];
} rc_state;

/* The note tables by key byte, made once per process on first use: for
 * each byte, index + 1 of the first anywhere note whose key byte it is
 * (either case) or 0, RC_NOTE_TLS where a TLS mention may be, the next note
 * with the same key and where each note's key stands; and the same kind
 * of chain of the opening notes by their first byte. Made per line they
 * cost a tenth of the parse. Threads may build them at once: each writes only the final
 * value of every entry (atomically, relaxed) before publishing with
 * release, so a reader that sees them ready (acquire) sees them whole.
 * No lock, no I/O. */
static struct {
    _Atomic unsigned char first[256];
    _Atomic unsigned char next[RC_COUNT(rc_anywhere_notes)];
    _Atomic unsigned char key_at[RC_COUNT(rc_anywhere_notes)];
    _Atomic unsigned char start_first[256];
    _Atomic unsigned char start_next[RC_COUNT(rc_start_notes)];
    atomic_bool ready;
} rc_notes_index;

/* Letters (and '/') from rarest to commonest in comment text. A note is
 * looked for where its rarest byte before its first space stands, so few
 * bytes of a comment set off a closer look. Only speed depends on this
 * order: any byte of a note's fixed-width start finds it. */
static const char rc_rarest_first[] = "qjzxkvyw/fgbphmucdlrtsnioea";

static size_t rc_note_key(const char *text)
{
    size_t key = 0, best = sizeof rc_rarest_first;
    for (size_t j = 0; text[j] != '\0' && text[j] != ' '; j++) {
        const char *r = strchr(rc_rarest_first, text[j]);
        size_t rank = r != NULL ? (size_t)(r - rc_rarest_first) : sizeof rc_rarest_first;
        if (rank < best) {
            best = rank;
            key = j;
        }
    }
    return key;
}

static void rc_notes_index_build(void)
{
    unsigned char first[256], next[RC_COUNT(rc_anywhere_notes)], key_at[RC_COUNT(rc_anywhere_notes)];
    unsigned char start_first[256], start_next[RC_COUNT(rc_start_notes)];

    memset(first, 0, sizeof first);
    for (size_t i = RC_COUNT(rc_anywhere_notes); i > 0; i--) {
        const char *text = rc_anywhere_notes[i - 1].text;
        key_at[i - 1] = (unsigned char)rc_note_key(text);
        unsigned char c = (unsigned char)text[key_at[i - 1]];
        next[i - 1] = first[c];
        first[c] = (unsigned char)i;
        if (c >= 'a' && c <= 'z')
            first[c - 'a' + 'A'] = (unsigned char)i;
    }
    /* "TLS" and "SSLv" (case as written) both hold an 'L' */
    first['L'] |= RC_NOTE_TLS;
    /* the opening notes are written in lower case: by their first byte */
    memset(start_first, 0, sizeof start_first);
    for (size_t i = RC_COUNT(rc_start_notes); i > 0; i--) {
        unsigned char c = (unsigned char)rc_start_notes[i - 1].text[0];
        start_next[i - 1] = start_first[c];
        start_first[c] = (unsigned char)i;
    }

    for (size_t c = 0; c < 256; c++)
        atomic_store_explicit(&rc_notes_index.first[c], first[c], memory_order_relaxed);
    for (size_t i = 0; i < RC_COUNT(rc_anywhere_notes); i++) {
        atomic_store_explicit(&rc_notes_index.next[i], next[i], memory_order_relaxed);
        atomic_store_explicit(&rc_notes_index.key_at[i], key_at[i], memory_order_relaxed);
    }
    for (size_t c = 0; c < 256; c++)
        atomic_store_explicit(&rc_notes_index.start_first[c], start_first[c], memory_order_relaxed);
    for (size_t i = 0; i < RC_COUNT(rc_start_notes); i++)
        atomic_store_explicit(&rc_notes_index.start_next[i], start_next[i], memory_order_relaxed);
    atomic_store_explicit(&rc_notes_index.ready, true, memory_order_release);
}

/* ---- bytes and spans ------------------------------------------------------ */

/* What each byte is to the tokenizer, looked up once per byte instead of
 * a chain of comparisons: the scanning loops below run over every byte of
 * every Received line. */
enum {
    RC_C_SPACE   = 1u << 0,  /* white space; NUL counts as space */
    RC_C_SEMI    = 1u << 1,
    RC_C_OPEN    = 1u << 2,
    RC_C_CLOSE   = 1u << 3,
    RC_C_INNER   = 1u << 4,  /* '"' and ',': separators inside a comment only */
    RC_C_BSLASH  = 1u << 5,
    RC_C_ALNUM   = 1u << 6,  /* ASCII letter or digit */
    RC_C_HOSTP   = 1u << 7,  /* '.', '-', '_': the rest of a host-name-shaped word */
    RC_C_CTRL    = 1u << 8,  /* a control byte that is not white space (nor NUL) */
};

#define RC_RUN10(c0, v) [(c0)] = (v), [(c0) + 1] = (v), [(c0) + 2] = (v), [(c0) + 3] = (v), \
    [(c0) + 4] = (v), [(c0) + 5] = (v), [(c0) + 6] = (v), [(c0) + 7] = (v), [(c0) + 8] = (v), \
    [(c0) + 9] = (v)
#define RC_RUN26(c0, v) RC_RUN10(c0, v), RC_RUN10((c0) + 10, v), [(c0) + 20] = (v), \
    [(c0) + 21] = (v), [(c0) + 22] = (v), [(c0) + 23] = (v), [(c0) + 24] = (v), [(c0) + 25] = (v)

#define RC_RUN8(c0, v) [(c0)] = (v), [(c0) + 1] = (v), [(c0) + 2] = (v), [(c0) + 3] = (v), \
    [(c0) + 4] = (v), [(c0) + 5] = (v), [(c0) + 6] = (v), [(c0) + 7] = (v)

static const uint16_t rc_class[256] = {
    RC_RUN8(0x01, RC_C_CTRL), RC_RUN10(0x0e, RC_C_CTRL), RC_RUN8(0x18, RC_C_CTRL), [0x7f] = RC_C_CTRL,
    [' '] = RC_C_SPACE, ['\t'] = RC_C_SPACE, ['\r'] = RC_C_SPACE, ['\n'] = RC_C_SPACE,
    ['\0'] = RC_C_SPACE, ['\v'] = RC_C_SPACE, ['\f'] = RC_C_SPACE,
    [';'] = RC_C_SEMI, ['('] = RC_C_OPEN, [')'] = RC_C_CLOSE,
    ['"'] = RC_C_INNER, [','] = RC_C_INNER, ['\\'] = RC_C_BSLASH,
    RC_RUN10('0', RC_C_ALNUM), RC_RUN26('A', RC_C_ALNUM), RC_RUN26('a', RC_C_ALNUM),
    ['.'] = RC_C_HOSTP, ['-'] = RC_C_HOSTP, ['_'] = RC_C_HOSTP,
};

static unsigned rc_class_of(char c)
{
    return rc_class[(unsigned char)c];
}

static bool rc_is_space(char c)
{
    return (rc_class_of(c) & RC_C_SPACE) != 0;
}

static char rc_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool rc_is_alnum(char c)
{
    return (rc_class_of(c) & RC_C_ALNUM) != 0;
}

static rc_span rc_make(const char *p, size_t len)
{
    rc_span s = { p, len };
    return s;
}

static inline bool rc_eq_ci(rc_span s, const char *lower)
{
    size_t n = strlen(lower);   /* a constant where lower is a literal */
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (rc_lower(s.p[i]) != lower[i])
            return false;
    return true;
}

/* Does s begin with the phrase? A space in the phrase matches any run of
 * white space, since folding leaves "may be    forged". */
static inline bool rc_starts_ci(rc_span s, const char *lower)
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

static inline bool rc_contains_ci(rc_span s, const char *lower)
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

static inline rc_span rc_trim(rc_span s)
{
    while (s.len > 0 && rc_is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && rc_is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* Without its trailing ',', ';' and NUL bytes (a stray NUL at the end of
 * an id or a recipient has always been cut with the separators). */
static rc_span rc_strip_separators(rc_span s)
{
    while (s.len > 0 && (s.p[s.len - 1] == ',' || s.p[s.len - 1] == ';' || s.p[s.len - 1] == '\0'))
        s.len--;
    return s;
}

/* Host-name shaped: letters, digits, '.', '-', '_' and at least one alnum. */
static bool rc_is_hostish(rc_span s)
{
    unsigned seen = 0;
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned k = rc_class_of(s.p[i]);
        if (!(k & (RC_C_ALNUM | RC_C_HOSTP)))
            return false;
        seen |= k;
    }
    return (seen & RC_C_ALNUM) != 0;
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

/* Does any of the 8 bytes in x lie below 0x20 or equal 0x7f? (The
 * "has less than" word trick: exact as to whether one does.) */
static bool rc_word_has_control(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t del = x ^ (ones * 0x7fu);
    return (((x - ones * 0x20u) & ~x & highs) | ((del - ones) & ~del & highs)) != 0;
}

/* Bounded copy; bytes that could end or fold a line become '?'. The
 * bytes are copied whole and then looked at eight at a time: control
 * bytes are rare and every hop copies several strings. */
static void rc_copy(char *dst, size_t size, rc_span s)
{
    if (size == 0)
        return;
    size_t n = s.len < size - 1 ? s.len : size - 1, i = 0;
    if (n >= 8 && n <= 16) {
        /* ids and short names: two words, overlapping if need be */
        uint64_t head, tail;
        memcpy(&head, s.p, 8);
        memcpy(&tail, s.p + n - 8, 8);
        if (!rc_word_has_control(head) && !rc_word_has_control(tail)) {
            memcpy(dst, &head, 8);
            memcpy(dst + n - 8, &tail, 8);
            dst[n] = '\0';
            return;
        }
    }
    memmove(dst, s.p, n);
    dst[n] = '\0';
    if (n >= 8) {
        /* whole words, the last one overlapping the one before if need be */
        for (;; i += 8) {
            if (i + 8 > n)
                i = n - 8;
            uint64_t x;
            memcpy(&x, dst + i, 8);
            if (rc_word_has_control(x))
                for (size_t k = i; k < i + 8; k++)
                    if ((unsigned char)dst[k] < 0x20 || (unsigned char)dst[k] == 0x7f)
                        dst[k] = '?';
            if (i + 8 == n)
                break;
        }
        return;
    }
    for (; i < n; i++)
        if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] == 0x7f)
            dst[i] = '?';
}

/* rc_copy() of a span within one token (no white space in it, then): a
 * line the lexer found free of control bytes has nothing to replace, and
 * nearly every line is. */
static void rc_copy_word(const rc_state *st, char *dst, size_t size, rc_span s)
{
    if (st->ctrl || size == 0) {
        rc_copy(dst, size, s);
        return;
    }
    size_t n = s.len < size - 1 ? s.len : size - 1;
    if (n >= 8 && n <= 16) {
        /* two words, overlapping if need be, both read before written */
        uint64_t head, tail;
        memcpy(&head, s.p, 8);
        memcpy(&tail, s.p + n - 8, 8);
        memcpy(dst, &head, 8);
        memcpy(dst + n - 8, &tail, 8);
    } else {
        memmove(dst, s.p, n);
    }
    dst[n] = '\0';
}

/* Appends " word" to a bounded string of used bytes (a multi-word
 * with/via); returns the new length. */
static size_t rc_append(const rc_state *st, char *dst, size_t size, size_t used, rc_span s)
{
    if (used > 0 && used + 1 < size) {
        dst[used++] = ' ';
        dst[used] = '\0';
    }
    if (used + 1 < size) {
        size_t n = s.len < size - used - 1 ? s.len : size - used - 1;
        rc_copy_word(st, dst + used, size - used, s);
        used += n;
    }
    return used;
}

/* ---- finding the next interesting byte ----------------------------------- */

/* Words and comment text make up most of a line. The byte loops below
 * test four bytes per turn of the loop against the class table: words
 * are short (six bytes on average), and this beat testing eight bytes at
 * once with word arithmetic, whose set-up cost more than the few bytes it
 * saved. */

#ifdef RC_SSE2
/* Sixteen bytes at once, where the target has SSE2 (every x86-64): a bit
 * per byte that may be of interest, a superset of what the caller wants,
 * so each candidate is still judged by the class table. Only whole
 * sixteen-byte blocks inside the span are loaded; the rest of the span
 * is left to the byte loops. Comment text is long enough for this to pay
 * (words are not: most are a few bytes, and testing them so was slower). */

/* bytes below 0x20, 0x7f, '(', ')', ';', '\\': what a comment scan stops at */
static inline unsigned rc_comment_candidates(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    __m128i paren = _mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xfe)), _mm_set1_epi8('('));
    __m128i m = _mm_or_si128(low, paren);
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* The first byte at or after i whose class is in mask, or len. Most
 * bytes are none: four are looked up per round. */
static inline size_t rc_find_class(const char *p, size_t len, size_t i, unsigned mask)
{
    while (i + 4 <= len) {
        if (rc_class_of(p[i]) & mask)
            return i;
        if (rc_class_of(p[i + 1]) & mask)
            return i + 1;
        if (rc_class_of(p[i + 2]) & mask)
            return i + 2;
        if (rc_class_of(p[i + 3]) & mask)
            return i + 3;
        i += 4;
    }
    while (i < len && !(rc_class_of(p[i]) & mask))
        i++;
    return i;
}

/* The end of the word starting at i: the first byte that is white space,
 * ';', '(' or ')' (and inside a comment '"' or ','), or len; also the
 * first byte of a class in also (a byte the caller wants to see). */
static inline size_t rc_word_end(const char *p, size_t len, size_t i, bool in_comment,
                                 unsigned also)
{
    return rc_find_class(p, len, i, RC_C_SPACE | RC_C_SEMI | RC_C_OPEN | RC_C_CLOSE |
                                    (in_comment ? RC_C_INNER : 0u) | also);
}

/* The next byte at or after i that a comment scan must decide on
 * ('\\', '(', ')', ';', a control byte), or len. */
static size_t rc_comment_next(const char *p, size_t len, size_t i)
{
    const unsigned want = RC_C_BSLASH | RC_C_OPEN | RC_C_CLOSE | RC_C_SEMI | RC_C_CTRL;
#ifdef RC_SSE2
    while (i + 16 <= len) {
        for (unsigned bits = rc_comment_candidates(p + i); bits != 0; bits &= bits - 1) {
            size_t k = i + (size_t)__builtin_ctz(bits);
            if (rc_class_of(p[k]) & want)
                return k;
        }
        i += 16;
    }
#endif
    return rc_find_class(p, len, i, want);
}

/* ---- the tokenizer -------------------------------------------------------- */

/* Splits text into words and comments. Inside a comment '"' and ',' also
 * separate words ("HELO x" in quotes, "Postfix, from userid"). A comment
 * deeper than RC_MAX_DEPTH, a missing or a stray ')' or more than max
 * tokens sets *broken; scanning still stops at len. */
static size_t rc_lex(const char *p, size_t len, bool in_comment, rc_token *out, size_t max,
                     bool *broken)
{
    const unsigned sep = RC_C_SPACE | RC_C_SEMI | (in_comment ? RC_C_INNER : 0u);
    size_t i = 0, n = 0;

    while (i < len) {
        unsigned cls = rc_class_of(p[i]);
        if (cls & sep) {
            i++;
            continue;
        }
        if (cls & RC_C_CLOSE) {
            *broken = true;
            i++;
            continue;
        }
        if (n == max) {
            *broken = true;
            return n;
        }
        if (cls & RC_C_OPEN) {
            size_t start = ++i, depth = 1;
            while (i < len) {
                unsigned k = rc_class_of(p[i]);
                if (k & RC_C_BSLASH) {
                    i += i + 1 < len ? 2 : 1;   /* quoted-pair: "\)" does not close */
                    continue;
                }
                if (k & RC_C_OPEN) {
                    if (++depth > RC_MAX_DEPTH)
                        *broken = true;
                } else if (k & RC_C_CLOSE) {
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
        i = rc_word_end(p, len, i, in_comment, 0u);
        out[n].kind = RC_WORD;
        out[n].text = rc_make(p + start, i - start);
        n++;
    }
    return n;
}

/* The top level of a whole line in one pass. The date follows the last
 * ';' outside comments, and the clauses are the tokens before it; this
 * lexes the whole line once and remembers where the last top-level ';'
 * and the last ';' of any depth are, and where the first sign of a broken
 * structure is, so that the caller can cut at the date afterwards.
 * Tokens are stored up to max; scanning goes on to the end for the ';'. */
typedef struct rc_line {
    size_t ntok;             /* tokens stored (at most max) */
    bool found;              /* a ';' outside comments */
    size_t semi;             /* the last one */
    bool any;                /* a ';' at any depth */
    size_t first_broken;     /* where the first stray ')', over-deep or
                              * unclosed comment or token past max starts;
                              * SIZE_MAX if none */
    bool ctrl;               /* a control byte (RC_C_CTRL) in what was
                              * scanned, which holds every stored token */
} rc_line;

static rc_line rc_lex_line(const char *p, size_t len, rc_token *out, size_t max)
{
    rc_line r = { 0, false, 0, false, SIZE_MAX, false };
    const char *last = memrchr(p, ';', len);
    size_t i = 0;

    while (i < len) {
        unsigned cls = rc_class_of(p[i]);
        if (cls & RC_C_SPACE) {
            i++;
            continue;
        }
        if (cls & RC_C_SEMI) {
            r.found = r.any = true;
            r.semi = i++;
            /* the last ';' of all, outside comments: the date follows and
             * nothing after it can change the answer */
            if (p + r.semi == last)
                return r;
            continue;
        }
        if (cls & RC_C_CLOSE) {
            if (r.first_broken == SIZE_MAX)
                r.first_broken = i;
            i++;
            continue;
        }
        size_t start = i;
        bool store = r.ntok < max;
        if (!store && r.first_broken == SIZE_MAX)
            r.first_broken = start;
        if (cls & RC_C_OPEN) {
            size_t depth = 1;
            bool deep = false;
            i++;
            while ((i = rc_comment_next(p, len, i)) < len) {
                unsigned k = rc_class_of(p[i]);
                if (k & RC_C_BSLASH) {
                    /* quoted-pair: "\)" does not close */
                    if (i + 1 < len && (rc_class_of(p[i + 1]) & RC_C_CTRL))
                        r.ctrl = true;
                    i += i + 1 < len ? 2 : 1;
                    continue;
                }
                if (k & RC_C_CTRL) {
                    r.ctrl = true;
                } else if (k & RC_C_SEMI) {
                    r.any = true;
                } else if (k & RC_C_OPEN) {
                    if (++depth > RC_MAX_DEPTH)
                        deep = true;
                } else if (--depth == 0) {
                    break;
                }
                i++;
            }
            if ((deep || depth != 0) && r.first_broken == SIZE_MAX)
                r.first_broken = start;
            if (store) {
                out[r.ntok].kind = RC_COMMENT;
                out[r.ntok].text = depth == 0 ? rc_make(p + start + 1, i - start - 1)
                                              : rc_make(p + start + 1, len - start - 1);
                r.ntok++;
            }
            if (depth == 0)
                i++;
            continue;
        }
        /* a control byte inside a word is part of it: noted, and the word
         * goes on */
        i = rc_word_end(p, len, i, false, RC_C_CTRL);
        while (i < len && (rc_class_of(p[i]) & RC_C_CTRL)) {
            r.ctrl = true;
            i = rc_word_end(p, len, i + 1, false, RC_C_CTRL);
        }
        if (store) {
            out[r.ntok].kind = RC_WORD;
            out[r.ntok].text = rc_make(p + start, i - start);
            r.ntok++;
        }
    }
    return r;
}

/* ---- notes in comments ---------------------------------------------------- */

/* "TLS" or "SSLv" as a word of its own at i (case as written). */
static bool rc_mentions_tls_at(rc_span s, size_t i)
{
    bool boundary = i == 0 || !(rc_is_alnum(s.p[i - 1]) || s.p[i - 1] == '.' ||
                                s.p[i - 1] == '-');
    if (!boundary || i + 3 > s.len)
        return false;
    /* ZMailer notes the absence: "TLS-CIPHER: <none>" */
    if (memcmp(s.p + i, "TLS", 3) == 0 &&
        !rc_starts_ci(rc_make(s.p + i + 3, s.len - i - 3), "-cipher: <none>") &&
        !rc_starts_ci(rc_make(s.p + i + 3, s.len - i - 3), "-peer: <none>"))
        return true;
    return i + 4 <= s.len && memcmp(s.p + i, "SSLv", 4) == 0;
}

static inline unsigned rc_key_of(char c)
{
    return atomic_load_explicit(&rc_notes_index.first[(unsigned char)c], memory_order_relaxed);
}

/* The first byte at or after i that is some note's key, or len. Most
 * bytes are none: four are looked up per round. (Comparing sixteen at a
 * time with the key bytes, as rc_comment_next does, was slower.) */
static inline size_t rc_next_key(const char *p, size_t len, size_t i)
{
    while (i + 4 <= len) {
        if (rc_key_of(p[i]))
            return i;
        if (rc_key_of(p[i + 1]))
            return i + 1;
        if (rc_key_of(p[i + 2]))
            return i + 2;
        if (rc_key_of(p[i + 3]))
            return i + 3;
        i += 4;
    }
    while (i < len && !rc_key_of(p[i]))
        i++;
    return i;
}

/* Applies the note tables to one comment; returns the marks it carries.
 * One pass over the comment: a note found anywhere holds its key byte (in
 * either case) at a fixed place from its start, and a TLS mention an 'L',
 * so only those bytes are looked at further. Searching the whole comment
 * once per note cost more than the rest of the parse. */
static unsigned rc_apply_notes(rc_state *st, rc_span comment)
{
    rc_span text = rc_trim(comment);
    unsigned marks = 0, flags = 0;
    bool tls = false;

    if (text.len == 0)
        return 0;
    if (!atomic_load_explicit(&rc_notes_index.ready, memory_order_acquire))
        rc_notes_index_build();
    unsigned char head = (unsigned char)rc_lower(text.p[0]);
    for (unsigned k = atomic_load_explicit(&rc_notes_index.start_first[head], memory_order_relaxed);
         k != 0; k = atomic_load_explicit(&rc_notes_index.start_next[k - 1], memory_order_relaxed)) {
        const rc_note *note = &rc_start_notes[k - 1];
        if (rc_starts_ci(text, note->text)) {
            flags |= note->flags;
            marks |= note->marks;
        }
    }

    for (size_t at = 0; (at = rc_next_key(text.p, text.len, at)) < text.len; at++) {
        unsigned v = rc_key_of(text.p[at]);
        /* the 'L' of "TLS" or of "SSLv" */
        if ((v & RC_NOTE_TLS) && !tls)
            tls = (at >= 1 && rc_mentions_tls_at(text, at - 1)) ||
                  (at >= 2 && rc_mentions_tls_at(text, at - 2));
        for (unsigned k = v & ~(unsigned)RC_NOTE_TLS; k != 0;
             k = atomic_load_explicit(&rc_notes_index.next[k - 1], memory_order_relaxed)) {
            const rc_note *note = &rc_anywhere_notes[k - 1];
            size_t key = atomic_load_explicit(&rc_notes_index.key_at[k - 1], memory_order_relaxed);
            if (at < key)
                continue;
            rc_span rest = rc_make(text.p + at - key, text.len - (at - key));
            char second = note->text[1];
            /* the second byte turns most candidates away before the call */
            if (second != ' ' && second != '\0' &&
                (rest.len < 2 || rc_lower(rest.p[1]) != second))
                continue;
            if (rc_starts_ci(rest, note->text)) {
                flags |= note->flags;
                marks |= note->marks;
            }
        }
    }
    if (tls)
        flags |= OT_HOP_TLS;
    st->flags |= flags;
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
    if (w.len > 0 && rc_lower(w.p[0]) == 'i' && rc_starts_ci(w, "ident:")) {
        w.p += 6;
        w.len -= 6;
    }
    const char *open = w.len > 0 ? memchr(w.p, '[', w.len) : NULL;
    size_t bracket = open != NULL ? (size_t)(open - w.p) : w.len, at = w.len;
    const char *sign = bracket > 0 ? memrchr(w.p, '@', bracket) : NULL;
    if (sign != NULL)
        at = (size_t)(sign - w.p);
    size_t name_start = 0;
    if (at < bracket) {
        r.ident = rc_make(w.p, at);
        r.has_ident = true;
        name_start = at + 1;
    }
    r.name = rc_make(w.p + name_start, bracket - name_start);
    if (bracket < w.len) {
        const char *shut = memchr(w.p + bracket, ']', w.len - bracket);
        if (shut == NULL)
            return r;            /* "[" without "]": not an address form */
        size_t close = (size_t)(shut - w.p);
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
/* "authenticated" stands just before word k */
static bool rc_after_authenticated(const rc_token *sub, size_t k)
{
    return k > 0 && sub[k - 1].kind == RC_WORD && rc_eq_ci(sub[k - 1].text, "authenticated");
}

static void rc_read_stated(rc_state *st, const rc_token *sub, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (sub[k].kind != RC_WORD || sub[k].text.len == 0)
            continue;
        rc_span w = sub[k].text;
        bool next_word = k + 1 < n && sub[k + 1].kind == RC_WORD;

        /* every word of every from comment comes here: its first letter
         * picks the few names it could be */
        switch (rc_lower(w.p[0])) {
        case 'h':
        case 'e':
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
            }
            break;
        case 'i':
            if (rc_starts_ci(w, "ident="))
                rc_set_ident(st, rc_make(w.p + 6, w.len - 6));
            break;
        case 'a':
            if (rc_eq_ci(w, "account") && next_word) {
                st->flags |= OT_HOP_AUTH;
                rc_set_ident(st, sub[k + 1].text);
                k++;
            } else if (rc_eq_ci(w, "auth:") && next_word) {
                /* "AUTH: MECHANISM user" */
                size_t user = k + 2 < n && sub[k + 2].kind == RC_WORD ? k + 2 : k + 1;
                rc_set_ident(st, sub[user].text);
                k = user;
            } else if (rc_eq_ci(w, "as") && rc_after_authenticated(sub, k) && next_word) {
                rc_set_ident(st, sub[k + 1].text);
                k++;
            }
            break;
        case 's':
        case 'u':
            if ((rc_eq_ci(w, "sender:") || rc_eq_ci(w, "user")) && rc_after_authenticated(sub, k) &&
                next_word) {
                rc_set_ident(st, sub[k + 1].text);
                k++;
            }
            break;
        default:
            break;
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
        /* rc_read_peer writes only the peer fields: keep those to put
         * back (copying the whole state copied its token array too) */
        bool peer_read = st->peer_read, has_addr = st->has_addr, has_rdns = st->has_rdns,
             has_ident = st->has_ident;
        ot_addr addr = st->addr;
        rc_span rdns = st->rdns, ident = st->ident;

        st->peer_read = false;
        st->has_addr = false;
        st->has_rdns = false;
        st->has_ident = false;
        rc_read_peer(st, sub, n);
        if (!st->has_addr) {
            st->peer_read = peer_read;
            st->has_addr = has_addr;
            st->has_rdns = has_rdns;
            st->has_ident = has_ident;
            st->addr = addr;
            st->rdns = rdns;
            st->ident = ident;
        }
    }
}

/* ---- clauses -------------------------------------------------------------- */

/* Up to four bytes of a word as one number, each with its case bit set:
 * for a lower-case letter the result matches exactly when the byte is
 * that letter in either case, so one compare tests a whole keyword. */
#define RC_KEY4(a, b, c, d) ((uint32_t)(unsigned char)(a) | (uint32_t)(unsigned char)(b) << 8 | \
                             (uint32_t)(unsigned char)(c) << 16 | (uint32_t)(unsigned char)(d) << 24)

static enum rc_clause rc_keyword(rc_span w)
{
    /* every word of every line is asked: its length settles most, and a
     * compare per keyword the rest */
    const char *p = w.p;
    switch (w.len) {
    case 2: {
        uint32_t k = RC_KEY4(p[0], p[1], 0, 0) | 0x2020u;
        return k == RC_KEY4('b', 'y', 0, 0) ? RC_BY : k == RC_KEY4('i', 'd', 0, 0) ? RC_ID : RC_NONE;
    }
    case 3: {
        uint32_t k = RC_KEY4(p[0], p[1], p[2], 0) | 0x202020u;
        return k == RC_KEY4('v', 'i', 'a', 0) ? RC_VIA : k == RC_KEY4('f', 'o', 'r', 0) ? RC_FOR : RC_NONE;
    }
    case 4: {
        uint32_t k = RC_KEY4(p[0], p[1], p[2], p[3]) | 0x20202020u;
        return k == RC_KEY4('f', 'r', 'o', 'm') ? RC_FROM
             : k == RC_KEY4('w', 'i', 't', 'h') ? RC_WITH : RC_NONE;
    }
    default:
        return RC_NONE;
    }
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
        if (t->kind == RC_WORD) {
            if (current == RC_NONE)
                st->leading_words = true;
            /* rc_loose_words() only reads words starting so */
            char first = t->text.len > 0 ? rc_lower(t->text.p[0]) : '\0';
            if (first == 'a' || first == 'u' || first == 't')
                st->loose_candidates = true;
        }
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
    size_t used = 0;

    dst[0] = '\0';
    if (!st->seen[c])
        return;
    for (size_t i = st->first[c], words = 0; i < st->ntok && words < RC_MAX_JOIN; i++, words++) {
        const rc_token *t = &st->toks[i];
        if (st->clause_of[i] != c || t->kind != RC_WORD || memchr(t->text.p, '=', t->text.len))
            break;
        used = rc_append(st, dst, size, used, t->text);
    }
}

/* for: one address, or "<a phrase>" up to its '>'. */
static void rc_clause_recipient(const rc_state *st, char *dst, size_t size)
{
    rc_span w;
    dst[0] = '\0';
    if (!rc_clause_word(st, RC_FOR, &w))
        return;
    w = rc_strip_separators(w);
    bool joined = false;     /* then the span holds the white space between words */
    if (w.len > 0 && w.p[0] == '<' && memchr(w.p, '>', w.len) == NULL) {
        joined = true;
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
        w = rc_strip_separators(w);
    }
    if (w.len > 0 && w.p[0] == '<') {
        w.p++;
        w.len--;
    }
    if (w.len > 0 && w.p[w.len - 1] == '>')
        w.len--;
    if (joined)
        rc_copy(dst, size, w);
    else
        rc_copy_word(st, dst, size, w);
}

static inline bool rc_ends_ci(rc_span s, const char *lower)
{
    size_t n = strlen(lower);
    return s.len >= n && rc_eq_ci(rc_make(s.p + s.len - n, n), lower);
}

/* Flags the protocol word says: ESMTPSA, LMTP, local, HTTP, POP3, ... The
 * first and last letters rule most questions out before any comparison:
 * every line asks them of its protocol word. */
static void rc_protocol_flags(rc_state *st, rc_span proto, bool via)
{
    if (proto.len == 0)
        return;
    char first = rc_lower(proto.p[0]), last = rc_lower(proto.p[proto.len - 1]);
    if ((first == 'h' && rc_starts_ci(proto, "http")) ||
        (!via && first == 'm' && rc_eq_ci(proto, "mapi")))
        st->flags |= OT_HOP_HTTP;
    if (first == 'h' && rc_eq_ci(proto, "https"))
        st->flags |= OT_HOP_TLS;
    if (via)
        return;
    if ((first == 'l' && rc_starts_ci(proto, "lmtp")) || rc_contains_ci(proto, "scanner"))
        st->flags |= OT_HOP_INTERNAL;   /* delivery to a store, or a content filter */
    if (first == 'l' && (rc_eq_ci(proto, "local") || rc_starts_ci(proto, "local-")))
        st->flags |= OT_HOP_LOCAL;
    if ((first == 'p' && rc_starts_ci(proto, "pop")) || (first == 'i' && rc_starts_ci(proto, "imap")))
        st->flags |= OT_HOP_FETCH;
    if (rc_contains_ci(proto, "smtps") || rc_contains_ci(proto, "lmtps") ||
        rc_contains_ci(proto, "/tls"))   /* IronPort: "ESMTP/TLS/cipher" */
        st->flags |= OT_HOP_TLS;
    if ((last == 'a' && (rc_ends_ci(proto, "smtpa") || rc_ends_ci(proto, "smtpsa") ||
                         rc_ends_ci(proto, "lmtpa") || rc_ends_ci(proto, "lmtpsa"))) ||
        (first == 'a' && rc_eq_ci(proto, "asmtp")))
        st->flags |= OT_HOP_AUTH;
    if (first == 'q' && rc_eq_ci(proto, "qmqp"))
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
        const rc_token *t = &st->toks[i];
        if (t->kind != RC_WORD || t->text.len == 0)
            continue;
        char first = rc_lower(t->text.p[0]);   /* most words are none of these */
        if (first != 'a' && first != 'u' && first != 't')
            continue;
        unsigned c = st->clause_of[i];
        if (c == RC_FROM || c == RC_NONE || (c != RC_DUP && i == st->first[c]))
            continue;
        if (first == 'a' && rc_eq_ci(t->text, "auth=yes"))
            st->flags |= OT_HOP_AUTH;
        else if (first == 'u' && rc_starts_ci(t->text, "user=") && t->text.len > 5)
            rc_set_ident(st, rc_make(t->text.p + 5, t->text.len - 5));
        else if (first == 't' && rc_eq_ci(t->text, "tls") && c == RC_WITH)
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
    rc_copy_word(st, out->from_helo, sizeof out->from_helo, helo);

    /* the reverse name: stated in the comment, or the from word of a writer
     * that puts the verified name there */
    if (st->has_rdns) {
        if (!rc_is_no_name(st->rdns))
            rc_copy_word(st, out->from_rdns, sizeof out->from_rdns, st->rdns);
    } else if (names_peer_first && !word_is_addr && !pickup && !local_user && !sender_address &&
               rc_is_hostish(w0) && !rc_is_no_name(w0)) {
        rc_copy_word(st, out->from_rdns, sizeof out->from_rdns, w0);
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
        rc_copy_word(st, out->from_rdns, sizeof out->from_rdns, st->rdns);
    if (st->has_addr) {
        out->from_addr = st->addr;
        ot_addr_format(&out->from_addr, out->from_ip, sizeof out->from_ip);
    } else {
        st->flags |= OT_HOP_LOCAL;   /* "(from root@localhost)" */
    }
}

/* Empties a hop: what "every field empty" means to every reader (strings
 * are read up to their NUL). Clearing the whole struct, well over a
 * kilobyte of string buffers, cost more per line than parsing it. */
static void rc_hop_clear(ot_hop *out)
{
    out->parsed = false;
    out->flags = 0;
    out->from_helo[0] = '\0';
    out->from_rdns[0] = '\0';
    out->from_ip[0] = '\0';
    memset(&out->from_addr, 0, sizeof out->from_addr);
    out->from_ident[0] = '\0';
    out->by[0] = '\0';
    out->via[0] = '\0';
    out->with[0] = '\0';
    out->id[0] = '\0';
    out->for_[0] = '\0';
    out->has_date = false;
    memset(&out->date, 0, sizeof out->date);
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
        rc_hop_clear(out);
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
    rc_hop_clear(out);
    if (value == NULL || len == 0 || len > OT_MAX_RECEIVED_SCAN)
        return false;

    /* a whole line in brackets: "[from a (b [ip]) by c ...; date]" */
    if (len > 2 && value[0] == '[' && value[len - 1] == ']' &&
        (rc_starts_ci(rc_make(value + 1, len - 2), "from ") ||
         rc_starts_ci(rc_make(value + 1, len - 2), "by "))) {
        value++;
        len -= 2;
    }

    memset(&st, 0, offsetof(rc_state, helo_stated));
    fw.count = 0;
    rc_line line = rc_lex_line(value, len, st.toks, RC_MAX_TOKENS);
    /* no ';' outside comments but one inside: the line is cut inside a
     * comment, which then does not close */
    if (!line.found && line.any)
        return false;
    has_semi = line.found;
    if (has_semi) {
        semi = line.semi;
        /* the clauses are what stands before the date */
        while (line.ntok > 0 && st.toks[line.ntok - 1].text.p >= value + semi)
            line.ntok--;
    }
    st.ntok = line.ntok;
    st.ctrl = line.ctrl;
    if (line.first_broken < semi)
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

    /* written in place: a line found unreadable below is emptied again */
    char *with = out->with, *via = out->via;
    rc_clause_phrase(&st, RC_WITH, with, sizeof out->with);
    rc_clause_phrase(&st, RC_VIA, via, sizeof out->via);
    if (rc_clause_word(&st, RC_WITH, &word))
        rc_protocol_flags(&st, word, false);
    if (rc_clause_word(&st, RC_VIA, &word))
        rc_protocol_flags(&st, word, true);
    rc_span id = rc_make("", 0);
    if (rc_clause_word(&st, RC_ID, &word))
        id = rc_strip_separators(word);
    if (rc_clause_word(&st, RC_WITH, &word) && rc_is_lower_word(word) && rc_is_exim_id(id))
        st.marks |= RC_MARK_EXIM;
    if (st.loose_candidates)
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
        rc_hop_clear(out);
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
        rc_copy_word(&st, out->by, sizeof out->by, word);
    rc_copy_word(&st, out->id, sizeof out->id, id);
    rc_clause_recipient(&st, out->for_, sizeof out->for_);
    if (st.has_ident)
        rc_copy_word(&st, out->from_ident, sizeof out->from_ident, st.ident);

    out->has_date = date_ok;
    if (!date_ok)
        memset(&out->date, 0, sizeof out->date);
    out->flags = st.flags;
    out->parsed = true;
    return true;
}
