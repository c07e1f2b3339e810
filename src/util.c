/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostexec.h"
#include "missing.h"
#include "util.h"

int parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
        uint64_t v = 0;

        if (!s || !*s)
                return -EINVAL;
        for (const char *c = s; *c; c++) {
                if (*c < '0' || *c > '9')
                        return -EINVAL;
                unsigned d = (unsigned)(*c - '0');
                if (d > max || v > (max - d) / 10) /* max - d must not wrap where max < 9 */
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

int parse_pid(const char *s, pid_t *ret)
{
        uint64_t v;
        int r = parse_uint(s, INT_MAX, &v);

        if (r < 0)
                return r;
        if (v == 0)
                return -ERANGE; /* kill(0)/pid 0 means "my own group": never a target */
        *ret = (pid_t)v;
        return 0;
}

int parse_id(const char *s, uint32_t *ret)
{
        uint64_t v;
        /* (uid_t)-1 means "unchanged" to setresuid(): refuse it as an id. */
        int r = parse_uint(s, UINT32_MAX - 1, &v);

        if (r < 0)
                return r;
        *ret = (uint32_t)v;
        return 0;
}

int read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len)
{
        int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        size_t len = 0, size = 4096;
        char *buf = NULL;

        if (fd < 0)
                return -errno;
        for (;;) {
                if (len + 1 >= size || !buf) {
                        if (buf)
                                size *= 2;
                        if (size > (64u << 20)) { /* no state file is this large */
                                free(buf);
                                safe_close(fd);
                                return -EFBIG;
                        }
                        char *n = realloc(buf, size);
                        if (!n) {
                                free(buf);
                                safe_close(fd);
                                return -ENOMEM;
                        }
                        buf = n;
                }
                ssize_t k = read(fd, buf + len, size - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        free(buf);
                        safe_close(fd);
                        return r;
                }
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        safe_close(fd);
        buf[len] = '\0';
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                len -= (size_t)k;
        }
        return 0;
}

int fds_cloexec_from_3(int proc_dirfd)
{
        if (sys_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
                return 0;
        /* Before Linux 5.11: walk our fds in the host's /proc, while it is still
         * the host's (called before entering any namespace). */
        int dfd = openat(proc_dirfd, "self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                int r = -errno;
                safe_close(dfd);
                return r;
        }
        for (struct dirent *e; (e = readdir(d));) {
                uint64_t fd;
                if (parse_uint(e->d_name, INT_MAX, &fd) < 0 || fd < 3 || (int)fd == dirfd(d))
                        continue;
                int flags = fcntl((int)fd, F_GETFD);
                if (flags >= 0)
                        fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
        }
        closedir(d);
        return 0;
}

void close_from_3(void)
{
        (void)close_fds(3, ~0U);
}

void strip_controls(char *s, bool keep_nl)
{
        for (; *s; s++)
                if (((unsigned char)*s < 0x20 && *s != '\t' && !(keep_nl && *s == '\n')) || *s == 0x7f)
                        *s = '?';
}

int proc_status_value(const char *status, const char *key, char *ret, size_t len)
{
        size_t kl = strlen(key);

        for (const char *line = status; *line;) {
                size_t ll = strcspn(line, "\n");
                if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
                        const char *v = line + kl + 1 + strspn(line + kl + 1, "\t ");
                        size_t vl = ll - (size_t)(v - line);
                        if (vl >= len)
                                return -EIO;
                        memcpy(ret, v, vl);
                        ret[vl] = '\0';
                        return 0;
                }
                line += ll + (line[ll] ? 1 : 0);
        }
        return -EIO;
}

/* Does a cgroup file under root/path (a path of /proc/PID/cgroup) hold want? */
static bool cgroup_file_has(const char *root, const char *path, const char *file, const char *want)
{
        char p[PATH_MAX];
        _cleanup_free_ char *buf = NULL;

        if (strstr(path, "/../") || snprintf(p, sizeof(p), "%s%s/%s", root, path, file) >= (int)sizeof(p) ||
            read_file_at(AT_FDCWD, p, &buf, NULL) < 0)
                return false;
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): read_file_at() sets buf when it succeeds */
        return strstr(buf, want) != NULL;
}

/*
 * A paused container is a frozen cgroup: what the kernel says, whatever a
 * runtime wrote (podman and containerd keep their pause state in a database or
 * in memory).  cgroup v2's cgroup.events "frozen 1", or v1's freezer.state.
 */
bool proc_cgroup_frozen(int procfd)
{
        _cleanup_free_ char *cg = NULL;

        if (read_file_at(procfd, "cgroup", &cg, NULL) < 0)
                return false;
        for (char *line = cg, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = '\0';
                ctl++;
                if (!*ctl) { /* the unified hierarchy, alone or beside v1 ones */
                        if (cgroup_file_has("/sys/fs/cgroup", path, "cgroup.events", "frozen 1") ||
                            cgroup_file_has("/sys/fs/cgroup/unified", path, "cgroup.events", "frozen 1"))
                                return true;
                        continue;
                }
                char *save = NULL;
                for (char *c = strtok_r(ctl, ",", &save); c; c = strtok_r(NULL, ",", &save))
                        if (!strcmp(c, "freezer") &&
                            (cgroup_file_has("/sys/fs/cgroup/freezer", path, "freezer.state", "FROZEN") ||
                             cgroup_file_has("/sys/fs/cgroup/freezer", path, "freezer.state", "FREEZING")))
                                return true;
        }
        return false;
}

static char *title_area;
static size_t title_len;

void proctitle_init(int argc, char **argv)
{
        extern char **environ;
        if (argc < 1 || !argv[0])
                return;
        char *end = argv[0];
        /* the strings the kernel laid out one after the other: argv's, then
         * environ's; the area ends where they stop being contiguous */
        for (int i = 0; i < argc && argv[i] == end; i++)
                end = argv[i] + strlen(argv[i]) + 1;
        for (char **e = environ; e && *e && *e == end; e++)
                end = *e + strlen(*e) + 1;
        title_area = argv[0];
        title_len = (size_t)(end - argv[0]);
}

void proctitle_set(const char *fmt, ...)
{
        extern char **environ;
        va_list ap;
        if (!title_area || title_len < 2)
                return;
        char title[512]; /* first: the arguments may point into the area */
        va_start(ap, fmt);
        vsnprintf(title, sizeof(title), fmt, ap);
        va_end(ap);
        environ = NULL; /* its strings are about to be the title's */
        memset(title_area, 0, title_len);
        memcpy(title_area, title, strnlen(title, title_len - 1));
}

int verbosity;
static struct timespec started;

void trace_start(void)
{
        clock_gettime(CLOCK_MONOTONIC, &started);
}

void trace_step(const char *fmt, ...)
{
        struct timespec now;
        char line[512];
        va_list ap;

        if (verbosity <= 0)
                return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = (double)(now.tv_sec - started.tv_sec) * 1e3 + (double)(now.tv_nsec - started.tv_nsec) / 1e6;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        strip_controls(line, false);
        fprintf(stderr, "nsattach: +%.2f ms [%d] %s\n", ms, (int)getpid(), line);
}

void note(const char *fmt, ...)
{
        char line[512];
        va_list ap;

        if (verbosity < 0)
                return;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        strip_controls(line, false);
        fprintf(stderr, "nsattach: %s\n", line);
}
