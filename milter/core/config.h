/*
 * config.h - the settings of origin-trace.conf as plain data.
 *
 * Owns: the one table of configuration keys (name, kind, where stored,
 * default), applying a "Key value" pair to an ot_config, and the defaults.
 * Reading files (the config itself, Include, a TrustedRelays file) is the
 * caller's job: see milter/common/config_load.c. Keys of the daemon live
 * here too, so that one file serves both programs and an unknown key is an
 * error for both.
 */
#ifndef OT_CONFIG_H
#define OT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "limits.h"
#include "signals.h"

enum ot_mode { OT_MODE_ENFORCE = 0, OT_MODE_MONITOR = 1 };
enum ot_on_error { OT_ON_ERROR_ACCEPT = 0, OT_ON_ERROR_TEMPFAIL = 1 };
enum ot_header_pos { OT_HEADER_TOP = 0, OT_HEADER_BOTTOM = 1 };

typedef struct ot_name_list {
    char **items;
    size_t count;           /* never more than OT_MAX_NAMES */
    bool is_default;        /* the first explicit setting replaces the defaults */
} ot_name_list;

typedef struct ot_provider {
    char name[64];
    ot_name_list domains;   /* a HELO/by name under one of these claims the provider */
} ot_provider;

#define OT_MAX_PROVIDERS 32u

/* Name lists hashed for suffix lookup (name_index.c); built by this file
 * whenever the lists it covers change, read-only afterwards. */
typedef struct ot_name_slot {
    const char *name;       /* NULL: empty slot */
    uint32_t len, hash, bits;
} ot_name_slot;

typedef struct ot_name_index {
    ot_name_slot *slots;
    size_t mask;            /* slots - 1 (a power of two minus one) */
    char *text;             /* the entries' copies */
    bool ready;             /* false: ask the lists themselves */
} ot_name_index;

/* The DynamicPatterns by the low five bits of their lower-cased first
 * byte: index + 1 of the first pattern, 0 if none, then of the next with
 * the same bits (hostname.c walks it). */
typedef struct ot_pattern_index {
    uint16_t first[32];
    uint16_t next[OT_MAX_NAMES];
    bool has_empty;         /* some pattern is "" */
    bool ready;
} ot_pattern_index;

/* What one return code of one DNS blocklist means. */
typedef struct ot_dnsbl_code {
    char zone[OT_HOST_SIZE];
    ot_addr code;           /* in 127.0.0.0/8 */
    double weight;          /* 0: the code is not a listing (e.g. "query refused") */
} ot_dnsbl_code;

#define OT_MAX_DNSBL_CODES 64u
#define OT_MAX_DNSBL_ZONES 8u   /* DNSBLZones entries: each costs a lookup per message */

typedef struct ot_config {
    /* analysis */
    ot_cidr_list trusted;
    ot_name_list local_hostnames;
    enum ot_mode mode;
    double reject_score, quarantine_score;
    double weight[OT_SIG_COUNT];
    char header_name[64];
    enum ot_header_pos header_position;
    ot_provider providers[OT_MAX_PROVIDERS];
    size_t nproviders;
    ot_name_list dynamic_patterns;   /* substrings marking dynamic reverse names */
    unsigned max_received;           /* RCVD_TOO_MANY above this */
    unsigned date_skew_hours;        /* DATE_SKEW beyond this */
    unsigned future_minutes;         /* RCVD_DATE_FUTURE / reversal tolerance */
    /* indexes of the lists above, rebuilt by config.c when one changes */
    ot_name_index provider_index;    /* providers[i].domains is bit i */
    ot_name_index local_index;       /* local_hostnames is bit 0 */
    ot_pattern_index dynamic_index;  /* dynamic_patterns */

    /* DNS (issue 4) */
    bool dns;
    ot_name_list nameservers;
    unsigned dns_timeout;
    ot_name_list dnsbl_zones;
    ot_dnsbl_code dnsbl_codes[OT_MAX_DNSBL_CODES];
    size_t ndnsbl_codes;
    enum ot_on_error on_dns_error;
    bool spf;                        /* evaluate SPF when DNS is on */
    bool dkim;                       /* verify DKIM signatures when DNS is on */

    /* daemon */
    char socket[256];
    char user_id[128];
    char pid_file[256];
    unsigned umask_value;
    bool syslog;
    char syslog_facility[32];
    int log_level;                   /* 0 errors .. 3 debug */
    enum ot_on_error on_error;
    ot_name_list exempt_recipients;
    ot_cidr_list exempt_clients;
    bool exempt_authenticated;
    char reject_text[256];
} ot_config;

void ot_config_init(ot_config *c);      /* every default */
void ot_config_free(ot_config *c);

enum ot_conf_status {
    OT_CONF_OK = 0,
    OT_CONF_UNKNOWN_KEY,
    OT_CONF_BAD_VALUE,
    OT_CONF_INCLUDE,       /* key is Include: caller reads the file in value */
    OT_CONF_TRUSTED_FILE,  /* TrustedRelays names a file: caller reads it */
};

/* Applies one "Key value" pair (value already trimmed). On error writes a
 * reason (no file or line: the caller adds them) into err. */
enum ot_conf_status ot_config_apply(ot_config *c, const char *key, const char *value,
                                    char *err, size_t errsize);

/* Adds comma/space separated addresses or CIDRs. */
bool ot_config_add_trusted(ot_config *c, const char *list, char *err, size_t errsize);

/* Splits one config line into key and value in place; returns false for a
 * blank or comment-only line. */
bool ot_config_split_line(char *line, char **key, char **value);

/* Looks up a signal by name; -1 if unknown. */
int ot_config_signal_index(const char *name);
/* The DNSBLCode entry for this zone and return code, or NULL. */
const ot_dnsbl_code *ot_config_dnsbl_code(const ot_config *c, const char *zone, const ot_addr *code);

/* Adds one entry to a name list (lower-cased, bounded); false when full. */
bool ot_name_list_add(ot_name_list *l, const char *name, size_t len);
void ot_name_list_free(ot_name_list *l);

/* The index-th key of the table, or NULL past the end (for checks that
 * every key is documented and tested). */
const char *ot_config_key_name(size_t index);

#endif
