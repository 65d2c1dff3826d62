#!/usr/bin/env bash
# Side-by-side comparisons that need tools or libraries the workbook itself
# does not carry: fio, C with liburing (the physical limit), and gnet.
# Installs what is missing from Debian's packages (fio, gcc, liburing-dev),
# runs every comparison in one go — the machine is noisy, so only same-run
# ratios mean anything — and prints a markdown table.
#
#   bash bench/run.sh            # full run (1 GiB file, 5 s per measurement, 3 runs)
#   QUICK=1 bash bench/run.sh    # smoke run (64 MiB, 1 s, 1 run) — numbers not meaningful
#   ONLY_POOL=1 bash bench/run.sh  # only phase 4's pool rows
#
# TCP echo is fair by construction: the server is pinned to SERVER_CPUS and
# the load client, a separate process, to CLIENT_CPUS (taskset); each
# measurement follows a warm-up; the figure is the median of RUNS runs; and
# beside round trips per second it reports the server's CPU time per round
# trip (all its threads, from /proc/PID/task/*/schedstat), which is the
# number that means most when the client and the server share a small box.
#
#   SERVER_CPUS=0 CLIENT_CPUS=1 CONNS="64 256" SIZES="64 1024" RUNS=3 bash bench/run.sh
#
# Phase 4's pools run at each N of POOL_NS: N pinned executors vs gnet with
# N loops vs a goroutine per connection at GOMAXPROCS=N, the servers on
# POOL_SERVER_CPUS and the client on POOL_CLIENT_CPUS (both default to every
# CPU: on a small machine the client shares the cores, and server CPU per
# round trip is the figure to read). On a bigger machine, e.g.:
#
#   POOL_NS="1 2 4 8" POOL_SERVER_CPUS=0-7 POOL_CLIENT_CPUS=8-15 bash bench/run.sh
#
# The pool's ring setup flags are compared at each N too (POOL_RINGS,
# default "coop single-issuer defer-taskrun"; coop is the baseline row).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

need=()
command -v fio >/dev/null || need+=(fio)
command -v gcc >/dev/null || need+=(gcc)
[ -f /usr/include/liburing.h ] || need+=(liburing-dev)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]}..." >&2
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null
fi

mb=1024; secs=5; runs=${RUNS:-3}
if [ "${QUICK:-}" = 1 ]; then mb=64; secs=1; runs=1; fi
server_cpus=${SERVER_CPUS:-0}
client_cpus=${CLIENT_CPUS:-1}
conns_list=${CONNS:-64 256}
sizes_list=${SIZES:-64 1024}
all_cpus=0-$(($(nproc) - 1))
pool_ns=${POOL_NS:-1 $(nproc)}
pool_server_cpus=${POOL_SERVER_CPUS:-$all_cpus}
pool_client_cpus=${POOL_CLIENT_CPUS:-$all_cpus}
pool_rings=${POOL_RINGS:-coop single-issuer defer-taskrun} # echo-pool -ring; coop is the baseline

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b+0 == 0) print "-"; else printf "%.2fx", a/b}'; }

gcc -O2 -Wall -Wextra -Werror -o "$work/uringref" c/uringref.c -luring

if [ "${ONLY_POOL:-}" != 1 ]; then
# --- NOP: the ring itself -------------------------------------------------
gonop=$(cd "$root" && go test -run '^$' -bench 'Nop/batch(1|32)$' -benchtime 1s -count "$runs" ./phase2-iouring/)
go_nop1=$(awk '/Nop\/batch1-/ {print $3}' <<<"$gonop" | median)
go_nop32=$(awk '/Nop\/batch32-/ {print $3}' <<<"$gonop" | median)
c_nop1=$(for _ in $(seq "$runs"); do "$work/uringref" nop 1 "$secs" | awk '{print $2}'; done | median)
c_nop32=$(for _ in $(seq "$runs"); do "$work/uringref" nop 32 "$secs" | awk '{print $2}'; done | median)

# --- Random 4 KiB reads, queue depth 32, cached file -----------------------
file=$work/randread
head -c $((mb << 20)) /dev/urandom >"$file"
cat "$file" >/dev/null # into the page cache

fio_iops=$(for _ in $(seq "$runs"); do
	fio --name=rr --filename="$file" --rw=randread --bs=4k --ioengine=io_uring \
		--iodepth=32 --iodepth_batch_submit=32 --iodepth_batch_complete_max=32 \
		--invalidate=0 --size=${mb}M --time_based --runtime=$secs --numjobs=1 \
		--output-format=json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["iops"]))'
done | median)
c_plain=$(for _ in $(seq "$runs"); do "$work/uringref" read "$file" "$secs" plain | awk '{print $2}'; done | median)
c_fixed=$(for _ in $(seq "$runs"); do "$work/uringref" read "$file" "$secs" fixed | awk '{print $2}'; done | median)
c_pread=$(for _ in $(seq "$runs"); do "$work/uringref" read "$file" "$secs" pread | awk '{print $2}'; done | median)

gobench=$(cd "$root" && RANDREAD_MB=$mb go test -run '^$' -bench RandomRead -benchtime ${secs}s -count "$runs" ./phase2-iouring/)
iops_of() { awk -v name="$1" '$1 ~ ("^BenchmarkRandomRead/" name "(-[0-9]+)?$") {for (i=1;i<=NF;i++) if ($(i+1)=="IOPS") print int($i)}' <<<"$gobench" | median; }
ex_iops=$(iops_of executor)
fx_iops=$(iops_of executor-fixed)
fd_iops=$(iops_of executor-fixed-defer)
ln_iops=$(iops_of executor-lent)
ld_iops=$(iops_of executor-lent-defer)
go_iops=$(iops_of goroutines)

fi
# --- TCP echo from a separate, pinned load-client process -----------------
(cd "$root/bench" && go build -o "$work/" ./cmd/...)
echo_once() { # $1 server binary, $2 conns, $3 size, $4 server flags, $5 server CPUs, $6 client CPUs; prints "rt/s cpu-ns/rt"
	# The address file is removed first: the previous run's would otherwise
	# be read before this server's redirection truncates it.
	rm -f "$work/$1.addr"
	# shellcheck disable=SC2086 # $4 is a list of flags
	# The log is per binary and flags (the footer reads the default run's).
	taskset -c "${5:-$server_cpus}" "$work/$1" ${4:-} >"$work/$1.addr" 2>"$work/$1${4// /}.log" &
	local pid=$!
	pids+=("$pid")
	for _ in $(seq 200); do [ -s "$work/$1.addr" ] && break; sleep 0.05; done
	local addr
	addr=$(head -1 "$work/$1.addr")
	sleep 0.2 # gnet binds after printing the address it took
	taskset -c "${6:-$client_cpus}" "$work/loadgen" -addr "$addr" -conns "$2" -size "$3" \
		-warmup 1s -d ${secs}s -pid "$pid"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
declare -A rt cpu
# name:flags; a name's part before "+" is the binary. echo-executor+lend
# serves each connection with a hand-written future that echoes from the
# lent provided buffer (ReadLent, WriteAllLent: no copy, no pin);
# +lend-defer does it on a locked thread with SINGLE_ISSUER|DEFER_TASKRUN.
echo_variants=("echo-executor:" "echo-executor+lend:-lend" "echo-executor+lend-defer:-lend -ring=defer" "echo-gnet:" "echo-goroutines:")
if [ "${ONLY_POOL:-}" != 1 ]; then
for c in $conns_list; do
	for s in $sizes_list; do
		# The runs alternate between the servers (the machine's noise then
		# lands on all of them alike); each figure is the median of its runs.
		for _ in $(seq "$runs"); do
			for v in "${echo_variants[@]}"; do
				name=${v%%:*} flags=${v#*:}
				# shellcheck disable=SC2086 # flags is a list
				echo_once "${name%%+*}" "$c" "$s" "$flags" >>"$work/echo.$name.$c.$s"
			done
		done
		for v in "${echo_variants[@]}"; do
			name=${v%%:*}
			rt[$name,$c,$s]=$(awk '{print $1}' "$work/echo.$name.$c.$s" | median)
			cpu[$name,$c,$s]=$(awk '{print $2}' "$work/echo.$name.$c.$s" | median)
		done
	done
done

fi
declare -A prt pcpu
for n in $pool_ns; do
	for srv in echo-pool echo-gnet echo-goroutines; do
		case $srv in
		echo-pool) flags="-n $n" ;;
		echo-gnet) flags="-loops $n" ;;
		echo-goroutines) flags="-procs $n" ;;
		esac
		out=$(for _ in $(seq "$runs"); do echo_once "$srv" 64 64 "$flags" "$pool_server_cpus" "$pool_client_cpus"; done)
		prt[$srv,$n]=$(awk '{print $1}' <<<"$out" | median)
		pcpu[$srv,$n]=$(awk '{print $2}' <<<"$out" | median)
	done
	# The pool's ring setup flags (echo-pool -ring), same run: POOL_RINGS.
	for ring in $pool_rings; do
		out=$(for _ in $(seq "$runs"); do echo_once echo-pool 64 64 "-n $n -ring $ring" "$pool_server_cpus" "$pool_client_cpus"; done)
		prt[ring-$ring,$n]=$(awk '{print $1}' <<<"$out" | median)
		pcpu[ring-$ring,$n]=$(awk '{print $2}' <<<"$out" | median)
	done
done

printf '\n| comparison | ours | theirs | ratio | target |\n|---|---|---|---|---|\n'
if [ "${ONLY_POOL:-}" != 1 ]; then
printf '| NOP, 1 per enter (ns/op): executor ring vs C liburing | %s | %s | %s | - |\n' "$go_nop1" "$c_nop1" "$(ratio "$go_nop1" "$c_nop1")"
printf '| NOP, 32 per enter (ns/op): executor ring vs C liburing | %s | %s | %s | <= 1.15x |\n' "$go_nop32" "$c_nop32" "$(ratio "$go_nop32" "$c_nop32")"
printf '| 4 KiB random reads qd32 (IOPS): executor vs C liburing, plain READ | %s | %s | %s | - |\n' "$ex_iops" "$c_plain" "$(ratio "$ex_iops" "$c_plain")"
printf '| 4 KiB random reads qd32 (IOPS): executor vs C liburing, fixed file + READ_FIXED | %s | %s | %s | - |\n' "$ex_iops" "$c_fixed" "$(ratio "$ex_iops" "$c_fixed")"
printf '| 4 KiB random reads qd32 (IOPS): executor-fixed (ReadAtFixed) vs C liburing, fixed file + READ_FIXED | %s | %s | %s | >= 0.9x |\n' "$fx_iops" "$c_fixed" "$(ratio "$fx_iops" "$c_fixed")"
printf '| 4 KiB random reads qd32 (IOPS): executor-fixed vs 32 goroutines, GOMAXPROCS=1 | %s | %s | %s | >= 1.1x |\n' "$fx_iops" "$go_iops" "$(ratio "$fx_iops" "$go_iops")"
printf '| 4 KiB random reads qd32 (IOPS): executor-fixed, locked + DEFER_TASKRUN, vs 32 goroutines | %s | %s | %s | - |\n' "$fd_iops" "$go_iops" "$(ratio "$fd_iops" "$go_iops")"
printf '| 4 KiB random reads qd32 (IOPS): executor-lent (ReadAtLent: no copy, futures reused) vs 32 goroutines, GOMAXPROCS=1 | %s | %s | %s | >= 1.1x |\n' "$ln_iops" "$go_iops" "$(ratio "$ln_iops" "$go_iops")"
printf '| 4 KiB random reads qd32 (IOPS): executor-lent vs C liburing, fixed file + READ_FIXED | %s | %s | %s | >= 0.9x |\n' "$ln_iops" "$c_fixed" "$(ratio "$ln_iops" "$c_fixed")"
printf '| 4 KiB random reads qd32 (IOPS): executor-lent, locked + DEFER_TASKRUN, vs 32 goroutines / vs C fixed | %s | %s / %s | %s / %s | - |\n' "$ld_iops" "$go_iops" "$c_fixed" "$(ratio "$ld_iops" "$go_iops")" "$(ratio "$ld_iops" "$c_fixed")"
printf '| 4 KiB random reads qd32 (IOPS): C liburing fixed vs 32 goroutines, for reference (the physical line for the 1.1x target) | %s | %s | %s | - |\n' "$c_fixed" "$go_iops" "$(ratio "$c_fixed" "$go_iops")"
printf '| 4 KiB random reads qd32 (IOPS): executor vs fio io_uring | %s | %s | %s | >= 0.8x |\n' "$ex_iops" "$fio_iops" "$(ratio "$ex_iops" "$fio_iops")"
printf '| 4 KiB random reads qd32 (IOPS): executor vs 32 goroutines, GOMAXPROCS=1 | %s | %s | %s | - |\n' "$ex_iops" "$go_iops" "$(ratio "$ex_iops" "$go_iops")"
printf '| 4 KiB random reads (IOPS): C pread(2) loop, for reference | %s | - | - | - |\n' "$c_pread"
for c in $conns_list; do
	for s in $sizes_list; do
		e=${rt[echo-executor,$c,$s]}; g=${rt[echo-gnet,$c,$s]}; n=${rt[echo-goroutines,$c,$s]}
		ec=${cpu[echo-executor,$c,$s]}; gc=${cpu[echo-gnet,$c,$s]}; nc=${cpu[echo-goroutines,$c,$s]}
		printf '| TCP echo %dx%d B (round trips/s): executor vs gnet v2, 1 loop | %s | %s | %s | >= 1.2x |\n' "$c" "$s" "$e" "$g" "$(ratio "$e" "$g")"
		printf '| TCP echo %dx%d B (server CPU ns/round trip): executor vs gnet v2 | %s | %s | %s | < 1x |\n' "$c" "$s" "$ec" "$gc" "$(ratio "$ec" "$gc")"
		printf '| TCP echo %dx%d B (round trips/s): executor vs goroutine per conn, GOMAXPROCS=1 | %s | %s | %s | - |\n' "$c" "$s" "$e" "$n" "$(ratio "$e" "$n")"
		printf '| TCP echo %dx%d B (server CPU ns/round trip): executor vs goroutine per conn | %s | %s | %s | - |\n' "$c" "$s" "$ec" "$nc" "$(ratio "$ec" "$nc")"
		for lv in lend lend-defer; do
			case $lv in
			lend) what="executor, lend (hand-written, no copies)" ;;
			lend-defer) what="executor, lend, locked + DEFER_TASKRUN" ;;
			esac
			le=${rt[echo-executor+$lv,$c,$s]}; lc=${cpu[echo-executor+$lv,$c,$s]}
			printf '| TCP echo %dx%d B (round trips/s): %s vs gnet v2, 1 loop | %s | %s | %s | >= 1.2x |\n' "$c" "$s" "$what" "$le" "$g" "$(ratio "$le" "$g")"
			printf '| TCP echo %dx%d B (server CPU ns/round trip): %s vs gnet v2 | %s | %s | %s | < 1x |\n' "$c" "$s" "$what" "$lc" "$gc" "$(ratio "$lc" "$gc")"
		done
	done
done
fi
first_n=${pool_ns%% *}
for n in $pool_ns; do
	e=${prt[echo-pool,$n]}; g=${prt[echo-gnet,$n]}; o=${prt[echo-goroutines,$n]}
	ec=${pcpu[echo-pool,$n]}; gc=${pcpu[echo-gnet,$n]}; oc=${pcpu[echo-goroutines,$n]}
	printf '| pool, %d executors, echo 64x64 B (round trips/s): vs gnet v2, %d loops | %s | %s | %s | >= 1.2x |\n' "$n" "$n" "$e" "$g" "$(ratio "$e" "$g")"
	printf '| pool, %d executors, echo 64x64 B (round trips/s): vs goroutine per conn, GOMAXPROCS=%d | %s | %s | %s | >= 1.5x |\n' "$n" "$n" "$e" "$o" "$(ratio "$e" "$o")"
	printf '| pool, %d executors, echo 64x64 B (server CPU ns/round trip): vs gnet v2 / vs goroutines | %s | %s / %s | %s / %s | - |\n' "$n" "$ec" "$gc" "$oc" "$(ratio "$ec" "$gc")" "$(ratio "$ec" "$oc")"
	printf '| pool scaling: round trips per server-CPU-second, %d executors vs %d | %s | %s | %s | within 10%% |\n' "$n" "$first_n" \
		"$(awk -v c="$ec" 'BEGIN {printf "%.0f", 1e9/c}')" "$(awk -v c="${pcpu[echo-pool,$first_n]}" 'BEGIN {printf "%.0f", 1e9/c}')" "$(ratio "${pcpu[echo-pool,$first_n]}" "$ec")"
done
for n in $pool_ns; do
	for ring in $pool_rings; do
		[ "$ring" = coop ] && continue # the baseline
		printf '| pool, %d executors, echo 64x64 B, ring %s vs coop (round trips/s; server CPU ns/round trip) | %s; %s | %s; %s | %s; %s | - |\n' "$n" "$ring" \
			"${prt[ring-$ring,$n]}" "${pcpu[ring-$ring,$n]}" "${prt[ring-coop,$n]}" "${pcpu[ring-coop,$n]}" \
			"$(ratio "${prt[ring-$ring,$n]}" "${prt[ring-coop,$n]}")" "$(ratio "${pcpu[ring-$ring,$n]}" "${pcpu[ring-coop,$n]}")"
	done
done
printf '\n(pools: servers on CPUs %s, load client on CPUs %s — on a machine where they share cores, read the server CPU per round trip)\n' "$pool_server_cpus" "$pool_client_cpus"
printf '\n(%d MiB file, %ds per measurement, median of %d runs; server on CPU %s, load client on CPU %s; %s; %s)\n' \
	"$mb" "$secs" "$runs" "$server_cpus" "$client_cpus" "$(grep -hs ring: "$work/echo-executor.log" | head -1 || true)" \
	"$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
