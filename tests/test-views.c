/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pid and net views (SPEC 5.1, 5.2) against the minimal container: a root
 * file system holding one static binary, no shell, no ps, no ip, started
 * without a runtime by tests/fixtures/minictr.  Needs root.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

struct minictr {
        pid_t shim;  /* minictr itself */
        pid_t pid;   /* the container's pid 1, as the host sees it */
        char root[64];
};

static void minictr_start(struct minictr *c, const char *caps)
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

static void minictr_stop(struct minictr *c)
{
        if (c->shim > 0) {
                kill(c->shim, SIGTERM);
                waitpid(c->shim, NULL, 0);
        }
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", c->root);
        system(cmd);
}

static void attach(pid_t pid, const char *const *flags, int nflags, const char *script, struct result *r)
{
        char p[16];
        char *argv[16];
        int n = 0;
        snprintf(p, sizeof(p), "%d", (int)pid);
        argv[n++] = (char *)nsattach_path();
        argv[n++] = "-t";
        argv[n++] = p;
        for (int i = 0; i < nflags; i++)
                argv[n++] = (char *)flags[i];
        argv[n++] = "--";
        argv[n++] = "/bin/sh";
        argv[n++] = "-c";
        argv[n++] = (char *)script;
        argv[n] = NULL;
        cr_assert_eq(run(argv, r), 0);
}

/* Every path under root with its type, mode, size and mtime, sorted: a footprint shows here. */
static void snapshot_tree(const char *root, char *buf, size_t len)
{
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "cd %s && find . -printf '%%p %%y %%m %%s %%T@\\n' | sort", root);
        FILE *f = popen(cmd, "r");
        cr_assert_not_null(f);
        size_t n = fread(buf, 1, len - 1, f);
        buf[n] = '\0';
        pclose(f);
        cr_assert_gt(n, 0);
}

static void snapshot_mounts(pid_t pid, char *buf, size_t len)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f);
        size_t n = fread(buf, 1, len - 1, f);
        buf[n] = '\0';
        fclose(f);
}

static struct minictr c;
static void setup(void)
{
        minictr_start(&c, NULL);
}
static void teardown(void)
{
        minictr_stop(&c);
}

TestSuite(views, .init = setup, .fini = teardown, .timeout = 60);

/* ps from the host lists exactly the container's processes, with their own pids. */
Test(views, pid_view_shows_the_containers_processes)
{
        struct result r;
        const char *f[] = { "-p" };
        attach(c.pid, f, 1, "ps -eo pid=,comm= | grep -vw ps", &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        int pids[8], n = 0, workers = 0, init = 0;
        char *save, *line = strtok_r(r.out, "\n", &save);
        for (; line; line = strtok_r(NULL, "\n", &save)) {
                int pid;
                char comm[32];
                cr_assert_eq(sscanf(line, "%d %31s", &pid, comm), 2, "line: %s", line);
                cr_assert_lt(n, 8, "too many processes: %s", r.out);
                pids[n++] = pid;
                init += pid == 1 && strcmp(comm, "init") == 0;
                workers += strcmp(comm, "worker") == 0;
                cr_assert(strcmp(comm, "init") == 0 || strcmp(comm, "worker") == 0 || strcmp(comm, "sh") == 0 ||
                                  strcmp(comm, "grep") == 0,
                          "not the container's: %s", line);
        }
        cr_assert_eq(init, 1, "pid 1 is the container's init");
        cr_assert_eq(workers, 2);
        for (int i = 0; i < n; i++)
                cr_assert_lt(pids[i], 100, "a host pid leaked into the view: %d", pids[i]);

        /* the container's files are reachable as /proc/1/root */
        attach(c.pid, f, 1, "ls /proc/1/root", &r);
        cr_assert_str_eq(r.out, "dev\netc\nproc\nsbin\nsys\ntmp\n", "%s %s", r.out, r.err);
}

Test(views, pid_view_host_is_read_only)
{
        struct result r;
        const char *f[] = { "-p" };
        char marker[64];
        snprintf(marker, sizeof(marker), "/tmp/nsattach-pidview-%d", (int)getpid());
        char script[160];
        snprintf(script, sizeof(script), "touch %s", marker);
        attach(c.pid, f, 1, script, &r);
        cr_assert_neq(r.code, 0);
        cr_assert(strstr(r.err, "Read-only"), "%s", r.err);
        cr_assert_neq(access(marker, F_OK), 0, "the pid view wrote on the host");
}

Test(views, net_view_shows_the_containers_network)
{
        struct result r;
        const char *f[] = { "-n" };
        attach(c.pid, f, 1, "ip -br -4 addr | awk '{print $1, $3}'", &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strncmp(r.out, "lo 127.0.0.1/8\neth0@if", 22) == 0 && strstr(r.out, " 198.51.100.20/24\n"),
                  "interfaces: %s", r.out);
        cr_assert_eq(count_lines(r.out), 2, "%s", r.out);

        attach(c.pid, f, 1, "ls /sys/class/net", &r);
        cr_assert_str_eq(r.out, "eth0\nlo\n", "%s %s", r.out, r.err);

        /* the container's name service files, bound read-only over the host's */
        const char *files[] = { "resolv.conf", "hosts", "hostname" };
        for (size_t i = 0; i < 3; i++) {
                char script[64], path[128], *want = NULL;
                size_t cap = 0;
                snprintf(script, sizeof(script), "cat /etc/%s", files[i]);
                attach(c.pid, f, 1, script, &r);
                snprintf(path, sizeof(path), "%s/etc/%s", c.root, files[i]);
                FILE *fp = fopen(path, "r");
                cr_assert_not_null(fp);
                ssize_t k = getdelim(&want, &cap, '\0', fp);
                fclose(fp);
                cr_assert_gt(k, 0);
                cr_assert_str_eq(r.out, want, "/etc/%s: %s", files[i], r.out);
                free(want);
        }
        attach(c.pid, f, 1, "echo x >> /etc/resolv.conf", &r);
        cr_assert_neq(r.code, 0, "the container's resolv.conf is writable in the view");
}

Test(views, views_compose_and_leave_no_footprint)
{
        static char before[65536], after[65536], mb[16384], ma[16384];
        struct result r;
        snapshot_tree(c.root, before, sizeof(before));
        snapshot_mounts(c.pid, mb, sizeof(mb));

        const char *f[] = { "-p", "-n" };
        attach(c.pid, f, 2, "ps -eo comm= | sort | uniq -c | awk '{print $1, $2}'; ls /sys/class/net; cat /etc/hostname",
               &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "1 init\n") && strstr(r.out, "2 worker\n") && strstr(r.out, "eth0\nlo\nminictr-host\n"),
                  "%s", r.out);
        const char *p[] = { "-p" }, *n[] = { "-n" };
        attach(c.pid, p, 1, "ps -e >/dev/null; ls /proc/1/root >/dev/null", &r);
        attach(c.pid, n, 1, "ip addr >/dev/null; cat /etc/resolv.conf >/dev/null", &r);

        snapshot_tree(c.root, after, sizeof(after));
        snapshot_mounts(c.pid, ma, sizeof(ma));
        cr_assert_str_eq(after, before, "the container's files changed");
        cr_assert_str_eq(ma, mb, "the container's mount table changed");
}

/* A paused container: its processes are frozen, the views do not need them to run. */
Test(views, paused_target)
{
        struct result r;
        char dir[128], path[160], cmd[512];
        bool v1 = access("/sys/fs/cgroup/freezer/cgroup.procs", F_OK) == 0;
        snprintf(dir, sizeof(dir), v1 ? "/sys/fs/cgroup/freezer/nsattach-test-%d" : "/sys/fs/cgroup/nsattach-test-%d",
                 (int)getpid());
        if (!v1 && access("/sys/fs/cgroup/cgroup.subtree_control", F_OK) != 0)
                skip_or_fail("no cgroup freezer (neither v1 freezer nor cgroup2)");
        cr_assert_eq(mkdir(dir, 0755), 0, "%s", dir);
        /* the container's processes into the frozen cgroup */
        snprintf(cmd, sizeof(cmd), "for p in %d $(cat /proc/%d/task/%d/children); do echo $p > %s/cgroup.procs; done",
                 (int)c.pid, (int)c.pid, (int)c.pid, dir);
        cr_assert_eq(system(cmd), 0);
        if (v1)
                snprintf(cmd, sizeof(cmd), "echo FROZEN > %s/freezer.state", dir);
        else
                snprintf(cmd, sizeof(cmd), "echo 1 > %s/cgroup.freeze", dir);
        cr_assert_eq(system(cmd), 0);
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)c.pid);

        const char *f[] = { "-p", "-n" };
        attach(c.pid, f, 2, "ps -eo comm= | grep -c worker; ls /sys/class/net", &r);

        if (v1)
                snprintf(cmd, sizeof(cmd), "echo THAWED > %s/freezer.state", dir);
        else
                snprintf(cmd, sizeof(cmd), "echo 0 > %s/cgroup.freeze", dir);
        system(cmd);
        snprintf(cmd, sizeof(cmd), "for p in $(cat %s/cgroup.procs); do echo $p > %s/../cgroup.procs; done; rmdir %s",
                 dir, dir, dir);
        system(cmd);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "2\neth0\nlo\n");
}

/* SECURITY.md T2: a target that could reach a host program in its pid namespace gets no pid view. */
Test(refusal, ptrace_capable_target)
{
        struct minictr p;
        struct result r;
        char caps[32];
        snprintf(caps, sizeof(caps), "%llx", 0xa80425fbULL | (1ULL << 19)); /* + CAP_SYS_PTRACE */
        minictr_start(&p, caps);
        const char *f[] = { "-p" }, *n[] = { "-n" };
        attach(p.pid, f, 1, "ps -e", &r);
        cr_assert_eq(r.code, 125);
        cr_assert(strstr(r.err, "CAP_SYS_PTRACE") && count_lines(r.err) == 1, "%s", r.err);
        cr_assert_str_empty(r.out);
        attach(p.pid, n, 1, "ls /sys/class/net", &r);
        cr_assert_str_eq(r.out, "eth0\nlo\n", "the net view still works: %s", r.err);
        minictr_stop(&p);

}

/* A caller without CAP_SYS_PTRACE, and a container holding every capability it has. */
Test(refusal, target_capabilities_cover_ours)
{
        struct minictr p;
        struct result r;
        char pid[16];
        minictr_start(&p, "a82425fb"); /* docker's default set + CAP_SYS_ADMIN */
        snprintf(pid, sizeof(pid), "%d", (int)p.pid);
        /* root, but only those capabilities: exec gives root its bounding set */
        char *argv[] = { "/usr/bin/setpriv", "--bounding-set",
                         "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,"
                         "+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap,+sys_admin",
                         (char *)nsattach_path(), "-t", pid, "-p", "--", "/bin/ps", "-e", NULL };
        cr_assert_eq(run(argv, &r), 0);
        cr_assert_eq(r.code, 125, "%s %s", r.out, r.err);
        cr_assert(strstr(r.err, "every capability"), "%s", r.err);

        /* with one capability it lacks (CAP_NET_ADMIN), the view is allowed */
        char *argv2[] = { "/usr/bin/setpriv", "--bounding-set",
                          "-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,"
                          "+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap,+sys_admin,+net_admin",
                          (char *)nsattach_path(), "-t", pid, "-p", "--", "/bin/sh", "-c", "ps -eo comm= | grep -c worker", NULL };
        cr_assert_eq(run(argv2, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "2\n");
        minictr_stop(&p);
}

/* Its current capabilities are not the limit: its root can have the whole bounding set. */
Test(refusal, unprivileged_process_with_a_full_bounding_set)
{
        struct result r;
        char pid[16];
        int ready[2];
        require_root();
        cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
        pid_t holder = fork();
        if (holder == 0) {
                if (unshare(CLONE_NEWPID | CLONE_NEWNET) < 0)
                        _exit(2);
                pid_t t = fork();
                if (t == 0) {
                        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                                _exit(3);
                        for (;;)
                                pause();
                }
                dprintf(ready[1], "%d\n", (int)t);
                waitpid(t, NULL, 0);
                _exit(0);
        }
        close(ready[1]);
        char buf[32] = "";
        cr_assert_gt(read(ready[0], buf, sizeof(buf) - 1), 0);
        close(ready[0]);
        pid_t t = atoi(buf);
        snprintf(pid, sizeof(pid), "%d", (int)t);
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-p", "--", "/bin/true", NULL };
        cr_assert_eq(run(argv, &r), 0);
        kill(t, SIGKILL);
        waitpid(holder, NULL, 0);
        cr_assert_eq(r.code, 125, "a uid-65534 process with CapEff 0 but a full bounding set got a pid view");
        cr_assert(strstr(r.err, "CAP_SYS_PTRACE"), "%s", r.err);
}

Test(refusal, target_in_our_pid_namespace)
{
        struct target t;
        struct result r;
        require_root();
        cr_assert_eq(target_start(CLONE_NEWNET, -1, &t), 0);
        const char *f[] = { "-p", "-n" };
        attach(t.pid, f, 2, "ps -e", &r);
        cr_assert_eq(r.code, 125);
        cr_assert(strstr(r.err, "shares our pid namespace"), "%s", r.err);
        target_stop(&t);
}
