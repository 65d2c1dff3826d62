package executor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"asyncworkbook/phases/trace"
)

// Every benchmark here has a Go-runtime twin in the same run, so the
// comparison is a ratio measured under the same noise. The README's
// performance table is produced by:
//
//	go test -run '^$' -bench . -count 5 ./phase1-executor/

const spawnBatch = 1000

// bumpTask is the trivial task: one poll, one increment, done.
type bumpTask struct{ n *int }

func (b bumpTask) Poll(*Context) Poll[struct{}] {
	*b.n++
	return PollReady(struct{}{})
}

// spawnMany spawns n trivial tasks, then waits for the last one. FIFO
// order means every earlier one has run by then.
type spawnMany struct {
	n, ran int
	last   JoinHandle[struct{}]
	start  bool
}

func (s *spawnMany) Poll(cx *Context) Poll[int] {
	if !s.start {
		s.start = true
		for i := range s.n {
			h := SpawnLocal(cx, Future[struct{}](bumpTask{&s.ran}))
			if i == s.n-1 {
				s.last = h
			}
		}
	}
	if !s.last.Poll(cx).IsReady() {
		return Pending[int]()
	}
	return PollReady(s.ran)
}

func benchSpawnExecutor(b *testing.B, opts ...Option) {
	ex := New(opts...)
	defer ex.Close()
	b.ReportAllocs()
	for done := 0; done < b.N; done += spawnBatch {
		n, err := BlockOn(ex, Future[int](&spawnMany{n: min(spawnBatch, b.N-done)}))
		if err != nil || n != min(spawnBatch, b.N-done) {
			b.Fatalf("batch ran %d tasks, err %v", n, err)
		}
	}
}

func BenchmarkSpawn(b *testing.B) {
	b.Run("executor", func(b *testing.B) { benchSpawnExecutor(b) })
	b.Run("executor-traced", func(b *testing.B) {
		benchSpawnExecutor(b, WithSink(trace.NewRecorder(4096)))
	})
	b.Run("goroutine", func(b *testing.B) {
		b.ReportAllocs()
		var n atomic.Int64
		var wg sync.WaitGroup
		for done := 0; done < b.N; done += spawnBatch {
			for range min(spawnBatch, b.N-done) {
				wg.Go(func() { n.Add(1) })
			}
			wg.Wait()
		}
		if n.Load() != int64(b.N) {
			b.Fatalf("ran %d goroutines, want %d", n.Load(), b.N)
		}
	})
}

func BenchmarkPingPong(b *testing.B) {
	b.Run("executor", func(b *testing.B) {
		b.ReportAllocs()
		ex := New()
		defer ex.Close()
		ab, ba := NewChan[int](), NewChan[int]()
		ponger := Spawn(ex, Future[int](&echo{in: ab, out: ba, rounds: b.N}))
		n, err := BlockOn(ex, Future[int](&pingRounds{in: ba, out: ab, rounds: b.N}))
		if err != nil || n != b.N {
			b.Fatalf("ping rounds %d, err %v", n, err)
		}
		ponger.Cancel()
	})
	b.Run("goroutine", func(b *testing.B) {
		b.ReportAllocs()
		ab, ba := make(chan int), make(chan int)
		go func() {
			for v := range ab {
				ba <- v
			}
			close(ba)
		}()
		for i := range b.N {
			ab <- i
			<-ba
		}
		close(ab)
		<-ba
	})
}

// pingRounds: send i, receive the echo, rounds times.
type pingRounds struct {
	in, out *Chan[int]
	rounds  int
	i       int
	sent    bool
}

func (p *pingRounds) Poll(cx *Context) Poll[int] {
	for p.i < p.rounds {
		if !p.sent {
			s := chanSend[int]{c: p.out, v: p.i}
			if !s.Poll(cx).IsReady() {
				return Pending[int]()
			}
			p.sent = true
		}
		if !(chanRecv[int]{c: p.in}).Poll(cx).IsReady() {
			return Pending[int]()
		}
		p.sent = false
		p.i++
	}
	return PollReady(p.i)
}

// echo: receive a value, send it back, rounds times.
type echo struct {
	in, out *Chan[int]
	rounds  int
	i       int
	have    bool
	v       int
}

func (e *echo) Poll(cx *Context) Poll[int] {
	for e.i < e.rounds {
		if !e.have {
			r, ok := chanRecv[int]{c: e.in}.Poll(cx).Value()
			if !ok {
				return Pending[int]()
			}
			e.v, e.have = r.Value, true
		}
		s := chanSend[int]{c: e.out, v: e.v}
		if !s.Poll(cx).IsReady() {
			return Pending[int]()
		}
		e.have = false
		e.i++
	}
	return PollReady(e.i)
}

// everyOther is Pending on odd polls and Ready on even ones, waking its
// own task when Pending so the executor comes straight back.
type everyOther struct{ n int }

func (e *everyOther) Poll(cx *Context) Poll[int] {
	e.n++
	if e.n%2 == 1 {
		cx.Wake(cx.Waker())
		return Pending[int]()
	}
	return PollReady(e.n)
}

func BenchmarkAwait(b *testing.B) {
	b.Run("coroutine", func(b *testing.B) {
		b.ReportAllocs()
		f := &everyOther{}
		n, err := Run(Async(func(a *Awaiter) int {
			for range b.N {
				Await(a, Future[int](f))
			}
			return f.n
		}))
		if err != nil || n != 2*b.N {
			b.Fatalf("polls %d, err %v", n, err)
		}
	})
	b.Run("goroutine", func(b *testing.B) {
		b.ReportAllocs()
		ab, ba := make(chan int), make(chan int)
		go func() {
			for v := range ab {
				ba <- v
			}
			close(ba)
		}()
		for i := range b.N {
			ab <- i
			<-ba
		}
		close(ab)
		<-ba
	})
}

// BenchmarkParkedTask reports the memory one parked task costs: spawned,
// polled once, and now waiting on a waker that never fires. b.N tasks are
// parked at once; B/task is the growth of heap plus stacks divided by b.N.
// A goroutine blocked on a channel is the twin.
func BenchmarkParkedTask(b *testing.B) {
	measure := func(b *testing.B, park func(n int) (release func())) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		release := park(b.N)
		runtime.GC()
		runtime.ReadMemStats(&after)
		used := (after.HeapAlloc + after.StackInuse) - (before.HeapAlloc + before.StackInuse)
		b.ReportMetric(float64(used)/float64(b.N), "B/task")
		b.ReportMetric(0, "ns/op")
		release()
	}
	never := func() Future[int] {
		return PollFn(func(cx *Context) Poll[int] { cx.Waker(); return Pending[int]() })
	}
	parkTasks := func(b *testing.B, wrap func(Future[int]) Future[int]) {
		measure(b, func(n int) func() {
			ex := New()
			for range n {
				Spawn(ex, wrap(never()))
			}
			if _, err := BlockOn(ex, YieldNow()); err != nil {
				b.Fatal(err)
			}
			return ex.Close
		})
	}
	b.Run("hand-written", func(b *testing.B) {
		parkTasks(b, func(f Future[int]) Future[int] { return f })
	})
	b.Run("coroutine", func(b *testing.B) {
		parkTasks(b, func(f Future[int]) Future[int] {
			return Async(func(a *Awaiter) int { return Await(a, f) })
		})
	})
	b.Run("goroutine", func(b *testing.B) {
		measure(b, func(n int) func() {
			block := make(chan struct{})
			var started sync.WaitGroup
			for range n {
				started.Add(1)
				go func() { started.Done(); <-block }()
			}
			started.Wait()
			return func() { close(block) }
		})
	})
}
