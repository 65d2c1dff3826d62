//go:build linux

package pools

import (
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

func dumpEvents(evs []trace.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("\n\t" + e.String())
	}
	return b.String()
}

// fanOut spawns k tasks on the executor it runs on, each submitting one
// request to executor dst, and waits for every answer.
func fanOut(p *Pool, dst, k int) executor.Future[int] {
	return executor.Async(func(a *executor.Awaiter) int {
		var hs []executor.JoinHandle[executor.Result[int]]
		for i := range k {
			hs = append(hs, executor.SpawnLocal(a.Context(), SubmitTo(p, dst, func() executor.Future[int] { return executor.Ready(i * 10) })))
		}
		sum := 0
		for _, h := range hs {
			r := executor.Await(a, executor.Future[executor.Result[executor.Result[int]]](h))
			sum += r.Value.Value
		}
		return sum
	})
}

// TestTraceShowsEachRequestSentPublishedReceivedAndAnswered submits five
// requests in one turn from executor 0 to executor 1 and reads the trace:
// both executors start (with their index and thread), the five requests
// are sent with the channel filling 1..5, published by one flush of 5,
// received with 4..0 left, and each answer comes back before its
// SubmitAnswered — in that order in the sink, for every request.
func TestTraceShowsEachRequestSentPublishedReceivedAndAnswered(t *testing.T) {
	rec := trace.NewRecorder(1 << 12)
	p := newPool(t, Unbound(2), Options{Sink: rec})
	if got := await(t, p, 0, fanOut(p, 1, 5)); got != 100 {
		t.Fatalf("sum of answers = %d, want 100", got)
	}
	p.Shutdown(time.Second)
	evs := rec.Events()
	x0, x1 := p.Executor(0).ex.ID(), p.Executor(1).ex.ID()

	started := map[uint32]trace.Event{}
	for _, e := range evs {
		if e.Kind == trace.ExecutorStarted {
			started[e.Exec] = e
		}
	}
	for i, x := range []uint32{x0, x1} {
		s, ok := started[x]
		if !ok || s.Index != i || s.Thread != p.Executor(i).ThreadID() || s.Seq != 1 {
			t.Fatalf("executor %d (exec%d) started as %v, want index %d, thread %d, first event:%s", i, x, s, i, p.Executor(i).ThreadID(), dumpEvents(evs))
		}
	}

	pos := func(pred func(trace.Event) bool) int {
		for i, e := range evs {
			if pred(e) {
				return i
			}
		}
		return -1
	}
	for req := uint64(1); req <= 5; req++ {
		steps := []struct {
			name string
			pred func(trace.Event) bool
		}{
			{"submit-started", func(e trace.Event) bool {
				return e.Kind == trace.SubmitStarted && e.Exec == x0 && e.Peer == x1 && e.Req == req && e.Task != 0
			}},
			{"request sent", func(e trace.Event) bool {
				return e.Kind == trace.MsgSent && e.Exec == x0 && e.Peer == x1 && e.Req == req && e.Op == "request" && e.Depth == int(req)
			}},
			{"request received", func(e trace.Event) bool {
				return e.Kind == trace.MsgReceived && e.Exec == x1 && e.Peer == x0 && e.Req == req && e.Op == "request" && e.Depth == int(5-req)
			}},
			{"answer sent", func(e trace.Event) bool {
				return e.Kind == trace.MsgSent && e.Exec == x1 && e.Peer == x0 && e.Req == req && e.Op == "answer"
			}},
			{"answer received", func(e trace.Event) bool {
				return e.Kind == trace.MsgReceived && e.Exec == x0 && e.Peer == x1 && e.Req == req && e.Op == "answer"
			}},
			{"submit-answered", func(e trace.Event) bool {
				return e.Kind == trace.SubmitAnswered && e.Exec == x0 && e.Peer == x1 && e.Req == req && e.Note == ""
			}},
		}
		last := -1
		for _, s := range steps {
			i := pos(s.pred)
			if i < 0 || i < last {
				t.Fatalf("request %d: %s at %d, after the step before it at %d:%s", req, s.name, i, last, dumpEvents(evs))
			}
			last = i
		}
	}
	// One flush published the five requests, between the last send and
	// the first receive.
	flush := pos(func(e trace.Event) bool { return e.Kind == trace.MsgFlushed && e.Exec == x0 && e.Peer == x1 })
	if flush < 0 || evs[flush].Count != 5 || evs[flush].Depth != 5 {
		t.Fatalf("first flush towards exec%d: %v, want count 5 depth 5:%s", x1, evs[flush], dumpEvents(evs))
	}
	if firstRecv := pos(func(e trace.Event) bool { return e.Kind == trace.MsgReceived && e.Exec == x1 }); firstRecv < flush {
		t.Fatalf("exec%d received at %d before the flush at %d:%s", x1, firstRecv, flush, dumpEvents(evs))
	}
	// Every executor's events are in its own order.
	seq := map[uint32]uint64{}
	for _, e := range evs {
		if e.Seq != seq[e.Exec]+1 {
			t.Fatalf("exec%d: event #%d after #%d: the sink saw them out of order:%s", e.Exec, e.Seq, seq[e.Exec], dumpEvents(evs))
		}
		seq[e.Exec] = e.Seq
	}
	// At most one wake per flush.
	flushes, wakes := 0, 0
	for _, e := range evs {
		switch e.Kind {
		case trace.MsgFlushed:
			flushes++
		case trace.MsgWake:
			wakes++
		}
	}
	if wakes > flushes {
		t.Fatalf("%d wakes for %d flushes", wakes, flushes)
	}
}

// TestTraceShowsTheInFlightBound: with MaxInFlight 2, the third of five
// requests waits, and no request starts while two are open.
func TestTraceShowsTheInFlightBound(t *testing.T) {
	rec := trace.NewRecorder(1 << 12)
	p := newPool(t, Unbound(2), Options{Sink: rec, MaxInFlight: 2})
	await(t, p, 0, fanOut(p, 1, 5))
	p.Shutdown(time.Second)
	evs := rec.Events()
	waiting, started := 0, 0
	for _, e := range evs {
		switch e.Kind {
		case trace.SubmitWaiting:
			waiting++
			if e.Count != 2 {
				t.Fatalf("waiting with %d open, want 2: %v", e.Count, e)
			}
		case trace.SubmitStarted:
			started++
			if e.Count > 2 {
				t.Fatalf("request started with %d open, above the bound:%s", e.Count, dumpEvents(evs))
			}
		}
	}
	if waiting == 0 || started != 5 {
		t.Fatalf("%d waits and %d starts, want some waits and 5 starts:%s", waiting, started, dumpEvents(evs))
	}
}

// TestTraceShowsShutdownSteps: a task that never ends on executor 1 makes
// both executors drain until the deadline, which cancels it; each says so.
func TestTraceShowsShutdownSteps(t *testing.T) {
	rec := trace.NewRecorder(1 << 12)
	p := newPool(t, Unbound(2), Options{Sink: rec})
	g := &gate{}
	if _, err := Spawn(p, 1, executor.Future[struct{}](g)); err != nil {
		t.Fatal(err)
	}
	rep := p.Shutdown(20 * time.Millisecond)
	evs := rec.Events()
	for i := range 2 {
		x := p.Executor(i).ex.ID()
		var kinds []string
		var closed trace.Event
		for _, e := range evs {
			if e.Exec != x {
				continue
			}
			switch e.Kind {
			case trace.StopAccepting, trace.Draining, trace.DeadlinePassed, trace.ExecutorClosed:
				kinds = append(kinds, e.Kind.String())
				if e.Kind == trace.ExecutorClosed {
					closed = e
				}
			}
		}
		// Executor 0 has nothing of its own: it may find the pool idle
		// once executor 1's deadline cancelled the task, before its own.
		want := "stop-accepting draining deadline-passed executor-closed"
		note := "deadline passed"
		if i == 0 && rep.Executors[0].Drained {
			want, note = "stop-accepting draining executor-closed", "drained"
		}
		if strings.Join(kinds, " ") != want {
			t.Fatalf("executor %d: shutdown steps %v, want %s:%s", i, kinds, want, dumpEvents(evs))
		}
		if closed.Count != int(rep.Executors[i].Cancelled) || closed.Note != note {
			t.Fatalf("executor %d closed with %v; report says %d cancelled", i, closed, rep.Executors[i].Cancelled)
		}
	}
	if rep.Executors[1].Cancelled != 1 {
		t.Fatalf("report: %v", rep)
	}
}

// TestStepperStepsTheWholePool stops the pool at an event of executor 0
// and shows that executor 1, given work meanwhile, waits at its next
// event without running it until the stepper lets the pool go on.
func TestStepperStepsTheWholePool(t *testing.T) {
	st := trace.NewStepper()
	st.ContinueUntil(trace.NewKindSet(trace.SubmitStarted))
	busy := make(chan uint32, 16)
	testHookSinkBusy = func(x uint32) {
		select {
		case busy <- x:
		default:
		}
	}
	defer func() { testHookSinkBusy = nil }()
	p, err := New(Unbound(2), Options{Sink: st})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Detach(); p.Shutdown(time.Second) }()
	x0, x1 := p.Executor(0).ex.ID(), p.Executor(1).ex.ID()
	if _, err := Spawn(p, 0, fanOut(p, 1, 1)); err != nil {
		t.Fatal(err)
	}
	stop := <-st.Stops()
	if stop.Exec != x0 || stop.Kind != trace.SubmitStarted {
		t.Fatalf("stopped at %v, want exec%d's submit-started", stop, x0)
	}
	ran := make(chan struct{})
	if _, err := Spawn(p, 1, executor.PollFn(func(cx *executor.Context) executor.Poll[struct{}] {
		close(ran)
		return executor.PollReady(struct{}{})
	})); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case <-timeout:
			t.Fatal("executor 1 never reached the pool's sink")
		case <-ran:
			t.Fatalf("executor 1 ran a task while the pool was stopped at %v", stop)
		case x := <-busy:
			if x != x1 {
				continue
			}
		}
		break
	}
	st.Continue()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("executor 1 never ran its task after Continue")
	}
}
