/*
 * privilege.c - dropping root, checking every step.
 *
 * The order is the one that cannot leave a half-dropped process: groups
 * first (they need root), then the group ids, then the user ids, all
 * three of each (real, effective, saved) so nothing can switch back.
 * Only the target's primary group is kept as a supplementary group: the
 * socket was opened and handed to that user and group before the drop,
 * and the filter needs nothing else.
 */
#include "privilege.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOKUP_BUF 16384

static bool fail(char *err, size_t errsize, const char *what, const char *name)
{
    snprintf(err, errsize, "%s %s: %s", what, name, errno != 0 ? strerror(errno) : "not found");
    return false;
}

static bool parse_id(const char *text, unsigned long *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    *out = strtoul(text, &end, 10);
    return errno == 0 && *end == '\0' && *out < 0xfffffffful;
}

bool ot_privilege_lookup(const char *spec, ot_identity *out, char *err, size_t errsize)
{
    char user[128], group[128] = "";
    char buf[LOOKUP_BUF];
    const char *colon;
    struct passwd pw, *pwp = NULL;
    struct group gr, *grp = NULL;
    unsigned long num;

    memset(out, 0, sizeof *out);
    if (spec == NULL || spec[0] == '\0' || strlen(spec) >= sizeof user + sizeof group) {
        snprintf(err, errsize, "bad user spec");
        return false;
    }
    colon = strchr(spec, ':');
    if (colon != NULL) {
        if ((size_t)(colon - spec) >= sizeof user || strlen(colon + 1) >= sizeof group) {
            snprintf(err, errsize, "user or group name too long");
            return false;
        }
        memcpy(user, spec, (size_t)(colon - spec));
        user[colon - spec] = '\0';
        memcpy(group, colon + 1, strlen(colon + 1) + 1);
    } else {
        if (strlen(spec) >= sizeof user) {
            snprintf(err, errsize, "user name too long");
            return false;
        }
        memcpy(user, spec, strlen(spec) + 1);
    }

    errno = 0;
    if (getpwnam_r(user, &pw, buf, sizeof buf, &pwp) == 0 && pwp != NULL) {
        out->uid = pwp->pw_uid;
        out->gid = pwp->pw_gid;
    } else if (parse_id(user, &num)) {
        out->uid = (uid_t)num;
        out->gid = (gid_t)num;
    } else {
        return fail(err, errsize, "unknown user", user);
    }
    snprintf(out->user, sizeof out->user, "%s", user);

    if (group[0] != '\0') {
        errno = 0;
        if (getgrnam_r(group, &gr, buf, sizeof buf, &grp) == 0 && grp != NULL)
            out->gid = grp->gr_gid;
        else if (parse_id(group, &num))
            out->gid = (gid_t)num;
        else
            return fail(err, errsize, "unknown group", group);
    }
    return true;
}

bool ot_privilege_drop(const ot_identity *id, char *err, size_t errsize)
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;

    if (geteuid() != 0) {
        if (getuid() == id->uid && geteuid() == id->uid && getegid() == id->gid)
            return true;
        snprintf(err, errsize, "cannot become %s: not running as root", id->user);
        return false;
    }
    errno = 0;
    if (setgroups(1, &id->gid) != 0)
        return fail(err, errsize, "setgroups for", id->user);
    if (setresgid(id->gid, id->gid, id->gid) != 0)
        return fail(err, errsize, "setresgid for", id->user);
    if (setresuid(id->uid, id->uid, id->uid) != 0)
        return fail(err, errsize, "setresuid for", id->user);

    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0 ||
        ruid != id->uid || euid != id->uid || suid != id->uid ||
        rgid != id->gid || egid != id->gid || sgid != id->gid) {
        snprintf(err, errsize, "ids did not change to %s", id->user);
        return false;
    }
    if (id->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errsize, "root could be regained after switching to %s", id->user);
        return false;
    }
    return true;
}
