package pools

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CPUSet is a set of CPU numbers, kept sorted. The zero value is the empty
// set. A CPUSet is a value: the methods that change it return a new one.
type CPUSet struct {
	cpus []int // sorted, no duplicates
}

// NewCPUSet returns the set of the given CPUs.
func NewCPUSet(cpus ...int) CPUSet {
	s := slices.Clone(cpus)
	slices.Sort(s)
	return CPUSet{cpus: slices.Compact(s)}
}

// ParseCPUList parses the kernel's CPU list format ("0-3,8,10-11"), as in
// /sys/devices/system/cpu/online and cpulist files.
func ParseCPUList(s string) (CPUSet, error) {
	s = strings.TrimSpace(s)
	var cpus []int
	if s == "" {
		return CPUSet{}, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return CPUSet{}, fmt.Errorf("pools: CPU list %q: %q is not a CPU number", s, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return CPUSet{}, fmt.Errorf("pools: CPU list %q: bad range %q", s, part)
			}
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return NewCPUSet(cpus...), nil
}

// CPUs returns the CPUs in increasing order (a copy).
func (s CPUSet) CPUs() []int { return slices.Clone(s.cpus) }

// Len returns the number of CPUs in the set.
func (s CPUSet) Len() int { return len(s.cpus) }

// Has reports whether cpu is in the set.
func (s CPUSet) Has(cpu int) bool {
	_, ok := slices.BinarySearch(s.cpus, cpu)
	return ok
}

// Intersect returns the CPUs in both sets.
func (s CPUSet) Intersect(o CPUSet) CPUSet {
	var out []int
	for _, c := range s.cpus {
		if o.Has(c) {
			out = append(out, c)
		}
	}
	return CPUSet{cpus: out}
}

// Minus returns the CPUs of s that are not in o.
func (s CPUSet) Minus(o CPUSet) CPUSet {
	var out []int
	for _, c := range s.cpus {
		if !o.Has(c) {
			out = append(out, c)
		}
	}
	return CPUSet{cpus: out}
}

// Equal reports whether both sets hold the same CPUs.
func (s CPUSet) Equal(o CPUSet) bool { return slices.Equal(s.cpus, o.cpus) }

// String formats the set in the kernel's list format ("0-3,8").
func (s CPUSet) String() string {
	if len(s.cpus) == 0 {
		return "(none)"
	}
	var b strings.Builder
	for i := 0; i < len(s.cpus); {
		j := i
		for j+1 < len(s.cpus) && s.cpus[j+1] == s.cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j == i {
			fmt.Fprintf(&b, "%d", s.cpus[i])
		} else {
			fmt.Fprintf(&b, "%d-%d", s.cpus[i], s.cpus[j])
		}
		i = j + 1
	}
	return b.String()
}
