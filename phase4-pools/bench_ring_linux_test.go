//go:build linux

package pools

import (
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
)

// BenchmarkSubmitTo measures a SubmitTo round trip between two executors
// of a pool, for each ring setup (Options.Ring):
//
//	one-by-one  a task on executor 0 awaits each answer before the next
//	            request: both executors park between messages, so every
//	            request and every answer wakes a parked executor
//	one-by-one-yield  the same with phase 3's Gosched before a blocking
//	            park (Options.YieldBeforePark)
//	one-by-one-spin50us  the same with Options.SpinBeforePark = 50 µs
//	batch64     64 requests in flight at once: the mesh batches and the
//	            executors rarely park (per request)
//
//	go test -run '^$' -bench SubmitTo -count 5 ./phase4-pools/
func BenchmarkSubmitTo(b *testing.B) {
	for _, setup := range []RingSetup{RingCoopTaskrun, RingSingleIssuer, RingDeferTaskrun} {
		b.Run(setup.String(), func(b *testing.B) {
			b.Run("one-by-one", func(b *testing.B) { benchSubmit(b, setup, 1) })
			b.Run("one-by-one-yield", func(b *testing.B) { benchSubmitWith(b, Options{Ring: setup, YieldBeforePark: true}, 1) })
			b.Run("one-by-one-spin50us", func(b *testing.B) { benchSubmitWith(b, Options{Ring: setup, SpinBeforePark: 50 * time.Microsecond}, 1) })
			b.Run("batch64", func(b *testing.B) { benchSubmit(b, setup, 64) })
		})
	}
}

func benchSubmit(b *testing.B, setup RingSetup, batch int) {
	benchSubmitWith(b, Options{Ring: setup}, batch)
}

func benchSubmitWith(b *testing.B, o Options, batch int) {
	setup := o.Ring
	placement := Unbound(2)
	if a, err := Affinity(); err == nil && a.Len() >= 2 {
		placement = MaxSpread(2)
	}
	p, err := New(placement, o)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Shutdown(time.Second)
	n := b.N
	h, err := Spawn(p, 0, executor.Async(func(a *executor.Awaiter) int {
		sum := 0
		fs := make([]executor.Future[executor.Result[int]], 0, batch)
		for i := 0; i < n; i += batch {
			fs = fs[:0]
			for j := range min(batch, n-i) {
				fs = append(fs, SubmitTo(p, 1, func() executor.Future[int] { return executor.Ready(j) }))
			}
			if len(fs) == 1 {
				sum += executor.Await(a, fs[0]).Value
				continue
			}
			for _, r := range executor.Await(a, executor.Join(fs...)) {
				sum += r.Value
			}
		}
		return sum
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	r, err := executor.Run(executor.Future[executor.Result[int]](h))
	b.StopTimer()
	if err != nil || r.Err != nil {
		b.Fatal(err, r.Err)
	}
	if setup == RingDeferTaskrun && !strings.Contains(p.Executor(0).Reactor().SetupFlags(), "DEFER_TASKRUN") {
		b.Skipf("the kernel refused DEFER_TASKRUN: %s", p.Executor(0).Reactor().SetupFlags())
	}
}
