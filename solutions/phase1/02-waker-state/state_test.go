package wakerstate

import (
	"sync/atomic"
	"testing"
	"unsafe"

	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase1/02-waker-state"

// sim is a tiny executor around one task's State. It reports what it does
// as trace events about task T1, so a failing test prints the story.
type sim struct {
	s   State
	rec *trace.Recorder
	seq atomic.Uint64
}

func newSim(t *testing.T) *sim { return &sim{rec: check.Recorder(t)} }

func (m *sim) emit(k trace.Kind, ready bool, note string) {
	e := trace.Event{Seq: m.seq.Add(1), Exec: 1, Task: 1, Kind: k, Ready: ready, Note: note}
	if k == trace.Woken {
		e.By = trace.SourceGoroutine
	}
	m.rec.Event(&e)
}

// wake fires the waker; the trace says whether the task was pushed.
func (m *sim) wake() (push bool) {
	push = m.s.Wake()
	note := "pushed on the run queue"
	if !push {
		note = "not pushed; state now " + Bits(m.s.Load())
	}
	m.emit(trace.Woken, false, note)
	if push {
		m.emit(trace.Queued, false, "")
	}
	return push
}

func (m *sim) startPoll() {
	m.s.StartPoll()
	m.emit(trace.PollStarted, false, "state now "+Bits(m.s.Load()))
}

func (m *sim) endPoll(ready bool) (requeue bool) {
	requeue = m.s.EndPoll(ready)
	note := "state now " + Bits(m.s.Load())
	if requeue {
		note += "; re-queued"
	}
	m.emit(trace.PollEnded, ready, note)
	return requeue
}

// expect fails the test unless the word is want.
func (m *sim) expect(t *testing.T, want uint32, after string) {
	t.Helper()
	if got := m.s.Load(); got != want {
		t.Fatalf("after %s the state word is %s, want %s", after, Bits(got), Bits(want))
	}
}

func TestWakeOfAnIdleTaskQueuesIt(t *testing.T) {
	defer check.Guard(t, exercise)
	m := newSim(t)
	if !m.wake() {
		t.Fatal("Wake of an idle task returned push=false: nobody puts it on the run queue, the wake is lost")
	}
	m.expect(t, Scheduled, "waking an idle task")
}

func TestManyWakesWhileQueuedQueueOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	m := newSim(t)
	m.wake()
	for i := range 5 {
		if m.wake() {
			t.Fatalf("wake %d of a task already in the run queue returned push=true: it would sit in the queue twice", i+2)
		}
	}
	m.expect(t, Scheduled, "six wakes of an idle task")
}

func TestManyWakesFromManyGoroutinesQueueOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	const goroutines, each = 8, 500
	var s State
	var pushes atomic.Int64
	check.Within(t, func() struct{} {
		check.Go(goroutines, func(int) {
			for range each {
				if s.Wake() {
					pushes.Add(1)
				}
			}
		}).Wait()
		return struct{}{}
	})
	if n := pushes.Load(); n != 1 {
		t.Fatalf("%d wakes racing from %d goroutines pushed the task %d times, want exactly 1: two goroutines both saw it idle (use CompareAndSwap: only one swap from idle can succeed)",
			goroutines*each, goroutines, n)
	}
	if got := s.Load(); got != Scheduled {
		t.Fatalf("after the wakes the state word is %s, want scheduled", Bits(got))
	}
}

func TestStartPollTurnsScheduledIntoRunning(t *testing.T) {
	defer check.Guard(t, exercise)
	m := newSim(t)
	m.wake()
	m.startPoll()
	m.expect(t, Running, "StartPoll of a scheduled task")
}

func TestPendingPollWithoutWakeLeavesTheTaskIdle(t *testing.T) {
	defer check.Guard(t, exercise)
	m := newSim(t)
	m.wake()
	m.startPoll()
	if m.endPoll(false) {
		t.Fatal("EndPoll(pending) with no wake during the poll asked to re-queue the task: it would be polled for nothing")
	}
	m.expect(t, 0, "a Pending poll with no wake during it")
	if !m.wake() {
		t.Fatal("a wake after the task went idle returned push=false: the wake is lost")
	}
}

func TestWakeWhileRunningRequeuesAfterThePoll(t *testing.T) {
	defer check.Guard(t, exercise)
	m := newSim(t)
	m.wake()
	m.startPoll()
	if m.wake() {
		t.Fatal("a wake while the task is being polled returned push=true: the task would be in the run queue while it runs (and could be polled twice at once); the executor re-queues it after the poll instead")
	}
	m.expect(t, Running|Scheduled, "a wake during the poll")
	if m.wake() {
		t.Fatal("a second wake during the poll returned push=true")
	}
	if !m.endPoll(false) {
		t.Fatalf("EndPoll(pending) after a wake during the poll returned requeue=false: that wake is lost, nobody will poll the task again")
	}
	m.expect(t, Scheduled, "EndPoll(pending) after a wake during the poll")
}

func TestWakesFromManyGoroutinesDuringAPollRequeueOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	var s State
	s.Wake()
	s.StartPoll()
	var pushes atomic.Int64
	check.Within(t, func() struct{} {
		check.Go(8, func(int) {
			for range 200 {
				if s.Wake() {
					pushes.Add(1)
				}
			}
		}).Wait()
		return struct{}{}
	})
	if n := pushes.Load(); n != 0 {
		t.Fatalf("wakes during a poll pushed the running task %d times, want 0", n)
	}
	if !s.EndPoll(false) {
		t.Fatal("EndPoll(pending) after 1600 wakes during the poll returned requeue=false: the wakes are lost")
	}
	if got := s.Load(); got != Scheduled {
		t.Fatalf("after EndPoll the state word is %s, want scheduled", Bits(got))
	}
}

func TestWakesAfterCompletionDoNothing(t *testing.T) {
	defer check.Guard(t, exercise)
	m := newSim(t)
	m.wake()
	m.startPoll()
	m.wake() // a wake during the poll that turns out Ready
	if m.endPoll(true) {
		t.Fatal("EndPoll(ready) returned requeue=true: a finished task must never be polled again")
	}
	m.expect(t, Completed, "a Ready poll")
	for range 3 {
		if m.wake() {
			t.Fatal("a wake after completion returned push=true: a finished task would be queued")
		}
	}
	m.expect(t, Completed, "wakes after completion")
}

func TestStateStaysOneAtomicWord(t *testing.T) {
	defer check.Guard(t, exercise)
	var s State
	s.Wake()
	if size := unsafe.Sizeof(s); size != 4 {
		t.Fatalf("State is %d bytes, want 4: keep it one atomic.Uint32 changed by CompareAndSwap (every task carries one; no mutex)", size)
	}
}

// TestNoWakeIsLostWhenWakersRaceTheExecutor runs the state word the way an
// executor does: wakers on several goroutines push the task when Wake says
// so; one executor goroutine takes it, polls it (Pending each time) and
// re-queues it when EndPoll says so. However the goroutines interleave,
// the task must never be queued twice, and the last wake must be followed
// by a poll.
func TestNoWakeIsLostWhenWakersRaceTheExecutor(t *testing.T) {
	defer check.Guard(t, exercise)
	const wakers, each = 4, 2000
	m := newSim(t)
	var gen atomic.Int64 // wakes fired so far
	queue := make(chan struct{}, 4)
	var inQueue atomic.Int32
	var doubled atomic.Bool
	push := func() {
		if inQueue.Add(1) > 1 {
			doubled.Store(true)
			inQueue.Add(-1)
			return
		}
		m.emit(trace.Queued, false, "")
		queue <- struct{}{}
	}

	type result struct {
		polls    int
		lastSeen int64
	}
	r := check.Within(t, func() result {
		g := check.Go(wakers, func(int) {
			for range each {
				gen.Add(1)
				if m.s.Wake() {
					push()
				}
			}
		})
		defer g.Wait() // re-raises a panic from a waker
		var r result
		poll := func() {
			inQueue.Add(-1)
			m.startPoll()
			r.lastSeen = gen.Load() // every wake up to here is handled by this poll
			r.polls++
			if m.endPoll(false) {
				push()
			}
		}
		for {
			select {
			case <-queue:
				poll()
			case <-g.Done():
				for {
					select {
					case <-queue:
						poll()
					default:
						return r
					}
				}
			}
		}
	})
	if doubled.Load() {
		t.Errorf("the task was pushed while it was already in the run queue")
	}
	if r.lastSeen != wakers*each {
		t.Errorf("the last poll started after %d of %d wakes: a later wake was lost and the task never polled again", r.lastSeen, wakers*each)
	}
	tr := check.Events(m.rec)
	if q, p := tr.Count(1, trace.Queued), tr.Count(1, trace.PollStarted); q != p || p != r.polls {
		t.Errorf("the task was queued %d times and polled %d times (%d by the loop); want every push polled once", q, p, r.polls)
	}
}

// interleave runs wake right after the first Load of the code that fn
// calls, the way a waker on another thread fires between a Load and a
// CompareAndSwap; it fails the test if no Load happened.
func interleave(t *testing.T, fn func(), wake func()) {
	t.Helper()
	seam.Reset()
	t.Cleanup(seam.Reset)
	seam.OnNth("after Load", 1, wake)
	fn()
	if seam.Fired("after Load") != 1 {
		t.Fatal("the code never loaded the state word (s.word.Load()): every transition must start from the word it read")
	}
}

func TestAWakeBetweenTwoWakersLoadAndSwapPushesOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	var s State
	var inner, outer bool
	interleave(t, func() { outer = s.Wake() }, func() { inner = s.Wake() })
	switch {
	case inner && outer:
		t.Fatal("two wakes of an idle task both returned push=true: the second waker fired between the first one's Load and its write, and the first one wrote anyway (a Load followed by a Store is not atomic; only CompareAndSwap fails when the word changed under you)")
	case !inner && !outer:
		t.Fatal("two wakes of an idle task both returned push=false: the task is never queued, the wake is lost")
	}
	if got := s.Load(); got != Scheduled {
		t.Fatalf("after two wakes the state word is %s, want scheduled", Bits(got))
	}
}

func TestAWakeBetweenEndPollsLoadAndSwapIsNotLost(t *testing.T) {
	defer check.Guard(t, exercise)
	var s State
	s.Wake()
	s.StartPoll()
	var pushed, requeue bool
	interleave(t, func() { requeue = s.EndPoll(false) }, func() { pushed = s.Wake() })
	if pushed {
		t.Fatal("a wake while the poll was ending returned push=true although the task was still running")
	}
	if !requeue {
		t.Fatalf("a wake landed between EndPoll's Load and its write, and EndPoll returned requeue=false (state now %s): the write wiped the wake's Scheduled bit, or EndPoll decided from the word it loaded before the wake; the wake is lost. Use CompareAndSwap and look again when it fails", Bits(s.Load()))
	}
	if got := s.Load(); got != Scheduled {
		t.Fatalf("after EndPoll the state word is %s, want scheduled", Bits(got))
	}
}

func TestAWakeBetweenStartPollsLoadAndSwapIsKept(t *testing.T) {
	defer check.Guard(t, exercise)
	var s State
	s.Wake()
	var pushed bool
	interleave(t, func() { s.StartPoll() }, func() { pushed = s.Wake() })
	if pushed {
		t.Fatal("a wake of a scheduled task returned push=true: it would be in the run queue twice")
	}
	if got := s.Load(); got != Running {
		t.Fatalf("after StartPoll the state word is %s, want running", Bits(got))
	}
}
