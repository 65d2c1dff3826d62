package executor

// Scheduler holds the tasks that are ready to run and picks the next one.
// It is one of the executor's two seams: phase 1 runs tasks first in,
// first out; phase 3 replaces this with task queues that share the CPU by
// shares and latency class.
//
// A Scheduler is used only from the executor's goroutine: tasks woken on
// other goroutines reach it through the executor's wake list, so no
// Scheduler needs a lock.
type Scheduler interface {
	// Push adds a task that became ready.
	Push(t *Task)
	// Pop removes and returns the next task to poll, or nil when none is
	// ready.
	Pop() *Task
	// Len returns the number of ready tasks.
	Len() int
}

// FIFO is the phase-1 scheduler: a growable ring buffer of tasks, polled
// in the order they became ready. Not safe for concurrent use (see
// Scheduler). The zero value is an empty queue.
type FIFO struct {
	buf        []*Task // len is a power of two, or 0
	head, tail uint    // head: next to pop; tail: next free slot; tail-head = Len
}

// Push adds t at the back.
func (q *FIFO) Push(t *Task) {
	if q.tail-q.head == uint(len(q.buf)) {
		q.grow()
	}
	q.buf[q.tail&uint(len(q.buf)-1)] = t
	q.tail++
}

// Pop removes the task at the front, or returns nil.
func (q *FIFO) Pop() *Task {
	if q.head == q.tail {
		return nil
	}
	i := q.head & uint(len(q.buf)-1)
	t := q.buf[i]
	q.buf[i] = nil // let a finished task be collected
	q.head++
	return t
}

// Len returns the number of queued tasks.
func (q *FIFO) Len() int { return int(q.tail - q.head) }

// Tasks returns the queued tasks front to back, for the visualiser.
func (q *FIFO) Tasks() []*Task {
	out := make([]*Task, 0, q.Len())
	for i := q.head; i != q.tail; i++ {
		out = append(out, q.buf[i&uint(len(q.buf)-1)])
	}
	return out
}

func (q *FIFO) grow() {
	n := max(2*len(q.buf), 64)
	buf := make([]*Task, n)
	for i := q.head; i != q.tail; i++ {
		buf[i-q.head] = q.buf[i&uint(len(q.buf)-1)]
	}
	q.tail -= q.head
	q.head = 0
	q.buf = buf
}
