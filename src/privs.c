/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Identities: uid/gid mapping and the credential change before exec. */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <cap-ng.h>
#include <linux/capability.h>

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

/*
 * A process that becomes the container's (SPEC section 6): whatever it loads
 * may be the container's, so it gets no more than the target has, fixed
 * before exec.  The order is the one that keeps the right to do each step:
 * the bounding set while CAP_SETPCAP is ours, then groups/gid/uid (keepcaps
 * across the uid change), then the capability sets, then no_new_privs.
 *
 * After exec as root the kernel gives permitted = bounding set; with
 * no_new_privs it is capped by the permitted set held before exec
 * (cap_bprm_creds_from_file), so the program ends with the target's
 * permitted set, inheritable and ambient empty (runc CVE-2022-29162).
 */
int confine_apply(const struct plan *p)
{
        const struct confine *c = &p->confine;
        int r;

        if (!c->on)
                return creds_apply(p);

        for (int cap = 0; cap < 64; cap++) {
                if (c->cap_bnd & (UINT64_C(1) << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) /* EINVAL: past the last */
                        return -errno;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return -errno;
        if ((r = creds_apply(p)) < 0)
                return r;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return -errno;

        capng_clear(CAPNG_SELECT_CAPS);
        for (int cap = 0; cap <= CAP_LAST_CAP && cap < 64; cap++) {
                uint64_t bit = UINT64_C(1) << cap;
                if ((c->cap_prm & bit) && capng_update(CAPNG_ADD, CAPNG_PERMITTED, (unsigned)cap) < 0)
                        return -EINVAL;
                if ((c->cap_eff & c->cap_prm & bit) && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, (unsigned)cap) < 0)
                        return -EINVAL;
        }
        /* libcap-ng does not set errno: the only way capset() fails here is
         * asking for a capability we no longer hold. */
        if (capng_apply(CAPNG_SELECT_CAPS) < 0)
                return -EPERM;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;

        /* Read back what capset() cannot report well. */
        capng_clear(CAPNG_SELECT_BOTH);
        if (capng_get_caps_process() < 0)
                return -EIO;
        for (int cap = 0; cap <= CAP_LAST_CAP && cap < 64; cap++) {
                bool want = c->cap_prm & (UINT64_C(1) << cap);
                if (capng_have_capability(CAPNG_PERMITTED, (unsigned)cap) != want ||
                    capng_have_capability(CAPNG_INHERITABLE, (unsigned)cap))
                        return -EPERM;
        }
        return 0;
}
