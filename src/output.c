/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --list and --inspect (SPEC section 7): what a runbook reads.  Tables come from
 * libsmartcols, as lsns prints them; JSON keys are stable and lower-case.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hostexec.h"
#include "nsattach.h"
#include "runtime.h"
#include "util.h"

/*
 * libsmartcols is loaded only for --list: linked in, the loader maps and
 * relocates it on every attach (~0.2 ms measured, 6% of one), for a table
 * an attach never prints.
 */
static struct {
        struct libscols_table *(*new_table)(void);
        int (*table_set_name)(struct libscols_table *, const char *);
        int (*table_enable_json)(struct libscols_table *, int);
        int (*table_set_stream)(struct libscols_table *, FILE *);
        struct libscols_column *(*table_new_column)(struct libscols_table *, const char *, double, int);
        int (*column_set_json_type)(struct libscols_column *, int);
        int (*column_set_flags)(struct libscols_column *, int);
        int (*column_set_wrapfunc)(struct libscols_column *,
                                   size_t (*)(const struct libscols_column *, const char *, void *),
                                   char *(*)(const struct libscols_column *, char *, void *), void *);
        size_t (*wrapnl_chunksize)(const struct libscols_column *, const char *, void *);
        char *(*wrapnl_nextchunk)(const struct libscols_column *, char *, void *);
        struct libscols_line *(*table_new_line)(struct libscols_table *, struct libscols_line *);
        int (*line_set_data)(struct libscols_line *, size_t, const char *);
        int (*print_table)(struct libscols_table *);
        void (*unref_table)(struct libscols_table *);
} sc;

static int smartcols_load(void)
{
        static const char *const names[] = {
                "scols_new_table",         "scols_table_set_name",     "scols_table_enable_json",
                "scols_table_set_stream",
                "scols_table_new_column",  "scols_column_set_json_type", "scols_column_set_flags",
                "scols_column_set_wrapfunc", "scols_wrapnl_chunksize", "scols_wrapnl_nextchunk",
                "scols_table_new_line",    "scols_line_set_data",      "scols_print_table",
                "scols_unref_table",
        };
        void **slots = (void **)&sc;
        void *h = dlopen("libsmartcols.so.1", RTLD_NOW | RTLD_LOCAL);

        if (!h)
                return -ENOENT;
        _Static_assert(sizeof(sc) == sizeof(names) / sizeof(names[0]) * sizeof(void *), "one slot a name");
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (!(slots[i] = dlsym(h, names[i])))
                        return -ENOENT;
        return 0;
}

/* The namespaces of a process (dirfd /proc/PID, or /proc with "self/"): st_ino 0 where unreadable. */
static void ns_stat(int dirfd, const char *prefix, struct stat ret[_NS_MAX])
{
        for (int i = 0; i < _NS_MAX; i++) {
                char path[64];
                snprintf(path, sizeof(path), "%sns/%s", prefix, ns_table[i].name);
                if (fstatat(dirfd, path, &ret[i], 0) < 0)
                        ret[i].st_ino = 0;
        }
}

static bool ns_same(const struct stat *a, const struct stat *b)
{
        return a->st_ino && a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* The namespaces of /proc/PID that are not the caller's (own), as "mnt,uts,net". */
static void ns_differing(const struct stat own[_NS_MAX], int procfd, char *buf, size_t len)
{
        struct stat theirs[_NS_MAX];
        size_t used = 0;

        ns_stat(procfd, "", theirs);
        buf[0] = '\0';
        for (int i = 0; i < _NS_MAX; i++) {
                if (!theirs[i].st_ino || !own[i].st_ino || ns_same(&own[i], &theirs[i]))
                        continue;
                int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", ns_table[i].name);
                if (n > 0 && (size_t)n < len - used)
                        used += (size_t)n;
        }
}

/* The name a container goes by in its runtime, without the runtime. */
static char *short_name(const struct ctr *c)
{
        if (c->k8s_pod)
                return rt_path("%s/%s/%s", c->k8s_ns, c->k8s_pod, c->k8s_ctr);
        if (c->kind == RT_CONTAINERD && !c->name)
                return rt_path("%s/%s", c->ns, c->id);
        return strdup(c->name ? c->name : c->id);
}

static int cmp_ctr(const void *a, const void *b)
{
        const struct ctr *x = a, *y = b;

        if (x->kind != y->kind)
                return (int)x->kind - (int)y->kind;
        const char *nx = x->name ? x->name : x->id, *ny = y->name ? y->name : y->id;
        int r = strcmp(nx, ny);
        return r ? r : strcmp(x->id, y->id);
}

enum { COL_RUNTIME, COL_NAME, COL_ID, COL_PID, COL_STATE, COL_IMAGE, COL_NS, COL_TARGET, _COL_MAX };

int output_list(const struct options *o, FILE *f, char *err, size_t errlen)
{
        static const struct {
                const char *name;
                double width;
                int json;
        } cols[_COL_MAX] = {
                [COL_RUNTIME] = { "RUNTIME", 0, SCOLS_JSON_STRING },
                [COL_NAME] = { "NAME", 0.2, SCOLS_JSON_STRING },
                [COL_ID] = { "ID", 0, SCOLS_JSON_STRING },
                [COL_PID] = { "PID", 0, SCOLS_JSON_NUMBER },
                [COL_STATE] = { "STATE", 0, SCOLS_JSON_STRING },
                [COL_IMAGE] = { "IMAGE", 0.2, SCOLS_JSON_STRING },
                [COL_NS] = { "NS", 0, SCOLS_JSON_ARRAY_STRING },
                [COL_TARGET] = { "TARGET", 0.2, SCOLS_JSON_STRING },
        };
        struct rt_query q;
        struct ctr_list l = { 0 };
        _cleanup_close_ int proc_dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (proc_dirfd < 0) {
                snprintf(err, errlen, "/proc: %s", strerror(errno));
                return -errno;
        }
        if (smartcols_load() < 0) {
                snprintf(err, errlen, "--list needs libsmartcols.so.1 (util-linux): %s", dlerror());
                return -ENOENT;
        }
        struct stat own[_NS_MAX];
        ns_stat(proc_dirfd, "self/", own);
        rt_query_init(&q, o->runtime_root);
        q.scheme = (enum rt_scheme)o->runtime;
        r = rt_scan_all(&q, &l, NULL);
        if (r == -ENOMEM) {
                snprintf(err, errlen, "listing containers: out of memory");
                return r;
        }
        if (l.n > 1)
                qsort(l.v, l.n, sizeof(*l.v), cmp_ctr);

        struct libscols_table *tb = sc.new_table();
        if (!tb) {
                ctr_list_free(&l);
                snprintf(err, errlen, "listing containers: out of memory");
                return -ENOMEM;
        }
        sc.table_set_name(tb, "containers");
        sc.table_enable_json(tb, o->json);
        sc.table_set_stream(tb, f);
        for (int i = 0; i < _COL_MAX; i++) {
                const char *name = cols[i].name;
                char lower[16];
                if (o->json) {
                        size_t k = 0;
                        for (; k < sizeof(lower) - 1 && name[k]; k++)
                                lower[k] = (char)(name[k] | 0x20);
                        lower[k] = '\0';
                        name = lower;
                }
                struct libscols_column *cl = sc.table_new_column(tb, name, cols[i].width,
                                                                     i == COL_PID ? SCOLS_FL_RIGHT : 0);
                if (!cl)
                        continue;
                sc.column_set_json_type(cl, cols[i].json);
                /* An array's items are the cell's lines (what lsblk does). */
                if (o->json && cols[i].json == SCOLS_JSON_ARRAY_STRING) {
                        sc.column_set_flags(cl, SCOLS_FL_WRAP);
                        sc.column_set_wrapfunc(cl, sc.wrapnl_chunksize, sc.wrapnl_nextchunk, NULL);
                }
        }
        for (size_t i = 0; i < l.n; i++) {
                struct ctr *c = &l.v[i];
                struct target t = TARGET_INIT;
                char why[160], ns[128], pid[16];

                /* Only what is running, and proven to be the runtime's process. */
                if (!scheme_scans(q.scheme, c->kind) || c->state == CTR_STOPPED || c->pid <= 0 ||
                    target_open(proc_dirfd, c->pid, &t) < 0)
                        continue;
                if (ctr_verify(c, t.procfd, t.starttime, why, sizeof(why)) < 0) {
                        target_done(&t);
                        continue;
                }
                ns_differing(own, t.procfd, ns, sizeof(ns));
                /* the kernel's word on pausing, not the runtime's file */
                c->state = proc_cgroup_frozen(t.procfd) ? CTR_PAUSED : CTR_RUNNING;
                target_done(&t);
                if (o->json)
                        for (char *p = ns; *p; p++)
                                if (*p == ',')
                                        *p = '\n';
                snprintf(pid, sizeof(pid), "%d", (int)c->pid);
                _cleanup_free_ char *name = short_name(c), *disp = ctr_display(c);
                char id[65];
                snprintf(id, sizeof(id), "%.*s", o->json ? 64 : 12, c->id);
                struct libscols_line *ln = sc.table_new_line(tb, NULL);
                if (!ln || !name || !disp)
                        break;
                const char *sn = c->state == CTR_PAUSED ? "paused" : "running";
                sc.line_set_data(ln, COL_RUNTIME, rt_kind_name[c->kind]);
                sc.line_set_data(ln, COL_NAME, name);
                sc.line_set_data(ln, COL_ID, id);
                sc.line_set_data(ln, COL_PID, pid);
                sc.line_set_data(ln, COL_STATE, sn);
                sc.line_set_data(ln, COL_IMAGE, c->image ? c->image : "");
                sc.line_set_data(ln, COL_NS, ns);
                sc.line_set_data(ln, COL_TARGET, disp);
        }
        r = sc.print_table(tb);
        sc.unref_table(tb);
        ctr_list_free(&l);
        if (r < 0) {
                snprintf(err, errlen, "writing the list: %s", strerror(-r));
                return r;
        }
        return 0;
}

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p)
{
        if (p[0] < 0x80)
                return 1;
        size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
        for (size_t i = 1; i < n; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
        if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
            (p[0] == 0xf4 && p[1] > 0x8f))
                return 0;
        return n;
}

/* A JSON string of s, or null for none.  JSON holds only Unicode: a byte
 * that is no part of UTF-8 (a file name, an argument) becomes U+FFFD, so the
 * value is still there, and still says something was. */
static json_t *jstr_or_null(const char *s)
{
        if (!s)
                return json_null();
        json_t *v = json_string(s);
        if (v)
                return v;
        size_t len = strlen(s);
        _cleanup_free_ char *fixed = malloc(len * 3 + 1);
        if (!fixed)
                return json_null();
        char *o = fixed;
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = utf8_len(p);
                if (n) {
                        memcpy(o, p, n);
                        o += n;
                        p += n;
                } else {
                        memcpy(o, "\xef\xbf\xbd", 3);
                        o += 3;
                        p++;
                }
        }
        *o = '\0';
        v = json_string(fixed);
        return v ? v : json_null();
}

/* The content of a small /proc file with whitespace runs made single spaces. */
static char *proc_text(int procfd, const char *path)
{
        _cleanup_free_ char *buf = NULL;
        if (read_file_at(procfd, path, &buf, NULL) < 0)
                return NULL;
        size_t n = strlen(buf);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
                buf[--n] = '\0';
        return TAKE_PTR(buf);
}

int output_inspect(const struct options *o, FILE *f, char *err, size_t errlen)
{
        struct target t = TARGET_INIT;
        struct resolve_result res;
        _cleanup_close_ int proc_dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (proc_dirfd < 0) {
                snprintf(err, errlen, "/proc: %s", strerror(errno));
                return -errno;
        }
        r = target_acquire(o->target, o->runtime, o->runtime_root, proc_dirfd, &t, &res, err, errlen);
        if (r < 0)
                return r;

        json_t *j = json_object();
        json_t *nss = json_object();
        _cleanup_free_ char *status = NULL;
        read_file_at(t.procfd, "status", &status, NULL);
        json_object_set_new(j, "target", jstr_or_null(o->target));
        json_object_set_new(j, "pid", json_integer(t.pid));
        json_object_set_new(j, "starttime", json_integer((json_int_t)t.starttime));
        if (res.is_pid) {
                json_object_set_new(j, "runtime", json_null());
                json_object_set_new(j, "resolved", json_string("pid"));
        } else {
                struct ctr *c = &res.ctr;
                _cleanup_free_ char *disp = ctr_display(c), *name = short_name(c);
                c->state = proc_cgroup_frozen(t.procfd) ? CTR_PAUSED : CTR_RUNNING;
                json_object_set_new(j, "runtime", json_string(rt_kind_name[c->kind]));
                json_object_set_new(j, "resolved", jstr_or_null(disp));
                json_object_set_new(j, "name", jstr_or_null(name));
                json_object_set_new(j, "id", json_string(c->id));
                json_object_set_new(j, "state", json_string(ctr_state_name[c->state]));
                json_object_set_new(j, "image", jstr_or_null(c->image));
                json_object_set_new(j, "state_file", jstr_or_null(c->source));
                if (c->start) {
                        json_object_set_new(j, "verified_by", json_string("start time"));
                        json_object_set_new(j, "verified_with", jstr_or_null(c->start_source));
                } else {
                        json_object_set_new(j, "verified_by", json_string("cgroup"));
                        json_object_set_new(j, "verified_with", jstr_or_null(c->cgroup[0]));
                }
                json_object_set_new(j, "rootfs", jstr_or_null(c->rootfs));
        }
        struct stat mine[_NS_MAX], theirs[_NS_MAX];
        ns_stat(proc_dirfd, "self/", mine);
        ns_stat(t.procfd, "", theirs);
        for (int i = 0; i < _NS_MAX; i++) {
                if (!theirs[i].st_ino)
                        continue;
                json_t *n = json_object();
                json_object_set_new(n, "inode", json_integer((json_int_t)theirs[i].st_ino));
                json_object_set_new(n, "host_inode",
                                    mine[i].st_ino ? json_integer((json_int_t)mine[i].st_ino) : json_null());
                json_object_set_new(n, "shared", json_boolean(ns_same(&mine[i], &theirs[i])));
                json_object_set_new(nss, ns_table[i].name, n);
        }
        json_object_set_new(j, "namespaces", nss);
        static const char *const keys[][2] = {
                { "uid", "Uid" },           { "gid", "Gid" },           { "cap_inheritable", "CapInh" },
                { "cap_permitted", "CapPrm" }, { "cap_effective", "CapEff" }, { "cap_bounding", "CapBnd" },
                { "cap_ambient", "CapAmb" }, { "no_new_privs", "NoNewPrivs" }, { "seccomp", "Seccomp" },
        };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                char v[128];
                bool have = status && proc_status_value(status, keys[i][1], v, sizeof(v)) == 0;
                json_object_set_new(j, keys[i][0], jstr_or_null(have ? v : NULL));
        }
        _cleanup_free_ char *uidmap = proc_text(t.procfd, "uid_map");
        _cleanup_free_ char *gidmap = proc_text(t.procfd, "gid_map");
        _cleanup_free_ char *cgroup = proc_text(t.procfd, "cgroup");
        _cleanup_free_ char *label = proc_text(t.procfd, "attr/current");
        json_object_set_new(j, "uid_map", jstr_or_null(uidmap));
        json_object_set_new(j, "gid_map", jstr_or_null(gidmap));
        json_object_set_new(j, "cgroup", jstr_or_null(cgroup));
        json_object_set_new(j, "lsm_label", jstr_or_null(label));
        /* The process may have gone while we read: say nothing rather than mix two. */
        r = target_check(&t);
        target_done(&t);
        ctr_free(&res.ctr);
        if (r < 0) {
                json_decref(j);
                snprintf(err, errlen, "%s: exited while being inspected", o->target);
                return r;
        }

        if (o->json) {
                r = json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                fputc('\n', f);
        } else {
                const char *key;
                json_t *v;
                json_object_foreach(j, key, v) {
                        if (json_is_object(v)) {
                                const char *nk;
                                json_t *nv;
                                json_object_foreach(v, nk, nv) {
                                        fprintf(f, "ns.%-16s %" JSON_INTEGER_FORMAT "%s\n", nk,
                                                json_integer_value(json_object_get(nv, "inode")),
                                                json_is_true(json_object_get(nv, "shared")) ? " (host's)" : "");
                                }
                                continue;
                        }
                        if (json_is_null(v))
                                continue;
                        char *s = json_is_string(v) ? strdup(json_string_value(v))
                                                    : json_dumps(v, JSON_ENCODE_ANY);
                        if (!s)
                                continue;
                        strip_controls(s, true);
                        /* multi-line values (cgroup, maps) continue indented */
                        fprintf(f, "%-19s ", key);
                        for (char *p = s; *p; p++) {
                                fputc(*p, f);
                                if (*p == '\n' && p[1])
                                        fprintf(f, "%-19s ", "");
                        }
                        fputc('\n', f);
                        free(s);
                }
        }
        json_decref(j);
        if (fflush(f) != 0 || r < 0) {
                snprintf(err, errlen, "writing the inspection: %s", strerror(errno));
                return -EIO;
        }
        return 0;
}

/* --explain without --json: one "key value" line per leaf, nested keys joined
 * with '.', arrays of plain values on one line, of objects one line each. */
static void print_human(json_t *v, const char *key, FILE *f)
{
        if (json_is_object(v)) {
                const char *k;
                json_t *sub;
                json_object_foreach(v, k, sub) {
                        char nk[128];
                        snprintf(nk, sizeof(nk), "%s%s%s", key, *key ? "." : "", k);
                        print_human(sub, nk, f);
                }
                return;
        }
        if (json_is_array(v)) {
                size_t i;
                json_t *e;
                bool plain = true;
                json_array_foreach(v, i, e) plain = plain && !json_is_object(e) && !json_is_array(e);
                if (plain) {
                        fprintf(f, "%-24s", key);
                        json_array_foreach(v, i, e) {
                                char *s = json_is_string(e) ? strdup(json_string_value(e)) : json_dumps(e, JSON_ENCODE_ANY);
                                if (s) {
                                        strip_controls(s, false);
                                        fprintf(f, " %s", s);
                                        free(s);
                                }
                        }
                        fputc('\n', f);
                        return;
                }
                json_array_foreach(v, i, e) {
                        const char *k;
                        json_t *sub;
                        fprintf(f, "%-24s", key);
                        json_object_foreach(e, k, sub) {
                                char *s = json_is_string(sub) ? strdup(json_string_value(sub))
                                                              : json_dumps(sub, JSON_ENCODE_ANY);
                                if (s) {
                                        strip_controls(s, false);
                                        fprintf(f, " %s=%s", k, s);
                                        free(s);
                                }
                        }
                        fputc('\n', f);
                }
                return;
        }
        if (json_is_null(v))
                return;
        char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
        if (!s)
                return;
        strip_controls(s, false);
        fprintf(f, "%-24s %s\n", key, s);
        free(s);
}

static json_t *jhex(uint64_t v)
{
        char b[20];
        snprintf(b, sizeof(b), "%016llx", (unsigned long long)v);
        return json_string(b);
}

static json_t *jmount(const char *path, const char *what)
{
        return json_pack("{s:o, s:o}", "path", jstr_or_null(path), "what", jstr_or_null(what));
}

/* The view's mounts as the program will see them (SPEC 5). */
static json_t *explain_view(const struct plan *p, const char **ret_kind)
{
        json_t *m = json_array();
        char what[256];

        if (p->mnt_view) {
                *ret_kind = "mnt";
                json_array_append_new(m, jmount("/", "the container's files (its root's entries)"));
                for (int i = 0; i < MNTVIEW_HOST_MAX; i++) {
                        char path[PATH_MAX];
                        if (p->mnt.host[i].fd < 0 && !p->mnt.host[i].link)
                                continue;
                        snprintf(path, sizeof(path), HOSTEXEC_TREE "/%s", mntview_host_trees[i]);
                        if (p->mnt.host[i].link)
                                snprintf(what, sizeof(what), "a symbolic link to %s, as the host has it", p->mnt.host[i].link);
                        else
                                snprintf(what, sizeof(what), "the host's /%s (read-only, nosuid, nodev)",
                                         mntview_host_trees[i]);
                        json_array_append_new(m, jmount(path, what));
                }
                if (p->mnt.prog_fd >= 0 && p->mnt.prog)
                        json_array_append_new(m, jmount(p->mnt.prog, "the program's file, from the host (read-only)"));
                json_array_append_new(m, jmount(HOSTEXEC_BIN, "one name per host command, first in PATH"));
                json_array_append_new(m, jmount("/etc/ld.so.preload", "empty, where the container has one"));
                json_array_append_new(m, jmount("/etc/nsswitch.conf", "without NSS modules, where the container's names any"));
                return m;
        }
        if (p->confine.on && p->ns[NS_MNT].enter) {
                *ret_kind = "container";
                json_array_append_new(m, jmount("/", "the container's mount namespace (a private copy)"));
                return m;
        }
        if (!p->pid_view && !p->net_view) {
                *ret_kind = "none";
                return m;
        }
        *ret_kind = p->pid_view && p->net_view ? "pid+net" : p->pid_view ? "pid" : "net";
        if (p->host.n > 0)
                snprintf(what, sizeof(what), "the host's mounts, assembled from %d without the runtimes' own%s", p->host.n,
                         p->pid_view ? " (read-only)" : "");
        else
                snprintf(what, sizeof(what), "a copy of the host's mounts%s", p->pid_view ? " (read-only)" : "");
        json_array_append_new(m, jmount("/", what));
        if (p->pid_view)
                json_array_append_new(m, jmount("/proc", "proc of the target's pid namespace"));
        if (p->net_view) {
                for (int i = 0; i < VIEW_ETC_MAX; i++)
                        if (p->etc[i]) {
                                char path[64];
                                snprintf(path, sizeof(path), "/etc/%s", view_etc_names[i]);
                                json_array_append_new(m, jmount(path, "the target's (read-only)"));
                        }
                json_array_append_new(m, jmount("/sys", "sysfs of the target's network namespace (read-only)"));
        }
        return m;
}

/* --explain: what an attach would do, and nothing of it done (SPEC 2, issue 6). */
int output_explain(const struct options *o, const struct plan *p, FILE *f)
{
        json_t *j = json_object(), *nss = json_array(), *argv = json_array(), *groups = json_array();
        json_t *tty = json_array(), *relayed = json_array();
        enum ns_type order[_NS_MAX];
        bool atomic;
        const char *kind;

        json_object_set_new(j, "target", json_pack("{s:o, s:o, s:I, s:I}", "given", jstr_or_null(o->target),
                                                   "resolved", jstr_or_null(p->target_name), "pid",
                                                   (json_int_t)p->target.pid, "starttime",
                                                   (json_int_t)p->target.starttime));
        size_t n = ns_order(p, order, &atomic);
        for (size_t i = 0; i < n; i++) {
                const char *src = o->ns_source[order[i]];
                json_array_append_new(nss, json_pack("{s:s, s:I, s:o}", "type", ns_table[order[i]].name, "inode",
                                                     (json_int_t)p->ns[order[i]].ino, "from",
                                                     jstr_or_null(p->ns[order[i]].via_target ? "target"
                                                                  : src                      ? src
                                                                                             : "?")));
        }
        json_object_set_new(j, "namespaces", nss);
        json_object_set_new(j, "entering", json_string(n == 0   ? "nothing"
                                                       : atomic ? "one setns() on the target's pidfd, in the kernel's order"
                                                                : "one namespace file at a time, in this order"));
        json_object_set_new(j, "forks", json_boolean(p->must_fork));
        json_t *mounts = explain_view(p, &kind);
        json_object_set_new(j, "view", json_pack("{s:s, s:o}", "kind", kind, "mounts", mounts));
        for (char **a = o->argv; a && *a; a++)
                json_array_append_new(argv, jstr_or_null(*a));
        json_object_set_new(j, "program", json_pack("{s:o, s:o, s:s}", "argv", argv, "path",
                                                    jstr_or_null(p->mnt_view ? p->mnt.prog : NULL), "from",
                                                    p->mnt_view || !p->ns[NS_MNT].enter ? "host" : "container"));
        for (size_t i = 0; i < p->ngroups; i++)
                json_array_append_new(groups, json_integer(p->groups[i]));
        json_t *priv = json_object();
        json_object_set_new(priv, "model", json_string(p->confine.on ? "the target's" : "the caller's"));
        json_object_set_new(priv, "uid", p->force_uid ? json_integer(p->uid) : json_string("unchanged"));
        json_object_set_new(priv, "gid", p->force_gid ? json_integer(p->gid) : json_string("unchanged"));
        if (p->force_groups)
                json_object_set_new(priv, "groups", groups);
        else {
                json_decref(groups);
                json_object_set_new(priv, "groups", json_string(p->confine.on ? "none" : "unchanged"));
        }
        if (p->confine.on) {
                json_object_set_new(priv, "cap_effective", jhex(p->confine.cap_eff));
                json_object_set_new(priv, "cap_permitted", jhex(p->confine.cap_prm));
                json_object_set_new(priv, "cap_bounding", jhex(p->confine.cap_bnd));
                json_object_set_new(priv, "cap_inheritable", jhex(0));
                json_object_set_new(priv, "cap_ambient", jhex(0));
        }
        json_object_set_new(priv, "no_new_privs", json_boolean(p->confine.on));
        json_object_set_new(priv, "seccomp", json_string(p->confine.on ? "the container filter"
                                                         : "the terminal ioctls only, when a stream is a terminal"));
        json_object_set_new(priv, "cgroups_joined", json_integer(p->confine.on ? p->cgroups.n : 0));
        json_object_set_new(priv, "session_keyring", json_string(p->confine.on ? "new" : "unchanged"));
        {
                const struct lsm_label *l = &p->confine.lsm;
                char what[200];
                if (!p->confine.on)
                        snprintf(what, sizeof(what), "unchanged");
                else if (l->kind == LSM_NONE)
                        snprintf(what, sizeof(what), "unchanged: no AppArmor or SELinux active");
                else if (!l->label)
                        snprintf(what, sizeof(what), "unchanged: the target's %s label is ours, or none",
                                 lsm_kind_name[l->kind]);
                else
                        snprintf(what, sizeof(what), "the target's, for the exec: %s %.150s", lsm_kind_name[l->kind],
                                 l->label);
                json_object_set_new(priv, "lsm_label", jstr_or_null(what));
        }
        json_object_set_new(priv, "launched_from_trampoline", json_boolean(p->confine.launch));
        json_object_set_new(j, "privileges", priv);
        for (int fd = 0; fd < 3; fd++) {
                if (p->pty_slave >= 0 && (p->pty_streams & (1u << fd)))
                        json_array_append_new(tty, json_integer(fd));
                if (p->relay_prog[fd] >= 0)
                        json_array_append_new(relayed, json_integer(fd));
        }
        json_object_set_new(j, "streams", json_pack("{s:o, s:o}", "own_terminal", tty, "relayed_pipes", relayed));
        size_t nenv = 0;
        for (char **e = p->envp; e && *e; e++)
                nenv++;
        json_object_set_new(j, "environment", json_pack("{s:I}", "variables", (json_int_t)nenv));
        json_object_set_new(j, "timeout_seconds",
                            p->timeout_us ? json_real((double)p->timeout_us / 1e6) : json_null());
        json_object_set_new(j, "follow", json_boolean(p->follow));

        int r = 0;
        if (o->json) {
                r = json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                fputc('\n', f);
        } else
                print_human(j, "", f);
        json_decref(j);
        return fflush(f) != 0 || r < 0 ? -EIO : 0;
}
