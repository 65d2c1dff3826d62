//go:build !linux

package scheduling

import (
	"errors"
	"time"
)

// ringSignal exists on Linux only (preempt_ring_linux.go); elsewhere the
// preempter keeps the Go timer.
type ringSignal struct{}

func newRingSignal() (*ringSignal, error) { return nil, errors.ErrUnsupported }

func (s *ringSignal) arm(time.Duration) {}
func (s *ringSignal) fired() bool       { return false }
func (s *ringSignal) close()            {}
func (s *ringSignal) kind() string      { return "" }
func (s *ringSignal) enters() uint64    { return 0 }

func (s *ringSignal) setupFlags() (uint32, bool) { return 0, false }
