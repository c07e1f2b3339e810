/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tries what the container views' syscall filter forbids and prints, one line
 * each, "NAME ok" or "NAME ERRNO-NAME".  Harmless where allowed: the ioctls
 * go to fd 0 (a terminal only if the test made it one: then TIOCSTI types one
 * NUL byte into it), the mount is over /tmp of a private mount namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static void probe(const char *name, long r)
{
        printf("%s %s\n", name, r < 0 ? strerrorname_np(errno) : "ok");
}

int main(void)
{
        char nul = '\0';
        errno = 0;
        probe("tiocsti", syscall(__NR_ioctl, 0, (unsigned long)TIOCSTI, &nul));
        /* the kernel ignores the upper half of the command; a filter must too */
        probe("tiocsti-high", syscall(__NR_ioctl, 0, (unsigned long)TIOCSTI | 0x100000000UL, &nul));
        probe("tioclinux", syscall(__NR_ioctl, 0, (unsigned long)TIOCLINUX, &nul));
        probe("unshare-user", unshare(CLONE_NEWUSER));
        probe("open_by_handle_at", syscall(__NR_open_by_handle_at, -1, NULL, 0));
        probe("keyctl", syscall(__NR_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
        probe("clone3", syscall(__NR_clone3, NULL, 0));
        probe("mount", unshare(CLONE_NEWNS) < 0 ? -1 : mount("sysprobe", "/tmp", "tmpfs", 0, "size=4k"));
#if defined(__x86_64__)
        /* the 32-bit ABI (getpid is 20 there): confined like the native one, not killed */
        long pid;
        __asm__ volatile("int $0x80" : "=a"(pid) : "a"(20L) : "memory");
        probe("int80-getpid", pid > 0 ? 0 : -1);
#else
        probe("int80-getpid", 0);
#endif
        return 0;
}
