/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsattach-exec: every name in the mnt view's HOSTEXEC_BIN is a hard link to
 * this static program, so a host shell's "ps" runs the host's ps.  It is
 * static because the view has no loader of the host's at the path the kernel
 * would look for one.  It learns which command it stands for from the path
 * it was exec'd by (AT_EXECFN, not /proc: the container's /proc may not show
 * us), finds it in the host's trees and runs it through the host's loader.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "hostexec.h"

int main(int argc, char *argv[], char *envp[])
{
        /* NOLINTNEXTLINE(performance-no-int-to-ptr): getauxval() hands pointers out as unsigned long */
        const char *fn = (const char *)getauxval(AT_EXECFN);
        const char *name;
        int r = -ENOENT;

        if (!fn || !*fn)
                fn = argc > 0 && argv[0] ? argv[0] : "";
        name = strrchr(fn, '/');
        name = name ? name + 1 : fn;
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                fprintf(stderr, "nsattach-exec: run as a command of the mnt view only\n");
                return 127;
        }
        for (int i = 0; hostexec_path_dirs[i]; i++) {
                char rel[PATH_MAX], path[PATH_MAX];
                if (snprintf(rel, sizeof(rel), "%s/%s", hostexec_path_dirs[i], name) >= (int)sizeof(rel) ||
                    hostexec_resolve(rel, path, sizeof(path)) < 0 || access(path, X_OK) < 0)
                        continue;
                r = hostexec(path, argc > 0 ? argv : (char *[]){ (char *)name, NULL }, envp);
                break;
        }
        fprintf(stderr, "%s: %s\n", name, strerror(-r));
        return r == -ENOENT ? 127 : 126;
}
