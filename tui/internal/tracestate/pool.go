package tracestate

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"asyncworkbook/phases/trace"
)

// The pool part of a trace (phase 4): several executors side by side,
// the messages between them and the shutdown's steps. Pool is kept apart
// from State: the visualiser builds it from the same events, only for a
// trace that has pool events.
//
//	event            effect on the executor's column (and the pool)
//	---------------  --------------------------------------------------
//	ExecutorStarted  the column appears: index, CPUs, thread, ring
//	Turn             awake; Ready from the event's queue length
//	Spawned, Queued  Ready from the queue length; Spawned: Live+1
//	PollStarted      Running is the task; Ready-1
//	PollEnded        nothing running
//	Parked/Unparked  parked / awake
//	Completed...     Live-1 (Cancelled, Panicked too)
//	ring events      SQ and CQ occupancy (tail-head of Entries)
//	MsgSent          a flow from this column to Peer, in flight; Sent+1
//	                 and the heat map cell [this][Peer] +1
//	MsgFlushed       the flows towards Peer are published
//	MsgWake          Peer was woken by this column's flush
//	MsgReceived      the flow from Peer with this Req and Op: delivered;
//	                 Inbox from the event's depth
//	Submit*          Open requests (the event's Count), Waiting
//	QueueSelected    Queues: the executor's task queues (phase 3) as the
//	                 event lists them; Picked: the queue whose slice runs
//	SliceEnded       Picked cleared (no queue runs)
//	StopAccepting... Stop: the shutdown step the executor is at

// Column is one executor as the trace shows it.
type Column struct {
	Exec     uint32
	Index    int    // place in the pool (-1: no executor-started seen)
	CPUs     string // "" when not pinned
	Thread   int
	RingKind string

	Phase   LoopPhase
	Running uint64 // the task being polled, 0 for none
	Ready   int    // run-queue length as last reported
	Live    int    // tasks spawned and not finished
	Inbox   int    // messages waiting to be taken, as last reported
	Open    int    // SubmitTo requests open from here
	Waiting int    // SubmitTo futures waiting for the in-flight bound
	Sent    int    // messages sent
	Recv    int    // messages received
	Wakes   int    // wakes this column's flushes fired
	SQ, CQ  trace.RingPos
	Queues  []trace.QueuePos // the executor's task queues at its last queue-selected
	Picked  string           // the queue whose slice runs ("" between slices)
	Stop    string           // shutdown step: "", "stop accepting", "draining", "deadline passed", "closed"
	Names   map[uint64]string
}

// Flow is one message between two columns.
type Flow struct {
	From, To  int // column indexes
	Op        string
	Req       uint64
	Published bool // the sender's flush made it visible
	Delivered bool // the receiver took it
}

// maxFlows is how many recent messages a Pool keeps.
const maxFlows = 12

// Pool is the pool as rebuilt from the events applied so far. The zero
// value is an empty pool; not safe for concurrent use.
type Pool struct {
	Cols   []Column
	Heat   [][]int // Heat[i][j]: messages column i sent column j
	Flows  []Flow  // the most recent messages, oldest first
	Events int     // pool events applied (0: not a pool trace)
	byExec map[uint32]int
}

// IsPoolKind reports whether k is one of phase 4's kinds.
func IsPoolKind(k trace.Kind) bool { return k >= trace.ExecutorStarted && k <= trace.PlacementPlanned }

// Clone returns a deep copy of p.
func (p *Pool) Clone() *Pool {
	c := *p
	c.Cols = slices.Clone(p.Cols)
	for i := range c.Cols {
		c.Cols[i].Names = maps.Clone(c.Cols[i].Names)
		c.Cols[i].Queues = slices.Clone(c.Cols[i].Queues)
	}
	c.Heat = make([][]int, len(p.Heat))
	for i := range p.Heat {
		c.Heat[i] = slices.Clone(p.Heat[i])
	}
	c.Flows = slices.Clone(p.Flows)
	c.byExec = maps.Clone(p.byExec)
	return &c
}

// Col returns the column of executor x, creating it if need be.
func (p *Pool) col(x uint32) int {
	if i, ok := p.byExec[x]; ok {
		return i
	}
	if p.byExec == nil {
		p.byExec = map[uint32]int{}
	}
	p.byExec[x] = len(p.Cols)
	p.Cols = append(p.Cols, Column{Exec: x, Index: -1})
	for i := range p.Heat {
		p.Heat[i] = append(p.Heat[i], 0)
	}
	p.Heat = append(p.Heat, make([]int, len(p.Cols)))
	return len(p.Cols) - 1
}

// Find returns the column index of executor x, or -1.
func (p *Pool) Find(x uint32) int {
	if i, ok := p.byExec[x]; ok {
		return i
	}
	return -1
}

// Label names column i for people as task labels do: "E3" by its Exec
// id (E3·T2 is task 2 of that executor).
func (p *Pool) Label(i int) string {
	if i < 0 || i >= len(p.Cols) {
		return "E?"
	}
	return fmt.Sprintf("E%d", p.Cols[i].Exec)
}

// Order returns the column indexes by place in the pool (executors
// whose start was not seen last, in order of appearance).
func (p *Pool) Order() []int {
	out := make([]int, len(p.Cols))
	for i := range out {
		out[i] = i
	}
	slices.SortStableFunc(out, func(a, b int) int {
		ia, ib := p.Cols[a].Index, p.Cols[b].Index
		switch {
		case ia < 0 && ib < 0:
			return 0
		case ia < 0:
			return 1
		case ib < 0:
			return -1
		}
		return ia - ib
	})
	return out
}

// Apply moves the pool past one event. Events of executors that never
// sent a pool event still get a column once the trace is a pool's.
func (p *Pool) Apply(e *trace.Event) {
	if IsPoolKind(e.Kind) {
		p.Events++
	} else if p.Events == 0 {
		return // not (yet) a pool trace: phase 1-3 traces leave it empty
	}
	i := p.col(e.Exec)
	c := &p.Cols[i]
	if e.SQ.Entries > 0 {
		c.SQ = e.SQ
	}
	if e.CQ.Entries > 0 {
		c.CQ = e.CQ
	}
	switch e.Kind {
	case trace.ExecutorStarted:
		c.Index, c.CPUs, c.Thread, c.RingKind = e.Index, e.CPUs, e.Thread, e.Note
		c.Phase = PhaseIdle
	case trace.Turn:
		c.Phase, c.Ready = PhaseTurn, e.Queue
	case trace.Spawned:
		c.Live++
		if c.Names == nil {
			c.Names = map[uint64]string{}
		}
		c.Names[e.Task] = e.Name
		if e.Queue > 0 {
			c.Ready = e.Queue
		}
	case trace.Queued:
		c.Ready = e.Queue
	case trace.PollStarted:
		c.Phase, c.Running, c.Ready = PhasePoll, e.Task, max(c.Ready-1, 0)
	case trace.PollEnded:
		c.Running = 0
	case trace.Parked:
		c.Phase, c.Running = PhasePark, 0
	case trace.Unparked:
		c.Phase = PhaseWake
	case trace.Completed, trace.Cancelled, trace.Panicked:
		c.Live = max(c.Live-1, 0)
		if c.Running == e.Task {
			c.Running = 0
		}
	case trace.MsgSent:
		to := p.col(e.Peer)
		c = &p.Cols[i] // col may have grown the slice
		c.Sent++
		p.Heat[i][to]++
		p.addFlow(Flow{From: i, To: to, Op: e.Op, Req: e.Req})
	case trace.MsgFlushed:
		to := p.col(e.Peer) // may grow p.Cols: c is not used after it
		for f := range p.Flows {
			if p.Flows[f].From == i && p.Flows[f].To == to {
				p.Flows[f].Published = true
			}
		}
		p.Cols[to].Inbox = e.Depth
	case trace.MsgWake:
		c.Wakes++
	case trace.MsgReceived:
		from := p.col(e.Peer)
		c = &p.Cols[i]
		c.Recv++
		c.Inbox = e.Depth
		for f := range p.Flows {
			fl := &p.Flows[f]
			if fl.From == from && fl.To == i && fl.Req == e.Req && fl.Op == e.Op && !fl.Delivered {
				fl.Published, fl.Delivered = true, true
				break
			}
		}
	case trace.SubmitStarted, trace.SubmitAnswered:
		c.Open = e.Count
		if e.Kind == trace.SubmitStarted && c.Waiting > 0 {
			c.Waiting--
		}
	case trace.SubmitWaiting:
		c.Open = e.Count
		c.Waiting++
	case trace.QueueSelected:
		if qs, err := trace.DecodeQueues(e.Queues); err == nil {
			c.Queues, c.Picked = qs, e.Name
		}
	case trace.SliceEnded:
		c.Picked = ""
	case trace.StopAccepting:
		c.Stop = "stop accepting"
	case trace.Draining:
		c.Stop = "draining"
	case trace.DeadlinePassed:
		c.Stop = "deadline passed"
	case trace.ExecutorClosed:
		c.Stop, c.Phase, c.Running = "closed", PhaseDone, 0
	}
}

func (p *Pool) addFlow(f Flow) {
	if len(p.Flows) == maxFlows {
		// Drop the oldest delivered one, or the oldest.
		drop := 0
		for k, g := range p.Flows {
			if g.Delivered {
				drop = k
				break
			}
		}
		p.Flows = slices.Delete(p.Flows, drop, drop+1)
	}
	p.Flows = append(p.Flows, f)
}

// Status is the column's state in a few words: "▶ T3 name", "◌ parked",
// "● awake", "✓ closed".
func (c *Column) Status() string {
	switch {
	case c.Stop == "closed":
		return "✓ closed"
	case c.Running != 0:
		s := fmt.Sprintf("▶ T%d", c.Running)
		if n := c.Names[c.Running]; n != "" {
			s += " " + n
		}
		return s
	case c.Phase == PhasePark:
		return "◌ parked"
	case c.Phase == PhaseIdle:
		return "· starting"
	}
	return "● awake"
}

// QueueLine lists the column's task queues, each with its ready tasks, the
// running one marked ▸ and a latency class in brackets: "▸batch 63 ·
// interactive[1ms] 1 · default 0". "" before any queue-selected event.
func (c *Column) QueueLine() string {
	var parts []string
	for _, q := range c.Queues {
		s := q.Name
		if q.Latency > 0 {
			s += "[" + time.Duration(q.Latency).String() + "]"
		}
		s += " " + strconv.Itoa(q.Ready)
		if q.Name == c.Picked {
			s = "▸" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}
