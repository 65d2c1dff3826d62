// Package placement is exercise phase4/01-spread-placement: choose the
// CPUs a pool's executors run on, as far apart as the machine's topology
// allows, and only among the CPUs the process may use. Read README.md
// first.
package placement

import (
	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Spread returns n CPUs of t, one per executor, in the order they are
// picked: each next CPU is the usable one that shares the least with the
// CPUs already picked — its NUMA node first, then its package, then its
// physical core — the lowest CPU number on a tie. It returns an error
// wrapping pools.ErrPlacement when n < 1 or when fewer than n CPUs are
// usable.
func Spread(t *pools.Topology, n int) ([]int, error) {
	check.TODO() // delete this line, then write Spread
	return nil, nil
}
