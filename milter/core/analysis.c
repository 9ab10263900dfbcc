/*
 * analysis.c - the core's entry point: parse, walk, check, score, render.
 *
 * Each step is a plain function over the result built so far; this file
 * only orders them. The signal checks come from the one table in
 * signals.c and run in table order, so the signals list is stable.
 */
#include "analysis.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "chain.h"
#include "checks.h"
#include "hostname.h"
#include "render.h"

const char *ot_path_name(enum ot_path p)
{
    static const char *const names[] = {
        [OT_PATH_UNKNOWN] = "unknown", [OT_PATH_DIRECT_TO_MX] = "direct-to-mx",
        [OT_PATH_RELAY] = "relay", [OT_PATH_OPEN_RELAY] = "open-relay",
        [OT_PATH_WEBFORM] = "webform", [OT_PATH_SUBMISSION] = "submission",
        [OT_PATH_INTERNAL] = "internal",
    };
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

const char *ot_action_name(enum ot_action a)
{
    switch (a) {
    case OT_ACTION_REJECT:
        return "reject";
    case OT_ACTION_QUARANTINE:
        return "quarantine";
    case OT_ACTION_ACCEPT:
        break;
    }
    return "accept";
}

const char *ot_trust_name(enum ot_trust t)
{
    switch (t) {
    case OT_TRUST_TRUSTED:
        return "trusted";
    case OT_TRUST_UNPARSED:
        return "unparsed";
    case OT_TRUST_UNTRUSTED:
        break;
    }
    return "untrusted";
}

static void parse_hops(const ot_message *msg, ot_result *res)
{
    res->received_total = msg->received_total;
    /* one pass over the fields: asking for the i-th Received each time
     * walked the header once per line */
    for (size_t i = 0; i < msg->count && res->nhops < OT_MAX_RECEIVED; i++) {
        const ot_field *f = &msg->fields[i];
        if (f->is_received)
            ot_received_parse(f->value, f->value_len, &res->hops[res->nhops++]);
    }
    if (res->received_total < res->nhops)
        res->received_total = res->nhops;
}

/* When did our side receive it? Live: now. Offline: the date our trusted
 * writer put on the handoff line, else on the lowest trusted line. */
static int64_t received_at(const ot_ctx *ctx, const ot_result *res)
{
    if (ctx->session->present)
        return ctx->now;
    if (res->handoff.present && res->handoff.hop >= 0 && res->hops[res->handoff.hop].has_date)
        return res->hops[res->handoff.hop].date.epoch;
    for (size_t i = (size_t)res->boundary; i > 0; i--)
        if (res->hops[i - 1].has_date)
            return res->hops[i - 1].date.epoch;
    return 0;   /* unknown: the analyzer's clock says nothing about an archive */
}

/* The first Date and Message-ID fields, found in one pass over the
 * header: each has two or three checks that look at it. */
static void read_message_fields(const ot_message *msg, ot_result *res)
{
    const ot_field *date = NULL;

    res->msgid_field = SIZE_MAX;
    for (size_t i = 0; i < msg->count && (date == NULL || res->msgid_field == SIZE_MAX); i++) {
        const ot_field *f = &msg->fields[i];
        if (date == NULL && f->name_len == 4 && strcasecmp(f->name, "Date") == 0)
            date = f;
        else if (res->msgid_field == SIZE_MAX && f->name_len == 10 &&
                 strcasecmp(f->name, "Message-ID") == 0)
            res->msgid_field = i;
    }
    res->date_present = date != NULL;
    res->date_valid = date != NULL && ot_date_parse(date->value, date->value_len, &res->date);
}

static void run_signals(const ot_ctx *ctx, ot_result *res)
{
    res->nfired = 0;
    res->score = 0.0;
    for (int id = 0; id < OT_SIG_COUNT && res->nfired < OT_MAX_SIGNALS; id++) {
        double w = ctx->cfg->weight[id];
        ot_fired *f = &res->fired[res->nfired];

        if (w == 0.0)
            continue;           /* switched off: not even evaluated */
        /* an empty detail, not a cleared one: every check that fires
         * writes the whole detail string (39 x 196 bytes per message) */
        f->hit.hop = 0;
        f->hit.detail[0] = '\0';
        if (!ot_signal_table[id].check(ctx, &f->hit))
            continue;
        if (id == OT_SIG_DNSBL_LISTED && ctx->ev->ndnsbl > 0 && ctx->ev->dnsbl[0].weight != 0.0)
            w = ctx->ev->dnsbl[0].weight;   /* a zone's return code carries its own weight */
        f->id = (enum ot_signal_id)id;
        f->weight = w;
        res->score += w;
        res->nfired++;
    }
}

/* Clears what every step reads before it writes. The hop array is left
 * alone: each kept hop is filled whole by the parser, and zeroing 64 hops
 * per message cost more than the whole analysis. */
static void result_reset(ot_result *res)
{
    res->nhops = 0;
    res->received_total = 0;
    res->boundary = 0;
    memset(&res->handoff, 0, sizeof res->handoff);
    memset(&res->origin, 0, sizeof res->origin);
    res->path = OT_PATH_UNKNOWN;
    memset(res->breaks, 0, sizeof res->breaks);
    res->origin_hop = -1;
    res->received_at = 0;
    res->date_present = false;
    res->date_valid = false;
    memset(&res->date, 0, sizeof res->date);
    res->msgid_field = SIZE_MAX;
    res->handoff_dynamic = -1;
    res->nfired = 0;
    res->score = 0.0;
    res->action = OT_ACTION_ACCEPT;
    res->header[0] = '\0';
}

/* A reverse name our own lookup found and confirmed (it resolves back to
 * the client) is as good as one the MTA recorded: it stands in where the
 * MTA or our trusted line had none. An unconfirmed PTR is the sender's own
 * claim and is not adopted: anyone can point a PTR at mail.yahoo.com. */
static void adopt_confirmed_ptr(const ot_evidence *ev, ot_result *res)
{
    if (!res->handoff.present || res->handoff.rdns[0] != '\0' || ev->ptr_exists != OT_EV_YES ||
        ev->fcrdns != OT_EV_YES || ev->ptr_name[0] == '\0')
        return;
    _Static_assert(sizeof res->handoff.rdns == sizeof ev->ptr_name, "same bound");
    memcpy(res->handoff.rdns, ev->ptr_name, sizeof res->handoff.rdns);
}

static enum ot_action decide(const ot_config *cfg, double score)
{
    if (score >= cfg->reject_score)
        return OT_ACTION_REJECT;
    if (score >= cfg->quarantine_score)
        return OT_ACTION_QUARANTINE;
    return OT_ACTION_ACCEPT;
}

void ot_analyze(const ot_config *cfg, const ot_session *session, const ot_message *msg,
                const ot_evidence *ev, int64_t now, ot_result *res)
{
    /* read-only stand-ins: building a 20 KiB session per message cost
     * more than a tenth of the whole analysis */
    static const ot_session no_session = { .client_resolve = OT_RESOLVE_UNKNOWN };
    static const ot_evidence no_evidence = {
        .ptr_exists = OT_EV_UNKNOWN, .fcrdns = OT_EV_UNKNOWN, .helo_resolves = OT_EV_UNKNOWN,
        .helo_matches = OT_EV_UNKNOWN, .spf = OT_SPF_NONE_CHECKED,
    };
    ot_ctx ctx;

    if (session == NULL)
        session = &no_session;
    if (ev == NULL)
        ev = &no_evidence;
    result_reset(res);
    ctx = (ot_ctx){ cfg, session, msg, ev, now, res };

    parse_hops(msg, res);
    ot_chain_trust(&ctx, res);
    adopt_confirmed_ptr(ev, res);
    ot_chain_breaks(&ctx, res);
    ot_chain_origin_and_path(&ctx, res);
    res->received_at = received_at(&ctx, res);
    read_message_fields(msg, res);
    /* two checks ask whether the handoff's reverse name looks dynamic */
    if (res->handoff.present && res->handoff.rdns[0] != '\0' &&
        (cfg->weight[OT_SIG_RDNS_DYNAMIC] != 0.0 || cfg->weight[OT_SIG_PATH_DIRECT_DYNAMIC] != 0.0))
        res->handoff_dynamic = ot_host_looks_dynamic(cfg, res->handoff.rdns, &res->handoff.addr);
    ot_helo_classify(&ctx, &res->helo);
    run_signals(&ctx, res);
    res->score = (double)(long long)(res->score * 10.0 + (res->score >= 0 ? 0.5 : -0.5)) / 10.0;
    res->action = decide(cfg, res->score);
    ot_render_header(&ctx, res);
}
