package demos

import (
	"errors"
	"fmt"
	"sync"
	"time"

	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/trace"
)

// Demos about wakers: who holds them, who fires them, what the state word
// does with a wake, and what happens when nobody holds one.

func init() {
	Register(Demo{
		ID:    "p1-lost-wakeup",
		Title: "A lost wakeup, rescued by a timeout",
		About: "The forgetful task returns Pending without handing its " +
			"waker to anyone, so nothing will ever poll it again: a lost " +
			"wakeup. main races its handle against a 2 ms timer with " +
			"Select; the timer wins and the stuck task is cancelled.",
		Run: lostWakeup,
	})
	Register(Demo{
		ID:    "p1-timer-wake",
		Title: "Loop, queue and driver: a timer wakes a parked executor",
		About: "A worker yields until the run queue is empty; the sleeper " +
			"waits on a 3 ms timer. With nothing ready the executor parks " +
			"in its driver, and the timer's goroutine wakes it.",
		Run: timerWake,
	})
	Register(Demo{
		ID:    "p1-park-unpark",
		Title: "Woken from another goroutine",
		About: "main twice hands its waker to a helper goroutine that does " +
			"a slow job off the executor. Watch the executor park, the " +
			"helper's wake go through the wake list, and the executor " +
			"unpark to poll main again.",
		Run: parkUnpark,
	})
	Register(Demo{
		ID:    "p1-state-word",
		Title: "The state word: coalesced wakes and wakes during a poll",
		About: "A task fires its own waker twice in one poll (the second " +
			"wake is coalesced), then has a goroutine fire it while the " +
			"poll is still running (the task is queued again when the " +
			"poll ends). A wake after it completed does nothing.",
		Run: stateWord,
	})
	Register(Demo{
		ID:    "p1-ping-pong",
		Title: "The life of a task: ping-pong over a Chan",
		About: "ping sends 0, 1, 2 to pong, which answers each plus ten. " +
			"Follow one task through spawned, queued, polled, pending " +
			"(its waker held by the channel), woken by the other task, " +
			"queued again... and completed.",
		Run: pingPong,
	})
}

var errTimeout = errors.New("timed out")

// forgetful returns Pending without registering its waker: the bug.
type forgetful struct{}

func (forgetful) Poll(*executor.Context) executor.Poll[int] {
	return executor.Pending[int]()
}

func lostWakeup(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) error {
		stuck := executor.SpawnLocal(a.Context(), executor.Future[int](forgetful{}),
			executor.WithName("forgetful"))
		timeout := executor.Async(func(a *executor.Awaiter) executor.Result[int] {
			executor.Await(a, executor.Sleep(2*time.Millisecond))
			return executor.Result[int]{Err: errTimeout}
		})
		// Select drops the loser: here the stuck task's handle, which
		// cancels the task.
		sel := executor.Await(a, executor.Select[executor.Result[int]](stuck, timeout))
		if sel.Index != 1 {
			return fmt.Errorf("the stuck task finished: %+v", sel)
		}
		// Await the cancelled task so the demo shows its end.
		r := executor.Await[executor.Result[int]](a, stuck)
		if !errors.Is(r.Err, executor.ErrCancelled) {
			return fmt.Errorf("stuck task ended with %v, want ErrCancelled", r.Err)
		}
		return nil
	})
	return run(sink, "main", main, func(err error) error { return err })
}

func timerWake(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) int {
		cx := a.Context()
		sleeper := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) int {
			executor.Await(a, executor.Sleep(3*time.Millisecond))
			return 1
		}), executor.WithName("sleeper"))
		worker := executor.SpawnLocal(cx, yields(3, 2), executor.WithName("worker"))
		rs := executor.Await(a, executor.Join[executor.Result[int]](sleeper, worker))
		return rs[0].Value + rs[1].Value
	})
	return run(sink, "main", main, want(3))
}

// slowJob is a hand-written future whose work happens on a helper
// goroutine, like a blocking call handed off to a thread pool. The helper
// fires the task's waker when the answer is in.
type slowJob struct {
	wg *sync.WaitGroup // the demo waits for its helpers before returning

	mu      sync.Mutex // guards the fields below: the helper touches them
	started bool
	done    bool
	answer  int
	waker   executor.Waker
}

func (j *slowJob) Poll(cx *executor.Context) executor.Poll[int] {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.done {
		return executor.PollReady(j.answer)
	}
	j.waker = cx.WakerFor("helper goroutine")
	if !j.started {
		j.started = true
		j.wg.Go(j.work)
	}
	return executor.Pending[int]()
}

// work runs on the helper goroutine.
func (j *slowJob) work() {
	time.Sleep(time.Millisecond) // the slow part, off the executor
	j.mu.Lock()
	j.done, j.answer = true, 21
	w := j.waker
	j.mu.Unlock()
	w.Wake() // from outside the executor: through the wake list
}

func parkUnpark(sink trace.Sink) error {
	var helpers sync.WaitGroup
	defer helpers.Wait()
	main := executor.Async(func(a *executor.Awaiter) int {
		sum := 0
		for range 2 {
			sum += executor.Await(a, executor.Future[int](&slowJob{wg: &helpers}))
		}
		return sum
	})
	return run(sink, "main", main, want(42))
}

// selfWaker fires its own waker in ways that exercise the state word.
type selfWaker struct {
	polls int
	kept  *executor.Waker // where main can find the waker afterwards
}

func (s *selfWaker) Poll(cx *executor.Context) executor.Poll[int] {
	s.polls++
	switch s.polls {
	case 1:
		// Two wakes while running: the first sets "scheduled", the
		// second finds it set and is coalesced. One more poll follows.
		w := cx.WakerFor("itself")
		cx.Wake(w)
		cx.Wake(w)
		return executor.Pending[int]()
	case 2:
		// A wake from another goroutine while this poll runs. We wait
		// for it to have fired, so the order is the same every run.
		w := cx.WakerFor("a goroutine")
		*s.kept = w
		fired := make(chan struct{})
		go func() {
			w.Wake()
			close(fired)
		}()
		<-fired
		return executor.Pending[int]()
	}
	return executor.PollReady(s.polls)
}

func stateWord(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) int {
		var kept executor.Waker
		h := executor.SpawnLocal(a.Context(), executor.Future[int](&selfWaker{kept: &kept}),
			executor.WithName("self-waker"))
		r := executor.Await[executor.Result[int]](a, h)
		// The task has completed: this wake finds "completed" in the
		// state word and does nothing at all.
		kept.Wake()
		return r.Value
	})
	return run(sink, "main", main, want(3))
}

func pingPong(sink trace.Sink) error {
	main := executor.Async(func(a *executor.Awaiter) int {
		cx := a.Context()
		toPong, toPing := executor.NewChan[int](), executor.NewChan[int]()
		ping := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) int {
			sum := 0
			for i := range 3 {
				executor.Await(a, toPong.Send(i))
				sum += executor.Await(a, toPing.Recv()).Value
			}
			toPong.Close(a.Context())
			return sum
		}), executor.WithName("ping"))
		pong := executor.SpawnLocal(cx, executor.Async(func(a *executor.Awaiter) int {
			n := 0
			for {
				r := executor.Await(a, toPong.Recv())
				if !r.OK {
					return n
				}
				executor.Await(a, toPing.Send(r.Value+10))
				n++
			}
		}), executor.WithName("pong"))
		rs := executor.Await(a, executor.Join[executor.Result[int]](ping, pong))
		return rs[0].Value*10 + rs[1].Value
	})
	// ping receives 10+11+12 = 33; pong answers 3 times.
	return run(sink, "main", main, want(333))
}
