/*
 * actions.c - carrying the verdict out through libmilter.
 *
 * The analysis runs at end of headers because that is the last moment a
 * rejection costs the client nothing more than its DATA and the first
 * moment every header field is known; the body is never asked for. Header
 * changes are only allowed at end of message (libmilter's rule), so the
 * decision waits in the session record until then. The clock comes from
 * here: the core has none.
 */
#include "actions.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evidence.h"
#include "facts.h"
#include "header_fold.h"
#include "logline.h"
#include "message_dns.h"
#include "render.h"
#include "sanitize.h"

#define DEFAULT_HEADER_NAME "X-Origin-Trace"
#define DEFAULT_REJECT_TEXT "Message origin looks forged"
/* "X-Origin-Trace" value folded: every space may become "\n\t" */
#define FOLDED_SIZE (OT_HEADER_SIZE * 2u)

const char *ot_actions_macro(void *arg, const char *name)
{
    char copy[64];
    snprintf(copy, sizeof copy, "%s", name);   /* smfi_getsymval takes char * */
    return smfi_getsymval((SMFICTX *)arg, copy);
}

static const char *header_name(const ot_config *cfg)
{
    return cfg->header_name[0] != '\0' ? cfg->header_name : DEFAULT_HEADER_NAME;
}

static void log_message(const ot_sess *s, const char *error)
{
    char line[OT_LOG_LINE_SIZE];
    ot_logline_format(line, sizeof line, &s->facts, s->result, s->lookups != NULL ? &s->ev : NULL,
                      &s->verdict, error);
    ot_log(&s->gen->log, error != NULL && s->result == NULL ? OT_LOG_ERR : OT_LOG_INFO,
           "%s", line);
}

/* OnError: never lose mail. tempfail asks the client to come back;
 * accept lets the message through untouched but for our own field. */
static sfsistat on_error(SMFICTX *ctx, ot_sess *s, const char *why)
{
    s->verdict.action = OT_ACTION_ACCEPT;
    s->verdict.why = NULL;
    if (s->gen->cfg.on_error == OT_ON_ERROR_TEMPFAIL) {
        char text[] = "origin-trace: temporary failure, try again later";
        char code[] = "451", xcode[] = "4.3.0";
        (void)smfi_setreply(ctx, code, xcode, text);
        ot_log(&s->gen->log, OT_LOG_ERR, "queue=%s action=tempfail error=%s",
               s->facts.queue_id[0] != '\0' ? s->facts.queue_id : "-", why);
        ot_sess_end_message(s);
        return SMFIS_TEMPFAIL;
    }
    log_message(s, why);
    return SMFIS_CONTINUE;
}

sfsistat ot_actions_stateless(SMFICTX *ctx, const char *stage)
{
    ot_gen *g = ot_gen_acquire();
    sfsistat r = SMFIS_ACCEPT;

    if (g != NULL) {
        ot_log(&g->log, OT_LOG_ERR, "no session state at %s (out of memory): message %s unchecked",
               stage, g->cfg.on_error == OT_ON_ERROR_TEMPFAIL ? "tempfailed" : "accepted");
        if (g->cfg.on_error == OT_ON_ERROR_TEMPFAIL) {
            char code[] = "451", xcode[] = "4.3.0";
            char text[] = "origin-trace: temporary failure, try again later";
            (void)smfi_setreply(ctx, code, xcode, text);
            r = SMFIS_TEMPFAIL;
        }
        ot_gen_release(g);
    }
    return r;
}

static sfsistat reject(SMFICTX *ctx, ot_sess *s)
{
    char text[2 * sizeof s->gen->cfg.reject_text];
    char code[] = "550", xcode[] = "5.7.1";

    ot_reply_text(text, sizeof text, s->gen->cfg.reject_text, DEFAULT_REJECT_TEXT);
    if (smfi_setreply(ctx, code, xcode, text) != MI_SUCCESS)
        ot_log(&s->gen->log, OT_LOG_WARN, "smfi_setreply failed: the MTA uses its own 5xx text");
    log_message(s, NULL);
    ot_sess_end_message(s);
    return SMFIS_REJECT;
}

/* Runs the analysis over what is known and decides; returns false when it
 * could not run. Called once offline (the plan's first pass) and again
 * with the lookups' evidence when there was any. */
static bool analyse(ot_sess *s, const ot_evidence *ev)
{
    const ot_config *cfg = &s->gen->cfg;
    int64_t now = (int64_t)time(NULL);

    if (s->result == NULL && (s->result = malloc(sizeof *s->result)) == NULL) {
        ot_sess_fail(s, "out-of-memory-for-analysis");
        return false;
    }
    ot_analyze(cfg, &s->facts, &s->message, ev, now, s->result);

    s->exempt.recipient_known = s->facts.rcpt_total > 0 || s->facts.nrcpt > 0;
    ot_verdict_client_facts(cfg, &s->facts, &s->exempt);
    ot_verdict_decide(cfg, &s->exempt, s->result->score, &s->verdict);

    /* the header says what was done, not what the score alone would do */
    if (s->result->action != s->verdict.action) {
        ot_ctx ctx = { cfg, &s->facts, &s->message, ev, now, s->result };
        s->result->action = s->verdict.action;
        ot_render_header(&ctx, s->result);
    }
    s->decided = true;
    return true;
}

/* OnDNSError tempfail: a message whose checks could not all be made is
 * refused for now, unless it is exempt anyway. */
static bool dns_tempfail(const ot_sess *s)
{
    return s->gen->cfg.on_dns_error == OT_ON_ERROR_TEMPFAIL && s->ev.incomplete[0] != '\0' &&
           !s->exempt.recipient_exempt && !s->exempt.client_exempt &&
           !(s->exempt.authenticated && s->gen->cfg.exempt_authenticated);
}

static sfsistat tempfail_dns(SMFICTX *ctx, ot_sess *s)
{
    char text[] = "origin-trace: DNS lookups incomplete, try again later";
    char code[] = "451", xcode[] = "4.4.3";

    (void)smfi_setreply(ctx, code, xcode, text);
    ot_log(&s->gen->log, OT_LOG_WARN, "queue=%s action=tempfail dns-incomplete=%s",
           s->facts.queue_id[0] != '\0' ? s->facts.queue_id : "-", s->ev.incomplete);
    ot_sess_end_message(s);
    return SMFIS_TEMPFAIL;
}

/* The verdict once every fact is in: reject now, or wait for end of message. */
static sfsistat conclude(SMFICTX *ctx, ot_sess *s)
{
    if (s->lookups != NULL && !analyse(s, &s->ev))
        return on_error(ctx, s, s->failure);
    if (dns_tempfail(s))
        return tempfail_dns(ctx, s);
    if (s->verdict.action == OT_ACTION_REJECT)
        return reject(ctx, s);
    return SMFIS_CONTINUE;
}

sfsistat ot_actions_eoh(SMFICTX *ctx, ot_sess *s)
{
    ot_evidence none;

    ot_facts_queue_id(&s->facts, ot_actions_macro, ctx);
    ot_evidence_init(&none);
    if (s->failed || !analyse(s, &none))
        return on_error(ctx, s, s->failure);
    if (ot_mdns_eoh(s)) {
        s->awaiting_body = true;   /* DKIM: decided at end of message */
        return SMFIS_CONTINUE;
    }
    return conclude(ctx, s);
}

sfsistat ot_actions_body(SMFICTX *ctx, ot_sess *s, const unsigned char *data, size_t len)
{
    (void)ctx;
    if (!ot_mdns_wants_body(s))
        return (s->steps & SMFIP_SKIP) ? SMFIS_SKIP : SMFIS_CONTINUE;
    ot_mdns_body(s, data, len);
    return SMFIS_CONTINUE;
}

static bool remove_incoming(SMFICTX *ctx, ot_sess *s, const char *name)
{
    char namebuf[sizeof s->gen->cfg.header_name];

    if (s->ours_incoming == 0)
        return true;
    if (!(s->actions & SMFIF_CHGHDRS) && s->negotiated)
        return false;
    snprintf(namebuf, sizeof namebuf, "%s", name);
    /* from the highest index down: deleting one does not renumber those below */
    for (size_t i = s->ours_incoming; i >= 1; i--) {
        if (i > (size_t)INT32_MAX || smfi_chgheader(ctx, namebuf, (int)i, NULL) != MI_SUCCESS)
            return false;
    }
    return true;
}

static bool add_ours(SMFICTX *ctx, ot_sess *s, const char *name)
{
    char namebuf[sizeof s->gen->cfg.header_name];
    char folded[FOLDED_SIZE];
    size_t name_len = strlen(name);

    if (!(s->actions & SMFIF_ADDHDRS) && s->negotiated)
        return false;
    snprintf(namebuf, sizeof namebuf, "%s", name);
    if (ot_header_fold(folded, sizeof folded, s->result->header, name_len) == 0)
        return true;   /* nothing rendered: nothing to add */
    if (s->gen->cfg.header_position == OT_HEADER_BOTTOM)
        return smfi_addheader(ctx, namebuf, folded) == MI_SUCCESS;
    return smfi_insheader(ctx, 0, namebuf, folded) == MI_SUCCESS;
}

static bool quarantine(SMFICTX *ctx, ot_sess *s)
{
    char reason[64];

    if (!(s->actions & SMFIF_QUARANTINE) && s->negotiated)
        return false;
    snprintf(reason, sizeof reason, "origin-trace score %.1f", s->verdict.score);
    return smfi_quarantine(ctx, reason) == MI_SUCCESS;
}

sfsistat ot_actions_eom(SMFICTX *ctx, ot_sess *s)
{
    const char *name = header_name(&s->gen->cfg);
    const char *trouble = NULL;
    sfsistat r;

    ot_facts_queue_id(&s->facts, ot_actions_macro, ctx);
    if (!s->decided && !s->failed) {
        /* an MTA that sent no end-of-headers: decide now */
        r = ot_actions_eoh(ctx, s);
        if (r != SMFIS_CONTINUE)
            return r;
    }
    if (s->awaiting_body) {
        s->awaiting_body = false;
        ot_mdns_eom(s);
        r = conclude(ctx, s);
        if (r != SMFIS_CONTINUE)
            return r;
    }

    /* a forged field of our name must not survive, even when analysis failed */
    if (!remove_incoming(ctx, s, name))
        trouble = "cannot-remove-incoming-header";
    else if (s->result != NULL && !add_ours(ctx, s, name))
        trouble = "cannot-add-header";
    else if (s->result != NULL && s->verdict.action == OT_ACTION_QUARANTINE && !quarantine(ctx, s))
        trouble = "cannot-quarantine";

    if (trouble != NULL) {
        r = on_error(ctx, s, trouble);
        ot_sess_end_message(s);
        return r;
    }
    if (s->result != NULL)
        log_message(s, NULL);
    ot_sess_end_message(s);
    return SMFIS_CONTINUE;
}
