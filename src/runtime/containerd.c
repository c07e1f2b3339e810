/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * containerd (ctr, nerdctl, Kubernetes CRI): every task has a bundle at
 * <state>/io.containerd.runtime.v2.task/<namespace>/<id>/ with init.pid and the
 * OCI config, whose annotations carry nerdctl/name and the CRI pod, namespace
 * and container names.  init.pid stays until the task is deleted, so the pid is
 * proven by runc's state.json (RUNTIMES.md section 3).
 *
 * dockerd runs its own containerd under <docker exec-root>/containerd/daemon;
 * its "moby" namespace holds docker's containers, which the docker resolver
 * reports by their docker names, so it is skipped here (and in the system
 * containerd, where docker-ce keeps them).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "util.h"

#define TASKS "io.containerd.runtime.v2.task"


static int load_one(const char *state, const char *cache, const char *ns, const char *id, struct ctr_list *out)
{
        _cleanup_free_ char *bundle = rt_path("%s/" TASKS "/%s/%s", state, ns, id);
        _cleanup_free_ char *cfgpath = NULL, *pidpath = NULL, *pidtext = NULL;
        json_t *cfg = NULL;
        int r;

        if (!bundle || !(cfgpath = rt_path("%s/config.json", bundle)) ||
            !(pidpath = rt_path("%s/init.pid", bundle)))
                return -ENOMEM;
        r = rt_read_json(cfgpath, 16 << 20, &cfg);
        if (r == -ENOMEM || r == -EACCES)
                return r;
        if (r < 0)
                return 0; /* being created or deleted, or not a bundle */

        struct ctr *c = ctr_list_add(out, RT_CONTAINERD);
        if (!c) {
                json_decref(cfg);
                return -ENOMEM;
        }
        json_t *ann = json_object_get(cfg, "annotations");
        const char *type = rt_json_str(ann, "io.kubernetes.cri.container-type");
        c->id = strdup(id);
        c->ns = strdup(ns);
        static const char *const k8s_keys[4] = {
                "io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-name",
                "io.kubernetes.cri.container-name", "io.kubernetes.cri.image-name",
        };
        r = rt_json_dup(&c->name, ann, "nerdctl/name");
        if (r == 0 && type && strcmp(type, "container") == 0)
                r = ctr_set_k8s(c, ann, k8s_keys);
        json_decref(cfg);
        c->cgroup[0] = strdup(id); /* cgroupfs: /<namespace>/<id> */
        c->cgroup[1] = rt_path("cri-containerd-%s.scope", id);
        c->source = TAKE_PTR(cfgpath);
        if (r < 0 || !c->id || !c->ns || !c->cgroup[0] || !c->cgroup[1])
                return -ENOMEM;

        c->state = CTR_STOPPED;
        r = rt_read_small(pidpath, &pidtext);
        if (r == -ENOMEM)
                return r;
        if (r == 0 && parse_pid(pidtext, &c->pid) < 0)
                c->pid = 0;
        /* The v2 shim's runc --root is /run/containerd/runc/<namespace> whatever
         * --state is (RUNTIMES.md 3.1, 8); <state>/runc where the state is moved as a
         * whole (a fixture, a chroot). */
        const char *runc_roots[] = { state, "/run/containerd" };
        for (size_t k = 0; k < ELEMENTSOF(runc_roots); k++) {
                if (k > 0 && !strcmp(runc_roots[k], state))
                        break;
                _cleanup_free_ char *sp = rt_path("%s/runc/%s/%s/state.json", runc_roots[k], ns, id);
                if (!sp)
                        return -ENOMEM;
                r = rt_runc_state(c, sp, cache);
                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        break;
        }
        if (r == 0 && c->pid > 0)
                c->state = CTR_RUNNING; /* until verification says otherwise */
        return 0;
}

static bool may_match(const struct rt_query *q, const char *ns, const char *id)
{
        if (!q->text)
                return true;
        /* Names (nerdctl, k8s) are in the annotations: read every bundle for them. */
        if (q->scheme != SCHEME_CONTAINERD)
                return true;
        const char *slash = strchr(q->text, '/');
        if (slash) {
                const char *id_prefix = slash + 1;
                return strlen(ns) == (size_t)(slash - q->text) &&
                       strncmp(ns, q->text, (size_t)(slash - q->text)) == 0 &&
                       strncmp(id, id_prefix, strlen(id_prefix)) == 0;
        }
        return strncmp(id, q->text, strlen(q->text)) == 0;
}

static int scan_state(const char *state, const struct rt_query *q, struct ctr_list *out)
{
        _cleanup_free_ char *tasks = rt_path("%s/" TASKS, state);
        if (!tasks)
                return -ENOMEM;
        DIR *d = opendir(tasks);
        if (!d)
                return errno == EACCES ? -EACCES : 0;
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (de = readdir(d))) {
                if (de->d_name[0] == '.' || strcmp(de->d_name, "moby") == 0)
                        continue;
                _cleanup_free_ char *nsdir = rt_path("%s/%s", tasks, de->d_name);
                if (!nsdir) {
                        r = -ENOMEM;
                        break;
                }
                DIR *nd = opendir(nsdir);
                if (!nd)
                        continue;
                struct dirent *te;
                while ((te = readdir(nd))) {
                        if (te->d_name[0] == '.' || !may_match(q, de->d_name, te->d_name))
                                continue;
                        r = load_one(state, q->roots[ROOT_CACHE], de->d_name, te->d_name, out);
                        if (r < 0)
                                break;
                }
                closedir(nd);
        }
        closedir(d);
        return r;
}

int rt_containerd_scan(const struct rt_query *q, struct ctr_list *out)
{
        int r = 0;

        if (q->roots[ROOT_CONTAINERD]) {
                r = scan_state(q->roots[ROOT_CONTAINERD], q, out);
                if (r == -ENOMEM)
                        return r;
        }
        if (q->roots[ROOT_DOCKER_EXEC]) {
                _cleanup_free_ char *s = rt_path("%s/containerd/daemon", q->roots[ROOT_DOCKER_EXEC]);
                if (!s)
                        return -ENOMEM;
                int k = scan_state(s, q, out);
                if (k == -ENOMEM)
                        return k;
        }
        return r;
}
