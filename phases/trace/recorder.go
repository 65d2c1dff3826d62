package trace

import "sync"

// Recorder is a Sink that keeps the last N events in a ring and counts the
// ones it had to overwrite.
//
// The ring is allocated once, by NewRecorder; after that Event copies the
// event into a preallocated slot under a mutex and never allocates, so a
// Recorder is cheap enough to leave attached to a runtime.
//
// A Recorder is safe for concurrent use: several executors may share one,
// and Events may be called while they record.
//
// The zero value is a Recorder of capacity zero: it keeps nothing and counts
// every event as dropped. Use NewRecorder for a useful one. A Recorder must
// not be copied after first use.
type Recorder struct {
	mu      sync.Mutex
	buf     []Event // the ring; len(buf) is the capacity
	next    int     // slot the next event goes to
	n       int     // events held, at most len(buf)
	dropped uint64  // events overwritten (or refused, at capacity zero)
}

// NewRecorder returns a Recorder that keeps the last capacity events.
// A capacity of zero keeps nothing and counts every event as dropped;
// NewRecorder panics if capacity is negative.
func NewRecorder(capacity int) *Recorder {
	if capacity < 0 {
		panic("trace: NewRecorder: negative capacity")
	}
	return &Recorder{buf: make([]Event, capacity)}
}

// Event records a copy of *e, overwriting the oldest event when the ring is
// full. It does not allocate.
func (r *Recorder) Event(e *Event) {
	r.mu.Lock()
	if len(r.buf) == 0 {
		r.dropped++
		r.mu.Unlock()
		return
	}
	r.buf[r.next] = *e
	r.next++
	if r.next == len(r.buf) {
		r.next = 0
	}
	if r.n < len(r.buf) {
		r.n++
	} else {
		r.dropped++
	}
	r.mu.Unlock()
}

// Events returns a copy of the recorded events, oldest first. It returns nil
// when nothing is recorded.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return nil
	}
	out := make([]Event, r.n)
	// The oldest event sits n slots behind next, wrapping around.
	start := r.next - r.n
	if start < 0 {
		start += len(r.buf)
	}
	k := copy(out, r.buf[start:min(start+r.n, len(r.buf))])
	copy(out[k:], r.buf[:r.n-k])
	return out
}

// Dropped reports how many events were overwritten (or, at capacity zero,
// not kept) since the Recorder was made or last Reset.
func (r *Recorder) Dropped() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Len reports how many events the Recorder holds, at most its capacity.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Cap reports how many events the Recorder can hold.
func (r *Recorder) Cap() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buf)
}

// Reset forgets every recorded event and sets Dropped back to zero. The
// ring stays allocated; its slots are cleared so the strings they held can
// be collected.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.buf)
	r.next, r.n, r.dropped = 0, 0, 0
}
