//go:build darwin

package pools

import "runtime"

// MachineTopology on macOS: no sysfs and no affinity call, so one package
// of runtime.NumCPU() cores, every one allowed. Pinning placements are
// refused when the pool starts (see pinThread); Unbound works.
func MachineTopology() (*Topology, error) {
	n := runtime.NumCPU()
	t := &Topology{}
	ids := make([]int, n)
	for i := range n {
		ids[i] = i
		t.CPUs = append(t.CPUs, CPU{ID: i, Core: i, Siblings: NewCPUSet(i)})
	}
	t.Allowed = NewCPUSet(ids...)
	return t, nil
}

// Affinity on macOS: every CPU the runtime sees.
func Affinity() (CPUSet, error) {
	t, _ := MachineTopology()
	return t.Allowed, nil
}
