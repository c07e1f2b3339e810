/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TARGET syntax and the /proc/PID/stat parser: the input is a target string
 * resolved against an empty host (every root in the scratch tree), and a stat
 * line whose start time is read.
 */
#include "fuzz-common.h"
#include <errno.h>

#include "nsattach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = strndup((const char *)data, size);
        const char *roots[_ROOT_MAX];
        struct resolve_result res;
        char err[CLI_ERROR_MAX];
        uint64_t start;
        char state;

        if (!s)
                return 0;
        for (int i = 0; i < _ROOT_MAX; i++)
                roots[i] = "/dev/shm/nsattach-fuzz-none";
        if (target_resolve(s, SCHEME_ANY, roots, -EBADF, &res, err, sizeof(err)) == 0)
                ctr_free(&res.ctr);
        parse_stat_starttime(s, &start, &state);
        free(s);
        return 0;
}
