/*
 * privilege.h - becoming UserID after the socket is open.
 *
 * Owns resolving "USER[:GROUP]" and the switch itself: supplementary
 * groups, group, user, each call checked, then a check that every id
 * really changed and that root cannot be regained. The daemon refuses to
 * keep running when any step fails.
 */
#ifndef OT_PRIVILEGE_H
#define OT_PRIVILEGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct ot_identity {
    char user[128];
    uid_t uid;
    gid_t gid;
} ot_identity;

/* "USER", "USER:GROUP", or numeric ids; GROUP defaults to USER's primary group. */
bool ot_privilege_lookup(const char *spec, ot_identity *out, char *err, size_t errsize);

/* Switches to id. Not root: succeeds only when already id. */
bool ot_privilege_drop(const ot_identity *id, char *err, size_t errsize);

#endif
