/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every phase: cleanup attributes, fd hand-off, parsing. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* close() is never retried on EINTR: on Linux the fd is gone either way. */
static inline int safe_close(int fd)
{
        if (fd >= 0) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd)
{
        *fd = safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/*
 * Hand an fd out of a scope whose cleanup would close it.  A function taking
 * the fd's address, not an assignment in a macro: only the cleanup handler
 * reads the -EBADF left behind, and a checker that does not model cleanup
 * attributes (cppcheck) would take the assignment for a dead store.
 */
static inline int take_fd(int *fd)
{
        int r = *fd;

        *fd = -EBADF;
        return r;
}
#define TAKE_FD(fd) take_fd(&(fd))

/* Hand a pointer out of a scope whose cleanup would free it. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                typeof(p) _p_ = (p);                                                               \
                (p) = NULL;                                                                        \
                _p_;                                                                               \
        })

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/*
 * Strict unsigned decimal parser: digits only, no sign, no spaces, no empty
 * string, no overflow past max.  "-1", "1x", " 1" and "" are all -EINVAL;
 * strtoul() would silently accept or wrap several of them, which is how id
 * parsers turn a bad argument into uid 0.
 */
int parse_uint(const char *s, uint64_t max, uint64_t *ret);
int parse_pid(const char *s, pid_t *ret);
int parse_id(const char *s, uint32_t *ret); /* uid/gid: 0..2^32-2, (uid_t)-1 is refused */

/* Read a whole small file relative to dirfd into a NUL-terminated buffer. */
int read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len);
/* Every fd from 3 up close-on-exec, found without /proc where the kernel can. */
int fds_cloexec_from_3(int proc_dirfd);
/* Close every fd from 3 up, without trusting whatever /proc is now mounted. */
void close_from_3(void);

/* Control characters but tab (a state file's name may carry terminal escapes) made '?'; keep_nl keeps '\n'. */
void strip_controls(char *s, bool keep_nl);

/* The value of "Key:\t..." in the text of a /proc status file; -EIO if absent or longer than len. */
int proc_status_value(const char *status, const char *key, char *ret, size_t len);
bool proc_cgroup_frozen(int procfd); /* its cgroup frozen: a paused container */

/* Write all of buf, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/*
 * What ps shows for us (setproctitle): proctitle_init() at the start of
 * main() notes where the kernel put our argv and environment strings;
 * proctitle_set() writes a title over them.  Only for a process that needs
 * neither any more (the waiting parent): they are gone after it.
 */
void proctitle_init(int argc, char **argv);
void proctitle_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * -v and -q (SPEC 2): verbosity > 0 prints each step with the time since
 * nsattach started ("nsattach: +0.31 ms resolved ..."); < 0 leaves out the
 * notes (a paused target, a timeout, --follow); errors are always printed.  Set once
 * in main(); children inherit it and the start time.
 */
extern int verbosity;
void trace_start(void);
void trace_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
