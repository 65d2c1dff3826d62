//go:build !linux

package scheduling_test

import (
	"testing"

	scheduling "asyncworkbook/phase3-scheduling"
)

// newWakeRuntime parks on phase 1's ChanDriver where there is no ring.
func newWakeRuntime(_ testing.TB, opts ...scheduling.RuntimeOption) *scheduling.Runtime {
	return scheduling.NewRuntime(opts...)
}
