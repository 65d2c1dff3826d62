package optable

import (
	"fmt"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase2/03-op-table"

// script is what "the kernel" does each time the executor parks: every
// task is waiting for a completion then, as in the real reactor, which
// reaps CQEs when the executor has nothing to run. Each step returns what
// Complete said. Running out of steps means a task waits for a wake that
// will never come.
type script struct {
	steps []func() bool
	saw   []bool // each Complete's answer
}

func (s *script) driver() *check.Driver {
	var d *check.Driver
	d = check.NewDriver(func(n int) {
		if len(s.steps) == 0 {
			check.Fail("the executor parked, but the kernel has no completion left to deliver: a task waits for a wake that never comes " +
				"(did Complete fire the waker Start was given?)")
		}
		step := s.steps[0]
		s.steps = s.steps[1:]
		s.saw = append(s.saw, step())
		d.Unpark() // one step per park: park again for the next
	})
	return d
}

// complete is a step delivering one CQE for the op named name.
func complete(tb *Table, k *Kernel, name string, res int32) func() bool {
	return func() bool {
		ud, ok := k.Submitted[name]
		if !ok {
			check.Fail(fmt.Sprintf("the kernel was to complete op %q, which was never submitted", name))
		}
		return tb.Complete(CQE{UserData: ud, Res: res})
	}
}

// raw is a step delivering a CQE with any user_data.
func raw(tb *Table, c CQE) func() bool { return func() bool { return tb.Complete(c) } }

// setup returns a table, a kernel, a script, a recorder and an executor
// that runs the script when it parks.
func setup(t *testing.T) (*Table, *Kernel, *script, *trace.Recorder, *executor.Executor) {
	tb, k, s := &Table{}, NewKernel(), &script{}
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(s.driver()))
	return tb, k, s, rec, ex
}

// wakes returns how many times task was woken by a completion, and
// whether anything else woke it.
func wakes(tr check.Trace, task uint64) (byCompletion, other int) {
	for _, e := range tr.Of(task).Only(trace.Woken) {
		if e.By == trace.SourceCompletion {
			byCompletion++
		} else {
			other++
		}
	}
	return
}

// spawnOps spawns one task per name, each awaiting Op(name), and returns
// their handles.
func spawnOps(cx *executor.Context, tb *Table, k *Kernel, names ...string) []executor.JoinHandle[int32] {
	var hs []executor.JoinHandle[int32]
	for _, n := range names {
		hs = append(hs, executor.SpawnLocal(cx, Op(tb, k, n), executor.WithName(n)))
	}
	return hs
}

// awaitAll is a main task: spawn the ops, await their results in order.
func awaitAll(tb *Table, k *Kernel, names ...string) executor.Future[[]executor.Result[int32]] {
	return executor.Async(func(a *executor.Awaiter) []executor.Result[int32] {
		var out []executor.Result[int32]
		for _, h := range spawnOps(a.Context(), tb, k, names...) {
			out = append(out, executor.Await(a, executor.Future[executor.Result[int32]](h)))
		}
		return out
	})
}

func TestACompletionWakesTheTaskThatStartedTheOp(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, rec, ex := setup(t)
	// The CQEs come back in another order than the SQEs went.
	s.steps = []func() bool{
		complete(tb, k, "b", 200),
		complete(tb, k, "c", 300),
		complete(tb, k, "a", 100),
	}
	got := check.BlockOn(t, ex, awaitAll(tb, k, "a", "b", "c"))
	tr := check.Events(rec)
	for i, want := range []int32{100, 200, 300} {
		name := string(rune('a' + i))
		if got[i].Err != nil || got[i].Value != want {
			t.Errorf("op %s: its task got %+v, want %d (the Res of its own CQE); trace:%s", name, got[i], want, tr.Dump(80))
		}
		task, _ := tr.TaskNamed(name)
		byC, other := wakes(tr, task)
		if byC != 1 || other != 0 {
			t.Errorf("task %s (T%d) was woken %d times by a completion and %d times otherwise, want exactly once, by its completion; its events:%s",
				name, task, byC, other, tr.Of(task).Dump(40))
		}
		check.Polls(t, tr, task, 2) // start, then collect
	}
	for i, ok := range s.saw {
		if !ok {
			t.Errorf("Complete returned false for CQE #%d, which was for an op in flight", i+1)
		}
	}
	check.NoLostWakeups(t, tr)
}

func TestAStaleUserDataDoesNotWakeTheSlotsNewOp(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, rec, ex := setup(t)
	var staleUD uint64
	s.steps = []func() bool{
		complete(tb, k, "first", 7),
		// The first op is over and its entry was freed; "second" has
		// most likely taken it. A late CQE for "first" arrives again.
		func() bool { staleUD = k.Submitted["first"]; return tb.Complete(CQE{UserData: staleUD, Res: -125}) },
		complete(tb, k, "second", 42),
	}
	type out struct{ first, second int32 }
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) out {
		var o out
		o.first = executor.Await(a, Op(tb, k, "first"))
		o.second = executor.Await(a, Op(tb, k, "second"))
		return o
	}))
	tr := check.Events(rec)
	if len(s.saw) >= 2 && s.saw[1] {
		t.Errorf("Complete returned true for a stale CQE (user_data %#x of op \"first\", which was already collected; op \"second\" has user_data %#x): "+
			"a user_data must name one op, not just a slot — put a generation count in it", staleUD, k.Submitted["second"])
	}
	if got.first != 7 || got.second != 42 {
		t.Errorf("the ops returned %d and %d, want 7 and 42: the stale CQE (res -125) was taken for the second op's result; trace:%s", got.first, got.second, tr.Dump(80))
	}
	main, _ := tr.TaskNamed("main")
	if main == 0 {
		main = 1
	}
	byC, _ := wakes(tr, main)
	if byC != 2 {
		t.Errorf("the task was woken %d times by completions, want 2 (one per op; the stale CQE must wake nobody); its events:%s", byC, tr.Of(main).Dump(60))
	}
	if len(s.saw) != 3 {
		t.Errorf("the kernel delivered %d of its 3 CQEs: the task finished before the last one, so it took another CQE for its own; trace:%s", len(s.saw), tr.Dump(80))
	}
	if k.Submitted["first"] == k.Submitted["second"] {
		t.Errorf("two ops, one after the other in the same slot, got the same user_data %#x: bump the slot's generation on every Start and put it in the user_data", k.Submitted["first"])
	}
}

func TestUnknownAndDuplicateCQEsAreIgnored(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, rec, ex := setup(t)
	s.steps = []func() bool{
		raw(tb, CQE{UserData: 1<<32 | 999, Res: 1}), // a slot that was never used
		raw(tb, CQE{UserData: ^uint64(0), Res: 1}),  // garbage
		func() bool {
			// The op's CQE, and the same CQE again in the same reap.
			ud := k.Submitted["op"]
			first := tb.Complete(CQE{UserData: ud, Res: 5})
			second := tb.Complete(CQE{UserData: ud, Res: 6})
			return first && !second
		},
	}
	got := check.BlockOn(t, ex, awaitAll(tb, k, "op"))
	tr := check.Events(rec)
	if len(s.saw) != 3 {
		t.Fatalf("the kernel delivered %d of its 3 steps; trace:%s", len(s.saw), tr.Dump(80))
	}
	if s.saw[0] || s.saw[1] {
		t.Errorf("Complete returned true for a user_data no op has (%v): ignore it, without panicking", s.saw[:2])
	}
	if !s.saw[2] {
		t.Errorf("for one op's CQE delivered twice, Complete must return true the first time and false the second")
	}
	if got[0].Value != 5 {
		t.Errorf("the op returned %d, want 5 (its first CQE; the duplicate must not overwrite it)", got[0].Value)
	}
	task, _ := tr.TaskNamed("op")
	if byC, _ := wakes(tr, task); byC != 1 {
		t.Errorf("the op's task was woken %d times by completions, want 1; its events:%s", byC, tr.Of(task).Dump(40))
	}
}

func TestManyOpsReuseTheTable(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, rec, ex := setup(t)
	const rounds, width = 5, 20
	// Each round: 20 ops in flight at once, completed in reverse order.
	var names [][]string
	for r := range rounds {
		var ns []string
		for i := range width {
			ns = append(ns, fmt.Sprintf("r%d-op%d", r, i))
		}
		names = append(names, ns)
		for i := width - 1; i >= 0; i-- {
			s.steps = append(s.steps, complete(tb, k, ns[i], int32(1000*r+i)))
		}
	}
	got := check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) [][]executor.Result[int32] {
		var out [][]executor.Result[int32]
		for _, ns := range names {
			out = append(out, executor.Await(a, awaitAll(tb, k, ns...)))
		}
		return out
	}))
	tr := check.Events(rec)
	seen := map[uint64]string{}
	for r, ns := range names {
		for i, n := range ns {
			if v := got[r][i].Value; v != int32(1000*r+i) {
				t.Errorf("op %s returned %d, want %d", n, v, 1000*r+i)
			}
			ud := k.Submitted[n]
			if prev, dup := seen[ud]; dup && !t.Failed() {
				t.Errorf("ops %s and %s both got user_data %#x: each op needs its own, even when it reuses another's slot (a generation count)", prev, n, ud)
			}
			seen[ud] = n
		}
	}
	for i, ok := range s.saw {
		if !ok {
			t.Errorf("Complete returned false for CQE #%d, which was for an op in flight", i+1)
			break
		}
	}
	check.NoLostWakeups(t, tr)
	check.Leak(t, tb.Len(), "op-table entries", "every op was collected by Result, which frees its entry")
}

// TestTheTableDoesNotGrowWhenReused runs a thousand ops one after the
// other: a table that never frees its entries holds a thousand.
func TestTheTableDoesNotGrowWhenReused(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, _, ex := setup(t)
	const ops = 1000
	var names []string
	for i := range ops {
		n := fmt.Sprintf("op%d", i)
		names = append(names, n)
		s.steps = append(s.steps, complete(tb, k, n, int32(i)))
	}
	peak := 0
	check.BlockOn(t, ex, executor.Async(func(a *executor.Awaiter) int {
		for _, n := range names {
			executor.Await(a, Op(tb, k, n))
			peak = max(peak, tb.Len())
		}
		return 0
	}))
	if peak > 1 || tb.Len() != 0 {
		t.Fatalf("%d ops, one at a time, left the table with %d entries taken (at most %d after an op was collected), want 0: Result must free the entry it collects, and Start must reuse freed entries", ops, tb.Len(), peak)
	}
}

// TestAMovedOpWakesTheTaskThatAwaitsItNow moves an op from one task to
// another after its first poll (check.Handoff): its completion must wake
// the second task.
func TestAMovedOpWakesTheTaskThatAwaitsItNow(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, _, ex := setup(t)
	s.steps = []func() bool{
		complete(tb, k, "moved", 9),
		func() bool {
			check.Fail("the moved op's CQE came, but the task awaiting the op now was never woken: the table fired the waker Start was given, whose task has moved on. " +
				"Result(ud, w) must keep w, the newest poll's waker, while the op is in flight.")
			return false
		},
	}
	ho := check.NewHandoff(Op(tb, k, "moved"), 1)
	if check.BlockOn(t, ex, ho.First()) {
		t.Fatal("the op was ready at its first poll, before its CQE")
	}
	if got := check.BlockOn(t, ex, ho.Second()); got != 9 {
		t.Fatalf("the moved op returned %d, want 9", got)
	}
}

// TestSpuriousPollsKeepTheEntry polls an op again and again before its
// CQE (a sibling wakes the task: check.Jostle), then starts another op.
// Nothing may be freed or reused before the CQE came.
func TestSpuriousPollsKeepTheEntry(t *testing.T) {
	defer check.Guard(t, exercise)
	tb, k, s, _, ex := setup(t)
	s.steps = []func() bool{
		complete(tb, k, "a", 1),
		complete(tb, k, "b", 2),
	}
	got := check.BlockOn(t, ex, executor.Join2(Op(tb, k, "a"), executor.Async(func(aw *executor.Awaiter) int32 {
		executor.Await(aw, check.Jostle(5)) // wakes the task that also polls "a"
		return executor.Await(aw, Op(tb, k, "b"))
	})))
	if got.A != 1 || got.B != 2 {
		t.Fatalf("ops a and b returned %d and %d, want 1 and 2", got.A, got.B)
	}
	for i, ok := range s.saw {
		if !ok {
			t.Fatalf("Complete returned false for CQE #%d, for an op in flight: after spurious polls (Result before the CQE came) its entry was freed or reused", i+1)
		}
	}
	if k.Submitted["a"] == k.Submitted["b"] {
		t.Fatalf("op b got op a's user_data %#x while a was in flight", k.Submitted["a"])
	}
}
