/*
 * pidfile.c - writing and removing the PidFile.
 *
 * O_NOFOLLOW refuses a symbolic link (a directory writable by others must
 * not let them aim our root-owned write elsewhere). Removal checks that
 * the file still holds our pid: a second instance started by mistake
 * must not lose its file when ours stops.
 */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool ot_pidfile_write(const char *path, char *err, size_t errsize)
{
    char text[32];
    int len, fd;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return false;
    }
    /* 0644 whatever Umask says: the file is written as root and removed
     * after the switch to UserID, which must still read our pid in it */
    if (fchmod(fd, 0644) != 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    len = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    if (len <= 0 || write(fd, text, (size_t)len) != len) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    if (close(fd) != 0) {
        snprintf(err, errsize, "%s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

void ot_pidfile_remove(const char *path)
{
    char text[32];
    ssize_t n;
    int fd;

    if (path == NULL || path[0] == '\0')
        return;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return;
    text[n] = '\0';
    if (strtol(text, NULL, 10) == (long)getpid())
        (void)unlink(path);
}
