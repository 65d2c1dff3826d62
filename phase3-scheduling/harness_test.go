package scheduling_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

// fakeRig is an executor whose scheduler reads a FakeClock that only the
// tasks move: a CPU-bound task "runs" by advancing it. Every decision is
// then reproducible, on any machine, under the race detector.
type fakeRig struct {
	clk *scheduling.FakeClock
	s   *scheduling.Scheduler
	ex  *executor.Executor
	log []string // "queue:task" per poll, for failure messages
}

func newFakeRig(t testing.TB, opts ...scheduling.SchedOption) *fakeRig {
	t.Helper()
	clk := &scheduling.FakeClock{}
	opts = append([]scheduling.SchedOption{scheduling.WithClock(clk), scheduling.WithoutPreemptTimer()}, opts...)
	s := scheduling.NewScheduler(opts...)
	ex := executor.New(executor.WithScheduler(s))
	t.Cleanup(ex.Close)
	return &fakeRig{clk: clk, s: s, ex: ex}
}

func (r *fakeRig) queue(t testing.TB, name string, sh scheduling.Shares, lat scheduling.Latency) *scheduling.Queue {
	t.Helper()
	q, err := r.s.NewQueue(name, sh, lat)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// spinner is a CPU-bound task: each poll costs cost of fake time, then it
// wakes itself, until the clock reaches until.
func (r *fakeRig) spinner(name string, cost, until time.Duration) executor.Future[int] {
	return r.spinnerHook(name, cost, until, nil)
}

// spinnerHook is spinner with a hook called at the start of each poll
// (tests use it to act at a moment of fake time without a task that
// polls for nothing: a poll that costs no time costs no vruntime either,
// and would be picked forever).
func (r *fakeRig) spinnerHook(name string, cost, until time.Duration, hook func(cx *executor.Context)) executor.Future[int] {
	polls := 0
	return executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
		if hook != nil {
			hook(cx)
		}
		if r.clk.Now() >= until {
			return executor.PollReady(polls)
		}
		polls++
		r.log = append(r.log, name)
		r.clk.Advance(cost)
		cx.Wake(cx.Waker())
		return executor.Pending[int]()
	})
}

// run spawns each future into its queue from main, and waits for all.
func (r *fakeRig) run(t testing.TB, spawn func(cx *executor.Context) []executor.JoinHandle[int]) []int {
	t.Helper()
	var hs []executor.JoinHandle[int]
	outs, err := executor.BlockOn(r.ex, executor.FutureFunc[[]int](func(cx *executor.Context) executor.Poll[[]int] {
		if hs == nil {
			hs = spawn(cx)
		}
		out := make([]int, len(hs))
		for i := range hs {
			p := hs[i].Poll(cx)
			v, ok := p.Value()
			if !ok {
				return executor.Pending[[]int]()
			}
			out[i] = v.Value
		}
		return executor.PollReady(out)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// runs compresses the poll log into runs: "a×10 b×5 a×10 ...".
func runs(log []string, limit int) string {
	var b strings.Builder
	for i := 0; i < len(log) && limit > 0; limit-- {
		j := i
		for j < len(log) && log[j] == log[i] {
			j++
		}
		fmt.Fprintf(&b, "%s×%d ", log[i], j-i)
		i = j
	}
	return b.String()
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
