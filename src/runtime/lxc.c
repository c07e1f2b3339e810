/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LXC: a container is a directory <lxcpath>/<NAME>/ with a config file, and it
 * keeps no pid file; its monitor answers over an abstract socket, which hangs
 * when the monitor does.  The payload's cgroup (lxc.payload.<NAME>, /lxc/<NAME>
 * before LXC 4) lists its processes, and the init is the one that is pid 1 of
 * its pid namespace (RUNTIMES.md 4.1).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime.h"
#include "util.h"

/* The NSpid fields of /proc/PID/status ("self" for ours): the pid namespace depth + 1. */
static int nspid_fields(const char *pid, bool *ret_last_is_1)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        const char *last = NULL;
        int fields = 0;

        snprintf(path, sizeof(path), "/proc/%s/status", pid);
        if (read_file_at(AT_FDCWD, path, &buf, NULL) < 0)
                return -1;
        char *l = strstr(buf, "\nNSpid:");
        if (!l)
                return -1;
        l[strcspn(l + 1, "\n") + 1] = '\0';
        char *save = NULL;
        for (char *tok = strtok_r(l + 8, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
                last = tok, fields++;
        if (ret_last_is_1)
                *ret_last_is_1 = last && strcmp(last, "1") == 0;
        return fields;
}

/*
 * The container's init: pid 1 of a pid namespace exactly one level below ours.
 * Deeper ones are sandboxes the container made for itself (bwrap, unshare -p, a
 * nested runtime) and sit in the same cgroup on v1; two candidates is an error.
 */
static pid_t pick_init(char *procs, int want_fields, int *found)
{
        pid_t ret = 0;
        char *save = NULL;

        for (char *tok = strtok_r(procs, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
                pid_t pid;
                bool one;
                if (parse_pid(tok, &pid) < 0 || nspid_fields(tok, &one) != want_fields || !one)
                        continue;
                if ((*found)++ == 0)
                        ret = pid;
        }
        return ret;
}

static pid_t find_init(const char *cgroot, const char *name)
{
        /* cgroup v2 at the root or under unified/, v1 controllers; /lxc/<NAME> before LXC 4;
         * init.scope where systemd runs inside (it moves itself there on v2) */
        static const char *const layouts[][3] = {
                { "", "lxc.payload.", "" },         { "", "lxc.payload.", "/init.scope" },
                { "/unified", "lxc.payload.", "" }, { "/unified", "lxc.payload.", "/init.scope" },
                { "/pids", "lxc.payload.", "" },    { "/systemd", "lxc.payload.", "" },
                { "/pids", "lxc/", "" },            { "", "lxc/", "" },
        };
        int want = nspid_fields("self", NULL) + 1;

        if (want < 2)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(layouts); i++) {
                _cleanup_free_ char *path = rt_path("%s%s/%s%s%s/cgroup.procs", cgroot, layouts[i][0],
                                                    layouts[i][1], name, layouts[i][2]),
                                    *buf = NULL;
                int found = 0;
                if (!path || read_file_at(AT_FDCWD, path, &buf, NULL) < 0)
                        continue;
                pid_t pid = pick_init(buf, want, &found);
                if (found == 1)
                        return pid;
                if (found > 1)
                        return 0; /* two inits: not guessing */
        }
        return 0;
}

int rt_lxc_scan(const struct rt_query *q, struct ctr_list *out)
{
        const char *lxcpath = q->roots[ROOT_LXC];
        DIR *d = lxcpath ? opendir(lxcpath) : NULL;
        if (!d)
                return lxcpath && errno == EACCES ? -EACCES : 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                struct stat st;
                if (de->d_name[0] == '.' || (q->text && strcmp(de->d_name, q->text) != 0))
                        continue;
                _cleanup_free_ char *cfg = rt_path("%s/%s/config", lxcpath, de->d_name);
                if (!cfg) {
                        r = -ENOMEM;
                        break;
                }
                if (stat(cfg, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                struct ctr *c = ctr_list_add(out, RT_LXC);
                if (!c) {
                        r = -ENOMEM;
                        break;
                }
                c->id = strdup(de->d_name);
                c->name = strdup(de->d_name);
                c->source = TAKE_PTR(cfg);
                c->cgroup[0] = rt_path("lxc.payload.%s", de->d_name);
                c->cgroup[1] = rt_path("lxc/%s", de->d_name);
                if (!c->id || !c->name || !c->cgroup[0] || !c->cgroup[1]) {
                        r = -ENOMEM;
                        break;
                }
                c->pid = q->roots[ROOT_CGROUP] ? find_init(q->roots[ROOT_CGROUP], de->d_name) : 0;
                c->state = c->pid > 0 ? CTR_RUNNING : CTR_STOPPED;
        }
        closedir(d);
        return r;
}
