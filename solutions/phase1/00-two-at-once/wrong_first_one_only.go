//go:build wrong && wrong_first_one_only

// This is a WRONG answer, kept to prove the tests reject it
// (go test -tags wrong,wrong_first_one_only ./solutions/phase1/00-two-at-once/ must fail).
//
// The wrong idea: Select instead of Join — "wait for them" read as "wait
// for one of them". The first to finish wins, the other is dropped, and
// its output comes back empty.

// Package twoatonce is exercise phase1/00-two-at-once: the runtime's
// Promise.all, used rather than written.
package twoatonce

import executor "asyncworkbook/phase1-executor"

// Both runs x and y at the same time on the executor that runs a, and
// returns their outputs, x's first, once both are done.
func Both(a *executor.Awaiter, x, y executor.Future[string]) (string, string) {
	first := executor.Await(a, executor.Select(x, y))
	if first.Index == 0 {
		return first.Value, ""
	}
	return "", first.Value
}
