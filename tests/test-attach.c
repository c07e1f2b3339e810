/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of the attach engine, against targets the tests make
 * themselves in fresh namespaces; util-linux nsenter is the reference for
 * what each option means.  Needs root.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define ALL_BUT_USER                                                                               \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP | \
         CLONE_NEWTIME)

static const char *const names[] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" };
#define SHOW_NS "for n in cgroup ipc mnt net pid time user uts; do readlink /proc/self/ns/$n; done"

/* Which /proc/PID/ns names a flag asks for. */
static bool flag_wants(const char *flag, const char *name)
{
        static const struct {
                const char *flag, *name;
        } m[] = { { "-m", "mnt" }, { "-u", "uts" }, { "-i", "ipc" }, { "-n", "net" }, { "-p", "pid" },
                  { "-U", "user" }, { "-C", "cgroup" }, { "-T", "time" } };
        if (strcmp(flag, "-a") == 0)
                return true;
        for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
                if (strcmp(m[i].flag, flag) == 0 && strcmp(m[i].name, name) == 0)
                        return true;
        return false;
}

/*
 * The eight links the program must print: the target's where asked, ours
 * elsewhere.  nsattach's -m also joins the target's pid namespace: the
 * program becomes the container's (SPEC 6).
 */
static void expected_links(bool nsattach, pid_t target, const char *const *flags, int nflags, char *buf,
                           size_t len)
{
        buf[0] = '\0';
        for (size_t i = 0; i < 8; i++) {
                char link[64];
                bool want = false;
                for (int f = 0; f < nflags; f++)
                        want = want || flag_wants(flags[f], names[i]) ||
                               (nsattach && !strcmp(flags[f], "-m") && !strcmp(names[i], "pid"));
                cr_assert_eq(ns_link(want ? target : getpid(), names[i], link, sizeof(link)), 0);
                strcat(buf, link);
                strcat(buf, "\n");
        }
}

static bool needs_exec_container(pid_t target, const char *const *flags, int nflags)
{
        char ours[64] = "", theirs[64] = "";
        bool mnt = false, user = false;
        if (target <= 0)
                return false;
        ns_link(getpid(), "user", ours, sizeof(ours));
        ns_link(target, "user", theirs, sizeof(theirs));
        for (int f = 0; f < nflags; f++) {
                mnt = mnt || !strcmp(flags[f], "-m") || !strcmp(flags[f], "-a");
                user = user || !strcmp(flags[f], "-U") || !strcmp(flags[f], "-a");
        }
        return mnt && user && strcmp(ours, theirs) != 0;
}

enum runner { NSATTACH, NSENTER, NSATTACH_NO_PIDFD, NSATTACH_NO_MULTI_SETNS };
static const char *const runner_names[] = { "nsattach", "nsenter", "nsattach without pidfd_open",
                                            "nsattach without setns(pidfd, mask)" };

static void run_with_as(enum runner how, pid_t target, const char *const *flags, int nflags,
                        char *const *prog, long uid, struct result *r)
{
        char *argv[64];
        char pid[16];
        int n = 0;

        snprintf(pid, sizeof(pid), "%d", (int)target);
        if (how == NSATTACH_NO_PIDFD || how == NSATTACH_NO_MULTI_SETNS) {
                argv[n++] = (char *)helper_path("sysfail");
                argv[n++] = how == NSATTACH_NO_PIDFD ? "--no-pidfd" : "--no-multi-setns";
                argv[n++] = "--";
        }
        argv[n++] = how == NSENTER ? "/usr/bin/nsenter" : (char *)nsattach_path();
        if (target > 0) {
                argv[n++] = "-t";
                argv[n++] = pid;
        }
        /* nsenter 2.38 fails on setgroups() where the owner set "deny", as a
         * rootless runtime does; the links do not depend on credentials. */
        if (how == NSENTER && uid >= 0)
                argv[n++] = "--preserve-credentials";
        for (int f = 0; f < nflags; f++)
                argv[n++] = (char *)flags[f];
        /* A target that can hold CAP_SYS_ADMIN in its own user namespace gets no
         * mnt view when that namespace is entered: the container's programs. */
        if (how != NSENTER && needs_exec_container(target, flags, nflags))
                argv[n++] = "--exec=container";
        argv[n++] = "--";
        for (int i = 0; prog[i]; i++)
                argv[n++] = prog[i];
        argv[n] = NULL;
        cr_assert_eq(run_as(argv, uid, r), 0);
}

static void run_with(enum runner how, pid_t target, const char *const *flags, int nflags,
                     char *const *prog, struct result *r)
{
        run_with_as(how, target, flags, nflags, prog, -1, r);
}

static char *const show_ns[] = { "/bin/sh", "-c", SHOW_NS, NULL };

/*
 * nsattach runs the program in a private mount namespace: a pid or net view
 * (without -U), and the mnt view of -m or -a.
 */
static bool makes_view(enum runner how, pid_t target, const char *const *flags, int nflags)
{
        bool view = false, mnt = false, user = false;
        char ours[64] = "", theirs[64] = "";
        if (how == NSENTER)
                return false;
        ns_link(getpid(), "mnt", ours, sizeof(ours));
        ns_link(target, "mnt", theirs, sizeof(theirs));
        for (int f = 0; f < nflags; f++) {
                if (!strcmp(flags[f], "-F"))
                        return false;
                if (!strcmp(flags[f], "-m") || !strcmp(flags[f], "-a"))
                        mnt = true;
                if (!strcmp(flags[f], "-U"))
                        user = true;
                if (!strcmp(flags[f], "-n") || !strcmp(flags[f], "-p") || !strncmp(flags[f], "--net=", 6))
                        view = true;
        }
        return (mnt && strcmp(ours, theirs) != 0) || (view && !user);
}

/*
 * got and want are the eight links in names[] order.  In a view, the mount
 * namespace is neither the caller's nor the target's but one of its own.
 */
static void cmp_links(const char *got, const char *want, bool view, pid_t target, const char *desc)
{
        char g[8][64] = { { 0 } }, w[8][64] = { { 0 } }, tmnt[64] = "";
        const char *a = got, *b = want;
        for (int i = 0; i < 8; i++) {
                size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
                cr_assert(la < 64 && lb < 64, "%s: malformed output: %s", desc, got);
                memcpy(g[i], a, la);
                memcpy(w[i], b, lb);
                a += la + (a[la] ? 1 : 0);
                b += lb + (b[lb] ? 1 : 0);
        }
        cr_assert_str_empty(a, "%s: extra output: %s", desc, a);
        if (target > 0)
                ns_link(target, "mnt", tmnt, sizeof(tmnt));
        for (int i = 0; i < 8; i++) {
                if (view && strcmp(names[i], "mnt") == 0) {
                        cr_assert(strncmp(g[i], "mnt:[", 5) == 0, "%s: %s", desc, g[i]);
                        cr_assert_str_neq(g[i], w[i], "%s: the view's mount namespace is the caller's", desc);
                        cr_assert_str_neq(g[i], tmnt, "%s: the view's mount namespace is the target's", desc);
                        continue;
                }
                cr_assert_str_eq(g[i], w[i], "%s: %s namespace:\ngot:\n%swant:\n%s", desc, names[i], got, want);
        }
}

static void check_as(enum runner how, struct target *t, const char *const *flags, int nflags, long uid)
{
        struct result r;
        char want[1024], desc[128] = "";

        for (int f = 0; f < nflags; f++) {
                strcat(desc, " ");
                strcat(desc, flags[f]);
        }
        expected_links(how != NSENTER, t->pid, flags, nflags, want, sizeof(want));
        run_with_as(how, t->pid, flags, nflags, show_ns, uid, &r);
        cr_assert_eq(r.code, 0, "%s%s as uid %ld: exit %d: %s", runner_names[how], desc, uid, r.code, r.err);
        strcat(desc, uid >= 0 ? " (unprivileged)" : "");
        char full[192];
        snprintf(full, sizeof(full), "%s%s", runner_names[how], desc);
        cmp_links(r.out, want, makes_view(how, t->pid, flags, nflags), t->pid, full);
}

static void check(enum runner how, struct target *t, const char *const *flags, int nflags)
{
        check_as(how, t, flags, nflags, -1);
}

static const char *const combos[][4] = {
        { "-m" }, { "-u" }, { "-i" }, { "-n" }, { "-p" }, { "-C" }, { "-T" }, { "-U" }, { "-a" },
        { "-n", "-u" }, { "-m", "-p" }, { "-i", "-C", "-T" }, { "-U", "-n", "-p" }, { "-U", "-m" },
};

static int combo_len(const char *const *c)
{
        int n = 0;
        while (n < 4 && c[n])
                n++;
        return n;
}

static bool combo_has_user(const char *const *c)
{
        for (int i = 0; i < combo_len(c); i++)
                if (strcmp(c[i], "-U") == 0)
                        return true;
        return false;
}

static void matrix(int flags)
{
        struct target t;

        require_root();
        cr_assert_eq(target_start(flags, -1, &t), 0, "cannot start a target");
        for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
                int n = combo_len(combos[i]);
                bool userless = !(flags & CLONE_NEWUSER);
                check(NSATTACH, &t, combos[i], n);
                check(NSATTACH_NO_PIDFD, &t, combos[i], n);
                check(NSATTACH_NO_MULTI_SETNS, &t, combos[i], n);
                /* nsenter refuses to re-enter its own user namespace (EINVAL);
                 * nsattach skips namespaces it already shares. */
                if (!(userless && combo_has_user(combos[i])))
                        check(NSENTER, &t, combos[i], n);
        }
        target_stop(&t);
}

Test(enter, every_type_without_user_namespace, .timeout = 120)
{
        matrix(ALL_BUT_USER);
}

Test(enter, every_type_with_user_namespace, .timeout = 120)
{
        matrix(ALL_BUT_USER | CLONE_NEWUSER);
}

/*
 * Entered through its user namespace, the mnt view's mount namespace is owned
 * by it; a target whose root there can hold CAP_SYS_ADMIN could remount the
 * host's tools read-write, so it gets no mnt view (review finding).
 */
Test(enter, no_mnt_view_owned_by_a_user_namespace_with_cap_sys_admin)
{
        struct target t;
        struct result r;
        char *const prog[] = { "/bin/true", NULL };
        const char *flags[] = { "-U", "-m" };

        require_root();
        cr_assert_eq(target_start(ALL_BUT_USER | CLONE_NEWUSER, -1, &t), 0);
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        char *argv[] = { (char *)nsattach_path(), "-t", pid, (char *)flags[0], (char *)flags[1], "--", prog[0], NULL };
        cr_assert_eq(run(argv, &r), 0);
        cr_assert_eq(r.code, 125, "%s", r.err);
        cr_assert(strstr(r.err, "CAP_SYS_ADMIN") && count_lines(r.err) == 1, "%s", r.err);
        char *argv2[] = { (char *)nsattach_path(), "-t", pid, "-U", "-m", "--exec=container", "--", prog[0], NULL };
        cr_assert_eq(run(argv2, &r), 0);
        cr_assert_eq(r.code, 0, "--exec=container: %s", r.err);
        target_stop(&t);
}

Test(enter, pid_namespace_gives_small_pids)
{
        struct target t;
        struct result r;
        char *const prog[] = { "/bin/sh", "-c", "echo $$", NULL };
        const char *flags[] = { "-p" };

        require_root();
        cr_assert_eq(target_start(CLONE_NEWPID, -1, &t), 0);
        run_with(NSATTACH, t.pid, flags, 1, prog, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert(atoi(r.out) >= 2 && atoi(r.out) < 10, "pid in the target's pid namespace: %s", r.out);
        target_stop(&t);
}

Test(enter, no_fork_keeps_the_program_outside_the_pid_namespace)
{
        struct target t;
        struct result r;
        char *const prog[] = { "/bin/sh", "-c", "readlink /proc/$$/ns/pid /proc/$$/ns/pid_for_children", NULL };
        const char *flags[] = { "-p", "-F" };
        char own[64], theirs[64], want[160];

        require_root();
        cr_assert_eq(target_start(CLONE_NEWPID, -1, &t), 0);
        ns_link(getpid(), "pid", own, sizeof(own));
        ns_link(t.pid, "pid", theirs, sizeof(theirs));
        snprintf(want, sizeof(want), "%s\n%s\n", own, theirs);
        run_with(NSATTACH, t.pid, flags, 2, prog, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want);
        run_with(NSENTER, t.pid, flags, 2, prog, &r);
        cr_assert_str_eq(r.out, want, "nsenter agrees");
        target_stop(&t);
}

/* --NS=FILE and --NS=PID: namespaces from elsewhere than the target. */
Test(sources, files_and_pids)
{
        struct target a, b;
        struct result r, ref;
        char path[64], a_uts[64], b_net[64], want[1024];

        require_root();
        cr_assert_eq(target_start(ALL_BUT_USER, -1, &a), 0);
        cr_assert_eq(target_start(CLONE_NEWNET | CLONE_NEWUTS, -1, &b), 0);
        ns_link(a.pid, "uts", a_uts, sizeof(a_uts));
        ns_link(b.pid, "net", b_net, sizeof(b_net));

        /* what the program must show: our links, with net from b and uts from a */
        want[0] = '\0';
        for (size_t i = 0; i < 8; i++) {
                char link[64];
                ns_link(getpid(), names[i], link, sizeof(link));
                strcat(want, strcmp(names[i], "net") == 0 ? b_net : strcmp(names[i], "uts") == 0 ? a_uts : link);
                strcat(want, "\n");
        }

        snprintf(path, sizeof(path), "--net=/proc/%d/ns/net", (int)b.pid);
        const char *f1[] = { "-u", path };
        run_with(NSATTACH, a.pid, f1, 2, show_ns, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cmp_links(r.out, want, true, a.pid, "-u --net=FILE");
        run_with(NSENTER, a.pid, f1, 2, show_ns, &ref);
        cmp_links(ref.out, want, false, a.pid, "nsenter -u --net=FILE");

        /* no -t at all: every namespace from a file */
        char upath[64];
        snprintf(upath, sizeof(upath), "--uts=/proc/%d/ns/uts", (int)a.pid);
        const char *f2[] = { path, upath };
        run_with(NSATTACH, 0, f2, 2, show_ns, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cmp_links(r.out, want, true, a.pid, "--net=FILE --uts=FILE");
        run_with(NSENTER, 0, f2, 2, show_ns, &ref);
        cmp_links(ref.out, want, false, a.pid, "nsenter --net=FILE --uts=FILE");

        /* another PID as the source */
        char pidsrc[32];
        snprintf(pidsrc, sizeof(pidsrc), "--net=%d", (int)b.pid);
        const char *f3[] = { "-u", pidsrc };
        run_with(NSATTACH, a.pid, f3, 2, show_ns, &r);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cmp_links(r.out, want, true, a.pid, "-u --net=PID");

        /* wrong type, not a namespace, missing, not a pid: one line, 125 */
        struct {
                const char *arg, *msg;
        } bad[] = { { NULL, "not a net namespace" },
                    { "--net=/etc/passwd", "not a namespace file" },
                    { "--net=/nonexistent/ns", "No such file" },
                    { "--net=nsa-no-such-container", "nsa-no-such-container: no such container or PID" } };
        char wrong[64];
        snprintf(wrong, sizeof(wrong), "--net=/proc/%d/ns/uts", (int)b.pid);
        bad[0].arg = wrong;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                const char *f[] = { bad[i].arg };
                run_with(NSATTACH, 0, f, 1, show_ns, &r);
                cr_assert_eq(r.code, 125, "%s: exit %d", bad[i].arg, r.code);
                cr_assert_str_empty(r.out);
                cr_assert(strstr(r.err, bad[i].msg), "%s: %s", bad[i].arg, r.err);
                cr_assert_eq(count_lines(r.err), 1, "one line: %s", r.err);
        }
        target_stop(&a);
        target_stop(&b);
}

/* A real named network namespace, as `ip netns add` makes it (a bind-mounted nsfs file). */
Test(sources, ip_netns_file)
{
        char name[64], file[128], arg[160], want[64];
        struct result r, ref;
        struct stat st;

        require_root();
        if (access("/usr/bin/ip", X_OK) != 0 && access("/sbin/ip", X_OK) != 0)
                skip_or_fail("iproute2 (ip) is not installed");
        snprintf(name, sizeof(name), "nsattach-test-%d", (int)getpid());
        snprintf(file, sizeof(file), "/run/netns/%s", name);
        char *add[] = { "/bin/sh", "-c", NULL, NULL };
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "ip netns add %s && ip -n %s link set lo up", name, name);
        add[2] = cmd;
        cr_assert_eq(run(add, &r), 0);
        cr_assert_eq(r.code, 0, "ip netns add: %s", r.err);
        cr_assert_eq(stat(file, &st), 0);
        snprintf(want, sizeof(want), "net:[%lu]\n", (unsigned long)st.st_ino);

        char *const prog[] = { "/bin/readlink", "/proc/self/ns/net", NULL };
        snprintf(arg, sizeof(arg), "--net=%s", file);
        const char *f[] = { arg };
        run_with(NSATTACH, 0, f, 1, prog, &r);
        run_with(NSENTER, 0, f, 1, prog, &ref);

        /* the namespace's interfaces, seen with the host's ip: only lo */
        struct result links;
        char *const ip_link[] = { "/bin/sh", "-c", "ip -br link | cut -d' ' -f1", NULL };
        run_with(NSATTACH, 0, f, 1, ip_link, &links);

        snprintf(cmd, sizeof(cmd), "ip netns del %s", name);
        struct result del;
        run(add, &del);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, want);
        cr_assert_str_eq(ref.out, r.out, "nsenter agrees");
        cr_assert_str_eq(links.out, "lo\n", "interfaces: %s", links.out);
}

/*
 * The owner of a rootless container: no privilege on the host, so the user
 * namespace must be entered first, which is what grants the rest.
 */
#define NOBODY 65534

Test(unprivileged, owner_enters_its_user_namespace_first, .timeout = 60)
{
        struct target t;
        const char *const combos_u[][4] = { { "-U", "-n", "-u" }, { "-a" }, { "-U", "-p" }, { "-U", "-n", "-p", "-u" } };

        require_root(); /* to make the unprivileged user's target and drop to it */
        cr_assert_eq(target_start(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWPID, NOBODY, &t), 0,
                     "cannot start an unprivileged target (user namespaces disabled?)");
        for (size_t i = 0; i < sizeof(combos_u) / sizeof(combos_u[0]); i++) {
                int n = combo_len(combos_u[i]);
                check_as(NSATTACH, &t, combos_u[i], n, NOBODY);
                check_as(NSATTACH_NO_PIDFD, &t, combos_u[i], n, NOBODY);
                /* nsenter 2.38's -a also tries the namespaces it shares with the
                 * target (cgroup, ipc, mnt...) and is refused them as non-root;
                 * nsattach skips those, so -a works for a rootless owner. */
                if (strcmp(combos_u[i][0], "-a") != 0)
                        check_as(NSENTER, &t, combos_u[i], n, NOBODY);
        }

        /* and a user who does not own it gets one line and 125 */
        struct result r;
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-U", "-n", "--", "/bin/true", NULL };
        cr_assert_eq(run_as(argv, 4242, &r), 0);
        cr_assert_eq(r.code, 125, "%s", r.err);
        cr_assert(strstr(r.err, "permission denied"), "%s", r.err);
        cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
        target_stop(&t);
}

/* The waiting nsattach stays non-dumpable (its /proc files are root's); the program is the user's. */
Test(unprivileged, waiting_parent_is_not_dumpable, .timeout = 30)
{
        struct target t;
        char pid[16], path[64];
        struct stat st;
        int out[2];

        require_root();
        cr_assert_eq(target_start(CLONE_NEWUSER | CLONE_NEWPID, NOBODY, &t), 0);
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
        pid_t p = fork();
        if (p == 0) {
                dup2(out[1], 1);
                if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(99);
                execl(nsattach_path(), "nsattach", "-t", pid, "-U", "-p", "--", "/bin/sh", "-c",
                      "echo ready; exec sleep 30", (char *)NULL);
                _exit(98);
        }
        close(out[1]);
        char buf[16];
        cr_assert_gt(read(out[0], buf, sizeof(buf)), 0);

        /* A non-dumpable process's /proc files (not its directory, which always
         * shows the euid) belong to root. */
        snprintf(path, sizeof(path), "/proc/%d/environ", (int)p);
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_uid, 0, "the waiting nsattach (uid %d) is dumpable", NOBODY);

        char children[64] = "";
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p, (int)p);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f);
        cr_assert_not_null(fgets(children, sizeof(children), f));
        fclose(f);
        snprintf(path, sizeof(path), "/proc/%d/environ", atoi(children));
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_uid, NOBODY, "the program, after exec, is an ordinary process of its user");

        kill(p, SIGTERM);
        int status;
        waitpid(p, &status, 0);
        close(out[0]);
        target_stop(&t);
}
