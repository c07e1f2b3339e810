/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mnt view (SPEC section 5.3): the container's files are "/", the program
 * is the host's.
 *
 * Before entering, the host's tool trees (/usr, /bin, /lib..., and Debian's
 * /etc/alternatives) are cloned read-only, nosuid, nodev with
 * open_tree(OPEN_TREE_CLONE): after setns() they could not be reached at all.
 * After entering, in a private copy of the target's mount namespace, a ramfs
 * goes on top of the container's root holding a bind of each of its
 * top-level entries (so "ls /" lists exactly the container's), and one hidden
 * directory, HOSTEXEC_PREFIX, with the host clones and a directory of
 * command names for PATH, each a hard link to a static trampoline
 * (trampoline.c).  The process pivots into it.  Nothing is created or mounted
 * in the container: every mount is in the program's own namespace.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "hostexec.h"
#include "missing.h"
#include "nsattach.h"
#include "util.h"

/* The trampoline, linked into nsattach (trampoline-blob.S). */
extern const unsigned char nsattach_trampoline[], nsattach_trampoline_end[];

/* Host paths the view carries; missing ones are skipped. */
const char *const mntview_host_trees[MNTVIEW_HOST_MAX] = { "usr", "bin", "sbin", "lib", "lib32", "lib64",
                                                          "libx32", "etc/alternatives" };

static int clone_ro(int dirfd, const char *path, unsigned flags, int *ret)
{
        struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        _cleanup_close_ int fd = open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags);

        if (fd < 0)
                return -errno;
        if (mount_setattr(fd, "", AT_EMPTY_PATH | (flags & AT_RECURSIVE), &a, sizeof(a)) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

/* The program as the caller's shell would find it: its PATH, else the default one. */
static int find_program(const char *name, char **ret)
{
        if (strchr(name, '/')) {
                char *rp = realpath(name, NULL);
                if (!rp)
                        return -errno;
                *ret = rp;
                return 0;
        }
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = NSATTACH_DEFAULT_PATH;
        int r = -ENOENT;
        for (const char *d = path; *d;) {
                size_t dl = strcspn(d, ":");
                char cand[PATH_MAX];
                struct stat st;
                if (snprintf(cand, sizeof(cand), "%.*s/%s", (int)(dl ? dl : 1), dl ? d : ".", name) <
                            (int)sizeof(cand) &&
                    stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (access(cand, X_OK) == 0) {
                                char *rp = realpath(cand, NULL);
                                if (!rp)
                                        return -errno;
                                *ret = rp;
                                return 0;
                        }
                        r = -EACCES;
                }
                d += dl + (d[dl] ? 1 : 0);
        }
        return r;
}

int mntview_open(struct mntview *mv, const char *prog, char *err, size_t errlen)
{
        int r;

        for (int i = 0; i < MNTVIEW_HOST_MAX; i++) {
                char path[64];
                struct stat st;

                mv->host[i].fd = -EBADF;
                snprintf(path, sizeof(path), "/%s", mntview_host_trees[i]);
                if (lstat(path, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        char link[PATH_MAX];
                        ssize_t k = readlink(path, link, sizeof(link) - 1);
                        if (k < 0)
                                continue;
                        link[k] = '\0';
                        if (!(mv->host[i].link = strdup(link)))
                                return -ENOMEM;
                } else if (S_ISDIR(st.st_mode)) {
                        r = clone_ro(AT_FDCWD, path, AT_RECURSIVE, &mv->host[i].fd);
                        if (r < 0) {
                                snprintf(err, errlen, "mnt view: cloning the host's %s: %s%s", path,
                                         strerror(-r),
                                         r == -EPERM ? " (the host's tools need root; "
                                                       "--exec=container runs the container's)"
                                                     : "");
                                return r;
                        }
                }
        }

        _cleanup_free_ char *rp = NULL;
        r = find_program(prog, &rp);
        if (r < 0) {
                snprintf(err, errlen, "%s: %s on the host", prog,
                         r == -ENOENT ? "not found" : strerror(-r));
                return r;
        }
        for (int i = 0; i < MNTVIEW_HOST_MAX; i++) {
                size_t l = strlen(mntview_host_trees[i]);
                if (mv->host[i].fd >= 0 && strncmp(rp + 1, mntview_host_trees[i], l) == 0 && rp[l + 1] == '/') {
                        if (asprintf(&mv->prog, "%s%s", HOSTEXEC_TREE, rp) < 0)
                                return -ENOMEM;
                        return 0;
                }
        }
        /* Outside the trees (/opt, a build directory): the file alone is carried. */
        r = clone_ro(AT_FDCWD, rp, 0, &mv->prog_fd);
        if (r < 0) {
                snprintf(err, errlen, "%s: %s", rp, strerror(-r));
                return r;
        }
        const char *base = strrchr(rp, '/') + 1;
        if (asprintf(&mv->prog, "%s/%s", HOSTEXEC_PROG, base) < 0)
                return -ENOMEM;
        return 0;
}

void mntview_done(struct mntview *mv)
{
        for (int i = 0; i < MNTVIEW_HOST_MAX; i++) {
                mv->host[i].fd = safe_close(mv->host[i].fd);
                free(mv->host[i].link);
                mv->host[i].link = NULL;
        }
        mv->prog_fd = safe_close(mv->prog_fd);
        free(mv->prog);
        mv->prog = NULL;
}

/*
 * ramfs rather than tmpfs: a link costs less there (no offset map for
 * readdir), which is most of the view's cost with a link per host command;
 * it has no size limit, and nothing but us writes to it before it is made
 * read-only.
 */
static int new_ramfs(int *ret)
{
        _cleanup_close_ int fs = fsopen("ramfs", FSOPEN_CLOEXEC);

        if (fs < 0)
                return -errno;
        if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (m < 0)
                return -errno;
        *ret = m;
        return 0;
}

/* An empty file or directory in dir to mount src on (whatever src is). */
static int mount_on(int src, int dirfd, const char *name, bool is_dir)
{
        if (is_dir) {
                if (mkdirat(dirfd, name, 0755) < 0)
                        return -errno;
        } else {
                int f = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                if (f < 0)
                        return -errno;
                safe_close(f);
        }
        if (move_mount(src, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/*
 * Each top-level entry of the container's root, bound into ours: a clone
 * taken without following a symlink, its type checked on what we hold (no
 * race with a rename), submounts included.  Symlinks are re-created.
 */
static int mirror_root(int croot, int nr, char *ret_name, size_t len)
{
        _cleanup_close_ int dfd = openat(croot, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *e;
        int r = 0;

        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d)
                return -errno;
        (void)TAKE_FD(dfd); /* d's now */
        while ((errno = 0, e = readdir(d))) {
                const char *n = e->d_name;
                char link[PATH_MAX];
                struct stat st;

                if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, &HOSTEXEC_PREFIX[1]) == 0)
                        continue;
                snprintf(ret_name, len, "%s", n);
                int t = open_tree(croot, n, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
                                                    AT_SYMLINK_NOFOLLOW);
                if (t < 0 && (errno == EINVAL || errno == ENOTDIR) &&
                    fstatat(croot, n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
                        ssize_t k = readlinkat(croot, n, link, sizeof(link) - 1);
                        if (k < 0) {
                                r = -errno;
                                break;
                        }
                        link[k] = '\0';
                        if (symlinkat(link, nr, n) < 0) {
                                r = -errno;
                                break;
                        }
                        continue;
                }
                if (t < 0 && errno == ENOENT)
                        continue; /* gone since readdir(): it is not in the root now */
                if (t < 0) {
                        r = -errno;
                        break;
                }
                if (fstat(t, &st) < 0) {
                        r = -errno;
                        safe_close(t);
                        break;
                }
                if (S_ISLNK(st.st_mode)) {
                        ssize_t k = readlinkat(t, "", link, sizeof(link) - 1);
                        safe_close(t);
                        if (k < 0 || (link[k] = '\0', symlinkat(link, nr, n) < 0)) {
                                r = -errno;
                                break;
                        }
                        continue;
                }
                r = mount_on(t, nr, n, S_ISDIR(st.st_mode));
                safe_close(t);
                if (r < 0)
                        break;
        }
        if (r == 0 && errno != 0)
                r = -errno;
        closedir(d);
        return r;
}

static int mkdir_p(const char *path)
{
        char buf[PATH_MAX];

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *s = buf + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return -errno;
                if (!c)
                        return 0;
                *s = c;
        }
}

/* One name per command the host's PATH directories hold, all links to the trampoline. */
static int link_commands(void)
{
        _cleanup_close_ int bin = open(HOSTEXEC_BIN, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int exe = open(HOSTEXEC_SELF, O_PATH | O_CLOEXEC);

        if (bin < 0 || exe < 0)
                return -errno;
        char seen[8][PATH_MAX];
        size_t nseen = 0;

        for (int i = 0; hostexec_path_dirs[i]; i++) {
                char path[PATH_MAX];
                bool dup = false;
                if (hostexec_resolve(hostexec_path_dirs[i], path, sizeof(path)) < 0)
                        continue;
                /* /bin is /usr/bin on a merged-/usr host: once is enough */
                for (size_t j = 0; j < nseen; j++)
                        dup = dup || strcmp(seen[j], path) == 0;
                if (dup)
                        continue;
                if (nseen < ELEMENTSOF(seen))
                        memcpy(seen[nseen++], path, sizeof(path));
                DIR *d = opendir(path);
                if (!d)
                        continue;
                struct dirent *e;
                while ((e = readdir(d))) {
                        if (e->d_name[0] == '.' ||
                            !(e->d_type == DT_REG || e->d_type == DT_LNK || e->d_type == DT_UNKNOWN))
                                continue;
                        if (linkat(exe, "", bin, e->d_name, AT_EMPTY_PATH) < 0 &&
                            errno != EEXIST) {
                                int r = -errno;
                                closedir(d);
                                return r;
                        }
                }
                closedir(d);
        }
        return 0;
}

/*
 * A container file the host's libc reads by path, covered in the view (a
 * read-only bind of ours on top of it, in the view's own mount namespace) by
 * HOSTEXEC_PREFIX/name, holding what edit() makes of the container's text
 * (NULL: it stays as it is).  path is "/DIR/FILE".  The directory is found as
 * libc finds it, through the container's symlinks but inside the view's root;
 * the file itself is never followed: a symlink there is covered as it is (a
 * mount goes on the link, not on what it points at, which could be one of our
 * host files), and what the link leads to is only read, for edit().  A magic
 * link (/proc/PID/...) on the way is refused.  (A file the container puts in
 * place later is read, but only with the container's privileges.)
 */
/* Where a file's text can be read without acting or blocking: local file
 * systems that hold data.  Not proc, sysfs, debugfs or the like (a read of
 * /proc/kmsg takes the host's kernel log), nor FUSE or network ones, which
 * the container's side could leave unanswered. */
static bool data_fs(int fd)
{
        static const unsigned long kinds[] = {
                0xEF53,     /* ext2, ext3, ext4 */
                0x58465342, /* xfs */
                0x9123683E, /* btrfs */
                0x794c7630, /* overlay */
                0x01021994, /* tmpfs */
                0x858458f6, /* ramfs */
                0x2fc12fc1, /* zfs */
                0xF2F52010, /* f2fs */
                0x73717368, /* squashfs */
                0xE0F5E1E2, /* erofs */
        };
        struct statfs sfs;

        if (fstatfs(fd, &sfs) < 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if ((unsigned long)sfs.f_type == kinds[i])
                        return true;
        return false;
}

static int cover_file(const char *path, const char *name, char *(*edit)(const char *text), bool wants_text)
{
        const char *base = strrchr(path, '/');
        char dir[PATH_MAX];
        struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int cover = -EBADF;
        _cleanup_free_ char *text = NULL, *ours_text = NULL;
        char ours[PATH_MAX];
        struct stat st;
        int r;

        if (!base || base == path || (size_t)(base - path) >= sizeof(dir))
                return -EINVAL;
        memcpy(dir, path, (size_t)(base - path));
        dir[base - path] = '\0';
        base++;
        if (root < 0)
                return -errno;
        _cleanup_close_ int d = sys_openat2(root, dir, &how, sizeof(how));
        if (d < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno; /* no directory: nothing to read */
        _cleanup_close_ int f = openat(d, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (f < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(f, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return 0; /* nothing libc can read as a file */

        /* What libc would read: a path first (opening a device the container
         * put there could act), then the same file to read (the view's /proc
         * is not ours to reopen it through); a file swapped in between is not
         * read.  A file too large, unreadable or with a NUL in it: edit(NULL). */
        struct open_how phow = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        struct open_how rhow = { .flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                                 .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        struct stat pst, rst;
        _cleanup_close_ int pf = sys_openat2(root, path, &phow, sizeof(phow));
        bool readable = wants_text && pf >= 0 && fstat(pf, &pst) == 0 && S_ISREG(pst.st_mode) &&
                        pst.st_size < (64 << 10) && data_fs(pf);
        _cleanup_close_ int rd = readable ? sys_openat2(root, path, &rhow, sizeof(rhow)) : -EBADF;
        if (rd >= 0 && (fstat(rd, &rst) < 0 || rst.st_dev != pst.st_dev || rst.st_ino != pst.st_ino))
                rd = safe_close(rd);
        if (rd >= 0 && (text = malloc(64 << 10))) {
                ssize_t k = read(rd, text, (64 << 10) - 1);
                size_t len = k > 0 ? (size_t)k : 0;
                text[len] = '\0';
                if (k < 0 || strlen(text) != len) {
                        free(text);
                        text = NULL;
                }
        }
        errno = 0;
        if (!(ours_text = edit(text)))
                return errno ? -errno : 0;
        snprintf(ours, sizeof(ours), HOSTEXEC_PREFIX "/%s", name);
        _cleanup_close_ int e = open(ours, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (e < 0)
                return -errno;
        if ((r = write_all(e, ours_text, strlen(ours_text))) < 0)
                return r;
        if ((r = clone_ro(AT_FDCWD, ours, 0, &cover)) < 0)
                return r;
        /* on the file, or on the link itself (a mount may sit on a symlink) */
        if (move_mount(cover, "", f, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* The host's loader reads /etc/ld.so.preload: nothing of the container's. */
static char *empty_preload(const char *text)
{
        (void)text; /* whatever it says */
        return strdup("");
}

/*
 * The host's libc loads the NSS modules the container's nsswitch.conf names,
 * by name, from its default library directories, which in the view are the
 * container's: a container could have its own code run in a host program
 * (docker cp CVE-2019-14271 did that as host root).  The view's copy keeps
 * the container's databases with only the services built into libc (files
 * and dns, glibc 2.34 on; an older libc finds their modules in the host's
 * directories, which the loader is given first) and their actions; a
 * database left with none goes, for libc's default.  Users, groups and hosts
 * still come from the container's files and its DNS.
 *
 * A line is read as glibc reads it (nss_database.c, nss_action_parse.c): the
 * database's name ends at a blank or ':', the blanks and colons after it are
 * skipped, a service name is everything up to a blank or '[' ('#' and ':'
 * included: only a line's first character starts a comment since glibc
 * 2.33), and an action is a whole [STATUS=ACTION ...] group after it.  Each
 * line is written again as "name: service [actions] ...", which glibc before
 * 2.33 (a '#' anywhere ends the line, one character after the name) reads
 * the same; blank lines and comments stay.  The file is the container's own
 * when that gives it back unchanged.
 */
static bool nss_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* The word at *t (up to a blank, '=' or ']'), moved past: its index in set
 * (case aside, as glibc compares), or n. */
static size_t nss_word(const char **t, const char *end, const char *const *set, size_t n)
{
        const char *w = *t;
        while (*t < end && !nss_space(**t) && **t != '=' && **t != ']')
                (*t)++;
        size_t l = (size_t)(*t - w);
        for (size_t i = 0; i < n; i++)
                if (l == strlen(set[i]) && !strncasecmp(w, set[i], l))
                        return i;
        return n;
}

/* One [...] group at t (t[0] == '['), up to end: written canonically to f, or
 * false if glibc would refuse it.  *ret_next: after the ']'. */
static bool nss_actions(const char *t, const char *end, FILE *f, const char **ret_next)
{
        static const char *const statuses[] = { "SUCCESS", "NOTFOUND", "UNAVAIL", "TRYAGAIN" };
        static const char *const actions[] = { "return", "continue", "merge" };
        bool first = true;

        for (t++;;) {
                while (t < end && nss_space(*t))
                        t++;
                if (t >= end)
                        return false;
                if (*t == ']') {
                        if (first)
                                return false; /* glibc wants one at least */
                        fputc(']', f);
                        *ret_next = t + 1;
                        return true;
                }
                bool negate = *t == '!';
                t += negate;
                size_t si = nss_word(&t, end, statuses, ELEMENTSOF(statuses));
                while (t < end && nss_space(*t))
                        t++;
                if (si == ELEMENTSOF(statuses) || t >= end || *t != '=')
                        return false;
                do
                        t++;
                while (t < end && nss_space(*t));
                size_t ai = nss_word(&t, end, actions, ELEMENTSOF(actions));
                if (ai == ELEMENTSOF(actions))
                        return false;
                fprintf(f, "%s%s%s=%s", first ? "[" : " ", negate ? "!" : "", statuses[si], actions[ai]);
                first = false;
        }
}

char *mntview_nss_filter(const char *text)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);

        if (!f)
                return NULL;
        fputs("# nsattach's mnt view: the container's nsswitch.conf without NSS modules\n", f);
        size_t body = (size_t)ftell(f);
        bool publickey = false;
        for (const char *line = text ? text : ""; *line;) {
                const char *end = strchrnul(line, '\n'), *t = line;
                while (t < end && nss_space(*t))
                        t++;
                if (t >= end || *t == '#') { /* blank, or a comment */
                        fprintf(f, "%.*s\n", (int)(end - line), line);
                        line = *end ? end + 1 : end;
                        continue;
                }
                const char *name = t;
                while (t < end && !nss_space(*t) && *t != ':')
                        t++;
                size_t nl = (size_t)(t - name);
                bool valid = nl > 0;
                for (size_t k = 0; k < nl; k++)
                        valid = valid && (isalnum((unsigned char)name[k]) || name[k] == '_');
                while (t < end && (nss_space(*t) || *t == ':'))
                        t++;
                /* the services kept, each with its actions, into a line of our own */
                char *kept = NULL;
                size_t klen = 0;
                FILE *k = valid ? open_memstream(&kept, &klen) : NULL;
                bool any = false;
                while (k) {
                        while (t < end && nss_space(*t))
                                t++;
                        if (t >= end || *t == '[')
                                break; /* glibc stops at an action with no service before it */
                        const char *svc = t;
                        while (t < end && !nss_space(*t) && *t != '[')
                                t++;
                        size_t n = (size_t)(t - svc);
                        bool builtin = (n == 5 && !memcmp(svc, "files", 5)) || (n == 3 && !memcmp(svc, "dns", 3));
                        if (builtin)
                                fprintf(k, " %.*s", (int)n, svc);
                        any |= builtin;
                        while (t < end && nss_space(*t))
                                t++;
                        if (t < end && *t == '[') {
                                FILE *sink = builtin ? k : NULL;
                                char *junk = NULL;
                                size_t jl = 0;
                                if (!sink)
                                        sink = open_memstream(&junk, &jl);
                                const char *next = NULL;
                                if (builtin)
                                        fputc(' ', k);
                                bool ok = sink && nss_actions(t, end, sink, &next);
                                if (sink && sink != k)
                                        fclose(sink);
                                free(junk);
                                if (!ok) {
                                        /* glibc refuses the line: so do we, from here on */
                                        if (builtin)
                                                any = false;
                                        break;
                                }
                                t = next;
                        }
                }
                if (k && fclose(k) == 0 && any && kept) {
                        fprintf(f, "%.*s:%s\n", (int)nl, name, kept);
                        publickey |= nl == 9 && !memcmp(name, "publickey", 9);
                }
                free(kept);
                line = *end ? end + 1 : end;
        }
        /* libc's default for a database without a line is its own services,
         * but publickey's: "nis nisplus", modules from the container's */
        if (!publickey)
                fputs("publickey: files\n", f);
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        /* given back unchanged: it stays the container's own */
        if (text && len - body == strlen(text) && !memcmp(out + body, text, len - body)) {
                free(out);
                errno = 0;
                return NULL;
        }
        return out;
}

int mntview_setup(const struct mntview *mv, const char **ret_step)
{
        /* cppcheck-suppress comparePointers ; the two labels bound the one blob trampoline-blob.S holds */
        size_t tsize = (size_t)(nsattach_trampoline_end - nsattach_trampoline);
        _cleanup_close_ int nr = -EBADF;
        struct stat rst;
        int r;

        /* Files we create are owned by our fsuid, which must be mapped where we
         * are: in a user namespace just entered, ours is not, its root is. */
        *ret_step = "mnt view: file owner";
        setfsgid(0);
        setfsuid(0);
        if ((int)setfsuid((uid_t)-1) != 0 || (int)setfsgid((gid_t)-1) != 0)
                return -EPERM;

        *ret_step = "mnt view: private mount namespace";
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        _cleanup_close_ int croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC); /* setns() put us at its root */
        if (croot < 0 || fstat(croot, &rst) < 0)
                return -errno;

        *ret_step = "mnt view: a root on top of the container's";
        if ((r = new_ramfs(&nr)) < 0)
                return r;
        if (move_mount(nr, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return -errno;
        static char name[NAME_MAX + 1], step[NAME_MAX + 64];
        if ((r = mirror_root(croot, nr, name, sizeof(name))) < 0) {
                snprintf(step, sizeof(step), "mnt view: the container's /%s", name);
                *ret_step = step;
                return r;
        }

        /* pivot_root(".", ".") stacks the old root on the new one; detaching it
         * leaves ours as "/" and nothing of the container's root but what
         * was bound in (pivot_root(2)). */
        *ret_step = "mnt view: pivot_root";
        if (fchdir(nr) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
            chdir("/") < 0)
                return -errno;

        if (mv->pidns_fd >= 0) {
                *ret_step = "mnt view: a /proc of the pid namespace joined (--pid)";
                if ((mkdir("/proc", 0555) < 0 && errno != EEXIST) || (r = view_proc_of(mv->pidns_fd)) < 0)
                        return r < 0 ? r : -errno;
        }

        *ret_step = "mnt view: the host's tools";
        if ((r = mkdir_p(HOSTEXEC_TREE "/etc")) < 0 || (r = mkdir_p(HOSTEXEC_BIN)) < 0)
                return r;
        for (int i = 0; i < MNTVIEW_HOST_MAX; i++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", HOSTEXEC_TREE, mntview_host_trees[i]);
                if (mv->host[i].link && symlink(mv->host[i].link, path) < 0)
                        return -errno;
                if (mv->host[i].fd >= 0 && (r = mount_on(mv->host[i].fd, AT_FDCWD, path, true)) < 0)
                        return r;
        }
        if (mv->prog_fd >= 0) {
                if ((r = mkdir_p(HOSTEXEC_PROG)) < 0 || (r = mount_on(mv->prog_fd, AT_FDCWD, mv->prog, false)) < 0)
                        return r;
        }
        _cleanup_close_ int t = open(HOSTEXEC_SELF, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0555);
        if (t < 0)
                return -errno;
        if ((r = write_all(t, nsattach_trampoline, tsize)) < 0)
                return r;
        safe_close(TAKE_FD(t));
        if ((r = link_commands()) < 0)
                return r;

        /* the host's loader reads it by path: the container's must not be it */
        *ret_step = "mnt view: hiding the container's /etc/ld.so.preload";
        if ((r = cover_file("/etc/ld.so.preload", "empty", empty_preload, false)) < 0)
                return r;
        *ret_step = "mnt view: the NSS services of the container's /etc/nsswitch.conf";
        if ((r = cover_file("/etc/nsswitch.conf", "nsswitch.conf", mntview_nss_filter, true)) < 0)
                return r;

        /* "/" looks like the container's root; then nothing of ours is writable. */
        *ret_step = "mnt view: read-only root";
        struct timespec ts[2] = { rst.st_atim, rst.st_mtim };
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        if (chmod(HOSTEXEC_PREFIX, 0555) < 0 || chmod("/", rst.st_mode & 07777) < 0 ||
            chown("/", rst.st_uid, rst.st_gid) < 0 || utimensat(AT_FDCWD, "/", ts, 0) < 0 ||
            mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
                return -errno;
        return 0;
}
