// Package wakerstate is exercise phase1/02-waker-state: the atomic state
// word that lets a waker fire from any goroutine, any number of times.
package wakerstate

import (
	"strings"
	"sync/atomic"
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
	word atomic.Uint32
}

// Load returns the word's bits.
func (s *State) Load() uint32 { return s.word.Load() }

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
