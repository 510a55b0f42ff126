# Sourced by bench/run: what figure groups (bench/<group>.sh) use.
#
# A group is a bash file sourced once per server, with the server running. It measures its
# figures and calls `record` for each; bench/run turns the records into the table. It may use:
#   $J $F        the jq-nats binary and the floor program (examples/bench_floor.rs)
#   $STAMP       the latency figure's handler (examples/stamp.rs, timed at its main);
#   $STAMP_ENTRY the same without a C library (bench/stamp-entry.c, timed at its entry point)
#   $url         the server's URL (a random port, file storage under $server_dir)
#   $work        a scratch directory, kept for the whole run (input files are made once)
#   $reps        runs per figure (report the median); $tiny is 1 for the CI smoke size
#   size BIG TINY   the size to use: BIG normally, TINY under --tiny
#   stream NAME     a work stream NAME on subjects NAME.> (with its DLQ NAME_dlq), made once
#   reset NAME      delete NAME's consumers and purge it (and its DLQ when it has one)
#   elapsed CMD...  run CMD, print its wall time in seconds; CMD's failure ends the run
#   rate N SECS     jobs per second
#   median V...     the median of the values
#   lines N         the path of a file of N jobs of 128 bytes, one per line (made once per N)
#   fill NAME N     N jobs of 128 bytes into stream NAME (setup, untimed)
#   record FIGURE KIND JQ FLOOR TARGET
#       KIND rate: jobs/s, TARGET the least ratio jq/floor;
#       KIND rss: kB, TARGET the most MB for jq-nats;
#       KIND latency: ms, TARGET the most jq-floor difference in ms;
#       KIND cpu: ms of CPU per job, no target (TARGET -); KIND cpu_us: the same in µs.
#   cpu_ticks PID      user + system CPU of process PID so far, in clock ticks
#   cpu_per_job N FILE [us]    CPU ms (µs) per job from FILE, written by /usr/bin/time -f '%U %S'
#   ticks_per_job N TICKS [us] CPU ms (µs) per job of TICKS clock ticks (a cpu_ticks difference)

log() { echo "bench: $*" >&2; }

die() {
    echo "bench: error: $*" >&2
    exit 1
}

size() { if [ "$tiny" = 1 ]; then echo "$2"; else echo "$1"; fi; }

now_ns() { date +%s%N; }

elapsed() {
    local t0 t1
    t0=$(now_ns)
    "$@" || die "failed: $*"
    t1=$(now_ns)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", (b - a) / 1e9 }'
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# per_job N SECONDS [us]: ms (or µs) per job.
per_job() { awk -v n="$1" -v s="$2" -v k="$([ "${3:-}" = us ] && echo 1000000 || echo 1000)" 'BEGIN { printf "%.4f\n", s * k / n }'; }

cpu_per_job() { per_job "$1" "$(awk '{ print $1 + $2 }' "$2")" "${3:-}"; }

ticks_per_job() { per_job "$1" "$(awk -v t="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { print t / hz }')" "${3:-}"; }

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f\n", n / s }'; }

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A made_streams=()
stream() {
    if [ -z "${made_streams[$1]:-}" ]; then
        "$J" -s "$url" -q stream add "$1" --subjects "$1.>" --max-bytes -1 >/dev/null ||
            die "failed to create stream $1"
        made_streams[$1]=1
    fi
}

reset() {
    "$F" reset "$url" "$1" || die "failed to reset $1"
    if "$J" -s "$url" -q stream info "$1_dlq" >/dev/null 2>&1; then
        "$F" reset "$url" "$1_dlq" || die "failed to reset $1_dlq"
    fi
}

lines() {
    local file="$work/jobs-$1.txt"
    if [ ! -s "$file" ]; then
        # job-<10 digits>- and padding: 128 bytes per job.
        awk -v n="$1" 'BEGIN { pad = sprintf("%113s", ""); gsub(/ /, "x", pad)
            for (i = 0; i < n; i++) printf "job-%010d-%s\n", i, pad }' >"$file"
    fi
    echo "$file"
}

fill() { "$F" fill "$url" "$1.x" "$2" 128 || die "failed to fill $1"; }

record() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$server_label" "$1" "$2" "$3" "$4" "$5" >>"$records"
    log "$server_label  $1: jq-nats $3, floor $4 ($2)"
}
