/* The latency figure's probe handler for its target row (bench/core.sh, figure 6): like
 * examples/stamp.rs it appends the job's publish-to-start time in µs to OUT (`stamp-entry OUT`,
 * the job's publish time in ns on stdin), but "start" is its entry point: it is built without a
 * C library (`cc -static -nostdlib`), so the clock is read by the first code the handler runs,
 * right after the exec. A program's C library start-up before main (glibc: relocations, and
 * CPUID, which exits to the hypervisor on this machine, ~0.5 ms) is its own, not jq-nats
 * starting it; examples/stamp.rs, timed at main, keeps a row of its own beside this one.
 * x86_64 Linux only (raw system calls). */

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_exit 60
#define SYS_clock_gettime 228
#define O_WRONLY 01
#define O_CREAT 0100
#define O_APPEND 02000

static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static void leave(int code) {
    sys3(SYS_exit, code, 0, 0);
    for (;;) {
    }
}

/* The stack at the entry point: argc, then argv. */
__attribute__((used)) static void start(long *stack) {
    long now[2];
    sys3(SYS_clock_gettime, 0 /* CLOCK_REALTIME */, (long)now, 0);
    unsigned long long started = (unsigned long long)now[0] * 1000000000ull + now[1];
    if (stack[0] < 2)
        leave(2);
    char *out = (char *)stack[2];

    char job[64];
    long got = 0, n;
    while (got < (long)sizeof job && (n = sys3(SYS_read, 0, (long)(job + got), sizeof job - got)) > 0)
        got += n;
    unsigned long long sent = 0;
    long digits = 0;
    for (long i = 0; i < got; i++) {
        if (job[i] >= '0' && job[i] <= '9') {
            sent = sent * 10 + (job[i] - '0');
            digits++;
        } else if (digits) {
            break;
        }
    }
    if (!digits)
        leave(1); /* the job carries no publish time */

    unsigned long long us = started > sent ? (started - sent) / 1000 : 0;
    char line[24];
    int at = sizeof line;
    line[--at] = '\n';
    do {
        line[--at] = '0' + us % 10;
        us /= 10;
    } while (us);
    long fd = sys3(SYS_open, (long)out, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0 || sys3(SYS_write, fd, (long)(line + at), sizeof line - at) != (long)(sizeof line - at))
        leave(1);
    leave(0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call start\n"
        "  hlt\n");
