//go:build wrong && wrong_release_first

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_release_first ./solutions/phase2/02-reap-cqes/ must fail).
//
// The wrong idea: "free the slots as early as possible, so the kernel is
// never kept waiting": it stores the head first, then reads the entries.
// But the head store hands those slots back to the kernel, which may
// write new completions into them at once — before we have read the old
// ones. We then deliver completions that belong to later requests (or
// half-written ones), and the ones we were owed are lost. The loads and
// the loop are right; only the order of the store is not. The tests'
// kernel reuses released slots the moment the head is stored, so every
// reap reads overwritten entries; -race also reports the kernel's writes
// racing with our reads.

// Package reapcqes is exercise phase2/02-reap-cqes.
package reapcqes

// Reap releases the slots, then reads them.
func (q *CQ) Reap(fn func(Completion)) int {
	head := q.Head.Load()
	tail := q.Tail.Load()
	if head == tail {
		return 0
	}
	q.Head.Store(tail)
	n := 0
	for ; head != tail; head++ {
		fn(q.Entries[head&q.Mask])
		n++
	}
	return n
}
