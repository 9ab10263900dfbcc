/*
 * limits.h - every bound the analysis core enforces, in one place.
 *
 * All input reaching the core (HELO, envelope, header fields) is chosen by
 * the sender. Each number here caps one thing the core stores or walks, so
 * that memory and time per message are bounded whatever arrives. Input past
 * a bound is truncated or counted, never stored, and the analysis says so.
 */
#ifndef OT_LIMITS_H
#define OT_LIMITS_H

/* Header reader */
#define OT_MAX_HEADER_BYTES   (1024u * 1024u) /* header text kept per message */
#define OT_MAX_FIELDS         4096u           /* header fields kept per message */
#define OT_MAX_FIELD_NAME     128u            /* longer names: field ignored */
#define OT_MAX_FIELD_VALUE    (64u * 1024u)   /* one unfolded value; truncated past it */

/* Received chain */
#define OT_MAX_RECEIVED       64u   /* Received lines parsed and kept */
#define OT_MAX_RECEIVED_SCAN  8192u /* one Received value scanned at most */

/* Strings extracted from hostile text (sizes include the NUL) */
#define OT_HOST_SIZE          256u  /* a host name, HELO argument or by-host */
#define OT_IPTEXT_SIZE        64u   /* an address as text */
#define OT_WITH_SIZE          64u   /* protocol token */
#define OT_ID_SIZE            128u  /* queue id */
#define OT_FOR_SIZE           320u  /* recipient (RFC 5321 path limit 256 + slack) */
#define OT_IDENT_SIZE         64u   /* ident / user in a comment */
#define OT_ADDR_SIZE          320u  /* MAIL FROM / RCPT TO */
#define OT_USER_SIZE          128u  /* authenticated user */
#define OT_QUEUEID_SIZE       64u

/* Session */
#define OT_MAX_RCPT           64u   /* recipients remembered per message */

/* Analysis output */
#define OT_MAX_SIGNALS        64u   /* signals fired per message */
#define OT_DETAIL_SIZE        192u  /* one signal's detail line */
#define OT_HEADER_SIZE        1024u /* rendered header value */

/* Configuration */
#define OT_MAX_TRUSTED        4096u /* TrustedRelays entries */
#define OT_MAX_NAMES          256u  /* entries of any name list key */
#define OT_MAX_INCLUDE_DEPTH  8u
#define OT_MAX_CONF_LINE      4096u

#endif
