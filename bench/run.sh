#!/usr/bin/env bash
# Side-by-side comparisons that need tools or libraries the workbook itself
# does not carry: fio for random reads, gnet for the TCP echo server.
# Installs fio from Debian's packages if missing, runs every comparison in
# one go (the machine is noisy: only same-run ratios mean anything), and
# prints a table.
#
#   bash bench/run.sh            # full run (1 GiB file, 5 s per echo run)
#   QUICK=1 bash bench/run.sh    # smoke run (64 MiB, 1 s) — numbers not meaningful
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

if ! command -v fio >/dev/null; then
	echo "installing fio..." >&2
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fio) >/dev/null
fi

mb=1024; secs=5
if [ "${QUICK:-}" = 1 ]; then mb=64; secs=1; fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# --- Random 4 KiB reads, queue depth 32, cached file -----------------------
file=$work/randread
head -c $((mb << 20)) /dev/urandom >"$file"
cat "$file" >/dev/null # into the page cache

fio_iops=$(fio --name=rr --filename="$file" --rw=randread --bs=4k --ioengine=io_uring \
	--iodepth=32 --iodepth_batch_submit=32 --iodepth_batch_complete_max=32 \
	--invalidate=0 --size=${mb}M --time_based --runtime=$secs --numjobs=1 \
	--output-format=json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["iops"]))')

gobench=$(cd "$root" && RANDREAD_MB=$mb go test -run '^$' -bench RandomRead -benchtime ${secs}s ./phase2-iouring/)
ex_iops=$(awk '/RandomRead\/executor/ {for (i=1;i<=NF;i++) if ($(i+1)=="IOPS") print int($i)}' <<<"$gobench")
go_iops=$(awk '/RandomRead\/goroutines/ {for (i=1;i<=NF;i++) if ($(i+1)=="IOPS") print int($i)}' <<<"$gobench")

# --- TCP echo, 64 connections x 64 B, load from a separate process -------
go build -o "$work/" ./cmd/...
echo_run() { # $1: server binary; prints round trips per second
	"$work/$1" >"$work/$1.addr" 2>"$work/$1.log" &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do [ -s "$work/$1.addr" ] && break; sleep 0.05; done
	local addr
	addr=$(head -1 "$work/$1.addr")
	sleep 0.2 # let gnet finish binding after printing the address
	"$work/loadgen" -addr "$addr" -conns 64 -size 64 -d ${secs}s
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
ex_rt=$(echo_run echo-executor)
gnet_rt=$(echo_run echo-gnet)
gor_rt=$(echo_run echo-goroutines)

ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }
printf '\n| comparison | ours | theirs | ratio | target |\n|---|---|---|---|---|\n'
printf '| 4 KiB random reads qd32 (IOPS): executor vs fio io_uring | %s | %s | %s | >= 0.8x |\n' "$ex_iops" "$fio_iops" "$(ratio "$ex_iops" "$fio_iops")"
printf '| 4 KiB random reads qd32 (IOPS): executor vs 32 goroutines, GOMAXPROCS=1 | %s | %s | %s | >= 2x |\n' "$ex_iops" "$go_iops" "$(ratio "$ex_iops" "$go_iops")"
printf '| TCP echo 64x64 B (round trips/s): executor vs gnet v2, 1 loop | %s | %s | %s | >= 1.2x |\n' "$ex_rt" "$gnet_rt" "$(ratio "$ex_rt" "$gnet_rt")"
printf '| TCP echo 64x64 B (round trips/s): executor vs goroutine per conn, GOMAXPROCS=1 | %s | %s | %s | - |\n' "$ex_rt" "$gor_rt" "$(ratio "$ex_rt" "$gor_rt")"
printf '\n(%d MiB file, %ds per measurement, %s)\n' "$mb" "$secs" "$(grep -h ring: "$work/echo-executor.log" || true)"
