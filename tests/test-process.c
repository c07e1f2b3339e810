/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The program's process: exit status, signals, stop/continue, fds, ids,
 * root and working directory, environment.  Needs root.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static struct target t;

static void setup(void)
{
        require_root();
        cr_assert_eq(target_start(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS, -1, &t), 0);
}

static void teardown(void)
{
        target_stop(&t);
}

static void attach(const char *flag, char *const *prog, struct result *r)
{
        char pid[16];
        char *argv[32] = { (char *)nsattach_path(), "-t", pid, (char *)flag, "--" };
        int n = 5;
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        for (int i = 0; prog[i]; i++)
                argv[n++] = prog[i];
        argv[n] = NULL;
        cr_assert_eq(run(argv, r), 0);
}

/* Both paths: -n execs in place, -p forks and waits. */
static const char *const paths[] = { "-n", "-p" };

TestSuite(status, .init = setup, .fini = teardown);

Test(status, program_exit_code)
{
        struct result r;
        char *const prog[] = { "/bin/sh", "-c", "exit 3", NULL };
        for (int i = 0; i < 2; i++) {
                attach(paths[i], prog, &r);
                cr_assert_eq(r.code, 3, "%s: %d", paths[i], r.code);
                cr_assert_str_empty(r.err);
        }
}

Test(status, killed_by_signal)
{
        struct result r;
        char *const prog[] = { "/bin/sh", "-c", "kill -TERM $$; sleep 5", NULL };
        for (int i = 0; i < 2; i++) {
                attach(paths[i], prog, &r);
                /* 143, or nsattach re-raised SIGTERM and died of it */
                cr_assert(r.code == 143, "%s: %d", paths[i], r.code);
        }
}

Test(status, missing_and_not_executable)
{
        struct result r;
        char *const missing[] = { "no-such-program-anywhere", NULL };
        char plain[] = "/tmp/nsattach-plain-XXXXXX";
        int fd = mkstemp(plain); /* mode 0600: not executable */
        cr_assert_geq(fd, 0);
        close(fd);
        char *const notexec[] = { plain, NULL };
        for (int i = 0; i < 2; i++) {
                attach(paths[i], missing, &r);
                cr_assert_eq(r.code, 127, "%s: %d", paths[i], r.code);
                cr_assert(strstr(r.err, "no-such-program-anywhere"), "%s", r.err);
                cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
                attach(paths[i], notexec, &r);
                cr_assert_eq(r.code, 126, "%s: %d", paths[i], r.code);
                cr_assert(strstr(r.err, "Permission denied"), "%s", r.err);
        }
        unlink(plain);
}

/* No program: the caller's $SHELL, else /bin/sh. */
Test(status, default_program_is_the_shell)
{
        struct result r;
        char pid[16], fdl[4096];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        snprintf(fdl, sizeof(fdl), "%s", helper_path("fdlist"));
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-p", NULL };

        setenv("SHELL", fdl, 1); /* a "shell" that says it ran */
        cr_assert_eq(run(argv, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "0 1 2\n", "$SHELL was not run: %s", r.out);

        unsetenv("SHELL"); /* /bin/sh, reading an empty stdin */
        cr_assert_eq(run(argv, &r), 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_empty(r.err);
}

/* If /proc is not of our pid namespace, PID N there is another process than our N. */
Test(status, proc_of_another_pid_namespace_is_refused)
{
        struct result r;
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        cr_assert_eq(unshare(CLONE_NEWNS), 0);
        cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
        /* a process of a new pid namespace mounts its /proc into our mount
         * namespace (a helper unshares, so that we and nsattach stay in ours) */
        int done[2], ready[2];
        cr_assert_eq(pipe2(done, O_CLOEXEC), 0);
        cr_assert_eq(pipe2(ready, O_CLOEXEC), 0);
        pid_t helper = fork();
        if (helper == 0) {
                close(done[1]); /* so that init sees EOF when the test closes its end */
                if (unshare(CLONE_NEWPID) < 0)
                        _exit(2);
                pid_t init = fork();
                if (init == 0) {
                        char c;
                        if (mount("proc", "/proc", "proc", 0, NULL) < 0 || write(ready[1], "r", 1) != 1)
                                _exit(3);
                        if (read(done[0], &c, 1) < 0)
                                _exit(4);
                        _exit(0);
                }
                waitpid(init, NULL, 0);
                _exit(0);
        }
        char c;
        close(ready[1]);
        close(done[0]);
        cr_assert_eq(read(ready[0], &c, 1), 1, "the other pid namespace's /proc was not mounted");
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-n", "--", "/bin/true", NULL };
        cr_assert_eq(run(argv, &r), 0);
        close(done[1]);
        waitpid(helper, NULL, 0);
        const char *san = getenv("NSATTACH_SANITIZED");
        cr_assert(r.code == 125 || (san && strcmp(san, "1") == 0 && r.code != 0), "exit %d: %s", r.code, r.err);
        cr_assert(strstr(r.err, "nsattach: /proc belongs to another pid namespace"), "%s", r.err);
}

Test(status, bad_targets_one_line_125)
{
        struct result r;
        pid_t dead = fork();
        if (dead == 0)
                _exit(0);
        waitpid(dead, NULL, 0);
        char deadpid[16];
        snprintf(deadpid, sizeof(deadpid), "%d", (int)dead);

        const char *bad[][2] = { { deadpid, "no such process" }, { "4194304", "no such process" },
                                 { "0", "not a valid target" },  { "-1", "not a valid target" },
                                 { "12abc", "no such container or PID" }, { "", "empty target" },
                                 { "pid:", "not a valid target" }, { "99999999999", "not a valid target" } };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *argv[] = { (char *)nsattach_path(), "-t", (char *)bad[i][0], "-n", "--", "/bin/true", NULL };
                cr_assert_eq(run(argv, &r), 0);
                cr_assert_eq(r.code, 125, "-t '%s': exit %d", bad[i][0], r.code);
                cr_assert(strncmp(r.err, "nsattach: ", 10) == 0 && strstr(r.err, bad[i][1]),
                          "-t '%s': %s", bad[i][0], r.err);
                cr_assert_eq(count_lines(r.err), 1, "-t '%s': %s", bad[i][0], r.err);
        }

        /* a zombie is not a target either */
        pid_t z = fork();
        if (z == 0)
                _exit(0);
        usleep(100000);
        char zpid[16];
        snprintf(zpid, sizeof(zpid), "%d", (int)z);
        char *argv[] = { (char *)nsattach_path(), "-t", zpid, "-n", "--", "/bin/true", NULL };
        cr_assert_eq(run(argv, &r), 0);
        waitpid(z, NULL, 0);
        cr_assert_eq(r.code, 125, "zombie: %d %s", r.code, r.err);
}

/* Start nsattach in the background with its stdout on a pipe; wait for "ready". */
static pid_t start_bg(const char *flag, const char *script, int *out_fd)
{
        int o[2];
        char pid[16];
        cr_assert_eq(pipe2(o, O_CLOEXEC), 0);
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        pid_t p = fork();
        if (p == 0) {
                dup2(o[1], 1);
                /* A signal ignored on entry cannot be trapped by a shell (POSIX), and
                 * a test run in the background of a shell starts with SIGINT and
                 * SIGQUIT ignored: the program's shell gets the defaults. */
                for (int sig = 1; sig < NSIG; sig++)
                        if (sig != SIGKILL && sig != SIGSTOP)
                                signal(sig, SIG_DFL);
                execl(nsattach_path(), nsattach_path(), "-t", pid, flag, "--", "/bin/sh", "-c", script,
                      (char *)NULL);
                _exit(98);
        }
        close(o[1]);
        char buf[64] = "";
        struct pollfd pf = { .fd = o[0], .events = POLLIN };
        cr_assert_gt(poll(&pf, 1, 10000), 0, "program did not start");
        ssize_t k = read(o[0], buf, sizeof(buf) - 1);
        cr_assert_gt(k, 0);
        cr_assert(strstr(buf, "ready"), "got %s", buf);
        *out_fd = o[0];
        return p;
}

static int wait_code(pid_t p, int fd, char *out, size_t len)
{
        int st;
        ssize_t k = read(fd, out, len - 1);
        out[k > 0 ? k : 0] = '\0';
        close(fd);
        waitpid(p, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TestSuite(signals, .init = setup, .fini = teardown, .timeout = 120);

Test(signals, forwarded_to_the_program)
{
        const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGWINCH };
        const char *names[] = { "INT", "TERM", "HUP", "USR1", "USR2", "QUIT", "WINCH" };
        for (int i = 0; i < 2; i++)
                for (size_t s = 0; s < sizeof(sigs) / sizeof(sigs[0]); s++) {
                        char script[256], out[256];
                        int fd;
                        snprintf(script, sizeof(script),
                                 "trap 'echo got-%s; exit 42' %s; echo ready; while :; do sleep 0.02; done",
                                 names[s], names[s]);
                        pid_t p = start_bg(paths[i], script, &fd);
                        kill(p, sigs[s]);
                        int code = wait_code(p, fd, out, sizeof(out));
                        cr_assert_eq(code, 42, "%s SIG%s: exit %d", paths[i], names[s], code);
                        cr_assert(strstr(out, "got-"), "%s SIG%s: %s", paths[i], names[s], out);
                }
}

/* SPEC 2 --timeout: the program is ended after SECONDS (SIGTERM, then SIGKILL
 * for one that ignores it), and the status is 124, as timeout(1)'s; a program
 * that ends in time keeps its own. */
Test(signals, timeout_ends_the_program)
{
        struct result r;
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        const char *views[] = { "-n", "-p" };
        for (size_t i = 0; i < 2; i++) {
                char *a[] = { (char *)nsattach_path(), "-t", pid, (char *)views[i], "--timeout", "0.3", "--",
                              "/bin/sh", "-c", "sleep 10; echo not-ended", NULL };
                cr_assert_eq(run(a, &r), 0);
                cr_assert_eq(r.code, 124, "%s: %d %s", views[i], r.code, r.err);
                cr_assert_str_empty(r.out);
                cr_assert(strstr(r.err, "timed out after 0.3 s") && count_lines(r.err) == 1, "%s", r.err);
        }
        char *deaf[] = { (char *)nsattach_path(), "-t", pid, "-n", "--timeout=0.2", "--", "/bin/sh", "-c",
                         "trap '' TERM; sleep 10; echo not-ended", NULL };
        cr_assert_eq(run(deaf, &r), 0);
        cr_assert_eq(r.code, 124, "a program that ignores SIGTERM: %d %s", r.code, r.err);
        cr_assert_str_empty(r.out);
        char *quick[] = { (char *)nsattach_path(), "-t", pid, "-n", "--timeout", "20", "--", "/bin/sh", "-c",
                          "exit 3", NULL };
        cr_assert_eq(run(quick, &r), 0);
        cr_assert_eq(r.code, 3, "%s", r.err);
        char *bad[] = { (char *)nsattach_path(), "-t", pid, "-n", "--timeout", "-1", "--", "true", NULL };
        cr_assert_eq(run(bad, &r), 0);
        cr_assert_eq(r.code, 125);
        cr_assert(strstr(r.err, "--timeout") && count_lines(r.err) == 1, "%s", r.err);
}

/* SPEC 9 / issue: ps on the host shows what a waiting nsattach is attached to. */
Test(signals, ps_shows_what_we_are_attached_to)
{
        /* the views where nsattach waits (with -n alone it becomes the program) */
        const char *views[] = { "-p", "-m" };
        for (size_t i = 0; i < 2; i++) {
                char out[256], path[64], cmdline[256] = "", want[128];
                int fd;
                pid_t p = start_bg(views[i], "echo ready; exec sleep 10", &fd);
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)p);
                FILE *f = fopen(path, "r");
                cr_assert_not_null(f);
                size_t n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
                fclose(f);
                cmdline[n] = '\0';
                kill(p, SIGTERM);
                wait_code(p, fd, out, sizeof(out));
                snprintf(want, sizeof(want), "nsattach: %d (pid %d): /bin/sh", (int)t.pid, (int)t.pid);
                cr_assert_str_eq(cmdline, want, "%s: %s", views[i], cmdline);
        }
}

/* --follow: the program is ended when the target exits. */
Test(signals, follow_ends_the_program_with_the_target)
{
        struct target gone;
        struct result r;
        char pid[16];
        cr_assert_eq(target_start(CLONE_NEWNET, -1, &gone), 0);
        snprintf(pid, sizeof(pid), "%d", (int)gone.pid);
        pid_t killer = fork();
        if (killer == 0) {
                usleep(300000);
                kill(gone.pid, SIGKILL);
                _exit(0);
        }
        char *a[] = { (char *)nsattach_path(), "-t", pid, "-n", "--follow", "--", "/bin/sh", "-c",
                      "sleep 10; echo not-ended", NULL };
        cr_assert_eq(run(a, &r), 0);
        waitpid(killer, NULL, 0);
        target_stop(&gone);
        cr_assert_eq(r.code, 128 + SIGTERM, "%d %s", r.code, r.err);
        cr_assert_str_empty(r.out);
        cr_assert(strstr(r.err, "exited: ending the program (--follow)") && count_lines(r.err) == 1, "%s", r.err);
}

/* Without a terminal (as a container's SIGSTOP would be), nsattach must not stop with the program. */
Test(signals, stop_by_another_is_not_mirrored)
{
        char out[256];
        int fd, st;
        pid_t p = start_bg("-p", "echo ready; kill -STOP $$; echo resumed", &fd);
        char path[64], kids[64] = "";
        usleep(200000);
        cr_assert_eq(waitpid(p, &st, WUNTRACED | WNOHANG), 0, "nsattach stopped with its program");
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p, (int)p);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f);
        cr_assert_not_null(fgets(kids, sizeof(kids), f));
        fclose(f);
        kill(atoi(kids), SIGCONT); /* whoever stopped it wakes it */
        int code = wait_code(p, fd, out, sizeof(out));
        cr_assert_eq(code, 0);
        cr_assert(strstr(out, "resumed"), "%s", out);
}

/* In the foreground of a terminal, job control sees nsattach stop with its program. */
Test(signals, stop_on_a_terminal_is_mirrored)
{
        char pid[16], buf[512];
        int st;
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        cr_assert_geq(master, 0);
        cr_assert_eq(grantpt(master), 0);
        cr_assert_eq(unlockpt(master), 0);
        const char *slave = ptsname(master);
        cr_assert_not_null(slave);
        pid_t p = fork();
        if (p == 0) {
                setsid();
                int s = open(slave, O_RDWR); /* the session's controlling terminal */
                ioctl(s, TIOCSCTTY, 0);
                dup2(s, 0);
                dup2(s, 1);
                dup2(s, 2);
                execl(nsattach_path(), "nsattach", "-t", pid, "-p", "--", "/bin/sh", "-c",
                      "echo ready; kill -STOP $$; echo resumed", (char *)NULL);
                _exit(98);
        }
        cr_assert_eq(waitpid(p, &st, WUNTRACED), p);
        cr_assert(WIFSTOPPED(st), "nsattach did not stop with its program (status %x)", st);
        kill(p, SIGCONT);
        cr_assert_eq(waitpid(p, &st, 0), p);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x", st);
        /* the program's terminal relayed: its output may come in pieces */
        size_t got = 0;
        buf[0] = '\0';
        for (int i = 0; i < 100 && !strstr(buf, "resumed"); i++) {
                struct pollfd pfd = { .fd = master, .events = POLLIN };
                if (poll(&pfd, 1, 20) <= 0)
                        continue;
                ssize_t k = read(master, buf + got, sizeof(buf) - 1 - got);
                if (k <= 0)
                        break;
                got += (size_t)k;
                buf[got] = '\0';
        }
        cr_assert(strstr(buf, "resumed"), "%s", buf);
        close(master);
}

Test(signals, program_dies_with_nsattach)
{
        char out[64];
        int fd;
        pid_t p = start_bg("-p", "echo ready; echo $$ > /dev/null; exec sleep 1000", &fd);
        /* the program is nsattach's only child */
        char path[64], *children = NULL;
        size_t cap = 0;
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)p, (int)p);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f);
        cr_assert_gt(getline(&children, &cap, f), 0);
        fclose(f);
        pid_t child = atoi(children);
        free(children);
        cr_assert_gt(child, 0);
        kill(p, SIGKILL);
        wait_code(p, fd, out, sizeof(out));
        for (int i = 0; i < 100 && kill(child, 0) == 0; i++)
                usleep(20000);
        cr_assert_neq(kill(child, 0), 0, "program %d outlived nsattach", (int)child);
}

/* Reads the terminal's output into buf (appending) until want shows up, the
 * other side is gone, or 5 s pass.  true if want was seen. */
static bool read_until(int master, char *buf, size_t len, const char *want)
{
        size_t got = strlen(buf);
        for (int i = 0; i < 250 && !strstr(buf, want); i++) {
                struct pollfd pfd = { .fd = master, .events = POLLIN };
                if (poll(&pfd, 1, 20) <= 0)
                        continue;
                ssize_t k = read(master, buf + got, len - 1 - got);
                if (k <= 0)
                        break;
                got += (size_t)k;
                buf[got] = '\0';
        }
        return strstr(buf, want) != NULL;
}

/* A terminal of the test's, made the controlling terminal of a new session
 * that runs nsattach with it as stdin (unless in_fd >= 0), stdout and stderr. */
static pid_t start_on_terminal(int *ret_master, int in_fd, char *const argv[])
{
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        cr_assert_geq(m, 0);
        cr_assert_eq(grantpt(m), 0);
        cr_assert_eq(unlockpt(m), 0);
        struct winsize ws = { .ws_row = 33, .ws_col = 101 };
        cr_assert_eq(ioctl(m, TIOCSWINSZ, &ws), 0);
        const char *slave = ptsname(m);
        cr_assert_not_null(slave);
        pid_t p = fork();
        if (p == 0) {
                setsid();
                int s = open(slave, O_RDWR);
                ioctl(s, TIOCSCTTY, 0);
                dup2(in_fd >= 0 ? in_fd : s, 0);
                dup2(s, 1);
                dup2(s, 2);
                execv(argv[0], argv);
                _exit(98);
        }
        *ret_master = m;
        return p;
}

TestSuite(terminal, .init = setup, .fini = teardown);

/* SPEC 6: an interactive session gets a terminal of its own, relayed: keys in,
 * output out, the window size at the start and when it changes; the caller's
 * terminal as it was afterwards. */
Test(terminal, an_interactive_session_gets_its_own_terminal)
{
        char pid[16], buf[4096] = "", mine[64];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-n", "--", "/bin/sh", "-c",
                         "echo tty=$(readlink /proc/self/fd/0); echo size=$(stty size); read x; echo got:$x; "
                         "echo size=$(stty size)",
                         NULL };
        int m;
        pid_t p = start_on_terminal(&m, -1, argv);
        snprintf(mine, sizeof(mine), "tty=%s\r\n", ptsname(m));
        int s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
        cr_assert_geq(s, 0);
        struct termios before, after;

        cr_assert(read_until(m, buf, sizeof(buf), "size=33 101"), "%s", buf);
        cr_assert(strstr(buf, "tty=/dev/pts/"), "%s", buf);
        cr_assert_null(strstr(buf, mine), "the program has the caller's terminal: %s", buf);
        /* raw while the program runs: the caller's line discipline passes keys on */
        cr_assert_eq(tcgetattr(s, &after), 0);
        cr_assert_eq(after.c_lflag & (ICANON | ECHO | ISIG), 0, "not raw: lflag %o", after.c_lflag);

        struct winsize ws = { .ws_row = 40, .ws_col = 120 };
        cr_assert_eq(ioctl(m, TIOCSWINSZ, &ws), 0); /* the kernel signals nsattach, the foreground */
        usleep(100000);
        cr_assert_eq(write(m, "abc\r", 4), 4);
        cr_assert(read_until(m, buf, sizeof(buf), "size=40 120"), "%s", buf);
        cr_assert(strstr(buf, "got:abc"), "%s", buf);

        int st;
        cr_assert_eq(waitpid(p, &st, 0), p);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x: %s", st, buf);
        cr_assert_eq(tcgetattr(s, &before), 0);
        cr_assert_neq(before.c_lflag & ICANON, 0, "the caller's terminal was left raw");
        cr_assert_neq(before.c_lflag & ECHO, 0, "the caller's terminal was left without echo");
        close(s);
        close(m);
}

/* The same for a program the view's trampoline launches (a target that could
 * trace ours, CAP_SYS_PTRACE: spawn.c): its terminal, its size, its keys, and
 * that terminal as its controlling one, in a session of its own. */
Test(terminal, a_launched_program_gets_its_terminal_too)
{
        struct minictr tr;
        char pid[16], buf[4096] = "", caps[32];
        snprintf(caps, sizeof(caps), "%llx", 0xa80425fbULL | (1ULL << 19)); /* + CAP_SYS_PTRACE */
        minictr_start(&tr, caps);
        snprintf(pid, sizeof(pid), "%d", (int)tr.pid);
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-m", "--", "sh", "-c",
                         "echo size=$(stty size); read x; echo got:$x; "
                         "echo ctty=$(cut -d' ' -f7 /proc/$$/stat) sid=$(cut -d' ' -f6 /proc/$$/stat) pid=$$", NULL };
        int m;
        pid_t p = start_on_terminal(&m, -1, argv);
        cr_assert(read_until(m, buf, sizeof(buf), "size=33 101"), "%s", buf);
        cr_assert_eq(write(m, "abc\r", 4), 4);
        cr_assert(read_until(m, buf, sizeof(buf), "pid="), "%s", buf);
        cr_assert(strstr(buf, "got:abc"), "%s", buf);
        unsigned ctty = 0, sid = 0, self = 0;
        const char *at = strstr(buf, "ctty=");
        cr_assert(at && sscanf(at, "ctty=%u sid=%u pid=%u", &ctty, &sid, &self) == 3, "%s", buf);
        cr_assert_neq(ctty, 0, "no controlling terminal: %s", buf);
        cr_assert_eq(sid, self, "not its own session's leader: %s", buf);
        int st;
        cr_assert_eq(waitpid(p, &st, 0), p);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x: %s", st, buf);
        close(m);
        minictr_stop(&tr);
}

/* SPEC 6: stdin a pipe: no terminal of its own, the streams are what they were. */
Test(terminal, a_pipe_stays_a_pipe)
{
        char pid[16], buf[4096] = "", want[80];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        char *argv[] = { (char *)nsattach_path(), "-t", pid, "-n", "--", "/bin/sh", "-c",
                         "echo in=$(readlink /proc/$$/fd/0) out=$(readlink /proc/$$/fd/1); cat", NULL };
        int in[2], m;
        cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
        pid_t p = start_on_terminal(&m, in[0], argv);
        close(in[0]);
        cr_assert_eq(write(in[1], "piped-line\n", 11), 11);
        close(in[1]);
        snprintf(want, sizeof(want), "out=%s", ptsname(m));
        cr_assert(read_until(m, buf, sizeof(buf), "piped-line"), "%s", buf);
        cr_assert(strstr(buf, "in=pipe:["), "%s", buf);
        cr_assert(strstr(buf, want), "stdout is not the caller's terminal: %s", buf);
        int st;
        cr_assert_eq(waitpid(p, &st, 0), p);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %x", st);
        close(m);
}

/* runc CVE-2024-21626: a leaked fd must not reach the program. */
TestSuite(fds, .init = setup, .fini = teardown);

Test(fds, only_stdio_reaches_the_program)
{
        struct result r;
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        char fdl[4096];
        snprintf(fdl, sizeof(fdl), "%s", helper_path("fdlist"));

        /* leak fds without CLOEXEC, as a careless caller would */
        int a = open("/", O_RDONLY | O_DIRECTORY);
        int b = open("/etc/hostname", O_RDONLY);
        int c = dup2(b, 9);
        cr_assert(a >= 3 && b >= 3 && c == 9);

        const char *modes[][2] = { { "-n", NULL }, { "-p", NULL }, { "-m", NULL } };
        for (int use_sysfail = 0; use_sysfail < 2; use_sysfail++)
                for (size_t i = 0; i < 3; i++) {
                        char *argv[16];
                        int n = 0;
                        if (use_sysfail) { /* close_range() missing: the closefrom() fallback */
                                argv[n++] = (char *)helper_path("sysfail");
                                argv[n++] = "--no-close-range";
                                argv[n++] = "--";
                        }
                        argv[n++] = (char *)nsattach_path();
                        argv[n++] = "-t";
                        argv[n++] = pid;
                        argv[n++] = (char *)modes[i][0];
                        argv[n++] = "--";
                        argv[n++] = fdl;
                        argv[n] = NULL;
                        cr_assert_eq(run(argv, &r), 0);
                        cr_assert_eq(r.code, 0, "%s: %s", modes[i][0], r.err);
                        cr_assert_str_eq(r.out, "0 1 2\n", "%s%s: fds %s", modes[i][0],
                                         use_sysfail ? " (no close_range)" : "", r.out);
                }
        close(a);
        close(b);
        close(c);
}

/* A mount namespace whose /proc is a tmpfs with an empty self/fd. */
static int fake_proc(void)
{
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/proc", "tmpfs", 0, "size=64k") < 0 || mkdir("/proc/self", 0755) < 0 ||
            mkdir("/proc/self/fd", 0755) < 0)
                return -1;
        return 0;
}

/*
 * A container that mounts its own /proc must not decide which fds are closed:
 * with close_range() missing, the fallback may not list /proc/self/fd there.
 */
Test(fds, hostile_proc_does_not_hide_leaked_fds)
{
        struct result r;
        char pid[16], fdl[4096];
        snprintf(fdl, sizeof(fdl), "%s", helper_path("fdlist"));
        pid_t holder = start_sleeper(fake_proc);
        cr_assert_gt(holder, 0, "cannot start a target with a fake /proc");
        snprintf(pid, sizeof(pid), "%d", (int)holder);
        int a = open("/", O_RDONLY | O_DIRECTORY), b = dup2(a, 9);
        cr_assert(a >= 3 && b == 9);
        char *argv[] = { (char *)helper_path("sysfail"), "--no-close-range", "--", (char *)nsattach_path(),
                         "-t", pid, "-m", "--", fdl, NULL };
        cr_assert_eq(run(argv, &r), 0);
        close(a);
        close(b);
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
        cr_assert_eq(r.code, 0, "%s", r.err);
        cr_assert_str_eq(r.out, "0 1 2\n", "leaked into a container with a fake /proc: %s", r.out);
}

TestSuite(ids, .init = setup, .fini = teardown);

Test(ids, setuid_setgid_and_user_namespace_root)
{
        struct result r;
        struct target u;
        char pid[16];
        char *const show[] = { "/bin/sh", "-c", "echo $(id -u) $(id -g) $(id -G)", NULL };

        attach("-n", (char *const[]){ "/bin/sh", "-c", "echo $(id -u) $(id -g) $(id -G)", NULL }, &r);
        cr_assert_eq(r.code, 0);

        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        char *argv1[] = { (char *)nsattach_path(), "-t", pid, "-n", "-S", "1000", "-G", "1001", "--",
                          show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv1, &r), 0);
        cr_assert_str_eq(r.out, "1000 1001 1001\n", "%s %s", r.out, r.err);

        cr_assert_eq(target_start(CLONE_NEWUSER | CLONE_NEWNET, -1, &u), 0);
        snprintf(pid, sizeof(pid), "%d", (int)u.pid);
        /* joining a user namespace makes us its root, as nsenter does */
        char *argv2[] = { (char *)nsattach_path(), "-t", pid, "-U", "-n", "--", show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv2, &r), 0);
        cr_assert_str_eq(r.out, "0 0 0\n", "%s %s", r.out, r.err);
        /* ... unless credentials are preserved: host root is unmapped there */
        char *argv3[] = { (char *)nsattach_path(), "-t", pid, "-U", "--preserve-credentials", "--",
                          show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv3, &r), 0);
        cr_assert(strncmp(r.out, "65534 65534", 11) == 0, "%s %s", r.out, r.err);
        /* follow: the target's ids; mapped into its user namespace when entered */
        char *argv4[] = { (char *)nsattach_path(), "-t", pid, "-U", "-S", "follow", "-G", "follow", "--",
                          show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv4, &r), 0);
        cr_assert_str_eq(r.out, "0 0 0\n", "%s %s", r.out, r.err);
        char *argv5[] = { (char *)nsattach_path(), "-t", pid, "-n", "-S", "follow", "-G", "follow", "--",
                          show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv5, &r), 0);
        cr_assert_str_eq(r.out, "100000 100000 100000\n", "%s %s", r.out, r.err);
        target_stop(&u);
}

TestSuite(dirs, .init = setup, .fini = teardown);

Test(dirs, root_wd_and_wdns)
{
        struct result r;
        char pid[16], root[] = "/tmp/nsattach-root-XXXXXX", rootarg[64], wdarg[64], path[128];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        if (access("/bin/busybox", X_OK) != 0)
                skip_or_fail("busybox-static is not installed");

        cr_assert_not_null(mkdtemp(root));
        snprintf(path, sizeof(path), "%s/bin", root);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/sub", root);
        mkdir(path, 0755);
        char cp[256];
        snprintf(cp, sizeof(cp), "cp /bin/busybox %s/bin/busybox", root);
        cr_assert_eq(system(cp), 0);
        snprintf(rootarg, sizeof(rootarg), "--root=%s", root);

        /* a new root: its own files, and the working directory is its / */
        char *argv1[] = { (char *)nsattach_path(), "-t", pid, "-n", rootarg, "--", "/bin/busybox", "sh", "-c",
                          "ls /; pwd", NULL };
        cr_assert_eq(run(argv1, &r), 0);
        cr_assert_str_eq(r.out, "bin\nsub\n/\n", "%s %s", r.out, r.err);

        /* -W: resolved inside the new root */
        char *argv2[] = { (char *)nsattach_path(), "-t", pid, "-n", rootarg, "--wdns=/sub", "--",
                          "/bin/busybox", "pwd", NULL };
        cr_assert_eq(run(argv2, &r), 0);
        cr_assert_str_eq(r.out, "/sub\n", "%s %s", r.out, r.err);

        /* -w without a value: the target's working directory, in its own mount
         * namespace: not for a host view (a directory of the target's files),
         * and the mnt view's instead (refusal::host_view_into_the_targets_files) */
        char *argv3[] = { (char *)nsattach_path(), "-t", pid, "-n", "-w", "--", "/bin/pwd", NULL };
        cr_assert_eq(run(argv3, &r), 0);
        cr_assert_eq(r.code, 125, "%s %s", r.out, r.err);
        cr_assert(strstr(r.err, "--wd") && strstr(r.err, "in its files"), "%s", r.err);
        cr_assert_str_empty(r.out);

        snprintf(wdarg, sizeof(wdarg), "--wd=%s/sub", root);
        char *argv4[] = { (char *)nsattach_path(), "-t", pid, "-n", wdarg, "--", "/bin/pwd", NULL };
        cr_assert_eq(run(argv4, &r), 0);
        snprintf(path, sizeof(path), "%s/sub\n", root);
        cr_assert_str_eq(r.out, path);

        char *argv5[] = { (char *)nsattach_path(), "-t", pid, "-n", "--root=/nonexistent", "--", "/bin/true", NULL };
        cr_assert_eq(run(argv5, &r), 0);
        cr_assert_eq(r.code, 125);
        cr_assert(strstr(r.err, "--root=/nonexistent"), "%s", r.err);

        snprintf(cp, sizeof(cp), "rm -rf %s", root);
        system(cp);
}

TestSuite(env, .init = setup, .fini = teardown);

Test(env, modes)
{
        struct result r;
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", (int)t.pid);
        if (!getenv("NSATTACH_TEST_MARK"))
                skip_or_fail("NSATTACH_TEST_MARK is not set (run under meson test)");
        /* the target was started with the runner's environment; the caller changes its own */
        setenv("NSATTACH_TEST_MARK", "from-the-caller", 1);
        setenv("DISPLAY", ":0", 1);
        char *const show[] = { "/bin/sh", "-c", "echo \"$NSATTACH_TEST_MARK|${DISPLAY-unset}|$PATH\"", NULL };

        char *argv1[] = { (char *)nsattach_path(), "-t", pid, "-n", "--", show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv1, &r), 0);
        char want[4096];
        snprintf(want, sizeof(want), "from-the-caller|unset|%s\n", getenv("PATH"));
        cr_assert_str_eq(r.out, want, "host environment minus DISPLAY");

        char *argv2[] = { (char *)nsattach_path(), "-t", pid, "-n", "-e", "--", show[0], show[1], show[2], NULL };
        cr_assert_eq(run(argv2, &r), 0);
        cr_assert(strncmp(r.out, "from-the-test-runner|", 21) == 0, "target environment: %s", r.out);
        snprintf(want, sizeof(want), ":%s\n", getenv("PATH"));
        cr_assert(strlen(r.out) > strlen(want) && strcmp(r.out + strlen(r.out) - strlen(want), want) == 0,
                  "host PATH appended: %s", r.out);

        char *argv3[] = { (char *)nsattach_path(), "-t", pid, "-n", "--env-mode=clean", "--", show[0], show[1],
                          show[2], NULL };
        cr_assert_eq(run(argv3, &r), 0);
        cr_assert(strncmp(r.out, "|unset|", 7) == 0, "clean environment: %s", r.out);
}
