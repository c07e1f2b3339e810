/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The types of an attach: namespaces, the target, the options and the plan. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime.h"

#define NSATTACH_EXIT_TIMEOUT 124 /* --timeout: the program was ended, as timeout(1) */
#define NSATTACH_EXIT_FAILURE 125 /* nsattach itself failed */
#define NSATTACH_EXIT_CANNOT_EXEC 126
#define NSATTACH_EXIT_NOT_FOUND 127

enum ns_type {
        NS_USER,
        NS_CGROUP,
        NS_IPC,
        NS_UTS,
        NS_NET,
        NS_PID,
        NS_MNT,
        NS_TIME,
        _NS_MAX,
};

struct ns_info {
        const char *name;       /* link name under /proc/PID/ns */
        const char *child_name; /* link that shows what children get, or NULL */
        const char *long_opt;
        char short_opt;
        int clone_flag;
        bool children_only; /* setns() changes only what children get: fork after it */
};

extern const struct ns_info ns_table[_NS_MAX];
int ns_from_clone_flag(int flag); /* enum ns_type, or -EINVAL */

/* PATH where none is given (what login(1) and the runtimes use). */
#define NSATTACH_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum env_mode {
        ENV_HOST,   /* the caller's environment */
        ENV_TARGET, /* the target's /proc/PID/environ, the host's PATH appended */
        ENV_CLEAN,  /* a short allowlist of the caller's */
};

enum action {
        ACTION_ATTACH,
        ACTION_HELP,
        ACTION_VERSION,
        ACTION_LIST,
        ACTION_INSPECT,
};

/* What the command line asked for; filled by cli_parse(), nothing resolved yet. */
struct options {
        enum action action;
        const char *target;
        bool all;
        bool ns_wanted[_NS_MAX];
        const char *ns_source[_NS_MAX]; /* "=SOURCE": a namespace file or another PID */
        bool uid_set, uid_follow;
        uid_t uid;
        bool gid_set, gid_follow;
        gid_t gid;
        bool preserve_credentials;
        bool root_set;
        const char *root; /* NULL with root_set: the target's root */
        bool wd_set;
        const char *wd; /* NULL with wd_set: the target's working directory */
        const char *wdns;
        bool no_fork;
        enum env_mode env_mode;
        bool env_mode_set;
        bool exec_container; /* --exec=container: the container's program, as nsenter */
        bool confine;        /* --confine: a host view program takes the target's */
        bool privileged;     /* --privileged: it keeps the caller's, where that is safe */
        uint64_t timeout_us; /* --timeout: end the program after this long (0: never) */
        bool follow;         /* --follow: end the program when the target exits */
        bool explain;        /* --explain: print the plan, do nothing */
        int verbosity;       /* -v: 1 (steps), -q: -1 (no notes), else 0 */
        int runtime;         /* enum rt_scheme: --runtime, SCHEME_ANY (0) when not given */
        const char *runtime_root[_ROOT_MAX]; /* --runtime-root KEY=DIR; NULL: default */
        bool json;
        char **argv; /* program and arguments; NULL: the caller's shell */
};

#define CLI_ERROR_MAX 256
int cli_parse(int argc, char **argv, struct options *ret, char *err, size_t errlen);
void cli_help(FILE *f);

/*
 * A process held from resolution to attach.  The pidfd cannot be redirected
 * to another process by PID reuse, and procfd (/proc/PID) is pinned to the same
 * struct pid: once the process is gone, reads through it fail with ESRCH.
 */
struct target {
        pid_t pid;
        int pidfd;  /* -EBADF where pidfd_open() is unavailable */
        int procfd; /* /proc/PID */
        uint64_t starttime; /* /proc/PID/stat field 22 */
};

#define TARGET_INIT { .pid = 0, .pidfd = -EBADF, .procfd = -EBADF, .starttime = 0 }

int target_parse_pid(const char *s, pid_t *ret);
int target_open(int proc_dirfd, pid_t pid, struct target *ret);
int target_check(const struct target *t); /* 0 while it is the same live process */
void target_done(struct target *t);
int parse_stat_starttime(const char *stat, uint64_t *ret_start, char *ret_state);

enum { VIEW_ETC_RESOLV, VIEW_ETC_HOSTS, VIEW_ETC_HOSTNAME, VIEW_ETC_MAX };
extern const char *const view_etc_names[VIEW_ETC_MAX];

/* One namespace to enter, opened before the first setns(). */
struct ns_slot {
        bool enter;
        int fd;          /* the namespace itself */
        dev_t dev;       /* its identity, checked after entering */
        ino_t ino;
        bool via_target; /* it is the main target's: setns(pidfd) may enter it */
};

/* The mnt view's host side, opened before entering (mntview.c). */
#define MNTVIEW_HOST_MAX 8
struct mntview {
        struct {
                int fd;     /* a read-only clone of the host's tree */
                char *link; /* or the symlink the host has there */
        } host[MNTVIEW_HOST_MAX];
        int prog_fd; /* the program's file, when it lies outside those trees */
        char *prog;  /* the program's path inside the view */
        int pidns_fd; /* paired: a /proc of this pid namespace on the view's /proc; -1 */
};

/* A pid or net view's host file system, opened before entering (hostview.c). */
#define HOSTVIEW_MAX 128
struct hostview {
        int n;                   /* clones; 0: the view copies our mount namespace */
        int fd[HOSTVIEW_MAX];    /* fd[0] is "/" */
        char *path[HOSTVIEW_MAX];
        char *cwd;               /* the caller's working directory, found again inside */
        int self_mnt, self_root; /* to go back should assembling fail midway */
        bool want_sys;           /* a net view: the target's own /sys, if it is its sysfs */
        uint64_t host_sys_dev;   /* our /sys's superblock (statx dev), which the target's must not be */
};

/* The target's cgroup.procs, one per hierarchy, opened on the host (cgroup.c). */
#define CGJOIN_MAX 16
struct cgjoin {
        int n;
        int fd[CGJOIN_MAX];
        bool skipped_frozen; /* a paused target: its frozen cgroup is left out */
};

/* The target's LSM label, for the program's exec (lsm.c). */
enum lsm_kind { LSM_NONE, LSM_APPARMOR, LSM_SELINUX, _LSM_MAX };
struct lsm_label {
        enum lsm_kind kind; /* the active one of the two */
        char *label;        /* the target's, to take; NULL: none, or ours already */
};

/* The privileges of a process that becomes the container's (SPEC section 6). */
struct confine {
        bool on;
        uint64_t cap_prm, cap_eff, cap_bnd; /* the target's, from /proc/PID/status */
        /* The target can trace our processes in its pid namespace: the program's
         * is launched from the view's trampoline, not forked from nsattach. */
        bool launch;
        struct lsm_label lsm;
};

struct plan {
        struct target target; /* pid 0: no -t, every namespace from a file */
        char *target_name;    /* how the target resolved: "docker:webserver"; NULL for a PID */
        struct ns_slot ns[_NS_MAX];
        int proc_dirfd;  /* the host's /proc, to check what we entered */
        int root_fd;     /* -r */
        int wd_fd;       /* -w */
        const char *wdns; /* -W: resolved after entering */
        bool must_fork;
        bool pid_view; /* a /proc of the target's pid namespace (SPEC 5.1) */
        bool net_view; /* a /sys of its network namespace, its /etc files (SPEC 5.2) */
        char *etc[VIEW_ETC_MAX]; /* the container's, read before entering; NULL: absent */
        size_t etc_len[VIEW_ETC_MAX];
        dev_t etc_dev[VIEW_ETC_MAX]; /* the file read: one the view may bind instead of a copy */
        ino_t etc_ino[VIEW_ETC_MAX];
        bool mnt_view; /* the container's files, host programs (SPEC 5.3) */
        struct mntview mnt;
        struct hostview host; /* pid and net views */
        struct confine confine;
        struct cgjoin cgroups; /* with confine.on: the target's, for the program */
        int fail_code; /* exit status when plan_build() fails: 0 means 125 */
        char *wd_path; /* the mnt view's -w: the target's working directory, as a path */
        uid_t uid;
        gid_t gid;
        bool force_uid, force_gid;
        int pty_master, pty_slave; /* an interactive session's own terminal (SPEC 6) */
        unsigned pty_streams;      /* which of fds 0, 1, 2 it stands for (bits) */
        /* A container view's stream that is a host file: a pipe in its place,
         * relayed by the waiting parent (the program's end, ours; -1: none). */
        int relay_prog[3], relay_ours[3];
        uint64_t pid_source_bnd; /* --pid=SOURCE: its owner's bounding set (a file: all) */
        bool paired;             /* a container view in another's pid namespace: a /proc of it */
        uint64_t timeout_us; /* what the waiting parent watches for (SPEC 2, --timeout, --follow) */
        bool follow;
        gid_t *groups; /* with force_groups: the supplementary groups (the target's) */
        size_t ngroups;
        bool force_groups;
        char **envp;
};

int plan_build(const struct options *o, struct plan *p, char *err, size_t errlen);
void plan_done(struct plan *p);

/* ns.c */
int ns_open_file(const char *path, int want_flag, int *ret_fd, dev_t *ret_dev, ino_t *ret_ino);
int ns_enter(struct plan *p, enum ns_type *ret_failed);
size_t ns_order(const struct plan *p, enum ns_type out[_NS_MAX], bool *ret_atomic);
int ns_verify(const struct plan *p, bool children_only_too, enum ns_type *ret_failed);
int ns_enter_verified(struct plan *p, const char *target, char *err, size_t errlen);
bool caller_is_privileged(void);

/* privs.c */
int map_id(const char *map, uint32_t outside, uint32_t *ret_inside);
int creds_apply(const struct plan *p);
int confine_apply(const struct plan *p);
int seccomp_apply(bool container);

/* env.c */
int env_build(enum env_mode mode, char **caller_env, const char *target_environ, size_t target_len,
              const char *path_prefix, char ***ret);
bool env_is_socket_var(const char *entry);
void strv_free(char **v);

/* view.c */
int view_read_container_file(int rootfd, const char *path, char **ret, size_t *ret_len, struct stat *ret_st);
int view_setup(const struct plan *p, const char **ret_step);

/* hostview.c */
void hostview_init(struct hostview *hv);
int hostview_open(struct hostview *hv, const struct target *t, const char *const roots[_ROOT_MAX], bool pid_view,
                  bool net_view);
/* ret_sys: the target's sysfs mount to put on /sys (a net view), or -EBADF; ret_files[i]: a
 * clone of the target's file files[i] (-EBADF: none), taken before its files are covered */
int hostview_enter(const struct hostview *hv, const struct target *t, int *ret_sys, const char *const *files,
                   size_t nfiles, int *ret_files, const char **ret_step);
void hostview_done(struct hostview *hv);

/* cgroup.c */
void cgroup_init(struct cgjoin *cj);
int cgroup_open_target(struct cgjoin *cj, int proc_dirfd, int target_procfd, char *err, size_t errlen);
int cgroup_join(const struct cgjoin *cj);
void cgroup_done(struct cgjoin *cj);

/* lsm.c */
extern const char *const lsm_kind_name[_LSM_MAX];
enum lsm_kind lsm_from_list(const char *list);              /* securityfs's "lsm" list */
int lsm_label_of(enum lsm_kind kind, const char *text, char **ret); /* from attr/current; *ret NULL: none */
int lsm_target_label(int proc_dirfd, int target_procfd, struct lsm_label *ret, char *why, size_t len);
int lsm_exec_apply(int proc_dirfd, const struct lsm_label *l); /* in the process that will exec */
void lsm_done(struct lsm_label *l);

/* mntview.c */
extern const char *const mntview_host_trees[MNTVIEW_HOST_MAX]; /* under HOSTEXEC_TREE */
int mntview_open(struct mntview *mv, const char *prog, char *err, size_t errlen);
int mntview_setup(const struct mntview *mv, const char **ret_step);
/* The view's nsswitch.conf: the container's text with only libc's own
 * services (files, dns); NULL with errno 0: it needs no change. */
char *mntview_nss_filter(const char *text);
int view_proc_of(int pidns_fd); /* view.c: a proc of that pid namespace on /proc */
void mntview_done(struct mntview *mv);

/* spawn.c */
int spawn_and_wait(struct plan *p, char **argv, const char *target, int *ret_status);
int spawn_confined(struct plan *p, char **argv, const char *target, int *ret_status);
int pty_open(int *ret_master, int *ret_slave);
int exit_code_from_status(int status, int *ret_signal);
_Noreturn void exec_program(const struct plan *p, char **argv, int parent_pidfd);

/* output.c: --list and --inspect */
int output_list(const struct options *o, FILE *f, char *err, size_t errlen);
int output_inspect(const struct options *o, FILE *f, char *err, size_t errlen);
int output_explain(const struct options *o, const struct plan *p, FILE *f);
