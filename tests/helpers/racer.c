/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * racer [-f HOSTFILE] [-e MARKER] [-o LOG] [-t SECONDS] [-s] [-v]
 *
 * A hostile process for inside a container (SECURITY.md, T1-T4): it loops
 * over /proc and attacks every process that appears after it started (those
 * that were there before are the container's own; nsattach's come later):
 *
 *   root     open HOSTFILE (a path that only the host has) through /proc/P/root
 *   cwd      readlink and open /proc/P/cwd, list it
 *   fd       readlink and open /proc/P/fd/N
 *   exe      open /proc/P/exe for writing (never written); when the binary is
 *            busy (ETXTBSY), keep an O_PATH handle and retry through it on
 *            every pass, as runc CVE-2019-5736 did once the process is gone
 *   environ  read /proc/P/environ, looking for MARKER
 *   getfd    pidfd_open(P) and pidfd_getfd() of fds 0..15 and of those /proc/P/fd lists
 *   ptrace   attach (PTRACE_SEIZE: PTRACE_ATTACH's check without its SIGSTOP),
 *            hold it (PTRACE_INTERRUPT), look, and detach at once
 *   mem      read its memory through /proc/P/mem (what a tracer can do),
 *            looking for MARKER; once per process and program (comm)
 *
 * Processes it has attacked are attacked again on every pass while they live:
 * what a process holds changes over its life (before and after exec).  With
 * -s each pass stops the process (SIGSTOP) for the length of the attacks but
 * ptrace and continues it, which holds it at the stage it is at.
 *
 * An attack that passes the kernel's permission check is "allowed"; it is a
 * "hit" only when what it reached is the host's: HOSTFILE or MARKER, a file
 * or directory that is neither the container's own (the same inode at the
 * same path here) nor one of the read-only trees of nsattach's mnt view, a
 * /proc of another pid namespace, a pipe, socket or other handle beyond the
 * program's stdio (fds 0-2), the host binary opened for writing, or a traced
 * process that holds capabilities outside the container's bounding set or
 * runs a binary of the host's.  One line per hit on LOG (default: stdout),
 * once per process, kind and fd, with where the process was at the time:
 *
 *   HIT KIND PID DETAIL [comm=... state=... uid=... capprm=... capeff=... nspid=... exe=... syscall=N wchan=...]
 *
 * and a summary when it gets SIGTERM/SIGINT or after SECONDS:
 *
 *   SUMMARY passes=N newpids=N tries=N allowed=N hits=N exe_write_tries=N exe_write_ok=N comms=NAME:N,...
 *   KIND K tries=N allowed=N hits=N errors=ENAME:N,...
 *
 * With -v, what it reached that is not the host's is told too, once per
 * process, kind and fd ("REACHED KIND PID DETAIL (comm)"): what the
 * classification let through, to be read by a person.
 *
 * It starts with "START pid=N old=N bnd=CAPS" once it knows what to spare.  Static, so
 * that it runs in any container; every error of an attack is counted, never
 * fatal.
 */
#define _GNU_SOURCE /* built on its own (static), without the project's flags */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#define MAX_OLD 4096
#define MAX_VICTIMS 1024
#define MAX_EXE 64
#define MAX_COMMS 32
#define MAX_ERRNOS 12
#define FD_PROBE 16 /* fds probed blindly, whether or not /proc/P/fd can be listed */
#define FD_LISTED 256

enum kind { K_ROOT, K_CWD, K_FD, K_EXE, K_ENVIRON, K_GETFD, K_PTRACE, K_MEM, _K_MAX };
static const char *const kind_name[_K_MAX] = { "root", "cwd", "fd", "exe", "environ", "getfd", "ptrace", "mem" };

struct stats {
        unsigned long tries, allowed, hits;
        int err[MAX_ERRNOS];
        unsigned long err_n[MAX_ERRNOS];
};

struct proc_id {
        pid_t pid;
        unsigned long long start; /* field 22 of /proc/P/stat: with the pid, one process */
};

struct victim {
        struct proc_id id;
        char comm[16];
        unsigned long rounds;
        unsigned long seen_pass; /* the last pass that found it */
        uint64_t reported[_K_MAX]; /* hits already told: bit N for fd N, bit 63 for the rest */
        uint64_t noted[_K_MAX];    /* the same for -v */
        char mem_comm[16];         /* the program whose memory was read already */
};

struct exe_handle {
        int fd; /* O_PATH */
        dev_t dev;
        ino_t ino;
        pid_t pid;
        char comm[16];
        char link[160];
        bool writable; /* told already: no need to try again */
};

static struct stats stats[_K_MAX];
static struct proc_id old[MAX_OLD];
static size_t n_old;
static struct victim victims[MAX_VICTIMS];
static size_t n_victims;
static struct exe_handle exes[MAX_EXE];
static size_t n_exes;
static pid_t attached[MAX_VICTIMS]; /* traced, not yet detached: it was not stopped in time */
static size_t n_attached;
static struct {
        char name[16];
        unsigned long n;
} comms[MAX_COMMS];
static size_t n_comms;

static const char *hostfile;
static const char *marker;
static bool stop_mode;
static bool verbose;
static int log_fd = 1;
static pid_t self;
static dev_t own_proc_dev;
static uint64_t own_bnd; /* the container's bounding set, as ours */
static unsigned long passes, newpids, exe_write_tries, exe_write_ok;
static volatile sig_atomic_t done;

static void on_signal(int sig)
{
        (void)sig;
        done = 1;
}

/* One write(2) per line, so that a reader of LOG never sees half of one. */
static void out(const char *fmt, ...)
{
        char line[2048];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n >= sizeof(line) - 1)
                n = sizeof(line) - 2;
        line[n++] = '\n';
        while (write(log_fd, line, (size_t)n) < 0 && errno == EINTR)
                ;
}

/* Non-printable bytes would break the one-line format. */
static void sanitize(char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
                        *s = '?';
}

static void count_errno(enum kind k, int e)
{
        struct stats *s = &stats[k];

        for (int i = 0; i < MAX_ERRNOS; i++) {
                if (s->err_n[i] && s->err[i] == e) {
                        s->err_n[i]++;
                        return;
                }
                if (!s->err_n[i]) {
                        s->err[i] = e;
                        s->err_n[i] = 1;
                        return;
                }
        }
}

static ssize_t read_at(const char *path, char *buf, size_t len)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        size_t got = 0;

        if (fd < 0)
                return -1;
        while (got < len - 1) {
                ssize_t k = read(fd, buf + got, len - 1 - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += (size_t)k;
        }
        close(fd);
        buf[got] = '\0';
        return (ssize_t)got;
}

static bool read_start(pid_t pid, unsigned long long *ret, char comm[16])
{
        char path[64], buf[1024];

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        if (read_at(path, buf, sizeof(buf)) <= 0)
                return false;
        /* comm may hold spaces and parentheses: the fields follow the last ')' */
        char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
        if (!open_paren || !close_paren || close_paren < open_paren)
                return false;
        if (comm) {
                size_t l = (size_t)(close_paren - open_paren - 1);
                if (l > 15)
                        l = 15;
                memcpy(comm, open_paren + 1, l);
                comm[l] = '\0';
                sanitize(comm);
        }
        char *f = close_paren + 2;
        if (*f == 'Z' || *f == 'X')
                return false; /* dead, whatever its parent does: nothing is left to attack */
        for (int field = 3; field < 22; field++) {
                f = strchr(f, ' ');
                if (!f)
                        return false;
                f++;
        }
        *ret = strtoull(f, NULL, 10);
        return true;
}

static bool status_hex(const char *status, const char *key, uint64_t *ret)
{
        const char *p = strstr(status, key);

        if (!p)
                return false;
        *ret = strtoull(p + strlen(key), NULL, 16);
        return true;
}

/* A field of /proc/P/status, up to the end of its line. */
static void status_field(const char *status, const char *key, char *ret, size_t len)
{
        const char *p = strstr(status, key);
        size_t l;

        ret[0] = '\0';
        if (!p)
                return;
        p += strlen(key);
        p += strspn(p, " \t");
        l = strcspn(p, "\n");
        if (l >= len)
                l = len - 1;
        memcpy(ret, p, l);
        ret[l] = '\0';
        for (char *c = ret; *c; c++)
                if (*c == '\t')
                        *c = ' ';
}

/* Where the process was when it was reached: what the owner of the hole needs to know. */
static void stage(pid_t pid, char *ret, size_t len)
{
        char path[64], status[4096], comm[64], state[32], uid[64], prm[32], eff[32], nspid[64], exe[160];
        char sc[64] = "", wchan[64] = "";
        ssize_t k;

        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        if (read_at(path, status, sizeof(status)) <= 0)
                status[0] = '\0';
        status_field(status, "Name:", comm, sizeof(comm));
        status_field(status, "State:", state, sizeof(state));
        status_field(status, "Uid:", uid, sizeof(uid));
        status_field(status, "CapPrm:", prm, sizeof(prm));
        status_field(status, "CapEff:", eff, sizeof(eff));
        status_field(status, "NSpid:", nspid, sizeof(nspid));
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        k = readlink(path, exe, sizeof(exe) - 1);
        if (k < 0)
                snprintf(exe, sizeof(exe), "(%s)", strerror(errno));
        else
                exe[k] = '\0';
        /* the system call it is in (the number only), and where it sleeps: the stage of its code */
        snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
        if (read_at(path, sc, sizeof(sc)) > 0)
                sc[strcspn(sc, " \n")] = '\0';
        snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
        if (read_at(path, wchan, sizeof(wchan)) <= 0)
                wchan[0] = '\0';
        snprintf(ret, len, "[comm=%s state=%s uid=%s capprm=%s capeff=%s nspid=%s exe=%s syscall=%s wchan=%s]", comm,
                 state, uid, prm, eff, nspid, exe, sc, wchan);
        sanitize(ret);
}

static struct victim *current; /* the one being attacked */

/* One line per hit, once per process, kind and fd: a hole is usually there on every pass. */
static void hit(enum kind k, pid_t pid, int fd, const char *fmt, ...)
{
        char detail[1024], where[1024];
        uint64_t bit = UINT64_C(1) << (fd >= 0 && fd < 63 ? fd : 63);
        va_list ap;

        if (current) {
                if (current->reported[k] & bit)
                        return;
                current->reported[k] |= bit;
        }
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        sanitize(detail);
        stage(pid, where, sizeof(where));
        stats[k].hits++;
        out("HIT %s %d %s %s", kind_name[k], pid, detail, where);
}

/* -v: an attack that got through to something that is not the host's. */
static void reached(enum kind k, pid_t pid, int fd, const char *fmt, ...)
{
        char detail[1024];
        uint64_t bit = UINT64_C(1) << (fd >= 0 && fd < 63 ? fd : 63);
        va_list ap;

        if (!verbose || !current || (current->noted[k] & bit))
                return;
        current->noted[k] |= bit;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        sanitize(detail);
        out("REACHED %s %d %s (%s)", kind_name[k], pid, detail, current->comm);
}

/* The result of one attempt: -1 and errno counted, or 0 (allowed). */
static int tried(enum kind k, int r)
{
        stats[k].tries++;
        if (r < 0) {
                count_errno(k, errno);
                return -1;
        }
        stats[k].allowed++;
        return 0;
}

/* HOSTFILE from a directory of the host: through a directory at any level of its path. */
static bool hostfile_below(int dirfd)
{
        if (!hostfile)
                return false;
        for (const char *rel = hostfile; rel; rel = strchr(rel + 1, '/')) {
                const char *r = rel + strspn(rel, "/");
                if (!*r)
                        break;
                int f = openat(dirfd, r, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (f >= 0) {
                        close(f);
                        return true;
                }
        }
        return false;
}

/*
 * What a /proc of another pid namespace (the host's, as a rule) gives: how many
 * processes it lists, and whether HOSTFILE opens through the root of one of
 * them called nsattach (the waiting parent, on the host).  Only nsattach's own
 * processes are looked into.  Once per file system: it is the same every time.
 */
static void proc_evidence(int fd, dev_t dev, char *ret, size_t len)
{
        static dev_t cached_dev;
        static char cached[256];
        int root, n = 0;
        long found = 0;
        DIR *d;
        struct dirent *e;

        if (cached[0] && cached_dev == dev) {
                snprintf(ret, len, "%s", cached);
                return;
        }
        /* the root of that /proc, from a directory in it (/proc/PID) or itself */
        if (faccessat(fd, "self", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                root = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else
                root = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        d = root >= 0 ? fdopendir(root) : NULL;
        if (!d) {
                if (root >= 0)
                        close(root);
                snprintf(ret, len, "not listable");
                return;
        }
        while ((e = readdir(d))) {
                char *end, rel[PATH_MAX], comm[32];
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 0)
                        continue;
                n++;
                if (found || !hostfile)
                        continue;
                snprintf(rel, sizeof(rel), "%ld/comm", pid);
                int c = openat(dirfd(d), rel, O_RDONLY | O_CLOEXEC);
                ssize_t k = c >= 0 ? read(c, comm, sizeof(comm) - 1) : -1;
                if (c >= 0)
                        close(c);
                if (k <= 0 || (comm[k] = '\0', strcmp(comm, "nsattach\n") != 0))
                        continue;
                if (snprintf(rel, sizeof(rel), "%ld/root%s", pid, hostfile) >= (int)sizeof(rel))
                        continue;
                int f = openat(dirfd(d), rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (f >= 0) {
                        found = pid;
                        close(f);
                }
        }
        closedir(d);
        if (found)
                snprintf(cached, sizeof(cached), "it lists %d processes, and %s opens through its %ld/root (nsattach)",
                         n, hostfile, found);
        else
                snprintf(cached, sizeof(cached), "it lists %d processes", n);
        cached_dev = dev;
        snprintf(ret, len, "%s", cached);
}

/*
 * Is the object behind fd the host's?  link is what readlink() said of it
 * (the path as the process sees it); stdio says whether it was one of the
 * fds 0-2 nsattach hands to the program: what the caller gave it (a pipe, a
 * socket, a terminal, /dev/null) is the program's to use, wherever it runs.
 * Returns true for a hit, and what it is.
 */
static bool host_object(int fd, const char *link, bool stdio, char *what, size_t len)
{
        struct stat st, own;
        struct statfs sfs;
        struct statvfs svfs;

        if (fstat(fd, &st) < 0) {
                snprintf(what, len, "unknown (fstat: %s)", strerror(errno));
                return true;
        }
        if (stdio && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))) {
                snprintf(what, len, "stdio");
                return false;
        }
        /* the container's own file, at the same path here */
        if (link[0] == '/' && stat(link, &own) == 0 && own.st_dev == st.st_dev && own.st_ino == st.st_ino) {
                snprintf(what, len, "container");
                return false;
        }
        if (S_ISDIR(st.st_mode) && hostfile_below(fd)) {
                snprintf(what, len, "host directory (%s reachable below it)", hostfile);
                return true;
        }
        if (fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC && st.st_dev != own_proc_dev) {
                char evidence[256];
                proc_evidence(fd, st.st_dev, evidence, sizeof(evidence));
                snprintf(what, len, "a /proc that is not the container's: %s", evidence);
                return true;
        }
        /* nsattach's mnt view: its root and the host's trees, read-only by design (SPEC 6) */
        if (fstatvfs(fd, &svfs) == 0 && (svfs.f_flag & ST_RDONLY) &&
            (strcmp(link, "/") == 0 || strncmp(link, "/.nsattach/", 11) == 0 || strcmp(link, "/.nsattach") == 0)) {
                snprintf(what, len, "read-only view");
                return false;
        }
        snprintf(what, len, "host object (mode %o dev %u:%u ino %llu)", (unsigned)st.st_mode, major(st.st_dev),
                 minor(st.st_dev), (unsigned long long)st.st_ino);
        return true;
}

static void attack_root(pid_t pid)
{
        char path[PATH_MAX + 64], buf[256];
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/root", pid);
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (tried(K_ROOT, fd) < 0)
                return;
        close(fd);
        if (!hostfile)
                return;
        snprintf(path, sizeof(path), "/proc/%d/root%s", pid, hostfile);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                reached(K_ROOT, pid, -1, "/proc/%d/root opens, %s does not (%s)", pid, hostfile, strerror(errno));
                return;
        }
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[k > 0 ? k : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        hit(K_ROOT, pid, -1, "read %s through /proc/%d/root: \"%s\"", hostfile, pid, buf);
}

static void list_dir(int fd, char *ret, size_t len)
{
        int d = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *dir = d >= 0 ? fdopendir(d) : NULL;
        struct dirent *e;
        size_t used = 0;
        int n = 0;

        ret[0] = '\0';
        if (!dir) {
                if (d >= 0)
                        close(d);
                return;
        }
        while ((e = readdir(dir)) && n < 12) {
                if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
                        continue;
                int w = snprintf(ret + used, len - used, "%s%s", n ? "," : "", e->d_name);
                if (w < 0 || (size_t)w >= len - used)
                        break;
                used += (size_t)w;
                n++;
        }
        closedir(dir);
}

static void attack_cwd(pid_t pid)
{
        char path[64], link[PATH_MAX], what[512], names[512];
        ssize_t k;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
        k = readlink(path, link, sizeof(link) - 1);
        link[k > 0 ? k : 0] = '\0';
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (tried(K_CWD, fd) < 0)
                return;
        bool host = host_object(fd, link, false, what, sizeof(what));
        list_dir(fd, names, sizeof(names));
        if (host)
                hit(K_CWD, pid, -1, "cwd %s: %s, lists {%s}", link, what, names);
        else
                reached(K_CWD, pid, -1, "cwd %s: %s, lists {%s}", link, what, names);
        close(fd);
}

static void attack_one_fd(pid_t pid, int n)
{
        char path[64], link[PATH_MAX], what[512];
        ssize_t k;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, n);
        k = readlink(path, link, sizeof(link) - 1);
        if (k < 0 && errno == ENOENT)
                return; /* no such fd: nothing was tried */
        link[k > 0 ? k : 0] = '\0';
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 && errno == ENXIO && k > 0) {
                /* a socket: readlink got through, open cannot; pidfd_getfd will */
                tried(K_FD, 0);
                return;
        }
        if (tried(K_FD, fd) < 0)
                return;
        if (host_object(fd, link, n <= 2, what, sizeof(what)))
                hit(K_FD, pid, n, "opened /proc/%d/fd/%d -> %s: %s", pid, n, link, what);
        else
                reached(K_FD, pid, n, "opened /proc/%d/fd/%d -> %s: %s", pid, n, link, what);
        close(fd);
}

/* The fds /proc/P/fd listed last, for pidfd_getfd(): the ones above FD_PROBE too. */
static int listed_fds[FD_LISTED];
static int n_listed_fds;

static void attack_fds(pid_t pid)
{
        char path[64];
        bool probed[FD_PROBE] = { false };
        DIR *dir;
        struct dirent *e;
        int listed = 0;

        snprintf(path, sizeof(path), "/proc/%d/fd", pid);
        n_listed_fds = 0;
        dir = opendir(path);
        if (dir) {
                while ((e = readdir(dir)) && listed < FD_LISTED) {
                        char *end;
                        long n = strtol(e->d_name, &end, 10);
                        if (*end || n < 0 || n > INT_MAX)
                                continue;
                        if (n < FD_PROBE)
                                probed[n] = true;
                        else
                                listed_fds[n_listed_fds++] = (int)n;
                        attack_one_fd(pid, (int)n);
                        listed++;
                }
                closedir(dir);
        }
        /* unlisted (the directory may be closed to us when a file is not) */
        for (int n = 0; n < FD_PROBE; n++)
                if (!probed[n])
                        attack_one_fd(pid, n);
}

static void keep_exe(pid_t pid, const char *comm)
{
        char path[64], link[160];
        struct stat st;
        ssize_t k;
        int fd;

        if (n_exes >= MAX_EXE)
                return;
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return;
        }
        for (size_t i = 0; i < n_exes; i++)
                if (exes[i].dev == st.st_dev && exes[i].ino == st.st_ino) {
                        close(fd);
                        return;
                }
        k = readlink(path, link, sizeof(link) - 1);
        link[k > 0 ? k : 0] = '\0';
        exes[n_exes] = (struct exe_handle){ .fd = fd, .dev = st.st_dev, .ino = st.st_ino, .pid = pid };
        snprintf(exes[n_exes].comm, sizeof(exes[n_exes].comm), "%s", comm);
        snprintf(exes[n_exes].link, sizeof(exes[n_exes].link), "%s", link);
        sanitize(exes[n_exes].link);
        n_exes++;
}

static void attack_exe(pid_t pid, const char *comm)
{
        char path[64], link[160];
        ssize_t k;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        exe_write_tries++;
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 && errno == ETXTBSY)
                keep_exe(pid, comm); /* allowed, but busy: try again once it is not */
        if (tried(K_EXE, fd) < 0)
                return;
        exe_write_ok++;
        k = readlink(path, link, sizeof(link) - 1);
        link[k > 0 ? k : 0] = '\0';
        hit(K_EXE, pid, -1, "opened /proc/%d/exe -> %s for writing", pid, link);
        close(fd);
}

/* CVE-2019-5736: the binary is writable once nobody runs it any more. */
static void reopen_exes(void)
{
        for (size_t i = 0; i < n_exes; i++) {
                char path[64];
                if (exes[i].writable)
                        continue;
                snprintf(path, sizeof(path), "/proc/self/fd/%d", exes[i].fd);
                exe_write_tries++;
                int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (tried(K_EXE, fd) < 0)
                        continue;
                exe_write_ok++;
                exes[i].writable = true;
                stats[K_EXE].hits++;
                out("HIT exe %d reopened %s (the exe of pid %d, comm %s) for writing", exes[i].pid, exes[i].link,
                    exes[i].pid, exes[i].comm);
                close(fd);
        }
}

static void attack_environ(pid_t pid)
{
        static char buf[128 * 1024];
        char path[64];
        size_t got = 0;
        int fd;

        snprintf(path, sizeof(path), "/proc/%d/environ", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                /* the permission check is on read as well as on open */
                ssize_t k = read(fd, buf, sizeof(buf) - 1);
                if (k < 0) {
                        int e = errno;
                        close(fd);
                        fd = -1;
                        errno = e;
                } else {
                        got = (size_t)k;
                        while (got < sizeof(buf) - 1 && (k = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                                got += (size_t)k;
                }
        }
        if (tried(K_ENVIRON, fd) < 0)
                return;
        close(fd);
        if (marker && got && memmem(buf, got, marker, strlen(marker)))
                hit(K_ENVIRON, pid, -1, "/proc/%d/environ holds the marker", pid);
        else
                reached(K_ENVIRON, pid, -1, "/proc/%d/environ read (%zu bytes), no marker", pid, got);
}

#define MEM_CHUNK (1024 * 1024)
#define MEM_MAX (256L * 1024 * 1024)

/* Is MARKER anywhere in the memory of the process?  Its readable mappings, as /proc/P/maps lists them. */
static void attack_mem(struct victim *v)
{
        static char buf[MEM_CHUNK];
        char path[64], line[512];
        pid_t pid = v->id.pid;
        size_t ml = marker ? strlen(marker) : 0;
        long total = 0;
        FILE *maps;
        int fd;

        if (!ml || ml > 4096 || strcmp(v->mem_comm, v->comm) == 0)
                return;
        snprintf(path, sizeof(path), "/proc/%d/mem", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (tried(K_MEM, fd) < 0)
                return;
        snprintf(v->mem_comm, sizeof(v->mem_comm), "%s", v->comm);
        snprintf(path, sizeof(path), "/proc/%d/maps", pid);
        maps = fopen(path, "re");
        while (maps && fgets(line, sizeof(line), maps) && total < MEM_MAX) {
                unsigned long start, end;
                char perms[8], name[256] = "";
                if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &start, &end, perms, name) < 3 ||
                    perms[0] != 'r' || strstr(name, "[vvar") || strcmp(name, "[vsyscall]") == 0)
                        continue;
                /* chunks overlapping by the marker's length, so that none is cut in two */
                for (unsigned long a = start; a < end && total < MEM_MAX; a += MEM_CHUNK - ml) {
                        size_t want = end - a < MEM_CHUNK ? end - a : MEM_CHUNK;
                        ssize_t k = pread(fd, buf, want, (off_t)a);
                        if (k <= 0)
                                break;
                        total += k;
                        char *at = memmem(buf, (size_t)k, marker, ml);
                        if (at) {
                                hit(K_MEM, pid, -1, "the marker is in its memory at %lx (%s)",
                                    a + (unsigned long)(at - buf), name[0] ? name : "anonymous");
                                goto out;
                        }
                        if ((size_t)k < want)
                                break;
                }
        }
        reached(K_MEM, pid, -1, "/proc/%d/mem read (%ld bytes), no marker", pid, total);
out:
        if (maps)
                fclose(maps);
        close(fd);
}

static void attack_getfd(pid_t pid)
{
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

        if (pidfd < 0) {
                tried(K_GETFD, -1);
                return;
        }
        for (int i = 0; i < FD_PROBE + n_listed_fds; i++) {
                int n = i < FD_PROBE ? i : listed_fds[i - FD_PROBE];
                int fd = (int)syscall(SYS_pidfd_getfd, pidfd, n, 0);
                char path[64], link[PATH_MAX], what[512];
                ssize_t k;

                if (fd < 0 && errno == EBADF) {
                        /* past the permission check: the fd is not open */
                        stats[K_GETFD].tries++;
                        stats[K_GETFD].allowed++;
                        continue;
                }
                if (tried(K_GETFD, fd) < 0) {
                        if (errno == EPERM || errno == ESRCH || errno == ENOSYS)
                                break; /* the same for every fd */
                        continue;
                }
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
                k = readlink(path, link, sizeof(link) - 1);
                link[k > 0 ? k : 0] = '\0';
                if (host_object(fd, link, n <= 2, what, sizeof(what)))
                        hit(K_GETFD, pid, n, "pidfd_getfd(%d, %d) -> %s: %s", pid, n, link, what);
                else
                        reached(K_GETFD, pid, n, "pidfd_getfd(%d, %d) -> %s: %s", pid, n, link, what);
                close(fd);
        }
        close(pidfd);
}

/* Lets a tracee we hold go, with the signal it was stopped for, if any, still to come. */
static bool detach(pid_t pid, int st)
{
        int sig = WIFSTOPPED(st) && (st >> 16) == 0 ? WSTOPSIG(st) : 0; /* a signal-delivery-stop */

        return ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig) == 0;
}

/*
 * PTRACE_SEIZE has the permission check of PTRACE_ATTACH (ptrace_attach(),
 * PTRACE_MODE_ATTACH_REALCREDS) without its SIGSTOP; PTRACE_INTERRUPT then
 * holds the tracee while we look at what it has.  Never done while the
 * process is in a group stop: attaching to one as it entered it has left
 * tracer and tracee stuck in the kernel here.
 */
static void attack_ptrace(pid_t pid)
{
        char path[64], link[PATH_MAX], what[512], status[4096];
        uint64_t prm = 0;
        bool stopped = false;
        int st = 0, fd;

        if (tried(K_PTRACE, (int)ptrace(PTRACE_SEIZE, pid, NULL, NULL)) < 0)
                return;
        ptrace(PTRACE_INTERRUPT, pid, NULL, NULL);
        for (int i = 0; i < 500; i++) {
                pid_t w = waitpid(pid, &st, __WALL | WNOHANG);
                if (w == pid && !WIFSTOPPED(st))
                        return; /* it is gone, and we are no longer its tracer */
                if (w == pid || (w < 0 && errno != EINTR)) {
                        stopped = w == pid;
                        break;
                }
                struct timespec ts = { 0, 100000 };
                nanosleep(&ts, NULL);
        }
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        if (read_at(path, status, sizeof(status)) > 0 && status_hex(status, "CapPrm:", &prm) && (prm & ~own_bnd))
                hit(K_PTRACE, pid, -1, "attached to a process with capabilities %llx beyond the container's %llx",
                    (unsigned long long)prm, (unsigned long long)own_bnd);
        else {
                snprintf(path, sizeof(path), "/proc/%d/exe", pid);
                ssize_t k = readlink(path, link, sizeof(link) - 1);
                link[k > 0 ? k : 0] = '\0';
                fd = open(path, O_PATH | O_CLOEXEC);
                if (fd >= 0 && host_object(fd, link, false, what, sizeof(what)))
                        hit(K_PTRACE, pid, -1, "attached to a process running %s: %s", link, what);
                else if (fd >= 0)
                        reached(K_PTRACE, pid, -1, "attached to a process running %s: %s", link, what);
                if (fd >= 0)
                        close(fd);
        }
        if ((!stopped || !detach(pid, st)) && n_attached < MAX_VICTIMS)
                attached[n_attached++] = pid;
}

static bool is_old(const struct proc_id *id)
{
        for (size_t i = 0; i < n_old; i++)
                if (old[i].pid == id->pid && old[i].start == id->start)
                        return true;
        return false;
}

static void count_comm(const char *comm)
{
        for (size_t i = 0; i < n_comms; i++)
                if (strcmp(comms[i].name, comm) == 0) {
                        comms[i].n++;
                        return;
                }
        if (n_comms < MAX_COMMS) {
                snprintf(comms[n_comms].name, sizeof(comms[n_comms].name), "%s", comm);
                comms[n_comms++].n = 1;
        }
}

static struct victim *victim_of(const struct proc_id *id, const char *comm)
{
        for (size_t i = 0; i < n_victims; i++)
                if (victims[i].id.pid == id->pid && victims[i].id.start == id->start) {
                        victims[i].seen_pass = passes;
                        /* a new comm is a new stage (exec) of the same process */
                        if (strcmp(victims[i].comm, comm) != 0) {
                                snprintf(victims[i].comm, sizeof(victims[i].comm), "%s", comm);
                                count_comm(comm);
                        }
                        return &victims[i];
                }
        /* the slot of a process that two passes did not find: gone, or a pid reused */
        size_t slot = n_victims;
        for (size_t i = 0; i < n_victims; i++)
                if (victims[i].seen_pass + 1 < passes) {
                        slot = i;
                        break;
                }
        if (slot == MAX_VICTIMS)
                return NULL;
        if (slot == n_victims)
                n_victims++;
        victims[slot] = (struct victim){ .id = *id, .seen_pass = passes };
        snprintf(victims[slot].comm, sizeof(victims[slot].comm), "%s", comm);
        newpids++;
        count_comm(comm);
        return &victims[slot];
}

static void wait_stopped(pid_t pid)
{
        char path[64], buf[1024];

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        for (int i = 0; i < 50; i++) {
                if (read_at(path, buf, sizeof(buf)) <= 0)
                        return;
                char *p = strrchr(buf, ')');
                if (!p || p[1] != ' ' || p[2] == 'T' || p[2] == 't' || p[2] == 'Z' || p[2] == 'X')
                        return;
                struct timespec ts = { 0, 20000 };
                nanosleep(&ts, NULL);
        }
}

static void attack(struct victim *v)
{
        pid_t pid = v->id.pid;

        v->rounds++;
        current = v;
        if (stop_mode && kill(pid, SIGSTOP) == 0)
                wait_stopped(pid);
        attack_root(pid);
        attack_cwd(pid);
        attack_fds(pid);
        attack_exe(pid, v->comm);
        attack_environ(pid);
        attack_getfd(pid);
        attack_mem(v);
        if (stop_mode)
                kill(pid, SIGCONT); /* wakes it at once: it is out of the group stop when this returns */
        attack_ptrace(pid);
        current = NULL;
}

/* Calls fn for every process in our /proc but us. */
static void each_process(void (*fn)(const struct proc_id *, const char *))
{
        DIR *d = opendir("/proc");
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d))) {
                char *end, comm[16];
                long pid = strtol(e->d_name, &end, 10);
                struct proc_id id;
                if (*end || pid <= 0 || pid == self)
                        continue;
                id.pid = (pid_t)pid;
                if (!read_start(id.pid, &id.start, comm))
                        continue; /* gone already */
                fn(&id, comm);
        }
        closedir(d);
}

static void remember_old(const struct proc_id *id, const char *comm)
{
        (void)comm;
        if (n_old < MAX_OLD)
                old[n_old++] = *id;
}

static void visit(const struct proc_id *id, const char *comm)
{
        if (is_old(id))
                return;
        struct victim *v = victim_of(id, comm);
        if (v)
                attack(v);
}

/* A tracee left traced would stop for good at its next signal: detach it as soon as it is stopped. */
static void detach_pending(void)
{
        size_t keep = 0;

        for (size_t i = 0; i < n_attached; i++) {
                pid_t pid = attached[i];
                int st = 0;
                pid_t w = waitpid(pid, &st, __WALL | WNOHANG);
                if ((w == pid && (!WIFSTOPPED(st) || detach(pid, st))) || kill(pid, 0) < 0)
                        continue;
                attached[keep++] = pid;
        }
        n_attached = keep;
}

static void one_pass(void)
{
        detach_pending();
        each_process(visit);
        reopen_exes();
        passes++;
}

static const char *errno_name(int e)
{
        switch (e) {
        case EPERM: return "EPERM";
        case ENOENT: return "ENOENT";
        case ESRCH: return "ESRCH";
        case EACCES: return "EACCES";
        case EBADF: return "EBADF";
        case ENXIO: return "ENXIO";
        case ETXTBSY: return "ETXTBSY";
        case EROFS: return "EROFS";
        case ENOSYS: return "ENOSYS";
        case EINVAL: return "EINVAL";
        case ENOTDIR: return "ENOTDIR";
        case ELOOP: return "ELOOP";
        case EISDIR: return "EISDIR";
        case EBUSY: return "EBUSY";
        default: return NULL;
        }
}

static void summary(void)
{
        char cl[1024] = "";
        size_t used = 0;
        unsigned long tries = 0, allowed = 0, hits = 0;

        for (size_t i = 0; i < n_comms; i++) {
                int w = snprintf(cl + used, sizeof(cl) - used, "%s%s:%lu", i ? "," : "", comms[i].name, comms[i].n);
                if (w < 0 || (size_t)w >= sizeof(cl) - used)
                        break;
                used += (size_t)w;
        }
        for (int k = 0; k < _K_MAX; k++) {
                tries += stats[k].tries;
                allowed += stats[k].allowed;
                hits += stats[k].hits;
        }
        for (int k = 0; k < _K_MAX; k++) {
                char el[512] = "";
                size_t u = 0;
                for (int i = 0; i < MAX_ERRNOS && stats[k].err_n[i]; i++) {
                        const char *name = errno_name(stats[k].err[i]);
                        char num[16];
                        if (!name) {
                                snprintf(num, sizeof(num), "E%d", stats[k].err[i]);
                                name = num;
                        }
                        int w = snprintf(el + u, sizeof(el) - u, "%s%s:%lu", i ? "," : "", name, stats[k].err_n[i]);
                        if (w < 0 || (size_t)w >= sizeof(el) - u)
                                break;
                        u += (size_t)w;
                }
                out("KIND %s tries=%lu allowed=%lu hits=%lu errors=%s", kind_name[k], stats[k].tries,
                    stats[k].allowed, stats[k].hits, el);
        }
        out("SUMMARY passes=%lu newpids=%lu tries=%lu allowed=%lu hits=%lu exe_write_tries=%lu exe_write_ok=%lu "
            "comms=%s",
            passes, newpids, tries, allowed, hits, exe_write_tries, exe_write_ok, cl);
}

static void usage(void)
{
        fprintf(stderr, "usage: racer [-f HOSTFILE] [-e MARKER] [-o LOG] [-t SECONDS] [-s] [-v]\n");
        exit(2);
}

int main(int argc, char **argv)
{
        struct sigaction sa = { .sa_handler = on_signal };
        unsigned seconds = 0;
        char status[4096];
        struct stat st;
        int opt;

        while ((opt = getopt(argc, argv, "f:e:o:t:sv")) != -1) {
                switch (opt) {
                case 'f':
                        hostfile = optarg;
                        break;
                case 'e':
                        marker = optarg;
                        break;
                case 'o':
                        log_fd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
                        if (log_fd < 0) {
                                perror(optarg);
                                return 1;
                        }
                        break;
                case 't':
                        seconds = (unsigned)strtoul(optarg, NULL, 10);
                        break;
                case 's':
                        stop_mode = true;
                        break;
                case 'v':
                        verbose = true;
                        break;
                default:
                        usage();
                }
        }
        if (optind != argc)
                usage();

        /* Nothing it provokes may end it: a tracee's events come as SIGCHLD
         * (ignored by default), a reader gone as SIGPIPE. */
        signal(SIGPIPE, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGALRM, &sa, NULL);
        if (seconds)
                alarm(seconds);

        self = getpid();
        if (stat("/proc/self", &st) == 0)
                own_proc_dev = st.st_dev;
        if (read_at("/proc/self/status", status, sizeof(status)) <= 0 || !status_hex(status, "CapBnd:", &own_bnd)) {
                fprintf(stderr, "racer: cannot read /proc/self/status\n");
                return 1;
        }
        /* What exists now is the container's own: spared, also later. */
        each_process(remember_old);
        out("START pid=%d old=%zu bnd=%llx", self, n_old, (unsigned long long)own_bnd);

        while (!done) {
                one_pass();
                sched_yield();
        }
        detach_pending();
        summary();
        return 0;
}
