#define _GNU_SOURCE
/* The --pipe handler of tests/load.rs: fails about 10% of attempts, chosen by a hash of the
 * job's payload and its attempt number, so a run is reproducible and each attempt of a job is
 * an independent draw (a job dies only when all of its attempts draw a failure).
 *   cc -O2 -o flaky flaky.c
 *   jq-nats work STREAM --pipe -- ./flaky LOG
 * Every attempt is recorded in LOG as `PAYLOAD ATTEMPT ok|fail`, written (O_APPEND, one
 * write per batch) before the answers of that batch, so a job the worker acks is in LOG. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char in[1 << 16], out[1 << 17], log_buf[1 << 17];
static size_t out_len, log_len;
static int log_fd;

/* FNV-1a of the payload, the attempt mixed in, then splitmix64's finalizer; tests/load.rs
 * computes the same. */
static int fails(const char *payload, size_t len, unsigned long long attempt) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) { h ^= (unsigned char)payload[i]; h *= 0x100000001b3ULL; }
    h ^= attempt; h *= 0x100000001b3ULL;
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27; h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h % 10 == 0;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

/* The log first: an answer is only written once its attempt is recorded. */
static int flush(void) {
    if (log_len > 0 && write_all(log_fd, log_buf, log_len) < 0) return -1;
    if (out_len > 0 && write_all(1, out, out_len) < 0) return -1;
    log_len = out_len = 0;
    return 0;
}

static unsigned long long field_num(const char *line, const char *end, const char *name) {
    const char *p = memmem(line, (size_t)(end - line), name, strlen(name));
    return p ? strtoull(p + strlen(name), NULL, 10) : 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: flaky LOG\n"); return 2; }
    log_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (log_fd < 0) { perror(argv[1]); return 2; }
    size_t have = 0;
    for (;;) {
        ssize_t n = read(0, in + have, sizeof in - have);
        if (n <= 0) return flush() < 0;
        have += (size_t)n;
        size_t used = 0;
        char *nl;
        while ((nl = memchr(in + used, '\n', have - used)) != NULL) {
            const char *line = in + used;
            /* {"id":N,... : the id comes first. */
            unsigned long long id = strtoull(line + 6, NULL, 10);
            unsigned long long attempt = field_num(line, nl, "\"attempt\":");
            const char *payload = memmem(line, (size_t)(nl - line), "\"payload\":\"", 11);
            if (payload == NULL) { fprintf(stderr, "no payload: %.*s\n", (int)(nl - line), line); return 3; }
            payload += 11;
            const char *payload_end = memchr(payload, '"', (size_t)(nl - payload));
            size_t len = (size_t)(payload_end - payload);
            int fail = fails(payload, len, attempt);
            if (log_len + len + 32 > sizeof log_buf || out_len + 96 > sizeof out) {
                if (flush() < 0) return 1;
            }
            log_len += (size_t)snprintf(log_buf + log_len, sizeof log_buf - log_len, "%.*s %llu %s\n",
                                        (int)len, payload, attempt, fail ? "fail" : "ok");
            if (fail)
                out_len += (size_t)snprintf(out + out_len, sizeof out - out_len,
                                            "{\"id\":%llu,\"ok\":false,\"error\":\"random failure\"}\n", id);
            else
                out_len += (size_t)snprintf(out + out_len, sizeof out - out_len, "{\"id\":%llu,\"ok\":true}\n", id);
            used = (size_t)(nl - in) + 1;
        }
        if (flush() < 0) return 1;
        memmove(in, in + used, have - used);
        have -= used;
        if (have == sizeof in) return 2; /* a line longer than the buffer */
    }
}
