/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints the fds this process was started with, one line: "0 1 2". */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        int fds[1024], n = 0;

        if (!d)
                return 1;
        while ((e = readdir(d)) && n < 1024) {
                if (e->d_name[0] == '.')
                        continue;
                int fd = atoi(e->d_name);
                if (fd != dirfd(d))
                        fds[n++] = fd;
        }
        closedir(d);
        for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++)
                        if (fds[j] < fds[i]) {
                                int t = fds[i];
                                fds[i] = fds[j];
                                fds[j] = t;
                        }
        for (int i = 0; i < n; i++)
                printf(i ? " %d" : "%d", fds[i]);
        printf("\n");
        return 0;
}
