//go:build linux

package demos

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	executor "asyncworkbook/phase1-executor"
	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/trace"
)

// Phase 4's demos run on a pool of executors (phase4-pools): each
// executor on its own locked OS thread with its own ring, the pool's
// trace serialized into the demo's sink (so a Stepper stops the whole
// pool at an event of any executor). Each demo starts its pool, spawns
// tasks from outside with pools.Spawn, waits for their join handles on a
// throwaway executor, and shuts the pool down, which ends every thread.
// Pools of two run unpinned (Unbound) except in p4-thread-per-core, so
// they run on a one-CPU machine too.
//
// Phase 4 builds on phase 2's ring: on other systems these demos are not
// registered.

func init() {
	Register(Demo{
		ID:    "p4-thread-per-core",
		Title: "Thread-per-core: two executors, each on its own pinned thread",
		About: "The pool starts two executors. Each locks its goroutine to an " +
			"OS thread, pins that thread to its CPU (when the machine has two), " +
			"and creates its ring there: executor-started says which CPU and " +
			"thread. A task on each executor reports the thread it ran on: " +
			"always its executor's, before and after it yields.",
		Run: threadPerCore,
	})
	Register(Demo{
		ID:    "p4-placement",
		Title: "Placement: each policy's dry run, here and on a two-node machine",
		About: "One task asks every placement policy where it would put the " +
			"executors: on this machine (intersected with sched_getaffinity), on a " +
			"fake two-node machine with SMT, and in a fake container whose cpuset " +
			"allows three CPUs. Watch MaxSpread cross nodes first and MaxPack fill " +
			"a core's siblings; the impossible request says why.",
		Run: placementDemo,
	})
}

// inPool starts a pool placed by pl, traced into sink, with options o,
// runs body, and shuts the pool down with a second to spare, returning
// body's error and any the shutdown reports.
func inPool(sink trace.Sink, pl pools.Placement, o pools.Options, body func(p *pools.Pool) error) error {
	o.Sink = sink
	p, err := pools.New(pl, o)
	if err != nil {
		return err
	}
	berr := body(p)
	rep := p.Shutdown(time.Second)
	for _, e := range rep.Executors {
		if e.CloseErr != nil {
			berr = errors.Join(berr, fmt.Errorf("executor %d: %w", e.ID, e.CloseErr))
		}
	}
	return berr
}

// join waits, from outside the pool, for a task spawned on executor i.
func join[T any](p *pools.Pool, i int, f executor.Future[T], name string) (T, error) {
	h, err := pools.Spawn(p, i, f, executor.WithName(name))
	if err != nil {
		var zero T
		return zero, err
	}
	return wait(h)
}

// wait blocks on a join handle with a throwaway (untraced) executor.
func wait[T any](h executor.JoinHandle[T]) (T, error) {
	r, err := executor.Run(executor.Future[executor.Result[T]](h))
	if err == nil {
		err = r.Err
	}
	return r.Value, err
}

type ranOn struct {
	before, after int // thread ids
	affinity      pools.CPUSet
}

func threadPerCore(sink trace.Sink) error {
	pl := pools.Unbound(2)
	if a, err := pools.Affinity(); err == nil && a.Len() >= 2 {
		pl = pools.MaxSpread(2)
	}
	return inPool(sink, pl, pools.Options{}, func(p *pools.Pool) error {
		hs := make([]executor.JoinHandle[ranOn], p.Len())
		for i := range p.Len() {
			var err error
			hs[i], err = pools.Spawn(p, i, executor.Async(func(a *executor.Awaiter) ranOn {
				var r ranOn
				r.before = unix.Gettid()
				executor.Await(a, executor.YieldNow())
				r.after = unix.Gettid()
				r.affinity, _ = pools.Affinity()
				return r
			}), executor.WithName(fmt.Sprintf("where am I %d", i)))
			if err != nil {
				return err
			}
		}
		for i, h := range hs {
			r, err := wait(h)
			if err != nil {
				return err
			}
			e := p.Executor(i)
			if r.before != e.ThreadID() || r.after != e.ThreadID() {
				return fmt.Errorf("task on executor %d ran on threads %d and %d, want its executor's %d", i, r.before, r.after, e.ThreadID())
			}
			if e.CPUs().Len() > 0 && !r.affinity.Equal(e.CPUs()) {
				return fmt.Errorf("task on executor %d may run on %v, want its executor's %v", i, r.affinity, e.CPUs())
			}
		}
		if p.Executor(0).ThreadID() == p.Executor(1).ThreadID() {
			return fmt.Errorf("both executors on thread %d", p.Executor(0).ThreadID())
		}
		return nil
	})
}

// fakeCPU is one CPU of a fake machine: package, core, node.
type fakeCPU struct{ pkg, core, node int }

// fakeTopology builds a topology from a list of CPUs (CPU i is cpus[i];
// SMT siblings share a package and core) and the CPUs the process may use.
func fakeTopology(cpus []fakeCPU, allowed ...int) *pools.Topology {
	t := &pools.Topology{}
	for i, c := range cpus {
		var sib []int
		for j, d := range cpus {
			if d.pkg == c.pkg && d.core == c.core {
				sib = append(sib, j)
			}
		}
		t.CPUs = append(t.CPUs, pools.CPU{ID: i, Package: c.pkg, Core: c.core, Node: c.node, Siblings: pools.NewCPUSet(sib...)})
	}
	if allowed == nil {
		for i := range cpus {
			allowed = append(allowed, i)
		}
	}
	t.Allowed = pools.NewCPUSet(allowed...)
	return t
}

// twoNodeMachine: two packages on two NUMA nodes, two cores each, two
// SMT threads per core, numbered as Intel machines do (siblings n, n+2).
var twoNodeMachine = []fakeCPU{
	{0, 0, 0}, {0, 1, 0}, {0, 0, 0}, {0, 1, 0},
	{1, 0, 1}, {1, 1, 1}, {1, 0, 1}, {1, 1, 1},
}

type dryRun struct {
	label string
	pl    pools.Placement
	top   *pools.Topology
	want  string // the plan's CPUs, "" for any, "error" for impossible
}

func placementDemo(sink trace.Sink) error {
	here, err := pools.MachineTopology()
	if err != nil {
		return err
	}
	u := here.Usable().CPUs()
	first, last := pools.NewCPUSet(u[0]), pools.NewCPUSet(u[len(u)-1])
	two := fakeTopology(twoNodeMachine)
	box := fakeTopology(twoNodeMachine, 2, 3, 6) // a container's cpuset
	runs := []dryRun{
		{"Unbound(2) here", pools.Unbound(2), here, ""},
		{"MaxSpread(1) here", pools.MaxSpread(1), here, ""},
		{fmt.Sprintf("MaxSpread(%d) here", len(u)), pools.MaxSpread(len(u)), here, ""},
		{fmt.Sprintf("MaxPack(%d) here", len(u)), pools.MaxPack(len(u)), here, ""},
		{"Fenced(1) here", pools.Fenced(1, first), here, ""},
		{"Custom(first, last) here", pools.Custom(first, last), here, ""},
		{"MaxSpread(4) on two nodes", pools.MaxSpread(4), two, "0 | 4 | 1 | 5"},
		{"MaxPack(4) on two nodes", pools.MaxPack(4), two, "0 | 2 | 1 | 3"},
		{"Fenced(2) on node 1", pools.Fenced(2, pools.NewCPUSet(4, 5, 6, 7)), two, ""},
		{"MaxSpread(3) in a cpuset {2,3,6}", pools.MaxSpread(3), box, ""},
		{"MaxSpread(4) in a cpuset {2,3,6}", pools.MaxSpread(4), box, "error"},
	}
	return inPool(sink, pools.Unbound(1), pools.Options{}, func(p *pools.Pool) error {
		bad, err := join(p, 0, executor.PollFn(func(cx *executor.Context) executor.Poll[error] {
			var errs []error
			for _, r := range runs {
				plan, err := pools.DryRun(cx, r.label, r.pl, r.top)
				switch {
				case r.want == "error" && err == nil:
					errs = append(errs, fmt.Errorf("%s: planned %v, want an error", r.label, plan.Executors))
				case r.want == "error":
				case err != nil:
					errs = append(errs, fmt.Errorf("%s: %w", r.label, err))
				case r.want != "" && planCPUs(plan) != r.want:
					errs = append(errs, fmt.Errorf("%s: planned %s, want %s", r.label, planCPUs(plan), r.want))
				}
			}
			return executor.PollReady(errors.Join(errs...))
		}), "dry runs")
		return errors.Join(err, bad)
	})
}

// planCPUs renders a plan's CPU sets as DryRun's event does.
func planCPUs(plan *pools.Plan) string {
	s := ""
	for i, set := range plan.Executors {
		if i > 0 {
			s += " | "
		}
		if set.Len() == 0 {
			s += "-"
		} else {
			s += set.String()
		}
	}
	return s
}
