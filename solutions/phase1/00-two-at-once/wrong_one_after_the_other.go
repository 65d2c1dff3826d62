//go:build wrong && wrong_one_after_the_other

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_one_after_the_other ./solutions/phase1/00-two-at-once/ must fail).
//
// The wrong idea: `await x; await y`, the way straight-line code reads.
// y does not even start until x is done: the waits add up instead of
// overlapping (in JavaScript: two awaits instead of Promise.all).

// Package twoatonce is exercise phase1/00-two-at-once: the runtime's
// Promise.all, used rather than written.
package twoatonce

import executor "asyncworkbook/phase1-executor"

// Both runs x and y at the same time on the executor that runs a, and
// returns their outputs, x's first, once both are done.
func Both(a *executor.Awaiter, x, y executor.Future[string]) (string, string) {
	vx := executor.Await(a, x)
	vy := executor.Await(a, y)
	return vx, vy
}
