/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Views (SPEC section 5): the private mount namespace in which a host program
 * sees the target's world.  A pid view mounts a /proc of the target's pid
 * namespace over a read-only host; a net view mounts a /sys of its network
 * namespace and binds its resolv.conf, hosts and hostname over the host's.
 * Everything is mounted in a namespace of the program's own, so nothing
 * appears in the container or on the host.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "missing.h"
#include "nsattach.h"
#include "util.h"

#define CONTAINER_FILE_MAX 65536

const char *const view_etc_names[VIEW_ETC_MAX] = { "resolv.conf", "hosts", "hostname" };
static const char *const view_etc_path[VIEW_ETC_MAX] = { "/etc/resolv.conf", "/etc/hosts", "/etc/hostname" };

/*
 * A small regular file of the container, resolved inside its root: symlinks
 * and ".." cannot leave it, magic links are refused (docker CVE-2018-15664),
 * and FIFOs and devices are never opened (an O_PATH look first).
 */
int view_read_container_file(int rootfd, const char *path, char **ret, size_t *ret_len, struct stat *ret_st)
{
        struct open_how how = { .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        struct stat st, st2;
        int fd = -EBADF;

        for (int attempt = 0; attempt < 8; attempt++) {
                how.flags = O_PATH | O_CLOEXEC;
                fd = sys_openat2(rootfd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN) /* EAGAIN: a rename raced the lookup */
                        break;
        }
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        safe_close(fd);
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > CONTAINER_FILE_MAX)
                return -EFBIG;

        how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
        _cleanup_close_ int rfd = sys_openat2(rootfd, path, &how, sizeof(how));
        if (rfd < 0)
                return -errno;
        /* the same file as looked at, not one swapped in since */
        if (fstat(rfd, &st2) < 0)
                return -errno;
        if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino || !S_ISREG(st2.st_mode))
                return -EAGAIN;

        char *buf = malloc(CONTAINER_FILE_MAX + 1);
        size_t len = 0;
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(rfd, buf + len, CONTAINER_FILE_MAX - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = -errno;
                        free(buf);
                        return r;
                }
                if (k == 0 || len + (size_t)k >= CONTAINER_FILE_MAX) {
                        len += (size_t)(k > 0 ? k : 0);
                        break;
                }
                len += (size_t)k;
        }
        buf[len] = '\0';
        *ret = buf;
        *ret_len = len;
        if (ret_st)
                *ret_st = st2;
        return 0;
}

static int mount_fresh(const char *type, const char *where, unsigned long flags)
{
        /* Mounted on top: path lookups end in the new mount, so the host's
         * submounts below (binfmt_misc, cgroups...) are out of sight, and
         * nothing needs detaching. */
        if (mount(type, where, type, flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        return 0;
}

/*
 * Pairing (--pid=SOURCE with a container view): the program joins another
 * container's pid namespace, so the /proc of the view's files, which shows the
 * target's, would make ps list the wrong processes.  A proc of that pid
 * namespace goes on top, chosen by its namespace fd (the "pidns" option,
 * Linux 6.15), for the process mounting it is not in it yet.
 */
int view_proc_of(int pidns_fd)
{
        _cleanup_close_ int fs = fsopen("proc", FSOPEN_CLOEXEC);

        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_FD, "pidns", NULL, pidns_fd) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return errno == EINVAL ? -EOPNOTSUPP : -errno;
        _cleanup_close_ int m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (m < 0 || move_mount(m, "", AT_FDCWD, "/proc", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/*
 * The container's resolv.conf, hosts and hostname, bound read-only over the
 * host's.  Where the view was assembled in a copy of the container's mount
 * namespace (hostview.c), the file itself, cloned there (taken[i]), if it is
 * still the one read before entering.  Else what was read, on a tmpfs of our
 * own: a file of the container's mount namespace cannot be bound into another
 * one, a file of a mount we created can.  That tmpfs is then attached on
 * /sys, where the /sys of the view will cover it, so that it goes with the
 * namespace: closed while detached, it would be unmounted on the spot, and
 * the kernel waits for an RCU grace period there (namespace_unlock(), 0.3 ms
 * on a 2-core machine, a seventh of an attach).
 */
static int files_tmpfs(int *ret)
{
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "256k", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        *ret = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        return *ret < 0 ? -errno : 0;
}

static bool is_file_read(const struct plan *p, int i, int fd)
{
        struct statx sx;
        return fd >= 0 && statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, &sx) == 0 &&
               (sx.stx_mask & (STATX_TYPE | STATX_INO)) == (STATX_TYPE | STATX_INO) && S_ISREG(sx.stx_mode) &&
               makedev(sx.stx_dev_major, sx.stx_dev_minor) == p->etc_dev[i] && sx.stx_ino == p->etc_ino[i];
}

/* What was read of file i, on our tmpfs (made on first use): a mount of it. */
static int etc_copy(const struct plan *p, int i, int *mnt)
{
        int r;

        if (*mnt < 0 && (r = files_tmpfs(mnt)) < 0)
                return r;
        _cleanup_close_ int f = openat(*mnt, view_etc_names[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (f < 0)
                return -errno;
        if ((r = write_all(f, p->etc[i], p->etc_len[i])) < 0)
                return r;
        int tree = open_tree(*mnt, view_etc_names[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        return tree < 0 ? -errno : tree;
}

static int bind_etc_files(const struct plan *p, const int *taken)
{
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                             MOUNT_ATTR_NOEXEC };
        _cleanup_close_ int mnt = -EBADF;

        for (int i = 0; i < VIEW_ETC_MAX; i++) {
                char host_path[64];
                struct stat st;

                if (!p->etc[i])
                        continue;
                snprintf(host_path, sizeof(host_path), "/etc/%s", view_etc_names[i]);
                if (stat(host_path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue; /* nothing to cover on this host */

                bool same = is_file_read(p, i, taken[i]);
                _cleanup_close_ int copy = same ? -EBADF : etc_copy(p, i, &mnt);
                if (!same && copy < 0)
                        return copy;
                int tree = same ? taken[i] : copy;
                if (mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
                    move_mount(tree, "", AT_FDCWD, host_path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        return -errno;
        }
        if (mnt >= 0 && move_mount(mnt, "", AT_FDCWD, "/sys", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* The pid or net view once hostview_enter() said r: the rest of it. */
static int host_view_rest(const struct plan *p, int r, int sys, const int *taken, const char **ret_step)
{
        if (r < 0 && r != -EOPNOTSUPP)
                return r;
        if (r < 0) {
                *ret_step = "private mount namespace";
                if (unshare(CLONE_NEWNS) < 0)
                        return -errno;
                /* Private: nothing mounted here reaches the host, nothing of the
                 * host's later mounts matters here. */
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        return -errno;
        }

        if (p->pid_view) {
                /* A host program inside the target's pid namespace: whatever it
                 * could write on the host, a process of the container that reaches
                 * it could too.  Fail closed where the kernel cannot do it. */
                *ret_step = "read-only host file system";
                struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
                if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                        return -errno;
                /* proc shows the pid namespace of the process that mounts it: ours
                 * now, the target's. */
                *ret_step = "/proc of the target's pid namespace";
                if ((r = mount_fresh("proc", "/proc", 0)) < 0)
                        return r;
        }
        if (p->net_view) {
                /* The files first: their tmpfs ends up below the fresh /sys. */
                *ret_step = "the target's /etc/resolv.conf, hosts and hostname";
                if ((r = bind_etc_files(p, taken)) < 0)
                        return r;
                /* sysfs shows the network namespace of the process that mounts it. */
                *ret_step = "/sys of the target's network namespace";
                struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                                     MOUNT_ATTR_NOEXEC };
                if (sys >= 0) {
                        if (mount_setattr(sys, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
                            move_mount(sys, "", AT_FDCWD, "/sys", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                return -errno;
                        trace_step("/sys: the target's own sysfs mount");
                } else if ((r = mount_fresh("sysfs", "/sys", MS_RDONLY)) < 0)
                        return r;
        }
        return 0;
}

int view_setup(const struct plan *p, const char **ret_step)
{
        int r;

        if (p->mnt_view)
                return mntview_setup(&p->mnt, ret_step);
        if (p->confine.on && p->ns[NS_MNT].enter) {
                /* --exec=container: the container's files as they are, but
                 * anything mounted stays the program's own (SPEC 5). */
                *ret_step = "private mount namespace";
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        return -errno;
                *ret_step = "a /proc of the pid namespace joined (--pid)";
                return p->paired ? view_proc_of(p->ns[NS_PID].fd) : 0;
        }
        if (!p->pid_view && !p->net_view)
                return 0;

        /* The host's mounts without the runtimes' (hostview.c), or else a copy
         * of all of them. */
        _cleanup_close_ int sys = -EBADF;
        int taken[VIEW_ETC_MAX];
        const char *files[VIEW_ETC_MAX];
        for (int i = 0; i < VIEW_ETC_MAX; i++)
                files[i] = p->net_view && p->etc[i] ? view_etc_path[i] : "";
        r = hostview_enter(&p->host, &p->target, &sys, files, VIEW_ETC_MAX, taken, ret_step);
        r = host_view_rest(p, r, sys, taken, ret_step);
        for (int i = 0; i < VIEW_ETC_MAX; i++)
                safe_close(taken[i]);
        return r;
}
