/*
 * fuzz_received.c - libFuzzer harness for ot_received_parse().
 *
 * The input is one Received value, as the analysis hands it over after
 * unfolding. Besides memory and undefined-behaviour errors, the harness
 * checks what received.h promises: an unparsed line carries no claim at
 * all; every extracted string is NUL-terminated inside its field and free
 * of control bytes; a reported address is canonical text that parses back
 * to the stored address; a date, when present, lies in the years the date
 * parser accepts. Parsing the same bytes twice gives the same hop (no
 * hidden state).
 */
#include <string.h>

#include "fuzz_check.h"
#include "received.h"

static void check_string(const char *field, size_t size, const char *what)
{
    FUZZ_CHECK(fuzz_terminated(field, size), what);
    FUZZ_CHECK(fuzz_no_controls(field), what);
}

/* ot_addr_equal() says two absent addresses differ; here they are one. */
static bool addrs_same(const ot_addr *a, const ot_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* Field by field: struct padding is not part of the result. */
static bool hops_equal(const ot_hop *a, const ot_hop *b)
{
    return a->parsed == b->parsed && a->flags == b->flags &&
           strcmp(a->from_helo, b->from_helo) == 0 && strcmp(a->from_rdns, b->from_rdns) == 0 &&
           strcmp(a->from_ip, b->from_ip) == 0 && addrs_same(&a->from_addr, &b->from_addr) &&
           strcmp(a->from_ident, b->from_ident) == 0 && strcmp(a->by, b->by) == 0 &&
           strcmp(a->via, b->via) == 0 && strcmp(a->with, b->with) == 0 &&
           strcmp(a->id, b->id) == 0 && strcmp(a->for_, b->for_) == 0 &&
           a->has_date == b->has_date && a->date.epoch == b->date.epoch &&
           a->date.zone_minutes == b->date.zone_minutes &&
           a->date.zone_known == b->date.zone_known && a->date.obsolete == b->date.obsolete;
}

static void check_unparsed_is_empty(const ot_hop *hop)
{
    ot_hop empty;

    memset(&empty, 0, sizeof empty);
    FUZZ_CHECK(hops_equal(hop, &empty), "an unparsed line left a field set");
}

static void check_hop(const ot_hop *hop)
{
    if (!hop->parsed) {
        check_unparsed_is_empty(hop);
        return;
    }
    check_string(hop->from_helo, sizeof hop->from_helo, "from_helo");
    check_string(hop->from_rdns, sizeof hop->from_rdns, "from_rdns");
    check_string(hop->from_ip, sizeof hop->from_ip, "from_ip");
    check_string(hop->from_ident, sizeof hop->from_ident, "from_ident");
    check_string(hop->by, sizeof hop->by, "by");
    check_string(hop->via, sizeof hop->via, "via");
    check_string(hop->with, sizeof hop->with, "with");
    check_string(hop->id, sizeof hop->id, "id");
    check_string(hop->for_, sizeof hop->for_, "for");

    FUZZ_CHECK((hop->from_ip[0] != '\0') == (hop->from_addr.family != 0),
               "from_ip and from_addr disagree on whether there is an address");
    if (hop->from_ip[0] != '\0') {
        ot_addr again;
        char text[OT_IPTEXT_SIZE];

        FUZZ_CHECK(ot_addr_parse(hop->from_ip, strlen(hop->from_ip), &again),
                   "from_ip does not parse as an address");
        FUZZ_CHECK(ot_addr_equal(&again, &hop->from_addr), "from_ip is not from_addr");
        ot_addr_format(&hop->from_addr, text, sizeof text);
        FUZZ_CHECK(strcmp(text, hop->from_ip) == 0, "from_ip is not canonical");
    }
    if (hop->has_date) {
        /* 1970 .. 9999, moved by at most a +/-99:59 zone */
        FUZZ_CHECK(hop->date.epoch >= -FUZZ_ZONE_MAX_SECONDS &&
                   hop->date.epoch <= FUZZ_LAST_SECOND + 1 + FUZZ_ZONE_MAX_SECONDS,
                   "date out of the accepted years");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ot_hop first, second;
    bool parsed;

    parsed = ot_received_parse((const char *)data, size, &first);
    FUZZ_CHECK(parsed == first.parsed, "return value is not out->parsed");
    check_hop(&first);
    if (size > OT_MAX_RECEIVED_SCAN)
        FUZZ_CHECK(!first.parsed, "a value past OT_MAX_RECEIVED_SCAN was parsed");

    ot_received_parse((const char *)data, size, &second);
    FUZZ_CHECK(hops_equal(&first, &second), "two parses of one line differ");
    return 0;
}
