package executor

import "sync/atomic"

// wakeList is how tasks reach the executor from other goroutines: a waker
// fired on a timer goroutine, a Spawn from main, a Cancel from anywhere.
//
// It is a lock-free stack (a Treiber stack) that only ever grows by push
// and empties all at once:
//
//   - push (any goroutine): link the task to the current head, then CAS the
//     head to the task. Several pushers race on the CAS; losers retry.
//   - takeAll (executor only): Swap the head with nil, taking every pushed
//     task at once, and reverse the list so tasks run in wake order.
//
// Because the consumer never pops one node, the ABA problem that haunts
// Treiber stacks cannot happen: a node's next is read only after the Swap
// that took it, and it cannot be pushed again until the executor has
// polled it (invariant 1 in task.go), long after the read.
//
// The zero value is an empty list.
type wakeList struct {
	head atomic.Pointer[Task]
}

// push adds t. Any goroutine. The caller owns the task's single push
// (it set scheduled).
func (l *wakeList) push(t *Task) {
	for {
		h := l.head.Load()
		t.next = h // published by the CAS below
		if l.head.CompareAndSwap(h, t) {
			return
		}
	}
}

// empty reports whether nothing is waiting. Any goroutine.
func (l *wakeList) empty() bool { return l.head.Load() == nil }

// takeAll removes every task and returns them oldest first, linked by
// next. Executor goroutine only.
func (l *wakeList) takeAll() *Task {
	if l.head.Load() == nil {
		return nil // the common case costs a load, not a Swap
	}
	var rev *Task
	for t := l.head.Swap(nil); t != nil; {
		n := t.next
		t.next = rev
		rev = t
		t = n
	}
	return rev
}
