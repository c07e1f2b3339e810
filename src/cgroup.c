/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target's cgroups, for a process that becomes the container's (SPEC
 * section 6): its memory, pids and cpu limits are the program's too, and the
 * runtime finds the program where it looks for the container's processes.
 *
 * Every hierarchy the target is in (cgroup v2's, and each v1 one on a hybrid
 * host) is found in our own mount table and its cgroup.procs opened while we
 * are still on the host: the container's /proc and /sys are the container's to
 * fake (runc CVE-2019-16884, lxc CVE-2015-1334), the fds are not.  The move is
 * made before the cgroup namespace is entered, where a namespace-delegating
 * cgroup2 mount (nsdelegate) would hide our own cgroup.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "missing.h"
#include "nsattach.h"
#include "util.h"

/* mountinfo's octal escapes (\040 for a space) in place */
static void unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = '\0';
}

/* Is every comma-separated name of want among the comma-separated opts? */
static bool has_all(const char *opts, const char *want)
{
        for (const char *w = want; *w;) {
                size_t n = strcspn(w, ",");
                bool found = false;
                for (const char *o = opts; *o && !found;) {
                        size_t m = strcspn(o, ",");
                        found = m == n && strncmp(o, w, n) == 0;
                        o += m + (o[m] == ',');
                }
                if (!found)
                        return false;
                w += n + (w[n] == ',');
        }
        return true;
}

/*
 * The mount of the hierarchy that a /proc/PID/cgroup line names: "0::" is
 * cgroup2; "N:cpu,cpuacct:" the v1 mount with those controllers (or
 * "name=systemd").  Its mount point and the cgroup its root is, into *ret_point
 * and *ret_root.  -ENOENT: not mounted here.
 */
static int find_hierarchy(const char *mountinfo, const char *controllers, char **ret_point, char **ret_root)
{
        bool v2 = !*controllers;
        for (const char *line = mountinfo; *line;) {
                const char *end = strchrnul(line, '\n');
                _cleanup_free_ char *l = strndup(line, (size_t)(end - line));
                line = *end ? end + 1 : end;
                if (!l)
                        return -ENOMEM;
                /* ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS */
                char *sep = strstr(l, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                char *f[6] = { NULL }, *save = NULL, *tail[3] = { NULL }, *save2 = NULL;
                int n = 0, m = 0;
                for (char *t = strtok_r(l, " ", &save); t && n < 6; t = strtok_r(NULL, " ", &save))
                        f[n++] = t;
                for (char *t = strtok_r(sep + 3, " ", &save2); t && m < 3; t = strtok_r(NULL, " ", &save2))
                        tail[m++] = t;
                if (n < 5 || m < 3)
                        continue;
                if (v2 ? strcmp(tail[0], "cgroup2") != 0
                       : strcmp(tail[0], "cgroup") != 0 || !has_all(tail[2], controllers))
                        continue;
                unescape(f[3]);
                unescape(f[4]);
                /* the whole hierarchy if it is mounted, else the first part of it */
                if (*ret_point && strcmp(f[3], "/") != 0)
                        continue;
                free(*ret_point);
                free(*ret_root);
                *ret_point = *ret_root = NULL;
                if (!(*ret_point = strdup(f[4])) || !(*ret_root = strdup(f[3])))
                        return -ENOMEM; /* the caller frees what there is */
                if (strcmp(f[3], "/") == 0)
                        return 0;
        }
        return *ret_point ? 0 : -ENOENT;
}

/* "N:controllers:/path" of a cgroup file: the line for these controllers */
static const char *line_for(const char *cgfile, const char *controllers, size_t clen, size_t *ret_len)
{
        for (const char *line = cgfile; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                if (c2 && (size_t)(c2 - c1 - 1) == clen && strncmp(c1 + 1, controllers, clen) == 0) {
                        *ret_len = (size_t)(end - c2 - 1);
                        return c2 + 1;
                }
                line = *end ? end + 1 : end;
        }
        return NULL;
}

void cgroup_init(struct cgjoin *cj)
{
        cj->n = 0;
        cj->skipped_frozen = false;
        for (int i = 0; i < CGJOIN_MAX; i++)
                cj->fd[i] = -EBADF;
}

void cgroup_done(struct cgjoin *cj)
{
        for (int i = 0; i < cj->n; i++)
                cj->fd[i] = safe_close(cj->fd[i]);
        cj->n = 0;
}

int cgroup_open_target(struct cgjoin *cj, int proc_dirfd, int target_procfd, char *err, size_t errlen)
{
        _cleanup_free_ char *theirs = NULL, *ours = NULL, *mountinfo = NULL;
        int r;

        if ((r = read_file_at(target_procfd, "cgroup", &theirs, NULL)) < 0) {
                snprintf(err, errlen, "its cgroups: %s", strerror(-r));
                return r;
        }
        if ((r = read_file_at(proc_dirfd, "self/cgroup", &ours, NULL)) < 0 ||
            (r = read_file_at(proc_dirfd, "self/mountinfo", &mountinfo, NULL)) < 0) {
                snprintf(err, errlen, "our cgroups: %s", strerror(-r));
                return r;
        }
        for (const char *line = theirs; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                const char *next = *end ? end + 1 : end;
                if (!c2 || c2[1] != '/') {
                        line = next;
                        continue;
                }
                _cleanup_free_ char *ctl = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
                _cleanup_free_ char *path = strndup(c2 + 1, (size_t)(end - c2 - 1));
                _cleanup_free_ char *point = NULL, *root = NULL;
                if (!ctl || !path)
                        return -ENOMEM;
                line = next;
                /* already there: nothing to move (and a hierarchy we do not
                 * mount need not be found) */
                size_t olen;
                const char *own = line_for(ours, ctl, strlen(ctl), &olen);
                if (own && olen == strlen(path) && strncmp(own, path, olen) == 0)
                        continue;
                /* " (deleted)" or a path outside our namespace's view */
                if (strstr(path, "/..") || strchr(path, ' ')) {
                        snprintf(err, errlen, "its cgroup %s is not one we can reach", path);
                        return -ENOENT;
                }
                if ((r = find_hierarchy(mountinfo, ctl, &point, &root)) < 0) {
                        snprintf(err, errlen, "its cgroup hierarchy \"%s\" is not mounted here",
                                 *ctl ? ctl : "cgroup2");
                        return r;
                }
                /* the mount's root is a cgroup too: the path below it */
                const char *rel = path;
                size_t rl = strlen(root);
                if (strcmp(root, "/") != 0) {
                        if (strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0')) {
                                snprintf(err, errlen, "its cgroup %s is outside the %s mount", path, point);
                                return -ENOENT;
                        }
                        rel = path + rl;
                }
                if (cj->n == CGJOIN_MAX) {
                        snprintf(err, errlen, "it is in more than %d cgroup hierarchies", CGJOIN_MAX);
                        return -E2BIG;
                }
                _cleanup_free_ char *dirpath = NULL;
                if (asprintf(&dirpath, "%s%s", point, rel) < 0)
                        return -ENOMEM;
                struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
                _cleanup_close_ int dir = sys_openat2(AT_FDCWD, dirpath, &how, sizeof(how));
                if (dir < 0) {
                        r = -errno;
                        snprintf(err, errlen, "its cgroup %s: %s", dirpath, strerror(-r));
                        return r;
                }
                /* A paused container: the program would freeze before it ran,
                 * and nsattach waiting for it.  It stays out of that hierarchy
                 * (v2's, or v1's freezer), and is told so. */
                _cleanup_free_ char *state = NULL;
                if ((!*ctl && read_file_at(dir, "cgroup.events", &state, NULL) == 0 && strstr(state, "frozen 1")) ||
                    (*ctl && has_all(ctl, "freezer") && read_file_at(dir, "freezer.state", &state, NULL) == 0 &&
                     strncmp(state, "THAWED", 6) != 0)) {
                        cj->skipped_frozen = true;
                        continue;
                }
                int fd = openat(dir, "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0) {
                        r = -errno;
                        snprintf(err, errlen, "its cgroup %s: %s", dirpath, strerror(-r));
                        return r;
                }
                cj->fd[cj->n++] = fd;
        }
        return 0;
}

int cgroup_join(const struct cgjoin *cj)
{
        for (int i = 0; i < cj->n; i++) {
                int r = write_all(cj->fd[i], "0\n", 2);
                if (r < 0)
                        return r;
        }
        return 0;
}
