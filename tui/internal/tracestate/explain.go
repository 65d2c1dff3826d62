package tracestate

import (
	"fmt"
	"strconv"
	"strings"

	"asyncworkbook/phases/trace"
)

// Label names a task for people: "T3", or "E2·T3" once several executors
// appear in the trace.
func (s *State) Label(k Key) string {
	if s.MultiExec() {
		return "E" + strconv.FormatUint(uint64(k.Exec), 10) + "·T" + strconv.FormatUint(k.Task, 10)
	}
	return "T" + strconv.FormatUint(k.Task, 10)
}

// sourceLabel says who fired a waker: "T2", "timer", "goroutine"...
func (s *State) sourceLabel(e *trace.Event) string {
	switch e.By {
	case trace.SourceTask:
		if e.From != 0 {
			return s.Label(Key{e.Exec, e.From})
		}
		return "a task"
	case trace.SourceNone:
		return "?"
	case trace.SourceCompletion:
		return "CQE" // an io_uring completion
	}
	return e.By.String()
}

// wakerPhrase says who fired a waker, as the subject of a sentence.
func (s *State) wakerPhrase(e *trace.Event) string {
	switch e.By {
	case trace.SourceTask:
		if e.From == e.Task {
			return s.Label(Key{e.Exec, e.From}) + " itself"
		}
		return s.sourceLabel(e)
	case trace.SourceTimer:
		return "A timer"
	case trace.SourceGoroutine:
		return "A goroutine outside the runtime"
	case trace.SourceCompletion:
		return "An I/O completion"
	case trace.SourceExecutor:
		return "The executor"
	}
	return "Something"
}

// Explain says in one plain sentence what event e did. Call it on the
// state just after applying e, so that it can tell, for instance, whether
// a task that returned Pending had handed its waker to anyone.
func (s *State) Explain(e *trace.Event) string {
	k := Key{e.Exec, e.Task}
	who := s.Label(k)
	t := s.Task(k)
	switch e.Kind {
	case trace.Spawned:
		name := ""
		if e.Name != "" {
			name = fmt.Sprintf(" (%q)", e.Name)
		}
		if e.Queue > 0 {
			name += fmt.Sprintf(", queued at position %d", e.Queue)
		}
		switch e.By {
		case trace.SourceTask:
			return fmt.Sprintf("%s spawned a new task, %s%s.", s.Label(Key{e.Exec, e.From}), who, name)
		case trace.SourceExecutor:
			return fmt.Sprintf("BlockOn created the main task, %s%s.", who, name)
		}
		return fmt.Sprintf("A goroutine spawned %s%s onto the executor.", who, name)
	case trace.Queued:
		return fmt.Sprintf("%s joined the back of the run queue (%d waiting).", who, e.Queue)
	case trace.Turn:
		return fmt.Sprintf("The executor starts loop turn %d with %d ready task%s to poll.", s.Turns, e.Queue, plural(e.Queue))
	case trace.PollStarted:
		n := 0
		if t != nil {
			n = t.Polls
		}
		return fmt.Sprintf("The executor calls Poll on %s (its %s poll).", who, ordinal(n))
	case trace.WakerRegistered:
		if e.Holder == "" {
			return fmt.Sprintf("%s took its waker (without naming who holds it); whoever fires it makes %s run again.", who, who)
		}
		return fmt.Sprintf("%s handed its waker to %s, which will fire it when %s can go on.", who, e.Holder, who)
	case trace.PollEnded:
		switch {
		case e.Ready:
			return fmt.Sprintf("%s returned Ready: its work is finished.", who)
		case t != nil && (t.Stuck || t.NoWaker):
			return fmt.Sprintf("%s returned Pending without handing its waker to anyone: nothing can wake it (a lost wakeup).", who)
		case t != nil && t.registered && len(t.Holders) > 1:
			return fmt.Sprintf("%s returned Pending; its waker is held by %s: the first to fire it wakes %s.", who, strings.Join(t.Holders, " and "), who)
		case t != nil && t.registered:
			return fmt.Sprintf("%s returned Pending after handing its waker to %s.", who, t.Holder)
		}
		return fmt.Sprintf("%s returned Pending; it was woken during the poll, so it will run again.", who)
	case trace.Woken:
		by := s.wakerPhrase(e)
		switch e.Note {
		case "coalesced":
			return fmt.Sprintf("%s woke %s, which was already queued: the two wakes count as one.", by, who)
		case "during poll":
			return fmt.Sprintf("%s woke %s while it was being polled, so it goes back on the queue.", by, who)
		}
		if e.By == trace.SourceTask && e.From == e.Task {
			return fmt.Sprintf("%s fired its own waker: it asks to be polled again.", who)
		}
		return fmt.Sprintf("%s woke %s.", by, who)
	case trace.Cancelled:
		return fmt.Sprintf("%s was cancelled: its future is dropped and never polled again.", who)
	case trace.Panicked:
		return fmt.Sprintf("%s panicked (%s); the executor caught it and its join handle reports the error.", who, e.Note)
	case trace.Completed:
		return fmt.Sprintf("%s completed; its output went to its join handle.", who)
	case trace.Parked:
		return "Nothing is ready to run: the executor parks until a waker fires."
	case trace.SQEPrepared:
		return s.explainSQE(e, who)
	case trace.Submitted:
		return s.explainSubmit(e)
	case trace.CQEReaped:
		return s.explainCQE(e, who)
	case trace.BufsRecycled:
		return s.explainRecycled(e)
	case trace.SlotsUpdated:
		return s.explainSlots(e)
	case trace.OpCancelled:
		return fmt.Sprintf("%s dropped its %s (user_data %#x) while in flight: an ASYNC_CANCEL goes to the kernel, and the %s's memory stays pinned until its own CQE arrives.", who, e.Op, e.UserData, e.Op)
	case trace.Unparked:
		// The wake that ends a park comes from another goroutine, which
		// only leaves the task in the executor's inbox: the Woken event
		// is recorded after this one, when the executor takes it in. Say
		// so, so that the effect is not explained before its cause.
		switch e.Note {
		case "work already waiting":
			return "The executor does not sleep: a waker fired from another goroutine (a timer, an I/O completion) while it was getting ready to park, so a wake is already in its inbox. The next events take it in: woken, then queued."
		case "woken":
			return "The executor wakes up: a waker fired from another goroutine while it slept. The next events say whose: woken, then queued."
		case "":
			return "The executor wakes up."
		}
		return fmt.Sprintf("The executor wakes up: %s. The wakes that came in meanwhile follow.", e.Note)
	}
	if text, ok := s.explainSched(e, who); ok { // phase 3 (explain_sched.go)
		return text
	}
	if text, ok := explainPool(e); ok { // phase 4 (explain_pool.go)
		return text
	}
	if e.Task != 0 {
		return fmt.Sprintf("%s: %s.", who, e.Kind)
	}
	return fmt.Sprintf("The executor: %s.", e.Kind)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
