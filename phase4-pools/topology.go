package pools

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// CPU is one logical CPU and where it sits: its package (socket), its
// physical core within that package, its NUMA node, and its SMT siblings
// (the logical CPUs sharing its core, itself included).
type CPU struct {
	ID       int
	Package  int
	Core     int // core_id: unique within a package only
	Node     int // NUMA node; 0 where the kernel reports none
	Siblings CPUSet
}

// Topology is the machine's CPUs as the kernel describes them under
// /sys/devices/system/cpu, and the subset this process may run on.
type Topology struct {
	CPUs    []CPU  // online CPUs, by ID
	Allowed CPUSet // sched_getaffinity(0): what this process may use
}

// ReadTopology reads the topology from sysfs, a file system rooted where
// /sys is (os.DirFS("/sys") for the real one; a fstest.MapFS in tests),
// and records allowed as the CPUs the process may use. Every placement is
// intersected with allowed: in a container with a cpuset, the online CPUs
// include some that sched_setaffinity would refuse with EINVAL.
func ReadTopology(sysfs fs.FS, allowed CPUSet) (*Topology, error) {
	online, err := readList(sysfs, "devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	nodeOf := map[int]int{}
	if nodes, err := fs.Glob(sysfs, "devices/system/node/node*"); err == nil {
		for _, n := range nodes {
			id, err := strconv.Atoi(strings.TrimPrefix(path.Base(n), "node"))
			if err != nil {
				continue
			}
			cpus, err := readList(sysfs, n+"/cpulist")
			if err != nil {
				continue // a node without CPUs (memory only)
			}
			for _, c := range cpus.cpus {
				nodeOf[c] = id
			}
		}
	}
	t := &Topology{Allowed: allowed}
	for _, id := range online.cpus {
		dir := fmt.Sprintf("devices/system/cpu/cpu%d/topology", id)
		c := CPU{ID: id, Node: nodeOf[id]}
		if c.Package, err = readInt(sysfs, dir+"/physical_package_id"); err != nil {
			return nil, err
		}
		if c.Core, err = readInt(sysfs, dir+"/core_id"); err != nil {
			return nil, err
		}
		// core_cpus_list (5.? kernels) replaced thread_siblings_list; read
		// whichever is there.
		if c.Siblings, err = readList(sysfs, dir+"/core_cpus_list"); err != nil {
			if c.Siblings, err = readList(sysfs, dir+"/thread_siblings_list"); err != nil {
				c.Siblings = NewCPUSet(id)
			}
		}
		t.CPUs = append(t.CPUs, c)
	}
	if len(t.CPUs) == 0 {
		return nil, fmt.Errorf("pools: no online CPU in %s", "devices/system/cpu/online")
	}
	return t, nil
}

// Usable returns the online CPUs the process may run on.
func (t *Topology) Usable() CPUSet {
	ids := make([]int, 0, len(t.CPUs))
	for _, c := range t.CPUs {
		ids = append(ids, c.ID)
	}
	return NewCPUSet(ids...).Intersect(t.Allowed)
}

// cpu returns the CPU with the given id.
func (t *Topology) cpu(id int) (CPU, bool) {
	for _, c := range t.CPUs {
		if c.ID == id {
			return c, true
		}
	}
	return CPU{}, false
}

func readList(sysfs fs.FS, name string) (CPUSet, error) {
	b, err := fs.ReadFile(sysfs, name)
	if err != nil {
		return CPUSet{}, fmt.Errorf("pools: reading the CPU topology: %w", err)
	}
	return ParseCPUList(string(b))
}

func readInt(sysfs fs.FS, name string) (int, error) {
	b, err := fs.ReadFile(sysfs, name)
	if err != nil {
		return 0, fmt.Errorf("pools: reading the CPU topology: %w", err)
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("pools: %s: %q is not a number", name, strings.TrimSpace(string(b)))
	}
	return v, nil
}
