/* SPDX-License-Identifier: GPL-2.0-or-later */
/* docker: config.v2.json, then (after "\n--\n") runc's state.json. */
#include "fuzz-common.h"

#define ID "46a59cdef7028218600722308b8e18e90397c47b2f5665d212f9772cc378feae"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *a, *b;
        size_t al, bl;

        fuzz_split(data, size, &a, &al, &b, &bl);
        fuzz_write("docker/containers/" ID "/config.v2.json", a, al);
        fuzz_write("docker-exec/runtime-runc/moby/" ID "/state.json", b, bl);
        fuzz_scan(rt_docker_scan, SCHEME_DOCKER, "webserver");
        return 0;
}
