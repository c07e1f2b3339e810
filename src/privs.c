/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Identities: uid/gid mapping and the credential change before exec. */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "nsattach.h"
#include "util.h"

/*
 * uid_map/gid_map as read from outside the namespace: "inside outside count"
 * per line (user_namespaces(7)).  Returns the inside id of a host id.
 */
int map_id(const char *map, uint32_t outside, uint32_t *ret_inside)
{
        const char *line = map;

        while (line && *line) {
                unsigned long in, out, count;
                if (sscanf(line, "%lu %lu %lu", &in, &out, &count) == 3 && count > 0 &&
                    in <= UINT32_MAX && out <= UINT32_MAX && count <= UINT32_MAX &&
                    outside >= out && (uint64_t)outside - out < count) {
                        uint64_t v = in + ((uint64_t)outside - out);
                        if (v > UINT32_MAX - 1)
                                return -ERANGE;
                        *ret_inside = (uint32_t)v;
                        return 0;
                }
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -ERANGE;
}

/* An unprivileged user namespace may forbid setgroups(2) ("deny" in /proc/PID/setgroups). */
static bool setgroups_denied(int proc_dirfd)
{
        _cleanup_free_ char *s = NULL;

        if (read_file_at(proc_dirfd, "thread-self/setgroups", &s, NULL) < 0)
                return false;
        return strncmp(s, "deny", 4) == 0;
}

/* Groups, then gid, then uid: once the uid changes, the right to change the rest is gone. */
int creds_apply(const struct plan *p)
{
        if (p->force_uid || p->force_gid) {
                if (setgroups(0, NULL) < 0 && !(errno == EPERM && setgroups_denied(p->proc_dirfd)))
                        return -errno;
        }
        if (p->force_gid && setresgid(p->gid, p->gid, p->gid) < 0)
                return -errno;
        if (p->force_uid && setresuid(p->uid, p->uid, p->uid) < 0)
                return -errno;
        return 0;
}
