//go:build linux

// Command echo-pool is the phase-4 echo server: -n executors, each on its
// own thread pinned to one CPU of -cpus (or spread over the machine), each
// with its own ring and its own SO_REUSEPORT listener on one address.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	pools "asyncworkbook/phase4-pools"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	n := flag.Int("n", 1, "executors")
	cpus := flag.String("cpus", "", "CPU list to pin to, one CPU per executor (e.g. 0-3); empty: MaxSpread over the affinity mask")
	ring := flag.String("ring", "default", "ring setup flags of each executor: default, coop, single-issuer or defer-taskrun")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the server's run to this file")
	yield := flag.Bool("yield", false, "keep phase 3's Gosched before a blocking park (Options.YieldBeforePark)")
	lend := flag.Bool("lend", true, "echo from lent provided buffers (ServeEcho WithLend: multishot RECV, EchoLent, no copies); -lend=false copies through Read and WriteAll")
	flag.Parse()
	setup, err := pools.ParseRingSetup(*ring)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	placement := pools.MaxSpread(*n)
	if *cpus != "" {
		set, err := pools.ParseCPUList(*cpus)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		placement = pools.MaxSpread(*n, set)
	}
	p, err := pools.New(placement, pools.Options{RingEntries: 1024, Ring: setup, YieldBeforePark: *yield})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var eopts []pools.EchoOption
	if *lend {
		// 2048 buffers of 4 KiB per executor, as echo-executor -multishot.
		eopts = append(eopts, pools.WithLend(2048, 4096))
	}
	srv, err := pools.ServeEcho(p, *addr, eopts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	fmt.Println(srv.Addr) // the load generator reads this line
	fmt.Fprint(os.Stderr, strings.ReplaceAll(p.Plan().String(), "\n", "\n# "))
	fmt.Fprintln(os.Stderr, "ring:", p.Executor(0).Reactor().RingKind(), p.Executor(0).Reactor().SetupFlags())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	fmt.Fprint(os.Stderr, p.Shutdown(time.Second))
}
