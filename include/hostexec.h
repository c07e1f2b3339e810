/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running host programs inside the mnt view (SPEC section 5.3).
 *
 * The view's root is the container's files plus one hidden directory,
 * HOSTEXEC_PREFIX, that holds read-only clones of the host's tool trees and a
 * directory of names for PATH.  A host program is never exec'd by its path
 * alone: the kernel would look for its ELF interpreter (PT_INTERP) in the
 * container.  It is run through the host's interpreter, found under the
 * prefix, with the host's library directories.
 */
#pragma once

#include <signal.h>
#include <stddef.h>

#define HOSTEXEC_PREFIX "/.nsattach"
#define HOSTEXEC_TREE HOSTEXEC_PREFIX "/host" /* the host's /usr, /bin, /lib... */
#define HOSTEXEC_BIN HOSTEXEC_PREFIX "/bin"   /* one name per host command, for PATH */
#define HOSTEXEC_PROG HOSTEXEC_PREFIX "/prog" /* a program from outside those trees */
#define HOSTEXEC_SELF HOSTEXEC_PREFIX "/exec" /* the trampoline itself, on the view's read-only root */

/*
 * The trampoline as launcher: exec'd as HOSTEXEC_SELF with this argv[0], and
 *   LAUNCH_ARGV0 PTY_FD PTY_STREAMS PATH -- ARGV...
 * it puts PTY_FD (-1: none) on the streams of the PTY_STREAMS bitmask, closes
 * the rest and forks the program's process, which takes over the part of
 * spawn.c's run_program() after the hand-off: it waits for nsattach's
 * HOSTEXEC_LAUNCH_SIGNAL (queued, from outside its pid namespace), exits
 * without it after HOSTEXEC_LAUNCH_WAIT seconds, dies with nsattach after, leaves the
 * session with that terminal as its controlling one, and runs PATH through
 * hostexec().  The launcher exits once it has forked.  It grants nothing:
 * whoever execs it can do each step without it.
 */
#define HOSTEXEC_LAUNCH_ARGV0 "nsattach-launch"
/* nsattach's word to the program's process: queued (sigqueue), so never lost
 * to one of the same number the container sent first */
#define HOSTEXEC_LAUNCH_SIGNAL (SIGRTMIN + 2)
/* how long the program's process waits for it (it comes in milliseconds) */
#define HOSTEXEC_LAUNCH_WAIT 10

/* Where a command name is looked up on the host, in PATH order (relative to the tree). */
extern const char *const hostexec_path_dirs[];

/*
 * Exec path (a file under HOSTEXEC_PREFIX): a dynamic ELF through the host's
 * interpreter, a static one directly, a "#!" script through the host's
 * interpreter of that name when the host has one.  argv[0] is kept.  Returns
 * -errno; on success it does not return.
 */
int hostexec(const char *path, char *const argv[], char *const envp[]);

/* A path of the host (relative to HOSTEXEC_TREE) with its symlinks followed there. */
int hostexec_resolve(const char *path, char *ret, size_t len);

/* The PT_INTERP of an ELF file: 1 and the path, 0 for a static ELF, -ENOEXEC if not ELF. */
int hostexec_interp(int fd, char *ret, size_t len);

/* fds from..last closed (close_range(), or one by one before Linux 5.9), or -errno.
 * hostexec.c, for the launcher too. */
int close_fds(unsigned from, unsigned last);
