//go:build darwin

package iouring

import (
	"fmt"
	"time"
)

// waitTimeout: on macOS only the fallback ring runs.
func (r *Reactor) waitTimeout(d time.Duration) error {
	if ring, ok := r.ring.(*FallbackRing); ok {
		r.park.expired = ring.waitFallback(d)
		return nil
	}
	return fmt.Errorf("iouring: ParkTimeout: unknown ring %T", r.ring)
}
