/*
 * explain.c - the path of one message drawn for a person (--explain).
 *
 * Owns the human layout: the verdict on top, then the Received chain from
 * the deepest line (the origin side) up to our own hosts, one block per
 * hop, the trust boundary drawn as a rule between the last untrusted and
 * the first trusted line, and each signal printed under the hop it
 * concerns (ot_fired.hit.hop: a Received index, -1 the live session, -2
 * the message as a whole). Plain ASCII, every string sanitized; the layout
 * is for eyes and may change, scripts use --json.
 */
#include "output.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "sanitize.h"

#define HOP_SESSION  (-1)
#define HOP_MESSAGE  (-2)
#define EXPLAIN_TEXT 1100u   /* larger than any string the core keeps */

static const char BOUNDARY_RULE[] =
    "  ============================ trust boundary ============================\n"
    "  (above: written by our trusted relays; below: claims by others)\n";

static const char *clean(char *buf, size_t bufsize, const char *src)
{
    ot_sanitize(buf, bufsize, src, strlen(src));
    return buf;
}

/* "IP (rdns)" or "IP" or "(rdns)" or "?" */
static void describe_peer(char *out, size_t outsize, const char *ip, const char *rdns)
{
    char a[OT_IPTEXT_SIZE], r[OT_HOST_SIZE];

    clean(a, sizeof a, ip);
    clean(r, sizeof r, rdns);
    if (a[0] && r[0])
        snprintf(out, outsize, "%s (%s)", a, r);
    else if (a[0])
        snprintf(out, outsize, "%s (no reverse name)", a);
    else if (r[0])
        snprintf(out, outsize, "%s (no address)", r);
    else
        snprintf(out, outsize, "unknown peer");
}

static void print_signals_at(FILE *out, const ot_result *res, int hop, const char *indent)
{
    for (size_t i = 0; i < res->nfired && i < OT_MAX_SIGNALS; i++) {
        const ot_fired *f = &res->fired[i];
        int at = f->hit.hop;
        char weight[32], detail[OT_DETAIL_SIZE];

        /* a hop index we did not keep belongs with the message */
        if (at >= 0 && (size_t)at >= res->nhops)
            at = HOP_MESSAGE;
        if (at < HOP_MESSAGE)
            at = HOP_MESSAGE;
        if (at != hop)
            continue;
        check_format_weight(f->weight, weight + 1, sizeof weight - 1);
        weight[0] = '+';
        if (weight[1] == '-')
            memmove(weight, weight + 1, strlen(weight + 1) + 1);
        fprintf(out, "%s! %-22s %6s  %s\n", indent,
                (unsigned)f->id < OT_SIG_COUNT ? ot_signal_table[f->id].name : "UNKNOWN",
                weight, clean(detail, sizeof detail, f->hit.detail));
    }
}

static void print_flags(FILE *out, unsigned flags)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        { OT_HOP_LOCAL, "local submission" },
        { OT_HOP_AUTH, "authenticated" },
        { OT_HOP_TLS, "TLS" },
        { OT_HOP_HTTP, "web/HTTP" },
        { OT_HOP_INTERNAL, "internal delivery" },
        { OT_HOP_FETCH, "fetched by POP/IMAP" },
        { OT_HOP_MAY_BE_FORGED, "writer says: may be forged" },
        { OT_HOP_IP_FROM_HELO, "address only from a HELO literal" },
    };
    bool any = false;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (flags & names[i].bit) {
            fprintf(out, "%s%s", any ? ", " : "       [", names[i].name);
            any = true;
        }
    }
    if (any)
        fputs("]\n", out);
}

static void print_hop(FILE *out, const ot_message *msg, const ot_result *res, size_t i)
{
    const ot_hop *h = &res->hops[i];
    char peer[OT_IPTEXT_SIZE + OT_HOST_SIZE + 32], text[EXPLAIN_TEXT], iso[32];
    const char *role = "";

    if (res->origin.present && res->origin.hop == (int)i)
        role = res->handoff.present && res->handoff.hop == (int)i ? "  <- origin, handoff" : "  <- origin";
    else if (res->handoff.present && res->handoff.hop == (int)i)
        role = "  <- handoff";

    if (!h->parsed) {
        fprintf(out, "  [%zu] line not understood%s\n", i, role);
        const ot_field *f = msg ? ot_message_find(msg, "Received", i) : NULL;
        if (f != NULL) {
            size_t n = f->value_len < 68 ? f->value_len : 68;
            ot_sanitize(text, sizeof text, f->value, n);
            if (f->value_len == 0)
                fputs("       (empty)\n", out);
            else
                fprintf(out, "       \"%s%s\"\n", text, f->value_len > 68 ? "..." : "");
        }
        print_signals_at(out, res, (int)i, "       ");
        return;
    }

    if (h->flags & OT_HOP_HAS_FROM || h->from_ip[0] || h->from_rdns[0]) {
        describe_peer(peer, sizeof peer, h->from_ip, h->from_rdns);
        fprintf(out, "  [%zu] from %s", i, peer);
        if (h->from_helo[0])
            fprintf(out, " helo %s", clean(text, sizeof text, h->from_helo));
    } else if (h->flags & OT_HOP_LOCAL) {
        fprintf(out, "  [%zu] local program (no network peer)", i);
    } else {
        fprintf(out, "  [%zu] no sender recorded", i);
    }
    if (h->from_ident[0])
        fprintf(out, " user %s", clean(text, sizeof text, h->from_ident));
    fprintf(out, "  (%s line)%s\n", ot_trust_name(res->trust[i]), role);

    fprintf(out, "       by %s", h->by[0] ? clean(text, sizeof text, h->by) : "?");
    if (h->with[0])
        fprintf(out, " with %s", clean(text, sizeof text, h->with));
    if (h->id[0])
        fprintf(out, " id %s", clean(text, sizeof text, h->id));
    if (h->has_date)
        fprintf(out, " at %s", ot_date_format_iso(h->date.epoch, iso, sizeof iso));
    fputc('\n', out);
    print_flags(out, h->flags);
    if (i < OT_MAX_RECEIVED && res->breaks[i])
        fputs("       (does not connect to the line above it)\n", out);
    print_signals_at(out, res, (int)i, "       ");
}

static void print_endpoint(FILE *out, const char *label, const ot_endpoint *e)
{
    char peer[OT_IPTEXT_SIZE + OT_HOST_SIZE + 32], helo[OT_HOST_SIZE];

    if (!e->present) {
        fprintf(out, "  %-8s none found\n", label);
        return;
    }
    describe_peer(peer, sizeof peer, e->ip, e->rdns);
    fprintf(out, "  %-8s %s", label, peer);
    if (e->helo[0])
        fprintf(out, " helo %s", clean(helo, sizeof helo, e->helo));
    if (e->hop == HOP_SESSION)
        fputs(" (live session)\n", out);
    else
        fprintf(out, " (hop %d)\n", e->hop);
}

static bool signals_at(const ot_result *res, int hop)
{
    for (size_t i = 0; i < res->nfired && i < OT_MAX_SIGNALS; i++) {
        int at = res->fired[i].hit.hop;
        if (at >= 0 && (size_t)at >= res->nhops)
            at = HOP_MESSAGE;
        if (at < HOP_MESSAGE)
            at = HOP_MESSAGE;
        if (at == hop)
            return true;
    }
    return false;
}

void check_output_explain(FILE *out, const char *file, const ot_message *msg,
                          const ot_result *res, const char *error)
{
    char text[EXPLAIN_TEXT], score[32];
    size_t n = res ? res->nhops : 0;
    size_t boundary;
    bool session = false;

    fprintf(out, "%s\n", clean(text, sizeof text, file));
    if (error != NULL) {
        fprintf(out, "  not analysed: %s\n\n", clean(text, sizeof text, error));
        return;
    }
    if (n > OT_MAX_RECEIVED)
        n = OT_MAX_RECEIVED;
    boundary = res->boundary < 0 ? 0 : (size_t)res->boundary;
    if (boundary > n)
        boundary = n;
    session = res->handoff.present && res->handoff.hop == HOP_SESSION;

    check_format_score(res->score, score, sizeof score);
    fprintf(out, "  score %s   action %s   path %s\n", score, ot_action_name(res->action),
            ot_path_name(res->path));
    print_endpoint(out, "origin", &res->origin);
    print_endpoint(out, "handoff", &res->handoff);
    fputc('\n', out);

    if (n == 0 && !session)
        fputs("  no Received lines\n", out);
    else
        fputs("  from the origin up to our side (newest line is [0]):\n", out);
    if (res->received_total > n)
        fprintf(out, "  (%zu deeper Received lines were not kept)\n", res->received_total - n);

    /* the deepest line first, the trusted top last */
    if (boundary == n && !session && n > 0)
        fputs(BOUNDARY_RULE, out);
    for (size_t k = n; k-- > 0;) {
        print_hop(out, msg, res, k);
        if (k == boundary && !session && boundary > 0)
            fputs(BOUNDARY_RULE, out);
        else if (k > 0)
            fputs("        |\n", out);
    }
    if (session || signals_at(res, HOP_SESSION)) {
        char peer[OT_IPTEXT_SIZE + OT_HOST_SIZE + 32];
        if (n > 0)
            fputs("        |\n", out);
        if (session) {
            describe_peer(peer, sizeof peer, res->handoff.ip, res->handoff.rdns);
            fprintf(out, "  [session] %s", peer);
            if (res->handoff.helo[0])
                fprintf(out, " helo %s", clean(text, sizeof text, res->handoff.helo));
            fputs("  <- handoff\n", out);
        } else {
            fputs("  [session] none (offline: the chain stands in for it)\n", out);
        }
        print_signals_at(out, res, HOP_SESSION, "       ");
        if (session)
            fputs(BOUNDARY_RULE, out);
    }
    if (!session && boundary == 0 && n > 0)
        fputs(BOUNDARY_RULE, out);

    if (signals_at(res, HOP_MESSAGE)) {
        fputs("\n  the message as a whole:\n", out);
        print_signals_at(out, res, HOP_MESSAGE, "       ");
    }
    if (res->nfired == 0)
        fputs("\n  no signals fired\n", out);
    fprintf(out, "\n  header: %s\n\n", clean(text, sizeof text, res->header));
}
