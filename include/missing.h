/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Syscalls, flags and ioctls newer than some libc headers.  Each is called
 * through syscall(2) so the code builds on old headers; at run time an
 * ENOSYS/EINVAL answer selects the fallback, never a kernel version check.
 */
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#ifndef NSIO
#define NSIO 0xb7
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID _IO(NSIO, 0x4)
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(NSIO, 0x3)
#endif

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
        return (int)syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
        return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

static inline int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
        return (int)syscall(__NR_close_range, first, last, flags);
}

#include <linux/openat2.h> /* struct open_how, RESOLVE_* (Linux 5.6 headers) */
#ifndef __NR_openat2
#define __NR_openat2 437
#endif

static inline int sys_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
        return (int)syscall(__NR_openat2, dirfd, path, how, size);
}
