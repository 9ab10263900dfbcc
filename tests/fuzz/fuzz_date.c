/*
 * fuzz_date.c - libFuzzer harness for ot_date_parse().
 *
 * The input is the text of a Date: field or what follows the ';' of a
 * Received line. Besides memory and undefined-behaviour errors, the
 * harness checks what date.h promises: a refused date leaves out zeroed;
 * an accepted one lies in 1970..9999 moved by its zone; a zone that was
 * not understood is taken as UTC and marks the date obsolete; and the
 * ISO text ot_date_format_iso() prints for the time reads back as the
 * same instant.
 */
#include <string.h>

#include "date.h"
#include "fuzz_check.h"

static void check_refused(const ot_date *d)
{
    FUZZ_CHECK(d->epoch == 0 && d->zone_minutes == 0 && !d->zone_known && !d->obsolete,
               "a refused date left out set");
}

static void check_accepted(const ot_date *d)
{
    FUZZ_CHECK(d->epoch >= -FUZZ_ZONE_MAX_SECONDS &&
               d->epoch <= FUZZ_LAST_SECOND + 1 + FUZZ_ZONE_MAX_SECONDS,
               "epoch outside 1970..9999 and a zone");
    FUZZ_CHECK(d->zone_minutes >= -FUZZ_ZONE_MAX_MINUTES && d->zone_minutes <= FUZZ_ZONE_MAX_MINUTES,
               "zone offset larger than 99:59");
    if (!d->zone_known) {
        FUZZ_CHECK(d->zone_minutes == 0, "an unknown zone is not UTC");
        FUZZ_CHECK(d->obsolete, "an unknown zone is not marked obsolete");
    }
}

/* The printed instant reads back as itself (inside the years the parser
 * accepts: a zone can move a 1970 date into 1969). */
static void check_iso_round_trip(const ot_date *d)
{
    char iso[32];
    ot_date again;

    ot_date_format_iso(d->epoch, iso, sizeof iso);
    FUZZ_CHECK(strlen(iso) == 20, "ISO text is not YYYY-MM-DDTHH:MM:SSZ");
    if (d->epoch < 0 || d->epoch > FUZZ_LAST_SECOND)
        return;
    FUZZ_CHECK(ot_date_parse(iso, strlen(iso), &again), "printed ISO date is refused");
    FUZZ_CHECK(again.epoch == d->epoch, "printed ISO date reads back as another instant");
    FUZZ_CHECK(again.zone_known && again.zone_minutes == 0, "printed ISO date is not UTC");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ot_date d;

    if (!ot_date_parse((const char *)data, size, &d)) {
        check_refused(&d);
        return 0;
    }
    check_accepted(&d);
    check_iso_round_trip(&d);
    return 0;
}
