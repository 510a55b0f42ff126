#!/usr/bin/env bash
# Rates of `jq-nats work` with each kind of handler, in one run, rounds interleaved, medians:
#   print      work STREAM --max-jobs N > /dev/null          (no handler: the ceiling)
#   pipe       work STREAM --pipe -c 2 -- pipe_echo         (one long-lived C handler per core)
#   process    work STREAM -c 2 -- pipe_echo once           (the same logic, a process per job)
#   request    work STREAM --request svc -c 256              (a trivial async-nats responder)
# Usage: bench/pipe.sh [JOBS=50000] [ROUNDS=5] [PROCESS_JOBS=2000]
# Needs nats-server on PATH (or NATS_SERVER=path), cc, python3. Its own server on a random
# port in a temp dir; nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-50000}
ROUNDS=${2:-5}
PROCESS_JOBS=${3:-2000}
SERVER=${NATS_SERVER:-nats-server}

cargo build --release --quiet --bin jq-nats --example consume_baseline --example echo_responder
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
J=$target_dir/release/jq-nats
B=$target_dir/release/examples/consume_baseline
R=$target_dir/release/examples/echo_responder

tmp=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/pipe_echo" examples/handlers/pipe_echo.c

"$SERVER" -a 127.0.0.1 -p -1 -js -sd "$tmp/js" --ports_file_dir "$tmp" >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ls "$tmp"/*.ports >/dev/null 2>&1 && break; sleep 0.1; done
U=$(python3 -c 'import glob,json,sys; print(json.load(open(glob.glob(sys.argv[1]+"/*.ports")[0]))["nats"][0])' "$tmp")
U=nats://${U#nats://}
"$R" "$U" svc.bench >"$tmp/responder.log" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$tmp/responder.log" && break; sleep 0.1; done
echo "server $("$SERVER" --version) at $U; $JOBS jobs ($PROCESS_JOBS for process), $ROUNDS rounds" >&2

# run MODE COUNT ARGS...: a fresh stream of COUNT 128-byte jobs, then the worker's wall time.
run() {
    local mode=$1 count=$2
    shift 2
    "$J" -s "$U" stream rm bench --force >/dev/null 2>&1 || true
    "$J" -s "$U" stream add bench --subjects 'bench.>' --max-bytes 1GB >/dev/null 2>&1
    "$B" publish "$U" bench.x "$count" 128 >/dev/null
    local start end
    start=$(date +%s.%N)
    "$J" -s "$U" -q work bench --max-jobs "$count" "$@" >/dev/null
    end=$(date +%s.%N)
    python3 -c "import sys; print(sys.argv[1], round(int(sys.argv[2]) / (float(sys.argv[4]) - float(sys.argv[3]))))" \
        "$mode" "$count" "$start" "$end" | tee -a "$tmp/rates" >&2
}

for _ in $(seq "$ROUNDS"); do
    run print "$JOBS"
    run pipe "$JOBS" --pipe -c 2 ${PIPE_ARGS:-} -- "$tmp/pipe_echo"
    [ "${SKIP_PROCESS:-}" ] || run process "$PROCESS_JOBS" -c 2 -- "$tmp/pipe_echo" once
    run request "$JOBS" --request svc.bench -c ${REQUEST_CONCURRENCY:-256}
done

python3 - "$tmp/rates" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    mode, rate = line.split()
    rates.setdefault(mode, []).append(int(rate))
med = {m: statistics.median(r) for m, r in rates.items()}
for m, r in rates.items():
    print(f"{m:8} median {med[m]:>8.0f} jobs/s   runs {r}")
print(f"pipe / print      {med['pipe'] / med['print']:.2f}   (target >= 0.5)")
print(f"pipe / process    {med['pipe'] / med['process']:.1f}   (target >= 20)")
print(f"request / print   {med['request'] / med['print']:.2f}   (target >= 0.3)")
PY
