/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd-nspawn and other machined machines: /run/systemd/machines/<NAME> is
 * a KEY=VALUE file written atomically by systemd-machined, with the leader's
 * pid and the scope unit that holds it (RUNTIMES.md 4.2).  The leader is proven
 * by its cgroup carrying that scope.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "util.h"

static const char *value_of(char *buf, const char *key)
{
        size_t kl = strlen(key);

        for (char *line = buf; line && *line;) {
                char *nl = strchr(line, '\n');
                if (strncmp(line, key, kl) == 0 && line[kl] == '=')
                        return line + kl + 1;
                line = nl ? nl + 1 : NULL;
        }
        return NULL;
}

static int load_one(const char *dir, const char *name, struct ctr_list *out)
{
        _cleanup_free_ char *path = rt_path("%s/%s", dir, name), *buf = NULL;

        if (!path)
                return -ENOMEM;
        int r = rt_read_small(path, &buf);
        if (r == -ENOMEM || r == -EACCES)
                return r;
        if (r < 0)
                return 0;
        /* Split into lines only after every lookup is possible. */
        const char *fname = value_of(buf, "NAME"), *leader = value_of(buf, "LEADER");
        const char *scope = value_of(buf, "SCOPE"), *root = value_of(buf, "ROOT");
        for (char *p = buf; *p; p++)
                if (*p == '\n')
                        *p = '\0';
        if (!fname || strcmp(fname, name) != 0)
                return 0; /* a file that names another machine is not this one */

        struct ctr *c = ctr_list_add(out, RT_MACHINE);
        if (!c)
                return -ENOMEM;
        c->id = strdup(name);
        c->name = strdup(name);
        c->source = TAKE_PTR(path);
        if (root && *root)
                c->image = strdup(root);
        c->cgroup[0] = scope && *scope ? strdup(scope) : rt_path("machine-%s.scope", name);
        if (!c->id || !c->name || !c->cgroup[0])
                return -ENOMEM;
        if (leader && parse_pid(leader, &c->pid) == 0)
                c->state = CTR_RUNNING;
        else
                c->state = CTR_STOPPED, c->pid = 0;
        return 0;
}

int rt_machine_scan(const struct rt_query *q, struct ctr_list *out)
{
        const char *dir = q->roots[ROOT_MACHINES];
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return dir && errno == EACCES ? -EACCES : 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                /* unit:<scope> entries are symlinks back to the name */
                if (de->d_name[0] == '.' || strchr(de->d_name, ':'))
                        continue;
                if (q->text && strcmp(de->d_name, q->text) != 0)
                        continue;
                r = load_one(dir, de->d_name, out);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}
