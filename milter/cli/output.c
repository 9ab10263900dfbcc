/*
 * output.c - the default line and the JSON Lines form of a result.
 *
 * Owns the two machine-readable outputs of origin-trace-check and their
 * field names, which /work/shared/interface.md fixes: scripts rely on them.
 * JSON is always built with json-c so that quoting and escaping are never
 * done by hand; strings from the message are sanitized to printable ASCII
 * first (json-c would escape control bytes, but 8-bit bytes are not UTF-8
 * and would make the line invalid JSON). Empty strings of the core's
 * structs (meaning "unknown") become JSON null.
 */
#include "output.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "sanitize.h"

#ifndef JSON_C_TO_STRING_NOSLASHESCAPE
#define JSON_C_TO_STRING_NOSLASHESCAPE 0
#endif

/* Large enough for any string the core keeps (the header is the longest)
 * and for a path. */
#define CLEAN_SIZE 4200u

void check_format_score(double score, char *out, size_t outsize)
{
    if (!isfinite(score))
        score = 0.0;
    snprintf(out, outsize, "%.1f", score);
    /* "-0.0" tells a person nothing the "0.0" does not */
    if (strcmp(out, "-0.0") == 0)
        snprintf(out, outsize, "0.0");
}

void check_format_weight(double w, char *out, size_t outsize)
{
    size_t n;

    if (!isfinite(w))
        w = 0.0;
    snprintf(out, outsize, "%.3f", w);
    n = strlen(out);
    while (n > 0 && out[n - 1] == '0' && n >= 2 && out[n - 2] != '.')
        out[--n] = '\0';
    if (strcmp(out, "-0.0") == 0)
        snprintf(out, outsize, "0.0");
}

static const char *clean(char *buf, size_t bufsize, const char *src)
{
    ot_sanitize(buf, bufsize, src, strlen(src));
    return buf;
}

void check_output_line(FILE *out, const char *file, const ot_result *res, const char *error)
{
    char name[CLEAN_SIZE], text[CLEAN_SIZE], score[32];

    clean(name, sizeof name, file);
    if (error != NULL) {
        /* same four columns, so that cut(1) and awk keep working */
        fprintf(out, "%s\t-\terror\t%s\n", name, clean(text, sizeof text, error));
        return;
    }
    check_format_score(res->score, score, sizeof score);
    fprintf(out, "%s\t%s\t%s\t%s\n", name, score, ot_action_name(res->action),
            clean(text, sizeof text, res->header));
}

/* ---- JSON --------------------------------------------------------------------- */

/* A string from the message or the core: sanitized, "" becomes null. */
static json_object *json_text(const char *s)
{
    char buf[CLEAN_SIZE];

    if (s == NULL || s[0] == '\0')
        return NULL;   /* json-c stores NULL as null */
    ot_sanitize(buf, sizeof buf, s, strlen(s));
    return json_object_new_string(buf);
}

static json_object *json_number(double v, bool one_decimal)
{
    char text[48];

    if (one_decimal)
        check_format_score(v, text, sizeof text);
    else
        check_format_weight(v, text, sizeof text);
    /* the value and its printed form agree with the header's rounding */
    return json_object_new_double_s(strtod(text, NULL), text);
}

static json_object *json_endpoint(const ot_endpoint *e, bool with_hop)
{
    json_object *o;

    if (!e->present)
        return NULL;
    o = json_object_new_object();
    json_object_object_add(o, "ip", json_text(e->ip));
    json_object_object_add(o, "rdns", json_text(e->rdns));
    json_object_object_add(o, "helo", json_text(e->helo));
    if (with_hop)
        json_object_object_add(o, "hop", json_object_new_int(e->hop));
    return o;
}

static json_object *json_signals(const ot_result *res)
{
    json_object *list = json_object_new_array();

    for (size_t i = 0; i < res->nfired && i < OT_MAX_SIGNALS; i++) {
        const ot_fired *f = &res->fired[i];
        json_object *o = json_object_new_object();
        const char *name = (unsigned)f->id < OT_SIG_COUNT ? ot_signal_table[f->id].name : "UNKNOWN";

        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "weight", json_number(f->weight, false));
        json_object_object_add(o, "detail", json_text(f->hit.detail));
        json_object_array_add(list, o);
    }
    return list;
}

static json_object *json_hops(const ot_result *res)
{
    json_object *list = json_object_new_array();

    for (size_t i = 0; i < res->nhops && i < OT_MAX_RECEIVED; i++) {
        const ot_hop *h = &res->hops[i];
        json_object *o = json_object_new_object();
        char iso[32];

        json_object_object_add(o, "index", json_object_new_int((int)i));
        json_object_object_add(o, "parsed", json_object_new_boolean(h->parsed));
        json_object_object_add(o, "trust", json_object_new_string(ot_trust_name(res->trust[i])));
        json_object_object_add(o, "from_helo", json_text(h->from_helo));
        json_object_object_add(o, "from_rdns", json_text(h->from_rdns));
        json_object_object_add(o, "from_ip", json_text(h->from_ip));
        json_object_object_add(o, "by", json_text(h->by));
        json_object_object_add(o, "with", json_text(h->with));
        json_object_object_add(o, "id", json_text(h->id));
        json_object_object_add(o, "for", json_text(h->for_));
        if (h->has_date)
            json_object_object_add(o, "date",
                                   json_text(ot_date_format_iso(h->date.epoch, iso, sizeof iso)));
        else
            json_object_object_add(o, "date", NULL);
        json_object_array_add(list, o);
    }
    return list;
}

bool check_output_json(FILE *out, const char *file, const ot_result *res, const char *error)
{
    json_object *o = json_object_new_object();
    char name[CLEAN_SIZE];
    const char *text;

    if (o == NULL)
        return false;
    clean(name, sizeof name, file);
    json_object_object_add(o, "file", json_object_new_string(name));
    if (error != NULL) {
        /* every field is still there, with the values of "nothing known" */
        json_object_object_add(o, "score", json_number(0.0, true));
        json_object_object_add(o, "action", json_object_new_string(ot_action_name(OT_ACTION_ACCEPT)));
        json_object_object_add(o, "path", json_object_new_string(ot_path_name(OT_PATH_UNKNOWN)));
        json_object_object_add(o, "origin", NULL);
        json_object_object_add(o, "handoff", NULL);
        json_object_object_add(o, "signals", json_object_new_array());
        json_object_object_add(o, "hops", json_object_new_array());
        json_object_object_add(o, "header", json_object_new_string(""));
        json_object_object_add(o, "error", json_text(error));
    } else {
        json_object_object_add(o, "score", json_number(res->score, true));
        json_object_object_add(o, "action", json_object_new_string(ot_action_name(res->action)));
        json_object_object_add(o, "path", json_object_new_string(ot_path_name(res->path)));
        json_object_object_add(o, "origin", json_endpoint(&res->origin, false));
        json_object_object_add(o, "handoff", json_endpoint(&res->handoff, true));
        json_object_object_add(o, "signals", json_signals(res));
        json_object_object_add(o, "hops", json_hops(res));
        char header[CLEAN_SIZE];
        json_object_object_add(o, "header",
                               json_object_new_string(clean(header, sizeof header, res->header)));
    }
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL) {
        json_object_put(o);
        return false;
    }
    fputs(text, out);
    fputc('\n', out);
    json_object_put(o);
    return true;
}
