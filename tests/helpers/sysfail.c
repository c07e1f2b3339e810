/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysfail [--no-pidfd] [--no-multi-setns] [--no-close-range] -- PROGRAM [ARGS...]
 *
 * Runs PROGRAM under a seccomp filter that makes chosen modern syscalls fail
 * the way an older kernel would, so the fallbacks are exercised here:
 *   --no-pidfd          pidfd_open() fails with ENOSYS (before Linux 5.3)
 *   --no-multi-setns    setns() with more than one CLONE_NEW* bit fails with
 *                       EINVAL (setns(pidfd, mask) before Linux 5.8)
 *   --no-close-range    close_range() fails with ENOSYS (before Linux 5.9)
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const unsigned long ns_bits[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                                         CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME };

int main(int argc, char **argv)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        int i, r = 0;

        if (!ctx)
                return 125;
        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strcmp(argv[i], "--no-pidfd") == 0)
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0);
                else if (strcmp(argv[i], "--no-close-range") == 0)
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(close_range), 0);
                else if (strcmp(argv[i], "--no-multi-setns") == 0) {
                        /* Every pair of namespace bits: a per-file setns() has one. */
                        for (size_t a = 0; a < 8 && r == 0; a++)
                                for (size_t b = a + 1; b < 8 && r == 0; b++) {
                                        unsigned long m = ns_bits[a] | ns_bits[b];
                                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(setns), 1,
                                                             SCMP_A1(SCMP_CMP_MASKED_EQ, m, m));
                                }
                } else {
                        fprintf(stderr, "sysfail: unknown option %s\n", argv[i]);
                        return 125;
                }
                if (r < 0) {
                        fprintf(stderr, "sysfail: %s: %s\n", argv[i], strerror(-r));
                        return 125;
                }
        }
        if (i + 1 >= argc) {
                fprintf(stderr, "usage: sysfail [OPTIONS] -- PROGRAM [ARGS...]\n");
                return 125;
        }
        /* no_new_privs is needed to load a filter without CAP_SYS_ADMIN; as root
         * we keep it off so the program's own privileges are unchanged. */
        if (geteuid() != 0)
                seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
        else
                seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0) {
                fprintf(stderr, "sysfail: loading the filter: %s\n", strerror(-r));
                return 125;
        }
        execv(argv[i + 1], argv + i + 1);
        fprintf(stderr, "sysfail: %s: %s\n", argv[i + 1], strerror(errno));
        return 127;
}
