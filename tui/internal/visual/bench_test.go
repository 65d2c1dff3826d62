package visual

import (
	executor "asyncworkbook/phase1-executor"
	"fmt"
	"testing"

	"asyncworkbook/phases/trace"
	"asyncworkbook/tui/internal/fixture"
)

// synthetic returns n events of a busy executor: 20 tasks taking turns,
// each poll registering its waker and being woken by the next task, the
// shape of a ping-pong ring. Seq numbers run on so the log is realistic.
func synthetic(n int) []trace.Event {
	const tasks = 20
	out := make([]trace.Event, 0, n+tasks)
	seq := uint64(0)
	add := func(e trace.Event) {
		seq++
		e.Seq, e.Exec = seq, 1
		out = append(out, e)
	}
	for id := uint64(1); id <= tasks; id++ {
		add(trace.Event{Task: id, Kind: trace.Spawned, Name: fmt.Sprintf("worker-%d", id), By: trace.SourceExecutor, Queue: int(id)})
	}
	for len(out) < n {
		add(trace.Event{Kind: trace.Turn, Queue: tasks})
		for id := uint64(1); id <= tasks && len(out) < n; id++ {
			next := id%tasks + 1
			add(trace.Event{Task: id, Kind: trace.PollStarted})
			add(trace.Event{Task: id, Kind: trace.WakerRegistered, Holder: fmt.Sprintf("chan T%d", next)})
			add(trace.Event{Task: id, Kind: trace.PollEnded})
			add(trace.Event{Task: next, Kind: trace.Woken, By: trace.SourceTask, From: id})
			add(trace.Event{Task: id, Kind: trace.Queued, Queue: tasks})
		}
	}
	return out
}

// syntheticRing returns n events of a busy phase-2 executor: each turn,
// 20 tasks each prepare a READ (SQ of 64), one enter submits them, and
// the previous turn's 20 READs complete, each waking its task — about 20
// ops in flight at any time, the CQ batch half reaped at the cursor.
func syntheticRing(n int) []trace.Event {
	const tasks = 20
	out := make([]trace.Event, 0, n+tasks)
	seq := uint64(0)
	var sqHead, sqTail, cqHead, cqTail uint32
	ring := func(e trace.Event) trace.Event {
		e.SQ = trace.RingPos{Entries: 64, Head: sqHead, Tail: sqTail}
		e.CQ = trace.RingPos{Entries: 128, Head: cqHead, Tail: cqTail}
		return e
	}
	add := func(e trace.Event) {
		seq++
		e.Seq, e.Exec, e.Time = seq, 1, int64(seq)*250
		out = append(out, e)
	}
	for id := uint64(1); id <= tasks; id++ {
		add(trace.Event{Task: id, Kind: trace.Spawned, Name: fmt.Sprintf("reader-%d", id), By: trace.SourceExecutor, Queue: int(id)})
	}
	var prev []uint64 // user_data submitted last turn
	for gen := uint64(1); len(out) < n; gen++ {
		add(trace.Event{Kind: trace.Turn, Queue: tasks})
		var now []uint64
		for id := uint64(1); id <= tasks; id++ {
			ud := gen<<32 | id
			add(trace.Event{Task: id, Kind: trace.PollStarted})
			add(trace.Event{Task: id, Kind: trace.WakerRegistered, Holder: "io_uring READ"})
			sqTail++
			add(ring(trace.Event{Task: id, Kind: trace.SQEPrepared, Op: "READ", UserData: ud, FD: int32(id + 8)}))
			add(trace.Event{Task: id, Kind: trace.PollEnded})
			now = append(now, ud)
		}
		add(trace.Event{Kind: trace.Parked})
		sqHead = sqTail
		cqTail += uint32(len(prev))
		add(ring(trace.Event{Kind: trace.Submitted, Count: tasks, Note: "wait"}))
		for _, ud := range prev {
			id := ud & 0xffffffff
			add(ring(trace.Event{Task: id, Kind: trace.CQEReaped, Op: "READ", UserData: ud, Res: 4096}))
			add(trace.Event{Task: id, Kind: trace.Woken, By: trace.SourceCompletion})
			add(trace.Event{Task: id, Kind: trace.Queued, Queue: int(id)})
		}
		cqHead = cqTail
		add(trace.Event{Kind: trace.Unparked, Note: "completion"})
		prev = now
	}
	return out
}

// benchModel returns a visualiser attached to a finished feed, so Update
// takes the live path for BatchMsgs.
func benchModel(b *testing.B) Model {
	m := New("bench", "", func(trace.Sink) error { return nil })
	m.SetSize(120, 40)
	m.Init()
	<-m.feed.Done()
	b.Cleanup(m.Close)
	return m
}

func BenchmarkVisualiser(b *testing.B) {
	// ingest: batches of 256 events (one drain of the feed) through
	// Update, as the runtime delivers them in play mode; the cursor
	// follows. Reported per event.
	b.Run("ingest", func(b *testing.B) {
		evs := synthetic(1 << 16)
		const batch = 256
		m := benchModel(b)
		b.ReportAllocs()
		b.ResetTimer()
		i := 0
		for b.Loop() {
			if i+batch > len(evs) {
				i = 0
				m.hist = NewHistory() // start over, as a restart would
			}
			m, _ = m.Update(BatchMsg{Feed: m.feed, Events: evs[i : i+batch]})
			i += batch
		}
		perEvent := float64(b.Elapsed().Nanoseconds()) / float64(b.N*batch)
		b.ReportMetric(perEvent, "ns/event")
		b.ReportMetric(1e9/perEvent, "events/s")
	})
	// view: a full render at 120×40 with 20 tasks and 50,000 events of
	// history, the cursor in the middle (after stepping back). The cache
	// is invalidated every time, so this is the cost of a real redraw.
	b.Run("view", func(b *testing.B) {
		m := NewRecorded("bench", "A busy ring of twenty tasks.", synthetic(50_000))
		m.SetSize(120, 40)
		m.hist.Seek(25_000)
		b.ReportAllocs()
		for b.Loop() {
			m.cache.dirty = true
			_ = m.View()
		}
	})
	// view-ring: the same redraw for a phase-2 history (ring panel shown,
	// about 20 ops in flight), the cursor in the middle of a CQ batch.
	b.Run("view-ring", func(b *testing.B) {
		evs := syntheticRing(50_000)
		m := NewRecorded("bench", "Twenty readers on one ring.", evs)
		m.SetSize(120, 40)
		pos := 25_000
		for evs[pos-1].Kind != trace.CQEReaped || evs[pos-4].Kind != trace.CQEReaped {
			pos++
		}
		m.hist.Seek(pos)
		if n := len(m.hist.State().InFlight()); n < 10 || !m.hist.State().Ring.Reaping {
			b.Fatalf("%d in flight, reaping %v: not the history meant", n, m.hist.State().Ring.Reaping)
		}
		b.ReportAllocs()
		for b.Loop() {
			m.cache.dirty = true
			_ = m.View()
		}
	})
	// view-ring-fixture: the recorded p2-batch-reads trace, mid-reap.
	b.Run("view-ring-fixture", func(b *testing.B) {
		m := NewRecorded("bench", "", fixture.P2BatchReads())
		m.SetSize(120, 40)
		m.hist.Seek(37)
		for b.Loop() {
			m.cache.dirty = true
			_ = m.View()
		}
	})
	// ingest-ring: ingest for a phase-2 history (snapshots copy the op
	// table too).
	b.Run("ingest-ring", func(b *testing.B) {
		evs := syntheticRing(1 << 16)
		const batch = 256
		m := benchModel(b)
		b.ReportAllocs()
		b.ResetTimer()
		i := 0
		for b.Loop() {
			if i+batch > len(evs) {
				i = 0
				m.hist = NewHistory()
			}
			m, _ = m.Update(BatchMsg{Feed: m.feed, Events: evs[i : i+batch]})
			i += batch
		}
		perEvent := float64(b.Elapsed().Nanoseconds()) / float64(b.N*batch)
		b.ReportMetric(perEvent, "ns/event")
		b.ReportMetric(1e9/perEvent, "events/s")
	})
	// view-fixture: the recorded demo trace, stopped at the lost wakeup.
	b.Run("view-fixture", func(b *testing.B) {
		m := NewRecorded("bench", "", fixture.SpawnSleepYield())
		m.SetSize(120, 40)
		m.hist.Seek(18)
		for b.Loop() {
			m.cache.dirty = true
			_ = m.View()
		}
	})
}

// yieldRing is a runtime workload: 10 tasks yielding in turn, rounds
// times each, on a phase-1 executor reporting to sink.
func yieldRing(rounds int) func(trace.Sink) error {
	return func(sink trace.Sink) error {
		ex := executor.New(executor.WithSink(sink))
		defer ex.Close()
		_, err := executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
			var hs []executor.Future[executor.Result[int]]
			for range 10 {
				hs = append(hs, executor.SpawnLocal(a.Context(), executor.Async(func(a *executor.Awaiter) int {
					for range rounds {
						executor.Await(a, executor.YieldNow())
					}
					return rounds
				})))
			}
			executor.Await(a, executor.Join(hs...))
			return 0
		}))
		return err
	}
}

// BenchmarkPlayMode measures what play mode costs the runtime: the same
// workload with a Recorder sink, and with the visualiser's Feed in
// continue mode while the UI side drains it as Listen does, handing each
// batch to a visualiser's Update and rendering its View, as the program
// would. Target: play ≤ 2× recorder per op (one op = the whole workload,
// about 70,000 events). Events the UI could not keep up with are dropped
// (and shown as dropped), never waited for.
func BenchmarkPlayMode(b *testing.B) {
	const rounds = 1000
	b.Run("recorder", func(b *testing.B) {
		for b.Loop() {
			if err := yieldRing(rounds)(trace.NewRecorder(4096)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("play", func(b *testing.B) {
		dropped := 0
		m := benchModel(b)
		for b.Loop() {
			m.hist = NewHistory() // each run starts a fresh history, as a restart does
			f := StartFeed(0, yieldRing(rounds))
			f.Continue()
			for {
				msg := f.Listen()().(BatchMsg)
				dropped += msg.Dropped
				if msg.Done {
					break
				}
				msg.Feed = m.feed
				m, _ = m.Update(msg)
				_ = m.View()
			}
			if f.err != nil {
				b.Fatal(f.err)
			}
		}
		b.ReportMetric(float64(dropped)/float64(b.N), "dropped/op")
	})
}
