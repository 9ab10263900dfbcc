/*
 * dkim-sign.c - signs one message with libopendkim, for the DKIM tests.
 *
 *   dkim-sign -k KEY.pem -s SELECTOR -d DOMAIN [-c relaxed|simple] FILE
 *
 * Prints the message with a DKIM-Signature field (rsa-sha256, header and
 * body canonicalization as -c says, relaxed by default) put on top, the
 * way a signing MTA would. The file may have LF or CRLF line ends; it is
 * signed as CRLF (as it travels) and printed back with LF, as read.
 * Limits: messages up to 1 MiB. A test tool: the key is read whole from
 * the named file and nothing here is meant for real mail.
 */
#include <sys/types.h>
#include <opendkim/dkim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MESSAGE (1024u * 1024u)
#define MAX_KEY     (16u * 1024u)

static unsigned char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t n;

    if (f == NULL)
        return NULL;
    buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, max + 1, f);
    fclose(f);
    if (n > max) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Every line end as CRLF; the result is at most twice the input. */
static unsigned char *to_crlf(const unsigned char *in, size_t len, size_t *outlen)
{
    unsigned char *out = malloc(2 * len + 1);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = in[i];
    }
    *outlen = o;
    return out;
}

static void usage(void)
{
    fputs("usage: dkim-sign -k KEY.pem -s SELECTOR -d DOMAIN [-c relaxed|simple] FILE\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *keyfile = NULL, *selector = NULL, *domain = NULL;
    dkim_canon_t canon = DKIM_CANON_RELAXED;
    unsigned char *key = NULL, *msg = NULL, *wire = NULL, *sighdr = NULL;
    size_t keylen, msglen, wirelen = 0, siglen = 0;
    DKIM_LIB *lib = NULL;
    DKIM *dkim = NULL;
    DKIM_STAT st;
    int opt, status = 1;

    while ((opt = getopt(argc, argv, "k:s:d:c:")) != -1) {
        switch (opt) {
        case 'k': keyfile = optarg; break;
        case 's': selector = optarg; break;
        case 'd': domain = optarg; break;
        case 'c':
            if (strcmp(optarg, "simple") == 0)
                canon = DKIM_CANON_SIMPLE;
            else if (strcmp(optarg, "relaxed") != 0)
                usage();
            break;
        default: usage();
        }
    }
    if (keyfile == NULL || selector == NULL || domain == NULL || optind != argc - 1)
        usage();
    key = read_file(keyfile, MAX_KEY, &keylen);
    msg = read_file(argv[optind], MAX_MESSAGE, &msglen);
    if (key == NULL || msg == NULL) {
        fprintf(stderr, "dkim-sign: cannot read %s\n", key == NULL ? keyfile : argv[optind]);
        goto out;
    }
    wire = to_crlf(msg, msglen, &wirelen);
    lib = dkim_init(NULL, NULL);
    if (wire == NULL || lib == NULL) {
        fputs("dkim-sign: out of memory\n", stderr);
        goto out;
    }
    dkim = dkim_sign(lib, (const unsigned char *)"dkim-sign", NULL, key,
                     (const unsigned char *)selector, (const unsigned char *)domain, canon, canon,
                     DKIM_SIGN_RSASHA256, -1, &st);
    if (dkim == NULL) {
        fprintf(stderr, "dkim-sign: dkim_sign: %s\n", dkim_getresultstr(st));
        goto out;
    }
    st = dkim_chunk(dkim, wire, wirelen);
    if (st == DKIM_STAT_OK)
        st = dkim_chunk(dkim, NULL, 0);
    if (st == DKIM_STAT_OK)
        st = dkim_eom(dkim, NULL);
    if (st == DKIM_STAT_OK)
        st = dkim_getsighdr_d(dkim, strlen(DKIM_SIGNHEADER ": "), &sighdr, &siglen);
    if (st != DKIM_STAT_OK) {
        const char *why = dkim_geterror(dkim);
        fprintf(stderr, "dkim-sign: %s%s%s\n", dkim_getresultstr(st), why ? ": " : "",
                why ? why : "");
        goto out;
    }
    fputs(DKIM_SIGNHEADER ": ", stdout);
    for (size_t i = 0; i < siglen; i++)
        if (sighdr[i] != '\r')
            putchar(sighdr[i]);
    putchar('\n');
    fwrite(msg, 1, msglen, stdout);
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    if (dkim != NULL)
        (void)dkim_free(dkim);
    if (lib != NULL)
        dkim_close(lib);
    free(wire);
    free(msg);
    free(key);
    return status;
}
