package phases

// Default returns the workbook's catalogue. Each call returns a fresh copy,
// so callers may keep or change it.
func Default() *Catalogue {
	return &Catalogue{Phases: []Phase{
		{
			ID:      "phase1",
			Number:  1,
			Title:   "The executor",
			Folder:  "phase1-executor",
			Summary: "Futures, Poll, wakers, tasks and join handles: a single-threaded executor you can step through.",
			Lessons: []Lesson{
				{ID: "p1-async-runtime", Title: "What an async runtime is", File: "lessons/phase1/01-what-is-an-async-runtime.md"},
			},
		},
	}}
}
