/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container runtimes: turning a name or id into a process, from each runtime's
 * on-disk state (never its daemon), and proving the process is the one the
 * runtime started.  One file per runtime under src/runtime/.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The directories resolution reads.  Each can be moved by --runtime-root
 * KEY=DIR or NSATTACH_<KEY>_ROOT (KEY upper-cased, '-' as '_'); an empty DIR
 * turns that root off.
 */
enum rt_root {
        ROOT_DOCKER,      /* docker data-root: containers/<id>/config.v2.json */
        ROOT_DOCKER_EXEC, /* docker exec-root: runtime-runc/moby/<id>/state.json, containerd/ */
        ROOT_PODMAN,      /* containers/storage graphroot: <driver>-containers/containers.json */
        ROOT_PODMAN_RUN,  /* containers/storage runroot: <driver>-containers/<id>/userdata/ */
        ROOT_RUNC,        /* runc's default --root */
        ROOT_CRUN,        /* crun's default --root */
        ROOT_CONTAINERD,  /* containerd --state */
        ROOT_LXC,         /* lxc.lxcpath */
        ROOT_MACHINES,    /* systemd-machined's machine files */
        ROOT_CGROUP,      /* the cgroup file systems */
        ROOT_HOME,        /* users' homes, for rootless docker and podman data */
        ROOT_USER_RUN,    /* users' XDG_RUNTIME_DIRs (/run/user/UID) */
        ROOT_CACHE,       /* nsattach's own: docker's names by id (a hint, always verified), view plans */
        _ROOT_MAX,
};

struct rt_root_info {
        const char *key;  /* for --runtime-root */
        const char *def;
        const char *what; /* for --help and errors */
};
extern const struct rt_root_info rt_root_table[_ROOT_MAX];

enum rt_kind {
        RT_DOCKER,
        RT_PODMAN,
        RT_CONTAINERD,
        RT_CRIO,
        RT_LXC,
        RT_MACHINE,
        _RT_MAX,
};
extern const char *const rt_kind_name[_RT_MAX];

/* What --runtime and a "RUNTIME:" prefix may name: the runtimes plus two naming schemes. */
enum rt_scheme {
        SCHEME_ANY,
        SCHEME_DOCKER,
        SCHEME_PODMAN,
        SCHEME_CONTAINERD,
        SCHEME_NERDCTL, /* containerd containers by their nerdctl/name */
        SCHEME_K8S,     /* CRI containers (containerd or CRI-O) by namespace/pod/container */
        SCHEME_CRIO,
        SCHEME_LXC,
        SCHEME_MACHINE,
        _SCHEME_MAX,
};
extern const char *const rt_scheme_name[_SCHEME_MAX];
int rt_scheme_from_name(const char *s, size_t len); /* enum rt_scheme, or -EINVAL */

enum ctr_state {
        CTR_RUNNING,
        CTR_PAUSED,
        CTR_STOPPED, /* the runtime says so, or its pid no longer is its process */
};
extern const char *const ctr_state_name[3];

#define CTR_CGROUP_MAX 3

/* One container as its runtime recorded it.  Strings are owned. */
struct ctr {
        enum rt_kind kind;
        char *id;     /* the runtime's full id (LXC and machines: the name) */
        char *name;   /* docker/podman/CRI-O/LXC/machine name; containerd: nerdctl/name */
        char *ns;     /* containerd namespace */
        char *k8s_ns; /* CRI: pod namespace, pod and container name; NULL if not a CRI container */
        char *k8s_pod;
        char *k8s_ctr;
        char *image;
        enum ctr_state state;
        pid_t pid;           /* 0: not running or unknown */
        uint64_t start;      /* the runtime's record of /proc/PID/stat field 22; 0: none */
        bool rootless;       /* found in a user's own files: only that user's processes qualify */
        bool dead;           /* resolution found its recorded process gone or another */
        uid_t owner;         /* that user */
        char *cgroup[CTR_CGROUP_MAX]; /* cgroup path pieces that name it ("libpod-<id>") */
        char *source;        /* the state file it was found in */
        char *start_source;  /* the runc/crun state file the start time came from */
        char *rootfs;        /* its root file system on the host, from that state file */
};

struct ctr_list {
        struct ctr *v;
        size_t n, cap;
};

/* What one resolver is asked; NULL query: list everything. */
struct rt_query {
        const char *text;          /* without the RUNTIME: prefix */
        enum rt_scheme scheme;
        const char *roots[_ROOT_MAX]; /* NULL: that root is off */
};

struct ctr *ctr_list_add(struct ctr_list *l, enum rt_kind kind);
void ctr_list_free(struct ctr_list *l);
void ctr_free(struct ctr *c);

/*
 * The resolvers.  Each appends every container of its runtime that could match
 * q->text (a superset: matching and precedence are done by the caller), or every
 * container when q->text is NULL.  Missing roots are not errors; -errno only for
 * what should have been readable (EACCES) or out of memory.
 */
int rt_docker_scan(const struct rt_query *q, struct ctr_list *out);
int rt_podman_scan(const struct rt_query *q, struct ctr_list *out); /* podman and CRI-O */
int rt_containerd_scan(const struct rt_query *q, struct ctr_list *out);
int rt_lxc_scan(const struct rt_query *q, struct ctr_list *out);
int rt_machine_scan(const struct rt_query *q, struct ctr_list *out);

/* Shared by the resolvers (runtime/common.c). */
struct json_t;
int rt_read_json(const char *path, size_t max, struct json_t **ret);
const char *rt_json_str(struct json_t *obj, const char *key);
int rt_json_dup(char **dst, struct json_t *obj, const char *key); /* a non-empty string member, copied */
int ctr_set_k8s(struct ctr *c, struct json_t *ann, const char *const keys[4]); /* ns, pod, ctr, image */
int rt_read_small(const char *path, char **ret); /* a small text file, trailing newline cut */
int rt_read_text(const char *path, size_t max, char **ret);
int rt_cache_dir(const char *dir); /* 0: root's own, to read and write; created if missing */
int rt_cache_write(const char *path, const char *text); /* whole, or not at all: a temp file, then rename */
#define RT_FNV_INIT 0xcbf29ce484222325ULL
uint64_t rt_fnv(uint64_t h, const void *p, size_t n); /* FNV-1a, for cache file names and keys */
struct stat;
int rt_open_regular(const char *path, struct stat *ret_st); /* fd, or -EBADMSG if not a regular file */
char *rt_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* start time from runc state.json / crun status; cache: where the answer is kept (NULL: not kept) */
int rt_runc_state(struct ctr *c, const char *path, const char *cache);
bool rt_is_hex_id(const char *s, size_t len);
int rt_user_tree(const char *home, const char *user, const char *rel, uid_t *ret_uid, char **ret_path);
typedef int (*rt_user_fn)(const struct rt_query *q, const char *tree, const char *xdg_runtime_dir,
                          struct ctr_list *out);
int rt_each_user(const struct rt_query *q, const char *rel, rt_user_fn fn, struct ctr_list *out);

/* runtime/jscan.c: a validating JSON scanner for large state files (no tree, no allocation). */
struct jspan {
        const char *p;
        size_t len;
};
#define JSCAN_FIELDS_MAX 32
#define JSCAN_PATH_MAX 16
/* A value wanted from a document: path is a NULL-terminated list of object keys. */
struct jscan_field {
        const char *const *path;
        struct jspan v; /* set by jscan_extract; .p NULL when absent */
};
int jscan_validate(const char *json, size_t len);
int jscan_extract(const char *json, size_t len, struct jscan_field *f, size_t n);
int jscan_string(struct jspan v, char *buf, size_t len);
char *jscan_strdup(struct jspan v);
int jscan_uint(struct jspan v, uint64_t max, uint64_t *ret);
bool jscan_is(struct jspan v, const char *literal);
/* Read and validate a JSON state file; *ret_buf holds what doc spans. */
int rt_read_doc(const char *path, size_t max, char **ret_buf, struct jscan_field *f, size_t n);

/* Resolution (target.c) */
struct resolve_result {
        struct ctr ctr;   /* the one match */
        bool is_pid;      /* a plain PID target: ctr is empty */
        pid_t pid;
};
void rt_query_init(struct rt_query *q, const char *const overrides[_ROOT_MAX]);
bool scheme_scans(enum rt_scheme s, enum rt_kind k); /* may scheme s name a container of kind k? */
int rt_scan_all(const struct rt_query *q, struct ctr_list *out, unsigned *ret_denied);
int target_resolve(const char *target, enum rt_scheme restrict_to,
                   const char *const overrides[_ROOT_MAX], int proc_dirfd, struct resolve_result *ret,
                   char *err, size_t errlen);
/* Is the recorded process still the container's?  0, or -ESRCH with why in err. */
int ctr_verify(const struct ctr *c, int procfd, uint64_t starttime, char *why, size_t len);
char *ctr_display(const struct ctr *c); /* "docker:webserver" */
struct target;
int target_acquire(const char *target, int runtime, const char *const roots[_ROOT_MAX],
                   int proc_dirfd, struct target *ret, struct resolve_result *ret_res, char *err,
                   size_t errlen);
