/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target's LSM label for a process that takes on the target's privileges
 * (SPEC section 6): its AppArmor profile or SELinux context, set for the
 * program's exec as runc does (AppArmor's change_onexec, SELinux's
 * setexeccon): "exec PROFILE" or the context, written to the process's own
 * attr/exec.  Both files are reached through the host's /proc, never the
 * container's.  Which LSM is active is read from the host's securityfs list
 * (/sys/kernel/security/lsm), else from the modules' own files; with
 * neither active there is no label to take, and nothing is written.  The
 * label set for exec is kept through fork, so the program's process, forked
 * after it is written, execs into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsattach.h"
#include "util.h"

const char *const lsm_kind_name[_LSM_MAX] = {
        [LSM_NONE] = "none",
        [LSM_APPARMOR] = "AppArmor",
        [LSM_SELINUX] = "SELinux",
};

/* Is name one of the comma-separated list's entries? */
static bool in_list(const char *list, const char *name)
{
        size_t nl = strlen(name);
        for (const char *p = list; *p;) {
                size_t l = strcspn(p, ",\n");
                if (l == nl && !strncmp(p, name, nl))
                        return true;
                p += l;
                p += *p != '\0';
        }
        return false;
}

enum lsm_kind lsm_from_list(const char *list)
{
        /* one of the two at most: both are "exclusive" LSMs */
        if (!list)
                return LSM_NONE;
        if (in_list(list, "apparmor"))
                return LSM_APPARMOR;
        if (in_list(list, "selinux"))
                return LSM_SELINUX;
        return LSM_NONE;
}

static enum lsm_kind lsm_active(void)
{
        _cleanup_free_ char *list = NULL, *aa = NULL;

        if (read_file_at(AT_FDCWD, "/sys/kernel/security/lsm", &list, NULL) == 0)
                return lsm_from_list(list);
        /* securityfs not mounted: the modules say it themselves */
        if (read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", &aa, NULL) == 0 && aa[0] == 'Y')
                return LSM_APPARMOR;
        if (access("/sys/fs/selinux/enforce", F_OK) == 0)
                return LSM_SELINUX;
        return LSM_NONE;
}

/* The label in an attr/current text: up to a NUL or the end of the line; for
 * AppArmor, without the " (enforce)" mode after each profile of a stack
 * ("a (enforce)//&:ns:b (complain)" is "a//&:ns:b").  *ret NULL: nothing to
 * take (AppArmor's "unconfined").  -EINVAL: no label that can be written back
 * (empty, or with control characters), which must not pass for none. */
int lsm_label_of(enum lsm_kind kind, const char *text, char **ret)
{
        *ret = NULL;
        if (!text)
                return -EINVAL;
        size_t l = strcspn(text, "\n");
        while (l > 0 && (text[l - 1] == ' ' || text[l - 1] == '\t'))
                l--;
        if (l == 0)
                return -EINVAL;
        for (size_t i = 0; i < l; i++)
                if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
                        return -EINVAL;
        char *out = malloc(l + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        for (size_t i = 0; i < l;) {
                if (kind == LSM_APPARMOR && text[i] == ' ' && i + 1 < l && text[i + 1] == '(') {
                        size_t j = i + 2;
                        while (j < l && text[j] >= 'a' && text[j] <= 'z')
                                j++;
                        /* " (mode)" ending the text or one profile of the stack */
                        if (j > i + 2 && j < l && text[j] == ')' &&
                            (j + 1 == l || (j + 3 < l && !strncmp(text + j + 1, "//&", 3)))) {
                                i = j + 1;
                                continue;
                        }
                }
                out[o++] = text[i++];
        }
        out[o] = '\0';
        if (o == 0 || (kind == LSM_APPARMOR && !strcmp(out, "unconfined"))) {
                free(out);
                return o == 0 ? -EINVAL : 0;
        }
        *ret = out;
        return 0;
}

/* AppArmor's own files under attr/ where the kernel has them (LSM stacking,
 * Linux 5.8), else the shared ones. */
static const char *attr_file(int procfd, enum lsm_kind kind, const char *which, char *buf, size_t len)
{
        if (kind == LSM_APPARMOR) {
                snprintf(buf, len, "attr/apparmor/%s", which);
                if (faccessat(procfd, buf, F_OK, 0) == 0)
                        return buf;
        }
        snprintf(buf, len, "attr/%s", which);
        return buf;
}

int lsm_target_label(int proc_dirfd, int target_procfd, struct lsm_label *ret, char *why, size_t len)
{
        char path[64];
        _cleanup_free_ char *theirs = NULL, *ours = NULL;
        int r;

        ret->kind = lsm_active();
        ret->label = NULL;
        if (ret->kind == LSM_NONE)
                return 0;
        r = read_file_at(target_procfd, attr_file(target_procfd, ret->kind, "current", path, sizeof(path)), &theirs,
                         NULL);
        if (r < 0) {
                snprintf(why, len, "its %s label: %s", lsm_kind_name[ret->kind], strerror(-r));
                return r;
        }
        _cleanup_free_ char *label = NULL, *own = NULL;
        if ((r = lsm_label_of(ret->kind, theirs, &label)) < 0) {
                snprintf(why, len, "its %s label cannot be read back (attr/current: '%.60s')",
                         lsm_kind_name[ret->kind], theirs);
                strip_controls(why, false);
                return r;
        }
        _cleanup_close_ int self = openat(proc_dirfd, "self", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (label && self >= 0 &&
            read_file_at(self, attr_file(self, ret->kind, "current", path, sizeof(path)), &ours, NULL) == 0 &&
            lsm_label_of(ret->kind, ours, &own) == 0 && own && !strcmp(label, own))
                return 0; /* ours already */
        ret->label = TAKE_PTR(label);
        return 0;
}

int lsm_exec_apply(int proc_dirfd, const struct lsm_label *l)
{
        char path[64], line[4200];
        int n;

        if (l->kind == LSM_NONE || !l->label)
                return 0;
        _cleanup_close_ int self = openat(proc_dirfd, "thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        _cleanup_close_ int fd = openat(self, attr_file(self, l->kind, "exec", path, sizeof(path)), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = l->kind == LSM_APPARMOR ? snprintf(line, sizeof(line), "exec %s", l->label)
                                    : snprintf(line, sizeof(line), "%s", l->label);
        if (n < 0 || (size_t)n >= sizeof(line))
                return -ENAMETOOLONG;
        ssize_t k = write(fd, line, (size_t)n);
        if (k < 0)
                return -errno;
        return k == n ? 0 : -EIO;
}

void lsm_done(struct lsm_label *l)
{
        free(l->label);
        l->label = NULL;
        l->kind = LSM_NONE;
}
