//go:build wrong && wrong_ignores_mask

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_ignores_mask ./solutions/phase4/01-spread-placement/
// must fail).
//
// The wrong idea: "the online CPUs are the machine's CPUs". In a
// container with a cpuset, /sys lists every CPU of the host as online,
// and sched_setaffinity to one outside the cpuset fails with EINVAL. This
// Spread picks among all online CPUs (t.CPUs), never looking at the
// affinity mask (t.Allowed, or t.Usable()).

// Package placement is exercise phase4/01-spread-placement.
package placement

import (
	"fmt"
	"slices"

	pools "asyncworkbook/phase4-pools"
)

// Spread is wrong: see the comment at the top of the file.
func Spread(t *pools.Topology, n int) ([]int, error) {
	usable := onlineCPUs(t)
	if n < 1 {
		return nil, fmt.Errorf("%w: %d executors: want at least one", pools.ErrPlacement, n)
	}
	if n > usable.Len() {
		return nil, fmt.Errorf("%w: %d executors, one per CPU, but only %d usable CPUs (%v)", pools.ErrPlacement, n, usable.Len(), usable)
	}
	type core struct{ pkg, id int }
	nodes, pkgs, cores := map[int]int{}, map[int]int{}, map[core]int{}
	taken := map[int]bool{}
	var picked []int
	for i := range n {
		var best pools.CPU
		var bestScore []int
		for _, c := range t.CPUs {
			if !usable.Has(c.ID) || (taken[c.ID] && i < usable.Len()) {
				continue
			}
			score := []int{nodes[c.Node], pkgs[c.Package], cores[core{c.Package, c.Core}]}
			if bestScore == nil || slices.Compare(score, bestScore) < 0 {
				best, bestScore = c, score
			}
		}
		nodes[best.Node]++
		pkgs[best.Package]++
		cores[core{best.Package, best.Core}]++
		if taken[best.ID] {
			taken = map[int]bool{} // round two: start over
		}
		taken[best.ID] = true
		picked = append(picked, best.ID)
	}
	return picked, nil
}

func onlineCPUs(t *pools.Topology) pools.CPUSet {
	var ids []int
	for _, c := range t.CPUs {
		ids = append(ids, c.ID)
	}
	return pools.NewCPUSet(ids...)
}
