/*
 * config_load.h - reading origin-trace.conf from disk.
 *
 * Owns the file side of configuration: opening the file, splitting lines,
 * following Include (depth OT_MAX_INCLUDE_DEPTH, relative to the including
 * file), reading a TrustedRelays file, and naming FILE:LINE in every error.
 * The meaning of each key lives in core/config.c.
 */
#ifndef OT_CONFIG_LOAD_H
#define OT_CONFIG_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Loads path into cfg (which must be initialised with ot_config_init).
 * On failure returns false and writes "FILE:LINE: reason" into err. */
bool ot_config_load(ot_config *cfg, const char *path, char *err, size_t errsize);

/* Adds TrustedRelays given on a command line: a list, or a file path when
 * it names a readable file. */
bool ot_config_add_trusted_arg(ot_config *cfg, const char *arg, char *err, size_t errsize);

#endif
