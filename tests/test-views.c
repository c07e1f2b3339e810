/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pid, net and mnt views (SPEC 5.1-5.3) against the minimal container: a root
 * file system holding one static binary, no shell, no ps, no ip, started
 * without a runtime by tests/fixtures/minictr.  Needs root.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "hostexec.h"

#define ELEMENTSOF_T(a) (sizeof(a) / sizeof((a)[0]))


/* argv of "nsattach -t PID ARGS...", pid's digits in p */
static void nsattach_argv(pid_t pid, const char *const *args, char p[16], char *argv[24])
{
        int n = 0;
        snprintf(p, 16, "%d", (int)pid);
        argv[n++] = (char *)nsattach_path();
        argv[n++] = "-t";
        argv[n++] = p;
        for (; *args && n < 22; args++)
                argv[n++] = (char *)*args;
        argv[n] = NULL;
}

static void attach_prog(pid_t pid, const char *const *args, struct result *r)
{
        char p[16], *argv[24];
        nsattach_argv(pid, args, p, argv);
        cr_assert_eq(run(argv, r), 0);
}

/* nsattach -t PID FLAGS -- /bin/sh -c SCRIPT */
static void attach(pid_t pid, const char *const *flags, int nflags, const char *script, struct result *r)
{
        const char *args[20];
        int n = 0;
        for (int i = 0; i < nflags && n < 15; i++)
                args[n++] = flags[i];
        args[n++] = "--";
        args[n++] = "/bin/sh";
        args[n++] = "-c";
        args[n++] = script;
        args[n] = NULL;
        attach_prog(pid, args, r);
}

/* What a host shell command prints (something, or the test fails). */
static void host_output(const char *cmd, char *buf, size_t len)
{
        FILE *f = popen(cmd, "r");
        cr_assert_not_null(f);
        size_t n = fread(buf, 1, len - 1, f);
        buf[n] = '\0';
        pclose(f);
        cr_assert_gt(n, 0);
}

/* A file's text ("" if it cannot be read). */
static void read_text(const char *path, char *buf, size_t len)
{
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, len - 1, f) : 0;
        buf[n] = '\0';
        if (f)
                fclose(f);
}

/* Every path under root with its type, mode, size and mtime, sorted: a footprint shows here. */
static void snapshot_tree(const char *root, char *buf, size_t len)
{
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "cd %s && find . -printf '%%p %%y %%m %%s %%T@\\n' | sort", root);
        host_output(cmd, buf, len);
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

        const char *f[] = { "-p", "-n" }, *m[] = { "-m" };
        attach(c.pid, f, 2, "ps -eo comm= | grep -c worker; ls /sys/class/net", &r);
        struct result rm;
        attach(c.pid, m, 1, "ls /; ps -eo comm= | grep -c worker", &rm);

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
        cr_assert_eq(rm.code, 0, "%s", rm.err);
        cr_assert_str_eq(rm.out, "dev\netc\nproc\nsbin\nsys\ntmp\n2\n", "mnt view: %s", rm.out);
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
        /* the mnt view works: its program is launched from the view's
         * trampoline (container_view_launched_for_a_tracer) */
        attach_prog(p.pid, (const char *[]){ "-m", "--", "cat", "/etc/hostname", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "minictr-host\n", "%s", r.err);
        /* not --exec=container: without the view there is no such file, and
         * until its exec the program's process would run our binary, which a
         * tracer could take a handle on (runc CVE-2019-5736) */
        attach_prog(p.pid, (const char *[]){ "-m", "--exec=container", "--", "/sbin/init", NULL }, &r);
        cr_assert_eq(r.code, 125, "%s", r.err);
        cr_assert(strstr(r.err, "CAP_SYS_PTRACE") && strstr(r.err, "--exec=container") && count_lines(r.err) == 1,
                  "%s", r.err);
        minictr_stop(&p);
}

/* --confine where it would not be safe: a host program with the target's
 * privileges in its pid namespace. */
Test(refusal, confine_in_a_pid_view)
{
        struct minictr p;
        struct result r;
        minictr_start(&p, NULL);
        attach_prog(p.pid, (const char *[]){ "-p", "--confine", "--", "true", NULL }, &r);
        minictr_stop(&p);
        cr_assert_eq(r.code, 125, "%s", r.err);
        cr_assert(strstr(r.err, "--confine") && strstr(r.err, "pid namespace") && count_lines(r.err) == 1, "%s",
                  r.err);
}

/* --root and --wd without a directory take the target's, in its files: from
 * a host view that would run the container's loader and programs with the
 * caller's privileges (or the target's, outside its mount namespace), or
 * start in a directory it controls.  Refused; the mnt view is for that. */
Test(refusal, host_view_into_the_targets_files)
{
        struct minictr p;
        struct result r;
        minictr_start(&p, NULL);
        static const char *const forms[][3] = { { "-n", "-r" }, { "-n", "--root" }, { "-u", "-w" },
                                                { "-n", "--privileged", "-r" }, { "-n", "--confine", "-r" } };
        for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                const char *args[8];
                size_t n = 0;
                for (int k = 0; k < 3 && forms[i][k]; k++)
                        args[n++] = forms[i][k];
                args[n++] = "--";
                args[n++] = "/bin/busybox";
                args[n++] = "true";
                args[n] = NULL;
                attach_prog(p.pid, args, &r);
                cr_assert_eq(r.code, 125, "%s %s %s: %s", forms[i][0], forms[i][1], forms[i][2] ? forms[i][2] : "",
                             r.err);
                cr_assert(strstr(r.err, "in its files") && count_lines(r.err) == 1, "%s", r.err);
        }
        /* a directory of the caller's stays the caller's to give, --confine or not (it was ignored) */
        attach_prog(p.pid, (const char *[]){ "-n", "--confine", "--wd=/usr", "--", "/bin/pwd", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "/usr\n", "%s", r.err);
        /* the mnt view takes the target's working directory */
        attach_prog(p.pid, (const char *[]){ "-m", "-w", "--", "pwd", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "/\n", "%s", r.err);
        minictr_stop(&p);

        /* in our mount namespace, but chrooted: its root is its own files too (found in review) */
        int go[2];
        cr_assert_eq(pipe(go), 0);
        pid_t jailed = fork();
        if (jailed == 0) {
                char ok = unshare(CLONE_NEWUTS) == 0 && chroot("/tmp") == 0 && chdir("/") == 0;
                (void)!write(go[1], &ok, 1);
                pause();
                _exit(0);
        }
        char ok = 0;
        cr_assert_eq(read(go[0], &ok, 1), 1);
        cr_assert(ok, "the chrooted target did not start");
        attach_prog(jailed, (const char *[]){ "-u", "-r", "--", "/bin/true", NULL }, &r);
        kill(jailed, SIGKILL);
        waitpid(jailed, NULL, 0);
        close(go[0]);
        close(go[1]);
        cr_assert_eq(r.code, 125, "%s", r.err);
        cr_assert(strstr(r.err, "in its files") && count_lines(r.err) == 1, "%s", r.err);
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

/* ---- the mnt view (SPEC 5.3): the container's files, the host's programs ---- */

/* What "ls /" must print: the names in the fixture's root, as the host lists them. */
static void root_listing(const char *root, char *buf, size_t len)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "ls %s", root);
        host_output(cmd, buf, len);
}

Test(views, mnt_view_root_is_the_containers)
{
        struct result r;
        char want[512];
        root_listing(c.root, want, sizeof(want));
        /* the fixture has no ls, no cat, no ps, no libc: these are the host's */
        cr_assert_neq(access("/bin/ls", X_OK), -1);
        char probe[128];
        snprintf(probe, sizeof(probe), "%s/bin/ls", c.root);
        cr_assert_eq(access(probe, F_OK), -1, "the fixture is not minimal");

        attach_prog(c.pid, (const char *[]){ "-m", "--", "ls", "/", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want, "ls / is not the container's root:\n%s", r.out);
        cr_assert_str_empty(r.err);

        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/etc/hostname", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "minictr-host\n");

        /* the container's processes, through its own /proc: -m joins its pid namespace */
        attach_prog(c.pid, (const char *[]){ "-m", "--", "ps", "-e", "-o", "pid=,args=", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        int init = 0, workers = 0;
        char *save, *line = strtok_r(r.out, "\n", &save);
        for (; line; line = strtok_r(NULL, "\n", &save)) {
                int pid;
                char cmd[64];
                cr_assert_eq(sscanf(line, "%d %63s", &pid, cmd), 2, "%s", line);
                cr_assert_lt(pid, 100, "a host pid in the mnt view: %s", line);
                init += pid == 1;
                workers += strstr(cmd, "init") && pid != 1;
        }
        cr_assert_eq(init, 1);
        cr_assert_eq(workers, 2, "the container's two workers");
}

/* A static host program runs directly, a dynamic one through the host's loader: same view. */
Test(views, mnt_view_static_and_dynamic_programs)
{
        struct result r;
        char want[512], interp[8] = "";
        root_listing(c.root, want, sizeof(want));
        if (access("/bin/busybox", X_OK) != 0)
                skip_or_fail("no static busybox on this host (busybox-static)");
        FILE *f = popen("readelf -l /bin/busybox | grep -c 'Requesting program interpreter'", "r");
        cr_assert_not_null(f);
        fgets(interp, sizeof(interp), f);
        pclose(f);
        cr_assert_eq(atoi(interp), 0, "/bin/busybox is not static");
        f = popen("readelf -l /bin/ls | grep -c 'Requesting program interpreter'", "r");
        cr_assert_not_null(f);
        fgets(interp, sizeof(interp), f);
        pclose(f);
        cr_assert_eq(atoi(interp), 1, "/bin/ls is not dynamic");

        attach_prog(c.pid, (const char *[]){ "-m", "--", "/bin/busybox", "ls", "/", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "/bin/ls", "/", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want);
}

/* -a: the host's shell, and the host's commands it runs by name. */
Test(views, all_with_the_hosts_shell)
{
        struct result r;
        char want[512], expect[1024];
        root_listing(c.root, want, sizeof(want));
        attach_prog(c.pid, (const char *[]){ "-a", "--", "sh", "-c", "ps -eo pid=; ip -br link | cut -d' ' -f1; ls /", NULL },
                    &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "      1\n"), "ps: %s", r.out);
        snprintf(expect, sizeof(expect), "lo\neth0@");
        cr_assert(strstr(r.out, expect), "ip: %s", r.out);
        size_t wl = strlen(want), ol = strlen(r.out);
        cr_assert(ol >= wl && strcmp(r.out + ol - wl, want) == 0, "ls /: %s", r.out);
}

Test(views, mnt_view_leaves_no_footprint)
{
        static char before[65536], after[65536], mb[16384], ma[16384];
        struct result r;
        snapshot_tree(c.root, before, sizeof(before));
        snapshot_mounts(c.pid, mb, sizeof(mb));

        attach_prog(c.pid, (const char *[]){ "-m", "--", "ls", "/", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/etc/hostname", NULL }, &r);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "ps", "-e", NULL }, &r);
        attach_prog(c.pid, (const char *[]){ "-a", "--", "sh", "-c", "ps; ip -br link; ls /", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);

        snapshot_tree(c.root, after, sizeof(after));
        snapshot_mounts(c.pid, ma, sizeof(ma));
        cr_assert_str_eq(after, before, "the container's files changed");
        cr_assert_str_eq(ma, mb, "the container's mount table changed");
}

/* "CapPrm:\t..." of a status text */
static unsigned long long status_hex(const char *status, const char *key)
{
        const char *p = strstr(status, key);
        cr_assert_not_null(p, "%s missing", key);
        return strtoull(p + strlen(key) + 1, NULL, 16);
}

/* SPEC 6: the program in the mnt view has the target's privileges and no more. */
Test(views, mnt_view_has_the_targets_privileges)
{
        struct result r;
        char path[64], theirs[4096] = "";
        snprintf(path, sizeof(path), "/proc/%d/status", (int)c.pid);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f);
        fread(theirs, 1, sizeof(theirs) - 1, f);
        fclose(f);

        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/proc/self/status", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        const char *keys[] = { "CapPrm:", "CapEff:", "CapBnd:" };
        for (size_t i = 0; i < 3; i++)
                cr_assert_eq(status_hex(r.out, keys[i]), status_hex(theirs, keys[i]), "%s: %s", keys[i], r.out);
        cr_assert_eq(status_hex(theirs, "CapBnd:"), 0xa80425fbULL, "the fixture has docker's default set");
        cr_assert_eq(status_hex(r.out, "CapInh:"), 0);
        cr_assert_eq(status_hex(r.out, "CapAmb:"), 0);
        cr_assert(strstr(r.out, "NoNewPrivs:\t1\n"), "%s", r.out);
        cr_assert(strstr(r.out, "\nSeccomp:\t2\n"), "a syscall filter: %s", r.out);
        cr_assert(strstr(r.out, "\nGroups:\t \n"), "supplementary groups: %s", r.out);
}

/* Runs nsattach ARGS with a new pseudo-terminal as its stdin (stdout and stderr
 * to a pipe): what an interactive caller's program gets. */
static char last_tty[64]; /* the terminal attach_on_a_terminal() made */

static void attach_on_a_terminal(pid_t pid, const char *const *args, char *out, size_t len)
{
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), pipefd[2];
        cr_assert_geq(m, 0);
        cr_assert_eq(grantpt(m), 0);
        cr_assert_eq(unlockpt(m), 0);
        snprintf(last_tty, sizeof(last_tty), "%s", ptsname(m));
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        char p[16], *argv[24];
        nsattach_argv(pid, args, p, argv);
        pid_t child = fork();
        if (child == 0) {
                int s = open(ptsname(m), O_RDWR | O_NOCTTY);
                if (s < 0 || dup2(s, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(pipefd[1], 2) < 0)
                        _exit(126);
                execv(argv[0], argv);
                _exit(127);
        }
        close(pipefd[1]);
        size_t got = 0;
        ssize_t k;
        while (got < len - 1 && (k = read(pipefd[0], out + got, len - 1 - got)) > 0)
                got += (size_t)k;
        out[got] = '\0';
        close(pipefd[0]);
        int st;
        cr_assert_eq(waitpid(child, &st, 0), child);
        close(m);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d: %s", st, out);
}

/* SECURITY T8 and SPEC 6: the container's syscall filter in the mnt view;
 * the host's own programs in a host view keep what they need, and only lose
 * TIOCSTI/TIOCLINUX, where there is a terminal to type into. */
Test(views, container_view_syscall_filter)
{
        struct result r;
        attach_prog(c.pid, (const char *[]){ "-m", "--", helper_path("sysprobe"), NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "tiocsti EPERM\ntiocsti-high EPERM\ntioclinux EPERM\nunshare-user EPERM\n"
                                "open_by_handle_at EPERM\nkeyctl EPERM\nclone3 ENOSYS\nmount EPERM\nint80-getpid ok\n");

        /* net view, stdin /dev/null: no filter at all */
        attach_prog(c.pid, (const char *[]){ "-n", "--", helper_path("sysprobe"), NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "tiocsti ENOTTY\ntiocsti-high ENOTTY\ntioclinux ENOTTY\nunshare-user ok\n"
                                "open_by_handle_at EFAULT\nkeyctl ok\nclone3 EINVAL\nmount ok\nint80-getpid ok\n");

        /* on a terminal: the program cannot type into it, in either view */
        char out[4096];
        attach_on_a_terminal(c.pid, (const char *[]){ "-n", "--", helper_path("sysprobe"), NULL }, out, sizeof(out));
        cr_assert_str_eq(out, "tiocsti EPERM\ntiocsti-high EPERM\ntioclinux EPERM\nunshare-user ok\n"
                              "open_by_handle_at EFAULT\nkeyctl ok\nclone3 EINVAL\nmount ok\nint80-getpid ok\n");
        attach_on_a_terminal(c.pid, (const char *[]){ "-m", "--", helper_path("sysprobe"), NULL }, out, sizeof(out));
        cr_assert(strncmp(out, "tiocsti EPERM\ntiocsti-high EPERM\ntioclinux EPERM\nunshare-user EPERM\n", 63) == 0,
                  "%s", out);
        /* only stdin a terminal, in a container view: a terminal of its own all the same */
        attach_on_a_terminal(c.pid, (const char *[]){ "-m", "--", "readlink", "/proc/self/fd/0", NULL }, out, sizeof(out));
        cr_assert(strncmp(out, "/dev/pts/", 9) == 0, "%s", out);
        char mine[80];
        snprintf(mine, sizeof(mine), "%s\n", last_tty);
        cr_assert_str_neq(out, mine, "the container's program holds the caller's terminal");
}

/* nsattach started by a shell with children of its own: the program is still found. */
Test(views, container_view_with_inherited_children)
{
        char cmd[512], out[256];
        snprintf(cmd, sizeof(cmd), "sh -c 'sleep 2 & exec %s -t %d -m -- echo hi' </dev/null; echo rc=$?", nsattach_path(),
                 (int)c.pid);
        host_output(cmd, out, sizeof(out));
        cr_assert_str_eq(out, "hi\nrc=0\n");
}

static unsigned long long proc_status_hex(pid_t pid, const char *key)
{
        char path[64], buf[4096] = "";
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f)
                return ~0ULL;
        fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        const char *p = strstr(buf, key);
        return p ? strtoull(p + strlen(key) + 1, NULL, 16) : ~0ULL;
}

/* --privileged (SPEC 6): the caller's privileges where nothing the container
 * controls is loaded (a host view, which keeps them anyway, and says so), and
 * refused where the program becomes the container's (-m, -a, -U). */
Test(refusal, privileged_only_in_a_host_view)
{
        struct minictr p;
        struct result r;
        minictr_start(&p, NULL);
        attach_prog(p.pid, (const char *[]){ "-n", "--privileged", "--", "cat", "/proc/self/status", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.err, "keeps the caller's privileges") && count_lines(r.err) == 1, "%s", r.err);
        char want[64];
        snprintf(want, sizeof(want), "CapEff:\t%016llx\n", proc_status_hex(getpid(), "CapEff:"));
        cr_assert(strstr(r.out, want), "not the caller's capabilities (%s): %s", want, r.out);
        attach_prog(p.pid, (const char *[]){ "-q", "-n", "--privileged", "--", "true", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_empty(r.err, "-q leaves the note out");
        static const char *const views[][3] = { { "-m", NULL }, { "-a", NULL }, { "-m", "--exec=container" } };
        for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
                const char *args[8] = { views[i][0] };
                size_t n = 1;
                if (views[i][1])
                        args[n++] = views[i][1];
                args[n++] = "--privileged";
                args[n++] = "--";
                args[n++] = "true";
                attach_prog(p.pid, args, &r);
                cr_assert_eq(r.code, 125, "%s %s: %s", views[i][0], views[i][1] ? views[i][1] : "", r.err);
                cr_assert(strstr(r.err, "--privileged") && strstr(r.err, "a host view") && count_lines(r.err) == 1,
                          "%s", r.err);
                cr_assert_str_empty(r.out);
        }
        minictr_stop(&p);
}

/*
 * SECURITY T1 (the window): no process of ours is ever in the container's pid
 * namespace with more than the target's capabilities, not even for the time
 * between fork and dropping them -- a container with CAP_SYS_PTRACE could
 * trace it then.  nsattach runs under ptrace following every fork; each new
 * process is inspected at its first stop, before it runs: if it is in the
 * target's pid namespace, its permitted set must be within the target's
 * bounding set.  At each exec, the fds and privileges the program starts with
 * (SECURITY T5).
 */
static void check_born_confined(pid_t target, bool launched)
{
        char tpid[16], want_ns[64];
        snprintf(tpid, sizeof(tpid), "%d", (int)target);
        cr_assert_eq(ns_link(target, "pid", want_ns, sizeof(want_ns)), 0);
        unsigned long long bnd = proc_status_hex(target, "CapBnd:");
        struct stat self;
        cr_assert_eq(stat(nsattach_path(), &self), 0);

        pid_t tracee = fork();
        if (tracee == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 1);
                ptrace(PTRACE_TRACEME, 0, NULL, NULL);
                raise(SIGSTOP);
                execl(nsattach_path(), "nsattach", "-t", tpid, "-m", "--", helper_path("fdlist"), (char *)NULL);
                _exit(127);
        }
        int st;
        cr_assert_eq(waitpid(tracee, &st, 0), tracee);
        cr_assert(WIFSTOPPED(st));
        ptrace(PTRACE_SETOPTIONS, tracee, 0,
               PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                       PTRACE_O_EXITKILL);
        ptrace(PTRACE_CONT, tracee, 0, 0);

        int inside = 0, execs = 0, bad = 0;
        char why[1024] = "";
        for (;;) {
                pid_t w = waitpid(-1, &st, __WALL);
                cr_assert_gt(w, 0, "waitpid: %s", strerror(errno));
                if (WIFEXITED(st) || WIFSIGNALED(st)) {
                        if (w != tracee)
                                continue;
                        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nsattach: status %d", st);
                        break; /* it waited for the program */
                }
                int sig = WSTOPSIG(st), event = st >> 16;
                char ns[64];
                bool in_target = ns_link(w, "pid", ns, sizeof(ns)) == 0 && !strcmp(ns, want_ns);
                if (event == PTRACE_EVENT_EXEC && w != tracee) {
                        char fds[256], cmd[64];
                        snprintf(cmd, sizeof(cmd), "ls /proc/%d/fd | sort -n | tr '\\n' ' '", (int)w);
                        host_output(cmd, fds, sizeof(fds));
                        /* the launcher, outside the target's pid namespace, still
                         * holds what it hands on: our pipe */
                        bool fds_ok = !strcmp(fds, "0 1 2 ") || (launched && !in_target && execs == 0);
                        if (!fds_ok || proc_status_hex(w, "CapInh:") != 0 ||
                            proc_status_hex(w, "CapAmb:") != 0 || proc_status_hex(w, "NoNewPrivs:") != 1 ||
                            proc_status_hex(w, "Seccomp:") != 2)
                                snprintf(why + strlen(why), sizeof(why) - strlen(why),
                                         "exec in %d: fds %s, inh %llx amb %llx nnp %llx seccomp %llx; ", (int)w, fds,
                                         proc_status_hex(w, "CapInh:"), proc_status_hex(w, "CapAmb:"),
                                         proc_status_hex(w, "NoNewPrivs:"), proc_status_hex(w, "Seccomp:"));
                        execs++;
                }
                if (event == 0 && sig == SIGSTOP && w != tracee) {
                        /* a new process's first stop: nothing of it has run yet */
                        if (in_target) {
                                inside++;
                                /* launched: not our binary, but the view's trampoline */
                                struct stat exe;
                                char ep[64];
                                snprintf(ep, sizeof(ep), "/proc/%d/exe", (int)w);
                                bool ours = stat(ep, &exe) == 0 && exe.st_dev == self.st_dev &&
                                            exe.st_ino == self.st_ino;
                                if (ours == launched) {
                                        bad++;
                                        snprintf(why + strlen(why), sizeof(why) - strlen(why),
                                                 "born in the container running %s; ",
                                                 ours ? "nsattach's own binary" : "something else than nsattach");
                                }
                                unsigned long long prm = proc_status_hex(w, "CapPrm:");
                                if (prm & ~bnd) {
                                        bad++;
                                        snprintf(why + strlen(why), sizeof(why) - strlen(why),
                                                 "born in the container with CapPrm %llx (target's bounding set %llx); ",
                                                 prm, bnd);
                                }
                                /* nothing of the host in its fds or its environment (the
                                 * test runner's mark is in ours) */
                                char cmd[160], fds[1024], env[8192] = "", p2[64];
                                snprintf(cmd, sizeof(cmd),
                                         "for f in /proc/%d/fd/*; do case ${f##*/} in [012]) ;; *) readlink $f;; esac; done"
                                         " | grep -v '^pipe:' ; true", (int)w);
                                FILE *pf = popen(cmd, "r");
                                size_t fl = pf ? fread(fds, 1, sizeof(fds) - 1, pf) : 0;
                                fds[fl] = '\0';
                                if (pf)
                                        pclose(pf);
                                snprintf(p2, sizeof(p2), "/proc/%d/environ", (int)w);
                                int ef = open(p2, O_RDONLY);
                                ssize_t el = ef >= 0 ? read(ef, env, sizeof(env) - 1) : -1;
                                if (ef >= 0)
                                        close(ef);
                                for (ssize_t i = 0; i < el; i++)
                                        if (!env[i])
                                                env[i] = ' ';
                                if (el > 0)
                                        env[el] = '\0';
                                if (fds[0] || strstr(env, "NSATTACH_TEST_MARK")) {
                                        bad++;
                                        snprintf(why + strlen(why), sizeof(why) - strlen(why),
                                                 "born in the container holding [%s] and environ [%.80s]; ", fds,
                                                 strstr(env, "NSATTACH_TEST_MARK") ? "NSATTACH_TEST_MARK..." : "");
                                }
                        }
                        sig = 0;
                }
                if (event != 0 || sig == SIGTRAP)
                        sig = 0;
                ptrace(PTRACE_CONT, w, 0, sig);
        }
        cr_assert_gt(inside, 0, "no process of ours appeared in the container's pid namespace");
        cr_assert_eq(bad, 0, "%s", why);
        cr_assert_str_empty(why);
        /* launched: the launcher's exec, then the program's */
        cr_assert_gt(execs, launched ? 1 : 0, "the program never ran (%d execs)", execs);
}

Test(views, container_view_born_confined)
{
        check_born_confined(c.pid, false);
}

/* A target that can trace what enters its pid namespace (CAP_SYS_PTRACE): the
 * program's process is forked from the view's trampoline, exec'd outside that
 * namespace, so it never runs nsattach's binary where the target could take a
 * handle on that file (runc CVE-2019-5736; the attack itself: test-attacks.sh). */
/* The launched program's word is a queued signal: a container that floods its
 * pid namespace with signals of that number cannot make it be lost (one
 * pending standard signal would swallow it), so every attach ends, if only
 * because the flood kills the program after its exec.  Each is given 10 s;
 * 124 would be a hang.  (The race it guards against is narrow: a SIGUSR1 word
 * did not hang in these 20 either, so this shows no hang, not the race.) */
Test(views, launched_hand_off_survives_a_signal_flood)
{
        struct minictr p;
        struct result r;
        char caps[32], pid[16], flood[256];
        snprintf(caps, sizeof(caps), "%llx", 0xa80425fbULL | (1ULL << 19)); /* + CAP_SYS_PTRACE */
        minictr_start(&p, caps);
        snprintf(pid, sizeof(pid), "%d", (int)p.pid);
        /* the word's own number: one that would kill the waiting process ends the attach, never hangs it */
        snprintf(flood, sizeof(flood), "exec nsenter -t %d -p -- %s %d", (int)p.pid, helper_path("flood"),
                 (int)HOSTEXEC_LAUNCH_SIGNAL);
        pid_t flooder = fork();
        if (flooder == 0) {
                execl("/bin/sh", "sh", "-c", flood, (char *)NULL);
                _exit(127);
        }
        usleep(200000);
        int hung = 0, ran = 0;
        for (int i = 0; i < 20; i++) {
                char *a[] = { "timeout", "10", (char *)nsattach_path(), "-t", pid, "-m", "--", "true", NULL };
                cr_assert_eq(run(a, &r), 0);
                hung += r.code == 124;
                ran += r.code == 0;
        }
        kill(flooder, SIGKILL);
        waitpid(flooder, NULL, 0);
        minictr_stop(&p);
        cr_assert_eq(hung, 0, "%d of 20 attaches hung (%d ran)", hung, ran);
}

/* The launched program's process waits for nsattach's word; nsattach killed
 * before it gives it (here: the moment that process is born, held there under
 * ptrace) must not leave it waiting in the container for ever, nor let it run
 * the program without nsattach: it gives up after HOSTEXEC_LAUNCH_WAIT s. */
Test(views, launched_program_goes_with_an_early_nsattach)
{
        struct minictr p;
        char caps[32], tpid[16], want_ns[64];
        snprintf(caps, sizeof(caps), "%llx", 0xa80425fbULL | (1ULL << 19)); /* + CAP_SYS_PTRACE */
        minictr_start(&p, caps);
        snprintf(tpid, sizeof(tpid), "%d", (int)p.pid);
        cr_assert_eq(ns_link(p.pid, "pid", want_ns, sizeof(want_ns)), 0);

        pid_t tracee = fork();
        if (tracee == 0) {
                ptrace(PTRACE_TRACEME, 0, NULL, NULL);
                raise(SIGSTOP);
                execl(nsattach_path(), "nsattach", "-t", tpid, "-m", "--", "true", (char *)NULL);
                _exit(127);
        }
        int st;
        cr_assert_eq(waitpid(tracee, &st, 0), tracee);
        ptrace(PTRACE_SETOPTIONS, tracee, 0,
               PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                       PTRACE_O_EXITKILL);
        ptrace(PTRACE_CONT, tracee, 0, 0);
        pid_t prog = -1;
        bool nsattach_dead = false, prog_done = false, prog_execd = false;
        int prog_status = -1;
        for (int spins = 0; !prog_done && spins < (HOSTEXEC_LAUNCH_WAIT + 6) * 500;) {
                pid_t w = waitpid(-1, &st, __WALL | WNOHANG);
                if (w == 0) {
                        usleep(2000);
                        spins += prog > 0 && nsattach_dead; /* 2 ms each, once it is alone */
                        continue;
                }
                cr_assert_gt(w, 0, "waitpid: %s", strerror(errno));
                if (WIFEXITED(st) || WIFSIGNALED(st)) {
                        nsattach_dead |= w == tracee;
                        if (w == prog) {
                                prog_done = true;
                                prog_status = st;
                        }
                        continue;
                }
                int sig = WSTOPSIG(st), event = st >> 16;
                if (event == PTRACE_EVENT_EXEC && w == prog)
                        prog_execd = true;
                if (event == 0 && sig == SIGSTOP && w != tracee && prog < 0) {
                        char ns[64];
                        if (ns_link(w, "pid", ns, sizeof(ns)) == 0 && !strcmp(ns, want_ns)) {
                                /* the program's process, before it runs: nsattach goes now */
                                prog = w;
                                kill(tracee, SIGKILL);
                        }
                }
                if (event != 0 || sig == SIGTRAP || sig == SIGSTOP)
                        sig = 0;
                ptrace(PTRACE_CONT, w, 0, sig);
        }
        if (prog > 0 && !prog_done) {
                kill(prog, SIGKILL);
                waitpid(prog, NULL, __WALL);
        }
        minictr_stop(&p);
        cr_assert_gt(prog, 0, "no process of nsattach's appeared in the container's pid namespace");
        cr_assert(nsattach_dead);
        cr_assert(prog_done, "the program's process still waits in the container, nsattach long gone");
        cr_assert_not(prog_execd, "the program ran without nsattach");
        cr_assert(WIFEXITED(prog_status) && WEXITSTATUS(prog_status) == 125, "status %d", prog_status);
}

Test(views, container_view_launched_for_a_tracer)
{
        struct minictr p;
        char caps[32];
        snprintf(caps, sizeof(caps), "%llx", 0xa80425fbULL | (1ULL << 19)); /* + CAP_SYS_PTRACE */
        minictr_start(&p, caps);
        check_born_confined(p.pid, true);
        minictr_stop(&p);
}

/* The mount point of a cgroup hierarchy ("cgroup2", or a v1 controller), or "". */
static void cgroup_mount(const char *which, char *buf, size_t len)
{
        char cmd[160];
        if (!strcmp(which, "cgroup2"))
                snprintf(cmd, sizeof(cmd), "findmnt -n -o TARGET -t cgroup2 | head -n1");
        else
                snprintf(cmd, sizeof(cmd), "findmnt -n -o TARGET,OPTIONS -t cgroup | awk '$2 ~ /(^|,)%s(,|$)/ { print $1; exit }'",
                         which);
        FILE *f = popen(cmd, "r");
        cr_assert_not_null(f);
        buf[0] = '\0';
        if (fgets(buf, (int)len, f))
                buf[strcspn(buf, "\n")] = '\0';
        pclose(f);
}

static void file_text(const char *path, char *buf, size_t len)
{
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        size_t n = fread(buf, 1, len - 1, f);
        buf[n] = '\0';
        fclose(f);
}

/*
 * SPEC 6 and SECURITY T14: the mnt view's program is in the target's cgroups
 * (each hierarchy), written through the host's cgroup files even when the
 * container has mounted a fake /proc; a host view's program is not; a paused
 * container (frozen cgroup) gets a clear refusal, not a frozen nsattach.
 */
Test(views, mnt_view_joins_the_targets_cgroups, .timeout = 60)
{
        char v2[256], pids[256], dir[512], dir1[512] = "", path[600], buf[256];
        cgroup_mount("cgroup2", v2, sizeof(v2));
        cgroup_mount("pids", pids, sizeof(pids));
        if (!*v2)
                skip_or_fail("no cgroup2 mount");
        struct minictr g;
        minictr_start(&g, NULL);
        snprintf(dir, sizeof(dir), "%s/nsattach-test-%d", v2, (int)g.pid);
        cr_assert_eq(mkdir(dir, 0755), 0, "%s", dir);
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        snprintf(buf, sizeof(buf), "%d\n", (int)g.pid);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs(buf, f);
        cr_assert_eq(fclose(f), 0);
        if (*pids) { /* a hybrid host: a v1 hierarchy too */
                snprintf(dir1, sizeof(dir1), "%s/nsattach-test-%d", pids, (int)g.pid);
                cr_assert_eq(mkdir(dir1, 0755), 0, "%s", dir1);
                snprintf(path, sizeof(path), "%s/cgroup.procs", dir1);
                f = fopen(path, "w");
                cr_assert_not_null(f);
                fputs(buf, f);
                cr_assert_eq(fclose(f), 0);
        }
        char theirs[2048], mine[2048], prog[2048] = "";
        int st;
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)g.pid);
        file_text(path, theirs, sizeof(theirs));
        cr_assert(strstr(theirs, "/nsattach-test-"), "the target is not in the test's cgroup: %s", theirs);
        file_text("/proc/self/cgroup", mine, sizeof(mine));
        struct result r;

        /* a host view's program joins nothing */
        attach_prog(g.pid, (const char *[]){ "-n", "--", "cat", "/proc/self/cgroup", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, mine, "a host view's program joined a cgroup");

        /* paused: the mnt view still works, out of the frozen cgroup only */
        snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
        f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("1\n", f);
        cr_assert_eq(fclose(f), 0);
        usleep(100000);
        attach_prog(g.pid, (const char *[]){ "-m", "--", "cat", "/proc/self/cgroup", NULL }, &r);
        f = fopen(path, "w");
        fputs("0\n", f);
        fclose(f);
        cr_assert_eq(r.code, 0, "paused: %s", r.err);
        cr_assert(strstr(r.err, "is paused") && count_lines(r.err) == 1, "paused: %s", r.err);
        char line[128];
        snprintf(line, sizeof(line), "0::/nsattach-test-%d\n", (int)g.pid);
        cr_assert_null(strstr(r.out, line), "paused: the program joined the frozen cgroup: %s", r.out);
        if (*dir1) {
                snprintf(line, sizeof(line), ":pids:/nsattach-test-%d\n", (int)g.pid);
                cr_assert(strstr(r.out, line), "paused: the program is not in the target's pids cgroup: %s", r.out);
        }

        /* the container's /proc is its own to fake */
        pid_t faker = fork();
        if (faker == 0) {
                snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)g.pid);
                int ns = open(path, O_RDONLY);
                _exit(ns >= 0 && setns(ns, CLONE_NEWNS) == 0 && mount("fake-proc", "/proc", "tmpfs", 0, NULL) == 0
                              ? 0 : 1);
        }
        cr_assert_eq(waitpid(faker, &st, 0), faker);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "could not mount over the container's /proc");
        /* the program, seen from the host while it runs */
        char tpid[16];
        snprintf(tpid, sizeof(tpid), "%d", (int)g.pid);
        pid_t n = fork();
        if (n == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                execl(nsattach_path(), "nsattach", "-t", tpid, "-m", "--", "sleep", "3", (char *)NULL);
                _exit(127);
        }
        pid_t child = 0;
        for (int i = 0; i < 200 && child <= 0; i++) {
                char kids[64] = "";
                snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)n, (int)n);
                FILE *k = fopen(path, "r");
                if (k && fgets(kids, sizeof(kids), k))
                        child = atoi(kids);
                if (k)
                        fclose(k);
                if (child > 0) {
                        char comm[64] = "";
                        snprintf(path, sizeof(path), "/proc/%d/comm", (int)child);
                        FILE *cf = fopen(path, "r");
                        if (!cf || !fgets(comm, sizeof(comm), cf) || strncmp(comm, "nsattach", 8) == 0)
                                child = 0; /* the first child, still setting up, or gone since */
                        if (cf)
                                fclose(cf);
                }
                if (child <= 0)
                        usleep(20000);
        }
        if (child > 0) {
                snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)child);
                file_text(path, prog, sizeof(prog));
        }
        kill(n, SIGTERM);
        waitpid(n, &st, 0);
        minictr_stop(&g);
        usleep(100000);
        rmdir(dir);
        if (*dir1)
                rmdir(dir1);
        cr_assert_gt(child, 0, "the program did not appear");
        cr_assert_str_eq(prog, theirs, "with a fake /proc: the program's cgroups are not the target's");
}

/*
 * SECURITY T15: the container kills or stops our processes mid-attach.  The
 * process that sets the view up, killed at its birth (as a racer could):
 * nsattach says so in one line, exits 125 and leaves nothing behind.  The
 * program stopped by the container: nsattach does not stop with it (no one
 * would continue it); killed: nsattach exits with its status at once.
 */
Test(views, killed_or_stopped_mid_attach, .timeout = 60)
{
        char tpid[16];
        snprintf(tpid, sizeof(tpid), "%d", (int)c.pid);
        int errp[2];
        cr_assert_eq(pipe2(errp, O_CLOEXEC), 0);
        pid_t tracee = fork();
        if (tracee == 0) {
                dup2(errp[1], 2);
                ptrace(PTRACE_TRACEME, 0, NULL, NULL);
                raise(SIGSTOP);
                execl(nsattach_path(), "nsattach", "-t", tpid, "-m", "--", "true", (char *)NULL);
                _exit(127);
        }
        close(errp[1]);
        int st, killed = 0;
        cr_assert_eq(waitpid(tracee, &st, 0), tracee);
        ptrace(PTRACE_SETOPTIONS, tracee, 0, PTRACE_O_TRACEFORK | PTRACE_O_EXITKILL);
        ptrace(PTRACE_CONT, tracee, 0, 0);
        for (;;) {
                pid_t w = waitpid(-1, &st, __WALL);
                cr_assert_gt(w, 0);
                if (w == tracee && (WIFEXITED(st) || WIFSIGNALED(st)))
                        break;
                if (WIFEXITED(st) || WIFSIGNALED(st))
                        continue;
                if (w != tracee && WSTOPSIG(st) == SIGSTOP && (st >> 16) == 0 && !killed) {
                        kill(w, SIGKILL); /* the first child, before it ran */
                        killed = w;
                }
                ptrace(PTRACE_CONT, w, 0, (st >> 16) || WSTOPSIG(st) == SIGTRAP || WSTOPSIG(st) == SIGSTOP ? 0
                                                                                                    : WSTOPSIG(st));
        }
        char err[1024] = "";
        ssize_t k = read(errp[0], err, sizeof(err) - 1);
        err[k > 0 ? k : 0] = '\0';
        close(errp[0]);
        cr_assert_gt(killed, 0, "no child to kill");
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 125, "status %x: %s", st, err);
        cr_assert(strstr(err, "interrupted") && count_lines(err) == 1, "%s", err);
        cr_assert_neq(kill(killed, 0), 0, "the killed child is still there");

        /* the program, stopped and then killed from inside */
        int out[2];
        cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
        pid_t n = fork();
        if (n == 0) {
                dup2(out[1], 1);
                execl(nsattach_path(), "nsattach", "-t", tpid, "-m", "--", "sleep", "30", (char *)NULL);
                _exit(127);
        }
        close(out[1]);
        pid_t prog = 0;
        char path[64];
        for (int i = 0; i < 200 && prog <= 0; i++) {
                char kids[64] = "", comm[32] = "";
                snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)n, (int)n);
                FILE *f = fopen(path, "r");
                if (f && fgets(kids, sizeof(kids), f))
                        prog = atoi(kids);
                if (f)
                        fclose(f);
                snprintf(path, sizeof(path), "/proc/%d/comm", (int)prog);
                f = prog > 0 ? fopen(path, "r") : NULL;
                if (f && fgets(comm, sizeof(comm), f) && !strncmp(comm, "nsattach", 8))
                        prog = 0;
                if (f)
                        fclose(f);
                if (prog <= 0)
                        usleep(20000);
        }
        cr_assert_gt(prog, 0, "the program did not appear");
        kill(prog, SIGSTOP);
        usleep(300000);
        cr_assert_eq(waitpid(n, &st, WNOHANG | WUNTRACED), 0, "nsattach stopped or exited with its stopped program");
        kill(prog, SIGKILL);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        cr_assert_eq(waitpid(n, &st, 0), n);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        close(out[0]);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "nsattach: status %x (dies of its program's signal)", st);
        cr_assert_lt(t1.tv_sec - t0.tv_sec, 5, "nsattach took long to notice");
        cr_assert_neq(kill(prog, 0), 0, "the program is still there");
}

/* SPEC 6: the mnt view's program has the target's supplementary groups (as
 * -S/-G follow do): not ours, not none. */
Test(views, mnt_view_takes_the_targets_groups)
{
        struct minictr g;
        struct result r;
        setenv("MINICTR_GROUPS", "4,27,100", 1);
        minictr_start(&g, NULL);
        unsetenv("MINICTR_GROUPS");
        char path[64], theirs[4096] = "";
        snprintf(path, sizeof(path), "/proc/%d/status", (int)g.pid);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f);
        fread(theirs, 1, sizeof(theirs) - 1, f);
        fclose(f);
        cr_assert(strstr(theirs, "\nGroups:\t4 27 100 \n"), "the fixture has the groups: %s", theirs);

        attach_prog(g.pid, (const char *[]){ "-m", "--", "cat", "/proc/self/status", NULL }, &r);
        minictr_stop(&g);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "\nGroups:\t4 27 100 \n"), "%s", r.out);
}

/* SPEC 6: no path leads from the mnt view to the host's /etc/shadow. */
Test(views, mnt_view_cannot_read_the_hosts_shadow)
{
        struct result r;
        char line[256] = "";
        FILE *f = fopen("/etc/shadow", "r");
        cr_assert_not_null(f, "the host has no /etc/shadow to protect");
        cr_assert_not_null(fgets(line, sizeof(line), f));
        fclose(f);
        line[strcspn(line, "\n")] = '\0';

        /* The walk skips /proc and /sys (kernel files, where a walk follows no
         * root link) and the host's /usr: on a fresh machine its cold tree alone
         * took the whole deadline. What the walk leaves out is checked instead:
         * nothing is mounted below the view's host /usr, so it holds only the
         * host's /usr, where no shadow file is. */
        const char *script =
                "for p in /etc/shadow /proc/1/root/etc/shadow /proc/self/root/etc/shadow /proc/1/cwd/etc/shadow "
                "/.nsattach/host/etc/shadow /.nsattach/host/usr/../etc/shadow /.nsattach/host/../../etc/shadow "
                "/proc/self/cwd/etc/shadow; do cat $p 2>/dev/null && echo \"READ $p\"; done; "
                "awk '$5 ~ \"^/.nsattach/host/usr/\" { print \"MOUNT \" $5 }' /proc/self/mountinfo; "
                "find / \\( -path /proc -o -path /sys -o -path /.nsattach/host/usr \\) -prune -o -name shadow -type f "
                "-exec grep -ls '^root:' {} + 2>/dev/null; true";
        attach_prog(c.pid, (const char *[]){ "-a", "--", "sh", "-c", script, NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_null(strstr(r.out, "READ"), "%s", r.out);
        cr_assert_null(strstr(r.out, "MOUNT"), "%s", r.out);
        cr_assert_null(strstr(r.out, line), "the host's shadow was read: %s", r.out);
        cr_assert_str_empty(r.out);
}

/* SECURITY T6: a host file the caller redirected a stream to or from is not
 * the container view program's fd, which the container could open anew
 * through /proc/PID/fd (the same uid): a pipe stands for it, relayed, in both
 * directions, stdout and stderr each to its own file; /dev/null stays. */
Test(views, container_view_relays_host_files)
{
        struct result r;
        char dir[] = "/tmp/nsattach-relay-XXXXXX", pid[16], script[1536];
        cr_assert_not_null(mkdtemp(dir));
        snprintf(pid, sizeof(pid), "%d", (int)c.pid);
        snprintf(script, sizeof(script),
                 "seq 1 50000 >%s/in; "
                 "\"$0\" -t %s -m -- sh -c 'readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 >&2; "
                 "wc -l; echo to-stderr >&2' <%s/in >%s/out 2>%s/err; echo rc=$?; "
                 "\"$0\" -t %s -m -- readlink /proc/self/fd/0 </dev/null; "
                 "\"$0\" -t %s -m -- sh -c 'for i in 1 2 3; do echo out$i; echo err$i >&2; done' >%s/both 2>&1",
                 dir, pid, dir, dir, dir, pid, pid, dir);
        char *argv[] = { "/bin/sh", "-c", script, (char *)nsattach_path(), NULL };
        cr_assert_eq(run(argv, &r), 0);
        char out[256] = "", err[1024] = "", path[64];
        snprintf(path, sizeof(path), "%s/out", dir);
        read_text(path, out, sizeof(out));
        snprintf(path, sizeof(path), "%s/err", dir);
        read_text(path, err, sizeof(err));
        char both[256] = "";
        snprintf(path, sizeof(path), "%s/both", dir);
        read_text(path, both, sizeof(both));
        char cmd[96];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        system(cmd);
        cr_assert_str_eq(r.out, "rc=0\n/dev/null\n", "%s", r.err);
        cr_assert_str_eq(out, "50000\n", "all of stdin in, all of stdout out: %s", err);
        cr_assert(!strncmp(err, "pipe:[", 6) && strstr(err, "\npipe:[") && strstr(err, "to-stderr\n"), "%s", err);
        cr_assert_null(strstr(err, dir), "a host file is the program's: %s", err);
        /* "> file 2>&1": one pipe for the one file, the order kept */
        cr_assert_str_eq(both, "out1\nerr1\nout2\nerr2\nout3\nerr3\n");
}

/* --confine in a host view: the host's program, the target's privileges. */
Test(views, confined_net_view)
{
        struct result r;
        char want[128];
        snprintf(want, sizeof(want), "CapEff:\t%016llx\nNoNewPrivs:\t1\nSeccomp:\t2\n", proc_status_hex(c.pid, "CapEff:"));
        attach_prog(c.pid, (const char *[]){ "-n", "--confine", "--", "sh", "-c",
                                             "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status; "
                                             "ls /sys/class/net", NULL },
                    &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(!strncmp(r.out, want, strlen(want)), "%s (want %s)", r.out, want);
        cr_assert(strstr(r.out, "\neth0\nlo\n"), "not the target's network: %s", r.out);
}

/* --explain --json: an argument or a file name that is no UTF-8 is still
 * there (JSON holds only Unicode: its bad bytes become U+FFFD), not dropped. */
Test(views, explain_keeps_what_is_not_utf8)
{
        struct result r;
        char pid[16], cmd[512];
        snprintf(pid, sizeof(pid), "%d", (int)c.pid);
        snprintf(cmd, sizeof(cmd),
                 "\"$0\" -t %s -n --explain --json -- echo \"$(printf 'a\\377b')\" ok | jq -r '.program.argv | join(\"|\")'",
                 pid);
        char *a[] = { "/bin/sh", "-c", cmd, (char *)nsattach_path(), NULL };
        cr_assert_eq(run(a, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "echo|a\xef\xbf\xbd" "b|ok\n", "%s", r.err);
}

/* The LSM label the program takes: the target's where AppArmor or SELinux is
 * active (securityfs's list says which), else it says there is none. */
Test(views, explain_says_which_lsm_label)
{
        struct result r;
        char pid[16], cmd[512], list[512] = "";
        snprintf(pid, sizeof(pid), "%d", (int)c.pid);
        read_text("/sys/kernel/security/lsm", list, sizeof(list));
        snprintf(cmd, sizeof(cmd), "\"$0\" -t %s -m --explain --json -- true | jq -r .privileges.lsm_label", pid);
        char *a[] = { "/bin/sh", "-c", cmd, (char *)nsattach_path(), NULL };
        cr_assert_eq(run(a, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        if (!strstr(list, "apparmor") && !strstr(list, "selinux"))
                cr_assert_str_eq(r.out, "unchanged: no AppArmor or SELinux active\n", "lsm list %s", list);
        else
                cr_assert(!strncmp(r.out, "unchanged: the target's", 23) || !strncmp(r.out, "the target's, for the exec: ", 28),
                          "%s (lsm list %s)", r.out, list);
        snprintf(cmd, sizeof(cmd), "\"$0\" -t %s -n --explain --json -- true | jq -r .privileges.lsm_label", pid);
        cr_assert_eq(run(a, &r), 0);
        cr_assert_str_eq(r.out, "unchanged\n", "a host view keeps the caller's: %s", r.err);
}

/* --explain: the plan, with the namespaces in the order they are entered,
 * and nothing done.  The order is checked against the real attach: for
 * namespaces from files, setns() one at a time (strace shows the calls). */
Test(views, explain_names_the_namespaces_in_entering_order)
{
        struct result r;
        char pid[16], netns[64], marker[64], trace[] = "/tmp/nsattach-explain-XXXXXX";
        snprintf(pid, sizeof(pid), "%d", (int)c.pid);
        snprintf(netns, sizeof(netns), "--net=/proc/%d/ns/net", (int)c.pid);
        snprintf(marker, sizeof(marker), "/tmp/nsattach-explain-%d", (int)getpid());

        /* all from the target: one setns(pidfd), the kernel's order */
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "\"$0\" -t %s -a --explain --json -- touch %s | jq -r '[.namespaces[].type] | join(\" \")'",
                 pid, marker);
        char *a[] = { "/bin/sh", "-c", cmd, (char *)nsattach_path(), NULL };
        cr_assert_eq(run(a, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "mnt uts ipc pid net\n", "%s", r.err);
        cr_assert_neq(access(marker, F_OK), 0, "--explain ran the program");

        /* one from a file: one at a time, in the order the plan says */
        snprintf(cmd, sizeof(cmd), "\"$0\" -t %s -u %s -i --explain --json -- true | jq -r '.entering, ([.namespaces[].type] | join(\" \"))'",
                 pid, netns);
        cr_assert_eq(run(a, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "one namespace file at a time"), "%s", r.out);
        char *order = strchr(r.out, '\n');
        cr_assert_not_null(order);
        order++;
        int fd = mkstemp(trace);
        cr_assert_geq(fd, 0);
        close(fd);
        if (access("/usr/bin/strace", X_OK) != 0) {
                unlink(trace);
                skip_or_fail("no strace (tools/install-deps installs it)");
                return;
        }
        char want[64];
        snprintf(want, sizeof(want), "%s", order);
        char *st[] = { "/usr/bin/strace", "-qq", "-o", trace, "-e", "trace=setns", (char *)nsattach_path(), "-t", pid,
                       "-u", netns, "-i", "--", "true", NULL };
        cr_assert_eq(run(st, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        char traced[4096] = "", seen[64] = "";
        read_text(trace, traced, sizeof(traced));
        unlink(trace);
        for (char *l = traced; (l = strstr(l, "CLONE_NEW")); l++) {
                /* mnt is not asked for: a setns() into the target's is the host
                 * view's own, assembled on top of its copy where the host has
                 * many mounts (hostview.c) */
                if (!strncmp(l, "CLONE_NEWNS", 11) && !isalpha((unsigned char)l[11]))
                        continue;
                const char *name = !strncmp(l, "CLONE_NEWUTS", 12) ? "uts" : !strncmp(l, "CLONE_NEWNET", 12) ? "net"
                                   : !strncmp(l, "CLONE_NEWIPC", 12)                                         ? "ipc"
                                                                                                            : "other";
                snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s", seen[0] ? " " : "", name);
        }
        strcat(seen, "\n");
        cr_assert_str_eq(seen, want, "entered %s, the plan said %s (%s)", seen, want, traced);
}

/* -v: each step on stderr, in order, with growing times since the start;
 * -q: no notes, the errors still. */
Test(views, verbose_steps_and_quiet_notes)
{
        struct result r;
        attach_prog(c.pid, (const char *[]){ "-m", "-v", "--", "cat", "/etc/hostname", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "minictr-host\n");
        const char *steps[] = { "] target ", "] plan made: ", "] namespaces entered and checked", "] view built",
                                "] the target's privileges taken: ", "] exec /.nsattach/host/", "] the program ended: " };
        const char *at = r.err;
        double last = -1;
        for (size_t i = 0; i < ELEMENTSOF_T(steps); i++) {
                const char *hit = strstr(at, steps[i]);
                cr_assert_not_null(hit, "step '%s' missing or out of order: %s", steps[i], r.err);
                const char *line = hit;
                while (line > r.err && line[-1] != '\n')
                        line--;
                double ms = -1;
                cr_assert_eq(sscanf(line, "nsattach: +%lf ms", &ms), 1, "%.*s", (int)(hit - line), line);
                cr_assert_geq(ms, last, "times go back: %s", r.err);
                last = ms;
                at = hit;
        }
        attach_prog(c.pid, (const char *[]){ "-m", "-q", "--timeout", "0.2", "--", "sleep", "5", NULL }, &r);
        cr_assert_eq(r.code, 124, "%s", r.err);
        cr_assert_str_empty(r.err, "-q printed a note: %s", r.err);
        attach_prog(c.pid, (const char *[]){ "-m", "-q", "--", "nsattach-no-such-tool", NULL }, &r);
        cr_assert_eq(r.code, 127);
        cr_assert(strstr(r.err, "not found") && count_lines(r.err) == 1, "-q hid an error: %s", r.err);
}

/* Pairing (SPEC 5.5): one container's files and privileges, another's
 * processes, as docker's --pid=container:NAME: /proc is the other's (its pid
 * 1 is the other's init), the files the first's; both forms of it. */
Test(views, paired_with_another_pid_namespace)
{
        struct minictr tools;
        struct result r;
        char web[16], tpid[16], mnt[32], pidopt[32], net[64], own[64], want[128], path[128];
        minictr_start(&tools, NULL);
        snprintf(web, sizeof(web), "%d", (int)c.pid);
        snprintf(tpid, sizeof(tpid), "%d", (int)tools.pid);
        snprintf(mnt, sizeof(mnt), "--mount=%s", tpid);
        snprintf(pidopt, sizeof(pidopt), "--pid=%s", web);
        cr_assert_eq(ns_link(c.pid, "net", net, sizeof(net)), 0);
        cr_assert_eq(ns_link(tools.pid, "net", own, sizeof(own)), 0);
        cr_assert_str_neq(net, own);
        snprintf(path, sizeof(path), "%s/etc/marker", tools.root);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("the tools container's\n", f);
        fclose(f);
        snprintf(want, sizeof(want), "the tools container's\n%s\n", net);
        char *script = "cat /etc/marker; readlink /proc/1/ns/net";
        char *full[] = { (char *)nsattach_path(), "-t", tpid, "-m", pidopt, "--", "sh", "-c", script, NULL };
        char *shortf[] = { (char *)nsattach_path(), mnt, pidopt, "--", "sh", "-c", script, NULL };
        cr_assert_eq(run(full, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want, "-t TOOLS -m --pid=TARGET: %s", r.err);
        cr_assert_eq(run(shortf, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want, "--mount=TOOLS --pid=TARGET: %s", r.err);
        /* unpaired, /proc/1 is its own */
        attach_prog(tools.pid, (const char *[]){ "-m", "--", "readlink", "/proc/1/ns/net", NULL }, &r);
        minictr_stop(&tools);
        cr_assert_eq(r.code, 0, "%s", r.err);
        snprintf(want, sizeof(want), "%s\n", own);
        cr_assert_str_eq(r.out, want);
}

/* SECURITY T13 in part: the container's ld.so.preload is not loaded into the host's program. */
Test(views, mnt_view_ignores_the_containers_preload)
{
        struct result r;
        char path[128], want[512];
        snprintf(path, sizeof(path), "%s/etc/ld.so.preload", c.root);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("/tmp/nsattach-no-such-preload.so\n", f);
        fclose(f);
        root_listing(c.root, want, sizeof(want));
        attach_prog(c.pid, (const char *[]){ "-m", "--", "ls", "/", NULL }, &r);
        unlink(path);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_empty(r.err, "the preload was attempted: %s", r.err);
        cr_assert_str_eq(r.out, want);

        /* a symlink to the list is covered too (the link, not what it names) */
        char list[128];
        snprintf(list, sizeof(list), "%s/tmp/nsattach-preload-list", c.root);
        f = fopen(list, "w");
        cr_assert_not_null(f);
        fputs("/tmp/nsattach-no-such-preload.so\n", f);
        fclose(f);
        cr_assert_eq(symlink("/tmp/nsattach-preload-list", path), 0);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "sh", "-c", "ls /; cat /tmp/nsattach-preload-list", NULL },
                    &r);
        unlink(path);
        unlink(list);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_empty(r.err, "a symlinked preload was attempted: %s", r.err);
        char with_list[600];
        snprintf(with_list, sizeof(with_list), "%s/tmp/nsattach-no-such-preload.so\n", want);
        cr_assert_str_eq(r.out, with_list, "the link's target was covered, or the listing is not the container's");
}

/* SECURITY T13: a hostile nsswitch.conf.  The host's libc would load the NSS
 * modules it names from the view's default library directories, the
 * container's; the view's copy names only the services built into libc, with
 * their actions, and a harmless one stays the container's own.  (strace sees
 * every attempt to open a module, whether or not the file is there.) */
Test(views, mnt_view_loads_no_nss_module_of_the_containers)
{
        struct result r;
        char path[128], trace[] = "/tmp/nsattach-nss-XXXXXX", pid[16];
        int fd = mkstemp(trace);
        cr_assert_geq(fd, 0);
        close(fd);
        snprintf(path, sizeof(path), "%s/etc/nsswitch.conf", c.root);
        snprintf(pid, sizeof(pid), "%d", (int)c.pid);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        /* as glibc reads them: no colon, a module glued after an action, an
         * action of a module, a database left with none */
        fputs("passwd nsaevil files\ngroup: files [NOTFOUND=continue]nsaevil\n"
              "hosts: files nsaevil [NOTFOUND=return] dns\nnetgroup: nsaevil\nnsaevil\n", f);
        fclose(f);
        char *argv[] = { "/usr/bin/strace", "-f", "-qq", "-o", trace, "-e", "trace=openat,open", (char *)nsattach_path(),
                         "-t", pid, "-m", "--", "sh", "-c",
                         "cat /etc/nsswitch.conf; ls -l /etc/hostname >/dev/null; getent group 0; "
                         "getent passwd nsa-nobody; getent hosts localhost",
                         NULL };
        if (access(argv[0], X_OK) != 0) {
                unlink(path);
                unlink(trace);
                skip_or_fail("no strace (tools/install-deps installs it)");
                return;
        }
        cr_assert_eq(run(argv, &r), 0);
        char traced[1 << 16] = "";
        read_text(trace, traced, sizeof(traced));
        unlink(trace);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(traced, "execve") || strstr(traced, "openat"), "strace traced nothing: %s", traced);
        cr_assert_null(strstr(traced, "libnss_nsaevil"), "the container's NSS module was looked for: %s",
                       strstr(traced, "libnss_nsaevil"));
        cr_assert(strstr(r.out, "\npasswd: files\ngroup: files [NOTFOUND=continue]\nhosts: files dns\n"), "%s", r.out);
        cr_assert_null(strstr(r.out, "nsaevil"), "%s", r.out);

        /* the same through a symlink: what it leads to is read and filtered, the link covered */
        char real[128];
        snprintf(real, sizeof(real), "%s/tmp/nsattach-nsswitch", c.root);
        cr_assert_eq(rename(path, real), 0);
        cr_assert_eq(symlink("../tmp/nsattach-nsswitch", path), 0);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/etc/nsswitch.conf", NULL }, &r);
        unlink(path);
        unlink(real);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "\npasswd: files\ngroup: files [NOTFOUND=continue]\nhosts: files dns\n"), "%s", r.out);
        cr_assert_null(strstr(r.out, "nsaevil"), "%s", r.out);

        /* its locales are the host's: a container's LC_CTYPE could split "files" (found in review) */
        attach_prog(c.pid, (const char *[]){ "-m", "--", "sh", "-c", "printenv LOCPATH; ls \"$LOCPATH\" | grep -c .", NULL },
                    &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(!strncmp(r.out, "/.nsattach/host/usr/lib/locale\n", 31) && strcmp(r.out + 31, "0\n") != 0,
                  "%s", r.out);

        /* a link to a pseudo-file is covered, never read (found in review: a
         * read of /proc/kmsg as root takes the host's kernel log); a file is */
        for (int proc = 1; proc >= 0; proc--) {
                unlink(path);
                if (proc)
                        cr_assert_eq(symlink("/proc/version", path), 0);
                else {
                        f = fopen(path, "w");
                        cr_assert_not_null(f);
                        fputs("passwd: files\n", f);
                        fclose(f);
                }
                char *tr[] = { "/usr/bin/strace", "-f", "-qq", "-o", trace, "-e", "trace=openat2", (char *)nsattach_path(),
                               "-t", pid, "-m", "--", "cat", "/etc/nsswitch.conf", NULL };
                cr_assert_eq(run(tr, &r), 0);
                cr_assert_eq(r.code, 0, "%s", r.err);
                char seen[1 << 16] = "";
                read_text(trace, seen, sizeof(seen));
                int reads = 0;
                for (char *l = seen; (l = strstr(l, "\"/etc/nsswitch.conf\", {flags=O_RDONLY|O_NOCTTY")); l++)
                        reads++;
                cr_assert_eq(reads, proc ? 0 : 1, "%s: read %d times: %s", proc ? "/proc/version" : "a file", reads,
                             seen);
                if (proc)
                        cr_assert_str_eq(r.out, "# nsattach's mnt view: the container's nsswitch.conf without NSS modules\n"
                                                "publickey: files\n");
        }
        unlink(path);

        /* a '#' after the first character is no comment to glibc 2.33 on: "#",
         * "ours" and "files#x" would be modules (found in review) */
        f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("passwd: files#x dns\nhosts: files [notfound=RETURN] dns # ours\n", f);
        fclose(f);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/etc/nsswitch.conf", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "\npasswd: dns\nhosts: files [NOTFOUND=return] dns\n"), "%s", r.out);
        cr_assert_null(strstr(r.out, "ours"), "%s", r.out);

        /* nothing to take out: the container's own file */
        f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("# ours\npasswd: files\nhosts: files [NOTFOUND=return] dns\npublickey: files\n", f);
        fclose(f);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/etc/nsswitch.conf", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "# ours\npasswd: files\nhosts: files [NOTFOUND=return] dns\npublickey: files\n");
        /* without a publickey line: libc's default for it names modules, so one is written */
        f = fopen(path, "w");
        cr_assert_not_null(f);
        fputs("passwd: files\n", f);
        fclose(f);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "cat", "/etc/nsswitch.conf", NULL }, &r);
        unlink(path);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(strstr(r.out, "\npasswd: files\npublickey: files\n"), "%s", r.out);
}

Test(views, mnt_view_errors)
{
        struct result r;
        /* the program must exist on the host: 127, one line */
        attach_prog(c.pid, (const char *[]){ "-m", "--", "nsattach-no-such-tool", NULL }, &r);
        cr_assert_eq(r.code, 127, "%s", r.err);
        cr_assert(strstr(r.err, "nsattach-no-such-tool: not found on the host") && count_lines(r.err) == 1, "%s",
                  r.err);
        /* --exec=container: the container's program, which the fixture lacks */
        attach_prog(c.pid, (const char *[]){ "-m", "--exec=container", "--", "ls", "/", NULL }, &r);
        cr_assert_eq(r.code, 127, "%s %s", r.out, r.err);
        cr_assert_str_empty(r.out);
        /* a host directory as the working directory of the container's files */
        attach_prog(c.pid, (const char *[]){ "-m", "-w/tmp", "--", "ls", NULL }, &r);
        cr_assert_eq(r.code, 125, "%s", r.err);
        cr_assert(strstr(r.err, "--wdns") && count_lines(r.err) == 1, "%s", r.err);
        attach_prog(c.pid, (const char *[]){ "-m", "-W", "/etc", "--", "pwd", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "/etc\n");
        attach_prog(c.pid, (const char *[]){ "-m", "--exec=both", "--", "ls", NULL }, &r);
        cr_assert_eq(r.code, 125);
        cr_assert(strstr(r.err, "--exec") && count_lines(r.err) == 1, "%s", r.err);
}

/*
 * What the container can do to the program of the mnt view (found in review):
 * a working directory that is a symlink into /proc/self/fd (our host fds are
 * still open when it is resolved), -F leaving the program in the host's pid
 * namespace, the caller's terminal, and an ld.so.preload pointing at a host
 * file to have it covered.
 */
Test(views, mnt_view_resists_the_containers_tricks)
{
        struct result r;
        char path[128], want[512];

        snprintf(path, sizeof(path), "%s/tmp/fd3", c.root);
        cr_assert_eq(symlink("/proc/self/fd/3", path), 0);
        attach_prog(c.pid, (const char *[]){ "-m", "-W", "/tmp/fd3", "--", "ls", NULL }, &r);
        unlink(path);
        cr_assert_eq(r.code, 125, "a working directory through /proc/self/fd: %s", r.out);
        cr_assert_str_empty(r.out);

        attach_prog(c.pid, (const char *[]){ "-m", "-F", "--", "true", NULL }, &r);
        cr_assert_eq(r.code, 125);
        cr_assert(strstr(r.err, "pid namespace") && count_lines(r.err) == 1, "%s", r.err);

        /* its own session: no controlling terminal to push input into (TIOCSTI) */
        attach_prog(c.pid, (const char *[]){ "-m", "--", "awk", "{ print ($1 == $6) }", "/proc/self/stat", NULL }, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "1\n", "the program is not a session leader");

        snprintf(path, sizeof(path), "%s/etc/ld.so.preload", c.root);
        cr_assert_eq(symlink("/.nsattach/host/usr/lib/x86_64-linux-gnu/libc.so.6", path), 0);
        root_listing(c.root, want, sizeof(want));
        attach_prog(c.pid, (const char *[]){ "-m", "--", "ls", "/", NULL }, &r);
        unlink(path);
        cr_assert_eq(r.code, 0, "a symlinked preload covered a host file: %s", r.err);
        cr_assert_str_empty(r.err, "the host file was read as a preload list: %s", r.err);
        cr_assert_str_eq(r.out, want);

        /* a preload behind a magic link: refused, not followed */
        cr_assert_eq(symlink("/proc/1/root/etc/ld.so.preload", path), 0);
        attach_prog(c.pid, (const char *[]){ "-m", "--", "ls", "/", NULL }, &r);
        unlink(path);
        cr_assert_eq(r.code, 0, "the link itself is covered: %s", r.err);
        cr_assert_str_empty(r.err);
}
