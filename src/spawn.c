/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last steps: fork where the kernel requires it, exec, wait, forward signals. */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
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

/* The view, the root and the working directories: with all our privileges. */
static void prepare_program(const struct plan *p)
{
        const char *step = NULL;
        int r;

        r = view_setup(p, &step);
        if (r < 0) {
                child_fail(step, -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        trace_step("view built");
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
}

/* Its own session, where it becomes the container's. */
static void leave_session(const struct plan *p)
{
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
}

static void take_credentials(const struct plan *p)
{
        /* the target's LSM label from the exec on, set while we are still root */
        int r = p->confine.on ? lsm_exec_apply(p->proc_dirfd, &p->confine.lsm) : 0;
        if (r < 0) {
                char what[160];
                snprintf(what, sizeof(what), "taking the target's %s label %.100s", lsm_kind_name[p->confine.lsm.kind],
                         p->confine.lsm.label);
                child_fail(what, -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        r = confine_apply(p);
        if (r < 0) {
                child_fail(p->confine.on ? "taking the target's privileges" : "changing uid/gid", -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        if (p->confine.on)
                trace_step("the target's privileges taken: uid %d gid %d, capabilities %016llx",
                           (int)getuid(), (int)getgid(), (unsigned long long)p->confine.cap_eff);
}

int pty_open(int *ret_master, int *ret_slave)
{
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return -errno;
        if (grantpt(m) < 0 || unlockpt(m) < 0) {
                int r = -errno;
                close(m);
                return r;
        }
        /* the peer through the master, not a path: nothing to resolve */
        int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (s < 0) {
                const char *name = ptsname(m);
                s = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        }
        if (s < 0) {
                int r = -errno;
                close(m);
                return r;
        }
        /* the caller's size from the start, so the program's first output fits */
        struct winsize ws;
        if (ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(m, TIOCSWINSZ, &ws);
        *ret_master = m;
        *ret_slave = s;
        return 0;
}

/* The program's own terminal as its controlling one, on each standard stream
 * that was a terminal. */
static void pty_attach(const struct plan *p)
{
        if (p->pty_slave < 0)
                return;
        bool ok = (p->confine.on || setsid() >= 0) && ioctl(p->pty_slave, TIOCSCTTY, 0) >= 0;
        for (int fd = 0; fd < 3 && ok; fd++)
                if (p->pty_streams & (1u << fd))
                        ok = dup2(p->pty_slave, fd) >= 0;
        if (!ok) {
                child_fail("its terminal", errno);
                _exit(NSATTACH_EXIT_FAILURE);
        }
}

/* From the credential change on: what the program is started with. */
static _Noreturn void run_program(const struct plan *p, char **argv, int parent_alive_fd)
{
        int r;

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

        pty_attach(p);

        /* Last, as it forbids some of what came before (keyctl, mount). */
        if (p->confine.on && (r = seccomp_apply(true)) < 0) {
                child_fail("loading the syscall filter", -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        if (!p->confine.on && (isatty(0) || isatty(1) || isatty(2)))
                (void)seccomp_apply(false); /* needs CAP_SYS_ADMIN: an unprivileged caller goes without */

        trace_step("exec %s", p->mnt_view ? p->mnt.prog : argv[0]);
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

_Noreturn void exec_program(const struct plan *p, char **argv, int parent_alive_fd)
{
        prepare_program(p);
        leave_session(p);
        take_credentials(p);
        run_program(p, argv, parent_alive_fd);
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

/*
 * What the waiting parent ends the program for (SPEC 2): --timeout (our
 * SIGALRM) and --follow (the target's pidfd turns readable when it exits).
 * SIGTERM first, SIGKILL if it is still there 2 s later.
 */
struct watch {
        uint64_t timeout_us;
        int follow_fd;   /* the target's pidfd, with --follow; -1 */
        char target[96]; /* a copy: the title goes over our argv (proctitle_set()) */
        bool timed_out, ending;
};

static void arm_alarm(uint64_t us)
{
        struct itimerval it = { .it_value = { .tv_sec = (time_t)(us / 1000000), .tv_usec = (suseconds_t)(us % 1000000) } };
        (void)setitimer(ITIMER_REAL, &it, NULL);
}

static void end_program(struct watch *w, pid_t child)
{
        if (w->ending) {
                kill(child, SIGKILL);
                return;
        }
        w->ending = true;
        kill(child, SIGTERM);
        arm_alarm(2000000);
}

static void on_alarm(struct watch *w, pid_t child)
{
        if (!w->ending) {
                w->timed_out = true;
                note("%s: the program timed out after %.6g s", w->target, (double)w->timeout_us / 1e6);
        }
        end_program(w, child);
}

/* Returns 0 and the child's wait status, or -errno. */
static int wait_loop(pid_t child, bool own_session, struct watch *wa, const sigset_t *set, int *ret_status)
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
                if (sig == SIGALRM) {
                        on_alarm(wa, child);
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

/* The caller's terminal while the program has its own: raw, so that every key
 * (^C, ^Z included) reaches the program's terminal, which acts on it. */
struct relay {
        struct termios saved;
        bool raw;
};

static void term_raw(struct relay *rl)
{
        struct termios t;
        /* in the background, changing it would stop us (SIGTTOU) */
        if (!in_foreground() || tcgetattr(0, &rl->saved) < 0)
                return;
        t = rl->saved;
        cfmakeraw(&t);
        rl->raw = tcsetattr(0, TCSADRAIN, &t) == 0;
}

static void term_restore(struct relay *rl)
{
        if (rl->raw)
                (void)tcsetattr(0, TCSADRAIN, &rl->saved);
        rl->raw = false;
}

/*
 * One direction of the relay.  Into the program (our stdin to its terminal or
 * pipe): buffered, written when it can take it, for it may never read.  Out of
 * it (its terminal or pipe to our stdout or stderr): written at once, whole.
 */
struct pump {
        int from, to;
        bool into;     /* into the program: "to" is its end */
        bool close_to; /* at our EOF, close "to" (a pipe's write end: its EOF) */
        char buf[8192];
        size_t len, off;
};

/* What the program wrote, on to where it goes.  One read unless drain: a
 * program that writes faster than our stdout takes must not keep the keys
 * and signals waiting.  false: its end is closed. */
static bool pump_out(struct pump *pu, bool drain)
{
        do {
                ssize_t k = read(pu->from, pu->buf, sizeof(pu->buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return true;
                if (k <= 0)
                        return false; /* EOF, or EIO: no one has the terminal's other end open */
                for (ssize_t off = 0; off < k;) {
                        ssize_t w = write(pu->to, pu->buf + off, (size_t)(k - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w <= 0)
                                return true; /* our stream is gone: the output is lost, not the program */
                        off += w;
                }
        } while (drain);
        return true;
}

/* Our input, on into the program: false once there is no more to pass. */
static bool pump_in(struct pump *pu, short revents_from, short revents_to)
{
        if (pu->len == 0 && (revents_from & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t k = read(pu->from, pu->buf, sizeof(pu->buf));
                if (k > 0) {
                        pu->len = (size_t)k;
                        pu->off = 0;
                } else if (k == 0 || errno != EINTR)
                        return false;
        }
        if (pu->len && (revents_to & (POLLOUT | POLLERR | POLLHUP))) {
                ssize_t w = write(pu->to, pu->buf + pu->off, pu->len - pu->off);
                if (w < 0 && errno != EAGAIN && errno != EINTR)
                        return false; /* it closed its end (EPIPE) */
                if (w > 0 && (pu->off += (size_t)w) == pu->len)
                        pu->len = pu->off = 0;
        }
        return true;
}

/* The program the waiting parent watches over, and what it relays for it. */
struct program_io {
        pid_t pid;
        int master;       /* its own terminal's master, or -1 */
        unsigned streams; /* which of fds 0, 1, 2 that terminal stands for (bits) */
        int relay[3];     /* our ends of the pipes standing for our streams that are files; -1: none */
        bool own_session; /* in a session of its own: the terminal's signals are not ours to forward */
};

/*
 * wait_loop() for a program whose streams we relay: its own terminal (master:
 * the keys in, its output out) and pipes standing for our streams that are
 * files (relay[fd], our end; -1: none).  The same signals and job control in
 * between.  SIGWINCH is not forwarded: the new size goes to the program's
 * terminal, whose kernel side signals the program.
 */
static int relay_loop(struct program_io *io, struct watch *wa, const sigset_t *set, int *ret_status)
{
        struct relay rl = { .raw = false };
        struct pump pumps[5];
        bool open[5];
        size_t n = 0;
        int sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK), r = 0;

        if (sfd < 0) {
                r = -errno;
                return r;
        }
        /* keys only from a terminal: a pipe on stdin is the program's own */
        if (io->master >= 0 && (io->streams & 1))
                pumps[n++] = (struct pump){ .from = 0, .to = io->master, .into = true };
        if (io->master >= 0)
                pumps[n++] = (struct pump){ .from = io->master, .to = io->streams & 2 ? 1 : 2 };
        for (int fd = 0; fd < 3; fd++)
                if (io->relay[fd] >= 0)
                        pumps[n++] = fd == 0 ? (struct pump){ .from = 0, .to = io->relay[0], .into = true, .close_to = true }
                                             : (struct pump){ .from = io->relay[fd], .to = fd };
        for (size_t i = 0; i < n; i++) {
                open[i] = true;
                int theirs = pumps[i].into ? pumps[i].to : pumps[i].from;
                if (fcntl(theirs, F_SETFL, fcntl(theirs, F_GETFL) | O_NONBLOCK) < 0) {
                        r = -errno;
                        safe_close(sfd);
                        return r;
                }
        }
        if (io->master >= 0 && (io->streams & 1))
                term_raw(&rl);
        for (;;) {
                struct pollfd pf[2 + 2 * ELEMENTSOF(pumps)] = { { .fd = sfd, .events = POLLIN } };
                /* last: the target, with --follow, until it is gone */
                pf[1 + 2 * n] = (struct pollfd){ .fd = wa->ending ? -1 : wa->follow_fd, .events = POLLIN };
                for (size_t i = 0; i < n; i++) {
                        struct pump *pu = &pumps[i];
                        pf[1 + 2 * i] = (struct pollfd){ .fd = open[i] && (!pu->into || !pu->len) ? pu->from : -1,
                                                         .events = POLLIN };
                        pf[2 + 2 * i] = (struct pollfd){ .fd = open[i] && pu->into && pu->len ? pu->to : -1,
                                                         .events = POLLOUT };
                }
                if (poll(pf, 2 + 2 * n, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                for (size_t i = 0; i < n; i++) {
                        struct pump *pu = &pumps[i];
                        if (!open[i])
                                continue;
                        if (!pu->into && (pf[1 + 2 * i].revents & (POLLIN | POLLHUP | POLLERR)))
                                open[i] = pump_out(pu, false);
                        else if (pu->into && !(open[i] = pump_in(pu, pf[1 + 2 * i].revents, pf[2 + 2 * i].revents)) &&
                                 pu->close_to) {
                                io->relay[0] = safe_close(io->relay[0]); /* its stdin's EOF */
                                pu->to = -EBADF;
                        }
                }
                if (pf[1 + 2 * n].revents && !wa->ending) {
                        note("%s exited: ending the program (--follow)", wa->target);
                        end_program(wa, io->pid);
                }
                if (!(pf[0].revents & POLLIN))
                        continue;
                struct signalfd_siginfo si;
                while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                        int sig = (int)si.ssi_signo;
                        if (sig == SIGWINCH) {
                                struct winsize ws;
                                if (io->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
                                        (void)ioctl(io->master, TIOCSWINSZ, &ws);
                                else if (io->master < 0)
                                        kill(io->pid, sig);
                                continue;
                        }
                        if (sig == SIGCONT) {
                                kill(io->pid, SIGCONT);
                                continue;
                        }
                        if (sig == SIGALRM) {
                                on_alarm(wa, io->pid);
                                continue;
                        }
                        if (sig != SIGCHLD) {
                                /* from the terminal to its foreground group, the
                                 * program included, unless it has a session (or a
                                 * terminal) of its own: as in wait_loop() */
                                if (si.ssi_code != SI_KERNEL || io->own_session || io->master >= 0)
                                        kill(io->pid, sig);
                                continue;
                        }
                        for (;;) {
                                int st;
                                pid_t w = waitpid(io->pid, &st, WNOHANG | WUNTRACED);
                                if (w == 0 || (w < 0 && errno != EINTR))
                                        break;
                                if (w < 0)
                                        continue;
                                if (!WIFSTOPPED(st)) {
                                        for (size_t i = 0; i < n; i++) /* its last words */
                                                if (open[i] && !pumps[i].into)
                                                        pump_out(&pumps[i], true);
                                        *ret_status = st;
                                        goto done;
                                }
                                /* ^Z reached the program through its terminal: the
                                 * caller's shell sees the job stop, with its
                                 * terminal as it was, and gets it back raw */
                                if (!in_foreground())
                                        continue;
                                term_restore(&rl);
                                raise(SIGSTOP);
                                if (io->master >= 0 && (io->streams & 1))
                                        term_raw(&rl);
                                kill(io->pid, SIGCONT);
                        }
                }
        }
done:
        term_restore(&rl);
        safe_close(sfd);
        return r;
}

static int supervise(struct program_io *io, struct watch *w, const sigset_t *set, int *ret_status)
{
        bool polled = io->master >= 0 || io->relay[0] >= 0 || io->relay[1] >= 0 || io->relay[2] >= 0 || w->follow_fd >= 0;
        int r = polled ? relay_loop(io, w, set, ret_status)
                       : wait_loop(io->pid, io->own_session, w, set, ret_status);
        safe_close(io->master);
        for (int fd = 0; fd < 3; fd++)
                io->relay[fd] = safe_close(io->relay[fd]);
        arm_alarm(0);
        trace_step("the program ended: status %#x", (unsigned)*ret_status);
        if (r == 0 && w->timed_out)
                *ret_status = NSATTACH_EXIT_TIMEOUT << 8; /* as timeout(1), whatever it died of */
        return r;
}

static struct watch watch_of(const struct plan *p, const char *target)
{
        struct watch w = { .timeout_us = p->timeout_us, .follow_fd = p->follow ? p->target.pidfd : -EBADF };
        snprintf(w.target, sizeof(w.target), "%s", target);
        return w;
}

/* ps on the host: what this waiting nsattach is attached to, and running. */
static void show_title(const struct watch *w, pid_t target, char **argv)
{
        if (target > 0)
                proctitle_set("nsattach: %s (pid %d): %s", w->target, (int)target, argv[0]);
        else
                proctitle_set("nsattach: %s: %s", w->target, argv[0]);
}

/*
 * The waiting parent's fork: the signals it waits for blocked before, so
 * nothing sent in between is lost (an inherited SIG_IGN for SIGCHLD would make
 * the kernel reap the child for us), and a pipe whose read end, the child's,
 * sees POLLHUP once we are gone.  In the child: the mask as it was, only the
 * read end.  Returns fork()'s answer, or -errno with nothing left over.
 */
static pid_t fork_waited(sigset_t *set, sigset_t *old, int alive[2])
{
        sigemptyset(set);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(set, forwarded[i]);
        sigaddset(set, SIGCHLD);
        sigaddset(set, SIGCONT);
        sigaddset(set, SIGALRM);
        signal(SIGCHLD, SIG_DFL);
        if (sigprocmask(SIG_BLOCK, set, old) < 0)
                return -errno;
        if (pipe2(alive, O_CLOEXEC) < 0) {
                int r = -errno;
                sigprocmask(SIG_SETMASK, old, NULL);
                return r;
        }
        pid_t child = fork();
        if (child < 0) {
                int r = -errno;
                safe_close(alive[0]);
                safe_close(alive[1]);
                sigprocmask(SIG_SETMASK, old, NULL);
                return r;
        }
        if (child == 0) {
                safe_close(alive[1]);
                sigprocmask(SIG_SETMASK, old, NULL);
        }
        return child;
}

int spawn_and_wait(struct plan *p, char **argv, const char *target, int *ret_status)
{
        sigset_t set, old;
        int alive[2];
        enum ns_type failed;
        int r;

        pid_t child = fork_waited(&set, &old, alive);
        if (child < 0)
                return child;
        if (child == 0) {
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
        int master = TAKE_FD(p->pty_master);
        unsigned streams = p->pty_streams;
        bool own_session = p->confine.on;
        struct watch wt = watch_of(p, target);
        p->target = (struct target)TARGET_INIT;
        plan_done(p);
        p->target = keep;

        int relay[3] = { -EBADF, -EBADF, -EBADF };
        if (wt.timeout_us)
                arm_alarm(wt.timeout_us);
        show_title(&wt, keep.pid, argv);
        struct program_io io = { .pid = child, .master = master, .streams = streams, .own_session = own_session };
        memcpy(io.relay, relay, sizeof(io.relay));
        r = supervise(&io, &wt, &set, ret_status);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}

/* The caller's environment strings, as the kernel shows them in
 * /proc/PID/environ, zeroed: the program has its own copy (plan's envp). */
static void scrub_environ(void)
{
        for (char **e = environ; e && *e; e++)
                explicit_bzero(*e, strlen(*e));
}

/* Closes every fd from 3 on but those in keep (negative ones ignored). */
static int close_all_but(const int *keep, size_t n)
{
        int k[8];
        size_t m = 0;
        for (size_t i = 0; i < n && m < ELEMENTSOF(k); i++)
                if (keep[i] > 2)
                        k[m++] = keep[i];
        for (size_t i = 1; i < m; i++) /* ascending */
                for (size_t j = i; j > 0 && k[j - 1] > k[j]; j--) {
                        int t = k[j];
                        k[j] = k[j - 1];
                        k[j - 1] = t;
                }
        unsigned from = 3;
        for (size_t i = 0; i <= m; i++) {
                unsigned to = i < m ? (unsigned)k[i] : ~0U;
                int r = to > from ? close_fds(from, to == ~0U ? ~0U : to - 1) : 0;
                if (r < 0) {
                        errno = -r;
                        return -1;
                }
                if (i < m)
                        from = (unsigned)k[i] + 1;
        }
        return 0;
}

/*
 * A process that becomes the container's (SPEC section 6), where the target
 * has a pid namespace of its own.  A process forked into that namespace is in
 * the container's sight from its first instruction: a container holding
 * CAP_SYS_PTRACE may trace it, whatever its dumpable flag, and it would still
 * have our privileges until it took the target's.  So the namespaces are
 * entered, the view built and the target's privileges taken by a first child
 * that the container cannot see (setns() into a pid namespace moves only the
 * children to come); only then is the program's process forked, already
 * confined, and the first child exits.  We are a subreaper, so the program
 * becomes our child; it waits for our word that it is (its death signal is
 * set after that, or its first parent's exit would fire it).
 */
/* Our children, as the kernel lists them ("12 34 "), into a string. */
static char *children_now(void)
{
        char *list = NULL;
        if (read_file_at(AT_FDCWD, "/proc/thread-self/children", &list, NULL) < 0)
                return NULL;
        return list;
}

/* The one child of ours not in before: the program, once its first parent is
 * gone (nothing the program's process holds could forge it; children we were
 * started with are in before). */
static pid_t new_child(const char *before)
{
        _cleanup_free_ char *now = children_now();
        pid_t found = -1;
        if (!now)
                return -1;
        for (char *q = now, *end; *q; q = end) {
                errno = 0;
                long pid = strtol(q, &end, 10);
                if (errno || end == q || pid <= 0 || pid > INT32_MAX)
                        return -1;
                end += strspn(end, " ");
                char word[24];
                snprintf(word, sizeof(word), "%ld ", pid);
                bool old = false;
                for (const char *b = before ? before : ""; *b && !old;) {
                        old = strncmp(b, word, strlen(word)) == 0;
                        b += strcspn(b, " ");
                        b += strspn(b, " ");
                }
                if (old)
                        continue;
                if (found > 0)
                        return -1; /* more than one */
                found = (pid_t)pid;
        }
        return found;
}

/*
 * For a target that can trace what enters its pid namespace (plan.c): a
 * process forked from here runs nsattach's binary, a host file, until its
 * exec, and a tracer would hold it through /proc/PID/exe.  So the first child
 * becomes the view's trampoline as launcher (hostexec.h), with the filter
 * loaded already (it stays through exec and fork), and the program's process
 * is forked from that: its /proc/PID/exe is the trampoline, on the view's
 * read-only root, its memory nothing of nsattach's.
 */
static _Noreturn void launch_program(const struct plan *p, char **argv)
{
        char pty[16], streams[4];
        size_t argc = 0;
        int r;

        while (argv[argc])
                argc++;
        char **largv = calloc(argc + 6, sizeof(*largv));
        if (!largv) {
                child_fail("launcher", ENOMEM);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        snprintf(pty, sizeof(pty), "%d", p->pty_slave >= 0 ? p->pty_slave : -1);
        snprintf(streams, sizeof(streams), "%u", p->pty_slave >= 0 ? p->pty_streams & 7 : 0);
        char *head[] = { HOSTEXEC_LAUNCH_ARGV0, pty, streams, p->mnt.prog, "--" };
        memcpy(largv, head, sizeof(head));
        memcpy(largv + ELEMENTSOF(head), argv, argc * sizeof(*argv));
        /* its terminal stays open through the exec; our pipe does not (the
         * program's process is in the container's reach: nothing of ours) */
        if (p->pty_slave >= 0 && fcntl(p->pty_slave, F_SETFD, 0) < 0) {
                child_fail("launcher", errno);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        if ((r = seccomp_apply(true)) < 0) {
                child_fail("loading the syscall filter", -r);
                _exit(NSATTACH_EXIT_FAILURE);
        }
        trace_step("exec the launcher " HOSTEXEC_SELF " for %s", p->mnt.prog);
        execve(HOSTEXEC_SELF, largv, p->envp);
        child_fail("starting the launcher " HOSTEXEC_SELF, errno);
        _exit(NSATTACH_EXIT_FAILURE);
}

int spawn_confined(struct plan *p, char **argv, const char *target, int *ret_status)
{
        sigset_t set, old;
        int alive[2];
        pid_t first, program = -1;
        int r, st;

        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return -errno;
        /* the program's end of the pipe can go (the container may kill it): an
         * error to report, not a signal to die of */
        signal(SIGPIPE, SIG_IGN);
        _cleanup_free_ char *before = children_now();
        first = fork_waited(&set, &old, alive);
        if (first < 0)
                return first;
        if (first == 0) {
                char err[512];
                signal(SIGPIPE, SIG_DFL);
                /* none of our groups into the container, even where its user
                 * namespace will not let them be changed (setgroups "deny") */
                if (setgroups(0, NULL) < 0 && errno != EPERM) {
                        child_fail("dropping our supplementary groups", errno);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                /* into the target's cgroups first: from its cgroup namespace ours
                 * may be out of sight */
                if ((r = cgroup_join(&p->cgroups)) < 0) {
                        child_fail("joining the target's cgroup", -r);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                if (ns_enter_verified(p, target, err, sizeof(err)) < 0) {
                        fprintf(stderr, "nsattach: %s\n", err);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                trace_step("namespaces entered and checked");
                prepare_program(p);
                take_credentials(p);
                /* What the program's process is born with is in the container's
                 * reach until its exec (a CAP_SYS_PTRACE holder may read its
                 * memory, fds and environ): nothing of the host's but the
                 * streams, our pipe and its terminal. */
                scrub_environ();
                for (int fd = 0; fd < 3; fd++)
                        if (p->relay_prog[fd] >= 0 && dup2(p->relay_prog[fd], fd) < 0) {
                                child_fail("a pipe for its streams", errno);
                                _exit(NSATTACH_EXIT_FAILURE);
                        }
                int keep[] = { alive[0], p->pty_slave };
                if (close_all_but(keep, ELEMENTSOF(keep)) < 0) {
                        child_fail("closing the host's file descriptors", errno);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                if (p->confine.launch)
                        launch_program(p, argv);
                pid_t child = fork();
                if (child < 0) {
                        child_fail("fork", errno);
                        _exit(NSATTACH_EXIT_FAILURE);
                }
                if (child == 0) {
                        char word;
                        /* our parent's exit, then nsattach's word: we are its child now
                         * (born in the namespaces our parent checked it gives) */
                        if (read(alive[0], &word, 1) != 1)
                                _exit(NSATTACH_EXIT_FAILURE);
                        leave_session(p);
                        run_program(p, argv, alive[0]);
                }
                _exit(0);
        }

        /* The parent only waits: it keeps no handle on the target's world. */
        safe_close(alive[0]);
        struct target keep = p->target;
        int master = TAKE_FD(p->pty_master);
        unsigned streams = p->pty_streams;
        bool launched = p->confine.launch;
        int relay[3];
        for (int fd = 0; fd < 3; fd++)
                relay[fd] = TAKE_FD(p->relay_ours[fd]);
        struct watch wt = watch_of(p, target);
        p->target = (struct target)TARGET_INIT;
        plan_done(p);
        p->target = keep;
        if (wt.timeout_us)
                arm_alarm(wt.timeout_us); /* attaching counts too */

        /* Waiting for the first child, a signal for the program (SIGTERM, a
         * timeout's) ends the attach instead: there is no program yet. */
        int interrupted = 0;
        r = 0;
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&set, &si);
                if (sig < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        kill(first, SIGKILL);
                        waitpid(first, &st, 0);
                        break;
                }
                if (sig == SIGCHLD) {
                        pid_t w = waitpid(first, &st, WNOHANG);
                        if (w == first)
                                break;
                        continue;
                }
                if (sig != SIGCONT && sig != SIGWINCH && !interrupted) {
                        interrupted = sig;
                        kill(first, SIGKILL);
                }
        }
        if (r < 0 || interrupted || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || (program = new_child(before)) <= 0) {
                /* it said why, and its status is ours; killed (by the container's
                 * racer, or by us for a signal), it could not say: we do, before
                 * anything pending is unblocked (what it said through the pipes
                 * that stand for our streams first).  A launcher that forked
                 * before it was killed left the program's process waiting for
                 * our word: it never gets it. */
                if (program <= 0 && (program = new_child(before)) > 0) {
                        kill(program, SIGKILL);
                        waitpid(program, NULL, 0);
                }
                safe_close(master);
                for (int fd = 0; fd < 3; fd++) {
                        struct pump pu = { .from = relay[fd], .to = fd };
                        if (fd > 0 && relay[fd] >= 0 && fcntl(relay[fd], F_SETFL, O_NONBLOCK) == 0)
                                pump_out(&pu, true);
                        safe_close(relay[fd]);
                }
                if (interrupted == SIGALRM)
                        fprintf(stderr, "nsattach: %s: timed out while attaching\n", target);
                else if (interrupted)
                        fprintf(stderr, "nsattach: %s: attaching was interrupted (signal %d)\n", target, interrupted);
                else if (r == 0 && WIFSIGNALED(st))
                        fprintf(stderr, "nsattach: %s: attaching was interrupted (our child got signal %d)\n",
                                target, WTERMSIG(st));
                else if (r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
                        fprintf(stderr, "nsattach: %s: the program's process went missing\n", target);
                sigprocmask(SIG_SETMASK, &old, NULL);
                if (r < 0)
                        return r;
                *ret_status = interrupted == SIGALRM                                 ? NSATTACH_EXIT_TIMEOUT << 8
                              : !interrupted && WIFEXITED(st) && WEXITSTATUS(st) != 0 ? st
                                                                                      : NSATTACH_EXIT_FAILURE << 8;
                arm_alarm(0);
                return 0;
        }
        /* reaped: the program has been handed to us */
        char word = 1;
        if (launched ? sigqueue(program, HOSTEXEC_LAUNCH_SIGNAL, (union sigval){ .sival_int = 0 }) < 0
                     : write(alive[1], &word, 1) != 1) {
                /* its end is gone: killed in the container before it ran */
                kill(program, SIGKILL);
                waitpid(program, NULL, 0);
                safe_close(master);
                for (int fd = 0; fd < 3; fd++)
                        safe_close(relay[fd]);
                fprintf(stderr, "nsattach: %s: the program's process was killed while attaching\n", target);
                sigprocmask(SIG_SETMASK, &old, NULL);
                *ret_status = NSATTACH_EXIT_FAILURE << 8;
                return 0;
        }
        show_title(&wt, keep.pid, argv);
        struct program_io io = { .pid = program, .master = master, .streams = streams, .own_session = true };
        memcpy(io.relay, relay, sizeof(io.relay));
        r = supervise(&io, &wt, &set, ret_status);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
