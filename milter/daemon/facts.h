/*
 * facts.h - turning what libmilter and the MTA's macros say into an ot_session.
 *
 * Owns the reading of the connect address (IPv4, IPv6, IPv4-mapped, unix
 * socket or none), the MTA's own resolution of the client (Postfix
 * {client_name}/{client_ptr}, sendmail {client_resolve}), HELO, MAIL FROM
 * with {auth_authen}, RCPT TO and the queue id {i}. Macros are read
 * through a lookup function so this file needs no libmilter and can be
 * tested alone. Every string is copied with a bound; a missing macro
 * leaves the fact unknown rather than guessed.
 */
#ifndef OT_FACTS_H
#define OT_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "session.h"

/* Longest argument libmilter hands us that we measure at all: a HELO or
 * address longer than this is certainly hostile and treated as this long. */
#define OT_FACTS_ARG_MAX (64u * 1024u)

/* Returns a macro's value or NULL; name as the MTA spells it, e.g. "{client_ptr}". */
typedef const char *(*ot_macro_fn)(void *arg, const char *name);

/* The macros the daemon asks for with smfi_setsymlist, per stage. */
#define OT_MACROS_CONNECT "j {client_addr} {client_name} {client_ptr} {client_resolve} {daemon_name}"
#define OT_MACROS_HELO    "{tls_version}"
#define OT_MACROS_ENVFROM "i {auth_authen} {auth_type}"
#define OT_MACROS_ENVRCPT "i"
#define OT_MACROS_EOH     "i"
#define OT_MACROS_EOM     "i"

void ot_facts_connect(ot_session *s, const char *hostname, const struct sockaddr *addr,
                      socklen_t addrlen, ot_macro_fn macro, void *arg);
void ot_facts_helo(ot_session *s, const char *helo);
void ot_facts_mail(ot_session *s, const char *const *argv, ot_macro_fn macro, void *arg);
/* Returns the recipient as stored (stripped) in rcpt_out for exemption checks. */
void ot_facts_rcpt(ot_session *s, const char *const *argv, char *rcpt_out, size_t rcpt_size);
/* Picks up {i} if the MTA has defined it by now and it is still unknown. */
void ot_facts_queue_id(ot_session *s, ot_macro_fn macro, void *arg);

#endif
