/*
 * resolver.c - every DNS lookup on one shared libunbound context (see
 * resolver.h).
 *
 * Owns: the ub_ctx (threaded async mode: libunbound runs its own worker
 * thread and keeps the cache, TTLs as the answers give them), one service
 * thread that calls ub_process() whenever libunbound's result pipe is
 * readable, the per-message batches, and the bounded decoders of the
 * rdata libunbound hands over.
 *
 * Why a batch is reference counted: libunbound calls back from the
 * service thread, and ub_cancel() in threaded mode only marks a query; a
 * callback already taken off libunbound's list still runs after the
 * cancel. So every query whose callback may still come holds a
 * reference, the owner holds one, and whoever drops the last frees the
 * batch. ub_cancel() succeeding means the query was still on libunbound's
 * list, so its callback will never run and its reference is dropped at
 * once; failing means the callback is on its way and drops it itself.
 *
 * Why answers are published once: a caller reads an answer without the
 * batch lock, so an answer is handed out only when final (never written
 * again); until then the caller sees a shared, constant PENDING answer.
 *
 * Locking: batch lock, then libunbound's own locks (ub_cancel under the
 * batch lock); libunbound releases its locks before calling back, so the
 * callback's taking the batch lock cannot deadlock. ub_resolve_async()
 * is called without the batch lock because it may block on a full
 * request pipe while the service thread waits for that lock.
 *
 * Limits: OT_DNS_MAX_QUERIES per batch, names of 1..253 bytes of
 * printable ASCII without backslash or quote (libunbound reads escapes),
 * OT_DNS_MAX_RR records per answer, rdata of at most 65535 bytes. Every
 * batch must be freed before its resolver.
 */
#include "resolver.h"

#include <ctype.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#define RR_CLASS_IN 1
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_NXDOMAIN 3
#define RDATA_MAX 65535

struct ot_resolver {
    struct ub_ctx *ctx;
    pthread_t service;
    bool service_running;
    int wake[2];              /* a byte written here stops the service thread */
    atomic_bool broken;       /* libunbound's result pipe failed: nothing more will come */
};

struct query_slot {
    ot_dns_batch *batch;
    int async_id;
    bool callback_due;        /* libunbound may still call back for this slot */
    bool final;               /* answer is published and never written again */
    struct ub_result *result; /* owns the rdata the answer points into */
    ot_dns_answer answer;
    char name[OT_DNS_NAME_MAX + 2]; /* as asked, lower case, no final dot: for reuse */
};

struct ot_dns_batch {
    ot_resolver *resolver;
    pthread_mutex_t lock;
    pthread_cond_t changed;   /* a slot became final */
    struct timespec deadline; /* CLOCK_MONOTONIC */
    unsigned refs;            /* the owner + every slot whose callback is due */
    size_t nslots;
    struct query_slot slots[OT_DNS_MAX_QUERIES];
};

static const ot_dns_answer answer_pending = { .status = OT_DNS_PENDING };
static const ot_dns_answer answer_refused = { .status = OT_DNS_LIMIT };

static void set_err(char *err, size_t errsize, const char *what, const char *detail)
{
    if (err != NULL && errsize > 0)
        snprintf(err, errsize, "%s%s%s", what, detail != NULL ? ": " : "",
                 detail != NULL ? detail : "");
}

/* ---- the service thread ---------------------------------------------------- */

static void *service_main(void *arg)
{
    ot_resolver *r = arg;
    struct pollfd fds[2];

    fds[0].fd = ub_fd(r->ctx);
    fds[0].events = POLLIN;
    fds[1].fd = r->wake[0];
    fds[1].events = POLLIN;
    for (;;) {
        fds[0].revents = fds[1].revents = 0;
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents != 0)
            return NULL;
        if (fds[0].revents & (POLLERR | POLLNVAL))
            break;
        if ((fds[0].revents & (POLLIN | POLLHUP)) && ub_process(r->ctx) != 0)
            break;
    }
    /* the pipe to libunbound's worker is gone: queries can only time out */
    atomic_store(&r->broken, true);
    return NULL;
}

static bool service_start(ot_resolver *r)
{
    sigset_t all, old;
    int rc;

    if (pipe(r->wake) != 0)
        return false;
    (void)fcntl(r->wake[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(r->wake[1], F_SETFD, FD_CLOEXEC);
    /* the thread must not take signals meant for the program's own handling */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&r->service, NULL, service_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        close(r->wake[0]);
        close(r->wake[1]);
        return false;
    }
    r->service_running = true;
    return true;
}

/* ---- the context ------------------------------------------------------------ */

/* libunbound's built-in zones that "unblock-lan-zones" leaves in place
 * (the AS112 and documentation reverse zones go with that option).
 * "transparent" rather than "nodefault": ub_ctx_set_option() stores a
 * nodefault entry with its type word attached, so libunbound never
 * matches it; an explicit zone of any type replaces the default. */
static const char *const kept_default_zones[] = {
    "localhost.", "127.in-addr.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
    "home.arpa.", "onion.", "test.", "invalid.",
};

static bool forward_everything(struct ub_ctx *ctx, const ot_name_list *servers, char *err,
                               size_t errsize)
{
    char zone[128];

    for (size_t i = 0; i < servers->count; i++) {
        int rc = ub_ctx_set_fwd(ctx, servers->items[i]);
        if (rc != 0) {
            snprintf(err, errsize, "Nameservers: \"%.64s\" is not an address[@port]: %s",
                     servers->items[i], ub_strerror(rc));
            return false;
        }
    }
    if (ub_ctx_set_option(ctx, "unblock-lan-zones:", "yes") != 0) {
        set_err(err, errsize, "libunbound refused unblock-lan-zones", NULL);
        return false;
    }
    for (size_t i = 0; i < sizeof kept_default_zones / sizeof kept_default_zones[0]; i++) {
        snprintf(zone, sizeof zone, "%s transparent", kept_default_zones[i]);
        if (ub_ctx_set_option(ctx, "local-zone:", zone) != 0) {
            set_err(err, errsize, "libunbound refused local-zone", kept_default_zones[i]);
            return false;
        }
    }
    return true;
}

ot_resolver *ot_resolver_new(const ot_config *cfg, char *err, size_t errsize)
{
    ot_resolver *r;
    char scratch[8];
    int rc;

    if (err == NULL || errsize == 0) {
        err = scratch;
        errsize = sizeof scratch;
    }
    err[0] = '\0';
    if (cfg == NULL) {
        set_err(err, errsize, "no configuration", NULL);
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        set_err(err, errsize, "out of memory", NULL);
        return NULL;
    }
    atomic_init(&r->broken, false);
    r->ctx = ub_ctx_create();
    if (r->ctx == NULL) {
        set_err(err, errsize, "cannot create the libunbound context", NULL);
        free(r);
        return NULL;
    }
    if ((rc = ub_ctx_async(r->ctx, 1)) != 0) {
        set_err(err, errsize, "libunbound cannot run threaded", ub_strerror(rc));
        goto fail;
    }
    /* forwarders on loopback (a local resolver, the test server) are the
     * usual case; no DNSSEC validation is wanted, so no validator */
    if (ub_ctx_set_option(r->ctx, "do-not-query-localhost:", "no") != 0 ||
        ub_ctx_set_option(r->ctx, "module-config:", "iterator") != 0 ||
        /* a forwarder that was down is asked again, instead of every
         * query failing until libunbound's infra cache forgets it */
        ub_ctx_set_option(r->ctx, "infra-keep-probing:", "yes") != 0) {
        set_err(err, errsize, "libunbound refused an option", NULL);
        goto fail;
    }
    if (cfg->nameservers.count > 0) {
        if (!forward_everything(r->ctx, &cfg->nameservers, err, errsize))
            goto fail;
    } else if ((rc = ub_ctx_resolvconf(r->ctx, NULL)) != 0) {
        /* /etc/hosts is deliberately not read: evidence about a remote
         * client is what public DNS says, not this machine's overrides */
        set_err(err, errsize, "cannot use /etc/resolv.conf", ub_strerror(rc));
        goto fail;
    }
    if (!service_start(r)) {
        set_err(err, errsize, "cannot start the DNS service thread", NULL);
        goto fail;
    }
    return r;
fail:
    ub_ctx_delete(r->ctx);
    free(r);
    return NULL;
}

void ot_resolver_free(ot_resolver *r)
{
    if (r == NULL)
        return;
    if (r->service_running) {
        char byte = 0;
        ssize_t n;
        do
            n = write(r->wake[1], &byte, 1);
        while (n < 0 && errno == EINTR);
        pthread_join(r->service, NULL);
        close(r->wake[0]);
        close(r->wake[1]);
    }
    /* after the service thread: ub_ctx_delete reads the result pipe itself */
    ub_ctx_delete(r->ctx);
    free(r);
}

/* ---- time --------------------------------------------------------------------- */

static struct timespec monotonic_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now;
}

static bool deadline_passed(const ot_dns_batch *b)
{
    struct timespec now = monotonic_now();
    return now.tv_sec > b->deadline.tv_sec ||
           (now.tv_sec == b->deadline.tv_sec && now.tv_nsec >= b->deadline.tv_nsec);
}

unsigned ot_dns_batch_remaining_ms(const ot_dns_batch *b)
{
    struct timespec now;
    long long ms;

    if (b == NULL)
        return 0;
    now = monotonic_now();
    ms = (long long)(b->deadline.tv_sec - now.tv_sec) * 1000 +
         (b->deadline.tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? (unsigned)ms : 0;
}

/* ---- batches ------------------------------------------------------------------- */

ot_dns_batch *ot_dns_batch_new(ot_resolver *r, unsigned timeout_ms)
{
    ot_dns_batch *b;
    pthread_condattr_t attr;

    if (r == NULL)
        return NULL;
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    if (pthread_condattr_init(&attr) != 0) {
        free(b);
        return NULL;
    }
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (pthread_cond_init(&b->changed, &attr) != 0) {
        pthread_condattr_destroy(&attr);
        free(b);
        return NULL;
    }
    pthread_condattr_destroy(&attr);
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        pthread_cond_destroy(&b->changed);
        free(b);
        return NULL;
    }
    b->resolver = r;
    b->refs = 1;
    b->deadline = monotonic_now();
    b->deadline.tv_sec += (time_t)(timeout_ms / 1000u);
    b->deadline.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (b->deadline.tv_nsec >= 1000000000L) {
        b->deadline.tv_sec++;
        b->deadline.tv_nsec -= 1000000000L;
    }
    return b;
}

static void batch_destroy(ot_dns_batch *b)
{
    for (size_t i = 0; i < b->nslots; i++)
        if (b->slots[i].result != NULL)
            ub_resolve_free(b->slots[i].result);
    pthread_cond_destroy(&b->changed);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

/* Fills a slot's answer from libunbound's result (batch lock held). */
static void answer_from_result(ot_dns_answer *a, int err, const struct ub_result *res)
{
    if (err != 0 || res == NULL) {
        a->status = OT_DNS_SERVFAIL;
        return;
    }
    a->ttl = res->ttl > 0 ? (unsigned)res->ttl : 0;
    if (res->havedata && res->data != NULL && res->data[0] != NULL) {
        for (size_t i = 0; res->data[i] != NULL && a->count < OT_DNS_MAX_RR; i++) {
            if (res->len[i] < 0 || res->len[i] > RDATA_MAX)
                continue;
            a->rdata[a->count] = (const unsigned char *)res->data[i];
            a->rdlen[a->count] = (size_t)res->len[i];
            a->count++;
        }
        a->status = a->count > 0 ? OT_DNS_OK : OT_DNS_SERVFAIL;
    } else if (res->nxdomain || res->rcode == DNS_RCODE_NXDOMAIN) {
        a->status = OT_DNS_NXDOMAIN;
    } else if (res->rcode == DNS_RCODE_NOERROR) {
        a->status = OT_DNS_NODATA;
    } else {
        a->status = OT_DNS_SERVFAIL;   /* SERVFAIL, REFUSED, FORMERR, ... */
    }
}

/* Called by libunbound on the service thread. */
static void on_answer(void *arg, int err, struct ub_result *res)
{
    struct query_slot *slot = arg;
    ot_dns_batch *b = slot->batch;
    bool last;

    pthread_mutex_lock(&b->lock);
    if (!slot->final) {
        answer_from_result(&slot->answer, err, res);
        slot->result = res;
        slot->final = true;
        res = NULL;
    }
    slot->callback_due = false;
    last = --b->refs == 0;
    pthread_cond_broadcast(&b->changed);
    pthread_mutex_unlock(&b->lock);
    if (res != NULL)
        ub_resolve_free(res);   /* it came after the deadline: nobody wants it */
    if (last)
        batch_destroy(b);
}

/* Gives up on a slot's query (batch lock held). */
static void slot_abandon(ot_dns_batch *b, struct query_slot *slot)
{
    if (!slot->final) {
        slot->answer.status = OT_DNS_TIMEOUT;
        slot->final = true;
    }
    if (slot->callback_due && ub_cancel(b->resolver->ctx, slot->async_id) == 0) {
        slot->callback_due = false;
        b->refs--;   /* never the last: the caller holds the owner's reference */
    }
}

/* The deadline passed: everything still out is a timeout (lock held). */
static void expire_locked(ot_dns_batch *b)
{
    for (size_t i = 0; i < b->nslots; i++)
        if (!b->slots[i].final)
            slot_abandon(b, &b->slots[i]);
}

/* 1..253 bytes (one trailing dot allowed), labels of 1..63 printable bytes. */
static bool query_name_ok(const char *name)
{
    size_t len, label = 0;

    if (name == NULL)
        return false;
    len = strnlen(name, OT_DNS_NAME_MAX + 2);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > OT_DNS_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"') {
            return false;
        } else if (++label > 63) {
            return false;
        }
    }
    return label > 0;
}

/* The name as slots keep it; false if it does not fit. */
static bool slot_key(const char *name, char *key, size_t keysize)
{
    size_t n = strnlen(name, keysize);

    if (n >= keysize)
        return false;
    if (n > 0 && name[n - 1] == '.')
        n--;
    for (size_t i = 0; i < n; i++)
        key[i] = (char)tolower((unsigned char)name[i]);
    key[n] = '\0';
    return true;
}

/* A slot already asked for this name and type (only the owner's thread
 * adds slots, so the names and types need no lock). */
static int find_slot(const ot_dns_batch *b, const char *key, int rrtype)
{
    for (size_t i = 0; i < b->nslots; i++)
        if (b->slots[i].answer.rrtype == rrtype && strcmp(b->slots[i].name, key) == 0)
            return (int)i;
    return -1;
}

int ot_dns_batch_add(ot_dns_batch *b, const char *name, int rrtype)
{
    struct query_slot *slot;
    char key[OT_DNS_NAME_MAX + 2];
    int index, rc, id = 0;
    bool ask;

    if (b == NULL || rrtype <= 0 || rrtype > 65535 || !query_name_ok(name) ||
        !slot_key(name, key, sizeof key))
        return -1;
    if ((index = find_slot(b, key, rrtype)) >= 0)
        return index;
    if (b->nslots >= OT_DNS_MAX_QUERIES)
        return -1;
    index = (int)b->nslots;
    slot = &b->slots[b->nslots];
    pthread_mutex_lock(&b->lock);
    memset(slot, 0, sizeof *slot);
    slot->batch = b;
    slot->answer.rrtype = rrtype;
    memcpy(slot->name, key, strlen(key) + 1);
    b->nslots++;
    if (deadline_passed(b)) {
        slot->answer.status = OT_DNS_TIMEOUT;
        slot->final = true;
    } else if (atomic_load(&b->resolver->broken)) {
        slot->answer.status = OT_DNS_ERROR;
        slot->final = true;
    } else {
        slot->callback_due = true;
        b->refs++;
    }
    ask = !slot->final;
    pthread_mutex_unlock(&b->lock);
    if (!ask)
        return index;

    rc = ub_resolve_async(b->resolver->ctx, name, rrtype, RR_CLASS_IN, slot, on_answer, &id);

    pthread_mutex_lock(&b->lock);
    if (rc != 0) {
        /* not queued: no callback will come */
        if (slot->callback_due) {
            slot->callback_due = false;
            b->refs--;
        }
        if (!slot->final) {
            slot->answer.status = OT_DNS_ERROR;
            slot->final = true;
        }
    } else {
        slot->async_id = id;
    }
    pthread_mutex_unlock(&b->lock);
    return index;
}

static bool all_final(const ot_dns_batch *b)
{
    for (size_t i = 0; i < b->nslots; i++)
        if (!b->slots[i].final)
            return false;
    return true;
}

void ot_dns_batch_wait(ot_dns_batch *b)
{
    if (b == NULL)
        return;
    pthread_mutex_lock(&b->lock);
    while (!all_final(b)) {
        if (deadline_passed(b)) {
            expire_locked(b);
            break;
        }
        (void)pthread_cond_timedwait(&b->changed, &b->lock, &b->deadline);
    }
    pthread_mutex_unlock(&b->lock);
}

const ot_dns_answer *ot_dns_batch_wait_one(ot_dns_batch *b, int index)
{
    struct query_slot *slot;

    if (b == NULL || index < 0 || (size_t)index >= b->nslots)
        return &answer_refused;
    slot = &b->slots[index];
    pthread_mutex_lock(&b->lock);
    while (!slot->final) {
        if (deadline_passed(b)) {
            expire_locked(b);
            break;
        }
        (void)pthread_cond_timedwait(&b->changed, &b->lock, &b->deadline);
    }
    pthread_mutex_unlock(&b->lock);
    return &slot->answer;
}

const ot_dns_answer *ot_dns_batch_get(const ot_dns_batch *b, int index)
{
    /* the lock and the slots are mutable state behind a const handle */
    ot_dns_batch *mb = (ot_dns_batch *)b;
    const ot_dns_answer *a;

    if (b == NULL || index < 0 || (size_t)index >= b->nslots)
        return &answer_refused;
    pthread_mutex_lock(&mb->lock);
    if (!mb->slots[index].final && deadline_passed(mb))
        expire_locked(mb);
    a = mb->slots[index].final ? &mb->slots[index].answer : &answer_pending;
    pthread_mutex_unlock(&mb->lock);
    return a;
}

void ot_dns_batch_free(ot_dns_batch *b)
{
    bool last;

    if (b == NULL)
        return;
    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; i < b->nslots; i++)
        slot_abandon(b, &b->slots[i]);
    last = --b->refs == 0;
    pthread_mutex_unlock(&b->lock);
    if (last)
        batch_destroy(b);
}

/* ---- decoding ------------------------------------------------------------------ */

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

size_t ot_dns_answer_addrs(const ot_dns_answer *a, ot_addr *out, size_t max)
{
    size_t n = 0;

    if (a == NULL || out == NULL || a->status != OT_DNS_OK)
        return 0;
    for (size_t i = 0; i < a->count && i < OT_DNS_MAX_RR && n < max; i++) {
        const unsigned char *p = a->rdata[i];
        ot_addr *o = &out[n];

        if (p == NULL)
            continue;
        memset(o, 0, sizeof *o);
        if (a->rrtype == OT_RR_A && a->rdlen[i] == 4) {
            o->family = 4;
            memcpy(o->bytes, p, 4);
        } else if (a->rrtype == OT_RR_AAAA && a->rdlen[i] == 16) {
            /* the same address however it is written, as ot_addr_parse does */
            if (memcmp(p, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0) {
                o->family = 4;
                memcpy(o->bytes, p + 12, 4);
            } else {
                o->family = 6;
                memcpy(o->bytes, p, 16);
            }
        } else {
            continue;
        }
        n++;
    }
    return n;
}

/* An uncompressed wire-format name filling exactly len bytes, as text.
 * Labels must be printable and free of '.' and '\\', so the text reads
 * back as the same labels. */
static size_t wire_name(const unsigned char *p, size_t len, char *out, size_t outsize)
{
    size_t pos = 0, used = 0;

    for (;;) {
        size_t label;

        if (pos >= len)
            return 0;
        label = p[pos++];
        if (label == 0)
            break;
        if (label > 63 || label > len - pos)   /* compression pointers included */
            return 0;
        if (used + (used > 0) + label > OT_DNS_NAME_MAX || used + (used > 0) + label >= outsize)
            return 0;
        if (used > 0)
            out[used++] = '.';
        for (size_t i = 0; i < label; i++) {
            unsigned char c = p[pos + i];
            if (c <= 0x20 || c >= 0x7f || c == '.' || c == '\\')
                return 0;
            out[used++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        pos += label;
    }
    if (pos != len || used == 0)   /* trailing bytes, or the root */
        return 0;
    out[used] = '\0';
    return used;
}

size_t ot_dns_answer_name(const ot_dns_answer *a, size_t i, char *out, size_t outsize,
                          unsigned *pref)
{
    const unsigned char *p;
    size_t len, n;

    if (out != NULL && outsize > 0)
        out[0] = '\0';
    if (pref != NULL)
        *pref = 0;
    if (a == NULL || out == NULL || outsize == 0 || a->status != OT_DNS_OK || i >= a->count ||
        i >= OT_DNS_MAX_RR || a->rdata[i] == NULL)
        return 0;
    p = a->rdata[i];
    len = a->rdlen[i];
    switch (a->rrtype) {
    case OT_RR_PTR:
    case OT_RR_CNAME:
    case OT_RR_NS:
        n = wire_name(p, len, out, outsize);
        break;
    case OT_RR_MX:
        if (len < 3)
            return 0;
        n = wire_name(p + 2, len - 2, out, outsize);
        if (n > 0 && pref != NULL)
            *pref = (unsigned)p[0] << 8 | p[1];
        break;
    default:
        return 0;
    }
    if (n == 0)
        out[0] = '\0';
    return n;
}

size_t ot_dns_answer_txt(const ot_dns_answer *a, size_t i, char *out, size_t outsize)
{
    const unsigned char *p;
    size_t len, pos = 0, used = 0;

    if (out != NULL && outsize > 0)
        out[0] = '\0';
    if (a == NULL || out == NULL || outsize == 0 || a->status != OT_DNS_OK ||
        a->rrtype != OT_RR_TXT || i >= a->count || i >= OT_DNS_MAX_RR || a->rdata[i] == NULL)
        return 0;
    p = a->rdata[i];
    len = a->rdlen[i];
    while (pos < len) {
        size_t piece = p[pos++], take;

        if (piece > len - pos) {   /* a string running past the record */
            out[0] = '\0';
            return 0;
        }
        take = piece < outsize - 1 - used ? piece : outsize - 1 - used;
        memcpy(out + used, p + pos, take);
        used += take;
        pos += piece;
    }
    out[used] = '\0';
    return used;
}

bool ot_dns_reverse_name(const ot_addr *a, const char *zone, char *out, size_t outsize)
{
    static const char hex[] = "0123456789abcdef";
    char buf[OT_DNS_NAME_MAX + 2];
    size_t used = 0, zlen;
    int n;

    if (a == NULL || out == NULL || outsize == 0)
        return false;
    out[0] = '\0';
    if (zone == NULL || zone[0] == '\0')
        zone = a->family == 4 ? "in-addr.arpa" : "ip6.arpa";
    zlen = strnlen(zone, OT_DNS_NAME_MAX + 1);
    if (zlen > 0 && zone[zlen - 1] == '.')
        zlen--;
    if (zlen == 0 || zlen > OT_DNS_NAME_MAX || zone[0] == '.')
        return false;
    if (a->family == 4) {
        n = snprintf(buf, sizeof buf, "%u.%u.%u.%u.", a->bytes[3], a->bytes[2], a->bytes[1],
                     a->bytes[0]);
        if (n < 0)
            return false;
        used = (size_t)n;
    } else if (a->family == 6) {
        for (int i = 15; i >= 0; i--) {
            buf[used++] = hex[a->bytes[i] & 0x0f];
            buf[used++] = '.';
            buf[used++] = hex[a->bytes[i] >> 4];
            buf[used++] = '.';
        }
    } else {
        return false;
    }
    if (used + zlen > OT_DNS_NAME_MAX || used + zlen >= outsize)
        return false;
    memcpy(out, buf, used);
    memcpy(out + used, zone, zlen);
    out[used + zlen] = '\0';
    return true;
}
