/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the integration tests share: running commands, and targets they make themselves. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct result {
        int status; /* raw wait status */
        int code;   /* exit code, or 128+signal */
        char out[16384];
        char err[4096];
};

/* Path of the built nsattach (NSATTACH in the environment, set by meson). */
const char *nsattach_path(void);
const char *helper_path(const char *name); /* HELPERS_DIR/name */

/* Root-only tests: skip with a reason, or fail under CI=true (a skip there hides a gap). */
void require_root(void);
void skip_or_fail(const char *why);

/*
 * Run argv with stdin from /dev/null, capturing stdout and stderr; as uid
 * run_as (if >= 0).  Killed after timeout_s seconds.  Returns 0 or -errno.
 */
int run(char *const argv[], struct result *r);
int run_as(char *const argv[], long uid, struct result *r);

/* A process that sits in fresh namespaces until killed. */
struct target {
        pid_t pid;    /* the process to attach to */
        pid_t holder; /* our child (the target itself, or its parent for pid/time) */
        int flags;    /* CLONE_NEW* it was made with */
};

/* flags: CLONE_NEW*; with CLONE_NEWUSER the others are owned by the new user namespace.
 * uid >= 0: made by that unprivileged user (who maps only itself, as rootless does). */
int target_start(int flags, long uid, struct target *t);
void target_stop(struct target *t);

/* tests/fixtures/minictr: a container without a runtime, its pid 1 and two
 * workers running.  caps: its capability mask in hex (NULL: docker's default). */
struct minictr {
        pid_t shim;  /* minictr itself */
        pid_t pid;   /* the container's pid 1, as the host sees it */
        char root[64];
};
void minictr_start(struct minictr *c, const char *caps);
void minictr_stop(struct minictr *c);

/* A child that runs prepare() (0: ready), then waits to be killed.  Returns its
 * pid once it is ready, or -1 if prepare failed. */
pid_t start_sleeper(int (*prepare)(void));

/* "net:[4026531840]" for /proc/PID/ns/NAME */
int ns_link(pid_t pid, const char *name, char *buf, size_t len);

int count_lines(const char *s);
