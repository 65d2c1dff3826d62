// Package optable is exercise phase2/03-op-table: from a CQE to the task
// that waits for it. Read README.md first; the future that uses your
// table is in given.go.
package optable

import (
	executor "asyncworkbook/phase1-executor"
	"asyncworkbook/phases/check"
)

// The check import is here for check.TODO only. This line keeps it in use
// after you delete the last check.TODO() line, so the file still compiles;
// delete it (and the import) when you are done, if you like.
var _ = check.TODO

// Table is the reactor's op table: one entry per operation in flight,
// found again from the user_data its CQE carries. Executor goroutine only.
type Table struct {
	// Add the fields you need: the entries, and a way to find a free one.
}

// Start takes an entry for a new operation whose task w wakes, and
// returns the user_data to put in its SQE.
func (t *Table) Start(w executor.Waker) uint64 {
	check.TODO() // delete this line, then write Start
	return 0
}

// Complete handles one CQE: if it is for an operation in flight, it
// stores the result, wakes the operation's task and returns true.
// Anything else — an unknown or stale user_data, a second CQE for the
// same operation — is ignored (false).
func (t *Table) Complete(c CQE) bool {
	check.TODO() // delete this line, then write Complete
	return false
}

// Result returns the result of the operation ud once its CQE has come,
// and frees its entry (ud is stale from then on). Before that, done is
// false, and w becomes the waker Complete will fire: the future may be
// polled by another task than the one that started it (moved into a
// Select, a Join, another task), and the newest poll's waker is the one
// to wake.
func (t *Table) Result(ud uint64, w executor.Waker) (res int32, done bool) {
	check.TODO() // delete this line, then write Result
	return 0, false
}

// Len returns how many entries are taken: in flight, or done and not yet
// collected by Result.
func (t *Table) Len() int {
	check.TODO() // delete this line, then write Len
	return 0
}
