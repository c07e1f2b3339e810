/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last steps: fork where the kernel requires it, exec, wait, forward signals. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostexec.h"
#include "missing.h"
#include "nsattach.h"
#include "util.h"

extern char **environ;

/* What the waiting parent passes on to the program (SPEC section 4). */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static void child_fail(const char *what, int err)
{
        fprintf(stderr, "nsattach: %s: %s\n", what, strerror(err));
}

_Noreturn void exec_program(const struct plan *p, char **argv, int parent_alive_fd)
{
        const char *step = NULL;
        int r;

        r = view_setup(p, &step);
        if (r < 0) {
                child_fail(step, -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        if (p->root_fd >= 0) {
                if (fchdir(p->root_fd) < 0 || chroot(".") < 0) {
                        child_fail("--root", errno);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                /* chroot(1) semantics: the old working directory is outside the
                 * new root, so never keep it (runc CVE-2024-21626 is that mistake). */
                if (p->wd_fd < 0 && !p->wdns && chdir("/") < 0) {
                        child_fail("--root", errno);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
        }
        if (p->wd_fd >= 0 && fchdir(p->wd_fd) < 0) {
                child_fail("--wd", errno);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        if (p->wdns && p->confine.on) {
                /* The container's files: its symlinks must neither leave its root
                 * nor lead through /proc/self/fd to one of our host fds, which are
                 * still open here (runc CVE-2024-21626). */
                struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
                int d = sys_openat2(AT_FDCWD, p->wdns, &how, sizeof(how));
                if (d < 0 || fchdir(d) < 0) {
                        child_fail(p->wdns, errno);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                safe_close(d);
        } else if (p->wdns && chdir(p->wdns) < 0) {
                child_fail(p->wdns, errno);
                _exit(NSATTACH_EXIT_FAILURE);
        }

        /* A process that becomes the container's must not be able to type into
         * the caller's terminal (TIOCSTI; lxc CVE-2016-10124): without a
         * controlling terminal TIOCSTI needs CAP_SYS_ADMIN, which the target's
         * set would have to grant.  (A pseudo-terminal of its own would keep
         * job control; until then the waiting parent forwards the terminal's
         * signals.) */
        if (p->confine.on && setsid() < 0) {
                child_fail("leaving the caller's terminal session", errno);
                _exit(NSATTACH_EXIT_FAILURE);
        }

        r = confine_apply(p);
        if (r < 0) {
                child_fail(p->confine.on ? "taking the target's privileges" : "changing uid/gid", -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }

        /* After the credential change, which clears it (prctl(2)); and only now
         * is it safe to check that the parent did not die before it was set:
         * its end of the pipe closes when it dies.  (getppid() cannot tell: it
         * is 0 for a parent outside our pid namespace.) */
        if (parent_alive_fd >= 0) {
                struct pollfd pfd = { .fd = parent_alive_fd, .events = POLLIN };
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
                    (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLIN))))
                        _exit(NSATTACH_EXIT_FAILURE);
        }

        /* Last, as it forbids some of what came before (keyctl, mount). */
        if (p->confine.on && (r = seccomp_apply(true)) < 0) {
                child_fail("loading the syscall filter", -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        if (!p->confine.on && (isatty(0) || isatty(1) || isatty(2)))
                (void)seccomp_apply(false); /* needs CAP_SYS_ADMIN: an unprivileged caller goes without */

        environ = p->envp;
        close_from_3();
        int e;
        if (p->mnt_view)
                e = -hostexec(p->mnt.prog, argv, p->envp);
        else {
                execvp(argv[0], argv);
                e = errno;
        }

        child_fail(argv[0], e);
        _exit(e == ENOENT ? NSATTACH_EXIT_NOT_FOUND : NSATTACH_EXIT_CANNOT_EXEC);
}

int exit_code_from_status(int status, int *ret_signal)
{
        *ret_signal = 0;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) {
                *ret_signal = WTERMSIG(status);
                return 128 + WTERMSIG(status);
        }
        return NSATTACH_EXIT_FAILURE;
}

/* Are we the foreground job of our controlling terminal?  Asked through the fds
 * we were given: a path such as /dev/tty would resolve in the target's files. */
static bool in_foreground(void)
{
        for (int fd = 0; fd < 3; fd++) {
                pid_t fg = tcgetpgrp(fd);
                if (fg > 0)
                        return fg == getpgrp();
        }
        return false;
}

/* Returns 0 and the child's wait status, or -errno. */
static int wait_loop(pid_t child, bool own_session, const sigset_t *set, int *ret_status)
{
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(set, &si);

                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (sig == SIGCHLD) {
                        for (;;) {
                                int st;
                                pid_t w = waitpid(child, &st, WNOHANG | WUNTRACED);
                                if (w == 0)
                                        break;
                                if (w < 0) {
                                        if (errno == EINTR)
                                                continue;
                                        return -errno;
                                }
                                if (!WIFSTOPPED(st)) {
                                        *ret_status = st;
                                        return 0;
                                }
                                /* The program stopped: stop with it so the shell's job
                                 * control sees the job stopped, and wake it when we are
                                 * woken (what nsenter and unshare do) -- but only for the
                                 * terminal's job control.  The container can stop the
                                 * program too, and must not be able to leave us stopped
                                 * with nobody to wake us. */
                                if (!in_foreground())
                                        continue;
                                raise(SIGSTOP);
                                kill(child, SIGCONT);
                        }
                        continue;
                }
                if (sig == SIGCONT) {
                        kill(child, SIGCONT);
                        continue;
                }
                /* SI_KERNEL: the terminal sent it to the whole foreground process
                 * group, so the program has it already (unless it left our
                 * session); forwarding would double it. */
                if (si.si_code == SI_KERNEL && !own_session)
                        continue;
                kill(child, sig);
        }
}

int spawn_and_wait(struct plan *p, char **argv, int *ret_status)
{
        sigset_t set, old;
        int alive[2]; /* the program's read end sees POLLHUP once we are gone */
        enum ns_type failed;
        pid_t child;
        int r;

        sigemptyset(&set);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&set, forwarded[i]);
        sigaddset(&set, SIGCHLD);
        sigaddset(&set, SIGCONT);
        /* Blocked before fork so nothing sent in between is lost; an inherited
         * SIG_IGN for SIGCHLD would make the kernel reap the program for us. */
        signal(SIGCHLD, SIG_DFL);
        if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
                return -errno;

        if (pipe2(alive, O_CLOEXEC) < 0) {
                r = -errno;
                sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }

        child = fork();
        if (child < 0) {
                r = -errno;
                safe_close(alive[0]);
                safe_close(alive[1]);
                sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        if (child == 0) {
                safe_close(alive[1]);
                sigprocmask(SIG_SETMASK, &old, NULL);
                /* pid and time namespaces apply from this process on: check them. */
                r = ns_verify(p, true, &failed);
                if (r < 0) {
                        fprintf(stderr, "nsattach: %s namespace: not the target's after entering (%s)\n",
                                ns_table[failed].name, strerror(-r));
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                exec_program(p, argv, alive[0]);
        }

        /* The parent only waits: it keeps no handle on the target's world. */
        safe_close(alive[0]); /* alive[1] stays open for as long as we live */
        struct target keep = p->target;
        p->target = (struct target)TARGET_INIT;
        plan_done(p);
        p->target = keep;

        r = wait_loop(child, p->confine.on, &set, ret_status);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
