/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turning a TARGET into a held process.  Only PIDs ("1234", "pid:1234") are
 * resolved here; everything after this file holds the process by pidfd and by
 * a /proc/PID directory fd, never by number.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "missing.h"
#include "nsattach.h"
#include "util.h"

int target_parse_pid(const char *s, pid_t *ret)
{
        if (strncmp(s, "pid:", 4) == 0)
                s += 4;
        return parse_pid(s, ret);
}

/*
 * /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...".  comm may hold
 * spaces and ')' so the fields are counted from the last ')'.
 */
int parse_stat_starttime(const char *stat, uint64_t *ret_start, char *ret_state)
{
        const char *p = strrchr(stat, ')');
        uint64_t v;
        char field[32];

        if (!p || p[1] != ' ')
                return -EINVAL;
        p += 2; /* now at field 3, the state */
        char state = *p;
        for (int f = 3; f < 22; f++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                p++;
        }
        size_t n = strcspn(p, " \n");
        if (n == 0 || n >= sizeof(field))
                return -EINVAL;
        memcpy(field, p, n);
        field[n] = '\0';
        if (parse_uint(field, UINT64_MAX, &v) < 0)
                return -EINVAL;
        *ret_start = v;
        if (ret_state)
                *ret_state = state;
        return 0;
}

static int read_starttime(int procfd, uint64_t *ret, char *ret_state)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_file_at(procfd, "stat", &buf, NULL);

        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        return parse_stat_starttime(buf, ret, ret_state) < 0 ? -EIO : 0;
}

/* pidfd becomes readable when the process has exited (pidfd_open(2)). */
static bool pidfd_exited(int pidfd)
{
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

int target_open(int proc_dirfd, pid_t pid, struct target *ret)
{
        _cleanup_close_ int pidfd = -EBADF, procfd = -EBADF;
        char name[32];
        char state;
        int r;

        /* The pidfd first: from here on, the number may be reused, the pidfd not. */
        pidfd = sys_pidfd_open(pid, 0);
        if (pidfd < 0) {
                if (errno == ESRCH)
                        return -ESRCH;
                if (errno == EINVAL)
                        return -ECHILD; /* a thread id, not a process */
                if (errno != ENOSYS && errno != EPERM)
                        return -errno;
                /* No pidfd (old kernel, or a seccomp policy): /proc/PID below
                 * pins the process just as well for everything but setns(). */
        }

        snprintf(name, sizeof(name), "%d", (int)pid);
        procfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        /*
         * /proc/PID was opened after the pidfd.  If the pidfd's process is still
         * alive now, the directory is that same process; otherwise it may already
         * be a new process that reused the number.
         */
        if (pidfd >= 0 && pidfd_exited(pidfd))
                return -ESRCH;

        r = read_starttime(procfd, &ret->starttime, &state);
        if (r < 0)
                return r;
        if (state == 'Z' || state == 'X')
                return -ESRCH;

        ret->pid = pid;
        ret->pidfd = TAKE_FD(pidfd);
        ret->procfd = TAKE_FD(procfd);
        return 0;
}

int target_check(const struct target *t)
{
        uint64_t start;
        char state;
        int r;

        if (t->pidfd >= 0 && pidfd_exited(t->pidfd))
                return -ESRCH;
        r = read_starttime(t->procfd, &start, &state);
        if (r < 0)
                return r;
        if (start != t->starttime || state == 'Z' || state == 'X')
                return -ESRCH;
        return 0;
}

void target_done(struct target *t)
{
        t->pidfd = safe_close(t->pidfd);
        t->procfd = safe_close(t->procfd);
}
