/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsattach-exec: every name in the mnt view's HOSTEXEC_BIN is a hard link to
 * this static program, so a host shell's "ps" runs the host's ps.  It is
 * static because the view has no loader of the host's at the path the kernel
 * would look for one.  It learns which command it stands for from the path
 * it was exec'd by (AT_EXECFN, not /proc: the container's /proc may not show
 * us), finds it in the host's trees and runs it through the host's loader.
 *
 * Exec'd as HOSTEXEC_LAUNCH_ARGV0, it is the launcher of the program's
 * process instead (hostexec.h, spawn.c): that process then runs this file,
 * on the view's read-only root, until its exec, not nsattach's own binary
 * from the host's file system.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "hostexec.h"

/* nsattach's exit statuses (nsattach.h, which this static program does not link with) */
enum { LAUNCH_FAILURE = 125, LAUNCH_CANNOT_EXEC = 126, LAUNCH_NOT_FOUND = 127 };

static _Noreturn void launch_fail(const char *what, int err)
{
        fprintf(stderr, "nsattach: %s: %s\n", what, strerror(err));
        _exit(LAUNCH_FAILURE);
}

/* A small decimal fd number (or -1), all of the string. */
static int launch_int(const char *s, int min, int max)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                launch_fail("launcher arguments", EINVAL);
        return (int)v;
}

static int launch(int argc, char *argv[], char *envp[])
{
        if (argc < 6 || strcmp(argv[4], "--") != 0 || argv[3][0] != '/')
                launch_fail("launcher arguments", EINVAL);
        int pty = launch_int(argv[1], -1, 1 << 20), ctty = -1;
        unsigned streams = (unsigned)launch_int(argv[2], 0, 7);
        const char *path = argv[3];
        char **prog = argv + 5;
        sigset_t word, old;

        /* Until its exec, the program's process is ours: not to be traced by
         * the container's processes without CAP_SYS_PTRACE, and holding only
         * the streams it will have, for those with it. */
        if (prctl(PR_SET_DUMPABLE, 0) < 0)
                launch_fail("launcher", errno);
        for (int fd = 0; pty >= 0 && fd < 3; fd++)
                if (streams & (1u << fd)) {
                        if (dup2(pty, fd) < 0)
                                launch_fail("its terminal", errno);
                        if (ctty < 0)
                                ctty = fd;
                }
        int closed = close_fds(3, ~0U);
        if (closed < 0)
                launch_fail("launcher", -closed);
        sigemptyset(&word);
        sigaddset(&word, HOSTEXEC_LAUNCH_SIGNAL);
        if (sigprocmask(SIG_BLOCK, &word, &old) < 0)
                launch_fail("launcher", errno);
        pid_t child = fork();
        if (child < 0)
                launch_fail("fork", errno);
        if (child > 0)
                _exit(0);

        /* nsattach's word once it has adopted us: a queued signal (the
         * container's own of that number cannot make it be dropped, as one
         * pending standard signal would) from outside our pid namespace, the
         * only senders whose pid is 0 here; the container's are ignored.  Then
         * our death with nsattach's.  It comes within milliseconds of the
         * launcher's exit; none in HOSTEXEC_LAUNCH_WAIT seconds means nsattach
         * is gone, and so do we.  (Should nsattach die in the instant between
         * its word and PR_SET_PDEATHSIG, the program runs on, confined: only a
         * descriptor of ours could tell, and this process, which the container
         * can trace, holds none.  For the same reason the word can be forged:
         * rt_sigqueueinfo() lets any process of the container that may signal
         * us choose si_code and si_pid.  That gives it an early start of a
         * program confined to its own privileges, perhaps one that does not
         * die with nsattach, and nothing more; such a container can trace this
         * process anyway, which is why it is launched.) */
        struct timespec deadline, now;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += HOSTEXEC_LAUNCH_WAIT;
        for (bool last = false;;) {
                siginfo_t si;
                clock_gettime(CLOCK_MONOTONIC, &now);
                struct timespec left = { deadline.tv_sec - now.tv_sec, deadline.tv_nsec - now.tv_nsec };
                if (left.tv_nsec < 0) {
                        left.tv_sec--;
                        left.tv_nsec += 1000000000L;
                }
                if (last)
                        _exit(LAUNCH_FAILURE); /* no word: nsattach is gone */
                if (left.tv_sec < 0) {
                        /* one look more, for a word that came while we were
                         * stopped; a flood of others cannot keep us here */
                        left = (struct timespec){ 0, 0 };
                        last = true;
                }
                if (sigtimedwait(&word, &si, &left) < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        launch_fail("launcher", errno);
                }
                if (si.si_code == SI_QUEUE && si.si_pid == 0)
                        break;
        }
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                _exit(LAUNCH_FAILURE);
        if (setsid() < 0)
                launch_fail("leaving the caller's terminal session", errno);
        if (ctty >= 0 && ioctl(ctty, TIOCSCTTY, 0) < 0)
                launch_fail("its terminal", errno);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int r = hostexec(path, prog, envp);
        fprintf(stderr, "nsattach: %s: %s\n", prog[0], strerror(-r));
        _exit(r == -ENOENT ? LAUNCH_NOT_FOUND : LAUNCH_CANNOT_EXEC);
}

int main(int argc, char *argv[], char *envp[])
{
        /* NOLINTNEXTLINE(performance-no-int-to-ptr): getauxval() hands pointers out as unsigned long */
        const char *fn = (const char *)getauxval(AT_EXECFN);
        const char *name;
        int r = -ENOENT;

        if (argc > 0 && argv[0] && strcmp(argv[0], HOSTEXEC_LAUNCH_ARGV0) == 0)
                return launch(argc, argv, envp);
        if (!fn || !*fn)
                fn = argc > 0 && argv[0] ? argv[0] : "";
        name = strrchr(fn, '/');
        name = name ? name + 1 : fn;
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                fprintf(stderr, "nsattach-exec: run as a command of the mnt view only\n");
                return 127;
        }
        for (int i = 0; hostexec_path_dirs[i]; i++) {
                char rel[PATH_MAX], path[PATH_MAX];
                if (snprintf(rel, sizeof(rel), "%s/%s", hostexec_path_dirs[i], name) >= (int)sizeof(rel) ||
                    hostexec_resolve(rel, path, sizeof(path)) < 0 || access(path, X_OK) < 0)
                        continue;
                r = hostexec(path, argc > 0 ? argv : (char *[]){ (char *)name, NULL }, envp);
                break;
        }
        fprintf(stderr, "%s: %s\n", name, strerror(-r));
        return r == -ENOENT ? 127 : 126;
}
