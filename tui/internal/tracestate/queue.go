package tracestate

import (
	"time"

	"asyncworkbook/phases/trace"
)

// The scheduler part of the state (phase 3): the task queues as the last
// queue-selected event listed them, which queue runs and why, the
// executor parked or awake (with the time its park may last), the last
// wake from outside, the last stall, and each queue's vruntime over the
// last selections (for the queue view's line chart).
//
//	event           scheduler effects
//	--------------  --------------------------------------------------------
//	QueueSelected   Queues, Picked and Why replaced; one chart sample added
//	SliceEnded      Ended: "queue: reason"
//	Preempted       Ended: who was preempted, by which latency queue
//	ParkedUntil     Parked, with ParkFor (ns) from ParkAt (event time)
//	Parked          Parked, no deadline known yet
//	Unparked        awake
//	EventfdWake     Wake: who woke the parked executor
//	Stall           Stall: queue, task and how long
type Sched struct {
	Seen    bool
	Queues  []trace.QueuePos
	Picked  string
	Why     string
	Ended   string
	Parked  bool
	ParkFor int64 // ns; 0: no deadline (parked until woken)
	ParkAt  int64 // event time of the park
	Wake    string
	Stall   string
	// Chart holds, per queue name, its vruntime at each of the last
	// ChartLen selections (oldest first), 0-filled before it appeared.
	Chart map[string][]uint64
	Names []string // queue names in first-seen order
}

// ChartLen is how many selections the vruntime chart remembers.
const ChartLen = 48

// HasSched reports whether the run had phase-3 scheduler events.
func (s *State) HasSched() bool { return s.Sched.Seen }

func (c Sched) clone() Sched {
	c.Queues = append([]trace.QueuePos(nil), c.Queues...)
	c.Names = append([]string(nil), c.Names...)
	if c.Chart != nil {
		m := make(map[string][]uint64, len(c.Chart))
		for k, v := range c.Chart {
			m[k] = append([]uint64(nil), v...)
		}
		c.Chart = m
	}
	return c
}

// applySched folds one event into the scheduler state.
func (s *State) applySched(e *trace.Event) {
	c := &s.Sched
	switch e.Kind {
	case trace.QueueSelected:
		qs, err := trace.DecodeQueues(e.Queues)
		if err != nil {
			return // a damaged event: keep what we had
		}
		c.Seen = true
		c.Queues, c.Picked, c.Why, c.Parked = qs, e.Name, e.Note, false
		c.sample(qs)
	case trace.SliceEnded:
		c.Seen = true
		c.Ended = e.Name + ": " + e.Note
	case trace.Preempted:
		c.Seen = true
		c.Ended = e.Name + " preempted: " + e.Note
	case trace.ParkedUntil:
		c.Seen = true
		c.Parked, c.ParkFor, c.ParkAt = true, e.Dur, e.Time
	case trace.Parked:
		c.Parked, c.ParkFor, c.ParkAt = true, 0, e.Time
	case trace.Unparked:
		c.Parked = false
	case trace.EventfdWake:
		c.Seen = true
		c.Wake = e.Note
	case trace.Stall:
		c.Seen = true
		c.Stall = "T" + itoa(e.Task) + " in " + e.Name + " for " + time.Duration(e.Dur).Round(time.Millisecond).String()
	}
}

func (c *Sched) sample(qs []trace.QueuePos) {
	if c.Chart == nil {
		c.Chart = map[string][]uint64{}
	}
	for _, q := range qs {
		if _, ok := c.Chart[q.Name]; !ok {
			c.Names = append(c.Names, q.Name)
			n := 0
			if len(c.Names) > 1 {
				n = len(c.Chart[c.Names[0]])
			}
			c.Chart[q.Name] = make([]uint64, n)
		}
	}
	for _, name := range c.Names {
		v := uint64(0)
		for _, q := range qs {
			if q.Name == name {
				v = q.Vruntime
			}
		}
		row := append(c.Chart[name], v)
		if len(row) > ChartLen {
			row = row[len(row)-ChartLen:]
		}
		c.Chart[name] = row
	}
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}
