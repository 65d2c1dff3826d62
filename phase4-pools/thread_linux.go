//go:build linux

package pools

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// pinThread restricts the calling OS thread to set: sched_setaffinity(2)
// with pid 0, which means "this thread", not the process. The caller has
// locked its goroutine to the thread first (runtime.LockOSThread): pinned
// before locking, the goroutine could move off the pinned thread, and the
// pin would land on whichever goroutine runs there next.
func pinThread(set CPUSet) error {
	var mask unix.CPUSet
	for _, c := range set.cpus {
		if c >= 1024 {
			return fmt.Errorf("pools: CPU %d is beyond what sched_setaffinity's mask holds here (1024)", c)
		}
		mask.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &mask); err != nil {
		return fmt.Errorf("pools: sched_setaffinity(%v): %w", set, err)
	}
	return nil
}

// threadID returns the calling thread's id (gettid(2)).
func threadID() int { return unix.Gettid() }
