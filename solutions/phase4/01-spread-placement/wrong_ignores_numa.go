//go:build wrong && wrong_ignores_numa

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_ignores_numa ./solutions/phase4/01-spread-placement/
// must fail).
//
// The wrong idea: "spread means other packages, then other cores". It
// forgets NUMA nodes: one package may hold two nodes (sub-NUMA
// clustering, AMD's NPS2), and an executor whose memory is on the other
// node pays for every access. This Spread scores package and core only.

// Package placement is exercise phase4/01-spread-placement.
package placement

import (
	"fmt"
	"slices"

	pools "asyncworkbook/phase4-pools"
)

// Spread is wrong: see the comment at the top of the file.
func Spread(t *pools.Topology, n int) ([]int, error) {
	usable := t.Usable()
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
			score := []int{pkgs[c.Package], cores[core{c.Package, c.Core}]}
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
