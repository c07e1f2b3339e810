/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From options to a plan: every fd and every host-side read an attach needs,
 * gathered before the first setns().  Nothing here changes the process.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/kcmp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include "missing.h"
#include "hostexec.h"
#include "nsattach.h"
#include "util.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

extern char **environ;

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        return r;
}

static const char *target_error(int r)
{
        switch (r) {
        case -ESRCH:
                return "no such process (it is not running, or has exited)";
        case -ECHILD:
                return "not a process id (a thread id?)";
        case -EACCES:
        case -EPERM:
                return "permission denied";
        default:
                return strerror(-r);
        }
}

static int open_target_ns(const struct target *t, enum ns_type i, struct ns_slot *s)
{
        char path[32];
        struct stat st;

        snprintf(path, sizeof(path), "ns/%s", ns_table[i].name);
        _cleanup_close_ int fd = openat(t->procfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        s->fd = TAKE_FD(fd);
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        return 0;
}

/* The caller's own namespace of this type: the one its children would get. */
static int own_ns(int proc_dirfd, enum ns_type i, dev_t *dev, ino_t *ino)
{
        const struct ns_info *n = &ns_table[i];
        char path[64];
        struct stat st;

        snprintf(path, sizeof(path), "self/ns/%s", n->child_name ? n->child_name : n->name);
        if (fstatat(proc_dirfd, path, &st, 0) < 0)
                return -errno;
        *dev = st.st_dev;
        *ino = st.st_ino;
        return 0;
}

/* A namespace given as "=SOURCE": a file when it holds a '/', else another PID. */
static int status_caps(int dirfd, const char *path, const char *key, uint64_t *ret);

/*
 * --NS=SOURCE: a namespace file (a path with '/'), or another TARGET (a PID,
 * a container's name or id, RUNTIME:NAME: SPEC 2, pairing), held and
 * checked as the main target is.  For the pid namespace the owner's bounding
 * set is kept (p->pid_source_bnd, all ones for a file: anyone's): its
 * processes will see the program.
 */
static int open_source(const struct options *o, struct plan *p, enum ns_type i, struct ns_slot *s, char *err,
                       size_t errlen)
{
        const char *src = o->ns_source[i], *opt = ns_table[i].long_opt;
        int r;

        if (strchr(src, '/')) {
                r = ns_open_file(src, ns_table[i].clone_flag, &s->fd, &s->dev, &s->ino);
                if (r == -ENOTTY)
                        return fail(err, errlen, r, "--%s=%s: not a namespace file", opt, src);
                if (r == -EMEDIUMTYPE)
                        return fail(err, errlen, r, "--%s=%s: not a %s namespace", opt, src,
                                    ns_table[i].name);
                if (r < 0)
                        return fail(err, errlen, r, "--%s=%s: %s", opt, src, strerror(-r));
                if (i == NS_PID)
                        p->pid_source_bnd = UINT64_MAX;
                return 0;
        }

        struct target other = TARGET_INIT;
        struct resolve_result res;
        char why[CLI_ERROR_MAX];
        r = target_acquire(src, o->runtime, o->runtime_root, p->proc_dirfd, &other, &res, why, sizeof(why));
        if (r < 0)
                return fail(err, errlen, r, "--%s=%s: %s", opt, src, why);
        if (!res.is_pid)
                ctr_free(&res.ctr);
        r = open_target_ns(&other, i, s);
        if (r == 0 && i == NS_PID)
                r = status_caps(other.procfd, "status", "CapBnd", &p->pid_source_bnd);
        if (r == 0)
                r = target_check(&other);
        target_done(&other);
        if (r < 0)
                return fail(err, errlen, r, "--%s=%s: %s", opt, src, target_error(r));
        return 0;
}

/* The value of "Key:\t..." in a /proc status file, copied up to the end of its line. */
static int status_field(int dirfd, const char *path, const char *key, char *ret, size_t len)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_file_at(dirfd, path, &buf, NULL);

        return r < 0 ? r : proc_status_value(buf, key, ret, len);
}

/* "Uid:\treal\teffective\tsaved\tfs" → effective. */
static int status_id(int procfd, const char *key, uint32_t *ret)
{
        char value[64], eff[16];
        int r = status_field(procfd, "status", key, value, sizeof(value));

        if (r < 0)
                return r;
        if (sscanf(value, "%*s %15s", eff) != 1)
                return -EIO;
        return parse_id(eff, ret);
}

static int follow_id(const struct plan *p, const char *key, const char *map_file, uint32_t *ret)
{
        uint32_t host_id;
        int r = status_id(p->target.procfd, key, &host_id);

        if (r < 0)
                return r;
        if (!p->ns[NS_USER].enter) {
                *ret = host_id;
                return 0;
        }
        _cleanup_free_ char *map = NULL;
        r = read_file_at(p->target.procfd, map_file, &map, NULL);
        if (r < 0)
                return r;
        return map_id(map, host_id, ret);
}

/* The target's supplementary groups ("Groups:" of its status, host ids), as
 * ids of the user namespace the program will be in; one not mapped there is
 * not the container's to give. */
static int follow_groups(struct plan *p)
{
        _cleanup_free_ char *status = NULL, *map = NULL;
        int r = read_file_at(p->target.procfd, "status", &status, NULL);

        if (r < 0)
                return r;
        if (p->ns[NS_USER].enter && (r = read_file_at(p->target.procfd, "gid_map", &map, NULL)) < 0)
                return r;
        const char *line = strstr(status, "\nGroups:");
        if (!line)
                return -EIO;
        line += strlen("\nGroups:");
        const char *end = strchrnul(line, '\n');
        size_t cap = 0;
        for (const char *q = line; q < end; q++)
                cap += *q == ' ' || *q == '\t';
        free(p->groups);
        p->ngroups = 0;
        if (!(p->groups = calloc(cap + 1, sizeof(gid_t))))
                return -ENOMEM;
        for (const char *q = line; q < end;) {
                q += strspn(q, " \t");
                size_t n = strcspn(q, " \t\n");
                if (n == 0)
                        break;
                char id[16];
                uint32_t host_id, gid;
                if (n >= sizeof(id))
                        return -EIO;
                memcpy(id, q, n);
                id[n] = '\0';
                if (parse_id(id, &host_id) < 0)
                        return -EIO;
                q += n;
                gid = host_id;
                if (map && map_id(map, host_id, &gid) < 0)
                        continue;
                if (p->ngroups <= cap)
                        p->groups[p->ngroups++] = gid;
        }
        p->force_groups = true;
        return 0;
}

static int open_dir(int dirfd, const char *path, int *ret)
{
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

/* 1 when the target is in our namespace of this name, 0 when not, or -errno. */
static int target_shares_ns(const struct plan *p, const char *name)
{
        char path[32];
        struct stat own, theirs;

        snprintf(path, sizeof(path), "self/ns/%s", name);
        if (fstatat(p->proc_dirfd, path, &own, 0) < 0)
                return -errno;
        if (fstatat(p->target.procfd, path + 5, &theirs, 0) < 0)
                return -errno;
        return own.st_ino == theirs.st_ino && own.st_dev == theirs.st_dev;
}

/* "CapBnd:\t000001ffffffffff" */
static int status_caps(int dirfd, const char *path, const char *key, uint64_t *ret)
{
        char value[32], *end;
        int r = status_field(dirfd, path, key, value, sizeof(value));

        if (r < 0)
                return r;
        /* hex digits only: the kernel writes 16 of them */
        if (!isxdigit((unsigned char)value[0]))
                return -EIO;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 16);
        if (errno || (*end && !isspace((unsigned char)*end)))
                return -EIO;
        *ret = v;
        return 0;
}

/*
 * A pid view puts a host program, with the caller's privileges, where the
 * container's processes can see it.  That is safe only while they cannot reach
 * it: they must lack CAP_SYS_PTRACE and some capability we hold, and must not
 * share the host's pid namespace (SECURITY.md, T2).  Capabilities of a process
 * in another user namespace give it nothing over ours.
 */
static int pid_view_allowed(const struct options *o, struct plan *p, const char *view, char *err, size_t errlen)
{
        uint64_t t_bnd, our_prm;
        int r;

        if (!p->ns[NS_PID].via_target)
                return fail(err, errlen, -EPERM,
                            "--pid=%s: a pid view needs the pid namespace of the target itself "
                            "(its capabilities decide whether the view is safe)", o->ns_source[NS_PID]);
        if ((r = target_shares_ns(p, "user")) < 0)
                return fail(err, errlen, r, "%s: user namespace: %s", o->target, strerror(-r));
        if (r == 0)
                return 0;
        /* The bounding set, not the current sets: any process of the container that
         * runs as its root (a setuid binary, an exec'd helper) can have all of it. */
        if ((r = status_caps(p->target.procfd, "status", "CapBnd", &t_bnd)) < 0 ||
            (r = status_caps(p->proc_dirfd, "self/status", "CapPrm", &our_prm)) < 0)
                return fail(err, errlen, r, "%s: capabilities: %s", o->target, strerror(-r));
        if (t_bnd & (UINT64_C(1) << 19 /* CAP_SYS_PTRACE */))
                return fail(err, errlen, -EPERM,
                            "%s can hold CAP_SYS_PTRACE: it could trace a host program in its pid "
                            "namespace; refusing %s (-n and the other views still work)",
                            o->target, view);
        if ((our_prm & ~t_bnd) == 0)
                return fail(err, errlen, -EPERM,
                            "%s can hold every capability we have: a host program in its pid namespace "
                            "would be within its reach; refusing %s", o->target, view);
        return 0;
}

static void read_etc_files(struct plan *p)
{
        /* A target in our own mount namespace (ip netns, unshare -n) has our files. */
        if (target_shares_ns(p, "mnt") > 0)
                return;
        _cleanup_close_ int rootfd = openat(p->target.procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (rootfd < 0)
                return;
        for (int i = 0; i < VIEW_ETC_MAX; i++) {
                char path[64];
                snprintf(path, sizeof(path), "/etc/%s", view_etc_names[i]);
                /* Absent, not a regular file, too large: the host's stays visible. */
                struct stat st;
                if (view_read_container_file(rootfd, path, &p->etc[i], &p->etc_len[i], &st) < 0) {
                        p->etc[i] = NULL;
                        continue;
                }
                p->etc_dev[i] = st.st_dev;
                p->etc_ino[i] = st.st_ino;
        }
}

/*
 * --confine in a host view (SPEC 2, 6): the host's program with the target's
 * privileges (its uid, gid, groups and capabilities, no_new_privs, the
 * filter), say to see what the container's user may reach on its network.
 * Only out of the container's reach: with its uid and capabilities in its pid
 * namespace (a pid view), or in one it shares with us, the program would be
 * open to the container's processes, and the host's files with it.
 */
static int confined_host_view(const struct options *o, struct plan *p, char *err, size_t errlen)
{
        int r;

        if (p->target.pid <= 0)
                return fail(err, errlen, -EINVAL, "--confine takes the target's privileges: it needs -t");
        if (o->ns_wanted[NS_PID])
                return fail(err, errlen, -EPERM,
                            "--confine: a host program with %s's privileges in its pid namespace would be "
                            "within its reach, and the host's files with it; -m runs it in the "
                            "container's files", o->target);
        if ((r = target_shares_ns(p, "pid")) < 0)
                return fail(err, errlen, r, "%s: pid namespace: %s", o->target, strerror(-r));
        if (r > 0)
                return fail(err, errlen, -EPERM,
                            "--confine: %s shares our pid namespace: a host program with its privileges "
                            "would be within its reach, and the host's files with it", o->target);
        if ((r = status_caps(p->target.procfd, "status", "CapPrm", &p->confine.cap_prm)) < 0 ||
            (r = status_caps(p->target.procfd, "status", "CapEff", &p->confine.cap_eff)) < 0 ||
            (r = status_caps(p->target.procfd, "status", "CapBnd", &p->confine.cap_bnd)) < 0)
                return fail(err, errlen, r, "%s: capabilities: %s", o->target, target_error(r));
        /* a host view never enters the target's user namespace: what it holds
         * there is worth nothing in ours */
        if ((r = target_shares_ns(p, "user")) < 0)
                return fail(err, errlen, r, "%s: user namespace: %s", o->target, strerror(-r));
        if (r == 0)
                p->confine.cap_prm = p->confine.cap_eff = p->confine.cap_bnd = 0;
        char why[256];
        if ((r = lsm_target_label(p->proc_dirfd, p->target.procfd, &p->confine.lsm, why, sizeof(why))) < 0)
                return fail(err, errlen, r, "%s: %s", o->target, why);
        p->confine.on = true;
        return 0;
}

/*
 * Entering the target's mount namespace makes the program the container's
 * (SPEC section 6): it is confined to the target's capabilities, and in the
 * mnt view (the default) it is the host's program in the container's files.
 */
static int container_view(const struct options *o, struct plan *p, char *err, size_t errlen)
{
        int r;

        if (p->target.pid <= 0 || !p->ns[NS_MNT].via_target)
                return fail(err, errlen, -EINVAL,
                            "--mount=%s: a mount namespace needs the target it belongs to "
                            "(-t): its privileges are the program's",
                            o->ns_source[NS_MNT] ? o->ns_source[NS_MNT] : "");
        p->confine.on = true;
        /* Outside the target's pid namespace, a process with the container's
         * uid could signal (and, within its capabilities, trace) the host's. */
        if ((r = target_shares_ns(p, "pid")) < 0)
                return fail(err, errlen, r, "%s: pid namespace: %s", o->target, strerror(-r));
        bool own_pid_ns = r == 0;
        /* --pid=SOURCE: another's pid namespace (pairing, as docker's
         * --pid=container:NAME), the program still confined to the target's */
        p->paired = p->ns[NS_PID].enter && !p->ns[NS_PID].via_target;
        if (r == 0 && (!p->ns[NS_PID].enter || o->no_fork))
                return fail(err, errlen, -EINVAL,
                            "%s: with its mount namespace the program becomes the container's and "
                            "must join its pid namespace too, or another container's with --pid=SOURCE (no -F)",
                            o->target);
        if ((r = status_caps(p->target.procfd, "status", "CapPrm", &p->confine.cap_prm)) < 0 ||
            (r = status_caps(p->target.procfd, "status", "CapEff", &p->confine.cap_eff)) < 0 ||
            (r = status_caps(p->target.procfd, "status", "CapBnd", &p->confine.cap_bnd)) < 0)
                return fail(err, errlen, r, "%s: capabilities: %s", o->target, target_error(r));
        /* Until its exec, the program's process would run nsattach's own binary,
         * from the host's file system: a container that can trace it
         * (CAP_SYS_PTRACE in our user namespace) could take a handle on that file
         * through /proc/PID/exe and write it once the attach is over (runc
         * CVE-2019-5736).  In the mnt view it is launched from the view's
         * trampoline instead, a file on its read-only root (spawn.c); without
         * the view there is no such file, so --exec=container is refused.  (A
         * target in our pid namespace holding it can trace nsattach itself:
         * it is the host's already.) */
        /* (paired: the pid namespace's owner is the one that could trace, and
         * a namespace file's owner could be anyone, in any user namespace) */
        uint64_t tracer_bnd = p->paired ? p->pid_source_bnd : p->confine.cap_bnd;
        if ((own_pid_ns || p->paired) && (tracer_bnd & (UINT64_C(1) << 19 /* CAP_SYS_PTRACE */)) &&
            (p->paired || target_shares_ns(p, "user") > 0)) {
                if (o->exec_container)
                        return fail(err, errlen, -EPERM,
                                    "%s can hold CAP_SYS_PTRACE: it could trace nsattach's process before the "
                                    "program starts and reach the host's nsattach binary; refusing "
                                    "--exec=container (the mnt view, -m, still works)",
                                    o->target);
                p->confine.launch = true;
        }
        /* Capabilities held in a user namespace we do not enter are worth
         * nothing in ours: a rootless container's "full" set must not become
         * the host's. */
        if (!p->ns[NS_USER].enter && target_shares_ns(p, "user") <= 0)
                p->confine.cap_prm = p->confine.cap_eff = p->confine.cap_bnd = 0;

        /* Its cgroups are the program's, but a paused one's frozen cgroup,
         * where the program would freeze before it ran. */
        {
                char why[256];
                if ((r = cgroup_open_target(&p->cgroups, p->proc_dirfd, p->target.procfd, why, sizeof(why))) < 0)
                        return fail(err, errlen, r, "%s: %s", o->target, why);
                if (p->cgroups.skipped_frozen)
                        note("%s is paused: the program stays out of its frozen cgroup", o->target);
        }
        /* and its AppArmor profile or SELinux context, where one is active */
        {
                char why[256];
                if ((r = lsm_target_label(p->proc_dirfd, p->target.procfd, &p->confine.lsm, why, sizeof(why))) < 0)
                        return fail(err, errlen, r, "%s: %s", o->target, why);
        }

        if (o->wd_set && o->wd)
                return fail(err, errlen, -EINVAL,
                            "--wd=%s: a host directory cannot be the working directory in the "
                            "target's files; use --wdns=%s", o->wd, o->wd);
        if (o->wd_set) {
                char buf[PATH_MAX];
                ssize_t k = readlinkat(p->target.procfd, "cwd", buf, sizeof(buf) - 1);
                if (k < 0)
                        return fail(err, errlen, -errno, "%s: working directory: %s", o->target,
                                    target_error(-errno));
                buf[k] = '\0';
                if (buf[0] != '/')
                        return fail(err, errlen, -ENOENT, "%s: its working directory is gone", o->target);
                if (!(p->wd_path = strdup(buf)))
                        return -ENOMEM;
        }
        if (o->exec_container)
                return 0;

        /* Entered through the target's user namespace, the view's mount
         * namespace is owned by it: a process of the container holding
         * CAP_SYS_ADMIN there could remount the host's trees read-write. */
        if (p->ns[NS_USER].enter && (p->confine.cap_bnd & (UINT64_C(1) << 21 /* CAP_SYS_ADMIN */)))
                return fail(err, errlen, -EPERM,
                            "%s can hold CAP_SYS_ADMIN in its user namespace, which would own the "
                            "view: it could make the host's tools writable; refusing the mnt view "
                            "(--exec=container runs the container's programs)", o->target);
        if (o->root_set)
                return fail(err, errlen, -EINVAL,
                            "--root: the mnt view's root is the container's; "
                            "--exec=container runs the container's programs with --root");
        p->mnt_view = true;
        p->mnt.pidns_fd = p->paired ? p->ns[NS_PID].fd : -EBADF; /* borrowed: the slot's */
        r = mntview_open(&p->mnt, o->argv[0], err, errlen);
        if (r == -ENOENT && !p->mnt.prog)
                p->fail_code = NSATTACH_EXIT_NOT_FOUND;
        else if (r == -EACCES && !p->mnt.prog)
                p->fail_code = NSATTACH_EXIT_CANNOT_EXEC;
        return r;
}

/*
 * Once it has exec'd, a container view's program is in the container's reach
 * (the same uid, capabilities within the container's): its processes may
 * open /proc/PID/fd/N of it, which opens that file anew, with any access the
 * file allows them.  A pipe, a socket or the program's own terminal give
 * nothing more that way; a host file the caller redirected a stream to or
 * from would be open to them for reading and writing.  Such a stream is a
 * pipe for the program, relayed by the waiting parent (spawn.c).  The
 * harmless devices (/dev/null, zero, full, random, urandom) stay as they are.
 */
static bool reopen_harmless(int fd, unsigned pty_streams)
{
        struct stat st;
        if ((pty_streams & (1u << fd)) || fstat(fd, &st) < 0)
                return true; /* its terminal stands for it, or there is no such stream */
        if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
                return true;
        if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1)
                switch (minor(st.st_rdev)) {
                case 3: case 5: case 7: case 8: case 9:
                        return true;
                default:
                        break;
                }
        return false;
}

static int relay_streams(struct plan *p)
{
        for (int fd = 0; fd < 3; fd++) {
                int pp[2];
                if (reopen_harmless(fd, p->pty_streams))
                        continue;
                /* "> log 2>&1": one open file, so one pipe, and the order of what
                 * the program writes to either is kept */
                if (fd == 2 && p->relay_prog[1] >= 0 && syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 1, 2) == 0) {
                        if ((p->relay_prog[2] = fcntl(p->relay_prog[1], F_DUPFD_CLOEXEC, 3)) < 0)
                                return -errno;
                        continue;
                }
                if (pipe2(pp, O_CLOEXEC) < 0)
                        return -errno;
                p->relay_prog[fd] = pp[fd == 0 ? 0 : 1];
                p->relay_ours[fd] = pp[fd == 0 ? 1 : 0];
                p->must_fork = true;
        }
        return 0;
}

/* -r/-w: DIR as given (resolved now, in the caller's mount namespace), else the target's. */
static int open_dir_option(struct plan *p, const char *opt, const char *dir, const char *proc_link,
                           int *ret, char *err, size_t errlen)
{
        int r;

        if (dir)
                r = open_dir(AT_FDCWD, dir, ret);
        else if (p->target.pid > 0)
                r = open_dir(p->target.procfd, proc_link, ret);
        else
                return fail(err, errlen, -EINVAL, "--%s: no target: use -t or --%s=DIR", opt, opt);
        if (r < 0)
                return fail(err, errlen, r, "--%s%s%s: %s", opt, dir ? "=" : "", dir ? dir : "",
                            strerror(-r));
        return 0;
}

/* Namespace i of the plan: opened, and marked to enter unless it is ours already. */
static int add_ns(const struct options *o, struct plan *p, int i, char *err, size_t errlen)
{
        const struct ns_info *n = &ns_table[i];
        struct ns_slot *s = &p->ns[i];
        dev_t dev = 0;
        ino_t ino = 0;
        int r;

        if (o->ns_source[i]) {
                r = open_source(o, p, (enum ns_type)i, s, err, errlen);
                if (r < 0)
                        return r;
        } else if (p->target.pid > 0) {
                r = open_target_ns(&p->target, (enum ns_type)i, s);
                if (r < 0 && target_check(&p->target) < 0)
                        return fail(err, errlen, -ESRCH, "%s: %s", o->target,
                                    target_error(-ESRCH));
                if (r == -ENOENT && !o->ns_wanted[i])
                        return 0; /* -a on a kernel without this namespace type */
                if (r == -ENOENT)
                        return fail(err, errlen, r,
                                    "%s: no %s namespace (the kernel lacks it, or the process has exited)",
                                    o->target, n->name);
                if (r < 0)
                        return fail(err, errlen, r, "%s: %s namespace: %s", o->target,
                                    n->name, target_error(r));
                s->via_target = true;
        } else {
                return fail(err, errlen, -EINVAL,
                            "--%s: no target: use -t TARGET or --%s=FILE", n->long_opt,
                            n->long_opt);
        }

        /* Already there: nothing to enter (and setns() into one's own user
         * namespace is refused by the kernel). */
        if (own_ns(p->proc_dirfd, (enum ns_type)i, &dev, &ino) == 0 && dev == s->dev &&
            ino == s->ino) {
                s->fd = safe_close(s->fd);
                return 0;
        }
        s->enter = true;
        if (n->children_only && !o->no_fork)
                p->must_fork = true;
        return 0;
}

int plan_build(const struct options *o, struct plan *p, char *err, size_t errlen)
{
        struct statfs sfs;
        int r;

        *p = (struct plan){ .target = TARGET_INIT, .proc_dirfd = -EBADF, .root_fd = -EBADF,
                            .wd_fd = -EBADF, .pty_master = -EBADF, .pty_slave = -EBADF,
                            .relay_prog = { -EBADF, -EBADF, -EBADF }, .relay_ours = { -EBADF, -EBADF, -EBADF } };
        p->mnt.prog_fd = -EBADF;
        p->mnt.pidns_fd = -EBADF;
        for (int i = 0; i < MNTVIEW_HOST_MAX; i++)
                p->mnt.host[i].fd = -EBADF;
        for (int i = 0; i < _NS_MAX; i++)
                p->ns[i].fd = -EBADF;
        hostview_init(&p->host);
        cgroup_init(&p->cgroups);

        p->proc_dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p->proc_dirfd < 0)
                return fail(err, errlen, -errno, "/proc: %s", strerror(errno));
        if (fstatfs(p->proc_dirfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
                return fail(err, errlen, -ENOTTY, "/proc is not a procfs mount");
        /* PIDs are numbers of the pid namespace /proc was mounted for; if that is
         * not ours, pidfd_open(N) and /proc/N are two different processes. */
        char self[32], want[32];
        ssize_t k = readlinkat(p->proc_dirfd, "self", self, sizeof(self) - 1);
        snprintf(want, sizeof(want), "%d", (int)getpid());
        if (k <= 0 || (self[k] = '\0', strcmp(self, want) != 0))
                return fail(err, errlen, -EXDEV,
                            "/proc belongs to another pid namespace: its PIDs are not ours");

        if (o->target) {
                struct resolve_result res;
                r = target_acquire(o->target, o->runtime, o->runtime_root, p->proc_dirfd, &p->target,
                                   &res, err, errlen);
                if (r < 0)
                        return r;
                if (!res.is_pid) {
                        p->target_name = ctr_display(&res.ctr);
                        ctr_free(&res.ctr);
                }
                trace_step("target %s: %s, pid %d, start time %llu (held by %s)", o->target,
                           p->target_name ? p->target_name : "a PID", (int)p->target.pid,
                           (unsigned long long)p->target.starttime, p->target.pidfd >= 0 ? "a pidfd" : "/proc/PID");
        }

        for (int i = 0; i < _NS_MAX; i++)
                if ((o->ns_wanted[i] || o->all) && (r = add_ns(o, p, i, err, errlen)) < 0)
                        return r;
        /* A program that becomes the container's joins its processes too: in
         * ours it could signal every host process of its uid, and the
         * container's /proc would not show it (no /proc/self for ps).  The
         * pid namespace needs a fork; with -F it is left out. */
        if (p->ns[NS_MNT].enter && !p->ns[NS_PID].enter && !o->ns_wanted[NS_PID] && !o->all &&
            p->target.pid > 0 && !o->no_fork && (r = add_ns(o, p, NS_PID, err, errlen)) < 0)
                return r;

        /*
         * Views (SPEC 5): a host program that neither enters the target's mount
         * namespace nor its user namespace sees the target's processes and network
         * through a private mount namespace.  (Entering the user namespace makes
         * the program the container's; that is the mount view's business.)
         */
        bool host_view = !p->ns[NS_MNT].enter && !p->ns[NS_USER].enter && !o->ns_wanted[NS_MNT] &&
                         !o->ns_wanted[NS_USER];
        if (o->confine && host_view && (r = confined_host_view(o, p, err, errlen)) < 0)
                return r;
        /* --privileged (SPEC 6): the caller's privileges only where nothing the
         * container controls is loaded.  A host view loads the host's programs
         * and files (its /proc, /sys and /etc files are read, not run), and
         * keeps them anyway.  In the target's mount namespace the program reads
         * the container's start-up files and configuration, opens libraries by
         * names that resolve in its files and follows its links into the
         * container's own mounts (/proc/PID/root): with the caller's privileges
         * that would be the container's code run as the caller. */
        if (o->privileged && !host_view)
                return fail(err, errlen, -EPERM,
                            "--privileged: in %s's mount or user namespace the program is the container's: it "
                            "loads what the container controls (start-up files, libraries by name, links), so it "
                            "takes the target's privileges; a host view (-n, -p, -u, -i) keeps yours",
                            o->target ? o->target : "the target");
        if (host_view && o->ns_wanted[NS_PID] && !o->no_fork) {
                if (!p->ns[NS_PID].enter && p->target.pid > 0 && !o->ns_source[NS_PID])
                        return fail(err, errlen, -EPERM,
                                    "%s shares our pid namespace: a host program in it would be "
                                    "within the target's reach; refusing the pid view (use ps on the host)",
                                    o->target);
                p->pid_view = p->ns[NS_PID].enter;
                if (p->pid_view && (r = pid_view_allowed(o, p, "the pid view", err, errlen)) < 0)
                        return r;
        }
        p->net_view = host_view && p->ns[NS_NET].enter;
        if (p->ns[NS_MNT].enter && (r = container_view(o, p, err, errlen)) < 0)
                return r;
        if (p->net_view && p->ns[NS_NET].via_target)
                read_etc_files(p);
        if ((p->pid_view || p->net_view) && !p->mnt_view && !p->confine.on && p->target.pid > 0) {
                /* the host's mounts without the runtimes', where that is cheaper */
                struct rt_query q;
                rt_query_init(&q, o->runtime_root);
                hostview_open(&p->host, &p->target, q.roots, p->pid_view, p->net_view);
        }

        /* --root or --wd without a directory: the target's, in its files.  In
         * a view of the host's files that is a hybrid (runc CVE-2024-21626's
         * shape): the program, with the caller's privileges or the target's
         * outside its mount namespace, would run the container's loader and
         * programs from there, or start in a directory it controls.  The mnt
         * view and --exec=container are for the target's files. */
        if (!p->ns[NS_MNT].enter && p->target.pid > 0 && ((o->root_set && !o->root) || (o->wd_set && !o->wd))) {
                const char *opt = o->root_set && !o->root ? "--root" : "--wd";
                if ((r = target_shares_ns(p, "mnt")) < 0)
                        return fail(err, errlen, r, "%s: mount namespace: %s", o->target, target_error(r));
                /* a target chrooted in our mount namespace has files of its own too */
                struct stat own_root, its_root;
                if (r > 0 && (stat("/", &own_root) < 0 || fstatat(p->target.procfd, "root", &its_root, 0) < 0 ||
                              own_root.st_dev != its_root.st_dev || own_root.st_ino != its_root.st_ino))
                        r = 0;
                if (r == 0)
                        return fail(err, errlen, -EPERM,
                                    "%s: %s's %s is in its files, where a program of the host's view would run "
                                    "the container's code or start in a directory it controls; use -m "
                                    "(its files, the host's programs) or --exec=container",
                                    opt, o->target, opt[2] == 'r' ? "root" : "working directory");
        }
        if (o->privileged)
                note("the program keeps the caller's privileges: a host view loads nothing of the container's");
        if (o->root_set && (r = open_dir_option(p, "root", o->root, "root", &p->root_fd, err, errlen)) < 0)
                return r;
        /* (a container view takes the target's working directory as a path, wd_path) */
        if (o->wd_set && !p->ns[NS_MNT].enter &&
            (r = open_dir_option(p, "wd", o->wd, "cwd", &p->wd_fd, err, errlen)) < 0)
                return r;
        p->wdns = o->wdns ? o->wdns : p->wd_path;

        /* nsenter's credentials: joining a user namespace makes us its root,
         * unless told otherwise.  A process that becomes the container's takes
         * the target's ids instead (SPEC section 6). */
        bool follow = p->confine.on && p->target.pid > 0 && !o->preserve_credentials;
        if (follow) {
                uint32_t uid, gid;
                if ((r = follow_id(p, "Uid", "uid_map", &uid)) < 0 ||
                    (r = follow_id(p, "Gid", "gid_map", &gid)) < 0)
                        return fail(err, errlen, r, "%s: its uid/gid: %s", o->target,
                                    r == -ERANGE ? "not mapped in its user namespace" : strerror(-r));
                p->uid = uid;
                p->gid = gid;
                p->force_uid = p->force_gid = true;
                if ((r = follow_groups(p)) < 0)
                        return fail(err, errlen, r, "%s: its groups: %s", o->target, strerror(-r));
        } else if (p->ns[NS_USER].enter && !o->preserve_credentials) {
                p->force_uid = p->force_gid = true;
                p->uid = 0;
                p->gid = 0;
        }
        if ((o->uid_follow || o->gid_follow) && p->target.pid <= 0)
                return fail(err, errlen, -EINVAL, "follow: no target: use -t");
        if ((o->uid_follow || o->gid_follow) && p->ns[NS_USER].enter && !p->ns[NS_USER].via_target)
                return fail(err, errlen, -EINVAL,
                            "follow: the user namespace entered is not the target's");
        if (o->uid_set) {
                uint32_t id = o->uid;
                if (o->uid_follow && (r = follow_id(p, "Uid", "uid_map", &id)) < 0)
                        return fail(err, errlen, r, "--setuid follow: %s",
                                    r == -ERANGE ? "the target's uid is not mapped in its user namespace"
                                                 : strerror(-r));
                p->uid = id;
                p->force_uid = true;
        }
        if (o->gid_set) {
                uint32_t id = o->gid;
                if (o->gid_follow && (r = follow_id(p, "Gid", "gid_map", &id)) < 0)
                        return fail(err, errlen, r, "--setgid follow: %s",
                                    r == -ERANGE ? "the target's gid is not mapped in its user namespace"
                                                 : strerror(-r));
                p->gid = id;
                p->force_gid = true;
        }

        _cleanup_free_ char *tenv = NULL;
        size_t tenv_len = 0;
        if (o->env_mode == ENV_TARGET) {
                if (p->target.pid <= 0)
                        return fail(err, errlen, -EINVAL, "--env: no target: use -t");
                r = read_file_at(p->target.procfd, "environ", &tenv, &tenv_len);
                if (r < 0)
                        return fail(err, errlen, r, "%s: environment: %s", o->target,
                                    target_error(r));
        }
        /* A container view gets a clean environment unless told otherwise (SPEC 6). */
        enum env_mode mode = p->confine.on && !o->env_mode_set ? ENV_CLEAN : o->env_mode;
        r = env_build(mode, environ, tenv, tenv_len, p->mnt_view ? HOSTEXEC_BIN : NULL, &p->envp);
        if (r < 0)
                return fail(err, errlen, r, "environment: %s", strerror(-r));

        /* An interactive session (stdin and stdout a terminal) gets a terminal
         * of its own, from the host's /dev/ptmx while we are still on the host,
         * relayed by the waiting parent: the program never holds the caller's,
         * which it could type into or take over.  A pipe stays a pipe. */
        unsigned ttys = (isatty(0) ? 1u : 0) | (isatty(1) ? 2u : 0) | (isatty(2) ? 4u : 0);
        /* a program that becomes the container's never holds the caller's
         * terminal, whichever of its streams that is */
        if (!o->no_fork && ((ttys & 3) == 3 || (p->confine.on && ttys))) {
                if ((r = pty_open(&p->pty_master, &p->pty_slave)) < 0)
                        return fail(err, errlen, r, "a terminal for the program: %s", strerror(-r));
                p->pty_streams = ttys;
                p->must_fork = true;
        }
        /* only a waiting parent can end the program */
        p->timeout_us = o->timeout_us;
        p->follow = o->follow;
        if (p->timeout_us || p->follow)
                p->must_fork = true;
        if (p->follow && p->target.pidfd < 0)
                return fail(err, errlen, -EOPNOTSUPP, "--follow: no pidfd for %s (Linux 5.3 or later)", o->target);
        if (p->confine.on && !o->no_fork && (r = relay_streams(p)) < 0)
                return fail(err, errlen, r, "a pipe for the program's streams: %s", strerror(-r));

        /* Everything of the target is open: is it still the process we resolved?
         * If it died and its number was reused, the files above may belong to the
         * newcomer; the pidfd and the start time tell. */
        if (p->target.pid > 0) {
                r = target_check(&p->target);
                if (r < 0)
                        return fail(err, errlen, r, "%s: %s", o->target, target_error(r));
        }
        if (verbosity > 0) {
                char nss[64] = "";
                for (int i = 0; i < _NS_MAX; i++)
                        if (p->ns[i].enter)
                                snprintf(nss + strlen(nss), sizeof(nss) - strlen(nss), " %s", ns_table[i].name);
                trace_step("plan made: namespaces%s; %s view; the %s privileges; %s", nss[0] ? nss : " none",
                           p->mnt_view ? "mnt" : p->pid_view && p->net_view ? "pid+net" : p->pid_view ? "pid"
                                         : p->net_view ? "net" : "no",
                           p->confine.on ? "target's" : "caller's", p->must_fork ? "forking" : "no fork");
        }
        return 0;
}

void plan_done(struct plan *p)
{
        mntview_done(&p->mnt);
        hostview_done(&p->host);
        cgroup_done(&p->cgroups);
        lsm_done(&p->confine.lsm);
        free(p->wd_path);
        free(p->groups);
        p->groups = NULL;
        p->ngroups = 0;
        free(p->target_name);
        p->target_name = NULL;
        p->wd_path = NULL;
        target_done(&p->target);
        for (int i = 0; i < _NS_MAX; i++)
                p->ns[i].fd = safe_close(p->ns[i].fd);
        p->proc_dirfd = safe_close(p->proc_dirfd);
        p->root_fd = safe_close(p->root_fd);
        p->wd_fd = safe_close(p->wd_fd);
        p->pty_master = safe_close(p->pty_master);
        p->pty_slave = safe_close(p->pty_slave);
        for (int fd = 0; fd < 3; fd++) {
                p->relay_prog[fd] = safe_close(p->relay_prog[fd]);
                p->relay_ours[fd] = safe_close(p->relay_ours[fd]);
        }
        strv_free(p->envp);
        p->envp = NULL;
        for (int i = 0; i < VIEW_ETC_MAX; i++) {
                free(p->etc[i]);
                p->etc[i] = NULL;
        }
}
