//go:build linux

package pools

import "testing"

func TestThisMachinesTopologyIsUsable(t *testing.T) {
	top, err := MachineTopology()
	if err != nil {
		t.Fatal(err)
	}
	if top.Usable().Len() == 0 {
		t.Fatalf("no usable CPU: online %d CPUs, mask %v", len(top.CPUs), top.Allowed)
	}
	plan, err := MaxSpread(top.Usable().Len()).Plan(top)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("dry run on this machine:\n%s", plan)
}
