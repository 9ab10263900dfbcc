/*
 * fuzz_config.c - libFuzzer harness for the text side of configuration:
 * ot_config_split_line() and ot_config_apply(), then one analysis under
 * the configuration that came out.
 *
 * The input is the text of an origin-trace.conf. It is cut into lines the
 * way config_load.c cuts a file (a line longer than OT_MAX_CONF_LINE-1
 * bytes is an error there, so it stops the load here too), but no file is
 * opened: Include and a TrustedRelays file name are handed back by
 * ot_config_apply() and only counted. Besides memory and undefined-
 * behaviour errors, the harness checks: an error always comes with a
 * printable reason; no list passes its bound (OT_MAX_TRUSTED,
 * OT_MAX_NAMES, OT_MAX_PROVIDERS); the thresholds and weights stay inside
 * the ranges the keys accept; and a message analysed under any accepted
 * configuration yields a printable header and an action that follows the
 * thresholds.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "config.h"
#include "fuzz_check.h"
#include "message.h"

#define FUZZ_NOW 1715702400   /* 2024-05-14T16:00:00Z */

static const char sample_message[] =
    "Received: from mx.example.org (mx.example.org [192.0.2.25])\n"
    "\tby mail.example.org (Postfix) with LMTP id 7E1F2A3B\n"
    "\tfor <alice@example.org>; Tue, 14 May 2024 15:59:58 +0000\n"
    "Received: from pc7 (dsl-203-0-113-45.dyn.example.net [203.0.113.45])\n"
    "\tby mx.example.org (Postfix) with SMTP id 4F2A11C0\n"
    "\tfor <alice@example.org>; Tue, 14 May 2024 15:59:56 +0000\n"
    "Received: from [198.51.100.213] by mail.provider.example with HTTP;\n"
    "\tTue, 14 May 2024 15:59:50 +0000\n"
    "From: someone@hotmail.com\nTo: alice@example.org\n"
    "Date: Tue, 14 May 2024 15:59:40 +0000\n"
    "Message-ID: <x@y>\n\nbody\n";

static void check_name_list(const ot_name_list *l)
{
    FUZZ_CHECK(l->count <= OT_MAX_NAMES, "a name list passed OT_MAX_NAMES");
    for (size_t i = 0; i < l->count; i++) {
        size_t n = strlen(l->items[i]);
        FUZZ_CHECK(n > 0 && n < OT_HOST_SIZE, "a list entry has a bad length");
    }
}

static void check_config(const ot_config *c)
{
    FUZZ_CHECK(c->trusted.count <= OT_MAX_TRUSTED, "TrustedRelays passed OT_MAX_TRUSTED");
    FUZZ_CHECK(c->exempt_clients.count <= OT_MAX_TRUSTED, "ExemptClients passed OT_MAX_TRUSTED");
    FUZZ_CHECK(c->nproviders <= OT_MAX_PROVIDERS, "more than OT_MAX_PROVIDERS providers");
    check_name_list(&c->local_hostnames);
    check_name_list(&c->dynamic_patterns);
    check_name_list(&c->nameservers);
    check_name_list(&c->dnsbl_zones);
    check_name_list(&c->exempt_recipients);
    for (size_t i = 0; i < c->nproviders; i++)
        check_name_list(&c->providers[i].domains);
    FUZZ_CHECK(c->reject_score >= -10000.0 && c->reject_score <= 10000.0, "RejectScore range");
    FUZZ_CHECK(c->quarantine_score >= -10000.0 && c->quarantine_score <= 10000.0,
               "QuarantineScore range");
    for (int i = 0; i < OT_SIG_COUNT; i++)
        FUZZ_CHECK(c->weight[i] >= -1000.0 && c->weight[i] <= 1000.0, "weight range");
    FUZZ_CHECK(fuzz_terminated(c->header_name, sizeof c->header_name) && c->header_name[0] != '\0',
               "HeaderName empty or unterminated");
    FUZZ_CHECK(fuzz_terminated(c->socket, sizeof c->socket), "Socket unterminated");
    FUZZ_CHECK(fuzz_terminated(c->reject_text, sizeof c->reject_text), "RejectText unterminated");
    FUZZ_CHECK(c->umask_value <= 0777, "Umask range");
    FUZZ_CHECK(c->log_level >= 0 && c->log_level <= 3, "LogLevel range");
}

static void check_analysis(const ot_config *c)
{
    static ot_result res;
    ot_message m;

    ot_message_init(&m);
    ot_message_read_header(&m, sample_message, sizeof sample_message - 1);
    ot_analyze(c, NULL, &m, NULL, FUZZ_NOW, &res);
    FUZZ_CHECK(fuzz_printable(res.header), "header not printable");
    if (res.score >= c->reject_score)
        FUZZ_CHECK(res.action == OT_ACTION_REJECT, "score at RejectScore but not rejected");
    else if (res.score >= c->quarantine_score)
        FUZZ_CHECK(res.action == OT_ACTION_QUARANTINE, "score at QuarantineScore not quarantined");
    else
        FUZZ_CHECK(res.action == OT_ACTION_ACCEPT, "score under the thresholds not accepted");
    ot_message_free(&m);
}

/* Applies one line; false when config_load.c would stop the load. */
static bool apply_line(ot_config *c, char *line)
{
    char err[512], *key, *value;
    enum ot_conf_status status;

    if (!ot_config_split_line(line, &key, &value))
        return true;
    FUZZ_CHECK(*key != '\0', "split gave an empty key");
    err[0] = '\0';
    status = ot_config_apply(c, key, value, err, sizeof err);
    switch (status) {
    case OT_CONF_OK:
    case OT_CONF_INCLUDE:
    case OT_CONF_TRUSTED_FILE:
        return true;
    case OT_CONF_UNKNOWN_KEY:
    case OT_CONF_BAD_VALUE:
        FUZZ_CHECK(err[0] != '\0' && fuzz_printable(err), "error without a printable reason");
        return false;
    }
    FUZZ_CHECK(false, "ot_config_apply returned no known status");
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[OT_MAX_CONF_LINE];
    ot_config c;
    size_t pos = 0;
    bool ok = true;

    ot_config_init(&c);
    while (ok && pos < size) {
        const uint8_t *lf = memchr(data + pos, '\n', size - pos);
        size_t end = lf != NULL ? (size_t)(lf - data) : size;
        size_t n = end - pos;

        if (n > OT_MAX_CONF_LINE - 1)
            break;   /* config_load.c refuses the line: the load stops */
        memcpy(line, data + pos, n);
        line[n] = '\0';   /* a NUL inside ends the line early, as fgets + strlen do */
        ok = apply_line(&c, line);
        pos = end + 1;
    }
    check_config(&c);
    if (ok)
        check_analysis(&c);
    ot_config_free(&c);
    return 0;
}
