package phases

// Default returns the workbook's catalogue. Each call returns a fresh copy,
// so callers may keep or change it.
func Default() *Catalogue {
	return &Catalogue{Phases: []Phase{phase1()}}
}

// phase1 is the executor chapter: thirteen lessons, from "what is an async
// runtime" to cancellation, each with a live demo (package demos) and the
// runtime code to read next.
func phase1() Phase {
	const dir = "phase1-executor/"
	return Phase{
		ID:      "phase1",
		Number:  1,
		Title:   "The executor",
		Folder:  "phase1-executor",
		Summary: "Futures, Poll, wakers, tasks and join handles: a single-threaded executor you can step through.",
		Lessons: []Lesson{
			{
				ID:        "p1-async-runtime",
				Title:     "What an async runtime is",
				File:      "lessons/phase1/01-what-is-an-async-runtime.md",
				Demo:      "p1-promise-all",
				Exercises: []string{"phase1/04-join"},
				Code:      []string{dir + "doc.go", dir + "combinators.go"},
			},
			{
				ID:    "p1-executor-api",
				Title: "The executor's API",
				File:  "lessons/phase1/02-executor-api.md",
				Demo:  "p1-spawn-join",
				Code:  []string{dir + "executor.go", dir + "joinhandle.go", dir + "example_test.go"},
			},
			{
				ID:        "p1-futures-poll",
				Title:     "Futures and Poll",
				File:      "lessons/phase1/03-futures-and-poll.md",
				Demo:      "p1-countdown",
				Exercises: []string{"phase1/01-countdown"},
				Code:      []string{dir + "future.go", dir + "context.go", dir + "combinators.go"},
			},
			{
				ID:        "p1-async-await",
				Title:     "async/await in Go: state machines and coroutines",
				File:      "lessons/phase1/04-async-await.md",
				Demo:      "p1-async-await",
				Exercises: []string{"phase1/06-await"},
				Code:      []string{dir + "async.go", dir + "combinators.go", dir + "bench_test.go"},
			},
			{
				ID:    "p1-wakers",
				Title: "Wakers",
				File:  "lessons/phase1/05-wakers.md",
				Demo:  "p1-lost-wakeup",
				Code:  []string{dir + "waker.go", dir + "context.go", dir + "sleep.go", dir + "chan.go"},
			},
			{
				ID:    "p1-architecture",
				Title: "The architecture: loop, scheduler, driver",
				File:  "lessons/phase1/06-architecture.md",
				Demo:  "p1-timer-wake",
				Code:  []string{dir + "executor.go", dir + "scheduler.go", dir + "driver.go"},
			},
			{
				ID:        "p1-task-state",
				Title:     "A task's layout and state word",
				File:      "lessons/phase1/07-task-state.md",
				Demo:      "p1-state-word",
				Exercises: []string{"phase1/02-waker-state"},
				Code:      []string{dir + "task.go", dir + "joinhandle.go"},
			},
			{
				ID:    "p1-running-a-task",
				Title: "Running a task",
				File:  "lessons/phase1/08-running-a-task.md",
				Demo:  "p1-panic",
				Code:  []string{dir + "executor.go", dir + "task.go"},
			},
			{
				ID:    "p1-run-queue",
				Title: "The run queue",
				File:  "lessons/phase1/09-run-queue.md",
				Demo:  "p1-run-queue",
				Code:  []string{dir + "scheduler.go", dir + "inject.go", dir + "executor.go"},
			},
			{
				ID:        "p1-local-executor",
				Title:     "The local executor: turns and parking",
				File:      "lessons/phase1/10-local-executor.md",
				Demo:      "p1-park-unpark",
				Exercises: []string{"phase1/03-run-loop"},
				Code:      []string{dir + "executor.go", dir + "driver.go", dir + "inject.go"},
			},
			{
				ID:        "p1-join-handles",
				Title:     "Join handles",
				File:      "lessons/phase1/11-join-handles.md",
				Demo:      "p1-join-handle",
				Exercises: []string{"phase1/05-join-handle"},
				Code:      []string{dir + "joinhandle.go"},
			},
			{
				ID:    "p1-task-life",
				Title: "The life of a task",
				File:  "lessons/phase1/12-life-of-a-task.md",
				Demo:  "p1-ping-pong",
				Code:  []string{dir + "executor.go", dir + "chan.go", dir + "testdata/golden-spawn-join.txt"},
			},
			{
				ID:        "p1-cancel-panic",
				Title:     "Cancellation and panics",
				File:      "lessons/phase1/13-cancellation-and-panics.md",
				Demo:      "p1-cancel",
				Exercises: []string{"phase1/05-join-handle"},
				Code:      []string{dir + "joinhandle.go", dir + "future.go", dir + "async.go", dir + "combinators.go"},
			},
		},
		Exercises: []Exercise{
			{ID: "phase1/01-countdown", Title: "A countdown future", Lesson: "p1-futures-poll"},
			{ID: "phase1/02-waker-state", Title: "The waker's state word", Lesson: "p1-task-state"},
			{ID: "phase1/03-run-loop", Title: "The run loop", Lesson: "p1-local-executor"},
			{ID: "phase1/04-join", Title: "Join: wait for all", Lesson: "p1-async-runtime"},
			{ID: "phase1/05-join-handle", Title: "A join handle", Lesson: "p1-join-handles"},
			{ID: "phase1/06-await", Title: "Await on a coroutine", Lesson: "p1-async-await"},
		},
	}
}
