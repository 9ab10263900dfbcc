/*
 * session_state.c - creating, resetting and freeing the per-connection record.
 *
 * Owns the life cycle only: which fields belong to the connection (client,
 * HELO) and which to one message (envelope, fields, verdict, result), so
 * that many messages on one connection never see each other's data and
 * memory does not grow with their number.
 */
#include "session_state.h"

#include "message_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ot_sess *ot_sess_new(void)
{
    ot_sess *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->gen = ot_gen_acquire();
    if (s->gen == NULL) {
        free(s);
        return NULL;
    }
    ot_session_init(&s->facts);
    s->facts.present = true;
    ot_message_init(&s->message);
    return s;
}

static void forget_envelope(ot_session *f)
{
    f->mail_from[0] = '\0';
    f->mail_from_seen = false;
    f->nrcpt = 0;
    f->rcpt_total = 0;
    f->auth_user[0] = '\0';
    f->queue_id[0] = '\0';
}

void ot_sess_end_message(ot_sess *s)
{
    ot_mdns_end(s);
    s->awaiting_body = false;
    free(s->result);
    s->result = NULL;
    s->decided = false;
    memset(&s->verdict, 0, sizeof s->verdict);
    memset(&s->exempt, 0, sizeof s->exempt);
    s->ours_incoming = 0;
    s->in_message = false;
    s->failed = false;
    s->failure[0] = '\0';
    forget_envelope(&s->facts);
    ot_message_reset(&s->message);
}

void ot_sess_begin_message(ot_sess *s)
{
    ot_sess_end_message(s);
    s->in_message = true;
    s->messages++;
}

void ot_sess_fail(ot_sess *s, const char *reason)
{
    if (s->failed)
        return;
    s->failed = true;
    snprintf(s->failure, sizeof s->failure, "%s", reason);
}

void ot_sess_free(ot_sess *s)
{
    if (s == NULL)
        return;
    ot_mdns_end(s);
    free(s->raw);
    free(s->result);
    ot_message_free(&s->message);
    ot_gen_release(s->gen);
    free(s);
}
