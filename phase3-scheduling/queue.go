package scheduling

import (
	"time"

	executor "asyncworkbook/phase1-executor"
)

// Queue is a task queue: a FIFO of ready tasks with a name, shares and a
// latency class. Tasks join a queue when spawned with In(q); the scheduler
// runs one queue at a time, for a slice, and picks the next by virtual
// runtime (scheduler.go). Create queues with Scheduler.NewQueue; a queue
// lives as long as its scheduler.
//
// All fields are owned by the executor's goroutine, like the scheduler.
type Queue struct {
	s       *Scheduler
	index   int // position in s.queues: the tie-break, stable
	name    string
	shares  Shares
	latency Latency

	cur       int           // shares in force (dynamic shares: the last reading)
	sharesAt  time.Duration // when cur was read (dynamic shares)
	vruntime  uint64        // runtime ÷ shares, in ns at 1000 shares
	buf       []entry       // ring; len is a power of two, or 0
	head, end uint          // end-head = ready tasks

	stats QueueStats
	delay Histogram // wake → poll
}

// entry is a ready task and when it became ready.
type entry struct {
	t  *executor.Task
	at time.Duration
}

// QueueStats are a queue's counters. Runtime is the CPU time the queue
// was charged; Selected how many slices it was given; Polls how many tasks
// it ran; Activations how often it went from empty to ready.
type QueueStats struct {
	Runtime     time.Duration
	Polls       uint64
	Selected    uint64
	Activations uint64
	Preempted   uint64 // slices cut short by a latency queue waking
}

// Stats is a snapshot of a queue: its counters, the wake → poll delay
// (mean, p99, max) and where it stands.
type Stats struct {
	Name     string
	Shares   int
	Latency  Latency
	Vruntime uint64
	Ready    int
	QueueStats
	DelayCount uint64
	DelayMean  time.Duration
	DelayP99   time.Duration
	DelayMax   time.Duration
}

// Name returns the queue's name.
func (q *Queue) Name() string { return q.name }

// Len returns the number of ready tasks in the queue.
func (q *Queue) Len() int { return int(q.end - q.head) }

// Shares returns the shares in force.
func (q *Queue) Shares() int { return q.cur }

// Latency returns the queue's latency class.
func (q *Queue) Latency() Latency { return q.latency }

// Vruntime returns the queue's virtual runtime: nanoseconds of CPU scaled
// to 1000 shares (a queue with 500 shares that ran 1 ms has 2 ms).
func (q *Queue) Vruntime() uint64 { return q.vruntime }

// Stats returns a snapshot of the queue's counters and delays.
func (q *Queue) Stats() Stats {
	return Stats{
		Name: q.name, Shares: q.cur, Latency: q.latency, Vruntime: q.vruntime,
		Ready: q.Len(), QueueStats: q.stats,
		DelayCount: q.delay.Count(), DelayMean: q.delay.Mean(),
		DelayP99: q.delay.Quantile(0.99), DelayMax: q.delay.Max(),
	}
}

// Delays returns the queue's wake → poll histogram (read-only use).
func (q *Queue) Delays() *Histogram { return &q.delay }

func (q *Queue) push(t *executor.Task, at time.Duration) {
	if q.end-q.head == uint(len(q.buf)) {
		n := max(2*len(q.buf), 16)
		buf := make([]entry, n)
		for i := q.head; i != q.end; i++ {
			buf[i-q.head] = q.buf[i&uint(len(q.buf)-1)]
		}
		q.end -= q.head
		q.head = 0
		q.buf = buf
	}
	q.buf[q.end&uint(len(q.buf)-1)] = entry{t, at}
	q.end++
}

func (q *Queue) pop() entry {
	i := q.head & uint(len(q.buf)-1)
	e := q.buf[i]
	q.buf[i] = entry{} // let a finished task be collected
	q.head++
	return e
}

// readShares re-reads dynamic shares when their period has passed.
func (q *Queue) readShares(now time.Duration, force bool) {
	if q.shares.fn == nil {
		return
	}
	if force || now-q.sharesAt >= q.shares.period {
		q.cur = clampShares(q.shares.fn())
		q.sharesAt = now
	}
}

// charge adds d of CPU time to the queue: vruntime grows by d·1000/shares.
func (q *Queue) charge(d time.Duration) {
	if d <= 0 {
		return
	}
	q.stats.Runtime += d
	q.vruntime += uint64(d) * MaxShares / uint64(q.cur)
}
