package phases

// phase3 is the scheduling chapter: seven lessons, from cooperative
// scheduling to stalls, each with a demo on scheduling.Runtime (package
// demos), and four exercises.
func phase3() Phase {
	const dir = "phase3-scheduling/"
	return Phase{
		ID:      "phase3",
		Number:  3,
		Title:   "Scheduling",
		Folder:  "phase3-scheduling",
		Summary: "Task queues with shares and latency classes picked by virtual runtime, preemption for one memory load, timers in a wheel with one kernel timeout per park, and a watchdog that reports stalls while they last.",
		Lessons: []Lesson{
			{
				ID:    "p3-cooperative",
				Title: "Cooperative and preemptive scheduling",
				File:  "lessons/phase3/01-cooperative-vs-preemptive.md",
				Demo:  "p3-cooperative",
				Code:  []string{dir + "doc.go", dir + "preempt.go", dir + "scheduler.go"},
			},
			{
				ID:        "p3-parking",
				Title:     "Parking and waking",
				File:      "lessons/phase3/02-parking-and-waking.md",
				Demo:      "p3-parking",
				Exercises: []string{"phase3/04-park-until"},
				Code:      []string{dir + "driver.go", dir + "runtime.go", "phase1-executor/executor.go", "phase2-iouring/park_deadline.go"},
			},
			{
				ID:        "p3-timers",
				Title:     "Timers in user space",
				File:      "lessons/phase3/03-timers.md",
				Demo:      "p3-timers",
				Exercises: []string{"phase3/03-timer-wheel"},
				Code:      []string{dir + "wheel.go", dir + "timers.go", dir + "driver.go", "phase2-iouring/park_deadline_linux.go"},
			},
			{
				ID:        "p3-task-queues",
				Title:     "Task queues, shares and virtual runtime",
				File:      "lessons/phase3/04-task-queues.md",
				Demo:      "p3-task-queues",
				Exercises: []string{"phase3/01-pick-queue"},
				Code:      []string{dir + "scheduler.go", dir + "queue.go", dir + "class.go", dir + "histogram.go"},
			},
			{
				ID:    "p3-latency",
				Title: "Latency classes",
				File:  "lessons/phase3/05-latency-classes.md",
				Demo:  "p3-latency",
				Code:  []string{dir + "class.go", dir + "scheduler.go", dir + "bench_test.go"},
			},
			{
				ID:        "p3-preemption",
				Title:     "Preemption without system calls",
				File:      "lessons/phase3/06-preemption-without-syscalls.md",
				Demo:      "p3-preemption",
				Exercises: []string{"phase3/02-need-preempt"},
				Code:      []string{dir + "preempt.go", dir + "bench_test.go"},
			},
			{
				ID:    "p3-stalls",
				Title: "Stalls",
				File:  "lessons/phase3/07-stalls.md",
				Demo:  "p3-stall",
				Code:  []string{dir + "stall.go", dir + "scheduler.go"},
			},
		},
		Exercises: []Exercise{
			{ID: "phase3/04-park-until", Title: "Park until the next deadline, wake only when parked", Lesson: "p3-parking", Demo: "p3-parking"},
			{ID: "phase3/03-timer-wheel", Title: "A timer wheel: insert, cancel, advance", Lesson: "p3-timers", Demo: "p3-timers"},
			{ID: "phase3/01-pick-queue", Title: "Pick the next queue by virtual runtime", Lesson: "p3-task-queues", Demo: "p3-task-queues"},
			{ID: "phase3/02-need-preempt", Title: "NeedPreempt without a system call", Lesson: "p3-preemption", Demo: "p3-preemption"},
		},
	}
}
