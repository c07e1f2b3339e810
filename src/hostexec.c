/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exec of a host program inside the mnt view (see hostexec.h).  Linked into
 * nsattach and into the static trampoline that stands for every host command
 * in the view's PATH; it must not need anything but libc and the kernel.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hostexec.h"
#include "missing.h"

#ifndef NSATTACH_MULTIARCH
#define NSATTACH_MULTIARCH "unknown"
#endif

const char *const hostexec_path_dirs[] = { "usr/local/sbin", "usr/local/bin", "usr/sbin", "usr/bin",
                                           "sbin", "bin", NULL };

/* The host's library directories, as the host's loader would search them without its cache. */
#define L(d) HOSTEXEC_TREE d
static const char library_path[] =
        L("/lib/" NSATTACH_MULTIARCH) ":" L("/usr/lib/" NSATTACH_MULTIARCH) ":" L("/lib64") ":" L(
                "/usr/lib64") ":" L("/lib") ":" L("/usr/lib") ":" L("/usr/local/lib");
#undef L

#define MAX_DEPTH 4 /* nested "#!" interpreters, as the kernel allows a few */

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
        ssize_t k;

        do
                k = pread(fd, buf, len, off);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        return (size_t)k == len ? 0 : -ENOEXEC;
}

#define INTERP_FROM(Ehdr, Phdr)                                                                    \
        do {                                                                                       \
                Ehdr eh;                                                                           \
                if ((r = pread_full(fd, &eh, sizeof(eh), 0)) < 0)                                  \
                        return r;                                                                  \
                if (eh.e_phentsize != sizeof(Phdr) || eh.e_phnum > 512)                            \
                        return -ENOEXEC;                                                           \
                for (unsigned i = 0; i < eh.e_phnum; i++) {                                        \
                        Phdr ph;                                                                   \
                        if ((r = pread_full(fd, &ph, sizeof(ph),                                   \
                                            (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph)))) < 0)  \
                                return r;                                                          \
                        if (ph.p_type != PT_INTERP)                                                \
                                continue;                                                          \
                        if (ph.p_filesz < 2 || ph.p_filesz > len)                                  \
                                return -ENOEXEC;                                                   \
                        if ((r = pread_full(fd, ret, ph.p_filesz, (off_t)ph.p_offset)) < 0)        \
                                return r;                                                          \
                        if (ret[ph.p_filesz - 1] != '\0' || ret[0] != '/')                         \
                                return -ENOEXEC;                                                   \
                        return 1;                                                                  \
                }                                                                                  \
                return 0;                                                                          \
        } while (0)

int hostexec_interp(int fd, char *ret, size_t len)
{
        unsigned char ident[EI_NIDENT];
        int r;

        if ((r = pread_full(fd, ident, sizeof(ident), 0)) < 0)
                return r;
        if (memcmp(ident, ELFMAG, SELFMAG) != 0)
                return -ENOEXEC;
        if (ident[EI_CLASS] == ELFCLASS64)
                INTERP_FROM(Elf64_Ehdr, Elf64_Phdr);
        if (ident[EI_CLASS] == ELFCLASS32)
                INTERP_FROM(Elf32_Ehdr, Elf32_Phdr);
        return -ENOEXEC;
}

static size_t argv_len(char *const argv[])
{
        size_t n = 0;

        while (argv[n])
                n++;
        return n;
}

/* "#!interp [arg]" as the kernel splits it: one optional argument, the rest of the line. */
static int parse_shebang(char *line, char **ret_interp, char **ret_arg)
{
        char *nl = strchr(line, '\n');

        if (!nl)
                return -ENOEXEC;
        *nl = '\0';
        char *p = line + 2 + strspn(line + 2, " \t");
        char *end = p + strcspn(p, " \t");
        char *arg = NULL;
        if (*end) {
                *end = '\0';
                arg = end + 1 + strspn(end + 1, " \t");
                size_t l = strlen(arg);
                while (l > 0 && (arg[l - 1] == ' ' || arg[l - 1] == '\t'))
                        arg[--l] = '\0';
                if (!*arg)
                        arg = NULL;
        }
        if (*p != '/')
                return -ENOEXEC;
        *ret_interp = p;
        *ret_arg = arg;
        return 0;
}

/*
 * path, relative to HOSTEXEC_TREE, with every symlink followed as the host
 * would: an absolute target starts again at the tree (the host's
 * /usr/lib64/ld-linux-x86-64.so.2 points to /lib/..., Debian's alternatives
 * to /etc/alternatives/...), ".." stops at it.  The result has no symlink
 * left, so neither the kernel nor the loader resolves anything of it in the
 * container's root.
 */
int hostexec_resolve(const char *path, char *ret, size_t len)
{
        char done[PATH_MAX] = "", todo[PATH_MAX], link[PATH_MAX], full[PATH_MAX + sizeof(HOSTEXEC_TREE)];
        int links = 0;

        if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
                return -ENAMETOOLONG;
        for (char *rest = todo; *rest;) {
                char *c = rest + strspn(rest, "/");
                size_t cl = strcspn(c, "/");
                if (cl == 0)
                        break;
                rest = c + cl;
                if (cl == 1 && c[0] == '.')
                        continue;
                if (cl == 2 && c[0] == '.' && c[1] == '.') {
                        char *slash = strrchr(done, '/');
                        *(slash ? slash : done) = '\0';
                        continue;
                }
                size_t dl = strlen(done);
                if (dl + 1 + cl >= sizeof(done))
                        return -ENAMETOOLONG;
                done[dl] = '/';
                memcpy(done + dl + 1, c, cl);
                done[dl + 1 + cl] = '\0';
                snprintf(full, sizeof(full), "%s%s", HOSTEXEC_TREE, done);
                ssize_t k = readlink(full, link, sizeof(link) - 1);
                if (k < 0 && errno == EINVAL)
                        continue; /* not a symlink */
                if (k < 0) {
                        if (*rest && errno == ENOENT)
                                return -ENOENT;
                        continue; /* the last one: let the open say why */
                }
                if (++links > 40)
                        return -ELOOP;
                link[k] = '\0';
                done[dl] = '\0';
                if (link[0] == '/')
                        done[0] = '\0';
                char next[PATH_MAX];
                if (snprintf(next, sizeof(next), "%s/%s", link, rest) >= (int)sizeof(next))
                        return -ENAMETOOLONG;
                memcpy(todo, next, sizeof(next));
                rest = todo;
        }
        if (snprintf(ret, len, "%s%s", HOSTEXEC_TREE, *done ? done : "/") >= (int)len)
                return -ENAMETOOLONG;
        return 0;
}

static int exec_depth(const char *path, char *const argv[], char *const envp[], int depth)
{
        char interp[PATH_MAX], loader[PATH_MAX + sizeof(HOSTEXEC_TREE)];
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        int r;

        if (fd < 0)
                return -errno;
        r = hostexec_interp(fd, interp, sizeof(interp));
        if (r == -ENOEXEC && depth < MAX_DEPTH) {
                char line[256] = "";
                ssize_t k = pread(fd, line, sizeof(line) - 1, 0);
                char *sh, *arg;
                close(fd);
                if (k > 2 && line[0] == '#' && line[1] == '!' && parse_shebang(line, &sh, &arg) == 0 &&
                    hostexec_resolve(sh, loader, sizeof(loader)) == 0 && access(loader, X_OK) == 0) {
                        size_t n = argv_len(argv);
                        char **nargv = calloc(n + 4, sizeof(char *));
                        size_t j = 0;
                        if (!nargv)
                                return -ENOMEM;
                        nargv[j++] = sh;
                        if (arg)
                                nargv[j++] = arg;
                        nargv[j++] = (char *)path;
                        for (size_t i = 1; i < n; i++)
                                nargv[j++] = argv[i];
                        r = exec_depth(loader, nargv, envp, depth + 1);
                        free(nargv);
                        return r;
                }
                /* Not ELF, no host interpreter of that name: the kernel decides
                 * (an interpreter named by the script is then the container's). */
                execve(path, argv, envp);
                return -errno;
        }
        close(fd);
        if (r < 0)
                return r;
        if (r == 0) { /* static: nothing is looked up by path */
                execve(path, argv, envp);
                return -errno;
        }

        if ((r = hostexec_resolve(interp, loader, sizeof(loader))) < 0)
                return r;
        size_t n = argv_len(argv);
        char **nargv = calloc(n + 9, sizeof(char *));
        size_t j = 0;
        if (!nargv)
                return -ENOMEM;
        nargv[j++] = (char *)path;
        /* ld.so(8): --argv0 keeps the name the caller gave; --inhibit-cache keeps
         * the container's /etc/ld.so.cache (whose paths are the container's) unread. */
        nargv[j++] = (char *)"--argv0";
        nargv[j++] = argv[0] ? argv[0] : (char *)path;
        nargv[j++] = (char *)"--inhibit-cache";
        nargv[j++] = (char *)"--library-path";
        nargv[j++] = (char *)library_path;
        nargv[j++] = (char *)path;
        for (size_t i = 1; i < n; i++)
                nargv[j++] = argv[i];
        execve(loader, nargv, envp);
        r = -errno;
        free(nargv);
        return r;
}

int hostexec(const char *path, char *const argv[], char *const envp[])
{
        return exec_depth(path, argv, envp, 0);
}

/* Also the launcher's: it must close what it does not hand on before its fork. */
int close_fds(unsigned from, unsigned last)
{
        if (sys_close_range(from, last, 0) == 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;
        /*
         * Before Linux 5.9.  Not closefrom(), which lists /proc/self/fd: after
         * setns() that is the container's /proc, and a container can mount
         * anything there.  Every fd is close-on-exec already (fds_cloexec_from_3);
         * this makes them gone before exec as well.
         */
        struct rlimit rl;
        unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur : 65536;
        for (unsigned fd = from; fd <= last && fd < max; fd++)
                close((int)fd);
        return 0;
}
