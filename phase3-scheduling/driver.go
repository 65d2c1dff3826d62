package scheduling

import (
	"fmt"
	"runtime"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Driver is phase 3's executor.Driver, wrapped around another one (the
// base): before the executor sleeps it
//
//  1. ends the running queue's slice, so the sleep is charged to nobody;
//  2. fires the timers already due (then there is work: no sleep at all);
//  3. parks the base until the wheel's next deadline — one kernel timeout
//     for the whole park, whatever the number of timers — or, with no
//     timer, until woken;
//  4. fires the timers due on waking.
//
// On busy turns (Poll) it lets the base do its work and fires due timers.
// An idle executor with one timer thus enters the kernel once to sleep
// and wakes once, at the deadline: no periodic tick.
//
// Unpark is the base's: the executor's sleeping flag (phase 1) already
// makes a wake from another goroutine cost a system call only when the
// executor really sleeps. Driver belongs to the executor's goroutine,
// Unpark aside.
type Driver struct {
	rt    *Runtime
	base  executor.Driver
	timed executor.TimeoutDriver // base, if it can park with a timeout
	stats DriverStats

	fallback *time.Timer // for a base without ParkTimeout: Unparks it at the deadline
	sink     trace.Sink  // for EventfdWake, emitted on the waking goroutine

	// yieldFirst: call runtime.Gosched before parking in the base. A
	// goroutine the executor made ready (a channel send from a task, say)
	// waits in the executor's P's run-next slot; if the executor then
	// blocks in a system call (io_uring_enter), that P is held until
	// Go's sysmon takes it back, 20 µs or more later, and the goroutine
	// waits with it. Yielding first lets it run: BenchmarkWakeParked's
	// round trip on io_uring went from about 30 µs to 2.5 µs (2 vCPU,
	// 2026-12-01). Not for the ChanDriver, whose channel receive hands
	// the P over by itself.
	yieldFirst bool

	spin spinState // WithSpinBeforePark (spin.go)
}

// DriverStats counts the driver's parks.
type DriverStats struct {
	Parks       uint64 // the executor slept (or tried to)
	TimedParks  uint64 // of which until a deadline
	Deadlines   uint64 // parks that ended at their deadline
	TimersFired uint64
	SkippedPark uint64 // parks not taken: a timer was already due
}

func newDriver(rt *Runtime, base executor.Driver) *Driver {
	d := &Driver{rt: rt, base: base}
	d.timed, _ = base.(executor.TimeoutDriver)
	_, chanDriver := base.(*executor.ChanDriver)
	d.yieldFirst = !chanDriver
	return d
}

// Stats returns the counters. Executor goroutine only.
func (d *Driver) Stats() DriverStats { return d.stats }

// Base returns the driver the runtime parks on.
func (d *Driver) Base() executor.Driver { return d.base }

// Attach implements executor.Attacher: the base gets the executor too.
func (d *Driver) Attach(ex *executor.Executor) {
	if a, ok := d.base.(executor.Attacher); ok {
		a.Attach(ex)
	}
}

// Err forwards the base driver's fatal error, if it can fail for good
// (phase 2's reactor has an Err() error): the executor asks its driver,
// and must hear about the ring even through this wrapper. nil otherwise.
func (d *Driver) Err() error {
	if f, ok := d.base.(interface{ Err() error }); ok {
		return f.Err()
	}
	return nil
}

// Poll implements executor.Driver.
func (d *Driver) Poll() {
	d.base.Poll()
	d.fireDue()
}

// Unpark implements executor.Driver. Any goroutine. The executor calls it
// only when it won the race to wake a parked executor (phase 1's sleeping
// flag), so each call is a real wake — the eventfd write, on io_uring —
// and is traced as EventfdWake, naming the goroutine.
func (d *Driver) Unpark() {
	if d.sink != nil {
		d.sink.Event(&trace.Event{Exec: d.rt.ex.ID(), Kind: trace.EventfdWake,
			Note: fmt.Sprintf("from goroutine %d", currentGoroutineID())})
	}
	if d.unparkSpinning() {
		return // the spinning driver sees it: no system call
	}
	d.base.Unpark()
}

// fireDue advances the wheel to now and returns how many timers fired.
func (d *Driver) fireDue() int {
	if d.rt.wheel.Len() == 0 {
		return 0
	}
	n := d.rt.wheel.Advance(d.rt.clock.Now())
	d.stats.TimersFired += uint64(n)
	return n
}

// Park implements executor.Driver.
func (d *Driver) Park() string {
	d.rt.sched.EndSlice()
	d.stats.Parks++
	if d.fireDue() > 0 {
		d.stats.SkippedPark++
		return "timers due"
	}
	if d.spin.limit > 0 {
		limit := d.spin.limit
		if next, ok := d.rt.wheel.NextDeadline(); ok {
			limit = min(limit, next-d.rt.clock.Now())
		}
		if limit > 0 && d.spinForWork(limit) {
			return "work came while spinning"
		}
		if d.fireDue() > 0 {
			return "timers due"
		}
	}
	if d.yieldFirst {
		// The executor's sleeping flag is already set: a wake that comes
		// while we yield ends the park at once, it is not lost.
		runtime.Gosched()
	}
	next, ok := d.rt.wheel.NextDeadline()
	if !ok {
		d.rt.sched.obs.parked(0, false)
		why := d.base.Park()
		if d.spin.limit > 0 {
			d.spin.woke.Store(false) // spent, as below
		}
		return why
	}
	wait := next - d.rt.clock.Now()
	d.stats.TimedParks++
	d.rt.sched.obs.parked(wait, true)
	var why string
	if d.timed != nil {
		why = d.timed.ParkTimeout(max(wait, time.Nanosecond))
	} else {
		// A base that cannot time out its park: a Go timer unparks it.
		if d.fallback == nil {
			d.fallback = time.AfterFunc(wait, d.base.Unpark)
		} else {
			d.fallback.Reset(wait)
		}
		why = d.base.Park()
		d.fallback.Stop()
	}
	if why == executor.ParkDeadline {
		d.stats.Deadlines++
	}
	if d.spin.limit > 0 {
		// Unpark also stored woke for this park; the executor now runs
		// and drains its wake list, so that mark is spent (spin.go).
		d.spin.woke.Store(false)
	}
	if n := d.fireDue(); n > 0 && why != executor.ParkDeadline {
		why += "; timers due"
	}
	return why
}

func (d *Driver) close() {
	if d.fallback != nil {
		d.fallback.Stop()
	}
}
