/*
 * callbacks.c - the xxfi_* callbacks: gathering facts, nothing more.
 *
 * Negotiation asks for what the analysis needs and no more: no body
 * unless DKIM is to be verified (and then only for signed messages: an
 * unsigned one answers its first chunk with SMFIS_SKIP), no DATA or
 * unknown-command events, and no replies to connect, HELO, MAIL,
 * RCPT and header events where the MTA offers that (each is a round trip
 * saved per event). End of headers keeps its reply: that is where a
 * rejection happens. A step whose reply was negotiated away must answer
 * SMFIS_NOREPLY, so every callback asks the session record what was
 * agreed. Per-connection state lives only behind smfi_setpriv; a
 * connection whose record could not be allocated is carried through
 * unchecked and OnError decides at end of headers.
 * An MTA that reuses a milter connection (SMFIC_QUIT_NC) gets xxfi_close
 * and then a new connect without a new negotiation; the record made then
 * no longer knows which replies were agreed away and answers every step,
 * which libmilter turns back into no reply (logging that it did).
 */
#include "callbacks.h"

#include <string.h>
#include <strings.h>

#include "actions.h"
#include "facts.h"
#include "message_dns.h"
#include "session_state.h"
#include "verdict.h"

#define WANTED_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST)
#define SKIPPED_STEPS (SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA)
#define UNANSWERED_STEPS (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR)

static ot_sess *state(SMFICTX *ctx)
{
    return (ot_sess *)smfi_getpriv(ctx);
}

/* The record, created on first use: negotiation is skipped by MTAs that
 * speak an old protocol version. */
static ot_sess *state_or_new(SMFICTX *ctx)
{
    ot_sess *s = state(ctx);
    if (s == NULL) {
        s = ot_sess_new();
        if (s != NULL && smfi_setpriv(ctx, s) != MI_SUCCESS) {
            ot_sess_free(s);
            s = NULL;
        }
    }
    return s;
}

static sfsistat step_done(const ot_sess *s, unsigned long no_reply_flag)
{
    return s != NULL && (s->steps & no_reply_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static void debug(const ot_sess *s, const char *what)
{
    if (s != NULL)
        ot_log(&s->gen->log, OT_LOG_DEBUG, "callback %s", what);
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long offered_actions,
                             unsigned long offered_steps, unsigned long unused2,
                             unsigned long unused3, unsigned long *actions,
                             unsigned long *steps, unsigned long *out2, unsigned long *out3)
{
    ot_sess *s = state_or_new(ctx);
    (void)unused2;
    (void)unused3;

    *actions = offered_actions & WANTED_ACTIONS;
    *steps = offered_steps & SKIPPED_STEPS;
    if (s != NULL && s->gen->cfg.dns && s->gen->cfg.dkim) {
        /* DKIM needs the body and the header fields byte for byte */
        *steps &= ~(unsigned long)SMFIP_NOBODY;
        *steps |= offered_steps & (SMFIP_SKIP | SMFIP_HDR_LEADSPC);
    }
    /* without a record we could not tell later which replies were agreed */
    if (s != NULL)
        *steps |= offered_steps & UNANSWERED_STEPS;
    *out2 = 0;
    *out3 = 0;

    if (*actions & SMFIF_SETSYMLIST) {
        static const struct { int stage; const char *list; } wanted[] = {
            { SMFIM_CONNECT, OT_MACROS_CONNECT }, { SMFIM_HELO, OT_MACROS_HELO },
            { SMFIM_ENVFROM, OT_MACROS_ENVFROM }, { SMFIM_ENVRCPT, OT_MACROS_ENVRCPT },
            { SMFIM_EOH, OT_MACROS_EOH },         { SMFIM_EOM, OT_MACROS_EOM },
        };
        bool all = true;
        for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
            char list[128];
            strncpy(list, wanted[i].list, sizeof list - 1);
            list[sizeof list - 1] = '\0';
            if (smfi_setsymlist(ctx, wanted[i].stage, list) != MI_SUCCESS)
                all = false;
        }
        if (!all && s != NULL)
            ot_log(&s->gen->log, OT_LOG_INFO, "the MTA refused part of the macro list");
    }
    if (s != NULL) {
        s->actions = *actions;
        s->steps = *steps;
        s->negotiated = true;
        ot_log(&s->gen->log, OT_LOG_DEBUG, "negotiated actions=0x%lx steps=0x%lx (offered 0x%lx 0x%lx)",
               *actions, *steps, offered_actions, offered_steps);
    }
    return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
    ot_sess *s = state_or_new(ctx);
    socklen_t len = 0;   /* libmilter does not say: sized by family in facts.c */

    if (s == NULL)
        return SMFIS_CONTINUE;
    debug(s, "connect");
    ot_facts_connect(&s->facts, hostname, hostaddr, len, ot_actions_macro, ctx);
    return step_done(s, SMFIP_NR_CONN);
}

static sfsistat cb_helo(SMFICTX *ctx, char *helohost)
{
    ot_sess *s = state(ctx);
    if (s == NULL)
        return SMFIS_CONTINUE;
    debug(s, "helo");
    ot_facts_helo(&s->facts, helohost);
    return step_done(s, SMFIP_NR_HELO);
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
    ot_sess *s = state(ctx);
    if (s == NULL)
        return SMFIS_CONTINUE;
    debug(s, "envfrom");
    ot_sess_begin_message(s);
    ot_facts_mail(&s->facts, (const char *const *)argv, ot_actions_macro, ctx);
    return step_done(s, SMFIP_NR_MAIL);
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
    ot_sess *s = state(ctx);
    char rcpt[OT_ADDR_SIZE];

    if (s == NULL)
        return SMFIS_CONTINUE;
    debug(s, "envrcpt");
    if (!s->in_message)
        ot_sess_begin_message(s);
    ot_facts_rcpt(&s->facts, (const char *const *)argv, rcpt, sizeof rcpt);
    s->exempt.recipient_known = true;
    if (ot_recipient_is_exempt(&s->gen->cfg.exempt_recipients, rcpt))
        s->exempt.recipient_exempt = true;
    ot_facts_queue_id(&s->facts, ot_actions_macro, ctx);
    return step_done(s, SMFIP_NR_RCPT);
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
    ot_sess *s = state(ctx);
    size_t name_len, value_len;

    if (s == NULL)
        return SMFIS_CONTINUE;
    if (!s->in_message)
        ot_sess_begin_message(s);
    name_len = name != NULL ? strnlen(name, OT_MAX_FIELD_NAME + 1) : 0;
    value_len = value != NULL ? strnlen(value, OT_MAX_HEADER_BYTES) : 0;
    if (name_len > 0 && strncasecmp(name, s->gen->cfg.header_name[0] != '\0'
                                              ? s->gen->cfg.header_name : "X-Origin-Trace",
                                    name_len + 1) == 0)
        s->ours_incoming++;
    if (name_len > 0) {
        (void)ot_message_add_field(&s->message, name, name_len, value != NULL ? value : "",
                                   value_len);
        ot_mdns_header(s, name, name_len, value != NULL ? value : "", value_len);
    }
    return step_done(s, SMFIP_NR_HDR);
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
    ot_sess *s = state(ctx);
    if (s == NULL)
        return ot_actions_stateless(ctx, "end of headers");
    debug(s, "eoh");
    if (!s->in_message)
        ot_sess_begin_message(s);
    return ot_actions_eoh(ctx, s);
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    ot_sess *s = state(ctx);
    if (s == NULL)
        return SMFIS_CONTINUE;
    return ot_actions_body(ctx, s, chunk, len);
}

static sfsistat cb_eom(SMFICTX *ctx)
{
    ot_sess *s = state(ctx);
    if (s == NULL)
        return ot_actions_stateless(ctx, "end of message");
    debug(s, "eom");
    if (!s->in_message)
        ot_sess_begin_message(s);
    return ot_actions_eom(ctx, s);
}

static sfsistat cb_abort(SMFICTX *ctx)
{
    ot_sess *s = state(ctx);
    if (s != NULL) {
        debug(s, "abort");
        if (s->in_message)
            ot_log(&s->gen->log, OT_LOG_INFO, "queue=%s message aborted by the MTA",
                   s->facts.queue_id[0] != '\0' ? s->facts.queue_id : "-");
        ot_sess_end_message(s);
    }
    return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
    ot_sess *s = state(ctx);
    if (s != NULL) {
        debug(s, "close");
        (void)smfi_setpriv(ctx, NULL);
        ot_sess_free(s);
    }
    return SMFIS_CONTINUE;
}

struct smfiDesc *ot_callbacks_desc(void)
{
    /* libmilter keeps a pointer to this; it never changes after start */
    static struct smfiDesc desc = {
        .xxfi_name = "origin-trace",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = WANTED_ACTIONS,
        .xxfi_connect = cb_connect,
        .xxfi_helo = cb_helo,
        .xxfi_envfrom = cb_envfrom,
        .xxfi_envrcpt = cb_envrcpt,
        .xxfi_header = cb_header,
        .xxfi_eoh = cb_eoh,
        .xxfi_body = cb_body,
        .xxfi_eom = cb_eom,
        .xxfi_abort = cb_abort,
        .xxfi_close = cb_close,
        .xxfi_unknown = NULL,
        .xxfi_data = NULL,
        .xxfi_negotiate = cb_negotiate,
    };
    return &desc;
}
