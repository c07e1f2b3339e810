/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints the fds this process was started with, one line: "0 1 2".  Probes with
 * fcntl() rather than reading /proc, which a container may have replaced. */
#include <fcntl.h>
#include <stdio.h>

int main(void)
{
        int first = 1;
        for (int fd = 0; fd < 4096; fd++)
                if (fcntl(fd, F_GETFD) >= 0) {
                        printf(first ? "%d" : " %d", fd);
                        first = 0;
                }
        printf("\n");
        return 0;
}
