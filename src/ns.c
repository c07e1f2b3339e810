/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The namespace table, opening namespace files, entering them and checking the result. */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cap-ng.h>

#include "missing.h"
#include "nsattach.h"
#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

const struct ns_info ns_table[_NS_MAX] = {
        [NS_USER] = { "user", NULL, "user", 'U', CLONE_NEWUSER, false },
        [NS_CGROUP] = { "cgroup", NULL, "cgroup", 'C', CLONE_NEWCGROUP, false },
        [NS_IPC] = { "ipc", NULL, "ipc", 'i', CLONE_NEWIPC, false },
        [NS_UTS] = { "uts", NULL, "uts", 'u', CLONE_NEWUTS, false },
        [NS_NET] = { "net", NULL, "net", 'n', CLONE_NEWNET, false },
        [NS_PID] = { "pid", "pid_for_children", "pid", 'p', CLONE_NEWPID, true },
        [NS_MNT] = { "mnt", NULL, "mount", 'm', CLONE_NEWNS, false },
        [NS_TIME] = { "time", "time_for_children", "time", 'T', CLONE_NEWTIME, true },
};

int ns_from_clone_flag(int flag)
{
        for (int i = 0; i < _NS_MAX; i++)
                if (ns_table[i].clone_flag == flag)
                        return i;
        return -EINVAL;
}

int ns_open_file(const char *path, int want_flag, int *ret_fd, dev_t *ret_dev, ino_t *ret_ino)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct statfs sfs;
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (sfs.f_type != NSFS_MAGIC)
                return -ENOTTY; /* not a namespace file */
        int type = ioctl(fd, NS_GET_NSTYPE);
        /* ENOTTY: a kernel without NS_GET_NSTYPE; setns() checks the type then. */
        if (type >= 0 && type != want_flag)
                return -EMEDIUMTYPE;
        *ret_dev = st.st_dev;
        *ret_ino = st.st_ino;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

bool caller_is_privileged(void)
{
        capng_clear(CAPNG_SELECT_BOTH);
        if (capng_get_caps_process() != 0)
                return geteuid() == 0;
        return capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN);
}

static int setns_slot(struct plan *p, enum ns_type i)
{
        if (setns(p->ns[i].fd, ns_table[i].clone_flag) < 0)
                return -errno;
        return 0;
}

/*
 * The per-file order, for kernels without setns(pidfd) and for namespaces that
 * come from several sources.  It follows nsenter, runc and crun:
 *
 * - A privileged caller enters everything but the user namespace first, while
 *   it still holds its capabilities in the initial user namespace (which it
 *   loses on joining a child one), then the user namespace; enter_per_file()
 *   then retries what was refused: a namespace owned by the target's user
 *   namespace may need that user namespace's capabilities.
 * - An unprivileged caller (the owner of a rootless container) has no right to
 *   enter anything until it has joined the user namespace, so it goes first.
 */
static size_t per_file_order(const struct plan *p, bool privileged, enum ns_type out[_NS_MAX])
{
        size_t n = 0;

        if (!privileged && p->ns[NS_USER].enter)
                out[n++] = NS_USER;
        for (int i = 0; i < _NS_MAX; i++)
                if (i != NS_USER && p->ns[i].enter)
                        out[n++] = (enum ns_type)i;
        if (privileged && p->ns[NS_USER].enter)
                out[n++] = NS_USER;
        return n;
}

/* Two passes over per_file_order(): the second retries what the first was refused. */
static int enter_per_file(struct plan *p, enum ns_type *ret_failed)
{
        enum ns_type order[_NS_MAX];
        size_t n = per_file_order(p, caller_is_privileged(), order);
        bool done[_NS_MAX] = { false };
        int last_error[_NS_MAX] = { 0 };

        for (int pass = 0; pass < 2; pass++)
                for (size_t k = 0; k < n; k++) {
                        enum ns_type i = order[k];
                        if (done[i])
                                continue;
                        int r = setns_slot(p, i);
                        if (r == 0) {
                                done[i] = true;
                        } else if (i == NS_USER) {
                                *ret_failed = NS_USER; /* nothing after it can change that */
                                return r;
                        } else {
                                last_error[i] = r;
                        }
                }
        for (size_t k = 0; k < n; k++)
                if (!done[order[k]]) {
                        *ret_failed = order[k];
                        return last_error[order[k]] ? last_error[order[k]] : -EPERM;
                }
        return 0;
}

/* The order ns_enter() will take (--explain): the kernel's for one
 * setns(pidfd) (kernel/nsproxy.c, validate_nsset()), else enter_per_file()'s.
 * Returns how many, and whether it is the one atomic call. */
size_t ns_order(const struct plan *p, enum ns_type out[_NS_MAX], bool *ret_atomic)
{
        static const enum ns_type kernel_order[] = { NS_USER, NS_MNT, NS_UTS, NS_IPC,
                                                     NS_PID, NS_CGROUP, NS_NET, NS_TIME };
        bool all_from_target = true, any = false;
        size_t n = 0;

        for (int i = 0; i < _NS_MAX; i++)
                if (p->ns[i].enter) {
                        any = true;
                        all_from_target = all_from_target && p->ns[i].via_target;
                }
        *ret_atomic = any && all_from_target && p->target.pidfd >= 0;
        if (!*ret_atomic)
                return per_file_order(p, caller_is_privileged(), out);
        for (size_t k = 0; k < ELEMENTSOF(kernel_order); k++)
                if (p->ns[kernel_order[k]].enter)
                        out[n++] = kernel_order[k];
        return n;
}

int ns_enter(struct plan *p, enum ns_type *ret_failed)
{
        int mask = 0;
        bool all_from_target = true;

        for (int i = 0; i < _NS_MAX; i++) {
                if (!p->ns[i].enter)
                        continue;
                mask |= ns_table[i].clone_flag;
                all_from_target = all_from_target && p->ns[i].via_target;
        }
        if (mask == 0)
                return 0;

        /*
         * One atomic setns(pidfd, mask) (Linux 5.8): the kernel joins the user
         * namespace first and checks the others with its credentials, and either
         * all namespaces change or none.  Any refusal (EINVAL from an older
         * kernel, EPERM from a namespace the atomic order cannot reach) falls
         * back to the per-file order below; found by trying, not by version.
         */
        if (all_from_target && p->target.pidfd >= 0) {
                if (setns(p->target.pidfd, mask) == 0)
                        return 0;
                if (errno == ESRCH) {
                        *ret_failed = _NS_MAX;
                        return -ESRCH;
                }
        }
        return enter_per_file(p, ret_failed);
}

int ns_verify(const struct plan *p, bool in_child, enum ns_type *ret_failed)
{
        for (int i = 0; i < _NS_MAX; i++) {
                const struct ns_info *n = &ns_table[i];
                char path[64];
                struct stat st;

                if (!p->ns[i].enter)
                        continue;
                snprintf(path, sizeof(path), "thread-self/ns/%s",
                         n->children_only && !in_child ? n->child_name : n->name);
                if (fstatat(p->proc_dirfd, path, &st, 0) < 0) {
                        *ret_failed = (enum ns_type)i;
                        return -errno;
                }
                if (st.st_dev != p->ns[i].dev || st.st_ino != p->ns[i].ino) {
                        *ret_failed = (enum ns_type)i;
                        return -EXDEV;
                }
        }
        return 0;
}

/* ns_enter() and ns_verify() with the one-line error text the caller prints. */
int ns_enter_verified(struct plan *p, const char *target, char *err, size_t errlen)
{
        enum ns_type failed;
        int r = ns_enter(p, &failed);

        if (r == -ESRCH && failed == _NS_MAX) {
                snprintf(err, errlen, "%s: exited while attaching", target);
                return r;
        }
        if (r < 0) {
                snprintf(err, errlen, "entering the %s namespace: %s", ns_table[failed].name, strerror(-r));
                return r;
        }
        r = ns_verify(p, false, &failed);
        if (r < 0)
                snprintf(err, errlen, "%s namespace: not the one asked for after entering (%s)",
                         ns_table[failed].name, r == -EXDEV ? "it changed under us" : strerror(-r));
        return r;
}
