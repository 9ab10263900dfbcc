/*
 * date.c - reading the date-time of a Date: field or of a Received line.
 *
 * Owns: a small tokenizer (numbers, words, single punctuation bytes;
 * white space and nested comments skipped) and a parser over its tokens
 * that accepts RFC 5322 date-time and the shapes real mail carries:
 *
 *   [Wkd[,]] D Mon YY[YY] H:MM[:SS] [zone]          (RFC 5322 and obsolete)
 *   [Wkd[,]] D-Mon-YYYY H:MM[:SS] [zone]
 *   [Wkd] Mon[,] D[,] YYYY H:MM[:SS] [AM|PM] [zone]  (Exchange-style)
 *   [Wkd] Mon D H:MM:SS [zone] YYYY [zone]           (asctime, date(1))
 *   YYYY-MM-DD[T| ]H:MM[:SS] [zone]                  (ISO 8601-like)
 *   YYYY/MM/DD [Wkd] H:MM[:SS] [zone]
 *   DD/MM/YYYY H:MM[:SS] [zone]                      (MM/DD when DD > 12)
 *
 * Zones: +hhmm, -hhmm, +hh:mm, +hh, "+-hhmm", GMT+h, UT/GMT/UTC/Z, the
 * North American zones of RFC 5322, military letters (offset 0 and
 * zone_known false, as RFC 5322 section 4.3 says), a table of other common
 * abbreviations and the long Windows names ("Eastern Daylight Time").
 * A bare "IST" is read as India (+0530); real mail from Ireland or Israel
 * writes a numeric zone before "(IST)", and the number wins. A zone that
 * cannot be read leaves zone_known false and the time taken as UTC.
 *
 * `obsolete` is set for anything RFC 5322 section 3.3 would not produce:
 * two- or three-digit years, alphabetic zones, a missing or unreadable
 * zone, a weekday without its comma or not matching the date, an offset
 * past +/-14:00, AM/PM, another field order, or tokens after the zone.
 *
 * Limits: reads at most len bytes, keeps at most DATE_MAX_TOKENS tokens,
 * comments nest at most DATE_MAX_COMMENT_DEPTH deep (deeper ones run to
 * the end of the text). Years must lie in 1970..9999. No libc time or
 * locale functions: calendar arithmetic only.
 */
#include "date.h"

#include <string.h>

#define DATE_MAX_TOKENS        32u
#define DATE_MAX_COMMENT_DEPTH 16u
#define DATE_MAX_NUM_DIGITS    9u   /* more digits: value saturates, never a field */
#define DATE_MAX_ZONE_WORDS    4u   /* "Central Europe Standard Time" */
#define DATE_ZONE_PHRASE_SIZE  64u
#define DATE_MIN_YEAR          1970
#define DATE_MAX_YEAR          9999
#define DATE_SANE_OFFSET_MIN   (14 * 60)

enum date_token_kind { TOK_NUM, TOK_WORD, TOK_PUNCT };

typedef struct date_token {
    enum date_token_kind kind;
    unsigned long value;   /* TOK_NUM: the number; TOK_PUNCT: the byte */
    size_t digits;         /* TOK_NUM: how many digits were written */
    const char *text;      /* TOK_WORD: letters, not NUL-terminated */
    size_t len;
} date_token;

typedef struct date_tokens {
    date_token tok[DATE_MAX_TOKENS];
    size_t count;
    size_t next;           /* the parser's cursor */
} date_tokens;

typedef struct date_parts {
    int64_t year;
    unsigned month, day, hour, minute, second;
    int weekday;           /* 0 = Sunday, -1 when none written */
    int zone_minutes;
    bool zone_seen;        /* something stood where the zone goes */
    bool zone_known;
    bool obsolete;
} date_parts;

/* ---- calendar -------------------------------------------------------------- */

int64_t ot_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* The years mail is dated in, the short way: from 1970 to 2099 every
     * fourth year is a leap year, and the general formula below (asked
     * for every date read) costs several divisions. Same results. */
    static const uint16_t days_before_month[12] = {
        0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
    };
    if (y >= 1970 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31)
        return (y - 1970) * 365 + ((y - 1) / 4 - 492) + days_before_month[m - 1] +
               (m > 2 && y % 4 == 0) + (int64_t)d - 1;

    /* Clamped so that no argument can overflow the arithmetic below. */
    if (y < -1000000000)
        y = -1000000000;
    if (y > 1000000000)
        y = 1000000000;
    if (m < 1)
        m = 1;
    if (m > 12)
        m = 12;
    if (d < 1)
        d = 1;
    if (d > 31)
        d = 31;

    /* Count from March so that the leap day ends the year. */
    int64_t year = y - (m <= 2 ? 1 : 0);
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t month_from_march = (int64_t)m + (m > 2 ? -3 : 9);
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + (int64_t)d - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t shifted = days + 719468;
    int64_t era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
    int64_t day_of_era = shifted - era * 146097;
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                           - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    unsigned month = (unsigned)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);

    *d = (unsigned)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *m = month;
    *y = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
}

static bool year_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned length[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && year_is_leap(y))
        return 29;
    return length[m - 1];
}

/* ---- tokenizer --------------------------------------------------------------- */

static bool byte_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool byte_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool byte_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Skips a comment starting at text[pos] == '('; returns the position after
 * it. Quoted pairs do not count as parentheses. An unterminated or too
 * deeply nested comment swallows the rest of the text. */
static size_t skip_comment(const char *text, size_t len, size_t pos)
{
    size_t depth = 0;

    while (pos < len) {
        unsigned char c = (unsigned char)text[pos];
        if (c == '\\') {
            pos += (pos + 1 < len) ? 2 : 1;
            continue;
        }
        pos++;
        if (c == '(') {
            depth++;
            if (depth > DATE_MAX_COMMENT_DEPTH)
                return len;
        } else if (c == ')') {
            depth--;
            if (depth == 0)
                return pos;
        }
    }
    return len;
}

static void tokenize(const char *text, size_t len, date_tokens *toks)
{
    size_t pos = 0;

    toks->count = 0;
    toks->next = 0;
    while (pos < len && toks->count < DATE_MAX_TOKENS) {
        unsigned char c = (unsigned char)text[pos];
        date_token *t = &toks->tok[toks->count];

        if (byte_is_space(c)) {
            pos++;
            continue;
        }
        if (c == '(') {
            pos = skip_comment(text, len, pos);
            continue;
        }
        memset(t, 0, sizeof *t);
        if (byte_is_digit(c)) {
            t->kind = TOK_NUM;
            while (pos < len && byte_is_digit((unsigned char)text[pos])) {
                if (t->digits < DATE_MAX_NUM_DIGITS)
                    t->value = t->value * 10 + (unsigned long)(text[pos] - '0');
                t->digits++;
                pos++;
            }
        } else if (byte_is_alpha(c)) {
            t->kind = TOK_WORD;
            t->text = text + pos;
            while (pos < len && byte_is_alpha((unsigned char)text[pos]))
                pos++;
            t->len = (size_t)(text + pos - t->text);
        } else {
            t->kind = TOK_PUNCT;
            t->value = c;
            pos++;
        }
        toks->count++;
    }
}

static const date_token *peek(const date_tokens *toks, size_t ahead)
{
    size_t at = toks->next + ahead;
    return at < toks->count ? &toks->tok[at] : NULL;
}

static bool peek_punct(const date_tokens *toks, size_t ahead, unsigned char c)
{
    const date_token *t = peek(toks, ahead);
    return t != NULL && t->kind == TOK_PUNCT && t->value == c;
}

static bool peek_num(const date_tokens *toks, size_t ahead, size_t min_digits, size_t max_digits)
{
    const date_token *t = peek(toks, ahead);
    return t != NULL && t->kind == TOK_NUM && t->digits >= min_digits && t->digits <= max_digits;
}

static bool accept_punct(date_tokens *toks, unsigned char c)
{
    if (!peek_punct(toks, 0, c))
        return false;
    toks->next++;
    return true;
}

static bool word_equals(const date_token *t, const char *lower_word)
{
    size_t n = strlen(lower_word);
    if (t == NULL || t->kind != TOK_WORD || t->len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)t->text[i]) != (unsigned char)lower_word[i])
            return false;
    return true;
}

/* ---- names ----------------------------------------------------------------------- */

static const char *const month_names[12] = {
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
};

static const char *const weekday_names[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
};

/* A word token lower-cased into buf (size DATE_WORD_MAX + 1); false when
 * it is no word or longer than any name it could be. */
#define DATE_WORD_MAX 9u   /* "september", "wednesday" */

static bool word_lower(const date_token *t, char *buf)
{
    if (t == NULL || t->kind != TOK_WORD || t->len > DATE_WORD_MAX)
        return false;
    for (size_t i = 0; i < t->len; i++)
        buf[i] = (char)ascii_lower((unsigned char)t->text[i]);
    buf[t->len] = '\0';
    return true;
}

/* The three-letter abbreviation or the full name, of a word already
 * lower-cased. Month and weekday words are looked up for nearly every
 * token of every date, so the word is lowered once, not once per name. */
static bool lowered_names(const char *word, size_t len, const char *full_name)
{
    if (len == 3)
        return memcmp(word, full_name, 3) == 0;
    return strcmp(word, full_name) == 0;
}

static unsigned word_month(const date_token *t)
{
    char word[DATE_WORD_MAX + 1];

    if (!word_lower(t, word))
        return 0;
    for (unsigned i = 0; i < 12; i++)
        if (lowered_names(word, t->len, month_names[i]))
            return i + 1;
    if (strcmp(word, "sept") == 0)
        return 9;
    return 0;
}

static int word_weekday(const date_token *t)
{
    char word[DATE_WORD_MAX + 1];

    if (!word_lower(t, word))
        return -1;
    for (int i = 0; i < 7; i++)
        if (lowered_names(word, t->len, weekday_names[i]))
            return i;
    if (strcmp(word, "tues") == 0)
        return 2;
    if (strcmp(word, "thur") == 0 || strcmp(word, "thurs") == 0)
        return 4;
    return -1;
}

typedef struct zone_name {
    const char *name;      /* lower case; words separated by one space */
    int minutes;
} zone_name;

static const zone_name zone_names[] = {
    /* RFC 5322 section 4.3 */
    { "ut", 0 }, { "gmt", 0 }, { "utc", 0 }, { "z", 0 },
    { "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
    { "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
    /* others seen in mail */
    { "wet", 0 }, { "west", 60 }, { "bst", 60 }, { "ist", 330 },
    { "cet", 60 }, { "cest", 120 }, { "met", 60 }, { "mest", 120 },
    { "mez", 60 }, { "mesz", 120 }, { "eet", 120 }, { "eest", 180 },
    { "msk", 180 }, { "msd", 240 }, { "sast", 120 }, { "eat", 180 },
    { "pkt", 300 }, { "ict", 420 }, { "wib", 420 },
    { "hkt", 480 }, { "sgt", 480 }, { "pht", 480 }, { "awst", 480 },
    { "jst", 540 }, { "kst", 540 }, { "acst", 570 }, { "acdt", 630 },
    { "aest", 600 }, { "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
    { "hst", -600 }, { "akst", -540 }, { "akdt", -480 },
    { "ast", -240 }, { "adt", -180 }, { "nst", -210 }, { "ndt", -150 },
    { "brt", -180 }, { "brst", -120 }, { "art", -180 },
    /* long Windows names */
    { "eastern standard time", -300 }, { "eastern daylight time", -240 },
    { "central standard time", -360 }, { "central daylight time", -300 },
    { "mountain standard time", -420 }, { "mountain daylight time", -360 },
    { "pacific standard time", -480 }, { "pacific daylight time", -420 },
    { "greenwich standard time", 0 }, { "gmt standard time", 0 },
    { "gmt daylight time", 60 }, { "coordinated universal time", 0 },
    { "central europe standard time", 60 }, { "central europe daylight time", 120 },
    { "romance standard time", 60 }, { "romance daylight time", 120 },
    { "tokyo standard time", 540 }, { "korea standard time", 540 },
    { "china standard time", 480 }, { "india standard time", 330 },
};

/* Looks up the phrase made of `words` word tokens from the cursor. */
static bool zone_phrase_lookup(const date_tokens *toks, size_t words, int *minutes)
{
    char phrase[DATE_ZONE_PHRASE_SIZE];
    size_t used = 0;

    for (size_t w = 0; w < words; w++) {
        const date_token *t = peek(toks, w);
        if (t == NULL || t->kind != TOK_WORD)
            return false;
        if (used + (w > 0 ? 1 : 0) + t->len + 1 > sizeof phrase)
            return false;
        if (w > 0)
            phrase[used++] = ' ';
        for (size_t i = 0; i < t->len; i++)
            phrase[used++] = (char)ascii_lower((unsigned char)t->text[i]);
    }
    phrase[used] = '\0';
    for (size_t i = 0; i < sizeof zone_names / sizeof zone_names[0]; i++) {
        if (zone_names[i].name[0] == phrase[0] && strcmp(zone_names[i].name, phrase) == 0) {
            *minutes = zone_names[i].minutes;
            return true;
        }
    }
    return false;
}

/* ---- fields ---------------------------------------------------------------------- */

static bool take_year(date_tokens *toks, date_parts *p)
{
    const date_token *t = peek(toks, 0);

    if (t == NULL || t->kind != TOK_NUM)
        return false;
    switch (t->digits) {
    case 2:
        p->year = (int64_t)t->value + (t->value < 50 ? 2000 : 1900);
        p->obsolete = true;
        break;
    case 3:
        p->year = (int64_t)t->value + 1900;
        p->obsolete = true;
        break;
    case 4:
        p->year = (int64_t)t->value;
        break;
    default:
        return false;
    }
    toks->next++;
    return true;
}

static bool take_small_number(date_tokens *toks, size_t max_digits, unsigned *out)
{
    if (!peek_num(toks, 0, 1, max_digits))
        return false;
    *out = (unsigned)peek(toks, 0)->value;
    toks->next++;
    return true;
}

/* H:MM[:SS][.fraction] [AM|PM] */
static bool take_time(date_tokens *toks, date_parts *p)
{
    if (!peek_num(toks, 0, 1, 2) || !peek_punct(toks, 1, ':') || !peek_num(toks, 2, 2, 2))
        return false;
    p->hour = (unsigned)peek(toks, 0)->value;
    p->minute = (unsigned)peek(toks, 2)->value;
    toks->next += 3;
    p->second = 0;
    if (peek_punct(toks, 0, ':') && peek_num(toks, 1, 2, 2)) {
        p->second = (unsigned)peek(toks, 1)->value;
        toks->next += 2;
        if (peek_punct(toks, 0, '.') && peek_num(toks, 1, 1, DATE_MAX_NUM_DIGITS)) {
            toks->next += 2;
            p->obsolete = true;
        }
    }
    bool am = word_equals(peek(toks, 0), "am");
    bool pm = word_equals(peek(toks, 0), "pm");
    if (am || pm) {
        toks->next++;
        p->obsolete = true;
        if (p->hour >= 1 && p->hour <= 12) {
            if (am && p->hour == 12)
                p->hour = 0;
            else if (pm && p->hour != 12)
                p->hour += 12;
        }
    }
    return true;
}

/* +hhmm, -hhmm, +hh, +hh:mm, +-hhmm after the sign at the cursor. */
static void take_numeric_zone(date_tokens *toks, date_parts *p)
{
    int sign = peek_punct(toks, 0, '-') ? -1 : 1;
    unsigned hours, minutes;

    toks->next++;
    if (peek_punct(toks, 0, '-') || peek_punct(toks, 0, '+')) {
        sign = peek_punct(toks, 0, '-') ? -1 : 1;
        toks->next++;
        p->obsolete = true;
    }
    const date_token *t = peek(toks, 0);
    if (t == NULL || t->kind != TOK_NUM) {
        p->obsolete = true;
        return;
    }
    toks->next++;
    if (t->digits == 4) {
        hours = (unsigned)(t->value / 100);
        minutes = (unsigned)(t->value % 100);
    } else if (t->digits == 1 || t->digits == 2) {
        hours = (unsigned)t->value;
        minutes = 0;
        p->obsolete = true;
        if (peek_punct(toks, 0, ':') && peek_num(toks, 1, 2, 2)) {
            minutes = (unsigned)peek(toks, 1)->value;
            toks->next += 2;
        }
    } else {
        p->obsolete = true;
        return;
    }
    if (minutes > 59) {
        p->obsolete = true;
        return;
    }
    p->zone_minutes = sign * (int)(hours * 60 + minutes);
    p->zone_known = true;
    if (hours * 60 + minutes > DATE_SANE_OFFSET_MIN)
        p->obsolete = true;
}

static bool word_is_military_zone(const date_token *t)
{
    if (t == NULL || t->kind != TOK_WORD || t->len != 1)
        return false;
    unsigned char c = ascii_lower((unsigned char)t->text[0]);
    return c != 'j' && c != 'z';
}

/* A zone at the cursor, if any. Returns false when nothing zone-like is
 * there (the cursor does not move). */
static bool take_zone(date_tokens *toks, date_parts *p)
{
    const date_token *t = peek(toks, 0);
    int minutes = 0;

    if (t == NULL)
        return false;
    if (t->kind == TOK_PUNCT && (t->value == '+' || t->value == '-')) {
        take_numeric_zone(toks, p);
        p->zone_seen = true;
        return true;
    }
    if (t->kind == TOK_NUM && t->digits >= 3) {
        /* "01800": a zone without its sign; the number cannot be trusted */
        toks->next++;
        p->obsolete = true;
        p->zone_seen = true;
        return true;
    }
    if (t->kind != TOK_WORD || word_month(t) != 0 || word_weekday(t) >= 0)
        return false;
    p->zone_seen = true;
    if (word_is_military_zone(t)) {
        toks->next++;
        p->obsolete = true;
        return true;
    }
    for (size_t words = DATE_MAX_ZONE_WORDS; words >= 1; words--) {
        if (zone_phrase_lookup(toks, words, &minutes)) {
            toks->next += words;
            p->zone_minutes = minutes;
            p->zone_known = true;
            /* "GMT+1", "UTC+02:00": the offset that follows is the zone */
            if (minutes == 0 && words == 1 &&
                (peek_punct(toks, 0, '+') || peek_punct(toks, 0, '-')) &&
                peek_num(toks, 1, 1, 4)) {
                take_numeric_zone(toks, p);
            }
            p->obsolete = true;
            return true;
        }
    }
    toks->next++;
    p->obsolete = true;
    return true;
}

/* ---- date orders ---------------------------------------------------------------- */

/* D Mon YYYY or D-Mon-YYYY */
static bool take_day_month_year(date_tokens *toks, date_parts *p)
{
    if (!take_small_number(toks, 2, &p->day))
        return false;
    bool dashed = accept_punct(toks, '-');
    p->month = word_month(peek(toks, 0));
    if (p->month == 0)
        return false;
    toks->next++;
    if (dashed) {
        if (!accept_punct(toks, '-'))
            return false;
        p->obsolete = true;
    }
    return take_year(toks, p) && take_time(toks, p);
}

/* Mon[,] D[,] YYYY time, or asctime's Mon D time [zone] YYYY */
static bool take_month_first(date_tokens *toks, date_parts *p)
{
    p->month = word_month(peek(toks, 0));
    if (p->month == 0)
        return false;
    toks->next++;
    p->obsolete = true;
    accept_punct(toks, ',');
    if (!take_small_number(toks, 2, &p->day))
        return false;
    accept_punct(toks, ',');
    if (peek_num(toks, 0, 2, 4) && !peek_punct(toks, 1, ':'))
        return take_year(toks, p) && take_time(toks, p);
    if (!take_time(toks, p))
        return false;
    if (take_year(toks, p))
        return true;
    /* date(1): the zone comes before the year */
    if (!take_zone(toks, p))
        return false;
    return take_year(toks, p);
}

/* YYYY-MM-DD or YYYY/MM/DD, then 'T', a weekday or nothing, then the time */
static bool take_year_first(date_tokens *toks, date_parts *p)
{
    if (!peek_num(toks, 0, 4, 4))
        return false;
    unsigned char sep = peek_punct(toks, 1, '-') ? '-' : '/';
    if (!peek_punct(toks, 1, sep) || !peek_num(toks, 2, 1, 2) ||
        !peek_punct(toks, 3, sep) || !peek_num(toks, 4, 1, 2))
        return false;
    p->year = (int64_t)peek(toks, 0)->value;
    p->month = (unsigned)peek(toks, 2)->value;
    p->day = (unsigned)peek(toks, 4)->value;
    toks->next += 5;
    p->obsolete = true;
    if (word_equals(peek(toks, 0), "t")) {
        toks->next++;
    } else if (word_weekday(peek(toks, 0)) >= 0) {
        p->weekday = word_weekday(peek(toks, 0));
        toks->next++;
    }
    return take_time(toks, p);
}

/* DD/MM/YYYY, read as MM/DD/YYYY only when the first number cannot be a month */
static bool take_slashed_day_first(date_tokens *toks, date_parts *p)
{
    unsigned first, second;

    if (!peek_num(toks, 0, 1, 2) || !peek_punct(toks, 1, '/') ||
        !peek_num(toks, 2, 1, 2) || !peek_punct(toks, 3, '/'))
        return false;
    first = (unsigned)peek(toks, 0)->value;
    second = (unsigned)peek(toks, 2)->value;
    toks->next += 4;
    if (!take_year(toks, p))
        return false;
    p->obsolete = true;
    if (second > 12 && first <= 12) {
        p->month = first;
        p->day = second;
    } else {
        p->day = first;
        p->month = second;
    }
    return take_time(toks, p);
}

static bool parts_in_range(const date_parts *p)
{
    return p->year >= DATE_MIN_YEAR && p->year <= DATE_MAX_YEAR &&
           p->month >= 1 && p->month <= 12 &&
           p->day >= 1 && p->day <= days_in_month(p->year, p->month) &&
           p->hour <= 23 && p->minute <= 59 && p->second <= 60;
}

static bool parse_tokens(date_tokens *toks, date_parts *p)
{
    bool date_done;

    p->weekday = word_weekday(peek(toks, 0));
    if (p->weekday >= 0) {
        toks->next++;
        if (!accept_punct(toks, ','))
            p->obsolete = true;
    }

    const date_token *first = peek(toks, 0);
    if (first == NULL)
        return false;
    if (first->kind == TOK_WORD)
        date_done = take_month_first(toks, p);
    else if (peek_num(toks, 0, 4, 4))
        date_done = take_year_first(toks, p);
    else if (peek_punct(toks, 1, '/'))
        date_done = take_slashed_day_first(toks, p);
    else
        date_done = take_day_month_year(toks, p);
    if (!date_done || !parts_in_range(p))
        return false;

    if (!p->zone_seen && !take_zone(toks, p))
        p->obsolete = true;   /* no zone written */
    if (!p->zone_known)
        p->obsolete = true;
    /* trailing words ("-0400 EST") or junk: still this date-time */
    if (toks->next < toks->count)
        p->obsolete = true;
    return true;
}

/* ---- the common shape, read directly -------------------------------------------- */

/* Nearly every date in mail is "[Wkd, ]D Mon YYYY HH:MM:SS +hhmm" with at
 * most comments after it. read_common() reads exactly that shape straight
 * from the text and fills the parts as parse_tokens() would; anything else
 * (another order, a word zone, a fraction, AM/PM, two-digit years, a
 * comment inside, trailing words, an out-of-range field) returns false and
 * the general tokenizer and parser take the text. Between tokens the
 * tokenizer's rules hold: white space is optional, a token is the whole
 * run of its digits or letters. */
/* The helpers of the common shape are a few instructions each and called
 * a dozen times per date: keep them inline even where the compiler would
 * not, having inlined the readers into ot_date_parse() already. */
#if defined(__GNUC__)
#define DATE_INLINE inline __attribute__((always_inline))
#else
#define DATE_INLINE inline
#endif

static DATE_INLINE size_t skip_space_at(const char *text, size_t len, size_t pos)
{
    while (pos < len && byte_is_space((unsigned char)text[pos]))
        pos++;
    return pos;
}

/* After white space, a run of min..max digits (the whole run) at *pos. */
static inline bool number_at(const char *text, size_t len, size_t *pos, size_t min_digits,
                             size_t max_digits, unsigned *value)
{
    size_t at = skip_space_at(text, len, *pos), start = at;
    unsigned v = 0;

    while (at < len && byte_is_digit((unsigned char)text[at])) {
        if (at - start < max_digits)
            v = v * 10 + (unsigned)(text[at] - '0');
        at++;
    }
    *pos = at;
    if (at - start < min_digits || at - start > max_digits)
        return false;
    *value = v;
    return true;
}

/* After white space, a run of exactly three letters, lower-cased. */
static inline bool word3_at(const char *text, size_t len, size_t *pos, char word[4])
{
    size_t at = skip_space_at(text, len, *pos), start = at;

    while (at < len && byte_is_alpha((unsigned char)text[at]))
        at++;
    *pos = at;
    if (at - start != 3)
        return false;
    for (size_t i = 0; i < 3; i++)
        word[i] = (char)ascii_lower((unsigned char)text[start + i]);
    word[3] = '\0';
    return true;
}

/* After white space, the byte c. */
static inline bool punct_at(const char *text, size_t len, size_t *pos, char c)
{
    size_t at = skip_space_at(text, len, *pos);

    *pos = at;
    if (at < len && text[at] == c) {
        *pos = at + 1;
        return true;
    }
    return false;
}

/* The first three letters of month_names and weekday_names, each as one
 * number, so that the common shape's two lookups compare numbers. */
#define KEY3(a, b, c) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16)

/* The names' slots in small tables: the key times a constant, top bits.
 * The constants were picked so that no two names of a table share a slot
 * (a clash is a doubly set initializer, which -Wextra reports);
 * a lookup is then one multiply and one compare of the key found there,
 * instead of a search through the names. */
#define MONTH_SLOT(key) ((uint32_t)((key) * 26596u) >> 28)
#define WEEKDAY_SLOT(key) ((uint32_t)((key) * 2522u) >> 29)

typedef struct name_slot {
    uint32_t key;
    int index_plus_1;      /* 0: an empty slot, whatever key is looked up */
} name_slot;

#define MONTH(a, b, c, i) [MONTH_SLOT(KEY3(a, b, c))] = { KEY3(a, b, c), (i) + 1 }
static const name_slot month_slots[16] = {
    MONTH('j', 'a', 'n', 0), MONTH('f', 'e', 'b', 1), MONTH('m', 'a', 'r', 2), MONTH('a', 'p', 'r', 3),
    MONTH('m', 'a', 'y', 4), MONTH('j', 'u', 'n', 5), MONTH('j', 'u', 'l', 6), MONTH('a', 'u', 'g', 7),
    MONTH('s', 'e', 'p', 8), MONTH('o', 'c', 't', 9), MONTH('n', 'o', 'v', 10), MONTH('d', 'e', 'c', 11),
};

#define WEEKDAY(a, b, c, i) [WEEKDAY_SLOT(KEY3(a, b, c))] = { KEY3(a, b, c), (i) + 1 }
static const name_slot weekday_slots[8] = {
    WEEKDAY('s', 'u', 'n', 0), WEEKDAY('m', 'o', 'n', 1), WEEKDAY('t', 'u', 'e', 2),
    WEEKDAY('w', 'e', 'd', 3), WEEKDAY('t', 'h', 'u', 4), WEEKDAY('f', 'r', 'i', 5),
    WEEKDAY('s', 'a', 't', 6),
};

/* Three lower-cased letters at text[at..at+2], followed by a non-letter
 * (or the end), as a month (months) or weekday index; -1 if none. */
static DATE_INLINE int name3_at(const char *text, size_t len, size_t at, bool months)
{
    if (at + 3 > len || (at + 3 < len && byte_is_alpha((unsigned char)text[at + 3])))
        return -1;
    uint32_t key = KEY3(ascii_lower((unsigned char)text[at]), ascii_lower((unsigned char)text[at + 1]),
                        ascii_lower((unsigned char)text[at + 2]));
    const name_slot *slot = months ? &month_slots[MONTH_SLOT(key)] : &weekday_slots[WEEKDAY_SLOT(key)];
    return slot->key == key ? slot->index_plus_1 - 1 : -1;
}

/* Two digits at text[at] (the caller checked the bound). */
static DATE_INLINE bool two_digits(const char *text, size_t at, unsigned *value)
{
    unsigned d0 = (unsigned)(unsigned char)text[at] - '0';
    unsigned d1 = (unsigned)(unsigned char)text[at + 1] - '0';

    if ((d0 > 9) | (d1 > 9))
        return false;
    *value = d0 * 10 + d1;
    return true;
}

/* n digits at text[at] as a number (n <= 4, the caller checked the bound) */
static DATE_INLINE bool fixed_digits(const char *text, size_t at, size_t n, unsigned *value)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)text[at + i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *value = v;
    return true;
}

/* At least one white-space byte at *at, skipped. */
static DATE_INLINE bool spaces_at(const char *text, size_t len, size_t *at)
{
    size_t a = *at;

    /* nearly always one space before something else */
    if (a + 1 < len && text[a] == ' ' && !byte_is_space((unsigned char)text[a + 1])) {
        *at = a + 1;
        return true;
    }
    size_t next = skip_space_at(text, len, a);

    if (next == *at)
        return false;
    *at = next;
    return true;
}

/* Only white space and comments from at to the end? */
static bool only_comments_after(const char *text, size_t len, size_t at)
{
    for (;;) {
        at = skip_space_at(text, len, at);
        if (at >= len)
            return true;
        if (text[at] != '(')
            return false;
        at = skip_comment(text, len, at);
    }
}

/* The fast paths' common end: the parts (month already set), checked,
 * and the numeric zone +hhmm given as sign and hhmm. */
static bool finish_parts(date_parts *p, unsigned year, unsigned day, unsigned hour,
                         unsigned minute, unsigned second, int sign, unsigned zone)
{
    unsigned offset = zone / 100 * 60 + zone % 100;

    p->year = year;
    p->day = day;
    p->hour = hour;
    p->minute = minute;
    p->second = second;
    if (!parts_in_range(p))
        return false;
    p->zone_minutes = sign * (int)offset;
    p->zone_seen = true;
    p->zone_known = true;
    if (offset > DATE_SANE_OFFSET_MIN)
        p->obsolete = true;
    return true;
}

/* The common shape laid out as RFC 5322 writers write it, white space
 * between the parts: "[Wkd, ]D Mon YYYY HH:MM:SS +hhmm". A byte check per
 * position; anything else goes to read_common(). */
static bool read_exact(const char *text, size_t len, date_parts *p)
{
    size_t at = skip_space_at(text, len, 0);
    unsigned day, year, hour, minute, second, zone;
    int month, sign;

    p->weekday = -1;
    if (at < len && byte_is_alpha((unsigned char)text[at])) {
        p->weekday = name3_at(text, len, at, false);
        if (p->weekday < 0 || at + 4 > len || text[at + 3] != ',')
            return false;
        at += 4;
        if (!spaces_at(text, len, &at))
            return false;
    }
    size_t day_digits = at + 1 < len && byte_is_digit((unsigned char)text[at + 1]) ? 2 : 1;
    if (at + day_digits > len || !fixed_digits(text, at, day_digits, &day))
        return false;
    at += day_digits;
    if (!spaces_at(text, len, &at))
        return false;
    month = name3_at(text, len, at, true);
    at += 3;
    unsigned century, yy;
    if (month < 0 || !spaces_at(text, len, &at) || at + 4 > len ||
        !two_digits(text, at, &century) || !two_digits(text, at + 2, &yy))
        return false;
    year = century * 100 + yy;
    at += 4;
    if (!spaces_at(text, len, &at) || at + 8 > len || !two_digits(text, at, &hour) ||
        text[at + 2] != ':' || !two_digits(text, at + 3, &minute) ||
        text[at + 5] != ':' || !two_digits(text, at + 6, &second))
        return false;
    at += 8;
    unsigned zone_hours, zone_mins;
    if (!spaces_at(text, len, &at) || at + 5 > len || (text[at] != '+' && text[at] != '-') ||
        !two_digits(text, at + 1, &zone_hours) || !two_digits(text, at + 3, &zone_mins) ||
        zone_mins > 59)
        return false;
    zone = zone_hours * 100 + zone_mins;
    sign = text[at] == '-' ? -1 : 1;
    at += 5;
    /* nothing but white space and comments may follow (no fifth digit) */
    if (!only_comments_after(text, len, at))
        return false;
    p->month = (unsigned)month + 1;
    return finish_parts(p, year, day, hour, minute, second, sign, zone);
}

static bool read_common(const char *text, size_t len, date_parts *p)
{
    size_t pos = skip_space_at(text, len, 0);
    char word[4];
    unsigned day, year, hour, minute, second, zone;
    int sign;

    p->weekday = -1;
    if (pos < len && byte_is_alpha((unsigned char)text[pos])) {
        if (!word3_at(text, len, &pos, word))
            return false;
        for (int i = 0; i < 7; i++)
            if (memcmp(word, weekday_names[i], 3) == 0)
                p->weekday = i;
        if (p->weekday < 0)
            return false;
        if (!punct_at(text, len, &pos, ','))
            p->obsolete = true;
    }
    if (!number_at(text, len, &pos, 1, 2, &day) || !word3_at(text, len, &pos, word))
        return false;
    p->month = 0;
    for (unsigned i = 0; i < 12; i++)
        if (memcmp(word, month_names[i], 3) == 0)
            p->month = i + 1;
    if (p->month == 0 || !number_at(text, len, &pos, 4, 4, &year) ||
        !number_at(text, len, &pos, 1, 2, &hour) || !punct_at(text, len, &pos, ':') ||
        !number_at(text, len, &pos, 2, 2, &minute) || !punct_at(text, len, &pos, ':') ||
        !number_at(text, len, &pos, 2, 2, &second))
        return false;
    pos = skip_space_at(text, len, pos);
    if (pos >= len || (text[pos] != '+' && text[pos] != '-'))
        return false;
    sign = text[pos] == '-' ? -1 : 1;
    pos++;
    /* exactly four digits right after the sign (no second sign) */
    if (pos < len && byte_is_space((unsigned char)text[pos]))
        return false;
    if (!number_at(text, len, &pos, 4, 4, &zone) || zone % 100 > 59)
        return false;
    /* nothing but white space and comments may follow */
    if (!only_comments_after(text, len, pos))
        return false;
    return finish_parts(p, year, day, hour, minute, second, sign, zone);
}

bool ot_date_parse(const char *text, size_t len, ot_date *out)
{
    date_tokens toks;
    date_parts parts;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (text == NULL || out == NULL)
        return false;
    memset(&parts, 0, sizeof parts);
    if (!read_exact(text, len, &parts) && (memset(&parts, 0, sizeof parts), !read_common(text, len, &parts))) {
        memset(&parts, 0, sizeof parts);
        tokenize(text, len, &toks);
        if (!parse_tokens(&toks, &parts))
            return false;
    }

    int64_t days = ot_days_from_civil(parts.year, parts.month, parts.day);
    if (parts.weekday >= 0) {
        int64_t actual = (days % 7 + 7 + 4) % 7;   /* 1970-01-01 was a Thursday */
        if (actual != parts.weekday)
            parts.obsolete = true;
    }
    out->epoch = days * 86400 + (int64_t)parts.hour * 3600 + (int64_t)parts.minute * 60
                 + (int64_t)parts.second - (int64_t)parts.zone_minutes * 60;
    out->zone_minutes = parts.zone_minutes;
    out->zone_known = parts.zone_known;
    out->obsolete = parts.obsolete;
    return true;
}

/* ---- output ---------------------------------------------------------------------- */

static char *put_digits(char *at, int64_t value, unsigned width)
{
    for (unsigned i = width; i > 0; i--) {
        at[i - 1] = (char)('0' + value % 10);
        value /= 10;
    }
    return at + width;
}

char *ot_date_format_iso(int64_t epoch, char *out, size_t outsize)
{
    static const int64_t first_second = -62167219200;  /* 0000-01-01T00:00:00Z */
    static const int64_t last_second = 253402300799;   /* 9999-12-31T23:59:59Z */
    int64_t year;
    unsigned month, day;

    if (out == NULL)
        return out;
    if (outsize < 21) {
        if (outsize > 0)
            out[0] = '\0';
        return out;
    }
    if (epoch < first_second)
        epoch = first_second;
    if (epoch > last_second)
        epoch = last_second;

    int64_t days = epoch / 86400;
    int64_t secs = epoch % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil_from_days(days, &year, &month, &day);

    char *at = put_digits(out, year, 4);
    *at++ = '-';
    at = put_digits(at, month, 2);
    *at++ = '-';
    at = put_digits(at, day, 2);
    *at++ = 'T';
    at = put_digits(at, secs / 3600, 2);
    *at++ = ':';
    at = put_digits(at, secs / 60 % 60, 2);
    *at++ = ':';
    at = put_digits(at, secs % 60, 2);
    *at++ = 'Z';
    *at = '\0';
    return out;
}
