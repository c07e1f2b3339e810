/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nsattach: options, plan, exit codes; every step is in the library. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "nsattach.h"
#include "util.h"

static void die(const char *msg)
{
        char line[CLI_ERROR_MAX];

        snprintf(line, sizeof(line), "%s", msg);
        strip_controls(line, false);
        fprintf(stderr, "nsattach: %s\n", line);
        exit(NSATTACH_EXIT_FAILURE);
}

/* Opening files into a missing 0/1/2 would hand them to the program as stdio. */
static void ensure_std_fds(void)
{
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
                        int n = open("/dev/null", O_RDWR);
                        if (n != fd)
                                exit(NSATTACH_EXIT_FAILURE);
                }
}

int main(int argc, char **argv)
{
        char err[CLI_ERROR_MAX];
        struct options o;
        struct plan p;
        int r;

        /* Non-dumpable from the start: nothing in the target may ptrace us or open
         * our /proc files before exec (runc CVE-2016-9962). */
        prctl(PR_SET_DUMPABLE, 0);
        ensure_std_fds();
        proctitle_init(argc, argv);

        trace_start();
        if (cli_parse(argc, argv, &o, err, sizeof(err)) < 0)
                die(err);
        verbosity = o.verbosity;
        if (o.action == ACTION_HELP) {
                cli_help(stdout);
                return 0;
        }
        if (o.action == ACTION_VERSION) {
                printf("nsattach %s\n", NSATTACH_VERSION);
                return 0;
        }

        if (o.action == ACTION_LIST || o.action == ACTION_INSPECT) {
                r = o.action == ACTION_LIST ? output_list(&o, stdout, err, sizeof(err))
                                            : output_inspect(&o, stdout, err, sizeof(err));
                if (r < 0)
                        die(err);
                return 0;
        }

        char *shell[] = { getenv("SHELL"), NULL };
        if (!shell[0] || !*shell[0])
                shell[0] = (char *)"/bin/sh";
        char **prog = o.argv ? o.argv : shell;
        o.argv = prog;

        if (plan_build(&o, &p, err, sizeof(err)) < 0) {
                strip_controls(err, false);
                fprintf(stderr, "nsattach: %s\n", err);
                exit(p.fail_code ? p.fail_code : NSATTACH_EXIT_FAILURE);
        }
        if (o.explain) {
                /* the plan is made (everything opened, nothing entered): say what it is */
                r = output_explain(&o, &p, stdout);
                plan_done(&p);
                if (r < 0)
                        die("writing the plan failed");
                return 0;
        }
        /* What the caller leaked to us must not reach the program (runc
         * CVE-2024-21626): close-on-exec now, while /proc is still the host's. */
        if (fds_cloexec_from_3(p.proc_dirfd) < 0)
                die("marking inherited file descriptors close-on-exec failed");

        /* ---- point of no return: everything is open and the target verified ---- */
        int status, sig;
        char prog0[128]; /* the waiting parent's title goes over argv */
        snprintf(prog0, sizeof(prog0), "%s", prog[0]);
        if (p.confine.on && p.must_fork) {
                /* entered by a child, out of the container's sight (spawn_confined) */
                r = spawn_confined(&p, prog, o.target, &status);
        } else {
                /* a container view without a pid namespace of its own: we become the program */
                if (p.confine.on && (r = cgroup_join(&p.cgroups)) < 0) {
                        snprintf(err, sizeof(err), "joining the target's cgroup: %s", strerror(-r));
                        die(err);
                }
                if (ns_enter_verified(&p, o.target, err, sizeof(err)) < 0)
                        die(err);
                trace_step("namespaces entered and checked");
                if (!p.must_fork)
                        exec_program(&p, prog, -EBADF);
                r = spawn_and_wait(&p, prog, o.target ? o.target : "the program", &status);
        }
        if (r < 0) {
                snprintf(err, sizeof(err), "running %s: %s", prog0, strerror(-r));
                die(err);
        }
        int code = exit_code_from_status(status, &sig);
        if (sig) {
                /* Die the same way, so a calling shell sees the signal (as nsenter). */
                sigset_t s;
                signal(sig, SIG_DFL);
                sigemptyset(&s);
                sigaddset(&s, sig);
                sigprocmask(SIG_UNBLOCK, &s, NULL);
                raise(sig);
        }
        return code;
}
