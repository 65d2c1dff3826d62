package tracestate

import (
	"fmt"
	"time"

	"asyncworkbook/phases/trace"
)

// explainSched says in a sentence what a phase-3 scheduler event did, and
// reports whether e was one.
func (s *State) explainSched(e *trace.Event, who string) (string, bool) {
	d := time.Duration(e.Dur)
	switch e.Kind {
	case trace.QueueSelected:
		return fmt.Sprintf("The scheduler picks queue %s — the ready queue with the least virtual runtime (runtime ÷ shares) — for a slice of at most %v (%s).", e.Name, d, e.Note), true
	case trace.SliceEnded:
		return fmt.Sprintf("Queue %s stops after %v: %s. Its CPU time, divided by its shares, is added to its virtual runtime.", e.Name, d, e.Note), true
	case trace.Yielded:
		return fmt.Sprintf("%s asked NeedPreempt, which said its slice is over (one memory load, no system call), and gave the CPU back: it goes to the back of its queue.", who), true
	case trace.Preempted:
		return fmt.Sprintf("Queue %s is preempted: a %s, and a latency-matters queue may not wait for a slice to end. The running queue stops at the next pick.", e.Name, e.Note), true
	case trace.TimerArmed:
		return fmt.Sprintf("%s put a timer in the executor's wheel, due in %v: an O(1) insert in user space, no system call.", who, d), true
	case trace.TimerFired:
		return fmt.Sprintf("A timer in the wheel came due and fired %s's waker.", who), true
	case trace.TimerCancelled:
		return fmt.Sprintf("%s's timer left the wheel before firing (its future was dropped): an O(1) unlink.", who), true
	case trace.ParkedUntil:
		return fmt.Sprintf("Nothing is ready: the executor parks until its next timer, %v away — one kernel timeout for the whole park, whatever the number of timers.", d), true
	case trace.EventfdWake:
		return fmt.Sprintf("A goroutine outside the executor (%s) woke it while it was parked: the one wake that costs a system call (an eventfd write).", e.Note), true
	case trace.Stall:
		return fmt.Sprintf("⚠ %s, in queue %s, has been inside one poll for %v without yielding: the watchdog reports it while it lasts (%s).", who, e.Name, d.Round(time.Millisecond), e.Note), true
	}
	return "", false
}
