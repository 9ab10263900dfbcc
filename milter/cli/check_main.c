/*
 * check_main.c - origin-trace-check: the offline analyzer's command line.
 *
 * Owns: option parsing, building the configuration (defaults, then -c
 * FILE, then every --trusted), the optional SMTP session given by
 * --client-ip and friends, the reference clock (--now), and running each
 * message found by input.c through ot_analyze() into one of the outputs.
 *
 * Choices (documented in origin-trace-check(1)): without -c no file is
 * read, the built-in defaults apply, so that a run does not depend on what
 * happens to be installed in /etc; session options other than --client-ip
 * need --client-ip, since a session without a client address is no session;
 * no PATH is a usage error ("-" reads standard input). Exit status: 0 every
 * input was read, 1 some input could not be read (or output not written),
 * 2 usage or configuration error.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "config.h"
#include "config_load.h"
#include "dns_evidence.h"
#include "input.h"
#include "message.h"
#include "output.h"
#include "session.h"

#define PROG "origin-trace-check"
#define EXIT_READ_ERROR 1
#define EXIT_USAGE      2

enum format { FORMAT_LINE, FORMAT_JSON, FORMAT_EXPLAIN, FORMAT_SUMMARY };

/* everything one run needs; lives on main's stack, no globals */
typedef struct run {
    const ot_config *cfg;
    const ot_session *session;       /* NULL: offline, the chain stands in */
    int64_t now;
    enum format format;
    ot_message msg;
    ot_result *res;
    check_summary summary;
    bool output_failed;
    const ot_dns_services *dns;      /* NULL: offline */
} run;

enum long_only {
    OPT_TRUSTED = 256, OPT_OFFLINE, OPT_DNS, OPT_JSON, OPT_EXPLAIN, OPT_SUMMARY,
    OPT_CLIENT_IP, OPT_CLIENT_RDNS, OPT_HELO, OPT_MAIL_FROM, OPT_RCPT, OPT_NOW,
};

static const struct option long_options[] = {
    { "config", required_argument, NULL, 'c' },
    { "trusted", required_argument, NULL, OPT_TRUSTED },
    { "offline", no_argument, NULL, OPT_OFFLINE },
    { "dns", no_argument, NULL, OPT_DNS },
    { "json", no_argument, NULL, OPT_JSON },
    { "explain", no_argument, NULL, OPT_EXPLAIN },
    { "summary", no_argument, NULL, OPT_SUMMARY },
    { "client-ip", required_argument, NULL, OPT_CLIENT_IP },
    { "client-rdns", required_argument, NULL, OPT_CLIENT_RDNS },
    { "helo", required_argument, NULL, OPT_HELO },
    { "mail-from", required_argument, NULL, OPT_MAIL_FROM },
    { "rcpt", required_argument, NULL, OPT_RCPT },
    { "now", required_argument, NULL, OPT_NOW },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

static void print_help(FILE *out)
{
    fputs("Usage: " PROG " [OPTION]... PATH...\n"
          "Trace where each message really came from and score signs of forgery.\n"
          "\n"
          "PATH is a message file, an mbox, a Maildir, a directory (every regular\n"
          "file below it, sorted) or - for standard input.\n"
          "\n"
          "  -c, --config FILE     read origin-trace.conf FILE (default: built-in defaults)\n"
          "      --trusted LIST    add addresses/CIDRs (comma-separated) or a file of them\n"
          "                        to TrustedRelays; may be repeated\n"
          "      --offline         no DNS lookups, headers only (the default\n"
          "                        unless the configuration says DNS yes)\n"
          "      --dns             look up the handoff host now: reverse DNS, HELO,\n"
          "                        DNS blocklists, SPF and DKIM (Nameservers, DNSTimeout\n"
          "                        from -c)\n"
          "      --json            one JSON object per message (JSON Lines)\n"
          "      --explain         draw each message's path for a person\n"
          "      --summary         only print tables over the whole batch\n"
          "      --client-ip IP    the SMTP client that delivered the message\n"
          "      --client-rdns NAME  its reverse name as the MTA saw it (\"\" for none)\n"
          "      --helo NAME       the HELO/EHLO it gave\n"
          "      --mail-from ADDR  the envelope sender (\"\" for the null sender)\n"
          "      --rcpt ADDR       an envelope recipient; may be repeated\n"
          "      --now EPOCH       reference time in seconds since 1970 (default: now)\n"
          "  -h, --help            show this help and exit\n"
          "  -V, --version         show the version and exit\n"
          "\n"
          "Default output: FILE<TAB>SCORE<TAB>ACTION<TAB>HEADER, one line per message.\n"
          "Exit status: 0 all inputs read, 1 some input could not be read,\n"
          "2 usage or configuration error.\n"
          "See origin-trace-check(1) and origin-trace.conf(5).\n", out);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry '" PROG " --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

static bool parse_epoch(const char *text, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return false;
    /* beyond year 9999 no date in a header can be compared to it */
    if (v > 253402300799LL)
        return false;
    *out = (int64_t)v;
    return true;
}

static void on_message(void *arg, const char *name, const char *header, size_t len,
                       const char *error)
{
    run *r = arg;
    const char *why = error;

    ot_message_reset(&r->msg);
    if (why == NULL) {
        ot_message_read_header(&r->msg, header, len);
        if (len == 0)
            why = "empty input: no header";
        else if (r->msg.count == 0)
            why = "no header fields found";
    }
    if (why == NULL) {
        /* ot_analyze resets what it reads; clearing the whole result here
         * cost more than the analysis */
        ot_analyze(r->cfg, r->session, &r->msg, NULL, r->now, r->res);
        if (r->dns != NULL) {
            /* the first pass named the handoff; the second judges the evidence */
            ot_evidence ev;
            check_dns_evidence(r->dns, r->cfg, r->session, &r->msg, r->res, header, len, &ev);
            ot_analyze(r->cfg, r->session, &r->msg, &ev, r->now, r->res);
        }
    }
    switch (r->format) {
    case FORMAT_LINE:
        check_output_line(stdout, name, r->res, why);
        break;
    case FORMAT_JSON:
        if (!check_output_json(stdout, name, r->res, why)) {
            fprintf(stderr, PROG ": %s: out of memory building JSON\n", name);
            r->output_failed = true;
        }
        break;
    case FORMAT_EXPLAIN:
        check_output_explain(stdout, name, &r->msg, r->res, why);
        break;
    case FORMAT_SUMMARY:
        break;
    }
    check_summary_add(&r->summary, why ? NULL : r->res, why);
}

/* what the command line asked for, beyond the session and the run */
typedef struct options {
    const char *config_path;
    const char **trusted;            /* argc entries at most */
    size_t ntrusted;
    bool want_dns, said_offline;
} options;

#define GO_ON (-1)

static int option_error(options *o, int status)
{
    free(o->trusted);
    o->trusted = NULL;
    return status;
}

/* Reads the options into o, the session and the run. Returns GO_ON, or
 * the exit status when the command is complete (help, version, error). */
static int parse_options(int argc, char **argv, options *o, ot_session *session, run *r)
{
    bool have_format = false;
    const char *session_option = NULL;   /* the last one given, for the error */
    int opt;

    o->trusted = calloc((size_t)argc + 1, sizeof *o->trusted);
    if (o->trusted == NULL) {
        fputs(PROG ": out of memory\n", stderr);
        return EXIT_USAGE;
    }
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":c:hV", long_options, NULL)) != -1) {
        enum format f = FORMAT_LINE;
        switch (opt) {
        case 'c':
            o->config_path = optarg;
            break;
        case OPT_TRUSTED:
            o->trusted[o->ntrusted++] = optarg;
            break;
        case OPT_OFFLINE:
        case OPT_DNS:
            o->want_dns = opt == OPT_DNS;
            o->said_offline = opt == OPT_OFFLINE;
            break;
        case OPT_JSON:
        case OPT_EXPLAIN:
        case OPT_SUMMARY:
            f = opt == OPT_JSON ? FORMAT_JSON : opt == OPT_EXPLAIN ? FORMAT_EXPLAIN : FORMAT_SUMMARY;
            if (have_format && f != r->format)
                return option_error(o, usage_error("%s", "--json, --explain and --summary exclude each other"));
            r->format = f;
            have_format = true;
            break;
        case OPT_CLIENT_IP:
            if (!ot_addr_parse(optarg, strlen(optarg), &session->client_addr))
                return option_error(o, usage_error("--client-ip: not an IP address: '%s'", optarg));
            session->present = true;
            break;
        case OPT_CLIENT_RDNS:
            ot_session_set_rdns(session, optarg, strlen(optarg));
            session_option = "--client-rdns";
            break;
        case OPT_HELO:
            ot_session_set_helo(session, optarg, strlen(optarg));
            session_option = "--helo";
            break;
        case OPT_MAIL_FROM:
            ot_session_set_mail_from(session, optarg, strlen(optarg));
            session_option = "--mail-from";
            break;
        case OPT_RCPT:
            ot_session_add_rcpt(session, optarg, strlen(optarg));
            session_option = "--rcpt";
            break;
        case OPT_NOW:
            if (!parse_epoch(optarg, &r->now))
                return option_error(o, usage_error("--now: not a time in seconds since 1970: '%s'", optarg));
            break;
        case 'h':
            print_help(stdout);
            return option_error(o, 0);
        case 'V':
            printf("%s (%s) %s\n", PROG, PACKAGE_NAME, PACKAGE_VERSION);
            return option_error(o, 0);
        case ':':
            if (optopt != 0 && optopt < 256)
                return option_error(o, usage_error("option '-%c' needs an argument", optopt));
            return option_error(o, usage_error("option '%s' needs an argument", argv[optind - 1]));
        default:
            if (optopt != 0 && optopt < 256)
                return option_error(o, usage_error("unknown option '-%c'", optopt));
            return option_error(o, usage_error("unknown option '%s'", argv[optind - 1]));
        }
    }
    if (session_option != NULL && !session->present)
        return option_error(o, usage_error("%s describes the SMTP session: give --client-ip too",
                                           session_option));
    if (optind >= argc)
        return option_error(o, usage_error("%s", "no PATH given (use - for standard input)"));
    return GO_ON;
}

/* Defaults, then -c FILE, then every --trusted; then DNS on or off, and
 * the resolver when on. Returns false (having said why) on an error. */
static bool build_config(options *o, ot_config *cfg, ot_dns_services *dns)
{
    char err[512];
    bool ok = true;

    ot_config_init(cfg);
    if (o->config_path != NULL && !ot_config_load(cfg, o->config_path, err, sizeof err)) {
        fprintf(stderr, PROG ": %s\n", err);
        ok = false;
    }
    for (size_t i = 0; ok && i < o->ntrusted; i++) {
        if (!ot_config_add_trusted_arg(cfg, o->trusted[i], err, sizeof err)) {
            fprintf(stderr, PROG ": --trusted %s: %s\n", o->trusted[i], err);
            ok = false;
        }
    }
    free(o->trusted);
    o->trusted = NULL;
    if (!ok)
        return false;
    cfg->dns = o->want_dns || (cfg->dns && !o->said_offline);
    if (cfg->dns && !ot_dns_services_open(dns, cfg, err, sizeof err)) {
        fprintf(stderr, PROG ": DNS: %s\n", err);
        return false;
    }
    return true;
}

/* Every PATH through on_message; returns the exit status. */
static int run_paths(run *r, char **paths, int npaths)
{
    int status = 0;
    /* the body is read only when a signature may need it */
    check_input input = { PROG, on_message, r, r->dns != NULL && r->cfg->dkim };

    for (int i = 0; i < npaths; i++) {
        if (!check_input_each(&input, paths[i]))
            status = EXIT_READ_ERROR;
    }
    if (r->format == FORMAT_SUMMARY)
        check_summary_print(stdout, &r->summary);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": writing the output: %s\n", strerror(errno));
        status = EXIT_READ_ERROR;
    }
    if (r->output_failed)
        status = EXIT_READ_ERROR;
    return status;
}

int main(int argc, char **argv)
{
    options opts = { 0 };
    ot_config cfg;
    ot_session session;
    ot_dns_services dns = { NULL, NULL, NULL };
    run r = { .now = (int64_t)time(NULL), .format = FORMAT_LINE };
    int status;

    ot_session_init(&session);
    status = parse_options(argc, argv, &opts, &session, &r);
    if (status != GO_ON)
        return status;
    if (!build_config(&opts, &cfg, &dns)) {
        ot_dns_services_close(&dns);
        ot_config_free(&cfg);
        return EXIT_USAGE;
    }
    r.dns = cfg.dns ? &dns : NULL;
    r.res = calloc(1, sizeof *r.res);
    if (r.res == NULL) {
        fputs(PROG ": out of memory\n", stderr);
        ot_dns_services_close(&dns);
        ot_config_free(&cfg);
        return EXIT_USAGE;
    }
    r.cfg = &cfg;
    r.session = session.present ? &session : NULL;
    ot_message_init(&r.msg);
    check_summary_init(&r.summary);

    status = run_paths(&r, argv + optind, argc - optind);

    check_summary_free(&r.summary);
    ot_message_free(&r.msg);
    free(r.res);
    ot_dns_services_close(&dns);
    ot_config_free(&cfg);
    return status;
}
