package executor

// WithClass tags the task with a value its Scheduler reads back with
// Task.Class when the task is pushed: phase 3 uses it to say which task
// queue a task belongs to. The executor itself never looks at it. A task
// spawned without a class has Class() == nil.
func WithClass(class any) SpawnOption {
	return func(c *spawnConfig) { c.class = class }
}

// Class returns the value given to WithClass at spawn, or nil. Constant
// after spawn, so any goroutine may read it.
func (t *Task) Class() any {
	if t.meta == nil {
		return nil
	}
	return t.meta.class
}
