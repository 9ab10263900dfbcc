/*
 * checks_message.c - signals about the message's own Date and Message-ID.
 *
 * Mail user agents and honest MTAs always write both; bulk tools forget
 * them or make them up. DATE_SKEW compares the Date with when our side
 * received the message (the session clock, or offline the date of the
 * line our trusted writer added), never with the analyzer's clock.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "date.h"
#include "hostname.h"

bool ot_check_DATE_MISSING(const ot_ctx *ctx, ot_hit *hit)
{
    if (ctx->res->date_present)
        return false;
    ot_hit_set(hit, -2, "no Date field");
    return true;
}

bool ot_check_DATE_INVALID(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_field *f;

    if (!ctx->res->date_present || ctx->res->date_valid)
        return false;
    f = ot_message_find(ctx->msg, "Date", 0);
    if (f == NULL)
        return false;
    ot_hit_set(hit, -2, "Date \"%.60s\" is not a date", f->value);
    return true;
}

bool ot_check_DATE_SKEW(const ot_ctx *ctx, ot_hit *hit)
{
    int64_t ref = ctx->res->received_at;
    int64_t limit = (int64_t)ctx->cfg->date_skew_hours * 3600;
    int64_t diff;

    if (!ctx->res->date_valid || ref == 0)
        return false;
    diff = ctx->res->date.epoch - ref;
    if (llabs(diff) <= limit)
        return false;
    ot_hit_set(hit, -2, "Date is %lld h %s the message arrived", (long long)(llabs(diff) / 3600),
               diff > 0 ? "after" : "before");
    return true;
}

bool ot_check_MSGID_MISSING(const ot_ctx *ctx, ot_hit *hit)
{
    if (ctx->res->msgid_field != SIZE_MAX)
        return false;
    ot_hit_set(hit, -2, "no Message-ID field");
    return true;
}

/* "<left@right>": one pair of brackets, an '@', no white space or
 * control bytes, a right side that is a host name or a [literal]. */
static bool msgid_well_formed(const char *v, size_t len)
{
    const char *at;
    size_t right_len;

    while (len > 0 && isspace((unsigned char)v[len - 1]))
        len--;
    if (len < 5 || v[0] != '<' || v[len - 1] != '>')
        return false;
    v++;
    len -= 2;
    size_t i = 0;
    /* eight bytes at a time: none at or below space, none above '~', no
     * angle bracket (exact word tricks, asking only whether any byte is) */
    for (; i + 8 <= len; i += 8) {
        const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
        uint64_t x, lt, gt;
        memcpy(&x, v + i, 8);
        lt = x ^ (ones * '<');
        gt = x ^ (ones * '>');
        if ((((x - ones * 0x21u) & ~x) | ((x + ones * (127u - 0x7eu)) | x) |
             ((lt - ones) & ~lt) | ((gt - ones) & ~gt)) & highs)
            return false;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
            return false;
    }
    at = memrchr(v, '@', len);
    if (at == NULL || at == v)
        return false;
    right_len = len - (size_t)(at + 1 - v);
    if (right_len == 0)
        return false;
    if (at[1] == '[')
        return at[right_len] == ']';
    return ot_host_is_valid(at + 1, right_len);
}

bool ot_check_MSGID_INVALID(const ot_ctx *ctx, ot_hit *hit)
{
    const ot_field *f;

    if (ctx->res->msgid_field == SIZE_MAX)
        return false;
    f = &ctx->msg->fields[ctx->res->msgid_field];
    if (msgid_well_formed(f->value, f->value_len))
        return false;
    ot_hit_set(hit, -2, "Message-ID \"%.60s\" is not <left@domain>", f->value);
    return true;
}
