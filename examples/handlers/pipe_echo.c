/* The trivial compiled handler of the tests and bench/pipe.sh, answering every job ok.
 *   cc -O2 -o pipe_echo pipe_echo.c
 *   jq-nats work STREAM --pipe -- ./pipe_echo     one process, jobs as JSON lines
 *   jq-nats work STREAM -- ./pipe_echo once       a process per job: reads the payload, exits 0
 * In pipe mode it answers every complete line it has read with one write, so a batch of jobs
 * costs one read and one write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char in[1 << 16], out[1 << 16];

int main(int argc, char **argv) {
    size_t have = 0;
    if (argc > 1 && strcmp(argv[1], "once") == 0) {
        while (read(0, in, sizeof in) > 0) {}
        return 0;
    }
    for (;;) {
        ssize_t n = read(0, in + have, sizeof in - have);
        if (n <= 0) return 0;
        have += (size_t)n;
        size_t used = 0, len = 0;
        char *nl;
        while ((nl = memchr(in + used, '\n', have - used)) != NULL) {
            /* {"id":N,... : the id comes first. */
            unsigned long long id = strtoull(in + used + 6, NULL, 10);
            if (len + 64 > sizeof out) { if (write(1, out, len) < 0) return 1; len = 0; }
            len += (size_t)snprintf(out + len, sizeof out - len, "{\"id\":%llu,\"ok\":true}\n", id);
            used = (size_t)(nl - in) + 1;
        }
        if (len > 0 && write(1, out, len) < 0) return 1;
        memmove(in, in + used, have - used);
        have -= used;
        if (have == sizeof in) return 2; /* a line longer than the buffer */
    }
}
