//go:build wrong && wrong_lowest_n

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_lowest_n ./solutions/phase4/01-spread-placement/
// must fail).
//
// The wrong idea: "the kernel numbers CPUs so that 0, 1, 2... are
// different cores". Intel's numbering often does (CPU n's SMT sibling
// is n + cores); AMD's and many VMs' do not (CPUs 0 and 1 share a core).
// This Spread takes the n lowest usable CPUs and never reads the
// topology.

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
	if n < 1 || n > usable.Len() {
		return nil, fmt.Errorf("%w: %d executors, %d usable CPUs (%v)", pools.ErrPlacement, n, usable.Len(), usable)
	}
	return slices.Clone(usable.CPUs()[:n]), nil
}
