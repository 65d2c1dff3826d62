//go:build darwin

package iouring

import "errors"

// newPlatformReactor: macOS has no io_uring, so the reactor always runs
// the pure-Go fallback ring, and says so.
func newPlatformReactor(entries uint32, required bool, _ reactorConfig) (*Reactor, error) {
	if required {
		return nil, errors.New("iouring: WORKBOOK_RING=io_uring, but macOS has no io_uring")
	}
	return newFallbackReactor(entries, "macOS has no io_uring")
}
