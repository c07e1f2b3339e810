/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PID reuse between resolution and attach.  In a fresh pid namespace (where
 * this test owns ns_last_pid), nsattach is stopped under ptrace right after it
 * has taken hold of the target; the target is killed and its PID handed to a
 * new process in another network namespace; nsattach is resumed.  It must
 * refuse, and never show the newcomer's namespace.  Needs root.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

static int new_netns(void)
{
        return unshare(CLONE_NEWNET);
}

static bool read_str(pid_t pid, unsigned long long addr, char *buf, size_t len)
{
        struct iovec local = { buf, len - 1 }, remote = { (void *)(uintptr_t)addr, len - 1 };
        ssize_t k = process_vm_readv(pid, &local, 1, &remote, 1, 0);
        if (k <= 0)
                return false;
        buf[k] = '\0';
        return true;
}

/*
 * Runs in pid 1 of a fresh pid namespace.  Returns a code for the parent:
 * 0 ok, 10+ a failed expectation (reasons on stderr).
 */
static int scenario(bool reuse, bool no_pidfd)
{
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return 20;

        pid_t target = start_sleeper(new_netns);
        if (target < 0)
                return 34;
        char tpid[16], tlink[64];
        snprintf(tpid, sizeof(tpid), "%d", (int)target);
        if (ns_link(target, "net", tlink, sizeof(tlink)) < 0)
                return 21;

        int out[2];
        if (pipe2(out, O_CLOEXEC) < 0)
                return 22;
        pid_t tracee = fork();
        if (tracee == 0) {
                dup2(out[1], 1);
                ptrace(PTRACE_TRACEME, 0, NULL, NULL);
                raise(SIGSTOP);
                if (no_pidfd)
                        execl(helper_path("sysfail"), "sysfail", "--no-pidfd", "--", nsattach_path(), "-t", tpid,
                              "-n", "--", "/bin/readlink", "/proc/self/ns/net", (char *)NULL);
                else
                        execl(nsattach_path(), "nsattach", "-t", tpid, "-n", "--", "/bin/readlink",
                              "/proc/self/ns/net", (char *)NULL);
                _exit(97);
        }
        close(out[1]);
        int st;
        if (waitpid(tracee, &st, 0) != tracee || !WIFSTOPPED(st))
                return 23;
        ptrace(PTRACE_SETOPTIONS, tracee, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);

        /*
         * The hold point: the first successful pidfd_open() (the pidfd path), or
         * the successful openat() of "/proc/<pid>" relative to /proc (without
         * pidfd, that open is what pins the process).
         */
        bool held = false;
        long entry_nr = -1;
        char entry_path[64] = "";
        for (;;) {
                if (ptrace(PTRACE_SYSCALL, tracee, 0, 0) < 0)
                        return 24;
                if (waitpid(tracee, &st, 0) != tracee)
                        return 25;
                if (WIFEXITED(st) || WIFSIGNALED(st))
                        break;
                if (!(WIFSTOPPED(st) && WSTOPSIG(st) == (SIGTRAP | 0x80)))
                        continue;
                struct __ptrace_syscall_info info;
                if (ptrace(PTRACE_GET_SYSCALL_INFO, tracee, sizeof(info), &info) <= 0)
                        return 26;
                if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
                        entry_nr = (long)info.entry.nr;
                        entry_path[0] = '\0';
                        if (entry_nr == __NR_openat)
                                read_str(tracee, info.entry.args[1], entry_path, sizeof(entry_path));
                        continue;
                }
                if (info.op != PTRACE_SYSCALL_INFO_EXIT || info.exit.is_error)
                        continue;
                if ((!no_pidfd && entry_nr == __NR_pidfd_open) ||
                    (no_pidfd && entry_nr == __NR_openat && strcmp(entry_path, tpid) == 0)) {
                        held = true;
                        break;
                }
        }
        if (!held)
                return 27;

        pid_t newcomer = 0;
        char nlink[64] = "";
        if (reuse) {
                kill(target, SIGKILL);
                waitpid(target, NULL, 0);
                int f = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
                if (f < 0 || dprintf(f, "%d", (int)target - 1) < 0)
                        return 28;
                close(f);
                newcomer = start_sleeper(new_netns);
                if (newcomer != target) {
                        fprintf(stderr, "could not reuse pid %d (got %d)\n", (int)target, (int)newcomer);
                        return 29;
                }
                ns_link(newcomer, "net", nlink, sizeof(nlink));
                if (strcmp(nlink, tlink) == 0)
                        return 30;
        }

        ptrace(PTRACE_DETACH, tracee, 0, 0);
        char buf[256] = "";
        ssize_t k = read(out[0], buf, sizeof(buf) - 1);
        buf[k > 0 ? k : 0] = '\0';
        waitpid(tracee, &st, 0);
        int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (reuse) {
                kill(newcomer, SIGKILL);
                if (code != 125) {
                        fprintf(stderr, "attached after pid reuse: exit %d, output %s\n", code, buf);
                        return 31;
                }
                if (nlink[0] && strstr(buf, nlink)) {
                        fprintf(stderr, "entered the newcomer's namespace: %s\n", buf);
                        return 32;
                }
        } else {
                kill(target, SIGKILL);
                char want[80];
                snprintf(want, sizeof(want), "%s\n", tlink);
                if (code != 0 || strcmp(buf, want) != 0) {
                        fprintf(stderr, "control: exit %d, output %s, want %s\n", code, buf, want);
                        return 33;
                }
        }
        return 0;
}

static void in_fresh_pid_namespace(bool reuse, bool no_pidfd)
{
        require_root();
        cr_assert_eq(unshare(CLONE_NEWPID | CLONE_NEWNS), 0, "unshare: %s", strerror(errno));
        pid_t init = fork();
        cr_assert_geq(init, 0);
        if (init == 0)
                _exit(scenario(reuse, no_pidfd));
        int st;
        cr_assert_eq(waitpid(init, &st, 0), init);
        cr_assert(WIFEXITED(st), "scenario died: signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
        cr_assert_eq(WEXITSTATUS(st), 0, "scenario failed with code %d (see stderr)", WEXITSTATUS(st));
}

Test(race, control_attach_succeeds_when_the_target_lives)
{
        in_fresh_pid_namespace(false, false);
}

Test(race, reused_pid_is_refused_with_pidfd)
{
        in_fresh_pid_namespace(true, false);
}

Test(race, control_without_pidfd)
{
        in_fresh_pid_namespace(false, true);
}

Test(race, reused_pid_is_refused_without_pidfd)
{
        in_fresh_pid_namespace(true, true);
}
