//go:build linux || darwin

package pools

import (
	"sync"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// spinWork burns about d of CPU: a job that computes and never waits.
func spinWork(d time.Duration) int {
	n := 0
	for start := time.Now(); time.Since(start) < d; {
		for i := range 1000 {
			n += i * i
		}
	}
	return n
}

// BenchmarkSkew: CPU-bound jobs of about 20 µs on a pool of two
// executors, spread evenly over both or all owned by executor 0 (a hot
// shard), against one goroutine per job at the same GOMAXPROCS, which Go's
// scheduler spreads by stealing. It measures what work stealing buys
// when the load is uneven. ns/op is per job.
//
//	go test -run '^$' -bench Skew -count 5 ./phase4-pools/
func BenchmarkSkew(b *testing.B) {
	const job = 20 * time.Microsecond
	for _, c := range []struct {
		name string
		to   func(i int) int
	}{
		{"pool/even", func(i int) int { return i % 2 }},
		{"pool/hot-shard", func(int) int { return 0 }},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, err := New(Unbound(2), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Shutdown(time.Second)
			b.ResetTimer()
			hs := make([]executor.Future[executor.Result[int]], 0, b.N)
			for i := range b.N {
				h, err := Spawn(p, c.to(i), executor.PollFn(func(*executor.Context) executor.Poll[int] {
					return executor.PollReady(spinWork(job))
				}))
				if err != nil {
					b.Fatal(err)
				}
				hs = append(hs, h)
			}
			if _, err := executor.Run(executor.Join(hs...)); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run("goroutines", func(b *testing.B) {
		var wg sync.WaitGroup
		for range b.N {
			wg.Go(func() { spinWork(job) })
		}
		wg.Wait()
	})
}
