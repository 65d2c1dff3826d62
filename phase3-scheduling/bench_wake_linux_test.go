//go:build linux

package scheduling_test

import (
	"testing"

	iouring "asyncworkbook/phase2-iouring"
	scheduling "asyncworkbook/phase3-scheduling"
)

// newWakeRuntime parks on phase 2's reactor: a wake from another
// goroutine is an eventfd write that completes the ring's READ.
func newWakeRuntime(tb testing.TB, opts ...scheduling.RuntimeOption) *scheduling.Runtime {
	r, err := iouring.NewReactor(64)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return scheduling.NewRuntime(append(opts, scheduling.WithBaseDriver(r))...)
}
