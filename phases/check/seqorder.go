package check

import (
	"sort"
	"sync"

	"asyncworkbook/phases/trace"
)

// seqOrder is a sink that passes events on in the order of their sequence
// numbers, per executor. A runtime that numbers an event on one goroutine
// and hands it to the sink a moment later (the run-loop exercise's given
// code does: an atomic add, then the call) can have a waker's event
// overtaken by the loop's next ones; the visualiser would show the effect
// before its cause. seqOrder holds an event that comes early until the
// ones before it have come, and keeps time from going back (an event
// numbered first may have read the clock second). Safe for concurrent
// use; flush passes on whatever is still held, in order.
type seqOrder struct {
	mu    sync.Mutex
	next  trace.Sink
	execs map[uint32]*seqExec
}

type seqExec struct {
	want uint64 // the next sequence number to pass on
	time int64  // the last time passed on
	held []trace.Event
}

func newSeqOrder(next trace.Sink) *seqOrder {
	return &seqOrder{next: next, execs: map[uint32]*seqExec{}}
}

// Event implements trace.Sink.
func (s *seqOrder) Event(e *trace.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.execs[e.Exec]
	if x == nil {
		x = &seqExec{want: 1}
		s.execs[e.Exec] = x
	}
	if e.Seq != x.want {
		x.held = append(x.held, *e)
		return
	}
	s.pass(x, *e)
	for {
		// held is small and unsorted: look for want directly.
		found := -1
		for j := range x.held {
			if x.held[j].Seq == x.want {
				found = j
				break
			}
		}
		if found < 0 {
			return
		}
		h := x.held[found]
		x.held = append(x.held[:found], x.held[found+1:]...)
		s.pass(x, h)
	}
}

func (s *seqOrder) pass(x *seqExec, e trace.Event) {
	if e.Time < x.time {
		e.Time = x.time
	}
	x.time, x.want = e.Time, e.Seq+1
	s.next.Event(&e)
}

// flush passes on the events still held (a gap that never filled), in
// order.
func (s *seqOrder) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.execs {
		sort.Slice(x.held, func(i, j int) bool { return x.held[i].Seq < x.held[j].Seq })
		for _, e := range x.held {
			s.pass(x, e)
		}
		x.held = nil
	}
}
