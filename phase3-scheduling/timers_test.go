package scheduling_test

import (
	"slices"
	"testing"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

// fakeDriver is a TimeoutDriver over a FakeClock: a park with a timeout
// moves the clock to the deadline at once and records how long it was
// asked to wait (-1: a park without a deadline). A test reads the parks
// to see exactly when the executor went to sleep and for how long.
type fakeDriver struct {
	clk   *scheduling.FakeClock
	parks []time.Duration
	token chan struct{}
}

func newFakeDriver(clk *scheduling.FakeClock) *fakeDriver {
	return &fakeDriver{clk: clk, token: make(chan struct{}, 1)}
}

func (d *fakeDriver) ParkTimeout(w time.Duration) string {
	select {
	case <-d.token:
		return "woken"
	default:
	}
	d.parks = append(d.parks, w)
	d.clk.Advance(w)
	return executor.ParkDeadline
}

func (d *fakeDriver) Park() string {
	d.parks = append(d.parks, -1)
	<-d.token
	return "woken"
}

func (d *fakeDriver) Unpark() {
	select {
	case d.token <- struct{}{}:
	default:
	}
}

func (d *fakeDriver) Poll() {}

func newFakeRuntime(t testing.TB, opts ...scheduling.RuntimeOption) (*scheduling.Runtime, *fakeDriver, *scheduling.FakeClock) {
	t.Helper()
	clk := &scheduling.FakeClock{}
	d := newFakeDriver(clk)
	opts = append([]scheduling.RuntimeOption{scheduling.WithRuntimeClock(clk), scheduling.WithBaseDriver(d),
		scheduling.WithSchedulerOptions(scheduling.WithoutPreemptTimer())}, opts...)
	rt := scheduling.NewRuntime(opts...)
	t.Cleanup(rt.Close)
	return rt, d, clk
}

func TestSleepersWakeInDeadlineOrderWithOneTimedParkEach(t *testing.T) {
	rt, d, clk := newFakeRuntime(t)
	var order []time.Duration
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		var hs []executor.JoinHandle[int]
		for _, ms := range []time.Duration{30, 10, 20} {
			hs = append(hs, executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
				executor.Await(aw, rt.Sleep(ms*time.Millisecond))
				order = append(order, clk.Now())
				return 0
			})))
		}
		for _, h := range hs {
			executor.Await(aw, h)
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}; !slices.Equal(order, want) {
		t.Fatalf("sleepers woke at %v, want %v", order, want)
	}
	// One park per deadline, each exactly as long as the wait: no
	// periodic wakeups in between.
	if want := []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}; !slices.Equal(d.parks, want) {
		t.Fatalf("parks = %v, want %v", d.parks, want)
	}
}

func TestTimeoutCancelsItsTimerWhenTheFutureWins(t *testing.T) {
	rt, d, _ := newFakeRuntime(t)
	res, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) executor.Result[struct{}] {
		r := executor.Await(aw, scheduling.Timeout(rt, rt.Sleep(5*time.Millisecond), 10*time.Millisecond))
		if n := rt.Wheel().Len(); n != 0 {
			t.Errorf("after the future won, %d timers are left in the wheel", n)
		}
		return r
	}))
	if err != nil || res.Err != nil {
		t.Fatalf("Timeout(Sleep(5ms), 10ms) = %v, %v; want success", res.Err, err)
	}
	if !slices.Equal(d.parks, []time.Duration{5 * time.Millisecond}) {
		t.Fatalf("parks = %v, want one of 5ms (the 10 ms timer cancelled, never waited for)", d.parks)
	}
}

// never is a future that is never ready and records being dropped.
type never struct{ dropped bool }

func (n *never) Poll(cx *executor.Context) executor.Poll[int] {
	_ = cx.WakerFor("nobody")
	return executor.Pending[int]()
}
func (n *never) Drop() { n.dropped = true }

func TestTimeoutDropsTheFutureWhenTimeRunsOut(t *testing.T) {
	rt, _, clk := newFakeRuntime(t)
	f := &never{}
	res, err := scheduling.BlockOn(rt, scheduling.Timeout(rt, executor.Future[int](f), 10*time.Millisecond))
	if err != nil || res.Err != scheduling.ErrTimeout {
		t.Fatalf("Timeout(never, 10ms) = %v, %v; want ErrTimeout", res.Err, err)
	}
	if !f.dropped || clk.Now() != 10*time.Millisecond {
		t.Fatalf("dropped = %v at %v; want true at 10ms", f.dropped, clk.Now())
	}
}

func TestIntervalTicksOnItsGridAndSkipsMissedTicks(t *testing.T) {
	rt, _, clk := newFakeRuntime(t)
	var at []time.Duration
	var counts []int
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		iv := rt.NewInterval(10 * time.Millisecond)
		defer iv.Stop()
		for i := range 4 {
			if i == 2 {
				clk.Advance(35 * time.Millisecond) // a long poll: ticks 3, 4 and 5 are missed
			}
			counts = append(counts, executor.Await(aw, iv.Tick()))
			at = append(at, clk.Now())
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	wantAt := []time.Duration{10, 20, 55, 60}
	for i := range wantAt {
		wantAt[i] *= time.Millisecond
	}
	if !slices.Equal(at, wantAt) || !slices.Equal(counts, []int{1, 1, 3, 1}) {
		t.Fatalf("ticks at %v counting %v; want %v counting [1 1 3 1]", at, counts, wantAt)
	}
}

func TestTimersFireOnBusyTurnsWithoutParking(t *testing.T) {
	rt, d, clk := newFakeRuntime(t)
	var woke time.Duration
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		h := executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
			executor.Await(aw, rt.Sleep(time.Millisecond))
			woke = clk.Now()
			return 0
		}))
		for woke == 0 && clk.Now() < time.Second {
			clk.Advance(100 * time.Microsecond) // busy work
			executor.Await(aw, executor.YieldNow())
		}
		executor.Await(aw, h)
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.parks) != 0 || woke < time.Millisecond || woke > 1300*time.Microsecond {
		t.Fatalf("sleeper woke at %v with parks %v; want about 1ms and no park", woke, d.parks)
	}
}

func TestAWakeFromAnotherGoroutineCutsATimedParkShort(t *testing.T) {
	rt := scheduling.NewRuntime() // real clock, ChanDriver
	defer rt.Close()
	wakers := make(chan executor.Waker, 1)
	go func() { (<-wakers).Wake() }() // from outside the executor
	start := time.Now()
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		long := executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
			executor.Await(aw, rt.Sleep(time.Hour))
			return 0
		}))
		defer long.Cancel()
		// Hand our waker to the goroutine and wait: the executor parks
		// until the hour's deadline, and the goroutine's wake ends it.
		sent := false
		executor.Await(aw, executor.FutureFunc[int](func(cx *executor.Context) executor.Poll[int] {
			if sent {
				return executor.PollReady(0)
			}
			sent = true
			wakers <- cx.WakerFor("goroutine")
			return executor.Pending[int]()
		}))
		return 0
	}))
	if err != nil || time.Since(start) > 30*time.Second {
		t.Fatalf("err %v after %v; want done at once, not at the hour's deadline", err, time.Since(start))
	}
	if st := rt.Driver().Stats(); st.TimedParks == 0 {
		t.Logf("the wake came before the executor parked (stats %+v): still correct", st)
	}
}

func TestSleepUntilFiresInDeadlineOrderHoweverLateItIsArmed(t *testing.T) {
	rt, _, clk := newFakeRuntime(t)
	var order []int
	_, err := scheduling.BlockOn(rt, executor.Async(func(aw *executor.Awaiter) int {
		base := clk.Now()
		var hs []executor.JoinHandle[int]
		for _, ms := range []int{30, 10, 20} {
			hs = append(hs, executor.SpawnLocal(aw.Context(), executor.Async(func(aw *executor.Awaiter) int {
				clk.Advance(8 * time.Millisecond) // each is armed 8 ms after the one before
				executor.Await(aw, rt.SleepUntil(base+time.Duration(ms)*time.Millisecond))
				order = append(order, ms)
				return 0
			})))
		}
		for _, h := range hs {
			executor.Await(aw, h)
		}
		return 0
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []int{10, 20, 30}) {
		t.Fatalf("SleepUntil(base+30/10/20ms), armed 8 ms apart, woke in the order %v, want [10 20 30]", order)
	}
}
