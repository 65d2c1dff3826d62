package phases

// Default returns the workbook's catalogue. Each call returns a fresh copy,
// so callers may keep or change it.
func Default() *Catalogue {
	return &Catalogue{Phases: []Phase{phase1(), phase2(), phase3(), phase4()}}
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
				Exercises: []string{"phase1/00-two-at-once"},
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
				ID:        "p1-wakers",
				Title:     "Wakers",
				File:      "lessons/phase1/05-wakers.md",
				Demo:      "p1-lost-wakeup",
				Exercises: []string{"phase1/04-join"},
				Code:      []string{dir + "waker.go", dir + "context.go", dir + "sleep.go", dir + "chan.go"},
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
		// In teaching order: each opens after the lesson that teaches what
		// it needs (a test checks the order against the lessons').
		Exercises: []Exercise{
			{ID: "phase1/00-two-at-once", Title: "Two at once", Lesson: "p1-async-runtime", Demo: "p1-promise-all"},
			{ID: "phase1/01-countdown", Title: "A countdown future", Lesson: "p1-futures-poll", Demo: "p1-countdown"},
			{ID: "phase1/06-await", Title: "Await on a coroutine", Lesson: "p1-async-await", Demo: "p1-async-await"},
			{ID: "phase1/04-join", Title: "Join: wait for all", Lesson: "p1-wakers", Demo: "p1-promise-all"},
			{ID: "phase1/02-waker-state", Title: "The waker's state word", Lesson: "p1-task-state", Demo: "p1-state-word"},
			{ID: "phase1/03-run-loop", Title: "The run loop", Lesson: "p1-local-executor", Demo: "p1-park-unpark"},
			{ID: "phase1/05-join-handle", Title: "A join handle", Lesson: "p1-join-handles", Demo: "p1-join-handle"},
		},
	}
}

// phase2 is the io_uring chapter: eleven lessons, from "what asynchronous
// I/O is" to the pure-Go fallback ring, each with a demo on the reactor
// (package demos registers them on Linux only; phase 2 is Linux-only).
func phase2() Phase {
	const dir = "phase2-iouring/"
	return Phase{
		ID:      "phase2",
		Number:  2,
		Title:   "Asynchronous I/O over io_uring",
		Folder:  "phase2-iouring",
		Summary: "The submission and completion rings, a reactor that drives them once per loop turn, async files, sockets and timers, cancellation that keeps buffers safe, and a pure-Go fallback ring.",
		Lessons: []Lesson{
			{
				ID:        "p2-async-io",
				Title:     "What asynchronous I/O is",
				File:      "lessons/phase2/01-async-io.md",
				Demo:      "p2-file-and-socket",
				Exercises: []string{"phase2/05-echo-server"},
				Code:      []string{dir + "doc.go", dir + "example_linux_test.go", dir + "file.go", dir + "tcp.go"},
			},
			{
				ID:    "p2-nonblocking-vs-completion",
				Title: "Non-blocking I/O and completion I/O",
				File:  "lessons/phase2/02-nonblocking-vs-completion.md",
				Demo:  "p2-completion-read",
				Code:  []string{dir + "file.go", dir + "prep.go", dir + "fallback.go"},
			},
			{
				ID:        "p2-rings",
				Title:     "The rings: SQ, CQ, SQE and CQE",
				File:      "lessons/phase2/03-rings.md",
				Demo:      "p2-ring-round-trip",
				Exercises: []string{"phase2/01-push-sqe"},
				Code:      []string{dir + "ring_linux.go", dir + "abi_linux.go", dir + "ring_linux_test.go"},
			},
			{
				ID:    "p2-batching",
				Title: "Batching: one io_uring_enter per loop turn",
				File:  "lessons/phase2/04-batching.md",
				Demo:  "p2-batch-reads",
				Code:  []string{dir + "reactor.go", dir + "ring_linux_test.go", dir + "limits_linux_test.go", "phase1-executor/executor.go"},
			},
			{
				ID:    "p2-submitting",
				Title: "Step 1: prepare and submit",
				File:  "lessons/phase2/05-submitting.md",
				Demo:  "p2-kernel-sleep",
				Code:  []string{dir + "reactor.go", dir + "ring_linux.go", dir + "prep.go", dir + "rings_linux.go", dir + "timer.go"},
			},
			{
				ID:        "p2-reaping",
				Title:     "Step 2: reap completions",
				File:      "lessons/phase2/06-reaping.md",
				Demo:      "p2-out-of-order",
				Exercises: []string{"phase2/02-reap-cqes"},
				Code:      []string{dir + "ring_linux.go", dir + "reactor.go", dir + "limits_linux_test.go"},
			},
			{
				ID:        "p2-waking",
				Title:     "Step 3: from a CQE to its task",
				File:      "lessons/phase2/07-waking.md",
				Demo:      "p2-echo",
				Exercises: []string{"phase2/03-op-table"},
				Code:      []string{dir + "reactor.go", dir + "rings_linux.go", "phase1-executor/executor.go"},
			},
			{
				ID:        "p2-op-life",
				Title:     "The life of an I/O operation",
				File:      "lessons/phase2/08-op-life.md",
				Demo:      "p2-op-life",
				Exercises: []string{"phase2/04-read-future"},
				Code:      []string{dir + "opfuture.go", dir + "file.go", dir + "tcp.go"},
			},
			{
				ID:        "p2-cancellation",
				Title:     "Cancelling I/O",
				File:      "lessons/phase2/09-cancellation.md",
				Demo:      "p2-cancel-read",
				Exercises: []string{"phase2/06-cancel-safe-accept"},
				Code:      []string{dir + "reactor.go", dir + "opfuture.go", dir + "tcp.go", dir + "reactor_linux_test.go"},
			},
			{
				ID:    "p2-readiness-vs-completion",
				Title: "Readiness and completion: Go's netpoller and io_uring",
				File:  "lessons/phase2/10-readiness-vs-completion.md",
				Demo:  "p2-orphan-accept",
				Code:  []string{dir + "doc.go", dir + "tcp.go", dir + "tcp_linux_test.go"},
			},
			{
				ID:    "p2-fallback",
				Title: "The fallback ring",
				File:  "lessons/phase2/11-fallback.md",
				Demo:  "p2-timeout",
				Code:  []string{dir + "rings_linux.go", dir + "fallback.go", dir + "reactor.go", dir + "fallback_linux_test.go"},
			},
			{
				ID:    "p2-registered",
				Title: "Registered files and buffers",
				File:  "lessons/phase2/12-registered.md",
				Demo:  "p2-fixed-reads",
				Code:  []string{dir + "fixed_linux.go", dir + "register_linux.go", dir + "fallback_fixed.go", dir + "fixed_linux_test.go"},
			},
			{
				ID:        "p2-multishot",
				Title:     "Multishot operations and provided buffers",
				File:      "lessons/phase2/13-multishot.md",
				Demo:      "p2-multishot-recv",
				Exercises: []string{"phase2/07-recycle-buffer", "phase2/08-multishot-cqes"},
				Code:      []string{dir + "multishot.go", dir + "multishot_linux.go", dir + "multishot_accept_linux.go", dir + "pbufring_linux.go"},
			},
			{
				ID:    "p2-linked-timeouts",
				Title: "Linked timeouts",
				File:  "lessons/phase2/14-linked-timeouts.md",
				Demo:  "p2-read-within",
				Code:  []string{dir + "stream_io.go", dir + "reactor.go", dir + "prep.go", dir + "timer.go"},
			},
			{
				ID:    "p2-sqpoll",
				Title: "SQPOLL and NEED_WAKEUP, and why not here",
				File:  "lessons/phase2/15-sqpoll.md",
				Demo:  "p2-batch-reads",
				Code:  []string{dir + "ring_linux.go", dir + "abi_linux.go", dir + "rings_linux.go"},
			},
			{
				ID:    "p2-lending",
				Title: "Lending buffers: no copy between the kernel and you",
				File:  "lessons/phase2/16-lending.md",
				Demo:  "p2-fixed-reads",
				Code:  []string{dir + "lend_linux.go", dir + "lend_stream_linux.go"},
			},
		},
		// In teaching order (see phase 1).
		Exercises: []Exercise{
			{ID: "phase2/05-echo-server", Title: "An echo server on the runtime", Lesson: "p2-async-io", Demo: "p2-echo"},
			{ID: "phase2/01-push-sqe", Title: "Push an SQE", Lesson: "p2-rings", Demo: "p2-batch-reads"},
			{ID: "phase2/02-reap-cqes", Title: "Reap CQEs", Lesson: "p2-reaping", Demo: "p2-out-of-order"},
			{ID: "phase2/03-op-table", Title: "From a CQE to its task", Lesson: "p2-waking", Demo: "p2-ring-round-trip"},
			{ID: "phase2/04-read-future", Title: "An async ReadAt future", Lesson: "p2-op-life", Demo: "p2-cancel-read"},
			{ID: "phase2/06-cancel-safe-accept", Title: "A cancel-safe accept", Lesson: "p2-cancellation", Demo: "p2-orphan-accept"},
			{ID: "phase2/07-recycle-buffer", Title: "Recycle a provided buffer", Lesson: "p2-multishot", Demo: "p2-multishot-recv"},
			{ID: "phase2/08-multishot-cqes", Title: "Handle a multishot stream of CQEs", Lesson: "p2-multishot", Demo: "p2-multishot-recv"},
		},
	}
}
