//go:build wrong && wrong_completion_order

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_completion_order ./solutions/phase1/00-two-at-once/ must fail).
//
// The wrong idea: the outputs in the order the futures finished ("first
// come, first served"): when y is faster, the caller gets y's output
// where it expects x's.

// Package twoatonce is exercise phase1/00-two-at-once: the runtime's
// Promise.all, used rather than written.
package twoatonce

import executor "asyncworkbook/phase1-executor"

// Both runs x and y at the same time on the executor that runs a, and
// returns their outputs, x's first, once both are done.
func Both(a *executor.Awaiter, x, y executor.Future[string]) (string, string) {
	// Each as a task of its own: neither waits for the other to start.
	hx := executor.SpawnLocal(a.Context(), x, executor.WithName("x"))
	hy := executor.SpawnLocal(a.Context(), y, executor.WithName("y"))
	// Whichever finishes first goes first.
	var hs []executor.Future[executor.Result[string]]
	hs = append(hs, hx, hy)
	first := executor.Await(a, executor.Select(hs...))
	second := executor.Await(a, hs[1-first.Index])
	return first.Value.Value, second.Value
}
