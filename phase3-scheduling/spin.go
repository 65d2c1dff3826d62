package scheduling

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Polling before sleeping. Seastar spins for 200 µs (2 ms when
// virtualised) before it parks, betting that work arrives soon enough
// to save the system calls of a sleep and a wake. WithSpinBeforePark
// gives the Driver the same option, off by default: BenchmarkWakeParked
// measures what it buys (executor-spin against executor), and a spinning
// executor burns a core while it waits.
//
// # The handshake while spinning
//
// A waker from another goroutine calls Driver.Unpark only after winning
// the executor's sleeping flag (phase 1), so every Unpark is for this
// park. While the driver spins, Unpark needs no system call: it stores
// woke, then loads spinning, and calls the base's Unpark only if the
// spinner has stopped. The spinner stores spinning = false, then swaps
// woke: with sequentially consistent atomics, either Unpark sees the
// spinner still spinning (and the spinner's swap sees woke), or it calls
// the base (and the base's park returns at once). A wake is never lost;
// at worst one park returns early for nothing.
type spinState struct {
	limit    time.Duration // 0: no spinning; constant after NewRuntime
	spinning atomic.Bool
	woke     atomic.Bool
	spins    uint64 // executor goroutine only
	caught   uint64 // spins that ended with work
}

// WithSpinBeforePark makes the driver poll for up to d (and never past
// the next timer) before it parks in the kernel: wakes from other
// goroutines and completions that arrive meanwhile cost no system call.
func WithSpinBeforePark(d time.Duration) RuntimeOption {
	return func(c *runtimeConfig) { c.spin = d }
}

// spinForWork spins for up to limit and reports whether work arrived: a
// wake from another goroutine, or a completion or timer that made a task
// ready.
func (d *Driver) spinForWork(limit time.Duration) bool {
	sp := &d.spin
	sp.spins++
	end := d.rt.clock.Now() + limit
	sp.spinning.Store(true)
	for {
		if sp.woke.Swap(false) {
			sp.spinning.Store(false)
			sp.caught++
			return true
		}
		d.base.Poll() // completions: cheap when the CQ is empty
		if d.fireDue() > 0 || d.rt.sched.Len() > 0 {
			sp.spinning.Store(false)
			sp.caught++
			return true
		}
		if d.rt.clock.Now() >= end {
			break
		}
		// Let the goroutines of this P run: the one that will wake us
		// may be waiting in its run-next slot (a task readied it), and a
		// spinner that never yields keeps it there until another P
		// steals it or sysmon preempts us (tens of µs to 10 ms).
		runtime.Gosched()
	}
	sp.spinning.Store(false)
	if sp.woke.Swap(false) { // an Unpark that saw us spinning just before we stopped
		sp.caught++
		return true
	}
	return false
}

// unparkSpinning is Unpark's half of the handshake: it reports whether
// the spinner will see the wake (no system call needed).
func (d *Driver) unparkSpinning() bool {
	if d.spin.limit == 0 {
		return false
	}
	d.spin.woke.Store(true)
	return d.spin.spinning.Load()
}

// SpinStats returns how often the driver spun before parking and how
// many of those spins found work.
func (d *Driver) SpinStats() (spins, caught uint64) { return d.spin.spins, d.spin.caught }
