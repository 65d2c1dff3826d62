package parkuntil

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"asyncworkbook/phases/check"
)

const exercise = "phase3/04-park-until"

// world is one test's kernel, inbox, clock and timers.
type world struct {
	k  *Kernel
	in *Inbox
	c  *Clock
	tm *Timers
}

func newWorld() world {
	c := &Clock{}
	return world{k: NewKernel(c), in: &Inbox{}, c: c, tm: &Timers{}}
}

type maker func(w world) Parking

func mine(w world) Parking { return &Parker{Kernel: w.k, Inbox: w.in, Clock: w.c, Timers: w.tm} }

func checkBusyWakeIsFree(mk maker) string {
	w := newWorld()
	p := mk(w)
	for i := range 100 {
		p.Wake(fmt.Sprint(i))
	}
	if n := w.k.Notifies(); n != 0 {
		return fmt.Sprintf("100 wakes of a busy executor made %d Notify system calls, want 0", n)
	}
	return ""
}

func checkWakeEndsAPark(mk maker) string {
	w := newWorld()
	p := mk(w)
	go func() {
		<-w.k.Entered // the executor sleeps in the kernel
		p.Wake("from another goroutine")
	}()
	if why := p.Park(); why != "notified" {
		return fmt.Sprintf("Park woken by a Wake returned %q, want the kernel's \"notified\"", why)
	}
	if n := w.k.Notifies(); n != 1 {
		return fmt.Sprintf("waking a parked executor made %d Notify calls, want 1", n)
	}
	// Awake again: the next wake is free.
	p.Wake("busy")
	if n := w.k.Notifies(); n != 1 {
		return fmt.Sprintf("a wake after Park returned made a Notify call: clear sleeping when Park returns (%d calls)", n)
	}
	return ""
}

func checkNoLostWake(mk maker) string {
	w := newWorld()
	p := mk(w)
	// A wake lands right after Park's look at the empty inbox.
	w.in.AfterLook = func() { p.Wake("late") }
	if why := p.Park(); why != "notified" {
		return fmt.Sprintf("a wake landing just after Park looked at the inbox: Park returned %q, want \"notified\"", why)
	}
	return ""
}

func checkParksUntilTheNextDeadline(mk maker) string {
	w := newWorld()
	p := mk(w)
	w.c.Advance(10 * time.Millisecond)
	w.tm.Deadlines = []time.Duration{50 * time.Millisecond, 30 * time.Millisecond}
	why := p.Park()
	if waits := w.k.Waits(); !slices.Equal(waits, []time.Duration{20 * time.Millisecond}) {
		return fmt.Sprintf("at 10 ms with timers at 30 and 50 ms, Park waited %v, want one wait of 20ms (the time left until the earliest)", waits)
	}
	if why != "deadline" || w.c.Now() != 30*time.Millisecond {
		return fmt.Sprintf("Park returned %q at %v, want \"deadline\" at 30ms", why, w.c.Now())
	}
	// Awake again after a deadline: a wake is free.
	p.Wake("busy")
	if n := w.k.Notifies(); n != 0 {
		return fmt.Sprintf("a wake after Park returned at its deadline made %d Notify calls: clear sleeping when Park returns", n)
	}
	return ""
}

func checkDueTimerDoesNotSleep(mk maker) string {
	w := newWorld()
	p := mk(w)
	w.c.Advance(40 * time.Millisecond)
	w.tm.Deadlines = []time.Duration{30 * time.Millisecond}
	if why := p.Park(); why != "deadline" || len(w.k.Waits()) != 0 {
		return fmt.Sprintf("a timer already due: Park = %q with waits %v, want \"deadline\" and no wait", why, w.k.Waits())
	}
	return ""
}

func run(t *testing.T, c func(maker) string) {
	t.Helper()
	defer check.Guard(t, exercise)
	if msg := check.Within(t, func() string { return c(mine) }); msg != "" {
		t.Fatal(msg)
	}
}

func TestWakingABusyExecutorCostsNoSystemCall(t *testing.T) { run(t, checkBusyWakeIsFree) }

func TestAWakeEndsAParkWithOneNotify(t *testing.T) { run(t, checkWakeEndsAPark) }

func TestAWakeBetweenTheLastLookAndSleepingIsNotLost(t *testing.T) { run(t, checkNoLostWake) }

func TestParkWaitsOnceUntilTheNextDeadline(t *testing.T) { run(t, checkParksUntilTheNextDeadline) }

func TestATimerAlreadyDueMeansNoSleep(t *testing.T) { run(t, checkDueTimerDoesNotSleep) }
