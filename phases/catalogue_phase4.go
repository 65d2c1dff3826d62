package phases

// phase4 is the pools chapter: eight lessons, from thread-per-core to the
// head-to-head benchmark, and three exercises.
//
// The demos these lessons name are in phases/demos (phase4*.go).
func phase4() Phase {
	const dir = "phase4-pools/"
	return Phase{
		ID:      "phase4",
		Number:  4,
		Title:   "Executor pools",
		Folder:  "phase4-pools",
		Summary: "One executor per CPU, pinned and sharing nothing: placement on the real topology within the affinity mask, SPSC channels that wake only a parked receiver, SubmitTo and sharding, a shutdown that drains the whole pool, and what work stealing does better.",
		Lessons: []Lesson{
			{
				ID:    "p4-thread-per-core",
				Title: "Thread-per-core and share-nothing",
				File:  "lessons/phase4/01-thread-per-core.md",
				Demo:  "p4-thread-per-core",
				Code:  []string{dir + "doc.go", dir + "pool.go", dir + "thread_linux.go"},
			},
			{
				ID:        "p4-placement",
				Title:     "Pinning, placement and topology",
				File:      "lessons/phase4/02-placement.md",
				Demo:      "p4-placement",
				Exercises: []string{"phase4/01-spread-placement"},
				Code:      []string{dir + "placement.go", dir + "topology.go", dir + "topology_linux.go", dir + "cpuset.go"},
			},
			{
				ID:        "p4-messages",
				Title:     "Cross-core messages, and when to wake",
				File:      "lessons/phase4/03-messages.md",
				Demo:      "p4-messages",
				Exercises: []string{"phase4/02-wake-when-parked"},
				Code:      []string{dir + "spsc.go", dir + "spsc_test.go", dir + "bench_test.go"},
			},
			{
				ID:    "p4-submit-to",
				Title: "SubmitTo: work sent to another executor",
				File:  "lessons/phase4/04-submit-to.md",
				Demo:  "p4-submit-to",
				Code:  []string{dir + "mesh.go", dir + "pool.go"},
			},
			{
				ID:        "p4-sharding",
				Title:     "Sharding: every key has one owner",
				File:      "lessons/phase4/05-sharding.md",
				Demo:      "p4-sharding",
				Exercises: []string{"phase4/03-shard-router"},
				Code:      []string{dir + "shard.go", dir + "echo.go"},
			},
			{
				ID:    "p4-shutdown",
				Title: "Shutdown: drain, deadline, report",
				File:  "lessons/phase4/06-shutdown.md",
				Demo:  "p4-shutdown",
				Code:  []string{dir + "pool.go", dir + "mesh.go", dir + "pool_linux_test.go"},
			},
			{
				ID:    "p4-work-stealing",
				Title: "When work stealing wins",
				File:  "lessons/phase4/07-work-stealing.md",
				Demo:  "p4-messages",
				Code:  []string{dir + "skew_bench_test.go", dir + "bench_test.go", dir + "mesh.go"},
			},
			{
				ID:     "p4-benchmark",
				Title:  "The finale: the head-to-head benchmark",
				File:   "lessons/phase4/08-benchmark.md",
				Demo:   "p4-sharding",
				Code:   []string{"bench/run.sh", "bench/cmd", dir + "echo.go"},
				Finale: true,
			},
		},
		Exercises: []Exercise{
			{ID: "phase4/01-spread-placement", Title: "Spread executors over the topology", Lesson: "p4-placement", Demo: "p4-placement"},
			{ID: "phase4/02-wake-when-parked", Title: "Wake the receiver only when it waits", Lesson: "p4-messages", Demo: "p4-messages"},
			{ID: "phase4/03-shard-router", Title: "Route requests to the key's shard", Lesson: "p4-sharding", Demo: "p4-sharding"},
		},
	}
}
