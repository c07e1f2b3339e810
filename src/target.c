/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turning a TARGET into a held process.  Only PIDs ("1234", "pid:1234") are
 * resolved here; everything after this file holds the process by pidfd and by
 * a /proc/PID directory fd, never by number.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>

#include "missing.h"
#include "runtime.h"
#include "nsattach.h"
#include "util.h"

int target_parse_pid(const char *s, pid_t *ret)
{
        if (strncmp(s, "pid:", 4) == 0)
                s += 4;
        return parse_pid(s, ret);
}

/*
 * /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...".  comm may hold
 * spaces and ')' so the fields are counted from the last ')'.
 */
int parse_stat_starttime(const char *stat, uint64_t *ret_start, char *ret_state)
{
        const char *p = strrchr(stat, ')');
        uint64_t v;
        char field[32];

        if (!p || p[1] != ' ')
                return -EINVAL;
        p += 2; /* now at field 3, the state */
        char state = *p;
        for (int f = 3; f < 22; f++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                p++;
        }
        size_t n = strcspn(p, " \n");
        if (n == 0 || n >= sizeof(field))
                return -EINVAL;
        memcpy(field, p, n);
        field[n] = '\0';
        if (parse_uint(field, UINT64_MAX, &v) < 0)
                return -EINVAL;
        *ret_start = v;
        if (ret_state)
                *ret_state = state;
        return 0;
}

static int read_starttime(int procfd, uint64_t *ret, char *ret_state)
{
        _cleanup_free_ char *buf = NULL;
        int r = read_file_at(procfd, "stat", &buf, NULL);

        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        return parse_stat_starttime(buf, ret, ret_state) < 0 ? -EIO : 0;
}

/* pidfd becomes readable when the process has exited (pidfd_open(2)). */
static bool pidfd_exited(int pidfd)
{
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

int target_open(int proc_dirfd, pid_t pid, struct target *ret)
{
        char name[32];
        char state;
        int r;

        /* The pidfd first: from here on, the number may be reused, the pidfd not. */
        _cleanup_close_ int pidfd = sys_pidfd_open(pid, 0);
        if (pidfd < 0) {
                if (errno == ESRCH)
                        return -ESRCH;
                if (errno == EINVAL)
                        return -ECHILD; /* a thread id, not a process */
                if (errno != ENOSYS && errno != EPERM)
                        return -errno;
                /* No pidfd (old kernel, or a seccomp policy): /proc/PID below
                 * pins the process just as well for everything but setns(). */
        }

        snprintf(name, sizeof(name), "%d", (int)pid);
        _cleanup_close_ int procfd = openat(proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        /*
         * /proc/PID was opened after the pidfd.  If the pidfd's process is still
         * alive now, the directory is that same process; otherwise it may already
         * be a new process that reused the number.
         */
        if (pidfd >= 0 && pidfd_exited(pidfd))
                return -ESRCH;

        r = read_starttime(procfd, &ret->starttime, &state);
        if (r < 0)
                return r;
        if (state == 'Z' || state == 'X')
                return -ESRCH;

        ret->pid = pid;
        ret->pidfd = TAKE_FD(pidfd);
        ret->procfd = TAKE_FD(procfd);
        return 0;
}

int target_check(const struct target *t)
{
        uint64_t start;
        char state;
        int r;

        if (t->pidfd >= 0 && pidfd_exited(t->pidfd))
                return -ESRCH;
        r = read_starttime(t->procfd, &start, &state);
        if (r < 0)
                return r;
        if (start != t->starttime || state == 'Z' || state == 'X')
                return -ESRCH;
        return 0;
}

void target_done(struct target *t)
{
        t->pidfd = safe_close(t->pidfd);
        t->procfd = safe_close(t->procfd);
}

/* ---- names: a runtime's container to a process (runtime.h) ---- */

bool scheme_scans(enum rt_scheme s, enum rt_kind k)
{
        switch (s) {
        case SCHEME_ANY:
                return true;
        case SCHEME_DOCKER:
                return k == RT_DOCKER;
        case SCHEME_PODMAN:
                return k == RT_PODMAN;
        case SCHEME_CONTAINERD:
        case SCHEME_NERDCTL:
                return k == RT_CONTAINERD;
        case SCHEME_K8S:
                return k == RT_CONTAINERD || k == RT_CRIO;
        case SCHEME_CRIO:
                return k == RT_CRIO;
        case SCHEME_LXC:
                return k == RT_LXC;
        case SCHEME_MACHINE:
                return k == RT_MACHINE;
        default:
                return false;
        }
}

/* The root whose presence says a runtime is installed here. */
static const enum rt_root kind_root[_RT_MAX] = {
        [RT_DOCKER] = ROOT_DOCKER, [RT_PODMAN] = ROOT_PODMAN, [RT_CONTAINERD] = ROOT_CONTAINERD,
        [RT_CRIO] = ROOT_PODMAN_RUN, [RT_LXC] = ROOT_LXC, [RT_MACHINE] = ROOT_MACHINES,
};

static int (*const scanners[])(const struct rt_query *, struct ctr_list *) = {
        rt_docker_scan, rt_podman_scan, rt_containerd_scan, rt_lxc_scan, rt_machine_scan,
};
static const enum rt_kind first_kind[] = { RT_DOCKER, RT_PODMAN, RT_CONTAINERD, RT_LXC, RT_MACHINE };

/* podman's scan also reports CRI-O */
static bool scanner_reports(size_t i, enum rt_kind k)
{
        return k == first_kind[i] || (first_kind[i] == RT_PODMAN && k == RT_CRIO);
}

/*
 * Every container the scheme can name that could match q->text.  ret_denied
 * (may be NULL) gets a bit per scanner that was refused (rt_searched()).
 */
int rt_scan_all(const struct rt_query *q, struct ctr_list *out, unsigned *ret_denied)
{
        unsigned denied = 0;

        for (size_t i = 0; i < ELEMENTSOF(scanners); i++) {
                bool wanted = false;
                for (enum rt_kind k = 0; k < _RT_MAX; k++)
                        wanted = wanted || (scanner_reports(i, k) && scheme_scans(q->scheme, k));
                if (!wanted)
                        continue;
                int r = scanners[i](q, out);
                if (r == -ENOMEM)
                        return r;
                if (r == -EACCES)
                        denied |= 1u << i;
        }
        if (ret_denied)
                *ret_denied = denied;
        return denied ? -EACCES : 0;
}

/* The runtimes that have state here, for the error that finds none (only
 * then: each is a syscall a found container need not pay). */
static void rt_searched(const struct rt_query *q, unsigned denied, char *buf, size_t len)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(scanners); i++)
                for (enum rt_kind k = 0; k < _RT_MAX; k++) {
                        const char *root = q->roots[kind_root[k]];
                        if (!scanner_reports(i, k) || !scheme_scans(q->scheme, k) || !root ||
                            access(root, F_OK) < 0)
                                continue;
                        int n = snprintf(buf + used, len - used, "%s%s%s", used ? ", " : "", rt_kind_name[k],
                                         denied & (1u << i) ? " (permission denied)" : "");
                        if (n > 0 && (size_t)n < len - used)
                                used += (size_t)n;
                }
}

char *ctr_display(const struct ctr *c)
{
        if (c->k8s_pod)
                return rt_path("k8s:%s/%s/%s", c->k8s_ns, c->k8s_pod, c->k8s_ctr);
        switch (c->kind) {
        case RT_CONTAINERD:
                return c->name ? rt_path("nerdctl:%s", c->name) : rt_path("containerd:%s/%s", c->ns, c->id);
        default:
                return rt_path("%s:%s", rt_kind_name[c->kind], c->name ? c->name : c->id);
        }
}

enum { MATCH_NONE, MATCH_PREFIX, MATCH_NAME, MATCH_ID };

/* Distinct container names in a pod (restarts of one container share its name). */
static size_t pod_containers(const struct ctr_list *l, const struct ctr *c)
{
        size_t n = 0;

        for (size_t i = 0; i < l->n; i++) {
                const struct ctr *o = &l->v[i];
                if (!o->k8s_pod || strcmp(o->k8s_ns, c->k8s_ns) != 0 || strcmp(o->k8s_pod, c->k8s_pod) != 0)
                        continue;
                bool seen = false;
                for (size_t k = 0; k < i && !seen; k++) {
                        const struct ctr *p = &l->v[k];
                        seen = p->k8s_pod && !strcmp(p->k8s_ns, o->k8s_ns) &&
                               !strcmp(p->k8s_pod, o->k8s_pod) && !strcmp(p->k8s_ctr, o->k8s_ctr);
                }
                n += !seen;
        }
        return n;
}

/* k8s:[NAMESPACE/]POD[/CONTAINER]; POD alone or NAMESPACE/POD only for a one-container pod. */
static bool k8s_match(const struct ctr_list *l, const struct ctr *c, const char *q)
{
        char a[256], b[256], d[256];
        int n;

        if (!c->k8s_pod || strlen(q) >= sizeof(a))
                return false;
        n = sscanf(q, "%255[^/]/%255[^/]/%255[^/]", a, b, d);
        size_t slashes = 0;
        for (const char *p = q; *p; p++)
                slashes += *p == '/';
        if (n < 1 || slashes != (size_t)n - 1)
                return false;
        if (n == 3)
                return !strcmp(a, c->k8s_ns) && !strcmp(b, c->k8s_pod) && !strcmp(d, c->k8s_ctr);
        if (n == 2)
                return (!strcmp(a, c->k8s_pod) && !strcmp(b, c->k8s_ctr)) ||
                       (!strcmp(a, c->k8s_ns) && !strcmp(b, c->k8s_pod) && pod_containers(l, c) == 1);
        return !strcmp(a, c->k8s_pod) && pod_containers(l, c) == 1;
}

static int match_class(const struct ctr_list *l, const struct ctr *c, enum rt_scheme s, const char *q)
{
        size_t ql = strlen(q);

        if ((s == SCHEME_K8S || s == SCHEME_ANY) && k8s_match(l, c, q))
                return MATCH_NAME;
        if (s == SCHEME_K8S)
                return MATCH_NONE;
        if (s == SCHEME_NERDCTL)
                return c->name && !strcmp(c->name, q) ? MATCH_NAME : MATCH_NONE;
        if (c->kind == RT_CONTAINERD) {
                const char *id = q, *slash = strchr(q, '/');
                if (slash) {
                        if (strlen(c->ns) != (size_t)(slash - q) || strncmp(c->ns, q, (size_t)(slash - q)) != 0)
                                return MATCH_NONE;
                        id = slash + 1;
                }
                if (!strcmp(c->id, id))
                        return MATCH_ID;
                if (!slash && c->name && !strcmp(c->name, q))
                        return MATCH_NAME;
                return *id && !strncmp(c->id, id, strlen(id)) ? MATCH_PREFIX : MATCH_NONE;
        }
        if (!strcmp(c->id, q))
                return MATCH_ID;
        if (c->name && !strcmp(c->name, q))
                return MATCH_NAME;
        if (c->kind != RT_LXC && c->kind != RT_MACHINE && ql > 0 && !strncmp(c->id, q, ql))
                return MATCH_PREFIX;
        return MATCH_NONE;
}

static void list_matches(char *buf, size_t len, struct ctr *const *m, size_t n, bool with_id)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n && used < len; i++) {
                _cleanup_free_ char *d = ctr_display(m[i]);
                char id[32] = "";
                int k;
                if (with_id)
                        snprintf(id, sizeof(id), "id %.12s, ", m[i]->id);
                if (m[i]->state == CTR_STOPPED)
                        k = snprintf(buf + used, len - used, "%s%s (%sstopped)", i ? ", " : "",
                                     d ? d : "?", id);
                else
                        k = snprintf(buf + used, len - used, "%s%s (%spid %d)", i ? ", " : "", d ? d : "?",
                                     id, (int)m[i]->pid);
                if (k < 0)
                        break;
                used += (size_t)k;
        }
}

static bool same_store(const struct ctr *a, const struct ctr *b)
{
        return a->kind == b->kind && a->rootless == b->rootless && (!a->rootless || a->owner == b->owner);
}

/* Is it running, as recorded and checked?  A pid that is gone or is another process: no. */
static bool probe_running(struct ctr *c, int proc_dirfd)
{
        struct target t = TARGET_INIT;
        char why[160];

        if (c->state == CTR_STOPPED || c->dead)
                return false;
        if (c->pid <= 0 || proc_dirfd < 0 || target_open(proc_dirfd, c->pid, &t) < 0 ||
            ctr_verify(c, t.procfd, t.starttime, why, sizeof(why)) < 0)
                c->dead = true;
        target_done(&t);
        return !c->dead;
}

int target_resolve(const char *target, enum rt_scheme restrict_to,
                   const char *const overrides[_ROOT_MAX], int proc_dirfd, struct resolve_result *ret,
                   char *err, size_t errlen)
{
        struct rt_query q;
        struct ctr_list l = { 0 };
        char searched[256];
        const char *text = target;
        enum rt_scheme scheme = SCHEME_ANY;
        int r;

        *ret = (struct resolve_result){ 0 };
        if (target_parse_pid(target, &ret->pid) == 0) {
                ret->is_pid = true;
                return 0;
        }
        if (strncmp(target, "pid:", 4) == 0) {
                snprintf(err, errlen, "%s: not a valid target: not a PID", target);
                return -EINVAL;
        }
        const char *colon = strchr(target, ':');
        if (colon) {
                r = rt_scheme_from_name(target, (size_t)(colon - target));
                if (r < 0) {
                        snprintf(err, errlen,
                                 "%s: unknown runtime '%.*s' (docker, podman, containerd, nerdctl, "
                                 "k8s, crio, lxc, machine, pid)",
                                 target, (int)(colon - target), target);
                        return -EINVAL;
                }
                scheme = (enum rt_scheme)r;
                text = colon + 1;
        }
        if (restrict_to != SCHEME_ANY && scheme != SCHEME_ANY && scheme != restrict_to) {
                snprintf(err, errlen, "%s: names runtime %s, but --runtime is %s", target,
                         rt_scheme_name[scheme], rt_scheme_name[restrict_to]);
                return -EINVAL;
        }
        if (scheme == SCHEME_ANY)
                scheme = restrict_to;
        if (!colon && strspn(text, "0123456789") == strlen(text)) {
                snprintf(err, errlen, "%s: not a valid target: not a PID", target);
                return -EINVAL;
        }
        if (!*text || strlen(text) > 512 || strpbrk(text, "\n\t ") || text[0] == '-') {
                snprintf(err, errlen, "%s: not a valid target: expected a PID, a container name or id, "
                                      "or RUNTIME:NAME", target);
                return -EINVAL;
        }

        rt_query_init(&q, overrides);
        q.text = text;
        q.scheme = scheme;
        unsigned denied = 0;
        r = rt_scan_all(&q, &l, &denied);
        if (r == -ENOMEM) {
                snprintf(err, errlen, "%s: out of memory", target);
                ctr_list_free(&l);
                return r;
        }

        /* podman's scan reports CRI-O's too, and the other way round: keep what the scheme names. */
        size_t kept = 0;
        for (size_t i = 0; i < l.n; i++) {
                if (scheme_scans(scheme, l.v[i].kind))
                        l.v[kept++] = l.v[i];
                else
                        ctr_free(&l.v[i]);
        }
        l.n = kept;

        /*
         * Per store (a runtime's system state, or one user's rootless state): exact
         * id, then exact name, then a unique prefix (docker's rule).  Each store
         * competes alone, so a user's container named like a prefix of a system
         * container's id is an ambiguity, never a match that shadows it.
         */
        struct ctr *winners[_RT_MAX * 4];
        size_t nw = 0;
        int worst = MATCH_ID; /* the weakest class among ambiguous candidates */
        bool ambiguous_inside = false;
        for (size_t g = 0; g < l.n; g++) {
                const struct ctr *key = &l.v[g];
                bool seen = false;
                for (size_t i = 0; i < g && !seen; i++)
                        seen = same_store(&l.v[i], key);
                if (seen)
                        continue;
                int best = MATCH_NONE;
                for (size_t i = 0; i < l.n; i++)
                        if (same_store(&l.v[i], key)) {
                                int m = match_class(&l, &l.v[i], scheme, text);
                                if (m > best)
                                        best = m;
                        }
                if (best == MATCH_NONE)
                        continue;
                struct ctr *cand[8] = { NULL }; /* only the first nc are read; cppcheck cannot tell */
                size_t nc = 0, running = 0;
                for (size_t i = 0; i < l.n; i++)
                        if (same_store(&l.v[i], key) && match_class(&l, &l.v[i], scheme, text) == best) {
                                if (nc < ELEMENTSOF(cand))
                                        cand[nc] = &l.v[i];
                                nc++;
                        }
                /* Only a tie is probed (the one match is verified by target_acquire):
                 * a state file that outlived its process is no running container. */
                for (size_t i = 0; nc > 1 && i < nc && i < ELEMENTSOF(cand); i++)
                        running += probe_running(cand[i], proc_dirfd);
                /* Several attempts of one k8s container share its name: the running one. */
                if (nc > 1 && best == MATCH_NAME && running == 1 && nc <= ELEMENTSOF(cand)) {
                        for (size_t i = 0; i < nc; i++)
                                if (cand[i]->state != CTR_STOPPED && !cand[i]->dead)
                                        cand[0] = cand[i];
                        nc = 1;
                }
                if (nc > 1) {
                        ambiguous_inside = true;
                        if (best < worst)
                                worst = best;
                }
                for (size_t i = 0; i < nc && i < ELEMENTSOF(cand) && nw < ELEMENTSOF(winners); i++)
                        winners[nw++] = cand[i];
        }

        if (nw == 0 && (scheme == SCHEME_ANY || scheme == SCHEME_K8S)) {
                /* A pod named alone that has several containers: say which to name. */
                for (size_t i = 0; i < l.n; i++) {
                        const struct ctr *c = &l.v[i];
                        char pod[512];
                        if (!c->k8s_pod)
                                continue;
                        snprintf(pod, sizeof(pod), "%s/%s", c->k8s_ns, c->k8s_pod);
                        if (strcmp(text, c->k8s_pod) != 0 && strcmp(text, pod) != 0)
                                continue;
                        char names[256] = "";
                        size_t used = 0;
                        for (size_t k = 0; k < l.n; k++) {
                                const struct ctr *o = &l.v[k];
                                bool dup = false;
                                if (!o->k8s_pod || strcmp(o->k8s_ns, c->k8s_ns) != 0 ||
                                    strcmp(o->k8s_pod, c->k8s_pod) != 0)
                                        continue;
                                for (size_t e = 0; e < k && !dup; e++)
                                        dup = l.v[e].k8s_pod && !strcmp(l.v[e].k8s_ns, o->k8s_ns) &&
                                              !strcmp(l.v[e].k8s_pod, o->k8s_pod) &&
                                              !strcmp(l.v[e].k8s_ctr, o->k8s_ctr);
                                if (dup)
                                        continue;
                                int n = snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
                                                 o->k8s_ctr);
                                if (n > 0 && (size_t)n < sizeof(names) - used)
                                        used += (size_t)n;
                        }
                        snprintf(err, errlen, "%s: pod %s has several containers (%s): name one, k8s:%s/CONTAINER",
                                 target, pod, names, pod);
                        ctr_list_free(&l);
                        return -ENOTUNIQ;
                }
        }
        if (nw == 0) {
                rt_searched(&q, denied, searched, sizeof(searched));
                if (r == -EACCES)
                        snprintf(err, errlen, "%s: no such container or PID (searched %s; run as root?)",
                                 target, searched);
                else
                        snprintf(err, errlen, "%s: no such container or PID (searched %s)", target,
                                 *searched ? searched : "no runtime state found on this host");
                ctr_list_free(&l);
                return -ENOENT;
        }
        /* A stopped namesake in another runtime cannot be attached to: it does not
         * make the running one ambiguous (the error would only name a dead end). */
        if (nw > 1 && !ambiguous_inside) {
                size_t live = 0, which = 0;
                for (size_t i = 0; i < nw; i++)
                        if (probe_running(winners[i], proc_dirfd))
                                live++, which = i;
                if (live == 1) {
                        winners[0] = winners[which];
                        nw = 1;
                }
        }
        if (nw > 1) {
                char lst[768];
                list_matches(lst, sizeof(lst), winners, nw, ambiguous_inside);
                snprintf(err, errlen, "%s: ambiguous: %s; use %s", target, lst,
                         !ambiguous_inside       ? "--runtime or a prefix" :
                         worst == MATCH_PREFIX   ? "a longer id prefix" :
                                                   "the id");
                ctr_list_free(&l);
                return -ENOTUNIQ;
        }
        ret->ctr = *winners[0];
        *winners[0] = (struct ctr){ 0 };
        ctr_list_free(&l);
        return 0;
}

/* Does one line of /proc/PID/cgroup name the container: "/PIECE" ending a path component? */
static bool cgroup_has(const char *cg, const char *piece)
{
        size_t pl = strlen(piece);

        for (const char *p = strstr(cg, piece); p; p = strstr(p + 1, piece))
                if (p > cg && p[-1] == '/' && (p[pl] == '/' || p[pl] == '\n' || p[pl] == '\0'))
                        return true;
        return false;
}

int ctr_verify(const struct ctr *c, int procfd, uint64_t starttime, char *why, size_t len)
{
        /*
         * A user's rootless state is the user's to write, start time included
         * (anyone can read /proc/PID/stat): it may only name a process in a user
         * namespace that user owns, i.e. one of the user's own containers.
         */
        if (c->rootless) {
                _cleanup_close_ int ufd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
                uid_t owner;
                if (ufd < 0 || ioctl(ufd, NS_GET_OWNER_UID, &owner) < 0 || owner != c->owner) {
                        snprintf(why, len, "pid %d is not in a user namespace of uid %u, whose state names it",
                                 (int)c->pid, (unsigned)c->owner);
                        return -ESRCH;
                }
        }
        if (c->start) {
                if (c->start == starttime)
                        return 0;
                snprintf(why, len, "pid %d is no longer its process (start time %llu, recorded %llu)",
                         (int)c->pid, (unsigned long long)starttime, (unsigned long long)c->start);
                return -ESRCH;
        }
        _cleanup_free_ char *cg = NULL;
        if (read_file_at(procfd, "cgroup", &cg, NULL) < 0) {
                snprintf(why, len, "pid %d has exited", (int)c->pid);
                return -ESRCH;
        }
        for (int i = 0; i < CTR_CGROUP_MAX; i++)
                if (c->cgroup[i] && cgroup_has(cg, c->cgroup[i]))
                        return 0;
        snprintf(why, len, "pid %d is no longer its process (not in its cgroup)", (int)c->pid);
        return -ESRCH;
}

/*
 * TARGET to a held, verified process: a PID as given, or a container's init
 * proven to be the one its runtime started.  ret_res (may be NULL) gets the
 * container record.
 */
int target_acquire(const char *target, int runtime, const char *const roots[_ROOT_MAX],
                   int proc_dirfd, struct target *ret, struct resolve_result *ret_res, char *err,
                   size_t errlen)
{
        struct resolve_result res;
        char why[160];
        int r = target_resolve(target, (enum rt_scheme)runtime, roots, proc_dirfd, &res, err, errlen);

        if (r < 0)
                return r;
        pid_t pid = res.is_pid ? res.pid : res.ctr.pid;
        _cleanup_free_ char *disp = res.is_pid ? NULL : ctr_display(&res.ctr);
        if (!res.is_pid && (res.ctr.state == CTR_STOPPED || pid <= 0)) {
                snprintf(err, errlen, "%s: container %s is not running", target, disp ? disp : target);
                ctr_free(&res.ctr);
                return -ESRCH;
        }
        r = target_open(proc_dirfd, pid, ret);
        if (r == 0 && !res.is_pid) {
                r = ctr_verify(&res.ctr, ret->procfd, ret->starttime, why, sizeof(why));
                if (r < 0)
                        target_done(ret);
        } else if (r == -ESRCH)
                snprintf(why, sizeof(why), "pid %d has exited", (int)pid);
        if (r < 0) {
                if (res.is_pid)
                        snprintf(err, errlen, "%s: %s", target,
                                 r == -ESRCH    ? "no such process (it is not running, or has exited)" :
                                 r == -ECHILD   ? "not a process id (a thread id?)" :
                                 r == -EACCES || r == -EPERM ? "permission denied" :
                                                  strerror(-r));
                else if (r == -ESRCH)
                        snprintf(err, errlen, "%s: container %s is not running (%s)", target,
                                 disp ? disp : target, why);
                else
                        snprintf(err, errlen, "%s: pid %d: %s", target, (int)pid, strerror(-r));
                ctr_free(&res.ctr);
                return r;
        }
        if (ret_res)
                *ret_res = res;
        else
                ctr_free(&res.ctr);
        return 0;
}
