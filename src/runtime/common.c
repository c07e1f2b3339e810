/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every resolver needs: the roots, the container list, bounded JSON reads. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "runtime.h"
#include "util.h"

const struct rt_root_info rt_root_table[_ROOT_MAX] = {
        [ROOT_DOCKER] = { "docker", "/var/lib/docker", "docker data-root" },
        [ROOT_DOCKER_EXEC] = { "docker-exec", "/run/docker", "docker exec-root" },
        [ROOT_PODMAN] = { "podman", "/var/lib/containers/storage", "containers/storage graph root" },
        [ROOT_PODMAN_RUN] = { "podman-run", "/run/containers/storage", "containers/storage run root" },
        [ROOT_RUNC] = { "runc", "/run/runc", "runc state root" },
        [ROOT_CRUN] = { "crun", "/run/crun", "crun state root" },
        [ROOT_CONTAINERD] = { "containerd", "/run/containerd", "containerd state directory" },
        [ROOT_LXC] = { "lxc", "/var/lib/lxc", "LXC lxcpath" },
        [ROOT_MACHINES] = { "machines", "/run/systemd/machines", "systemd-machined machine files" },
        [ROOT_CGROUP] = { "cgroup", "/sys/fs/cgroup", "cgroup file systems" },
        [ROOT_HOME] = { "home", "/home", "users' homes (rootless docker and podman)" },
        [ROOT_USER_RUN] = { "user-run", "/run/user", "users' runtime directories" },
        [ROOT_CACHE] = { "cache", "/run/nsattach", "nsattach's caches: docker names, runtime state, view plans (root only)" },
};

const char *const rt_kind_name[_RT_MAX] = {
        [RT_DOCKER] = "docker", [RT_PODMAN] = "podman", [RT_CONTAINERD] = "containerd",
        [RT_CRIO] = "crio",     [RT_LXC] = "lxc",       [RT_MACHINE] = "machine",
};

const char *const rt_scheme_name[_SCHEME_MAX] = {
        [SCHEME_ANY] = "any",       [SCHEME_DOCKER] = "docker",   [SCHEME_PODMAN] = "podman",
        [SCHEME_CONTAINERD] = "containerd", [SCHEME_NERDCTL] = "nerdctl", [SCHEME_K8S] = "k8s",
        [SCHEME_CRIO] = "crio",     [SCHEME_LXC] = "lxc",         [SCHEME_MACHINE] = "machine",
};

const char *const ctr_state_name[3] = { "running", "paused", "stopped" };

int rt_scheme_from_name(const char *s, size_t len)
{
        for (int i = SCHEME_DOCKER; i < _SCHEME_MAX; i++)
                if (strlen(rt_scheme_name[i]) == len && strncmp(s, rt_scheme_name[i], len) == 0)
                        return i;
        return -EINVAL;
}

void rt_query_init(struct rt_query *q, const char *const overrides[_ROOT_MAX])
{
        q->text = NULL;
        q->scheme = SCHEME_ANY;
        for (int i = 0; i < _ROOT_MAX; i++) {
                const char *v = overrides ? overrides[i] : NULL;
                if (!v) {
                        char env[64];
                        snprintf(env, sizeof(env), "NSATTACH_%s_ROOT", rt_root_table[i].key);
                        for (char *p = env; *p; p++)
                                *p = (char)(*p == '-' ? '_' : toupper((unsigned char)*p));
                        v = getenv(env);
                }
                if (!v)
                        v = rt_root_table[i].def;
                q->roots[i] = *v ? v : NULL;
        }
}

struct ctr *ctr_list_add(struct ctr_list *l, enum rt_kind kind)
{
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                struct ctr *v = realloc(l->v, cap * sizeof(*v));
                if (!v)
                        return NULL;
                l->v = v;
                l->cap = cap;
        }
        struct ctr *c = &l->v[l->n++];
        *c = (struct ctr){ .kind = kind };
        return c;
}

void ctr_free(struct ctr *c)
{
        free(c->id);
        free(c->name);
        free(c->ns);
        free(c->k8s_ns);
        free(c->k8s_pod);
        free(c->k8s_ctr);
        free(c->image);
        for (int i = 0; i < CTR_CGROUP_MAX; i++)
                free(c->cgroup[i]);
        free(c->source);
        free(c->start_source);
        free(c->rootfs);
        *c = (struct ctr){ 0 };
}

void ctr_list_free(struct ctr_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                ctr_free(&l->v[i]);
        free(l->v);
        *l = (struct ctr_list){ 0 };
}

char *rt_path(const char *fmt, ...)
{
        va_list ap;
        char *s;

        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

bool rt_is_hex_id(const char *s, size_t len)
{
        if (len == 0)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
                        return false;
        return true;
}

/*
 * A state file, read whole and bounded: runtimes write them atomically (temp file
 * and rename), so a read never sees half a file, but a hostile or broken one may
 * be anything, so size is capped and the type checked.
 */
/*
 * Open a state file for reading only if it is a regular file: looked at through
 * O_PATH first, so a file replaced by a symlink to a device (/dev/watchdog, a
 * tty) or a FIFO is never opened for real.  A final symlink is not followed.
 */
int rt_open_regular(const char *path, struct stat *ret_st)
{
        _cleanup_close_ int pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        char proc[64];

        if (pfd < 0)
                return errno == ELOOP ? -EBADMSG : -errno;
        if (fstat(pfd, ret_st) < 0)
                return -errno;
        if (!S_ISREG(ret_st->st_mode))
                return -EBADMSG;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
        int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

static int read_bounded(const char *path, size_t max, char **ret, size_t *ret_len, struct stat *ret_st)
{
        struct stat st;
        _cleanup_close_ int fd = rt_open_regular(path, &st);

        if (fd < 0)
                return fd;
        /* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): rt_open_regular() set st */
        if ((uint64_t)st.st_size > max)
                return -EFBIG;
        size_t cap = (size_t)st.st_size + 1, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len == cap) /* it grew after fstat */
                        return -EFBIG;
                if (len == (size_t)st.st_size)
                        break; /* all fstat() said it had: a read more only tells EOF */
        }
        buf[len] = '\0';
        *ret = buf;
        buf = NULL;
        *ret_len = len;
        if (ret_st)
                *ret_st = st;
        return 0;
}

int rt_read_json(const char *path, size_t max, json_t **ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t len;
        json_error_t e;
        int r = read_bounded(path, max, &buf, &len, NULL);

        if (r < 0)
                return r;
        /* No duplicate keys: two "Pid"s would let a writer show one value to us
         * and another to the runtime. */
        json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
        if (!j)
                return -EBADMSG;
        *ret = j;
        return 0;
}

/* As rt_read_doc(), and what the file read was (ret_st). */
static int read_doc_st(const char *path, size_t max, char **ret_buf, struct jscan_field *f, size_t n,
                       struct stat *ret_st)
{
        char *buf;
        size_t len;
        int r = read_bounded(path, max, &buf, &len, ret_st);

        if (r < 0)
                return r;
        /* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): read_bounded() sets buf when it succeeds */
        r = jscan_extract(buf, len, f, n);
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret_buf = buf; /* what the fields' spans point into */
        return 0;
}

int rt_read_doc(const char *path, size_t max, char **ret_buf, struct jscan_field *f, size_t n)
{
        return read_doc_st(path, max, ret_buf, f, n, NULL);
}

const char *rt_json_str(json_t *obj, const char *key)
{
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

        return json_is_string(v) ? json_string_value(v) : NULL;
}

/* nsattach's cache: ours alone, or not used, for anyone who could write it could
 * steer what is read (docker.c) or mounted (hostview.c). */
int rt_cache_dir(const char *dir)
{
        static char checked[256]; /* once per process: a lookup asks two or three times */
        struct stat st;

        if (!dir || geteuid() != 0)
                return -EPERM;
        if (!strcmp(dir, checked))
                return 0;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
                return -EPERM;
        if (strlen(dir) < sizeof(checked))
                memcpy(checked, dir, strlen(dir) + 1);
        return 0;
}

int rt_cache_write(const char *path, const char *text)
{
        _cleanup_free_ char *tmp = rt_path("%s.%d", path, (int)getpid());
        if (!tmp)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, text, strlen(text));
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                unlink(tmp);
        return r;
}

uint64_t rt_fnv(uint64_t h, const void *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ULL;
        return h;
}

int rt_read_text(const char *path, size_t max, char **ret)
{
        size_t len;
        char *buf;
        int r = read_bounded(path, max, &buf, &len, NULL);

        if (r < 0)
                return r;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
                buf[--len] = '\0';
        *ret = buf;
        return 0;
}

int rt_json_dup(char **dst, json_t *obj, const char *key)
{
        const char *v = rt_json_str(obj, key);

        if (!v || !*v)
                return 0;
        *dst = strdup(v);
        return *dst ? 0 : -ENOMEM;
}

/* A CRI container's pod namespace, pod and container name: all three or none
 * (a half-labelled container is no pod's); the image where recorded. */
int ctr_set_k8s(struct ctr *c, json_t *ann, const char *const keys[4])
{
        int r = rt_json_dup(&c->k8s_ns, ann, keys[0]);

        if (r == 0)
                r = rt_json_dup(&c->k8s_pod, ann, keys[1]);
        if (r == 0)
                r = rt_json_dup(&c->k8s_ctr, ann, keys[2]);
        if (r == 0)
                r = rt_json_dup(&c->image, ann, keys[3]);
        if (!c->k8s_ns || !c->k8s_pod || !c->k8s_ctr) {
                free(c->k8s_ns), free(c->k8s_pod), free(c->k8s_ctr);
                c->k8s_ns = c->k8s_pod = c->k8s_ctr = NULL;
        }
        return r;
}

int rt_read_small(const char *path, char **ret)
{
        return rt_read_text(path, 4096, ret);
}

/*
 * What a runtime state file said, kept (runc_cached/runc_keep): runc's
 * state.json is ~30 KB, of which a lookup needs two numbers and a path, and
 * its scan was a third of a lookup by name at 200 containers.  A kept answer
 * holds while the file is the same one: its device, inode, size, mtime and
 * ctime (runc and crun write by rename, a new inode each time; no writer can
 * set a ctime).  Only an answer from a file last changed seconds ago is kept:
 * a file rewritten in place within one clock tick of our read would keep its
 * stamp, one changed later cannot.  Kept in the cache directory, root's alone, in one of
 * RUNC_SLOTS files chosen by the path's hash, so it never grows with the
 * containers a host has seen; a slot holding another path is a miss.
 */
#define RUNC_MAGIC "nsattach runc state 1"
#define RUNC_SLOTS 512

struct runc_answer {
        uint64_t pid, start;
        char *rootfs; /* may be NULL */
};

static char *runc_slot(const char *cache, const char *path)
{
        unsigned slot = (unsigned)(rt_fnv(RT_FNV_INIT, path, strlen(path)) % RUNC_SLOTS);
        return rt_path("%s/runc-%03x", cache, slot);
}

static void runc_stamp(char *buf, size_t len, const struct stat *st)
{
        snprintf(buf, len, "%llx %llx %llx %lld.%09ld %lld.%09ld", (unsigned long long)st->st_dev,
                 (unsigned long long)st->st_ino, (unsigned long long)st->st_size, (long long)st->st_mtim.tv_sec,
                 st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* Line i (from 0) of text, as a span; false where there are fewer. */
static bool nth_line(const char *text, int i, const char **ret, size_t *ret_len)
{
        for (; i > 0; i--) {
                text = strchr(text, '\n');
                if (!text)
                        return false;
                text++;
        }
        const char *e = strchr(text, '\n');
        if (!e)
                return false;
        *ret = text;
        *ret_len = (size_t)(e - text);
        return true;
}

static bool line_is(const char *text, int i, const char *want)
{
        const char *l;
        size_t n;
        return nth_line(text, i, &l, &n) && n == strlen(want) && memcmp(l, want, n) == 0;
}

static bool runc_cached(const char *cache, const char *path, struct runc_answer *ret)
{
        _cleanup_free_ char *slot = NULL;
        char stamp[160], text[8192], nums[48];
        struct stat st, cst;
        const char *l;
        size_t n;

        if (!cache || lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || rt_cache_dir(cache) < 0 ||
            !(slot = runc_slot(cache, path)))
                return false;
        _cleanup_close_ int fd = open(slot, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &cst) < 0 || !S_ISREG(cst.st_mode) || cst.st_uid != 0)
                return false;
        ssize_t k = read(fd, text, sizeof(text) - 1);
        if (k <= 0 || (size_t)k == sizeof(text) - 1)
                return false;
        text[k] = '\0';
        runc_stamp(stamp, sizeof(stamp), &st);
        if (!line_is(text, 0, RUNC_MAGIC) || !line_is(text, 1, path) || !line_is(text, 2, stamp) ||
            !nth_line(text, 3, &l, &n) || n >= sizeof(nums))
                return false;
        memcpy(nums, l, n);
        nums[n] = '\0';
        char *sp = strchr(nums, ' ');
        if (!sp)
                return false;
        *sp = '\0';
        if (parse_uint(nums, INT32_MAX, &ret->pid) < 0 || ret->pid == 0 ||
            parse_uint(sp + 1, UINT64_MAX, &ret->start) < 0 || !nth_line(text, 4, &l, &n))
                return false;
        ret->rootfs = n ? strndup(l, n) : NULL;
        return !n || ret->rootfs;
}

static void runc_keep(const char *cache, const char *path, const struct stat *st, const struct runc_answer *a)
{
        _cleanup_free_ char *slot = NULL, *text = NULL;
        char stamp[160];

        /* a path or rootfs with a newline would not read back as itself */
        if (!cache || strchr(path, '\n') || (a->rootfs && strchr(a->rootfs, '\n')) || rt_cache_dir(cache) < 0 ||
            !(slot = runc_slot(cache, path)))
                return;
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) < 0 || st->st_ctim.tv_sec + 2 > now.tv_sec)
                return;
        runc_stamp(stamp, sizeof(stamp), st);
        text = rt_path("%s\n%s\n%s\n%llu %llu\n%s\n", RUNC_MAGIC, path, stamp, (unsigned long long)a->pid,
                       (unsigned long long)a->start, a->rootfs ? a->rootfs : "");
        if (text && strlen(text) < 8000)
                (void)rt_cache_write(slot, text);
}

/* The state file's own answer: -ENOENT no such file, -EBADMSG not a state file. */
static int runc_parse(const char *path, struct runc_answer *ret, struct stat *ret_st)
{
        static const char *const runc_pid[] = { "init_process_pid", NULL };
        static const char *const runc_start[] = { "init_process_start", NULL };
        static const char *const crun_pid[] = { "pid", NULL };
        static const char *const crun_start[] = { "process-start-time", NULL };
        static const char *const runc_rootfs[] = { "config", "rootfs", NULL };
        static const char *const crun_rootfs[] = { "rootfs", NULL };
        enum { RUNC_PID, RUNC_START, RUNC_ROOTFS, CRUN_PID, CRUN_START, CRUN_ROOTFS };
        struct jscan_field f[] = {
                [RUNC_PID] = { runc_pid, {} },   [RUNC_START] = { runc_start, {} },
                [RUNC_ROOTFS] = { runc_rootfs, {} }, [CRUN_PID] = { crun_pid, {} },
                [CRUN_START] = { crun_start, {} }, [CRUN_ROOTFS] = { crun_rootfs, {} },
        };
        _cleanup_free_ char *buf = NULL;
        int r = read_doc_st(path, 4 << 20, &buf, f, ELEMENTSOF(f), ret_st);

        if (r < 0)
                return r;
        /* runc's names when it has them, crun's otherwise: never a mix */
        bool runc = f[RUNC_PID].v.p != NULL;
        int o = runc ? 0 : CRUN_PID;
        if (jscan_uint(f[o + RUNC_PID].v, INT32_MAX, &ret->pid) < 0 || ret->pid == 0 ||
            jscan_uint(f[o + RUNC_START].v, UINT64_MAX, &ret->start) < 0)
                return -EBADMSG;
        ret->rootfs = jscan_strdup(f[o + RUNC_ROOTFS].v);
        return 0;
}

/*
 * runc's state.json ("init_process_pid", "init_process_start") or crun's status
 * ("pid", "process-start-time"): the start time is /proc/PID/stat field 22 of
 * the init the runtime started, which no later process with that PID can have.
 * The file is removed when the container stops (RUNTIMES.md 2.4), so its absence
 * means stopped.  -ENOENT: no such file; -EBADMSG: not a state file.  cache
 * (NULL: none) keeps the answer for the next lookup.
 */
int rt_runc_state(struct ctr *c, const char *path, const char *cache)
{
        struct runc_answer a = { 0 };
        struct stat st;

        if (!runc_cached(cache, path, &a)) {
                int r = runc_parse(path, &a, &st);
                if (r < 0)
                        return r;
                runc_keep(cache, path, &st, &a);
        }
        char *s = strdup(path);
        if (!s) {
                free(a.rootfs);
                return -ENOMEM;
        }
        /* The runtime's state file outranks a pid file written beside it. */
        free(c->rootfs);
        c->rootfs = a.rootfs;
        c->pid = (pid_t)a.pid;
        c->start = a.start;
        free(c->start_source);
        c->start_source = s;
        return 0;
}

/*
 * <home>/<user>/<rel>, only if the user's: every component a real directory
 * (no symlink) owned by the owner of <home>/<user>.  A symlink to the system's
 * data-root would otherwise make root's containers appear twice, once as the
 * user's.
 */
int rt_user_tree(const char *home, const char *user, const char *rel, uid_t *ret_uid, char **ret_path)
{
        struct stat st;
        _cleanup_free_ char *path = rt_path("%s/%s", home, user);

        if (!path)
                return -ENOMEM;
        if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return -ENOENT;
        uid_t uid = st.st_uid;
        for (const char *p = rel; *p;) {
                size_t n = strcspn(p, "/");
                char *next = rt_path("%s/%.*s", path, (int)n, p);
                if (!next)
                        return -ENOMEM;
                free(path);
                path = next;
                if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid)
                        return -ENOENT;
                p += n;
                p += *p == '/';
        }
        *ret_uid = uid;
        *ret_path = TAKE_PTR(path);
        return 0;
}

/*
 * Rootless state: call fn for each user whose <home>/<user>/<rel> is the user's
 * own (rt_user_tree), with that tree and the user's runtime directory
 * <user-run>/<uid> (NULL when that root is off); what fn finds is marked as that
 * user's.  Only -ENOMEM stops the walk: one user's unreadable state is skipped.
 */
int rt_each_user(const struct rt_query *q, const char *rel, rt_user_fn fn, struct ctr_list *out)
{
        const char *home = q->roots[ROOT_HOME], *run = q->roots[ROOT_USER_RUN];
        DIR *d = home ? opendir(home) : NULL;
        int r = 0;

        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                _cleanup_free_ char *tree = NULL, *xdg = NULL;
                uid_t uid;
                if (de->d_name[0] == '.')
                        continue;
                r = rt_user_tree(home, de->d_name, rel, &uid, &tree);
                if (r == -ENOMEM)
                        break;
                r = 0;
                if (!tree)
                        continue;
                if (run && !(xdg = rt_path("%s/%u", run, (unsigned)uid))) {
                        r = -ENOMEM;
                        break;
                }
                size_t before = out->n;
                r = fn(q, tree, xdg, out);
                for (size_t i = before; i < out->n; i++)
                        out->v[i].rootless = true, out->v[i].owner = uid;
                if (r == -ENOMEM)
                        break;
                r = 0;
        }
        closedir(d);
        return r;
}
