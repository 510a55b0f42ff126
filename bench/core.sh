# The issue's figures 1-6: publish, work printing, work -- true, dlq replay, peak RSS, latency.
# Sourced by bench/run (see bench/lib.sh for what it may use). jq-nats and its floor run
# alternately within each repetition, so a busy moment on the machine hits both.

# 1. publish: jobs from a stdin pipe, against pipelined publishes with 1024 acks in flight.
n=$(size 200000 300)
input=$(lines "$n")
stream bp
jq=() floor=()
for _ in $(seq "$reps"); do
    reset bp
    jq+=("$(rate "$n" "$(elapsed sh -c "cat '$input' | '$J' -s '$url' -q publish bp.x")")")
    reset bp
    floor+=("$(rate "$n" "$(elapsed sh -c "cat '$input' | '$F' publish '$url' bp.x 1024")")")
done
record "publish $n jobs (jobs/s)" rate "$(median "${jq[@]}")" "$(median "${floor[@]}")" 0.9

# 2. work without a command, jobs to /dev/null, on a backlog, against pull + ack each. Beside
#    the rate, the CPU per job (µs) of each side and of nats-server during it: the server does
#    most of the work here, so a rate below the floor's with no more CPU spent is the server's.
stream bw
jq=() floor=() jq_cpu=() floor_cpu=() jq_server=() floor_server=()
for _ in $(seq "$reps"); do
    reset bw
    fill bw "$n"
    s0=$(cpu_ticks "$server_pid")
    jq+=("$(rate "$n" "$(elapsed /usr/bin/time -f '%U %S' -o "$work/cpu" sh -c "'$J' -s '$url' -q work bw --until-empty > /dev/null")")")
    s1=$(cpu_ticks "$server_pid")
    jq_cpu+=("$(cpu_per_job "$n" "$work/cpu" us)")
    jq_server+=("$(ticks_per_job "$n" $((s1 - s0)) us)")
    reset bw
    fill bw "$n"
    s0=$(cpu_ticks "$server_pid")
    floor+=("$(rate "$n" "$(elapsed /usr/bin/time -f '%U %S' -o "$work/cpu" "$F" consume "$url" bw "$n")")")
    s1=$(cpu_ticks "$server_pid")
    floor_cpu+=("$(cpu_per_job "$n" "$work/cpu" us)")
    floor_server+=("$(ticks_per_job "$n" $((s1 - s0)) us)")
done
record "work, no command, $n backlog (jobs/s)" rate "$(median "${jq[@]}")" "$(median "${floor[@]}")" 0.9
record "work, no command: CPU per job of jq-nats (µs)" cpu_us "$(median "${jq_cpu[@]}")" "$(median "${floor_cpu[@]}")" -
record "work, no command: CPU per job of nats-server (µs)" cpu_us "$(median "${jq_server[@]}")" "$(median "${floor_server[@]}")" -

# 3. work -- true, against spawning and reaping `true` at the same concurrency. Both exec it by
#    its path, found once (as jq-nats does with its handler): a PATH search per spawn would be
#    the floor's own extra work (a failed execve per PATH entry before it).
m=$(size 1000 60)
true_bin=$(command -v true)
stream bt
# Beside each rate, where the CPU went (per job, ms): jq-nats with its handlers against the
# floor with its `true`s (user + system of the command and all it waited for), and nats-server
# during the jq-nats run, which the floor does without.
for c in 1 4 16; do
    jq=() floor=() jq_cpu=() floor_cpu=() server_cpu=()
    for _ in $(seq "$reps"); do
        reset bt
        fill bt "$m"
        s0=$(cpu_ticks "$server_pid")
        jq+=("$(rate "$m" "$(elapsed /usr/bin/time -f '%U %S' -o "$work/cpu" "$J" -s "$url" -q work bt --until-empty -c "$c" -- "$true_bin")")")
        s1=$(cpu_ticks "$server_pid")
        jq_cpu+=("$(cpu_per_job "$m" "$work/cpu")")
        server_cpu+=("$(ticks_per_job "$m" $((s1 - s0)))")
        floor+=("$(rate "$m" "$(elapsed /usr/bin/time -f '%U %S' -o "$work/cpu" "$F" spawn "$c" "$m" "$true_bin")")")
        floor_cpu+=("$(cpu_per_job "$m" "$work/cpu")")
    done
    record "work -- true, -c $c, $m jobs (jobs/s)" rate "$(median "${jq[@]}")" "$(median "${floor[@]}")" 0.8
    record "work -- true, -c $c: CPU per job of jq-nats and its handlers (ms)" cpu "$(median "${jq_cpu[@]}")" "$(median "${floor_cpu[@]}")" -
    record "work -- true, -c $c: CPU per job of nats-server (ms)" cpu "$(median "${server_cpu[@]}")" 0 -
done

# 4. dlq replay --all of dead jobs (published, then copied to the DLQ and removed, as workers
#    leave them), against the publish floor for as many jobs; and, for what limits it, against
#    the least any replay does (read each job, publish it as it comes, purge the DLQ: no claim,
#    no check, no record, so not safe beside another dlq command or a crash).
d=$(size 10000 200)
dead_input=$(lines "$d")
stream br
jq=() floor=() raw=()
for _ in $(seq "$reps"); do
    reset br
    "$F" dead "$url" br br_dlq "$d" 128 || die "failed to make dead jobs"
    jq+=("$(rate "$d" "$(elapsed sh -c "'$J' -s '$url' -q dlq replay br --all")")")
    reset br
    "$F" dead "$url" br br_dlq "$d" 128 || die "failed to make dead jobs"
    raw+=("$(rate "$d" "$(elapsed "$F" raw-replay "$url" br br_dlq br.dead "$d")")")
    reset br
    floor+=("$(rate "$d" "$(elapsed sh -c "cat '$dead_input' | '$F' publish '$url' br.dead 1024")")")
done
record "dlq replay --all, $d dead jobs (jobs/s)" rate "$(median "${jq[@]}")" "$(median "${floor[@]}")" 0.5
record "dlq replay --all, $d dead jobs, against a bare replay: read, publish, purge (jobs/s)" rate "$(median "${jq[@]}")" "$(median "${raw[@]}")" -

# 5. Peak RSS of publish reading a file, then of work going through what it published, at two
#    sizes: memory must not grow with the input or the backlog. One run each (it hardly varies).
stream bm
for k in $(size 100000 200) $(size 1000000 2000); do
    file=$(lines "$k")
    reset bm
    /usr/bin/time -f %M -o "$work/rss" "$J" -s "$url" -q publish bm.x <"$file" || die "publish $k failed"
    jq_pub=$(cat "$work/rss")
    /usr/bin/time -f %M -o "$work/rss" "$J" -s "$url" -q work bm --until-empty >/dev/null || die "work $k failed"
    jq_work=$(cat "$work/rss")
    reset bm
    /usr/bin/time -f %M -o "$work/rss" "$F" publish "$url" bm.x <"$file" || die "floor publish $k failed"
    floor_pub=$(cat "$work/rss")
    /usr/bin/time -f %M -o "$work/rss" "$F" consume "$url" bm "$k" || die "floor consume $k failed"
    floor_work=$(cat "$work/rss")
    record "peak RSS, publish of a $k-line file (MB)" rss "$jq_pub" "$floor_pub" 50
    record "peak RSS, work through a $k backlog (MB)" rss "$jq_work" "$floor_work" 50
done

# 6. Latency from publish to handler start for one idle worker, against publish-to-receive of
#    a pull consumer. One job at a time (each acked before the next, 5 ms apart), its publish
#    time in the payload. "Handler start": for `work -- CMD`, the handler's entry point, for the
#    row with the target (bench/stamp-entry.c, no C library: what jq-nats does until the
#    handler runs, receive, spawn, exec), and the first instruction of main of a std-only Rust
#    program (examples/stamp.rs) for the row after it, which adds the C library's start-up
#    every such handler pays; for `work` printing jobs, the moment its line is read from the
#    pipe.
s=$(size 400 20)
stream bl
latency_run() { # OUT RECEIVER...: start the receiver, publish, wait for it
    local out=$1 pid
    shift
    rm -f "$out"
    "$@" &
    pid=$!
    "$F" latency-pub "$url" bl.x "$s" 5 || die "latency publisher failed"
    wait "$pid" || die "latency receiver failed: $*"
}
lat_f50=() lat_f99=() lat_c50=() lat_c99=() lat_d50=() lat_d99=() lat_p50=() lat_p99=()
for _ in $(seq "$reps"); do
    reset bl
    latency_run "$work/lat-floor" "$F" latency-recv "$url" bl "$s" "$work/lat-floor"
    read -r f50 f99 < <("$F" percentiles "$work/lat-floor")
    reset bl
    latency_run "$work/lat-cmd" "$J" -s "$url" -q work bl --max-jobs "$s" -- "$STAMP_ENTRY" "$work/lat-cmd"
    read -r c50 c99 < <("$F" percentiles "$work/lat-cmd")
    reset bl
    latency_run "$work/lat-dyn" "$J" -s "$url" -q work bl --max-jobs "$s" -- "$STAMP" "$work/lat-dyn"
    read -r d50 d99 < <("$F" percentiles "$work/lat-dyn")
    reset bl
    latency_run "$work/lat-print" sh -c "'$J' -s '$url' -q work bl --max-jobs $s | '$F' stamp-lines '$work/lat-print' $s"
    read -r p50 p99 < <("$F" percentiles "$work/lat-print")
    lat_f50+=("$f50") lat_f99+=("$f99") lat_c50+=("$c50") lat_c99+=("$c99") lat_d50+=("$d50") lat_d99+=("$d99")
    lat_p50+=("$p50") lat_p99+=("$p99")
done
record "latency p50, work -- CMD: publish to handler start (ms)" latency "$(median "${lat_c50[@]}")" "$(median "${lat_f50[@]}")" 1
record "latency p99, work -- CMD: publish to handler start (ms)" latency "$(median "${lat_c99[@]}")" "$(median "${lat_f99[@]}")" -
record "latency p50, work -- CMD: publish to main of a Rust CMD (ms)" latency "$(median "${lat_d50[@]}")" "$(median "${lat_f50[@]}")" -
record "latency p99, work -- CMD: publish to main of a Rust CMD (ms)" latency "$(median "${lat_d99[@]}")" "$(median "${lat_f99[@]}")" -
record "latency p50, work printing: publish to line read (ms)" latency "$(median "${lat_p50[@]}")" "$(median "${lat_f50[@]}")" 1
record "latency p99, work printing: publish to line read (ms)" latency "$(median "${lat_p99[@]}")" "$(median "${lat_f99[@]}")" -
unset lat_f50 lat_f99 lat_c50 lat_c99 lat_d50 lat_d99 lat_p50 lat_p99
