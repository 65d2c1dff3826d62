package pools

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Placement says on which CPUs a pool's executors run. The policies are
// Glommio's set, placed on the real topology and always within the CPUs
// the process may use (sched_getaffinity):
//
//	Unbound(n)          n executors, not pinned: the OS schedules them
//	Fenced(n, cpus)     n executors, each allowed on every CPU of cpus
//	MaxSpread(n, cpus)  n executors, one CPU each, as far apart as the
//	                    topology allows: other NUMA nodes first, then other
//	                    packages, other cores, and SMT siblings last
//	MaxPack(n, cpus)    n executors, one CPU each, as close as it allows:
//	                    SMT siblings first, then the same package and node
//	Custom(sets...)     one executor per set, each allowed on its set
//
// Spread suits executors that share nothing (each gets a core's caches to
// itself); pack suits executors that talk a lot (messages stay in a shared
// cache). A Placement is a value; Plan turns it into CPUs.
type Placement struct {
	policy string
	n      int
	within *CPUSet // MaxSpread/MaxPack/Fenced: restrict to these CPUs
	custom []CPUSet
}

// Unbound places n executors without pinning them.
func Unbound(n int) Placement { return Placement{policy: "Unbound", n: n} }

// Fenced places n executors, each allowed on every CPU of cpus.
func Fenced(n int, cpus CPUSet) Placement { return Placement{policy: "Fenced", n: n, within: &cpus} }

// MaxSpread places n executors one per CPU, as far apart as possible,
// among all usable CPUs or, if given, among within.
func MaxSpread(n int, within ...CPUSet) Placement {
	return Placement{policy: "MaxSpread", n: n, within: union(within)}
}

// MaxPack places n executors one per CPU, as close together as possible,
// among all usable CPUs or, if given, among within.
func MaxPack(n int, within ...CPUSet) Placement {
	return Placement{policy: "MaxPack", n: n, within: union(within)}
}

// Custom places one executor per set.
func Custom(sets ...CPUSet) Placement {
	return Placement{policy: "Custom", n: len(sets), custom: slices.Clone(sets)}
}

func union(sets []CPUSet) *CPUSet {
	if len(sets) == 0 {
		return nil
	}
	var all []int
	for _, s := range sets {
		all = append(all, s.cpus...)
	}
	u := NewCPUSet(all...)
	return &u
}

// String names the policy and its arguments, as a caller would write it.
func (p Placement) String() string {
	switch {
	case p.policy == "":
		return "Placement{}"
	case p.policy == "Custom":
		parts := make([]string, len(p.custom))
		for i, s := range p.custom {
			parts[i] = s.String()
		}
		return "Custom(" + strings.Join(parts, "; ") + ")"
	case p.within != nil:
		return fmt.Sprintf("%s(%d, %s)", p.policy, p.n, p.within)
	default:
		return fmt.Sprintf("%s(%d)", p.policy, p.n)
	}
}

// Plan is a placement resolved on one machine: for each executor the CPUs
// it may run on (empty for an unpinned executor).
type Plan struct {
	Placement Placement
	Executors []CPUSet
	Topology  *Topology
	Notes     []string // CPUs asked for that the affinity mask leaves out
}

// ErrPlacement is wrapped by every error Plan returns.
var ErrPlacement = errors.New("pools: impossible placement")

// Plan resolves the placement on t.
func (p Placement) Plan(t *Topology) (*Plan, error) {
	if p.policy == "" {
		return nil, fmt.Errorf("%w: the zero Placement: use Unbound, Fenced, MaxSpread, MaxPack or Custom", ErrPlacement)
	}
	if p.n <= 0 {
		return nil, fmt.Errorf("%w: %v: want at least one executor", ErrPlacement, p)
	}
	usable := t.Usable()
	if usable.Len() == 0 {
		return nil, fmt.Errorf("%w: %v: no online CPU is in the affinity mask %v", ErrPlacement, p, t.Allowed)
	}
	plan := &Plan{Placement: p, Topology: t}
	pool := usable
	if p.within != nil {
		pool = p.within.Intersect(usable)
		if dropped := p.within.Minus(usable); dropped.Len() > 0 {
			plan.Notes = append(plan.Notes, fmt.Sprintf("CPUs %v are offline or outside the affinity mask %v: left out", dropped, t.Allowed))
		}
		if pool.Len() == 0 {
			return nil, fmt.Errorf("%w: %v: none of CPUs %v is usable (online and in the affinity mask: %v)", ErrPlacement, p, p.within, usable)
		}
	}
	switch p.policy {
	case "Unbound":
		plan.Executors = make([]CPUSet, p.n)
	case "Fenced":
		for range p.n {
			plan.Executors = append(plan.Executors, pool)
		}
	case "Custom":
		for i, s := range p.custom {
			got := s.Intersect(usable)
			if got.Len() == 0 {
				return nil, fmt.Errorf("%w: %v: executor %d's CPUs %v are not usable (online and in the affinity mask: %v)", ErrPlacement, p, i, s, usable)
			}
			if dropped := s.Minus(usable); dropped.Len() > 0 {
				plan.Notes = append(plan.Notes, fmt.Sprintf("executor %d: CPUs %v are offline or outside the affinity mask: left out", i, dropped))
			}
			plan.Executors = append(plan.Executors, got)
		}
	case "MaxSpread", "MaxPack":
		if p.n > pool.Len() {
			return nil, fmt.Errorf("%w: %v: %d executors, one per CPU, but only %d usable CPUs (%v); use Fenced or Unbound to share CPUs", ErrPlacement, p, p.n, pool.Len(), pool)
		}
		for _, c := range pick(t, pool, p.n, p.policy == "MaxSpread") {
			plan.Executors = append(plan.Executors, NewCPUSet(c))
		}
	}
	return plan, nil
}

// pick chooses n CPUs of pool one at a time. Each candidate is scored by
// how many CPUs already picked share its NUMA node, its package and its
// core (compared in that order): spread takes the lowest score — a fresh
// node before a fresh package before a fresh core before an SMT sibling —
// and pack the highest. Ties go to the lowest CPU number, so a plan is the
// same on every run.
func pick(t *Topology, pool CPUSet, n int, spread bool) []int {
	type core struct{ pkg, id int }
	nodes, pkgs, cores := map[int]int{}, map[int]int{}, map[core]int{}
	var picked []int
	taken := map[int]bool{}
	for range n {
		best, bestScore := -1, [3]int{}
		for _, id := range pool.cpus {
			if taken[id] {
				continue
			}
			c, _ := t.cpu(id)
			score := [3]int{nodes[c.Node], pkgs[c.Package], cores[core{c.Package, c.Core}]}
			if best < 0 {
				best, bestScore = id, score
				continue
			}
			d := slices.Compare(score[:], bestScore[:])
			if (spread && d < 0) || (!spread && d > 0) {
				best, bestScore = id, score
			}
		}
		c, _ := t.cpu(best)
		nodes[c.Node]++
		pkgs[c.Package]++
		cores[core{c.Package, c.Core}]++
		taken[best] = true
		picked = append(picked, best)
	}
	return picked
}

// String is the dry run: the machine's CPUs against the affinity mask, and
// where each executor goes.
func (p *Plan) String() string {
	var b strings.Builder
	t := p.Topology
	online := make([]int, 0, len(t.CPUs))
	for _, c := range t.CPUs {
		online = append(online, c.ID)
	}
	fmt.Fprintf(&b, "placement %v: %d executors\n", p.Placement, len(p.Executors))
	fmt.Fprintf(&b, "online CPUs %v · affinity mask (sched_getaffinity) %v · usable %v\n", NewCPUSet(online...), t.Allowed, t.Usable())
	for i, set := range p.Executors {
		if set.Len() == 0 {
			fmt.Fprintf(&b, "executor %d → not pinned (any of %v)\n", i, t.Usable())
			continue
		}
		if set.Len() == 1 {
			c, _ := t.cpu(set.cpus[0])
			fmt.Fprintf(&b, "executor %d → CPU %d (node %d, package %d, core %d, SMT siblings %v)\n", i, c.ID, c.Node, c.Package, c.Core, c.Siblings)
			continue
		}
		fmt.Fprintf(&b, "executor %d → CPUs %v\n", i, set)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}
