/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * containers/storage: podman and CRI-O share it.  <graphroot>/<driver>-containers/
 * containers.json lists every container with its names (one file, whatever the
 * count); <runroot>/<driver>-containers/<id>/userdata/ holds the OCI config,
 * whose annotations tell podman's (io.container.manager=libpod) from CRI-O's
 * (io.kubernetes.cri-o.*), and the pid file, which survives a stop, so the pid is
 * taken from runc's or crun's state, which does not (RUNTIMES.md 2 and 3.4).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime.h"
#include "util.h"

struct storage {
        const char *graph;  /* graphroot */
        const char *run;    /* runroot */
        const char *runc;   /* runc --root */
        const char *crun;   /* crun --root */
        bool rootless;      /* a user's (rt_each_user marks whose): never CRI-O */
        const char *cache;  /* where state answers are kept: root's state only */
};

static bool name_is(json_t *names, const char *q)
{
        size_t i;
        json_t *v;

        json_array_foreach(names, i, v)
                if (json_is_string(v) && strcmp(json_string_value(v), q) == 0)
                        return true;
        return false;
}

/* CRI-O registers its containers in storage as k8s_CONTAINER_POD_NS_UID_ATTEMPT. */
static bool is_k8s_named(json_t *names)
{
        size_t i;
        json_t *v;

        json_array_foreach(names, i, v)
                if (json_is_string(v) && strncmp(json_string_value(v), "k8s_", 4) == 0)
                        return true;
        return false;
}

static const char *first_name(json_t *names)
{
        json_t *v = json_array_get(names, 0);

        return json_is_string(v) ? json_string_value(v) : NULL;
}

/* podman records "image-name" inside the metadata string. */
static char *metadata_image(json_t *entry)
{
        const char *md = rt_json_str(entry, "metadata");
        char *ret = NULL;

        if (!md)
                return NULL;
        json_t *j = json_loads(md, JSON_REJECT_DUPLICATES, NULL);
        const char *img = rt_json_str(j, "image-name");
        if (img)
                ret = strdup(img);
        json_decref(j);
        return ret;
}

static int load_one(const struct storage *s, const char *driver_dir, json_t *entry, const char *id,
                    struct ctr_list *out)
{
        json_t *names = json_object_get(entry, "names");
        json_t *cfg = NULL;
        int r;

        /* The OCI config in the run root (the bundle), else its copy in the graph root. */
        _cleanup_free_ char *cfgpath = rt_path("%s/%s/%s/userdata/config.json", s->run ? s->run : "",
                                               driver_dir, id);
        if (!cfgpath)
                return -ENOMEM;
        r = s->run ? rt_read_json(cfgpath, 16 << 20, &cfg) : -ENOENT;
        if (r == -ENOENT) {
                free(cfgpath);
                cfgpath = rt_path("%s/%s/%s/userdata/config.json", s->graph, driver_dir, id);
                if (!cfgpath)
                        return -ENOMEM;
                r = rt_read_json(cfgpath, 16 << 20, &cfg);
        }
        if (r == -ENOMEM || r == -EACCES)
                return r;
        json_t *ann = json_object_get(cfg, "annotations");
        const char *ctype = rt_json_str(ann, "io.kubernetes.cri-o.ContainerType");
        const char *manager = rt_json_str(ann, "io.container.manager");
        bool crio = !s->rootless && ctype && !(manager && strcmp(manager, "libpod") == 0);

        /* CRI-O's pod sandboxes (pause) are not what an operator names. */
        if (crio && strcmp(ctype, "container") != 0) {
                json_decref(cfg);
                return 0;
        }
        struct ctr *c = ctr_list_add(out, crio ? RT_CRIO : RT_PODMAN);
        if (!c) {
                json_decref(cfg);
                return -ENOMEM;
        }
        c->id = strdup(id);
        r = 0;
        if (crio) {
                const char *n = rt_json_str(ann, "io.kubernetes.cri-o.Name");
                c->name = strdup(n ? n : first_name(names) ? first_name(names) : id);
                static const char *const k8s_keys[4] = {
                        "io.kubernetes.pod.namespace", "io.kubernetes.pod.name",
                        "io.kubernetes.container.name", "io.kubernetes.cri-o.ImageName",
                };
                r = ctr_set_k8s(c, ann, k8s_keys);
                c->cgroup[0] = rt_path("crio-%s.scope", id);
                c->cgroup[1] = rt_path("crio-%s", id);
                c->cgroup[2] = strdup(id);
        } else {
                if (first_name(names))
                        c->name = strdup(first_name(names));
                c->image = metadata_image(entry);
                c->cgroup[0] = rt_path("libpod-%s", id);
                c->cgroup[1] = rt_path("libpod-%s.scope", id);
        }
        json_decref(cfg);
        c->source = rt_path("%s/%s/containers.json", s->graph, driver_dir);
        if (r < 0 || !c->id || !c->cgroup[0] || !c->source)
                return -ENOMEM;

        /* Running while the runtime's state exists; the pid file alone proves nothing. */
        c->state = CTR_STOPPED;
        const char *roots[2] = { s->runc, s->crun }, *file[2] = { "state.json", "status" };
        for (int k = 0; k < 2; k++) {
                if (!roots[k])
                        continue;
                _cleanup_free_ char *sp = rt_path("%s/%s/%s", roots[k], id, file[k]);
                if (!sp)
                        return -ENOMEM;
                r = rt_runc_state(c, sp, s->cache);
                if (r == -ENOMEM)
                        return r;
                if (r == 0) {
                        c->state = CTR_RUNNING;
                        break;
                }
        }
        return 0;
}

static int scan_driver(const struct storage *s, const char *driver_dir, const struct rt_query *q,
                       struct ctr_list *out)
{
        _cleanup_free_ char *path = rt_path("%s/%s/containers.json", s->graph, driver_dir);
        json_t *list = NULL, *entry;
        size_t i;

        if (!path)
                return -ENOMEM;
        int r = rt_read_json(path, 64 << 20, &list);
        if (r == -ENOENT || r == -EBADMSG || r == -EFBIG)
                return 0;
        if (r < 0)
                return r;
        if (!json_is_array(list)) {
                json_decref(list);
                return 0;
        }
        /* k8s names and bare names that may be pods need the annotations of CRI-O's. */
        bool k8s_query = q->scheme == SCHEME_ANY || q->scheme == SCHEME_K8S || q->scheme == SCHEME_CRIO;
        size_t ql = q->text ? strlen(q->text) : 0;
        r = 0;
        json_array_foreach(list, i, entry) {
                const char *id = rt_json_str(entry, "id");
                json_t *names = json_object_get(entry, "names");
                if (!id || !rt_is_hex_id(id, strlen(id)) || strlen(id) != 64)
                        continue;
                if (q->text && strncmp(id, q->text, ql) != 0 && !name_is(names, q->text) &&
                    !(k8s_query && is_k8s_named(names)))
                        continue;
                r = load_one(s, driver_dir, entry, id, out);
                if (r < 0)
                        break;
        }
        json_decref(list);
        return r;
}

static int scan_storage(const struct storage *s, const struct rt_query *q, struct ctr_list *out)
{
        DIR *d = opendir(s->graph);
        if (!d)
                return errno == EACCES ? -EACCES : 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                /* <driver>-containers: overlay, vfs, btrfs, zfs... */
                if (l <= 11 || strcmp(de->d_name + l - 11, "-containers") != 0)
                        continue;
                r = scan_driver(s, de->d_name, q, out);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

/* Rootless podman: ~/.local/share/containers/storage, $XDG_RUNTIME_DIR/{containers,runc,crun}. */
static int scan_user(const struct rt_query *q, const char *graph, const char *xdg, struct ctr_list *out)
{
        _cleanup_free_ char *rr = xdg ? rt_path("%s/containers", xdg) : NULL;
        _cleanup_free_ char *rc = xdg ? rt_path("%s/runc", xdg) : NULL;
        _cleanup_free_ char *cr = xdg ? rt_path("%s/crun", xdg) : NULL;
        struct storage s = { graph, rr, rc, cr, true, NULL };

        if (xdg && (!rr || !rc || !cr))
                return -ENOMEM;
        return scan_storage(&s, q, out);
}

int rt_podman_scan(const struct rt_query *q, struct ctr_list *out)
{
        int r = 0;

        if (q->roots[ROOT_PODMAN]) {
                struct storage s = { q->roots[ROOT_PODMAN], q->roots[ROOT_PODMAN_RUN],
                                     q->roots[ROOT_RUNC], q->roots[ROOT_CRUN], false, q->roots[ROOT_CACHE] };
                r = scan_storage(&s, q, out);
                if (r == -ENOMEM)
                        return r;
        }
        int k = rt_each_user(q, ".local/share/containers/storage", scan_user, out);
        return k == -ENOMEM ? k : r;
}
