/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LXC: the payload cgroup's cgroup.procs, read for the container's init. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rt_query q;
        struct ctr_list l = { 0 };
        char cg[160];

        fuzz_write("lxc/web/config", (const uint8_t *)"lxc.uts.name = web\n", 19);
        fuzz_write("cgroup/pids/lxc.payload.web/cgroup.procs", data, size);
        fuzz_query(&q, "web", SCHEME_LXC);
        snprintf(cg, sizeof(cg), "%s/cgroup", fuzz_tree());
        q.roots[ROOT_CGROUP] = cg;
        rt_lxc_scan(&q, &l);
        ctr_list_free(&l);
        return 0;
}
