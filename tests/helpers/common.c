/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const char *nsattach_path(void)
{
        const char *p = getenv("NSATTACH");
        return p ? p : "build/nsattach";
}

const char *helper_path(const char *name)
{
        /* a few buffers, so that one argv can name several helpers */
        static char bufs[4][4096];
        static unsigned next;
        char *buf = bufs[next++ % 4];
        const char *d = getenv("HELPERS_DIR");
        snprintf(buf, sizeof(bufs[0]), "%s/%s", d ? d : "build/tests", name);
        return buf;
}

void skip_or_fail(const char *why)
{
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
                cr_assert_fail("cannot run under CI=true: %s", why);
        else
                cr_skip_test("%s", why);
}

void require_root(void)
{
        if (geteuid() != 0)
                skip_or_fail("needs root (namespaces, setns, ptrace)");
}

static void drain(int fd, char *buf, size_t cap, size_t *len)
{
        ssize_t k = read(fd, buf + *len, cap - 1 - *len);
        if (k > 0)
                *len += (size_t)k;
        buf[*len] = '\0';
}

int run_as(char *const argv[], long uid, struct result *r)
{
        int o[2], e[2];
        memset(r, 0, sizeof(*r));
        if (pipe2(o, O_CLOEXEC) < 0 || pipe2(e, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int nul = open("/dev/null", O_RDONLY);
                dup2(nul, 0);
                dup2(o[1], 1);
                dup2(e[1], 2);
                if (uid >= 0 && (setgroups(0, NULL) < 0 || setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) < 0 ||
                                 setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0))
                        _exit(99);
                execv(argv[0], argv);
                _exit(98);
        }
        close(o[1]);
        close(e[1]);
        size_t ol = 0, el = 0;
        struct pollfd p[2] = { { .fd = o[0], .events = POLLIN }, { .fd = e[0], .events = POLLIN } };
        int open_fds = 2;
        time_t deadline = time(NULL) + 20;
        while (open_fds > 0 && time(NULL) < deadline) {
                if (poll(p, 2, 1000) <= 0)
                        continue;
                for (int i = 0; i < 2; i++) {
                        if (!p[i].revents)
                                continue;
                        size_t before = i ? el : ol;
                        if (i)
                                drain(e[0], r->err, sizeof(r->err), &el);
                        else
                                drain(o[0], r->out, sizeof(r->out), &ol);
                        if ((i ? el : ol) == before) { /* EOF */
                                p[i].fd = -1;
                                open_fds--;
                        }
                }
        }
        if (open_fds > 0)
                kill(pid, SIGKILL);
        close(o[0]);
        close(e[0]);
        waitpid(pid, &r->status, 0);
        r->code = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128 + WTERMSIG(r->status);
        return 0;
}

int run(char *const argv[], struct result *r)
{
        return run_as(argv, -1, r);
}

static int write_file(const char *path, const char *s)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t k = write(fd, s, strlen(s));
        int r = k == (ssize_t)strlen(s) ? 0 : -errno;
        close(fd);
        return r;
}

/* As a container would be: docker's default capabilities, not all of root's. */
static void drop_to_container_caps(void)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2] = { { 0 } };
        /* the bounding set first, while CAP_SETPCAP is still held */
        for (int cap = 0; cap < 64; cap++)
                if (!(0xa80425fbULL & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        _exit(12);
        d[0].effective = d[0].permitted = 0xa80425fbU;
        if (syscall(SYS_capset, &h, d) < 0)
                _exit(11);
}

static void target_body(int flags, long uid, int ready_fd, int go_fd)
{
        char c;
        int rest = flags & ~(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWTIME);

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (chdir("/tmp") < 0) /* somewhere that is not the caller's cwd, for -w */
                _exit(9);
        if (uid >= 0) {
                if (setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) < 0 ||
                    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
                        _exit(2);
                /* As an exec'd rootless runtime would be: dumpable by its owner. */
                prctl(PR_SET_DUMPABLE, 1);
                /* the uid change cleared it */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
        }
        if (flags & CLONE_NEWUSER) {
                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(3);
                if (uid >= 0) {
                        char map[64];
                        snprintf(map, sizeof(map), "0 %ld 1\n", uid);
                        if (write_file("/proc/self/setgroups", "deny") < 0 ||
                            write_file("/proc/self/uid_map", map) < 0 ||
                            write_file("/proc/self/gid_map", map) < 0)
                                _exit(4);
                } else {
                        /* The parent (root) writes a range map, as a runtime does. */
                        if (write(ready_fd, "u", 1) != 1 || read(go_fd, &c, 1) != 1)
                                _exit(5);
                        /* Become the namespace's root, as runtimes do once mapped. */
                        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                                _exit(10);
                        /* cleared by the credential change: without it a failed
                         * test leaves this target holding meson's output open */
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                }
        }
        if (rest && unshare(rest) < 0)
                _exit(6);
        if (flags & CLONE_NEWUTS)
                sethostname("nsattach-target", 15);
        if (flags & CLONE_NEWNS)
                mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
        bool container_caps = uid < 0 && !(flags & CLONE_NEWUSER);
        if (flags & (CLONE_NEWPID | CLONE_NEWTIME)) {
                int dropped[2];
                if (unshare(flags & (CLONE_NEWPID | CLONE_NEWTIME)) < 0 || pipe2(dropped, O_CLOEXEC) < 0)
                        _exit(7);
                pid_t child = fork();
                if (child < 0)
                        _exit(8);
                if (child == 0) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        if (container_caps)
                                drop_to_container_caps();
                        if (write(dropped[1], "d", 1) != 1)
                                _exit(13);
                        for (;;)
                                pause();
                }
                /* ready once it has the capabilities it keeps: a test attaching
                 * earlier would see the full set (and no pid view) */
                close(dropped[1]);
                if (read(dropped[0], &c, 1) != 1)
                        _exit(14);
                dprintf(ready_fd, "p%d\n", (int)child);
                waitpid(child, NULL, 0);
                _exit(0);
        }
        if (container_caps)
                drop_to_container_caps();
        dprintf(ready_fd, "p%d\n", (int)getpid());
        for (;;)
                pause();
}

int target_start(int flags, long uid, struct target *t)
{
        int ready[2], go[2];
        char buf[64];

        memset(t, 0, sizeof(*t));
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                close(ready[0]);
                close(go[1]);
                target_body(flags, uid, ready[1], go[0]);
                _exit(0);
        }
        close(ready[1]);
        close(go[0]);
        t->holder = pid;
        t->flags = flags;
        for (;;) {
                ssize_t k = read(ready[0], buf, sizeof(buf) - 1);
                if (k <= 0) {
                        int st;
                        waitpid(pid, &st, 0);
                        close(ready[0]);
                        close(go[1]);
                        return -ECHILD;
                }
                buf[k] = '\0';
                if (buf[0] == 'u') {
                        char path[64];
                        snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
                        if (write_file(path, "0 100000 65536\n") < 0)
                                return -EPERM;
                        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
                        if (write_file(path, "0 100000 65536\n") < 0)
                                return -EPERM;
                        if (write(go[1], "g", 1) != 1)
                                return -EPIPE;
                        continue;
                }
                t->pid = atoi(buf + 1);
                break;
        }
        close(ready[0]);
        close(go[1]);
        return t->pid > 0 ? 0 : -EIO;
}

void target_stop(struct target *t)
{
        if (t->holder > 0) {
                kill(t->holder, SIGKILL);
                if (t->pid != t->holder)
                        kill(t->pid, SIGKILL);
                waitpid(t->holder, NULL, 0);
        }
        t->holder = t->pid = 0;
}

pid_t start_sleeper(int (*prepare)(void))
{
        int p[2];
        char c;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                if (prepare() != 0 || write(p[1], "r", 1) != 1)
                        _exit(2);
                for (;;)
                        pause();
        }
        close(p[1]);
        ssize_t k = read(p[0], &c, 1);
        close(p[0]);
        if (k != 1) {
                waitpid(pid, NULL, 0);
                return -1;
        }
        return pid;
}

int ns_link(pid_t pid, const char *name, char *buf, size_t len)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
        ssize_t k = readlink(path, buf, len - 1);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return 0;
}

int count_lines(const char *s)
{
        int n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

void minictr_start(struct minictr *c, const char *caps)
{
        int out[2];
        char buf[32] = "";

        require_root();
        strcpy(c->root, "/tmp/nsattach-minictr-XXXXXX");
        cr_assert_not_null(mkdtemp(c->root));
        cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
        c->shim = fork();
        if (c->shim == 0) {
                dup2(out[1], 1);
                prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves no container behind */
                if (caps)
                        setenv("MINICTR_CAPS", caps, 1);
                execl(helper_path("minictr"), "minictr", c->root, "minictr-host", "198.51.100.20/24", (char *)NULL);
                _exit(127);
        }
        close(out[1]);
        ssize_t k = read(out[0], buf, sizeof(buf) - 1);
        close(out[0]);
        cr_assert_gt(k, 0, "minictr did not start");
        c->pid = atoi(buf);
        cr_assert_gt(c->pid, 0);
        /* wait for its two workers */
        for (int i = 0; i < 200; i++) {
                char path[64], kids[64] = "";
                snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)c->pid, (int)c->pid);
                FILE *f = fopen(path, "r");
                if (f && fgets(kids, sizeof(kids), f) && strchr(kids, ' ') && strchr(strchr(kids, ' ') + 1, ' ')) {
                        fclose(f);
                        return;
                }
                if (f)
                        fclose(f);
                usleep(10000);
        }
        cr_assert_fail("the container's workers did not start");
}

void minictr_stop(struct minictr *c)
{
        if (c->shim > 0) {
                kill(c->shim, SIGTERM);
                waitpid(c->shim, NULL, 0);
        }
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", c->root);
        system(cmd);
}
