/*
 * null_milter.c - a milter that does nothing and accepts every message.
 *
 * Owns: the baseline for tools/bench-postfix.sh. It asks the MTA for the
 * same events origin-trace-milter handles (connect, HELO, envelope, every
 * header, end of headers, end of message), lets each pass, and answers
 * "accept" at the end, so that the benchmark's ratio origin-trace /
 * null_milter isolates the cost of the analysis from the cost of speaking
 * the milter protocol. Like origin-trace-milter it asks the MTA to expect
 * no reply to any event but the end of the message (where the MTA offers
 * that; "continue" otherwise). With -b it also takes the body, for
 * comparing with a filter that reads bodies.
 *
 * Limits: no state, no output, no configuration; not for production.
 *
 * Usage: null_milter -p SOCKET [-b] [-t TIMEOUT]
 *   SOCKET as libmilter spells it: unix:/path, inet:PORT@HOST.
 */
#include <libmilter/mfapi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The connection's private pointer is only a tag: non-NULL when the MTA
 * agreed to expect no reply to each event, as origin-trace-milter asks. */
#define NOREPLY_TAG ((void *)(uintptr_t)1)

static const unsigned long noreply_steps =
    SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR |
    SMFIP_NR_EOH | SMFIP_NR_BODY;

static sfsistat pass(SMFICTX *ctx)
{
    return smfi_getpriv(ctx) == NOREPLY_TAG ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* The cheapest conversation the MTA offers: no actions, no unknown
 * commands or DATA event, and no replies to anything but end of message.
 * Without that the ratio against origin-trace-milter (which asks for the
 * same) would bill round trips to the analysis. */
static sfsistat negotiate(SMFICTX *ctx, unsigned long f1, unsigned long *pf0,
                          unsigned long *pf1, unsigned long *pf2, unsigned long *pf3,
                          unsigned long skipped)
{
    *pf0 = 0;
    *pf1 = f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA | skipped);
    *pf2 = 0;
    *pf3 = 0;
    if ((f1 & noreply_steps) == noreply_steps) {
        *pf1 |= noreply_steps;
        smfi_setpriv(ctx, NOREPLY_TAG);
    } else {
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

static sfsistat null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                               unsigned long f2, unsigned long f3, unsigned long *pf0,
                               unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    (void)f0; (void)f2; (void)f3;
    return negotiate(ctx, f1, pf0, pf1, pf2, pf3, SMFIP_NOBODY);
}

static sfsistat null_negotiate_body(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                                    unsigned long f2, unsigned long f3, unsigned long *pf0,
                                    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    (void)f0; (void)f2; (void)f3;
    return negotiate(ctx, f1, pf0, pf1, pf2, pf3, 0);
}

static sfsistat null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
    (void)host; (void)addr;
    return pass(ctx);
}

static sfsistat null_helo(SMFICTX *ctx, char *helo)
{
    (void)helo;
    return pass(ctx);
}

static sfsistat null_envfrom(SMFICTX *ctx, char **argv)
{
    (void)argv;
    return pass(ctx);
}

static sfsistat null_envrcpt(SMFICTX *ctx, char **argv)
{
    (void)argv;
    return pass(ctx);
}

static sfsistat null_header(SMFICTX *ctx, char *name, char *value)
{
    (void)name; (void)value;
    return pass(ctx);
}

static sfsistat null_eoh(SMFICTX *ctx)
{
    return pass(ctx);
}

static sfsistat null_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    (void)chunk; (void)len;
    return pass(ctx);
}

static sfsistat null_eom(SMFICTX *ctx)
{
    (void)ctx;
    return SMFIS_ACCEPT;
}

static void usage(void)
{
    fprintf(stderr, "usage: null_milter -p SOCKET [-b] [-t TIMEOUT]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    char socket_spec[512] = "";
    int want_body = 0;
    int timeout = 30;
    int opt;

    while ((opt = getopt(argc, argv, "p:bt:")) != -1) {
        switch (opt) {
        case 'p':
            if (strlen(optarg) >= sizeof socket_spec)
                usage();
            memcpy(socket_spec, optarg, strlen(optarg) + 1);
            break;
        case 'b':
            want_body = 1;
            break;
        case 't':
            timeout = atoi(optarg);
            if (timeout <= 0 || timeout > 3600)
                usage();
            break;
        default:
            usage();
        }
    }
    if (socket_spec[0] == '\0' || optind != argc)
        usage();

    /* the body is only sent when -b asks for it (see negotiate) */
    struct smfiDesc desc = {
        .xxfi_name = "null_milter",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = 0,
        .xxfi_connect = null_connect,
        .xxfi_helo = null_helo,
        .xxfi_envfrom = null_envfrom,
        .xxfi_envrcpt = null_envrcpt,
        .xxfi_header = null_header,
        .xxfi_eoh = null_eoh,
        .xxfi_body = want_body ? null_body : NULL,
        .xxfi_eom = null_eom,
        .xxfi_negotiate = want_body ? null_negotiate_body : null_negotiate,
    };

    if (smfi_setconn(socket_spec) != MI_SUCCESS) {
        fprintf(stderr, "null_milter: bad socket %s\n", socket_spec);
        return 1;
    }
    if (smfi_settimeout(timeout) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) {
        fprintf(stderr, "null_milter: cannot register\n");
        return 1;
    }
    /* true: remove a stale unix socket left by an earlier run */
    if (smfi_opensocket(1) != MI_SUCCESS) {
        fprintf(stderr, "null_milter: cannot open %s\n", socket_spec);
        return 1;
    }
    return smfi_main() == MI_SUCCESS ? 0 : 1;
}
