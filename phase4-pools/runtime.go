//go:build linux || darwin

package pools

import (
	"fmt"
	"sort"
	"strings"

	iouring "asyncworkbook/phase2-iouring"
	scheduling "asyncworkbook/phase3-scheduling"
)

// Each pool executor is phase 3's Runtime — task queues with shares and
// latency classes, the timer wheel, parking until the next deadline,
// NeedPreempt — on a phase-2 reactor that the executor's thread created
// and alone enters. This file holds what the pool adds around it: the
// queues every executor gets (Options.Queues), the setup flags of the
// executor's ring (Options.Ring), and the ways a task reaches its
// executor's runtime.

// QueueSpec describes a task queue that every executor of a pool gets,
// besides phase 3's "default" (where the pool's own tasks and tasks
// spawned without a queue go). Shares and Latency are as for
// scheduling.Scheduler.NewQueue.
type QueueSpec struct {
	Name    string
	Shares  scheduling.Shares
	Latency scheduling.Latency
}

// checkQueues rejects specs no executor could create, before any thread
// starts: an empty or duplicate name, a name taken by the default queue.
// Shares and latency are checked by NewQueue, on each executor's thread.
func checkQueues(specs []QueueSpec) error {
	seen := map[string]bool{"default": true}
	for _, s := range specs {
		if s.Name == "" {
			return fmt.Errorf("pools: a queue needs a name")
		}
		if seen[s.Name] {
			return fmt.Errorf("pools: queue %q named twice (or it is the default queue's name)", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// Queue returns the executor's task queue named name, to spawn into with
// scheduling.In — web, err := p.Executor(i).Queue("web"), then
// Spawn(p, i, f, scheduling.In(web)) or SubmitTo(p, i, fn,
// scheduling.In(web)). It is a queue of one executor, not of the pool: a
// task spawned with another executor's queue goes to the default queue. Safe from any goroutine:
// the queues are made before New returns and never change; what a queue
// holds is the executor's alone. The error names the queues there are.
func (e *Executor) Queue(name string) (*scheduling.Queue, error) {
	if q, ok := e.queues[name]; ok {
		return q, nil
	}
	names := make([]string, 0, len(e.queues))
	for n := range e.queues {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("pools: executor %d has no queue %q (it has %s)", e.id, name, strings.Join(names, ", "))
}

// Runtime returns the executor's phase-3 runtime, for its tasks: Sleep
// on its wheel, Scheduler().NeedPreempt and MaybeYield. Executor
// goroutine only, as everything of the runtime but Spawn.
func (e *Executor) Runtime() *scheduling.Runtime { return e.rt }

// RingSetup chooses the io_uring setup flags of each executor's ring.
// The executor's thread creates its ring, enters it and closes it, and
// never runs another executor, so the flags that hold the kernel to one
// issuing thread are safe here (phase 2's NewReactorWith). A flag the
// kernel refuses is dropped; ExecReport.Ring says what each ring got.
type RingSetup uint8

const (
	// RingDefault is the measured best on this workbook's machine:
	// RingDeferTaskrun, never worse than COOP_TASKRUN in echo-pool's
	// rounds and best in every run of BenchmarkSubmitTo (batch64: 3.2 µs
	// a request against 10.5 coop and 6.2 single-issuer; doc.go has the
	// table and the commands).
	RingDefault RingSetup = iota
	// RingCoopTaskrun is phase 2's ring: IORING_SETUP_COOP_TASKRUN (5.19),
	// any thread may enter.
	RingCoopTaskrun
	// RingSingleIssuer adds IORING_SETUP_SINGLE_ISSUER (6.0): the kernel
	// skips the submission lock.
	RingSingleIssuer
	// RingDeferTaskrun is SINGLE_ISSUER with IORING_SETUP_DEFER_TASKRUN
	// (6.1): completion work runs only when the thread enters to wait.
	RingDeferTaskrun
)

var ringSetupNames = [...]string{"default", "coop", "single-issuer", "defer-taskrun"}

// String names the setting as ParseRingSetup reads it.
func (s RingSetup) String() string {
	if int(s) < len(ringSetupNames) {
		return ringSetupNames[s]
	}
	return fmt.Sprintf("RingSetup(%d)", s)
}

// ParseRingSetup reads a RingSetup by its String (for flags).
func ParseRingSetup(s string) (RingSetup, error) {
	for i, n := range ringSetupNames {
		if n == s {
			return RingSetup(i), nil
		}
	}
	return 0, fmt.Errorf("pools: ring setup %q: want one of %s", s, strings.Join(ringSetupNames[:], ", "))
}

// resolve turns RingDefault into the measured best.
func (s RingSetup) resolve() RingSetup {
	if s == RingDefault {
		return RingDeferTaskrun
	}
	return s
}

// options are the reactor options of the setting.
func (s RingSetup) options() []iouring.ReactorOption {
	switch s.resolve() {
	case RingSingleIssuer:
		return []iouring.ReactorOption{iouring.WithSingleIssuer()}
	case RingDeferTaskrun:
		return []iouring.ReactorOption{iouring.WithDeferTaskrun()}
	}
	return nil
}

// preemptRing describes phase 3's preemption signal and, when it is a
// second ring, that ring's setup flags. That ring must not have
// DEFER_TASKRUN: NeedPreempt reads its CQ tail without entering the
// kernel, and with DEFER_TASKRUN the timeout's CQE would be posted only
// at the next enter — never, while a task spins.
func preemptRing(s *scheduling.Scheduler) string {
	flags, ok := s.PreemptRingFlags()
	if !ok {
		return s.PreemptSignal()
	}
	return "preempt ring " + iouring.SetupFlagNames(flags)
}

// ringNote is what the report and the executor-started event say of the
// executor's rings: "io_uring SINGLE_ISSUER COOP_TASKRUN; preempt ring
// none".
func (r ExecReport) ringNote() string {
	s := r.Ring
	if r.Setup != "" && !strings.HasPrefix(r.Ring, "fallback") {
		s += " " + r.Setup
	}
	if r.Preempt != "" {
		s += "; " + r.Preempt
	}
	return s
}
