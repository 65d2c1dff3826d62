// Command loadgen drives an echo server: conns connections, each sending
// size bytes and waiting for them to come back, for a fixed time. It
// prints the round trips per second.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "", "server address")
	conns := flag.Int("conns", 64, "connections")
	size := flag.Int("size", 64, "message size in bytes")
	dur := flag.Duration("d", 5*time.Second, "how long to measure")
	flag.Parse()
	if *addr == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -addr is required")
		os.Exit(2)
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(*dur)
	var failed atomic.Int64
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
			n := int64(0)
			for time.Now().Before(deadline) {
				if _, err := c.Write(msg); err != nil {
					failed.Add(1)
					return
				}
				if _, err := io.ReadFull(c, back); err != nil {
					failed.Add(1)
					return
				}
				n++
			}
			total.Add(n)
		})
	}
	start := time.Now()
	wg.Wait()
	if failed.Load() > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: %d connections failed\n", failed.Load())
		os.Exit(1)
	}
	fmt.Printf("%.0f\n", float64(total.Load())/time.Since(start).Seconds())
}
