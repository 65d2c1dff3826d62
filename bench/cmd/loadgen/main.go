// Command loadgen drives an echo server: conns connections, each sending
// size bytes and waiting for them to come back (closed loop). After a
// warm-up it measures for a fixed time and prints one line:
//
//	<round trips per second> <server CPU ns per round trip>
//
// The server's CPU time is read from /proc/PID/task/*/schedstat (the
// first field: nanoseconds on CPU, per thread) at the start and the end of
// the measured window, so it is the server's own user+system time at
// nanosecond resolution; without -pid the second number is 0. On
// loopback, part of the receiver's softirq work is charged to the sender,
// so both sides' figures are approximate in the same way for every server.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "", "server address")
	conns := flag.Int("conns", 64, "connections")
	size := flag.Int("size", 64, "message size in bytes")
	warm := flag.Duration("warmup", time.Second, "run this long before measuring")
	dur := flag.Duration("d", 5*time.Second, "how long to measure")
	pid := flag.Int("pid", 0, "server process id, for its CPU time")
	flag.Parse()
	if *addr == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -addr is required")
		os.Exit(2)
	}
	var total atomic.Int64
	var measuring atomic.Bool
	var failed atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range *conns {
		c, err := net.Dial("tcp", *addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		wg.Go(func() {
			defer c.Close()
			msg := make([]byte, *size)
			back := make([]byte, *size)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Write(msg); err != nil {
					failed.Add(1)
					return
				}
				if _, err := io.ReadFull(c, back); err != nil {
					failed.Add(1)
					return
				}
				if measuring.Load() {
					total.Add(1)
				}
			}
		})
	}
	time.Sleep(*warm) // the warm-up is a duration by definition, not a wait for an event
	cpu0 := serverCPU(*pid)
	start := time.Now()
	measuring.Store(true)
	time.Sleep(*dur)
	measuring.Store(false)
	n := total.Load()
	elapsed := time.Since(start)
	cpu1 := serverCPU(*pid)
	close(stop)
	wg.Wait()
	if failed.Load() > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: %d connections failed\n", failed.Load())
		os.Exit(1)
	}
	if n == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: no round trip completed")
		os.Exit(1)
	}
	fmt.Printf("%.0f %.0f\n", float64(n)/elapsed.Seconds(), float64(cpu1-cpu0)/float64(n))
}

// serverCPU sums the on-CPU nanoseconds of every thread of pid (0: none).
func serverCPU(pid int) int64 {
	if pid == 0 {
		return 0
	}
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum int64
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // a thread that exited since the glob
		}
		fields := strings.Fields(string(b))
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseInt(fields[0], 10, 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}
