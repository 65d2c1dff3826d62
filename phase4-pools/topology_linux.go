//go:build linux

package pools

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// MachineTopology reads this machine's topology from /sys and the CPUs
// this process may use from sched_getaffinity(2).
func MachineTopology() (*Topology, error) {
	allowed, err := Affinity()
	if err != nil {
		return nil, err
	}
	return ReadTopology(os.DirFS("/sys"), allowed)
}

// Affinity returns the CPUs the calling thread may run on:
// sched_getaffinity(2) with pid 0. Until a pool pins its threads, every
// thread of a Go program has the process's mask.
func Affinity() (CPUSet, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return CPUSet{}, fmt.Errorf("pools: sched_getaffinity: %w", err)
	}
	var cpus []int
	for c := range 1024 { // unix.CPUSet covers CPUs 0..1023 (_CPU_SETSIZE)
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return NewCPUSet(cpus...), nil
}
