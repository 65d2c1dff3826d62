//go:build linux || darwin

package main

import iouring "asyncworkbook/phase2-iouring"

// ringInUse says which ring phase 2's demos and exercises run on here.
func ringInUse() string { return iouring.RingInUse() }
