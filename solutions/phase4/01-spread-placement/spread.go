//go:build !wrong

// Package placement is exercise phase4/01-spread-placement: choose the
// CPUs a pool's executors run on, as far apart as the machine's topology
// allows, and only among the CPUs the process may use.
package placement

import (
	"fmt"
	"slices"

	pools "asyncworkbook/phase4-pools"
)

// Spread returns n CPUs of t, one per executor, in the order they are
// picked: each next CPU is the usable one that shares the least with the
// CPUs already picked — its NUMA node first, then its package, then its
// physical core — the lowest CPU number on a tie. It returns an error
// wrapping pools.ErrPlacement when n < 1 or when fewer than n CPUs are
// usable.
func Spread(t *pools.Topology, n int) ([]int, error) {
	usable := t.Usable() // online AND in the affinity mask
	if n < 1 {
		return nil, fmt.Errorf("%w: %d executors: want at least one", pools.ErrPlacement, n)
	}
	if n > usable.Len() {
		return nil, fmt.Errorf("%w: %d executors, one per CPU, but only %d usable CPUs (%v)", pools.ErrPlacement, n, usable.Len(), usable)
	}
	// A core is named by its package and its core_id: core ids repeat
	// across packages.
	type core struct{ pkg, id int }
	nodes, pkgs, cores := map[int]int{}, map[int]int{}, map[core]int{}
	taken := map[int]bool{}
	var picked []int
	for range n {
		var best pools.CPU
		var bestScore []int
		for _, c := range t.CPUs { // by ID: ties go to the lowest
			if !usable.Has(c.ID) || taken[c.ID] {
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
		taken[best.ID] = true
		picked = append(picked, best.ID)
	}
	return picked, nil
}
