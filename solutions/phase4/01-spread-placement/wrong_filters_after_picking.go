//go:build wrong && wrong_filters_after_picking

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_filters_after_picking ./solutions/phase4/01-spread-placement/
// must fail).
//
// The wrong idea: "spread over the machine, then drop what the mask
// forbids". The mask is applied after the choice, so the executors that
// landed outside it are simply lost: Spread(4) in a container with four
// usable CPUs returns two.

// Package placement is exercise phase4/01-spread-placement.
package placement

import (
	"fmt"
	"slices"

	pools "asyncworkbook/phase4-pools"
)

// Spread is wrong: see the comment at the top of the file.
func Spread(t *pools.Topology, n int) ([]int, error) {
	if n < 1 || n > t.Usable().Len() {
		return nil, fmt.Errorf("%w: %d executors, %d usable CPUs (%v)", pools.ErrPlacement, n, t.Usable().Len(), t.Usable())
	}
	all := &pools.Topology{CPUs: t.CPUs, Allowed: onlineCPUs(t)}
	type core struct{ pkg, id int }
	nodes, pkgs, cores := map[int]int{}, map[int]int{}, map[core]int{}
	taken := map[int]bool{}
	var picked []int
	for range n {
		var best pools.CPU
		var bestScore []int
		for _, c := range all.CPUs {
			if taken[c.ID] {
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
		if t.Allowed.Has(best.ID) {
			picked = append(picked, best.ID)
		}
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
