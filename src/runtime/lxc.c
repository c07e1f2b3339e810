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

/* 1 if PID is pid 1 of a pid namespace below ours: NSpid has two fields or more, the last "1". */
static bool is_ns_init(pid_t pid)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        const char *last = NULL;
        int fields = 0;

        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        if (read_file_at(AT_FDCWD, path, &buf, NULL) < 0)
                return false;
        char *l = strstr(buf, "\nNSpid:");
        if (!l)
                return false;
        l[strcspn(l + 1, "\n") + 1] = '\0';
        char *save = NULL;
        for (char *tok = strtok_r(l + 8, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
                last = tok, fields++;
        return fields >= 2 && strcmp(last, "1") == 0;
}

static pid_t find_init(const char *cgroot, const char *name)
{
        /* cgroup v2 at the root or under unified/, v1 controllers; /lxc/<NAME> before LXC 4 */
        static const char *const layouts[][2] = {
                { "", "lxc.payload." },  { "/unified", "lxc.payload." }, { "/pids", "lxc.payload." },
                { "/systemd", "lxc.payload." }, { "/pids", "lxc/" },      { "", "lxc/" },
        };

        for (size_t i = 0; i < ELEMENTSOF(layouts); i++) {
                _cleanup_free_ char *path = rt_path("%s%s/%s%s/cgroup.procs", cgroot, layouts[i][0],
                                                    layouts[i][1], name),
                                    *buf = NULL;
                if (!path || read_file_at(AT_FDCWD, path, &buf, NULL) < 0)
                        continue;
                char *save = NULL;
                for (char *tok = strtok_r(buf, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
                        pid_t pid;
                        if (parse_pid(tok, &pid) == 0 && is_ns_init(pid))
                                return pid;
                }
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
