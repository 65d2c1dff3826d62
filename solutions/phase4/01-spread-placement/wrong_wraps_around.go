//go:build wrong && wrong_wraps_around

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_wraps_around ./solutions/phase4/01-spread-placement/
// must fail).
//
// The wrong idea: "more executors than CPUs? Start again from the
// first". MaxSpread promises one CPU per executor; two executors on one
// CPU take turns on it, and the caller asked for something else (Fenced
// or Unbound share CPUs on purpose). This Spread never says no: past the
// usable CPUs it goes round again.

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
