package pickqueue

// Everything in this file is given: the queues, a scheduler loop that
// uses your three functions, and CPU-bound tasks on a fake clock. Your
// part is in pick.go.

import "time"

// Queue is a task queue as the picker sees it.
type Queue struct {
	Name     string
	Shares   int    // 1..1000
	Vruntime uint64 // ns of CPU scaled to 1000 shares
	Ready    int    // ready tasks; 0: the queue is idle
}

// Impl is one implementation of the three functions, as the tests take
// it: yours is Mine.
type Impl struct {
	Charge   func(q *Queue, ran time.Duration)
	Activate func(q *Queue, all []*Queue)
	Pick     func(all []*Queue, last *Queue) *Queue
}

// Mine is the implementation in pick.go.
var Mine = Impl{Charge: Charge, Activate: Activate, Pick: Pick}

// Load describes one queue's work in a simulation: each run of the queue
// costs Burst of CPU; after it the queue goes idle for Idle (0: it is
// always ready); it starts being ready at Start.
type Load struct {
	Shares int
	Burst  time.Duration
	Idle   time.Duration
	Start  time.Duration
}

// Simulate runs loads for d of fake time with slices of one burst, using
// impl, and returns each queue's CPU time and the order of picks (queue
// indexes). Queues that become ready are Activated before the next pick.
func Simulate(impl Impl, loads []Load, d time.Duration) (cpu []time.Duration, picks []int) {
	qs := make([]*Queue, len(loads))
	wake := make([]time.Duration, len(loads)) // when an idle queue is ready again
	for i, l := range loads {
		qs[i] = &Queue{Name: string(rune('a' + i)), Shares: l.Shares}
		wake[i] = l.Start
	}
	cpu = make([]time.Duration, len(loads))
	var now time.Duration
	var last *Queue
	for now < d {
		for i, q := range qs {
			if q.Ready == 0 && now >= wake[i] {
				q.Ready = 1
				impl.Activate(q, qs)
			}
		}
		q := impl.Pick(qs, last)
		if q == nil {
			// Nobody ready: jump to the next wake.
			next := d
			for i, q := range qs {
				if q.Ready == 0 {
					next = min(next, wake[i])
				}
			}
			now = next
			continue
		}
		i := indexOf(qs, q)
		l := loads[i]
		now += l.Burst
		cpu[i] += l.Burst
		impl.Charge(q, l.Burst)
		picks = append(picks, i)
		last = q
		if l.Idle > 0 {
			q.Ready = 0
			wake[i] = now + l.Idle
		}
	}
	return cpu, picks
}

func indexOf(qs []*Queue, q *Queue) int {
	for i := range qs {
		if qs[i] == q {
			return i
		}
	}
	panic("pickqueue: Pick returned a queue that is not in the list")
}
