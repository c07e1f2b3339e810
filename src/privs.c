/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Identities: uid/gid mapping and the credential change before exec. */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <seccomp.h>

#include "nsattach.h"
#include "util.h"

/* clone()'s flags: its first argument, but on s390 and cris, where the stack
 * comes first (clone(2), "C library/kernel differences"). */
#if defined(__s390__) || defined(__CRIS__)
#define CLONE_FLAGS_ARG SCMP_A1
#else
#define CLONE_FLAGS_ARG SCMP_A0
#endif

/*
 * uid_map/gid_map as read from outside the namespace: "inside outside count"
 * per line (user_namespaces(7)), fields separated by blanks.  Returns the
 * inside id of a host id.  Each line on its own: a line with fewer fields is
 * not one (a reader that skips newlines would take the next line's numbers).
 */
int map_id(const char *map, uint32_t outside, uint32_t *ret_inside)
{
        for (const char *line = map; line && *line;) {
                const char *end = strchrnul(line, '\n');
                uint64_t f[3];
                int n = 0;
                for (const char *q = line; n < 4;) {
                        q += strspn(q, " \t");
                        if (q >= end)
                                break;
                        size_t len = strcspn(q, " \t\n");
                        if (n == 3)
                                goto next;
                        /* digits only (leading zeros as parse_uint() takes them), at most 2^32-1 */
                        f[n] = 0;
                        for (size_t i = 0; i < len; i++) {
                                if (q[i] < '0' || q[i] > '9' ||
                                    (f[n] = f[n] * 10 + (uint64_t)(q[i] - '0')) > UINT32_MAX)
                                        goto next;
                        }
                        n++;
                        q += len;
                }
                if (n == 3 && f[2] > 0 && outside >= f[1] && (uint64_t)outside - f[1] < f[2]) {
                        uint64_t v = f[0] + ((uint64_t)outside - f[1]);
                        if (v > UINT32_MAX - 1)
                                return -ERANGE;
                        *ret_inside = (uint32_t)v;
                        return 0;
                }
        next:
                line = *end ? end + 1 : end;
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

/* Groups (the target's when following it, else none), then gid, then uid:
 * once the uid changes, the right to change the rest is gone. */
int creds_apply(const struct plan *p)
{
        if (p->force_uid || p->force_gid || p->force_groups) {
                size_t n = p->force_groups ? p->ngroups : 0;
                if (setgroups(n, n ? p->groups : NULL) < 0 && !(errno == EPERM && setgroups_denied(p->proc_dirfd)))
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

        /* A session keyring of its own, empty: the caller's keys (kerberos
         * tickets, ecryptfs, dm-crypt) are not the container's. */
        if (syscall(__NR_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0 && errno != ENOSYS)
                return -errno;

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

/*
 * What a process that becomes the container's may not do, whatever the
 * target's capabilities (SPEC section 6): load code into the kernel, reach
 * the host's files by handle (the "shocker" escape), mount or remount (the
 * host's trees in the mnt view are read-only and must stay so), make a user
 * namespace of its own (where it would hold every capability again), use the
 * host-wide keyrings, widen a race with userfaultfd, or change the host's
 * clock.  ptrace, process_vm_* and perf stay: debugging tools need them, and
 * the target's capabilities decide.
 */
static const char *const denied[] = {
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
        "open_by_handle_at", "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
        "fsconfig", "fsmount", "fspick", "mount_setattr", "keyctl", "add_key", "request_key",
        "userfaultfd", "swapon", "swapoff", "reboot", "acct", "iopl", "ioperm", "quotactl",
        "lookup_dcookie", "settimeofday", "clock_settime", "clock_adjtime", "vhangup", "uselib",
        "nfsservctl",
};

/* The kernel reads an ioctl's command as 32 bits: so must the rule, or setting
 * the upper half of the argument gets past it. */
static int deny_ioctl(scmp_filter_ctx ctx, unsigned long cmd)
{
        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, (scmp_datum_t)cmd));
}

int seccomp_apply(bool container)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int r = 0;

        if (!ctx)
                return -ENOMEM;
        /* The native ABI's rules apply to the compat ones too (libseccomp
         * translates them): a 32-bit program is confined, not killed. */
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                if (((r = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && r != -EEXIST) ||
                    ((r = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0 && r != -EEXIST))
                        goto out;
        } else if (seccomp_arch_native() == SCMP_ARCH_AARCH64 &&
                   (r = seccomp_arch_add(ctx, SCMP_ARCH_ARM)) < 0 && r != -EEXIST)
                goto out;
        /* Typing into the terminal we share (TIOCSTI, lxc CVE-2016-10124), or
         * a console's selection and keyboard (TIOCLINUX). */
        if ((r = deny_ioctl(ctx, TIOCSTI)) < 0 || (r = deny_ioctl(ctx, TIOCLINUX)) < 0)
                goto out;
        if (container) {
                for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
                        int nr = seccomp_syscall_resolve_name(denied[i]);
                        if (nr != __NR_SCMP_ERROR &&
                            (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0)) < 0)
                                goto out;
                }
                /* clone3() passes its flags in memory, out of a filter's sight:
                 * ENOSYS makes the C library use clone(). */
                if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0 ||
                    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                                          SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER))) < 0 ||
                    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                          CLONE_FLAGS_ARG(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER))) < 0)
                        goto out;
        } else if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
                /* a host view keeps setuid programs working: no no_new_privs,
                 * so loading the filter needs CAP_SYS_ADMIN */
                goto out;
        }
        r = seccomp_load(ctx);
out:
        seccomp_release(ctx);
        return r;
}
