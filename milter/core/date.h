/*
 * date.h - dates as they appear in Date: fields and after the ';' of a
 * Received line.
 *
 * Owns: RFC 5322 date-time, the obsolete forms of RFC 5322 section 4.3
 * (two-digit and three-digit years, alphabetic and military zones, missing
 * seconds, comments) and the broken shapes real mail carries (missing
 * weekday or comma, extra weekday, zone as "-0400 (EDT)" or "EDT" or
 * "+0900 (KST)", ISO-like "2002-08-22 13:17:22", asctime(3) form,
 * "22 Aug 2002 13:17:22 GMT", a zone out of range like "-1600").
 * Pure arithmetic, no clock, no locale, no libc time zone database.
 */
#ifndef OT_DATE_H
#define OT_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ot_date {
    int64_t epoch;       /* seconds since 1970-01-01T00:00:00Z, UTC */
    int zone_minutes;    /* offset east of UTC as written (0 if none) */
    bool zone_known;     /* a zone was written and understood; false for
                          * none, military letters (RFC 5322 4.3: -0000)
                          * and unreadable zones, whose time is taken as UTC */
    bool obsolete;       /* not plain RFC 5322 3.3: obsolete or broken form,
                          * weekday wrong or without comma, offset past
                          * +/-14:00, trailing tokens after the zone */
} ot_date;

/* Choices for ambiguous input: two-digit years 00-49 are 20xx, 50-99 19xx;
 * three-digit years add 1900 (but "0102" is refused: a four-digit year
 * before 1970); a bare "IST" is India (+0530); "CST" is US Central;
 * "DD/MM/YYYY" is day first unless the first number cannot be a month.
 * Years outside 1970..9999 and any field out of range are refused. */

/* Parses len bytes; leading/trailing white space and comments allowed.
 * Returns false when no date-time can be found. Never reads past len. */
bool ot_date_parse(const char *text, size_t len, ot_date *out);

/* "2002-08-22T12:34:56Z" into out (at least 21 bytes). */
char *ot_date_format_iso(int64_t epoch, char *out, size_t outsize);

/* days from civil date, exposed for tests */
int64_t ot_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
