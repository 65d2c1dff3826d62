// Package wakerstate is exercise phase1/02-waker-state: the atomic state
// word that lets a waker fire from any goroutine, any number of times.
package wakerstate

import (
	"strings"
	"sync/atomic"

	"asyncworkbook/phases/check"
)

// The bits of a task's state word. The zero word is idle: waiting for a
// wake, in no queue, not being polled.
const (
	// Scheduled: the task is in the run queue, or will be put back there
	// when the current poll ends.
	Scheduled uint32 = 1 << iota
	// Running: the executor is inside the task's Poll.
	Running
	// Completed: Poll returned Ready. Never cleared.
	Completed
)

// State is a task's state word. The zero value is idle.
type State struct {
	word Word
}

// Load returns the word's bits.
func (s *State) Load() uint32 { return s.word.v.Load() }

// Word is an atomic.Uint32 with the three methods you need (Load,
// CompareAndSwap, Store), each exactly the atomic's. The tests use it to
// make another goroutine's wake land exactly between your Load and your
// CompareAndSwap (or Store): right after each Load, the test's hook may
// run (seam, below). Outside the tests it does nothing.
type Word struct{ v atomic.Uint32 }

// Load atomically loads the word.
func (w *Word) Load() uint32 {
	old := w.v.Load()
	seam.At("after Load")
	return old
}

// CompareAndSwap atomically swaps in new if the word is still old, and
// reports whether it did.
func (w *Word) CompareAndSwap(old, new uint32) bool { return w.v.CompareAndSwap(old, new) }

// Store atomically stores v.
func (w *Word) Store(v uint32) { w.v.Store(v) }

// seam is where the tests interleave a wake (package check's Seam).
var seam check.Seam

// Bits names the bits of a state word, as "running|scheduled" or "idle".
func Bits(w uint32) string {
	if w == 0 {
		return "idle"
	}
	var names []string
	for _, b := range []struct {
		bit  uint32
		name string
	}{{Running, "running"}, {Scheduled, "scheduled"}, {Completed, "completed"}} {
		if w&b.bit != 0 {
			names = append(names, b.name)
			w &^= b.bit
		}
	}
	if w != 0 {
		names = append(names, "unknown bits")
	}
	return strings.Join(names, "|")
}
