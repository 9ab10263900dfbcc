/*
 * pidfile.h - the PidFile: written after start-up, removed at exit.
 *
 * Owns creating the file without following a symbolic link planted in
 * its place, and removing it only when it still names this process.
 */
#ifndef OT_PIDFILE_H
#define OT_PIDFILE_H

#include <stdbool.h>
#include <stddef.h>

bool ot_pidfile_write(const char *path, char *err, size_t errsize);
void ot_pidfile_remove(const char *path);

#endif
