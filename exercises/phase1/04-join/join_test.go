package join

import (
	"fmt"
	"slices"
	"testing"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
	"asyncworkbook/phases/trace"
)

const exercise = "phase1/04-join"

// child is a test future: Pending `yields` times (waking itself each
// time), then Ready with value. It records what happens to it.
type child struct {
	name          string
	yields        int
	value         string
	polls         int
	firstPolledAt int  // the joining task's poll number at this child's first poll
	ready         bool // it returned Ready
	polledAfter   bool // polled again after returning Ready
	dropped       bool
	joinPolls     *int // the joining task's poll count, kept by counted
}

func (c *child) Poll(cx *executor.Context) executor.Poll[string] {
	if c.ready {
		c.polledAfter = true
		return executor.PollReady(c.value)
	}
	c.polls++
	if c.polls == 1 && c.joinPolls != nil {
		c.firstPolledAt = *c.joinPolls
	}
	if c.polls > c.yields {
		c.ready = true
		return executor.PollReady(c.value)
	}
	cx.Wake(cx.WakerFor("child " + c.name + " (itself)"))
	return executor.Pending[string]()
}

func (c *child) Drop() { c.dropped = true }

// counted wraps the future under test and counts its polls.
type counted[T any] struct {
	f     executor.Future[T]
	polls int
}

func (c *counted[T]) Poll(cx *executor.Context) executor.Poll[T] {
	c.polls++
	return c.f.Poll(cx)
}

func children(joinPolls *int, yields ...int) ([]*child, []executor.Future[string]) {
	var cs []*child
	var fs []executor.Future[string]
	for i, y := range yields {
		c := &child{name: string(rune('a' + i)), yields: y, value: fmt.Sprintf("v%d", i), joinPolls: joinPolls}
		cs = append(cs, c)
		fs = append(fs, c)
	}
	return cs, fs
}

// runJoin runs Join(children...) as the main task, traced, and checks that
// no child was polled after it was ready.
func runJoin(t *testing.T, yields ...int) ([]string, []*child, *counted[[]string], check.Trace) {
	t.Helper()
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(check.NoParking(
		"Every child here wakes itself, so the joining task is always woken: did Join pass its cx to every pending child?")))
	main := &counted[[]string]{}
	cs, fs := children(&main.polls, yields...)
	main.f = Join(fs...)
	got := check.BlockOn(t, ex, executor.Future[[]string](main))
	for _, c := range cs {
		if c.polledAfter {
			t.Errorf("child %s was polled again after it returned Ready: a finished future must never be polled again (forget it once it is ready)", c.name)
		}
	}
	return got, cs, main, check.Events(rec)
}

func TestJoinYieldsOutputsInTheOrderOfItsInputs(t *testing.T) {
	defer check.Guard(t, exercise)
	got, _, _, _ := runJoin(t, 3, 0, 1)
	if want := []string{"v0", "v1", "v2"}; !slices.Equal(got, want) {
		t.Fatalf("Join of children finishing in the order 1, 2, 0 was ready with %v, want %v (the order of the inputs)", got, want)
	}
}

func TestJoinPollsEveryChildInItsFirstPoll(t *testing.T) {
	defer check.Guard(t, exercise)
	_, cs, _, _ := runJoin(t, 2, 2, 2)
	for _, c := range cs {
		if c.firstPolledAt != 1 {
			t.Errorf("child %s was first polled in Join's poll #%d, want #1: Join must start every child in its first poll, so their waits overlap (Promise.all), instead of awaiting them one by one",
				c.name, c.firstPolledAt)
		}
	}
}

func TestJoinIsPolledOncePerWakeNotOncePerChild(t *testing.T) {
	defer check.Guard(t, exercise)
	_, cs, main, tr := runJoin(t, 1, 2, 3)
	// Every poll polls all pending children; each wakes the one task, and
	// the wakes of one poll coalesce into one re-poll: 3 Pending + 1 Ready.
	if main.polls != 4 {
		t.Errorf("the joining task was polled %d times, want 4 (the slowest child yields 3 times; the others yield within the same polls)", main.polls)
	}
	check.Polls(t, tr, 1, main.polls)
	check.Count(t, tr, 0, trace.Spawned, 1, "Join polls its children inside the joining task: it spawns no task")
	for _, c := range cs {
		if c.polls != c.yields+1 {
			t.Errorf("child %s (yields %d times) was polled %d times, want %d", c.name, c.yields, c.polls, c.yields+1)
		}
	}
}

func TestJoinNeverPollsAFinishedChildAgain(t *testing.T) {
	defer check.Guard(t, exercise)
	_, cs, _, _ := runJoin(t, 0, 4)
	if cs[0].polls != 1 {
		t.Errorf("a child ready at its first poll was polled %d times, want 1", cs[0].polls)
	}
}

func TestJoinOfNothingIsReadyAtOnce(t *testing.T) {
	defer check.Guard(t, exercise)
	got, _, main, _ := runJoin(t)
	if got == nil || len(got) != 0 {
		t.Fatalf("Join() was ready with %#v, want an empty, non-nil slice", got)
	}
	if main.polls != 1 {
		t.Fatalf("Join() was polled %d times, want 1", main.polls)
	}
}

// outsideChild is Pending until an outside goroutine fires the waker it
// was given.
type outsideChild struct {
	fired chan struct{}
	waker executor.Waker
}

func (c *outsideChild) Poll(cx *executor.Context) executor.Poll[string] {
	select {
	case <-c.fired:
		return executor.PollReady("outside")
	default:
		c.waker = cx.WakerFor("outside goroutine")
		return executor.Pending[string]()
	}
}

func TestJoinIsWokenByAChildWokenFromAnotherGoroutine(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	oc := &outsideChild{fired: make(chan struct{})}
	var g *check.Group
	driver := check.NewDriver(func(n int) {
		if n == 1 { // the executor sleeps: "the I/O completes" now
			w := oc.waker
			close(oc.fired)
			g = check.Go(1, func(int) { w.Wake() })
		}
	})
	ex := check.Executor(t, executor.WithSink(rec), executor.WithDriver(driver))
	_, fs := children(nil, 1)
	got := check.BlockOn(t, ex, Join(fs[0], executor.Future[string](oc)))
	if g == nil {
		t.Fatal("the executor never waited for the outside goroutine: was the outside child polled?")
	}
	check.Within(t, func() struct{} { g.Wait(); return struct{}{} })
	if want := []string{"v0", "outside"}; !slices.Equal(got, want) {
		t.Fatalf("Join was ready with %v, want %v", got, want)
	}
	tr := check.Events(rec)
	check.WokenBy(t, tr, 1, trace.SourceGoroutine, 0)
	check.NoLostWakeups(t, tr)
}

func TestDroppingJoinDropsOnlyUnfinishedChildren(t *testing.T) {
	defer check.Guard(t, exercise)
	rec := check.Recorder(t)
	ex := check.Executor(t, executor.WithSink(rec))
	done := &child{name: "done", value: "x"}
	forever := &child{name: "forever", yields: 1 << 30}
	// Select polls Join (one child ready, one not), then Ready, which
	// wins: Select drops the loser, Join.
	sel := check.BlockOn(t, ex, executor.Select(
		Join(executor.Future[string](done), executor.Future[string](forever)),
		executor.Ready([]string{"winner"}),
	))
	if sel.Index != 1 {
		t.Fatalf("Select picked future %d, want 1 (Join cannot be ready)", sel.Index)
	}
	if !forever.dropped {
		t.Errorf("Join was dropped but did not drop its unfinished child")
	}
	if done.dropped {
		t.Errorf("Join dropped a child that had already returned Ready: only unfinished children are dropped")
	}
}

func TestJoinSurvivesSpuriousPolls(t *testing.T) {
	defer check.Guard(t, exercise)
	ex := check.Executor(t, executor.WithDriver(check.NoParking("Every child here wakes itself.")))
	cs, fs := children(nil, 0, 3, 1)
	// A sibling wakes the task ten times: Join is polled with nothing new
	// for its children, and must neither finish early nor poll a child
	// that is done.
	got := check.BlockOn(t, ex, executor.Join2(Join(fs...), check.Jostle(10)))
	if want := []string{"v0", "v1", "v2"}; !slices.Equal(got.A, want) {
		t.Fatalf("Join polled spuriously by a sibling was ready with %v, want %v", got.A, want)
	}
	for _, c := range cs {
		if c.polledAfter {
			t.Errorf("child %s was polled again after it returned Ready, when a sibling woke the task: forget a child once it is ready", c.name)
		}
	}
}
