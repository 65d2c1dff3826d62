package placement

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/check"
)

const exercise = "phase4/01-spread-placement"

// fakeCPU is one logical CPU of a fake machine.
type fakeCPU struct {
	id, pkg, core, node int
}

// machine builds a sysfs tree for cpus (the kernel's files, read by the
// real pools.ReadTopology) and returns its topology with the given
// affinity mask (sched_getaffinity's answer).
func machine(t *testing.T, cpus []fakeCPU, allowed string) *pools.Topology {
	t.Helper()
	fsys := fstest.MapFS{}
	var online []int
	nodes := map[int][]int{}
	siblings := map[[2]int][]int{}
	for _, c := range cpus {
		online = append(online, c.id)
		nodes[c.node] = append(nodes[c.node], c.id)
		siblings[[2]int{c.pkg, c.core}] = append(siblings[[2]int{c.pkg, c.core}], c.id)
	}
	file := func(name, text string) { fsys[name] = &fstest.MapFile{Data: []byte(text + "\n")} }
	file("devices/system/cpu/online", pools.NewCPUSet(online...).String())
	for n, ids := range nodes {
		file(fmt.Sprintf("devices/system/node/node%d/cpulist", n), pools.NewCPUSet(ids...).String())
	}
	for _, c := range cpus {
		dir := fmt.Sprintf("devices/system/cpu/cpu%d/topology/", c.id)
		file(dir+"physical_package_id", fmt.Sprint(c.pkg))
		file(dir+"core_id", fmt.Sprint(c.core))
		file(dir+"core_cpus_list", pools.NewCPUSet(siblings[[2]int{c.pkg, c.core}]...).String())
	}
	mask, err := pools.ParseCPUList(allowed)
	if err != nil {
		t.Fatal(err)
	}
	top, err := pools.ReadTopology(fsys, mask)
	if err != nil {
		t.Fatal(err)
	}
	return top
}

// smtAdjacent: one package, four cores, two hardware threads each,
// numbered the way AMD numbers them: CPUs 0 and 1 share core 0.
func smtAdjacent(t *testing.T, allowed string) *pools.Topology {
	var cpus []fakeCPU
	for id := range 8 {
		cpus = append(cpus, fakeCPU{id: id, core: id / 2})
	}
	return machine(t, cpus, allowed)
}

// twoNodes: two packages, one NUMA node each, four cores per package
// (core_id 0..3 in each: core ids repeat across packages), no SMT.
func twoNodes(t *testing.T, allowed string) *pools.Topology {
	var cpus []fakeCPU
	for id := range 8 {
		cpus = append(cpus, fakeCPU{id: id, pkg: id / 4, core: id % 4, node: id / 4})
	}
	return machine(t, cpus, allowed)
}

// subNUMA: one package split into two NUMA nodes (AMD's NPS2, Intel's
// sub-NUMA clustering): CPUs 0-3 on node 0, 4-7 on node 1.
func subNUMA(t *testing.T, allowed string) *pools.Topology {
	var cpus []fakeCPU
	for id := range 8 {
		cpus = append(cpus, fakeCPU{id: id, core: id, node: id / 4})
	}
	return machine(t, cpus, allowed)
}

func spread(t *testing.T, top *pools.Topology, n int) ([]int, error) {
	t.Helper()
	type out struct {
		cpus []int
		err  error
	}
	o := check.Within(t, func() out {
		cpus, err := Spread(top, n)
		return out{cpus, err}
	})
	return o.cpus, o.err
}

func want(t *testing.T, top *pools.Topology, n int, expect []int, why string) {
	t.Helper()
	got, err := spread(t, top, n)
	if err != nil {
		t.Fatalf("Spread(%d) on CPUs %v (affinity mask %v): %v; want %v", n, top.Usable(), top.Allowed, err, expect)
	}
	if !slices.Equal(got, expect) {
		t.Fatalf("Spread(%d) on CPUs %v (affinity mask %v) = %v, want %v: %s", n, top.Usable(), top.Allowed, got, expect, why)
	}
}

func TestSpreadAvoidsSMTSiblings(t *testing.T) {
	defer check.Guard(t, exercise)
	top := smtAdjacent(t, "0-7")
	want(t, top, 4, []int{0, 2, 4, 6},
		"CPUs 0 and 1 are two hardware threads of one core (core_cpus_list); four executors fit on four cores, one each, before any shares a core")
	want(t, top, 5, []int{0, 2, 4, 6, 1},
		"once every core has an executor, the fifth goes to an SMT sibling, the lowest-numbered")
}

func TestSpreadCrossesNUMANodesFirst(t *testing.T) {
	defer check.Guard(t, exercise)
	want(t, twoNodes(t, "0-7"), 2, []int{0, 4},
		"CPUs 4-7 are another NUMA node and another package: the second executor goes there, not to CPU 1 beside the first")
	want(t, twoNodes(t, "0-7"), 4, []int{0, 4, 1, 5},
		"alternate between the nodes: each pick goes where fewer executors are already")
	want(t, subNUMA(t, "0-7"), 2, []int{0, 4},
		"one package, but two NUMA nodes (node*/cpulist): memory is closer to one half, so a node counts before a package or a core")
}

func TestSpreadStaysInsideTheAffinityMask(t *testing.T) {
	defer check.Guard(t, exercise)
	// A container whose cpuset is CPUs 2-5: /sys shows all eight online,
	// sched_getaffinity says 2-5, and pinning to any other CPU fails with
	// EINVAL.
	top := twoNodes(t, "2-5")
	got, err := spread(t, top, 4)
	if err != nil {
		t.Fatalf("Spread(4) with affinity mask 2-5: %v; four CPUs are usable", err)
	}
	for _, c := range got {
		if !top.Allowed.Has(c) {
			t.Fatalf("Spread(4) = %v: CPU %d is online but outside the affinity mask %v (a container's cpuset): pinning to it would fail with EINVAL. Pick among t.Usable(), not t.CPUs", got, c, top.Allowed)
		}
	}
	if !slices.Equal(got, []int{2, 4, 3, 5}) {
		t.Fatalf("Spread(4) with affinity mask 2-5 = %v, want [2 4 3 5]: spread over the usable CPUs, nodes first", got)
	}
	want(t, smtAdjacent(t, "1,3,4"), 3, []int{1, 3, 4},
		"only CPUs 1, 3 and 4 are in the affinity mask: all three are needed, siblings or not")
}

func TestSpreadRefusesImpossiblePlacements(t *testing.T) {
	defer check.Guard(t, exercise)
	top := twoNodes(t, "2-5")
	for _, n := range []int{5, 8, 0} {
		got, err := spread(t, top, n)
		if err == nil {
			t.Fatalf("Spread(%d) with 4 usable CPUs (mask %v) = %v, want an error: one CPU per executor, and no CPU twice", n, top.Allowed, got)
		}
		if !errors.Is(err, pools.ErrPlacement) {
			t.Fatalf("Spread(%d): error %q does not wrap pools.ErrPlacement", n, err)
		}
		if n > 0 && !strings.Contains(err.Error(), "4") {
			t.Errorf("Spread(%d): error %q should say how many CPUs are usable (4)", n, err)
		}
	}
}

func TestSpreadNeverPicksACPUTwice(t *testing.T) {
	defer check.Guard(t, exercise)
	for _, top := range []*pools.Topology{smtAdjacent(t, "0-7"), twoNodes(t, "0-7"), subNUMA(t, "1-6")} {
		usable := top.Usable()
		for n := 1; n <= usable.Len(); n++ {
			got, err := spread(t, top, n)
			if err != nil {
				t.Fatalf("Spread(%d) on %v: %v", n, usable, err)
			}
			if len(got) != n {
				t.Fatalf("Spread(%d) on usable CPUs %v returned %d CPUs %v", n, usable, len(got), got)
			}
			if !pools.NewCPUSet(got...).Equal(pools.NewCPUSet(got...).Intersect(usable)) || pools.NewCPUSet(got...).Len() != n {
				t.Fatalf("Spread(%d) on usable CPUs %v = %v: each CPU once, all usable", n, usable, got)
			}
		}
	}
}

// Spread chooses what the pool's own MaxSpread chooses, for every size
// on every fake machine.
func TestSpreadAgreesWithThePoolsMaxSpread(t *testing.T) {
	defer check.Guard(t, exercise)
	for _, top := range []*pools.Topology{smtAdjacent(t, "0-7"), twoNodes(t, "0-7"), twoNodes(t, "1-3,6"), subNUMA(t, "0-7")} {
		for n := 1; n <= top.Usable().Len(); n++ {
			plan, err := pools.MaxSpread(n).Plan(top)
			if err != nil {
				t.Fatal(err)
			}
			var expect []int
			for _, set := range plan.Executors {
				expect = append(expect, set.CPUs()...)
			}
			want(t, top, n, expect, "the order pools.MaxSpread picks them in (node, then package, then core; lowest number on a tie)")
		}
	}
}
