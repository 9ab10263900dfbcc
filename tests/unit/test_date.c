/*
 * test_date.c - date-times of Date: fields and Received lines.
 */
#include <stdint.h>
#include <string.h>

#include "date.h"
#include "tap.h"

typedef struct date_case {
    const char *text;
    const char *want_iso;   /* NULL: must be refused */
    int zone_minutes;
    int zone_known;
    int obsolete;
} date_case;

static const date_case cases[] = {
    /* RFC 5322 section 3.3 */
    { "Thu, 22 Aug 2002 13:17:22 +0100", "2002-08-22T12:17:22Z", 60, 1, 0 },
    { "Thu, 22 Aug 2002 13:17:22 -0400", "2002-08-22T17:17:22Z", -240, 1, 0 },
    { "Thu, 22 Aug 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "Sat, 24 Aug 2002 09:42:10 +0900", "2002-08-24T00:42:10Z", 540, 1, 0 },
    { "22 Aug 2002 13:36:20 -0000", "2002-08-22T13:36:20Z", 0, 1, 0 },
    { "Thu, 1 Aug 2002 01:02:03 +0530", "2002-07-31T19:32:03Z", 330, 1, 0 },
    { "Thu,  1 Aug 2002 01:02:03 +0000", "2002-08-01T01:02:03Z", 0, 1, 0 },
    { "Thu, 22 Aug 2002 13:17 +0000", "2002-08-22T13:17:00Z", 0, 1, 0 },
    { "thu, 22 aug 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "THU, 22 AUG 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "Thursday, 22 August 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "  Thu, 22 Aug 2002 13:17:22 +0100  ", "2002-08-22T12:17:22Z", 60, 1, 0 },
    { "Thu, 22 Aug 2002 13:17:22 +0100 (IST)", "2002-08-22T12:17:22Z", 60, 1, 0 },
    { "Thu, 22 Aug 2002 13:17:22 -0400 (EDT)", "2002-08-22T17:17:22Z", -240, 1, 0 },
    { "(comment) Thu, 22 (a (nested) one) Aug 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "Thu, 22 Aug 2002\r\n 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "Thu, 22 Aug 2002 13:17:22 +0000 (envelope-from <a@b.example>)", "2002-08-22T13:17:22Z", 0, 1, 0 },
    { "Thu, 22 Aug 2002 23:59:60 +0000", "2002-08-23T00:00:00Z", 0, 1, 0 },
    { "Thu, 29 Feb 1996 00:00:00 +0000", "1996-02-29T00:00:00Z", 0, 1, 0 },
    { "Sat, 29 Feb 1997 00:00:00 +0000", NULL, 0, 0, 0 },
    { "Thu, 29 Feb 2024 12:00:00 +0000", "2024-02-29T12:00:00Z", 0, 1, 0 },
    { "Tue, 29 Feb 2000 12:00:00 +0000", "2000-02-29T12:00:00Z", 0, 1, 0 },
    { "Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z", 0, 1, 0 },
    { "Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z", 0, 1, 0 },

    /* obsolete or broken, still read */
    { "Thu 22 Aug 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Mon, 22 Aug 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 02 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 49 13:17:22 +0000", "2049-08-22T13:17:22Z", 0, 1, 1 },
    { "Mon, 22 Aug 99 13:17:22 +0000", "1999-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 50 13:17:22 +0000", NULL, 0, 0, 0 },   /* 1950: before 1970 */
    { "Thu, 22 Aug 70 13:17:22 +0000", "1970-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 102 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Wed, 21 Aug 2002 20:31:57 -1600", "2002-08-22T12:31:57Z", -960, 1, 1 },
    { "Wed, 21 Aug 2002 20:31:57 +9959", "2002-08-17T16:32:57Z", 5999, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 GMT", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 UT", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 UTC", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 EST", "2002-08-22T18:17:22Z", -300, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 EDT", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 CST", "2002-08-22T19:17:22Z", -360, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 CDT", "2002-08-22T18:17:22Z", -300, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 MST", "2002-08-22T20:17:22Z", -420, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 MDT", "2002-08-22T19:17:22Z", -360, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 PST", "2002-08-22T21:17:22Z", -480, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 pdt", "2002-08-22T20:17:22Z", -420, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 CET", "2002-08-22T12:17:22Z", 60, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 CEST", "2002-08-22T11:17:22Z", 120, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 BST", "2002-08-22T12:17:22Z", 60, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 IST", "2002-08-22T07:47:22Z", 330, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 JST", "2002-08-22T04:17:22Z", 540, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 KST", "2002-08-22T04:17:22Z", 540, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 MET", "2002-08-22T12:17:22Z", 60, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 MEST", "2002-08-22T11:17:22Z", 120, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 EET", "2002-08-22T11:17:22Z", 120, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 HKT", "2002-08-22T05:17:22Z", 480, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 SGT", "2002-08-22T05:17:22Z", 480, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 AEST", "2002-08-22T03:17:22Z", 600, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 A", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu, 22 Aug 2002 13:17:22 y", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu, 22 Aug 2002 13:17:22 Z", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 XYZT", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu, 22 Aug 2002 13:17:22", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu, 22 Aug 2002 13:17:22 +-0500", "2002-08-22T18:17:22Z", -300, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 -04:00", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 GMT+1", "2002-08-22T12:17:22Z", 60, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 UTC-05:30", "2002-08-22T18:47:22Z", -330, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 01800", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu, 22 Aug 2002 13:17:22 -0461", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu, 22 Aug 2002 13:17:22 -0400 EST", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22 -0400 (EDT)]", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Fri, 30 Aug 02 21:48:08 Eastern Daylight Time", "2002-08-31T01:48:08Z", -240, 1, 1 },
    { "Sat, 21 Sep 02 05:01:06 Greenwich Standard Time", "2002-09-21T05:01:06Z", 0, 1, 1 },
    { "Thu, 22-Aug-2002 13:17:22 -0400", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Thu, 22 Aug 2002 13:17:22.123 +0000", "2002-08-22T13:17:22Z", 0, 1, 1 },
    /* asctime and date(1) */
    { "Thu Aug 22 13:17:22 2002", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "Thu Aug  2 03:17:22 2002", "2002-08-02T03:17:22Z", 0, 0, 1 },
    { "Thu Aug 22 13:17:22 2002 -0400", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Thu Aug 22 13:17:22 EDT 2002", "2002-08-22T17:17:22Z", -240, 1, 1 },
    { "Thu Aug 22 13:17:22 GMT+1 2002", "2002-08-22T12:17:22Z", 60, 1, 1 },
    /* month first, AM/PM (Exchange of the time) */
    { "Aug, 22 2002 8:02:13 AM +0400", "2002-08-22T04:02:13Z", 240, 1, 1 },
    { "Aug, 24 2002 12:01:28 PM -0000", "2002-08-24T12:01:28Z", 0, 1, 1 },
    { "Aug, 24 2002 12:01:28 AM -0000", "2002-08-24T00:01:28Z", 0, 1, 1 },
    { "Aug, 25 2002 10:41:40 PM -0000", "2002-08-25T22:41:40Z", 0, 1, 1 },
    { "Aug 22, 2002 13:17:22 +0000", "2002-08-22T13:17:22Z", 0, 1, 1 },
    /* ISO-like and slashed */
    { "2002-08-22 13:17:22", "2002-08-22T13:17:22Z", 0, 0, 1 },
    { "2002-08-22T13:17:22Z", "2002-08-22T13:17:22Z", 0, 1, 1 },
    { "2002-08-22T13:17:22+02:00", "2002-08-22T11:17:22Z", 120, 1, 1 },
    { "2002/09/14 Sat 02:29:32 CDT", "2002-09-14T07:29:32Z", -300, 1, 1 },
    { "22/08/2002 10:25:57", "2002-08-22T10:25:57Z", 0, 0, 1 },
    { "02/10/2002 08:56:31", "2002-10-02T08:56:31Z", 0, 0, 1 },
    { "08/22/2002 10:25:57", "2002-08-22T10:25:57Z", 0, 0, 1 },

    /* refused */
    { "", NULL, 0, 0, 0 },
    { "   ", NULL, 0, 0, 0 },
    { "(only a comment)", NULL, 0, 0, 0 },
    { "garbage", NULL, 0, 0, 0 },
    { "id XA00251", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 0102 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 1969 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 10000 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 0 Aug 2002 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 32 Aug 2002 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 31 Sep 2002 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 29 Feb 2002 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 29 Feb 1900 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 22 Foo 2002 12:07:35 +0800", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002 24:00:00 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002 12:60:00 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002 12:00:61 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002 123:00:00 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002 12:0:00 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 2002", NULL, 0, 0, 0 },
    { "Thu, 22 Aug", NULL, 0, 0, 0 },
    { "Thu,", NULL, 0, 0, 0 },
    { "Thu, 999 Aug 2002 12:00:00 +0000", NULL, 0, 0, 0 },
    { "Thu, 22 Aug 99999999999999999999 12:00:00 +0000", NULL, 0, 0, 0 },
    { "2002-13-22 13:17:22", NULL, 0, 0, 0 },
    { "2002-00-22 13:17:22", NULL, 0, 0, 0 },
    { "2002-08-22", NULL, 0, 0, 0 },
    { "13/13/2002 10:25:57", NULL, 0, 0, 0 },
    { "\xc7\xcf, 27 \xb8\xb6 2002 01:50:37 -0700", NULL, 0, 0, 0 },
};

/* test names must stay on one TAP line */
static const char *label(const char *text, size_t len, char *out, size_t outsize)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < outsize; i++) {
        unsigned char c = (unsigned char)text[i];
        out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[n] = '\0';
    return out;
}

static void run_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const date_case *c = &cases[i];
        size_t len = strlen(c->text);
        ot_date d;
        char iso[32], name[128];
        bool parsed = ot_date_parse(c->text, len, &d);
        label(c->text, len, name, sizeof name);
        if (c->want_iso == NULL) {
            ok(!parsed, "refused: '%s'", name);
            continue;
        }
        if (!ok(parsed, "parsed: '%s'", name))
            continue;
        is_str(ot_date_format_iso(d.epoch, iso, sizeof iso), c->want_iso, "  epoch of '%s'", name);
        is_int(d.zone_minutes, c->zone_minutes, "  zone of '%s'", name);
        is_int(d.zone_known, c->zone_known, "  zone_known of '%s'", name);
        is_int(d.obsolete, c->obsolete, "  obsolete of '%s'", name);
    }
}

static void test_bounds(void)
{
    ot_date d;
    const char *text = "Thu, 22 Aug 2002 13:17:22 +0100";

    /* the length is the only end: a NUL does not stop, len does */
    ok(!ot_date_parse(text, 0, &d), "len 0 refused");
    ok(ot_date_parse(text, 25, &d) && !d.zone_known, "cut before the zone: read without zone");
    ok(ot_date_parse(text, 22, &d) && d.epoch % 60 == 0, "cut after the minutes: H:MM read");
    ok(!ot_date_parse(text, 20, &d), "cut after the hour's colon refused");
    ok(!ot_date_parse(text, 17, &d), "cut before the time refused");
    ok(!ot_date_parse(NULL, 10, &d), "NULL text refused");
    ok(!ot_date_parse(text, strlen(text), NULL), "NULL out refused");

    char with_nul[] = "Thu, 22 Aug 2002 13:17:22 +0100\0garbage";
    ok(ot_date_parse(with_nul, sizeof with_nul - 1, &d), "NUL after the date: trailing junk");
    ok(d.obsolete, "NUL after the date marks obsolete");

    /* an unterminated or deeply nested comment swallows the rest */
    const char *open_comment = "Thu, 22 Aug 2002 13:17:22 +0100 (never closed";
    ok(ot_date_parse(open_comment, strlen(open_comment), &d) && !d.obsolete,
       "unterminated trailing comment is skipped");
    char deep[400];
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        deep[n++] = '(';
    memcpy(deep + n, "Thu, 22 Aug 2002 13:17:22 +0100", 31);
    n += 31;
    for (int i = 0; i < 100; i++)
        deep[n++] = ')';
    ok(!ot_date_parse(deep, n, &d), "date inside 100 nested comments is not read");

    /* a long run of tokens: only the first ones matter, nothing overflows */
    char many[8192];
    size_t m = 0;
    memcpy(many, text, 31);
    m = 31;
    while (m + 2 < sizeof many) {
        many[m++] = ' ';
        many[m++] = 'x';
    }
    ok(ot_date_parse(many, m, &d) && d.obsolete, "thousands of trailing tokens: read, obsolete");
    char numbers[8192];
    memset(numbers, '9', sizeof numbers);
    ok(!ot_date_parse(numbers, sizeof numbers, &d), "8 KB of digits refused");
    char stars[4096];
    memset(stars, '*', sizeof stars);
    ok(!ot_date_parse(stars, sizeof stars, &d), "4 KB of punctuation refused");
}

static void test_calendar(void)
{
    char iso[32];

    is_int(ot_days_from_civil(1970, 1, 1), 0, "day 0 is 1970-01-01");
    is_int(ot_days_from_civil(1969, 12, 31), -1, "day -1 is 1969-12-31");
    is_int(ot_days_from_civil(2000, 3, 1), 11017, "2000-03-01");
    is_int(ot_days_from_civil(2002, 8, 22), 11921, "2002-08-22");
    is_int(ot_days_from_civil(1600, 1, 1), -135140, "1600-01-01");
    is_int(ot_days_from_civil(2100, 3, 1) - ot_days_from_civil(2100, 2, 28), 1, "2100 is not leap");
    is_int(ot_days_from_civil(2000, 3, 1) - ot_days_from_civil(2000, 2, 28), 2, "2000 is leap");

    /* every day from 1970 to 2100 goes there and back */
    int bad = 0;
    for (int64_t day = 0; day < 47482; day++) {
        ot_date d;
        ot_date_format_iso(day * 86400 + 3723, iso, sizeof iso);
        if (!ot_date_parse(iso, strlen(iso), &d) || d.epoch != day * 86400 + 3723)
            bad++;
    }
    is_int(bad, 0, "format and parse agree on every day 1970..2100");

    is_str(ot_date_format_iso(0, iso, sizeof iso), "1970-01-01T00:00:00Z", "epoch 0");
    is_str(ot_date_format_iso(-1, iso, sizeof iso), "1969-12-31T23:59:59Z", "epoch -1");
    is_str(ot_date_format_iso(1030022242, iso, sizeof iso), "2002-08-22T13:17:22Z", "2002 instant");
    is_str(ot_date_format_iso(INT64_MAX, iso, sizeof iso), "9999-12-31T23:59:59Z", "huge clamps");
    is_str(ot_date_format_iso(INT64_MIN, iso, sizeof iso), "0000-01-01T00:00:00Z", "tiny clamps");
    is_str(ot_date_format_iso(0, iso, 21), "1970-01-01T00:00:00Z", "exactly 21 bytes suffice");
    memset(iso, 'Z', sizeof iso);
    ot_date_format_iso(0, iso, 20);
    is_int(iso[0], '\0', "20 bytes: empty string, nothing else written");
    is_int(iso[1], 'Z', "20 bytes: second byte untouched");
    ok(ot_date_format_iso(0, NULL, 21) == NULL, "NULL out");
}

int main(void)
{
    run_cases();
    test_bounds();
    test_calendar();
    return tap_done();
}
