/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's file system for a pid or net view, without the runtimes' own
 * mounts.
 *
 * A view is a mount namespace of the program's own (SPEC 5), and
 * unshare(CLONE_NEWNS) makes one by copying every mount the caller has; the
 * kernel frees the copy again when the program exits.  Container runtimes
 * mount per container (docker an overlay and a network namespace file,
 * kubelet a few volumes per pod), so on a busy host that copy is what an
 * attach costs: 1.2-2 ms at 200 docker containers, growing with each one.  A
 * host tool has no use for those mounts, so where there are many the view is
 * assembled instead.  Before entering: a clone of each host mount outside the
 * runtimes' directories, a whole subtree per clone where nothing below is
 * left out.  In the child: a private copy of the target's own (small) mount
 * namespace, our clone of "/" mounted on top of it and made our root, every
 * other clone moved to its place, the caller's working directory again.
 *
 * Deciding what to clone needs every mount's place (statmount(), 1-3 us
 * each: as dear as the copy).  So the answer is kept in nsattach's cache
 * directory, keyed by the table's size and its newest mount id (an ioctl and
 * a listmount() of one id, whatever the size): ids are never reused, so the
 * key changes whenever a mount comes or goes; a mount that moves keeps its
 * id, so each clone's place is checked against it.  Where
 * anything is missing, unexpected or not worth it, the view copies the
 * caller's namespace as before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "missing.h"
#include "nsattach.h"
#include "util.h"

/* Fewer mounts left out than this: copying is as cheap (bench/mounts.sh). */
#define HOSTVIEW_MIN_LEFT_OUT 48
/* The version is in the file's name too, and so are the directories left
 * out: two versions of nsattach on one host, or callers with other runtime
 * roots, would otherwise rewrite each other's plan on every attach. */
#define CACHE_MAGIC "nsattach host view 4"
#define CACHE_FILE "hostview4"
/* Plans kept at most: one per root mount and set of directories left out;
 * a root mount that is gone (its id is never used again) leaves its plan
 * behind, so the oldest go when there are more. */
#define CACHE_KEEP 16
/* A mount with this many children is mounted afresh rather than cloned (F). */
#define HOSTVIEW_FRESH_MIN 16
/* Block file systems that give back the superblock already mounted from a
 * device, whatever the options, and never mount a second one. */
static const char *const fresh_fs[] = { "ext4", "ext3", "ext2", "xfs" };

/* Directories the runtimes mount in per container, besides their roots. */
static const char *const fixed_left_out[] = { "/var/lib/containerd", "/var/lib/kubelet/pods", "/run/netns" };
static const enum rt_root root_left_out[] = { ROOT_DOCKER, ROOT_DOCKER_EXEC, ROOT_PODMAN, ROOT_PODMAN_RUN,
                                              ROOT_CONTAINERD };

/* The kernel's argument structs: it reads the members this file only sets. */
struct mnt_req {
        /* cppcheck-suppress unusedStructMember ; read by statmount(2) and listmount(2) */
        uint32_t size, spare;
        /* cppcheck-suppress unusedStructMember ; read by statmount(2) and listmount(2) */
        uint64_t mnt_id, param, mnt_ns_id;
};
#define MNT_REQ_SIZE0 24
#define MNT_REQ_SIZE1 32
#define LSMT_ROOT_ID UINT64_MAX
#define STATMOUNT_SB_BASIC 0x1U
#define STATMOUNT_BASIC 0x2U
#define STATMOUNT_ROOT 0x8U
#define STATMOUNT_POINT 0x10U
#define STATMOUNT_FS_TYPE 0x20U
#define STATMOUNT_SB_SOURCE 0x200U
/* struct statmount: the fixed part is 512 bytes, strings follow */
#define SM_MASK 8
#define SM_DEV_MAJOR 16
#define SM_DEV_MINOR 20
#define SM_SB_FLAGS 32
#define SM_FS_TYPE 36
#define SM_PARENT 48
#define SM_ATTR 64
#define SM_ROOT 104
#define SM_POINT 108
#define SM_SOURCE 124
#define SM_STR 512
#define SM_BUF (SM_STR + PATH_MAX + 64)
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif
#define LISTMOUNT_REVERSE_ 1U
struct mnt_ns_info_ {
        /* cppcheck-suppress unusedStructMember ; read by the NS_MNT_GET_INFO ioctl */
        uint32_t size, nr_mounts;
        uint64_t mnt_ns_id;
};
#define NS_MNT_GET_INFO_ _IOR(0xb7, 10, struct mnt_ns_info_)

static long sys_listmount(uint64_t parent, uint64_t ns_id, uint64_t last, uint64_t *ids, size_t n,
                          unsigned flags)
{
        struct mnt_req req = { .size = ns_id ? MNT_REQ_SIZE1 : MNT_REQ_SIZE0, .mnt_id = parent,
                               .param = last, .mnt_ns_id = ns_id };
        return syscall(__NR_listmount, &req, ids, n, flags);
}

/* Every mount id of a namespace (0: ours), in ascending order. */
static long list_mounts(uint64_t ns_id, uint64_t **ret)
{
        size_t cap = 512, n = 0;
        uint64_t *v = malloc(cap * sizeof(*v));

        if (!v)
                return -ENOMEM;
        for (;;) {
                long k = sys_listmount(LSMT_ROOT_ID, ns_id, n ? v[n - 1] : 0, v + n, cap - n, 0);
                if (k < 0) {
                        int r = -errno;
                        free(v);
                        return r;
                }
                n += (size_t)k;
                if (n < cap)
                        break;
                if (cap >= (1U << 20)) {
                        free(v);
                        return -E2BIG;
                }
                uint64_t *w = realloc(v, cap * 2 * sizeof(*v));
                if (!w) {
                        free(v);
                        return -ENOMEM;
                }
                v = w;
                cap *= 2;
        }
        *ret = v;
        return (long)n;
}

static bool under(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        if (n == 1 && dir[0] == '/')
                return path[0] == '/' && path[1] != '\0';
        return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

struct node {
        uint64_t id, parent;
        char *path;
        int first, next; /* children, in ascending id order */
        unsigned nchild;
        bool left_out, dirty, fresh_ok;
};

struct tree {
        struct node *v;
        size_t n;
        FILE *plan;
        size_t entries;
};

static int find(const struct tree *t, uint64_t id)
{
        size_t lo = 0, hi = t->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (t->v[mid].id == id)
                        return (int)mid;
                if (t->v[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

static bool mark_dirty(struct tree *t, int i, int depth)
{
        if (depth > 64)
                return true;
        bool d = t->v[i].left_out;
        for (int c = t->v[i].first; c >= 0; c = t->v[c].next)
                d = mark_dirty(t, c, depth + 1) || d;
        t->v[i].dirty = d;
        return d;
}

/* Covered by a sibling mounted later on the same place or above it. */
static bool hidden(const struct tree *t, int parent, int c)
{
        for (int s = t->v[parent].first; s >= 0; s = t->v[s].next)
                if (s != c && !t->v[s].left_out && t->v[s].id > t->v[c].id &&
                    (!strcmp(t->v[s].path, t->v[c].path) || under(t->v[c].path, t->v[s].path)))
                        return true;
        return false;
}

/* One line per clone, parents first: "R ID PATH" the subtree of mount ID at
 * PATH, "N ID PATH" the mount alone, "F ID PATH" the mount alone, mounted
 * afresh if it can be (fresh_clone()). */
static int emit(struct tree *t, int i, int depth)
{
        const struct node *n = &t->v[i];

        if (depth > 64 || strchr(n->path, '\n') || ++t->entries > HOSTVIEW_MAX)
                return -E2BIG;
        for (int c = n->first; c >= 0; c = t->v[c].next)
                if (!strcmp(t->v[c].path, n->path)) { /* something mounted on top of it */
                        t->entries--;
                        return depth == 0 ? -EOPNOTSUPP : emit(t, c, depth + 1);
                }
        int kind = !n->dirty ? 'R' : n->fresh_ok && n->nchild >= HOSTVIEW_FRESH_MIN ? 'F' : 'N';
        fprintf(t->plan, "%c %llu %s\n", kind, (unsigned long long)n->id, n->path);
        if (!n->dirty)
                return 0;
        for (int c = n->first; c >= 0; c = t->v[c].next) {
                if (t->v[c].left_out || hidden(t, i, c))
                        continue;
                int r = emit(t, c, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * What to clone: the plan as text, "copy" when the copy is as good.  Mounts
 * that vanish while they are looked at make the next listing differ, so the
 * plan is recomputed then.
 */
static int compute_plan(const uint64_t *ids, size_t n, uint64_t root_id, const char *const *out, size_t nout,
                        char **ret)
{
        _cleanup_free_ char *buf = malloc(SM_BUF);
        struct tree t = { .v = calloc(n ? n : 1, sizeof(struct node)) };
        size_t left_out = 0, len = 0;
        char *text = NULL;
        int r = 0;

        if (!buf || !t.v) {
                free(t.v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): list_mounts() sets ids when n > 0 */
                struct mnt_req req = { .size = MNT_REQ_SIZE0, .mnt_id = ids[i],
                                       .param = STATMOUNT_BASIC | STATMOUNT_POINT | STATMOUNT_FS_TYPE };
                struct node *nd = &t.v[t.n];
                if (syscall(__NR_statmount, &req, buf, SM_BUF, 0) < 0) {
                        if (errno == ENOENT)
                                continue; /* gone since listed */
                        r = -errno;
                        goto out;
                }
                uint64_t mask;
                uint32_t off;
                memcpy(&mask, buf + SM_MASK, sizeof(mask));
                if (!(mask & STATMOUNT_POINT))
                        continue; /* not below our root: no place of ours */
                memcpy(&nd->parent, buf + SM_PARENT, sizeof(nd->parent));
                memcpy(&off, buf + SM_POINT, sizeof(off));
                if (off >= SM_BUF - SM_STR || !(nd->path = strndup(buf + SM_STR + off, SM_BUF - SM_STR - off))) {
                        r = -ENOMEM;
                        goto out;
                }
                nd->id = ids[i];
                nd->first = nd->next = -1;
                if (mask & STATMOUNT_FS_TYPE) {
                        memcpy(&off, buf + SM_FS_TYPE, sizeof(off));
                        for (size_t k = 0; k < ELEMENTSOF(fresh_fs) && off < SM_BUF - SM_STR; k++)
                                nd->fresh_ok |= strncmp(buf + SM_STR + off, fresh_fs[k], SM_BUF - SM_STR - off) == 0;
                }
                for (size_t k = 0; k < nout && !nd->left_out; k++)
                        nd->left_out = under(nd->path, out[k]);
                left_out += nd->left_out;
                t.n++;
        }
        /* children lists, ascending by id: prepend while walking down */
        int root = -1;
        for (size_t i = t.n; i-- > 0;) {
                if (t.v[i].id == root_id) {
                        root = (int)i;
                        continue;
                }
                int p = find(&t, t.v[i].parent);
                if (p >= 0 && p != (int)i) {
                        t.v[i].next = t.v[p].first;
                        t.v[p].first = (int)i;
                        t.v[p].nchild++;
                }
        }
        if (!(t.plan = open_memstream(&text, &len))) {
                r = -ENOMEM;
                goto out;
        }
        if (root < 0 || strcmp(t.v[root].path, "/") != 0 || left_out < HOSTVIEW_MIN_LEFT_OUT ||
            !mark_dirty(&t, root, 0) || emit(&t, root, 0) < 0) {
                fclose(t.plan);
                free(text);
                text = strdup("copy\n");
                if (!text)
                        r = -ENOMEM;
        } else if (fclose(t.plan) != 0) {
                free(text);
                text = NULL;
                r = -ENOMEM;
        }
        *ret = text;
out:
        for (size_t i = 0; i < t.n; i++)
                free(t.v[i].path);
        free(t.v);
        return r;
}

struct cached_plan {
        char name[NAME_MAX + 1];
        struct timespec mtime;
};

static int older_first(const void *a, const void *b)
{
        const struct timespec *x = &((const struct cached_plan *)a)->mtime, *y = &((const struct cached_plan *)b)->mtime;
        if (x->tv_sec != y->tv_sec)
                return x->tv_sec < y->tv_sec ? -1 : 1;
        return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/*
 * After a plan is written (a miss, so not on the fast path): the plans of
 * other versions of nsattach go, a temporary file a killed nsattach left goes
 * after a minute, and of this version's plans the newest CACHE_KEEP stay.
 */
static void sweep_plans(const char *cache)
{
        _cleanup_free_ struct cached_plan *v = NULL;
        size_t n = 0, cap = 0;
        DIR *d = opendir(cache);
        struct timespec now;
        struct dirent *de;

        if (!d)
                return;
        clock_gettime(CLOCK_REALTIME, &now);
        while ((de = readdir(d))) {
                const char *name = de->d_name;
                struct stat st;
                if (strncmp(name, "hostview", 8) != 0 || fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISREG(st.st_mode))
                        continue;
                bool ours = !strncmp(name, CACHE_FILE "-", sizeof(CACHE_FILE));
                const char *dot = strchr(name, '.');
                if (!ours || (dot && st.st_mtim.tv_sec < now.tv_sec - 60)) {
                        unlinkat(dirfd(d), name, 0);
                        continue;
                }
                size_t len = strlen(name);
                if (dot || len >= sizeof(v->name))
                        continue;
                if (n == cap) {
                        struct cached_plan *w = reallocarray(v, cap = cap ? 2 * cap : 32, sizeof(*v));
                        if (!w)
                                break;
                        v = w;
                }
                memcpy(v[n].name, name, len + 1);
                v[n++].mtime = st.st_mtim;
        }
        if (n > CACHE_KEEP) {
                qsort(v, n, sizeof(*v), older_first);
                for (size_t i = 0; i < n - CACHE_KEEP; i++)
                        unlinkat(dirfd(d), v[i].name, 0);
        }
        closedir(d);
}

/*
 * The plan for this mount table: from the cache when it is still this
 * table's, unless fresh.  The table is known by its size and its newest mount
 * id: ids only grow, so a mount added since makes the newest one newer, and
 * one removed without another added makes the table smaller.  (A tree cloned
 * earlier and attached now brings an older id; a plan entry it displaced
 * fails its check in open_clones().)
 */
static int get_plan(const char *cache, uint64_t root_id, uint32_t count, uint64_t newest,
                    const char *const *out, size_t nout, bool fresh, char **ret)
{
        _cleanup_free_ char *path = NULL, *text = NULL, *buf = NULL, *plan = NULL;
        _cleanup_free_ uint64_t *ids = NULL;
        uint64_t key = RT_FNV_INIT;
        char head[128];
        long n;
        int r;

        for (size_t k = 0; k < nout; k++)
                key = rt_fnv(key, out[k], strlen(out[k]) + 1);
        snprintf(head, sizeof(head), "%s %llu %u %llu %016llx\n", CACHE_MAGIC, (unsigned long long)root_id,
                 count, (unsigned long long)newest, (unsigned long long)key);
        bool cached = rt_cache_dir(cache) == 0 &&
                      (path = rt_path("%s/" CACHE_FILE "-%llu-%016llx", cache, (unsigned long long)root_id,
                                      (unsigned long long)key));
        if (cached && !fresh && rt_read_text(path, 64 << 10, &buf) == 0 && !strncmp(buf, head, strlen(head))) {
                *ret = strdup(buf + strlen(head));
                return *ret ? 0 : -ENOMEM;
        }
        if ((n = list_mounts(0, &ids)) < 0)
                return (int)n;
        if ((r = compute_plan(ids, (size_t)n, root_id, out, nout, &plan)) < 0)
                return r;
        if (cached && (text = rt_path("%s%s", head, plan)) && rt_cache_write(path, text) == 0)
                sweep_plans(cache);
        *ret = TAKE_PTR(plan);
        return 0;
}

/* A mount namespace's id and size (0: unknown), without listing it. */
static uint64_t mntns_info(int fd, uint32_t *ret_count)
{
        struct mnt_ns_info_ info = { .size = sizeof(info) };

        if (fd < 0 || ioctl(fd, NS_MNT_GET_INFO_, &info) < 0)
                return 0;
        *ret_count = info.nr_mounts;
        return info.mnt_ns_id;
}

void hostview_init(struct hostview *hv)
{
        *hv = (struct hostview){ .self_mnt = -EBADF, .self_root = -EBADF };
}

static void close_clones(struct hostview *hv)
{
        for (int i = 0; i < hv->n; i++) {
                safe_close(hv->fd[i]);
                free(hv->path[i]);
        }
        hv->n = 0;
}

void hostview_done(struct hostview *hv)
{
        close_clones(hv);
        safe_close(hv->self_mnt);
        safe_close(hv->self_root);
        free(hv->cwd);
        hostview_init(hv);
}

/* The superblocks mounted afresh by one open_clones(). */
struct fresh {
        unsigned major, minor;
        int fd;     /* a detached mount of its root */
        bool given; /* fd is a clone's now */
};
#define FRESH_MAX 4
#define FRESH_ATTR (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | \
                    MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

static int fresh_sb(struct fresh *fr, const char *fstype, const char *source, uint32_t sb_flags)
{
        struct stat st;
        /* only ever the device the mounted superblock is on: a path that names
         * another would have the kernel read a second file system */
        if (stat(source, &st) < 0 || !S_ISBLK(st.st_mode) || major(st.st_rdev) != fr->major ||
            minor(st.st_rdev) != fr->minor)
                return -EOPNOTSUPP;
        _cleanup_close_ int fs = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0 ||
            ((sb_flags & MS_RDONLY) && fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0) ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -EOPNOTSUPP;
        fr->fd = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        return fr->fd < 0 ? -EOPNOTSUPP : 0;
}

/*
 * Mount ID alone, not cloned but mounted afresh: a clone looks through every
 * child of the mount first (to refuse one with locked mounts below), and a
 * docker root's or "/"'s hundreds of children cost 0.1 ms each time.  For a
 * block file system, mounting its device again gives back the superblock that
 * is mounted, and a clone of the same directory in that childless mount shows
 * what a clone of ID would.  It must be the same directory (device and inode,
 * as `want` has them from the mount's place) with the same mount flags, or
 * -EOPNOTSUPP: the caller clones ID.
 */
static int fresh_clone(struct fresh *frs, size_t *nfr, uint64_t id, const struct statx *want)
{
        _cleanup_free_ char *buf = malloc(SM_BUF);
        struct mnt_req req = { .size = MNT_REQ_SIZE0, .mnt_id = id,
                               .param = STATMOUNT_SB_BASIC | STATMOUNT_BASIC | STATMOUNT_ROOT | STATMOUNT_FS_TYPE |
                                        STATMOUNT_SB_SOURCE };
        const unsigned need = (unsigned)req.param;
        uint32_t maj, min, sb_flags, o_type, o_root, o_source;
        uint64_t mask, attr;

        if (!buf || syscall(__NR_statmount, &req, buf, SM_BUF, 0) < 0)
                return -EOPNOTSUPP;
        memcpy(&mask, buf + SM_MASK, sizeof(mask));
        memcpy(&maj, buf + SM_DEV_MAJOR, sizeof(maj));
        memcpy(&min, buf + SM_DEV_MINOR, sizeof(min));
        memcpy(&sb_flags, buf + SM_SB_FLAGS, sizeof(sb_flags));
        memcpy(&attr, buf + SM_ATTR, sizeof(attr));
        memcpy(&o_type, buf + SM_FS_TYPE, sizeof(o_type));
        memcpy(&o_root, buf + SM_ROOT, sizeof(o_root));
        memcpy(&o_source, buf + SM_SOURCE, sizeof(o_source));
        if ((mask & need) != need || o_type >= SM_BUF - SM_STR || o_root >= SM_BUF - SM_STR ||
            o_source >= SM_BUF - SM_STR || (attr & ~(uint64_t)FRESH_ATTR) || maj != want->stx_dev_major ||
            min != want->stx_dev_minor)
                return -EOPNOTSUPP;
        buf[SM_BUF - 1] = '\0';
        const char *fstype = buf + SM_STR + o_type, *root = buf + SM_STR + o_root;
        bool known = false;
        for (size_t k = 0; k < ELEMENTSOF(fresh_fs); k++)
                known |= !strcmp(fstype, fresh_fs[k]);
        if (!known || root[0] != '/')
                return -EOPNOTSUPP;

        struct fresh *fr = NULL;
        for (size_t k = 0; k < *nfr && !fr; k++)
                if (frs[k].major == maj && frs[k].minor == min)
                        fr = &frs[k];
        if (!fr) {
                if (*nfr == FRESH_MAX)
                        return -EOPNOTSUPP;
                fr = &frs[(*nfr)++];
                *fr = (struct fresh){ .major = maj, .minor = min, .fd = -EBADF };
                if (fresh_sb(fr, fstype, buf + SM_STR + o_source, sb_flags) < 0)
                        return -EOPNOTSUPP;
        }
        if (fr->fd < 0)
                return -EOPNOTSUPP;

        _cleanup_close_ int fd = -EBADF;
        if (!strcmp(root, "/") && !fr->given) {
                /* cppcheck-suppress redundantInitialization ; -EBADF is for the other branch's early returns */
                fd = fr->fd; /* the fresh mount itself: nothing to close later */
                fr->given = true;
        } else {
                struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV };
                _cleanup_close_ int dir = root[1] ? sys_openat2(fr->fd, root + 1, &how, sizeof(how)) : -EBADF;
                if (root[1] && dir < 0)
                        return -EOPNOTSUPP;
                fd = open_tree(root[1] ? dir : fr->fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
                if (fd < 0)
                        return -EOPNOTSUPP;
        }
        struct mount_attr ma = { .attr_set = attr, .attr_clr = (FRESH_ATTR & ~attr) | MOUNT_ATTR__ATIME,
                                 .propagation = MS_PRIVATE };
        struct statx sx;
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &ma, sizeof(ma)) < 0 ||
            statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_INO, &sx) < 0 || !(sx.stx_mask & STATX_INO) ||
            sx.stx_ino != want->stx_ino || sx.stx_dev_major != maj || sx.stx_dev_minor != min) {
                if (fd == fr->fd) { /* fr's own: given back, not closed */
                        fr->given = false;
                        (void)TAKE_FD(fd);
                }
                return -EOPNOTSUPP;
        }
        return TAKE_FD(fd);
}

/*
 * A clone of each mount the plan names, made private before anything is
 * attached below it: a clone of a shared mount is a peer of the host's, and
 * would pass on to the host every mount made in it.  -ESTALE: a mount is not
 * where the plan has it (mount ids survive a move).  What the view will cover
 * with a fresh mount (/proc, /sys) is not cloned: a recursive clone of /sys
 * with its cgroup mounts was a third of what the clones cost.  The plan is
 * only ever ours (root's cache directory); a line that is not one is refused
 * all the same.
 */
static int open_clones(struct hostview *hv, const char *plan, const char *const *covered, size_t ncovered)
{
        struct fresh fr[FRESH_MAX];
        size_t nfr = 0;
        int r = 0;

        if (!strcmp(plan, "copy\n"))
                return -EOPNOTSUPP;
        for (const char *line = plan; *line && r == 0;) {
                const char *end = strchrnul(line, '\n');
                char *path_start;
                errno = 0;
                unsigned long long id = strtoull(line + 2, &path_start, 10);
                if (end - line < 5 || !strchr("RNF", line[0]) || line[1] != ' ' || errno ||
                    path_start >= end || *path_start != ' ' || path_start[1] != '/' || hv->n == HOSTVIEW_MAX) {
                        r = -EBADMSG;
                        break;
                }
                char kind = line[0], *path = strndup(path_start + 1, (size_t)(end - path_start - 1));
                if (!path) {
                        r = -ENOMEM;
                        break;
                }
                line = *end ? end + 1 : end;
                bool skip = false;
                for (size_t k = 0; k < ncovered && !skip; k++)
                        skip = !strcmp(path, covered[k]) || under(path, covered[k]);
                if (skip) {
                        free(path);
                        continue;
                }
                hv->path[hv->n] = path;
                hv->fd[hv->n++] = -EBADF;
                if (hv->n == 1 && strcmp(path, "/") != 0) {
                        r = -EBADMSG;
                        break;
                }

                struct statx sx;
                if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC,
                          STATX_MNT_ID_UNIQUE | STATX_INO, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID_UNIQUE) ||
                    sx.stx_mnt_id != id || !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
                        r = -ESTALE;
                        break;
                }
                int fd = kind == 'F' ? fresh_clone(fr, &nfr, id, &sx) : -EOPNOTSUPP;
                if (fd < 0) {
                        fd = open_tree(AT_FDCWD, path,
                                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
                                               (kind == 'R' ? AT_RECURSIVE : 0));
                        struct mount_attr priv = { .propagation = MS_PRIVATE };
                        if (fd < 0 || mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &priv, sizeof(priv)) < 0)
                                r = -errno;
                }
                hv->fd[hv->n - 1] = fd;
        }
        for (size_t k = 0; k < nfr; k++)
                if (!fr[k].given)
                        safe_close(fr[k].fd);
        if (r < 0)
                return r;
        return hv->n > 0 ? 0 : -EBADMSG;
}

int hostview_open(struct hostview *hv, const struct target *t, const char *const roots[_ROOT_MAX], bool pid_view,
                  bool net_view)
{
        const char *covered[2];
        size_t ncovered = 0;
        if (pid_view)
                covered[ncovered++] = "/proc";
        if (net_view)
                covered[ncovered++] = "/sys";
        const char *out[ELEMENTSOF(fixed_left_out) + ELEMENTSOF(root_left_out)];
        _cleanup_free_ char *plan = NULL;
        struct statx sx;
        size_t nout = 0;

        /* The clones need CAP_SYS_ADMIN over our mount namespace, the cache root. */
        if (geteuid() != 0 || t->procfd < 0)
                return 0;
        struct statx ssx;
        if (net_view && statx(AT_FDCWD, "/sys", AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_INO, &ssx) == 0) {
                hv->want_sys = true;
                hv->host_sys_dev = (uint64_t)ssx.stx_dev_major << 32 | ssx.stx_dev_minor;
        }
        for (size_t i = 0; i < ELEMENTSOF(root_left_out); i++)
                if (roots[root_left_out[i]])
                        out[nout++] = roots[root_left_out[i]];
        for (size_t i = 0; i < ELEMENTSOF(fixed_left_out); i++)
                out[nout++] = fixed_left_out[i];

        /* Our root must be a mount's root, and the target's namespace small. */
        uint32_t count = 0, tcount = 0;
        uint64_t newest = 0;
        if (statx(AT_FDCWD, "/", AT_STATX_DONT_SYNC, STATX_MNT_ID_UNIQUE, &sx) < 0 ||
            !(sx.stx_mask & STATX_MNT_ID_UNIQUE) || !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
                return 0;
        hv->self_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int tns = openat(t->procfd, "ns/mnt", O_RDONLY | O_CLOEXEC);
        uint64_t self_id = mntns_info(hv->self_mnt, &count);
        uint64_t target_id = mntns_info(tns, &tcount);
        if (!self_id || !target_id || self_id == target_id || count < HOSTVIEW_MIN_LEFT_OUT || tcount > count / 4 ||
            sys_listmount(LSMT_ROOT_ID, 0, 0, &newest, 1, LISTMOUNT_REVERSE_) != 1)
                goto copy;
        if (get_plan(roots[ROOT_CACHE], sx.stx_mnt_id, count, newest, out, nout, false, &plan) < 0)
                goto copy;

        /* The caller's working directory, found again inside: not one left out. */
        if (!(hv->cwd = getcwd(NULL, 0)) || hv->cwd[0] != '/')
                goto copy;
        for (size_t k = 0; k < nout; k++)
                if (under(hv->cwd, out[k]))
                        goto copy;
        hv->self_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (hv->self_root < 0)
                goto copy;

        int r = open_clones(hv, plan, covered, ncovered);
        if (r == -ESTALE) {
                /* A mount was moved: the same ids, other places. */
                free(plan);
                plan = NULL;
                close_clones(hv);
                r = get_plan(roots[ROOT_CACHE], sx.stx_mnt_id, count, newest, out, nout, true, &plan);
                if (r == 0)
                        r = open_clones(hv, plan, covered, ncovered);
        }
        if (r < 0)
                goto copy;
        return 0;
copy:
        hostview_done(hv);
        return 0;
}

/* Back where we were, for the copy. */
static int go_back(const struct hostview *hv)
{
        if (setns(hv->self_mnt, CLONE_NEWNS) < 0 || fchdir(hv->self_root) < 0 || chroot(".") < 0 ||
            chdir(hv->cwd) < 0)
                return -errno;
        return 0;
}

/*
 * The target's own /sys, from the copy of its mount namespace we are in: the
 * superblock a fresh sysfs mount in its network namespace gives back (the
 * kernel keeps one per namespace), without the walk over every sysfs
 * superblock on the host that a mount makes to find it (0.1 ms at 200
 * containers, one per container).  Only a whole sysfs (the mount of its root,
 * inode 1), and not ours: a container given the host's /sys (-v /sys:/sys)
 * would show the host's network devices.  Else -EBADF, and the view mounts
 * one.  (A container that mounted a sysfs of another network namespace of its
 * own there shows that one: devices it holds, read-only.)
 */
static int target_sys(const struct hostview *hv)
{
        /* a clone of that one mount: nothing the container mounted below it */
        _cleanup_close_ int fd = open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
                                                             OPEN_TREE_CLOEXEC);
        struct statfs sfs;
        struct statx sx;

        if (fd < 0 || fstatfs(fd, &sfs) < 0 || (unsigned long)sfs.f_type != SYSFS_MAGIC ||
            statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_INO, &sx) < 0 || !(sx.stx_mask & STATX_INO) ||
            sx.stx_ino != 1 || !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
            ((uint64_t)sx.stx_dev_major << 32 | sx.stx_dev_minor) == hv->host_sys_dev)
                return -EBADF;
        return TAKE_FD(fd);
}

/* files[i] as the target's libc finds it (inside its root, no magic link),
 * that one file cloned alone: -EBADF where there is none. */
static void take_files(const char *const *files, size_t n, int *fds)
{
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        bool any = false;

        for (size_t i = 0; i < n; i++) {
                fds[i] = -EBADF;
                any = any || files[i][0];
        }
        if (!any)
                return; /* a pid view: no "/" to open on the attach's way */
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int f = root >= 0 && files[i][0] ? sys_openat2(root, files[i], &how, sizeof(how))
                                                                 : -EBADF;
                fds[i] = f >= 0 ? open_tree(f, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH) : -EBADF;
                if (fds[i] < 0)
                        fds[i] = -EBADF;
        }
}

int hostview_enter(const struct hostview *hv, const struct target *t, int *ret_sys, const char *const *files,
                   size_t nfiles, int *ret_files, const char **ret_step)
{
        *ret_sys = -EBADF;
        for (size_t i = 0; i < nfiles; i++)
                ret_files[i] = -EBADF;
        if (hv->n == 0)
                return -EOPNOTSUPP;

        /* A copy of the target's mount namespace: a few mounts, not the host's many. */
        *ret_step = "the target's mount namespace";
        int r = t->pidfd >= 0 ? setns(t->pidfd, CLONE_NEWNS) : -1;
        if (r < 0) {
                _cleanup_close_ int fd = openat(t->procfd, "ns/mnt", O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
                        return -EOPNOTSUPP; /* still where we were */
        }
        *ret_step = "host file system";
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                goto back;
        if (hv->want_sys)
                *ret_sys = target_sys(hv);
        take_files(files, nfiles, ret_files);
        /* Our "/" on top of the container's, and our root moved up to it.
         * Not pivot_root(): it walks every thread on the host (chroot_fs_refs),
         * 0.65 ms with 2,600 of them, more than the copy this avoids.  The
         * container's mounts stay below ours, out of reach of any path; the
         * program is the caller's, who can reach them through /proc/PID/root
         * anyway. */
        if (move_mount(hv->fd[0], "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0 || fchdir(hv->fd[0]) < 0 ||
            chroot(".") < 0 || chdir("/") < 0)
                goto back;
        for (int i = 1; i < hv->n; i++)
                if (move_mount(hv->fd[i], "", AT_FDCWD, hv->path[i], MOVE_MOUNT_F_EMPTY_PATH) < 0)
                        goto back;
        if (chdir(hv->cwd) < 0)
                goto back;
        return 0;
back:
        r = -errno;
        *ret_sys = safe_close(*ret_sys);
        for (size_t i = 0; i < nfiles; i++)
                ret_files[i] = safe_close(ret_files[i]);
        if (go_back(hv) < 0)
                return r;
        return -EOPNOTSUPP;
}
