package tracestate

import (
	"strings"
	"testing"
	"time"

	"asyncworkbook/phases/trace"
)

// poolTrace: executors 7 (index 1) and 5 (index 0) start, in that order;
// 5 sends request 1 to 7 and flushes; 7 takes it and answers.
func poolTrace() []trace.Event {
	return []trace.Event{
		{Exec: 7, Kind: trace.ExecutorStarted, Index: 1, CPUs: "1", Thread: 70, Note: "io_uring"},
		{Exec: 5, Kind: trace.ExecutorStarted, Index: 0, CPUs: "0", Thread: 50, Note: "io_uring"},
		{Exec: 5, Kind: trace.Spawned, Task: 3, Name: "asker", Queue: 1},
		{Exec: 5, Kind: trace.PollStarted, Task: 3},
		{Exec: 5, Kind: trace.SubmitStarted, Task: 3, Peer: 7, Req: 1, Count: 1},
		{Exec: 5, Kind: trace.MsgSent, Peer: 7, Op: "request", Req: 1, Depth: 1},
		{Exec: 5, Kind: trace.PollEnded, Task: 3},
		{Exec: 7, Kind: trace.Parked},
		{Exec: 5, Kind: trace.MsgFlushed, Peer: 7, Count: 1, Depth: 1},
		{Exec: 5, Kind: trace.MsgWake, Peer: 7},
		{Exec: 7, Kind: trace.Unparked},
		{Exec: 7, Kind: trace.MsgReceived, Peer: 5, Op: "request", Req: 1},
		{Exec: 7, Kind: trace.MsgSent, Peer: 5, Op: "answer", Req: 1, Depth: 1},
	}
}

func applyAll(p *Pool, evs []trace.Event) {
	for i := range evs {
		p.Apply(&evs[i])
	}
}

func TestPoolColumnsFlowsAndHeat(t *testing.T) {
	evs := poolTrace()
	var p Pool
	applyAll(&p, evs[:6])
	if len(p.Cols) != 2 || p.Label(p.Find(5)) != "E5" {
		t.Fatalf("columns %+v", p.Cols)
	}
	if o := p.Order(); p.Cols[o[0]].Exec != 5 || p.Cols[o[1]].Exec != 7 {
		t.Fatalf("order %v: want exec 5 (index 0) first", o)
	}
	a, b := p.Find(5), p.Find(7)
	if c := p.Cols[a]; c.Status() != "▶ T3 asker" || c.Open != 1 || c.Sent != 1 || c.Live != 1 {
		t.Fatalf("executor 5: %+v (%s)", c, c.Status())
	}
	if len(p.Flows) != 1 || p.Flows[0] != (Flow{From: a, To: b, Op: "request", Req: 1}) {
		t.Fatalf("flows after the send: %+v", p.Flows)
	}
	applyAll(&p, evs[6:9])
	if !p.Flows[0].Published || p.Flows[0].Delivered || p.Cols[b].Inbox != 1 || p.Cols[b].Status() != "◌ parked" {
		t.Fatalf("after the flush: flow %+v, receiver %+v", p.Flows[0], p.Cols[b])
	}
	snap := p.Clone()
	applyAll(&p, evs[9:])
	if !p.Flows[0].Delivered || p.Cols[b].Inbox != 0 || p.Cols[a].Wakes != 1 || p.Cols[b].Recv != 1 {
		t.Fatalf("after the receive: flow %+v, cols %+v", p.Flows[0], p.Cols)
	}
	if p.Heat[a][b] != 1 || p.Heat[b][a] != 1 || p.Heat[a][a] != 0 {
		t.Fatalf("heat %v", p.Heat)
	}
	// The snapshot did not move with p.
	if snap.Flows[0].Delivered || len(snap.Flows) != 1 || snap.Heat[b][a] != 0 {
		t.Fatalf("the clone shares state with the pool: %+v %v", snap.Flows, snap.Heat)
	}
}

// A reply matches the request it answers, not an older message of the
// same pair: a wrong match would show the wrong arrow as taken.
func TestPoolReceiveMatchesOpAndRequest(t *testing.T) {
	var p Pool
	applyAll(&p, []trace.Event{
		{Exec: 1, Kind: trace.ExecutorStarted},
		{Exec: 2, Kind: trace.ExecutorStarted, Index: 1},
		{Exec: 1, Kind: trace.MsgSent, Peer: 2, Op: "request", Req: 1},
		{Exec: 1, Kind: trace.MsgSent, Peer: 2, Op: "request", Req: 2},
		{Exec: 2, Kind: trace.MsgSent, Peer: 1, Op: "answer", Req: 2},
		{Exec: 2, Kind: trace.MsgReceived, Peer: 1, Op: "request", Req: 2},
	})
	if p.Flows[0].Delivered || !p.Flows[1].Delivered || p.Flows[2].Delivered {
		t.Fatalf("flows %+v: want only request 2 taken", p.Flows)
	}
}

func TestPoolIgnoresTracesWithoutPoolEvents(t *testing.T) {
	var p Pool
	applyAll(&p, []trace.Event{{Exec: 1, Kind: trace.Turn}, {Exec: 1, Kind: trace.Spawned, Task: 1}})
	if p.Events != 0 || len(p.Cols) != 0 {
		t.Fatalf("a phase-1 trace built a pool: %+v", p)
	}
}

func TestPoolShutdownSteps(t *testing.T) {
	var p Pool
	for _, k := range []trace.Kind{trace.ExecutorStarted, trace.StopAccepting, trace.Draining, trace.DeadlinePassed} {
		p.Apply(&trace.Event{Exec: 1, Kind: k})
	}
	if p.Cols[0].Stop != "deadline passed" {
		t.Fatalf("stop %q", p.Cols[0].Stop)
	}
	p.Apply(&trace.Event{Exec: 1, Kind: trace.ExecutorClosed})
	if p.Cols[0].Status() != "✓ closed" {
		t.Fatalf("status %q", p.Cols[0].Status())
	}
}

func TestFlowsAreBounded(t *testing.T) {
	var p Pool
	p.Apply(&trace.Event{Exec: 1, Kind: trace.ExecutorStarted})
	for r := range uint64(100) {
		p.Apply(&trace.Event{Exec: 1, Kind: trace.MsgSent, Peer: 2, Op: "request", Req: r + 1})
	}
	if len(p.Flows) != maxFlows || p.Flows[maxFlows-1].Req != 100 {
		t.Fatalf("%d flows, last %+v", len(p.Flows), p.Flows[len(p.Flows)-1])
	}
}

func TestExplainPoolEvents(t *testing.T) {
	var s State
	for _, e := range poolTrace() {
		s.Apply(&e)
		got := s.Explain(&e)
		if got == "" || got == "The executor: "+e.Kind.String()+"." {
			t.Errorf("%v explained as %q", e, got)
		}
	}
}

// A pool executor's column shows its task queues (phase 3's
// queue-selected), the running one marked, until its slice ends.
func TestPoolColumnShowsTheExecutorsQueues(t *testing.T) {
	qs := trace.EncodeQueues([]trace.QueuePos{
		{Name: "default", Vruntime: 10, Shares: 1000, Ready: 0},
		{Name: "batch", Vruntime: 40, Shares: 1000, Ready: 3},
		{Name: "interactive", Vruntime: 40, Shares: 100, Ready: 1, Latency: int64(time.Millisecond)},
	})
	evs := append(poolTrace(), trace.Event{Exec: 7, Kind: trace.QueueSelected, Name: "interactive", Queues: qs})
	var p Pool
	applyAll(&p, evs)
	c := &p.Cols[p.Find(7)]
	if got, want := c.QueueLine(), "default 0 · batch 3 · ▸interactive[1ms] 1"; got != want {
		t.Fatalf("queues of E7 = %q, want %q", got, want)
	}
	if other := p.Cols[p.Find(5)].QueueLine(); other != "" {
		t.Fatalf("E5 never selected a queue, yet shows %q", other)
	}
	snap := p.Clone()
	p.Apply(&trace.Event{Exec: 7, Kind: trace.SliceEnded, Name: "interactive", Note: "ran dry"})
	if got := c.QueueLine(); strings.Contains(got, "▸") {
		t.Fatalf("after the slice ended E7 still marks a running queue: %q", got)
	}
	snap.Cols[snap.Find(7)].Queues[1].Ready = 99
	if c.Queues[1].Ready != 3 {
		t.Fatal("Clone shares the queue list with the original")
	}
}
