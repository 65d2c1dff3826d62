package pools

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeMachine builds a sysfs tree: cpus[i] = {package, core, node}; SMT
// siblings are the CPUs with the same package and core.
func fakeMachine(t *testing.T, cpus [][3]int) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	ids := make([]int, len(cpus))
	nodes := map[int][]int{}
	for i, c := range cpus {
		ids[i] = i
		nodes[c[2]] = append(nodes[c[2]], i)
	}
	fsys["devices/system/cpu/online"] = &fstest.MapFile{Data: []byte(NewCPUSet(ids...).String() + "\n")}
	for i, c := range cpus {
		var sib []int
		for j, d := range cpus {
			if d[0] == c[0] && d[1] == c[1] {
				sib = append(sib, j)
			}
		}
		dir := fmt.Sprintf("devices/system/cpu/cpu%d/topology/", i)
		fsys[dir+"physical_package_id"] = &fstest.MapFile{Data: fmt.Appendf(nil, "%d\n", c[0])}
		fsys[dir+"core_id"] = &fstest.MapFile{Data: fmt.Appendf(nil, "%d\n", c[1])}
		fsys[dir+"core_cpus_list"] = &fstest.MapFile{Data: []byte(NewCPUSet(sib...).String() + "\n")}
	}
	for n, list := range nodes {
		fsys[fmt.Sprintf("devices/system/node/node%d/cpulist", n)] = &fstest.MapFile{Data: []byte(NewCPUSet(list...).String() + "\n")}
	}
	return fsys
}

// twoNodes: two packages on two NUMA nodes, each 2 cores × 2 SMT threads,
// numbered as Intel machines do (siblings n and n+2 within a package).
var twoNodes = [][3]int{
	{0, 0, 0}, {0, 1, 0}, {0, 0, 0}, {0, 1, 0},
	{1, 0, 1}, {1, 1, 1}, {1, 0, 1}, {1, 1, 1},
}

func topo(t *testing.T, cpus [][3]int, allowed ...int) *Topology {
	t.Helper()
	if allowed == nil {
		for i := range cpus {
			allowed = append(allowed, i)
		}
	}
	top, err := ReadTopology(fakeMachine(t, cpus), NewCPUSet(allowed...))
	if err != nil {
		t.Fatal(err)
	}
	return top
}

func planCPUs(t *testing.T, p Placement, top *Topology) []int {
	t.Helper()
	plan, err := p.Plan(top)
	if err != nil {
		t.Fatalf("%v.Plan: %v", p, err)
	}
	var got []int
	for i, s := range plan.Executors {
		if s.Len() != 1 {
			t.Fatalf("%v: executor %d on %v, want exactly one CPU", p, i, s)
		}
		got = append(got, s.CPUs()[0])
	}
	return got
}

func TestReadTopologyFindsPackagesCoresNodesAndSiblings(t *testing.T) {
	top := topo(t, twoNodes)
	if len(top.CPUs) != 8 {
		t.Fatalf("%d CPUs, want 8", len(top.CPUs))
	}
	c6 := top.CPUs[6]
	if c6.Package != 1 || c6.Core != 0 || c6.Node != 1 || c6.Siblings.String() != "4,6" {
		t.Errorf("CPU 6 = %+v, want package 1, core 0, node 1, siblings 4,6", c6)
	}
}

func TestMaxSpreadCrossesNodesThenCoresThenSMT(t *testing.T) {
	top := topo(t, twoNodes)
	want := []int{0, 4, 1, 5, 2, 6, 3, 7}
	for n := 1; n <= 8; n++ {
		got := planCPUs(t, MaxSpread(n), top)
		if fmt.Sprint(got) != fmt.Sprint(want[:n]) {
			t.Errorf("MaxSpread(%d) = %v, want %v (other node, then other core, SMT siblings last)", n, got, want[:n])
		}
	}
}

func TestMaxPackFillsACoreThenItsPackage(t *testing.T) {
	top := topo(t, twoNodes)
	want := []int{0, 2, 1, 3, 4, 6, 5, 7}
	for n := 1; n <= 8; n++ {
		got := planCPUs(t, MaxPack(n), top)
		if fmt.Sprint(got) != fmt.Sprint(want[:n]) {
			t.Errorf("MaxPack(%d) = %v, want %v (SMT sibling, then same package)", n, got, want[:n])
		}
	}
}

// In a container whose cpuset is 2,3,6 the online CPUs are 0-7: a
// placement that ignored the affinity mask would pin to CPUs the kernel
// refuses (EINVAL).
func TestPlacementsStayInsideTheAffinityMask(t *testing.T) {
	top := topo(t, twoNodes, 2, 3, 6)
	if got := planCPUs(t, MaxSpread(2), top); fmt.Sprint(got) != "[2 6]" {
		t.Errorf("MaxSpread(2) in cpuset 2,3,6 = %v, want [2 6]", got)
	}
	if got := planCPUs(t, MaxPack(2), top); fmt.Sprint(got) != "[2 3]" {
		t.Errorf("MaxPack(2) in cpuset 2,3,6 = %v, want [2 3]", got)
	}
	plan, err := Fenced(2, NewCPUSet(0, 1, 2, 3)).Plan(top)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range plan.Executors {
		if s.String() != "2-3" {
			t.Errorf("Fenced(2, 0-3) in cpuset 2,3,6: executor %d on %v, want 2-3", i, s)
		}
	}
	if !strings.Contains(plan.String(), "CPUs 0-1 are offline or outside the affinity mask") {
		t.Errorf("the dry run does not say CPUs 0-1 were left out:\n%s", plan)
	}
	plan, err = Custom(NewCPUSet(3, 7), NewCPUSet(6)).Plan(top)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Executors[0].String() != "3" || plan.Executors[1].String() != "6" {
		t.Errorf("Custom(3,7; 6) in cpuset 2,3,6 = %v", plan.Executors)
	}
}

func TestImpossiblePlacementsSayWhy(t *testing.T) {
	top := topo(t, twoNodes, 2, 3, 6)
	for _, c := range []struct {
		p    Placement
		want string
	}{
		{MaxSpread(4), "only 3 usable CPUs (2-3,6)"},
		{MaxPack(2, NewCPUSet(0, 1)), "none of CPUs 0-1 is usable"},
		{Fenced(1, NewCPUSet(4, 5)), "none of CPUs 4-5 is usable"},
		{Custom(NewCPUSet(2), NewCPUSet(7)), "executor 1's CPUs 7 are not usable"},
		{Unbound(0), "want at least one executor"},
		{Placement{}, "the zero Placement"},
	} {
		_, err := c.p.Plan(top)
		if err == nil || !errors.Is(err, ErrPlacement) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v.Plan error = %v, want ErrPlacement saying %q", c.p, err, c.want)
		}
	}
}

func TestDryRunShowsTheMaskAndEachExecutor(t *testing.T) {
	plan, err := MaxSpread(2).Plan(topo(t, twoNodes, 0, 1, 4))
	if err != nil {
		t.Fatal(err)
	}
	got := plan.String()
	for _, want := range []string{
		"placement MaxSpread(2): 2 executors",
		"online CPUs 0-7 · affinity mask (sched_getaffinity) 0-1,4 · usable 0-1,4",
		"executor 0 → CPU 0 (node 0, package 0, core 0, SMT siblings 0,2)",
		"executor 1 → CPU 4 (node 1, package 1, core 0, SMT siblings 4,6)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run lacks %q:\n%s", want, got)
		}
	}
	un, err := Unbound(1).Plan(topo(t, twoNodes))
	if err != nil || !strings.Contains(un.String(), "executor 0 → not pinned (any of 0-7)") {
		t.Errorf("Unbound(1) dry run = %v %v", un, err)
	}
}

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "0-3,8,10-11\n": "0-3,8,10-11", "3,1,2": "1-3", "": "(none)"} {
		s, err := ParseCPUList(in)
		if err != nil || s.String() != want {
			t.Errorf("ParseCPUList(%q) = %v, %v; want %s", in, s, err, want)
		}
	}
	for _, bad := range []string{"a", "3-1", "1-", "-1", "1,,2"} {
		if _, err := ParseCPUList(bad); err == nil {
			t.Errorf("ParseCPUList(%q) accepted it", bad)
		}
	}
}
