package scheduling_test

import (
	"fmt"
	"time"

	executor "asyncworkbook/phase1-executor"
	scheduling "asyncworkbook/phase3-scheduling"
)

// A wheel fires timers in deadline order when it is advanced, never
// before their tick, and cancels in O(1).
func ExampleWheel() {
	w := scheduling.NewWheel(time.Millisecond, 0)
	var a, b, c scheduling.Timer
	w.Insert(&a, 30*time.Millisecond, func() { fmt.Println("a at 30ms") })
	w.Insert(&b, 10*time.Millisecond, func() { fmt.Println("b at 10ms") })
	w.Insert(&c, 20*time.Millisecond, func() { fmt.Println("c at 20ms") })
	w.Cancel(&c)
	next, _ := w.NextDeadline()
	fmt.Println("next deadline:", next)
	fmt.Println("fired:", w.Advance(time.Second))
	// Output:
	// next deadline: 10ms
	// b at 10ms
	// a at 30ms
	// fired: 2
}

// Two busy queues with shares 3:1, on a fake clock that the tasks move:
// the scheduler gives the first three quarters of the CPU.
func ExampleScheduler() {
	clk := &scheduling.FakeClock{}
	s := scheduling.NewScheduler(scheduling.WithClock(clk), scheduling.WithoutPreemptTimer())
	ex := executor.New(executor.WithScheduler(s))
	defer ex.Close()
	fg, _ := s.NewQueue("foreground", scheduling.Static(300), scheduling.NotImportant)
	bg, _ := s.NewQueue("background", scheduling.Static(100), scheduling.NotImportant)
	busy := func() executor.Future[int] {
		return executor.Async(func(a *executor.Awaiter) int {
			for clk.Now() < time.Second {
				clk.Advance(50 * time.Microsecond) // 50 µs of "work"
				executor.Await(a, executor.YieldNow())
			}
			return 0
		})
	}
	executor.BlockOn(ex, executor.Async(func(a *executor.Awaiter) int {
		h1 := executor.SpawnLocal(a.Context(), busy(), scheduling.In(fg))
		h2 := executor.SpawnLocal(a.Context(), busy(), scheduling.In(bg))
		executor.Await(a, h1)
		executor.Await(a, h2)
		return 0
	}))
	f, b := fg.Stats().Runtime, bg.Stats().Runtime
	fmt.Printf("foreground %.0f%%, background %.0f%%\n", 100*float64(f)/float64(f+b), 100*float64(b)/float64(f+b))
	// Output: foreground 75%, background 25%
}
