/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Docker: names live only in containers/<id>/config.v2.json (dockerd keeps no
 * index on disk), so a name costs one read per container; an id or a prefix
 * costs a readdir.  The pid comes from State.Pid and is proven by runc's
 * state.json under the exec-root (RUNTIMES.md section 1).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime.h"
#include "util.h"

static bool wants_name(const char *q)
{
        /* Docker names are [a-zA-Z0-9][a-zA-Z0-9_.-]+ (daemon/names); anything
         * else cannot be one, so no file needs reading for it. */
        if (!q || !*q)
                return false;
        for (const char *p = q; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || ((*p == '_' || *p == '.' || *p == '-') && p != q)))
                        return false;
        return true;
}

/*
 * Cheap test before parsing: the name must appear as the JSON string "/NAME".
 * Only a file that has it is parsed, and the parse decides.
 */
static bool may_have_name(const char *path, const char *name)
{
        char buf[64 << 10];
        char pat[300];
        struct stat st;
        _cleanup_close_ int fd = rt_open_regular(path, &st);

        if (fd < 0)
                return fd != -EBADMSG; /* not a file: no container; else let the real read say */
        int pl = snprintf(pat, sizeof(pat), "\"/%s\"", name);
        if (pl < 0 || (size_t)pl >= sizeof(pat))
                return false;
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 || (size_t)n == sizeof(buf))
                return true; /* large or unreadable: parse it */
        return memmem(buf, (size_t)n, pat, (size_t)pl) != NULL;
}

static int load_one(const char *root, const char *exec_root, const char *cache, const char *id,
                    struct ctr_list *out)
{
        static const char *const p_id[] = { "ID", NULL }, *const p_name[] = { "Name", NULL };
        static const char *const p_image[] = { "Config", "Image", NULL };
        static const char *const p_pid[] = { "State", "Pid", NULL };
        static const char *const p_running[] = { "State", "Running", NULL };
        static const char *const p_paused[] = { "State", "Paused", NULL };
        enum { ID, NAME, IMAGE, PID, RUNNING, PAUSED };
        struct jscan_field f[] = {
                [ID] = { p_id, {} },   [NAME] = { p_name, {} },       [IMAGE] = { p_image, {} },
                [PID] = { p_pid, {} }, [RUNNING] = { p_running, {} }, [PAUSED] = { p_paused, {} },
        };
        _cleanup_free_ char *path = rt_path("%s/containers/%s/config.v2.json", root, id);
        _cleanup_free_ char *buf = NULL, *fid = NULL, *name = NULL;
        uint64_t pid = 0;

        if (!path)
                return -ENOMEM;
        int r = rt_read_doc(path, 16 << 20, &buf, f, ELEMENTSOF(f));
        if (r == -ENOENT)
                return 0; /* removed since readdir */
        if (r < 0)
                return r == -EACCES || r == -ENOMEM ? r : 0; /* a broken file is no container */

        /* The file names its own id; one that names another is not this container. */
        fid = jscan_strdup(f[ID].v);
        if (!fid || strcmp(fid, id) != 0)
                return 0;
        struct ctr *c = ctr_list_add(out, RT_DOCKER);
        if (!c)
                return -ENOMEM;
        c->id = strdup(id);
        name = jscan_strdup(f[NAME].v);
        if (name && name[0] == '/' && name[1])
                c->name = strdup(name + 1);
        c->image = jscan_strdup(f[IMAGE].v);
        c->source = TAKE_PTR(path);
        bool running = jscan_is(f[RUNNING].v, "true");
        bool paused = jscan_is(f[PAUSED].v, "true");
        c->state = !running ? CTR_STOPPED : paused ? CTR_PAUSED : CTR_RUNNING;
        if (running && jscan_uint(f[PID].v, INT32_MAX, &pid) == 0 && pid > 0)
                c->pid = (pid_t)pid;
        else
                c->state = CTR_STOPPED;

        /* cgroupfs driver: .../docker/<id> (or <CgroupParent>/<id>); systemd: docker-<id>.scope */
        c->cgroup[0] = strdup(id);
        c->cgroup[1] = rt_path("docker-%s.scope", id);
        if (!c->id || !c->cgroup[0] || !c->cgroup[1])
                return -ENOMEM;
        if (c->state != CTR_STOPPED && exec_root) {
                _cleanup_free_ char *sp = rt_path("%s/runtime-runc/moby/%s/state.json", exec_root, id);
                if (!sp)
                        return -ENOMEM;
                r = rt_runc_state(c, sp, cache);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

/*
 * The name cache.  dockerd keeps names only in memory and in each container's
 * config.v2.json, so finding a name means reading every container's file: 1.4
 * ms more at 200 containers.  <cache>/docker-<hash of data-root> maps names to
 * ids; a hit is only a guess of which file to read first, and counts only if
 * that file names the container so.  docker reserves a name for one container
 * per daemon, so a confirmed hit is the only match of that root.  A miss (or a
 * stale entry) falls back to reading every file, and when that finds the name
 * the cache is rewritten.  Only root uses it, in a directory of its own.
 */
#define CACHE_MAGIC "nsattach docker names 1"

static char *cache_path(const char *dir, const char *root)
{
        return rt_path("%s/docker-%016llx", dir, (unsigned long long)rt_fnv(RT_FNV_INIT, root, strlen(root)));
}

static bool cache_lookup(const char *dir, const char *root, const char *name, char id[65])
{
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t nl = strlen(name);

        if (rt_cache_dir(dir) < 0 || !(path = cache_path(dir, root)) || rt_read_text(path, 16 << 20, &buf) < 0)
                return false;
        char *line = strchr(buf, '\n');
        /* The header names the root, so a hash collision is a miss. */
        if (!line || strncmp(buf, CACHE_MAGIC " ", sizeof(CACHE_MAGIC)) != 0 ||
            strncmp(buf + sizeof(CACHE_MAGIC), root, strlen(root)) != 0 ||
            buf + sizeof(CACHE_MAGIC) + strlen(root) != line)
                return false;
        for (line++; *line;) {
                char *end = strchrnul(line, '\n');
                if ((size_t)(end - line) == nl + 65 && !strncmp(line, name, nl) && line[nl] == ' ') {
                        memcpy(id, line + nl + 1, 64);
                        id[64] = '\0';
                        return rt_is_hex_id(id, 64);
                }
                line = *end ? end + 1 : end;
        }
        return false;
}

/* Every container's name in root, written atomically (temp file, rename). */
static void cache_store(const char *dir, const char *root)
{
        _cleanup_free_ char *path = NULL, *text = NULL, *cdir = rt_path("%s/containers", root);
        size_t len = 0;
        FILE *f;
        DIR *d;

        if (!cdir || rt_cache_dir(dir) < 0 || !(path = cache_path(dir, root)) || !(d = opendir(cdir)))
                return;
        if (!(f = open_memstream(&text, &len))) {
                closedir(d);
                return;
        }
        fprintf(f, "%s %s\n", CACHE_MAGIC, root);
        struct dirent *de;
        while ((de = readdir(d))) {
                static const char *const p_name[] = { "Name", NULL };
                _cleanup_free_ char *cfg = NULL, *buf = NULL, *name = NULL;
                struct jscan_field field = { p_name, {} };
                if (strlen(de->d_name) != 64 || !rt_is_hex_id(de->d_name, 64) ||
                    !(cfg = rt_path("%s/%s/config.v2.json", cdir, de->d_name)) ||
                    rt_read_doc(cfg, 16 << 20, &buf, &field, 1) < 0 || !(name = jscan_strdup(field.v)))
                        continue;
                if (name[0] == '/' && wants_name(name + 1))
                        fprintf(f, "%s %s\n", name + 1, de->d_name);
        }
        closedir(d);
        if (fclose(f) == 0)
                rt_cache_write(path, text);
}

/* One data-root: every container whose id, id prefix or name could be q. */
static int scan_root(const char *root, const char *exec_root, const char *cache, const char *q,
                     struct ctr_list *out)
{
        _cleanup_free_ char *dir = rt_path("%s/containers", root);
        if (!dir)
                return -ENOMEM;
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;

        bool by_name = wants_name(q);
        size_t ql = q ? strlen(q) : 0;
        int r = 0;
        char hit[65] = "";
        size_t before = out->n;
        if (by_name && cache_lookup(cache, root, q, hit)) {
                r = load_one(root, exec_root, cache, hit, out);
                if (r < 0) {
                        closedir(d);
                        return r;
                }
                if (out->n > before && (!out->v[out->n - 1].name || strcmp(out->v[out->n - 1].name, q) != 0))
                        ctr_free(&out->v[--out->n]); /* stale: the file says otherwise */
                if (out->n == before)
                        hit[0] = '\0';
        }
        /* A confirmed name that is no hex string cannot also be an id or a
         * prefix of one, and docker gives a name to one container: the rest
         * of the directory has nothing more to say. */
        struct dirent *de;
        while (!(hit[0] && !rt_is_hex_id(q, ql)) && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l != 64 || !rt_is_hex_id(de->d_name, l) || !strcmp(de->d_name, hit))
                        continue;
                if (q && strncmp(de->d_name, q, ql) != 0) {
                        if (!by_name || hit[0])
                                continue;
                        _cleanup_free_ char *p = rt_path("%s/%s/config.v2.json", dir, de->d_name);
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        if (!may_have_name(p, q))
                                continue;
                }
                r = load_one(root, exec_root, cache, de->d_name, out);
                if (r < 0)
                        break;
        }
        closedir(d);
        /* Found by reading every file: next time, by the cache. */
        if (r == 0 && by_name && !hit[0])
                for (size_t i = before; i < out->n; i++)
                        if (out->v[i].name && !strcmp(out->v[i].name, q)) {
                                cache_store(cache, root);
                                break;
                        }
        return r;
}

/* "<uid>.<gid>": both plain decimal ids, as parse_id() takes them (no sign, space or overflow). */
static bool is_remap_dir(const char *name)
{
        const char *dot = strchr(name, '.');
        char uid[16];
        uint32_t id;

        if (!dot || (size_t)(dot - name) >= sizeof(uid))
                return false;
        memcpy(uid, name, (size_t)(dot - name));
        uid[dot - name] = '\0';
        return parse_id(uid, &id) == 0 && parse_id(dot + 1, &id) == 0;
}

/*
 * userns-remap moves the data under <data-root>/<uid>.<gid>/ (moby
 * setupDaemonRoot); the exec-root stays.
 */
static int scan_remapped(const char *root, const char *exec_root, const char *cache, const char *q,
                         struct ctr_list *out)
{
        DIR *d = opendir(root);
        if (!d)
                return 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!is_remap_dir(de->d_name))
                        continue;
                _cleanup_free_ char *sub = rt_path("%s/%s", root, de->d_name);
                if (!sub) {
                        r = -ENOMEM;
                        break;
                }
                r = scan_root(sub, exec_root, cache, q, out);
                if (r < 0 && r != -EACCES)
                        break;
                r = 0;
        }
        closedir(d);
        return r;
}

/*
 * Rootless docker: data in ~/.local/share/docker, exec-root in
 * $XDG_RUNTIME_DIR/docker (docs.docker.com rootless tips); the owner of the
 * home names the runtime directory.
 */
static int scan_user(const struct rt_query *q, const char *data, const char *xdg, struct ctr_list *out)
{
        _cleanup_free_ char *exec_root = xdg ? rt_path("%s/docker", xdg) : NULL;

        if (xdg && !exec_root)
                return -ENOMEM;
        /* no cache: the user's names are the user's to change */
        return scan_root(data, exec_root, NULL, q->text, out);
}

int rt_docker_scan(const struct rt_query *q, struct ctr_list *out)
{
        const char *root = q->roots[ROOT_DOCKER], *exec_root = q->roots[ROOT_DOCKER_EXEC];
        int r = 0;

        if (root) {
                r = scan_root(root, exec_root, q->roots[ROOT_CACHE], q->text, out);
                if (r == -ENOMEM)
                        return r;
                int k = scan_remapped(root, exec_root, q->roots[ROOT_CACHE], q->text, out);
                if (k == -ENOMEM)
                        return k;
        }
        int k = rt_each_user(q, ".local/share/docker", scan_user, out);
        return k == -ENOMEM ? k : r;
}
