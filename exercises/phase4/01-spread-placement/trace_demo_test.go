package placement

import (
	"fmt"
	"strings"
	"testing"

	pools "asyncworkbook/phase4-pools"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

// TestTraceDemo is "run mine" (m in the workbook's exercise view): a
// placement is pure logic, so nothing runs on the CPUs it picks; what
// the trace shows is its dry run, as pools.DryRun reports one. One task
// asks your Spread where it would put the executors on four fake
// machines (SMT siblings, two NUMA nodes, one package split into two
// nodes, a container whose affinity mask allows four CPUs of eight) and
// once for more executors than the container has CPUs. Each answer is a
// placement-planned event in the executors view: the CPUs per executor,
// or why it is impossible. A CPU outside the usable set stops the demo.
// Skipped unless the workbook asks (it sets the trace file).
func TestTraceDemo(t *testing.T) {
	defer check.Guard(t, exercise)
	check.TraceDemo(t, func(sink trace.Sink) {
		c := check.NewClock(sink)
		const main = 1
		c.Say(trace.Spawned, main, func(e *trace.Event) { e.Name, e.By, e.Queue = "placement dry runs", trace.SourceExecutor, 1 })
		c.Say(trace.PollStarted, main, nil)
		for _, run := range []struct {
			label string
			top   *pools.Topology
			n     int
		}{
			{"Spread(4), 4 cores × 2 SMT", smtAdjacent(t, "0-7"), 4},
			{"Spread(5), 4 cores × 2 SMT", smtAdjacent(t, "0-7"), 5},
			{"Spread(4), 2 NUMA nodes", twoNodes(t, "0-7"), 4},
			{"Spread(2), 1 package, 2 nodes", subNUMA(t, "0-7"), 2},
			{"Spread(3), container cpuset 2-5", twoNodes(t, "2-5"), 3},
			{"Spread(6), container cpuset 2-5", twoNodes(t, "2-5"), 6},
		} {
			cpus, err := Spread(run.top, run.n)
			usable := run.top.Usable()
			c.Say(trace.PlacementPlanned, main, func(e *trace.Event) {
				e.Name = run.label
				if err != nil {
					e.CPUs, e.Note = "impossible", err.Error()
					return
				}
				sets := make([]string, len(cpus))
				for i, cpu := range cpus {
					sets[i] = fmt.Sprint(cpu)
				}
				e.CPUs = strings.Join(sets, " | ")
				e.Note = fmt.Sprintf("your Spread, usable %v of online %d", usable, len(run.top.CPUs))
			})
			if err != nil {
				continue
			}
			if len(cpus) != run.n {
				check.Fail(fmt.Sprintf("%s returned %d CPUs: %v", run.label, len(cpus), cpus))
			}
			for _, cpu := range cpus {
				if !usable.Has(cpu) {
					check.Fail(fmt.Sprintf("%s picked CPU %d, which is not usable (usable: %v): intersect with the affinity mask", run.label, cpu, usable))
				}
			}
		}
		c.Say(trace.PollEnded, main, func(e *trace.Event) { e.Ready = true })
		c.Say(trace.Completed, main, nil)
	})
}
